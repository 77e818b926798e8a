/* SPDX-License-Identifier: Apache-2.0
 *
 * export.c — a sync package for a peer (docs/SYNC.md): this log's entries
 * from what the peer was last sent (or a checkpoint given) to the latest
 * signed checkpoint, each with its disclosures and, for a change that came
 * from another log, its provenance ("via"); the frontier of the tree at the
 * start and the consistency proof from there (both from the stored tiles:
 * O(log n) hash reads, no pass over the leaves); every blob an attachment
 * among the entries names, except those the receiver says it holds
 * (opts->lacks).
 *
 * After the package is written the peer's state moves on (E1, E2), in one
 * transaction with the reads, so two exports never disagree on the range:
 *  E1. sync_peer.sent_size = the package's size: the next package starts
 *      there.
 *  E2. sync_record(peer, id) = the latest entry of each record the package
 *      carries: a change the peer sends back of that record applies here
 *      only if the record has not changed here since (import.c S9).
 *  E3. A package by file leaves out the files the peer is known to hold
 *      (held_by_peer) and names them (`file SHA LEN`); opts->all_files
 *      carries every file. A pull over HTTP (opts->list_files) carries none
 *      and names every one: the puller fetches those it lacks, resumably.
 */
#define _GNU_SOURCE /* fopencookie: the hashing stream */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ledger/ledger_int.h"
#include "store/store_int.h"
#include "sync/sync_int.h"

/* Everything before the seal goes through a stream that hashes it. stdio
 * hands it blocks of a MiB (setvbuf below); a helper thread hashes and
 * writes each block while the next one is made (the hash and the write
 * were a fifth of a large export's time), in order, into the file `to`. */
#define HASH_BLOCK ((size_t)1 << 20)

typedef struct hashing {
    FILE *to;
    rn__sha256_ctx h;
    rn__helper th; /* th.running: blocks go through buf[] */
    char *buf[2];
    size_t cap[2], len[2];
    int full[2]; /* buf[i] waits for the helper */
    int next;    /* the block the writer fills next */
    int done;    /* no more blocks: the helper ends */
    int failed;  /* a write failed (errno in werr): every later block too */
    int werr;
} hashing;

/* Hash and write one block; 0, or -1 with errno set. */
static int hashing_put(hashing *x, const char *buf, size_t n)
{
    rn__sha256_update(&x->h, buf, n);
    return fwrite(buf, 1, n, x->to) == n ? 0 : -1;
}

static void *hashing_run(void *arg)
{
    hashing *x = arg;
    for (int k = 0;; k ^= 1) {
        pthread_mutex_lock(&x->th.mu);
        while (!x->full[k] && !x->done)
            pthread_cond_wait(&x->th.cv, &x->th.mu);
        int have = x->full[k], failed = x->failed;
        pthread_mutex_unlock(&x->th.mu);
        if (!have)
            return NULL;
        int bad = !failed && hashing_put(x, x->buf[k], x->len[k]) != 0;
        int e = errno;
        pthread_mutex_lock(&x->th.mu);
        if (bad) {
            x->failed = 1;
            x->werr = e ? e : EIO;
        }
        x->full[k] = 0;
        pthread_cond_broadcast(&x->th.cv);
        pthread_mutex_unlock(&x->th.mu);
    }
}

static ssize_t hw(void *c, const char *buf, size_t n)
{
    hashing *x = c;
    if (!x->th.running)
        return hashing_put(x, buf, n) == 0 ? (ssize_t)n : -1;
    int k = x->next;
    pthread_mutex_lock(&x->th.mu);
    while (x->full[k])
        pthread_cond_wait(&x->th.cv, &x->th.mu);
    int failed = x->failed, e = x->werr;
    pthread_mutex_unlock(&x->th.mu);
    if (failed) {
        errno = e;
        return -1;
    }
    if (n > x->cap[k]) {
        char *b = realloc(x->buf[k], n);
        if (!b) {
            errno = ENOMEM;
            return -1;
        }
        x->buf[k] = b;
        x->cap[k] = n;
    }
    memcpy(x->buf[k], buf, n);
    x->len[k] = n;
    pthread_mutex_lock(&x->th.mu);
    x->full[k] = 1;
    pthread_cond_broadcast(&x->th.cv);
    pthread_mutex_unlock(&x->th.mu);
    x->next = k ^ 1;
    return (ssize_t)n;
}

/* Start the helper; without one, hw hashes and writes each block itself. */
static void hashing_start(hashing *x, FILE *to)
{
    memset(x, 0, sizeof *x);
    x->to = to;
    rn__sha256_init(&x->h);
    (void)rn__helper_start(&x->th, hashing_run, x);
}

/* After the stream's last block: wait for the helper to hash and write
 * every block and end it. 0, or -1 with errno set when a write failed.
 * Safe to call again (and on a hashing never started: it is zeroed). */
static int hashing_end(hashing *x)
{
    rn__helper_stop(&x->th, &x->done);
    free(x->buf[0]);
    free(x->buf[1]);
    x->buf[0] = x->buf[1] = NULL;
    x->cap[0] = x->cap[1] = 0;
    if (x->failed) {
        errno = x->werr;
        return -1;
    }
    return 0;
}

