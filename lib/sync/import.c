/* SPDX-License-Identifier: Apache-2.0
 *
 * import.c — receiving a sync package (docs/SYNC.md): check everything,
 * then apply in one transaction.
 *
 * Checks, in order; the first that fails refuses the package and nothing
 * is written (tests cite them as S1..S8):
 *  S1. the package parses (package.c K1..K6: sizes, order, blob hashes);
 *  S2. its checkpoint note parses and names a log registered as a peer, and
 *      the peer's registered key signed it (an unregistered key: refused);
 *  S3. it carries every entry from FROM to the checkpoint's size;
 *  S4. against what was seen from that peer before (L, the largest
 *      checkpoint kept): a smaller size is a ROLLBACK (or a replayed old
 *      package); the same size with another root a FORK; the same size and
 *      root: imported already, nothing to do (idempotent); FROM > L: a gap;
 *  S5. the frontier of FROM and the consistency proof FROM -> size verify;
 *  S6. each entry parses strictly, its seq is its place, every digest is
 *      disclosed and matches (each record's JSON against its entry's hash),
 *      and the record it rebuilds passes the model and re-encodes to the
 *      same canonical bytes;
 *  S7. the frontier extended by the entries' leaf hashes gives, at size L,
 *      the root seen before (else FORK: the peer rewrote what it showed) and
 *      at the end the checkpoint's root (every entry is in the signed tree);
 *  S8. every attachment applied names a blob in the package or here.
 * A package of STREAM_MIN entries or more (not a public one) is streamed:
 * every leaf is hashed and S5, S7 pass first; then S6, the policy and S8
 * run entry by entry inside the transaction, a helper thread opening the
 * entries ahead, and each entry passes them before S9 applies it. A
 * refusal then rolls the transaction back (nothing is written) and names
 * what the checks in their order would have named (first_refusal). A
 * package that carries files is not streamed: the store stores an
 * attachment only once its file is there, and the files are written only
 * after every check.
 * Then the blobs are written (content-addressed: a crash leaves at most
 * unnamed files, which `remnant gc` removes) and, in ONE transaction:
 *  S9. each entry after L is applied unless it is our own change coming
 *      back (an echo), is already equal here, or conflicts: the record
 *      changed here since the peer last had it (its latest local entry is
 *      neither the one the peer was last sent, sync_record (export.c E2),
 *      nor one applied from that peer, sync_provenance),
 *      or it is in conflict already — then theirs is kept beside mine
 *      (sync_conflict) and nothing is overwritten. An applied change is
 *      logged here under its original author, with its provenance
 *      (sync_provenance: origin log, index, checkpoint; original time; the
 *      log where it was made; the receiving account);
 *  S10. the peer's leaves and checkpoint are kept (sync_leaf,
 *      sync_checkpoint) for the next package and for `remnant verify`.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger/ledger_int.h"
#include "remnant/ledger.h"
#include "store/store_int.h"
#include "sync/sync_int.h"

typedef struct item {
    int withheld;   /* sent without disclosures: checked in the tree, not applied */
    int pub;        /* a public package's record: applied as the public view shows it */
    rn_record *rec; /* NULL for a delete */
    char *canon;    /* the record's canonical JSON (NULL for a delete) */
    size_t canon_len;
    char id[RN_ID_LEN + 1];
    char type[32];
    char op;
    rn_hash leaf;
    char *author;
    char time[32];
    char *made_in; /* NULL: made by the sender */
    uint64_t made_index;
    char made_time[32];
} item;

typedef struct job {
    const char *data; /* the package */
    rn_store *s;
    sqlite3 *db;
    rn__sync_pkg p;
    rn_checkpoint cp;
    char own[RN_ORIGIN_MAX + 1];
    char origin[RN_ORIGIN_MAX + 1];
    char peer[RN_SYNC_NAME_MAX + 1];
    char vkey[RN_LEDGER_VKEY_MAX];
    uint64_t seen;
    rn_hash seen_root;
    item *it;
    size_t nit;
    sqlite3_stmt *q_last, *q_base, *q_conf, *q_prov, *q_rec, *q_conf_ins, *q_conf_upd;
    sqlite3_stmt *q_from;
    rn__jreader *jr;  /* S6's record reader, one for every entry */
    int any_open;     /* is any conflict open here (asked once, then kept) */
    int stream;       /* S6, the policy and S8 run entry by entry with S9 */
    rn_sync_may_fn may; /* the importer's policy (NULL: any type) */
    void *may_ctx;
} job;

static void job_free(job *j)
{
    for (size_t i = 0; i < j->nit; i++) {
        rn_record_free(j->it[i].rec);
        free(j->it[i].canon);
        free(j->it[i].author);
        free(j->it[i].made_in);
    }
    free(j->it);
    sqlite3_finalize(j->q_last);
    sqlite3_finalize(j->q_base);
    sqlite3_finalize(j->q_conf);
    sqlite3_finalize(j->q_prov);
    sqlite3_finalize(j->q_rec);
    sqlite3_finalize(j->q_conf_ins);
    sqlite3_finalize(j->q_conf_upd);
    sqlite3_finalize(j->q_from);
    rn__jreader_free(j->jr);
    rn__sync_pkg_free(&j->p);
}

static void hex(const uint8_t *h, char out[65]) { rn__hex_encode(h, RN_HASH_LEN, out); }

/* Our own change, back from the peer (made in this log): never applied. */
static int is_echo(const job *j, const item *it)
{
    return it->made_in && strcmp(it->made_in, j->own) == 0;
}

/* S2 */
static rn_code check_signature(job *j, rn_error *err)
{
    rn_note note;
    if (rn__note_parse(j->p.note, j->p.note_len, &note) != RN_OK ||
        rn__checkpoint_parse(note.text, note.text_len, &j->cp) != RN_OK)
        return rn__err(err, RN_EINPUT, "REFUSED: sync package: the checkpoint is not a signed "
                       "checkpoint note");
    if (j->cp.origin_len > RN_ORIGIN_MAX)
        return rn__err(err, RN_EINPUT, "REFUSED: sync package: the checkpoint's origin is too long");
    memcpy(j->origin, j->cp.origin, j->cp.origin_len);
    j->origin[j->cp.origin_len] = '\0';
    if (strcmp(j->origin, j->own) == 0)
        return rn__err(err, RN_EINPUT, "REFUSED: sync package: this package was made by this very "
                       "instance (log %s): import it at the peer", j->own);
    sqlite3_stmt *st = NULL;
    rn_code rc = RN_OK;
    if (sqlite3_prepare_v2(j->db, "SELECT name, vkey FROM sync_peer WHERE origin=?", -1, &st,
                           NULL) != SQLITE_OK)
        return rn__sync_dberr(j->db, err, "reading peers");
    sqlite3_bind_text(st, 1, j->origin, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = rn__err(err, RN_ECRYPTO, "REFUSED: the package is signed for the log %s, which is "
                     "not a registered peer (unregistered key): `remnant peer add NAME URL|- "
                     "--key VKEY` registers it once its key was checked; nothing written",
                     j->origin);
        goto out;
    }
    snprintf(j->peer, sizeof j->peer, "%s", (const char *)sqlite3_column_text(st, 0));
    snprintf(j->vkey, sizeof j->vkey, "%s", (const char *)sqlite3_column_text(st, 1));
    rn_vkey k;
    if (rn__vkey_parse(j->vkey, strlen(j->vkey), &k) != RN_OK) {
        rc = rn__err(err, RN_ETAMPER, "the key registered for peer %s does not parse", j->peer);
        goto out;
    }
    if (rn__note_verify(&note, &k, 1, NULL) != RN_OK) {
        rc = rn__err(err, RN_ECRYPTO, "REFUSED: the checkpoint is not signed by the key "
                     "registered for peer %s (another key, or a changed byte); nothing written",
                     j->peer);
        goto out;
    }
    /* the seal: the same key over every byte before it */
    rn_note seal;
    char want[RN_ORIGIN_MAX + 100], hx[65];
    uint8_t digest[32];
    rn__sha256(j->data, j->p.sealed, digest);
    rn__hex_encode(digest, 32, hx);
    int wn = snprintf(want, sizeof want, "remnant-sync seal v1\n%s\n%s\n", j->origin, hx);
    if (rn__note_parse(j->p.seal, j->p.seal_len, &seal) != RN_OK || wn < 0 ||
        seal.text_len != (size_t)wn || memcmp(seal.text, want, seal.text_len) != 0 ||
        rn__note_verify(&seal, &k, 1, NULL) != RN_OK)
        rc = rn__err(err, RN_ECRYPTO, "REFUSED: the package's seal does not match its bytes "
                     "or is not signed by peer %s's key (a changed byte?); nothing written",
                     j->peer);
out:
    sqlite3_finalize(st);
    return rc;
}

