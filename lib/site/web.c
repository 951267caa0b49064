/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * web.c - the headers stage: HTTPS and the plain-HTTP redirect, HSTS, the
 * security headers, cookies, mixed content, version leaks and
 * security.txt, judged the way a browser would apply them.
 *
 * check.c has already fetched the home page over HTTPS and HTTP; this
 * stage adds at most five requests of its own (three same-host redirects
 * to reach the page, security.txt and one redirect of it), well inside the
 * eight the stage may spend.  Fetching and judging are split: site_web_judge
 * makes no request, so every verdict is tested with canned responses.
 *
 * Trade-offs: only redirects on the checked host are followed (site_http
 * asks nothing else), so when the home page sends the browser to another
 * host the page-level checks (CSP, X-Frame-Options, X-Content-Type-Options,
 * Referrer-Policy, mixed content) record nothing rather than judge a bare
 * redirect; HSTS, cookies and leaks are still judged on what was seen.  A
 * site without HTTPS gets https.missing and is judged on its plain-HTTP
 * page, where HSTS, Secure cookies and mixed content do not apply.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "hdr.h"
#include "html.h"
#include "web.h"

#define WEB_LIST_MAX 6     /* names or URLs quoted in one evidence */
#define WEB_ITEM_MAX 72    /* bytes of one quoted name or URL */
#define WEB_URL_SHOWN 60   /* bytes of a URL shown in evidence */
#define WEB_XFO_JOINED 512 /* bytes of X-Frame-Options values joined */

/* A short list of distinct items for evidence: "a, b, c, ...". */
struct web_list {
    char item[WEB_LIST_MAX][WEB_ITEM_MAX];
    size_t n;
    bool more;
};

static void list_add(struct web_list *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->item[i], s) == 0) {
            return;
        }
    }
    if (l->n == WEB_LIST_MAX) {
        l->more = true;
        return;
    }
    snprintf(l->item[l->n++], WEB_ITEM_MAX, "%s", s);
}

/* Joins the list with sep into out. */
static void list_join(const struct web_list *l, const char *sep, char *out,
                      size_t cap)
{
    size_t at = 0;
    out[0] = '\0';
    for (size_t i = 0; i < l->n && at < cap; i++) {
        int w =
            snprintf(out + at, cap - at, "%s%s", i > 0 ? sep : "", l->item[i]);
        if (w < 0) {
            break;
        }
        at += (size_t)w;
    }
    if (l->more && at < cap) {
        snprintf(out + at, cap - at, "%s...", sep);
    }
}

/* A response and the scheme it came over. */
struct web_resp {
    const struct site_resp *r;
    bool https;
};

static bool is_redirect(long status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 ||
           status == 308;
}

/* The same site for a redirect: the same host, or it with or without a
 * leading "www.". */
static bool same_site(const char *a, const char *b)
{
    if (strcasecmp(a, b) == 0) {
        return true;
    }
    if (strncasecmp(a, "www.", 4) == 0 && strcasecmp(a + 4, b) == 0) {
        return true;
    }
    return strncasecmp(b, "www.", 4) == 0 && strcasecmp(b + 4, a) == 0;
}

static bool is_html(const struct site_resp *r)
{
    return strcmp(r->ctype, "text/html") == 0 ||
           strcmp(r->ctype, "application/xhtml+xml") == 0 ||
           r->ctype[0] == '\0';
}

/* The header block of r as a cursor (empty when there is none). */
static struct kk_span headers_of(const struct site_resp *r)
{
    if (r->headers == NULL) {
        return kk_span_make("", 0);
    }
    return kk_span_make(kk_buf_data(r->headers), kk_buf_len(r->headers));
}

static int add_or_pass(struct site_ctx *c, const char *id, bool found,
                       const char *evidence)
{
    if (found) {
        return site_add(c, id, "%s", evidence);
    }
    return site_pass(c, id);
}

/* ---- HTTPS and the redirect ---- */

