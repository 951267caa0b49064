/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * exposure.h - shared between exposure.c and cms.c: the content verifiers
 * of exposed files, CMS fingerprints and version numbers, the list of
 * current CMS releases, the WordPress answers, and the request budget of
 * the exposure stage.
 *
 * Every function taking (p, n) reads exactly n bytes of untrusted data,
 * which may contain NUL bytes and need not be NUL-terminated; none keeps a
 * pointer into them.  All are pure and thread-safe unless said otherwise.
 */
#ifndef KALKAN_SITE_EXPOSURE_H
#define KALKAN_SITE_EXPOSURE_H

#include <stdbool.h>
#include <stddef.h>

#include "site_int.h"
#include "site_texts.h"

/* Requests the exposure stage may spend (of KK_SITE_HTTP_MAX per site). */
#define SITE_EXP_REQUESTS_MAX 45

/* ---- Exposed files: content verifiers ---- */

/* "ref: refs/heads/..." or a 40 (or 64) hex object id, alone. */
bool site_exp_git_head(const char *p, size_t n);
/* A git config file: a "[core]" section with "key = value" lines. */
bool site_exp_git_config(const char *p, size_t n);
/* A dotenv file: at least two KEY=VALUE lines, one with a typical key
 * (APP_, DB_, PASSWORD, SECRET, KEY, TOKEN...), mostly such lines, not
 * HTML. */
bool site_exp_env(const char *p, size_t n);
/* PHP configuration source (define(, DB_PASSWORD, $db..., $password...)
 * after "<?php", or a vim swap file of one; not an HTML page. */
bool site_exp_config_backup(const char *p, size_t n);
/* An SQL dump: a dump banner, CREATE TABLE or INSERT INTO near the start;
 * not HTML, not binary. */
bool site_exp_db_dump(const char *p, size_t n);
/* A PHP error log: its first line is a PHP log line ("[12-May-2024
 * 08:14:03 UTC] PHP Warning:  ..." or "PHP Fatal error:  ..."). */
bool site_exp_debug_log(const char *p, size_t n);
/* The page of phpinfo(): a title with "phpinfo()" and "PHP Version". */
bool site_exp_phpinfo(const char *p, size_t n);
/* A directory index (nginx, Apache, LiteSpeed, lighttpd): an "Index of /"
 * title and a listing marker (a "../" link, "Parent Directory", Apache's
 * sort links, a listing table). */
bool site_exp_dir_listing(const char *p, size_t n);
/* The offset of the first case-insensitive occurrence of needle (ASCII)
 * in the n bytes at p, or n when there is none.  O(n * strlen(needle)). */
size_t site_exp_find(const char *p, size_t n, const char *needle);
/* Whether the start of p is an HTML page (a doctype or <html>, <head>,
 * <body> or <title> in the first 8 KiB). */
bool site_exp_is_html(const char *p, size_t n);
/*
 * The i-th (0-based) distinct directory, on this site, of a src= or href=
 * of the HTML page p: "/wp-content/uploads/2024/05/" for a link to
 * "/wp-content/uploads/2024/05/a.pdf" or to "https://HOST[:port]/...",
 * where HOST is host.  Only directories containing "/uploads/", "/files/",
 * "/backup" or "/media/" are returned (where an index is likely to leak
 * something).  False when there is no such directory.
 */
bool site_exp_page_dir(const char *p, size_t n, const char *host, size_t i,
                       char *out, size_t cap);

/* ---- Version numbers ---- */

#define SITE_VER_PARTS 4

struct site_ver {
    unsigned v[SITE_VER_PARTS]; /* 5.8.1 is {5, 8, 1, 0} */
    size_t n;                   /* parts given: 3; 0 = unknown */
};

/* Parses exactly len bytes "5", "5.8", "5.8.1" or "5.8.1.2" (parts of at
 * most 6 digits) into *out.  KK_ERR_INVAL otherwise; *out set on success
 * only. */
int site_ver_parse(const char *s, size_t len, struct site_ver *out);
/* <0, 0, >0 as a is older than, the same as, newer than b; missing parts
 * count as 0 (5.8 == 5.8.0). */
