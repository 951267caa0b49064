/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * smtp.c - a small SMTP client for the reminder e-mail: plain RFC 5321
 * over one TCP connection, every wait bounded by poll() with a timeout,
 * every reply bounded in size and parsed strictly.
 *
 * The trade-off is what it leaves out: no TLS, no authentication, no
 * pipelining, one recipient per message.  A local relay (the outlet's MTA)
 * does those far better, and a client this small is easy to fuzz and to
 * reason about: the only input from the network is the reply parser's.
 * Messages are 7-bit on the wire (RFC 2047 subject, quoted-printable
 * body), so no SMTP extension is needed, and CR or LF in an address or a
 * subject is refused rather than escaped, so no header can be injected.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"
#include "smtp.h"

/* --- replies --- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Whether the first n bytes of a line can start a reply line: "NNN"
 * with N in 2..5 then 0..9 twice, then "-" or " " (or nothing). */
static bool line_start_ok(const char *s, size_t n)
{
    return (n < 1 || (s[0] >= '2' && s[0] <= '5')) &&
           (n < 2 || is_digit(s[1])) && (n < 3 || is_digit(s[2])) &&
           (n < 4 || s[3] == '-' || s[3] == ' ');
}

int hub_smtp_reply_parse(const char *buf, size_t len, int *code, size_t *used)
{
    size_t pos = 0, lines = 0;
    int first = -1, err = KK_ERR_TRUNC;
    while (err == KK_ERR_TRUNC && pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl != NULL ? (size_t)(nl - buf) : len;
        size_t n = end - pos; /* the line without its LF */
        bool last;
        int c;
        if (n > HUB_SMTP_LINE_MAX || end >= HUB_SMTP_REPLY_MAX) {
            err = KK_ERR_LIMIT;
            break;
        }
        if (memchr(buf + pos, '\0', n) != NULL ||
            (nl == NULL && !line_start_ok(buf + pos, n))) {
            err = KK_ERR_PROTO;
            break;
        }
        if (nl == NULL) /* an incomplete line: read more */
            break;
        if (n > 0 && buf[end - 1] == '\r')
            n--;
        if (n < 3 || !line_start_ok(buf + pos, n)) {
            err = KK_ERR_PROTO;
            break;
        }
        c = (buf[pos] - '0') * 100 + (buf[pos + 1] - '0') * 10 +
            (buf[pos + 2] - '0');
        if ((first >= 0 && c != first) || ++lines > HUB_SMTP_LINES_MAX) {
            err = KK_ERR_PROTO;
            break;
        }
        first = c;
        last = n == 3 || buf[pos + 3] == ' ';
        pos = end + 1;
        if (last) {
            *code = c;
            *used = pos;
            err = KK_OK;
        }
    }
    return err;
}

/* --- addresses and headers --- */

bool hub_mail_addr_ok(const char *addr)
{
    const char *at;
    size_t n;
    if (addr == NULL)
        return false;
    n = strlen(addr);
    at = strchr(addr, '@');
    if (n < 3 || n > HUB_MAIL_ADDR_MAX || at == NULL || at == addr ||
        at[1] == '\0' || strchr(at + 1, '@') != NULL)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)addr[i];
        if (c <= 0x20 || c >= 0x7f || strchr("<>()[]\\,;:\"", c) != NULL)
            return false;
    }
    return true;
}

static bool printable_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
            return false;
    }
    return true;
}

static bool has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return true;
    }
    return false;
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int put_base64(struct kk_buf *out, const unsigned char *p, size_t n)
{
    char q[4];
    int err = KK_OK;
    for (size_t i = 0; i < n && err == KK_OK; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        size_t k = n - i;
        if (k > 1)
            v |= (uint32_t)p[i + 1] << 8;
        if (k > 2)
            v |= p[i + 2];
        q[0] = b64[(v >> 18) & 63];
        q[1] = b64[(v >> 12) & 63];
        q[2] = k > 1 ? b64[(v >> 6) & 63] : '=';
        q[3] = k > 2 ? b64[v & 63] : '=';
        err = kk_buf_put(out, q, 4);
    }
    return err;
}

/* An encoded word carries at most 45 bytes (60 base64 characters, 75 with
 * "=?UTF-8?B?" and "?="), cut before a UTF-8 continuation byte. */
