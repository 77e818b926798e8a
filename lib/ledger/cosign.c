/* SPDX-License-Identifier: Apache-2.0
 *
 * cosign.c — witness cosignatures per c2sp.org/tlog-cosignature, the
 * timestamped Ed25519 "cosignature/v1" type (signature type 0x04): the signed
 * message, making a cosignature line, verifying one.
 *
 * A cosignature states: as of `time`, the largest consistent tree head the
 * witness has seen for this origin has this root. The witness must have
 * checked consistency with the last checkpoint it cosigned before signing
 * (that check lives with the caller: lib/ledger/witness.c, src/verify/).
 *
 * Pure: libsodium only (see tlog.h).
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "ledger/tlog.h"

size_t rn__cosign_message(uint64_t timestamp, const char *body, size_t len,
                          char *out, size_t cap)
{
    if (timestamp > (UINT64_C(1) << 63) - 1)
        return 0;
    int n = snprintf(out, cap, "cosignature/v1\ntime %llu\n",
                     (unsigned long long)timestamp);
    if (n < 0 || (size_t)n >= cap || len > cap - (size_t)n)
        return 0;
    memcpy(out + n, body, len);
    return (size_t)n + len;
}

rn_code rn__cosign_line(const rn_skey *k, uint64_t timestamp, const char *body,
                        size_t body_len, char *out, size_t cap, size_t *len)
{
    char msg[RN_CHECKPOINT_MAX + 64];
    uint8_t sig[8 + crypto_sign_BYTES];
    if (k->v.type != RN_SIGTYPE_COSIG_V1 || body_len > RN_CHECKPOINT_MAX)
        return RN_EINVAL;
    size_t mlen = rn__cosign_message(timestamp, body, body_len, msg, sizeof msg);
    if (mlen == 0)
        return RN_EINVAL;
    for (int i = 0; i < 8; i++)
        sig[i] = (uint8_t)(timestamp >> (56 - 8 * i));
    if (crypto_sign_detached(sig + 8, NULL, (const unsigned char *)msg, mlen,
                             k->sk) != 0)
        return RN_ECRYPTO;
    return rn__note_append_sig(&k->v, sig, sizeof sig, out, cap, len);
}

rn_code rn__cosign_verify(const rn_vkey *k, const uint8_t *sig, size_t sig_len,
                          const char *body, size_t body_len,
                          uint64_t *timestamp)
{
    char msg[RN_CHECKPOINT_MAX + 64];
    if (k->type != RN_SIGTYPE_COSIG_V1 || sig_len != 8 + crypto_sign_BYTES ||
        body_len > RN_CHECKPOINT_MAX)
        return RN_ECRYPTO;
    uint64_t ts = 0;
    for (int i = 0; i < 8; i++)
        ts = ts << 8 | sig[i];
    if (ts > (UINT64_C(1) << 63) - 1)
        return RN_ECRYPTO;
    size_t mlen = rn__cosign_message(ts, body, body_len, msg, sizeof msg);
    if (mlen == 0)
        return RN_ECRYPTO;
    if (crypto_sign_verify_detached(sig + 8, (const unsigned char *)msg, mlen,
                                    k->pub) != 0)
        return RN_ECRYPTO;
    if (timestamp)
        *timestamp = ts;
    return RN_OK;
}
