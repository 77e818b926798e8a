/* SPDX-License-Identifier: Apache-2.0
 *
 * test_chpl.c — the Common High Priority List reference data
 * (data/sanctions/chpl.tsv): every line a six-digit HS code and one of the
 * list's tiers, each code once, the tier sizes of the BIS publication of
 * 2024-02-23 (1: 4, 2: 5, 3.A: 16, 3.B: 9, 4.A: 11, 4.B: 5; 50 codes), and
 * the header naming its source. Tier 1 is the four HS 8542.3x codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static void chpl_shape(void **state)
{
    (void)state;
    FILE *f = fopen(RN_SRC_DATADIR "/sanctions/chpl.tsv", "r");
    assert_non_null(f);
    static const char *const tiers[] = {"1", "2", "3.A", "3.B", "4.A", "4.B"};
    static const int want[] = {4, 5, 16, 9, 11, 5};
    int count[6] = {0}, n = 0, sourced = 0;
    char codes[64][7];
    char line[512];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#') {
            sourced |= strstr(line, "https://www.bis.gov/") != NULL;
            continue;
        }
        if (!line[0])
            continue;
        char *tab = strchr(line, '\t');
        assert_non_null(tab);
        *tab = '\0';
        assert_int_equal(strlen(line), 6);
        for (int i = 0; i < 6; i++)
            assert_true(line[i] >= '0' && line[i] <= '9');
        int t = -1;
        for (int i = 0; i < 6; i++)
            if (!strcmp(tab + 1, tiers[i]))
                t = i;
        assert_true(t >= 0);
        if (t == 0)
            assert_memory_equal(line, "85423", 5);
        for (int i = 0; i < n; i++)
            assert_string_not_equal(codes[i], line);
        assert_true(n < 64);
        memcpy(codes[n++], line, 7);
        count[t]++;
    }
    fclose(f);
    assert_true(sourced);
    assert_int_equal(n, 50);
    for (int i = 0; i < 6; i++)
        assert_int_equal(count[i], want[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(chpl_shape)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
