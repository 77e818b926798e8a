/* SPDX-License-Identifier: Apache-2.0
 *
 * ledger.h — the evidence log: every create, update and delete of every
 * record is an entry of an append-only Merkle log (RFC 9162 hashing) kept in
 * the same database and the same transactions as the records. Each committed
 * transaction ends with one checkpoint (C2SP tlog-checkpoint), signed with
 * the instance's Ed25519 key (C2SP signed-note) when it has one; witnesses
 * cosign checkpoints (C2SP tlog-cosignature). Formats: docs/LEDGER.md,
 * docs/BUNDLE.md.
 *
 * Ownership: as everywhere in libremnant (remnant.h). Buffers handed out
 * through OUT parameters are freed with rn_free(); rn_ledger handles with
 * rn_ledger_close(). Secret keys never leave the library: functions take key
 * file paths and print nothing.
 */
#ifndef REMNANT_LEDGER_H
#define REMNANT_LEDGER_H

#include <stdio.h>
#include "remnant.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RN_LEDGER_HASH_LEN 32
#define RN_LEDGER_PROOF_MAX 64
#define RN_LEDGER_VKEY_MAX 400 /* a verifier key string, with its NUL */

/* An open log: its own connection to the database at `db_path`. */
typedef struct rn_ledger rn_ledger;

#define RN_LEDGER_READONLY 1u
RN_NODISCARD rn_code rn_ledger_open(const char *db_path, unsigned flags,
                                    rn_ledger **out, rn_error *err)
    RN_NONNULL(1, 3);
void rn_ledger_close(rn_ledger *l);
/* The log's origin (its name in checkpoints); owned by l. */
const char *rn_ledger_origin(const rn_ledger *l);
/* Number of entries sealed so far. */
RN_NODISCARD rn_code rn_ledger_size(rn_ledger *l, uint64_t *out,
                                    rn_error *err);

/* ---- the instance's signing key ------------------------------------------ */
/* The secret key lives in `<db_path>.key` (mode 0600, written atomically),
 * in the signed-note secret key form; its name is the log's origin. */

/* Make a key; RN_EEXISTS if one exists. OUT vkey: the verifier key string
 * (name+keyid+base64), which is what others need to check checkpoints.
 * The latest checkpoint is signed with the new key at once. */
RN_NODISCARD rn_code rn_ledger_key_create(rn_ledger *l,
                                          char vkey[RN_LEDGER_VKEY_MAX],
                                          rn_error *err) RN_NONNULL(1, 2);
/* The current verifier key; RN_ENOTFOUND when the instance has none. */
RN_NODISCARD rn_code rn_ledger_key_show(rn_ledger *l,
                                        char vkey[RN_LEDGER_VKEY_MAX],
                                        rn_error *err) RN_NONNULL(1, 2);
/* Replace the key: the old public key stays on record (old checkpoints
 * still verify), the old secret key file is wiped and removed, and the latest
 * checkpoint gains a signature by the new key. */
RN_NODISCARD rn_code rn_ledger_key_rotate(rn_ledger *l,
                                          char vkey[RN_LEDGER_VKEY_MAX],
                                          rn_error *err) RN_NONNULL(1, 2);
/* Public keys that have signed this log, newest first, one per line. */
RN_NODISCARD rn_code rn_ledger_key_history(rn_ledger *l, char **out,
                                           rn_error *err) RN_NONNULL(1, 2);

/* ---- checkpoints ---------------------------------------------------------- */

/* The signed note of the checkpoint at `size` (0: the latest), with the
 * cosignature lines of every witness that cosigned it appended. */
RN_NODISCARD rn_code rn_ledger_checkpoint(rn_ledger *l, uint64_t size,
                                          char **note, size_t *len,
                                          rn_error *err) RN_NONNULL(1, 3);
/* Every checkpoint, oldest first. fn returns nonzero to stop. */
typedef int (*rn_ledger_checkpoint_fn)(void *ctx, uint64_t size,
                                       const char *note, size_t len,
                                       size_t ncosigs);
RN_NODISCARD rn_code rn_ledger_checkpoints(rn_ledger *l,
                                           rn_ledger_checkpoint_fn fn,
                                           void *ctx, rn_error *err)
    RN_NONNULL(1, 2);

/* ---- proofs --------------------------------------------------------------- */

