/* SPDX-License-Identifier: Apache-2.0
 *
 * sync.h — sync between Remnant instances (field laptops, headquarters,
 * partners): each instance is a log with its own origin and key; an
 * instance registers the peers it trusts and exchanges sync packages with
 * them (docs/SYNC.md): the log entries since the last sync with their
 * disclosures, the blobs they name, the sender's signed checkpoint and a
 * proof that it extends what the receiver saw before.
 *
 * The receiver checks everything before it writes anything (signature by a
 * registered peer key, consistency with the checkpoints seen from that peer
 * before, every entry's place in the signed tree, every record against its
 * entry's digests), then applies the changes in ONE transaction, recording
 * for each record its origin log, index and checkpoint (provenance). A
 * record changed on both sides since the last sync is never overwritten:
 * both versions are kept and the record is in conflict until a person
 * resolves it.
 *
 * Ownership: as everywhere in libremnant (remnant.h): buffers handed out
 * are freed with rn_free(). The store is borrowed; functions that write run
 * their own transaction on it (the caller must not hold one open).
 */
#ifndef REMNANT_SYNC_H
#define REMNANT_SYNC_H

#include <stdio.h>
#include "remnant.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RN_SYNC_NAME_MAX 64   /* a peer's local name */
#define RN_SYNC_URL_MAX 1024
#define RN_SYNC_ROLE_MAX 32

/* ---- peers --------------------------------------------------------------- */

/* Register a peer: its local `name` (letters, digits, '-', '_', '.'), its
 * base URL (NULL or "-": reached by file only), its verifier key (the note
 * form `remnant key show` prints; its name is the peer log's origin) and
 * the role its pushes are held to (NULL: "investigator"). RN_EEXISTS when
 * the name or the key's log is registered already; RN_EINPUT for a
 * malformed name, URL, key or role. */
RN_NODISCARD rn_code rn_sync_peer_add(rn_store *s, const char *name, const char *url,
                                      const char *vkey, const char *role, rn_error *err)
    RN_NONNULL(1, 2, 4);
/* Forget a peer (its checkpoints and the provenance they prove stay).
 * RN_ENOTFOUND when there is none of that name. */
RN_NODISCARD rn_code rn_sync_peer_rm(rn_store *s, const char *name, rn_error *err)
    RN_NONNULL(1, 2);
/* The peers as a JSON array (rn_free): [{"name","url","key","origin","role",
 * "added","sent_size","seen_size","last_sync"}], by name. */
RN_NODISCARD rn_code rn_sync_peer_list(rn_store *s, char **json, rn_error *err)
    RN_NONNULL(1, 2);

/* ---- packages ------------------------------------------------------------ */

/* Which records a package discloses: nonzero when the receiver may get
 * records of type `type` (a type name). An entry of another type is sent
 * withheld: its bytes (the tree needs them) without its disclosures, which
 * reveals nothing of its fields (docs/LEDGER.md, format 2). */
typedef int (*rn_sync_may_fn)(void *ctx, const char *type);

/* Which blobs the receiver lacks: called once, before any blob is written,
 * with the blobs the package would carry (SHA-256 hex, sorted, each once);
 * set send[i] = 0 for each one the receiver already holds (blobs are
 * content-addressed: one it holds is the same bytes). Returns 0, or nonzero
 * to fail the export (nothing recorded as sent). */
typedef int (*rn_sync_lacks_fn)(void *ctx, const char (*sha)[65], size_t n,
                                unsigned char *send);

typedef struct rn_sync_export_opts {
    const char *since;  /* a checkpoint note of this log (may be NULL): the
                           package starts there instead of at the size last
                           sent to the peer */
    size_t since_len;
    int since_size_set; /* or: start at the checkpoint of this size (0: from
                           the start), which this log must hold */
    uint64_t since_size;
    rn_sync_may_fn may; /* NULL: every record disclosed */
    void *may_ctx;
    int public_view;    /* a package for a partner: exactly the public view
                           (include/remnant/public.h) of the whole log; every
                           other entry withheld (docs/SYNC.md) */
    double grid;        /* the public grid (0: the default) */
    rn_sync_lacks_fn lacks; /* NULL: every blob the entries name is sent */
    void *lacks_ctx;
    int all_files;      /* 0: leave out the files the peer is known to hold
                           (named by an attachment it acknowledged, or that
                           came from it: rn_sync_peer_acked); 1: every file */
    int list_files;     /* 1: carry no file at all, and name each one in a
                           `file SHA256 LEN` section (an HTTP pull: the
                           puller fetches what it lacks, resumably) */
} rn_sync_export_opts;

