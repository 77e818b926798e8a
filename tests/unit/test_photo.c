/* SPDX-License-Identifier: Apache-2.0
 *
 * test_photo.c — unit tests of the public's copy of a photo
 * (lib/store/photo.c) through the public API, on the synthetic fixtures of
 * tests/photo (README there): the check passes clean pictures and fails
 * every kind of metadata (EXIF GPS, XMP, IPTC, comments, PNG text, a JPEG
 * APP4 segment, a second image after a JPEG's end); rn_store_attach makes
 * a copy that passes it, with the same pixels, recorded as derived from the
 * original, whose blob stays byte for byte as given (a HEIC's copy is a
 * JPEG); an unreadable HEIC and a PDF get none; the
 * copy of a copy is refused; deriving twice makes one copy; a forged "copy"
 * naming the original's blob is refused to the public; a rolled-back attach
 * leaves nothing. */
#define _GNU_SOURCE
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jpeglib.h>

#include "remnant/store.h"

typedef struct fx {
    char dir[64];
    char db[128];
    rn_store *s;
    char event[RN_ID_LEN + 1];
} fx;

static const char *fixture(const char *name)
{
    static char buf[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/photo/%s", RN_TEST_DATADIR, name);
    return buf[k];
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    chmod(path, 0700);
    return remove(path);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/rn_test_photo.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
    rn_error err;
    rn_error_clear(&err);
    if (rn_store_open(f->db, RN_STORE_CREATE, &f->s, &err) != RN_OK)
        return -1;
    rn_record *e = rn_record_new(RN_T_EVENT);
    if (!e || rn_record_set(e, "name", "test event", 10, &err) ||
        rn_store_put(f->s, e, RN_PUT_CREATE, &err))
        return -1;
    memcpy(f->event, rn_record_id(e), RN_ID_LEN + 1);
    rn_record_free(e);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    rn_store_close(f->s);
    nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

/* Read a whole file; *n its size. */
static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)len + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)len, fp), (size_t)len);
    fclose(fp);
    *n = (size_t)len;
    return b;
}

static void blob_path(fx *f, const rn_record *a, char *buf, size_t cap)
{
    const char *sha = rn_record_get(a, "sha256", NULL);
    assert_non_null(sha);
    assert_int_equal(rn_store_blob_path(f->s, sha, buf, cap), RN_OK);
}

/* The decoded pixels of a JPEG (malloc'd); *n their size. */
static unsigned char *jpeg_pixels(const char *path, size_t *n)
{
    struct jpeg_decompress_struct d;
    struct jpeg_error_mgr e;
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    d.err = jpeg_std_error(&e);
    jpeg_create_decompress(&d);
    jpeg_stdio_src(&d, fp);
    jpeg_read_header(&d, TRUE);
    jpeg_start_decompress(&d);
    size_t row = (size_t)d.output_width * (size_t)d.output_components;
    unsigned char *px = malloc(row * d.output_height);
    assert_non_null(px);
    while (d.output_scanline < d.output_height) {
        JSAMPROW r = px + row * d.output_scanline;
        jpeg_read_scanlines(&d, &r, 1);
    }
    *n = row * d.output_height;
    jpeg_finish_decompress(&d);
    jpeg_destroy_decompress(&d);
    fclose(fp);
    return px;
}

/* Attach a fixture; its record and its public copy's (NULL if none). */
static void attach(fx *f, const char *name, rn_record **orig, rn_record **copy)
{
    char id[RN_ID_LEN + 1];
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_store_attach(f->s, f->event, fixture(name), NULL, id, &err);
    if (rc)
        fail_msg("attach %s: %s", name, err.message);
    assert_int_equal(rn_store_get(f->s, id, orig, &err), RN_OK);
    *copy = NULL;
    rc = rn_store_photo_public(f->s, id, copy, &err);
    if (rc != RN_OK && rc != RN_ENOTFOUND)
        fail_msg("public copy of %s: %s", name, err.message);
}

static void check_clean_fixtures_pass(void **state)
{
    (void)state;
    static const char *const clean[] = {"plain.jpg", "plain.png", "plain.tif", "plain.webp"};
    for (size_t i = 0; i < sizeof clean / sizeof *clean; i++) {
        rn_error err;
        rn_error_clear(&err);
        if (rn_store_photo_check(fixture(clean[i]), &err) != RN_OK)
            fail_msg("%s: %s", clean[i], err.message);
    }
}

static void check_fails_every_kind_of_metadata(void **state)
{
    (void)state;
    static const struct {
        const char *file, *why;
    } dirty[] = {
        {"gps.jpg", "APP"},        {"gps.png", "PNG"},       {"gps.tif", "XMP"},
        {"oriented.jpg", "GPS"},   {"trailer.jpg", "after"}, {"app4.jpg", "APP4"},
        {"gps.webp", "WebP"},      {"fake.heic", "not a JPEG"},
    };
    for (size_t i = 0; i < sizeof dirty / sizeof *dirty; i++) {
        rn_error err;
        rn_error_clear(&err);
        assert_int_equal(rn_store_photo_check(fixture(dirty[i].file), &err), RN_EINPUT);
        if (!strstr(err.message, dirty[i].why))
            fail_msg("%s: '%s' does not say %s", dirty[i].file, err.message, dirty[i].why);
    }
    rn_error err;
    assert_int_equal(rn_store_photo_check("/nonexistent/x.jpg", &err), RN_EINPUT);
}

