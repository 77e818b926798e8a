/* SPDX-License-Identifier: Apache-2.0
 *
 * witness_cli.h — asking witnesses from the CLI (witness_http.c). */
#ifndef REMNANT_WITNESS_CLI_H
#define REMNANT_WITNESS_CLI_H

#include <stdint.h>

#include "remnant/ledger.h"

/* rn_witness_post_fn over libcurl: 5 s to connect, 20 s in all, http and
 * https only, no redirects. ctx: NULL, or an atomic_int (stdatomic.h) that,
 * once nonzero, makes the transfer give up within about a second (RN_EIO):
 * how `remnant serve` stops while a witness does not answer. */
rn_code cli_witness_post(void *ctx, const char *url, const char *body,
                         size_t len, int *status, char *resp, size_t cap,
                         size_t *resp_len, rn_error *err);

/* libcurl is loaded on first use (curl_dl.c): NULL once it is, else why it
 * cannot be, naming the Debian package to install. Loads it if need be. */
const char *cli_curl_missing(void);

/* Ask the log's witnesses to cosign its latest checkpoint, print one line
 * per witness (stderr) and the tally (stdout; stderr when quiet); quorum <
 * 0: the one stored. Returns the exit code: 0 quorum met, 1 not met, 6 a
 * witness saw another version of the log (split view, rollback). */
int cli_witness_ask(rn_ledger *l, long quorum, int quiet);

/* Around every command (main.c): _mark reads the log's size before it runs
 * (UINT64_MAX: no log); _after, when the command succeeded and the log grew
 * (a new checkpoint) and the log has witnesses, asks them at once, and
 * returns cli_witness_ask's exit code when it is not 0, else rc. The
 * checkpoint and what the command wrote stay either way. */
uint64_t cli_witness_mark(void);
/* 0 for a command that never appends to the log (show, list, verify, ...,
 * any --help) or asks witnesses on its own terms (serve, witness,
 * checkpoint): no need to look at the log around it. */
int cli_witness_may_write(int argc, char **argv);
int cli_witness_after(uint64_t before, int rc);

#endif
