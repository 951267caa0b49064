/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * match.c - the rule matcher: what one log line means to every rule, in
 * one pass.
 *
 * Web rules: the cheap predicates (status, method, static file,
 * malformed request) are looked up in tables first, as bit masks over the
 * rules.  Then, for each field (vhost, agent, referer, path, request), the
 * regexes of all the rules that test it are one PCRE2 program, JIT
 * compiled: each rule's regex is an alternative ending in a callout that
 * sets the rule's bit and fails, so the search goes on and reports every
 * rule that matches, not only the first.  A field's program runs only when
 * a rule that is still possible needs it, and stops as soon as every such
 * rule has its bit.  A negated regex ("path != ...") holds when its bit is
 * not set.
 *
 * Syslog rules: per program name, the patterns of all rules are the
 * alternatives of one anchored program; the first pattern in rule order
 * that matches wins, a mark names it and a named group holds its <ADDR>.
 *
 * The trade-off: one combined program per field costs a callout per
 * matching alternative, but a line that matches nothing (nearly all of
 * them) is scanned once per field instead of once per rule.  Counting
 * rules ("count = X") have no program: they take X's bit.  Not
 * thread-safe: match data, the JIT stack and the callout state are reused
 * from line to line.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard_int.h"

#define MATCH_LIMIT 1000000        /* backtracking steps per program run */
#define JIT_STACK_MAX (512 * 1024) /* bytes */
#define PROGRAMS_MAX 16            /* distinct syslog program names */

/* <ADDR>: an IPv4 address, or IPv6 text (also with an embedded IPv4),
 * not glued to other address or word characters.  guard_addr_parse has
 * the last word on what it is. */
#define ADDR_HEAD "(?<![\\w.:])(?<kka"
#define ADDR_TAIL                                                              \
    ">(?:\\d{1,3}\\.){3}\\d{1,3}|(?:[0-9A-Fa-f]{0,4}:){2,7}"                   \
    "(?:[0-9A-Fa-f]{1,4}|(?:\\d{1,3}\\.){3}\\d{1,3})?)(?![\\w:]|\\.\\d)"

static const enum guard_field field_order[GUARD_F_COUNT] = {
    GUARD_F_VHOST, GUARD_F_AGENT, GUARD_F_REFERER, GUARD_F_PATH,
    GUARD_F_REQUEST};

struct prog {
    pcre2_code *code;
    pcre2_match_data *md;
    bool jit;
};

struct sys_alt {
    int rule;
    uint32_t group; /* capture number of its <ADDR> */
};

struct sys_prog {
    char name[32]; /* program name; "" for any program not listed */
    struct prog p;
    struct sys_alt *alts;
    size_t nalts;
};

struct method_mask {
    char name[16];
    uint64_t rules;
};

struct callout_state {
    uint64_t found;
    uint64_t want;
};

struct guard_matcher {
    pcre2_match_context *mctx;
    pcre2_jit_stack *stack;
    struct callout_state cs;
    /* what a matched rule bit gives */
    uint64_t reset_rules; /* active reset rules */
    uint64_t resets_of[GUARD_RULES_MAX];
    uint64_t gives[GUARD_RULES_MAX]; /* own bit if enabled, and counters */
    /* web */
    uint64_t web_active;
    uint64_t status_ok[1000];
    uint64_t no_method;
    struct method_mask methods[GUARD_RULES_MAX * GUARD_METHODS_MAX];
    size_t nmethods;
    uint64_t nonstatic;
    uint64_t malformed;
    uint64_t field_rules[GUARD_F_COUNT];
    uint64_t field_neg[GUARD_F_COUNT];
    struct prog field[GUARD_F_COUNT];
    /* syslog */
    struct sys_prog sys[PROGRAMS_MAX + 1];
    size_t nsys;
    struct sys_prog *sys_other; /* rules with no program, or NULL */
};

/* ---- Rule regexes ---- */

