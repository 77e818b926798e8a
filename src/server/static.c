/* SPDX-License-Identifier: Apache-2.0
 *
 * static.c — the web app's files: the public portal at `/`, the staff
 * workspace at `/app/`, and their scripts, styles, catalogues and vendored
 * libraries (web/, docs/ARCHITECTURE.md "The web app").
 *
 * Where the bytes come from:
 *  1. by default, from the binary: srv_assets[] (web_assets.c, generated at
 *     build time by cmake/embed_web.cmake), each with its ETag and, where it
 *     pays, a gzip form chosen when the client accepts gzip;
 *  2. with `remnant serve --web DIR`, from the folder DIR (a checkout's
 *     web/), read on every request so an edit shows on reload; a path the
 *     table knows is read from its source path under DIR (vendored files
 *     from DIR/node_modules), any other from DIR/assets or DIR/i18n.
 * Every answer carries the one Content-Security-Policy (srv_csp): scripts,
 * styles, images and requests from this origin only (and the operator's
 * tile origin, for images, when --tiles is given), no inline script or
 * style, no framing. Paths with `..`, `//`, a backslash or a NUL never
 * reach the file system.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server.h"

#define STATIC_FILE_MAX (16u << 20) /* --web files: at most 16 MiB */

static void serve_static(srv_req *q);

static const srv_route static_route = {M_GET, "/", serve_static, SRV_PUBLIC, 0};

const srv_route *srv_static_route(const char *path)
{
    static const char *const prefixes[] = {"/assets/", "/i18n/", "/vendor/", "/app/"};
    if (strcmp(path, "/") == 0 || strcmp(path, "/app") == 0 ||
        strcmp(path, "/favicon.ico") == 0)
        return &static_route;
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
        if (strncmp(path, prefixes[i], strlen(prefixes[i])) == 0)
            return &static_route;
    return NULL;
}

static char csp[1024];
static pthread_once_t csp_once = PTHREAD_ONCE_INIT;

static void make_csp(void)
{
    char origin[300] = "";
    const char *t = srv_cfg.tile_url;
    const char *h = t ? strstr(t, "://") : NULL;
    if (h) {
        size_t n = strcspn(h + 3, "/{");
        if ((size_t)(h + 3 - t) + n < sizeof origin - 1)
            snprintf(origin, sizeof origin, " %.*s", (int)(h + 3 - t + n), t);
    }
    snprintf(csp, sizeof csp,
             "default-src 'none'; script-src 'self'; style-src 'self'; "
             "img-src 'self'%s; connect-src 'self'; font-src 'self'; "
             "manifest-src 'self'; base-uri 'none'; form-action 'self'; "
             "frame-ancestors 'none'",
             origin);
}

const char *srv_csp(void)
{
    pthread_once(&csp_once, make_csp); /* srv_cfg is fixed before the daemon starts */
    return csp;
}

static const srv_asset *find_asset(const char *path)
{
    for (size_t i = 0; i < srv_nassets; i++)
        if (srv_assets[i].path && strcmp(srv_assets[i].path, path) == 0)
            return &srv_assets[i];
    return NULL;
}

/* Headers of every answer but the ETag (srv_not_modified adds it). */
static void common_headers(srv_req *q)
{
    srv_add_header(q, "Content-Security-Policy", srv_csp());
    srv_add_header(q, "Referrer-Policy", "no-referrer");
    srv_add_header(q, "X-Frame-Options", "DENY");
    srv_add_header(q, "Cache-Control", "no-cache"); /* revalidate: 304 by ETag */
}

static void reply_bytes(srv_req *q, const char *path, const void *p, size_t n)
{
    char *c = malloc(n + 1);
    if (!c) {
        srv_reply_rn(q, RN_ENOMEM, NULL);
        return;
    }
    memcpy(c, p, n);
    c[n] = '\0';
    srv_reply_json(q, 200, c, n);
    q->ctype = srv_web_type(path);
}

/* --web DIR: read the file and answer it (no gzip: this is for working on
 * the app, on loopback). */
static void serve_dir(srv_req *q, const char *path)
{
    const srv_asset *a = find_asset(path);
    const char *rel = a ? a->src : path + 1;
    if (!a && strncmp(rel, "assets/", 7) != 0 && strncmp(rel, "i18n/", 5) != 0) {
        srv_reply_error(q, 404, "not_found", "no such file of the web app", NULL);
        return;
    }
    char full[4096];
    if (!srv_web_rel_safe(rel) ||
        snprintf(full, sizeof full, "%s/%s", srv_cfg.web_dir, rel) >= (int)sizeof full) {
        srv_reply_error(q, 404, "not_found", "no such file of the web app", NULL);
        return;
    }
    int fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (uint64_t)st.st_size > STATIC_FILE_MAX) {
        if (fd >= 0)
            close(fd);
        srv_reply_error(q, 404, "not_found", "no such file of the web app", NULL);
        return;
    }
    size_t n = (size_t)st.st_size, got = 0;
    char *buf = malloc(n + 1);
    while (buf && got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (!buf || got != n) {
        free(buf);
        srv_reply_error(q, 500, "io_error", "the web app's file could not be read", NULL);
        return;
    }
    buf[n] = '\0';
    char etag[35];
    srv_etag(buf, n, etag);
    common_headers(q);
    if (srv_not_modified(q, etag)) {
        free(buf);
        return;
    }
    srv_reply_json(q, 200, buf, n);
    q->ctype = srv_web_type(path);
}

static void serve_static(srv_req *q)
{
    const char *path = srv_web_canonical(q->path);
    if (srv_cfg.web_dir) {
        serve_dir(q, path);
        return;
    }
    const srv_asset *a = find_asset(path);
    if (!a) {
        srv_reply_error(q, 404, "not_found", "no such file of the web app", NULL);
        return;
    }
    common_headers(q);
    /* the gzip form is another representation: its own strong ETag */
    int gz = a->gz && srv_accepts_gzip(srv_header(q, "Accept-Encoding"));
    char etag[48];
    snprintf(etag, sizeof etag, "%.*s%s\"", (int)strlen(a->etag) - 1, a->etag, gz ? "-gz" : "");
    if (a->gz)
        srv_add_header(q, "Vary", "Accept-Encoding");
    if (srv_not_modified(q, etag))
        return;
    if (gz) {
        srv_add_header(q, "Content-Encoding", "gzip");
        reply_bytes(q, path, a->gz, a->gz_len);
    } else {
        reply_bytes(q, path, a->data, a->len);
    }
}
