/* SPDX-License-Identifier: Apache-2.0
 *
 * test_server_routes.c — the server's route table against its OpenAPI
 * document (every path and method in src/server/openapi.json is routed, and
 * every route is documented), the matcher, and the request-parsing helpers
 * of parse.c. Includes router.c and parse.c to reach them without the HTTP
 * daemon; the handlers are stubs here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <string.h>

#include "../../src/server/parse.c"
#include "../../src/server/router.c"

#define STUB(n) void n(srv_req *q) { (void)q; }
STUB(api_health) STUB(api_openapi) STUB(api_list) STUB(api_create) STUB(api_get)
STUB(api_replace) STUB(api_patch) STUB(api_delete) STUB(api_search) STUB(api_upload)
STUB(api_content) STUB(api_login) STUB(api_logout) STUB(api_me) STUB(api_users_list)
STUB(api_users_add) STUB(api_users_rm) STUB(api_checkpoint) STUB(api_proof) STUB(api_tlog_checkpoint) STUB(api_tlog_tile)
STUB(api_decode) STUB(api_timeline) STUB(api_origin) STUB(api_sanctions) STUB(api_links)
STUB(api_report_pdf) STUB(api_report_html)
STUB(api_bundle)
STUB(api_tokens_list) STUB(api_tokens_rm)
STUB(api_finding_review) STUB(api_finding_publish) STUB(api_finding_withdraw)
STUB(api_finding_revise) STUB(api_trace_move) STUB(api_history)
STUB(api_config) STUB(api_public_findings) STUB(api_public_geojson) STUB(api_public_csv)
STUB(api_public_jsonl) STUB(api_public_finding) STUB(api_public_preview)
STUB(api_me_password) STUB(api_me_token) STUB(api_user_password) STUB(api_user_role)
STUB(api_sync_state) STUB(api_sync_pull) STUB(api_sync_push) STUB(api_sync_blobs)
STUB(api_sync_peers) STUB(api_sync_conflicts)
STUB(api_sync_file_get) STUB(api_sync_upload_state) STUB(api_sync_upload_put)
int srv_sync_upload_begin(srv_req *q) { (void)q; return 0; }

static json_t *load_doc(void)
{
    json_error_t je;
    json_t *d = json_load_file(RN_TEST_DATADIR "/../src/server/openapi.json", 0, &je);
    if (!d)
        fail_msg("openapi.json: %s (line %d)", je.text, je.line);
    return d;
}

static void lower(const char *s, char *out, size_t cap)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++)
        out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    out[i] = '\0';
}

static void every_route_documented(void **state)
{
    json_t *d = load_doc();
    json_t *paths = json_object_get(d, "paths");
    assert_non_null(paths);
    for (size_t r = 0; r < srv_nroutes; r++) {
        char m[16];
        lower(srv_method_name(srv_routes[r].method), m, sizeof m);
        json_t *p = json_object_get(paths, srv_routes[r].pattern);
        if (!p || !json_object_get(p, m))
            fail_msg("route %s %s is not in openapi.json", m, srv_routes[r].pattern);
    }
    json_decref(d);
}

static void every_documented_path_routed(void **state)
{
    json_t *d = load_doc();
    const char *path;
    json_t *ops;
    size_t n = 0;
    json_object_foreach(json_object_get(d, "paths"), path, ops) {
        const char *m;
        json_t *op;
        json_object_foreach(ops, m, op) {
            int found = 0;
            for (size_t r = 0; r < srv_nroutes && !found; r++) {
                char lm[16];
                lower(srv_method_name(srv_routes[r].method), lm, sizeof lm);
                found = strcmp(lm, m) == 0 && strcmp(srv_routes[r].pattern, path) == 0;
            }
            if (!found)
                fail_msg("openapi.json documents %s %s, which the router lacks", m, path);
            n++;
        }
    }
    assert_int_equal(n, srv_nroutes);
    json_decref(d);
}

static void matcher(void **state)
{
    char buf[SRV_URL_MAX + 1];
    const char *params[SRV_MAX_PARAMS];
    size_t np;
    int known;
    const srv_route *r = srv_route_match(M_GET, "/api/v1/items/01J3DEM0000000000000000019", buf,
                                         sizeof buf, params, &np, &known);
    assert_non_null(r);
    assert_ptr_equal(r->fn, api_get);
    assert_int_equal(np, 2);
    assert_string_equal(params[0], "items");
    assert_string_equal(params[1], "01J3DEM0000000000000000019");
    r = srv_route_match(M_GET, "/api/v1/search", buf, sizeof buf, params, &np, &known);
    assert_ptr_equal(r->fn, api_search); /* literal before {type} */
    r = srv_route_match(M_HEAD, "/api/v1/health", buf, sizeof buf, params, &np, &known);
    assert_ptr_equal(r->fn, api_health);
    r = srv_route_match(M_PUT, "/api/v1/health", buf, sizeof buf, params, &np, &known);
    assert_null(r);
    assert_int_equal(known, 1);
    r = srv_route_match(M_GET, "/api/v1/items/", buf, sizeof buf, params, &np, &known);
    assert_null(r);
    r = srv_route_match(M_GET, "/nothing/here", buf, sizeof buf, params, &np, &known);
    assert_null(r);
    assert_int_equal(known, 0);
    r = srv_route_match(M_GET, "relative", buf, sizeof buf, params, &np, &known);
    assert_null(r);
    rn_type t;
    assert_true(srv_type_from_plural("custody", &t));
    assert_int_equal(t, RN_T_CUSTODY);
    assert_false(srv_type_from_plural("custodys", &t));
}

