/* SPDX-License-Identifier: Apache-2.0
 *
 * lifecycle.c — the root of the review rules of findings and of the life of
 * trace requests. Every write of a finding or a trace request passes here,
 * whoever makes it (`remnant edit`, the API's PUT and PATCH, an import, the
 * library's own acts in lib/analysis/finding.c and trace.c), so no face can
 * go around them.
 *
 * Three kinds of write reach the guard:
 *   a plain write   rn_store_put from anywhere (edit, add, PUT, PATCH);
 *   an act          rn__store_put_act from the library's acts (review,
 *                   publish, withdraw; the trace moves);
 *   an import       a record created by rn_import_file (it comes from
 *                   another instance's log, already in its state).
 *
 * Findings:
 *
 *             review              publish
 *    draft -----------> reviewed ----------> published
 *                          |                     |
 *                          +----- withdraw ------+-----> withdrawn
 *
 *    revise X: a plain create of a new draft with supersedes = X
 *
 *   draft -> reviewed            rn_finding_review    (an act)
 *   reviewed -> published        rn_finding_publish   (an act)
 *   reviewed|published ->
 *     withdrawn                  rn_finding_withdraw  (an act)
 *   (new draft superseding X)    rn_finding_revise    (a plain create)
 *
 * Invariants (tests cite them as W1..W7):
 *  W1. A plain write never changes a status. A new finding is a draft with
 *      no reviewer and no withdrawal; when the store's author is an
 *      authenticated account the finding's author is that account.
 *  W2. A finding that is reviewed, published or withdrawn is frozen: no
 *      plain write changes it and it cannot be deleted; an act changes only
 *      the fields of its arrow (publish: status; withdraw: status, withdrawn,
 *      withdrawn_reason). A change of content is a new draft that
 *      `supersedes` it; the old version stays readable as it was.
 *  W3. The finding acts need an authenticated account (rn_store_set_account):
 *      review sets reviewer to that account, which is not the author.
 *  W4. Each status holds its facts: reviewed and published have an author
 *      and a different reviewer; published cites at least one record (that
 *      each exists the store checks for every reference list); withdrawn has
 *      a reviewer, a reason and a date; a draft has none of them.
 *  W5. `supersedes` names a finding that is not a draft (a draft is simply
 *      edited) and never changes; an author, once named, never changes.
 *
 * Trace requests (T1..T6 of lib/analysis/trace.c are the moves' own rules):
 *
 *            send            ack
 *    draft --------> sent ---------> acknowledged
 *                     |  \              |   \
 *                     |   +-- overdue --+----> overdue
 *                     |                 |        |
 *                     v                 v        v
 *               answered | refused | no-answer  (from sent, acknowledged
 *                     |        |        |        or overdue; no-answer may
 *                     |        |        |        still become answered or
 *                     v        v        v        refused: a late reply)
 *                   closed  (from answered, refused, no-answer, overdue)
 *
 *  W6. A plain write never changes a status or the date of a move (sent,
 *      acknowledged, overdue_since, answered, no_answer, closed); a new
 *      request is a draft without them; a closed request is frozen. An act
 *      follows one arrow and changes only the status, the arrow's date and
 *      what the arrow carries (send: due; answer, refuse: answer).
 *  W7. Each status holds its facts: every status after draft has its sent
 *      date; acknowledged its date; overdue its date and a due date before
 *      it; answered its date and a non-empty answer; refused its date;
 *      no-answer its date; closed its date.
 *
 * An import may create a record in any status whose facts hold (W4, W7);
 * it never replaces one (ids are unique). A synced change (lib/sync) may
 * create or replace one in any status whose facts hold: the log that made
 * it applied these rules.
 */
#include <string.h>

#include "store/store_int.h"

static const char *get(const rn_record *r, const char *f)
{
    const char *v = r ? rn_record_get(r, f, NULL) : NULL;
    return v && *v ? v : NULL;
}

static const char *status_of(const rn_record *r)
{
    const char *v = get(r, "status");
    return v ? v : "draft";
}

static int is(const char *a, const char *b) { return strcmp(a, b) == 0; }

