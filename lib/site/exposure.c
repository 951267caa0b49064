/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * exposure.c - the exposure stage: files a site should never serve (a .git
 * folder, .env, configuration backups, database dumps, PHP logs, phpinfo
 * pages, directory indexes), then the CMS and WordPress checks of cms.c.
 *
 * Every finding is a verified one: a file counts only when its content has
 * the shape of what its name promises (a git HEAD, KEY=VALUE lines, PHP
 * source, an SQL dump...).  Many sites answer 200 with their home page for
 * any path; a status code alone would report every file on them.  A request
 * for a path that cannot exist tells how the site answers missing files: an
 * answer identical to it is never a file, and a verifier that the missing
 * path itself satisfies is not trusted on that site at all.  The price is
 * that a file with unusual content is missed; we prefer that to crying
 * wolf, since a newsroom that sees one false alarm stops reading.
 *
 * Politeness: about 40 requests in the worst case (SITE_EXP_REQUESTS_MAX
 * is the hard cap), one at a time; the candidate paths are the few that
 * are actually found on compromised sites, chosen by the CMS seen.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "exposure.h"

/* Bytes at the start of a body that the verifiers look at. */
#define HEAD_BYTES 8192
#define LINES_MAX 200

size_t site_exp_find(const char *p, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    if (m == 0) {
        return 0;
    }
    if (m > n) {
        return n;
    }
    int first = tolower((unsigned char)needle[0]);
    for (size_t i = 0; i + m <= n; i++) {
        if (tolower((unsigned char)p[i]) != first) {
            continue;
        }
        size_t k = 1;
        while (k < m && tolower((unsigned char)p[i + k]) ==
                            tolower((unsigned char)needle[k])) {
            k++;
        }
        if (k == m) {
            return i;
        }
    }
    return n;
}

static bool has(const char *p, size_t n, const char *needle)
{
    return site_exp_find(p, n, needle) < n;
}

static size_t head_len(size_t n)
{
    return n < HEAD_BYTES ? n : HEAD_BYTES;
}

static bool is_binary(const char *p, size_t n)
{
    return memchr(p, '\0', head_len(n)) != NULL;
}

/* Skips a UTF-8 byte order mark and white space. */
static size_t skip_ws(const char *p, size_t n, size_t i)
{
    if (i == 0 && n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
        i = 3;
    }
    while (i < n && isspace((unsigned char)p[i])) {
        i++;
    }
    return i;
}

static bool starts_ci(const char *p, size_t n, const char *prefix)
{
    size_t m = strlen(prefix);
    return n >= m && strncasecmp(p, prefix, m) == 0;
}

bool site_exp_is_html(const char *p, size_t n)
{
    size_t h = head_len(n);
    return has(p, h, "<!doctype html") || has(p, h, "<html") ||
           has(p, h, "<head") || has(p, h, "<body") || has(p, h, "<title");
}

/* A cursor over the lines of the first bytes of a body. */
struct lines {
    const char *p;
    size_t n;
    size_t off;
    size_t count;
};

static struct lines lines_make(const char *p, size_t n, size_t cap)
{
    struct lines l = {.p = p, .n = n < cap ? n : cap, .off = 0, .count = 0};
    return l;
}

/* The next line without its end of line, or false at the end (or after
 * LINES_MAX lines). */
static bool lines_next(struct lines *l, const char **line, size_t *len)
{
    if (l->off >= l->n || l->count >= LINES_MAX) {
        return false;
    }
    const char *s = l->p + l->off;
    const char *e = memchr(s, '\n', l->n - l->off);
    size_t m = e != NULL ? (size_t)(e - s) : l->n - l->off;
    l->off += m + (e != NULL ? 1 : 0);
    while (m > 0 && (s[m - 1] == '\r' || s[m - 1] == ' ' || s[m - 1] == '\t')) {
        m--;
    }
    while (m > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        m--;
    }
    l->count++;
    *line = s;
    *len = m;
    return true;
}

/* ---- .git ---- */

