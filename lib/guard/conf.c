/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * conf.c - the guard's configuration file: settings, logs, allowlist,
 * backend, hub and rules.
 *
 * The format is INI-like and our own, because a rule needs what the flat
 * kk_conf refuses: sections, keys that repeat ("match", "address"),
 * negated keys ("path != REGEX") and long regexes continued over lines.
 * The built-in rules (data/rules.conf) are read first and the user's file
 * on top of them, through the same code, so a built-in rule is only a rule
 * a user could have written.  Everything is checked here, once: every
 * regex is compiled, every rule name resolved, every number bounded; a
 * mistake fails the load with its file and line instead of failing on
 * each log line later.  The cost is that every regex is compiled twice
 * (here alone, and in the matcher combined with the others), which is
 * a few milliseconds at start.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard_int.h"
#include "rules_data.h"

/* What one file's parse knows beyond struct guard_conf: per rule, the
 * names it refers to, resolved once every file is read. */
struct rule_ext {
    const char *file; /* where the rule was last defined */
    char count[GUARD_NAME_MAX];
    const char *count_file;
    unsigned count_line;
    char *resets; /* rule names separated by spaces, or NULL */
    const char *resets_file;
    unsigned resets_line;
    bool cls_set; /* "log" given */
};

enum section {
    SEC_NONE = 0,
    SEC_GUARD,
    SEC_LOG,
    SEC_ALLOW,
    SEC_BACKEND,
    SEC_HUB,
    SEC_RULE,
};

struct pstate {
    struct guard_conf *c;
    struct rule_ext ext[GUARD_RULES_MAX];
    struct kk_diag *d;
    const char *file; /* name of the file being read */
    enum section sec;
    size_t log_i;                /* SEC_LOG: the log */
    size_t rule_i;               /* SEC_RULE: the rule */
    uint64_t rules_here;         /* rules with a section in this file */
    uint64_t rule_keys;          /* keys set in the current rule section */
    uint64_t sec_keys[SEC_RULE]; /* keys set per section in this file */
    bool log_format_set;
};

static void fail(struct pstate *p, unsigned line, const char *fmt, ...)
    KK_PRINTF(3, 4);

static void fail(struct pstate *p, unsigned line, const char *fmt, ...)
{
    char msg[KK_DIAG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    kk_diag_set(p->d, "%s: line %u: %s", p->file, line, msg);
}

static char *dup_n(const char *s, size_t n)
{
    char *r = malloc(n + 1);
    if (r != NULL) {
        memcpy(r, s, n);
        r[n] = '\0';
    }
    return r;
}

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* Replaces *slot with a copy of v. */
static int set_str(char **slot, const char *v)
{
    char *n = dup_n(v, strlen(v));
    if (n == NULL) {
        return KK_ERR_NOMEM;
    }
    free(*slot);
    *slot = n;
    return KK_OK;
}

static int parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(v, yes[i]) == 0) {
            *out = true;
            return KK_OK;
        }
        if (strcmp(v, no[i]) == 0) {
            *out = false;
            return KK_OK;
        }
    }
    return KK_ERR_INVAL;
}

/* "90", "90s", "10m", "1h", "2d", "1w" within [lo, hi] seconds. */
static int parse_duration(const char *v, uint32_t lo, uint32_t hi,
                          uint32_t *out)
{
    char num[24];
    size_t n = strlen(v);
    uint64_t mult = 1;
    uint64_t x = 0;
    uint64_t total = 0;
    int r = KK_ERR_INVAL;
    if (n == 0) {
        goto out;
    }
    switch (v[n - 1]) {
    case 's':
        n--;
        break;
    case 'm':
        mult = 60;
        n--;
        break;
    case 'h':
        mult = 3600;
        n--;
        break;
    case 'd':
        mult = 86400;
        n--;
        break;
    case 'w':
        mult = 7 * 86400;
        n--;
        break;
    default:
        break;
    }
    if (n == 0 || n >= sizeof(num)) {
        goto out;
    }
    memcpy(num, v, n);
    num[n] = '\0';
    r = kk_parse_u64(num, 0, UINT32_MAX, &x);
    if (r != KK_OK) {
        goto out;
    }
    if (__builtin_mul_overflow(x, mult, &total) || total < lo || total > hi) {
        r = KK_ERR_RANGE;
        goto out;
    }
    *out = (uint32_t)total;
out:
    return r;
}

static int parse_u32(const char *v, uint32_t lo, uint32_t hi, uint32_t *out)
{
    uint64_t x = 0;
    int r = kk_parse_u64(v, lo, hi, &x);
    if (r == KK_OK) {
        *out = (uint32_t)x;
    }
    return r;
}

static bool name_ok(const char *s, size_t n)
{
    if (n == 0 || n >= GUARD_NAME_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
                  ch == '.';
        if (!ok) {
            return false;
        }
    }
    return true;
}

