/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_log.c — `remnant log publish DIR`: the evidence log as a static tree of
 * C2SP tlog-tiles files (checkpoint, hash tiles, public entry bundles) for any
 * static web host or mirror to serve, the same bytes `remnant serve` gives
 * the public at /log/ (docs/LEDGER.md "Tiles"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "remnant/ledger.h"

static const char usage[] = "remnant log publish DIR [--public-grid DEGREES]";

int cmd_log(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "Write the evidence log into folder DIR as C2SP tlog-tiles "
               "(https://c2sp.org/tlog-tiles):\n"
               "  DIR/checkpoint                 the latest signed checkpoint, with"
               " its cosignatures\n"
               "  DIR/tile/<L>/<N>[.p/<W>]       the tree's hashes (full tiles are"
               " written once)\n"
               "  DIR/tile/entries/<N>[.p/<W>]   the entries as the public sees them:"
               " the latest\n"
               "                                 entry of each public record with its"
               " public\n"
               "                                 disclosures, every other entry as its"
               " leaf hash\n"
               "Serve DIR at <prefix>/ (e.g. https://example.org/log/); full tiles"
               " never change.\n"
               "  --public-grid DEGREES   public coordinates rounded to this grid"
               " (default 0.1)\n", usage);
        return EXIT_OK;
    }
    const char *grid_s = NULL;
    double grid = 0;
    if (cli_opt(&argc, argv, "--public-grid", &grid_s) < 0 ||
        (grid_s && (sscanf(grid_s, "%lf", &grid) != 1 || !(grid > 0 && grid <= 10))))
        return cli_usage_error(usage, "--public-grid is more than 0 and at most 10 degrees");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc < 2 || strcmp(argv[1], "publish") != 0)
        return cli_usage_error(usage, "the log command is: log publish DIR");
    if (argc != 3 || !argv[2][0])
        return cli_usage_error(usage, "name the folder to write: log publish DIR");
    rn_store *s;
    if ((rc = cli_open(RN_STORE_READONLY, &s)))
        return rc;
    rn_ledger *l = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_ledger_publish_stats st;
    rn_code c = rn_ledger_open(cli_db(), RN_LEDGER_READONLY, &l, &err);
    if (c == RN_OK)
        c = rn_ledger_publish(l, s, argv[2], grid, &st, &err);
    rn_ledger_close(l);
    rn_store_close(s);
    if (c)
        return cli_error(c, &err);
    printf("published %llu entries to %s: %llu tiles written, %llu entry bundles, %llu"
           " entries shown to the public (the rest as leaf hashes)\n",
           (unsigned long long)st.size, argv[2], (unsigned long long)st.tiles,
           (unsigned long long)st.bundles, (unsigned long long)st.public_entries);
    return EXIT_OK;
}