bool site_exp_git_head(const char *p, size_t n)
{
    while (n > 0 && isspace((unsigned char)p[n - 1])) {
        n--;
    }
    if (n == 0 || n > 256) {
        return false;
    }
    if (n > 10 && memcmp(p, "ref: refs/", 10) == 0) {
        for (size_t i = 10; i < n; i++) {
            unsigned char ch = (unsigned char)p[i];
            if (!(isalnum(ch) || ch == '.' || ch == '_' || ch == '-' ||
                  ch == '/')) {
                return false;
            }
        }
        return true;
    }
    if (n != 40 && n != 64) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)p[i])) {
            return false;
        }
    }
    return true;
}

/* "key = value" or a bare "key" (a git boolean). */
static bool git_key_line(const char *s, size_t m)
{
    size_t i = 0;
    if (m == 0 || !isalpha((unsigned char)s[0])) {
        return false;
    }
    while (i < m && (isalnum((unsigned char)s[i]) || s[i] == '-')) {
        i++;
    }
    while (i < m && (s[i] == ' ' || s[i] == '\t')) {
        i++;
    }
    return i == m || s[i] == '=';
}

bool site_exp_git_config(const char *p, size_t n)
{
    struct lines l = lines_make(p, n, HEAD_BYTES);
    const char *s;
    size_t m;
    bool first = true;
    bool core = false;
    size_t keys = 0;

    if (is_binary(p, n)) {
        return false;
    }
    while (lines_next(&l, &s, &m)) {
        if (m == 0 || s[0] == '#' || s[0] == ';') {
            continue;
        }
        bool section = s[0] == '[' && s[m - 1] == ']';
        if (first && !section) {
            return false;
        }
        first = false;
        if (section) {
            if (m == 6 && strncasecmp(s, "[core]", 6) == 0) {
                core = true;
            }
        } else if (git_key_line(s, m)) {
            keys++;
        } else {
            return false;
        }
    }
    return core && keys > 0;
}

/* ---- .env ---- */

static bool env_typical(const char *k, size_t m)
{
    static const char *const keys[] = {
        "APP_",   "DB_",      "DATABASE", "PASSWORD", "PASSWD", "SECRET",
        "KEY",    "TOKEN",    "MAIL_",    "SMTP_",    "AWS_",   "REDIS_",
        "MYSQL_", "POSTGRES", "API_",     "AUTH_",    "SALT",
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (has(k, m, keys[i])) {
            return true;
        }
    }
    return false;
}

/* KEY=VALUE with an optional "export "; sets *typical. */
static bool env_line(const char *s, size_t m, bool *typical)
{
    size_t i = 0;
    if (m > 7 && memcmp(s, "export ", 7) == 0) {
        s += 7;
        m -= 7;
    }
    if (m == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_')) {
        return false;
    }
    while (i < m && (isalnum((unsigned char)s[i]) || s[i] == '_' ||
                     s[i] == '.' || s[i] == '-')) {
        i++;
    }
    size_t kl = i;
    while (i < m && s[i] == ' ') {
        i++;
    }
    if (i >= m || s[i] != '=') {
        return false;
    }
    *typical = env_typical(s, kl);
    return true;
}

bool site_exp_env(const char *p, size_t n)
{
    struct lines l = lines_make(p, n, 65536);
    const char *s;
    size_t m;
    size_t good = 0;
    size_t bad = 0;
    size_t typical = 0;
    bool first = true;

    if (n == 0 || is_binary(p, n) || site_exp_is_html(p, n)) {
        return false;
    }
    while (lines_next(&l, &s, &m)) {
        bool t = false;
        if (m == 0 || s[0] == '#') {
            continue;
        }
        if (env_line(s, m, &t)) {
            good++;
            typical += t ? 1 : 0;
        } else if (first) {
            return false;
        } else {
            bad++; /* a quoted value over several lines, say */
        }
        first = false;
    }
    return good >= 2 && typical >= 1 && bad * 4 <= good;
}

/* ---- configuration backups ---- */

/* "define" followed by optional white space and "(". */
static bool has_define(const char *p, size_t n)
{
    size_t off = 0;
    while (off < n) {
        size_t i = site_exp_find(p + off, n - off, "define");
        if (i >= n - off) {
            return false;
        }
        size_t j = off + i + 6;
        while (j < n && (p[j] == ' ' || p[j] == '\t')) {
            j++;
        }
        if (j < n && p[j] == '(') {
            return true;
        }
        off = off + i + 6;
    }
    return false;
}

