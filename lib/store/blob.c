/* SPDX-License-Identifier: Apache-2.0
 *
 * blob.c — the content-addressed blob folder beside the database. A blob is
 * written once: streamed into a temporary file in the folder while its
 * SHA-256 is computed, flushed to disk, made read-only, and renamed to
 * `<sha[0..2]>/<sha>`. A blob that is already there is not touched again, so
 * a blob's file never changes after it first appears.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store_int.h"

static rn_code ensure_dir(const char *path, rn_error *err)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return RN_OK;
    }
    return rn__err(err, errno == EROFS || errno == EACCES ? RN_EREADONLY : RN_EIO,
                   "cannot create the blob folder %s: %s", path, strerror(errno));
}

static void fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* Copy fd `in` (read from `name`) to fd `out`, computing the SHA-256 of
 * what passes: OUT sha_hex and *size. Refuses more than RN_ATTACH_MAX. */
static rn_code copy_hashed(int in, int out, const char *name, char sha_hex[65], uint64_t *size,
                          rn_error *err)
{
    unsigned char buf[1 << 16], digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state h;
    uint64_t total = 0;
    crypto_hash_sha256_init(&h);
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return rn__err(err, RN_EIO, "reading %s: %s", name, strerror(errno));
        if (n == 0)
            break;
        total += (uint64_t)n;
        if (total > RN_ATTACH_MAX)
            return rn__err(err, RN_ELIMIT, "%s grew past 4 GiB while being read", name);
        crypto_hash_sha256_update(&h, buf, (unsigned long long)n);
        for (ssize_t w = 0; w < n;) {
            ssize_t k = write(out, buf + w, (size_t)(n - w));
            if (k < 0 && errno == EINTR)
                continue;
            if (k < 0)
                return rn__err(err, RN_EIO, "writing a copy of %s: %s", name, strerror(errno));
            w += k;
        }
    }
    crypto_hash_sha256_final(&h, digest);
    sodium_bin2hex(sha_hex, 65, digest, sizeof digest);
    *size = total;
    return RN_OK;
}

rn_code rn__blob_put(const char *blob_dir, const char *file, char sha_hex[65], uint64_t *size,
                     rn_error *err)
{
    int in = -1, out = -1;
    char tmp[4200] = "", dir[4200], final[4300];
    rn_code rc = RN_OK;
    struct stat st;

    in = open(file, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        rc = rn__err(err, errno == ENOENT ? RN_ENOTFOUND : RN_EIO, "cannot read %s: %s", file,
                     strerror(errno));
        goto out;
    }
    if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = rn__err(err, RN_EINPUT, "%s is not a regular file", file);
        goto out;
    }
    if ((uint64_t)st.st_size > RN_ATTACH_MAX) {
        rc = rn__err(err, RN_ELIMIT, "%s is larger than the 4 GiB an attachment may be", file);
        goto out;
    }
    if ((rc = ensure_dir(blob_dir, err)))
        goto out;
    snprintf(tmp, sizeof tmp, "%s/.incoming-XXXXXX", blob_dir);
    out = mkstemp(tmp);
    if (out < 0) {
        tmp[0] = '\0';
        rc = rn__err(err, RN_EIO, "cannot write in %s: %s", blob_dir, strerror(errno));
        goto out;
    }
    if ((rc = copy_hashed(in, out, file, sha_hex, size, err)))
        goto out;
    if (fsync(out) != 0 || fchmod(out, 0444) != 0) {
        rc = rn__err(err, RN_EIO, "flushing the blob: %s", strerror(errno));
        goto out;
    }
    close(out);
    out = -1;
    snprintf(dir, sizeof dir, "%s/%.2s", blob_dir, sha_hex);
    if ((rc = ensure_dir(dir, err)))
        goto out;
    snprintf(final, sizeof final, "%s/%s", dir, sha_hex);
    if (access(final, F_OK) == 0) {
        /* same content already stored: keep the original file untouched */
        goto out;
    }
    if (rename(tmp, final) != 0) {
        rc = rn__err(err, RN_EIO, "storing the blob: %s", strerror(errno));
        goto out;
    }
    tmp[0] = '\0';
    fsync_dir(dir);
out:
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    if (tmp[0])
        unlink(tmp);
    return rc;
}

/* 1 if blob `sha` is stored as a regular file of `size` bytes. */
static int blob_present(const char *blob_dir, const char *sha, uint64_t size)
{
    char path[4300];
    struct stat st;
    snprintf(path, sizeof path, "%s/%.2s/%s", blob_dir, sha, sha);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == size;
}

/* Bring blob `sha` in from the import's folder. RN_ENOTFOUND when the
 * folder does not hold it. */
