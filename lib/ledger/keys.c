/* SPDX-License-Identifier: Apache-2.0
 *
 * keys.c — key files: the instance's signing key beside its database
 * (`<db>.key`) and witness keys. Create, show, rotate; atomic writes with
 * mode 0600; secrets read into fixed buffers and wiped after use. Secret key
 * text is never logged, printed or stored in the database; only verifier
 * (public) keys go into ledger_key.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/ledger_int.h"
#include "remnant/ledger.h"

#define KEY_FILE_MAX 1024

rn_code rn__ledger_key_path(const char *db_path, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s.key", db_path);
    return n < 0 || (size_t)n >= cap ? RN_ELIMIT : RN_OK;
}

rn_code rn__ledger_skey_file(const char *path, rn_skey *out, rn_error *err)
{
    char text[KEY_FILE_MAX];
    rn_code rc;
    struct stat sb;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            return rn__err(err, RN_ENOTFOUND, "no key file %s", path);
        return rn__err(err, RN_EIO, "%s: %s", path, strerror(errno));
    }
    ssize_t n = 0;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        rc = rn__err(err, RN_EIO, "%s: not a regular file", path);
        goto out;
    }
    if (sb.st_mode & 077) {
        rc = rn__err(err, RN_EIO, "%s: a secret key must not be readable by"
                     " others (chmod 600)", path);
        goto out;
    }
    n = read(fd, text, sizeof text - 1);
    if (n < 0) {
        rc = rn__err(err, RN_EIO, "%s: %s", path, strerror(errno));
        goto out;
    }
    size_t len = (size_t)n;
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    rc = rn__skey_parse(text, len, out);
    if (rc != RN_OK)
        rc = rn__err(err, RN_EINPUT, "%s: not a secret key", path);
out:
    sodium_memzero(text, sizeof text);
    close(fd);
    return rc;
}

rn_code rn__ledger_key_load(const char *db_path, rn_skey *out, rn_error *err)
{
    char path[4096];
    if (rn__ledger_key_path(db_path, path, sizeof path) != RN_OK)
        return rn__err(err, RN_ELIMIT, "key path too long");
    return rn__ledger_skey_file(path, out, err);
}

/* ---- the key's binding to its log --------------------------------------------
 *
 * Beside the key file, `<db>.key.last` keeps the last checkpoint the key
 * signed that was committed: "origin\nsize\nbase64(root)\n" (a checkpoint
 * body). Before signing, seal checks that this log holds that very
 * checkpoint: a log that does not — emptied, replaced or cut back — would
 * otherwise be signed as if nothing had happened. (The checkpoint rows are
 * append-only and `remnant verify` checks each against the entries, so a
 * row with the right size and root stands for the right tree.) */

static int state_path(const char *db_path, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s.key.last", db_path);
    return n > 0 && (size_t)n < cap;
}

