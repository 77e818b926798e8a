/* SPDX-License-Identifier: Apache-2.0
 *
 * witness_ask.c — the log's side of c2sp.org/tlog-witness: the witnesses it
 * asks (ledger_witness, migration 0011), its quorum, and asking them to
 * cosign a checkpoint. The network is the face's (a transport function);
 * everything the protocol decides is here:
 *
 *   Q1 the request starts from the size this witness last cosigned (0 at
 *      first), with the consistency proof from that size to the checkpoint;
 *   Q2 on 409 the witness says which size it holds: a size beyond this log
 *      is a ROLLBACK (this log lost entries it once showed), the size asked
 *      from again (at the checkpoint's size) a SPLIT VIEW; any other size is
 *      retried once, with the proof from it;
 *   Q3 on 422 the witness's tree at its size is not this log's: SPLIT VIEW;
 *   Q4 a 200 answer's lines are each checked with the witness's key
 *      (rn_ledger_witness_record) and stored; lines of other keys are
 *      ignored; none that verifies is a BAD ANSWER;
 *   Q5 the witness's size moves to the checkpoint's only after Q4 stored a
 *      cosignature.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger_int.h"
#include "remnant/ledger.h"

#define MAX_WITNESSES 64
#define RESP_MAX 8192

static int name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > RN_WITNESS_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

static int url_ok(const char *s)
{
    size_t n = strlen(s);
    if (n > RN_WITNESS_URL_MAX)
        return 0;
    if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)
        return 0;
    if (n <= (s[4] == 's' ? 8u : 7u))
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f ||
            s[i] == '?' || s[i] == '#')
            return 0;
    return 1;
}

/* The witness table exists once the store has migrated the database. */
static rn_code prepare(rn_ledger *l, const char *sql, sqlite3_stmt **st,
                       rn_error *err)
{
    if (sqlite3_prepare_v2(l->db, sql, -1, st, NULL) == SQLITE_OK)
        return RN_OK;
    if (strstr(sqlite3_errmsg(l->db), "no such table"))
        return rn__err(err, RN_ESCHEMA, "this database predates witnesses:"
                       " open it once for writing (e.g. `remnant verify`)");
    return rn__ledger_dberr(l->db, err, "witnesses");
}

rn_code rn_ledger_witness_add(rn_ledger *l, const char *name, const char *url,
                              const char *vkey, rn_error *err)
{
    rn_vkey k;
    sqlite3_stmt *st = NULL;
    rn_code rc;
    if (l->readonly)
        return rn__err(err, RN_EREADONLY, "the log was opened read-only");
    if (!name_ok(name))
        return rn__err_field(err, RN_EINPUT, "name", "a witness name is 1 to"
                             " %d letters, digits, '.', '_' or '-'",
                             RN_WITNESS_NAME_MAX);
    if (!url_ok(url))
        return rn__err_field(err, RN_EINPUT, "url", "the witness URL must be"
                             " http:// or https:// with a host, without"
                             " spaces, '?' or '#' (the prefix before"
                             " /add-checkpoint)");
    if (rn__vkey_parse(vkey, strlen(vkey), &k) != RN_OK ||
        k.type != RN_SIGTYPE_COSIG_V1)
        return rn__err_field(err, RN_EINPUT, "vkey", "not a witness verifier"
                             " key (cosignature/v1, the output of `remnant"
                             " witness keygen`): %s", vkey);
    if ((rc = prepare(l, "INSERT INTO ledger_witness(name, url, vkey, size)"
                      " VALUES (?1, ?2, ?3, 0)", &st, err)) != RN_OK)
        return rc;
    /* One URL form: without a final '/'. */
    size_t ul = strlen(url);
    while (ul > 0 && url[ul - 1] == '/')
        ul--;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, url, (int)ul, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, vkey, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_DONE)
        rc = RN_OK;
    else if (r == SQLITE_CONSTRAINT)
        rc = rn__err(err, RN_EEXISTS, "a witness named %s or with that key"
                     " is already there (`remnant witness list`)", name);
    else
        rc = rn__ledger_dberr(l->db, err, "add witness");
    sqlite3_finalize(st);
    return rc;
}