/* S4: L and its root. */
static rn_code check_state(job *j, rn_sync_stats *stats, rn_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(j->db, "SELECT size, root FROM sync_checkpoint WHERE origin=? "
                                  "ORDER BY size DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
        return rn__sync_dberr(j->db, err, "reading the peer's checkpoints");
    sqlite3_bind_text(st, 1, j->origin, -1, SQLITE_STATIC);
    j->seen = 0;
    rn__merkle_empty_root(j->seen_root);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 1) == RN_HASH_LEN) {
        j->seen = (uint64_t)sqlite3_column_int64(st, 0);
        memcpy(j->seen_root, sqlite3_column_blob(st, 1), RN_HASH_LEN);
    }
    sqlite3_finalize(st);
    stats->seen = j->seen;
    uint64_t n = j->cp.size;
    char a[65], b[65];
    if (n < j->seen)
        return rn__err(err, RN_ETAMPER, "REFUSED (ROLLBACK): the package's checkpoint of peer "
                       "%s has %llu entries, but a checkpoint of %llu entries was accepted "
                       "from it before: a replayed old package or a log cut back; nothing "
                       "written", j->peer, (unsigned long long)n, (unsigned long long)j->seen);
    if (n == j->seen && n > 0) {
        if (memcmp(j->cp.root, j->seen_root, RN_HASH_LEN) == 0) {
            stats->already = 1;
            return RN_OK;
        }
        hex(j->seen_root, a);
        hex(j->cp.root, b);
        return rn__err(err, RN_ETAMPER, "REFUSED (FORK): peer %s's log of %llu entries had "
                       "root %s when seen before and has root %s in this package: two "
                       "different histories (a split view); nothing written", j->peer,
                       (unsigned long long)n, a, b);
    }
    if (j->p.public_mode) {
        if (j->seen > 0 && j->p.from != j->seen)
            return rn__err(err, RN_EINPUT, "REFUSED (gap): the public package proves it extends "
                           "peer %s's log of %llu entries, but %llu were seen here: the peer "
                           "must export again with --since %llu; nothing written", j->peer,
                           (unsigned long long)j->p.from, (unsigned long long)j->seen,
                           (unsigned long long)j->seen);
        return RN_OK;
    }
    if (j->p.from > j->seen)
        return rn__err(err, RN_EINPUT, "REFUSED (gap): the package starts at entry %llu of "
                       "peer %s's log, but only %llu entries of it were received here: the "
                       "peer must export again with --since a checkpoint of at most %llu "
                       "entries (or the packages be imported in order); nothing written",
                       (unsigned long long)j->p.from, j->peer, (unsigned long long)j->seen,
                       (unsigned long long)j->seen);
    if (j->p.ne != n - j->p.from)
        return rn__err(err, RN_EINPUT, "REFUSED: sync package: it must carry every entry from %llu to "
                       "%llu, but carries %zu", (unsigned long long)j->p.from,
                       (unsigned long long)n, j->p.ne);
    return RN_OK;
}

static char *unescape_author(const char *s, size_t n)
{
    /* the common case, plain ASCII with nothing escaped: the bytes as they
     * are (the entry parser checked them as a JSON string's contents) */
    size_t i = 0;
    while (i < n && s[i] != '\\' && (unsigned char)s[i] < 0x80)
        i++;
    if (i == n)
        return rn__strndup(s, n);
    char *q = rn__malloc(n + 3);
    if (!q)
        return NULL;
    q[0] = '"';
    memcpy(q + 1, s, n);
    q[n + 1] = '"';
    q[n + 2] = '\0';
    json_t *v = json_loads(q, JSON_DECODE_ANY, NULL);
    free(q);
    char *out = v && json_is_string(v) ? rn__strndup(json_string_value(v), json_string_length(v))
                                       : NULL;
    json_decref(v);
    return out;
}

static rn_code parse_via(item *it, const rn__sync_entry *e, rn_error *err)
{
    json_error_t je;
    json_t *v = json_loadb(e->via, e->vlen, JSON_REJECT_DUPLICATES, &je);
    const char *log = NULL, *time = NULL;
    json_int_t idx = -1;
    rn_code rc = RN_OK;
    if (!v || json_unpack(v, "{s:s, s:I, s:s !}", "log", &log, "index", &idx, "time", &time) ||
        idx < 0 || strlen(log) > RN_ORIGIN_MAX || !rn__note_name_ok(log, strlen(log)) ||
        strlen(time) >= sizeof it->made_time) {
        rc = rn__err(err, RN_EINPUT, "REFUSED: sync package: entry %llu: the 'via' section is not "
                     "{\"index\":N,\"log\":ORIGIN,\"time\":T}", (unsigned long long)e->seq);
        goto out;
    }
    it->made_in = rn__strndup(log, strlen(log));
    it->made_index = (uint64_t)idx;
    snprintf(it->made_time, sizeof it->made_time, "%s", time);
    if (!it->made_in)
        rc = rn__err(err, RN_ENOMEM, "out of memory");
out:
    json_decref(v);
    return rc;
}