/* The seal: "remnant-sync seal v1\nORIGIN\nSHA256HEX\n", signed by this
 * log's key, over every byte of the package before it. */
static rn_code write_seal(rn_store *s, const char *own, const uint8_t digest[32], FILE *out,
                          rn_error *err)
{
    rn_skey k;
    char note[1024], hx[65];
    size_t len;
    rn__hex_encode(digest, 32, hx);
    int n = snprintf(note, sizeof note, "remnant-sync seal v1\n%s\n%s\n", own, hx);
    if (n < 0 || (size_t)n + 300 > sizeof note)
        return rn__err(err, RN_ELIMIT, "origin too long");
    size_t tl = (size_t)n;
    note[tl] = '\n';
    len = tl + 1;
    rn_code rc = rn__ledger_key_load(s->path, &k, err);
    if (rc == RN_ENOTFOUND)
        return rn__err(err, RN_ECRYPTO, "this instance has no key to seal the package with "
                       "(`remnant key create`)");
    if (rc)
        return rc;
    rc = rn__note_sign_line(&k, note, tl, note, sizeof note, &len);
    sodium_memzero(&k, sizeof k);
    if (rc)
        return rn__err(err, rc, "sealing the package");
    if (fprintf(out, "seal %zu\n", len) < 0 || fwrite(note, 1, len, out) != len ||
        fputs("\nend\n", out) == EOF || fflush(out) != 0)
        return rn__err(err, RN_EIO, "writing the package: %s", strerror(errno));
    return RN_OK;
}

typedef struct shas {
    char (*v)[65];
    size_t n, cap;
} shas;

static int cmp_sha(const void *a, const void *b) { return memcmp(a, b, 64); }

static rn_code sha_add(shas *s, const char *hex)
{
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 32;
        char(*nv)[65] = realloc(s->v, nc * sizeof *nv);
        if (!nv)
            return RN_ENOMEM;
        s->v = nv;
        s->cap = nc;
    }
    memcpy(s->v[s->n], hex, 64);
    s->v[s->n][64] = '\0';
    s->n++;
    return RN_OK;
}

/* The "sha256" disclosure of an attachment's entry, if any. */
static rn_code blob_of(const char *disc, size_t dlen, shas *out)
{
    size_t pos = 0;
    while (pos < dlen) {
        const char *nl = memchr(disc + pos, '\n', dlen - pos);
        size_t end = nl ? (size_t)(nl - disc) : dlen;
        rn_disclosure d;
        if (rn__disclosure_parse(disc + pos, end - pos, &d) == RN_OK &&
            d.name_len == 6 && memcmp(d.name, "sha256", 6) == 0 && d.value_len == 66 &&
            d.value[0] == '"')
            return sha_add(out, d.value + 1);
        pos = end + 1;
    }
    return RN_OK;
}

/* A section header "WORD N1 N2...\n" (n numbers) without printf's
 * machinery: two of them per entry of the package. 0, or -1 on a write
 * error. */
static int put_header(FILE *out, const char *word, const uint64_t *v, size_t n)
{
    char line[128];
    size_t p = strlen(word);
    memcpy(line, word, p);
    for (size_t i = 0; i < n; i++) {
        line[p++] = ' ';
        p += rn__u64_digits(v[i], line + p);
    }
    line[p++] = '\n';
    return fwrite(line, 1, p, out) == p ? 0 : -1;
}

static rn_code put_hashes(FILE *out, const uint8_t *h, size_t n)
{
    char hex[65];
    for (size_t i = 0; i < n; i++) {
        rn__hex_encode(h + i * RN_HASH_LEN, RN_HASH_LEN, hex);
        if (fprintf(out, "%s\n", hex) < 0)
            return RN_EIO;
    }
    return RN_OK;
}

static rn_code copy_blob(rn_store *s, const char *sha, FILE *out, rn_error *err)
{
    char path[4400];
    if (rn_store_blob_path(s, sha, path, sizeof path) != RN_OK)
        return rn__err(err, RN_ELIMIT, "blob path too long");
    FILE *in = fopen(path, "rb");
    if (!in)
        return rn__err(err, RN_ENOTFOUND,
                       "blob %s, which an attachment in the package names, is missing here "
                       "(`remnant verify` reports it)", sha);
    struct stat st;
    rn_code rc = RN_OK;
    if (fstat(fileno(in), &st) != 0 || (uint64_t)st.st_size > RN_SYNC_BLOB_MAX) {
        rc = rn__err(err, RN_EIO, "cannot read blob %s", sha);
        goto out;
    }
    if (fprintf(out, "blob %s %lld\n", sha, (long long)st.st_size) < 0)
        goto wfail;
    char buf[1 << 16];
    uint64_t total = 0;
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        total += n;
        if (fwrite(buf, 1, n, out) != n)
            goto wfail;
    }
    if (ferror(in) || total != (uint64_t)st.st_size) {
        rc = rn__err(err, RN_EIO, "blob %s changed size while read", sha);
        goto out;
    }
    if (fputc('\n', out) == EOF)
        goto wfail;
    goto out;
