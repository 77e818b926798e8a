/* SPDX-License-Identifier: Apache-2.0
 *
 * report.h — briefing reports: a finding, one or more weapons, or a
 * documentation event as a printable A4 PDF (cairo + pango, Noto fonts
 * embedded) or as one self-contained HTML file (inline SVG and CSS).
 *
 * A report is built once (rn_report_build: the records, the library's
 * analysis documents — the same as `remnant timeline|origin|sanctions
 * --json` — and the log's checkpoint, laid out into blocks) and rendered
 * as often as wanted, in either format. Every number in it is read from an
 * analysis document; none is computed differently.
 *
 * The public view (public_view nonzero): only records the public may see
 * (a published finding and what it cites) are described, fields flagged
 * RN_FIELD_SENSITIVE never appear, coordinates are rounded to the public
 * grid, and only public photos are shown.
 *
 * Ownership: rn_report handles are freed with rn_report_free(); buffers
 * from rn_report_render with rn_free(). Inputs are borrowed.
 */
#ifndef REMNANT_REPORT_H
#define REMNANT_REPORT_H

#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RN_REPORT_ITEMS_MAX 64   /* weapons named with --item */
#define RN_REPORT_WEAPONS_MAX 64 /* weapons in one report */

typedef enum rn_report_format { RN_REPORT_PDF = 0, RN_REPORT_HTML } rn_report_format;

typedef struct rn_report_opts {
    /* What the report is about: exactly one of finding, items, event. */
    const char *finding;
    const char *const *items;
    size_t nitems;
    const char *event;
    const char *db_path;   /* the store's file: the evidence log is read
                              from it and the bundle written for it */
    const char *lang;      /* "en" (NULL) or "uk" */
    int public_view;       /* the public view only (see above) */
    double public_grid;    /* degrees (0: 0.1) */
    const char *bundle_path; /* write the evidence bundle here (NULL: none;
                                its SHA-256 is then still computed): it is
                                put in place by rn_report_write, after the
                                report, and never if the report fails */
    const char *bundle_name; /* the file name the report tells the reader
                                to verify (NULL: base name of bundle_path,
                                else "report-<id>.bundle") */
    const char *bundle_from; /* where a reader gets the bundle (a URL), shown
                                beside its name; NULL: beside the report */
    const char *today;     /* the report's date, YYYY-MM-DD (NULL: today) */
} rn_report_opts;

typedef struct rn_report rn_report;

/* Gather and lay out a report. Errors: RN_ENOTFOUND (unknown id, err->field
 * says which option), RN_EINPUT (a finding without evidence, an event
 * without weapons, not public when public_view is set), RN_EINVAL (bad
 * options). */
RN_NODISCARD rn_code rn_report_build(rn_store *s, const rn_report_opts *o, rn_report **out,
                                     rn_error *err) RN_NONNULL(1, 2, 3);

/* Render into memory. OUT: *buf (rn_free) and *len. */
RN_NODISCARD rn_code rn_report_render(const rn_report *r, rn_report_format fmt, char **buf,
                                      size_t *len, rn_error *err) RN_NONNULL(1, 3, 4);

/* Render into `path`, through a temporary file beside it that is renamed
 * into place only when complete: no partial file is ever left. */
RN_NODISCARD rn_code rn_report_write(const rn_report *r, rn_report_format fmt,
                                     const char *path, rn_error *err) RN_NONNULL(1, 3);

/* The format a file name asks for: ".pdf" or ".html"/".htm" (any case);
 * RN_EINVAL otherwise. */
RN_NODISCARD rn_code rn_report_format_of(const char *path, rn_report_format *out)
    RN_NONNULL(1, 2);

/* Number of A4 pages of the PDF form (laid out on the first call; 0 if
 * that fails). A report is rendered by one thread at a time. */
size_t rn_report_pages(const rn_report *r) RN_NONNULL(1);
/* The SHA-256 (hex) of the evidence bundle the report describes, "" when
 * no bundle could be made (the log's checkpoint is not signed). */
const char *rn_report_bundle_sha256(const rn_report *r) RN_NONNULL(1);

void rn_report_free(rn_report *r);

/* Release cairo's process-wide caches. Only at exit, when no report is
 * being built in any thread. (fontconfig's configuration stays for the
 * life of the process.) */
void rn_report_cleanup(void);

#ifdef __cplusplus
}
#endif
#endif
