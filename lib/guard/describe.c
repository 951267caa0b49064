/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * describe.c - `kalkan guard rules`: the rules and settings in effect
 * after the user's file, as a table for people or as JSON.
 *
 * Written from the parsed configuration, not from the files, so what it
 * shows is exactly what the engine will run.
 */
#include <string.h>

#include "guard_int.h"

static const char *const field_names[GUARD_F_COUNT] = {
    "path", "agent", "request", "vhost", "referer"};

static const char *backend_name(enum guard_backend b)
{
    return b == GUARD_BACKEND_NFT    ? "nft"
           : b == GUARD_BACKEND_FILE ? "file"
                                     : "none";
}

/* "90s", "10m", "1h", "2d" when exact, else seconds. */
static void duration(uint32_t s, char *out, size_t cap)
{
    if (s != 0 && s % 86400 == 0)
        snprintf(out, cap, "%ud", s / 86400);
    else if (s != 0 && s % 3600 == 0)
        snprintf(out, cap, "%uh", s / 3600);
    else if (s != 0 && s % 60 == 0)
        snprintf(out, cap, "%um", s / 60);
    else
        snprintf(out, cap, "%us", s);
}

static int json_rule(const struct guard_conf *c, const struct guard_rule *r,
                     struct kk_buf *b)
{
    int err = kk_buf_puts(b, "{\"name\":");
    if (err == KK_OK)
        err = kk_json_str(b, r->name);
    if (err == KK_OK)
        err = kk_buf_putf(
            b,
            ",\"log\":\"%s\",\"action\":\"%s\",\"enabled\":%s,"
            "\"maxretry\":%lu,\"findtime\":%lu,\"bantime\":%lu",
            r->cls == GUARD_CLASS_WEB ? "web" : "syslog",
            r->action == GUARD_ACT_RESET ? "reset" : "ban",
            r->enabled ? "true" : "false", (unsigned long)r->maxretry,
            (unsigned long)r->findtime, (unsigned long)r->bantime);
    if (err == KK_OK && r->count_of >= 0 && (size_t)r->count_of < c->nrules) {
        err = kk_buf_puts(b, ",\"count\":");
        if (err == KK_OK)
            err = kk_json_str(b, c->rules[r->count_of].name);
    }
    if (err == KK_OK && r->nmethods > 0) {
        err = kk_buf_puts(b, ",\"method\":[");
        for (size_t i = 0; err == KK_OK && i < r->nmethods; i++) {
            if (i > 0)
                err = kk_buf_putc(b, ',');
            if (err == KK_OK)
                err = kk_json_str(b, r->methods[i]);
        }
        if (err == KK_OK)
            err = kk_buf_putc(b, ']');
    }
    if (err == KK_OK && r->nstatus > 0) {
        err = kk_buf_puts(b, ",\"status\":[");
        for (size_t i = 0; err == KK_OK && i < r->nstatus; i++)
            err = r->status_lo[i] == r->status_hi[i]
                      ? kk_buf_putf(b, "%s\"%u\"", i ? "," : "",
                                    (unsigned)r->status_lo[i])
                      : kk_buf_putf(b, "%s\"%u-%u\"", i ? "," : "",
                                    (unsigned)r->status_lo[i],
                                    (unsigned)r->status_hi[i]);
        if (err == KK_OK)
            err = kk_buf_putc(b, ']');
    }
    for (size_t f = 0; err == KK_OK && f < GUARD_F_COUNT; f++) {
        if (r->regex[f] == NULL)
            continue;
        err = kk_buf_putf(b, ",\"%s%s\":", field_names[f],
                          r->negate[f] ? "_not" : "");
        if (err == KK_OK)
            err = kk_json_str(b, r->regex[f]);
    }
    if (err == KK_OK && r->nonstatic)
        err = kk_buf_puts(b, ",\"nonstatic\":true");
    if (err == KK_OK && r->malformed)
        err = kk_buf_puts(b, ",\"malformed\":true");
    if (err == KK_OK && r->program[0] != '\0') {
        err = kk_buf_puts(b, ",\"program\":");
        if (err == KK_OK)
            err = kk_json_str(b, r->program);
    }
    if (err == KK_OK && r->npatterns > 0) {
        err = kk_buf_puts(b, ",\"match\":[");
        for (size_t i = 0; err == KK_OK && i < r->npatterns; i++) {
            if (i > 0)
                err = kk_buf_putc(b, ',');
            if (err == KK_OK)
                err = kk_json_str(b, r->patterns[i]);
        }
        if (err == KK_OK)
            err = kk_buf_putc(b, ']');
    }
    if (err == KK_OK && r->resets != 0) {
        bool first = true;
        err = kk_buf_puts(b, ",\"resets\":[");
        for (size_t i = 0; err == KK_OK && i < c->nrules && i < 64; i++) {
            if (!((r->resets >> i) & 1u))
                continue;
            if (!first)
                err = kk_buf_putc(b, ',');
            first = false;
            if (err == KK_OK)
                err = kk_json_str(b, c->rules[i].name);
        }
        if (err == KK_OK)
            err = kk_buf_putc(b, ']');
    }
    if (err == KK_OK)
        err = kk_buf_putc(b, '}');
    return err;
}

