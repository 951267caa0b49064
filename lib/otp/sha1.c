/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sha1.c - SHA-1 (FIPS 180-4 §6.1), written from the specification, for
 * HMAC-SHA1 in hotp.c: RFC 4226 and nearly every authenticator app need
 * it, and libsodium has no SHA-1.
 *
 * Why our own rather than OpenSSL's: SHA-1 was the only reason the otp
 * library linked libcrypto, and loading that 4.7 MB library cost 1.1 to
 * 1.7 ms at the start of every `kalkan otp code` and was mapped into every
 * sshd, login and sudo process that loads pam_kalkan.so.  The trade-off
 * is speed: this is portable C, 0.10 to 0.15 us per 64-byte block against
 * 0.045 us for OpenSSL's SHA-NI code, i.e. about 0.6 us per HOTP value
 * (four blocks) instead of 0.35 us, far below process start-up.  The
 * rounds are written out so that the compiler sees constant indices; as a
 * loop they ran at half that speed.
 *
 * SHA-1's broken collision resistance does not carry over to HMAC-SHA1
 * (RFC 6194), which needs only the compression function to behave
 * as a PRF.  Nothing here branches on or indexes memory by message bytes:
 * the round functions are chosen by round number, and the time depends
 * only on the message length.
 */
#include "otp_int.h"

#include <stdbool.h>
#include <string.h>

#include "kalkan/kk.h"

/* The 16-word window of the message schedule W_t (§6.1.2 step 1),
 * indexed t mod 16. */
#define SHA1_WINDOW 16

static uint32_t rol32(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32u - n));
}

static uint32_t load_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static void store_be32(uint8_t *p, uint32_t x)
{
    p[0] = (uint8_t)(x >> 24);
    p[1] = (uint8_t)(x >> 16);
    p[2] = (uint8_t)(x >> 8);
    p[3] = (uint8_t)x;
}

/* The logical functions of §4.1.1: Ch for rounds 0-19, Parity for 20-39
 * and 60-79, Maj for 40-59, in forms with fewer operations. */
static uint32_t f_ch(uint32_t x, uint32_t y, uint32_t z)
{
    return z ^ (x & (y ^ z));
}

static uint32_t f_parity(uint32_t x, uint32_t y, uint32_t z)
{
    return x ^ y ^ z;
}

static uint32_t f_maj(uint32_t x, uint32_t y, uint32_t z)
{
    return (x & y) | (z & (x | y));
}

/* W_t for round t: the block's own words for t < 16, then
 * ROTL1(W_t-3 ^ W_t-8 ^ W_t-14 ^ W_t-16), computed in place over the
 * window (t - 16 and t share a slot). */
static uint32_t schedule(uint32_t w[SHA1_WINDOW], unsigned t)
{
    if (t >= SHA1_WINDOW)
        w[t & 15u] = rol32(w[(t + 13u) & 15u] ^ w[(t + 8u) & 15u] ^
                               w[(t + 2u) & 15u] ^ w[t & 15u],
                           1);
    return w[t & 15u];
}

/*
 * One round of §6.1.2 step 3, in place: T = ROTL5(a) + f(b, c, d) + e +
 * K + W_t is stored in e's variable and b is rotated by 30; the caller
 * then renames the variables (e is the next a, a the next b, and so on)
 * instead of moving five values, so the names come back every five rounds.
 */
#define SHA1_ROUND(a, b, c, d, e, f, k, t)                                     \
    do {                                                                       \
        (e) += rol32((a), 5) + f((b), (c), (d)) + (k) + schedule(w, (t));      \
        (b) = rol32((b), 30);                                                  \
    } while (0)

#define SHA1_FIVE(f, k, t)                                                     \
    do {                                                                       \
        SHA1_ROUND(a, b, c, d, e, f, k, (t));                                  \
        SHA1_ROUND(e, a, b, c, d, f, k, (t) + 1u);                             \
        SHA1_ROUND(d, e, a, b, c, f, k, (t) + 2u);                             \
        SHA1_ROUND(c, d, e, a, b, f, k, (t) + 3u);                             \
        SHA1_ROUND(b, c, d, e, a, f, k, (t) + 4u);                             \
    } while (0)

/* Hashes one 64-byte block into h.  w is the caller's schedule window, so
 * that the caller can wipe it once after many blocks. */
