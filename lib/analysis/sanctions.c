/* SPDX-License-Identifier: Apache-2.0
 *
 * sanctions.c — candidate sanctions exposures (rn_sanctions_scan) and their
 * dismissal (rn_sanctions_dismiss).
 *
 * The rule. A flag is raised for component C in weapon W when
 *   R1. W (an item without a parent) is attributed to state T (effective
 *       producing state) and some `sanction` record targets T;
 *   R2. C is a descendant of W of kind `component` whose effective
 *       manufacturer country is known and is not T (the manufacturer itself
 *       may be unknown: "a US-made chip" is enough);
 *   R3. C's effective production interval P lies after a measure M of T:
 *       "certainly after" when P.earliest > M.adopted.latest, "possibly
 *       after" when P straddles the adoption date (P.latest >= M.adopted
 *       .earliest). A component without a production date is counted as
 *       "not assessable", never flagged. P is the effective date, an
 *       ambiguous hull included (effective.c D1-D2), so an illegible or
 *       ambiguous date code gives "possibly after" where its readings
 *       disagree, never a false "certainly".
 *   An ambiguous manufacturer (the decoder's makers tie, effective.c M1)
 *   meets R2 when some tied maker's country is known and is not T; its flag
 *   says "manufacturer_ambiguous" and lists the tied makers, and gives no
 *   single manufacturer or country as if it were decided.
 * One flag per (component, target): its headline measure is the earliest
 * one it certainly follows (else the earliest it possibly follows); every
 * other measure it follows is listed. The engine does not judge whether a
 * measure's prohibited categories cover the part, nor how the part reached
 * T: a flag is a lead for an analyst, never a verdict, and says so.
 *
 * Each flag also carries what the decoder said of the component's markings
 * (stored candidates, docs/DECODE.md): its plausibility flags ("possible
 * re-marking or counterfeit", with rule and source) and the export-control
 * category its part class usually falls under (HS-6 code and CHPL tier,
 * with rule and source) -- context for the analyst, never a customs ruling
 * and never a change to the flag itself.
 *
 * Flag ids are "<component id>:<target>", stable across scans. Every flag
 * is counted (in total and per headline measure, in the "measures" table);
 * the first `limit` (default 100) of the open and of the dismissed are
 * written out in full, in weapon then component id order.
 *
 * Dismissals are `finding` records (no new record type): status draft,
 * statement "Sanctions flag F dismissed: REASON", evidence = the component
 * and the target's measures, notes "rn:dismiss-flag F". So a dismissal is
 * logged in the evidence log with its author, can be reviewed like any
 * finding, and is undone by removing that finding. The scan reads them back
 * by that notes prefix.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_int.h"

#define SN_DISMISS_PREFIX "rn:dismiss-flag "
#define SN_MEASURES_MAX 4096
#define SN_DEFAULT_LIMIT 100 /* flags written out per list */

typedef struct sn_measure {
    char id[RN_ID_LEN + 1];
    char target[3];
    rn_date adopted;
    char *instrument, *regime, *source, *prohibits;
} sn_measure;

typedef struct sn_dismissal {
    char flag[RN_ID_LEN + 4];
    char finding[RN_ID_LEN + 1];
    char *statement, *status;
} sn_dismissal;

typedef struct sn_ctx {
    sn_measure *m;
    size_t nm;
    sn_dismissal *d;
    size_t nd;
} sn_ctx;

static const char measures_sql[] =
    "SELECT id, target, adopted_earliest, adopted_latest, adopted_precision, instrument, "
    "regime, source, prohibits FROM sanction WHERE target IS NOT NULL "
    "ORDER BY adopted_earliest, id";
static const char dismiss_sql[] =
    "SELECT id, notes, statement, status FROM finding WHERE notes LIKE 'rn:dismiss-flag %' "
    "AND coalesce(status, 'draft') <> 'withdrawn' ORDER BY id"; /* a withdrawn one counts not */
static const char roots_sql[] =
    "SELECT i.id, i.weapon_system, i.producing_state, i.event, e.country, e.place "
    "FROM item i LEFT JOIN event e ON e.id = i.event WHERE i.parent IS NULL "
    "AND (?1 IS NULL OR i.id = ?1) AND (?2 IS NULL OR i.event = ?2) "
    "AND (?3 IS NULL OR e.country = ?3) ORDER BY i.id";
