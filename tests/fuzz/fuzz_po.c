/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_po.c - fuzz target of the PO reader.  A parsed catalogue must
 * answer lookups without reading past its strings; a rejected one must say
 * why and leave nothing allocated.
 */
#include <stdint.h>
#include <string.h>

#include "i18n.h"
#include "kalkan/kk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const probes[] = {"", "a", "Sign in", "msgid"};
    struct hub_po *po = NULL;
    struct kk_diag d;

    if (size > KK_HUB_PO_MAX)
        return 0;
    kk_diag_clear(&d);
    if (hub_po_parse((const char *)data, size, &po, &d) == KK_OK) {
        /* Every entry costs at least two lines. */
        if (po == NULL || hub_po_len(po) > size / 2 + 1)
            __builtin_trap();
        if (hub_po_get(po, "") != NULL) /* the header is never kept */
            __builtin_trap();
        for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
            const char *s = hub_po_get(po, probes[i]);
            if (s != NULL && (s[0] == '\0' || strlen(s) > size))
                __builtin_trap();
        }
        hub_po_free(po);
    } else if (po != NULL || strlen(d.msg) == 0) {
        __builtin_trap();
    }
    return 0;
}