static void sha1_compress(uint32_t h[5], const uint8_t *block,
                          uint32_t w[SHA1_WINDOW])
{
    uint32_t a = h[0];
    uint32_t b = h[1];
    uint32_t c = h[2];
    uint32_t d = h[3];
    uint32_t e = h[4];

    for (unsigned t = 0; t < SHA1_WINDOW; t++)
        w[t] = load_be32(block + 4 * t);
    /* Written out rather than looped, so that every round number is a
     * constant: schedule()'s test and the window's indices then vanish at
     * compile time, which makes the function about twice as fast. */
    SHA1_FIVE(f_ch, 0x5a827999u, 0u);
    SHA1_FIVE(f_ch, 0x5a827999u, 5u);
    SHA1_FIVE(f_ch, 0x5a827999u, 10u);
    SHA1_FIVE(f_ch, 0x5a827999u, 15u);
    SHA1_FIVE(f_parity, 0x6ed9eba1u, 20u);
    SHA1_FIVE(f_parity, 0x6ed9eba1u, 25u);
    SHA1_FIVE(f_parity, 0x6ed9eba1u, 30u);
    SHA1_FIVE(f_parity, 0x6ed9eba1u, 35u);
    SHA1_FIVE(f_maj, 0x8f1bbcdcu, 40u);
    SHA1_FIVE(f_maj, 0x8f1bbcdcu, 45u);
    SHA1_FIVE(f_maj, 0x8f1bbcdcu, 50u);
    SHA1_FIVE(f_maj, 0x8f1bbcdcu, 55u);
    SHA1_FIVE(f_parity, 0xca62c1d6u, 60u);
    SHA1_FIVE(f_parity, 0xca62c1d6u, 65u);
    SHA1_FIVE(f_parity, 0xca62c1d6u, 70u);
    SHA1_FIVE(f_parity, 0xca62c1d6u, 75u);
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

void otp_sha1_init(struct otp_sha1 *c)
{
    /* §5.3.1 */
    c->h[0] = 0x67452301u;
    c->h[1] = 0xefcdab89u;
    c->h[2] = 0x98badcfeu;
    c->h[3] = 0x10325476u;
    c->h[4] = 0xc3d2e1f0u;
    c->bytes = 0;
    memset(c->buf, 0, sizeof c->buf);
}

void otp_sha1_update(struct otp_sha1 *c, const void *p, size_t len)
{
    const uint8_t *in = p;
    size_t used = (size_t)(c->bytes % OTP_SHA1_BLOCK);
    bool compressed = false;
    uint32_t w[SHA1_WINDOW];

    c->bytes += len;
    /* Complete a partial block first; if the input does not complete it,
     * len is 0 afterwards and nothing below runs. */
    if (used > 0 && len > 0) {
        size_t take = OTP_SHA1_BLOCK - used < len ? OTP_SHA1_BLOCK - used : len;

        memcpy(c->buf + used, in, take);
        in += take;
        len -= take;
        used += take;
        if (used == OTP_SHA1_BLOCK) {
            sha1_compress(c->h, c->buf, w);
            compressed = true;
        }
    }
    /* Whole blocks straight from the input, without copying. */
    for (; len >= OTP_SHA1_BLOCK; in += OTP_SHA1_BLOCK, len -= OTP_SHA1_BLOCK) {
        sha1_compress(c->h, in, w);
        compressed = true;
    }
    if (len > 0)
        memcpy(c->buf, in, len);
    /* HMAC's short messages (an 8-byte counter, a 20-byte inner hash)
     * only fill the buffer: no schedule to wipe, and no call. */
    if (compressed)
        kk_wipe(w, sizeof w);
}

void otp_sha1_final(struct otp_sha1 *c, uint8_t out[OTP_SHA1_SIZE])
{
    uint64_t bits = c->bytes << 3;
    size_t used = (size_t)(c->bytes % OTP_SHA1_BLOCK);
    uint32_t w[SHA1_WINDOW];

    /* §5.1.1: a one bit, zeros up to 56 mod 64 bytes, then the length in
     * bits as a 64-bit big-endian number; a second block if the length
     * does not fit after the one bit. */
    c->buf[used++] = 0x80u;
    if (used > OTP_SHA1_BLOCK - 8) {
        memset(c->buf + used, 0, OTP_SHA1_BLOCK - used);
        sha1_compress(c->h, c->buf, w);
        used = 0;
    }
    memset(c->buf + used, 0, OTP_SHA1_BLOCK - 8 - used);
    store_be32(c->buf + OTP_SHA1_BLOCK - 8, (uint32_t)(bits >> 32));
    store_be32(c->buf + OTP_SHA1_BLOCK - 4, (uint32_t)bits);
    sha1_compress(c->h, c->buf, w);
    for (size_t i = 0; i < 5; i++)
        store_be32(out + 4 * i, c->h[i]);
    kk_wipe(w, sizeof w);
    kk_wipe(c, sizeof *c);
}
