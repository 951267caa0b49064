/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * demo_guard.c - the demo programme's log guards: the outlets install
 * `kalkan guard` on their web servers during the programme, and from then
 * on the hub has their reports, with the bans of each day (password
 * guessing on WordPress and SSH, scanners, xmlrpc, now and then a flood),
 * the WEB-11 observations those reports make, and each outlet's office
 * network.
 *
 * A real guard reports every minute; the demo keeps one report a day,
 * which is what the pages summarise anyway, so the database stays small.
 * To give the page and the reminders each of their states, the second
 * website's guard stopped four days ago (its heartbeat is stale) and the
 * last website never got one.  Addresses are from the documentation
 * ranges (RFC 5737, RFC 3849).  Every choice comes from hub_demo_below
 * and every id from hub_demo_id: the same seed gives the same rows.
 */
#include <stdio.h>
#include <string.h>

#include "programme.h"

#define DAY INT64_C(86400)
#define HOUR INT64_C(3600)
#define SITES_MAX 32

struct gsite {
    int64_t id, outlet;
};

/* The rules a newsroom's server sees most, with the built-in rules'
 * thresholds and first ban lengths, and how many bans a day at most. */
static const struct {
    const char *rule;
    unsigned hits;
    int64_t bantime;
    unsigned per_day; /* bans a day: below(per_day) */
} kinds[] = {
    {"wp-login", 5, HOUR, 4},   {"ssh-auth", 5, HOUR, 6},
    {"scanner", 5, HOUR, 3},    {"xmlrpc", 20, HOUR, 2},
    {"ssh-probe", 10, HOUR, 2}, {"flood", 600, 600, 1},
};

static int sites_load(struct hub_demo_ctx *x, struct gsite *s, size_t *n)
{
    sqlite3_stmt *st = hub_q(x->c, HUB_Q_DEMO_SITE_WEBSITES);
    int rc = SQLITE_DONE, err = st != NULL ? KK_OK : KK_ERR_IO;
    *n = 0;
    if (err != KK_OK)
        goto out;
    for (rc = sqlite3_step(st); rc == SQLITE_ROW && *n < SITES_MAX;
         rc = sqlite3_step(st)) {
        s[*n].id = sqlite3_column_int64(st, 0);
        s[*n].outlet = sqlite3_column_int64(st, 1);
        (*n)++;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        err = hub_sql_err(rc);
    sqlite3_reset(st);
out:
    return err;
}

/* Runs a prepared insert to its end. */
static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    int err = rc == SQLITE_DONE ? KK_OK : hub_sql_err(rc);
    sqlite3_reset(st);
    return err;
}

/* An attacker's address: IPv4 from the documentation ranges, or an IPv6
 * /64 of 2001:db8::/32, as the guard reports it. */
static void attacker(struct hub_demo_ctx *x, char *out, size_t cap)
{
    if (hub_demo_below(x, 4) == 0)
        snprintf(out, cap, "2001:db8:%x:%x::/64",
                 (unsigned)hub_demo_below(x, 0xffff) + 1,
                 (unsigned)hub_demo_below(x, 0xffff) + 1);
    else
        snprintf(out, cap, "%s.%u",
                 hub_demo_below(x, 2) == 0 ? "203.0.113" : "198.51.100",
                 (unsigned)hub_demo_below(x, 254) + 1);
}

/* One ban between lo and hi (the report's time). */
static int event_put(struct hub_demo_ctx *x, const struct gsite *w,
                     int64_t report, int64_t lo, int64_t hi, size_t k)
{
    sqlite3_stmt *st = hub_q(x->c, HUB_Q_DEMO_GUARD_EVENT);
    char addr[64];
    int64_t at = lo + (int64_t)hub_demo_below(
                          x, (uint64_t)(hi > lo + 60 ? hi - lo : 60));
    int64_t first = at - 60 - (int64_t)hub_demo_below(x, 540);
    unsigned level = hub_demo_below(x, 5) == 0 ? 1u : 0u;
    int err = st != NULL ? KK_OK : KK_ERR_IO;
    if (err != KK_OK)
        return err;
    attacker(x, addr, sizeof addr);
    hub_bind_i64(st, ":id", hub_demo_id(x));
    hub_bind_i64(st, ":outlet", w->outlet);
    hub_bind_i64(st, ":website", w->id);
    hub_bind_i64(st, ":report", report);
    hub_bind_i64(st, ":at", at);
    hub_bind_text(st, ":kind", "ban");
    hub_bind_text(st, ":address", addr);
    hub_bind_text(st, ":rule", kinds[k].rule);
    hub_bind_i64(st, ":hits", kinds[k].hits);
    hub_bind_i64(st, ":first", first);
    hub_bind_i64(st, ":until", at + (kinds[k].bantime << level));
    hub_bind_i64(st, ":level", level);
    return step_done(st);
}

