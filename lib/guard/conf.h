/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * conf.h - the guard's configuration as the other stages read it, and the
 * rule matcher compiled from it.
 *
 * The file is INI-like (docs/guard.md): "[guard]", "[log PATH]",
 * "[allow]", "[backend]", "[hub]" and "[rule NAME]" sections of
 * "key = value" lines.  The built-in rules (data/rules.conf, compiled in)
 * are read first; a user's "[rule NAME]" with a built-in name changes only
 * the keys it sets, "enabled = no" switches a rule off, a new name adds a
 * rule.  Everything is checked at load: a bad rule fails with its line.
 */
#ifndef KALKAN_GUARD_CONF_H
#define KALKAN_GUARD_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "parse.h"

#define GUARD_RULES_MAX 64    /* rules in one configuration (a bit mask) */
#define GUARD_LOGS_MAX 64     /* log files followed */
#define GUARD_PATTERNS_MAX 64 /* patterns in one rule */
#define GUARD_STATUS_MAX 8    /* status ranges in one rule */
#define GUARD_METHODS_MAX 8   /* methods in one rule */
#define GUARD_CONF_VALUE_MAX                                                   \
    8192                            /* bytes in one value, continued lines     \
                                       ("\\" at a line's end) joined */
#define GUARD_CONF_LINES_MAX 100000 /* lines in one configuration file */
#define GUARD_RELOAD_ARGS_MAX 16    /* words in [backend] reload */
#define GUARD_STATE_DEFAULT "/var/lib/kalkan/guard"

enum guard_class {
    GUARD_CLASS_WEB = 0, /* access logs */
    GUARD_CLASS_SYSLOG,  /* syslog lines and journal records */
};

/* Fields of an access-log line a web rule may test with a regex. */
enum guard_field {
    GUARD_F_PATH = 0,
    GUARD_F_AGENT,
    GUARD_F_REQUEST,
    GUARD_F_VHOST,
    GUARD_F_REFERER,
    GUARD_F_COUNT,
};

enum guard_action {
    GUARD_ACT_BAN = 0, /* count; ban at maxretry within findtime */
    GUARD_ACT_RESET,   /* a success: clears the counters of `resets` */
};

struct guard_rule {
    char name[GUARD_NAME_MAX];
    unsigned line; /* where it was (last) defined, for messages */
    bool enabled;
    enum guard_class cls;
    enum guard_action action;
    /* web predicates (all must hold; absent ones hold) */
    char methods[GUARD_METHODS_MAX][16];
    size_t nmethods;
    uint16_t status_lo[GUARD_STATUS_MAX], status_hi[GUARD_STATUS_MAX];
    size_t nstatus;
    char *regex[GUARD_F_COUNT]; /* PCRE2 source or NULL */
    bool negate[GUARD_F_COUNT]; /* "path != ..." */
    bool nonstatic;             /* only requests for pages, not assets */
    bool malformed;             /* only malformed request lines */
    /* syslog predicates: program and patterns with one <ADDR> each.
     * program holds one or more names separated by single spaces
     * ("sshd sshd-session"); "" matches lines of any program. */
    char program[32];
    char *patterns[GUARD_PATTERNS_MAX];
    size_t npatterns;
    /* counting */
    int count_of;      /* index of a rule whose matches this one counts, or
                          -1 */
    uint64_t resets;   /* GUARD_ACT_RESET: bit i clears rule i */
    uint32_t maxretry; /* events within findtime that ban */
    uint32_t findtime; /* seconds */
    uint32_t bantime;  /* seconds, first ban */
};

struct guard_log {
    char *path;
    enum guard_fmt fmt;
};

enum guard_backend {
    GUARD_BACKEND_NONE = 0,
    GUARD_BACKEND_NFT,
    GUARD_BACKEND_FILE,
};

