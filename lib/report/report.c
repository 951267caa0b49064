/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report.c - the client the tools on an outlet's machines send their
 * reports to the hub with (report.h).
 *
 * One libcurl handle per client, HTTPS with the peer and host verified,
 * no redirects, no proxy, a bounded answer and a timeout on every request.
 * The device token is read from a file that only its owner may read and
 * kept in locked memory as the whole "Authorization" header; the copy
 * curl's header list holds is wiped before it is freed.  A report the hub
 * could not take (no answer, 5xx) waits in a spool directory as a numbered
 * file ("<16 digits>.rpt": the path on the first line, then the body) and
 * goes out, oldest first, before the next report to the same path.  The
 * trade-off: the spool is a plain directory listing read on every post
 * (at most REPORT_SPOOL_MAX files, so a few hundred names), which keeps
 * no index that a crash could leave wrong; and curl's own request buffer
 * holds the token for the time of a request, which we cannot wipe.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kalkan/report.h"

#define TOKEN_MAX 512         /* bytes of a device token */
#define REPLY_MAX (64 * 1024) /* bytes of an answer kept */
#define PATH_MAX_LEN 512      /* bytes of an API path */
#define URL_CAP 2048
#define AUTH_PREFIX "Authorization: Bearer "
#define SPOOL_EXT ".rpt"
#define SPOOL_NAME_LEN 20 /* 16 digits and ".rpt" */
#define DEFAULT_TIMEOUT_MS 10000u

struct report_client {
    char *base;    /* the hub's URL, no trailing slash */
    char *ca_file; /* NULL: the system's store */
    char *spool;   /* NULL: no spool */
    uint32_t timeout_ms;
    bool loopback_http;      /* http:// to a loopback address */
    struct kk_secret *auth;  /* "Authorization: Bearer <token>", NUL-ended */
    CURL *curl;              /* reused, so the connection is too */
    uint64_t seq;            /* the next spool number */
    size_t spooled, dropped; /* files waiting; dropped for room or refused */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_OK;

static void curl_init_once(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* --- the token --- */

/* Reads the token file into c->auth: a regular file owned by the caller,
 * not readable by group or others, holding one line of visible ASCII. */
static int token_load(struct report_client *c, const char *path,
                      struct kk_diag *d)
{
    uint8_t raw[TOKEN_MAX + 2];
    struct stat sb;
    size_t n = 0, start = 0;
    ssize_t got = 0;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    int err = KK_OK;
    if (fd < 0) {
        err = errno == ENOENT ? KK_ERR_NOTFOUND : KK_ERR_IO;
        kk_diag_set(d, "token file %s: %s", path, strerror(errno));
        goto out;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        err = KK_ERR_INVAL;
        kk_diag_set(d, "token file %s: not a regular file", path);
        goto out;
    }
    if (sb.st_uid != geteuid() || (sb.st_mode & 077) != 0) {
        err = KK_ERR_PERM;
        kk_diag_set(d,
                    "token file %s: must belong to this user and have mode "
                    "0600 or stricter",
                    path);
        goto out;
    }
    do {
        got = read(fd, raw + n, sizeof raw - n);
        if (got > 0)
            n += (size_t)got;
    } while ((got > 0 || (got < 0 && errno == EINTR)) && n < sizeof raw);
    if (got < 0) {
        err = KK_ERR_IO;
        kk_diag_set(d, "token file %s: %s", path, strerror(errno));
        goto out;
    }
    while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == '\r' ||
                     raw[n - 1] == ' ' || raw[n - 1] == '\t'))
        n--;
    while (start < n && (raw[start] == ' ' || raw[start] == '\t'))
        start++;
    if (n - start == 0 || n - start > TOKEN_MAX) {
        err = KK_ERR_INVAL;
        kk_diag_set(d, "token file %s: no token, or one too long", path);
        goto out;
    }
    for (size_t i = start; i < n && err == KK_OK; i++) {
        if (raw[i] <= 0x20 || raw[i] >= 0x7F)
            err = KK_ERR_INVAL;
    }
    if (err != KK_OK) {
        kk_diag_set(d, "token file %s: the token must be one word", path);
        goto out;
    }
    err = kk_secret_new(sizeof AUTH_PREFIX + (n - start), &c->auth);
    if (err == KK_OK) {
        uint8_t *p = kk_secret_ptr(c->auth);
        memcpy(p, AUTH_PREFIX, sizeof AUTH_PREFIX - 1);
        memcpy(p + sizeof AUTH_PREFIX - 1, raw + start, n - start);
        p[sizeof AUTH_PREFIX - 1 + (n - start)] = '\0';
    }
out:
    kk_wipe(raw, sizeof raw);
    if (fd >= 0)
        close(fd);
    return err;
}

