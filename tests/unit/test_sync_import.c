/* SPDX-License-Identifier: Apache-2.0
 *
 * test_sync_import.c — receiving a package of many entries (lib/sync/
 * import.c): from 512 entries up, S6 opens the entries on two threads and
 * a helper thread makes S9's log entries ahead on the guess that every
 * entry is applied in order. Neither may change what is decided:
 *  - a first sync applies every entry under its original author, and the
 *    receiver's log verifies;
 *  - a conflict, an update and a delete in the middle of the package (the
 *    made-ahead entries' guessed indexes are wrong after them) still apply
 *    exactly what they should, and the log verifies;
 *  - an entry refused in the second half is named, and nothing is written;
 *    with one refused in each half, the earlier is named;
 *  - S9 applies a large package while its entries are still being opened:
 *    a refusal after hundreds were applied leaves nothing written, and the
 *    refusal named is the one the checks in their order name (an entry
 *    that fails S6 before another that the policy refuses);
 *  - a package that carries a file is checked whole before anything is
 *    written: refused, its file is not written either.
 * All records are invented for the test. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "ledger/ledger_int.h"
#include "remnant/ledger.h"
#include "remnant/store.h"
#include "remnant/sync.h"

typedef struct fx {
    char dir[64], a_db[128], h_db[128];
    rn_store *a, *h;
    char origin_a[RN_ORIGIN_MAX + 1];
} fx;

static void keyed(const char *db, char vkey[RN_LEDGER_VKEY_MAX], char *origin)
{
    rn_ledger *l = NULL;
    rn_error err;
    assert_int_equal(rn_ledger_open(db, 0, &l, &err), RN_OK);
    assert_int_equal(rn_ledger_key_create(l, vkey, &err), RN_OK);
    if (origin)
        snprintf(origin, RN_ORIGIN_MAX + 1, "%s", rn_ledger_origin(l));
    rn_ledger_close(l);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    rn_error err;
    char va[RN_LEDGER_VKEY_MAX], vh[RN_LEDGER_VKEY_MAX];
    snprintf(f->dir, sizeof f->dir, "/tmp/rn_sync_import.XXXXXX");
    if (!f || !mkdtemp(f->dir))
        return -1;
    snprintf(f->a_db, sizeof f->a_db, "%s/a.db", f->dir);
    snprintf(f->h_db, sizeof f->h_db, "%s/h.db", f->dir);
    if (rn_store_open(f->a_db, RN_STORE_CREATE, &f->a, &err) != RN_OK ||
        rn_store_open(f->h_db, RN_STORE_CREATE, &f->h, &err) != RN_OK)
        return -1;
    keyed(f->a_db, va, f->origin_a);
    keyed(f->h_db, vh, NULL);
    if (rn_sync_peer_add(f->h, "field", NULL, va, NULL, &err) != RN_OK ||
        rn_sync_peer_add(f->a, "hq", NULL, vh, NULL, &err) != RN_OK ||
        rn_store_set_author(f->a, "alice") != RN_OK || rn_store_set_author(f->h, "hq-clerk"))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    char cmd[200];
    rn_store_close(f->a);
    rn_store_close(f->h);
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

/* n events "Event <first + k> (invented)" at A, in one transaction; their
 * ids into ids[first + k] when ids is given */
static void add_events(fx *f, int first, int n, char (*ids)[RN_ID_LEN + 1])
{
    rn_error err;
    assert_int_equal(rn_store_begin(f->a, &err), RN_OK);
    for (int k = 0; k < n; k++) {
        char name[64];
        int len = snprintf(name, sizeof name, "Event %04d (invented)", first + k);
        rn_record *r = rn_record_new(RN_T_EVENT);
        assert_non_null(r);
        assert_int_equal(rn_record_set(r, "name", name, (size_t)len, &err), RN_OK);
        assert_int_equal(rn_store_put(f->a, r, RN_PUT_CREATE, &err), RN_OK);
        if (ids)
            memcpy(ids[first + k], rn_record_id(r), RN_ID_LEN + 1);
        rn_record_free(r);
    }
    assert_int_equal(rn_store_commit(f->a, &err), RN_OK);
}

/* set field `name` of record id in store s to v */
static void edit(rn_store *s, const char *id, const char *v)
{
    rn_error err;
    rn_record *r = NULL;
    assert_int_equal(rn_store_get(s, id, &r, &err), RN_OK);
    assert_int_equal(rn_record_set(r, "name", v, strlen(v), &err), RN_OK);
    assert_int_equal(rn_store_put(s, r, RN_PUT_REPLACE, &err), RN_OK);
    rn_record_free(r);
}

