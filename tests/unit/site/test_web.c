/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_web.c - unit tests of the headers stage's verdicts
 * (site_web_judge in lib/site/web.c) on canned responses: a well-kept
 * site, a neglected one, a site without HTTPS, and table-driven cases for
 * the redirect, HSTS, CSP, framing, referrer, cookies, mixed content,
 * version leaks and security.txt.  No request is made.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "web.h"

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))

/* Every id the headers stage decides. */
static const char *const web_ids[] = {
    "https.missing",       "https.no_redirect",   "hsts.missing",
    "hsts.short",          "csp.missing",         "csp.unsafe",
    "xfo.missing",         "xcto.missing",        "referrer.missing",
    "cookie.no_secure",    "cookie.no_httponly",  "cookie.no_samesite",
    "content.mixed",       "leak.server_version", "leak.powered_by",
    "securitytxt.missing",
};

#define GOOD_HEADERS                                                           \
    "Server: nginx\r\n"                                                        \
    "Content-Type: text/html\r\n"                                              \
    "Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n"       \
    "Content-Security-Policy: default-src 'self'; object-src 'none'; "         \
    "frame-ancestors 'none'\r\n"                                               \
    "X-Content-Type-Options: nosniff\r\n"                                      \
    "X-Frame-Options: DENY\r\n"                                                \
    "Referrer-Policy: strict-origin-when-cross-origin\r\n"                     \
    "Set-Cookie: sid=s3cr3t; Path=/; Secure; HttpOnly; SameSite=Lax\r\n"
#define GOOD_BODY                                                              \
    "<!DOCTYPE html><html><head><link rel=stylesheet href=/s.css>"             \
    "<script src=\"//cdn.example.net/a.js\"></script></head>"                  \
    "<body><img src=/logo.png></body></html>"

/* A check's context with a fresh report, over HTTPS and HTTP. */
struct tw {
    struct site_ctx c;
    struct site_resp page[SITE_WEB_CHAIN_MAX - 1];
    struct site_resp sec;
    struct site_web_seen s;
};

static void resp_set(struct site_resp *r, long status, const char *ctype,
                     const char *headers, const char *body)
{
    site_resp_clear(r);
    r->status = status;
    snprintf(r->ctype, sizeof r->ctype, "%s", ctype);
    r->headers = kk_buf_new(KK_SITE_HEADERS_MAX);
    r->body = kk_buf_new(KK_SITE_BODY_MAX);
    assert_non_null(r->headers);
    assert_non_null(r->body);
    assert_int_equal(kk_buf_puts(r->headers, headers), KK_OK);
    assert_int_equal(kk_buf_puts(r->body, body), KK_OK);
    if (!site_resp_header(r, "location", r->location, sizeof r->location)) {
        r->location[0] = '\0';
    }
}

/* A well-kept site: every check passes. */
static void tw_init(struct tw *t)
{
    memset(t, 0, sizeof *t);
    t->c.r = site_report_new();
    assert_non_null(t->c.r);
    snprintf(t->c.host, sizeof t->c.host, "news.example");
    snprintf(t->c.path, sizeof t->c.path, "/");
    t->c.http_port = 80;
    t->c.https_port = 443;
    t->c.now = 1767225600; /* 2026-01-01 */
    t->c.https_up = true;
    t->c.http_up = true;
    resp_set(&t->c.home_https, 200, "text/html", GOOD_HEADERS, GOOD_BODY);
    resp_set(&t->c.home_http, 301, "text/html",
             "Server: nginx\r\nLocation: https://news.example/\r\n", "");
    resp_set(&t->sec, 200, "text/plain", "Content-Type: text/plain\r\n",
             "Contact: mailto:security@news.example\n"
             "Expires: 2031-01-01T00:00:00.000Z\n");
    t->s.chain[0] = &t->c.home_https;
    t->s.n_chain = 1;
    t->s.sectxt = &t->sec;
}

