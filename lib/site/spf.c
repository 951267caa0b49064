/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * spf.c - SPF records (RFC 7208): their syntax, and the verdict on a
 * domain's policy with its include and redirect targets followed.
 *
 * We judge the published policy, not one sender: no macro is expanded
 * (a target holding a macro is counted as a lookup but not fetched), and
 * the addresses behind a and mx terms are not looked up, since the RFC's
 * limit of ten counts terms, not the queries behind them.  Counting goes
 * on past ten, up to SITE_SPF_FETCH_MAX fetched records, so a record over
 * the limit is reported with its real count; a loop of includes simply
 * runs into that bound.  Parsing works on the text in place (pointer and
 * length per term) and copies only the targets it keeps.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns.h"

bool site_spf_is_record(const char *text)
{
    return text != NULL && strncasecmp(text, "v=spf1", 6) == 0 &&
           (text[6] == ' ' || text[6] == '\0');
}

static bool is_alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static char lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

void site_why(char *why, size_t cap, const char *fmt, ...)
{
    va_list ap;
    if (why == NULL || cap == 0) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
}

void site_quote(const char *s, size_t n, size_t max, char *out, size_t cap)
{
    size_t k = 0;
    size_t lim = n > max ? max : n;
    for (size_t i = 0; i < lim && k + 1 < cap; i++) {
        unsigned char ch = (unsigned char)s[i];
        out[k++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    for (size_t i = 0; n > lim && i < 3 && k + 1 < cap; i++) {
        out[k++] = '.';
    }
    if (cap > 0) {
        out[k] = '\0';
    }
}

/* A macro-string (RFC 7208 7.1): literal bytes 0x21-0x24 and 0x26-0x7e,
 * "%%", "%_", "%-", and "%{" letter digits ["r"] delimiters "}". */
static bool macro_string_ok(const char *s, size_t n, bool *has_macro)
{
    size_t i = 0;
    while (i < n) {
        unsigned char ch = (unsigned char)s[i];
        if (ch != '%') {
            if (ch < 0x21 || ch > 0x7e) {
                return false;
            }
            i++;
            continue;
        }
        *has_macro = true;
        if (i + 1 >= n) {
            return false;
        }
        char nx = s[i + 1];
        if (nx == '%' || nx == '_' || nx == '-') {
            i += 2;
            continue;
        }
        if (nx != '{' || i + 2 >= n ||
            strchr("slodiphcrtv", lower(s[i + 2])) == NULL) {
            return false;
        }
        size_t j = i + 3;
        size_t digits = 0;
        while (j < n && is_digit(s[j]) && digits < 4) {
            j++;
            digits++;
        }
        if (j < n && lower(s[j]) == 'r') {
            j++;
        }
        while (j < n && strchr(".-+,/_=", s[j]) != NULL) {
            j++;
        }
        if (j >= n || s[j] != '}') {
            return false;
        }
        i = j + 1;
    }
    return true;
}

/* A host name of two labels or more (a final dot allowed): labels of
 * letters, digits, '-' and '_', at most 63 bytes; a top label with a
 * letter, not starting or ending with '-' (RFC 7208's toplabel). */
static bool host_ok(const char *s, size_t n)
{
    if (n > 0 && s[n - 1] == '.') {
        n--;
    }
    if (n == 0 || n > KK_SITE_HOST_MAX) {
        return false;
    }
    size_t labels = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '.') {
            char ch = s[i];
            if (!(is_alpha(ch) || is_digit(ch) || ch == '-' || ch == '_')) {
                return false;
            }
            continue;
        }
        size_t len = i - start;
        if (len == 0 || len > 63) {
            return false;
        }
        labels++;
        if (i == n) {
            bool alpha = false;
            for (size_t k = start; k < n; k++) {
                alpha = alpha || is_alpha(s[k]);
            }
            if (!alpha || s[start] == '-' || s[n - 1] == '-' ||
                memchr(s + start, '_', len) != NULL) {
                return false;
            }
        }
        start = i + 1;
    }
    return labels >= 2;
}

