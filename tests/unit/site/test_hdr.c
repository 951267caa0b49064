/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_hdr.c - unit tests of the website checker's header parsers
 * (lib/site/hdr.c): HSTS, Set-Cookie, session-cookie names, CSP,
 * Referrer-Policy, X-Frame-Options, X-Content-Type-Options, product
 * versions, evidence cleaning and redirect targets.  Table-driven: each row
 * is an input seen on real sites or a trap from the standards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hdr.h"

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))

static void header_block_yields_name_value_pairs(void **state)
{
    static const char block[] = "Server: nginx\r\n"
                                "Set-Cookie:  a=b  \r\n"
                                "  folded continuation\r\n"
                                "no colon here\r\n"
                                ": no name\r\n"
                                "X-Empty:\r\n"
                                "\r\n";
    struct kk_span s = kk_span_make(block, sizeof block - 1);
    const char *n;
    size_t nl;
    const char *v;
    size_t vl;

    (void)state;
    assert_true(site_hdr_next(&s, &n, &nl, &v, &vl));
    assert_true(site_hdr_name_is(n, nl, "server"));
    assert_int_equal(vl, 5);
    assert_memory_equal(v, "nginx", 5);
    assert_true(site_hdr_next(&s, &n, &nl, &v, &vl));
    assert_true(site_hdr_name_is(n, nl, "SET-COOKIE"));
    assert_int_equal(vl, 3);
    assert_memory_equal(v, "a=b", 3);
    assert_true(site_hdr_next(&s, &n, &nl, &v, &vl));
    assert_true(site_hdr_name_is(n, nl, "x-empty"));
    assert_int_equal(vl, 0);
    assert_false(site_hdr_next(&s, &n, &nl, &v, &vl));
}

static const struct {
    const char *v;
    bool valid;
    uint64_t max_age;
    bool sub;
    bool preload;
} hsts_rows[] = {
    {"max-age=31536000", true, 31536000, false, false},
    {"max-age=31536000; includeSubDomains; preload", true, 31536000, true,
     true},
    {"MAX-AGE=63072000;INCLUDESUBDOMAINS", true, 63072000, true, false},
    {"max-age=\"31536000\"", true, 31536000, false, false},
    {"max-age=\"3153\\6000\"", true, 31536000, false, false},
    {"max-age = 600", true, 600, false, false},
    {";;max-age=600;;", true, 600, false, false},
    {"max-age=600; foo=bar; baz; qux=\"a;b\"", true, 600, false, false},
    {"max-age=0", true, 0, false, false},
    {"max-age=99999999999999999999999999", true, UINT64_MAX, false, false},
    /* Invalid: the header is ignored by browsers. */
    {"max-age=31536000; max-age=1", false, 0, false, false},
    {"max-age=600; includeSubDomains; includeSubDomains", false, 0, false,
     false},
    {"includeSubDomains", false, 0, false, false},
    {"max-age=", false, 0, false, false},
    {"max-age", false, 0, false, false},
    {"max-age=abc", false, 0, false, false},
    {"max-age=-1", false, 0, false, false},
    {"max-age=1.5", false, 0, false, false},
    {"max-age=\"600", false, 0, false, false},
    {"max-age=\"\"", false, 0, false, false},
    {"max-age=600 includeSubDomains", false, 0, false, false},
    {"max-age=600, max-age=700", false, 0, false, false},
    {"=600", false, 0, false, false},
    {"", false, 0, false, false},
};

static void hsts_variants_are_read_as_browsers_read_them(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(hsts_rows); i++) {
        struct site_hsts h;
        site_hsts_parse(hsts_rows[i].v, strlen(hsts_rows[i].v), &h);
        if (h.valid != hsts_rows[i].valid ||
            h.max_age != hsts_rows[i].max_age ||
            h.include_subdomains != hsts_rows[i].sub ||
            h.preload != hsts_rows[i].preload) {
            fail_msg("HSTS row %zu '%s': valid %d max-age %llu", i,
                     hsts_rows[i].v, h.valid, (unsigned long long)h.max_age);
        }
    }
}

