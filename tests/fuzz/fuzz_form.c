/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_form.c - fuzz target of the form and query-string parser and of
 * hub_url_encode.  Every parsed form is walked in full, its lookups are
 * checked against its pairs, and it is encoded again and parsed back:
 * the second parse must give the same pairs.
 */
#include <stdint.h>
#include <string.h>

#include "kalkan/kk.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_pairs(const struct hub_form *f)
{
    for (size_t i = 0; i < hub_form_len(f); i++) {
        const char *k = hub_form_key(f, i);
        const char *v = hub_form_val(f, i);
        size_t n;

        if (k == NULL || v == NULL || !hub_utf8_valid(k, strlen(k)) ||
            !hub_utf8_valid(v, strlen(v)) || strlen(k) > KK_HUB_FIELD_MAX ||
            strlen(v) > KK_HUB_FIELD_MAX)
            __builtin_trap();
        n = hub_form_count_of(f, k);
        if (n == 0 || hub_form_get(f, k) == NULL ||
            hub_form_get_nth(f, k, n - 1) == NULL ||
            hub_form_get_nth(f, k, n) != NULL)
            __builtin_trap();
    }
    if (hub_form_key(f, hub_form_len(f)) != NULL ||
        hub_form_len(f) > KK_HUB_FORM_FIELDS_MAX)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hub_form *f = NULL;
    struct hub_form *g = NULL;
    struct kk_buf *b = NULL;
    struct kk_diag d;

    if (size > KK_HUB_BODY_MAX)
        return 0;
    d.msg[0] = '\0';
    if (hub_form_parse((const char *)data, size, &f, &d) != KK_OK) {
        if (f != NULL || d.msg[0] == '\0')
            __builtin_trap();
        return 0;
    }
    check_pairs(f);
    /* Each byte encodes to at most three; '=' and '&' a pair. */
    b = kk_buf_new(3 * size + 2 * hub_form_len(f) + 1);
    if (b == NULL)
        goto out;
    for (size_t i = 0; i < hub_form_len(f); i++) {
        if (hub_url_encode(b, hub_form_key(f, i)) != KK_OK ||
            kk_buf_putc(b, '=') != KK_OK ||
            hub_url_encode(b, hub_form_val(f, i)) != KK_OK ||
            kk_buf_putc(b, '&') != KK_OK)
            __builtin_trap();
    }
    if (hub_form_parse(kk_buf_str(b), kk_buf_len(b), &g, &d) != KK_OK ||
        hub_form_len(g) != hub_form_len(f))
        __builtin_trap();
    for (size_t i = 0; i < hub_form_len(f); i++) {
        if (strcmp(hub_form_key(f, i), hub_form_key(g, i)) != 0 ||
            strcmp(hub_form_val(f, i), hub_form_val(g, i)) != 0)
            __builtin_trap();
    }
out:
    hub_form_free(g);
    hub_form_free(f);
    kk_buf_free(b);
    return 0;
}