static bool config_markers(const char *p, size_t n)
{
    return has(p, n, "DB_PASSWORD") || has(p, n, "DB_NAME") ||
           has(p, n, "$db") || has(p, n, "$password") ||
           has(p, n, "$databases") || has_define(p, n);
}

bool site_exp_config_backup(const char *p, size_t n)
{
    size_t start = skip_ws(p, n, 0);
    if (n >= 5 && memcmp(p, "b0VIM", 5) == 0) {
        /* A vim swap file: binary, with the text of the file inside. */
        size_t h = n < 65536 ? n : 65536;
        return has(p, h, "<?php") && config_markers(p, h);
    }
    if (n == 0 || is_binary(p, n) || site_exp_is_html(p, n)) {
        return false;
    }
    size_t h = n < 65536 ? n : 65536;
    return starts_ci(p + start, n - start, "<?php") && config_markers(p, h);
}

/* ---- database dumps ---- */

static bool sql_statement(const char *s, size_t m)
{
    static const char *const st[] = {
        "CREATE TABLE",      "INSERT INTO",       "DROP TABLE",  "SET ",
        "LOCK TABLES",       "CREATE DATABASE",   "USE ",        "BEGIN;",
        "START TRANSACTION", "SELECT pg_catalog", "ALTER TABLE", "/*!",
        "PRAGMA ",
    };
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++) {
        if (starts_ci(s, m, st[i])) {
            return true;
        }
    }
    return false;
}

bool site_exp_db_dump(const char *p, size_t n)
{
    static const char *const banners[] = {
        "-- MySQL dump",
        "-- MariaDB dump",
        "-- PostgreSQL database dump",
        "-- phpMyAdmin SQL Dump",
        "-- Adminer",
        "-- SQLite",
    };
    const char *s;
    size_t m;
    bool table = false;

    /* No test for HTML here: the rows of a dump often hold HTML (posts,
     * widgets), and a page fails the test of its first line anyway. */
    if (n == 0 || is_binary(p, n)) {
        return false;
    }
    size_t st = skip_ws(p, n, 0);
    struct lines l = lines_make(p + st, n - st, 4096);
    /* The first lines must be SQL comments or statements, and one of them
     * is a dump tool's banner or creates or fills a table. */
    size_t seen = 0;
    while (lines_next(&l, &s, &m) && seen < 40) {
        if (m == 0) {
            continue;
        }
        seen++;
        for (size_t i = 0; i < sizeof banners / sizeof banners[0]; i++) {
            if (starts_ci(s, m, banners[i])) {
                return true;
            }
        }
        if (starts_ci(s, m, "CREATE TABLE") || starts_ci(s, m, "INSERT INTO")) {
            table = true;
            break;
        }
        if (!(starts_ci(s, m, "--") || starts_ci(s, m, "#") ||
              sql_statement(s, m))) {
            return false;
        }
    }
    return table;
}

/* ---- PHP logs ---- */

/* "[12-May-2024 08:14:03" then an optional zone, then "]". */
static bool php_log_date(const char *s, size_t m, size_t *end)
{
    static const char pat[] = "[dd-aaa-dddd dd:dd:dd";
    size_t pl = sizeof pat - 1;
    if (m < pl + 1) {
        return false;
    }
    for (size_t i = 0; i < pl; i++) {
        unsigned char ch = (unsigned char)s[i];
        bool ok = pat[i] == 'd'   ? isdigit(ch) != 0
                  : pat[i] == 'a' ? isalpha(ch) != 0
                                  : ch == (unsigned char)pat[i];
        if (!ok) {
            return false;
        }
    }
    size_t i = pl;
    if (s[i] == ' ') {
        i++;
        size_t z = 0;
        while (i < m && z < 40 &&
               (isalnum((unsigned char)s[i]) || s[i] == '/' || s[i] == '_' ||
                s[i] == '+' || s[i] == '-')) {
            i++;
            z++;
        }
    }
    if (i >= m || s[i] != ']') {
        return false;
    }
    *end = i + 1;
    return true;
}

