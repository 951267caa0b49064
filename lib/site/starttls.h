/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * starttls.h - reading a mail server's SMTP replies, for the smtp stage
 * (smtp.c): the greeting, the EHLO capabilities and the answer to
 * STARTTLS.
 */
#ifndef KALKAN_SITE_STARTTLS_H
#define KALKAN_SITE_STARTTLS_H

#include <stdbool.h>
#include <stddef.h>

#include "kalkan/kk.h"

/* Bytes of one reply line with its CRLF (RFC 5321 4.5.3.1.5), and lines
 * of one reply, at most. */
#define SITE_SMTP_LINE_MAX 512
#define SITE_SMTP_LINES_MAX 100

/* One reply, as far as the checker cares. */
struct site_smtp_reply {
    int code;      /* 200..599 */
    size_t lines;  /* 1..SITE_SMTP_LINES_MAX */
    bool starttls; /* a line after the first names the STARTTLS keyword */
};

/*
 * Parses the first complete reply in the n bytes at p: lines "ddd-text"
 * continued, then "ddd text" or "ddd" ending it, each ended by CRLF (a
 * bare LF is accepted), all with the same code of 2xx..5xx.  On KK_OK
 * *out is the reply and *used the bytes it took.  KK_ERR_TRUNC when the
 * reply is not complete yet; KK_ERR_LIMIT for a line longer than
 * SITE_SMTP_LINE_MAX or more than SITE_SMTP_LINES_MAX lines; KK_ERR_PROTO
 * for anything else (a bad code, separator or NUL byte, codes that differ
 * between lines).  Reads only the n bytes.  Pure, thread-safe.
 */
KK_WUR int site_smtp_reply_parse(const char *p, size_t n,
                                 struct site_smtp_reply *out, size_t *used);

#endif
