/* SPDX-License-Identifier: Apache-2.0
 *
 * draw.c — drawings (charts, map insets): a list of primitives in points,
 * built once and rendered twice, to cairo (the PDF) and to SVG (the HTML).
 * Text in drawings is set with pango in the PDF so that every script has a
 * font and the font is embedded. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

rp_drawing *rp_drawing_new(double w, double h, const char *title)
{
    rp_drawing *d = rn__calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->w = w;
    d->h = h;
    d->title = rn__strndup(title ? title : "", title ? strlen(title) : 0);
    if (!d->title) {
        free(d);
        return NULL;
    }
    return d;
}

void rp_drawing_free(rp_drawing *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->p[i].text);
        free(d->p[i].pts);
    }
    free(d->p);
    free(d->title);
    free(d);
}

static rp_prim *add(rp_drawing *d)
{
    if (d->n == d->cap) {
        size_t nc = d->cap ? d->cap * 2 : 32;
        rp_prim *np = rn__realloc(d->p, nc * sizeof *np);
        if (!np)
            return NULL;
        d->p = np;
        d->cap = nc;
    }
    rp_prim *p = &d->p[d->n++];
    memset(p, 0, sizeof *p);
    p->fill = p->stroke = RP_NONE;
    p->width = 1;
    return p;
}

int rp_rect(rp_drawing *d, double x, double y, double w, double h, uint32_t fill,
            uint32_t stroke)
{
    rp_prim *p = add(d);
    if (!p)
        return -1;
    p->kind = RP_RECT;
    p->x = x, p->y = y, p->w = w, p->h = h;
    p->fill = fill, p->stroke = stroke;
    p->width = 0.6;
    return 0;
}

int rp_line(rp_drawing *d, double x1, double y1, double x2, double y2, uint32_t stroke,
            double width, int dashed)
{
    rp_prim *p = add(d);
    if (!p)
        return -1;
    p->kind = RP_LINE;
    p->x = x1, p->y = y1, p->w = x2, p->h = y2;
    p->stroke = stroke;
    p->width = width;
    p->dashed = dashed;
    return 0;
}

int rp_text(rp_drawing *d, double x, double y, double size, int anchor, int bold,
            uint32_t color, const char *text)
{
    char *t = rn__strndup(text, strlen(text));
    if (!t)
        return -1;
    rp_prim *p = add(d);
    if (!p) {
        free(t);
        return -1;
    }
    p->kind = RP_TEXT;
    p->x = x, p->y = y, p->w = size;
    p->anchor = anchor;
    p->bold = bold;
    p->fill = color;
    p->text = t;
    return 0;
}

int rp_circle(rp_drawing *d, double cx, double cy, double r, uint32_t fill, uint32_t stroke)
{
    rp_prim *p = add(d);
    if (!p)
        return -1;
    p->kind = RP_CIRCLE;
    p->x = cx, p->y = cy, p->w = r;
    p->fill = fill, p->stroke = stroke;
    return 0;
}

int rp_poly(rp_drawing *d, const double *pts, size_t npts, uint32_t fill, uint32_t stroke,
            double width)
{
    double *c = rn__malloc(npts * 2 * sizeof *c);
    if (!c)
        return -1;
    memcpy(c, pts, npts * 2 * sizeof *c);
    rp_prim *p = add(d);
    if (!p) {
        free(c);
        return -1;
    }
    p->kind = RP_POLY;
    p->pts = c;
    p->npts = npts;
    p->fill = fill, p->stroke = stroke;
    p->width = width;
    return 0;
}

static void rgb(cairo_t *cr, uint32_t c)
{
    cairo_set_source_rgb(cr, ((c >> 16) & 0xFF) / 255.0, ((c >> 8) & 0xFF) / 255.0,
                         (c & 0xFF) / 255.0);
}

static void fill_stroke(cairo_t *cr, const rp_prim *p)
{
    if (p->fill != RP_NONE) {
        rgb(cr, p->fill);
        if (p->stroke != RP_NONE)
            cairo_fill_preserve(cr);
        else
            cairo_fill(cr);
    }
    if (p->stroke != RP_NONE) {
        rgb(cr, p->stroke);
        cairo_set_line_width(cr, p->width);
        cairo_stroke(cr);
    }
    cairo_new_path(cr);
}

void rp_drawing_cairo(const rp_drawing *d, cairo_t *cr, PangoContext *pc)
{
    cairo_save(cr);
    if (d->clip) {
        cairo_rectangle(cr, 0, 0, d->w, d->h);
        cairo_clip(cr);
    }
    for (size_t i = 0; i < d->n; i++) {
        const rp_prim *p = &d->p[i];
        cairo_new_path(cr); /* no current point carried over from text */
        switch (p->kind) {
        case RP_RECT:
            cairo_rectangle(cr, p->x, p->y, p->w, p->h);
            fill_stroke(cr, p);
            break;
        case RP_CIRCLE:
            cairo_arc(cr, p->x, p->y, p->w, 0, 2 * M_PI);
            fill_stroke(cr, p);
            break;
        case RP_POLY:
            for (size_t k = 0; k < p->npts; k++)
                (k ? cairo_line_to : cairo_move_to)(cr, p->pts[2 * k], p->pts[2 * k + 1]);
            if (p->fill != RP_NONE)
                cairo_close_path(cr);
            fill_stroke(cr, p);
            break;
        case RP_LINE: {
            rgb(cr, p->stroke);
            cairo_set_line_width(cr, p->width);
            double dash[] = {3, 2};
            cairo_set_dash(cr, dash, p->dashed ? 2 : 0, 0);
            cairo_move_to(cr, p->x, p->y);
            cairo_line_to(cr, p->w, p->h);
            cairo_stroke(cr);
            cairo_set_dash(cr, NULL, 0, 0);
            break;
        }
        case RP_TEXT: {
            PangoLayout *pl = pango_layout_new(pc);
            PangoFontDescription *fd = pango_font_description_from_string(RP_FONT);
            pango_font_description_set_absolute_size(fd, p->w * PANGO_SCALE);
            if (p->bold)
                pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
            pango_layout_set_font_description(pl, fd);
            pango_font_description_free(fd);
            pango_layout_set_text(pl, p->text, -1);
            int tw, th;
            pango_layout_get_size(pl, &tw, &th);
            double x = p->x - (p->anchor == 1 ? tw / 2.0 : p->anchor == 2 ? tw : 0) / PANGO_SCALE;
            double base = pango_layout_get_baseline(pl) / (double)PANGO_SCALE;
            rgb(cr, p->fill == RP_NONE ? 0 : p->fill);
            cairo_move_to(cr, x, p->y - base);
            pango_cairo_show_layout(cr, pl);
            g_object_unref(pl);
            break;
        }
        }
    }
    cairo_restore(cr);
}

