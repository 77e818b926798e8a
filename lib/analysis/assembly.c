/* SPDX-License-Identifier: Apache-2.0
 *
 * assembly.c — the earliest possible assembly of an item: no item is put
 * together before its parts are made, so the largest `earliest` over the
 * effective production dates of its descendants of kind `component` is a
 * lower bound on when the item was assembled — and so on its own
 * production date. origin reports it per weapon; timeline uses it to bound
 * the production date from below (use cannot precede assembly).
 *
 * Contracts:
 *  A1. Only components count (boards and parts alike); sections, packaging
 *      and documents are walked through.
 *  A2. A component's date is its effective production date (effective.c),
 *      an ambiguous hull included: the bound then rests on the hull's lower
 *      end and says it is ambiguous. An open lower end bounds nothing.
 *  A3. Ties keep the first component met (rn__assembly_of: id order).
 */
#include <stdio.h>
#include <string.h>

#include "analysis/analysis_int.h"

static const char parts_sql[] =
    "WITH RECURSIVE tree(id, d) AS (SELECT ?1, 0 UNION ALL "
    "SELECT c.id, t.d + 1 FROM tree t JOIN item c ON c.parent = t.id WHERE t.d < 64) "
    "SELECT c.id, c.produced_earliest, c.produced_latest, c.produced_precision "
    "FROM tree t JOIN item c ON c.id = t.id WHERE t.d > 0 AND c.kind = 'component' "
    "ORDER BY c.id";

static const char one_sql[] =
    "SELECT produced_earliest, produced_latest, produced_precision FROM item WHERE id = ?1";

void rn__assembly_add(rn__assembly *a, const char *component, const rn__eff_val *pd)
{
    if (!pd->set || pd->date.precision == RN_PREC_NONE || pd->date.earliest == RN_DAY_OPEN_LOW)
        return;
    if (a->found && pd->date.earliest <= a->day)
        return;
    a->found = 1;
    a->day = pd->date.earliest;
    a->produced = pd->date;
    a->ambiguous = pd->ambiguous;
    rn__cpy(a->component, sizeof a->component, component);
    rn__cpy(a->basis, sizeof a->basis, pd->basis);
}

rn_code rn__assembly_of(rn__eff *e, const char *id, rn__assembly *a, rn_error *err)
{
    memset(a, 0, sizeof *a);
    sqlite3 *db = rn__eff_db(e);
    sqlite3_stmt *st = rn__eff_stmt(e, parts_sql);
    rn_code rc = RN_OK;
    if (!st)
        return rn__sql_err(db, err, "components of an item");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    int r;
    int32_t best = RN_DAY_OPEN_LOW;
    char best_id[RN_ID_LEN + 1] = "";
    rn__eff_val pd;
    /* each part's earliest day once per analysis (the memo): a section and
     * its weapon share their parts */
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *cid = rn__col_text(st, 0);
        int32_t d;
        if (!cid)
            continue;
        if (!rn__eff_memo_get(e, cid, &d)) {
            rn_date own = rn__col_date(st, 1);
            if ((rc = rn__eff_get(e, cid, "production_date", NULL, NULL, &own, &pd, err)))
                goto out;
            d = pd.set && pd.date.precision != RN_PREC_NONE ? pd.date.earliest
                                                             : RN_DAY_OPEN_LOW;
            rn__eff_memo_put(e, cid, d);
        }
        if (d != RN_DAY_OPEN_LOW && (!best_id[0] || d > best)) {
            best = d;
            rn__cpy(best_id, sizeof best_id, cid);
        }
    }
    if (r != SQLITE_DONE) {
        rc = rn__sql_err(db, err, "components of an item");
        goto out;
    }
    sqlite3_reset(st);
    if (best_id[0]) { /* the winner's date and basis, looked up again */
        sqlite3_stmt *one = rn__eff_stmt(e, one_sql);
        if (!one) {
            rc = rn__sql_err(db, err, "a component");
            goto out;
        }
        sqlite3_bind_text(one, 1, best_id, -1, SQLITE_TRANSIENT);
        rn_date own = {0, 0, RN_PREC_NONE};
        if (sqlite3_step(one) == SQLITE_ROW)
            own = rn__col_date(one, 0);
        sqlite3_reset(one);
        if ((rc = rn__eff_get(e, best_id, "production_date", NULL, NULL, &own, &pd, err)))
            goto out;
        rn__assembly_add(a, best_id, &pd);
    }
out:
    sqlite3_reset(st);
    return rc;
}

json_t *rn__json_assembly(const rn__assembly *a)
{
    if (!a->found)
        return NULL;
    char day[11], words[600], dt[RN_DATE_TEXT_MAX];
    rn_day_format(a->day, day);
    rn_date_format(&a->produced, dt, sizeof dt);
    json_t *o = json_object();
    rn__jset(o, "date", json_string(day));
    rn__jset(o, "component", json_string(a->component));
    rn__jset(o, "component_produced", rn__json_date(&a->produced));
    rn__jset(o, "component_produced_ambiguous", json_boolean(a->ambiguous));
    rn__jset(o, "basis", json_string(a->basis));
    snprintf(words, sizeof words,
             "cannot have been assembled before %s: component %s was produced %s (%s)", day,
             a->component, dt, a->basis);
    rn__jset(o, "words", json_string(words));
    return o;
}
