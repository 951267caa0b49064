/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rules_data.h - the built-in rules (data/rules.conf), compiled in by
 * cmake/embed.cmake so that the guard needs no data file at run time.
 */
#ifndef KALKAN_GUARD_RULES_DATA_H
#define KALKAN_GUARD_RULES_DATA_H

#include <stddef.h>

struct guard_text_file {
    const char *name;
    const unsigned char *data;
    size_t len;
};

/* Ends with an entry whose name is NULL. */
extern const struct guard_text_file guard_rules_files[];

#endif