/* The peer has accepted this log up to `size` entries (a push it answered,
 * the size it pulls from, a change of this log it sent back): the files
 * named by attachments before `size` are held there, and a package by file
 * leaves them out (opts->all_files sends them). Only ever grows. */
RN_NODISCARD rn_code rn_sync_peer_acked(rn_store *s, const char *peer, uint64_t size,
                                        rn_error *err) RN_NONNULL(1, 2);

/* Write a package for `peer` to out: this log's entries from the size last
 * sent to it (or opts->since) to the latest checkpoint, which must be
 * signed. Records what was sent (the next export starts after it). OUT
 * *entries (may be NULL): how many entries it carries. */
RN_NODISCARD rn_code rn_sync_export(rn_store *s, const char *peer,
                                    const rn_sync_export_opts *opts, FILE *out,
                                    uint64_t *entries, rn_error *err)
    RN_NONNULL(1, 2, 4);

/* Which of the blobs sha[0..n) (SHA-256 hex) are not stored here: OUT
 * lacks[i] nonzero for each (docs/SYNC.md, "Files: resumable"). RN_EINPUT
 * for a name that is not 64 lower-case hex digits. */
RN_NODISCARD rn_code rn_sync_blobs_lacking(rn_store *s, const char *const *sha, size_t n,
                                           unsigned char *lacks, rn_error *err)
    RN_NONNULL(1, 4);

/* From the bytes of a package whose transfer was cut short: store each blob
 * that arrived whole and hashes to its name, and nothing else (the entries
 * are not read). OUT *kept: how many were stored. Bytes that are not a
 * package keep nothing. */
RN_NODISCARD rn_code rn_sync_salvage_blobs(rn_store *s, const void *data, size_t len,
                                           uint64_t *kept, rn_error *err)
    RN_NONNULL(1, 4);

/* ---- files in transfer (docs/SYNC.md, "Files: resumable") ----------------- */

/* A file (blob) being received, by SHA-256 and size: its bytes so far are
 * kept in the staging area <blobs>/.staging/SHA-SIZE.part, locked while open
 * (a second transfer of the same file at once: RN_EBUSY), and become a
 * stored blob only when complete and hashing to its name. */
typedef struct rn_sync_stage rn_sync_stage;

/* Open (create) the staging file of `sha` (64 lower-case hex) of `size`
 * bytes (at most 4 GiB). OUT *have: the bytes received so far (= size when
 * the blob is stored already: nothing to receive). RN_EINPUT for a bad name
 * or size; RN_EBUSY when another transfer still holds it after 5 s. */
RN_NODISCARD rn_code rn_sync_stage_open(rn_store *s, const char *sha, uint64_t size,
                                        rn_sync_stage **out, uint64_t *have, rn_error *err)
    RN_NONNULL(1, 2, 4, 5);
/* How much of `sha` of `size` bytes is here, without creating or locking
 * anything: OUT *have (the staged bytes; size when stored) and *stored. */
RN_NODISCARD rn_code rn_sync_stage_peek(rn_store *s, const char *sha, uint64_t size,
                                        uint64_t *have, int *stored, rn_error *err)
    RN_NONNULL(1, 2, 4, 5);
/* Append bytes at the end of what was received; past the stated size:
 * RN_ELIMIT and nothing appended. */
RN_NODISCARD rn_code rn_sync_stage_write(rn_sync_stage *g, const void *data, size_t n,
                                         rn_error *err) RN_NONNULL(1);
/* Start again from byte 0 (the sender ignored the offset). */
RN_NODISCARD rn_code rn_sync_stage_reset(rn_sync_stage *g, rn_error *err) RN_NONNULL(1);
/* The bytes received so far. */
uint64_t rn_sync_stage_have(const rn_sync_stage *g) RN_NONNULL(1);
/* The staging file's descriptor (appending), for a caller that streams
 * into it itself; then it must not write past the size. */
