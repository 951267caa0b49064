/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_curriculum.c - fuzz target of the standard curriculum's reader
 * (web/curriculum/modules.txt).  Every module of a parsed file is walked
 * in full: each field set and within its range, its code well-formed and
 * finding itself, its controls a clean comma list of well-formed ids.
 */
#include <stdint.h>
#include <string.h>

#include "training.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_module(const struct hub_curriculum *c,
                         const struct hub_module_std *m)
{
    const char *p;
    if (m == NULL || !hub_module_code_ok(m->code) ||
        hub_curriculum_find(c, m->code) != m)
        __builtin_trap();
    if (m->minutes < HUB_MODULE_MINUTES_MIN ||
        m->minutes > HUB_MODULE_MINUTES_MAX ||
        hub_audience_from_name(m->audience) == 0)
        __builtin_trap();
    p = m->controls;
    if (p == NULL || p[0] == '\0' || p[0] == ',' || p[strlen(p) - 1] == ',' ||
        strstr(p, ",,") != NULL)
        __builtin_trap();
    for (; *p != '\0'; p++) {
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == ','))
            __builtin_trap();
    }
    for (int l = 0; l < HUB_LANG_COUNT; l++) {
        if (m->title[l] == NULL || m->title[l][0] == '\0' ||
            m->summary[l] == NULL || m->summary[l][0] == '\0' ||
            strlen(m->title[l]) > KK_HUB_TEXT_MAX)
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hub_curriculum *c = NULL;
    struct kk_diag d;
    if (size > KK_HUB_PO_MAX)
        return 0;
    kk_diag_clear(&d);
    if (hub_curriculum_parse((const char *)data, size, &c, &d) == KK_OK) {
        size_t n = hub_curriculum_len(c);
        if (n == 0 || n > HUB_CURRICULUM_MAX || hub_curriculum_at(c, n) != NULL)
            __builtin_trap();
        for (size_t i = 0; i < n; i++)
            check_module(c, hub_curriculum_at(c, i));
        hub_curriculum_free(c);
    } else if (c != NULL || strlen(d.msg) == 0) {
        __builtin_trap();
    }
    return 0;
}