/* --- the hub's address --- */

static bool host_is_loopback(const char *h)
{
    bool dotted = h[0] != '\0';
    for (const char *p = h; *p != '\0'; p++)
        dotted = dotted && (isdigit((unsigned char)*p) || *p == '.');
    return strcmp(h, "localhost") == 0 || strcmp(h, "::1") == 0 ||
           strcmp(h, "[::1]") == 0 || (dotted && strncmp(h, "127.", 4) == 0);
}

/* https:// anywhere, http:// only to a loopback address (tests); no user
 * name or password in the URL, no query or fragment. */
static int url_check(struct report_client *c, const char *url,
                     struct kk_diag *d)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *user = NULL, *query = NULL;
    char *frag = NULL;
    int err = KK_OK;
    if (u == NULL) {
        err = KK_ERR_NOMEM;
        goto out;
    }
    if (strlen(url) >= URL_CAP / 2 ||
        curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        err = KK_ERR_INVAL;
        kk_diag_set(d, "hub url: not a URL");
        goto out;
    }
    if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
        curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK ||
        curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0) == CURLUE_OK) {
        err = KK_ERR_INVAL;
        kk_diag_set(d, "hub url: no user, query or fragment, please");
    } else if (strcmp(scheme, "http") == 0 && host_is_loopback(host)) {
        c->loopback_http = true;
    } else if (strcmp(scheme, "https") != 0) {
        err = KK_ERR_INVAL;
        kk_diag_set(d, "hub url: must be https:// (http:// only to a "
                       "loopback address)");
    }
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(query);
    curl_free(frag);
    curl_url_cleanup(u);
    return err;
}

static char *dup_str(const char *s)
{
    char *p = NULL;
    if (s != NULL) {
        size_t n = strlen(s) + 1;
        p = malloc(n);
        if (p != NULL)
            memcpy(p, s, n);
    }
    return p;
}

/* --- the spool --- */

