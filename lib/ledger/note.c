/* SPDX-License-Identifier: Apache-2.0
 *
 * note.c — C2SP signed notes (c2sp.org/signed-note): strict parsing of a
 * note into text and signature lines, verification against known verifier
 * keys, Ed25519 signing, verifier and secret key strings; and the strict
 * base64 / hex encodings every other ledger format uses.
 *
 * Pure: libsodium only (see tlog.h).
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "ledger/tlog.h"

/* ---- encodings ----------------------------------------------------------- */

size_t rn__b64_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
    size_t need = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    if (need > cap)
        return 0;
    sodium_bin2base64(out, cap, in, n, sodium_base64_VARIANT_ORIGINAL);
    return need - 1;
}

rn_code rn__b64_decode(const char *in, size_t len, uint8_t *out, size_t cap,
                       size_t *outlen)
{
    *outlen = 0;
    /* Length first: padded base64 is a multiple of 4. */
    if (len == 0 || len % 4 != 0 || len / 4 * 3 > cap + 2)
        return RN_EINPUT;
    /* The alphabet, checked here rather than trusted to the decoder: '='
     * only as the last one or two characters. */
    for (size_t i = 0; i < len; i++) {
        char ch = in[i];
        int ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                 (ch >= '0' && ch <= '9') || ch == '+' || ch == '/' ||
                 (ch == '=' && i >= len - 2 &&
                  (i == len - 1 || in[len - 1] == '='));
        if (!ok)
            return RN_EINPUT;
    }
    size_t n = 0;
    const char *end = NULL;
    if (sodium_base642bin(out, cap, in, len, NULL, &n, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != in + len)
        return RN_EINPUT;
    /* Canonical: the last 4-character group re-encodes to itself (zero
     * trailing bits); the groups before it are whole 3-byte groups. */
    size_t tail = n % 3 ? n % 3 : (n ? 3 : 0);
    char check[5];
    if (n == 0 || rn__b64_encode(out + n - tail, tail, check, sizeof check) != 4 ||
        memcmp(check, in + len - 4, 4) != 0)
        return RN_EINPUT;
    *outlen = n;
    return RN_OK;
}

/* Each byte's two lower-case digits at 2 * byte: one two-byte copy a byte
 * instead of two lookups (the log writes 7 hashes and a salt per field in
 * hex for every entry: log.c, entry.c). */
#define HEX_ROW(a) a "0" a "1" a "2" a "3" a "4" a "5" a "6" a "7" a "8" a "9" a "a" a "b" a "c" \
                   a "d" a "e" a "f"
static const char hex_pairs[513] = HEX_ROW("0") HEX_ROW("1") HEX_ROW("2") HEX_ROW("3")
    HEX_ROW("4") HEX_ROW("5") HEX_ROW("6") HEX_ROW("7") HEX_ROW("8") HEX_ROW("9") HEX_ROW("a")
    HEX_ROW("b") HEX_ROW("c") HEX_ROW("d") HEX_ROW("e") HEX_ROW("f");
#undef HEX_ROW

void rn__hex_digits(const uint8_t *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        memcpy(out + 2 * i, hex_pairs + 2 * in[i], 2);
}

void rn__hex_encode(const uint8_t *in, size_t n, char *out)
{
    rn__hex_digits(in, n, out);
    out[2 * n] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1; /* upper case is not canonical */
}

size_t rn__u64_digits(uint64_t v, char *out /* 20 */)
{
    char dig[20];
    size_t nd = 0;
    do {
        dig[nd++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < nd; i++)
        out[i] = dig[nd - 1 - i];
    return nd;
}

int rn__hex_lower(const char *s, size_t n)
{
    /* no early exit: a loop the compiler can vectorise (a v2 entry holds
     * one 64-digit digest a field, a disclosure a 32-digit salt, and a
     * sync import checks them all) */
    unsigned bad = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bad |= (unsigned)((unsigned char)(c - '0') > 9) & (unsigned)((unsigned char)(c - 'a') > 5);
    }
    return !bad;
}

rn_code rn__hex_decode(const char *in, size_t len, uint8_t *out, size_t n)
{
    if (len != 2 * n)
        return RN_EINPUT;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(in[2 * i]), lo = hexval(in[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return RN_EINPUT;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return RN_OK;
}

int rn__header_tokens(const char *s, size_t len, size_t *pos, int printable,
                      const char **tok, size_t *tlen, size_t ntok, size_t *got)
{
    *got = 0;
    if (*pos >= len)
        return 0;
    size_t rest = len - *pos;
    if (rest > 1024)
        rest = 1024;
    const char *nl = memchr(s + *pos, '\n', rest);
    if (!nl)
        return 0;
    const char *p = s + *pos, *end = nl;
    *pos = (size_t)(nl - s) + 1;
    while (p < end) {
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        const char *te = sp ? sp : end;
        if (te == p || *got == ntok)
            return 0; /* empty token (double space) or too many */
        for (const char *q = p; printable && q < te; q++)
            if ((unsigned char)*q < 0x21 || (unsigned char)*q > 0x7e)
                return 0;
        tok[*got] = p;
        tlen[*got] = (size_t)(te - p);
        (*got)++;
        p = sp ? sp + 1 : end;
        if (sp && p == end)
            return 0; /* trailing space */
    }
    return 1;
}

int rn__tok_is(const char *t, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(t, lit, n) == 0;
}

int rn__tok_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (max - d) / 10)
            return 0; /* v * 10 + d > max */
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

/* Length of the valid UTF-8 sequence at s (1..4), 0 if invalid: rejects
 * overlong forms, surrogates and code points above U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned cp, min;
    if ((c & 0xE0) == 0xC0) {
        n = 2;
        cp = c & 0x1F;
        min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        cp = c & 0x0F;
        min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        cp = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n > len)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* ---- key names and ids --------------------------------------------------- */

int rn__note_name_ok(const char *name, size_t len)
{
    if (len == 0 || len > RN_KEY_NAME_MAX)
        return 0;
    const unsigned char *s = (const unsigned char *)name;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq(s + i, len - i);
        if (n == 0)
            return 0;
        if (n == 1 && (s[i] <= 0x20 || s[i] == 0x7F || s[i] == '+'))
            return 0;
        /* Unicode spaces outside ASCII: U+0085, U+00A0, U+1680, U+2000..
         * U+200A, U+2028, U+2029, U+202F, U+205F, U+3000. */
        if (n == 2 && s[i] == 0xC2 && (s[i + 1] == 0x85 || s[i + 1] == 0xA0))
            return 0;
        if (n == 3) {
            unsigned cp = (unsigned)(s[i] & 0x0F) << 12 |
                          (unsigned)(s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F);
            if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
                cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
                cp == 0x205F || cp == 0x3000)
                return 0;
        }
        i += n;
    }
    return 1;
}

