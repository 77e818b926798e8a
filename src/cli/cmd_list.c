/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_list.c — `remnant list TYPE [FIELD=VALUE ...]`: records of a type in
 * creation order, optionally filtered. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "remnant list TYPE [FIELD=VALUE ...] [--limit N] [--offset N] [--json]";

static long number(const char *s, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end || v < 0)
        return -1;
    *out = v;
    return 0;
}

/* One line for people: the id and the first few fields that are set. */
static void summary(const rn_record *r)
{
    size_t nf, shown = 0;
    const rn_field *f = rn_type_fields(rn_record_type(r), &nf);
    printf("%s", rn_record_id(r));
    for (size_t i = 0; i < nf && shown < 4; i++) {
        size_t n;
        const char *v = rn_record_get_at(r, (int)i, &n);
        if (!v || (f[i].flags & RN_FIELD_SENSITIVE) || f[i].kind == RN_F_REF)
            continue;
        printf("  %s=", f[i].name);
        cli_fput_text(stdout, v, n > 40 ? 40 : n);
        fputs(n > 40 ? "..." : "", stdout);
        shown++;
    }
    putchar('\n');
}

int cmd_list(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nList records of TYPE in creation order. FIELD=VALUE keeps only "
               "records whose FIELD\nequals VALUE (e.g. kind=component). --limit defaults to "
               "all. --json prints one\nJSON object per line.\n", usage);
        return EXIT_OK;
    }
    int json = cli_flag(&argc, argv, "--json");
    const char *lim = NULL, *off = NULL;
    long limit = -1, offset = 0;
    if (cli_opt(&argc, argv, "--limit", &lim) < 0 || (lim && number(lim, &limit)))
        return cli_usage_error(usage, "--limit needs a whole number");
    if (cli_opt(&argc, argv, "--offset", &off) < 0 || (off && number(off, &offset)))
        return cli_usage_error(usage, "--offset needs a whole number");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc < 2)
        return cli_usage_error(usage, "name a record type (see `remnant fields`)");
    rn_type t;
    if (rn_type_from_name(argv[1], &t))
        return cli_usage_error(usage, "'%s' is not a record type (see `remnant fields`)",
                               argv[1]);
    int nf = argc - 2;
    rn_filter *f = calloc((size_t)(nf > 0 ? nf : 1), sizeof *f);
    char **names = calloc((size_t)(nf > 0 ? nf : 1), sizeof *names);
    if (!f || !names) {
        free(f);
        free(names);
        return EXIT_FAIL;
    }
    for (int i = 0; i < nf && !rc; i++) {
        const char *a = argv[i + 2], *eq = strchr(a, '=');
        if (!eq || eq == a) {
            rc = cli_usage_error(usage, "'%s' is not FIELD=VALUE", a);
            break;
        }
        names[i] = strndup(a, (size_t)(eq - a));
        f[i].field = names[i];
        f[i].value = eq + 1;
    }
    rn_store *s = NULL;
    if (!rc)
        rc = cli_open(RN_STORE_READONLY, &s);
    if (!rc) {
        rn_cursor *c = NULL;
        rn_error err;
        rn_error_clear(&err);
        rn_code x = rn_store_list(s, t, f, (size_t)nf, limit, offset, &c, &err);
        const rn_record *r;
        while (x == RN_OK && (x = rn_cursor_next(c, &r, &err)) == RN_OK && r) {
            if (json)
                cli_print_record(stdout, r, 1);
            else
                summary(r);
        }
        if (x)
            rc = cli_error(x, &err);
        rn_cursor_free(c);
    }
    for (int i = 0; i < nf; i++)
        free(names[i]);
    free(names);
    free(f);
    rn_store_close(s);
    return rc;
}