struct guard_conf {
    char *name; /* the file, for messages */
    /* [guard] */
    char *state_dir;       /* positions, bans, history */
    char *socket;          /* control socket */
    char *user;            /* drop privileges to this user ("" keep) */
    unsigned v4_prefix;    /* 32 */
    unsigned v6_prefix;    /* 64 */
    size_t max_addresses;  /* tracked at once; oldest evicted */
    uint32_t ban_factor;   /* each repeat ban lasts this many times more */
    uint32_t ban_max;      /* seconds, cap of escalated bans */
    uint32_t history;      /* seconds a past ban counts for escalation */
    bool reset_on_success; /* reset rules act */
    bool flush_on_stop;    /* remove bans at stop (else keep) */
    /* [log PATH] */
    struct guard_log logs[GUARD_LOGS_MAX];
    size_t nlogs;
    /* [allow] */
    struct guard_addrset *allow;
    /* [backend] */
    enum guard_backend backend;
    char *nft_table;           /* "kalkan" (family inet) */
    char *nft_set4, *nft_set6; /* "ban4", "ban6" */
    bool nft_create;           /* create table, sets and drop rules */
    char *deny_file;           /* file backend */
    char *deny_style;          /* "nginx" or "apache" */
    char **reload;             /* argv of the reload command, NULL-ended */
    uint32_t reload_interval;  /* seconds between reloads at most */
    /* [hub] */
    char *hub_url;     /* NULL: no reports */
    char *hub_website; /* the website's id in the hub */
    char *hub_token_file;
    char *hub_ca_file;     /* NULL: system store */
    uint32_t hub_interval; /* seconds between reports */
    /* [rule NAME] */
    struct guard_rule rules[GUARD_RULES_MAX];
    size_t nrules;
};

/* Index of the enabled-or-not rule called name, or -1. */
int guard_conf_rule_index(const struct guard_conf *c, const char *name);

/*
 * Rule regexes, shared by conf.c (checked at load) and match.c (combined
 * into one program per field or program).  A rule regex is PCRE2 syntax
 * without what would change the meaning of the others once combined:
 * back references, subroutine calls, recursion, callouts, backtracking
 * verbs "(*...)" and extended mode "(?x)".  In a syslog pattern "<ADDR>"
 * (exactly once) stands for an IPv4 or IPv6 address.
 */
/* Appends re to out with <ADDR> replaced by the named group "kka<n>". */
int guard_regex_expand(struct kk_buf *out, const char *re, bool syslog,
                       unsigned n);
/* Checks and compiles re alone; on failure writes why (PCRE2's message
 * and offset) into why and returns KK_ERR_INVAL. */
int guard_regex_check(const char *re, bool syslog, char *why, size_t cap);

/* ---- The matcher ---- */

/* What one line means to the rules. */
struct guard_hit {
    struct guard_addr addr; /* the host address (not yet masked) */
    int64_t t;              /* log time */
    uint64_t rules;         /* bit i: the line counts for rule i */
    uint64_t resets;        /* bit i: the line resets rule i's counter */
};

struct guard_matcher;

/* Compiles every enabled rule: one matcher per class, one combined PCRE2
 * (JIT) program per field.  KK_ERR_INVAL with d naming rule and line when
 * a pattern does not compile. */
int guard_matcher_new(const struct guard_conf *c, struct guard_matcher **out,
                      struct kk_diag *d);
void guard_matcher_free(struct guard_matcher *m);
/* Fills h->rules and h->resets (both 0 when nothing matched) and h->addr
 * and h->t from the line.  Each field's combined program runs at most once,
 * and only when a rule whose other predicates hold needs it.  Not
 * thread-safe (match data is reused). */
void guard_match_web(struct guard_matcher *m, const struct guard_web *w,
                     struct guard_hit *h);
/* The same for syslog: the first pattern (in rule order) that matches
 * gives the rule and the address (<ADDR>); rules counting that rule
 * (count_of) get their bits too.  h->rules is 0 when no pattern matched or
 * the address did not parse. */
void guard_match_syslog(struct guard_matcher *m, const struct guard_syslog *s,
                        struct guard_hit *h);

#endif