static bool php_level(const char *s, size_t m)
{
    static const char *const lv[] = {
        "PHP Warning:",
        "PHP Fatal error:",
        "PHP Notice:",
        "PHP Parse error:",
        "PHP Deprecated:",
        "PHP Stack trace:",
        "PHP Strict Standards:",
        "PHP Catchable fatal error:",
        "PHP Recoverable fatal error:",
    };
    for (size_t i = 0; i < sizeof lv / sizeof lv[0]; i++) {
        if (m >= strlen(lv[i]) && memcmp(s, lv[i], strlen(lv[i])) == 0) {
            return true;
        }
    }
    return false;
}

bool site_exp_debug_log(const char *p, size_t n)
{
    struct lines l = lines_make(p, n, 65536);
    const char *s;
    size_t m;
    bool first = true;
    size_t levels = 0;

    if (n == 0 || is_binary(p, n)) {
        return false;
    }
    while (lines_next(&l, &s, &m)) {
        size_t e = 0;
        if (m == 0) {
            continue;
        }
        bool dated = php_log_date(s, m, &e);
        if (dated) {
            while (e < m && s[e] == ' ') {
                e++;
            }
        }
        bool level = php_level(s + e, m - e);
        if (first && !dated && !level) {
            return false;
        }
        first = false;
        levels += level ? 1 : 0;
    }
    return levels > 0;
}

/* ---- phpinfo() and directory indexes ---- */

/* The text of the <title> element in the first bytes, trimmed. */
static bool title_of(const char *p, size_t n, const char **t, size_t *tl)
{
    size_t h = head_len(n);
    size_t a = site_exp_find(p, h, "<title");
    if (a >= h) {
        return false;
    }
    const char *gt = memchr(p + a, '>', h - a);
    if (gt == NULL) {
        return false;
    }
    size_t s = (size_t)(gt - p) + 1;
    size_t e = s + site_exp_find(p + s, h - s, "</title");
    if (e > h) {
        return false;
    }
    while (s < e && isspace((unsigned char)p[s])) {
        s++;
    }
    while (e > s && isspace((unsigned char)p[e - 1])) {
        e--;
    }
    *t = p + s;
    *tl = e - s;
    return true;
}

bool site_exp_phpinfo(const char *p, size_t n)
{
    const char *t;
    size_t tl;
    if (!title_of(p, n, &t, &tl) || !has(t, tl, "phpinfo()")) {
        return false;
    }
    size_t h = n < 65536 ? n : 65536;
    return site_exp_find(p, h, "PHP Version") < h;
}

bool site_exp_dir_listing(const char *p, size_t n)
{
    const char *t;
    size_t tl;
    if (!title_of(p, n, &t, &tl) || !starts_ci(t, tl, "Index of /")) {
        return false;
    }
    size_t h = n < 65536 ? n : 65536;
    return has(p, h, "href=\"../\"") || has(p, h, "href='../'") ||
           has(p, h, "Parent Directory") || has(p, h, "?C=N;O=D") ||
           has(p, h, "?C=N&amp;O=D") || has(p, h, "<h1>Index of /") ||
           has(p, h, "<h2>Index of /");
}

/* ---- directories linked from a page ---- */

#define PAGE_DIRS 8
#define PAGE_DIR_LEN 256

static bool path_char(unsigned char ch)
{
    return ch != 0 && (isalnum(ch) || strchr("/._~%-", ch) != NULL);
}

/* The local path of an attribute value v (vl bytes), or NULL: "/x",
 * "x/y" (relative to the home page), "//HOST/x", "http(s)://HOST[:p]/x". */
static const char *local_path(const char *v, size_t vl, const char *host,
                              size_t *pl)
{
    size_t hl = strlen(host);
    size_t i = 0;
    if (starts_ci(v, vl, "https://")) {
        i = 8;
    } else if (starts_ci(v, vl, "http://")) {
        i = 7;
    } else if (vl >= 2 && v[0] == '/' && v[1] == '/') {
        i = 2;
    } else if (vl >= 1 && v[0] == '/') {
        *pl = vl;
        return v;
    } else {
        size_t colon = site_exp_find(v, vl, ":");
        if (colon < vl || vl == 0 || v[0] == '#' || v[0] == '?') {
            return NULL;
        }
        *pl = vl;
        return v; /* relative: the caller adds the "/" */
    }
    if (vl - i < hl || strncasecmp(v + i, host, hl) != 0) {
        return NULL;
    }
    i += hl;
    if (i < vl && v[i] == ':') {
        while (i < vl && v[i] != '/') {
            i++;
        }
    }
    if (i >= vl || v[i] != '/') {
        return NULL;
    }
    *pl = vl - i;
    return v + i;
}