static const char tree_sql[] =
    "WITH RECURSIVE tree(id) AS (SELECT ?1 UNION ALL "
    "SELECT c.id FROM tree t JOIN item c ON c.parent = t.id) "
    "SELECT c.id, c.name, c.manufacturer, c.manufacturer_country, c.produced_earliest, "
    "c.produced_latest, c.produced_precision FROM tree t JOIN item c ON c.id = t.id "
    "WHERE c.kind = 'component' ORDER BY c.id";

static char *dup_col(sqlite3_stmt *st, int c)
{
    const char *t = rn__col_text(st, c);
    return rn__strndup(t ? t : "", t ? strlen(t) : 0);
}

static void ctx_free(sn_ctx *c)
{
    for (size_t i = 0; i < c->nm; i++) {
        rn_free(c->m[i].instrument);
        rn_free(c->m[i].regime);
        rn_free(c->m[i].source);
        rn_free(c->m[i].prohibits);
    }
    for (size_t i = 0; i < c->nd; i++) {
        rn_free(c->d[i].statement);
        rn_free(c->d[i].status);
    }
    rn_free(c->m);
    rn_free(c->d);
}

static rn_code load(sqlite3 *db, sn_ctx *c, rn_error *err)
{
    sqlite3_stmt *st = NULL;
    rn_code rc = RN_OK;
    int r;
    size_t cap = 0;
    if (sqlite3_prepare_v2(db, measures_sql, -1, &st, NULL) != SQLITE_OK)
        return rn__sql_err(db, err, "reading sanctions measures");
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (c->nm == SN_MEASURES_MAX)
            break;
        if (c->nm == cap) {
            cap = cap ? 2 * cap : 32;
            sn_measure *m = rn__realloc(c->m, cap * sizeof *m);
            if (!m) {
                rc = rn__err(err, RN_ENOMEM, "out of memory");
                goto out;
            }
            c->m = m;
        }
        sn_measure *m = &c->m[c->nm];
        memset(m, 0, sizeof *m);
        rn__cpy(m->id, sizeof m->id, rn__col_text(st, 0));
        rn__cpy(m->target, sizeof m->target, rn__col_text(st, 1));
        m->adopted = rn__col_date(st, 2);
        c->nm++;
        m->instrument = dup_col(st, 5);
        m->regime = dup_col(st, 6);
        m->source = dup_col(st, 7);
        m->prohibits = dup_col(st, 8);
        if (!m->instrument || !m->regime || !m->source || !m->prohibits) {
            rc = rn__err(err, RN_ENOMEM, "out of memory");
            goto out;
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    cap = 0;
    if (sqlite3_prepare_v2(db, dismiss_sql, -1, &st, NULL) != SQLITE_OK)
        return rn__sql_err(db, err, "reading dismissals");
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *notes = rn__col_text(st, 1);
        if (c->nd == cap) {
            cap = cap ? 2 * cap : 16;
            sn_dismissal *d = rn__realloc(c->d, cap * sizeof *d);
            if (!d) {
                rc = rn__err(err, RN_ENOMEM, "out of memory");
                goto out;
            }
            c->d = d;
        }
        sn_dismissal *d = &c->d[c->nd];
        memset(d, 0, sizeof *d);
        const char *fl = notes + strlen(SN_DISMISS_PREFIX);
        size_t fn = strcspn(fl, " \n");
        if (fn >= sizeof d->flag)
            continue;
        memcpy(d->flag, fl, fn);
        d->flag[fn] = '\0';
        rn__cpy(d->finding, sizeof d->finding, rn__col_text(st, 0));
        c->nd++;
        d->statement = dup_col(st, 2);
        d->status = dup_col(st, 3);
        if (!d->statement || !d->status) {
            rc = rn__err(err, RN_ENOMEM, "out of memory");
            goto out;
        }
    }
out:
    sqlite3_finalize(st);
    return rc;
}

static const sn_dismissal *find_dismissal(const sn_ctx *c, const char *flag)
{
    for (size_t i = c->nd; i-- > 0;) /* newest first */
        if (!strcmp(c->d[i].flag, flag))
            return &c->d[i];
    return NULL;
}

