/* SPDX-License-Identifier: Apache-2.0
 *
 * test_record.c — unit tests of lib/model/record.c and json_read.c: field
 * validation and normalization for every field kind, the canonical and
 * public JSON forms (expected bytes written out), and the JSON record
 * reader's errors, each of which must name the field to blame. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "remnant/model.h"

#define ID1 "01ARYZ6S41TSV4RRFFQ69G5FAV"
#define ID2 "01HZZZZZZZZZZZZZZZZZZZZZZZ"

static rn_record *must_new(rn_type t)
{
    rn_record *r = rn_record_new(t);
    assert_non_null(r);
    return r;
}

static void set_ok(rn_record *r, const char *name, const char *v)
{
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_record_set(r, name, v, strlen(v), &err);
    if (rc != RN_OK)
        fail_msg("%s=%s: rc %d: %s", name, v, rc, err.message);
}

static void set_expect(rn_record *r, const char *name, const char *v, const char *want)
{
    set_ok(r, name, v);
    const char *got = rn_record_get(r, name, NULL);
    if (!got || strcmp(got, want) != 0)
        fail_msg("%s=%s normalized to '%s', expected '%s'", name, v, got ? got : "(unset)", want);
}

/* The value is refused with `code`, err names the field, and a value set
 * before stays as it was. */
static void set_bad(rn_record *r, const char *name, const char *v, size_t n, rn_code code)
{
    const char *before = rn_record_get(r, name, NULL);
    char *keep = before ? strdup(before) : NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_record_set(r, name, v, n, &err);
    if (rc != code)
        fail_msg("%s='%.*s': rc %d, expected %d", name, (int)n, v, rc, code);
    if (strcmp(err.field, name) != 0)
        fail_msg("%s='%.*s': err.field is '%s'", name, (int)n, v, err.field);
    if (err.message[0] == '\0')
        fail_msg("%s='%.*s': no message", name, (int)n, v);
    const char *after = rn_record_get(r, name, NULL);
    if ((keep == NULL) != (after == NULL) || (keep && strcmp(keep, after) != 0))
        fail_msg("%s: a refused value changed the field ('%s' -> '%s')", name,
                 keep ? keep : "(unset)", after ? after : "(unset)");
    free(keep);
}

static char *to_json(const rn_record *r, unsigned flags)
{
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(rn_record_to_json(r, flags, &out, &len), RN_OK);
    assert_non_null(out);
    assert_int_equal(strlen(out), len);
    return out;
}

/* ---- field kinds ----------------------------------------------------------- */

static void text_fields(void **state)
{
    (void)state;
    rn_record *r = must_new(RN_T_EVENT);
    set_expect(r, "name", "  Kharkiv strike ", "  Kharkiv strike "); /* text is kept as is */
    set_expect(r, "name", "Харків", "Харків");
    char big[501];
    memset(big, 'x', sizeof big);
    set_bad(r, "name", big, 501, RN_ELIMIT);
    set_ok(r, "name", "ok");
    assert_int_equal(rn_record_set(r, "name", big, 500, NULL), RN_OK);
    set_ok(r, "name", "ok");
    set_bad(r, "name", "a\xff" "b", 3, RN_EINPUT);          /* not UTF-8 */
    set_bad(r, "name", "a\0b", 3, RN_EINPUT);               /* NUL */
    set_bad(r, "name", "\xc0\x80", 2, RN_EINPUT);           /* overlong NUL */
    set_bad(r, "name", "\xed\xa0\x80", 3, RN_EINPUT);       /* a surrogate */
    set_bad(r, "name", "\xf4\x90\x80\x80", 4, RN_EINPUT);   /* > U+10FFFF */
    set_bad(r, "name", "\xe2\x82", 2, RN_EINPUT);           /* cut short */
    /* NULL clears */
    assert_int_equal(rn_record_set(r, "name", NULL, 0, NULL), RN_OK);
    assert_null(rn_record_get(r, "name", NULL));
    rn_record_free(r);
}

static void int_fields(void **state)
{
    (void)state;
    rn_record *r = must_new(RN_T_EVENT);
    set_expect(r, "precision_m", "42", "42");
    set_expect(r, "precision_m", "007", "7");
    set_expect(r, "precision_m", "0", "0");
    set_expect(r, "precision_m", "-0", "0");
    set_bad(r, "precision_m", "-1", 2, RN_EINPUT);
    set_bad(r, "precision_m", "4.2", 3, RN_EINPUT);
    set_bad(r, "precision_m", " 42", 3, RN_EINPUT);
    set_bad(r, "precision_m", "42 ", 3, RN_EINPUT);
    set_bad(r, "precision_m", "+42", 3, RN_EINPUT);
    set_bad(r, "precision_m", "abc", 3, RN_EINPUT);
    set_bad(r, "precision_m", "", 0, RN_EINPUT);
    set_bad(r, "precision_m", "1e3", 3, RN_EINPUT);
    set_expect(r, "precision_m", "9223372036854775807", "9223372036854775807");
    rn_record_free(r);
}

/* A number past the 64-bit range must be refused, not silently turned
 * into another number. */