static void tw_free(struct tw *t)
{
    site_resp_clear(&t->c.home_https);
    site_resp_clear(&t->c.home_http);
    for (size_t i = 0; i < N_ROWS(t->page); i++) {
        site_resp_clear(&t->page[i]);
    }
    site_resp_clear(&t->sec);
    site_report_free(t->c.r);
}

static void tw_judge(struct tw *t)
{
    assert_int_equal(site_web_judge(&t->c, &t->s), KK_OK);
}

/* The evidence of finding id, or NULL when it was not found. */
static const char *found(const struct tw *t, const char *id)
{
    for (size_t i = 0; i < t->c.r->n_res; i++) {
        if (strcmp(t->c.r->res[i].id, id) == 0) {
            return t->c.r->res[i].evidence;
        }
    }
    return NULL;
}

static bool passed(const struct tw *t, const char *id)
{
    for (size_t i = 0; i < t->c.r->n_passed; i++) {
        if (strcmp(t->c.r->passed[i], id) == 0) {
            return true;
        }
    }
    return false;
}

/* Neither found nor passed: the check did not apply. */
static bool silent(const struct tw *t, const char *id)
{
    return found(t, id) == NULL && !passed(t, id);
}

static void well_kept_site_passes_every_check(void **state)
{
    struct tw t;

    (void)state;
    tw_init(&t);
    tw_judge(&t);
    for (size_t i = 0; i < t.c.r->n_res; i++) {
        fail_msg("unexpected %s (%s)", t.c.r->res[i].id,
                 t.c.r->res[i].evidence);
    }
    for (size_t i = 0; i < N_ROWS(web_ids); i++) {
        if (!passed(&t, web_ids[i])) {
            fail_msg("%s did not pass", web_ids[i]);
        }
    }
    tw_free(&t);
}

static void neglected_site_raises_every_finding_it_deserves(void **state)
{
    struct tw t;

    (void)state;
    tw_init(&t);
    resp_set(&t.c.home_https, 200, "text/html",
             "Server: nginx/1.22.1\r\n"
             "X-Powered-By: PHP/7.4.3\r\n"
             "Set-Cookie: wordpress_logged_in_5d41=admin%7C1700000000; "
             "Path=/\r\n",
             "<html><head><meta name=\"generator\" content=\"WordPress "
             "5.8.1\"><script src=\"http://cdn.example.net/jquery.min.js\">"
             "</script></head><body><img src=http://x/a.png></body></html>");
    resp_set(&t.c.home_http, 200, "text/html", "Server: nginx/1.22.1\r\n",
             "<html></html>");
    resp_set(&t.sec, 404, "text/html", "", "<html>Not Found</html>");
    tw_judge(&t);
    static const char *const want[] = {
        "https.no_redirect",   "hsts.missing",        "csp.missing",
        "xfo.missing",         "xcto.missing",        "referrer.missing",
        "cookie.no_secure",    "cookie.no_httponly",  "cookie.no_samesite",
        "content.mixed",       "leak.server_version", "leak.powered_by",
        "securitytxt.missing",
    };
    for (size_t i = 0; i < N_ROWS(want); i++) {
        if (found(&t, want[i]) == NULL) {
            fail_msg("%s not found", want[i]);
        }
    }
    assert_true(passed(&t, "https.missing"));
    assert_true(silent(&t, "hsts.short"));
    assert_true(silent(&t, "csp.unsafe"));
    assert_string_equal(found(&t, "https.no_redirect"), "HTTP 200");
    assert_string_equal(found(&t, "leak.server_version"), "nginx/1.22.1");
    assert_string_equal(found(&t, "leak.powered_by"), "PHP/7.4.3");
    assert_string_equal(found(&t, "cookie.no_httponly"),
                        "wordpress_logged_in_5d41");
    assert_string_equal(found(&t, "content.mixed"),
                        "http://cdn.example.net/jquery.min.js; +1 passive");
    assert_string_equal(found(&t, "securitytxt.missing"), "HTTP 404");
    /* Evidence names cookies, never their values. */
    for (size_t i = 0; i < t.c.r->n_res; i++) {
        assert_null(strstr(t.c.r->res[i].evidence, "admin"));
    }
    tw_free(&t);
}

