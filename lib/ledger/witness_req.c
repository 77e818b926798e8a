/* SPDX-License-Identifier: Apache-2.0
 *
 * witness_req.c — the body of a c2sp.org/tlog-witness add-checkpoint
 * request, both ways: parse (the witness, `remnant witness serve`) and
 * format (the log asking its witnesses, lib/ledger/witness_ask.c).
 *
 *   old <size>\n              decimal, no leading zeros ("0" for none)
 *   <base64 hash>\n           0..63 lines: the consistency proof
 *   \n
 *   <checkpoint note>         a signed note, parsed by the caller
 *
 * Pure (tlog.h): no allocation, slices into the caller's buffer.
 */
#include <string.h>

#include "ledger/tlog.h"

/* One line starting at s[*pos]: OUT its slice, *pos past its newline. 0
 * when no newline ends it. */
static int next_line(const char *s, size_t len, size_t *pos, const char **line,
                     size_t *line_len)
{
    const char *nl = memchr(s + *pos, '\n', len - *pos);
    if (!nl)
        return 0;
    *line = s + *pos;
    *line_len = (size_t)(nl - (s + *pos));
    *pos = (size_t)(nl - s) + 1;
    return 1;
}

rn_code rn__witness_req_parse(const char *body, size_t len,
                              rn_witness_req *out, const char **why)
{
    const char *line;
    size_t ll, pos = 0;
    const char *dummy;
    if (!why)
        why = &dummy;
    memset(out, 0, sizeof *out);
    if (len > RN_WITNESS_BODY_MAX) {
        *why = "the request body is too large";
        return RN_ELIMIT;
    }
    if (!next_line(body, len, &pos, &line, &ll) || ll < 5 ||
        memcmp(line, "old ", 4) != 0) {
        *why = "the body must start with the line \"old SIZE\"";
        return RN_EINPUT;
    }
    const char *d = line + 4;
    size_t dl = ll - 4;
    if (dl > 20 || (dl > 1 && d[0] == '0')) {
        *why = "the old size is not a decimal number without leading zeros";
        return RN_EINPUT;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < dl; i++) {
        if (d[i] < '0' || d[i] > '9' ||
            v > (UINT64_MAX - (uint64_t)(d[i] - '0')) / 10) {
            *why = "the old size is not a decimal number without leading"
                   " zeros";
            return RN_EINPUT;
        }
        v = v * 10 + (uint64_t)(d[i] - '0');
    }
    out->old_size = v;
    for (;;) {
        if (!next_line(body, len, &pos, &line, &ll)) {
            *why = "the proof lines must end with an empty line before the"
                   " checkpoint";
            return RN_EINPUT;
        }
        if (ll == 0)
            break;
        if (out->nproof == RN_WITNESS_PROOF_MAX) {
            *why = "more than 63 consistency proof lines";
            return RN_EINPUT;
        }
        size_t n = 0;
        if (ll != 44 || rn__b64_decode(line, ll, out->proof[out->nproof],
                                       RN_HASH_LEN, &n) != RN_OK ||
            n != RN_HASH_LEN) {
            *why = "a consistency proof line is not one base64 SHA-256 hash";
            return RN_EINPUT;
        }
        out->nproof++;
    }
    if (pos >= len) {
        *why = "the checkpoint is missing after the empty line";
        return RN_EINPUT;
    }
    out->note = body + pos;
    out->note_len = len - pos;
    return RN_OK;
}

size_t rn__witness_req_format(uint64_t old_size, const rn_hash *proof,
                              size_t n, const char *note, size_t note_len,
                              char *out, size_t cap)
{
    char num[24];
    size_t len = 0;
    if (n > RN_WITNESS_PROOF_MAX)
        return 0;
    /* "old " + digits + newline */
    size_t dl = 0;
    uint64_t v = old_size;
    do {
        num[dl++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (cap < 4 + dl + 1)
        return 0;
    memcpy(out, "old ", 4);
    len = 4;
    while (dl)
        out[len++] = num[--dl];
    out[len++] = '\n';
    for (size_t i = 0; i < n; i++) {
        if (cap - len < 46)
            return 0;
        if (rn__b64_encode(proof[i], RN_HASH_LEN, out + len, cap - len) != 44)
            return 0;
        len += 44;
        out[len++] = '\n';
    }
    if (cap - len < note_len + 2)
        return 0;
    out[len++] = '\n';
    memcpy(out + len, note, note_len);
    len += note_len;
    return len;
}