wfail:
    rc = rn__err(err, RN_EIO, "writing the package: %s", strerror(errno));
out:
    fclose(in);
    return rc;
}

/* A file named, not carried (K5): `file SHA LEN`, its size from here. */
static rn_code name_blob(rn_store *s, const char *sha, FILE *out, rn_error *err)
{
    char path[4400];
    struct stat st;
    if (rn_store_blob_path(s, sha, path, sizeof path) != RN_OK)
        return rn__err(err, RN_ELIMIT, "blob path too long");
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return rn__err(err, RN_ENOTFOUND,
                       "blob %s, which an attachment in the package names, is missing here "
                       "(`remnant verify` reports it)", sha);
    if (fprintf(out, "file %s %lld\n", sha, (long long)st.st_size) < 0)
        return rn__err(err, RN_EIO, "writing the package: %s", strerror(errno));
    return RN_OK;
}

/* E3: the files the peer is known to hold, left out of a package by file:
 * named by an attachment logged here before the size the peer acknowledged
 * (sync_peer.acked_size; a file's SHA-256 never changes), or by an
 * attachment whose change came from that peer. */
static rn_code held_by_peer(sqlite3 *db, const char *peer, const char *origin,
                            const shas *blobs, unsigned char *send, uint64_t *left,
                            rn_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM attachment a WHERE a.sha256=?1 AND (EXISTS "
                               "(SELECT 1 FROM ledger_entry e WHERE e.record_id=a.id AND "
                               "e.op != 'd' AND e.seq < (SELECT acked_size FROM sync_peer "
                               "WHERE name=?2)) OR EXISTS (SELECT 1 FROM sync_provenance p "
                               "WHERE p.record_id=a.id AND p.origin=?3)) LIMIT 1", -1, &st,
                           NULL) != SQLITE_OK)
        return rn__sync_dberr(db, err, "reading what the peer holds");
    for (size_t i = 0; i < blobs->n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, blobs->v[i], 64, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, peer, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, origin, -1, SQLITE_STATIC);
        int r = sqlite3_step(st);
        if (r == SQLITE_ROW) {
            send[i] = 0;
            (*left)++;
        } else if (r != SQLITE_DONE) {
            sqlite3_finalize(st);
            return rn__sync_dberr(db, err, "reading what the peer holds");
        }
    }
    sqlite3_finalize(st);
    return RN_OK;
}

/* FROM from a checkpoint note of this log; it must be one this log holds. */
static rn_code since_size(sqlite3 *db, const char *own, const rn_sync_export_opts *o,
                          uint64_t *from, rn_error *err)
{
    rn_note note;
    rn_checkpoint cp;
    const char *text = o->since;
    size_t tlen = o->since_len;
    if (rn__note_parse(o->since, o->since_len, &note) == RN_OK) {
        text = note.text;
        tlen = note.text_len;
    }
    if (rn__checkpoint_parse(text, tlen, &cp) != RN_OK)
        return rn__err(err, RN_EINPUT, "--since: not a checkpoint (`remnant checkpoint` "
                       "prints one)");
    if (cp.origin_len != strlen(own) || memcmp(cp.origin, own, cp.origin_len) != 0)
        return rn__err(err, RN_EINPUT, "--since: that checkpoint is of log %.*s, not of this "
                       "log (%s)", (int)(cp.origin_len > 200 ? 200 : cp.origin_len),
                       cp.origin, own);
    sqlite3_stmt *st = NULL;
    rn_code rc = RN_OK;
    if (sqlite3_prepare_v2(db, "SELECT root FROM ledger_checkpoint WHERE size=?", -1, &st,
                           NULL) != SQLITE_OK)
        return rn__sync_dberr(db, err, "reading checkpoints");
    sqlite3_bind_int64(st, 1, (sqlite3_int64)cp.size);
    if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_bytes(st, 0) != RN_HASH_LEN)
        rc = rn__err(err, RN_ENOTFOUND, "--since: this log has no checkpoint of size %llu",
                     (unsigned long long)cp.size);
    else if (memcmp(sqlite3_column_blob(st, 0), cp.root, RN_HASH_LEN) != 0)
        rc = rn__err(err, RN_ETAMPER, "--since: the checkpoint of size %llu has another root "
                     "here: it is not this log's", (unsigned long long)cp.size);
    sqlite3_finalize(st);
    *from = cp.size;
    return rc;
}

/* The serialized frontier of the first `from` leaves of this log: one
 * stored node per set bit of FROM, read from the tiles (O(log n) reads, no
 * pass over the leaves; a database without tiles falls back to them). */
static rn_code frontier_at(rn__tile_reader *tr, uint64_t from, uint8_t *out, size_t *n,
                           rn_error *err)
{
    size_t k = 0;
    for (int level = 63; level >= 0; level--) {
        if (!(from & (UINT64_C(1) << level)))
            continue;
        /* the subtree of bit `level` starts where the higher bits end */
        uint64_t index = (from >> level) - 1;
        if (rn__tile_node(tr, (unsigned)level, index, out + k * RN_HASH_LEN) != RN_OK)
            return rn__err(err, RN_ETAMPER, "the log's tree at %llu cannot be read "
                           "(`remnant verify`)", (unsigned long long)from);
        k++;
    }
    *n = k;
    return RN_OK;
}

