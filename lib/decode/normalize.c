/* SPDX-License-Identifier: Apache-2.0
 *
 * normalize.c — the one normal form in which markings and rule texts are
 * compared. Transcriptions of the same marking differ in case, in spacing,
 * in Cyrillic letters typed for their Latin look-alikes ("9М723" with a
 * Cyrillic М) and in the digits used (Persian "۱۴۰۲"); after rn__norm they
 * are the same bytes, so the matcher compares bytes and nothing else.
 *
 * Contract: the output is never longer than the input (every mapping keeps
 * or shortens a character), so a buffer of n + 1 bytes always suffices.
 */
#include <string.h>

#include "decode/decode_int.h"

/* Cyrillic capitals U+0410..U+042F that read as a Latin capital, by offset;
 * 0 where the letter has no look-alike. These are glyph shapes, not
 * knowledge about markings, so they live here and not in a rule file. */
static const char cyr_latin[32] = {
    'A', 0,   'B', 0,   0,   'E', 0,   0,   /* А Б В Г Д Е Ж З */
    0,   0,   'K', 0,   'M', 'H', 'O', 0,   /* И Й К Л М Н О П */
    'P', 'C', 'T', 'Y', 0,   'X', 0,   0,   /* Р С Т У Ф Х Ц Ч */
    0,   0,   0,   0,   0,   0,   0,   0,   /* Ш Щ Ъ Ы Ь Э Ю Я */
};

/* Decode one UTF-8 character at s[i..n); returns its length (0 if invalid)
 * and the code point in *cp. Overlong forms and surrogates are invalid. */
static size_t utf8_char(const unsigned char *s, size_t i, size_t n, unsigned long *cp)
{
    unsigned char c = s[i];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    unsigned long v, min;
    if ((c & 0xE0) == 0xC0)
        len = 2, v = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0)
        len = 3, v = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0)
        len = 4, v = c & 0x07, min = 0x10000;
    else
        return 0;
    if (i + len > n)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[i + k] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i + k] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

static size_t put_utf8(char *o, unsigned long cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

long rn__norm(const char *in, size_t n, char *out, unsigned *flags)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t o = 0;
    unsigned fl = 0;
    int pending_space = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            if (c <= 0x20 || c == 0x7F) {
                pending_space = o > 0;
                continue;
            }
            if (pending_space) {
                out[o++] = ' ';
                pending_space = 0;
            }
            out[o++] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
            continue;
        }
        unsigned long cp;
        size_t len = utf8_char(s, i, n, &cp);
        if (len == 0)
            return -1;
        i += len;
        if (cp == 0xA0 || cp == 0x3000 || (cp >= 0x2000 && cp <= 0x200A)) {
            pending_space = o > 0; /* no-break, ideographic and typographic spaces */
            continue;
        }
        if (pending_space) {
            out[o++] = ' ';
            pending_space = 0;
        }
        if (cp >= 0x0430 && cp <= 0x044F)
            cp -= 0x20; /* Cyrillic lower to upper case */
        else if (cp == 0x0451)
            cp = 0x0401;
        if (cp >= 0x0410 && cp <= 0x042F && cyr_latin[cp - 0x0410]) {
            out[o++] = cyr_latin[cp - 0x0410];
            fl |= RN__NORM_CYRILLIC;
        } else if (cp >= 0x06F0 && cp <= 0x06F9) {
            out[o++] = (char)('0' + (cp - 0x06F0));
            fl |= RN__NORM_PERSIAN;
        } else if (cp >= 0x0660 && cp <= 0x0669) {
            out[o++] = (char)('0' + (cp - 0x0660));
            fl |= RN__NORM_PERSIAN;
        } else if (cp >= 0xFF10 && cp <= 0xFF19) {
            out[o++] = (char)('0' + (cp - 0xFF10)); /* full-width digits */
        } else if (cp >= 0xFF21 && cp <= 0xFF3A) {
            out[o++] = (char)('A' + (cp - 0xFF21));
        } else if (cp >= 0xFF41 && cp <= 0xFF5A) {
            out[o++] = (char)('A' + (cp - 0xFF41));
        } else if (cp == 0xFF1F) {
            out[o++] = '?';
        } else if (cp == 0x2116) {
            out[o++] = 'N'; /* the numero sign, "№ 123" */
            out[o++] = 'O';
        } else {
            o += put_utf8(out + o, cp);
        }
    }
    out[o] = '\0';
    if (flags)
        *flags = fl;
    return (long)o;
}