rn_code rn__ledger_key_binding_check(sqlite3 *db, const char *db_path, const rn_skey *key,
                                     const char *origin, rn_error *err)
{
    if (strcmp(key->v.name, origin) != 0)
        return rn__err(err, RN_ETAMPER, "the key file %s.key is the key of the log %s, not of"
                       " this log (%s): refusing to sign another log's checkpoints (was the"
                       " database replaced or emptied?)", db_path, key->v.name, origin);
    char path[4096], text[RN_CHECKPOINT_MAX];
    if (!state_path(db_path, path, sizeof path))
        return rn__err(err, RN_ELIMIT, "key path too long");
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return errno == ENOENT ? RN_OK
                               : rn__err(err, RN_EIO, "%s: %s", path, strerror(errno));
    ssize_t n = read(fd, text, sizeof text);
    close(fd);
    rn_checkpoint cp;
    if (n <= 0 || rn__checkpoint_parse(text, (size_t)n, &cp) != RN_OK)
        return rn__err(err, RN_ETAMPER, "%s is damaged: it should hold the last checkpoint"
                       " this key signed", path);
    if (cp.origin_len != strlen(origin) || memcmp(cp.origin, origin, cp.origin_len) != 0)
        return rn__err(err, RN_ETAMPER, "%s names the log %.*s, not this one", path,
                       (int)cp.origin_len, cp.origin);
    sqlite3_stmt *st = NULL;
    rn_code rc = RN_OK;
    if (sqlite3_prepare_v2(db, "SELECT root FROM ledger_checkpoint WHERE size = ?1", -1, &st,
                           NULL) != SQLITE_OK)
        return rn__ledger_dberr(db, err, "read checkpoint");
    sqlite3_bind_int64(st, 1, (sqlite3_int64)cp.size);
    if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_bytes(st, 0) != RN_HASH_LEN ||
        memcmp(sqlite3_column_blob(st, 0), cp.root, RN_HASH_LEN) != 0)
        rc = rn__err(err, RN_ETAMPER, "ROLLBACK: this key last signed a checkpoint of %llu"
                     " entries that this database does not hold: it was emptied, replaced or"
                     " cut back. Refusing to sign; restore the database (the state is in %s)",
                     (unsigned long long)cp.size, path);
    sqlite3_finalize(st);
    return rc;
}

void rn__ledger_key_binding_save(sqlite3 *db, const char *db_path)
{
    char path[4096], tmp[4200], text[RN_CHECKPOINT_MAX + 8];
    if (!state_path(db_path, path, sizeof path))
        return;
    if (access(path, F_OK) != 0) {
        /* Only for a log that has a key. */
        char kp[4096];
        if (rn__ledger_key_path(db_path, kp, sizeof kp) != RN_OK || access(kp, F_OK) != 0)
            return;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT note FROM ledger_checkpoint ORDER BY size DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    size_t len = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *nt = (const char *)sqlite3_column_text(st, 0);
        size_t nl = (size_t)sqlite3_column_bytes(st, 0);
        rn_note note;
        if (nt && rn__note_parse(nt, nl, &note) == RN_OK && note.text_len < sizeof text) {
            memcpy(text, note.text, note.text_len);
            len = note.text_len;
        }
    }
    sqlite3_finalize(st);
    if (len == 0)
        return; /* unsigned: nothing this key vouched for */
    /* A unique temporary name: server threads commit concurrently. Whichever
     * rename lands last, the state names a checkpoint the log holds. */
    snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", path);
    mode_t old = umask(077);
    int fd = mkstemp(tmp);
    umask(old);
    if (fd < 0)
        return;
    int ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
    close(fd);
    if (!ok || rename(tmp, path) != 0)
        unlink(tmp);
}

