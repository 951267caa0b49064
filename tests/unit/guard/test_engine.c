/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_engine.c - the engine's decisions on hand-made hits: the window of
 * each rule, IPv6 keys, the allowlist, resets, slow (count) rules, the
 * flood estimate, escalation, expiry, unban and restore, eviction under
 * many more addresses than it may track, determinism, and time going
 * backwards.  The configuration is built by hand, not parsed.  Two tests
 * print figures (bytes per key, resident memory, hits per second); only
 * the memory ceiling is asserted, and not under sanitizers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "guard_int.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

/* Rule bits of the hand-made configuration. */
enum {
    R_LOGIN = 0, /* 5 in 10 min, 1 h */
    R_SLOW,      /* counts wp-login: 20 in 24 h, 1 d */
    R_OK,        /* reset of wp-login and wp-slow */
    R_FLOOD,     /* 600 in 60 s, 10 min */
    R_XMLRPC,    /* 20 in 1 min, 1 h */
    R_OFF,       /* disabled */
    R_COUNT,
};
#define B(r) (1ull << (r))

#define MAX_BANS 4096

struct rec {
    struct guard_ban bans[MAX_BANS];
    size_t n;
    struct guard_ban unbans[MAX_BANS];
    size_t nun;
};

static void set_rule(struct guard_rule *r, const char *name,
                     enum guard_action act, uint32_t maxretry,
                     uint32_t findtime, uint32_t bantime)
{
    snprintf(r->name, sizeof r->name, "%s", name);
    r->enabled = true;
    r->action = act;
    r->count_of = -1;
    r->maxretry = maxretry;
    r->findtime = findtime;
    r->bantime = bantime;
}

static struct guard_conf *conf_new(size_t max_addresses)
{
    struct guard_conf *c = calloc(1, sizeof *c);

    assert_non_null(c);
    c->v4_prefix = 32;
    c->v6_prefix = 64;
    c->max_addresses = max_addresses;
    c->ban_factor = 2;
    c->ban_max = 7 * 86400;
    c->history = 7 * 86400;
    c->reset_on_success = true;
    set_rule(&c->rules[R_LOGIN], "wp-login", GUARD_ACT_BAN, 5, 600, 3600);
    set_rule(&c->rules[R_SLOW], "wp-slow", GUARD_ACT_BAN, 20, 86400, 86400);
    c->rules[R_SLOW].count_of = R_LOGIN;
    set_rule(&c->rules[R_OK], "wp-ok", GUARD_ACT_RESET, 0, 0, 0);
    c->rules[R_OK].resets = B(R_LOGIN) | B(R_SLOW);
    set_rule(&c->rules[R_FLOOD], "flood", GUARD_ACT_BAN, 600, 60, 600);
    set_rule(&c->rules[R_XMLRPC], "xmlrpc", GUARD_ACT_BAN, 20, 60, 3600);
    set_rule(&c->rules[R_OFF], "off", GUARD_ACT_BAN, 1, 60, 60);
    c->rules[R_OFF].enabled = false;
    c->nrules = R_COUNT;
    return c;
}

static void conf_free(struct guard_conf *c)
{
    if (c != NULL) {
        guard_addrset_free(c->allow);
        free(c);
    }
}

static struct guard_engine *engine_new(const struct guard_conf *c)
{
    struct guard_engine *e = NULL;
    struct kk_diag d;

    assert_int_equal(guard_engine_new(c, &e, &d), KK_OK);
    assert_non_null(e);
    return e;
}

static void on_ban(void *ctx, const struct guard_ban *b,
                   const struct guard_addr *key)
{
    struct rec *r = ctx;
    char text[GUARD_ADDR_TEXT_MAX];

    /* the key handed over is the one the text names */
    assert_int_equal(guard_addr_format(key, text, sizeof text), KK_OK);
    assert_string_equal(text, b->address);
    assert_true(r->n < MAX_BANS);
    r->bans[r->n++] = *b;
}

static void on_unban(void *ctx, const struct guard_ban *b,
                     const struct guard_addr *key)
{
    struct rec *r = ctx;

    (void)key;
    assert_true(r->nun < MAX_BANS);
    r->unbans[r->nun++] = *b;
}

static struct guard_addr addr(const char *s)
{
    struct guard_addr a;

    assert_int_equal(guard_addr_parse_prefix(s, strlen(s), &a), KK_OK);
    return a;
}

static void hit(struct guard_engine *e, struct rec *r, const char *a, int64_t t,
                uint64_t rules, uint64_t resets)
{
    struct guard_hit h;

    memset(&h, 0, sizeof h);
    h.addr = addr(a);
    h.t = t;
    h.rules = rules;
    h.resets = resets;
    guard_engine_hit(e, &h, on_ban, r);
}

static void hit_addr(struct guard_engine *e, struct rec *r,
                     const struct guard_addr *a, int64_t t, uint64_t rules)
{
    struct guard_hit h;

    memset(&h, 0, sizeof h);
    h.addr = *a;
    h.t = t;
    h.rules = rules;
    guard_engine_hit(e, &h, on_ban, r);
}

static size_t banned(const struct guard_engine *e)
{
    struct guard_engine_stats st;

    guard_engine_stats(e, &st);
    return st.banned;
}

