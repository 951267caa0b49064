/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * incident.c - Incidents: cases, the incident clock, triage guidance.
 */
#include "programme.h"

const struct hub_route hub_routes_incident[] = {
    {0},
};
