/* SPDX-License-Identifier: Apache-2.0
 *
 * files.c — files (blobs) in transfer, byte by byte (docs/SYNC.md, "Files:
 * resumable"): the staging area where a file's bytes are kept until it is
 * whole, the check that turns it into a stored blob, the files a package
 * names without carrying them, and the HTTP byte ranges a resuming client
 * and server exchange.
 *
 * Invariants (tests cite them as F1..F5):
 *  F1. A file in transfer lives only in <blobs>/.staging/SHA-SIZE.part; the
 *      name is built from a checked SHA-256 (64 lower-case hex) and a size
 *      of at most RN_SYNC_BLOB_MAX, never from other outside text.
 *  F2. The part never holds more than SIZE bytes: a write past it is
 *      refused whole; a part found longer than SIZE (damaged) starts again.
 *  F3. A file becomes a stored blob only when the part holds exactly SIZE
 *      bytes that hash to SHA: flushed, made read-only, renamed into
 *      <blobs>/xx/SHA. Other bytes are refused and the part removed: nothing
 *      is stored.
 *  F4. One transfer of a file at a time: the part is locked (flock) while a
 *      stage is open; another waits up to 5 s, then gets RN_EBUSY.
 *  F5. Only a file that an attachment here names is served
 *      (rn_sync_file_open): the blob folder is not a file server.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store_int.h"
#include "sync/sync_int.h"

#define RN_STAGE_WAIT_MS 5000

struct rn_sync_stage {
    rn_store *s;
    int fd;            /* the part, O_APPEND; -1 when the blob is stored already */
    char sha[65];
    uint64_t size, have;
    char path[4400];
};

