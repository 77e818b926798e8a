/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_decode.c — libFuzzer target for the marking decoder: the built-in
 * rules, any bytes as a marking, under each kind of context, then the JSON
 * writer. The first input byte picks the context; the rest is the marking.
 * Properties checked: no crash or sanitizer report, at most
 * RN_DECODE_CANDIDATES_MAX candidates, confidences in (0, 1], ranked, an
 * ambiguous candidate never alone in its field. The same bytes go through
 * rn_decoder_match_maker() as a typed-in manufacturer name: a match fills
 * every string, anything else leaves the result zeroed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "remnant/decode.h"

static rn_decoder *dec;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dec && rn_decoder_load(NULL, 0, &dec, NULL) != RN_OK)
        abort();
    if (size == 0)
        return 0;
    static const char *const cats[] = {NULL, "ic", "missile-section", "cartridge"};
    static const char *const states[] = {NULL, "KP", "IR", "TW"};
    rn_decode_ctx ctx = {cats[data[0] & 3], states[(data[0] >> 2) & 3],
                         (data[0] & 16) ? "Texas Instruments" : NULL,
                         (data[0] & 32) ? 19905 /* 2024-07-01 */ : RN_DAY_OPEN_HIGH,
                         (data[0] & 64) ? RN_DECODE_NO_EXPLANATION : 0};
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    rn_candidates *cs = NULL;
    rn_code rc = rn_decode_marking(dec, text, len, &ctx, &cs, NULL);
    if (rc == RN_OK) {
        size_t n = rn_candidates_count(cs);
        if (n > RN_DECODE_CANDIDATES_MAX)
            abort();
        double last = 2;
        int amb_maker = 0, amb_date = 0;
        for (size_t i = 0; i < n; i++) {
            const rn_candidate *k = rn_candidates_at(cs, i);
            if (!(k->confidence > 0 && k->confidence <= 1) || k->confidence > last || !k->value ||
                !k->explanation || !k->rule || !k->source)
                abort();
            if ((ctx.flags & RN_DECODE_NO_EXPLANATION) && k->explanation[0])
                abort();
            last = k->confidence;
            if (k->ambiguous) {
                amb_maker += strcmp(k->field, "manufacturer") == 0;
                amb_date += strcmp(k->field, "production_date") == 0;
            }
        }
        if (amb_maker == 1 || amb_date == 1)
            abort(); /* a tie has two sides */
        char *json = NULL;
        size_t jl = 0;
        if (rn_candidates_to_json(text, len, cs, &json, &jl) == RN_OK && strlen(json) != jl)
            abort();
        rn_free(json);
    } else if (cs) {
        abort();
    }
    rn_candidates_free(cs);
    rn_maker_match m;
    if (rn_decoder_match_maker(dec, text, len, RN_DAY_OPEN_HIGH, &m, NULL) == RN_OK) {
        if (!m.maker || !m.brand || !m.country || !m.matched || !m.company || !m.company_id ||
            !m.company_country)
            abort();
    } else if (m.maker || m.company) {
        abort();
    }
    return 0;
}
