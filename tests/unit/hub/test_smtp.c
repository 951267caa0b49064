/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_smtp.c - the SMTP client of the reminder e-mail, against a small
 * relay played by a thread of the test on 127.0.0.1: delivery with
 * dot-stuffing and an RFC 2047 subject, HELO after a refused EHLO, a 5xx
 * answer as an error, a silent relay timing out, a closed port, a
 * cancelled send; and the pieces: the reply parser, quoted-printable,
 * header encoding, address checks, HOST:PORT.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "smtp.h"

/* --- the relay played by the test --- */

enum sink_mode {
    SINK_OK,
    SINK_NO_EHLO,   /* 502 to EHLO, then HELO works */
    SINK_RCPT_550,  /* refuses the recipient */
    SINK_SILENT,    /* accepts the connection, never speaks */
    SINK_MULTILINE, /* a greeting of three lines */
};

struct sink {
    int listen_fd;
    int port;
    enum sink_mode mode;
    pthread_t th;
    char cmds[4096]; /* the commands received, one a line */
    char data[65536];
    size_t data_len;
    int connections;
};

static int sink_line(int fd, char *out, size_t cap)
{
    size_t n = 0;
    char c;
    while (n + 1 < cap) {
        ssize_t k = recv(fd, &c, 1, 0);
        if (k <= 0)
            return -1;
        out[n++] = c;
        if (c == '\n')
            break;
    }
    out[n] = '\0';
    return (int)n;
}

static void sink_say(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t k = send(fd, s, n, MSG_NOSIGNAL);
        if (k <= 0)
            return;
        s += k;
        n -= (size_t)k;
    }
}

static void *sink_run(void *arg)
{
    struct sink *s = arg;
    char line[2048];
    int fd = accept(s->listen_fd, NULL, NULL);
    if (fd < 0)
        return NULL;
    s->connections++;
    if (s->mode == SINK_SILENT) {
        while (sink_line(fd, line, sizeof line) > 0)
            ;
        close(fd);
        return NULL;
    }
    sink_say(fd, s->mode == SINK_MULTILINE
                     ? "220-relay.test ESMTP\r\n220-no spam\r\n220 ready\r\n"
                     : "220 relay.test ESMTP\r\n");
    while (sink_line(fd, line, sizeof line) > 0) {
        size_t have = strlen(s->cmds);
        snprintf(s->cmds + have, sizeof s->cmds - have, "%s", line);
        if (strncmp(line, "EHLO", 4) == 0) {
            sink_say(fd, s->mode == SINK_NO_EHLO
                             ? "502 command not implemented\r\n"
                             : "250-relay.test\r\n250-SIZE 1000000\r\n250 "
                               "8BITMIME\r\n");
        } else if (strncmp(line, "HELO", 4) == 0) {
            sink_say(fd, "250 relay.test\r\n");
        } else if (strncmp(line, "MAIL FROM:", 10) == 0) {
            sink_say(fd, "250 OK\r\n");
        } else if (strncmp(line, "RCPT TO:", 8) == 0) {
            sink_say(fd, s->mode == SINK_RCPT_550 ? "550 no such user\r\n"
                                                  : "250 OK\r\n");
        } else if (strncmp(line, "DATA", 4) == 0) {
            sink_say(fd, "354 go ahead\r\n");
            while (sink_line(fd, line, sizeof line) > 0 &&
                   strcmp(line, ".\r\n") != 0) {
                size_t n = strlen(line);
                if (s->data_len + n < sizeof s->data) {
                    memcpy(s->data + s->data_len, line, n);
                    s->data_len += n;
                }
            }
            sink_say(fd, "250 queued\r\n");
        } else if (strncmp(line, "QUIT", 4) == 0) {
            sink_say(fd, "221 bye\r\n");
            break;
        } else {
            sink_say(fd, "500 what\r\n");
        }
    }
    close(fd);
    return NULL;
}

