/* SPDX-License-Identifier: Apache-2.0
 *
 * decoded_notes.c — what the decoder said of an item's markings beyond its
 * facts, for the analyses that list components (sanctions, origin): its
 * plausibility flags ("possible re-marking or counterfeit", docs/DECODE.md)
 * and the export-control category its part class usually falls under (HS-6
 * code and CHPL tier), both read from the stored candidates with their rule,
 * explanation and source. Context for an analyst: neither changes a count,
 * a share or a flag, and the category is never a customs ruling.
 */
#include <stdio.h>
#include <string.h>

#include "analysis/analysis_int.h"

/* source, then the candidate's columns (rn__decoded_explain's): field 3,
 * value 4, rule 10 */
static const char notes_sql[] =
    "SELECT r.source, " RN__DECODED_COLS " FROM marking m "
    "JOIN candidate c ON c.marking = m.id LEFT JOIN decode_rule r ON r.rule = c.rule "
    "WHERE m.item = ?1 AND c.field IN ('plausibility', 'export_category') "
    "ORDER BY c.confidence DESC, c.marking, c.rank";

rn_code rn__decoded_notes_prepare(sqlite3 *db, sqlite3_stmt **st, rn_error *err)
{
    if (sqlite3_prepare_v2(db, notes_sql, -1, st, NULL) != SQLITE_OK)
        return rn__sql_err(db, err, "the decoder's stored flags");
    return RN_OK;
}

void rn__set_explanation(json_t *o, rn__decoded *dd, sqlite3_stmt *st, int col)
{
    const char *why = NULL;
    const char *text = rn__decoded_explain(dd, st, col, &why);
    rn__jset(o, "explanation", rn__jstr(text));
    if (why)
        rn__jset(o, "explanation_unavailable", json_string(why));
}

rn_code rn__decoded_notes(rn_store *s, sqlite3_stmt *st, const char *item, json_t *o,
                          char *flagged, char *category, size_t cap, rn_error *err)
{
    sqlite3 *db = rn__store_db(s);
    rn__decoded *dd = rn__store_decoded(s);
    json_t *pl = json_array(), *ec = NULL;
    if (cap) {
        flagged[0] = '\0';
        category[0] = '\0';
    }
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, item, -1, SQLITE_TRANSIENT);
    rn__decoded_explain_begin(dd);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *field = rn__col_text(st, 3), *value = rn__col_text(st, 4);
        const char *rule = rn__col_text(st, 10);
        int is_pl = field && strcmp(field, "plausibility") == 0;
        if (!is_pl && ec)
            continue; /* one category: the best */
        json_t *x = json_object();
        rn__jset(x, "value", rn__jstr(value));
        rn__jset(x, "rule", rn__jstr(rule));
        rn__set_explanation(x, dd, st, 1);
        rn__jset(x, "source", rn__jstr(rn__col_text(st, 0)));
        if (is_pl) {
            if (cap && !flagged[0])
                snprintf(flagged, cap, "%s", rule ? rule : "");
            json_array_append_new(pl, x);
        } else {
            rn__jset(x, "note", json_string("the category the part class usually falls under "
                                            "(HS-6 subheading, Common High Priority List tier), "
                                            "not a customs ruling on this part"));
            if (cap)
                snprintf(category, cap, "%s", value ? value : "");
            ec = x;
        }
    }
    rn__jset(o, "plausibility", pl);
    rn__jset(o, "export_category", ec);
    sqlite3_reset(st);
    if (r != SQLITE_DONE)
        return rn__sql_err(db, err, "the decoder's stored flags");
    return RN_OK;
}
