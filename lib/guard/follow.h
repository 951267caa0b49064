/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * follow.h - following log files, and the daemon's state on disk.
 *
 * A follower reads each configured file from its stored position and then
 * as it grows (inotify on the file and its directory): a rotated file
 * (renamed or removed, a new one created) is read to its end, then the new
 * one from its start, and the old one is still read for a grace period
 * since a writer appends to it until it reopens its log; a truncated file
 * is read again from its start; a missing file is waited for.  The position of
 * a file is its device, inode, the offset after the last complete line handed
 * out and a hash of that line, so a restart resumes exactly there (and starts
 * again from 0 when the file at the path is no longer the same file).  A file
 * rotated while the daemon was stopped is found again only under its first
 * rotated name, PATH.1: renamed elsewhere, what was appended to it after
 * the stop is not read.
 *
 * The state file (STATE_DIR/state) is text, one record a line, fields
 * separated by one space, the first line "kalkan-guard-state 1" and the
 * last "end":
 *   pos DEV INO OFFSET HASH PATH        HASH 16 hex digits; PATH with
 *                                       bytes <= 0x20, 0x7f and '%' as %XX
 *   ban ADDRESS RULE HITS FIRST BANNED_AT UNTIL LEVEL   times Unix seconds
 *   hist KEY BANS LAST
 *   allow PREFIX
 * A file of a newer version may hold record types this one skips, and
 * more fields at the end of the known ones.
 */
#ifndef KALKAN_GUARD_FOLLOW_H
#define KALKAN_GUARD_FOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

#define GUARD_STATE_MAX (64u * 1024 * 1024) /* bytes in the state file */
#define GUARD_STATE_LINE_MAX 16384          /* bytes in one of its lines */
#define GUARD_STATE_BANS_MAX (1u << 20)     /* live bans it may hold */
#define GUARD_STATE_HIST_MAX (1u << 20)     /* ban histories */
#define GUARD_STATE_ALLOW_MAX 4096          /* runtime allowlist prefixes */
#define GUARD_STATE_VERSION 1
#define GUARD_FOLLOW_GRACE 60 /* seconds a rotated file is still read */

struct guard_pos {
    uint64_t dev, ino;
    uint64_t offset;
    uint64_t hash; /* of the last complete line before offset; 0 at 0 */
};

struct guard_follow;

/* Called for every complete line (without its newline; nothing else is
 * stripped) of log index i, cut to GUARD_LINE_MAX bytes.  Journal exports
 * are cut into lines too (the source hands the newline back to the journal
 * reader, which reassembles binary fields).  line is valid during the call
 * only; fn must not call the follower. */
typedef void (*guard_line_fn)(void *ctx, size_t log, const char *line,
                              size_t len);

/* The hash kept in a position: FNV-1a (64 bits) of the line's last
 * GUARD_LINE_MAX bytes at most, without its newline. */
uint64_t guard_line_hash(const char *p, size_t len);

/* Opens the logs of c (missing ones are waited for), each at its stored
 * position pos[i] when have[i] (have NULL: every pos[i]) and the file is
 * still the same file, or at PATH.1 when that is the stored file, else
 * from its start.  pos and have may be NULL.  KK_ERR_SYSTEM when inotify
 * cannot be set up, KK_ERR_PERM or KK_ERR_IO (d names the file) when a
 * log exists but cannot be opened.  c is not kept. */
int guard_follow_new(const struct guard_conf *c, const struct guard_pos *pos,
                     const bool *have, struct guard_follow **out,
                     struct kk_diag *d);
void guard_follow_free(struct guard_follow *f);
/* How long a file rotated away stays open after the last bytes it gave
 * (default GUARD_FOLLOW_GRACE; 0: closed at its end; tests). */
void guard_follow_set_grace(struct guard_follow *f, unsigned seconds);
/* The inotify descriptor to wait on (readable when something changed). */
int guard_follow_fd(const struct guard_follow *f);
/* Reads everything new in every file (rotation, truncation and creation
 * handled), calling fn per line, at most max_bytes in total (0: no limit)
 * so that a huge backlog does not starve the rest of the loop; files take
 * turns of 64 KiB.  Returns KK_OK, with *more set when data remains (call
 * again without waiting), KK_ERR_IO when a read failed, KK_ERR_NOMEM.
 * Call it also now and then without an event: a log whose directory did
 * not exist at start is watched only once the directory appears. */
int guard_follow_read(struct guard_follow *f, guard_line_fn fn, void *ctx,
                      size_t max_bytes, bool *more);
/* The current position of log i (after the last line handed out in the
 * file at its path, or the file that was there while the path names
 * none); all zero while there is none. */
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
    } * hist;
    size_t nhist;
    struct guard_addrset *allow; /* added with `guard allow` */
};

/* Reads dir/state (absent: an empty state).  Positions are matched to the
 * configured logs by path (those of logs no longer configured are
 * dropped).  A damaged file is KK_ERR_CORRUPT with d giving the line,
 * KK_ERR_LIMIT past the GUARD_STATE_* limits.  *out (allow never NULL) is
 * set only on success; free it with guard_state_clear. */
int guard_state_load(const struct guard_conf *c, struct guard_state *out,
                     struct kk_diag *d);
/* The same from len bytes of text; name is used in messages. */
int guard_state_parse(const struct guard_conf *c, const char *text, size_t len,
                      const char *name, struct guard_state *out,
                      struct kk_diag *d);
/* Writes it atomically (temporary file in the same directory, fsync,
 * rename, fsync of the directory), mode 0600; the directory is created
 * 0700 when missing. */
int guard_state_save(const struct guard_conf *c, const struct guard_state *s,
                     struct kk_diag *d);
/* Appends the text of s to b (the positions of the logs of c that have
 * one). */
int guard_state_format(const struct guard_conf *c, const struct guard_state *s,
                       struct kk_buf *b);
/* Frees what s holds and zeroes it; NULL is a no-op. */
void guard_state_clear(struct guard_state *s);

#endif