/* One day's report of website w, received at `at`, with its bans. */
static int day_put(struct hub_demo_ctx *x, const struct gsite *w, int64_t by,
                   int64_t started, int64_t day, int64_t at)
{
    sqlite3_stmt *st = hub_q(x->c, HUB_Q_DEMO_GUARD_REPORT);
    unsigned n[sizeof kinds / sizeof kinds[0]], total = 0;
    int64_t report = hub_demo_id(x);
    int err = st != NULL ? KK_OK : KK_ERR_IO;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        n[k] = (unsigned)hub_demo_below(x, kinds[k].per_day + 1);
        if (strcmp(kinds[k].rule, "flood") == 0 && hub_demo_below(x, 8) != 0)
            n[k] = 0;
        total += n[k];
    }
    if (err != KK_OK)
        goto out;
    hub_bind_i64(st, ":id", report);
    hub_bind_i64(st, ":outlet", w->outlet);
    hub_bind_i64(st, ":website", w->id);
    hub_bind_i64(st, ":by", by);
    hub_bind_i64(st, ":at", at);
    hub_bind_i64(st, ":started_at", started);
    hub_bind_text(st, ":host", "web1");
    hub_bind_text(st, ":version", KK_VERSION);
    hub_bind_i64(st, ":lines", 30000 + (int64_t)hub_demo_below(x, 40000));
    hub_bind_i64(st, ":matched", 200 + (int64_t)hub_demo_below(x, 2000));
    hub_bind_i64(st, ":tracked", 20 + (int64_t)hub_demo_below(x, 300));
    hub_bind_i64(st, ":banned", total);
    hub_bind_i64(st, ":events", total);
    err = step_done(st);
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0] && err == KK_OK; k++)
        for (unsigned i = 0; i < n[k] && err == KK_OK; i++)
            err = event_put(x, w, report, day > started ? day : started, at, k);
    st = hub_q(x->c, HUB_Q_DEMO_GUARD_OBS);
    if (err == KK_OK && st == NULL)
        err = KK_ERR_IO;
    if (err == KK_OK) {
        hub_bind_i64(st, ":outlet", w->outlet);
        hub_bind_i64(st, ":website", w->id);
        hub_bind_i64(st, ":at", at);
        hub_bind_i64(st, ":expires", at + 2 * DAY);
        err = step_done(st);
    }
out:
    return err;
}

/* The outlet's office network, registered by its focal point. */
static int network_put(struct hub_demo_ctx *x, const struct gsite *w,
                       int64_t by, size_t i, int64_t at)
{
    sqlite3_stmt *st = hub_q(x->c, HUB_Q_DEMO_GUARD_NET);
    char prefix[32];
    if (st == NULL)
        return KK_ERR_IO;
    snprintf(prefix, sizeof prefix, "192.0.2.%u/28", (unsigned)(i % 16) * 16);
    hub_bind_i64(st, ":id", hub_demo_id(x));
    hub_bind_i64(st, ":outlet", w->outlet);
    hub_bind_text(st, ":prefix", prefix);
    hub_bind_text(st, ":label", "Office");
    hub_bind_i64(st, ":at", at);
    hub_bind_i64(st, ":by", by);
    return step_done(st);
}

int hub_demo_guard(struct hub_demo_ctx *x)
{
    struct gsite s[SITES_MAX];
    size_t n = 0;
    int err = sites_load(x, s, &n);
    /* The last website never gets a guard. */
    for (size_t i = 0; i + 1 < n && err == KK_OK; i++) {
        const struct gsite *w = &s[i];
        int64_t by = hub_demo_focal(x, w->outlet);
        /* Installed in the programme's third to sixth week. */
        int64_t started = x->start + 14 * DAY + (int64_t)i * 5 * DAY +
                          (int64_t)hub_demo_below(x, 8 * HOUR);
        int64_t stop = i == 1 ? x->now - 4 * DAY : x->now - HOUR;
        int64_t day = started - started % DAY;
        if (started >= stop)
            continue;
        err = network_put(x, w, by, i, started);
        for (; err == KK_OK && day < stop; day += DAY) {
            int64_t at = day + DAY - 1;
            if (at > stop)
                at = stop - (int64_t)hub_demo_below(x, 30 * 60);
            err = day_put(x, w, by, started, day, at);
        }
    }
    if (err != KK_OK)
        kk_diag_set(x->d, "demo: the log guards: %s", kk_strerror(err));
    return err;
}
