/* SPDX-License-Identifier: Apache-2.0
 *
 * web_path.c — the pure helpers of the web app's file serving (static.c),
 * apart so that fuzz/fuzz_web_path.c reaches them without the daemon: which
 * served path a request path stands for, its media type, whether a relative
 * path may be joined to a folder, and whether a client takes gzip. */
#include <string.h>

#include "server.h"

const char *srv_web_canonical(const char *path)
{
    if (strcmp(path, "/app") == 0 || strncmp(path, "/app/", 5) == 0)
        return "/app/"; /* the workspace answers for every path under it */
    if (strcmp(path, "/favicon.ico") == 0)
        return "/assets/icon.svg";
    return path;
}

const char *srv_web_type(const char *path)
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

int srv_web_rel_safe(const char *rel)
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
        if (!*s && s[-1] == '/')
            return 0; /* a trailing slash names a folder */
    }
    return 1;
}

int srv_accepts_gzip(const char *accept_encoding)
{
    const char *g = accept_encoding ? strstr(accept_encoding, "gzip") : NULL;
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
