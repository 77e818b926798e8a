/* SPDX-License-Identifier: Apache-2.0
 *
 * witness_http.c — the CLI's transport for asking witnesses (libcurl, loaded
 * on first use: curl_dl.c): one
 * POST of an add-checkpoint body, the answer's status and body, bounded;
 * and the shared "ask the witnesses, report, judge the quorum" step that
 * `remnant witness ask` runs. The protocol itself is the library's
 * (lib/ledger/witness_ask.c); nothing here decides what an answer means. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cli.h"
#include "remnant/ledger.h"
#include "witness_cli.h"

typedef struct sink {
    char *buf;
    size_t cap, len;
    int overflow;
} sink;

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
    sink *s = ctx;
    size_t len = size * n;
    if (len > s->cap - s->len) {
        s->overflow = 1;
        return 0; /* libcurl stops the transfer */
    }
    memcpy(s->buf + s->len, p, len);
    s->len += len;
    return len;
}

/* The transfer gives up once the caller's stop flag is set. */
static int on_progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt, (void)dn, (void)ut, (void)un;
    return atomic_load((atomic_int *)ctx) != 0;
}

rn_code cli_witness_post(void *ctx, const char *url, const char *body,
                         size_t len, int *status, char *resp, size_t cap,
                         size_t *resp_len, rn_error *err)
{
    static int inited;
    *status = 0;
    *resp_len = 0;
    if (ctx && atomic_load((atomic_int *)ctx)) {
        err->code = RN_EIO;
        snprintf(err->message, sizeof err->message, "not sent: stopping");
        return RN_EIO;
    }
    if (!inited) {
        const char *missing = cli_curl_missing();
        if (missing || curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
            snprintf(err->message, sizeof err->message, "%s",
                     missing ? missing : "libcurl failed to initialise");
            err->code = RN_EIO;
            return RN_EIO;
        }
        inited = 1;
    }
    CURL *h = curl_easy_init();
    if (!h) {
        err->code = RN_ENOMEM;
        snprintf(err->message, sizeof err->message, "out of memory");
        return RN_ENOMEM;
    }
    char ebuf[CURL_ERROR_SIZE] = "";
    sink s = {resp, cap, 0, 0};
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: text/plain;"
                                               " charset=utf-8");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "remnant/" RN_VERSION);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    if (ctx) {
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, ctx);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    }
    CURLcode cc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    if (s.overflow) {
        err->code = RN_ELIMIT;
        snprintf(err->message, sizeof err->message, "the answer is larger"
                 " than %zu bytes", cap);
        return RN_EIO;
    }
    if (cc == CURLE_ABORTED_BY_CALLBACK) {
        err->code = RN_EIO;
        snprintf(err->message, sizeof err->message, "stopped before an answer came");
        return RN_EIO;
    }
    if (cc != CURLE_OK) {
        err->code = RN_EIO;
        snprintf(err->message, sizeof err->message, "%s",
                 ebuf[0] ? ebuf : curl_easy_strerror(cc));
        return RN_EIO;
    }
    *status = (int)code;
    *resp_len = s.len;
    return RN_OK;
}

typedef struct report {
    int alarm; /* a split view or rollback was reported */
} report;

static void on_result(void *ctx, const rn_ledger_witness_result *r)
{
    report *rep = ctx;
    if (r->outcome == RN_ASK_SPLIT_VIEW || r->outcome == RN_ASK_ROLLBACK)
        rep->alarm = 1;
    fprintf(stderr, "witness %s: %s", r->witness->name,
            rn_witness_outcome_word(r->outcome));
    if (r->status)
        fprintf(stderr, " (HTTP %d)", r->status);
    fputs(": ", stderr);
    cli_fput_text(stderr, r->message, strlen(r->message));
    fputc('\n', stderr);
}

