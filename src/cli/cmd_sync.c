/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_sync.c — `remnant sync export|import` (and, over HTTP, push|pull):
 * moving the evidence log's changes between instances as sync packages
 * (lib/sync, docs/SYNC.md). A package is written to a temporary file and
 * renamed into place, so a killed export never leaves half a package. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#ifdef RN_HAVE_CURL
#include <curl/curl.h>
#endif

#include "cli.h"
#include "remnant/ledger.h"
#include "remnant/sync.h"

static const char usage[] =
    "remnant sync export --peer PEER [--since CHECKPOINT] [--public [--public-grid DEG]] "
    "-o FILE | "
    "sync import FILE [--user NAME [--password-file F]] | "
    "sync push PEER [--public [--public-grid DEG]] [--token-file F] [--max-file-bytes N] | "
    "sync pull PEER [--token-file F] [--max-file-bytes N]";

static int help(void)
{
    printf("usage: remnant sync export --peer PEER [--since CHECKPOINT] [--public] [--all-files]\n"
           "                                 -o FILE\n"
           "       remnant sync import FILE [--user NAME [--password-file F]]\n"
           "       remnant sync push PEER [--public [--public-grid DEG]] [--token-file F]\n"
           "                              [--max-file-bytes N]\n"
           "       remnant sync pull PEER [--token-file F] [--max-file-bytes N]\n\n"
           "export writes a sync package for the registered PEER (`remnant peer add`): the\n"
           "log entries since what it was last sent, with their disclosures, the files\n"
           "their attachments name, the latest signed checkpoint and the proof that it\n"
           "extends what the peer saw. --since starts at a checkpoint of this log instead\n"
           "(a file holding its note as `remnant checkpoint` prints it, or its size).\n"
           "-o - writes to standard output. --public makes the package for a partner:\n"
           "exactly the public view (docs/PUBLIC.md) of published findings and what they\n"
           "cite, each with the proofs of the fields shown as logged; every other entry\n"
           "of the log goes withheld (its digests only). A package leaves out the files\n"
           "the peer is known to hold (named by attachments it acknowledged, or that came\n"
           "from it) and names them; --all-files carries every file.\n\n"
           "import checks a package completely (the signature by a registered peer's key,\n"
           "consistency with what was seen from that peer: a fork or rollback is refused,\n"
           "every entry in the signed tree, every record against its entry) and then\n"
           "applies it in one transaction, keeping each change's author and time and\n"
           "where it came from (`remnant show`, `remnant history`). A record changed here\n"
           "too since the peer last had it is not overwritten: it is kept as a conflict\n"
           "(`remnant conflicts`, `remnant resolve`). Importing the same package twice\n"
           "changes nothing. The receiving account (--user, else $REMNANT_AUTHOR or $USER)\n"
           "is recorded as the one who brought the changes in.\n\n"
           "push and pull do the same over HTTP with the peer's server (its URL from\n"
           "`remnant peer add`), with an API token of an account there (`remnant user\n"
           "token` on the server), read from --token-file F or $REMNANT_SYNC_TOKEN:\n"
           "push sends what the server has not seen of this log; pull fetches what\n"
           "this instance has not seen of the server's (an investigator's token\n"
           "receives only its record types and reference data, the rest withheld).\n"
           "Files travel separately, only those the other side lacks, and resume from\n"
           "the byte a cut transfer reached. --max-file-bytes N stops after N bytes of\n"
           "files (a metered link): the next run resumes there. push --public sends a\n"
           "partner exactly the public view, with proofs.\n");
    return EXIT_OK;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 > cap) {
            if (cap > (1u << 20))
                break;
            char *nb = realloc(buf, cap = cap * 2 + 8192);
            if (!nb)
                break;
            buf = nb;
        }
        size_t k = fread(buf + n, 1, cap - n - 1, f);
        n += k;
        if (k == 0)
            break;
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    *len = n;
    return buf;
}

static int parse_grid(const char *gs, double *grid)
{
    char *end = NULL;
    *grid = strtod(gs, &end);
    return !end || *end || !(*grid > 0 && *grid <= 10) ? -1 : 0;
}

