/* SPDX-License-Identifier: Apache-2.0
 *
 * doc.c — the document both forms are rendered from: a list of blocks
 * (headings, paragraphs, tables, drawings, photo grids). Text is plain
 * UTF-8, capped at RP_TEXT_MAX bytes per paragraph or cell (longer text is
 * cut at a character boundary and says so: a cap, never a silent loss). */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

rp_doc *rp_doc_new(const char *title, const char *lang)
{
    rp_doc *d = rn__calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->title = rn__strndup(title, strlen(title));
    d->lang = rn__strndup(lang, strlen(lang));
    d->pc = rp_measure_context();
    if (!d->title || !d->lang || !d->pc) {
        rp_doc_free(d);
        return NULL;
    }
    return d;
}

void rp_block_clear(rp_block *b)
{
    free(b->text);
    for (size_t i = 0; i < b->ncols * b->nrows; i++)
        free(b->cells[i]);
    free(b->cells);
    rp_drawing_free(b->dr);
    for (size_t i = 0; i < b->nphotos; i++) {
        free(b->photos[i].caption);
        free(b->photos[i].rgb);
    }
    free(b->photos);
    memset(b, 0, sizeof *b);
}

void rp_doc_free(rp_doc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        rp_block_clear(&d->b[i]);
    free(d->b);
    free(d->title);
    free(d->lang);
    free(d->footer);
    if (d->pc)
        g_object_unref(d->pc);
    free(d);
}

/* A copy of s, capped at max bytes on a UTF-8 boundary. */
static char *text_copy_max(const char *s, size_t max)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    const char *more = "";
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        more = " [...]";
    }
    char *c = rn__malloc(n + strlen(more) + 1);
    if (!c)
        return NULL;
    memcpy(c, s, n);
    memcpy(c + n, more, strlen(more) + 1);
    /* pango wants valid UTF-8: replace bad bytes */
    const gchar *end;
    while (!g_utf8_validate(c, -1, &end))
        *(char *)end = '?';
    return c;
}

static char *text_copy(const char *s) { return text_copy_max(s, RP_TEXT_MAX); }

static rp_block *new_block(rp_doc *d, rp_kind k)
{
    if (d->n >= RP_BLOCKS_MAX)
        return NULL;
    if (d->n == d->cap) {
        size_t nc = d->cap ? d->cap * 2 : 64;
        rp_block *nb = rn__realloc(d->b, nc * sizeof *nb);
        if (!nb)
            return NULL;
        d->b = nb;
        d->cap = nc;
    }
    rp_block *b = &d->b[d->n++];
    memset(b, 0, sizeof *b);
    b->kind = k;
    return b;
}

int rp_heading(rp_doc *d, int level, const char *text)
{
    char *t = text_copy(text);
    rp_block *b = t ? new_block(d, RP_HEADING) : NULL;
    if (!b) {
        free(t);
        return -1;
    }
    b->level = level;
    b->text = t;
    return 0;
}

int rp_para(rp_doc *d, rp_style st, const char *text)
{
    char *t = text_copy(text);
    rp_block *b = t ? new_block(d, RP_PARA) : NULL;
    if (!b) {
        free(t);
        return -1;
    }
    b->style = st;
    b->text = t;
    return 0;
}

int rp_paraf(rp_doc *d, rp_style st, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return rp_para(d, st, buf);
}

rp_block *rp_table(rp_doc *d, size_t ncols, const char *const *header, const double *colw)
{
    if (ncols == 0 || ncols > RP_TABLE_COLS_MAX)
        return NULL;
    for (size_t i = 0; colw && i < ncols; i++)
        if (colw[i] < RP_COL_MIN)
            return NULL;
    rp_block *b = new_block(d, RP_TABLE);
    if (!b)
        return NULL;
    b->ncols = ncols;
    b->pc = d->pc;
    for (size_t i = 0; i < ncols; i++)
        b->colw[i] = colw ? colw[i] : 1.0 / (double)ncols;
    if (rp_row(b, header)) {
        d->n--;
        return NULL;
    }
    return b;
}

