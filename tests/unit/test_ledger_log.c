/* SPDX-License-Identifier: Apache-2.0
 *
 * test_ledger_log.c — the evidence log inside the store: every change is an
 * entry (log.c L1-L3), each transaction one checkpoint (L5), rollbacks leave
 * no trace and the next append resynchronises (L6), keys sign and rotate,
 * rn_ledger_verify names the record, entry, blob or checkpoint that was
 * changed behind the log's back, proofs verify, bundles verify. */
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
#include <sqlite3.h>
#include <sodium.h>

#include "ledger/ledger_int.h"
#include "model/record_int.h"
#include "remnant/ledger.h"
#include "store/store_int.h"
#include "remnant/store.h"

static char dir[256], db[300];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/rn_test_ledger_XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(db, sizeof db, "%s/t.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static rn_store *open_store(void)
{
    rn_store *s = NULL;
    rn_error err;
    rn_code rc = rn_store_open(db, RN_STORE_CREATE, &s, &err);
    if (rc)
        fprintf(stderr, "open: %s\n", err.message);
    assert_int_equal(rc, RN_OK);
    return s;
}

static void add_event(rn_store *s, const char *name, char id[RN_ID_LEN + 1])
{
    rn_record *r = rn_record_new(RN_T_EVENT);
    rn_error err;
    assert_non_null(r);
    assert_int_equal(rn_record_set(r, "name", name, strlen(name), &err), RN_OK);
    assert_int_equal(rn_store_put(s, r, RN_PUT_CREATE, &err), RN_OK);
    memcpy(id, rn_record_id(r), RN_ID_LEN + 1);
    rn_record_free(r);
}

static int64_t q1(const char *sql)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

static void exec_sql(const char *sql)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    char *msg = NULL;
    int r = sqlite3_exec(h, sql, NULL, NULL, &msg);
    if (r != SQLITE_OK)
        fprintf(stderr, "sql: %s\n", msg);
    sqlite3_free(msg);
    sqlite3_close(h);
    assert_int_equal(r, SQLITE_OK);
}

typedef struct seen {
    int n;
    char what[8][32];
    char id[8][80];
} seen;

static void collect(void *ctx, const rn_ledger_problem *p)
{
    seen *s = ctx;
    if (s->n < 8) {
        snprintf(s->what[s->n], 32, "%s", p->what);
        snprintf(s->id[s->n], 80, "%s", p->id);
    }
    s->n++;
}

static rn_code verify(rn_store *s, seen *out)
{
    memset(out, 0, sizeof *out);
    rn_ledger_verify_stats st;
    return rn_ledger_verify(s, db, NULL, 0, collect, out, &st, NULL);
}

static int saw(const seen *s, const char *what, const char *id)
{
    for (int i = 0; i < s->n && i < 8; i++)
        if (strcmp(s->what[i], what) == 0 && (!id || strcmp(s->id[i], id) == 0))
            return 1;
    return 0;
}

static void test_append_and_seal(void **state)
{
    (void)state;
    rn_store *s = open_store();
    char a[RN_ID_LEN + 1], b[RN_ID_LEN + 1], c[RN_ID_LEN + 1];
    add_event(s, "one", a);
    add_event(s, "two", b);
    /* L1, L5: two entries, one checkpoint per transaction. */
    assert_int_equal(q1("SELECT count(*) FROM ledger_entry"), 2);
    assert_int_equal(q1("SELECT count(*) FROM ledger_checkpoint"), 2);
    assert_int_equal(q1("SELECT size FROM ledger_tree"), 2);

    /* One transaction, three changes, one checkpoint. */
    rn_error err;
    assert_int_equal(rn_store_begin(s, &err), RN_OK);
    add_event(s, "three", c);
    rn_record *r = NULL;
    assert_int_equal(rn_store_get(s, a, &r, &err), RN_OK);
    assert_int_equal(rn_record_set(r, "name", "one!", 4, &err), RN_OK);
    assert_int_equal(rn_store_put(s, r, RN_PUT_REPLACE, &err), RN_OK);
    rn_record_free(r);
    assert_int_equal(rn_store_delete(s, b, &err), RN_OK);
    assert_int_equal(rn_store_commit(s, &err), RN_OK);
    assert_int_equal(q1("SELECT count(*) FROM ledger_entry"), 5);
    assert_int_equal(q1("SELECT count(*) FROM ledger_checkpoint"), 3);
    assert_int_equal(q1("SELECT max(size) FROM ledger_checkpoint"), 5);
    /* L3: the update links to the create. */
    assert_int_equal(q1("SELECT count(*) FROM ledger_entry e WHERE op = 'u'"
                        " AND prev = (SELECT leaf_hash FROM"
                        " ledger_entry WHERE record_id = e.record_id AND"
                        " op = 'c')"), 1);

    /* L6: a rolled-back transaction leaves nothing; the next append
     * resynchronises. */
    assert_int_equal(rn_store_begin(s, &err), RN_OK);
    char d[RN_ID_LEN + 1];
    add_event(s, "rolled back", d);
    rn_store_rollback(s);
    assert_int_equal(q1("SELECT count(*) FROM ledger_entry"), 5);
    char e[RN_ID_LEN + 1];
    add_event(s, "after", e);
    assert_int_equal(q1("SELECT count(*) FROM ledger_entry"), 6);

    seen v;
    assert_int_equal(verify(s, &v), RN_OK);
    assert_int_equal(v.n, 0);
    rn_store_close(s);
}

