/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_guard_addr.c - fuzz target of address and prefix parsing
 * (lib/guard/addr.c).  The input is read as a host address and as a
 * prefix.  What parses must format as text that parses back to the same
 * address, contain itself, hash alike when equal, and mask idempotently;
 * the input then goes into an allowlist, which must find it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/guard/addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct guard_addr *a)
{
    char text[GUARD_ADDR_TEXT_MAX];
    struct guard_addr b;
    struct guard_addr m;
    struct guard_addrset *s;

    if (guard_addr_format(a, text, sizeof text) != KK_OK)
        __builtin_trap();
    if (guard_addr_parse_prefix(text, strlen(text), &b) != KK_OK ||
        !guard_addr_eq(a, &b) || guard_addr_hash(a) != guard_addr_hash(&b))
        __builtin_trap();
    if (!guard_addr_contains(a, &b))
        __builtin_trap();
    m = *a;
    guard_addr_mask(&m, a->plen, a->plen);
    if (!guard_addr_eq(a, &m))
        __builtin_trap();
    guard_addr_mask(&m, 24, 56);
    if (!guard_addr_contains(&m, a) && m.plen <= a->plen)
        __builtin_trap();
    s = guard_addrset_new();
    if (s == NULL)
        return;
    if (guard_addrset_add(s, &m) != KK_OK || guard_addrset_add(s, a) != KK_OK)
        __builtin_trap();
    if (!guard_addrset_contains(s, a))
        __builtin_trap();
    if (!guard_addr_eq(&m, a)) {
        if (guard_addrset_remove(s, &m) != KK_OK ||
            !guard_addrset_contains(s, a))
            __builtin_trap();
    }
    guard_addrset_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct guard_addr a;
    char *text;

    if (size > 256)
        return 0;
    text = malloc(size == 0 ? 1 : size);
    if (text == NULL)
        return 0;
    if (size > 0)
        memcpy(text, data, size);
    if (guard_addr_parse(text, size, &a) == KK_OK) {
        if (a.plen != (a.family == 4 ? 32 : 128))
            __builtin_trap();
        check(&a);
    }
    if (guard_addr_parse_prefix(text, size, &a) == KK_OK)
        check(&a);
    free(text);
    return 0;
}
