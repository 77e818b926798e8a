/* SPDX-License-Identifier: Apache-2.0
 *
 * stored.c — how a log entry is stored, as opposed to its canonical bytes
 * (docs/LEDGER.md, "Stored form and canonical form"). The canonical bytes
 * (the leaf data: what is hashed, proven, served, published and synced)
 * never change; the row that keeps them has two forms:
 *
 *   full     body = the canonical bytes; time and prev NULL. Format-1
 *            entries, and every entry a database held before schema 13 that
 *            migration did not compact.
 *   compact  body = x'' (no entry is empty); time = the entry's time in
 *            milliseconds since 1970 (UTC); prev = the previous entry's leaf
 *            hash (32 bytes) or NULL; disclosures = every disclosure, one
 *            a line. The canonical bytes are rebuilt: the digests are the
 *            SHA-256 of each disclosure, sorted; id, type, op and seq are
 *            the row's columns (rn__entry_format_v2, the writer's own
 *            function, formats them). Every format-2 entry the log writes
 *            since schema 13 (log.c).
 *
 * Invariants (verify.c V2 and tests/e2e/ledger_tamper.sh rely on them):
 *   S1. Every reader gets an entry's bytes through rn__ledger_entry_bytes
 *       (columns RN_ENTRY_COLS), never from `body` alone.
 *   S2. A compact row holds every disclosure of its entry (the log stores
 *       all of them; withheld digests exist only in sync packages, never
 *       in ledger_entry), so the bytes rebuilt from it are determined by
 *       its columns: a change of any stored byte — a column, a disclosure,
 *       the time, prev — changes the rebuilt bytes, so their SHA-256 no
 *       longer equals leaf_hash, which the tree, the tiles and the signed
 *       checkpoints fix. A row that cannot be rebuilt is RN_ETAMPER.
 *   S3. Migration 13 compacts an existing full row only when the bytes
 *       rebuilt from the compact form equal its body byte for byte; any
 *       other row stays full. The conversion loses nothing.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ledger/ledger_int.h"

/* ---- time ------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (the
 * civil-days algorithms, exact for every year 0..9999). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

#define RN_TIME_MS_MAX INT64_C(253402300799999) /* 9999-12-31T23:59:59.999Z */

int rn__ledger_time_text(int64_t ms, char out[25])
{
    if (ms < 0 || ms > RN_TIME_MS_MAX)
        return 0;
    int64_t days = ms / 86400000, rem = ms % 86400000, y;
    unsigned mo, d;
    civil_from_days(days, &y, &mo, &d);
    unsigned v[7] = {(unsigned)y, mo, d, (unsigned)(rem / 3600000),
                     (unsigned)(rem / 60000 % 60), (unsigned)(rem / 1000 % 60),
                     (unsigned)(rem % 1000)};
    /* YYYY-MM-DDTHH:MM:SS.mmmZ */
    char *p = out;
    *p++ = (char)('0' + v[0] / 1000);
    *p++ = (char)('0' + v[0] / 100 % 10);
    *p++ = (char)('0' + v[0] / 10 % 10);
    *p++ = (char)('0' + v[0] % 10);
    *p++ = '-';
    static const char sep[] = "--T::"; /* after month, day, hours, minutes */
    for (int i = 1; i < 6; i++) {
        *p++ = (char)('0' + v[i] / 10);
        *p++ = (char)('0' + v[i] % 10);
        if (i < 5)
            *p++ = sep[i];
    }
    *p++ = '.';
    *p++ = (char)('0' + v[6] / 100);
    *p++ = (char)('0' + v[6] / 10 % 10);
    *p++ = (char)('0' + v[6] % 10);
    *p++ = 'Z';
    *p = '\0';
    return 1;
}

/* The inverse, for migration: "YYYY-MM-DDTHH:MM:SS.mmmZ" -> ms; -1 when
 * the text is not exactly that form of a real instant. */
static int64_t time_ms(const char *t, size_t n)
{
    static const char form[] = "dddd-dd-ddTdd:dd:dd.dddZ";
    if (n != 24)
        return -1;
    for (size_t i = 0; i < 24; i++)
        if (form[i] == 'd' ? !(t[i] >= '0' && t[i] <= '9') : t[i] != form[i])
            return -1;
    int64_t y = 0;
    unsigned f[6] = {0};
    static const unsigned at[6] = {5, 8, 11, 14, 17, 20}, len[6] = {2, 2, 2, 2, 2, 3};
    for (int i = 0; i < 4; i++)
        y = y * 10 + (t[i] - '0');
    for (int k = 0; k < 6; k++)
        for (unsigned i = 0; i < len[k]; i++)
            f[k] = f[k] * 10 + (unsigned)(t[at[k] + i] - '0');
    if (f[0] < 1 || f[0] > 12 || f[1] < 1 || f[1] > 31 || f[2] > 23 || f[3] > 59 || f[4] > 59)
        return -1;
    int64_t ms = (days_from_civil(y, f[0], f[1]) * 86400 + f[2] * 3600 + f[3] * 60 + f[4]) *
                     1000 + f[5];
    char back[25];
    /* a day that does not exist (02-30) comes back as another: refused */
    if (!rn__ledger_time_text(ms, back) || memcmp(back, t, 24) != 0)
        return -1;
    return ms;
}

