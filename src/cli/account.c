/* SPDX-License-Identifier: Apache-2.0
 *
 * account.c — who acts, for the commands whose act must be done by an
 * authenticated account (`remnant finding review|publish|withdraw`): the
 * local account of `remnant user` and its password, read from the terminal
 * without echo or from a file (`-`: stdin) for scripts. Never from the
 * command line or the environment, never printed. On success the store's
 * author is the account (rn_store_set_account). */
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

#if __has_include("server.h")
#include <sqlite3.h>

#include "server.h"

int cli_read_password(FILE *in, const char *prompt, char *buf, size_t cap)
{
    int tty = isatty(fileno(in));
    struct termios old, quiet;
    if (tty) {
        /* echo off first, then the prompt: what is typed after the prompt
         * appears is never shown (typed before it, it is flushed) */
        if (tcgetattr(fileno(in), &old) == 0) {
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(fileno(in), TCSAFLUSH, &quiet);
        } else {
            tty = 0;
        }
        fprintf(stderr, "%s", prompt);
        fflush(stderr);
    }
    char *got = fgets(buf, (int)cap, in);
    if (tty) {
        tcsetattr(fileno(in), TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (!got)
        return -1;
    size_t n = strlen(buf);
    if (n + 1 == cap && buf[n - 1] != '\n')
        return -1; /* too long */
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    return 0;
}

int cli_account_login(rn_store *s, const char *user, const char *pw_file, int need_reviewer)
{
    if (!user || !*user) {
        fputs("remnant: name your account: --user NAME (an account of `remnant user`); "
              "this act is refused without one\n", stderr);
        return EXIT_USAGE;
    }
    FILE *in = NULL;
    if (pw_file && strcmp(pw_file, "-") == 0) {
        in = stdin;
    } else if (pw_file) {
        in = fopen(pw_file, "r");
        if (!in) {
            fprintf(stderr, "remnant: cannot read the password file %s\n", pw_file);
            return EXIT_NOTFOUND;
        }
    } else if (isatty(STDIN_FILENO)) {
        in = stdin;
    } else {
        fputs("remnant: no terminal to ask the password on: give --password-file FILE "
              "(- for stdin)\n", stderr);
        return EXIT_USAGE;
    }
    char pw[1100];
    char prompt[128];
    snprintf(prompt, sizeof prompt, "password for %.64s: ", user);
    int bad = cli_read_password(in, prompt, pw, sizeof pw);
    if (in != stdin)
        fclose(in);
    if (bad) {
        sodium_memzero(pw, sizeof pw);
        fputs("remnant: no password read (one line, at most 1024 bytes)\n", stderr);
        return EXIT_INPUT;
    }
    if (sodium_init() < 0) {
        sodium_memzero(pw, sizeof pw);
        return EXIT_FAIL;
    }
    sqlite3 *db = NULL;
    rn_error err;
    rn_error_clear(&err);
    srv_role role = SRV_ROLE_COUNT;
    rn_code c = srv_accounts_open(cli_db(), &db, &err);
    if (!c)
        c = srv_login(db, user, pw, &role, &err);
    sodium_memzero(pw, sizeof pw);
    srv_accounts_close(db);
    if (c) { /* a refusal, not evidence that failed to verify (exit 6) */
        int ec = cli_error(c, &err);
        return c == RN_ECRYPTO ? EXIT_INPUT : ec;
    }
    if (need_reviewer && role != SRV_REVIEWER && role != SRV_ADMIN) {
        fprintf(stderr, "remnant: %s is an %s; reviewing, publishing and withdrawing "
                "findings is for a reviewer or an admin\n", user, srv_role_name(role));
        return EXIT_INPUT;
    }
    if (rn_store_set_account(s, user) != RN_OK) {
        fputs("remnant: the account name is too long\n", stderr);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

#else

int cli_account_login(rn_store *s, const char *user, const char *pw_file, int need_reviewer)
{
    (void)s;
    (void)user;
    (void)pw_file;
    (void)need_reviewer;
    fputs("remnant: this build has no accounts (built without the server), so nothing can "
          "be reviewed, published or withdrawn here\n", stderr);
    return EXIT_FAIL;
}

#endif