uint32_t rn__note_key_id(const char *name, size_t len, uint8_t type,
                         const uint8_t pub[32])
{
    crypto_hash_sha256_state st;
    uint8_t h[crypto_hash_sha256_BYTES];
    const uint8_t nl = 0x0A;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)name, len);
    crypto_hash_sha256_update(&st, &nl, 1);
    crypto_hash_sha256_update(&st, &type, 1);
    crypto_hash_sha256_update(&st, pub, 32);
    crypto_hash_sha256_final(&st, h);
    return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 |
           h[3];
}

rn_code rn__vkey_make(const char *name, size_t len, uint8_t type,
                      const uint8_t pub[32], rn_vkey *out)
{
    memset(out, 0, sizeof *out);
    if (!rn__note_name_ok(name, len))
        return RN_EINPUT;
    if (type != RN_SIGTYPE_ED25519 && type != RN_SIGTYPE_COSIG_V1)
        return RN_EINPUT;
    memcpy(out->name, name, len);
    out->name[len] = '\0';
    out->type = type;
    memcpy(out->pub, pub, 32);
    out->id = rn__note_key_id(name, len, type, pub);
    return RN_OK;
}

/* Split "name+hex8+b64" (the tail of a key string) into its parts. */
static rn_code split_key(const char *s, size_t len, const char **name,
                         size_t *name_len, uint32_t *id, const char **b64,
                         size_t *b64_len)
{
    const char *p1 = memchr(s, '+', len);
    if (!p1)
        return RN_EINPUT;
    const char *rest = p1 + 1;
    size_t rest_len = len - (size_t)(rest - s);
    const char *p2 = memchr(rest, '+', rest_len);
    if (!p2 || p2 - rest != 8)
        return RN_EINPUT;
    uint8_t idb[4];
    if (rn__hex_decode(rest, 8, idb, 4) != RN_OK)
        return RN_EINPUT;
    *name = s;
    *name_len = (size_t)(p1 - s);
    *id = (uint32_t)idb[0] << 24 | (uint32_t)idb[1] << 16 |
          (uint32_t)idb[2] << 8 | idb[3];
    *b64 = p2 + 1;
    *b64_len = len - (size_t)(*b64 - s);
    return RN_OK;
}

