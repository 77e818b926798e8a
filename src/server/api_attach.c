/* SPDX-License-Identifier: Apache-2.0
 *
 * api_attach.c — attachments over HTTP: streamed upload (POST
 * /api/v1/{items|events}/{id}/attachments, the raw bytes as the body) and
 * download (GET /api/v1/attachments/{id}/content, with its media type).
 *
 * Upload, as a state machine driven by http.c:
 *   begin (headers read)  -> target checked, Content-Length checked against
 *                            --max-upload, temp file created in the blob
 *                            folder, SHA-256 started          [srv_upload_begin]
 *   data (0..n chunks)    -> written and hashed; past the limit -> 413 at
 *                            once and the connection closes   [srv_upload_data]
 *   end                   -> digest checked against X-Content-SHA256 when
 *                            given, rn_store_attach() stores the blob and
 *                            creates the record (and, for a photo, its
 *                            public copy), temp removed       [api_upload]
 *   aborted at any point  -> temp removed                     [srv_upload_abort]
 * Invariant: the temp file never outlives its request.
 *
 * Download: staff get the original's bytes; the public (and staff asking
 * ?variant=public) get the bytes of its public copy, the attachment derived
 * from it with its metadata removed (lib/store/photo.c, docs/PHOTOS.md),
 * or 409 no_public_copy when there is none: never the original.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server.h"

/* A media type we repeat in a header: type/subtype with token characters
 * and optional parameters, no control characters. */
static int media_type_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 200 || !strchr(s, '/'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
            return 0;
    return 1;
}

int srv_upload_open(srv_req *q, const char *too_large)
{
    const char *cl = srv_header(q, "Content-Length");
    long long len = cl ? strtoll(cl, NULL, 10) : -1;
    if (len > (long long)srv_cfg.upload_max) {
        srv_reply_error(q, 413, "too_large", too_large, NULL);
        return -1;
    }
    const char *dir = rn_store_blob_dir(q->w->store);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        srv_reply_rn(q, RN_EIO, NULL);
        return -1;
    }
    int n = snprintf(q->upload_path, sizeof q->upload_path, "%s/.upload-XXXXXX", dir);
    if (n < 0 || (size_t)n >= sizeof q->upload_path) {
        srv_reply_rn(q, RN_EIO, NULL);
        return -1;
    }
    q->upload_fd = mkstemp(q->upload_path);
    if (q->upload_fd < 0) {
        q->upload_path[0] = '\0';
        srv_reply_rn(q, RN_EIO, NULL);
        return -1;
    }
    crypto_hash_sha256_init(&q->upload_sha);
    q->upload_len = 0;
    return 0;
}

int srv_upload_begin(srv_req *q)
{
    if (q->route->upload == 2)
        return srv_sync_upload_begin(q); /* a sync package (api_sync.c) */
    rn_type t;
    if (!srv_type_from_plural(q->params[0], &t) || (t != RN_T_ITEM && t != RN_T_EVENT)) {
        srv_reply_error(q, 404, "not_found", "attachments belong to items or events", NULL);
        return -1;
    }
    if (!srv_may(q->role, M_POST, RN_T_ATTACHMENT)) {
        srv_reply_error(q, 403, "forbidden", "your role may not add attachments", NULL);
        return -1;
    }
    rn_record *r = NULL;
    const char *id = q->params[1];
    rn_code rc = rn_id_valid(id, strlen(id)) ? rn_store_get(q->w->store, id, &r, NULL)
                                             : RN_ENOTFOUND;
    int ok = rc == RN_OK && rn_record_type(r) == t;
    rn_record_free(r);
    if (!ok) {
        if (rc && rc != RN_ENOTFOUND)
            srv_reply_rn(q, rc, NULL);
        else
            srv_reply_error(q, 404, "not_found", "no such record", NULL);
        return -1;
    }
    /* everything the request says is checked before anything is written */
    const char *fname = srv_query(q, "filename");
    if (fname && *fname) {
        rn_record *probe = rn_record_new(RN_T_ATTACHMENT);
        rn_error err;
        rn_error_clear(&err);
        rn_code frc = probe ? rn_record_set(probe, "filename", fname, strlen(fname), &err)
                            : RN_ENOMEM;
        rn_record_free(probe);
        if (frc) {
            srv_reply_rn(q, frc, &err);
            return -1;
        }
    }
    const char *mt = srv_header(q, "Content-Type");
    if (mt && strcmp(mt, "application/octet-stream") != 0 && !media_type_ok(mt)) {
        srv_reply_error(q, 422, "invalid", "a media type is TYPE/SUBTYPE", "media_type");
        return -1;
    }
    return srv_upload_open(q, "the file is larger than the server's upload limit");
}