typedef struct rn_ledger_proof {
    uint64_t index; /* leaf index (inclusion) or old size (consistency) */
    uint64_t size;  /* tree size the proof is for */
    size_t n;
    uint8_t hash[RN_LEDGER_PROOF_MAX][RN_LEDGER_HASH_LEN];
} rn_ledger_proof;

/* Inclusion proof of the latest entry of record `id` in the tree of the
 * checkpoint at `size` (0: latest). OUT *entry (may be NULL): the entry's
 * canonical bytes (rn_free). */
RN_NODISCARD rn_code rn_ledger_inclusion(rn_ledger *l, const char *id,
                                         uint64_t size, rn_ledger_proof *out,
                                         char **entry, size_t *entry_len,
                                         rn_error *err) RN_NONNULL(1, 2, 4);
/* Consistency proof between two checkpointed sizes. */
RN_NODISCARD rn_code rn_ledger_consistency(rn_ledger *l, uint64_t size1,
                                           uint64_t size2,
                                           rn_ledger_proof *out,
                                           rn_error *err) RN_NONNULL(1, 4);
/* Check proofs (RFC 9162 §2.1.3.2, §2.1.4.2): RN_OK or RN_ECRYPTO. */
RN_NODISCARD rn_code rn_ledger_verify_inclusion(
    const rn_ledger_proof *p, const uint8_t leaf_hash[RN_LEDGER_HASH_LEN],
    const uint8_t root[RN_LEDGER_HASH_LEN]) RN_NONNULL(1, 2, 3);
RN_NODISCARD rn_code rn_ledger_verify_consistency(
    const rn_ledger_proof *p, const uint8_t root1[RN_LEDGER_HASH_LEN],
    const uint8_t root2[RN_LEDGER_HASH_LEN]) RN_NONNULL(1, 2, 3);

/* ---- tiles (C2SP tlog-tiles; docs/LEDGER.md "Tiles") ---------------------- */
#define RN_LEDGER_TILE_WIDTH 256
/* A tile or entry bundle as its path names it. */
typedef struct rn_ledger_tile_ref {
    int entries;     /* 1: an entry bundle, tile/entries/<N>[.p/<W>] */
    unsigned level;  /* hash tiles: tile/<L>/<N>[.p/<W>], 0..63 */
    uint64_t index;  /* <N> */
    unsigned width;  /* 1..255 for a partial tile, 256 for a full one */
} rn_ledger_tile_ref;
/* Parse "tile/<L>/<N>[.p/<W>]" or "tile/entries/<N>[.p/<W>]" exactly as
 * c2sp.org/tlog-tiles writes them (N as x001/x234/067, no extra leading
 * zeros, W 1..255; one path per tile). Pure. RN_EINPUT otherwise. */
RN_NODISCARD rn_code rn_ledger_tile_path_parse(const char *path, size_t len,
                                               rn_ledger_tile_ref *out)
    RN_NONNULL(3);
/* The path of t; returns its length, 0 if cap is too small. */
size_t rn_ledger_tile_path_format(const rn_ledger_tile_ref *t, char *out, size_t cap)
    RN_NONNULL(1, 2);
/* Hash tile (level, index) of the sealed tree, `width` hashes (256: the
 * full tile): OUT *data (rn_free), width * 32 bytes. RN_ENOTFOUND when the
 * tree has no such tile. The same for everyone: hashes reveal nothing. */
RN_NODISCARD rn_code rn_ledger_tile(rn_ledger *l, unsigned level, uint64_t index,
                                    unsigned width, uint8_t **data, size_t *len,
                                    rn_error *err) RN_NONNULL(1, 5, 6);
/* Entry bundle `index` of `width` entries (256: full) of the sealed tree:
 * big-endian uint16 length-prefixed items. With view NULL each item is the
 * entry's canonical bytes (the leaf data, c2sp.org/tlog-tiles); with a
 * public view (remnant/public.h), the public form of docs/LEDGER.md: the
 * latest entry of a public record in format 2 is its bytes followed by
 * "\n" and the disclosures of the fields the view shows as logged (one per
 * line); any other entry is its 32-byte leaf hash only. */
struct rn_public;
RN_NODISCARD rn_code rn_ledger_entry_bundle(rn_ledger *l, rn_store *s,
                                            const struct rn_public *view, uint64_t index,
                                            unsigned width, uint8_t **data, size_t *len,
                                            rn_error *err) RN_NONNULL(1, 2, 6, 7);
