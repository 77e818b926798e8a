/* SPDX-License-Identifier: Apache-2.0
 *
 * api_tlog.c — the evidence log served per C2SP tlog-tiles
 * (https://c2sp.org/tlog-tiles) at the prefix /log/, so that any tlog client
 * (Go's sumdb/tlog, a witness, a monitor, a mirror) can follow and verify it:
 *   GET /log/checkpoint                  the latest signed checkpoint
 *   GET /log/tile/<L>/<N>[.p/<W>]        hash tiles: the same for everyone
 *   GET /log/tile/entries/<N>[.p/<W>]    entry bundles: to the public in the
 *                                        public form (lib/ledger/publish.c
 *                                        P1-P2), to an account as logged
 * Paths are parsed by rn_ledger_tile_path_parse (fuzzed). Caching: full hash
 * tiles never change (immutable, a year); partial tiles briefly; the public
 * form of an entry bundle follows the public view, so it is never immutable;
 * the checkpoint is not cached. docs/LEDGER.md "Tiles" says all this. */
#include <string.h>

#include "server.h"

static rn_ledger *tlog_ledger(srv_req *q)
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

void api_tlog_checkpoint(srv_req *q)
{
    api_checkpoint(q);
    srv_add_header(q, "Cache-Control", "no-cache");
}

void api_tlog_tile(srv_req *q)
{
    static const char prefix[] = "/log/";
    const char *rel = q->path + sizeof prefix - 1;
    rn_ledger_tile_ref t;
    if (strncmp(q->path, prefix, sizeof prefix - 1) != 0 ||
        rn_ledger_tile_path_parse(rel, strlen(rel), &t) != RN_OK) {
        srv_reply_error(q, 404, "not_found", "not a tile path: /log/tile/<L>/<N>[.p/<W>] or"
                        " /log/tile/entries/<N>[.p/<W>] (c2sp.org/tlog-tiles)", NULL);
        return;
    }
    rn_ledger *l = tlog_ledger(q);
    if (!l)
        return;
    uint8_t *data = NULL;
    size_t len = 0;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc;
    int full = t.width == RN_LEDGER_TILE_WIDTH;
    const char *cc;
    if (!t.entries) {
        rc = rn_ledger_tile(l, t.level, t.index, t.width, &data, &len, &err);
        cc = full ? "public, max-age=31536000, immutable" : "public, max-age=60";
    } else if (q->role == SRV_PUBLIC) {
        const srv_public_set *view = srv_public_view(q->w);
        if (!view) {
            srv_reply_error(q, 503, "unavailable", "the public view cannot be built", NULL);
            return;
        }
        rc = rn_ledger_entry_bundle(l, q->w->store, view, t.index, t.width, &data, &len, &err);
        cc = "public, max-age=60";
    } else {
        rc = rn_ledger_entry_bundle(l, q->w->store, NULL, t.index, t.width, &data, &len, &err);
        cc = full ? "private, max-age=31536000, immutable" : "private, max-age=60";
    }
    if (rc) {
        srv_reply_rn(q, rc, &err);
        return;
    }
    srv_add_header(q, "Cache-Control", cc);
    if (t.entries) {
        /* The public form follows the public view: revalidated by ETag. A
         * hash tile never changes (tiles.c T3), so it needs none, and
         * hashing 8 KiB per request would cost more than serving it. */
        char etag[35];
        srv_etag((const char *)data, len, etag);
        srv_add_header(q, "Vary", "Authorization, Cookie");
        if (srv_not_modified(q, etag)) {
            rn_free(data);
            return;
        }
    }
    srv_reply_json(q, 200, (char *)data, len);
    q->ctype = "application/octet-stream";
}
