/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cms.c - which CMS a site runs and in which version, whether that version
 * is still current, and the two WordPress doors most often abused from
 * outside: user enumeration and XML-RPC.
 *
 * The CMS is read first from what the home page already shows (generator
 * tag, asset paths, headers), and only then, when needed, from one more
 * page (the feed, the login page, Joomla's manifest): at most three extra
 * requests.  Versions are judged against a small list of current releases
 * (data/cms-releases.txt, compiled in, replaceable by a file), not against
 * a vulnerability database: "your WordPress is two years old" is what a
 * newsroom can act on, and the list is easy to keep current.  The price is
 * that a fingerprint can lie (a cached page, a faked generator); that is
 * why cms.detected is only information.
 *
 * Nothing here logs in or tries a password: the user list is read from
 * what WordPress publishes, and XML-RPC is asked only for its method list.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exposure.h"

/* ---- version numbers ---- */

bool site_ver_scan(const char *p, size_t n, struct site_ver *out)
{
    struct site_ver v;
    size_t i = 0;

    memset(&v, 0, sizeof v);
    while (v.n < SITE_VER_PARTS && i < n && isdigit((unsigned char)p[i])) {
        unsigned x = 0;
        size_t digits = 0;
        while (i < n && isdigit((unsigned char)p[i]) && digits < 6) {
            x = x * 10 + (unsigned)(p[i] - '0');
            i++;
            digits++;
        }
        if (i < n && isdigit((unsigned char)p[i])) {
            return false; /* a part of more than six digits */
        }
        v.v[v.n++] = x;
        if (i + 1 < n && p[i] == '.' && isdigit((unsigned char)p[i + 1])) {
            i++;
        } else {
            break;
        }
    }
    if (v.n == 0) {
        return false;
    }
    *out = v;
    return true;
}

int site_ver_parse(const char *s, size_t len, struct site_ver *out)
{
    struct site_ver v;
    size_t dots = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.') {
            if (i == 0 || i + 1 == len || s[i - 1] == '.') {
                return KK_ERR_INVAL;
            }
            dots++;
        } else if (!isdigit((unsigned char)s[i])) {
            return KK_ERR_INVAL;
        }
    }
    if (len == 0 || dots >= SITE_VER_PARTS || !site_ver_scan(s, len, &v) ||
        v.n != dots + 1) {
        return KK_ERR_INVAL;
    }
    *out = v;
    return KK_OK;
}

int site_ver_cmp(const struct site_ver *a, const struct site_ver *b)
{
    for (size_t i = 0; i < SITE_VER_PARTS; i++) {
        unsigned x = i < a->n ? a->v[i] : 0;
        unsigned y = i < b->n ? b->v[i] : 0;
        if (x != y) {
            return x < y ? -1 : 1;
        }
    }
    return 0;
}

void site_ver_format(const struct site_ver *v, char *out, size_t cap)
{
    size_t l = 0;
    if (cap == 0) {
        return;
    }
    out[0] = '\0';
    for (size_t i = 0; i < v->n && i < SITE_VER_PARTS; i++) {
        int k = snprintf(out + l, cap - l, "%s%u", i > 0 ? "." : "", v->v[i]);
        if (k < 0 || (size_t)k >= cap - l) {
            return;
        }
        l += (size_t)k;
    }
}

/* ---- fingerprints ---- */

const char *site_cms_name(enum site_cms_kind k)
{
    static const char *const names[] = {"", "WordPress", "Joomla", "Drupal"};
    return (unsigned)k < 4 ? names[k] : "";
}

const char *site_cms_key(enum site_cms_kind k)
{
    static const char *const keys[] = {"", "wordpress", "joomla", "drupal"};
    return (unsigned)k < 4 ? keys[k] : "";
}

static bool has(const char *p, size_t n, const char *needle)
{
    return site_exp_find(p, n, needle) < n;
}

static bool starts_ci(const char *p, size_t n, const char *prefix)
{
    size_t m = strlen(prefix);
    return n >= m && strncasecmp(p, prefix, m) == 0;
}

/*
 * The value of attribute name in the tag of tl bytes at t (from "<meta" to
 * before ">"), quoted or not.  Borrowed from t.
 */
