/* SPDX-License-Identifier: Apache-2.0
 *
 * test_sync_files.c — files in transfer (lib/sync/files.c F1..F5): the
 * staging area keeps a cut file's bytes, resumes at them, never shows a file
 * as stored before it is whole and hashes to its name, refuses other bytes
 * (nothing stored), refuses bytes past the stated size, and locks a file to
 * one transfer; the HTTP byte-range parsers accept only the forms they
 * state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "remnant/store.h"
#include "remnant/sync.h"
#include "sync/sync_int.h"

/* SHA-256("hello\n") */
#define Z64 "0000000000000000000000000000000000000000000000000000000000000000"
#define SHA_HELLO "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"

typedef struct fx {
    char dir[64], db[128];
    rn_store *s;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    rn_error err;
    snprintf(f->dir, sizeof f->dir, "/tmp/rn_sync_files.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->db, sizeof f->db, "%s/x.db", f->dir);
    if (rn_store_open(f->db, RN_STORE_CREATE, &f->s, &err) != RN_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    char cmd[200];
    rn_store_close(f->s);
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static int stored(fx *f, const char *sha)
{
    char path[4400];
    struct stat st;
    return rn_store_blob_path(f->s, sha, path, sizeof path) == RN_OK && stat(path, &st) == 0;
}

/* F2, F3: a cut transfer resumes at its bytes; whole and right: stored. */
static void test_resume(void **state)
{
    fx *f = *state;
    rn_error err;
    rn_sync_stage *g = NULL;
    uint64_t have = 9;
    int ok = 0;
    assert_int_equal(rn_sync_stage_open(f->s, SHA_HELLO, 6, &g, &have, &err), RN_OK);
    assert_int_equal(have, 0);
    assert_int_equal(rn_sync_stage_write(g, "hel", 3, &err), RN_OK);
    assert_int_equal(rn_sync_stage_finish(g, &ok, &err), RN_OK);
    assert_int_equal(ok, 0); /* not whole: kept, not stored */
    assert_false(stored(f, SHA_HELLO));
    rn_sync_stage_close(g);
    int st = 1;
    assert_int_equal(rn_sync_stage_peek(f->s, SHA_HELLO, 6, &have, &st, &err), RN_OK);
    assert_int_equal(have, 3);
    assert_int_equal(st, 0);
    /* the next transfer starts at byte 3 */
    assert_int_equal(rn_sync_stage_open(f->s, SHA_HELLO, 6, &g, &have, &err), RN_OK);
    assert_int_equal(have, 3);
    /* F2: more than the size is refused whole */
    assert_int_equal(rn_sync_stage_write(g, "lo\nXX", 5, &err), RN_ELIMIT);
    assert_int_equal(rn_sync_stage_have(g), 3);
    assert_int_equal(rn_sync_stage_write(g, "lo\n", 3, &err), RN_OK);
    assert_int_equal(rn_sync_stage_finish(g, &ok, &err), RN_OK);
    assert_int_equal(ok, 1);
    assert_true(stored(f, SHA_HELLO));
    rn_sync_stage_close(g);
    /* stored: nothing to receive */
    assert_int_equal(rn_sync_stage_open(f->s, SHA_HELLO, 6, &g, &have, &err), RN_OK);
    assert_int_equal(have, 6);
    assert_int_equal(rn_sync_stage_fd(g), -1);
    rn_sync_stage_close(g);
    assert_int_equal(rn_sync_stage_peek(f->s, SHA_HELLO, 6, &have, &st, &err), RN_OK);
    assert_int_equal(have, 6);
    assert_int_equal(st, 1);
    /* a look creates nothing */
    char part[300];
    struct stat sb;
    snprintf(part, sizeof part, "%s.blobs/.staging/%064d-9.part", f->db, 0);
    assert_int_equal(rn_sync_stage_peek(f->s, Z64, 9, &have, &st, &err), RN_OK);
    assert_int_equal(have, 0);
    assert_int_not_equal(stat(part, &sb), 0);
}

/* F3: whole but other bytes: refused, nothing stored, staging removed. */
static void test_wrong_hash(void **state)
{
    fx *f = *state;
    rn_error err;
    rn_sync_stage *g = NULL;
    uint64_t have = 0;
    int ok = 1;
    assert_int_equal(rn_sync_stage_open(f->s, SHA_HELLO, 6, &g, &have, &err), RN_OK);
    assert_int_equal(rn_sync_stage_write(g, "HELLO\n", 6, &err), RN_OK);
    assert_int_equal(rn_sync_stage_finish(g, &ok, &err), RN_ECRYPTO);
    assert_int_equal(ok, 0);
    assert_non_null(strstr(err.message, "REFUSED"));
    assert_non_null(strstr(err.message, "nothing stored"));
    rn_sync_stage_close(g);
    assert_false(stored(f, SHA_HELLO));
    assert_int_equal(rn_sync_stage_open(f->s, SHA_HELLO, 6, &g, &have, &err), RN_OK);
    assert_int_equal(have, 0); /* the wrong bytes are gone */
    rn_sync_stage_close(g);
}

/* F1, F4: names and sizes checked; one transfer at a time. */
static void test_checks(void **state)
{
    fx *f = *state;
    rn_error err;
    rn_sync_stage *g = NULL, *g2 = NULL;
    uint64_t have = 0;
    assert_int_equal(rn_sync_stage_open(f->s, "../../etc/passwd", 6, &g, &have, &err),
                     RN_EINPUT);
    assert_int_equal(rn_sync_stage_open(f->s, SHA_HELLO "0", 6, &g, &have, &err), RN_EINPUT);
    assert_int_equal(rn_sync_stage_open(f->s, SHA_HELLO, (1ull << 32) + 1, &g, &have, &err),
                     RN_EINPUT);
    assert_int_equal(rn_sync_stage_open(f->s, SHA_HELLO, 6, &g, &have, &err), RN_OK);
    assert_int_equal(rn_sync_stage_open(f->s, SHA_HELLO, 6, &g2, &have, &err), RN_EBUSY);
    assert_null(g2);
    rn_sync_stage_close(g);
    /* F5: only a file an attachment names is served */
    int fd = -1;
    uint64_t size = 0;
    assert_int_equal(rn_sync_file_open(f->s, SHA_HELLO, &fd, &size, &err), RN_ENOTFOUND);
    assert_int_equal(rn_sync_file_open(f->s, "x", &fd, &size, &err), RN_EINPUT);
}

static void test_ranges(void **state)
{
    (void)state;
    uint64_t a = 0, t = 0;
    assert_int_equal(rn_sync_range_parse("bytes=0-", 10, &a), 0);
    assert_int_equal(a, 0);
    assert_int_equal(rn_sync_range_parse("bytes=9-", 10, &a), 0);
    assert_int_equal(a, 9);
    assert_int_equal(rn_sync_range_parse("bytes=3-9", 10, &a), 0);
    assert_int_equal(a, 3);
    static const char *const bad[] = {"bytes=10-", "bytes=3-8", "bytes=-5", "bytes=03-",
                                      "bytes= 3-", "bytes=3-9,1-2", "bits=3-", "bytes=3",
                                      "bytes=99999999999999999999-", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(rn_sync_range_parse(bad[i], 10, &a), -1);
    assert_int_equal(rn_sync_content_range_parse("bytes 3-9/10", &a, &t), 0);
    assert_int_equal(a, 3);
    assert_int_equal(t, 10);
    static const char *const badc[] = {"bytes 3-8/10", "bytes 9-3/10", "bytes */10",
                                       "bytes 3-9/0", "bytes 3-9/10 ", "bytes=3-9/10"};
    for (size_t i = 0; i < sizeof badc / sizeof badc[0]; i++)
        assert_int_equal(rn_sync_content_range_parse(badc[i], &a, &t), -1);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_hash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checks, setup, teardown),
        cmocka_unit_test(test_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
