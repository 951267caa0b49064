/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * guard.h - the log guard: follows web-server and SSH logs, detects
 * password guessing, scanners, floods and malformed requests, and bans the
 * addresses behind them.
 *
 * Life cycle: a configuration (guard_conf: the built-in rules plus the
 * user's file) is loaded once and is immutable; guard_replay runs the
 * engine over existing logs and returns its decisions; guard_run is the
 * daemon; guard_ctl talks to a running daemon.  Windows run on the time
 * written in each log line, so a replay gives the same bans at the same
 * times as the live run.  See docs/guard.md.
 */
#ifndef KALKAN_GUARD_H
#define KALKAN_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kalkan/kk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Configuration ---- */

struct guard_conf;

/*
 * Loads the built-in rules and settings, then the file at path on top of
 * them (path NULL: the built-in configuration alone).  A bad key, value or
 * rule fails with KK_ERR_INVAL and d names the file and line:
 * "guard.conf: line 12: rule 'wp-login': bad regex: ...".  The caller
 * frees *out with guard_conf_free.  Thread-safe (no shared state).
 */
KK_API KK_WUR int guard_conf_load(const char *path, struct guard_conf **out,
                                  struct kk_diag *d);
/* The same from text in memory; name is used in messages. */
KK_API KK_WUR int guard_conf_parse(const char *text, size_t len,
                                   const char *name, struct guard_conf **out,
                                   struct kk_diag *d);
KK_API void guard_conf_free(struct guard_conf *c);
/* Appends the rules in effect (after the user's file) and the main
 * settings: a table for people, or one JSON document when json. */
KK_API KK_WUR int guard_conf_describe(const struct guard_conf *c, bool json,
                                      struct kk_buf *out);

/* ---- Decisions ---- */

#define GUARD_ADDR_TEXT_MAX 64 /* "ffff:...:ffff/128" and a NUL */
#define GUARD_NAME_MAX 48      /* bytes in a rule name, with the NUL */

/* One ban decision. */
struct guard_ban {
    char address[GUARD_ADDR_TEXT_MAX]; /* "192.0.2.7" or "2001:db8:1:2::/64" */
    char rule[GUARD_NAME_MAX];         /* the rule that banned */
    uint32_t hits;                     /* events counted toward the ban */
    int64_t first;                     /* log time of the first such event */
    int64_t banned_at;                 /* log time of the event that banned */
    int64_t until;                     /* banned_at + the ban's duration */
    uint32_t level;                    /* 0 first ban, 1 second, ... */
};

/* ---- Replay ---- */

struct guard_replay_opts {
    /* When set, every matched line is written here as
     * "address<TAB>rule<TAB>log-time<TAB>file:line\n" (investigation, and
     * the parity test against fail2ban-regex). */
    FILE *matches;
    /* When set, called now and then with bytes read so far and the total,
     * for a progress line. */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
};

struct guard_replay {
    uint64_t lines;         /* log lines (or journal records) read */
    uint64_t matched;       /* lines that at least one rule matched */
    uint64_t unparsed;      /* lines no format could read */
    struct guard_ban *bans; /* in the order they were decided */
    size_t nbans;
    int64_t elapsed_ms;
    size_t tracked_max; /* most addresses tracked at once */
};

/*
 * Runs the engine over the logs at paths (each file read from its start;
 * "-" is standard input) in the given order, as the daemon would have run
 * over them.  Several files are merged by log time.  Returns KK_ERR_IO
 * with d naming the file when one cannot be read.  The caller frees *out
 * with guard_replay_free.
 */
KK_API KK_WUR int guard_replay_run(const struct guard_conf *c,
                                   const char *const *paths, size_t npaths,
                                   const struct guard_replay_opts *o,
                                   struct guard_replay **out,
                                   struct kk_diag *d);
/* Appends the replay as the JSON document of docs/guard.md:
 * {"lines","matched","bans":[{"address","rule","hits","first",
 * "banned_at","until"}],"elapsed_ms"}, times in ISO 8601 UTC. */
KK_API KK_WUR int guard_replay_json(const struct guard_replay *r,
                                    struct kk_buf *out);
KK_API void guard_replay_free(struct guard_replay *r);

/* ---- The daemon ---- */

struct guard_run_opts {
    bool foreground;   /* log to stderr as well as syslog */
    bool once;         /* read what is there, act, and stop (tests) */
    const char *ready; /* when set, a file written once the daemon follows
                          its logs and has restored its bans (tests) */
};

/*
 * Follows the configured logs and bans until SIGTERM or SIGINT.  Forks the
 * privileged firewall writer (when the backend needs one) before dropping
 * privileges.  Returns KK_OK after a clean stop, an error with d filled
 * when it could not start.
 */
KK_API KK_WUR int guard_run(const struct guard_conf *c,
                            const struct guard_run_opts *o, struct kk_diag *d);

/*
 * Sends one request to the running daemon through its control socket and
 * appends the daemon's JSON reply to reply.  verb is "status", "unban" or
 * "allow"; arg is the address or prefix (NULL for status).  Returns
 * KK_ERR_NOTFOUND when no daemon listens, KK_ERR_INVAL when the daemon
 * refused the request (d says why).
 */
KK_API KK_WUR int guard_ctl(const struct guard_conf *c, const char *verb,
                            const char *arg, struct kk_buf *reply,
                            struct kk_diag *d);

#ifdef __cplusplus
}
#endif

#endif
