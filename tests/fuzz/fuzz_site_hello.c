/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_site_hello.c - fuzz target of the TLS ServerHello and alert reader
 * (hello.c), the code that reads what a probed web or mail server sends
 * before any cryptography.  An answer the parser accepts must be a
 * ServerHello of version 3.x or an alert, and parsing it again with a byte
 * more must give the same answer (the parser reads only what it needs).
 * The input's first bytes also drive the ClientHello builder, whose
 * record must state its own length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hello.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse(const uint8_t *data, size_t size)
{
    struct site_hello_reply r;
    struct site_hello_reply again;
    int rc = site_hello_parse(data, size, &r);
    if (rc != KK_OK) {
        if (rc != KK_ERR_TRUNC && rc != KK_ERR_PROTO && rc != KK_ERR_LIMIT) {
            __builtin_trap();
        }
        return;
    }
    if (r.kind == SITE_HELLO_SERVER) {
        if ((r.legacy_version >> 8) != 3 || (r.version >> 8) != 3) {
            __builtin_trap();
        }
    } else if (r.kind != SITE_HELLO_ALERT) {
        __builtin_trap();
    }
    uint8_t *more = malloc(size + 1);
    if (more == NULL) {
        return;
    }
    memcpy(more, data, size);
    more[size] = 0xFF;
    if (site_hello_parse(more, size + 1, &again) != KK_OK ||
        memcmp(&again, &r, sizeof r) != 0) {
        __builtin_trap();
    }
    free(more);
}

static void build(const uint8_t *data, size_t size)
{
    uint16_t suites[SITE_SUITES_MAX + 1];
    char sni[64];
    uint8_t rnd[32] = {0};
    struct site_hello_spec spec;
    struct kk_buf *b;
    if (size < 3) {
        return;
    }
    memset(&spec, 0, sizeof spec);
    spec.version = (uint16_t)(0x0300 + data[0] % 5);
    spec.n_suites = data[1] % (SITE_SUITES_MAX + 2);
    for (size_t i = 0; i < spec.n_suites; i++) {
        suites[i] = (uint16_t)(data[2] << 8 | (unsigned)i);
    }
    spec.suites = suites;
    size_t sl = size - 3 < sizeof sni - 1 ? size - 3 : sizeof sni - 1;
    memcpy(sni, data + 3, sl);
    sni[sl] = '\0';
    spec.sni = (data[2] & 1) != 0 ? sni : NULL;
    b = kk_buf_new(SITE_HELLO_OUT_MAX);
    if (b == NULL) {
        return;
    }
    int rc = site_hello_build(&spec, rnd, b);
    if (rc == KK_OK) {
        const uint8_t *o = kk_buf_data(b);
        size_t n = kk_buf_len(b);
        if (n < 9 || o[0] != 22 || (size_t)(o[3] << 8 | o[4]) != n - 5 ||
            ((size_t)o[6] << 16 | (size_t)o[7] << 8 | o[8]) != n - 9) {
            __builtin_trap();
        }
    } else if (rc != KK_ERR_INVAL) {
        __builtin_trap();
    }
    kk_buf_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 2 * (KK_SITE_TLS_RECORD_MAX + 5)) {
        return 0;
    }
    parse(data, size);
    build(data, size);
    return 0;
}
