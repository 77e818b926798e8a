/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_bundle.c — libFuzzer target for the evidence-bundle checker
 * (lib/ledger/bundle_check.c), the code remnant-verify runs on files from
 * anyone. The seed corpus is signed by the reference example key of
 * golang.org/x/mod/sumdb/note, so the fuzzer reaches the proof checks. */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "ledger/tlog.h"

static const char vk_text[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

static void quiet(void *ctx, const char *line)
{
    (void)ctx;
    (void)line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static rn_vkey key;
    static int ready;
    if (!ready) {
        if (sodium_init() < 0 ||
            rn__vkey_parse(vk_text, strlen(vk_text), &key) != RN_OK)
            return 0;
        ready = 1;
    }
    rn_code rc = rn__bundle_check((const char *)data, size, &key, 1, quiet,
                                  NULL);
    (void)rc;
    return 0;
}
