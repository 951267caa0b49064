/* SPDX-License-Identifier: GPL-3.0-or-later */
/* exposure.c - placeholder; see site_int.h. */
#include "site_int.h"

int site_check_exposure(struct site_ctx *c)
{
    (void)c;
    return KK_OK;
}
