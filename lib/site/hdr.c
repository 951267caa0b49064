/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hdr.c - parsers of the response headers the website checker judges:
 * HSTS, Set-Cookie, CSP, Referrer-Policy, X-Frame-Options,
 * X-Content-Type-Options, product versions and redirect targets.
 *
 * Each parser reads the bytes of one header value by index against its
 * length, in one pass, with no allocation and no recursion, so a hostile
 * value costs at most O(length) and cannot run past its end.  Each follows
 * what browsers do rather than what a strict grammar would accept,
 * because the question asked is "does the browser get the protection?":
 * a duplicated HSTS directive voids the header (RFC 6797 says browsers
 * ignore it), a duplicated CSP directive is ignored but the policy stands
 * (CSP Level 3), and the last recognised Referrer-Policy token wins.  The
 * trade-off is that a site relying on a lenient browser is still judged
 * by the standard's reading.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hdr.h"

static bool is_ows(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* ASCII whitespace of the CSP and HTML standards. */
static bool is_asciiws(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f';
}

/* RFC 9110 tchar. */
static bool is_tchar(char ch)
{
    unsigned char u = (unsigned char)ch;
    return isalnum(u) != 0 ||
           (u != 0 && u < 0x80 && strchr("!#$%&'*+-.^_`|~", u) != NULL);
}

static void trim_ows(const char **p, size_t *n)
{
    while (*n > 0 && is_ows(**p)) {
        (*p)++;
        (*n)--;
    }
    while (*n > 0 && (is_ows((*p)[*n - 1]) || (*p)[*n - 1] == '\r' ||
                      (*p)[*n - 1] == '\n')) {
        (*n)--;
    }
}

static void trim_asciiws(const char **p, size_t *n)
{
    while (*n > 0 && is_asciiws(**p)) {
        (*p)++;
        (*n)--;
    }
    while (*n > 0 && is_asciiws((*p)[*n - 1])) {
        (*n)--;
    }
}

/* True when the n bytes at p equal the lower-case literal want. */
static bool ieq(const char *p, size_t n, const char *want)
{
    size_t wl = strlen(want);
    return n == wl && strncasecmp(p, want, n) == 0;
}

/* True when the n bytes at p start with the lower-case literal want. */
static bool iprefix(const char *p, size_t n, const char *want)
{
    size_t wl = strlen(want);
    return n >= wl && strncasecmp(p, want, wl) == 0;
}

bool site_hdr_name_is(const char *name, size_t len, const char *want)
{
    return ieq(name, len, want);
}

bool site_hdr_next(struct kk_span *s, const char **name, size_t *name_len,
                   const char **value, size_t *value_len)
{
    while (s->off < s->len) {
        const char *line = (const char *)s->p + s->off;
        size_t left = s->len - s->off;
        const char *nl = memchr(line, '\n', left);
        size_t ll = nl != NULL ? (size_t)(nl - line) : left;
        s->off += nl != NULL ? ll + 1 : ll;
        const char *colon = memchr(line, ':', ll);
        if (colon == NULL || colon == line || is_ows(line[0])) {
            continue;
        }
        size_t nlen = (size_t)(colon - line);
        const char *v = colon + 1;
        size_t vl = ll - nlen - 1;
        trim_ows(&v, &vl);
        *name = line;
        *name_len = nlen;
        *value = v;
        *value_len = vl;
        return true;
    }
    return false;
}

/* ---- Strict-Transport-Security ---- */

void site_hsts_parse(const char *v, size_t len, struct site_hsts *out)
{
    bool ok = true;
    bool seen_max = false;
    bool seen_sub = false;
    bool seen_pre = false;
    size_t i = 0;

    memset(out, 0, sizeof *out);
    while (ok && i < len) {
        while (i < len && is_ows(v[i])) {
            i++;
        }
        if (i >= len) {
            break;
        }
        if (v[i] == ';') {
            i++;
            continue;
        }
        size_t ns = i;
        while (i < len && is_tchar(v[i])) {
            i++;
        }
        size_t nlen = i - ns;
        if (nlen == 0) {
            ok = false;
            break;
        }
        while (i < len && is_ows(v[i])) {
            i++;
        }
        /* The value: digits are folded into a saturating number as they
         * come, so a quoted value needs no copy. */
        bool has_value = false;
        bool digits_only = true;
        size_t n_digits = 0;
        uint64_t num = 0;
        if (i < len && v[i] == '=') {
            has_value = true;
            i++;
            while (i < len && is_ows(v[i])) {
                i++;
            }
            bool quoted = i < len && v[i] == '"';
            bool closed = !quoted;
            if (quoted) {
                i++;
            }
            while (i < len) {
                char ch = v[i];
                if (quoted && ch == '"') {
                    closed = true;
                    i++;
                    break;
                }
                if (!quoted && !is_tchar(ch)) {
                    break;
                }
                if (quoted && ch == '\\' && i + 1 < len) {
                    i++;
                    ch = v[i];
                }
                if (ch >= '0' && ch <= '9') {
                    uint64_t d = (uint64_t)(ch - '0');
                    num =
                        num > (UINT64_MAX - d) / 10 ? UINT64_MAX : num * 10 + d;
                    n_digits++;
                } else {
                    digits_only = false;
                }
                i++;
            }
            if (!closed || (!quoted && n_digits == 0 && digits_only)) {
                ok = false; /* unterminated quote, or "name=" */
                break;
            }
        }
        while (i < len && is_ows(v[i])) {
            i++;
        }
        if (i < len && v[i] != ';') {
            ok = false;
            break;
        }
        const char *nm = v + ns;
        if (ieq(nm, nlen, "max-age")) {
            if (seen_max || !has_value || !digits_only || n_digits == 0) {
                ok = false;
            }
            seen_max = true;
            out->max_age = num;
        } else if (ieq(nm, nlen, "includesubdomains")) {
            ok = !seen_sub;
            seen_sub = true;
        } else if (ieq(nm, nlen, "preload")) {
            ok = !seen_pre;
            seen_pre = true;
        }
    }
    out->valid = ok && seen_max;
    out->include_subdomains = out->valid && seen_sub;
    out->preload = out->valid && seen_pre;
    if (!out->valid) {
        out->max_age = 0;
    }
}

/* ---- Set-Cookie ---- */

/* RFC 6265 section 5.1.1: the bytes that separate date tokens. */
static bool is_date_delim(unsigned char ch)
{
    return ch == 0x09 || (ch >= 0x20 && ch <= 0x2f) ||
           (ch >= 0x3b && ch <= 0x40) || (ch >= 0x5b && ch <= 0x60) ||
           (ch >= 0x7b && ch <= 0x7e);
}

/* The first token of four digits in an Expires value: "Thu, 01 Jan 1970
 * 00:00:00 GMT", "Thu, 01-Jan-1970 00:00:01 GMT".  0 when there is none. */
static int expires_year(const char *v, size_t n)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && is_date_delim((unsigned char)v[i])) {
            i++;
        }
        size_t s = i;
        while (i < n && !is_date_delim((unsigned char)v[i])) {
            i++;
        }
        size_t tl = i - s;
        if (tl == 4 && isdigit((unsigned char)v[s]) &&
            isdigit((unsigned char)v[s + 1]) &&
            isdigit((unsigned char)v[s + 2]) &&
            isdigit((unsigned char)v[s + 3])) {
            return (v[s] - '0') * 1000 + (v[s + 1] - '0') * 100 +
                   (v[s + 2] - '0') * 10 + (v[s + 3] - '0');
        }
    }
    return 0;
}

