/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * assets.h - files of web/ and lib/hub/migrations/ compiled into the hub.
 *
 * cmake/embed.cmake writes the table; names are paths relative to the
 * source tree ("web/static/kalkan.css").  Every asset is followed by a NUL
 * byte that is not counted in len, so text assets can be used as C strings.
 */
#ifndef KALKAN_HUB_ASSETS_H
#define KALKAN_HUB_ASSETS_H

#include <stddef.h>

struct hub_asset {
    const char *name;
    const unsigned char *data;
    size_t len;
};

/* The table, ended by an entry whose name is NULL; sorted by name. */
extern const struct hub_asset hub_assets[];

/* The asset called name, or NULL.  Thread-safe. */
const struct hub_asset *hub_asset_find(const char *name);

#endif
