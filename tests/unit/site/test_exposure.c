/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_exposure.c - unit tests of the exposure stage's parts: the content
 * verifiers of exposed files (true positives from realistic files, true
 * negatives from HTML pages, soft-404 pages, empty bodies, JSON errors and
 * binary junk), CMS fingerprints, version numbers, the release list and
 * its judgement, and the WordPress answers; then the whole stage against
 * a scripted HTTP server on loopback (a soft-404 site, a site that only
 * redirects, a site that answers a git HEAD for every path, a neglected
 * WordPress site).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "exposure.h"

typedef bool (*verify_fn)(const char *p, size_t n);

struct vcase {
    const char *what;
    verify_fn fn;
    const char *body;
    size_t len; /* 0: strlen(body) */
    bool want;
};

/* Realistic files. */
#define SOFT404                                                                \
    "<!DOCTYPE html><html><head><title>Home</title></head><body>Every path "   \
    "answers with this page.</body></html>\n"
#define HTML_PAGE                                                              \
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"        \
    "<title>News</title></head><body><h1>News</h1></body></html>\n"
#define JSON_ERROR                                                             \
    "{\"code\":\"rest_no_route\",\"message\":\"No route was found matching "   \
    "the URL and request method.\",\"data\":{\"status\":404}}"
#define GIT_CONFIG                                                             \
    "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = "      \
    "false\n\tlogallrefupdates = true\n[remote \"origin\"]\n\turl = "          \
    "https://git.example.org/news/site.git\n\tfetch = "                        \
    "+refs/heads/*:refs/remotes/origin/*\n[branch \"main\"]\n\tremote = "      \
    "origin\n"
#define ENV_LARAVEL                                                            \
    "APP_NAME=Laravel\nAPP_ENV=production\nAPP_KEY=base64:abc=\n"              \
    "APP_DEBUG=false\n\n# database\nDB_CONNECTION=mysql\nDB_HOST=127.0.0.1\n"  \
    "DB_PASSWORD=\"not a secret\"\nexport MAIL_HOST=smtp.example.org\n"
#define WP_CONFIG                                                              \
    "<?php\n/**\n * The base configuration for WordPress\n */\n"               \
    "define( 'DB_NAME', 'news' );\ndefine( 'DB_USER', 'news' );\n"             \
    "define( 'DB_PASSWORD', 'x' );\n$table_prefix = 'wp_';\n"
#define JOOMLA_CONFIG                                                          \
    "<?php\nclass JConfig {\n\tpublic $offline = false;\n\tpublic $host = "    \
    "'localhost';\n\tpublic $user = 'news';\n\tpublic $password = 'x';\n}\n"
#define DRUPAL_SETTINGS                                                        \
    "<?php\n\n$databases['default']['default'] = [\n  'database' => "          \
    "'news',\n  'password' => 'x',\n];\n"
#define MYSQL_DUMP                                                             \
    "-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n--\n-- Host: "   \
    "localhost    Database: news\nCREATE TABLE `wp_users` (\n  `ID` "          \
    "bigint(20));\nINSERT INTO `wp_users` VALUES (1,'admin');\n"
#define PG_DUMP                                                                \
    "--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n"
#define PHP_LOG                                                                \
    "[12-May-2024 08:14:03 UTC] PHP Warning:  Undefined variable $post in "    \
    "/var/www/news/single.php on line 12\n[12-May-2024 08:14:05 UTC] PHP "     \
    "Fatal error:  Uncaught Error: Call to undefined function get_field()\n"
#define PHPINFO                                                                \
    "<!DOCTYPE html><html><head><title>PHP 7.4.3 - phpinfo()</title></head>"   \
    "<body><table><tr class=\"h\"><td><h1 class=\"p\">PHP Version "            \
    "7.4.3</h1></td></tr></table></body></html>\n"
#define NGINX_INDEX                                                            \
    "<html>\r\n<head><title>Index of /wp-content/uploads/</title></head>\r\n"  \
    "<body>\r\n<h1>Index of /wp-content/uploads/</h1><hr><pre><a "             \
    "href=\"../\">../</a>\r\n<a href=\"2024/\">2024/</a>  12-May-2024 08:14 "  \
    "-\r\n</pre><hr></body>\r\n</html>\r\n"
#define APACHE_INDEX                                                           \
    "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<html>\n "     \
    "<head>\n  <title>Index of /backup</title>\n </head>\n <body>\n<h1>Index " \
    "of /backup</h1>\n  <table>\n   <tr><th><a href=\"?C=N;O=D\">Name</a>"     \
    "</th></tr>\n<tr><td><a href=\"/\">Parent Directory</a></td></tr>\n"       \
    "</table>\n</body></html>\n"

static const char env_binary[] = "APP_KEY=\0\x01\x02\nDB_X=1\n";
static const char vim_swap[] = "b0VIM 8.2\0\0\0\0\x10\0\0<?php\n"
                               "define( 'DB_PASSWORD', 'x' );";
static const char gzip_junk[] = "\x1f\x8b\x08\0\0\0\0\0\0\x03";

