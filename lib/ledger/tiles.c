/* SPDX-License-Identifier: Apache-2.0
 *
 * tiles.c — the Merkle tree's hashes stored as C2SP tlog-tiles
 * (https://c2sp.org/tlog-tiles, height 8) in the table ledger_tile
 * (lib/store/migrations/0008_tiles.sql), and proofs read from them.
 *
 * Tile (L, N) holds the hashes of the nodes at height 8L with indexes
 * N*256 .. N*256+W-1: at level 0 the leaf hashes; above, the root of each
 * full tile one level down. The levels of the tree between are not stored:
 * the node at height 8L+r (r < 8) is the root of 2^r consecutive hashes of
 * one level-L tile, hashed when read (as Go's golang.org/x/mod/sumdb/tlog
 * does). Any node of a tree of n leaves is therefore one row read and at
 * most 127 hashes, and an inclusion or consistency proof O(log n) rows.
 *
 * Invariants (verify.c V9 checks T1-T3; log.c keeps them):
 *   T1. Outside a write transaction the tiles are exactly those of the
 *       sealed tree of ledger_tree.size = s leaves: for each level L, the
 *       tiles 0 .. (s >> 8L >> 8) - 1 are full (256 hashes) and the
 *       rightmost has width (s >> 8L) & 255 (no row when that is 0).
 *   T2. Every hash in a tile is the hash the tree has at that place.
 *   T3. A tile row only grows; the hashes in it never change (trigger), so
 *       the first W hashes of a row are the partial tile of width W.
 *   T4. log.c writes tiles in the store's transaction: full tiles when
 *       they fill (rn__tiles_append), the rightmost partial ones at seal
 *       (rn__tiles_flush); a rollback takes them back with the entries.
 *
 * The pure part (tile state, path syntax) uses no SQLite; the rest reads
 * and writes the table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ledger/ledger_int.h"
#include "remnant/ledger.h"

/* ---- the pure part: a growing tree with its tiles -------------------------- */

unsigned rn__tiles_width(uint64_t size, unsigned level)
{
    if (level >= RN_TILE_LEVELS)
        return 0;
    return (unsigned)((size >> (RN_TILE_HEIGHT * level)) & (RN_TILE_WIDTH - 1));
}

/* Put the node hash that makes `count` nodes at height 8L into level L's
 * rightmost tile; emit the tile when it fills. */
static rn_code tile_push(rn_tiles *t, unsigned level, uint64_t count, const rn_hash h,
                         rn_tile_emit emit, void *ctx)
{
    unsigned w = (unsigned)((count - 1) & (RN_TILE_WIDTH - 1));
    memcpy(t->tile[level] + (size_t)w * RN_HASH_LEN, h, RN_HASH_LEN);
    if (w + 1 < RN_TILE_WIDTH) {
        t->dirty |= 1u << level;
        return RN_OK;
    }
    t->dirty &= ~(1u << level);
    return emit ? emit(ctx, level, (count - 1) >> RN_TILE_HEIGHT, t->tile[level],
                       RN_TILE_WIDTH)
                : RN_OK;
}

rn_code rn__tiles_append(rn_tiles *t, const rn_hash leaf, rn_tile_emit emit, void *ctx)
{
    rn_frontier *f = &t->f;
    if (f->size >= (UINT64_C(1) << 63))
        return RN_ELIMIT;
    uint64_t n = f->size + 1; /* the size after this leaf */
    rn_code rc = tile_push(t, 0, n, leaf, emit, ctx);
    if (rc != RN_OK)
        return rc;
    /* The frontier's carry (merkle.c): merging at height h makes the node
     * at height h+1 that this leaf completes; at heights 8L it goes into
     * level L's tile. */
    rn_hash carry;
    memcpy(carry, leaf, RN_HASH_LEN);
    unsigned h = 0;
    while (f->size & (UINT64_C(1) << h)) {
        rn__merkle_node_hash(f->node[h], carry, carry);
        h++;
        if (h % RN_TILE_HEIGHT == 0 && (rc = tile_push(t, h / RN_TILE_HEIGHT, n >> h, carry,
                                                      emit, ctx)) != RN_OK)
            return rc;
    }
    memcpy(f->node[h], carry, RN_HASH_LEN);
    f->size = n;
    return RN_OK;
}

