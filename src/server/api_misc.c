/* SPDX-License-Identifier: Apache-2.0
 *
 * api_misc.c — the endpoints that are not about one record type: health,
 * the OpenAPI document, and the evidence log's latest signed checkpoint and
 * inclusion proofs (through include/remnant/ledger.h, one rn_ledger per
 * worker thread, opened read-only on first use).
 *
 * Proofs and the public: a public caller gets a proof only for a record in
 * the public view, with the entry's bytes (format 2: salted digests of the
 * fields, nothing readable) and the disclosures of exactly the fields the
 * public view shows as logged (include/remnant/public.h). An entry in
 * format 1 holds the whole record, so the public gets no proof of it. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

void api_health(srv_req *q)
{
    static const char ok[] = "{\"status\":\"ok\",\"version\":\"" RN_VERSION "\"}";
    srv_reply_text(q, 200, "application/json", ok, sizeof ok - 1);
}

void api_openapi(srv_req *q)
{
    size_t n = strlen(srv_openapi_json);
    char etag[35];
    srv_etag(srv_openapi_json, n, etag);
    if (srv_not_modified(q, etag))
        return;
    srv_reply_text(q, 200, "application/json", srv_openapi_json, n);
}

rn_ledger *srv_ledger(srv_req *q)
{
    if (!q->w->ledger) {
        rn_error err;
        rn_error_clear(&err);
        rn_code rc = rn_ledger_open(srv_cfg.db_path, RN_LEDGER_READONLY, &q->w->ledger, &err);
        if (rc) {
            q->w->ledger = NULL;
            srv_reply_rn(q, rc, &err);
            return NULL;
        }
    }
    return q->w->ledger;
}

void api_checkpoint(srv_req *q)
{
    rn_ledger *l = srv_ledger(q);
    if (!l)
        return;
    char *note = NULL;
    size_t len = 0;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_ledger_checkpoint(l, 0, &note, &len, &err);
    if (rc) {
        srv_reply_rn(q, rc, &err);
        return;
    }
    char etag[35];
    srv_etag(note, len, etag);
    if (!srv_not_modified(q, etag))
        srv_reply_text(q, 200, "text/plain; charset=utf-8", note, len);
    rn_free(note);
}

void api_proof(srv_req *q)
{
    const char *id = q->params[0];
    if (!rn_id_valid(id, strlen(id)) || (q->role == SRV_PUBLIC && !srv_public_has(q->w, id))) {
        srv_reply_error(q, 404, "not_found", "no such record", NULL);
        return;
    }
    rn_ledger *l = srv_ledger(q);
    if (!l)
        return;
    rn_ledger_proof *p = calloc(1, sizeof *p);
    if (!p) {
        srv_reply_rn(q, RN_ENOMEM, NULL);
        return;
    }
    char *entry = NULL;
    size_t elen = 0;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_ledger_inclusion(l, id, 0, p, &entry, &elen, &err);
    char *disc = NULL;
    size_t dlen = 0, ndisc = 0;
    if (rc == RN_OK) {
        const srv_public_set *view = q->role == SRV_PUBLIC ? srv_public_view(q->w) : NULL;
        if (q->role == SRV_PUBLIC && !view)
            rc = RN_EDB;
        else
            rc = rn_ledger_disclosures(l, q->w->store, view, id, p->index, &disc, &dlen,
                                       &ndisc, &err);
    }
    if (rc) {
        rn_free(entry);
        free(p);
        if (rc == RN_ECONSTRAINT)
            srv_reply_error(q, 409, "conflict", err.message, NULL);
        else
            srv_reply_rn(q, rc, &err);
        return;
    }
    json_t *hashes = json_array();
    for (size_t i = 0; i < p->n && i < RN_LEDGER_PROOF_MAX; i++) {
        char hex[2 * RN_LEDGER_HASH_LEN + 1];
        sodium_bin2hex(hex, sizeof hex, p->hash[i], RN_LEDGER_HASH_LEN);
        json_array_append_new(hashes, json_string(hex));
    }
    json_t *o = json_pack("{s:s, s:I, s:I, s:o}", "id", id, "index", (json_int_t)p->index, "size",
                          (json_int_t)p->size, "hashes", hashes);
    if (o && entry)
        json_object_set_new(o, "entry", json_stringn(entry, elen));
    if (o && disc) {
        json_t *da = json_array();
        for (size_t k = 0; k < dlen;) {
            const char *nl = memchr(disc + k, '\n', dlen - k);
            size_t end = nl ? (size_t)(nl - disc) : dlen;
            json_array_append_new(da, json_stringn(disc + k, end - k));
            k = end + 1;
        }
        json_object_set_new(o, "disclosures", da);
    }
    rn_free(entry);
    rn_free(disc);
    free(p);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!s) {
        srv_reply_rn(q, RN_ENOMEM, NULL);
        return;
    }
    srv_reply_json(q, 200, s, strlen(s));
}
