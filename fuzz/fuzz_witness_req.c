/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_witness_req.c — libFuzzer target for the c2sp.org/tlog-witness
 * add-checkpoint body parser (lib/ledger/witness_req.c), followed by the
 * note and checkpoint parsers a witness runs next: whatever parses must
 * format back to exactly the same bytes (the form is canonical). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/tlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static rn_witness_req r;
    static rn_note n;
    static char out[RN_WITNESS_BODY_MAX + 64];
    const char *why = NULL;
    if (rn__witness_req_parse((const char *)data, size, &r, &why) != RN_OK) {
        if (!why)
            abort(); /* every refusal says why */
        return 0;
    }
    if (r.nproof > RN_WITNESS_PROOF_MAX || r.note_len == 0 ||
        r.note < (const char *)data || r.note + r.note_len != (const char *)data + size)
        abort();
    size_t len = rn__witness_req_format(r.old_size, (const rn_hash *)r.proof, r.nproof,
                                        r.note, r.note_len, out, sizeof out);
    if (len != size || memcmp(out, data, size) != 0)
        abort();
    if (rn__note_parse(r.note, r.note_len, &n) == RN_OK) {
        rn_checkpoint cp;
        (void)!rn__checkpoint_parse(n.text, n.text_len, &cp);
    }
    return 0;
}
