/* SPDX-License-Identifier: Apache-2.0
 *
 * witness_cli.h — asking witnesses from the CLI (witness_http.c). */
#ifndef REMNANT_WITNESS_CLI_H
#define REMNANT_WITNESS_CLI_H

#include "remnant/ledger.h"

/* rn_witness_post_fn over libcurl (ctx unused): 5 s to connect, 20 s in
 * all, http and https only, no redirects. */
rn_code cli_witness_post(void *ctx, const char *url, const char *body,
                         size_t len, int *status, char *resp, size_t cap,
                         size_t *resp_len, rn_error *err);

/* Ask the log's witnesses to cosign its latest checkpoint, print one line
 * per witness (stderr) and the tally (stdout); quorum < 0: the one stored.
 * Returns the exit code: 0 quorum met, 1 not met, 6 a witness saw another
 * version of the log (split view, rollback). */
int cli_witness_ask(rn_ledger *l, long quorum);

#endif