static void site_without_https_is_judged_on_its_plain_page(void **state)
{
    struct tw t;

    (void)state;
    tw_init(&t);
    t.c.https_up = false;
    site_resp_clear(&t.c.home_https);
    snprintf(t.c.home_https.error, sizeof t.c.home_https.error,
             "Failed to connect to news.example port 443");
    resp_set(&t.c.home_http, 200, "text/html",
             "Set-Cookie: PHPSESSID=x; Path=/; HttpOnly; SameSite=Lax\r\n"
             "X-Frame-Options: SAMEORIGIN\r\n",
             "<script src=http://cdn.example.net/a.js></script>");
    t.s.chain[0] = &t.c.home_http;
    tw_judge(&t);
    assert_non_null(found(&t, "https.missing"));
    assert_non_null(strstr(found(&t, "https.missing"), "port 443"));
    /* Not applicable without HTTPS. */
    assert_true(silent(&t, "https.no_redirect"));
    assert_true(silent(&t, "hsts.missing"));
    assert_true(silent(&t, "hsts.short"));
    assert_true(silent(&t, "cookie.no_secure"));
    assert_true(silent(&t, "content.mixed"));
    /* Judged on the plain page. */
    assert_true(passed(&t, "xfo.missing"));
    assert_true(passed(&t, "cookie.no_httponly"));
    assert_true(passed(&t, "cookie.no_samesite"));
    assert_non_null(found(&t, "csp.missing"));
    tw_free(&t);
}

static const struct {
    bool http_up;
    long status;
    const char *location;
    const char *evidence; /* NULL: passes */
} redirect_rows[] = {
    {true, 301, "https://news.example/", NULL},
    {true, 308, "https://NEWS.example:8443/en/", NULL},
    {true, 302, "https://www.news.example/", NULL},
    {true, 307, "https://other.example/",
     "HTTP 307 to https://other.example/ (another host)"},
    {true, 301, "http://news.example/en/",
     "HTTP 301 to http://news.example/en/"},
    {true, 301, "/en/", "HTTP 301 to /en/"},
    {true, 301, "", "HTTP 301"},
    {true, 200, "", "HTTP 200"},
    {true, 403, "", "HTTP 403"},
    {false, 0, "", NULL},
};

static void plain_http_must_redirect_to_https_on_the_same_host(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(redirect_rows); i++) {
        struct tw t;
        char hdr[256];
        tw_init(&t);
        t.c.http_up = redirect_rows[i].http_up;
        snprintf(hdr, sizeof hdr, "Location: %s\r\n",
                 redirect_rows[i].location);
        resp_set(&t.c.home_http, redirect_rows[i].status, "text/html",
                 redirect_rows[i].location[0] != '\0' ? hdr : "", "");
        tw_judge(&t);
        const char *ev = found(&t, "https.no_redirect");
        if (redirect_rows[i].evidence == NULL
                ? !passed(&t, "https.no_redirect")
                : (ev == NULL || strcmp(ev, redirect_rows[i].evidence) != 0)) {
            fail_msg("redirect row %zu: '%s'", i, ev != NULL ? ev : "passed");
        }
        tw_free(&t);
    }
}

static const struct {
    const char *header;  /* a whole header line, or "" */
    const char *missing; /* evidence of hsts.missing, NULL: passes */
    const char *shortv;  /* evidence of hsts.short, NULL: passes or n/a */
} hsts_rows[] = {
    {"", "", NULL},
    {"Strict-Transport-Security: max-age=3600\r\n", NULL, "max-age=3600"},
    {"Strict-Transport-Security: max-age=15767999\r\n", NULL,
     "max-age=15767999"},
    {"Strict-Transport-Security: max-age=15768000\r\n", NULL, NULL},
    {"Strict-Transport-Security: max-age=0\r\n", "max-age=0", NULL},
    {"Strict-Transport-Security: max-age=abc\r\n", "invalid: max-age=abc",
     NULL},
    {"strict-transport-security: MAX-AGE=\"63072000\"; preload\r\n", NULL,
     NULL},
    /* The first header counts: the second never fixes the first. */
    {"Strict-Transport-Security: max-age=60\r\n"
     "Strict-Transport-Security: max-age=63072000\r\n",
     NULL, "max-age=60"},
};