static bool attr_value(const char *t, size_t tl, const char *name,
                       const char **v, size_t *vl)
{
    size_t nl = strlen(name);
    size_t off = 0;
    while (off < tl) {
        size_t i = site_exp_find(t + off, tl - off, name);
        if (i >= tl - off) {
            return false;
        }
        size_t a = off + i;
        size_t j = a + nl;
        off = j;
        if (a == 0 || !isspace((unsigned char)t[a - 1])) {
            continue;
        }
        while (j < tl && isspace((unsigned char)t[j])) {
            j++;
        }
        if (j >= tl || t[j] != '=') {
            continue;
        }
        j++;
        while (j < tl && isspace((unsigned char)t[j])) {
            j++;
        }
        if (j < tl && (t[j] == '"' || t[j] == '\'')) {
            const char *e = memchr(t + j + 1, t[j], tl - j - 1);
            if (e == NULL) {
                return false;
            }
            *v = t + j + 1;
            *vl = (size_t)(e - *v);
            return true;
        }
        size_t s = j;
        while (j < tl && !isspace((unsigned char)t[j]) && t[j] != '/') {
            j++;
        }
        *v = t + s;
        *vl = j - s;
        return true;
    }
    return false;
}

/* Reads a generator string ("WordPress 5.8.1", "Joomla! - Open Source
 * Content Management", "Drupal 10 (https://www.drupal.org)"). */
static bool from_generator(const char *g, size_t gl, struct site_cms *out)
{
    static const struct {
        const char *prefix;
        enum site_cms_kind kind;
    } gens[] = {
        {"WordPress", SITE_CMS_WORDPRESS},
        {"Joomla!", SITE_CMS_JOOMLA},
        {"Joomla", SITE_CMS_JOOMLA},
        {"Drupal", SITE_CMS_DRUPAL},
    };
    while (gl > 0 && isspace((unsigned char)*g)) {
        g++;
        gl--;
    }
    for (size_t i = 0; i < sizeof gens / sizeof gens[0]; i++) {
        size_t pl = strlen(gens[i].prefix);
        if (!starts_ci(g, gl, gens[i].prefix)) {
            continue;
        }
        memset(out, 0, sizeof *out);
        out->kind = gens[i].kind;
        if (pl < gl && g[pl] == ' ') {
            struct site_ver v;
            if (site_ver_scan(g + pl + 1, gl - pl - 1, &v)) {
                out->ver = v;
            }
        }
        return true;
    }
    return false;
}

/* Whether the URL of ul bytes is on this site: relative, or naming host. */
static bool url_local(const char *u, size_t ul, const char *host)
{
    size_t i;
    size_t hl = strlen(host);
    if (starts_ci(u, ul, "https://")) {
        i = 8;
    } else if (starts_ci(u, ul, "http://")) {
        i = 7;
    } else if (ul >= 2 && u[0] == '/' && u[1] == '/') {
        i = 2;
    } else {
        return site_exp_find(u, ul, "://") >= ul;
    }
    if (starts_ci(u + i, ul - i, "www.")) {
        i += 4;
    }
    if (hl > 4 && strncasecmp(host, "www.", 4) == 0) {
        host += 4;
        hl -= 4;
    }
    return ul - i >= hl && strncasecmp(u + i, host, hl) == 0 &&
           (ul - i == hl || u[i + hl] == '/' || u[i + hl] == ':');
}

/* The bounds of the URL around offset at in p: back to a quote, "(", "="
 * or white space, forward to a quote, ")" or white space. */
static void url_around(const char *p, size_t n, size_t at, size_t *s, size_t *e)
{
    static const char back[] = "\"'()<> \t\r\n=,";
    static const char fwd[] = "\"'()<> \t\r\n,";
    size_t a = at;
    size_t b = at;
    size_t lim = 0;
    while (a > 0 && lim < 1024 && p[a - 1] != '\0' &&
           strchr(back, p[a - 1]) == NULL) {
        a--;
        lim++;
    }
    lim = 0;
    while (b < n && lim < 2048 && p[b] != '\0' && strchr(fwd, p[b]) == NULL) {
        b++;
        lim++;
    }
    *s = a;
    *e = b;
}

/* WordPress asset paths on this site, with the ?ver= of a core asset. */
static void wp_assets(const char *p, size_t n, const char *host, bool *seen,
                      struct site_ver *ver)
{
    static const char *const marks[] = {"/wp-includes/", "/wp-content/"};
    for (size_t m = 0; m < 2; m++) {
        size_t off = 0;
        size_t count = 0;
        while (off < n && count < 256) {
            size_t i = site_exp_find(p + off, n - off, marks[m]);
            if (i >= n - off) {
                break;
            }
            size_t s;
            size_t e;
            url_around(p, n, off + i, &s, &e);
            off = off + i + strlen(marks[m]);
            count++;
            if (!url_local(p + s, e - s, host)) {
                continue;
            }
            *seen = true;
            if (m != 0 || ver->n != 0 || has(p + s, e - s, "/js/jquery/") ||
                has(p + s, e - s, "/vendor/")) {
                continue;
            }
            size_t q = site_exp_find(p + s, e - s, "ver=");
            if (q >= e - s) {
                continue;
            }
            const char *vs = p + s + q + 4;
            size_t vl = 0;
            while (s + q + 4 + vl < e && vs[vl] != '&' && vs[vl] != '#' &&
                   vs[vl] != ';') {
                vl++;
            }
            struct site_ver v;
            if (site_ver_parse(vs, vl, &v) == KK_OK && v.n >= 2) {
                *ver = v;
            }
        }
    }
}

