/* SPDX-License-Identifier: Apache-2.0
 *
 * finding.c — the life of a finding: a statement that cites its evidence
 * (items, markings, attachments, transfers, sanctions measures, other
 * findings ...) by record id. The acts here prepare each change; the rules
 * themselves are checked at the root, on every write of a finding, by the
 * store (lib/store/lifecycle.c W1..W5, which draws the machine):
 *
 *            review               publish
 *    draft -----------> reviewed ----------> published
 *                          |                     |
 *                          +----- withdraw ------+-----> withdrawn
 *
 *   draft -> reviewed            rn_finding_review(id)       an account
 *   reviewed -> published        rn_finding_publish(id)      an account
 *   reviewed|published ->
 *     withdrawn                  rn_finding_withdraw(id, reason)
 *   a new draft superseding id   rn_finding_revise(id, statement)
 *
 * Invariants (tests cite them as F1..F6):
 *  F1. Only the arrows above; a finding with no status is draft; reviewed,
 *      published and withdrawn are frozen (a correction is a new draft that
 *      supersedes the old, which stays readable as it was).
 *  F2. The reviewer is the authenticated account that reviews
 *      (rn_store_set_account), never a name passed in, and is not the
 *      author (compared exactly; a finding without an author cannot be
 *      reviewed — whose work would the review check?), nor the author of
 *      any change of the finding in the evidence log (a co-author).
 *  F3. Publishing requires every evidence id to name an existing record
 *      and at least one piece of evidence.
 *  F4. Every act is one rn_store_put in its own transaction, so it is in
 *      the evidence log with its author; publishing is therefore the log
 *      entry that fixes the published text.
 *  F5. rn_finding_explain resolves every evidence id (type and summary);
 *      a missing one is reported, never skipped. It names the version a
 *      finding supersedes and the versions that supersede it.
 *  F6. A withdrawal carries a non-empty reason and its date; it is logged
 *      like every act and is final.
 */
#include <stdio.h>
#include <string.h>

#include "analysis/analysis_int.h"
#include "remnant/ledger.h"

static rn_code get_finding(rn_store *s, const char *id, rn_record **out, const char **status,
                           rn_error *err)
{
    rn_code rc = rn_store_get(s, id, out, err);
    if (rc)
        return rc;
    if (rn_record_type(*out) != RN_T_FINDING) {
        rn_record_free(*out);
        *out = NULL;
        return rn__err(err, RN_EINVAL, "%s is not a finding", id);
    }
    *status = rn_record_get(*out, "status", NULL);
    if (!*status)
        *status = "draft";
    return RN_OK;
}

/* F2: who acts is the store's authenticated account. */
static rn_code need_account(rn_store *s, const char *what, const char *id, rn_error *err)
{
    if (s->account && s->author[0])
        return RN_OK;
    return rn__err(err, RN_ECONSTRAINT,
                   "to %s finding %s log in: it is done by an account (`remnant user`), "
                   "with its password", what, id);
}

/* F2: `who` must not have written any version of finding `id`, by its
 * history in the log (lib/ledger/history.c): RN_OK, RN_ECONSTRAINT naming
 * the change, or the log's error (the review cannot be checked, so it is
 * refused). */
static rn_code not_a_coauthor(rn_store *s, const char *id, const char *who, rn_error *err)
{
    rn_ledger *l = NULL;
    char *js = NULL;
    rn_code rc = rn_ledger_open(s->path, RN_LEDGER_READONLY, &l, err);
    if (!rc)
        rc = rn_ledger_history(l, id, &js, NULL, err);
    rn_ledger_close(l);
    if (rc)
        return rc;
    json_t *h = json_loads(js, 0, NULL), *c;
    rn_free(js);
    size_t i;
    json_array_foreach(json_object_get(h, "changes"), i, c) {
        const char *a = json_string_value(json_object_get(c, "author"));
        if (a && !strcmp(a, who)) {
            rc = rn__err_field(err, RN_ECONSTRAINT, "reviewer",
                               "%s changed finding %s (log entry %" JSON_INTEGER_FORMAT
                               ", `remnant history %s`) and cannot review it; another analyst "
                               "must", who, id, json_integer_value(json_object_get(c, "seq")),
                               id);
            break;
        }
    }
    json_decref(h);
    return rc;
}

