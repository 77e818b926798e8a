/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_rules.c — libFuzzer target for the rule-file loader: any bytes as one
 * rule file into an empty rule set; when it loads, a few markings are
 * decoded with it, so that whatever the loader accepts the decoder can run.
 * A rejected file must name a line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rn_decoder *d = rn__calloc(1, sizeof *d);
    if (!d)
        return 0;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn__rules_load_text(d, "fuzz.rules", (const char *)data, size, &err);
    if (rc == RN_EINPUT && (err.line < 1 || strcmp(err.file, "fuzz.rules") != 0))
        abort();
    if (rc == RN_OK && rn__rules_finish(d, &err) == RN_OK) {
        static const char *const marks[] = {"0412", "2?15", "112", "TPS54331DR 2215", "539 81",
                                            "AB12 CD-34 ?? 1402/05/12", "S/N 12345",
                                            "XY12 12.05.2023", "XY12 0912 135",
                                            "XY12 PQ208AGQ0575", "XY12 12.05.2099"};
        rn_decode_ctx ctx = {"ic", "KP", "x", 19905, 0};
        for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
            rn_candidates *cs = NULL;
            if (rn_decode_marking(d, marks[i], strlen(marks[i]), &ctx, &cs, NULL) == RN_OK &&
                rn_candidates_count(cs) > RN_DECODE_CANDIDATES_MAX)
                abort();
            rn_candidates_free(cs);
        }
    }
    rn_decoder_free(d);
    return 0;
}
