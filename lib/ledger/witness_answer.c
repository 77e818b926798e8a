/* SPDX-License-Identifier: Apache-2.0
 *
 * witness_answer.c — a witness answering c2sp.org/tlog-witness
 * add-checkpoint requests (`remnant witness serve`; the HTTP face is
 * src/witness/serve.c). For each log it trusts (by verifier key, the key's
 * name being the log's origin) it keeps one state file in the state folder:
 * the body of the latest checkpoint it cosigned, the same format as
 * `remnant witness cosign --state FILE`.
 *
 * The checks, in the spec's order, and the answer each failure gets:
 *   A1 the body parses (witness_req.c), the note and its checkpoint parse  400
 *   A2 the origin is a log this witness knows                             404
 *   A3 a signature by one of that log's keys verifies                     403
 *   A4 old size <= checkpoint size                                        400
 *   A5 old size == the size of the state (0 without one)                  409 +
 *      the state's size as text/x.tlog.size
 *   A6 old size == checkpoint size: the roots are equal (a split view
 *      otherwise)                                                         409
 *   A7 old size < checkpoint size: the consistency proof from the state's
 *      root to the checkpoint's root verifies (empty when old is 0)       422
 *   A8 the state is replaced by the new checkpoint (temporary file, fsync,
 *      rename), then the cosignature line is answered                     200
 * A5-A8 run under an exclusive flock(2) on the log's lock file, so two
 * requests for one log (threads or processes) never interleave between the
 * check and the write (the rollback race the spec describes). A signed
 * request refused at A6 or A7 is kept in the state folder as evidence.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/ledger_int.h"
#include "remnant/ledger.h"

struct rn_witness {
    rn_skey key;
    char vkey[RN_LEDGER_VKEY_MAX];
    size_t nlogs;
    rn_vkey logs[RN_WITNESS_MAX_LOGS];
    char dir[4096];
};

rn_code rn_witness_open(const char *key_path, const char *const *log_vkeys,
                        size_t nlogs, const char *state_dir, rn_witness **out,
                        rn_error *err)
{
    rn_code rc;
    struct stat sb;
    *out = NULL;
    if (sodium_init() < 0)
        return rn__err(err, RN_ECRYPTO, "libsodium failed to initialise");
    if (nlogs == 0 || nlogs > RN_WITNESS_MAX_LOGS)
        return rn__err(err, RN_EINVAL, "a witness needs 1 to %d log keys",
                       RN_WITNESS_MAX_LOGS);
    if (strlen(state_dir) + 80 > sizeof((rn_witness *)0)->dir)
        return rn__err(err, RN_ELIMIT, "state folder path too long");
    rn_witness *w = rn__calloc(1, sizeof *w);
    if (!w)
        return rn__err(err, RN_ENOMEM, "out of memory");
    if ((rc = rn__ledger_skey_file(key_path, &w->key, err)) != RN_OK)
        goto out;
    if (w->key.v.type != RN_SIGTYPE_COSIG_V1) {
        rc = rn__err(err, RN_EINPUT, "%s is not a witness key (make one with"
                     " `remnant witness keygen`)", key_path);
        goto out;
    }
    rn__vkey_format(&w->key.v, w->vkey, sizeof w->vkey);
    for (size_t i = 0; i < nlogs; i++) {
        if (rn__vkey_parse(log_vkeys[i], strlen(log_vkeys[i]), &w->logs[i]) !=
                RN_OK ||
            w->logs[i].type != RN_SIGTYPE_ED25519) {
            rc = rn__err(err, RN_EINPUT, "not a log verifier key: %s (the"
                         " output of `remnant key show`)", log_vkeys[i]);
            goto out;
        }
    }
    w->nlogs = nlogs;
    if (mkdir(state_dir, 0700) != 0 && errno != EEXIST) {
        rc = rn__err(err, RN_EIO, "%s: %s", state_dir, strerror(errno));
        goto out;
    }
    if (stat(state_dir, &sb) != 0 || !S_ISDIR(sb.st_mode) ||
        access(state_dir, W_OK) != 0) {
        rc = rn__err(err, RN_EIO, "%s: not a folder this witness can write",
                     state_dir);
        goto out;
    }
    snprintf(w->dir, sizeof w->dir, "%s", state_dir);
    *out = w;
    w = NULL;
    rc = RN_OK;
out:
    rn_witness_close(w);
    return rc;
}

void rn_witness_close(rn_witness *w)
{
    if (!w)
        return;
    sodium_memzero(&w->key, sizeof w->key);
    free(w);
}

const char *rn_witness_vkey(const rn_witness *w) { return w->vkey; }

/* ---- answers ------------------------------------------------------------ */

static void answer_text(rn_witness_answer *a, int status, const char *ctype,
                        const char *text)
{
    a->status = status;
    a->content_type = ctype;
    size_t n = strlen(text);
    if (n >= sizeof a->body)
        n = sizeof a->body - 1;
    memcpy(a->body, text, n);
    a->body[n] = '\0';
    a->body_len = n;
}

