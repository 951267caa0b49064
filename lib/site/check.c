/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check.c - one check of one site: parse the target, resolve it, fetch the
 * home page once, then run the stages in order (dns, mail, tls, headers,
 * exposure, smtp) and grade the result.
 *
 * Stages run one after the other on the calling thread: the checker is
 * polite by design (one connection at a time per host), and a whole check
 * takes well under a second on a healthy site, so parallel stages would
 * buy little and cost the politeness.  Before any stage runs, the site
 * must answer on at least one web port; a site that does not is reported
 * as "unreachable", "timeout" or "blocked" (an anti-bot wall), never
 * graded as if it had been seen.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <idn2.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "site_int.h"

void site_opts_init(struct site_opts *o)
{
    memset(o, 0, sizeof *o);
}

int site_add(struct site_ctx *c, const char *id, const char *fmt, ...)
{
    char ev[KK_SITE_EVIDENCE_MAX + 1];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ev, sizeof ev, fmt, ap);
    va_end(ap);
    return site_report_add(c->r, id, ev);
}

int site_pass(struct site_ctx *c, const char *id)
{
    return site_report_pass(c->r, id);
}

int site_tls_take(struct site_ctx *c)
{
    if (c->r->handshakes >= KK_SITE_TLS_MAX) {
        return KK_ERR_LIMIT;
    }
    c->r->handshakes++;
    return KK_OK;
}

void site_stage(struct site_ctx *c, const char *stage)
{
    if (c->o->progress != NULL) {
        c->o->progress(c->o->progress_arg, stage);
    }
}

int site_connect(const struct site_ctx *c, const char *addr, unsigned port)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    memset(&ss, 0, sizeof ss);
    if (port == 0 || port > 65535) {
        return KK_ERR_INVAL;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        sl = sizeof *s4;
    } else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        sl = sizeof *s6;
    } else {
        return KK_ERR_INVAL;
    }
    int fd =
        socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        return KK_ERR_SYSTEM;
    }
    int rc = KK_ERR_IO;
    if (connect(fd, (struct sockaddr *)&ss, sl) != 0) {
        if (errno != EINPROGRESS) {
            goto out;
        }
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int pr = poll(&p, 1, (int)c->timeout_ms);
        if (pr == 0) {
            rc = KK_ERR_TIMEOUT;
            goto out;
        }
        int err = 0;
        socklen_t el = sizeof err;
        if (pr < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 ||
            err != 0) {
            goto out;
        }
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        goto out;
    }
    struct timeval tv = {.tv_sec = c->timeout_ms / 1000,
                         .tv_usec = (c->timeout_ms % 1000) * 1000};
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0) {
        goto out;
    }
    return fd;
out:
    close(fd);
    return rc;
}

int64_t site_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int site_send_all(int fd, const void *p, size_t len)
{
    const uint8_t *b = p;
    size_t done = 0;
    int rc = KK_OK;
    while (done < len) {
        ssize_t w = send(fd, b + done, len - done, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            rc = w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
                     ? KK_ERR_TIMEOUT
                     : KK_ERR_IO;
            break;
        }
        done += (size_t)w;
    }
    return rc;
}

int site_recv_until(int fd, void *buf, size_t cap, int64_t deadline,
                    size_t *got)
{
    int rc = KK_ERR_TIMEOUT;
    *got = 0;
    for (;;) {
        int64_t left = deadline - site_mono_ms();
        if (left <= 0) {
            break;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int pr = poll(&p, 1, (int)left);
        if (pr < 0 && errno == EINTR) {
            continue;
        }
        if (pr <= 0) {
            rc = pr == 0 ? KK_ERR_TIMEOUT : KK_ERR_IO;
            break;
        }
        ssize_t r = recv(fd, buf, cap, 0);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            rc = KK_ERR_TIMEOUT;
        } else if (r < 0 && errno != ECONNRESET) {
            rc = KK_ERR_IO;
        } else {
            *got = r > 0 ? (size_t)r : 0; /* 0: closed or reset */
            rc = KK_OK;
        }
        break;
    }
    return rc;
}

