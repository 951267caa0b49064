/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_site_csp.c - fuzz target of the website checker's
 * Content-Security-Policy judge (lib/site/hdr.c).  The input is one
 * header value.  Each comma-separated policy is judged as a header and as
 * a <meta>; the page's verdict must agree with the policies' verdicts (safe
 * when one policy is safe, framing restricted only from a header), and the
 * reasons must be short printable text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_why(const char *why)
{
    size_t n = strnlen(why, SITE_CSP_WHY_MAX);
    if (n >= SITE_CSP_WHY_MAX) {
        __builtin_trap();
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)why[i] < 0x20 || (unsigned char)why[i] > 0x7e) {
            __builtin_trap();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *v = (const char *)data;
    struct site_csp head;
    struct site_csp meta;
    unsigned present = 0;
    bool any_safe = false;
    bool any_frame = false;
    size_t i = 0;

    if (size > KK_SITE_HEADERS_MAX) {
        return 0;
    }
    while (i <= size) {
        const char *p = v + i;
        const char *comma = memchr(p, ',', size - i);
        size_t pl = comma != NULL ? (size_t)(comma - p) : size - i;
        i += pl + 1;
        struct site_csp_policy pol;
        struct site_csp_policy mpol;
        site_csp_policy_judge(p, pl, false, &pol);
        site_csp_policy_judge(p, pl, true, &mpol);
        check_why(pol.why);
        check_why(mpol.why);
        if (!pol.present && (pol.scripts_safe || pol.frame_ancestors)) {
            __builtin_trap();
        }
        if (mpol.frame_ancestors || (mpol.present && !pol.present)) {
            __builtin_trap();
        }
        if (pol.present && !pol.scripts_safe && pol.why[0] == '\0') {
            __builtin_trap(); /* an unsafe verdict always says why */
        }
        if (pol.present) {
            present++;
            any_safe = any_safe || pol.scripts_safe;
            any_frame = any_frame || pol.frame_ancestors;
        }
    }
    site_csp_init(&head);
    site_csp_add(&head, v, size, false);
    site_csp_init(&meta);
    site_csp_add(&meta, v, size, true);
    check_why(head.why);
    check_why(meta.why);
    if (head.n_policies != present || head.scripts_safe != any_safe ||
        head.frame_ancestors != any_frame || meta.frame_ancestors ||
        meta.n_policies > head.n_policies) {
        __builtin_trap();
    }
    return 0;
}
