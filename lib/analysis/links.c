/* SPDX-License-Identifier: Apache-2.0
 *
 * links.c — where else has this shipment turned up (rn_links). Items are
 * linked, with the reason for each link, when they
 *   L1. share a lot number (exact, case-insensitive, non-empty);
 *   L2. have serials in one run: the same prefix (everything before the
 *       trailing digits, upper-cased) and numbers at most RN_LINK_SERIAL_GAP
 *       apart; numbers of different digit counts are still one run
 *       ("A0099", "A0101") because makers zero-pad inconsistently;
 *   L3. are packaging or documents carrying the same mark (crate marks,
 *       packing lists): marking texts equal after trimming and
 *       upper-casing.
 * Cost: each kind of link is one pass over the store for all the query's
 * seeds together (the seeds' keys go in as a JSON array), so a partial
 * serial matching hundreds of items stays three scans.
 * A query names an item id, a full or partial serial (substring) or a lot; the
 * result lists the matching items ("seed") and every item linked to one of
 * them in one step, each with its event's place, coordinates and date, so
 * it can go on a map. With no query, every link group in the store is
 * listed (lots and packaging marks seen in more than one event, serial runs
 * spanning more than one event).
 * An item without its own event belongs to the event of its nearest
 * ancestor that has one (a chip inside a weapon was found where the weapon
 * was); "event_from" names that ancestor, and the groups count events so.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_int.h"

#define LK_SEEDS_MAX 1000
#define LK_GROUP_ITEMS 50   /* item ids listed per group */
#define LK_GROUPS_MAX 1000  /* groups listed per kind */

/* Split a serial into its upper-cased prefix and trailing number. Returns
 * 0 when it has no trailing digits (or too many to be a number). */
static int serial_split(const char *s, char *prefix, size_t cap, uint64_t *num)
{
    size_t n = strlen(s), d = n;
    while (d > 0 && isdigit((unsigned char)s[d - 1]))
        d--;
    if (d == n || n - d > 18 || d >= cap)
        return 0;
    for (size_t i = 0; i < d; i++)
        prefix[i] = (char)toupper((unsigned char)s[i]);
    prefix[d] = '\0';
    uint64_t v = 0;
    for (size_t i = d; i < n; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    *num = v;
    return 1;
}

static const char detail_sql[] =
    "SELECT i.id, i.kind, i.name, i.serial, i.lot, e.id, e.name, e.place, e.country, e.lat, "
    "e.lon, e.incident_earliest, e.incident_latest, e.incident_precision, e.documented_earliest, "
    "e.documented_latest, e.documented_precision, " RN__SQL_INHERIT("i", "weapon_system") ", "
    RN__SQL_INHERITED_FROM("i", "event") " FROM item i LEFT JOIN event e ON e.id = "
    RN__SQL_INHERIT("i", "event") " WHERE i.id = ?1";

/* One item, ready for a map. */
static json_t *item_json(sqlite3_stmt *st, const char *id)
{
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_ROW)
        return NULL;
    json_t *o = json_object();
    rn__jset(o, "item", json_string(id));
    rn__jset(o, "kind", rn__jstr(rn__col_text(st, 1)));
    rn__jset(o, "name", rn__jstr(rn__col_text(st, 2)));
    rn__jset(o, "serial", rn__jstr(rn__col_text(st, 3)));
    rn__jset(o, "lot", rn__jstr(rn__col_text(st, 4)));
    rn__jset(o, "weapon_system", rn__jstr(rn__col_text(st, 17)));
    rn__jset(o, "event", rn__jstr(rn__col_text(st, 5)));
    rn__jset(o, "event_from", rn__jstr(rn__col_text(st, 18)));
    rn__jset(o, "event_name", rn__jstr(rn__col_text(st, 6)));
    rn__jset(o, "place", rn__jstr(rn__col_text(st, 7)));
    rn__jset(o, "country", rn__jstr(rn__col_text(st, 8)));
    rn__jset(o, "lat", sqlite3_column_type(st, 9) == SQLITE_NULL
                           ? NULL : json_real(sqlite3_column_double(st, 9)));
    rn__jset(o, "lon", sqlite3_column_type(st, 10) == SQLITE_NULL
                           ? NULL : json_real(sqlite3_column_double(st, 10)));
    rn_date inc = rn__col_date(st, 11), doc = rn__col_date(st, 14);
    rn__jset(o, "date", rn__json_date(inc.precision != RN_PREC_NONE ? &inc : &doc));
    rn__jset(o, "date_basis", json_string(inc.precision != RN_PREC_NONE ? "incident" : "documented"));
    rn__jset(o, "reasons", json_array());
    return o;
}