static int has_target(const sn_ctx *c, const char *t)
{
    for (size_t i = 0; i < c->nm; i++)
        if (!strcmp(c->m[i].target, t))
            return 1;
    return 0;
}

/* 2: certainly after, 1: possibly after, 0: not after. */
static int relation(const rn_date *p, const rn_date *adopted)
{
    if (p->earliest != RN_DAY_OPEN_LOW && p->earliest > adopted->latest)
        return 2;
    if (p->latest == RN_DAY_OPEN_HIGH || p->latest >= adopted->earliest)
        return 1;
    return 0;
}

/* A measure as a flag cites it (the full record is in the result's
 * "measures" table); full: with its source too (the headline measure). */
static json_t *measure_json(const sn_measure *m, int rel, const rn_date *p, int full)
{
    json_t *o = json_object();
    rn__jset(o, "sanction", json_string(m->id));
    rn__jset(o, "instrument", json_string(m->instrument));
    rn__jset(o, "adopted", rn__json_date(&m->adopted));
    if (full)
        rn__jset(o, "source", json_string(m->source));
    rn__jset(o, "relation", json_string(rel == 2 ? "certainly after" : "possibly after"));
    int64_t mn, mx;
    if (rn_date_span(&m->adopted, p, &mn, &mx) == RN_OK)
        rn__jset(o, "days_after_adoption", rn__json_span(mn, mx));
    return o;
}

