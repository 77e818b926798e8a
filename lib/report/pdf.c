/* SPDX-License-Identifier: Apache-2.0
 *
 * pdf.c — the PDF form: draws the boxes of a layout with cairo's PDF
 * surface. Text is drawn line by line with pango from the layout's own
 * measuring context, so what the layout measured is exactly what is drawn;
 * cairo embeds (subsets of) the Noto fonts. Pages are numbered "N / M". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>

#include "report/report_int.h"

static cairo_status_t sink(void *ctx, const unsigned char *data, unsigned int len)
{
    return rn__buf_add(ctx, (const char *)data, len) ? CAIRO_STATUS_NO_MEMORY
                                                     : CAIRO_STATUS_SUCCESS;
}

/* Lines [from, to) of pl with the top of line `from` at y. */
static void show_lines(cairo_t *cr, PangoLayout *pl, double x, double y, size_t from, size_t to)
{
    PangoLayoutIter *it = pango_layout_get_iter(pl);
    size_t k = 0;
    double top0 = 0;
    do {
        if (k >= to)
            break;
        int y0, y1;
        pango_layout_iter_get_line_yrange(it, &y0, &y1);
        if (k == from)
            top0 = y0 / (double)PANGO_SCALE;
        if (k >= from) {
            PangoRectangle lr;
            pango_layout_iter_get_line_extents(it, NULL, &lr);
            double base = pango_layout_iter_get_baseline(it) / (double)PANGO_SCALE;
            cairo_move_to(cr, x + lr.x / (double)PANGO_SCALE, y + base - top0);
            pango_cairo_show_layout_line(cr, pango_layout_iter_get_line_readonly(it));
        }
        k++;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
}

static void draw_row(cairo_t *cr, PangoLayout **cells, const rp_block *t, size_t row, double y,
                     double h)
{
    double x = RP_MARGIN;
    if (row == 0) {
        cairo_set_source_rgb(cr, 0.90, 0.92, 0.95);
        cairo_rectangle(cr, x, y, RP_CONTENT_W, h);
        cairo_fill(cr);
    }
    for (size_t c = 0; c < t->ncols; c++) {
        double w = t->colw[c] * RP_CONTENT_W;
        cairo_set_source_rgb(cr, 0, 0, 0);
        show_lines(cr, cells[row * t->ncols + c], x + RP_CELL_PAD, y + RP_CELL_PAD, 0,
                   (size_t)-1);
        x += w;
    }
    cairo_set_source_rgb(cr, 0.7, 0.7, 0.7);
    cairo_set_line_width(cr, 0.4);
    cairo_move_to(cr, RP_MARGIN, y + h);
    cairo_line_to(cr, RP_MARGIN + RP_CONTENT_W, y + h);
    cairo_stroke(cr);
}

static void draw_photos(cairo_t *cr, PangoContext *pc, const rp_block *b, const rp_box *x,
                        double top)
{
    double px = RP_MARGIN;
    for (size_t i = x->from; i < x->to; i++) {
        const rp_photo *p = &b->photos[i];
        double scale = RP_THUMB_PT / (p->w > p->h ? p->w : p->h);
        int stride = cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, p->w);
        cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, p->w, p->h);
        if (cairo_surface_status(img) == CAIRO_STATUS_SUCCESS) {
            unsigned char *d = cairo_image_surface_get_data(img);
            cairo_surface_flush(img);
            for (int yy = 0; yy < p->h; yy++)
                for (int xx = 0; xx < p->w; xx++) {
                    const unsigned char *s = p->rgb + ((size_t)yy * (size_t)p->w + (size_t)xx) * 3;
                    uint32_t v = (uint32_t)s[0] << 16 | (uint32_t)s[1] << 8 | s[2];
                    memcpy(d + (size_t)yy * (size_t)stride + (size_t)xx * 4, &v, 4);
                }
            cairo_surface_mark_dirty(img);
            cairo_save(cr);
            cairo_translate(cr, px, top);
            cairo_scale(cr, scale, scale);
            cairo_set_source_surface(cr, img, 0, 0);
            cairo_paint(cr);
            cairo_restore(cr);
        }
        cairo_surface_destroy(img);
        double ih = p->h * scale;
        PangoLayout *pl = rp_text_layout(pc, p->caption, RP_PARA, 0, RP_SMALL, RP_THUMB_PT);
        pango_layout_set_height(pl, -3); /* at most three lines, ellipsized */
        pango_layout_set_ellipsize(pl, PANGO_ELLIPSIZE_END);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        show_lines(cr, pl, px, top + ih + 2, 0, 3);
        g_object_unref(pl);
        px += RP_THUMB_PT + (RP_CONTENT_W - 3 * RP_THUMB_PT) / 2;
    }
}