int rp_row(rp_block *t, const char *const *cells)
{
    char **nc = rn__realloc(t->cells, (t->nrows + 1) * t->ncols * sizeof *nc);
    if (!nc)
        return -1;
    t->cells = nc;
    char **row = nc + t->nrows * t->ncols;
    for (size_t i = 0; i < t->ncols; i++) {
        row[i] = text_copy_max(cells[i], RP_CELL_MAX);
        if (!row[i]) {
            for (size_t k = 0; k < i; k++)
                free(row[k]);
            return -1;
        }
    }
    t->nrows++;
    /* keep the row (with the header above it) within a page; measured only
       when a bound says it might not fit (no glyph is wider than 9 points
       or any line taller than 14 at the table's 7.5 points) */
    int might = 0;
    for (size_t c = 0; c < t->ncols; c++) {
        size_t per = (size_t)((t->colw[c] * RP_CONTENT_W - 2 * RP_CELL_PAD) / 9.0);
        size_t lines = strlen(row[c]) / (per ? per : 1) + 1;
        for (const char *p = row[c]; *p; p++)
            lines += *p == '\n';
        might |= lines * 14.0 + 2 * RP_CELL_PAD > RP_CONTENT_H / 2;
    }
    if (might && t->pc && t->nrows > 1) {
        double limit = RP_CONTENT_H - rp_row_height(t->pc, t, 0, NULL) - 1;
        for (int guard = 0; guard < 64; guard++) {
            PangoLayout *cl[RP_TABLE_COLS_MAX];
            double h = rp_row_height(t->pc, t, t->nrows - 1, cl);
            size_t worst = 0;
            int worst_h = -1;
            for (size_t c = 0; c < t->ncols; c++) {
                int w_, h_;
                pango_layout_get_size(cl[c], &w_, &h_);
                if (h_ > worst_h) {
                    worst_h = h_;
                    worst = c;
                }
                g_object_unref(cl[c]);
            }
            if (h <= limit)
                break;
            char *s = row[worst];
            size_t n = strlen(s) * 2 / 3;
            while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
                n--;
            char *cut = rn__malloc(n + 7);
            if (!cut)
                return -1;
            memcpy(cut, s, n);
            memcpy(cut + n, " [...]", 7);
            free(s);
            row[worst] = cut;
        }
    }
    return 0;
}

int rp_add_drawing(rp_doc *d, rp_drawing *dr)
{
    rp_block *b = new_block(d, RP_DRAWING);
    if (!b) {
        rp_drawing_free(dr);
        return -1;
    }
    b->dr = dr;
    return 0;
}

rp_block *rp_photos(rp_doc *d) { return new_block(d, RP_PHOTOS); }

int rp_take_block(rp_doc *d, rp_block *b)
{
    rp_block *n = new_block(d, b->kind);
    if (!n)
        return -1;
    *n = *b;
    memset(b, 0, sizeof *b);
    return 0;
}

int rp_photo_add(rp_block *b, const char *path, const char *caption)
{
    GError *ge = NULL;
    GdkPixbuf *pb = gdk_pixbuf_new_from_file_at_scale(path, RP_THUMB_PX, RP_THUMB_PX, TRUE, &ge);
    if (!pb) {
        if (ge)
            g_error_free(ge);
        return -1;
    }
    /* flatten to RGB (drop alpha on white) */
    int w = gdk_pixbuf_get_width(pb), h = gdk_pixbuf_get_height(pb);
    int nch = gdk_pixbuf_get_n_channels(pb), stride = gdk_pixbuf_get_rowstride(pb);
    const guchar *px = gdk_pixbuf_read_pixels(pb);
    unsigned char *rgb = rn__malloc((size_t)w * (size_t)h * 3);
    int rc = -1;
    if (!rgb)
        goto out;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const guchar *s = px + (size_t)y * (size_t)stride + (size_t)x * (size_t)nch;
            unsigned a = nch == 4 ? s[3] : 255;
            for (int c = 0; c < 3; c++)
                rgb[((size_t)y * (size_t)w + (size_t)x) * 3 + (size_t)c] =
                    (unsigned char)((s[c] * a + 255 * (255 - a)) / 255);
        }
    rp_photo *np = rn__realloc(b->photos, (b->nphotos + 1) * sizeof *np);
    if (!np)
        goto out;
    b->photos = np;
    rp_photo *p = &np[b->nphotos];
    p->caption = text_copy(caption);
    if (!p->caption)
        goto out;
    p->w = w;
    p->h = h;
    p->rgb = rgb;
    rgb = NULL;
    b->nphotos++;
    rc = 0;
out:
    free(rgb);
    g_object_unref(pb);
    return rc;
}

char *rp_photo_jpeg_b64(const rp_photo *p)
{
    GdkPixbuf *flat = gdk_pixbuf_new_from_data(p->rgb, GDK_COLORSPACE_RGB, FALSE, 8, p->w, p->h,
                                               p->w * 3, NULL, NULL);
    gchar *jpeg = NULL;
    gsize jlen = 0;
    GError *ge = NULL;
    char *b64 = NULL;
    if (flat && gdk_pixbuf_save_to_buffer(flat, &jpeg, &jlen, "jpeg", &ge, "quality", "80", NULL))
        b64 = g_base64_encode((const guchar *)jpeg, jlen);
    if (ge)
        g_error_free(ge);
    if (flat)
        g_object_unref(flat);
    g_free(jpeg);
    return b64;
}