/* ---- the entries -----------------------------------------------------------
 * This thread reads the log's rows and records what is sent (E2); a helper
 * thread rebuilds each entry's bytes from its stored form (one hash per
 * disclosure) and writes its sections, in the log's order, from copies of
 * the rows handed over in batches: the two were about half of a large
 * export's time each. A small export does both here. */

#define XP_ROWS 128 /* rows a batch */
#define XP_BATCHES 4
#define XP_THREAD_MIN 512 /* fewer entries: no helper */

typedef struct xp_row {
    rn__entry_row r; /* pointers into mem */
    int disclose;    /* its disclosures are sent (o->may) */
    int via;         /* it came from another log: via_log, via_index, via_time */
    const char *via_log, *via_time;
    int64_t via_index;
    rn_buf mem;
} xp_row;

typedef struct xp_batch {
    xp_row row[XP_ROWS];
    size_t n;
    int full; /* 1: the helper's to write; 0: the reader's to fill */
} xp_batch;

typedef struct xp {
    FILE *out;
    shas *blobs;
    rn__helper th; /* th.running: batches go to the helper */
    int done;   /* no more batches */
    int failed; /* the writer failed: rc, err */
    rn_code rc;
    rn_error err;
    char ebuf[RN_ENTRY_V2_MAX];
    xp_batch b[XP_BATCHES];
} xp;

/* Copy len bytes at src (may be NULL) to *at in m, with a NUL after them;
 * where they are now (NULL for NULL). m has room (the caller reserved it). */
static const void *keep(rn_buf *m, size_t *at, const void *src, size_t len)
{
    char *to = m->data + *at;
    if (src)
        memcpy(to, src, len);
    to[len] = '\0';
    *at += len + 1;
    return src ? to : NULL;
}

/* Copy what xp_write needs of st's current row into x->mem, x->r pointing
 * into it. */
static rn_code xp_copy(xp_row *x, sqlite3_stmt *st)
{
    rn__entry_row r;
    rn__ledger_entry_row(st, 9, &r);
    int via = sqlite3_column_type(st, 5) != SQLITE_NULL;
    const char *vl = (const char *)sqlite3_column_text(st, 5);
    const char *vt = (const char *)sqlite3_column_text(st, 7);
    size_t vll = (size_t)sqlite3_column_bytes(st, 5), vtl = (size_t)sqlite3_column_bytes(st, 7);
    x->via = via && vl && vt;
    x->via_index = sqlite3_column_int64(st, 6);
    size_t need = r.idl + r.tl + r.ol + r.bl + r.dl + r.prevl + vll + vtl + 8;
    x->mem.len = 0;
    if (rn__buf_reserve(&x->mem, need) != RN_OK)
        return RN_ENOMEM;
    size_t at = 0;
    r.id = keep(&x->mem, &at, r.id, r.idl);
    r.type = keep(&x->mem, &at, r.type, r.tl);
    r.op = keep(&x->mem, &at, r.op, r.ol);
    r.body = keep(&x->mem, &at, r.body, r.bl);
    r.disc = keep(&x->mem, &at, r.disc, r.dl);
    r.prev = keep(&x->mem, &at, r.prev, r.prevl);
    if (x->via) {
        vl = keep(&x->mem, &at, vl, vll);
        vt = keep(&x->mem, &at, vt, vtl);
    }
    x->r = r;
    x->via_log = vl;
    x->via_time = vt;
    return RN_OK;
}

/* Write one entry's sections: entry, and (disclosed) disclosures and via. */
static rn_code xp_write(xp *w, const xp_row *x, rn_error *err)
{
    const rn__entry_row *r = &x->r;
    const char *body = NULL; /* the entry's bytes (stored.c), not e.body */
    size_t blen = 0;
    uint64_t seq = (uint64_t)r->seq;
    FILE *out = w->out;
    if (rn__ledger_entry_row_bytes(r, w->ebuf, sizeof w->ebuf, &body, &blen) != RN_OK || !body ||
        blen == 0)
        return rn__err(err, RN_ETAMPER,
                       "the log has an empty or unreadable entry at %llu "
                       "(`remnant verify`)",
                       (unsigned long long)seq);
    if (put_header(out, "entry", (uint64_t[]){seq, blen}, 2) ||
        fwrite(body, 1, blen, out) != blen || fputc('\n', out) == EOF)
        goto wfail;
    if (!x->disclose)
        return RN_OK; /* withheld: the bytes only */
    if (r->disc && r->dl > 0) {
        size_t nd = 1;
        for (size_t i = 0; i < r->dl; i++)
            nd += r->disc[i] == '\n';
        if (put_header(out, "disclosures", (uint64_t[]){seq, nd, r->dl}, 3) ||
            fwrite(r->disc, 1, r->dl, out) != r->dl || fputc('\n', out) == EOF)
            goto wfail;
        if (r->type && r->op && strcmp(r->type, "attachment") == 0 && strcmp(r->op, "d") != 0 &&
            blob_of(r->disc, r->dl, w->blobs) != RN_OK)
            return rn__err(err, RN_ENOMEM, "out of memory");
    }
    if (x->via) {
        json_t *v = json_pack("{s:s, s:I, s:s}", "log", x->via_log, "index",
                              (json_int_t)x->via_index, "time", x->via_time);
        char *vs = v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(v);
        if (!vs)
            return rn__err(err, RN_ENOMEM, "out of memory");
        int bad = fprintf(out, "via %llu %zu\n%s\n", (unsigned long long)seq, strlen(vs), vs) < 0;
        free(vs);
        if (bad)
            goto wfail;
    }
    return RN_OK;
wfail:
    return rn__err(err, RN_EIO, "writing the package: %s", strerror(errno));
}

