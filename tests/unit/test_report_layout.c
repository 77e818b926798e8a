/* SPDX-License-Identifier: Apache-2.0
 *
 * test_report_layout.c — unit tests of lib/report's layout (layout.c) and
 * of its two renderers on made-up documents: words longer than a line are
 * wrapped inside the margins; paragraphs and tables longer than a page
 * flow onto further pages (a continued table repeats its header); a
 * heading is never left alone at the foot of a page; drawings and photo
 * rows move whole to the next page; invariants L1-L4 of report_int.h hold
 * for every box; the PDF has as many pages as the layout; the HTML holds
 * every row. Also the map shapes' parser (geo.c) on good and bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "report/report_int.h"

/* L1-L3: every box inside the content area, boxes of one page stacked
 * without overlap, every piece of every block placed once, in order. */
static void check_invariants(const rp_doc *d, const rp_layout *l)
{
    size_t block = 0; /* the piece expected next: */
    size_t next = d->n && d->b[0].kind == RP_TABLE ? 1 : 0;
    double bottom = 0;
    size_t page = 0;
    assert_true(l->n > 0);
    for (size_t i = 0; i < l->n; i++) {
        const rp_box *b = &l->box[i];
        assert_true(b->page < l->pages);
        assert_true(b->y >= 0);
        assert_true(b->y + b->h <= RP_CONTENT_H + 0.01); /* L1 */
        if (b->page != page) {
            assert_int_equal(b->page, page + 1); /* no empty page */
            page = b->page;
            bottom = 0;
        }
        assert_true(b->y >= bottom - 0.01); /* L2 */
        bottom = b->y + b->h;
        /* L3 */
        if (b->block != block) {
            assert_int_equal(b->block, block + 1);
            block = b->block;
            next = d->b[block].kind == RP_TABLE ? 1 : 0;
        }
        assert_int_equal(b->from, next);
        assert_true(b->to > b->from || (d->b[block].kind == RP_PHOTOS && b->to == b->from));
        next = b->to;
        if (d->b[block].kind == RP_TABLE)
            assert_true(b->header); /* L4 */
    }
    assert_int_equal(block, d->n - 1);
}

static size_t lines_of(const rp_doc *d, size_t block)
{
    PangoLayout *pl = rp_text_layout(d->pc, d->b[block].text, d->b[block].kind,
                                     d->b[block].level, d->b[block].style, RP_CONTENT_W);
    size_t n = (size_t)pango_layout_get_line_count(pl);
    g_object_unref(pl);
    return n;
}

static void long_word_wraps_inside_the_margin(void **state)
{
    (void)state;
    rp_doc *d = rp_doc_new("t", "en");
    assert_non_null(d);
    char word[3001];
    for (int i = 0; i < 3000; i++)
        word[i] = (char)('a' + i % 26);
    word[3000] = '\0';
    assert_int_equal(rp_para(d, RP_NORMAL, word), 0);
    PangoLayout *pl = rp_text_layout(d->pc, word, RP_PARA, 0, RP_NORMAL, RP_CONTENT_W);
    int nl = pango_layout_get_line_count(pl);
    assert_true(nl > 10); /* 3000 letters at 10pt cannot fit 10 lines of 483pt */
    for (int i = 0; i < nl; i++) {
        PangoRectangle r;
        pango_layout_line_get_pixel_extents(pango_layout_get_line_readonly(pl, i), NULL, &r);
        assert_true(r.x + r.width <= RP_CONTENT_W + 0.5);
    }
    g_object_unref(pl);
    rp_layout l;
    assert_int_equal(rp_layout_doc(d, &l, NULL), RN_OK);
    check_invariants(d, &l);
    assert_int_equal(l.box[l.n - 1].to, (size_t)nl);
    rp_layout_free(&l);
    rp_doc_free(d);
}

static void paragraphs_flow_onto_further_pages(void **state)
{
    (void)state;
    rp_doc *d = rp_doc_new("t", "en");
    for (int i = 0; i < 120; i++)
        assert_int_equal(rp_paraf(d, RP_NORMAL,
                                  "Paragraph %d: Кириличний текст and Latin text and 주체113, "
                                  "long enough to wrap onto a second line of the page at ten "
                                  "points, so that splitting between lines is exercised.", i),
                         0);
    rp_layout l;
    assert_int_equal(rp_layout_doc(d, &l, NULL), RN_OK);
    check_invariants(d, &l);
    assert_true(l.pages >= 3);
    /* some paragraph is split between two pages, line by line */
    int split = 0;
    for (size_t i = 1; i < l.n; i++)
        if (l.box[i].block == l.box[i - 1].block) {
            split = 1;
            assert_int_equal(l.box[i].page, l.box[i - 1].page + 1);
            assert_true(l.box[i].y == 0);
            assert_int_equal(l.box[i].to, lines_of(d, l.box[i].block));
        }
    assert_true(split); /* 120 two-line paragraphs: one straddles a page foot */
    rp_layout_free(&l);
    rp_doc_free(d);
}

