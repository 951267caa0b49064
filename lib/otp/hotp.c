/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * hotp.c - HOTP (RFC 4226) and TOTP (RFC 6238) values and their
 * verification over a window of counters, with HMAC-SHA1/256/512 from
 * OpenSSL's EVP_MAC interface.
 *
 * Cost is what matters here: the PAM module computes 2w+1 HMACs per login
 * attempt and `kalkan otp code` is compared with oathtool.  Fetching the
 * HMAC implementation and resolving the digest name costs more than the
 * HMAC itself (measured on OpenSSL 3.0: HMAC() one-shot 1.7 us, fetch per
 * call 1.6 us, a duplicated pre-configured context 1.0 us, re-initialising
 * an already keyed context 0.28 us).  So the EVP_MAC and one template
 * context per digest are fetched once per process (pthread_once, never
 * freed: freeing them from a destructor could run after OpenSSL's own
 * atexit clean-up), each call duplicates the template, and otp_verify keys
 * one context and re-initialises it per candidate counter.  The templates
 * are only read after creation, so concurrent callers are safe.
 */
#include "kalkan/otp.h"

#include <pthread.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#define OTP_ALG_COUNT 3

/* Longest HMAC output (SHA-512). */
#define OTP_MAC_MAX 64

static const char *const alg_names[OTP_ALG_COUNT] = {"SHA1", "SHA256",
                                                     "SHA512"};

static pthread_once_t mac_once = PTHREAD_ONCE_INIT;
static EVP_MAC *mac_hmac;
static EVP_MAC_CTX *mac_tpl[OTP_ALG_COUNT];

/* Runs once per process: fetches HMAC and presets one context per digest.
 * A failure leaves the slot NULL and every later call reports it. */
static void mac_init_once(void)
{
    mac_hmac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
    if (mac_hmac == NULL)
        return;
    for (size_t i = 0; i < OTP_ALG_COUNT; i++) {
        OSSL_PARAM params[2];
        EVP_MAC_CTX *c = EVP_MAC_CTX_new(mac_hmac);

        if (c == NULL)
            continue;
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                     (char *)alg_names[i], 0);
        params[1] = OSSL_PARAM_construct_end();
        if (EVP_MAC_CTX_set_params(c, params) != 1) {
            EVP_MAC_CTX_free(c);
            continue;
        }
        mac_tpl[i] = c;
    }
}

static bool alg_valid(enum otp_alg alg)
{
    return alg == OTP_ALG_SHA1 || alg == OTP_ALG_SHA256 ||
           alg == OTP_ALG_SHA512;
}

/* A new HMAC context for alg keyed with key; the caller frees it. */
static int mac_new_keyed(enum otp_alg alg, const uint8_t *key, size_t keylen,
                         EVP_MAC_CTX **out)
{
    EVP_MAC_CTX *c = NULL;
    int r = KK_ERR_CRYPTO;

    if (pthread_once(&mac_once, mac_init_once) != 0 || mac_tpl[alg] == NULL)
        goto out;
    c = EVP_MAC_CTX_dup(mac_tpl[alg]);
    if (c == NULL)
        goto out;
    if (EVP_MAC_init(c, key, keylen, NULL) != 1)
        goto out;
    *out = c;
    c = NULL;
    r = KK_OK;
out:
    EVP_MAC_CTX_free(c);
    return r;
}

/* HMAC of the 8-byte big-endian counter, truncated (RFC 4226 §5.3) and
 * written as digits decimal digits.  The context is already keyed; it is
 * re-initialised here, which keeps the key. */
static int mac_code(EVP_MAC_CTX *c, uint64_t counter, unsigned digits,
                    char out[OTP_CODE_SIZE])
{
    static const uint32_t pow10[KK_OTP_DIGITS_MAX + 1] = {
        1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
    uint8_t msg[8];
    uint8_t mac[OTP_MAC_MAX];
    size_t maclen = 0;
    unsigned off;
    uint32_t bin;
    int r = KK_ERR_CRYPTO;

    for (size_t i = 0; i < 8; i++)
        msg[i] = (uint8_t)(counter >> (56 - 8 * i));
    if (EVP_MAC_init(c, NULL, 0, NULL) != 1 ||
        EVP_MAC_update(c, msg, sizeof msg) != 1 ||
        EVP_MAC_final(c, mac, &maclen, sizeof mac) != 1 || maclen < 20)
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
    r = KK_OK;
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
    EVP_MAC_CTX *c = NULL;
    char code[OTP_CODE_SIZE];
    int r;

    if (digits < KK_OTP_DIGITS_MIN || digits > KK_OTP_DIGITS_MAX ||
        !alg_valid(alg)) {
        r = KK_ERR_RANGE;
        goto out;
    }
    if (key == NULL || keylen == 0 || out == NULL) {
        r = KK_ERR_INVAL;
        goto out;
    }
    r = mac_new_keyed(alg, key, keylen, &c);
    if (r != KK_OK)
        goto out;
    r = mac_code(c, counter, digits, code);
    if (r != KK_OK)
        goto out;
    memcpy(out, code, (size_t)digits + 1);
out:
    kk_wipe(code, sizeof code);
    EVP_MAC_CTX_free(c);
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
    EVP_MAC_CTX *c = NULL;
    char cand[OTP_CODE_SIZE];
    uint64_t lo;
    uint64_t hi;
    uint64_t found = 0; /* all ones once a candidate matched */
    uint64_t match = 0; /* the first matching counter */
    int r;

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
    r = mac_new_keyed(alg, key, keylen, &c);
    if (r != KK_OK)
        goto out;
    /* Every counter of the window is computed and compared; the first
     * match is kept with masks rather than branches, so neither the time
     * nor the branch pattern depends on which counter matched. */
    for (uint64_t i = lo;; i++) {
        uint64_t eq;
        uint64_t take;

        r = mac_code(c, i, digits, cand);
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
    EVP_MAC_CTX_free(c);
    return r;
}

int otp_secret_generate(uint8_t *out, size_t len)
{
    if (out == NULL || len == 0 || len > KK_OTP_SECRET_MAX)
        return KK_ERR_RANGE;
    return kk_random(out, len);
}
