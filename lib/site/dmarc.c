/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dmarc.c - DMARC records (RFC 7489), DKIM key records (RFC 6376) and the
 * organisational domain a DMARC record is looked up at.
 *
 * Both records are tag lists ("v=DMARC1; p=reject"), read by one small
 * cursor.  DMARC is judged strictly where receivers are strict (v=DMARC1
 * first and exact, a known policy) and leniently where they are lenient:
 * unknown tags and empty list entries ("; ;") pass, since real receivers
 * accept them and a false "invalid" would send an editor chasing nothing.
 * The organisational domain is approximated with a short list of
 * second-level suffixes instead of the Public Suffix List: the checker
 * then needs no data file that ages, at the price of a wrong answer for
 * suffixes missing from the list (the DMARC lookup at the host itself
 * still comes first, so only a missing record is affected).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns.h"

static bool is_ws(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static bool is_alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* ---- Tag lists (RFC 6376 3.2) ---- */

struct tag {
    const char *name;
    size_t nl;
    const char *val; /* without surrounding blanks */
    size_t vl;
};

/*
 * Reads the next tag-spec at *pp into t: 1 when one was read, 0 at the
 * end, -1 on a syntax error (reason in why).  Empty entries are skipped.
 */
static int tag_next(const char **pp, struct tag *t, char *why, size_t cap)
{
    const char *p = *pp;
    char q[48];

    for (;;) {
        while (is_ws(*p)) {
            p++;
        }
        if (*p != ';') {
            break;
        }
        p++;
    }
    if (*p == '\0') {
        *pp = p;
        return 0;
    }
    size_t seg = strcspn(p, ";");
    site_quote(p, seg, 40, q, sizeof q);
    if (!is_alpha(*p)) {
        site_why(why, cap, "bad tag '%s'", q);
        return -1;
    }
    t->name = p;
    while (is_alpha(*p) || is_digit(*p) || *p == '_') {
        p++;
    }
    t->nl = (size_t)(p - t->name);
    while (is_ws(*p)) {
        p++;
    }
    if (*p != '=') {
        site_why(why, cap, "no '=' in '%s'", q);
        return -1;
    }
    p++;
    while (is_ws(*p)) {
        p++;
    }
    t->val = p;
    while (*p != '\0' && *p != ';') {
        unsigned char ch = (unsigned char)*p;
        if (!is_ws(*p) && (ch < 0x21 || ch > 0x7e)) {
            site_why(why, cap, "bad byte in '%s'", q);
            return -1;
        }
        p++;
    }
    t->vl = (size_t)(p - t->val);
    while (t->vl > 0 && is_ws(t->val[t->vl - 1])) {
        t->vl--;
    }
    *pp = p;
    return 1;
}

static bool tag_is(const struct tag *t, const char *name)
{
    return strlen(name) == t->nl && strncasecmp(t->name, name, t->nl) == 0;
}

static bool val_is(const struct tag *t, const char *v)
{
    return strlen(v) == t->vl && strncasecmp(t->val, v, t->vl) == 0;
}

/* ---- DMARC ---- */

bool site_dmarc_is_record(const char *text)
{
    const char *p = text;
    if (p == NULL) {
        return false;
    }
    while (is_ws(*p)) {
        p++; /* the tag list may start with blanks */
    }
    if (*p != 'v' && *p != 'V') {
        return false;
    }
    p++;
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    if (*p != '=') {
        return false;
    }
    p++;
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    return strncasecmp(p, "DMARC1", 6) == 0;
}

static bool policy_of(const struct tag *t, enum site_dmarc_policy *out)
{
    if (val_is(t, "none")) {
        *out = SITE_DMARC_NONE;
    } else if (val_is(t, "quarantine")) {
        *out = SITE_DMARC_QUARANTINE;
    } else if (val_is(t, "reject")) {
        *out = SITE_DMARC_REJECT;
    } else {
        return false;
    }
    return true;
}

/* A decimal number of at most maxd digits, at most max. */
static bool number_ok(const char *s, size_t n, size_t maxd, unsigned long max,
                      unsigned long *out)
{
    unsigned long v = 0;
    if (n == 0 || n > maxd) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i])) {
            return false;
        }
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    *out = v;
    return v <= max;
}

