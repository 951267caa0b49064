/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * hotp.c - HOTP (RFC 4226) and TOTP (RFC 6238) values and their
 * verification over a window of counters, with HMAC (RFC 2104) over
 * OpenSSL's SHA-1, SHA-256 and SHA-512.
 *
 * Cost is what matters here: pam_kalkan.so computes 2w+1 HMACs per login
 * attempt inside sshd, login or sudo, and `kalkan otp code` is compared
 * with oathtool, where process start-up is most of the time.  Measured on
 * Debian 12 (OpenSSL 3.0, one core): the first EVP call of a process
 * initialises the provider machinery and reads openssl.cnf, 2.9 ms, which
 * made `kalkan otp code` take 7.2 ms against oathtool's 1.0 ms; per HMAC,
 * HMAC() one-shot costs 1.7 us, EVP_MAC with a cached fetch 1.0 us, a
 * re-initialised keyed EVP_MAC context 0.28 us.  OpenSSL's direct digest
 * functions (SHA1_Init...) need no initialisation at all and run the same
 * assembly, so HMAC is built on them: the key is absorbed once into an
 * inner and an outer digest state, and each message costs a copy of each
 * state and two compression-function calls (0.3 us for SHA-1).  This also
 * keeps a PAM module from loading OpenSSL's configuration, engines or
 * providers into the process that loaded it.  Those functions are marked
 * deprecated in OpenSSL 3, hence OPENSSL_SUPPRESS_DEPRECATED; they remain
 * throughout the 3.x series.  The HMAC is checked against the RFC vectors
 * and against liboath and OpenSSL's own HMAC() in the unit tests.
 *
 * Everything lives on the caller's stack and is wiped before returning:
 * no global state, no allocation, so every function is thread-safe.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "kalkan/otp.h"

#include <string.h>
#include <strings.h>

#include <openssl/sha.h>

#define OTP_ALG_COUNT 3

/* Largest digest block (SHA-512, 128 bytes) and output (64 bytes). */
#define HASH_BLOCK_MAX SHA512_CBLOCK
#define HASH_OUT_MAX SHA512_DIGEST_LENGTH

static const char *const alg_names[OTP_ALG_COUNT] = {"SHA1", "SHA256",
                                                     "SHA512"};

/* Block and output sizes of each digest, indexed by enum otp_alg. */
static const size_t hash_block[OTP_ALG_COUNT] = {SHA_CBLOCK, SHA256_CBLOCK,
                                                 SHA512_CBLOCK};
static const size_t hash_out[OTP_ALG_COUNT] = {
    SHA_DIGEST_LENGTH, SHA256_DIGEST_LENGTH, SHA512_DIGEST_LENGTH};

/* A running digest of any of the three algorithms. */
union hash_ctx {
    SHA_CTX sha1;
    SHA256_CTX sha256;
    SHA512_CTX sha512;
};

/* HMAC with its key absorbed: the states after the inner (ipad) and the
 * outer (opad) key block. */
struct hmac {
    enum otp_alg alg;
    union hash_ctx inner;
    union hash_ctx outer;
};

static bool alg_valid(enum otp_alg alg)
{
    return alg == OTP_ALG_SHA1 || alg == OTP_ALG_SHA256 ||
           alg == OTP_ALG_SHA512;
}

static int hash_init(enum otp_alg alg, union hash_ctx *c)
{
    int ok;

    switch (alg) {
    case OTP_ALG_SHA1:
        ok = SHA1_Init(&c->sha1);
        break;
    case OTP_ALG_SHA256:
        ok = SHA256_Init(&c->sha256);
        break;
    default:
        ok = SHA512_Init(&c->sha512);
        break;
    }
    return ok == 1 ? KK_OK : KK_ERR_CRYPTO;
}

static int hash_update(enum otp_alg alg, union hash_ctx *c, const void *p,
                       size_t len)
{
    int ok;

    switch (alg) {
    case OTP_ALG_SHA1:
        ok = SHA1_Update(&c->sha1, p, len);
        break;
    case OTP_ALG_SHA256:
        ok = SHA256_Update(&c->sha256, p, len);
        break;
    default:
        ok = SHA512_Update(&c->sha512, p, len);
        break;
    }
    return ok == 1 ? KK_OK : KK_ERR_CRYPTO;
}

