/* SPDX-License-Identifier: Apache-2.0
 *
 * api_account.c — what a person does with their own account, and an
 * admin's password reset (the web app's account pages):
 *   POST /api/v1/me/password         {"password","new_password"}  any account
 *   POST /api/v1/me/tokens           {"label"} -> {"token"}        any account
 *   POST /api/v1/users/{name}/password {"password"}                admin
 *   PATCH /api/v1/users/{name}       {"role"}                       admin
 * A new password ends every session of the account (accounts.c), the
 * caller's own included: the web app signs in again. The current password
 * is checked first; a wrong one is 422 (not 401: the session is still
 * good). Tokens are shown once, in this answer, and stored hashed.
 * Passwords are wiped from the request body once used.
 */
#include <jansson.h>
#include <string.h>

#include "server.h"

static json_t *body(srv_req *q)
{
    json_t *j = q->body ? json_loadb(q->body, q->body_len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (!j || !json_is_object(j)) {
        json_decref(j);
        srv_reply_error(q, 400, "bad_json", "the body must be one JSON object", NULL);
        return NULL;
    }
    return j;
}

static void wipe(json_t *j, const char *key)
{
    const char *s = json_string_value(json_object_get(j, key));
    if (s)
        sodium_memzero((void *)s, strlen(s));
}

static void reply(srv_req *q, unsigned status, json_t *o)
{
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!s) {
        srv_reply_rn(q, RN_ENOMEM, NULL);
        return;
    }
    srv_add_header(q, "Cache-Control", "no-store");
    srv_reply_json(q, status, s, strlen(s));
}

void api_me_password(srv_req *q)
{
    json_t *j = body(q);
    if (!j)
        return;
    const char *cur = json_string_value(json_object_get(j, "password"));
    const char *nw = json_string_value(json_object_get(j, "new_password"));
    rn_error err;
    rn_error_clear(&err);
    srv_role role;
    rn_code rc;
    if (!cur || !nw) {
        srv_reply_error(q, 422, "invalid", "give \"password\" (the current one) and "
                        "\"new_password\"", !cur ? "password" : "new_password");
    } else if (srv_login(q->w->adb, q->user, cur, &role, &err) != RN_OK) {
        srv_reply_error(q, 422, "invalid", "the current password is wrong", "password");
    } else if ((rc = srv_user_passwd(q->w->adb, q->user, nw, &err)) != RN_OK) {
        if (err.field[0] && strcmp(err.field, "password") == 0)
            snprintf(err.field, sizeof err.field, "new_password");
        srv_reply_rn(q, rc, &err);
    } else {
        reply(q, 200, json_pack("{s:s, s:b}", "user", q->user, "sessions_ended", 1));
    }
    wipe(j, "password");
    wipe(j, "new_password");
    json_decref(j);
}

void api_me_token(srv_req *q)
{
    json_t *j = body(q);
    if (!j)
        return;
    json_t *l = json_object_get(j, "label");
    if (l && !json_is_string(l)) {
        json_decref(j);
        srv_reply_error(q, 422, "invalid", "\"label\" is text", "label");
        return;
    }
    char tok[SRV_TOKEN_MAX];
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = srv_user_token(q->w->adb, q->user, json_string_value(l), tok, &err);
    if (rc)
        srv_reply_rn(q, rc, &err);
    else
        reply(q, 201, json_pack("{s:s, s:s, s:s}", "user", q->user, "label",
                                l ? json_string_value(l) : "", "token", tok));
    sodium_memzero(tok, sizeof tok);
    json_decref(j);
}

void api_user_password(srv_req *q)
{
    json_t *j = body(q);
    if (!j)
        return;
    const char *pw = json_string_value(json_object_get(j, "password"));
    rn_error err;
    rn_error_clear(&err);
    rn_code rc;
    if (!pw)
        srv_reply_error(q, 422, "invalid", "give the new \"password\"", "password");
    else if ((rc = srv_user_passwd(q->w->adb, q->params[0], pw, &err)) != RN_OK)
        srv_reply_rn(q, rc, &err);
    else
        reply(q, 200, json_pack("{s:s, s:b}", "user", q->params[0], "sessions_ended", 1));
    wipe(j, "password");
    json_decref(j);
}

/* An admin gives an account another role. Not their own: the last admin
 * would otherwise be one click from locking everyone out of the accounts. */
void api_user_role(srv_req *q)
{
    json_t *j = body(q);
    if (!j)
        return;
    const char *role = json_string_value(json_object_get(j, "role"));
    srv_role r = role ? srv_role_from_name(role) : SRV_ROLE_COUNT;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc;
    if (json_object_size(j) != 1 || r == SRV_ROLE_COUNT || r == SRV_PUBLIC)
        srv_reply_error(q, 422, "invalid", "give only \"role\": admin, investigator, analyst or "
                        "reviewer", "role");
    else if (strcmp(q->params[0], q->user) == 0)
        srv_reply_error(q, 409, "constraint", "an admin cannot change their own role", "name");
    else if ((rc = srv_user_role(q->w->adb, q->params[0], r, &err)) != RN_OK)
        srv_reply_rn(q, rc, &err);
    else
        reply(q, 200, json_pack("{s:s, s:s}", "name", q->params[0], "role", srv_role_name(r)));
    json_decref(j);
}