/* Copies the address part of a --resolve entry "HOST:PORT:ADDR" when HOST
 * and PORT match (PORT 0 matches any port). */
static bool resolve_match(const char *entry, const char *host, unsigned port,
                          char *out, size_t cap)
{
    const char *c1 = strchr(entry, ':');
    if (c1 == NULL) {
        return false;
    }
    const char *c2 = strchr(c1 + 1, ':');
    if (c2 == NULL || (size_t)(c1 - entry) != strlen(host) ||
        strncasecmp(entry, host, strlen(host)) != 0) {
        return false;
    }
    char ps[8];
    size_t pl = (size_t)(c2 - c1 - 1);
    uint64_t p;
    if (pl == 0 || pl >= sizeof ps) {
        return false;
    }
    memcpy(ps, c1 + 1, pl);
    ps[pl] = '\0';
    if (kk_parse_u64(ps, 1, 65535, &p) != KK_OK || (port != 0 && p != port)) {
        return false;
    }
    const char *a = c2 + 1;
    size_t al = strlen(a);
    if (al >= 2 && a[0] == '[' && a[al - 1] == ']') {
        a++;
        al -= 2;
    }
    if (al == 0 || al >= cap) {
        return false;
    }
    memcpy(out, a, al);
    out[al] = '\0';
    return true;
}

int site_addr_for(struct site_ctx *c, const char *host, unsigned port,
                  char *out, size_t cap)
{
    for (size_t i = 0; i < c->o->n_resolve; i++) {
        if (resolve_match(c->o->resolve[i], host, port, out, cap)) {
            return KK_OK;
        }
    }
    unsigned char tmp[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, host, tmp) == 1 ||
        inet_pton(AF_INET6, host, tmp) == 1) {
        if (strlen(host) >= cap) {
            return KK_ERR_TRUNC;
        }
        memcpy(out, host, strlen(host) + 1);
        return KK_OK;
    }
    char a4[SITE_ADDR_MAX] = "";
    char a6[SITE_ADDR_MAX] = "";
    int rc = site_dns_addrs(c, host, a4, sizeof a4, a6, sizeof a6);
    if (rc != KK_OK) {
        return rc;
    }
    const char *a = a4[0] != '\0' ? a4 : a6;
    if (a[0] == '\0' || strlen(a) >= cap) {
        return KK_ERR_NOTFOUND;
    }
    memcpy(out, a, strlen(a) + 1);
    return KK_OK;
}

static bool host_ok(const char *h)
{
    size_t n = strlen(h);
    size_t label = 0;
    if (n == 0 || n > KK_SITE_HOST_MAX || h[0] == '.' || h[0] == '-') {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)h[i];
        if (ch == '.') {
            if (label == 0) {
                return false;
            }
            label = 0;
            continue;
        }
        if (!(isalnum(ch) || ch == '-' || ch == '_') || ++label > 63) {
            return false;
        }
    }
    return true;
}

/* Parses "host", "host:port", "[v6]:port" or "scheme://host[:port][/path]"
 * into c. */
static int parse_target(struct site_ctx *c, const char *target,
                        struct kk_diag *d)
{
    const char *p = target;
    bool http_scheme = false;
    char hostbuf[KK_SITE_URL_MAX];
    size_t tl = strlen(target);

