/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_http_json.c — the server's request parsing: the input is split at
 * its first two NUL bytes into a query string, a Cookie header and a JSON
 * body; the query goes through srv_parse_query, the header through
 * srv_cookie, and the body through what the JSON handlers do with it
 * (jansson's parse, then rn_record_from_json of the object, as api_create
 * does after adding the URL's type). Includes parse.c (pure helpers). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/server/parse.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *z1 = memchr(s, 0, size);
    size_t ql = z1 ? (size_t)(z1 - s) : size;
    /* 1. query string */
    char *buf = malloc(ql + 1);
    srv_kv kv[SRV_MAX_QUERY];
    if (buf) {
        int n = srv_parse_query(s, ql, buf, ql + 1, kv, SRV_MAX_QUERY);
        for (int i = 0; i < n; i++)
            if (strlen(kv[i].key) > ql || strlen(kv[i].value) > ql)
                abort();
        long v;
        if (n > 0)
            (void)srv_parse_long(kv[0].value, 0, 1000, &v);
        free(buf);
    }
    if (!z1)
        return 0;
    const char *rest = z1 + 1;
    size_t rl = size - ql - 1;
    const char *z2 = memchr(rest, 0, rl);
    if (!z2)
        return 0;
    /* 2. Cookie header (NUL-terminated by z2) */
    char out[SRV_TOKEN_MAX + 8];
    if (srv_cookie(rest, "remnant_session", out, sizeof out) && strlen(out) >= sizeof out)
        abort();
    char host[64];
    unsigned port;
    (void)srv_parse_listen(rest, host, sizeof host, &port);
    /* 3. JSON body */
    const char *body = z2 + 1;
    size_t bl = rl - (size_t)(z2 - rest) - 1;
    json_t *j = json_loadb(body, bl, JSON_REJECT_DUPLICATES, NULL);
    if (j && json_is_object(j)) {
        if (!json_object_get(j, "type"))
            json_object_set_new(j, "type", json_string("event"));
        char *t = json_dumps(j, JSON_COMPACT);
        if (t) {
            rn_record *r = NULL;
            rn_error err;
            if (rn_record_from_json(t, strlen(t), &r, &err) == RN_OK) {
                char *back;
                size_t n;
                if (rn_record_to_json(r, RN_JSON_PUBLIC, &back, &n) == RN_OK)
                    rn_free(back);
            }
            rn_record_free(r);
            free(t);
        }
    }
    json_decref(j);
    /* the raw body too, as the import path would see it */
    rn_record *r = NULL;
    rn_error err;
    if (rn_record_from_json(body, bl, &r, &err) == RN_OK)
        rn_record_free(r);
    return 0;
}
