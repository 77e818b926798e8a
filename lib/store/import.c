/* SPDX-License-Identifier: Apache-2.0
 *
 * import.c — `remnant import`: JSON Lines or CSV into the store, the whole
 * file in one transaction.
 *
 * States of one import:
 *   OPEN   the file is mapped (or stdin read whole); nothing written.
 *   TX     BEGIN IMMEDIATE done; records are inserted one by one.
 *   DONE   COMMIT returned: every record is durable, with its log entries.
 *   UNDONE ROLLBACK: the first bad record, a cancel or any failure.
 * Invariants:
 *   1. Nothing is visible to other readers before DONE.
 *   2. From TX, every path ends in DONE or UNDONE (a crash is UNDONE: the
 *      WAL holds no commit record for it).
 *   3. An error names the file, the line the record starts on and, when
 *      one is to blame, the field.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger/ledger_int.h"
#include "store/csv.h"
#include "store/store_int.h"

#define LINE_MAX_BYTES (4u << 20)
#define STDIN_MAX ((size_t)8 << 30)
#define PROGRESS_EVERY 8192
/* bytes per record assumed when estimating how many records a file brings,
 * for the backend's bulk preparation: more than the ~180 a generated record
 * averages, so that the estimate errs low */
#define BULK_BYTES_PER_RECORD 256

typedef struct input {
    const char *data;
    size_t size;
    void *map;      /* mmap'ed region, or NULL */
    char *heap;     /* stdin copy, or NULL */
} input;

