/* SPDX-License-Identifier: Apache-2.0
 *
 * tlog.h — the pure core of the evidence log: RFC 9162 Merkle tree hashing
 * and proofs (merkle.c), C2SP signed notes and verifier keys (note.c), C2SP
 * tlog-checkpoint bodies (checkpoint.c), C2SP tlog-cosignature/v1 witness
 * cosignatures (cosign.c) and the canonical log-entry encoding (entry.c).
 *
 * These files depend on libsodium and the C library only: no SQLite, no
 * jansson, no allocation through the library's allocator, no rn_error. The
 * standalone verifier (src/verify/) compiles them directly. Every function
 * returns an rn_code (0 = RN_OK) and works in caller-owned buffers; inputs
 * are (pointer, length) slices that need not be NUL-terminated.
 *
 * Verification functions check encodings and lengths before doing any work
 * and fail closed: anything they do not positively accept is rejected.
 */
#ifndef REMNANT_LEDGER_TLOG_H
#define REMNANT_LEDGER_TLOG_H

#include <stddef.h>
#include <stdint.h>
#include "remnant/remnant.h"

/* ---- Merkle tree (merkle.c) -------------------------------------------- */

#define RN_HASH_LEN 32

/* ---- SHA-256 (sha256.c) ------------------------------------------------- */

/* A slice of bytes to hash. */
typedef struct rn_bytes {
    const void *p;
    size_t len;
} rn_bytes;

/* SHA-256 of data: the one the log uses for entries, disclosures and tree
 * nodes (libcrypto's, SHA-NI where the CPU has it; libsodium's in
 * remnant-verify or when libcrypto fails). Never fails. */
void rn__sha256(const void *data, size_t len, uint8_t out[RN_HASH_LEN]);
/* SHA-256 of the concatenation of n slices. */
void rn__sha256v(const rn_bytes *parts, size_t n, uint8_t out[RN_HASH_LEN]);
/* "openssl" or "libsodium": which computes the hashes (for benchmarks). */
const char *rn__sha256_backend(void);
/* A SHA-256 computed in pieces (files, whole sync packages): the same digest
 * as rn__sha256 of the concatenation. No allocation, never fails; the
 * caller owns the struct (on the stack is fine). */
typedef struct rn__sha256_ctx {
    int sodium; /* 1: the state is libsodium's */
    _Alignas(16) unsigned char st[128];
} rn__sha256_ctx;
void rn__sha256_init(rn__sha256_ctx *c);
void rn__sha256_update(rn__sha256_ctx *c, const void *p, size_t n);
void rn__sha256_final(rn__sha256_ctx *c, uint8_t out[RN_HASH_LEN]);
/* A proof for a tree of fewer than 2^63 leaves has at most 64 hashes. */
#define RN_PROOF_MAX 64

typedef uint8_t rn_hash[RN_HASH_LEN];

/* RFC 9162 §2.1.1: leaf hash = SHA-256(0x00 || data). */
void rn__merkle_leaf_hash(const void *data, size_t len, rn_hash out);
/* RFC 9162 §2.1.1: node hash = SHA-256(0x01 || left || right). */
void rn__merkle_node_hash(const rn_hash left, const rn_hash right, rn_hash out);
/* The root of the empty tree, SHA-256(""). */
void rn__merkle_empty_root(rn_hash out);

/* A frontier (compact range [0, size)): the roots of the perfect subtrees
 * that the binary expansion of `size` splits the tree into, one per set bit.
 * node[level] is meaningful exactly when bit `level` of size is set. Append
 * is O(log n) hashes amortized O(1); the root is O(log n) hashes. */
typedef struct rn_frontier {
    uint64_t size;
    rn_hash node[64];
} rn_frontier;

void rn__frontier_init(rn_frontier *f);
/* Append one leaf hash. RN_ELIMIT when the tree already holds 2^63 leaves. */
rn_code rn__frontier_append(rn_frontier *f, const rn_hash leaf);
/* The tree head (root hash) of the leaves appended so far. */
void rn__frontier_root(const rn_frontier *f, rn_hash out);
/* Serialized form, for storage: the set nodes from the highest level down,
 * popcount(size) * 32 bytes. rn__frontier_load checks the length. */
