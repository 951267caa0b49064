/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * demo_selection.c - the demo programme's selection rows.
 */
#include "programme.h"

int hub_demo_selection(struct hub_demo_ctx *x)
{
    (void)x;
    return KK_OK;
}
