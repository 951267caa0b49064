/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * otp_int.h - helpers shared inside the otp library: SHA-1 (FIPS 180-4),
 * which HMAC-SHA1 in hotp.c is built on, and the HTML escaping of the
 * enrolment sheet.  Internal to the library (not KK_API); the unit tests
 * include it to check SHA-1 and the escaping on their own.
 */
#ifndef KALKAN_OTP_INT_H
#define KALKAN_OTP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "kalkan/kk.h"

#define OTP_SHA1_SIZE 20  /* digest bytes */
#define OTP_SHA1_BLOCK 64 /* block bytes */

/* A running SHA-1 digest.  Plain data: copying the struct forks the
 * digest, which is how HMAC reuses a key absorbed once. */
struct otp_sha1 {
    uint32_t h[5];               /* chaining value */
    uint64_t bytes;              /* message bytes absorbed so far */
    uint8_t buf[OTP_SHA1_BLOCK]; /* the partial block, bytes % 64 long */
};

/*
 * otp_sha1_init starts a digest; otp_sha1_update absorbs len bytes of p
 * (p may be NULL when len is 0); otp_sha1_final writes the 20-byte digest
 * to out and wipes *c, which must be initialised again before reuse.  The
 * message may be at most 2^61 - 1 bytes (FIPS 180-4 §1).  None can fail,
 * allocate or print.  No branch or memory access depends on the message
 * bytes, only on their count; the message schedule left on the stack is
 * wiped before each function returns.  Thread-safe on distinct contexts.
 * Cost: one compression per 64 bytes, the padding adds one or two.
 */
void otp_sha1_init(struct otp_sha1 *c);
void otp_sha1_update(struct otp_sha1 *c, const void *p, size_t len);
void otp_sha1_final(struct otp_sha1 *c, uint8_t out[OTP_SHA1_SIZE]);

/*
 * Appends s to out with the five HTML-significant characters escaped
 * (& < > " ' become &amp; &lt; &gt; &quot; &#39;), so the result is safe
 * in element text and in quoted attribute values.  Other bytes, UTF-8
 * included, are copied as they are.  On failure (KK_ERR_LIMIT at out's
 * cap, KK_ERR_INVAL for NULL) out is left as it was.  Cost: O(strlen(s)).
 */
int otp_html_escape(struct kk_buf *out, const char *s);

#endif