size_t rn__frontier_save(const rn_frontier *f, uint8_t *out, size_t cap);
rn_code rn__frontier_load(rn_frontier *f, uint64_t size, const uint8_t *in,
                          size_t len);

/* The source of leaf hashes for proof generation: fill out[0..n) with the
 * leaf hashes at indexes [start, start+n). Returns RN_OK or an error that is
 * passed through. */
typedef rn_code (*rn_leaf_source)(void *ctx, uint64_t start, uint64_t n,
                                  rn_hash *out);

/* MTH(D[start:end]) from the source (RFC 9162 §2.1.1). */
rn_code rn__merkle_range_root(rn_leaf_source src, void *ctx, uint64_t start,
                              uint64_t end, rn_hash out);
/* Inclusion proof (RFC 9162 §2.1.3.1) of leaf `index` in the tree of
 * `size` leaves. OUT proof[0..*n), deepest hash first. */
rn_code rn__merkle_inclusion_proof(rn_leaf_source src, void *ctx,
                                   uint64_t index, uint64_t size,
                                   rn_hash proof[RN_PROOF_MAX], size_t *n);
/* Consistency proof (RFC 9162 §2.1.4.1) from size1 to size2. */
rn_code rn__merkle_consistency_proof(rn_leaf_source src, void *ctx,
                                     uint64_t size1, uint64_t size2,
                                     rn_hash proof[RN_PROOF_MAX], size_t *n);

/* The source of stored node hashes: the root of the perfect subtree at
 * height `level` (0: a leaf hash) with index `index`, i.e. MTH(D[index <<
 * level : (index + 1) << level]). tiles.c reads them from the tiles. */
typedef rn_code (*rn_node_source)(void *ctx, unsigned level, uint64_t index,
                                  rn_hash out);
/* MTH(D[start:end]) from node hashes: O(log n) nodes, for the ranges that
 * RFC 9162 proofs use (start a multiple of a power of two >= end-start). */
rn_code rn__merkle_nodes_range_root(rn_node_source src, void *ctx,
                                    uint64_t start, uint64_t end, rn_hash out);
/* The same proofs as above, from node hashes: O(log n) nodes each. */
rn_code rn__merkle_inclusion_proof_nodes(rn_node_source src, void *ctx,
                                         uint64_t index, uint64_t size,
                                         rn_hash proof[RN_PROOF_MAX], size_t *n);
rn_code rn__merkle_consistency_proof_nodes(rn_node_source src, void *ctx,
                                           uint64_t size1, uint64_t size2,
                                           rn_hash proof[RN_PROOF_MAX], size_t *n);

/* ---- tiles (tiles.c, its pure part) --------------------------------------- */

/* C2SP tlog-tiles (https://c2sp.org/tlog-tiles): tile (level L, index N)
 * holds the hashes of the nodes at height 8L with indexes N*256 ...
 * N*256+255 (level 0: leaf hashes); the rightmost tile of a level is
 * partial, width (size >> 8L) & 255. */
#define RN_TILE_HEIGHT 8
#define RN_TILE_WIDTH 256
#define RN_TILE_LEVELS 8 /* 8 levels of 8: trees of up to 2^64 leaves */
#define RN_TILE_BYTES (RN_TILE_WIDTH * RN_HASH_LEN)

/* Called for a tile that became full (width 256) or, by rn__tiles_flush,
 * for the rightmost partial tile of a level that changed. */
typedef rn_code (*rn_tile_emit)(void *ctx, unsigned level, uint64_t index,
                                const uint8_t *hashes, unsigned width);

/* A growing tree with its tiles: the frontier (merkle.c) and the rightmost
 * tile of each level, whose first rn__tiles_width(f.size, L) hashes are
 * meaningful. */