    if (tl == 0 || tl >= KK_SITE_URL_MAX) {
        kk_diag_set(d, "the target is empty or longer than %d bytes",
                    KK_SITE_URL_MAX - 1);
        return KK_ERR_INVAL;
    }
    for (size_t i = 0; i < tl; i++) {
        if ((unsigned char)target[i] <= ' ' || target[i] == 0x7f) {
            kk_diag_set(d, "the target contains a space or control byte");
            return KK_ERR_INVAL;
        }
    }
    if (strncasecmp(p, "https://", 8) == 0) {
        p += 8;
    } else if (strncasecmp(p, "http://", 7) == 0) {
        p += 7;
        http_scheme = true;
    } else if (strstr(p, "://") != NULL) {
        kk_diag_set(d, "only http:// and https:// targets can be checked");
        return KK_ERR_INVAL;
    }
    size_t hl = strcspn(p, "/?#");
    const char *rest = p + hl;
    if (hl == 0 || hl >= sizeof hostbuf) {
        kk_diag_set(d, "the target has no host name");
        return KK_ERR_INVAL;
    }
    memcpy(hostbuf, p, hl);
    hostbuf[hl] = '\0';
    if (strchr(hostbuf, '@') != NULL) {
        kk_diag_set(d, "the target must not contain a user name");
        return KK_ERR_INVAL;
    }
    char *port = NULL;
    char *h = hostbuf;
    if (h[0] == '[') {
        char *e = strchr(h, ']');
        if (e == NULL) {
            kk_diag_set(d, "the target has an unclosed '['");
            return KK_ERR_INVAL;
        }
        *e = '\0';
        h++;
        if (e[1] == ':') {
            port = e + 2;
        } else if (e[1] != '\0') {
            kk_diag_set(d, "unexpected text after ']' in the target");
            return KK_ERR_INVAL;
        }
    } else {
        char *colon = strchr(h, ':');
        if (colon != NULL) {
            *colon = '\0';
            port = colon + 1;
        }
    }
    if (port != NULL) {
        uint64_t pv;
        if (kk_parse_u64(port, 1, 65535, &pv) != KK_OK) {
            kk_diag_set(d, "the target's port is not a number from 1 to "
                           "65535");
            return KK_ERR_INVAL;
        }
        if (http_scheme) {
            c->http_port = (unsigned)pv;
        } else {
            c->https_port = (unsigned)pv;
        }
    }
    unsigned char tmp[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET6, h, tmp) == 1 || inet_pton(AF_INET, h, tmp) == 1) {
        c->host_is_ip = true;
        snprintf(c->host, sizeof c->host, "%s", h);
    } else {
        size_t n = strlen(h);
        while (n > 0 && h[n - 1] == '.') {
            h[--n] = '\0';
        }
        char *ascii = NULL;
        if (idn2_to_ascii_8z(h, &ascii, IDN2_NONTRANSITIONAL) != IDN2_OK ||
            !host_ok(ascii)) {
            free(ascii);
            kk_diag_set(d, "'%.100s' is not a valid host name", h);
            return KK_ERR_INVAL;
        }
        for (char *q = ascii; *q != '\0'; q++) {
            *q = (char)tolower((unsigned char)*q);
        }
        snprintf(c->host, sizeof c->host, "%s", ascii);
        free(ascii);
    }
    if (rest[0] == '/') {
        size_t pl = strcspn(rest, "#");
        if (pl >= sizeof c->path) {
            pl = sizeof c->path - 1;
        }
        memcpy(c->path, rest, pl);
        c->path[pl] = '\0';
    } else {
        memcpy(c->path, "/", 2);
    }
    return KK_OK;
}

static int check_opts(const struct site_opts *o, struct kk_diag *d)
{
    if (o->n_resolve > SITE_RESOLVE_MAX ||
        o->n_dkim_selectors > SITE_DKIM_SELECTORS_MAX) {
        kk_diag_set(d, "too many --resolve or --dkim-selector options");
        return KK_ERR_INVAL;
    }
    for (size_t i = 0; i < o->n_resolve; i++) {
        char a[SITE_ADDR_MAX];
        char host[KK_SITE_HOST_MAX + 1];
        unsigned char tmp[sizeof(struct in6_addr)];
        const char *e = o->resolve[i] != NULL ? o->resolve[i] : "";
        size_t hl = strcspn(e, ":");
        if (hl == 0 || hl > KK_SITE_HOST_MAX || e[hl] != ':') {
            goto bad;
        }
        memcpy(host, e, hl);
        host[hl] = '\0';
        if (!resolve_match(e, host, 0, a, sizeof a) ||
            (inet_pton(AF_INET, a, tmp) != 1 &&
             inet_pton(AF_INET6, a, tmp) != 1)) {
            goto bad;
        }
        continue;
    bad:
        kk_diag_set(d, "--resolve '%.100s' is not HOST:PORT:ADDRESS", e);
        return KK_ERR_INVAL;
    }
    if (o->http_port > 65535 || o->https_port > 65535 || o->smtp_port > 65535) {
        kk_diag_set(d, "a port is not a number from 1 to 65535");
        return KK_ERR_INVAL;
    }
    return KK_OK;
}