static void int_fields_out_of_range(void **state)
{
    (void)state;
    rn_record *r = must_new(RN_T_EVENT);
    set_ok(r, "precision_m", "5");
    set_bad(r, "precision_m", "9223372036854775808", 19, RN_EINPUT);
    set_bad(r, "precision_m", "99999999999999999999", 20, RN_EINPUT);
    rn_record_free(r);
}

static void real_fields(void **state)
{
    (void)state;
    rn_record *r = must_new(RN_T_EVENT);
    set_expect(r, "lat", "49.98810", "49.9881");
    set_expect(r, "lat", "0.1", "0.1");
    set_expect(r, "lat", "7", "7");
    set_expect(r, "lat", "1e-7", "1e-07");
    set_expect(r, "lat", "-0", "0");
    set_expect(r, "lon", "36.2304", "36.2304");
    set_bad(r, "lat", "90.0001", 7, RN_EINPUT);
    set_bad(r, "lat", "-90.5", 5, RN_EINPUT);
    set_bad(r, "lon", "180.1", 5, RN_EINPUT);
    set_bad(r, "lat", "nan", 3, RN_EINPUT);
    set_bad(r, "lat", "inf", 3, RN_EINPUT);
    set_bad(r, "lat", "1e999", 5, RN_EINPUT);
    set_bad(r, "lat", " 1", 2, RN_EINPUT);
    set_bad(r, "lat", "1 ", 2, RN_EINPUT);
    set_bad(r, "lat", "1,5", 3, RN_EINPUT);
    set_bad(r, "lat", "", 0, RN_EINPUT);
    rn_record *t = must_new(RN_T_TRANSFER);
    set_expect(t, "confidence", "0.75", "0.75");
    set_expect(t, "confidence", "1", "1");
    set_bad(t, "confidence", "1.01", 4, RN_EINPUT);
    set_bad(t, "confidence", "-0.1", 4, RN_EINPUT);
    rn_record_free(t);
    rn_record_free(r);
}

/* The stored form is the shortest decimal that reads back (record.c's own
 * contract): 50, not 5e+01. */
static void real_fields_shortest_form(void **state)
{
    (void)state;
    rn_record *r = must_new(RN_T_EVENT);
    set_expect(r, "lat", "50.0", "50");
    set_expect(r, "lon", "120", "120");
    set_expect(r, "lat", "-10", "-10");
    set_expect(r, "lat", "-90", "-90");
    set_expect(r, "lat", "90", "90");
    set_expect(r, "lat", "1e1", "10");
    set_expect(r, "lon", "-180", "-180");
    rn_record_free(r);
}

static void date_fields(void **state)
{
    (void)state;
    rn_record *r = must_new(RN_T_ITEM);
    set_expect(r, "produced", "2024-w12", "2024-W12");
    rn_date d = rn_record_date_at(r, rn_type_field_index(RN_T_ITEM, "produced", 8));
    assert_int_equal(d.precision, RN_PREC_WEEK);
    set_expect(r, "produced", " 2024-07/2024-08 ", "2024-07/2024-08");
    set_expect(r, "produced", "../2024", "../2024");
    set_bad(r, "produced", "2024-13", 7, RN_EINPUT);
    set_bad(r, "produced", "2021-W53", 8, RN_EINPUT);
    set_bad(r, "produced", "July 2024", 9, RN_EINPUT);
    /* empty text: no date */
    set_ok(r, "produced", "");
    assert_null(rn_record_get(r, "produced", NULL));
    d = rn_record_date_at(r, rn_type_field_index(RN_T_ITEM, "produced", 8));
    assert_int_equal(d.precision, RN_PREC_NONE);
    rn_record_free(r);
}

