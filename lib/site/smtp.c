/* SPDX-License-Identifier: GPL-3.0-or-later */
/* smtp.c - placeholder; see site_int.h. */
#include "site_int.h"

int site_check_smtp(struct site_ctx *c)
{
    (void)c;
    return KK_OK;
}
