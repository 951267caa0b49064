/* SPDX-License-Identifier: GPL-3.0-or-later */
/* render.c - placeholder; see site.h. */
#include "site_int.h"

int site_report_json(const struct site_report *r, const char *lang,
                     struct kk_buf *out)
{
    (void)lang;
    return kk_json_str(out, r->host);
}

int site_report_text(const struct site_report *r, const char *lang,
                     struct kk_buf *out)
{
    (void)lang;
    return kk_buf_puts(out, r->host);
}
