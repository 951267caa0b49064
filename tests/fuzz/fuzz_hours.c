/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_hours.c - fuzz target of the hours typed on an attendance sheet
 * (hub_hours_parse) and of the control lists typed for a module
 * (hub_controls_normalise).  Hours accepted are within the bound, and
 * written back as people read them they parse to the same minutes give or
 * take the rounding of hundredths; a control list accepted is a clean
 * comma list of catalogue ids that normalises to itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "training.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void hours(const char *s)
{
    int64_t m = -1, back = -1;
    char text[32];
    int err = hub_hours_parse(s, 2880, &m);
    if (err != KK_OK) {
        if (err != KK_ERR_INVAL && err != KK_ERR_RANGE)
            __builtin_trap();
        return;
    }
    if (m < 0 || m > 2880)
        __builtin_trap();
    hub_training_hours(text, sizeof text, m);
    if (hub_hours_parse(text, 2880, &back) != KK_OK || back < m - 1 ||
        back > m + 1)
        __builtin_trap();
}

static void controls(const char *s)
{
    char out[1024], again[1024];
    if (hub_controls_normalise(s, out, sizeof out) != KK_OK)
        return;
    if (hub_controls_normalise(out, again, sizeof again) != KK_OK ||
        strcmp(out, again) != 0 || strstr(out, ",,") != NULL || out[0] == ',')
        __builtin_trap();
    for (const char *p = out; *p != '\0'; p++) {
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == ','))
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    char *s;
    if (size > 4096)
        return 0;
    if (!ready) {
        struct kk_diag d;
        kk_diag_clear(&d);
        if (hub_i18n_init(&d) != KK_OK)
            __builtin_trap();
        ready = 1;
    }
    s = malloc(size + 1);
    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    hours(s);
    controls(s);
    free(s);
    return 0;
}
