/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * guard_upload.c - a report the log guard on an outlet's web server posts
 * to the hub, read strictly; and the address and prefix rules the hub
 * shares with the guard.
 *
 * The report comes from a machine the hub does not control, so nothing of
 * it is kept as it came: each declared value is read through the hub's
 * JSON parser into a typed field with its range, addresses are parsed and
 * written again in one canonical text, rule names and host names keep to
 * a small alphabet, and one bad field refuses the whole report.  The cost:
 * a newer daemon that adds a field or a rule name outside the alphabet is
 * refused (or its field ignored) until the hub knows it - which is the
 * point of a declared format.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard_hub.h"

#define TIME_MIN INT64_C(946684800)         /* 2000-01-01 */
#define COUNT_MAX INT64_C(9007199254740991) /* 2^53 - 1 */
#define UNTIL_AHEAD (INT64_C(3650) * 86400) /* ten years */
#define HITS_MAX INT64_C(1000000000)
#define LEVEL_MAX 64

/* --- addresses --- */

static void mask_bits(unsigned char *b, size_t nbytes, unsigned plen)
{
    for (size_t i = 0; i < nbytes; i++) {
        unsigned have = plen > i * 8 ? plen - (unsigned)i * 8 : 0;
        if (have < 8)
            b[i] &= (unsigned char)(have == 0 ? 0 : 0xFF << (8 - have));
    }
}

bool hub_guard_prefix_canon(const char *text, unsigned min4, unsigned min6,
                            char *out, size_t cap)
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0,    0,
                                             0, 0, 0, 0, 0xFF, 0xFF};
    char host[INET6_ADDRSTRLEN + 1], buf[INET6_ADDRSTRLEN + 8];
    unsigned char b[16];
    const char *slash = text != NULL ? strchr(text, '/') : NULL;
    size_t hl = text == NULL    ? 0
                : slash != NULL ? (size_t)(slash - text)
                                : strlen(text);
    unsigned plen = 0, full = 0;
    bool v4 = false, ok = text != NULL && hl > 0 && hl < sizeof host;
    if (ok) {
        memcpy(host, text, hl);
        host[hl] = '\0';
        v4 = inet_pton(AF_INET, host, b) == 1;
        ok = v4 ||
             (strchr(host, ':') != NULL && inet_pton(AF_INET6, host, b) == 1);
    }
    full = v4 ? 32 : 128;
    plen = full;
    if (ok && slash != NULL) {
        uint64_t v = 0;
        /* "/0" alone is allowed, "/024" is not. */
        ok = kk_parse_u64(slash + 1, 0, full, &v) == KK_OK &&
             !(slash[1] == '0' && slash[2] != '\0');
        plen = (unsigned)v;
    }
    /* An IPv4-mapped IPv6 address is the IPv4 address. */
    if (ok && !v4 && memcmp(b, mapped, sizeof mapped) == 0 &&
        (slash == NULL || plen >= 96)) {
        memmove(b, b + 12, 4);
        v4 = true;
        plen = slash == NULL ? 32 : plen - 96;
        full = 32;
    }
    if (ok && ((v4 && plen < min4) || (!v4 && plen < min6)))
        ok = false;
    if (ok) {
        mask_bits(b, v4 ? 4 : 16, plen);
        ok = inet_ntop(v4 ? AF_INET : AF_INET6, b, host, sizeof host) != NULL;
    }
    if (ok) {
        int n = plen < full ? snprintf(buf, sizeof buf, "%s/%u", host, plen)
                            : snprintf(buf, sizeof buf, "%s", host);
        ok = n > 0 && (size_t)n < cap;
        if (ok)
            memcpy(out, buf, (size_t)n + 1);
    }
    return ok;
}

bool hub_guard_rule_ok(const char *name)
{
    size_t n = name != NULL ? strlen(name) : 0;
    bool ok = n >= 1 && n < HUB_GUARD_RULE_MAX;
    for (size_t i = 0; ok && i < n; i++) {
        char c = name[i];
        ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    }
    return ok;
}

/* A host name as a daemon writes gethostname(): letters, digits, dots,
 * hyphens and underscores, not starting with a dot or hyphen. */