/* Max-Age per RFC 6265 section 5.2.2: optional '-', then digits;
 * anything else leaves the attribute ignored. */
static bool parse_max_age(const char *v, size_t n, int64_t *out)
{
    bool neg = n > 0 && v[0] == '-';
    size_t i = neg ? 1 : 0;
    int64_t num = 0;
    if (i >= n) {
        return false;
    }
    for (; i < n; i++) {
        if (v[i] < '0' || v[i] > '9') {
            return false;
        }
        int64_t d = v[i] - '0';
        num = num > (INT64_MAX - d) / 10 ? INT64_MAX : num * 10 + d;
    }
    *out = neg ? -num : num;
    return true;
}

void site_cookie_parse(const char *v, size_t len, struct site_cookie *out)
{
    memset(out, 0, sizeof *out);
    const char *semi = memchr(v, ';', len);
    size_t pair = semi != NULL ? (size_t)(semi - v) : len;
    const char *eq = memchr(v, '=', pair);
    if (eq != NULL) {
        const char *nm = v;
        size_t nl = (size_t)(eq - v);
        trim_ows(&nm, &nl);
        site_hdr_clean(nm, nl, SITE_COOKIE_NAME_MAX, out->name,
                       sizeof out->name);
    }
    size_t i = pair;
    while (i < len) {
        i++; /* the ';' */
        const char *a = v + i;
        const char *next = memchr(a, ';', len - i);
        size_t al = next != NULL ? (size_t)(next - a) : len - i;
        i += al;
        const char *aeq = memchr(a, '=', al);
        const char *an = a;
        size_t anl = aeq != NULL ? (size_t)(aeq - a) : al;
        const char *av = aeq != NULL ? aeq + 1 : a + al;
        size_t avl = aeq != NULL ? al - anl - 1 : 0;
        trim_ows(&an, &anl);
        trim_ows(&av, &avl);
        if (ieq(an, anl, "secure")) {
            out->secure = true;
        } else if (ieq(an, anl, "httponly")) {
            out->httponly = true;
        } else if (ieq(an, anl, "samesite")) {
            if (ieq(av, avl, "strict")) {
                out->samesite = SITE_SAMESITE_STRICT;
            } else if (ieq(av, avl, "lax")) {
                out->samesite = SITE_SAMESITE_LAX;
            } else if (ieq(av, avl, "none")) {
                out->samesite = SITE_SAMESITE_NONE;
            } else {
                out->samesite = SITE_SAMESITE_INVALID;
            }
        } else if (ieq(an, anl, "max-age")) {
            int64_t ma;
            if (parse_max_age(av, avl, &ma)) {
                out->has_max_age = true;
                out->max_age = ma;
            }
        } else if (ieq(an, anl, "expires")) {
            int y = expires_year(av, avl);
            if (y != 0) {
                out->expires_year = y;
            }
        }
    }
}