/* fsync the folder holding path, so a rename is durable. */
static void sync_dir(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    int fd = open(dirname(buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

rn_code rn__ledger_key_write(const char *path, const char *text, size_t len,
                             int replace, rn_error *err)
{
    char tmp[4096];
    rn_code rc = RN_OK;
    int fd = -1;
    if (snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", path) >= (int)sizeof tmp)
        return rn__err(err, RN_ELIMIT, "key path too long");
    if (!replace && access(path, F_OK) == 0)
        return rn__err(err, RN_EEXISTS, "%s already exists", path);
    mode_t old = umask(077);
    fd = mkstemp(tmp);
    umask(old);
    if (fd < 0)
        return rn__err(err, RN_EIO, "%s: %s", tmp, strerror(errno));
    if (fchmod(fd, 0600) != 0) {
        rc = rn__err(err, RN_EIO, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = rn__err(err, RN_EIO, "%s: %s", tmp, strerror(errno));
            goto out;
        }
        off += (size_t)w;
    }
    if (write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
        rc = rn__err(err, RN_EIO, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    close(fd);
    fd = -1;
    if (replace) {
        if (rename(tmp, path) != 0) {
            rc = rn__err(err, RN_EIO, "%s: %s", path, strerror(errno));
            goto out;
        }
    } else {
        /* link() fails if path appeared meanwhile: never overwrite a key. */
        if (link(tmp, path) != 0) {
            rc = rn__err(err, errno == EEXIST ? RN_EEXISTS : RN_EIO, "%s: %s",
                         path, strerror(errno));
            goto out;
        }
        unlink(tmp);
    }
    sync_dir(path);
out:
    if (fd >= 0)
        close(fd);
    if (rc != RN_OK)
        unlink(tmp);
    return rc;
}

/* Overwrite a secret key file's bytes with zeros before it is replaced. */
static void wipe_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return;
    struct stat sb;
    if (fstat(fd, &sb) == 0 && sb.st_size > 0 && sb.st_size <= KEY_FILE_MAX) {
        char zero[KEY_FILE_MAX] = {0};
        if (write(fd, zero, (size_t)sb.st_size) == (ssize_t)sb.st_size)
            fsync(fd);
    }
    close(fd);
}

/* Add a signature by k to the latest checkpoint, and put k's verifier key on
 * record, in one transaction of l's connection. */
/* A rotation: "remnant key rotation\n<origin>\nold <vkey>\nnew <vkey>\n"
 * signed by both keys, stored in ledger_key_link (verify.c V8 walks them). */
static rn_code record_rotation(rn_ledger *l, const rn_skey *old, const rn_skey *k,
                               rn_error *err)
{
    char ov[RN_LEDGER_VKEY_MAX], nv[RN_LEDGER_VKEY_MAX], note[4096];
    size_t ol = rn__vkey_format(&old->v, ov, sizeof ov);
    size_t nl = rn__vkey_format(&k->v, nv, sizeof nv);
    int tl = snprintf(note, sizeof note, "remnant key rotation\n%s\nold %s\nnew %s\n",
                      l->origin, ov, nv);
    if (tl < 0 || (size_t)tl + 2 >= sizeof note)
        return rn__err(err, RN_ELIMIT, "key names too long");
    size_t len = (size_t)tl;
    note[len++] = '\n';
    rn_code rc = rn__note_sign_line(old, note, (size_t)tl, note, sizeof note, &len);
    if (rc == RN_OK)
        rc = rn__note_sign_line(k, note, (size_t)tl, note, sizeof note, &len);
    if (rc)
        return rn__err(err, rc, "cannot sign the key rotation");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(l->db, "INSERT INTO ledger_key_link(old, new, note) VALUES"
                           " (?1, ?2, ?3)", -1, &st, NULL) != SQLITE_OK)
        return rn__ledger_dberr(l->db, err, "record rotation");
    sqlite3_bind_text(st, 1, ov, (int)ol, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, nv, (int)nl, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, note, (int)len, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? RN_OK : rn__ledger_dberr(l->db, err, "record rotation");
    sqlite3_finalize(st);
    return rc;
}

static rn_code sign_latest(rn_ledger *l, const rn_skey *k, const rn_skey *old, rn_error *err)
{
    rn_code rc;
    sqlite3_stmt *st = NULL;
    char note[RN_NOTE_MAX];
    char vk[RN_LEDGER_VKEY_MAX];
    size_t vl = rn__vkey_format(&k->v, vk, sizeof vk);
    if (sqlite3_exec(l->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return rn__ledger_dberr(l->db, err, "begin");
    if (old && (rc = record_rotation(l, old, k, err)) != RN_OK)
        goto out;
    if (sqlite3_prepare_v2(l->db, "INSERT OR IGNORE INTO ledger_key(vkey)"
                           " VALUES (?1)", -1, &st,
                           NULL) != SQLITE_OK) {
        rc = rn__ledger_dberr(l->db, err, "record key");
        goto out;
    }
    sqlite3_bind_text(st, 1, vk, (int)vl, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = rn__ledger_dberr(l->db, err, "record key");
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;

    if (sqlite3_prepare_v2(l->db, "SELECT size, note FROM ledger_checkpoint"
                           " ORDER BY size DESC LIMIT 1", -1, &st,
                           NULL) != SQLITE_OK) {
        rc = rn__ledger_dberr(l->db, err, "read checkpoint");
        goto out;
    }
    if (sqlite3_step(st) == SQLITE_ROW) {
        sqlite3_int64 size = sqlite3_column_int64(st, 0);
        size_t len = (size_t)sqlite3_column_bytes(st, 1);
        if (len + 512 > sizeof note) {
            rc = rn__err(err, RN_ELIMIT, "checkpoint too large");
            goto out;
        }
        const unsigned char *nt = sqlite3_column_text(st, 1);
        if (!nt) {
            rc = rn__err(err, RN_ETAMPER, "the latest checkpoint is empty");
            goto out;
        }
        memcpy(note, nt, len);
        sqlite3_finalize(st);
        st = NULL;
        rn_note n;
        const char *body = note;
        size_t blen = len;
        if (rn__note_parse(note, len, &n) == RN_OK) {
            body = n.text;
            blen = n.text_len;
        } else {
            note[len++] = '\n'; /* unsigned: start the signature block */
        }
        rn_checkpoint cp;
        if (rn__checkpoint_parse(body, blen, &cp) != RN_OK) {
            rc = rn__err(err, RN_ETAMPER, "the latest checkpoint is malformed");
            goto out;
        }
        if ((rc = rn__note_sign_line(k, body, blen, note, sizeof note, &len)))
            goto out;
        if (sqlite3_prepare_v2(l->db, "UPDATE ledger_checkpoint SET note = ?2"
                               " WHERE size = ?1", -1, &st, NULL) != SQLITE_OK) {
            rc = rn__ledger_dberr(l->db, err, "sign checkpoint");
            goto out;
        }
        sqlite3_bind_int64(st, 1, size);
        sqlite3_bind_text(st, 2, note, (int)len, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            rc = rn__ledger_dberr(l->db, err, "sign checkpoint");
            goto out;
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        rc = rn__ledger_dberr(l->db, err, "commit");
        goto out;
    }
    rn__ledger_key_binding_save(l->db, l->path);
    return RN_OK;
out:
    sqlite3_finalize(st);
    sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static rn_code new_key(rn_ledger *l, int rotate, char vkey[RN_LEDGER_VKEY_MAX],
                       rn_error *err)
{
    rn_skey old, k;
    char path[4096], text[KEY_FILE_MAX];
    rn_code rc;
    int have_old = 0;
    vkey[0] = '\0';
    memset(&old, 0, sizeof old);
    memset(&k, 0, sizeof k);
    if (l->readonly)
        return rn__err(err, RN_EREADONLY, "the log was opened read-only");
    if (rn__ledger_key_path(l->path, path, sizeof path) != RN_OK)
        return rn__err(err, RN_ELIMIT, "key path too long");
    rc = rn__ledger_skey_file(path, &old, err);
    if (rc == RN_OK) {
        have_old = 1;
        if (!rotate) {
            rc = rn__err(err, RN_EEXISTS, "%s already exists (use rotate)",
                         path);
            goto out;
        }
    } else if (rc != RN_ENOTFOUND || rotate) {
        goto out;
    }
    if (err)
        rn_error_clear(err);
    if ((rc = rn__skey_generate(l->origin, strlen(l->origin),
                                RN_SIGTYPE_ED25519, &k)) != RN_OK) {
        rc = rn__err(err, rc, "cannot make a key named %s", l->origin);
        goto out;
    }
    size_t tl = rn__skey_format(&k, text, sizeof text);
    if (tl == 0) {
        rc = rn__err(err, RN_EINVAL, "cannot encode the key");
        goto out;
    }
    if (have_old)
        wipe_file(path);
    if ((rc = rn__ledger_key_write(path, text, tl, have_old, err)) != RN_OK)
        goto out;
    if ((rc = sign_latest(l, &k, have_old ? &old : NULL, err)) != RN_OK)
        goto out;
    rn__vkey_format(&k.v, vkey, RN_LEDGER_VKEY_MAX);
out:
    sodium_memzero(text, sizeof text);
    sodium_memzero(&k, sizeof k);
    sodium_memzero(&old, sizeof old);
    return rc;
}

rn_code rn_ledger_key_create(rn_ledger *l, char vkey[RN_LEDGER_VKEY_MAX],
                             rn_error *err)
{
    return new_key(l, 0, vkey, err);
}

rn_code rn_ledger_key_rotate(rn_ledger *l, char vkey[RN_LEDGER_VKEY_MAX],
                             rn_error *err)
{
    return new_key(l, 1, vkey, err);
}

rn_code rn_ledger_key_show(rn_ledger *l, char vkey[RN_LEDGER_VKEY_MAX],
                           rn_error *err)
{
    rn_skey k;
    vkey[0] = '\0';
    rn_code rc = rn__ledger_key_load(l->path, &k, err);
    if (rc == RN_OK)
        rn__vkey_format(&k.v, vkey, RN_LEDGER_VKEY_MAX);
    sodium_memzero(&k, sizeof k);
    return rc;
}

rn_code rn_ledger_key_history(rn_ledger *l, char **out, rn_error *err)
{
    sqlite3_stmt *st = NULL;
    rn_buf b;
    rn_code rc = RN_OK;
    rn__buf_init(&b, 1u << 20);
    *out = NULL;
    if (sqlite3_prepare_v2(l->db, "SELECT vkey FROM ledger_key ORDER BY"
                           " rowid DESC", -1, &st, NULL) != SQLITE_OK)
        return rn__ledger_dberr(l->db, err, "read keys");
    while (rc == RN_OK && sqlite3_step(st) == SQLITE_ROW)
        rc = rn__buf_printf(&b, "%s\n",
                            sqlite3_column_text(st, 0)
                                ? (const char *)sqlite3_column_text(st, 0)
                                : "");
    if (rc == RN_OK)
        rc = rn__buf_cstr(&b);
    sqlite3_finalize(st);
    if (rc != RN_OK) {
        rn__buf_free(&b);
        return rn__err(err, rc, "too many keys");
    }
    *out = b.data;
    return RN_OK;
}

rn_code rn_ledger_witness_keygen(const char *key_path, const char *name,
                                 char vkey[RN_LEDGER_VKEY_MAX], rn_error *err)
{
    rn_skey k;
    char text[KEY_FILE_MAX];
    rn_code rc;
    vkey[0] = '\0';
    if (sodium_init() < 0)
        return rn__err(err, RN_ECRYPTO, "libsodium failed to initialise");
    if (!rn__note_name_ok(name, strlen(name)))
        return rn__err(err, RN_EINPUT, "a witness name has no spaces or '+',"
                       " e.g. witness.example.org/w1");
    if ((rc = rn__skey_generate(name, strlen(name), RN_SIGTYPE_COSIG_V1, &k)))
        return rn__err(err, rc, "cannot make a key");
    size_t tl = rn__skey_format(&k, text, sizeof text);
    rc = tl ? rn__ledger_key_write(key_path, text, tl, 0, err)
            : rn__err(err, RN_EINVAL, "cannot encode the key");
    if (rc == RN_OK)
        rn__vkey_format(&k.v, vkey, RN_LEDGER_VKEY_MAX);
    sodium_memzero(text, sizeof text);
    sodium_memzero(&k, sizeof k);
    return rc;
}

rn_code rn_ledger_witness_key_show(const char *key_path,
                                   char vkey[RN_LEDGER_VKEY_MAX],
                                   rn_error *err)
{
    rn_skey k;
    vkey[0] = '\0';
    if (sodium_init() < 0)
        return rn__err(err, RN_ECRYPTO, "libsodium failed to initialise");
    rn_code rc = rn__ledger_skey_file(key_path, &k, err);
    if (rc == RN_OK)
        rn__vkey_format(&k.v, vkey, RN_LEDGER_VKEY_MAX);
    sodium_memzero(&k, sizeof k);
    return rc;
}
