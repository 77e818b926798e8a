/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_fields.c — `remnant fields [TYPE]`: the data model, from the same
 * tables the library validates with. */
#include <string.h>

#include "cli.h"

static const char *kind_name(rn_kind k)
{
    static const char *const n[] = {"text", "integer", "number", "date", "ref", "ids",
                                    "enum", "list", "country", "sha256"};
    return (unsigned)k < sizeof n / sizeof n[0] ? n[k] : "?";
}

int cmd_fields(int argc, char **argv)
{
    static const char usage[] = "remnant fields [TYPE]";
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nList the record types, or the fields of TYPE with their kinds.\n"
               "[sensitive] fields are never public; [public: coarsened] ones are public\n"
               "only coarsened (docs/PUBLIC.md).\n",
               usage);
        return EXIT_OK;
    }
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc == 1) {
        for (int t = 0; t < RN_T_COUNT; t++)
            printf("%-11s %s\n", rn_type_name((rn_type)t), rn_type_help((rn_type)t));
        return EXIT_OK;
    }
    rn_type t;
    if (argc != 2 || rn_type_from_name(argv[1], &t))
        return cli_usage_error(usage, "name one record type");
    size_t nf;
    const rn_field *f = rn_type_fields(t, &nf);
    printf("%s: %s\n  %-16s %-8s %s\n", rn_type_name(t), rn_type_help(t), "id", "id",
           "set by remnant when not given");
    for (size_t i = 0; i < nf; i++) {
        char kind[40];
        if (f[i].kind == RN_F_REF)
            snprintf(kind, sizeof kind, "ref:%s", rn_type_name(f[i].ref));
        else
            snprintf(kind, sizeof kind, "%s", kind_name(f[i].kind));
        printf("  %-16s %-15s %s%s%s%s\n", f[i].name, kind, f[i].help,
               (f[i].flags & RN_FIELD_REQUIRED) ? " [required]" : "",
               (f[i].flags & RN_FIELD_SENSITIVE) ? " [sensitive]" : "",
               (f[i].flags & RN_FIELD_COARSE) ? " [public: coarsened]" : "");
    }
    return EXIT_OK;
}