static int describe_json(const struct guard_conf *c, struct kk_buf *b)
{
    int err = kk_buf_putf(
        b,
        "{\"settings\":{\"v4_prefix\":%u,\"v6_prefix\":%u,"
        "\"max_addresses\":%zu,\"ban_factor\":%lu,\"ban_max\":%lu,"
        "\"history\":%lu,\"reset_on_success\":%s,\"flush_on_stop\":%s,"
        "\"backend\":\"%s\",\"allow\":%zu},\"logs\":[",
        c->v4_prefix, c->v6_prefix, c->max_addresses,
        (unsigned long)c->ban_factor, (unsigned long)c->ban_max,
        (unsigned long)c->history, c->reset_on_success ? "true" : "false",
        c->flush_on_stop ? "true" : "false", backend_name(c->backend),
        c->allow != NULL ? guard_addrset_count(c->allow) : 0);
    for (size_t i = 0; err == KK_OK && i < c->nlogs; i++) {
        err = kk_buf_puts(b, i ? ",{\"path\":" : "{\"path\":");
        if (err == KK_OK)
            err = kk_json_str(b, c->logs[i].path);
        if (err == KK_OK)
            err = kk_buf_putf(b, ",\"format\":\"%s\"}",
                              guard_fmt_name(c->logs[i].fmt));
    }
    if (err == KK_OK)
        err = kk_buf_puts(b, "],\"rules\":[");
    for (size_t i = 0; err == KK_OK && i < c->nrules; i++) {
        if (i > 0)
            err = kk_buf_putc(b, ',');
        if (err == KK_OK)
            err = json_rule(c, &c->rules[i], b);
    }
    if (err == KK_OK)
        err = kk_buf_puts(b, "]}\n");
    return err;
}

static int describe_text(const struct guard_conf *c, struct kk_buf *b)
{
    int err = kk_buf_putf(
        b,
        "Counting per IPv4 /%u and IPv6 /%u, at most %zu addresses; "
        "backend %s; %zu allowed prefixes.\n",
        c->v4_prefix, c->v6_prefix, c->max_addresses, backend_name(c->backend),
        c->allow != NULL ? guard_addrset_count(c->allow) : 0);
    for (size_t i = 0; err == KK_OK && i < c->nlogs; i++)
        err = kk_buf_putf(b, "Log %s (%s)\n", c->logs[i].path,
                          guard_fmt_name(c->logs[i].fmt));
    if (err == KK_OK)
        err = kk_buf_putf(b, "\n%-14s %-7s %-6s %-8s %8s %8s %8s  %s\n", "RULE",
                          "LOG", "ACTION", "ENABLED", "MAXRETRY", "FINDTIME",
                          "BANTIME", "NOTES");
    for (size_t i = 0; err == KK_OK && i < c->nrules; i++) {
        const struct guard_rule *r = &c->rules[i];
        char mr[16] = "-", ft[16] = "-", bt[16] = "-", counts[160] = "-";
        if (r->action == GUARD_ACT_RESET) {
            size_t at = 0;
            at += (size_t)snprintf(counts, sizeof counts, "resets");
            for (size_t j = 0; j < c->nrules && j < 64 && at < sizeof counts;
                 j++)
                if ((r->resets >> j) & 1u)
                    at += (size_t)snprintf(counts + at, sizeof counts - at,
                                           " %s", c->rules[j].name);
        } else {
            snprintf(mr, sizeof mr, "%lu", (unsigned long)r->maxretry);
            duration(r->findtime, ft, sizeof ft);
            duration(r->bantime, bt, sizeof bt);
            if (r->count_of >= 0 && (size_t)r->count_of < c->nrules)
                snprintf(counts, sizeof counts, "counts %s",
                         c->rules[r->count_of].name);
        }
        err = kk_buf_putf(b, "%-14s %-7s %-6s %-8s %8s %8s %8s  %s\n", r->name,
                          r->cls == GUARD_CLASS_WEB ? "web" : "syslog",
                          r->action == GUARD_ACT_RESET ? "reset" : "ban",
                          r->enabled ? "yes" : "no", mr, ft, bt, counts);
    }
    return err;
}

int guard_conf_describe(const struct guard_conf *c, bool json,
                        struct kk_buf *out)
{
    return json ? describe_json(c, out) : describe_text(c, out);
}