/* Find or add item `id` in `out` (an object keyed by id), add a reason. */
static rn_code add_link(json_t *out, sqlite3_stmt *det, const char *id, json_t *reason)
{
    json_t *o = json_object_get(out, id);
    if (!o) {
        o = item_json(det, id);
        if (!o) {
            json_decref(reason);
            return RN_OK;
        }
        json_object_set_new(out, id, o);
    }
    json_array_append_new(json_object_get(o, "reasons"), reason);
    return RN_OK;
}

static json_t *reason(const char *by, const char *with, const char *detail)
{
    json_t *r = json_object();
    rn__jset(r, "by", json_string(by));
    rn__jset(r, "with", json_string(with));
    rn__jset(r, "detail", json_string(detail));
    return r;
}

/* The seeds' keys, gathered so that each kind of link costs one pass over
 * the store however many seeds there are (a partial serial may match
 * hundreds of items). */
typedef struct lk_seed {
    char id[RN_ID_LEN + 1];
    char serial[201];
    char lot[201];   /* upper-cased */
    char prefix[201];
    uint64_t num;
    int has_run;
    int packaging;
} lk_seed;

static void upcase(char *s)
{
    for (; *s; s++)
        *s = (char)toupper((unsigned char)*s);
}

static rn_code links_of(sqlite3 *db, sqlite3_stmt *det, lk_seed *sd, size_t ns, json_t *out,
                        rn_error *err)
{
    sqlite3_stmt *st = NULL;
    rn_code rc = RN_OK;
    char detail[700];
    json_t *lots = json_array(), *prefixes = json_array(), *pack = json_array(),
           *marks = json_array();
    char *lj = NULL, *pj = NULL, *kj = NULL, *mj = NULL;
    for (size_t i = 0; i < ns; i++) {
        if (sd[i].lot[0])
            json_array_append_new(lots, json_string(sd[i].lot));
        if (sd[i].has_run)
            json_array_append_new(prefixes, json_string(sd[i].prefix));
        if (sd[i].packaging)
            json_array_append_new(pack, json_string(sd[i].id));
    }
    lj = json_dumps(lots, JSON_COMPACT);
    pj = json_dumps(prefixes, JSON_COMPACT);
    kj = json_dumps(pack, JSON_COMPACT);
    if (!lj || !pj || !kj) {
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    /* L1: the same lot — one pass */
    if (json_array_size(lots)) {
        if (sqlite3_prepare_v2(db, "SELECT id, upper(lot) FROM item WHERE upper(lot) IN "
                                   "(SELECT value FROM json_each(?1))", -1, &st, NULL) != SQLITE_OK) {
            rc = rn__sql_err(db, err, "links by lot");
            goto out;
        }
        sqlite3_bind_text(st, 1, lj, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *id = rn__col_text(st, 0), *lot = rn__col_text(st, 1);
            for (size_t i = 0; i < ns; i++) {
                if (strcmp(sd[i].lot, lot) || !strcmp(sd[i].id, id))
                    continue;
                snprintf(detail, sizeof detail, "lot %s, as on %s", lot, sd[i].id);
                add_link(out, det, id, reason("lot", sd[i].id, detail));
            }
        }
        sqlite3_finalize(st);
        st = NULL;
    }
    /* L2: serial runs — one pass over the serials with a seed's prefix */
    if (json_array_size(prefixes)) {
        if (sqlite3_prepare_v2(db, "SELECT id, serial FROM item WHERE serial IS NOT NULL AND "
                                   "rtrim(upper(serial), '0123456789') IN "
                                   "(SELECT value FROM json_each(?1))", -1, &st, NULL) != SQLITE_OK) {
            rc = rn__sql_err(db, err, "links by serial");
            goto out;
        }
        sqlite3_bind_text(st, 1, pj, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
            char p2[201];
            uint64_t n2;
            const char *id = rn__col_text(st, 0), *s2 = rn__col_text(st, 1);
            if (!serial_split(s2, p2, sizeof p2, &n2))
                continue;
            for (size_t i = 0; i < ns; i++) {
                if (!sd[i].has_run || strcmp(sd[i].prefix, p2) || !strcmp(sd[i].id, id))
                    continue;
                uint64_t gap = n2 > sd[i].num ? n2 - sd[i].num : sd[i].num - n2;
                if (gap > RN_LINK_SERIAL_GAP)
                    continue;
                snprintf(detail, sizeof detail,
                         "serial %s is %" PRIu64 " from %s (same prefix '%s', run gap at most %d)",
                         s2, gap, sd[i].serial, p2, RN_LINK_SERIAL_GAP);
                add_link(out, det, id, reason("serial-run", sd[i].id, detail));
            }
        }
        sqlite3_finalize(st);
        st = NULL;
    }
    /* L3: packaging marks — the seeds' marks, then one pass */
    if (json_array_size(pack)) {
        if (sqlite3_prepare_v2(db, "SELECT item, upper(trim(text)) FROM marking WHERE item IN "
                                   "(SELECT value FROM json_each(?1))", -1, &st, NULL) != SQLITE_OK) {
            rc = rn__sql_err(db, err, "links by packaging marks");
            goto out;
        }
        sqlite3_bind_text(st, 1, kj, -1, SQLITE_STATIC);
        json_t *owners = json_array();
        while (sqlite3_step(st) == SQLITE_ROW) {
            json_array_append_new(marks, json_string(rn__col_text(st, 1)));
            json_array_append_new(owners, json_string(rn__col_text(st, 0)));
        }
        sqlite3_finalize(st);
        st = NULL;
        mj = json_dumps(marks, JSON_COMPACT);
        if (!mj) {
            json_decref(owners);
            rc = rn__err(err, RN_ENOMEM, "out of memory");
            goto out;
        }
        if (sqlite3_prepare_v2(db, "SELECT m.item, upper(trim(m.text)) FROM marking m JOIN item i "
                                   "ON i.id = m.item WHERE i.kind IN ('packaging', 'document') "
                                   "AND upper(trim(m.text)) IN (SELECT value FROM json_each(?1))",
                               -1, &st, NULL) != SQLITE_OK) {
            json_decref(owners);
            rc = rn__sql_err(db, err, "links by packaging marks");
            goto out;
        }
        sqlite3_bind_text(st, 1, mj, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *id = rn__col_text(st, 0), *t = rn__col_text(st, 1);
            size_t k;
            json_t *v;
            json_array_foreach(marks, k, v) {
                const char *seed = json_string_value(json_array_get(owners, k));
                if (strcmp(json_string_value(v), t) || !strcmp(seed, id))
                    continue;
                snprintf(detail, sizeof detail, "the same packaging mark \"%s\" as on %s", t, seed);
                add_link(out, det, id, reason("packaging-mark", seed, detail));
            }
        }
        json_decref(owners);
    }
out:
    sqlite3_finalize(st);
    json_decref(lots);
    json_decref(prefixes);
    json_decref(pack);
    json_decref(marks);
    free(lj);
    free(pj);
    free(kj);
    free(mj);
    return rc;
}

/* ---- every group -------------------------------------------------------- */

typedef struct lk_serial {
    char id[RN_ID_LEN + 1];
    char event[RN_ID_LEN + 1];
    char *prefix;
    uint64_t num;
} lk_serial;

static int cmp_serial(const void *a, const void *b)
{
    const lk_serial *x = a, *y = b;
    int c = strcmp(x->prefix, y->prefix);
    if (c)
        return c;
    if (x->num != y->num)
        return x->num < y->num ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int distinct_events(const lk_serial *v, size_t a, size_t b)
{
    for (size_t i = a + 1; i < b; i++)
        if (strcmp(v[i].event, v[a].event))
            return 1;
    return 0;
}

static rn_code serial_runs(sqlite3 *db, json_t *root, rn_error *err)
{
    sqlite3_stmt *st = NULL;
    lk_serial *v = NULL;
    size_t n = 0, cap = 0;
    rn_code rc = RN_OK;
    if (sqlite3_prepare_v2(db, "SELECT i.id, i.serial, coalesce(" RN__SQL_INHERIT("i", "event")
                               ", '') FROM item i WHERE i.serial IS NOT NULL AND i.serial != ''",
                           -1, &st,
                           NULL) != SQLITE_OK)
        return rn__sql_err(db, err, "serial runs");
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        char prefix[201];
        uint64_t num;
        if (!serial_split(rn__col_text(st, 1), prefix, sizeof prefix, &num))
            continue;
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 1024;
            lk_serial *nv = rn__realloc(v, nc * sizeof *nv);
            if (!nv) {
                rc = rn__err(err, RN_ENOMEM, "out of memory");
                goto out;
            }
            v = nv;
            cap = nc;
        }
        lk_serial *x = &v[n];
        rn__cpy(x->id, sizeof x->id, rn__col_text(st, 0));
        rn__cpy(x->event, sizeof x->event, rn__col_text(st, 2));
        x->num = num;
        x->prefix = rn__strndup(prefix, strlen(prefix));
        if (!x->prefix) {
            rc = rn__err(err, RN_ENOMEM, "out of memory");
            goto out;
        }
        n++;
    }
    if (r != SQLITE_DONE) {
        rc = rn__sql_err(db, err, "serial runs");
        goto out;
    }
    if (n)
        qsort(v, n, sizeof *v, cmp_serial);
    json_t *runs = json_array();
    uint64_t total = 0;
    for (size_t a = 0; a < n;) {
        size_t b = a + 1;
        while (b < n && !strcmp(v[b].prefix, v[a].prefix) &&
               v[b].num - v[b - 1].num <= RN_LINK_SERIAL_GAP)
            b++;
        if (b - a > 1 && distinct_events(v, a, b)) {
            total++;
            if (json_array_size(runs) < LK_GROUPS_MAX) {
                json_t *g = json_object(), *ids = json_array();
                rn__jset(g, "prefix", json_string(v[a].prefix));
                rn__jset(g, "from", json_integer((json_int_t)v[a].num));
                rn__jset(g, "to", json_integer((json_int_t)v[b - 1].num));
                rn__jset(g, "items", json_integer((json_int_t)(b - a)));
                for (size_t i = a; i < b && i - a < LK_GROUP_ITEMS; i++)
                    json_array_append_new(ids, json_string(v[i].id));
                rn__jset(g, "item_ids", ids);
                json_array_append_new(runs, g);
            }
        }
        a = b;
    }
    rn__jset(root, "serial_runs", runs);
    rn__jset(root, "serial_runs_total", json_integer((json_int_t)total));
out:
    for (size_t i = 0; i < n; i++)
        rn_free(v[i].prefix);
    rn_free(v);
    sqlite3_finalize(st);
    return rc;
}