rn_code rn__tiles_flush(rn_tiles *t, rn_tile_emit emit, void *ctx)
{
    for (unsigned l = 0; l < RN_TILE_LEVELS; l++) {
        if (!(t->dirty & (1u << l)))
            continue;
        unsigned w = rn__tiles_width(t->f.size, l);
        if (w > 0 && emit) {
            rn_code rc = emit(ctx, l, t->f.size >> (RN_TILE_HEIGHT * l) >> RN_TILE_HEIGHT,
                              t->tile[l], w);
            if (rc != RN_OK)
                return rc;
        }
        t->dirty &= ~(1u << l);
    }
    return RN_OK;
}

void rn__tiles_subtree(const uint8_t *hashes, unsigned count, rn_hash out)
{
    uint8_t buf[RN_TILE_BYTES / 2];
    if (count <= 1) {
        memcpy(out, hashes, RN_HASH_LEN);
        return;
    }
    /* First round from the input, the next ones in place. */
    unsigned n = count / 2;
    for (unsigned i = 0; i < n; i++)
        rn__merkle_node_hash(hashes + 2 * i * RN_HASH_LEN, hashes + (2 * i + 1) * RN_HASH_LEN,
                             buf + i * RN_HASH_LEN);
    while (n > 1) {
        n /= 2;
        for (unsigned i = 0; i < n; i++)
            rn__merkle_node_hash(buf + 2 * i * RN_HASH_LEN, buf + (2 * i + 1) * RN_HASH_LEN,
                                 buf + i * RN_HASH_LEN);
    }
    memcpy(out, buf, RN_HASH_LEN);
}

/* ---- the pure part: tile paths ---------------------------------------------- */

/* A decimal in [0, max] with no extra leading zero, the whole of s[0..len). */
static int parse_dec(const char *s, size_t len, unsigned max, unsigned *out)
{
    if (len == 0 || len > 3 || (len > 1 && s[0] == '0'))
        return 0;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > max)
        return 0;
    *out = v;
    return 1;
}

rn_code rn_ledger_tile_path_parse(const char *path, size_t len, rn_ledger_tile_ref *out)
{
    memset(out, 0, sizeof *out);
    if (!path || len < 5 || len > 128 || memcmp(path, "tile/", 5) != 0)
        return RN_EINPUT;
    const char *p = path + 5, *end = path + len;
    const char *slash = memchr(p, '/', (size_t)(end - p));
    if (!slash)
        return RN_EINPUT;
    if (slash - p == 7 && memcmp(p, "entries", 7) == 0) {
        out->entries = 1;
    } else if (!parse_dec(p, (size_t)(slash - p), 63, &out->level)) {
        return RN_EINPUT;
    }
    p = slash + 1;
    /* <N>: "x" + 3 digits per element but the last, which is 3 digits,
     * optionally followed by ".p/<W>". The first element is not x000 (one
     * path per tile). */
    uint64_t n = 0;
    size_t elems = 0;
    for (;;) {
        int x = p < end && *p == 'x';
        const char *d = p + x;
        if (end - d < 3)
            return RN_EINPUT;
        unsigned v = 0;
        for (int i = 0; i < 3; i++) {
            if (d[i] < '0' || d[i] > '9')
                return RN_EINPUT;
            v = v * 10 + (unsigned)(d[i] - '0');
        }
        if (elems == 0 && x && v == 0)
            return RN_EINPUT;
        if (n > (UINT64_MAX - v) / 1000)
            return RN_EINPUT;
        n = n * 1000 + v;
        elems++;
        p = d + 3;
        if (x) {
            if (p >= end || *p != '/')
                return RN_EINPUT;
            p++;
            continue;
        }
        break;
    }
    out->index = n;
    out->width = RN_LEDGER_TILE_WIDTH;
    if (p == end)
        return RN_OK;
    if (end - p < 4 || memcmp(p, ".p/", 3) != 0)
        return RN_EINPUT;
    p += 3;
    if (!parse_dec(p, (size_t)(end - p), RN_LEDGER_TILE_WIDTH - 1, &out->width) ||
        out->width == 0)
        return RN_EINPUT;
    return RN_OK;
}

