/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_otp.c - unit tests of the otp library: SHA-1 against the FIPS 180
 * vectors and OpenSSL, the RFC 4226 and RFC 6238 vectors, HMAC against
 * OpenSSL, verification windows, base32, otpauth URIs, QR rendering, and a
 * differential test against liboath over a million random cases.  OpenSSL
 * is only an independent oracle here: the library does not use it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "kalkan/otp.h"

#include "../../../lib/otp/otp_int.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#ifdef KK_HAVE_LIBOATH
#include <liboath/oath.h>
#endif

/* ---- helpers ---- */

/* A small fixed-seed generator (xoshiro256**), so that every run of the
 * differential test covers the same cases and a failure is reproducible. */
struct prng {
    uint64_t s[4];
};

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static void prng_seed(struct prng *g, uint64_t seed)
{
    /* splitmix64 spreads the seed over the state. */
    for (size_t i = 0; i < 4; i++) {
        uint64_t z = (seed += 0x9e3779b97f4a7c15u);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
        g->s[i] = z ^ (z >> 31);
    }
}

static uint64_t prng_next(struct prng *g)
{
    uint64_t *s = g->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

/* Uniform enough in [0, n) for test coverage (n small). */
static uint64_t prng_below(struct prng *g, uint64_t n)
{
    return prng_next(g) % n;
}

static size_t hex_decode(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex) / 2;

    assert_true(n <= cap);
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        for (size_t k = 0; k < 2; k++) {
            char c = hex[2 * i + k];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= (unsigned)(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= (unsigned)(c - 'a' + 10);
            else
                fail_msg("bad hex in test data: %s", hex);
        }
        out[i] = (uint8_t)v;
    }
    return n;
}

/* Reads tests/data/otp/<name> into a buffer the caller frees. */
static struct kk_buf *read_data(const char *name)
{
    char path[512];
    struct kk_buf *b = kk_buf_new(1024 * 1024);
    struct kk_diag d = {.msg = ""};

    assert_non_null(b);
    assert_true(snprintf(path, sizeof path, "%s/otp/%s", KK_TEST_DATA, name) <
                (int)sizeof path);
    if (kk_file_read(path, 1024 * 1024, b, &d) != KK_OK)
        fail_msg("%s", d.msg);
    return b;
}

#define TSV_FIELDS_MAX 12

/* Splits a line of the data files at TABs, in place.  Returns the number
 * of fields, 0 for comments and blank lines. */
static size_t tsv_split(char *line, char *field[TSV_FIELDS_MAX])
{
    size_t n = 0;
    char *p = line;

    if (line[0] == '#' || line[0] == '\0')
        return 0;
    field[n++] = p;
    while ((p = strchr(p, '\t')) != NULL && n < TSV_FIELDS_MAX) {
        *p++ = '\0';
        field[n++] = p;
    }
    return n;
}

/* Calls fn on each data line of a table file. */
static void tsv_each(const char *name,
                     void (*fn)(char *field[], size_t n, unsigned lineno))
{
    struct kk_buf *b = read_data(name);
    struct kk_span s = kk_span_make(kk_buf_data(b), kk_buf_len(b));
    const char *line;
    size_t len;
    unsigned lineno = 0;
    unsigned cases = 0;

    while (kk_span_get_line(&s, 4096, &line, &len) == KK_OK) {
        char copy[4097];
        char *field[TSV_FIELDS_MAX];
        size_t n;

        lineno++;
        memcpy(copy, line, len);
        copy[len] = '\0';
        n = tsv_split(copy, field);
        if (n == 0)
            continue;
        fn(field, n, lineno);
        cases++;
    }
    assert_true(cases > 10);
    kk_buf_free(b);
}

/* ---- SHA-1 ---- */

static void sha1_hex(const uint8_t *msg, size_t len, char hex[41])
{
    struct otp_sha1 c;
    uint8_t md[OTP_SHA1_SIZE];

    otp_sha1_init(&c);
    otp_sha1_update(&c, msg, len);
    otp_sha1_final(&c, md);
    for (size_t i = 0; i < sizeof md; i++)
        assert_true(snprintf(hex + 2 * i, 3, "%02x", md[i]) == 2);
}