static bool spool_name(const char *name, uint64_t *seq)
{
    uint64_t v = 0;
    bool ok =
        strlen(name) == SPOOL_NAME_LEN && strcmp(name + 16, SPOOL_EXT) == 0;
    for (size_t i = 0; ok && i < 16; i++) {
        ok = isdigit((unsigned char)name[i]) != 0;
        v = v * 10 + (uint64_t)(name[i] - '0');
    }
    if (ok)
        *seq = v;
    return ok;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The spooled numbers, oldest first, into *out (malloc'd; *n of them). */
static int spool_list(const struct report_client *c, uint64_t **out, size_t *n)
{
    DIR *dp = opendir(c->spool);
    struct dirent *de;
    size_t cap = 0;
    uint64_t *v = NULL;
    int err = KK_OK;
    *out = NULL;
    *n = 0;
    if (dp == NULL) {
        err = KK_ERR_IO;
        goto out;
    }
    for (de = readdir(dp); de != NULL && err == KK_OK; de = readdir(dp)) {
        uint64_t seq = 0;
        if (!spool_name(de->d_name, &seq))
            continue;
        if (*n == cap) {
            size_t ncap = cap == 0 ? 16 : cap * 2;
            uint64_t *nv = NULL;
            if (ncap > 4 * (size_t)REPORT_SPOOL_MAX) {
                break; /* a directory stuffed by someone else: the oldest */
            }
            nv = realloc(v, ncap * sizeof *v);
            if (nv == NULL) {
                err = KK_ERR_NOMEM;
                continue;
            }
            v = nv;
            cap = ncap;
        }
        v[(*n)++] = seq;
    }
    closedir(dp);
    if (err == KK_OK && *n > 1)
        qsort(v, *n, sizeof *v, cmp_u64);
    if (err == KK_OK)
        *out = v;
    else
        free(v);
    if (err != KK_OK)
        *n = 0;
out:
    return err;
}

static void spool_file(const struct report_client *c, uint64_t seq, char *out,
                       size_t cap)
{
    snprintf(out, cap, "%s/%016llu" SPOOL_EXT, c->spool,
             (unsigned long long)seq);
}

static void spool_drop(struct report_client *c, uint64_t seq)
{
    char f[PATH_MAX_LEN * 2];
    spool_file(c, seq, f, sizeof f);
    if (unlink(f) == 0 && c->spooled > 0)
        c->spooled--;
}

/* Creates the spool directory (0700) if needed, checks it is ours and
 * closed to others, and counts what waits in it. */
static int spool_open(struct report_client *c, struct kk_diag *d)
{
    struct stat sb;
    uint64_t *v = NULL;
    size_t n = 0;
    int err = KK_OK;
    if (mkdir(c->spool, 0700) != 0 && errno != EEXIST) {
        err = KK_ERR_IO;
        kk_diag_set(d, "spool %s: %s", c->spool, strerror(errno));
        goto out;
    }
    if (lstat(c->spool, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        err = KK_ERR_IO;
        kk_diag_set(d, "spool %s: not a directory", c->spool);
        goto out;
    }
    if (sb.st_uid != geteuid() || (sb.st_mode & 077) != 0) {
        err = KK_ERR_PERM;
        kk_diag_set(d, "spool %s: must belong to this user and have mode 0700",
                    c->spool);
        goto out;
    }
    err = spool_list(c, &v, &n);
    if (err == KK_OK) {
        c->spooled = n;
        c->seq = n > 0 ? v[n - 1] + 1 : 1;
    } else {
        kk_diag_set(d, "spool %s: cannot be read", c->spool);
    }
out:
    free(v);
    return err;
}

/* Keeps body for path in the spool, dropping the oldest past the limit. */
static int spool_add(struct report_client *c, const char *path,
                     const char *body, size_t len, struct kk_diag *d)
{
    char f[PATH_MAX_LEN * 2];
    struct kk_buf *b = NULL;
    uint64_t *v = NULL;
    size_t n = 0;
    int err = spool_list(c, &v, &n);
    for (size_t i = 0; err == KK_OK && n - i >= REPORT_SPOOL_MAX; i++) {
        spool_drop(c, v[i]);
        c->dropped++;
    }
    if (err == KK_OK) {
        b = kk_buf_new(REPORT_BODY_MAX + PATH_MAX_LEN + 2);
        err = b != NULL ? KK_OK : KK_ERR_NOMEM;
    }
    if (err == KK_OK)
        err = kk_buf_putf(b, "%s\n", path);
    if (err == KK_OK)
        err = kk_buf_put(b, body, len);
    if (err == KK_OK) {
        if (n > 0 && v[n - 1] >= c->seq)
            c->seq = v[n - 1] + 1;
        spool_file(c, c->seq, f, sizeof f);
        err =
            kk_file_write_atomic(f, kk_buf_data(b), kk_buf_len(b), 0600, NULL);
    }
    if (err == KK_OK) {
        c->seq++;
        c->spooled = n + 1 < REPORT_SPOOL_MAX ? n + 1 : REPORT_SPOOL_MAX;
    } else {
        kk_diag_set(d, "the report could not be spooled: %s", kk_strerror(err));
    }
    kk_buf_free(b);
    free(v);
    return err;
}

/* --- one request --- */

struct sink {
    struct kk_buf *b;
    bool over;
};

static size_t on_data(char *p, size_t size, size_t nmemb, void *ud)
{
    struct sink *s = ud;
    size_t n = size * nmemb;
    if (kk_buf_len(s->b) + n > REPLY_MAX || kk_buf_put(s->b, p, n) != KK_OK) {
        s->over = true;
        n = 0; /* stops the transfer */
    }
    return n;
}

/* One line of the answer's start for a diagnostic, control characters
 * turned into spaces. */
static void excerpt(const struct kk_buf *b, char *out, size_t cap)
{
    size_t n = kk_buf_len(b) < cap - 1 ? kk_buf_len(b) : cap - 1;
    const char *s = kk_buf_str(b);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        out[i] = ch < 0x20 || ch == 0x7F ? ' ' : (char)ch;
    }
    out[n] = '\0';
}

static void wipe_list(struct curl_slist *h)
{
    for (struct curl_slist *p = h; p != NULL; p = p->next) {
        if (p->data != NULL)
            kk_wipe(p->data, strlen(p->data));
    }
    curl_slist_free_all(h);
}

/* POSTs body to path; the answer's body into ans (reset first). */
static int send_one(struct report_client *c, const char *path, const char *body,
                    size_t len, struct kk_buf *ans, struct kk_diag *d)
{
    char url[URL_CAP], what[160];
    struct curl_slist *h = NULL, *t = NULL;
    struct sink s = {.b = ans, .over = false};
    long status = 0;
    CURLcode rc;
    int err = KK_OK;
    kk_buf_reset(ans);
    snprintf(url, sizeof url, "%s%s", c->base, path);
    h = curl_slist_append(NULL, "Content-Type: application/json");
    if (h != NULL)
        t = curl_slist_append(h, "Expect:");
    if (t != NULL)
        h = t;
    t = t != NULL ? curl_slist_append(h, (const char *)kk_secret_cptr(c->auth))
                  : NULL;
    if (t == NULL) {
        err = KK_ERR_NOMEM;
        goto out;
    }
    h = t;
    curl_easy_setopt(c->curl, CURLOPT_URL, url);
    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &s);
    rc = curl_easy_perform(c->curl);
    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
    if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && s.over)) {
        err = KK_ERR_IO;
        kk_diag_set(d, "hub not reached: %s", curl_easy_strerror(rc));
        goto out;
    }
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
    excerpt(ans, what, sizeof what);
    if (status >= 200 && status < 300 && !s.over) {
        err = KK_OK;
    } else if (status == 401 || status == 403) {
        err = KK_ERR_AUTH;
        kk_diag_set(d, "hub answered %ld: %s", status, what);
    } else if (status >= 400 && status < 500) {
        err = KK_ERR_INVAL;
        kk_diag_set(d, "hub answered %ld: %s", status, what);
    } else {
        err = KK_ERR_IO;
        kk_diag_set(d, "hub answered %ld%s: %s", status,
                    s.over ? " (answer too long)"
                    : status >= 300 && status < 400
                        ? " (redirects are not followed)"
                        : "",
                    what);
    }