static int do_export(int argc, char **argv)
{
    const char *peer = NULL, *since = NULL, *outp = NULL, *gs = NULL;
    int public_view = cli_flag(&argc, argv, "--public");
    int all_files = cli_flag(&argc, argv, "--all-files");
    double grid = 0;
    if (cli_opt(&argc, argv, "--public-grid", &gs) < 0)
        return cli_usage_error(usage, "--public-grid needs degrees");
    if (gs && parse_grid(gs, &grid))
        return cli_usage_error(usage, "--public-grid takes degrees, more than 0, at most 10");
    if (cli_opt(&argc, argv, "--peer", &peer) < 0 || cli_opt(&argc, argv, "--since", &since) < 0 ||
        cli_opt(&argc, argv, "-o", &outp) < 0)
        return cli_usage_error(usage, "--peer, --since and -o need a value");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (!peer || !outp || argc != 2)
        return cli_usage_error(usage, "sync export needs --peer PEER and -o FILE");
    char *note = NULL;
    size_t nlen = 0;
    if (since) {
        char *end = NULL;
        errno = 0;
        unsigned long long size = strtoull(since, &end, 10);
        if (since[0] >= '1' && since[0] <= '9' && end && *end == '\0' && errno == 0) {
            rn_ledger *l = NULL;
            rn_error e;
            rn_error_clear(&e);
            rn_code c = rn_ledger_open(cli_db(), RN_LEDGER_READONLY, &l, &e);
            if (!c)
                c = rn_ledger_checkpoint(l, (uint64_t)size, &note, &nlen, &e);
            rn_ledger_close(l);
            if (c)
                return cli_error(c, &e);
        } else if (!(note = read_all(since, &nlen))) {
            fprintf(stderr, "remnant: --since %s: cannot read it: %s\n", since, strerror(errno));
            return EXIT_NOTFOUND;
        }
    }
    rn_store *s;
    if ((rc = cli_open(0, &s))) {
        free(note);
        return rc;
    }
    cli_out out;
    if (cli_out_open(&out, outp) != 0) {
        fprintf(stderr, "remnant: cannot write %s: %s\n", outp, strerror(errno));
        free(note);
        rn_store_close(s);
        return EXIT_DB;
    }
    rn_error err;
    rn_error_clear(&err);
    rn_sync_export_opts o = {note, nlen, 0, 0, NULL, NULL, public_view, grid, NULL, NULL,
                             all_files, 0};
    uint64_t n = 0;
    rn_code c = rn_sync_export(s, peer, &o, out.f, &n, &err);
    int to_stdout = out.f == stdout;
    if (cli_out_close(&out, c == RN_OK) != 0) {
        c = RN_EIO;
        snprintf(err.message, sizeof err.message, "writing %s: %s", outp, strerror(errno));
    }
    if (c)
        rc = cli_error(c, &err);
    else
        fprintf(stderr, "sync package for %s: %" PRIu64 " entries%s%s\n", peer, n,
                to_stdout ? "" : " -> ", to_stdout ? "" : outp);
    free(note);
    rn_store_close(s);
    return rc;
}

static int do_import(int argc, char **argv)
{
    const char *user = NULL, *pw = NULL;
    if (cli_opt(&argc, argv, "--user", &user) < 0 ||
        cli_opt(&argc, argv, "--password-file", &pw) < 0)
        return cli_usage_error(usage, "--user and --password-file need a value");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 3)
        return cli_usage_error(usage, "sync import needs one FILE");
    rn_store *s;
    if ((rc = cli_open(0, &s)))
        return rc;
    const char *by = getenv("REMNANT_AUTHOR");
    if (!by || !*by)
        by = getenv("USER");
    if (!by || strlen(by) >= 100)
        by = "";
    if (user) {
        if ((rc = cli_account_login(s, user, pw, 0))) {
            rn_store_close(s);
            return rc;
        }
        by = user;
    }
    rn_error err;
    rn_error_clear(&err);
    rn_sync_stats st;
    rn_code c = rn_sync_import_file(s, argv[2], by, &st, &err);
    if (c) {
        rc = cli_error(c, &err);
    } else if (st.already) {
        printf("peer %s: checkpoint of %" PRIu64 " entries imported already: nothing to do\n",
               st.peer, st.size);
    } else {
        printf("peer %s: entries %" PRIu64 "..%" PRIu64 " checked; %" PRIu64 " applied, %"
               PRIu64 " already here, %" PRIu64 " our own, %" PRIu64 " conflicts, %" PRIu64
               " files\n", st.peer, st.from, st.size, st.applied, st.same, st.echoes,
               st.conflicts, st.blobs);
        if (st.conflicts)
            printf("open conflicts: `remnant conflicts`, then `remnant resolve ID --take "
                   "mine|theirs|FILE`\n");
    }
    rn_store_close(s);
    return rc;
}

#ifdef RN_HAVE_CURL
/* The response body of a request, to memory or a file. */
typedef struct sink {
    FILE *f;
    char *mem;
    size_t len, cap;
} sink;

static size_t on_data(char *p, size_t sz, size_t n, void *ctx)
{
    sink *k = ctx;
    size_t t = sz * n;
    if (k->f)
        return fwrite(p, 1, t, k->f);
    if (k->len + t + 1 > k->cap) {
        if (k->len + t + 1 > (1u << 20))
            return 0;
        size_t nc = (k->len + t + 1) * 2;
        char *nm = realloc(k->mem, nc);
        if (!nm)
            return 0;
        k->mem = nm;
        k->cap = nc;
    }
    memcpy(k->mem + k->len, p, t);
    k->len += t;
    k->mem[k->len] = '\0';
    return t;
}

/* One request; *status the HTTP status (0: none). body_path: a file to
 * POST (NULL: GET). Returns 0, or prints why and returns an exit code. */
