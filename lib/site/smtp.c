/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * smtp.c - the smtp stage: does each mail server of the domain offer
 * STARTTLS, and does it still accept TLS 1.0 or 1.1 after it?
 *
 * For at most two mail servers (distinct addresses, in preference order):
 * read the greeting, EHLO, look for STARTTLS.  Absent, the server takes
 * the newsroom's mail in clear text: mail.starttls.missing.  Present, one
 * OpenSSL handshake after STARTTLS (and QUIT inside TLS), then, each on a
 * fresh connection, EHLO + STARTTLS + a hand-built hello (hello.c) for
 * TLS 1.1 and TLS 1.0: mail.tls.legacy when either is accepted.  The
 * stage spends at most SITE_SMTP_STAGE_MAX handshakes, shared between the
 * servers; with two servers each gets one OpenSSL handshake and the TLS
 * 1.1 probe.  A server refusing a TLS 1.1 hello outright (rather than
 * answering TLS 1.0) is taken to refuse TLS 1.0 as well when no separate
 * probe is left, as version negotiation requires (RFC 5246, E.1).
 *
 * What is not judged here: the certificate.  Mail servers deliver to each
 * other with opportunistic TLS (RFC 7435) and do not check certificates
 * unless DANE or MTA-STS asks them to, so a self-signed certificate on an
 * MX is no finding of ours.  A STARTTLS that is advertised but whose TLS
 * handshake fails (even for our permissive client) is reported as
 * mail.starttls.missing, because senders then fall back to clear text.
 *
 * The replies are read through site_smtp_reply_parse, which bounds lines
 * (512 bytes) and replies (100 lines) and is fuzzed
 * (tests/fuzz/fuzz_site_smtp.c).  Nothing is sent beyond EHLO, STARTTLS
 * and QUIT: no MAIL FROM, no login.
 */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hello.h"
#include "site_int.h"
#include "starttls.h"
#include "tls.h"

#define SITE_SMTP_STAGE_MAX 4   /* handshakes of this stage */
#define SITE_SMTP_SERVERS_MAX 2 /* mail servers looked at */
#define SITE_SMTP_BUF (SITE_SMTP_LINE_MAX * SITE_SMTP_LINES_MAX)
/* The name we greet with: reserved, so it never claims anyone's. */
#define SITE_SMTP_EHLO "EHLO kalkan.invalid\r\n"

/* ---- The reply parser ---- */

static bool keyword_is(const char *text, size_t len, const char *kw)
{
    size_t k = strlen(kw);
    return len >= k && strncasecmp(text, kw, k) == 0 &&
           (len == k || text[k] == ' ');
}