int guard_conf_rule_index(const struct guard_conf *c, const char *name)
{
    for (size_t i = 0; c != NULL && name != NULL && i < c->nrules; i++) {
        if (strcmp(c->rules[i].name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static void rule_free_fields(struct guard_rule *r)
{
    for (size_t f = 0; f < GUARD_F_COUNT; f++) {
        free(r->regex[f]);
        r->regex[f] = NULL;
    }
    for (size_t i = 0; i < r->npatterns; i++) {
        free(r->patterns[i]);
        r->patterns[i] = NULL;
    }
    r->npatterns = 0;
}

void guard_conf_free(struct guard_conf *c)
{
    if (c == NULL) {
        return;
    }
    free(c->name);
    free(c->state_dir);
    free(c->socket);
    free(c->user);
    for (size_t i = 0; i < c->nlogs; i++) {
        free(c->logs[i].path);
    }
    guard_addrset_free(c->allow);
    free(c->nft_table);
    free(c->nft_set4);
    free(c->nft_set6);
    free(c->deny_file);
    free(c->deny_style);
    for (size_t i = 0; c->reload != NULL && c->reload[i] != NULL; i++) {
        free(c->reload[i]);
    }
    free((void *)c->reload);
    free(c->hub_url);
    free(c->hub_website);
    free(c->hub_token_file);
    free(c->hub_ca_file);
    for (size_t i = 0; i < c->nrules; i++) {
        rule_free_fields(&c->rules[i]);
    }
    free(c);
}

static int conf_defaults(struct guard_conf *c)
{
    int r = KK_ERR_NOMEM;
    c->v4_prefix = 32;
    c->v6_prefix = 64;
    c->max_addresses = 100000;
    c->ban_factor = 2;
    c->ban_max = 7 * 86400;
    c->history = 7 * 86400;
    c->reset_on_success = true;
    c->flush_on_stop = false;
    c->backend = GUARD_BACKEND_NONE;
    c->nft_create = true;
    c->reload_interval = 5;
    c->hub_interval = 60;
    c->allow = guard_addrset_new();
    if (c->allow == NULL || set_str(&c->state_dir, GUARD_STATE_DEFAULT) ||
        set_str(&c->user, "") || set_str(&c->nft_table, "kalkan") ||
        set_str(&c->nft_set4, "ban4") || set_str(&c->nft_set6, "ban6") ||
        set_str(&c->deny_style, "nginx")) {
        goto out;
    }
    /* Loopback is never banned: behind a proxy on the same server every
     * request comes from it (docs/guard.md, "[allow]"). */
    for (size_t i = 0; i < 2; i++) {
        static const char *const lo[] = {"127.0.0.0/8", "::1"};
        struct guard_addr a;
        r = guard_addr_parse_prefix(lo[i], strlen(lo[i]), &a);
        if (r == KK_OK)
            r = guard_addrset_add(c->allow, &a);
        if (r != KK_OK)
            goto out;
    }
    r = KK_OK;
out:
    return r;
}

/* ---- Keys ---- */

/* Marks key k of the current section as set; false if set before in this
 * file (repeatable keys never come here). */
static bool first_time(struct pstate *p, unsigned k)
{
    uint64_t *mask = p->sec == SEC_RULE ? &p->rule_keys : &p->sec_keys[p->sec];
    uint64_t bit = (uint64_t)1 << k;
    bool first = (*mask & bit) == 0;
    *mask |= bit;
    return first;
}

/* The outcome of reading the value v of key k: r, with the diag set when
 * it failed. */
static int value_result(struct pstate *p, unsigned line, const char *k,
                        const char *v, int r)
{
    if (r == KK_ERR_NOMEM) {
        kk_diag_set(p->d, "out of memory");
    } else if (r != KK_OK) {
        fail(p, line, "bad value for %s: '%s'", k, v);
    }
    return r;
}

/* Finds k among the section's keys and marks it set: false (and the
 * error set) when it is unknown or set before in this file. */
static bool section_key(struct pstate *p, unsigned line,
                        const char *const *keys, unsigned n, const char *sec,
                        const char *k, unsigned *ki)
{
    unsigned i = 0;
    while (i < n && strcmp(keys[i], k) != 0) {
        i++;
    }
    if (i == n) {
        fail(p, line, "unknown key '%s' in [%s]", k, sec);
        return false;
    }
    if (!first_time(p, i)) {
        fail(p, line, "'%s' is set twice in [%s]", k, sec);
        return false;
    }
    *ki = i;
    return true;
}

static int key_guard(struct pstate *p, unsigned line, const char *k,
                     const char *v)
{
    static const char *const keys[] = {
        "state",     "socket",           "user",         "v4_prefix",
        "v6_prefix", "max_addresses",    "ban_factor",   "ban_max",
        "history",   "reset_on_success", "flush_on_stop"};
    struct guard_conf *c = p->c;
    uint64_t n = 0;
    unsigned ki = 0;
    int r = KK_ERR_INVAL;
    if (!section_key(p, line, keys, sizeof(keys) / sizeof(keys[0]), "guard", k,
                     &ki)) {
        goto out;
    }
    switch (ki) {
    case 0:
    case 1:
        if (v[0] != '/') {
            fail(p, line, "%s: an absolute path is needed", k);
            goto out;
        }
        r = set_str(ki == 0 ? &c->state_dir : &c->socket, v);
        break;
    case 2:
        r = set_str(&c->user, v);
        break;
    case 3:
        r = kk_parse_u64(v, 8, 32, &n);
        c->v4_prefix = (unsigned)n;
        break;
    case 4:
        r = kk_parse_u64(v, 16, 128, &n);
        c->v6_prefix = (unsigned)n;
        break;
    case 5:
        r = kk_parse_u64(v, 1000, 10000000, &n);
        c->max_addresses = (size_t)n;
        break;
    case 6:
        r = parse_u32(v, 1, 100, &c->ban_factor);
        break;
    case 7:
        r = parse_duration(v, 1, 365 * 86400, &c->ban_max);
        break;
    case 8:
        r = parse_duration(v, 0, 365 * 86400, &c->history);
        break;
    case 9:
        r = parse_bool(v, &c->reset_on_success);
        break;
    default:
        r = parse_bool(v, &c->flush_on_stop);
        break;
    }
    r = value_result(p, line, k, v, r);
out:
    return r;
}

static int key_log(struct pstate *p, unsigned line, const char *k,
                   const char *v)
{
    enum guard_fmt f = GUARD_FMT_AUTO;
    int r = KK_ERR_INVAL;
    if (strcmp(k, "format") != 0) {
        fail(p, line, "unknown key '%s' in [log]", k);
        goto out;
    }
    if (p->log_format_set) {
        fail(p, line, "'format' is set twice");
        goto out;
    }
    p->log_format_set = true;
    if (guard_fmt_from_name(v, &f) != KK_OK) {
        fail(p, line, "bad format '%s' (auto, web, syslog or journal)", v);
        goto out;
    }
    p->c->logs[p->log_i].fmt = f;
    r = KK_OK;
out:
    return r;
}

static int key_allow(struct pstate *p, unsigned line, const char *k,
                     const char *v)
{
    struct guard_addr a;
    int r = KK_ERR_INVAL;
    if (strcmp(k, "address") != 0) {
        fail(p, line, "unknown key '%s' in [allow]", k);
        goto out;
    }
    if (guard_addr_parse_prefix(v, strlen(v), &a) != KK_OK) {
        fail(p, line, "bad address or prefix '%s'", v);
        goto out;
    }
    r = guard_addrset_add(p->c->allow, &a);
    if (r != KK_OK) {
        fail(p, line, "cannot add '%s' to the allowlist: %s", v,
             kk_strerror(r));
    }
out:
    return r;
}

/* Splits v on spaces into a NULL-ended argv. */
static int split_argv(struct pstate *p, unsigned line, const char *v)
{
    char **argv = NULL;
    size_t n = 0;
    const char *s = v;
    int r = KK_ERR_NOMEM;
    argv = calloc(GUARD_RELOAD_ARGS_MAX + 1, sizeof(*argv));
    if (argv == NULL) {
        goto out;
    }
    while (*s != '\0') {
        const char *e = s;
        while (*s != '\0' && is_space(*s)) {
            s++;
        }
        e = s;
        while (*e != '\0' && !is_space(*e)) {
            e++;
        }
        if (e == s) {
            break;
        }
        if (n == GUARD_RELOAD_ARGS_MAX) {
            fail(p, line, "reload: more than %d words", GUARD_RELOAD_ARGS_MAX);
            r = KK_ERR_LIMIT;
            goto out;
        }
        argv[n] = dup_n(s, (size_t)(e - s));
        if (argv[n] == NULL) {
            goto out;
        }
        n++;
        s = e;
    }
    if (n == 0 || argv[0][0] != '/') {
        fail(p, line, "reload: the program needs an absolute path");
        r = KK_ERR_INVAL;
        goto out;
    }
    for (size_t i = 0; p->c->reload != NULL && p->c->reload[i] != NULL; i++) {
        free(p->c->reload[i]);
    }
    free((void *)p->c->reload);
    p->c->reload = argv;
    argv = NULL;
    r = KK_OK;
out:
    for (size_t i = 0; argv != NULL && i < n; i++) {
        free(argv[i]);
    }
    free((void *)argv);
    return r;
}

static int key_backend(struct pstate *p, unsigned line, const char *k,
                       const char *v)
{
    static const char *const keys[] = {
        "type",      "nft_table",  "nft_set4", "nft_set6",       "nft_create",
        "deny_file", "deny_style", "reload",   "reload_interval"};
    struct guard_conf *c = p->c;
    unsigned ki = 0;
    int r = KK_ERR_INVAL;
    if (!section_key(p, line, keys, sizeof(keys) / sizeof(keys[0]), "backend",
                     k, &ki)) {
        goto out;
    }
    switch (ki) {
    case 0:
        if (strcmp(v, "none") == 0) {
            c->backend = GUARD_BACKEND_NONE;
        } else if (strcmp(v, "nft") == 0) {
            c->backend = GUARD_BACKEND_NFT;
        } else if (strcmp(v, "file") == 0) {
            c->backend = GUARD_BACKEND_FILE;
        } else {
            fail(p, line, "bad type '%s' (none, nft or file)", v);
            goto out;
        }
        r = KK_OK;
        break;
    case 1:
    case 2:
    case 3:
        if (!name_ok(v, strlen(v)) || strlen(v) > 31) {
            fail(p, line, "bad nftables name '%s'", v);
            goto out;
        }
        r = set_str(ki == 1 ? &c->nft_table
                            : (ki == 2 ? &c->nft_set4 : &c->nft_set6),
                    v);
        break;
    case 4:
        r = parse_bool(v, &c->nft_create);
        break;
    case 5:
        if (v[0] != '/') {
            fail(p, line, "deny_file: an absolute path is needed");
            goto out;
        }
        r = set_str(&c->deny_file, v);
        break;
    case 6:
        if (strcmp(v, "nginx") != 0 && strcmp(v, "apache") != 0) {
            fail(p, line, "bad deny_style '%s' (nginx or apache)", v);
            goto out;
        }
        r = set_str(&c->deny_style, v);
        break;
    case 7:
        r = split_argv(p, line, v);
        goto out;
    default:
        r = parse_duration(v, 1, 3600, &c->reload_interval);
        break;
    }
    r = value_result(p, line, k, v, r);
out:
    return r;
}

static int key_hub(struct pstate *p, unsigned line, const char *k,
                   const char *v)
{
    static const char *const keys[] = {"url", "website", "token_file",
                                       "ca_file", "interval"};
    struct guard_conf *c = p->c;
    unsigned ki = 0;
    int r = KK_ERR_INVAL;
    if (!section_key(p, line, keys, sizeof(keys) / sizeof(keys[0]), "hub", k,
                     &ki)) {
        goto out;
    }
    switch (ki) {
    case 0:
        if (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0) {
            fail(p, line, "url: http:// or https:// is needed");
            goto out;
        }
        r = set_str(&c->hub_url, v);
        break;
    case 1:
        if (!name_ok(v, strlen(v))) {
            fail(p, line, "bad website id '%s'", v);
            goto out;
        }
        r = set_str(&c->hub_website, v);
        break;
    case 2:
    case 3:
        if (v[0] != '/') {
            fail(p, line, "%s: an absolute path is needed", k);
            goto out;
        }
        r = set_str(ki == 2 ? &c->hub_token_file : &c->hub_ca_file, v);
        break;
    default:
        r = parse_duration(v, 10, 86400, &c->hub_interval);
        break;
    }
    r = value_result(p, line, k, v, r);
out:
    return r;
}

/* ---- Rules ---- */

enum rkey {
    RK_ENABLED = 0,
    RK_LOG,
    RK_ACTION,
    RK_METHOD,
    RK_STATUS,
    RK_PATH, /* RK_PATH + enum guard_field */
    RK_NONSTATIC = RK_PATH + GUARD_F_COUNT,
    RK_MALFORMED,
    RK_PROGRAM,
    RK_MATCH,
    RK_COUNT,
    RK_RESETS,
    RK_MAXRETRY,
    RK_FINDTIME,
    RK_BANTIME,
    RK_N,
};

static const char *const rule_keys[RK_N] = {
    "enabled",   "log",       "action",   "method", "status",
    "path",      "agent",     "request",  "vhost",  "referer",
    "nonstatic", "malformed", "program",  "match",  "count",
    "resets",    "maxretry",  "findtime", "bantime"};

static int rule_regex(struct pstate *p, unsigned line, struct guard_rule *ru,
                      const char *v, bool syslog, char **slot)
{
    char why[256];
    int r = guard_regex_check(v, syslog, why, sizeof(why));
    if (r != KK_OK) {
        fail(p, line, "rule '%s': bad regex: %s", ru->name, why);
        goto out;
    }
    r = set_str(slot, v);
    if (r != KK_OK) {
        kk_diag_set(p->d, "out of memory");
    }
out:
    return r;
}

static int rule_methods(struct pstate *p, unsigned line, struct guard_rule *ru,
                        const char *v)
{
    const char *s = v;
    int r = KK_ERR_INVAL;
    ru->nmethods = 0;
    while (*s != '\0') {
        const char *e = s;
        while (*e != '\0' && !is_space(*e)) {
            e++;
        }
        size_t n = (size_t)(e - s);
        if (ru->nmethods == GUARD_METHODS_MAX) {
            fail(p, line, "rule '%s': more than %d methods", ru->name,
                 GUARD_METHODS_MAX);
            goto out;
        }
        for (size_t i = 0; i < n; i++) {
            if (s[i] < 'A' || s[i] > 'Z') {
                n = 0;
            }
        }
        if (n == 0 || n >= sizeof(ru->methods[0])) {
            fail(p, line, "rule '%s': bad method in '%s'", ru->name, v);
            goto out;
        }
        memcpy(ru->methods[ru->nmethods], s, n);
        ru->methods[ru->nmethods][n] = '\0';
        ru->nmethods++;
        s = e;
        while (is_space(*s)) {
            s++;
        }
    }
    r = ru->nmethods > 0 ? KK_OK : KK_ERR_INVAL;
    if (r != KK_OK) {
        fail(p, line, "rule '%s': no method", ru->name);
    }
out:
    return r;
}

static int rule_status(struct pstate *p, unsigned line, struct guard_rule *ru,
                       const char *v)
{
    const char *s = v;
    int r = KK_ERR_INVAL;
    ru->nstatus = 0;
    while (*s != '\0') {
        char word[16];
        const char *e = s;
        uint64_t lo = 0;
        uint64_t hi = 0;
        while (*e != '\0' && !is_space(*e)) {
            e++;
        }
        size_t n = (size_t)(e - s);
        if (ru->nstatus == GUARD_STATUS_MAX || n >= sizeof(word)) {
            fail(p, line, "rule '%s': bad status list '%s'", ru->name, v);
            goto out;
        }
        memcpy(word, s, n);
        word[n] = '\0';
        char *dash = strchr(word, '-');
        if (dash != NULL) {
            *dash = '\0';
        }
        if (kk_parse_u64(word, 100, 999, &lo) != KK_OK ||
            kk_parse_u64(dash != NULL ? dash + 1 : word, 100, 999, &hi) !=
                KK_OK ||
            hi < lo) {
            fail(p, line, "rule '%s': bad status '%.*s' (100-999 or a range)",
                 ru->name, (int)n, s);
            goto out;
        }
        ru->status_lo[ru->nstatus] = (uint16_t)lo;
        ru->status_hi[ru->nstatus] = (uint16_t)hi;
        ru->nstatus++;
        s = e;
        while (is_space(*s)) {
            s++;
        }
    }
    r = KK_OK;
out:
    return r;
}

/* "program = sshd sshd-session": names of [A-Za-z0-9_./-] joined by one
 * space. */
static int rule_program(struct pstate *p, unsigned line, struct guard_rule *ru,
                        const char *v)
{
    size_t k = 0;
    const char *s = v;
    int r = KK_ERR_INVAL;
    while (*s != '\0') {
        const char *e = s;
        while (*e != '\0' && !is_space(*e)) {
            e++;
        }
        size_t n = (size_t)(e - s);
        bool ok = n > 0;
        for (size_t i = 0; i < n && ok; i++) {
            /* "postfix/smtpd": a slash, unlike in rule names */
            ok = s[i] == '/' || name_ok(s + i, 1);
        }
        if (!ok || k + n + 2 > sizeof(ru->program)) {
            fail(p, line, "rule '%s': bad program list '%s'", ru->name, v);
            goto out;
        }
        if (k > 0) {
            ru->program[k++] = ' ';
        }
        memcpy(ru->program + k, s, n);
        k += n;
        s = e;
        while (is_space(*s)) {
            s++;
        }
    }
    ru->program[k] = '\0';
    r = k > 0 ? KK_OK : KK_ERR_INVAL;
    if (r != KK_OK) {
        fail(p, line, "rule '%s': no program", ru->name);
    }
out:
    return r;
}

static int rule_key(struct pstate *p, unsigned line, const char *k, bool neg,
                    const char *v)
{
    struct guard_rule *ru = &p->c->rules[p->rule_i];
    struct rule_ext *x = &p->ext[p->rule_i];
    unsigned ki = 0;
    bool b = false;
    int r = KK_ERR_INVAL;
    while (ki < RK_N && strcmp(rule_keys[ki], k) != 0) {
        ki++;
    }
    if (ki == RK_N) {
        fail(p, line, "rule '%s': unknown key '%s'", ru->name, k);
        goto out;
    }
    if (neg && (ki < RK_PATH || ki >= RK_PATH + GUARD_F_COUNT)) {
        fail(p, line, "rule '%s': '%s' cannot be negated", ru->name, k);
        goto out;
    }
    if (ki != RK_MATCH && !first_time(p, ki)) {
        fail(p, line, "rule '%s': '%s' is set twice", ru->name, k);
        goto out;
    }
    switch (ki) {
    case RK_ENABLED:
        r = parse_bool(v, &ru->enabled);
        break;
    case RK_LOG:
        if (strcmp(v, "web") == 0) {
            ru->cls = GUARD_CLASS_WEB;
        } else if (strcmp(v, "syslog") == 0) {
            ru->cls = GUARD_CLASS_SYSLOG;
        } else {
            fail(p, line, "rule '%s': bad log '%s' (web or syslog)", ru->name,
                 v);
            goto out;
        }
        x->cls_set = true;
        r = KK_OK;
        break;
    case RK_ACTION:
        if (strcmp(v, "ban") == 0) {
            ru->action = GUARD_ACT_BAN;
        } else if (strcmp(v, "reset") == 0) {
            ru->action = GUARD_ACT_RESET;
        } else {
            fail(p, line, "rule '%s': bad action '%s' (ban or reset)", ru->name,
                 v);
            goto out;
        }
        r = KK_OK;
        break;
    case RK_METHOD:
        r = rule_methods(p, line, ru, v);
        goto out;
    case RK_STATUS:
        r = rule_status(p, line, ru, v);
        goto out;
    case RK_NONSTATIC:
    case RK_MALFORMED:
        r = parse_bool(v, &b);
        if (r == KK_OK) {
            *(ki == RK_NONSTATIC ? &ru->nonstatic : &ru->malformed) = b;
        }
        break;
    case RK_PROGRAM:
        r = rule_program(p, line, ru, v);
        goto out;
    case RK_MATCH:
        if (ru->npatterns == GUARD_PATTERNS_MAX) {
            fail(p, line, "rule '%s': more than %d patterns", ru->name,
                 GUARD_PATTERNS_MAX);
            goto out;
        }
        if ((p->rule_keys & ((uint64_t)1 << RK_MATCH)) == 0) {
            /* the first "match" of a section replaces the earlier list */
            for (size_t i = 0; i < ru->npatterns; i++) {
                free(ru->patterns[i]);
                ru->patterns[i] = NULL;
            }
            ru->npatterns = 0;
            p->rule_keys |= (uint64_t)1 << RK_MATCH;
        }
        r = rule_regex(p, line, ru, v, true, &ru->patterns[ru->npatterns]);
        if (r == KK_OK) {
            ru->npatterns++;
        }
        goto out;
    case RK_COUNT:
        if (!name_ok(v, strlen(v))) {
            fail(p, line, "rule '%s': bad rule name '%s'", ru->name, v);
            goto out;
        }
        memcpy(x->count, v, strlen(v) + 1);
        x->count_file = p->file;
        x->count_line = line;
        r = KK_OK;
        break;
    case RK_RESETS:
        r = set_str(&x->resets, v);
        x->resets_file = p->file;
        x->resets_line = line;
        break;
    case RK_MAXRETRY:
        r = parse_u32(v, 1, 100000, &ru->maxretry);
        break;
    case RK_FINDTIME:
        r = parse_duration(v, 1, 30 * 86400, &ru->findtime);
        break;
    case RK_BANTIME:
        r = parse_duration(v, 1, 365 * 86400, &ru->bantime);
        break;
    default: {
        enum guard_field f = (enum guard_field)(ki - RK_PATH);
        r = rule_regex(p, line, ru, v, false, &ru->regex[f]);
        if (r == KK_OK) {
            ru->negate[f] = neg;
        }
        goto out;
    }
    }
    if (r == KK_ERR_NOMEM) {
        kk_diag_set(p->d, "out of memory");
    } else if (r != KK_OK) {
        fail(p, line, "rule '%s': bad value for %s: '%s'", ru->name, k, v);
    }
out:
    return r;
}

/* ---- Sections and lines ---- */

static int section(struct pstate *p, unsigned line, const char *s, size_t n)
{
    int r = KK_ERR_INVAL;
    p->rule_keys = 0;
    p->log_format_set = false;
    if (n == 5 && memcmp(s, "guard", 5) == 0) {
        p->sec = SEC_GUARD;
    } else if (n == 5 && memcmp(s, "allow", 5) == 0) {
        p->sec = SEC_ALLOW;
    } else if (n == 7 && memcmp(s, "backend", 7) == 0) {
        p->sec = SEC_BACKEND;
    } else if (n == 3 && memcmp(s, "hub", 3) == 0) {
        p->sec = SEC_HUB;
    } else if (n > 4 && memcmp(s, "log ", 4) == 0) {
        const char *path = s + 4;
        size_t pn = n - 4;
        while (pn > 0 && is_space(*path)) {
            path++;
            pn--;
        }
        if (pn == 0 || (path[0] != '/' && !(pn == 1 && path[0] == '-'))) {
            fail(p, line, "[log PATH]: an absolute path is needed");
            goto out;
        }
        for (size_t i = 0; i < p->c->nlogs; i++) {
            if (strlen(p->c->logs[i].path) == pn &&
                memcmp(p->c->logs[i].path, path, pn) == 0) {
                fail(p, line, "log '%.*s' is listed twice", (int)pn, path);
                goto out;
            }
        }
        if (p->c->nlogs == GUARD_LOGS_MAX) {
            fail(p, line, "more than %d logs", GUARD_LOGS_MAX);
            r = KK_ERR_LIMIT;
            goto out;
        }
        p->c->logs[p->c->nlogs].path = dup_n(path, pn);
        if (p->c->logs[p->c->nlogs].path == NULL) {
            r = KK_ERR_NOMEM;
            kk_diag_set(p->d, "out of memory");
            goto out;
        }
        p->c->logs[p->c->nlogs].fmt = GUARD_FMT_AUTO;
        p->log_i = p->c->nlogs++;
        p->sec = SEC_LOG;
    } else if (n > 5 && memcmp(s, "rule ", 5) == 0) {
        const char *name = s + 5;
        size_t nn = n - 5;
        char buf[GUARD_NAME_MAX];
        while (nn > 0 && is_space(*name)) {
            name++;
            nn--;
        }
        if (!name_ok(name, nn)) {
            fail(p, line, "bad rule name '%.*s'", (int)nn, name);
            goto out;
        }
        memcpy(buf, name, nn);
        buf[nn] = '\0';
        int i = guard_conf_rule_index(p->c, buf);
        if (i < 0) {
            if (p->c->nrules == GUARD_RULES_MAX) {
                fail(p, line, "more than %d rules", GUARD_RULES_MAX);
                r = KK_ERR_LIMIT;
                goto out;
            }
            i = (int)p->c->nrules++;
            struct guard_rule *ru = &p->c->rules[i];
            memcpy(ru->name, buf, nn + 1);
            ru->enabled = true;
            ru->cls = GUARD_CLASS_WEB;
            ru->action = GUARD_ACT_BAN;
            ru->count_of = -1;
            ru->maxretry = 5;
            ru->findtime = 600;
            ru->bantime = 3600;
        } else if (p->rules_here & ((uint64_t)1 << i)) {
            fail(p, line, "rule '%s' is defined twice", buf);
            goto out;
        }
        p->rules_here |= (uint64_t)1 << i;
        p->rule_i = (size_t)i;
        p->c->rules[i].line = line;
        p->ext[i].file = p->file;
        p->sec = SEC_RULE;
    } else {
        fail(p, line, "unknown section [%.*s]", (int)n, s);
        goto out;
    }
    r = KK_OK;
out:
    return r;
}

static bool key_chars_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '_')) {
            return false;
        }
    }
    return n > 0;
}

