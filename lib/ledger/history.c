/* SPDX-License-Identifier: Apache-2.0
 *
 * history.c — the history of one record read from the evidence log: every
 * entry that created, changed or deleted it, oldest first, with who, when,
 * the entry's log index and what changed (a field diff against the record
 * as the previous entry left it).
 *
 * Entries are read only through rn__ledger_entry_open (the entry parser and,
 * for format 2, its stored disclosures: entry.c, disclose.c) and only the
 * record, author, time, op and seq it gives are used: the bytes of an entry
 * are never parsed here, so the history follows either entry format.
 *
 * Invariants (tests cite them as H1..H4):
 *  H1. One change per log entry of the record, in log order (seq); none is
 *      skipped; an entry that does not parse is an error (RN_ETAMPER), never
 *      left out.
 *  H2. "changed" names exactly the fields whose values differ from the
 *      previous entry's record (type and id are not fields): a create lists
 *      every field set, with "from" null; a delete every field it had, with
 *      "to" null; an unset field is null.
 *  H3. author and time are the entry's, not the record's.
 *  H4. A record with no entry is RN_ENOTFOUND.
 */
#include <jansson.h>
#include <string.h>

#include "ledger/ledger_int.h"
#include "remnant/ledger.h"

/* The parsed entry's author as a C string (it is still JSON-escaped). */
static json_t *author_of(const rn_entry *e)
{
    json_t *s = NULL;
    char *q = rn__malloc(e->author_len + 3);
    if (!q)
        return NULL;
    q[0] = '"';
    memcpy(q + 1, e->author, e->author_len);
    q[e->author_len + 1] = '"';
    q[e->author_len + 2] = '\0';
    s = json_loads(q, JSON_DECODE_ANY, NULL);
    free(q);
    return s && json_is_string(s) ? s : (json_decref(s), NULL);
}

/* H2: the fields of `a` and `b` (either may be NULL) that differ. */
static json_t *diff(json_t *a, json_t *b)
{
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(b, k, v) {
        if (!strcmp(k, "type") || !strcmp(k, "id"))
            continue;
        json_t *old = a ? json_object_get(a, k) : NULL;
        if (!old || !json_equal(old, v))
            json_object_set_new(out, k, json_pack("{s:O?, s:O}", "from", old, "to", v));
    }
    json_object_foreach(a, k, v) {
        if (!strcmp(k, "type") || !strcmp(k, "id"))
            continue;
        if (!b || !json_object_get(b, k))
            json_object_set_new(out, k, json_pack("{s:O, s:n}", "from", v, "to"));
    }
    return out;
}

rn_code rn_ledger_history(rn_ledger *l, const char *id, char **json, size_t *len,
                          rn_error *err)
{
    *json = NULL;
    if (len)
        *len = 0;
    sqlite3_stmt *st = NULL;
    json_t *root = json_object(), *changes = json_array(), *prev = NULL;
    char *ebuf = NULL; /* a format-2 entry's record, rebuilt from its disclosures */
    char bbuf[RN_ENTRY_V2_MAX]; /* a compact entry's bytes (stored.c) */
    rn_code rc = RN_OK;
    if (!root || !changes) {
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    if (sqlite3_prepare_v2(l->db, "SELECT " RN_ENTRY_COLS("") " FROM ledger_entry WHERE record_id = ?1 "
                           "ORDER BY seq", -1, &st, NULL) != SQLITE_OK) {
        rc = rn__ledger_dberr(l->db, err, "reading the log");
        goto out;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 0);
        const char *body = NULL;
        size_t n = 0;
        rn_entry e;
        const char *disc = (const char *)sqlite3_column_blob(st, 5);
        size_t dl = (size_t)sqlite3_column_bytes(st, 5);
        free(ebuf);
        ebuf = NULL;
        if (rn__ledger_entry_bytes(st, 0, bbuf, sizeof bbuf, &body, &n) != RN_OK ||
            rn__ledger_entry_open(body, n, disc ? disc : "", dl, &e, &ebuf) != RN_OK ||
            e.seq != (uint64_t)seq) { /* H1 */
            rc = rn__err(err, RN_ETAMPER, "log entry %lld of record %s does not parse: run "
                         "`remnant verify`", (long long)seq, id);
            goto out;
        }
        json_t *rec = NULL;
        if (e.record) {
            rec = json_loadb(e.record, e.record_len, 0, NULL);
            if (!json_is_object(rec)) {
                json_decref(rec);
                rc = rn__err(err, RN_ETAMPER, "log entry %lld of record %s holds no record",
                             (long long)seq, id);
                goto out;
            }
        }
        const char *type = rec ? json_string_value(json_object_get(rec, "type")) : NULL;
        json_t *who = author_of(&e);
        json_t *c = json_pack("{s:I, s:s%, s:o?, s:s, s:o}", "seq", (json_int_t)e.seq, "time",
                              e.time, e.time_len, "author", who, "op",
                              rn__entry_op_word(e.op), "changed", diff(prev, rec));
        if (!c || json_array_append_new(changes, c)) {
            json_decref(rec);
            rc = rn__err(err, RN_ENOMEM, "out of memory");
            goto out;
        }
        if (type)
            json_object_set_new(root, "type", json_string(type));
        json_decref(prev);
        prev = rec;
    }
    if (r != SQLITE_DONE) {
        rc = rn__ledger_dberr(l->db, err, "reading the log");
        goto out;
    }
    if (!json_array_size(changes)) { /* H4 */
        rc = rn__err(err, RN_ENOTFOUND, "no log entry for record %s", id);
        goto out;
    }
    json_object_set_new(root, "id", json_string(id));
    json_object_set(root, "changes", changes);
    char *s = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
    if (!s) {
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    size_t sl = strlen(s);
    *json = rn__malloc(sl + 1);
    if (!*json) {
        free(s);
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    memcpy(*json, s, sl + 1);
    free(s);
    if (len)
        *len = sl;
out:
    free(ebuf);
    sqlite3_finalize(st);
    json_decref(prev);
    json_decref(changes);
    json_decref(root);
    return rc;
}