/* Anti-bot and firewall pages: the site is up but refuses the checker. */
static bool blocked_by_waf(const struct site_resp *r)
{
    char v[256];
    if (r->status != 403 && r->status != 429 && r->status != 503) {
        return false;
    }
    if (site_resp_header(r, "cf-ray", v, sizeof v) ||
        site_resp_header(r, "x-sucuri-id", v, sizeof v) ||
        site_resp_header(r, "x-deflect-cache", v, sizeof v)) {
        return true;
    }
    if (site_resp_header(r, "server", v, sizeof v) &&
        (strcasestr(v, "cloudflare") != NULL ||
         strcasestr(v, "ddos-guard") != NULL ||
         strcasestr(v, "sucuri") != NULL || strcasestr(v, "deflect") != NULL)) {
        return true;
    }
    const char *b = r->body != NULL ? kk_buf_str(r->body) : "";
    return strcasestr(b, "captcha") != NULL ||
           strcasestr(b, "attention required") != NULL ||
           strcasestr(b, "access denied") != NULL;
}

static void set_failure(struct site_report *r, const char *code,
                        const char *fmt, ...) KK_PRINTF(3, 4);

static void set_failure(struct site_report *r, const char *code,
                        const char *fmt, ...)
{
    va_list ap;
    snprintf(r->failure, sizeof r->failure, "%s", code);
    va_start(ap, fmt);
    vsnprintf(r->failure_detail, sizeof r->failure_detail, fmt, ap);
    va_end(ap);
}

/* Finds the addresses of the web host: --resolve entries first (for either
 * web port), then the DNS. */
static int resolve_host(struct site_ctx *c)
{
    char a[SITE_ADDR_MAX];
    unsigned ports[2] = {c->https_port, c->http_port};
    for (size_t i = 0; i < 2; i++) {
        for (size_t k = 0; k < c->o->n_resolve; k++) {
            if (!resolve_match(c->o->resolve[k], c->host, ports[i], a,
                               sizeof a)) {
                continue;
            }
            char *dst = strchr(a, ':') != NULL ? c->addr6 : c->addr4;
            if (dst[0] == '\0') {
                snprintf(dst, SITE_ADDR_MAX, "%s", a);
            }
        }
    }
    if (c->host_is_ip) {
        char *dst = strchr(c->host, ':') != NULL ? c->addr6 : c->addr4;
        size_t n = strlen(c->host);
        if (n >= SITE_ADDR_MAX) {
            return KK_ERR_NOTFOUND;
        }
        memcpy(dst, c->host, n + 1);
        return KK_OK;
    }
    if (c->addr4[0] == '\0' && c->addr6[0] == '\0') {
        char a4[SITE_ADDR_MAX] = "";
        char a6[SITE_ADDR_MAX] = "";
        int rc = site_dns_addrs(c, c->host, a4, sizeof a4, a6, sizeof a6);
        if (rc == KK_ERR_NOMEM) {
            return rc;
        }
        memcpy(c->addr4, a4, sizeof a4);
        memcpy(c->addr6, a6, sizeof a6);
    }
    return c->addr4[0] != '\0' || c->addr6[0] != '\0' ? KK_OK : KK_ERR_NOTFOUND;
}