/* A's package for HQ (what it has not sent yet), in memory */
static char *export_pkg(fx *f, size_t *len, uint64_t *entries)
{
    char *buf = NULL;
    rn_error err;
    FILE *out = open_memstream(&buf, len);
    assert_non_null(out);
    rn_code rc = rn_sync_export(f->a, "hq", NULL, out, entries, &err);
    if (rc)
        fprintf(stderr, "export: %s\n", err.message);
    assert_int_equal(rc, RN_OK);
    assert_int_equal(fclose(out), 0);
    return buf;
}

static rn_code import_pkg(fx *f, const char *pkg, size_t len, rn_sync_stats *st, rn_error *err)
{
    rn_error_clear(err);
    return rn_sync_import(f->h, pkg, len, "hq-clerk", st, err);
}

static void verified(fx *f)
{
    rn_error err;
    rn_ledger_verify_stats vs;
    rn_code rc = rn_ledger_verify(f->h, f->h_db, NULL, 0, NULL, NULL, &vs, &err);
    if (rc)
        fprintf(stderr, "verify: %s\n", err.message);
    assert_int_equal(rc, RN_OK);
    assert_int_equal(rn_sync_verify(f->h, NULL, NULL, NULL, &err), RN_OK);
}

static int64_t count(rn_store *s, rn_type t)
{
    int64_t n = -1;
    assert_int_equal(rn_store_count(s, t, &n), RN_OK);
    return n;
}

/* the name of record id at HQ, into out */
static void name_at_h(fx *f, const char *id, char *out, size_t cap)
{
    rn_error err;
    rn_record *r = NULL;
    size_t n = 0;
    assert_int_equal(rn_store_get(f->h, id, &r, &err), RN_OK);
    const char *v = rn_record_get(r, "name", &n);
    assert_non_null(v);
    snprintf(out, cap, "%.*s", (int)n, v);
    rn_record_free(r);
}

static void test_first_sync(void **state)
{
    fx *f = *state;
    char(*ids)[RN_ID_LEN + 1] = calloc(700, RN_ID_LEN + 1);
    size_t len = 0;
    uint64_t entries = 0;
    rn_sync_stats st;
    rn_error err;
    char name[64];
    add_events(f, 0, 700, ids);
    char *pkg = export_pkg(f, &len, &entries);
    assert_int_equal(entries, 700);
    assert_int_equal(import_pkg(f, pkg, len, &st, &err), RN_OK);
    assert_int_equal(st.applied, 700);
    assert_int_equal(st.conflicts, 0);
    assert_int_equal(count(f->h, RN_T_EVENT), 700);
    name_at_h(f, ids[0], name, sizeof name);
    assert_string_equal(name, "Event 0000 (invented)");
    name_at_h(f, ids[699], name, sizeof name);
    assert_string_equal(name, "Event 0699 (invented)");
    /* each entry under its original author, and the log whole */
    char *hist = NULL;
    size_t hl = 0;
    rn_ledger *l = NULL;
    assert_int_equal(rn_ledger_open(f->h_db, RN_LEDGER_READONLY, &l, &err), RN_OK);
    assert_int_equal(rn_ledger_history(l, ids[600], &hist, &hl, &err), RN_OK);
    assert_non_null(strstr(hist, "\"author\":\"alice\""));
    assert_null(strstr(hist, "hq-clerk"));
    rn_free(hist);
    rn_ledger_close(l);
    verified(f);
    /* twice: nothing to do */
    assert_int_equal(import_pkg(f, pkg, len, &st, &err), RN_OK);
    assert_true(st.already);
    free(pkg);
    free(ids);
}