static void hsts_must_last_six_months(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(hsts_rows); i++) {
        struct tw t;
        tw_init(&t);
        resp_set(&t.c.home_https, 200, "text/html", hsts_rows[i].header,
                 "<html></html>");
        tw_judge(&t);
        const char *m = found(&t, "hsts.missing");
        const char *s = found(&t, "hsts.short");
        bool ok_m = hsts_rows[i].missing == NULL
                        ? passed(&t, "hsts.missing")
                        : m != NULL && strcmp(m, hsts_rows[i].missing) == 0;
        bool ok_s = hsts_rows[i].shortv == NULL
                        ? s == NULL
                        : s != NULL && strcmp(s, hsts_rows[i].shortv) == 0;
        if (!ok_m || !ok_s) {
            fail_msg("HSTS row %zu: missing '%s' short '%s'", i,
                     m != NULL ? m : "-", s != NULL ? s : "-");
        }
        tw_free(&t);
    }
}

static void hsts_on_the_first_redirect_counts_for_the_chain(void **state)
{
    struct tw t;

    (void)state;
    tw_init(&t);
    resp_set(&t.c.home_https, 301, "text/html",
             "Location: /en/\r\n"
             "Strict-Transport-Security: max-age=31536000\r\n",
             "");
    resp_set(&t.page[0], 200, "text/html",
             "X-Content-Type-Options: nosniff\r\n", "<html></html>");
    t.s.chain[1] = &t.page[0];
    t.s.n_chain = 2;
    tw_judge(&t);
    assert_true(passed(&t, "hsts.missing"));
    assert_true(passed(&t, "hsts.short"));
    /* The page's own headers are judged on the page reached. */
    assert_true(passed(&t, "xcto.missing"));
    assert_non_null(found(&t, "csp.missing"));
    tw_free(&t);
}

static void page_behind_another_host_is_not_judged(void **state)
{
    struct tw t;

    (void)state;
    tw_init(&t);
    resp_set(&t.c.home_https, 301, "text/html",
             "Location: https://www.news.example/\r\n", "");
    tw_judge(&t);
    static const char *const page_ids[] = {
        "csp.missing",  "csp.unsafe",       "xfo.missing",
        "xcto.missing", "referrer.missing", "content.mixed",
    };
    for (size_t i = 0; i < N_ROWS(page_ids); i++) {
        if (!silent(&t, page_ids[i])) {
            fail_msg("%s was judged on a redirect", page_ids[i]);
        }
    }
    assert_non_null(found(&t, "hsts.missing"));
    assert_true(passed(&t, "leak.server_version"));
    tw_free(&t);
}

static const struct {
    const char *headers;
    const char *body;
    const char *missing; /* evidence of csp.missing, NULL: passes */
    const char *unsafe;  /* evidence of csp.unsafe, NULL: passes or n/a */
    bool xfo;            /* xfo.missing found */
} csp_rows[] = {
    {"", "", "", NULL, true},
    {"Content-Security-Policy-Report-Only: default-src 'self'\r\n", "",
     "Report-Only", NULL, true},
    {"Content-Security-Policy: default-src 'self'; frame-ancestors 'self'\r\n",
     "", NULL, NULL, false},
    {"Content-Security-Policy: script-src 'self' 'unsafe-inline'\r\n", "", NULL,
     "script-src 'unsafe-inline'", true},
    {"Content-Security-Policy: default-src *\r\n"
     "Content-Security-Policy: script-src 'self'\r\n",
     "", NULL, NULL, true},
    {"Content-Security-Policy: frame-ancestors 'none'\r\n", "", NULL,
     "no script-src or default-src", false},
    /* <meta http-equiv> enforces, but not frame-ancestors. */
    {"",
     "<meta http-equiv=Content-Security-Policy content=\"default-src "
     "'self'; frame-ancestors 'none'\">",
     NULL, NULL, true},
    {"",
     "<!-- <meta http-equiv=content-security-policy "
     "content=\"default-src 'self'\"> -->",
     "", NULL, true},
    {"X-Frame-Options: ALLOW-FROM https://a.example\r\n", "", "", NULL, true},
    {"X-Frame-Options: DENY\r\nX-Frame-Options: SAMEORIGIN\r\n", "", "", NULL,
     false},
    {"Content-Security-Policy: default-src 'self'; frame-ancestors *\r\n", "",
     NULL, NULL, true},
};