static int fetch_home(struct site_ctx *c)
{
    int rc = site_http(c, "https", c->path, "GET", NULL, &c->home_https);
    if (rc != KK_OK) {
        return rc;
    }
    rc = site_http(c, "http", c->path, "GET", NULL, &c->home_http);
    if (rc != KK_OK) {
        return rc;
    }
    c->https_up = c->home_https.status > 0;
    c->http_up = c->home_http.status > 0;
    if (!c->https_up && !c->http_up) {
        const char *e = c->home_https.error;
        bool timeout = strcasestr(e, "timed out") != NULL ||
                       strcasestr(c->home_http.error, "timed out") != NULL;
        set_failure(c->r, timeout ? "timeout" : "unreachable",
                    "nothing answers on ports %u and %u of %s (%s)",
                    c->https_port, c->http_port,
                    c->addr4[0] != '\0' ? c->addr4 : c->addr6, e);
        return KK_OK;
    }
    const struct site_resp *seen = c->https_up ? &c->home_https : &c->home_http;
    if (blocked_by_waf(seen)) {
        set_failure(c->r, "blocked",
                    "the site answers, but a firewall or anti-bot service "
                    "refused the checker (HTTP %ld)",
                    seen->status);
    }
    return KK_OK;
}

/* The host of an absolute http(s) URL, lower case, into out; false when
 * loc is not one. */
static bool location_host(const char *loc, char *out, size_t cap)
{
    const char *p = loc;
    if (strncasecmp(p, "https://", 8) == 0) {
        p += 8;
    } else if (strncasecmp(p, "http://", 7) == 0) {
        p += 7;
    } else {
        return false;
    }
    size_t n = strcspn(p, ":/?#");
    if (n == 0 || n >= cap) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = (char)tolower((unsigned char)p[i]);
    }
    out[n] = '\0';
    return true;
}

/*
 * Most sites answer on both "example.kg" and "www.example.kg" and send
 * visitors from one to the other: the site people read is the second.
 * When the home page redirects between those two names, the check moves
 * to the name redirected to (once), so its headers, files and TLS are
 * judged where the readers are; the report keeps the target as typed.
 */
static int follow_www(struct site_ctx *c)
{
    char to[KK_SITE_HOST_MAX + 1];
    const struct site_resp *from =
        c->home_https.status >= 300 && c->home_https.status < 400
            ? &c->home_https
            : &c->home_http;
    if (c->host_is_ip || from->status < 300 || from->status >= 400 ||
        !location_host(from->location, to, sizeof to) || !host_ok(to)) {
        return KK_OK;
    }
    bool add = strncmp(to, "www.", 4) == 0 && strcmp(to + 4, c->host) == 0;
    bool drop =
        strncmp(c->host, "www.", 4) == 0 && strcmp(c->host + 4, to) == 0;
    if (!add && !drop) {
        return KK_OK;
    }
    snprintf(c->host, sizeof c->host, "%s", to);
    c->addr4[0] = '\0';
    c->addr6[0] = '\0';
    site_resp_clear(&c->home_https);
    site_resp_clear(&c->home_http);
    int rc = resolve_host(c);
    if (rc == KK_ERR_NOTFOUND) {
        set_failure(c->r, "dns",
                    "the site redirects to %s, which does not "
                    "resolve",
                    c->host);
        return KK_OK;
    }
    if (rc != KK_OK) {
        return rc;
    }
    return fetch_home(c);
}

typedef int (*stage_fn)(struct site_ctx *c);

static int run_stage(struct site_ctx *c, const char *name, stage_fn fn,
                     enum site_area area)
{
    site_stage(c, name);
    int rc = fn(c);
    if (rc == KK_OK || rc == KK_ERR_LIMIT) {
        c->r->area_checked[area] = true;
        rc = KK_OK;
    }
    return rc;
}

