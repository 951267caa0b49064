/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * follow.h - following log files, and the daemon's state on disk.
 *
 * A follower reads each configured file from its stored position and then
 * as it grows (inotify on the file and its directory): a rotated file
 * (renamed or removed, a new one created) is read to its end before the
 * new one is opened; a truncated file is read again from its start; a
 * missing file is waited for.  The position of a file is its device,
 * inode, the offset after the last complete line handed out and a hash of
 * that line, so a restart resumes exactly there (and starts again from 0
 * when the file at the path is no longer the same file).
 */
#ifndef KALKAN_GUARD_FOLLOW_H
#define KALKAN_GUARD_FOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

struct guard_pos {
    uint64_t dev, ino;
    uint64_t offset;
    uint64_t hash; /* of the last complete line before offset; 0 at 0 */
};

struct guard_follow;

/* Called for every complete line (without its newline) of log index i;
 * journal files are passed through as they come (line = the bytes, the
 * reader's guard_journal_feed splits them). */
typedef void (*guard_line_fn)(void *ctx, size_t log, const char *line,
                              size_t len);

/* Opens the logs of c (missing ones are waited for), each at its stored
 * position pos[i] when have[i] (and the file is still the same file), else
 * from its start.  pos and have may be NULL. */
int guard_follow_new(const struct guard_conf *c, const struct guard_pos *pos,
                     const bool *have, struct guard_follow **out,
                     struct kk_diag *d);
void guard_follow_free(struct guard_follow *f);
/* The inotify descriptor to wait on (readable when something changed). */
int guard_follow_fd(const struct guard_follow *f);
/* Reads everything new in every file (rotation, truncation and creation
 * handled), calling fn per line, at most max_bytes in total (0: no limit)
 * so that a huge backlog does not starve the rest of the loop.  Returns
 * KK_OK, with *more set when data remains. */
int guard_follow_read(struct guard_follow *f, guard_line_fn fn, void *ctx,
                      size_t max_bytes, bool *more);
/* The current position of log i (after the last line handed out). */
void guard_follow_pos(const struct guard_follow *f, size_t i,
                      struct guard_pos *out);

/* ---- State file: positions, bans, ban history, runtime allowlist ---- */

struct guard_state {
    struct guard_pos pos[GUARD_LOGS_MAX];
    bool have_pos[GUARD_LOGS_MAX];
    struct guard_ban *bans;
    size_t nbans;
    struct guard_state_hist {
        struct guard_addr key;
        uint32_t bans;
        int64_t last;
    } *hist;
    size_t nhist;
    struct guard_addrset *allow; /* added with `guard allow` */
};

/* Reads dir/state (absent: an empty state).  Positions are matched to the
 * configured logs by path.  A damaged file is KK_ERR_CORRUPT with d giving
 * the line. */
int guard_state_load(const struct guard_conf *c, struct guard_state *out,
                     struct kk_diag *d);
/* Writes it atomically (temporary file, fsync, rename). */
int guard_state_save(const struct guard_conf *c, const struct guard_state *s,
                     struct kk_diag *d);
void guard_state_clear(struct guard_state *s);

#endif
