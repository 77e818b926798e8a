/* SPDX-License-Identifier: Apache-2.0
 *
 * buf.c — the server's growable text buffer with a stated maximum (the
 * library's rn_buf is internal to it; the server links the public API
 * only). A failure (out of memory, over the maximum) is sticky: later adds
 * do nothing and srv_buf_take gives NULL, so callers check once at the end.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

void srv_buf_add(srv_buf *b, const char *s, size_t n)
{
    if (b->fail)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->n + n + 1)
            nc *= 2;
        char *np = nc <= b->max ? realloc(b->p, nc) : NULL;
        if (!np) {
            b->fail = 1;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void srv_buf_adds(srv_buf *b, const char *s)
{
    srv_buf_add(b, s, strlen(s));
}

char *srv_buf_take(srv_buf *b)
{
    if (b->fail) {
        free(b->p);
        b->p = NULL;
        return NULL;
    }
    return b->p ? b->p : strdup("");
}
