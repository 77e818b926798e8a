/* SPDX-License-Identifier: Apache-2.0
 *
 * claims.c — the readings of one item side by side (rn_claims_explain):
 * the item's own fields, every analyst `claim` (newest first), every decoder
 * candidate of its markings (best first), and per field the effective value
 * with its basis, by the precedence stated in analysis.h.
 */
#include <stdio.h>
#include <string.h>

#include "analysis/analysis_int.h"
#include "store/decoded.h"

/* Mark the stored decoding's ties (rn__decoded_ties, read side): a
 * manufacturer or production-date candidate of one marking is "ambiguous"
 * when it lies within the decoder's tie margin of the best of its field in
 * that marking and another value does too, as `remnant decode` said when
 * it stored them. */
static void mark_ties(json_t *cands)
{
    size_t n = json_array_size(cands);
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(cands, i);
        const char *f = json_string_value(json_object_get(o, "field"));
        const char *mkg = json_string_value(json_object_get(o, "marking"));
        int tied_field = f && (!strcmp(f, "manufacturer") || !strcmp(f, "production_date"));
        double best = -1;
        size_t ties = 0;
        for (size_t j = 0; tied_field && j < n; j++) {
            json_t *p = json_array_get(cands, j);
            if (!json_equal(json_object_get(p, "field"), json_object_get(o, "field")) ||
                !json_equal(json_object_get(p, "marking"), json_object_get(o, "marking")))
                continue;
            double c = json_real_value(json_object_get(p, "confidence"));
            if (c > best)
                best = c;
        }
        for (size_t j = 0; tied_field && mkg && j < n; j++) {
            json_t *p = json_array_get(cands, j);
            if (json_equal(json_object_get(p, "field"), json_object_get(o, "field")) &&
                json_equal(json_object_get(p, "marking"), json_object_get(o, "marking")) &&
                rn__decoded_ties(best, json_real_value(json_object_get(p, "confidence"))))
                ties++;
        }
        double c = json_real_value(json_object_get(o, "confidence"));
        rn__jset(o, "ambiguous", json_boolean(tied_field && ties > 1 && rn__decoded_ties(best, c)));
    }
}

static const char *const fields[] = {"production_date", "manufacturer", "producing_state",
                                     "weapon_system", NULL};