/* A domain-spec: a macro-string that, without macros, is a host name. */
static bool domain_spec_ok(const char *s, size_t n, bool *has_macro)
{
    *has_macro = false;
    if (n == 0 || !macro_string_ok(s, n, has_macro)) {
        return false;
    }
    return *has_macro || host_ok(s, n);
}

/* A CIDR length: digits without a leading zero, at most max. */
static bool cidr_ok(const char *s, size_t n, unsigned max)
{
    unsigned v = 0;
    if (n == 0 || n > 3 || (n > 1 && s[0] == '0')) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i])) {
            return false;
        }
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    return v <= max;
}

/* A dual-cidr-length: ["/" ip4-len] ["//" ip6-len], possibly empty. */
static bool dual_cidr_ok(const char *s, size_t n)
{
    if (n == 0) {
        return true;
    }
    if (s[0] != '/') {
        return false;
    }
    if (n >= 2 && s[1] == '/') {
        return cidr_ok(s + 2, n - 2, 128);
    }
    const char *slash = memchr(s + 1, '/', n - 1);
    size_t l4 = slash != NULL ? (size_t)(slash - s) - 1 : n - 1;
    if (!cidr_ok(s + 1, l4, 32)) {
        return false;
    }
    if (slash == NULL) {
        return true;
    }
    size_t rest = n - 1 - l4;
    return rest >= 2 && slash[1] == '/' && cidr_ok(slash + 2, rest - 2, 128);
}

/* An address (numeric, copied to test it) with an optional "/len". */
static bool network_ok(const char *s, size_t n, int af)
{
    char a[INET6_ADDRSTRLEN + 1];
    unsigned char bin[16];
    const char *slash = memchr(s, '/', n);
    size_t al = slash != NULL ? (size_t)(slash - s) : n;
    if (al == 0 || al >= sizeof a) {
        return false;
    }
    memcpy(a, s, al);
    a[al] = '\0';
    if (inet_pton(af, a, bin) != 1) {
        return false;
    }
    return slash == NULL ||
           cidr_ok(slash + 1, n - al - 1, af == AF_INET ? 32 : 128);
}

/* Copies a domain-spec without its final dot, lower case. */
static void copy_domain(const char *s, size_t n, char *out, size_t cap)
{
    if (n > 0 && s[n - 1] == '.') {
        n--;
    }
    if (n >= cap) {
        n = cap - 1;
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = lower(s[i]);
    }
    out[n] = '\0';
}

/* Name of a modifier: ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ), then
 * "=".  Returns the length of the name, or 0 when t is no modifier. */
static size_t modifier_name(const char *t, size_t n)
{
    size_t i = 0;
    if (n == 0 || !is_alpha(t[0])) {
        return 0;
    }
    while (i < n && (is_alpha(t[i]) || is_digit(t[i]) || t[i] == '-' ||
                     t[i] == '_' || t[i] == '.')) {
        i++;
    }
    return i < n && t[i] == '=' ? i : 0;
}

static bool name_is(const char *s, size_t n, const char *name)
{
    return strlen(name) == n && strncasecmp(s, name, n) == 0;
}

