/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hotp.c - HOTP (RFC 4226) and TOTP (RFC 6238) values and their
 * verification over a window of counters, with HMAC (RFC 2104) over our
 * own SHA-1 (sha1.c) and libsodium's HMAC-SHA-256 and HMAC-SHA-512.
 *
 * Cost is what matters here: pam_kalkan.so computes 2w+1 HMACs per login
 * attempt inside sshd, login or sudo, and `kalkan otp code` is compared
 * with oathtool, where process start-up is most of the time.  Measured on
 * Debian 12 (two shared cores, medians): OpenSSL's EVP layer cost 2.9 ms
 * at its first call (providers, openssl.cnf), and even its bare SHA
 * functions, which need no initialisation, cost 1.1 to 1.7 ms per process
 * just to load and relocate the 4.7 MB libcrypto: `kalkan otp code` took
 * 2.3 to 3.4 ms against oathtool's 0.8 to 1.1 ms.  So the library does not
 * use OpenSSL: SHA-1, which libsodium lacks, is ours (sha1.c), and
 * HMAC-SHA-256/512 come from libsodium, which the library loads anyway;
 * `kalkan otp code` now takes 1.3 to 1.65 ms, of which loading
 * libqrencode and libpng (for `kalkan otp new`) is about 0.45 ms.  The
 * price is per-code speed: both are portable C where OpenSSL used SHA-NI
 * and AVX2, so a code costs about 0.6 us (SHA-1), 1.2 us (SHA-256) and
 * 1.6 us (SHA-512) instead of 0.35, 0.4 and 1.05 us: liboath's speed
 * rather than 1.4 to 3 times it.  A login checks a handful of codes, so
 * that is microseconds against the milliseconds saved in every process.
 * Each HMAC absorbs its key once into an inner and an outer state; each
 * message then costs a copy of both and two compression-function calls.
 * The HMAC is checked against the RFC vectors, against liboath and
 * against OpenSSL's HMAC() (an independent oracle) in the unit tests.
 *
 * Everything lives on the caller's stack and is wiped before returning:
 * no allocation, and the only global state is libsodium's one-time
 * initialisation, done under pthread_once, so every function is
 * thread-safe.
 */
#include "kalkan/otp.h"

#include <pthread.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "otp_int.h"

#define OTP_ALG_COUNT 3

/* Largest digest output (SHA-512, 64 bytes). */
#define HASH_OUT_MAX crypto_auth_hmacsha512_BYTES

static const char *const alg_names[OTP_ALG_COUNT] = {"SHA1", "SHA256",
                                                     "SHA512"};

/* Output size of each digest, indexed by enum otp_alg. */
static const size_t hash_out[OTP_ALG_COUNT] = {
    OTP_SHA1_SIZE, crypto_auth_hmacsha256_BYTES, crypto_auth_hmacsha512_BYTES};

/* HMAC-SHA1 with its key absorbed: the states after the inner (ipad) and
 * the outer (opad) key block. */
struct hmac_sha1 {
    struct otp_sha1 inner;
    struct otp_sha1 outer;
};

/* HMAC with its key absorbed, for any of the three algorithms.  libsodium's
 * HMAC states are plain structs holding the same two digest states, so a
 * copy of one is an HMAC ready for a message, as with ours. */
union hmac_state {
    struct hmac_sha1 sha1;
    crypto_auth_hmacsha256_state sha256;
    crypto_auth_hmacsha512_state sha512;
};

struct hmac {
    enum otp_alg alg;
    union hmac_state st;
};

/* sodium_init is thread-safe and idempotent, but it takes a lock on every
 * call; pthread_once makes the later calls a single load. */
static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_status = -1;

static void sodium_start(void)
{
    sodium_status = sodium_init() < 0 ? -1 : 0;
}