/* Groups by one SQL grouping: key, items, events, ids. */
static rn_code sql_groups(sqlite3 *db, const char *sql, const char *name, json_t *root,
                          rn_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return rn__sql_err(db, err, name);
    json_t *a = json_array();
    uint64_t total = 0;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        total++;
        if (json_array_size(a) >= LK_GROUPS_MAX)
            continue;
        json_t *g = json_object();
        rn__jset(g, "key", rn__jstr(rn__col_text(st, 0)));
        rn__jset(g, "items", json_integer(sqlite3_column_int64(st, 1)));
        rn__jset(g, "events", json_integer(sqlite3_column_int64(st, 2)));
        json_t *ids = json_loads(rn__col_text(st, 3) ? rn__col_text(st, 3) : "[]", 0, NULL);
        rn__jset(g, "item_ids", ids);
        json_array_append_new(a, g);
    }
    sqlite3_finalize(st);
    if (r != SQLITE_DONE) {
        json_decref(a);
        return rn__sql_err(db, err, name);
    }
    char k[64];
    rn__jset(root, name, a);
    snprintf(k, sizeof k, "%s_total", name);
    rn__jset(root, k, json_integer((json_int_t)total));
    return RN_OK;
}

/* events: each item's own, else its nearest ancestor's */
#define LK_EVENT "coalesce(" RN__SQL_INHERIT("i", "event") ", '')"
static const char lot_groups_sql[] =
    "SELECT upper(i.lot), count(*), count(DISTINCT " LK_EVENT "), "
    "json_group_array(i.id) FROM item i WHERE i.lot IS NOT NULL AND i.lot != '' "
    "GROUP BY upper(i.lot) HAVING count(DISTINCT " LK_EVENT ") > 1 ORDER BY 3 DESC, 1";
