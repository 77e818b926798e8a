/* SPDX-License-Identifier: Apache-2.0
 *
 * test_workflow.c — the review and trace-request rules at the root
 * (lib/store/lifecycle.c W1-W7), the acts that follow them
 * (lib/analysis/finding.c F1-F6, trace.c T1-T7) and a record's history from
 * the log (lib/ledger/history.c H1-H4), through the public API only: what
 * holds here holds for every face (CLI, API, import). Issue 11, points 6-9.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "remnant/analysis.h"
#include "remnant/ledger.h"
#include "remnant/store.h"

static char dir[256], db[300];

typedef struct fx {
    rn_store *s;
    char item[RN_ID_LEN + 1], entity[RN_ID_LEN + 1];
} fx;

static void put_new(rn_store *s, rn_record *r, char id[RN_ID_LEN + 1])
{
    rn_error err;
    rn_code rc = rn_store_put(s, r, RN_PUT_CREATE, &err);
    if (rc)
        fprintf(stderr, "put: %s\n", err.message);
    assert_int_equal(rc, RN_OK);
    if (id)
        memcpy(id, rn_record_id(r), RN_ID_LEN + 1);
}

static rn_record *mk(rn_type t, const char *const *kv)
{
    rn_record *r = rn_record_new(t);
    rn_error err;
    assert_non_null(r);
    for (int i = 0; kv[i]; i += 2) {
        rn_code rc = rn_record_set(r, kv[i], kv[i + 1], strlen(kv[i + 1]), &err);
        if (rc)
            fprintf(stderr, "set %s: %s\n", kv[i], err.message);
        assert_int_equal(rc, RN_OK);
    }
    return r;
}

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/rn_test_workflow_XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(db, sizeof db, "%s/w.db", dir);
    fx *f = calloc(1, sizeof *f);
    rn_error err;
    if (!f || rn_store_open(db, RN_STORE_CREATE, &f->s, &err))
        return -1;
    const char *it[] = {"kind", "weapon", "name", "cited", NULL};
    rn_record *r = mk(RN_T_ITEM, it);
    put_new(f->s, r, f->item);
    rn_record_free(r);
    const char *en[] = {"kind", "company", "name", "Acme", NULL};
    r = mk(RN_T_ENTITY, en);
    put_new(f->s, r, f->entity);
    rn_record_free(r);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    rn_store_close(f->s);
    free(f);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *field(rn_store *s, const char *id, const char *name, char *buf, size_t cap)
{
    rn_record *r = NULL;
    assert_int_equal(rn_store_get(s, id, &r, NULL), RN_OK);
    const char *v = rn_record_get(r, name, NULL);
    snprintf(buf, cap, "%s", v ? v : "");
    rn_record_free(r);
    return buf;
}

/* A draft finding by `author` citing the fixture's item. */
static void draft(fx *f, const char *author, char id[RN_ID_LEN + 1])
{
    const char *kv[] = {"statement", "made abroad", "evidence", f->item, "author", author, NULL};
    rn_record *r = mk(RN_T_FINDING, kv);
    assert_int_equal(rn_store_set_author(f->s, author), RN_OK);
    put_new(f->s, r, id);
    rn_record_free(r);
}

/* W2, point 6: a published finding is frozen for every plain write. */
static void published_is_frozen(void **state)
{
    fx *f = *state;
    rn_error err;
    char id[RN_ID_LEN + 1], buf[200];
    draft(f, "alice", id);
    assert_int_equal(rn_store_set_account(f->s, "bob"), RN_OK);
    assert_int_equal(rn_finding_review(f->s, id, &err), RN_OK);
    assert_int_equal(rn_finding_publish(f->s, id, &err), RN_OK);
    rn_record *r = NULL;
    assert_int_equal(rn_store_get(f->s, id, &r, &err), RN_OK);
    /* even an authenticated account (an admin's PATCH) cannot rewrite it */
    assert_int_equal(rn_record_set(r, "statement", "rewritten", 9, &err), RN_OK);
    assert_int_equal(rn_store_put(f->s, r, RN_PUT_REPLACE, &err), RN_ECONSTRAINT);
    assert_non_null(strstr(err.message, "revise"));
    assert_int_equal(rn_store_put(f->s, r, RN_PUT_UPSERT, &err), RN_ECONSTRAINT);
    /* nor relabel it as a draft */
    assert_int_equal(rn_record_set(r, "statement", "made abroad", 11, &err), RN_OK);
    assert_int_equal(rn_record_set(r, "status", "draft", 5, &err), RN_OK);
    assert_int_equal(rn_store_put(f->s, r, RN_PUT_REPLACE, &err), RN_ECONSTRAINT);
    rn_record_free(r);
    assert_int_equal(rn_store_delete(f->s, id, &err), RN_ECONSTRAINT);
    assert_string_equal(field(f->s, id, "status", buf, sizeof buf), "published");
    assert_string_equal(field(f->s, id, "reviewer", buf, sizeof buf), "bob");
    assert_string_equal(field(f->s, id, "statement", buf, sizeof buf), "made abroad");
}

