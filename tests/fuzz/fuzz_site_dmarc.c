/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_site_dmarc.c - fuzz target of the DMARC and DKIM record readers
 * and the organisational-domain rule (lib/site/dmarc.c).  The input is
 * read as one TXT text: an accepted DMARC record must claim to be one and
 * have a policy and a pct of at most 100; a refusal must come with a
 * short printable reason; the organisational domain must be a tail of the
 * input, cut at a dot.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct site_dmarc d;
    char why[SITE_SPF_WHY_MAX];
    char org[KK_SITE_HOST_MAX + 1];
    char *text;

    if (size > 8192)
        return 0;
    text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    why[0] = '\0';
    if (site_dmarc_parse(text, &d, why, sizeof why) == KK_OK) {
        if (!site_dmarc_is_record(text) || d.p == SITE_DMARC_UNSET ||
            d.pct > 100)
            __builtin_trap();
    } else {
        size_t n = strlen(why);
        if (n == 0 || n >= sizeof why)
            __builtin_trap();
        for (size_t i = 0; i < n; i++) {
            if ((unsigned char)why[i] < 0x20 || (unsigned char)why[i] >= 0x7f)
                __builtin_trap();
        }
    }
    (void)site_dkim_has_key(text);
    if (site_org_domain(text, org, sizeof org) == KK_OK) {
        size_t tl = strlen(text);
        size_t ol = strlen(org);
        if (tl > 0 && text[tl - 1] == '.')
            tl--;
        if (ol == 0 || ol > tl || strncasecmp(text + tl - ol, org, ol) != 0 ||
            (ol < tl && text[tl - ol - 1] != '.'))
            __builtin_trap();
    }
    free(text);
    return 0;
}