static struct sink *sink_start(enum sink_mode mode)
{
    struct sink *s = calloc(1, sizeof *s);
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t al = sizeof a;
    assert_non_null(s);
    s->mode = mode;
    s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->listen_fd >= 0);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s->listen_fd, 4), 0);
    assert_int_equal(getsockname(s->listen_fd, (struct sockaddr *)&a, &al), 0);
    s->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&s->th, NULL, sink_run, s), 0);
    return s;
}

/* Stops the sink (a connection that never came is unblocked by a
 * shutdown of the listening socket). */
static void sink_stop(struct sink *s)
{
    shutdown(s->listen_fd, SHUT_RDWR);
    pthread_join(s->th, NULL);
    close(s->listen_fd);
    free(s);
}

static void relay_of(const struct sink *s, char *out, size_t cap)
{
    snprintf(out, cap, "127.0.0.1:%d", s->port);
}

/* --- decoding what the relay got --- */

static int b64_val(char c)
{
    const char *t =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = strchr(t, c);
    return c != '\0' && p != NULL ? (int)(p - t) : -1;
}

static size_t b64_decode(const char *in, size_t n, char *out)
{
    size_t o = 0;
    uint32_t v = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int x = b64_val(in[i]);
        if (x < 0)
            continue;
        v = (v << 6) | (uint32_t)x;
        bits += 6;
        if (bits >= 8) {
            out[o++] = (char)((v >> (bits - 8)) & 0xff);
            bits -= 8;
        }
    }
    out[o] = '\0';
    return o;
}

/* The subject header's value, its encoded words decoded. */
static void subject_of(const char *data, char *out)
{
    const char *p = strstr(data, "\r\nSubject: ");
    size_t o = 0;
    assert_non_null(p);
    p += 11;
    for (;;) {
        const char *w = strstr(p, "=?UTF-8?B?");
        const char *eol = strstr(p, "\r\n");
        const char *end;
        if (w == NULL || w > eol) {
            if (o == 0) {
                memcpy(out, p, (size_t)(eol - p));
                out[eol - p] = '\0';
            }
            return;
        }
        end = strstr(w + 10, "?=");
        assert_non_null(end);
        o += b64_decode(w + 10, (size_t)(end - (w + 10)), out + o);
        p = end + 2;
        if (strncmp(p, "\r\n ", 3) != 0)
            return;
        p += 3;
    }
}

