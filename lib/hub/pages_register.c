/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pages_register.c - the register pages (placeholder table).
 */
#include "hub_int.h"

const struct hub_route hub_routes_register[] = {
    {0, NULL, 0, 0, NULL},
};