void site_cms_from_html(const char *p, size_t n, const char *host,
                        struct site_cms *io)
{
    struct site_cms gen;
    bool have_gen = false;
    size_t off = 0;
    size_t metas = 0;

    memset(&gen, 0, sizeof gen);
    while (off < n && metas < 256 && !have_gen) {
        size_t i = site_exp_find(p + off, n - off, "<meta");
        if (i >= n - off) {
            break;
        }
        size_t s = off + i + 5;
        const char *gt = memchr(p + s, '>', n - s);
        size_t e = gt != NULL ? (size_t)(gt - p) : n;
        off = e;
        metas++;
        const char *v;
        size_t vl;
        if (e - s > 2048 || !attr_value(p + s, e - s, "name", &v, &vl) ||
            vl != 9 || strncasecmp(v, "generator", 9) != 0 ||
            !attr_value(p + s, e - s, "content", &v, &vl)) {
            continue;
        }
        have_gen = from_generator(v, vl, &gen);
    }
    struct site_cms found = gen;
    if (!have_gen) {
        bool wp = false;
        struct site_ver ver;
        memset(&ver, 0, sizeof ver);
        wp_assets(p, n, host, &wp, &ver);
        memset(&found, 0, sizeof found);
        if (wp) {
            found.kind = SITE_CMS_WORDPRESS;
            found.ver = ver;
        } else if (has(p, n, "/media/jui/") ||
                   has(p, n, "/media/system/js/core") ||
                   has(p, n, "/components/com_")) {
            found.kind = SITE_CMS_JOOMLA;
        } else if (has(p, n, "data-drupal-selector") ||
                   has(p, n, "drupal-settings-json") ||
                   has(p, n, "/sites/default/files/") ||
                   has(p, n, "/core/misc/drupal.js")) {
            found.kind = SITE_CMS_DRUPAL;
        }
    }
    if (found.kind == SITE_CMS_NONE) {
        return;
    }
    if (io->kind == SITE_CMS_NONE) {
        *io = found;
    } else if (io->kind == found.kind &&
               (io->ver.n == 0 || (have_gen && found.ver.n > 0))) {
        io->ver = found.ver.n > 0 ? found.ver : io->ver;
    }
}

void site_cms_from_header(const char *name, const char *value,
                          struct site_cms *io)
{
    struct site_cms found;
    size_t vl = strlen(value);
    memset(&found, 0, sizeof found);
    if (strcmp(name, "x-generator") == 0) {
        if (!from_generator(value, vl, &found)) {
            return;
        }
    } else if (strcmp(name, "x-drupal-cache") == 0 ||
               strcmp(name, "x-drupal-dynamic-cache") == 0) {
        found.kind = SITE_CMS_DRUPAL;
    } else if (strcmp(name, "link") == 0 && has(value, vl, "api.w.org")) {
        found.kind = SITE_CMS_WORDPRESS;
    } else {
        return;
    }
    if (io->kind == SITE_CMS_NONE) {
        *io = found;
    } else if (io->kind == found.kind && io->ver.n == 0) {
        io->ver = found.ver;
    }
}

bool site_cms_feed_version(const char *p, size_t n, struct site_ver *out)
{
    size_t h = n < 65536 ? n : 65536;
    size_t g = site_exp_find(p, h, "<generator>");
    if (g >= h) {
        return false;
    }
    size_t s = g + 11;
    size_t e = s + site_exp_find(p + s, h - s, "</generator>");
    if (e >= h) {
        return false;
    }
    size_t v = site_exp_find(p + s, e - s, "wordpress.org/?v=");
    if (v >= e - s) {
        return false;
    }
    size_t vs = s + v + 17;
    return site_ver_scan(p + vs, e - vs, out);
}

bool site_cms_is_wp_login(const char *p, size_t n)
{
    size_t h = n < 65536 ? n : 65536;
    return has(p, h, "loginform") &&
           (has(p, h, "user_login") || has(p, h, "name=\"log\"") ||
            has(p, h, "name='log'")) &&
           (has(p, h, "user_pass") || has(p, h, "name=\"pwd\"") ||
            has(p, h, "name='pwd'"));
}