/* 1 when field i holds the same value in a and b (empty counts as unset). */
static int same_field(const rn_record *a, const rn_record *b, int i)
{
    size_t la = 0, lb = 0;
    const char *va = rn_record_get_at(a, i, &la), *vb = rn_record_get_at(b, i, &lb);
    if (va && !la)
        va = NULL;
    if (vb && !lb)
        vb = NULL;
    if (!va || !vb)
        return va == vb;
    return la == lb && memcmp(va, vb, la) == 0;
}

/* Every field not in `allowed` (NULL-terminated) is the same in a and b;
 * else the error names the first that differs. */
static rn_code only_changed(const rn_record *a, const rn_record *b, const char *const *allowed,
                            const char *why, rn_error *err)
{
    size_t n;
    const rn_field *f = rn_type_fields(rn_record_type(a), &n);
    for (size_t i = 0; i < n; i++) {
        int ok = 0;
        for (size_t k = 0; allowed && allowed[k]; k++)
            ok |= is(allowed[k], f[i].name);
        if (!ok && !same_field(a, b, (int)i))
            return rn__err_field(err, RN_ECONSTRAINT, f[i].name,
                                 "%s %s: '%s' cannot change (%s)",
                                 rn_type_name(rn_record_type(a)), rn_record_id(a), f[i].name,
                                 why);
    }
    return RN_OK;
}

/* ---- findings ---------------------------------------------------------------- */

/* W4 */
static rn_code finding_facts(const rn_record *r, rn_error *err)
{
    const char *st = status_of(r), *id = rn_record_id(r);
    const char *author = get(r, "author"), *reviewer = get(r, "reviewer");
    if (is(st, "draft")) {
        static const char *const none[] = {"reviewer", "withdrawn_reason", "withdrawn", NULL};
        for (int i = 0; none[i]; i++)
            if (get(r, none[i]))
                return rn__err_field(err, RN_ECONSTRAINT, none[i],
                                     "finding %s is a draft: '%s' is set only by `remnant "
                                     "finding review` or `withdraw`", id, none[i]);
        return RN_OK;
    }
    if (!reviewer)
        return rn__err_field(err, RN_ECONSTRAINT, "reviewer",
                             "finding %s is %s but names no reviewer", id, st);
    if (!is(st, "withdrawn") && (!author || is(author, reviewer)))
        return rn__err_field(err, RN_ECONSTRAINT, "reviewer",
                             "finding %s is %s: it needs an author and a reviewer who is not "
                             "the author", id, st);
    if (is(st, "published")) {
        const char *ev = get(r, "evidence");
        if (!ev || is(ev, "[]"))
            return rn__err_field(err, RN_ECONSTRAINT, "evidence",
                                 "finding %s cites no evidence; a published finding must", id);
    }
    if (is(st, "withdrawn")) {
        if (!get(r, "withdrawn_reason"))
            return rn__err_field(err, RN_ECONSTRAINT, "withdrawn_reason",
                                 "finding %s is withdrawn: give the reason", id);
        if (!get(r, "withdrawn"))
            return rn__err_field(err, RN_ECONSTRAINT, "withdrawn",
                                 "finding %s is withdrawn: give the date", id);
    } else if (get(r, "withdrawn_reason") || get(r, "withdrawn")) {
        return rn__err_field(err, RN_ECONSTRAINT, "withdrawn_reason",
                             "finding %s is %s, not withdrawn", id, st);
    }
    return RN_OK;
}

/* W5: what `supersedes` names. */
static rn_code check_supersedes(rn_store *s, const rn_record *r, rn_error *err)
{
    const char *sup = get(r, "supersedes");
    if (!sup)
        return RN_OK;
    if (is(sup, rn_record_id(r)))
        return rn__err_field(err, RN_ECONSTRAINT, "supersedes",
                             "finding %s cannot supersede itself", sup);
    rn_record *x = NULL;
    rn_code rc = s->ops->get(s, sup, &x, NULL);
    if (rc == RN_OK && rn_record_type(x) == RN_T_FINDING && is(status_of(x), "draft"))
        rc = rn__err_field(err, RN_ECONSTRAINT, "supersedes",
                           "finding %s is a draft: edit it rather than supersede it", sup);
    else
        rc = RN_OK; /* a missing or mistyped reference is the store's error */
    rn_record_free(x);
    return rc;
}