size_t rn_ledger_tile_path_format(const rn_ledger_tile_ref *t, char *out, size_t cap)
{
    char num[64];
    size_t nl = 0;
    uint64_t groups[8];
    size_t ng = 0;
    uint64_t n = t->index;
    do {
        groups[ng++] = n % 1000;
        n /= 1000;
    } while (n && ng < 8);
    for (size_t i = ng; i-- > 0;) {
        int k = snprintf(num + nl, sizeof num - nl, "%s%03u%s", i ? "x" : "",
                         (unsigned)groups[i], i ? "/" : "");
        if (k < 0 || (size_t)k >= sizeof num - nl)
            return 0;
        nl += (size_t)k;
    }
    int k;
    if (t->width > 0 && t->width < RN_LEDGER_TILE_WIDTH)
        k = t->entries ? snprintf(out, cap, "tile/entries/%s.p/%u", num, t->width)
                       : snprintf(out, cap, "tile/%u/%s.p/%u", t->level, num, t->width);
    else
        k = t->entries ? snprintf(out, cap, "tile/entries/%s", num)
                       : snprintf(out, cap, "tile/%u/%s", t->level, num);
    if (k < 0 || (size_t)k >= cap)
        return 0;
    return (size_t)k;
}

/* ---- storage ------------------------------------------------------------------- */

rn_code rn__tile_writer_emit(void *ctx, unsigned level, uint64_t index, const uint8_t *hashes,
                             unsigned width)
{
    rn__tile_writer *tw = ctx;
    if (!tw->up &&
        sqlite3_prepare_v3(tw->db,
                           "INSERT INTO ledger_tile(level, idx, hashes) VALUES (?1, ?2, ?3)"
                           " ON CONFLICT(level, idx) DO UPDATE SET hashes = excluded.hashes"
                           " WHERE length(excluded.hashes) > length(hashes)",
                           -1, SQLITE_PREPARE_PERSISTENT, &tw->up, NULL) != SQLITE_OK)
        return RN_EDB;
    sqlite3_bind_int(tw->up, 1, (int)level);
    sqlite3_bind_int64(tw->up, 2, (sqlite3_int64)index);
    sqlite3_bind_blob(tw->up, 3, hashes, (int)(width * RN_HASH_LEN), SQLITE_STATIC);
    int r = sqlite3_step(tw->up);
    sqlite3_reset(tw->up);
    sqlite3_clear_bindings(tw->up);
    return r == SQLITE_DONE ? RN_OK : RN_EDB;
}

void rn__tile_writer_done(rn__tile_writer *tw)
{
    sqlite3_finalize(tw->up);
    tw->up = NULL;
}