rn_code rn_sanctions_scan(rn_store *s, const rn_analysis_filter *f, int include_dismissed,
                          char **json, size_t *len, rn_error *err)
{
    static const rn_analysis_filter none;
    if (!f)
        f = &none;
    *json = NULL;
    sqlite3 *db;
    rn_code rc = rn__analysis_db(s, &db, err);
    if (rc)
        return rc;
    sn_ctx c = {0};
    sqlite3_stmt *rs = NULL, *ts = NULL, *ds = NULL;
    rn__eff *e = NULL;
    json_t *root = NULL, *flags = json_array(), *dismissed = json_array();
    uint64_t weapons = 0, foreign = 0, not_assessable = 0, before = 0, n_open = 0,
             n_dismissed = 0;
    uint64_t *by_measure = NULL;
    long limit = f->limit > 0 ? f->limit : SN_DEFAULT_LIMIT;
    if ((rc = load(db, &c, err)) || (rc = rn__eff_open(db, &e, err)))
        goto out;
    by_measure = rn__calloc(c.nm ? c.nm : 1, sizeof *by_measure);
    if (!by_measure) {
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    if (sqlite3_prepare_v2(db, roots_sql, -1, &rs, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, tree_sql, -1, &ts, NULL) != SQLITE_OK) {
        rc = rn__sql_err(db, err, "sanctions query");
        goto out;
    }
    if ((rc = rn__decoded_notes_prepare(db, &ds, err)))
        goto out;
    rn__bind_opt(rs, 1, f->item);
    rn__bind_opt(rs, 2, f->event);
    rn__bind_opt(rs, 3, f->country);
    int r;
    while (c.nm && (r = sqlite3_step(rs)) == SQLITE_ROW) {
        const char *wid = rn__col_text(rs, 0);
        rn__eff_val ws, ps;
        if ((rc = rn__eff_get(e, wid, "weapon_system", rn__col_text(rs, 1), NULL, NULL, &ws, err)) ||
            (rc = rn__eff_get(e, wid, "producing_state", rn__col_text(rs, 2), rn__col_text(rs, 2),
                              NULL, &ps, err)))
            goto out;
        const char *T = ps.country[0] ? ps.country : ps.text;
        if (!T[0] || !has_target(&c, T))
            continue;
        if ((f->weapon_system && *f->weapon_system && strcmp(ws.text, f->weapon_system)) ||
            (f->producing_state && *f->producing_state && strcmp(T, f->producing_state)))
            continue;
        weapons++;
        sqlite3_reset(ts);
        sqlite3_bind_text(ts, 1, wid, -1, SQLITE_TRANSIENT);
        while ((r = sqlite3_step(ts)) == SQLITE_ROW) {
            const char *cid = rn__col_text(ts, 0);
            rn__eff_val mk, pd;
            rn_date own = rn__col_date(ts, 4);
            if ((rc = rn__eff_get(e, cid, "manufacturer", rn__col_text(ts, 2), rn__col_text(ts, 3),
                                  NULL, &mk, err)))
                goto out;
            int amb = mk.ambiguous && mk.nties > 1, outside = 0;
            for (int k = 0; amb && k < mk.nties; k++)
                outside |= mk.ties[k].country[0] && strcmp(mk.ties[k].country, T) != 0;
            if (amb ? !outside : (!mk.country[0] || !strcmp(mk.country, T)))
                continue;
            foreign++;
            if ((rc = rn__eff_get(e, cid, "production_date", NULL, NULL, &own, &pd, err)))
                goto out;
            if (!pd.set || pd.date.precision == RN_PREC_NONE) {
                not_assessable++;
                continue;
            }
            const sn_measure *head = NULL;
            int head_rel = 0;
            for (size_t i = 0; i < c.nm; i++) {
                if (strcmp(c.m[i].target, T))
                    continue;
                int rel = relation(&pd.date, &c.m[i].adopted);
                if (rel > head_rel) {
                    head = &c.m[i];
                    head_rel = rel;
                }
            }
            if (!head) {
                before++;
                continue;
            }
            char flag[RN_ID_LEN + 4];
            snprintf(flag, sizeof flag, "%.26s:%.2s", cid, T);
            const sn_dismissal *d = find_dismissal(&c, flag);
            by_measure[head - c.m]++;
            if (d)
                n_dismissed++;
            else
                n_open++;
            /* every flag is counted; the first `limit` of each list are
             * written out (the rest: --limit, or narrow the filters) */
            if (d ? (!include_dismissed || (long)json_array_size(dismissed) >= limit)
                  : (long)json_array_size(flags) >= limit)
                continue;
            json_t *o = json_object(), *also = json_array();
            rn__jset(o, "flag", json_string(flag));
            rn__jset(o, "component", json_string(cid));
            rn__jset(o, "component_name", rn__jstr(rn__col_text(ts, 1)));
            rn__jset(o, "manufacturer", mk.text[0] && !amb ? json_string(mk.text) : NULL);
            rn__jset(o, "manufacturer_country", amb ? NULL : json_string(mk.country));
            rn__jset(o, "manufacturer_ambiguous", json_boolean(amb));
            rn__jset(o, "manufacturer_candidates", rn__json_ties(&mk));
            rn__jset(o, "manufacturer_basis", json_string(mk.basis));
            rn__jset(o, "produced", rn__json_date(&pd.date));
            rn__jset(o, "produced_basis", json_string(pd.basis));
            rn__jset(o, "produced_ambiguous", json_boolean(pd.ambiguous));
            rn__jset(o, "produced_readings", rn__json_readings(&pd));
            rn__jset(o, "weapon", json_string(wid));
            rn__jset(o, "weapon_system", ws.set ? json_string(ws.text) : NULL);
            rn__jset(o, "target", json_string(T));
            rn__jset(o, "target_basis", json_string(ps.basis));
            rn__jset(o, "event", rn__jstr(rn__col_text(rs, 3)));
            rn__jset(o, "place", rn__jstr(rn__col_text(rs, 5)));
            rn__jset(o, "measure", measure_json(head, head_rel, &pd.date, 1));
            for (size_t i = 0; i < c.nm; i++) {
                if (&c.m[i] == head || strcmp(c.m[i].target, T))
                    continue;
                int rel = relation(&pd.date, &c.m[i].adopted);
                if (rel)
                    json_array_append_new(also, measure_json(&c.m[i], rel, &pd.date, 0));
            }
            rn__jset(o, "also_after", also);
            char flagged[200], category[200];
            if ((rc = rn__decoded_notes(s, ds, cid, o, flagged, category, sizeof flagged,
                                        err))) {
                json_decref(o);
                goto out;
            }
            char pt[RN_DATE_TEXT_MAX], at[RN_DATE_TEXT_MAX], words[3600];
            rn_date_format(&pd.date, pt, sizeof pt);
            rn_date_format(&head->adopted, at, sizeof at);
            char ambc[4 * RN__TIES_MAX + 8] = "";
            for (int k = 0; amb && k < mk.nties; k++) {
                size_t al = strlen(ambc);
                snprintf(ambc + al, sizeof ambc - al, "%s%s", k ? " or " : "",
                         mk.ties[k].country[0] ? mk.ties[k].country : "?");
            }
            snprintf(words, sizeof words,
                     "LEAD, NOT A VERDICT: component %s (%s, %s; %s) was produced %s "
                     "(%s precision%s; %s), %s the adoption of %s on %s, and was found in "
                     "weapon %s attributed to %s (%s). Whether the measure covers this part and "
                     "how it reached %s is for an analyst to establish.",
                     cid, amb ? "maker ambiguous" : mk.text[0] ? mk.text : "maker unknown",
                     amb ? ambc : mk.country, mk.basis, pt,
                     rn_precision_name(pd.date.precision),
                     pd.ambiguous ? ", ambiguous reading" : "", pd.basis,
                     head_rel == 2 ? "certainly after" : "possibly after (the intervals overlap)",
                     head->instrument, at, wid, T, ps.basis, T);
            size_t wl = strlen(words);
            if (flagged[0])
                snprintf(words + wl, sizeof words - wl, " The decoder flags a marking of it as a "
                         "possible re-marking or counterfeit (rule %s).", flagged);
            wl = strlen(words);
            if (category[0])
                snprintf(words + wl, sizeof words - wl, " Its part class usually falls under %s "
                         "(a category, not a customs ruling).", category);
            rn__jset(o, "words", json_string(words));
            if (d) {
                json_t *dj = json_object();
                rn__jset(dj, "finding", json_string(d->finding));
                rn__jset(dj, "statement", json_string(d->statement));
                rn__jset(dj, "status", json_string(d->status));
                rn__jset(o, "status", json_string("dismissed"));
                rn__jset(o, "dismissal", dj);
                json_array_append_new(dismissed, o);
            } else {
                rn__jset(o, "status", json_string("open"));
                json_array_append_new(flags, o);
            }
        }
        if (r != SQLITE_DONE) {
            rc = rn__sql_err(db, err, "component tree");
            goto out;
        }
    }
    if (c.nm && r != SQLITE_DONE) {
        rc = rn__sql_err(db, err, "sanctions query");
        goto out;
    }
    root = json_object();
    rn__jset(root, "analysis", json_string("sanctions"));
    rn__jset(root, "notice",
             json_string("Flags are leads for an analyst, never verdicts: the rule compares "
                         "dates and countries only; it does not establish that a measure covers "
                         "a part or how the part was transferred."));
    rn__jset(root, "rule",
             json_string("component (kind component) made by a manufacturer outside the target "
                         "state, produced after a measure's adoption date, found in a weapon "
                         "attributed to the target state"));
    json_t *cnt = json_object();
    rn__jset(cnt, "measures", json_integer((json_int_t)c.nm));
    rn__jset(cnt, "weapons_attributed_to_a_target", json_integer((json_int_t)weapons));
    rn__jset(cnt, "foreign_components", json_integer((json_int_t)foreign));
    rn__jset(cnt, "not_assessable_no_date", json_integer((json_int_t)not_assessable));
    rn__jset(cnt, "before_every_measure", json_integer((json_int_t)before));
    rn__jset(cnt, "open_flags", json_integer((json_int_t)n_open));
    rn__jset(cnt, "dismissed_flags", json_integer((json_int_t)n_dismissed));
    rn__jset(cnt, "flags_listed", json_integer((json_int_t)json_array_size(flags)));
    json_t *mt = json_array();
    for (size_t i = 0; i < c.nm; i++) {
        json_t *o = json_object();
        rn__jset(o, "sanction", json_string(c.m[i].id));
        rn__jset(o, "regime", json_string(c.m[i].regime));
        rn__jset(o, "instrument", json_string(c.m[i].instrument));
        rn__jset(o, "target", json_string(c.m[i].target));
        rn__jset(o, "adopted", rn__json_date(&c.m[i].adopted));
        rn__jset(o, "prohibits", json_loads(c.m[i].prohibits[0] ? c.m[i].prohibits : "[]", 0, NULL));
        rn__jset(o, "source", json_string(c.m[i].source));
        rn__jset(o, "flags_headlined", json_integer((json_int_t)by_measure[i]));
        json_array_append_new(mt, o);
    }
    rn__jset(root, "measures", mt);
    rn__jset(root, "counts", cnt);
    rn__jset(root, "flags", flags);
    rn__jset(root, "dismissed", dismissed);
    flags = dismissed = NULL;
    rc = rn__json_finish(root, json, len, err);
    root = NULL;
out:
    json_decref(root);
    json_decref(flags);
    json_decref(dismissed);
    sqlite3_finalize(rs);
    sqlite3_finalize(ts);
    sqlite3_finalize(ds);
    rn__eff_close(e);
    ctx_free(&c);
    rn_free(by_measure);
    return rc;
}

rn_code rn_sanctions_dismiss(rn_store *s, const char *flag, const char *reason,
                             char out_id[RN_ID_LEN + 1], rn_error *err)
{
    size_t fl = strlen(flag);
    if (fl != RN_ID_LEN + 3 || flag[RN_ID_LEN] != ':' || !rn_id_valid(flag, RN_ID_LEN))
        return rn__err(err, RN_EINVAL,
                       "'%s' is not a flag id: expected COMPONENT_ID:CC as `remnant sanctions` "
                       "prints it", flag);
    if (!reason[0])
        return rn__err(err, RN_EINVAL, "a dismissal needs a reason");
    char comp[RN_ID_LEN + 1];
    memcpy(comp, flag, RN_ID_LEN);
    comp[RN_ID_LEN] = '\0';
    rn_record *item = NULL, *fnd = NULL;
    rn_code rc = rn_store_get(s, comp, &item, err);
    if (rc)
        return rc;
    rn_record_free(item);
    rn_buf ev, st, notes;
    rn__buf_init(&ev, 4096);
    rn__buf_init(&st, 21000);
    rn__buf_init(&notes, 300);
    sqlite3 *db;
    sqlite3_stmt *q = NULL;
    if ((rc = rn__analysis_db(s, &db, err)))
        goto out;
    if ((rc = rn__buf_adds(&ev, comp)))
        goto out;
    if (sqlite3_prepare_v2(db, "SELECT id FROM sanction WHERE target = ?1 ORDER BY id", -1, &q,
                           NULL) != SQLITE_OK) {
        rc = rn__sql_err(db, err, "reading measures");
        goto out;
    }
    sqlite3_bind_text(q, 1, flag + RN_ID_LEN + 1, 2, SQLITE_STATIC);
    while (sqlite3_step(q) == SQLITE_ROW)
        if ((rc = rn__buf_printf(&ev, ";%s", rn__col_text(q, 0))))
            goto out;
    if ((rc = rn__buf_printf(&st, "Sanctions flag %s dismissed: %s", flag, reason)) ||
        (rc = rn__buf_printf(&notes, SN_DISMISS_PREFIX "%s", flag)) ||
        (rc = rn__buf_cstr(&ev)) || (rc = rn__buf_cstr(&st)) || (rc = rn__buf_cstr(&notes))) {
        rn__err(err, rc, "the reason is too long");
        goto out;
    }
    fnd = rn_record_new(RN_T_FINDING);
    if (!fnd) {
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = rn_record_set(fnd, "statement", st.data, st.len, err)) ||
        (rc = rn_record_set(fnd, "evidence", ev.data, ev.len, err)) ||
        (rc = rn_record_set(fnd, "status", "draft", 5, err)) ||
        (rc = rn_record_set(fnd, "notes", notes.data, notes.len, err)))
        goto out;
    if (s->author[0] && (rc = rn_record_set(fnd, "author", s->author, strlen(s->author), err)))
        goto out;
    sqlite3_finalize(q);
    q = NULL;
    if ((rc = rn_store_put(s, fnd, RN_PUT_CREATE, err)))
        goto out;
    rn__cpy(out_id, RN_ID_LEN + 1, rn_record_id(fnd));
out:
    sqlite3_finalize(q);
    rn_record_free(fnd);
    rn__buf_free(&ev);
    rn__buf_free(&st);
    rn__buf_free(&notes);
    return rc;
}