static const struct {
    const char *v;
    const char *name;
    bool secure;
    bool httponly;
    enum site_samesite samesite;
    bool deletes; /* in 2026 */
} cookie_rows[] = {
    {"sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax", "sid", true, true,
     SITE_SAMESITE_LAX, false},
    {"SID=abc; secure; HTTPONLY; samesite=STRICT", "SID", true, true,
     SITE_SAMESITE_STRICT, false},
    {"a=b; Secure=false", "a", true, false, SITE_SAMESITE_ABSENT, false},
    {"a=b;SameSite=None;Secure", "a", true, false, SITE_SAMESITE_NONE, false},
    {"a=b; SameSite=Bogus", "a", false, false, SITE_SAMESITE_INVALID, false},
    {"a=b; SameSite", "a", false, false, SITE_SAMESITE_INVALID, false},
    {"a=b; SameSite=Strict; SameSite=None", "a", false, false,
     SITE_SAMESITE_NONE, false},
    {"a=b; Path=/secure; Domain=httponly.example", "a", false, false,
     SITE_SAMESITE_ABSENT, false},
    {"novalue; Secure", "", true, false, SITE_SAMESITE_ABSENT, false},
    {"  spaced name  = v ; HttpOnly", "spaced name", false, true,
     SITE_SAMESITE_ABSENT, false},
    /* A quote does not protect a ';': the attribute is 'Secure"'. */
    {"x=\"q;Secure\"", "x", false, false, SITE_SAMESITE_ABSENT, false},
    {"x=1; Max-Age=0", "x", false, false, SITE_SAMESITE_ABSENT, true},
    {"x=1; Max-Age=-5", "x", false, false, SITE_SAMESITE_ABSENT, true},
    {"x=1; Max-Age=abc; Expires=Thu, 01 Jan 1970 00:00:00 GMT", "x", false,
     false, SITE_SAMESITE_ABSENT, true},
    {"x=1; Max-Age=3600; Expires=Thu, 01 Jan 1970 00:00:00 GMT", "x", false,
     false, SITE_SAMESITE_ABSENT, false},
    {"x=deleted; expires=Thu, 01-Jan-1970 00:00:01 GMT", "x", false, false,
     SITE_SAMESITE_ABSENT, true},
    {"x=1; expires=Fri, 01-Jan-2099 00:00:01 GMT", "x", false, false,
     SITE_SAMESITE_ABSENT, false},
    {"x=1; expires=garbage", "x", false, false, SITE_SAMESITE_ABSENT, false},
    {"na\x01me=v", "na?me", false, false, SITE_SAMESITE_ABSENT, false},
    {"", "", false, false, SITE_SAMESITE_ABSENT, false},
};

static void cookie_attributes_are_matched_without_regard_to_case(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(cookie_rows); i++) {
        struct site_cookie ck;
        site_cookie_parse(cookie_rows[i].v, strlen(cookie_rows[i].v), &ck);
        if (strcmp(ck.name, cookie_rows[i].name) != 0 ||
            ck.secure != cookie_rows[i].secure ||
            ck.httponly != cookie_rows[i].httponly ||
            ck.samesite != cookie_rows[i].samesite ||
            site_cookie_deletes(&ck, 2026) != cookie_rows[i].deletes) {
            fail_msg("cookie row %zu '%s': name '%s' secure %d httponly %d "
                     "samesite %d",
                     i, cookie_rows[i].v, ck.name, ck.secure, ck.httponly,
                     (int)ck.samesite);
        }
    }
}

static void cookie_name_is_cut_and_never_holds_the_value(void **state)
{
    char v[300];
    struct site_cookie ck;

    (void)state;
    memset(v, 'n', 200);
    memcpy(v + 200, "=secretvalue", 13);
    site_cookie_parse(v, strlen(v), &ck);
    assert_true(strlen(ck.name) <= SITE_COOKIE_NAME_MAX);
    assert_null(strstr(ck.name, "secret"));
    assert_non_null(strstr(ck.name, "..."));
    /* Parsing stops at the given length, not at a NUL. */
    site_cookie_parse("a=b; Secure", 3, &ck);
    assert_string_equal(ck.name, "a");
    assert_false(ck.secure);
}

static const struct {
    const char *name;
    bool session;
} session_rows[] = {
    {"PHPSESSID", true},
    {"phpsessid", true},
    {"JSESSIONID", true},
    {"ASP.NET_SessionId", true},
    {"laravel_session", true},
    {"ci_session", true},
    {"sessionid", true},
    {"SESS1234abcd", true},
    {"wordpress_logged_in_5d41", true},
    {"wordpress_sec_5d41", true},
    {"wordpress_5d41", true},
    {"connect.sid", true},
    {"sid", true},
    {"__Host-sid", true},
    {"SSID", true},
    {"CFID", true},
    {"CFTOKEN", true},
    {"remember_web_59ba36", true},
    {"auth_token", true},
    {"jwt", true},
    {"wordpress_test_cookie", false},
    {"sidebar", false},
    {"csrftoken", false},
    {"XSRF-TOKEN", false},
    {"csrf_session_guard", false},
    {"_ga", false},
    {"lang", false},
    {"wp-settings-1", false},
    {"pll_language", false},
    {"", false},
};

