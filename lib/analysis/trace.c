/* SPDX-License-Identifier: Apache-2.0
 *
 * trace.c — the life of a trace request (rn_trace_move), the transfers its
 * answer reveals (rn_trace_add_transfer) and the overdue list
 * (rn_trace_report). The moves are checked again at the root, on every
 * write of a trace request, by the store (lib/store/lifecycle.c W6, W7), so
 * no face can set a status or a move's date outside a move.
 *
 *            send            ack
 *    draft --------> sent ---------> acknowledged
 *                     |  \              |   \
 *                     |   +-- overdue --+----> overdue
 *                     |                 |        |
 *                     v                 v        v
 *               answered | refused | no-answer  (from sent, acknowledged or
 *                     |        |        |        overdue; a late reply may
 *                     |        |        |        follow no-answer)
 *                     v        v        v
 *                   closed  (from answered, refused, no-answer, overdue)
 *
 *   draft -> sent                      rn_trace_move(SENT, date, due)
 *   sent -> acknowledged               rn_trace_move(ACKNOWLEDGED, date)
 *   sent|acknowledged -> overdue       rn_trace_move(OVERDUE, date)
 *   sent|acknowledged|overdue
 *     -> answered                      rn_trace_move(ANSWERED, date, answer)
 *     -> refused                       rn_trace_move(REFUSED, date, answer?)
 *     -> no-answer                     rn_trace_move(NO_ANSWER, date)
 *   no-answer -> answered|refused      a late reply
 *   answered|refused|no-answer|overdue
 *     -> closed                        rn_trace_move(CLOSED, date)
 *
 * The values of the first version (draft, sent, acknowledged, answered,
 * refused, no-answer) keep their meaning; overdue and closed were added.
 *
 * Invariants (tests cite them as T1..T7):
 *  T1. A status changes only along an arrow above; anything else is
 *      RN_ECONSTRAINT naming both states. A request with no status is draft.
 *  T2. sent has a `sent` date (the transition's date); `due` if given must
 *      not be before it.
 *  T3. answered has an `answered` date and a non-empty answer; refused has
 *      an `answered` date (the refusal's).
 *  T4. Transfers are recorded only from an answered request; their
 *      `source` names the request and its answer date, their items default
 *      to the request's.
 *  T5. Overdue in the report: status sent or acknowledged and the due
 *      date's last day is before today, or status overdue.
 *  T6. Every change is one rn_store_put inside one transaction, so it is in
 *      the evidence log with its author; a failure changes nothing.
 *  T7. Every move records its date in the field of its new status (sent,
 *      acknowledged, overdue_since, answered, no_answer, closed); a move's
 *      date is not before the sent date; overdue needs a due date that has
 *      passed on the move's date.
 */
#include <stdio.h>
#include <string.h>

#include "analysis/analysis_int.h"

static const char *const status_names[RN_TRACE_STATUS_COUNT] = {
    "draft", "sent", "acknowledged", "answered", "refused", "no-answer", "overdue", "closed"};

/* T7: the date field of each status. */
static const char *const date_fields[RN_TRACE_STATUS_COUNT] = {
    NULL, "sent", "acknowledged", "answered", "answered", "no_answer", "overdue_since", "closed"};

const char *rn_trace_status_name(rn_trace_status st)
{
    return (unsigned)st < RN_TRACE_STATUS_COUNT ? status_names[st] : "";
}

rn_code rn_trace_status_from_name(const char *s, rn_trace_status *out)
{
    for (int i = 0; i < RN_TRACE_STATUS_COUNT; i++) {
        if (!strcmp(s, status_names[i])) {
            *out = (rn_trace_status)i;
            return RN_OK;
        }
    }
    return RN_EINVAL;
}

