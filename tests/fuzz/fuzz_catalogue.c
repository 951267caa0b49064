/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_catalogue.c - fuzz target of the control catalogue reader.  Every
 * control of a parsed catalogue is walked in full: each field must be set
 * and within its range, and each id must find its own control.
 */
#include <stdint.h>
#include <string.h>

#include "i18n.h"
#include "kalkan/kk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_control(const struct hub_catalogue *c,
                          const struct hub_control *k)
{
    if (k == NULL || k->id == NULL || k->level == NULL || k->applies == NULL ||
        k->source == NULL || k->area_name == NULL)
        __builtin_trap();
    if (hub_catalogue_find(c, k->id) != k)
        __builtin_trap();
    if (hub_area_from_name(k->area_name) != k->area ||
        hub_area_label(k->area) == NULL)
        __builtin_trap();
    if (k->weight < 1 || k->weight > 5 || k->stale_days < 1 ||
        k->stale_days > 365)
        __builtin_trap();
    for (int l = 0; l < HUB_LANG_COUNT; l++) {
        const char *t[] = {k->title[l], k->why[l], k->verify[l], k->fix[l]};
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
            if (t[i] == NULL || t[i][0] == '\0' ||
                strlen(t[i]) > KK_HUB_TEXT_MAX)
                __builtin_trap();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hub_catalogue *c = NULL;
    struct kk_diag d;

    if (size > KK_HUB_PO_MAX)
        return 0;
    kk_diag_clear(&d);
    if (hub_catalogue_parse((const char *)data, size, &c, &d) == KK_OK) {
        size_t n = hub_catalogue_len(c);
        if (n == 0 || n > 200 || hub_catalogue_at(c, n) != NULL)
            __builtin_trap();
        for (size_t i = 0; i < n; i++)
            check_control(c, hub_catalogue_at(c, i));
        hub_catalogue_free(c);
    } else if (c != NULL || strlen(d.msg) == 0) {
        __builtin_trap();
    }
    return 0;
}