/* What rn_ledger_publish wrote. */
typedef struct rn_ledger_publish_stats {
    uint64_t size;           /* the checkpoint's tree size */
    uint64_t tiles, bundles; /* files written */
    uint64_t public_entries; /* entries shown (the rest as leaf hashes) */
} rn_ledger_publish_stats;
/* Write the log as a static tlog-tiles tree into folder `dir` (created if
 * missing): `checkpoint`, `tile/<L>/<N>[.p/<W>]` and the public entry
 * bundles `tile/entries/<N>[.p/<W>]`, for any static web host or mirror to
 * serve at <prefix>/. Files are written atomically (temporary + rename).
 * grid as rn_public_opts (0: the default). */
RN_NODISCARD rn_code rn_ledger_publish(rn_ledger *l, rn_store *s, const char *dir,
                                       double grid, rn_ledger_publish_stats *stats,
                                       rn_error *err) RN_NONNULL(1, 2, 3);
/* A C2SP tlog-proof (c2sp.org/tlog-proof@v1) of the latest entry of record
 * `id` in the latest checkpoint (with its cosignatures); the `extra` line
 * carries the entry's canonical bytes (base64), so the file alone gives the
 * leaf hash. OUT *out (rn_free). */
RN_NODISCARD rn_code rn_ledger_proof_file(rn_ledger *l, const char *id, char **out,
                                          size_t *len, rn_error *err)
    RN_NONNULL(1, 2, 3, 4);
/* ---- history -------------------------------------------------------------- */

/* Every change of record `id` from the log, oldest first, as JSON (rn_free):
 *   {"id":ID,"type":TYPE,"changes":[{"seq":N,"time":"...Z","author":A,
 *     "op":"create|update|delete","changed":{FIELD:{"from":V,"to":V}}}]}
 * where V is the field's value in the record's JSON form (null: unset) and
 * seq the entry's log index (lib/ledger/history.c H1-H4). Every field is
 * shown: a face that serves the public must not call this for it.
 * RN_ENOTFOUND when the record has no entry; RN_ETAMPER when an entry does
 * not parse. */
RN_NODISCARD rn_code rn_ledger_history(rn_ledger *l, const char *id, char **json,
                                       size_t *len, rn_error *err)
    RN_NONNULL(1, 2, 3);

/* ---- witnesses ------------------------------------------------------------ */

/* Make a witness key file (0600) named `name`; OUT its verifier key
 * (cosignature/v1, type 0x04). RN_EEXISTS if the file exists. */
RN_NODISCARD rn_code rn_ledger_witness_keygen(const char *key_path,
                                              const char *name,
                                              char vkey[RN_LEDGER_VKEY_MAX],
                                              rn_error *err)
    RN_NONNULL(1, 2, 3);

/* The verifier key of the witness key file at key_path. */
RN_NODISCARD rn_code rn_ledger_witness_key_show(const char *key_path,
                                                char vkey[RN_LEDGER_VKEY_MAX],
                                                rn_error *err)
    RN_NONNULL(1, 2);

/* What a witness concluded. */
typedef enum rn_witness_verdict {
    RN_WITNESS_COSIGNED = 0, /* consistent with what it saw before; cosigned */
    RN_WITNESS_SAME,         /* the very checkpoint it cosigned last time */
    RN_WITNESS_SPLIT_VIEW,   /* same size, different root: a split view */
    RN_WITNESS_INCONSISTENT, /* the consistency proof does not verify */
    RN_WITNESS_ROLLBACK      /* smaller than a checkpoint it saw before */
} rn_witness_verdict;

/* Act as a witness for the log `l`: take its latest checkpoint, check the
 * log's signature with `log_vkey`, check consistency with the checkpoint
 * recorded in `state_path` (created on first use), and cosign it with the key
 * in `key_path`. OUT line: the cosignature line (rn_free). A split view or an
 * inconsistency gives RN_ETAMPER with *verdict saying which, and nothing is
 * signed. */
RN_NODISCARD rn_code rn_ledger_witness_cosign(rn_ledger *l,
                                              const char *log_vkey,
                                              const char *key_path,
                                              const char *state_path,
                                              rn_witness_verdict *verdict,
                                              char **line, rn_error *err)
    RN_NONNULL(1, 2, 3, 4, 5, 6);