/* Leaves covered by the level-0 tiles. */
static rn_code tiles_coverage(sqlite3 *db, uint64_t *out)
{
    sqlite3_stmt *st = NULL;
    *out = 0;
    if (sqlite3_prepare_v2(db, "SELECT idx, length(hashes) FROM ledger_tile WHERE level = 0"
                               " ORDER BY idx DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
        return RN_EDB;
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        *out = (uint64_t)sqlite3_column_int64(st, 0) * RN_TILE_WIDTH +
               (uint64_t)sqlite3_column_int64(st, 1) / RN_HASH_LEN;
    sqlite3_finalize(st);
    return r == SQLITE_ROW || r == SQLITE_DONE ? RN_OK : RN_EDB;
}

rn_code rn__tiles_build(sqlite3 *db, rn_tiles *out, rn_error *err)
{
    sqlite3_stmt *st = NULL;
    rn_tiles *t = out ? out : rn__calloc(1, sizeof *t);
    rn__tile_writer tw = {db, NULL};
    rn_code rc = RN_OK;
    uint64_t size = 0;
    rn_frontier sealed;
    if (!t)
        return rn__err(err, RN_ENOMEM, "out of memory");
    memset(t, 0, sizeof *t);
    if (sqlite3_prepare_v2(db, "SELECT size, frontier FROM ledger_tree WHERE id = 1", -1, &st,
                           NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        rc = rn__ledger_dberr(db, err, "read the tree state");
        goto out;
    }
    const void *fb = sqlite3_column_blob(st, 1);
    if (sqlite3_column_int64(st, 0) < 0 ||
        rn__frontier_load(&sealed, (uint64_t)sqlite3_column_int64(st, 0), fb ? fb : "",
                          (size_t)sqlite3_column_bytes(st, 1)) != RN_OK) {
        rc = rn__err(err, RN_ETAMPER, "evidence log: the tree state is corrupt");
        goto out;
    }
    size = sealed.size;
    rn_hash batch[256];
    for (uint64_t i = 0; i < size;) {
        uint64_t n = size - i < 256 ? size - i : 256;
        if ((rc = rn__ledger_leaf_source(db, i, n, batch)) != RN_OK) {
            rc = rn__err(err, rc, "evidence log: cannot read entries from %llu",
                         (unsigned long long)i);
            goto out;
        }
        for (uint64_t j = 0; j < n; j++)
            if ((rc = rn__tiles_append(t, batch[j], rn__tile_writer_emit, &tw)) != RN_OK) {
                rc = rn__ledger_dberr(db, err, "write tiles");
                goto out;
            }
        i += n;
    }
    if ((rc = rn__tiles_flush(t, rn__tile_writer_emit, &tw)) != RN_OK) {
        rc = rn__ledger_dberr(db, err, "write tiles");
        goto out;
    }
    uint8_t a[64 * RN_HASH_LEN], b[64 * RN_HASH_LEN];
    size_t al = rn__frontier_save(&t->f, a, sizeof a), bl = rn__frontier_save(&sealed, b, sizeof b);
    if (al != bl || memcmp(a, b, al) != 0)
        rc = rn__err(err, RN_ETAMPER, "evidence log: the sealed tree state is not the tree of"
                     " its %llu entries (run remnant verify)", (unsigned long long)size);
out:
    sqlite3_finalize(st);
    rn__tile_writer_done(&tw);
    if (!out)
        free(t);
    return rc;
}

rn_code rn__tiles_load(sqlite3 *db, const rn_frontier *f, rn_tiles *t, rn_error *err)
{
    uint64_t cov;
    if (tiles_coverage(db, &cov) != RN_OK)
        return rn__ledger_dberr(db, err, "read tiles");
    if (cov < f->size) /* T1 broken: a log from before its tiles; build them */
        return rn__tiles_build(db, t, err);
    if (cov > f->size)
        return rn__err(err, RN_ETAMPER, "evidence log: the tiles cover %llu entries but the"
                       " sealed tree %llu (run remnant verify)", (unsigned long long)cov,
                       (unsigned long long)f->size);
    memset(t, 0, sizeof *t);
    t->f = *f;
    sqlite3_stmt *st = NULL;
    rn_code rc = RN_OK;
    if (sqlite3_prepare_v2(db, "SELECT hashes FROM ledger_tile WHERE level = ?1 AND idx = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return rn__ledger_dberr(db, err, "read tiles");
    for (unsigned l = 0; l < RN_TILE_LEVELS; l++) {
        unsigned w = rn__tiles_width(f->size, l);
        if (w == 0)
            continue;
        uint64_t idx = f->size >> (RN_TILE_HEIGHT * l) >> RN_TILE_HEIGHT;
        sqlite3_bind_int(st, 1, (int)l);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)idx);
        if (sqlite3_step(st) != SQLITE_ROW ||
            sqlite3_column_bytes(st, 0) != (int)(w * RN_HASH_LEN)) {
            rc = rn__err(err, RN_ETAMPER, "evidence log: tile %u/%llu is missing or has the"
                         " wrong width (run remnant verify)", l, (unsigned long long)idx);
            break;
        }
        memcpy(t->tile[l], sqlite3_column_blob(st, 0), (size_t)w * RN_HASH_LEN);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---- reading nodes for proofs ----------------------------------------------- */

rn_code rn__tile_reader_open(sqlite3 *db, rn__tile_reader **out)
{
    rn__tile_reader *r = rn__calloc(1, sizeof *r);
    *out = NULL;
    if (!r)
        return RN_ENOMEM;
    r->db = db;
    if (sqlite3_prepare_v2(db, "SELECT hashes FROM ledger_tile WHERE level = ?1 AND idx = ?2",
                           -1, &r->st, NULL) != SQLITE_OK) {
        /* A database from before the tiles (read-only, not migrated): every
         * node comes from the leaves. */
        r->st = NULL;
    }
    *out = r;
    return RN_OK;
}

void rn__tile_reader_close(rn__tile_reader *r)
{
    if (!r)
        return;
    sqlite3_finalize(r->st);
    free(r);
}

rn_code rn__tile_read(rn__tile_reader *r, unsigned level, uint64_t idx, unsigned need,
                      const uint8_t **hashes, unsigned *width)
{
    *hashes = NULL;
    *width = 0;
    if (level >= RN_TILE_LEVELS || need > RN_TILE_WIDTH)
        return RN_ENOTFOUND;
    struct rn__tile_slot *s = &r->slot[level];
    if (!(s->have && s->idx == idx && s->width >= need)) {
        s->have = 0;
        if (!r->st)
            return RN_ENOTFOUND;
        sqlite3_bind_int(r->st, 1, (int)level);
        sqlite3_bind_int64(r->st, 2, (sqlite3_int64)idx);
        int rs = sqlite3_step(r->st);
        rn_code rc = RN_OK;
        if (rs == SQLITE_ROW) {
            int n = sqlite3_column_bytes(r->st, 0);
            if (n <= 0 || n > RN_TILE_BYTES || n % RN_HASH_LEN != 0) {
                rc = RN_ETAMPER;
            } else {
                memcpy(s->h, sqlite3_column_blob(r->st, 0), (size_t)n);
                s->have = 1;
                s->idx = idx;
                s->width = (unsigned)n / RN_HASH_LEN;
                r->tiles_read++;
            }
        } else {
            rc = rs == SQLITE_DONE ? RN_ENOTFOUND : RN_EDB;
        }
        sqlite3_reset(r->st);
        if (rc != RN_OK)
            return rc;
        if (s->width < need)
            return RN_ENOTFOUND;
    }
    *hashes = s->h;
    *width = s->width;
    return RN_OK;
}

rn_code rn__tile_node(void *ctx, unsigned level, uint64_t index, rn_hash out)
{
    rn__tile_reader *r = ctx;
    unsigned tl = level / RN_TILE_HEIGHT, rest = level % RN_TILE_HEIGHT;
    uint64_t first = index << rest; /* at height 8*tl */
    unsigned off = (unsigned)(first & (RN_TILE_WIDTH - 1)), count = 1u << rest;
    const uint8_t *h;
    unsigned w;
    rn_code rc = rn__tile_read(r, tl, first >> RN_TILE_HEIGHT, off + count, &h, &w);
    if (rc == RN_OK) {
        r->hashes_read += count;
        rn__tiles_subtree(h + (size_t)off * RN_HASH_LEN, count, out);
        return RN_OK;
    }
    if (rc != RN_ENOTFOUND)
        return rc;
    /* No tile (a database not yet given its tiles): from the leaves. */
    r->fallbacks++;
    return rn__merkle_range_root(rn__ledger_leaf_source, r->db, index << level,
                                 (index + 1) << level, out);
}

rn_code rn__ledger_tree_root(sqlite3 *db, uint64_t size, rn_hash out)
{
    rn__tile_reader *r;
    rn_code rc = rn__tile_reader_open(db, &r);
    if (rc != RN_OK)
        return rc;
    rc = rn__merkle_nodes_range_root(rn__tile_node, r, 0, size, out);
    rn__tile_reader_close(r);
    return rc;
}

/* ---- serving tiles ------------------------------------------------------------ */

rn_code rn_ledger_tile(rn_ledger *l, unsigned level, uint64_t index, unsigned width,
                       uint8_t **data, size_t *len, rn_error *err)
{
    *data = NULL;
    *len = 0;
    if (level >= RN_TILE_LEVELS || width == 0 || width > RN_TILE_WIDTH ||
        index > (UINT64_MAX >> RN_TILE_HEIGHT) || index > INT64_MAX)
        return rn__err(err, RN_ENOTFOUND, "no tile %u/%llu of width %u", level,
                       (unsigned long long)index, width);
    /* T1: the stored tiles are those of the sealed tree, written in the same
     * transaction as it, so a row of at least `width` hashes is a tile of the
     * sealed tree. One prepared statement, one row: this is what a tlog
     * client fetches most. */
    if (!l->tile_st &&
        sqlite3_prepare_v3(l->db, "SELECT hashes FROM ledger_tile WHERE level = ?1 AND idx = ?2",
                           -1, SQLITE_PREPARE_PERSISTENT, &l->tile_st, NULL) != SQLITE_OK) {
        l->tile_st = NULL;
        return rn__ledger_dberr(l->db, err, "read tiles");
    }
    sqlite3_stmt *st = l->tile_st;
    sqlite3_bind_int(st, 1, (int)level);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)index);
    rn_code rc = RN_OK;
    int r = sqlite3_step(st);
    size_t want = (size_t)width * RN_HASH_LEN;
    if (r == SQLITE_ROW && (size_t)sqlite3_column_bytes(st, 0) >= want &&
        sqlite3_column_bytes(st, 0) <= RN_TILE_BYTES) {
        if (!(*data = rn__malloc(want)))
            rc = rn__err(err, RN_ENOMEM, "out of memory");
        else {
            memcpy(*data, sqlite3_column_blob(st, 0), want);
            *len = want;
        }
    } else if (r == SQLITE_ROW || r == SQLITE_DONE) {
        rc = rn__err(err, RN_ENOTFOUND, "no tile %u/%llu of width %u in the tree", level,
                     (unsigned long long)index, width);
    } else {
        rc = rn__ledger_dberr(l->db, err, "read tiles");
    }
    sqlite3_reset(st);
    return rc;
}
