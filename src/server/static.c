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

const char *srv_csp(void)
{
    static char csp[1024];
    static int done;
    if (!done) { /* srv_cfg is fixed before the daemon starts; a race writes the same */
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
        done = 1;
    }
    return csp;
}

static const char *content_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return "text/html; charset=utf-8"; /* "/", "/app/" */
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

/* The served path a request path stands for: the app's pages answer for
 * every path under them (the workspace keeps its place in the URL). */
static const char *canonical(const char *path)
{
    if (strcmp(path, "/app") == 0 || strncmp(path, "/app/", 5) == 0)
        return "/app/";
    if (strcmp(path, "/favicon.ico") == 0)
        return "/assets/icon.svg";
    return path;
}

static const srv_asset *find_asset(const char *path)
{
    for (size_t i = 0; i < srv_nassets; i++)
        if (srv_assets[i].path && strcmp(srv_assets[i].path, path) == 0)
            return &srv_assets[i];
    return NULL;
}

/* Does the client take gzip? ("gzip", "gzip;q=0.5" yes; "gzip;q=0" no) */
static int accepts_gzip(srv_req *q)
{
    const char *ae = srv_header(q, "Accept-Encoding");
    const char *g = ae ? strstr(ae, "gzip") : NULL;
    if (!g)
        return 0;
    const char *p = g + 4;
    while (*p == ' ')
        p++;
    if (strncmp(p, ";q=0", 4) != 0)
        return 1;
    p += 4;
    if (*p == '.')
        for (p++; *p == '0'; p++)
            ;
    return *p >= '1' && *p <= '9';
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
    q->ctype = content_type(path);
}

/* A path safe to join to a folder: relative, no `.` or `..` segment, no
 * empty segment, no backslash. */
static int safe_rel(const char *rel)
{
    if (!*rel || rel[0] == '/' || strchr(rel, '\\'))
        return 0;
    for (const char *s = rel; *s;) {
        size_t n = strcspn(s, "/");
        if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
            return 0;
        s += n;
        if (*s == '/')
            s++;
    }
    return 1;
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
    if (!safe_rel(rel) ||
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
    q->ctype = content_type(path);
}

static void serve_static(srv_req *q)
{
    const char *path = canonical(q->path);
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
    int gz = a->gz && accepts_gzip(q);
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
