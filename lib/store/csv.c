/* SPDX-License-Identifier: Apache-2.0
 *
 * csv.c — an RFC 4180 CSV record reader over a buffer: comma-separated (or
 * another separator: rn__csv_sniff() tells `;` files, as spreadsheets
 * write them where the decimal mark is a comma),
 * fields optionally in double quotes, "" for a quote inside quotes, quoted
 * fields may span lines, CRLF or LF line ends. It reads one record a call
 * and keeps the line count, so errors can name the line a record starts on.
 */
#include <stdlib.h>
#include <string.h>

#include "store/csv.h"

struct rn__csv {
    rn_buf text;        /* unquoted field bytes, back to back */
    size_t *off, *len;  /* per field, into text */
    size_t nfields, maxfields;
    long line;          /* line the next record starts on */
    char sep;           /* field separator */
};

rn__csv *rn__csv_new(size_t max_record, size_t max_fields)
{
    rn__csv *c = rn__calloc(1, sizeof *c);
    if (!c)
        return NULL;
    rn__buf_init(&c->text, max_record);
    c->off = rn__calloc(max_fields, sizeof *c->off);
    c->len = rn__calloc(max_fields, sizeof *c->len);
    c->maxfields = max_fields;
    c->line = 1;
    c->sep = ',';
    if (!c->off || !c->len) {
        rn__csv_free(c);
        return NULL;
    }
    return c;
}

void rn__csv_free(rn__csv *c)
{
    if (!c)
        return;
    rn__buf_free(&c->text);
    free(c->off);
    free(c->len);
    free(c);
}

long rn__csv_line(const rn__csv *c) { return c->line; }
void rn__csv_set_sep(rn__csv *c, char sep) { c->sep = sep; }

char rn__csv_sniff(const char *p, size_t n)
{
    size_t commas = 0, semis = 0;
    int quoted = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (ch == '"')
            quoted = !quoted;
        else if (!quoted && (ch == '\n' || ch == '\r'))
            break;
        else if (!quoted && ch == ',')
            commas++;
        else if (!quoted && ch == ';')
            semis++;
    }
    return semis > commas ? ';' : ',';
}
size_t rn__csv_count(const rn__csv *c) { return c->nfields; }

const char *rn__csv_field(const rn__csv *c, size_t i, size_t *len)
{
    *len = c->len[i];
    return c->text.data ? c->text.data + c->off[i] : "";
}

static rn_code grow_fail(rn_error *err, rn_code rc)
{
    if (rc == RN_ENOMEM)
        return rn__err(err, RN_ENOMEM, "out of memory");
    return rn__err(err, RN_ELIMIT, "a CSV record is too long");
}

static rn_code end_field(rn__csv *c, size_t start, rn_error *err)
{
    if (c->nfields == c->maxfields)
        return rn__err(err, RN_ELIMIT, "more than %zu columns", c->maxfields);
    c->off[c->nfields] = start;
    c->len[c->nfields] = c->text.len - start;
    c->nfields++;
    return RN_OK;
}

rn_code rn__csv_read(rn__csv *c, const char *p, size_t n, size_t *used, long *start_line,
                     rn_error *err)
{
    const char *s = p, *e = p + n;
    c->text.len = 0;
    c->nfields = 0;
    *start_line = c->line;
    size_t start = 0;
    rn_code rc;
    for (;;) {
        start = c->text.len;
        if (s < e && *s == '"') {
            s++;
            for (;;) {
                const char *q = s;
                while (q < e && *q != '"')
                    q++;
                for (const char *k = s; k < q; k++)
                    c->line += *k == '\n';
                if ((rc = rn__buf_add(&c->text, s, (size_t)(q - s))))
                    return grow_fail(err, rc);
                if (q >= e)
                    return rn__err(err, RN_EINPUT,
                                   "a quoted field is never closed (missing '\"')");
                if (q + 1 < e && q[1] == '"') {
                    if ((rc = rn__buf_addc(&c->text, '"')))
                        return grow_fail(err, rc);
                    s = q + 2;
                    continue;
                }
                s = q + 1;
                break;
            }
            if (s < e && *s != c->sep && *s != '\n' && *s != '\r')
                return rn__err(err, RN_EINPUT,
                               "text after a closing quote (a quote inside a quoted field "
                               "is written \"\")");
        } else {
            const char *q = s;
            while (q < e && *q != c->sep && *q != '\n' && *q != '\r')
                q++;
            if (memchr(s, '"', (size_t)(q - s)))
                return rn__err(err, RN_EINPUT,
                               "a '\"' inside an unquoted field (quote the whole field and "
                               "write the quote as \"\")");
            if ((rc = rn__buf_add(&c->text, s, (size_t)(q - s))))
                return grow_fail(err, rc);
            s = q;
        }
        if ((rc = end_field(c, start, err)))
            return rc;
        if (s < e && *s == c->sep) {
            s++;
            continue;
        }
        /* a record ends at LF, CRLF or a lone CR: each one line */
        if (s < e && *s == '\r') {
            s++;
            if (s >= e || *s != '\n')
                c->line++;
        }
        if (s < e && *s == '\n') {
            s++;
            c->line++;
        }
        break;
    }
    if ((rc = rn__buf_cstr(&c->text)))
        return grow_fail(err, rc);
    *used = (size_t)(s - p);
    return RN_OK;
}