int guard_regex_expand(struct kk_buf *out, const char *re, bool syslog,
                       unsigned n)
{
    const char *s = re;
    int r = KK_OK;
    while (r == KK_OK && *s != '\0') {
        const char *a = syslog ? strstr(s, "<ADDR>") : NULL;
        if (a == NULL) {
            r = kk_buf_puts(out, s);
            break;
        }
        r = kk_buf_put(out, s, (size_t)(a - s));
        if (r == KK_OK) {
            r = kk_buf_putf(out, "%s%u%s", ADDR_HEAD, n, ADDR_TAIL);
        }
        s = a + 6;
    }
    return r;
}

/* What would change the meaning of the other rules once combined, or
 * reach into the matcher's own callouts, marks and groups. */
static const char *construct_refused(const char *re)
{
    const char *s = re;
    while (*s != '\0') {
        if (s[0] == '\\') {
            if (s[1] == 'Q') {
                const char *e = strstr(s + 2, "\\E");
                if (e == NULL) {
                    return "\\Q without \\E";
                }
                s = e + 2;
                continue;
            }
            if (s[1] == 'g' || s[1] == 'k') {
                return "back references and subroutine calls";
            }
            if (s[1] == '\0') {
                return NULL; /* PCRE2 says what is wrong */
            }
            s += 2;
            continue;
        }
        if (s[0] == '[') {
            /* a class: "]" right after "[" or "[^" is a member */
            s++;
            if (*s == '^') {
                s++;
            }
            if (*s == ']') {
                s++;
            }
            while (*s != '\0' && *s != ']') {
                if (s[0] == '[' && s[1] == ':') {
                    const char *e = strstr(s + 2, ":]");
                    s = e != NULL ? e + 2 : s + 1;
                    continue;
                }
                s += (s[0] == '\\' && s[1] != '\0') ? 2 : 1;
            }
            if (*s == ']') {
                s++;
            }
            continue;
        }
        if (s[0] == '(' && s[1] == '*') {
            return "backtracking verbs and options (*...)";
        }
        if (s[0] == '(' && s[1] == '?') {
            const char *t = s + 2;
            if (*t == 'R' || *t == '&' || *t == '+' || *t == 'C' ||
                (*t >= '0' && *t <= '9') ||
                (*t == '-' && t[1] >= '0' && t[1] <= '9') ||
                (*t == 'P' && t[1] == '>')) {
                return "recursion, subroutine calls and callouts";
            }
            /* option letters up to ':' or ')' */
            while (*t != '\0' && *t != ':' && *t != ')' &&
                   ((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') ||
                    *t == '-' || *t == '^')) {
                if (*t == 'x') {
                    return "extended mode (?x)";
                }
                t++;
            }
        }
        s++;
    }
    return NULL;
}

static size_t count_addr(const char *re)
{
    size_t n = 0;
    for (const char *s = strstr(re, "<ADDR>"); s != NULL;
         s = strstr(s + 6, "<ADDR>")) {
        n++;
    }
    return n;
}

int guard_regex_check(const char *re, bool syslog, char *why, size_t cap)
{
    struct kk_buf *b = NULL;
    pcre2_code *code = NULL;
    int errcode = 0;
    PCRE2_SIZE erroff = 0;
    uint32_t backrefs = 0;
    const char *refused = NULL;
    int r = KK_ERR_INVAL;
    why[0] = '\0';
    if (syslog && count_addr(re) != 1) {
        snprintf(why, cap, "a syslog pattern needs <ADDR> exactly once");
        goto out;
    }
    refused = construct_refused(re);
    if (refused != NULL) {
        snprintf(why, cap, "%s not allowed in rules", refused);
        goto out;
    }
    b = kk_buf_new(GUARD_CONF_VALUE_MAX * 2);
    if (b == NULL || guard_regex_expand(b, re, syslog, 0) != KK_OK) {
        r = KK_ERR_NOMEM;
        snprintf(why, cap, "out of memory");
        goto out;
    }
    code = pcre2_compile((PCRE2_SPTR)kk_buf_str(b), kk_buf_len(b), 0, &errcode,
                         &erroff, NULL);
    if (code == NULL) {
        PCRE2_UCHAR msg[160];
        if (pcre2_get_error_message(errcode, msg, sizeof(msg)) < 0) {
            snprintf((char *)msg, sizeof(msg), "error %d", errcode);
        }
        snprintf(why, cap, "%s at offset %zu", (const char *)msg,
                 (size_t)erroff);
        goto out;
    }
    if (pcre2_pattern_info(code, PCRE2_INFO_BACKREFMAX, &backrefs) != 0 ||
        backrefs > 0) {
        snprintf(why, cap, "back references not allowed in rules");
        goto out;
    }
    r = KK_OK;
out:
    pcre2_code_free(code);
    kk_buf_free(b);
    return r;
}

/* ---- Building ---- */

static int callout(pcre2_callout_block *cb, void *data)
{
    struct callout_state *cs = data;
    uint32_t n = cb->callout_number;
    if (n >= 1 && n <= GUARD_RULES_MAX) {
        cs->found |= (uint64_t)1 << (n - 1);
    }
    /* >0: this path fails and the search goes on; <0: stop, all found */
    return (cs->found & cs->want) == cs->want ? PCRE2_ERROR_CALLOUT : 1;
}

static int prog_compile(struct prog *p, struct kk_buf *src, uint32_t opts,
                        bool md_for_pattern, struct kk_diag *d,
                        const char *what)
{
    int errcode = 0;
    PCRE2_SIZE erroff = 0;
    int r = KK_ERR_INVAL;
    p->code = pcre2_compile((PCRE2_SPTR)kk_buf_str(src), kk_buf_len(src),
                            opts | PCRE2_DUPNAMES, &errcode, &erroff, NULL);
    if (p->code == NULL) {
        PCRE2_UCHAR msg[160];
        if (pcre2_get_error_message(errcode, msg, sizeof(msg)) < 0) {
            snprintf((char *)msg, sizeof(msg), "error %d", errcode);
        }
        kk_diag_set(d, "rules for %s do not combine: %s at offset %zu", what,
                    (const char *)msg, (size_t)erroff);
        goto out;
    }
    /* without JIT (an architecture PCRE2 cannot JIT for) the interpreter
     * gives the same answers, slower */
    p->jit = pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE) == 0;
    p->md = md_for_pattern ? pcre2_match_data_create_from_pattern(p->code, NULL)
                           : pcre2_match_data_create(1, NULL);
    if (p->md == NULL) {
        kk_diag_set(d, "out of memory");
        r = KK_ERR_NOMEM;
        goto out;
    }
    r = KK_OK;
out:
    return r;
}

