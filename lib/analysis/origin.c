/* SPDX-License-Identifier: Apache-2.0
 *
 * origin.c — component origin (rn_origin): for each selected weapon its
 * component tree; per component the effective manufacturer, the
 * manufacturer's country (of headquarters) and production (date-code)
 * interval; tables by country and by manufacturer with counts and shares;
 * date codes by year; and each weapon's earliest possible assembly date.
 *
 * Contracts:
 *  1. A weapon is an item without a parent of kind weapon or munition (or
 *     the item named by the filter, whatever its kind). Its components are
 *     its descendants of kind `component` (boards and parts alike); other
 *     descendants (sections, packaging) are walked through, not counted.
 *  2. "Foreign" means a known manufacturer country different from the
 *     weapon's effective producing state. When that state is unknown,
 *     foreign is unknown too (JSON null, "unknown" in words), never 0: such
 *     weapons' components are counted apart ("foreign_unknown"). Shares by
 *     country are over components whose country is known.
 *  3. Manufacturers are grouped by company (makers.c, G1-G3), each row
 *     listing its spellings; a company seen with two countries (over time or
 *     in different readings) is one row with both countries listed;
 *     by-country counts follow each component's own country.
 *  6. A component whose manufacturer is unknown but whose country is known
 *     (manufacturer_country alone, a claim's country) counts by country and
 *     is listed under "manufacturer unknown".
 *  4. A date code counts for a year only when its whole interval lies in
 *     that year; an interval over several years (an ambiguous code, or a
 *     range) is counted under "spans years" and never silently assigned.
 *  5. Earliest possible assembly = the largest `earliest` over the weapon's
 *     component production intervals: no part can be fitted before it was
 *     made. The component and its basis are named.
 *  7. A component whose maker is ambiguous (the decoder's makers tie,
 *     effective.c M1) is certain of nothing: it is counted under each tied
 *     maker's country and under each tied maker only as "possible", never
 *     in "count", in a share, in "with_country" or in "foreign"; totals
 *     count it as "manufacturer_ambiguous" (and "foreign_possible" when a
 *     tied maker's country differs from the known producing state). The
 *     tree lists the tied makers ("manufacturer_candidates") and gives no
 *     manufacturer.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_int.h"

#define OR_DEFAULT_LIMIT 20

typedef struct or_row {
    char key[201];
    char countries[32]; /* "US", "US,DE" ... (manufacturers) */
    uint64_t count;
    uint64_t possible;  /* 7: ambiguous components that may belong here */
    json_t *items;      /* ids, up to limit */
    json_t *possible_items;
} or_row;

typedef struct or_table {
    or_row *r;
    size_t n, cap;
} or_table;

static const char roots_sql[] =
    "SELECT i.id, i.weapon_system, i.producing_state, i.name, e.id, e.country "
    "FROM item i LEFT JOIN event e ON e.id = " RN__SQL_INHERIT("i", "event") " "
    "WHERE (?1 IS NOT NULL AND i.id = ?1) OR (?1 IS NULL AND i.parent IS NULL "
    "AND i.kind IN ('weapon', 'munition') AND (?2 IS NULL OR i.event = ?2) "
    "AND (?3 IS NULL OR e.country = ?3)) ORDER BY i.id";

static const char tree_sql[] =
    "WITH RECURSIVE tree(id, depth) AS (SELECT ?1, 0 UNION ALL "
    "SELECT c.id, t.depth + 1 FROM tree t JOIN item c ON c.parent = t.id ORDER BY 2 DESC) "
    "SELECT c.id, c.parent, t.depth, c.kind, c.category, c.name, c.manufacturer, "
    "c.manufacturer_country, c.produced_earliest, c.produced_latest, c.produced_precision, "
    "c.serial, c.lot FROM tree t JOIN item c ON c.id = t.id WHERE t.depth > 0";

static or_row *table_get(or_table *t, const char *key, rn_error *err)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->r[i].key, key))
            return &t->r[i];
    if (t->n == t->cap) {
        size_t nc = t->cap ? 2 * t->cap : 16;
        or_row *r = rn__realloc(t->r, nc * sizeof *r);
        if (!r) {
            rn__err(err, RN_ENOMEM, "out of memory");
            return NULL;
        }
        t->r = r;
        t->cap = nc;
    }
    or_row *r = &t->r[t->n++];
    memset(r, 0, sizeof *r);
    rn__cpy(r->key, sizeof r->key, key);
    r->items = json_array();
    r->possible_items = json_array();
    return r;
}

