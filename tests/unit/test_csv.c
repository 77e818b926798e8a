/* SPDX-License-Identifier: Apache-2.0
 *
 * test_csv.c — unit tests of lib/store/csv.c, the RFC 4180 record reader:
 * quoting, "" escapes, fields over several lines with the line count kept,
 * CRLF, column limits and the malformed cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "store/csv.h"

/* Read every record of text; each record rendered as its fields joined
 * with '|' and prefixed by "L<start line>:", records joined with '\n'. */
static rn_code read_all(const char *text, size_t n, size_t maxrec, size_t maxf, char *out,
                        size_t cap, rn_error *err)
{
    rn__csv *c = rn__csv_new(maxrec, maxf);
    assert_non_null(c);
    out[0] = '\0';
    size_t pos = 0;
    rn_code rc = RN_OK;
    while (pos < n) {
        size_t used = 0;
        long line = 0;
        rc = rn__csv_read(c, text + pos, n - pos, &used, &line, err);
        if (rc) {
            snprintf(out + strlen(out), cap - strlen(out), "%sERR@L%ld", out[0] ? "\n" : "",
                     line);
            break;
        }
        assert_true(used > 0 && used <= n - pos);
        pos += used;
        snprintf(out + strlen(out), cap - strlen(out), "%sL%ld:", out[0] ? "\n" : "", line);
        for (size_t i = 0; i < rn__csv_count(c); i++) {
            size_t len;
            const char *f = rn__csv_field(c, i, &len);
            if (i + 1 == rn__csv_count(c))
                assert_int_equal(f[len], '\0'); /* the record buffer is NUL-terminated */
            snprintf(out + strlen(out), cap - strlen(out), "%s%.*s", i ? "|" : "", (int)len, f);
        }
    }
    if (rc == RN_OK)
        snprintf(out + strlen(out), cap - strlen(out), "\nnext L%ld", rn__csv_line(c));
    rn__csv_free(c);
    return rc;
}

static void expect(const char *text, const char *want)
{
    char got[2048];
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = read_all(text, strlen(text), 4096, 16, got, sizeof got, &err);
    if (strcmp(got, want) != 0)
        fail_msg("CSV %s\n got  '%s'\n want '%s' (rc %d: %s)", text, got, want, rc, err.message);
}

static void expect_error(const char *text, size_t maxrec, size_t maxf, rn_code code,
                         const char *want, const char *msg_part)
{
    char got[2048];
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = read_all(text, strlen(text), maxrec, maxf, got, sizeof got, &err);
    if (rc != code || strcmp(got, want) != 0)
        fail_msg("CSV %s\n got  rc %d '%s'\n want rc %d '%s'", text, rc, got, code, want);
    if (!strstr(err.message, msg_part))
        fail_msg("CSV %s: message '%s' does not say '%s'", text, err.message, msg_part);
}

static void plain_fields(void **state)
{
    (void)state;
    expect("a,b,c\n1,2,3\n", "L1:a|b|c\nL2:1|2|3\nnext L3");
    expect("a,b,c", "L1:a|b|c\nnext L1");       /* no final newline */
    expect(",,\n", "L1:||\nnext L2");            /* empty fields */
    expect("a,\n", "L1:a|\nnext L2");
    expect("\n", "L1:\nnext L2");                /* a blank line: one empty field */
    expect(" a , b \n", "L1: a | b \nnext L2"); /* spaces are data */
    expect("x\n\ny\n", "L1:x\nL2:\nL3:y\nnext L4");
}

static void quoted_fields(void **state)
{
    (void)state;
    expect("\"a,b\",c\n", "L1:a,b|c\nnext L2");
    expect("\"he said \"\"hi\"\"\",x\n", "L1:he said \"hi\"|x\nnext L2");
    expect("\"\"\"\"\n", "L1:\"\nnext L2");
    expect("\"\",\"\"\n", "L1:|\nnext L2");
    expect("a,\"\"\n", "L1:a|\nnext L2");
    expect("\"a\"", "L1:a\nnext L1");
    expect("\"Ж, 2?15\",ok\n", "L1:Ж, 2?15|ok\nnext L2");
}

static void multi_line_fields_count_lines(void **state)
{
    (void)state;
    expect("\"line1\nline2\",x\nnext,y\n", "L1:line1\nline2|x\nL3:next|y\nnext L4");
    expect("a\n\"1\n2\n3\n\",b\nc\n", "L1:a\nL2:1\n2\n3\n|b\nL6:c\nnext L7");
    /* a quoted "" next to a line end inside a field */
    expect("\"x\"\"\ny\"\nz\n", "L1:x\"\ny\nL3:z\nnext L4");
}

