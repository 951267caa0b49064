/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * site_texts.h - the files of lib/site/text/ compiled in by
 * cmake/embed.cmake: one per language ("lib/site/text/en.txt").  Each is
 * followed by a NUL byte not counted in len.
 */
#ifndef KALKAN_SITE_TEXTS_H
#define KALKAN_SITE_TEXTS_H

#include <stddef.h>

struct site_text_file {
    const char *name;
    const unsigned char *data;
    size_t len;
};

/* Ended by an entry whose name is NULL; sorted by name. */
extern const struct site_text_file site_text_files[];

#endif