/* W1: a plain write never changes a status, never sets a reviewer. */
static void plain_writes_move_no_status(void **state)
{
    fx *f = *state;
    rn_error err;
    char id[RN_ID_LEN + 1];
    const char *pub[] = {"statement", "s", "evidence", f->item, "author", "a", "reviewer", "b",
                         "status", "published", NULL};
    rn_record *r = mk(RN_T_FINDING, pub);
    assert_int_equal(rn_store_put(f->s, r, RN_PUT_CREATE, &err), RN_ECONSTRAINT);
    rn_record_free(r);
    draft(f, "alice", id);
    assert_int_equal(rn_store_get(f->s, id, &r, &err), RN_OK);
    assert_int_equal(rn_record_set(r, "reviewer", "bob", 3, &err), RN_OK);
    assert_int_equal(rn_store_put(f->s, r, RN_PUT_REPLACE, &err), RN_ECONSTRAINT);
    assert_int_equal(rn_record_set(r, "reviewer", NULL, 0, &err), RN_OK);
    assert_int_equal(rn_record_set(r, "status", "reviewed", 8, &err), RN_OK);
    assert_int_equal(rn_store_put(f->s, r, RN_PUT_REPLACE, &err), RN_ECONSTRAINT);
    assert_int_equal(rn_record_set(r, "status", "draft", 5, &err), RN_OK);
    assert_int_equal(rn_record_set(r, "statement", "better", 6, &err), RN_OK);
    assert_int_equal(rn_store_put(f->s, r, RN_PUT_REPLACE, &err), RN_OK); /* drafts change */
    /* W5: the author never changes */
    assert_int_equal(rn_record_set(r, "author", "mallory", 7, &err), RN_OK);
    assert_int_equal(rn_store_put(f->s, r, RN_PUT_REPLACE, &err), RN_ECONSTRAINT);
    rn_record_free(r);
    /* W5: a draft without an author may be given one, once */
    const char *anon[] = {"statement", "whose?", NULL};
    r = mk(RN_T_FINDING, anon);
    assert_int_equal(rn_store_set_author(f->s, ""), RN_OK);
    put_new(f->s, r, id);
    assert_int_equal(rn_record_set(r, "author", "erin", 4, &err), RN_OK);
    assert_int_equal(rn_store_put(f->s, r, RN_PUT_REPLACE, &err), RN_OK);
    assert_int_equal(rn_record_set(r, "author", "frank", 5, &err), RN_OK);
    assert_int_equal(rn_store_put(f->s, r, RN_PUT_REPLACE, &err), RN_ECONSTRAINT);
    rn_record_free(r);
    /* W1: under an account, a new finding's author is the account */
    const char *kv[] = {"statement", "mine", NULL};
    r = mk(RN_T_FINDING, kv);
    assert_int_equal(rn_store_set_account(f->s, "carol"), RN_OK);
    put_new(f->s, r, id);
    rn_record_free(r);
    char buf[64];
    assert_string_equal(field(f->s, id, "author", buf, sizeof buf), "carol");
    const char *other[] = {"statement", "not mine", "author", "dave", NULL};
    r = mk(RN_T_FINDING, other);
    assert_int_equal(rn_store_put(f->s, r, RN_PUT_CREATE, &err), RN_ECONSTRAINT);
    rn_record_free(r);
}