static int hexv(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Quoted-printable back to text with LF line ends. */
static void qp_decode(const char *in, char *out)
{
    size_t o = 0;
    while (*in != '\0') {
        if (in[0] == '=' && in[1] == '\r' && in[2] == '\n') {
            in += 3;
        } else if (in[0] == '=' && hexv(in[1]) >= 0 && hexv(in[2]) >= 0) {
            out[o++] = (char)(hexv(in[1]) * 16 + hexv(in[2]));
            in += 3;
        } else if (in[0] == '\r' && in[1] == '\n') {
            out[o++] = '\n';
            in += 2;
        } else {
            out[o++] = *in++;
        }
    }
    out[o] = '\0';
}

/* The body of what the relay got (after the blank line), un-stuffed. */
static void body_of(const char *data, char *out)
{
    const char *p = strstr(data, "\r\n\r\n");
    char *tmp = malloc(strlen(data) + 1);
    size_t o = 0;
    bool bol = true;
    assert_non_null(p);
    assert_non_null(tmp);
    for (p += 4; *p != '\0'; p++) {
        if (bol && *p == '.') {
            bol = false;
            continue;
        }
        tmp[o++] = *p;
        bol = *p == '\n';
    }
    tmp[o] = '\0';
    qp_decode(tmp, out);
    free(tmp);
}

/* --- delivery --- */

static void a_message_arrives_dot_stuffed_and_comes_back_unchanged(void **state)
{
    struct sink *s = sink_start(SINK_OK);
    char relay[64], *body = malloc(65536), subject[256];
    const char *text = "Hello,\n.\n..two dots\n. a dot and a space\n"
                       "Task: Включить 2FA = now \nend\n";
    struct hub_mail m = {"hub@kalkan.example", "focal@outlet.example",
                         "Kalkan: 3 вещи требуют внимания — Эскертүү", text};
    struct hub_smtp_opts o = {NULL, NULL, 2000, -1};
    struct kk_diag d = {.msg = ""};
    (void)state;
    assert_non_null(body);
    relay_of(s, relay, sizeof relay);
    o.relay = relay;
    assert_int_equal(hub_smtp_send(&o, &m, &d), KK_OK);
    pthread_join(s->th, NULL);
    s->data[s->data_len] = '\0';
    assert_non_null(strstr(s->cmds, "EHLO kalkan.example\r\n"));
    assert_non_null(strstr(s->cmds, "MAIL FROM:<hub@kalkan.example>\r\n"));
    assert_non_null(strstr(s->cmds, "RCPT TO:<focal@outlet.example>\r\n"));
    assert_non_null(strstr(s->cmds, "QUIT\r\n"));
    /* Dot-stuffed on the wire: "." alone became "..", ".." became "...". */
    assert_non_null(strstr(s->data, "\r\n..\r\n"));
    assert_non_null(strstr(s->data, "\r\n...two dots\r\n"));
    assert_non_null(strstr(s->data, "\r\n.. a dot and a space\r\n"));
    /* Every line ends in CRLF and is 7-bit. */
    for (size_t i = 0; i < s->data_len; i++) {
        assert_true((unsigned char)s->data[i] < 0x80);
        if (s->data[i] == '\n')
            assert_true(i > 0 && s->data[i - 1] == '\r');
    }
    assert_non_null(strstr(s->data, "Subject: =?UTF-8?B?"));
    assert_true(strncmp(s->data, "Date: ", 6) == 0);
    assert_non_null(strstr(s->data, "\r\nMessage-ID: <"));
    assert_non_null(strstr(s->data, "@kalkan.example>\r\n"));
    assert_non_null(
        strstr(s->data, "Content-Type: text/plain; charset=UTF-8\r\n"));
    subject_of(s->data, subject);
    assert_string_equal(subject, m.subject);
    body_of(s->data, body);
    assert_string_equal(body, text);
    close(s->listen_fd);
    free(s);
    free(body);
}

static void helo_is_used_when_ehlo_is_refused(void **state)
{
    struct sink *s = sink_start(SINK_NO_EHLO);
    char relay[64];
    struct hub_mail m = {"hub@kalkan.example", "a@b.example", "Hi", "x\n"};
    struct hub_smtp_opts o = {NULL, "hub.test", 2000, -1};
    struct kk_diag d = {.msg = ""};
    (void)state;
    relay_of(s, relay, sizeof relay);
    o.relay = relay;
    assert_int_equal(hub_smtp_send(&o, &m, &d), KK_OK);
    pthread_join(s->th, NULL);
    assert_non_null(strstr(s->cmds, "EHLO hub.test\r\nHELO hub.test\r\n"));
    close(s->listen_fd);
    free(s);
}

static void a_multiline_greeting_is_read_whole(void **state)
{
    struct sink *s = sink_start(SINK_MULTILINE);
    char relay[64];
    struct hub_mail m = {"hub@kalkan.example", "a@b.example", "Hi", "x\n"};
    struct hub_smtp_opts o = {NULL, NULL, 2000, -1};
    struct kk_diag d = {.msg = ""};
    (void)state;
    relay_of(s, relay, sizeof relay);
    o.relay = relay;
    assert_int_equal(hub_smtp_send(&o, &m, &d), KK_OK);
    sink_stop(s);
}

static void a_5xx_answer_is_an_error(void **state)
{
    struct sink *s = sink_start(SINK_RCPT_550);
    char relay[64];
    struct hub_mail m = {"hub@kalkan.example", "nobody@b.example", "Hi", "x\n"};
    struct hub_smtp_opts o = {NULL, NULL, 2000, -1};
    struct kk_diag d = {.msg = ""};
    (void)state;
    relay_of(s, relay, sizeof relay);
    o.relay = relay;
    assert_int_equal(hub_smtp_send(&o, &m, &d), KK_ERR_PROTO);
    assert_non_null(strstr(d.msg, "550"));
    assert_non_null(strstr(d.msg, "RCPT TO"));
    pthread_join(s->th, NULL);
    assert_null(strstr(s->cmds, "DATA"));
    close(s->listen_fd);
    free(s);
}

static void a_silent_relay_times_out(void **state)
{
    struct sink *s = sink_start(SINK_SILENT);
    char relay[64];
    struct hub_mail m = {"hub@kalkan.example", "a@b.example", "Hi", "x\n"};
    struct hub_smtp_opts o = {NULL, NULL, 300, -1};
    struct kk_diag d = {.msg = ""};
    (void)state;
    relay_of(s, relay, sizeof relay);
    o.relay = relay;
    assert_int_equal(hub_smtp_send(&o, &m, &d), KK_ERR_TIMEOUT);
    assert_non_null(strstr(d.msg, "greeting"));
    sink_stop(s);
}

static void a_closed_port_is_an_error(void **state)
{
    struct sink *s = sink_start(SINK_SILENT);
    char relay[64];
    struct hub_mail m = {"hub@kalkan.example", "a@b.example", "Hi", "x\n"};
    struct hub_smtp_opts o = {NULL, NULL, 1000, -1};
    struct kk_diag d = {.msg = ""};
    (void)state;
    relay_of(s, relay, sizeof relay);
    /* Nobody listens any more on this port. */
    sink_stop(s);
    o.relay = relay;
    assert_int_equal(hub_smtp_send(&o, &m, &d), KK_ERR_SYSTEM);
    assert_non_null(strstr(d.msg, "cannot connect"));
}

static void a_cancelled_send_stops_at_once(void **state)
{
    struct sink *s = sink_start(SINK_SILENT);
    char relay[64];
    int p[2];
    struct hub_mail m = {"hub@kalkan.example", "a@b.example", "Hi", "x\n"};
    struct hub_smtp_opts o = {NULL, NULL, 60000, -1};
    struct kk_diag d = {.msg = ""};
    (void)state;
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], "x", 1), 1);
    relay_of(s, relay, sizeof relay);
    o.relay = relay;
    o.cancel_fd = p[0];
    /* A 60 s timeout, but the cancel descriptor is already readable. */
    assert_int_equal(hub_smtp_send(&o, &m, &d), KK_ERR_TIMEOUT);
    close(p[0]);
    close(p[1]);
    sink_stop(s);
}