rn_code rn__vkey_parse(const char *s, size_t len, rn_vkey *out)
{
    memset(out, 0, sizeof *out);
    if (len > RN_KEY_NAME_MAX + 64)
        return RN_ELIMIT;
    const char *name, *b64;
    size_t name_len, b64_len, n;
    uint32_t id;
    if (split_key(s, len, &name, &name_len, &id, &b64, &b64_len) != RN_OK)
        return RN_EINPUT;
    uint8_t raw[33];
    if (b64_len != 44 || rn__b64_decode(b64, b64_len, raw, sizeof raw, &n) ||
        n != 33)
        return RN_EINPUT;
    rn_code rc = rn__vkey_make(name, name_len, raw[0], raw + 1, out);
    if (rc != RN_OK)
        return rc;
    if (out->id != id) {
        memset(out, 0, sizeof *out);
        return RN_EINPUT;
    }
    return RN_OK;
}

size_t rn__vkey_format(const rn_vkey *k, char *out, size_t cap)
{
    uint8_t raw[33];
    char b64[64];
    raw[0] = k->type;
    memcpy(raw + 1, k->pub, 32);
    if (rn__b64_encode(raw, 33, b64, sizeof b64) == 0)
        return 0;
    int n = snprintf(out, cap, "%s+%08x+%s", k->name, (unsigned)k->id, b64);
    if (n < 0 || (size_t)n >= cap)
        return 0;
    return (size_t)n;
}

#define SKEY_PREFIX "PRIVATE+KEY+"

rn_code rn__skey_parse(const char *s, size_t len, rn_skey *out)
{
    rn_code rc = RN_EINPUT;
    uint8_t raw[33];
    uint8_t pub[32];
    memset(out, 0, sizeof *out);
    size_t plen = sizeof SKEY_PREFIX - 1;
    if (len > RN_KEY_NAME_MAX + 80)
        return RN_ELIMIT;
    if (len < plen || memcmp(s, SKEY_PREFIX, plen) != 0)
        return RN_EINPUT;
    const char *name, *b64;
    size_t name_len, b64_len, n;
    uint32_t id;
    if (split_key(s + plen, len - plen, &name, &name_len, &id, &b64,
                  &b64_len) != RN_OK)
        goto out;
    if (b64_len != 44 || rn__b64_decode(b64, b64_len, raw, sizeof raw, &n) ||
        n != 33)
        goto out;
    if (crypto_sign_seed_keypair(pub, out->sk, raw + 1) != 0)
        goto out;
    rc = rn__vkey_make(name, name_len, raw[0], pub, &out->v);
    if (rc != RN_OK)
        goto out;
    if (out->v.id != id) {
        rc = RN_EINPUT;
        goto out;
    }
    rc = RN_OK;
out:
    sodium_memzero(raw, sizeof raw);
    if (rc != RN_OK)
        sodium_memzero(out, sizeof *out);
    return rc;
}

