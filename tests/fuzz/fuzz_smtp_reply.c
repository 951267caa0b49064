/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_smtp_reply.c - fuzz target of the SMTP reply parser: the only code
 * that reads what a mail relay sends.  The input is read as a stream of
 * replies, the way the client reads them: each parsed reply must have a
 * code of 200..599, a length within the input and the limits, and begin
 * with its code; then the next reply is parsed from the rest.  The input
 * also goes through the header and quoted-printable writers, whose output
 * must hold no CR or LF that could start a header, and be 7-bit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void replies(const char *p, size_t n)
{
    while (n > 0) {
        int code = 0;
        size_t used = 0;
        int err = hub_smtp_reply_parse(p, n, &code, &used);
        if (err != KK_OK) {
            if (err != KK_ERR_TRUNC && err != KK_ERR_PROTO &&
                err != KK_ERR_LIMIT)
                __builtin_trap();
            return;
        }
        if (code < 200 || code > 599 || used < 4 || used > n ||
            used > HUB_SMTP_REPLY_MAX || p[used - 1] != '\n' ||
            p[0] - '0' != code / 100)
            __builtin_trap();
        p += used;
        n -= used;
    }
}

static void writers(const char *p, size_t n)
{
    struct kk_buf *b = kk_buf_new(16 * n + 64);
    char *s = malloc(n + 1);
    const uint8_t *o;
    if (b == NULL || s == NULL)
        goto out;
    memcpy(s, p, n);
    s[n] = '\0';
    if (hub_mail_encode_header(s, b) == KK_OK) {
        o = kk_buf_data(b);
        for (size_t i = 0; i < kk_buf_len(b); i++) {
            if (o[i] >= 0x80 ||
                (o[i] == '\r' && (i + 2 >= kk_buf_len(b) || o[i + 1] != '\n' ||
                                  o[i + 2] != ' ')) ||
                (o[i] == '\n' && (i == 0 || o[i - 1] != '\r')))
                __builtin_trap();
        }
    }
    kk_buf_reset(b);
    if (hub_mail_encode_qp(p, n, b) == KK_OK) {
        size_t col = 0;
        o = kk_buf_data(b);
        for (size_t i = 0; i < kk_buf_len(b); i++) {
            /* Spaces and tabs may stay literal inside a line. */
            if (o[i] >= 0x80 ||
                (o[i] < 0x20 && o[i] != '\r' && o[i] != '\n' && o[i] != '\t'))
                __builtin_trap();
            col = o[i] == '\n' ? 0 : col + 1;
            if (col > 77) /* 76 characters and the CR */
                __builtin_trap();
        }
    }
out:
    free(s);
    kk_buf_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 2 * HUB_SMTP_REPLY_MAX)
        return 0;
    replies((const char *)data, size);
    writers((const char *)data, size);
    return 0;
}