static void crlf(void **state)
{
    (void)state;
    expect("a,b\r\nc,d\r\n", "L1:a|b\nL2:c|d\nnext L3");
    expect("\"a\r\nb\",c\r\nd\r\n", "L1:a\r\nb|c\nL3:d\nnext L4");
    expect("\"q\"\r\n", "L1:q\nnext L2");
    expect("a,\r\n", "L1:a|\nnext L2");
}

static void malformed(void **state)
{
    (void)state;
    expect_error("a,\"bc\n", 4096, 16, RN_EINPUT, "ERR@L1", "never closed");
    expect_error("ok\n\"open\nstill\nopen", 4096, 16, RN_EINPUT, "L1:ok\nERR@L2", "never closed");
    expect_error("\"a\"b,c\n", 4096, 16, RN_EINPUT, "ERR@L1", "after a closing quote");
    expect_error("a\"b,c\n", 4096, 16, RN_EINPUT, "ERR@L1", "inside an unquoted field");
    expect_error("ok\nx,y,z,w\n", 4096, 3, RN_ELIMIT, "L1:ok\nERR@L2", "columns");
    expect_error("abcdefghij,klmnop\n", 8, 16, RN_ELIMIT, "ERR@L1", "too long");
    expect_error("\"abcdefghijklmnop\"\n", 8, 16, RN_ELIMIT, "ERR@L1", "too long");
    /* exactly at the column limit is fine */
    char got[256];
    rn_error err;
    assert_int_equal(read_all("x,y,z\n", 6, 4096, 3, got, sizeof got, &err), RN_OK);
    assert_string_equal(got, "L1:x|y|z\nnext L2");
}

/* The reader is reusable: after an error in one buffer, a fresh reader
 * and the same data give the same result (no hidden state). */
static void no_state_between_readers(void **state)
{
    (void)state;
    char a[512], b[512];
    rn_error err;
    const char *text = "h1,h2\n\"v\n1\",v2\n";
    assert_int_equal(read_all(text, strlen(text), 4096, 16, a, sizeof a, &err), RN_OK);
    assert_int_equal(read_all(text, strlen(text), 4096, 16, b, sizeof b, &err), RN_OK);
    assert_string_equal(a, b);
    /* only n bytes are read, even if more follow */
    assert_int_equal(read_all("a,b\nc,d\n", 4, 4096, 16, a, sizeof a, &err), RN_OK);
    assert_string_equal(a, "L1:a|b\nnext L2");
}

/* A bare CR ends a record (as the reader treats it); then the next record
 * starts on a later line, or else errors name the wrong line. Found by
 * fuzz_csv (fuzz/corpus/fuzz_csv/regress-bare-cr-*). */
static void bare_cr_counts_as_a_line(void **state)
{
    (void)state;
    char got[256];
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = read_all("a\r,\nb\n", 6, 4096, 16, got, sizeof got, &err);
    if (rc == RN_OK && strcmp(got, "L1:a\nL2:|\nL3:b\nnext L4") != 0)
        fail_msg("records after a bare CR: '%s'", got);
}

/* Issue 15 point 20: ';'-separated files (spreadsheets where the decimal
 * mark is a comma) are told from the header line and read with ';'. */
static void semicolon_separator(void **state)
{
    (void)state;
    assert_int_equal(rn__csv_sniff("type;name;notes\nevent;a,b;c", 27), ';');
    assert_int_equal(rn__csv_sniff("type,name,notes\nevent;a;b;c;d", 30), ',');
    assert_int_equal(rn__csv_sniff("\"a;b;c\",d\n", 10), ',');    /* quoted ';' do not count */
    assert_int_equal(rn__csv_sniff("type;\"x,y,z\"\n", 13), ';'); /* nor quoted ',' */
    assert_int_equal(rn__csv_sniff("type\n", 5), ',');
    const char *t = "type;name\nevent;\"a; b, c\";x\n";
    rn__csv *c = rn__csv_new(4096, 16);
    assert_non_null(c);
    rn__csv_set_sep(c, rn__csv_sniff(t, strlen(t)));
    size_t used, pos = 0, n;
    long line;
    rn_error err;
    rn_error_clear(&err);
    assert_int_equal(rn__csv_read(c, t, strlen(t), &used, &line, &err), RN_OK);
    assert_int_equal(rn__csv_count(c), 2);
    pos += used;
    assert_int_equal(rn__csv_read(c, t + pos, strlen(t) - pos, &used, &line, &err), RN_OK);
    assert_int_equal(rn__csv_count(c), 3);
    const char *f = rn__csv_field(c, 1, &n);
    assert_int_equal(n, 7);
    assert_memory_equal(f, "a; b, c", 7);
    rn__csv_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_fields),
        cmocka_unit_test(quoted_fields),
        cmocka_unit_test(multi_line_fields_count_lines),
        cmocka_unit_test(crlf),
        cmocka_unit_test(malformed),
        cmocka_unit_test(no_state_between_readers),
        cmocka_unit_test(bare_cr_counts_as_a_line),
        cmocka_unit_test(semicolon_separator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
