/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * engine.h - per-address counting, windows on log time, bans, escalation.
 *
 * The engine takes the matcher's hits in log-time order (roughly: lines of
 * several files interleave, and a line may be a few seconds older than the
 * one before) and decides.  Its memory is fixed at creation: at most
 * max_addresses tracked keys, the least recently seen evicted first, so a
 * flood of random addresses cannot grow it.
 *
 * Time is log time only (the hit's t), never the clock; counting keeps it
 * as unsigned 32-bit seconds, so times before 1970 count as 1970 and
 * times after 2106 as 2106.  A rule with maxretry up to
 * GUARD_ENGINE_EXACT_MAX is counted exactly (the latest maxretry event
 * times, sorted); a larger one by a weighted two-bucket estimate.  The
 * exact semantics, and how time going backwards is treated, are written
 * at the top of engine.c.  Not thread-safe: one engine per thread.
 */
#ifndef KALKAN_GUARD_ENGINE_H
#define KALKAN_GUARD_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

#define GUARD_ENGINE_KEYS_MAX 10000000 /* max_addresses accepted */
#define GUARD_ENGINE_EXACT_MAX 32      /* maxretry counted exactly */

struct guard_engine;

/* Called for each decision; b is valid during the call only. */
typedef void (*guard_ban_fn)(void *ctx, const struct guard_ban *b,
                             const struct guard_addr *key);

/* Creates an engine for the rules and settings of c (borrowed: c must
 * outlive the engine; c->allow is read at every hit, so the daemon may
 * add to it between calls).  Memory for max_addresses keys is reserved
 * here (untouched pages cost no resident memory).  KK_ERR_RANGE when
 * max_addresses is 0 or above GUARD_ENGINE_KEYS_MAX, KK_ERR_NOMEM. */
int guard_engine_new(const struct guard_conf *c, struct guard_engine **out,
                     struct kk_diag *d);
void guard_engine_free(struct guard_engine *e);

/*
 * Counts one hit.  Masks the address to the configured prefix; ignores it
 * when the allowlist holds the host address; applies resets (when
 * reset_on_success; a hit with resets only never adds a key); counts it
 * for each rule bit (enabled rules with action ban; the matcher has
 * already set the bits of `count` rules); when a rule reaches maxretry
 * within findtime (on log time) the key is banned, unless an allowlisted
 * prefix lies inside it: ban(ctx, ...) is called once (ban may be NULL),
 * with until = banned_at + bantime times ban_factor per earlier ban within
 * `history` (capped at ban_max), and the key's counters start again.  Hits
 * of a banned key are only counted (guard_engine_take_repeats).  When
 * every tracked key is banned a new address is not counted (stats
 * dropped).  O(1) for each rule bit (eviction amortised).
 */
void guard_engine_hit(struct guard_engine *e, const struct guard_hit *h,
                      guard_ban_fn ban, void *ctx);
/* Ends bans whose until <= now (log time in replay, the clock when live);
 * calls unban(ctx, ...) for each (unban may be NULL), earliest first, and
 * forgets the key (its ban history stays).  O(log n) per ban ended. */
void guard_engine_expire(struct guard_engine *e, int64_t now,
                         guard_ban_fn unban, void *ctx);
/* Lifts a ban or forgets the counters of key (any prefix inside it):
 * KK_ERR_NOTFOUND when nothing was held.  A host address or a prefix as
 * long as the keys finds the key holding it (a host inside a banned /64
 * lifts the /64); a shorter prefix drops every key inside it, which scans
 * the table (O(max_addresses)).  No unban callback is made: the caller
 * lifts the ban in its backend.  The ban history is kept. */
int guard_engine_unban(struct guard_engine *e, const struct guard_addr *key);
/* Restores a ban from the state file at start: the key is b->address as
 * written (not masked again, so a ban made under another prefix length
 * keeps its own), and its history holds at least this ban (level + 1 bans,
 * the last at banned_at).  KK_ERR_INVAL for a bad address, KK_ERR_EXISTS
 * when the key is banned already, KK_ERR_LIMIT when every key is banned. */
int guard_engine_restore(struct guard_engine *e, const struct guard_ban *b);
/* Restores how often a key was banned before (escalation); merged with
 * what is held (the larger count, the later time), so the order of
 * restore calls does not matter.  bans 0 is a no-op. */
int guard_engine_restore_history(struct guard_engine *e,
                                 const struct guard_addr *key, uint32_t bans,
                                 int64_t last);
/* Calls fn for each live ban (status, state file, restore to backend), in
 * no particular order. */
void guard_engine_each_ban(const struct guard_engine *e, guard_ban_fn fn,
                           void *ctx);
/* Calls fn(ctx, key, bans, last) for each key with a ban history that
 * still escalates (the last ban less than `history` before the latest log
 * time seen), least recently banned first. */
typedef void (*guard_hist_fn)(void *ctx, const struct guard_addr *key,
                              uint32_t bans, int64_t last);
void guard_engine_each_history(const struct guard_engine *e, guard_hist_fn fn,
                               void *ctx);

/* Repeat hits of banned keys since the last call, for one summary line
 * per key in the log (fn(ctx, key, count)); the counts are reset.  The
 * repeats of a ban that ended before the call are not reported.  O(live
 * bans). */
typedef void (*guard_repeat_fn)(void *ctx, const struct guard_addr *key,
                                uint64_t count);
void guard_engine_take_repeats(struct guard_engine *e, guard_repeat_fn fn,
                               void *ctx);

struct guard_engine_stats {
    size_t tracked;     /* keys tracked now */
    size_t tracked_max; /* most at once */
    size_t banned;      /* live bans */
    uint64_t evicted;   /* keys dropped to stay within max_addresses */
    uint64_t dropped;   /* hits not counted: every key held a ban */
    size_t bytes;       /* memory reserved by the engine */
};
void guard_engine_stats(const struct guard_engine *e,
                        struct guard_engine_stats *out);

#endif
