/* SPDX-License-Identifier: Apache-2.0
 *
 * publish.c — the log in the ecosystem's formats, for others to fetch:
 * entry bundles (c2sp.org/tlog-tiles), their public form, the whole log as
 * a static tree of files (`remnant log publish DIR`), and C2SP tlog-proof
 * files (`remnant proof ID -o FILE`). Hash tiles come from tiles.c.
 *
 * What the public sees of an entry (docs/LEDGER.md "Tiles"; the one rule is
 * the public view's, include/remnant/public.h):
 *   P1. the latest entry of a record in the public view, in format 2, is
 *       shown: its canonical bytes, then "\n" and the disclosures of the
 *       fields the view shows exactly as logged (those a public bundle and
 *       /api/v1/log/proof carry), one per line;
 *   P2. every other entry (a record not public, an older entry of a public
 *       record, format 1, which holds the whole record) is its 32-byte leaf
 *       hash only: the tree stays verifiable, the entry is not revealed.
 *   P3. hash tiles are the same for everyone.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/ledger_int.h"
#include "remnant/ledger.h"
#include "remnant/public.h"

#define ITEM_MAX 65535u /* an entry bundle's items are uint16 length-prefixed */

/* ---- entry bundles ------------------------------------------------------------ */

static rn_code add_item(rn_buf *b, const void *p, size_t n)
{
    uint8_t len[2] = {(uint8_t)(n >> 8), (uint8_t)n};
    rn_code rc = rn__buf_add(b, (const char *)len, 2);
    return rc ? rc : rn__buf_add(b, p, n);
}

/* P1: is entry `seq` of record `id` the record's latest? */
static int is_latest(sqlite3_stmt *lt, const char *id, uint64_t seq)
{
    sqlite3_bind_text(lt, 1, id, -1, SQLITE_TRANSIENT);
    int latest = sqlite3_step(lt) == SQLITE_ROW &&
                 (uint64_t)sqlite3_column_int64(lt, 0) == seq;
    sqlite3_reset(lt);
    return latest;
}

rn_code rn_ledger_entry_bundle(rn_ledger *l, rn_store *s, const rn_public *view, uint64_t index,
                               unsigned width, uint8_t **data, size_t *len, rn_error *err)
{
    sqlite3_stmt *st = NULL, *lt = NULL;
    char ebuf[RN_ENTRY_V2_MAX]; /* a compact entry's bytes (stored.c) */
    rn_buf b;
    rn__buf_init(&b, (size_t)RN_TILE_WIDTH * (ITEM_MAX + 2));
    *data = NULL;
    *len = 0;
    uint64_t size;
    rn_code rc = rn_ledger_size(l, &size, err);
    if (rc != RN_OK)
        return rc;
    if (width == 0 || width > RN_TILE_WIDTH || index > (size >> RN_TILE_HEIGHT) ||
        index * RN_TILE_WIDTH + width > size)
        return rn__err(err, RN_ENOTFOUND, "no entry bundle %llu of width %u in the log of %llu"
                       " entries", (unsigned long long)index, width,
                       (unsigned long long)size);
    uint64_t lo = index * RN_TILE_WIDTH, hi = lo + width;
    if (sqlite3_prepare_v2(l->db, "SELECT " RN_ENTRY_COLS("") ", leaf_hash FROM ledger_entry"
                           " WHERE seq >= ?1 AND seq < ?2 ORDER BY seq", -1, &st,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(l->db, "SELECT max(seq) FROM ledger_entry WHERE record_id = ?1", -1,
                           &lt, NULL) != SQLITE_OK) {
        rc = rn__ledger_dberr(l->db, err, "read entries");
        goto out;
    }
    sqlite3_bind_int64(st, 1, (sqlite3_int64)lo);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)hi);
    uint64_t expect = lo;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t seq = (uint64_t)sqlite3_column_int64(st, 0);
        const char *rid = (const char *)sqlite3_column_text(st, 1);
        const char *body = NULL;
        size_t blen = 0;
        const void *leaf = sqlite3_column_blob(st, RN_ENTRY_NCOLS);
        if (seq != expect || !rid ||
            rn__ledger_entry_bytes(st, 0, ebuf, sizeof ebuf, &body, &blen) != RN_OK ||
            sqlite3_column_bytes(st, RN_ENTRY_NCOLS) != RN_HASH_LEN) {
            rc = rn__err(err, RN_ETAMPER, "entry %llu is missing or damaged (run remnant"
                         " verify)", (unsigned long long)expect);
            goto out;
        }
        expect++;
        if (!view) {
            if (blen > ITEM_MAX) {
                rc = rn__err(err, RN_ELIMIT, "entry %llu is %zu bytes, more than an entry"
                             " bundle holds (65535)", (unsigned long long)seq, blen);
                goto out;
            }
            if ((rc = add_item(&b, body, blen)) != RN_OK)
                goto nomem;
            continue;
        }
        /* P1 / P2 */
        char *disc = NULL;
        size_t dlen = 0, nd = 0;
        int shown = rn_public_has(view, rid) && blen <= ITEM_MAX && is_latest(lt, rid, seq);
        if (shown) {
            rn_error e2;
            rn_code dr = rn_ledger_disclosures(l, s, view, rid, seq, &disc, &dlen, &nd, &e2);
            if (dr == RN_ECONSTRAINT) { /* format 1: the whole record is in it */
                shown = 0;
            } else if (dr != RN_OK) {
                rc = rn__err(err, dr, "%s", e2.message);
                goto out;
            }
        }
        if (!shown) {
            rc = add_item(&b, leaf, RN_HASH_LEN);
        } else if (dlen == 0 || blen + 1 + dlen > ITEM_MAX) {
            rc = add_item(&b, body, blen); /* too large: the bytes without disclosures */
        } else {
            uint8_t hdr[2] = {(uint8_t)((blen + 1 + dlen) >> 8), (uint8_t)(blen + 1 + dlen)};
            rc = rn__buf_add(&b, (const char *)hdr, 2);
            if (!rc)
                rc = rn__buf_add(&b, body, blen);
            if (!rc)
                rc = rn__buf_addc(&b, '\n');
            if (!rc)
                rc = rn__buf_add(&b, disc, dlen);
        }
        rn_free(disc);
        if (rc)
            goto nomem;
    }
    if (r != SQLITE_DONE || expect != hi) {
        rc = rn__err(err, r != SQLITE_DONE ? RN_EDB : RN_ETAMPER, "cannot read entries %llu to"
                     " %llu", (unsigned long long)lo, (unsigned long long)hi);
        goto out;
    }
    *data = (uint8_t *)b.data;
    *len = b.len;
    b.data = NULL;
    if (!*data && (*data = rn__malloc(1)) == NULL)
        rc = rn__err(err, RN_ENOMEM, "out of memory");
    goto out;