/* One logical line "key = value" or "key != value" (value in val). */
static int entry(struct pstate *p, unsigned line, const char *s, size_t n,
                 const char *val)
{
    char key[32];
    bool neg = false;
    int r = KK_ERR_INVAL;
    if (n > 0 && s[n - 1] == '!') {
        neg = true;
        n--;
    }
    while (n > 0 && is_space(s[n - 1])) {
        n--;
    }
    if (!key_chars_ok(s, n) || n >= sizeof(key)) {
        fail(p, line, "bad key '%.*s'", (int)n, s);
        goto out;
    }
    memcpy(key, s, n);
    key[n] = '\0';
    if (val[0] == '\0') {
        fail(p, line, "'%s' has no value", key);
        goto out;
    }
    if (neg && p->sec != SEC_RULE) {
        fail(p, line, "'%s' cannot be negated", key);
        goto out;
    }
    switch (p->sec) {
    case SEC_GUARD:
        r = key_guard(p, line, key, val);
        break;
    case SEC_LOG:
        r = key_log(p, line, key, val);
        break;
    case SEC_ALLOW:
        r = key_allow(p, line, key, val);
        break;
    case SEC_BACKEND:
        r = key_backend(p, line, key, val);
        break;
    case SEC_HUB:
        r = key_hub(p, line, key, val);
        break;
    case SEC_RULE:
        r = rule_key(p, line, key, neg, val);
        break;
    default:
        fail(p, line, "'%s' outside a section", key);
        break;
    }
out:
    return r;
}