#define WORD_BYTES 45

int hub_mail_encode_header(const char *text, struct kk_buf *out)
{
    size_t n, pos = 0;
    int err = KK_OK;
    if (text == NULL || has_control(text))
        return KK_ERR_INVAL;
    n = strlen(text);
    if (!hub_utf8_valid(text, n))
        return KK_ERR_INVAL;
    if (n <= 70 && printable_ascii(text, n))
        return kk_buf_put(out, text, n);
    while (pos < n && err == KK_OK) {
        size_t k = n - pos < WORD_BYTES ? n - pos : WORD_BYTES;
        while (pos + k < n && k > 1 &&
               ((unsigned char)text[pos + k] & 0xC0) == 0x80)
            k--;
        if (pos > 0)
            err = kk_buf_puts(out, "\r\n ");
        if (err == KK_OK)
            err = kk_buf_puts(out, "=?UTF-8?B?");
        if (err == KK_OK)
            err = put_base64(out, (const unsigned char *)text + pos, k);
        if (err == KK_OK)
            err = kk_buf_puts(out, "?=");
        pos += k;
    }
    return err;
}

/* --- the body --- */

#define QP_LINE 76

static const char hexd[] = "0123456789ABCDEF";

/* Appends one character (already encoded: 1 or 3 bytes), with a soft
 * break first when the line would grow past 75 (the "=" of a soft break
 * needs the 76th column). */
static int qp_put(struct kk_buf *out, size_t *col, const char *enc, size_t k)
{
    int err = KK_OK;
    if (*col + k > QP_LINE - 1) {
        err = kk_buf_puts(out, "=\r\n");
        *col = 0;
    }
    if (err == KK_OK)
        err = kk_buf_put(out, enc, k);
    *col += k;
    return err;
}

int hub_mail_encode_qp(const char *body, size_t len, struct kk_buf *out)
{
    size_t col = 0;
    int err = KK_OK;
    for (size_t i = 0; i < len && err == KK_OK; i++) {
        unsigned char c = (unsigned char)body[i];
        char enc[3];
        bool line_end;
        if (c == '\r' && i + 1 < len && body[i + 1] == '\n')
            continue;
        if (c == '\n') {
            err = kk_buf_puts(out, "\r\n");
            col = 0;
            continue;
        }
        line_end = i + 1 == len || body[i + 1] == '\n' ||
                   (body[i + 1] == '\r' && i + 2 < len && body[i + 2] == '\n');
        if ((c >= 33 && c <= 126 && c != '=') ||
            ((c == ' ' || c == '\t') && !line_end)) {
            enc[0] = (char)c;
            err = qp_put(out, &col, enc, 1);
        } else {
            enc[0] = '=';
            enc[1] = hexd[c >> 4];
            enc[2] = hexd[c & 15];
            err = qp_put(out, &col, enc, 3);
        }
    }
    return err;
}

/* --- the message --- */

