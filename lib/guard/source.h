/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * source.h - one log as the engine sees it: lines in, hits out.
 *
 * A source knows its format (given, or detected from its first lines),
 * keeps the clock cache for BSD syslog stamps and the journal reader, and
 * turns each line into at most a few hits through the matcher.  The replay
 * and the daemon both feed lines through here, so they decide alike.
 */
#ifndef KALKAN_GUARD_SOURCE_H
#define KALKAN_GUARD_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "conf.h"

#define GUARD_SOURCE_HITS 8 /* hits one feed may give (journal records) */

struct guard_source;

/* ref: the time BSD syslog stamps are placed near (the file's mtime, or
 * now).  name: used in "--matches" output. */
int guard_source_new(enum guard_fmt fmt, int64_t ref, const char *name,
                     struct guard_source **out);
void guard_source_free(struct guard_source *s);
enum guard_fmt guard_source_fmt(const struct guard_source *s);

struct guard_source_counts {
    uint64_t lines;    /* lines (journal: records) seen */
    uint64_t matched;  /* of which a rule matched */
    uint64_t unparsed; /* of which no reader could read */
    int64_t last_t;    /* the latest log time seen, 0 before any */
};

/*
 * Reads one line (journal: a chunk of bytes) and fills hits[0..*n) with
 * what the rules make of it (only hits with a rule or reset bit).  When
 * matches is set, writes one "address<TAB>rule<TAB>time<TAB>name:line"
 * row per rule bit.  Never fails: an unreadable line is counted.
 */
void guard_source_feed(struct guard_source *s, struct guard_matcher *m,
                       const struct guard_conf *c, const char *line, size_t len,
                       FILE *matches, struct guard_hit hits[GUARD_SOURCE_HITS],
                       size_t *n);
void guard_source_counts(const struct guard_source *s,
                         struct guard_source_counts *out);

#endif