static const char pack_groups_sql[] =
    "SELECT upper(trim(m.text)), count(DISTINCT m.item), count(DISTINCT " LK_EVENT "), "
    "json_group_array(DISTINCT m.item) FROM marking m JOIN item i ON i.id = m.item "
    "WHERE i.kind IN ('packaging', 'document') GROUP BY 1 "
    "HAVING count(DISTINCT " LK_EVENT ") > 1 ORDER BY 3 DESC, 1";

rn_code rn_links(rn_store *s, const char *query, char **json, size_t *len, rn_error *err)
{
    *json = NULL;
    sqlite3 *db;
    rn_code rc = rn__analysis_db(s, &db, err);
    if (rc)
        return rc;
    json_t *root = json_object();
    sqlite3_stmt *det = NULL, *st = NULL;
    rn__jset(root, "analysis", json_string("links"));
    rn__jset(root, "rules",
             json_string("linked when: the same lot; serials with the same prefix and numbers "
                         "at most 50 apart; packaging or documents with the same mark"));
    if (!query) {
        if ((rc = sql_groups(db, lot_groups_sql, "lot_groups", root, err)) ||
            (rc = serial_runs(db, root, err)) ||
            (rc = sql_groups(db, pack_groups_sql, "packaging_groups", root, err)))
            goto out;
        rc = rn__json_finish(root, json, len, err);
        root = NULL;
        goto out;
    }
    if (sqlite3_prepare_v2(db, detail_sql, -1, &det, NULL) != SQLITE_OK) {
        rc = rn__sql_err(db, err, "links");
        goto out;
    }
    rn__jset(root, "query", json_string(query));
    /* seeds: the item with that id, else items whose serial contains it or
     * whose lot is it */
    json_t *seeds = json_array();
    rn__jset(root, "seeds", seeds);
    size_t ql = strlen(query);
    if (rn_id_valid(query, ql)) {
        json_t *o = item_json(det, query);
        if (o)
            json_array_append_new(seeds, o);
    }
    if (!json_array_size(seeds)) {
        /* instr(): a literal substring, no LIKE wildcards to escape */
        if (sqlite3_prepare_v2(db, "SELECT id FROM item WHERE instr(upper(serial), upper(?1)) > 0 "
                                   "OR upper(lot) = upper(?1) "
                                   "ORDER BY id LIMIT ?2", -1, &st, NULL) != SQLITE_OK) {
            rc = rn__sql_err(db, err, "links");
            goto out;
        }
        sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, LK_SEEDS_MAX);
        while (sqlite3_step(st) == SQLITE_ROW) {
            json_t *o = item_json(det, rn__col_text(st, 0));
            if (o)
                json_array_append_new(seeds, o);
        }
        sqlite3_finalize(st);
        st = NULL;
    }
    if (!json_array_size(seeds)) {
        rc = rn__err(err, RN_ENOTFOUND, "no item has the id '%s', a serial containing it or that lot",
                     query);
        goto out;
    }
    json_t *linked = json_object();
    size_t i, ns = json_array_size(seeds);
    json_t *sd;
    lk_seed *sv = rn__calloc(ns, sizeof *sv);
    if (!sv) {
        json_decref(linked);
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    json_array_foreach(seeds, i, sd) {
        lk_seed *x = &sv[i];
        const char *kind = json_string_value(json_object_get(sd, "kind"));
        rn__cpy(x->id, sizeof x->id, json_string_value(json_object_get(sd, "item")));
        rn__cpy(x->serial, sizeof x->serial, json_string_value(json_object_get(sd, "serial")));
        rn__cpy(x->lot, sizeof x->lot, json_string_value(json_object_get(sd, "lot")));
        upcase(x->lot);
        x->has_run = x->serial[0] && serial_split(x->serial, x->prefix, sizeof x->prefix, &x->num);
        x->packaging = kind && (!strcmp(kind, "packaging") || !strcmp(kind, "document"));
    }
    rc = links_of(db, det, sv, ns, linked, err);
    rn_free(sv);
    if (rc) {
        json_decref(linked);
        goto out;
    }
    /* the seeds themselves are not "linked" */
    json_array_foreach(seeds, i, sd)
        json_object_del(linked, json_string_value(json_object_get(sd, "item")));
    json_t *arr = json_array(), *events = json_object(), *countries = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(linked, k, v) {
        json_array_append(arr, v);
        const char *ev = json_string_value(json_object_get(v, "event"));
        const char *c = json_string_value(json_object_get(v, "country"));
        if (ev)
            json_object_set_new(events, ev, json_true());
        if (c)
            json_object_set_new(countries, c, json_true());
    }
    json_array_foreach(seeds, i, sd) {
        const char *ev = json_string_value(json_object_get(sd, "event"));
        const char *c = json_string_value(json_object_get(sd, "country"));
        if (ev)
            json_object_set_new(events, ev, json_true());
        if (c)
            json_object_set_new(countries, c, json_true());
    }
    rn__jset(root, "linked", arr);
    rn__jset(root, "events", json_integer((json_int_t)json_object_size(events)));
    rn__jset(root, "countries", json_integer((json_int_t)json_object_size(countries)));
    json_decref(events);
    json_decref(countries);
    json_decref(linked);
    rc = rn__json_finish(root, json, len, err);
    root = NULL;
out:
    json_decref(root);
    sqlite3_finalize(st);
    sqlite3_finalize(det);
    return rc;
}
