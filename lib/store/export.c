/* SPDX-License-Identifier: Apache-2.0
 *
 * export.c — `remnant export`: every record as JSON Lines, or one type as
 * CSV, in an order that imports back: referenced types before the types
 * that refer to them, and items parents first. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store_int.h"

/* Referenced before referring; findings last, as they may cite anything. */
static const rn_type export_order[RN_T_COUNT] = {
    RN_T_ENTITY, RN_T_SANCTION, RN_T_EVENT, RN_T_ITEM, RN_T_ATTACHMENT,
    RN_T_MARKING, RN_T_CLAIM, RN_T_CUSTODY, RN_T_TRANSFER, RN_T_TRACE, RN_T_FINDING,
};

static rn_code csv_cell(rn_buf *b, const char *v, size_t n)
{
    int quote = n > 0 && (v[0] == ' ' || v[n - 1] == ' ');
    for (size_t i = 0; i < n && !quote; i++)
        quote = v[i] == ',' || v[i] == '"' || v[i] == '\n' || v[i] == '\r';
    if (!quote)
        return rn__buf_add(b, v, n);
    rn_code rc = rn__buf_addc(b, '"');
    for (size_t i = 0; i < n && !rc; i++)
        rc = v[i] == '"' ? rn__buf_add(b, "\"\"", 2) : rn__buf_addc(b, v[i]);
    return rc ? rc : rn__buf_addc(b, '"');
}

/* A canonical JSON array of strings as the ';'-separated text form. Items
 * never contain ';' (refused on input) and were escaped only for JSON. */
static rn_code list_text(rn_buf *b, const char *v, size_t n)
{
    rn_buf t;
    rn__buf_init(&t, n + 1);
    rn_code rc = RN_OK;
    int in = 0, first = 1;
    for (size_t i = 1; i + 1 < n && !rc; i++) {
        char c = v[i];
        if (!in) {
            if (c == '"') {
                in = 1;
                if (!first)
                    rc = rn__buf_addc(&t, ';');
                first = 0;
            }
            continue;
        }
        if (c == '"') {
            in = 0;
        } else if (c == '\\' && i + 2 < n) {
            char x = v[++i];
            /* the escapes rn__buf_json_str writes */
            if (x == 'n') rc = rn__buf_addc(&t, '\n');
            else if (x == 'r') rc = rn__buf_addc(&t, '\r');
            else if (x == 't') rc = rn__buf_addc(&t, '\t');
            else if (x == 'b') rc = rn__buf_addc(&t, '\b');
            else if (x == 'f') rc = rn__buf_addc(&t, '\f');
            else if (x == 'u' && i + 4 < n) {
                unsigned h = 0;
                for (int k = 1; k <= 4; k++) {
                    char d = v[i + k];
                    h = h * 16 + (unsigned)(d <= '9' ? d - '0' : (d | 32) - 'a' + 10);
                }
                rc = rn__buf_addc(&t, (char)h);
                i += 4;
            } else rc = rn__buf_addc(&t, x);
        } else {
            rc = rn__buf_addc(&t, c);
        }
    }
    if (!rc)
        rc = csv_cell(b, t.data ? t.data : "", t.len);
    rn__buf_free(&t);
    return rc;
}

static rn_code write_buf(FILE *out, rn_buf *b, rn_error *err)
{
    if (b->len && fwrite(b->data, 1, b->len, out) != b->len)
        return rn__err(err, RN_EIO, "writing the export failed (disk full?)");
    b->len = 0;
    return RN_OK;
}

static rn_code export_csv(rn_store *s, FILE *out, rn_type t, rn_error *err)
{
    size_t nf;
    const rn_field *f = rn_type_fields(t, &nf);
    rn_buf b;
    rn__buf_init(&b, 64u << 20);
    rn_code rc = rn__buf_adds(&b, "id");
    for (size_t i = 0; i < nf && !rc; i++)
        rc = rn__buf_printf(&b, ",%s", f[i].name);
    if (!rc) rc = rn__buf_addc(&b, '\n');
    rn_cursor *c = NULL;
    if (!rc) rc = rn__store_list_tree(s, t, &c, err);
    const rn_record *r;
    while (!rc && !(rc = rn_cursor_next(c, &r, err)) && r) {
        rc = rn__buf_adds(&b, rn_record_id(r));
        for (size_t i = 0; i < nf && !rc; i++) {
            size_t n;
            const char *v = rn_record_get_at(r, (int)i, &n);
            rc = rn__buf_addc(&b, ',');
            if (!rc && v)
                rc = (f[i].kind == RN_F_LIST || f[i].kind == RN_F_REFLIST) ? list_text(&b, v, n)
                                                                          : csv_cell(&b, v, n);
        }
        if (!rc) rc = rn__buf_addc(&b, '\n');
        if (!rc && b.len > (1u << 20))
            rc = write_buf(out, &b, err);
    }
    if (!rc)
        rc = write_buf(out, &b, err);
    rn_cursor_free(c);
    rn__buf_free(&b);
    return rc;
}

rn_code rn_export(rn_store *s, FILE *out, const rn_export_opts *opts, rn_error *err)
{
    rn_export_opts def = {RN_FMT_JSONL, 0, RN_T_EVENT, 0};
    if (!opts)
        opts = &def;
    rn_code rc = RN_OK;
    if (opts->format == RN_FMT_CSV) {
        if (!opts->type_set)
            return rn__err(err, RN_EINVAL, "CSV holds one record type a file: name it with --type");
        rc = export_csv(s, out, opts->type, err);
    } else {
        rn_buf b;
        rn__buf_init(&b, 64u << 20);
        for (int k = 0; k < RN_T_COUNT && !rc; k++) {
            rn_type t = export_order[k];
            if (opts->type_set && t != opts->type)
                continue;
            rn_cursor *c = NULL;
            rc = rn__store_list_tree(s, t, &c, err);
            const rn_record *r;
            while (!rc && !(rc = rn_cursor_next(c, &r, err)) && r) {
                rc = rn__record_json(r, opts->json_flags & ~RN_JSON_PRETTY, &b);
                if (!rc) rc = rn__buf_addc(&b, '\n');
                if (!rc && b.len > (1u << 20))
                    rc = write_buf(out, &b, err);
            }
            rn_cursor_free(c);
        }
        if (!rc)
            rc = write_buf(out, &b, err);
        rn__buf_free(&b);
    }
    if (!rc && fflush(out) != 0)
        rc = rn__err(err, RN_EIO, "writing the export failed (disk full?)");
    return rc;
}

rn_code rn__blob_dir_make(const char *dir, rn_error *err)
{
    struct stat st;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return rn__err(err, errno == EACCES || errno == EROFS ? RN_EREADONLY : RN_EIO,
                       "cannot create %s: %s", dir, strerror(errno));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return rn__err(err, RN_EIO, "%s is not a folder", dir);
    return RN_OK;
}

rn_code rn_export_blobs(rn_store *s, const char *dir, uint64_t *count, rn_error *err)
{
    uint64_t n = 0;
    rn_code rc = rn__blob_dir_make(dir, err);
    rn_cursor *c = NULL;
    if (!rc)
        rc = rn_store_list(s, RN_T_ATTACHMENT, NULL, 0, -1, 0, &c, err);
    const rn_record *r;
    while (!rc && !(rc = rn_cursor_next(c, &r, err)) && r) {
        const char *sha = rn_record_get(r, "sha256", NULL);
        if (sha && !(rc = rn__blob_copy_out(s, sha, dir, err)))
            n++;
    }
    rn_cursor_free(c);
    if (count)
        *count = n;
    return rc;
}