size_t rn__skey_format(const rn_skey *k, char *out, size_t cap)
{
    uint8_t raw[33];
    char b64[64];
    size_t r = 0;
    raw[0] = k->v.type;
    memcpy(raw + 1, k->sk, 32); /* the seed is the first half */
    if (rn__b64_encode(raw, 33, b64, sizeof b64) == 0)
        goto out;
    int n = snprintf(out, cap, SKEY_PREFIX "%s+%08x+%s", k->v.name,
                     (unsigned)k->v.id, b64);
    if (n > 0 && (size_t)n < cap)
        r = (size_t)n;
out:
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(b64, sizeof b64);
    return r;
}

rn_code rn__skey_generate(const char *name, size_t len, uint8_t type,
                          rn_skey *out)
{
    uint8_t pub[32];
    memset(out, 0, sizeof *out);
    if (crypto_sign_keypair(pub, out->sk) != 0)
        return RN_ECRYPTO;
    rn_code rc = rn__vkey_make(name, len, type, pub, &out->v);
    if (rc != RN_OK)
        sodium_memzero(out, sizeof *out);
    return rc;
}

/* ---- notes --------------------------------------------------------------- */

#define EMDASH "\xE2\x80\x94"

/* Parse one signature line s[0..len) (without its newline). */
static rn_code parse_sig_line(const char *s, size_t len, rn_note_sig *sig)
{
    if (len < 4 || memcmp(s, EMDASH " ", 4) != 0)
        return RN_EINPUT;
    const char *name = s + 4;
    const char *sp = memchr(name, ' ', len - 4);
    if (!sp)
        return RN_EINPUT;
    size_t name_len = (size_t)(sp - name);
    if (!rn__note_name_ok(name, name_len))
        return RN_EINPUT;
    const char *b64 = sp + 1;
    size_t b64_len = len - (size_t)(b64 - s);
    uint8_t raw[4 + RN_SIG_MAX];
    size_t n;
    if (b64_len > 4 * ((sizeof raw + 2) / 3))
        return RN_ELIMIT;
    if (rn__b64_decode(b64, b64_len, raw, sizeof raw, &n) != RN_OK || n < 5)
        return RN_EINPUT;
    sig->name = name;
    sig->name_len = name_len;
    sig->id = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 |
              (uint32_t)raw[2] << 8 | raw[3];
    sig->sig_len = n - 4;
    memcpy(sig->sig, raw + 4, n - 4);
    return RN_OK;
}

rn_code rn__note_parse(const char *msg, size_t len, rn_note *out)
{
    out->text = NULL;
    out->text_len = 0;
    out->nsigs = 0;
    if (len > RN_NOTE_MAX)
        return RN_ELIMIT;
    if (len < 2 || msg[len - 1] != '\n')
        return RN_EINPUT;
    /* Whole message: UTF-8, no control characters other than newline. */
    const unsigned char *u = (const unsigned char *)msg;
    size_t lines = 0;
    for (size_t i = 0; i < len;) {
        if (u[i] == '\n') {
            if (++lines > RN_NOTE_MAX_LINES + RN_NOTE_MAX_SIGS + 1)
                return RN_ELIMIT;
            i++;
            continue;
        }
        if (u[i] < 0x20 || u[i] == 0x7F)
            return RN_EINPUT;
        size_t n = utf8_seq(u + i, len - i);
        if (n == 0)
            return RN_EINPUT;
        i += n;
    }
    /* The text ends at the last blank line. */
    size_t split = 0;
    int found = 0;
    for (size_t i = len - 1; i > 0; i--)
        if (msg[i] == '\n' && msg[i - 1] == '\n') {
            split = i; /* msg[split] is the blank line's newline */
            found = 1;
            break;
        }
    if (!found || split < 1)
        return RN_EINPUT;
    out->text = msg;
    out->text_len = split; /* includes the text's final newline */
    size_t i = split + 1;
    if (i >= len)
        return RN_EINPUT; /* no signatures */
    while (i < len) {
        const char *nl = memchr(msg + i, '\n', len - i);
        size_t llen = (size_t)(nl - (msg + i));
        if (out->nsigs == RN_NOTE_MAX_SIGS)
            return RN_ELIMIT;
        rn_code rc = parse_sig_line(msg + i, llen, &out->sigs[out->nsigs]);
        if (rc != RN_OK)
            return rc;
        out->nsigs++;
        i += llen + 1;
    }
    return RN_OK;
}