static rn_code finding_plain(rn_store *s, const rn_record *old, rn_record *r, rn_error *err)
{
    const char *id = rn_record_id(r);
    if (!old) { /* W1 */
        if (!is(status_of(r), "draft"))
            return rn__err_field(err, RN_ECONSTRAINT, "status",
                                 "a new finding is a draft; it becomes %s only through "
                                 "`remnant finding review`, `publish` or `withdraw`",
                                 status_of(r));
        if (s->account) {
            const char *a = get(r, "author");
            if (a && !is(a, s->author))
                return rn__err_field(err, RN_ECONSTRAINT, "author",
                                     "the author of a new finding is who writes it (%s), "
                                     "not %s", s->author, a);
            rn_code rc;
            if (!a && (rc = rn_record_set(r, "author", s->author, strlen(s->author), err)))
                return rc;
        }
        rn_code rc = finding_facts(r, err);
        return rc ? rc : check_supersedes(s, r, err);
    }
    const char *ost = status_of(old);
    if (!is(ost, "draft")) /* W2 */
        return rn__err(err, RN_ECONSTRAINT,
                       "finding %s is %s and cannot change: `remnant finding revise %s` makes "
                       "a new draft that supersedes it%s", id, ost, id,
                       is(ost, "withdrawn") ? "" : " (`withdraw` takes it back, with a reason)");
    if (!is(status_of(r), "draft"))
        return rn__err_field(err, RN_ECONSTRAINT, "status",
                             "finding %s changes status only through `remnant finding review`, "
                             "`publish` or `withdraw`", id);
    static const char *const fixed_why = "set when the finding is made";
    size_t n;
    const rn_field *f = rn_type_fields(RN_T_FINDING, &n);
    for (size_t i = 0; i < n; i++) /* W5; an author missing so far may be named */
        if ((is(f[i].name, "supersedes") || (is(f[i].name, "author") && get(old, "author"))) &&
            !same_field(old, r, (int)i))
            return rn__err_field(err, RN_ECONSTRAINT, f[i].name,
                                 "finding %s: '%s' cannot change (%s)", id, f[i].name,
                                 fixed_why);
    return finding_facts(r, err);
}

static rn_code finding_act(rn_store *s, const rn_record *old, const rn_record *r,
                           rn_error *err)
{
    const char *id = rn_record_id(r), *from = status_of(old), *to = status_of(r);
    if (!s->account || !s->author[0]) /* W3 */
        return rn__err(err, RN_ECONSTRAINT,
                       "to %s finding %s log in: reviewing, publishing and withdrawing are "
                       "done by an account (`remnant user`), with its password",
                       is(to, "reviewed") ? "review" : is(to, "published") ? "publish"
                                                                            : "withdraw", id);
    rn_code rc;
    if (is(from, "draft") && is(to, "reviewed")) {
        static const char *const f[] = {"status", "reviewer", NULL};
        if ((rc = only_changed(old, r, f, "a review changes only status and reviewer", err)))
            return rc;
        const char *rev = get(r, "reviewer"), *author = get(old, "author");
        if (!rev || !is(rev, s->author))
            return rn__err_field(err, RN_ECONSTRAINT, "reviewer",
                                 "the reviewer of finding %s is the account that reviews it "
                                 "(%s)", id, s->author);
        if (!author)
            return rn__err_field(err, RN_ECONSTRAINT, "author",
                                 "finding %s has no author; set one before it is reviewed", id);
        if (is(author, rev))
            return rn__err_field(err, RN_ECONSTRAINT, "reviewer",
                                 "%s wrote finding %s and cannot review it; another analyst "
                                 "must", rev, id);
    } else if (is(from, "reviewed") && is(to, "published")) {
        static const char *const f[] = {"status", NULL};
        if ((rc = only_changed(old, r, f, "publishing changes only the status", err)))
            return rc;
    } else if ((is(from, "reviewed") || is(from, "published")) && is(to, "withdrawn")) {
        static const char *const f[] = {"status", "withdrawn", "withdrawn_reason", NULL};
        if ((rc = only_changed(old, r, f, "a withdrawal adds only its date and reason", err)))
            return rc;
    } else {
        return rn__err_field(err, RN_ECONSTRAINT, "status",
                             "finding %s is %s; it cannot become %s (draft -> reviewed -> "
                             "published; reviewed or published -> withdrawn)", id, from, to);
    }
    return finding_facts(r, err);
}

