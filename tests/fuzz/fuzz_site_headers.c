/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_site_headers.c - fuzz target of the website checker's header
 * parsers (lib/site/hdr.c): the input is a response's header block.  Each
 * "Name: value" line found must lie inside the input, and its value is
 * given to every value parser (HSTS, Referrer-Policy, X-Frame-Options,
 * nosniff, product versions, evidence cleaning and, NUL-terminated, the
 * redirect-target splitter), whose results must keep their invariants.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_printable(const char *s)
{
    for (const char *p = s; *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e) {
            __builtin_trap();
        }
    }
}

static void check_url(const char *v, size_t vl)
{
    char *loc = malloc(vl + 1);
    struct site_url u;
    if (loc == NULL) {
        return;
    }
    memcpy(loc, v, vl);
    loc[vl] = '\0';
    int rc = site_url_parse(loc, "/dir/page?q", &u);
    if (rc == KK_OK) {
        if (u.path[0] != '/' || strlen(u.path) >= sizeof u.path) {
            __builtin_trap();
        }
        if (u.scheme[0] != '\0' && strcmp(u.scheme, "http") != 0 &&
            strcmp(u.scheme, "https") != 0) {
            __builtin_trap();
        }
        check_printable(u.path);
        for (const char *p = u.path; *p != '\0'; p++) {
            if (*p == ' ' || *p == '#') {
                __builtin_trap();
            }
        }
        for (const char *p = u.host; *p != '\0'; p++) {
            if ((unsigned char)*p <= 0x20 || (*p >= 'A' && *p <= 'Z')) {
                __builtin_trap();
            }
        }
    } else if (rc != KK_ERR_INVAL && rc != KK_ERR_TRUNC) {
        __builtin_trap();
    }
    free(loc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kk_span s;
    const char *n;
    size_t nl;
    const char *v;
    size_t vl;
    size_t lines = 0;

    if (size > KK_SITE_HEADERS_MAX) {
        return 0;
    }
    s = kk_span_make(data, size);
    while (site_hdr_next(&s, &n, &nl, &v, &vl)) {
        const char *end = (const char *)data + size;
        if (n < (const char *)data || n + nl > end || v < n + nl ||
            v + vl > end || nl == 0 || ++lines > size) {
            __builtin_trap();
        }
        struct site_hsts h;
        site_hsts_parse(v, vl, &h);
        if (!h.valid && (h.max_age != 0 || h.include_subdomains || h.preload)) {
            __builtin_trap();
        }
        enum site_referrer r = site_referrer_parse(v, vl, true);
        if (r > SITE_REFERRER_UNSAFE_URL ||
            (site_referrer_parse(v, vl, false) == SITE_REFERRER_UNSET &&
             r == SITE_REFERRER_UNSET && site_referrer_unsafe(r))) {
            __builtin_trap();
        }
        if (site_xfo_parse(v, vl) > SITE_XFO_CONFLICT) {
            __builtin_trap();
        }
        (void)site_xcto_nosniff(v, vl);
        (void)site_hdr_has_number(v, vl);
        char out[80];
        if (site_hdr_product_version(v, vl, out, sizeof out)) {
            check_printable(out);
            if (strchr(out, '/') == NULL || strlen(out) > 64) {
                __builtin_trap();
            }
        }
        char small[8];
        site_hdr_clean(v, vl, 100, small, sizeof small);
        check_printable(small);
        if (strlen(small) >= sizeof small) {
            __builtin_trap();
        }
        check_url(v, vl);
    }
    if (s.off != s.len) {
        __builtin_trap();
    }
    return 0;
}
