/* SPDX-License-Identifier: Apache-2.0
 *
 * html.c — the HTML form: one self-contained file (inline CSS, drawings as
 * inline SVG, photos as data: URIs), no script, nothing fetched, so it
 * opens offline and passes a strict Content-Security-Policy for scripts.
 * The blocks are the PDF's; the browser flows them (and prints them on A4
 * through the @page rule). */
#include <string.h>

#include "report/report_int.h"

static const char css[] =
    "@page{size:A4;margin:20mm}"
    "body{font-family:'Noto Sans','Noto Sans CJK KR',sans-serif;font-size:10pt;"
    "max-width:180mm;margin:1em auto;color:#000;line-height:1.35;overflow-wrap:anywhere}"
    "h1{font-size:15pt;color:#142952;margin:1.2em 0 .3em}"
    "h2{font-size:12pt;color:#142952;margin:1em 0 .3em}"
    ".title{font-size:19pt;font-weight:bold}"
    ".small{font-size:8pt}.mono{font-family:'Noto Sans Mono',monospace;font-size:8pt}"
    ".notice{font-style:italic;color:#8c4000}"
    "table{border-collapse:collapse;width:100%;font-size:7.5pt;margin:.4em 0}"
    "th{background:#e6ebf2;text-align:left}th,td{border-bottom:1px solid #bbb;padding:3px;"
    "vertical-align:top}"
    "figure{margin:.5em 0}svg{max-width:100%;height:auto}"
    ".photos{display:flex;flex-wrap:wrap;gap:8px}.photos figure{width:150pt}"
    ".photos img{max-width:150pt;max-height:150pt}"
    ".photos figcaption{font-size:8pt}"
    "@media print{h1,h2{break-after:avoid}tr,figure{break-inside:avoid}}";

static rn_code text_el(rn_buf *o, const char *tag, const char *cls, const char *text)
{
    rn_code rc = rn__buf_printf(o, "<%s%s%s%s>", tag, cls ? " class=\"" : "", cls ? cls : "",
                                cls ? "\"" : "");
    if (!rc)
        rc = rp_xml_escape(o, text);
    if (!rc)
        rc = rn__buf_printf(o, "</%s>\n", tag);
    return rc;
}

rn_code rp_render_html(const rp_doc *d, rn_buf *o, rn_error *err)
{
    rn_code rc = rn__buf_printf(o,
                                "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta "
                                "charset=\"utf-8\">\n<meta name=\"viewport\" "
                                "content=\"width=device-width\">\n<meta "
                                "http-equiv=\"Content-Security-Policy\" content=\"default-src "
                                "'none'; style-src 'unsafe-inline'; img-src data:\">\n<title>",
                                d->lang);
    if (!rc)
        rc = rp_xml_escape(o, d->title);
    if (!rc)
        rc = rn__buf_printf(o, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
    for (size_t i = 0; i < d->n && !rc; i++) {
        const rp_block *b = &d->b[i];
        switch (b->kind) {
        case RP_HEADING:
            rc = text_el(o, b->level <= 1 ? "h1" : "h2", NULL, b->text);
            break;
        case RP_PARA: {
            static const char *const cls[] = {NULL, "small", "mono", "notice", "title"};
            rc = text_el(o, "p", cls[b->style], b->text);
            break;
        }
        case RP_TABLE:
            rc = rn__buf_adds(o, "<table>\n<thead><tr>");
            for (size_t c = 0; c < b->ncols && !rc; c++) {
                rc = rn__buf_adds(o, "<th>");
                if (!rc)
                    rc = rp_xml_escape(o, b->cells[c]);
                if (!rc)
                    rc = rn__buf_adds(o, "</th>");
            }
            if (!rc)
                rc = rn__buf_adds(o, "</tr></thead>\n<tbody>\n");
            for (size_t r = 1; r < b->nrows && !rc; r++) {
                rc = rn__buf_adds(o, "<tr>");
                for (size_t c = 0; c < b->ncols && !rc; c++) {
                    rc = rn__buf_adds(o, "<td>");
                    if (!rc)
                        rc = rp_xml_escape(o, b->cells[r * b->ncols + c]);
                    if (!rc)
                        rc = rn__buf_adds(o, "</td>");
                }
                if (!rc)
                    rc = rn__buf_adds(o, "</tr>\n");
            }
            if (!rc)
                rc = rn__buf_adds(o, "</tbody>\n</table>\n");
            break;
        case RP_DRAWING:
            rc = rn__buf_adds(o, "<figure>");
            if (!rc)
                rc = rp_drawing_svg(b->dr, o);
            if (!rc)
                rc = rn__buf_adds(o, "</figure>\n");
            break;
        case RP_PHOTOS:
            rc = rn__buf_adds(o, "<div class=\"photos\">\n");
            for (size_t p = 0; p < b->nphotos && !rc; p++) {
                char *b64 = rp_photo_jpeg_b64(&b->photos[p]);
                if (!b64) {
                    rc = RN_ENOMEM;
                    break;
                }
                rc = rn__buf_printf(o, "<figure><img alt=\"\" width=\"%d\" height=\"%d\" "
                                       "src=\"data:image/jpeg;base64,",
                                    b->photos[p].w, b->photos[p].h);
                if (!rc)
                    rc = rn__buf_adds(o, b64);
                g_free(b64);
                if (!rc)
                    rc = rn__buf_adds(o, "\"><figcaption>");
                if (!rc)
                    rc = rp_xml_escape(o, b->photos[p].caption);
                if (!rc)
                    rc = rn__buf_adds(o, "</figcaption></figure>\n");
            }
            if (!rc)
                rc = rn__buf_adds(o, "</div>\n");
            break;
        }
    }
    if (!rc && d->footer)
        rc = text_el(o, "footer", "small", d->footer);
    if (!rc)
        rc = rn__buf_adds(o, "</body>\n</html>\n");
    if (rc)
        return rn__err(err, rc, "report: HTML rendering failed (%s)", rn_strerror(rc));
    return RN_OK;
}