/* A JSON error body {"error":{"code":C,"message":M}}, the house form. */
static void answer_error(rn_witness_answer *a, int status, const char *code,
                         const char *fmt, ...) RN_PRINTF(4, 5);
static void answer_error(rn_witness_answer *a, int status, const char *code,
                         const char *fmt, ...)
{
    char msg[600], esc[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t j = 0;
    for (size_t i = 0; msg[i] && j + 7 < sizeof esc; i++) {
        unsigned char ch = (unsigned char)msg[i];
        if (ch == '"' || ch == '\\') {
            esc[j++] = '\\';
            esc[j++] = (char)ch;
        } else if (ch < 0x20) {
            j += (size_t)snprintf(esc + j, sizeof esc - j, "\\u%04x", ch);
        } else {
            esc[j++] = (char)ch;
        }
    }
    esc[j] = '\0';
    a->status = status;
    a->content_type = "application/json";
    int n = snprintf(a->body, sizeof a->body,
                     "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}\n", code,
                     esc);
    a->body_len = n < 0 ? 0 : (size_t)n >= sizeof a->body ? sizeof a->body - 1
                                                          : (size_t)n;
}

static void answer_size(rn_witness_answer *a, uint64_t size)
{
    char t[32];
    snprintf(t, sizeof t, "%llu\n", (unsigned long long)size);
    answer_text(a, 409, "text/x.tlog.size", t);
}

/* "<dir>/<hex SHA-256 of origin><suffix>": origins hold '/' and more, so the
 * file is named by the origin's hash; the state's body names the origin. */
static void log_path(const rn_witness *w, const char *origin, size_t len,
                     const char *suffix, char *out, size_t cap)
{
    uint8_t h[32];
    char hex[65];
    crypto_hash_sha256(h, (const unsigned char *)origin, len);
    rn__hex_encode(h, sizeof h, hex);
    snprintf(out, cap, "%s/%s%s", w->dir, hex, suffix);
}

/* Keep a signed request the witness refused (A6, A7): proof of a log's
 * misbehaviour. Best effort. */
static void keep_evidence(const rn_witness *w, const rn_checkpoint *cp,
                          const char *body, size_t len)
{
    char path[4200];
    log_path(w, cp->origin, cp->origin_len, ".refused.XXXXXX", path,
             sizeof path);
    mode_t old = umask(077);
    int fd = mkstemp(path);
    umask(old);
    if (fd < 0)
        return;
    int ok = write(fd, body, len) == (ssize_t)len && fsync(fd) == 0;
    close(fd);
    if (!ok)
        unlink(path);
}

/* The state: RN_ENOTFOUND when the witness never cosigned this log. */
static rn_code read_state(const char *path, char *buf, size_t cap, size_t *len,
                          rn_checkpoint *cp, rn_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            return RN_ENOTFOUND;
        return rn__err(err, RN_EIO, "%s: %s", path, strerror(errno));
    }
    ssize_t n = read(fd, buf, cap);
    close(fd);
    if (n <= 0 || (size_t)n >= cap ||
        rn__checkpoint_parse(buf, (size_t)n, cp) != RN_OK)
        return rn__err(err, RN_EIO, "%s: damaged witness state (it should hold"
                       " the last checkpoint cosigned)", path);
    *len = (size_t)n;
    return RN_OK;
}