static const struct vcase vcases[] = {
    /* .git */
    {"git HEAD", site_exp_git_head, "ref: refs/heads/main\n", 0, true},
    {"git HEAD detached", site_exp_git_head,
     "0123456789abcdef0123456789abcdef01234567\n", 0, true},
    {"git HEAD on a soft 404", site_exp_git_head, SOFT404, 0, false},
    {"git HEAD empty", site_exp_git_head, "", 0, false},
    {"git HEAD with markup", site_exp_git_head, "ref: refs/heads/<b>", 0,
     false},
    {"git HEAD short id", site_exp_git_head, "0123456789abcdef", 0, false},
    {"git config", site_exp_git_config, GIT_CONFIG, 0, true},
    {"git config without keys", site_exp_git_config, "[core]\n", 0, false},
    {"ini without core", site_exp_git_config, "[php]\nengine = On\n", 0, false},
    {"git config on a soft 404", site_exp_git_config, SOFT404, 0, false},
    {"git config JSON error", site_exp_git_config, JSON_ERROR, 0, false},
    /* .env */
    {"env of the fixture", site_exp_env,
     "APP_ENV=production\nDB_HOST=localhost\nDB_USER=news\n", 0, true},
    {"env of Laravel", site_exp_env, ENV_LARAVEL, 0, true},
    {"env of one line", site_exp_env, "APP_KEY=abc\n", 0, false},
    {"env without typical keys", site_exp_env, "foo=bar\nbaz=qux\n", 0, false},
    {"env on a soft 404", site_exp_env, SOFT404, 0, false},
    {"env HTML page", site_exp_env, HTML_PAGE, 0, false},
    {"env JSON error", site_exp_env, JSON_ERROR, 0, false},
    {"env empty", site_exp_env, "", 0, false},
    {"env binary", site_exp_env, env_binary, sizeof env_binary - 1, false},
    /* configuration backups */
    {"wp-config backup", site_exp_config_backup, WP_CONFIG, 0, true},
    {"Joomla configuration backup", site_exp_config_backup, JOOMLA_CONFIG, 0,
     true},
    {"Drupal settings backup", site_exp_config_backup, DRUPAL_SETTINGS, 0,
     true},
    {"vim swap of wp-config", site_exp_config_backup, vim_swap,
     sizeof vim_swap - 1, true},
    {"PHP without configuration", site_exp_config_backup,
     "<?php\necho 'hello';\n", 0, false},
    {"config on a soft 404", site_exp_config_backup, SOFT404, 0, false},
    {"config HTML mentioning define(", site_exp_config_backup,
     "<html><body><?php define('DB_PASSWORD', 'x'); ?></body></html>", 0,
     false},
    {"config empty", site_exp_config_backup, "", 0, false},
    {"config JSON error", site_exp_config_backup, JSON_ERROR, 0, false},
    /* database dumps */
    {"MySQL dump", site_exp_db_dump, MYSQL_DUMP, 0, true},
    {"PostgreSQL dump", site_exp_db_dump, PG_DUMP, 0, true},
    {"dump without banner", site_exp_db_dump,
     "SET NAMES utf8mb4;\n\nDROP TABLE IF EXISTS `t`;\nCREATE TABLE `t` (id "
     "int);\n",
     0, true},
    {"dump of posts holding HTML", site_exp_db_dump,
     "-- MariaDB dump 10.19\n\nINSERT INTO `wp_posts` VALUES (1,'<html><head>"
     "<title>x</title></head><body>Hi</body></html>');\n",
     0, true},
    {"HTML tutorial on CREATE TABLE", site_exp_db_dump,
     "<html><body><pre>CREATE TABLE t (id int);</pre></body></html>", 0, false},
    {"text mentioning INSERT INTO", site_exp_db_dump,
     "Hello\nINSERT INTO is an SQL statement\n", 0, false},
    {"gzip junk", site_exp_db_dump, gzip_junk, sizeof gzip_junk - 1, false},
    {"dump on a soft 404", site_exp_db_dump, SOFT404, 0, false},
    {"dump empty", site_exp_db_dump, "", 0, false},
    /* PHP logs */
    {"WordPress debug.log", site_exp_debug_log, PHP_LOG, 0, true},
    {"PHP CLI error log", site_exp_debug_log,
     "PHP Fatal error:  Uncaught Error in /srv/x.php:3\nStack trace:\n", 0,
     true},
    {"log with a zone name", site_exp_debug_log,
     "[01-Jan-2025 00:00:01 Europe/Moscow] PHP Notice:  Undefined index\n", 0,
     true},
    {"HTML page quoting a warning", site_exp_debug_log,
     "<html><body>PHP Warning: do not worry</body></html>", 0, false},
    {"dated lines without PHP", site_exp_debug_log,
     "[12-May-2024 08:14:03 UTC] cron started\n", 0, false},
    {"nginx error log", site_exp_debug_log,
     "2024/05/12 08:14:03 [error] 12#12: *1 open() failed\n", 0, false},
    {"log on a soft 404", site_exp_debug_log, SOFT404, 0, false},
    {"log empty", site_exp_debug_log, "", 0, false},
    /* phpinfo */
    {"phpinfo page", site_exp_phpinfo, PHPINFO, 0, true},
    {"old phpinfo title", site_exp_phpinfo,
     "<html><head><title>phpinfo()</title></head><body><h1>PHP Version "
     "5.6.40</h1></body></html>",
     0, true},
    {"article about phpinfo()", site_exp_phpinfo,
     "<html><head><title>Why phpinfo() is dangerous</title></head><body>"
     "</body></html>",
     0, false},
    {"phpinfo on a soft 404", site_exp_phpinfo, SOFT404, 0, false},
    {"phpinfo JSON error", site_exp_phpinfo, JSON_ERROR, 0, false},
    /* directory indexes */
    {"nginx index", site_exp_dir_listing, NGINX_INDEX, 0, true},
    {"Apache index", site_exp_dir_listing, APACHE_INDEX, 0, true},
    {"a page titled Index of", site_exp_dir_listing,
     "<html><head><title>Index of /music</title></head><body>Albums</body>"
     "</html>",
     0, false},
    {"listing on a soft 404", site_exp_dir_listing, SOFT404, 0, false},
    {"listing empty", site_exp_dir_listing, "", 0, false},
};

static void verifiers_accept_real_files_and_refuse_look_alikes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof vcases / sizeof vcases[0]; i++) {
        const struct vcase *v = &vcases[i];
        size_t n = v->len != 0 ? v->len : strlen(v->body);
        bool got = v->fn(v->body, n);
        if (got != v->want) {
            fail_msg("%s: got %d, want %d", v->what, got, v->want);
        }
    }
}