static rn_code xp_write_batch(xp *w, const xp_batch *b, rn_error *err)
{
    rn_code rc = RN_OK;
    for (size_t i = 0; i < b->n && rc == RN_OK; i++)
        rc = xp_write(w, &b->row[i], err);
    return rc;
}

static void *xp_run(void *arg)
{
    xp *w = arg;
    for (size_t k = 0;; k = (k + 1) % XP_BATCHES) {
        xp_batch *b = &w->b[k];
        if (!rn__helper_take(&w->th, &b->full, &w->done))
            return NULL;
        rn_code rc = xp_write_batch(w, b, &w->err);
        pthread_mutex_lock(&w->th.mu);
        if (rc) {
            w->failed = 1;
            w->rc = rc;
        }
        b->full = 0;
        pthread_cond_broadcast(&w->th.cv);
        pthread_mutex_unlock(&w->th.mu);
        if (rc)
            return NULL;
    }
}

/* Batch k, filled: written here or handed to the helper. */
static rn_code xp_hand(xp *w, xp_batch *b, rn_error *err)
{
    if (!w->th.running)
        return xp_write_batch(w, b, err);
    pthread_mutex_lock(&w->th.mu);
    b->full = 1;
    pthread_cond_broadcast(&w->th.cv);
    pthread_mutex_unlock(&w->th.mu);
    return RN_OK;
}

/* Batch b, free to fill (waits for the helper); the helper's error if it
 * failed meanwhile. */
static rn_code xp_take(xp *w, xp_batch *b, rn_error *err)
{
    if (w->th.running) {
        pthread_mutex_lock(&w->th.mu);
        while (b->full && !w->failed)
            pthread_cond_wait(&w->th.cv, &w->th.mu);
        int failed = w->failed;
        pthread_mutex_unlock(&w->th.mu);
        if (failed) {
            if (err)
                *err = w->err;
            return w->rc;
        }
    }
    b->n = 0;
    return RN_OK;
}

/* End the helper once it has written every batch handed to it; its error,
 * unless rc (this thread's) is one already. */
static rn_code xp_end(xp *w, rn_code rc, rn_error *err)
{
    rn__helper_stop(&w->th, &w->done);
    if (rc == RN_OK && w->failed) {
        if (err)
            *err = w->err;
        rc = w->rc;
    }
    for (size_t k = 0; k < XP_BATCHES; k++)
        for (size_t i = 0; i < XP_ROWS; i++)
            rn__buf_free(&w->b[k].row[i].mem);
    free(w);
    return rc;
}

