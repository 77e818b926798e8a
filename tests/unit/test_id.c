/* SPDX-License-Identifier: Apache-2.0
 *
 * test_id.c — unit tests of lib/model/id.c: ULID encoding (known vectors
 * worked out from the ULID spec: 48-bit big-endian milliseconds then 80
 * random bits, 26 Crockford base32 characters, the first holding 3 bits),
 * validity, and the monotonic rule within one millisecond. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "remnant/model.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void make_known_vectors(void **state)
{
    (void)state;
    char out[RN_ID_LEN + 1];
    uint8_t zero[10] = {0}, ones[10], seq[10], last1[10] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    memset(ones, 0xff, sizeof ones);
    for (int i = 0; i < 10; i++)
        seq[i] = (uint8_t)i;

    rn_id_make(0, zero, out);
    assert_string_equal(out, "00000000000000000000000000");
    /* the largest ULID */
    rn_id_make((1ull << 48) - 1, ones, out);
    assert_string_equal(out, "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
    /* 1 ms: the lowest bit of the time part is bit 0 of character 10 */
    rn_id_make(1, zero, out);
    assert_string_equal(out, "00000000010000000000000000");
    /* the lowest random bit is the last character */
    rn_id_make(0, last1, out);
    assert_string_equal(out, "00000000000000000000000001");
    /* the spec's example time, 1469918176385 ms = "01ARYZ6S41"; randomness
     * 00 01 02 .. 09: groups 00000 00000 00000 10000 (G) ... */
    rn_id_make(1469918176385ull, seq, out);
    assert_string_equal(out, "01ARYZ6S41000G40R40M30E209");
    /* ms beyond 48 bits: only the low 48 bits are kept, never a 27th char */
    rn_id_make((1ull << 48) | 1u, zero, out);
    assert_int_equal(strlen(out), RN_ID_LEN);
    assert_string_equal(out, "00000000010000000000000000");
}

static void made_ids_sort_by_time(void **state)
{
    (void)state;
    uint8_t rnd[10];
    memset(rnd, 0xff, sizeof rnd);
    char a[RN_ID_LEN + 1], b[RN_ID_LEN + 1];
    uint8_t zero[10] = {0};
    for (uint64_t ms = 1; ms < (1ull << 48); ms = ms * 3 + 1) {
        rn_id_make(ms - 1, rnd, a);
        rn_id_make(ms, zero, b);
        if (strcmp(a, b) >= 0)
            fail_msg("id at %llu ms (%s) does not sort before %llu ms (%s)",
                     (unsigned long long)(ms - 1), a, (unsigned long long)ms, b);
        assert_true(rn_id_valid(a, RN_ID_LEN));
        assert_true(rn_id_valid(b, RN_ID_LEN));
    }
}

static void validity(void **state)
{
    (void)state;
    assert_true(rn_id_valid("01ARYZ6S41TSV4RRFFQ69G5FAV", 26));
    assert_true(rn_id_valid("7ZZZZZZZZZZZZZZZZZZZZZZZZZ", 26));
    assert_false(rn_id_valid("8ZZZZZZZZZZZZZZZZZZZZZZZZZ", 26)); /* > 128 bits */
    assert_false(rn_id_valid("01ARYZ6S41TSV4RRFFQ69G5FA", 25));
    assert_false(rn_id_valid("01ARYZ6S41TSV4RRFFQ69G5FAVX", 27));
    assert_false(rn_id_valid("01aryz6s41tsv4rrffq69g5fav", 26)); /* not canonical */
    assert_false(rn_id_valid("01ARYZ6S41TSV4RRFFQ69G5FAI", 26)); /* I, L, O, U are not used */
    assert_false(rn_id_valid("01ARYZ6S41TSV4RRFFQ69G5FAL", 26));
    assert_false(rn_id_valid("01ARYZ6S41TSV4RRFFQ69G5FAO", 26));
    assert_false(rn_id_valid("01ARYZ6S41TSV4RRFFQ69G5FAU", 26));
    assert_false(rn_id_valid("01ARYZ6S41TSV4RRFFQ69G5FA-", 26));
    assert_false(rn_id_valid("01ARYZ6S41TSV4RR\0FQ69G5FAV", 26));
    assert_false(rn_id_valid("", 0));
    /* every character of the alphabet is accepted in every later place */
    char id[RN_ID_LEN + 1] = "00000000000000000000000000";
    for (int pos = 1; pos < RN_ID_LEN; pos++)
        for (int k = 0; k < 32; k++) {
            id[pos] = crockford[k];
            assert_true(rn_id_valid(id, RN_ID_LEN));
            id[pos] = '0';
        }
}

static int decode(char ch)
{
    const char *p = strchr(crockford, ch);
    return p ? (int)(p - crockford) : -1;
}

/* The random part as a number, for the 16 low characters (80 bits) split
 * into two halves of 40 bits. */
static void random_part(const char *id, uint64_t *hi, uint64_t *lo)
{
    *hi = *lo = 0;
    for (int i = 10; i < 18; i++)
        *hi = (*hi << 5) | (uint64_t)decode(id[i]);
    for (int i = 18; i < 26; i++)
        *lo = (*lo << 5) | (uint64_t)decode(id[i]);
}

/* Ids from one process strictly increase; two in the same millisecond
 * differ by exactly one in the random part (ULID monotonic rule). */
static void new_ids_are_monotonic(void **state)
{
    (void)state;
    enum { N = 20000 };
    char prev[RN_ID_LEN + 1] = "";
    for (int i = 0; i < N; i++) {
        char id[RN_ID_LEN + 1];
        assert_int_equal(rn_id_new(id), RN_OK);
        assert_int_equal(strlen(id), RN_ID_LEN);
        if (!rn_id_valid(id, RN_ID_LEN))
            fail_msg("rn_id_new made an invalid id: %s", id);
        if (i > 0) {
            if (strcmp(prev, id) >= 0)
                fail_msg("id %s does not follow %s", id, prev);
            if (memcmp(prev, id, 10) == 0) {
                uint64_t ph, pl, h, l;
                random_part(prev, &ph, &pl);
                random_part(id, &h, &l);
                int plus_one = (h == ph && l == pl + 1) ||
                               (h == ph + 1 && l == 0 && pl == (1ull << 40) - 1);
                if (!plus_one)
                    fail_msg("same millisecond but %s is not %s + 1", id, prev);
            }
        }
        memcpy(prev, id, sizeof prev);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(make_known_vectors),
        cmocka_unit_test(made_ids_sort_by_time),
        cmocka_unit_test(validity),
        cmocka_unit_test(new_ids_are_monotonic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