typedef struct rn_tiles {
    rn_frontier f;
    unsigned dirty; /* bit L: level L's rightmost tile changed since emitted */
    uint8_t tile[RN_TILE_LEVELS][RN_TILE_BYTES];
} rn_tiles;

/* Width of the rightmost (partial) tile of `level` for a tree of `size`
 * leaves: 0..255 (0: no partial tile at that level). */
unsigned rn__tiles_width(uint64_t size, unsigned level);
/* Append one leaf: updates the frontier (the same nodes rn__frontier_append
 * computes, no more hashing) and the tiles; emits each tile that becomes
 * full. An emit failure is returned (the state is then stale). */
rn_code rn__tiles_append(rn_tiles *t, const rn_hash leaf, rn_tile_emit emit,
                         void *ctx);
/* Emit the rightmost partial tile of every level that changed. */
rn_code rn__tiles_flush(rn_tiles *t, rn_tile_emit emit, void *ctx);
/* The root of the perfect subtree over `count` (a power of two, <= 256)
 * consecutive hashes. */
void rn__tiles_subtree(const uint8_t *hashes, unsigned count, rn_hash out);

/* RFC 9162 §2.1.3.2. RN_OK when `leaf` at `index` is in the tree of `size`
 * leaves with root `root`; RN_ECRYPTO otherwise. */
RN_NODISCARD rn_code rn__merkle_verify_inclusion(uint64_t index, uint64_t size,
                                                 const rn_hash leaf,
                                                 const rn_hash *proof, size_t n,
                                                 const rn_hash root);
/* RFC 9162 §2.1.4.2, with the usual edge cases: size1 == size2 needs an
 * empty proof and equal roots; size1 == 0 needs an empty proof. */
RN_NODISCARD rn_code rn__merkle_verify_consistency(uint64_t size1,
                                                   uint64_t size2,
                                                   const rn_hash *proof,
                                                   size_t n,
                                                   const rn_hash root1,
                                                   const rn_hash root2);

/* ---- encodings (note.c) -------------------------------------------------- */

/* Standard base64 (RFC 4648 §4) with padding. encode: out must hold
 * 4*ceil(n/3)+1 bytes; returns the length without the NUL. decode: strict —
 * canonical padding and zero trailing bits only; RN_EINPUT otherwise. */
size_t rn__b64_encode(const uint8_t *in, size_t n, char *out, size_t cap);
RN_NODISCARD rn_code rn__b64_decode(const char *in, size_t len, uint8_t *out,
                                    size_t cap, size_t *outlen);
/* Lower-case hex: encode writes 2n digits and a NUL; digits the 2n digits
 * alone (for text built in place). */
void rn__hex_encode(const uint8_t *in, size_t n, char *out /* 2n+1 */);
void rn__hex_digits(const uint8_t *in, size_t n, char *out /* 2n */);
RN_NODISCARD rn_code rn__hex_decode(const char *in, size_t len, uint8_t *out,
                                    size_t n);
/* v in decimal, no sign or padding, at out (no NUL): its length, 1..20. */
size_t rn__u64_digits(uint64_t v, char *out /* 20 */);
/* 1 when the n bytes at s are all lower-case hex digits (the canonical
 * form of hashes and salts), else 0. */
int rn__hex_lower(const char *s, size_t n);
/* The header lines of bundles and sync packages. rn__header_tokens splits
 * the line at s[*pos..len) (its '\n' within 1024 bytes) at single spaces
 * into at most ntok tokens and moves *pos past it. 0 when there is no such
 * line (*pos unchanged), or it has an empty token (a double, leading or
 * trailing space), more than ntok tokens, or, with printable, a byte
 * outside 0x21..0x7e (*pos moved all the same). An empty line is 1 with
 * *got 0. */
int rn__header_tokens(const char *s, size_t len, size_t *pos, int printable,
                      const char **tok, size_t *tlen, size_t ntok, size_t *got);
/* Token t[0..n) is exactly lit. */
int rn__tok_is(const char *t, size_t n, const char *lit);
/* Token s[0..len) as a decimal without leading zeros, at most max: 1 and
 * *out, or 0. */
