/* SPDX-License-Identifier: Apache-2.0
 *
 * api_workflow.c — the explicit acts of the review and trace-request
 * workflows, and the history of a record:
 *
 *   POST /api/v1/findings/{id}/review     draft -> reviewed (reviewer, admin)
 *   POST /api/v1/findings/{id}/publish    reviewed -> published (reviewer, admin)
 *   POST /api/v1/findings/{id}/withdraw   {"reason"} reviewed|published -> withdrawn
 *   POST /api/v1/findings/{id}/revise     {"statement"?} a new draft superseding it
 *                                         (the writers of findings: analyst, admin)
 *   POST /api/v1/traces/{id}/move         {"to","date"?,"due"?,"answer"?} one move
 *                                         (the writers of traces: analyst, admin)
 *   GET  /api/v1/records/{id}/history     every change from the evidence log
 *                                         (staff only: it shows every field)
 *
 * The acts run under the authenticated account (rn_store_set_account): the
 * reviewer of a finding is the account that calls review, never a value in
 * a body. The rules themselves are the library's (lib/store/lifecycle.c,
 * lib/analysis/finding.c, trace.c); a broken rule answers 409, a missing or
 * bad value 422, both as JSON errors.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "remnant/analysis.h"
#include "server.h"

/* The JSON body as an object; an empty body is {}. NULL after an error
 * reply. */
static json_t *body_or_empty(srv_req *q)
{
    if (!q->body || !q->body_len)
        return json_object();
    json_error_t je;
    json_t *j = json_loadb(q->body, q->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        srv_reply_error(q, 400, "bad_json", "the body must be one JSON object", NULL);
        return NULL;
    }
    return j;
}

/* An optional string member: 0, or an error reply and -1 when it is there
 * but not a string. */