static void test_tamper_named(void **state)
{
    (void)state;
    rn_store *s = open_store();
    char a[RN_ID_LEN + 1], b[RN_ID_LEN + 1];
    add_event(s, "alpha", a);
    add_event(s, "beta", b);
    rn_store_close(s);
    seen v;
    char sql[512];

    /* A record changed behind the log's back is named. */
    snprintf(sql, sizeof sql, "UPDATE event SET name = 'gamma' WHERE id = '%s'",
             a);
    exec_sql(sql);
    s = open_store();
    assert_int_equal(verify(s, &v), RN_ETAMPER);
    assert_true(saw(&v, "record", a));
    assert_false(saw(&v, "record", b));
    rn_store_close(s);
    snprintf(sql, sizeof sql, "UPDATE event SET name = 'alpha' WHERE id = '%s'",
             a);
    exec_sql(sql);

    /* The log refuses edits (triggers); forcing one past them is caught. */
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(h, "DELETE FROM ledger_entry", NULL,
                                      NULL, NULL), SQLITE_OK);
    /* Format 2: the value lives in the entry's disclosure, bound to the
     * entry by its salted digest. */
    assert_int_equal(sqlite3_exec(h, "DROP TRIGGER ledger_entry_no_update;"
                                     "UPDATE ledger_entry SET disclosures = CAST("
                                     "replace(disclosures, 'beta', 'BETA') AS BLOB)"
                                     " WHERE seq = 1", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    s = open_store();
    assert_int_equal(verify(s, &v), RN_ETAMPER);
    assert_true(saw(&v, "entry", b));
    rn_store_close(s);
}

static void test_keys_proofs_bundle(void **state)
{
    (void)state;
    rn_store *s = open_store();
    char a[RN_ID_LEN + 1], b[RN_ID_LEN + 1];
    add_event(s, "alpha", a);
    rn_ledger *l = NULL;
    rn_error err;
    char vk1[RN_LEDGER_VKEY_MAX], vk2[RN_LEDGER_VKEY_MAX];
    assert_int_equal(rn_ledger_open(db, 0, &l, &err), RN_OK);
    assert_int_equal(rn_ledger_key_create(l, vk1, &err), RN_OK);
    assert_int_equal(rn_ledger_key_create(l, vk2, &err), RN_EEXISTS);
    char kp[400];
    struct stat sb;
    snprintf(kp, sizeof kp, "%s.key", db);
    assert_int_equal(stat(kp, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    add_event(s, "beta", b);
    assert_int_equal(rn_ledger_key_rotate(l, vk2, &err), RN_OK);
    assert_string_not_equal(vk1, vk2);
    add_event(s, "gamma", b);
    seen v;
    assert_int_equal(verify(s, &v), RN_OK);
    /* Trusting only the new key: the old key is trusted through the
     * rotation both keys signed (ledger_key_link), so older checkpoints
     * signed by the old key alone still verify. */
    const char *only[] = {vk2};
    assert_int_equal(rn_ledger_verify(s, db, only, 1, NULL, NULL, NULL, NULL), RN_OK);
    /* Without that link the old key is untrusted. */
    {
        sqlite3 *h;
        assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
        assert_int_equal(sqlite3_exec(h, "DROP TRIGGER ledger_key_link_no_delete;"
                                         "DELETE FROM ledger_key_link", NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(h);
        assert_int_equal(rn_ledger_verify(s, db, only, 1, NULL, NULL, NULL, NULL),
                         RN_ETAMPER);
    }

    /* Proofs against the latest checkpoint. */
    rn_ledger_proof p;
    char *entry = NULL;
    size_t elen;
    assert_int_equal(rn_ledger_inclusion(l, a, 0, &p, &entry, &elen, &err),
                     RN_OK);
    rn_hash leaf, root;
    rn__merkle_leaf_hash(entry, elen, leaf);
    assert_int_equal(rn__merkle_range_root(rn__ledger_leaf_source, l->db, 0,
                                           p.size, root), RN_OK);
    assert_int_equal(rn_ledger_verify_inclusion(&p, leaf, root), RN_OK);
    leaf[0] ^= 1;
    assert_int_equal(rn_ledger_verify_inclusion(&p, leaf, root), RN_ECRYPTO);
    free(entry);
    rn_hash r1;
    assert_int_equal(rn__merkle_range_root(rn__ledger_leaf_source, l->db, 0, 1,
                                           r1), RN_OK);
    assert_int_equal(rn_ledger_consistency(l, 1, p.size, &p, &err), RN_OK);
    assert_int_equal(rn_ledger_verify_consistency(&p, r1, root), RN_OK);

    /* A bundle verifies with the key, not with another. */
    char bp[400];
    snprintf(bp, sizeof bp, "%s/b.rnb", dir);
    FILE *f = fopen(bp, "w+b");
    assert_non_null(f);
    const char *ids[] = {a};
    assert_int_equal(rn_ledger_bundle_write(s, db, ids, 1, 0, f, &err), RN_OK);
    long len = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)len);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    const char *k2[] = {vk2};
    const char *k1[] = {vk1};
    assert_int_equal(rn_ledger_bundle_verify(buf, (size_t)len, k2, 1, NULL,
                                             NULL), RN_OK);
    assert_int_equal(rn_ledger_bundle_verify(buf, (size_t)len, k1, 1, NULL,
                                             NULL), RN_ECRYPTO);
    /* Every single-byte change of the bundle is caught or harmless. */
    for (long i = 0; i < len; i++) {
        buf[i] ^= 0x20;
        rn_code rc = rn_ledger_bundle_verify(buf, (size_t)len, k2, 1, NULL,
                                             NULL);
        assert_int_not_equal(rc, RN_OK);
        buf[i] ^= 0x20;
    }
    free(buf);
    rn_ledger_close(l);
    rn_store_close(s);
}

/* Put a new event whose log entry was made ahead (an import's reader:
 * rn__ledger_prepare, rn__ledger_prepare_entry) on the guess `seq`, with
 * id `id` (a record deleted before, or a fresh one when id is NULL).
 * Returns the stamp the entry was made with; *time the stored entry's. */
static int64_t put_made_ahead(rn_store *s, const char *id, uint64_t seq, int64_t *time)
{
    rn_error err;
    rn_record *r = rn_record_new(RN_T_EVENT);
    assert_non_null(r);
    assert_int_equal(rn_record_set(r, "name", "ahead", 5, &err), RN_OK);
    char fresh[RN_ID_LEN + 1];
    if (!id) {
        assert_int_equal(rn_id_new(fresh), RN_OK);
        id = fresh;
    }
    assert_int_equal(rn_record_set_id(r, id, strlen(id), &err), RN_OK);
    rn_buf canon;
    rn__buf_init(&canon, (size_t)1 << 20);
    assert_int_equal(rn__record_json(r, RN_JSON_CANONICAL, &canon), RN_OK);
    rn__salts salts;
    rn__salts_init(&salts);
    rn__ledger_prep prep;
    rn__ledger_prep_init(&prep);
    assert_int_equal(rn__ledger_prepare(&prep, &salts, canon.data, canon.len, s->author), RN_OK);
    rn__ledger_prepare_entry(&prep, rn_record_id(r), "event", seq);
    assert_true(prep.whole);
    int64_t made = prep.now_ms;
    usleep(5000); /* an entry built at the append is stamped later */
    s->put_canon = canon.data;
    s->put_canon_len = canon.len;
    s->put_prep = &prep;
    assert_int_equal(rn_store_put(s, r, RN_PUT_CREATE, &err), RN_OK);
    s->put_canon = NULL;
    s->put_canon_len = 0;
    s->put_prep = NULL;
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT time FROM ledger_entry WHERE record_id = '%s' "
             "ORDER BY seq DESC LIMIT 1",
             rn_record_id(r));
    *time = q1(sql);
    rn__ledger_prep_free(&prep);
    rn__salts_wipe(&salts);
    rn__buf_free(&canon);
    rn_record_free(r);
    return made;
}

/* An entry made ahead is used only when every guess holds: the log index,
 * no previous entry. Otherwise the append builds its own, and either way
 * the log verifies (L1-L3, L10). */
static void test_entry_made_ahead(void **state)
{
    (void)state;
    rn_store *s = open_store();
    char a[RN_ID_LEN + 1];
    add_event(s, "one", a);
    sqlite3 *h = rn__store_db(s);
    uint64_t next = 0;
    rn_error err;
    assert_int_equal(rn__ledger_next_seq(h, &next, &err), RN_OK);
    assert_int_equal(next, 1);

    /* right guess: the entry made ahead, its stamp */
    int64_t t;
    int64_t made = put_made_ahead(s, NULL, 1, &t);
    assert_int_equal(t, made);
    /* wrong index: built at the append, at the right index */
    made = put_made_ahead(s, NULL, 7, &t);
    assert_true(t > made);
    assert_int_equal(q1("SELECT max(seq) FROM ledger_entry"), 2);
    /* a record created again after its delete has a previous entry (L3):
     * built at the append, linked to the delete */
    assert_int_equal(rn_store_delete(s, a, &err), RN_OK);
    made = put_made_ahead(s, a, 4, &t);
    assert_true(t > made);
    assert_int_equal(q1("SELECT count(*) FROM ledger_entry e WHERE seq = 4 AND prev = "
                        "(SELECT leaf_hash FROM ledger_entry WHERE seq = 3 AND op = 'd')"),
                     1);

    seen v;
    assert_int_equal(verify(s, &v), RN_OK);
    assert_int_equal(v.n, 0);
    rn_store_close(s);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_append_and_seal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys_proofs_bundle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entry_made_ahead, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