int site_check(const char *target, const struct site_opts *o,
               struct site_report **out, struct kk_diag *d)
{
    int rc;
    struct site_ctx c;
    int64_t t0 = site_mono_ms();

    memset(&c, 0, sizeof c);
    if (target == NULL || o == NULL || out == NULL) {
        return KK_ERR_INVAL;
    }
    c.o = o;
    c.http_port = o->http_port != 0 ? o->http_port : 80;
    c.https_port = o->https_port != 0 ? o->https_port : 443;
    c.smtp_port = o->smtp_port != 0 ? o->smtp_port : 25;
    c.timeout_ms = o->timeout_ms != 0 ? o->timeout_ms : KK_SITE_TIMEOUT_MS;
    c.now = o->now != 0 ? o->now : (int64_t)time(NULL);
    rc = check_opts(o, d);
    if (rc != KK_OK) {
        return rc;
    }
    rc = parse_target(&c, target, d);
    if (rc != KK_OK) {
        return rc;
    }
    c.r = site_report_new();
    if (c.r == NULL) {
        return KK_ERR_NOMEM;
    }
    snprintf(c.r->host, sizeof c.r->host, "%s", c.host);
    c.r->checked_at = c.now;
    rc = site_dns_open(&c, d);
    if (rc != KK_OK) {
        goto out;
    }
    rc = resolve_host(&c);
    if (rc == KK_ERR_NOTFOUND) {
        set_failure(c.r, "dns", "the name %s does not resolve", c.host);
        rc = KK_OK;
        goto done;
    }
    if (rc != KK_OK) {
        goto out;
    }
    rc = fetch_home(&c);
    if (rc == KK_OK && c.r->failure[0] == '\0') {
        rc = follow_www(&c);
    }
    if (rc != KK_OK || c.r->failure[0] != '\0') {
        goto done;
    }
    {
        bool v6 = strchr(c.host, ':') != NULL;
        unsigned port = c.https_up ? c.https_port : c.http_port;
        unsigned dflt = c.https_up ? 443 : 80;
        char portpart[8] = "";
        if (port != dflt) {
            snprintf(portpart, sizeof portpart, ":%u", port);
        }
        snprintf(c.r->url, sizeof c.r->url, "%s://%s%s%s%s%s",
                 c.https_up ? "https" : "http", v6 ? "[" : "", c.host,
                 v6 ? "]" : "", portpart, c.path);
    }
    /* An address has no domain: its DNS and mail are not judged at all,
     * so those areas stay unchecked rather than look clean. */
    bool named = !c.host_is_ip;
    if (named) {
        rc = run_stage(&c, "dns", site_check_dns, SITE_AREA_DNS);
    }
    if (rc == KK_OK && named && !o->skip_mail) {
        rc = run_stage(&c, "mail", site_check_mail, SITE_AREA_MAIL);
    }
    if (rc == KK_OK) {
        rc = run_stage(&c, "tls", site_check_tls, SITE_AREA_TLS);
    }
    if (rc == KK_OK) {
        rc = run_stage(&c, "headers", site_check_headers, SITE_AREA_HEADERS);
    }
    if (rc == KK_OK) {
        rc = run_stage(&c, "exposure", site_check_exposure, SITE_AREA_EXPOSURE);
    }
    if (rc == KK_OK && named && !o->skip_mail) {
        rc = run_stage(&c, "smtp", site_check_smtp, SITE_AREA_MAIL);
    }
done:
    if (rc != KK_OK) {
        goto out;
    }
    c.r->elapsed_ms = site_mono_ms() - t0;
    site_report_sort(c.r);
    if (c.r->failure[0] == '\0') {
        site_grade(c.r);
    }
    *out = c.r;
    c.r = NULL;
out:
    site_resp_clear(&c.home_https);
    site_resp_clear(&c.home_http);
    if (c.curl != NULL) {
        curl_easy_cleanup(c.curl);
    }
    site_dns_close(&c);
    site_report_free(c.r);
    return rc;
}