/* A list of DMARC URIs (RFC 7489 6.4): "scheme:rest[!size]", commas. */
static bool uris_ok(const char *s, size_t n)
{
    size_t i = 0;
    while (i <= n) {
        size_t e = i;
        while (e < n && s[e] != ',') {
            e++;
        }
        size_t a = i;
        size_t b = e;
        while (a < b && is_ws(s[a])) {
            a++;
        }
        while (b > a && is_ws(s[b - 1])) {
            b--;
        }
        if (a == b || !is_alpha(s[a])) {
            return false;
        }
        size_t k = a + 1;
        while (k < b && (is_alpha(s[k]) || is_digit(s[k]) || s[k] == '+' ||
                         s[k] == '.' || s[k] == '-')) {
            k++;
        }
        if (k + 1 >= b || s[k] != ':') {
            return false;
        }
        for (size_t m = k + 1; m < b; m++) {
            if (is_ws(s[m])) {
                return false;
            }
        }
        i = e + 1;
    }
    return true;
}

/* fo: "0", "1", "d", "s" separated by ':'. */
static bool fo_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bool opt = s[i] == '0' || s[i] == '1' || s[i] == 'd' || s[i] == 's';
        bool sep = i % 2 == 1;
        if ((sep && s[i] != ':') || (!sep && !opt)) {
            return false;
        }
    }
    return n % 2 == 1;
}

/* The known tags, for the duplicate check. */
static const char *const dmarc_tags[] = {
    "v", "p", "sp", "pct", "adkim", "aspf", "rua", "ruf", "ri", "fo", "rf"};
#define N_TAGS (sizeof dmarc_tags / sizeof dmarc_tags[0])

static int dmarc_tag(const struct tag *t, struct site_dmarc *out, char *why,
                     size_t cap)
{
    char q[48];
    unsigned long v;

    site_quote(t->name, (size_t)(t->val + t->vl - t->name), 40, q, sizeof q);
    if (tag_is(t, "p") || tag_is(t, "sp")) {
        enum site_dmarc_policy *dst = tag_is(t, "p") ? &out->p : &out->sp;
        if (!policy_of(t, dst)) {
            site_why(why, cap, "unknown policy '%s'", q);
            return KK_ERR_INVAL;
        }
    } else if (tag_is(t, "pct")) {
        if (!number_ok(t->val, t->vl, 3, 100, &v)) {
            site_why(why, cap, "pct is not 0 to 100: '%s'", q);
            return KK_ERR_INVAL;
        }
        out->pct = (unsigned)v;
    } else if (tag_is(t, "adkim") || tag_is(t, "aspf")) {
        if (!val_is(t, "r") && !val_is(t, "s")) {
            site_why(why, cap, "alignment is not r or s: '%s'", q);
            return KK_ERR_INVAL;
        }
    } else if (tag_is(t, "rua") || tag_is(t, "ruf")) {
        if (!uris_ok(t->val, t->vl)) {
            site_why(why, cap, "bad report address in '%s'", q);
            return KK_ERR_INVAL;
        }
        if (tag_is(t, "rua")) {
            out->rua = true;
        } else {
            out->ruf = true;
        }
    } else if (tag_is(t, "ri")) {
        if (!number_ok(t->val, t->vl, 10, 4294967295UL, &v)) {
            site_why(why, cap, "ri is not a number of seconds: '%s'", q);
            return KK_ERR_INVAL;
        }
    } else if (tag_is(t, "fo")) {
        if (!fo_ok(t->val, t->vl)) {
            site_why(why, cap, "bad fo options: '%s'", q);
            return KK_ERR_INVAL;
        }
    } else if (tag_is(t, "v")) {
        site_why(why, cap, "v= is not the first tag");
        return KK_ERR_INVAL;
    }
    /* rf and unknown tags: ignored (RFC 7489 6.3). */
    return KK_OK;
}

