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
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "server.h"

/* gzip of data (the spec asks entry bundles to be compressed at the HTTP
 * layer), or NULL when it fails or does not pay. Level 1: a bundle is made
 * per request. OUT *out_len. */
static char *gzip_of(const uint8_t *data, size_t len, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (len > UINT32_MAX / 2 || deflateInit2(&z, 1, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&z, (uLong)len);
    char *out = malloc(cap);
    if (out) {
        z.next_in = (Bytef *)(uintptr_t)data;
        z.avail_in = (uInt)len;
        z.next_out = (Bytef *)out;
        z.avail_out = (uInt)cap;
        if (deflate(&z, Z_FINISH) != Z_STREAM_END || z.total_out >= len) {
            free(out);
            out = NULL;
        } else {
            *out_len = z.total_out;
        }
    }
    deflateEnd(&z);
    return out;
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
    rn_ledger *l = srv_ledger(q);
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
         * hashing 8 KiB per request would cost more than serving it. The
         * gzip form is another representation, with its own ETag. */
        size_t zlen = 0;
        char *z = srv_accepts_gzip(srv_header(q, "Accept-Encoding")) ? gzip_of(data, len, &zlen)
                                                                       : NULL;
        char e0[35], etag[48];
        srv_etag((const char *)data, len, e0);
        snprintf(etag, sizeof etag, "%.33s%s\"", e0, z ? "-gz" : "");
        srv_add_header(q, "Vary", "Accept-Encoding, Authorization, Cookie");
        if (srv_not_modified(q, etag)) {
            rn_free(data);
            free(z);
            return;
        }
        if (z) {
            rn_free(data);
            srv_add_header(q, "Content-Encoding", "gzip");
            srv_reply_json(q, 200, z, zlen);
            q->ctype = "application/octet-stream";
            return;
        }
    }
    srv_reply_json(q, 200, (char *)data, len);
    q->ctype = "application/octet-stream";
}
