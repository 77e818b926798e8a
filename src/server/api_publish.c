/* SPDX-License-Identifier: Apache-2.0
 *
 * api_publish.c — a finding's evidence bundle: the public bundle for the
 * public, the full one for staff (docs/BUNDLE.md). What is public is
 * include/remnant/public.h; the preview of a finding before it is published
 * is api_public.c's api_public_preview, on the same view.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

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