static void no_verifier_accepts_html_or_junk(void **state)
{
    static const verify_fn fns[] = {
        site_exp_git_head,      site_exp_git_config,  site_exp_env,
        site_exp_config_backup, site_exp_db_dump,     site_exp_debug_log,
        site_exp_phpinfo,       site_exp_dir_listing,
    };
    static const char junk[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xfe";
    (void)state;
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        assert_false(fns[i](SOFT404, strlen(SOFT404)));
        assert_false(fns[i](HTML_PAGE, strlen(HTML_PAGE)));
        assert_false(fns[i](JSON_ERROR, strlen(JSON_ERROR)));
        assert_false(fns[i]("", 0));
        assert_false(fns[i](junk, sizeof junk - 1));
    }
}

static void verifiers_read_only_the_bytes_given(void **state)
{
    /* The same HEAD cut short is no longer a HEAD. */
    (void)state;
    assert_true(site_exp_git_head("ref: refs/heads/main", 20));
    assert_false(site_exp_git_head("ref: refs/heads/main", 9));
    assert_false(site_exp_env(ENV_LARAVEL, 16));
}

static void page_dirs_are_local_upload_folders(void **state)
{
    static const char page[] =
        "<a href=\"/wp-content/uploads/2024/05/contract-scan.pdf\">c</a>"
        "<img src='https://news.example/wp-content/uploads/2023/01/a.jpg'>"
        "<img src=\"https://other.example/wp-content/uploads/x/b.jpg\">"
        "<a href=\"/wp-content/uploads/2024/05/other.pdf\">again</a>"
        "<a href=\"/about/\">about</a>"
        "<img src=\"/files/../etc/x.png\">"
        "<link href=\"//news.example:8443/media/css/s.css?ver=1\">";
    char d[256];
    (void)state;
    assert_true(site_exp_page_dir(page, sizeof page - 1, "news.example", 0, d,
                                  sizeof d));
    assert_string_equal(d, "/wp-content/uploads/2024/05/");
    assert_true(site_exp_page_dir(page, sizeof page - 1, "news.example", 1, d,
                                  sizeof d));
    assert_string_equal(d, "/wp-content/uploads/2023/01/");
    assert_true(site_exp_page_dir(page, sizeof page - 1, "news.example", 2, d,
                                  sizeof d));
    assert_string_equal(d, "/media/css/");
    assert_false(site_exp_page_dir(page, sizeof page - 1, "news.example", 3, d,
                                   sizeof d));
    assert_false(
        site_exp_page_dir(page, sizeof page - 1, "news.example", 0, d, 8));
}

static void page_dirs_with_nul_bytes_are_refused(void **state)
{
    static const char page[] = "<a href=\"/wp-content/uploads/20\0\0/05/"
                               "x.pdf\">x</a>";
    char d[256];
    (void)state;
    assert_false(site_exp_page_dir(page, sizeof page - 1, "news.example", 0, d,
                                   sizeof d));
}

/* ---- versions ---- */

static struct site_ver ver(const char *s)
{
    struct site_ver v;
    memset(&v, 0, sizeof v);
    assert_int_equal(site_ver_parse(s, strlen(s), &v), KK_OK);
    return v;
}

static void versions_compare_part_by_part(void **state)
{
    struct site_ver a = ver("5.8.1");
    struct site_ver b = ver("5.8.10");
    struct site_ver c = ver("6.0");
    struct site_ver d = ver("5.8");
    struct site_ver e = ver("5.8.0");
    char out[32];
    (void)state;
    assert_true(site_ver_cmp(&a, &b) < 0);
    assert_true(site_ver_cmp(&b, &c) < 0);
    assert_true(site_ver_cmp(&a, &c) < 0);
    assert_true(site_ver_cmp(&c, &a) > 0);
    assert_int_equal(site_ver_cmp(&d, &e), 0);
    site_ver_format(&b, out, sizeof out);
    assert_string_equal(out, "5.8.10");
    site_ver_format(&b, out, 4);
    assert_string_equal(out, "5.8");
}

static void malformed_versions_are_refused(void **state)
{
    static const char *const bad[] = {"",       ".",         "5.",      ".5",
                                      "5..1",   "1.2.3.4.5", "1234567", "v5",
                                      "5.8-rc", " 5.8"};
    struct site_ver v = {.v = {9, 9, 9, 9}, .n = 4};
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(site_ver_parse(bad[i], strlen(bad[i]), &v),
                         KK_ERR_INVAL);
    }
    assert_int_equal(v.n, 4);
    assert_true(site_ver_scan("6.4.2-rc1 x", 11, &v));
    assert_int_equal(v.n, 3);
    assert_int_equal(v.v[2], 2);
    assert_false(site_ver_scan("x6", 2, &v));
}

/* ---- the release list ---- */

static const char test_list[] = "# test list\n"
                                "wordpress 6 6.8.3 2025-09-30\n"
                                "joomla 6 6.0.0\n"
                                "joomla 5 5.4.0   # Joomla 5\n"
                                "\n"
                                "drupal 11.2 11.2.0\n"
                                "drupal 10.5 10.5.0\r\n";

static void release_list_is_parsed(void **state)
{
    struct site_cms_releases l;
    struct kk_diag d;
    (void)state;
    memset(&d, 0, sizeof d);
    assert_int_equal(
        site_cms_releases_parse(test_list, sizeof test_list - 1, &l, &d),
        KK_OK);
    assert_int_equal(l.n, 5);
    assert_string_equal(l.rel[2].name, "joomla");
    assert_int_equal(l.rel[4].branch.n, 2);
    assert_int_equal(l.rel[4].latest.v[1], 5);
}