static int opt_str(srv_req *q, json_t *j, const char *k, const char **out)
{
    json_t *v = json_object_get(j, k);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        srv_reply_error(q, 422, "invalid", "must be a string", k);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

/* The record `id` as this (staff) request sees it, with status `status`. */
static void reply_id(srv_req *q, unsigned status, const char *id)
{
    rn_record *r = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_store_get(q->w->store, id, &r, &err);
    char *s = NULL;
    size_t n = 0;
    if (!rc)
        rc = rn_record_to_json(r, 0, &s, &n);
    rn_record_free(r);
    if (rc) {
        srv_reply_rn(q, rc, &err);
        return;
    }
    srv_reply_json(q, status, s, n);
}

/* The URL's record must be of type t; else 404 as for no record at all. */
static int of_type(srv_req *q, rn_type t)
{
    rn_record *r = NULL;
    const char *id = q->params[0];
    int ok = rn_id_valid(id, strlen(id)) && rn_store_get(q->w->store, id, &r, NULL) == RN_OK &&
             rn_record_type(r) == t;
    rn_record_free(r);
    if (!ok)
        srv_reply_error(q, 404, "not_found", "no such record", NULL);
    return ok;
}

typedef enum act { ACT_REVIEW, ACT_PUBLISH, ACT_WITHDRAW } act;

static void finding_act(srv_req *q, act a)
{
    if (q->role != SRV_REVIEWER && q->role != SRV_ADMIN) {
        srv_reply_error(q, 403, "forbidden", "a reviewer or an admin reviews, publishes and "
                        "withdraws findings", NULL);
        return;
    }
    json_t *j = body_or_empty(q);
    if (!j)
        return;
    const char *reason = NULL;
    if (opt_str(q, j, "reason", &reason)) {
        json_decref(j);
        return;
    }
    if (a == ACT_WITHDRAW && (!reason || !*reason)) {
        json_decref(j);
        srv_reply_error(q, 422, "invalid", "say why: give \"reason\"", "reason");
        return;
    }
    if (!of_type(q, RN_T_FINDING)) {
        json_decref(j);
        return;
    }
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_store_set_account(q->w->store, q->user);
    if (!rc && a == ACT_REVIEW)
        rc = rn_finding_review(q->w->store, q->params[0], &err);
    else if (!rc && a == ACT_PUBLISH)
        rc = rn_finding_publish(q->w->store, q->params[0], &err);
    else if (!rc)
        rc = rn_finding_withdraw(q->w->store, q->params[0], reason, &err);
    json_decref(j);
    if (rc) {
        srv_reply_rn(q, rc, &err);
        return;
    }
    reply_id(q, 200, q->params[0]);
}

void api_finding_review(srv_req *q) { finding_act(q, ACT_REVIEW); }
void api_finding_publish(srv_req *q) { finding_act(q, ACT_PUBLISH); }
void api_finding_withdraw(srv_req *q) { finding_act(q, ACT_WITHDRAW); }

void api_finding_revise(srv_req *q)
{
    if (!srv_may(q->role, M_POST, RN_T_FINDING)) {
        srv_reply_error(q, 403, "forbidden", "your role may not write findings", NULL);
        return;
    }
    json_t *j = body_or_empty(q);
    const char *statement = NULL;
    if (!j || opt_str(q, j, "statement", &statement) || !of_type(q, RN_T_FINDING)) {
        json_decref(j);
        return;
    }
    rn_error err;
    rn_error_clear(&err);
    char id[RN_ID_LEN + 1];
    rn_code rc = rn_store_set_account(q->w->store, q->user);
    if (!rc)
        rc = rn_finding_revise(q->w->store, q->params[0], statement, id, &err);
    json_decref(j);
    if (rc) {
        srv_reply_rn(q, rc, &err);
        return;
    }
    char loc[128];
    snprintf(loc, sizeof loc, "/api/v1/findings/%s", id);
    srv_add_header(q, "Location", loc);
    reply_id(q, 201, id);
}

void api_trace_move(srv_req *q)
{
    if (!srv_may(q->role, M_POST, RN_T_TRACE)) {
        srv_reply_error(q, 403, "forbidden", "your role may not write trace requests", NULL);
        return;
    }
    json_t *j = body_or_empty(q);
    const char *to = NULL, *date = NULL, *due = NULL, *answer = NULL;
    if (!j || opt_str(q, j, "to", &to) || opt_str(q, j, "date", &date) ||
        opt_str(q, j, "due", &due) || opt_str(q, j, "answer", &answer)) {
        json_decref(j);
        return;
    }
    rn_trace_status st;
    if (!to || rn_trace_status_from_name(to, &st) != RN_OK || st == RN_TRACE_DRAFT) {
        json_decref(j);
        srv_reply_error(q, 422, "invalid", "\"to\" is sent, acknowledged, overdue, answered, "
                        "refused, no-answer or closed", "to");
        return;
    }
    if (!of_type(q, RN_T_TRACE)) {
        json_decref(j);
        return;
    }
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_store_set_account(q->w->store, q->user);
    if (!rc)
        rc = rn_trace_move(q->w->store, q->params[0], st, date, due, answer, &err);
    json_decref(j);
    if (rc) {
        srv_reply_rn(q, rc, &err);
        return;
    }
    reply_id(q, 200, q->params[0]);
}

void api_history(srv_req *q)
{
    /* the route's floor keeps the public out (401): a history shows every
     * field, and a withheld value must not leak through an old version */
    const char *id = q->params[0];
    if (!rn_id_valid(id, strlen(id))) {
        srv_reply_error(q, 404, "not_found", "no such record", NULL);
        return;
    }
    rn_error err;
    rn_error_clear(&err);
    if (!q->w->ledger) {
        rn_code rc = rn_ledger_open(srv_cfg.db_path, RN_LEDGER_READONLY, &q->w->ledger, &err);
        if (rc) {
            q->w->ledger = NULL;
            srv_reply_rn(q, rc, &err);
            return;
        }
    }
    char *s = NULL;
    size_t n = 0;
    rn_code rc = rn_ledger_history(q->w->ledger, id, &s, &n, &err);
    if (rc) {
        srv_reply_rn(q, rc, &err);
        return;
    }
    srv_reply_json(q, 200, s, n);
}