/* Parses one modifier term. */
static int parse_modifier(const char *t, size_t n, size_t nl,
                          struct site_spf *out, bool *seen_exp, char *why,
                          size_t cap)
{
    char q[64];
    const char *v = t + nl + 1;
    size_t vl = n - nl - 1;
    bool macro = false;

    site_quote(t, n, 48, q, sizeof q);
    if (name_is(t, nl, "redirect")) {
        if (out->has_redirect) {
            site_why(why, cap, "two redirect modifiers");
            return KK_ERR_INVAL;
        }
        if (!domain_spec_ok(v, vl, &macro)) {
            site_why(why, cap, "bad domain in '%s'", q);
            return KK_ERR_INVAL;
        }
        out->has_redirect = true;
        out->redirect_macro = macro;
        copy_domain(v, vl, out->redirect, sizeof out->redirect);
        return KK_OK;
    }
    if (name_is(t, nl, "exp")) {
        if (*seen_exp) {
            site_why(why, cap, "two exp modifiers");
            return KK_ERR_INVAL;
        }
        *seen_exp = true;
        if (!domain_spec_ok(v, vl, &macro)) {
            site_why(why, cap, "bad domain in '%s'", q);
            return KK_ERR_INVAL;
        }
        return KK_OK;
    }
    /* Unknown modifiers are allowed (RFC 7208 6), if well formed. */
    if (!macro_string_ok(v, vl, &macro)) {
        site_why(why, cap, "bad value in '%s'", q);
        return KK_ERR_INVAL;
    }
    return KK_OK;
}

/* Parses one directive: [qualifier] mechanism. */
static int parse_directive(const char *t, size_t n, struct site_spf *out,
                           char *why, size_t cap)
{
    char q[64];
    char qual = '+';
    const char *m = t;
    size_t ml = n;
    bool macro = false;

    site_quote(t, n, 48, q, sizeof q);
    if (n > 0 && strchr("+-~?", t[0]) != NULL) {
        qual = t[0];
        m++;
        ml--;
    }
    size_t nl = 0;
    while (nl < ml && m[nl] != ':' && m[nl] != '/') {
        nl++;
    }
    const char *arg = m + nl; /* ":..." or "/..." or "" */
    size_t al = ml - nl;
    bool colon = al > 0 && arg[0] == ':';
    const char *spec = colon ? arg + 1 : arg;
    size_t sl = colon ? al - 1 : al;

    if (name_is(m, nl, "all")) {
        if (al != 0) {
            site_why(why, cap, "'all' takes no argument: '%s'", q);
            return KK_ERR_INVAL;
        }
        out->all = qual;
        return KK_OK;
    }
    if (name_is(m, nl, "include") || name_is(m, nl, "exists")) {
        if (!colon || !domain_spec_ok(spec, sl, &macro)) {
            site_why(why, cap, "bad domain in '%s'", q);
            return KK_ERR_INVAL;
        }
        out->lookups++;
        if (name_is(m, nl, "include")) {
            if (out->n_include < SITE_SPF_INCLUDES_MAX) {
                out->include[out->n_include].qual = qual;
                out->include[out->n_include].macro = macro;
                copy_domain(spec, sl, out->include[out->n_include].domain,
                            sizeof out->include[0].domain);
            }
            out->n_include++;
        }
        return KK_OK;
    }
    if (name_is(m, nl, "a") || name_is(m, nl, "mx")) {
        const char *cidr = spec;
        size_t dl = 0;
        if (colon) {
            const char *slash = memchr(spec, '/', sl);
            dl = slash != NULL ? (size_t)(slash - spec) : sl;
            cidr = spec + dl;
            if (!domain_spec_ok(spec, dl, &macro)) {
                site_why(why, cap, "bad domain in '%s'", q);
                return KK_ERR_INVAL;
            }
        }
        if (!dual_cidr_ok(cidr, sl - dl)) {
            site_why(why, cap, "bad CIDR length in '%s'", q);
            return KK_ERR_INVAL;
        }
        out->lookups++;
        return KK_OK;
    }
    if (name_is(m, nl, "ptr")) {
        if ((al > 0 && !colon) ||
            (colon && !domain_spec_ok(spec, sl, &macro))) {
            site_why(why, cap, "bad domain in '%s'", q);
            return KK_ERR_INVAL;
        }
        out->lookups++;
        return KK_OK;
    }
    if (name_is(m, nl, "ip4") || name_is(m, nl, "ip6")) {
        bool v4 = name_is(m, nl, "ip4");
        if (!colon || !network_ok(spec, sl, v4 ? AF_INET : AF_INET6)) {
            site_why(why, cap, "bad %s network in '%s'", v4 ? "ip4" : "ip6", q);
            return KK_ERR_INVAL;
        }
        return KK_OK;
    }
    /* "ip6" was split at its first ':' above, so no address reaches
     * here; anything else is an unknown mechanism (a permanent error). */
    site_why(why, cap, "unknown mechanism '%s'", q);
    return KK_ERR_INVAL;
}

