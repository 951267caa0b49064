/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_accept_language.c - fuzz target of Accept-Language negotiation and
 * language codes.  The answer is always one of the three languages, and a
 * header that is a single known language tag picks that language.
 */
#include <stdint.h>
#include <string.h>

#include "i18n.h"

#define HEADER_MAX 2048

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[HEADER_MAX + 1];
    int a;
    int c;

    if (size > HEADER_MAX)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    a = hub_lang_from_accept(s);
    c = hub_lang_from_code(s);
    if (a < 0 || a >= HUB_LANG_COUNT || c < -1 || c >= HUB_LANG_COUNT)
        __builtin_trap();
    if (c >= 0 && a != c)
        __builtin_trap();
    if (hub_lang_code(a) == NULL || hub_lang_native(a) == NULL)
        __builtin_trap();
    return 0;
}