int cli_witness_ask(rn_ledger *l, long quorum, int quiet)
{
    rn_error err;
    rn_error_clear(&err);
    unsigned q = 0;
    rn_code c = RN_OK;
    if (quorum < 0)
        c = rn_ledger_witness_quorum_get(l, &q, &err);
    else
        q = (unsigned)quorum;
    if (c)
        return cli_error(c, &err);
    size_t cosigned = 0, asked = 0;
    report rep = {0};
    uint64_t size = 0;
    c = rn_ledger_size(l, &size, &err);
    if (c == RN_OK)
        c = rn_ledger_witness_ask(l, 0, cli_witness_post, NULL, on_result, &rep,
                                  &cosigned, &asked, &err);
    if (c)
        return cli_error(c, &err);
    fprintf(quiet ? stderr : stdout,
            "checkpoint %llu: %zu cosignature%s, quorum %u: %s\n",
           (unsigned long long)size, cosigned, cosigned == 1 ? "" : "s", q,
           cosigned >= q ? "met" : "NOT MET");
    if (rep.alarm) {
        fprintf(stderr, "remnant witness: a witness saw another version of this"
                " log (above). The checkpoint is kept; keep this output as"
                " evidence and find out which copy is genuine.\n");
        return EXIT_VERIFY;
    }
    if (cosigned < q) {
        fprintf(stderr, "remnant witness: quorum not met: %zu of the %u"
                " cosignatures required. The checkpoint is kept; ask again"
                " when the witnesses are reachable (`remnant witness ask`).\n",
                cosigned, q);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

/* ---- after a command that wrote --------------------------------------------- */

int cli_witness_may_write(int argc, char **argv)
{
    static const char *const readers[] = {
        "show", "list", "search", "export", "fields", "verify", "checkpoint",
        "history", "bundle", "decode", "timeline", "origin", "sanctions",
        "links", "report", "generate", "serve", "witness", "init", "demo",
        "gc", "proof", "log",
    };
    if (argc < 1 || cli_wants_help(argc, argv))
        return 0;
    for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++)
        if (strcmp(argv[0], readers[i]) == 0)
            return 0;
    return 1;
}

/* The latest checkpoint's size, or UINT64_MAX when there is no log to read
 * (no database yet, not a Remnant database, busy): then nothing is asked. */
uint64_t cli_witness_mark(void)
{
    const char *db = cli_db();
    rn_ledger *l = NULL;
    uint64_t size = UINT64_MAX;
    if (access(db, F_OK) != 0)
        return UINT64_MAX;
    if (rn_ledger_open(db, RN_LEDGER_READONLY, &l, NULL) != RN_OK)
        return UINT64_MAX;
    if (rn_ledger_size(l, &size, NULL) != RN_OK)
        size = UINT64_MAX;
    rn_ledger_close(l);
    return size;
}

static int count_one(void *ctx, const rn_ledger_witness_info *w)
{
    (void)w;
    ++*(unsigned *)ctx;
    return 0;
}

int cli_witness_after(uint64_t before, int rc)
{
    rn_ledger *l = NULL;
    uint64_t now = 0;
    unsigned n = 0;
    rn_error err;
    if (rc != EXIT_OK || before == UINT64_MAX)
        return rc;
    /* One open, for writing: the command could write, so the asking can
     * (cosignatures, the witnesses' sizes). */
    rn_error_clear(&err);
    if (rn_ledger_open(cli_db(), 0, &l, &err) != RN_OK)
        return rc;
    int grew = rn_ledger_size(l, &now, NULL) == RN_OK && now > before;
    if (grew && rn_ledger_witness_list(l, count_one, &n, NULL) != RN_OK)
        n = 0; /* a database from before witnesses: none to ask */
    if (!grew || n == 0) {
        rn_ledger_close(l);
        return rc;
    }
    int wrc = cli_witness_ask(l, -1, 1);
    rn_ledger_close(l);
    if (wrc == EXIT_INPUT) {
        /* an unsigned log: the change itself is stored and its exit says so */
        fputs("remnant: the change is stored; its checkpoint was not sent to the witnesses"
              " (above)\n", stderr);
        return rc;
    }
    return wrc ? wrc : rc;
}