static void ref_enum_country_sha_fields(void **state)
{
    (void)state;
    rn_record *r = must_new(RN_T_ITEM);
    set_expect(r, "event", "01aryz6s41tsv4rrffq69g5fav", ID1);
    set_bad(r, "event", "01ARYZ6S41TSV4RRFFQ69G5FA", 25, RN_EINPUT);
    set_bad(r, "event", "01ARYZ6S41TSV4RRFFQ69G5FAI", 26, RN_EINPUT);
    set_bad(r, "event", "81ARYZ6S41TSV4RRFFQ69G5FAV", 26, RN_EINPUT);
    set_expect(r, "kind", "component", "component");
    set_bad(r, "kind", "Component", 9, RN_EINPUT);
    set_bad(r, "kind", "missile", 7, RN_EINPUT);
    set_bad(r, "kind", "", 0, RN_EINPUT);
    set_expect(r, "producing_state", "kp", "KP");
    set_expect(r, "producing_state", "Ru", "RU");
    set_bad(r, "producing_state", "PRK", 3, RN_EINPUT);
    set_bad(r, "producing_state", "1A", 2, RN_EINPUT);
    set_bad(r, "producing_state", "K", 1, RN_EINPUT);
    rn_record_free(r);

    /* the message lists what is allowed */
    rn_record *m = must_new(RN_T_MARKING);
    rn_error err;
    rn_error_clear(&err);
    assert_int_equal(rn_record_set(m, "method", "carved", 6, &err), RN_EINPUT);
    assert_non_null(strstr(err.message, "stamped"));
    assert_non_null(strstr(err.message, "etched"));
    rn_record_free(m);

    rn_record *a = must_new(RN_T_ATTACHMENT);
    const char *sha = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
    set_expect(a, "sha256", sha, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    set_bad(a, "sha256", sha, 63, RN_EINPUT);
    set_bad(a, "sha256", "g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            64, RN_EINPUT);
    rn_record_free(a);
}

static void list_fields(void **state)
{
    (void)state;
    rn_record *e = must_new(RN_T_EVENT);
    set_expect(e, "investigators", " A. Smith ; B \"Bo\" Jones;; ;C ",
               "[\"A. Smith\",\"B \\\"Bo\\\" Jones\",\"C\"]");
    set_expect(e, "investigators", "solo", "[\"solo\"]");
    /* only separators: no value */
    set_ok(e, "investigators", " ; ;");
    assert_null(rn_record_get(e, "investigators", NULL));
    char big[4097];
    memset(big, 'a', sizeof big);
    set_bad(e, "investigators", big, sizeof big, RN_ELIMIT);
    rn_record_free(e);

    rn_record *f = must_new(RN_T_FINDING);
    set_expect(f, "evidence", "01aryz6s41tsv4rrffq69g5fav ; " ID2,
               "[\"" ID1 "\",\"" ID2 "\"]");
    set_bad(f, "evidence", ID1 ";nope", strlen(ID1 ";nope"), RN_EINPUT);
    set_bad(f, "evidence", ID1 ";81ARYZ6S41TSV4RRFFQ69G5FAV", 53, RN_EINPUT);
    rn_record_free(f);
}

/* Issue 15 point 19: a blank required name is missing, as if not given. */
static void blank_required_is_missing(void **state)
{
    (void)state;
    const char *blanks[] = {"", " ", "   "};
    for (size_t i = 0; i < 3; i++) {
        rn_record *r = must_new(RN_T_EVENT);
        rn_error err;
        rn_error_clear(&err);
        set_ok(r, "name", blanks[i]);
        assert_int_equal(rn_record_check(r, &err), RN_EINPUT);
        assert_string_equal(err.field, "name");
        assert_non_null(strstr(err.message, "needs 'name'"));
        rn_record_free(r);
    }
    rn_record *r = must_new(RN_T_EVENT);
    set_ok(r, "name", " x ");
    assert_int_equal(rn_record_check(r, NULL), RN_OK);
    rn_record_free(r);
}

/* Issue 15 point 18: control characters per field kind. */
static void control_characters_per_field(void **state)
{
    (void)state;
    rn_record *r = must_new(RN_T_EVENT);
    rn_error err;
    const char *refused[] = {"a\x1b[2J", "bell\a", "back\bspace", "del\x7f", "c1\xc2\x9b",
                             "two\nlines", "tab\there"};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        rn_error_clear(&err);
        assert_int_equal(rn_record_set(r, "name", refused[i], strlen(refused[i]), &err),
                         RN_EINPUT);
        assert_string_equal(err.field, "name");
        assert_non_null(strstr(err.message, "control character"));
    }
    /* multi-line text keeps line breaks and tabs, nothing else */
    set_ok(r, "notes", "line one\r\nline two\tcolumn");
    set_ok(r, "context", "a\nb");
    rn_error_clear(&err);
    assert_int_equal(rn_record_set(r, "notes", "x\x1b]0;title\a", 12, &err), RN_EINPUT);
    assert_string_equal(err.field, "notes");
    /* list items are one line each */
    rn_record *e = must_new(RN_T_ENTITY);
    rn_error_clear(&err);
    size_t nf;
    const rn_field *f = rn_type_fields(RN_T_ENTITY, &nf);
    for (size_t i = 0; i < nf; i++)
        if (f[i].kind == RN_F_LIST) {
            assert_int_equal(rn_record_set(e, f[i].name, "a;b\x1b", 5, &err), RN_EINPUT);
            break;
        }
    /* other UTF-8 is untouched */
    set_ok(r, "name", "Харків \xc2\xa0 \xe2\x82\xac");
    rn_record_free(e);
    rn_record_free(r);
}

static void unknown_field_and_required(void **state)
{
    (void)state;
    rn_record *r = must_new(RN_T_ITEM);
    rn_error err;
    rn_error_clear(&err);
    assert_int_equal(rn_record_set(r, "colour", "red", 3, &err), RN_EINPUT);
    assert_string_equal(err.field, "colour");
    rn_error_clear(&err);
    assert_int_equal(rn_record_check(r, &err), RN_EINPUT);
    assert_string_equal(err.field, "kind");
    set_ok(r, "kind", "weapon");
    assert_int_equal(rn_record_check(r, NULL), RN_OK);
    assert_int_equal(rn_record_set_at(r, 99, "x", 1, NULL), RN_EINVAL);
    assert_int_equal(rn_record_set_at(r, -1, "x", 1, NULL), RN_EINVAL);
    assert_null(rn_record_get_at(r, 99, NULL));
    rn_error_clear(&err);
    assert_int_equal(rn_record_set_id(r, "nope", 4, &err), RN_EINPUT);
    assert_string_equal(err.field, "id");
    assert_string_equal(rn_record_id(r), "");
    assert_int_equal(rn_record_set_id(r, "01aryz6s41tsv4rrffq69g5fav", 26, NULL), RN_OK);
    assert_string_equal(rn_record_id(r), ID1);
    assert_null(rn_record_new(RN_T_COUNT));
    rn_record_reset(r);
    assert_string_equal(rn_record_id(r), "");
    assert_null(rn_record_get(r, "kind", NULL));
    assert_int_equal(rn_record_type(r), RN_T_ITEM);
    rn_record_free(r);
    rn_record_free(NULL);
}

/* ---- JSON out -------------------------------------------------------------- */

static rn_record *known_item(void)
{
    rn_record *r = must_new(RN_T_ITEM);
    assert_int_equal(rn_record_set_id(r, ID1, 26, NULL), RN_OK);
    set_ok(r, "serial", "SN 1");
    set_ok(r, "produced", "2024-W12");
    set_ok(r, "notes", "line1\nline2\t");
    set_ok(r, "name", "Board \"A\" \\ /");
    set_ok(r, "manufacturer_country", "us");
    set_ok(r, "kind", "component");
    return r;
}

/* The record json reads back to (the test fails if it does not). */
static rn_record *parse_ok(const char *json)
{
    rn_record *r = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_record_from_json(json, strlen(json), &r, &err);
    if (rc != RN_OK)
        fail_msg("%s: rc %d field '%s': %s", json, rc, err.field, err.message);
    return r;
}

static void canonical_json_known_bytes(void **state)
{
    (void)state;
    rn_record *r = known_item();
    char *j = to_json(r, RN_JSON_CANONICAL);
    assert_string_equal(
        j, "{\"id\":\"" ID1 "\",\"kind\":\"component\",\"manufacturer_country\":\"US\","
           "\"name\":\"Board \\\"A\\\" \\\\ /\",\"notes\":\"line1\\nline2\\t\","
           "\"produced\":{\"earliest\":\"2024-03-18\",\"latest\":\"2024-03-24\","
           "\"precision\":\"week\"},\"serial\":\"SN 1\",\"type\":\"item\"}");
    rn_free(j);
    /* the plain form: id, type, then fields in declared order */
    j = to_json(r, 0);
    assert_string_equal(
        j, "{\"id\":\"" ID1 "\",\"type\":\"item\",\"kind\":\"component\","
           "\"name\":\"Board \\\"A\\\" \\\\ /\",\"manufacturer_country\":\"US\","
           "\"produced\":{\"earliest\":\"2024-03-18\",\"latest\":\"2024-03-24\","
           "\"precision\":\"week\"},\"serial\":\"SN 1\",\"notes\":\"line1\\nline2\\t\"}");
    rn_free(j);
    rn_record_free(r);
}

/* Every type's canonical keys are sorted bytewise and there are no spaces
 * outside strings. */
static void canonical_json_sorted_every_type(void **state)
{
    (void)state;
    for (int t = 0; t < RN_T_COUNT; t++) {
        rn_record *r = must_new((rn_type)t);
        size_t nf;
        const rn_field *f = rn_type_fields((rn_type)t, &nf);
        assert_int_equal(rn_record_set_id(r, ID1, 26, NULL), RN_OK);
        for (size_t i = 0; i < nf; i++) {
            const char *v = "text";
            switch (f[i].kind) {
            case RN_F_INT: v = "3"; break;
            case RN_F_REAL: v = "0.5"; break;
            case RN_F_DATE: v = "2024-07"; break;
            case RN_F_REF: v = ID2; break;
            case RN_F_REFLIST: v = ID1 ";" ID2; break;
            case RN_F_ENUM: v = f[i].values[0]; break;
            case RN_F_LIST: v = "a;b"; break;
            case RN_F_COUNTRY: v = "UA"; break;
            case RN_F_SHA256:
                v = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
                break;
            default: break;
            }
            set_ok(r, f[i].name, v);
        }
        char *j = to_json(r, RN_JSON_CANONICAL);
        /* top-level keys in order: scan "key": at depth 1 */
        char prev[64] = "";
        int depth = 0, in_str = 0, nkeys = 0;
        for (const char *p = j; *p; p++) {
            if (in_str) {
                if (*p == '\\')
                    p++;
                else if (*p == '"')
                    in_str = 0;
                continue;
            }
            if (*p == ' ' || *p == '\n')
                fail_msg("%s: whitespace outside strings: %s", rn_type_name((rn_type)t), j);
            if (*p == '{' || *p == '[')
                depth++;
            else if (*p == '}' || *p == ']')
                depth--;
            else if (*p == '"') {
                if (depth == 1 && (p[-1] == '{' || p[-1] == ',')) {
                    const char *q = strchr(p + 1, '"');
                    char key[64];
                    snprintf(key, sizeof key, "%.*s", (int)(q - p - 1), p + 1);
                    if (strcmp(prev, key) >= 0)
                        fail_msg("%s: key '%s' after '%s'", rn_type_name((rn_type)t), key, prev);
                    memcpy(prev, key, sizeof prev);
                    nkeys++;
                }
                in_str = 1;
            }
        }
        assert_int_equal(nkeys, (int)nf + 2);
        /* and it reads back to the same bytes */
        rn_record *back = parse_ok(j);
        char *j2 = to_json(back, RN_JSON_CANONICAL);
        assert_string_equal(j, j2);
        rn_free(j2);
        rn_record_free(back);
        rn_free(j);
        rn_record_free(r);
    }
}

static void public_json_hides_sensitive(void **state)
{
    (void)state;
    rn_record *r = must_new(RN_T_EVENT);
    assert_int_equal(rn_record_set_id(r, ID1, 26, NULL), RN_OK);
    set_ok(r, "name", "Strike");
    set_ok(r, "investigators", "Alice;Bob");
    set_ok(r, "custody_holder", "Prosecutor");
    set_ok(r, "source", "informant X");
    set_ok(r, "country", "UA");
    char *all = to_json(r, RN_JSON_CANONICAL);
    char *pub = to_json(r, RN_JSON_CANONICAL | RN_JSON_PUBLIC);
    assert_non_null(strstr(all, "Alice"));
    assert_non_null(strstr(all, "Prosecutor"));
    assert_non_null(strstr(all, "informant"));
    assert_string_equal(pub, "{\"country\":\"UA\",\"id\":\"" ID1
                             "\",\"name\":\"Strike\",\"type\":\"event\"}");
    rn_free(all);
    rn_free(pub);
    /* every sensitive field of every type is left out */
    for (int t = 0; t < RN_T_COUNT; t++) {
        size_t nf;
        const rn_field *f = rn_type_fields((rn_type)t, &nf);
        for (size_t i = 0; i < nf; i++) {
            if (!(f[i].flags & RN_FIELD_SENSITIVE))
                continue;
            rn_record *x = must_new((rn_type)t);
            set_ok(x, f[i].name, "SECRETVALUE"); /* text and list fields alike */
            char *p = to_json(x, RN_JSON_PUBLIC);
            if (strstr(p, "SECRETVALUE") || strstr(p, f[i].name))
                fail_msg("%s.%s shows in public JSON: %s", rn_type_name((rn_type)t), f[i].name, p);
            rn_free(p);
            p = to_json(x, 0);
            assert_non_null(strstr(p, "SECRETVALUE"));
            rn_free(p);
            rn_record_free(x);
        }
    }
    rn_record_free(r);
}

/* ---- JSON in --------------------------------------------------------------- */

/* Check that json fails with RN_EINPUT (or RN_ELIMIT) naming `field`;
 * 0 if so, else 1 after printing what happened. No cmocka calls, so that
 * it can run in a child process too. */
static int parse_bad_check(const char *json, size_t len, const char *field)
{
    rn_record *r = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_record_from_json(json, len, &r, &err);
    if (rc == RN_OK) {
        char *j = NULL;
        size_t n;
        if (rn_record_to_json(r, 0, &j, &n) == RN_OK)
            fprintf(stderr, "accepted: %.*s -> %s\n", (int)len, json, j);
        rn_free(j);
        rn_record_free(r);
        return 1;
    }
    if (rc != RN_EINPUT && rc != RN_ELIMIT) {
        fprintf(stderr, "%.*s: rc %d\n", (int)len, json, rc);
        return 1;
    }
    if (strcmp(err.field, field) != 0) {
        fprintf(stderr, "%.*s: err.field '%s', expected '%s' (%s)\n", (int)len, json, err.field,
                field, err.message);
        return 1;
    }
    if (!err.message[0]) {
        fprintf(stderr, "%.*s: no message\n", (int)len, json);
        return 1;
    }
    return 0;
}

static void parse_bad(const char *json, size_t len, const char *field)
{
    if (parse_bad_check(json, len, field))
        fail_msg("see above");
}
#define BAD(json, field) parse_bad(json, strlen(json), field)
#define CHECK_BAD(json, field) parse_bad_check(json, strlen(json), field)

static void json_escapes(void **state)
{
    (void)state;
    rn_record *r = parse_ok("{\"type\":\"event\",\"name\":\"n\",\"context\":\"q\\\" b\\\\ s\\/ \\n\\r\\t"
                            " \\u00e9 \\u20AC \\ud83d\\ude00 \\u0041\"}");
    assert_string_equal(rn_record_get(r, "context", NULL),
                        "q\" b\\ s/ \n\r\t \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 A");
    rn_record_free(r);
    /* control characters: none in a one-line field, only line breaks and
     * tabs in multi-line text (issue 15 point 18) */
    BAD("{\"type\":\"event\",\"name\":\"a\\u001b[31m\"}", "name");
    BAD("{\"type\":\"event\",\"name\":\"a\\nb\"}", "name");
    BAD("{\"type\":\"event\",\"name\":\"a\\u0085b\"}", "name");
    BAD("{\"type\":\"event\",\"name\":\"n\",\"context\":\"\\b\\f\"}", "context");
    BAD("{\"type\":\"event\",\"name\":\"n\",\"context\":\"x\\u007f\"}", "context");
    /* raw UTF-8 passes through */
    r = parse_ok("{\"type\":\"event\",\"name\":\"Харків\"}");
    assert_string_equal(rn_record_get(r, "name", NULL), "Харків");
    rn_record_free(r);
    BAD("{\"type\":\"event\",\"name\":\"\\ud83d\"}", "name");
    BAD("{\"type\":\"event\",\"name\":\"\\ud83dx\"}", "name");
    BAD("{\"type\":\"event\",\"name\":\"\\ud83d\\u0041\"}", "name");
    BAD("{\"type\":\"event\",\"name\":\"\\ude00\"}", "name");
    BAD("{\"type\":\"event\",\"name\":\"\\u12\"}", "name");
    BAD("{\"type\":\"event\",\"name\":\"\\u00zz\"}", "name");
    BAD("{\"type\":\"event\",\"name\":\"\\x41\"}", "name");
    BAD("{\"type\":\"event\",\"name\":\"\\u0000\"}", "name");
    BAD("{\"type\":\"event\",\"name\":\"a\tb\"}", "name"); /* raw control character */
    BAD("{\"type\":\"event\",\"name\":\"\xff\"}", "name");
    BAD("{\"type\":\"event\",\"name\":\"abc", "name");
    BAD("{\"type\":\"event\",\"name\":\"abc\\", "name");
}

static void json_fields_and_kinds(void **state)
{
    (void)state;
    /* type anywhere; numbers for numeric fields; null leaves a field unset */
    rn_record *r = parse_ok(" {\"name\":\"x\", \"lat\": 50.10 ,\"precision_m\":250,"
                            "\"lon\":-1e-5,\"context\":null,\"type\":\"event\","
                            "\"investigators\":[\"a\", \"b\"],\"documented\":\"2024-07\"} ");
    assert_int_equal(rn_record_type(r), RN_T_EVENT);
    assert_string_equal(rn_record_get(r, "lat", NULL), "50.1");
    assert_string_equal(rn_record_get(r, "lon", NULL), "-1e-05");
    assert_string_equal(rn_record_get(r, "precision_m", NULL), "250");
    assert_null(rn_record_get(r, "context", NULL));
    assert_string_equal(rn_record_get(r, "investigators", NULL), "[\"a\",\"b\"]");
    assert_string_equal(rn_record_get(r, "documented", NULL), "2024-07");
    rn_record_free(r);
    /* a date as an object, with an open end */
    r = parse_ok("{\"type\":\"item\",\"kind\":\"weapon\",\"produced\":{\"precision\":\"year\","
                 "\"earliest\":null,\"latest\":\"2024-12-31\"}}");
    assert_string_equal(rn_record_get(r, "produced", NULL), "../2024");
    rn_record_free(r);
    r = parse_ok("{\"type\":\"item\",\"kind\":\"weapon\",\"produced\":{\"earliest\":\"2024-03-18\","
                 "\"latest\":\"2024-03-31\",\"precision\":\"week\"}}");
    assert_string_equal(rn_record_get(r, "produced", NULL), "2024-W12/2024-W13");
    rn_record_free(r);
    r = parse_ok("{\"type\":\"item\",\"id\":\"01aryz6s41tsv4rrffq69g5fav\",\"kind\":\"weapon\"}");
    assert_string_equal(rn_record_id(r), ID1);
    rn_record_free(r);
    /* an empty list is no value */
    r = parse_ok("{\"type\":\"event\",\"name\":\"x\",\"investigators\":[]}");
    assert_null(rn_record_get(r, "investigators", NULL));
    rn_record_free(r);
}

static void json_errors_name_the_field(void **state)
{
    (void)state;
    BAD("{\"type\":\"event\",\"name\":\"x\",\"colour\":\"red\"}", "colour");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"name\":\"y\"}", "name");
    BAD("{\"type\":\"event\",\"type\":\"event\",\"name\":\"y\"}", "type");
    BAD("{\"type\":\"weapon\",\"name\":\"x\"}", "type");
    BAD("{\"type\":7,\"name\":\"x\"}", "type");
    BAD("{\"name\":\"x\"}", "type");
    BAD("{\"type\":\"event\",\"id\":\"nope\"}", "id");
    BAD("{\"type\":\"event\",\"id\":12}", "id");
    /* numbers where strings go, strings where numbers go */
    BAD("{\"type\":\"event\",\"name\":5}", "name");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"country\":12}", "country");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"documented\":2024}", "documented");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"lat\":\"north\"}", "lat");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"precision_m\":1.5}", "precision_m");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"precision_m\":-3}", "precision_m");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"lat\":01}", "lat");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"lat\":1.}", "lat");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"lat\":-}", "lat");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"lat\":1e}", "lat");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"lat\":95}", "lat");
    /* booleans */
    BAD("{\"type\":\"event\",\"name\":true}", "name");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"notes\":false}", "notes");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"notes\":tru}", "notes");
    /* nested junk */
    BAD("{\"type\":\"event\",\"name\":\"x\",\"notes\":{\"a\":[1,{}]}}", "notes");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"investigators\":[\"a\",1]}", "investigators");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"investigators\":[\"a\",[\"b\"]]}", "investigators");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"investigators\":[\"a;b\"]}", "investigators");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"investigators\":[\"a\" \"b\"]}", "investigators");
    BAD("{\"type\":\"event\",\"name\":[\"x\"]}", "name");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"context\":{\"earliest\":\"2024-01-01\","
        "\"latest\":\"2024-12-31\",\"precision\":\"year\"}}", "context");
    /* bad date objects */
    BAD("{\"type\":\"event\",\"name\":\"x\",\"documented\":{\"earliest\":\"2024-01-01\","
        "\"latest\":\"2024-12-31\",\"precision\":\"decade\"}}", "documented");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"documented\":{\"earliest\":\"2024-01-02\","
        "\"latest\":\"2024-01-31\",\"precision\":\"month\"}}", "documented");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"documented\":{\"earliest\":\"2024-01-01\","
        "\"precision\":\"month\"}}", "documented");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"documented\":{\"earliest\":\"2024-01-01\","
        "\"latest\":\"2024-01-31\",\"precision\":\"month\",\"tz\":\"UTC\"}}", "documented");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"documented\":{\"earliest\":\"2024-01-01\","
        "\"earliest\":\"2024-01-01\",\"latest\":\"2024-01-31\",\"precision\":\"month\"}}",
        "documented");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"documented\":{\"earliest\":20240101,"
        "\"latest\":\"2024-01-31\",\"precision\":\"month\"}}", "documented");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"documented\":{\"earliest\":\"2024-01\","
        "\"latest\":\"2024-01\",\"precision\":\"month\"}}", "documented");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"documented\":{\"earliest\":\"2024-02-01\","
        "\"latest\":\"2024-01-31\",\"precision\":\"month\"}}", "documented");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"documented\":{\"earliest\":null,"
        "\"latest\":null,\"precision\":\"year\"}}", "documented");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"documented\":{\"earliest\":\"2024-01-01\","
        "\"latest\":\"2024-12-31\",\"precision\":null}}", "documented");
    BAD("{\"type\":\"event\",\"name\":\"x\",\"documented\":\"soon\"}", "documented");
    /* structure errors name the field they occur in, or none */
    BAD("{\"type\":\"event\",\"name\":\"x\"", "name");
    BAD("{\"type\":\"event\",\"name\" \"x\"}", "name");
    BAD("{\"type\":\"event\",\"name\":}", "name");
    BAD("{\"type\":\"event\",\"name\":\"x\"} junk", "");
    BAD("{\"type\":\"event\",\"name\":\"x\"}{}", "");
    BAD("[{\"type\":\"event\"}]", "");
    BAD("{type:\"event\"}", "");
    BAD("{\"type\":\"event\",}", "");
    BAD("", "");
    BAD("   ", "");
    BAD("{}", "type");
    parse_bad("{\"type\":\"event\",\"name\":\"a\0b\"}", 27, "name");
}