/* W3, F2, point 7: the acts need an account; the reviewer is it. */
static void review_needs_the_account(void **state)
{
    fx *f = *state;
    rn_error err;
    char id[RN_ID_LEN + 1], buf[64];
    draft(f, "alice", id);
    assert_int_equal(rn_store_set_author(f->s, "bob"), RN_OK); /* named, not authenticated */
    assert_int_equal(rn_finding_review(f->s, id, &err), RN_ECONSTRAINT);
    assert_non_null(strstr(err.message, "account"));
    assert_int_equal(rn_store_set_account(f->s, "alice"), RN_OK);
    assert_int_equal(rn_finding_review(f->s, id, &err), RN_ECONSTRAINT); /* her own */
    assert_string_equal(field(f->s, id, "status", buf, sizeof buf), ""); /* still a draft */
    /* F2: a co-author (a change of the finding in the log) does not review */
    rn_record *r = NULL;
    assert_int_equal(rn_store_get(f->s, id, &r, &err), RN_OK);
    assert_int_equal(rn_record_set(r, "notes", "tightened", 9, &err), RN_OK);
    assert_int_equal(rn_store_set_author(f->s, "dave"), RN_OK);
    assert_int_equal(rn_store_put(f->s, r, RN_PUT_REPLACE, &err), RN_OK);
    rn_record_free(r);
    assert_int_equal(rn_store_set_account(f->s, "dave"), RN_OK);
    assert_int_equal(rn_finding_review(f->s, id, &err), RN_ECONSTRAINT);
    assert_non_null(strstr(err.message, "history"));
    assert_int_equal(rn_store_set_account(f->s, "bob"), RN_OK);
    assert_int_equal(rn_finding_review(f->s, id, &err), RN_OK);
    assert_string_equal(field(f->s, id, "reviewer", buf, sizeof buf), "bob");
    assert_int_equal(rn_store_set_author(f->s, "bob"), RN_OK);
    assert_int_equal(rn_finding_publish(f->s, id, &err), RN_ECONSTRAINT);
    assert_int_equal(rn_store_set_account(f->s, "carol"), RN_OK);
    assert_int_equal(rn_finding_publish(f->s, id, &err), RN_OK);
}

