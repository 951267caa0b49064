/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pages.c - dashboards (placeholder table).
 */
#include "hub_int.h"

const struct hub_route hub_routes_pages[] = {
    {0, NULL, 0, 0, NULL},
};
