/* SPDX-License-Identifier: Apache-2.0
 *
 * api_thumb.c — GET /api/v1/attachments/{id}/thumbnail: a small JPEG of a
 * photo (at most SRV_THUMB_PX pixels on its longer side) for galleries, so
 * that a page of photos does not download every photo whole.
 *
 * Which picture a thumbnail shows follows the rules of .../content exactly
 * (api_attach.c): the public (and staff asking ?variant=public) get a
 * thumbnail of the public copy, the metadata-free attachment derived from
 * the photo (lib/store/photo.c, docs/PHOTOS.md), and only for an attachment
 * in the public view; 409 no_public_copy when there is none. Staff get one
 * of the original (of its public copy, the same picture, when gdk-pixbuf
 * cannot read the original: HEIC).
 *
 * A thumbnail is made of the picture's pixels only (gdk-pixbuf decodes,
 * turns it the way its EXIF orientation says, scales, composites any
 * transparency on white and encodes a JPEG), and passes
 * rn_store_photo_check() like every public copy before it is served: no
 * metadata of the source can come along. It is derived data, not evidence,
 * so it is not stored as a record or a blob (that would put it in the
 * evidence log, in sync packages and in gc's view): it is made on the first
 * request and kept in a small cache in memory (SRV_THUMB_CACHE thumbnails,
 * by the SHA-256 of the source blob, which never changes), and browsers
 * keep it for good (its ETag is the source's digest and the size).
 * A source over SRV_THUMB_MAX_PIXELS, or one gdk-pixbuf cannot read (PDF,
 * video), gets 409 no_thumbnail.
 */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server.h"

#define SRV_THUMB_PX 320
#define SRV_THUMB_QUALITY "80"
#define SRV_THUMB_CACHE 128
#define SRV_THUMB_BYTES_MAX (256u << 10)       /* a thumbnail larger than this is not kept */
#define SRV_THUMB_MAX_PIXELS 150000000ll        /* as lib/store/photo.c's limit */

typedef struct thumb {
    char sha[65];
    unsigned char *data;
    size_t len;
} thumb;

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static thumb cache[SRV_THUMB_CACHE];
static unsigned cache_next;

/* A copy of the cached thumbnail of `sha` (the caller frees it), or NULL. */
static unsigned char *cache_get(const char *sha, size_t *len)
{
    unsigned char *out = NULL;
    pthread_mutex_lock(&cache_mu);
    for (unsigned i = 0; i < SRV_THUMB_CACHE && !out; i++)
        if (cache[i].data && strcmp(cache[i].sha, sha) == 0 && (out = malloc(cache[i].len))) {
            memcpy(out, cache[i].data, cache[i].len);
            *len = cache[i].len;
        }
    pthread_mutex_unlock(&cache_mu);
    return out;
}

static void cache_put(const char *sha, const unsigned char *data, size_t len)
{
    unsigned char *copy = len <= SRV_THUMB_BYTES_MAX ? malloc(len) : NULL;
    if (!copy)
        return;
    memcpy(copy, data, len);
    pthread_mutex_lock(&cache_mu);
    thumb *t = &cache[cache_next++ % SRV_THUMB_CACHE];
    free(t->data);
    snprintf(t->sha, sizeof t->sha, "%s", sha);
    t->data = copy;
    t->len = len;
    pthread_mutex_unlock(&cache_mu);
}

void srv_thumb_shutdown(void)
{
    pthread_mutex_lock(&cache_mu);
    for (unsigned i = 0; i < SRV_THUMB_CACHE; i++) {
        free(cache[i].data);
        cache[i].data = NULL;
    }
    pthread_mutex_unlock(&cache_mu);
}

/* The thumbnail of the picture at `path`: a JPEG into *out (g_free), or
 * RN_EINPUT when it is not a picture gdk-pixbuf reads (or too large). */