static void session_cookie_names_are_recognised(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(session_rows); i++) {
        if (site_cookie_is_session(session_rows[i].name) !=
            session_rows[i].session) {
            fail_msg("session row %zu '%s'", i, session_rows[i].name);
        }
    }
}

static const struct {
    const char *p;
    bool meta;
    bool present;
    bool safe;
    bool frame;
    const char *why; /* a part of the reason, or NULL */
} csp_rows[] = {
    /* The fixture's good and soon sites. */
    {"default-src 'self'; object-src 'none'; base-uri 'none'; "
     "frame-ancestors 'none'; form-action 'self'",
     false, true, true, true, NULL},
    {"default-src 'self'; script-src 'self' 'unsafe-inline'; "
     "frame-ancestors 'none'",
     false, true, false, true, "script-src 'unsafe-inline'"},
    /* Unsafe script sources. */
    {"script-src 'unsafe-inline'", false, true, false, false,
     "'unsafe-inline'"},
    {"script-src data:", false, true, false, false, "data:"},
    {"script-src http:", false, true, false, false, "http:"},
    {"script-src ftp:", false, true, false, false, "ftp:"},
    {"script-src https:", false, true, false, false, "https:"},
    {"script-src https://mozilla.org https:", false, true, false, false,
     "https:"},
    {"default-src 'UNSAFE-INLINE'", false, true, false, false, "default-src"},
    {"default-src 'none'; script-src *", false, true, false, false,
     "script-src *"},
    {"default-src *; script-src *; object-src 'none'", false, true, false,
     false, "*"},
    {"default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'", false,
     true, false, false, "'unsafe-eval' 'unsafe-inline'"},
    {"default-src 'none'; script-src 'unsafe-eval'", false, true, false, false,
     "'unsafe-eval'"},
    {"default-src 'none'; script-src https://*", false, true, false, false,
     "https://*"},
    {"default-src *.com", false, true, false, false, "*.com"},
    {"upgrade-insecure-requests", false, true, false, false,
     "no script-src or default-src"},
    {"frame-ancestors *", false, true, false, false, NULL},
    {"frame-ancestors https:", false, true, false, false, NULL},
    {"default-src 'self'; script-src-attr 'unsafe-inline'", false, true, false,
     false, "script-src-attr 'unsafe-inline'"},
    {"script-src-elem 'self'", false, true, false, false, "no script-src-attr"},
    /* Safe, some only because browsers neutralise a source. */
    {"script-src 'none'", false, true, true, false, NULL},
    {"default-src https://mozilla.org", false, true, true, false, NULL},
    {"default-src https://mozilla.org;;; ;;;script-src 'none'", false, true,
     true, false, NULL},
    {"default-src *.example.com", false, true, true, false, NULL},
    {"object-src 'none'; script-src 'strict-dynamic' 'nonce-abc' "
     "'unsafe-inline'; style-src 'none'",
     false, true, true, false, NULL},
    {"script-src 'unsafe-inline' "
     "'sha256-hqBEA/HXB3aJU2FgOnYN8rkAgEVgyfi3Vs1j2/XMPBA='",
     false, true, true, false, NULL},
    {"script-src 'unsafe-inline' 'NONCE-abc'", false, true, true, false, NULL},
    /* 'strict-dynamic' alone: inline and hosts ignored, nothing runs. */
    {"script-src 'strict-dynamic' 'unsafe-inline' https:", false, true, true,
     false, NULL},
    {"default-src 'none'; script-src 'strict-dynamic' 'sha256-abc123' "
     "https://*",
     false, true, true, false, NULL},
    {"default-src 'unsafe-inline'; script-src https://mozilla.org", false, true,
     true, false, NULL},
    {"default-src 'none'; script-src 'self'; script-src 'unsafe-inline'", false,
     true, true, false, NULL},
    {"Script-Src 'self'", false, true, true, false, NULL},
    {"default-src *; frame-ancestors 'none'", false, true, false, true, NULL},
    {"default-src 'self'; frame-ancestors", false, true, true, true, NULL},
    /* A non-ASCII directive is skipped: default-src then applies. */
    {"script-src * \xc3\xa9; default-src 'self'", false, true, true, false,
     NULL},
    /* Not a policy at all. */
    {"defa", false, false, false, false, NULL},
    {"", false, false, false, false, NULL},
    {"   ;  ; ", false, false, false, false, NULL},
    /* <meta> ignores frame-ancestors, report-uri and sandbox. */
    {"frame-ancestors 'none'", true, false, false, false, NULL},
    {"default-src 'self'; frame-ancestors 'none'", true, true, true, false,
     NULL},
};

