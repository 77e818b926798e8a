/* SPDX-License-Identifier: Apache-2.0
 *
 * json.c — the decoder's one JSON shape (docs/DECODE.md, "JSON"), kept
 * stable for the CLI, the server and anyone scripting against them:
 *
 *   {"marking": TEXT, "candidates": [{"field", "value", "earliest", "latest",
 *    "country", "confidence", "rule", "explanation", "source", "ambiguous"}, ...],
 *    "ambiguous": [{"field", "values": [...]}, ...]}
 *
 * earliest/latest ("YYYY-MM-DD") appear for production dates only, country
 * for manufacturers and factories only, "ambiguous" (true) on tied
 * candidates only and the top-level "ambiguous" list only when some field is
 * tied (RN_DECODE_TIE_MARGIN); keys always in this order.
 */
#include <stdio.h>
#include <string.h>

#include "decode/decode_int.h"

/* A JSON string literal: runs of bytes that need no escape are copied
 * whole (rn__buf_json_str escapes the rest). */
static rn_code jstr(rn_buf *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f)
            return rn__buf_json_str(b, s, n);
        i++;
    }
    rn_code rc = rn__buf_reserve(b, n + 2);
    if (rc)
        return rc;
    b->data[b->len++] = '"';
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len++] = '"';
    return RN_OK;
}

rn_code rn_candidates_to_json(const char *marking, size_t len, const rn_candidates *c,
                              char **out, size_t *outlen)
{
    if (!out || (!marking && len))
        return RN_EINVAL;
    *out = NULL;
    if (outlen)
        *outlen = 0;
    rn_buf b;
    rn__buf_init(&b, (size_t)4 << 20);
    rn_code rc = rn__buf_adds(&b, "{\"marking\":");
    if (rc == RN_OK)
        rc = jstr(&b, marking ? marking : "", len);
    if (rc == RN_OK)
        rc = rn__buf_adds(&b, ",\"candidates\":[");
    size_t n = rn_candidates_count(c);
    for (size_t i = 0; i < n && rc == RN_OK; i++) {
        const rn_candidate *k = rn_candidates_at(c, i);
        rc = rn__buf_adds(&b, i ? ",{\"field\":" : "{\"field\":");
        if (rc == RN_OK)
            rc = jstr(&b, k->field, strlen(k->field));
        if (rc == RN_OK)
            rc = rn__buf_adds(&b, ",\"value\":");
        if (rc == RN_OK)
            rc = jstr(&b, k->value, strlen(k->value));
        if (rc == RN_OK && k->date.precision != RN_PREC_NONE) {
            char e[11], l[11];
            rn_day_format(k->date.earliest, e);
            rn_day_format(k->date.latest, l);
            rc = rn__buf_printf(&b, ",\"earliest\":\"%s\",\"latest\":\"%s\"", e, l);
        }
        if (rc == RN_OK && k->country &&
            (strcmp(k->field, "manufacturer") == 0 || strcmp(k->field, "factory") == 0))
            rc = rn__buf_printf(&b, ",\"country\":\"%s\"", k->country);
        if (rc == RN_OK)
            rc = rn__buf_printf(&b, ",\"confidence\":%.3g,\"rule\":", k->confidence);
        if (rc == RN_OK)
            rc = jstr(&b, k->rule, strlen(k->rule));
        if (rc == RN_OK)
            rc = rn__buf_adds(&b, ",\"explanation\":");
        if (rc == RN_OK)
            rc = jstr(&b, k->explanation, strlen(k->explanation));
        if (rc == RN_OK)
            rc = rn__buf_adds(&b, ",\"source\":");
        if (rc == RN_OK)
            rc = jstr(&b, k->source ? k->source : "", k->source ? strlen(k->source) : 0);
        if (rc == RN_OK && k->ambiguous)
            rc = rn__buf_adds(&b, ",\"ambiguous\":true");
        if (rc == RN_OK)
            rc = rn__buf_addc(&b, '}');
    }
    if (rc == RN_OK)
        rc = rn__buf_addc(&b, ']');
    /* the tied fields, each with its tied values in rank order */
    static const char *const fields[] = {"manufacturer", "production_date"};
    int any = 0;
    for (size_t f = 0; f < 2 && rc == RN_OK; f++) {
        int first = 1;
        for (size_t i = 0; i < n && rc == RN_OK; i++) {
            const rn_candidate *k = rn_candidates_at(c, i);
            if (!k->ambiguous || strcmp(k->field, fields[f]) != 0)
                continue;
            if (first) {
                rc = rn__buf_printf(&b, "%s{\"field\":\"%s\",\"values\":[",
                                    any ? "," : ",\"ambiguous\":[", fields[f]);
                any = 1;
            } else if (rc == RN_OK) {
                rc = rn__buf_addc(&b, ',');
            }
            first = 0;
            if (rc == RN_OK)
                rc = jstr(&b, k->value, strlen(k->value));
        }
        if (!first && rc == RN_OK)
            rc = rn__buf_adds(&b, "]}");
    }
    if (rc == RN_OK && any)
        rc = rn__buf_addc(&b, ']');
    if (rc == RN_OK)
        rc = rn__buf_addc(&b, '}');
    if (rc == RN_OK)
        rc = rn__buf_cstr(&b);
    if (rc) {
        rn__buf_free(&b);
        return rc;
    }
    *out = b.data;
    if (outlen)
        *outlen = b.len;
    return RN_OK;
}
