/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_demo.c — `remnant demo PATH`: a new database holding the demo data
 * (data/demo/demo.jsonl, invented and labelled so). */
#include <string.h>

#include "cli.h"

static const char usage[] = "remnant demo PATH";

int cmd_demo(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nCreate a database at PATH holding the demo dataset: INVENTED "
               "records shaped like\npublic reporting on North Korean missiles used in "
               "Ukraine in 2024 (events,\nmissile remnants, circuit boards, foreign "
               "components, Juche-year marks and\nelectronics date codes). Fails if PATH "
               "exists.\n", usage);
        return EXIT_OK;
    }
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 2)
        return cli_usage_error(usage, "name the database file to create");
    char data[4096];
    if (rn_data_file("demo/demo.jsonl", data, sizeof data)) {
        fprintf(stderr, "remnant: the demo data (demo/demo.jsonl) is not installed; set "
                        "REMNANT_DATA to the data folder\n");
        return EXIT_NOTFOUND;
    }
    rn_store *s;
    rn_error err;
    rn_error_clear(&err);
    rn_code c = rn_store_open(argv[1], RN_STORE_CREATE | RN_STORE_EXCL, &s, &err);
    if (c)
        return cli_error(c, &err);
    if (rn_store_set_author(s, "remnant demo") != RN_OK) {
        rn_store_close(s);
        return EXIT_FAIL;
    }
    rn_import_stats st;
    c = rn_import_file(s, data, NULL, &st, &err);
    rn_store_close(s);
    if (c)
        return cli_error(c, &err);
    printf("created %s with %llu demo records (invented data)\n", argv[1],
           (unsigned long long)st.records);
    return EXIT_OK;
}