rn_code rn__note_verify(const rn_note *n, const rn_vkey *keys, size_t nkeys,
                        uint64_t *mask)
{
    uint64_t ok = 0;
    if (mask)
        *mask = 0;
    if (nkeys > 64 || n->text == NULL)
        return RN_EINVAL;
    for (size_t i = 0; i < n->nsigs; i++) {
        const rn_note_sig *s = &n->sigs[i];
        for (size_t k = 0; k < nkeys; k++) {
            const rn_vkey *key = &keys[k];
            if (key->id != s->id || strlen(key->name) != s->name_len ||
                memcmp(key->name, s->name, s->name_len) != 0)
                continue;
            /* A known key: its signature must verify. */
            if (key->type == RN_SIGTYPE_ED25519) {
                if (s->sig_len != crypto_sign_BYTES ||
                    crypto_sign_verify_detached(
                        s->sig, (const unsigned char *)n->text, n->text_len,
                        key->pub) != 0)
                    return RN_ECRYPTO;
            } else if (key->type == RN_SIGTYPE_COSIG_V1) {
                if (rn__cosign_verify(key, s->sig, s->sig_len, n->text,
                                      n->text_len, NULL) != RN_OK)
                    return RN_ECRYPTO;
            } else {
                return RN_ECRYPTO;
            }
            ok |= UINT64_C(1) << k;
            break;
        }
    }
    if (mask)
        *mask = ok;
    return ok ? RN_OK : RN_ECRYPTO;
}

rn_code rn__note_append_sig(const rn_vkey *v, const uint8_t *sig,
                            size_t sig_len, char *out, size_t cap, size_t *len)
{
    uint8_t raw[4 + RN_SIG_MAX];
    char b64[4 * ((sizeof raw + 2) / 3) + 1];
    if (sig_len > RN_SIG_MAX)
        return RN_EINVAL;
    raw[0] = (uint8_t)(v->id >> 24);
    raw[1] = (uint8_t)(v->id >> 16);
    raw[2] = (uint8_t)(v->id >> 8);
    raw[3] = (uint8_t)v->id;
    memcpy(raw + 4, sig, sig_len);
    if (rn__b64_encode(raw, 4 + sig_len, b64, sizeof b64) == 0)
        return RN_EINVAL;
    int n = snprintf(out + *len, cap - *len, EMDASH " %s %s\n", v->name, b64);
    if (n < 0 || (size_t)n >= cap - *len)
        return RN_ELIMIT;
    *len += (size_t)n;
    return RN_OK;
}

rn_code rn__note_sign_line(const rn_skey *k, const char *text, size_t text_len,
                           char *out, size_t cap, size_t *len)
{
    uint8_t sig[crypto_sign_BYTES];
    if (k->v.type != RN_SIGTYPE_ED25519 || *len > cap)
        return RN_EINVAL;
    if (crypto_sign_detached(sig, NULL, (const unsigned char *)text, text_len,
                             k->sk) != 0)
        return RN_ECRYPTO;
    return rn__note_append_sig(&k->v, sig, sizeof sig, out, cap, len);
}
