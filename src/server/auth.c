/* SPDX-License-Identifier: Apache-2.0
 *
 * auth.c — who is asking and what they may do: request authentication
 * (session cookie + CSRF token, or Authorization: Bearer API token), the
 * role table, and the account endpoints (login, logout, me, users).
 *
 * The role table (docs/API.md, tests/server/roles.tsv):
 *
 *   role          read                      write (POST/PUT/PATCH/DELETE)
 *   public        the public view only      nothing
 *   reviewer      everything                findings: review, publish, withdraw
 *                                           (api_workflow.c) only
 *   analyst       everything                entity transfer trace finding claim
 *                                           sanction (findings: draft only)
 *   investigator  everything                event item marking attachment custody
 *   admin         everything                everything, and accounts
 *
 * CSRF: a request authenticated by the session cookie that is not GET/HEAD
 * must carry X-CSRF-Token equal to the token login returned (a MAC of the
 * session token); API tokens need none (a browser never sends them by
 * itself). JSON bodies must be sent as application/json, which a
 * cross-site form cannot do without a CORS preflight this server refuses.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define COOKIE "remnant_session"
#define CLEAR_COOKIE COOKIE "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"

int srv_may(srv_role role, srv_method m, rn_type t)
{
    if (m == M_GET || m == M_HEAD)
        return role >= SRV_REVIEWER;
    switch (role) {
    case SRV_ADMIN:
        return 1;
    case SRV_INVESTIGATOR:
        return t == RN_T_EVENT || t == RN_T_ITEM || t == RN_T_MARKING ||
               t == RN_T_ATTACHMENT || t == RN_T_CUSTODY;
    case SRV_ANALYST:
        return t == RN_T_ENTITY || t == RN_T_TRANSFER || t == RN_T_TRACE ||
               t == RN_T_FINDING || t == RN_T_CLAIM || t == RN_T_SANCTION;
    case SRV_REVIEWER:
        return t == RN_T_FINDING && (m == M_PUT || m == M_PATCH);
    default:
        return 0;
    }
}

int srv_authenticate(srv_req *q)
{
    q->role = SRV_PUBLIC;
    q->user[0] = '\0';
    const char *authz = srv_header(q, "Authorization");
    char tok[SRV_TOKEN_MAX + 8];
    rn_code rc;
    if (authz) {
        if (strncmp(authz, "Bearer ", 7) != 0) {
            srv_reply_error(q, 401, "unauthorized", "Authorization must be 'Bearer TOKEN'",
                            NULL);
            return -1;
        }
        rc = srv_token_user(q->w->adb, authz + 7, q->user, &q->role);
        if (rc) {
            q->role = SRV_PUBLIC;
            q->user[0] = '\0';
            if (rc == RN_EBUSY || rc == RN_EDB)
                srv_reply_rn(q, RN_EBUSY, NULL);
            else
                srv_reply_error(q, 401, "unauthorized", "unknown or revoked API token", NULL);
            return -1;
        }
        return 0;
    }
    const char *cookie = srv_header(q, "Cookie");
    if (!cookie || !srv_cookie(cookie, COOKIE, tok, sizeof tok))
        return 0;
    rc = srv_session_user(q->w->adb, tok, q->user, &q->role);
    if (rc) {
        sodium_memzero(tok, sizeof tok);
        q->role = SRV_PUBLIC;
        q->user[0] = '\0';
        if (rc == RN_EBUSY) {
            srv_reply_rn(q, RN_EBUSY, NULL);
            return -1;
        }
        /* An unknown or expired session: the browser is told to forget the
         * cookie, and the request goes on as anonymous: reads see the public
         * view, login and logout work (logout clears the cookie itself),
         * other writes need a login. */
        int login = q->route && (q->route->fn == api_login || q->route->fn == api_logout);
        if (!login)
            srv_add_header(q, "Set-Cookie", CLEAR_COOKIE);
        if (q->method == M_GET || q->method == M_HEAD || login)
            return 0;
        srv_reply_error(q, 401, "unauthorized", "session expired or unknown: log in again", NULL);
        return -1;
    }
    q->by_session = 1;
    if (q->method != M_GET && q->method != M_HEAD) {
        char want[SRV_TOKEN_MAX];
        srv_csrf_for(tok, want);
        const char *got = srv_header(q, "X-CSRF-Token");
        int ok = got && strlen(got) == strlen(want) &&
                 sodium_memcmp(got, want, strlen(want)) == 0;
        sodium_memzero(want, sizeof want);
        if (!ok) {
            sodium_memzero(tok, sizeof tok);
            srv_reply_error(q, 403, "csrf", "missing or wrong X-CSRF-Token header", NULL);
            return -1;
        }
    }
    sodium_memzero(tok, sizeof tok);
    return 0;
}