nomem:
    rc = rn__err(err, rc, "entry bundle %llu: out of memory", (unsigned long long)index);
out:
    sqlite3_finalize(st);
    sqlite3_finalize(lt);
    rn__buf_free(&b);
    return rc;
}

/* ---- the static tree ----------------------------------------------------------- */

/* mkdir -p of the folders of dir/rel (not of its last component). */
static rn_code make_parents(const char *path, rn_error *err)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof buf)
        return rn__err(err, RN_ELIMIT, "%s: path too long", path);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i < n; i++) {
        if (buf[i] != '/')
            continue;
        buf[i] = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return rn__err(err, RN_EIO, "%s: %s", buf, strerror(errno));
        buf[i] = '/';
    }
    return RN_OK;
}

/* Write dir/rel atomically (temporary file, fsync, rename). */
static rn_code write_file(const char *dir, const char *rel, const void *data, size_t len,
                          rn_error *err)
{
    char path[4096], tmp[4200];
    int n = snprintf(path, sizeof path, "%s/%s", dir, rel);
    if (n < 0 || (size_t)n >= sizeof path)
        return rn__err(err, RN_ELIMIT, "%s/%s: path too long", dir, rel);
    rn_code rc = make_parents(path, err);
    if (rc != RN_OK)
        return rc;
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return rn__err(err, RN_EIO, "%s: %s", tmp, strerror(errno));
    const uint8_t *p = data;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, p + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = rn__err(err, RN_EIO, "%s: %s", tmp, strerror(errno));
            break;
        }
        off += (size_t)w;
    }
    if (rc == RN_OK && fsync(fd) != 0)
        rc = rn__err(err, RN_EIO, "%s: %s", tmp, strerror(errno));
    if (close(fd) != 0 && rc == RN_OK)
        rc = rn__err(err, RN_EIO, "%s: %s", tmp, strerror(errno));
    if (rc == RN_OK && rename(tmp, path) != 0)
        rc = rn__err(err, RN_EIO, "%s: %s", path, strerror(errno));
    if (rc != RN_OK)
        unlink(tmp);
    return rc;
}

/* 1 if dir/rel is a regular file of exactly len bytes (a full tile written
 * before: full tiles never change). */
static int have_file(const char *dir, const char *rel, size_t len)
{
    char path[4096];
    struct stat sb;
    int n = snprintf(path, sizeof path, "%s/%s", dir, rel);
    return n > 0 && (size_t)n < sizeof path && stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
           (size_t)sb.st_size == len;
}