bool site_cookie_deletes(const struct site_cookie *ck, int now_year)
{
    if (ck->has_max_age) {
        return ck->max_age <= 0;
    }
    return ck->expires_year > 0 && ck->expires_year < now_year;
}

/*
 * Session and login cookies, by name (lower-cased):
 * - any name containing "sess" (PHPSESSID, JSESSIONID, ASPSESSIONID...,
 *   ASP.NET_SessionId, laravel_session, ci_session, Django's sessionid,
 *   Drupal's SESS<hash> and SSESS<hash>, rack.session), "auth" (.AspNet
 *   auth cookies, oauth), "token" (ColdFusion's CFTOKEN,
 *   remember_token), "login" or "logged_in" (wordpress_logged_in_<hash>),
 *   "jwt" or "remember" (Laravel's remember_web_<hash>);
 * - WordPress's wordpress_<hash> and wordpress_sec_<hash> (the admin
 *   login), but not wordpress_test_cookie;
 * - a name with a word "sid", "ssid" or "cfid" (connect.sid, __Host-sid);
 * but never a name containing "csrf" or "xsrf": anti-forgery tokens are
 * meant to be read by the page's own scripts, so HttpOnly would break
 * them.
 */
bool site_cookie_is_session(const char *name)
{
    static const char *const subs[] = {"sess", "auth",      "token",   "login",
                                       "jwt",  "logged_in", "remember"};
    char lc[SITE_COOKIE_NAME_MAX + 1];
    size_t n = strlen(name);
    if (n > SITE_COOKIE_NAME_MAX) {
        n = SITE_COOKIE_NAME_MAX;
    }
    for (size_t i = 0; i < n; i++) {
        lc[i] = (char)tolower((unsigned char)name[i]);
    }
    lc[n] = '\0';
    if (strstr(lc, "csrf") != NULL || strstr(lc, "xsrf") != NULL) {
        return false;
    }
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        if (strstr(lc, subs[i]) != NULL) {
            return true;
        }
    }
    if (strncmp(lc, "wordpress_", 10) == 0 &&
        strcmp(lc, "wordpress_test_cookie") != 0) {
        return true;
    }
    /* Words: runs of letters and digits. */
    size_t i = 0;
    while (i < n) {
        while (i < n && !isalnum((unsigned char)lc[i])) {
            i++;
        }
        size_t s = i;
        while (i < n && isalnum((unsigned char)lc[i])) {
            i++;
        }
        size_t wl = i - s;
        if ((wl == 3 && memcmp(lc + s, "sid", 3) == 0) ||
            (wl == 4 && memcmp(lc + s, "ssid", 4) == 0) ||
            (wl == 4 && memcmp(lc + s, "cfid", 4) == 0)) {
            return true;
        }
    }
    return false;
}