/* T1: the arrows. */
static int allowed(rn_trace_status from, rn_trace_status to)
{
    int open = from == RN_TRACE_SENT || from == RN_TRACE_ACKNOWLEDGED;
    switch (to) {
    case RN_TRACE_SENT:
        return from == RN_TRACE_DRAFT;
    case RN_TRACE_ACKNOWLEDGED:
        return from == RN_TRACE_SENT;
    case RN_TRACE_OVERDUE:
        return open;
    case RN_TRACE_ANSWERED:
    case RN_TRACE_REFUSED:
        return open || from == RN_TRACE_OVERDUE || from == RN_TRACE_NO_ANSWER;
    case RN_TRACE_NO_ANSWER:
        return open || from == RN_TRACE_OVERDUE;
    case RN_TRACE_CLOSED:
        return from == RN_TRACE_ANSWERED || from == RN_TRACE_REFUSED ||
               from == RN_TRACE_NO_ANSWER || from == RN_TRACE_OVERDUE;
    default:
        return 0;
    }
}

static rn_code get_trace(rn_store *s, const char *id, rn_record **out, rn_trace_status *st,
                         rn_error *err)
{
    rn_code rc = rn_store_get(s, id, out, err);
    if (rc)
        return rc;
    if (rn_record_type(*out) != RN_T_TRACE) {
        rn_record_free(*out);
        *out = NULL;
        return rn__err(err, RN_EINVAL, "%s is not a trace request", id);
    }
    const char *cur = rn_record_get(*out, "status", NULL);
    *st = RN_TRACE_DRAFT;
    if (cur && rn_trace_status_from_name(cur, st)) {
        rn_record_free(*out);
        *out = NULL;
        return rn__err(err, RN_EINPUT, "trace request %s has an unknown status '%s'", id, cur);
    }
    return RN_OK;
}

static rn_code put_one(rn_store *s, rn_record *r, rn_put_mode mode, rn_error *err)
{
    rn_code rc = rn_store_begin(s, err);
    if (rc)
        return rc;
    if ((rc = rn_store_put(s, r, mode, err))) {
        rn_store_rollback(s);
        return rc;
    }
    if ((rc = rn_store_commit(s, err)))
        rn_store_rollback(s);
    return rc;
}