/* Run fn in a child process, so that a sanitizer abort (or a crash) fails
 * this one test instead of ending the whole program. */
static void in_child(void (*fn)(void), const char *what)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        fn();
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("%s: the child %s %d (see the sanitizer report above)", what,
                 WIFEXITED(status) ? "exited with" : "died of signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

/* cmocka's failures in a child: make them an exit status. */
static void child_scratch_growth(void);
static void child_date_object_empty(void);

/* An error found after the reader's scratch buffer has grown must still
 * name the field (the field name lives in that buffer). */
static void json_error_after_scratch_growth_names_field(void **state)
{
    (void)state;
    in_child(child_scratch_growth, "error after the scratch buffer grew");
}

static void child_scratch_growth(void)
{
    char buf[2048];
    int n = snprintf(buf, sizeof buf, "{\"type\":\"event\",\"name\":\"");
    memset(buf + n, 'a', 1500);
    buf[n + 1500] = '\0'; /* unterminated string */
    int bad = parse_bad_check(buf, strlen(buf), "name");
    /* the same inside a list */
    n = snprintf(buf, sizeof buf, "{\"type\":\"event\",\"investigators\":[\"");
    memset(buf + n, 'b', 1000);
    memcpy(buf + n + 1000, ";c\"]}", 6);
    bad |= parse_bad_check(buf, strlen(buf), "investigators");
    _exit(bad);
}

/* A date object whose day string is empty is bad input, nothing worse. */
static void json_date_object_empty_strings(void **state)
{
    (void)state;
    in_child(child_date_object_empty, "date object with an empty string");
}

static void child_date_object_empty(void)
{
    int bad = 0;
    bad |= CHECK_BAD("{\"type\":\"event\",\"name\":\"x\",\"documented\":{\"earliest\":\"\","
        "\"latest\":\"2024-12-31\",\"precision\":\"year\"}}", "documented");
    bad |= CHECK_BAD("{\"type\":\"event\",\"name\":\"x\",\"documented\":{\"earliest\":\"2024-01-01\","
        "\"latest\":\"2024-12-31\",\"precision\":\"\"}}", "documented");
    _exit(bad);
}

/* What the writer writes, the reader reads: for every date the text form
 * accepts, the canonical JSON (dates as day objects) reads back. */
static void json_week_dates_at_year_range_edges_read_back(void **state)
{
    (void)state;
    /* 1000-W01 starts on 0999-12-30, outside the years a date may name:
     * it must be refused when set, never written in a form that cannot be
     * read back */
    rn_record *edge = must_new(RN_T_ITEM);
    rn_error e0;
    rn_error_clear(&e0);
    assert_int_equal(rn_record_set(edge, "produced", "1000-W01", 8, &e0), RN_EINPUT);
    assert_int_equal(rn_record_set(edge, "produced", "2999-W01", 8, &e0), RN_OK);
    rn_record_free(edge);
    static const char *const dates[] = {"1000-W02", "1000-W02/..", "2999-W52", "1000", "2999-12"};
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        rn_record *r = must_new(RN_T_ITEM);
        set_ok(r, "kind", "weapon");
        set_ok(r, "produced", dates[i]);
        char *j = to_json(r, RN_JSON_CANONICAL);
        rn_record *back = parse_ok(j);
        assert_string_equal(rn_record_get(back, "produced", NULL), dates[i]);
        rn_record_free(back);
        rn_free(j);
        rn_record_free(r);
    }
}

