/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_site_html.c - fuzz target of the website checker's HTML tokenizer
 * (lib/site/html.c).  The input is a page.  Every tag must have a short
 * lower-case name and attributes that lie inside the page, the iterator
 * must move forward and end, and each attribute value decoded into a
 * small buffer must be a prefix of the same value decoded into a large
 * one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "kalkan/kk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    struct site_html h;
    struct site_html_tag t;
    size_t last = 0;
    size_t tags = 0;
    static char big[KK_SITE_URL_MAX * 4];
    char small[7];

    if (size > KK_SITE_BODY_MAX) {
        return 0;
    }
    site_html_init(&h, p, size);
    while (site_html_next(&h, &t)) {
        if (h.off <= last && tags > 0) {
            __builtin_trap(); /* no progress */
        }
        last = h.off;
        if (++tags > size || h.off > size) {
            __builtin_trap();
        }
        size_t nl = strnlen(t.name, sizeof t.name);
        if (nl > SITE_HTML_NAME_MAX || t.n_attr > SITE_HTML_ATTR_MAX ||
            (t.end && (t.n_attr != 0 || t.self_closing))) {
            __builtin_trap();
        }
        for (size_t i = 0; i < nl; i++) {
            if (t.name[i] >= 'A' && t.name[i] <= 'Z') {
                __builtin_trap();
            }
        }
        for (size_t a = 0; a < t.n_attr; a++) {
            const struct site_html_attr *at = &t.attr[a];
            if (at->name < p || at->name + at->name_len > p + size ||
                at->value < p || at->value + at->value_len > p + size ||
                at->name_len == 0) {
                __builtin_trap();
            }
        }
        if (t.n_attr > 0) {
            char name[32];
            size_t an = t.attr[0].name_len < sizeof name - 1
                            ? t.attr[0].name_len
                            : sizeof name - 1;
            memcpy(name, t.attr[0].name, an);
            name[an] = '\0';
            if (memchr(name, '\0', an) != NULL) {
                continue; /* not reachable by a C-string name */
            }
            bool b1 = site_html_attr(&t, name, big, sizeof big);
            bool b2 = site_html_attr(&t, name, small, sizeof small);
            if (b1 != b2 || strlen(small) >= sizeof small ||
                strncmp(big, small, strlen(small)) != 0) {
                __builtin_trap();
            }
            (void)site_html_has_word(big, "stylesheet");
        }
    }
    if (h.off != size) {
        __builtin_trap();
    }
    return 0;
}
