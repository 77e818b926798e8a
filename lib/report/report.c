/* SPDX-License-Identifier: Apache-2.0
 *
 * report.c — the public face of lib/report (include/remnant/report.h):
 * build once (content.c, then layout.c), render as PDF or HTML, write
 * through a temporary file that is renamed into place when complete. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "remnant/public.h"
#include "report/content.h"

#define RP_OUT_MAX (1ull << 31) /* a report of at most 2 GiB */

struct rn_report {
    char *bundle_path; /* where the bundle goes, with the report (owned) */
    rp_doc *doc;
    rp_layout lay; /* laid out on first need (pages, PDF): not for HTML */
    int laid;
    rp_content_out info;
};

/* The public view as a store: the public export of s (rn_public_export,
 * the same as `remnant export --public`) imported into a new database in a
 * fresh temporary folder, so that every analysis runs on exactly what the
 * public may see. OUT *ps and dir (to be removed with drop_public). */
static rn_code public_store(rn_store *s, const rn_report_opts *o, rn_store **ps,
                            char dir[64], rn_error *err)
{
    const char *tmp = getenv("TMPDIR");
    char path[4200];
    snprintf(dir, 64, "%s/rn_report_XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return rn__err(err, RN_EIO, "cannot make a temporary folder: %s", strerror(errno));
    rn_public *p = NULL;
    rn_public_opts po = {o->public_grid > 0 ? o->public_grid : RN_PUBLIC_GRID_DEFAULT, NULL};
    rn_code rc = rn_public_open(s, &po, &p, err);
    snprintf(path, sizeof path, "%s/public.jsonl", dir);
    FILE *f = rc ? NULL : fopen(path, "wb");
    if (!rc && !f)
        rc = rn__err(err, RN_EIO, "%s: %s", path, strerror(errno));
    uint64_t n = 0;
    if (!rc)
        rc = rn_public_export(p, s, f, &n, err);
    if (f && fclose(f) != 0 && !rc)
        rc = rn__err(err, RN_EIO, "%s: write error", path);
    rn_public_free(p);
    char db[4200];
    snprintf(db, sizeof db, "%s/public.db", dir);
    if (!rc)
        rc = rn_store_open(db, RN_STORE_CREATE | RN_STORE_EXCL, ps, err);
    if (!rc && n > 0) {
        rn_import_opts io = {0};
        io.format = RN_FMT_JSONL;
        io.blobs_dir = rn_store_blob_dir(s); /* the public copies the export names */
        rc = rn_import_file(*ps, path, &io, NULL, err);
    }
    if (rc && *ps) {
        rn_store_close(*ps);
        *ps = NULL;
    }
    return rc;
}

static void drop_public(const char *dir)
{
    static const char *const files[] = {"public.jsonl", "public.db", "public.db-wal",
                                        "public.db-shm", "public.db-journal"};
    char path[4200];
    for (size_t i = 0; i < RN_ARRAY_LEN(files); i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    /* the public copies the import took in: public.db.blobs/<ab>/<sha> */
    snprintf(path, sizeof path, "%s/public.db.blobs", dir);
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' || strlen(e->d_name) != 2)
            continue;
        char sub[4200 + 260];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        DIR *d2 = opendir(sub);
        struct dirent *f;
        while (d2 && (f = readdir(d2))) {
            char file[4600 + 256];
            if (strcmp(f->d_name, ".") != 0 && strcmp(f->d_name, "..") != 0) {
                snprintf(file, sizeof file, "%s/%s", sub, f->d_name);
                unlink(file);
            }
        }
        if (d2)
            closedir(d2);
        rmdir(sub);
    }
    if (d)
        closedir(d);
    rmdir(path);
    rmdir(dir);
}

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
    if (o->public_view && (o->public_grid < 0 || o->public_grid > RN_PUBLIC_GRID_MAX))
        return rn__err_field(err, RN_EINVAL, "public_grid", "the public grid is 0 to %g degrees",
                             RN_PUBLIC_GRID_MAX);
    rn_report *r = rn__calloc(1, sizeof *r);
    if (!r)
        return rn__err(err, RN_ENOMEM, "out of memory");
    rn_store *ps = NULL;
    char dir[64] = "";
    if (o->bundle_path && !(r->bundle_path = rn__strndup(o->bundle_path, strlen(o->bundle_path)))) {
        free(r);
        return rn__err(err, RN_ENOMEM, "out of memory");
    }
    rn_code rc = o->public_view ? public_store(s, o, &ps, dir, err) : RN_OK;
    if (!rc)
        rc = rp_content_build(ps ? ps : s, s, o, &r->doc, &r->info, err);
    if (ps)
        rn_store_close(ps);
    if (dir[0])
        drop_public(dir);
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
    if (r->info.bundle_tmp[0])
        unlink(r->info.bundle_tmp); /* never renamed: no report was written */
    rp_layout_free(&r->lay); /* before the document it refers to */
    rp_doc_free(r->doc);
    free(r->bundle_path);
    free(r);
}

/* The layout, made on first need. A report is not shared between threads
 * while it is rendered (report.h), so caching it through a const pointer is
 * safe. */
static rn_code laid_out(const rn_report *cr, rn_error *err)
{
    rn_report *r = (rn_report *)cr;
    if (r->laid)
        return RN_OK;
    rn_code rc = rp_layout_doc(r->doc, &r->lay, err);
    if (!rc)
        r->laid = 1;
    return rc;
}

size_t rn_report_pages(const rn_report *r)
{
    return laid_out(r, NULL) == RN_OK ? r->lay.pages : 0;
}

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
    rn_code rc = fmt == RN_REPORT_PDF ? laid_out(r, err) : RN_OK;
    if (!rc)
        rc = fmt == RN_REPORT_PDF ? rp_render_pdf(r->doc, &r->lay, &b, err)
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
    } else if (r->info.bundle_tmp[0] && r->bundle_path) {
        /* the report is in place: now its bundle */
        if (rename(r->info.bundle_tmp, r->bundle_path) != 0) {
            int e = errno;
            rc = rn__err_field(err, RN_EIO, "bundle", "cannot write %s: %s", r->bundle_path,
                               strerror(e));
        } else {
            ((rn_report *)r)->info.bundle_tmp[0] = '\0';
        }
    }
out:
    free(tmp);
    rn_free(data);
    return rc;
}

void rn_report_cleanup(void)
{
    /* Not FcFini(): pango may still hold fontconfig's caches (it asserts).
       What fontconfig keeps lives as long as the process. */
    cairo_debug_reset_static_data();
}

/* cairo 1.16 (Debian 12) leaks one buffer of its PDF font subsetter when a
 * surface is finished, and fontconfig keeps its configuration for the life
 * of the process (FcFini() would free it, but asserts while pango still
 * holds its caches). Nothing here can free them: tell LeakSanitizer, in
 * sanitizer builds of any program that makes reports. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libcairo.so\nleak:libfontconfig.so\n";
}
