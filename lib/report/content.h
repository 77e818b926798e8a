/* SPDX-License-Identifier: Apache-2.0
 *
 * content.h — content.c's entry: the document of a report. Private. */
#ifndef REMNANT_REPORT_CONTENT_H
#define REMNANT_REPORT_CONTENT_H

#include "report/report_int.h"

typedef struct rp_content_out {
    char bundle_sha[65];           /* "" when no bundle could be made */
    char bundle_tmp[4200];         /* the bundle written beside bundle_path, to
                                      be renamed to it with the report ("": none) */
    char subject[RN_ID_LEN + 1];   /* the finding, first item or event */
} rp_content_out;

/* s: where records and analyses are read (in the public view, a store
 * holding only the public export of orig); orig: the store itself (blobs,
 * existence of ids). */
rn_code rp_content_build(rn_store *s, rn_store *orig, const rn_report_opts *o,
                         rp_doc **out_doc, rp_content_out *out, rn_error *err);

#endif