int srv_upload_data(srv_req *q, const char *data, size_t n)
{
    if (q->upload_len + n > srv_cfg.upload_max) {
        srv_reply_error(q, 413, "too_large", "the file is larger than the server's upload limit",
                        NULL);
        return -1;
    }
    /* an attachment is named by the SHA-256 of its bytes (api_upload); a
     * sync upload (route->upload == 2: a package, a file in transfer) is
     * checked by lib/sync from the file itself, so hashing it here would
     * cost a second pass for nothing (0.7 s of CPU for a 200 MB package) */
    if (q->route->upload != 2)
        crypto_hash_sha256_update(&q->upload_sha, (const uint8_t *)data, n);
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(q->upload_fd, data + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = w < 0 ? errno : ENOSPC;
            char path[300];
            srv_log_escape(path, sizeof path, q->path);
            srv_log("%s %s: writing the upload: %s", srv_method_name(q->method), path,
                    strerror(e));
            if (e == ENOSPC || e == EDQUOT || e == EFBIG)
                srv_reply_error(q, 507, "insufficient_storage",
                                "the server's disk is full: nothing was stored; try again later",
                                NULL);
            else
                srv_reply_rn(q, RN_EIO, NULL);
            return -1;
        }
        off += (size_t)w;
    }
    q->upload_len += n;
    return 0;
}

void srv_upload_abort(srv_req *q)
{
    if (q->upload_fd >= 0)
        close(q->upload_fd);
    q->upload_fd = -1;
    if (q->upload_path[0])
        unlink(q->upload_path);
    q->upload_path[0] = '\0';
}

void api_upload(srv_req *q)
{
    uint8_t d[32];
    char hex[65];
    crypto_hash_sha256_final(&q->upload_sha, d);
    sodium_bin2hex(hex, sizeof hex, d, sizeof d);
    if (close(q->upload_fd) != 0) {
        q->upload_fd = -1;
        srv_reply_rn(q, RN_EIO, NULL);
        return;
    }
    q->upload_fd = -1;
    if (q->upload_len == 0) {
        srv_reply_error(q, 422, "invalid", "the upload is empty", NULL);
        return;
    }
    const char *want = srv_header(q, "X-Content-SHA256");
    if (want && strcasecmp(want, hex) != 0) {
        srv_reply_error(q, 422, "digest_mismatch",
                        "the content does not match X-Content-SHA256 (damaged in transit?)",
                        "sha256");
        return;
    }
    const char *mt = srv_header(q, "Content-Type");
    if (mt && strcmp(mt, "application/octet-stream") == 0)
        mt = NULL; /* let the library recognise JPEG, PNG, PDF ... */
    if (mt && !media_type_ok(mt)) {
        srv_reply_error(q, 422, "invalid", "a media type is TYPE/SUBTYPE", "media_type");
        return;
    }
    const char *fname = srv_query(q, "filename");
    char id[RN_ID_LEN + 1];
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_store_set_author(q->w->store, q->user);
    /* the client's file name or none, never the temp file's */
    if (!rc)
        rc = rn_store_attach_as(q->w->store, q->params[1], q->upload_path,
                                fname && *fname ? fname : NULL, mt, id, &err);
    rn_record *r = NULL;
    if (!rc)
        rc = rn_store_get(q->w->store, id, &r, &err);
    srv_upload_abort(q); /* removes the temp file */
    if (rc) {
        rn_record_free(r);
        srv_reply_rn(q, rc, &err);
        return;
    }
    char *s;
    size_t n;
    rc = rn_record_to_json(r, 0, &s, &n);
    rn_record_free(r);
    if (rc) {
        srv_reply_rn(q, rc, NULL);
        return;
    }
    char loc[128];
    snprintf(loc, sizeof loc, "/api/v1/attachments/%s", id);
    srv_add_header(q, "Location", loc);
    srv_reply_json(q, 201, s, n);
}

