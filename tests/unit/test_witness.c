/* SPDX-License-Identifier: Apache-2.0
 *
 * test_witness.c — c2sp.org/tlog-witness: the add-checkpoint body parser
 * and formatter (lib/ledger/witness_req.c), the witness's checks A1-A8
 * (witness_answer.c) each reached with the status the spec gives, and the
 * log asking (witness_ask.c Q1-Q5) through a transport that hands the body
 * straight to an in-process witness: cosigned and stored, 409 retried once
 * from the witness's size, a split view and a rollback reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "ledger/ledger_int.h"
#include "remnant/ledger.h"
#include "remnant/store.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/rn_test_witness_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- the body parser ------------------------------------------------------ */

static rn_code parse(const char *s, rn_witness_req *r)
{
    return rn__witness_req_parse(s, strlen(s), r, NULL);
}

static void test_parse_accepts(void **state)
{
    (void)state;
    rn_witness_req r;
    const char *note = "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— o x\n";
    char b[512];
    snprintf(b, sizeof b, "old 0\n\n%s", note);
    assert_int_equal(parse(b, &r), RN_OK);
    assert_int_equal(r.old_size, 0);
    assert_int_equal(r.nproof, 0);
    assert_int_equal(r.note_len, strlen(note));
    assert_memory_equal(r.note, note, strlen(note));
    snprintf(b, sizeof b, "old 18446744073709551615\n"
             "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"
             "jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n\n%s", note);
    assert_int_equal(parse(b, &r), RN_OK);
    assert_true(r.old_size == UINT64_MAX);
    assert_int_equal(r.nproof, 2);
    assert_int_equal(r.proof[0][0], 0x3e); /* 'PlRN' -> 3e 54 4d */
    assert_int_equal(r.proof[1][31], 0x09);
}

static void test_parse_refuses(void **state)
{
    (void)state;
    rn_witness_req r;
    const char *h = "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n";
    static const char *const bad[] = {
        "",                          /* nothing */
        "old 0",                     /* no newline */
        "old 0\n",                   /* no empty line */
        "old 0\n\n",                 /* no checkpoint */
        "old \n\nx\n",               /* no number */
        "old 01\n\nx\n",             /* a leading zero */
        "old -1\n\nx\n",             /* a sign */
        "old 18446744073709551616\n\nx\n", /* 2^64 */
        "old 1 \n\nx\n",             /* a trailing space */
        "Old 1\n\nx\n",              /* the word's case */
        "old 1\r\n\r\nx\n",          /* CRLF */
        "old 1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw\n\nx\n", /* unpadded */
        "old 1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkax=\n\nx\n", /* non-canonical */
        "old 1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpk=\n\nx\n", /* 31 bytes */
        "old 1\n PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n\nx\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *why = NULL;
        if (rn__witness_req_parse(bad[i], strlen(bad[i]), &r, &why) == RN_OK)
            fail_msg("accepted bad body %zu: %s", i, bad[i]);
        assert_non_null(why);
    }
    /* 63 proof lines are allowed, 64 are not */
    static char b[8192];
    size_t n = (size_t)snprintf(b, sizeof b, "old 1\n");
    for (int i = 0; i < 63; i++)
        n += (size_t)snprintf(b + n, sizeof b - n, "%s", h);
    snprintf(b + n, sizeof b - n, "\nx\n");
    assert_int_equal(parse(b, &r), RN_OK);
    assert_int_equal(r.nproof, 63);
    n += (size_t)snprintf(b + n, sizeof b - n, "%s", h);
    snprintf(b + n, sizeof b - n, "\nx\n");
    assert_int_equal(parse(b, &r), RN_EINPUT);
    /* the size limit */
    size_t big = RN_WITNESS_BODY_MAX + 1;
    char *p = malloc(big);
    assert_non_null(p);
    memset(p, 'a', big);
    assert_int_equal(rn__witness_req_parse(p, big, &r, NULL), RN_ELIMIT);
    free(p);
}