/* Reads one file's text into p->c. */
static int parse_text(struct pstate *p, const char *text, size_t len)
{
    struct kk_span sp = kk_span_make(text, len);
    char *val = NULL;
    size_t vlen = 0;
    unsigned lineno = 0;
    unsigned entries = 0;
    unsigned kline = 0;    /* line of the pending key, 0 when none */
    const char *kp = NULL; /* the pending key text (in a line of text) */
    size_t kn = 0;
    bool cont = false;
    int r = KK_ERR_NOMEM;
    val = malloc(GUARD_CONF_VALUE_MAX + 1);
    if (val == NULL) {
        kk_diag_set(p->d, "out of memory");
        goto out;
    }
    p->sec = SEC_NONE;
    p->rules_here = 0;
    memset(p->sec_keys, 0, sizeof(p->sec_keys));
    if (len > KK_CONF_FILE_MAX) {
        kk_diag_set(p->d, "%s: larger than %d bytes", p->file,
                    KK_CONF_FILE_MAX);
        r = KK_ERR_LIMIT;
        goto out;
    }
    for (;;) {
        const char *ln = NULL;
        size_t n = 0;
        r = kk_span_get_line(&sp, KK_CONF_LINE_MAX, &ln, &n);
        if (r == KK_ERR_NOTFOUND) {
            r = KK_OK;
            ln = NULL;
        } else if (r != KK_OK) {
            fail(p, lineno + 1,
                 r == KK_ERR_LIMIT ? "line longer than %d bytes"
                                   : "NUL byte in line (limit %d)",
                 KK_CONF_LINE_MAX);
            goto out;
        } else if (++lineno > GUARD_CONF_LINES_MAX) {
            fail(p, lineno, "more than %d lines", GUARD_CONF_LINES_MAX);
            r = KK_ERR_LIMIT;
            goto out;
        }
        if (ln != NULL) {
            while (n > 0 && (is_space(ln[n - 1]) || ln[n - 1] == '\r')) {
                n--;
            }
            while (n > 0 && is_space(*ln)) {
                ln++;
                n--;
            }
        }
        if (cont) {
            /* the pending value goes on: "\" ended the line before */
            cont = false;
            if (ln != NULL && n > 0 && ln[n - 1] == '\\') {
                cont = true; /* spaces before the "\" are kept */
                n--;
            }
            if (ln != NULL && vlen + n > GUARD_CONF_VALUE_MAX) {
                fail(p, kline, "value longer than %d bytes",
                     GUARD_CONF_VALUE_MAX);
                r = KK_ERR_LIMIT;
                goto out;
            }
            if (ln != NULL) {
                memcpy(val + vlen, ln, n);
                vlen += n;
            }
            if (cont) {
                continue;
            }
            val[vlen] = '\0';
            r = entry(p, kline, kp, kn, val);
            if (r != KK_OK) {
                goto out;
            }
            kline = 0;
            if (ln == NULL) {
                break;
            }
            continue;
        }
        if (ln == NULL) {
            break;
        }
        if (n == 0 || ln[0] == '#' || ln[0] == ';') {
            continue;
        }
        if (ln[0] == '[') {
            if (ln[n - 1] != ']') {
                fail(p, lineno, "a section header needs a closing ']'");
                r = KK_ERR_INVAL;
                goto out;
            }
            size_t hn = n - 2;
            const char *h = ln + 1;
            while (hn > 0 && is_space(*h)) {
                h++;
                hn--;
            }
            while (hn > 0 && is_space(h[hn - 1])) {
                hn--;
            }
            r = section(p, lineno, h, hn);
            if (r != KK_OK) {
                goto out;
            }
            continue;
        }
        const char *eq = memchr(ln, '=', n);
        if (eq == NULL) {
            fail(p, lineno, "expected 'key = value' or '[section]'");
            r = KK_ERR_INVAL;
            goto out;
        }
        if (++entries > KK_CONF_ENTRIES_MAX) {
            fail(p, lineno, "more than %d entries", KK_CONF_ENTRIES_MAX);
            r = KK_ERR_LIMIT;
            goto out;
        }
        kp = ln;
        kn = (size_t)(eq - ln);
        kline = lineno;
        const char *v = eq + 1;
        size_t vn = n - kn - 1;
        while (vn > 0 && is_space(*v)) {
            v++;
            vn--;
        }
        if (vn > 0 && v[vn - 1] == '\\') {
            cont = true;
            vn--;
        }
        memcpy(val, v, vn);
        vlen = vn;
        if (cont) {
            continue;
        }
        val[vlen] = '\0';
        r = entry(p, kline, kp, kn, val);
        if (r != KK_OK) {
            goto out;
        }
    }
    r = KK_OK;
out:
    free(val);
    return r;
}