bool site_cms_joomla_manifest(const char *p, size_t n, struct site_ver *out)
{
    size_t h = n < 65536 ? n : 65536;
    if (!has(p, h, "<extension") || !has(p, h, "files_joomla")) {
        return false;
    }
    size_t v = site_exp_find(p, h, "<version>");
    if (v >= h) {
        return false;
    }
    size_t s = v + 9;
    while (s < h && isspace((unsigned char)p[s])) {
        s++;
    }
    return site_ver_scan(p + s, h - s, out);
}

/* ---- the list of current releases ---- */

static bool name_ok(const char *s, size_t l)
{
    if (l == 0 || l >= SITE_CMS_NAME_MAX) {
        return false;
    }
    for (size_t i = 0; i < l; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (!(islower(ch) || isdigit(ch) || ch == '-')) {
            return false;
        }
    }
    return true;
}

static bool date_ok(const char *s, size_t l)
{
    char buf[16];
    int64_t t;
    static const char pat[] = "dddd-dd-dd";
    if (l != 10) {
        return false;
    }
    for (size_t i = 0; i < l; i++) {
        if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != '-') {
            return false;
        }
    }
    memcpy(buf, s, l);
    buf[l] = '\0';
    return kk_parse_time(buf, &t) == KK_OK;
}

static bool ver_prefix(const struct site_ver *branch, const struct site_ver *v)
{
    if (branch->n > v->n) {
        return false;
    }
    for (size_t i = 0; i < branch->n; i++) {
        if (branch->v[i] != v->v[i]) {
            return false;
        }
    }
    return true;
}

/* Splits a line into at most 5 white-space separated fields, stopping at
 * a "#"; returns the number of fields (5: too many). */
static size_t fields(const char *s, size_t m, const char *f[5], size_t fl[5])
{
    size_t nf = 0;
    size_t i = 0;
    while (i < m) {
        while (i < m && (s[i] == ' ' || s[i] == '\t')) {
            i++;
        }
        if (i >= m || s[i] == '#') {
            break;
        }
        size_t st = i;
        while (i < m && s[i] != ' ' && s[i] != '\t') {
            i++;
        }
        if (nf == 5) {
            return 5;
        }
        f[nf] = s + st;
        fl[nf] = i - st;
        nf++;
    }
    return nf;
}

static int parse_line(const char *s, size_t m, unsigned line,
                      struct site_cms_rel *r, struct kk_diag *d)
{
    const char *f[5];
    size_t fl[5];
    size_t nf = fields(s, m, f, fl);
    if (nf < 3 || nf > 4) {
        kk_diag_set(d,
                    "line %u: expected NAME BRANCH LATEST [YYYY-MM-DD], "
                    "found %zu fields",
                    line, nf);
        return KK_ERR_INVAL;
    }
    if (!name_ok(f[0], fl[0])) {
        kk_diag_set(d,
                    "line %u: the name must be lower-case letters, "
                    "digits and '-'",
                    line);
        return KK_ERR_INVAL;
    }
    memset(r, 0, sizeof *r);
    memcpy(r->name, f[0], fl[0]);
    if (site_ver_parse(f[1], fl[1], &r->branch) != KK_OK || r->branch.n > 3) {
        kk_diag_set(d, "line %u: the branch must be like 6 or 10.5", line);
        return KK_ERR_INVAL;
    }
    if (site_ver_parse(f[2], fl[2], &r->latest) != KK_OK) {
        kk_diag_set(d, "line %u: the latest release must be like 6.8.3", line);
        return KK_ERR_INVAL;
    }
    if (!ver_prefix(&r->branch, &r->latest)) {
        kk_diag_set(d, "line %u: the latest release is not in its branch",
                    line);
        return KK_ERR_INVAL;
    }
    if (nf == 4 && !date_ok(f[3], fl[3])) {
        kk_diag_set(d, "line %u: the date must be YYYY-MM-DD", line);
        return KK_ERR_INVAL;
    }
    return KK_OK;
}

int site_cms_releases_parse(const char *text, size_t len,
                            struct site_cms_releases *out, struct kk_diag *d)
{
    struct site_cms_releases *l = calloc(1, sizeof *l);
    struct kk_span sp = kk_span_make(text, len);
    const char *s;
    size_t m;
    unsigned line = 0;
    int rc = KK_ERR_NOMEM;