static int sha_ok(const char *s)
{
    size_t n = strlen(s);
    if (n != 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

rn_code rn_sync_stage_open(rn_store *s, const char *sha, uint64_t size, rn_sync_stage **out,
                           uint64_t *have, rn_error *err)
{
    *out = NULL;
    *have = 0;
    /* F1 */
    if (!sha_ok(sha))
        return rn__err_field(err, RN_EINPUT, "sha256", "a file's name is 64 lower-case hex "
                             "digits (its SHA-256)");
    if (size > RN_SYNC_BLOB_MAX)
        return rn__err_field(err, RN_EINPUT, "size", "a file is at most %llu bytes",
                             (unsigned long long)RN_SYNC_BLOB_MAX);
    rn_sync_stage *g = rn__calloc(1, sizeof *g);
    if (!g)
        return rn__err(err, RN_ENOMEM, "out of memory");
    g->s = s;
    g->fd = -1;
    g->size = size;
    memcpy(g->sha, sha, 65);
    if (rn__sync_have_blob(s, sha)) {
        g->have = size; /* stored already: nothing to receive */
        *have = size;
        *out = g;
        return RN_OK;
    }
    const char *bd = rn_store_blob_dir(s);
    char dir[4300];
    rn_code rc = RN_OK;
    snprintf(dir, sizeof dir, "%s/.staging", bd);
    if ((mkdir(bd, 0755) != 0 && errno != EEXIST) || (mkdir(dir, 0700) != 0 && errno != EEXIST)) {
        rc = rn__err(err, RN_EIO, "cannot create %s: %s", dir, strerror(errno));
        goto fail;
    }
    snprintf(g->path, sizeof g->path, "%s/%s-%llu.part", dir, sha, (unsigned long long)size);
    g->fd = open(g->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (g->fd < 0) {
        rc = rn__err(err, RN_EIO, "cannot open %s: %s", g->path, strerror(errno));
        goto fail;
    }
    /* F4: a transfer that just ended (a connection cut) may still hold it
     * for a moment: wait up to RN_STAGE_WAIT_MS */
    int locked = 0;
    for (int t = 0; t < RN_STAGE_WAIT_MS / 50 && !locked; t++) {
        locked = flock(g->fd, LOCK_EX | LOCK_NB) == 0;
        if (!locked)
            usleep(50 * 1000);
    }
    if (!locked) {
        rc = rn__err(err, RN_EBUSY, "file %s is being received by another transfer: try "
                     "again when it ends", sha);
        goto fail;
    }
    struct stat st;
    if (fstat(g->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = rn__err(err, RN_EIO, "cannot read %s", g->path);
        goto fail;
    }
    g->have = (uint64_t)st.st_size;
    if (g->have > size && (rc = rn_sync_stage_reset(g, err))) /* F2: damaged */
        goto fail;
    *have = g->have;
    *out = g;
    return RN_OK;
fail:
    rn_sync_stage_close(g);
    return rc;
}

rn_code rn_sync_stage_peek(rn_store *s, const char *sha, uint64_t size, uint64_t *have,
                           int *stored, rn_error *err)
{
    *have = 0;
    *stored = 0;
    if (!sha_ok(sha))
        return rn__err_field(err, RN_EINPUT, "sha256", "a file's name is 64 lower-case hex "
                             "digits (its SHA-256)");
    if (size > RN_SYNC_BLOB_MAX)
        return rn__err_field(err, RN_EINPUT, "size", "a file is at most %llu bytes",
                             (unsigned long long)RN_SYNC_BLOB_MAX);
    if (rn__sync_have_blob(s, sha)) {
        *have = size;
        *stored = 1;
        return RN_OK;
    }
    char path[4400];
    struct stat st;
    snprintf(path, sizeof path, "%s/.staging/%s-%llu.part", rn_store_blob_dir(s), sha,
             (unsigned long long)size);
    if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size <= size)
        *have = (uint64_t)st.st_size;
    return RN_OK;
}

rn_code rn_sync_stage_write(rn_sync_stage *g, const void *data, size_t n, rn_error *err)
{
    if (g->fd < 0)
        return n ? rn__err(err, RN_ELIMIT, "file %s is stored already", g->sha) : RN_OK;
    /* F2 */
    if (n > g->size - g->have)
        return rn__err(err, RN_ELIMIT, "file %s: %zu more bytes would pass its size of %llu "
                       "(%llu received)", g->sha, n, (unsigned long long)g->size,
                       (unsigned long long)g->have);
    const char *p = data;
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(g->fd, p + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return rn__err(err, RN_EIO, "writing %s: %s", g->path,
                           w < 0 ? strerror(errno) : "no space");
        off += (size_t)w;
        g->have += (uint64_t)w;
    }
    return RN_OK;
}

rn_code rn_sync_stage_reset(rn_sync_stage *g, rn_error *err)
{
    if (g->fd < 0)
        return RN_OK;
    if (ftruncate(g->fd, 0) != 0)
        return rn__err(err, RN_EIO, "cannot truncate %s: %s", g->path, strerror(errno));
    g->have = 0;
    return RN_OK;
}

uint64_t rn_sync_stage_have(const rn_sync_stage *g) { return g->have; }

int rn_sync_stage_fd(const rn_sync_stage *g) { return g->fd; }

rn_code rn_sync_stage_finish(rn_sync_stage *g, int *stored, rn_error *err)
{
    *stored = 0;
    if (g->fd < 0) {
        *stored = 1; /* stored before */
        return RN_OK;
    }
    struct stat st;
    if (fstat(g->fd, &st) != 0)
        return rn__err(err, RN_EIO, "cannot read %s: %s", g->path, strerror(errno));
    g->have = (uint64_t)st.st_size; /* a caller may have streamed into the fd */
    if (g->have < g->size)
        return RN_OK; /* kept for the next transfer */
    rn_code rc = RN_OK;
    if (g->have > g->size) {
        rc = rn__err(err, RN_ECRYPTO, "REFUSED: file %s: %llu bytes received, more than its "
                     "size %llu; nothing stored", g->sha, (unsigned long long)g->have,
                     (unsigned long long)g->size);
        goto refuse;
    }
    /* F3: hash what is on disk, not what was sent */
    rn__sha256_ctx h;
    rn__sha256_init(&h);
    unsigned char buf[1 << 16];
    uint64_t total = 0;
    for (;;) {
        ssize_t k = pread(g->fd, buf, sizeof buf, (off_t)total);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return rn__err(err, RN_EIO, "reading %s: %s", g->path, strerror(errno));
        if (k == 0)
            break;
        rn__sha256_update(&h, buf, (size_t)k);
        total += (uint64_t)k;
    }
    uint8_t d[32];
    char hx[65];
    rn__sha256_final(&h, d);
    rn__hex_encode(d, 32, hx);
    if (total != g->size || memcmp(hx, g->sha, 64) != 0) {
        rc = rn__err(err, RN_ECRYPTO, "REFUSED: file %s: its %llu bytes hash to %s, not to "
                     "its name; nothing stored (send it again)", g->sha,
                     (unsigned long long)total, hx);
        goto refuse;
    }
    char dir[4300], final[4400];
    const char *bd = rn_store_blob_dir(g->s);
    snprintf(dir, sizeof dir, "%s/%.2s", bd, g->sha);
    snprintf(final, sizeof final, "%s/%s", dir, g->sha);
    if ((mkdir(dir, 0755) != 0 && errno != EEXIST) || fsync(g->fd) != 0 ||
        fchmod(g->fd, 0444) != 0 || rename(g->path, final) != 0)
        return rn__err(err, RN_EIO, "storing file %s: %s", g->sha, strerror(errno));
    close(g->fd);
    g->fd = -1;
    *stored = 1;
    return RN_OK;
refuse:
    unlink(g->path);
    close(g->fd);
    g->fd = -1;
    g->have = 0;
    return rc;
}

void rn_sync_stage_close(rn_sync_stage *g)
{
    if (!g)
        return;
    if (g->fd >= 0)
        close(g->fd); /* the lock goes with it (F4); the bytes stay */
    free(g);
}

rn_code rn_sync_file_open(rn_store *s, const char *sha, int *fd, uint64_t *size, rn_error *err)
{
    *fd = -1;
    *size = 0;
    if (!sha_ok(sha))
        return rn__err_field(err, RN_EINPUT, "sha256", "a file's name is 64 lower-case hex "
                             "digits (its SHA-256)");
    sqlite3 *db = rn__store_db(s);
    sqlite3_stmt *st = NULL;
    if (!db)
        return rn__err(err, RN_EINVAL, "sync needs the SQLite store");
    /* F5 */
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM attachment WHERE sha256=? LIMIT 1", -1, &st,
                           NULL) != SQLITE_OK)
        return rn__sync_dberr(db, err, "reading attachments");
    sqlite3_bind_text(st, 1, sha, 64, SQLITE_STATIC);
    int named = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    char path[4400];
    if (!named || rn_store_blob_path(s, sha, path, sizeof path) != RN_OK)
        return rn__err(err, RN_ENOTFOUND, "no attachment here names file %s", sha);
    int f = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat sb;
    if (f < 0 || fstat(f, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        if (f >= 0)
            close(f);
        return rn__err(err, RN_ENOTFOUND, "file %s is not stored here (`remnant verify`)", sha);
    }
    *fd = f;
    *size = (uint64_t)sb.st_size;
    return RN_OK;
}

/* Decimal digits at *p (no sign; leading zeros refused except "0"), at
 * most 19; advances *p. */
static int dec(const char **p, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    size_t n = 0;
    while (s[n] >= '0' && s[n] <= '9') {
        if (n == 19)
            return 0;
        v = v * 10 + (uint64_t)(s[n] - '0');
        n++;
    }
    if (n == 0 || (n > 1 && s[0] == '0'))
        return 0;
    *p = s + n;
    *out = v;
    return 1;
}

int rn_sync_range_parse(const char *h, uint64_t size, uint64_t *start)
{
    const char *p = h;
    uint64_t a, b;
    if (strncmp(p, "bytes=", 6) != 0)
        return -1;
    p += 6;
    if (!dec(&p, &a) || *p++ != '-' || a >= size)
        return -1;
    if (*p) {
        if (!dec(&p, &b) || *p || b != size - 1)
            return -1;
    }
    *start = a;
    return 0;
}

int rn_sync_content_range_parse(const char *h, uint64_t *start, uint64_t *total)
{
    const char *p = h;
    uint64_t a, b, t;
    if (strncmp(p, "bytes ", 6) != 0)
        return -1;
    p += 6;
    if (!dec(&p, &a) || *p++ != '-' || !dec(&p, &b) || *p++ != '/' || !dec(&p, &t) || *p ||
        a > b || t == 0 || b != t - 1)
        return -1;
    *start = a;
    *total = t;
    return 0;
}

rn_code rn_sync_package_files(rn_store *s, const void *data, size_t len, char **json,
                              rn_error *err)
{
    rn__sync_pkg p;
    char msg[256];
    size_t where = 0;
    *json = NULL;
    rn_code rc = rn__sync_parse(data, len, &p, msg, sizeof msg, &where);
    if (rc == RN_EINPUT)
        return rn__err(err, RN_EINPUT, "REFUSED: sync package, byte %zu: %s; nothing written",
                       where, msg);
    if (rc)
        return rn__err(err, rc, "reading the sync package: %s", msg);
    json_t *a = json_array();
    for (size_t i = 0; a && i < p.nf; i++) {
        if (rn__sync_have_blob(s, p.f[i].sha))
            continue;
        json_t *o = json_pack("{s:s, s:I}", "sha256", p.f[i].sha, "size",
                              (json_int_t)p.f[i].len);
        if (!o || json_array_append_new(a, o) != 0) {
            json_decref(a);
            a = NULL;
        }
    }
    *json = a ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    rn__sync_pkg_free(&p);
    return *json ? RN_OK : rn__err(err, RN_ENOMEM, "out of memory");
}