static int http(const char *url, const char *token, const char *body_path, sink *out,
                long *status)
{
    CURL *c = curl_easy_init();
    FILE *in = NULL;
    struct curl_slist *h = NULL;
    char auth[256];
    int rc = EXIT_OK;
    *status = 0;
    if (!c)
        return EXIT_FAIL;
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    h = curl_slist_append(h, auth);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (body_path) {
        struct stat st;
        in = fopen(body_path, "rb");
        if (!in || fstat(fileno(in), &st) != 0) {
            rc = EXIT_FAIL;
            goto out;
        }
        h = curl_slist_append(h, "Content-Type: application/vnd.remnant.sync");
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_READDATA, in);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)st.st_size);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    CURLcode cc = curl_easy_perform(c);
    if (cc != CURLE_OK) {
        fprintf(stderr, "remnant: %s: %s (the peer's server cannot be reached; nothing was "
                "changed here: try again)\n", url, curl_easy_strerror(cc));
        rc = EXIT_FAIL;
        goto out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
out:
    if (in)
        fclose(in);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return rc;
}

static int http_error(const char *what, long status, const sink *k);

/* Files travel beside the package, resumably (docs/SYNC.md, "Files:
 * resumable"): a push uploads each file the server lacks from the byte the
 * server has (PUT /api/v1/sync/uploads/SHA), a pull downloads each file the
 * package names and this instance lacks from the byte it has here (GET
 * /api/v1/sync/files/SHA with Range). Either side keeps a cut file's bytes in
 * its staging area (lib/sync/files.c) until the file is whole and hashes to
 * its name. */
typedef struct xfer {
    const char *url; /* the server's base URL */
    const char *token;
    int limited;     /* --max-file-bytes given */
    uint64_t budget; /* file bytes this run may still move */
    uint64_t moved;  /* file bytes moved in this run */
    uint64_t files;  /* files completed */
    uint64_t resumed; /* of them, resumed from a cut transfer */
    int stopped;     /* the budget ran out part-way */
} xfer;

typedef struct upfile {
    char sha[65];
    uint64_t size;
} upfile;

/* The push's rn_sync_lacks_fn: asks the server which of the package's files
 * it lacks (POST /api/v1/sync/blobs), so a file it holds already is not sent
 * again; a server that takes files apart (GET /api/v1/sync/uploads) gets the
 * missing ones uploaded beside the package (x->up), not in it. */
typedef struct lacks_ctx {
    const char *url; /* the server's base URL */
    const char *token;
    uint64_t skipped;
    rn_store *s;
    int uploads;     /* -1 not asked yet, 0 the server cannot, 1 it can */
    upfile *up;      /* the files to upload before the package */
    size_t nup, capup;
} lacks_ctx;

/* One request for sha[0..n): send[i] = 0 for each the server holds. 0, 1
 * (a server from before: it does not know the endpoint), or -1. */
static int ask_chunk(lacks_ctx *x, const char (*sha)[65], size_t n, unsigned char *send)
{
    json_t *a = json_array(), *o = NULL;
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, json_string(sha[i])) != 0) {
            json_decref(a);
            return -1;
        }
    o = a ? json_pack("{s:o}", "sha256", a) : NULL;
    char *body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!body)
        return -1;
    char url[4200], auth[300];
    snprintf(url, sizeof url, "%s/api/v1/sync/blobs", x->url);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", x->token);
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    sink k = {0};
    long status = 0;
    int rc = -1;
    if (c) {
        h = curl_slist_append(h, auth);
        h = curl_slist_append(h, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &k);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        CURLcode cc = curl_easy_perform(c);
        if (cc == CURLE_OK)
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (cc != CURLE_OK)
            fprintf(stderr, "remnant: %s: %s\n", url, curl_easy_strerror(cc));
    }
    if (status == 404 || status == 405) {
        rc = 1; /* a server from before: send every file */
    } else if (status == 200) {
        json_t *r = json_loads(k.mem ? k.mem : "", 0, NULL);
        json_t *m = json_object_get(r, "missing");
        if (json_is_array(m)) {
            /* the server answers in the order asked: one merge */
            size_t j = 0, nm = json_array_size(m);
            for (size_t i = 0; i < n; i++) {
                const char *v = j < nm ? json_string_value(json_array_get(m, j)) : NULL;
                int want = v && strcmp(v, sha[i]) == 0;
                j += (size_t)want;
                send[i] = (unsigned char)want;
                x->skipped += !want;
            }
            rc = j == nm ? 0 : -1; /* every name it gave is one asked */
        }
        json_decref(r);
    } else if (status) {
        fprintf(stderr, "remnant: %s: HTTP %ld: %s\n", url, status, k.mem ? k.mem : "");
    }
    free(k.mem);
    free(body);
    curl_slist_free_all(h);
    if (c)
        curl_easy_cleanup(c);
    return rc;
}