int site_spf_parse(const char *text, struct site_spf *out, char *why,
                   size_t why_cap)
{
    bool seen_exp = false;
    int rc = KK_OK;

    memset(out, 0, sizeof *out);
    if (!site_spf_is_record(text)) {
        site_why(why, why_cap, "not an SPF record");
        return KK_ERR_INVAL;
    }
    const char *p = text + 6;
    while (*p != '\0') {
        while (*p == ' ') {
            p++;
        }
        size_t n = strcspn(p, " ");
        if (n == 0) {
            break;
        }
        size_t nl = modifier_name(p, n);
        if (nl > 0) {
            rc = parse_modifier(p, n, nl, out, &seen_exp, why, why_cap);
        } else {
            rc = parse_directive(p, n, out, why, why_cap);
        }
        if (rc != KK_OK) {
            goto out;
        }
        out->terms++;
        p += n;
    }
    /* redirect is ignored when the record has "all" (RFC 7208 6.1). */
    if (out->has_redirect && out->all == 0) {
        out->lookups++;
    }
out:
    return rc;
}

/* ---- Following include and redirect ---- */

struct eval_state {
    site_txt_fn fn;
    void *arg;
    struct site_spf_eval *out;
    unsigned fetches;
};

static void eval_fail(struct site_spf_eval *out, const char *fmt, ...)
    KK_PRINTF(2, 3);

static void eval_fail(struct site_spf_eval *out, const char *fmt, ...)
{
    va_list ap;
    if (out->invalid) {
        return;
    }
    out->invalid = true;
    va_start(ap, fmt);
    vsnprintf(out->why, sizeof out->why, fmt, ap);
    va_end(ap);
}

/* Whether one more record may be fetched; marks the count capped when
 * not. */
static bool may_fetch(struct eval_state *st, unsigned depth)
{
    if (st->fetches >= SITE_SPF_FETCH_MAX || depth >= SITE_SPF_DEPTH_MAX ||
        st->out->lookups > 2 * KK_SITE_SPF_LOOKUPS_MAX) {
        st->out->lookups_capped = true;
        return false;
    }
    return true;
}

/*
 * Fetches and parses the SPF record of name for an include or redirect
 * (how: "include:" or "redirect="): KK_OK with *sp (caller frees), or
 * KK_ERR_INVAL after recording the permanent error, KK_ERR_IO when the
 * lookup failed (marked incomplete), KK_ERR_NOMEM.
 */
static int fetch(struct eval_state *st, const char *how, const char *name,
                 struct site_spf **sp)
{
    struct site_txt t;
    struct site_spf *s = NULL;
    char why[SITE_SPF_WHY_MAX];
    size_t found = 0;
    size_t idx = 0;
    int rc;

    memset(&t, 0, sizeof t);
    st->fetches++;
    rc = st->fn(st->arg, name, &t);
    if (rc == KK_ERR_NOMEM) {
        goto out;
    }
    if (rc != KK_OK) {
        st->out->incomplete = true;
        rc = KK_ERR_IO;
        goto out;
    }
    for (size_t i = 0; i < t.n; i++) {
        if (site_spf_is_record(t.rec[i])) {
            found++;
            idx = i;
        }
    }
    rc = KK_ERR_INVAL;
    if (found == 0) {
        eval_fail(st->out, "%s%s has no SPF record", how, name);
        goto out;
    }
    if (found > 1) {
        eval_fail(st->out, "%s%s has %zu SPF records", how, name, found);
        goto out;
    }
    s = malloc(sizeof *s);
    if (s == NULL) {
        rc = KK_ERR_NOMEM;
        goto out;
    }
    if (site_spf_parse(t.rec[idx], s, why, sizeof why) != KK_OK) {
        eval_fail(st->out, "in %s%s: %s", how, name, why);
        goto out;
    }
    *sp = s;
    s = NULL;
    rc = KK_OK;
out:
    free(s);
    site_txt_clear(&t);
    return rc;
}