static void test_guesses_wrong(void **state)
{
    fx *f = *state;
    char(*ids)[RN_ID_LEN + 1] = calloc(1000, RN_ID_LEN + 1);
    size_t len = 0;
    uint64_t entries = 0;
    rn_sync_stats st;
    rn_error err;
    char name[64];
    add_events(f, 0, 300, ids);
    char *pkg = export_pkg(f, &len, &entries);
    assert_int_equal(import_pkg(f, pkg, len, &st, &err), RN_OK);
    free(pkg);
    /* HQ changes event 5; A changes 5 (a conflict), 6 and deletes 7 in the
     * middle of 600 new events */
    edit(f->h, ids[5], "Event 0005 as HQ has it (invented)");
    add_events(f, 300, 300, ids);
    edit(f->a, ids[5], "Event 0005 as A has it (invented)");
    edit(f->a, ids[6], "Event 0006 renamed at A (invented)");
    assert_int_equal(rn_store_delete(f->a, ids[7], &err), RN_OK);
    add_events(f, 600, 300, ids);
    pkg = export_pkg(f, &len, &entries);
    assert_int_equal(entries, 603);
    rn_code rc = import_pkg(f, pkg, len, &st, &err);
    if (rc)
        fprintf(stderr, "import: %s\n", err.message);
    assert_int_equal(rc, RN_OK);
    assert_int_equal(st.applied, 602);
    assert_int_equal(st.conflicts, 1);
    assert_int_equal(count(f->h, RN_T_EVENT), 899);
    name_at_h(f, ids[5], name, sizeof name);
    assert_string_equal(name, "Event 0005 as HQ has it (invented)");
    name_at_h(f, ids[6], name, sizeof name);
    assert_string_equal(name, "Event 0006 renamed at A (invented)");
    name_at_h(f, ids[899], name, sizeof name);
    assert_string_equal(name, "Event 0899 (invented)");
    rn_record *r = NULL;
    assert_int_equal(rn_store_get(f->h, ids[7], &r, &err), RN_ENOTFOUND);
    verified(f);
    free(pkg);
    free(ids);
}

/* Change one letter of the disclosed name of entry `seq` ("Event" ->
 * "Evfnt"): its disclosure no longer matches its digest. */
static void spoil(char *pkg, size_t len, unsigned seq)
{
    char hdr[64];
    snprintf(hdr, sizeof hdr, "\ndisclosures %u ", seq);
    char *at = memmem(pkg, len, hdr, strlen(hdr));
    assert_non_null(at);
    char *nm = memmem(at, len - (size_t)(at - pkg), "\"Event ", 7);
    assert_non_null(nm);
    nm[3] = 'f';
}

/* Seal the package again with A's key (docs/SYNC.md, `seal`): a sender
 * whose own entries are bad, not a package changed on the way. */
static char *reseal(fx *f, const char *pkg, size_t len, size_t *out_len)
{
    const char *seal = NULL;
    for (const char *p = pkg; (p = memmem(p, len - (size_t)(p - pkg), "\nseal ", 6)); p++)
        seal = p + 1;
    assert_non_null(seal);
    size_t body = (size_t)(seal - pkg);
    uint8_t h[32];
    char hx[65], note[1024];
    rn__sha256(pkg, body, h);
    for (int i = 0; i < 32; i++)
        snprintf(hx + 2 * i, 3, "%02x", h[i]);
    int tl = snprintf(note, sizeof note, "remnant-sync seal v1\n%s\n%s\n", f->origin_a, hx);
    note[tl] = '\n';
    size_t nl = (size_t)tl + 1;
    rn_skey k;
    rn_error err;
    assert_int_equal(rn__ledger_key_load(f->a_db, &k, &err), RN_OK);
    assert_int_equal(rn__note_sign_line(&k, note, (size_t)tl, note, sizeof note, &nl), RN_OK);
    sodium_memzero(&k, sizeof k);
    char *out = malloc(body + nl + 64);
    assert_non_null(out);
    memcpy(out, pkg, body);
    int hl = snprintf(out + body, 32, "seal %zu\n", nl);
    memcpy(out + body + hl, note, nl);
    memcpy(out + body + hl + nl, "\nend\n", 5);
    *out_len = body + (size_t)hl + nl + 5;
    return out;
}

static void test_refused_in_order(void **state)
{
    fx *f = *state;
    size_t len = 0, blen = 0;
    uint64_t entries = 0;
    rn_sync_stats st;
    rn_error err;
    add_events(f, 0, 700, NULL);
    char *pkg = export_pkg(f, &len, &entries);
    char *copy = malloc(len);
    assert_non_null(copy);
    memcpy(copy, pkg, len);
    /* one entry refused, in the second half */
    spoil(copy, len, 600);
    char *bad = reseal(f, copy, len, &blen);
    assert_int_equal(import_pkg(f, bad, blen, &st, &err), RN_ECRYPTO);
    assert_non_null(strstr(err.message, "entry 600 "));
    assert_non_null(strstr(err.message, "nothing written"));
    assert_int_equal(count(f->h, RN_T_EVENT), 0);
    free(bad);
    /* one in each half: the earlier */
    spoil(copy, len, 100);
    bad = reseal(f, copy, len, &blen);
    assert_int_equal(import_pkg(f, bad, blen, &st, &err), RN_ECRYPTO);
    assert_non_null(strstr(err.message, "entry 100 "));
    assert_int_equal(count(f->h, RN_T_EVENT), 0);
    free(bad);
    /* the untouched package, re-sealed the same way: all of it (the
     * refusals above were the spoilt entries', not the sealing's) */
    bad = reseal(f, pkg, len, &blen);
    assert_int_equal(import_pkg(f, bad, blen, &st, &err), RN_OK);
    assert_int_equal(st.applied, 700);
    verified(f);
    free(bad);
    free(copy);
    free(pkg);
}