static void test_format_round_trip(void **state)
{
    (void)state;
    rn_hash proof[3];
    for (int i = 0; i < 3; i++)
        memset(proof[i], 0x11 * (i + 1), RN_HASH_LEN);
    const char *note = "o\n9\nroot\n\n— o sig\n";
    char out[1024];
    size_t n = rn__witness_req_format(1234, proof, 3, note, strlen(note), out,
                                      sizeof out);
    assert_true(n > 0);
    assert_memory_equal(out, "old 1234\n", 9);
    rn_witness_req r;
    assert_int_equal(rn__witness_req_parse(out, n, &r, NULL), RN_OK);
    assert_int_equal(r.old_size, 1234);
    assert_int_equal(r.nproof, 3);
    assert_memory_equal(r.proof[2], proof[2], RN_HASH_LEN);
    assert_int_equal(r.note_len, strlen(note));
    /* too small a buffer: 0, never a cut body */
    assert_int_equal(rn__witness_req_format(1234, proof, 3, note, strlen(note),
                                            out, n), 0);
    assert_int_equal(rn__witness_req_format(0, proof, 64, note, strlen(note),
                                            out, sizeof out), 0);
}

/* ---- the witness's checks ------------------------------------------------- */

/* A log of `n` synthetic leaves: leaf i = SHA-256(0x00 || i || tag). */
typedef struct tree {
    uint8_t tag;
    rn_hash leaf[64];
} tree;

static rn_code leaves(void *ctx, uint64_t start, uint64_t n, rn_hash *out)
{
    tree *t = ctx;
    for (uint64_t i = 0; i < n; i++)
        memcpy(out[i], t->leaf[start + i], RN_HASH_LEN);
    return RN_OK;
}

static void tree_init(tree *t, uint8_t tag)
{
    t->tag = tag;
    for (int i = 0; i < 64; i++) {
        uint8_t d[2] = {(uint8_t)i, tag};
        rn__merkle_leaf_hash(d, 2, t->leaf[i]);
    }
}

static rn_skey log_key;
static char log_vkey[RN_LEDGER_VKEY_MAX];

/* The signed note of the tree's checkpoint at size into out. */
static size_t note_at(tree *t, uint64_t size, const rn_skey *k, char *out,
                      size_t cap)
{
    rn_hash root;
    assert_int_equal(rn__merkle_range_root(leaves, t, 0, size, root), RN_OK);
    size_t n = rn__checkpoint_format(k->v.name, strlen(k->v.name), size, root,
                                     out, cap);
    assert_true(n > 0);
    size_t len = n;
    out[len++] = '\n';
    assert_int_equal(rn__note_sign_line(k, out, n, out, cap, &len), RN_OK);
    return len;
}

/* The request body from old to size. */
static size_t body_of(tree *t, uint64_t old, uint64_t size, const rn_skey *k,
                      char *out, size_t cap)
{
    char note[2048];
    rn_hash proof[RN_PROOF_MAX];
    size_t np = 0;
    size_t nl = note_at(t, size, k, note, sizeof note);
    if (old > 0 && old < size)
        assert_int_equal(rn__merkle_consistency_proof(leaves, t, old, size,
                                                      proof, &np), RN_OK);
    size_t n = rn__witness_req_format(old, proof, np, note, nl, out, cap);
    assert_true(n > 0);
    return n;
}

static rn_witness *open_witness(const char *name, char vkey[RN_LEDGER_VKEY_MAX])
{
    char kp[400], sd[400];
    rn_error err;
    snprintf(kp, sizeof kp, "%s/%s.key", dir, name);
    snprintf(sd, sizeof sd, "%s/%s.state", dir, name);
    if (access(kp, F_OK) != 0)
        assert_int_equal(rn_ledger_witness_keygen(kp, name, vkey, &err), RN_OK);
    else
        assert_int_equal(rn_ledger_witness_key_show(kp, vkey, &err), RN_OK);
    const char *keys[1] = {log_vkey};
    rn_witness *w = NULL;
    assert_int_equal(rn_witness_open(kp, keys, 1, sd, &w, &err), RN_OK);
    return w;
}

