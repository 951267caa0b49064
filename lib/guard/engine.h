/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * engine.h - per-address counting, windows on log time, bans, escalation.
 *
 * The engine takes the matcher's hits in log-time order (roughly: lines of
 * several files interleave, and a line may be a few seconds older than the
 * one before) and decides.  Its memory is fixed at creation: at most
 * max_addresses tracked keys, the least recently seen evicted first, so a
 * flood of random addresses cannot grow it.
 */
#ifndef KALKAN_GUARD_ENGINE_H
#define KALKAN_GUARD_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

struct guard_engine;

/* Called for each decision; b is valid during the call only. */
typedef void (*guard_ban_fn)(void *ctx, const struct guard_ban *b,
                             const struct guard_addr *key);

/* Creates an engine for the rules and settings of c (borrowed: c must
 * outlive the engine).  Memory for max_addresses keys is reserved here. */
int guard_engine_new(const struct guard_conf *c, struct guard_engine **out,
                     struct kk_diag *d);
void guard_engine_free(struct guard_engine *e);

/*
 * Counts one hit.  Masks the address to the configured prefix; ignores it
 * when the allowlist holds it; applies resets; counts it for each rule bit;
 * when a rule reaches maxretry within findtime (on log time) the key is
 * banned: ban(ctx, ...) is called once, with until = t + bantime times
 * ban_factor per earlier ban within `history` (capped at ban_max).  Hits of
 * a banned key are only counted (guard_engine_take_repeats).
 */
void guard_engine_hit(struct guard_engine *e, const struct guard_hit *h,
                      guard_ban_fn ban, void *ctx);
/* Ends bans whose until <= now (log time in replay, the clock when live);
 * calls unban(ctx, ...) for each.  O(number ended). */
void guard_engine_expire(struct guard_engine *e, int64_t now,
                         guard_ban_fn unban, void *ctx);
/* Lifts a ban or forgets the counters of key (any prefix inside it):
 * KK_ERR_NOTFOUND when nothing was held. */
int guard_engine_unban(struct guard_engine *e, const struct guard_addr *key);
/* Restores a ban from the state file at start (escalation history too). */
int guard_engine_restore(struct guard_engine *e, const struct guard_ban *b);
/* Restores how often a key was banned before (escalation). */
int guard_engine_restore_history(struct guard_engine *e,
                                 const struct guard_addr *key, uint32_t bans,
                                 int64_t last);
/* Calls fn for each live ban (status, state file, restore to backend). */
void guard_engine_each_ban(const struct guard_engine *e, guard_ban_fn fn,
                           void *ctx);
/* Calls fn(ctx, key, bans, last) for each key with a ban history. */
typedef void (*guard_hist_fn)(void *ctx, const struct guard_addr *key,
                              uint32_t bans, int64_t last);
void guard_engine_each_history(const struct guard_engine *e, guard_hist_fn fn,
                               void *ctx);

/* Repeat hits of banned keys since the last call, for one summary line
 * per key in the log (fn(ctx, key, count)); the counts are reset. */
typedef void (*guard_repeat_fn)(void *ctx, const struct guard_addr *key,
                                uint64_t count);
void guard_engine_take_repeats(struct guard_engine *e, guard_repeat_fn fn,
                               void *ctx);

struct guard_engine_stats {
    size_t tracked;     /* keys tracked now */
    size_t tracked_max; /* most at once */
    size_t banned;      /* live bans */
    uint64_t evicted;   /* keys dropped to stay within max_addresses */
    size_t bytes;       /* memory reserved by the engine */
};
void guard_engine_stats(const struct guard_engine *e,
                        struct guard_engine_stats *out);

#endif
