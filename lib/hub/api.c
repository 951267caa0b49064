/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api.c - the JSON API under /api/v1/ (placeholder table).
 */
#include "hub_int.h"

const struct hub_route hub_routes_api[] = {
    {0, NULL, 0, 0, NULL},
};