rn_code rn_ledger_witness_remove(rn_ledger *l, const char *name, rn_error *err)
{
    sqlite3_stmt *st = NULL;
    rn_code rc;
    if (l->readonly)
        return rn__err(err, RN_EREADONLY, "the log was opened read-only");
    if ((rc = prepare(l, "DELETE FROM ledger_witness WHERE name = ?1", &st,
                      err)) != RN_OK)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = rn__ledger_dberr(l->db, err, "remove witness");
    else if (sqlite3_changes(l->db) == 0)
        rc = rn__err(err, RN_ENOTFOUND, "no witness named %s", name);
    sqlite3_finalize(st);
    return rc;
}

rn_code rn_ledger_witness_list(rn_ledger *l, rn_ledger_witness_fn fn,
                               void *ctx, rn_error *err)
{
    sqlite3_stmt *st = NULL;
    rn_code rc;
    rn_ledger_witness_info w;
    if ((rc = prepare(l, "SELECT name, url, vkey, size FROM ledger_witness"
                      " ORDER BY name", &st, err)) != RN_OK)
        return rc;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&w, 0, sizeof w);
        const char *c0 = (const char *)sqlite3_column_text(st, 0);
        const char *c1 = (const char *)sqlite3_column_text(st, 1);
        const char *c2 = (const char *)sqlite3_column_text(st, 2);
        snprintf(w.name, sizeof w.name, "%s", c0 ? c0 : "");
        snprintf(w.url, sizeof w.url, "%s", c1 ? c1 : "");
        snprintf(w.vkey, sizeof w.vkey, "%s", c2 ? c2 : "");
        w.size = (uint64_t)sqlite3_column_int64(st, 3);
        if (fn(ctx, &w))
            break;
    }
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        rc = rn__ledger_dberr(l->db, err, "list witnesses");
    sqlite3_finalize(st);
    return rc;
}

rn_code rn_ledger_witness_quorum_get(rn_ledger *l, unsigned *quorum,
                                     rn_error *err)
{
    sqlite3_stmt *st = NULL;
    rn_code rc;
    *quorum = 0;
    if ((rc = prepare(l, "SELECT quorum FROM ledger_witness_policy WHERE"
                      " id = 1", &st, err)) != RN_OK)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW)
        *quorum = (unsigned)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return RN_OK;
}

static int count_one(void *ctx, const rn_ledger_witness_info *w)
{
    (void)w;
    ++*(unsigned *)ctx;
    return 0;
}

rn_code rn_ledger_witness_quorum_set(rn_ledger *l, unsigned quorum,
                                     rn_error *err)
{
    sqlite3_stmt *st = NULL;
    rn_code rc;
    unsigned n = 0;
    if (l->readonly)
        return rn__err(err, RN_EREADONLY, "the log was opened read-only");
    if ((rc = rn_ledger_witness_list(l, count_one, &n, err)) != RN_OK)
        return rc;
    if (quorum > n)
        return rn__err_field(err, RN_EINPUT, "quorum", "a quorum of %u needs"
                             " at least %u witnesses; this log has %u (add"
                             " them first: `remnant witness add`)", quorum,
                             quorum, n);
    if ((rc = prepare(l, "UPDATE ledger_witness_policy SET quorum = ?1 WHERE"
                      " id = 1", &st, err)) != RN_OK)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)quorum);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = rn__ledger_dberr(l->db, err, "set quorum");
    sqlite3_finalize(st);
    return rc;
}

/* ---- asking --------------------------------------------------------------- */

typedef struct witness_set {
    size_t n;
    rn_ledger_witness_info *w;
} witness_set;

static int collect(void *ctx, const rn_ledger_witness_info *w)
{
    witness_set *s = ctx;
    if (s->n == MAX_WITNESSES)
        return 1;
    s->w[s->n++] = *w;
    return 0;
}