    if (l == NULL) {
        goto out;
    }
    for (;;) {
        rc = kk_span_get_line(&sp, 256, &s, &m);
        if (rc == KK_ERR_NOTFOUND) {
            rc = KK_OK;
            break;
        }
        line++;
        if (rc != KK_OK) {
            kk_diag_set(d, "line %u: %s", line,
                        rc == KK_ERR_LIMIT ? "longer than 256 bytes"
                                           : "contains a NUL byte");
            rc = KK_ERR_INVAL;
            goto out;
        }
        if (m > 0 && s[m - 1] == '\r') {
            m--;
        }
        const char *f[5];
        size_t fl[5];
        if (fields(s, m, f, fl) == 0) {
            continue;
        }
        if (l->n == SITE_CMS_REL_MAX) {
            kk_diag_set(d, "line %u: more than %d releases", line,
                        SITE_CMS_REL_MAX);
            rc = KK_ERR_LIMIT;
            goto out;
        }
        struct site_cms_rel *r = &l->rel[l->n];
        rc = parse_line(s, m, line, r, d);
        if (rc != KK_OK) {
            goto out;
        }
        for (size_t i = 0; i < l->n; i++) {
            if (strcmp(l->rel[i].name, r->name) == 0 &&
                l->rel[i].branch.n == r->branch.n &&
                site_ver_cmp(&l->rel[i].branch, &r->branch) == 0) {
                kk_diag_set(d, "line %u: %s %.*s is listed twice", line,
                            r->name, (int)fl[1], f[1]);
                rc = KK_ERR_INVAL;
                goto out;
            }
        }
        l->n++;
    }
    if (l->n == 0) {
        kk_diag_set(d, "the list names no release");
        rc = KK_ERR_INVAL;
        goto out;
    }
    *out = *l;
out:
    free(l);
    return rc;
}

int site_cms_releases_load(const char *path, struct site_cms_releases *out,
                           struct kk_diag *d)
{
    struct kk_buf *b = NULL;
    int rc;
    struct kk_diag sub;

    memset(&sub, 0, sizeof sub);
    if (path == NULL) {
        const struct site_text_file *f = &site_cms_release_files[0];
        if (f->name == NULL) {
            return KK_ERR_NOTFOUND;
        }
        rc = site_cms_releases_parse((const char *)f->data, f->len, out, &sub);
        if (rc != KK_OK) {
            kk_diag_set(d, "the built-in CMS release list: %s", sub.msg);
        }
        return rc;
    }
    b = kk_buf_new(SITE_CMS_REL_BYTES);
    if (b == NULL) {
        return KK_ERR_NOMEM;
    }
    rc = kk_file_read(path, SITE_CMS_REL_BYTES, b, &sub);
    if (rc != KK_OK) {
        kk_diag_set(d, "%.200s: %s", path,
                    rc == KK_ERR_LIMIT ? "larger than 64 KiB" : sub.msg);
        goto out;
    }
    rc = site_cms_releases_parse(kk_buf_str(b), kk_buf_len(b), out, &sub);
    if (rc != KK_OK) {
        kk_diag_set(d, "%.200s: %s", path, sub.msg);
    }
out:
    kk_buf_free(b);
    return rc;
}

int site_cms_releases_check(const char *path, struct kk_diag *d)
{
    struct site_cms_releases *l = malloc(sizeof *l);
    int rc;
    if (l == NULL) {
        return KK_ERR_NOMEM;
    }
    rc = site_cms_releases_load(path, l, d);
    free(l);
    return rc;
}

bool site_cms_outdated(const struct site_cms_releases *l, const char *key,
                       const struct site_ver *v, char *current, size_t cap)
{
    const struct site_cms_rel *best = NULL;  /* longest matching branch */
    const struct site_cms_rel *major = NULL; /* newest of v's major */
    const struct site_cms_rel *newest = NULL;
    const struct site_cms_rel *target = NULL;
    bool older_than_all = true;

    if (v->n == 0) {
        return false;
    }
    for (size_t i = 0; i < l->n; i++) {
        const struct site_cms_rel *r = &l->rel[i];
        if (strcmp(r->name, key) != 0) {
            continue;
        }
        if (ver_prefix(&r->branch, v) &&
            (best == NULL || r->branch.n > best->branch.n)) {
            best = r;
        }
        if (r->branch.v[0] == v->v[0] &&
            (major == NULL || site_ver_cmp(&r->latest, &major->latest) > 0)) {
            major = r;
        }
        if (newest == NULL || site_ver_cmp(&r->latest, &newest->latest) > 0) {
            newest = r;
        }
        if (site_ver_cmp(v, &r->latest) >= 0) {
            older_than_all = false;
        }
    }
    if (v->n == 1 && major != NULL) {
        return false; /* "Drupal 10": which 10.x is unknown */
    }
    if (best != NULL) {
        target = site_ver_cmp(v, &best->latest) < 0 ? best : NULL;
    } else if (major != NULL) {
        target = site_ver_cmp(v, &major->latest) < 0 ? major : NULL;
    } else if (newest != NULL && older_than_all) {
        target = newest;
    }
    if (target == NULL) {
        return false;
    }
    char b[32];
    char t[32];
    site_ver_format(&target->branch, b, sizeof b);
    site_ver_format(&target->latest, t, sizeof t);
    snprintf(current, cap, "%s.x is %s", b, t);
    return true;
}

