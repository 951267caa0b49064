/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_site_spf.c - fuzz target of the SPF reader (lib/site/spf.c).  The
 * input's first line is a domain's SPF record; each further line is
 * "name record", served by a fake DNS to the include and redirect
 * targets.  The record is parsed and judged: a refusal must come with a
 * short printable reason, fetches must stay within SITE_SPF_FETCH_MAX,
 * a valid policy within the ten lookups, and a count cut short must be
 * over the limit (so reported invalid).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fake {
    char *lines[32];
    size_t n;
    unsigned calls;
};

static int fake_txt(void *arg, const char *name, struct site_txt *out)
{
    struct fake *f = arg;
    f->calls++;
    if (f->calls > SITE_SPF_FETCH_MAX)
        __builtin_trap();
    if (strcmp(name, "down.test") == 0)
        return KK_ERR_TIMEOUT;
    for (size_t i = 0; i < f->n; i++) {
        size_t nl = strcspn(f->lines[i], " ");
        if (nl == strlen(name) && memcmp(f->lines[i], name, nl) == 0 &&
            f->lines[i][nl] == ' ') {
            int rc = site_txt_add(out, f->lines[i] + nl + 1);
            if (rc != KK_OK && rc != KK_ERR_LIMIT)
                return rc;
        }
    }
    if (out->n == 0)
        out->nxdomain = true;
    return KK_OK;
}

static void check_reason(const char *why)
{
    size_t n = strlen(why);
    if (n == 0 || n >= SITE_SPF_WHY_MAX)
        __builtin_trap();
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)why[i] < 0x20 || (unsigned char)why[i] >= 0x7f)
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fake f;
    struct site_spf *sp;
    struct site_spf_eval ev;
    char why[SITE_SPF_WHY_MAX];
    char *text;
    char *p;

    if (size > 8192)
        return 0;
    text = malloc(size + 1);
    sp = malloc(sizeof *sp);
    if (text == NULL || sp == NULL)
        goto out;
    memcpy(text, data, size);
    text[size] = '\0';
    memset(&f, 0, sizeof f);
    p = strchr(text, '\n');
    while (p != NULL && f.n < 32) {
        *p = '\0';
        f.lines[f.n++] = p + 1;
        p = strchr(p + 1, '\n');
    }
    if (p != NULL)
        *p = '\0';
    why[0] = '\0';
    if (site_spf_parse(text, sp, why, sizeof why) == KK_OK) {
        if (sp->all != 0 && strchr("+-~?", sp->all) == NULL)
            __builtin_trap();
        if (!site_spf_is_record(text))
            __builtin_trap();
    } else {
        check_reason(why);
    }
    if (site_spf_eval(text, fake_txt, &f, &ev) != KK_OK)
        goto out;
    if (ev.invalid)
        check_reason(ev.why);
    if (!ev.invalid && ev.lookups > KK_SITE_SPF_LOOKUPS_MAX)
        __builtin_trap();
    if (ev.lookups_capped && !ev.invalid)
        __builtin_trap();
    if (f.calls > SITE_SPF_FETCH_MAX)
        __builtin_trap();
out:
    free(sp);
    free(text);
    return 0;
}