static void cr_or_lf_in_an_address_or_subject_is_refused(void **state)
{
    struct sink *s = sink_start(SINK_OK);
    char relay[64];
    static const struct hub_mail bad[] = {
        {"hub@kalkan.example", "a@b.example\r\nRCPT TO:<x@evil.example>", "Hi",
         "x\n"},
        {"hub@kalkan.example\n", "a@b.example", "Hi", "x\n"},
        {"hub@kalkan.example", "a@b.example", "Hi\r\nBcc: x@evil.example",
         "x\n"},
        {"hub@kalkan.example", "a@b.example", "Hi\nthere", "x\n"},
        {"hub@kalkan.example", "<a@b.example>", "Hi", "x\n"},
        {"hub@kalkan.example", "a b@b.example", "Hi", "x\n"},
        {"hub@kalkan.example", "a@b@c.example", "Hi", "x\n"},
        {"hub@kalkan.example", "a@b.example", "Bad \xff byte", "x\n"},
    };
    struct hub_smtp_opts o = {NULL, NULL, 2000, -1};
    (void)state;
    relay_of(s, relay, sizeof relay);
    o.relay = relay;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct kk_diag d = {.msg = ""};
        assert_int_equal(hub_smtp_send(&o, &bad[i], &d), KK_ERR_INVAL);
    }
    /* Nothing reached the relay: no connection was even made. */
    assert_int_equal(s->connections, 0);
    sink_stop(s);
}

/* --- the pieces --- */