static int put_date(struct kk_buf *out, int64_t now)
{
    /* The day of the week is optional in RFC 5322 and left out; the
     * months are written in lower case here so that they are never
     * taken for text to translate. */
    static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    time_t t = (time_t)now;
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || tm.tm_mon < 0 || tm.tm_mon > 11)
        return KK_ERR_RANGE;
    return kk_buf_putf(out, "Date: %02d %c%.2s %04d %02d:%02d:%02d +0000\r\n",
                       tm.tm_mday, months[3 * tm.tm_mon] - 'a' + 'A',
                       months + 3 * tm.tm_mon + 1, tm.tm_year + 1900,
                       tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int put_message_id(struct kk_buf *out, const char *from)
{
    uint8_t rnd[16];
    int err = kk_random(rnd, sizeof rnd);
    if (err == KK_OK)
        err = kk_buf_puts(out, "Message-ID: <");
    for (size_t i = 0; i < sizeof rnd && err == KK_OK; i++)
        err = kk_buf_putf(out, "%02x", rnd[i]);
    if (err == KK_OK)
        err = kk_buf_putf(out, ".kalkan%s>\r\n", strchr(from, '@'));
    return err;
}

int hub_mail_format(const struct hub_mail *m, int64_t now, struct kk_buf *out)
{
    size_t blen;
    int err = KK_ERR_INVAL;
    if (m == NULL || !hub_mail_addr_ok(m->from) || !hub_mail_addr_ok(m->to) ||
        m->subject == NULL || m->body == NULL)
        goto out;
    blen = strlen(m->body);
    if (blen > HUB_MAIL_BODY_MAX || !hub_utf8_valid(m->body, blen))
        goto out;
    err = put_date(out, now);
    if (err == KK_OK)
        err = kk_buf_putf(
            out, "From: Kalkan <%s>\r\nTo: <%s>\r\nSubject: ", m->from, m->to);
    if (err == KK_OK)
        err = hub_mail_encode_header(m->subject, out);
    if (err == KK_OK)
        err = kk_buf_puts(out, "\r\n");
    if (err == KK_OK)
        err = put_message_id(out, m->from);
    if (err == KK_OK)
        err = kk_buf_puts(out, "MIME-Version: 1.0\r\n"
                               "Content-Type: text/plain; charset=UTF-8\r\n"
                               "Content-Transfer-Encoding: quoted-printable\r\n"
                               "Auto-Submitted: auto-generated\r\n\r\n");
    if (err == KK_OK)
        err = hub_mail_encode_qp(m->body, blen, out);
    if (err == KK_OK && blen > 0 && m->body[blen - 1] != '\n')
        err = kk_buf_puts(out, "\r\n");
out:
    return err;
}

int hub_smtp_dot_stuff(const char *msg, size_t len, struct kk_buf *out)
{
    bool bol = true;
    int err = KK_OK;
    for (size_t i = 0; i < len && err == KK_OK; i++) {
        char c = msg[i];
        if (bol && c == '.')
            err = kk_buf_putc(out, '.');
        bol = false;
        if (err != KK_OK)
            break;
        if (c == '\r' && i + 1 < len && msg[i + 1] == '\n')
            continue;
        if (c == '\n') {
            err = kk_buf_puts(out, "\r\n");
            bol = true;
        } else if (c == '\r') {
            /* A lone CR would end a line for some relays: make it one. */
            err = kk_buf_puts(out, "\r\n");
            bol = true;
        } else {
            err = kk_buf_putc(out, c);
        }
    }
    if (err == KK_OK && !bol)
        err = kk_buf_puts(out, "\r\n");
    if (err == KK_OK)
        err = kk_buf_puts(out, ".\r\n");
    return err;
}

/* --- the relay's address --- */

int hub_smtp_relay_parse(const char *relay, char *host, size_t hcap, char *port,
                         size_t pcap)
{
    const char *colon, *h = relay;
    size_t hn;
    uint64_t num;
    if (relay == NULL || hcap == 0 || pcap == 0)
        return KK_ERR_INVAL;
    if (relay[0] == '[') {
        const char *close = strchr(relay, ']');
        if (close == NULL || close[1] != ':')
            return KK_ERR_INVAL;
        h = relay + 1;
        hn = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(relay, ':');
        if (colon == NULL || memchr(relay, ':', (size_t)(colon - relay)))
            return KK_ERR_INVAL;
        hn = (size_t)(colon - relay);
    }
    if (hn == 0 || hn >= hcap || strlen(colon + 1) >= pcap ||
        kk_parse_u64(colon + 1, 1, 65535, &num) != KK_OK ||
        !printable_ascii(h, hn) || memchr(h, ' ', hn) != NULL)
        return KK_ERR_INVAL;
    memcpy(host, h, hn);
    host[hn] = '\0';
    snprintf(port, pcap, "%s", colon + 1);
    return KK_OK;
}

/* --- the conversation --- */

struct conn {
    int fd;
    int cancel_fd;
    int timeout_ms;
    char buf[HUB_SMTP_REPLY_MAX];
    size_t len;
    struct kk_diag *d;
};

/* Waits until fd is ready for events (or cancel_fd fires, or the time
 * runs out). */
static int wait_for(struct conn *c, short events)
{
    struct pollfd p[2] = {{.fd = c->fd, .events = events},
                          {.fd = c->cancel_fd, .events = POLLIN}};
    nfds_t n = c->cancel_fd >= 0 ? 2 : 1;
    int rc;
    do {
        rc = poll(p, n, c->timeout_ms);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0)
        return KK_ERR_SYSTEM;
    if (rc == 0 || (n == 2 && (p[1].revents & (POLLIN | POLLHUP))))
        return KK_ERR_TIMEOUT;
    return KK_OK;
}

static int send_all(struct conn *c, const char *p, size_t n)
{
    int err = KK_OK;
    while (n > 0 && err == KK_OK) {
        ssize_t k;
        err = wait_for(c, POLLOUT);
        if (err != KK_OK)
            break;
        k = send(c->fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (k <= 0) {
            err = KK_ERR_IO;
            break;
        }
        p += k;
        n -= (size_t)k;
    }
    return err;
}

/* Reads one whole reply; *code gets it, text (printable, cut) its first
 * line for the diagnostic. */
static int read_reply(struct conn *c, int *code, char *text, size_t tcap)
{
    size_t used = 0;
    int err;
    for (;;) {
        ssize_t k;
        err = hub_smtp_reply_parse(c->buf, c->len, code, &used);
        if (err != KK_ERR_TRUNC)
            break;
        if (c->len == sizeof c->buf) {
            err = KK_ERR_LIMIT;
            break;
        }
        err = wait_for(c, POLLIN);
        if (err != KK_OK)
            break;
        k = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
        if (k < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (k <= 0) {
            err = KK_ERR_IO;
            break;
        }
        c->len += (size_t)k;
    }
    if (err == KK_OK) {
        size_t n = strcspn(c->buf, "\r\n"), j = 0;
        for (size_t i = 4; i < n && i < used && j + 1 < tcap; i++)
            text[j++] = printable_ascii(c->buf + i, 1) ? c->buf[i] : '?';
        text[j] = '\0';
        memmove(c->buf, c->buf + used, c->len - used);
        c->len -= used;
    }
    return err;
}

/* Sends a command line (NULL: nothing, just read) and expects a reply
 * whose code is want (or want2). */
static int step(struct conn *c, const char *cmd, const char *what, int want,
                int want2, int *got)
{
    char text[120];
    int code = 0, err = KK_OK;
    if (cmd != NULL)
        err = send_all(c, cmd, strlen(cmd));
    if (err == KK_OK)
        err = read_reply(c, &code, text, sizeof text);
    if (got != NULL)
        *got = code;
    if (err == KK_OK && code != want && code != want2) {
        err = KK_ERR_PROTO;
        kk_diag_set(c->d, "the relay answered %d to %s: %s", code, what, text);
    } else if (err != KK_OK) {
        kk_diag_set(c->d, "%s: %s", what,
                    err == KK_ERR_TIMEOUT ? "no answer in time"
                    : err == KK_ERR_IO    ? "the connection broke"
                                          : "not an SMTP reply");
    }
    return err;
}

static int dial(struct conn *c, const char *relay)
{
    char host[256], port[8];
    struct addrinfo hints, *res = NULL;
    int err = hub_smtp_relay_parse(relay, host, sizeof host, port, sizeof port);
    int rc;
    if (err != KK_OK) {
        kk_diag_set(c->d, "the relay %s is not HOST:PORT", relay);
        goto out;
    }
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        err = KK_ERR_SYSTEM;
        kk_diag_set(c->d, "cannot resolve %s: %s", host, gai_strerror(rc));
        goto out;
    }
    err = KK_ERR_SYSTEM;
    for (struct addrinfo *a = res; a != NULL && err != KK_OK; a = a->ai_next) {
        int soe = 0;
        socklen_t sl = sizeof soe;
        c->fd =
            socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                   a->ai_protocol);
        if (c->fd < 0)
            continue;
        if (connect(c->fd, a->ai_addr, a->ai_addrlen) == 0) {
            err = KK_OK;
            break;
        }
        if (errno == EINPROGRESS) {
            err = wait_for(c, POLLOUT);
            if (err == KK_OK &&
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soe, &sl) != 0)
                err = KK_ERR_SYSTEM;
            if (err == KK_OK && soe != 0) {
                errno = soe;
                err = KK_ERR_SYSTEM;
            }
            if (err == KK_ERR_TIMEOUT)
                break;
        }
        if (err != KK_OK) {
            close(c->fd);
            c->fd = -1;
        }
    }
    if (err == KK_ERR_TIMEOUT)
        kk_diag_set(c->d, "cannot connect to %s: no answer in time", relay);
    else if (err != KK_OK)
        kk_diag_set(c->d, "cannot connect to %s: %s", relay,
                    strerror(errno != 0 ? errno : ECONNREFUSED));
out:
    if (res != NULL)
        freeaddrinfo(res);
    return err;
}