static void csp_and_framing_are_judged_on_the_page(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(csp_rows); i++) {
        struct tw t;
        tw_init(&t);
        resp_set(&t.c.home_https, 200, "text/html", csp_rows[i].headers,
                 csp_rows[i].body);
        tw_judge(&t);
        const char *m = found(&t, "csp.missing");
        const char *u = found(&t, "csp.unsafe");
        bool ok_m = csp_rows[i].missing == NULL
                        ? passed(&t, "csp.missing")
                        : m != NULL && strcmp(m, csp_rows[i].missing) == 0;
        bool ok_u = csp_rows[i].unsafe == NULL
                        ? u == NULL
                        : u != NULL && strcmp(u, csp_rows[i].unsafe) == 0;
        bool ok_x = (found(&t, "xfo.missing") != NULL) == csp_rows[i].xfo;
        if (!ok_m || !ok_u || !ok_x) {
            fail_msg("CSP row %zu: missing '%s' unsafe '%s' xfo %d", i,
                     m != NULL ? m : "-", u != NULL ? u : "-",
                     found(&t, "xfo.missing") != NULL);
        }
        if (csp_rows[i].missing == NULL && csp_rows[i].unsafe == NULL &&
            !passed(&t, "csp.unsafe")) {
            fail_msg("CSP row %zu: csp.unsafe did not pass", i);
        }
        tw_free(&t);
    }
}

static const struct {
    const char *headers;
    const char *body;
    const char *evidence; /* of referrer.missing, NULL: passes */
} referrer_rows[] = {
    {"", "", ""},
    {"Referrer-Policy: no-referrer\r\n", "", NULL},
    {"Referrer-Policy: origin\r\n", "", NULL},
    {"Referrer-Policy: unsafe-url\r\n", "", "unsafe-url"},
    {"Referrer-Policy: no-referrer-when-downgrade\r\n", "",
     "no-referrer-when-downgrade"},
    {"Referrer-Policy: bogus\r\n", "", "bogus"},
    {"", "<meta name=referrer content=no-referrer>", NULL},
    {"", "<META NAME=\"Referrer\" CONTENT=\"never\">", NULL},
    {"Referrer-Policy: no-referrer\r\n",
     "<meta name=referrer content=unsafe-url>", "unsafe-url"},
    {"Referrer-Policy: unsafe-url\r\n",
     "<meta name=referrer content=strict-origin>", NULL},
};

static void referrer_policy_from_header_or_meta_must_be_safe(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(referrer_rows); i++) {
        struct tw t;
        tw_init(&t);
        resp_set(&t.c.home_https, 200, "text/html", referrer_rows[i].headers,
                 referrer_rows[i].body);
        tw_judge(&t);
        const char *ev = found(&t, "referrer.missing");
        if (referrer_rows[i].evidence == NULL
                ? !passed(&t, "referrer.missing")
                : (ev == NULL || strcmp(ev, referrer_rows[i].evidence) != 0)) {
            fail_msg("referrer row %zu: '%s'", i, ev != NULL ? ev : "passed");
        }
        tw_free(&t);
    }
}