static rn_code input_open(const char *path, input *in, rn_error *err)
{
    memset(in, 0, sizeof *in);
    if (strcmp(path, "-") == 0) {
        size_t cap = 1 << 20, n = 0;
        char *b = rn__malloc(cap);
        for (;;) {
            if (!b)
                return rn__err(err, RN_ENOMEM, "out of memory reading standard input");
            size_t k = fread(b + n, 1, cap - n, stdin);
            n += k;
            if (k == 0)
                break;
            if (n == cap) {
                if (cap >= STDIN_MAX) {
                    free(b);
                    return rn__err(err, RN_ELIMIT, "standard input is larger than 8 GiB");
                }
                char *nb = rn__realloc(b, cap * 2);
                if (!nb)
                    free(b);
                b = nb;
                cap *= 2;
            }
        }
        if (ferror(stdin)) {
            free(b);
            return rn__err(err, RN_EIO, "reading standard input failed");
        }
        in->heap = b;
        in->data = b;
        in->size = n;
        return RN_OK;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return rn__err(err, errno == ENOENT ? RN_ENOTFOUND : RN_EIO,
                       "cannot open %s: %s%s", path, strerror(errno),
                       errno == ENOENT ? " (check the path)" : "");
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return rn__err(err, RN_EINPUT, "%s is not a regular file", path);
    }
    in->size = (size_t)st.st_size;
    if (in->size > 0) {
        in->map = mmap(NULL, in->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (in->map == MAP_FAILED) {
            close(fd);
            in->map = NULL;
            return rn__err(err, RN_EIO, "cannot read %s: %s", path, strerror(errno));
        }
        madvise(in->map, in->size, MADV_SEQUENTIAL);
        in->data = in->map;
    } else {
        in->data = "";
    }
    close(fd);
    return RN_OK;
}

static void input_close(input *in)
{
    if (in->map)
        munmap(in->map, in->size);
    free(in->heap);
}

static rn_format detect(const char *path, const input *in)
{
    const char *dot = strrchr(path, '.');
    if (dot && strcmp(dot, ".csv") == 0)
        return RN_FMT_CSV;
    if (dot && (strcmp(dot, ".jsonl") == 0 || strcmp(dot, ".ndjson") == 0 ||
                strcmp(dot, ".json") == 0))
        return RN_FMT_JSONL;
    for (size_t i = 0; i < in->size; i++) {
        char c = in->data[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        return c == '{' ? RN_FMT_JSONL : RN_FMT_CSV;
    }
    return RN_FMT_JSONL;
}

typedef struct importer {
    rn_store *s;
    const rn_import_opts *o;
    rn_import_stats *stats;
    uint64_t total;
} importer;

/* Insert one parsed record. */
static rn_code insert(importer *im, rn_record *r, rn_error *err)
{
    rn_code rc;
    if (!r->id[0] && (rc = rn_id_new(r->id)))
        return rn__err(err, rc, "could not make an id");
    if ((rc = rn_record_check(r, err)))
        return rc;
    if ((rc = rn__lifecycle_put(im->s, r, RN_PUT_CREATE, RN__PUT_IMPORT, err)))
        return rc;
    if ((rc = rn__blob_require(im->s, r, err)))
        return rc;
    if ((rc = im->s->ops->put(im->s, r, RN_PUT_CREATE, err)))
        return rc;
    im->stats->records++;
    im->stats->per_type[r->type]++;
    return RN_OK;
}

static rn_code tick(importer *im, size_t pos, rn_error *err)
{
    im->stats->bytes = pos;
    if (im->o && im->o->progress && im->stats->records % PROGRESS_EVERY == 0 &&
        im->o->progress(im->o->progress_ctx, pos, im->total, im->stats->records))
        return rn__err(err, RN_EINTERRUPTED, "import cancelled");
    return RN_OK;
}

/* The next line of in[*pos..): its bounds without the line end and
 * trailing '\r' in [*p, *p + *n); *pos moves past it. 0 at the end. */
static int next_line(const input *in, size_t *pos, const char **p, size_t *n)
{
    if (*pos >= in->size)
        return 0;
    const char *s = in->data + *pos, *e = in->data + in->size;
    const char *nl = memchr(s, '\n', (size_t)(e - s));
    const char *end = nl ? nl : e;
    *p = s;
    *n = (size_t)(end - s);
    if (*n && s[*n - 1] == '\r')
        (*n)--;
    *pos = nl ? (size_t)(nl + 1 - in->data) : in->size;
    return 1;
}

static int blank(const char *p, size_t n)
{
    size_t k = 0;
    while (k < n && (p[k] == ' ' || p[k] == '\t'))
        k++;
    return k == n;
}

static rn_code import_jsonl_here(importer *im, const input *in, long *line, rn_error *err)
{
    rn__jreader *jr = rn__jreader_new();
    if (!jr)
        return rn__err(err, RN_ENOMEM, "out of memory");
    rn_code rc = RN_OK;
    size_t pos = 0, n;
    const char *p;
    *line = 0;
    while (rc == RN_OK && next_line(in, &pos, &p, &n)) {
        (*line)++;
        if (n > LINE_MAX_BYTES) {
            rc = rn__err(err, RN_ELIMIT, "the line is longer than %u bytes", LINE_MAX_BYTES);
            break;
        }
        if (blank(p, n))
            continue;
        rn_record *r;
        rc = rn__jreader_read(jr, p, n, -1, &r, err);
        if (rc == RN_OK)
            rc = insert(im, r, err);
        if (rc == RN_OK)
            rc = tick(im, pos, err);
    }
    rn__jreader_free(jr);
    return rc;
}

/* ---- reading ahead ---------------------------------------------------------
 * A large JSON Lines file is parsed on a second thread: the reader turns
 * lines into records, encodes each one's canonical JSON (the bytes the log
 * stores), makes its log disclosures (salted from the reader's own
 * rn__salts) and, guessing its log index, the whole log entry, while this
 * thread writes the ones before, so on two cores
 * that work leaves the writer's path. The writer takes the records in file
 * order and does everything else as import_jsonl_here does (id, checks,
 * lifecycle, store); a line the reader refuses stops the import at that
 * line, after the lines before it were written, exactly as without the
 * reader. The reader touches only the mapped input and its own batches. */

#define AHEAD_MIN_BYTES ((size_t)1 << 20) /* below: one thread does it all */
#define AHEAD_BATCH 64
#define AHEAD_BATCHES 16 /* 1024 records: rides over the reader's time off the CPU */

typedef struct parsed {
    rn__jreader *jr; /* owns rec until it reads again */
    rn_record *rec;
    rn_buf canon;    /* rec's canonical JSON; empty: the writer encodes it */
    rn__ledger_prep prep; /* canon's log disclosures, if made */
    long line;
    size_t end;      /* offset past the line, for progress */
} parsed;

typedef struct batch {
    parsed item[AHEAD_BATCH];
    size_t n;
    int full;       /* 1: the writer's; 0: the reader's */
    int last;       /* nothing follows: the input's end, or the reader's error */
    rn_code rc;     /* the reader's error, on line errline, after item[n - 1] */
    long errline;
    rn_error err;
} batch;

typedef struct ahead {
    const input *in;
    const char *author; /* the store's, for the disclosures */
    rn__salts salts;
    int guess;         /* 1: make whole log entries ahead (next_seq known) */
    uint64_t next_seq; /* the log index of the next record's entry, if
                          each record brings one (a guess: see ahead_fill) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop; /* the writer has given up: the reader ends */
    batch b[AHEAD_BATCHES];
} ahead;

/* Fill batch b from *pos on; its canonical JSON only where the writer will
 * not change the record first (an id still to be made; the lifecycle's
 * derived fields of findings and traces). */
static void ahead_fill(ahead *a, batch *b, size_t *pos, long *line)
{
    const input *in = a->in;
    const char *p;
    size_t n;
    b->n = 0;
    b->rc = RN_OK;
    while (b->n < AHEAD_BATCH && next_line(in, pos, &p, &n)) {
        (*line)++;
        b->errline = *line;
        if (n > LINE_MAX_BYTES) {
            b->rc = rn__err(&b->err, RN_ELIMIT, "the line is longer than %u bytes",
                            LINE_MAX_BYTES);
            break;
        }
        if (blank(p, n))
            continue;
        parsed *x = &b->item[b->n];
        rn_error_clear(&b->err);
        if ((b->rc = rn__jreader_read(x->jr, p, n, -1, &x->rec, &b->err)))
            break;
        rn_type t = rn_record_type(x->rec);
        x->canon.len = 0;
        x->prep.canon = NULL;
        if (x->rec->id[0] && !rn__lifecycle_type(t) &&
            rn__record_json(x->rec, RN_JSON_CANONICAL, &x->canon) != RN_OK)
            x->canon.len = 0; /* the writer tries again and reports it */
        if (x->canon.len &&
            rn__ledger_prepare(&x->prep, &a->salts, x->canon.data, x->canon.len, a->author) ==
                RN_OK &&
            a->guess)
            /* each record of an import is one create, appended in file
             * order: the whole entry too, on the guess that it takes the
             * next index and has no previous entry (the append checks
             * both and builds it itself when either fails) */
            rn__ledger_prepare_entry(&x->prep, x->rec->id, rn_type_name(t), a->next_seq);
        a->next_seq++;
        x->line = *line;
        x->end = *pos;
        b->n++;
    }
    b->last = b->rc != RN_OK || *pos >= in->size;
}

static void *ahead_run(void *arg)
{
    ahead *a = arg;
    rn__thread_helper();
    size_t pos = 0;
    long line = 0;
    for (size_t k = 0;; k = (k + 1) % AHEAD_BATCHES) {
        batch *b = &a->b[k];
        pthread_mutex_lock(&a->mu);
        while (b->full && !a->stop)
            pthread_cond_wait(&a->cv, &a->mu);
        int stop = a->stop;
        pthread_mutex_unlock(&a->mu);
        if (stop)
            return NULL;
        ahead_fill(a, b, &pos, &line);
        pthread_mutex_lock(&a->mu);
        b->full = 1;
        pthread_cond_broadcast(&a->cv);
        pthread_mutex_unlock(&a->mu);
        if (b->last)
            return NULL;
    }
}

static void ahead_free(ahead *a)
{
    for (size_t k = 0; k < AHEAD_BATCHES; k++)
        for (size_t i = 0; i < AHEAD_BATCH; i++) {
            rn__jreader_free(a->b[k].item[i].jr);
            rn__buf_free(&a->b[k].item[i].canon);
            rn__ledger_prep_free(&a->b[k].item[i].prep);
        }
    rn__salts_wipe(&a->salts);
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    free(a);
}

/* Write batch b's records; its reader's error, if any, after them. */
static rn_code ahead_write(importer *im, batch *b, long *line, rn_error *err)
{
    rn_code rc = RN_OK;
    for (size_t i = 0; i < b->n && rc == RN_OK; i++) {
        parsed *x = &b->item[i];
        *line = x->line;
        im->s->put_canon = x->canon.len ? x->canon.data : NULL;
        im->s->put_canon_len = x->canon.len;
        im->s->put_prep = x->canon.len && x->prep.canon ? &x->prep : NULL;
        rc = insert(im, x->rec, err);
        im->s->put_canon = NULL;
        im->s->put_canon_len = 0;
        im->s->put_prep = NULL;
        if (rc == RN_OK)
            rc = tick(im, x->end, err);
    }
    if (rc == RN_OK && b->rc) {
        *line = b->errline;
        if (err)
            *err = b->err;
        rc = b->rc;
    }
    return rc;
}

static rn_code import_jsonl(importer *im, const input *in, long *line, rn_error *err)
{
    if (in->size < AHEAD_MIN_BYTES)
        return import_jsonl_here(im, in, line, err);
    ahead *a = rn__calloc(1, sizeof *a);
    if (!a)
        return rn__err(err, RN_ENOMEM, "out of memory");
    a->in = in;
    a->author = im->s->author;
    rn__salts_init(&a->salts);
    sqlite3 *db = rn__store_db(im->s);
    a->guess = db && rn__ledger_next_seq(db, &a->next_seq, NULL) == RN_OK;
    pthread_mutex_init(&a->mu, NULL); /* default attributes: cannot fail on Linux */
    pthread_cond_init(&a->cv, NULL);
    for (size_t k = 0; k < AHEAD_BATCHES; k++)
        for (size_t i = 0; i < AHEAD_BATCH; i++) {
            parsed *x = &a->b[k].item[i];
            rn__buf_init(&x->canon, (size_t)RN__RECORD_MAX * 8);
            rn__ledger_prep_init(&x->prep);
            if (!(x->jr = rn__jreader_new())) {
                ahead_free(a);
                return rn__err(err, RN_ENOMEM, "out of memory");
            }
        }
    pthread_t reader;
    if (pthread_create(&reader, NULL, ahead_run, a)) {
        ahead_free(a);
        return import_jsonl_here(im, in, line, err);
    }
    rn_code rc = RN_OK;
    *line = 0;
    for (size_t k = 0;; k = (k + 1) % AHEAD_BATCHES) {
        batch *b = &a->b[k];
        pthread_mutex_lock(&a->mu);
        while (!b->full)
            pthread_cond_wait(&a->cv, &a->mu);
        pthread_mutex_unlock(&a->mu);
        rc = ahead_write(im, b, line, err);
        int last = b->last;
        pthread_mutex_lock(&a->mu);
        b->full = 0;
        if (rc)
            a->stop = 1;
        pthread_cond_broadcast(&a->cv);
        pthread_mutex_unlock(&a->mu);
        if (rc || last)
            break;
    }
    pthread_join(reader, NULL);
    ahead_free(a);
    return rc;
}

/* Column j of the header: -3 ignored, -2 "type", -1 "id", else field index
 * (for the fixed type) or -4 "resolve by name for each row's type". */
static rn_code import_csv(importer *im, const input *in, long *line, rn_error *err)
{
    rn__csv *c = rn__csv_new(LINE_MAX_BYTES, 64);
    rn_record *rec[RN_T_COUNT] = {0};
    char **names = NULL;
    int *col = NULL;
    size_t ncols = 0;
    rn_code rc = RN_OK;
    if (!c)
        return rn__err(err, RN_ENOMEM, "out of memory");
    const char *p = in->data, *e = in->data + in->size;
    if (p == e) {
        rc = rn__err(err, RN_EINPUT, "the CSV file is empty: it needs a header row");
        goto out;
    }
    rn__csv_set_sep(c, rn__csv_sniff(p, (size_t)(e - p)));
    size_t used;
    rc = rn__csv_read(c, p, (size_t)(e - p), &used, line, err);
    if (rc)
        goto out;
    p += used;
    ncols = rn__csv_count(c);
    names = rn__calloc(ncols, sizeof *names);
    col = rn__calloc(ncols, sizeof *col);
    if (!names || !col) {
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    int type_col = -1;
    for (size_t j = 0; j < ncols; j++) {
        size_t n;
        const char *f = rn__csv_field(c, j, &n);
        if (!(names[j] = rn__strndup(f, n))) {
            rc = rn__err(err, RN_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t k = 0; k < j; k++)
            if (strcmp(names[k], names[j]) == 0) {
                rc = rn__err_field(err, RN_EINPUT, names[j], "column '%s' appears twice", names[j]);
                goto out;
            }
        if (strcmp(names[j], "type") == 0) {
            col[j] = -2;
            type_col = (int)j;
        } else if (strcmp(names[j], "id") == 0) {
            col[j] = -1;
        } else if (im->o && im->o->csv_type_set) {
            col[j] = rn_type_field_index(im->o->csv_type, names[j], strlen(names[j]));
            if (col[j] < 0) {
                rc = rn__err_field(err, RN_EINPUT, names[j],
                                   "unknown column '%s' for %s %s (see `remnant fields %s`)",
                                   names[j], rn__a(rn_type_name(im->o->csv_type)),
                                   rn_type_name(im->o->csv_type),
                                   rn_type_name(im->o->csv_type));
                goto out;
            }
        } else {
            col[j] = -4;
        }
    }
    if (type_col < 0 && !(im->o && im->o->csv_type_set)) {
        rc = rn__err_field(err, RN_EINPUT, "type",
                           "the CSV has no 'type' column: add one, or name the type of every "
                           "row with --type TYPE");
        goto out;
    }
    while (p < e && rc == RN_OK) {
        rc = rn__csv_read(c, p, (size_t)(e - p), &used, line, err);
        if (rc)
            break;
        p += used;
        size_t blank;
        if (rn__csv_count(c) == 1 && (rn__csv_field(c, 0, &blank), blank == 0))
            continue; /* a blank line */
        if (rn__csv_count(c) != ncols) {
            rc = rn__err(err, RN_EINPUT,
                         "this row has %zu columns but the header has %zu (a comma inside a "
                         "value needs the value in double quotes)", rn__csv_count(c), ncols);
            break;
        }
        int t = im->o && im->o->csv_type_set ? (int)im->o->csv_type : -1;
        if (type_col >= 0) {
            size_t n;
            const char *tv = rn__csv_field(c, (size_t)type_col, &n);
            char tn[32];
            rn_type tt;
            if (n >= sizeof tn || (memcpy(tn, tv, n), tn[n] = '\0', rn_type_from_name(tn, &tt))) {
                rc = rn__err_field(err, RN_EINPUT, "type", "unknown record type '%.*s'",
                                   (int)(n > 30 ? 30 : n), tv);
                break;
            }
            if (t >= 0 && (int)tt != t) {
                rc = rn__err_field(err, RN_EINPUT, "type", "type '%s' where --type says '%s'",
                                   tn, rn_type_name((rn_type)t));
                break;
            }
            t = (int)tt;
        }
        if (!rec[t] && !(rec[t] = rn_record_new((rn_type)t))) {
            rc = rn__err(err, RN_ENOMEM, "out of memory");
            break;
        }
        rn_record *r = rec[t];
        rn_record_reset(r);
        for (size_t j = 0; j < ncols && rc == RN_OK; j++) {
            size_t n;
            const char *v = rn__csv_field(c, j, &n);
            if (col[j] == -2 || n == 0)
                continue;
            if (col[j] == -1) {
                rc = rn_record_set_id(r, v, n, err);
                continue;
            }
            int idx = col[j] >= 0 ? col[j] : rn_type_field_index((rn_type)t, names[j], strlen(names[j]));
            if (idx < 0) {
                rc = rn__err_field(err, RN_EINPUT, names[j], "%s %s has no field '%s'",
                                   rn__a(rn_type_name((rn_type)t)), rn_type_name((rn_type)t), names[j]);
                break;
            }
            rc = rn_record_set_at(r, idx, v, n, err);
        }
        if (rc == RN_OK)
            rc = insert(im, r, err);
        if (rc == RN_OK)
            rc = tick(im, (size_t)(p - in->data), err);
    }
out:
    for (size_t j = 0; names && j < ncols; j++)
        free(names[j]);
    free(names);
    free(col);
    for (int t = 0; t < RN_T_COUNT; t++)
        rn_record_free(rec[t]);
    rn__csv_free(c);
    return rc;
}

rn_code rn_import_file(rn_store *s, const char *path, const rn_import_opts *opts,
                       rn_import_stats *stats, rn_error *err)
{
    rn_import_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (s->readonly)
        return rn__err(err, RN_EREADONLY, "the store was opened read-only");
    if (s->user_tx)
        return rn__err(err, RN_EINVAL, "an import runs in its own transaction");
    input in;
    rn_code rc = input_open(path, &in, err);
    if (rc) {
        if (err)
            snprintf(err->file, sizeof err->file, "%s", path);
        return rc;
    }
    input whole = in; /* the mapping, for input_close */
    /* a UTF-8 byte-order mark (as Excel and Notepad write) is not data */
    if (in.size >= 3 && memcmp(in.data, "\xef\xbb\xbf", 3) == 0) {
        in.data += 3;
        in.size -= 3;
    }
    rn_format fmt = opts && opts->format != RN_FMT_AUTO ? opts->format : detect(path, &in);
    importer im = {s, opts, stats, in.size};
    long line = 0;
    struct rn__incoming incoming = {opts ? opts->blobs_dir : NULL, NULL, 0, 0};
    if (incoming.dir)
        s->incoming = &incoming;
    if (s->ops->bulk_journal)
        (void)s->ops->bulk_journal(s, in.size / BULK_BYTES_PER_RECORD);
    if (s->ops->own_refs)
        (void)s->ops->own_refs(s, in.size / BULK_BYTES_PER_RECORD);
    rc = s->ops->begin(s, err); /* a refused one undoes what was set for it */
    if (rc == RN_OK && s->ops->bulk) {
        rc = s->ops->bulk(s, in.size / BULK_BYTES_PER_RECORD, RN__BULK_LOG_BATCH, err);
        if (rc) {
            s->ops->rollback(s);
            line = 0;
        }
    }
    if (rc == RN_OK) {
        rc = fmt == RN_FMT_CSV ? import_csv(&im, &in, &line, err)
                               : import_jsonl(&im, &in, &line, err);
        if (rc == RN_OK) {
            line = 0;
            rc = s->ops->commit(s, err);
        }
        if (rc) {
            s->ops->rollback(s);
            rn__incoming_drop(s);
            if (err && line > 0)
                err->line = line;
        }
    }
    s->incoming = NULL;
    free(incoming.added);
    if (rc == RN_OK && opts && opts->progress)
        opts->progress(opts->progress_ctx, in.size, in.size, stats->records);
    if (rc && err)
        snprintf(err->file, sizeof err->file, "%s", strcmp(path, "-") ? path : "<stdin>");
    if (rc)
        memset(stats, 0, sizeof *stats);
    input_close(&whole);
    return rc;
}
