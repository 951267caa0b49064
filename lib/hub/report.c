/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report.c - Reports: indicators at months 0, 3 and 6, donor reports, exports.
 */
#include "programme.h"

const struct hub_route hub_routes_report[] = {
    {0},
};
