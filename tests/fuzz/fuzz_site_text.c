/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_site_text.c - fuzz target of the parser of the website checker's
 * text files (those of lib/site/text/).  The files are compiled in, so this
 * guards the parser's bounds rather than hostile input at run time; every
 * text handed out is checked against what the parser promises.
 */
#include <stdint.h>
#include <string.h>

#include "kalkan/kk.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink(void *arg, const char *section, enum site_text_part part,
                const char *value, unsigned line)
{
    size_t *n = arg;
    size_t sl = strlen(section);
    (*n)++;
    /* A section is a short lower-case name; a value is never empty and
     * holds no control byte but the line breaks of "\n". */
    if (sl == 0 || sl > KK_SITE_TEXT_ID_MAX || section[0] < 'a' ||
        section[0] > 'z' || (unsigned)part > SITE_TEXT_FIX || line == 0 ||
        value[0] == '\0' || strlen(value) > KK_SITE_TEXT_LINE_MAX)
        __builtin_trap();
    for (const unsigned char *p = (const unsigned char *)value; *p != '\0';
         p++) {
        if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
            __builtin_trap();
    }
    return KK_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kk_diag d = {.msg = ""};
    size_t n = 0;
    int rc = site_text_parse((const char *)data, size, sink, &n, &d);
    if (rc != KK_OK && rc != KK_ERR_INVAL && rc != KK_ERR_LIMIT)
        __builtin_trap();
    if (rc != KK_OK && d.msg[0] == '\0')
        __builtin_trap();
    if (n > KK_SITE_TEXT_ENTRIES_MAX)
        __builtin_trap();
    return 0;
}