static void release_list_errors_name_their_line(void **state)
{
    static const struct {
        const char *text;
        const char *msg;
    } cases[] = {
        {"wordpress 6\n", "line 1: expected NAME BRANCH LATEST"},
        {"# c\n\nWordPress 6 6.8.3\n", "line 3: the name"},
        {"wordpress 6.x 6.8.3\n", "line 1: the branch"},
        {"wordpress 6 6.8.3.1.2\n", "line 1: the latest release must"},
        {"wordpress 6 5.9\n", "line 1: the latest release is not in its"},
        {"wordpress 6.8 6\n", "line 1: the latest release is not in its"},
        {"wordpress 6 6.8.3 30/09/2025\n", "line 1: the date"},
        {"wordpress 6 6.8.3 2025-09-30 extra\n", "line 1: expected"},
        {"drupal 11 11.2.0\n\ndrupal 11 11.3.0\n", "line 3: drupal 11 is "
                                                   "listed twice"},
        {"# nothing\n\n", "the list names no release"},
        {"", "the list names no release"},
    };
    struct site_cms_releases l;
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct kk_diag d;
        memset(&d, 0, sizeof d);
        l.n = 99;
        assert_int_equal(site_cms_releases_parse(cases[i].text,
                                                 strlen(cases[i].text), &l, &d),
                         KK_ERR_INVAL);
        if (strstr(d.msg, cases[i].msg) == NULL) {
            fail_msg("case %zu: '%s' lacks '%s'", i, d.msg, cases[i].msg);
        }
        assert_int_equal(l.n, 99);
    }
}

static void release_list_refuses_long_lines_nul_and_too_many_lines(void **state)
{
    struct site_cms_releases l;
    struct kk_diag d;
    char big[400];
    (void)state;
    memset(big, 'a', sizeof big);
    big[sizeof big - 1] = '\n';
    assert_int_equal(site_cms_releases_parse(big, sizeof big, &l, &d),
                     KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "line 1: longer than 256"));
    assert_int_equal(
        site_cms_releases_parse("wordpress 6 6.8.3\n\0x\n", 21, &l, &d),
        KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "line 2: contains a NUL"));

    struct kk_buf *b = kk_buf_new(1 << 16);
    assert_non_null(b);
    for (unsigned i = 0; i <= SITE_CMS_REL_MAX; i++) {
        assert_int_equal(kk_buf_putf(b, "cms%u 1 1.0\n", i), KK_OK);
    }
    assert_int_equal(
        site_cms_releases_parse(kk_buf_str(b), kk_buf_len(b), &l, &d),
        KK_ERR_LIMIT);
    assert_non_null(strstr(d.msg, "line 65: more than 64"));
    kk_buf_free(b);
}

static void built_in_release_list_is_valid(void **state)
{
    struct site_cms_releases l;
    struct kk_diag d;
    struct site_ver old = ver("5.8.1");
    char cur[64];
    (void)state;
    memset(&d, 0, sizeof d);
    assert_int_equal(site_cms_releases_load(NULL, &l, &d), KK_OK);
    assert_true(l.n >= 3);
    assert_int_equal(site_cms_releases_check(NULL, &d), KK_OK);
    assert_true(site_cms_outdated(&l, "wordpress", &old, cur, sizeof cur));
    assert_non_null(strstr(cur, "6.x is 6."));
}

static void release_file_is_checked_before_use(void **state)
{
    char path[] = "/tmp/kk-cms-XXXXXX";
    struct kk_diag d;
    (void)state;
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "wordpress 7 7.0.1\n", 18), 18);
    close(fd);
    memset(&d, 0, sizeof d);
    assert_int_equal(site_cms_releases_check(path, &d), KK_OK);

    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("# list\nwordpress seven 7.0.1\n", f);
    fclose(f);
    assert_int_equal(site_cms_releases_check(path, &d), KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, path));
    assert_non_null(strstr(d.msg, "line 2: the branch"));
    unlink(path);
    assert_int_equal(site_cms_releases_check(path, &d), KK_ERR_NOTFOUND);
    assert_non_null(strstr(d.msg, path));
}

static void versions_are_judged_by_their_branch(void **state)
{
    static const struct {
        const char *cms;
        const char *ver;
        const char *current; /* NULL: not outdated */
    } cases[] = {
        {"wordpress", "5.8.1", "6.x is 6.8.3"},
        {"wordpress", "6.8.2", "6.x is 6.8.3"},
        {"wordpress", "6.8.3", NULL},
        {"wordpress", "6.9", NULL},
        {"wordpress", "7.0", NULL},
        {"wordpress", "6", NULL},
        {"wordpress", "4", "6.x is 6.8.3"},
        {"drupal", "10.3.1", "10.5.x is 10.5.0"},
        {"drupal", "11.0.5", "11.2.x is 11.2.0"},
        {"drupal", "11.2.4", NULL},
        {"drupal", "10.6.0", NULL},
        {"drupal", "7", "11.2.x is 11.2.0"},
        {"drupal", "10", NULL},
        {"joomla", "4.4.3", "6.x is 6.0.0"},
        {"joomla", "5.3.3", "5.x is 5.4.0"},
        {"joomla", "5.4.1", NULL},
        {"typo3", "1.0", NULL},
    };
    struct site_cms_releases l;
    (void)state;
    assert_int_equal(
        site_cms_releases_parse(test_list, sizeof test_list - 1, &l, NULL),
        KK_OK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct site_ver v = ver(cases[i].ver);
        char cur[64] = "";
        bool got = site_cms_outdated(&l, cases[i].cms, &v, cur, sizeof cur);
        if (got != (cases[i].current != NULL) ||
            (got && strcmp(cur, cases[i].current) != 0)) {
            fail_msg("%s %s: got %d '%s'", cases[i].cms, cases[i].ver, got,
                     cur);
        }
    }
    struct site_ver none = {.n = 0};
    char cur[8];
    assert_false(site_cms_outdated(&l, "wordpress", &none, cur, sizeof cur));
}

/* ---- CMS fingerprints ---- */