/* ---- trace requests -------------------------------------------------------------- */

/* The date field each status records (NULL for draft). */
static const char *move_date(const char *st)
{
    static const char *const map[][2] = {
        {"sent", "sent"},         {"acknowledged", "acknowledged"},
        {"overdue", "overdue_since"}, {"answered", "answered"},
        {"refused", "answered"},  {"no-answer", "no_answer"},
        {"closed", "closed"},     {NULL, NULL}};
    for (int i = 0; map[i][0]; i++)
        if (is(st, map[i][0]))
            return map[i][1];
    return NULL;
}

static const char *const move_dates[] = {"sent", "acknowledged", "overdue_since", "answered",
                                         "no_answer", "closed", NULL};

/* The arrows of the machine above. */
static int trace_arrow(const char *from, const char *to)
{
    int open = is(from, "sent") || is(from, "acknowledged");
    if (is(to, "sent"))
        return is(from, "draft");
    if (is(to, "acknowledged"))
        return is(from, "sent");
    if (is(to, "overdue"))
        return open;
    if (is(to, "answered") || is(to, "refused"))
        return open || is(from, "overdue") || is(from, "no-answer");
    if (is(to, "no-answer"))
        return open || is(from, "overdue");
    if (is(to, "closed"))
        return is(from, "answered") || is(from, "refused") || is(from, "no-answer") ||
               is(from, "overdue");
    return 0;
}

/* W7 */
static rn_code trace_facts(const rn_record *r, rn_error *err)
{
    const char *st = status_of(r), *id = rn_record_id(r);
    if (is(st, "draft")) {
        for (int i = 0; move_dates[i]; i++)
            if (get(r, move_dates[i]))
                return rn__err_field(err, RN_ECONSTRAINT, move_dates[i],
                                     "trace request %s is a draft: '%s' is set by its move "
                                     "(`remnant trace`)", id, move_dates[i]);
        return RN_OK;
    }
    if (!get(r, "sent"))
        return rn__err_field(err, RN_ECONSTRAINT, "sent",
                             "trace request %s is %s: when was it sent?", id, st);
    const char *d = move_date(st);
    if (d && !get(r, d))
        return rn__err_field(err, RN_ECONSTRAINT, d,
                             "trace request %s is %s: the date of that move ('%s') is missing",
                             id, st, d);
    if (is(st, "answered") && !get(r, "answer"))
        return rn__err_field(err, RN_ECONSTRAINT, "answer",
                             "trace request %s is answered: the answer's text is missing", id);
    if (is(st, "overdue")) {
        int di = rn_type_field_index(RN_T_TRACE, "due", 3);
        int oi = rn_type_field_index(RN_T_TRACE, "overdue_since", 13);
        rn_date due = rn_record_date_at(r, di), od = rn_record_date_at(r, oi);
        if (due.precision == RN_PREC_NONE || due.latest >= od.earliest)
            return rn__err_field(err, RN_ECONSTRAINT, "overdue_since",
                                 "trace request %s is overdue only after its due date", id);
    }
    return RN_OK;
}