static const struct {
    const char *https_cookies; /* Set-Cookie lines of the HTTPS page */
    const char *http_cookies;  /* of the plain-HTTP redirect */
    const char *no_secure;     /* evidence, NULL: passes */
    const char *no_httponly;
    const char *no_samesite;
} cookie_rows[] = {
    {"", "", NULL, NULL, NULL},
    {"Set-Cookie: sid=deleted; Max-Age=0\r\n"
     "Set-Cookie: sid=x; expires=Thu, 01 Jan 1970 00:00:00 GMT\r\n",
     "", NULL, NULL, NULL},
    {"Set-Cookie: csrftoken=x; Secure; SameSite=Lax\r\n", "", NULL, NULL, NULL},
    {"Set-Cookie: pref=x; Secure; SameSite=None\r\n", "", NULL, NULL, NULL},
    {"Set-Cookie: pref=x; SameSite=None\r\n", "", "pref", NULL, "pref"},
    {"Set-Cookie: PHPSESSID=x; secure; samesite=strict\r\n", "", NULL,
     "PHPSESSID", NULL},
    {"Set-Cookie: JSESSIONID=x; HttpOnly; SameSite=Wrong\r\n", "", "JSESSIONID",
     NULL, "JSESSIONID"},
    {"Set-Cookie: sid=x; Secure; HttpOnly; SameSite=Lax\r\n",
     "Set-Cookie: lang=en; Secure; SameSite=Lax\r\n", "lang (http)", NULL,
     NULL},
    {"Set-Cookie: a=1\r\nSet-Cookie: b=1\r\nSet-Cookie: a=2\r\n"
     "Set-Cookie: c=1\r\nSet-Cookie: d=1\r\nSet-Cookie: e=1\r\n"
     "Set-Cookie: f=1\r\nSet-Cookie: g=1\r\n",
     "", "a, b, c, d, e, f, ...", NULL, "a, b, c, d, e, f, ..."},
};

static void cookies_are_judged_by_flags_and_names(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(cookie_rows); i++) {
        struct tw t;
        char hdr[512];
        tw_init(&t);
        resp_set(&t.c.home_https, 200, "text/html",
                 cookie_rows[i].https_cookies, "");
        snprintf(hdr, sizeof hdr, "Location: https://news.example/\r\n%s",
                 cookie_rows[i].http_cookies);
        resp_set(&t.c.home_http, 301, "text/html", hdr, "");
        tw_judge(&t);
        const char *ids[3] = {"cookie.no_secure", "cookie.no_httponly",
                              "cookie.no_samesite"};
        const char *want[3] = {cookie_rows[i].no_secure,
                               cookie_rows[i].no_httponly,
                               cookie_rows[i].no_samesite};
        for (size_t k = 0; k < 3; k++) {
            const char *ev = found(&t, ids[k]);
            bool ok = want[k] == NULL ? passed(&t, ids[k])
                                      : ev != NULL && strcmp(ev, want[k]) == 0;
            if (!ok) {
                fail_msg("cookie row %zu, %s: '%s'", i, ids[k],
                         ev != NULL ? ev : "passed");
            }
        }
        tw_free(&t);
    }
}

static const struct {
    const char *body;
    const char *evidence; /* of content.mixed, NULL: passes */
} mixed_rows[] = {
    {GOOD_BODY, NULL},
    {"<img src=http://a/1.png><video src=http://a/v.mp4>", NULL},
    {"<script src=//cdn/a.js></script><script src=https://cdn/b.js>", NULL},
    {"<link rel=\"alternate stylesheet\" href=\"HTTP://cdn/a.css\">",
     "HTTP://cdn/a.css"},
    {"<link rel=preload href=http://cdn/a.css>", NULL},
    {"<iframe src=' http://video.example/embed'></iframe>",
     "http://video.example/embed"},
    {"<!-- <script src=http://old/a.js></script> -->", NULL},
    {"<script>var u = '<script src=http://x/a.js>';</script>", NULL},
    {"<script src=http://a/1.js></script><script src=http://a/1.js></script>"
     "<object data=http://a/f.swf></object><img src=http://a/i.png>",
     "http://a/1.js; http://a/f.swf; +1 passive"},
};

