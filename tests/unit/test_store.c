/* SPDX-License-Identifier: Apache-2.0
 *
 * test_store.c — unit tests of the store (lib/store) through its public
 * API: create/open, put/get/delete of every record type, reference checks
 * (every reference field of the model), the item tree, listing with
 * filters, search with `?`, the schema against the model (through sqlite3
 * directly), all-or-nothing import, and allocation-failure injection. */
#define _GNU_SOURCE
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"
#include "remnant/analysis.h"
#include "remnant/ledger.h"
#include "remnant/store.h"
#include "old_schema.h"
#include "store/store_int.h"

#define GHOST "01HGHGHGHGHGHGHGHGHGHGHGHG" /* a well-formed id of nothing */
#define SHA_A "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct fx {
    char dir[64];
    char db[128];
    rn_store *s;
} fx;

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/rn_test_store.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
    rn_error err;
    rn_error_clear(&err);
    if (rn_store_open(f->db, RN_STORE_CREATE, &f->s, &err) != RN_OK) {
        fprintf(stderr, "open: %s\n", err.message);
        return -1;
    }
    /* the (empty) file the attachment records here name: a record naming
     * a file that is not stored is refused (issue 15, point 13) */
    char path[512];
    snprintf(path, sizeof path, "%s/t.db.blobs", f->dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/t.db.blobs/e3", f->dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/t.db.blobs/e3/" SHA_A, f->dir);
    FILE *b = fopen(path, "wb");
    if (!b || fclose(b) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    rn__alloc_fail_after(0);
    rn_store_close(f->s);
    nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

/* A record from "field=value" strings (NULL-terminated); "id=..." sets the
 * id. Values are printf formats of nothing: pass finished strings. */
static rn_record *mk(rn_type t, ...)
{
    rn_record *r = rn_record_new(t);
    assert_non_null(r);
    va_list ap;
    va_start(ap, t);
    const char *kv;
    while ((kv = va_arg(ap, const char *)) != NULL) {
        const char *eq = strchr(kv, '=');
        assert_non_null(eq);
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(eq - kv), kv);
        rn_error err;
        rn_error_clear(&err);
        rn_code rc = strcmp(name, "id") == 0 ? rn_record_set_id(r, eq + 1, strlen(eq + 1), &err)
                                             : rn_record_set(r, name, eq + 1, strlen(eq + 1), &err);
        if (rc != RN_OK)
            fail_msg("%s: %s", kv, err.message);
    }
    va_end(ap);
    return r;
}

static void put_ok(rn_store *s, rn_record *r, rn_put_mode mode)
{
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_store_put(s, r, mode, &err);
    if (rc != RN_OK)
        fail_msg("put %s: rc %d field '%s': %s", rn_type_name(rn_record_type(r)), rc, err.field,
                 err.message);
    assert_true(rn_id_valid(rn_record_id(r), RN_ID_LEN));
}

static char *canon(const rn_record *r)
{
    char *j = NULL;
    size_t n;
    assert_int_equal(rn_record_to_json(r, RN_JSON_CANONICAL, &j, &n), RN_OK);
    return j;
}

static int64_t count(rn_store *s, rn_type t)
{
    int64_t n = -1;
    assert_int_equal(rn_store_count(s, t, &n), RN_OK);
    return n;
}