static int judge_https(struct site_ctx *c)
{
    char ev[KK_SITE_EVIDENCE_MAX];
    char loc[WEB_URL_SHOWN + 4];
    const struct site_resp *h = &c->home_http;
    int rc;

    if (!c->https_up) {
        site_hdr_clean(c->home_https.error, strlen(c->home_https.error), 120,
                       ev, sizeof ev);
        return site_add(c, "https.missing", "port %u: %s", c->https_port,
                        ev[0] != '\0' ? ev : "no answer");
    }
    rc = site_pass(c, "https.missing");
    if (rc != KK_OK || !c->http_up) {
        /* Nothing is served over plain HTTP: nothing to redirect. */
        return rc == KK_OK ? site_pass(c, "https.no_redirect") : rc;
    }
    if (!is_redirect(h->status) || h->location[0] == '\0') {
        return site_add(c, "https.no_redirect", "HTTP %ld", h->status);
    }
    site_hdr_clean(h->location, strlen(h->location), WEB_URL_SHOWN, loc,
                   sizeof loc);
    struct site_url u;
    if (site_url_parse(h->location, c->path, &u) != KK_OK ||
        strcmp(u.scheme, "https") != 0) {
        return site_add(c, "https.no_redirect", "HTTP %ld to %s", h->status,
                        loc);
    }
    if (!same_site(u.host, c->host)) {
        return site_add(c, "https.no_redirect", "HTTP %ld to %s (another host)",
                        h->status, loc);
    }
    return site_pass(c, "https.no_redirect");
}

/* ---- HSTS ---- */

static int judge_hsts(struct site_ctx *c, const struct site_web_seen *s)
{
    const char *v = NULL;
    size_t vl = 0;
    char ev[96];

    if (!c->https_up) {
        return KK_OK; /* not applicable over plain HTTP */
    }
    /* Browsers keep the first valid header of any HTTPS response of the
     * host; the first header of the chain is what they see first. */
    for (size_t i = 0; i < s->n_chain && v == NULL; i++) {
        struct kk_span hs = headers_of(s->chain[i]);
        const char *n;
        size_t nl;
        const char *val;
        size_t len;
        while (site_hdr_next(&hs, &n, &nl, &val, &len)) {
            if (site_hdr_name_is(n, nl, "strict-transport-security")) {
                v = val;
                vl = len;
                break;
            }
        }
    }
    if (v == NULL) {
        return site_add(c, "hsts.missing", "%s", "");
    }
    struct site_hsts h;
    site_hsts_parse(v, vl, &h);
    if (!h.valid) {
        site_hdr_clean(v, vl, 80, ev, sizeof ev);
        return site_add(c, "hsts.missing", "invalid: %s", ev);
    }
    if (h.max_age == 0) {
        return site_add(c, "hsts.missing", "%s", "max-age=0");
    }
    int rc = site_pass(c, "hsts.missing");
    if (rc != KK_OK) {
        return rc;
    }
    if (h.max_age < SITE_WEB_HSTS_MIN) {
        return site_add(c, "hsts.short", "max-age=%llu",
                        (unsigned long long)h.max_age);
    }
    return site_pass(c, "hsts.short");
}

/* ---- The page: CSP, X-Frame-Options, X-Content-Type-Options,
 * Referrer-Policy, mixed content ---- */

struct web_page {
    struct site_csp csp;
    bool report_only;
    char xfo[WEB_XFO_JOINED];
    bool xcto_seen;
    bool nosniff;
    char xcto[64];
    enum site_referrer referrer;
    char referrer_raw[64];
    struct web_list active; /* http:// scripts, styles, frames */
    unsigned passive;       /* http:// images and media */
};

static void page_headers(const struct site_resp *r, struct web_page *pg)
{
    struct kk_span hs = headers_of(r);
    const char *n;
    size_t nl;
    const char *v;
    size_t vl;
    size_t xl = 0;
    while (site_hdr_next(&hs, &n, &nl, &v, &vl)) {
        if (site_hdr_name_is(n, nl, "content-security-policy")) {
            site_csp_add(&pg->csp, v, vl, false);
        } else if (site_hdr_name_is(n, nl,
                                    "content-security-policy-report-only")) {
            pg->report_only = true;
        } else if (site_hdr_name_is(n, nl, "x-frame-options")) {
            /* Several headers are one comma-separated list; what does
             * not fit is left out. */
            size_t need = vl + (xl > 0 ? 1 : 0);
            if (need < sizeof pg->xfo - xl) {
                if (xl > 0) {
                    pg->xfo[xl++] = ',';
                }
                memcpy(pg->xfo + xl, v, vl);
                xl += vl;
                pg->xfo[xl] = '\0';
            }
        } else if (site_hdr_name_is(n, nl, "x-content-type-options") &&
                   !pg->xcto_seen) {
            pg->xcto_seen = true;
            pg->nosniff = site_xcto_nosniff(v, vl);
            site_hdr_clean(v, vl, 40, pg->xcto, sizeof pg->xcto);
        } else if (site_hdr_name_is(n, nl, "referrer-policy")) {
            enum site_referrer rp = site_referrer_parse(v, vl, false);
            if (rp != SITE_REFERRER_UNSET) {
                pg->referrer = rp;
            }
            site_hdr_clean(v, vl, 40, pg->referrer_raw,
                           sizeof pg->referrer_raw);
        }
    }
}