/* F6, W2: revise and withdraw. */
static void revise_and_withdraw(void **state)
{
    fx *f = *state;
    rn_error err;
    char id[RN_ID_LEN + 1], nid[RN_ID_LEN + 1], buf[200];
    draft(f, "alice", id);
    assert_int_equal(rn_finding_revise(f->s, id, NULL, nid, &err), RN_ECONSTRAINT); /* a draft */
    assert_int_equal(rn_store_set_account(f->s, "bob"), RN_OK);
    assert_int_equal(rn_finding_withdraw(f->s, id, "no", &err), RN_ECONSTRAINT); /* a draft */
    assert_int_equal(rn_finding_review(f->s, id, &err), RN_OK);
    assert_int_equal(rn_finding_publish(f->s, id, &err), RN_OK);
    assert_int_equal(rn_store_set_author(f->s, "alice"), RN_OK);
    assert_int_equal(rn_finding_revise(f->s, id, "corrected", nid, &err), RN_OK);
    assert_string_equal(field(f->s, nid, "supersedes", buf, sizeof buf), id);
    assert_string_equal(field(f->s, nid, "status", buf, sizeof buf), "draft");
    assert_string_equal(field(f->s, nid, "statement", buf, sizeof buf), "corrected");
    assert_string_equal(field(f->s, id, "statement", buf, sizeof buf), "made abroad");
    /* W5: a draft is not superseded; supersedes never changes */
    rn_record *r = NULL;
    assert_int_equal(rn_store_get(f->s, nid, &r, &err), RN_OK);
    assert_int_equal(rn_record_set(r, "supersedes", NULL, 0, &err), RN_OK);
    assert_int_equal(rn_store_put(f->s, r, RN_PUT_REPLACE, &err), RN_ECONSTRAINT);
    rn_record_free(r);
    const char *kv[] = {"statement", "x", "supersedes", nid, NULL};
    r = mk(RN_T_FINDING, kv);
    assert_int_equal(rn_store_put(f->s, r, RN_PUT_CREATE, &err), RN_ECONSTRAINT);
    rn_record_free(r);
    /* explain names both versions */
    char *js = NULL;
    assert_int_equal(rn_finding_explain(f->s, id, &js, NULL, &err), RN_OK);
    json_t *o = json_loads(js, 0, NULL);
    rn_free(js);
    assert_string_equal(json_string_value(json_array_get(json_object_get(o, "superseded_by"), 0)),
                        nid);
    json_decref(o);
    /* F6: a reason, an account; then final */
    assert_int_equal(rn_store_set_account(f->s, "bob"), RN_OK);
    assert_int_equal(rn_finding_withdraw(f->s, id, "", &err), RN_EINPUT);
    assert_int_equal(rn_finding_withdraw(f->s, id, "misread date code", &err), RN_OK);
    assert_string_equal(field(f->s, id, "status", buf, sizeof buf), "withdrawn");
    assert_string_equal(field(f->s, id, "withdrawn_reason", buf, sizeof buf), "misread date code");
    assert_true(field(f->s, id, "withdrawn", buf, sizeof buf)[0] != '\0');
    assert_int_equal(rn_finding_withdraw(f->s, id, "again", &err), RN_ECONSTRAINT);
    assert_int_equal(rn_finding_publish(f->s, id, &err), RN_ECONSTRAINT);
    assert_int_equal(rn_store_delete(f->s, id, &err), RN_ECONSTRAINT);
    /* withdrawn_reason is public, authors and reviewers are not */
    size_t n;
    const rn_field *fl = rn_type_fields(RN_T_FINDING, &n);
    for (size_t i = 0; i < n; i++) {
        int sens = (fl[i].flags & RN_FIELD_SENSITIVE) != 0;
        if (!strcmp(fl[i].name, "withdrawn_reason") || !strcmp(fl[i].name, "supersedes"))
            assert_false(sens);
        if (!strcmp(fl[i].name, "author") || !strcmp(fl[i].name, "reviewer"))
            assert_true(sens);
    }
}

