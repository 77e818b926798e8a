/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_rm.c — `remnant rm ID`: remove a record nothing refers to. */
#include "cli.h"

static const char usage[] = "remnant rm ID";

int cmd_rm(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nRemove the record ID. A record that others refer to (an item "
               "with parts or\nmarkings, an event with items, ...) cannot be removed until "
               "they are. The removal\nis logged; the evidence log keeps what was there.\n",
               usage);
        return EXIT_OK;
    }
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 2)
        return cli_usage_error(usage, "name one record id");
    rn_store *s;
    if ((rc = cli_open(0, &s)))
        return rc;
    rn_error err;
    rn_error_clear(&err);
    rn_code c = rn_store_delete(s, argv[1], &err);
    if (c)
        rc = cli_error(c, &err);
    else
        printf("removed %s\n", argv[1]);
    rn_store_close(s);
    return rc;
}