/* FIPS 180 / RFC 3174 §7.3 test vectors, and the empty message. */
static void sha1_matches_the_fips_180_vectors(void **state)
{
    static const char m448[] =
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    static uint8_t million[1000000];
    struct otp_sha1 c;
    uint8_t md[OTP_SHA1_SIZE];
    uint8_t want[OTP_SHA1_SIZE];
    char hex[41];

    (void)state;
    sha1_hex((const uint8_t *)"abc", 3, hex);
    assert_string_equal(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert_int_equal(strlen(m448), 56);
    sha1_hex((const uint8_t *)m448, 56, hex);
    assert_string_equal(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    sha1_hex(NULL, 0, hex);
    assert_string_equal(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    memset(million, 'a', sizeof million);
    sha1_hex(million, sizeof million, hex);
    assert_string_equal(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    /* The same million 'a', fed in pieces of 1 to 199 bytes. */
    hex_decode("34aa973cd4c4daa4f61eeb2bdbad27316534016f", want, sizeof want);
    otp_sha1_init(&c);
    for (size_t done = 0, n = 1; done < sizeof million; n = n % 199 + 1) {
        size_t take = n < sizeof million - done ? n : sizeof million - done;
        otp_sha1_update(&c, million + done, take);
        done += take;
    }
    otp_sha1_final(&c, md);
    assert_memory_equal(md, want, sizeof md);
}

/*
 * Every length from 0 to 1000 bytes (so every padding case: the length
 * field in the last block or a block of its own), random bytes, fed in a
 * random number of update() calls split at random points, including empty
 * ones, against OpenSSL's one-shot SHA1().
 */
static void sha1_equals_openssl_for_random_lengths_and_splits(void **state)
{
    static uint8_t msg[1000];
    struct prng g;

    (void)state;
    prng_seed(&g, 1804);
    for (size_t len = 0; len <= sizeof msg; len++) {
        for (unsigned round = 0; round < 4; round++) {
            struct otp_sha1 c;
            uint8_t got[OTP_SHA1_SIZE];
            uint8_t want[SHA_DIGEST_LENGTH];
            size_t cuts[8];
            size_t ncuts = (size_t)prng_below(&g, 8);
            size_t done = 0;

            for (size_t i = 0; i < len; i++)
                msg[i] = (uint8_t)prng_next(&g);
            /* Sorted cut points in 0..len, so pieces may be empty. */
            for (size_t i = 0; i < ncuts; i++) {
                size_t x = (size_t)prng_below(&g, len + 1);
                size_t k = i;
                for (; k > 0 && cuts[k - 1] > x; k--)
                    cuts[k] = cuts[k - 1];
                cuts[k] = x;
            }
            otp_sha1_init(&c);
            for (size_t i = 0; i < ncuts; i++) {
                otp_sha1_update(&c, msg + done, cuts[i] - done);
                done = cuts[i];
            }
            otp_sha1_update(&c, msg + done, len - done);
            otp_sha1_final(&c, got);
            assert_non_null(SHA1(msg, len, want));
            if (memcmp(got, want, sizeof got) != 0)
                fail_msg("SHA-1 of %zu bytes in %zu pieces differs", len,
                         ncuts + 1);
        }
    }
}

static void sha1_final_wipes_its_state(void **state)
{
    static const uint8_t zero[sizeof(struct otp_sha1)];
    struct otp_sha1 c;
    uint8_t md[OTP_SHA1_SIZE];

    (void)state;
    otp_sha1_init(&c);
    otp_sha1_update(&c, "a secret key of some length", 27);
    otp_sha1_final(&c, md);
    assert_memory_equal(&c, zero, sizeof c);
}

/* ---- HOTP and TOTP ---- */

static const uint8_t rfc_key20[] = "12345678901234567890";

static void hotp_matches_rfc4226_appendix_d(void **state)
{
    static const char *const want[10] = {"755224", "287082", "359152", "969429",
                                         "338314", "254676", "287922", "162583",
                                         "399871", "520489"};
    char code[OTP_CODE_SIZE];

    (void)state;
    for (uint64_t c = 0; c < 10; c++) {
        assert_int_equal(otp_hotp(rfc_key20, 20, OTP_ALG_SHA1, c, 6, code),
                         KK_OK);
        assert_string_equal(code, want[c]);
    }
}

/* RFC 6238 App. B seeds: 20, 32 and 64 bytes (the reference code's
 * seeds, not the single 20-byte seed the prose names). */
static const uint8_t rfc_key32[] = "12345678901234567890123456789012";
static const uint8_t rfc_key64[] =
    "1234567890123456789012345678901234567890123456789012345678901234";

struct totp_vector {
    int64_t t;
    const char *sha1;
    const char *sha256;
    const char *sha512;
};

static const struct totp_vector rfc6238[] = {
    {59, "94287082", "46119246", "90693936"},
    {1111111109, "07081804", "68084774", "25091201"},
    {1111111111, "14050471", "67062674", "99943326"},
    {1234567890, "89005924", "91819424", "93441116"},
    {2000000000, "69279037", "90698825", "38618901"},
    {20000000000, "65353130", "77737706", "47863826"},
};

static void totp_matches_rfc6238_appendix_b_for_all_algorithms(void **state)
{
    char code[OTP_CODE_SIZE];

    (void)state;
    for (size_t i = 0; i < sizeof rfc6238 / sizeof rfc6238[0]; i++) {
        const struct totp_vector *v = &rfc6238[i];

        assert_int_equal(
            otp_totp(rfc_key20, 20, OTP_ALG_SHA1, v->t, 30, 8, code), KK_OK);
        assert_string_equal(code, v->sha1);
        assert_int_equal(
            otp_totp(rfc_key32, 32, OTP_ALG_SHA256, v->t, 30, 8, code), KK_OK);
        assert_string_equal(code, v->sha256);
        assert_int_equal(
            otp_totp(rfc_key64, 64, OTP_ALG_SHA512, v->t, 30, 8, code), KK_OK);
        assert_string_equal(code, v->sha512);
    }
}

static void totp_six_digits_are_the_last_six_of_eight(void **state)
{
    char code[OTP_CODE_SIZE];

    (void)state;
    assert_int_equal(otp_totp(rfc_key20, 20, OTP_ALG_SHA1, 59, 30, 6, code),
                     KK_OK);
    assert_string_equal(code, "287082");
    assert_int_equal(
        otp_totp(rfc_key20, 20, OTP_ALG_SHA1, 1234567890, 30, 7, code), KK_OK);
    assert_string_equal(code, "9005924");
}

static void totp_handles_64_bit_time(void **state)
{
    uint64_t step = 0;
    char code[OTP_CODE_SIZE];

    (void)state;
    assert_int_equal(otp_totp_step(20000000000, 30, &step), KK_OK);
    assert_int_equal(step, 0x27BC86AA);
    assert_int_equal(otp_totp_step(INT64_MAX, 1, &step), KK_OK);
    assert_true(step == (uint64_t)INT64_MAX);
    assert_int_equal(
        otp_totp(rfc_key20, 20, OTP_ALG_SHA1, INT64_MAX, 1, 6, code), KK_OK);
}

static void totp_step_refuses_negative_time_and_bad_periods(void **state)
{
    uint64_t step = 7;

    (void)state;
    assert_int_equal(otp_totp_step(-1, 30, &step), KK_ERR_RANGE);
    assert_int_equal(otp_totp_step(0, 0, &step), KK_ERR_RANGE);
    assert_int_equal(otp_totp_step(0, KK_OTP_PERIOD_MAX + 1, &step),
                     KK_ERR_RANGE);
    assert_int_equal(step, 7);
    assert_int_equal(otp_totp_step(3599, KK_OTP_PERIOD_MAX, &step), KK_OK);
    assert_int_equal(step, 0);
    assert_int_equal(otp_totp_step(59, 1, &step), KK_OK);
    assert_int_equal(step, 59);
}

static void hotp_rejects_bad_digits_algorithm_and_empty_key(void **state)
{
    char code[OTP_CODE_SIZE] = "x";

    (void)state;
    assert_int_equal(otp_hotp(rfc_key20, 20, OTP_ALG_SHA1, 0, 5, code),
                     KK_ERR_RANGE);
    assert_int_equal(otp_hotp(rfc_key20, 20, OTP_ALG_SHA1, 0, 9, code),
                     KK_ERR_RANGE);
    assert_int_equal(otp_hotp(rfc_key20, 20, (enum otp_alg)3, 0, 6, code),
                     KK_ERR_RANGE);
    assert_int_equal(otp_hotp(rfc_key20, 0, OTP_ALG_SHA1, 0, 6, code),
                     KK_ERR_INVAL);
    assert_int_equal(otp_hotp(NULL, 20, OTP_ALG_SHA1, 0, 6, code),
                     KK_ERR_INVAL);
    assert_string_equal(code, "x");
}

static void verify_accepts_code_inside_window_and_reports_offset(void **state)
{
    int64_t off = 99;

    (void)state;
    /* RFC 4226 counter 5 is 254676. */
    assert_int_equal(
        otp_verify(rfc_key20, 20, OTP_ALG_SHA1, 6, 5, 1, 1, "254676", &off),
        KK_OK);
    assert_int_equal(off, 0);
    assert_int_equal(
        otp_verify(rfc_key20, 20, OTP_ALG_SHA1, 6, 6, 1, 1, "254676", &off),
        KK_OK);
    assert_int_equal(off, -1);
    assert_int_equal(
        otp_verify(rfc_key20, 20, OTP_ALG_SHA1, 6, 4, 1, 1, "254676", &off),
        KK_OK);
    assert_int_equal(off, 1);
    assert_int_equal(
        otp_verify(rfc_key20, 20, OTP_ALG_SHA1, 6, 2, 0, 3, "254676", &off),
        KK_OK);
    assert_int_equal(off, 3);
}

static void verify_rejects_code_just_outside_window(void **state)
{
    int64_t off = 99;

    (void)state;
    assert_int_equal(
        otp_verify(rfc_key20, 20, OTP_ALG_SHA1, 6, 7, 1, 1, "254676", &off),
        KK_ERR_AUTH);
    assert_int_equal(
        otp_verify(rfc_key20, 20, OTP_ALG_SHA1, 6, 3, 1, 1, "254676", &off),
        KK_ERR_AUTH);
    assert_int_equal(
        otp_verify(rfc_key20, 20, OTP_ALG_SHA1, 6, 5, 0, 0, "287922", &off),
        KK_ERR_AUTH);
    assert_int_equal(off, 99);
}

static void verify_window_saturates_at_zero_and_at_the_top(void **state)
{
    int64_t off = 99;
    char top[OTP_CODE_SIZE];

    (void)state;
    assert_int_equal(
        otp_verify(rfc_key20, 20, OTP_ALG_SHA1, 6, 0, 5, 0, "755224", &off),
        KK_OK);
    assert_int_equal(off, 0);
    assert_int_equal(
        otp_verify(rfc_key20, 20, OTP_ALG_SHA1, 6, 1, 10, 0, "755224", &off),
        KK_OK);
    assert_int_equal(off, -1);
    assert_int_equal(
        otp_verify(rfc_key20, 20, OTP_ALG_SHA1, 6, 0, 3, 0, "287082", &off),
        KK_ERR_AUTH);
    assert_int_equal(otp_hotp(rfc_key20, 20, OTP_ALG_SHA1, UINT64_MAX, 6, top),
                     KK_OK);
    assert_int_equal(otp_verify(rfc_key20, 20, OTP_ALG_SHA1, 6, UINT64_MAX - 1,
                                0, 5, top, &off),
                     KK_OK);
    assert_int_equal(off, 1);
}

static void verify_reports_the_smallest_offset_of_a_repeated_code(void **state)
{
    int64_t off = 99;
    char code[OTP_CODE_SIZE];
    uint64_t a = 0;
    uint64_t b = 0;
    bool found = false;

    (void)state;
    /* Find two counters < 3000 with the same 6-digit SHA-1 code under the
     * RFC key; with 10^6 codes a collision among 3000 is likely (~99%),
     * and this search is deterministic. */
    {
        static char codes[3000][OTP_CODE_SIZE];

        for (uint64_t i = 0; i < 3000 && !found; i++) {
            assert_int_equal(
                otp_hotp(rfc_key20, 20, OTP_ALG_SHA1, i, 6, codes[i]), KK_OK);
            for (uint64_t j = 0; j < i; j++) {
                if (strcmp(codes[i], codes[j]) == 0) {
                    a = j;
                    b = i;
                    found = true;
                    break;
                }
            }
        }
        assert_true(found);
        memcpy(code, codes[a], sizeof code);
    }
    assert_int_equal(otp_verify(rfc_key20, 20, OTP_ALG_SHA1, 6, b,
                                (unsigned)(b - a), 0, code, &off),
                     KK_OK);
    assert_int_equal(off, -(int64_t)(b - a));
    assert_int_equal(otp_verify(rfc_key20, 20, OTP_ALG_SHA1, 6, a, 0,
                                (unsigned)(b - a), code, &off),
                     KK_OK);
    assert_int_equal(off, 0);
}

static void verify_rejects_malformed_codes(void **state)
{
    int64_t off = 99;

    (void)state;
    static const char *const bad[] = {"",       "25467",   "2546766",
                                      "25467a", " 254676", "254676 ",
                                      "-54676", "25 676"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(
            otp_verify(rfc_key20, 20, OTP_ALG_SHA1, 6, 5, 1, 1, bad[i], &off),
            KK_ERR_INVAL);
    assert_int_equal(
        otp_verify(rfc_key20, 20, OTP_ALG_SHA1, 6, 5, 1, 1, NULL, &off),
        KK_ERR_INVAL);
    assert_int_equal(
        otp_verify(rfc_key20, 20, OTP_ALG_SHA1, 9, 5, 1, 1, "254676", &off),
        KK_ERR_RANGE);
    assert_int_equal(off, 99);
}

static void verify_checks_eight_digit_sha512_codes(void **state)
{
    int64_t off = 99;
    uint64_t step = 0;

    (void)state;
    assert_int_equal(otp_totp_step(1234567890, 30, &step), KK_OK);
    assert_int_equal(otp_verify(rfc_key64, 64, OTP_ALG_SHA512, 8, step + 1, 1,
                                1, "93441116", &off),
                     KK_OK);
    assert_int_equal(off, -1);
}

static void params_default_is_totp_sha1_six_digits_thirty_seconds(void **state)
{
    struct otp_params p;

    (void)state;
    memset(&p, 0xff, sizeof p);
    otp_params_default(&p);
    assert_int_equal(p.kind, OTP_KIND_TOTP);
    assert_int_equal(p.alg, OTP_ALG_SHA1);
    assert_int_equal(p.digits, 6);
    assert_int_equal(p.period, 30);
    assert_true(p.counter == 0);
    assert_int_equal(otp_params_check(&p), KK_OK);
    p.digits = 9;
    assert_int_equal(otp_params_check(&p), KK_ERR_RANGE);
    p.digits = 8;
    p.period = 0;
    assert_int_equal(otp_params_check(&p), KK_ERR_RANGE);
    p.kind = OTP_KIND_HOTP;
    assert_int_equal(otp_params_check(&p), KK_OK);
    p.alg = (enum otp_alg)7;
    assert_int_equal(otp_params_check(&p), KK_ERR_RANGE);
}

static void alg_parse_accepts_names_with_or_without_dash(void **state)
{
    static const struct {
        const char *s;
        int r;
        enum otp_alg alg;
    } cases[] = {
        {"SHA1", KK_OK, OTP_ALG_SHA1},
        {"sha1", KK_OK, OTP_ALG_SHA1},
        {"SHA-1", KK_OK, OTP_ALG_SHA1},
        {"Sha-256", KK_OK, OTP_ALG_SHA256},
        {"sha256", KK_OK, OTP_ALG_SHA256},
        {"SHA512", KK_OK, OTP_ALG_SHA512},
        {"sha-512", KK_OK, OTP_ALG_SHA512},
        {"", KK_ERR_INVAL, OTP_ALG_SHA1},
        {"md5", KK_ERR_INVAL, OTP_ALG_SHA1},
        {"SHA", KK_ERR_INVAL, OTP_ALG_SHA1},
        {"SHA--1", KK_ERR_INVAL, OTP_ALG_SHA1},
        {"SHA1 ", KK_ERR_INVAL, OTP_ALG_SHA1},
        {"SHA384", KK_ERR_INVAL, OTP_ALG_SHA1},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum otp_alg a = (enum otp_alg)9;
        assert_int_equal(otp_alg_parse(cases[i].s, &a), cases[i].r);
        if (cases[i].r == KK_OK)
            assert_int_equal(a, cases[i].alg);
        else
            assert_int_equal(a, 9);
    }
    assert_string_equal(otp_alg_name(OTP_ALG_SHA1), "SHA1");
    assert_string_equal(otp_alg_name(OTP_ALG_SHA256), "SHA256");
    assert_string_equal(otp_alg_name(OTP_ALG_SHA512), "SHA512");
}

static void secret_generate_gives_distinct_160_bit_secrets(void **state)
{
    uint8_t a[KK_OTP_SECRET_GEN];
    uint8_t b[KK_OTP_SECRET_GEN];

    (void)state;
    assert_int_equal(otp_secret_generate(a, sizeof a), KK_OK);
    assert_int_equal(otp_secret_generate(b, sizeof b), KK_OK);
    assert_memory_not_equal(a, b, sizeof a);
    assert_int_equal(otp_secret_generate(a, 0), KK_ERR_RANGE);
    assert_int_equal(otp_secret_generate(a, KK_OTP_SECRET_MAX + 1),
                     KK_ERR_RANGE);
}

/* ---- base32 ---- */

static void base32_encodes_rfc4648_vectors(void **state)
{
    static const struct {
        const char *in;
        const char *padded;
        const char *bare;
    } v[] = {
        {"", "", ""},
        {"f", "MY======", "MY"},
        {"fo", "MZXQ====", "MZXQ"},
        {"foo", "MZXW6===", "MZXW6"},
        {"foob", "MZXW6YQ=", "MZXW6YQ"},
        {"fooba", "MZXW6YTB", "MZXW6YTB"},
        {"foobar", "MZXW6YTBOI======", "MZXW6YTBOI"},
    };
    char out[40];
    size_t n = 99;

    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        size_t len = strlen(v[i].in);

        assert_int_equal(otp_base32_len(len, true), strlen(v[i].padded));
        assert_int_equal(otp_base32_len(len, false), strlen(v[i].bare));
        assert_int_equal(otp_base32_encode((const uint8_t *)v[i].in, len, true,
                                           out, sizeof out, &n),
                         KK_OK);
        assert_string_equal(out, v[i].padded);
        assert_int_equal(n, strlen(v[i].padded));
        assert_int_equal(otp_base32_encode((const uint8_t *)v[i].in, len, false,
                                           out, sizeof out, &n),
                         KK_OK);
        assert_string_equal(out, v[i].bare);
    }
    assert_int_equal(
        otp_base32_encode(rfc_key20, 20, false, out, sizeof out, NULL), KK_OK);
    assert_string_equal(out, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

static void
base32_encode_refuses_a_buffer_without_room_for_the_nul(void **state)
{
    char out[9];
    size_t n = 99;

    (void)state;
    memset(out, 'x', sizeof out);
    assert_int_equal(
        otp_base32_encode((const uint8_t *)"fooba", 5, true, out, 8, &n),
        KK_ERR_TRUNC);
    assert_int_equal(n, 99);
    assert_int_equal(
        otp_base32_encode((const uint8_t *)"fooba", 5, true, out, 9, &n),
        KK_OK);
    assert_string_equal(out, "MZXW6YTB");
    assert_int_equal(otp_base32_len(SIZE_MAX, true), SIZE_MAX);
}

static void base32_case(char *f[], size_t n, unsigned lineno)
{
    uint8_t want[256];
    uint8_t got[256];
    size_t wlen;
    size_t glen = 999;
    int r;

    if (strcmp(f[0], "ok") == 0) {
        assert_int_equal(n, 3);
        wlen = hex_decode(f[1], want, sizeof want);
        r = otp_base32_decode(f[2], strlen(f[2]), got, sizeof got, &glen);
        if (r != KK_OK || glen != wlen || memcmp(got, want, wlen) != 0)
            fail_msg("base32.tsv line %u: '%s' decoded wrongly (%d)", lineno,
                     f[2], r);
    } else {
        assert_string_equal(f[0], "err");
        assert_int_equal(n, 2);
        memset(got, 0xa5, sizeof got);
        r = otp_base32_decode(f[1], strlen(f[1]), got, sizeof got, &glen);
        if (r != KK_ERR_INVAL || glen != 999 || got[0] != 0xa5)
            fail_msg("base32.tsv line %u: '%s' not refused (%d)", lineno, f[1],
                     r);
    }
}

static void base32_decodes_the_table_of_accepted_and_refused_texts(void **state)
{
    (void)state;
    tsv_each("base32.tsv", base32_case);
}

static void
base32_decode_tolerates_tabs_and_refuses_digits_0_1_8_9(void **state)
{
    uint8_t out[16];
    size_t n = 0;
    static const char digits[] = "0189";

    (void)state;
    assert_int_equal(otp_base32_decode("MZXW\t6YTB", 9, out, sizeof out, &n),
                     KK_OK);
    assert_int_equal(n, 5);
    assert_memory_equal(out, "fooba", 5);
    for (size_t i = 0; i < 4; i++) {
        char text[] = "MZXW6YTB";
        text[3] = digits[i];
        assert_int_equal(otp_base32_decode(text, 8, out, sizeof out, &n),
                         KK_ERR_INVAL);
    }
    /* A NUL inside the given length is not a base32 character. */
    assert_int_equal(otp_base32_decode("MZ\0W6YTB", 8, out, sizeof out, &n),
                     KK_ERR_INVAL);
}

static void base32_decode_refuses_output_that_does_not_fit(void **state)
{
    uint8_t out[8];
    size_t n = 77;

    (void)state;
    memset(out, 0x5a, sizeof out);
    assert_int_equal(otp_base32_decode("MZXW6YTBOI", 10, out, 5, &n),
                     KK_ERR_TRUNC);
    assert_int_equal(n, 77);
    assert_int_equal(out[0], 0x5a);
    assert_int_equal(otp_base32_decode("MZXW6YTBOI", 10, out, 6, &n), KK_OK);
    assert_int_equal(n, 6);
    assert_int_equal(otp_base32_decode("", 0, NULL, 0, &n), KK_OK);
    assert_int_equal(n, 0);
}

static void base32_round_trips_random_bytes(void **state)
{
    struct prng g;
    uint8_t in[KK_OTP_SECRET_MAX];
    uint8_t back[KK_OTP_SECRET_MAX];
    char text[KK_OTP_BASE32_MAX + 1];

    (void)state;
    prng_seed(&g, 32);
    for (unsigned iter = 0; iter < 20000; iter++) {
        size_t len = (size_t)prng_below(&g, sizeof in + 1);
        bool pad = (iter & 1) != 0;
        size_t tlen = 0;
        size_t blen = 0;

        for (size_t i = 0; i < len; i++)
            in[i] = (uint8_t)prng_next(&g);
        assert_int_equal(
            otp_base32_encode(in, len, pad, text, sizeof text, &tlen), KK_OK);
        assert_int_equal(tlen, otp_base32_len(len, pad));
        for (size_t i = 0; i < tlen; i++) {
            if ((iter & 2) != 0 && text[i] >= 'A' && text[i] <= 'Z')
                text[i] = (char)(text[i] - 'A' + 'a');
        }
        assert_int_equal(
            otp_base32_decode(text, tlen, back, sizeof back, &blen), KK_OK);
        assert_int_equal(blen, len);
        assert_memory_equal(back, in, len);
    }
}

/* ---- otpauth URIs ---- */

static const char full_form_uri[] =
    "otpauth://totp/ACME%20Co:john.doe@email.com?"
    "secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&"
    "algorithm=SHA1&digits=6&period=30";

static void uri_case(char *f[], size_t n, unsigned lineno)
{
    struct otp_uri u;
    struct kk_diag d = {.msg = ""};
    const char *uri = f[n - 1];
    int r;

    memset(&u, 0x5a, sizeof u);
    r = otp_uri_parse(uri, strlen(uri), &u, &d);
    if (strcmp(f[0], "err") == 0) {
        assert_int_equal(n, 2);
        if (r != KK_ERR_INVAL || d.msg[0] == '\0' ||
            strchr(d.msg, '\n') != NULL)
            fail_msg("uri.tsv line %u: not refused with a diagnostic (%d)",
                     lineno, r);
        /* The output is untouched on failure. */
        assert_int_equal(u.issuer[0], 0x5a);
        return;
    }
    assert_string_equal(f[0], "ok");
    assert_int_equal(n, 10);
    if (r != KK_OK)
        fail_msg("uri.tsv line %u: refused: %s", lineno, d.msg);
    {
        uint8_t secret[KK_OTP_SECRET_MAX];
        size_t slen = hex_decode(f[8], secret, sizeof secret);
        enum otp_alg alg = OTP_ALG_SHA1;
        uint64_t num = 0;

        assert_int_equal(u.params.kind, strcmp(f[1], "hotp") == 0
                                            ? OTP_KIND_HOTP
                                            : OTP_KIND_TOTP);
        assert_int_equal(otp_alg_parse(f[2], &alg), KK_OK);
        assert_int_equal(u.params.alg, alg);
        assert_int_equal(kk_parse_u64(f[3], 0, 99, &num), KK_OK);
        assert_int_equal(u.params.digits, num);
        assert_int_equal(kk_parse_u64(f[4], 0, 99999, &num), KK_OK);
        assert_int_equal(u.params.period, num);
        assert_int_equal(kk_parse_u64(f[5], 0, UINT64_MAX, &num), KK_OK);
        assert_true(u.params.counter == num);
        assert_string_equal(u.issuer, f[6]);
        assert_string_equal(u.account, f[7]);
        assert_int_equal(u.secret_len, slen);
        assert_memory_equal(u.secret, secret, slen);
    }
    /* Building and parsing again gives the same credential. */
    {
        struct kk_buf *b = kk_buf_new(KK_OTP_URI_MAX);
        struct otp_uri again;

        assert_non_null(b);
        assert_int_equal(otp_uri_build(&u, b), KK_OK);
        assert_int_equal(
            otp_uri_parse(kk_buf_str(b), kk_buf_len(b), &again, &d), KK_OK);
        assert_memory_equal(&again.params, &u.params, sizeof u.params);
        assert_string_equal(again.issuer, u.issuer);
        assert_string_equal(again.account, u.account);
        assert_int_equal(again.secret_len, u.secret_len);
        assert_memory_equal(again.secret, u.secret, u.secret_len);
        otp_uri_wipe(&again);
        kk_buf_free(b);
    }
    otp_uri_wipe(&u);
}

static void uri_parse_handles_the_table_of_good_and_malformed_uris(void **state)
{
    (void)state;
    tsv_each("uri.tsv", uri_case);
}

static void uri_build_writes_the_full_form_example(void **state)
{
    struct otp_uri u;
    struct kk_buf *b = kk_buf_new(KK_OTP_URI_MAX);
    size_t n = 0;

    (void)state;
    assert_non_null(b);
    memset(&u, 0, sizeof u);
    otp_params_default(&u.params);
    memcpy(u.issuer, "ACME Co", 8);
    memcpy(u.account, "john.doe@email.com", 19);
    assert_int_equal(otp_base32_decode("HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ", 32,
                                       u.secret, sizeof u.secret, &n),
                     KK_OK);
    u.secret_len = n;
    assert_int_equal(kk_buf_puts(b, "URI: "), KK_OK);
    assert_int_equal(otp_uri_build(&u, b), KK_OK);
    assert_string_equal(kk_buf_str(b) + 5, full_form_uri);
    kk_buf_free(b);
}

static void
uri_build_writes_hotp_with_counter_and_escapes_the_label(void **state)
{
    struct otp_uri u;
    struct kk_buf *b = kk_buf_new(KK_OTP_URI_MAX);

    (void)state;
    assert_non_null(b);
    memset(&u, 0, sizeof u);
    otp_params_default(&u.params);
    u.params.kind = OTP_KIND_HOTP;
    u.params.alg = OTP_ALG_SHA512;
    u.params.digits = 8;
    u.params.counter = 42;
    memcpy(u.issuer, "R&D/50%", 8);
    memcpy(u.account, "a b+c?d", 8);
    memcpy(u.secret, rfc_key20, 20);
    u.secret_len = 20;
    assert_int_equal(otp_uri_build(&u, b), KK_OK);
    assert_string_equal(kk_buf_str(b),
                        "otpauth://hotp/R%26D%2F50%25:a%20b%2Bc%3Fd?"
                        "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&"
                        "issuer=R%26D%2F50%25&algorithm=SHA512&digits=8&"
                        "counter=42");
    kk_buf_reset(b);
    u.issuer[0] = '\0';
    u.params.kind = OTP_KIND_TOTP;
    u.params.period = 60;
    assert_int_equal(otp_uri_build(&u, b), KK_OK);
    assert_string_equal(kk_buf_str(b),
                        "otpauth://totp/a%20b%2Bc%3Fd?"
                        "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&"
                        "algorithm=SHA512&digits=8&period=60");
    kk_buf_free(b);
}

static void uri_build_refuses_what_the_parser_would_not_read_back(void **state)
{
    struct otp_uri u;
    struct kk_buf *b = kk_buf_new(KK_OTP_URI_MAX);

    (void)state;
    assert_non_null(b);
    memset(&u, 0, sizeof u);
    otp_params_default(&u.params);
    memcpy(u.issuer, "ACME", 5);
    memcpy(u.account, "alice", 6);
    memcpy(u.secret, rfc_key20, 20);
    u.secret_len = 20;
    assert_int_equal(kk_buf_puts(b, "keep"), KK_OK);

    u.account[0] = '\0';
    assert_int_equal(otp_uri_build(&u, b), KK_ERR_INVAL);
    memcpy(u.account, " alice", 7);
    assert_int_equal(otp_uri_build(&u, b), KK_ERR_INVAL);
    memcpy(u.account, "al:ce", 6);
    assert_int_equal(otp_uri_build(&u, b), KK_ERR_INVAL);
    memcpy(u.account, "al\nce", 6);
    assert_int_equal(otp_uri_build(&u, b), KK_ERR_INVAL);
    memcpy(u.account, "alice", 6);
    memcpy(u.issuer, "A:B", 4);
    assert_int_equal(otp_uri_build(&u, b), KK_ERR_INVAL);
    memcpy(u.issuer, "ACME", 5);
    u.secret_len = KK_OTP_SECRET_MIN - 1;
    assert_int_equal(otp_uri_build(&u, b), KK_ERR_INVAL);
    u.secret_len = 20;
    u.params.digits = 9;
    assert_int_equal(otp_uri_build(&u, b), KK_ERR_RANGE);
    u.params.digits = 6;
    memset(u.account, 'a', sizeof u.account); /* no NUL */
    assert_int_equal(otp_uri_build(&u, b), KK_ERR_INVAL);
    assert_string_equal(kk_buf_str(b), "keep");
    kk_buf_free(b);
}

static void uri_build_leaves_the_buffer_as_it_was_when_full(void **state)
{
    struct otp_uri u;
    struct kk_buf *b = kk_buf_new(60);

    (void)state;
    assert_non_null(b);
    memset(&u, 0, sizeof u);
    otp_params_default(&u.params);
    memcpy(u.issuer, "ACME", 5);
    memcpy(u.account, "alice", 6);
    memcpy(u.secret, rfc_key20, 20);
    u.secret_len = 20;
    assert_int_equal(kk_buf_puts(b, "keep"), KK_OK);
    assert_int_equal(otp_uri_build(&u, b), KK_ERR_LIMIT);
    assert_string_equal(kk_buf_str(b), "keep");
    kk_buf_free(b);
}

static void uri_build_refuses_a_uri_the_parser_would_find_too_long(void **state)
{
    struct otp_uri u;
    struct kk_buf *b = kk_buf_new(4 * KK_OTP_URI_MAX);

    (void)state;
    assert_non_null(b);
    memset(&u, 0, sizeof u);
    otp_params_default(&u.params);
    /* 128 times U+00E9: 256 bytes, 768 once percent-encoded. */
    for (size_t i = 0; i < KK_OTP_LABEL_MAX; i += 2) {
        u.issuer[i] = (char)0xc3;
        u.issuer[i + 1] = (char)0xa9;
    }
    memcpy(u.account, u.issuer, sizeof u.account);
    memcpy(u.secret, rfc_key20, 20);
    u.secret_len = 20;
    assert_int_equal(otp_uri_build(&u, b), KK_ERR_LIMIT);
    assert_int_equal(kk_buf_len(b), 0);
    /* Without the issuer it fits: 768 + 112 bytes. */
    u.issuer[0] = '\0';
    assert_int_equal(otp_uri_build(&u, b), KK_OK);
    assert_true(kk_buf_len(b) <= KK_OTP_URI_MAX);
    kk_buf_free(b);
}

static void uri_parse_refuses_overlong_and_embedded_nul_input(void **state)
{
    static char big[KK_OTP_URI_MAX + 2];
    struct otp_uri u;
    struct kk_diag d = {.msg = ""};
    size_t n = strlen(full_form_uri);

    (void)state;
    memcpy(big, full_form_uri, n);
    memset(big + n, 'x', sizeof big - n - 1);
    big[sizeof big - 1] = '\0';
    /* A long unknown parameter is fine up to the limit... */
    big[n] = '&';
    assert_int_equal(otp_uri_parse(big, KK_OTP_URI_MAX, &u, &d), KK_OK);
    /* ...and refused one byte past it. */
    assert_int_equal(otp_uri_parse(big, KK_OTP_URI_MAX + 1, &u, &d),
                     KK_ERR_LIMIT);
    assert_non_null(strstr(d.msg, "longer than"));
    assert_int_equal(otp_uri_parse(full_form_uri, n + 1, &u, &d), KK_ERR_INVAL);
    assert_int_equal(otp_uri_parse(NULL, 0, &u, &d), KK_ERR_INVAL);
    /* Only the given length is read: a prefix lacks its secret. */
    assert_int_equal(otp_uri_parse(full_form_uri, 50, &u, &d), KK_ERR_INVAL);
    otp_uri_wipe(&u);
}

static void uri_diagnostics_never_contain_the_secret(void **state)
{
    static const char *const bad[] = {
        "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PX1",
        "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&secret=JBSWY3DPEHPK3PXP",
        "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&issuer=C",
        "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&digits=JBSWY3DPEHPK3PXP",
        "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP%",
    };
    struct otp_uri u;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct kk_diag d = {.msg = ""};
        assert_int_equal(otp_uri_parse(bad[i], strlen(bad[i]), &u, &d),
                         KK_ERR_INVAL);
        assert_true(d.msg[0] != '\0');
        assert_null(strstr(d.msg, "JBSW"));
        assert_null(strstr(d.msg, "jbsw"));
    }
}

/* ---- QR codes ---- */

static void qr_terminal_rendering_draws_dark_modules_on_white(void **state)
{
    struct kk_buf *b = kk_buf_new(KK_OTP_QR_MAX);
    const char *s;
    size_t lines = 0;

    (void)state;
    assert_non_null(b);
    assert_int_equal(otp_qr_render(full_form_uri, OTP_QR_TERM, b), KK_OK);
    s = kk_buf_str(b);
    /* Every line selects black on white, resets, and ends in a newline. */
    for (const char *p = s; *p != '\0'; lines++) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        assert_memory_equal(p, "\033[30;47m", 8);
        assert_memory_equal(nl - 4, "\033[0m", 4);
        p = nl + 1;
    }
    /* A symbol is 17 + 4v modules wide (version v); with the quiet zone
     * of 4 on each side and two module rows per line, an odd number of
     * rows, that is (17 + 4v + 8 + 1) / 2 lines. */
    assert_true(lines * 2 >= 17 + 4 + 8 + 1);
    assert_int_equal((lines * 2 - 17 - 8 - 1) % 4, 0);
    /* The top quiet zone is two lines of spaces only. */
    assert_memory_equal(s + 8, "        ", 8);
    assert_non_null(strstr(s, "\xe2\x96\x88")); /* a full block */
    kk_buf_reset(b);
    assert_int_equal(otp_qr_render(full_form_uri, OTP_QR_TEXT, b), KK_OK);
    assert_null(strchr(kk_buf_str(b), '\033'));
    assert_int_equal(kk_buf_str(b)[0], ' ');
    kk_buf_free(b);
}

static void qr_png_and_svg_are_well_formed(void **state)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    struct kk_buf *b = kk_buf_new(KK_OTP_QR_MAX);
    const uint8_t *p;
    size_t n;

    (void)state;
    assert_non_null(b);
    assert_int_equal(otp_qr_render(full_form_uri, OTP_QR_PNG, b), KK_OK);
    p = kk_buf_data(b);
    n = kk_buf_len(b);
    assert_true(n > 100);
    assert_memory_equal(p, sig, sizeof sig);
    assert_memory_equal(p + 12, "IHDR", 4);
    /* Width and height: (modules + 8) * 8 pixels, square. */
    assert_memory_equal(p + 16, p + 20, 4);
    assert_memory_equal(p + n - 8, "IEND", 4);
    kk_buf_reset(b);
    assert_int_equal(otp_qr_render(full_form_uri, OTP_QR_SVG, b), KK_OK);
    assert_non_null(strstr(kk_buf_str(b), "<svg xmlns="));
    assert_non_null(strstr(kk_buf_str(b), "fill=\"#ffffff\""));
    assert_non_null(strstr(kk_buf_str(b), "</svg>\n"));
    kk_buf_free(b);
}

static void qr_render_refuses_bad_input_and_leaves_the_buffer(void **state)
{
    static char big[KK_OTP_URI_MAX + 2];
    struct kk_buf *b = kk_buf_new(KK_OTP_QR_MAX);
    struct kk_buf *small = kk_buf_new(300);

    (void)state;
    assert_non_null(b);
    assert_non_null(small);
    memset(big, 'a', sizeof big - 1);
    assert_int_equal(kk_buf_puts(b, "keep"), KK_OK);
    assert_int_equal(otp_qr_render("", OTP_QR_TERM, b), KK_ERR_INVAL);
    assert_int_equal(otp_qr_render(NULL, OTP_QR_TERM, b), KK_ERR_INVAL);
    assert_int_equal(otp_qr_render("x", (enum otp_qr_format)9, b),
                     KK_ERR_INVAL);
    assert_int_equal(otp_qr_render(big, OTP_QR_TERM, b), KK_ERR_LIMIT);
    assert_string_equal(kk_buf_str(b), "keep");
    /* A buffer too small for the image: refused, nothing left behind. */
    assert_int_equal(kk_buf_puts(small, "keep"), KK_OK);
    assert_int_equal(otp_qr_render(full_form_uri, OTP_QR_PNG, small),
                     KK_ERR_LIMIT);
    assert_string_equal(kk_buf_str(small), "keep");
    assert_int_equal(otp_qr_render(full_form_uri, OTP_QR_TERM, small),
                     KK_ERR_LIMIT);
    assert_string_equal(kk_buf_str(small), "keep");
    /* The longest URI still fits in a QR code. */
    big[KK_OTP_URI_MAX] = '\0';
    assert_int_equal(otp_qr_render(big, OTP_QR_PNG, b), KK_OK);
    kk_buf_free(b);
    kk_buf_free(small);
}

/* ---- the HMAC under the codes, against OpenSSL's HMAC() ----
 *
 * The library no longer uses OpenSSL, so its HMAC() is an independent
 * implementation to compare with. */

/* RFC 4226 §5.3 truncation of a full HMAC, as the reference. */
static void truncate_ref(const uint8_t *mac, size_t len, unsigned digits,
                         char out[OTP_CODE_SIZE])
{
    unsigned off = mac[len - 1] & 0x0fu;
    uint32_t bin = ((uint32_t)(mac[off] & 0x7fu) << 24) |
                   ((uint32_t)mac[off + 1] << 16) |
                   ((uint32_t)mac[off + 2] << 8) | (uint32_t)mac[off + 3];
    uint32_t mod = 1;

    for (unsigned i = 0; i < digits; i++)
        mod *= 10;
    bin %= mod;
    for (unsigned i = digits; i > 0; i--) {
        out[i - 1] = (char)('0' + bin % 10);
        bin /= 10;
    }
    out[digits] = '\0';
}

/*
 * Keys of every length from 1 to 300 bytes, so that keys shorter than,
 * equal to and longer than each digest's block (64 or 128 bytes, the
 * latter hashed first) are all covered, for every algorithm.
 */
static void hotp_hmac_equals_openssl_hmac_for_keys_of_every_length(void **state)
{
    const EVP_MD *md[3] = {EVP_sha1(), EVP_sha256(), EVP_sha512()};
    struct prng g;
    uint8_t key[300];

    (void)state;
    prng_seed(&g, 2104);
    for (size_t keylen = 1; keylen <= sizeof key; keylen++) {
        for (size_t i = 0; i < keylen; i++)
            key[i] = (uint8_t)prng_next(&g);
        for (int a = 0; a < 3; a++) {
            uint64_t counter = prng_next(&g);
            unsigned digits = 6 + (unsigned)(keylen % 3);
            uint8_t msg[8];
            uint8_t mac[EVP_MAX_MD_SIZE];
            unsigned maclen = 0;
            char want[OTP_CODE_SIZE];
            char got[OTP_CODE_SIZE];

            for (size_t i = 0; i < 8; i++)
                msg[i] = (uint8_t)(counter >> (56 - 8 * i));
            assert_non_null(
                HMAC(md[a], key, (int)keylen, msg, sizeof msg, mac, &maclen));
            truncate_ref(mac, maclen, digits, want);
            assert_int_equal(
                otp_hotp(key, keylen, (enum otp_alg)a, counter, digits, got),
                KK_OK);
            if (strcmp(got, want) != 0)
                fail_msg("%s key of %zu bytes: %s != %s",
                         otp_alg_name((enum otp_alg)a), keylen, got, want);
        }
    }
}

/* ---- differential test against liboath ---- */

#ifdef KK_HAVE_LIBOATH
/*
 * A million random cases: keys of 1 to 128 bytes, times 0 to 2^35,
 * periods 1 to 300, 6 to 8 digits, SHA-1/256/512 TOTP, and SHA-1 HOTP
 * (liboath's HOTP is SHA-1 only) with 64-bit counters.  Each case is also
 * checked with otp_verify against the neighbouring step.
 */
static void otp_values_equal_liboath_over_a_million_random_cases(void **state)
{
    static const int oath_flags[3] = {0, OATH_TOTP_HMAC_SHA256,
                                      OATH_TOTP_HMAC_SHA512};
    struct prng g;
    uint8_t key[KK_OTP_SECRET_MAX];

    (void)state;
    assert_int_equal(oath_init(), OATH_OK);
    prng_seed(&g, 20240601);
    for (unsigned iter = 0; iter < 1000000; iter++) {
        size_t keylen = 1 + (size_t)prng_below(&g, sizeof key);
        unsigned digits = 6 + (unsigned)prng_below(&g, 3);
        char ours[OTP_CODE_SIZE];
        char theirs[OTP_CODE_SIZE + 8];
        int64_t off = 99;

        for (size_t i = 0; i < keylen; i += 8) {
            uint64_t x = prng_next(&g);
            for (size_t k = 0; k < 8 && i + k < keylen; k++)
                key[i + k] = (uint8_t)(x >> (8 * k));
        }
        if (iter % 4 == 3) {
            uint64_t counter = prng_next(&g);

            assert_int_equal(
                otp_hotp(key, keylen, OTP_ALG_SHA1, counter, digits, ours),
                KK_OK);
            assert_int_equal(
                oath_hotp_generate((const char *)key, keylen, counter, digits,
                                   false, OATH_HOTP_DYNAMIC_TRUNCATION, theirs),
                OATH_OK);
            if (strcmp(ours, theirs) != 0)
                fail_msg("case %u: HOTP counter %llu: %s != %s", iter,
                         (unsigned long long)counter, ours, theirs);
            if (iter % 64 == 3) {
                assert_int_equal(otp_verify(key, keylen, OTP_ALG_SHA1, digits,
                                            counter - 1, 0, 1, ours, &off),
                                 KK_OK);
                assert_true(off == 1 || (off == 0 && counter == 0));
            }
        } else {
            enum otp_alg alg = (enum otp_alg)prng_below(&g, 3);
            unsigned period = 1 + (unsigned)prng_below(&g, 300);
            int64_t t = (int64_t)(prng_next(&g) >> 29); /* 0 .. 2^35 - 1 */
            uint64_t step = 0;

            assert_int_equal(
                otp_totp(key, keylen, alg, t, period, digits, ours), KK_OK);
            assert_int_equal(oath_totp_generate2((const char *)key, keylen,
                                                 (time_t)t, period, 0, digits,
                                                 oath_flags[alg], theirs),
                             OATH_OK);
            if (strcmp(ours, theirs) != 0)
                fail_msg("case %u: TOTP %s t=%lld period=%u: %s != %s", iter,
                         otp_alg_name(alg), (long long)t, period, ours, theirs);
            if (iter % 64 == 0) {
                assert_int_equal(otp_totp_step(t, period, &step), KK_OK);
                assert_int_equal(otp_verify(key, keylen, alg, digits, step + 1,
                                            1, 1, theirs, &off),
                                 KK_OK);
                assert_true(off <= 0 && off >= -1);
            }
        }
    }
    oath_done();
}
#endif

/* A secret as a person hands it over, to `code --secret-file` and to
 * `enroll --secret-file` alike. */
static void secret_parse_takes_base32_or_a_uri_from_the_first_line(void **state)
{
    static const char uri[] =
        "  OTPAUTH://totp/ACME:bob?secret=JBSWY3DPEHPK3PXP"
        "&issuer=ACME&digits=8\r\nsecond line\n";
    static const char b32[] =
        "\tgezd gnbv gy3t qojq gezd gnbv gy3t qojq \nJUNK";
    struct otp_uri u;
    struct kk_diag d;

    (void)state;
    assert_int_equal(otp_secret_parse(b32, sizeof b32 - 1, &u, &d), KK_OK);
    assert_int_equal(u.secret_len, 20);
    assert_memory_equal(u.secret, "12345678901234567890", 20);
    assert_int_equal(u.params.digits, 6);
    assert_string_equal(u.account, "");
    assert_int_equal(otp_secret_parse(uri, sizeof uri - 1, &u, &d), KK_OK);
    assert_int_equal(u.params.digits, 8);
    assert_string_equal(u.issuer, "ACME");
    assert_int_equal(u.secret_len, 10);
    otp_uri_wipe(&u);
    assert_int_equal(otp_secret_parse(" \t\r\nJBSWY3DPEHPK3PXP", 20, &u, &d),
                     KK_ERR_NOTFOUND);
    assert_int_equal(otp_secret_parse("JBSWY3DPEHPK3PX1", 16, &u, &d),
                     KK_ERR_INVAL);
    assert_null(strstr(d.msg, "JBSW"));
    assert_int_equal(otp_secret_parse("JBSWY3DP", 8, &u, &d), KK_ERR_RANGE);
    assert_string_equal(d.msg, "the secret is shorter than 80 bits");
    assert_int_equal(otp_secret_parse("otpauth://totp/x?issuer=y", 25, &u, &d),
                     KK_ERR_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha1_matches_the_fips_180_vectors),
        cmocka_unit_test(sha1_equals_openssl_for_random_lengths_and_splits),
        cmocka_unit_test(sha1_final_wipes_its_state),
        cmocka_unit_test(hotp_matches_rfc4226_appendix_d),
        cmocka_unit_test(totp_matches_rfc6238_appendix_b_for_all_algorithms),
        cmocka_unit_test(totp_six_digits_are_the_last_six_of_eight),
        cmocka_unit_test(totp_handles_64_bit_time),
        cmocka_unit_test(totp_step_refuses_negative_time_and_bad_periods),
        cmocka_unit_test(hotp_rejects_bad_digits_algorithm_and_empty_key),
        cmocka_unit_test(verify_accepts_code_inside_window_and_reports_offset),
        cmocka_unit_test(verify_rejects_code_just_outside_window),
        cmocka_unit_test(verify_window_saturates_at_zero_and_at_the_top),
        cmocka_unit_test(verify_reports_the_smallest_offset_of_a_repeated_code),
        cmocka_unit_test(verify_rejects_malformed_codes),
        cmocka_unit_test(verify_checks_eight_digit_sha512_codes),
        cmocka_unit_test(params_default_is_totp_sha1_six_digits_thirty_seconds),
        cmocka_unit_test(alg_parse_accepts_names_with_or_without_dash),
        cmocka_unit_test(secret_generate_gives_distinct_160_bit_secrets),
        cmocka_unit_test(base32_encodes_rfc4648_vectors),
        cmocka_unit_test(
            base32_encode_refuses_a_buffer_without_room_for_the_nul),
        cmocka_unit_test(
            base32_decodes_the_table_of_accepted_and_refused_texts),
        cmocka_unit_test(
            base32_decode_tolerates_tabs_and_refuses_digits_0_1_8_9),
        cmocka_unit_test(base32_decode_refuses_output_that_does_not_fit),
        cmocka_unit_test(base32_round_trips_random_bytes),
        cmocka_unit_test(
            uri_parse_handles_the_table_of_good_and_malformed_uris),
        cmocka_unit_test(uri_build_writes_the_full_form_example),
        cmocka_unit_test(
            uri_build_writes_hotp_with_counter_and_escapes_the_label),
        cmocka_unit_test(uri_build_refuses_what_the_parser_would_not_read_back),
        cmocka_unit_test(uri_build_leaves_the_buffer_as_it_was_when_full),
        cmocka_unit_test(
            uri_build_refuses_a_uri_the_parser_would_find_too_long),
        cmocka_unit_test(uri_parse_refuses_overlong_and_embedded_nul_input),
        cmocka_unit_test(uri_diagnostics_never_contain_the_secret),
        cmocka_unit_test(qr_terminal_rendering_draws_dark_modules_on_white),
        cmocka_unit_test(qr_png_and_svg_are_well_formed),
        cmocka_unit_test(qr_render_refuses_bad_input_and_leaves_the_buffer),
        cmocka_unit_test(
            hotp_hmac_equals_openssl_hmac_for_keys_of_every_length),
#ifdef KK_HAVE_LIBOATH
        cmocka_unit_test(
            secret_parse_takes_base32_or_a_uri_from_the_first_line),
        cmocka_unit_test(otp_values_equal_liboath_over_a_million_random_cases),
#endif
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