int64_t rn__ledger_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- rebuilding the canonical bytes ---------------------------------------- */

static int digest_cmp(const void *a, const void *b) { return memcmp(a, b, RN_HASH_LEN); }

/* The canonical bytes of a compact row from its parts (S2). */
static rn_code rebuild(uint64_t seq, const char *id, size_t idl, const char *type, size_t tl,
                       char op, const char *disc, size_t dl, int64_t ms, const uint8_t *prev,
                       char *buf, size_t cap, size_t *len)
{
    rn_hash d[RN_ENTRY_MAX_DIGESTS];
    size_t nd = 0;
    char tt[25];
    if (!rn__ledger_time_text(ms, tt))
        return RN_ETAMPER;
    for (size_t pos = 0; dl > 0;) {
        const char *nl = memchr(disc + pos, '\n', dl - pos);
        size_t end = nl ? (size_t)(nl - disc) : dl;
        if (nd == RN_ENTRY_MAX_DIGESTS)
            return RN_ETAMPER;
        rn__sha256(disc + pos, end - pos, d[nd++]);
        if (!nl)
            break;
        pos = end + 1;
    }
    /* few digests (one per field): insertion sort */
    for (size_t i = 1; i < nd; i++)
        for (size_t k = i; k > 0 && digest_cmp(d[k - 1], d[k]) > 0; k--) {
            rn_hash t;
            memcpy(t, d[k], RN_HASH_LEN);
            memcpy(d[k], d[k - 1], RN_HASH_LEN);
            memcpy(d[k - 1], t, RN_HASH_LEN);
        }
    *len = rn__entry_format_v2((const rn_hash *)d, nd, id, idl, op, prev, seq, tt, type, tl,
                               buf, cap);
    return *len ? RN_OK : RN_ETAMPER;
}

void rn__ledger_entry_row(sqlite3_stmt *st, int col, rn__entry_row *r)
{
    r->seq = sqlite3_column_int64(st, col);
    r->id = (const char *)sqlite3_column_text(st, col + 1);
    r->idl = (size_t)sqlite3_column_bytes(st, col + 1);
    r->type = (const char *)sqlite3_column_text(st, col + 2);
    r->tl = (size_t)sqlite3_column_bytes(st, col + 2);
    r->op = (const char *)sqlite3_column_text(st, col + 3);
    r->ol = (size_t)sqlite3_column_bytes(st, col + 3);
    r->body_null = sqlite3_column_type(st, col + 4) == SQLITE_NULL;
    r->body = sqlite3_column_blob(st, col + 4);
    r->bl = (size_t)sqlite3_column_bytes(st, col + 4);
    r->disc = sqlite3_column_blob(st, col + 5);
    r->dl = (size_t)sqlite3_column_bytes(st, col + 5);
    r->time_type = sqlite3_column_type(st, col + 6);
    r->ms = sqlite3_column_int64(st, col + 6);
    r->has_prev = sqlite3_column_type(st, col + 7) != SQLITE_NULL;
    r->prev = r->has_prev ? sqlite3_column_blob(st, col + 7) : NULL;
    r->prevl = (size_t)sqlite3_column_bytes(st, col + 7);
}

rn_code rn__ledger_entry_row_bytes(const rn__entry_row *r, char *buf, size_t cap,
                                   const char **bytes, size_t *len)
{
    *bytes = NULL;
    *len = 0;
    int has_time = r->time_type != SQLITE_NULL;
    if (r->bl > 0) { /* full */
        if (has_time || r->has_prev)
            return RN_ETAMPER;
        *bytes = r->body;
        *len = r->bl;
        return RN_OK;
    }
    if (r->body_null || !has_time || r->time_type != SQLITE_INTEGER)
        return RN_ETAMPER;
    if (r->seq < 0 || !r->id || !r->type || !r->op || r->ol != 1 ||
        (r->has_prev && (!r->prev || r->prevl != RN_HASH_LEN)))
        return RN_ETAMPER;
    rn_code rc = rebuild((uint64_t)r->seq, r->id, r->idl, r->type, r->tl, r->op[0],
                         r->disc ? r->disc : "", r->dl, r->ms, r->prev, buf, cap, len);
    if (rc == RN_OK)
        *bytes = buf;
    return rc;
}