static rn_code take_incoming(rn_store *s, const char *sha, uint64_t size, rn_error *err)
{
    struct rn__incoming *in = s->incoming;
    char path[4300], got[65];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", in->dir, sha);
    if (stat(path, &st) != 0)
        snprintf(path, sizeof path, "%s/%.2s/%s", in->dir, sha, sha);
    if (stat(path, &st) != 0)
        return RN_ENOTFOUND;
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size != size)
        return rn__err_field(err, RN_EINPUT, "size",
                             "%s is %llu bytes, but the attachment record says %llu", path,
                             (unsigned long long)st.st_size, (unsigned long long)size);
    if (in->n == in->cap) {
        size_t cap = in->cap ? in->cap * 2 : 16;
        void *v = realloc(in->added, cap * sizeof *in->added);
        if (!v)
            return rn__err(err, RN_ENOMEM, "out of memory");
        in->added = v;
        in->cap = cap;
    }
    uint64_t n;
    rn_code rc = rn__blob_put(s->blob_dir, path, got, &n, err);
    if (rc)
        return rc;
    memcpy(in->added[in->n++], got, 65);
    if (strcmp(got, sha) != 0)
        return rn__err_field(err, RN_EINPUT, "sha256",
                             "%s has SHA-256 %s, not the %s its name and the record give", path,
                             got, sha);
    return RN_OK;
}

rn_code rn__blob_require(rn_store *s, const struct rn_record *r, rn_error *err)
{
    if (rn_record_type(r) != RN_T_ATTACHMENT)
        return RN_OK;
    const char *sha = rn_record_get(r, "sha256", NULL);
    const char *sz = rn_record_get(r, "size", NULL);
    if (!sha || !sz)
        return RN_OK; /* the record check reports missing required fields */
    uint64_t size = strtoull(sz, NULL, 10);
    if (blob_present(s->blob_dir, sha, size))
        return RN_OK;
    if (s->incoming) {
        rn_code rc = take_incoming(s, sha, size, err);
        if (rc != RN_ENOTFOUND)
            return rc;
    }
    return rn__err_field(err, RN_ECONSTRAINT, "sha256",
                         "attachment %s names the file %.64s (%s bytes), which is not stored: "
                         "upload the file itself (`remnant attach`, POST "
                         "/api/v1/items/{id}/attachments), or import with --blobs DIR holding it",
                         rn_record_id(r), sha, sz);
}

void rn__incoming_drop(rn_store *s)
{
    struct rn__incoming *in = s->incoming;
    char path[4300];
    for (size_t i = 0; in && i < in->n; i++) {
        snprintf(path, sizeof path, "%s/%.2s/%s", s->blob_dir, in->added[i], in->added[i]);
        unlink(path);
    }
    if (in)
        in->n = 0;
}

rn_code rn__blob_copy_out(const rn_store *s, const char *sha, const char *dir, rn_error *err)
{
    char src[4300], dst[4300], tmp[4400];
    char got[65];
    struct stat st, dt;
    int in = -1, out = -1;
    rn_code rc = RN_OK;

    snprintf(src, sizeof src, "%s/%.2s/%s", s->blob_dir, sha, sha);
    snprintf(dst, sizeof dst, "%s/%s", dir, sha);
    tmp[0] = '\0';
    in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0 || fstat(in, &st) != 0) {
        rc = rn__err(err, RN_ETAMPER, "the stored file %.64s is missing (%s): run `remnant verify`",
                     sha, strerror(errno));
        goto out;
    }
    if (stat(dst, &dt) == 0 && S_ISREG(dt.st_mode) && dt.st_size == st.st_size)
        goto out;
    snprintf(tmp, sizeof tmp, "%s/.%s.part", dir, sha);
    out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        tmp[0] = '\0';
        rc = rn__err(err, RN_EIO, "cannot write in %s: %s", dir, strerror(errno));
        goto out;
    }
    uint64_t n;
    if ((rc = copy_hashed(in, out, src, got, &n, err)))
        goto out;
    if (strcmp(got, sha) != 0) {
        rc = rn__err(err, RN_ETAMPER, "the stored file %.64s does not match its SHA-256 (it is %s):"
                     " run `remnant verify`", sha, got);
        goto out;
    }
    if (close(out) != 0) {
        out = -1;
        rc = rn__err(err, RN_EIO, "writing %s: %s", tmp, strerror(errno));
        goto out;
    }
    out = -1;
    if (rename(tmp, dst) != 0) {
        rc = rn__err(err, RN_EIO, "writing %s: %s", dst, strerror(errno));
        goto out;
    }
    tmp[0] = '\0';
out:
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    if (tmp[0])
        unlink(tmp);
    return rc;
}