static rn_code write_entries(sqlite3 *db, uint64_t from, uint64_t size, FILE *out, shas *blobs,
                             const rn_sync_export_opts *o, const char *peer_origin, rn_error *err)
{
    sqlite3_stmt *st = NULL, *mark = NULL;
    rn_code rc = RN_OK;
    xp *w = rn__calloc(1, sizeof *w);
    if (!w)
        return rn__err(err, RN_ENOMEM, "out of memory");
    w->out = out;
    w->blobs = blobs;
    for (size_t k = 0; k < XP_BATCHES; k++)
        for (size_t i = 0; i < XP_ROWS; i++)
            rn__buf_init(&w->b[k].row[i].mem, (size_t)64 << 20); /* rows of this log */
    if (size - from >= XP_THREAD_MIN)
        (void)rn__helper_start(&w->th, xp_run, w);
    /* E2, for the records the package discloses */
    if (sqlite3_prepare_v2(db,
                           "INSERT OR REPLACE INTO sync_record(peer_origin, record_id, "
                           "local_seq) VALUES (?,?,?)",
                           -1, &mark, NULL) != SQLITE_OK) {
        rc = rn__sync_dberr(db, err, "recording what was sent");
        goto out;
    }
    if (sqlite3_prepare_v2(db,
                           "SELECT e.seq, e.body, e.disclosures, e.type, e.op, p.made_in, "
                           "p.made_index, p.time, e.record_id, " RN_ENTRY_COLS("e.") " FROM "
                           "ledger_entry e LEFT JOIN "
                           "sync_provenance p ON p.seq = e.seq WHERE e.seq >= ? AND e.seq < ? "
                           "ORDER BY e.seq", -1, &st, NULL) != SQLITE_OK) {
        rc = rn__sync_dberr(db, err, "reading the log");
        goto out;
    }
    sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)size);
    uint64_t want = from;
    size_t k = 0;
    xp_batch *b = &w->b[0];
    if ((rc = xp_take(w, b, err)))
        goto out;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t seq = (uint64_t)sqlite3_column_int64(st, 0);
        const char *type = (const char *)sqlite3_column_text(st, 3);
        if (seq != want) {
            rc = rn__err(err, RN_ETAMPER, "the log has a gap at %llu (`remnant verify`)",
                         (unsigned long long)want);
            goto out;
        }
        want++;
        xp_row *x = &b->row[b->n];
        x->disclose = !(o && o->may && type && !o->may(o->may_ctx, type));
        if (xp_copy(x, st) != RN_OK) {
            rc = rn__err(err, RN_ENOMEM, "out of memory");
            goto out;
        }
        if (x->disclose) {
            sqlite3_bind_text(mark, 1, peer_origin, -1, SQLITE_STATIC);
            sqlite3_bind_text(mark, 2, (const char *)sqlite3_column_text(st, 8), -1,
                              SQLITE_TRANSIENT);
            sqlite3_bind_int64(mark, 3, (sqlite3_int64)seq);
            int mr = sqlite3_step(mark);
            sqlite3_reset(mark);
            if (mr != SQLITE_DONE) {
                rc = rn__sync_dberr(db, err, "recording what was sent");
                goto out;
            }
        }
        if (++b->n == XP_ROWS) {
            if ((rc = xp_hand(w, b, err)))
                goto out;
            k = (k + 1) % XP_BATCHES;
            b = &w->b[k];
            if ((rc = xp_take(w, b, err)))
                goto out;
        }
    }
    if (r != SQLITE_DONE) {
        rc = rn__sync_dberr(db, err, "reading the log");
        goto out;
    }
    if (want != size) {
        rc = rn__err(err, RN_ETAMPER, "the log ends at %llu before its checkpoint's size %llu",
                     (unsigned long long)want, (unsigned long long)size);
        goto out;
    }
    if (b->n)
        rc = xp_hand(w, b, err);
out:
    rc = xp_end(w, rc, err);
    sqlite3_finalize(st);
    sqlite3_finalize(mark);
    return rc;
}

/* A public package's entries (K8): each public record's latest entry with
 * the disclosures the view allows and its inclusion proof, then the public
 * records in the view's order. Nothing of any other entry. */
static rn_code write_public(sqlite3 *db, rn__tile_reader *tr, uint64_t size, FILE *out,
                            shas *blobs, const rn__sync_pubset *pub, rn_error *err)
{
    sqlite3_stmt *st = NULL;
    rn_code rc = RN_OK;
    char ebuf[RN_ENTRY_V2_MAX];
    if (sqlite3_prepare_v2(db, "SELECT " RN_ENTRY_COLS("") " FROM ledger_entry WHERE seq=?", -1,
                           &st, NULL) != SQLITE_OK)
        return rn__sync_dberr(db, err, "reading the log");
    for (size_t i = 0; i < pub->n && rc == RN_OK; i++) {
        const rn__sync_pubrec *pr = &pub->r[i];
        if (pr->seq >= size)
            continue;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, (sqlite3_int64)pr->seq);
        if (sqlite3_step(st) != SQLITE_ROW) {
            rc = rn__err(err, RN_ETAMPER, "entry %llu is missing", (unsigned long long)pr->seq);
            break;
        }
        const char *body = NULL; /* the entry's bytes (stored.c) */
        size_t blen = 0;
        if (rn__ledger_entry_bytes(st, 0, ebuf, sizeof ebuf, &body, &blen) != RN_OK)
            body = NULL;
        rn_hash proof[RN_PROOF_MAX];
        size_t np = 0;
        if (rn__merkle_inclusion_proof_nodes(rn__tile_node, tr, pr->seq, size, proof, &np) !=
            RN_OK) {
            rc = rn__err(err, RN_ETAMPER, "no inclusion proof of entry %llu",
                         (unsigned long long)pr->seq);
            break;
        }
        if (!body || fprintf(out, "entry %llu %zu\n", (unsigned long long)pr->seq, blen) < 0 ||
            fwrite(body, 1, blen, out) != blen || fputc('\n', out) == EOF ||
            (pr->nd > 0 &&
             (fprintf(out, "disclosures %llu %zu %zu\n", (unsigned long long)pr->seq, pr->nd,
                      pr->dlen) < 0 ||
              fwrite(pr->disc, 1, pr->dlen, out) != pr->dlen || fputc('\n', out) == EOF)) ||
            fprintf(out, "proof %llu %zu\n", (unsigned long long)pr->seq, np) < 0 ||
            put_hashes(out, (const uint8_t *)proof, np) != RN_OK)
            rc = rn__err(err, RN_EIO, "writing the package: %s", strerror(errno));
    }
    sqlite3_finalize(st);
    for (size_t k = 0; rc == RN_OK && k < pub->n; k++) {
        const rn__sync_pubrec *pr = &pub->r[pub->order[k]];
        if (pr->seq >= size)
            continue;
        if (fprintf(out, "public %llu %zu\n", (unsigned long long)pr->seq, pr->jlen) < 0 ||
            fwrite(pr->json, 1, pr->jlen, out) != pr->jlen || fputc('\n', out) == EOF)
            rc = rn__err(err, RN_EIO, "writing the package: %s", strerror(errno));
    }
    for (size_t k = 0; rc == RN_OK && k < pub->nsha; k++)
        if (sha_add(blobs, pub->sha[k]) != RN_OK)
            rc = rn__err(err, RN_ENOMEM, "out of memory");
    return rc;
}