/* The index in the package of the entry of seq (K3: FROM + i; K8: found). */
static int entry_index(const job *j, uint64_t seq, size_t *i)
{
    if (!j->p.public_mode) {
        if (seq < j->p.from || seq - j->p.from >= j->p.ne)
            return 0;
        *i = (size_t)(seq - j->p.from);
        return 1;
    }
    size_t lo = 0, hi = j->p.ne;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (j->p.e[mid].seq == seq) {
            *i = mid;
            return 1;
        }
        if (j->p.e[mid].seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* A public record (K7): its public copy fits the model, is the entry's
 * record, and shows every field the entry discloses exactly as logged. */
static rn_code check_public(job *j, item *it, const rn_entry *en, const rn__sync_pub *pb,
                            rn_error *err)
{
    rn_error rerr;
    rn_error_clear(&rerr);
    rn_member pm[128], dm[128];
    size_t np = 0, nd = 0;
    rn_code rc = rn_record_from_json(pb->json, pb->len, &it->rec, &rerr);
    if (rc == RN_OK)
        rc = rn_record_to_json(it->rec, RN_JSON_CANONICAL, &it->canon, &it->canon_len);
    if (rc == RN_OK && (it->canon_len != pb->len || memcmp(it->canon, pb->json, pb->len) ||
                        strcmp(rn_record_id(it->rec), it->id) ||
                        strcmp(rn_type_name(rn_record_type(it->rec)), it->type)))
        rc = RN_EINPUT;
    if (rc)
        return rn__err(err, RN_EINPUT, "REFUSED: the public record of entry %llu is not that "
                       "entry's record in canonical form (%s); nothing written",
                       (unsigned long long)pb->seq, rerr.message[0] ? rerr.message : "differs");
    if (!en->record || rn__json_members(pb->json, pb->len, pm, 128, &np) != RN_OK ||
        rn__json_members(en->record, en->record_len, dm, 128, &nd) != RN_OK)
        return rn__err(err, RN_EINPUT, "REFUSED: entry %llu: its public record cannot be "
                       "compared; nothing written", (unsigned long long)pb->seq);
    for (size_t a = 0; a < nd; a++) {
        size_t b = 0;
        while (b < np && (pm[b].name_len != dm[a].name_len ||
                          memcmp(pm[b].name, dm[a].name, dm[a].name_len)))
            b++;
        if (b == np || pm[b].value_len != dm[a].value_len ||
            memcmp(pm[b].value, dm[a].value, dm[a].value_len))
            return rn__err(err, RN_ECRYPTO, "REFUSED: the public record of entry %llu shows "
                           "field '%.*s' otherwise than the log discloses it; nothing written",
                           (unsigned long long)pb->seq, (int)(dm[a].name_len > 64 ? 64
                                                              : dm[a].name_len), dm[a].name);
    }
    (void)j;
    return RN_OK;
}

/* S6 for entry i: it parses strictly, every digest is disclosed and
 * matches, its record fits the model and re-encodes to the same bytes (a
 * public record: K7, and in a public package K8, its inclusion proof).
 * Fills j->it[i], including its leaf hash; touches nothing else but *jr
 * (this thread's record reader, made on first use), so that entries can be
 * opened on several threads at once. */
static rn_code open_one(job *j, size_t i, rn__jreader **jr, rn_error *err)
{
    const rn__sync_entry *e = &j->p.e[i];
    item *it = &j->it[i];
    rn_entry en;
    char *buf = NULL;
    rn_code rc;
    if (j->p.public_mode && !it->pub)
        return rn__err(err, RN_EINPUT,
                       "REFUSED: entry %llu of the public package has no "
                       "public record; nothing written",
                       (unsigned long long)e->seq);
    if (it->pub) {
        /* the fields the public view shows as logged: some disclosures */
        rc = rn__entry_parse(e->body, e->blen, &en);
        if (rc == RN_OK && (en.version != 2 || en.op == 'd' || e->via))
            rc = RN_EINPUT;
        size_t cap = e->dlen + e->blen + 64;
        if (rc == RN_OK && !(buf = rn__malloc(cap)))
            rc = RN_ENOMEM;
        if (rc == RN_OK)
            rc = rn__entry_disclose(&en, e->disc ? e->disc : "", e->dlen, 0, buf, cap);
    } else {
        rc = rn__ledger_entry_open(e->body, e->blen, e->disc, e->dlen, &en, &buf);
        if (rc != RN_OK && rc != RN_ENOMEM && !e->disc &&
            rn__entry_parse(e->body, e->blen, &en) == RN_OK && en.version == 2) {
            rc = RN_OK; /* withheld by the sender: its digests only */
            it->withheld = 1;
        }
    }
    if (rc == RN_OK && (en.seq != e->seq || en.seq >= j->cp.size))
        rc = RN_EINPUT;
    if (rc) {
        free(buf);
        return rn__err(err, rc == RN_ECRYPTO ? RN_ECRYPTO : RN_EINPUT,
                       "REFUSED: entry %llu of the package %s; nothing written",
                       (unsigned long long)e->seq,
                       rc == RN_ECRYPTO ? "has a disclosure that matches none of its "
                                          "digests (a changed value)"
                                        : "is not a well-formed log entry with all its "
                                          "disclosures");
    }
    if (!j->stream) /* streamed: check_entries hashed every leaf first */
        rn__merkle_leaf_hash(e->body, e->blen, it->leaf);
    it->op = en.op;
    if (it->withheld) {
        free(buf);
        it->author = rn__strndup("", 0);
        if (en.id_len == RN_ID_LEN)
            memcpy(it->id, en.id, RN_ID_LEN);
        return RN_OK;
    }
    if (en.id_len != RN_ID_LEN || en.type_len >= sizeof it->type ||
        en.time_len >= sizeof it->time) {
        free(buf);
        return rn__err(err, RN_EINPUT, "REFUSED: sync package: entry %llu: bad id, type or time",
                       (unsigned long long)e->seq);
    }
    memcpy(it->id, en.id, RN_ID_LEN);
    memcpy(it->type, en.type, en.type_len);
    memcpy(it->time, en.time, en.time_len);
    it->author = en.author ? unescape_author(en.author, en.author_len) : rn__strndup("", 0);
    if (!it->author) {
        free(buf);
        return rn__err(err, RN_EINPUT, "REFUSED: sync package: entry %llu: bad author",
                       (unsigned long long)e->seq);
    }
    if (it->pub) {
        rc = check_public(j, it, &en, &j->p.pub[it->made_index], err);
        free(buf);
        if (rc || !j->p.public_mode)
            return rc;
        /* K8: its own inclusion proof in the signed tree */
        rn_hash proof[RN_PROOF_MAX];
        rn__sync_entry_proof(e, proof);
        if (rn__merkle_verify_inclusion(e->seq, j->cp.size, it->leaf, (const rn_hash *)proof,
                                        e->nproof, j->cp.root) != RN_OK)
            return rn__err(err, RN_ECRYPTO,
                           "REFUSED: entry %llu is not in the signed "
                           "checkpoint's tree (its inclusion proof fails); nothing "
                           "written",
                           (unsigned long long)e->seq);
        return RN_OK;
    }
    if (en.op != 'd') {
        if (!en.record) {
            free(buf);
            return rn__err(err, RN_EINPUT, "REFUSED: sync package: entry %llu has no record",
                           (unsigned long long)e->seq);
        }
        rn_error rerr;
        rn_error_clear(&rerr);
        rn_record *r = NULL;
        /* the model's reader (rn_record_from_json's), kept across entries;
         * the record kept for S9 is a copy of just its size */
        if (!*jr && !(*jr = rn__jreader_new()))
            rc = rn__err(&rerr, RN_ENOMEM, "out of memory");
        else
            rc = rn__jreader_read(*jr, en.record, en.record_len, -1, &r, &rerr);
        if (rc == RN_OK && !(it->rec = rn__record_clone(r)))
            rc = rn__err(&rerr, RN_ENOMEM, "out of memory");
        if (rc == RN_OK)
            rc = rn_record_to_json(it->rec, RN_JSON_CANONICAL, &it->canon, &it->canon_len);
        if (rc == RN_OK &&
            (it->canon_len != en.record_len || memcmp(it->canon, en.record, en.record_len) != 0 ||
             strcmp(rn_record_id(it->rec), it->id) != 0))
            rc = RN_EINPUT;
        if (rc) {
            free(buf);
            return rn__err(err, RN_EINPUT,
                           "REFUSED: entry %llu: its record does not fit "
                           "this instance's model (%s); nothing written",
                           (unsigned long long)e->seq,
                           rerr.message[0] ? rerr.message : "not canonical");
        }
    }
    free(buf);
    return e->via ? parse_via(it, e, err) : RN_OK;
}

/* Entries [a, b) of a package, opened by one thread (open_one) up to the
 * first it refuses: bad (b if none), with its code and message. */
typedef struct check_part {
    job *j;
    int leaves; /* only each entry's leaf hash (it cannot fail) */
    size_t a, b, bad;
    rn__jreader *jr;
    rn_code rc;
    rn_error err;
} check_part;

/* Packages of fewer entries are checked on one thread (a thread costs more
 * than it saves), and checked whole before S9 applies any */
#define CHECK_SPLIT_MIN 512
#define STREAM_MIN 512

static void *check_run(void *arg)
{
    check_part *pt = arg;
    rn_error_clear(&pt->err);
    pt->rc = RN_OK;
    const rn__sync_entry *e = pt->j->p.e;
    for (pt->bad = pt->a; pt->bad < pt->b; pt->bad++)
        if (pt->leaves)
            rn__merkle_leaf_hash(e[pt->bad].body, e[pt->bad].blen, pt->j->it[pt->bad].leaf);
        else if ((pt->rc = open_one(pt->j, pt->bad, &pt->jr, &pt->err)))
            break;
    return NULL;
}

/* S6 (or with leaves, only the leaf hashes) for every entry: part[0] the
 * first half (or all), part[1] the rest on a second thread. Each part stops
 * at its first refusal (check_part.bad); the caller reports the earliest in
 * the entries' order. */
static void check_all(job *j, int leaves, check_part part[2])
{
    size_t n = j->p.ne, half = n >= CHECK_SPLIT_MIN ? n / 2 : n;
    part[0] = (check_part){.j = j, .leaves = leaves, .a = 0, .b = half, .jr = j->jr};
    part[1] = (check_part){.j = j, .leaves = leaves, .a = half, .b = n};
    pthread_t t;
    int two = half < n && pthread_create(&t, NULL, check_run, &part[1]) == 0;
    if (!two)
        part[0].b = n; /* no thread to be had: all here */
    check_run(&part[0]);
    j->jr = part[0].jr;
    if (two) {
        pthread_join(t, NULL);
        rn__jreader_free(part[1].jr);
    }
}

/* S7 from the frontier f of FROM over the entries' leaf hashes. With part
 * (S6's outcome for every entry), the first entry S6 refused is reported
 * at its place in the entries' order: what one pass over the entries in
 * order would have reported. */
static rn_code check_tree(job *j, rn_frontier *f, const check_part *part, rn_error *err)
{
    char a[65], b[65];
    for (size_t i = 0; i < j->p.ne; i++) {
        const check_part *pt = part ? &part[i >= part[0].b] : NULL;
        if (pt && i == pt->bad) {
            if (err)
                *err = pt->err;
            return pt->rc;
        }
        if (j->p.public_mode)
            continue;
        (void)rn__frontier_append(f, j->it[i].leaf);
        if (f->size == j->seen && j->seen > j->p.from) {
            rn_hash r;
            rn__frontier_root(f, r);
            if (memcmp(r, j->seen_root, RN_HASH_LEN) != 0) {
                hex(j->seen_root, a);
                hex(r, b);
                return rn__err(err, RN_ETAMPER, "REFUSED (FORK): peer %s's log of %llu "
                               "entries had root %s when seen before, and this package's "
                               "entries give %s; nothing written", j->peer,
                               (unsigned long long)j->seen, a, b);
            }
        }
    }
    rn_hash root;
    rn__frontier_root(f, root);
    if (!j->p.public_mode && memcmp(root, j->cp.root, RN_HASH_LEN) != 0)
        return rn__err(err, RN_ECRYPTO, "REFUSED: the package's entries do not hash to its "
                       "signed checkpoint's root (a changed or missing byte); nothing written");
    return RN_OK;
}

/* S5, S6, S7 */
static rn_code check_entries(job *j, rn_error *err)
{
    rn_frontier f;
    char a[65], b[65];
    uint8_t fb[64 * RN_HASH_LEN];
    if (j->p.public_mode && j->seen > 0 &&
        (!j->p.has_cons || j->p.cons_size != j->cp.size ||
         rn__merkle_verify_consistency(j->seen, j->cp.size, (const rn_hash *)j->p.cons,
                                       j->p.ncons, j->seen_root, j->cp.root) != RN_OK))
        return rn__err(err, RN_ETAMPER, "REFUSED (FORK): the public package's checkpoint of "
                       "peer %s does not extend the log of %llu entries seen before; nothing "
                       "written", j->peer, (unsigned long long)j->seen);
    for (size_t i = 0; i < j->p.nfront; i++)
        memcpy(fb + i * RN_HASH_LEN, j->p.front[i], RN_HASH_LEN);
    if (rn__frontier_load(&f, j->p.public_mode ? 0 : j->p.from, fb,
                          j->p.nfront * RN_HASH_LEN) != RN_OK)
        return rn__err(err, RN_EINPUT, "REFUSED: sync package: the range's frontier does not fit FROM");
    rn_hash from_root;
    rn__frontier_root(&f, from_root);
    if (j->p.has_cons && !j->p.public_mode &&
        (j->p.cons_size != j->cp.size ||
         rn__merkle_verify_consistency(j->p.from, j->cp.size, (const rn_hash *)j->p.cons,
                                       j->p.ncons, from_root, j->cp.root) != RN_OK))
        return rn__err(err, RN_ECRYPTO, "REFUSED: the consistency proof from %llu to %llu "
                       "entries does not verify against the signed checkpoint; nothing written",
                       (unsigned long long)j->p.from, (unsigned long long)j->cp.size);
    if (!j->p.public_mode && j->p.from == j->seen && j->seen > 0 &&
        memcmp(from_root, j->seen_root, RN_HASH_LEN)) {
        hex(j->seen_root, a);
        hex(from_root, b);
        return rn__err(err, RN_ETAMPER, "REFUSED (FORK): peer %s's log of %llu entries had root "
                       "%s when seen before, and this package builds on root %s; nothing "
                       "written", j->peer, (unsigned long long)j->seen, a, b);
    }
    j->it = rn__calloc(j->p.ne ? j->p.ne : 1, sizeof *j->it);
    if (!j->it)
        return rn__err(err, RN_ENOMEM, "out of memory");
    j->nit = j->p.ne;
    /* K7: each public record names a distinct entry */
    for (size_t k = 0; k < j->p.npub; k++) {
        size_t ix = 0;
        if (!entry_index(j, j->p.pub[k].seq, &ix))
            return rn__err(err, RN_EINPUT, "REFUSED: sync package: a public record names no "
                           "entry; nothing written");
        item *t = &j->it[ix];
        if (t->pub)
            return rn__err(err, RN_EINPUT, "REFUSED: sync package: entry %llu has two public "
                           "records; nothing written", (unsigned long long)j->p.pub[k].seq);
        t->pub = 1;
        t->made_index = k; /* which public section (a public package has no via) */
    }
    /* A large package is streamed: every leaf is hashed and S7 passes here,
     * then S6 opens the entries one by one while S9 applies them, each
     * entry before it is applied (apply_all). When S7 refuses, S6 runs over
     * every entry first after all, so that the refusal is the one the checks
     * in their order report. */
    if (j->p.ne >= STREAM_MIN && !j->p.public_mode && j->p.npub == 0 && j->p.nb == 0) {
        rn_frontier g = f;
        check_part part[2];
        check_all(j, 1, part);
        if (check_tree(j, &g, NULL, NULL) == RN_OK) {
            j->stream = 1;
            return RN_OK;
        }
    }
    /* S6 for every entry, on two threads when there are many; then S7 */
    check_part part[2];
    check_all(j, 0, part);
    return check_tree(j, &f, part, err);
}

int rn__sync_have_blob(rn_store *s, const char *sha)
{
    char path[4400];
    struct stat st;
    return rn_store_blob_path(s, sha, path, sizeof path) == RN_OK && stat(path, &st) == 0;
}

static const rn__sync_blob *pkg_blob(const rn__sync_pkg *p, const char *sha)
{
    size_t lo = 0, hi = p->nb;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = memcmp(p->b[mid].sha, sha, 64);
        if (c == 0)
            return &p->b[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The importer's policy for entry i: a change to apply must be of a type
 * it allows (the server: the pushing account's role). */
static rn_code policy_one(job *j, size_t i, rn_error *err)
{
    item *it = &j->it[i];
    if (!j->may || it->withheld || (j->p.from + i < j->seen && !it->pub) || is_echo(j, it) ||
        j->may(j->may_ctx, it->type))
        return RN_OK;
    return rn__err(err, RN_ECONSTRAINT, "REFUSED: entry %llu changes %s %s, which the "
                   "account's role may not write; nothing written",
                   (unsigned long long)(j->p.from + i), it->type, it->id);
}

/* S8 for entry i: an attachment it applies names a blob in the package or
 * here. */
static rn_code blob_one(job *j, size_t i, rn_error *err)
{
    item *it = &j->it[i];
    if (it->withheld || !it->rec || (j->p.from + i < j->seen && !it->pub) ||
        rn_record_type(it->rec) != RN_T_ATTACHMENT)
        return RN_OK;
    const char *sha = rn_record_get(it->rec, "sha256", NULL);
    if (!sha || pkg_blob(&j->p, sha) || rn__sync_have_blob(j->s, sha))
        return RN_OK;
    for (size_t k = 0; k < j->p.nf; k++)
        if (memcmp(j->p.f[k].sha, sha, 64) == 0)
            return rn__err(err, RN_EINPUT, "REFUSED: attachment %s names file %s, which the "
                           "package left out (its sender holds that this instance has it) "
                           "and which is not here: export the package again with "
                           "--all-files, or pull it; nothing written", it->id, sha);
    return rn__err(err, RN_EINPUT, "REFUSED: attachment %s names blob %s, which is neither "
                   "in the package nor here; nothing written", it->id, sha);
}

/* The policy, then S8, for entries [from, nit), each check over all of
 * them in turn: the first refusal in that order. */
static rn_code check_rest(job *j, size_t from, int policy, int blobs, rn_error *err)
{
    rn_code rc = RN_OK;
    for (size_t i = from; policy && i < j->nit && rc == RN_OK; i++)
        rc = policy_one(j, i, err);
    for (size_t i = from; blobs && i < j->nit && rc == RN_OK; i++)
        rc = blob_one(j, i, err);
    return rc;
}

rn_code rn__sync_write_blob(rn_store *s, const rn__sync_blob *b, rn_error *err)
{
    char dir[4300], tmp[4400], final[4400];
    const char *bd = rn_store_blob_dir(s);
    if (rn__sync_have_blob(s, b->sha))
        return RN_OK;
    snprintf(dir, sizeof dir, "%s/%.2s", bd, b->sha);
    if ((mkdir(bd, 0755) != 0 && errno != EEXIST) || (mkdir(dir, 0755) != 0 && errno != EEXIST))
        return rn__err(err, RN_EIO, "cannot create %s: %s", dir, strerror(errno));
    snprintf(tmp, sizeof tmp, "%s/.incoming-XXXXXX", bd);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return rn__err(err, RN_EIO, "cannot write in %s: %s", bd, strerror(errno));
    rn_code rc = RN_OK;
    for (uint64_t w = 0; w < b->len;) {
        size_t chunk = b->len - w > (1u << 20) ? (1u << 20) : (size_t)(b->len - w);
        ssize_t k = write(fd, b->data + w, chunk);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            rc = rn__err(err, RN_EIO, "writing blob %s: %s", b->sha, strerror(errno));
            break;
        }
        w += (uint64_t)k;
    }
    if (rc == RN_OK && (fsync(fd) != 0 || fchmod(fd, 0444) != 0))
        rc = rn__err(err, RN_EIO, "flushing blob %s: %s", b->sha, strerror(errno));
    close(fd);
    snprintf(final, sizeof final, "%s/%s", dir, b->sha);
    if (rc == RN_OK && rename(tmp, final) != 0)
        rc = rn__err(err, RN_EIO, "storing blob %s: %s", b->sha, strerror(errno));
    if (rc)
        unlink(tmp);
    return rc;
}

static rn_code prep(job *j, sqlite3_stmt **st, const char *sql, rn_error *err)
{
    if (*st) {
        sqlite3_reset(*st);
        sqlite3_clear_bindings(*st);
        return RN_OK;
    }
    return sqlite3_prepare_v2(j->db, sql, -1, st, NULL) == SQLITE_OK
               ? RN_OK
               : rn__sync_dberr(j->db, err, "sync");
}

/* The latest local entry of id: *seq (-1: none) and its op. */
static rn_code last_local(job *j, const char *id, int64_t *seq, char *op, rn_error *err)
{
    rn_code rc = prep(j, &j->q_last, "SELECT seq, op FROM ledger_entry WHERE record_id=? "
                                     "ORDER BY seq DESC LIMIT 1", err);
    if (rc)
        return rc;
    sqlite3_bind_text(j->q_last, 1, id, -1, SQLITE_STATIC);
    *seq = -1;
    *op = 0;
    if (sqlite3_step(j->q_last) == SQLITE_ROW) {
        *seq = sqlite3_column_int64(j->q_last, 0);
        const char *o = (const char *)sqlite3_column_text(j->q_last, 1);
        *op = o ? o[0] : 0;
    }
    sqlite3_reset(j->q_last);
    return RN_OK;
}

/* The seq of this log's newest entry: the one the write just made (a put or
 * delete of the store appends exactly one entry, its last write, and S9 runs
 * alone in its transaction), as the log's writer knows it. */
static rn_code log_tip(job *j, int64_t *seq, rn_error *err)
{
    uint64_t next = 0;
    rn_code rc = rn__ledger_next_seq(j->db, &next, err);
    if (rc)
        return rc;
    if (next == 0)
        return rn__err(err, RN_ETAMPER, "sync: the log has no entry after a write");
    *seq = (int64_t)(next - 1);
    return RN_OK;
}

static rn_code set_base(job *j, const char *id, int64_t seq, rn_error *err)
{
    rn_code rc = prep(j, &j->q_rec, "INSERT OR REPLACE INTO sync_record(peer_origin, "
                                    "record_id, local_seq) VALUES (?,?,?)", err);
    if (rc)
        return rc;
    sqlite3_bind_text(j->q_rec, 1, j->origin, -1, SQLITE_STATIC);
    sqlite3_bind_text(j->q_rec, 2, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(j->q_rec, 3, seq);
    rc = sqlite3_step(j->q_rec) == SQLITE_DONE ? RN_OK : rn__sync_dberr(j->db, err, "sync");
    sqlite3_reset(j->q_rec);
    return rc;
}

/* Did the local entry `seq` apply a change received from this peer (a
 * provenance row of its log)? Then the peer holds that version of the
 * record: S9 applied it from the peer and recorded no sync_record row for it
 * (one row fewer per change). Only S9 writes provenance rows; an export or an
 * equal record moves sync_record instead. */
static rn_code applied_from_peer(job *j, int64_t seq, int *yes, rn_error *err)
{
    rn_code rc = prep(j, &j->q_from, "SELECT 1 FROM sync_provenance WHERE seq=? AND origin=?",
                      err);
    if (rc)
        return rc;
    sqlite3_bind_int64(j->q_from, 1, seq);
    sqlite3_bind_text(j->q_from, 2, j->origin, -1, SQLITE_STATIC);
    int src = sqlite3_step(j->q_from);
    *yes = src == SQLITE_ROW;
    sqlite3_reset(j->q_from);
    return src == SQLITE_ROW || src == SQLITE_DONE ? RN_OK
                                                   : rn__sync_dberr(j->db, err, "reading provenance");
}

static rn_code keep_conflict(job *j, const item *it, uint64_t seq, int64_t mine, int open,
                             rn_error *err)
{
    rn_code rc;
    sqlite3_stmt *st;
    if (open) {
        if ((rc = prep(j, &j->q_conf_upd, "UPDATE sync_conflict SET peer=?, origin=?, "
                                          "origin_index=?, theirs=?, theirs_author=?, "
                                          "theirs_time=? WHERE record_id=? AND resolved_take "
                                          "IS NULL", err)))
            return rc;
        st = j->q_conf_upd;
    } else {
        if ((rc = prep(j, &j->q_conf_ins, "INSERT INTO sync_conflict(peer, origin, "
                                          "origin_index, theirs, theirs_author, theirs_time, "
                                          "record_id, opened, type, mine_seq) VALUES "
                                          "(?,?,?,?,?,?,?,(SELECT count(*) FROM ledger_entry),"
                                          "?,?)", err)))
            return rc;
        st = j->q_conf_ins;
        sqlite3_bind_text(st, 8, it->type, -1, SQLITE_STATIC);
        if (mine >= 0)
            sqlite3_bind_int64(st, 9, mine);
    }
    sqlite3_bind_text(st, 1, j->peer, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, j->origin, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)seq);
    if (it->canon)
        sqlite3_bind_text(st, 4, it->canon, (int)it->canon_len, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, it->author, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, it->made_in ? it->made_time : it->time, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, it->id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? RN_OK : rn__sync_dberr(j->db, err, "keeping a "
                                                                  "conflict");
    sqlite3_reset(st);
    j->any_open = 1;
    return rc;
}

/* Is the record `id` in the store equal to it->canon? */
static int same_here(job *j, const item *it)
{
    rn_record *r = NULL;
    if (rn_store_get(j->s, it->id, &r, NULL) != RN_OK)
        return 0;
    char *c = NULL;
    size_t n = 0;
    int same = rn_record_to_json(r, RN_JSON_CANONICAL, &c, &n) == RN_OK &&
               n == it->canon_len && memcmp(c, it->canon, n) == 0;
    free(c);
    rn_record_free(r);
    return same;
}

static rn_code provenance(job *j, const item *it, uint64_t oseq, int64_t lseq, const char *by,
                          rn_error *err)
{
    rn_code rc = prep(j, &j->q_prov,
                      "INSERT INTO sync_provenance(seq, record_id, peer, origin, origin_index, "
                      "origin_checkpoint, origin_leaf, author, time, made_in, made_index, "
                      "brought_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", err);
    if (rc)
        return rc;
    sqlite3_stmt *st = j->q_prov;
    sqlite3_bind_int64(st, 1, lseq);
    sqlite3_bind_text(st, 2, it->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, j->peer, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, j->origin, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)oseq);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)j->cp.size);
    sqlite3_bind_blob(st, 7, it->leaf, RN_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, it->author, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, it->made_in ? it->made_time : it->time, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, it->made_in ? it->made_in : j->origin, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 11, (sqlite3_int64)(it->made_in ? it->made_index : oseq));
    sqlite3_bind_text(st, 12, by, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? RN_OK
                                         : rn__sync_dberr(j->db, err, "recording provenance");
    sqlite3_reset(st);
    return rc;
}

/* S9 for one entry. */
static rn_code apply_one(job *j, item *it, uint64_t oseq, const char *by,
                         const rn__ledger_prep *made, rn_sync_stats *stats, rn_error *err)
{
    if (is_echo(j, it)) {
        stats->echoes++; /* our own change, back from the peer */
        return RN_OK;
    }
    int64_t ls, base = -1;
    char lop;
    rn_code rc = last_local(j, it->id, &ls, &lop, err);
    if (rc)
        return rc;
    int exists = ls >= 0 && lop != 'd';
    /* an open conflict: asked only when there is any (j->any_open) */
    int open = 0;
    if (j->any_open) {
        if ((rc = prep(j, &j->q_conf, "SELECT 1 FROM sync_conflict WHERE record_id=? AND "
                                      "resolved_take IS NULL", err)))
            return rc;
        sqlite3_bind_text(j->q_conf, 1, it->id, -1, SQLITE_STATIC);
        open = sqlite3_step(j->q_conf) == SQLITE_ROW;
        sqlite3_reset(j->q_conf);
    }
    if (open) {
        stats->conflicts++;
        return keep_conflict(j, it, oseq, ls, 1, err);
    }
    /* what the peer last had of it matters only for a record logged here */
    if (ls >= 0) {
        if ((rc = prep(j, &j->q_base, "SELECT local_seq FROM sync_record WHERE peer_origin=? "
                                      "AND record_id=?", err)))
            return rc;
        sqlite3_bind_text(j->q_base, 1, j->origin, -1, SQLITE_STATIC);
        sqlite3_bind_text(j->q_base, 2, it->id, -1, SQLITE_STATIC);
        if (sqlite3_step(j->q_base) == SQLITE_ROW)
            base = sqlite3_column_int64(j->q_base, 0);
        sqlite3_reset(j->q_base);
    }
    int same = it->op == 'd' ? !exists : exists && same_here(j, it);
    if (same) {
        stats->same++;
        return ls >= 0 ? set_base(j, it->id, ls, err) : RN_OK;
    }
    if (ls >= 0 && ls != base) {
        int theirs = 0;
        if ((rc = applied_from_peer(j, ls, &theirs, err)))
            return rc;
        if (!theirs) {
            /* changed here since the peer last had it: keep both */
            stats->conflicts++;
            return keep_conflict(j, it, oseq, ls, 0, err);
        }
    }
    if ((rc = rn_store_set_author(j->s, it->author)))
        return rn__err(err, rc, "entry %llu: author too long", (unsigned long long)oseq);
    if (it->op == 'd') {
        rc = rn__store_sync_delete(j->s, it->id, err);
        if (rc == RN_ECONSTRAINT) {
            /* they deleted what a record here still refers to: keep both */
            stats->conflicts++;
            return keep_conflict(j, it, oseq, ls, 0, err);
        }
    } else {
        /* S6 checked it->canon: the store logs it as it is */
        rc =
            rn__store_sync_write_canon(j->s, it->rec, ls >= 0, it->canon, it->canon_len, made, err);
    }
    if (rc)
        return rc;
    int64_t nseq = -1;
    if ((rc = log_tip(j, &nseq, err)))
        return rc;
    /* no sync_record row: the provenance row says that the peer holds nseq
     * (applied_from_peer) */
    if ((rc = provenance(j, it, oseq, nseq, by, err)))
        return rc;
    stats->applied++;
    return RN_OK;
}

/* ---- log entries made ahead ------------------------------------------------
 * S9 is the write transaction's thread alone. While it applies entry i, a
 * helper thread makes the log entries of the entries after it, as `remnant
 * import` does (lib/store/import.c): the disclosures of each record's
 * canonical JSON under its original author, and for a create the whole
 * entry and its leaf hash, on the guess that every entry to apply is
 * applied, in order (a first sync). The append uses what was made only if
 * every guess holds (rn__ledger_append), so a wrong one (an entry already
 * here, a conflict) costs time, never correctness. */

#define AHEAD_SLOTS 512 /* entries made ahead at most */
#define AHEAD_NOTIFY 64 /* progress is told to the other thread this often */
#define AHEAD_MIN 512   /* fewer entries to apply: not worth a thread */

typedef struct ahead {
    job *j;
    rn__salts salts;
    uint64_t next_seq; /* the log index the next applied entry will take */
    rn__helper th;
    size_t made;      /* entries [0, made) are made (told under th.mu) */
    size_t used;      /* the applier is done with entries [0, used) */
    size_t made_seen; /* the applier's copy of made */
    int stop;         /* the applier has given up */
    int done;         /* the helper is at its end (told under th.mu) */
    /* a streamed package (j->stream): the helper opens each entry (S6)
     * before it makes it; once it is done or stopped, entries [0, made)
     * are opened, and the entry after them was refused with bad_rc,
     * bad_err unless bad_rc is RN_OK */
    rn__jreader *jr;
    rn_code bad_rc;
    rn_error bad_err;
    rn__ledger_prep slot[AHEAD_SLOTS]; /* entry i's in slot i % AHEAD_SLOTS */
} ahead;

/* Would S9 apply entry i, as far as S6 can tell (echoes, withheld and
 * already-seen entries are not)? */
static int may_apply(const job *j, size_t i)
{
    const item *it = &j->it[i];
    return j->p.from + i >= j->seen && !it->withheld && !it->pub && !is_echo(j, it);
}

static void ahead_make(ahead *a, size_t i)
{
    const item *it = &a->j->it[i];
    rn__ledger_prep *p = &a->slot[i % AHEAD_SLOTS];
    p->canon = NULL;
    p->whole = 0;
    if (!may_apply(a->j, i))
        return;
    uint64_t seq = a->next_seq++;
    rn_type t = it->rec ? rn_record_type(it->rec) : RN_T_COUNT;
    /* a finding's or a trace request's bytes are made anew by the store
     * (rn__store_sync_write_canon): nothing to make ahead for those */
    if (!it->canon || rn__lifecycle_type(t) ||
        rn__ledger_prepare(p, &a->salts, it->canon, it->canon_len, it->author) != RN_OK)
        return;
    if (it->op == 'c')
        rn__ledger_prepare_entry(p, it->id, rn_type_name(t), seq);
}

static void *ahead_run(void *arg)
{
    ahead *a = arg;
    rn__thread_helper();
    size_t n = a->j->nit, used = 0, i;
    for (i = 0; i < n; i++) {
        if (i - used >= AHEAD_SLOTS || i % AHEAD_NOTIFY == 0) {
            pthread_mutex_lock(&a->th.mu);
            a->made = i;
            pthread_cond_broadcast(&a->th.cv);
            while (i - a->used >= AHEAD_SLOTS && !a->stop)
                pthread_cond_wait(&a->th.cv, &a->th.mu);
            used = a->used;
            int stop = a->stop;
            pthread_mutex_unlock(&a->th.mu);
            if (stop)
                break;
        }
        if (a->j->stream && (a->bad_rc = open_one(a->j, i, &a->jr, &a->bad_err)))
            break;
        ahead_make(a, i);
    }
    pthread_mutex_lock(&a->th.mu);
    a->made = i;
    a->done = 1;
    pthread_cond_broadcast(&a->th.cv);
    pthread_mutex_unlock(&a->th.mu);
    return NULL;
}

/* The helper for job j's S9, or NULL (few entries; no thread to be had):
 * then every append makes its own entry, and a streamed package's entries
 * are opened by the applier. */
static ahead *ahead_start(job *j)
{
    size_t todo = 0;
    for (size_t i = 0; !j->stream && i < j->nit && todo < AHEAD_MIN; i++)
        todo += may_apply(j, i);
    sqlite3 *db = j->db;
    uint64_t next = 0;
    if ((todo < AHEAD_MIN && !j->stream) || j->p.public_mode ||
        rn__ledger_next_seq(db, &next, NULL) != RN_OK)
        return NULL;
    ahead *a = rn__calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->j = j;
    a->next_seq = next;
    rn__salts_init(&a->salts);
    for (size_t k = 0; k < AHEAD_SLOTS; k++)
        rn__ledger_prep_init(&a->slot[k]);
    if (rn__helper_start(&a->th, ahead_run, a))
        return a;
    rn__salts_wipe(&a->salts);
    free(a);
    return NULL;
}

/* Entry i's made-ahead log entry (*p, NULL if none), for the applier, which
 * takes entries in order; what it took before i is done with. Not RN_OK:
 * the helper refused entry i in S6 (*err says why). */
static rn_code ahead_take(ahead *a, size_t i, const rn__ledger_prep **p, rn_error *err)
{
    if (i >= a->made_seen || i % AHEAD_NOTIFY == 0) {
        pthread_mutex_lock(&a->th.mu);
        a->used = i;
        pthread_cond_broadcast(&a->th.cv);
        while (a->made <= i && !a->done)
            pthread_cond_wait(&a->th.cv, &a->th.mu);
        a->made_seen = a->made;
        pthread_mutex_unlock(&a->th.mu);
    }
    *p = NULL;
    if (i >= a->made_seen) {
        /* done before i: only a refusal of entry i stops it there */
        if (!a->bad_rc)
            return rn__err(err, RN_EINVAL, "sync: the entry helper stopped early");
        if (err)
            *err = a->bad_err;
        return a->bad_rc;
    }
    const rn__ledger_prep *q = &a->slot[i % AHEAD_SLOTS];
    *p = q->canon ? q : NULL;
    return RN_OK;
}

/* Stop the helper (if it is still making entries) and free it all. */
static void ahead_end(ahead *a)
{
    if (!a)
        return;
    rn__helper_stop(&a->th, &a->stop);
    for (size_t k = 0; k < AHEAD_SLOTS; k++)
        rn__ledger_prep_free(&a->slot[k]);
    rn__salts_wipe(&a->salts);
    rn__jreader_free(a->jr);
    free(a);
}

/* Where a streamed package's entry stopped: in S6, the policy, S8, S9 */
enum { AT_S6, AT_POLICY, AT_S8, AT_S9 };

/* Entry i of a streamed package, before S9 applies it: S6 (by the helper a
 * when there is one, which also made *prep), the policy, S8. *stage says
 * where it stopped. */
static rn_code stream_check(job *j, ahead *a, size_t i, const rn__ledger_prep **prep,
                            int *stage, rn_error *err)
{
    rn_code rc;
    *stage = AT_S6;
    if ((rc = a ? ahead_take(a, i, prep, err) : open_one(j, i, &j->jr, err)))
        return rc;
    *stage = AT_POLICY;
    if ((rc = policy_one(j, i, err)))
        return rc;
    *stage = AT_S8;
    return blob_one(j, i, err);
}

/* A streamed package stopped at entry i, with rc and *err, at `stage`.
 * The refusal reported is the one the checks in their order would have
 * reported before S9 wrote anything: S6 over every entry, then the policy
 * over every entry, then S8 (S7 passed before; every entry before i passed
 * all of them). The caller rolls back. */
static rn_code first_refusal(job *j, ahead *a, size_t i, int stage, rn_code rc, rn_error *err)
{
    if (stage == AT_S6)
        return rc;
    size_t k = i + 1;
    if (a) {
        rn__helper_stop(&a->th, &a->stop);
        if (a->bad_rc) {
            if (err)
                *err = a->bad_err;
            return a->bad_rc;
        }
        k = a->made > k ? a->made : k;
    }
    rn_error e;
    for (rn_code r; k < j->nit; k++)
        if ((r = open_one(j, k, &j->jr, &e))) {
            if (err)
                *err = e;
            return r;
        }
    rn_code r = check_rest(j, i + 1, stage >= AT_S8, stage >= AT_S9, &e);
    if (r && err)
        *err = e;
    return r ? r : rc;
}

/* S9, S10 inside the transaction. */
static rn_code apply_all(job *j, const char *by, rn_sync_stats *stats, rn_error *err)
{
    rn_code rc = RN_OK;
    sqlite3_stmt *any = NULL;
    if (sqlite3_prepare_v2(j->db, "SELECT 1 FROM sync_conflict WHERE resolved_take IS NULL "
                                  "LIMIT 1", -1, &any, NULL) != SQLITE_OK)
        return rn__sync_dberr(j->db, err, "reading conflicts");
    j->any_open = sqlite3_step(any) == SQLITE_ROW;
    sqlite3_finalize(any);
    ahead *a = ahead_start(j);
    for (size_t i = 0; i < j->nit && rc == RN_OK && !j->p.public_mode; i++) {
        uint64_t oseq = j->p.from + i;
        const rn__ledger_prep *prep = NULL;
        int stage = AT_S9;
        if (j->stream && (rc = stream_check(j, a, i, &prep, &stage, err))) {
            rc = first_refusal(j, a, i, stage, rc, err);
            break;
        }
        if (oseq < j->seen)
            continue;
        if (j->it[i].withheld) {
            stats->withheld++;
            continue;
        }
        if (j->it[i].pub)
            continue; /* below, in the view's order */
        if (a && !j->stream && ahead_take(a, i, &prep, NULL) != RN_OK)
            prep = NULL;
        rc = apply_one(j, &j->it[i], oseq, by, prep, stats, err);
        if (rc && err && err->message[0] && strncmp(err->message, "entry ", 6) != 0) {
            char m[RN_ERR_MSG_MAX];
            memcpy(m, err->message, sizeof m);
            m[300] = '\0';
            rn__err(err, rc, "entry %llu of peer %.64s (record %s): %s; nothing written",
                    (unsigned long long)oseq, j->peer, j->it[i].id, m);
        }
        if (rc && j->stream)
            rc = first_refusal(j, a, i, stage, rc, err);
    }
    ahead_end(a);
    /* a public package: the public records, referenced before referring; one
     * already here as shown is left alone (a later package repeats them) */
    for (size_t k = 0; k < j->p.npub && rc == RN_OK; k++) {
        uint64_t oseq = j->p.pub[k].seq;
        size_t ix = 0;
        (void)entry_index(j, oseq, &ix);
        item *it = &j->it[ix];
        it->made_index = oseq;
        rc = apply_one(j, it, oseq, by, NULL, stats, err);
        if (rc && err && err->message[0]) {
            char m[RN_ERR_MSG_MAX];
            memcpy(m, err->message, sizeof m);
            m[300] = '\0';
            rn__err(err, rc, "public record %s (entry %llu of peer %.64s): %s; nothing written",
                    it->id, (unsigned long long)oseq, j->peer, m);
        }
    }
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(j->db, "INSERT OR IGNORE INTO sync_leaf(origin, idx, leaf_hash, "
                                  "proof, proof_size) VALUES (?,?,?,?,?)", -1, &st, NULL) !=
        SQLITE_OK)
        return rn__sync_dberr(j->db, err, "keeping the peer's leaves");
    for (size_t i = 0; i < j->nit && rc == RN_OK; i++) {
        const rn__sync_entry *e = &j->p.e[i];
        rn_hash proof[RN_PROOF_MAX];
        sqlite3_bind_text(st, 1, j->origin, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)e->seq);
        sqlite3_bind_blob(st, 3, j->it[i].leaf, RN_HASH_LEN, SQLITE_STATIC);
        if (j->p.public_mode) {
            rn__sync_entry_proof(e, proof);
            sqlite3_bind_blob(st, 4, e->nproof ? (const void *)proof : "",
                              (int)(e->nproof * RN_HASH_LEN), SQLITE_STATIC);
            sqlite3_bind_int64(st, 5, (sqlite3_int64)j->cp.size);
        } else {
            sqlite3_bind_null(st, 4);
            sqlite3_bind_null(st, 5);
        }
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = rn__sync_dberr(j->db, err, "keeping the peer's leaves");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc)
        return rc;
    /* E3's acknowledgement: a change of this log that the peer sends back
     * shows it accepted this log up to that change */
    uint64_t acked = 0;
    for (size_t i = 0; i < j->nit; i++)
        if (is_echo(j, &j->it[i]) && j->it[i].made_index + 1 > acked && !j->it[i].pub)
            acked = j->it[i].made_index + 1;
    if (acked && (rc = rn_sync_peer_acked(j->s, j->peer, acked, err)))
        return rc;
    char now[32];
    rn__sync_now(now);
    if (sqlite3_prepare_v2(j->db, "INSERT INTO sync_checkpoint(origin, size, root, note, vkey, "
                                  "received) VALUES (?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
        return rn__sync_dberr(j->db, err, "keeping the peer's checkpoint");
    sqlite3_bind_text(st, 1, j->origin, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)j->cp.size);
    sqlite3_bind_blob(st, 3, j->cp.root, RN_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, j->p.note, (int)j->p.note_len, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, j->vkey, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = rn__sync_dberr(j->db, err, "keeping the peer's checkpoint");
    sqlite3_finalize(st);
    return rc;
}

/* S9's preparation, as `remnant import` does (lib/store/import.c): the
 * store is told how many records the package will write, so that a large
 * package into a small database (a first sync to an empty headquarters)
 * builds the store's secondary indexes once, at commit, instead of row by
 * row (the SQLite store's ops->bulk; it decides whether the database is
 * small enough). Part of the transaction: a refusal or a crash undoes it
 * with everything else. Nothing S9 reads goes through those indexes except
 * a delete's search for what still refers to the record, which then scans
 * (slower, as correct). With the rollback journal (ops->bulk_journal) it
 * saves about 3 % of the CPU at 100,000 items; through the WAL it had cost
 * more than it saved (docs/SYNC.md "Measured": a server, whose workers hold
 * the database open, stays in WAL), so only then: off_wal, what the
 * store's bulk_journal answered. */
static rn_code bulk_prepare(job *j, int off_wal, rn_error *err)
{
    uint64_t writes = 0;
    /* streamed, the entries are not opened yet: each after L may write */
    if (j->stream)
        writes = j->nit - (j->seen > j->p.from ? (size_t)(j->seen - j->p.from) : 0);
    for (size_t i = 0; !j->stream && i < j->nit; i++) {
        const item *it = &j->it[i];
        if (it->withheld || it->op == 'd' || !it->rec || (j->p.from + i < j->seen && !it->pub) ||
            is_echo(j, it))
            continue;
        writes++;
    }
    if (!j->s->ops->bulk || writes == 0 || !off_wal)
        return RN_OK;
    return j->s->ops->bulk(j->s, writes, 0, err); /* S9 reads the log */
}

rn_code rn_sync_import(rn_store *s, const void *data, size_t len, const char *by,
                       rn_sync_stats *stats, rn_error *err)
{
    return rn_sync_import_with(s, data, len, by, NULL, stats, err);
}

rn_code rn_sync_import_ex(rn_store *s, const void *data, size_t len, const char *by,
                          rn_sync_may_fn may, void *may_ctx, rn_sync_stats *stats,
                          rn_error *err)
{
    rn_sync_import_opts o = {may, may_ctx, NULL, NULL};
    return rn_sync_import_with(s, data, len, by, &o, stats, err);
}

static rn_code import_package(rn_store *s, const void *data, size_t len, const char *by,
                              const rn_sync_import_opts *o, rn_sync_stats *stats,
                              rn_error *err);

/* Every refusal ends by saying that nothing was written (the import is one
 * transaction, and the files are written inside it or kept whole). */
rn_code rn_sync_import_with(rn_store *s, const void *data, size_t len, const char *by,
                            const rn_sync_import_opts *o, rn_sync_stats *stats, rn_error *err)
{
    rn_sync_import_opts none = {NULL, NULL, NULL, NULL};
    rn_code rc = import_package(s, data, len, by, o ? o : &none, stats, err);
    if (rc && err && !strstr(err->message, "nothing written")) {
        size_t n = strlen(err->message);
        if (n + 18 >= sizeof err->message)
            n = sizeof err->message - 19;
        memcpy(err->message + n, "; nothing written", 18);
    }
    return rc;
}

static rn_code import_package(rn_store *s, const void *data, size_t len, const char *by,
                              const rn_sync_import_opts *o, rn_sync_stats *stats,
                              rn_error *err)
{
    job j;
    rn_sync_stats local;
    char msg[256], saved_author[sizeof s->author];
    size_t where = 0;
    rn_code rc;
    memset(&j, 0, sizeof j);
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    j.s = s;
    j.data = data;
    j.may = o->may;
    j.may_ctx = o->may_ctx;
    j.db = rn__store_db(s);
    if (!j.db)
        return rn__err(err, RN_EINVAL, "sync needs the SQLite store");
    if (s->readonly)
        return rn__err(err, RN_EREADONLY, "the store was opened read-only");
    if (s->user_tx)
        return rn__err(err, RN_EINVAL, "a transaction is already open");
    if (strlen(by) >= sizeof s->author)
        return rn__err(err, RN_ELIMIT, "the receiving account's name is too long");
    /* S1 */
    rc = rn__sync_parse(data, len, &j.p, msg, sizeof msg, &where);
    if (rc == RN_EINPUT)
        return rn__err(err, RN_EINPUT, "REFUSED: sync package, byte %zu: %s; nothing written",
                       where, msg);
    if (rc)
        return rn__err(err, rc, "REFUSED: sync package: %s", msg);
    if ((rc = rn__ledger_origin(j.db, j.own, sizeof j.own, err)))
        goto out;
    if ((rc = check_signature(&j, err)))
        goto out;
    snprintf(stats->peer, sizeof stats->peer, "%s", j.peer);
    stats->from = j.p.from;
    stats->size = j.cp.size;
    /* A large package is one large transaction: the store may make it
     * durable the cheaper way for this transaction only (ops->bulk_journal,
     * as `remnant import` does: the SQLite store writes each page once with
     * a rollback journal instead of twice through the WAL, when no other
     * connection has the database open; as safe, and back to WAL after).
     * The caller closes its other connections first (o->alone: a server's
     * workers), once the package is known to come from a registered key. */
    if (o->alone && j.p.ne >= RN_SYNC_BULK_ENTRIES)
        o->alone(o->alone_ctx);
    int off_wal = s->ops->bulk_journal && s->ops->bulk_journal(s, j.p.ne);
    /* S4 reads what was seen inside the write transaction, so that two
     * imports of the same package cannot both apply it. */
    if ((rc = rn_store_begin(s, err)))
        goto out;
    if ((rc = check_state(&j, stats, err)) || stats->already ||
        (rc = check_entries(&j, err)) ||
        (!j.stream && (rc = check_rest(&j, 0, 1, 1, err)))) {
        rn_store_rollback(s);
        goto out;
    }
    for (size_t i = 0; i < j.p.nb; i++) {
        int had = rn__sync_have_blob(s, j.p.b[i].sha);
        if ((rc = rn__sync_write_blob(s, &j.p.b[i], err))) {
            rn_store_rollback(s);
            goto out;
        }
        stats->blobs += !had;
    }
    if ((rc = bulk_prepare(&j, off_wal, err))) {
        rn_store_rollback(s);
        goto out;
    }
    memcpy(saved_author, s->author, sizeof saved_author);
    int account = s->account;
    rc = apply_all(&j, by, stats, err);
    memcpy(s->author, saved_author, sizeof saved_author);
    s->account = account;
    if (rc == RN_OK)
        rc = rn_store_commit(s, err);
    if (rc)
        rn_store_rollback(s);
out:
    job_free(&j);
    return rc;
}

rn_code rn_sync_import_file(rn_store *s, const char *path, const char *by,
                            rn_sync_stats *stats, rn_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return rn__err(err, errno == ENOENT ? RN_ENOTFOUND : RN_EIO, "cannot read %s: %s", path,
                       strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return rn__err(err, RN_EINPUT, "%s is not a regular file", path);
    }
    if (st.st_size == 0) {
        close(fd);
        return rn__err(err, RN_EINPUT, "REFUSED: %s is empty, not a sync package; nothing "
                       "written", path);
    }
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED)
        return rn__err(err, RN_EIO, "cannot map %s: %s", path, strerror(errno));
    rn_code rc = rn_sync_import(s, m, (size_t)st.st_size, by, stats, err);
    munmap(m, (size_t)st.st_size);
    return rc;
}
