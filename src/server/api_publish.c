/* SPDX-License-Identifier: Apache-2.0
 *
 * api_publish.c — the endpoints that hand out the public view as a whole:
 * the preview staff see before publishing a finding (what would become
 * public, rendered by the same function as the public API) and a
 * finding's evidence bundle (public for the public, full for staff). The
 * view itself is include/remnant/public.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

/* GET /api/v1/findings/{id}/preview: {"finding":ID,"records":[...]} — every
 * record the public would see once the finding is published, as it would
 * see it. Staff only. */
void api_preview(srv_req *q)
{
    const char *id = q->params[0];
    rn_error err;
    rn_error_clear(&err);
    rn_record *f = NULL;
    rn_code rc = rn_id_valid(id, strlen(id)) ? rn_store_get(q->w->store, id, &f, &err)
                                             : RN_ENOTFOUND;
    if (rc == RN_OK && rn_record_type(f) != RN_T_FINDING)
        rc = RN_ENOTFOUND;
    rn_record_free(f);
    if (rc == RN_ENOTFOUND) {
        srv_reply_error(q, 404, "not_found", "no such finding", NULL);
        return;
    }
    if (rc) {
        srv_reply_rn(q, rc, &err);
        return;
    }
    rn_public_opts o = {srv_cfg.public_grid, id};
    rn_public *view = NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = NULL;
    if ((rc = rn_public_open(q->w->store, &o, &view, &err)) != RN_OK) {
        srv_reply_rn(q, rc, &err);
        return;
    }
    mem = open_memstream(&buf, &len);
    uint64_t n = 0;
    rc = mem ? rn_public_export(view, q->w->store, mem, &n, &err) : RN_ENOMEM;
    if (mem)
        fclose(mem);
    rn_public_free(view);
    if (rc) {
        free(buf);
        srv_reply_rn(q, rc, &err);
        return;
    }
    /* The export is JSON Lines: one array of its objects. */
    size_t cap = len + 64 + 2 * RN_ID_LEN;
    char *out = malloc(cap);
    if (!out) {
        free(buf);
        srv_reply_rn(q, RN_ENOMEM, NULL);
        return;
    }
    size_t k = (size_t)snprintf(out, cap, "{\"finding\":\"%s\",\"records\":[", id);
    for (size_t i = 0; i < len; i++)
        out[k++] = buf[i] == '\n' ? (i + 1 < len ? ',' : ' ') : buf[i];
    k += (size_t)snprintf(out + k, cap - k, "]}");
    free(buf);
    srv_reply_json(q, 200, out, k);
}

/* GET /api/v1/findings/{id}/bundle: the evidence bundle of a finding — for
 * the public the public bundle of a published finding, for staff the full
 * one (docs/BUNDLE.md). */
void api_bundle(srv_req *q)
{
    const char *id = q->params[0];
    if (!rn_id_valid(id, strlen(id)) || (q->role == SRV_PUBLIC && !srv_public_has(q->w, id))) {
        srv_reply_error(q, 404, "not_found", "no such finding", NULL);
        return;
    }
    rn_error err;
    rn_error_clear(&err);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) {
        srv_reply_rn(q, RN_ENOMEM, NULL);
        return;
    }
    const char *ids[1] = {id};
    rn_code rc = q->role == SRV_PUBLIC
                     ? rn_ledger_bundle_write_public(q->w->store, srv_cfg.db_path,
                                                     srv_cfg.public_grid, ids, 1, 0, mem, &err)
                     : rn_ledger_bundle_write(q->w->store, srv_cfg.db_path, ids, 1, 0, mem, &err);
    fclose(mem);
    if (rc) {
        free(buf);
        if (rc == RN_ECONSTRAINT)
            srv_reply_error(q, 409, "conflict", err.message, NULL);
        else
            srv_reply_rn(q, rc, &err);
        return;
    }
    char disp[96];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s%s.rnb\"", id,
             q->role == SRV_PUBLIC ? "-public" : "");
    srv_add_header(q, "Content-Disposition", disp);
    srv_reply_text(q, 200, "application/octet-stream", buf, len);
    free(buf);
}
