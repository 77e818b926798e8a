/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_serve.c — `remnant serve`: run the HTTP JSON API (src/server/) on a
 * database until SIGINT or SIGTERM. Built only when libmicrohttpd is found
 * (the server's folder is then on the include path). */
#if __has_include("server.h")
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "server.h"
#include "witness_cli.h"

static const char usage[] =
    "remnant serve [--listen ADDR:PORT] [--threads N] [--timeout S] [--max-conn N]\n"
    "              [--max-body BYTES] [--max-upload BYTES] [--public-grid DEGREES]\n"
    "              [--header-timeout S] [--body-timeout S] [--max-conn-per-ip N]\n"
    "              [--busy-timeout MS] [--login-lock-min S] [--login-lock-max S]\n"
    "              [--search-rate N] [--search-work N] [--secure-cookie] [--quiet]\n"
    "              [--web DIR] [--tiles URL]";

int cmd_serve(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nServe the database over HTTP: a JSON API for records, "
               "attachments, search and\nthe evidence log, with accounts and roles "
               "(`remnant user`) and a redacted\npublic view. Defaults: --listen "
               "127.0.0.1:8080, --threads = 2 x CPUs, --timeout 10,\n--max-conn 1000, "
               "--max-body 1048576, --max-upload 268435456, --public-grid 0.1,\n"
               "--header-timeout 10 and --body-timeout 300 (absolute deadlines of a "
               "request's\nheaders and body), --max-conn-per-ip 64, --busy-timeout 500 "
               "(a write that\ncannot get the database lock in time answers 503), "
               "--login-lock-min 1 and\n--login-lock-max 900 (first and longest login "
               "lockout, in seconds), --search-rate 60\n(anonymous searches per minute "
               "per client address), --search-work 2000000\n(database steps one "
               "anonymous search may take).\n"
               "The web app (public portal at /, staff workspace at /app/) is built in;\n"
               "--web DIR serves it from a folder instead (a checkout's web/, to work on it).\n"
               "--tiles URL adds the operator's map tiles (https://HOST/{z}/{x}/{y}.png)\n"
               "over the built-in Natural Earth base map.\n"
               "After writes, the log's witnesses (`remnant witness add`) are asked to cosign\n"
               "the latest checkpoint, off the request; each outcome is logged (docs/LEDGER.md).\n"
               "The API is described at /api/openapi.json and in docs/API.md. Stops "
               "cleanly on\nSIGINT or SIGTERM. One log line per request goes to stderr.\n",
               usage);
        return EXIT_OK;
    }
    const char *listen = "127.0.0.1:8080", *v;
    srv_config *c = &srv_cfg;
    memset(c, 0, sizeof *c);
    c->timeout_s = 10;
    c->max_conn = 1000;
    c->json_max = SRV_JSON_MAX_DEFAULT;
    c->upload_max = SRV_UPLOAD_MAX_DEFAULT;
    c->public_grid = RN_PUBLIC_GRID_DEFAULT;
    c->header_timeout_s = 10;
    c->body_timeout_s = 300;
    c->max_conn_per_ip = 64;
    c->busy_ms = 500;
    c->login_lock_min_s = 1;
    c->login_lock_max_s = 900;
    c->search_rate = 60;
    c->search_work = 2000000; /* a full scan of ~400k search texts */
    c->quiet = cli_flag(&argc, argv, "--quiet");
    c->secure_cookie = cli_flag(&argc, argv, "--secure-cookie");
    if (cli_opt(&argc, argv, "--listen", &listen) < 0)
        return cli_usage_error(usage, "--listen needs ADDR:PORT, e.g. 127.0.0.1:8080");
    long th = 0, to = c->timeout_s, mc = c->max_conn, mb = (long)c->json_max,
         mu = (long)c->upload_max, ht = c->header_timeout_s, bt = c->body_timeout_s,
         mp = c->max_conn_per_ip, bu = c->busy_ms, ll = c->login_lock_max_s, lm = 1,
         sr = c->search_rate, sw = (long)c->search_work;
    const struct {
        const char *name;
        long min, max;
        long *out;
    } nums[] = {{"--threads", 0, 64, &th},
                {"--timeout", 1, 3600, &to},
                {"--max-conn", 1, 100000, &mc},
                {"--max-body", 1024, 64L << 20, &mb},
                {"--max-upload", 1, (long)RN_ATTACH_MAX, &mu},
                {"--header-timeout", 1, 3600, &ht},
                {"--body-timeout", 1, 86400, &bt},
                {"--max-conn-per-ip", 1, 100000, &mp},
                {"--busy-timeout", 0, 60000, &bu},
                {"--login-lock-min", 1, 86400, &lm},
                {"--login-lock-max", 1, 86400, &ll},
                {"--search-rate", 1, 100000, &sr},
                {"--search-work", 1000, 1L << 40, &sw}};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        int r = cli_opt(&argc, argv, nums[i].name, &v);
        if (r < 0 || (r > 0 && srv_parse_long(v, nums[i].min, nums[i].max, nums[i].out)))
            return cli_usage_error(usage, "%s needs a number from %ld to %ld", nums[i].name,
                                   nums[i].min, nums[i].max);
    }
    int r = cli_opt(&argc, argv, "--public-grid", &v);
    if (r < 0)
        return cli_usage_error(usage, "--public-grid needs degrees, e.g. 0.1");
    if (r > 0) {
        char *end;
        double g = strtod(v, &end);
        if (*end || !(g > 0.0 && g <= RN_PUBLIC_GRID_MAX))
            return cli_usage_error(usage, "--public-grid is more than 0 and at most 10 degrees"
                                          " (exact coordinates are never public)");
        c->public_grid = g;
    }
    r = cli_opt(&argc, argv, "--web", &c->web_dir);
    if (r < 0)
        return cli_usage_error(usage, "--web needs a folder, e.g. web");
    if (c->web_dir) {
        char idx[4096];
        FILE *f = NULL;
        if (snprintf(idx, sizeof idx, "%s/index.html", c->web_dir) < (int)sizeof idx)
            f = fopen(idx, "r");
        if (!f)
            return cli_usage_error(usage, "--web %s: no index.html there (give the web/ "
                                   "folder of a checkout)", c->web_dir);
        fclose(f);
    }
    r = cli_opt(&argc, argv, "--tiles", &c->tile_url);
    if (r < 0 || (c->tile_url && ((strncmp(c->tile_url, "https://", 8) != 0 &&
                                   strncmp(c->tile_url, "http://", 7) != 0) ||
                                  !strstr(c->tile_url, "{z}") || !strstr(c->tile_url, "{x}") ||
                                  !strstr(c->tile_url, "{y}") || strlen(c->tile_url) > 250 ||
                                  strpbrk(c->tile_url, "\"' ;\n"))))
        return cli_usage_error(usage, "--tiles needs a URL like "
                               "https://tiles.example.org/{z}/{x}/{y}.png");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 1)
        return cli_usage_error(usage, "unexpected argument '%s'", argv[1]);
    if (srv_parse_listen(listen, c->host, sizeof c->host, &c->port))
        return cli_usage_error(usage, "--listen '%s' is not ADDR:PORT", listen);
    c->threads = (unsigned)th;
    c->timeout_s = (unsigned)to;
    c->max_conn = (unsigned)mc;
    c->json_max = (size_t)mb;
    c->upload_max = (uint64_t)mu;
    c->header_timeout_s = (unsigned)ht;
    c->body_timeout_s = (unsigned)bt;
    c->max_conn_per_ip = (unsigned)mp;
    c->busy_ms = (unsigned)bu;
    c->login_lock_min_s = (unsigned)lm;
    c->login_lock_max_s = (unsigned)(ll < lm ? lm : ll);
    c->search_rate = (unsigned)sr;
    c->search_work = (unsigned long)sw;
    c->db_path = cli_db();
    c->witness_post = cli_witness_post; /* after writes, on a thread (witnesses.c) */
    if (sodium_init() < 0) {
        fputs("remnant serve: libsodium failed to initialise\n", stderr);
        return EXIT_FAIL;
    }
    /* Open once here: creates nothing, but migrates the schema (accounts
     * tables included) before any worker thread opens its own store. */
    rn_store *s;
    if ((rc = cli_open(0, &s)))
        return rc;
    rn_store_close(s);
    return srv_run();
}
#endif
