/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_conflicts.c — `remnant conflicts` and `remnant resolve ID --take
 * mine|theirs|EDITED`: records a sync found changed on both sides, kept
 * with both versions until a person decides (lib/sync/conflict.c). The
 * resolution is a logged change. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "remnant/sync.h"

static const char usage[] = "remnant conflicts [--json]";
static const char rusage[] = "remnant resolve ID --take mine|theirs|EDITED.json";

static void human(json_t *root)
{
    size_t i;
    json_t *c;
    if (json_array_size(root) == 0)
        puts("no open conflicts");
    json_array_foreach(root, i, c) {
        printf("%s (%s) in conflict with peer %s\n", cli_js(c, "id"), cli_js(c, "type"),
               cli_js(c, "peer"));
        json_t *m = json_object_get(c, "mine"), *t = json_object_get(c, "theirs");
        char *ms = json_dumps(m, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
        char *ts = json_dumps(t, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
        fputs("  mine:   ", stdout);
        if (json_is_null(m))
            fputs("(deleted)", stdout);
        else
            cli_fput_text(stdout, ms ? ms : "", ms ? strlen(ms) : 0);
        printf("\n  theirs: ");
        if (json_is_null(t))
            fputs("(deleted)", stdout);
        else
            cli_fput_text(stdout, ts ? ts : "", ts ? strlen(ts) : 0);
        printf("\n          by %s at %s (log %s entry %" JSON_INTEGER_FORMAT ")\n",
               cli_js(c, "theirs_author"), cli_js(c, "theirs_time"), cli_js(c, "log"),
               json_integer_value(json_object_get(c, "index")));
        free(ms);
        free(ts);
    }
}

int cmd_conflicts(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nThe records a sync found changed both here and at a peer since "
               "they last\nagreed: both versions (mine is the record here, theirs the "
               "peer's), kept\nuntil `remnant resolve` decides.\n", usage);
        return EXIT_OK;
    }
    int json = cli_flag(&argc, argv, "--json");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 1)
        return cli_usage_error(usage, "no arguments");
    rn_store *s;
    if ((rc = cli_open(RN_STORE_READONLY, &s)))
        return rc;
    rn_error err;
    rn_error_clear(&err);
    char *out = NULL;
    rn_code c = rn_sync_conflicts(s, &out, &err);
    rn_store_close(s);
    return cli_document(c, &err, out, out ? strlen(out) : 0, json, human);
}

int cmd_resolve(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nResolve the conflict of record ID: keep mine, take theirs, or "
               "write the\nrecord in EDITED.json (one JSON object, same id and type, as "
               "`remnant show\nID --json` prints). The resolution is a logged change; the "
               "peers receive it\nwith their next sync.\n", rusage);
        return EXIT_OK;
    }
    const char *take = NULL;
    if (cli_opt(&argc, argv, "--take", &take) < 0)
        return cli_usage_error(rusage, "--take needs mine, theirs or a file");
    int rc = cli_unknown_option(argc, argv, rusage);
    if (rc)
        return rc;
    if (argc != 2 || !take)
        return cli_usage_error(rusage, "name one record id and --take");
    rn_sync_take t = RN_TAKE_EDITED;
    char *edited = NULL;
    size_t elen = 0;
    if (strcmp(take, "mine") == 0) {
        t = RN_TAKE_MINE;
    } else if (strcmp(take, "theirs") == 0) {
        t = RN_TAKE_THEIRS;
    } else {
        FILE *f = fopen(take, "rb");
        if (!f) {
            fprintf(stderr, "remnant: --take %s: not mine, theirs or a readable file: %s\n",
                    take, strerror(errno));
            return EXIT_NOTFOUND;
        }
        size_t cap = 1 << 20;
        edited = malloc(cap);
        elen = edited ? fread(edited, 1, cap, f) : 0;
        int big = edited && elen == cap;
        fclose(f);
        if (!edited || big) {
            free(edited);
            fprintf(stderr, "remnant: --take %s: larger than 1 MiB\n", take);
            return EXIT_INPUT;
        }
        while (elen > 0 && (edited[elen - 1] == '\n' || edited[elen - 1] == '\r'))
            elen--;
    }
    rn_store *s;
    if ((rc = cli_open(0, &s))) {
        free(edited);
        return rc;
    }
    rn_error err;
    rn_error_clear(&err);
    rn_code c = rn_sync_resolve(s, argv[1], t, edited, elen, &err);
    if (c)
        rc = cli_error(c, &err);
    else
        printf("resolved %s: took %s\n", argv[1], t == RN_TAKE_MINE     ? "mine"
                                                  : t == RN_TAKE_THEIRS ? "theirs"
                                                                        : "the edited record");
    free(edited);
    rn_store_close(s);
    return rc;
}
