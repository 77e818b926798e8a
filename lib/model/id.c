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

/* Each symbol's value plus one (0: not a symbol of the alphabet). */
static const uint8_t sym[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
    ['G'] = 17, ['H'] = 18, ['J'] = 19, ['K'] = 20, ['M'] = 21, ['N'] = 22, ['P'] = 23, ['Q'] = 24,
    ['R'] = 25, ['S'] = 26, ['T'] = 27, ['V'] = 28, ['W'] = 29, ['X'] = 30, ['Y'] = 31, ['Z'] = 32,
};

int rn__id_bits(const char *id, uint64_t *hi, uint64_t *lo)
{
    if (id[0] > '7')
        return 0;
    uint64_t h = 0, l = 0;
    for (size_t i = 0; i < RN_ID_LEN; i++) {
        unsigned d = sym[(unsigned char)id[i]];
        if (!d)
            return 0; /* a NUL too: shorter than an id */
        h = h << 5 | l >> 59;
        l = l << 5 | (d - 1);
    }
    if (id[RN_ID_LEN] != '\0')
        return 0;
    *hi = h;
    *lo = l;
    return 1;
}

int rn_id_valid(const char *s, size_t len)
{
    if (len != RN_ID_LEN)
        return 0;
    if (s[0] > '7') /* the top character holds only 3 bits */
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!sym[(unsigned char)s[i]])
            return 0;
    return 1;
}