out:
    wipe_list(h);
    return err;
}

/* Sends what waits for path, oldest first, until one cannot go. */
static int spool_flush(struct report_client *c, const char *path,
                       struct kk_buf *ans, struct kk_diag *d)
{
    uint64_t *v = NULL;
    size_t n = 0;
    struct kk_buf *b = kk_buf_new(REPORT_BODY_MAX + PATH_MAX_LEN + 2);
    int err = b != NULL ? spool_list(c, &v, &n) : KK_ERR_NOMEM;
    for (size_t i = 0; i < n && err == KK_OK; i++) {
        char f[PATH_MAX_LEN * 2];
        const char *s, *nl;
        size_t plen;
        kk_buf_reset(b);
        spool_file(c, v[i], f, sizeof f);
        if (kk_file_read(f, REPORT_BODY_MAX + PATH_MAX_LEN + 1, b, NULL) !=
            KK_OK) {
            spool_drop(c, v[i]); /* unreadable: it would block the rest */
            c->dropped++;
            continue;
        }
        s = kk_buf_str(b);
        nl = memchr(s, '\n', kk_buf_len(b));
        plen = nl != NULL ? (size_t)(nl - s) : 0;
        if (plen != strlen(path) || memcmp(s, path, plen) != 0)
            continue;
        err = send_one(c, path, nl + 1, kk_buf_len(b) - plen - 1, ans, d);
        if (err == KK_OK || err == KK_ERR_INVAL) {
            if (err == KK_ERR_INVAL)
                c->dropped++; /* the hub refused it: never again */
            spool_drop(c, v[i]);
            err = KK_OK;
        }
    }
    kk_buf_free(b);
    free(v);
    return err;
}

static bool path_ok(const char *path)
{
    size_t n = strlen(path);
    bool ok = n > 1 && n < PATH_MAX_LEN && path[0] == '/';
    for (size_t i = 0; ok && i < n; i++) {
        unsigned char ch = (unsigned char)path[i];
        ok = ch > 0x20 && ch < 0x7F && ch != '#';
    }
    return ok;
}

/* --- the API --- */