/* Writes hash_out[alg] bytes to out. */
static int hash_final(enum otp_alg alg, union hash_ctx *c, uint8_t *out)
{
    int ok;

    switch (alg) {
    case OTP_ALG_SHA1:
        ok = SHA1_Final(out, &c->sha1);
        break;
    case OTP_ALG_SHA256:
        ok = SHA256_Final(out, &c->sha256);
        break;
    default:
        ok = SHA512_Final(out, &c->sha512);
        break;
    }
    return ok == 1 ? KK_OK : KK_ERR_CRYPTO;
}

/* Absorbs key into h (RFC 2104 §2): a key longer than a block is hashed
 * first, then padded with zeros to a block and XORed with ipad and opad.
 * The caller wipes h with kk_wipe when done. */
static int hmac_init(struct hmac *h, enum otp_alg alg, const uint8_t *key,
                     size_t keylen)
{
    uint8_t k0[HASH_BLOCK_MAX];
    uint8_t pad[HASH_BLOCK_MAX];
    size_t block = hash_block[alg];
    union hash_ctx c;
    int r;

    memset(k0, 0, sizeof k0);
    h->alg = alg;
    if (keylen > block) {
        r = hash_init(alg, &c);
        if (r == KK_OK)
            r = hash_update(alg, &c, key, keylen);
        if (r == KK_OK)
            r = hash_final(alg, &c, k0);
        if (r != KK_OK)
            goto out;
    } else {
        memcpy(k0, key, keylen);
    }
    for (size_t i = 0; i < block; i++)
        pad[i] = k0[i] ^ 0x36u;
    r = hash_init(alg, &h->inner);
    if (r == KK_OK)
        r = hash_update(alg, &h->inner, pad, block);
    for (size_t i = 0; i < block; i++)
        pad[i] = k0[i] ^ 0x5cu;
    if (r == KK_OK)
        r = hash_init(alg, &h->outer);
    if (r == KK_OK)
        r = hash_update(alg, &h->outer, pad, block);
out:
    kk_wipe(k0, sizeof k0);
    kk_wipe(pad, sizeof pad);
    kk_wipe(&c, sizeof c);
    return r;
}

/* HMAC of msg under the absorbed key; writes hash_out[h->alg] bytes. */
static int hmac_mac(const struct hmac *h, const uint8_t *msg, size_t len,
                    uint8_t *out)
{
    uint8_t ih[HASH_OUT_MAX];
    union hash_ctx c = h->inner;
    int r = hash_update(h->alg, &c, msg, len);

    if (r == KK_OK)
        r = hash_final(h->alg, &c, ih);
    if (r == KK_OK) {
        c = h->outer;
        r = hash_update(h->alg, &c, ih, hash_out[h->alg]);
    }
    if (r == KK_OK)
        r = hash_final(h->alg, &c, out);
    kk_wipe(ih, sizeof ih);
    kk_wipe(&c, sizeof c);
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

int otp_hotp(const uint8_t *key, size_t keylen, enum otp_alg alg,
             uint64_t counter, unsigned digits, char out[OTP_CODE_SIZE])
{
    struct hmac h;
    char code[OTP_CODE_SIZE];
    int r;

    memset(&h, 0, sizeof h);
    if (digits < KK_OTP_DIGITS_MIN || digits > KK_OTP_DIGITS_MAX ||
        !alg_valid(alg)) {
        r = KK_ERR_RANGE;
        goto out;
    }
    if (key == NULL || keylen == 0 || out == NULL) {
        r = KK_ERR_INVAL;
        goto out;
    }
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
    if (digits < KK_OTP_DIGITS_MIN || digits > KK_OTP_DIGITS_MAX ||
        !alg_valid(alg)) {
        r = KK_ERR_RANGE;
        goto out;
    }
    if (key == NULL || keylen == 0 || !code_wellformed(code, digits)) {
        r = KK_ERR_INVAL;
        goto out;
    }
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