/* Counts sp's lookups and follows its includes and redirect; *all is the
 * record's effective "all" (after a redirect), *known false when a
 * redirect could not be followed. */
static int eval_record(struct eval_state *st, const struct site_spf *sp,
                       unsigned depth, char *all, bool *known)
{
    int rc = KK_OK;
    struct site_spf *child = NULL;
    size_t n_inc = sp->n_include < SITE_SPF_INCLUDES_MAX
                       ? sp->n_include
                       : SITE_SPF_INCLUDES_MAX;

    *all = 0;
    *known = false;
    st->out->lookups += sp->lookups;
    if (sp->n_include > n_inc) {
        st->out->lookups_capped = true;
    }
    for (size_t i = 0; i < n_inc && !st->out->invalid; i++) {
        char call = 0;
        bool cknown = false;
        if (sp->include[i].macro) {
            continue;
        }
        if (!may_fetch(st, depth)) {
            break;
        }
        rc = fetch(st, "include:", sp->include[i].domain, &child);
        if (rc == KK_ERR_NOMEM) {
            goto out;
        }
        if (rc != KK_OK) {
            rc = KK_OK;
            continue;
        }
        rc = eval_record(st, child, depth + 1, &call, &cknown);
        free(child);
        child = NULL;
        if (rc != KK_OK) {
            goto out;
        }
        if (sp->include[i].qual == '+' && cknown && call == '+' &&
            st->out->pass_include[0] == '\0') {
            snprintf(st->out->pass_include, sizeof st->out->pass_include, "%s",
                     sp->include[i].domain);
        }
    }
    if (sp->all != 0) {
        *all = sp->all;
        *known = true;
        goto out;
    }
    if (!sp->has_redirect) {
        *known = true;
        goto out;
    }
    if (sp->redirect_macro || st->out->invalid || !may_fetch(st, depth)) {
        goto out;
    }
    rc = fetch(st, "redirect=", sp->redirect, &child);
    if (rc != KK_OK) {
        rc = rc == KK_ERR_NOMEM ? rc : KK_OK;
        goto out;
    }
    rc = eval_record(st, child, depth + 1, all, known);
out:
    free(child);
    return rc;
}

int site_spf_eval(const char *text, site_txt_fn fn, void *arg,
                  struct site_spf_eval *out)
{
    struct eval_state st = {.fn = fn, .arg = arg, .out = out};
    struct site_spf *sp = NULL;
    char why[SITE_SPF_WHY_MAX];
    int rc = KK_OK;

    memset(out, 0, sizeof *out);
    sp = malloc(sizeof *sp);
    if (sp == NULL) {
        rc = KK_ERR_NOMEM;
        goto out;
    }
    if (site_spf_parse(text, sp, why, sizeof why) != KK_OK) {
        eval_fail(out, "%s", why);
        goto out;
    }
    out->only_fail_all = sp->terms == 1 && sp->all == '-';
    rc = eval_record(&st, sp, 0, &out->all, &out->all_known);
    if (rc != KK_OK) {
        goto out;
    }
    if (out->lookups > KK_SITE_SPF_LOOKUPS_MAX) {
        eval_fail(out, "%s%u DNS lookups, the limit is %d",
                  out->lookups_capped ? "at least " : "", out->lookups,
                  KK_SITE_SPF_LOOKUPS_MAX);
    }
out:
    free(sp);
    return rc;
}