/* ---- Content-Security-Policy ---- */

/* Directives of CSP Level 3 and its companions: a policy made only of
 * names outside this list protects nothing and counts as no policy. */
static const char *const csp_known[] = {
    "base-uri",
    "block-all-mixed-content",
    "child-src",
    "connect-src",
    "default-src",
    "fenced-frame-src",
    "font-src",
    "form-action",
    "frame-ancestors",
    "frame-src",
    "img-src",
    "manifest-src",
    "media-src",
    "navigate-to",
    "object-src",
    "plugin-types",
    "prefetch-src",
    "report-to",
    "report-uri",
    "require-sri-for",
    "require-trusted-types-for",
    "sandbox",
    "script-src",
    "script-src-attr",
    "script-src-elem",
    "style-src",
    "style-src-attr",
    "style-src-elem",
    "trusted-types",
    "upgrade-insecure-requests",
    "webrtc",
    "worker-src",
};

struct csp_span {
    const char *p;
    size_t n;
    bool set;
};

/* A source that lets any site (or any inline data) supply the resource:
 * "*", the scheme-only sources http: https: data: ftp:, and host sources
 * whose host is only wildcards (https: followed by two slashes and a
 * star, "*.*") or a wildcard over a single label ("*.com"). */
static bool csp_broad(const char *t, size_t n)
{
    if (n == 1 && t[0] == '*') {
        return true;
    }
    if (ieq(t, n, "http:") || ieq(t, n, "https:") || ieq(t, n, "data:") ||
        ieq(t, n, "ftp:")) {
        return true;
    }
    if (t[0] == '\'') {
        return false;
    }
    const char *h = t;
    size_t hl = n;
    for (size_t i = 0; i + 2 < n; i++) {
        if (t[i] == ':' && t[i + 1] == '/' && t[i + 2] == '/') {
            h = t + i + 3;
            hl = n - i - 3;
            break;
        }
    }
    size_t end = 0;
    while (end < hl && h[end] != ':' && h[end] != '/') {
        end++;
    }
    if (end == 0 || h[0] != '*') {
        return false;
    }
    size_t dots = 0;
    bool only_wild = true;
    for (size_t i = 0; i < end; i++) {
        if (h[i] == '.') {
            dots++;
        } else if (h[i] != '*') {
            only_wild = false;
        }
    }
    return only_wild || dots <= 1;
}

