/* SPDX-License-Identifier: Apache-2.0
 *
 * layout.c — pagination: places every block of a document on A4 pages,
 * top to bottom, measuring text with pango (the same context the PDF is
 * drawn with, so what is measured is what is drawn). Invariants L1-L4 are
 * in report_int.h.
 *
 *  - A paragraph is split between lines; a heading is kept with what
 *    follows it (it moves to the next page when less than RP_KEEP points
 *    would follow it on this one).
 *  - A table is split between rows; each continued part repeats the header.
 *  - A drawing or a row of photos is never split: it moves to the next
 *    page when it does not fit (drawings are built no taller than a page).
 *  - Words longer than a line are broken between characters (pango's
 *    WORD_CHAR wrapping), so no text runs past the right margin. */
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

#define RP_KEEP 60.0

PangoContext *rp_measure_context(void)
{
    PangoFontMap *fm = pango_cairo_font_map_new();
    PangoContext *pc = pango_font_map_create_context(fm);
    g_object_unref(fm);
    pango_cairo_context_set_resolution(pc, 72.0);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(pc, fo);
    cairo_font_options_destroy(fo);
    return pc;
}

PangoLayout *rp_text_layout(PangoContext *pc, const char *text, rp_kind kind, int level,
                            rp_style st, double w)
{
    PangoLayout *pl = pango_layout_new(pc);
    const char *family = st == RP_MONOSPACE ? RP_MONO : RP_FONT;
    PangoFontDescription *fd = pango_font_description_from_string(family);
    double size = 10;
    if (kind == RP_HEADING) {
        size = level <= 1 ? 15 : 12;
        pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
    } else if (kind == RP_TABLE) {
        size = 7.5;
        if (level) /* header row */
            pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
    } else if (st == RP_TITLE) {
        size = 19;
        pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
    } else if (st == RP_SMALL || st == RP_MONOSPACE) {
        size = 8;
    } else if (st == RP_NOTICE) {
        size = 9.5;
        pango_font_description_set_style(fd, PANGO_STYLE_ITALIC);
    }
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_layout_set_font_description(pl, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(pl, (int)(w * PANGO_SCALE));
    pango_layout_set_wrap(pl, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(pl, text ? text : "", -1);
    return pl;
}

double rp_row_height(PangoContext *pc, const rp_block *t, size_t row, PangoLayout **cells)
{
    double h = 0;
    for (size_t c = 0; c < t->ncols; c++) {
        double w = t->colw[c] * RP_CONTENT_W - 2 * RP_CELL_PAD;
        PangoLayout *pl = rp_text_layout(pc, t->cells[row * t->ncols + c], RP_TABLE, row == 0,
                                         RP_NORMAL, w);
        int lw, lh;
        pango_layout_get_size(pl, &lw, &lh);
        if (cells)
            cells[c] = pl;
        else
            g_object_unref(pl);
        if (lh / (double)PANGO_SCALE > h)
            h = lh / (double)PANGO_SCALE;
    }
    return h + 2 * RP_CELL_PAD;
}

typedef struct lay {
    rp_layout *l;
    size_t page;
    double y;
} lay;

static int put(lay *s, size_t block, size_t from, size_t to, double h, int header)
{
    rp_layout *l = s->l;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        rp_box *nb = rn__realloc(l->box, nc * sizeof *nb);
        if (!nb)
            return -1;
        l->box = nb;
        l->cap = nc;
    }
    l->box[l->n++] = (rp_box){s->page, block, from, to, s->y, h, header};
    s->y += h;
    if (s->page + 1 > l->pages)
        l->pages = s->page + 1;
    return 0;
}

static void new_page(lay *s)
{
    s->page++;
    s->y = 0;
}

static double photo_h(const rp_photo *p)
{
    double w = RP_THUMB_PT, h = p->w > 0 ? RP_THUMB_PT * p->h / (double)p->w : RP_THUMB_PT;
    (void)w;
    if (h > RP_THUMB_PT)
        h = RP_THUMB_PT;
    return h + 36; /* caption: up to three small lines */
}

#define RP_PHOTOS_PER_ROW 3

rn_code rp_layout_doc(const rp_doc *d, rp_layout *out, rn_error *err)
{
    memset(out, 0, sizeof *out);
    PangoContext *pc = d->pc;
    lay s = {out, 0, 0};
    rn_code rc = RN_OK;
    out->pages = 1;
    out->rowh = rn__calloc(d->n ? d->n : 1, sizeof *out->rowh);
    out->pl = rn__calloc(d->n ? d->n : 1, sizeof *out->pl);
    out->nblocks = d->n;
    out->doc = d;
    if (!out->rowh || !out->pl) {
        rp_layout_free(out);
        return rn__err(err, RN_ENOMEM, "report layout: out of memory");
    }
    for (size_t i = 0; i < d->n && !rc; i++) {
        const rp_block *b = &d->b[i];
        if (i > 0 && s.y > 0)
            s.y += b->kind == RP_HEADING ? (b->level <= 1 ? 14 : 8) : RP_BLOCK_GAP;
        if (s.y > RP_CONTENT_H)
            new_page(&s);
        switch (b->kind) {
        case RP_HEADING:
        case RP_PARA: {
            PangoLayout *pl = rp_text_layout(pc, b->text, b->kind, b->level, b->style,
                                             RP_CONTENT_W);
            int nl = pango_layout_get_line_count(pl);
            double *lh = rn__malloc((size_t)(nl > 0 ? nl : 1) * sizeof *lh);
            out->pl[i] = rn__calloc(1, sizeof *out->pl[i]);
            if (!lh || !out->pl[i]) {
                free(lh);
                g_object_unref(pl);
                rc = RN_ENOMEM;
                break;
            }
            out->pl[i][0] = pl;
            PangoLayoutIter *it = pango_layout_get_iter(pl);
            int k = 0;
            do {
                int y0, y1;
                pango_layout_iter_get_line_yrange(it, &y0, &y1);
                lh[k++] = (y1 - y0) / (double)PANGO_SCALE;
            } while (k < nl && pango_layout_iter_next_line(it));
            pango_layout_iter_free(it);
            if (b->kind == RP_HEADING && s.y > 0 && s.y + lh[0] + RP_KEEP > RP_CONTENT_H)
                new_page(&s);
            size_t from = 0;
            double acc = 0;
            for (int j = 0; j < nl; j++) {
                if (s.y + acc + lh[j] > RP_CONTENT_H && (j > (int)from || s.y > 0)) {
                    if (j > (int)from && put(&s, i, from, (size_t)j, acc, 0)) {
                        rc = RN_ENOMEM;
                        break;
                    }
                    new_page(&s);
                    from = (size_t)j;
                    acc = 0;
                }
                acc += lh[j];
            }
            if (!rc && put(&s, i, from, (size_t)nl, acc, 0))
                rc = RN_ENOMEM;
            free(lh);
            break;
        }
        case RP_TABLE: {
            double *rh_ = rn__malloc(b->nrows * sizeof *rh_);
            PangoLayout **cl = rn__calloc(b->nrows * b->ncols, sizeof *cl);
            if (!rh_ || !cl) {
                free(rh_);
                free(cl);
                rc = RN_ENOMEM;
                break;
            }
            for (size_t r = 0; r < b->nrows; r++)
                rh_[r] = rp_row_height(pc, b, r, cl + r * b->ncols);
            out->rowh[i] = rh_;
            out->pl[i] = cl;
            double hh = rh_[0];
            size_t from = 1;
            double acc = hh;
            if (s.y > 0 && s.y + hh + (b->nrows > 1 ? rh_[1] : 0) > RP_CONTENT_H)
                new_page(&s);
            for (size_t r = 1; r < b->nrows && !rc; r++) {
                double rh = rh_[r];
                if (s.y + acc + rh > RP_CONTENT_H && r > from) {
                    if (put(&s, i, from, r, acc, 1)) {
                        rc = RN_ENOMEM;
                        break;
                    }
                    new_page(&s);
                    from = r;
                    acc = hh;
                }
                acc += rh;
            }
            if (!rc && put(&s, i, from, b->nrows, acc, 1))
                rc = RN_ENOMEM;
            break;
        }
        case RP_DRAWING:
            if (s.y > 0 && s.y + b->dr->h > RP_CONTENT_H)
                new_page(&s);
            if (put(&s, i, 0, 1, b->dr->h, 0))
                rc = RN_ENOMEM;
            break;
        case RP_PHOTOS:
            for (size_t p = 0; p < b->nphotos && !rc; p += RP_PHOTOS_PER_ROW) {
                size_t e = p + RP_PHOTOS_PER_ROW < b->nphotos ? p + RP_PHOTOS_PER_ROW : b->nphotos;
                double h = 0;
                for (size_t q = p; q < e; q++)
                    if (photo_h(&b->photos[q]) > h)
                        h = photo_h(&b->photos[q]);
                if (s.y > 0 && s.y + h > RP_CONTENT_H)
                    new_page(&s);
                if (put(&s, i, p, e, h + RP_BLOCK_GAP, 0))
                    rc = RN_ENOMEM;
            }
            break;
        }
    }
    if (rc) {
        rp_layout_free(out);
        return rn__err(err, rc, "report layout: out of memory");
    }
    return RN_OK;
}

void rp_layout_free(rp_layout *l)
{
    if (!l)
        return;
    free(l->box);
    for (size_t i = 0; l->rowh && i < l->nblocks; i++)
        free(l->rowh[i]);
    free(l->rowh);
    for (size_t i = 0; l->pl && i < l->nblocks; i++) {
        const rp_block *b = &l->doc->b[i];
        size_t n = b->kind == RP_TABLE ? b->nrows * b->ncols : 1;
        for (size_t k = 0; l->pl[i] && k < n; k++)
            if (l->pl[i][k])
                g_object_unref(l->pl[i][k]);
        free(l->pl[i]);
    }
    free(l->pl);
    memset(l, 0, sizeof *l);
}