rn_code rn__ledger_entry_bytes(sqlite3_stmt *st, int col, char *buf, size_t cap, const char **bytes,
                               size_t *len)
{
    rn__entry_row r;
    rn__ledger_entry_row(st, col, &r);
    return rn__ledger_entry_row_bytes(&r, buf, cap, bytes, len);
}

/* ---- migration 13: compacting the rows of an existing log ------------------ */

#define BATCH 512 /* the LIMIT below */

typedef struct pending {
    int64_t seq, ms;
    int has_prev;
    rn_hash prev;
} pending;

rn_code rn__ledger_compact(sqlite3 *db, rn_error *err)
{
    sqlite3_stmt *sel = NULL, *upd = NULL;
    pending *todo = NULL;
    char *buf = NULL;
    rn_code rc = RN_OK;
    /* The append-only trigger is set aside for this one rewrite (S3), in the
     * migration's transaction, and put back as it was. */
    if (sqlite3_exec(db, "DROP TRIGGER ledger_entry_no_update", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT " RN_ENTRY_COLS("") " FROM ledger_entry WHERE seq > ?1"
                               " AND length(body) > 0 ORDER BY seq LIMIT 512",
                           -1, &sel, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "UPDATE ledger_entry SET body = x'', time = ?2, prev = ?3"
                               " WHERE seq = ?1 AND time IS NULL", -1, &upd, NULL) != SQLITE_OK) {
        rc = rn__ledger_dberr(db, err, "compact the log");
        goto out;
    }
    todo = rn__calloc(BATCH, sizeof *todo);
    buf = rn__malloc(RN_ENTRY_V2_MAX);
    if (!todo || !buf) {
        rc = rn__err(err, RN_ENOMEM, "evidence log: out of memory");
        goto out;
    }
    int64_t after = -1;
    for (;;) {
        size_t n = 0, rows = 0;
        int r;
        sqlite3_bind_int64(sel, 1, after);
        while ((r = sqlite3_step(sel)) == SQLITE_ROW) {
            rows++;
            int64_t seq = sqlite3_column_int64(sel, 0);
            after = seq;
            const char *body = sqlite3_column_blob(sel, 4);
            size_t bl = (size_t)sqlite3_column_bytes(sel, 4);
            rn_entry e;
            if (rn__entry_parse(body, bl, &e) != RN_OK || e.version != 2)
                continue; /* format 1, or not an entry: stays as it is */
            int64_t ms = time_ms(e.time, e.time_len);
            const char *id = (const char *)sqlite3_column_text(sel, 1);
            const char *type = (const char *)sqlite3_column_text(sel, 2);
            const char *op = (const char *)sqlite3_column_text(sel, 3);
            const char *disc = sqlite3_column_blob(sel, 5);
            size_t len = 0;
            if (ms < 0 || !id || !type || !op || sqlite3_column_bytes(sel, 3) != 1 ||
                rebuild((uint64_t)seq, id, (size_t)sqlite3_column_bytes(sel, 1), type,
                        (size_t)sqlite3_column_bytes(sel, 2), op[0], disc ? disc : "",
                        (size_t)sqlite3_column_bytes(sel, 5), ms, e.has_prev ? e.prev : NULL,
                        buf, RN_ENTRY_V2_MAX, &len) != RN_OK ||
                len != bl || memcmp(buf, body, bl) != 0)
                continue; /* S3: not exactly rebuilt: stays full */
            pending *p = &todo[n++];
            p->seq = seq;
            p->ms = ms;
            p->has_prev = e.has_prev;
            memcpy(p->prev, e.prev, RN_HASH_LEN);
        }
        sqlite3_reset(sel);
        if (r != SQLITE_DONE) {
            rc = rn__ledger_dberr(db, err, "compact the log");
            goto out;
        }
        for (size_t i = 0; i < n; i++) {
            sqlite3_bind_int64(upd, 1, todo[i].seq);
            sqlite3_bind_int64(upd, 2, todo[i].ms);
            if (todo[i].has_prev)
                sqlite3_bind_blob(upd, 3, todo[i].prev, RN_HASH_LEN, SQLITE_STATIC);
            else
                sqlite3_bind_null(upd, 3);
            r = sqlite3_step(upd);
            sqlite3_reset(upd);
            if (r != SQLITE_DONE) {
                rc = rn__ledger_dberr(db, err, "compact the log");
                goto out;
            }
        }
        if (rows < BATCH)
            break;
    }
    if (sqlite3_exec(db, RN_LEDGER_NO_UPDATE_TRIGGER, NULL, NULL, NULL) != SQLITE_OK)
        rc = rn__ledger_dberr(db, err, "compact the log");
out:
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    free(todo);
    free(buf);
    return rc;
}