static void attach_makes_a_clean_derived_copy(void **state)
{
    fx *f = *state;
    static const char *const photos[] = {"gps.jpg", "gps.png", "gps.tif", "gps.webp",
                                         "gps.heic", "trailer.jpg", "app4.jpg",
                                         "oriented.jpg"};
    for (size_t i = 0; i < sizeof photos / sizeof *photos; i++) {
        rn_record *o = NULL, *c = NULL;
        attach(f, photos[i], &o, &c);
        if (!c)
            fail_msg("%s got no public copy", photos[i]);
        assert_string_equal(rn_record_get(c, "derived_from", NULL), rn_record_id(o));
        assert_string_equal(rn_record_get(c, "derivation", NULL), RN_DERIVATION_PUBLIC);
        int heic = strstr(photos[i], ".heic") != NULL; /* its copy is a JPEG */
        assert_string_equal(rn_record_get(c, "media_type", NULL),
                            heic ? "image/jpeg" : rn_record_get(o, "media_type", NULL));
        assert_string_not_equal(rn_record_get(c, "sha256", NULL),
                                rn_record_get(o, "sha256", NULL));
        assert_null(rn_record_get(c, "event", NULL)); /* linked by derived_from only */
        char po[4200], pc[4200];
        blob_path(f, o, po, sizeof po);
        blob_path(f, c, pc, sizeof pc);
        rn_error err;
        rn_error_clear(&err);
        if (rn_store_photo_check(pc, &err) != RN_OK)
            fail_msg("%s: the copy is not clean: %s", photos[i], err.message);
        /* the original's blob is the file as given, byte for byte */
        size_t n1, n2;
        unsigned char *a = slurp(po, &n1), *b = slurp(fixture(photos[i]), &n2);
        assert_int_equal(n1, n2);
        assert_memory_equal(a, b, n1);
        free(a);
        free(b);
        /* the copy shows the same picture (a HEIC's: the same size) */
        if (heic) {
            unsigned char *p = jpeg_pixels(pc, &n1);
            assert_int_equal(n1, 32 * 24 * 3);
            free(p);
        }
        if (strstr(photos[i], ".jpg")) {
            unsigned char *p1 = jpeg_pixels(po, &n1), *p2 = jpeg_pixels(pc, &n2);
            assert_int_equal(n1, n2);
            assert_memory_equal(p1, p2, n1);
            free(p1);
            free(p2);
        }
        /* no coordinate, device or person survives as text */
        unsigned char *bytes = slurp(pc, &n1);
        static const char *const words[] = {"SynthCam", "SN123456", "Test Person",
                                            "Kharkiv", "49.99", "DJI"};
        for (size_t w = 0; w < sizeof words / sizeof *words; w++)
            if (memmem(bytes, n1, words[w], strlen(words[w])))
                fail_msg("%s: '%s' is in the copy", photos[i], words[w]);
        free(bytes);
        rn_record_free(o);
        rn_record_free(c);
    }
}

static void orientation_is_kept_alone(void **state)
{
    fx *f = *state;
    rn_record *o = NULL, *c = NULL;
    attach(f, "oriented.jpg", &o, &c);
    assert_non_null(c);
    char pc[4200];
    blob_path(f, c, pc, sizeof pc);
    size_t n;
    unsigned char *b = slurp(pc, &n);
    /* EXIF present (for the orientation) but passes the check: nothing else */
    assert_non_null(memmem(b, n, "Exif\0\0", 6));
    free(b);
    rn_record_free(o);
    rn_record_free(c);
}

static void unreadable_and_other_files_get_no_copy_and_are_kept(void **state)
{
    fx *f = *state;
    static const char *const files[] = {"fake.heic", "doc.pdf"};
    static const char *const types[] = {"image/heic", "application/pdf"};
    for (size_t i = 0; i < 2; i++) {
        rn_record *o = NULL, *c = NULL;
        attach(f, files[i], &o, &c);
        assert_null(c);
        assert_string_equal(rn_record_get(o, "media_type", NULL), types[i]);
        char id[RN_ID_LEN + 1];
        rn_error err;
        rn_error_clear(&err);
        assert_int_equal(rn_store_photo_derive(f->s, rn_record_id(o), id, &err), RN_EINPUT);
        assert_non_null(strstr(err.message, "no public copy"));
        assert_int_equal(rn_store_photo_public(f->s, rn_record_id(o), &c, &err),
                         RN_ENOTFOUND);
        rn_record_free(o);
    }
}