rn_code rn_witness_add_checkpoint(rn_witness *w, const char *body, size_t len,
                                  rn_witness_answer *a, rn_error *err)
{
    rn_witness_req req;
    rn_note n;
    rn_checkpoint cp, old;
    const char *why = NULL;
    rn_vkey keys[RN_WITNESS_MAX_LOGS];
    size_t nkeys = 0;
    int lock = -1;
    rn_code rc;
    char state[RN_CHECKPOINT_MAX + 2];
    size_t state_len = 0;
    char path[4200], lpath[4200];

    memset(a, 0, sizeof *a);
    a->verdict = RN_WITNESS_COSIGNED;
    /* A1 */
    rc = rn__witness_req_parse(body, len, &req, &why);
    if (rc != RN_OK) {
        answer_error(a, rc == RN_ELIMIT ? 413 : 400, "bad_request", "%s", why);
        return rn__err(err, rc, "%s", why);
    }
    if (rn__note_parse(req.note, req.note_len, &n) != RN_OK ||
        rn__checkpoint_parse(n.text, n.text_len, &cp) != RN_OK) {
        answer_error(a, 400, "bad_request", "after the empty line comes a"
                     " checkpoint as a signed note (c2sp.org/tlog-checkpoint)");
        return rn__err(err, RN_EINPUT, "not a signed checkpoint");
    }
    /* A2 */
    for (size_t i = 0; i < w->nlogs; i++)
        if (strlen(w->logs[i].name) == cp.origin_len &&
            memcmp(w->logs[i].name, cp.origin, cp.origin_len) == 0)
            keys[nkeys++] = w->logs[i];
    if (nkeys == 0) {
        answer_error(a, 404, "not_found", "this witness does not witness the"
                     " log %.*s", (int)cp.origin_len, cp.origin);
        return rn__err(err, RN_ENOTFOUND, "unknown log %.*s",
                       (int)cp.origin_len, cp.origin);
    }
    /* A3 */
    if (rn__note_verify(&n, keys, nkeys, NULL) != RN_OK) {
        answer_error(a, 403, "forbidden", "the checkpoint is not signed by a"
                     " key this witness trusts for %.*s", (int)cp.origin_len,
                     cp.origin);
        return rn__err(err, RN_ECRYPTO, "bad signature for %.*s",
                       (int)cp.origin_len, cp.origin);
    }
    /* A4 */
    if (req.old_size > cp.size) {
        answer_error(a, 400, "bad_request", "the old size %llu is larger than"
                     " the checkpoint's size %llu",
                     (unsigned long long)req.old_size,
                     (unsigned long long)cp.size);
        return rn__err(err, RN_EINPUT, "old size beyond the checkpoint");
    }
    log_path(w, cp.origin, cp.origin_len, ".checkpoint", path, sizeof path);
    log_path(w, cp.origin, cp.origin_len, ".lock", lpath, sizeof lpath);
    lock = open(lpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (lock < 0 || flock(lock, LOCK_EX) != 0) {
        rc = rn__err(err, RN_EIO, "%s: %s", lpath, strerror(errno));
        goto fail;
    }
    uint64_t have = 0;
    rc = read_state(path, state, sizeof state, &state_len, &old, err);
    if (rc == RN_OK) {
        if (old.origin_len != cp.origin_len ||
            memcmp(old.origin, cp.origin, cp.origin_len) != 0) {
            rc = rn__err(err, RN_EIO, "%s holds the state of another log",
                         path);
            goto fail;
        }
        have = old.size;
    } else if (rc != RN_ENOTFOUND) {
        goto fail;
    }
    if (err)
        rn_error_clear(err);
    /* A5 */
    if (req.old_size != have) {
        answer_size(a, have);
        a->verdict = cp.size < have ? RN_WITNESS_ROLLBACK : RN_WITNESS_COSIGNED;
        rc = rn__err(err, RN_ECONSTRAINT, "old size %llu, but this witness"
                     " last cosigned %llu", (unsigned long long)req.old_size,
                     (unsigned long long)have);
        goto out;
    }
    if (req.old_size == cp.size) {
        /* A6; an empty proof only */
        if (req.nproof != 0 || (have > 0 && sodium_memcmp(old.root, cp.root,
                                                          RN_HASH_LEN) != 0)) {
            if (req.nproof != 0) {
                answer_error(a, 422, "bad_proof", "the consistency proof"
                             " between equal sizes must be empty");
                rc = rn__err(err, RN_ECRYPTO, "non-empty proof");
                goto out;
            }
            a->verdict = RN_WITNESS_SPLIT_VIEW;
            keep_evidence(w, &cp, body, len);
            answer_size(a, have);
            rc = rn__err(err, RN_ETAMPER, "SPLIT VIEW: %.*s shows a checkpoint"
                         " of size %llu whose root differs from the one this"
                         " witness cosigned", (int)cp.origin_len, cp.origin,
                         (unsigned long long)cp.size);
            goto out;
        }
        a->verdict = RN_WITNESS_SAME;
    } else {
        /* A7 */
        int ok = req.old_size == 0
                     ? req.nproof == 0
                     : rn__merkle_verify_consistency(
                           req.old_size, cp.size,
                           (const rn_hash *)req.proof, req.nproof, old.root,
                           cp.root) == RN_OK;
        if (!ok) {
            a->verdict = RN_WITNESS_INCONSISTENT;
            keep_evidence(w, &cp, body, len);
            answer_error(a, 422, "bad_proof", "the consistency proof from size"
                         " %llu to %llu does not verify against the checkpoint"
                         " this witness cosigned", (unsigned long long)have,
                         (unsigned long long)cp.size);
            rc = rn__err(err, RN_ETAMPER, "INCONSISTENT: %.*s size %llu does"
                         " not extend size %llu", (int)cp.origin_len,
                         cp.origin, (unsigned long long)cp.size,
                         (unsigned long long)have);
            goto out;
        }
    }
    /* A8 */
    char line[1024];
    size_t line_len = 0;
    time_t now = time(NULL);
    if ((rc = rn__cosign_line(&w->key, (uint64_t)(now < 0 ? 0 : now), n.text,
                              n.text_len, line, sizeof line - 1, &line_len)) !=
        RN_OK) {
        rc = rn__err(err, rc, "cannot cosign");
        goto fail;
    }
    line[line_len] = '\0';
    if ((rc = rn__ledger_key_write(path, n.text, n.text_len - 1, 1, err)) !=
        RN_OK)
        goto fail;
    answer_text(a, 200, "text/plain; charset=utf-8", line);
    rc = RN_OK;
    goto out;
fail:
    answer_error(a, 500, "internal", "the witness could not keep its state");
out:
    if (lock >= 0)
        close(lock); /* releases the flock */
    return rc;
}
