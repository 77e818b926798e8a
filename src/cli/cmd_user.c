/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_user.c — `remnant user add|rm|passwd|role|token|list`: the server's
 * accounts (src/server/accounts.c). Passwords come from stdin (one line) or,
 * on a terminal, from a prompt without echo; never from the command line,
 * never printed. A token is printed once and stored only as its hash. */
#if __has_include("server.h")
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "server.h"

static const char usage[] =
    "remnant user add NAME --role admin|investigator|analyst|reviewer\n"
    "       remnant user rm NAME\n"
    "       remnant user passwd NAME [--revoke-tokens]\n"
    "       remnant user role NAME --role admin|investigator|analyst|reviewer\n"
    "       remnant user token NAME [--label TEXT]\n"
    "       remnant user token list [NAME]\n"
    "       remnant user token rm ID\n"
    "       remnant user list";

static int print_token(void *ctx, const char *id, const char *user, const char *label,
                       int64_t created)
{
    (void)ctx;
    char when[32] = "?";
    time_t t = (time_t)created;
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    printf("%s  %-24s %s  ", id, user, when);
    cli_fput_text(stdout, label, strlen(label));
    putchar('\n');
    return 0;
}

static int print_user(void *ctx, const char *name, srv_role role, int ntok)
{
    printf("%-24s %-13s %d token%s\n", name, srv_role_name(role), ntok, ntok == 1 ? "" : "s");
    return 0;
}

int cmd_user(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nAccounts of `remnant serve`. Roles: admin (everything, accounts), "
               "investigator\n(events, items, markings, attachments, custody), analyst "
               "(entities, transfers,\ntraces, findings, claims, sanctions), reviewer (reviews "
               "and publishes findings).\nPasswords (8 or more characters) are read from stdin "
               "or a prompt, hashed with\nArgon2id. `token` prints a new API token once: give "
               "it as\n`Authorization: Bearer TOKEN`. `token list` shows each token's id, "
               "user, label and\ncreation time (never the token); `token rm ID` revokes "
               "one. `passwd` ends every\nsession of the account, and with "
               "--revoke-tokens revokes every API token too. `role` gives an account another\nrole; "
               "its sessions and tokens carry it from their next request.\n", usage);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    const char *role = NULL, *label = NULL;
    if (cli_opt(&argc, argv, "--role", &role) < 0)
        return cli_usage_error(usage, "--role needs a role");
    if (cli_opt(&argc, argv, "--label", &label) < 0)
        return cli_usage_error(usage, "--label needs a text");
    int revoke = cli_flag(&argc, argv, "--revoke-tokens");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    const char *sub = argv[1];
    /* token list [NAME] | token rm ID */
    const char *tsub = strcmp(sub, "token") == 0 && argc >= 3 &&
                               (strcmp(argv[2], "list") == 0 || strcmp(argv[2], "rm") == 0)
                           ? argv[2] : NULL;
    if (tsub && strcmp(tsub, "list") == 0 && argc > 4)
        return cli_usage_error(usage, "'token list' takes at most a NAME");
    if (tsub && strcmp(tsub, "rm") == 0 && argc != 4)
        return cli_usage_error(usage, "'token rm' takes the token's ID (see `remnant user "
                                      "token list`)");
    int want_args = strcmp(sub, "list") == 0 ? 2 : 3;
    if (!tsub && argc != want_args)
        return cli_usage_error(usage, "'%s' takes %s", sub, want_args == 2 ? "no name" : "a NAME");
    if (revoke && strcmp(sub, "passwd") != 0)
        return cli_usage_error(usage, "--revoke-tokens goes with passwd");
    if (sodium_init() < 0)
        return EXIT_FAIL;
    rn_store *s;
    if ((rc = cli_open(0, &s))) /* migrates: the accounts tables exist after */
        return rc;
    rn_store_close(s);
    sqlite3 *db = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code c = srv_accounts_open(cli_db(), &db, &err);
    if (c)
        return cli_error(c, &err);
    char pw[1100];
    char tok[SRV_TOKEN_MAX];
    if (strcmp(sub, "add") == 0 || strcmp(sub, "passwd") == 0) {
        srv_role r = SRV_ROLE_COUNT;
        if (strcmp(sub, "add") == 0 &&
            (!role || (r = srv_role_from_name(role)) == SRV_ROLE_COUNT)) {
            srv_accounts_close(db);
            return cli_usage_error(usage, "give --role admin, investigator, analyst or reviewer");
        }
        if (cli_read_password(stdin, "password: ", pw, sizeof pw)) {
            srv_accounts_close(db);
            fputs("remnant: no password on stdin (one line, at most 1024 bytes)\n", stderr);
            return EXIT_INPUT;
        }
        c = strcmp(sub, "add") == 0 ? srv_user_add(db, argv[2], r, pw, &err)
                                    : srv_user_passwd(db, argv[2], pw, &err);
        sodium_memzero(pw, sizeof pw);
        int n = 0;
        if (c == RN_OK && revoke && (c = srv_token_rm_all(db, argv[2], &n, &err)) == RN_OK)
            fprintf(stderr, "remnant: %d API token%s revoked\n", n, n == 1 ? "" : "s");
    } else if (tsub && strcmp(tsub, "list") == 0) {
        c = srv_token_list(db, argc == 4 ? argv[3] : NULL, print_token, NULL, &err);
    } else if (tsub) {
        c = srv_token_rm(db, NULL, argv[3], &err);
    } else if (strcmp(sub, "rm") == 0) {
        c = srv_user_rm(db, argv[2], &err);
    } else if (strcmp(sub, "role") == 0) {
        srv_role r = role ? srv_role_from_name(role) : SRV_ROLE_COUNT;
        if (r == SRV_ROLE_COUNT) {
            srv_accounts_close(db);
            return cli_usage_error(usage, "give --role admin, investigator, analyst or reviewer");
        }
        c = srv_user_role(db, argv[2], r, &err);
    } else if (strcmp(sub, "token") == 0) {
        c = srv_user_token(db, argv[2], label, tok, &err);
        if (!c)
            printf("%s\n", tok);
        sodium_memzero(tok, sizeof tok);
    } else if (strcmp(sub, "list") == 0) {
        c = srv_user_list(db, print_user, NULL, &err);
    } else {
        srv_accounts_close(db);
        return cli_usage_error(usage, "unknown subcommand '%s'", sub);
    }
    srv_accounts_close(db);
    return c ? cli_error(c, &err) : EXIT_OK;
}
#endif