static const char wp_home[] =
    "<!DOCTYPE html>\n<html lang=\"ru\"><head><meta charset=\"UTF-8\">\n"
    "<meta name=\"generator\" content=\"WordPress 5.8.1\" />\n"
    "<link rel='stylesheet' href='/wp-includes/css/dist/block-library/"
    "style.min.css?ver=5.8.2' media='all' />\n"
    "</head><body class=\"home blog\"><a href=\"/wp-content/uploads/2024/05/"
    "contract-scan.pdf\">contract</a></body></html>\n";

static void wordpress_is_seen_with_its_generator_version(void **state)
{
    struct site_cms cms;
    (void)state;
    memset(&cms, 0, sizeof cms);
    site_cms_from_html(wp_home, sizeof wp_home - 1, "news.example", &cms);
    assert_int_equal(cms.kind, SITE_CMS_WORDPRESS);
    assert_int_equal(cms.ver.n, 3);
    assert_int_equal(cms.ver.v[2], 1); /* the generator wins over ?ver= */
}

static void wordpress_version_is_read_from_core_assets(void **state)
{
    static const char page[] =
        "<html><head><meta content=\"Site Kit\" name=\"generator\">"
        "<script src=\"https://www.news.example/wp-includes/js/jquery/"
        "jquery.min.js?ver=3.6.0\"></script>"
        "<script src=\"https://news.example/wp-includes/js/dist/vendor/"
        "react.min.js?ver=18.2.0\"></script>"
        "<script src=\"/wp-includes/js/dist/hooks.min.js?ver=a3a7f1\">"
        "</script>"
        "<script src=\"/wp-includes/js/wp-emoji-release.min.js?ver=6.4.2\">"
        "</script></head></html>";
    struct site_cms cms;
    char v[32];
    (void)state;
    memset(&cms, 0, sizeof cms);
    site_cms_from_html(page, sizeof page - 1, "news.example", &cms);
    assert_int_equal(cms.kind, SITE_CMS_WORDPRESS);
    site_ver_format(&cms.ver, v, sizeof v);
    assert_string_equal(v, "6.4.2");
}

static void foreign_wordpress_images_do_not_make_a_wordpress_site(void **state)
{
    static const char page[] =
        "<html><body><img src=\"https://blog.other.example/wp-content/"
        "uploads/a.jpg\"><p>wp-content/ is a folder name</p></body></html>";
    struct site_cms cms;
    (void)state;
    memset(&cms, 0, sizeof cms);
    site_cms_from_html(page, sizeof page - 1, "news.example", &cms);
    assert_int_equal(cms.kind, SITE_CMS_NONE);
    site_cms_from_html(SOFT404, strlen(SOFT404), "news.example", &cms);
    assert_int_equal(cms.kind, SITE_CMS_NONE);
}

static void joomla_and_drupal_generators_are_read(void **state)
{
    static const char joomla[] =
        "<meta name=\"generator\" content=\"Joomla! - Open Source Content "
        "Management\" />";
    static const char joomla15[] = "<META NAME='Generator' CONTENT='Joomla! "
                                   "1.5 - Open Source Content Management'>";
    static const char drupal[] = "<meta name=\"Generator\" content=\"Drupal "
                                 "10 (https://www.drupal.org)\" />";
    static const char drupal_assets[] =
        "<script type=\"application/json\" data-drupal-selector=\"drupal-"
        "settings-json\">{}</script>";
    struct site_cms cms;
    char v[32];
    (void)state;
    memset(&cms, 0, sizeof cms);
    site_cms_from_html(joomla, sizeof joomla - 1, "n.example", &cms);
    assert_int_equal(cms.kind, SITE_CMS_JOOMLA);
    assert_int_equal(cms.ver.n, 0);
    memset(&cms, 0, sizeof cms);
    site_cms_from_html(joomla15, sizeof joomla15 - 1, "n.example", &cms);
    assert_int_equal(cms.kind, SITE_CMS_JOOMLA);
    site_ver_format(&cms.ver, v, sizeof v);
    assert_string_equal(v, "1.5");
    memset(&cms, 0, sizeof cms);
    site_cms_from_html(drupal, sizeof drupal - 1, "n.example", &cms);
    assert_int_equal(cms.kind, SITE_CMS_DRUPAL);
    assert_int_equal(cms.ver.n, 1);
    assert_int_equal(cms.ver.v[0], 10);
    memset(&cms, 0, sizeof cms);
    site_cms_from_html(drupal_assets, sizeof drupal_assets - 1, "n.example",
                       &cms);
    assert_int_equal(cms.kind, SITE_CMS_DRUPAL);
}

static void cms_headers_are_read(void **state)
{
    struct site_cms cms;
    (void)state;
    memset(&cms, 0, sizeof cms);
    site_cms_from_header("x-generator", "Drupal 7 (http://drupal.org)", &cms);
    assert_int_equal(cms.kind, SITE_CMS_DRUPAL);
    assert_int_equal(cms.ver.v[0], 7);
    memset(&cms, 0, sizeof cms);
    site_cms_from_header("link",
                         "<https://n.example/wp-json/>; "
                         "rel=\"https://api.w.org/\"",
                         &cms);
    assert_int_equal(cms.kind, SITE_CMS_WORDPRESS);
    memset(&cms, 0, sizeof cms);
    site_cms_from_header("link", "</style.css>; rel=preload", &cms);
    site_cms_from_header("server", "WordPress 6.0", &cms);
    assert_int_equal(cms.kind, SITE_CMS_NONE);
}

