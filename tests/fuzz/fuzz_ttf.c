/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_ttf.c - fuzz target of the TrueType reader and subsetter under the
 * PDF writer.  A font that parses must answer every lookup inside its
 * glyph count, and its subset (glyphs chosen by the input's own bytes)
 * must be a font the reader accepts again, mapping every kept character
 * to the same glyph with the same advance; a refused font must say why
 * and leave nothing allocated.  The seeds are small fonts cut from DejaVu
 * Sans, valid and broken (tests/data/hub/make-ttf-corpus.py).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kalkan/kk.h"
#include "pdf.h"

#define INPUT_MAX (1024 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Code points worth asking for: ASCII, Cyrillic, the replacement
 * character, one past the BMP, the last one and one too far. */
static uint32_t probe(size_t i)
{
    static const uint32_t extra[] = {0xFFFD, 0xFFFF, 0x1F600, 0x10FFFF,
                                     0x110000};

    if (i < 0x80)
        return (uint32_t)i;
    if (i < 0x180)
        return (uint32_t)(0x400 + i - 0x80);
    return extra[(i - 0x180) % (sizeof extra / sizeof extra[0])];
}

#define PROBES (0x180 + 5)

static void check_subset(const struct hub_ttf *f, const uint8_t *used,
                         const uint8_t *font, size_t len)
{
    struct hub_ttf *s = NULL;

    if (hub_ttf_parse(font, len, &s, NULL) != KK_OK)
        __builtin_trap();
    if (hub_ttf_num_glyphs(s) > hub_ttf_num_glyphs(f) ||
        hub_ttf_units_per_em(s) != hub_ttf_units_per_em(f))
        __builtin_trap();
    for (size_t i = 0; i < PROBES; i++) {
        uint16_t g = hub_ttf_glyph(f, probe(i));
        if (g == 0 || !used[g])
            continue;
        if (hub_ttf_glyph(s, probe(i)) != g ||
            hub_ttf_advance(s, g) != hub_ttf_advance(f, g))
            __builtin_trap();
    }
    hub_ttf_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hub_ttf *f = NULL;
    struct hub_ttf_metrics m;
    struct kk_buf *b = NULL;
    uint8_t *used = NULL;
    struct kk_diag d;
    unsigned n;
    int r;

    if (size > INPUT_MAX)
        return 0;
    kk_diag_clear(&d);
    r = hub_ttf_parse(data, size, &f, &d);
    if (r != KK_OK) {
        if (f != NULL || strlen(d.msg) == 0)
            __builtin_trap();
        return 0;
    }
    n = hub_ttf_num_glyphs(f);
    if (n == 0 || n > 65535)
        __builtin_trap();
    hub_ttf_metrics(f, &m);
    if (strlen(m.name) >= sizeof m.name)
        __builtin_trap();
    for (size_t i = 0; i < PROBES; i++) {
        if (hub_ttf_glyph(f, probe(i)) >= n)
            __builtin_trap();
    }
    used = malloc(n);
    b = kk_buf_new(KK_HUB_FONT_MAX);
    if (used == NULL || b == NULL)
        goto out;
    for (unsigned g = 0; g < n; g++) {
        (void)hub_ttf_advance(f, (uint16_t)g);
        used[g] = (uint8_t)((data[g % size] >> (g % 8)) & 1);
    }
    r = hub_ttf_subset(f, used, n, b);
    if (r == KK_OK)
        check_subset(f, used, kk_buf_data(b), kk_buf_len(b));
    else if (r != KK_ERR_CORRUPT || kk_buf_len(b) != 0)
        __builtin_trap();
out:
    kk_buf_free(b);
    free(used);
    hub_ttf_free(f);
    return 0;
}