int srv_attachment_served(srv_req *q, const char *id, rn_record **out, int *pub)
{
    rn_record *r = NULL;
    *out = NULL;
    rn_code rc = rn_id_valid(id, strlen(id)) ? rn_store_get(q->w->store, id, &r, NULL)
                                             : RN_ENOTFOUND;
    if (rc == RN_OK && (rn_record_type(r) != RN_T_ATTACHMENT ||
                        (q->role == SRV_PUBLIC && !srv_public_has(q->w, id))))
        rc = RN_ENOTFOUND;
    /* The public gets the public copy (metadata removed, docs/PHOTOS.md),
     * never the original; staff ask for it with ?variant=public. */
    const char *variant = srv_query(q, "variant");
    *pub = q->role == SRV_PUBLIC || (variant && strcmp(variant, "public") == 0);
    if (rc == RN_OK && *pub) {
        rn_record *copy = NULL;
        rc = rn_store_photo_public(q->w->store, id, &copy, NULL);
        rn_record_free(r);
        r = copy;
        if (rc == RN_ENOTFOUND || rc == RN_EINPUT) {
            srv_reply_error(q, 409, "no_public_copy",
                            rc == RN_ENOTFOUND
                                ? "this attachment has no public copy with its location and "
                                  "device metadata removed, so it is not served to the public "
                                  "(only JPEG, PNG, TIFF, WebP and HEIC photos get one: docs/PHOTOS.md)"
                                : "this attachment's public copy failed the metadata check, so "
                                  "it is not served to the public",
                            NULL);
            return -1;
        }
    }
    if (rc) {
        rn_record_free(r);
        if (rc == RN_ENOTFOUND)
            srv_reply_error(q, 404, "not_found", "no such attachment", NULL);
        else
            srv_reply_rn(q, rc, NULL);
        return -1;
    }
    *out = r;
    return 0;
}

void api_content(srv_req *q)
{
    const char *id = q->params[0];
    rn_record *r = NULL;
    int pub;
    if (srv_attachment_served(q, id, &r, &pub))
        return;
    const char *sha = rn_record_get(r, "sha256", NULL);
    const char *mt = rn_record_get(r, "media_type", NULL);
    char path[4096];
    if (!sha || rn_store_blob_path(q->w->store, sha, path, sizeof path) != RN_OK) {
        rn_record_free(r);
        srv_reply_error(q, 404, "not_found", "no such attachment", NULL);
        return;
    }
    char etag[80];
    snprintf(etag, sizeof etag, "\"%s\"", sha);
    int nm = srv_not_modified(q, etag);
    if (!nm) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) != 0) {
            if (fd >= 0)
                close(fd);
            rn_record_free(r);
            srv_reply_error(q, 404, "not_found", "the attachment's content is missing", NULL);
            return;
        }
        q->out_fd = fd;
        q->out_fd_size = (uint64_t)st.st_size;
        q->status = 200;
        srv_add_header(q, "Content-Type",
                       mt && media_type_ok(mt) ? mt : "application/octet-stream");
        /* content is evidence, not part of this site: never run it here */
        srv_add_header(q, "Content-Security-Policy", "sandbox; default-src 'none'");
        srv_add_header(q, "Cache-Control", "private, max-age=31536000, immutable");
    }
    rn_record_free(r);
}