rn_code rn_finding_review(rn_store *s, const char *id, rn_error *err)
{
    rn_record *r = NULL;
    const char *status = "draft";
    rn_code rc = get_finding(s, id, &r, &status, err);
    if (rc)
        return rc;
    const char *author = rn_record_get(r, "author", NULL);
    const char *reviewer = s->author;
    if (strcmp(status, "draft")) { /* F1 */
        rc = rn__err(err, RN_ECONSTRAINT, "finding %s is %s; only a draft can be reviewed", id,
                     status);
    } else if ((rc = need_account(s, "review", id, err))) { /* F2 */
    } else if (!author || !author[0]) {
        rc = rn__err_field(err, RN_ECONSTRAINT, "author",
                           "finding %s has no author; set one before it is reviewed", id);
    } else if (!strcmp(author, reviewer)) {
        rc = rn__err_field(err, RN_ECONSTRAINT, "reviewer",
                           "%s wrote finding %s and cannot review it; another analyst must",
                           reviewer, id);
    } else if ((rc = not_a_coauthor(s, id, reviewer, err))) {
    } else if (!(rc = rn_record_set(r, "reviewer", reviewer, strlen(reviewer), err)) &&
               !(rc = rn_record_set(r, "status", "reviewed", 8, err))) {
        rc = rn__store_put_act(s, r, err); /* F4 */
    }
    rn_record_free(r);
    return rc;
}

rn_code rn_finding_publish(rn_store *s, const char *id, rn_error *err)
{
    rn_record *r = NULL;
    const char *status = "draft";
    rn_code rc = get_finding(s, id, &r, &status, err);
    if (rc)
        return rc;
    json_t *ev = NULL;
    if (strcmp(status, "reviewed")) { /* F1 */
        rc = rn__err(err, RN_ECONSTRAINT,
                     "finding %s is %s; only a reviewed finding can be published", id, status);
        goto out;
    }
    if ((rc = need_account(s, "publish", id, err)))
        goto out;
    const char *evs = rn_record_get(r, "evidence", NULL);
    ev = evs ? json_loads(evs, 0, NULL) : NULL;
    if (!ev || !json_array_size(ev)) { /* F3 */
        rc = rn__err_field(err, RN_ECONSTRAINT, "evidence",
                           "finding %s cites no evidence; a published finding must", id);
        goto out;
    }
    size_t i;
    json_t *v;
    json_array_foreach(ev, i, v) {
        rn_record *x = NULL;
        const char *eid = json_string_value(v);
        rn_error e2;
        rn_error_clear(&e2);
        if (!eid || rn_store_get(s, eid, &x, &e2) != RN_OK) {
            rc = rn__err_field(err, RN_ECONSTRAINT, "evidence",
                               "finding %s cites %s, which does not exist", id,
                               eid ? eid : "(not an id)");
            goto out;
        }
        rn_record_free(x);
    }
    if (!(rc = rn_record_set(r, "status", "published", 9, err)))
        rc = rn__store_put_act(s, r, err); /* F4 */
out:
    json_decref(ev);
    rn_record_free(r);
    return rc;
}

rn_code rn_finding_withdraw(rn_store *s, const char *id, const char *reason, rn_error *err)
{
    rn_record *r = NULL;
    const char *status = "draft";
    rn_code rc = get_finding(s, id, &r, &status, err);
    if (rc)
        return rc;
    char today[RN_DATE_TEXT_MAX];
    rn_date d = {rn_day_today(), rn_day_today(), RN_PREC_DAY};
    size_t n = rn_date_format(&d, today, sizeof today);
    if (strcmp(status, "reviewed") && strcmp(status, "published")) { /* F1 */
        rc = rn__err(err, RN_ECONSTRAINT,
                     "finding %s is %s; only a reviewed or published finding is withdrawn%s",
                     id, status, strcmp(status, "draft") ? "" : " (a draft is edited or removed)");
    } else if (!reason[0]) { /* F6 */
        rc = rn__err_field(err, RN_EINPUT, "withdrawn_reason",
                           "say why finding %s is withdrawn (--reason TEXT)", id);
    } else if (!(rc = need_account(s, "withdraw", id, err)) &&
               !(rc = rn_record_set(r, "withdrawn_reason", reason, strlen(reason), err)) &&
               !(rc = rn_record_set(r, "withdrawn", today, n, err)) &&
               !(rc = rn_record_set(r, "status", "withdrawn", 9, err))) {
        rc = rn__store_put_act(s, r, err); /* F4 */
    }
    rn_record_free(r);
    return rc;
}