static void prog_free(struct prog *p)
{
    pcre2_match_data_free(p->md);
    pcre2_code_free(p->code);
    p->md = NULL;
    p->code = NULL;
}

static int prog_run(struct guard_matcher *m, struct prog *p, const char *s,
                    size_t n)
{
    static const char empty[1] = "";
    if (s == NULL) {
        s = empty;
        n = 0;
    }
    if (p->jit) {
        return pcre2_jit_match(p->code, (PCRE2_SPTR)s, n, 0, 0, p->md, m->mctx);
    }
    return pcre2_match(p->code, (PCRE2_SPTR)s, n, 0, 0, p->md, m->mctx);
}

/* Which rules are evaluated (active), and what each bit gives. */
static void plan(struct guard_matcher *m, const struct guard_conf *c,
                 uint64_t *active)
{
    uint64_t act = 0;
    for (size_t i = 0; i < c->nrules; i++) {
        const struct guard_rule *ru = &c->rules[i];
        if (!ru->enabled) {
            continue;
        }
        if (ru->action == GUARD_ACT_RESET) {
            if (c->reset_on_success) {
                act |= (uint64_t)1 << i;
                m->reset_rules |= (uint64_t)1 << i;
                m->resets_of[i] = ru->resets;
            }
            continue;
        }
        /* the rule itself, or the rule at the end of its count chain */
        size_t j = i;
        size_t steps = 0;
        m->gives[j] |= (uint64_t)1 << i;
        while (c->rules[j].count_of >= 0 && steps++ < GUARD_RULES_MAX) {
            j = (size_t)c->rules[j].count_of;
            m->gives[j] |= (uint64_t)1 << i;
        }
        act |= (uint64_t)1 << j;
    }
    *active = act;
}

