/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_sql_checks.c — the CHECK-expression scanner (rn__sql_checks,
 * lib/ledger/schema_checks.c) that `remnant verify` runs over the CREATE
 * TABLE text of the database it examines. Checked: every expression it
 * reports lies inside the input, between a '(' and its ')'; the count it
 * returns is the number reported; and an expression scanned again inside
 * "CHECK (" ... ")" yields itself first. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger_int.h"

typedef struct span {
    const uint8_t *data;
    size_t size;
    int n;
    const char *first;
    size_t first_len;
} span;

static int seen(void *ctx, const char *expr, size_t len)
{
    span *s = ctx;
    const char *lo = (const char *)s->data, *hi = lo + s->size;
    if (expr <= lo || expr + len >= hi || expr[-1] != '(' || expr[len] != ')')
        abort();
    if (!s->n) {
        s->first = expr;
        s->first_len = len;
    }
    s->n++;
    return 0;
}

static int first(void *ctx, const char *expr, size_t len)
{
    span *s = ctx;
    if (len != s->first_len || memcmp(expr, s->first, len) != 0)
        abort();
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    span s = {data, size, 0, NULL, 0};
    int n = rn__sql_checks((const char *)data, size, seen, &s);
    if (n < 0)
        return 0;
    if (n != s.n)
        abort();
    if (!s.n || s.first_len > 4096)
        return 0;
    char again[4200];
    memcpy(again, "CHECK (", 7);
    memcpy(again + 7, s.first, s.first_len);
    again[7 + s.first_len] = ')';
    if (rn__sql_checks(again, s.first_len + 8, first, &s) < 1)
        abort();
    return 0;
}