/* xorshift64*: a fixed sequence of test addresses */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dull;
}

static struct guard_addr rand_v4(uint64_t *s)
{
    struct guard_addr a;
    uint64_t v = next_rand(s);

    memset(&a, 0, sizeof a);
    a.family = 4;
    a.plen = 32;
    memcpy(a.b, &v, 4);
    a.b[0] = (uint8_t)(a.b[0] | 1); /* never 0.x.x.x */
    return a;
}

/* The i-th of 2^32 distinct IPv4 addresses, in a scattered order. */
static struct guard_addr uniq_v4(uint32_t i)
{
    struct guard_addr a;
    uint32_t v = i * 2654435761u; /* odd: a bijection of 32-bit values */

    memset(&a, 0, sizeof a);
    a.family = 4;
    a.plen = 32;
    memcpy(a.b, &v, 4);
    return a;
}

static long rss_kib(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    size_t n = strlen(field);

    if (f == NULL) {
        return -1;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            kib = strtol(line + n + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kib;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- Windows ---- */

static void engine_bans_at_the_maxretry_th_event_within_findtime(void **st)
{
    struct guard_conf *c = conf_new(1000);
    struct guard_engine *e = engine_new(c);
    struct rec *r = calloc(1, sizeof *r);
    const int64_t t0 = 1796000000;

    (void)st;
    for (int i = 0; i < 4; i++) {
        hit(e, r, "192.0.2.7", t0 + i * 100, B(R_LOGIN), 0);
    }
    assert_int_equal(r->n, 0);
    assert_int_equal(banned(e), 0);
    hit(e, r, "192.0.2.7", t0 + 400, B(R_LOGIN), 0);
    assert_int_equal(r->n, 1);
    assert_string_equal(r->bans[0].address, "192.0.2.7");
    assert_string_equal(r->bans[0].rule, "wp-login");
    assert_int_equal(r->bans[0].hits, 5);
    assert_int_equal(r->bans[0].first, t0);
    assert_int_equal(r->bans[0].banned_at, t0 + 400);
    assert_int_equal(r->bans[0].until, t0 + 400 + 3600);
    assert_int_equal(r->bans[0].level, 0);
    assert_int_equal(banned(e), 1);
    /* banned: further hits decide nothing */
    hit(e, r, "192.0.2.7", t0 + 401, B(R_LOGIN), 0);
    assert_int_equal(r->n, 1);
    /* another address has its own counter */
    for (int i = 0; i < 4; i++) {
        hit(e, r, "192.0.2.8", t0 + i, B(R_LOGIN), 0);
    }
    assert_int_equal(r->n, 1);
    guard_engine_free(e);
    conf_free(c);
    free(r);
}

static void engine_does_not_ban_events_spread_wider_than_findtime(void **st)
{
    struct guard_conf *c = conf_new(1000);
    struct guard_engine *e = engine_new(c);
    struct rec *r = calloc(1, sizeof *r);
    const int64_t t0 = 1796000000;

    (void)st;
    /* one every 151 s: any 5 span 604 s, more than 600 */
    for (int i = 0; i < 200; i++) {
        hit(e, r, "192.0.2.7", t0 + i * 151, B(R_LOGIN), 0);
    }
    assert_int_equal(r->n, 0);
    /* one every 150 s: 5 span exactly 600 s, which is within */
    for (int i = 0; i < 5; i++) {
        hit(e, r, "192.0.2.9", t0 + i * 150, B(R_LOGIN), 0);
    }
    assert_int_equal(r->n, 1);
    assert_string_equal(r->bans[0].address, "192.0.2.9");
    /* a disabled rule and an unknown bit count for nothing */
    for (int i = 0; i < 50; i++) {
        hit(e, r, "192.0.2.10", t0 + i, B(R_OFF) | B(40), 0);
    }
    assert_int_equal(r->n, 1);
    guard_engine_free(e);
    conf_free(c);
    free(r);
}

static void engine_counts_an_ipv6_64_together_and_bans_the_64(void **st)
{
    struct guard_conf *c = conf_new(1000);
    struct guard_engine *e = engine_new(c);
    struct rec *r = calloc(1, sizeof *r);
    const char *hosts[] = {"2001:db8:1:2::1", "2001:db8:1:2::2",
                           "2001:db8:1:2:ffff::9", "2001:db8:1:2:1:2:3:4",
                           "2001:db8:1:2::5"};
    struct guard_engine_stats s;

    (void)st;
    for (int i = 0; i < 4; i++) {
        hit(e, r, hosts[i], 1000 + i, B(R_LOGIN), 0);
        /* a neighbouring /64 is another key */
        hit(e, r, "2001:db8:1:3::1", 1000 + i, B(R_LOGIN), 0);
    }
    assert_int_equal(r->n, 0);
    guard_engine_stats(e, &s);
    assert_int_equal(s.tracked, 2);
    hit(e, r, hosts[4], 1004, B(R_LOGIN), 0);
    assert_int_equal(r->n, 1);
    assert_string_equal(r->bans[0].address, "2001:db8:1:2::/64");
    guard_engine_free(e);

    /* with v6_prefix 128 every host is its own key */
    c->v6_prefix = 128;
    e = engine_new(c);
    r->n = 0;
    for (int i = 0; i < 5; i++) {
        hit(e, r, hosts[i], 1000 + i, B(R_LOGIN), 0);
    }
    assert_int_equal(r->n, 0);
    guard_engine_free(e);
    conf_free(c);
    free(r);
}

static void engine_never_bans_allowlisted_addresses(void **st)
{
    struct guard_conf *c = conf_new(1000);
    struct guard_engine *e;
    struct rec *r = calloc(1, sizeof *r);
    struct guard_addr p;
    struct guard_engine_stats s;

    (void)st;
    c->allow = guard_addrset_new();
    assert_non_null(c->allow);
    p = addr("203.0.113.0/24");
    assert_int_equal(guard_addrset_add(c->allow, &p), KK_OK);
    p = addr("2001:db8:5:6::77");
    assert_int_equal(guard_addrset_add(c->allow, &p), KK_OK);
    e = engine_new(c);
    for (int i = 0; i < 2000; i++) {
        hit(e, r, "203.0.113.9", 1000 + i / 10,
            B(R_LOGIN) | B(R_FLOOD) | B(R_XMLRPC), 0);
    }
    assert_int_equal(r->n, 0);
    guard_engine_stats(e, &s);
    assert_int_equal(s.tracked, 0);
    /* an office host allowed inside a /64: its neighbours count, but the
     * /64 that holds it is never banned */
    for (int i = 0; i < 50; i++) {
        hit(e, r, "2001:db8:5:6::1", 1000 + i, B(R_LOGIN), 0);
    }
    assert_int_equal(r->n, 0);
    /* an address outside every allowed prefix is banned as usual */
    for (int i = 0; i < 5; i++) {
        hit(e, r, "203.0.114.9", 1000 + i, B(R_LOGIN), 0);
    }
    assert_int_equal(r->n, 1);
    guard_engine_free(e);
    conf_free(c);
    free(r);
}

static void engine_reset_clears_the_counters_it_names(void **st)
{
    struct guard_conf *c = conf_new(1000);
    struct guard_engine *e = engine_new(c);
    struct rec *r = calloc(1, sizeof *r);

    (void)st;
    for (int i = 0; i < 4; i++) {
        hit(e, r, "192.0.2.7", 1000 + i, B(R_LOGIN) | B(R_SLOW), 0);
    }
    /* a successful login: the line matches only the reset rule */
    hit(e, r, "192.0.2.7", 1004, 0, c->rules[R_OK].resets);
    for (int i = 0; i < 4; i++) {
        hit(e, r, "192.0.2.7", 1005 + i, B(R_LOGIN) | B(R_SLOW), 0);
    }
    assert_int_equal(r->n, 0);
    hit(e, r, "192.0.2.7", 1010, B(R_LOGIN) | B(R_SLOW), 0);
    assert_int_equal(r->n, 1);
    assert_int_equal(r->bans[0].first, 1005);
    /* a reset of another rule leaves wp-login alone */
    for (int i = 0; i < 4; i++) {
        hit(e, r, "192.0.2.8", 1000 + i, B(R_LOGIN), 0);
    }
    hit(e, r, "192.0.2.8", 1004, 0, B(R_XMLRPC));
    hit(e, r, "192.0.2.8", 1005, B(R_LOGIN), 0);
    assert_int_equal(r->n, 2);
    /* a reset of an address never seen tracks nothing */
    hit(e, r, "192.0.2.99", 1006, 0, c->rules[R_OK].resets);
    guard_engine_free(e);

    /* reset_on_success = no: successes clear nothing */
    c->reset_on_success = false;
    e = engine_new(c);
    r->n = 0;
    for (int i = 0; i < 4; i++) {
        hit(e, r, "192.0.2.7", 1000 + i, B(R_LOGIN), 0);
    }
    hit(e, r, "192.0.2.7", 1004, 0, c->rules[R_OK].resets);
    hit(e, r, "192.0.2.7", 1005, B(R_LOGIN), 0);
    assert_int_equal(r->n, 1);
    guard_engine_free(e);
    conf_free(c);
    free(r);
}

static void engine_count_rule_bans_slow_guessing_on_the_long_window(void **st)
{
    struct guard_conf *c = conf_new(1000);
    struct guard_engine *e = engine_new(c);
    struct rec *r = calloc(1, sizeof *r);
    const int64_t t0 = 1796000000;

    (void)st;
    /* one failed login every 2 min: wp-login (5 in 10 min) never holds
     * 5 within 600 s ... */
    for (int i = 0; i < 19; i++) {
        hit(e, r, "198.51.100.3", t0 + i * 151, B(R_LOGIN) | B(R_SLOW), 0);
    }
    assert_int_equal(r->n, 0);
    /* ... wp-slow bans at the 20th within 24 h */
    hit(e, r, "198.51.100.3", t0 + 19 * 151, B(R_LOGIN) | B(R_SLOW), 0);
    assert_int_equal(r->n, 1);
    assert_string_equal(r->bans[0].rule, "wp-slow");
    assert_int_equal(r->bans[0].hits, 20);
    assert_int_equal(r->bans[0].first, t0);
    assert_int_equal(r->bans[0].until, t0 + 19 * 151 + 86400);
    guard_engine_free(e);
    conf_free(c);
    free(r);
}

static void engine_flood_estimate_bans_a_burst_not_a_steady_reader(void **st)
{
    struct guard_conf *c = conf_new(1000);
    struct guard_engine *e = engine_new(c);
    struct rec *r = calloc(1, sizeof *r);
    const int64_t t0 = 1796000000; /* a multiple of 60 plus 20 */

    (void)st;
    /* 5 pages a second for an hour: 300 a minute, never banned */
    for (int i = 0; i < 5 * 3600; i++) {
        hit(e, r, "192.0.2.50", t0 + i / 5, B(R_FLOOD), 0);
    }
    assert_int_equal(r->n, 0);
    /* 9 a second (540 a minute), still below 600 */
    for (int i = 0; i < 9 * 3600; i++) {
        hit(e, r, "192.0.2.51", t0 + i / 9, B(R_FLOOD), 0);
    }
    assert_int_equal(r->n, 0);
    /* 11 a second (660 a minute): banned within the second minute */
    for (int i = 0; i < 11 * 600 && r->n == 0; i++) {
        hit(e, r, "192.0.2.52", t0 + i / 11, B(R_FLOOD), 0);
    }
    assert_int_equal(r->n, 1);
    assert_string_equal(r->bans[0].rule, "flood");
    assert_true(r->bans[0].hits >= 600);
    assert_true(r->bans[0].banned_at < t0 + 120);
    assert_int_equal(r->bans[0].until, r->bans[0].banned_at + 600);
    /* a burst of 600 within 30 s is banned at its 600th request */
    for (int i = 0; i < 600; i++) {
        hit(e, r, "192.0.2.53", t0 + 40 + i / 20, B(R_FLOOD), 0);
    }
    assert_int_equal(r->n, 2);
    assert_string_equal(r->bans[1].address, "192.0.2.53");
    assert_int_equal(r->bans[1].hits, 600);
    guard_engine_free(e);
    conf_free(c);
    free(r);
}

/* ---- Bans over time ---- */

static void engine_escalation_doubles_and_caps(void **st)
{
    struct guard_conf *c = conf_new(1000);
    struct guard_engine *e;
    struct rec *r = calloc(1, sizeof *r);
    const int64_t want[] = {3600, 7200, 14400, 28800, 36000, 36000};
    int64_t t = 1796000000;

    (void)st;
    c->ban_max = 36000;
    e = engine_new(c);
    for (size_t b = 0; b < sizeof want / sizeof want[0]; b++) {
        for (int i = 0; i < 5; i++) {
            hit(e, r, "192.0.2.7", t + i, B(R_LOGIN), 0);
        }
        assert_int_equal(r->n, b + 1);
        assert_int_equal(r->bans[b].level, b);
        assert_int_equal(r->bans[b].until - r->bans[b].banned_at, want[b]);
        t = r->bans[b].until;
        guard_engine_expire(e, t, on_unban, r);
        assert_int_equal(r->nun, b + 1);
    }
    /* quiet for longer than `history`: back to level 0 */
    t += 7 * 86400;
    for (int i = 0; i < 5; i++) {
        hit(e, r, "192.0.2.7", t + i, B(R_LOGIN), 0);
    }
    assert_int_equal(r->n, 7);
    assert_int_equal(r->bans[6].level, 0);
    assert_int_equal(r->bans[6].until - r->bans[6].banned_at, 3600);
    guard_engine_free(e);
    conf_free(c);
    free(r);
}

static void engine_expiry_calls_unban_and_the_key_starts_again(void **st)
{
    struct guard_conf *c = conf_new(1000);
    struct guard_engine *e = engine_new(c);
    struct rec *r = calloc(1, sizeof *r);

    (void)st;
    for (int i = 0; i < 5; i++) {
        hit(e, r, "192.0.2.7", 1000 + i, B(R_LOGIN), 0);
        hit(e, r, "192.0.2.8", 2000 + i, B(R_LOGIN), 0);
    }
    assert_int_equal(r->n, 2);
    guard_engine_expire(e, 1004 + 3599, on_unban, r);
    assert_int_equal(r->nun, 0);
    guard_engine_expire(e, 1004 + 3600, on_unban, r);
    assert_int_equal(r->nun, 1);
    assert_string_equal(r->unbans[0].address, "192.0.2.7");
    assert_int_equal(r->unbans[0].until, 1004 + 3600);
    assert_string_equal(r->unbans[0].rule, "wp-login");
    assert_int_equal(banned(e), 1);
    /* counting starts from nothing: four more do not ban */
    for (int i = 0; i < 4; i++) {
        hit(e, r, "192.0.2.7", 5000 + i, B(R_LOGIN), 0);
    }
    assert_int_equal(r->n, 2);
    guard_engine_expire(e, INT64_MAX, on_unban, r);
    assert_int_equal(r->nun, 2);
    assert_int_equal(banned(e), 0);
    guard_engine_free(e);
    conf_free(c);
    free(r);
}

static void engine_unban_lifts_a_ban_or_every_key_inside_a_prefix(void **st)
{
    struct guard_conf *c = conf_new(1000);
    struct guard_engine *e = engine_new(c);
    struct rec *r = calloc(1, sizeof *r);
    struct guard_addr p;

    (void)st;
    for (int i = 0; i < 5; i++) {
        hit(e, r, "192.0.2.7", 1000 + i, B(R_LOGIN), 0);
        hit(e, r, "192.0.2.8", 1000 + i, B(R_LOGIN), 0);
        hit(e, r, "2001:db8:1:2::1", 1000 + i, B(R_LOGIN), 0);
    }
    hit(e, r, "192.0.2.9", 1000, B(R_LOGIN), 0);
    assert_int_equal(banned(e), 3);
    p = addr("192.0.2.7");
    assert_int_equal(guard_engine_unban(e, &p), KK_OK);
    assert_int_equal(banned(e), 2);
    assert_int_equal(guard_engine_unban(e, &p), KK_ERR_NOTFOUND);
    /* a host inside a banned /64 lifts the /64 */
    p = addr("2001:db8:1:2::abcd");
    assert_int_equal(guard_engine_unban(e, &p), KK_OK);
    assert_int_equal(banned(e), 1);
    /* a prefix lifts every ban and counter inside it */
    p = addr("192.0.2.0/24");
    assert_int_equal(guard_engine_unban(e, &p), KK_OK);
    assert_int_equal(banned(e), 0);
    assert_int_equal(guard_engine_unban(e, &p), KK_ERR_NOTFOUND);
    guard_engine_free(e);
    conf_free(c);
    free(r);
}

struct hist_rec {
    char addr[GUARD_ADDR_TEXT_MAX];
    uint32_t bans;
    int64_t last;
    size_t n;
};

static void on_hist(void *ctx, const struct guard_addr *key, uint32_t bans,
                    int64_t last)
{
    struct hist_rec *h = ctx;

    assert_int_equal(guard_addr_format(key, h->addr, sizeof h->addr), KK_OK);
    h->bans = bans;
    h->last = last;
    h->n++;
}

static void on_repeat(void *ctx, const struct guard_addr *key, uint64_t n)
{
    uint64_t *total = ctx;

    (void)key;
    *total += n;
}

static void engine_restore_brings_back_bans_history_and_repeats(void **st)
{
    struct guard_conf *c = conf_new(1000);
    struct guard_engine *e = engine_new(c);
    struct rec *r = calloc(1, sizeof *r);
    struct guard_ban b;
    struct guard_addr k;
    struct hist_rec h = {0};
    uint64_t repeats = 0;

    (void)st;
    memset(&b, 0, sizeof b);
    snprintf(b.address, sizeof b.address, "2001:db8:9::/64");
    snprintf(b.rule, sizeof b.rule, "a-rule-gone-since");
    b.hits = 7;
    b.first = 900;
    b.banned_at = 1000;
    b.until = 8200;
    b.level = 1;
    assert_int_equal(guard_engine_restore(e, &b), KK_OK);
    assert_int_equal(guard_engine_restore(e, &b), KK_ERR_EXISTS);
    guard_engine_each_ban(e, on_ban, r);
    assert_int_equal(r->n, 1);
    assert_memory_equal(&r->bans[0], &b, sizeof b);
    guard_engine_each_history(e, on_hist, &h);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.addr, "2001:db8:9::/64");
    assert_int_equal(h.bans, 2);
    assert_int_equal(h.last, 1000);

    /* hits of the restored ban are repeats, summed once per key */
    for (int i = 0; i < 30; i++) {
        hit(e, r, "2001:db8:9::1", 1100 + i, B(R_LOGIN), 0);
    }
    assert_int_equal(r->n, 1);
    guard_engine_take_repeats(e, on_repeat, &repeats);
    assert_int_equal(repeats, 30);
    repeats = 0;
    guard_engine_take_repeats(e, on_repeat, &repeats);
    assert_int_equal(repeats, 0);

    /* a restored history escalates the next ban */
    k = addr("192.0.2.7");
    assert_int_equal(guard_engine_restore_history(e, &k, 3, 1000), KK_OK);
    for (int i = 0; i < 5; i++) {
        hit(e, r, "192.0.2.7", 2000 + i, B(R_LOGIN), 0);
    }
    assert_int_equal(r->n, 2);
    assert_int_equal(r->bans[1].level, 3);
    assert_int_equal(r->bans[1].until - r->bans[1].banned_at, 8 * 3600);

    /* a bad address is refused */
    snprintf(b.address, sizeof b.address, "not-an-address");
    assert_int_not_equal(guard_engine_restore(e, &b), KK_OK);
    guard_engine_free(e);
    conf_free(c);
    free(r);
}

/* ---- Order and determinism ---- */

static void engine_counts_late_events_at_their_own_time(void **st)
{
    struct guard_conf *c = conf_new(1000);
    struct guard_engine *e = engine_new(c);
    struct rec *r = calloc(1, sizeof *r);
    uint64_t s = 7;

    (void)st;
    /* a late line completes the window: the ban is at the newest time */
    for (int i = 0; i < 4; i++) {
        hit(e, r, "192.0.2.1", 1000 + i, B(R_LOGIN), 0);
    }
    hit(e, r, "192.0.2.1", 998, B(R_LOGIN), 0);
    assert_int_equal(r->n, 1);
    assert_int_equal(r->bans[0].first, 998);
    assert_int_equal(r->bans[0].banned_at, 1003);

    /* a line from long ago neither bans nor blocks a later window */
    for (int i = 0; i < 4; i++) {
        hit(e, r, "192.0.2.2", 5000 + i, B(R_LOGIN), 0);
    }
    hit(e, r, "192.0.2.2", 10, B(R_LOGIN), 0);
    assert_int_equal(r->n, 1);
    hit(e, r, "192.0.2.2", 5004, B(R_LOGIN), 0);
    assert_int_equal(r->n, 2);
    assert_int_equal(r->bans[1].first, 5000);

    /* five events within findtime in any order ban at the fifth */
    for (int round = 0; round < 200; round++) {
        int64_t times[5];
        char a[32];
        for (int i = 0; i < 5; i++) {
            times[i] = 100000 + (int64_t)(next_rand(&s) % 600);
        }
        snprintf(a, sizeof a, "10.0.%d.%d", round / 200, round % 200);
        for (int i = 0; i < 5; i++) {
            hit(e, r, a, times[i], B(R_LOGIN), 0);
            assert_int_equal(r->n, 2 + (size_t)round + (i == 4 ? 1 : 0));
        }
    }

    /* late and odd times for the estimate and the exact counters: no
     * crash, and time before 1970 or after 2106 is clamped */
    for (int i = 0; i < 5000; i++) {
        int64_t t = 1796000000 + (int64_t)(next_rand(&s) % 400) - 200;
        hit(e, r, "192.0.2.3", t, B(R_FLOOD) | B(R_XMLRPC), 0);
    }
    hit(e, r, "192.0.2.4", -5, B(R_LOGIN), 0);
    hit(e, r, "192.0.2.4", INT64_MIN, B(R_LOGIN), 0);
    hit(e, r, "192.0.2.4", INT64_MAX, B(R_LOGIN), 0);
    hit(e, r, "192.0.2.4", (int64_t)UINT32_MAX + 100, B(R_FLOOD), 0);
    hit(e, r, "192.0.2.4", 0, B(R_FLOOD), 0);
    guard_engine_expire(e, INT64_MAX, on_unban, r);
    assert_int_equal(banned(e), 0);
    guard_engine_free(e);
    conf_free(c);
    free(r);
}

/* Runs a fixed mixed stream (several rules, IPv4 and IPv6, jitter back in
 * time, expiry on the way) into a new engine. */
static void run_stream(const struct guard_conf *c, struct rec *r)
{
    struct guard_engine *e = engine_new(c);
    uint64_t s = 42;
    int64_t t = 1796000000;
    struct guard_addr pool[300];

    for (size_t i = 0; i < 300; i++) {
        pool[i] = rand_v4(&s);
        if (i % 5 == 0) {
            pool[i].family = 6;
            pool[i].plen = 128;
            pool[i].b[0] = 0x20;
            pool[i].b[1] = 0x01;
        }
    }
    for (int i = 0; i < 200000; i++) {
        uint64_t v = next_rand(&s);
        const struct guard_addr *a = &pool[v % 300];
        uint64_t rules;
        int64_t when = t - (int64_t)((v >> 20) % 5); /* a little late */
        switch ((v >> 10) % 8) {
        case 0:
            rules = B(R_LOGIN) | B(R_SLOW);
            break;
        case 1:
            rules = B(R_XMLRPC);
            break;
        default:
            rules = B(R_FLOOD);
            break;
        }
        guard_engine_expire(e, when, on_unban, r);
        hit_addr(e, r, a, when, rules);
        if (i % 3 == 0) {
            t++;
        }
    }
    guard_engine_expire(e, INT64_MAX, on_unban, r);
    guard_engine_free(e);
}

static void engine_replay_of_the_same_hits_gives_the_same_bans(void **st)
{
    struct guard_conf *c = conf_new(1000);
    struct rec *a = calloc(1, sizeof *a);
    struct rec *b = calloc(1, sizeof *b);

    (void)st;
    /* two engines (two hash seeds) over the same stream */
    run_stream(c, a);
    run_stream(c, b);
    printf("# determinism: %zu bans, %zu unbans in each run\n", a->n, a->nun);
    assert_true(a->n > 10);
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->nun, b->nun);
    assert_memory_equal(a->bans, b->bans, a->n * sizeof a->bans[0]);
    assert_memory_equal(a->unbans, b->unbans, a->nun * sizeof a->unbans[0]);
    conf_free(c);
    free(a);
    free(b);
}

/* ---- Memory ---- */

static void engine_eviction_keeps_memory_flat_and_keeps_bans(void **st)
{
    struct guard_conf *c = conf_new(1000);
    struct guard_engine *e = engine_new(c);
    struct rec *r = calloc(1, sizeof *r);
    struct guard_engine_stats s0;
    struct guard_engine_stats s;
    uint64_t seed = 99;
    uint64_t repeats = 0;
    long rss1;
    long rss2;

    (void)st;
    for (int i = 0; i < 5; i++) {
        hit(e, r, "192.0.2.7", 1000 + i, B(R_LOGIN), 0);
        hit(e, r, "2001:db8::1", 1000 + i, B(R_LOGIN), 0);
    }
    assert_int_equal(r->n, 2);
    guard_engine_stats(e, &s0);
    /* the first 1000 addresses fill the table (each with two counters) */
    for (int i = 0; i < 1000; i++) {
        struct guard_addr a = rand_v4(&seed);
        hit_addr(e, r, &a, 1100, B(R_FLOOD) | B(R_SLOW));
    }
    rss1 = rss_kib("VmRSS");
    /* then nine times as many more */
    for (int i = 0; i < 9000; i++) {
        struct guard_addr a = rand_v4(&seed);
        hit_addr(e, r, &a, 1100 + i / 100, B(R_FLOOD) | B(R_SLOW));
    }
    rss2 = rss_kib("VmRSS");
    guard_engine_stats(e, &s);
    printf("# eviction: tracked %zu (most %zu), evicted %llu, RSS %ld -> "
           "%ld KiB\n",
           s.tracked, s.tracked_max, (unsigned long long)s.evicted, rss1, rss2);
    assert_int_equal(s.tracked, 1000);
    assert_int_equal(s.tracked_max, 1000);
    assert_true(s.evicted >= 9000);
    assert_int_equal(s.bytes, s0.bytes);
    assert_int_equal(s.banned, 2);
    assert_int_equal(s.dropped, 0);
    if (!SANITIZED && rss1 > 0) {
        assert_true(rss2 - rss1 < 256);
    }
    /* the banned keys are still there: their hits are repeats */
    hit(e, r, "192.0.2.7", 2000, B(R_LOGIN), 0);
    hit(e, r, "2001:db8::2", 2000, B(R_LOGIN), 0);
    guard_engine_take_repeats(e, on_repeat, &repeats);
    assert_int_equal(repeats, 2);
    assert_int_equal(r->n, 2);
    guard_engine_free(e);
    conf_free(c);
    free(r);
}

static void engine_a_table_full_of_bans_drops_new_addresses(void **st)
{
    struct guard_conf *c = conf_new(1000);
    struct guard_engine *e;
    struct rec *r = calloc(1, sizeof *r);
    struct guard_engine_stats s;
    uint64_t seed = 5;

    (void)st;
    c->rules[R_LOGIN].maxretry = 1;
    e = engine_new(c);
    for (int i = 0; i < 1000; i++) {
        struct guard_addr a = rand_v4(&seed);
        hit_addr(e, r, &a, 1000, B(R_LOGIN));
    }
    assert_int_equal(banned(e), 1000);
    for (int i = 0; i < 10; i++) {
        struct guard_addr a = rand_v4(&seed);
        hit_addr(e, r, &a, 1000, B(R_LOGIN));
    }
    guard_engine_stats(e, &s);
    assert_int_equal(s.banned, 1000);
    assert_int_equal(s.dropped, 10);
    guard_engine_expire(e, INT64_MAX, on_unban, r);
    assert_int_equal(r->nun, 1000);
    guard_engine_stats(e, &s);
    assert_int_equal(s.tracked, 0);
    guard_engine_free(e);
    conf_free(c);
    free(r);
}

static void count_hist(void *ctx, const struct guard_addr *key, uint32_t bans,
                       int64_t last)
{
    size_t *n = ctx;

    (void)key;
    (void)bans;
    (void)last;
    (*n)++;
}

static void engine_ban_history_outlives_eviction_and_is_capped(void **st)
{
    struct guard_conf *c = conf_new(1000);
    struct guard_engine *e;
    struct rec *r = calloc(1, sizeof *r);
    size_t nhist = 0;

    (void)st;
    c->rules[R_LOGIN].maxretry = 1;
    e = engine_new(c);
    /* 1500 addresses banned once each, the bans ended */
    for (uint32_t i = 0; i < 1500; i++) {
        struct guard_addr a = uniq_v4(i);
        hit_addr(e, r, &a, 1000 + i, B(R_LOGIN));
        guard_engine_expire(e, INT64_MAX, on_unban, r);
    }
    assert_int_equal(r->nun, 1500);
    /* counting state of 10,000 other addresses comes and goes */
    for (uint32_t i = 0; i < 10000; i++) {
        struct guard_addr a = uniq_v4(100000 + i);
        hit_addr(e, r, &a, 3000, B(R_FLOOD));
    }
    /* the history holds the 1000 latest bans */
    guard_engine_each_history(e, count_hist, &nhist);
    assert_int_equal(nhist, 1000);
    r->n = 0;
    {
        /* the 1000 latest are 500..1499; 499 and 0 were forgotten */
        const uint32_t again[] = {1499, 500, 499, 0};
        const uint32_t level[] = {1, 1, 0, 0};
        for (size_t k = 0; k < 4; k++) {
            struct guard_addr a = uniq_v4(again[k]);
            hit_addr(e, r, &a, 4000, B(R_LOGIN));
            assert_int_equal(r->n, k + 1);
            assert_int_equal(r->bans[k].level, level[k]);
            assert_int_equal(r->bans[k].until - r->bans[k].banned_at,
                             3600 << level[k]);
        }
    }
    guard_engine_free(e);
    conf_free(c);
    free(r);
}

/* The figures: 100,000 tracked addresses as readers (the flood counter
 * only) and as guessers (wp-login, wp-slow and flood), and the speed of
 * random addresses. */
static void engine_figures_for_100000_addresses(void **st)
{
    struct guard_conf *c = conf_new(100000);
    struct guard_engine *e;
    struct rec *r = calloc(1, sizeof *r);
    struct guard_engine_stats s;
    uint64_t seed = 1234;
    long base = rss_kib("VmRSS");
    long readers;
    long guessers;
    double t0;
    double secs;
    const int nhits = 2000000;

    (void)st;
    e = engine_new(c);
    for (uint32_t i = 0; i < 100000; i++) {
        struct guard_addr a = uniq_v4(i);
        hit_addr(e, r, &a, 1796000000 + i / 100, B(R_FLOOD));
    }
    readers = rss_kib("VmRSS");
    guard_engine_stats(e, &s);
    assert_int_equal(s.tracked, 100000);
    for (uint32_t i = 100000; i < 200000; i++) {
        struct guard_addr a = uniq_v4(i);
        hit_addr(e, r, &a, 1796001000 + i / 100,
                 B(R_LOGIN) | B(R_SLOW) | B(R_FLOOD));
    }
    guessers = rss_kib("VmRSS");
    guard_engine_stats(e, &s);
    assert_int_equal(s.tracked, 100000);
    assert_int_equal(s.evicted, 100000);
    printf("# memory: %zu bytes reserved for 100000 keys (%zu per key)\n",
           s.bytes, s.bytes / 100000);
    printf("# memory: readers %ld KiB over a %ld KiB process (%ld bytes per "
           "key), guessers %ld KiB (%ld bytes per key), process RSS %ld KiB, "
           "peak %ld KiB\n",
           readers - base, base, (readers - base) * 1024 / 100000,
           guessers - base, (guessers - base) * 1024 / 100000, guessers,
           rss_kib("VmHWM"));
    if (!SANITIZED && base > 0) {
        assert_true(guessers < 32 * 1024);
    }

    t0 = now_s();
    for (int i = 0; i < nhits; i++) {
        struct guard_addr a = rand_v4(&seed);
        /* a quarter of the addresses are new, the rest seen before */
        if (i % 4 != 0) {
            a.b[1] = (uint8_t)(i % 7);
            a.b[2] = (uint8_t)(i % 13);
            a.b[3] = 0;
        }
        hit_addr(e, r, &a, 1796002000 + i / 1000, B(R_FLOOD));
    }
    secs = now_s() - t0;
    guard_engine_stats(e, &s);
    printf("# speed: %d hits on random addresses in %.3f s: %.0f hits/s; "
           "evicted %llu, %zu bans\n",
           nhits, secs, (double)nhits / secs, (unsigned long long)s.evicted,
           r->n);

    /* a web server's day: a few thousand readers, one request each in
     * turn */
    t0 = now_s();
    for (int i = 0; i < nhits; i++) {
        struct guard_addr a =
            uniq_v4(300000 + (uint32_t)(next_rand(&seed) % 3000));
        hit_addr(e, r, &a, 1796005000 + i / 1000, B(R_FLOOD));
    }
    secs = now_s() - t0;
    printf("# speed: %d hits on 3000 addresses in %.3f s: %.0f hits/s\n", nhits,
           secs, (double)nhits / secs);
    guard_engine_free(e);
    conf_free(c);
    free(r);
}

static void engine_new_refuses_a_bad_size(void **st)
{
    struct guard_conf *c = conf_new(0);
    struct guard_engine *e = NULL;
    struct kk_diag d;

    (void)st;
    assert_int_equal(guard_engine_new(c, &e, &d), KK_ERR_RANGE);
    assert_null(e);
    assert_non_null(strstr(d.msg, "max_addresses"));
    c->max_addresses = GUARD_ENGINE_KEYS_MAX + 1u;
    assert_int_equal(guard_engine_new(c, &e, &d), KK_ERR_RANGE);
    guard_engine_free(NULL);
    conf_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(engine_bans_at_the_maxretry_th_event_within_findtime),
        cmocka_unit_test(engine_does_not_ban_events_spread_wider_than_findtime),
        cmocka_unit_test(engine_counts_an_ipv6_64_together_and_bans_the_64),
        cmocka_unit_test(engine_never_bans_allowlisted_addresses),
        cmocka_unit_test(engine_reset_clears_the_counters_it_names),
        cmocka_unit_test(
            engine_count_rule_bans_slow_guessing_on_the_long_window),
        cmocka_unit_test(
            engine_flood_estimate_bans_a_burst_not_a_steady_reader),
        cmocka_unit_test(engine_escalation_doubles_and_caps),
        cmocka_unit_test(engine_expiry_calls_unban_and_the_key_starts_again),
        cmocka_unit_test(engine_unban_lifts_a_ban_or_every_key_inside_a_prefix),
        cmocka_unit_test(engine_restore_brings_back_bans_history_and_repeats),
        cmocka_unit_test(engine_counts_late_events_at_their_own_time),
        cmocka_unit_test(engine_replay_of_the_same_hits_gives_the_same_bans),
        cmocka_unit_test(engine_eviction_keeps_memory_flat_and_keeps_bans),
        cmocka_unit_test(engine_a_table_full_of_bans_drops_new_addresses),
        cmocka_unit_test(engine_ban_history_outlives_eviction_and_is_capped),
        cmocka_unit_test(engine_figures_for_100000_addresses),
        cmocka_unit_test(engine_new_refuses_a_bad_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
