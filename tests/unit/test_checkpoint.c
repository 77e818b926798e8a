/* SPDX-License-Identifier: Apache-2.0
 *
 * test_checkpoint.c — lib/ledger/checkpoint.c and entry.c: the spec's
 * checkpoint examples and malformed bodies (tests/ledger/
 * checkpoint_vectors.txt), format/parse round trips, and the strict parser
 * of log entries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "ledger/tlog.h"

static void test_vectors(void **state)
{
    (void)state;
    FILE *f = fopen(RN_TEST_DATADIR "/ledger/checkpoint_vectors.txt", "r");
    assert_non_null(f);
    char line[2048];
    int nok = 0, nbad = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        line[strcspn(line, "\n")] = '\0';
        int want_ok = strncmp(line, "ok ", 3) == 0;
        assert_true(want_ok || strncmp(line, "bad ", 4) == 0);
        char *body = line + (want_ok ? 3 : 4);
        for (char *p = body; *p; p++)
            if (*p == '|')
                *p = '\n';
        rn_checkpoint c;
        rn_code rc = rn__checkpoint_parse(body, strlen(body), &c);
        if (want_ok) {
            assert_int_equal(rc, RN_OK);
            nok++;
            /* Round trip the three mandatory lines. */
            char out[RN_CHECKPOINT_MAX];
            size_t n = rn__checkpoint_format(c.origin, c.origin_len, c.size,
                                             c.root, out, sizeof out);
            assert_true(n > 0);
            assert_memory_equal(out, body, n);
        } else {
            assert_int_not_equal(rc, RN_OK);
            nbad++;
        }
    }
    fclose(f);
    assert_true(nok >= 3 && nbad >= 10);
}

static void test_spec_example(void **state)
{
    (void)state;
    const char *b = "example.com/behind-the-sofa\n20852163\n"
                    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    rn_checkpoint c;
    assert_int_equal(rn__checkpoint_parse(b, strlen(b), &c), RN_OK);
    assert_int_equal(c.size, 20852163);
    assert_int_equal(c.origin_len, 27);
    assert_int_equal(c.next, 0);
    const char *e = "o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n";
    rn_hash empty;
    rn__merkle_empty_root(empty);
    assert_int_equal(rn__checkpoint_parse(e, strlen(e), &c), RN_OK);
    assert_memory_equal(c.root, empty, 32);
    /* Caps. */
    char big[RN_CHECKPOINT_MAX + 10];
    memset(big, 'a', sizeof big);
    big[sizeof big - 1] = '\n';
    assert_int_equal(rn__checkpoint_parse(big, sizeof big, &c), RN_ELIMIT);
    char many[2048];
    size_t n = (size_t)snprintf(many, sizeof many, "%s", b);
    for (int i = 0; i < RN_CHECKPOINT_MAX_EXT + 1; i++)
        n += (size_t)snprintf(many + n, sizeof many - n, "x\n");
    assert_int_equal(rn__checkpoint_parse(many, n, &c), RN_ELIMIT);
}

static void test_entry_parse(void **state)
{
    (void)state;
    const char *ok =
        "{\"author\":\"a \\\"b\\\"\",\"id\":\"01ARZ3NDEKTSV4RRFFQ69G5FAV\","
        "\"op\":\"create\",\"prev\":null,\"record\":{\"id\":\"x\",\"n\":[1,{\"a\":\"}\"}]},"
        "\"seq\":12,\"time\":\"2026-11-29T02:49:35.123Z\",\"type\":\"event\"}";
    rn_entry e;
    assert_int_equal(rn__entry_parse(ok, strlen(ok), &e), RN_OK);
    assert_int_equal(e.op, 'c');
    assert_int_equal(e.seq, 12);
    assert_int_equal(e.has_prev, 0);
    assert_int_equal(e.record_len, strlen("{\"id\":\"x\",\"n\":[1,{\"a\":\"}\"}]}"));
    const char *del =
        "{\"author\":\"\",\"id\":\"X\",\"op\":\"delete\",\"prev\":\"0000000000000000"
        "000000000000000000000000000000000000000000000001\",\"record\":null,"
        "\"seq\":0,\"time\":\"2026-11-29T02:49:35.123Z\",\"type\":\"item\"}";
    assert_int_equal(rn__entry_parse(del, strlen(del), &e), RN_OK);
    assert_int_equal(e.has_prev, 1);
    assert_int_equal(e.prev[31], 1);
    const char *bad[] = {
        /* key order */
        "{\"id\":\"X\",\"author\":\"\",\"op\":\"delete\",\"prev\":null,\"record\":null,\"seq\":0,\"time\":\"2026-11-29T02:49:35.123Z\",\"type\":\"item\"}",
        /* whitespace */
        "{\"author\": \"\",\"id\":\"X\",\"op\":\"delete\",\"prev\":null,\"record\":null,\"seq\":0,\"time\":\"2026-11-29T02:49:35.123Z\",\"type\":\"item\"}",
        /* delete with a record */
        "{\"author\":\"\",\"id\":\"X\",\"op\":\"delete\",\"prev\":null,\"record\":{},\"seq\":0,\"time\":\"2026-11-29T02:49:35.123Z\",\"type\":\"item\"}",
        /* create without one */
        "{\"author\":\"\",\"id\":\"X\",\"op\":\"create\",\"prev\":null,\"record\":null,\"seq\":0,\"time\":\"2026-11-29T02:49:35.123Z\",\"type\":\"item\"}",
        /* leading zero */
        "{\"author\":\"\",\"id\":\"X\",\"op\":\"delete\",\"prev\":null,\"record\":null,\"seq\":01,\"time\":\"2026-11-29T02:49:35.123Z\",\"type\":\"item\"}",
        /* trailing bytes */
        "{\"author\":\"\",\"id\":\"X\",\"op\":\"delete\",\"prev\":null,\"record\":null,\"seq\":0,\"time\":\"2026-11-29T02:49:35.123Z\",\"type\":\"item\"} ",
        /* upper-case prev */
        "{\"author\":\"\",\"id\":\"X\",\"op\":\"delete\",\"prev\":\"000000000000000000000000000000000000000000000000000000000000000A\",\"record\":null,\"seq\":0,\"time\":\"2026-11-29T02:49:35.123Z\",\"type\":\"item\"}",
        /* unknown op */
        "{\"author\":\"\",\"id\":\"X\",\"op\":\"remove\",\"prev\":null,\"record\":null,\"seq\":0,\"time\":\"2026-11-29T02:49:35.123Z\",\"type\":\"item\"}",
        /* unterminated record */
        "{\"author\":\"\",\"id\":\"X\",\"op\":\"create\",\"prev\":null,\"record\":{\"a\":\"}\",\"seq\":0,\"time\":\"2026-11-29T02:49:35.123Z\",\"type\":\"item\"}",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_not_equal(rn__entry_parse(bad[i], strlen(bad[i]), &e), RN_OK);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_spec_example),
        cmocka_unit_test(test_entry_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