int rn_sync_stage_fd(const rn_sync_stage *g) RN_NONNULL(1);
/* When every byte is in: check the SHA-256 and store the blob (OUT *stored
 * = 1); a file whose bytes hash to another name is REFUSED (RN_ECRYPTO),
 * its staging file removed and nothing stored. Not complete yet: RN_OK,
 * *stored = 0, the bytes kept for the next transfer. */
RN_NODISCARD rn_code rn_sync_stage_finish(rn_sync_stage *g, int *stored, rn_error *err)
    RN_NONNULL(1, 2);
/* Close (the bytes stay staged); accepts NULL. */
void rn_sync_stage_close(rn_sync_stage *g);

/* A stored file that an attachment here names, opened for reading: OUT
 * *fd (the caller closes it) and *size. RN_ENOTFOUND when no attachment
 * names it or it is not stored; RN_EINPUT for a bad name. */
RN_NODISCARD rn_code rn_sync_file_open(rn_store *s, const char *sha, int *fd, uint64_t *size,
                                       rn_error *err) RN_NONNULL(1, 2, 3, 4);

/* HTTP byte ranges of one file of `size` bytes (pure; fuzzed):
 * rn_sync_range_parse reads a Range header of the one form a resuming
 * client sends, "bytes=START-" or "bytes=START-END" (END = size - 1),
 * START < size: 0 and *start, else -1 (answer the whole file, or 416).
 * rn_sync_content_range_parse reads "bytes START-END/TOTAL": 0 and the
 * numbers when END = TOTAL - 1 and START <= END, else -1. */
int rn_sync_range_parse(const char *h, uint64_t size, uint64_t *start) RN_NONNULL(1, 3);
int rn_sync_content_range_parse(const char *h, uint64_t *start, uint64_t *total)
    RN_NONNULL(1, 2, 3);

typedef struct rn_sync_stats {
    char peer[RN_SYNC_NAME_MAX + 1];
    uint64_t from, size;  /* the package's range of the peer's log */
    uint64_t seen;        /* what was seen from the peer before */
    uint64_t applied;     /* changes written */
    uint64_t echoes;      /* our own changes coming back: skipped */
    uint64_t same;        /* already equal here: nothing to write */
    uint64_t conflicts;   /* kept as conflicts */
    uint64_t blobs;       /* blobs written */
    uint64_t withheld;    /* entries the sender did not disclose: not applied */
    int already;          /* the package was imported before: nothing done */
} rn_sync_stats;

/* The files a package names in `file SHA256 LEN` sections (it does not
 * carry them) that are not stored here, as JSON (rn_free):
 * [{"sha256","size"}], in SHA-256 order; the package is only parsed (its
 * format), not checked: rn_sync_import checks it. RN_EINPUT when it does
 * not parse. */
RN_NODISCARD rn_code rn_sync_package_files(rn_store *s, const void *data, size_t len,
                                           char **json, rn_error *err) RN_NONNULL(1, 2, 4);

/* Check a package held in memory and, when everything holds, apply it in
 * one transaction. `by` is the receiving account (who brought it in; may
 * be ""). RN_ECRYPTO / RN_ETAMPER when a check fails (a signature, a hash,
 * a fork or rollback: err says which, loudly); RN_EINPUT when malformed;
 * nothing is written on any failure. */
RN_NODISCARD rn_code rn_sync_import(rn_store *s, const void *data, size_t len,
                                    const char *by, rn_sync_stats *stats, rn_error *err)
    RN_NONNULL(1, 2, 4);
/* The same, with a policy: every change the package would apply must be
 * of a type `may` allows (NULL: any), else RN_ECONSTRAINT (err names the
 * record and type) and nothing is written. */
RN_NODISCARD rn_code rn_sync_import_ex(rn_store *s, const void *data, size_t len,
                                       const char *by, rn_sync_may_fn may, void *may_ctx,
                                       rn_sync_stats *stats, rn_error *err)
    RN_NONNULL(1, 2, 4);
/* A package of at least this many entries is written the way a large
 * import is (the store's bulk journal and deferred indexes, when it can:
 * lib/store/sqlite.c) and calls rn_sync_import_opts.alone first. */