static int ask_lacks(void *ctx, const char (*sha)[65], size_t n, unsigned char *send)
{
    lacks_ctx *x = ctx;
    for (size_t i = 0; i < n; i += 10000) {
        size_t k = n - i < 10000 ? n - i : 10000;
        int rc = ask_chunk(x, sha + i, k, send + i);
        if (rc != 0) {
            if (rc < 0)
                return -1;
            memset(send, 1, n); /* a server from before */
            x->skipped = 0;
            return 0;
        }
    }
    /* the missing files go beside the package when the server can take them */
    for (size_t i = 0; i < n; i++) {
        if (!send[i])
            continue;
        char path[4400];
        struct stat st;
        if (rn_store_blob_path(x->s, sha[i], path, sizeof path) != RN_OK ||
            stat(path, &st) != 0)
            continue; /* the export reports it */
        if (x->uploads < 0) {
            char full[4400];
            sink k = {0};
            long status = 0;
            snprintf(full, sizeof full, "%s/api/v1/sync/uploads/%s?size=%lld", x->url, sha[i],
                     (long long)st.st_size);
            if (http(full, x->token, NULL, &k, &status)) {
                free(k.mem);
                return -1;
            }
            free(k.mem);
            x->uploads = status != 404 && status != 405; /* else a server from before */
        }
        if (!x->uploads)
            return 0;
        if (x->nup == x->capup) {
            size_t nc = x->capup ? x->capup * 2 : 16;
            upfile *nu = realloc(x->up, nc * sizeof *nu);
            if (!nu)
                return -1;
            x->up = nu;
            x->capup = nc;
        }
        memcpy(x->up[x->nup].sha, sha[i], 65);
        x->up[x->nup++].size = (uint64_t)st.st_size;
        send[i] = 0;
    }
    return 0;
}

/* The stage answer {"have","stored"} of the server. */
static int stage_answer(const sink *k, uint64_t *have, int *stored)
{
    json_t *j = k->mem ? json_loads(k->mem, 0, NULL) : NULL;
    json_t *h = json_object_get(j, "have"), *st = json_object_get(j, "stored");
    int ok = json_is_integer(h) && json_integer_value(h) >= 0 && json_is_boolean(st);
    if (ok) {
        *have = (uint64_t)json_integer_value(h);
        *stored = json_is_true(st);
    }
    json_decref(j);
    return ok ? 0 : -1;
}

typedef struct upl {
    FILE *f;
    uint64_t left; /* bytes of this piece still to send */
    xfer *x;
} upl;

static size_t on_read(char *buf, size_t sz, size_t n, void *ctx)
{
    upl *u = ctx;
    size_t want = sz * n;
    if (want > u->left)
        want = (size_t)u->left;
    if (u->x->limited && want > u->x->budget)
        want = (size_t)u->x->budget;
    if (want == 0 && u->left > 0) {
        u->x->stopped = 1; /* --max-file-bytes: the connection is cut here */
        return CURL_READFUNC_ABORT;
    }
    size_t k = fread(buf, 1, want, u->f);
    u->left -= k;
    u->x->moved += k;
    if (u->x->limited)
        u->x->budget -= k;
    return k;
}

#define RN_SYNC_PIECE (32ull << 20) /* the most one upload request carries */

/* Upload file sha (size bytes, stored here) to the server from the byte it
 * has. 0 when the server holds it, else an exit code (printed). */
static int upload_file(xfer *x, rn_store *s, const char *sha, uint64_t size)
{
    char full[4400], path[4400];
    sink k = {0};
    long status = 0;
    uint64_t have = 0, start;
    int stored = 0, rc = EXIT_OK;
    FILE *f = NULL;
    snprintf(full, sizeof full, "%s/api/v1/sync/uploads/%s?size=%" PRIu64, x->url, sha, size);
    if ((rc = http(full, x->token, NULL, &k, &status)))
        goto out;
    if (status != 200) {
        rc = http_error("sync push: file state", status, &k);
        goto out;
    }
    if (stage_answer(&k, &have, &stored) || have > size) {
        fprintf(stderr, "remnant: sync push: the server's answer on file %s is not understood\n",
                sha);
        rc = EXIT_FAIL;
        goto out;
    }
    start = have;
    if (stored)
        goto out;
    if (rn_store_blob_path(s, sha, path, sizeof path) != RN_OK || !(f = fopen(path, "rb"))) {
        fprintf(stderr, "remnant: file %s is missing here (`remnant verify`)\n", sha);
        rc = EXIT_NOTFOUND;
        goto out;
    }
    while (!stored && !x->stopped) {
        uint64_t piece = size - have > RN_SYNC_PIECE ? RN_SYNC_PIECE : size - have;
        if (x->limited && piece > x->budget)
            piece = x->budget; /* --max-file-bytes: the last piece ends there */
        if (piece == 0 && have < size) {
            x->stopped = 1;
            break;
        }
        if (fseeko(f, (off_t)have, SEEK_SET) != 0) {
            rc = EXIT_FAIL;
            goto out;
        }
        char put[4500], auth[300];
        snprintf(put, sizeof put, "%s&offset=%" PRIu64, full, have);
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", x->token);
        CURL *c = curl_easy_init();
        struct curl_slist *h = NULL;
        upl u = {f, piece, x};
        free(k.mem);
        memset(&k, 0, sizeof k);
        if (!c) {
            rc = EXIT_FAIL;
            goto out;
        }
        h = curl_slist_append(h, auth);
        h = curl_slist_append(h, "Content-Type: application/octet-stream");
        h = curl_slist_append(h, "Expect:");
        curl_easy_setopt(c, CURLOPT_URL, put);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &u);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)piece);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &k);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        CURLcode cc = curl_easy_perform(c);
        status = 0;
        if (cc == CURLE_OK)
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_slist_free_all(h);
        curl_easy_cleanup(c);
        if (cc != CURLE_OK) {
            fprintf(stderr, "remnant: %s: %s (the bytes that arrived stay at the server: run "
                    "again to resume)\n", put, curl_easy_strerror(cc));
            rc = EXIT_FAIL;
            goto out;
        }
        if (status == 409) { /* another offset there: ask again */
            free(k.mem);
            memset(&k, 0, sizeof k);
            if ((rc = http(full, x->token, NULL, &k, &status)))
                goto out;
        }
        uint64_t before = have;
        if (status != 200 || stage_answer(&k, &have, &stored) || have > size) {
            rc = http_error("sync push: a file", status, &k);
            goto out;
        }
        if (!stored && have <= before && piece > 0) {
            fprintf(stderr, "remnant: sync push: the server did not keep the bytes of file %s "
                    "(it holds %" PRIu64 " of %" PRIu64 "): try again later\n", sha, have, size);
            rc = EXIT_FAIL;
            goto out;
        }
    }
    if (stored) {
        x->files++;
        x->resumed += start > 0;
    }