static void feed_login_and_manifest_are_recognised(void **state)
{
    static const char feed[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\">"
        "<channel><title>News</title><generator>https://wordpress.org/"
        "?v=5.8.1</generator></channel></rss>\n";
    static const char login[] =
        "<!DOCTYPE html><html><head><title>Log In</title></head><body "
        "class=\"login wp-core-ui\"><form name=\"loginform\" id=\"loginform\" "
        "action=\"/wp-login.php\" method=\"post\"><input name=\"log\"><input "
        "name=\"pwd\" type=\"password\"></form></body></html>";
    static const char manifest[] =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<extension "
        "type=\"file\" method=\"upgrade\">\n\t<name>files_joomla</name>\n"
        "\t<version>4.4.3</version>\n</extension>\n";
    struct site_ver v;
    char s[32];
    (void)state;
    assert_true(site_cms_feed_version(feed, sizeof feed - 1, &v));
    site_ver_format(&v, s, sizeof s);
    assert_string_equal(s, "5.8.1");
    assert_false(site_cms_feed_version(SOFT404, strlen(SOFT404), &v));
    assert_true(site_cms_is_wp_login(login, sizeof login - 1));
    assert_false(site_cms_is_wp_login(SOFT404, strlen(SOFT404)));
    assert_false(site_cms_is_wp_login(HTML_PAGE, strlen(HTML_PAGE)));
    assert_true(site_cms_joomla_manifest(manifest, sizeof manifest - 1, &v));
    site_ver_format(&v, s, sizeof s);
    assert_string_equal(s, "4.4.3");
    assert_false(site_cms_joomla_manifest(feed, sizeof feed - 1, &v));
}

/* ---- WordPress answers ---- */

static void author_redirects_give_the_slug(void **state)
{
    char s[SITE_WP_SLUG_MAX];
    (void)state;
    assert_true(site_wp_author_slug(
        "http://bad.kalkan.test:20200/author/admin/", s, sizeof s));
    assert_string_equal(s, "admin");
    assert_true(site_wp_author_slug("/author/editor", s, sizeof s));
    assert_string_equal(s, "editor");
    assert_false(site_wp_author_slug("/?p=1", s, sizeof s));
    assert_false(site_wp_author_slug("/author/<script>/", s, sizeof s));
    assert_false(site_wp_author_slug("/author/", s, sizeof s));
    assert_false(site_wp_author_slug("/author/averylongname/", s, 4));
}

static void rest_user_lists_give_at_most_three_slugs(void **state)
{
    static const char users[] =
        "[{\"id\":1,\"name\":\"admin\",\"url\":\"\",\"description\":\"a "
        "\\\"slug\\\": here\",\"link\":\"https:\\/\\/bad.kalkan.test\\/author"
        "\\/admin\\/\",\"slug\":\"admin\",\"meta\":{\"slug\":\"deep\"}},"
        "{\"id\":2,\"slug\" : \"editor\"},{\"id\":3,\"slug\":\"bad\\\"one\"},"
        "{\"slug\":\"third\"},{\"slug\":\"fourth\"}]";
    char s[SITE_WP_SLUGS_MAX][SITE_WP_SLUG_MAX];
    (void)state;
    assert_int_equal(site_wp_users_slugs(users, sizeof users - 1, s, 3), 3);
    assert_string_equal(s[0], "admin");
    assert_string_equal(s[1], "editor");
    assert_string_equal(s[2], "third");
    assert_int_equal(site_wp_users_slugs(JSON_ERROR, strlen(JSON_ERROR), s, 3),
                     0);
    assert_int_equal(site_wp_users_slugs("[]", 2, s, 3), 0);
    assert_int_equal(site_wp_users_slugs(SOFT404, strlen(SOFT404), s, 3), 0);
    assert_int_equal(site_wp_users_slugs("[{\"slug\":\"adm", 13, s, 3), 0);
}

static void xmlrpc_answers_are_told_apart(void **state)
{
    static const char ok[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><methodResponse><params>"
        "<param><value><array><data><value><string>system.multicall</string>"
        "</value><value><string>pingback.ping</string></value></data></array>"
        "</value></param></params></methodResponse>";
    static const char nomulti[] =
        "<methodResponse><params><param><value><array><data><value><string>"
        "demo.sayHello</string></value></data></array></value></param>"
        "</params></methodResponse>";
    static const char fault[] =
        "<?xml version=\"1.0\"?><methodResponse><fault><value><struct>"
        "<member><name>faultCode</name><value><int>405</int></value></member>"
        "</struct></value></fault></methodResponse>";
    bool multi = false;
    (void)state;
    assert_true(site_wp_xmlrpc_answer(ok, sizeof ok - 1, &multi));
    assert_true(multi);
    assert_true(site_wp_xmlrpc_answer(nomulti, sizeof nomulti - 1, &multi));
    assert_false(multi);
    assert_false(site_wp_xmlrpc_answer(fault, sizeof fault - 1, &multi));
    assert_false(site_wp_xmlrpc_answer(SOFT404, strlen(SOFT404), &multi));
    assert_true(site_wp_xmlrpc_get_only(
        "XML-RPC server accepts POST requests only.", 42));
    assert_false(site_wp_xmlrpc_get_only(SOFT404, strlen(SOFT404)));
}

/* ---- answers to missing paths ---- */

static void set_body(struct site_resp *r, long status, const char *b)
{
    memset(r, 0, sizeof *r);
    r->status = status;
    r->body = kk_buf_new(KK_SITE_BODY_MAX);
    assert_non_null(r->body);
    assert_int_equal(kk_buf_puts(r->body, b), KK_OK);
}

static void an_answer_like_the_missing_path_is_no_file(void **state)
{
    struct site_exp e;
    struct site_resp r;
    (void)state;
    memset(&e, 0, sizeof e);
    set_body(&e.probe, 200, SOFT404);
    set_body(&r, 200, SOFT404);
    assert_false(site_exp_real(&e, &r));
    site_resp_clear(&r);
    set_body(&r, 200, "ref: refs/heads/main\n");
    assert_true(site_exp_real(&e, &r));
    site_resp_clear(&r);
    set_body(&r, 404, "ref: refs/heads/main\n");
    assert_false(site_exp_real(&e, &r));
    site_resp_clear(&r);
    set_body(&r, 200, "");
    assert_false(site_exp_real(&e, &r));
    site_resp_clear(&r);
    site_resp_clear(&e.probe);
}

/* ---- the whole stage against a scripted server ---- */

enum srv_mode {
    SRV_SOFT404,  /* 200 text/html for every path, echoing it */
    SRV_REDIRECT, /* 301 to another host for every path */
    SRV_HEAD,     /* a git HEAD for every path */
    SRV_WORDPRESS,
};

struct srv {
    enum srv_mode mode;
    int fd;
    unsigned port;
    volatile int stop;
    unsigned requests;
    unsigned posts_to_login;
    pthread_t th;
};

struct route {
    const char *path;
    int status;
    const char *ctype;
    const char *extra; /* more header lines */
    const char *body;
};

static const struct route wp_routes[] = {
    {"/.git/HEAD", 200, "application/octet-stream", "",
     "ref: refs/heads/main\n"},
    {"/.env", 200, "text/plain", "", "APP_ENV=production\nDB_PASSWORD=s3\n"},
    {"/wp-config.php~", 200, "text/plain", "", WP_CONFIG},
    {"/dump.sql", 200, "text/plain", "", MYSQL_DUMP},
    {"/debug.log", 200, "text/plain", "", PHP_LOG},
    {"/info.php", 200, "text/html", "", PHPINFO},
    {"/uploads/", 200, "text/html", "", NGINX_INDEX},
    {"/?author=1", 301, "text/html", "Location: /author/chief/\r\n", ""},
    {"/wp-json/wp/v2/users", 401, "application/json", "", JSON_ERROR},
    {"/xmlrpc.php", 405, "text/plain", "",
     "XML-RPC server accepts POST requests only."},
    {NULL, 0, NULL, NULL, NULL},
};

static void srv_send(int fd, int status, const char *ctype, const char *extra,
                     const char *body)
{
    char head[1024];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d X\r\nContent-Type: %s\r\n%s"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                     status, ctype, extra, strlen(body));
    if (n > 0 && write(fd, head, (size_t)n) == n) {
        ssize_t w = write(fd, body, strlen(body));
        (void)w;
    }
}

static void srv_answer(struct srv *s, int fd, const char *method,
                       const char *path)
{
    char page[512];
    s->requests++;
    if (strcmp(method, "POST") == 0 && strstr(path, "wp-login") != NULL) {
        s->posts_to_login++;
    }
    switch (s->mode) {
    case SRV_SOFT404:
        snprintf(page, sizeof page,
                 "<!DOCTYPE html><html><head><title>News</title></head>"
                 "<body>Nothing at %.200s, see our news.</body></html>",
                 path);
        srv_send(fd, 200, "text/html", "", page);
        break;
    case SRV_REDIRECT:
        srv_send(fd, 301, "text/html",
                 "Location: https://www.other.example/\r\n", "");
        break;
    case SRV_HEAD:
        srv_send(fd, 200, "text/plain", "", "ref: refs/heads/main\n");
        break;
    case SRV_WORDPRESS:
        for (size_t i = 0; wp_routes[i].path != NULL; i++) {
            if (strcmp(wp_routes[i].path, path) == 0) {
                srv_send(fd, wp_routes[i].status, wp_routes[i].ctype,
                         wp_routes[i].extra, wp_routes[i].body);
                return;
            }
        }
        srv_send(fd, 404, "text/html", "",
                 "<html><head><title>404</title></head></html>");
        break;
    }
}

static void *srv_run(void *arg)
{
    struct srv *s = arg;
    while (!s->stop) {
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0) {
            continue;
        }
        int c = accept(s->fd, NULL, NULL);
        if (c < 0) {
            continue;
        }
        char req[8192];
        size_t got = 0;
        for (;;) {
            struct pollfd q = {.fd = c, .events = POLLIN};
            if (poll(&q, 1, 2000) <= 0) {
                break;
            }
            ssize_t r = read(c, req + got, sizeof req - 1 - got);
            if (r <= 0) {
                break;
            }
            got += (size_t)r;
            req[got] = '\0';
            char *end = strstr(req, "\r\n\r\n");
            if (end == NULL) {
                continue;
            }
            const char *cl = strcasestr(req, "content-length:");
            size_t want = cl != NULL ? strtoul(cl + 15, NULL, 10) : 0;
            if (got >= (size_t)(end + 4 - req) + want ||
                got == sizeof req - 1) {
                break;
            }
        }
        char method[8] = "";
        char path[2048] = "";
        req[got] = '\0';
        if (sscanf(req, "%7s %2047s", method, path) == 2) {
            srv_answer(s, c, method, path);
        }
        close(c);
    }
    return NULL;
}

static void srv_start(struct srv *s, enum srv_mode mode)
{
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    memset(s, 0, sizeof *s);
    memset(&a, 0, sizeof a);
    s->mode = mode;
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->fd >= 0);
    assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s->fd, 8), 0);
    assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &al), 0);
    s->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&s->th, NULL, srv_run, s), 0);
}

