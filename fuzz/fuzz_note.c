/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_note.c — libFuzzer target for the signed-note parser and verifier
 * and the verifier-key parser (lib/ledger/note.c, cosign.c). */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "ledger/tlog.h"

/* The reference example key of golang.org/x/mod/sumdb/note (used as data). */
static const char vk_text[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static rn_vkey keys[2];
    static int ready;
    if (!ready) {
        if (sodium_init() < 0 ||
            rn__vkey_parse(vk_text, strlen(vk_text), &keys[0]) != RN_OK)
            return 0;
        keys[1] = keys[0];
        keys[1].type = RN_SIGTYPE_COSIG_V1;
        ready = 1;
    }
    rn_note n;
    if (rn__note_parse((const char *)data, size, &n) == RN_OK) {
        uint64_t mask;
        rn_checkpoint c;
        rn_code rc = rn__note_verify(&n, keys, 2, &mask);
        rc = rn__checkpoint_parse(n.text, n.text_len, &c);
        (void)rc;
    }
    rn_vkey v;
    if (rn__vkey_parse((const char *)data, size, &v) == RN_OK) {
        char out[RN_KEY_NAME_MAX + 80];
        (void)rn__vkey_format(&v, out, sizeof out);
    }
    rn_skey s;
    rn_code src = rn__skey_parse((const char *)data, size, &s);
    (void)src;
    sodium_memzero(&s, sizeof s);
    return 0;
}