int site_dmarc_parse(const char *text, struct site_dmarc *out, char *why,
                     size_t why_cap)
{
    struct tag t;
    const char *p = text;
    bool seen[N_TAGS];
    int rc = KK_ERR_INVAL;
    int r;

    memset(out, 0, sizeof *out);
    memset(seen, 0, sizeof seen);
    out->pct = 100;
    if (!site_dmarc_is_record(text)) {
        site_why(why, why_cap, "the first tag is not v=DMARC1");
        goto out;
    }
    r = tag_next(&p, &t, why, why_cap);
    if (r < 0) {
        goto out;
    }
    if (r == 0 || !tag_is(&t, "v")) {
        site_why(why, why_cap, "the first tag is not v=DMARC1");
        goto out;
    }
    if (!(t.vl == 6 && memcmp(t.val, "DMARC1", 6) == 0)) {
        if (t.vl > 6 && strncasecmp(t.val, "DMARC1", 6) == 0 &&
            is_ws(t.val[6])) {
            site_why(why, why_cap, "no ';' after v=DMARC1");
        } else if (val_is(&t, "DMARC1")) {
            site_why(why, why_cap, "the version must be written DMARC1");
        } else {
            site_why(why, why_cap, "the first tag is not v=DMARC1");
        }
        goto out;
    }
    seen[0] = true;
    for (;;) {
        r = tag_next(&p, &t, why, why_cap);
        if (r < 0) {
            goto out;
        }
        if (r == 0) {
            break;
        }
        for (size_t i = 1; i < N_TAGS; i++) {
            if (!tag_is(&t, dmarc_tags[i])) {
                continue;
            }
            if (seen[i]) {
                site_why(why, why_cap, "the tag %s appears twice",
                         dmarc_tags[i]);
                goto out;
            }
            seen[i] = true;
        }
        if (dmarc_tag(&t, out, why, why_cap) != KK_OK) {
            goto out;
        }
    }
    if (out->p == SITE_DMARC_UNSET) {
        site_why(why, why_cap, "no p= policy");
        goto out;
    }
    rc = KK_OK;
out:
    return rc;
}

/* ---- DKIM ---- */

bool site_dkim_has_key(const char *text)
{
    struct tag t;
    const char *p = text;
    int r;

    if (text == NULL) {
        return false;
    }
    for (;;) {
        r = tag_next(&p, &t, NULL, 0);
        if (r <= 0) {
            return false;
        }
        if (tag_is(&t, "p")) {
            return t.vl > 0;
        }
    }
}

/* ---- The organisational domain ---- */

/* Second-level suffixes under which names are registered, for the
 * countries our outlets are in and a few common elsewhere.  Sorted. */
static const char *const suffixes[] = {
    "ac.uk",  "co.jp",  "co.nz",  "co.uk",  "co.uz",  "com.au",  "com.br",
    "com.kg", "com.kz", "com.ru", "com.tj", "com.tr", "com.ua",  "com.uz",
    "edu.kg", "edu.kz", "gov.kg", "gov.kz", "gov.uk", "kiev.ua", "ltd.uk",
    "me.uk",  "mil.kg", "msk.ru", "net.au", "net.kg", "net.kz",  "net.ru",
    "net.tj", "net.ua", "net.uz", "org.au", "org.kg", "org.kz",  "org.ru",
    "org.tj", "org.ua", "org.uk", "org.uz", "spb.ru",
};

int site_org_domain(const char *host, char *out, size_t cap)
{
    size_t n;
    const char *labels[4] = {NULL, NULL, NULL, NULL}; /* last ones */
    size_t count = 0;

    if (host == NULL || host[0] == '\0') {
        return KK_ERR_INVAL;
    }
    n = strlen(host);
    if (host[n - 1] == '.') {
        n--;
    }
    /* labels[k] = start of the (k+1)-th label from the end */
    for (size_t i = n; i > 0 && count < 4; i--) {
        if (host[i - 1] == '.') {
            labels[count++] = host + i;
        }
    }
    const char *start = host;
    if (count >= 1) {
        /* Two labels: from the second-to-last dot, or the whole host. */
        start = count >= 2 ? labels[1] : host;
        size_t sl = (size_t)(host + n - start);
        for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
            if (strlen(suffixes[i]) == sl &&
                strncasecmp(start, suffixes[i], sl) == 0) {
                start = count >= 3 ? labels[2] : host;
                break;
            }
        }
    }
    size_t ol = (size_t)(host + n - start);
    if (ol == 0 || ol >= cap) {
        return ol == 0 ? KK_ERR_INVAL : KK_ERR_TRUNC;
    }
    for (size_t i = 0; i < ol; i++) {
        char ch = start[i];
        out[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
    }
    out[ol] = '\0';
    return KK_OK;
}