#define RN_SYNC_BULK_ENTRIES 1000
/* Called once, when a package of RN_SYNC_BULK_ENTRIES entries or more has
 * passed its signature check (S1-S2) and before its transaction begins: a
 * caller that holds other connections on the database (a server's workers)
 * may close them now, because the SQLite store leaves the WAL for the
 * cheaper rollback journal only when its connection is alone. Whatever it
 * leaves open keeps the transaction in the WAL, which is as safe. */
typedef void (*rn_sync_alone_fn)(void *ctx);
typedef struct rn_sync_import_opts {
    rn_sync_may_fn may; /* as rn_sync_import_ex's (NULL: any type) */
    void *may_ctx;
    rn_sync_alone_fn alone; /* NULL: nothing to close */
    void *alone_ctx;
} rn_sync_import_opts;
/* rn_sync_import_ex with options (o may be NULL: none). */
RN_NODISCARD rn_code rn_sync_import_with(rn_store *s, const void *data, size_t len,
                                         const char *by, const rn_sync_import_opts *o,
                                         rn_sync_stats *stats, rn_error *err)
    RN_NONNULL(1, 2, 4);
/* The same for a file (read by mapping it). */
RN_NODISCARD rn_code rn_sync_import_file(rn_store *s, const char *path, const char *by,
                                         rn_sync_stats *stats, rn_error *err)
    RN_NONNULL(1, 2, 3);

/* What this instance knows of the log `origin`, as JSON (rn_free):
 * {"origin":OWN,"size":N,"peer":NAME|null,"seen":L} — this log's origin
 * and latest checkpoint size, and the peer registered for `origin` with
 * the size of the largest checkpoint accepted from it (what a package for
 * this instance must start at or before). */
RN_NODISCARD rn_code rn_sync_state(rn_store *s, const char *origin, char **json,
                                   rn_error *err) RN_NONNULL(1, 2, 3);

/* ---- provenance ------------------------------------------------------------ */

/* Where record `id`'s changes came from, as JSON (rn_free): an object
 * mapping each local log index (as a string) that applied a synced change
 * to {"log","index","checkpoint","author","time","made_in","made_at",
 * "brought_by","peer"}; plus "conflict" (the open conflict, or null).
 * "{}"-like empty maps when the record was made here. */
RN_NODISCARD rn_code rn_sync_provenance(rn_store *s, const char *id, char **json,
                                        rn_error *err) RN_NONNULL(1, 2, 3);

/* Check the stored provenance: every peer checkpoint kept verifies with the
 * key it was accepted under and equals the tree recomputed from the peer's
 * leaves kept; every provenance row names a kept checkpoint and leaf, and a
 * local entry of the same record. Problems go to fn (what, id, message).
 * OUT *checked (may be NULL): provenance rows checked. RN_ETAMPER when a
 * problem was found. */
typedef void (*rn_sync_problem_fn)(void *ctx, const char *what, const char *id,
                                   const char *message);
RN_NODISCARD rn_code rn_sync_verify(rn_store *s, rn_sync_problem_fn fn, void *ctx,
                                    uint64_t *checked, rn_error *err) RN_NONNULL(1);

/* ---- conflicts ------------------------------------------------------------- */

/* Open conflicts as a JSON array (rn_free): [{"id","type","peer","mine",
 * "theirs","theirs_op","since"}] where mine/theirs are the records (null:
 * deleted). */
RN_NODISCARD rn_code rn_sync_conflicts(rn_store *s, char **json, rn_error *err)
    RN_NONNULL(1, 2);

typedef enum rn_sync_take { RN_TAKE_MINE = 0, RN_TAKE_THEIRS, RN_TAKE_EDITED } rn_sync_take;
/* Resolve the open conflict of record `id`: keep mine, take theirs, or
 * write `edited` (a record's JSON, same id and type) — a logged change
 * under the store's author. RN_ENOTFOUND when it is not in conflict. */
RN_NODISCARD rn_code rn_sync_resolve(rn_store *s, const char *id, rn_sync_take take,
                                     const char *edited, size_t edited_len, rn_error *err)
    RN_NONNULL(1, 2);

#ifdef __cplusplus
}
#endif
#endif