static void replies_are_parsed_strictly(void **state)
{
    static const struct {
        const char *in;
        int err, code;
        size_t used;
    } cases[] = {
        {"220 ready\r\n", KK_OK, 220, 11},
        {"250-a\r\n250-b\r\n250 c\r\nextra", KK_OK, 250, 21},
        {"250\r\n", KK_OK, 250, 5},
        {"354 go\n", KK_OK, 354, 7},
        {"250-a\r\n", KK_ERR_TRUNC, 0, 0},
        {"25", KK_ERR_TRUNC, 0, 0},
        {"", KK_ERR_TRUNC, 0, 0},
        {"250-a\r\n251 b\r\n", KK_ERR_PROTO, 0, 0},
        {"hello\r\n", KK_ERR_PROTO, 0, 0},
        {"150 x\r\n", KK_ERR_PROTO, 0, 0},
        {"2x0 x\r\n", KK_ERR_PROTO, 0, 0},
        {"250x\r\n", KK_ERR_PROTO, 0, 0},
        {"25\r\n", KK_ERR_PROTO, 0, 0},
        {"6", KK_ERR_PROTO, 0, 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int code = 0;
        size_t used = 0;
        int err = hub_smtp_reply_parse(cases[i].in, strlen(cases[i].in), &code,
                                       &used);
        if (err != cases[i].err)
            fail_msg("case %zu (%s): %d, want %d", i, cases[i].in, err,
                     cases[i].err);
        if (err == KK_OK) {
            assert_int_equal(code, cases[i].code);
            assert_int_equal(used, cases[i].used);
        }
    }
}

static void replies_are_bounded(void **state)
{
    char *big = malloc(HUB_SMTP_REPLY_MAX + 64);
    size_t n = 0;
    int code;
    size_t used;
    (void)state;
    assert_non_null(big);
    /* One line too long. */
    memcpy(big, "250 ", 4);
    memset(big + 4, 'a', HUB_SMTP_LINE_MAX + 8);
    assert_int_equal(
        hub_smtp_reply_parse(big, HUB_SMTP_LINE_MAX + 12, &code, &used),
        KK_ERR_LIMIT);
    /* Too many lines. */
    while (n + 7 < HUB_SMTP_REPLY_MAX && n / 7 <= HUB_SMTP_LINES_MAX) {
        memcpy(big + n, "250-a\r\n", 7);
        n += 7;
    }
    memcpy(big + n, "250 a\r\n", 7);
    n += 7;
    assert_int_equal(hub_smtp_reply_parse(big, n, &code, &used), KK_ERR_PROTO);
    /* A NUL inside. */
    assert_int_equal(hub_smtp_reply_parse("250 a\0b\r\n", 9, &code, &used),
                     KK_ERR_PROTO);
    free(big);
}

static void quoted_printable_keeps_lines_short_and_round_trips(void **state)
{
    struct kk_buf *b = kk_buf_new(1 << 16);
    char back[4096], text[2048];
    const char *p;
    size_t col = 0;
    (void)state;
    assert_non_null(b);
    snprintf(text, sizeof text,
             "%s\nshort = equals\ntrailing space \ntab\t\n"
             "Кыргызча текст: ө ү ң\n",
             "A long line of text that goes on and on past the seventy-six "
             "characters a quoted-printable line may hold, and further still");
    assert_int_equal(hub_mail_encode_qp(text, strlen(text), b), KK_OK);
    assert_int_equal(kk_buf_putc(b, '\0'), KK_OK);
    p = (const char *)kk_buf_data(b);
    for (size_t i = 0; p[i] != '\0'; i++) {
        if (p[i] == '\r') {
            assert_int_equal(p[i + 1], '\n');
            col = 0;
            i++;
            continue;
        }
        col++;
        assert_true(col <= 76);
        assert_true((unsigned char)p[i] < 0x80);
    }
    assert_non_null(strstr(p, "trailing space=20\r\n"));
    assert_non_null(strstr(p, "tab=09\r\n"));
    assert_non_null(strstr(p, "short =3D equals"));
    qp_decode(p, back);
    assert_string_equal(back, text);
    kk_buf_free(b);
}

static void headers_stay_plain_or_are_encoded_words(void **state)
{
    struct kk_buf *b = kk_buf_new(1 << 16);
    char long_text[400], dec[400];
    const char *p;
    (void)state;
    assert_non_null(b);
    assert_int_equal(hub_mail_encode_header("Plain subject", b), KK_OK);
    assert_int_equal(kk_buf_putc(b, '\0'), KK_OK);
    assert_string_equal((const char *)kk_buf_data(b), "Plain subject");
    kk_buf_reset(b);
    /* A long Russian subject: several words, each at most 75 characters,
     * each cut between characters. */
    snprintf(long_text, sizeof long_text, "%s",
             "Напоминание: просроченные задачи, устаревшие проверки, "
             "лицензии и открытые инциденты");
    assert_int_equal(hub_mail_encode_header(long_text, b), KK_OK);
    assert_int_equal(kk_buf_putc(b, '\0'), KK_OK);
    p = (const char *)kk_buf_data(b);
    {
        size_t o = 0;
        const char *w = p;
        while ((w = strstr(w, "=?UTF-8?B?")) != NULL) {
            const char *end = strstr(w, "?=");
            char part[100];
            size_t k;
            assert_non_null(end);
            assert_true(end + 2 - w <= 75);
            k = b64_decode(w + 10, (size_t)(end - w - 10), part);
            /* Each word holds whole characters. */
            assert_true(((unsigned char)part[0] & 0xC0) != 0x80);
            memcpy(dec + o, part, k);
            o += k;
            w = end + 2;
        }
        dec[o] = '\0';
    }
    assert_string_equal(dec, long_text);
    assert_non_null(strstr(p, "?=\r\n =?UTF-8?B?"));
    assert_int_equal(hub_mail_encode_header("a\rb", b), KK_ERR_INVAL);
    assert_int_equal(hub_mail_encode_header("a\x7f", b), KK_ERR_INVAL);
    kk_buf_free(b);
}

static void relays_are_host_and_port(void **state)
{
    char h[64], p[8];
    (void)state;
    assert_int_equal(
        hub_smtp_relay_parse("127.0.0.1:25", h, sizeof h, p, sizeof p), KK_OK);
    assert_string_equal(h, "127.0.0.1");
    assert_string_equal(p, "25");
    assert_int_equal(
        hub_smtp_relay_parse("[::1]:2525", h, sizeof h, p, sizeof p), KK_OK);
    assert_string_equal(h, "::1");
    assert_string_equal(p, "2525");
    assert_int_equal(
        hub_smtp_relay_parse("mail.example.org:587", h, sizeof h, p, sizeof p),
        KK_OK);
    assert_string_equal(h, "mail.example.org");
    static const char *const bad[] = {
        "127.0.0.1", "127.0.0.1:", ":25",     "::1:25",  "[::1]25",
        "host:0",    "host:65536", "h st:25", "host:2a", "[::1:25",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(hub_smtp_relay_parse(bad[i], h, sizeof h, p, sizeof p),
                         KK_ERR_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            a_message_arrives_dot_stuffed_and_comes_back_unchanged),
        cmocka_unit_test(helo_is_used_when_ehlo_is_refused),
        cmocka_unit_test(a_multiline_greeting_is_read_whole),
        cmocka_unit_test(a_5xx_answer_is_an_error),
        cmocka_unit_test(a_silent_relay_times_out),
        cmocka_unit_test(a_closed_port_is_an_error),
        cmocka_unit_test(a_cancelled_send_stops_at_once),
        cmocka_unit_test(cr_or_lf_in_an_address_or_subject_is_refused),
        cmocka_unit_test(replies_are_parsed_strictly),
        cmocka_unit_test(replies_are_bounded),
        cmocka_unit_test(quoted_printable_keeps_lines_short_and_round_trips),
        cmocka_unit_test(headers_stay_plain_or_are_encoded_words),
        cmocka_unit_test(relays_are_host_and_port),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