/* Adds url (a resource of an HTTPS page) when it is fetched over plain
 * HTTP: any http: URL, whatever its case or leading spaces. */
static bool over_http(const char *url)
{
    while (*url == ' ' || *url == '\t' || *url == '\n' || *url == '\r' ||
           *url == '\f') {
        url++;
    }
    return strncasecmp(url, "http:", 5) == 0;
}

static void page_html(const struct site_resp *r, bool https,
                      struct web_page *pg)
{
    struct site_html h;
    struct site_html_tag t;
    char v[KK_SITE_URL_MAX];
    char v2[KK_SITE_URL_MAX];

    if (r->body == NULL || !is_html(r)) {
        return;
    }
    site_html_init(&h, (const char *)kk_buf_data(r->body), kk_buf_len(r->body));
    while (site_html_next(&h, &t)) {
        if (t.end) {
            continue;
        }
        if (strcmp(t.name, "meta") == 0) {
            if (site_html_attr(&t, "name", v, sizeof v) &&
                strcasecmp(v, "referrer") == 0 &&
                site_html_attr(&t, "content", v2, sizeof v2)) {
                enum site_referrer rp =
                    site_referrer_parse(v2, strlen(v2), true);
                /* A later <meta> overrides the header and earlier ones. */
                if (rp != SITE_REFERRER_UNSET) {
                    pg->referrer = rp;
                }
                site_hdr_clean(v2, strlen(v2), 40, pg->referrer_raw,
                               sizeof pg->referrer_raw);
            } else if (site_html_attr(&t, "http-equiv", v, sizeof v) &&
                       strcasecmp(v, "content-security-policy") == 0 &&
                       site_html_attr(&t, "content", v2, sizeof v2)) {
                site_csp_add(&pg->csp, v2, strlen(v2), true);
            }
            continue;
        }
        if (!https) {
            continue;
        }
        bool active = false;
        bool passive = false;
        if (strcmp(t.name, "script") == 0 || strcmp(t.name, "iframe") == 0 ||
            strcmp(t.name, "frame") == 0 || strcmp(t.name, "embed") == 0) {
            active = site_html_attr(&t, "src", v, sizeof v);
        } else if (strcmp(t.name, "object") == 0) {
            active = site_html_attr(&t, "data", v, sizeof v);
        } else if (strcmp(t.name, "link") == 0) {
            active = site_html_attr(&t, "rel", v2, sizeof v2) &&
                     site_html_has_word(v2, "stylesheet") &&
                     site_html_attr(&t, "href", v, sizeof v);
        } else if (strcmp(t.name, "img") == 0 || strcmp(t.name, "audio") == 0 ||
                   strcmp(t.name, "video") == 0 ||
                   strcmp(t.name, "source") == 0) {
            passive = site_html_attr(&t, "src", v, sizeof v);
        }
        if (active && over_http(v)) {
            char shown[WEB_URL_SHOWN + 4];
            const char *u = v;
            while (*u == ' ' || *u == '\t' || *u == '\n' || *u == '\r' ||
                   *u == '\f') {
                u++;
            }
            site_hdr_clean(u, strlen(u), WEB_URL_SHOWN, shown, sizeof shown);
            list_add(&pg->active, shown);
        } else if (passive && over_http(v)) {
            pg->passive++;
        }
    }
}