static void csp_policies_are_judged_by_the_script_rule(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(csp_rows); i++) {
        struct site_csp_policy pol;
        site_csp_policy_judge(csp_rows[i].p, strlen(csp_rows[i].p),
                              csp_rows[i].meta, &pol);
        if (pol.present != csp_rows[i].present ||
            pol.scripts_safe != csp_rows[i].safe ||
            pol.frame_ancestors != csp_rows[i].frame ||
            (csp_rows[i].why != NULL &&
             strstr(pol.why, csp_rows[i].why) == NULL)) {
            fail_msg("CSP row %zu '%s': present %d safe %d frame %d why '%s'",
                     i, csp_rows[i].p, pol.present, pol.scripts_safe,
                     pol.frame_ancestors, pol.why);
        }
    }
}

static void csp_policies_of_a_page_all_apply(void **state)
{
    struct site_csp csp;
    static const char two[] = "default-src 'none', script-src *";
    static const char none_safe[] = "script-src *, img-src 'self'";
    static const char junk[] = "defa, xyz";

    (void)state;
    site_csp_init(&csp);
    site_csp_add(&csp, two, strlen(two), false);
    assert_int_equal(csp.n_policies, 2);
    assert_true(csp.scripts_safe);

    site_csp_init(&csp);
    site_csp_add(&csp, none_safe, strlen(none_safe), false);
    assert_int_equal(csp.n_policies, 2);
    assert_false(csp.scripts_safe);
    assert_string_equal(csp.why, "script-src *");

    site_csp_init(&csp);
    site_csp_add(&csp, junk, strlen(junk), false);
    assert_int_equal(csp.n_policies, 0);

    /* A header and a <meta>: framing is restricted by the header only. */
    site_csp_init(&csp);
    site_csp_add(&csp, "img-src 'self'", 14, false);
    site_csp_add(&csp, "default-src 'self'; frame-ancestors 'none'", 42, true);
    assert_int_equal(csp.n_policies, 2);
    assert_true(csp.scripts_safe);
    assert_false(csp.frame_ancestors);
}

static const struct {
    const char *v;
    bool legacy;
    enum site_referrer r;
} referrer_rows[] = {
    {"no-referrer", false, SITE_REFERRER_NO_REFERRER},
    {"  same-origin  ", false, SITE_REFERRER_SAME_ORIGIN},
    {"STRICT-ORIGIN-WHEN-CROSS-ORIGIN", false,
     SITE_REFERRER_STRICT_ORIGIN_WHEN_CROSS_ORIGIN},
    {"unsafe-url", false, SITE_REFERRER_UNSAFE_URL},
    {"no-referrer, unsafe-url", false, SITE_REFERRER_UNSAFE_URL},
    {"unsafe-url, no-referrer", false, SITE_REFERRER_NO_REFERRER},
    {"unsafe-url, foo", false, SITE_REFERRER_UNSAFE_URL},
    {"no-referrer-when-downgrade", false,
     SITE_REFERRER_NO_REFERRER_WHEN_DOWNGRADE},
    {"never", false, SITE_REFERRER_UNSET},
    {"never", true, SITE_REFERRER_NO_REFERRER},
    {"always", true, SITE_REFERRER_UNSAFE_URL},
    {"origin-when-crossorigin", true, SITE_REFERRER_ORIGIN_WHEN_CROSS_ORIGIN},
    {"", false, SITE_REFERRER_UNSET},
    {"nope", false, SITE_REFERRER_UNSET},
};

