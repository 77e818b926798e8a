/* SPDX-License-Identifier: Apache-2.0
 *
 * router.c — the route table of the HTTP API and the matcher. The table is
 * the single list of endpoints: src/server/openapi.json describes exactly
 * these (tests/unit/test_server_routes.c checks both ways), and the role
 * table tests/server/roles.tsv walks them.
 *
 * Matching: routes are tried in table order; a literal segment matches
 * itself, `{name}` matches any one non-empty segment, and a last `{name+}`
 * one or more (the handler reads q->path; api_tlog.c). Literal routes come
 * before the `{type}` ones so that /api/v1/search is never a record type.
 * HEAD is matched as GET (libmicrohttpd drops the body). */
#include <string.h>

#include "server.h"

const srv_route srv_routes[] = {
    {M_GET, "/api/v1/health", api_health, SRV_PUBLIC, 0},
    {M_GET, "/api/openapi.json", api_openapi, SRV_PUBLIC, 0},
    {M_POST, "/api/v1/login", api_login, SRV_PUBLIC, 0},
    {M_POST, "/api/v1/logout", api_logout, SRV_PUBLIC, 0},
    {M_GET, "/api/v1/me", api_me, SRV_PUBLIC, 0},
    {M_GET, "/api/v1/users", api_users_list, SRV_ADMIN, 0},
    {M_POST, "/api/v1/users", api_users_add, SRV_ADMIN, 0},
    {M_DELETE, "/api/v1/users/{name}", api_users_rm, SRV_ADMIN, 0},
    {M_PATCH, "/api/v1/users/{name}", api_user_role, SRV_ADMIN, 0},
    {M_GET, "/api/v1/tokens", api_tokens_list, SRV_REVIEWER, 0},
    {M_DELETE, "/api/v1/tokens/{id}", api_tokens_rm, SRV_REVIEWER, 0},
    {M_POST, "/api/v1/users/{name}/password", api_user_password, SRV_ADMIN, 0},
    {M_POST, "/api/v1/me/password", api_me_password, SRV_REVIEWER, 0},
    {M_POST, "/api/v1/me/tokens", api_me_token, SRV_REVIEWER, 0},
    {M_GET, "/api/v1/search", api_search, SRV_PUBLIC, 0},
    {M_GET, "/api/v1/decode", api_decode, SRV_PUBLIC, 0},
    {M_GET, "/api/v1/analysis/timeline", api_timeline, SRV_REVIEWER, 0},
    {M_GET, "/api/v1/analysis/origin", api_origin, SRV_REVIEWER, 0},
    {M_GET, "/api/v1/analysis/sanctions", api_sanctions, SRV_REVIEWER, 0},
    {M_GET, "/api/v1/analysis/links", api_links, SRV_REVIEWER, 0},
    {M_GET, "/api/v1/config", api_config, SRV_PUBLIC, 0},
    {M_GET, "/api/v1/public/findings", api_public_findings, SRV_PUBLIC, 0},
    {M_GET, "/api/v1/public/findings.geojson", api_public_geojson, SRV_PUBLIC, 0},
    {M_GET, "/api/v1/public/findings.csv", api_public_csv, SRV_PUBLIC, 0},
    {M_GET, "/api/v1/public/findings.jsonl", api_public_jsonl, SRV_PUBLIC, 0},
    {M_GET, "/api/v1/public/findings/{id}", api_public_finding, SRV_PUBLIC, 0},
    {M_GET, "/api/v1/public/preview/{id}", api_public_preview, SRV_REVIEWER, 0},
    {M_GET, "/api/v1/log/checkpoint", api_checkpoint, SRV_PUBLIC, 0},
    {M_GET, "/api/v1/log/proof/{id}", api_proof, SRV_PUBLIC, 0},
    {M_GET, "/log/checkpoint", api_tlog_checkpoint, SRV_PUBLIC, 0},
    {M_GET, "/log/tile/{path+}", api_tlog_tile, SRV_PUBLIC, 0},
    {M_GET, "/api/v1/attachments/{id}/content", api_content, SRV_PUBLIC, 0},
    {M_GET, "/api/v1/attachments/{id}/thumbnail", api_thumbnail, SRV_PUBLIC, 0},
    {M_GET, "/api/v1/findings/{id}/report.pdf", api_report_pdf, SRV_PUBLIC, 0},
    {M_GET, "/api/v1/findings/{id}/report.html", api_report_html, SRV_PUBLIC, 0},
    {M_GET, "/api/v1/findings/{id}/preview", api_public_preview, SRV_REVIEWER, 0},
    {M_GET, "/api/v1/findings/{id}/bundle", api_bundle, SRV_PUBLIC, 0},
    {M_POST, "/api/v1/findings/{id}/review", api_finding_review, SRV_REVIEWER, 0},
    {M_POST, "/api/v1/findings/{id}/publish", api_finding_publish, SRV_REVIEWER, 0},
    {M_POST, "/api/v1/findings/{id}/withdraw", api_finding_withdraw, SRV_REVIEWER, 0},
    {M_POST, "/api/v1/findings/{id}/revise", api_finding_revise, SRV_REVIEWER, 0},
    {M_POST, "/api/v1/traces/{id}/move", api_trace_move, SRV_REVIEWER, 0},
    {M_GET, "/api/v1/records/{id}/history", api_history, SRV_REVIEWER, 0},
    {M_GET, "/api/v1/sync/state", api_sync_state, SRV_REVIEWER, 0},
    {M_GET, "/api/v1/sync/pull", api_sync_pull, SRV_REVIEWER, 0},
    {M_POST, "/api/v1/sync/push", api_sync_push, SRV_REVIEWER, 2},
    {M_POST, "/api/v1/sync/blobs", api_sync_blobs, SRV_REVIEWER, 0},
    {M_GET, "/api/v1/sync/peers", api_sync_peers, SRV_REVIEWER, 0},
    {M_GET, "/api/v1/sync/conflicts", api_sync_conflicts, SRV_REVIEWER, 0},
    {M_GET, "/api/v1/sync/files/{sha}", api_sync_file_get, SRV_REVIEWER, 0},
    {M_GET, "/api/v1/sync/uploads/{sha}", api_sync_upload_state, SRV_REVIEWER, 0},
    {M_PUT, "/api/v1/sync/uploads/{sha}", api_sync_upload_put, SRV_REVIEWER, 2},
    {M_POST, "/api/v1/{type}/{id}/attachments", api_upload, SRV_INVESTIGATOR, 1},
    {M_GET, "/api/v1/{type}", api_list, SRV_PUBLIC, 0},
    {M_POST, "/api/v1/{type}", api_create, SRV_REVIEWER, 0},
    {M_GET, "/api/v1/{type}/{id}", api_get, SRV_PUBLIC, 0},
    {M_PUT, "/api/v1/{type}/{id}", api_replace, SRV_REVIEWER, 0},
    {M_PATCH, "/api/v1/{type}/{id}", api_patch, SRV_REVIEWER, 0},
    {M_DELETE, "/api/v1/{type}/{id}", api_delete, SRV_REVIEWER, 0},
};
const size_t srv_nroutes = sizeof srv_routes / sizeof srv_routes[0];