static int judge_page(struct site_ctx *c, const struct site_resp *r, bool https)
{
    struct web_page pg;
    char ev[KK_SITE_EVIDENCE_MAX];
    int rc;

    memset(&pg, 0, sizeof pg);
    site_csp_init(&pg.csp);
    page_headers(r, &pg);
    page_html(r, https, &pg);

    /* Content-Security-Policy: Report-Only enforces nothing. */
    if (pg.csp.n_policies == 0) {
        rc = site_add(c, "csp.missing", "%s",
                      pg.report_only ? "Report-Only" : "");
    } else {
        rc = site_pass(c, "csp.missing");
        if (rc == KK_OK) {
            rc = add_or_pass(c, "csp.unsafe", !pg.csp.scripts_safe, pg.csp.why);
        }
    }
    if (rc != KK_OK) {
        return rc;
    }

    /* X-Frame-Options, or CSP frame-ancestors from a header. */
    enum site_xfo xfo = site_xfo_parse(pg.xfo, strlen(pg.xfo));
    site_hdr_clean(pg.xfo, strlen(pg.xfo), 60, ev, sizeof ev);
    rc = add_or_pass(c, "xfo.missing",
                     xfo == SITE_XFO_NONE && !pg.csp.frame_ancestors, ev);
    if (rc != KK_OK) {
        return rc;
    }
    rc = add_or_pass(c, "xcto.missing", !pg.nosniff, pg.xcto);
    if (rc != KK_OK) {
        return rc;
    }
    rc = add_or_pass(c, "referrer.missing",
                     pg.referrer == SITE_REFERRER_UNSET ||
                         site_referrer_unsafe(pg.referrer),
                     pg.referrer_raw);
    if (rc != KK_OK || !https) {
        return rc;
    }

    /* Mixed content: active content over http:// on an HTTPS page. */
    if (pg.active.n == 0) {
        return site_pass(c, "content.mixed");
    }
    list_join(&pg.active, "; ", ev, sizeof ev);
    if (pg.passive > 0) {
        size_t at = strlen(ev);
        snprintf(ev + at, sizeof ev - at, "; +%u passive", pg.passive);
    }
    return site_add(c, "content.mixed", "%s", ev);
}

/* ---- Cookies ---- */

static int judge_cookies(struct site_ctx *c, const struct web_resp *rs,
                         size_t n)
{
    struct web_list no_secure;
    struct web_list no_httponly;
    struct web_list no_samesite;
    char ev[KK_SITE_EVIDENCE_MAX];
    struct tm tm;
    time_t now = (time_t)c->now;
    int year = gmtime_r(&now, &tm) != NULL ? tm.tm_year + 1900 : 0;
    int rc;

    memset(&no_secure, 0, sizeof no_secure);
    memset(&no_httponly, 0, sizeof no_httponly);
    memset(&no_samesite, 0, sizeof no_samesite);
    for (size_t i = 0; i < n; i++) {
        struct kk_span hs = headers_of(rs[i].r);
        const char *nm;
        size_t nl;
        const char *v;
        size_t vl;
        while (site_hdr_next(&hs, &nm, &nl, &v, &vl)) {
            if (!site_hdr_name_is(nm, nl, "set-cookie")) {
                continue;
            }
            struct site_cookie ck;
            char item[WEB_ITEM_MAX];
            site_cookie_parse(v, vl, &ck);
            if (site_cookie_deletes(&ck, year)) {
                continue;
            }
            const char *name = ck.name[0] != '\0' ? ck.name : "\"\"";
            if (!rs[i].https) {
                /* Sent in clear whatever its flags. */
                snprintf(item, sizeof item, "%s (http)", name);
                list_add(&no_secure, item);
            } else if (!ck.secure) {
                list_add(&no_secure, name);
            }
            if (!ck.httponly && site_cookie_is_session(ck.name)) {
                list_add(&no_httponly, name);
            }
            if (ck.samesite == SITE_SAMESITE_ABSENT ||
                ck.samesite == SITE_SAMESITE_INVALID ||
                (ck.samesite == SITE_SAMESITE_NONE && !ck.secure)) {
                list_add(&no_samesite, name);
            }
        }
    }
    rc = KK_OK;
    if (c->https_up) {
        /* Without HTTPS a cookie cannot be Secure: https.missing says it. */
        list_join(&no_secure, ", ", ev, sizeof ev);
        rc = add_or_pass(c, "cookie.no_secure", no_secure.n > 0, ev);
    }
    if (rc == KK_OK) {
        list_join(&no_httponly, ", ", ev, sizeof ev);
        rc = add_or_pass(c, "cookie.no_httponly", no_httponly.n > 0, ev);
    }
    if (rc == KK_OK) {
        list_join(&no_samesite, ", ", ev, sizeof ev);
        rc = add_or_pass(c, "cookie.no_samesite", no_samesite.n > 0, ev);
    }
    return rc;
}

