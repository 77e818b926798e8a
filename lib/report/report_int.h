/* SPDX-License-Identifier: Apache-2.0
 *
 * report_int.h — what the modules of lib/report share. Private.
 *
 *   content.c  gathers the records and analysis documents into a document
 *   doc.c      the document: a list of blocks (headings, paragraphs,
 *              tables, drawings, photo grids)
 *   draw.c     drawings: primitives in points, rendered to cairo or to SVG
 *   layout.c   pagination: places every block on A4 pages (pango measures)
 *   pdf.c      the PDF form (cairo), from the layout
 *   html.c     the HTML form, from the same blocks
 *   geo.c      the Natural Earth country shapes (data/geo/)
 *   view.c     the one public view the report reads records through
 *   report.c   the public face (report.h)
 *
 * Invariants of the layout (tests/unit/test_report_layout.c):
 *  L1. every placed box lies inside the page's content area;
 *  L2. boxes on one page do not overlap (they are stacked, y increasing);
 *  L3. every line of every paragraph, every table row and every photo is
 *      placed exactly once, in document order;
 *  L4. a table continued on a new page repeats its header row.
 */
#ifndef REMNANT_REPORT_INT_H
#define REMNANT_REPORT_INT_H

#include <cairo.h>
#include <pango/pangocairo.h>

#include "internal.h"
#include "remnant/report.h"

/* A4 in points, and the content area. */
#define RP_PAGE_W 595.276
#define RP_PAGE_H 841.890
#define RP_MARGIN 56.0
#define RP_FOOTER 24.0 /* below the content: the page number */
#define RP_CONTENT_W (RP_PAGE_W - 2 * RP_MARGIN)
#define RP_CONTENT_H (RP_PAGE_H - 2 * RP_MARGIN - RP_FOOTER)
#define RP_FONT "Noto Sans, Noto Sans CJK KR"
#define RP_MONO "Noto Sans Mono, Noto Sans CJK KR"
#define RP_TEXT_MAX (64u << 10)   /* one paragraph or cell, bytes */
#define RP_CELL_MAX 1200        /* one table cell, bytes */
#define RP_COL_MIN 0.12         /* the narrowest column (of the content width) */
#define RP_BLOCKS_MAX 100000
#define RP_TABLE_COLS_MAX 8
#define RP_THUMB_PX 320           /* photo thumbnails: longest side, pixels */
#define RP_THUMB_PT 150.0         /* and in points on the page */

/* ---- drawings -------------------------------------------------------------- */

typedef enum rp_prim_kind { RP_RECT, RP_LINE, RP_TEXT, RP_CIRCLE, RP_POLY } rp_prim_kind;
typedef struct rp_prim {
    rp_prim_kind kind;
    double x, y, w, h;     /* rect: box; line: x,y -> w,h (end point); circle: centre, w = r;
                              text: anchor point (baseline), w = size in points */
    uint32_t fill, stroke; /* 0xRRGGBB; RP_NONE for none */
    double width;          /* stroke width */
    int anchor;            /* text: 0 start, 1 middle, 2 end */
    int bold, dashed;
    char *text;            /* text (owned) */
    double *pts;           /* poly: x0,y0,x1,y1,... (owned) */
    size_t npts;
} rp_prim;
#define RP_NONE 0xFF000000u

typedef struct rp_drawing {
    double w, h; /* points */
    char *title; /* for the HTML <title> of the SVG, and alt text */
    rp_prim *p;
    size_t n, cap;
    int clip;    /* clip to the box (map insets) */
} rp_drawing;

rp_drawing *rp_drawing_new(double w, double h, const char *title);
void rp_drawing_free(rp_drawing *d);
int rp_rect(rp_drawing *d, double x, double y, double w, double h, uint32_t fill,
            uint32_t stroke);
int rp_line(rp_drawing *d, double x1, double y1, double x2, double y2, uint32_t stroke,
            double width, int dashed);
int rp_text(rp_drawing *d, double x, double y, double size, int anchor, int bold,
            uint32_t color, const char *text);
int rp_circle(rp_drawing *d, double cx, double cy, double r, uint32_t fill, uint32_t stroke);
/* pts copied. */
int rp_poly(rp_drawing *d, const double *pts, size_t npts, uint32_t fill, uint32_t stroke,
            double width);
void rp_drawing_cairo(const rp_drawing *d, cairo_t *cr, PangoContext *pc);
rn_code rp_drawing_svg(const rp_drawing *d, rn_buf *out);
/* s with < > & " escaped, appended to out. */
rn_code rp_xml_escape(rn_buf *out, const char *s);

/* ---- the document ------------------------------------------------------------- */

typedef enum rp_kind { RP_HEADING, RP_PARA, RP_TABLE, RP_DRAWING, RP_PHOTOS } rp_kind;
typedef enum rp_style { RP_NORMAL = 0, RP_SMALL, RP_MONOSPACE, RP_NOTICE, RP_TITLE } rp_style;

typedef struct rp_photo {
    char *caption;
    int w, h;             /* thumbnail pixels */
    unsigned char *rgb;   /* w*h*3 */
} rp_photo;

typedef struct rp_block {
    rp_kind kind;
    int level;             /* heading: 1 or 2 */
    rp_style style;
    char *text;            /* heading / paragraph (plain UTF-8) */
    size_t ncols, nrows;   /* table: row 0 is the header */
    char **cells;          /* nrows*ncols, owned, NULL = empty */
    double colw[RP_TABLE_COLS_MAX]; /* fractions of the content width */
    rp_drawing *dr;
    rp_photo *photos;
    size_t nphotos;
    PangoContext *pc;      /* tables: the document's, to measure rows as added */
} rp_block;