rn_code rn_trace_move(rn_store *s, const char *id, rn_trace_status to, const char *date,
                      const char *due, const char *answer, rn_error *err)
{
    rn_record *r = NULL;
    rn_trace_status from;
    rn_code rc = get_trace(s, id, &r, &from, err);
    if (rc)
        return rc;
    char today[RN_DATE_TEXT_MAX];
    if (!date) {
        rn_date d = {rn_day_today(), rn_day_today(), RN_PREC_DAY};
        rn_date_format(&d, today, sizeof today);
        date = today;
    }
    rn_date when;
    if ((rc = rn_date_parse(date, strlen(date), &when, err)))
        goto out;
    if ((unsigned)to >= RN_TRACE_STATUS_COUNT) {
        rc = rn__err(err, RN_EINVAL, "unknown trace status");
        goto out;
    }
    if (!allowed(from, to)) { /* T1 */
        rc = rn__err(err, RN_ECONSTRAINT,
                     "trace request %s is %s; it cannot become %s (draft -> sent -> "
                     "acknowledged -> answered | refused | no-answer | overdue -> closed)",
                     id, status_names[from], status_names[to]);
        goto out;
    }
    const char *name = status_names[to];
    if ((rc = rn_record_set(r, "status", name, strlen(name), err)))
        goto out;
    if (to != RN_TRACE_SENT) { /* T7: not before it was sent */
        rn_date sent = rn_record_date_at(r, rn_type_field_index(RN_T_TRACE, "sent", 4));
        if (sent.precision != RN_PREC_NONE && when.latest < sent.earliest) {
            rc = rn__err_field(err, RN_EINPUT, date_fields[to],
                               "the date %s is before the request was sent", date);
            goto out;
        }
    }
    if (to == RN_TRACE_OVERDUE) { /* T7 */
        rn_date dd = rn_record_date_at(r, rn_type_field_index(RN_T_TRACE, "due", 3));
        if (dd.precision == RN_PREC_NONE || dd.latest >= when.earliest) {
            rc = rn__err_field(err, RN_ECONSTRAINT, "due",
                               "trace request %s is not overdue on %s: %s", id, date,
                               dd.precision == RN_PREC_NONE ? "it has no due date"
                                                            : "its due date has not passed");
            goto out;
        }
    }
    if (date_fields[to] && to != RN_TRACE_SENT && to != RN_TRACE_ANSWERED &&
        to != RN_TRACE_REFUSED &&
        (rc = rn_record_set(r, date_fields[to], date, strlen(date), err)))
        goto out;
    if (to == RN_TRACE_SENT) { /* T2 */
        if ((rc = rn_record_set(r, "sent", date, strlen(date), err)))
            goto out;
        if (due) {
            rn_date dd;
            if ((rc = rn_date_parse(due, strlen(due), &dd, err)))
                goto out;
            if (dd.latest < when.earliest) {
                rc = rn__err_field(err, RN_EINPUT, "due", "the due date %s is before the send "
                                   "date %s", due, date);
                goto out;
            }
            if ((rc = rn_record_set(r, "due", due, strlen(due), err)))
                goto out;
        }
    }
    if (to == RN_TRACE_ANSWERED || to == RN_TRACE_REFUSED) { /* T3 */
        if (to == RN_TRACE_ANSWERED && (!answer || !*answer)) {
            rc = rn__err_field(err, RN_EINPUT, "answer",
                               "an answered trace request needs the answer's text");
            goto out;
        }
        if ((rc = rn_record_set(r, "answered", date, strlen(date), err)))
            goto out;
        if (answer && *answer && (rc = rn_record_set(r, "answer", answer, strlen(answer), err)))
            goto out;
    }
    rc = rn__store_put_act(s, r, err); /* T6 */
out:
    rn_record_free(r);
    return rc;
}