/* ---- Checks once every file is read ---- */

static bool rule_has_web_keys(const struct guard_rule *ru)
{
    bool any =
        ru->nmethods > 0 || ru->nstatus > 0 || ru->nonstatic || ru->malformed;
    for (size_t f = 0; f < GUARD_F_COUNT; f++) {
        any = any || ru->regex[f] != NULL;
    }
    return any;
}

static bool rule_has_syslog_keys(const struct guard_rule *ru)
{
    return ru->npatterns > 0 || ru->program[0] != '\0';
}

static void fail_at(struct pstate *p, const char *file, unsigned line,
                    const char *fmt, ...) KK_PRINTF(4, 5);

static void fail_at(struct pstate *p, const char *file, unsigned line,
                    const char *fmt, ...)
{
    char msg[KK_DIAG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    kk_diag_set(p->d, "%s: line %u: %s", file, line, msg);
}

static int resolve_resets(struct pstate *p, size_t i)
{
    struct guard_rule *ru = &p->c->rules[i];
    struct rule_ext *x = &p->ext[i];
    const char *s = x->resets;
    int r = KK_ERR_INVAL;
    ru->resets = 0;
    if (ru->action != GUARD_ACT_RESET) {
        if (s != NULL) {
            fail_at(p, x->resets_file, x->resets_line,
                    "rule '%s': 'resets' needs action = reset", ru->name);
            goto out;
        }
        r = KK_OK;
        goto out;
    }
    if (s == NULL) {
        fail_at(p, x->file, ru->line, "rule '%s': a reset rule needs 'resets'",
                ru->name);
        goto out;
    }
    while (*s != '\0') {
        char name[GUARD_NAME_MAX];
        const char *e = s;
        while (*e != '\0' && !is_space(*e)) {
            e++;
        }
        size_t n = (size_t)(e - s);
        if (!name_ok(s, n)) {
            fail_at(p, x->resets_file, x->resets_line,
                    "rule '%s': bad rule name in resets '%s'", ru->name,
                    x->resets);
            goto out;
        }
        memcpy(name, s, n);
        name[n] = '\0';
        int j = guard_conf_rule_index(p->c, name);
        if (j < 0) {
            fail_at(p, x->resets_file, x->resets_line,
                    "rule '%s': resets names unknown rule '%s'", ru->name,
                    name);
            goto out;
        }
        ru->resets |= (uint64_t)1 << j;
        s = e;
        while (is_space(*s)) {
            s++;
        }
    }
    r = KK_OK;
out:
    return r;
}

static int check_rules(struct pstate *p)
{
    struct guard_conf *c = p->c;
    int r = KK_ERR_INVAL;
    for (size_t i = 0; i < c->nrules; i++) {
        struct guard_rule *ru = &c->rules[i];
        struct rule_ext *x = &p->ext[i];
        ru->count_of = -1;
        if (x->count[0] != '\0') {
            int j = guard_conf_rule_index(c, x->count);
            if (j < 0) {
                fail_at(p, x->count_file, x->count_line,
                        "rule '%s': count names unknown rule '%s'", ru->name,
                        x->count);
                goto out;
            }
            ru->count_of = j;
        }
        r = resolve_resets(p, i);
        if (r != KK_OK) {
            goto out;
        }
        r = KK_ERR_INVAL;
        bool web = rule_has_web_keys(ru);
        bool sys = rule_has_syslog_keys(ru);
        if (ru->count_of >= 0) {
            if (web || sys) {
                fail_at(p, x->count_file, x->count_line,
                        "rule '%s': a counting rule has no predicates of its "
                        "own",
                        ru->name);
                goto out;
            }
            continue;
        }
        if (web && sys) {
            fail_at(p, x->file, ru->line,
                    "rule '%s': web keys and syslog keys (program, match) "
                    "mixed",
                    ru->name);
            goto out;
        }
        if (!web && ru->npatterns == 0) {
            fail_at(p, x->file, ru->line, "rule '%s': no predicate", ru->name);
            goto out;
        }
        if (x->cls_set && (ru->cls == GUARD_CLASS_WEB) != web) {
            fail_at(p, x->file, ru->line,
                    "rule '%s': its keys do not fit log = %s", ru->name,
                    ru->cls == GUARD_CLASS_WEB ? "web" : "syslog");
            goto out;
        }
        ru->cls = web ? GUARD_CLASS_WEB : GUARD_CLASS_SYSLOG;
    }
    /* counting: the counted rule, its class, no reset, no cycle */
    for (size_t i = 0; i < c->nrules; i++) {
        struct guard_rule *ru = &c->rules[i];
        struct rule_ext *x = &p->ext[i];
        int j = ru->count_of;
        size_t steps = 0;
        if (j < 0) {
            continue;
        }
        if (ru->action == GUARD_ACT_RESET) {
            fail_at(p, x->count_file, x->count_line,
                    "rule '%s': a reset rule cannot count '%s'", ru->name,
                    c->rules[j].name);
            goto out;
        }
        if (c->rules[j].action == GUARD_ACT_RESET) {
            fail_at(p, x->count_file, x->count_line,
                    "rule '%s': cannot count reset rule '%s'", ru->name,
                    c->rules[j].name);
            goto out;
        }
        while (j >= 0 && c->rules[j].count_of >= 0 && steps <= c->nrules) {
            if ((size_t)j == i) {
                break;
            }
            j = c->rules[j].count_of;
            steps++;
        }
        if ((size_t)j == i || steps > c->nrules) {
            fail_at(p, x->count_file, x->count_line,
                    "rule '%s': count makes a cycle through '%s'", ru->name,
                    x->count);
            goto out;
        }
        ru->cls = c->rules[j].cls;
    }
    r = KK_OK;
out:
    return r;
}

static int finish(struct pstate *p)
{
    struct guard_conf *c = p->c;
    int r = check_rules(p);
    if (r != KK_OK) {
        goto out;
    }
    if (c->socket == NULL) {
        char buf[4096];
        int n = snprintf(buf, sizeof(buf), "%s/control.sock", c->state_dir);
        if (n < 0 || (size_t)n >= sizeof(buf)) {
            kk_diag_set(p->d, "%s: state directory name too long", c->name);
            r = KK_ERR_RANGE;
            goto out;
        }
        r = set_str(&c->socket, buf);
        if (r != KK_OK) {
            kk_diag_set(p->d, "out of memory");
            goto out;
        }
    }
    if (c->backend == GUARD_BACKEND_FILE && c->deny_file == NULL) {
        kk_diag_set(p->d, "%s: [backend] type = file needs deny_file", c->name);
        r = KK_ERR_INVAL;
        goto out;
    }
    if (c->hub_url != NULL &&
        (c->hub_website == NULL || c->hub_token_file == NULL)) {
        kk_diag_set(p->d, "%s: [hub] url needs website and token_file",
                    c->name);
        r = KK_ERR_INVAL;
        goto out;
    }
out:
    return r;
}

int guard_conf_parse(const char *text, size_t len, const char *name,
                     struct guard_conf **out, struct kk_diag *d)
{
    struct pstate *p = NULL;
    struct guard_conf *c = NULL;
    int r = KK_ERR_NOMEM;
    kk_diag_clear(d);
    if (out == NULL || (text == NULL && len > 0)) {
        r = KK_ERR_INVAL;
        goto out;
    }
    p = calloc(1, sizeof(*p));
    c = calloc(1, sizeof(*c));
    if (p == NULL || c == NULL) {
        kk_diag_set(d, "out of memory");
        goto out;
    }
    p->c = c;
    p->d = d;
    if (conf_defaults(c) != KK_OK ||
        set_str(&c->name, name != NULL ? name : "built-in") != KK_OK) {
        kk_diag_set(d, "out of memory");
        goto out;
    }
    for (size_t i = 0; guard_rules_files[i].name != NULL; i++) {
        p->file = guard_rules_files[i].name;
        r = parse_text(p, (const char *)guard_rules_files[i].data,
                       guard_rules_files[i].len);
        if (r != KK_OK) {
            goto out;
        }
    }
    if (text != NULL) {
        p->file = c->name;
        r = parse_text(p, text, len);
        if (r != KK_OK) {
            goto out;
        }
    }
    r = finish(p);
    if (r != KK_OK) {
        goto out;
    }
    *out = c;
    c = NULL;
out:
    for (size_t i = 0; p != NULL && i < GUARD_RULES_MAX; i++) {
        free(p->ext[i].resets);
    }
    free(p);
    guard_conf_free(c);
    return r;
}

int guard_conf_load(const char *path, struct guard_conf **out,
                    struct kk_diag *d)
{
    struct kk_buf *b = NULL;
    int r = KK_OK;
    if (path == NULL) {
        r = guard_conf_parse(NULL, 0, NULL, out, d);
        goto out;
    }
    b = kk_buf_new(KK_CONF_FILE_MAX);
    if (b == NULL) {
        kk_diag_set(d, "out of memory");
        r = KK_ERR_NOMEM;
        goto out;
    }
    r = kk_file_read(path, KK_CONF_FILE_MAX, b, d);
    if (r != KK_OK) {
        if (r == KK_ERR_LIMIT) {
            kk_diag_set(d, "%s: larger than %d bytes", path, KK_CONF_FILE_MAX);
        } else if (d != NULL && d->msg[0] == '\0') {
            kk_diag_set(d, "%s: %s", path, kk_strerror(r));
        }
        goto out;
    }
    r = guard_conf_parse(kk_buf_str(b), kk_buf_len(b), path, out, d);
out:
    kk_buf_free(b);
    return r;
}