static void footer(cairo_t *cr, PangoContext *pc, const rp_doc *d, size_t page, size_t pages)
{
    char num[64];
    snprintf(num, sizeof num, "%zu / %zu", page + 1, pages);
    PangoLayout *pl = rp_text_layout(pc, num, RP_PARA, 0, RP_SMALL, RP_CONTENT_W);
    pango_layout_set_alignment(pl, PANGO_ALIGN_RIGHT);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    double y = RP_PAGE_H - RP_MARGIN;
    show_lines(cr, pl, RP_MARGIN, y, 0, 1);
    g_object_unref(pl);
    if (d->footer) {
        pl = rp_text_layout(pc, d->footer, RP_PARA, 0, RP_SMALL, RP_CONTENT_W - 60);
        pango_layout_set_height(pl, -1);
        pango_layout_set_ellipsize(pl, PANGO_ELLIPSIZE_END);
        show_lines(cr, pl, RP_MARGIN, y, 0, 1);
        g_object_unref(pl);
    }
}

rn_code rp_render_pdf(const rp_doc *d, const rp_layout *l, rn_buf *out, rn_error *err)
{
    PangoContext *pc = d->pc;
    cairo_surface_t *sf = cairo_pdf_surface_create_for_stream(sink, out, RP_PAGE_W, RP_PAGE_H);
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, d->title);
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR, "Remnant " RN_VERSION);
    cairo_t *cr = cairo_create(sf);
    size_t page = 0;
    for (size_t i = 0; i <= l->n; i++) {
        if (i == l->n || l->box[i].page != page) {
            footer(cr, pc, d, page, l->pages);
            if (i == l->n)
                break;
            cairo_show_page(cr);
            page++;
            while (page < l->box[i].page) { /* never happens: no empty pages */
                footer(cr, pc, d, page, l->pages);
                cairo_show_page(cr);
                page++;
            }
        }
        const rp_box *x = &l->box[i];
        const rp_block *b = &d->b[x->block];
        double top = RP_MARGIN + x->y;
        switch (b->kind) {
        case RP_HEADING:
        case RP_PARA: {
            PangoLayout *pl = l->pl[x->block][0];
            if (b->style == RP_NOTICE) {
                cairo_set_source_rgb(cr, 0.55, 0.25, 0.0);
            } else if (b->kind == RP_HEADING) {
                cairo_set_source_rgb(cr, 0.08, 0.16, 0.32);
            } else {
                cairo_set_source_rgb(cr, 0, 0, 0);
            }
            show_lines(cr, pl, RP_MARGIN, top, x->from, x->to);
            break;
        }
        case RP_TABLE: {
            double y = top;
            const double *rh = l->rowh[x->block];
            if (x->header) {
                double h = rh[0];
                draw_row(cr, l->pl[x->block], b, 0, y, h);
                y += h;
            }
            for (size_t r = x->from; r < x->to; r++) {
                double h = rh[r];
                draw_row(cr, l->pl[x->block], b, r, y, h);
                y += h;
            }
            break;
        }
        case RP_DRAWING:
            cairo_save(cr);
            cairo_translate(cr, RP_MARGIN, top);
            rp_drawing_cairo(b->dr, cr, pc);
            cairo_restore(cr);
            break;
        case RP_PHOTOS:
            draw_photos(cr, pc, b, x, top);
            break;
        }
    }
    cairo_destroy(cr);
    cairo_surface_finish(sf);
    cairo_status_t st = cairo_surface_status(sf);
    cairo_surface_destroy(sf);
    if (st != CAIRO_STATUS_SUCCESS)
        return rn__err(err, st == CAIRO_STATUS_NO_MEMORY ? RN_ENOMEM : RN_EIO,
                       "report: PDF rendering failed: %s", cairo_status_to_string(st));
    return RN_OK;
}