static rn_code trace_plain(const rn_record *old, const rn_record *r, rn_error *err)
{
    if (!old) /* W6: a new request is a draft */
        return is(status_of(r), "draft")
                   ? trace_facts(r, err)
                   : rn__err_field(err, RN_ECONSTRAINT, "status",
                                   "a new trace request is a draft; it becomes %s only by its "
                                   "moves (`remnant trace send`, `answer` ...)", status_of(r));
    const char *id = rn_record_id(r);
    if (is(status_of(old), "closed"))
        return rn__err(err, RN_ECONSTRAINT, "trace request %s is closed and cannot change", id);
    if (!is(status_of(old), status_of(r)))
        return rn__err_field(err, RN_ECONSTRAINT, "status",
                             "trace request %s changes status only by its moves (`remnant "
                             "trace send`, `ack`, `answer` ...)", id);
    size_t n;
    const rn_field *f = rn_type_fields(RN_T_TRACE, &n);
    for (size_t i = 0; i < n; i++)
        for (int k = 0; move_dates[k]; k++)
            if (is(f[i].name, move_dates[k]) && !same_field(old, r, (int)i))
                return rn__err_field(err, RN_ECONSTRAINT, f[i].name,
                                     "trace request %s: '%s' is the date of a move and "
                                     "changes only with it", id, f[i].name);
    return trace_facts(r, err);
}

static rn_code trace_act(const rn_record *old, const rn_record *r, rn_error *err)
{
    const char *from = status_of(old), *to = status_of(r), *id = rn_record_id(r);
    if (!trace_arrow(from, to))
        return rn__err_field(err, RN_ECONSTRAINT, "status",
                             "trace request %s is %s; it cannot become %s (draft -> sent -> "
                             "acknowledged -> answered | refused | no-answer | overdue -> "
                             "closed)", id, from, to);
    const char *allowed[5] = {"status", move_date(to), NULL, NULL, NULL};
    if (is(to, "sent"))
        allowed[2] = "due";
    if (is(to, "answered") || is(to, "refused"))
        allowed[2] = "answer";
    rn_code rc = only_changed(old, r, allowed, "a move changes its status and date only", err);
    return rc ? rc : trace_facts(r, err);
}

/* ---- the guard ------------------------------------------------------------------- */

rn_code rn__lifecycle_put(rn_store *s, rn_record *r, rn_put_mode mode, int how, rn_error *err)
{
    rn_type t = rn_record_type(r);
    if (!rn__lifecycle_type(t))
        return RN_OK;
    rn_record *old = NULL;
    if (mode != RN_PUT_CREATE) {
        rn_code rc = s->ops->get(s, rn_record_id(r), &old, NULL);
        if (rc == RN_OK && rn_record_type(old) != t) {
            rn_record_free(old); /* the store reports the type clash */
            return RN_OK;
        }
        if (rc)
            old = NULL;
    }
    rn_code rc;
    if ((how == RN__PUT_IMPORT && !old) || how == RN__PUT_SYNC)
        rc = t == RN_T_FINDING ? finding_facts(r, err) : trace_facts(r, err);
    else if (how == RN__PUT_ACT && old)
        rc = t == RN_T_FINDING ? finding_act(s, old, r, err) : trace_act(old, r, err);
    else if (how == RN__PUT_ACT)
        rc = rn__err(err, RN_ENOTFOUND, "no record with id %s", rn_record_id(r));
    else
        rc = t == RN_T_FINDING ? finding_plain(s, old, r, err) : trace_plain(old, r, err);
    rn_record_free(old);
    return rc;
}

rn_code rn__lifecycle_delete(rn_store *s, const char *id, rn_error *err)
{
    rn_record *old = NULL;
    if (s->ops->get(s, id, &old, NULL) != RN_OK)
        return RN_OK; /* the store reports a missing record */
    rn_code rc = RN_OK;
    if (rn_record_type(old) == RN_T_FINDING && !is(status_of(old), "draft")) /* W2 */
        rc = is(status_of(old), "withdrawn")
                 ? rn__err(err, RN_ECONSTRAINT, "finding %s is withdrawn and stays on record: "
                           "it cannot be removed", id)
                 : rn__err(err, RN_ECONSTRAINT,
                           "finding %s is %s and cannot be removed: `remnant finding withdraw "
                           "%s --reason TEXT` takes it back, in the open", id, status_of(old),
                           id);
    rn_record_free(old);
    return rc;
}