/* Parse the JSON body as an object; on failure an error reply is set. */
static json_t *body_object(srv_req *q)
{
    json_error_t je;
    json_t *j = q->body ? json_loadb(q->body, q->body_len, JSON_REJECT_DUPLICATES, &je) : NULL;
    if (!j || !json_is_object(j)) {
        json_decref(j);
        srv_reply_error(q, 400, "bad_json", q->body ? "the body must be one JSON object"
                                                    : "a JSON body is needed", NULL);
        return NULL;
    }
    return j;
}

static char *dumps(json_t *j, size_t *len)
{
    char *s = json_dumps(j, JSON_COMPACT);
    *len = s ? strlen(s) : 0;
    return s;
}

static void reply_obj(srv_req *q, unsigned status, json_t *j)
{
    size_t n;
    char *s = dumps(j, &n);
    json_decref(j);
    if (!s) {
        srv_reply_rn(q, RN_ENOMEM, NULL);
        return;
    }
    srv_reply_json(q, status, s, n);
}

void api_login(srv_req *q)
{
    json_t *j = body_object(q);
    if (!j)
        return;
    const char *name = json_string_value(json_object_get(j, "name"));
    const char *pw = json_string_value(json_object_get(j, "password"));
    if (!name || !pw) {
        json_decref(j);
        srv_reply_error(q, 422, "invalid", "give \"name\" and \"password\"",
                        !name ? "name" : "password");
        return;
    }
    srv_role role;
    rn_error err;
    rn_error_clear(&err);
    unsigned retry = 0;
    rn_code rc;
    if (srv_login_check(q->addr, name, &retry)) {
        /* locked: the password is not even checked (throttle.c) */
        char ra[16], msg[160];
        snprintf(ra, sizeof ra, "%u", retry);
        snprintf(msg, sizeof msg, "too many failed logins: try again in %u s", retry);
        sodium_memzero((void *)pw, strlen(pw));
        json_decref(j);
        srv_add_header(q, "Retry-After", ra);
        srv_reply_error(q, 429, "too_many_requests", msg, NULL);
        return;
    }
    rc = srv_login(q->w->adb, name, pw, &role, &err);
    /* jansson holds the password: wipe it before the object is freed */
    sodium_memzero((void *)pw, strlen(pw));
    if (rc == RN_OK || rc == RN_ECRYPTO)
        srv_login_result(q->addr, name, rc == RN_OK);
    if (rc) {
        json_decref(j);
        srv_reply_rn(q, rc, &err);
        return;
    }
    char tok[SRV_TOKEN_MAX], csrf[SRV_TOKEN_MAX];
    rc = srv_session_new(q->w->adb, name, tok, csrf, &err);
    if (rc) {
        json_decref(j);
        srv_reply_rn(q, rc, &err);
        return;
    }
    char cookie[256];
    snprintf(cookie, sizeof cookie, "%s=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%d%s",
             COOKIE, tok, SRV_SESSION_SECONDS, srv_cfg.secure_cookie ? "; Secure" : "");
    srv_add_header(q, "Set-Cookie", cookie);
    srv_add_header(q, "Cache-Control", "no-store");
    sodium_memzero(cookie, sizeof cookie);
    sodium_memzero(tok, sizeof tok);
    json_t *o = json_pack("{s:s, s:s, s:s}", "user", name, "role", srv_role_name(role),
                          "csrf_token", csrf);
    json_decref(j);
    sodium_memzero(csrf, sizeof csrf);
    reply_obj(q, 200, o);
}