static void query_parsing(void **state)
{
    char buf[128];
    srv_kv kv[4];
    const char *q = "a=1&b=x+y%2Fz&&c&d=";
    int n = srv_parse_query(q, strlen(q), buf, sizeof buf, kv, 4);
    assert_int_equal(n, 4);
    assert_string_equal(kv[0].key, "a");
    assert_string_equal(kv[0].value, "1");
    assert_string_equal(kv[1].value, "x y/z");
    assert_string_equal(kv[2].key, "c");
    assert_string_equal(kv[2].value, "");
    assert_string_equal(kv[3].value, "");
    assert_int_equal(srv_parse_query("a=%4", 5, buf, sizeof buf, kv, 4), -1);
    assert_int_equal(srv_parse_query("a=%00", 5, buf, sizeof buf, kv, 4), -1);
    assert_int_equal(srv_parse_query("a&b&c&d&e", 9, buf, sizeof buf, kv, 4), -1);
    assert_int_equal(srv_parse_query("abc", 3, buf, 3, kv, 4), -1); /* no room */
}

static void cookies_and_numbers(void **state)
{
    char v[16];
    assert_int_equal(srv_cookie("a=1; remnant_session=tok; b=2", "remnant_session", v, sizeof v), 1);
    assert_string_equal(v, "tok");
    assert_int_equal(srv_cookie("xremnant_session=1", "remnant_session", v, sizeof v), 0);
    assert_int_equal(srv_cookie("s=0123456789abcdefXYZ", "s", v, sizeof v), 0); /* too long */
    long x;
    assert_int_equal(srv_parse_long("42", 1, 100, &x), 0);
    assert_int_equal(x, 42);
    assert_int_equal(srv_parse_long("0", 1, 100, &x), -1);
    assert_int_equal(srv_parse_long("4x", 1, 100, &x), -1);
    assert_int_equal(srv_parse_long("", 1, 100, &x), -1);
    assert_int_equal(srv_parse_long("99999999999999999999999", 1, 100, &x), -1);
    char host[64];
    unsigned port;
    assert_int_equal(srv_parse_listen("127.0.0.1:8080", host, sizeof host, &port), 0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 8080);
    assert_int_equal(srv_parse_listen("[::1]:9", host, sizeof host, &port), 0);
    assert_string_equal(host, "::1");
    assert_int_equal(srv_parse_listen("127.0.0.1", host, sizeof host, &port), -1);
    assert_int_equal(srv_parse_listen("127.0.0.1:70000", host, sizeof host, &port), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_route_documented),
        cmocka_unit_test(every_documented_path_routed),
        cmocka_unit_test(matcher),
        cmocka_unit_test(query_parsing),
        cmocka_unit_test(cookies_and_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