static bool interesting_dir(const char *d, size_t dl)
{
    return has(d, dl, "/uploads/") || has(d, dl, "/files/") ||
           has(d, dl, "/backup") || has(d, dl, "/media/");
}

bool site_exp_page_dir(const char *p, size_t n, const char *host, size_t i,
                       char *out, size_t cap)
{
    char seen[PAGE_DIRS][PAGE_DIR_LEN];
    size_t nseen = 0;
    size_t off = 0;

    while (off < n && nseen < PAGE_DIRS) {
        size_t a = site_exp_find(p + off, n - off, "=");
        if (a >= n - off) {
            break;
        }
        size_t eq = off + a;
        off = eq + 1;
        bool src = eq >= 3 && strncasecmp(p + eq - 3, "src", 3) == 0;
        bool href = eq >= 4 && strncasecmp(p + eq - 4, "href", 4) == 0;
        if ((!src && !href) || off >= n || (p[off] != '"' && p[off] != '\'')) {
            continue;
        }
        char q = p[off];
        const char *v = p + off + 1;
        const char *ve = memchr(v, q, n - off - 1);
        if (ve == NULL) {
            break;
        }
        size_t vl = (size_t)(ve - v);
        off = (size_t)(ve - p) + 1;
        size_t pl = 0;
        const char *lp = local_path(v, vl, host, &pl);
        if (lp == NULL) {
            continue;
        }
        for (size_t k = 0; k < pl; k++) {
            if (lp[k] == '?' || lp[k] == '#') {
                pl = k;
            }
        }
        while (pl > 0 && lp[pl - 1] != '/') {
            pl--;
        }
        bool rel = lp[0] != '/';
        if (pl == 0 || pl + (rel ? 1 : 0) >= PAGE_DIR_LEN) {
            continue;
        }
        char d[PAGE_DIR_LEN];
        size_t dl = 0;
        if (rel) {
            d[dl++] = '/';
        }
        memcpy(d + dl, lp, pl);
        dl += pl;
        d[dl] = '\0';
        bool ok = interesting_dir(d, dl) && strstr(d, "/../") == NULL &&
                  strstr(d, "/./") == NULL && strstr(d, "//") == NULL;
        for (size_t k = 0; ok && k < dl; k++) {
            ok = path_char((unsigned char)d[k]);
        }
        for (size_t k = 0; ok && k < nseen; k++) {
            ok = strcmp(seen[k], d) != 0;
        }
        if (!ok) {
            continue;
        }
        memcpy(seen[nseen++], d, dl + 1);
    }
    if (i >= nseen || strlen(seen[i]) >= cap) {
        return false;
    }
    memcpy(out, seen[i], strlen(seen[i]) + 1);
    return true;
}

/* ---- the stage ---- */

int site_exp_get(struct site_exp *e, const char *path, const char *method,
                 const char *body, struct site_resp *resp)
{
    memset(resp, 0, sizeof *resp);
    if (e->stopped || e->c->r->requests - e->start >= SITE_EXP_REQUESTS_MAX) {
        e->stopped = true;
        return KK_ERR_LIMIT;
    }
    int rc = site_http(e->c, e->scheme, path, method, body, resp);
    if (rc == KK_ERR_LIMIT) {
        e->stopped = true;
    }
    return rc;
}

static const char *body_of(const struct site_resp *r, size_t *n)
{
    if (r->body == NULL) {
        *n = 0;
        return "";
    }
    *n = kk_buf_len(r->body);
    return (const char *)kk_buf_data(r->body);
}

