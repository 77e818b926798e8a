/* SPDX-License-Identifier: Apache-2.0
 *
 * test_idset.c — unit tests of lib/store/idset.c, the ids an import
 * created or found last: an id held is held with its type and was added,
 * the latest are held, an id differing in one symbol (or in case) is not,
 * malformed ids are neither added nor found, and a cleared set is empty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "remnant/model.h"
#include "store/idset.h"

static const char sym[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* The i-th test id: a time part shared by many (as an import's are), then
 * i spread over the random part. */
static void id_of(unsigned i, char out[RN_ID_LEN + 1])
{
    memcpy(out, "01J45KS000", 10);
    for (int k = 10; k < RN_ID_LEN; k++) {
        out[k] = sym[(i >> ((k - 10) % 6 * 5)) & 31];
        i = i * 2654435761u + (unsigned)k;
    }
    out[RN_ID_LEN] = '\0';
}

/* Many more ids than slots: each one found is found with the type it was
 * added with and was added (no false answer), the latest ones are all
 * held, and an id added again takes its slot back. */
static void latest_held(void **state)
{
    (void)state;
    rn__idset *s = rn__idset_new();
    assert_non_null(s);
    char id[RN_ID_LEN + 1], other[RN_ID_LEN + 1];
    enum { N = 200000 };
    for (unsigned i = 0; i < N; i++) {
        id_of(i, id);
        assert_true(rn_id_valid(id, RN_ID_LEN));
        assert_int_equal(rn__idset_add(s, id, (int)(i % 7)), RN_OK);
        /* the one added just before is still held (two ids share a slot
         * only by chance) */
        if (i > 0) {
            id_of(i - 1, other);
            int t = rn__idset_find(s, other);
            assert_true(t == (int)((i - 1) % 7) || t == -1);
        }
        assert_int_equal(rn__idset_find(s, id), (int)(i % 7));
    }
    assert_true(rn__idset_count(s) <= RN_IDSET_SLOTS);
    assert_true(rn__idset_count(s) > RN_IDSET_SLOTS / 2);
    size_t held = 0, recent = 0;
    for (unsigned i = 0; i < N; i++) {
        id_of(i, id);
        int t = rn__idset_find(s, id);
        assert_true(t == -1 || t == (int)(i % 7));
        held += t >= 0;
        if (i >= N - 1000)
            recent += t >= 0;
        /* one symbol changed: an id never added is never held */
        id[RN_ID_LEN - 1] = id[RN_ID_LEN - 1] == 'Z' ? 'Y' : 'Z';
        assert_int_equal(rn__idset_find(s, id) >= 0, 0);
    }
    assert_int_equal(held, rn__idset_count(s));
    assert_true(recent > 980); /* of the last 1000, nearly all */
    /* added again: held again, with its new type */
    id_of(5, id);
    assert_int_equal(rn__idset_add(s, id, 3), RN_OK);
    assert_int_equal(rn__idset_find(s, id), 3);
    rn__idset_clear(s);
    assert_int_equal(rn__idset_count(s), 0);
    assert_int_equal(rn__idset_find(s, id), -1);
    rn__idset_free(s);
}

static void exact_text_only(void **state)
{
    (void)state;
    rn__idset *s = rn__idset_new();
    assert_non_null(s);
    const char *id = "01J45KS002RYX8ZHEBFYHJXRNV";
    assert_int_equal(rn__idset_find(s, id), -1); /* empty */
    assert_int_equal(rn__idset_add(s, id, 2), RN_OK);
    assert_int_equal(rn__idset_find(s, id), 2);
    /* the text SQLite compares: lower case is another string */
    assert_int_equal(rn__idset_find(s, "01j45ks002ryx8zhebfyhjxrnv"), -1);
    /* malformed: too short, too long, a symbol outside the alphabet, a
     * first symbol past '7' (more than 128 bits) */
    static const char *const bad[] = {"01J45KS002RYX8ZHEBFYHJXRN", "01J45KS002RYX8ZHEBFYHJXRNVV",
                                      "01J45KS002RYX8ZHEBFYHJXRNU", "81J45KS002RYX8ZHEBFYHJXRNV",
                                      ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(rn__idset_add(s, bad[i], 1), RN_EINVAL);
        assert_int_equal(rn__idset_find(s, bad[i]), -1);
    }
    assert_int_equal(rn__idset_add(s, id, -1), RN_EINVAL);
    assert_int_equal(rn__idset_count(s), 1);
    rn__idset_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(latest_held),
        cmocka_unit_test(exact_text_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