int site_ver_cmp(const struct site_ver *a, const struct site_ver *b);
/* "5.8.1" into out (always NUL-terminated when cap > 0). */
void site_ver_format(const struct site_ver *v, char *out, size_t cap);
/* The longest version at the start of p ("5.8.1" of "5.8.1-rc1 ..."); false
 * when p does not start with a digit. */
bool site_ver_scan(const char *p, size_t n, struct site_ver *out);

/* ---- CMS fingerprints ---- */

enum site_cms_kind {
    SITE_CMS_NONE = 0,
    SITE_CMS_WORDPRESS = 1,
    SITE_CMS_JOOMLA = 2,
    SITE_CMS_DRUPAL = 3,
};

struct site_cms {
    enum site_cms_kind kind;
    struct site_ver ver; /* ver.n == 0: version hidden */
};

/* "WordPress", "Joomla", "Drupal"; "" for none. */
const char *site_cms_name(enum site_cms_kind k);
/* The name used in the release list: "wordpress", "joomla", "drupal". */
const char *site_cms_key(enum site_cms_kind k);

/*
 * Reads the fingerprints of an HTML page into *io, keeping what it knew:
 * <meta name="generator"> (WordPress, Joomla, Drupal, with their version
 * when given), ?ver= on wp-includes styles and scripts (not jQuery's own),
 * wp-content/ and wp-includes/ paths on this site (relative, or on host
 * with or without "www."; a page embedding another WordPress site's images
 * is not WordPress), Joomla's and Drupal's asset paths.  A generator's
 * version wins over an asset's.
 */
void site_cms_from_html(const char *p, size_t n, const char *host,
                        struct site_cms *io);
/* The same for one response header value: X-Generator ("Drupal 10
 * (https://www.drupal.org)"), X-Drupal-Cache or X-Drupal-Dynamic-Cache
 * (name given lower case). */
void site_cms_from_header(const char *name, const char *value,
                          struct site_cms *io);
/* The WordPress version of a feed: <generator>https://wordpress.org/?v=X
 * </generator>.  False when absent. */
bool site_cms_feed_version(const char *p, size_t n, struct site_ver *out);
/* The WordPress login form (wp-login.php): loginform and user_login or
 * name="log" with a password field. */
bool site_cms_is_wp_login(const char *p, size_t n);
/* The version of Joomla's administrator/manifests/files/joomla.xml. */
bool site_cms_joomla_manifest(const char *p, size_t n, struct site_ver *out);

/* ---- The list of current releases (lib/site/data/cms-releases.txt) ----
 *
 * One line per supported branch: "NAME BRANCH LATEST [DATE]", e.g.
 * "wordpress 6 6.8.3 2025-09-30": the branch 6.x of WordPress is supported
 * and its newest release is 6.8.3 (of 2025-09-30).  Blank lines and lines
 * starting with "#" are ignored.  NAME is lower case [a-z0-9-]; BRANCH has
 * one to three parts and is a prefix of LATEST.  See site_cms_outdated for
 * how a version is judged.
 */

#define SITE_CMS_REL_MAX 64      /* lines of one list */
#define SITE_CMS_REL_BYTES 65536 /* bytes of a release file */
#define SITE_CMS_NAME_MAX 24

struct site_cms_rel {
    char name[SITE_CMS_NAME_MAX];
    struct site_ver branch;
    struct site_ver latest;
};

struct site_cms_releases {
    struct site_cms_rel rel[SITE_CMS_REL_MAX];
    size_t n;
};

/* The built-in list, as compiled in (NUL-terminated). */
extern const struct site_text_file site_cms_release_files[];

/*
 * Parses a release list of len bytes into *out.  KK_ERR_INVAL with "line
 * N: why" in d when a line is malformed, a branch is listed twice, or the
 * list is empty; KK_ERR_LIMIT over SITE_CMS_REL_MAX lines.
 */
int site_cms_releases_parse(const char *text, size_t len,
                            struct site_cms_releases *out, struct kk_diag *d);