static void srv_stop(struct srv *s)
{
    s->stop = 1;
    pthread_join(s->th, NULL);
    close(s->fd);
}

struct stage {
    struct site_opts o;
    struct site_ctx c;
    struct srv srv;
};

/* Runs the exposure stage over plain HTTP against a server in mode, with
 * home as the home page already fetched. */
static void run_stage(struct stage *st, enum srv_mode mode, long home_status,
                      const char *home)
{
    memset(st, 0, sizeof *st);
    srv_start(&st->srv, mode);
    site_opts_init(&st->o);
    st->c.o = &st->o;
    st->c.r = site_report_new();
    assert_non_null(st->c.r);
    snprintf(st->c.host, sizeof st->c.host, "127.0.0.1");
    snprintf(st->c.addr4, sizeof st->c.addr4, "127.0.0.1");
    st->c.host_is_ip = true;
    st->c.http_port = st->srv.port;
    st->c.https_port = 1;
    st->c.timeout_ms = 5000;
    st->c.http_up = true;
    set_body(&st->c.home_http, home_status, home);
    unsigned before = st->c.r->requests;
    assert_int_equal(site_check_exposure(&st->c), KK_OK);
    assert_true(st->c.r->requests - before <= SITE_EXP_REQUESTS_MAX);
    srv_stop(&st->srv);
    assert_int_equal(st->srv.requests, st->c.r->requests - before);
    assert_int_equal(st->srv.posts_to_login, 0);
}

