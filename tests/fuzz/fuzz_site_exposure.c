/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_site_exposure.c - fuzz target of the exposure stage's parsers: every
 * exposed-file verifier, the directory links of a page, the CMS
 * fingerprints of a page, a header, a feed, a login page and a Joomla
 * manifest, version numbers, the release list (and the judgement of the
 * versions found against it), the user slugs of a REST answer and of a
 * redirect, and the XML-RPC answers.  The input is copied into a buffer of
 * exactly its size, so a read past the end is caught by the sanitizers.
 * Every result must keep its promise: slugs are clean, directories are
 * local paths, a parsed list is within its limits.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exposure.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_slug(const char *s)
{
    size_t l = strlen(s);
    if (l == 0 || l >= SITE_WP_SLUG_MAX)
        __builtin_trap();
    for (size_t i = 0; i < l; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (!(isalnum(ch) || strchr("._-%", ch) != NULL))
            __builtin_trap();
    }
}

static void check_ver(const struct site_ver *v)
{
    char s[64];
    if (v->n == 0 || v->n > SITE_VER_PARTS)
        __builtin_trap();
    site_ver_format(v, s, sizeof s);
    if (s[0] == '\0' || site_ver_cmp(v, v) != 0)
        __builtin_trap();
}

static void verifiers(const char *p, size_t n)
{
    (void)site_exp_git_head(p, n);
    (void)site_exp_git_config(p, n);
    (void)site_exp_env(p, n);
    (void)site_exp_config_backup(p, n);
    (void)site_exp_db_dump(p, n);
    (void)site_exp_debug_log(p, n);
    (void)site_exp_phpinfo(p, n);
    (void)site_exp_dir_listing(p, n);
    (void)site_exp_is_html(p, n);
    for (size_t i = 0; i < 10; i++) {
        char d[256];
        if (!site_exp_page_dir(p, n, "news.example", i, d, sizeof d))
            break;
        size_t l = strlen(d);
        if (l < 2 || d[0] != '/' || d[l - 1] != '/' ||
            strstr(d, "/../") != NULL || strstr(d, "//") != NULL)
            __builtin_trap();
    }
}

static void fingerprints(const char *p, size_t n, const char *text)
{
    struct site_cms cms;
    struct site_ver v;
    bool multi = false;

    memset(&cms, 0, sizeof cms);
    site_cms_from_html(p, n, "news.example", &cms);
    if (cms.ver.n > 0)
        check_ver(&cms.ver);
    site_cms_from_header("x-generator", text, &cms);
    site_cms_from_header("link", text, &cms);
    if (cms.ver.n > 0)
        check_ver(&cms.ver);
    if (site_cms_feed_version(p, n, &v))
        check_ver(&v);
    if (site_cms_joomla_manifest(p, n, &v))
        check_ver(&v);
    if (site_ver_scan(p, n, &v))
        check_ver(&v);
    if (site_ver_parse(p, n, &v) == KK_OK)
        check_ver(&v);
    (void)site_cms_is_wp_login(p, n);
    (void)site_wp_xmlrpc_answer(p, n, &multi);
    (void)site_wp_xmlrpc_get_only(p, n);
}

static void wordpress(const char *p, size_t n, const char *text)
{
    char slugs[SITE_WP_SLUGS_MAX][SITE_WP_SLUG_MAX];
    char one[SITE_WP_SLUG_MAX];
    size_t k = site_wp_users_slugs(p, n, slugs, SITE_WP_SLUGS_MAX);
    if (k > SITE_WP_SLUGS_MAX)
        __builtin_trap();
    for (size_t i = 0; i < k; i++)
        check_slug(slugs[i]);
    if (site_wp_author_slug(text, one, sizeof one))
        check_slug(one);
}

static void releases(const char *p, size_t n)
{
    struct site_cms_releases *l = malloc(sizeof *l);
    struct kk_diag d;
    static const char *const vers[] = {"1",     "4.4.3", "5.8.1",
                                       "6.8.3", "10.3",  "11.9.9.9"};
    static const char *const keys[] = {"wordpress", "joomla", "drupal"};

    if (l == NULL)
        return;
    memset(&d, 0, sizeof d);
    int rc = site_cms_releases_parse(p, n, l, &d);
    if (rc != KK_OK) {
        if (d.msg[0] == '\0')
            __builtin_trap();
        free(l);
        return;
    }
    if (l->n == 0 || l->n > SITE_CMS_REL_MAX)
        __builtin_trap();
    for (size_t i = 0; i < sizeof vers / sizeof vers[0]; i++) {
        struct site_ver v;
        if (site_ver_parse(vers[i], strlen(vers[i]), &v) != KK_OK)
            __builtin_trap();
        for (size_t k = 0; k < 3; k++) {
            char cur[80] = "";
            if (site_cms_outdated(l, keys[k], &v, cur, sizeof cur) &&
                strstr(cur, ".x is ") == NULL)
                __builtin_trap();
        }
        for (size_t k = 0; k < l->n; k++) {
            char cur[80] = "";
            (void)site_cms_outdated(l, l->rel[k].name, &v, cur, sizeof cur);
        }
    }
    free(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *p;
    char *text;

    if (size > 256 * 1024)
        return 0;
    p = malloc(size > 0 ? size : 1);
    text = malloc(size + 1);
    if (p == NULL || text == NULL) {
        free(p);
        free(text);
        return 0;
    }
    memcpy(p, data, size);
    memcpy(text, data, size);
    text[size] = '\0';
    verifiers(p, size);
    fingerprints(p, size, text);
    wordpress(p, size, text);
    releases(p, size);
    free(p);
    free(text);
    return 0;
}