/* ---- WordPress answers ---- */

static bool slug_clean(const char *s, size_t l)
{
    if (l == 0 || l >= SITE_WP_SLUG_MAX) {
        return false;
    }
    for (size_t i = 0; i < l; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (!(isalnum(ch) || ch == '.' || ch == '_' || ch == '-' ||
              ch == '%')) {
            return false;
        }
    }
    return true;
}

bool site_wp_author_slug(const char *location, char *out, size_t cap)
{
    size_t n = strlen(location);
    size_t a = site_exp_find(location, n, "/author/");
    if (a >= n) {
        return false;
    }
    const char *s = location + a + 8;
    size_t l = strcspn(s, "/?#");
    if (!slug_clean(s, l) || l >= cap) {
        return false;
    }
    memcpy(out, s, l);
    out[l] = '\0';
    return true;
}

/* Reads a JSON string starting at p[*i] == '"'; returns its raw bounds and
 * whether it had an escape; false when unterminated. */
static bool json_string(const char *p, size_t n, size_t *i, size_t *s,
                        size_t *e, bool *escaped)
{
    size_t j = *i + 1;
    *escaped = false;
    while (j < n && p[j] != '"') {
        if (p[j] == '\\') {
            *escaped = true;
            j++;
        }
        j++;
    }
    if (j >= n) {
        return false;
    }
    *s = *i + 1;
    *e = j;
    *i = j + 1;
    return true;
}

size_t site_wp_users_slugs(const char *p, size_t n,
                           char slugs[][SITE_WP_SLUG_MAX], size_t max)
{
    size_t i = 0;
    size_t depth = 0;
    size_t found = 0;

    while (i < n && isspace((unsigned char)p[i])) {
        i++;
    }
    if (i >= n || p[i] != '[') {
        return 0;
    }
    while (i < n && found < max) {
        char ch = p[i];
        if (ch == '[' || ch == '{') {
            if (++depth > 64) {
                break;
            }
            i++;
            continue;
        }
        if (ch == ']' || ch == '}') {
            if (depth == 0 || --depth == 0) {
                break;
            }
            i++;
            continue;
        }
        if (ch != '"') {
            i++;
            continue;
        }
        size_t s;
        size_t e;
        bool esc;
        if (!json_string(p, n, &i, &s, &e, &esc)) {
            break;
        }
        if (depth != 2 || esc || e - s != 4 || memcmp(p + s, "slug", 4) != 0) {
            continue;
        }
        size_t j = i;
        while (j < n && isspace((unsigned char)p[j])) {
            j++;
        }
        if (j >= n || p[j] != ':') {
            continue;
        }
        j++;
        while (j < n && isspace((unsigned char)p[j])) {
            j++;
        }
        if (j >= n || p[j] != '"') {
            continue;
        }
        i = j;
        if (!json_string(p, n, &i, &s, &e, &esc)) {
            break;
        }
        if (esc || !slug_clean(p + s, e - s)) {
            continue;
        }
        memcpy(slugs[found], p + s, e - s);
        slugs[found][e - s] = '\0';
        found++;
    }
    return found;
}

bool site_wp_xmlrpc_answer(const char *p, size_t n, bool *multicall)
{
    size_t h = n < 65536 ? n : 65536;
    if (!has(p, h, "<methodResponse") || !has(p, h, "<params") ||
        has(p, h, "<fault")) {
        return false;
    }
    *multicall = has(p, h, ">system.multicall<");
    return true;
}

bool site_wp_xmlrpc_get_only(const char *p, size_t n)
{
    size_t h = n < 4096 ? n : 4096;
    return has(p, h, "XML-RPC server accepts POST requests only");
}

/* ---- the stage's part ---- */

static const char *body_of(const struct site_resp *r, size_t *n)
{
    if (r->body == NULL) {
        *n = 0;
        return "";
    }
    *n = kk_buf_len(r->body);
    return (const char *)kk_buf_data(r->body);
}

/* GET path; *resp is cleared by the caller.  KK_ERR_LIMIT once the
 * budget is spent. */
