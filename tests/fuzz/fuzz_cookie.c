/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_cookie.c - fuzz target of hub_cookie_get.  The input is a cookie
 * name, a newline and a Cookie header.  The lookup is made with a small
 * and a large output buffer; the results must agree, a value found must
 * be clean UTF-8 taken from the header, and a header over the limit must
 * always be refused.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kalkan/kk.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_value(const char *header, const char *v)
{
    for (const char *p = v; *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            __builtin_trap();
    }
    if (!hub_utf8_valid(v, strlen(v)) || strstr(header, v) == NULL)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    char name[64] = "sid";
    char small[8];
    char big[KK_HUB_COOKIE_MAX + 1];
    char *header;
    size_t hlen;
    int r1;
    int r2;

    if (size > 2 * KK_HUB_COOKIE_MAX)
        return 0;
    if (nl != NULL && (size_t)(nl - data) < sizeof name) {
        memcpy(name, data, (size_t)(nl - data));
        name[nl - data] = '\0';
        size -= (size_t)(nl - data) + 1;
        data = nl + 1;
    }
    header = malloc(size + 1);
    if (header == NULL)
        return 0;
    memcpy(header, data, size);
    header[size] = '\0';
    hlen = strlen(header);
    r1 = hub_cookie_get(header, name, small, sizeof small);
    r2 = hub_cookie_get(header, name, big, sizeof big);
    if (hlen > KK_HUB_COOKIE_MAX && (r1 != KK_ERR_INVAL || r2 != KK_ERR_INVAL))
        __builtin_trap();
    if (name[0] == '\0' && (r1 != KK_ERR_INVAL || r2 != KK_ERR_INVAL))
        __builtin_trap();
    if (r1 == KK_ERR_TRUNC) {
        if (r2 != KK_OK || strlen(big) < sizeof small)
            __builtin_trap();
    } else if (r1 != r2) {
        __builtin_trap();
    }
    if (r1 == KK_OK && (strcmp(small, big) != 0 || strlen(small) >= 8))
        __builtin_trap();
    if (r2 == KK_OK) {
        if (strstr(header, name) == NULL)
            __builtin_trap();
        check_value(header, big);
    }
    if (r2 != KK_OK && r2 != KK_ERR_NOTFOUND && r2 != KK_ERR_INVAL)
        __builtin_trap();
    free(header);
    return 0;
}