out:
    if (f)
        fclose(f);
    free(k.mem);
    return rc;
}

/* A download into the staging area. */
typedef struct dl {
    rn_sync_stage *g;
    xfer *x;
    CURL *c;
    uint64_t size;
    int checked; /* the status was looked at */
    int fail;    /* the answer is not the file's bytes from where we are */
    char crange[128];
    sink err;    /* an error answer's body */
} dl;

static size_t on_header(char *p, size_t sz, size_t n, void *ctx)
{
    dl *d = ctx;
    size_t t = sz * n;
    if (t > 14 && strncasecmp(p, "Content-Range:", 14) == 0) {
        size_t i = 14, e = t;
        while (i < t && p[i] == ' ')
            i++;
        while (e > i && (p[e - 1] == '\r' || p[e - 1] == '\n' || p[e - 1] == ' '))
            e--;
        snprintf(d->crange, sizeof d->crange, "%.*s", (int)(e - i), p + i);
    }
    return t;
}

static size_t on_file(char *p, size_t sz, size_t n, void *ctx)
{
    dl *d = ctx;
    size_t t = sz * n;
    rn_error e;
    rn_error_clear(&e);
    if (!d->checked) {
        long st = 0;
        d->checked = 1;
        curl_easy_getinfo(d->c, CURLINFO_RESPONSE_CODE, &st);
        uint64_t a = 0, total = 0;
        if (st == 200) {
            if (rn_sync_stage_reset(d->g, &e) != RN_OK) /* the whole file again */
                d->fail = 1;
        } else if (st == 206) {
            if (rn_sync_content_range_parse(d->crange, &a, &total) != 0 ||
                a != rn_sync_stage_have(d->g) || total != d->size)
                d->fail = 1;
        } else {
            d->fail = 2; /* an error answer: keep its body */
        }
    }
    if (d->fail == 2)
        return on_data(p, sz, n, &d->err);
    if (d->fail)
        return 0;
    size_t want = t;
    if (d->x->limited && want > d->x->budget)
        want = (size_t)d->x->budget;
    if (rn_sync_stage_write(d->g, p, want, &e) != RN_OK) {
        d->fail = 1;
        return 0;
    }
    d->x->moved += want;
    if (d->x->limited)
        d->x->budget -= want;
    if (want < t) {
        d->x->stopped = 1; /* --max-file-bytes: cut here */
        return 0;
    }
    return t;
}

/* Download file sha (size bytes) from the byte staged here. 0 when it is
 * stored here, else an exit code (printed). */