rn_code rn_trace_add_transfer(rn_store *s, const char *id, const rn_trace_transfer *t,
                              char out_id[RN_ID_LEN + 1], rn_error *err)
{
    rn_record *r = NULL, *x = NULL;
    rn_trace_status st;
    rn_code rc = get_trace(s, id, &r, &st, err);
    if (rc)
        return rc;
    if (st != RN_TRACE_ANSWERED) { /* T4 */
        rc = rn__err(err, RN_ECONSTRAINT,
                     "trace request %s is %s: transfers are recorded from an answer only", id,
                     status_names[st]);
        goto out;
    }
    if (!t->supplier || !t->recipient) {
        rc = rn__err(err, RN_EINVAL, "a transfer needs a supplier and a recipient");
        goto out;
    }
    x = rn_record_new(RN_T_TRANSFER);
    if (!x) {
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    char src[200], ad[RN_DATE_TEXT_MAX] = "";
    rn_date a = rn_record_date_at(r, rn_type_field_index(RN_T_TRACE, "answered", 8));
    rn_date_format(&a, ad, sizeof ad);
    snprintf(src, sizeof src, "trace request %s, answer of %s", id, ad[0] ? ad : "(undated)");
    const char *items = t->items;
    char *items_txt = NULL;
    if (!items) { /* the request's items: JSON array text -> ';' list */
        const char *j = rn_record_get(r, "items", NULL);
        if (j) {
            json_t *arr = json_loads(j, 0, NULL);
            rn_buf b;
            rn__buf_init(&b, 8192);
            size_t i;
            json_t *v;
            json_array_foreach(arr, i, v) {
                if (i)
                    rn__buf_addc(&b, ';');
                rn__buf_adds(&b, json_string_value(v) ? json_string_value(v) : "");
            }
            json_decref(arr);
            if (rn__buf_cstr(&b) == RN_OK)
                items_txt = b.data;
            else
                rn__buf_free(&b);
            items = items_txt;
        }
    }
    if ((rc = rn_record_set(x, "supplier", t->supplier, strlen(t->supplier), err)) ||
        (rc = rn_record_set(x, "recipient", t->recipient, strlen(t->recipient), err)) ||
        (t->date && (rc = rn_record_set(x, "date", t->date, strlen(t->date), err))) ||
        (t->scope && (rc = rn_record_set(x, "scope", t->scope, strlen(t->scope), err))) ||
        (items && *items && (rc = rn_record_set(x, "items", items, strlen(items), err))) ||
        (rc = rn_record_set(x, "source", src, strlen(src), err))) {
        rn_free(items_txt);
        goto out;
    }
    rn_free(items_txt);
    if ((rc = put_one(s, x, RN_PUT_CREATE, err)))
        goto out;
    rn__cpy(out_id, RN_ID_LEN + 1, rn_record_id(x));
out:
    rn_record_free(r);
    rn_record_free(x);
    return rc;
}

rn_code rn_trace_report(rn_store *s, int overdue_only, int32_t today, char **json, size_t *len,
                        rn_error *err)
{
    *json = NULL;
    sqlite3 *db;
    rn_code rc = rn__analysis_db(s, &db, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL;
    static const char sql[] =
        "SELECT t.id, t.recipient, en.name, coalesce(t.status, 'draft'), t.sent_earliest, "
        "t.sent_latest, t.sent_precision, t.due_earliest, t.due_latest, t.due_precision, "
        "t.answered_earliest, t.answered_latest, t.answered_precision, t.question, t.items, "
        "(SELECT count(*) FROM transfer x WHERE x.source LIKE 'trace request ' || t.id || '%') "
        "FROM trace t LEFT JOIN entity en ON en.id = t.recipient ORDER BY t.due_latest, t.id";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return rn__sql_err(db, err, "trace requests");
    json_t *root = json_object(), *arr = json_array();
    uint64_t overdue = 0;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *status = rn__col_text(st, 3);
        rn_date due = rn__col_date(st, 7);
        int is_open = !strcmp(status, "sent") || !strcmp(status, "acknowledged");
        int od = (is_open && due.precision != RN_PREC_NONE && due.latest < today) ||
                 !strcmp(status, "overdue"); /* T5 */
        overdue += od;
        if (overdue_only && !od)
            continue;
        json_t *o = json_object();
        rn__jset(o, "trace", json_string(rn__col_text(st, 0)));
        rn__jset(o, "recipient", rn__jstr(rn__col_text(st, 1)));
        rn__jset(o, "recipient_name", rn__jstr(rn__col_text(st, 2)));
        rn__jset(o, "status", json_string(status));
        rn_date sent = rn__col_date(st, 4), ans = rn__col_date(st, 10);
        rn__jset(o, "sent", rn__json_date(&sent));
        rn__jset(o, "due", rn__json_date(&due));
        rn__jset(o, "answered", rn__json_date(&ans));
        rn__jset(o, "overdue", json_boolean(od));
        if (od && due.precision != RN_PREC_NONE)
            rn__jset(o, "days_overdue", json_integer(today - due.latest));
        rn__jset(o, "question", rn__jstr(rn__col_text(st, 13)));
        const char *items = rn__col_text(st, 14);
        rn__jset(o, "items", items ? json_loads(items, 0, NULL) : NULL);
        rn__jset(o, "transfers_recorded", json_integer(sqlite3_column_int64(st, 15)));
        json_array_append_new(arr, o);
    }
    sqlite3_finalize(st);
    if (r != SQLITE_DONE) {
        json_decref(root);
        json_decref(arr);
        return rn__sql_err(db, err, "trace requests");
    }
    char d[11];
    rn_day_format(today, d);
    rn__jset(root, "analysis", json_string("trace"));
    rn__jset(root, "today", json_string(d));
    rn__jset(root, "overdue", json_integer((json_int_t)overdue));
    rn__jset(root, "requests", arr);
    return rn__json_finish(root, json, len, err);
}
