/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_gc.c — `remnant gc`: remove the orphans of the blob folder (blobs no
 * attachment and no log entry names; stale temporary files of attaches or
 * uploads that did not finish; sync transfers not resumed for a week).
 * `remnant verify` lists the same files. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] = "remnant gc [--dry-run]";

static void say(void *ctx, const char *path, const char *why, uint64_t size)
{
    printf("%s %s (%llu bytes): %s\n", *(int *)ctx ? "would remove" : "removed", path,
           (unsigned long long)size, why);
}

int cmd_gc(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nRemove the orphans of the blob folder: files that no "
               "attachment and no entry\nof the evidence log names (left by an attach "
               "or upload that failed or was\nkilled), temporary files older than "
               "an hour, and sync file transfers not\nresumed for a week. A blob any "
               "record or log entry names is never\nremoved. --dry-run lists them only.\n",
               usage);
        return EXIT_OK;
    }
    int dry = cli_flag(&argc, argv, "--dry-run");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 1)
        return cli_usage_error(usage, "no arguments expected");
    rn_store *s;
    if ((rc = cli_open(dry ? RN_STORE_READONLY : 0, &s)))
        return rc;
    rn_error err;
    rn_error_clear(&err);
    uint64_t n = 0, bytes = 0;
    rn_code c = rn_store_orphans(s, !dry, say, &dry, &n, &bytes, &err);
    rn_store_close(s);
    if (c)
        return cli_error(c, &err);
    printf("%s%llu orphan%s, %llu bytes\n", dry ? "found " : "removed ",
           (unsigned long long)n, n == 1 ? "" : "s", (unsigned long long)bytes);
    return EXIT_OK;
}