static int get(struct site_exp *e, const char *path, struct site_resp *resp)
{
    return site_exp_get(e, path, "GET", NULL, resp);
}

static void from_home(struct site_exp *e)
{
    static const char *const hdrs[] = {"x-generator", "x-drupal-cache",
                                       "x-drupal-dynamic-cache", "link"};
    const struct site_resp *h = e->home;
    size_t n;
    const char *b = body_of(h, &n);
    char v[512];
    if (h->status >= 200 && h->status <= 299) {
        site_cms_from_html(b, n, e->c->host, &e->cms);
    }
    for (size_t i = 0; i < sizeof hdrs / sizeof hdrs[0]; i++) {
        for (size_t k = 0; k < 8; k++) {
            if (!site_resp_header_n(h, hdrs[i], k, v, sizeof v)) {
                break;
            }
            site_cms_from_header(hdrs[i], v, &e->cms);
        }
    }
}

/* One more page when the home page left the CMS or its version open. */
static int look_further(struct site_exp *e)
{
    struct site_resp r;
    size_t n;
    const char *b;
    struct site_ver v;
    int rc = KK_OK;

    memset(&r, 0, sizeof r);
    if (e->cms.kind == SITE_CMS_NONE) {
        rc = get(e, "/wp-login.php", &r);
        if (rc != KK_OK) {
            goto out;
        }
        b = body_of(&r, &n);
        if (site_exp_real(e, &r) && site_cms_is_wp_login(b, n)) {
            e->wp_login = true;
            e->cms.kind = SITE_CMS_WORDPRESS;
        }
        site_resp_clear(&r);
    }
    if (e->cms.kind == SITE_CMS_WORDPRESS && e->cms.ver.n == 0) {
        rc = get(e, "/feed/", &r);
        if (rc != KK_OK) {
            goto out;
        }
        b = body_of(&r, &n);
        if (site_exp_real(e, &r) && site_cms_feed_version(b, n, &v)) {
            e->cms.ver = v;
        }
    } else if (e->cms.kind == SITE_CMS_JOOMLA && e->cms.ver.n == 0) {
        rc = get(e, "/administrator/manifests/files/joomla.xml", &r);
        if (rc != KK_OK) {
            goto out;
        }
        b = body_of(&r, &n);
        if (site_exp_real(e, &r) && site_cms_joomla_manifest(b, n, &v)) {
            e->cms.ver = v;
        }
    }
out:
    site_resp_clear(&r);
    return rc;
}

static int judge_version(struct site_exp *e)
{
    struct site_cms_releases *l = NULL;
    char ver[40];
    char current[80];
    int rc = KK_OK;

    if (e->cms.ver.n == 0) {
        goto out;
    }
    l = malloc(sizeof *l);
    if (l == NULL) {
        rc = KK_ERR_NOMEM;
        goto out;
    }
    /* A bad list was refused by the command (site_cms_releases_check);
     * one that went bad since leaves the version unjudged. */
    if (site_cms_releases_load(e->c->o->cms_releases, l, NULL) != KK_OK) {
        goto out;
    }
    site_ver_format(&e->cms.ver, ver, sizeof ver);
    if (site_cms_outdated(l, site_cms_key(e->cms.kind), &e->cms.ver, current,
                          sizeof current)) {
        rc = site_add(e->c, "cms.outdated", "%s %s, current %s",
                      site_cms_name(e->cms.kind), ver, current);
    } else {
        rc = site_pass(e->c, "cms.outdated");
    }
out:
    free(l);
    return rc;
}

int site_cms_detect(struct site_exp *e)
{
    char ver[40];
    bool seen = e->home->status >= 200 && e->home->status <= 299;

    from_home(e);
    int rc = look_further(e);
    if (rc != KK_OK && rc != KK_ERR_LIMIT) {
        goto out;
    }
    site_ver_format(&e->cms.ver, ver, sizeof ver);
    if (e->cms.kind == SITE_CMS_NONE) {
        rc = seen ? site_pass(e->c, "cms.detected") : KK_OK;
    } else if (e->cms.ver.n > 0) {
        rc = site_add(e->c, "cms.detected", "%s %s", site_cms_name(e->cms.kind),
                      ver);
    } else {
        rc = site_add(e->c, "cms.detected", "%s (version hidden)",
                      site_cms_name(e->cms.kind));
    }
    if (rc == KK_OK && e->cms.kind != SITE_CMS_NONE) {
        rc = judge_version(e);
    }
out:
    return rc;
}

static const char xmlrpc_call[] =
    "<?xml version=\"1.0\"?><methodCall><methodName>system.listMethods"
    "</methodName><params></params></methodCall>";

