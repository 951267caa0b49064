/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * guard_hub.h - the log guard's reports in the hub, shared by its files:
 * the strict reader of a report the guard daemon posts (guard_upload.c),
 * the address and prefix rules, and the section of the website page
 * (guard_pages.c).
 *
 * Everything here is pure and thread-safe but the page section, which
 * writes to its request.
 */
#ifndef KALKAN_HUB_GUARD_HUB_H
#define KALKAN_HUB_GUARD_HUB_H

#include "hub_int.h"
#include "parse.h"

#define HUB_GUARD_EVENTS_MAX 1000 /* events in one report */
#define HUB_GUARD_RULE_MAX 48     /* bytes of a rule name, with NUL */
#define HUB_GUARD_ADDR_MAX 64     /* bytes of an address or prefix text */
#define HUB_GUARD_HOST_MAX 254    /* bytes of a host name, with NUL */
#define HUB_GUARD_VERSION_MAX 32  /* bytes of a version, with NUL */
#define HUB_GUARD_NETS_MAX 64     /* office networks of one outlet */
#define HUB_GUARD_SKEW 300        /* seconds a clock may be ahead */
#define HUB_GUARD_STALE_DAYS 2    /* a heartbeat older than this warns */

struct hub_guard_event {
    int64_t at;
    bool unban;                       /* kind "unban", else "ban" */
    char address[HUB_GUARD_ADDR_MAX]; /* canonical text */
    char rule[HUB_GUARD_RULE_MAX];    /* [a-z0-9-]{1,47} */
    int64_t hits, first, until, level;
};

struct hub_guard_report {
    char host[HUB_GUARD_HOST_MAX];
    char version[HUB_GUARD_VERSION_MAX];
    int64_t started_at, sent_at;
    int64_t lines, matched, tracked, banned;
    struct hub_guard_event *events; /* malloc'd; NULL when none */
    size_t n_events;
};

/*
 * Reads a report of the guard daemon (docs/hub-guard.md) into rep: the
 * object's declared keys only (others are ignored), each of its type and
 * range; host a host name, version a short version text; times ISO 8601
 * text (or Unix seconds) from the year 2000 on and not after now plus
 * HUB_GUARD_SKEW (an event's until may lie ahead); at most
 * HUB_GUARD_EVENTS_MAX events, each a ban or an unban of an address or
 * prefix (written again in canonical text) by a rule [a-z0-9-]{1,47}.
 * All or nothing: KK_ERR_INVAL with *why (a static English sentence)
 * on the first bad field, rep then empty; KK_ERR_NOMEM.  Free with
 * hub_guard_report_clear (also after a failure).
 */
KK_WUR int hub_guard_report_read(const struct hub_jv *root, int64_t now,
                                 struct hub_guard_report *rep,
                                 const char **why);
/* Frees what rep holds and zeroes it; safe twice. */
void hub_guard_report_clear(struct hub_guard_report *rep);

/*
 * Canonical text of an address or prefix: "192.0.2.7", "10.1.0.0/16",
 * "2001:db8:1:2::/64" (RFC 5952; IPv4-mapped IPv6 read as IPv4; host bits
 * cleared; "/LEN" only when shorter than the host length).  min4 and min6
 * are the shortest prefix lengths taken (0: any).  False when text is not
 * one or the prefix is too short.
 */
bool hub_guard_prefix_canon(const char *text, unsigned min4, unsigned min6,
                            char *out, size_t cap);
/* True for a rule name: [a-z0-9-]{1,47}. */
bool hub_guard_rule_ok(const char *name);

/* The website page's "Guard" section (site_pages.c calls it): the last
 * heartbeat and a warning when it is older than HUB_GUARD_STALE_DAYS, the
 * bans of each day of the last 30 by rule, the latest decisions, and the
 * outlet's office networks with the forms to add and remove them.  Errors
 * go to r->err. */
void hub_guard_section(struct hub_req *r, int64_t outlet, int64_t website,
                       bool archived);

#endif
