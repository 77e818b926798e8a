/* SPDX-License-Identifier: Apache-2.0
 *
 * photo.c — the public's copy of a photo: the same picture without its
 * location and device metadata (docs/PHOTOS.md).
 *
 * Each format goes through the library that owns it, never a parser of ours:
 *   JPEG  libjpeg: the DCT coefficients are copied losslessly into a new
 *         file (as `jpegtran -copy none`), so no APPn or COM segment and no
 *         byte after the end of the image survives (a phone's second image
 *         in an MPF trailer carries its own EXIF with GPS). An EXIF
 *         Orientation other than "normal" is written back alone (exiv2),
 *         so the picture is shown the right way up.
 *   PNG   libpng: the pixels are copied into a new file with only the
 *         chunks that shape the image (IHDR, PLTE, tRNS, gAMA, cHRM, sRGB,
 *         sBIT, IDAT, IEND); exiv2 alone leaves tEXt chunks (Artist, Make,
 *         a Comment with coordinates) in place.
 *   WebP  libwebpmux: a new file holding the image's bitstream alone (no
 *         EXIF, XMP, ICCP or unknown chunk); exiv2 0.27 leaves the XMP chunk
 *         in place when asked to clear it (tested). Animations get no copy.
 *   TIFF  exiv2 (through gexiv2): every EXIF, XMP, IPTC tag, comment and
 *         ICC profile cleared, keeping the tags that shape the image.
 *   HEIC, AVIF  libheif decodes the picture (turned the way it is shown),
 *         libjpeg encodes it as a new JPEG (quality 92): exiv2 0.27 reads
 *         HEIF metadata but cannot write it. The copy is an image/jpeg.
 * Everything else (GIF, PDF, video ...) gets no public copy.
 *
 * Invariants:
 *  1. The original's blob is only ever read.
 *  2. No copy is stored unless rn_store_photo_check() passes on it: the
 *     check reads the result again (exiv2 for EXIF/XMP/IPTC, libjpeg for
 *     JPEG segments and trailing bytes, libpng for PNG chunks, libwebpmux
 *     for WebP chunks) and allows only an explicit list, so what it does
 *     not know fails.
 *  3. The public is served a copy only after the same check passed on its
 *     blob in this process (blobs never change, so the result is cached).
 * exiv2 is not safe for concurrent use: every call into it holds one lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gexiv2/gexiv2.h>
#include <jpeglib.h>
#include <libheif/heif.h>
#include <png.h>
#include <webp/mux.h>

#include "store/store_int.h"

enum fmt { F_NONE = 0, F_JPEG, F_PNG, F_TIFF, F_WEBP, F_HEIF };

#define PHOTO_MAX_PIXELS 150000000ull /* larger pictures get no public copy */
#define HEIF_MAX_SIDE 12247             /* floor(sqrt(PHOTO_MAX_PIXELS)) */
/* libjpeg's memory for one picture: its coefficient arrays are sized from the
 * header alone, so a few hundred bytes that declare a huge picture would
 * otherwise make it allocate gigabytes (found by fuzz_photo). Past this,
 * libjpeg asks for a backing store, which libjpeg-turbo refuses: an error. */
#define PHOTO_JPEG_MEMORY (1024L * 1024 * 1024)
#define PHOTO_MAX_CHECK (512u << 20)  /* a JPEG or WebP read in memory: 512 MiB */

static pthread_mutex_t exiv2_lock = PTHREAD_MUTEX_INITIALIZER;
static int exiv2_ready;

/* Take the exiv2 lock, initialising exiv2 (silenced: the library never
 * prints) on first use. */
static int exiv2_enter(void)
{
    pthread_mutex_lock(&exiv2_lock);
    if (!exiv2_ready) {
        if (!gexiv2_initialize()) {
            pthread_mutex_unlock(&exiv2_lock);
            return -1;
        }
        gexiv2_log_set_level(GEXIV2_LOG_LEVEL_MUTE);
        exiv2_ready = 1;
    }
    return 0;
}

static void exiv2_leave(void) { pthread_mutex_unlock(&exiv2_lock); }