int rn__tok_u64(const char *s, size_t len, uint64_t max, uint64_t *out);

/* ---- signed notes (note.c) ----------------------------------------------- */

#define RN_NOTE_MAX 65536     /* whole note, bytes */
#define RN_NOTE_MAX_SIGS 64   /* signature lines (the spec asks >= 16) */
#define RN_NOTE_MAX_LINES 256 /* text lines */
#define RN_KEY_NAME_MAX 255
#define RN_SIG_MAX 128        /* decoded signature bytes after the key id */

/* Signature type bytes (c2sp.org/signed-note). */
#define RN_SIGTYPE_ED25519 0x01
#define RN_SIGTYPE_COSIG_V1 0x04

/* A verifier key: name, key id, type, public key. */
typedef struct rn_vkey {
    char name[RN_KEY_NAME_MAX + 1];
    uint32_t id;
    uint8_t type;
    uint8_t pub[32];
} rn_vkey;

/* key ID = SHA-256(name || 0x0A || type || pub)[:4], big-endian. */
uint32_t rn__note_key_id(const char *name, size_t len, uint8_t type,
                         const uint8_t pub[32]);
/* 1 if name[0..len) is a valid key name (non-empty, <= RN_KEY_NAME_MAX, valid
 * UTF-8, no spaces, no '+', no control characters). */
int rn__note_name_ok(const char *name, size_t len);
/* Parse "name+hex8+base64(type||pub)", checking the id matches. */
RN_NODISCARD rn_code rn__vkey_parse(const char *s, size_t len, rn_vkey *out);
/* Format a verifier key; returns length, 0 if cap is too small. */
size_t rn__vkey_format(const rn_vkey *k, char *out, size_t cap);
/* Build a verifier key from name, type, pub (computes the id). */
RN_NODISCARD rn_code rn__vkey_make(const char *name, size_t len, uint8_t type,
                                   const uint8_t pub[32], rn_vkey *out);

/* Secret keys in the Go sumdb/note form, which tools for the format read:
 * "PRIVATE+KEY+name+hex8+base64(type||seed32)". The seed is the Ed25519
 * seed; the full secret key is derived from it. */
typedef struct rn_skey {
    rn_vkey v;
    uint8_t sk[64]; /* libsodium secret key (seed || pub) */
} rn_skey;
RN_NODISCARD rn_code rn__skey_parse(const char *s, size_t len, rn_skey *out);
/* Format into out (wiped by the caller); returns length, 0 on failure. */
size_t rn__skey_format(const rn_skey *k, char *out, size_t cap);
/* New random key of `type` (ED25519 or COSIG_V1) named `name`. */
RN_NODISCARD rn_code rn__skey_generate(const char *name, size_t len,
                                       uint8_t type, rn_skey *out);

/* A note split into its text and signature lines; slices point into the
 * caller's buffer. */
typedef struct rn_note_sig {
    const char *name;
    size_t name_len;
    uint32_t id;
    uint8_t sig[RN_SIG_MAX];
    size_t sig_len;
} rn_note_sig;
typedef struct rn_note {
    const char *text; /* includes its final newline */
    size_t text_len;
    size_t nsigs;
    rn_note_sig sigs[RN_NOTE_MAX_SIGS];
} rn_note;

/* Split msg into text and signatures per c2sp.org/signed-note: valid UTF-8,
 * no control characters but newline, text ends in newline, a blank line, then
 * one or more well-formed signature lines. RN_EINPUT / RN_ELIMIT otherwise. */
RN_NODISCARD rn_code rn__note_parse(const char *msg, size_t len, rn_note *out);

/* Verify the note against the known keys. Signatures whose (name, id) match
 * no key are ignored. Every signature that matches a key must verify, and at
 * least one must: RN_ECRYPTO otherwise. OUT *mask (may be NULL) gets bit i
 * set when keys[i] signed (nkeys <= 64). */