static void why_append(char *why, size_t cap, const char *p, size_t n)
{
    size_t have = strlen(why);
    if (have + 1 + n + 1 > cap) {
        return;
    }
    if (have > 0) {
        why[have++] = ' ';
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        why[have + i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    why[have + n] = '\0';
}

/*
 * The script rule.  A source list lets an attacker's script run when,
 * after the browser's own neutralisation, it keeps:
 *   'unsafe-eval' (strings turned into code), or
 *   'unsafe-inline' - which CSP Level 3 browsers ignore as soon as the
 *     list holds a nonce ('nonce-...'), a hash ('sha256-...' and so on)
 *     or 'strict-dynamic', or
 *   a broad source (csp_broad: * http: https: data: ftp: and wildcard
 *     hosts) - which browsers ignore when the list holds
 *     'strict-dynamic', since scripts then load only by nonce, hash or
 *     from an already trusted script.
 * So "'strict-dynamic' 'nonce-r4nd' 'unsafe-inline' https:" is safe (the
 * last two are only for old browsers), "'self' 'unsafe-inline'" is not.
 * The offending sources are appended to why.
 */
static bool csp_list_safe(const struct csp_span *l, char *why, size_t cap)
{
    bool ui = false;
    bool ue = false;
    bool sd = false;
    bool nh = false;
    const char *broad = NULL;
    size_t broad_n = 0;
    size_t i = 0;
    while (i < l->n) {
        while (i < l->n && is_asciiws(l->p[i])) {
            i++;
        }
        size_t s = i;
        while (i < l->n && !is_asciiws(l->p[i])) {
            i++;
        }
        const char *t = l->p + s;
        size_t tl = i - s;
        if (tl == 0) {
            continue;
        }
        if (ieq(t, tl, "'unsafe-inline'")) {
            ui = true;
        } else if (ieq(t, tl, "'unsafe-eval'")) {
            ue = true;
        } else if (ieq(t, tl, "'strict-dynamic'")) {
            sd = true;
        } else if (iprefix(t, tl, "'nonce-") || iprefix(t, tl, "'sha256-") ||
                   iprefix(t, tl, "'sha384-") || iprefix(t, tl, "'sha512-")) {
            nh = true;
        } else if (broad == NULL && csp_broad(t, tl)) {
            broad = t;
            broad_n = tl;
        }
    }
    bool safe = true;
    if (ue) {
        why_append(why, cap, "'unsafe-eval'", 13);
        safe = false;
    }
    if (ui && !nh && !sd) {
        why_append(why, cap, "'unsafe-inline'", 15);
        safe = false;
    }
    if (broad != NULL && !sd) {
        why_append(why, cap, broad, broad_n > 40 ? 40 : broad_n);
        safe = false;
    }
    return safe;
}

void site_csp_policy_judge(const char *p, size_t len, bool from_meta,
                           struct site_csp_policy *out)
{
    struct csp_span dflt = {0};
    struct csp_span script = {0};
    struct csp_span elem = {0};
    struct csp_span attr = {0};
    struct csp_span frame = {0};
    size_t i = 0;

    memset(out, 0, sizeof *out);
    while (i < len) {
        const char *d = p + i;
        const char *semi = memchr(d, ';', len - i);
        size_t dl = semi != NULL ? (size_t)(semi - d) : len - i;
        i += dl + 1;
        trim_asciiws(&d, &dl);
        size_t nl = 0;
        while (nl < dl && !is_asciiws(d[nl])) {
            nl++;
        }
        bool ascii = true;
        for (size_t k = 0; k < dl; k++) {
            if ((unsigned char)d[k] >= 0x80 || d[k] == '\0') {
                ascii = false;
            }
        }
        if (nl == 0 || !ascii) {
            continue; /* CSP3 skips a directive that is not ASCII */
        }
        if (from_meta && (ieq(d, nl, "frame-ancestors") ||
                          ieq(d, nl, "report-uri") || ieq(d, nl, "sandbox"))) {
            continue; /* not honoured in <meta> */
        }
        bool known = false;
        for (size_t k = 0; k < sizeof csp_known / sizeof csp_known[0]; k++) {
            if (ieq(d, nl, csp_known[k])) {
                known = true;
                break;
            }
        }
        if (!known) {
            continue;
        }
        out->present = true;
        struct csp_span *slot = NULL;
        if (ieq(d, nl, "default-src")) {
            slot = &dflt;
        } else if (ieq(d, nl, "script-src")) {
            slot = &script;
        } else if (ieq(d, nl, "script-src-elem")) {
            slot = &elem;
        } else if (ieq(d, nl, "script-src-attr")) {
            slot = &attr;
        } else if (ieq(d, nl, "frame-ancestors")) {
            slot = &frame;
        }
        /* A repeated directive is ignored; the first one stands. */
        if (slot != NULL && !slot->set) {
            slot->p = d + nl;
            slot->n = dl - nl;
            slot->set = true;
        }
    }
    if (!out->present) {
        return;
    }
    /* Script elements follow script-src-elem, then script-src, then
     * default-src; event-handler attributes script-src-attr likewise. */
    const struct csp_span *base = script.set ? &script : &dflt;
    const char *base_name = script.set ? "script-src" : "default-src";
    if (!base->set && !elem.set) {
        snprintf(out->why, sizeof out->why, "no script-src or default-src");
        out->scripts_safe = false;
    } else {
        bool safe = true;
        const struct csp_span *lists[2] = {elem.set ? &elem : base,
                                           attr.set ? &attr : base};
        const char *names[2] = {elem.set ? "script-src-elem" : base_name,
                                attr.set ? "script-src-attr" : base_name};
        size_t nlists = lists[0] == lists[1] ? 1 : 2;
        for (size_t k = 0; k < nlists; k++) {
            if (!lists[k]->set) {
                continue; /* script-src-elem alone leaves attributes */
            }
            char why[SITE_CSP_WHY_MAX] = "";
            if (!csp_list_safe(lists[k], why, sizeof why)) {
                if (safe) {
                    snprintf(out->why, sizeof out->why, "%s %s", names[k], why);
                }
                safe = false;
            }
        }
        if (!lists[1]->set) {
            /* Event handlers are not restricted at all. */
            if (safe) {
                snprintf(out->why, sizeof out->why,
                         "no script-src-attr or script-src");
            }
            safe = false;
        }
        out->scripts_safe = safe;
    }
    if (frame.set) {
        struct csp_span f = frame;
        bool broad = false;
        size_t k = 0;
        while (k < f.n) {
            while (k < f.n && is_asciiws(f.p[k])) {
                k++;
            }
            size_t s = k;
            while (k < f.n && !is_asciiws(f.p[k])) {
                k++;
            }
            if (k > s && csp_broad(f.p + s, k - s)) {
                broad = true;
            }
        }
        out->frame_ancestors = !broad;
    }
}

void site_csp_init(struct site_csp *csp)
{
    memset(csp, 0, sizeof *csp);
}

void site_csp_add(struct site_csp *csp, const char *v, size_t len,
                  bool from_meta)
{
    size_t i = 0;
    while (i <= len) {
        const char *p = v + i;
        const char *comma = memchr(p, ',', len - i);
        size_t pl = comma != NULL ? (size_t)(comma - p) : len - i;
        i += pl + 1;
        struct site_csp_policy pol;
        site_csp_policy_judge(p, pl, from_meta, &pol);
        if (!pol.present) {
            continue;
        }
        csp->n_policies++;
        if (pol.scripts_safe) {
            csp->scripts_safe = true;
        } else if (csp->why[0] == '\0') {
            memcpy(csp->why, pol.why, sizeof csp->why);
        }
        if (pol.frame_ancestors) {
            csp->frame_ancestors = true;
        }
    }
}

/* ---- Referrer-Policy, X-Frame-Options, X-Content-Type-Options ---- */

enum site_referrer site_referrer_parse(const char *v, size_t len, bool legacy)
{
    static const struct {
        const char *name;
        enum site_referrer r;
        bool legacy_only;
    } names[] = {
        {"no-referrer", SITE_REFERRER_NO_REFERRER, false},
        {"no-referrer-when-downgrade", SITE_REFERRER_NO_REFERRER_WHEN_DOWNGRADE,
         false},
        {"same-origin", SITE_REFERRER_SAME_ORIGIN, false},
        {"origin", SITE_REFERRER_ORIGIN, false},
        {"strict-origin", SITE_REFERRER_STRICT_ORIGIN, false},
        {"origin-when-cross-origin", SITE_REFERRER_ORIGIN_WHEN_CROSS_ORIGIN,
         false},
        {"strict-origin-when-cross-origin",
         SITE_REFERRER_STRICT_ORIGIN_WHEN_CROSS_ORIGIN, false},
        {"unsafe-url", SITE_REFERRER_UNSAFE_URL, false},
        /* HTML's <meta name=referrer> keeps four old spellings. */
        {"never", SITE_REFERRER_NO_REFERRER, true},
        {"always", SITE_REFERRER_UNSAFE_URL, true},
        {"default", SITE_REFERRER_STRICT_ORIGIN_WHEN_CROSS_ORIGIN, true},
        {"origin-when-crossorigin", SITE_REFERRER_ORIGIN_WHEN_CROSS_ORIGIN,
         true},
    };
    enum site_referrer r = SITE_REFERRER_UNSET;
    size_t i = 0;
    while (i < len) {
        const char *t = v + i;
        const char *comma = memchr(t, ',', len - i);
        size_t tl = comma != NULL ? (size_t)(comma - t) : len - i;
        i += tl + 1;
        trim_asciiws(&t, &tl);
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
            if ((legacy || !names[k].legacy_only) &&
                ieq(t, tl, names[k].name)) {
                r = names[k].r;
                break;
            }
        }
    }
    return r;
}

bool site_referrer_unsafe(enum site_referrer r)
{
    return r == SITE_REFERRER_UNSAFE_URL ||
           r == SITE_REFERRER_NO_REFERRER_WHEN_DOWNGRADE;
}

enum site_xfo site_xfo_parse(const char *v, size_t len)
{
    /* HTML's "check a navigation response's adherence to
     * X-Frame-Options": the values form a set; more than one distinct
     * value blocks framing if any is deny, sameorigin or allowall. */
    enum { DENY = 1, SAME = 2, ALLOWALL = 4, OTHER = 8 };
    unsigned seen = 0;
    size_t distinct = 0;
    const char *first_other = NULL;
    size_t first_other_n = 0;
    size_t i = 0;
    if (len == 0) {
        return SITE_XFO_NONE;
    }
    while (i <= len) {
        const char *t = v + i;
        const char *comma = memchr(t, ',', len - i);
        size_t tl = comma != NULL ? (size_t)(comma - t) : len - i;
        i += tl + 1;
        trim_asciiws(&t, &tl);
        unsigned bit;
        if (ieq(t, tl, "deny")) {
            bit = DENY;
        } else if (ieq(t, tl, "sameorigin")) {
            bit = SAME;
        } else if (ieq(t, tl, "allowall")) {
            bit = ALLOWALL;
        } else {
            bit = OTHER;
            /* Distinct unknown values are distinct set members. */
            if (first_other == NULL) {
                first_other = t;
                first_other_n = tl;
            } else if (!(first_other_n == tl &&
                         strncasecmp(first_other, t, tl) == 0)) {
                distinct++;
            }
        }
        if ((seen & bit) == 0) {
            distinct++;
        }
        seen |= bit;
    }
    if (distinct > 1) {
        return (seen & (DENY | SAME | ALLOWALL)) != 0 ? SITE_XFO_CONFLICT
                                                      : SITE_XFO_NONE;
    }
    if (seen == DENY) {
        return SITE_XFO_DENY;
    }
    if (seen == SAME) {
        return SITE_XFO_SAMEORIGIN;
    }
    return SITE_XFO_NONE;
}

bool site_xcto_nosniff(const char *v, size_t len)
{
    const char *comma = memchr(v, ',', len);
    size_t tl = comma != NULL ? (size_t)(comma - v) : len;
    trim_asciiws(&v, &tl);
    return ieq(v, tl, "nosniff");
}

/* ---- Versions ---- */

static bool is_product_char(char ch)
{
    return isalnum((unsigned char)ch) != 0 || ch == '-' || ch == '_' ||
           ch == '.';
}

bool site_hdr_product_version(const char *v, size_t len, char *out, size_t cap)
{
    for (size_t i = 0; i < len; i++) {
        if (v[i] != '/' || i == 0 || !is_product_char(v[i - 1])) {
            continue;
        }
        size_t ps = i;
        while (ps > 0 && is_product_char(v[ps - 1])) {
            ps--;
        }
        size_t ve = i + 1;
        while (ve < len && is_product_char(v[ve])) {
            ve++;
        }
        /* The version: a digit, more digits, a dot and a digit. */
        size_t k = i + 1;
        if (k >= ve || !isdigit((unsigned char)v[k])) {
            continue;
        }
        while (k < ve && isdigit((unsigned char)v[k])) {
            k++;
        }
        if (k + 1 >= ve || v[k] != '.' || !isdigit((unsigned char)v[k + 1])) {
            continue;
        }
        /* At most 40 bytes of the product (its end) and 20 of the
         * version, so a long token never loses the version. */
        if (i - ps > 40) {
            ps = i - 40;
        }
        if (ve - i - 1 > 20) {
            ve = i + 1 + 20;
        }
        site_hdr_clean(v + ps, ve - ps, 64, out, cap);
        return true;
    }
    return false;
}

bool site_hdr_has_number(const char *v, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (isdigit((unsigned char)v[i])) {
            return true;
        }
    }
    return false;
}

