/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_web_path.c — the web app's path and header helpers (web_path.c):
 * the input is split at its first NUL into a request path and an
 * Accept-Encoding header. Checked: a path judged safe to join to a folder
 * is relative and holds no "." or ".." segment, no empty segment and no
 * backslash (the contract static.c's --web relies on); the canonical path
 * and the media type are never NULL. Includes web_path.c. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/server/web_path.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    const char *hdr = strlen(s) < size ? s + strlen(s) + 1 : NULL;
    if (!srv_web_canonical(s) || !srv_web_type(s))
        abort();
    if (srv_web_rel_safe(s)) {
        if (s[0] == '/' || strchr(s, '\\') || strstr(s, "//"))
            abort();
        for (const char *p = s; *p;) { /* every segment: not "." or ".." */
            size_t n = strcspn(p, "/");
            if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
                abort();
            p += n;
            if (*p)
                p++;
        }
    }
    (void)srv_accepts_gzip(hdr);
    (void)srv_accepts_gzip(s);
    free(s);
    return 0;
}