RN_NODISCARD rn_code rn__note_verify(const rn_note *n, const rn_vkey *keys,
                                     size_t nkeys, uint64_t *mask);

/* Append one signature line "— name base64(id||sig)\n" for `text` signed by
 * k (type ED25519; for COSIG_V1 use rn__cosign_line) to out at *len. */
RN_NODISCARD rn_code rn__note_sign_line(const rn_skey *k, const char *text,
                                        size_t text_len, char *out, size_t cap,
                                        size_t *len);

/* Append "— name base64(id||sig)\n" to out at *len. */
RN_NODISCARD rn_code rn__note_append_sig(const rn_vkey *v, const uint8_t *sig,
                                         size_t sig_len, char *out, size_t cap,
                                         size_t *len);

/* ---- witness cosignatures (cosign.c) ------------------------------------- */

/* The message a tlog-cosignature/v1 signs: "cosignature/v1\ntime T\n" then
 * the checkpoint body. Returns its length, 0 if cap is too small. */
size_t rn__cosign_message(uint64_t timestamp, const char *body, size_t len,
                          char *out, size_t cap);
/* Append a cosignature line by k (type COSIG_V1) over checkpoint `body` at
 * `timestamp` to out at *len. */
RN_NODISCARD rn_code rn__cosign_line(const rn_skey *k, uint64_t timestamp,
                                     const char *body, size_t body_len,
                                     char *out, size_t cap, size_t *len);
/* Verify one cosignature (sig = 8-byte big-endian time || 64-byte sig). OUT
 * *timestamp (may be NULL). RN_ECRYPTO when it does not verify. */
RN_NODISCARD rn_code rn__cosign_verify(const rn_vkey *k, const uint8_t *sig,
                                       size_t sig_len, const char *body,
                                       size_t body_len, uint64_t *timestamp);

/* ---- tlog-witness requests (witness_req.c) ------------------------------- */

/* c2sp.org/tlog-witness add-checkpoint: "old N\n", at most 63 base64 proof
 * lines, an empty line, then the checkpoint note. */
#define RN_WITNESS_PROOF_MAX 63
#define RN_WITNESS_BODY_MAX (32 + RN_WITNESS_PROOF_MAX * 45 + RN_NOTE_MAX)

typedef struct rn_witness_req {
    uint64_t old_size;
    size_t nproof;
    rn_hash proof[RN_WITNESS_PROOF_MAX];
    const char *note; /* slice into the body: the rest after the empty line */
    size_t note_len;
} rn_witness_req;

/* Parse a request body strictly (the note itself is left to
 * rn__note_parse). RN_EINPUT / RN_ELIMIT when malformed, with *why (may be
 * NULL) a static sentence saying what is wrong. */
RN_NODISCARD rn_code rn__witness_req_parse(const char *body, size_t len,
                                           rn_witness_req *out,
                                           const char **why);
/* Format a request body into out; returns its length, 0 if cap is too small
 * or n > RN_WITNESS_PROOF_MAX. */
size_t rn__witness_req_format(uint64_t old_size, const rn_hash *proof,
                              size_t n, const char *note, size_t note_len,
                              char *out, size_t cap);

/* ---- checkpoints (checkpoint.c) ------------------------------------------ */

#define RN_CHECKPOINT_MAX 4096   /* body bytes */
#define RN_CHECKPOINT_MAX_EXT 16 /* extension lines */
#define RN_ORIGIN_MAX 255

typedef struct rn_checkpoint {
    const char *origin; /* slice into the parsed text */
    size_t origin_len;
    uint64_t size;
    rn_hash root;
    size_t next; /* number of extension lines */
    const char *ext[RN_CHECKPOINT_MAX_EXT];
    size_t ext_len[RN_CHECKPOINT_MAX_EXT];
} rn_checkpoint;

/* Format "origin\nsize\nbase64(root)\n" (no extension lines). Returns the
 * length, 0 if cap is too small or the origin is invalid. */
size_t rn__checkpoint_format(const char *origin, size_t origin_len,
                             uint64_t size, const rn_hash root, char *out,
                             size_t cap);