static void active_content_over_http_is_mixed(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(mixed_rows); i++) {
        struct tw t;
        tw_init(&t);
        resp_set(&t.c.home_https, 200, "text/html", GOOD_HEADERS,
                 mixed_rows[i].body);
        tw_judge(&t);
        const char *ev = found(&t, "content.mixed");
        if (mixed_rows[i].evidence == NULL
                ? !passed(&t, "content.mixed")
                : (ev == NULL || strcmp(ev, mixed_rows[i].evidence) != 0)) {
            fail_msg("mixed row %zu: '%s'", i, ev != NULL ? ev : "passed");
        }
        tw_free(&t);
    }
}

static void mixed_content_is_not_looked_for_in_other_types(void **state)
{
    struct tw t;

    (void)state;
    tw_init(&t);
    resp_set(&t.c.home_https, 200, "application/json", GOOD_HEADERS,
             "{\"a\": \"<script src=http://x/a.js>\"}");
    tw_judge(&t);
    assert_true(passed(&t, "content.mixed"));
    tw_free(&t);
}

static const struct {
    const char *headers;
    const char *server;  /* evidence, NULL: passes */
    const char *powered; /* evidence, NULL: passes */
} leak_rows[] = {
    {"Server: nginx\r\n", NULL, NULL},
    {"Server: cloudflare\r\n", NULL, NULL},
    {"Server: Apache/2.4.57 (Debian)\r\n", "Apache/2.4.57", NULL},
    {"Server: Microsoft-IIS/10.0\r\nX-Powered-By: ASP.NET\r\n"
     "X-AspNet-Version: 4.0.30319\r\n",
     "Microsoft-IIS/10.0", "ASP.NET, X-AspNet-Version: 4.0.30319"},
    {"X-Generator: Drupal 10 (https://www.drupal.org)\r\n", NULL,
     "X-Generator: Drupal 10 (https://www.drupal.org)"},
    {"X-Generator: Drupal\r\n", NULL, NULL},
    {"X-Powered-By:\r\n", NULL, NULL},
};

static void versions_in_headers_are_leaks(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(leak_rows); i++) {
        struct tw t;
        tw_init(&t);
        resp_set(&t.c.home_https, 200, "text/html", leak_rows[i].headers, "");
        resp_set(&t.c.home_http, 301, "text/html",
                 "Location: https://news.example/\r\n", "");
        tw_judge(&t);
        const char *s = found(&t, "leak.server_version");
        const char *p = found(&t, "leak.powered_by");
        bool ok_s = leak_rows[i].server == NULL
                        ? passed(&t, "leak.server_version")
                        : s != NULL && strcmp(s, leak_rows[i].server) == 0;
        bool ok_p = leak_rows[i].powered == NULL
                        ? passed(&t, "leak.powered_by")
                        : p != NULL && strcmp(p, leak_rows[i].powered) == 0;
        if (!ok_s || !ok_p) {
            fail_msg("leak row %zu: server '%s' powered '%s'", i,
                     s != NULL ? s : "-", p != NULL ? p : "-");
        }
        tw_free(&t);
    }
}

static void version_on_the_plain_http_redirect_leaks_too(void **state)
{
    struct tw t;

    (void)state;
    tw_init(&t);
    resp_set(&t.c.home_http, 301, "text/html",
             "Server: nginx/1.18.0\r\nLocation: https://news.example/\r\n", "");
    tw_judge(&t);
    assert_string_equal(found(&t, "leak.server_version"), "nginx/1.18.0");
    tw_free(&t);
}

static const struct {
    long status;
    const char *ctype;
    const char *body;
    const char *evidence; /* of securitytxt.missing, NULL: passes */
} sectxt_rows[] = {
    {200, "text/plain", "Contact: mailto:a@b.example\n", NULL},
    {200, "text/plain",
     "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n"
     "contact: https://b.example/report\n",
     NULL},
    {200, "text/html", "<html>Contact: x</html>", "text/html"},
    {200, "", "Contact: x\n", "no Content-Type"},
    {200, "text/plain", "\n <!DOCTYPE html><html></html>", "HTML"},
    {200, "text/plain", "Expires: 2031-01-01T00:00:00.000Z\n",
     "no Contact: field"},
    {200, "text/plain", "# Contact: mailto:a@b.example\n", "no Contact: field"},
    {404, "text/html", "<html>Not Found</html>", "HTTP 404"},
    {301, "text/html", "", "HTTP 301"},
};

