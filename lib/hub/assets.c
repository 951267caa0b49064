/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * assets.c - lookup in the table of compiled-in files.
 *
 * A linear scan: the table holds a few dozen entries and is searched once
 * per asset at start-up or per static-file request, far below the cost of
 * the HTTP exchange around it.
 */
#include <string.h>

#include "assets.h"

const struct hub_asset *hub_asset_find(const char *name)
{
    for (const struct hub_asset *a = hub_assets; a->name != NULL; a++) {
        if (strcmp(a->name, name) == 0)
            return a;
    }
    return NULL;
}