/* Parse a checkpoint body strictly (the note text, ending in newline). */
RN_NODISCARD rn_code rn__checkpoint_parse(const char *text, size_t len,
                                          rn_checkpoint *out);

/* ---- log entries (entry.c) ----------------------------------------------- */

/* Two versions of an entry's canonical bytes exist (docs/LEDGER.md); both
 * are one JSON object with sorted keys and no spaces.
 *
 * Version 1 (entries written before selective disclosure) carries the
 * record verbatim:
 *   {"author":S,"id":S,"op":"create"|"update"|"delete","prev":null|"hex64",
 *    "record":OBJECT|null,"seq":N,"time":"YYYY-MM-DDTHH:MM:SS.mmmZ","type":S}
 *
 * Version 2 commits to each field separately, as IETF SD-JWT does:
 *   {"digests":["hex64",...],"id":S,"op":...,"prev":...,"seq":N,"time":S,
 *    "type":S,"v":2}
 * where each digest is SHA-256 of one disclosure, the JSON array
 *   ["<32 hex: 128-bit random salt>","<name>",<value>]
 * with <name> a field of the record (its canonical JSON value) or "_author"
 * (the change's author, a JSON string). Digests are sorted, so their order
 * says nothing. Knowing a disclosure proves its value; without it the
 * salted digest reveals nothing, not even by guessing the value. */
#define RN_ENTRY_MAX (16u << 20) /* 16 MiB */
#define RN_ENTRY_MAX_DIGESTS 64
#define RN_SALT_HEX 32
#define RN_AUTHOR_NAME "_author"

typedef struct rn_entry {
    int version;        /* 1 or 2 */
    const char *author; /* JSON string contents, still escaped; for v2 set
                           by rn__entry_disclose when disclosed, else NULL */
    size_t author_len;
    const char *id;
    size_t id_len;
    char op; /* 'c', 'u', 'd' */
    int has_prev;
    rn_hash prev;
    const char *record; /* the record object's bytes, or NULL: v1 a delete;
                           v2 until rn__entry_disclose rebuilt it */
    size_t record_len;
    uint64_t seq;
    const char *time;
    size_t time_len;
    const char *type;
    size_t type_len;
    size_t ndigests; /* v2: the digests, each 64 hex digits */
    const char *digest[RN_ENTRY_MAX_DIGESTS];
    size_t disclosed; /* v2, after rn__entry_disclose: how many disclosed */
} rn_entry;

/* Parse an entry strictly: exactly the key order and forms above. */
RN_NODISCARD rn_code rn__entry_parse(const char *s, size_t len, rn_entry *out);
/* The op's word: "create", "update", "delete" (NULL for another char). */
const char *rn__entry_op_word(char op);

/* Most bytes a v2 entry can have when its id and type are at most
 * RN_ENTRY_NAME_MAX bytes: the bound of rn__entry_format_v2's output. */
#define RN_ENTRY_NAME_MAX 128
#define RN_ENTRY_V2_MAX (RN_ENTRY_MAX_DIGESTS * 67 + 2 * RN_ENTRY_NAME_MAX + 256)

/* The canonical bytes of a v2 entry from its parts: the one writer of the
 * form, used by the log when it appends and when it rebuilds an entry from
 * its stored form (docs/LEDGER.md "Stored form"). `digests` must be sorted
 * ascending (memcmp; hex order is the same) and at most
 * RN_ENTRY_MAX_DIGESTS; id and type 1..RN_ENTRY_NAME_MAX bytes of
 * [0-9A-Za-z_-] (so they need no JSON escaping); op 'c', 'u' or 'd'; prev
 * NULL or a leaf hash; time the 24 characters "YYYY-MM-DDTHH:MM:SS.mmmZ".
 * Returns the length written to out, 0 when a part is out of range or cap
 * is too small (RN_ENTRY_V2_MAX always fits). */