static int curl_setup(struct report_client *c, struct kk_diag *d)
{
    int err = KK_OK;
    c->curl = curl_easy_init();
    if (c->curl == NULL) {
        err = KK_ERR_NOMEM;
        kk_diag_set(d, "cannot start libcurl");
        goto out;
    }
    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR,
                     c->loopback_http ? "http" : "https");
    curl_easy_setopt(c->curl, CURLOPT_PROXY, "");
    curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (c->ca_file != NULL)
        curl_easy_setopt(c->curl, CURLOPT_CAINFO, c->ca_file);
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
    curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)(c->timeout_ms < 5000 ? c->timeout_ms : 5000));
    curl_easy_setopt(c->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)REPLY_MAX);
    curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "kalkan-report/1");
out:
    return err;
}

int report_client_new(const struct report_opts *o, struct report_client **out,
                      struct kk_diag *d)
{
    struct report_client *c = NULL;
    size_t n;
    int err = KK_OK;
    *out = NULL;
    if (o == NULL || o->url == NULL || o->token_file == NULL) {
        err = KK_ERR_INVAL;
        kk_diag_set(d, "the hub's url and token file are needed");
        goto out;
    }
    pthread_once(&curl_once, curl_init_once);
    if (curl_init_rc != CURLE_OK) {
        err = KK_ERR_SYSTEM;
        kk_diag_set(d, "cannot start libcurl");
        goto out;
    }
    c = calloc(1, sizeof *c);
    if (c == NULL) {
        err = KK_ERR_NOMEM;
        goto out;
    }
    c->timeout_ms = o->timeout_ms != 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
    c->base = dup_str(o->url);
    c->ca_file = dup_str(o->ca_file);
    c->spool = dup_str(o->spool_dir);
    if (c->base == NULL || (o->ca_file != NULL && c->ca_file == NULL) ||
        (o->spool_dir != NULL && c->spool == NULL)) {
        err = KK_ERR_NOMEM;
        goto out;
    }
    n = strlen(c->base);
    while (n > 0 && c->base[n - 1] == '/')
        c->base[--n] = '\0';
    err = url_check(c, c->base, d);
    if (err == KK_OK)
        err = token_load(c, o->token_file, d);
    if (err == KK_OK && c->spool != NULL)
        err = spool_open(c, d);
    if (err == KK_OK)
        err = curl_setup(c, d);
out:
    if (err == KK_OK)
        *out = c;
    else
        report_client_free(c);
    return err;
}

void report_client_free(struct report_client *c)
{
    if (c != NULL) {
        if (c->curl != NULL)
            curl_easy_cleanup(c->curl);
        kk_secret_free(c->auth);
        free(c->base);
        free(c->ca_file);
        free(c->spool);
        free(c);
    }
}

int report_post(struct report_client *c, const char *path, const char *body,
                size_t len, struct kk_buf *reply, struct kk_diag *d)
{
    struct kk_buf *ans = kk_buf_new(REPLY_MAX + 1);
    int err = KK_OK;
    if (ans == NULL) {
        err = KK_ERR_NOMEM;
        goto out;
    }
    if (c == NULL || path == NULL || body == NULL || !path_ok(path) ||
        len > REPORT_BODY_MAX) {
        err = KK_ERR_INVAL;
        kk_diag_set(d, "report: a path starting with / and a body of at "
                       "most 1 MiB are needed");
        goto out;
    }
    if (c->spool != NULL && c->spooled > 0)
        err = spool_flush(c, path, ans, d);
    /* The hub did not take the older ones: this one waits behind them
     * rather than costing another timeout. */
    if (err == KK_OK)
        err = send_one(c, path, body, len, ans, d);
    if (err == KK_OK && reply != NULL)
        err = kk_buf_put(reply, kk_buf_data(ans), kk_buf_len(ans));
    if ((err == KK_ERR_IO || err == KK_ERR_AUTH) && c->spool != NULL) {
        int e = spool_add(c, path, body, len, NULL);
        if (e != KK_OK)
            kk_diag_set(d, "the report could not be spooled: %s",
                        kk_strerror(e));
    }
out:
    kk_buf_free(ans);
    return err;
}

size_t report_spooled(const struct report_client *c)
{
    return c != NULL ? c->spooled : 0;
}

size_t report_dropped(const struct report_client *c)
{
    return c != NULL ? c->dropped : 0;
}