/* ---- Version leaks ---- */

static int judge_leaks(struct site_ctx *c, const struct web_resp *rs, size_t n)
{
    struct web_list server;
    struct web_list powered;
    char ev[KK_SITE_EVIDENCE_MAX];
    char item[WEB_ITEM_MAX];
    int rc;

    memset(&server, 0, sizeof server);
    memset(&powered, 0, sizeof powered);
    for (size_t i = 0; i < n; i++) {
        struct kk_span hs = headers_of(rs[i].r);
        const char *nm;
        size_t nl;
        const char *v;
        size_t vl;
        while (site_hdr_next(&hs, &nm, &nl, &v, &vl)) {
            if (site_hdr_name_is(nm, nl, "server")) {
                if (site_hdr_product_version(v, vl, item, sizeof item)) {
                    list_add(&server, item);
                }
            } else if (site_hdr_name_is(nm, nl, "x-powered-by")) {
                if (vl > 0) {
                    site_hdr_clean(v, vl, 48, item, sizeof item);
                    list_add(&powered, item);
                }
            } else if (site_hdr_name_is(nm, nl, "x-aspnet-version") ||
                       site_hdr_name_is(nm, nl, "x-aspnetmvc-version") ||
                       (site_hdr_name_is(nm, nl, "x-generator") &&
                        site_hdr_has_number(v, vl))) {
                char hv[40];
                char hn[24];
                site_hdr_clean(nm, nl, 20, hn, sizeof hn);
                site_hdr_clean(v, vl, 40, hv, sizeof hv);
                snprintf(item, sizeof item, "%s: %s", hn, hv);
                list_add(&powered, item);
            }
        }
    }
    list_join(&server, ", ", ev, sizeof ev);
    rc = add_or_pass(c, "leak.server_version", server.n > 0, ev);
    if (rc == KK_OK) {
        list_join(&powered, ", ", ev, sizeof ev);
        rc = add_or_pass(c, "leak.powered_by", powered.n > 0, ev);
    }
    return rc;
}

/* ---- security.txt (RFC 9116) ---- */

/* True when the body has a line starting with the field "Contact:"
 * (field names are case-insensitive). */
static bool has_contact(const struct site_resp *r)
{
    struct kk_span s = kk_span_make(kk_buf_data(r->body), kk_buf_len(r->body));
    while (s.off < s.len) {
        const char *line = (const char *)s.p + s.off;
        size_t left = s.len - s.off;
        const char *nl = memchr(line, '\n', left);
        size_t ll = nl != NULL ? (size_t)(nl - line) : left;
        s.off += nl != NULL ? ll + 1 : ll;
        if (ll >= 8 && strncasecmp(line, "contact:", 8) == 0) {
            return true;
        }
    }
    return false;
}

static int judge_securitytxt(struct site_ctx *c, const struct site_resp *r)
{
    if (r == NULL || r->status == 0) {
        return KK_OK; /* could not ask */
    }
    if (r->status != 200) {
        return site_add(c, "securitytxt.missing", "HTTP %ld", r->status);
    }
    if (strcmp(r->ctype, "text/plain") != 0) {
        char ct[64];
        site_hdr_clean(r->ctype, strlen(r->ctype), 40, ct, sizeof ct);
        return site_add(c, "securitytxt.missing", "%s",
                        ct[0] != '\0' ? ct : "no Content-Type");
    }
    const char *b = r->body != NULL ? kk_buf_str(r->body) : "";
    size_t i = 0;
    while (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
        i++;
    }
    if (b[i] == '<') {
        return site_add(c, "securitytxt.missing", "%s", "HTML");
    }
    if (r->body == NULL || !has_contact(r)) {
        return site_add(c, "securitytxt.missing", "%s", "no Contact: field");
    }
    return site_pass(c, "securitytxt.missing");
}

/* ---- The stage ---- */

