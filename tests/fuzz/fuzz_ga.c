/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_ga.c - libFuzzer target for the google-authenticator file parser
 * used by `kalkan otp import-ga`.  An accepted file must describe exactly
 * one mode (TOTP or HOTP) and hold a secret within the limits.
 */
#include <stdint.h>
#include <stdlib.h>

#include "kalkan/otp_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct otp_ga g;

    if (otp_ga_parse((const char *)data, size, &g, NULL) == KK_OK) {
        if (g.totp == g.hotp || g.secret_len < KK_OTP_SECRET_MIN ||
            g.secret_len > KK_OTP_SECRET_MAX || g.nscratch > OTP_GA_SCRATCH_MAX)
            abort();
        otp_ga_wipe(&g);
    }
    return 0;
}