/* Everything the store holds, as JSON Lines. */
static char *export_all(rn_store *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_export(s, m, NULL, &err);
    fclose(m);
    if (rc != RN_OK)
        fail_msg("export: %s", err.message);
    return buf;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

/* ---- a valid record of every type ---------------------------------------- */

typedef struct world {
    char entity1[27], entity2[27], event[27], weapon[27], board[27], attachment[27],
        marking[27];
} world;

static void build_world(rn_store *s, world *w)
{
    rn_record *r;
    r = mk(RN_T_ENTITY, "kind=company", "name=Acme Components", "aliases=Acme;ACME Inc",
           "country=us", "identifiers=LEI 123", NULL);
    put_ok(s, r, RN_PUT_CREATE);
    memcpy(w->entity1, rn_record_id(r), 27);
    rn_record_free(r);
    r = mk(RN_T_ENTITY, "kind=state", "name=Ruritania", "country=KP", NULL);
    put_ok(s, r, RN_PUT_CREATE);
    memcpy(w->entity2, rn_record_id(r), 27);
    rn_record_free(r);
    r = mk(RN_T_EVENT, "name=Strike", "context=remnants of a missile strike", "place=Kharkiv",
           "country=ua", "lat=49.99", "lon=36.23", "precision_m=100", "documented=2024-01-02",
           "incident=2024-01", "investigators=A;B", "custody_holder=prosecutor",
           "source=field team", "notes=first event", NULL);
    put_ok(s, r, RN_PUT_CREATE);
    memcpy(w->event, rn_record_id(r), 27);
    rn_record_free(r);
}

/* One valid record of type t referring to w's records. */
static rn_record *valid_of(rn_type t, const world *w)
{
    char ev[40], it[40], e1[40], e2[40], par[40], its[80], evid[80], att[40], mk_[40];
    snprintf(ev, sizeof ev, "event=%s", w->event);
    snprintf(it, sizeof it, "item=%s", w->board);
    snprintf(e1, sizeof e1, "supplier=%s", w->entity1);
    snprintf(e2, sizeof e2, "recipient=%s", w->entity2);
    snprintf(par, sizeof par, "parent=%s", w->weapon);
    snprintf(its, sizeof its, "items=%s;%s", w->weapon, w->board);
    snprintf(evid, sizeof evid, "evidence=%s;%s", w->weapon, w->event);
    snprintf(att, sizeof att, "attachment=%s", w->attachment);
    snprintf(mk_, sizeof mk_, "marking=%s", w->marking);
    switch (t) {
    case RN_T_EVENT: return mk(t, "name=Another", "documented=2024-W12", NULL);
    case RN_T_ITEM:
        return mk(t, "kind=component", ev, par, "category=ic", "name=chip", "weapon_system=KN-23",
                  "producing_state=kp", "manufacturer=Acme", "manufacturer_country=US",
                  "produced=2015-W07", "serial=SN 42", "lot=L7", "notes=n", NULL);
    case RN_T_MARKING:
        return mk(t, it, "text=AC1507 2015", "location=top", "method=printed", att,
                  "notes=photo 3", NULL);
    case RN_T_ATTACHMENT:
        return mk(t, "sha256=" SHA_A, "size=0", "media_type=image/jpeg", "filename=a.jpg", it, ev,
                  "captured=2024-01-02", "captured_by=someone", NULL);
    case RN_T_ENTITY: return mk(t, "kind=person", "name=J. Doe", NULL);
    case RN_T_TRANSFER:
        return mk(t, e1, e2, "scope=chips", its, "date=2014/2015", "source=invoice",
                  "confidence=0.5", NULL);
    case RN_T_TRACE: {
        char rc_[40];
        snprintf(rc_, sizeof rc_, "recipient=%s", w->entity1);
        /* a plain write makes a draft (lib/store/lifecycle.c W6) */
        return mk(t, rc_, its, "question=who bought it?", "status=draft", "due=2024-03",
                  "answer=secret", NULL);
    }
    case RN_T_FINDING:
        return mk(t, "statement=made abroad", evid, "author=a", "status=draft", NULL);
    case RN_T_SANCTION:
        return mk(t, "regime=UN DPRK", "instrument=UNSCR 2270 para 8", "adopted=2016-03-02",
                  "target=kp", "prohibits=arms;electronics", "listed=X;Y", "source=un.org", NULL);
    case RN_T_CUSTODY: {
        char itw[40];
        snprintf(itw, sizeof itw, "item=%s", w->weapon);
        return mk(t, itw, ev, "holder=prosecutor", "action=received", "date=2024-01-03", NULL);
    }
    case RN_T_CLAIM:
        return mk(t, it, "field=manufacturer", "value=Acme", "country=US", "reason=logo", mk_,
                  "author=x", NULL);
    default: fail_msg("no valid record for type %d", t);
    }
    return NULL;
}

/* An attachment record whose file is not stored (or is stored with another
 * size) is refused with RN_ECONSTRAINT on field sha256, and nothing is
 * written (issue 15, point 13). */
static void attachment_without_its_file_refused(void **state)
{
    fx *f = *state;
    rn_record *r = mk(RN_T_ATTACHMENT,
                      "sha256=0000000000000000000000000000000000000000000000000000000000000000",
                      "size=0", "media_type=image/jpeg", NULL);
    rn_error err;
    rn_error_clear(&err);
    assert_int_equal(rn_store_put(f->s, r, RN_PUT_CREATE, &err), RN_ECONSTRAINT);
    assert_string_equal(err.field, "sha256");
    rn_record_free(r);
    r = mk(RN_T_ATTACHMENT, "sha256=" SHA_A, "size=5", "media_type=image/jpeg", NULL);
    rn_error_clear(&err);
    assert_int_equal(rn_store_put(f->s, r, RN_PUT_CREATE, &err), RN_ECONSTRAINT);
    rn_record_free(r);
    rn_cursor *c = NULL;
    const rn_record *x = NULL;
    assert_int_equal(rn_store_list(f->s, RN_T_ATTACHMENT, NULL, 0, -1, 0, &c, &err), RN_OK);
    assert_int_equal(rn_cursor_next(c, &x, &err), RN_OK);
    assert_null(x);
    rn_cursor_free(c);
    r = mk(RN_T_ATTACHMENT, "sha256=" SHA_A, "size=0", "media_type=image/jpeg", NULL);
    put_ok(f->s, r, RN_PUT_CREATE);
    rn_record_free(r);
}

/* Fill w completely: entities and event, a weapon, a board in it, an
 * attachment and a marking. */
static void build_full_world(rn_store *s, world *w)
{
    build_world(s, w);
    char ev[40];
    snprintf(ev, sizeof ev, "event=%s", w->event);
    rn_record *r = mk(RN_T_ITEM, "kind=weapon", ev, "name=missile", NULL);
    put_ok(s, r, RN_PUT_CREATE);
    memcpy(w->weapon, rn_record_id(r), 27);
    rn_record_free(r);
    r = valid_of(RN_T_ITEM, w);
    put_ok(s, r, RN_PUT_CREATE);
    memcpy(w->board, rn_record_id(r), 27);
    rn_record_free(r);
    char it[40];
    snprintf(it, sizeof it, "item=%s", w->board);
    r = mk(RN_T_ATTACHMENT, "sha256=" SHA_A, "size=0", "media_type=image/jpeg", it, NULL);
    put_ok(s, r, RN_PUT_CREATE);
    memcpy(w->attachment, rn_record_id(r), 27);
    rn_record_free(r);
    char at[40];
    snprintf(at, sizeof at, "attachment=%s", w->attachment);
    r = mk(RN_T_MARKING, it, at, "text=KN-23 No. 2015", NULL);
    put_ok(s, r, RN_PUT_CREATE);
    memcpy(w->marking, rn_record_id(r), 27);
    rn_record_free(r);
}

/* ---- tests ------------------------------------------------------------------ */

/* The first test of this program (main lists it first): the store opened in
 * setup was this process's first use of SQLite, so the library set SQLite's
 * allocator up (alloc.c, rn__sqlite_setup): no memory statistics, whose
 * upkeep is a global mutex per sqlite3_malloc. With them on, SQLite counts
 * every byte the connection holds and sqlite3_memory_used() is far from 0. */
static void sqlite_memory_statistics_off(void **state)
{
    fx *f = *state;
    rn_record *r = mk(RN_T_EVENT, "name=e", NULL);
    put_ok(f->s, r, RN_PUT_CREATE);
    rn_record_free(r);
    assert_true(sqlite3_memory_used() == 0);
    /* set up once per process, and harmless to ask again */
    rn__sqlite_setup();
    assert_true(sqlite3_memory_used() == 0);
}

static void open_create_and_reopen(void **state)
{
    fx *f = *state;
    assert_true(rn_store_schema_version(f->s) > 0);
    char blobs[200];
    snprintf(blobs, sizeof blobs, "%s.blobs", f->db);
    assert_string_equal(rn_store_blob_dir(f->s), blobs);
    /* EXCL refuses an existing file; no CREATE refuses a missing one */
    rn_store *s2 = NULL;
    rn_error err;
    rn_error_clear(&err);
    assert_int_equal(rn_store_open(f->db, RN_STORE_CREATE | RN_STORE_EXCL, &s2, &err), RN_EEXISTS);
    assert_null(s2);
    char missing[200];
    snprintf(missing, sizeof missing, "%s/none.db", f->dir);
    assert_int_equal(rn_store_open(missing, 0, &s2, &err), RN_ENOTFOUND);
    assert_int_equal(access(missing, F_OK), -1);
    /* a file that is not a database */
    char junk[200];
    snprintf(junk, sizeof junk, "%s/junk.db", f->dir);
    write_file(junk, "this is not sqlite, just text that is long enough to look like a header\n");
    rn_code rc = rn_store_open(junk, 0, &s2, &err);
    assert_true(rc == RN_EDB || rc == RN_EINPUT);
    assert_null(s2);
    /* a second handle sees what the first wrote */
    rn_record *r = mk(RN_T_ENTITY, "kind=state", "name=X", NULL);
    put_ok(f->s, r, RN_PUT_CREATE);
    assert_int_equal(rn_store_open(f->db, RN_STORE_READONLY, &s2, &err), RN_OK);
    rn_record *got = NULL;
    assert_int_equal(rn_store_get(s2, rn_record_id(r), &got, &err), RN_OK);
    rn_record_free(got);
    /* a read-only handle refuses writes */
    rn_record *r2 = mk(RN_T_ENTITY, "kind=state", "name=Y", NULL);
    assert_int_equal(rn_store_put(s2, r2, RN_PUT_CREATE, &err), RN_EREADONLY);
    assert_int_equal(rn_store_delete(s2, rn_record_id(r), &err), RN_EREADONLY);
    rn_store_close(s2);
    rn_record_free(r2);
    rn_record_free(r);
}

static void put_get_delete_every_type(void **state)
{
    fx *f = *state;
    world w = {0};
    build_full_world(f->s, &w);
    char ids[RN_T_COUNT][27];
    for (int t = 0; t < RN_T_COUNT; t++) {
        int64_t before = count(f->s, (rn_type)t);
        rn_record *r = valid_of((rn_type)t, &w);
        assert_string_equal(rn_record_id(r), "");
        put_ok(f->s, r, RN_PUT_CREATE);
        memcpy(ids[t], rn_record_id(r), 27);
        assert_int_equal(count(f->s, (rn_type)t), before + 1);
        rn_record *got = NULL;
        rn_error err;
        rn_error_clear(&err);
        assert_int_equal(rn_store_get(f->s, ids[t], &got, &err), RN_OK);
        assert_int_equal(rn_record_type(got), t);
        char *a = canon(r), *b = canon(got);
        if (strcmp(a, b) != 0)
            fail_msg("%s changed in the store:\n put %s\n got %s", rn_type_name((rn_type)t), a, b);
        rn_free(a);
        rn_free(b);
        rn_record_free(got);
        rn_record_free(r);
    }
    /* nothing refers to these new records: delete each, in reverse */
    for (int t = RN_T_COUNT - 1; t >= 0; t--) {
        rn_error err;
        rn_error_clear(&err);
        int64_t before = count(f->s, (rn_type)t);
        rn_code rc = rn_store_delete(f->s, ids[t], &err);
        if (rc != RN_OK)
            fail_msg("delete %s: rc %d: %s", rn_type_name((rn_type)t), rc, err.message);
        assert_int_equal(count(f->s, (rn_type)t), before - 1);
        rn_record *got = (rn_record *)0x1;
        assert_int_equal(rn_store_get(f->s, ids[t], &got, &err), RN_ENOTFOUND);
        assert_null(got);
        assert_int_equal(rn_store_delete(f->s, ids[t], &err), RN_ENOTFOUND);
    }
    rn_record *got = NULL;
    assert_int_equal(rn_store_get(f->s, "not an id", &got, NULL), RN_EINPUT);
}

static void put_modes(void **state)
{
    fx *f = *state;
    world w = {0};
    build_full_world(f->s, &w);
    rn_error err;
    /* a second record with an existing id: refused, whatever the type */
    char idkv[40];
    snprintf(idkv, sizeof idkv, "id=%s", w.entity1);
    rn_record *dup = mk(RN_T_ENTITY, idkv, "kind=state", "name=Dup", NULL);
    rn_error_clear(&err);
    assert_int_equal(rn_store_put(f->s, dup, RN_PUT_CREATE, &err), RN_EEXISTS);
    assert_string_equal(err.field, "id");
    rn_record *dup2 = mk(RN_T_EVENT, idkv, "name=Dup", NULL);
    assert_int_equal(rn_store_put(f->s, dup2, RN_PUT_CREATE, &err), RN_EEXISTS);
    assert_int_equal(rn_store_put(f->s, dup2, RN_PUT_UPSERT, &err), RN_EEXISTS);
    rn_record_free(dup2);
    /* replace changes fields */
    assert_int_equal(rn_store_put(f->s, dup, RN_PUT_REPLACE, &err), RN_OK);
    rn_record *got = NULL;
    assert_int_equal(rn_store_get(f->s, w.entity1, &got, &err), RN_OK);
    assert_string_equal(rn_record_get(got, "name", NULL), "Dup");
    assert_null(rn_record_get(got, "aliases", NULL)); /* all fields replaced */
    rn_record_free(got);
    rn_record_free(dup);
    /* replace of nothing; replace without an id */
    rn_record *ghost = mk(RN_T_ENTITY, "id=" GHOST, "kind=state", "name=G", NULL);
    assert_int_equal(rn_store_put(f->s, ghost, RN_PUT_REPLACE, &err), RN_ENOTFOUND);
    rn_record *noid = mk(RN_T_ENTITY, "kind=state", "name=G", NULL);
    assert_int_equal(rn_store_put(f->s, noid, RN_PUT_REPLACE, &err), RN_EINVAL);
    rn_record_free(noid);
    /* upsert creates, then replaces */
    assert_int_equal(rn_store_put(f->s, ghost, RN_PUT_UPSERT, &err), RN_OK);
    assert_int_equal(rn_record_set(ghost, "name", "G2", 2, NULL), RN_OK);
    assert_int_equal(rn_store_put(f->s, ghost, RN_PUT_UPSERT, &err), RN_OK);
    assert_int_equal(rn_store_get(f->s, GHOST, &got, &err), RN_OK);
    assert_string_equal(rn_record_get(got, "name", NULL), "G2");
    rn_record_free(got);
    rn_record_free(ghost);
    /* a required field missing */
    rn_record *bad = mk(RN_T_ENTITY, "kind=state", NULL);
    rn_error_clear(&err);
    assert_int_equal(rn_store_put(f->s, bad, RN_PUT_CREATE, &err), RN_EINPUT);
    assert_string_equal(err.field, "name");
    rn_record_free(bad);
    /* an immutable field cannot change */
    rn_record *att = NULL;
    assert_int_equal(rn_store_get(f->s, w.attachment, &att, &err), RN_OK);
    assert_int_equal(rn_record_set(att, "size", "99", 2, NULL), RN_OK);
    rn_error_clear(&err);
    assert_int_equal(rn_store_put(f->s, att, RN_PUT_REPLACE, &err), RN_ECONSTRAINT);
    assert_string_equal(err.field, "size");
    rn_record_free(att);
}

/* Every reference field of the model, pointed at nothing, is refused with
 * RN_ECONSTRAINT naming the field, and nothing is written. */
static void missing_reference_every_field(void **state)
{
    fx *f = *state;
    world w = {0};
    build_full_world(f->s, &w);
    int checked = 0;
    for (int t = 0; t < RN_T_COUNT; t++) {
        size_t nf;
        const rn_field *fl = rn_type_fields((rn_type)t, &nf);
        for (size_t i = 0; i < nf; i++) {
            if (fl[i].kind != RN_F_REF && fl[i].kind != RN_F_REFLIST)
                continue;
            rn_record *r = valid_of((rn_type)t, &w);
            const char *v = fl[i].kind == RN_F_REF ? GHOST : NULL;
            char list[80];
            if (!v) {
                snprintf(list, sizeof list, "%s;%s", w.weapon, GHOST);
                v = list;
            }
            assert_int_equal(rn_record_set(r, fl[i].name, v, strlen(v), NULL), RN_OK);
            int64_t before = count(f->s, (rn_type)t);
            rn_error err;
            rn_error_clear(&err);
            rn_code rc = rn_store_put(f->s, r, RN_PUT_CREATE, &err);
            if (rc != RN_ECONSTRAINT || strcmp(err.field, fl[i].name) != 0)
                fail_msg("%s.%s -> nothing: rc %d field '%s' (%s)", rn_type_name((rn_type)t),
                         fl[i].name, rc, err.field, err.message);
            assert_int_equal(count(f->s, (rn_type)t), before);
            rn_record *got = NULL;
            assert_int_equal(rn_store_get(f->s, rn_record_id(r), &got, NULL), RN_ENOTFOUND);
            rn_record_free(r);
            checked++;
        }
    }
    assert_true(checked >= 15);
}

static void delete_of_referenced_record_refused(void **state)
{
    fx *f = *state;
    world w = {0};
    build_full_world(f->s, &w);
    rn_record *fd = valid_of(RN_T_FINDING, &w); /* evidence: weapon, event */
    put_ok(f->s, fd, RN_PUT_CREATE);
    rn_record *tr = valid_of(RN_T_TRANSFER, &w); /* supplier entity1 */
    put_ok(f->s, tr, RN_PUT_CREATE);
    const char *held[] = {w.event, w.weapon, w.board, w.attachment, w.entity1, w.entity2};
    for (size_t i = 0; i < sizeof held / sizeof held[0]; i++) {
        rn_error err;
        rn_error_clear(&err);
        rn_code rc = rn_store_delete(f->s, held[i], &err);
        if (rc != RN_ECONSTRAINT)
            fail_msg("delete of referenced #%zu %s: rc %d", i, held[i], rc);
        assert_true(err.field[0] != '\0');
        rn_record *got = NULL;
        assert_int_equal(rn_store_get(f->s, held[i], &got, NULL), RN_OK);
        rn_record_free(got);
    }
    /* once the referrers are gone, the delete goes through */
    assert_int_equal(rn_store_delete(f->s, rn_record_id(fd), NULL), RN_OK);
    assert_int_equal(rn_store_delete(f->s, w.marking, NULL), RN_OK);
    assert_int_equal(rn_store_delete(f->s, w.attachment, NULL), RN_OK);
    rn_record_free(fd);
    rn_record_free(tr);
}

static char *rows_of(sqlite3 *db, const char *sql);

/* The index of markings by photo holds only markings that name one
 * (0016_marking_attachment_partial.sql), and still serves both of its
 * readers: the lookup of a photo's markings and the foreign key's check when
 * a photo is deleted (no full scan of marking for either). */
static void marking_attachment_index_partial(void **state)
{
    fx *f = *state;
    world w = {0};
    build_full_world(f->s, &w);
    char it[40];
    snprintf(it, sizeof it, "item=%s", w.board);
    for (int i = 0; i < 3; i++) { /* markings without a photo: not in the index */
        rn_record *r = mk(RN_T_MARKING, it, "text=no photo", NULL);
        put_ok(f->s, r, RN_PUT_CREATE);
        rn_record_free(r);
    }
    rn_record *r = mk(RN_T_ATTACHMENT, "sha256=" SHA_A, "size=0", "media_type=image/jpeg", NULL);
    put_ok(f->s, r, RN_PUT_CREATE); /* a photo no marking names */
    sqlite3 *db = rn__store_db(f->s);
    char *got = rows_of(db, "SELECT partial FROM pragma_index_list('marking') "
                            "WHERE name = 'marking_attachment'");
    assert_string_equal(got, "1|\n");
    free(got);
    got = rows_of(db, "SELECT count(*) FROM marking INDEXED BY marking_attachment "
                      "WHERE attachment IS NOT NULL");
    assert_string_equal(got, "1|\n");
    free(got);
    got = rows_of(db, "EXPLAIN QUERY PLAN SELECT id FROM marking WHERE attachment = 'x' LIMIT 1");
    if (!strstr(got, "INDEX marking_attachment"))
        fail_msg("the lookup by attachment does not use the index: %s", got);
    free(got);
    /* the delete's foreign-key check runs in the statement's own program:
     * a full scan of marking would count here */
    sqlite3_stmt *del = NULL;
    assert_int_equal(sqlite3_exec(db, "SAVEPOINT t", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "DELETE FROM attachment WHERE id = ?", -1, &del, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(del, 1, rn_record_id(r), -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(del), SQLITE_DONE);
    assert_int_equal(sqlite3_changes(db), 1);
    assert_int_equal(sqlite3_stmt_status(del, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0), 0);
    sqlite3_finalize(del);
    assert_int_equal(sqlite3_exec(db, "ROLLBACK TO t; RELEASE t", NULL, NULL, NULL), SQLITE_OK);
    rn_record_free(r);
    /* and the photo a marking names is still held by it */
    rn_error err;
    rn_error_clear(&err);
    assert_int_equal(rn_store_delete(f->s, w.attachment, &err), RN_ECONSTRAINT);
}

static void parent_loop_refused(void **state)
{
    fx *f = *state;
    rn_record *a = mk(RN_T_ITEM, "kind=weapon", NULL);
    put_ok(f->s, a, RN_PUT_CREATE);
    char pa[40], pb[40], pc[40];
    snprintf(pa, sizeof pa, "parent=%s", rn_record_id(a));
    rn_record *b = mk(RN_T_ITEM, "kind=remnant", pa, NULL);
    put_ok(f->s, b, RN_PUT_CREATE);
    snprintf(pb, sizeof pb, "parent=%s", rn_record_id(b));
    rn_record *c = mk(RN_T_ITEM, "kind=component", pb, NULL);
    put_ok(f->s, c, RN_PUT_CREATE);
    snprintf(pc, sizeof pc, "%s", rn_record_id(c));
    /* a under c: a loop of three */
    assert_int_equal(rn_record_set(a, "parent", pc, 26, NULL), RN_OK);
    rn_error err;
    rn_error_clear(&err);
    assert_int_equal(rn_store_put(f->s, a, RN_PUT_REPLACE, &err), RN_ECONSTRAINT);
    assert_string_equal(err.field, "parent");
    /* a under itself */
    assert_int_equal(rn_record_set(a, "parent", rn_record_id(a), 26, NULL), RN_OK);
    rn_error_clear(&err);
    assert_int_equal(rn_store_put(f->s, a, RN_PUT_REPLACE, &err), RN_ECONSTRAINT);
    assert_string_equal(err.field, "parent");
    rn_record *got = NULL;
    assert_int_equal(rn_store_get(f->s, rn_record_id(a), &got, NULL), RN_OK);
    assert_null(rn_record_get(got, "parent", NULL));
    rn_record_free(got);
    /* moving c under a is fine (no loop) */
    assert_int_equal(rn_record_set(c, "parent", rn_record_id(a), 26, NULL), RN_OK);
    put_ok(f->s, c, RN_PUT_REPLACE);
    rn_record_free(a);
    rn_record_free(b);
    rn_record_free(c);
}

/* A new item whose parent is its own id is a loop of one. */
static void parent_self_on_create_refused(void **state)
{
    fx *f = *state;
    rn_record *a = mk(RN_T_ITEM, "id=01HSE1FSE1FSE1FSE1FSE1FSE1", "kind=weapon",
                      "parent=01HSE1FSE1FSE1FSE1FSE1FSE1", NULL);
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_store_put(f->s, a, RN_PUT_CREATE, &err);
    if (rc != RN_ECONSTRAINT)
        fail_msg("an item created as its own parent: rc %d (%s)", rc, err.message);
    assert_string_equal(err.field, "parent");
    rn_record_free(a);
}

static int list_ids(rn_store *s, rn_type t, const rn_filter *fl, size_t n, long limit,
                    long offset, char out[][27], int max)
{
    rn_cursor *c = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_store_list(s, t, fl, n, limit, offset, &c, &err);
    if (rc != RN_OK)
        fail_msg("list: %s", err.message);
    int k = 0;
    const rn_record *r;
    while (rn_cursor_next(c, &r, &err) == RN_OK && r) {
        if (k < max)
            memcpy(out[k], rn_record_id(r), 27);
        k++;
    }
    rn_cursor_free(c);
    return k;
}

static void list_with_filters(void **state)
{
    fx *f = *state;
    char ids[10][27];
    const char *kinds[] = {"weapon", "component", "component", "remnant", "component"};
    const char *states[] = {"KP", "RU", "KP", "KP", "US"};
    char made[5][27];
    for (int i = 0; i < 5; i++) {
        char k[40], st[40];
        snprintf(k, sizeof k, "kind=%s", kinds[i]);
        snprintf(st, sizeof st, "producing_state=%s", states[i]);
        rn_record *r = mk(RN_T_ITEM, k, st, NULL);
        put_ok(f->s, r, RN_PUT_CREATE);
        memcpy(made[i], rn_record_id(r), 27);
        rn_record_free(r);
    }
    assert_int_equal(list_ids(f->s, RN_T_ITEM, NULL, 0, -1, 0, ids, 10), 5);
    for (int i = 0; i < 5; i++)
        assert_string_equal(ids[i], made[i]); /* creation order */
    rn_filter comp = {"kind", "component"};
    assert_int_equal(list_ids(f->s, RN_T_ITEM, &comp, 1, -1, 0, ids, 10), 3);
    assert_string_equal(ids[0], made[1]);
    assert_string_equal(ids[2], made[4]);
    rn_filter both[2] = {{"kind", "component"}, {"producing_state", "kp"}};
    assert_int_equal(list_ids(f->s, RN_T_ITEM, both, 2, -1, 0, ids, 10), 1);
    assert_string_equal(ids[0], made[2]);
    assert_int_equal(list_ids(f->s, RN_T_ITEM, &comp, 1, 1, 1, ids, 10), 1);
    assert_string_equal(ids[0], made[2]);
    assert_int_equal(list_ids(f->s, RN_T_ITEM, NULL, 0, 2, 4, ids, 10), 1);
    rn_filter byid = {"id", made[3]};
    assert_int_equal(list_ids(f->s, RN_T_ITEM, &byid, 1, -1, 0, ids, 10), 1);
    rn_filter none = {"kind", "packaging"};
    assert_int_equal(list_ids(f->s, RN_T_ITEM, &none, 1, -1, 0, ids, 10), 0);
    assert_int_equal(list_ids(f->s, RN_T_EVENT, NULL, 0, -1, 0, ids, 10), 0);
    /* filters the store cannot apply are refused, naming the field */
    rn_cursor *c = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_filter bad = {"colour", "red"};
    assert_int_equal(rn_store_list(f->s, RN_T_ITEM, &bad, 1, -1, 0, &c, &err), RN_EINPUT);
    assert_string_equal(err.field, "colour");
    assert_null(c);
    rn_filter date = {"produced", "2024"};
    assert_int_equal(rn_store_list(f->s, RN_T_ITEM, &date, 1, -1, 0, &c, &err), RN_EINPUT);
    assert_null(c);
    /* an injection attempt is just a value */
    rn_filter inj = {"kind", "x' OR '1'='1"};
    assert_int_equal(list_ids(f->s, RN_T_ITEM, &inj, 1, -1, 0, ids, 10), 0);
    assert_int_equal(rn_store_list(f->s, RN_T_COUNT, NULL, 0, -1, 0, &c, &err), RN_EINVAL);
}

typedef struct hits {
    int n;
    char id[32][27];
    char text[32][64];
} hits;

static int on_hit(void *ctx, const rn_hit *h)
{
    hits *x = ctx;
    if (x->n < 32) {
        snprintf(x->id[x->n], 27, "%s", h->id);
        snprintf(x->text[x->n], 64, "%s", h->text);
    }
    x->n++;
    return 0;
}

typedef struct idlist_count {
    int n;
} idlist_count;

static int on_hit_count(void *ctx, const rn_hit *h)
{
    (void)h;
    ((idlist_count *)ctx)->n++;
    return 0;
}

/* The texts of the hits for q, sorted, joined with '|'. */
static void search_texts(rn_store *s, const char *q, char *out, size_t cap)
{
    hits h = {0};
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_store_search(s, q, 0, on_hit, &h, &err);
    if (rc != RN_OK)
        fail_msg("search '%s': %s", q, err.message);
    /* sort (tiny n) */
    for (int i = 0; i < h.n; i++)
        for (int j = i + 1; j < h.n; j++)
            if (strcmp(h.text[i], h.text[j]) > 0) {
                char t[64];
                memcpy(t, h.text[i], 64);
                memcpy(h.text[i], h.text[j], 64);
                memcpy(h.text[j], t, 64);
            }
    out[0] = '\0';
    for (int i = 0; i < h.n; i++) {
        strncat(out, h.text[i], cap - strlen(out) - 1);
        if (i + 1 < h.n)
            strncat(out, "|", cap - strlen(out) - 1);
    }
}

static void expect_search(rn_store *s, const char *q, const char *want)
{
    char got[2048];
    search_texts(s, q, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("search '%s':\n got  '%s'\n want '%s'", q, got, want);
}

/* A new weapon item, stored. */
static rn_record *new_weapon(rn_store *s)
{
    rn_record *item = mk(RN_T_ITEM, "kind=weapon", NULL);
    put_ok(s, item, RN_PUT_CREATE);
    return item;
}

static rn_record *marking_on(rn_store *s, const char *item, const char *text)
{
    char it[40], tx[200];
    snprintf(it, sizeof it, "item=%s", item);
    snprintf(tx, sizeof tx, "text=%s", text);
    rn_record *m = mk(RN_T_MARKING, it, tx, NULL);
    put_ok(s, m, RN_PUT_CREATE);
    return m;
}

static void search_substring_and_unknowns(void **state)
{
    fx *f = *state;
    rn_record *item = new_weapon(f->s);
    const char *id = rn_record_id(item);
    const char *texts[] = {"KN-23 No. 2015", "KN-25", "date 2415", "2 15 x", "kn-2x",
                           "KN-2", "AB2-15", "12345"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        rn_record_free(marking_on(f->s, id, texts[i]));
    expect_search(f->s, "2?15", "2 15 x|AB2-15|KN-23 No. 2015|date 2415");
    expect_search(f->s, "KN-2?", "KN-23 No. 2015|KN-25|kn-2x");
    expect_search(f->s, "kn-2", "KN-2|KN-23 No. 2015|KN-25|kn-2x");
    expect_search(f->s, "no. 20", "KN-23 No. 2015");
    expect_search(f->s, "23", "12345|KN-23 No. 2015");
    expect_search(f->s, "?5", "12345|2 15 x|AB2-15|KN-23 No. 2015|KN-25|date 2415");
    expect_search(f->s, "KN-2??", "KN-23 No. 2015");
    expect_search(f->s, "zzz", "");
    expect_search(f->s, "%", "");
    expect_search(f->s, "_", "");
    /* notes are searched too; names are not */
    rn_record *e = mk(RN_T_EVENT, "name=SECRETNAME", "notes=seen near the depot", NULL);
    put_ok(f->s, e, RN_PUT_CREATE);
    expect_search(f->s, "depot", "seen near the depot");
    expect_search(f->s, "SECRETNAME", "");
    /* an edit replaces the indexed text; a delete removes it */
    assert_int_equal(rn_record_set(e, "notes", "moved to the warehouse", 22, NULL), RN_OK);
    put_ok(f->s, e, RN_PUT_REPLACE);
    expect_search(f->s, "depot", "");
    expect_search(f->s, "wareh?use", "moved to the warehouse");
    assert_int_equal(rn_store_delete(f->s, rn_record_id(e), NULL), RN_OK);
    expect_search(f->s, "warehouse", "");
    /* limit and stop */
    hits h = {0};
    assert_int_equal(rn_store_search(f->s, "KN", 2, on_hit, &h, NULL), RN_OK);
    assert_int_equal(h.n, 2);
    rn_error err;
    assert_int_equal(rn_store_search(f->s, "", 0, on_hit, &h, &err), RN_EINPUT);
    rn_record_free(e);
    rn_record_free(item);
}

/* A marking transcribed with `?` for an illegible character, and other
 * characters outside A-Z 0-9, are found by a `?` query as LIKE would. */
static void search_unknown_matches_any_character(void **state)
{
    fx *f = *state;
    rn_record *item = new_weapon(f->s);
    const char *texts[] = {"2?15", "2#15", "2Ж15", "2_15"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        rn_record_free(marking_on(f->s, rn_record_id(item), texts[i]));
    expect_search(f->s, "2?15", "2#15|2?15|2_15|2Ж15");
    rn_record_free(item);
}

/* A `?` stands for the characters of table search_char, which the store
 * writes once per transaction for each new character (issue 14). A
 * character first written in a transaction that was rolled back is not in
 * the table: the next transaction must write it again, or a `?` query would
 * miss the texts that hold it. */
static void search_character_set_follows_rollback(void **state)
{
    fx *f = *state;
    rn_record *item = new_weapon(f->s);
    assert_int_equal(rn_store_begin(f->s, NULL), RN_OK);
    rn_record_free(marking_on(f->s, rn_record_id(item), "2\xd0\x96" "15"));
    rn_record_free(marking_on(f->s, rn_record_id(item), "x\xea\xb0\x80y"));
    rn_store_rollback(f->s);
    expect_search(f->s, "2?15", "");
    rn_record_free(marking_on(f->s, rn_record_id(item), "3\xd0\x96" "48"));
    assert_int_equal(rn_store_begin(f->s, NULL), RN_OK);
    rn_record_free(marking_on(f->s, rn_record_id(item), "q\xea\xb0\x80r"));
    assert_int_equal(rn_store_commit(f->s, NULL), RN_OK);
    expect_search(f->s, "3?48", "3\xd0\x96" "48");
    expect_search(f->s, "q?r", "q\xea\xb0\x80r");
    expect_search(f->s, "2?15", "");
    rn_record_free(item);
}

/* More distinct characters than a `?` is expanded over (512): the search
 * falls back to the trigram vocabulary or a scan, with the same hits. */
static void search_many_distinct_characters(void **state)
{
    fx *f = *state;
    rn_record *item = new_weapon(f->s);
    assert_int_equal(rn_store_begin(f->s, NULL), RN_OK);
    for (unsigned cp = 0x4e00; cp < 0x4e00 + 600; cp++) {
        char t[16];
        snprintf(t, sizeof t, "q%c%c%cz", (char)(0xe0 | (cp >> 12)),
                 (char)(0x80 | ((cp >> 6) & 0x3f)), (char)(0x80 | (cp & 0x3f)));
        rn_record_free(marking_on(f->s, rn_record_id(item), t));
    }
    rn_record_free(marking_on(f->s, rn_record_id(item), "q-z"));
    assert_int_equal(rn_store_commit(f->s, NULL), RN_OK);
    idlist_count c = {0};
    assert_int_equal(rn_store_search(f->s, "q?z", 1000, on_hit_count, &c, NULL), RN_OK);
    assert_int_equal(c.n, 601);
    c.n = 0;
    assert_int_equal(rn_store_search(f->s, "Q?Z", 1000, on_hit_count, &c, NULL), RN_OK);
    assert_int_equal(c.n, 601);
    expect_search(f->s, "?-z", "q-z");
    rn_record_free(item);
}

/* Search hits are exactly those of a plain scan of the indexed texts with
 * LIKE (`?` as `_`), in the order the texts were written, for queries of
 * every shape: literal, with one to three `?`, short and long, over texts
 * mixing case, digits, punctuation, `?` and characters outside ASCII. */
typedef struct idlist {
    char ids[400][32];
    int n;
} idlist;

static int on_hit_id(void *ctx, const rn_hit *h)
{
    idlist *l = ctx;
    if (l->n < 400)
        snprintf(l->ids[l->n], sizeof l->ids[0], "%s/%s", h->id, h->field);
    l->n++;
    return 0;
}

static void search_same_hits_as_a_scan(void **state)
{
    fx *f = *state;
    static const char *const alpha[] = {"a", "B", "c", "K", "n", "2", "1", "5", "0", "-", " ",
                                        "?", "\xd0\x96", "\xd0\xb6", "\xec\xa3\xbc"};
    const size_t na = sizeof alpha / sizeof alpha[0];
    uint32_t x = 7;
    rn_record *item = new_weapon(f->s);
    assert_int_equal(rn_store_begin(f->s, NULL), RN_OK);
    for (int i = 0; i < 300; i++) {
        char t[64] = "";
        x = x * 1103515245u + 12345u;
        int len = 1 + (int)((x >> 16) % 9);
        for (int k = 0; k < len; k++) {
            x = x * 1103515245u + 12345u;
            strncat(t, alpha[(x >> 16) % (na / (i % 3 ? 1 : 2))], sizeof t - strlen(t) - 1);
        }
        rn_record_free(marking_on(f->s, rn_record_id(item), t));
    }
    assert_int_equal(rn_store_commit(f->s, NULL), RN_OK);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT rid, field FROM search_text WHERE text "
                                            "LIKE ?1 ESCAPE '\\' ORDER BY id", -1, &st, NULL),
                     SQLITE_OK);
    int nonempty = 0;
    for (int i = 0; i < 400; i++) {
        char q[64] = "", like[80] = "%";
        x = x * 1103515245u + 12345u;
        int len = 2 + (int)((x >> 16) % 5), unknowns = 0;
        for (int k = 0; k < len; k++) {
            x = x * 1103515245u + 12345u;
            const char *c = (x >> 16) % 4 == 0 && unknowns < 3 ? "?" : alpha[(x >> 20) % (na - 4)];
            unknowns += c[0] == '?';
            strncat(q, c, sizeof q - strlen(q) - 1);
            strncat(like, c[0] == '?' ? "_" : c, sizeof like - strlen(like) - 1);
        }
        strncat(like, "%", sizeof like - strlen(like) - 1);
        idlist *got = calloc(1, sizeof *got), *want = calloc(1, sizeof *want);
        assert_non_null(got);
        assert_non_null(want);
        rn_error err;
        rn_error_clear(&err);
        if (rn_store_search(f->s, q, 400, on_hit_id, got, &err) != RN_OK)
            fail_msg("search '%s': %s", q, err.message);
        sqlite3_bind_text(st, 1, like, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW && want->n < 400)
            snprintf(want->ids[want->n++], sizeof want->ids[0], "%s/%s",
                     (const char *)sqlite3_column_text(st, 0),
                     (const char *)sqlite3_column_text(st, 1));
        sqlite3_reset(st);
        if (got->n != want->n)
            fail_msg("search '%s': %d hits, a scan finds %d", q, got->n, want->n);
        for (int k = 0; k < got->n; k++)
            if (strcmp(got->ids[k], want->ids[k]) != 0)
                fail_msg("search '%s': hit %d is %s, a scan says %s", q, k, got->ids[k],
                         want->ids[k]);
        nonempty += got->n > 0;
        free(got);
        free(want);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_true(nonempty > 100); /* the queries do find things */
    rn_record_free(item);
}

/* Two threads, each with its own store on one database, search with `?` at
 * the same time: every search must give the same hits as alone. (The `?`
 * expansion once kept its work area in static memory, and the server's
 * concurrent searches crashed it with a division by zero.) */
typedef struct search_thread {
    const char *db;
    int bad;
} search_thread;

static void *search_many(void *p)
{
    search_thread *t = p;
    rn_store *s = NULL;
    if (rn_store_open(t->db, RN_STORE_READONLY, &s, NULL) != RN_OK) {
        t->bad = -1;
        return NULL;
    }
    for (int i = 0; i < 300; i++) {
        hits h = {0};
        if (rn_store_search(s, i % 2 ? "2?15" : "?B2-", 0, on_hit, &h, NULL) != RN_OK ||
            h.n != (i % 2 ? 5 : 1))
            t->bad++;
    }
    rn_store_close(s);
    return NULL;
}

static void search_from_threads_at_once(void **state)
{
    fx *f = *state;
    rn_record *item = new_weapon(f->s);
    const char *texts[] = {"KN-23 No. 2015", "date 2415", "2 15 x", "AB2-15", "2Z15 r"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        rn_record_free(marking_on(f->s, rn_record_id(item), texts[i]));
    rn_record_free(item);
    search_thread t[2] = {{f->db, 0}, {f->db, 0}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, search_many, &t[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(t[0].bad, 0);
    assert_int_equal(t[1].bad, 0);
}

static void schema_has_every_model_field(void **state)
{
    fx *f = *state;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    int checked = 0;
    for (int t = 0; t < RN_T_COUNT; t++) {
        char cols[64][64];
        int nc = 0;
        char sql[100];
        snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", rn_type_name((rn_type)t));
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW && nc < 64)
            snprintf(cols[nc++], 64, "%s", (const char *)sqlite3_column_text(st, 1));
        sqlite3_finalize(st);
        if (nc == 0)
            fail_msg("no table for type %s", rn_type_name((rn_type)t));
        size_t nf;
        const rn_field *fl = rn_type_fields((rn_type)t, &nf);
        for (size_t i = 0; i <= nf; i++) {
            const char *want[3];
            char buf[3][64];
            int nw = 0;
            if (i == nf) {
                want[nw++] = "id";
            } else if (fl[i].kind == RN_F_DATE) {
                static const char *const sfx[3] = {"earliest", "latest", "precision"};
                for (int k = 0; k < 3; k++) {
                    snprintf(buf[k], 64, "%s_%s", fl[i].name, sfx[k]);
                    want[nw++] = buf[k];
                }
            } else {
                want[nw++] = fl[i].name;
            }
            for (int k = 0; k < nw; k++) {
                int found = 0;
                for (int c = 0; c < nc && !found; c++)
                    found = strcmp(cols[c], want[k]) == 0;
                if (!found)
                    fail_msg("table %s has no column %s", rn_type_name((rn_type)t), want[k]);
                checked++;
            }
        }
    }
    assert_true(checked > 100);
    sqlite3_close(db);
}

/* An import that fails anywhere leaves the store exactly as it was, and
 * the error names the file, the line and the field. */
static void import_bad_file_changes_nothing(void **state)
{
    fx *f = *state;
    world w = {0};
    build_full_world(f->s, &w);
    char *before = export_all(f->s);
    struct {
        const char *name, *text;
        rn_code code;
        long line;
        const char *field;
    } cases[] = {
        {"unknown.jsonl",
         "{\"type\":\"entity\",\"kind\":\"state\",\"name\":\"A\"}\n"
         "{\"type\":\"entity\",\"kind\":\"state\",\"name\":\"B\"}\n"
         "{\"type\":\"entity\",\"kind\":\"state\",\"name\":\"C\",\"colour\":\"red\"}\n",
         RN_EINPUT, 3, "colour"},
        {"missing.jsonl",
         "{\"type\":\"entity\",\"kind\":\"state\",\"name\":\"A\"}\n"
         "\n"
         "{\"type\":\"item\",\"kind\":\"weapon\",\"event\":\"" GHOST "\"}\n",
         RN_ECONSTRAINT, 3, "event"},
        {"dup.jsonl",
         "{\"type\":\"entity\",\"id\":\"01HDVPDVPDVPDVPDVPDVPDVPDV\",\"kind\":\"state\",\"name\":\"A\"}\n"
         "{\"type\":\"entity\",\"id\":\"01HDVPDVPDVPDVPDVPDVPDVPDV\",\"kind\":\"state\",\"name\":\"B\"}\n",
         RN_EEXISTS, 2, "id"},
        {"date.jsonl",
         "{\"type\":\"entity\",\"kind\":\"state\",\"name\":\"A\"}\r\n"
         "{\"type\":\"event\",\"name\":\"E\",\"documented\":\"2024-02-30\"}\r\n",
         RN_EINPUT, 2, "documented"},
        {"malformed.jsonl",
         "{\"type\":\"entity\",\"kind\":\"state\",\"name\":\"A\"}\n"
         "{\"type\":\"entity\",\"kind\":\"state\",\"name\":\"B\"\n",
         RN_EINPUT, 2, "name"},
        {"columns.csv",
         "type,kind,name\n"
         "entity,state,A\n"
         "entity,state,\"B, with a comma\"\n"
         "entity,state,C,extra\n",
         RN_EINPUT, 4, ""},
        {"quote.csv",
         "type,kind,name\n"
         "entity,state,A\n"
         "entity,state,\"never closed\n",
         RN_EINPUT, 3, ""},
        {"field.csv",
         "type,kind,name\n"
         "entity,state,A\n"
         "entity,empire,B\n",
         RN_EINPUT, 3, "kind"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", f->dir, cases[i].name);
        write_file(path, cases[i].text);
        rn_import_stats st;
        rn_error err;
        rn_error_clear(&err);
        rn_code rc = rn_import_file(f->s, path, NULL, &st, &err);
        if (rc != cases[i].code || err.line != cases[i].line ||
            strcmp(err.field, cases[i].field) != 0)
            fail_msg("%s: rc %d line %ld field '%s' (%s); expected rc %d line %ld field '%s'",
                     cases[i].name, rc, err.line, err.field, err.message, cases[i].code,
                     cases[i].line, cases[i].field);
        assert_string_equal(err.file, path);
        assert_int_equal(st.records, 0);
        char *after = export_all(f->s);
        if (strcmp(before, after) != 0)
            fail_msg("%s: the failed import changed the store", cases[i].name);
        free(after);
    }
    /* a file that is not there */
    rn_error err;
    rn_error_clear(&err);
    char path[256];
    snprintf(path, sizeof path, "%s/absent.jsonl", f->dir);
    assert_int_equal(rn_import_file(f->s, path, NULL, NULL, &err), RN_ENOTFOUND);
    assert_string_equal(err.file, path);
    /* and a good one goes in whole */
    snprintf(path, sizeof path, "%s/good.csv", f->dir);
    write_file(path, "kind,name,aliases\r\nstate,\"A \"\"the\"\" state\",x;y\r\ncompany,B,\r\n");
    rn_import_opts o = {0};
    o.csv_type = RN_T_ENTITY;
    o.csv_type_set = 1;
    rn_import_stats st;
    int64_t n0 = count(f->s, RN_T_ENTITY);
    assert_int_equal(rn_import_file(f->s, path, &o, &st, &err), RN_OK);
    assert_int_equal(st.records, 2);
    assert_int_equal(st.per_type[RN_T_ENTITY], 2);
    assert_int_equal(count(f->s, RN_T_ENTITY), n0 + 2);
    free(before);
}


/* ---- bulk import ----------------------------------------------------------- */

struct sqlite3 *rn__store_db(rn_store *s); /* store_int.h */
static char *rows_of(sqlite3 *db, const char *sql);

/* Statements run whose SQL contains `what`, counted by count_sql (a
 * sqlite3_trace_v2 callback). */
typedef struct sql_count {
    const char *what;
    int n;
} sql_count;

static int count_sql(unsigned type, void *ctx, void *p, void *x)
{
    (void)type, (void)p;
    sql_count *c = ctx;
    const char *sql = x;
    if (sql && strstr(sql, c->what))
        c->n++;
    return 0;
}

/* Every object of the schema, with its SQL, in name order. */
static char *schema_of(const char *db_path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    char *rows = rows_of(db, "SELECT type || ' ' || name || ' ' || coalesce(sql, '') "
                             "FROM sqlite_schema ORDER BY name");
    sqlite3_close(db);
    return rows;
}

/* The schema of db_path is `want` (schema_of() of an earlier moment). */
static void assert_schema(const char *db_path, const char *want)
{
    char *now = schema_of(db_path);
    assert_string_equal(now, want);
    free(now);
}

/* A new event "Bulk" for the bulk imports' items; its id into event. */
static void bulk_event(rn_store *s, char event[27])
{
    rn_record *e = mk(RN_T_EVENT, "name=Bulk", NULL);
    put_ok(s, e, RN_PUT_CREATE);
    memcpy(event, rn_record_id(e), 27);
    rn_record_free(e);
}

/* n items of event `event` with a note long enough that the file's size
 * announces a bulk import (import.c: a record per 256 bytes, at least 1000),
 * then `tail` (a last line, or ""). */
static void write_items(const char *path, const char *event, int n, const char *tail)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (int i = 0; i < n; i++)
        fprintf(f, "{\"type\":\"item\",\"kind\":\"component\",\"event\":\"%s\","
                   "\"category\":\"ic\",\"serial\":\"S%06d\",\"notes\":\"%0250d\"}\n",
                event, i, i);
    fputs(tail, f);
    assert_int_equal(fclose(f), 0);
}

/* A bulk import into a small database (lib/store/sqlite.c sq_bulk) drops
 * the record tables' secondary indexes in its transaction and builds them
 * at commit: after a failed one and after a committed one the schema is
 * exactly what it was, the indexes hold every row (integrity_check, and a
 * lookup through each), and it is not taken into a database holding more
 * records than the import brings. */
static void bulk_import_keeps_schema_and_indexes(void **state)
{
    fx *f = *state;
    rn_error err;
    rn_error_clear(&err);
    char event[27];
    bulk_event(f->s, event);
    char *before = schema_of(f->db);
    sql_count drops = {"DROP INDEX", 0};
    sqlite3_trace_v2(rn__store_db(f->s), SQLITE_TRACE_STMT, count_sql, &drops);
    char path[256];
    snprintf(path, sizeof path, "%s/bulk.jsonl", f->dir);

    /* fails on its last line: nothing of it stays, the indexes included */
    write_items(path, event, 1500,
                "{\"type\":\"item\",\"kind\":\"weapon\",\"event\":\"" GHOST "\"}\n");
    rn_import_stats st;
    assert_int_equal(rn_import_file(f->s, path, NULL, &st, &err), RN_ECONSTRAINT);
    assert_int_equal(err.line, 1501);
    assert_true(drops.n > 0); /* the bulk path was taken */
    assert_schema(f->db, before);
    assert_int_equal(count(f->s, RN_T_ITEM), 0);

    /* commits: same schema, complete indexes */
    drops.n = 0;
    write_items(path, event, 1500, "");
    rn_error_clear(&err);
    assert_int_equal(rn_import_file(f->s, path, NULL, &st, &err), RN_OK);
    assert_int_equal(st.records, 1500);
    assert_true(drops.n > 0);
    assert_schema(f->db, before);
    sqlite3 *db = rn__store_db(f->s);
    char *integrity = rows_of(db, "PRAGMA integrity_check");
    assert_string_equal(integrity, "ok|\n");
    free(integrity);
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM item INDEXED BY item_event "
                                            "WHERE event = ?", -1, &q, NULL), SQLITE_OK);
    sqlite3_bind_text(q, 1, event, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 1500);
    sqlite3_finalize(q);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM search_text INDEXED BY "
                                            "search_text_rid WHERE rid IN (SELECT id FROM item)",
                                        -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_true(sqlite3_column_int(q, 0) >= 1500);
    sqlite3_finalize(q);

    /* the database now holds more records than the next import brings:
     * indexes are kept and written row by row */
    drops.n = 0;
    write_items(path, event, 800, ""); /* about 1150 records by its size */
    assert_int_equal(rn_import_file(f->s, path, NULL, &st, &err), RN_OK);
    assert_int_equal(drops.n, 0);
    assert_int_equal(count(f->s, RN_T_ITEM), 2300);
    sqlite3_trace_v2(db, 0, NULL, NULL);
    assert_schema(f->db, before);
    free(before);
}

/* A bulk import leaves the search index in one segment (lib/store/sqlite.c
 * fts_add: built without merges, then 'optimize'), with the automerge
 * setting it found, every text findable, the index consistent; an import
 * into a larger database does not touch either. */
static void bulk_import_merges_search_index(void **state)
{
    fx *f = *state;
    sqlite3 *db = rn__store_db(f->s);
    rn_record *e = mk(RN_T_EVENT, "name=Bulk", "context=before the import", NULL);
    put_ok(f->s, e, RN_PUT_CREATE); /* its own commit: a segment of its own */
    assert_int_equal(sqlite3_exec(db, "INSERT INTO search_fts(search_fts, rank) "
                                      "VALUES ('automerge', 6)", NULL, NULL, NULL), SQLITE_OK);
    char path[256];
    snprintf(path, sizeof path, "%s/bulk.jsonl", f->dir);
    write_items(path, rn_record_id(e), 1500, "");
    rn_import_stats st;
    rn_error err;
    rn_error_clear(&err);
    assert_int_equal(rn_import_file(f->s, path, NULL, &st, &err), RN_OK);
    char *got = rows_of(db, "SELECT count(DISTINCT segid) FROM search_fts_idx");
    assert_string_equal(got, "1|\n");
    free(got);
    got = rows_of(db, "SELECT v FROM search_fts_config WHERE k = 'automerge'");
    assert_string_equal(got, "6|\n");
    free(got);
    assert_int_equal(sqlite3_exec(db, "INSERT INTO search_fts(search_fts, rank) "
                                      "VALUES ('integrity-check', 1)", NULL, NULL, NULL),
                     SQLITE_OK);
    idlist_count c = {0};
    assert_int_equal(rn_store_search(f->s, "S0?1?99", 1000, on_hit_count, &c, NULL), RN_OK);
    assert_int_equal(c.n, 5); /* S001099, S001199 ... S001499 */
    expect_search(f->s, "before the", "before the import");
    /* the database now holds more records than the next import brings:
     * its texts go in as any write's, in a segment of their own */
    write_items(path, rn_record_id(e), 800, "");
    assert_int_equal(rn_import_file(f->s, path, NULL, &st, &err), RN_OK);
    got = rows_of(db, "SELECT count(DISTINCT segid) FROM search_fts_idx");
    assert_string_equal(got, "2|\n");
    free(got);
    c.n = 0;
    assert_int_equal(rn_store_search(f->s, "S000799", 1000, on_hit_count, &c, NULL), RN_OK);
    assert_int_equal(c.n, 2);
    rn_record_free(e);
}

/* The search index of a bulk import into a store whose index is empty is
 * built on a thread beside the import and copied in at its commit
 * (lib/store/fts_side.c), when the store's connection has not used the
 * index: the same index the commit builds otherwise (every leaf page and
 * term, FTS5's integrity-check), found by searches in the same connection
 * right after; a failed import leaves the index empty and the next one
 * builds it beside again; an import into a connection that has searched
 * builds it at its commit as before. */
static void write_beside_file(const char *path, const char *tail)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("{\"type\":\"event\",\"id\":\"01J45KS0002TMJS8NTJPSBZW4E\",\"name\":\"Beside\","
          "\"context\":\"built beside the import\"}\n", f);
    for (int i = 0; i < 1500; i++)
        fprintf(f, "{\"type\":\"item\",\"kind\":\"component\",\"event\":"
                   "\"01J45KS0002TMJS8NTJPSBZW4E\",\"category\":\"ic\",\"serial\":\"S%06d\","
                   "\"lot\":\"L%d\",\"notes\":\"%0250d\"}\n", i, i % 7, i);
    fputs(tail, f);
    assert_int_equal(fclose(f), 0);
}

static void bulk_import_builds_search_index_beside(void **state)
{
    fx *f = *state;
    char path[256], bad[256], other[256];
    snprintf(path, sizeof path, "%s/beside.jsonl", f->dir);
    snprintf(bad, sizeof bad, "%s/beside_bad.jsonl", f->dir);
    snprintf(other, sizeof other, "%s/other.db", f->dir);
    write_beside_file(path, "");
    write_beside_file(bad, "{\"type\":\"item\",\"kind\":\"no such kind\"}\n");
    /* the fixture's connection made the database (its migrations touch the
     * index): a connection of its own, as `remnant import` opens */
    rn_store_close(f->s);
    f->s = NULL;
    sql_count copy = {"DELETE FROM search_fts_data", 0};
    sql_count build = {"INSERT INTO search_fts(rowid, text) SELECT", 0};
    rn_error err;
    rn_error_clear(&err);
    assert_int_equal(rn_store_open(f->db, 0, &f->s, &err), RN_OK);
    sqlite3 *db = rn__store_db(f->s);
    rn_import_stats st;
    /* a failed import: nothing of it stays, the index is still empty */
    sqlite3_trace_v2(db, SQLITE_TRACE_STMT, count_sql, &copy);
    assert_int_equal(rn_import_file(f->s, bad, NULL, &st, &err), RN_EINPUT);
    char *got = rows_of(db, "SELECT count(*) FROM search_text");
    assert_string_equal(got, "0|\n");
    free(got);
    /* then a good one: built beside, copied in once, never at the commit */
    rn_error_clear(&err);
    assert_int_equal(rn_import_file(f->s, path, NULL, &st, &err), RN_OK);
    assert_int_equal(copy.n, 1);
    sqlite3_trace_v2(db, 0, NULL, NULL);
    idlist_count c = {0};
    assert_int_equal(rn_store_search(f->s, "S0?1?99", 1000, on_hit_count, &c, NULL), RN_OK);
    assert_int_equal(c.n, 5); /* S001099, S001199 ... S001499 */
    expect_search(f->s, "beside the", "built beside the import");
    assert_int_equal(sqlite3_exec(db, "INSERT INTO search_fts(search_fts, rank) "
                                      "VALUES ('integrity-check', 1)", NULL, NULL, NULL),
                     SQLITE_OK);
    /* the same file into a new database, whose connection ran the
     * migrations: built at the commit */
    rn_store *o = NULL;
    assert_int_equal(rn_store_open(other, RN_STORE_CREATE, &o, &err), RN_OK);
    sqlite3 *odb = rn__store_db(o);
    sqlite3_trace_v2(odb, SQLITE_TRACE_STMT, count_sql, &build);
    assert_int_equal(rn_import_file(o, path, NULL, &st, &err), RN_OK);
    sqlite3_trace_v2(odb, 0, NULL, NULL);
    assert_int_equal(build.n, 1);
    /* the same leaf pages in the same order, the same terms on the same
     * pages (segment ids may differ: they name no content) */
    const char *leaves = "SELECT hex(block) FROM search_fts_data WHERE id > 10 ORDER BY id";
    const char *terms = "SELECT hex(term), pgno FROM search_fts_idx ORDER BY term";
    char *a = rows_of(db, leaves), *b = rows_of(odb, leaves);
    assert_true(strlen(a) > 1000);
    assert_string_equal(a, b);
    free(a);
    free(b);
    a = rows_of(db, terms);
    b = rows_of(odb, terms);
    assert_string_equal(a, b);
    free(a);
    free(b);
    rn_store_close(o);
    /* a connection that searched first builds at its commit too */
    unlink(other);
    assert_int_equal(rn_store_open(other, RN_STORE_CREATE, &o, &err), RN_OK);
    rn_store_close(o);
    assert_int_equal(rn_store_open(other, 0, &o, &err), RN_OK);
    c.n = 0;
    assert_int_equal(rn_store_search(o, "S000001", 10, on_hit_count, &c, NULL), RN_OK);
    assert_int_equal(c.n, 0);
    copy.n = build.n = 0;
    odb = rn__store_db(o);
    sqlite3_trace_v2(odb, SQLITE_TRACE_STMT, count_sql, &copy);
    assert_int_equal(rn_import_file(o, path, NULL, &st, &err), RN_OK);
    sqlite3_trace_v2(odb, 0, NULL, NULL);
    assert_int_equal(copy.n, 0);
    c.n = 0;
    assert_int_equal(rn_store_search(o, "S0?1?99", 1000, on_hit_count, &c, NULL), RN_OK);
    assert_int_equal(c.n, 5);
    rn_store_close(o);
}

static int secure_delete_of(sqlite3 *db)
{
    char *got = rows_of(db, "PRAGMA secure_delete");
    int v = got[0] - '0';
    free(got);
    return v;
}

/* A bulk import's transaction runs without secure delete (sqlite.c
 * secure_off) and puts back the setting it found, after a failed import as
 * after a committed one; a small import leaves it alone. */
static void bulk_import_secure_delete_restored(void **state)
{
    fx *f = *state;
    sqlite3 *db = rn__store_db(f->s);
    char event[27];
    bulk_event(f->s, event);
    assert_int_equal(sqlite3_exec(db, "PRAGMA secure_delete=1", NULL, NULL, NULL), SQLITE_OK);
    sql_count offs = {"PRAGMA secure_delete=0", 0};
    sqlite3_trace_v2(db, SQLITE_TRACE_STMT, count_sql, &offs);
    char path[256];
    snprintf(path, sizeof path, "%s/bulk.jsonl", f->dir);
    write_items(path, event, 1500,
                "{\"type\":\"item\",\"kind\":\"weapon\",\"event\":\"" GHOST "\"}\n");
    rn_import_stats st;
    rn_error err;
    rn_error_clear(&err);
    assert_int_equal(rn_import_file(f->s, path, NULL, &st, &err), RN_ECONSTRAINT);
    assert_int_equal(offs.n, 1);
    assert_int_equal(secure_delete_of(db), 1);
    assert_int_equal(sqlite3_exec(db, "PRAGMA secure_delete=FAST", NULL, NULL, NULL), SQLITE_OK);
    write_items(path, event, 1500, "");
    assert_int_equal(rn_import_file(f->s, path, NULL, &st, &err), RN_OK);
    assert_int_equal(offs.n, 2);
    assert_int_equal(secure_delete_of(db), 2);
    write_items(path, event, 20, "");
    assert_int_equal(rn_import_file(f->s, path, NULL, &st, &err), RN_OK);
    assert_int_equal(offs.n, 2);
    assert_int_equal(secure_delete_of(db), 2);
    sqlite3_trace_v2(db, 0, NULL, NULL);
}

/* A UNIQUE index on a record table is a rule, not a lookup: a bulk import
 * keeps it, so a duplicate is refused at its own line. */
static void bulk_import_keeps_unique_indexes(void **state)
{
    fx *f = *state;
    rn_error err;
    rn_error_clear(&err);
    char event[27];
    bulk_event(f->s, event);
    sqlite3 *db = rn__store_db(f->s);
    assert_int_equal(sqlite3_exec(db, "CREATE UNIQUE INDEX item_serial_unique ON item(serial)",
                                  NULL, NULL, NULL), SQLITE_OK);
    sql_count drops = {"DROP INDEX", 0};
    sqlite3_trace_v2(db, SQLITE_TRACE_STMT, count_sql, &drops);
    char path[256], tail[512];
    snprintf(path, sizeof path, "%s/bulk.jsonl", f->dir);
    snprintf(tail, sizeof tail,
             "{\"type\":\"item\",\"kind\":\"component\",\"event\":\"%s\","
             "\"serial\":\"S000007\"}\n", event);
    write_items(path, event, 1500, tail);
    rn_import_stats st;
    assert_int_equal(rn_import_file(f->s, path, NULL, &st, &err), RN_ECONSTRAINT);
    assert_int_equal(err.line, 1501);
    assert_true(drops.n > 0); /* the other indexes were deferred */
    sqlite3_trace_v2(db, 0, NULL, NULL);
    assert_int_equal(count(f->s, RN_T_ITEM), 0);
    char *ix = rows_of(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'item_serial_unique'");
    assert_string_equal(ix, "1|\n");
    free(ix);
}


/* One string of a query's rows (quote() of each column), to compare. */
static char *rows_of(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(st); c++)
            fprintf(m, "%s|", (const char *)sqlite3_column_text(st, c));
        fputc('\n', m);
    }
    fclose(m);
    sqlite3_finalize(st);
    return buf;
}

#define CANDIDATE_ROWS                                                                      \
    "SELECT quote(marking), rank, quote(field), quote(value), quote(earliest), quote(latest), " \
    "quote(precision), quote(country), confidence, quote(rule), quote(explanation) "         \
    "FROM candidate ORDER BY marking, rank"

/* The writes of a bulk transaction: an event, an item, 1500 markings (more
 * candidate and search rows than one batch holds, lib/store/rows.h), then
 * two markings replaced: one whose rows were written in an earlier batch,
 * and the last, whose rows are still in the batch. Fixed ids, so that two
 * stores doing it hold the same rows. */
static void batch_writes(rn_store *s, int bulk)
{
    static const char *const texts[] = {"주체111", "TJA4225T", "MADE IN USSR 1987",
                                        "LM324N 2315", "9M723 No 0415"};
    rn_error err;
    rn_error_clear(&err);
    assert_int_equal(rn_store_begin(s, &err), RN_OK);
    if (bulk)
        assert_int_equal(s->ops->bulk(s, 5000, RN__BULK_LOG_BATCH, &err), RN_OK);
    rn_record *e = mk(RN_T_EVENT, "id=01J0000000000000000000000E", "name=Batch", NULL);
    put_ok(s, e, RN_PUT_CREATE);
    rn_record_free(e);
    rn_record *it = mk(RN_T_ITEM, "id=01J0000000000000000000000T", "kind=weapon",
                       "event=01J0000000000000000000000E", "category=missile", NULL);
    put_ok(s, it, RN_PUT_CREATE);
    rn_record_free(it);
    char id[40], text[64];
    for (int i = 0; i < 1502; i++) {
        int replace = i >= 1500;
        int n = i == 1500 ? 700 : i == 1501 ? 1499 : i;
        snprintf(id, sizeof id, "id=01J%023d", n);
        snprintf(text, sizeof text, "text=%s%s", replace ? "NEW " : "", texts[n % 5]);
        rn_record *m = mk(RN_T_MARKING, id, "item=01J0000000000000000000000T", text, NULL);
        put_ok(s, m, replace ? RN_PUT_REPLACE : RN_PUT_CREATE);
        rn_record_free(m);
    }
    assert_int_equal(rn_store_commit(s, &err), RN_OK);
}

static int count_hits(void *ctx, const rn_hit *hit)
{
    if (strcmp(hit->id, "01J00000000000000000000700") == 0)
        (*(int *)ctx)++;
    return 0;
}

/* The decoding context of test ctx_* below: an event, a weapon on it and
 * a component part of the weapon (no event, category or state of its
 * own: it inherits the state and the documentation date), each bearing
 * the marking "112 1906", which every one of the three edits reads
 * differently (Juche year with state KP, YYWW ranked up for an IC, a
 * year bound by the documentation date). Fixed ids: two stores written
 * alike hold the same rows. */
typedef struct ctx_state {
    const char *category, *state, *documented;
} ctx_state;

static void ctx_write(rn_store *s, const ctx_state *c, int what, rn_put_mode mode)
{
    char cat[64], st[32], doc[48];
    snprintf(cat, sizeof cat, "category=%s", c->category);
    snprintf(st, sizeof st, "producing_state=%s", c->state);
    snprintf(doc, sizeof doc, "documented=%s", c->documented);
    rn_record *r = NULL;
    if (what == 0)
        r = mk(RN_T_EVENT, "id=01J0000000000000000000CTXE", "name=Context", doc, NULL);
    else if (what == 1)
        r = mk(RN_T_ITEM, "id=01J0000000000000000000CTXA", "kind=weapon",
               "event=01J0000000000000000000CTXE", cat, c->state[0] ? st : NULL, NULL);
    else if (what == 2)
        r = mk(RN_T_ITEM, "id=01J0000000000000000000CTXB", "kind=component",
               "parent=01J0000000000000000000CTXA", NULL);
    else
        r = mk(RN_T_MARKING, what == 3 ? "id=01J0000000000000000000CTM1" :
                                         "id=01J0000000000000000000CTM2",
               what == 3 ? "item=01J0000000000000000000CTXA" :
                           "item=01J0000000000000000000CTXB",
               "text=112 1906", NULL);
    put_ok(s, r, mode);
    rn_record_free(r);
}

static void ctx_create(rn_store *s, const ctx_state *c)
{
    for (int what = 0; what < 5; what++)
        ctx_write(s, c, what, RN_PUT_CREATE);
}

/* The candidates a new store holds when written straight in state c. */
static char *ctx_fresh(const char *dir, const char *name, const ctx_state *c)
{
    char path[200];
    snprintf(path, sizeof path, "%s/%s.db", dir, name);
    rn_store *s = NULL;
    rn_error err;
    rn_error_clear(&err);
    assert_int_equal(rn_store_open(path, RN_STORE_CREATE, &s, &err), RN_OK);
    ctx_create(s, c);
    char *rows = rows_of(rn__store_db(s), CANDIDATE_ROWS);
    rn_store_close(s);
    return rows;
}

/* Editing what the decoder reads of an item or an event (an item's
 * category or producing state, an event's documentation date) decodes
 * again the markings it bears and those of every item that inherits from
 * it: the stored candidates are those of a store written straight in the
 * new state, and differ from before the edit. Inside a bulk transaction
 * too, with the markings still on the decoding thread. An edit of another
 * field decodes nothing again. */
static void ctx_edit_decodes_again(void **state)
{
    fx *f = *state;
    rn_error err;
    rn_error_clear(&err);
    sqlite3 *db = rn__store_db(f->s);
    ctx_state c = {"missile", "", "2024-07-27"};
    ctx_create(f->s, &c);
    char *before = rows_of(db, CANDIDATE_ROWS);
    static const struct {
        int what;
        ctx_state now;
    } edits[] = {{1, {"ic", "", "2024-07-27"}},
                 {1, {"ic", "KP", "2024-07-27"}},
                 {0, {"ic", "KP", "2020-01-01"}}};
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        ctx_write(f->s, &edits[i].now, edits[i].what, RN_PUT_REPLACE);
        char *now = rows_of(db, CANDIDATE_ROWS), name[16];
        snprintf(name, sizeof name, "fresh%zu", i);
        char *want = ctx_fresh(f->dir, name, &edits[i].now);
        assert_string_equal(now, want);
        assert_string_not_equal(now, before);
        free(before);
        free(want);
        before = now;
    }
    /* the name is no context: the trace shows no candidate deleted */
    rn_record *e = mk(RN_T_EVENT, "id=01J0000000000000000000CTXE", "name=Renamed",
                      "documented=2020-01-01", NULL);
    sql_count del = {"DELETE FROM candidate", 0};
    sqlite3_trace_v2(db, SQLITE_TRACE_STMT, count_sql, &del);
    put_ok(f->s, e, RN_PUT_REPLACE);
    sqlite3_trace_v2(db, 0, NULL, NULL);
    rn_record_free(e);
    assert_int_equal(del.n, 0);
    free(before);

    /* a bulk transaction (its indexes dropped: the store is empty): the
     * weapon edited with the first marking in flight, then the second
     * marking written on the component, whose context cached before the
     * edit still holds the old state: both right at the commit */
    char path[200];
    snprintf(path, sizeof path, "%s/bulk.db", f->dir);
    rn_store *s = NULL;
    assert_int_equal(rn_store_open(path, RN_STORE_CREATE, &s, &err), RN_OK);
    assert_int_equal(rn_store_begin(s, &err), RN_OK);
    assert_int_equal(s->ops->bulk(s, 5000, RN__BULK_LOG_BATCH, &err), RN_OK);
    for (int what = 0; what < 4; what++)
        ctx_write(s, &c, what, RN_PUT_CREATE);
    ctx_state now = {"ic", "KP", "2024-07-27"};
    ctx_write(s, &now, 1, RN_PUT_REPLACE);
    ctx_write(s, &now, 4, RN_PUT_CREATE);
    assert_int_equal(rn_store_commit(s, &err), RN_OK);
    char *got = rows_of(rn__store_db(s), CANDIDATE_ROWS);
    char *want = ctx_fresh(f->dir, "freshbulk", &now);
    assert_string_equal(got, want);
    free(got);
    free(want);
    rn_store_close(s);
}

/* An item's claims read, its category edited, read again on the same
 * connection: the explanations rendered the second time are those of the
 * new decoding (the reader forgets the marking it decoded for the first),
 * none missing. */
static void ctx_claims_after_edit(void **state)
{
    fx *f = *state;
    rn_error err;
    rn_error_clear(&err);
    ctx_state c = {"ic", "", "2024-07-27"};
    ctx_create(f->s, &c);
    char *js = NULL;
    size_t len = 0;
    assert_int_equal(rn_claims_explain(f->s, "01J0000000000000000000CTXA", &js, &len, &err),
                     RN_OK);
    assert_non_null(strstr(js, "Ranked up: the item's category 'ic'"));
    assert_null(strstr(js, "explanation_unavailable"));
    rn_free(js);
    ctx_state now = {"missile", "", "2024-07-27"};
    ctx_write(f->s, &now, 1, RN_PUT_REPLACE);
    assert_int_equal(rn_claims_explain(f->s, "01J0000000000000000000CTXA", &js, &len, &err),
                     RN_OK);
    assert_null(strstr(js, "category 'ic'"));
    assert_non_null(strstr(js, "Ranked up: the item's category 'missile'"));
    assert_null(strstr(js, "explanation_unavailable"));
    rn_free(js);
}

/* A bulk write holds its candidate rows, search texts and log rows back and
 * writes them a batch at a time (lib/model/rows.c): what it leaves is row
 * for row what the same writes one at a time leave, a replaced marking's
 * old rows gone from the batch and from the table alike, its log entry
 * linked to the one before, the search index finds the new text and not
 * the old, and the log verifies. */
static void bulk_batches_same_rows(void **state)
{
    fx *f = *state;
    char other[160];
    snprintf(other, sizeof other, "%s/rowwise.db", f->dir);
    rn_store *s2 = NULL;
    rn_error err;
    rn_error_clear(&err);
    assert_int_equal(rn_store_open(other, RN_STORE_CREATE, &s2, &err), RN_OK);
    batch_writes(f->s, 1);
    batch_writes(s2, 0);
    sqlite3 *a = rn__store_db(f->s), *b = rn__store_db(s2);
    static const char *const q[] = {
        CANDIDATE_ROWS,
        "SELECT id, rid, type, field, text FROM search_text ORDER BY id",
        "SELECT * FROM decode_rule ORDER BY 1",
        "SELECT count(*) FROM candidate WHERE marking = '01J00000000000000000001499'",
        /* the log: the same entries (times and salts aside), the two
         * replacements each linked to its record's entry before */
        "SELECT seq, record_id, type, op, prev IS NULL, length(leaf_hash) FROM ledger_entry "
        "ORDER BY seq",
        "SELECT e.seq, p.seq FROM ledger_entry e JOIN ledger_entry p ON e.prev = p.leaf_hash "
        "AND p.record_id = e.record_id AND p.seq < e.seq ORDER BY 1",
        "SELECT size FROM ledger_tree",
    };
    for (size_t i = 0; i < RN_ARRAY_LEN(q); i++) {
        char *ra = rows_of(a, q[i]), *rb = rows_of(b, q[i]);
        assert_true(strlen(ra) > 0);
        assert_string_equal(ra, rb);
        free(ra);
        free(rb);
    }
    char *n = rows_of(a, "SELECT count(*) FROM candidate");
    assert_true(strtol(n, NULL, 10) > 1024); /* more than one batch */
    free(n);
    n = rows_of(a, "SELECT count(*), sum(text LIKE 'NEW %') FROM search_text WHERE rid IN "
                   "('01J00000000000000000000700', '01J00000000000000000001499')");
    assert_string_equal(n, "2|2|\n");
    free(n);
    int found = 0;
    assert_int_equal(rn_store_search(f->s, "NEW 주체111", 10, count_hits, &found, &err), RN_OK);
    assert_int_equal(found, 1);
    found = 0;
    assert_int_equal(rn_store_search(f->s, "주체111", 2000, count_hits, &found, &err), RN_OK);
    assert_int_equal(found, 1); /* the new text holds the old: found once, not twice */
    char *ic = rows_of(a, "INSERT INTO search_fts(search_fts) VALUES ('integrity-check')");
    free(ic);
    assert_string_equal(sqlite3_errmsg(a), "not an error");
    rn_ledger_verify_stats vs;
    assert_int_equal(rn_ledger_verify(f->s, f->db, NULL, 0, NULL, NULL, &vs, &err), RN_OK);
    assert_int_equal(vs.entries, 1504);
    assert_int_equal(vs.problems, 0);
    rn_store_close(s2);
}

static int fk_on(sqlite3 *db)
{
    char *v = rows_of(db, "PRAGMA foreign_keys");
    int on = strcmp(v, "1|\n") == 0;
    free(v);
    return on;
}

/* An import checks its references itself, foreign keys off for its
 * transaction (sq_own_refs): a reference to a record made earlier in the
 * file, or before the import, is taken; one to nothing, or to a record
 * of another type, is refused at its line and field with the message the
 * foreign key's failure gave; deletes are refused meanwhile; and foreign
 * keys are on again after a commit, a failure, and a refused begin. */
static void import_checks_own_refs(void **state)
{
    fx *f = *state;
    rn_error err;
    rn_error_clear(&err);
    char event[27];
    bulk_event(f->s, event);
    rn_record *old = mk(RN_T_ITEM, "kind=weapon", "name=before the import", NULL);
    put_ok(f->s, old, RN_PUT_CREATE);
    sqlite3 *db = rn__store_db(f->s);
    char path[256];
    snprintf(path, sizeof path, "%s/refs.jsonl", f->dir);
    for (int fail = 0; fail < 3; fail++) {
        FILE *o = fopen(path, "wb");
        assert_non_null(o);
        for (int i = 0; i < 1500; i++) {
            /* ids of this run: 01J, the run, i */
            char first[32];
            snprintf(first, sizeof first, "01J%d%022d", fail, 0);
            fprintf(o, "{\"type\":\"item\",\"id\":\"01J%d%022d\",\"kind\":\"component\","
                       "\"event\":\"%s\",\"parent\":\"%s\",\"notes\":\"%0250d\"}\n",
                    fail, i, event, i ? first : rn_record_id(old), i);
            fprintf(o, "{\"type\":\"marking\",\"item\":\"01J%d%022d\",\"text\":\"M%d\"}\n",
                    fail, i, i);
        }
        if (fail == 1) /* an event's id where an item's belongs */
            fprintf(o, "{\"type\":\"marking\",\"item\":\"%s\",\"text\":\"X\"}\n", event);
        if (fail == 2) /* an id of nothing */
            fprintf(o, "{\"type\":\"item\",\"kind\":\"component\",\"parent\":\"" GHOST
                       "\"}\n");
        assert_int_equal(fclose(o), 0);
        rn_import_stats st;
        rn_error_clear(&err);
        rn_code rc = rn_import_file(f->s, path, NULL, &st, &err);
        assert_true(fk_on(db));
        if (fail == 0) {
            assert_int_equal(rc, RN_OK);
            assert_int_equal(st.records, 3000);
            char *bad = rows_of(db, "PRAGMA foreign_key_check");
            assert_string_equal(bad, "");
            free(bad);
            continue;
        }
        assert_int_equal(rc, RN_ECONSTRAINT);
        assert_int_equal(err.line, 3001);
        assert_string_equal(err.field, fail == 1 ? "item" : "parent");
        char want[200];
        snprintf(want, sizeof want,
                 "'%s' refers to item %s, which does not exist (create it first, or import it "
                 "earlier in the file)",
                 fail == 1 ? "item" : "parent", fail == 1 ? event : GHOST);
        assert_string_equal(err.message, want);
    }
    rn_record_free(old);

    /* an import whose begin is refused (another connection holds the write
     * lock): foreign keys on again too */
    assert_int_equal(rn_store_set_busy_timeout(f->s, 1), RN_OK);
    sqlite3 *other = NULL;
    assert_int_equal(sqlite3_open(f->db, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    write_items(path, event, 1500, "");
    rn_import_stats st;
    rn_error_clear(&err);
    assert_int_equal(rn_import_file(f->s, path, NULL, &st, &err), RN_EBUSY);
    assert_true(fk_on(db));
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);

    /* deletes refused while foreign keys are off; on again after */
    assert_int_equal(f->s->ops->own_refs(f->s, 5000), 1);
    assert_false(fk_on(db));
    assert_int_equal(rn_store_begin(f->s, &err), RN_OK);
    assert_int_equal(f->s->ops->del(f->s, event, &err), RN_EINVAL);
    f->s->ops->rollback(f->s);
    assert_true(fk_on(db));
}

/* Migration 0012 (candidates without a foreign key, the cascade as a
 * trigger): a database at schema 11 keeps every candidate row and the
 * machine_claim view's answers, and deleting a marking still deletes its
 * candidates. */
static void migration_0012_keeps_candidates(void **state)
{
    fx *f = *state;
    world w = {0};
    build_full_world(f->s, &w);
    int latest = rn_store_schema_version(f->s);
    assert_true(latest >= 12);
    rn_store_close(f->s);
    f->s = NULL;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    char *cands = rows_of(db, CANDIDATE_ROWS);
    char *claims = rows_of(db, "SELECT * FROM machine_claim ORDER BY item, field");
    assert_true(strlen(cands) > 0); /* the world's marking was decoded */
    sqlite3_close(db);
    /* the same rows in a database of the schema before 0012 (candidate as
     * 0003_decode.sql made it, with its foreign key), the log in the full
     * form of that time; then it replaces f->db */
    char old[160];
    snprintf(old, sizeof old, "%s/old.db", f->dir);
    rn_test_full_rows(f->db, "");
    rn_error err;
    rn_error_clear(&err);
    assert_int_equal(rn__store_create_at(old, rn_test_schema_before("marking_candidates_cascade"),
                                         &err), RN_OK);
    rn_test_copy_tables(old, f->db);
    assert_int_equal(rename(old, f->db), 0);
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    char *fk = rows_of(db, "SELECT count(*) FROM pragma_foreign_key_list('candidate')");
    assert_string_equal(fk, "1|\n");
    free(fk);
    sqlite3_close(db);

    assert_int_equal(rn_store_open(f->db, 0, &f->s, &err), RN_OK);
    assert_int_equal(rn_store_schema_version(f->s), latest);
    db = rn__store_db(f->s);
    char *cands2 = rows_of(db, CANDIDATE_ROWS);
    char *claims2 = rows_of(db, "SELECT * FROM machine_claim ORDER BY item, field");
    assert_string_equal(cands, cands2);
    assert_string_equal(claims, claims2);
    fk = rows_of(db, "SELECT count(*) FROM pragma_foreign_key_list('candidate')");
    assert_string_equal(fk, "0|\n");
    free(fk);
    /* the cascade, now a trigger */
    if (rn_store_delete(f->s, w.marking, &err) != RN_OK)
        fail_msg("delete: %s", err.message);
    char *left = rows_of(db, "SELECT count(*) FROM candidate WHERE marking IN "
                             "(SELECT id FROM record WHERE id NOT IN (SELECT id FROM marking))"
                             " OR marking NOT IN (SELECT id FROM marking)");
    assert_string_equal(left, "0|\n");
    free(left);
    free(cands);
    free(cands2);
    free(claims);
    free(claims2);
}


/* A database made by the store has 16 KiB pages (sqlite.c RN__PAGE_SIZE);
 * one made with other pages (as every database before that was) keeps them
 * and is written as before. */
static void page_size_new_and_existing(void **state)
{
    fx *f = *state;
    char *ps = rows_of(rn__store_db(f->s), "PRAGMA page_size");
    assert_string_equal(ps, "16384|\n");
    free(ps);
    world w = {0};
    build_full_world(f->s, &w);
    rn_store_close(f->s);
    f->s = NULL;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    if (sqlite3_exec(db, "PRAGMA journal_mode=DELETE; PRAGMA page_size=4096; VACUUM; "
                         "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("to 4 KiB pages: %s", sqlite3_errmsg(db));
    sqlite3_close(db);
    rn_error err;
    rn_error_clear(&err);
    assert_int_equal(rn_store_open(f->db, RN_STORE_CREATE, &f->s, &err), RN_OK);
    ps = rows_of(rn__store_db(f->s), "PRAGMA page_size");
    assert_string_equal(ps, "4096|\n");
    free(ps);
    rn_record *r = mk(RN_T_ENTITY, "kind=state", "name=Z", NULL);
    put_ok(f->s, r, RN_PUT_CREATE);
    rn_record *got = NULL;
    assert_int_equal(rn_store_get(f->s, rn_record_id(r), &got, &err), RN_OK);
    rn_record_free(got);
    rn_record_free(r);
    char *ok = rows_of(rn__store_db(f->s), "PRAGMA integrity_check");
    assert_string_equal(ok, "ok|\n");
    free(ok);
}

/* ---- allocation failures --------------------------------------------------- */

static const char json_line[] =
    "{\"type\":\"event\",\"name\":\"Strike \\u00e9\\ud83d\\ude00\",\"context\":\"long context "
    "text that makes the scratch buffer grow past its first size, and then some more text\","
    "\"investigators\":[\"a\",\"b\",\"c\"],\"documented\":{\"earliest\":\"2024-01-01\","
    "\"latest\":\"2024-01-31\",\"precision\":\"month\"},\"lat\":50.5,\"precision_m\":10,"
    "\"notes\":\"n\"}";

static void alloc_failure_record_from_json(void **state)
{
    (void)state;
    int oks = 0, wrong = 0;
    char first_wrong[1200] = "";
    for (long n = 1; n <= 200; n++) {
        rn_record *r = NULL;
        rn_error err;
        rn_error_clear(&err);
        rn__alloc_fail_after(n);
        rn_code rc = rn_record_from_json(json_line, strlen(json_line), &r, &err);
        rn__alloc_fail_after(0);
        /* go on after a wrong code, so that every N runs under ASan */
        if (rc != RN_OK && rc != RN_ENOMEM && wrong++ == 0)
            snprintf(first_wrong, sizeof first_wrong,
                     "allocation %ld failing: rc %d (%s: %s), expected RN_ENOMEM", n, rc,
                     err.field, err.message);
        if (rc == RN_OK) {
            oks++;
            assert_string_equal(rn_record_get(r, "documented", NULL), "2024-01");
            char *j = NULL;
            size_t len;
            rn__alloc_fail_after(1);
            rn_code rc2 = rn_record_to_json(r, RN_JSON_CANONICAL, &j, &len);
            rn__alloc_fail_after(0);
            assert_int_equal(rc2, RN_ENOMEM);
            assert_null(j);
        } else {
            assert_null(r);
        }
        rn_record_free(r);
    }
    assert_true(oks > 0);
    if (wrong)
        fail_msg("%d of 200 runs: %s", wrong, first_wrong);
}

static void alloc_failure_import(void **state)
{
    fx *f = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/in.jsonl", f->dir);
    char text[4096];
    snprintf(text, sizeof text, "%s\n%s\n%s\n", json_line,
             "{\"type\":\"entity\",\"kind\":\"state\",\"name\":\"A\",\"aliases\":\"x;y;z\"}",
             "{\"type\":\"sanction\",\"regime\":\"r\",\"instrument\":\"i\",\"adopted\":\"2016\","
             "\"source\":\"s\"}");
    write_file(path, text);
    char csv[256];
    snprintf(csv, sizeof csv, "%s/in.csv", f->dir);
    write_file(csv, "type,kind,name,aliases\nentity,state,\"B\",p;q\nentity,company,C,\n");
    int wrong = 0;
    char first_wrong[1400] = "";
    for (int which = 0; which < 2; which++) {
        const char *p = which ? csv : path;
        int64_t want = which ? 2 : 3;
        int oks = 0;
        for (long n = 1; n <= 120; n++) {
            int64_t before = count(f->s, RN_T_ENTITY) + count(f->s, RN_T_EVENT) +
                             count(f->s, RN_T_SANCTION);
            rn_error err;
            rn_error_clear(&err);
            rn__alloc_fail_after(n);
            rn_code rc = rn_import_file(f->s, p, NULL, NULL, &err);
            rn__alloc_fail_after(0);
            int64_t after = count(f->s, RN_T_ENTITY) + count(f->s, RN_T_EVENT) +
                            count(f->s, RN_T_SANCTION);
            if (rc != RN_OK && rc != RN_ENOMEM && wrong++ == 0)
                snprintf(first_wrong, sizeof first_wrong,
                         "%s, allocation %ld failing: rc %d (line %ld, %s: %s)", p, n, rc,
                         err.line, err.field, err.message);
            if (rc == RN_OK) {
                oks++;
                assert_int_equal(after, before + want);
            } else {
                assert_int_equal(after, before);
            }
        }
        assert_true(oks > 0);
    }
    if (wrong)
        fail_msg("%d runs gave a code other than RN_OK or RN_ENOMEM; the first: %s", wrong,
                 first_wrong);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(sqlite_memory_statistics_off, setup, teardown),
        cmocka_unit_test_setup_teardown(open_create_and_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(put_get_delete_every_type, setup, teardown),
        cmocka_unit_test_setup_teardown(put_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(attachment_without_its_file_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(marking_attachment_index_partial, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_reference_every_field, setup, teardown),
        cmocka_unit_test_setup_teardown(delete_of_referenced_record_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(parent_loop_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(parent_self_on_create_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(list_with_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(search_substring_and_unknowns, setup, teardown),
        cmocka_unit_test_setup_teardown(search_from_threads_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(search_unknown_matches_any_character, setup, teardown),
        cmocka_unit_test_setup_teardown(search_character_set_follows_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(search_same_hits_as_a_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(search_many_distinct_characters, setup, teardown),
        cmocka_unit_test_setup_teardown(schema_has_every_model_field, setup, teardown),
        cmocka_unit_test_setup_teardown(import_bad_file_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(bulk_import_keeps_schema_and_indexes, setup, teardown),
        cmocka_unit_test_setup_teardown(bulk_import_merges_search_index, setup, teardown),
        cmocka_unit_test_setup_teardown(bulk_import_secure_delete_restored, setup, teardown),
        cmocka_unit_test_setup_teardown(bulk_import_builds_search_index_beside, setup, teardown),
        cmocka_unit_test_setup_teardown(bulk_import_keeps_unique_indexes, setup, teardown),
        cmocka_unit_test_setup_teardown(bulk_batches_same_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(ctx_edit_decodes_again, setup, teardown),
        cmocka_unit_test_setup_teardown(ctx_claims_after_edit, setup, teardown),
        cmocka_unit_test_setup_teardown(import_checks_own_refs, setup, teardown),
        cmocka_unit_test_setup_teardown(migration_0012_keeps_candidates, setup, teardown),
        cmocka_unit_test_setup_teardown(page_size_new_and_existing, setup, teardown),
        cmocka_unit_test_setup_teardown(alloc_failure_record_from_json, setup, teardown),
        cmocka_unit_test_setup_teardown(alloc_failure_import, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