static int answer(rn_witness *w, const char *body, size_t len,
                  rn_witness_answer *a)
{
    rn_code rc = rn_witness_add_checkpoint(w, body, len, a, NULL);
    assert_true((rc == RN_OK) == (a->status == 200));
    return a->status;
}

static void test_witness_checks(void **state)
{
    (void)state;
    assert_int_equal(rn__skey_generate("example.org/log", 15,
                                       RN_SIGTYPE_ED25519, &log_key), RN_OK);
    rn__vkey_format(&log_key.v, log_vkey, sizeof log_vkey);
    char wv[RN_LEDGER_VKEY_MAX];
    rn_witness *w = open_witness("w.example", wv);
    rn_vkey wk;
    assert_int_equal(rn__vkey_parse(wv, strlen(wv), &wk), RN_OK);
    tree t, other;
    tree_init(&t, 1);
    tree_init(&other, 2);
    char b[8192];
    rn_witness_answer a;
    size_t n;

    /* A8: first sight, old 0: cosigned, and the line verifies */
    n = body_of(&t, 0, 5, &log_key, b, sizeof b);
    assert_int_equal(answer(w, b, n, &a), 200);
    {
        char note[2048], msg[4096];
        size_t nl = note_at(&t, 5, &log_key, note, sizeof note);
        rn_note nn;
        assert_int_equal(rn__note_parse(note, nl, &nn), RN_OK);
        memcpy(msg, nn.text, nn.text_len);
        msg[nn.text_len] = '\n';
        memcpy(msg + nn.text_len + 1, a.body, a.body_len);
        rn_note cn;
        assert_int_equal(rn__note_parse(msg, nn.text_len + 1 + a.body_len, &cn),
                         RN_OK);
        assert_int_equal(rn__note_verify(&cn, &wk, 1, NULL), RN_OK);
    }
    /* A5: the old size is not the witness's: 409 with its size */
    n = body_of(&t, 0, 7, &log_key, b, sizeof b);
    assert_int_equal(answer(w, b, n, &a), 409);
    assert_string_equal(a.content_type, "text/x.tlog.size");
    assert_string_equal(a.body, "5\n");
    n = body_of(&t, 3, 7, &log_key, b, sizeof b);
    assert_int_equal(answer(w, b, n, &a), 409);
    /* A7: a proof from the other tree: 422, state unchanged */
    n = body_of(&other, 5, 7, &log_key, b, sizeof b);
    assert_int_equal(answer(w, b, n, &a), 422);
    assert_int_equal(a.verdict, RN_WITNESS_INCONSISTENT);
    /* a proof line flipped: 422 */
    n = body_of(&t, 5, 7, &log_key, b, sizeof b);
    b[8] = b[8] == 'A' ? 'B' : 'A';
    assert_int_equal(answer(w, b, n, &a), 422);
    /* the right proof: 200 */
    n = body_of(&t, 5, 7, &log_key, b, sizeof b);
    assert_int_equal(answer(w, b, n, &a), 200);
    assert_int_equal(a.verdict, RN_WITNESS_COSIGNED);
    /* A6: the same checkpoint again: 200 SAME; same size, other root: 409 */
    n = body_of(&t, 7, 7, &log_key, b, sizeof b);
    assert_int_equal(answer(w, b, n, &a), 200);
    assert_int_equal(a.verdict, RN_WITNESS_SAME);
    n = body_of(&other, 7, 7, &log_key, b, sizeof b);
    assert_int_equal(answer(w, b, n, &a), 409);
    assert_int_equal(a.verdict, RN_WITNESS_SPLIT_VIEW);
    assert_string_equal(a.body, "7\n");
    /* A4: old beyond the checkpoint (a rollback presented honestly): 400 */
    n = body_of(&t, 7, 6, &log_key, b, sizeof b);
    assert_int_equal(answer(w, b, n, &a), 400);
    /* a smaller checkpoint from its own size: 409 with 7 */
    n = body_of(&t, 6, 6, &log_key, b, sizeof b);
    assert_int_equal(answer(w, b, n, &a), 409);
    assert_string_equal(a.body, "7\n");
    /* A3: a key of the same name that the witness does not trust: 403 */
    rn_skey forger;
    assert_int_equal(rn__skey_generate("example.org/log", 15,
                                       RN_SIGTYPE_ED25519, &forger), RN_OK);
    n = body_of(&t, 7, 9, &forger, b, sizeof b);
    assert_int_equal(answer(w, b, n, &a), 403);
    /* A2: another log: 404 */
    rn_skey stranger;
    assert_int_equal(rn__skey_generate("example.org/other", 17,
                                       RN_SIGTYPE_ED25519, &stranger), RN_OK);
    n = body_of(&t, 0, 3, &stranger, b, sizeof b);
    assert_int_equal(answer(w, b, n, &a), 404);
    /* A1: malformed: 400 with a JSON error */
    assert_int_equal(answer(w, "old 0\n\nnot a note\n", 18, &a), 400);
    assert_string_equal(a.content_type, "application/json");
    assert_non_null(strstr(a.body, "\"code\":\"bad_request\""));
    /* the state survives a restart: the witness still holds 7 */
    rn_witness_close(w);
    w = open_witness("w.example", wv);
    n = body_of(&t, 0, 9, &log_key, b, sizeof b);
    assert_int_equal(answer(w, b, n, &a), 409);
    assert_string_equal(a.body, "7\n");
    rn_witness_close(w);
    sodium_memzero(&forger, sizeof forger);
    sodium_memzero(&stranger, sizeof stranger);
}