void site_hdr_clean(const char *v, size_t len, size_t max, char *out,
                    size_t cap)
{
    size_t n = 0;
    bool cut = false;
    if (cap == 0) {
        return;
    }
    if (max + 1 > cap) {
        max = cap - 1;
    }
    if (len > max) {
        cut = true;
        len = max > 3 ? max - 3 : 0;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)v[i];
        out[n++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    if (cut) {
        for (size_t i = 0; i < 3 && n + 1 < cap; i++) {
            out[n++] = '.';
        }
    }
    out[n] = '\0';
}

/* ---- Redirect targets ---- */

/* Appends n bytes of a path, percent-encoding spaces and bytes above
 * 0x7e; control bytes make the target unusable. */
static int path_put(char *path, size_t cap, size_t *at, const char *p, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch < 0x20 || ch == 0x7f) {
            return KK_ERR_INVAL;
        }
        if (ch == ' ' || ch > 0x7e) {
            if (*at + 3 >= cap) {
                return KK_ERR_TRUNC;
            }
            path[(*at)++] = '%';
            path[(*at)++] = hex[ch >> 4];
            path[(*at)++] = hex[ch & 15];
            continue;
        }
        if (*at + 1 >= cap) {
            return KK_ERR_TRUNC;
        }
        path[(*at)++] = (char)ch;
    }
    path[*at] = '\0';
    return KK_OK;
}