/* The user slugs WordPress gives away: the redirect of /?author=1 and the
 * REST list of users.  *asked counts the requests that were answered. */
struct slugs {
    char s[SITE_WP_SLUGS_MAX][SITE_WP_SLUG_MAX];
    size_t n;
    char via[64];
    size_t answered;
};

static void slugs_add(struct slugs *sl, const char *slug)
{
    bool dup = false;
    for (size_t k = 0; k < sl->n; k++) {
        dup = dup || strcmp(sl->s[k], slug) == 0;
    }
    if (!dup && sl->n < SITE_WP_SLUGS_MAX) {
        snprintf(sl->s[sl->n++], SITE_WP_SLUG_MAX, "%s", slug);
    }
}

static void slugs_via(struct slugs *sl, const char *path)
{
    size_t l = strlen(sl->via);
    snprintf(sl->via + l, sizeof sl->via - l, "%s%s", l > 0 ? ", " : "", path);
}

static int collect_slugs(struct site_exp *e, struct slugs *sl)
{
    char more[SITE_WP_SLUGS_MAX][SITE_WP_SLUG_MAX];
    char one[SITE_WP_SLUG_MAX];
    struct site_resp r;
    size_t n;
    const char *b;
    int rc = get(e, "/?author=1", &r);
    if (rc != KK_OK) {
        goto out;
    }
    sl->answered += r.status > 0 ? 1 : 0;
    if (r.status >= 300 && r.status <= 399 &&
        site_wp_author_slug(r.location, one, sizeof one)) {
        slugs_add(sl, one);
        slugs_via(sl, "/?author=1");
    }
    site_resp_clear(&r);
    rc = get(e, "/wp-json/wp/v2/users", &r);
    if (rc != KK_OK) {
        goto out;
    }
    sl->answered += r.status > 0 ? 1 : 0;
    b = body_of(&r, &n);
    size_t nm = r.status == 200
                    ? site_wp_users_slugs(b, n, more, SITE_WP_SLUGS_MAX)
                    : 0;
    for (size_t i = 0; i < nm; i++) {
        slugs_add(sl, more[i]);
    }
    if (nm > 0) {
        slugs_via(sl, "/wp-json/wp/v2/users");
    }
out:
    site_resp_clear(&r);
    return rc;
}

static int user_enum(struct site_exp *e)
{
    struct slugs sl;
    memset(&sl, 0, sizeof sl);
    int rc = collect_slugs(e, &sl);
    if (rc != KK_OK && rc != KK_ERR_LIMIT) {
        goto out;
    }
    if (sl.n > 0) {
        rc = site_add(e->c, "wp.user_enum", "%s%s%s%s%s via %s", sl.s[0],
                      sl.n > 1 ? ", " : "", sl.n > 1 ? sl.s[1] : "",
                      sl.n > 2 ? ", " : "", sl.n > 2 ? sl.s[2] : "", sl.via);
    } else if (rc == KK_OK && sl.answered == 2) {
        rc = site_pass(e->c, "wp.user_enum");
    }
out:
    return rc;
}

static int xmlrpc(struct site_exp *e)
{
    struct site_resp r;
    bool multicall = false;
    size_t n;
    const char *b;
    int rc = site_exp_get(e, "/xmlrpc.php", "POST", xmlrpc_call, &r);
    if (rc != KK_OK) {
        goto out;
    }
    b = body_of(&r, &n);
    if (r.status == 200 && site_wp_xmlrpc_answer(b, n, &multicall)) {
        rc = site_add(e->c, "wp.xmlrpc", "%s",
                      multicall ? "system.multicall enabled"
                                : "XML-RPC enabled");
        goto out;
    }
    if (r.status == 200 && site_exp_find(b, n, "<methodResponse") < n) {
        rc = site_pass(e->c, "wp.xmlrpc"); /* a fault: switched off */
        goto out;
    }
    site_resp_clear(&r);
    rc = get(e, "/xmlrpc.php", &r);
    if (rc != KK_OK) {
        goto out;
    }
    b = body_of(&r, &n);
    if (site_wp_xmlrpc_get_only(b, n)) {
        rc = site_add(e->c, "wp.xmlrpc", "XML-RPC enabled");
    } else if (r.status > 0) {
        rc = site_pass(e->c, "wp.xmlrpc");
    }
out:
    site_resp_clear(&r);
    return rc;
}

int site_cms_wordpress(struct site_exp *e)
{
    if (e->cms.kind != SITE_CMS_WORDPRESS && !e->wp_login) {
        return KK_OK;
    }
    int rc = user_enum(e);
    if (rc == KK_OK) {
        rc = xmlrpc(e);
    }
    return rc;
}