typedef struct rp_doc {
    rp_block *b;
    size_t n, cap;
    char *title;
    char *lang;            /* "en" / "uk" */
    char *footer;          /* left of the page number */
    PangoContext *pc;      /* measures and draws text: the document's own font map
                              (pango contexts are not shared between threads) */
} rp_doc;

rp_doc *rp_doc_new(const char *title, const char *lang);
void rp_doc_free(rp_doc *d);
int rp_heading(rp_doc *d, int level, const char *text);
int rp_para(rp_doc *d, rp_style st, const char *text);
int rp_paraf(rp_doc *d, rp_style st, const char *fmt, ...) RN_PRINTF(3, 4);
/* A table of ncols columns; header row given; rows added with rp_row. */
rp_block *rp_table(rp_doc *d, size_t ncols, const char *const *header, const double *colw);
/* Add a row. A row taller than a page (a long unbreakable text in a narrow
 * column) has its tallest cells shortened, each ending in "[...]", until it
 * fits: a row is never split between pages. */
int rp_row(rp_block *t, const char *const *cells);
/* The drawing is taken over by the document. */
int rp_add_drawing(rp_doc *d, rp_drawing *dr);
rp_block *rp_photos(rp_doc *d);
/* Blocks returned by rp_table/rp_photos point into the document: adding a
 * block may move them. A block built apart (on the stack) is moved into
 * the document by rp_take_block (b is left empty); rp_block_clear frees
 * what a block holds. */
int rp_take_block(rp_doc *d, rp_block *b);
void rp_block_clear(rp_block *b);
/* The thumbnail as a JPEG in base64 (g_free), or NULL. */
char *rp_photo_jpeg_b64(const rp_photo *p);
/* Decode a photo file into a thumbnail; 0 ok, -1 unreadable. */
int rp_photo_add(rp_block *b, const char *path, const char *caption);

/* ---- layout --------------------------------------------------------------------- */

/* One placed piece: block `block`, its lines / rows / photos [from, to),
 * at (x, y) of page `page` (0-based), of height h. For tables `header`
 * says the header row is drawn first (a continued table). */
typedef struct rp_box {
    size_t page, block, from, to;
    double y, h;
    int header;
} rp_box;

typedef struct rp_layout {
    rp_box *box;
    size_t n, cap, pages;
    double **rowh; /* per block: its table rows' heights (NULL: not a table),
                      measured once and used again to draw */
    PangoLayout ***pl; /* per block: the text's layout (headings, paragraphs)
                          or the cells' (tables, row by row): shaped once,
                          drawn from here (owned) */
    size_t nblocks;
    const rp_doc *doc; /* laid out; must outlive the layout */
} rp_layout;

/* Lay d out on A4 pages with the fonts of cr's font map. */
rn_code rp_layout_doc(const rp_doc *d, rp_layout *out, rn_error *err);
void rp_layout_free(rp_layout *l);

/* The pango layout of a paragraph, heading or table cell at width w. */
PangoLayout *rp_text_layout(PangoContext *pc, const char *text, rp_kind kind, int level,
                            rp_style st, double w);
/* A new pango context for measuring and drawing (72 dpi, no hinting). */
PangoContext *rp_measure_context(void);
/* Table geometry */
#define RP_CELL_PAD 3.0
#define RP_BLOCK_GAP 6.0
/* The height of table row `row`; OUT cells[ncols] (may be NULL): the
 * cells' layouts, owned by the caller. */
double rp_row_height(PangoContext *pc, const rp_block *t, size_t row, PangoLayout **cells);

/* ---- renderers ---------------------------------------------------------------- */

rn_code rp_render_pdf(const rp_doc *d, const rp_layout *l, rn_buf *out, rn_error *err);
rn_code rp_render_html(const rp_doc *d, rn_buf *out, rn_error *err);

/* ---- map shapes ---------------------------------------------------------------- */

typedef struct rp_geo rp_geo;
/* Load the Natural Earth shapes file; RN_ENOTFOUND if it is not installed. */
rn_code rp_geo_load(const char *path, rp_geo **out, rn_error *err);
/* Parse the file's bytes (the fuzz target's entry). */
rn_code rp_geo_parse(const char *data, size_t len, rp_geo **out, rn_error *err);
void rp_geo_free(rp_geo *g);
size_t rp_geo_rings(const rp_geo *g);
/* Ring i: its points (lon, lat pairs) */
const float *rp_geo_ring(const rp_geo *g, size_t i, size_t *npts);

/* ---- public view ---------------------------------------------------------------- */

typedef struct rp_view rp_view;
rn_code rp_view_open(rn_store *s, int public_view, double grid, rp_view **out, rn_error *err);
void rp_view_free(rp_view *v);
int rp_view_public(const rp_view *v);
/* Whether record id may be shown (always, when not the public view). */
int rp_view_has(const rp_view *v, const char *id);
/* The record as the view shows it: RN_ENOTFOUND when absent or not public;
 * sensitive fields cleared, coordinates coarsened. */
rn_code rp_view_get(rp_view *v, const char *id, rn_record **out, rn_error *err);

/* ---- text ------------------------------------------------------------------------ */

/* The report's words in `lang` ("en", "uk"): msg id -> text. */
const char *rp_msg(const char *lang, const char *id);

#endif
