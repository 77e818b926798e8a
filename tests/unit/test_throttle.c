/* SPDX-License-Identifier: Apache-2.0
 *
 * test_throttle.c — src/server/throttle.c without the server: the login
 * lock's thresholds per address and per account, attempts while locked not
 * counted, the exemption of an address that logged in before, success
 * clearing failures, the search bucket, and a flood of keys that stays in
 * the fixed table (issue 15 points 16 and 17). Includes throttle.c; the
 * server's configuration and log are stubs here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../../src/server/throttle.c"

srv_config srv_cfg;
static int nlog;
void srv_log(const char *fmt, ...) { (void)fmt; nlog++; }
void srv_log_escape(char *out, size_t cap, const char *s) { snprintf(out, cap, "%s", s); }

static void setup_cfg(void)
{
    memset(&srv_cfg, 0, sizeof srv_cfg);
    srv_cfg.login_lock_min_s = 60;
    srv_cfg.login_lock_max_s = 600;
    srv_cfg.search_rate = 3;
    srv_throttle_reset();
    nlog = 0;
}

static void address_lock_after_five(void **state)
{
    (void)state;
    setup_cfg();
    unsigned r = 0;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(srv_login_check("10.0.0.1", "nobody", &r), 0);
        srv_login_result("10.0.0.1", "nobody", 0);
    }
    assert_int_equal(nlog, 0);
    assert_int_equal(srv_login_check("10.0.0.1", "nobody", &r), 0);
    srv_login_result("10.0.0.1", "nobody", 0); /* the 6th: locked */
    assert_int_equal(nlog, 1);
    assert_int_equal(srv_login_check("10.0.0.1", "alice", &r), 1);
    assert_true(r >= 59 && r <= 60);
    /* another address is not locked */
    assert_int_equal(srv_login_check("10.0.0.2", "alice", &r), 0);
}

static void account_lock_and_known_address(void **state)
{
    (void)state;
    setup_cfg();
    unsigned r = 0;
    srv_login_result("10.0.0.9", "alice", 1); /* alice's own address */
    char a[32];
    for (int i = 0; i < 11; i++) { /* 11 failures from 11 addresses */
        snprintf(a, sizeof a, "10.1.0.%d", i);
        srv_login_result(a, "alice", 0);
    }
    assert_int_equal(nlog, 1); /* the account lock, logged */
    assert_int_equal(srv_login_check("10.2.0.1", "alice", &r), 1);
    assert_int_equal(srv_login_check("10.0.0.9", "alice", &r), 0); /* known: not locked out */
    assert_int_equal(srv_login_check("10.2.0.1", "bob", &r), 0);
    srv_login_result("10.0.0.9", "alice", 1); /* her success clears the account */
    assert_int_equal(srv_login_check("10.2.0.1", "alice", &r), 0);
}

static void locked_attempts_are_not_counted(void **state)
{
    (void)state;
    setup_cfg();
    unsigned r1 = 0, r2 = 0;
    for (int i = 0; i < 6; i++)
        srv_login_result("10.0.0.3", "x", 0);
    assert_int_equal(srv_login_check("10.0.0.3", "x", &r1), 1);
    /* the server answers 429 without calling srv_login_result: the lock
     * stays as it was, however often it is asked */
    for (int i = 0; i < 100; i++)
        assert_int_equal(srv_login_check("10.0.0.3", "x", &r2), 1);
    assert_true(r2 <= r1);
    /* backoff: the next failure after a lock doubles it, up to the max */
    srv_login_result("10.0.0.3", "x", 0);
    assert_int_equal(srv_login_check("10.0.0.3", "x", &r2), 1);
    assert_true(r2 > 60 && r2 <= 120);
    for (int i = 0; i < 40; i++)
        srv_login_result("10.0.0.3", "x", 0);
    assert_int_equal(srv_login_check("10.0.0.3", "x", &r2), 1);
    assert_true(r2 <= 600);
}

static void search_bucket(void **state)
{
    (void)state;
    setup_cfg();
    unsigned r = 0;
    for (int i = 0; i < 3; i++)
        assert_int_equal(srv_search_take("10.0.0.4", &r), 0);
    assert_int_equal(srv_search_take("10.0.0.4", &r), 1);
    assert_true(r >= 1 && r <= 21); /* 3 per minute: one every 20 s */
    assert_int_equal(srv_search_take("10.0.0.5", &r), 0);
}

static void flood_stays_bounded(void **state)
{
    (void)state;
    setup_cfg();
    char a[64], n[64];
    unsigned r;
    for (int i = 0; i < 3 * SLOTS; i++) {
        snprintf(a, sizeof a, "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
        snprintf(n, sizeof n, "user%d", i);
        srv_login_result(a, n, 0);
        (void)srv_search_take(a, &r);
    }
    /* the table is fixed: old entries were evicted, a fresh one still works */
    assert_int_equal(srv_login_check("192.0.2.1", "fresh", &r), 0);
    srv_login_result("192.0.2.1", "fresh", 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(address_lock_after_five),
        cmocka_unit_test(account_lock_and_known_address),
        cmocka_unit_test(locked_attempts_are_not_counted),
        cmocka_unit_test(search_bucket),
        cmocka_unit_test(flood_stays_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