static void table_longer_than_a_page_repeats_its_header(void **state)
{
    (void)state;
    rp_doc *d = rp_doc_new("t", "en");
    rp_heading(d, 1, "A table");
    const char *hdr[] = {"Record", "Marking", "Reading"};
    rp_block *t = rp_table(d, 3, hdr, NULL);
    assert_non_null(t);
    for (int i = 0; i < 300; i++) {
        char a[64], b[200];
        snprintf(a, sizeof a, "item %d", i);
        snprintf(b, sizeof b, "%s", i % 7 == 0 ? "a much longer cell that wraps onto a few lines "
                                                 "of its narrow column to vary row heights"
                                               : "SN74HC00N 2315");
        const char *row[] = {a, b, "production_date: 2023-W15 (rule yyww, 0.75)"};
        assert_int_equal(rp_row(t, row), 0);
    }
    rp_layout l;
    assert_int_equal(rp_layout_doc(d, &l, NULL), RN_OK);
    check_invariants(d, &l);
    size_t parts = 0, rows = 0;
    for (size_t i = 0; i < l.n; i++)
        if (l.box[i].block == 1) {
            parts++;
            rows += l.box[i].to - l.box[i].from;
            if (parts > 1)
                assert_true(l.box[i].y == 0);
        }
    assert_true(parts >= 5);
    assert_int_equal(rows, 300);
    /* the PDF has exactly the layout's pages; the HTML every row */
    rn_buf pdf, html;
    rn__buf_init(&pdf, 1u << 28);
    rn__buf_init(&html, 1u << 28);
    assert_int_equal(rp_render_pdf(d, &l, &pdf, NULL), RN_OK);
    assert_int_equal(rp_render_html(d, &html, NULL), RN_OK);
    assert_true(pdf.len > 1000 && memcmp(pdf.data, "%PDF-", 5) == 0);
    size_t pages = 0;
    for (size_t i = 0; i + 11 < pdf.len; i++)
        if (memcmp(pdf.data + i, "/Type /Page", 11) == 0 && pdf.data[i + 11] != 's')
            pages++;
    assert_int_equal(pages, l.pages);
    size_t trs = 0;
    for (size_t i = 0; i + 4 < html.len; i++)
        trs += memcmp(html.data + i, "<tr>", 4) == 0;
    assert_int_equal(trs, 301); /* header + rows */
    rn__buf_free(&pdf);
    rn__buf_free(&html);
    rp_layout_free(&l);
    rp_doc_free(d);
}

/* The worst row: the narrowest column allowed, a cell at its cap, one
 * unbreakable word of wide letters (and one of Korean) - still on a page. */
static void the_tallest_row_fits_a_page(void **state)
{
    (void)state;
    rp_doc *d = rp_doc_new("t", "en");
    const char *hdr[] = {"narrow", "wide", "korean"};
    double cw[] = {RP_COL_MIN, 1 - 2 * RP_COL_MIN, RP_COL_MIN};
    double bad[] = {RP_COL_MIN / 2, 0.5, 0.44};
    assert_null(rp_table(d, 3, hdr, bad));
    rp_block *t = rp_table(d, 3, hdr, cw);
    assert_non_null(t);
    char wide[RP_CELL_MAX * 2], kr[RP_CELL_MAX * 2];
    memset(wide, 'W', sizeof wide - 1);
    wide[sizeof wide - 1] = '\0';
    size_t kn = 0;
    while (kn + 3 < sizeof kr) { /* 주주주... */
        memcpy(kr + kn, "\xEC\xA3\xBC", 3);
        kn += 3;
    }
    kr[kn] = '\0';
    for (int i = 0; i < 3; i++) {
        const char *row[] = {wide, "x", kr};
        assert_int_equal(rp_row(t, row), 0);
    }
    assert_true(strlen(t->cells[3]) <= RP_CELL_MAX + 8); /* capped, "[...]" */
    rp_layout l;
    assert_int_equal(rp_layout_doc(d, &l, NULL), RN_OK);
    check_invariants(d, &l);
    assert_true(l.pages >= 2);
    rp_layout_free(&l);
    rp_doc_free(d);
}

