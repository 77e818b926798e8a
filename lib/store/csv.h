/* SPDX-License-Identifier: Apache-2.0
 *
 * csv.h — the CSV record reader used by import (and its fuzz target). */
#ifndef REMNANT_CSV_H
#define REMNANT_CSV_H

#include "internal.h"

typedef struct rn__csv rn__csv;

/* max_record: bytes of one record's fields; max_fields: columns. */
rn__csv *rn__csv_new(size_t max_record, size_t max_fields);
void rn__csv_free(rn__csv *c);
/* Read one record from p[0..n). *used: bytes consumed (through its line
 * end); *start_line: the line it started on. n must be > 0. */
rn_code rn__csv_read(rn__csv *c, const char *p, size_t n, size_t *used, long *start_line,
                     rn_error *err);
size_t rn__csv_count(const rn__csv *c);
/* Field i of the last record (NUL-terminated as a whole record buffer). */
const char *rn__csv_field(const rn__csv *c, size_t i, size_t *len);
long rn__csv_line(const rn__csv *c);
/* The separator (',' by default). */
void rn__csv_set_sep(rn__csv *c, char sep);
/* The separator a CSV text uses: ';' if its header line (up to the first
 * line end outside quotes) has more ';' than ',', else ','. */
char rn__csv_sniff(const char *p, size_t n);

#endif
