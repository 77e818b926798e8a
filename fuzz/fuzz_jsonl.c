/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_jsonl.c — libFuzzer target for the JSON record reader
 * (rn_record_from_json). Property: whatever it accepts, its canonical form
 * reads back, and the canonical form of that is the same bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remnant/model.h"

static void check(int ok, const char *what, const char *a, const char *b)
{
    if (ok)
        return;
    fprintf(stderr, "fuzz_jsonl: %s\n first:  %s\n second: %s\n", what, a ? a : "",
            b ? b : "");
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rn_record *r = NULL, *r2 = NULL;
    char *j1 = NULL, *j2 = NULL;
    size_t n1 = 0, n2 = 0;
    rn_error err;
    rn_error_clear(&err);
    if (rn_record_from_json((const char *)data, size, &r, &err) != RN_OK) {
        /* an error always says something */
        check(err.message[0] != '\0', "an error without a message", NULL, NULL);
        return 0;
    }
    check(rn_record_to_json(r, RN_JSON_CANONICAL, &j1, &n1) == RN_OK, "to_json failed", NULL,
          NULL);
    rn_error_clear(&err);
    rn_code rc = rn_record_from_json(j1, n1, &r2, &err);
    check(rc == RN_OK, "canonical JSON does not read back", j1, err.message);
    check(rn_record_to_json(r2, RN_JSON_CANONICAL, &j2, &n2) == RN_OK, "to_json failed", j1,
          NULL);
    check(n1 == n2 && memcmp(j1, j2, n1) == 0, "canonical form is not stable", j1, j2);
    /* the other forms serialize too */
    char *p = NULL;
    size_t pn;
    check(rn_record_to_json(r, RN_JSON_PUBLIC | RN_JSON_PRETTY, &p, &pn) == RN_OK,
          "public/pretty failed", j1, NULL);
    rn_free(p);
    rn_free(j1);
    rn_free(j2);
    rn_record_free(r);
    rn_record_free(r2);
    return 0;
}
