/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * training.c - Training: the curriculum, sessions and attendance.
 */
#include "programme.h"

const struct hub_route hub_routes_training[] = {
    {0},
};