static void security_txt_needs_a_contact_in_plain_text(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(sectxt_rows); i++) {
        struct tw t;
        tw_init(&t);
        resp_set(&t.sec, sectxt_rows[i].status, sectxt_rows[i].ctype, "",
                 sectxt_rows[i].body);
        tw_judge(&t);
        const char *ev = found(&t, "securitytxt.missing");
        if (sectxt_rows[i].evidence == NULL
                ? !passed(&t, "securitytxt.missing")
                : (ev == NULL || strcmp(ev, sectxt_rows[i].evidence) != 0)) {
            fail_msg("security.txt row %zu: '%s'", i,
                     ev != NULL ? ev : "passed");
        }
        tw_free(&t);
    }
}

static void security_txt_not_asked_records_nothing(void **state)
{
    struct tw t;

    (void)state;
    tw_init(&t);
    t.s.sectxt = NULL;
    tw_judge(&t);
    assert_true(silent(&t, "securitytxt.missing"));
    tw_free(&t);

    tw_init(&t);
    site_resp_clear(&t.sec);
    snprintf(t.sec.error, sizeof t.sec.error, "Connection reset");
    tw_judge(&t);
    assert_true(silent(&t, "securitytxt.missing"));
    tw_free(&t);
}

static void soft_404_site_gives_no_security_txt(void **state)
{
    struct tw t;
    static const char page[] =
        "<!DOCTYPE html><html><head><title>Home</title></head>"
        "<body>Every path answers with this page.</body></html>";

    (void)state;
    tw_init(&t);
    resp_set(&t.c.home_https, 200, "text/html", "Server: nginx\r\n", page);
    resp_set(&t.c.home_http, 200, "text/html", "Server: nginx\r\n", page);
    resp_set(&t.sec, 200, "text/html", "Server: nginx\r\n", page);
    tw_judge(&t);
    assert_string_equal(found(&t, "securitytxt.missing"), "text/html");
    assert_true(passed(&t, "content.mixed"));
    assert_true(passed(&t, "cookie.no_secure"));
    assert_true(passed(&t, "leak.server_version"));
    tw_free(&t);
}

static void malformed_chain_is_refused(void **state)
{
    struct tw t;

    (void)state;
    tw_init(&t);
    t.s.n_chain = 0;
    assert_int_equal(site_web_judge(&t.c, &t.s), KK_ERR_INVAL);
    t.s.n_chain = SITE_WEB_CHAIN_MAX + 1;
    assert_int_equal(site_web_judge(&t.c, &t.s), KK_ERR_INVAL);
    tw_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(well_kept_site_passes_every_check),
        cmocka_unit_test(neglected_site_raises_every_finding_it_deserves),
        cmocka_unit_test(site_without_https_is_judged_on_its_plain_page),
        cmocka_unit_test(plain_http_must_redirect_to_https_on_the_same_host),
        cmocka_unit_test(hsts_must_last_six_months),
        cmocka_unit_test(hsts_on_the_first_redirect_counts_for_the_chain),
        cmocka_unit_test(page_behind_another_host_is_not_judged),
        cmocka_unit_test(csp_and_framing_are_judged_on_the_page),
        cmocka_unit_test(referrer_policy_from_header_or_meta_must_be_safe),
        cmocka_unit_test(cookies_are_judged_by_flags_and_names),
        cmocka_unit_test(active_content_over_http_is_mixed),
        cmocka_unit_test(mixed_content_is_not_looked_for_in_other_types),
        cmocka_unit_test(versions_in_headers_are_leaks),
        cmocka_unit_test(version_on_the_plain_http_redirect_leaks_too),
        cmocka_unit_test(security_txt_needs_a_contact_in_plain_text),
        cmocka_unit_test(security_txt_not_asked_records_nothing),
        cmocka_unit_test(soft_404_site_gives_no_security_txt),
        cmocka_unit_test(malformed_chain_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
