/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hdr.h - parsers of the HTTP response headers the website checker judges
 * (hdr.c): Strict-Transport-Security, Set-Cookie, Content-Security-Policy,
 * Referrer-Policy, X-Frame-Options, X-Content-Type-Options, version
 * numbers in Server and X-Powered-By, and redirect targets.
 *
 * Every input is untrusted bytes from the checked site.  The parsers read
 * at most the length they are given, never allocate, never recurse, and
 * write only into caller-owned fixed-size results; a value that does not
 * follow the grammar gives a defined verdict ("invalid"), never an error
 * path that could skip a check.  All functions are pure and thread-safe.
 */
#ifndef KALKAN_SITE_HDR_H
#define KALKAN_SITE_HDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kalkan/kk.h"

/* ---- Iterating a header block ---- */

/*
 * The next "Name: value" line of a header block (http.c's layout), with
 * the value trimmed of blanks.  name/value borrow from the block.  Lines
 * without a colon (a status line, obsolete folding) are skipped.  Returns
 * false at the end.  O(length of the block) over a whole iteration.
 */
bool site_hdr_next(struct kk_span *s, const char **name, size_t *name_len,
                   const char **value, size_t *value_len);

/* True when the name of len bytes equals want, ignoring ASCII case. */
bool site_hdr_name_is(const char *name, size_t len, const char *want);

/* ---- Strict-Transport-Security (RFC 6797 section 6.1) ---- */

struct site_hsts {
    bool valid;       /* the grammar holds and max-age is present once */
    uint64_t max_age; /* seconds, saturated at UINT64_MAX */
    bool include_subdomains;
    bool preload;
};

/*
 * Parses one header value of len bytes.  Directive names are matched
 * without regard to case, values may be quoted-strings, empty directives
 * (";;") are allowed, unknown directives are ignored when well formed.  A
 * duplicated directive, a malformed one, or a missing or non-numeric
 * max-age makes the header invalid, as section 6.1 tells browsers to
 * ignore such a header.  Always fills *out.
 */
void site_hsts_parse(const char *v, size_t len, struct site_hsts *out);

/* ---- Set-Cookie (RFC 6265 section 5.2) ---- */

#define SITE_COOKIE_NAME_MAX 64 /* bytes of a cookie name kept */

enum site_samesite {
    SITE_SAMESITE_ABSENT = 0,
    SITE_SAMESITE_NONE = 1,
    SITE_SAMESITE_LAX = 2,
    SITE_SAMESITE_STRICT = 3,
    SITE_SAMESITE_INVALID = 4, /* present with another value */
};

struct site_cookie {
    /* The name, cut to fit, bytes outside printable ASCII replaced by
     * '?'; "" for a nameless cookie.  Never the value. */
    char name[SITE_COOKIE_NAME_MAX + 1];
    bool secure;
    bool httponly;
    enum site_samesite samesite;
    bool has_max_age;
    int64_t max_age;  /* seconds; <= 0 deletes the cookie */
    int expires_year; /* year of Expires, 0 when absent or unreadable */
};

/*
 * Parses one Set-Cookie value of len bytes.  Attribute names are matched
 * without regard to case and their values trimmed; "Secure=yes" still
 * sets Secure, as browsers ignore the value of a flag.  A later attribute
 * of the same name overrides an earlier one.  Always fills *out.
 */
void site_cookie_parse(const char *v, size_t len, struct site_cookie *out);

/*
 * True when the cookie deletes itself (Max-Age <= 0, or without Max-Age
 * an Expires year before now_year): such a cookie is not judged.
 */
bool site_cookie_deletes(const struct site_cookie *ck, int now_year);

/*
 * True when name looks like a session or login cookie, whose theft is a
 * stolen login.  The list (see hdr.c) covers PHP, Java, ASP.NET,
 * WordPress, Drupal, Laravel, CodeIgniter, Django, Express and generic
 * names with sess, auth, token, login or jwt; names with csrf or xsrf are
 * excluded, as those are meant to be read by the page's own scripts.
 */
bool site_cookie_is_session(const char *name);

/* ---- Content-Security-Policy (CSP Level 3) ---- */

#define SITE_CSP_WHY_MAX 96

/* The verdict on one policy. */
struct site_csp_policy {
    bool present;         /* at least one known directive */
    bool scripts_safe;    /* the script rule of hdr.c holds */
    bool frame_ancestors; /* frame-ancestors set, without a broad source */
    /* Why scripts are not safe: "script-src 'unsafe-inline'",
     * "default-src *", "no script-src or default-src". */
    char why[SITE_CSP_WHY_MAX];
};

