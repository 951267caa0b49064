/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * assess.c - Assessments, the risk matrix, findings and their tasks.
 */
#include "programme.h"

const struct hub_route hub_routes_assess[] = {
    {0},
};
