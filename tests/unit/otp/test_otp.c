/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_otp.c - unit tests of the otp library: the RFC 4226 and RFC 6238
 * vectors, verification windows, base32, otpauth URIs, QR rendering, and a
 * differential test against liboath over a million random cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kalkan/otp.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
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
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
