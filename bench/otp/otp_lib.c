/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * otp_lib.c - TOTP codes per second: Kalkan's otp library against liboath
 * (the library under oathtool and pam_oath), in one process, on the same
 * keys and times, with every pair of codes checked equal.
 *
 * Usage: bench_otp_lib [N]   (default 200000 codes per algorithm)
 * Prints one JSON object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <liboath/oath.h>

#include "kalkan/otp.h"

#define KEYS 64

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    static const struct {
        enum otp_alg alg;
        int oath_flag;
        size_t keylen;
    } algs[] = {
        {OTP_ALG_SHA1, 0, 20},
        {OTP_ALG_SHA256, OATH_TOTP_HMAC_SHA256, 32},
        {OTP_ALG_SHA512, OATH_TOTP_HMAC_SHA512, 64},
    };
    uint8_t keys[KEYS][64];
    uint64_t n = 200000;
    char ours[OTP_CODE_SIZE];
    char theirs[OTP_CODE_SIZE];

    if (argc > 1 && kk_parse_u64(argv[1], 1, 100000000, &n) != KK_OK) {
        fprintf(stderr, "usage: %s [N]\n", argv[0]);
        return 2;
    }
    if (kk_random(keys, sizeof keys) != KK_OK || oath_init() != OATH_OK)
        return 3;
    printf("{\"codes_per_algorithm\": %llu, \"results\": [",
           (unsigned long long)n);
    for (size_t a = 0; a < 3; a++) {
        double t0;
        double t_ours;
        double t_oath;

        /* Equality first, so the timed loops below compare like with like. */
        for (uint64_t i = 0; i < 1000; i++) {
            time_t t = (time_t)(1700000000 + i * 30);
            if (otp_totp(keys[i % KEYS], algs[a].keylen, algs[a].alg, t, 30, 6,
                         ours) != KK_OK ||
                oath_totp_generate2((const char *)keys[i % KEYS],
                                    algs[a].keylen, t, 30, 0, 6,
                                    algs[a].oath_flag, theirs) != OATH_OK ||
                strcmp(ours, theirs) != 0) {
                fprintf(stderr, "codes differ\n");
                return 1;
            }
        }
        t0 = now_s();
        for (uint64_t i = 0; i < n; i++) {
            if (otp_totp(keys[i % KEYS], algs[a].keylen, algs[a].alg,
                         (int64_t)(1700000000 + i * 30), 30, 6, ours) != KK_OK)
                return 3;
        }
        t_ours = now_s() - t0;
        t0 = now_s();
        for (uint64_t i = 0; i < n; i++) {
            if (oath_totp_generate2((const char *)keys[i % KEYS],
                                    algs[a].keylen,
                                    (time_t)(1700000000 + i * 30), 30, 0, 6,
                                    algs[a].oath_flag, theirs) != OATH_OK)
                return 3;
        }
        t_oath = now_s() - t0;
        printf("%s{\"algorithm\": \"%s\", \"kalkan_per_s\": %.0f, "
               "\"liboath_per_s\": %.0f, \"speedup\": %.2f}",
               a ? ", " : "", otp_alg_name(algs[a].alg), (double)n / t_ours,
               (double)n / t_oath, t_oath / t_ours);
    }
    printf("]}\n");
    oath_done();
    return 0;
}
