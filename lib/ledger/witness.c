/* SPDX-License-Identifier: Apache-2.0
 *
 * witness.c — both sides of witnessing (c2sp.org/tlog-cosignature,
 * cosignature/v1):
 *   the witness: take the log's latest checkpoint, check the log's signature,
 *     check consistency with the last checkpoint it cosigned (kept in a state
 *     file: that checkpoint's body), cosign; refuse and say so loudly on a
 *     split view (same size, other root), an inconsistent pair, or a
 *     rollback (a smaller tree than already seen);
 *   the instance: record a witness's cosignature line beside the checkpoint
 *     after checking it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/ledger_int.h"
#include "remnant/ledger.h"

/* The state file: the body of the last checkpoint cosigned. OUT body/len;
 * RN_ENOTFOUND when the witness has seen nothing yet. */
static rn_code read_state(const char *path, char *body, size_t cap,
                          size_t *len, rn_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return RN_ENOTFOUND;
        return rn__err(err, RN_EIO, "%s: %s", path, strerror(errno));
    }
    ssize_t n = read(fd, body, cap - 1);
    close(fd);
    if (n <= 0 || (size_t)n >= cap - 1)
        return rn__err(err, RN_EINPUT, "%s: not a witness state file", path);
    *len = (size_t)n;
    return RN_OK;
}

rn_code rn_ledger_witness_cosign(rn_ledger *l, const char *log_vkey,
                                 const char *key_path, const char *state_path,
                                 rn_witness_verdict *verdict, char **line,
                                 rn_error *err)
{
    rn_code rc;
    rn_vkey lk;
    rn_skey wk;
    char *note = NULL;
    size_t note_len = 0;
    char state[RN_CHECKPOINT_MAX + 2];
    size_t state_len = 0;
    rn_note n;
    rn_checkpoint cp, old;
    char out[1024];
    size_t out_len = 0;

    *line = NULL;
    *verdict = RN_WITNESS_COSIGNED;
    memset(&wk, 0, sizeof wk);
    if (rn__vkey_parse(log_vkey, strlen(log_vkey), &lk) != RN_OK ||
        lk.type != RN_SIGTYPE_ED25519)
        return rn__err(err, RN_EINPUT, "not a log verifier key: %s", log_vkey);
    if ((rc = rn__ledger_skey_file(key_path, &wk, err)) != RN_OK)
        goto out;
    if (wk.v.type != RN_SIGTYPE_COSIG_V1) {
        rc = rn__err(err, RN_EINPUT, "%s is not a witness key", key_path);
        goto out;
    }
    if ((rc = rn_ledger_checkpoint(l, 0, &note, &note_len, err)) != RN_OK)
        goto out;
    if (rn__note_parse(note, note_len, &n) != RN_OK ||
        rn__checkpoint_parse(n.text, n.text_len, &cp) != RN_OK) {
        rc = rn__err(err, RN_ETAMPER, "the log's latest checkpoint is not a"
                     " signed checkpoint");
        goto out;
    }
    if (rn__note_verify(&n, &lk, 1, NULL) != RN_OK) {
        rc = rn__err(err, RN_ECRYPTO, "the log's latest checkpoint (size %llu)"
                     " is not signed by %s", (unsigned long long)cp.size,
                     lk.name);
        goto out;
    }
    rc = read_state(state_path, state, sizeof state, &state_len, err);
    if (rc == RN_OK) {
        if (rn__checkpoint_parse(state, state_len, &old) != RN_OK) {
            rc = rn__err(err, RN_EINPUT, "%s: not a witness state file",
                         state_path);
            goto out;
        }
        if (old.origin_len != cp.origin_len ||
            memcmp(old.origin, cp.origin, cp.origin_len) != 0) {
            rc = rn__err(err, RN_EINPUT, "%s holds the state of another log"
                         " (%.*s)", state_path, (int)old.origin_len,
                         old.origin);
            goto out;
        }
        if (cp.size == old.size) {
            if (sodium_memcmp(cp.root, old.root, RN_HASH_LEN) != 0) {
                *verdict = RN_WITNESS_SPLIT_VIEW;
                rc = rn__err(err, RN_ETAMPER, "SPLIT VIEW: the log shows a"
                             " checkpoint of size %llu whose root differs from"
                             " the one this witness cosigned at that size",
                             (unsigned long long)cp.size);
                goto out;
            }
            *verdict = RN_WITNESS_SAME;
        } else if (cp.size < old.size) {
            *verdict = RN_WITNESS_ROLLBACK;
            rc = rn__err(err, RN_ETAMPER, "ROLLBACK: the log shows %llu"
                         " entries, but this witness already cosigned %llu",
                         (unsigned long long)cp.size,
                         (unsigned long long)old.size);
            goto out;
        } else {
            rn_ledger_proof p;
            rc = rn_ledger_consistency(l, old.size, cp.size, &p, err);
            if (rc == RN_OK)
                rc = rn_ledger_verify_consistency(&p, old.root, cp.root);
            if (rc != RN_OK) {
                *verdict = RN_WITNESS_INCONSISTENT;
                rc = rn__err(err, RN_ETAMPER, "INCONSISTENT: the checkpoint of"
                             " size %llu is not an extension of the one of"
                             " size %llu this witness cosigned",
                             (unsigned long long)cp.size,
                             (unsigned long long)old.size);
                goto out;
            }
        }
    } else if (rc != RN_ENOTFOUND) {
        goto out;
    }
    if (err)
        rn_error_clear(err);
    char nowbuf[25];
    int64_t now;
    rn__ledger_now(nowbuf, &now);
    if ((rc = rn__cosign_line(&wk, (uint64_t)now, n.text, n.text_len, out,
                              sizeof out, &out_len)) != RN_OK) {
        rc = rn__err(err, rc, "cannot cosign");
        goto out;
    }
    /* Remember what was cosigned before handing the line out. */
    if ((rc = rn__ledger_key_write(state_path, n.text, n.text_len - 1, 1,
                                   err)) != RN_OK)
        goto out;
    *line = rn__strndup(out, out_len);
    if (!*line)
        rc = rn__err(err, RN_ENOMEM, "out of memory");
out:
    sodium_memzero(&wk, sizeof wk);
    free(note);
    return rc;
}