/* The conversation after connecting. */
static int converse(struct conn *c, const struct hub_smtp_opts *o,
                    const struct hub_mail *m, const struct kk_buf *data)
{
    char cmd[HUB_MAIL_ADDR_MAX + 32];
    const char *helo = o->helo != NULL ? o->helo : strchr(m->from, '@') + 1;
    int code = 0;
    int err = step(c, NULL, "the greeting", 220, 220, NULL);
    if (err == KK_OK) {
        snprintf(cmd, sizeof cmd, "EHLO %s\r\n", helo);
        err = step(c, cmd, "EHLO", 250, 250, &code);
        /* An old relay that knows only HELO refuses EHLO with 5xx. */
        if (err == KK_ERR_PROTO && code >= 500) {
            snprintf(cmd, sizeof cmd, "HELO %s\r\n", helo);
            err = step(c, cmd, "HELO", 250, 250, NULL);
        }
    }
    if (err == KK_OK) {
        snprintf(cmd, sizeof cmd, "MAIL FROM:<%s>\r\n", m->from);
        err = step(c, cmd, "MAIL FROM", 250, 250, NULL);
    }
    if (err == KK_OK) {
        snprintf(cmd, sizeof cmd, "RCPT TO:<%s>\r\n", m->to);
        err = step(c, cmd, "RCPT TO", 250, 251, NULL);
    }
    if (err == KK_OK)
        err = step(c, "DATA\r\n", "DATA", 354, 354, NULL);
    if (err == KK_OK)
        err = send_all(c, (const char *)kk_buf_data(data), kk_buf_len(data));
    if (err == KK_OK)
        err = step(c, NULL, "the message", 250, 250, NULL);
    if (err == KK_OK) /* accepted: the end of the talk does not matter */
        (void)step(c, "QUIT\r\n", "QUIT", 221, 221, NULL);
    return err;
}

