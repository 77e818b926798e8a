/* SPDX-License-Identifier: Apache-2.0
 *
 * finding.c — the life of a finding: a statement that cites its evidence
 * (items, markings, attachments, transfers, sanctions measures, other
 * findings ...) by record id.
 *
 *            review (reviewer != author)          publish
 *    draft -----------------------------> reviewed --------> published
 *
 *   draft -> reviewed      rn_finding_review(id, reviewer)
 *   reviewed -> published  rn_finding_publish(id)
 *
 * Invariants (tests cite them as F1..F5):
 *  F1. Only the arrows above; a finding with no status is draft; published
 *      is final (a correction is a new finding that cites the old one).
 *  F2. The reviewer is named, and is not the author (compared exactly;
 *      a finding without an author cannot be reviewed — whose work would
 *      the review check?).
 *  F3. Publishing requires every evidence id to name an existing record
 *      and at least one piece of evidence.
 *  F4. Every transition is one rn_store_put in its own transaction, so it
 *      is in the evidence log with its author; publishing is therefore the
 *      log entry that fixes the published text.
 *  F5. rn_finding_explain resolves every evidence id (type and summary);
 *      a missing one is reported, never skipped.
 */
#include <stdio.h>
#include <string.h>

#include "analysis/analysis_int.h"

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

static rn_code put_one(rn_store *s, rn_record *r, rn_error *err)
{
    rn_code rc = rn_store_begin(s, err);
    if (rc)
        return rc;
    if ((rc = rn_store_put(s, r, RN_PUT_REPLACE, err))) {
        rn_store_rollback(s);
        return rc;
    }
    if ((rc = rn_store_commit(s, err)))
        rn_store_rollback(s);
    return rc;
}

rn_code rn_finding_review(rn_store *s, const char *id, const char *reviewer, rn_error *err)
{
    rn_record *r = NULL;
    const char *status = "draft";
    rn_code rc = get_finding(s, id, &r, &status, err);
    if (rc)
        return rc;
    const char *author = rn_record_get(r, "author", NULL);
    if (strcmp(status, "draft")) { /* F1 */
        rc = rn__err(err, RN_ECONSTRAINT, "finding %s is %s; only a draft can be reviewed", id,
                     status);
    } else if (!reviewer[0]) { /* F2 */
        rc = rn__err(err, RN_EINVAL, "name the reviewer");
    } else if (!author || !author[0]) {
        rc = rn__err_field(err, RN_ECONSTRAINT, "author",
                           "finding %s has no author; set one before it is reviewed", id);
    } else if (!strcmp(author, reviewer)) {
        rc = rn__err_field(err, RN_ECONSTRAINT, "reviewer",
                           "%s wrote finding %s and cannot review it; another analyst must",
                           reviewer, id);
    } else if (!(rc = rn_record_set(r, "reviewer", reviewer, strlen(reviewer), err)) &&
               !(rc = rn_record_set(r, "status", "reviewed", 8, err))) {
        rc = put_one(s, r, err); /* F4 */
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
        rc = put_one(s, r, err); /* F4 */
out:
    json_decref(ev);
    rn_record_free(r);
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