/* Loads the file path (NULL: the built-in list) into *out; errors as
 * site_cms_releases_parse, plus KK_ERR_NOTFOUND, KK_ERR_IO, KK_ERR_LIMIT
 * (over SITE_CMS_REL_BYTES) with "FILE: why" in d. */
int site_cms_releases_load(const char *path, struct site_cms_releases *out,
                           struct kk_diag *d);
/* Checks that the file path is a valid release list, so the command can
 * refuse a bad --cms-releases before checking anything: KK_OK or the
 * errors of site_cms_releases_load with d set. */
KK_API int site_cms_releases_check(const char *path, struct kk_diag *d);

/*
 * Whether version v of CMS key is older than the current release of its
 * branch.  The line whose BRANCH is the longest prefix of v judges it: v is
 * outdated when older than its LATEST.  When no line matches, v is outdated
 * when a line of the same major version has a newer LATEST (an abandoned
 * minor branch), or when no line has its major version and v is older than
 * every LATEST (an abandoned major branch); a version newer than the list
 * knows is not.  A bare major version ("Drupal 10") with a listed major is
 * not judged.  When outdated, current gets "6.x is 6.8.3" (the branch and
 * release the site should move to).
 */
bool site_cms_outdated(const struct site_cms_releases *l, const char *key,
                       const struct site_ver *v, char *current, size_t cap);

/* ---- WordPress answers ---- */

#define SITE_WP_SLUG_MAX 64
#define SITE_WP_SLUGS_MAX 3

/* The user slug of a redirect of /?author=N: ".../author/SLUG/" (absolute
 * or relative).  False when location is no such redirect or the slug has
 * other bytes than [A-Za-z0-9._%-]. */
bool site_wp_author_slug(const char *location, char *out, size_t cap);
/*
 * The "slug" values of a /wp-json/wp/v2/users answer: a JSON array of
 * objects.  Writes up to max slugs (clean as above) into slugs, returns
 * their number; 0 for anything else (an error object, HTML, junk).
 */
size_t site_wp_users_slugs(const char *p, size_t n,
                           char slugs[][SITE_WP_SLUG_MAX], size_t max);
/* An XML-RPC methodResponse to system.listMethods; *multicall says
 * whether it lists system.multicall.  False for anything else. */
bool site_wp_xmlrpc_answer(const char *p, size_t n, bool *multicall);
/* WordPress's answer to a GET of xmlrpc.php ("XML-RPC server accepts POST
 * requests only."). */
bool site_wp_xmlrpc_get_only(const char *p, size_t n);

/* ---- The stage's state and budget ---- */

struct site_exp {
    struct site_ctx *c;
    const char *scheme; /* "https" when it answers, else "http" */
    const struct site_resp *home;
    unsigned start; /* c->r->requests when the stage began */
    bool stopped;   /* the budget is spent: check no more */
    /* The answer to a path that cannot exist (status 0: none came). */
    struct site_resp probe;
    struct site_cms cms;
    bool wp_login; /* /wp-login.php answered the login form */
};

/*
 * One request of the stage (site_http with e->scheme): KK_ERR_LIMIT, and
 * e->stopped set, once SITE_EXP_REQUESTS_MAX requests of the stage or the
 * site's budget are spent.  The caller clears resp.
 */
int site_exp_get(struct site_exp *e, const char *path, const char *method,
                 const char *body, struct site_resp *resp);
/* Whether resp answered a file request with content (2xx with a body)
 * that is not the site's answer to a missing path. */
bool site_exp_real(const struct site_exp *e, const struct site_resp *resp);

/*
 * cms.c: finds the CMS (home page, headers, then /feed/, /wp-login.php or
 * Joomla's manifest as needed), records cms.detected and cms.outdated,
 * and fills e->cms.  At most 3 requests.
 */
int site_cms_detect(struct site_exp *e);
/* cms.c: wp.user_enum and wp.xmlrpc when the site is WordPress (or has
 * its login page).  At most 4 requests. */
int site_cms_wordpress(struct site_exp *e);

#endif
