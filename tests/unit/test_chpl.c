/* SPDX-License-Identifier: Apache-2.0
 *
 * test_chpl.c — the Common High Priority List reference data
 * (data/sanctions/chpl.tsv): every line a six-digit HS code and one of the
 * list's tiers, each code once, the tier sizes of the BIS publication of
 * 2024-02-23 (1: 4, 2: 5, 3.A: 16, 3.B: 9, 4.A: 11, 4.B: 5; 50 codes), and
 * the header naming its source. Tier 1 is the four HS 8542.3x codes.
 * And the decoder's part classes (data/rules/tariff.rules): every `class`
 * rule's tier= is the tier chpl.tsv gives its hs= code, and a code the list
 * does not name has no tier=.
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

/* The tier chpl.tsv gives code (six digits), "" when not listed. */
static void chpl_tier(const char *code, char tier[4])
{
    FILE *f = fopen(RN_SRC_DATADIR "/sanctions/chpl.tsv", "r");
    assert_non_null(f);
    char line[512];
    tier[0] = '\0';
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] != '#' && strlen(line) > 7 && !strncmp(line, code, 6) && line[6] == '\t') {
            size_t k = strcspn(line + 7, "\t");
            k = k < 3 ? k : 3; /* the tier column: at most 3 characters kept */
            memcpy(tier, line + 7, k);
            tier[k] = '\0';
        }
    }
    fclose(f);
}

/* The value of key= on a rule line ("" when absent). */
static void key_of(const char *rule, const char *key, char *out, size_t cap)
{
    out[0] = '\0';
    size_t kl = strlen(key);
    for (const char *p = rule; (p = strstr(p, key)) != NULL; p += kl)
        if ((p == rule || p[-1] == ' ') && p[kl] == '=') {
            size_t n = strcspn(p + kl + 1, " ");
            snprintf(out, cap, "%.*s", (int)n, p + kl + 1);
            return;
        }
}

static void class_tiers(void **state)
{
    (void)state;
    FILE *f = fopen(RN_SRC_DATADIR "/rules/tariff.rules", "r");
    assert_non_null(f);
    char logical[4096] = "", line[1024];
    int classes = 0, listed = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        size_t n = strlen(line);
        int cont = n && line[n - 1] == '\\';
        if (cont)
            line[n - 1] = ' ';
        size_t have = strlen(logical);
        assert_true(have + n + 1 < sizeof logical);
        memcpy(logical + have, line, n + 1);
        if (cont)
            continue;
        if (!strncmp(logical, "class ", 6)) {
            char hs[16], tier[8], want[4];
            key_of(logical, "hs", hs, sizeof hs);
            key_of(logical, "tier", tier, sizeof tier);
            assert_int_equal(strlen(hs), 6);
            chpl_tier(hs, want);
            if (strcmp(tier, want) != 0)
                fail_msg("tariff.rules: '%.60s...': hs=%s tier='%s', chpl.tsv says '%s'", logical,
                         hs, tier, want);
            classes++;
            listed += want[0] != '\0';
        }
        logical[0] = '\0';
    }
    fclose(f);
    assert_true(classes >= 10);
    assert_true(listed >= 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(chpl_shape),
                                       cmocka_unit_test(class_tiers)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