static bool host_ok(const char *h)
{
    size_t n = h != NULL ? strlen(h) : 0;
    bool ok = n >= 1 && n < HUB_GUARD_HOST_MAX && h[0] != '.' && h[0] != '-';
    for (size_t i = 0; ok && i < n; i++) {
        char c = h[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
             (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    }
    return ok;
}

static bool version_ok(const char *v)
{
    size_t n = v != NULL ? strlen(v) : 0;
    bool ok = n >= 1 && n < HUB_GUARD_VERSION_MAX;
    for (size_t i = 0; ok && i < n; i++) {
        char c = v[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
             (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' ||
             c == '~';
    }
    return ok;
}

/* --- typed members --- */

static const char *str_of(const struct hub_jv *o, const char *key)
{
    const struct hub_jv *v = hub_jv_get(o, key);
    return hub_jv_type(v) == HUB_JSON_STRING ? hub_jv_str(v) : NULL;
}

/* A whole number in [min, max]; absent is an error. */
static bool int_of(const struct hub_jv *o, const char *key, int64_t min,
                   int64_t max, int64_t *out)
{
    int64_t x = 0;
    bool ok = hub_jv_type(hub_jv_get(o, key)) == HUB_JSON_NUMBER &&
              hub_jv_i64(hub_jv_get(o, key), &x) == KK_OK && x >= min &&
              x <= max;
    if (ok)
        *out = x;
    return ok;
}

/* A time: ISO 8601 UTC text or Unix seconds, in [TIME_MIN, max]. */
static bool time_of(const struct hub_jv *o, const char *key, int64_t max,
                    int64_t *out)
{
    const struct hub_jv *v = hub_jv_get(o, key);
    int64_t t = 0;
    bool ok = false;
    if (hub_jv_type(v) == HUB_JSON_STRING)
        ok = kk_parse_time(hub_jv_str(v), &t) == KK_OK;
    else if (hub_jv_type(v) == HUB_JSON_NUMBER)
        ok = hub_jv_i64(v, &t) == KK_OK;
    ok = ok && t >= TIME_MIN && t <= max;
    if (ok)
        *out = t;
    return ok;
}

static int read_event(const struct hub_jv *e, int64_t now,
                      struct hub_guard_event *ev, const char **why)
{
    const char *kind = str_of(e, "kind"), *rule = str_of(e, "rule");
    int err = KK_ERR_INVAL;
    memset(ev, 0, sizeof *ev);
    if (hub_jv_type(e) != HUB_JSON_OBJECT) {
        *why = "events: each event must be an object.";
    } else if (kind == NULL ||
               (strcmp(kind, "ban") != 0 && strcmp(kind, "unban") != 0)) {
        *why = "events: kind must be ban or unban.";
    } else if (!hub_guard_prefix_canon(str_of(e, "address"), 0, 0, ev->address,
                                       sizeof ev->address)) {
        *why = "events: address must be an IPv4 or IPv6 address or prefix.";
    } else if (!hub_guard_rule_ok(rule)) {
        *why = "events: rule must be 1 to 47 lower-case letters, digits or "
               "hyphens.";
    } else if (!time_of(e, "at", now + HUB_GUARD_SKEW, &ev->at) ||
               !time_of(e, "first", now + HUB_GUARD_SKEW, &ev->first) ||
               !time_of(e, "until", now + UNTIL_AHEAD, &ev->until)) {
        *why = "events: at, first and until must be times from 2000 on, "
               "at and first not in the future.";
    } else if (ev->first > ev->at) {
        *why = "events: first must not come after at.";
    } else if (!int_of(e, "hits", 0, HITS_MAX, &ev->hits) ||
               !int_of(e, "level", 0, LEVEL_MAX, &ev->level)) {
        *why = "events: hits and level must be whole numbers in range.";
    } else {
        ev->unban = strcmp(kind, "unban") == 0;
        snprintf(ev->rule, sizeof ev->rule, "%s", rule);
        err = KK_OK;
    }
    return err;
}

static int read_events(const struct hub_jv *a, int64_t now,
                       struct hub_guard_report *rep, const char **why)
{
    size_t n = hub_jv_len(a);
    int err = KK_OK;
    if (hub_jv_type(a) != HUB_JSON_ARRAY) {
        *why = "events must be an array.";
        err = KK_ERR_INVAL;
    } else if (n > HUB_GUARD_EVENTS_MAX) {
        *why = "events: at most 1000 in one report.";
        err = KK_ERR_INVAL;
    } else if (n > 0) {
        rep->events = calloc(n, sizeof *rep->events);
        err = rep->events != NULL ? KK_OK : KK_ERR_NOMEM;
    }
    for (size_t i = 0; i < n && err == KK_OK; i++) {
        err = read_event(hub_jv_at(a, i), now, &rep->events[i], why);
        if (err == KK_OK)
            rep->n_events++;
    }
    return err;
}

int hub_guard_report_read(const struct hub_jv *root, int64_t now,
                          struct hub_guard_report *rep, const char **why)
{
    const char *host = str_of(root, "host"), *ver = str_of(root, "version");
    int err = KK_ERR_INVAL;
    memset(rep, 0, sizeof *rep);
    *why = NULL;
    if (hub_jv_type(root) != HUB_JSON_OBJECT) {
        *why = "Send the JSON object the guard daemon writes.";
    } else if (!host_ok(host)) {
        *why = "host must be the server's host name.";
    } else if (!version_ok(ver)) {
        *why = "version must be a short version text.";
    } else if (!time_of(root, "sent_at", now + HUB_GUARD_SKEW, &rep->sent_at) ||
               !time_of(root, "started_at", rep->sent_at, &rep->started_at)) {
        *why = "sent_at and started_at must be times from 2000 on, not in the "
               "future, the start first.";
    } else if (!int_of(root, "lines", 0, COUNT_MAX, &rep->lines) ||
               !int_of(root, "matched", 0, COUNT_MAX, &rep->matched) ||
               !int_of(root, "tracked", 0, COUNT_MAX, &rep->tracked) ||
               !int_of(root, "banned", 0, COUNT_MAX, &rep->banned)) {
        *why = "lines, matched, tracked and banned must be whole numbers "
               "from 0.";
    } else {
        snprintf(rep->host, sizeof rep->host, "%s", host);
        snprintf(rep->version, sizeof rep->version, "%s", ver);
        err = read_events(hub_jv_get(root, "events"), now, rep, why);
    }
    if (err != KK_OK) {
        hub_guard_report_clear(rep);
        if (*why == NULL)
            *why = "The report could not be read.";
    }
    return err;
}

void hub_guard_report_clear(struct hub_guard_report *rep)
{
    free(rep->events);
    memset(rep, 0, sizeof *rep);
}