/* Instance side: record a cosignature line that the witness with verifier
 * key `witness_vkey` gave for the checkpoint at `size` (0: latest). The line
 * must verify; a newer line from the same witness for the same checkpoint
 * replaces the older. */
RN_NODISCARD rn_code rn_ledger_witness_record(rn_ledger *l, uint64_t size,
                                              const char *witness_vkey,
                                              const char *line,
                                              rn_error *err)
    RN_NONNULL(1, 3, 4);

/* ---- a witness serving c2sp.org/tlog-witness ------------------------------ */

/* A witness answering add-checkpoint requests: its key, the logs it trusts
 * (by verifier key; a key's name is its log's origin) and a state folder
 * holding, per log, the last checkpoint cosigned. Thread-safe: requests for
 * one log are serialized by a lock file in the state folder, across threads
 * and processes (lib/ledger/witness_answer.c A1-A8). */
typedef struct rn_witness rn_witness;
#define RN_WITNESS_MAX_LOGS 64

/* Open: load the witness key file (type cosignature/v1), parse the log
 * keys, create the state folder (0700) if missing. */
RN_NODISCARD rn_code rn_witness_open(const char *key_path,
                                     const char *const *log_vkeys,
                                     size_t nlogs, const char *state_dir,
                                     rn_witness **out, rn_error *err)
    RN_NONNULL(1, 2, 4, 5);
void rn_witness_close(rn_witness *w);
/* The witness's verifier key (owned by w). */
const char *rn_witness_vkey(const rn_witness *w) RN_NONNULL(1);

/* One HTTP answer: status 200 (body: the cosignature line), 400, 403, 404,
 * 409 (body: the witness's size, text/x.tlog.size), 413, 422 or 500; other
 * errors carry a JSON body {"error":{"code","message"}}. */
typedef struct rn_witness_answer {
    int status;
    const char *content_type; /* static */
    char body[1024];
    size_t body_len;
    rn_witness_verdict verdict; /* SPLIT_VIEW, INCONSISTENT, ROLLBACK, ... */
} rn_witness_answer;

/* Answer the body of one POST <prefix>/add-checkpoint. *a is always filled;
 * the return code and err say what happened, for the witness's own log
 * (RN_OK only when cosigned). */
RN_NODISCARD rn_code rn_witness_add_checkpoint(rn_witness *w, const char *body,
                                               size_t len, rn_witness_answer *a,
                                               rn_error *err)
    RN_NONNULL(1, 2, 4);

/* ---- the log asking its witnesses (c2sp.org/tlog-witness) ----------------- */

/* The witnesses a log asks are kept in its database (ledger_witness), each
 * with the size it last cosigned; the quorum is how many cosignatures a
 * checkpoint needs (0: none required). */
#define RN_WITNESS_NAME_MAX 64
#define RN_WITNESS_URL_MAX 1024
typedef struct rn_ledger_witness_info {
    char name[RN_WITNESS_NAME_MAX + 1];
    char url[RN_WITNESS_URL_MAX + 1]; /* submission prefix */
    char vkey[RN_LEDGER_VKEY_MAX];    /* cosignature/v1 verifier key */
    uint64_t size;                    /* last size it cosigned, 0: none */
} rn_ledger_witness_info;

/* Add a witness: name (letters, digits, '.', '_', '-'), URL (http:// or
 * https://, the prefix before /add-checkpoint), verifier key. RN_EEXISTS
 * when the name or the key is already there. */
RN_NODISCARD rn_code rn_ledger_witness_add(rn_ledger *l, const char *name,
                                           const char *url, const char *vkey,
                                           rn_error *err) RN_NONNULL(1, 2, 3, 4);
/* Remove one; RN_ENOTFOUND when there is none of that name. Cosignatures
 * it gave stay on record. */
RN_NODISCARD rn_code rn_ledger_witness_remove(rn_ledger *l, const char *name,
                                              rn_error *err) RN_NONNULL(1, 2);
/* Every witness, by name. fn returns nonzero to stop. */
typedef int (*rn_ledger_witness_fn)(void *ctx, const rn_ledger_witness_info *w);
RN_NODISCARD rn_code rn_ledger_witness_list(rn_ledger *l, rn_ledger_witness_fn fn,
                                            void *ctx, rn_error *err)
    RN_NONNULL(1, 2);
