/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_base32.c - fuzz target of the base32 decoder and encoder.
 *
 * Any input is decoded; a success must fit the size the format allows and
 * survive an encode-decode round trip with and without padding.  The input
 * bytes are also encoded and decoded back, which must give them again.
 * Violations trap so the fuzzer keeps the input.
 */
#include <stdint.h>
#include <string.h>

#include "kalkan/otp.h"

#define FUZZ_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Encodes in (len bytes), decodes the text, and traps unless the bytes
 * come back. */
static void round_trip(const uint8_t *in, size_t len, bool pad)
{
    static char text[FUZZ_MAX * 2];
    static uint8_t back[FUZZ_MAX];
    size_t tlen = 0;
    size_t blen = 0;

    if (otp_base32_encode(in, len, pad, text, sizeof text, &tlen) != KK_OK ||
        tlen != otp_base32_len(len, pad) || strlen(text) != tlen)
        __builtin_trap();
    if (otp_base32_decode(text, tlen, back, sizeof back, &blen) != KK_OK ||
        blen != len || memcmp(back, in, len) != 0)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t out[FUZZ_MAX];
    size_t n = 0;
    int r;

    if (size > FUZZ_MAX)
        return 0;
    r = otp_base32_decode((const char *)data, size, out, sizeof out, &n);
    if (r == KK_OK) {
        if (n > size * 5 / 8)
            __builtin_trap();
        round_trip(out, n, true);
        round_trip(out, n, false);
        /* A buffer one byte short must be refused, not overrun. */
        if (n > 0 && otp_base32_decode((const char *)data, size, out, n - 1,
                                       &n) != KK_ERR_TRUNC)
            __builtin_trap();
    } else if (r != KK_ERR_INVAL) {
        __builtin_trap();
    }
    if (size <= FUZZ_MAX / 2) {
        round_trip(data, size, true);
        round_trip(data, size, false);
    }
    return 0;
}