int site_web_judge(struct site_ctx *c, const struct site_web_seen *s)
{
    struct web_resp rs[SITE_WEB_CHAIN_MAX + 1];
    size_t n = 0;
    int rc;

    if (s->n_chain == 0 || s->n_chain > SITE_WEB_CHAIN_MAX) {
        return KK_ERR_INVAL;
    }
    for (size_t i = 0; i < s->n_chain; i++) {
        rs[n].r = s->chain[i];
        rs[n++].https = c->https_up;
    }
    if (c->https_up && c->http_up) {
        rs[n].r = &c->home_http;
        rs[n++].https = false;
    }
    rc = judge_https(c);
    if (rc == KK_OK) {
        rc = judge_hsts(c, s);
    }
    const struct site_resp *page = s->chain[s->n_chain - 1];
    bool reached = page->status != 0 &&
                   !(is_redirect(page->status) && page->location[0] != '\0');
    if (rc == KK_OK && reached) {
        rc = judge_page(c, page, c->https_up);
    }
    if (rc == KK_OK) {
        rc = judge_cookies(c, rs, n);
    }
    if (rc == KK_OK) {
        rc = judge_leaks(c, rs, n);
    }
    if (rc == KK_OK) {
        rc = judge_securitytxt(c, s->sectxt);
    }
    return rc;
}

/*
 * Whether the redirect r can be followed: to the same scheme and the very
 * same host (site_http asks c->host only, so not even its www twin), and
 * to a new path.  path holds the path r answered and receives the new
 * one.
 */
static bool follow_target(const struct site_ctx *c, const struct site_resp *r,
                          const char *scheme, char *path, size_t cap)
{
    struct site_url u;
    if (!is_redirect(r->status) || r->location[0] == '\0' ||
        site_url_parse(r->location, path, &u) != KK_OK) {
        return false;
    }
    if ((u.scheme[0] != '\0' && strcmp(u.scheme, scheme) != 0) ||
        (u.host[0] != '\0' && strcasecmp(u.host, c->host) != 0) ||
        strcmp(u.path, path) == 0 || strlen(u.path) >= cap) {
        return false;
    }
    memcpy(path, u.path, strlen(u.path) + 1);
    return true;
}

int site_check_headers(struct site_ctx *c)
{
    struct site_resp extra[SITE_WEB_CHAIN_MAX - 1];
    struct site_resp sec[2];
    struct site_web_seen s;
    char path[KK_SITE_URL_MAX];
    const char *scheme = c->https_up ? "https" : "http";
    int rc = KK_OK;

    memset(extra, 0, sizeof extra);
    memset(sec, 0, sizeof sec);
    memset(&s, 0, sizeof s);
    if (!c->https_up && !c->http_up) {
        return KK_OK; /* check.c stops before the stages */
    }
    s.chain[s.n_chain++] = c->https_up ? &c->home_https : &c->home_http;
    snprintf(path, sizeof path, "%s", c->path);
    for (size_t k = 0; k < SITE_WEB_CHAIN_MAX - 1; k++) {
        const struct site_resp *last = s.chain[s.n_chain - 1];
        if (!follow_target(c, last, scheme, path, sizeof path)) {
            break;
        }
        rc = site_http(c, scheme, path, "GET", NULL, &extra[k]);
        if (rc != KK_OK) {
            break;
        }
        s.chain[s.n_chain++] = &extra[k];
        if (extra[k].status == 0) {
            break;
        }
    }
    if (rc == KK_OK) {
        char spath[KK_SITE_URL_MAX] = "/.well-known/security.txt";
        rc = site_http(c, scheme, spath, "GET", NULL, &sec[0]);
        if (rc == KK_OK) {
            s.sectxt = &sec[0];
            if (follow_target(c, &sec[0], scheme, spath, sizeof spath)) {
                rc = site_http(c, scheme, spath, "GET", NULL, &sec[1]);
                if (rc == KK_OK) {
                    s.sectxt = &sec[1];
                }
            }
        }
    }
    /* Out of budget: judge what was seen. */
    if (rc == KK_ERR_LIMIT) {
        rc = KK_OK;
    }
    if (rc == KK_OK) {
        rc = site_web_judge(c, &s);
    }
    for (size_t k = 0; k < SITE_WEB_CHAIN_MAX - 1; k++) {
        site_resp_clear(&extra[k]);
    }
    site_resp_clear(&sec[0]);
    site_resp_clear(&sec[1]);
    return rc;
}