/* KK_OK once libsodium is initialised, KK_ERR_CRYPTO if it cannot be. */
static int sodium_ready(void)
{
    int r = pthread_once(&sodium_once, sodium_start);

    return r == 0 && sodium_status == 0 ? KK_OK : KK_ERR_CRYPTO;
}

static bool alg_valid(enum otp_alg alg)
{
    return alg == OTP_ALG_SHA1 || alg == OTP_ALG_SHA256 ||
           alg == OTP_ALG_SHA512;
}

/* RFC 2104 §2 over our SHA-1: a key longer than a block is hashed first,
 * then padded with zeros to a block and XORed with ipad and opad. */
static void hmac_sha1_init(struct hmac_sha1 *h, const uint8_t *key,
                           size_t keylen)
{
    uint8_t k0[OTP_SHA1_BLOCK];
    uint8_t pad[OTP_SHA1_BLOCK];
    struct otp_sha1 c;

    memset(k0, 0, sizeof k0);
    if (keylen > OTP_SHA1_BLOCK) {
        otp_sha1_init(&c);
        otp_sha1_update(&c, key, keylen);
        otp_sha1_final(&c, k0); /* wipes c */
    } else {
        memcpy(k0, key, keylen);
    }
    for (size_t i = 0; i < OTP_SHA1_BLOCK; i++)
        pad[i] = k0[i] ^ 0x36u;
    otp_sha1_init(&h->inner);
    otp_sha1_update(&h->inner, pad, sizeof pad);
    for (size_t i = 0; i < OTP_SHA1_BLOCK; i++)
        pad[i] = k0[i] ^ 0x5cu;
    otp_sha1_init(&h->outer);
    otp_sha1_update(&h->outer, pad, sizeof pad);
    kk_wipe(k0, sizeof k0);
    kk_wipe(pad, sizeof pad);
}

/* Absorbs key (any length) into h.  The caller wipes h with kk_wipe when
 * done. */
static int hmac_init(struct hmac *h, enum otp_alg alg, const uint8_t *key,
                     size_t keylen)
{
    int r = KK_OK;

    h->alg = alg;
    switch (alg) {
    case OTP_ALG_SHA1:
        hmac_sha1_init(&h->st.sha1, key, keylen);
        break;
    case OTP_ALG_SHA256:
        r = sodium_ready();
        if (r == KK_OK &&
            crypto_auth_hmacsha256_init(&h->st.sha256, key, keylen) != 0)
            r = KK_ERR_CRYPTO;
        break;
    default:
        r = sodium_ready();
        if (r == KK_OK &&
            crypto_auth_hmacsha512_init(&h->st.sha512, key, keylen) != 0)
            r = KK_ERR_CRYPTO;
        break;
    }
    return r;
}

/* HMAC of msg under the absorbed key, on a copy of the absorbed state;
 * writes hash_out[h->alg] bytes. */
static int hmac_mac(const struct hmac *h, const uint8_t *msg, size_t len,
                    uint8_t *out)
{
    uint8_t ih[OTP_SHA1_SIZE];
    union hmac_state c;
    size_t used = sizeof c.sha1;
    int r = KK_OK;

    switch (h->alg) {
    case OTP_ALG_SHA1:
        c.sha1 = h->st.sha1;
        otp_sha1_update(&c.sha1.inner, msg, len);
        otp_sha1_final(&c.sha1.inner, ih);
        otp_sha1_update(&c.sha1.outer, ih, sizeof ih);
        otp_sha1_final(&c.sha1.outer, out);
        break;
    case OTP_ALG_SHA256:
        used = sizeof c.sha256;
        c.sha256 = h->st.sha256;
        if (crypto_auth_hmacsha256_update(&c.sha256, msg, len) != 0 ||
            crypto_auth_hmacsha256_final(&c.sha256, out) != 0)
            r = KK_ERR_CRYPTO;
        break;
    default:
        used = sizeof c.sha512;
        c.sha512 = h->st.sha512;
        if (crypto_auth_hmacsha512_update(&c.sha512, msg, len) != 0 ||
            crypto_auth_hmacsha512_final(&c.sha512, out) != 0)
            r = KK_ERR_CRYPTO;
        break;
    }
    /* The finals already wipe the digest states they end; this also
     * covers a libsodium call that failed half-way. */
    kk_wipe(ih, sizeof ih);
    kk_wipe(&c, used);
    return r;
}