/* W6, W7, T1, T7, point 8. */
static void trace_lifecycle(void **state)
{
    fx *f = *state;
    rn_error err;
    char id[RN_ID_LEN + 1], buf[100];
    const char *answered[] = {"recipient", f->entity, "status", "answered", NULL};
    rn_record *r = mk(RN_T_TRACE, answered);
    assert_int_equal(rn_store_put(f->s, r, RN_PUT_CREATE, &err), RN_ECONSTRAINT);
    rn_record_free(r);
    const char *kv[] = {"recipient", f->entity, "question", "who?", NULL};
    r = mk(RN_T_TRACE, kv);
    put_new(f->s, r, id);
    rn_record_free(r);
    /* a plain write moves nothing */
    assert_int_equal(rn_store_get(f->s, id, &r, &err), RN_OK);
    assert_int_equal(rn_record_set(r, "status", "sent", 4, &err), RN_OK);
    assert_int_equal(rn_record_set(r, "sent", "2024-01-10", 10, &err), RN_OK);
    assert_int_equal(rn_store_put(f->s, r, RN_PUT_REPLACE, &err), RN_ECONSTRAINT);
    rn_record_free(r);
    assert_int_equal(rn_trace_move(f->s, id, RN_TRACE_CLOSED, "2024-01-09", NULL, NULL, &err),
                     RN_ECONSTRAINT);
    assert_int_equal(rn_trace_move(f->s, id, RN_TRACE_SENT, "2024-01-10", "2024-02-01", NULL,
                                   &err), RN_OK);
    assert_int_equal(rn_trace_move(f->s, id, RN_TRACE_ACKNOWLEDGED, "2024-01-12", NULL, NULL,
                                   &err), RN_OK);
    assert_string_equal(field(f->s, id, "acknowledged", buf, sizeof buf), "2024-01-12");
    /* T7: overdue only after the due date; no move before sending */
    assert_int_equal(rn_trace_move(f->s, id, RN_TRACE_OVERDUE, "2024-01-20", NULL, NULL, &err),
                     RN_ECONSTRAINT);
    assert_int_equal(rn_trace_move(f->s, id, RN_TRACE_OVERDUE, "2024-02-02", NULL, NULL, &err),
                     RN_OK);
    assert_string_equal(field(f->s, id, "overdue_since", buf, sizeof buf), "2024-02-02");
    assert_int_equal(rn_trace_move(f->s, id, RN_TRACE_REFUSED, "2023-01-01", NULL, NULL, &err),
                     RN_EINPUT);
    assert_int_equal(rn_trace_move(f->s, id, RN_TRACE_ANSWERED, "2024-02-10", NULL,
                                   "sold in 2022", &err), RN_OK);
    /* W6: the date of a move does not change by a plain write */
    assert_int_equal(rn_store_get(f->s, id, &r, &err), RN_OK);
    assert_int_equal(rn_record_set(r, "answered", "2024-03-01", 10, &err), RN_OK);
    assert_int_equal(rn_store_put(f->s, r, RN_PUT_REPLACE, &err), RN_ECONSTRAINT);
    /* W7: an answered request keeps its answer */
    assert_int_equal(rn_record_set(r, "answered", "2024-02-10", 10, &err), RN_OK);
    assert_int_equal(rn_record_set(r, "answer", NULL, 0, &err), RN_OK);
    assert_int_equal(rn_store_put(f->s, r, RN_PUT_REPLACE, &err), RN_ECONSTRAINT);
    rn_record_free(r);
    assert_int_equal(rn_trace_move(f->s, id, RN_TRACE_CLOSED, "2024-02-11", NULL, NULL, &err),
                     RN_OK);
    assert_string_equal(field(f->s, id, "closed", buf, sizeof buf), "2024-02-11");
    assert_string_equal(field(f->s, id, "sent", buf, sizeof buf), "2024-01-10");
    assert_int_equal(rn_trace_move(f->s, id, RN_TRACE_SENT, NULL, NULL, NULL, &err),
                     RN_ECONSTRAINT);
    assert_int_equal(rn_store_get(f->s, id, &r, &err), RN_OK);
    assert_int_equal(rn_record_set(r, "notes", "reopen", 6, &err), RN_OK);
    assert_int_equal(rn_store_put(f->s, r, RN_PUT_REPLACE, &err), RN_ECONSTRAINT);
    rn_record_free(r);
    /* the status names of the first version still read */
    rn_trace_status st;
    assert_int_equal(rn_trace_status_from_name("no-answer", &st), RN_OK);
    assert_int_equal(st, RN_TRACE_NO_ANSWER);
    assert_int_equal(rn_trace_status_from_name("closed", &st), RN_OK);
}

