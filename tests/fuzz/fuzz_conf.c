/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_conf.c - fuzz target of the "key = value" configuration reader.
 * Every parsed file is walked in full so lookups see what parsing built.
 */
#include <stdint.h>
#include <string.h>

#include "kalkan/kk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kk_conf *c = NULL;
    struct kk_diag d;

    if (size > KK_CONF_FILE_MAX)
        return 0;
    if (kk_conf_parse((const char *)data, size, &c, &d) == KK_OK) {
        for (size_t i = 0; i < kk_conf_count(c); i++) {
            const char *k = kk_conf_key(c, i);
            uint64_t v;
            bool b;
            if (kk_conf_get(c, k) == NULL || kk_conf_line(c, k) == 0)
                __builtin_trap();
            int r1 = kk_conf_get_u64(c, k, 0, 100, 1, &v, &d);
            int r2 = kk_conf_get_bool(c, k, false, &b, &d);
            if ((r1 == KK_OK && v > 100) || (r2 != KK_OK && r2 != KK_ERR_INVAL))
                __builtin_trap();
        }
        kk_conf_free(c);
    } else if (c != NULL || strlen(d.msg) == 0) {
        __builtin_trap();
    }
    return 0;
}