bool site_exp_real(const struct site_exp *e, const struct site_resp *resp)
{
    size_t n;
    size_t pn;
    const char *b = body_of(resp, &n);
    const char *pb = body_of(&e->probe, &pn);
    if (resp->status < 200 || resp->status > 299 || n == 0) {
        return false;
    }
    return !(e->probe.status == resp->status && pn == n &&
             memcmp(pb, b, n) == 0);
}

typedef bool (*verify_fn)(const char *p, size_t n);

static bool git_file(const char *p, size_t n)
{
    return site_exp_git_head(p, n) || site_exp_git_config(p, n);
}

/* Appends a path to a list of evidence "a, b". */
static void ev_add(char *ev, size_t cap, const char *path)
{
    size_t l = strlen(ev);
    if (l + strlen(path) + 3 < cap) {
        snprintf(ev + l, cap - l, "%s%s", l > 0 ? ", " : "", path);
    }
}

/*
 * Requests each of the paths (NULL-terminated) and records id with the
 * paths whose content passes verify, or a pass when every path was asked
 * and none did.  Nothing when the site's answer to a missing path passes
 * verify itself: the verifier cannot tell files apart there.
 */
static int check_files(struct site_exp *e, const char *id, verify_fn verify,
                       const char *const *paths)
{
    char ev[KK_SITE_EVIDENCE_MAX] = "";
    bool answered = false;
    bool complete = true;
    size_t pn;
    const char *pb = body_of(&e->probe, &pn);
    int rc = KK_OK;

    if (e->probe.status >= 200 && e->probe.status <= 299 && verify(pb, pn)) {
        return KK_OK;
    }
    for (size_t i = 0; paths[i] != NULL; i++) {
        struct site_resp resp;
        rc = site_exp_get(e, paths[i], "GET", NULL, &resp);
        if (rc == KK_ERR_LIMIT) {
            complete = false;
            rc = KK_OK;
            break;
        }
        if (rc != KK_OK) {
            goto out;
        }
        size_t n;
        const char *b = body_of(&resp, &n);
        /* A redirect (to another host, to a login) shows no file. */
        answered = answered || (resp.status > 0 &&
                                (resp.status < 300 || resp.status > 399));
        if (site_exp_real(e, &resp) && verify(b, n)) {
            ev_add(ev, sizeof ev, paths[i]);
        }
        site_resp_clear(&resp);
    }
    if (ev[0] != '\0') {
        rc = site_add(e->c, id, "%s", ev);
    } else if (complete && answered) {
        rc = site_pass(e->c, id);
    }
out:
    return rc;
}

static int probe(struct site_exp *e)
{
    unsigned char r[8];
    char path[64];
    int rc = kk_random(r, sizeof r);
    if (rc != KK_OK) {
        return rc;
    }
    snprintf(path, sizeof path,
             "/kalkan-check-%02x%02x%02x%02x%02x%02x%02x%02x.txt", r[0], r[1],
             r[2], r[3], r[4], r[5], r[6], r[7]);
    rc = site_exp_get(e, path, "GET", NULL, &e->probe);
    return rc == KK_ERR_LIMIT ? KK_OK : rc;
}

static const char *const git_paths[] = {"/.git/HEAD", "/.git/config", NULL};
static const char *const env_paths[] = {"/.env", "/.env.bak",
                                        "/.env.production", NULL};
static const char *const wp_config_paths[] = {
    "/wp-config.php.bak",  "/wp-config.php.old", "/wp-config.php.save",
    "/wp-config.php~",     "/wp-config.php.txt", "/wp-config.php.orig",
    "/.wp-config.php.swp", "/config.php.bak",    NULL};
static const char *const joomla_config_paths[] = {
    "/configuration.php.bak", "/configuration.php.old", "/configuration.php~",
    "/configuration.php.txt", "/config.php.bak",        NULL};
static const char *const drupal_config_paths[] = {
    "/sites/default/settings.php.bak",
    "/sites/default/settings.php.old",
    "/sites/default/settings.php~",
    "/sites/default/.settings.php.swp",
    "/config.php.bak",
    NULL};
static const char *const any_config_paths[] = {
    "/wp-config.php.bak",
    "/wp-config.php.old",
    "/wp-config.php~",
    "/wp-config.php.save",
    "/.wp-config.php.swp",
    "/configuration.php.bak",
    "/sites/default/settings.php.bak",
    "/config.php.bak",
    NULL};