/* W4, W7: an import brings records in any state whose facts hold. */
static void import_checks_the_facts(void **state)
{
    fx *f = *state;
    char path[400];
    snprintf(path, sizeof path, "%s/i.jsonl", dir);
    static const char *const cases[][2] = {
        {"{\"type\":\"trace\",\"recipient\":\"%s\",\"status\":\"answered\",\"sent\":\"2024-01-01\","
         "\"answered\":\"2024-02-01\"}", "0"},
        {"{\"type\":\"trace\",\"recipient\":\"%s\",\"status\":\"answered\",\"sent\":\"2024-01-01\","
         "\"answered\":\"2024-02-01\",\"answer\":\"sold\"}", "1"},
        {"{\"type\":\"finding\",\"statement\":\"s\",\"evidence\":[\"%s\"],\"author\":\"a\","
         "\"reviewer\":\"a\",\"status\":\"published\"}", "0"},
        {"{\"type\":\"finding\",\"statement\":\"s\",\"evidence\":[\"%s\"],\"author\":\"a\","
         "\"status\":\"reviewed\"}", "0"},
        {"{\"type\":\"finding\",\"statement\":\"s\",\"evidence\":[\"%s\"],\"author\":\"a\","
         "\"reviewer\":\"b\",\"status\":\"published\"}", "1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        FILE *fp = fopen(path, "w");
        assert_non_null(fp);
        const char *ref = strstr(cases[i][0], "recipient") ? f->entity : f->item;
        fprintf(fp, cases[i][0], ref);
        fputc('\n', fp);
        fclose(fp);
        rn_import_stats st;
        rn_error err;
        memset(&st, 0, sizeof st);
        rn_code rc = rn_import_file(f->s, path, NULL, &st, &err);
        if ((rc == RN_OK) != (cases[i][1][0] == '1'))
            fprintf(stderr, "case %zu: %s\n", i, rc ? err.message : "accepted");
        assert_int_equal(rc == RN_OK, cases[i][1][0] == '1');
    }
}

/* H1-H4, point 9. */
static void history_from_the_log(void **state)
{
    fx *f = *state;
    rn_error err;
    char id[RN_ID_LEN + 1];
    const char *kv[] = {"kind", "remnant", "name", "one", NULL};
    assert_int_equal(rn_store_set_author(f->s, "alice"), RN_OK);
    rn_record *r = mk(RN_T_ITEM, kv);
    put_new(f->s, r, id);
    assert_int_equal(rn_store_set_author(f->s, "bob \"the\" editor"), RN_OK);
    assert_int_equal(rn_record_set(r, "name", "two", 3, &err), RN_OK);
    assert_int_equal(rn_record_set(r, "produced", "2015-W07", 8, &err), RN_OK);
    assert_int_equal(rn_store_put(f->s, r, RN_PUT_REPLACE, &err), RN_OK);
    assert_int_equal(rn_store_put(f->s, r, RN_PUT_REPLACE, &err), RN_OK); /* no change */
    assert_int_equal(rn_store_delete(f->s, id, &err), RN_OK);
    rn_record_free(r);
    rn_ledger *l = NULL;
    assert_int_equal(rn_ledger_open(db, RN_LEDGER_READONLY, &l, &err), RN_OK);
    char *js = NULL;
    size_t len = 0;
    assert_int_equal(rn_ledger_history(l, id, &js, &len, &err), RN_OK);
    assert_int_equal(strlen(js), len);
    json_t *h = json_loads(js, 0, NULL);
    rn_free(js);
    assert_non_null(h);
    assert_string_equal(json_string_value(json_object_get(h, "type")), "item");
    json_t *ch = json_object_get(h, "changes");
    assert_int_equal(json_array_size(ch), 4); /* H1: one per entry */
    json_t *c0 = json_array_get(ch, 0), *c1 = json_array_get(ch, 1), *c2 = json_array_get(ch, 2),
           *c3 = json_array_get(ch, 3);
    assert_true(json_integer_value(json_object_get(c0, "seq")) <
                json_integer_value(json_object_get(c1, "seq")));
    assert_string_equal(json_string_value(json_object_get(c0, "author")), "alice"); /* H3 */
    assert_string_equal(json_string_value(json_object_get(c1, "author")), "bob \"the\" editor");
    assert_string_equal(json_string_value(json_object_get(c3, "op")), "delete");
    /* H2 */
    json_t *d1 = json_object_get(c1, "changed");
    assert_int_equal(json_object_size(d1), 2);
    assert_string_equal(json_string_value(json_object_get(json_object_get(d1, "name"), "from")),
                        "one");
    assert_true(json_is_null(json_object_get(json_object_get(d1, "produced"), "from")));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(d1, "produced"), "to"), "precision")),
                        "week");
    assert_int_equal(json_object_size(json_object_get(c2, "changed")), 0);
    json_t *d3 = json_object_get(c3, "changed");
    assert_int_equal(json_object_size(d3), 3);
    assert_true(json_is_null(json_object_get(json_object_get(d3, "kind"), "to")));
    json_decref(h);
    /* H4 */
    assert_int_equal(rn_ledger_history(l, "01J9WF00000000000000000000", &js, NULL, &err),
                     RN_ENOTFOUND);
    assert_null(js);
    rn_ledger_close(l);
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test_setup_teardown(published_is_frozen, setup, teardown),
        cmocka_unit_test_setup_teardown(plain_writes_move_no_status, setup, teardown),
        cmocka_unit_test_setup_teardown(review_needs_the_account, setup, teardown),
        cmocka_unit_test_setup_teardown(revise_and_withdraw, setup, teardown),
        cmocka_unit_test_setup_teardown(trace_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(import_checks_the_facts, setup, teardown),
        cmocka_unit_test_setup_teardown(history_from_the_log, setup, teardown),
    };
    return cmocka_run_group_tests(t, NULL, NULL);
}
