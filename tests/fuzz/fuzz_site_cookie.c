/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_site_cookie.c - fuzz target of the website checker's Set-Cookie
 * parser (site_cookie_parse in lib/site/hdr.c).  The input is one
 * Set-Cookie value.  The name kept must be short, printable and taken from
 * before the first '=' of the first ';'-separated part, so it can never
 * carry the cookie's value; every other field must stay in range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *v = (const char *)data;
    struct site_cookie ck;

    if (size > KK_SITE_HEADERS_MAX) {
        return 0;
    }
    site_cookie_parse(v, size, &ck);
    size_t nl = strlen(ck.name);
    if (nl > SITE_COOKIE_NAME_MAX) {
        __builtin_trap();
    }
    for (size_t i = 0; i < nl; i++) {
        unsigned char ch = (unsigned char)ck.name[i];
        if (ch < 0x20 || ch > 0x7e || ch == ';' || ch == '=') {
            __builtin_trap();
        }
    }
    const char *semi = memchr(v, ';', size);
    size_t pair = semi != NULL ? (size_t)(semi - v) : size;
    const char *eq = memchr(v, '=', pair);
    if (eq == NULL && nl != 0) {
        __builtin_trap(); /* a nameless cookie has no name */
    }
    if (ck.samesite > SITE_SAMESITE_INVALID) {
        __builtin_trap();
    }
    if (ck.expires_year < 0 || ck.expires_year > 9999) {
        __builtin_trap();
    }
    if (!ck.has_max_age && ck.max_age != 0) {
        __builtin_trap();
    }
    if (ck.has_max_age && site_cookie_deletes(&ck, 2026) != (ck.max_age <= 0)) {
        __builtin_trap();
    }
    (void)site_cookie_is_session(ck.name);
    return 0;
}