static const char *const log_paths[] = {"/wp-content/debug.log", "/debug.log",
                                        "/error_log", NULL};
static const char *const phpinfo_paths[] = {
    "/phpinfo.php", "/info.php", "/php_info.php", "/i.php", "/test.php", NULL};
static const char *const fixed_dirs[] = {"/wp-content/uploads/", "/uploads/",
                                         "/backup/", "/files/"};

static int check_dumps(struct site_exp *e)
{
    char hostsql[KK_SITE_HOST_MAX + 8];
    snprintf(hostsql, sizeof hostsql, "/%s.sql", e->c->host);
    const char *paths[] = {"/backup.sql", "/dump.sql",
                           "/db.sql",     "/database.sql",
                           hostsql,       "/wp-content/mysql.sql",
                           NULL};
    if (e->c->host_is_ip) {
        paths[4] = "/wp-content/mysql.sql";
        paths[5] = NULL;
    }
    return check_files(e, "exposed.db_dump", site_exp_db_dump, paths);
}

static int check_dirs(struct site_exp *e)
{
    char found[2][PAGE_DIR_LEN];
    const char *paths[sizeof fixed_dirs / sizeof fixed_dirs[0] + 3];
    size_t np = 0;
    size_t nf = 0;
    size_t hn;
    const char *hb = body_of(e->home, &hn);

    for (size_t i = 0; i < sizeof fixed_dirs / sizeof fixed_dirs[0]; i++) {
        paths[np++] = fixed_dirs[i];
    }
    /* Directories the home page links into: where a listing is likeliest
     * (nginx lists only where autoindex is on, often a deep uploads
     * folder). */
    for (size_t i = 0; nf < 2 && i < PAGE_DIRS; i++) {
        if (!site_exp_page_dir(hb, hn, e->c->host, i, found[nf],
                               sizeof found[nf])) {
            break;
        }
        bool dup = false;
        for (size_t k = 0; k < np; k++) {
            dup = dup || strcmp(paths[k], found[nf]) == 0;
        }
        if (!dup) {
            paths[np++] = found[nf++];
        }
    }
    paths[np] = NULL;
    return check_files(e, "exposed.dir_listing", site_exp_dir_listing, paths);
}

int site_check_exposure(struct site_ctx *c)
{
    struct site_exp e;
    int rc;

    memset(&e, 0, sizeof e);
    e.c = c;
    e.scheme = c->https_up ? "https" : "http";
    e.home = c->https_up ? &c->home_https : &c->home_http;
    e.start = c->r->requests;
    rc = probe(&e);
    if (rc != KK_OK) {
        goto out;
    }
    rc = site_cms_detect(&e);
    if (rc != KK_OK) {
        goto out;
    }
    const char *const *config = any_config_paths;
    if (e.cms.kind == SITE_CMS_WORDPRESS || e.wp_login) {
        config = wp_config_paths;
    } else if (e.cms.kind == SITE_CMS_JOOMLA) {
        config = joomla_config_paths;
    } else if (e.cms.kind == SITE_CMS_DRUPAL) {
        config = drupal_config_paths;
    }
    rc = check_files(&e, "exposed.git", git_file, git_paths);
    if (rc == KK_OK) {
        rc = check_files(&e, "exposed.env", site_exp_env, env_paths);
    }
    if (rc == KK_OK) {
        rc = check_files(&e, "exposed.config_backup", site_exp_config_backup,
                         config);
    }
    if (rc == KK_OK) {
        rc = check_dumps(&e);
    }
    if (rc == KK_OK) {
        rc =
            check_files(&e, "exposed.debug_log", site_exp_debug_log, log_paths);
    }
    if (rc == KK_OK) {
        rc =
            check_files(&e, "exposed.phpinfo", site_exp_phpinfo, phpinfo_paths);
    }
    if (rc == KK_OK) {
        rc = check_dirs(&e);
    }
    if (rc == KK_OK) {
        rc = site_cms_wordpress(&e);
    }
out:
    site_resp_clear(&e.probe);
    return rc == KK_ERR_LIMIT ? KK_OK : rc;
}
