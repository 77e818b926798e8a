/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_photos.c — `remnant photos derive|check`: the public's copies of
 * photos (docs/PHOTOS.md). `remnant attach` makes the copy of a new photo;
 * `derive` makes the ones missing (attachments from before, or whose copy
 * was removed); `check` says whether a file holds no location or device
 * metadata, by the same check the server applies before serving a copy. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] = "remnant photos (derive [ATTACHMENT...] | check FILE...)";

/* Ids of the image attachments that are not copies themselves. */
static int originals(rn_store *s, char (**ids)[RN_ID_LEN + 1], size_t *n)
{
    rn_cursor *c = NULL;
    rn_error err;
    rn_error_clear(&err);
    size_t cap = 0;
    *ids = NULL;
    *n = 0;
    rn_code rc = rn_store_list(s, RN_T_ATTACHMENT, NULL, 0, -1, 0, &c, &err);
    const rn_record *r;
    while (rc == RN_OK && (rc = rn_cursor_next(c, &r, &err)) == RN_OK && r) {
        const char *mt = rn_record_get(r, "media_type", NULL);
        if (rn_record_get(r, "derived_from", NULL) || !mt || strncmp(mt, "image/", 6) != 0)
            continue;
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            void *nv = realloc(*ids, nc * sizeof **ids);
            if (!nv) {
                rc = RN_ENOMEM;
                break;
            }
            *ids = nv;
            cap = nc;
        }
        memcpy((*ids)[(*n)++], rn_record_id(r), RN_ID_LEN + 1);
    }
    rn_cursor_free(c);
    return rc ? cli_error(rc, &err) : EXIT_OK;
}

static int derive(int argc, char **argv)
{
    rn_store *s;
    int rc = cli_open(0, &s);
    if (rc)
        return rc;
    char (*ids)[RN_ID_LEN + 1] = NULL;
    size_t n = 0;
    if (argc > 2) {
        ids = calloc((size_t)argc - 2, sizeof *ids);
        for (int i = 2; ids && i < argc; i++)
            snprintf(ids[n++], sizeof ids[0], "%.26s", argv[i]);
        rc = ids ? EXIT_OK : cli_error(RN_ENOMEM, NULL);
    } else {
        rc = originals(s, &ids, &n);
    }
    size_t made = 0, failed = 0;
    for (size_t i = 0; rc == EXIT_OK && i < n; i++) {
        char copy[RN_ID_LEN + 1];
        rn_error err;
        rn_error_clear(&err);
        rn_code c = rn_store_photo_derive(s, ids[i], copy, &err);
        if (c == RN_OK) {
            printf("%s %s\n", ids[i], copy);
            made++;
        } else if (c == RN_EINPUT || c == RN_ENOTFOUND) {
            fprintf(stderr, "remnant: %s: %s\n", ids[i], err.message);
            failed++;
        } else {
            rc = cli_error(c, &err);
        }
    }
    if (rc == EXIT_OK) {
        fprintf(stderr, "%zu with a public copy, %zu without (never served to the public)\n",
                made, failed);
        rc = failed ? EXIT_INPUT : EXIT_OK;
    }
    free(ids);
    rn_store_close(s);
    return rc;
}

static int check(int argc, char **argv)
{
    int rc = EXIT_OK;
    for (int i = 2; i < argc; i++) {
        rn_error err;
        rn_error_clear(&err);
        rn_code c = rn_store_photo_check(argv[i], &err);
        if (c == RN_OK) {
            printf("%s: clean\n", argv[i]);
        } else {
            printf("%s: not clean: %s\n", argv[i], err.message);
            if (rc == EXIT_OK)
                rc = cli_exit_code(c);
        }
    }
    return rc;
}

int cmd_photos(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "The public never receives a photo as captured: it receives the photo's "
               "public copy,\nwith every EXIF, GPS, XMP, IPTC, comment and maker segment "
               "removed, stored as an\nattachment of its own derived from the original "
               "(docs/PHOTOS.md). `remnant attach`\nmakes it for JPEG, PNG, TIFF, WebP and "
               "HEIC; other files get none and are not served\nto the public.\n\n"
               "  derive [ATTACHMENT...]  make the public copies missing (of the given\n"
               "                          attachments, or of every photo); prints ORIGINAL "
               "COPY\n"
               "                          per line; exit 3 if any photo could get none\n"
               "  check FILE...           is each file free of location and device metadata?\n",
               usage);
        return EXIT_OK;
    }
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc < 2)
        return cli_usage_error(usage, "name an action: derive or check");
    if (strcmp(argv[1], "derive") == 0)
        return derive(argc, argv);
    if (strcmp(argv[1], "check") == 0) {
        if (argc < 3)
            return cli_usage_error(usage, "name at least one file to check");
        return check(argc, argv);
    }
    return cli_usage_error(usage, "unknown action '%s'", argv[1]);
}