rn_code rn_finding_revise(rn_store *s, const char *id, const char *statement,
                          char out_id[RN_ID_LEN + 1], rn_error *err)
{
    rn_record *r = NULL, *x = NULL;
    const char *status = "draft";
    out_id[0] = '\0';
    rn_code rc = get_finding(s, id, &r, &status, err);
    if (rc)
        return rc;
    if (!strcmp(status, "draft")) {
        rc = rn__err(err, RN_ECONSTRAINT,
                     "finding %s is a draft: edit it (`remnant edit`) rather than revise it", id);
        goto out;
    }
    if (!(x = rn_record_new(RN_T_FINDING))) {
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    static const char *const keep[] = {"statement", "notes", NULL};
    for (int i = 0; keep[i] && !rc; i++) {
        size_t n;
        const char *v = rn_record_get(r, keep[i], &n);
        if (v)
            rc = rn_record_set(x, keep[i], v, n, err);
    }
    int ei = rn_type_field_index(RN_T_FINDING, "evidence", 8);
    size_t en;
    const char *ev = rn_record_get_at(r, ei, &en);
    if (!rc && ev) { /* the list's JSON text, as rn_record_set takes ';' items */
        json_t *a = json_loadb(ev, en, 0, NULL);
        rn_buf b;
        rn__buf_init(&b, 1 << 20);
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v) {
            if (i)
                rn__buf_addc(&b, ';');
            rn__buf_adds(&b, json_string_value(v) ? json_string_value(v) : "");
        }
        json_decref(a);
        if (rn__buf_cstr(&b) == RN_OK)
            rc = rn_record_set(x, "evidence", b.data, b.len, err);
        else
            rc = rn__err(err, RN_ENOMEM, "out of memory");
        rn__buf_free(&b);
    }
    if (!rc && statement)
        rc = rn_record_set(x, "statement", statement, strlen(statement), err);
    if (!rc && s->author[0])
        rc = rn_record_set(x, "author", s->author, strlen(s->author), err);
    if (!rc)
        rc = rn_record_set(x, "supersedes", id, strlen(id), err);
    if (!rc)
        rc = rn_record_set(x, "status", "draft", 5, err);
    if (!rc)
        rc = rn_store_put(s, x, RN_PUT_CREATE, err);
    if (!rc)
        rn__cpy(out_id, RN_ID_LEN + 1, rn_record_id(x));
out:
    rn_record_free(r);
    rn_record_free(x);
    return rc;
}

/* A one-line summary of a record, for the reader of a finding. */
static void summarize(const rn_record *x, char *buf, size_t cap)
{
    static const char *const keys[] = {"name", "text", "statement", "instrument", "scope",
                                       "question", "filename", "holder", "field", NULL};
    buf[0] = '\0';
    for (int i = 0; keys[i]; i++) {
        const char *v = rn_record_get(x, keys[i], NULL);
        if (v) {
            snprintf(buf, cap, "%s: %.200s", keys[i], v);
            return;
        }
    }
}

rn_code rn_finding_explain(rn_store *s, const char *id, char **json, size_t *len, rn_error *err)
{
    *json = NULL;
    rn_record *r = NULL;
    const char *status = "draft";
    rn_code rc = get_finding(s, id, &r, &status, err);
    if (rc)
        return rc;
    json_t *root = json_object(), *arr = json_array();
    rn__jset(root, "finding", json_string(id));
    rn__jset(root, "statement", rn__jstr(rn_record_get(r, "statement", NULL)));
    rn__jset(root, "status", json_string(status));
    rn__jset(root, "author", rn__jstr(rn_record_get(r, "author", NULL)));
    rn__jset(root, "reviewer", rn__jstr(rn_record_get(r, "reviewer", NULL)));
    rn__jset(root, "supersedes", rn__jstr(rn_record_get(r, "supersedes", NULL)));
    rn__jset(root, "withdrawn_reason", rn__jstr(rn_record_get(r, "withdrawn_reason", NULL)));
    json_t *later = json_array(); /* F5: the versions that supersede it */
    rn_filter fl = {"supersedes", id};
    rn_cursor *cur = NULL;
    const rn_record *y;
    if (rn_store_list(s, RN_T_FINDING, &fl, 1, -1, 0, &cur, NULL) == RN_OK)
        while (rn_cursor_next(cur, &y, NULL) == RN_OK && y)
            json_array_append_new(later, json_string(rn_record_id(y)));
    rn_cursor_free(cur);
    rn__jset(root, "superseded_by", later);
    const char *evs = rn_record_get(r, "evidence", NULL);
    json_t *ev = evs ? json_loads(evs, 0, NULL) : json_array();
    size_t i, missing = 0;
    json_t *v;
    json_array_foreach(ev, i, v) {
        const char *eid = json_string_value(v);
        rn_record *x = NULL;
        json_t *o = json_object();
        rn__jset(o, "id", rn__jstr(eid));
        if (eid && rn_store_get(s, eid, &x, NULL) == RN_OK) {
            char sum[260];
            summarize(x, sum, sizeof sum);
            rn__jset(o, "type", json_string(rn_type_name(rn_record_type(x))));
            rn__jset(o, "summary", json_string(sum));
            rn_record_free(x);
        } else { /* F5 */
            rn__jset(o, "type", NULL);
            rn__jset(o, "missing", json_true());
            missing++;
        }
        json_array_append_new(arr, o);
    }
    json_decref(ev);
    rn__jset(root, "evidence", arr);
    rn__jset(root, "missing_evidence", json_integer((json_int_t)missing));
    rn_record_free(r);
    return rn__json_finish(root, json, len, err);
}
