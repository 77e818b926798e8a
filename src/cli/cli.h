/* SPDX-License-Identifier: Apache-2.0
 *
 * cli.h — what the `remnant` subcommands share: the database path, option
 * handling, error printing and exit codes. The CLI uses only the public
 * API of libremnant. */
#ifndef REMNANT_CLI_H
#define REMNANT_CLI_H

#include <jansson.h>
#include <stdio.h>
#include "remnant/analysis.h"
#include "remnant/model.h"
#include "remnant/remnant.h"
#include "remnant/store.h"

/* Exit codes (docs/CLI.md). */
enum {
    EXIT_OK = 0,
    EXIT_FAIL = 1,     /* anything else */
    EXIT_USAGE = 2,    /* bad command line */
    EXIT_INPUT = 3,    /* bad input data, a broken rule or reference */
    EXIT_NOTFOUND = 4, /* a record, file or database that does not exist */
    EXIT_DB = 5,       /* database busy, read-only, damaged, or I/O failure */
    EXIT_VERIFY = 6    /* evidence did not verify */
};

/* The database path: --db PATH, else $REMNANT_DB, else ./remnant.db. */
const char *cli_db(void);
void cli_set_db(const char *path);

/* Exit code for a library result. */
int cli_exit_code(rn_code rc);
/* Print "remnant: [FILE:LINE: ][field 'F': ]MESSAGE" and return the exit
 * code for rc. */
int cli_error(rn_code rc, const rn_error *err);
/* Print "remnant CMD: MESSAGE\n(usage line)" to stderr, return EXIT_USAGE. */
int cli_usage_error(const char *usage, const char *fmt, ...) RN_PRINTF(2, 3);

/* Open the database; prints the error and returns nonzero exit code. */
int cli_open(unsigned flags, rn_store **out);

/* Option scanning over argv[1..argc): remove and report a flag. */
int cli_flag(int *argc, char **argv, const char *name);
/* Remove "--name VALUE" or "--name=VALUE"; *val = VALUE. Returns 1 if
 * found, 0 if not, -1 if the value is missing. */
int cli_opt(int *argc, char **argv, const char *name, const char **val);
/* 1 if an argument after argv[0] still starts with '-' (unknown option). */
int cli_unknown_option(int argc, char **argv, const char *usage);
/* `--help` or `-h` present. */
int cli_wants_help(int argc, char **argv);

/* Parse "field=value" arguments into r; prints errors. Returns exit code. */
int cli_set_fields(rn_record *r, int argc, char **argv, int allow_clear);
/* The string at key k of a JSON object from the library's analyses, or "-"
 * when absent: for printing tables. Control characters in it come back
 * escaped (the value in o is replaced by its escaped form). */
const char *cli_js(json_t *o, const char *k);

/* The analysis commands' filter options, removed from argv into *f:
 * --item ID, --event ID, --system NAME, --state CC, --country CC,
 * --limit N (1 to RN_ANALYSIS_LIMIT_MAX). Prints a usage error and returns
 * its exit code when a value is missing or wrong; 0 otherwise. */
int cli_analysis_filter(int *argc, char **argv, const char *usage, rn_analysis_filter *f);

/* The common end of an analysis command: on failure print the error; else
 * print the library's JSON document `out` as it is (json) or through
 * `human`. Frees out. Returns the exit code. */
int cli_document(rn_code c, const rn_error *err, char *out, size_t len, int json,
                 void (*human)(json_t *root));

/* Authenticate the local account `user` (`remnant user`) by its password,
 * read from pw_file ("-": stdin) or else from the terminal without echo;
 * refused without a name, without a password source, with a wrong
 * password, or (need_reviewer) for a role other than reviewer or admin.
 * On success the store's author is the account (rn_store_set_account).
 * Prints the reason and returns the exit code; 0 on success (account.c). */
int cli_account_login(rn_store *s, const char *user, const char *pw_file, int need_reviewer);
/* One line of password from `in` into buf (no newline); on a terminal with
 * a prompt and without echo. 0, or -1 when none or too long. */
int cli_read_password(FILE *in, const char *prompt, char *buf, size_t cap);

/* Print a record for people, or as one JSON line. */
/* Write n bytes of stored text for a terminal: line breaks and tabs as \\n
 * \\t \\r, other control characters (C0, DEL, C1) as \\xNN / \\uNNNN, so a
 * value can never move the cursor, ring, or rewrite the screen. */
void cli_fput_text(FILE *out, const char *s, size_t n);
int cli_print_record(FILE *out, const rn_record *r, int json);

/* The file an -o PATH names. "-" is standard output; an existing device or
 * pipe (/dev/null, /dev/stdout, a FIFO) is written as it is; anything else
 * is written to a temporary file beside PATH that cli_out_close renames
 * into place, so that a failed or killed run leaves no half file and never
 * replaces a device. */
typedef struct cli_out {
    FILE *f;
    const char *path;
    char tmp[4200]; /* "" when written directly */
} cli_out;
/* 0, or -1 with errno set (EISDIR for a directory) and nothing created. */
int cli_out_open(cli_out *o, const char *path);
/* ok: flush (and make durable) and put the file in place; 0, or -1 with
 * errno set and the temporary file removed. !ok: discard it (returns 0). */
int cli_out_close(cli_out *o, int ok);

#endif