int hub_smtp_send(const struct hub_smtp_opts *o, const struct hub_mail *m,
                  struct kk_diag *d)
{
    struct conn *c = NULL;
    struct kk_buf *msg = kk_buf_new(HUB_MAIL_BODY_MAX * 2);
    struct kk_buf *data = kk_buf_new(HUB_MAIL_BODY_MAX * 3);
    int err = KK_ERR_NOMEM;
    if (msg == NULL || data == NULL)
        goto out;
    err = KK_ERR_INVAL;
    if (o == NULL || o->relay == NULL || m == NULL ||
        (o->helo != NULL &&
         (o->helo[0] == '\0' || !printable_ascii(o->helo, strlen(o->helo)) ||
          strchr(o->helo, ' ') != NULL || strlen(o->helo) > 200))) {
        kk_diag_set(d, "no relay or no message");
        goto out;
    }
    err = hub_mail_format(m, (int64_t)time(NULL), msg);
    if (err == KK_OK)
        err = hub_smtp_dot_stuff((const char *)kk_buf_data(msg),
                                 kk_buf_len(msg), data);
    if (err != KK_OK) {
        kk_diag_set(d, "the message cannot be written (a bad address, or "
                       "a control character in the subject)");
        goto out;
    }
    c = calloc(1, sizeof *c);
    if (c == NULL) {
        err = KK_ERR_NOMEM;
        goto out;
    }
    c->fd = -1;
    c->cancel_fd = o->cancel_fd;
    c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : HUB_SMTP_TIMEOUT_MS;
    c->d = d;
    err = dial(c, o->relay);
    if (err == KK_OK)
        err = converse(c, o, m, data);
out:
    if (c != NULL && c->fd >= 0)
        close(c->fd);
    free(c);
    kk_buf_free(msg);
    kk_buf_free(data);
    return err;
}
