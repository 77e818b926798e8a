/* SPDX-License-Identifier: Apache-2.0
 *
 * parse.c — the server's small parsers of untrusted text: query strings,
 * Cookie headers, bounded decimals and the --listen address. Pure functions
 * with no state and no allocation, so that fuzz/fuzz_http_json.c reaches
 * them directly. Every function takes the size of every buffer it writes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Contract: buf receives every decoded key and value, NUL-terminated, one
 * after the other; kv[i] points into buf. '+' is a space; %XX must be two
 * hex digits; a decoded NUL is refused (it would cut the value short). */
int srv_parse_query(const char *s, size_t len, char *buf, size_t cap, srv_kv *kv, size_t max)
{
    if (cap < len + 1)
        return -1;
    size_t n = 0, o = 0, i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && s[end] != '&')
            end++;
        if (end > i) {
            if (n >= max)
                return -1;
            const char *key = buf + o, *val = NULL;
            for (size_t j = i; j < end; j++) {
                int c = (unsigned char)s[j];
                if (c == '=' && !val) {
                    buf[o++] = '\0';
                    val = buf + o;
                    continue;
                }
                if (c == '+') {
                    c = ' ';
                } else if (c == '%') {
                    if (j + 2 >= end)
                        return -1;
                    int h = hexval((unsigned char)s[j + 1]), l = hexval((unsigned char)s[j + 2]);
                    if (h < 0 || l < 0 || (h == 0 && l == 0))
                        return -1;
                    c = h * 16 + l;
                    j += 2;
                }
                buf[o++] = (char)c;
            }
            buf[o++] = '\0';
            if (!val)
                val = buf + o - 1; /* "key" alone: empty value */
            kv[n].key = key;
            kv[n].value = val;
            n++;
        }
        i = end + 1;
    }
    return (int)n;
}

int srv_cookie(const char *h, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    const char *p = h;
    while (p && *p) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t seg = end ? (size_t)(end - p) : strlen(p);
        if (seg > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            size_t vl = seg - nl - 1;
            while (vl > 0 && (p[nl + 1 + vl - 1] == ' ' || p[nl + 1 + vl - 1] == '\t'))
                vl--;
            if (vl + 1 > cap)
                return 0;
            memcpy(out, p + nl + 1, vl);
            out[vl] = '\0';
            return 1;
        }
        p = end;
    }
    return 0;
}

int srv_parse_long(const char *s, long min, long max, long *out)
{
    if (!s || !*s || *s == '+' || *s == ' ')
        return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int srv_parse_listen(const char *s, char *host, size_t cap, unsigned *port)
{
    const char *colon;
    const char *h = s;
    size_t hl;
    if (*s == '[') {
        const char *rb = strchr(s, ']');
        if (!rb || rb[1] != ':')
            return -1;
        h = s + 1;
        hl = (size_t)(rb - h);
        colon = rb + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return -1;
        hl = (size_t)(colon - s);
    }
    if (hl == 0 || hl + 1 > cap)
        return -1;
    long p;
    if (srv_parse_long(colon + 1, 1, 65535, &p))
        return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = (unsigned)p;
    return 0;
}
