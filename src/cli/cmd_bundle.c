/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_bundle.c — `remnant bundle`: one file holding records, their blobs,
 * their inclusion proofs and the signed checkpoint, for offline checking by
 * remnant-verify (docs/BUNDLE.md). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "remnant/ledger.h"

#define RN_BUNDLE_IDS_MAX 256

static const char usage[] =
    "remnant bundle (--finding ID | --item ID ...) [--public [--public-grid DEG]]\n"
    "                      [--since SIZE] -o FILE";

int cmd_bundle(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "Write an evidence bundle: the finding (with the records it cites) "
               "or the items\n(with their event, attachments and markings), "
               "each record's latest log entry\nwith its inclusion proof, the "
               "attachments' files, and the latest signed\ncheckpoint with its "
               "cosignatures. Anyone can check it offline with\n"
               "`remnant-verify --key VKEY FILE` (VKEY from `remnant key show`).\n"
               "--item and --finding repeat; ids may also follow as arguments.\n"
               "--since SIZE adds a consistency proof from the log's tree of SIZE "
               "entries,\nso that a witness who saw that tree can cosign "
               "(remnant-verify --cosign).\n"
               "--public makes the bundle anyone may receive: only public records (a\n"
               "published finding and what it cites), each with the disclosures of just\n"
               "the fields the public sees; every other field stays a salted digest that\n"
               "proves it exists without revealing it (docs/BUNDLE.md, docs/PUBLIC.md).\n",
               usage);
        return EXIT_OK;
    }
    const char *ids[RN_BUNDLE_IDS_MAX];
    size_t n = 0;
    const char *v, *outp = NULL;
    int r;
    while ((r = cli_opt(&argc, argv, "--finding", &v)) == 1 ||
           (r = cli_opt(&argc, argv, "--item", &v)) == 1) {
        if (n == RN_BUNDLE_IDS_MAX)
            return cli_usage_error(usage, "too many ids");
        ids[n++] = v;
    }
    if (r < 0)
        return cli_usage_error(usage, "--finding and --item need an id");
    int pub = cli_flag(&argc, argv, "--public");
    const char *grid_s = NULL;
    double grid = 0;
    if (cli_opt(&argc, argv, "--public-grid", &grid_s) < 0 ||
        (grid_s && (sscanf(grid_s, "%lf", &grid) != 1 || !(grid > 0 && grid <= 10))))
        return cli_usage_error(usage, "--public-grid is more than 0 and at most 10 degrees");
    if (grid_s && !pub)
        return cli_usage_error(usage, "--public-grid goes with --public");
    const char *since_s = NULL;
    unsigned long long since = 0;
    if (cli_opt(&argc, argv, "--since", &since_s) < 0 ||
        (since_s && sscanf(since_s, "%llu", &since) != 1))
        return cli_usage_error(usage, "--since takes a tree size");
    if (cli_opt(&argc, argv, "-o", &outp) < 0 || !outp)
        return cli_usage_error(usage, "say where to write the bundle: -o FILE");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    for (int i = 1; i < argc; i++) {
        if (n == RN_BUNDLE_IDS_MAX)
            return cli_usage_error(usage, "too many ids");
        ids[n++] = argv[i];
    }
    if (n == 0)
        return cli_usage_error(usage, "name a finding or items");
    rn_store *s;
    if ((rc = cli_open(RN_STORE_READONLY, &s)))
        return rc;
    cli_out out;
    if (cli_out_open(&out, outp) != 0) {
        fprintf(stderr, "remnant: cannot write %s: %s\n", outp, strerror(errno));
        rn_store_close(s);
        return EXIT_DB;
    }
    rn_error err;
    rn_error_clear(&err);
    rn_code c =
        pub ? rn_ledger_bundle_write_public(s, cli_db(), grid, ids, n, (uint64_t)since, out.f, &err)
            : rn_ledger_bundle_write(s, cli_db(), ids, n, (uint64_t)since, out.f, &err);
    if (cli_out_close(&out, c == RN_OK) != 0) {
        c = RN_EIO;
        snprintf(err.message, sizeof err.message, "writing %s: %s", outp, strerror(errno));
    }
    rc = c ? cli_error(c, &err) : EXIT_OK;
    if (c == RN_OK && strcmp(outp, "-") != 0)
        fprintf(stderr, "wrote %s\n", outp);
    rn_store_close(s);
    return rc;
}