void api_logout(srv_req *q)
{
    char tok[SRV_TOKEN_MAX + 8];
    const char *cookie = srv_header(q, "Cookie");
    if (q->by_session && cookie && srv_cookie(cookie, COOKIE, tok, sizeof tok)) {
        (void)srv_session_end(q->w->adb, tok);
        sodium_memzero(tok, sizeof tok);
    }
    srv_add_header(q, "Set-Cookie", CLEAR_COOKIE);
    srv_reply_text(q, 200, "application/json", "{\"user\":null,\"role\":\"public\"}", 30);
}

void api_me(srv_req *q)
{
    json_t *o = json_pack("{s:o, s:s}", "user", q->user[0] ? json_string(q->user) : json_null(),
                          "role", srv_role_name(q->role));
    reply_obj(q, 200, o);
}

static int list_one(void *ctx, const char *name, srv_role role, int ntok)
{
    json_array_append_new((json_t *)ctx, json_pack("{s:s, s:s, s:i}", "name", name, "role",
                                                   srv_role_name(role), "tokens", ntok));
    return 0;
}

void api_users_list(srv_req *q)
{
    json_t *a = json_array();
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = srv_user_list(q->w->adb, list_one, a, &err);
    if (rc) {
        json_decref(a);
        srv_reply_rn(q, rc, &err);
        return;
    }
    reply_obj(q, 200, json_pack("{s:o}", "items", a));
}

void api_users_add(srv_req *q)
{
    json_t *j = body_object(q);
    if (!j)
        return;
    const char *name = json_string_value(json_object_get(j, "name"));
    const char *role = json_string_value(json_object_get(j, "role"));
    const char *pw = json_string_value(json_object_get(j, "password"));
    rn_error err;
    rn_error_clear(&err);
    rn_code rc;
    srv_role r = role ? srv_role_from_name(role) : SRV_ROLE_COUNT;
    if (!name || !pw || r == SRV_ROLE_COUNT) {
        srv_reply_error(q, 422, "invalid", "give \"name\", \"password\" and \"role\" (admin, "
                        "investigator, analyst or reviewer)", !name ? "name" : !pw ? "password"
                                                                                   : "role");
    } else if ((rc = srv_user_add(q->w->adb, name, r, pw, &err)) != RN_OK) {
        srv_reply_rn(q, rc, &err);
    } else {
        char loc[128];
        snprintf(loc, sizeof loc, "/api/v1/users/%s", name);
        srv_add_header(q, "Location", loc);
        reply_obj(q, 201, json_pack("{s:s, s:s}", "name", name, "role", srv_role_name(r)));
    }
    if (pw)
        sodium_memzero((void *)pw, strlen(pw));
    json_decref(j);
}

void api_users_rm(srv_req *q)
{
    rn_error err;
    rn_error_clear(&err);
    if (strcmp(q->params[0], q->user) == 0) {
        srv_reply_error(q, 409, "constraint", "an admin cannot remove their own account", "name");
        return;
    }
    rn_code rc = srv_user_rm(q->w->adb, q->params[0], &err);
    if (rc) {
        srv_reply_rn(q, rc, &err);
        return;
    }
    q->status = 204;
}

/* ---- API tokens: each user their own, admins everyone's ------------------------- */

static int token_one(void *ctx, const char *id, const char *user, const char *label,
                     int64_t created)
{
    json_array_append_new((json_t *)ctx, json_pack("{s:s, s:s, s:s, s:I}", "id", id, "user",
                                                   user, "label", label,
                                                   "created", (json_int_t)created));
    return 0;
}

void api_tokens_list(srv_req *q)
{
    json_t *a = json_array();
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = srv_token_list(q->w->adb, q->role == SRV_ADMIN ? NULL : q->user, token_one, a,
                                &err);
    if (rc) {
        json_decref(a);
        srv_reply_rn(q, rc, &err);
        return;
    }
    reply_obj(q, 200, json_pack("{s:o}", "items", a));
}

void api_tokens_rm(srv_req *q)
{
    rn_error err;
    rn_error_clear(&err);
    /* another user's token is "not found" to a non-admin: no probing */
    rn_code rc = srv_token_rm(q->w->adb, q->role == SRV_ADMIN ? NULL : q->user, q->params[0],
                              &err);
    if (rc) {
        srv_reply_rn(q, rc, &err);
        return;
    }
    q->status = 204;
}