static bool has_program(const char *list, const char *name)
{
    size_t n = strlen(name);
    const char *s = list;
    while (*s != '\0') {
        const char *e = strchr(s, ' ');
        size_t k = e != NULL ? (size_t)(e - s) : strlen(s);
        if (k == n && memcmp(s, name, n) == 0) {
            return true;
        }
        s += k;
        while (*s == ' ') {
            s++;
        }
    }
    return false;
}

static int build_web(struct guard_matcher *m, const struct guard_conf *c,
                     uint64_t active, struct kk_diag *d)
{
    struct kk_buf *b = NULL;
    int r = KK_OK;
    for (size_t i = 0; i < c->nrules; i++) {
        const struct guard_rule *ru = &c->rules[i];
        uint64_t bit = (uint64_t)1 << i;
        if (!(active & bit) || ru->cls != GUARD_CLASS_WEB) {
            continue;
        }
        m->web_active |= bit;
        for (unsigned st = 0; st < 1000; st++) {
            bool ok = ru->nstatus == 0;
            for (size_t k = 0; k < ru->nstatus && !ok; k++) {
                ok = st >= ru->status_lo[k] && st <= ru->status_hi[k];
            }
            if (ok) {
                m->status_ok[st] |= bit;
            }
        }
        if (ru->nmethods == 0) {
            m->no_method |= bit;
        }
        for (size_t k = 0; k < ru->nmethods; k++) {
            size_t j = 0;
            while (j < m->nmethods &&
                   strcmp(m->methods[j].name, ru->methods[k]) != 0) {
                j++;
            }
            if (j == m->nmethods) {
                memcpy(m->methods[j].name, ru->methods[k],
                       sizeof(m->methods[j].name));
                m->nmethods++;
            }
            m->methods[j].rules |= bit;
        }
        if (ru->nonstatic) {
            m->nonstatic |= bit;
        }
        if (ru->malformed) {
            m->malformed |= bit;
        }
        for (size_t f = 0; f < GUARD_F_COUNT; f++) {
            if (ru->regex[f] != NULL) {
                m->field_rules[f] |= bit;
                if (ru->negate[f]) {
                    m->field_neg[f] |= bit;
                }
            }
        }
    }
    b = kk_buf_new((size_t)GUARD_RULES_MAX * (GUARD_CONF_VALUE_MAX + 64));
    if (b == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    for (size_t f = 0; f < GUARD_F_COUNT; f++) {
        static const char *const names[GUARD_F_COUNT] = {
            "path", "agent", "request", "vhost", "referer"};
        if (m->field_rules[f] == 0) {
            continue;
        }
        kk_buf_reset(b);
        for (size_t i = 0; i < c->nrules && r == KK_OK; i++) {
            if (!(m->field_rules[f] & ((uint64_t)1 << i))) {
                continue;
            }
            if (kk_buf_len(b) > 0) {
                r = kk_buf_putc(b, '|');
            }
            if (r == KK_OK) {
                r = kk_buf_puts(b, "(?:");
            }
            if (r == KK_OK) {
                r = guard_regex_expand(b, c->rules[i].regex[f], false, 0);
            }
            if (r == KK_OK) {
                r = kk_buf_putf(b, ")(?C%zu)", i + 1);
            }
        }
        if (r != KK_OK) {
            goto out;
        }
        r = prog_compile(&m->field[f], b, 0, false, d, names[f]);
        if (r != KK_OK) {
            goto out;
        }
    }
out:
    if (r == KK_ERR_NOMEM || r == KK_ERR_LIMIT) {
        kk_diag_set(d, "out of memory combining web rules");
    }
    kk_buf_free(b);
    return r;
}

/* One anchored program for the syslog rules of program name ("" for the
 * rules that name no program): alternatives in rule order, each marked
 * with its index. */
static int build_sys(const struct guard_conf *c, uint64_t active,
                     struct sys_prog *sp, struct kk_diag *d)
{
    struct kk_buf *b = NULL;
    size_t cap = 0;
    int r = KK_ERR_NOMEM;
    for (size_t i = 0; i < c->nrules; i++) {
        const struct guard_rule *ru = &c->rules[i];
        if ((active & ((uint64_t)1 << i)) && ru->cls == GUARD_CLASS_SYSLOG) {
            cap += ru->npatterns;
        }
    }
    sp->alts = calloc(cap > 0 ? cap : 1, sizeof(*sp->alts));
    b = kk_buf_new(cap * (GUARD_CONF_VALUE_MAX + 512) + 64);
    if (sp->alts == NULL || b == NULL) {
        goto out;
    }
    r = KK_OK;
    for (size_t i = 0; i < c->nrules && r == KK_OK; i++) {
        const struct guard_rule *ru = &c->rules[i];
        if (!(active & ((uint64_t)1 << i)) || ru->cls != GUARD_CLASS_SYSLOG) {
            continue;
        }
        bool fits = sp->name[0] == '\0' ? ru->program[0] == '\0'
                                        : (ru->program[0] == '\0' ||
                                           has_program(ru->program, sp->name));
        for (size_t k = 0; fits && k < ru->npatterns && r == KK_OK; k++) {
            const char *pat = ru->patterns[k];
            unsigned n = (unsigned)sp->nalts;
            r = kk_buf_puts(b, sp->nalts > 0 ? "|" : "(?:");
            if (r == KK_OK && pat[0] != '^') {
                /* unanchored: search from the start within this
                 * alternative, so that rule order decides, not the
                 * position */
                r = kk_buf_puts(b, "(?s:.*?)");
            }
            if (r == KK_OK) {
                r = kk_buf_puts(b, "(?:");
            }
            if (r == KK_OK) {
                r = guard_regex_expand(b, pat, true, n);
            }
            if (r == KK_OK) {
                r = kk_buf_putf(b, ")(*MARK:%u)", n);
            }
            sp->alts[sp->nalts].rule = (int)i;
            sp->nalts++;
        }
    }
    if (r == KK_OK && sp->nalts > 0) {
        r = kk_buf_putc(b, ')');
    }
    if (r != KK_OK || sp->nalts == 0) {
        goto out;
    }
    r = prog_compile(&sp->p, b, PCRE2_ANCHORED, true, d,
                     sp->name[0] != '\0' ? sp->name : "syslog");
    for (size_t k = 0; r == KK_OK && k < sp->nalts; k++) {
        char gname[32];
        snprintf(gname, sizeof(gname), "kka%zu", k);
        int g = pcre2_substring_number_from_name(sp->p.code, (PCRE2_SPTR)gname);
        if (g <= 0) {
            kk_diag_set(d, "rule '%s': no <ADDR> group",
                        c->rules[sp->alts[k].rule].name);
            r = KK_ERR_INVAL;
        } else {
            sp->alts[k].group = (uint32_t)g;
        }
    }
out:
    if (r == KK_ERR_NOMEM || r == KK_ERR_LIMIT) {
        kk_diag_set(d, "out of memory combining syslog rules");
    }
    kk_buf_free(b);
    return r;
}

static int build_syslog(struct guard_matcher *m, const struct guard_conf *c,
                        uint64_t active, struct kk_diag *d)
{
    bool any = false;
    int r = KK_OK;
    /* the distinct program names */
    for (size_t i = 0; i < c->nrules && r == KK_OK; i++) {
        const struct guard_rule *ru = &c->rules[i];
        if (!(active & ((uint64_t)1 << i)) || ru->cls != GUARD_CLASS_SYSLOG) {
            continue;
        }
        if (ru->program[0] == '\0') {
            any = true;
            continue;
        }
        const char *s = ru->program;
        while (*s != '\0') {
            char name[32];
            const char *e = strchr(s, ' ');
            size_t k = e != NULL ? (size_t)(e - s) : strlen(s);
            size_t j = 0;
            memcpy(name, s, k);
            name[k] = '\0';
            while (j < m->nsys && strcmp(m->sys[j].name, name) != 0) {
                j++;
            }
            if (j == m->nsys) {
                if (m->nsys == PROGRAMS_MAX) {
                    kk_diag_set(d, "rule '%s': more than %d programs", ru->name,
                                PROGRAMS_MAX);
                    r = KK_ERR_LIMIT;
                    break;
                }
                memcpy(m->sys[j].name, name, k + 1);
                m->nsys++;
            }
            s += k;
            while (*s == ' ') {
                s++;
            }
        }
    }
    for (size_t j = 0; j < m->nsys && r == KK_OK; j++) {
        r = build_sys(c, active, &m->sys[j], d);
    }
    if (r == KK_OK && any) {
        m->sys_other = &m->sys[m->nsys];
        m->sys_other->name[0] = '\0';
        r = build_sys(c, active, m->sys_other, d);
    }
    return r;
}

void guard_matcher_free(struct guard_matcher *m)
{
    if (m == NULL) {
        return;
    }
    for (size_t f = 0; f < GUARD_F_COUNT; f++) {
        prog_free(&m->field[f]);
    }
    for (size_t j = 0; j <= PROGRAMS_MAX; j++) {
        prog_free(&m->sys[j].p);
        free(m->sys[j].alts);
    }
    pcre2_jit_stack_free(m->stack);
    pcre2_match_context_free(m->mctx);
    free(m);
}

int guard_matcher_new(const struct guard_conf *c, struct guard_matcher **out,
                      struct kk_diag *d)
{
    struct guard_matcher *m = NULL;
    uint64_t active = 0;
    int r = KK_ERR_NOMEM;
    if (c == NULL || out == NULL) {
        r = KK_ERR_INVAL;
        goto out;
    }
    m = calloc(1, sizeof(*m));
    if (m == NULL) {
        kk_diag_set(d, "out of memory");
        goto out;
    }
    m->mctx = pcre2_match_context_create(NULL);
    m->stack = pcre2_jit_stack_create(32 * 1024, JIT_STACK_MAX, NULL);
    if (m->mctx == NULL || m->stack == NULL) {
        kk_diag_set(d, "out of memory");
        goto out;
    }
    pcre2_jit_stack_assign(m->mctx, NULL, m->stack);
    pcre2_set_callout(m->mctx, callout, &m->cs);
    pcre2_set_match_limit(m->mctx, MATCH_LIMIT);
    plan(m, c, &active);
    r = build_web(m, c, active, d);
    if (r == KK_OK) {
        r = build_syslog(m, c, active, d);
    }
    if (r != KK_OK) {
        goto out;
    }
    *out = m;
    m = NULL;
out:
    guard_matcher_free(m);
    return r;
}

/* ---- Matching ---- */

/* A request for a style sheet, script, image, font or media file: what a
 * page pulls in, not what a reader asks for.  The extension of the last
 * path segment, before any query. */
static bool is_static(const char *p, size_t n)
{
    static const char *const ext[] = {
        "css",  "js",  "mjs", "map", "png",  "jpg",  "jpeg", "gif",   "webp",
        "avif", "svg", "ico", "bmp", "tif",  "tiff", "woff", "woff2", "ttf",
        "otf",  "eot", "mp3", "mp4", "webm", "ogg",  "m4a",  "wav"};
    size_t end = 0;
    size_t dot = 0;
    bool have_dot = false;
    char e[8];
    while (end < n && p[end] != '?' && p[end] != '#') {
        if (p[end] == '/') {
            have_dot = false;
        } else if (p[end] == '.') {
            have_dot = true;
            dot = end;
        }
        end++;
    }
    if (!have_dot || end - dot - 1 == 0 || end - dot - 1 >= sizeof(e)) {
        return false;
    }
    size_t k = end - dot - 1;
    for (size_t i = 0; i < k; i++) {
        char ch = p[dot + 1 + i];
        e[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
    }
    e[k] = '\0';
    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
        if (strcmp(e, ext[i]) == 0) {
            return true;
        }
    }
    return false;
}

static void give(const struct guard_matcher *m, uint64_t matched,
                 struct guard_hit *h)
{
    uint64_t rules = 0;
    uint64_t resets = 0;
    while (matched != 0) {
        unsigned i = (unsigned)__builtin_ctzll(matched);
        matched &= matched - 1;
        if (m->reset_rules & ((uint64_t)1 << i)) {
            resets |= m->resets_of[i];
        } else {
            rules |= m->gives[i];
        }
    }
    h->rules = rules;
    h->resets = resets;
}

static const struct guard_span *web_field(const struct guard_web *w,
                                          enum guard_field f)
{
    switch (f) {
    case GUARD_F_PATH:
        return &w->path;
    case GUARD_F_AGENT:
        return &w->agent;
    case GUARD_F_REQUEST:
        return &w->request;
    case GUARD_F_VHOST:
        return &w->vhost;
    default:
        return &w->referer;
    }
}

void guard_match_web(struct guard_matcher *m, const struct guard_web *w,
                     struct guard_hit *h)
{
    uint64_t cand = m->web_active;
    h->addr = w->addr;
    h->t = w->t;
    h->rules = 0;
    h->resets = 0;
    if (cand == 0) {
        return;
    }
    /* status_ok[0]: the rules with no status predicate */
    cand &= m->status_ok[w->status >= 100 && w->status < 1000 ? w->status : 0];
    if (cand & ~m->no_method) {
        uint64_t ok = m->no_method;
        for (size_t j = 0; j < m->nmethods; j++) {
            size_t k = strlen(m->methods[j].name);
            if (k == w->method.n &&
                memcmp(m->methods[j].name, w->method.p, k) == 0) {
                ok |= m->methods[j].rules;
            }
        }
        cand &= ok;
    }
    if (!w->malformed) {
        cand &= ~m->malformed;
    }
    if ((cand & m->nonstatic) &&
        (w->malformed || is_static(w->path.p, w->path.n))) {
        cand &= ~m->nonstatic;
    }
    for (size_t i = 0; i < GUARD_F_COUNT && cand != 0; i++) {
        enum guard_field f = field_order[i];
        uint64_t need = cand & m->field_rules[f];
        const struct guard_span *sp = web_field(w, f);
        if (need == 0) {
            continue;
        }
        m->cs.found = 0;
        m->cs.want = need;
        (void)prog_run(m, &m->field[f], sp->p, sp->n);
        uint64_t pass = (m->cs.found ^ m->field_neg[f]) & need;
        cand &= ~(need & ~pass);
    }
    give(m, cand, h);
}

void guard_match_syslog(struct guard_matcher *m, const struct guard_syslog *s,
                        struct guard_hit *h)
{
    struct sys_prog *sp = m->sys_other;
    h->t = s->t;
    h->rules = 0;
    h->resets = 0;
    for (size_t j = 0; j < m->nsys; j++) {
        size_t k = strlen(m->sys[j].name);
        if (k == s->program.n && memcmp(m->sys[j].name, s->program.p, k) == 0) {
            sp = &m->sys[j];
            break;
        }
    }
    if (sp == NULL || sp->p.code == NULL) {
        return;
    }
    m->cs.found = 0;
    m->cs.want = 0;
    int rc = prog_run(m, &sp->p, s->message.p, s->message.n);
    if (rc <= 0) {
        return;
    }
    PCRE2_SPTR mark = pcre2_get_mark(sp->p.md);
    uint64_t idx = 0;
    if (mark == NULL ||
        kk_parse_u64((const char *)mark, 0, sp->nalts - 1, &idx) != KK_OK) {
        return;
    }
    const struct sys_alt *a = &sp->alts[idx];
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sp->p.md);
    if (a->group >= (uint32_t)rc || ov[2 * a->group] == PCRE2_UNSET) {
        return;
    }
    size_t b = ov[2 * a->group];
    size_t e = ov[2 * a->group + 1];
    if (guard_addr_parse(s->message.p + b, e - b, &h->addr) != KK_OK) {
        return;
    }
    give(m, (uint64_t)1 << a->rule, h);
}