/* The importer's policy, refusing its call number refuse_at (from 0) */
typedef struct may_ctx {
    int calls, refuse_at;
} may_ctx;

static int may_count(void *ctx, const char *type)
{
    may_ctx *m = ctx;
    (void)type;
    return m->calls++ != m->refuse_at;
}

static void test_refused_while_applying(void **state)
{
    fx *f = *state;
    size_t len = 0, blen = 0;
    uint64_t entries = 0;
    rn_sync_stats st;
    rn_error err;
    add_events(f, 0, 700, NULL);
    char *pkg = export_pkg(f, &len, &entries);
    /* the policy refuses entry 300, after 0..299 were applied */
    may_ctx m = {0, 300};
    rn_error_clear(&err);
    assert_int_equal(rn_sync_import_ex(f->h, pkg, len, "hq-clerk", may_count, &m, &st, &err),
                     RN_ECONSTRAINT);
    assert_non_null(strstr(err.message, "entry 300 "));
    assert_non_null(strstr(err.message, "nothing written"));
    assert_int_equal(count(f->h, RN_T_EVENT), 0);
    /* and entry 600's disclosure changed as well: S6's refusal is named,
     * as when every entry was opened before the policy was asked */
    char *copy = malloc(len);
    assert_non_null(copy);
    memcpy(copy, pkg, len);
    spoil(copy, len, 600);
    char *bad = reseal(f, copy, len, &blen);
    m = (may_ctx){0, 300};
    rn_error_clear(&err);
    assert_int_equal(rn_sync_import_ex(f->h, bad, blen, "hq-clerk", may_count, &m, &st, &err),
                     RN_ECRYPTO);
    assert_non_null(strstr(err.message, "entry 600 "));
    assert_int_equal(count(f->h, RN_T_EVENT), 0);
    /* then all of it, and the log verifies */
    assert_int_equal(import_pkg(f, pkg, len, &st, &err), RN_OK);
    assert_int_equal(st.applied, 700);
    verified(f);
    free(bad);
    free(copy);
    free(pkg);
}

static void test_files_checked_first(void **state)
{
    fx *f = *state;
    size_t len = 0;
    uint64_t entries = 0;
    rn_sync_stats st;
    rn_error err;
    char(*ids)[RN_ID_LEN + 1] = calloc(600, RN_ID_LEN + 1);
    add_events(f, 0, 600, ids);
    char file[128], att[RN_ID_LEN + 1], blob[4200];
    snprintf(file, sizeof file, "%s/note.txt", f->dir);
    FILE *fp = fopen(file, "w");
    assert_non_null(fp);
    fputs("An invented note for a test.\n", fp);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(rn_store_attach(f->a, ids[0], file, "text/plain", att, &err), RN_OK);
    rn_record *ar = NULL;
    assert_int_equal(rn_store_get(f->a, att, &ar, &err), RN_OK);
    assert_int_equal(rn_store_blob_path(f->h, rn_record_get(ar, "sha256", NULL), blob,
                                        sizeof blob), RN_OK);
    rn_record_free(ar);
    char *pkg = export_pkg(f, &len, &entries);
    assert_int_equal(entries, 601);
    may_ctx m = {0, 300};
    struct stat sb;
    rn_error_clear(&err);
    assert_int_equal(rn_sync_import_ex(f->h, pkg, len, "hq-clerk", may_count, &m, &st, &err),
                     RN_ECONSTRAINT);
    assert_int_equal(count(f->h, RN_T_EVENT), 0);
    assert_int_equal(stat(blob, &sb), -1);
    assert_int_equal(import_pkg(f, pkg, len, &st, &err), RN_OK);
    assert_int_equal(st.applied, 601);
    assert_int_equal(st.blobs, 1);
    assert_int_equal(stat(blob, &sb), 0);
    verified(f);
    free(pkg);
    free(ids);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_first_sync, setup, teardown),
        cmocka_unit_test_setup_teardown(test_guesses_wrong, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_while_applying, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files_checked_first, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
