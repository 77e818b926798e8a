/* SPDX-License-Identifier: Apache-2.0
 *
 * sync_int.h — the inside of lib/sync: the parsed form of a sync package
 * (package.c, format in docs/SYNC.md) and helpers shared by the files of
 * lib/sync. Not installed.
 *
 * Files:
 *   package.c   the package format: strict parser (pure: libsodium and the
 *               C library; the fuzz target and unit tests call it) and writer
 *   peer.c      registered peers
 *   export.c    making a package for a peer
 *   blobs.c     files: which the receiver lacks; keeping the whole ones of a
 *               package cut short
 *   import.c    checking a package (S1..S9) and applying it in one transaction
 *   conflict.c  listing and resolving conflicts
 *   provenance.c  where a record came from; verify's check of provenance
 */
#ifndef REMNANT_SYNC_INT_H
#define REMNANT_SYNC_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "ledger/tlog.h"
#include "remnant/sync.h"

#define RN_SYNC_MAGIC "remnant-sync v1"
#define RN_SYNC_MAX_ENTRIES (1ull << 31)
#define RN_SYNC_BLOB_MAX (1ull << 32)   /* as RN_ATTACH_MAX */
#define RN_SYNC_VIA_MAX 4096

typedef struct rn__sync_entry {
    uint64_t seq;
    int has_proof;    /* a public package: the inclusion proof in the checkpoint */
    size_t nproof;
    const char *proof; /* its nproof hash lines in the package, checked by the
                          parser: rn__sync_entry_proof() decodes them (kept as
                          text so that an entry of a full package, which has
                          none, stays small: 100,000s are held at once) */
    const char *body; /* the entry's canonical bytes */
    size_t blen;
    const char *disc; /* its disclosures, one per line (NULL: none) */
    size_t dlen;
    size_t ndisc;
    const char *via;  /* the sender's provenance of this change (NULL: none) */
    size_t vlen;
} rn__sync_entry;

/* A public package's record as the public view shows it, for entry seq. */
typedef struct rn__sync_pub {
    uint64_t seq;
    const char *json; /* canonical JSON */
    size_t len;
} rn__sync_pub;

typedef struct rn__sync_blob {
    char sha[65];
    const char *data;
    uint64_t len;
} rn__sync_blob;

/* A file the package names but does not carry (`file SHA256 LEN`). */
typedef struct rn__sync_file {
    char sha[65];
    uint64_t len;
} rn__sync_file;

/* A parsed package: slices into the caller's bytes. */
typedef struct rn__sync_pkg {
    int public_mode;  /* "remnant-sync v1 public": some entries, each with its
                         inclusion proof, instead of a range */
    const char *note; /* the signed checkpoint note */
    size_t note_len;
    uint64_t from;    /* the first entry's index = the frontier's size */
    size_t nfront;
    rn_hash front[64]; /* the frontier of the first `from` leaves */
    int has_cons;
    size_t ncons;
    rn_hash cons[RN_PROOF_MAX]; /* consistency proof from `from` to the size */
    uint64_t cons_size;
    rn__sync_entry *e;
    size_t ne;
    rn__sync_pub *pub; /* in the order they are to be applied */
    size_t npub;
    rn__sync_blob *b;
    size_t nb;
    rn__sync_file *f; /* named, not carried */
    size_t nf;
    const char *seal; /* the signed seal note over bytes [0, sealed) */
    size_t seal_len;
    size_t sealed;
} rn__sync_pkg;

/* Parse a package strictly (docs/SYNC.md): every header, size, hash line
 * and order; each blob's SHA-256 is checked. Nothing about signatures or
 * trees (import.c does that). On failure *msg (a static string or written
 * into msgbuf) says what and *where the byte offset. */
RN_NODISCARD rn_code rn__sync_parse(const char *data, size_t len, rn__sync_pkg *out,
                                    char *msgbuf, size_t msgcap, size_t *where);
void rn__sync_pkg_free(rn__sync_pkg *p);
/* The inclusion proof of an entry of a parsed public package: its nproof
 * hashes into out (room for RN_PROOF_MAX). */
void rn__sync_entry_proof(const rn__sync_entry *e, rn_hash *out);

/* public.c: what a public package discloses (the public view's records). */
typedef struct rn__sync_pubrec {
    uint64_t seq;  /* the record's latest entry */
    char *disc;    /* its disclosures of the fields the view shows as logged */
    size_t dlen, nd;
    char *json;    /* the record as the public sees it, canonical JSON */
    size_t jlen;
    size_t rank;   /* its place in the order to apply */
} rn__sync_pubrec;
typedef struct rn__sync_pubset {
    rn__sync_pubrec *r; /* sorted by seq */
    size_t n;
    size_t *order;      /* indexes into r, in the order to apply */
    char (*sha)[65];    /* blobs the public copies name */
    size_t nsha;
} rn__sync_pubset;
rn_code rn__sync_public_prepare(rn_store *s, double grid, rn__sync_pubset *p, rn_error *err);
void rn__sync_public_free(rn__sync_pubset *p);

/* The store's connection and a few shared SQL helpers. */
rn_code rn__sync_dberr(sqlite3 *db, rn_error *err, const char *what);
/* The peer row by name: origin, vkey into the buffers. */
rn_code rn__sync_peer_get(sqlite3 *db, const char *name, char *origin, size_t ocap,
                          char *vkey, size_t vcap, rn_error *err);
/* Current UTC time, "YYYY-MM-DDTHH:MM:SSZ". */
void rn__sync_now(char buf[32]);

/* Blobs (import.c): is blob `sha` (64 hex) stored here; store b (its
 * bytes already hashed to its name) unless it is: written to a temp file,
 * flushed, renamed into place, so a crash leaves at most a temp file. */
int rn__sync_have_blob(rn_store *s, const char *sha);
rn_code rn__sync_write_blob(rn_store *s, const rn__sync_blob *b, rn_error *err);

/* The blobs of a package's bytes that may be cut short (blobs.c B2): walks
 * the sections by their stated sizes from the magic line and calls fn for
 * each blob that is whole and hashes to its name, in the order they come;
 * stops at the seal, at bytes it does not know, or where the bytes end.
 * Pure (libsodium, the C library): the fuzz target calls it. Returns RN_OK
 * or fn's error. */
typedef rn_code (*rn__sync_blob_fn)(void *ctx, const rn__sync_blob *b);
rn_code rn__sync_blob_walk(const void *data, size_t len, rn__sync_blob_fn fn, void *ctx);


#endif
