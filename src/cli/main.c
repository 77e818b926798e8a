/* SPDX-License-Identifier: Apache-2.0
 *
 * main.c — the `remnant` command: global options, then one subcommand from
 * the table below, each in its own cmd_<name>.c. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "witness_cli.h"

typedef int (*cmd_fn)(int argc, char **argv);

#define CMD(name) int cmd_##name(int argc, char **argv)
CMD(init); CMD(add); CMD(show); CMD(list); CMD(edit); CMD(rm); CMD(attach);
CMD(import); CMD(export); CMD(search); CMD(fields); CMD(demo);
CMD(report);
CMD(gc);
CMD(photos);
CMD(peer); CMD(sync); CMD(conflicts); CMD(resolve);
/* Commands of parts that may not be built in every configuration: a weak
 * reference is NULL when the part is absent, and main says so. */
#define WEAK(name) int cmd_##name(int argc, char **argv) __attribute__((weak))
WEAK(generate); WEAK(decode); WEAK(key); WEAK(verify); WEAK(bundle);
WEAK(checkpoint); WEAK(witness); WEAK(claim); WEAK(timeline); WEAK(origin);
WEAK(sanctions); WEAK(links); WEAK(trace); WEAK(finding); WEAK(serve); WEAK(user);
WEAK(history); WEAK(log); WEAK(proof);

static const struct command {
    const char *name;
    cmd_fn fn;
    const char *summary;
} commands[] = {
    {"init", cmd_init, "create a new database"},
    {"add", cmd_add, "add a record: remnant add TYPE FIELD=VALUE ..."},
    {"show", cmd_show, "show one record"},
    {"list", cmd_list, "list records of a type"},
    {"edit", cmd_edit, "change fields of a record"},
    {"rm", cmd_rm, "remove a record"},
    {"attach", cmd_attach, "attach a photo or file to an item or event"},
    {"photos", cmd_photos, "the public's copies of photos, without their metadata"},
    {"import", cmd_import, "import JSON Lines or CSV, all or nothing"},
    {"export", cmd_export, "export records as JSON Lines or CSV"},
    {"search", cmd_search, "search markings and notes (? = one unknown character)"},
    {"fields", cmd_fields, "list record types and their fields"},
    {"demo", cmd_demo, "create a database holding the (invented) demo data"},
    {"gc", cmd_gc, "remove orphan files from the blob folder"},
    {"generate", NULL, "write a synthetic dataset as JSON Lines"},
    {"decode", NULL, "decode a marking into candidate facts"},
    {"key", NULL, "make, show or rotate the instance's signing key"},
    {"checkpoint", NULL, "show signed checkpoints of the evidence log"},
    {"verify", NULL, "verify records, blobs, log and checkpoints"},
    {"history", NULL, "every change of a record, from the evidence log"},
    {"bundle", NULL, "write an evidence bundle for offline verification"},
    {"proof", NULL, "write a C2SP tlog-proof file of a record's latest log entry"},
    {"log", NULL, "publish the evidence log as C2SP tlog-tiles files: log publish DIR"},
    {"witness", NULL, "witnesses: cosign, serve (tlog-witness), the ones this log asks"},
    {"claim", NULL, "show or override the decoder's claims about an item"},
    {"timeline", NULL, "production-to-use intervals, with their uncertainty"},
    {"origin", NULL, "component origin: countries, manufacturers, date codes"},
    {"sanctions", NULL, "candidate sanctions exposures, for an analyst to review"},
    {"links", NULL, "items linked by serial runs, lots and packaging marks"},
    {"trace", NULL, "trace requests: draft, send, answer, overdue"},
    {"finding", NULL, "findings: draft, review, publish"},
    {"serve", NULL, "run the HTTP JSON API"},
    {"user", NULL, "accounts and API tokens for the server"},
    {"report", cmd_report, "a briefing report (PDF or HTML) of a finding, weapons or an event"},
    {"peer", cmd_peer, "the other instances this one syncs with"},
    {"sync", cmd_sync, "sync with a peer: export and import packages"},
    {"conflicts", cmd_conflicts, "records changed here and at a peer, kept both ways"},
    {"resolve", cmd_resolve, "resolve a sync conflict: mine, theirs or an edited record"},
};

static cmd_fn weak_fn(const char *name)
{
    if (!strcmp(name, "generate")) return cmd_generate;
    if (!strcmp(name, "decode")) return cmd_decode;
    if (!strcmp(name, "key")) return cmd_key;
    if (!strcmp(name, "checkpoint")) return cmd_checkpoint;
    if (!strcmp(name, "verify")) return cmd_verify;
    if (!strcmp(name, "bundle")) return cmd_bundle;
    if (!strcmp(name, "witness")) return cmd_witness;
    if (!strcmp(name, "claim")) return cmd_claim;
    if (!strcmp(name, "timeline")) return cmd_timeline;
    if (!strcmp(name, "origin")) return cmd_origin;
    if (!strcmp(name, "sanctions")) return cmd_sanctions;
    if (!strcmp(name, "links")) return cmd_links;
    if (!strcmp(name, "trace")) return cmd_trace;
    if (!strcmp(name, "finding")) return cmd_finding;
    if (!strcmp(name, "serve")) return cmd_serve;
    if (!strcmp(name, "user")) return cmd_user;
    if (!strcmp(name, "history")) return cmd_history;
    if (!strcmp(name, "log")) return cmd_log;
    if (!strcmp(name, "proof")) return cmd_proof;
    return NULL;
}

static void usage(FILE *out)
{
    fputs("usage: remnant [--db PATH] COMMAND [ARGS...]\n\n"
          "Remnant documents weapon remnants, decodes their markings and keeps the\n"
          "evidence verifiable. Commands:\n\n", out);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        cmd_fn fn = commands[i].fn ? commands[i].fn : weak_fn(commands[i].name);
        if (fn)
            fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].summary);
    }
    fputs("\nThe database is --db PATH, else $REMNANT_DB, else ./remnant.db.\n"
          "`remnant COMMAND --help` explains a command. Exit codes: 0 ok, 1 failure,\n"
          "2 usage, 3 bad input, 4 not found, 5 database or I/O, 6 verification failed.\n",
          out);
}

int main(int argc, char **argv)
{
    /* Global options come before the command; --db is also accepted after
     * it, so `remnant list item --db x.db` works as people type it. */
    const char *db = NULL;
    int r = cli_opt(&argc, argv, "--db", &db);
    if (r < 0)
        return cli_usage_error("remnant --db PATH COMMAND ...", "--db needs a path");
    if (r > 0)
        cli_set_db(db);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        usage(stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("remnant %s\n", RN_VERSION);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name))
            continue;
        cmd_fn fn = commands[i].fn ? commands[i].fn : weak_fn(commands[i].name);
        if (!fn) {
            fprintf(stderr, "remnant: '%s' is not part of this build\n", argv[1]);
            return EXIT_FAIL;
        }
        /* A command that made a checkpoint has it cosigned by the log's
         * witnesses, if it has any (witness_http.c). */
        uint64_t before = cli_witness_may_write(argc - 1, argv + 1) ? cli_witness_mark()
                                                                    : UINT64_MAX;
        return cli_witness_after(before, fn(argc - 1, argv + 1));
    }
    fprintf(stderr, "remnant: '%s' is not a command (see `remnant --help`)\n", argv[1]);
    return EXIT_USAGE;
}