static const char *const method_names[M_COUNT] = {"GET", "HEAD", "POST", "PUT",
                                                  "PATCH", "DELETE", "OTHER"};

const char *srv_method_name(srv_method m) { return m < M_COUNT ? method_names[m] : "OTHER"; }

srv_method srv_method_from(const char *s)
{
    for (int m = 0; m < M_OTHER; m++)
        if (strcmp(s, method_names[m]) == 0)
            return (srv_method)m;
    return M_OTHER;
}

/* Match one pattern against the NUL-separated segments of the path. */
static int match_one(const char *pat, char *const *seg, size_t nseg, const char **params,
                     size_t *np)
{
    size_t i = 0, n = 0;
    const char *p = pat + 1;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (i >= nseg)
            return 0;
        if (p[0] == '{') {
            if (!seg[i][0] || n >= SRV_MAX_PARAMS)
                return 0;
            params[n++] = seg[i];
            if (l > 2 && p[l - 2] == '+' && !e) { /* {name+}: the rest */
                *np = n;
                return 1;
            }
        } else if (strlen(seg[i]) != l || memcmp(seg[i], p, l) != 0) {
            return 0;
        }
        i++;
        p += l + (e ? 1 : 0);
        if (!e)
            break;
    }
    if (i != nseg)
        return 0;
    *np = n;
    return 1;
}

const srv_route *srv_route_match(srv_method m, const char *path, char *buf, size_t cap,
                                 const char *params[SRV_MAX_PARAMS], size_t *nparams,
                                 int *path_known)
{
    size_t len = strlen(path);
    *path_known = 0;
    *nparams = 0;
    if (len + 1 > cap || path[0] != '/')
        return NULL;
    memcpy(buf, path, len + 1);
    char *seg[16];
    size_t nseg = 0;
    char *p = buf + 1;
    while (1) {
        if (nseg >= 16)
            return NULL;
        seg[nseg++] = p;
        char *e = strchr(p, '/');
        if (!e)
            break;
        *e = '\0';
        p = e + 1;
    }
    if (m == M_HEAD)
        m = M_GET;
    for (size_t r = 0; r < srv_nroutes; r++) {
        const char *tmp[SRV_MAX_PARAMS];
        size_t n;
        if (!match_one(srv_routes[r].pattern, seg, nseg, tmp, &n))
            continue;
        if (srv_routes[r].method != m) {
            *path_known = 1;
            continue;
        }
        memcpy(params, tmp, n * sizeof *tmp);
        *nparams = n;
        return &srv_routes[r];
    }
    return NULL;
}

static const char *const plurals[RN_T_COUNT] = {
    [RN_T_EVENT] = "events",       [RN_T_ITEM] = "items",       [RN_T_MARKING] = "markings",
    [RN_T_ATTACHMENT] = "attachments", [RN_T_ENTITY] = "entities", [RN_T_TRANSFER] = "transfers",
    [RN_T_TRACE] = "traces",       [RN_T_FINDING] = "findings", [RN_T_SANCTION] = "sanctions",
    [RN_T_CUSTODY] = "custody",    [RN_T_CLAIM] = "claims",
};

int srv_type_from_plural(const char *s, rn_type *out)
{
    for (int t = 0; t < RN_T_COUNT; t++)
        if (plurals[t] && strcmp(s, plurals[t]) == 0) {
            *out = (rn_type)t;
            return 1;
        }
    return 0;
}

const char *srv_type_plural(rn_type t) { return t < RN_T_COUNT ? plurals[t] : "?"; }
