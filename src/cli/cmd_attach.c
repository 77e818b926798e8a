/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_attach.c — `remnant attach ID FILE`: store a photo or document by its
 * SHA-256 and record it against an item or event (a photo with its public
 * copy, lib/store/photo.c). */
#include "cli.h"

static const char usage[] = "remnant attach ITEM|EVENT FILE [--media-type TYPE] [--json]";

int cmd_attach(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nCopy FILE into the blob folder beside the database, named by its "
               "SHA-256 and never\nmodified again, and create an attachment record for the "
               "item or event. Prints\nthe attachment's id. The media type is recognised from "
               "the content (JPEG, PNG,\nPDF, ...) unless --media-type is given. Up to 4 "
               "GiB.\n\nA JPEG, PNG, TIFF, WebP or HEIC photo also gets its public copy, with its "
               "location and\ndevice metadata removed, stored beside it (`remnant photos`, "
               "docs/PHOTOS.md);\nthe public is served that copy only, and nothing of a "
               "file that has none.\n", usage);
        return EXIT_OK;
    }
    int json = cli_flag(&argc, argv, "--json");
    const char *mt = NULL;
    if (cli_opt(&argc, argv, "--media-type", &mt) < 0)
        return cli_usage_error(usage, "--media-type needs a value, e.g. image/jpeg");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 3)
        return cli_usage_error(usage, "name an item or event id and a file");
    rn_store *s;
    if ((rc = cli_open(0, &s)))
        return rc;
    char id[RN_ID_LEN + 1];
    rn_error err;
    rn_error_clear(&err);
    rn_code c = rn_store_attach(s, argv[1], argv[2], mt, id, &err);
    if (c) {
        rc = cli_error(c, &err);
    } else if (json) {
        rn_record *r = NULL;
        if (rn_store_get(s, id, &r, &err) == RN_OK)
            rc = cli_print_record(stdout, r, 1);
        rn_record_free(r);
    } else {
        printf("%s\n", id);
    }
    if (!c) {
        /* say so when the public will not get this file (docs/PHOTOS.md) */
        rn_record *copy = NULL;
        rn_code p = rn_store_photo_public(s, id, &copy, NULL);
        rn_record_free(copy);
        if (p == RN_ENOTFOUND || p == RN_EINPUT)
            fprintf(stderr, "note: %s has no public copy without its metadata, so it will "
                            "not be served to the public (docs/PHOTOS.md)\n", id);
    }
    rn_store_close(s);
    return rc;
}