RN_NODISCARD rn_code rn_ledger_witness_quorum_get(rn_ledger *l, unsigned *quorum,
                                                  rn_error *err) RN_NONNULL(1, 2);
/* RN_EINPUT when quorum exceeds the number of witnesses. */
RN_NODISCARD rn_code rn_ledger_witness_quorum_set(rn_ledger *l, unsigned quorum,
                                                  rn_error *err) RN_NONNULL(1);

/* The transport, given by the face (the library makes no network calls):
 * POST body (len bytes, text/plain) to url, and put the answer's status and
 * body into resp[0..*resp_len) (cap bytes at most; longer is RN_ELIMIT).
 * RN_OK when an HTTP answer came; RN_EIO with a message in err when the
 * witness could not be reached. */
typedef rn_code (*rn_witness_post_fn)(void *ctx, const char *url,
                                      const char *body, size_t len,
                                      int *status, char *resp, size_t cap,
                                      size_t *resp_len, rn_error *err);

typedef enum rn_witness_outcome {
    RN_ASK_COSIGNED = 0, /* cosignature checked and stored */
    RN_ASK_HAD,          /* already stored before: not asked again */
    RN_ASK_UNREACHABLE,  /* no answer (offline, refused, timed out) */
    RN_ASK_REFUSED,      /* 403/404/400...: the witness would not */
    RN_ASK_SPLIT_VIEW,   /* the witness holds another tree of this log */
    RN_ASK_ROLLBACK,     /* the witness has cosigned more than this log has */
    RN_ASK_BAD_ANSWER    /* an answer that is not a valid cosignature */
} rn_witness_outcome;

/* The outcome in a word or two, for logs and reports ("cosigned",
 * "unreachable", "SPLIT VIEW"...); never NULL. */
const char *rn_witness_outcome_word(rn_witness_outcome o);

typedef struct rn_ledger_witness_result {
    const rn_ledger_witness_info *witness;
    rn_witness_outcome outcome;
    int status;          /* the last HTTP status, 0 when none */
    uint64_t size;       /* the checkpoint asked about */
    const char *message; /* for people */
} rn_ledger_witness_result;
typedef void (*rn_ledger_witness_result_fn)(void *ctx,
                                            const rn_ledger_witness_result *r);

/* Ask every witness to cosign the checkpoint at `size` (0: the latest,
 * which must be signed): send add-checkpoint with the consistency proof
 * from the size that witness last cosigned; on 409 retry once from the size
 * it reports; verify every cosignature line with the witness's key and
 * store it beside the checkpoint (rn_ledger_witness_record). Each witness's
 * result goes to fn (may be NULL). OUT *cosigned: witnesses whose
 * cosignature of this checkpoint is on record after the call. RN_OK when
 * the asking ran (whatever the witnesses said); the quorum is the caller's
 * to judge. */
RN_NODISCARD rn_code rn_ledger_witness_ask(rn_ledger *l, uint64_t size,
                                           rn_witness_post_fn post, void *pctx,
                                           rn_ledger_witness_result_fn fn,
                                           void *ctx, size_t *cosigned,
                                           size_t *asked, rn_error *err)
    RN_NONNULL(1, 3, 7, 8);

/* ---- verify everything ---------------------------------------------------- */

typedef struct rn_ledger_problem {
    const char *what;   /* "entry", "record", "blob", "tree", "checkpoint",
                           "signature", "cosignature", "database", "tile" */
    const char *id;     /* record id or blob SHA-256, "" when none */
    int64_t seq;        /* entry or checkpoint size, -1 when none */
    const char *message;
} rn_ledger_problem;
typedef void (*rn_ledger_problem_fn)(void *ctx, const rn_ledger_problem *p);

typedef struct rn_ledger_verify_stats {
    uint64_t entries, records, blobs, checkpoints, signed_checkpoints;
    uint64_t cosignatures, problems;
    uint64_t tree_size;
    uint64_t orphans;    /* files in the blob folder no record names */
    char anchors[1024];  /* the trust anchors used, for people */
} rn_ledger_verify_stats;

/* Where verify's trust comes from: never from the file under test. Keys
 * given (`trusted`), keys pinned in a trust file the operator controls
 * (one verifier key a line, '#' comments), else the instance's key file.
 * Keys on record in the database are trusted only when a chain of signed
 * rotations joins them to an anchor. `since` (may be NULL) is a checkpoint
 * kept elsewhere (a witness's, the last bundle's): a log that does not
 * extend it — cut back or rewritten — is reported. */
