/* SPDX-License-Identifier: GPL-3.0-or-later */
/* text.c - placeholder; see site.h. */
#include "site_int.h"

const char *site_text(const char *id, enum site_text_part part,
                      const char *lang)
{
    (void)part;
    (void)lang;
    return id;
}

const char *site_text_exact(const char *id, enum site_text_part part,
                            const char *lang)
{
    (void)part;
    (void)lang;
    return id;
}
