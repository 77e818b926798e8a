/* SPDX-License-Identifier: Apache-2.0
 *
 * checkpoint.c — the body of a C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint):
 * origin line, decimal tree size, base64 root hash, optional extension lines.
 * Formatting, and strict parsing with size caps.
 *
 * Pure: libsodium only (see tlog.h).
 */
#include <stdio.h>
#include <string.h>

#include "ledger/tlog.h"

size_t rn__checkpoint_format(const char *origin, size_t origin_len,
                             uint64_t size, const rn_hash root, char *out,
                             size_t cap)
{
    char b64[48];
    if (origin_len == 0 || origin_len > RN_ORIGIN_MAX ||
        memchr(origin, '\n', origin_len))
        return 0;
    if (rn__b64_encode(root, RN_HASH_LEN, b64, sizeof b64) != 44)
        return 0;
    int n = snprintf(out, cap, "%.*s\n%llu\n%s\n", (int)origin_len, origin,
                     (unsigned long long)size, b64);
    if (n < 0 || (size_t)n >= cap)
        return 0;
    return (size_t)n;
}

/* Decimal without sign, leading zeros ("0" alone is fine) or overflow. */
static rn_code parse_u64(const char *s, size_t len, uint64_t *out)
{
    if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
        return RN_EINPUT;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return RN_EINPUT;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return RN_EINPUT;
        v = v * 10 + d;
    }
    *out = v;
    return RN_OK;
}

rn_code rn__checkpoint_parse(const char *text, size_t len, rn_checkpoint *out)
{
    memset(out, 0, sizeof *out);
    if (len > RN_CHECKPOINT_MAX)
        return RN_ELIMIT;
    if (len == 0 || text[len - 1] != '\n')
        return RN_EINPUT;
    const char *line[3 + RN_CHECKPOINT_MAX_EXT];
    size_t llen[3 + RN_CHECKPOINT_MAX_EXT];
    size_t nlines = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t l = (size_t)(nl - (text + i));
        if (l == 0)
            return RN_EINPUT; /* every line is non-empty */
        if (nlines == (sizeof line / sizeof line[0]))
            return RN_ELIMIT;
        for (size_t j = 0; j < l; j++) {
            unsigned char c = (unsigned char)text[i + j];
            if (c < 0x20 || c == 0x7F)
                return RN_EINPUT;
        }
        line[nlines] = text + i;
        llen[nlines] = l;
        nlines++;
        i += l + 1;
    }
    if (nlines < 3)
        return RN_EINPUT;
    if (llen[0] > RN_ORIGIN_MAX)
        return RN_ELIMIT;
    if (parse_u64(line[1], llen[1], &out->size) != RN_OK)
        return RN_EINPUT;
    size_t n = 0;
    if (llen[2] != 44 ||
        rn__b64_decode(line[2], llen[2], out->root, RN_HASH_LEN, &n) != RN_OK ||
        n != RN_HASH_LEN)
        return RN_EINPUT;
    out->origin = line[0];
    out->origin_len = llen[0];
    for (size_t i = 3; i < nlines; i++) {
        out->ext[out->next] = line[i];
        out->ext_len[out->next] = llen[i];
        out->next++;
    }
    return RN_OK;
}