typedef struct rn_ledger_verify_opts {
    const char *const *trusted;
    size_t ntrusted;
    const char *trust_file;
    const char *since; /* checkpoint note text */
    size_t since_len;
} rn_ledger_verify_opts;

/* Recompute everything: entries (L1-L3 of lib/ledger/log.c), the tree and
 * every checkpoint's root (L4-L5), checkpoint signatures (with the keys in
 * `trusted` if given, else the instance's key file and the keys on record
 * linked to it by signed rotations),
 * cosignatures, every record against its last log entry (and every live
 * log record against the store), every attachment's blob against its
 * SHA-256 and size. Every problem found goes to fn (may be NULL) naming the
 * record, blob or entry. Returns RN_OK when nothing is wrong, RN_ETAMPER
 * when a problem was found, another code when verify could not run. */
RN_NODISCARD rn_code rn_ledger_verify(rn_store *s, const char *db_path,
                                      const char *const *trusted,
                                      size_t ntrusted,
                                      rn_ledger_problem_fn fn, void *ctx,
                                      rn_ledger_verify_stats *stats,
                                      rn_error *err) RN_NONNULL(1, 2);
RN_NODISCARD rn_code rn_ledger_verify_ex(rn_store *s, const char *db_path,
                                         const rn_ledger_verify_opts *opts,
                                         rn_ledger_problem_fn fn, void *ctx,
                                         rn_ledger_verify_stats *stats, rn_error *err)
    RN_NONNULL(1, 2);

/* ---- evidence bundles (docs/BUNDLE.md) ------------------------------------ */

/* Write a bundle of the records `ids` (a finding with the records it cites,
 * or items) with the records they refer to, their attachments and blobs,
 * each record's latest log entry with its inclusion proof, and the latest
 * checkpoint (which must be signed). */
/* `since` > 0 adds a consistency proof from the tree of that many entries
 * (the last checkpoint a witness saw) to the bundle's checkpoint. */
RN_NODISCARD rn_code rn_ledger_bundle_write(rn_store *s, const char *db_path,
                                            const char *const *ids,
                                            size_t nids, uint64_t since,
                                            FILE *out, rn_error *err)
    RN_NONNULL(1, 2, 3, 6);
/* The same as the public sees it (include/remnant/public.h): only public
 * records, each entry with the disclosures of just the fields the public
 * sees exactly as logged, and photos only as their public derivatives.
 * Every id named must be public (RN_ENOTFOUND otherwise); a record whose
 * latest entry is in format v1 is refused (RN_ECONSTRAINT). grid as
 * rn_public_opts (0: the default). */
RN_NODISCARD rn_code rn_ledger_bundle_write_public(rn_store *s, const char *db_path,
                                                   double grid, const char *const *ids,
                                                   size_t nids, uint64_t since, FILE *out,
                                                   rn_error *err)
    RN_NONNULL(1, 2, 4, 7);

/* The disclosures of log entry `seq` (which must log record `id`), one per
 * line: all of them, or with a view only those of the fields that view
 * shows exactly as logged. *out (rn_free) is "" with *count 0 for a v1
 * entry, except that with a view a v1 entry is refused (RN_ECONSTRAINT). */
struct rn_public;
RN_NODISCARD rn_code rn_ledger_disclosures(rn_ledger *l, rn_store *s,
                                           const struct rn_public *view, const char *id,
                                           uint64_t seq, char **out, size_t *len,
                                           size_t *count, rn_error *err)
    RN_NONNULL(1, 2, 4, 6, 7, 8);

/* Check a bundle held in memory against verifier keys (the log's and any
 * witnesses'). Each line of plain-words report goes to fn. RN_OK when every
 * part verified; RN_ECRYPTO / RN_EINPUT otherwise. */
typedef void (*rn_ledger_say_fn)(void *ctx, const char *line);
RN_NODISCARD rn_code rn_ledger_bundle_verify(const void *data, size_t len,
                                             const char *const *vkeys,
                                             size_t nvkeys,
                                             rn_ledger_say_fn fn, void *ctx)
    RN_NONNULL(1);

#ifdef __cplusplus
}
#endif
#endif