/* ---- the log asking ------------------------------------------------------- */

typedef struct fake_net {
    rn_witness *w; /* NULL: unreachable */
    int calls;
    int last_status;
} fake_net;

static rn_code fake_post(void *ctx, const char *url, const char *body,
                         size_t len, int *status, char *resp, size_t cap,
                         size_t *resp_len, rn_error *err)
{
    fake_net *f = ctx;
    assert_non_null(strstr(url, "/add-checkpoint"));
    f->calls++;
    if (!f->w) {
        snprintf(err->message, sizeof err->message, "connection refused");
        return RN_EIO;
    }
    rn_witness_answer a;
    rn_code rc = rn_witness_add_checkpoint(f->w, body, len, &a, NULL);
    assert_true((rc == RN_OK) == (a.status == 200));
    *status = f->last_status = a.status;
    assert_true(a.body_len <= cap);
    memcpy(resp, a.body, a.body_len);
    *resp_len = a.body_len;
    return RN_OK;
}

typedef struct seen {
    rn_witness_outcome last;
    char msg[1024];
} seen;

static void on_result(void *ctx, const rn_ledger_witness_result *r)
{
    seen *s = ctx;
    s->last = r->outcome;
    snprintf(s->msg, sizeof s->msg, "%s", r->message);
}

static void add_event(rn_store *s, const char *name)
{
    rn_record *r = rn_record_new(RN_T_EVENT);
    rn_error err;
    assert_non_null(r);
    assert_int_equal(rn_record_set(r, "name", name, strlen(name), &err), RN_OK);
    assert_int_equal(rn_store_put(s, r, RN_PUT_CREATE, &err), RN_OK);
    rn_record_free(r);
}

