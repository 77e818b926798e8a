/* SPDX-License-Identifier: Apache-2.0
 *
 * public.c — what a public sync package (`sync export --public`,
 * docs/SYNC.md) discloses: exactly the public view (include/remnant/
 * public.h, the one place that decides what the public sees; nothing here
 * decides it again). For each public record: its latest log entry, the
 * disclosures of the fields the view shows exactly as logged (as a public
 * bundle carries them), and its public copy, to be applied by the partner;
 * in the order rn_public_export writes them (referenced before referring),
 * so that they apply into an empty database. Every other entry of the log
 * travels withheld. The blobs are those the public copies of attachments
 * name (the photos' copies without metadata).
 */
#define _GNU_SOURCE /* open_memstream */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remnant/ledger.h"
#include "remnant/public.h"
#include "store/store_int.h"
#include "sync/sync_int.h"

static int by_seq(const void *a, const void *b)
{
    uint64_t x = ((const rn__sync_pubrec *)a)->seq, y = ((const rn__sync_pubrec *)b)->seq;
    return x < y ? -1 : x > y;
}

void rn__sync_public_free(rn__sync_pubset *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->r[i].disc);
        free(p->r[i].json);
    }
    free(p->r);
    free(p->order);
    free(p->sha);
    memset(p, 0, sizeof *p);
}

/* One public record: its latest entry, disclosures, public copy. */
static rn_code one(rn_store *s, sqlite3 *db, rn_ledger *l, const rn_public *view,
                   const char *id, rn__sync_pubset *p, rn_error *err)
{
    rn__sync_pubrec *r = &p->r[p->n];
    memset(r, 0, sizeof *r);
    sqlite3_stmt *st = NULL;
    rn_record *rec = NULL, *pr = NULL;
    rn_code rc = RN_OK;
    if (sqlite3_prepare_v2(db, "SELECT max(seq) FROM ledger_entry WHERE record_id=?", -1, &st,
                           NULL) != SQLITE_OK)
        return rn__sync_dberr(db, err, "reading the log");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL)
        rc = rn__err(err, RN_ETAMPER, "public record %s has no log entry", id);
    else
        r->seq = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc)
        return rc;
    if ((rc = rn_ledger_disclosures(l, s, view, id, r->seq, &r->disc, &r->dlen, &r->nd, err)) ||
        (rc = rn_store_get(s, id, &rec, err)) ||
        (rc = rn_public_json(view, rec, RN_JSON_CANONICAL, &r->json, &r->jlen, err)))
        goto out;
    if (rn_record_type(rec) == RN_T_ATTACHMENT &&
        (rc = rn_public_record(view, rec, &pr, err)) == RN_OK) {
        const char *sha = rn_record_get(pr, "sha256", NULL);
        if (sha && strlen(sha) == 64) {
            char(*ns)[65] = realloc(p->sha, (p->nsha + 1) * sizeof *ns);
            if (!ns) {
                rc = rn__err(err, RN_ENOMEM, "out of memory");
                goto out;
            }
            p->sha = ns;
            memcpy(p->sha[p->nsha++], sha, 65);
        }
    }
out:
    if (rc == RN_OK)
        p->n++;
    else {
        free(r->disc);
        free(r->json);
    }
    rn_record_free(rec);
    rn_record_free(pr);
    return rc;
}

rn_code rn__sync_public_prepare(rn_store *s, double grid, rn__sync_pubset *p, rn_error *err)
{
    sqlite3 *db = rn__store_db(s);
    rn_public_opts o = {grid, NULL};
    rn_public *view = NULL;
    rn_ledger *l = NULL;
    char *buf = NULL;
    size_t blen = 0;
    FILE *ms = NULL;
    rn_code rc;
    memset(p, 0, sizeof *p);
    if ((rc = rn_public_open(s, &o, &view, err)) ||
        (rc = rn_ledger_open(s->path, RN_LEDGER_READONLY, &l, err)))
        goto out;
    /* the view's own order: referenced before referring */
    if (!(ms = open_memstream(&buf, &blen))) {
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    uint64_t count = 0;
    rc = rn_public_export(view, s, ms, &count, err);
    fclose(ms);
    if (rc)
        goto out;
    p->r = rn__calloc(count ? count : 1, sizeof *p->r);
    p->order = rn__calloc(count ? count : 1, sizeof *p->order);
    if (!p->r || !p->order) {
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    for (char *line = buf; rc == RN_OK && line && *line && p->n < count;) {
        char *nl = strchr(line, '\n');
        json_t *j = json_loadb(line, nl ? (size_t)(nl - line) : strlen(line), 0, NULL);
        const char *id = json_string_value(json_object_get(j, "id"));
        if (!id)
            rc = rn__err(err, RN_ETAMPER, "the public view wrote a record without an id");
        else
            rc = one(s, db, l, view, id, p, err);
        json_decref(j);
        line = nl ? nl + 1 : NULL;
    }
    if (rc)
        goto out;
    /* order[k] = the k-th to apply; r sorted by seq for lookup */
    for (size_t i = 0; i < p->n; i++)
        p->r[i].rank = i;
    qsort(p->r, p->n, sizeof *p->r, by_seq);
    for (size_t i = 0; i < p->n; i++)
        p->order[p->r[i].rank] = i;
out:
    free(buf);
    rn_ledger_close(l);
    rn_public_free(view);
    if (rc)
        rn__sync_public_free(p);
    return rc;
}
