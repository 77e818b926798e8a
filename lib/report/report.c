/* SPDX-License-Identifier: Apache-2.0
 *
 * report.c — the public face of lib/report (include/remnant/report.h):
 * build once (content.c, then layout.c), render as PDF or HTML, write
 * through a temporary file that is renamed into place when complete. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <fontconfig/fontconfig.h>

#include "report/content.h"

#define RP_OUT_MAX (1ull << 31) /* a report of at most 2 GiB */

struct rn_report {
    rp_doc *doc;
    rp_layout lay;
    rp_content_out info;
};

rn_code rn_report_build(rn_store *s, const rn_report_opts *o, rn_report **out, rn_error *err)
{
    int subjects = (o->finding != NULL) + (o->nitems > 0) + (o->event != NULL);
    if (subjects != 1)
        return rn__err(err, RN_EINVAL, "a report is of one finding, of items, or of one event");
    if (o->nitems > RN_REPORT_ITEMS_MAX)
        return rn__err_field(err, RN_ELIMIT, "item", "at most %d items in one report",
                             RN_REPORT_ITEMS_MAX);
    if (!o->db_path)
        return rn__err(err, RN_EINVAL, "report: the database path is needed (db_path)");
    if (o->lang && strcmp(o->lang, "en") != 0 && strcmp(o->lang, "uk") != 0)
        return rn__err_field(err, RN_EINVAL, "lang", "language '%s': use en or uk", o->lang);
    rn_report *r = rn__calloc(1, sizeof *r);
    if (!r)
        return rn__err(err, RN_ENOMEM, "out of memory");
    rn_code rc = rp_content_build(s, o, &r->doc, &r->info, err);
    if (!rc)
        rc = rp_layout_doc(r->doc, &r->lay, err);
    if (rc) {
        rn_report_free(r);
        return rc;
    }
    *out = r;
    return RN_OK;
}

void rn_report_free(rn_report *r)
{
    if (!r)
        return;
    rp_doc_free(r->doc);
    rp_layout_free(&r->lay);
    free(r);
}

size_t rn_report_pages(const rn_report *r) { return r->lay.pages; }

const char *rn_report_bundle_sha256(const rn_report *r) { return r->info.bundle_sha; }

rn_code rn_report_format_of(const char *path, rn_report_format *out)
{
    const char *dot = strrchr(path, '.');
    if (dot && strchr(dot, '/') == NULL) {
        if (strcasecmp(dot, ".pdf") == 0) {
            *out = RN_REPORT_PDF;
            return RN_OK;
        }
        if (strcasecmp(dot, ".html") == 0 || strcasecmp(dot, ".htm") == 0) {
            *out = RN_REPORT_HTML;
            return RN_OK;
        }
    }
    return RN_EINVAL;
}

rn_code rn_report_render(const rn_report *r, rn_report_format fmt, char **buf, size_t *len,
                         rn_error *err)
{
    rn_buf b;
    rn__buf_init(&b, RP_OUT_MAX);
    rn_code rc = fmt == RN_REPORT_PDF ? rp_render_pdf(r->doc, &r->lay, &b, err)
                                      : rp_render_html(r->doc, &b, err);
    if (!rc && (rc = rn__buf_cstr(&b)))
        rn__err(err, rc, "out of memory");
    if (rc) {
        rn__buf_free(&b);
        return rc;
    }
    *buf = b.data;
    *len = b.len;
    return RN_OK;
}

rn_code rn_report_write(const rn_report *r, rn_report_format fmt, const char *path,
                        rn_error *err)
{
    char *data = NULL;
    size_t len = 0;
    rn_code rc = rn_report_render(r, fmt, &data, &len, err);
    if (rc)
        return rc;
    size_t pl = strlen(path);
    char *tmp = rn__malloc(pl + 16);
    if (!tmp) {
        rn_free(data);
        return rn__err(err, RN_ENOMEM, "out of memory");
    }
    snprintf(tmp, pl + 16, "%s.tmp%ld", path, (long)getpid() % 100000);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        int e = errno;
        rc = rn__err_field(err, e == EACCES || e == EROFS ? RN_EREADONLY : RN_EIO, "output",
                           "cannot write %s: %s", path, strerror(e));
        goto out;
    }
    int bad = fwrite(data, 1, len, f) != len;
    bad |= fflush(f) != 0;
    bad |= fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        rc = rn__err_field(err, RN_EIO, "output", "cannot write %s: %s", path, strerror(e));
    }
out:
    free(tmp);
    rn_free(data);
    return rc;
}

void rn_report_cleanup(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}

/* cairo 1.16 (Debian 12) leaks one buffer of its PDF font subsetter when a
 * surface is finished, and fontconfig keeps its configuration for the life
 * of the process unless FcFini() is called (rn_report_cleanup; a server
 * never calls it). Nothing here can free them: tell LeakSanitizer, in
 * sanitizer builds of any program that makes reports. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libcairo.so\nleak:libfontconfig.so\n";
}
