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

/* Format 2: digests in the entry, values in disclosures (disclose.c D1-D4). */
static void test_entry_v2_disclose(void **state)
{
    (void)state;
    static const char salt1[] = "00112233445566778899aabbccddeeff";
    static const char salt2[] = "ffeeddccbbaa99887766554433221100";
    static const char salt3[] = "0123456789abcdef0123456789abcdef";
    char d1[200], d2[200], d3[200];
    size_t l1 = rn__disclosure_format(salt1, "_author", 7, "\"alice\"", 7, d1, sizeof d1);
    size_t l2 = rn__disclosure_format(salt2, "lat", 3, "49.987654", 9, d2, sizeof d2);
    size_t l3 = rn__disclosure_format(salt3, "name", 4, "\"Kharkiv\"", 9, d3, sizeof d3);
    assert_true(l1 && l2 && l3);
    rn_disclosure x[3];
    assert_int_equal(rn__disclosure_parse(d1, l1, &x[0]), RN_OK);
    assert_int_equal(rn__disclosure_parse(d2, l2, &x[1]), RN_OK);
    assert_int_equal(rn__disclosure_parse(d3, l3, &x[2]), RN_OK);
    char hex[3][65];
    for (int i = 0; i < 3; i++)
        rn__hex_encode(x[i].digest, 32, hex[i]);
    /* digests sorted */
    const char *h[3] = {hex[0], hex[1], hex[2]};
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            if (strcmp(h[i], h[j]) > 0) {
                const char *t = h[i];
                h[i] = h[j];
                h[j] = t;
            }
    char ent[1024];
    snprintf(ent, sizeof ent,
             "{\"digests\":[\"%s\",\"%s\",\"%s\"],\"id\":\"01ARZ3NDEKTSV4RRFFQ69G5FAV\","
             "\"op\":\"create\",\"prev\":null,\"seq\":3,\"time\":\"2026-11-29T02:49:35.123Z\","
             "\"type\":\"event\",\"v\":2}", h[0], h[1], h[2]);
    rn_entry e;
    assert_int_equal(rn__entry_parse(ent, strlen(ent), &e), RN_OK);
    assert_int_equal(e.version, 2);
    assert_int_equal(e.ndigests, 3);
    assert_null(e.record);
    char all[700], buf[2048];
    snprintf(all, sizeof all, "%.*s\n%.*s\n%.*s", (int)l1, d1, (int)l2, d2, (int)l3, d3);
    assert_int_equal(rn__entry_disclose(&e, all, strlen(all), 1, buf, sizeof buf), RN_OK);
    assert_int_equal(e.disclosed, 3);
    assert_int_equal(e.author_len, 5);
    assert_memory_equal(e.author, "alice", 5);
    const char *want = "{\"id\":\"01ARZ3NDEKTSV4RRFFQ69G5FAV\",\"lat\":49.987654,"
                       "\"name\":\"Kharkiv\",\"type\":\"event\"}";
    assert_int_equal(e.record_len, strlen(want));
    assert_memory_equal(e.record, want, e.record_len);
    /* a subset: only the name; not enough for a full opening */
    assert_int_equal(rn__entry_parse(ent, strlen(ent), &e), RN_OK);
    assert_int_equal(rn__entry_disclose(&e, d3, l3, 0, buf, sizeof buf), RN_OK);
    assert_null(e.author);
    assert_int_equal(e.disclosed, 1);
    assert_int_equal(rn__entry_disclose(&e, d3, l3, 1, buf, sizeof buf), RN_ECRYPTO);
    /* a changed value matches no digest */
    char changed[200];
    memcpy(changed, d2, l2);
    changed[l2 - 2] = '5';
    assert_int_equal(rn__entry_disclose(&e, changed, l2, 0, buf, sizeof buf), RN_ECRYPTO);
    /* out of name order, twice the same, a trailing newline: malformed */
    char twice[500];
    snprintf(twice, sizeof twice, "%.*s\n%.*s", (int)l3, d3, (int)l2, d2);
    assert_int_equal(rn__entry_disclose(&e, twice, strlen(twice), 0, buf, sizeof buf),
                     RN_EINPUT);
    snprintf(twice, sizeof twice, "%.*s\n%.*s", (int)l3, d3, (int)l3, d3);
    assert_int_not_equal(rn__entry_disclose(&e, twice, strlen(twice), 0, buf, sizeof buf),
                         RN_OK);
    snprintf(twice, sizeof twice, "%.*s\n", (int)l3, d3);
    assert_int_equal(rn__entry_disclose(&e, twice, strlen(twice), 0, buf, sizeof buf),
                     RN_EINPUT);
    /* bad entries: unsorted digests, missing v, upper-case digest */
    char bad[1024];
    snprintf(bad, sizeof bad,
             "{\"digests\":[\"%s\",\"%s\"],\"id\":\"X\",\"op\":\"create\",\"prev\":null,"
             "\"seq\":3,\"time\":\"2026-11-29T02:49:35.123Z\",\"type\":\"event\",\"v\":2}",
             h[1], h[0]);
    assert_int_not_equal(rn__entry_parse(bad, strlen(bad), &e), RN_OK);
    snprintf(bad, sizeof bad,
             "{\"digests\":[\"%s\"],\"id\":\"X\",\"op\":\"create\",\"prev\":null,"
             "\"seq\":3,\"time\":\"2026-11-29T02:49:35.123Z\",\"type\":\"event\"}", h[0]);
    assert_int_not_equal(rn__entry_parse(bad, strlen(bad), &e), RN_OK);
    /* each disclosure alone finds its digest, wherever it sorts (the
     * search by halves: first, middle, last) */
    const char *one[3] = {d1, d2, d3};
    size_t onel[3] = {l1, l2, l3};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(rn__entry_parse(ent, strlen(ent), &e), RN_OK);
        assert_int_equal(rn__entry_disclose(&e, one[i], onel[i], 0, buf, sizeof buf), RN_OK);
        assert_int_equal(e.disclosed, 1);
    }
    /* a digest that is not 64 lower-case hex digits in quotes, anywhere in
     * it (the one-pass check): upper case, a non-hex letter, an escape, one
     * digit short or long, the entry cut inside or right after it */
    size_t dstart = strlen("{\"digests\":[\""), elen = strlen(ent);
    for (size_t k = 0; k < 64; k += 21) {
        const char subst[] = {'A', 'g', '\\', '"'};
        for (size_t t = 0; t < sizeof subst; t++) {
            memcpy(bad, ent, elen + 1);
            bad[dstart + k] = subst[t];
            assert_int_not_equal(rn__entry_parse(bad, elen, &e), RN_OK);
        }
    }
    memcpy(bad, ent, elen + 1);
    memmove(bad + dstart + 63, bad + dstart + 64, elen - dstart - 63); /* 63 digits */
    assert_int_not_equal(rn__entry_parse(bad, elen - 1, &e), RN_OK);
    memcpy(bad, ent, dstart + 64);
    bad[dstart + 64] = '0'; /* 65 digits */
    memcpy(bad + dstart + 65, ent + dstart + 64, elen - dstart - 64 + 1);
    assert_int_not_equal(rn__entry_parse(bad, elen + 1, &e), RN_OK);
    for (size_t cut = dstart; cut <= dstart + 66; cut++)
        assert_int_not_equal(rn__entry_parse(ent, cut, &e), RN_OK);
    /* a salt with a character that is not lower-case hex */
    char ds[200];
    for (size_t k = 0; k < 32; k += 31) {
        memcpy(ds, d2, l2);
        ds[2 + k] = 'F';
        assert_int_not_equal(rn__disclosure_parse(ds, l2, &x[0]), RN_OK);
    }
    /* disclosures that are not: wrong salt length, "id" as a name */
    assert_int_not_equal(rn__disclosure_parse("[\"00\",\"name\",\"x\"]", 18, &x[0]), RN_OK);
    const char *idd = "[\"00112233445566778899aabbccddeeff\",\"id\",\"x\"]";
    assert_int_not_equal(rn__disclosure_parse(idd, strlen(idd), &x[0]), RN_OK);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_entry_v2_disclose),
        cmocka_unit_test(test_spec_example),
        cmocka_unit_test(test_entry_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