rn_code rn_ledger_witness_record(rn_ledger *l, uint64_t size,
                                 const char *witness_vkey, const char *line,
                                 rn_error *err)
{
    rn_code rc;
    rn_vkey wk;
    sqlite3_stmt *st = NULL;
    char msg[RN_NOTE_MAX];
    if (l->readonly)
        return rn__err(err, RN_EREADONLY, "the log was opened read-only");
    if (rn__vkey_parse(witness_vkey, strlen(witness_vkey), &wk) != RN_OK ||
        wk.type != RN_SIGTYPE_COSIG_V1)
        return rn__err(err, RN_EINPUT, "not a witness verifier key: %s",
                       witness_vkey);
    if (size == 0 && (rc = rn__ledger_latest(l, &size, err)) != RN_OK)
        return rc;
    if (sqlite3_prepare_v2(l->db, "SELECT note FROM ledger_checkpoint WHERE"
                           " size = ?1", -1, &st, NULL) != SQLITE_OK)
        return rn__ledger_dberr(l->db, err, "read checkpoint");
    sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = rn__err(err, RN_ENOTFOUND, "no checkpoint at size %llu",
                     (unsigned long long)size);
        goto out;
    }
    const char *note = (const char *)sqlite3_column_text(st, 0);
    size_t nl = (size_t)sqlite3_column_bytes(st, 0);
    rn_note n;
    const char *body = note;
    size_t blen = nl;
    if (note && rn__note_parse(note, nl, &n) == RN_OK) {
        body = n.text;
        blen = n.text_len;
    }
    size_t ll = strlen(line);
    while (ll > 0 && line[ll - 1] == '\n')
        ll--;
    if (!body || blen + ll + 3 > sizeof msg) {
        rc = rn__err(err, RN_ELIMIT, "cosignature too large");
        goto out;
    }
    memcpy(msg, body, blen);
    msg[blen] = '\n';
    memcpy(msg + blen + 1, line, ll);
    msg[blen + 1 + ll] = '\n';
    rn_note cn;
    if (rn__note_parse(msg, blen + ll + 2, &cn) != RN_OK || cn.nsigs != 1 ||
        rn__note_verify(&cn, &wk, 1, NULL) != RN_OK) {
        rc = rn__err(err, RN_ECRYPTO, "the cosignature does not verify for"
                     " checkpoint %llu with witness key %s",
                     (unsigned long long)size, witness_vkey);
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(l->db, "INSERT OR REPLACE INTO ledger_cosignature"
                           "(size, witness, line) VALUES (?1, ?2, ?3)", -1,
                           &st, NULL) != SQLITE_OK) {
        rc = rn__ledger_dberr(l->db, err, "record cosignature");
        goto out;
    }
    sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
    sqlite3_bind_text(st, 2, witness_vkey, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, msg + blen + 1, (int)ll + 1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = rn__ledger_dberr(l->db, err, "record cosignature");
        goto out;
    }
    rc = RN_OK;
out:
    sqlite3_finalize(st);
    return rc;
}