rn_code rn_claims_explain(rn_store *s, const char *item, char **json, size_t *len,
                          rn_error *err)
{
    *json = NULL;
    sqlite3 *db;
    rn_code rc = rn__analysis_db(s, &db, err);
    if (rc)
        return rc;
    rn_record *it = NULL;
    if ((rc = rn_store_get(s, item, &it, err)))
        return rc;
    if (rn_record_type(it) != RN_T_ITEM) {
        rn_record_free(it);
        return rn__err(err, RN_EINVAL, "%s is not an item", item);
    }
    rn__eff *e = NULL;
    sqlite3_stmt *st = NULL;
    json_t *root = json_object();
    rn__jset(root, "item", json_string(item));
    rn__jset(root, "precedence",
             json_string("item field, else the newest analyst claim, else the decoder's best "
                         "candidate (for dates: the readings holding most of the decoder's "
                         "confidence, their hull when they disagree)"));
    if ((rc = rn__eff_open(db, &e, err)))
        goto out;
    json_t *eff = json_object();
    rn__jset(root, "effective", eff);
    for (int i = 0; fields[i]; i++) {
        const char *f = fields[i];
        rn__eff_val v;
        rn_date own = {0, 0, RN_PREC_NONE};
        const char *ot = NULL, *oc = NULL;
        if (!strcmp(f, "production_date"))
            own = rn_record_date_at(it, rn_type_field_index(RN_T_ITEM, "produced", 8));
        else if (!strcmp(f, "manufacturer"))
            ot = rn_record_get(it, "manufacturer", NULL),
            oc = rn_record_get(it, "manufacturer_country", NULL);
        else
            ot = oc = rn_record_get(it, f, NULL);
        if (!strcmp(f, "weapon_system"))
            oc = NULL;
        if ((rc = rn__eff_get(e, item, f, ot, oc, &own, &v, err)))
            goto out;
        json_t *o = json_object();
        rn__jset(o, "value", v.set && v.text[0] ? json_string(v.text) : NULL);
        rn__jset(o, "country", v.country[0] ? json_string(v.country) : NULL);
        rn__jset(o, "date", rn__json_date(&v.date));
        rn__jset(o, "ambiguous", json_boolean(v.ambiguous));
        rn__jset(o, "readings", rn__json_readings(&v));
        rn__jset(o, "candidates", rn__json_ties(&v));
        rn__jset(o, "basis", v.set ? json_string(v.basis) : NULL);
        rn__jset(eff, f, o);
    }
    /* analysts' claims */
    json_t *claims = json_array();
    rn__jset(root, "claims", claims);
    if (sqlite3_prepare_v2(db, "SELECT id, field, value, date_earliest, date_latest, "
                               "date_precision, country, reason, overrides, marking, author "
                               "FROM claim WHERE item = ?1 ORDER BY id DESC", -1, &st,
                           NULL) != SQLITE_OK) {
        rc = rn__sql_err(db, err, "claims");
        goto out;
    }
    sqlite3_bind_text(st, 1, item, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *o = json_object();
        rn_date d = rn__col_date(st, 3);
        rn__jset(o, "claim", json_string(rn__col_text(st, 0)));
        rn__jset(o, "field", rn__jstr(rn__col_text(st, 1)));
        rn__jset(o, "value", rn__jstr(rn__col_text(st, 2)));
        rn__jset(o, "date", rn__json_date(&d));
        rn__jset(o, "country", rn__jstr(rn__col_text(st, 6)));
        rn__jset(o, "reason", rn__jstr(rn__col_text(st, 7)));
        rn__jset(o, "overrides", rn__jstr(rn__col_text(st, 8)));
        rn__jset(o, "marking", rn__jstr(rn__col_text(st, 9)));
        rn__jset(o, "author", rn__jstr(rn__col_text(st, 10)));
        json_array_append_new(claims, o);
    }
    sqlite3_finalize(st);
    st = NULL;
    /* the decoder's candidates */
    json_t *cands = json_array();
    rn__jset(root, "decoder", cands);
    /* text, source, then the candidate (RN__DECODED_COLS): marking 2, rank 3,
     * field 4, value 5, earliest 6, latest 7, precision 8, country 9,
     * confidence 10, rule 11 */
    if (sqlite3_prepare_v2(db, "SELECT m.text, r.source, " RN__DECODED_COLS
                               " FROM marking m JOIN candidate c "
                               "ON c.marking = m.id LEFT JOIN decode_rule r ON r.rule = c.rule "
                               "WHERE m.item = ?1 "
                               "ORDER BY c.field, c.confidence DESC, c.marking, c.rank", -1, &st,
                           NULL) != SQLITE_OK) {
        rc = rn__sql_err(db, err, "decoder candidates");
        goto out;
    }
    sqlite3_bind_text(st, 1, item, -1, SQLITE_STATIC);
    rn__decoded *dd = rn__store_decoded(s);
    rn__decoded_explain_begin(dd);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *o = json_object();
        rn_date d = rn__col_date(st, 6);
        rn__jset(o, "marking", json_string(rn__col_text(st, 2)));
        rn__jset(o, "text", rn__jstr(rn__col_text(st, 0)));
        rn__jset(o, "rank", json_integer(sqlite3_column_int(st, 3)));
        rn__jset(o, "field", rn__jstr(rn__col_text(st, 4)));
        rn__jset(o, "value", rn__jstr(rn__col_text(st, 5)));
        rn__jset(o, "date", rn__json_date(&d));
        rn__jset(o, "country", rn__jstr(rn__col_text(st, 9)));
        rn__jset(o, "confidence", json_real(sqlite3_column_double(st, 10)));
        rn__jset(o, "rule", rn__jstr(rn__col_text(st, 11)));
        rn__set_explanation(o, dd, st, 2);
        rn__jset(o, "source", rn__jstr(rn__col_text(st, 1)));
        json_array_append_new(cands, o);
    }
    sqlite3_finalize(st);
    st = NULL;
    mark_ties(cands);
    rc = rn__json_finish(root, json, len, err);
    root = NULL;
out:
    json_decref(root);
    sqlite3_finalize(st);
    rn__eff_close(e);
    rn_record_free(it);
    return rc;
}
