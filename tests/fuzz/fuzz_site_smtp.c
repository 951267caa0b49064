/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_site_smtp.c - fuzz target of the SMTP reply parser of the website
 * checker's mail stage (smtp.c), the code that reads a domain's mail
 * servers.  The input is read as a stream of replies, the way the stage
 * reads them: each parsed reply must have a code of 200..599, one to a
 * hundred lines, a length within the input that ends with LF and starts
 * with its code; then the next reply is parsed from the rest.
 */
#include <stdint.h>
#include <stdlib.h>

#include "starttls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    size_t n = size;
    if (size > 2 * SITE_SMTP_LINE_MAX * SITE_SMTP_LINES_MAX) {
        return 0;
    }
    while (n > 0) {
        struct site_smtp_reply r;
        size_t used = 0;
        int rc = site_smtp_reply_parse(p, n, &r, &used);
        if (rc != KK_OK) {
            if (rc != KK_ERR_TRUNC && rc != KK_ERR_PROTO &&
                rc != KK_ERR_LIMIT) {
                __builtin_trap();
            }
            break;
        }
        if (r.code < 200 || r.code > 599 || r.lines < 1 ||
            r.lines > SITE_SMTP_LINES_MAX || used < 4 || used > n ||
            used > SITE_SMTP_LINE_MAX * SITE_SMTP_LINES_MAX ||
            p[used - 1] != '\n' || p[0] - '0' != r.code / 100) {
            __builtin_trap();
        }
        p += used;
        n -= used;
    }
    return 0;
}
