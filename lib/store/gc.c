/* SPDX-License-Identifier: Apache-2.0
 *
 * gc.c — orphans in the blob folder: files no record names. Two kinds:
 *   O1. a blob (a file named by a SHA-256) that no attachment names — not a
 *       live record, and no entry of the evidence log either (a deleted
 *       attachment's blob stays: older bundles and history name it);
 *   O2. a temporary file of an attach or upload that was killed or failed
 *       (`.incoming-*`, `.upload-*`), once older than RN_GC_TEMP_AGE, so a
 *       write in progress is never taken;
 *   O3. a sync file transfer never taken up again (`.staging/SHA-SIZE.part`,
 *       lib/sync/files.c), once untouched for RN_GC_STAGING_AGE and not
 *       locked by a transfer (the lock files.c holds while it writes).
 * `remnant verify` lists them; `remnant gc` removes them. Nothing that a
 * record or a log entry names is ever an orphan.
 */
#include <dirent.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store_int.h"

#define RN_GC_TEMP_AGE 3600 /* seconds */
/* a cut transfer may resume for a week (a field laptop back on the network) */
#define RN_GC_STAGING_AGE (7 * 24 * 3600)

typedef struct shaset {
    char (*v)[65];
    size_t n, cap;
} shaset;

static int sha_cmp(const void *a, const void *b)
{
    return memcmp(a, b, 64);
}

static rn_code sha_add(shaset *s, const char *hex)
{
    if (s->n == s->cap) {
        size_t nc = s->cap ? 2 * s->cap : 256;
        void *nv = rn__realloc(s->v, nc * sizeof *s->v);
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

static int is_hex64(const char *p)
{
    for (int i = 0; i < 64; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
            return 0;
    return 1;
}

/* Every "sha256" value in text: `"sha256":"HEX"` (a record, log format 1)
 * or `"sha256","HEX"` (a disclosure, log format 2). */
static rn_code scan(shaset *s, const char *t, size_t n)
{
    static const char k1[] = "\"sha256\":\"", k2[] = "\"sha256\",\"";
    size_t kl = sizeof k1 - 1;
    for (size_t i = 0; i + kl + 64 <= n; i++) {
        if ((memcmp(t + i, k1, kl) == 0 || memcmp(t + i, k2, kl) == 0) &&
            is_hex64(t + i + kl)) {
            rn_code rc = sha_add(s, t + i + kl);
            if (rc)
                return rc;
            i += kl + 63;
        }
    }
    return RN_OK;
}

/* The SHA-256 of every blob a live attachment or any log entry names. */
static rn_code named(rn_store *st, shaset *s, rn_error *err)
{
    sqlite3 *db = rn__store_db(st);
    sqlite3_stmt *q = NULL;
    rn_code rc = RN_OK;
    static const char *const sql[] = {
        "SELECT sha256 FROM attachment",
        "SELECT body FROM ledger_entry WHERE type = 'attachment'",
        "SELECT disclosures FROM ledger_entry WHERE type = 'attachment'",
    };
    for (size_t k = 0; k < sizeof sql / sizeof sql[0] && rc == RN_OK; k++) {
        if (sqlite3_prepare_v2(db, sql[k], -1, &q, NULL) != SQLITE_OK)
            return rn__err(err, RN_EDB, "cannot read what names the blobs: %s",
                           sqlite3_errmsg(db));
        while (rc == RN_OK && sqlite3_step(q) == SQLITE_ROW) {
            const char *t = sqlite3_column_blob(q, 0);
            size_t n = (size_t)sqlite3_column_bytes(q, 0);
            if (!t)
                continue;
            if (k == 0)
                rc = n == 64 && is_hex64(t) ? sha_add(s, t) : RN_OK;
            else
                rc = scan(s, t, n);
        }
        sqlite3_finalize(q);
        q = NULL;
    }
    if (rc)
        return rn__err(err, rc, "out of memory");
    if (s->n > 1)
        qsort(s->v, s->n, sizeof *s->v, sha_cmp);
    return RN_OK;
}

static rn_code report(const char *path, const char *why, int remove, rn_orphan_fn fn,
                      void *ctx, uint64_t *count, uint64_t *bytes, rn_error *err)
{
    struct stat sb;
    uint64_t size = stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
    if (remove && unlink(path) != 0 && errno != ENOENT)
        return rn__err(err, RN_EIO, "cannot remove %s: %s", path, strerror(errno));
    (*count)++;
    *bytes += size;
    if (fn)
        fn(ctx, path, why, size);
    return RN_OK;
}

/* O3 in the folder `dir` (the blob folder's .staging). A file is taken only
 * while this process holds its lock, so a transfer that starts again at
 * that moment waits for the removal and then begins anew. */
static rn_code staging(const char *dir, time_t now, int remove, rn_orphan_fn fn, void *ctx,
                       uint64_t *count, uint64_t *bytes, rn_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return RN_OK;
    rn_code rc = RN_OK;
    struct dirent *e;
    while (rc == RN_OK && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 5, ".part") != 0)
            continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode) ||
            now - sb.st_mtime <= RN_GC_STAGING_AGE)
            continue;
        int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            continue;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            rc = report(path, "a sync file transfer not resumed for a week", remove, fn, ctx,
                        count, bytes, err);
        close(fd);
    }
    closedir(d);
    return rc;
}

rn_code rn_store_orphans(rn_store *st, int remove, rn_orphan_fn fn, void *ctx,
                         uint64_t *count, uint64_t *bytes, rn_error *err)
{
    *count = 0;
    *bytes = 0;
    const char *dir = rn_store_blob_dir(st);
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d)
        return RN_OK; /* no blob folder: nothing attached yet */
    shaset names = {NULL, 0, 0};
    rn_code rc = named(st, &names, err);
    time_t now = time(NULL);
    struct dirent *e;
    while (rc == RN_OK && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char sub[4200];
        snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (lstat(sub, &sb) != 0)
            continue;
        if (S_ISREG(sb.st_mode)) {
            /* O2: only the store's own temporary names, once stale */
            if ((strncmp(e->d_name, ".incoming-", 10) == 0 ||
                 strncmp(e->d_name, ".upload-", 8) == 0) &&
                now - sb.st_mtime > RN_GC_TEMP_AGE)
                rc = report(sub, "the temporary file of an attach or upload that did not"
                            " finish", remove, fn, ctx, count, bytes, err);
            continue;
        }
        if (S_ISDIR(sb.st_mode) && strcmp(e->d_name, ".staging") == 0) {
            rc = staging(sub, now, remove, fn, ctx, count, bytes, err);
            continue;
        }
        if (!S_ISDIR(sb.st_mode) || strlen(e->d_name) != 2)
            continue;
        DIR *d2 = opendir(sub);
        if (!d2)
            continue;
        struct dirent *f;
        while (rc == RN_OK && (f = readdir(d2)) != NULL) {
            if (strlen(f->d_name) != 64 || !is_hex64(f->d_name))
                continue;
            /* (no names: no array; bsearch may not be given NULL) */
            if (names.n && bsearch(f->d_name, names.v, names.n, sizeof *names.v, sha_cmp))
                continue;
            char path[4600];
            snprintf(path, sizeof path, "%s/%s", sub, f->d_name);
            rc = report(path, "a blob no attachment and no log entry names", remove, fn, ctx,
                        count, bytes, err);
        }
        closedir(d2);
    }
    closedir(d);
    free(names.v);
    return rc;
}