static void heading_is_kept_with_what_follows(void **state)
{
    (void)state;
    rp_doc *d = rp_doc_new("t", "en");
    /* fill a page to within a few points of its foot, with drawings (exact heights) */
    rp_drawing *a = rp_drawing_new(100, RP_CONTENT_H - 30, "filler");
    rp_rect(a, 0, 0, 100, 10, 0x000000u, RP_NONE);
    rp_add_drawing(d, a);
    rp_heading(d, 1, "A heading near the foot");
    rp_para(d, RP_NORMAL, "What follows it.");
    /* a drawing taller than what is left moves whole */
    rp_drawing *b = rp_drawing_new(100, RP_CONTENT_H - 10, "tall");
    rp_add_drawing(d, b);
    rp_layout l;
    assert_int_equal(rp_layout_doc(d, &l, NULL), RN_OK);
    check_invariants(d, &l);
    assert_int_equal(l.box[1].page, 1); /* the heading went to page 2 ... */
    assert_int_equal(l.box[2].page, 1); /* ... with its paragraph */
    assert_int_equal(l.box[3].page, 2); /* the tall drawing on a page of its own */
    assert_true(l.box[3].y == 0);
    assert_int_equal(l.pages, 3);
    rp_layout_free(&l);
    rp_doc_free(d);
}

static void many_photos_flow_in_rows(void **state)
{
    (void)state;
    char path[] = "/tmp/rn_test_photo_XXXXXX.png";
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    close(fd);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 400, 300);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 0.2, 0.5, 0.7);
    cairo_paint(cr);
    cairo_destroy(cr);
    assert_int_equal(cairo_surface_write_to_png(s, path), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(s);
    rp_doc *d = rp_doc_new("t", "en");
    rp_block *ph = rp_photos(d);
    for (int i = 0; i < 50; i++)
        assert_int_equal(rp_photo_add(ph, path, "a photo with a caption"), 0);
    assert_int_equal(rp_photo_add(ph, "/nonexistent/photo.png", "x"), -1);
    assert_int_equal(ph->nphotos, 50);
    assert_true(ph->photos[0].w == RP_THUMB_PX && ph->photos[0].h == 240);
    rp_layout l;
    assert_int_equal(rp_layout_doc(d, &l, NULL), RN_OK);
    check_invariants(d, &l);
    assert_int_equal(l.n, 17); /* 50 photos, 3 a row */
    assert_true(l.pages >= 3);
    rp_layout_free(&l);
    rp_doc_free(d);
    unlink(path);
}

static void geo_shapes_parse_and_errors_name_the_line(void **state)
{
    (void)state;
    static const char good[] = "# comment\nC 804 Ukraine\nR 30 50 31 50 31 51 30 51\n"
                               "R -1.5 2 3 4 5 6\n";
    rp_geo *g = NULL;
    assert_int_equal(rp_geo_parse(good, strlen(good), &g, NULL), RN_OK);
    assert_int_equal(rp_geo_rings(g), 2);
    size_t n;
    const float *p = rp_geo_ring(g, 0, &n);
    assert_int_equal(n, 4);
    assert_true(p[0] == 30.0f && p[7] == 51.0f);
    p = rp_geo_ring(g, 1, &n);
    assert_int_equal(n, 3);
    assert_true(p[0] == -1.5f);
    rp_geo_free(g);
    static const char *const bad[] = {"R 30 50 31\n", "R 30 50 31 50\n", "X\n", "R 200 0 1 1 2 2\n",
                                      "C 1 A\nR 1 1 2 2 3 3x\n"};
    static const long line[] = {1, 1, 1, 1, 2};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        rn_error err;
        rn_error_clear(&err);
        g = NULL;
        assert_int_equal(rp_geo_parse(bad[i], strlen(bad[i]), &g, &err), RN_EINPUT);
        assert_null(g);
        char want[32];
        snprintf(want, sizeof want, "geo line %ld", line[i]);
        assert_non_null(strstr(err.message, want));
    }
    /* the shipped file loads */
    char path[4096];
    assert_int_equal(rn_data_file("geo/countries-110m.txt", path, sizeof path), RN_OK);
    assert_int_equal(rp_geo_load(path, &g, NULL), RN_OK);
    assert_true(rp_geo_rings(g) > 200);
    rp_geo_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(long_word_wraps_inside_the_margin),
        cmocka_unit_test(paragraphs_flow_onto_further_pages),
        cmocka_unit_test(table_longer_than_a_page_repeats_its_header),
        cmocka_unit_test(the_tallest_row_fits_a_page),
        cmocka_unit_test(heading_is_kept_with_what_follows),
        cmocka_unit_test(many_photos_flow_in_rows),
        cmocka_unit_test(geo_shapes_parse_and_errors_name_the_line),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rn_report_cleanup();
    return rc;
}