static void stage_free(struct stage *st)
{
    site_resp_clear(&st->c.home_http);
    if (st->c.curl != NULL) {
        curl_easy_cleanup(st->c.curl);
    }
    site_report_free(st->c.r);
}

static const char *found(const struct site_report *r, const char *id)
{
    for (size_t i = 0; i < r->n_res; i++) {
        if (strcmp(r->res[i].id, id) == 0) {
            return r->res[i].evidence;
        }
    }
    return NULL;
}

static bool passed(const struct site_report *r, const char *id)
{
    for (size_t i = 0; i < r->n_passed; i++) {
        if (strcmp(r->passed[i], id) == 0) {
            return true;
        }
    }
    return false;
}

static const char *const file_ids[] = {
    "exposed.git",         "exposed.env",       "exposed.config_backup",
    "exposed.db_dump",     "exposed.debug_log", "exposed.phpinfo",
    "exposed.dir_listing",
};

static void soft_404_site_raises_no_exposed_file(void **state)
{
    struct stage st;
    (void)state;
    run_stage(&st, SRV_SOFT404, 200, SOFT404);
    assert_int_equal(st.c.r->n_res, 0);
    for (size_t i = 0; i < sizeof file_ids / sizeof file_ids[0]; i++) {
        assert_true(passed(st.c.r, file_ids[i]));
    }
    assert_true(passed(st.c.r, "cms.detected"));
    stage_free(&st);
}

static void redirecting_site_has_its_files_unchecked(void **state)
{
    struct stage st;
    (void)state;
    run_stage(&st, SRV_REDIRECT, 301, "");
    assert_int_equal(st.c.r->n_res, 0);
    assert_int_equal(st.c.r->n_passed, 0);
    stage_free(&st);
}

static void a_verifier_the_missing_path_passes_is_not_trusted(void **state)
{
    struct stage st;
    (void)state;
    run_stage(&st, SRV_HEAD, 200, SOFT404);
    assert_null(found(st.c.r, "exposed.git"));
    assert_false(passed(st.c.r, "exposed.git"));
    assert_true(passed(st.c.r, "exposed.env"));
    stage_free(&st);
}

static void neglected_wordpress_site_shows_every_exposure(void **state)
{
    static const char *const want[][2] = {
        {"exposed.git", "/.git/HEAD"},
        {"exposed.env", "/.env"},
        {"exposed.config_backup", "/wp-config.php~"},
        {"exposed.db_dump", "/dump.sql"},
        {"exposed.debug_log", "/debug.log"},
        {"exposed.phpinfo", "/info.php"},
        {"exposed.dir_listing", "/uploads/"},
        {"cms.detected", "WordPress 5.8.1"},
        {"cms.outdated", "WordPress 5.8.1, current 6.x is"},
        {"wp.user_enum", "chief via /?author=1"},
        {"wp.xmlrpc", "XML-RPC enabled"},
    };
    struct stage st;
    (void)state;
    run_stage(&st, SRV_WORDPRESS, 200, wp_home);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *ev = found(st.c.r, want[i][0]);
        if (ev == NULL || strstr(ev, want[i][1]) == NULL) {
            fail_msg("%s: evidence '%s', want '%s'", want[i][0],
                     ev != NULL ? ev : "(not found)", want[i][1]);
        }
    }
    assert_int_equal(st.c.r->n_res, sizeof want / sizeof want[0]);
    assert_null(strstr(found(st.c.r, "exposed.env"), "s3"));
    stage_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(verifiers_accept_real_files_and_refuse_look_alikes),
        cmocka_unit_test(no_verifier_accepts_html_or_junk),
        cmocka_unit_test(verifiers_read_only_the_bytes_given),
        cmocka_unit_test(page_dirs_are_local_upload_folders),
        cmocka_unit_test(page_dirs_with_nul_bytes_are_refused),
        cmocka_unit_test(versions_compare_part_by_part),
        cmocka_unit_test(malformed_versions_are_refused),
        cmocka_unit_test(release_list_is_parsed),
        cmocka_unit_test(release_list_errors_name_their_line),
        cmocka_unit_test(
            release_list_refuses_long_lines_nul_and_too_many_lines),
        cmocka_unit_test(built_in_release_list_is_valid),
        cmocka_unit_test(release_file_is_checked_before_use),
        cmocka_unit_test(versions_are_judged_by_their_branch),
        cmocka_unit_test(wordpress_is_seen_with_its_generator_version),
        cmocka_unit_test(wordpress_version_is_read_from_core_assets),
        cmocka_unit_test(foreign_wordpress_images_do_not_make_a_wordpress_site),
        cmocka_unit_test(joomla_and_drupal_generators_are_read),
        cmocka_unit_test(cms_headers_are_read),
        cmocka_unit_test(feed_login_and_manifest_are_recognised),
        cmocka_unit_test(author_redirects_give_the_slug),
        cmocka_unit_test(rest_user_lists_give_at_most_three_slugs),
        cmocka_unit_test(xmlrpc_answers_are_told_apart),
        cmocka_unit_test(an_answer_like_the_missing_path_is_no_file),
        cmocka_unit_test(soft_404_site_raises_no_exposed_file),
        cmocka_unit_test(redirecting_site_has_its_files_unchecked),
        cmocka_unit_test(a_verifier_the_missing_path_passes_is_not_trusted),
        cmocka_unit_test(neglected_wordpress_site_shows_every_exposure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
