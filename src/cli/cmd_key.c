/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_key.c — `remnant key create|show|rotate|history`: the instance's
 * checkpoint signing key. The secret key file is `<db>.key` (mode 0600); it
 * is never printed. What is printed is the verifier key, which others need
 * to check checkpoints and bundles (remnant-verify --key). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "remnant/ledger.h"

static const char usage[] = "remnant key (create | show | rotate | history)";

int cmd_key(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "The instance's Ed25519 key signs every checkpoint of the evidence "
               "log\n(C2SP signed-note). The secret key is the file DB.key (mode "
               "0600), never\nprinted or logged.\n\n"
               "  create   make the key, sign the latest checkpoint, print the "
               "verifier key\n"
               "  show     print the verifier key (give it to whoever checks "
               "your evidence)\n"
               "  rotate   replace the key; old checkpoints stay verifiable "
               "with the old\n           public key, which stays on record\n"
               "  history  every public key that has signed this log\n",
               usage);
        return EXIT_OK;
    }
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 2)
        return cli_usage_error(usage, "name one action");
    const char *act = argv[1];
    int ro = strcmp(act, "show") == 0 || strcmp(act, "history") == 0;
    if (!ro && strcmp(act, "create") != 0 && strcmp(act, "rotate") != 0)
        return cli_usage_error(usage, "unknown action '%s'", act);
    rn_ledger *l = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code c = rn_ledger_open(cli_db(), ro ? RN_LEDGER_READONLY : 0, &l, &err);
    if (c)
        return cli_error(c, &err);
    char vkey[RN_LEDGER_VKEY_MAX];
    if (strcmp(act, "create") == 0)
        c = rn_ledger_key_create(l, vkey, &err);
    else if (strcmp(act, "rotate") == 0)
        c = rn_ledger_key_rotate(l, vkey, &err);
    else if (strcmp(act, "show") == 0)
        c = rn_ledger_key_show(l, vkey, &err);
    else {
        char *h = NULL;
        c = rn_ledger_key_history(l, &h, &err);
        if (c == RN_OK)
            fputs(h, stdout);
        rn_free(h);
        vkey[0] = '\0';
    }
    if (c == RN_OK && vkey[0])
        printf("%s\n", vkey);
    if (c == RN_OK && strcmp(act, "show") != 0 && strcmp(act, "history") != 0)
        fprintf(stderr, "secret key in %s.key (keep it private; back it up)\n",
                cli_db());
    rc = c ? cli_error(c, &err) : EXIT_OK;
    rn_ledger_close(l);
    return rc;
}