static void table_free(or_table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        json_decref(t->r[i].items);
        json_decref(t->r[i].possible_items);
    }
    rn_free(t->r);
    t->r = NULL;
    t->n = t->cap = 0;
}

static int cmp_row(const void *a, const void *b)
{
    const or_row *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* Table rows as JSON, sorted by count; share over `denom`. Consumes the
 * rows' item arrays. */
static json_t *table_json(or_table *t, uint64_t denom, const char *keyname, int with_possible)
{
    if (t->n)
        qsort(t->r, t->n, sizeof *t->r, cmp_row);
    json_t *a = json_array();
    for (size_t i = 0; i < t->n; i++) {
        json_t *o = json_object();
        rn__jset(o, keyname, json_string(t->r[i].key));
        rn__jset(o, "count", json_integer((json_int_t)t->r[i].count));
        rn__jset(o, "share", denom ? json_real((double)t->r[i].count / (double)denom) : NULL);
        if (with_possible) {
            /* 7: never in the share */
            rn__jset(o, "possible", json_integer((json_int_t)t->r[i].possible));
            rn__jset(o, "possible_items", t->r[i].possible_items);
            t->r[i].possible_items = NULL;
        }
        rn__jset(o, "items", t->r[i].items);
        t->r[i].items = NULL;
        json_array_append_new(a, o);
    }
    return a;
}

typedef struct or_totals {
    uint64_t weapons, components, with_maker, with_country, foreign, dated, spans;
    uint64_t country_only;    /* country known, manufacturer not */
    uint64_t foreign_unknown; /* country known, weapon's producing state not */
    uint64_t ambiguous;       /* 7: the decoder's makers tie */
    uint64_t foreign_possible;
    int32_t latest_code; /* largest `earliest` of any date code */
    char latest_item[RN_ID_LEN + 1];
} or_totals;

rn_code rn_origin(rn_store *s, const rn_analysis_filter *f, char **json, size_t *len,
                  rn_error *err)
{
    static const rn_analysis_filter none;
    if (!f)
        f = &none;
    long limit = f->limit > 0 ? f->limit : OR_DEFAULT_LIMIT;
    if (limit > RN_ANALYSIS_LIMIT_MAX)
        limit = RN_ANALYSIS_LIMIT_MAX;
    *json = NULL;
    sqlite3 *db;
    rn_code rc = rn__analysis_db(s, &db, err);
    if (rc)
        return rc;
    sqlite3_stmt *rs = NULL, *ts = NULL, *ds = NULL;
    rn__eff *e = NULL;
    or_table by_country = {0}, by_year = {0};
    rn__maker_groups *by_maker = NULL;
    or_totals tot = {0};
    tot.latest_code = RN_DAY_OPEN_LOW;
    json_t *root = NULL, *weapons = json_array();
    if ((rc = rn__eff_open(db, &e, err)) || (rc = rn__maker_groups_new(&by_maker, err)))
        goto out;
    if (sqlite3_prepare_v2(db, roots_sql, -1, &rs, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, tree_sql, -1, &ts, NULL) != SQLITE_OK) {
        rc = rn__sql_err(db, err, "origin query");
        goto out;
    }
    if ((rc = rn__decoded_notes_prepare(db, &ds, err)))
        goto out;
    rn__bind_opt(rs, 1, f->item);
    rn__bind_opt(rs, 2, f->event);
    rn__bind_opt(rs, 3, f->country);
    int r;
    while ((r = sqlite3_step(rs)) == SQLITE_ROW) {
        const char *wid = rn__col_text(rs, 0);
        rn__eff_val ws, ps;
        if ((rc = rn__eff_get(e, wid, "weapon_system", rn__col_text(rs, 1), NULL, NULL, &ws, err)) ||
            (rc = rn__eff_get(e, wid, "producing_state", rn__col_text(rs, 2), rn__col_text(rs, 2),
                              NULL, &ps, err)))
            goto out;
        const char *psv = ps.country[0] ? ps.country : ps.text;
        if ((f->weapon_system && *f->weapon_system && strcmp(ws.text, f->weapon_system)) ||
            (f->producing_state && *f->producing_state && strcmp(psv, f->producing_state)))
            continue;
        tot.weapons++;
        uint64_t wcomp = 0, wforeign = 0, wknown = 0, wdated = 0, wamb = 0;
        rn__assembly asm_ = {0};
        json_t *tree = (f->item || tot.weapons <= (uint64_t)limit) ? json_array() : NULL;
        sqlite3_reset(ts);
        sqlite3_bind_text(ts, 1, wid, -1, SQLITE_TRANSIENT);
        while ((r = sqlite3_step(ts)) == SQLITE_ROW) {
            const char *cid = rn__col_text(ts, 0);
            const char *kind = rn__col_text(ts, 3);
            int is_comp = kind && !strcmp(kind, "component");
            rn__eff_val mk = {0}, pd = {0};
            rn_date own = rn__col_date(ts, 8);
            if ((rc = rn__eff_get(e, cid, "manufacturer", rn__col_text(ts, 6), rn__col_text(ts, 7),
                                  NULL, &mk, err)) ||
                (rc = rn__eff_get(e, cid, "production_date", NULL, NULL, &own, &pd, err)))
                goto out;
            int amb = mk.ambiguous && mk.nties > 1;
            if (is_comp && amb) {
                /* 7: possible under each tied maker and country, certain of none */
                wcomp++;
                tot.components++;
                tot.ambiguous++;
                wamb++;
                int foreign_possible = 0;
                for (int k = 0; k < mk.nties; k++) {
                    const rn__tie *x = &mk.ties[k];
                    if ((rc = rn__maker_groups_add_possible(by_maker, x->text, cid, limit, err)))
                        goto out;
                    int dup = 0;
                    for (int j = 0; j < k && !dup; j++)
                        dup = !strcmp(mk.ties[j].country, x->country);
                    if (!x->country[0] || dup)
                        continue;
                    foreign_possible |= psv[0] && strcmp(x->country, psv) != 0;
                    or_row *row = table_get(&by_country, x->country, err);
                    if (!row) {
                        rc = RN_ENOMEM;
                        goto out;
                    }
                    row->possible++;
                    if ((long)json_array_size(row->possible_items) < limit)
                        json_array_append_new(row->possible_items, json_string(cid));
                }
                tot.foreign_possible += foreign_possible;
            } else if (is_comp) {
                wcomp++;
                tot.components++;
                if (mk.set && (mk.text[0] || mk.country[0])) {
                    if (mk.text[0])
                        tot.with_maker++;
                    else
                        tot.country_only++;
                    if ((rc = rn__maker_groups_add(by_maker, mk.text, mk.country, cid, limit,
                                                   err)))
                        goto out;
                }
                if (mk.country[0]) {
                    tot.with_country++;
                    wknown++;
                    if (!psv[0]) {
                        tot.foreign_unknown++;
                    } else if (strcmp(mk.country, psv)) {
                        tot.foreign++;
                        wforeign++;
                    }
                    or_row *row = table_get(&by_country, mk.country, err);
                    if (!row) {
                        rc = RN_ENOMEM;
                        goto out;
                    }
                    row->count++;
                    if ((long)json_array_size(row->items) < limit)
                        json_array_append_new(row->items, json_string(cid));
                }
            }
            if (is_comp) {
                if (pd.set && pd.date.precision != RN_PREC_NONE) {
                    tot.dated++;
                    wdated++;
                    char ykey[32];
                    int y1 = 0, y2 = 0, m, d;
                    if (pd.date.earliest != RN_DAY_OPEN_LOW)
                        rn_day_to_ymd(pd.date.earliest, &y1, &m, &d);
                    if (pd.date.latest != RN_DAY_OPEN_HIGH)
                        rn_day_to_ymd(pd.date.latest, &y2, &m, &d);
                    if (y1 && y1 == y2) {
                        snprintf(ykey, sizeof ykey, "%d", y1);
                    } else {
                        snprintf(ykey, sizeof ykey, "spans years");
                        tot.spans++;
                    }
                    or_row *row = table_get(&by_year, ykey, err);
                    if (!row) {
                        rc = RN_ENOMEM;
                        goto out;
                    }
                    row->count++;
                    if ((long)json_array_size(row->items) < limit)
                        json_array_append_new(row->items, json_string(cid));
                    rn__assembly_add(&asm_, cid, &pd);
                    if (pd.date.earliest != RN_DAY_OPEN_LOW && pd.date.earliest > tot.latest_code) {
                        tot.latest_code = pd.date.earliest;
                        rn__cpy(tot.latest_item, sizeof tot.latest_item, cid);
                    }
                }
            }
            if (tree) {
                json_t *c = json_object();
                rn__jset(c, "item", json_string(cid));
                rn__jset(c, "parent", rn__jstr(rn__col_text(ts, 1)));
                rn__jset(c, "depth", json_integer(sqlite3_column_int(ts, 2)));
                rn__jset(c, "kind", rn__jstr(kind));
                rn__jset(c, "category", rn__jstr(rn__col_text(ts, 4)));
                rn__jset(c, "name", rn__jstr(rn__col_text(ts, 5)));
                rn__jset(c, "counted", json_boolean(is_comp));
                /* 7: an ambiguous maker is no maker; its candidates are listed */
                rn__jset(c, "manufacturer",
                         mk.set && mk.text[0] && !amb ? json_string(mk.text) : NULL);
                rn__jset(c, "manufacturer_country",
                         mk.country[0] && !amb ? json_string(mk.country) : NULL);
                rn__jset(c, "manufacturer_basis", mk.set ? json_string(mk.basis) : NULL);
                rn__jset(c, "manufacturer_ambiguous", json_boolean(amb));
                rn__jset(c, "manufacturer_candidates", rn__json_ties(&mk));
                char ck[201];
                rn__maker_company_key(mk.set && !amb ? mk.text : NULL, ck, sizeof ck, NULL, 0);
                rn__jset(c, "manufacturer_company", ck[0] ? json_string(ck) : NULL);
                rn__jset(c, "produced", rn__json_date(&pd.date));
                rn__jset(c, "produced_basis", pd.set ? json_string(pd.basis) : NULL);
                rn__jset(c, "produced_ambiguous", json_boolean(pd.ambiguous));
                rn__jset(c, "produced_readings", rn__json_readings(&pd));
                rn__jset(c, "serial", rn__jstr(rn__col_text(ts, 11)));
                rn__jset(c, "lot", rn__jstr(rn__col_text(ts, 12)));
                json_array_append_new(tree, c);
                /* the decoder's flags and the part's usual export category */
                if ((rc = rn__decoded_notes(s, ds, cid, c, NULL, NULL, 0, err))) {
                    json_decref(tree);
                    goto out;
                }
            }
        }
        if (r != SQLITE_DONE) {
            json_decref(tree);
            rc = rn__sql_err(db, err, "component tree");
            goto out;
        }
        if ((long)json_array_size(weapons) < limit || f->item) {
            json_t *w = json_object();
            rn__jset(w, "item", json_string(wid));
            rn__jset(w, "name", rn__jstr(rn__col_text(rs, 3)));
            rn__jset(w, "event", rn__jstr(rn__col_text(rs, 4)));
            rn__jset(w, "country_of_use", rn__jstr(rn__col_text(rs, 5)));
            rn__jset(w, "weapon_system", ws.set ? json_string(ws.text) : NULL);
            rn__jset(w, "producing_state", psv[0] ? json_string(psv) : NULL);
            rn__jset(w, "producing_state_basis", ps.set ? json_string(ps.basis) : NULL);
            rn__jset(w, "components", json_integer((json_int_t)wcomp));
            rn__jset(w, "with_country", json_integer((json_int_t)wknown));
            /* 2: unknown, never 0, when the producing state is unknown */
            rn__jset(w, "foreign", psv[0] ? json_integer((json_int_t)wforeign) : NULL);
            rn__jset(w, "foreign_known", json_boolean(psv[0] != '\0'));
            rn__jset(w, "dated", json_integer((json_int_t)wdated));
            rn__jset(w, "manufacturer_ambiguous", json_integer((json_int_t)wamb));
            rn__jset(w, "earliest_assembly", rn__json_assembly(&asm_));
            rn__jset(w, "tree", tree);
            tree = NULL;
            json_array_append_new(weapons, w);
        }
        json_decref(tree);
    }
    if (r != SQLITE_DONE) {
        rc = rn__sql_err(db, err, "origin query");
        goto out;
    }
    root = json_object();
    rn__jset(root, "analysis", json_string("origin"));
    rn__jset(root, "precedence",
             json_string("manufacturer and date: item field, else the newest claim, else the "
                         "decoder's best candidate (for dates: its readings, their hull when "
                         "they disagree); country = the manufacturer's country of "
                         "headquarters as recorded with that value; manufacturers grouped by "
                         "company"));
    json_t *t = json_object();
    rn__jset(t, "weapons", json_integer((json_int_t)tot.weapons));
    rn__jset(t, "components", json_integer((json_int_t)tot.components));
    rn__jset(t, "with_manufacturer", json_integer((json_int_t)tot.with_maker));
    rn__jset(t, "with_country", json_integer((json_int_t)tot.with_country));
    rn__jset(t, "with_country_only", json_integer((json_int_t)tot.country_only));
    rn__jset(t, "foreign", json_integer((json_int_t)tot.foreign));
    rn__jset(t, "foreign_unknown", json_integer((json_int_t)tot.foreign_unknown));
    rn__jset(t, "manufacturer_ambiguous", json_integer((json_int_t)tot.ambiguous));
    rn__jset(t, "foreign_possible", json_integer((json_int_t)tot.foreign_possible));
    rn__jset(t, "with_date_code", json_integer((json_int_t)tot.dated));
    rn__jset(t, "date_codes_spanning_years", json_integer((json_int_t)tot.spans));
    if (tot.latest_code != RN_DAY_OPEN_LOW) {
        char day[11];
        rn_day_format(tot.latest_code, day);
        rn__jset(t, "latest_date_code_from", json_string(day));
        rn__jset(t, "latest_date_code_item", json_string(tot.latest_item));
    }
    rn__jset(root, "totals", t);
    rn__jset(root, "by_country", table_json(&by_country, tot.with_country, "country", 1));
    rn__jset(root, "by_manufacturer",
             rn__maker_groups_json(by_maker, tot.with_maker + tot.country_only));
    rn__jset(root, "date_codes_by_year", table_json(&by_year, tot.dated, "year", 0));
    char words[1400], unk[200] = "";
    if (tot.foreign_unknown)
        snprintf(unk, sizeof unk,
                 "; for %" PRIu64 " more, in weapons whose producing state is unknown, "
                 "foreign is unknown", tot.foreign_unknown);
    if (tot.foreign_unknown && tot.foreign_unknown == tot.with_country)
        snprintf(words, sizeof words,
                 "foreign is unknown for the %" PRIu64 " components whose manufacturer's "
                 "country is known: the producing state of their weapons is unknown (%" PRIu64
                 " components in all, %" PRIu64 " with a readable date code)",
                 tot.foreign_unknown, tot.components, tot.dated);
    else
        snprintf(words, sizeof words,
                 "%" PRIu64 " of the %" PRIu64 " components whose manufacturer's country is "
                 "known came from companies outside the producing state%s (%" PRIu64
                 " components in all, %" PRIu64 " with a readable date code)",
                 tot.foreign, tot.with_country - tot.foreign_unknown, unk, tot.components,
                 tot.dated);
    if (tot.ambiguous) {
        size_t wl = strlen(words);
        snprintf(words + wl, sizeof words - wl,
                 "; %" PRIu64 " more components have an ambiguous maker (the decoder's makers "
                 "tie) and are counted under each candidate's country only as possible, in no "
                 "share (%" PRIu64 " of them possibly foreign)",
                 tot.ambiguous, tot.foreign_possible);
    }
    rn__jset(root, "summary", json_string(words));
    rn__jset(root, "weapons", weapons);
    weapons = NULL;
    rc = rn__json_finish(root, json, len, err);
    root = NULL;
out:
    json_decref(root);
    json_decref(weapons);
    table_free(&by_country);
    rn__maker_groups_free(by_maker);
    table_free(&by_year);
    sqlite3_finalize(rs);
    sqlite3_finalize(ts);
    sqlite3_finalize(ds);
    rn__eff_close(e);
    return rc;
}
