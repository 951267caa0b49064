/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * base32.c - RFC 4648 §6 base32, the text form of OTP secrets.
 *
 * Secrets are typed by people from paper and screens, so the decoder is
 * lenient where it cannot be ambiguous (lower case, spaces, tabs, dashes,
 * missing padding, non-zero trailing bits) and strict everywhere else: a
 * character outside the alphabet (0, 1, 8, 9 included), padding before the
 * end, too much padding, or a length no byte string encodes to is an error
 * rather than a silently different secret.  Decoding makes two passes, one
 * to validate and size, one to write, so the output is only touched when
 * the whole input is good and fits.  Characters are mapped with arithmetic
 * and masks instead of a table, so the time and memory accesses do not
 * depend on the secret's characters.
 */
#include "kalkan/otp.h"

#include <string.h>

/* All ones if lo <= c <= hi, else zero; c, lo and hi are small. */
static uint32_t ct_in_range(uint32_t c, uint32_t lo, uint32_t hi)
{
    /* Both differences wrap to values with the top bit set only when c is
     * inside the range. */
    return (uint32_t)0 - (((lo - 1 - c) & (c - hi - 1)) >> 31);
}

/* Value 0-31 of a base32 character of either case, or -1. */
static int b32_value(uint8_t ch)
{
    uint32_t c = ch;
    uint32_t v = 0;
    uint32_t ok = 0;
    uint32_t m;

    m = ct_in_range(c, 'A', 'Z');
    v |= m & (c - 'A');
    ok |= m;
    m = ct_in_range(c, 'a', 'z');
    v |= m & (c - 'a');
    ok |= m;
    m = ct_in_range(c, '2', '7');
    v |= m & (c - '2' + 26);
    ok |= m;
    return (int)(v | ~ok); /* -1 when no range matched */
}

/* Character of a 5-bit value. */
static char b32_char(uint32_t v)
{
    uint32_t digit = ct_in_range(v, 26, 31);

    return (char)('A' + v + (digit & (uint32_t)('2' - 'A' - 26)));
}

static bool b32_ignored(char c)
{
    return c == ' ' || c == '\t' || c == '-';
}

size_t otp_base32_len(size_t n, bool pad)
{
    size_t groups = n / 5;
    size_t rem = n % 5;
    size_t len;

    if (groups > (SIZE_MAX - 8) / 8)
        return SIZE_MAX;
    len = groups * 8;
    if (rem > 0)
        len += pad ? 8 : (rem * 8 + 4) / 5;
    return len;
}

int otp_base32_encode(const uint8_t *in, size_t len, bool pad, char *out,
                      size_t cap, size_t *outlen)
{
    size_t need = otp_base32_len(len, pad);
    size_t o = 0;
    uint32_t acc = 0;
    unsigned bits = 0;

    if (out == NULL || (in == NULL && len > 0))
        return KK_ERR_INVAL;
    if (need == SIZE_MAX || need >= cap)
        return KK_ERR_TRUNC;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out[o++] = b32_char((acc >> bits) & 31u);
        }
        acc &= (1u << bits) - 1;
    }
    if (bits > 0)
        out[o++] = b32_char((acc << (5 - bits)) & 31u);
    while (pad && o % 8 != 0)
        out[o++] = '=';
    out[o] = '\0';
    if (outlen != NULL)
        *outlen = o;
    return KK_OK;
}

/* Counts the data characters of in and checks the grammar: alphabet,
 * ignorable separators, then only "=" and separators at the end. */
static int b32_scan(const char *in, size_t len, size_t *ndata)
{
    size_t data = 0;
    size_t padn = 0;

    for (size_t i = 0; i < len; i++) {
        char c = in[i];

        if (b32_ignored(c))
            continue;
        if (c == '=') {
            padn++;
            continue;
        }
        if (padn > 0 || b32_value((uint8_t)c) < 0)
            return KK_ERR_INVAL;
        data++;
    }
    /* 1, 3 and 6 leftover characters cannot come from whole bytes. */
    switch (data % 8) {
    case 1:
    case 3:
    case 6:
        return KK_ERR_INVAL;
    default:
        break;
    }
    if (padn > 0 && (data % 8 == 0 || padn > 8 - data % 8))
        return KK_ERR_INVAL;
    *ndata = data;
    return KK_OK;
}

int otp_base32_decode(const char *in, size_t len, uint8_t *out, size_t cap,
                      size_t *outlen)
{
    size_t ndata = 0;
    size_t nbytes;
    size_t o = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    int r;

    if (in == NULL && len > 0)
        return KK_ERR_INVAL;
    r = b32_scan(in, len, &ndata);
    if (r != KK_OK)
        return r;
    nbytes = ndata / 8 * 5 + ndata % 8 * 5 / 8;
    if (nbytes > cap || (out == NULL && nbytes > 0))
        return KK_ERR_TRUNC;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];

        if (b32_ignored(c) || c == '=')
            continue;
        acc = (acc << 5) | (uint32_t)b32_value((uint8_t)c);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
        acc &= (1u << bits) - 1;
    }
    if (outlen != NULL)
        *outlen = o;
    return KK_OK;
}
