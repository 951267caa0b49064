/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_site_rdata.c - fuzz target of the DNS record-data parsers
 * (lib/site/dns.c), the readers of what a DNS server sends.  The first
 * byte chooses the parser (TXT, MX, CAA, address), the rest is the
 * record data, passed as an exact-size copy.  What a parser accepts must
 * fit its buffer and be clean: a TXT text without NUL, an MX host of
 * letters, digits, '-', '_' and dots, a CAA tag of 1-15 letters and
 * digits and a printable value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[SITE_TXT_MAX + 1];
    struct site_caa caa;
    unsigned pref = 0;
    uint8_t *rd;
    size_t n;
    int rc;

    if (size < 1 || size > 70000)
        return 0;
    n = size - 1;
    rd = malloc(n > 0 ? n : 1);
    if (rd == NULL)
        return 0;
    memcpy(rd, data + 1, n);
    switch (data[0] % 4) {
    case 0:
        rc = site_rdata_txt(rd, n, out, sizeof out);
        if (rc == KK_OK && strlen(out) >= n)
            __builtin_trap();
        if (rc != KK_OK && rc != KK_ERR_INVAL && rc != KK_ERR_TRUNC)
            __builtin_trap();
        break;
    case 1:
        rc = site_rdata_mx(rd, n, &pref, out, KK_SITE_HOST_MAX + 1);
        if (rc == KK_OK) {
            if (pref > 65535 || strlen(out) > KK_SITE_HOST_MAX ||
                out[0] == '\0')
                __builtin_trap();
            for (const char *p = out; *p != '\0'; p++) {
                if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                      *p == '-' || *p == '_' || *p == '.'))
                    __builtin_trap();
            }
        }
        break;
    case 2:
        rc = site_rdata_caa(rd, n, &caa);
        if (rc == KK_OK) {
            size_t tl = strlen(caa.tag);
            if (tl == 0 || tl > 15 || caa.flags > 255 ||
                strlen(caa.value) > 255)
                __builtin_trap();
            for (const char *p = caa.value; *p != '\0'; p++) {
                if (*p < 0x20 || *p > 0x7e)
                    __builtin_trap();
            }
        }
        break;
    default:
        rc = site_rdata_addr(rd, n, out, 64);
        if (rc == KK_OK && n != 4 && n != 16)
            __builtin_trap();
        break;
    }
    free(rd);
    return 0;
}
