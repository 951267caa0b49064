/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_uri.c - fuzz target of the otpauth:// URI parser and builder.
 *
 * Any input is parsed.  A refusal must come with a one-line diagnostic; an
 * accepted URI must satisfy the parser's promises (parameters in range, an
 * account, a secret of allowed length, no control characters or colons in
 * the labels) and build into a URI that parses back to the same
 * credential.  Violations trap so the fuzzer keeps the input.
 */
#include <stdint.h>
#include <string.h>

#include "kalkan/otp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool label_clean(const char *s)
{
    size_t n = strnlen(s, KK_OTP_LABEL_MAX + 1);

    if (n > KK_OTP_LABEL_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ':' || (unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct otp_uri u;
    static struct otp_uri again;
    struct kk_diag d;
    struct kk_buf *b = NULL;
    int r;

    if (size > KK_OTP_URI_MAX + 16)
        return 0;
    /* The same bytes as a secret handed over by a person: base32 or URI. */
    memset(&d, 0, sizeof d);
    r = otp_secret_parse((const char *)data, size, &u, &d);
    if (r == KK_OK ? (u.secret_len < KK_OTP_SECRET_MIN ||
                      otp_params_check(&u.params) != KK_OK)
                   : (d.msg[0] == '\0' || strchr(d.msg, '\n') != NULL))
        __builtin_trap();
    memset(&d, 0, sizeof d);
    r = otp_uri_parse((const char *)data, size, &u, &d);
    if (r != KK_OK) {
        if ((r != KK_ERR_INVAL && r != KK_ERR_LIMIT) || d.msg[0] == '\0' ||
            strchr(d.msg, '\n') != NULL)
            __builtin_trap();
        return 0;
    }
    if (otp_params_check(&u.params) != KK_OK || u.account[0] == '\0' ||
        u.account[0] == ' ' || !label_clean(u.account) ||
        !label_clean(u.issuer) || u.secret_len < KK_OTP_SECRET_MIN ||
        u.secret_len > KK_OTP_SECRET_MAX)
        __builtin_trap();
    b = kk_buf_new(KK_OTP_URI_MAX * 4);
    if (b == NULL)
        return 0;
    /* Labels escaped three-fold may not fit in a URI any more. */
    r = otp_uri_build(&u, b);
    if (r == KK_ERR_LIMIT)
        goto out;
    if (r != KK_OK)
        __builtin_trap();
    if (otp_uri_parse(kk_buf_str(b), kk_buf_len(b), &again, &d) != KK_OK ||
        memcmp(&again.params, &u.params, sizeof u.params) != 0 ||
        strcmp(again.issuer, u.issuer) != 0 ||
        strcmp(again.account, u.account) != 0 ||
        again.secret_len != u.secret_len ||
        memcmp(again.secret, u.secret, u.secret_len) != 0)
        __builtin_trap();
out:
    kk_buf_free(b);
    otp_uri_wipe(&u);
    otp_uri_wipe(&again);
    return 0;
}
