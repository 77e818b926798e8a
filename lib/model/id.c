/* SPDX-License-Identifier: Apache-2.0
 *
 * id.c — record ids as ULIDs: 48 bits of milliseconds since the Unix epoch
 * then 80 random bits, written as 26 Crockford base32 characters. Sorting the
 * text sorts by creation time; no coordination is needed between field
 * databases that are merged later.
 */
#include <sodium.h>
#include <string.h>
#include <sys/time.h>

#include "internal.h"
#include "remnant/model.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void rn_id_make(uint64_t ms, const uint8_t rnd[10], char out[RN_ID_LEN + 1])
{
    uint8_t b[16];
    for (int i = 0; i < 6; i++)
        b[i] = (uint8_t)(ms >> (40 - 8 * i));
    memcpy(b + 6, rnd, 10);
    /* 128 bits as 26 five-bit groups, the first group holding 3 bits. */
    int bit = -2; /* position of the first group's top bit, from the left */
    for (int i = 0; i < RN_ID_LEN; i++, bit += 5) {
        unsigned v = 0;
        for (int k = 0; k < 5; k++) {
            int p = bit + k;
            unsigned x = p < 0 ? 0 : (b[p >> 3] >> (7 - (p & 7))) & 1u;
            v = (v << 1) | x;
        }
        out[i] = alphabet[v];
    }
    out[RN_ID_LEN] = '\0';
}

rn_code rn_id_new(char out[RN_ID_LEN + 1])
{
    static uint64_t last_ms;
    static uint8_t last_rnd[10];
    struct timeval tv;
    gettimeofday(&tv, NULL);
    uint64_t ms = (uint64_t)tv.tv_sec * 1000u + (uint64_t)tv.tv_usec / 1000u;
    uint8_t rnd[10];
    if (ms <= last_ms) {
        /* Same millisecond: increment the random part so ids from one
         * process stay strictly increasing (ULID monotonic rule). */
        ms = last_ms;
        memcpy(rnd, last_rnd, 10);
        for (int i = 9; i >= 0 && ++rnd[i] == 0; i--)
            ;
    } else {
        randombytes_buf(rnd, sizeof rnd);
        rnd[0] &= 0x7f; /* leave room to increment without overflow */
    }
    last_ms = ms;
    memcpy(last_rnd, rnd, 10);
    rn_id_make(ms, rnd, out);
    return RN_OK;
}

int rn_id_valid(const char *s, size_t len)
{
    if (len != RN_ID_LEN)
        return 0;
    if (s[0] > '7') /* the top character holds only 3 bits */
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!memchr(alphabet, s[i], sizeof alphabet - 1) || s[i] == '\0')
            return 0;
    return 1;
}
