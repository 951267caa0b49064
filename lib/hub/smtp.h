/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * smtp.h - a small SMTP client (RFC 5321) for the hub's reminder e-mail,
 * and the pieces it is made of: the reply parser, the message writer
 * (RFC 5322 headers, RFC 2047 subject, quoted-printable UTF-8 body) and
 * dot-stuffing.
 *
 * The client speaks plain SMTP without TLS or authentication: it is meant
 * for a relay on the same machine or network (the outlet's own MTA on
 * 127.0.0.1:25) that carries the mail onward.  Every step is bounded in
 * time and every reply in size, so a slow or broken relay costs at most
 * the timeout.  Thread safety: the functions keep no state; any thread may
 * send at any time.
 */
#ifndef KALKAN_HUB_SMTP_H
#define KALKAN_HUB_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kalkan/kk.h"

/* Limits of what the relay may send and what we write. */
#define HUB_SMTP_REPLY_MAX 16384 /* bytes of one reply, every line */
#define HUB_SMTP_LINE_MAX 1024   /* bytes of one reply line */
#define HUB_SMTP_LINES_MAX 64    /* lines of one reply */
#define HUB_SMTP_TIMEOUT_MS 15000
#define HUB_MAIL_ADDR_MAX 254
#define HUB_MAIL_BODY_MAX (256 * 1024)

/* Parses the reply at the start of buf[0..len): one or more lines "NNN-"
 * ending with a line "NNN " (or just "NNN"), each ended by CRLF (a bare
 * LF is accepted).  On KK_OK sets *code (200..599) and *used (the bytes of
 * the whole reply).  KK_ERR_TRUNC: the reply is not complete yet (read
 * more); KK_ERR_PROTO: not a reply (a bad code, lines with different
 * codes, a NUL byte, too many lines); KK_ERR_LIMIT: a line longer than
 * HUB_SMTP_LINE_MAX or a reply longer than HUB_SMTP_REPLY_MAX. */
KK_WUR int hub_smtp_reply_parse(const char *buf, size_t len, int *code,
                                size_t *used);

/* True if addr looks like local@domain with printable ASCII only (no
 * space, CR, LF, angle brackets, quotes, commas or semicolons), at most
 * HUB_MAIL_ADDR_MAX bytes: safe to put between <> in a command or a
 * header. */
bool hub_mail_addr_ok(const char *addr);

/* Appends text as a header value: unchanged when it is printable ASCII of
 * at most 70 bytes, else as RFC 2047 "=?UTF-8?B?...?=" words of at most 75
 * characters, cut between UTF-8 characters and folded with CRLF SP.
 * KK_ERR_INVAL if text holds a control character (CR, LF: no header
 * injection) or is not valid UTF-8. */
KK_WUR int hub_mail_encode_header(const char *text, struct kk_buf *out);

/* Appends body (UTF-8, lines ended by LF or CRLF) as quoted-printable
 * (RFC 2045): lines of at most 76 characters with soft breaks, CRLF line
 * ends, "=", bytes above 127 and spaces or tabs at a line's end encoded. */
KK_WUR int hub_mail_encode_qp(const char *body, size_t len, struct kk_buf *out);

struct hub_mail {
    const char *from;    /* envelope and header sender */
    const char *to;      /* one recipient */
    const char *subject; /* UTF-8, no control characters */
    const char *body;    /* UTF-8 text, LF line ends */
};

/* Writes the whole message into out: Date (of now, without the weekday), From
 * ("Kalkan <from>"), To, Subject, Message-ID (random, "@" and the sender's
 * domain), MIME headers for text/plain UTF-8 in quoted-printable, a blank line
 * and the body; CRLF line ends, not yet dot-stuffed.  KK_ERR_INVAL for a bad
 * address, a subject with control characters or invalid UTF-8, or a body
 * over HUB_MAIL_BODY_MAX. */
KK_WUR int hub_mail_format(const struct hub_mail *m, int64_t now,
                           struct kk_buf *out);

/* Appends msg (CRLF or LF lines) as the content of DATA: CRLF line ends, a
 * "." doubled at the start of every line that has one, then ".\r\n". */
KK_WUR int hub_smtp_dot_stuff(const char *msg, size_t len, struct kk_buf *out);

/* Splits "HOST:PORT" ("127.0.0.1:25", "[::1]:25", "mail.example.org:587")
 * into host (brackets removed) and port.  KK_ERR_INVAL when malformed or
 * a part does not fit. */
KK_WUR int hub_smtp_relay_parse(const char *relay, char *host, size_t hcap,
                                char *port, size_t pcap);

struct hub_smtp_opts {
    const char *relay; /* "HOST:PORT" */
    const char *helo;  /* the name the client greets with; NULL: the
                          domain of the sender */
    int timeout_ms;    /* for the connection and each reply or write; 0:
                          HUB_SMTP_TIMEOUT_MS */
    int cancel_fd;     /* a descriptor that becomes readable when the
                          caller wants to give up (-1: none) */
};

/* Sends m through the relay: connect (every address the name resolves to,
 * IPv4 or IPv6, in turn), the 220 greeting, EHLO (HELO when EHLO is
 * refused), MAIL FROM, RCPT TO, DATA, the message, QUIT.  KK_OK once the
 * relay accepted the message (250 after the data); what happens at QUIT
 * does not matter then.  Errors, with d saying which step: KK_ERR_INVAL
 * (a bad address, relay or message), KK_ERR_SYSTEM (no connection),
 * KK_ERR_TIMEOUT (the relay was too slow, or cancel_fd fired),
 * KK_ERR_IO (the connection broke), KK_ERR_PROTO (the relay refused a step
 * with 4xx or 5xx, or did not speak SMTP).  Name resolution uses the
 * system resolver, which the timeout does not bound: give an address or a
 * name from /etc/hosts. */
KK_WUR int hub_smtp_send(const struct hub_smtp_opts *o,
                         const struct hub_mail *m, struct kk_diag *d);

#endif