/* The format, by the file's first bytes. */
static enum fmt sniff(const char *path)
{
    unsigned char h[12] = {0};
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(h, 1, sizeof h, f) : 0;
    if (f)
        fclose(f);
    if (n >= 3 && h[0] == 0xff && h[1] == 0xd8 && h[2] == 0xff)
        return F_JPEG;
    if (n >= 8 && memcmp(h, "\x89PNG\r\n\x1a\n", 8) == 0)
        return F_PNG;
    if (n >= 4 && (memcmp(h, "II*\0", 4) == 0 || memcmp(h, "MM\0*", 4) == 0))
        return F_TIFF;
    if (n >= 12 && memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WEBP", 4) == 0)
        return F_WEBP;
    if (n >= 12 && memcmp(h + 4, "ftyp", 4) == 0 &&
        (memcmp(h + 8, "heic", 4) == 0 || memcmp(h + 8, "heix", 4) == 0 ||
         memcmp(h + 8, "mif1", 4) == 0 || memcmp(h + 8, "avif", 4) == 0))
        return F_HEIF;
    return F_NONE;
}

/* ---- libjpeg -------------------------------------------------------------- */

struct jerr {
    struct jpeg_error_mgr pub; /* first: libjpeg hands us a pointer to it */
    jmp_buf *jb;
    char msg[JMSG_LENGTH_MAX];
};

static void jerr_exit(j_common_ptr c)
{
    struct jerr *e = (struct jerr *)c->err;
    (*c->err->format_message)(c, e->msg);
    longjmp(*e->jb, 1);
}

static void jerr_quiet(j_common_ptr c, int level) { (void)c, (void)level; }

static void jerr_init(struct jerr *e, jmp_buf *jb)
{
    jpeg_std_error(&e->pub);
    e->pub.error_exit = jerr_exit;
    e->pub.emit_message = jerr_quiet;
    e->jb = jb;
    e->msg[0] = '\0';
}

/* Copy the coefficients of `in` into `out`: every marker but the ones that
 * describe the image is left behind, and so is anything after EOI. */
static rn_code strip_jpeg(const char *in, const char *out, rn_error *err)
{
    struct jpeg_decompress_struct d;
    struct jpeg_compress_struct c;
    struct jerr ed, ec;
    jmp_buf jb;
    FILE *volatile fi = NULL, *volatile fo = NULL;
    volatile int made_d = 0, made_c = 0;
    volatile rn_code rc = RN_OK;

    jerr_init(&ed, &jb);
    jerr_init(&ec, &jb);
    d.err = &ed.pub;
    c.err = &ec.pub;
    fi = fopen(in, "rb");
    fo = fopen(out, "wb");
    if (!fi || !fo) {
        rc = rn__err(err, RN_EIO, "cannot open %s or %s: %s", in, out, strerror(errno));
        goto out;
    }
    if (setjmp(jb)) {
        rc = rn__err(err, RN_EINPUT, "the JPEG cannot be copied: %s",
                     ed.msg[0] ? ed.msg : ec.msg);
        goto out;
    }
    jpeg_create_decompress(&d);
    made_d = 1;
    jpeg_create_compress(&c);
    made_c = 1;
    jpeg_stdio_src(&d, fi);
    d.mem->max_memory_to_use = PHOTO_JPEG_MEMORY;
    jpeg_read_header(&d, TRUE); /* no jpeg_save_markers: APPn and COM are skipped */
    if ((unsigned long long)d.image_width * d.image_height > PHOTO_MAX_PIXELS) {
        rc = rn__err(err, RN_EINPUT, "the JPEG is larger than %llu pixels",
                     PHOTO_MAX_PIXELS);
        goto out;
    }
    jvirt_barray_ptr *coef = jpeg_read_coefficients(&d);
    jpeg_stdio_dest(&c, fo);
    jpeg_copy_critical_parameters(&d, &c);
    c.optimize_coding = TRUE;
    jpeg_write_coefficients(&c, coef);
    jpeg_finish_compress(&c);
    jpeg_finish_decompress(&d);
    if (fflush(fo) != 0 || ferror(fo))
        rc = rn__err(err, RN_EIO, "writing %s: %s", out, strerror(errno));
out:
    if (made_c)
        jpeg_destroy_compress(&c);
    if (made_d)
        jpeg_destroy_decompress(&d);
    if (fi)
        fclose(fi);
    if (fo && fclose(fo) != 0 && rc == RN_OK)
        rc = rn__err(err, RN_EIO, "writing %s: %s", out, strerror(errno));
    return rc;
}

/* The JPEG's structure, read back: only JFIF (APP0), Adobe (APP14) and
 * EXIF (APP1, its tags checked by exiv2) segments, no byte after EOI. */
static rn_code check_jpeg(const char *path, rn_error *err)
{
    struct jpeg_decompress_struct d;
    struct jerr ed;
    jmp_buf jb;
    unsigned char *volatile data = NULL;
    volatile int made = 0;
    volatile rn_code rc = RN_OK;
    FILE *f = fopen(path, "rb");
    struct stat st;

    if (!f || fstat(fileno(f), &st) != 0) {
        rc = rn__err(err, RN_EIO, "cannot read %s: %s", path, strerror(errno));
        goto out;
    }
    if (st.st_size <= 0 || (unsigned long long)st.st_size > PHOTO_MAX_CHECK) {
        rc = rn__err(err, RN_EINPUT, "the JPEG is empty or larger than 512 MiB");
        goto out;
    }
    data = rn__malloc((size_t)st.st_size);
    if (!data) {
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    if (fread(data, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        rc = rn__err(err, RN_EIO, "cannot read %s", path);
        goto out;
    }
    jerr_init(&ed, &jb);
    d.err = &ed.pub;
    if (setjmp(jb)) {
        rc = rn__err(err, RN_EINPUT, "not a readable JPEG: %s", ed.msg);
        goto out;
    }
    jpeg_create_decompress(&d);
    made = 1;
    jpeg_mem_src(&d, data, (unsigned long)st.st_size);
    jpeg_save_markers(&d, JPEG_COM, 0xffff);
    for (int m = 0; m < 16; m++)
        jpeg_save_markers(&d, JPEG_APP0 + m, 0xffff);
    d.mem->max_memory_to_use = PHOTO_JPEG_MEMORY;
    jpeg_read_header(&d, TRUE);
    if ((unsigned long long)d.image_width * d.image_height > PHOTO_MAX_PIXELS) {
        rc = rn__err(err, RN_EINPUT, "the JPEG is larger than %llu pixels", PHOTO_MAX_PIXELS);
        goto out;
    }
    for (jpeg_saved_marker_ptr m = d.marker_list; m; m = m->next) {
        int ok = (m->marker == JPEG_APP0 && m->data_length >= 5 &&
                  memcmp(m->data, "JFIF", 5) == 0) ||
                 (m->marker == JPEG_APP0 + 14 && m->data_length >= 5 &&
                  memcmp(m->data, "Adobe", 5) == 0) ||
                 (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 &&
                  memcmp(m->data, "Exif\0\0", 6) == 0);
        if (!ok) {
            if (m->marker == JPEG_COM)
                rc = rn__err(err, RN_EINPUT, "the JPEG holds a comment (COM segment)");
            else
                rc = rn__err(err, RN_EINPUT, "the JPEG holds an APP%d segment that is not "
                                             "allowed", m->marker - JPEG_APP0);
            goto out;
        }
    }
    jpeg_read_coefficients(&d);
    jpeg_finish_decompress(&d);
    if (d.src->bytes_in_buffer != 0)
        rc = rn__err(err, RN_EINPUT, "the JPEG has %zu bytes after its end",
                     d.src->bytes_in_buffer);
out:
    if (made)
        jpeg_destroy_decompress(&d);
    if (f)
        fclose(f);
    free(data);
    return rc;
}

/* ---- libpng --------------------------------------------------------------- */

struct perr {
    jmp_buf jb;
    char msg[200];
};

static void perr_fn(png_structp p, png_const_charp msg)
{
    struct perr *e = png_get_error_ptr(p);
    snprintf(e->msg, sizeof e->msg, "%s", msg);
    longjmp(e->jb, 1);
}

static void pwarn_fn(png_structp p, png_const_charp msg) { (void)p, (void)msg; }

/* libpng's allocations, each at most 64 MiB: a chunk's length is read from
 * the file before its data (png_set_chunk_malloc_max did not stop a 1.9 GB
 * tEXt in a 295-byte file: found by fuzz_photo). */
#define PNG_ALLOC_MAX (64u << 20)
static png_voidp pmalloc(png_structp p, png_alloc_size_t n)
{
    (void)p;
    return n <= PNG_ALLOC_MAX ? rn__malloc(n) : NULL;
}

static void pfree(png_structp p, png_voidp v)
{
    (void)p;
    free(v);
}

static png_structp png_reader(struct perr *e)
{
    return png_create_read_struct_2(PNG_LIBPNG_VER_STRING, e, perr_fn, pwarn_fn, NULL, pmalloc,
                                    pfree);
}

/* Rows for the whole picture of an opened PNG (freed by the caller with
 * free_rows, also after a longjmp out of png_read_image: so the caller
 * holds them before reading). Limits the size before allocating. */
static png_bytep *alloc_rows(png_structp rp, png_infop ri)
{
    png_set_interlace_handling(rp);
    png_read_update_info(rp, ri);
    png_uint_32 h = png_get_image_height(rp, ri);
    size_t rb = png_get_rowbytes(rp, ri);
    if ((unsigned long long)rb * h > (unsigned long long)PHOTO_MAX_PIXELS * 8)
        perr_fn(rp, "the picture is too large for a public copy");
    png_bytep *rows = rn__calloc(h ? h : 1, sizeof *rows);
    if (!rows)
        perr_fn(rp, "out of memory");
    for (png_uint_32 y = 0; y < h; y++) {
        rows[y] = rn__malloc(rb ? rb : 1);
        if (!rows[y]) {
            for (png_uint_32 k = 0; k < y; k++)
                free(rows[k]);
            free(rows);
            perr_fn(rp, "out of memory");
        }
    }
    return rows;
}

static void free_rows(png_bytep *rows, png_uint_32 h)
{
    if (!rows)
        return;
    for (png_uint_32 y = 0; y < h; y++)
        free(rows[y]);
    free(rows);
}

static void png_limits(png_structp rp)
{
    png_set_user_limits(rp, 100000, 100000);
    png_set_chunk_malloc_max(rp, PNG_ALLOC_MAX);
}

/* A new PNG with the pixels of `in` and only the chunks that shape them. */
static rn_code strip_png(const char *in, const char *out, rn_error *err)
{
    struct perr e;
    png_structp rp = NULL, wp = NULL;
    png_infop ri = NULL, wi = NULL;
    png_bytep *volatile rows = NULL;
    volatile png_uint_32 h = 0;
    FILE *volatile fi = NULL, *volatile fo = NULL;
    volatile rn_code rc = RN_OK;

    e.msg[0] = '\0';
    fi = fopen(in, "rb");
    fo = fopen(out, "wb");
    if (!fi || !fo) {
        rc = rn__err(err, RN_EIO, "cannot open %s or %s: %s", in, out, strerror(errno));
        goto out;
    }
    rp = png_reader(&e);
    wp = png_create_write_struct(PNG_LIBPNG_VER_STRING, &e, perr_fn, pwarn_fn);
    ri = rp ? png_create_info_struct(rp) : NULL;
    wi = wp ? png_create_info_struct(wp) : NULL;
    if (!ri || !wi) {
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    if (setjmp(e.jb)) {
        rc = rn__err(err, RN_EINPUT, "the PNG cannot be copied: %s", e.msg);
        goto out;
    }
    png_limits(rp);
    png_set_keep_unknown_chunks(rp, PNG_HANDLE_CHUNK_NEVER, NULL, 0);
    png_init_io(rp, fi);
    png_read_info(rp, ri);
    png_uint_32 w, hh;
    int depth, ctype, ilace, comp, filt;
    png_get_IHDR(rp, ri, &w, &hh, &depth, &ctype, &ilace, &comp, &filt);
    rows = alloc_rows(rp, ri);
    h = hh;
    png_read_image(rp, rows);
    png_read_end(rp, NULL);

    png_init_io(wp, fo);
    png_set_IHDR(wp, wi, w, hh, depth, ctype, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_colorp pal;
    int npal;
    if (png_get_PLTE(rp, ri, &pal, &npal))
        png_set_PLTE(wp, wi, pal, npal);
    png_bytep ta;
    int nt;
    png_color_16p tc;
    if (png_get_tRNS(rp, ri, &ta, &nt, &tc))
        png_set_tRNS(wp, wi, ta, nt, tc);
    png_fixed_point g;
    if (png_get_gAMA_fixed(rp, ri, &g))
        png_set_gAMA_fixed(wp, wi, g);
    int intent;
    if (png_get_sRGB(rp, ri, &intent))
        png_set_sRGB(wp, wi, intent);
    png_fixed_point cx[8];
    if (png_get_cHRM_fixed(rp, ri, &cx[0], &cx[1], &cx[2], &cx[3], &cx[4], &cx[5], &cx[6],
                           &cx[7]))
        png_set_cHRM_fixed(wp, wi, cx[0], cx[1], cx[2], cx[3], cx[4], cx[5], cx[6], cx[7]);
    png_color_8p sb;
    if (png_get_sBIT(rp, ri, &sb))
        png_set_sBIT(wp, wi, sb);
    png_write_info(wp, wi);
    png_write_image(wp, rows);
    png_write_end(wp, NULL);
    if (fflush(fo) != 0 || ferror(fo))
        rc = rn__err(err, RN_EIO, "writing %s: %s", out, strerror(errno));
out:
    free_rows(rows, h);
    if (rp)
        png_destroy_read_struct(&rp, ri ? &ri : NULL, NULL);
    if (wp)
        png_destroy_write_struct(&wp, wi ? &wi : NULL);
    if (fi)
        fclose(fi);
    if (fo && fclose(fo) != 0 && rc == RN_OK)
        rc = rn__err(err, RN_EIO, "writing %s: %s", out, strerror(errno));
    return rc;
}

/* The PNG read back in full: no text, time, eXIf, iCCP or unknown chunk. */
static rn_code check_png(const char *path, rn_error *err)
{
    struct perr e;
    png_structp rp = NULL;
    png_infop ri = NULL, re = NULL;
    png_bytep *volatile rows = NULL;
    volatile png_uint_32 h = 0;
    volatile rn_code rc = RN_OK;
    FILE *f = fopen(path, "rb");

    e.msg[0] = '\0';
    if (!f) {
        rc = rn__err(err, RN_EIO, "cannot read %s: %s", path, strerror(errno));
        goto out;
    }
    rp = png_reader(&e);
    ri = rp ? png_create_info_struct(rp) : NULL;
    re = rp ? png_create_info_struct(rp) : NULL;
    if (!ri || !re) {
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    if (setjmp(e.jb)) {
        rc = rn__err(err, RN_EINPUT, "not a readable PNG: %s", e.msg);
        goto out;
    }
    png_limits(rp);
    png_set_keep_unknown_chunks(rp, PNG_HANDLE_CHUNK_ALWAYS, NULL, 0);
    png_init_io(rp, f);
    png_read_info(rp, ri);
    rows = alloc_rows(rp, ri);
    h = png_get_image_height(rp, ri);
    png_read_image(rp, rows);
    png_read_end(rp, re);
    const png_uint_32 banned = PNG_INFO_tIME | PNG_INFO_iCCP | PNG_INFO_eXIf |
                               PNG_INFO_pCAL | PNG_INFO_sCAL | PNG_INFO_sPLT;
    png_textp t;
    png_unknown_chunkp u;
    for (int i = 0; i < 2; i++) {
        png_infop in = i ? re : ri;
        if (png_get_text(rp, in, &t, NULL) > 0 || png_get_valid(rp, in, banned) ||
            png_get_unknown_chunks(rp, in, &u) > 0) {
            rc = rn__err(err, RN_EINPUT, "the PNG holds text, time, EXIF, a profile or "
                                         "chunks that are not allowed");
            goto out;
        }
    }
out:
    free_rows(rows, h);
    if (rp)
        png_destroy_read_struct(&rp, ri ? &ri : NULL, re ? &re : NULL);
    if (f)
        fclose(f);
    return rc;
}

/* ---- libwebpmux ------------------------------------------------------------ */

/* The whole file into *out (malloc'd), at most PHOTO_MAX_CHECK bytes. */
static rn_code read_all(const char *path, unsigned char **out, size_t *n, rn_error *err)
{
    struct stat st;
    rn_code rc = RN_OK;
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f || fstat(fileno(f), &st) != 0) {
        rc = rn__err(err, RN_EIO, "cannot read %s: %s", path, strerror(errno));
        goto out;
    }
    if (st.st_size <= 0 || (unsigned long long)st.st_size > PHOTO_MAX_CHECK) {
        rc = rn__err(err, RN_EINPUT, "the file is empty or larger than 512 MiB");
        goto out;
    }
    *out = rn__malloc((size_t)st.st_size);
    if (!*out) {
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    if (fread(*out, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        rc = rn__err(err, RN_EIO, "cannot read %s", path);
        free(*out);
        *out = NULL;
        goto out;
    }
    *n = (size_t)st.st_size;
out:
    if (f)
        fclose(f);
    return rc;
}

/* A new WebP holding only the image (VP8/VP8L, with ALPH) of `in`. */
static rn_code strip_webp(const char *in, const char *out, rn_error *err)
{
    unsigned char *buf = NULL;
    size_t n = 0;
    WebPMux *m = NULL, *nm = NULL;
    WebPMuxFrameInfo fr;
    WebPData o;
    uint32_t flags = 0;
    FILE *fo = NULL;
    memset(&fr, 0, sizeof fr);
    WebPDataInit(&o);
    rn_code rc = read_all(in, &buf, &n, err);
    if (rc)
        return rc;
    WebPData d = {buf, n};
    m = WebPMuxCreate(&d, 0);
    if (!m || WebPMuxGetFeatures(m, &flags) != WEBP_MUX_OK) {
        rc = rn__err(err, RN_EINPUT, "not a readable WebP");
        goto out;
    }
    if (flags & ANIMATION_FLAG) {
        rc = rn__err(err, RN_EINPUT, "an animated WebP gets no public copy");
        goto out;
    }
    nm = WebPMuxNew();
    if (WebPMuxGetFrame(m, 1, &fr) != WEBP_MUX_OK || !nm ||
        WebPMuxSetImage(nm, &fr.bitstream, 1) != WEBP_MUX_OK ||
        WebPMuxAssemble(nm, &o) != WEBP_MUX_OK) {
        rc = rn__err(err, RN_EINPUT, "the WebP's image cannot be copied");
        goto out;
    }
    fo = fopen(out, "wb");
    if (!fo || fwrite(o.bytes, 1, o.size, fo) != o.size || fflush(fo) != 0)
        rc = rn__err(err, RN_EIO, "writing %s: %s", out, strerror(errno));
out:
    if (fo && fclose(fo) != 0 && rc == RN_OK)
        rc = rn__err(err, RN_EIO, "writing %s: %s", out, strerror(errno));
    WebPDataClear(&fr.bitstream);
    WebPDataClear(&o);
    WebPMuxDelete(nm);
    WebPMuxDelete(m);
    free(buf);
    return rc;
}

/* The WebP's chunks, read back: an image and nothing else, and no byte
 * after the RIFF container. */
static rn_code check_webp(const char *path, rn_error *err)
{
    unsigned char *buf = NULL;
    size_t n = 0;
    uint32_t flags = 0;
    int extra = 0;
    WebPMux *m = NULL;
    rn_code rc = read_all(path, &buf, &n, err);
    if (rc)
        return rc;
    WebPData d = {buf, n};
    m = WebPMuxCreate(&d, 0);
    if (!m || WebPMuxGetFeatures(m, &flags) != WEBP_MUX_OK) {
        rc = rn__err(err, RN_EINPUT, "not a readable WebP");
        goto out;
    }
    static const WebPChunkId banned[] = {WEBP_CHUNK_EXIF, WEBP_CHUNK_XMP, WEBP_CHUNK_ICCP,
                                         WEBP_CHUNK_UNKNOWN, WEBP_CHUNK_ANMF};
    for (size_t i = 0; i < sizeof banned / sizeof *banned; i++) {
        int k = 0;
        if (WebPMuxNumChunks(m, banned[i], &k) != WEBP_MUX_OK || k > 0)
            extra = 1;
    }
    /* RIFF size (little-endian at offset 4) plus its 8-byte header is the file */
    size_t riff = n >= 8 ? ((size_t)buf[4] | (size_t)buf[5] << 8 | (size_t)buf[6] << 16 |
                            (size_t)buf[7] << 24) + 8 : 0;
    if (extra || (flags & (ANIMATION_FLAG | XMP_FLAG | EXIF_FLAG | ICCP_FLAG)))
        rc = rn__err(err, RN_EINPUT, "the WebP holds EXIF, XMP, a profile, an animation or "
                                     "chunks that are not allowed");
    else if (riff != n)
        rc = rn__err(err, RN_EINPUT, "the WebP has bytes outside its RIFF container");
out:
    WebPMuxDelete(m);
    free(buf);
    return rc;
}

/* ---- libheif -> libjpeg --------------------------------------------------------- */

static pthread_once_t heif_once = PTHREAD_ONCE_INIT;
static void heif_start(void) { heif_init(NULL); }

/* Encode interleaved 8-bit RGB rows as a baseline JPEG in `out`. */
static rn_code encode_jpeg(const char *out, const uint8_t *rgb, int stride, int w, int h,
                           rn_error *err)
{
    struct jpeg_compress_struct c;
    struct jerr ec;
    jmp_buf jb;
    FILE *volatile fo = fopen(out, "wb");
    volatile int made = 0;
    volatile rn_code rc = RN_OK;
    jerr_init(&ec, &jb);
    c.err = &ec.pub;
    if (!fo) {
        rc = rn__err(err, RN_EIO, "cannot write %s: %s", out, strerror(errno));
        goto out;
    }
    if (setjmp(jb)) {
        rc = rn__err(err, RN_EINPUT, "the picture cannot be written as JPEG: %s", ec.msg);
        goto out;
    }
    jpeg_create_compress(&c);
    made = 1;
    jpeg_stdio_dest(&c, fo);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 92, TRUE);
    c.optimize_coding = TRUE;
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = (JSAMPROW)(rgb + (size_t)stride * c.next_scanline);
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    if (fflush(fo) != 0 || ferror(fo))
        rc = rn__err(err, RN_EIO, "writing %s: %s", out, strerror(errno));
out:
    if (made)
        jpeg_destroy_compress(&c);
    if (fo && fclose(fo) != 0 && rc == RN_OK)
        rc = rn__err(err, RN_EIO, "writing %s: %s", out, strerror(errno));
    return rc;
}

/* The primary picture of a HEIF file (HEIC, AVIF), as it is shown (its
 * rotation and mirroring applied), written as a new JPEG: nothing of the
 * container (EXIF, XMP, depth maps, thumbnails) comes along. */
static rn_code strip_heif(const char *in, const char *out, rn_error *err)
{
    struct heif_context *ctx = NULL;
    struct heif_image_handle *hd = NULL;
    struct heif_image *img = NULL;
    struct heif_error he;
    rn_code rc = RN_OK;
    pthread_once(&heif_once, heif_start);
    ctx = heif_context_alloc();
    if (!ctx)
        return rn__err(err, RN_ENOMEM, "out of memory");
    /* libheif checks each image it decodes (the primary one and every tile
     * of a grid) against a width and height limit, not against an area:
     * the square root of PHOTO_MAX_PIXELS keeps every one of them within
     * the pictures we make copies of. With 30000 a 32x24 grid of tiles that
     * claimed 24681x27759 pixels each made libde265 allocate 4 GB
     * (fuzz_photo, corpus file grid-huge-tile.heic). */
    heif_context_set_maximum_image_size_limit(ctx, HEIF_MAX_SIDE);
    he = heif_context_read_from_file(ctx, in, NULL);
    if (he.code == heif_error_Ok)
        he = heif_context_get_primary_image_handle(ctx, &hd);
    if (he.code != heif_error_Ok) {
        rc = rn__err(err, RN_EINPUT, "not a readable HEIF file: %.200s", he.message);
        goto out;
    }
    int w = heif_image_handle_get_width(hd), h = heif_image_handle_get_height(hd);
    if (w <= 0 || h <= 0 || (unsigned long long)w * (unsigned long long)h > PHOTO_MAX_PIXELS) {
        rc = rn__err(err, RN_EINPUT, "the HEIF picture is empty or larger than %llu pixels",
                     PHOTO_MAX_PIXELS);
        goto out;
    }
    he = heif_decode_image(hd, &img, heif_colorspace_RGB, heif_chroma_interleaved_RGB, NULL);
    if (he.code != heif_error_Ok) {
        rc = rn__err(err, RN_EINPUT, "the HEIF picture cannot be decoded: %.200s", he.message);
        goto out;
    }
    int stride = 0;
    const uint8_t *px = heif_image_get_plane_readonly(img, heif_channel_interleaved, &stride);
    w = heif_image_get_width(img, heif_channel_interleaved);
    h = heif_image_get_height(img, heif_channel_interleaved);
    if (!px || w <= 0 || h <= 0 || stride < w * 3) {
        rc = rn__err(err, RN_EINPUT, "the HEIF picture decoded to nothing usable");
        goto out;
    }
    rc = encode_jpeg(out, px, stride, w, h, err);
out:
    if (img)
        heif_image_release(img);
    if (hd)
        heif_image_handle_release(hd);
    heif_context_free(ctx);
    return rc;
}

/* ---- exiv2 ---------------------------------------------------------------- */

/* EXIF tags a clean copy may keep: they shape the image, nothing else. */
static const char *const exif_allowed[] = {
    "Exif.Image.NewSubfileType", "Exif.Image.SubfileType", "Exif.Image.ImageWidth",
    "Exif.Image.ImageLength", "Exif.Image.BitsPerSample", "Exif.Image.Compression",
    "Exif.Image.PhotometricInterpretation", "Exif.Image.FillOrder",
    "Exif.Image.StripOffsets", "Exif.Image.Orientation", "Exif.Image.SamplesPerPixel",
    "Exif.Image.RowsPerStrip", "Exif.Image.StripByteCounts", "Exif.Image.XResolution",
    "Exif.Image.YResolution", "Exif.Image.PlanarConfiguration", "Exif.Image.ResolutionUnit",
    "Exif.Image.Predictor", "Exif.Image.ColorMap", "Exif.Image.TileWidth",
    "Exif.Image.TileLength", "Exif.Image.TileOffsets", "Exif.Image.TileByteCounts",
    "Exif.Image.ExtraSamples", "Exif.Image.SampleFormat", "Exif.Image.YCbCrSubSampling",
    "Exif.Image.YCbCrPositioning", "Exif.Image.ReferenceBlackWhite", "Exif.Image.JPEGTables",
    NULL};

static int exif_ok(const char *tag)
{
    for (size_t i = 0; exif_allowed[i]; i++)
        if (strcmp(tag, exif_allowed[i]) == 0)
            return 1;
    return 0;
}

/* Call with the exiv2 lock held. */
static rn_code check_exiv2(const char *path, rn_error *err)
{
    GError *ge = NULL;
    gchar **tags = NULL, *comment = NULL;
    rn_code rc = RN_OK;
    GExiv2Metadata *m = gexiv2_metadata_new();
    if (!m)
        return rn__err(err, RN_ENOMEM, "out of memory");
    if (!gexiv2_metadata_open_path(m, path, &ge)) {
        rc = rn__err(err, RN_EINPUT, "exiv2 cannot read it: %s", ge ? ge->message : "?");
        goto out;
    }
    if (gexiv2_metadata_has_xmp(m) || gexiv2_metadata_has_iptc(m)) {
        rc = rn__err(err, RN_EINPUT, "XMP or IPTC metadata remains");
        goto out;
    }
    comment = gexiv2_metadata_try_get_comment(m, NULL);
    if (comment && comment[0]) {
        rc = rn__err(err, RN_EINPUT, "a comment remains");
        goto out;
    }
    tags = gexiv2_metadata_get_exif_tags(m);
    for (size_t i = 0; tags && tags[i]; i++) {
        if (!exif_ok(tags[i])) {
            rc = rn__err(err, RN_EINPUT, "EXIF tag %.80s remains", tags[i]);
            goto out;
        }
    }
out:
    g_strfreev(tags);
    g_free(comment);
    if (ge)
        g_error_free(ge);
    g_object_unref(m);
    return rc;
}

/* Clear every EXIF, XMP, IPTC tag, comment and profile of `path` in place
 * (a copy of the original). Call with the exiv2 lock held. */
static rn_code strip_exiv2(const char *path, rn_error *err)
{
    GError *ge = NULL;
    rn_code rc = RN_OK;
    GExiv2Metadata *m = gexiv2_metadata_new();
    if (!m)
        return rn__err(err, RN_ENOMEM, "out of memory");
    if (!gexiv2_metadata_open_path(m, path, &ge)) {
        rc = rn__err(err, RN_EINPUT, "exiv2 cannot read it: %s", ge ? ge->message : "?");
        goto out;
    }
    gexiv2_metadata_clear(m);
    if (!gexiv2_metadata_save_file(m, path, &ge))
        rc = rn__err(err, RN_EINPUT, "exiv2 cannot write it: %s", ge ? ge->message : "?");
out:
    if (ge)
        g_error_free(ge);
    g_object_unref(m);
    return rc;
}

/* The EXIF orientation of `path` (1 = as stored; 0 when none or unknown).
 * Call with the exiv2 lock held. */
static long orientation_of(const char *path)
{
    long o = 0;
    GExiv2Metadata *m = gexiv2_metadata_new();
    if (m && gexiv2_metadata_open_path(m, path, NULL) &&
        gexiv2_metadata_try_has_tag(m, "Exif.Image.Orientation", NULL))
        o = gexiv2_metadata_try_get_tag_long(m, "Exif.Image.Orientation", NULL);
    if (m)
        g_object_unref(m);
    return o >= 1 && o <= 8 ? o : 0;
}

/* Write the orientation alone into `path`. Call with the exiv2 lock held. */
static rn_code set_orientation(const char *path, long o, rn_error *err)
{
    GError *ge = NULL;
    rn_code rc = RN_OK;
    GExiv2Metadata *m = gexiv2_metadata_new();
    if (!m)
        return rn__err(err, RN_ENOMEM, "out of memory");
    if (!gexiv2_metadata_open_path(m, path, &ge) ||
        !gexiv2_metadata_try_set_tag_long(m, "Exif.Image.Orientation", o, &ge) ||
        !gexiv2_metadata_save_file(m, path, &ge))
        rc = rn__err(err, RN_EINPUT, "cannot keep the orientation: %s",
                     ge ? ge->message : "?");
    if (ge)
        g_error_free(ge);
    g_object_unref(m);
    return rc;
}

/* ---- the check and the copy -------------------------------------------- */

rn_code rn_store_photo_check(const char *path, rn_error *err)
{
    enum fmt f = sniff(path);
    rn_code rc = RN_OK;
    if (f == F_NONE || f == F_HEIF)
        return rn__err(err, RN_EINPUT, "%s is not a JPEG, PNG, TIFF or WebP file%s", path,
                       f == F_HEIF ? " (a HEIF file's public copy is a JPEG)" : "");
    if (f == F_JPEG)
        rc = check_jpeg(path, err);
    else if (f == F_PNG)
        rc = check_png(path, err);
    else if (f == F_WEBP)
        rc = check_webp(path, err);
    if (rc)
        return rc;
    if (exiv2_enter())
        return rn__err(err, RN_EIO, "exiv2 could not be initialised");
    rc = check_exiv2(path, err);
    exiv2_leave();
    return rc;
}

/* Copy a file (both paths ours; the copy gets mode 0600). */
static rn_code copy_file(const char *from, const char *to, rn_error *err)
{
    char buf[1 << 16];
    rn_code rc = RN_OK;
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    if (!in || !out) {
        rc = rn__err(err, RN_EIO, "cannot copy %s: %s", from, strerror(errno));
        goto out;
    }
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            break;
    if (ferror(in) || ferror(out) || fflush(out) != 0)
        rc = rn__err(err, RN_EIO, "cannot copy %s: %s", from, strerror(errno));
out:
    if (in)
        fclose(in);
    if (out && fclose(out) != 0 && rc == RN_OK)
        rc = rn__err(err, RN_EIO, "cannot copy %s: %s", from, strerror(errno));
    return rc;
}

rn_code rn__photo_strip(const char *src, const char *dst, rn_error *err)
{
    rn_code rc = RN_OK;
    enum fmt f = sniff(src);
    if (f == F_NONE)
        return rn__err(err, RN_EINPUT, "no public copy can be made of this file: only JPEG, "
                                       "PNG, TIFF, WebP and HEIC/AVIF photos are cleaned of "
                                       "metadata");
    if (f == F_JPEG) {
        rc = strip_jpeg(src, dst, err);
        if (!rc) {
            if (exiv2_enter())
                return rn__err(err, RN_EIO, "exiv2 could not be initialised");
            long o = orientation_of(src);
            if (o > 1)
                rc = set_orientation(dst, o, err);
            exiv2_leave();
        }
    } else if (f == F_PNG) {
        rc = strip_png(src, dst, err);
    } else if (f == F_WEBP) {
        rc = strip_webp(src, dst, err);
    } else if (f == F_HEIF) {
        rc = strip_heif(src, dst, err);
    } else {
        rc = copy_file(src, dst, err);
        if (!rc) {
            if (exiv2_enter())
                return rn__err(err, RN_EIO, "exiv2 could not be initialised");
            rc = strip_exiv2(dst, err);
            exiv2_leave();
        }
    }
    if (!rc)
        rc = rn_store_photo_check(dst, err);
    if (rc == RN_EINPUT && err)
        rn__err(err, RN_EINPUT, "no public copy: %.400s", err->message);
    return rc;
}

/* Make the clean copy of the blob `sha` and store it as a blob: its digest
 * and size into OUT sha_out, size_out. RN_EINPUT when it cannot be made. */
static rn_code make_public_blob(rn_store *s, const char *sha, char sha_out[65],
                                uint64_t *size_out, const char **mt_out, rn_error *err)
{
    char src[4200], tmp[4200] = "";
    rn_code rc = RN_OK;
    int fd;
    if (rn_store_blob_path(s, sha, src, sizeof src) != RN_OK)
        return rn__err(err, RN_EINVAL, "not a SHA-256: %.70s", sha);
    if (sniff(src) == F_NONE)
        return rn__photo_strip(src, "", err); /* says why, writes nothing */
    if (mkdir(s->blob_dir, 0755) != 0 && errno != EEXIST)
        return rn__err(err, RN_EIO, "cannot create %s: %s", s->blob_dir, strerror(errno));
    snprintf(tmp, sizeof tmp, "%s/.public-XXXXXX", s->blob_dir);
    fd = mkstemp(tmp);
    if (fd < 0) {
        tmp[0] = '\0';
        rc = rn__err(err, RN_EIO, "cannot write in %s: %s", s->blob_dir, strerror(errno));
        goto out;
    }
    close(fd);
    rc = rn__photo_strip(src, tmp, err);
    if (!rc) {
        static const char *const types[] = {[F_JPEG] = "image/jpeg", [F_PNG] = "image/png",
                                            [F_TIFF] = "image/tiff", [F_WEBP] = "image/webp"};
        enum fmt g = sniff(tmp);
        *mt_out = g == F_NONE || g == F_HEIF ? NULL : types[g];
        rc = rn__blob_put(s->blob_dir, tmp, sha_out, size_out, err);
    }
out:
    if (tmp[0])
        unlink(tmp);
    return rc;
}

/* The first attachment derived from `id` as its public copy, or NULL. */
static rn_code find_copy(rn_store *s, const char *id, rn_record **out, rn_error *err)
{
    *out = NULL;
    rn_filter f[2] = {{"derived_from", id}, {"derivation", RN_DERIVATION_PUBLIC}};
    rn_cursor *c = NULL;
    const rn_record *r = NULL;
    rn_code rc = rn_store_list(s, RN_T_ATTACHMENT, f, 2, 1, 0, &c, err);
    if (!rc)
        rc = rn_cursor_next(c, &r, err);
    if (!rc && r) {
        /* the cursor owns r and must be finished before the next read */
        char cid[RN_ID_LEN + 1];
        memcpy(cid, rn_record_id(r), RN_ID_LEN + 1);
        rn_cursor_free(c);
        c = NULL;
        rc = rn_store_get(s, cid, out, err);
    }
    rn_cursor_free(c);
    return rc;
}

/* The record of a public copy of `orig` made from the blob sha/size, of
 * media type mt (NULL: the original's). */
static rn_code copy_record(const rn_record *orig, const char *sha, uint64_t size,
                           const char *mt, rn_record **out, rn_error *err)
{
    char num[32];
    rn_record *r = rn_record_new(RN_T_ATTACHMENT);
    if (!r)
        return rn__err(err, RN_ENOMEM, "out of memory");
    if (!mt)
        mt = rn_record_get(orig, "media_type", NULL);
    int n = snprintf(num, sizeof num, "%llu", (unsigned long long)size);
    rn_code rc = rn_record_set(r, "sha256", sha, 64, err);
    if (!rc) rc = rn_record_set(r, "size", num, (size_t)n, err);
    if (!rc) rc = rn_record_set(r, "media_type", mt ? mt : "image/jpeg",
                                strlen(mt ? mt : "image/jpeg"), err);
    if (!rc) rc = rn_record_set(r, "derived_from", rn_record_id(orig), RN_ID_LEN, err);
    if (!rc) rc = rn_record_set(r, "derivation", RN_DERIVATION_PUBLIC,
                                strlen(RN_DERIVATION_PUBLIC), err);
    if (rc) {
        rn_record_free(r);
        return rc;
    }
    *out = r;
    return RN_OK;
}

rn_code rn__photo_prepare(rn_store *s, const rn_record *orig, rn_record **out, rn_error *err)
{
    char sha[65];
    uint64_t size = 0;
    *out = NULL;
    const char *osha = rn_record_get(orig, "sha256", NULL);
    const char *from = rn_record_get(orig, "derived_from", NULL);
    if (from)
        return rn__err(err, RN_EINPUT, "%s is itself made from %s", rn_record_id(orig), from);
    if (!osha)
        return rn__err(err, RN_EINPUT, "the attachment has no content");
    const char *mt = NULL; /* the copy's own: a HEIC's copy is a JPEG */
    rn_code rc = make_public_blob(s, osha, sha, &size, &mt, err);
    if (!rc)
        rc = copy_record(orig, sha, size, mt, out, err);
    return rc;
}

rn_code rn_store_photo_derive(rn_store *s, const char *id, char out_id[RN_ID_LEN + 1],
                              rn_error *err)
{
    rn_record *orig = NULL, *copy = NULL;
    out_id[0] = '\0';
    if (s->readonly)
        return rn__err(err, RN_EREADONLY, "the store was opened read-only");
    rn_code rc = rn_store_get(s, id, &orig, err);
    if (!rc && rn_record_type(orig) != RN_T_ATTACHMENT)
        rc = rn__err(err, RN_EINPUT, "%s is a %s, not an attachment", id,
                     rn_type_name(rn_record_type(orig)));
    if (!rc)
        rc = find_copy(s, id, &copy, err);
    if (!rc && copy) {
        memcpy(out_id, rn_record_id(copy), RN_ID_LEN + 1);
        goto out;
    }
    if (!rc)
        rc = rn__photo_prepare(s, orig, &copy, err);
    if (!rc)
        rc = rn_store_put(s, copy, RN_PUT_CREATE, err);
    if (!rc)
        memcpy(out_id, rn_record_id(copy), RN_ID_LEN + 1);
out:
    rn_record_free(orig);
    rn_record_free(copy);
    return rc;
}

/* Blobs that passed the check in this process (blobs never change). */
#define CLEAN_CACHE 256
static char clean_cache[CLEAN_CACHE][65];
static unsigned clean_next;
static pthread_mutex_t clean_lock = PTHREAD_MUTEX_INITIALIZER;

static int cached_clean(const char *sha)
{
    int hit = 0;
    pthread_mutex_lock(&clean_lock);
    for (unsigned i = 0; i < CLEAN_CACHE && !hit; i++)
        hit = strcmp(clean_cache[i], sha) == 0;
    pthread_mutex_unlock(&clean_lock);
    return hit;
}

static void remember_clean(const char *sha)
{
    pthread_mutex_lock(&clean_lock);
    memcpy(clean_cache[clean_next % CLEAN_CACHE], sha, 65);
    clean_next++;
    pthread_mutex_unlock(&clean_lock);
}

rn_code rn_store_photo_public(rn_store *s, const char *id, rn_record **out, rn_error *err)
{
    rn_record *copy = NULL;
    char path[4200];
    *out = NULL;
    /* asked for a public copy itself: it is its own public copy */
    rn_code rc = rn_store_get(s, id, &copy, err);
    const char *dv = rc ? NULL : rn_record_get(copy, "derivation", NULL);
    if (!rc && rn_record_type(copy) != RN_T_ATTACHMENT)
        rc = rn__err(err, RN_ENOTFOUND, "%.40s is not an attachment", id);
    if (!rc && !(dv && strcmp(dv, RN_DERIVATION_PUBLIC) == 0 &&
                 rn_record_get(copy, "derived_from", NULL))) {
        rn_record_free(copy);
        copy = NULL;
        rc = find_copy(s, id, &copy, err);
    }
    if (!rc && !copy)
        return rn__err(err, RN_ENOTFOUND, "attachment %.40s has no public copy", id);
    const char *sha = rc ? NULL : rn_record_get(copy, "sha256", NULL);
    if (!rc && (!sha || strlen(sha) != 64 ||
                rn_store_blob_path(s, sha, path, sizeof path) != RN_OK))
        rc = rn__err(err, RN_EINPUT, "the public copy of %.40s names no blob", id);
    if (!rc && !cached_clean(sha)) {
        rc = rn_store_photo_check(path, err);
        if (!rc)
            remember_clean(sha);
    }
    if (rc) {
        rn_record_free(copy);
        return rc;
    }
    *out = copy;
    return RN_OK;
}