rn_code rn_sync_export(rn_store *s, const char *peer, const rn_sync_export_opts *opts,
                       FILE *out, uint64_t *entries, rn_error *err)
{
    sqlite3 *db = rn__store_db(s);
    sqlite3_stmt *st = NULL;
    char origin[RN_ORIGIN_MAX + 1], own[RN_ORIGIN_MAX + 1];
    uint64_t from = 0, size = 0;
    char *note = NULL;
    shas blobs = {0};
    hashing hs = {0};
    FILE *hf = NULL;
    char *hbuf = NULL; /* hf's buffer: freed after hf is closed */
    rn__tile_reader *tr = NULL;
    unsigned char *send = NULL;
    rn__sync_pubset pubset;
    memset(&pubset, 0, sizeof pubset);
    rn_code rc;
    int tx = 0;
    if (entries)
        *entries = 0;
    if (!db)
        return rn__err(err, RN_EINVAL, "sync needs the SQLite store");
    if (s->readonly)
        return rn__err(err, RN_EREADONLY, "the store was opened read-only");
    if ((rc = rn_store_begin(s, err)))
        return rc;
    tx = 1;
    if ((rc = rn__sync_peer_get(db, peer, origin, sizeof origin, NULL, 0, err)) ||
        (rc = rn__ledger_origin(db, own, sizeof own, err)))
        goto out;
    if (sqlite3_prepare_v2(db, "SELECT size, note FROM ledger_checkpoint ORDER BY size DESC "
                               "LIMIT 1", -1, &st, NULL) != SQLITE_OK) {
        rc = rn__sync_dberr(db, err, "reading checkpoints");
        goto out;
    }
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = rn__err(err, RN_ENOTFOUND, "the log is empty: nothing to send");
        goto out;
    }
    size = (uint64_t)sqlite3_column_int64(st, 0);
    note = rn__strndup((const char *)sqlite3_column_text(st, 1),
                       (size_t)sqlite3_column_bytes(st, 1));
    sqlite3_finalize(st);
    st = NULL;
    if (!note) {
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    rn_note nparsed;
    if (rn__note_parse(note, strlen(note), &nparsed) != RN_OK || nparsed.nsigs == 0) {
        rc = rn__err(err, RN_ECRYPTO, "the latest checkpoint is not signed: a peer accepts "
                     "only signed ones (`remnant key create` makes this instance's key)");
        goto out;
    }
    if (opts && opts->since) {
        if ((rc = since_size(db, own, opts, &from, err)))
            goto out;
    } else if (opts && opts->since_size_set) {
        from = opts->since_size;
        if (from > 0) {
            if (sqlite3_prepare_v2(db, "SELECT 1 FROM ledger_checkpoint WHERE size=?", -1, &st,
                                   NULL) != SQLITE_OK) {
                rc = rn__sync_dberr(db, err, "reading checkpoints");
                goto out;
            }
            sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
            int have = sqlite3_step(st) == SQLITE_ROW;
            sqlite3_finalize(st);
            st = NULL;
            if (!have) {
                rc = rn__err(err, RN_ENOTFOUND, "this log has no checkpoint of size %llu to "
                             "start from", (unsigned long long)from);
                goto out;
            }
        }
    } else {
        if (sqlite3_prepare_v2(db, "SELECT sent_size FROM sync_peer WHERE name=?", -1, &st,
                               NULL) != SQLITE_OK) {
            rc = rn__sync_dberr(db, err, "reading the peer");
            goto out;
        }
        sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            from = (uint64_t)sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        st = NULL;
    }
    if (from > size) {
        rc = rn__err(err, RN_ETAMPER, "peer %s was sent %llu entries, but this log has only "
                     "%llu: this log was cut back (ROLLBACK)", peer, (unsigned long long)from,
                     (unsigned long long)size);
        goto out;
    }
    uint8_t front[64 * RN_HASH_LEN];
    size_t nfront = 0;
    if ((rc = rn__tile_reader_open(db, &tr))) {
        rc = rn__err(err, rc, "out of memory");
        goto out;
    }
    if (!(opts && opts->public_view) && (rc = frontier_at(tr, from, front, &nfront, err)))
        goto out;
    cookie_io_functions_t io = {NULL, hw, NULL, NULL};
    hashing_start(&hs, out);
    if (!(hf = fopencookie(&hs, "w", io))) {
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    /* large blocks: each block is hashed, then written (one write call and
     * one hand-over to the helper a MiB, not every 8 KiB); failing that, the
     * default buffer. The buffer is given: glibc's setvbuf ignores the size
     * when it allocates the buffer itself. */
    if ((hbuf = malloc(HASH_BLOCK)))
        (void)setvbuf(hf, hbuf, _IOFBF, HASH_BLOCK);
    FILE *raw = out;
    out = hf;
    int pub = opts && opts->public_view;
    if (pub ? fprintf(out, "%s public\ncheckpoint %zu\n%s\n", RN_SYNC_MAGIC, strlen(note), note) < 0
            : (fprintf(out, "%s\ncheckpoint %zu\n%s\nrange %llu %zu\n", RN_SYNC_MAGIC,
                       strlen(note), note, (unsigned long long)from, nfront) < 0 ||
               put_hashes(out, front, nfront) != RN_OK))
        goto wfail;
    if (from > 0) {
        rn_hash proof[RN_PROOF_MAX];
        size_t np = 0;
        if (rn__merkle_consistency_proof_nodes(rn__tile_node, tr, from, size, proof, &np) !=
            RN_OK) {
            rc = rn__err(err, RN_ETAMPER, "no consistency proof from %llu to %llu",
                         (unsigned long long)from, (unsigned long long)size);
            goto out;
        }
        if (fprintf(out, "consistency %llu %llu %zu\n", (unsigned long long)from,
                    (unsigned long long)size, np) < 0 ||
            put_hashes(out, (const uint8_t *)proof, np) != RN_OK)
            goto wfail;
    }
    if (opts && opts->public_view &&
        (rc = rn__sync_public_prepare(s, opts->grid, &pubset, err)))
        goto out;
    if (pub)
        rc = write_public(db, tr, size, out, &blobs, &pubset, err);
    else
        rc = write_entries(db, from, size, out, &blobs, opts, origin, err);
    if (rc)
        goto out;
    if (blobs.n) {
        qsort(blobs.v, blobs.n, sizeof *blobs.v, cmp_sha);
        size_t u = 1; /* each once */
        for (size_t i = 1; i < blobs.n; i++)
            if (memcmp(blobs.v[i], blobs.v[u - 1], 64) != 0)
                memmove(blobs.v[u++], blobs.v[i], 65);
        blobs.n = u;
    }
    int list = opts && opts->list_files;
    int by_file = !(opts && (opts->lacks || opts->may || opts->all_files || pub)) && !list;
    if (blobs.n && (list || by_file || opts->lacks)) {
        if (!(send = rn__malloc(blobs.n))) {
            rc = rn__err(err, RN_ENOMEM, "out of memory");
            goto out;
        }
        memset(send, list ? 0 : 1, blobs.n);
    }
    if (blobs.n && !list && opts && opts->lacks) {
        /* the receiver names what it holds already: not sent again */
        if (opts->lacks(opts->lacks_ctx, (const char(*)[65])blobs.v, blobs.n, send) != 0) {
            rc = rn__err(err, RN_EIO, "cannot learn which files the peer lacks");
            goto out;
        }
    }
    uint64_t left = 0;
    if (blobs.n && by_file &&
        (rc = held_by_peer(db, peer, origin, &blobs, send, &left, err)))
        goto out;
    for (size_t i = 0; i < blobs.n; i++) {
        if (send && !send[i]) {
            /* K5: a file left out is named (an HTTP pull, or a package by file
             * that leaves out what the peer holds); one the receiver said it
             * holds (a push) is not */
            if ((list || by_file) && (rc = name_blob(s, blobs.v[i], out, err)))
                goto out;
            continue;
        }
        if ((rc = copy_blob(s, blobs.v[i], out, err)))
            goto out;
    }
    (void)left;
    if (fflush(out) != 0 || hashing_end(&hs) != 0)
        goto wfail;
    uint8_t digest[32];
    rn__sha256_final(&hs.h, digest);
    fclose(hf);
    hf = NULL;
    out = raw;
    if ((rc = write_seal(s, own, digest, out, err)))
        goto out;
    /* E1, E2 */
    if (sqlite3_prepare_v2(db, "UPDATE sync_peer SET sent_size=? WHERE name=?", -1, &st,
                           NULL) != SQLITE_OK)
        goto dbfail;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
    sqlite3_bind_text(st, 2, peer, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto dbfail;
    sqlite3_finalize(st);
    st = NULL;
    rc = rn_store_commit(s, err);
    tx = 0;
    if (rc == RN_OK && entries)
        *entries = size - from;
    goto out;
dbfail:
    rc = rn__sync_dberr(db, err, "recording what was sent");
    goto out;
wfail:
    rc = rn__err(err, RN_EIO, "writing the package: %s", strerror(errno));
out:
    sqlite3_finalize(st);
    if (hf)
        fclose(hf);
    free(hbuf);
    (void)hashing_end(&hs); /* a failed export's: its helper ended */
    if (tx)
        rn_store_rollback(s);
    free(note);
    free(blobs.v);
    rn__tile_reader_close(tr);
    free(send);
    rn__sync_public_free(&pubset);
    return rc;
}