/*
 * Judges one policy (no commas) of len bytes.  from_meta: the policy came
 * from <meta http-equiv>, where browsers ignore frame-ancestors, sandbox
 * and report-uri.  Always fills *out.
 */
void site_csp_policy_judge(const char *p, size_t len, bool from_meta,
                           struct site_csp_policy *out);

/* The verdict on every policy a page enforces. */
struct site_csp {
    unsigned n_policies;        /* policies with a known directive */
    bool scripts_safe;          /* some policy restricts scripts safely */
    bool frame_ancestors;       /* some header policy restricts framing */
    char why[SITE_CSP_WHY_MAX]; /* the first unsafe policy's reason */
};

/* An empty verdict: no policy seen. */
void site_csp_init(struct site_csp *csp);
/*
 * Adds one Content-Security-Policy value of len bytes: a comma-separated
 * list of policies, each judged by site_csp_policy_judge.  All enforced
 * policies apply at once (a script must pass every one), so the page's
 * scripts are safe as soon as one policy makes them so.
 */
void site_csp_add(struct site_csp *csp, const char *v, size_t len,
                  bool from_meta);

/* ---- Referrer-Policy, X-Frame-Options, X-Content-Type-Options ---- */

enum site_referrer {
    SITE_REFERRER_UNSET = 0, /* absent, or no token recognised */
    SITE_REFERRER_NO_REFERRER,
    SITE_REFERRER_NO_REFERRER_WHEN_DOWNGRADE,
    SITE_REFERRER_SAME_ORIGIN,
    SITE_REFERRER_ORIGIN,
    SITE_REFERRER_STRICT_ORIGIN,
    SITE_REFERRER_ORIGIN_WHEN_CROSS_ORIGIN,
    SITE_REFERRER_STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
    SITE_REFERRER_UNSAFE_URL,
};

/*
 * The policy of a Referrer-Policy value (a comma-separated list: the last
 * recognised token wins, as in the Referrer Policy specification).
 * legacy: also accept the old <meta name=referrer> keywords never,
 * always, default and origin-when-crossorigin.
 */
enum site_referrer site_referrer_parse(const char *v, size_t len, bool legacy);
/* True for a policy that sends the full address to other sites or over
 * plain HTTP: unsafe-url and no-referrer-when-downgrade. */
bool site_referrer_unsafe(enum site_referrer r);

enum site_xfo {
    SITE_XFO_NONE = 0, /* absent, ALLOW-FROM, ALLOWALL or unknown */
    SITE_XFO_DENY,
    SITE_XFO_SAMEORIGIN,
    SITE_XFO_CONFLICT, /* several values: browsers then refuse framing */
};

/* The X-Frame-Options verdict of a value (several headers joined with
 * commas), following the HTML standard's processing model. */
enum site_xfo site_xfo_parse(const char *v, size_t len);

/* True when X-Content-Type-Options is "nosniff" (first list item, any
 * case), as browsers read it. */
bool site_xcto_nosniff(const char *v, size_t len);

/* ---- Versions in Server, X-Powered-By, X-Generator ---- */

/*
 * Finds the first "product/version" token whose version starts with a
 * digit and has at least a major and a minor number ("nginx/1.22.1",
 * "Apache/2.4.57", "Microsoft-IIS/10.0", "PHP/7.4.3") and copies it,
 * printable ASCII only and at most the last 40 bytes of the product and
 * the first 20 of the version, into out.  Returns false when there is none
 * ("nginx", "cloudflare", "Apache/2").
 */
bool site_hdr_product_version(const char *v, size_t len, char *out, size_t cap);

/* True when the value contains a digit ("Drupal 9", "WordPress 6.4"). */
bool site_hdr_has_number(const char *v, size_t len);

/*
 * Copies at most max bytes of v into out (cap bytes), replacing bytes
 * outside printable ASCII with '?' and marking a cut with "...": for
 * evidence taken from untrusted headers.
 */
void site_hdr_clean(const char *v, size_t len, size_t max, char *out,
                    size_t cap);

/* ---- Redirect targets ---- */

struct site_url {
    char scheme[8];             /* "http", "https", "" when relative */
    char host[256];             /* lower case, no port, "" when relative */
    char path[KK_SITE_URL_MAX]; /* starts with "/" */
};

/*
 * Splits a Location value: absolute ("https://host:8443/p?q"),
 * scheme-relative ("//host/p"), absolute-path ("/p") or relative ("p",
 * resolved against base_path's directory).  KK_ERR_INVAL for an empty or
 * unusable value or a scheme other than http and https; KK_ERR_TRUNC when
 * a part does not fit.  *out is set only on success.
 */
int site_url_parse(const char *loc, const char *base_path,
                   struct site_url *out);

#endif