rn_code rp_xml_escape(rn_buf *out, const char *s)
{
    rn_code rc = RN_OK;
    for (; *s && !rc; s++) {
        switch (*s) {
        case '<': rc = rn__buf_adds(out, "&lt;"); break;
        case '>': rc = rn__buf_adds(out, "&gt;"); break;
        case '&': rc = rn__buf_adds(out, "&amp;"); break;
        case '"': rc = rn__buf_adds(out, "&quot;"); break;
        default: rc = rn__buf_addc(out, *s);
        }
    }
    return rc;
}

static rn_code color(rn_buf *o, const char *attr, uint32_t c)
{
    if (c == RP_NONE)
        return rn__buf_printf(o, " %s=\"none\"", attr);
    return rn__buf_printf(o, " %s=\"#%06x\"", attr, (unsigned)(c & 0xFFFFFF));
}

rn_code rp_drawing_svg(const rp_drawing *d, rn_buf *o)
{
    rn_code rc = rn__buf_printf(o,
                                "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.1f "
                                "%.1f\" width=\"%.1f\" height=\"%.1f\" role=\"img\"><title>",
                                d->w, d->h, d->w * 1.25, d->h * 1.25);
    if (!rc)
        rc = rp_xml_escape(o, d->title);
    if (!rc)
        rc = rn__buf_adds(o, "</title>");
    for (size_t i = 0; i < d->n && !rc; i++) {
        const rp_prim *p = &d->p[i];
        switch (p->kind) {
        case RP_RECT:
            rc = rn__buf_printf(o, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"",
                                p->x, p->y, p->w, p->h);
            if (!rc)
                rc = color(o, "fill", p->fill);
            if (!rc)
                rc = color(o, "stroke", p->stroke);
            if (!rc)
                rc = rn__buf_printf(o, " stroke-width=\"%.2f\"/>", p->width);
            break;
        case RP_CIRCLE:
            rc = rn__buf_printf(o, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\"", p->x, p->y, p->w);
            if (!rc)
                rc = color(o, "fill", p->fill);
            if (!rc)
                rc = color(o, "stroke", p->stroke);
            if (!rc)
                rc = rn__buf_adds(o, "/>");
            break;
        case RP_LINE:
            rc = rn__buf_printf(o,
                                "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" "
                                "stroke-width=\"%.2f\"%s",
                                p->x, p->y, p->w, p->h, p->width,
                                p->dashed ? " stroke-dasharray=\"3 2\"" : "");
            if (!rc)
                rc = color(o, "stroke", p->stroke);
            if (!rc)
                rc = rn__buf_adds(o, "/>");
            break;
        case RP_POLY:
            rc = rn__buf_adds(o, p->fill != RP_NONE ? "<polygon points=\"" : "<polyline points=\"");
            for (size_t k = 0; k < p->npts && !rc; k++)
                rc = rn__buf_printf(o, "%s%.1f,%.1f", k ? " " : "", p->pts[2 * k],
                                    p->pts[2 * k + 1]);
            if (!rc)
                rc = rn__buf_addc(o, '"');
            if (!rc)
                rc = color(o, "fill", p->fill);
            if (!rc)
                rc = color(o, "stroke", p->stroke);
            if (!rc)
                rc = rn__buf_printf(o, " stroke-width=\"%.2f\"/>", p->width);
            break;
        case RP_TEXT:
            rc = rn__buf_printf(o, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"%.1f\"%s%s", p->x,
                                p->y, p->w,
                                p->anchor == 1   ? " text-anchor=\"middle\""
                                : p->anchor == 2 ? " text-anchor=\"end\""
                                                 : "",
                                p->bold ? " font-weight=\"bold\"" : "");
            if (!rc)
                rc = color(o, "fill", p->fill == RP_NONE ? 0 : p->fill);
            if (!rc)
                rc = rn__buf_addc(o, '>');
            if (!rc)
                rc = rp_xml_escape(o, p->text);
            if (!rc)
                rc = rn__buf_adds(o, "</text>");
            break;
        }
    }
    if (!rc)
        rc = rn__buf_adds(o, "</svg>");
    return rc;
}
