/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_proof.c — `remnant proof ID -o FILE`: a C2SP tlog-proof file
 * (https://c2sp.org/tlog-proof) that record ID's latest entry is in the log:
 * the entry's bytes (the `extra` line), its index, the inclusion proof and
 * the latest checkpoint with its signatures and cosignatures, verifiable
 * offline by any tlog-proof verifier that trusts the log's key. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "remnant/ledger.h"

static const char usage[] = "remnant proof ID -o FILE";

int cmd_proof(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "Write a C2SP tlog-proof (c2sp.org/tlog-proof@v1) of record ID's"
               " latest log entry\nin the latest checkpoint to FILE (- for"
               " standard output). Its `extra` line is the\nentry's canonical bytes"
               " in base64 (their leaf hash is what the proof proves).\n", usage);
        return EXIT_OK;
    }
    const char *outp = NULL;
    if (cli_opt(&argc, argv, "-o", &outp) < 0 || !outp)
        return cli_usage_error(usage, "say where to write the proof: -o FILE");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 2)
        return cli_usage_error(usage, "name one record");
    if (!rn_id_valid(argv[1], strlen(argv[1])))
        return cli_usage_error(usage, "%s is not a record id", argv[1]);
    rn_ledger *l = NULL;
    rn_error err;
    rn_error_clear(&err);
    char *text = NULL;
    size_t len = 0;
    rn_code c = rn_ledger_open(cli_db(), RN_LEDGER_READONLY, &l, &err);
    if (c == RN_OK)
        c = rn_ledger_proof_file(l, argv[1], &text, &len, &err);
    rn_ledger_close(l);
    if (c)
        return cli_error(c, &err);
    if (strcmp(outp, "-") == 0) {
        fwrite(text, 1, len, stdout);
        rn_free(text);
        return EXIT_OK;
    }
    cli_out out;
    int ok = cli_out_open(&out, outp) == 0;
    if (ok) {
        ok = fwrite(text, 1, len, out.f) == len;
        ok = cli_out_close(&out, ok) == 0 && ok;
    }
    rn_free(text);
    if (!ok) {
        fprintf(stderr, "remnant: cannot write %s: %s\n", outp, strerror(errno));
        return EXIT_DB;
    }
    fprintf(stderr, "wrote %s\n", outp);
    return EXIT_OK;
}