int site_url_parse(const char *loc, const char *base_path, struct site_url *out)
{
    struct site_url u;
    const char *p = loc;
    size_t n = strlen(loc);
    size_t at = 0;
    int rc;

    memset(&u, 0, sizeof u);
    trim_asciiws(&p, &n);
    /* The fragment is never sent. */
    const char *hash = memchr(p, '#', n);
    if (hash != NULL) {
        n = (size_t)(hash - p);
    }
    if (n == 0) {
        return KK_ERR_INVAL;
    }
    size_t sl = 0;
    while (sl < n && (isalnum((unsigned char)p[sl]) || p[sl] == '+' ||
                      p[sl] == '-' || p[sl] == '.')) {
        sl++;
    }
    bool has_scheme =
        sl > 0 && sl < n && p[sl] == ':' && isalpha((unsigned char)p[0]);
    if (has_scheme) {
        if (ieq(p, sl, "https")) {
            memcpy(u.scheme, "https", 6);
        } else if (ieq(p, sl, "http")) {
            memcpy(u.scheme, "http", 5);
        } else {
            return KK_ERR_INVAL;
        }
        p += sl + 1;
        n -= sl + 1;
        if (n < 2 || p[0] != '/' || p[1] != '/') {
            return KK_ERR_INVAL;
        }
    }
    if (n >= 2 && p[0] == '/' && p[1] == '/') {
        p += 2;
        n -= 2;
        size_t al = 0;
        while (al < n && p[al] != '/' && p[al] != '?') {
            al++;
        }
        const char *h = p;
        size_t hl = al;
        const char *atsign = NULL;
        for (size_t i = 0; i < al; i++) {
            if (p[i] == '@') {
                atsign = p + i;
            }
        }
        if (atsign != NULL) {
            hl -= (size_t)(atsign + 1 - h);
            h = atsign + 1;
        }
        size_t end = 0;
        if (hl > 0 && h[0] == '[') {
            while (end < hl && h[end] != ']') {
                end++;
            }
            if (end == hl) {
                return KK_ERR_INVAL;
            }
            end++;
        } else {
            while (end < hl && h[end] != ':') {
                end++;
            }
        }
        while (end > 0 && h[end - 1] == '.') {
            end--;
        }
        if (end == 0) {
            return KK_ERR_INVAL;
        }
        if (end >= sizeof u.host) {
            return KK_ERR_TRUNC;
        }
        for (size_t i = 0; i < end; i++) {
            unsigned char ch = (unsigned char)h[i];
            if (ch <= 0x20 || ch == 0x7f) {
                return KK_ERR_INVAL;
            }
            u.host[i] = (char)tolower(ch);
        }
        u.host[end] = '\0';
        p += al;
        n -= al;
        if (n == 0 || p[0] == '?') {
            rc = path_put(u.path, sizeof u.path, &at, "/", 1);
            if (rc != KK_OK) {
                return rc;
            }
        }
    } else if (n > 0 && p[0] != '/') {
        /* Relative to the base: its directory, or for "?q" the base path
         * itself without its query. */
        const char *b =
            base_path != NULL && base_path[0] == '/' ? base_path : "/";
        size_t bl = strcspn(b, "?");
        if (p[0] != '?') {
            while (bl > 0 && b[bl - 1] != '/') {
                bl--;
            }
        }
        rc = path_put(u.path, sizeof u.path, &at, b, bl);
        if (rc != KK_OK) {
            return rc;
        }
    }
    rc = path_put(u.path, sizeof u.path, &at, p, n);
    if (rc != KK_OK) {
        return rc;
    }
    if (u.path[0] != '/') {
        return KK_ERR_INVAL;
    }
    *out = u;
    return KK_OK;
}