static void test_ask(void **state)
{
    (void)state;
    char db[400], vk[RN_LEDGER_VKEY_MAX], wv[RN_LEDGER_VKEY_MAX];
    rn_error err;
    rn_store *s = NULL;
    rn_ledger *l = NULL;
    snprintf(db, sizeof db, "%s/log.db", dir);
    assert_int_equal(rn_store_open(db, RN_STORE_CREATE, &s, &err), RN_OK);
    assert_int_equal(rn_ledger_open(db, 0, &l, &err), RN_OK);
    assert_int_equal(rn_ledger_key_create(l, vk, &err), RN_OK);
    snprintf(log_vkey, sizeof log_vkey, "%s", vk);
    rn_witness *w = open_witness("w2.example", wv);
    add_event(s, "one (invented)");
    add_event(s, "two (invented)");

    fake_net net = {w, 0, 0};
    seen sn;
    size_t cosigned = 0, asked = 0;
    /* no witnesses: nothing asked */
    assert_int_equal(rn_ledger_witness_ask(l, 0, fake_post, &net, on_result,
                                           &sn, &cosigned, &asked, &err), RN_OK);
    assert_int_equal(asked, 0);
    assert_int_equal(net.calls, 0);
    /* the table's rules */
    assert_int_equal(rn_ledger_witness_add(l, "w 2", "http://x", wv, &err),
                     RN_EINPUT);
    assert_int_equal(rn_ledger_witness_add(l, "w2", "file:///x", wv, &err),
                     RN_EINPUT);
    assert_int_equal(rn_ledger_witness_add(l, "w2", "http://x", vk, &err),
                     RN_EINPUT);
    assert_int_equal(rn_ledger_witness_quorum_set(l, 1, &err), RN_EINPUT);
    assert_int_equal(rn_ledger_witness_add(l, "w2", "http://w2.invalid/", wv,
                                           &err), RN_OK);
    assert_int_equal(rn_ledger_witness_quorum_set(l, 1, &err), RN_OK);
    unsigned q = 0;
    assert_int_equal(rn_ledger_witness_quorum_get(l, &q, &err), RN_OK);
    assert_int_equal(q, 1);

    /* Q1/Q4/Q5: cosigned, stored, the witness's size moves */
    assert_int_equal(rn_ledger_witness_ask(l, 0, fake_post, &net, on_result,
                                           &sn, &cosigned, &asked, &err), RN_OK);
    assert_int_equal(sn.last, RN_ASK_COSIGNED);
    assert_int_equal(cosigned, 1);
    char *note = NULL;
    size_t nl = 0;
    assert_int_equal(rn_ledger_checkpoint(l, 0, &note, &nl, &err), RN_OK);
    assert_non_null(strstr(note, "— w2.example "));
    rn_free(note);
    /* asked again: already on record, no request */
    int calls = net.calls;
    assert_int_equal(rn_ledger_witness_ask(l, 0, fake_post, &net, on_result,
                                           &sn, &cosigned, &asked, &err), RN_OK);
    assert_int_equal(sn.last, RN_ASK_HAD);
    assert_int_equal(net.calls, calls);

    /* unreachable: reported, nothing stored */
    add_event(s, "three (invented)");
    net.w = NULL;
    assert_int_equal(rn_ledger_witness_ask(l, 0, fake_post, &net, on_result,
                                           &sn, &cosigned, &asked, &err), RN_OK);
    assert_int_equal(sn.last, RN_ASK_UNREACHABLE);
    assert_int_equal(cosigned, 0);
    assert_non_null(strstr(sn.msg, "connection refused"));

    /* Q2: the database forgot the witness's size (set back to 0): 409, then
     * one retry from the size the witness reports, cosigned */
    net.w = w;
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "UPDATE ledger_witness SET size = 0", NULL,
                                  NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    calls = net.calls;
    assert_int_equal(rn_ledger_witness_ask(l, 0, fake_post, &net, on_result,
                                           &sn, &cosigned, &asked, &err), RN_OK);
    assert_int_equal(sn.last, RN_ASK_COSIGNED);
    assert_int_equal(net.calls, calls + 2);

    /* ROLLBACK: the witness has more than this log: a second witness state
     * pushed ahead by another log of the same key would be a split view; a
     * log whose database says the witness cosigned beyond it is a rollback */
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "UPDATE ledger_witness SET size = 999",
                                  NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    add_event(s, "four (invented)");
    assert_int_equal(rn_ledger_witness_ask(l, 0, fake_post, &net, on_result,
                                           &sn, &cosigned, &asked, &err), RN_OK);
    assert_int_equal(sn.last, RN_ASK_ROLLBACK);
    assert_non_null(strstr(sn.msg, "ROLLBACK"));

    rn_witness_close(w);
    rn_ledger_close(l);
    rn_store_close(s);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_accepts),
        cmocka_unit_test(test_parse_refuses),
        cmocka_unit_test(test_format_round_trip),
        cmocka_unit_test_setup_teardown(test_witness_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ask, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