static void json_round_trip_known(void **state)
{
    (void)state;
    rn_record *r = known_item();
    char *j = to_json(r, RN_JSON_CANONICAL);
    rn_record *back = parse_ok(j);
    char *j2 = to_json(back, RN_JSON_CANONICAL);
    assert_string_equal(j, j2);
    /* pretty output reads back too */
    char *p = to_json(r, RN_JSON_PRETTY);
    assert_non_null(strchr(p, '\n'));
    rn_record *back2 = parse_ok(p);
    char *j3 = to_json(back2, RN_JSON_CANONICAL);
    assert_string_equal(j, j3);
    rn_free(j);
    rn_free(j2);
    rn_free(j3);
    rn_free(p);
    rn_record_free(back);
    rn_record_free(back2);
    rn_record_free(r);
}

static void types_table(void **state)
{
    (void)state;
    for (int t = 0; t < RN_T_COUNT; t++) {
        rn_type back;
        assert_int_equal(rn_type_from_name(rn_type_name((rn_type)t), &back), RN_OK);
        assert_int_equal(back, t);
        size_t nf;
        const rn_field *f = rn_type_fields((rn_type)t, &nf);
        assert_true(nf > 0 && nf <= 16);
        for (size_t i = 0; i < nf; i++) {
            assert_int_equal(rn_type_field_index((rn_type)t, f[i].name, strlen(f[i].name)), (int)i);
            assert_true(strcmp(f[i].name, "id") != 0 && strcmp(f[i].name, "type") != 0);
            assert_non_null(f[i].help);
        }
        assert_int_equal(rn_type_field_index((rn_type)t, "nope", 4), -1);
        /* a name is matched whole: not a prefix, not longer, no NUL inside */
        char name[80];
        size_t n = strlen(f[0].name);
        memcpy(name, f[0].name, n + 1);
        assert_int_equal(rn_type_field_index((rn_type)t, name, n - 1), -1);
        name[n] = 'x';
        assert_int_equal(rn_type_field_index((rn_type)t, name, n + 1), -1);
        name[n] = '\0';
        assert_int_equal(rn_type_field_index((rn_type)t, name, n + 1), -1);
        assert_int_equal(rn_type_field_index((rn_type)t, "", 0), -1);
    }
    rn_type out;
    assert_int_equal(rn_type_from_name("Item", &out), RN_EINVAL);
    assert_string_equal(rn_type_name(RN_T_COUNT), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_fields),
        cmocka_unit_test(int_fields),
        cmocka_unit_test(int_fields_out_of_range),
        cmocka_unit_test(real_fields),
        cmocka_unit_test(real_fields_shortest_form),
        cmocka_unit_test(date_fields),
        cmocka_unit_test(ref_enum_country_sha_fields),
        cmocka_unit_test(list_fields),
        cmocka_unit_test(unknown_field_and_required),
        cmocka_unit_test(blank_required_is_missing),
        cmocka_unit_test(control_characters_per_field),
        cmocka_unit_test(canonical_json_known_bytes),
        cmocka_unit_test(canonical_json_sorted_every_type),
        cmocka_unit_test(public_json_hides_sensitive),
        cmocka_unit_test(json_escapes),
        cmocka_unit_test(json_fields_and_kinds),
        cmocka_unit_test(json_errors_name_the_field),
        cmocka_unit_test(json_date_object_empty_strings),
        cmocka_unit_test(json_week_dates_at_year_range_edges_read_back),
        cmocka_unit_test(json_round_trip_known),
        cmocka_unit_test(types_table),
        /* last: under ASan a use-after-free here aborts the program */
        cmocka_unit_test(json_error_after_scratch_growth_names_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
