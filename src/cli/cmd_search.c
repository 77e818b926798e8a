/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_search.c — `remnant search QUERY`: markings and notes by substring;
 * `?` stands for one unknown character. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] = "remnant search QUERY [--limit N] [--json]";

typedef struct ctx {
    int json;
    long n;
} ctx;

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static int hit(void *p, const rn_hit *h)
{
    ctx *c = p;
    c->n++;
    if (c->json) {
        printf("{\"id\":\"%s\",\"type\":\"%s\",\"field\":\"%s\",\"text\":", h->id,
               rn_type_name(h->type), h->field);
        json_str(h->text);
        puts("}");
    } else {
        size_t n = strlen(h->text);
        printf("%s  %-8s %-10s ", h->id, rn_type_name(h->type), h->field);
        cli_fput_text(stdout, h->text, n > 80 ? 80 : n);
        puts(n > 80 ? "..." : "");
    }
    return 0;
}

int cmd_search(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nFind markings and notes containing QUERY (case-insensitive). In "
               "QUERY, ? stands\nfor exactly one unknown character, as transcribed markings "
               "write an illegible\none: `remnant search 'KN-2?'`, `remnant search 2?15`. "
               "--limit defaults to 100.\n", usage);
        return EXIT_OK;
    }
    ctx c = {cli_flag(&argc, argv, "--json"), 0};
    const char *lim = NULL;
    long limit = 100;
    char *end;
    if (cli_opt(&argc, argv, "--limit", &lim) < 0 ||
        (lim && ((limit = strtol(lim, &end, 10)) <= 0 || *end)))
        return cli_usage_error(usage, "--limit needs a whole number above 0");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 2)
        return cli_usage_error(usage, "give one query (quote it if it has spaces)");
    rn_store *s;
    if ((rc = cli_open(RN_STORE_READONLY, &s)))
        return rc;
    rn_error err;
    rn_error_clear(&err);
    rn_code x = rn_store_search(s, argv[1], limit, hit, &c, &err);
    if (x)
        rc = cli_error(x, &err);
    else if (!c.json && c.n == 0)
        fprintf(stderr, "no matches\n");
    rn_store_close(s);
    return rc;
}