static rn_code make(const char *path, const char *blob_dir, gchar **out, gsize *len)
{
    int w = 0, h = 0;
    GError *ge = NULL;
    GdkPixbuf *pb = NULL, *turned = NULL, *flat = NULL;
    rn_code rc = RN_EINPUT;
    char tmp[4200] = "";
    *out = NULL;
    if (!gdk_pixbuf_get_file_info(path, &w, &h) || w <= 0 || h <= 0 ||
        (long long)w * h > SRV_THUMB_MAX_PIXELS)
        return RN_EINPUT;
    if (w <= SRV_THUMB_PX && h <= SRV_THUMB_PX)
        pb = gdk_pixbuf_new_from_file(path, &ge);
    else
        pb = gdk_pixbuf_new_from_file_at_scale(path, SRV_THUMB_PX, SRV_THUMB_PX, TRUE, &ge);
    if (!pb)
        goto out;
    turned = gdk_pixbuf_apply_embedded_orientation(pb);
    if (!turned)
        goto out;
    if (w > SRV_THUMB_PX || h > SRV_THUMB_PX) {
        /* the orientation may swap the sides: fit the box again */
        int tw = gdk_pixbuf_get_width(turned), th = gdk_pixbuf_get_height(turned);
        if (tw > SRV_THUMB_PX || th > SRV_THUMB_PX) {
            double k = (double)SRV_THUMB_PX / (tw > th ? tw : th);
            int sw = (int)(tw * k + 0.5), sh = (int)(th * k + 0.5);
            GdkPixbuf *sc = gdk_pixbuf_scale_simple(turned, sw > 0 ? sw : 1, sh > 0 ? sh : 1,
                                                    GDK_INTERP_BILINEAR);
            g_object_unref(turned);
            turned = sc;
            if (!turned)
                goto out;
        }
    }
    int tw = gdk_pixbuf_get_width(turned), th = gdk_pixbuf_get_height(turned);
    flat = gdk_pixbuf_new(GDK_COLORSPACE_RGB, FALSE, 8, tw, th);
    if (!flat)
        goto out;
    gdk_pixbuf_fill(flat, 0xffffffffu);
    gdk_pixbuf_composite(turned, flat, 0, 0, tw, th, 0, 0, 1, 1, GDK_INTERP_NEAREST, 255);
    if (!gdk_pixbuf_save_to_buffer(flat, out, len, "jpeg", &ge, "quality", SRV_THUMB_QUALITY,
                                   NULL))
        goto out;
    /* fail closed, as for every public copy: nothing but the picture */
    snprintf(tmp, sizeof tmp, "%s/.thumb-XXXXXX", blob_dir);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        tmp[0] = '\0';
        rc = RN_EIO;
        goto out;
    }
    ssize_t wr = write(fd, *out, *len);
    close(fd);
    if (wr < 0 || (size_t)wr != *len) {
        rc = RN_EIO;
        goto out;
    }
    rc = rn_store_photo_check(tmp, NULL) == RN_OK ? RN_OK : RN_EINPUT;
out:
    if (tmp[0])
        unlink(tmp);
    if (rc != RN_OK) {
        g_free(*out);
        *out = NULL;
    }
    if (ge)
        g_error_free(ge);
    if (flat)
        g_object_unref(flat);
    if (turned)
        g_object_unref(turned);
    if (pb)
        g_object_unref(pb);
    return rc;
}

void api_thumbnail(srv_req *q)
{
    const char *id = q->params[0];
    rn_record *r = NULL;
    int pub;
    char path[4096], etag[96];
    /* the picture .../content would serve this request (api_attach.c) */
    if (srv_attachment_served(q, id, &r, &pub))
        return;
    const char *sha = rn_record_get(r, "sha256", NULL);
    if (!sha || rn_store_blob_path(q->w->store, sha, path, sizeof path) != RN_OK) {
        rn_record_free(r);
        srv_reply_error(q, 404, "not_found", "no such attachment", NULL);
        return;
    }
    snprintf(etag, sizeof etag, "\"%s-t%d\"", sha, SRV_THUMB_PX);
    /* as .../content: a photo may leave the public view, so no shared cache */
    srv_add_header(q, "Cache-Control", "private, max-age=31536000, immutable");
    if (srv_not_modified(q, etag)) {
        rn_record_free(r);
        return;
    }
    size_t len = 0;
    rn_code rc = RN_OK;
    unsigned char *data = cache_get(sha, &len);
    if (!data) {
        gchar *made = NULL;
        gsize glen = 0;
        rc = make(path, rn_store_blob_dir(q->w->store), &made, &glen);
        rn_record *copy = NULL;
        if (rc == RN_EINPUT && !pub &&
            rn_store_photo_public(q->w->store, id, &copy, NULL) == RN_OK) {
            /* an original gdk-pixbuf does not read (HEIC): its public copy is
             * the same picture (a JPEG) */
            const char *csha = rn_record_get(copy, "sha256", NULL);
            if (csha && rn_store_blob_path(q->w->store, csha, path, sizeof path) == RN_OK)
                rc = make(path, rn_store_blob_dir(q->w->store), &made, &glen);
        }
        rn_record_free(copy);
        if (rc == RN_OK && (data = malloc(glen))) {
            memcpy(data, made, glen);
            len = glen;
            cache_put(sha, data, len);
        } else if (rc == RN_OK) {
            rc = RN_ENOMEM;
        }
        g_free(made);
    }
    rn_record_free(r);
    if (rc == RN_EINPUT) {
        srv_reply_error(q, 409, "no_thumbnail", "no thumbnail can be made of this attachment"
                        " (not a picture this server reads, or too large): see its content",
                        NULL);
        return;
    }
    if (rc) {
        srv_reply_rn(q, rc, NULL);
        return;
    }
    srv_add_header(q, "Content-Security-Policy", "sandbox; default-src 'none'");
    q->status = 200;
    q->ctype = "image/jpeg";
    q->out = (char *)data;
    q->out_len = len;
}