static void referrer_policy_takes_the_last_known_token(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(referrer_rows); i++) {
        enum site_referrer r =
            site_referrer_parse(referrer_rows[i].v, strlen(referrer_rows[i].v),
                                referrer_rows[i].legacy);
        if (r != referrer_rows[i].r) {
            fail_msg("referrer row %zu '%s': %d", i, referrer_rows[i].v,
                     (int)r);
        }
    }
    assert_true(site_referrer_unsafe(SITE_REFERRER_UNSAFE_URL));
    assert_true(site_referrer_unsafe(SITE_REFERRER_NO_REFERRER_WHEN_DOWNGRADE));
    assert_false(site_referrer_unsafe(SITE_REFERRER_ORIGIN));
    assert_false(site_referrer_unsafe(SITE_REFERRER_UNSET));
}

static const struct {
    const char *v;
    enum site_xfo x;
} xfo_rows[] = {
    {"DENY", SITE_XFO_DENY},
    {"sameorigin", SITE_XFO_SAMEORIGIN},
    {" Deny ", SITE_XFO_DENY},
    {"DENY, DENY", SITE_XFO_DENY},
    {"DENY,SAMEORIGIN", SITE_XFO_CONFLICT},
    {"deny,", SITE_XFO_CONFLICT},
    {"ALLOW-FROM https://example.org", SITE_XFO_NONE},
    {"ALLOWALL", SITE_XFO_NONE},
    {"foo, bar", SITE_XFO_NONE},
    {"foo, foo", SITE_XFO_NONE},
    {"", SITE_XFO_NONE},
};

static void frame_options_follow_the_html_processing_model(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(xfo_rows); i++) {
        enum site_xfo x = site_xfo_parse(xfo_rows[i].v, strlen(xfo_rows[i].v));
        if (x != xfo_rows[i].x) {
            fail_msg("XFO row %zu '%s': %d", i, xfo_rows[i].v, (int)x);
        }
    }
}

static void nosniff_is_the_first_list_item(void **state)
{
    (void)state;
    assert_true(site_xcto_nosniff("nosniff", 7));
    assert_true(site_xcto_nosniff("NoSniff", 7));
    assert_true(site_xcto_nosniff(" nosniff ", 9));
    assert_true(site_xcto_nosniff("nosniff, foo", 12));
    assert_false(site_xcto_nosniff("foo, nosniff", 12));
    assert_false(site_xcto_nosniff("no-sniff", 8));
    assert_false(site_xcto_nosniff("", 0));
}

static const struct {
    const char *v;
    const char *want; /* NULL: no version */
} version_rows[] = {
    {"nginx/1.22.1", "nginx/1.22.1"},
    {"Apache/2.4.57 (Debian)", "Apache/2.4.57"},
    {"Microsoft-IIS/10.0", "Microsoft-IIS/10.0"},
    {"openresty/1.21.4.1", "openresty/1.21.4.1"},
    {"Apache/2.4.41 (Ubuntu) OpenSSL/1.1.1f", "Apache/2.4.41"},
    {"Apache (Debian) PHP/8.2.7", "PHP/8.2.7"},
    {"LiteSpeed/6.1", "LiteSpeed/6.1"},
    {"nginx", NULL},
    {"cloudflare", NULL},
    {"LiteSpeed", NULL},
    {"Apache/2", NULL},
    {"nginx/1.x", NULL},
    /* A long token keeps its version (found by fuzzing). */
    {"Server-with-a-very-long-product-name-padding-padding/1.22.1.0000000000"
     "00000000000000",
     "a-very-long-product-name-padding-padding/1.22.1.0000000000000"},
    {"/1.2", NULL},
    {"", NULL},
};

static void server_versions_are_found_only_with_major_and_minor(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(version_rows); i++) {
        char out[80] = "";
        bool got = site_hdr_product_version(
            version_rows[i].v, strlen(version_rows[i].v), out, sizeof out);
        if (got != (version_rows[i].want != NULL) ||
            (got && strcmp(out, version_rows[i].want) != 0)) {
            fail_msg("version row %zu '%s': '%s'", i, version_rows[i].v, out);
        }
    }
    assert_true(site_hdr_has_number("Drupal 10", 9));
    assert_false(site_hdr_has_number("Joomla! CMS", 11));
}

static void evidence_is_cleaned_and_cut(void **state)
{
    char out[16];

    (void)state;
    site_hdr_clean("a\x01\xc3\xa9z", 5, 40, out, sizeof out);
    assert_string_equal(out, "a???z");
    site_hdr_clean("0123456789abcdefghij", 20, 10, out, sizeof out);
    assert_string_equal(out, "0123456...");
    site_hdr_clean("0123456789abcdefghij", 20, 100, out, sizeof out);
    assert_int_equal(strlen(out), 15);
    assert_string_equal(out + 12, "...");
}