/* The checkpoint's note as the log signed it (without cosignatures). */
static rn_code own_note(rn_ledger *l, uint64_t size, char *buf, size_t cap,
                        size_t *len, rn_error *err)
{
    sqlite3_stmt *st = NULL;
    rn_code rc = RN_OK;
    if (sqlite3_prepare_v2(l->db, "SELECT note FROM ledger_checkpoint WHERE"
                           " size = ?1", -1, &st, NULL) != SQLITE_OK)
        return rn__ledger_dberr(l->db, err, "read checkpoint");
    sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = rn__err(err, RN_ENOTFOUND, "no checkpoint at size %llu",
                     (unsigned long long)size);
    } else {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        rn_note note;
        if (!t || n >= cap)
            rc = rn__err(err, RN_ELIMIT, "checkpoint %llu is too large",
                         (unsigned long long)size);
        else if (rn__note_parse(t, n, &note) != RN_OK)
            rc = rn__err(err, RN_EINPUT, "checkpoint %llu is not signed:"
                         " witnesses cosign only signed checkpoints (make a"
                         " key: `remnant key create`)",
                         (unsigned long long)size);
        else {
            memcpy(buf, t, n);
            *len = n;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

static int has_cosig(rn_ledger *l, uint64_t size, const char *vkey)
{
    sqlite3_stmt *st = NULL;
    int has = 0;
    if (sqlite3_prepare_v2(l->db, "SELECT 1 FROM ledger_cosignature WHERE"
                           " size = ?1 AND witness = ?2", -1, &st,
                           NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
    sqlite3_bind_text(st, 2, vkey, -1, SQLITE_STATIC);
    has = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return has;
}

static rn_code set_size(rn_ledger *l, const char *name, uint64_t size,
                        rn_error *err)
{
    sqlite3_stmt *st = NULL;
    rn_code rc = RN_OK;
    if (sqlite3_prepare_v2(l->db, "UPDATE ledger_witness SET size = ?2 WHERE"
                           " name = ?1", -1, &st, NULL) != SQLITE_OK)
        return rn__ledger_dberr(l->db, err, "update witness");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)size);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = rn__ledger_dberr(l->db, err, "update witness");
    sqlite3_finalize(st);
    return rc;
}

/* A witness's answer for people: printable ASCII, at most 200 bytes. */
static void snippet(const char *s, size_t n, char *out, size_t cap)
{
    size_t j = 0;
    for (size_t i = 0; i < n && j + 1 < cap && j < 200; i++)
        out[j++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : ' ';
    while (j > 0 && out[j - 1] == ' ')
        j--;
    out[j] = '\0';
}

/* 409's body: "<decimal>\n". */
static int parse_size(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (n < 2 || s[n - 1] != '\n' || n > 21 || (s[0] == '0' && n > 2))
        return 0;
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] < '0' || s[i] > '9' ||
            v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
            return 0;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return 1;
}

typedef struct ask_ctx {
    rn_ledger *l;
    rn_witness_post_fn post;
    void *pctx;
    uint64_t size;
    const char *note;
    size_t note_len;
    char *body; /* request buffer, RN_WITNESS_BODY_MAX */
    char resp[RESP_MAX];
    char msg[1024];
} ask_ctx;

/* Store each verifying line of a 200 answer (Q4): how many were stored. */
static size_t store_lines(ask_ctx *a, const rn_ledger_witness_info *w,
                          size_t resp_len)
{
    size_t stored = 0, pos = 0;
    while (pos < resp_len) {
        const char *nl = memchr(a->resp + pos, '\n', resp_len - pos);
        size_t end = nl ? (size_t)(nl - a->resp) : resp_len;
        char line[1024];
        size_t ll = end - pos;
        if (ll > 0 && ll < sizeof line) {
            memcpy(line, a->resp + pos, ll);
            line[ll] = '\0';
            if (rn_ledger_witness_record(a->l, a->size, w->vkey, line, NULL) ==
                RN_OK)
                stored++;
        }
        pos = end + 1;
    }
    return stored;
}

static rn_witness_outcome ask_one(ask_ctx *a, const rn_ledger_witness_info *w,
                                  int *status)
{
    uint64_t old = w->size;
    char url[RN_WITNESS_URL_MAX + 32];
    char snip[256];
    rn_error e;
    *status = 0;
    snprintf(url, sizeof url, "%s/add-checkpoint", w->url);
    if (old > a->size) {
        /* Q2: what this log's database remembers is beyond it. */
        snprintf(a->msg, sizeof a->msg, "ROLLBACK: %s cosigned %llu entries of"
                 " this log, which now has %llu: the log was cut back or"
                 " restored from an old copy", w->name,
                 (unsigned long long)old, (unsigned long long)a->size);
        return RN_ASK_ROLLBACK;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        rn_ledger_proof p;
        memset(&p, 0, sizeof p);
        rn_error_clear(&e);
        if (old > 0 && old < a->size &&
            rn_ledger_consistency(a->l, old, a->size, &p, &e) != RN_OK) {
            snprintf(a->msg, sizeof a->msg, "no consistency proof from %llu"
                     " to %llu: %.400s", (unsigned long long)old,
                     (unsigned long long)a->size, e.message);
            return RN_ASK_BAD_ANSWER;
        }
        if (p.n > RN_WITNESS_PROOF_MAX) {
            snprintf(a->msg, sizeof a->msg, "the consistency proof is too"
                     " long for the protocol");
            return RN_ASK_BAD_ANSWER;
        }
        size_t blen = rn__witness_req_format(old, (const rn_hash *)p.hash, p.n,
                                             a->note, a->note_len, a->body,
                                             RN_WITNESS_BODY_MAX);
        if (blen == 0) {
            snprintf(a->msg, sizeof a->msg, "the request is too large");
            return RN_ASK_BAD_ANSWER;
        }
        size_t rlen = 0;
        rn_error_clear(&e);
        rn_code rc = a->post(a->pctx, url, a->body, blen, status, a->resp,
                             sizeof a->resp, &rlen, &e);
        if (rc != RN_OK) {
            *status = 0;
            snprintf(a->msg, sizeof a->msg, "%s unreachable at %.300s: %.400s",
                     w->name, url, e.message[0] ? e.message : "no answer");
            return RN_ASK_UNREACHABLE;
        }
        snippet(a->resp, rlen, snip, sizeof snip);
        switch (*status) {
        case 200:
            if (store_lines(a, w, rlen) == 0) {
                snprintf(a->msg, sizeof a->msg, "%s answered 200 without a"
                         " cosignature that verifies with its key: %s",
                         w->name, snip);
                return RN_ASK_BAD_ANSWER;
            }
            if (set_size(a->l, w->name, a->size, &e) != RN_OK) {
                snprintf(a->msg, sizeof a->msg, "cosigned, but %.500s",
                         e.message);
                return RN_ASK_COSIGNED;
            }
            snprintf(a->msg, sizeof a->msg, "%s cosigned checkpoint %llu"
                     " (consistent with %llu)", w->name,
                     (unsigned long long)a->size, (unsigned long long)old);
            return RN_ASK_COSIGNED;
        case 409: {
            uint64_t theirs;
            if (!parse_size(a->resp, rlen, &theirs)) {
                snprintf(a->msg, sizeof a->msg, "%s answered 409 without its"
                         " size: %s", w->name, snip);
                return RN_ASK_BAD_ANSWER;
            }
            if (theirs > a->size) {
                snprintf(a->msg, sizeof a->msg, "ROLLBACK: %s has cosigned %llu"
                         " entries of this log, which now has %llu: the log"
                         " was cut back or restored from an old copy",
                         w->name, (unsigned long long)theirs,
                         (unsigned long long)a->size);
                return RN_ASK_ROLLBACK;
            }
            if (theirs == old && old != a->size) {
                snprintf(a->msg, sizeof a->msg, "%s answered 409 although it"
                         " holds the size asked from (%llu)", w->name,
                         (unsigned long long)theirs);
                return RN_ASK_BAD_ANSWER;
            }
            if (theirs == old) {
                snprintf(a->msg, sizeof a->msg, "SPLIT VIEW: %s cosigned"
                         " another checkpoint of size %llu for this log's"
                         " name: two different logs share this name and key",
                         w->name, (unsigned long long)theirs);
                return RN_ASK_SPLIT_VIEW;
            }
            if (attempt == 1) {
                snprintf(a->msg, sizeof a->msg, "%s answered 409 twice (it"
                         " holds %llu)", w->name, (unsigned long long)theirs);
                return RN_ASK_BAD_ANSWER;
            }
            old = theirs; /* Q2: retry once from its size */
            continue;
        }
        case 422:
            snprintf(a->msg, sizeof a->msg, "SPLIT VIEW: %s holds a checkpoint"
                     " of size %llu that this log's tree does not extend (the"
                     " consistency proof failed there): %s", w->name,
                     (unsigned long long)old, snip);
            return RN_ASK_SPLIT_VIEW;
        case 403:
        case 404:
            snprintf(a->msg, sizeof a->msg, "%s refused (%d): it does not"
                     " witness this log or this key; give its operator `remnant"
                     " key show`: %s", w->name, *status, snip);
            return RN_ASK_REFUSED;
        default:
            snprintf(a->msg, sizeof a->msg, "%s answered %d: %s", w->name,
                     *status, snip);
            return RN_ASK_REFUSED;
        }
    }
    return RN_ASK_BAD_ANSWER;
}

rn_code rn_ledger_witness_ask(rn_ledger *l, uint64_t size,
                              rn_witness_post_fn post, void *pctx,
                              rn_ledger_witness_result_fn fn, void *ctx,
                              size_t *cosigned, size_t *asked, rn_error *err)
{
    rn_code rc;
    witness_set set = {0, NULL};
    ask_ctx *a = NULL;
    char *note = NULL;
    *cosigned = 0;
    *asked = 0;
    if (l->readonly)
        return rn__err(err, RN_EREADONLY, "the log was opened read-only");
    if (size == 0 && (rc = rn__ledger_latest(l, &size, err)) != RN_OK)
        return rc;
    set.w = rn__calloc(MAX_WITNESSES, sizeof *set.w);
    a = rn__calloc(1, sizeof *a);
    note = rn__malloc(RN_NOTE_MAX);
    if (a)
        a->body = rn__malloc(RN_WITNESS_BODY_MAX);
    if (!set.w || !a || !note || !a->body) {
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = rn_ledger_witness_list(l, collect, &set, err)) != RN_OK)
        goto out;
    if (set.n == 0)
        goto out;
    a->l = l;
    a->post = post;
    a->pctx = pctx;
    a->size = size;
    if ((rc = own_note(l, size, note, RN_NOTE_MAX, &a->note_len, err)) !=
        RN_OK)
        goto out;
    a->note = note;
    for (size_t i = 0; i < set.n; i++) {
        rn_ledger_witness_result r;
        memset(&r, 0, sizeof r);
        r.witness = &set.w[i];
        r.size = size;
        if (has_cosig(l, size, set.w[i].vkey)) {
            r.outcome = RN_ASK_HAD;
            snprintf(a->msg, sizeof a->msg, "%s had cosigned checkpoint %llu"
                     " already", set.w[i].name, (unsigned long long)size);
            if (set.w[i].size < size)
                (void)set_size(l, set.w[i].name, size, NULL);
        } else {
            ++*asked;
            r.outcome = ask_one(a, &set.w[i], &r.status);
        }
        if (r.outcome == RN_ASK_COSIGNED || r.outcome == RN_ASK_HAD)
            ++*cosigned;
        r.message = a->msg;
        if (fn)
            fn(ctx, &r);
    }
    rc = RN_OK;
out:
    if (a)
        free(a->body);
    free(a);
    free(note);
    free(set.w);
    return rc;
}

const char *rn_witness_outcome_word(rn_witness_outcome o)
{
    switch (o) {
    case RN_ASK_COSIGNED: return "cosigned";
    case RN_ASK_HAD: return "cosigned";
    case RN_ASK_UNREACHABLE: return "unreachable";
    case RN_ASK_REFUSED: return "refused";
    case RN_ASK_SPLIT_VIEW: return "SPLIT VIEW";
    case RN_ASK_ROLLBACK: return "ROLLBACK";
    case RN_ASK_BAD_ANSWER: return "bad answer";
    }
    return "?";
}