static void derive_is_idempotent_and_refuses_copies(void **state)
{
    fx *f = *state;
    rn_record *o = NULL, *c = NULL;
    attach(f, "gps.png", &o, &c);
    assert_non_null(c);
    char id[RN_ID_LEN + 1];
    rn_error err;
    rn_error_clear(&err);
    assert_int_equal(rn_store_photo_derive(f->s, rn_record_id(o), id, &err), RN_OK);
    assert_string_equal(id, rn_record_id(c));
    int64_t n = 0;
    assert_int_equal(rn_store_count(f->s, RN_T_ATTACHMENT, &n), RN_OK);
    assert_int_equal(n, 2);
    /* the copy of a copy */
    assert_int_equal(rn_store_photo_derive(f->s, rn_record_id(c), id, &err), RN_EINPUT);
    /* a copy asked for by its own id is its own public copy */
    rn_record *self = NULL;
    assert_int_equal(rn_store_photo_public(f->s, rn_record_id(c), &self, &err), RN_OK);
    assert_string_equal(rn_record_id(self), rn_record_id(c));
    rn_record_free(self);
    /* not an attachment */
    assert_int_equal(rn_store_photo_derive(f->s, f->event, id, &err), RN_EINPUT);
    /* removed, then made again */
    assert_int_equal(rn_store_delete(f->s, rn_record_id(c), &err), RN_OK);
    assert_int_equal(rn_store_photo_public(f->s, rn_record_id(o), &self, &err), RN_ENOTFOUND);
    assert_int_equal(rn_store_photo_derive(f->s, rn_record_id(o), id, &err), RN_OK);
    assert_int_equal(rn_store_photo_public(f->s, rn_record_id(o), &self, &err), RN_OK);
    assert_string_equal(rn_record_id(self), id);
    rn_record_free(self);
    rn_record_free(o);
    rn_record_free(c);
}

static void forged_copy_is_refused(void **state)
{
    fx *f = *state;
    rn_record *o = NULL, *c = NULL;
    attach(f, "gps.jpg", &o, &c);
    assert_non_null(c);
    rn_error err;
    rn_error_clear(&err);
    assert_int_equal(rn_store_delete(f->s, rn_record_id(c), &err), RN_OK);
    /* a "copy" that names the original's own blob */
    rn_record *x = rn_record_new(RN_T_ATTACHMENT);
    const char *sha = rn_record_get(o, "sha256", NULL), *size = rn_record_get(o, "size", NULL);
    assert_int_equal(rn_record_set(x, "sha256", sha, strlen(sha), &err), RN_OK);
    assert_int_equal(rn_record_set(x, "size", size, strlen(size), &err), RN_OK);
    assert_int_equal(rn_record_set(x, "media_type", "image/jpeg", 10, &err), RN_OK);
    assert_int_equal(rn_record_set(x, "derived_from", rn_record_id(o), RN_ID_LEN, &err), RN_OK);
    assert_int_equal(rn_record_set(x, "derivation", RN_DERIVATION_PUBLIC,
                                   strlen(RN_DERIVATION_PUBLIC), &err), RN_OK);
    assert_int_equal(rn_store_put(f->s, x, RN_PUT_CREATE, &err), RN_OK);
    rn_record *got = NULL;
    assert_int_equal(rn_store_photo_public(f->s, rn_record_id(o), &got, &err), RN_EINPUT);
    assert_null(got);
    /* and derivation, derived_from cannot be changed afterwards */
    assert_int_equal(rn_record_set(x, "derivation", NULL, 0, &err), RN_OK);
    assert_int_equal(rn_store_put(f->s, x, RN_PUT_REPLACE, &err), RN_ECONSTRAINT);
    rn_record_free(x);
    rn_record_free(o);
    rn_record_free(c);
}

static void rolled_back_attach_leaves_nothing(void **state)
{
    fx *f = *state;
    char id[RN_ID_LEN + 1];
    rn_error err;
    rn_error_clear(&err);
    assert_int_equal(rn_store_begin(f->s, &err), RN_OK);
    assert_int_equal(rn_store_attach(f->s, f->event, fixture("gps.jpg"), NULL, id, &err), RN_OK);
    int64_t n = 0;
    assert_int_equal(rn_store_count(f->s, RN_T_ATTACHMENT, &n), RN_OK);
    assert_int_equal(n, 2); /* the original and its copy, in the caller's transaction */
    rn_store_rollback(f->s);
    assert_int_equal(rn_store_count(f->s, RN_T_ATTACHMENT, &n), RN_OK);
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(check_clean_fixtures_pass),
        cmocka_unit_test(check_fails_every_kind_of_metadata),
        cmocka_unit_test_setup_teardown(attach_makes_a_clean_derived_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(orientation_is_kept_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(unreadable_and_other_files_get_no_copy_and_are_kept,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(derive_is_idempotent_and_refuses_copies, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(forged_copy_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(rolled_back_attach_leaves_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