static const struct {
    const char *loc;
    const char *base;
    int rc;
    const char *scheme;
    const char *host;
    const char *path;
} url_rows[] = {
    {"https://good.kalkan.test:8443/", "/", KK_OK, "https", "good.kalkan.test",
     "/"},
    {"HTTPS://Good.Kalkan.Test", "/", KK_OK, "https", "good.kalkan.test", "/"},
    {"https://good.kalkan.test:8443?x=1", "/", KK_OK, "https",
     "good.kalkan.test", "/?x=1"},
    {"http://news.example/en/#top", "/", KK_OK, "http", "news.example", "/en/"},
    {"https://example.org./", "/", KK_OK, "https", "example.org", "/"},
    {"https://user:pw@host.example/x", "/", KK_OK, "https", "host.example",
     "/x"},
    {"https://[::1]:8443/", "/", KK_OK, "https", "[::1]", "/"},
    {"//cdn.example.net/a", "/", KK_OK, "", "cdn.example.net", "/a"},
    {"/author/admin/", "/", KK_OK, "", "", "/author/admin/"},
    {"  /spaced  ", "/", KK_OK, "", "", "/spaced"},
    {"page.html", "/a/b.html", KK_OK, "", "", "/a/page.html"},
    {"?p=2", "/a/b?x", KK_OK, "", "", "/a/b?p=2"},
    {"/a b", "/", KK_OK, "", "", "/a%20b"},
    {"/\xd0\xbd", "/", KK_OK, "", "", "/%D0%BD"},
    {"ftp://x/", "/", KK_ERR_INVAL, NULL, NULL, NULL},
    {"javascript:alert(1)", "/", KK_ERR_INVAL, NULL, NULL, NULL},
    {"https:/one-slash", "/", KK_ERR_INVAL, NULL, NULL, NULL},
    {"https://", "/", KK_ERR_INVAL, NULL, NULL, NULL},
    {"https://[::1/", "/", KK_ERR_INVAL, NULL, NULL, NULL},
    {"", "/", KK_ERR_INVAL, NULL, NULL, NULL},
    {"#only", "/", KK_ERR_INVAL, NULL, NULL, NULL},
    {"/a\x01z", "/", KK_ERR_INVAL, NULL, NULL, NULL},
};

static void redirect_targets_are_split_and_resolved(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(url_rows); i++) {
        struct site_url u;
        int rc = site_url_parse(url_rows[i].loc, url_rows[i].base, &u);
        if (rc != url_rows[i].rc) {
            fail_msg("URL row %zu '%s': rc %d", i, url_rows[i].loc, rc);
        }
        if (rc == KK_OK && (strcmp(u.scheme, url_rows[i].scheme) != 0 ||
                            strcmp(u.host, url_rows[i].host) != 0 ||
                            strcmp(u.path, url_rows[i].path) != 0)) {
            fail_msg("URL row %zu '%s': '%s' '%s' '%s'", i, url_rows[i].loc,
                     u.scheme, u.host, u.path);
        }
    }
}

static void overlong_redirect_target_is_refused(void **state)
{
    static char loc[KK_SITE_URL_MAX + 10];
    struct site_url u;

    (void)state;
    loc[0] = '/';
    memset(loc + 1, 'a', sizeof loc - 2);
    loc[sizeof loc - 1] = '\0';
    assert_int_equal(site_url_parse(loc, "/", &u), KK_ERR_TRUNC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_block_yields_name_value_pairs),
        cmocka_unit_test(hsts_variants_are_read_as_browsers_read_them),
        cmocka_unit_test(cookie_attributes_are_matched_without_regard_to_case),
        cmocka_unit_test(cookie_name_is_cut_and_never_holds_the_value),
        cmocka_unit_test(session_cookie_names_are_recognised),
        cmocka_unit_test(csp_policies_are_judged_by_the_script_rule),
        cmocka_unit_test(csp_policies_of_a_page_all_apply),
        cmocka_unit_test(referrer_policy_takes_the_last_known_token),
        cmocka_unit_test(frame_options_follow_the_html_processing_model),
        cmocka_unit_test(nosniff_is_the_first_list_item),
        cmocka_unit_test(server_versions_are_found_only_with_major_and_minor),
        cmocka_unit_test(evidence_is_cleaned_and_cut),
        cmocka_unit_test(redirect_targets_are_split_and_resolved),
        cmocka_unit_test(overlong_redirect_target_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