rn_code rn_ledger_publish(rn_ledger *l, rn_store *s, const char *dir, double grid,
                          rn_ledger_publish_stats *stats, rn_error *err)
{
    rn_public *view = NULL;
    char *note = NULL;
    size_t note_len = 0;
    uint64_t size = 0;
    rn_ledger_publish_stats st0;
    rn_ledger_publish_stats *st = stats ? stats : &st0;
    memset(st, 0, sizeof *st);
    rn_code rc = rn__ledger_latest(l, &size, err);
    if (rc == RN_OK)
        rc = rn_ledger_checkpoint(l, size, &note, &note_len, err);
    if (rc != RN_OK)
        return rc;
    rn_public_opts o = {grid, NULL};
    if ((rc = rn_public_open(s, &o, &view, err)) != RN_OK)
        goto out;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        rc = rn__err(err, RN_EIO, "%s: %s", dir, strerror(errno));
        goto out;
    }
    st->size = size;
    char rel[160];
    /* Hash tiles of the tree at the checkpoint's size. */
    for (unsigned lv = 0; lv < RN_TILE_LEVELS; lv++) {
        uint64_t nodes = size >> (RN_TILE_HEIGHT * lv);
        if (nodes == 0)
            break;
        for (uint64_t idx = 0; idx * RN_TILE_WIDTH < nodes; idx++) {
            uint64_t left = nodes - idx * RN_TILE_WIDTH;
            unsigned w = left >= RN_TILE_WIDTH ? RN_TILE_WIDTH : (unsigned)left;
            rn_ledger_tile_ref t = {0, lv, idx, w};
            if (!rn_ledger_tile_path_format(&t, rel, sizeof rel)) {
                rc = rn__err(err, RN_ELIMIT, "tile path too long");
                goto out;
            }
            if (w == RN_TILE_WIDTH && have_file(dir, rel, RN_TILE_BYTES))
                continue;
            uint8_t *data = NULL;
            size_t len = 0;
            if ((rc = rn_ledger_tile(l, lv, idx, w, &data, &len, err)) != RN_OK)
                goto out;
            rc = write_file(dir, rel, data, len, err);
            rn_free(data);
            if (rc != RN_OK)
                goto out;
            st->tiles++;
        }
    }
    /* Public entry bundles: rewritten every time, the public view moves. */
    for (uint64_t idx = 0; idx * RN_TILE_WIDTH < size; idx++) {
        uint64_t left = size - idx * RN_TILE_WIDTH;
        unsigned w = left >= RN_TILE_WIDTH ? RN_TILE_WIDTH : (unsigned)left;
        rn_ledger_tile_ref t = {1, 0, idx, w};
        if (!rn_ledger_tile_path_format(&t, rel, sizeof rel)) {
            rc = rn__err(err, RN_ELIMIT, "tile path too long");
            goto out;
        }
        uint8_t *data = NULL;
        size_t len = 0;
        if ((rc = rn_ledger_entry_bundle(l, s, view, idx, w, &data, &len, err)) != RN_OK)
            goto out;
        for (size_t k = 0; k + 2 <= len;) {
            size_t il = ((size_t)data[k] << 8) | data[k + 1];
            if (il != RN_HASH_LEN)
                st->public_entries++;
            k += 2 + il;
        }
        rc = write_file(dir, rel, data, len, err);
        rn_free(data);
        if (rc != RN_OK)
            goto out;
        st->bundles++;
    }
    /* Last, so that a mirror never names tiles it does not have yet. */
    rc = write_file(dir, "checkpoint", note, note_len, err);
out:
    rn_public_free(view);
    rn_free(note);
    return rc;
}

/* ---- tlog-proof files ------------------------------------------------------------ */

rn_code rn_ledger_proof_file(rn_ledger *l, const char *id, char **out, size_t *len,
                             rn_error *err)
{
    rn_ledger_proof *p = rn__calloc(1, sizeof *p);
    char *entry = NULL, *note = NULL, *b64 = NULL;
    size_t elen = 0, nlen = 0;
    rn_buf b;
    rn__buf_init(&b, RN_ENTRY_MAX * 2);
    *out = NULL;
    *len = 0;
    if (!p)
        return rn__err(err, RN_ENOMEM, "out of memory");
    rn_code rc = rn_ledger_inclusion(l, id, 0, p, &entry, &elen, err);
    if (rc == RN_OK)
        rc = rn_ledger_checkpoint(l, p->size, &note, &nlen, err);
    if (rc != RN_OK)
        goto out;
    size_t cap = 4 * (elen / 3 + 1) + 1;
    if (!(b64 = rn__malloc(cap))) {
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    rn__b64_encode((const uint8_t *)entry, elen, b64, cap);
    rc = rn__buf_printf(&b, "c2sp.org/tlog-proof@v1\nextra %s\nindex %llu\n", b64,
                        (unsigned long long)p->index);
    for (size_t i = 0; i < p->n && rc == RN_OK; i++) {
        char h[48];
        rn__b64_encode(p->hash[i], RN_HASH_LEN, h, sizeof h);
        rc = rn__buf_printf(&b, "%s\n", h);
    }
    if (rc == RN_OK)
        rc = rn__buf_addc(&b, '\n');
    if (rc == RN_OK)
        rc = rn__buf_add(&b, note, nlen);
    if (rc == RN_OK)
        rc = rn__buf_cstr(&b);
    if (rc != RN_OK) {
        rc = rn__err(err, rc, "the proof of %s is too large", id);
        goto out;
    }
    *out = b.data;
    *len = b.len;
    b.data = NULL;
out:
    rn__buf_free(&b);
    free(b64);
    rn_free(entry);
    rn_free(note);
    free(p);
    return rc;
}
