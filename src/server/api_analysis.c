/* SPDX-License-Identifier: Apache-2.0
 *
 * api_analysis.c — the decoder and the analyses over HTTP: the same
 * library calls and the same JSON documents as `remnant decode --json`,
 * `timeline --json`, `origin --json`, `sanctions --json` and `links --json`.
 *
 * Decoding reads no record, so the public may use it. The analyses read
 * every record, published or not: they need an account (any role). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "remnant/analysis.h"
#include "remnant/decode.h"
#include "server.h"

/* One decoder for the whole server: immutable once loaded and safe to share
 * between threads (decode.h). Loaded on the first decode request. */
static rn_decoder *decoder;
static rn_code decoder_rc;
static rn_error decoder_err;
static pthread_once_t decoder_once = PTHREAD_ONCE_INIT;

static void load_decoder(void)
{
    char dir[4200];
    const char *slash = strrchr(srv_cfg.db_path, '/');
    if (slash)
        snprintf(dir, sizeof dir, "%.*s/rules", (int)(slash - srv_cfg.db_path),
                 srv_cfg.db_path);
    else
        snprintf(dir, sizeof dir, "rules");
    const char *dirs[1] = {dir};
    rn_error_clear(&decoder_err);
    decoder_rc = rn_decoder_load(dirs, 1, &decoder, &decoder_err);
}

static int parse_day(const char *s, int32_t *out)
{
    rn_date d;
    if (strlen(s) != 10 || rn_date_parse(s, 10, &d, NULL) || d.precision != RN_PREC_DAY)
        return -1;
    *out = d.earliest;
    return 0;
}

void api_decode(srv_req *q)
{
    const char *text = srv_query(q, "text");
    if (!text || !*text) {
        srv_reply_error(q, 400, "bad_request", "give the marking as ?text=", "text");
        return;
    }
    pthread_once(&decoder_once, load_decoder);
    if (decoder_rc) {
        srv_reply_rn(q, decoder_rc, &decoder_err);
        return;
    }
    rn_decode_ctx ctx = {srv_query(q, "category"), srv_query(q, "state"),
                         srv_query(q, "manufacturer"), RN_DAY_OPEN_HIGH, 0};
    const char *doc = srv_query(q, "documented");
    if (doc && parse_day(doc, &ctx.documented)) {
        srv_reply_error(q, 400, "bad_request", "documented is a date YYYY-MM-DD", "documented");
        return;
    }
    rn_candidates *cs = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_decode_marking(decoder, text, strlen(text), &ctx, &cs, &err);
    char *out = NULL;
    size_t len = 0;
    if (rc == RN_OK)
        rc = rn_candidates_to_json(text, strlen(text), cs, &out, &len);
    rn_candidates_free(cs);
    if (rc) {
        if (!err.field[0])
            snprintf(err.field, sizeof err.field, "text");
        srv_reply_rn(q, rc, &err);
        return;
    }
    srv_reply_json(q, 200, out, len);
}

/* The filters the analyses share, from the query string. */
static int filter(srv_req *q, rn_analysis_filter *f)
{
    memset(f, 0, sizeof *f);
    f->item = srv_query(q, "item");
    f->event = srv_query(q, "event");
    f->weapon_system = srv_query(q, "weapon_system");
    f->producing_state = srv_query(q, "producing_state");
    f->country = srv_query(q, "country");
    const char *all = srv_query(q, "all_kinds");
    f->all_kinds = all && strcmp(all, "1") == 0;
    const char *lim = srv_query(q, "limit");
    if (lim && srv_parse_long(lim, 1, SRV_LIMIT_MAX, &f->limit)) {
        srv_reply_error(q, 400, "bad_request", "limit is 1 to 1000", "limit");
        return -1;
    }
    if (f->item && !rn_id_valid(f->item, strlen(f->item))) {
        srv_reply_error(q, 400, "bad_request", "item is not a record id", "item");
        return -1;
    }
    if (f->event && !rn_id_valid(f->event, strlen(f->event))) {
        srv_reply_error(q, 400, "bad_request", "event is not a record id", "event");
        return -1;
    }
    return 0;
}

static void reply(srv_req *q, rn_code rc, char *out, size_t len, rn_error *err)
{
    if (rc)
        srv_reply_rn(q, rc, err);
    else
        srv_reply_json(q, 200, out, len);
}

#define ANALYSIS(name, call)                                        \
    void name(srv_req *q)                                           \
    {                                                               \
        rn_analysis_filter f;                                       \
        if (filter(q, &f))                                          \
            return;                                                 \
        char *out = NULL;                                           \
        size_t len = 0;                                             \
        rn_error err;                                               \
        rn_error_clear(&err);                                       \
        rn_code rc = call;                                          \
        reply(q, rc, out, len, &err);                               \
    }

ANALYSIS(api_timeline, rn_timeline(q->w->store, &f, &out, &len, &err))
ANALYSIS(api_origin, rn_origin(q->w->store, &f, &out, &len, &err))
ANALYSIS(api_sanctions, rn_sanctions_scan(q->w->store, &f, 0, &out, &len, &err))

void api_links(srv_req *q)
{
    const char *what = srv_query(q, "q");
    if (!what || !*what) {
        srv_reply_error(q, 400, "bad_request", "give an item id, serial or lot as ?q=", "q");
        return;
    }
    char *out = NULL;
    size_t len = 0;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_links(q->w->store, what, &out, &len, &err);
    reply(q, rc, out, len, &err);
}
