/* SPDX-License-Identifier: Apache-2.0
 *
 * api_report.c — GET /api/v1/findings/{id}/report.pdf and .../report.html:
 * the briefing report of a finding (include/remnant/report.h), the same as
 * `remnant report --finding ID`.
 *
 * The anonymous public gets the report of a published finding only, built
 * from the public view (`--public`: nothing restricted, coordinates on the
 * server's --public-grid, public photos only); for anything else it gets
 * 404, as for a record it may not see. Any account gets the full report.
 * The report's bundle is the one GET /api/v1/findings/{id}/bundle gives the
 * same reader (public or full), named as that endpoint names it; its SHA-256
 * holds for the checkpoint the report shows (a later bundle has a later
 * checkpoint). */
#include <stdio.h>
#include <string.h>

#include "remnant/report.h"
#include "server.h"

static void report(srv_req *q, rn_report_format fmt)
{
    const char *id = q->params[0];
    int pub = q->role == SRV_PUBLIC;
    if (!rn_id_valid(id, strlen(id)) || (pub && !srv_public_has(q->w, id))) {
        srv_reply_error(q, 404, "not_found", "no such finding", NULL);
        return;
    }
    /* the bundle the report describes is the one GET .../bundle gives this
       reader (api_publish.c), as of the report's checkpoint */
    char bundle_name[80], bundle_from[120];
    snprintf(bundle_name, sizeof bundle_name, "%s%s.rnb", id, pub ? "-public" : "");
    snprintf(bundle_from, sizeof bundle_from, "GET /api/v1/findings/%s/bundle", id);
    rn_report_opts o = {0};
    o.finding = id;
    o.db_path = srv_cfg.db_path;
    o.public_view = pub;
    o.public_grid = srv_cfg.public_grid;
    o.bundle_name = bundle_name;
    o.bundle_from = bundle_from;
    const char *lang = srv_query(q, "lang");
    if (lang && strcmp(lang, "en") != 0 && strcmp(lang, "uk") != 0) {
        srv_reply_error(q, 400, "bad_request", "lang is en or uk", "lang");
        return;
    }
    o.lang = lang;
    rn_error err;
    rn_error_clear(&err);
    rn_report *r = NULL;
    char *out = NULL;
    size_t len = 0;
    rn_code rc = rn_report_build(q->w->store, &o, &r, &err);
    if (!rc)
        rc = rn_report_render(r, fmt, &out, &len, &err);
    rn_report_free(r);
    if (rc) {
        if (pub && (rc == RN_ENOTFOUND || rc == RN_EINPUT))
            srv_reply_error(q, 404, "not_found", "no such finding", NULL);
        else
            srv_reply_rn(q, rc, &err);
        return;
    }
    srv_reply_json(q, 200, out, len); /* takes out (malloc'd by the library) */
    char disp[120];
    snprintf(disp, sizeof disp, "inline; filename=\"report-%s.%s\"", id,
             fmt == RN_REPORT_PDF ? "pdf" : "html");
    if (fmt == RN_REPORT_PDF) {
        q->ctype = "application/pdf";
    } else {
        q->ctype = "text/html; charset=utf-8";
        srv_add_header(q, "Content-Security-Policy",
                       "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    }
    srv_add_header(q, "Content-Disposition", disp);
    srv_add_header(q, "Cache-Control", pub ? "public, max-age=60" : "private, no-store");
}

void api_report_pdf(srv_req *q) { report(q, RN_REPORT_PDF); }
void api_report_html(srv_req *q) { report(q, RN_REPORT_HTML); }
