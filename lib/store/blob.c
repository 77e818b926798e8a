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

rn_code rn__blob_put(const char *blob_dir, const char *file, char sha_hex[65], uint64_t *size,
                     rn_error *err)
{
    int in = -1, out = -1;
    char tmp[4200] = "", dir[4200], final[4300];
    unsigned char buf[1 << 16], digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state h;
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
    crypto_hash_sha256_init(&h);
    uint64_t total = 0;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = rn__err(err, RN_EIO, "reading %s: %s", file, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        total += (uint64_t)n;
        if (total > RN_ATTACH_MAX) {
            rc = rn__err(err, RN_ELIMIT, "%s grew past 4 GiB while being read", file);
            goto out;
        }
        crypto_hash_sha256_update(&h, buf, (unsigned long long)n);
        for (ssize_t w = 0; w < n;) {
            ssize_t k = write(out, buf + w, (size_t)(n - w));
            if (k < 0 && errno == EINTR)
                continue;
            if (k < 0) {
                rc = rn__err(err, RN_EIO, "writing the blob: %s", strerror(errno));
                goto out;
            }
            w += k;
        }
    }
    crypto_hash_sha256_final(&h, digest);
    sodium_bin2hex(sha_hex, 65, digest, sizeof digest);
    *size = total;
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
