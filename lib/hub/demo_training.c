/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * demo_training.c - the demo programme's training rows.
 */
#include "programme.h"

int hub_demo_training(struct hub_demo_ctx *x)
{
    (void)x;
    return KK_OK;
}