static int download_file(xfer *x, rn_store *s, const char *sha, uint64_t size)
{
    rn_error err;
    rn_error_clear(&err);
    rn_sync_stage *g = NULL;
    uint64_t have = 0;
    dl d;
    memset(&d, 0, sizeof d);
    rn_code c = rn_sync_stage_open(s, sha, size, &g, &have, &err);
    if (c)
        return cli_error(c, &err);
    int rc = EXIT_OK, stored = 0;
    uint64_t start = have;
    if (rn_sync_stage_fd(g) < 0)
        goto out; /* stored here already */
    char full[4400], auth[300], range[64];
    snprintf(full, sizeof full, "%s/api/v1/sync/files/%s", x->url, sha);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", x->token);
    snprintf(range, sizeof range, "Range: bytes=%" PRIu64 "-", have);
    d.g = g;
    d.x = x;
    d.size = size;
    d.c = curl_easy_init();
    struct curl_slist *h = NULL;
    if (!d.c) {
        rc = EXIT_FAIL;
        goto out;
    }
    h = curl_slist_append(h, auth);
    if (have > 0 && have < size)
        h = curl_slist_append(h, range);
    curl_easy_setopt(d.c, CURLOPT_URL, full);
    curl_easy_setopt(d.c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(d.c, CURLOPT_WRITEFUNCTION, on_file);
    curl_easy_setopt(d.c, CURLOPT_WRITEDATA, &d);
    curl_easy_setopt(d.c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(d.c, CURLOPT_HEADERDATA, &d);
    curl_easy_setopt(d.c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(d.c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(d.c, CURLOPT_PROTOCOLS_STR, "http,https");
    long status = 0;
    CURLcode cc = have < size ? curl_easy_perform(d.c) : CURLE_OK;
    if (have < size)
        curl_easy_getinfo(d.c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(d.c);
    if (x->stopped)
        goto out;
    if (d.fail == 2 || (have < size && status != 200 && status != 206)) {
        rc = http_error("sync pull: a file", status, &d.err);
        goto out;
    }
    if (d.fail || cc != CURLE_OK) {
        fprintf(stderr, "remnant: %s: %s (the bytes that arrived are kept here: run again to "
                "resume)\n", full, d.fail ? "the answer is not the file's bytes from where "
                "this transfer is" : curl_easy_strerror(cc));
        rc = EXIT_FAIL;
        goto out;
    }
    if ((c = rn_sync_stage_finish(g, &stored, &err)))
        rc = cli_error(c, &err);
    else if (!stored) {
        fprintf(stderr, "remnant: file %s arrived short (%" PRIu64 " of %" PRIu64 " bytes): "
                "run again to resume\n", sha, rn_sync_stage_have(g), size);
        rc = EXIT_FAIL;
    }
out:
    if (rc == EXIT_OK && stored) {
        x->files++;
        x->resumed += start > 0;
    }
    free(d.err.mem);
    rn_sync_stage_close(g);
    return rc;
}

static int peer_info(rn_store *s, const char *name, char *url, size_t ucap, char *origin,
                     size_t ocap, uint64_t *seen)
{
    char *js = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code c = rn_sync_peer_list(s, &js, &err);
    if (c)
        return cli_error(c, &err);
    json_t *arr = json_loads(js, 0, NULL), *p;
    rn_free(js);
    size_t i;
    int rc = EXIT_NOTFOUND;
    json_array_foreach(arr, i, p) {
        if (strcmp(cli_js(p, "name"), name) != 0)
            continue;
        const char *u = json_string_value(json_object_get(p, "url"));
        if (!u) {
            fprintf(stderr, "remnant: peer %s has no URL (it is reached by file only): use "
                    "sync export / sync import\n", name);
            rc = EXIT_USAGE;
            break;
        }
        snprintf(url, ucap, "%s", u);
        snprintf(origin, ocap, "%s", cli_js(p, "origin"));
        *seen = (uint64_t)json_integer_value(json_object_get(p, "seen_size"));
        rc = EXIT_OK;
    }
    json_decref(arr);
    if (rc == EXIT_NOTFOUND)
        fprintf(stderr, "remnant: no peer named '%s' (`remnant peer list`)\n", name);
    return rc;
}

static int read_token(const char *file, char *tok, size_t cap)
{
    const char *env = getenv("REMNANT_SYNC_TOKEN");
    if (file) {
        FILE *f = fopen(file, "r");
        if (!f || !fgets(tok, (int)cap, f)) {
            if (f)
                fclose(f);
            fprintf(stderr, "remnant: --token-file %s: cannot read a token\n", file);
            return -1;
        }
        fclose(f);
        tok[strcspn(tok, "\r\n")] = '\0';
    } else if (env && *env && strlen(env) < cap) {
        snprintf(tok, cap, "%s", env);
    } else {
        fputs("remnant: give the API token of your account at the peer: --token-file F or "
              "$REMNANT_SYNC_TOKEN\n", stderr);
        return -1;
    }
    for (const char *p = tok; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) {
            fputs("remnant: the token holds a character a token cannot\n", stderr);
            return -1;
        }
    return tok[0] ? 0 : -1;
}

/* Print the server's error body; the exit code for its status. */
static int http_error(const char *what, long status, const sink *k)
{
    json_t *j = k->mem ? json_loads(k->mem, 0, NULL) : NULL;
    const char *m = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
    fprintf(stderr, "remnant: %s: the peer answered %ld: %s\n", what, status,
            m ? m : "(no message)");
    json_decref(j);
    return status == 401 || status == 403 ? EXIT_USAGE
           : status == 404                ? EXIT_NOTFOUND
           : status == 422                ? EXIT_INPUT
                                          : EXIT_FAIL;
}

/* Map a file read-only (the package a pull received). */
static void *map_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    void *m = MAP_FAILED;
    if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0)
        m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (fd >= 0)
        close(fd);
    if (m == MAP_FAILED)
        return NULL;
    *len = (size_t)st.st_size;
    return m;
}

/* The files a pulled package names that are not here, fetched. */
static int fetch_files(xfer *x, rn_store *s, const char *pkg)
{
    size_t len = 0;
    void *m = map_file(pkg, &len);
    if (!m) {
        fprintf(stderr, "remnant: sync pull: cannot read the package received: %s\n",
                strerror(errno));
        return EXIT_FAIL;
    }
    char *js = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code c = rn_sync_package_files(s, m, len, &js, &err);
    munmap(m, len);
    if (c)
        return cli_error(c, &err);
    json_t *a = json_loads(js, 0, NULL), *f;
    rn_free(js);
    size_t i;
    int rc = EXIT_OK;
    json_array_foreach(a, i, f) {
        if (rc || x->stopped)
            break;
        rc = download_file(x, s, cli_js(f, "sha256"),
                           (uint64_t)json_integer_value(json_object_get(f, "size")));
    }
    json_decref(a);
    return rc;
}

static void files_summary(const xfer *x, const char *dir)
{
    if (x->files || x->moved)
        printf("files %s: %" PRIu64 " (%" PRIu64 " bytes moved in this run; %" PRIu64
               " resumed from a cut transfer)\n", dir, x->files, x->moved, x->resumed);
}

static int stopped(const xfer *x, const char *what)
{
    fprintf(stderr, "remnant: sync %s stopped after %" PRIu64 " bytes of files "
            "(--max-file-bytes); the bytes that arrived are kept: run again to resume\n",
            what, x->moved);
    return EXIT_FAIL;
}

static int do_http(int argc, char **argv, int push)
{
    const char *tf = NULL, *mb = NULL, *gs = NULL;
    int public_view = push ? cli_flag(&argc, argv, "--public") : 0;
    double grid = 0;
    if (cli_opt(&argc, argv, "--token-file", &tf) < 0 ||
        cli_opt(&argc, argv, "--max-file-bytes", &mb) < 0 ||
        (push && cli_opt(&argc, argv, "--public-grid", &gs) < 0))
        return cli_usage_error(usage, "--token-file, --max-file-bytes and --public-grid need "
                               "a value");
    if (gs && parse_grid(gs, &grid))
        return cli_usage_error(usage, "--public-grid takes degrees, more than 0, at most 10");
    xfer x;
    memset(&x, 0, sizeof x);
    if (mb) {
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(mb, &end, 10);
        if (!(mb[0] >= '0' && mb[0] <= '9') || !end || *end || errno)
            return cli_usage_error(usage, "--max-file-bytes takes a number of bytes");
        x.limited = 1;
        x.budget = v;
    }
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 3)
        return cli_usage_error(usage, "sync %s needs one PEER", push ? "push" : "pull");
    char tok[256], url[RN_SYNC_URL_MAX + 1], origin[300], own[300], full[4096];
    uint64_t seen = 0;
    if (read_token(tf, tok, sizeof tok))
        return EXIT_USAGE;
    rn_store *s;
    if ((rc = cli_open(0, &s)))
        return rc;
    if ((rc = peer_info(s, argv[2], url, sizeof url, origin, sizeof origin, &seen)))
        goto out;
    size_t ul = strlen(url);
    while (ul > 0 && url[ul - 1] == '/')
        url[--ul] = '\0';
    x.url = url;
    x.token = tok;
    {
        rn_ledger *l = NULL;
        rn_error e;
        rn_error_clear(&e);
        rn_code c = rn_ledger_open(cli_db(), RN_LEDGER_READONLY, &l, &e);
        if (c) {
            rc = cli_error(c, &e);
            goto out;
        }
        snprintf(own, sizeof own, "%s", rn_ledger_origin(l));
        rn_ledger_close(l);
    }
    CURL *esc = curl_easy_init();
    char *eo = esc ? curl_easy_escape(esc, own, 0) : NULL;
    sink k = {0};
    long status = 0;
    char tmp[] = "/tmp/remnant-sync-XXXXXX";
    int fd = -1, made = 0;
    lacks_ctx lx = {url, tok, 0, s, -1, NULL, 0, 0};
    if (!eo) {
        rc = EXIT_FAIL;
        goto done;
    }
    if (push) {
        /* 1. where the server stands with this log */
        snprintf(full, sizeof full, "%s/api/v1/sync/state?origin=%s", url, eo);
        if ((rc = http(full, tok, NULL, &k, &status)))
            goto done;
        if (status != 200) {
            rc = http_error("sync state", status, &k);
            goto done;
        }
        json_t *j = json_loads(k.mem, 0, NULL);
        json_t *peer = json_object_get(j, "peer");
        json_int_t from = json_integer_value(json_object_get(j, "seen"));
        int registered = json_is_string(peer);
        json_decref(j);
        if (!registered) {
            fprintf(stderr, "remnant: the server at %s has not registered this instance's log "
                    "%s as a peer (`remnant peer add` there, with `remnant key show` from "
                    "here)\n", url, own);
            rc = EXIT_USAGE;
            goto done;
        }
        rn_error err;
        rn_error_clear(&err);
        /* what the server accepted of this log, its files are there (E3) */
        if (!public_view && from > 0 &&
            rn_sync_peer_acked(s, argv[2], (uint64_t)from, &err) != RN_OK) {
            rc = cli_error(err.code ? err.code : RN_EDB, &err);
            goto done;
        }
        /* 2. the package from there; the files it lacks beside it */
        if ((fd = mkstemp(tmp)) < 0) {
            rc = EXIT_FAIL;
            goto done;
        }
        made = 1;
        FILE *f = fdopen(fd, "wb");
        rn_sync_export_opts o = {NULL, 0, 1, (uint64_t)from, NULL, NULL, public_view, grid,
                                 ask_lacks, &lx, 0, 0};
        uint64_t n = 0;
        rn_code c = f ? rn_sync_export(s, argv[2], &o, f, &n, &err) : RN_EIO;
        if (f)
            fclose(f);
        fd = -1;
        if (c) {
            rc = cli_error(c, &err);
            goto done;
        }
        for (size_t i = 0; i < lx.nup && !x.stopped; i++)
            if ((rc = upload_file(&x, s, lx.up[i].sha, lx.up[i].size)))
                goto done;
        if (x.stopped) {
            files_summary(&x, "sent");
            rc = stopped(&x, "push");
            goto done;
        }
        /* 3. sent; the server checks and applies it in one transaction */
        free(k.mem);
        memset(&k, 0, sizeof k);
        snprintf(full, sizeof full, "%s/api/v1/sync/push", url);
        if ((rc = http(full, tok, tmp, &k, &status)))
            goto done;
        if (status != 200) {
            rc = http_error("sync push", status, &k);
            goto done;
        }
        j = json_loads(k.mem, 0, NULL);
        json_int_t size = json_integer_value(json_object_get(j, "size"));
        json_decref(j);
        rn_error_clear(&err);
        if (!public_view && size > 0)
            if (rn_sync_peer_acked(s, argv[2], (uint64_t)size, &err) != RN_OK)
                fprintf(stderr, "remnant: %s (the push went through)\n", err.message);
        if (lx.skipped)
            printf("%" PRIu64 " file(s) not sent: %s holds them already\n", lx.skipped,
                   argv[2]);
        files_summary(&x, "sent");
        printf("pushed %" PRIu64 " entries to %s%s: %s\n", n, argv[2],
               public_view ? " (the public view)" : "", k.mem);
    } else {
        if ((fd = mkstemp(tmp)) < 0) {
            rc = EXIT_FAIL;
            goto done;
        }
        made = 1;
        k.f = fdopen(fd, "wb");
        /* the package without its files, naming them: fetched apart below */
        snprintf(full, sizeof full, "%s/api/v1/sync/pull?origin=%s&since=%" PRIu64
                 "&files=list", url, eo, seen);
        rc = k.f ? http(full, tok, NULL, &k, &status) : EXIT_FAIL;
        if (k.f)
            fclose(k.f);
        k.f = NULL;
        fd = -1;
        if (rc)
            goto done;
        if (status != 200) {
            sink e = {0};
            size_t nread = 0;
            FILE *r = fopen(tmp, "rb");
            char buf[4096];
            if (r) {
                nread = fread(buf, 1, sizeof buf - 1, r);
                fclose(r);
            }
            buf[nread] = '\0';
            e.mem = buf;
            rc = http_error("sync pull", status, &e);
            goto done;
        }
        if ((rc = fetch_files(&x, s, tmp)))
            goto done;
        if (x.stopped) {
            files_summary(&x, "received");
            rc = stopped(&x, "pull");
            goto done;
        }
        const char *by = getenv("REMNANT_AUTHOR");
        if (!by || !*by)
            by = getenv("USER");
        rn_error err;
        rn_error_clear(&err);
        rn_sync_stats st;
        rn_code c = rn_sync_import_file(s, tmp, by && strlen(by) < 100 ? by : "", &st, &err);
        if (c) {
            rc = cli_error(c, &err);
            goto done;
        }
        files_summary(&x, "received");
        printf("pulled from %s: entries %" PRIu64 "..%" PRIu64 "; %" PRIu64 " applied, %" PRIu64
               " already here, %" PRIu64 " our own, %" PRIu64 " withheld, %" PRIu64
               " conflicts\n", argv[2], st.from, st.size, st.applied, st.same, st.echoes,
               st.withheld, st.conflicts);
    }
done:
    if (fd >= 0)
        close(fd);
    if (made)
        unlink(tmp);
    free(k.mem);
    free(lx.up);
    if (eo)
        curl_free(eo);
    if (esc)
        curl_easy_cleanup(esc);
out:
    rn_store_close(s);
    return rc;
}
#endif

int cmd_sync(int argc, char **argv)
{
    if (cli_wants_help(argc, argv) || argc < 2)
        return argc < 2 ? cli_usage_error(usage, "say export or import") : help();
    if (strcmp(argv[1], "export") == 0)
        return do_export(argc, argv);
    if (strcmp(argv[1], "import") == 0)
        return do_import(argc, argv);
    if (strcmp(argv[1], "push") == 0 || strcmp(argv[1], "pull") == 0) {
#ifdef RN_HAVE_CURL
        return do_http(argc, argv, strcmp(argv[1], "push") == 0);
#else
        fprintf(stderr, "remnant: sync %s needs libcurl, which this build lacks: use sync "
                "export and sync import (docs/SYNC.md)\n", argv[1]);
        return EXIT_FAIL;
#endif
    }
    return cli_usage_error(usage, "'%.40s' is not export or import", argv[1]);
}