int site_smtp_reply_parse(const char *p, size_t n, struct site_smtp_reply *out,
                          size_t *used)
{
    struct site_smtp_reply r;
    size_t off = 0;
    int rc = KK_ERR_TRUNC;

    memset(&r, 0, sizeof r);
    if (p == NULL && n > 0) {
        rc = KK_ERR_INVAL;
        goto out;
    }
    for (;;) {
        size_t lim =
            n - off < SITE_SMTP_LINE_MAX ? n - off : SITE_SMTP_LINE_MAX;
        const char *line = p + off;
        const char *lf = memchr(line, '\n', lim);
        if (lf == NULL) {
            rc = n - off >= SITE_SMTP_LINE_MAX ? KK_ERR_LIMIT : KK_ERR_TRUNC;
            goto out;
        }
        size_t len = (size_t)(lf - line);
        size_t tl = len > 0 && line[len - 1] == '\r' ? len - 1 : len;
        if (tl < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' ||
            line[1] > '5' || !isdigit((unsigned char)line[2]) ||
            memchr(line, '\0', tl) != NULL ||
            (tl > 3 && line[3] != '-' && line[3] != ' ')) {
            rc = KK_ERR_PROTO;
            goto out;
        }
        int code =
            (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        if (r.lines > 0 && code != r.code) {
            rc = KK_ERR_PROTO;
            goto out;
        }
        if (r.lines == SITE_SMTP_LINES_MAX) {
            rc = KK_ERR_LIMIT;
            goto out;
        }
        r.code = code;
        r.lines++;
        if (r.lines > 1 && tl > 4 && keyword_is(line + 4, tl - 4, "STARTTLS")) {
            r.starttls = true;
        }
        off += len + 1;
        if (tl == 3 || line[3] == ' ') {
            rc = KK_OK;
            goto out;
        }
    }
out:
    if (rc == KK_OK) {
        *out = r;
        *used = off;
    }
    return rc;
}

/* ---- One SMTP session ---- */

struct smtp_conn {
    struct site_ctx *c;
    int fd;
    struct site_tls tls;
    bool tls_on;
    char *buf;
    size_t n;
};

static int conn_open(struct smtp_conn *k, struct site_ctx *c, const char *addr)
{
    int rc = KK_ERR_NOMEM;
    memset(k, 0, sizeof *k);
    k->c = c;
    k->fd = -1;
    k->buf = malloc(SITE_SMTP_BUF);
    if (k->buf == NULL) {
        goto out;
    }
    k->fd = site_connect(c, addr, c->smtp_port);
    rc = k->fd >= 0 ? KK_OK : k->fd;
out:
    return rc;
}

static void conn_close(struct smtp_conn *k)
{
    if (k->tls_on) {
        site_tls_close(&k->tls);
    }
    if (k->fd >= 0) {
        close(k->fd);
    }
    free(k->buf);
    memset(k, 0, sizeof *k);
    k->fd = -1;
}

static int conn_send(struct smtp_conn *k, const char *line)
{
    size_t len = strlen(line);
    return k->tls_on ? site_tls_write(&k->tls, line, len)
                     : site_send_all(k->fd, line, len);
}

/* Reads more bytes into the buffer within deadline. */
static int conn_fill(struct smtp_conn *k, int64_t deadline)
{
    size_t got = 0;
    int rc;
    if (k->tls_on) {
        rc = site_tls_read(&k->tls, k->buf + k->n, SITE_SMTP_BUF - k->n, &got);
    } else {
        rc = site_recv_until(k->fd, k->buf + k->n, SITE_SMTP_BUF - k->n,
                             deadline, &got);
        if (rc == KK_OK && got == 0) {
            rc = KK_ERR_IO; /* closed */
        }
    }
    if (rc == KK_OK) {
        k->n += got;
    }
    return rc;
}

/* Reads one whole reply; bytes after it stay for the next one. */
static int conn_reply(struct smtp_conn *k, struct site_smtp_reply *r)
{
    int64_t deadline = site_mono_ms() + k->c->timeout_ms;
    int rc;
    for (;;) {
        size_t used = 0;
        rc = site_smtp_reply_parse(k->buf, k->n, r, &used);
        if (rc == KK_OK) {
            memmove(k->buf, k->buf + used, k->n - used);
            k->n -= used;
            break;
        }
        if (rc != KK_ERR_TRUNC) {
            break;
        }
        if (k->n == SITE_SMTP_BUF) {
            rc = KK_ERR_LIMIT;
            break;
        }
        rc = conn_fill(k, deadline);
        if (rc != KK_OK) {
            break;
        }
    }
    return rc;
}

/* Sends line and reads the reply, which must have code want (0: any). */
static int conn_cmd(struct smtp_conn *k, const char *line, int want,
                    struct site_smtp_reply *r)
{
    int rc = line != NULL ? conn_send(k, line) : KK_OK;
    if (rc == KK_OK) {
        rc = conn_reply(k, r);
    }
    if (rc == KK_OK && want != 0 && r->code != want) {
        rc = KK_ERR_PROTO;
    }
    return rc;
}

/* Greeting and EHLO: *starttls says whether STARTTLS is offered. */
static int conn_greet(struct smtp_conn *k, bool *starttls)
{
    struct site_smtp_reply r;
    int rc = conn_cmd(k, NULL, 220, &r);
    if (rc == KK_OK) {
        rc = conn_cmd(k, SITE_SMTP_EHLO, 250, &r);
    }
    if (rc == KK_OK) {
        *starttls = r.starttls;
    }
    return rc;
}

/* STARTTLS and its 220; what the server sent early is thrown away, never
 * read as if it had come inside TLS. */
static int conn_starttls(struct smtp_conn *k)
{
    struct site_smtp_reply r;
    int rc = conn_cmd(k, "STARTTLS\r\n", 220, &r);
    k->n = 0;
    return rc;
}

/* QUIT, politely, and its answer when it comes; errors do not matter. */
static void conn_quit(struct smtp_conn *k)
{
    struct site_smtp_reply r;
    (void)conn_cmd(k, "QUIT\r\n", 0, &r);
}

/* ---- The stage ---- */

struct smtp_stage {
    struct site_ctx *c;
    unsigned used;
};

struct mx_state {
    const char *host;
    char sni[KK_SITE_HOST_MAX + 1];
    unsigned budget;
    unsigned used;
    bool known[2]; /* TLS 1.0, TLS 1.1 */
    bool accepted[2];
    bool timed_out; /* a probe timed out: ask this server no more */
};

static bool take(struct smtp_stage *st, struct mx_state *m)
{
    bool ok = m->used < m->budget && st->used < SITE_SMTP_STAGE_MAX &&
              site_tls_take(st->c) == KK_OK;
    if (ok) {
        st->used++;
        m->used++;
    }
    return ok;
}

static void mark(struct mx_state *m, uint16_t v, bool accepted)
{
    if (v == SITE_TLS_10 || v == SITE_TLS_11) {
        m->known[v - SITE_TLS_10] = true;
        m->accepted[v - SITE_TLS_10] = accepted;
    }
}

/*
 * The first session: STARTTLS offered? then the OpenSSL handshake.  *go
 * says whether the legacy probes are worth making.
 */
static int first_session(struct smtp_stage *st, struct mx_state *m,
                         const char *addr, bool *go)
{
    struct site_ctx *c = st->c;
    struct smtp_conn k;
    bool starttls = false;
    int rc = conn_open(&k, c, addr);

    *go = false;
    if (rc == KK_OK) {
        rc = conn_greet(&k, &starttls);
    }
    if (rc == KK_OK && !starttls) {
        conn_quit(&k);
        rc = site_add(c, "mail.starttls.missing", "%s", m->host);
        goto out;
    }
    if (rc == KK_OK) {
        rc = conn_starttls(&k);
    }
    if (rc != KK_OK || !take(st, m)) {
        goto out;
    }
    rc = site_tls_open(&k.tls, k.fd, m->sni, c->timeout_ms);
    if (rc == KK_ERR_PROTO) {
        rc = site_add(c, "mail.starttls.missing", "%s: TLS handshake failed",
                      m->host);
        goto out;
    }
    if (rc != KK_OK) {
        goto out;
    }
    k.tls_on = true;
    struct site_tls_info info;
    site_tls_info_get(&k.tls, &info);
    if (info.version == TLS1_VERSION || info.version == TLS1_1_VERSION) {
        mark(m, (uint16_t)info.version, true);
    }
    conn_quit(&k);
    rc = site_pass(c, "mail.starttls.missing");
    *go = rc == KK_OK;
out:
    conn_close(&k);
    /* A server that could not be talked to records nothing. */
    return rc == KK_ERR_NOMEM ? rc : KK_OK;
}

/* EHLO, STARTTLS and a hand-built hello for version, on a new session. */
static int legacy_probe(struct smtp_stage *st, struct mx_state *m,
                        const char *addr, uint16_t version)
{
    struct site_ctx *c = st->c;
    uint16_t list[SITE_SUITES_MAX];
    struct site_hello_spec spec = {.version = version, .sni = m->sni};
    struct site_hello_reply reply;
    struct smtp_conn k;
    bool starttls = false;
    int rc = conn_open(&k, c, addr);

    if (rc == KK_OK) {
        rc = conn_greet(&k, &starttls);
    }
    if (rc == KK_OK && !starttls) {
        rc = KK_ERR_PROTO;
    }
    if (rc == KK_OK) {
        rc = conn_starttls(&k);
    }
    if (rc != KK_OK || !take(st, m)) {
        goto out;
    }
    spec.n_suites = site_suites_select(0, 0, version, list, SITE_SUITES_MAX);
    spec.suites = list;
    rc = site_hello_send(k.fd, &spec, c->timeout_ms, &reply);
    switch (rc == KK_OK ? site_hello_verdict(&reply, &spec)
                        : SITE_PROBE_UNKNOWN) {
    case SITE_PROBE_ACCEPTED:
        mark(m, reply.version, true);
        if (reply.version != version) {
            mark(m, version, false);
        }
        break;
    case SITE_PROBE_REFUSED:
        mark(m, version, false);
        break;
    default:
        break;
    }
out:
    conn_close(&k);
    m->timed_out = m->timed_out || rc == KK_ERR_TIMEOUT;
    return rc == KK_ERR_NOMEM ? rc : KK_OK;
}

static int check_server(struct smtp_stage *st, const struct site_mx *mx,
                        unsigned budget)
{
    struct mx_state m;
    bool go = false;
    int rc;

    memset(&m, 0, sizeof m);
    m.host = mx->host;
    m.budget = budget;
    snprintf(m.sni, sizeof m.sni, "%s", mx->host);
    size_t sl = strlen(m.sni);
    while (sl > 0 && m.sni[sl - 1] == '.') {
        m.sni[--sl] = '\0';
    }
    rc = first_session(st, &m, mx->addr, &go);
    if (rc != KK_OK || !go) {
        goto out;
    }
    static const uint16_t order[] = {SITE_TLS_11, SITE_TLS_10};
    for (size_t i = 0; rc == KK_OK && i < 2; i++) {
        if (!m.known[order[i] - SITE_TLS_10] && m.used < m.budget &&
            !m.timed_out) {
            rc = legacy_probe(st, &m, mx->addr, order[i]);
        }
    }
    if (rc != KK_OK) {
        goto out;
    }
    /* TLS 1.1 refused outright: TLS 1.0 is too (RFC 5246, E.1). */
    if (m.known[1] && !m.accepted[1] && !m.known[0]) {
        mark(&m, SITE_TLS_10, false);
    }
    if (m.accepted[0] || m.accepted[1]) {
        rc = site_add(st->c, "mail.tls.legacy", "%s: %s%s%s", m.host,
                      m.accepted[0] ? "TLS 1.0" : "",
                      m.accepted[0] && m.accepted[1] ? ", " : "",
                      m.accepted[1] ? "TLS 1.1" : "");
    } else if (m.known[0] && m.known[1]) {
        rc = site_pass(st->c, "mail.tls.legacy");
    }
out:
    return rc;
}

int site_check_smtp(struct site_ctx *c)
{
    struct smtp_stage st = {.c = c};
    const struct site_mx *todo[SITE_SMTP_SERVERS_MAX];
    size_t n = 0;
    int rc = KK_OK;

    for (size_t i = 0; i < c->n_mx && i < SITE_MX_MAX; i++) {
        bool seen = false;
        if (c->mx[i].addr[0] == '\0') {
            continue;
        }
        for (size_t k = 0; k < n; k++) {
            seen = seen || strcmp(todo[k]->addr, c->mx[i].addr) == 0;
        }
        if (!seen && n < SITE_SMTP_SERVERS_MAX) {
            todo[n++] = &c->mx[i];
        }
    }
    for (size_t i = 0; rc == KK_OK && i < n; i++) {
        rc = check_server(&st, todo[i], SITE_SMTP_STAGE_MAX / (unsigned)n);
    }
    return rc;
}