/* HMAC of the 8-byte big-endian counter, truncated (RFC 4226 §5.3) and
 * written as digits decimal digits. */
static int mac_code(const struct hmac *h, uint64_t counter, unsigned digits,
                    char out[OTP_CODE_SIZE])
{
    static const uint32_t pow10[KK_OTP_DIGITS_MAX + 1] = {
        1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
    uint8_t msg[8];
    uint8_t mac[HASH_OUT_MAX];
    size_t maclen = hash_out[h->alg];
    unsigned off;
    uint32_t bin;
    int r;

    for (size_t i = 0; i < 8; i++)
        msg[i] = (uint8_t)(counter >> (56 - 8 * i));
    r = hmac_mac(h, msg, sizeof msg, mac);
    if (r != KK_OK)
        goto out;
    off = mac[maclen - 1] & 0x0fu;
    bin = ((uint32_t)(mac[off] & 0x7fu) << 24) |
          ((uint32_t)mac[off + 1] << 16) | ((uint32_t)mac[off + 2] << 8) |
          (uint32_t)mac[off + 3];
    bin %= pow10[digits];
    for (unsigned i = digits; i > 0; i--) {
        out[i - 1] = (char)('0' + bin % 10);
        bin /= 10;
    }
    out[digits] = '\0';
out:
    kk_wipe(mac, sizeof mac);
    return r;
}

void otp_params_default(struct otp_params *p)
{
    p->kind = OTP_KIND_TOTP;
    p->alg = OTP_ALG_SHA1;
    p->digits = 6;
    p->period = 30;
    p->counter = 0;
}

int otp_params_check(const struct otp_params *p)
{
    if (p->kind != OTP_KIND_TOTP && p->kind != OTP_KIND_HOTP)
        return KK_ERR_RANGE;
    if (!alg_valid(p->alg))
        return KK_ERR_RANGE;
    if (p->digits < KK_OTP_DIGITS_MIN || p->digits > KK_OTP_DIGITS_MAX)
        return KK_ERR_RANGE;
    if (p->kind == OTP_KIND_TOTP &&
        (p->period < 1 || p->period > KK_OTP_PERIOD_MAX))
        return KK_ERR_RANGE;
    return KK_OK;
}

const char *otp_alg_name(enum otp_alg alg)
{
    return alg_valid(alg) ? alg_names[alg] : "unknown";
}

int otp_alg_parse(const char *s, enum otp_alg *out)
{
    static const char *const bits[OTP_ALG_COUNT] = {"1", "256", "512"};

    if (s == NULL || strncasecmp(s, "sha", 3) != 0)
        return KK_ERR_INVAL;
    s += 3;
    if (s[0] == '-')
        s++;
    for (size_t i = 0; i < OTP_ALG_COUNT; i++) {
        if (strcmp(s, bits[i]) == 0) {
            *out = (enum otp_alg)i;
            return KK_OK;
        }
    }
    return KK_ERR_INVAL;
}

/* The checks every public entry point makes: digits and algorithm in
 * range (KK_ERR_RANGE), a key present (KK_ERR_INVAL). */
static int args_check(const uint8_t *key, size_t keylen, enum otp_alg alg,
                      unsigned digits)
{
    if (digits < KK_OTP_DIGITS_MIN || digits > KK_OTP_DIGITS_MAX ||
        !alg_valid(alg))
        return KK_ERR_RANGE;
    if (key == NULL || keylen == 0)
        return KK_ERR_INVAL;
    return KK_OK;
}

int otp_hotp(const uint8_t *key, size_t keylen, enum otp_alg alg,
             uint64_t counter, unsigned digits, char out[OTP_CODE_SIZE])
{
    struct hmac h;
    char code[OTP_CODE_SIZE];
    int r;

    memset(&h, 0, sizeof h);
    r = args_check(key, keylen, alg, digits);
    if (r == KK_OK && out == NULL)
        r = KK_ERR_INVAL;
    if (r != KK_OK)
        goto out;
    r = hmac_init(&h, alg, key, keylen);
    if (r != KK_OK)
        goto out;
    r = mac_code(&h, counter, digits, code);
    if (r != KK_OK)
        goto out;
    memcpy(out, code, (size_t)digits + 1);
out:
    kk_wipe(code, sizeof code);
    kk_wipe(&h, sizeof h);
    return r;
}

int otp_totp_step(int64_t t, unsigned period, uint64_t *step)
{
    if (t < 0 || period < 1 || period > KK_OTP_PERIOD_MAX)
        return KK_ERR_RANGE;
    *step = (uint64_t)t / period;
    return KK_OK;
}

int otp_totp(const uint8_t *key, size_t keylen, enum otp_alg alg, int64_t t,
             unsigned period, unsigned digits, char out[OTP_CODE_SIZE])
{
    uint64_t step;
    int r = otp_totp_step(t, period, &step);

    if (r != KK_OK)
        return r;
    return otp_hotp(key, keylen, alg, step, digits, out);
}

/* True if code is exactly digits decimal digits.  The length of a code is
 * not secret, so this may return early. */
static bool code_wellformed(const char *code, unsigned digits)
{
    if (code == NULL || strnlen(code, OTP_CODE_SIZE) != digits)
        return false;
    for (unsigned i = 0; i < digits; i++) {
        if (code[i] < '0' || code[i] > '9')
            return false;
    }
    return true;
}

int otp_verify(const uint8_t *key, size_t keylen, enum otp_alg alg,
               unsigned digits, uint64_t center, unsigned back, unsigned ahead,
               const char *code, int64_t *offset)
{
    struct hmac h;
    char cand[OTP_CODE_SIZE];
    uint64_t lo;
    uint64_t hi;
    uint64_t found = 0; /* all ones once a candidate matched */
    uint64_t match = 0; /* the first matching counter */
    int r;

    memset(&h, 0, sizeof h);
    r = args_check(key, keylen, alg, digits);
    if (r == KK_OK && !code_wellformed(code, digits))
        r = KK_ERR_INVAL;
    if (r != KK_OK)
        goto out;
    lo = center >= back ? center - back : 0;
    hi = UINT64_MAX - center >= ahead ? center + ahead : UINT64_MAX;
    r = hmac_init(&h, alg, key, keylen);
    if (r != KK_OK)
        goto out;
    /* Every counter of the window is computed and compared; the first
     * match is kept with masks rather than branches, so neither the time
     * nor the branch pattern depends on which counter matched. */
    for (uint64_t i = lo;; i++) {
        uint64_t eq;
        uint64_t take;

        r = mac_code(&h, i, digits, cand);
        if (r != KK_OK)
            goto out;
        eq = (uint64_t)0 - (uint64_t)kk_memeq_ct(cand, code, digits);
        take = eq & ~found;
        match = (match & ~take) | (i & take);
        found |= eq;
        if (i == hi)
            break;
    }
    if (found == 0) {
        r = KK_ERR_AUTH;
        goto out;
    }
    if (offset != NULL)
        *offset = match >= center ? (int64_t)(match - center)
                                  : -(int64_t)(center - match);
    r = KK_OK;
out:
    kk_wipe(cand, sizeof cand);
    kk_wipe(&h, sizeof h);
    return r;
}

int otp_secret_generate(uint8_t *out, size_t len)
{
    if (out == NULL || len == 0 || len > KK_OTP_SECRET_MAX)
        return KK_ERR_RANGE;
    return kk_random(out, len);
}