size_t rn__entry_format_v2(const rn_hash *digests, size_t ndigests, const char *id,
                           size_t id_len, char op, const uint8_t *prev, uint64_t seq,
                           const char time[24], const char *type, size_t type_len, char *out,
                           size_t cap);

/* ---- selective disclosure (disclose.c) ------------------------------------ */

/* One disclosure, parsed: slices into the caller's bytes. */
typedef struct rn_disclosure {
    const char *name;
    size_t name_len;
    const char *value; /* canonical JSON value */
    size_t value_len;
    rn_hash digest; /* SHA-256 of the disclosure's bytes */
} rn_disclosure;

/* Parse one disclosure ["salt","name",value] strictly. */
RN_NODISCARD rn_code rn__disclosure_parse(const char *s, size_t len,
                                          rn_disclosure *out);
/* Write the disclosure for (salt, name, value) to out; returns its length,
 * 0 if cap is too small. value is canonical JSON, copied verbatim. */
size_t rn__disclosure_format(const char salt[RN_SALT_HEX], const char *name,
                             size_t name_len, const char *value,
                             size_t value_len, char *out, size_t cap);

/* Open a v2 entry as rn__entry_parse filled it (its digests strictly
 * increasing: they are searched by halves) with disclosures: `disc` holds zero or more
 * disclosures, one per line ('\n' between them, none after the last), in
 * strictly increasing name order. Each must match a distinct digest of the
 * entry. With `all`, every digest must be disclosed. Rebuilds the record's
 * canonical JSON from id, type and the disclosed fields into buf (cap at
 * least len(disc) + len(entry) + 64 bytes is always enough) and points
 * e->record at it (not for a delete); sets e->author when "_author" is
 * disclosed, and e->disclosed. A v1 entry takes no disclosures (len 0).
 * RN_ECRYPTO when a disclosure matches no digest (a changed value);
 * RN_EINPUT when malformed. */
RN_NODISCARD rn_code rn__entry_disclose(rn_entry *e, const char *disc,
                                        size_t len, int all, char *buf,
                                        size_t cap);

/* The top-level members of a canonical JSON object (as rn_record_to_json
 * writes with RN_JSON_CANONICAL): name and value slices, in order. */
typedef struct rn_member {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} rn_member;
/* 1 and *end past the canonical JSON value at s[pos], else 0 (entry.c). */
int rn__json_value_end(const char *s, size_t len, size_t pos, size_t *end);
RN_NODISCARD rn_code rn__json_members(const char *s, size_t len,
                                      rn_member *out, size_t max, size_t *n);

/* ---- evidence bundles (bundle_check.c) ----------------------------------- */

/* Most records one bundle carries. */
#define RN_BUNDLE_MAX_RECORDS 512

/* One line of plain-words report. */
typedef void (*rn_say_fn)(void *ctx, const char *line);
/* What a verified bundle established, for a caller that acts on it (the
 * standalone verifier acting as a witness). Slices point into the bundle. */
typedef struct rn_bundle_info {
    rn_checkpoint cp;
    const char *body; /* the checkpoint note's text */
    size_t body_len;
    int has_consistency; /* a consistency section was present and verified */
    uint64_t cons_old;   /* ... from this size */
    rn_hash cons_old_root;
} rn_bundle_info;

/* Verify a bundle (docs/BUNDLE.md) held in memory against verifier keys
 * (log keys of type ED25519, witness keys of type COSIG_V1), reporting each
 * finding through say. RN_OK when everything verified; RN_ECRYPTO when
 * something did not; RN_EINPUT / RN_ELIMIT when the bundle is malformed. */
RN_NODISCARD rn_code rn__bundle_check(const char *data, size_t len,
                                      const rn_vkey *keys, size_t nkeys,
                                      rn_say_fn say, void *ctx);
/* The same, filling *info (may be NULL) when it returns RN_OK. */
RN_NODISCARD rn_code rn__bundle_check_info(const char *data, size_t len,
                                           const rn_vkey *keys, size_t nkeys,
                                           rn_say_fn say, void *ctx,
                                           rn_bundle_info *info);

#endif
