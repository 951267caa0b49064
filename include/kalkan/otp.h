/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * otp.h - one-time passwords: HOTP (RFC 4226), TOTP (RFC 6238), base32
 * (RFC 4648), otpauth:// URIs (Key Uri Format) and QR codes.
 *
 * All functions are thread-safe and keep no state.  Secrets passed in are
 * borrowed and never copied into memory the library does not wipe.  None
 * prints, exits or allocates except otp_qr_render and the kk_buf appends.
 * Only otp_qr_render needs libqrencode and libpng.
 * The credential store used by pam_kalkan.so is declared in otp_store.h.
 */
#ifndef KALKAN_OTP_H
#define KALKAN_OTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kalkan/kk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* HMAC hash functions allowed by RFC 6238. */
enum otp_alg {
    OTP_ALG_SHA1 = 0,
    OTP_ALG_SHA256 = 1,
    OTP_ALG_SHA512 = 2,
};

/* Counter-based (HOTP) or time-based (TOTP). */
enum otp_kind {
    OTP_KIND_TOTP = 0,
    OTP_KIND_HOTP = 1,
};

/* Room for the longest code and its NUL. */
#define OTP_CODE_SIZE (KK_OTP_DIGITS_MAX + 1)

/* Parameters of one credential. */
struct otp_params {
    enum otp_kind kind;
    enum otp_alg alg;
    unsigned digits;  /* 6 to 8 */
    unsigned period;  /* seconds per step, 1 to KK_OTP_PERIOD_MAX (TOTP) */
    uint64_t counter; /* next counter value (HOTP) */
};

/* Fills p with the defaults: TOTP, SHA-1, 6 digits, 30 s, counter 0. */
KK_API void otp_params_default(struct otp_params *p);
/* KK_OK if p is within the limits above, else KK_ERR_RANGE. */
KK_API KK_WUR int otp_params_check(const struct otp_params *p);

/* "SHA1", "SHA256", "SHA512". */
KK_API const char *otp_alg_name(enum otp_alg alg);
/* Parses an algorithm name, case-insensitive, with or without the dash
 * ("sha-256").  KK_ERR_INVAL if unknown. */
KK_API KK_WUR int otp_alg_parse(const char *s, enum otp_alg *out);

/*
 * HOTP value (RFC 4226 §5.3) of counter under key (any length >= 1; keys
 * longer than the digest's block are hashed first, as HMAC specifies), as
 * a NUL-terminated string of digits decimal digits in out (OTP_CODE_SIZE
 * bytes).  alg may be any of the three (RFC 4226 itself only uses SHA-1).
 * KK_ERR_RANGE for bad digits or algorithm, KK_ERR_INVAL for an empty or
 * NULL key, KK_ERR_CRYPTO if libsodium cannot be initialised (SHA-256 and
 * SHA-512 only; SHA-1 cannot fail).  out is written only on success.
 * Cost: one HMAC with its key set-up, about 0.6 us for SHA-1, 1.2 us for
 * SHA-256, 1.6 us for SHA-512; no allocation.
 */
KK_API KK_WUR int otp_hotp(const uint8_t *key, size_t keylen, enum otp_alg alg,
                           uint64_t counter, unsigned digits,
                           char out[OTP_CODE_SIZE]);

/*
 * TOTP time step of Unix time t: floor(t / period), T0 = 0.  Negative times
 * and a period outside 1..KK_OTP_PERIOD_MAX are refused (KK_ERR_RANGE).
 */
KK_API KK_WUR int otp_totp_step(int64_t t, unsigned period, uint64_t *step);

/* TOTP value at Unix time t (RFC 6238 §4). */
KK_API KK_WUR int otp_totp(const uint8_t *key, size_t keylen, enum otp_alg alg,
                           int64_t t, unsigned period, unsigned digits,
                           char out[OTP_CODE_SIZE]);

/*
 * Checks code against the counters center-back .. center+ahead (saturating
 * at 0 and UINT64_MAX).  For TOTP, center is otp_totp_step(now); for HOTP,
 * the next expected counter with back = 0.  Every candidate is computed and
 * compared in constant time, with no early exit, so the time taken does
 * not reveal which counter matched.  Cost: back + ahead + 1 HMACs (the key
 * is absorbed once; about 0.3 us each for SHA-1, 0.6 us for SHA-256,
 * 0.75 us for SHA-512); the caller bounds back and ahead
 * (KK_OTP_WINDOW_MAX, KK_STORE_DRIFT_MAX).
 * On a match returns KK_OK and sets *offset (if not NULL) to the matching
 * counter minus center (the smallest such when a code repeats);
 * KK_ERR_AUTH if none matches; KK_ERR_INVAL if key is empty or code is not
 * exactly digits decimal digits; KK_ERR_RANGE for bad digits or algorithm.
 * KK_ERR_CRYPTO as for otp_hotp.  *offset is set only on KK_OK.
 */
KK_API KK_WUR int otp_verify(const uint8_t *key, size_t keylen,
                             enum otp_alg alg, unsigned digits, uint64_t center,
                             unsigned back, unsigned ahead, const char *code,
                             int64_t *offset);

/* ---- base32 (RFC 4648 §6) ---- */

/* Characters needed to encode n bytes, with or without "=" padding,
 * not counting a NUL; SIZE_MAX if that does not fit in a size_t. */
KK_API size_t otp_base32_len(size_t n, bool pad);
/*
 * Encodes len bytes as upper-case base32 into out (cap bytes, NUL added).
 * *outlen (may be NULL) gets the length without NUL.  KK_ERR_TRUNC if out
 * is too small (it needs otp_base32_len(len, pad) + 1 bytes).
 */
KK_API KK_WUR int otp_base32_encode(const uint8_t *in, size_t len, bool pad,
                                    char *out, size_t cap, size_t *outlen);
/*
 * Decodes base32 text of len bytes (not NUL-terminated; a NUL inside is an
 * invalid character).  Lower case, spaces, tabs, dashes and missing or
 * partial padding are tolerated; any other character (0, 1, 8 and 9
 * included), padding before the end, more padding than the length calls
 * for, or a length that no byte string encodes to is KK_ERR_INVAL.
 * Non-zero trailing bits are tolerated (as authenticator apps do).
 * KK_ERR_TRUNC if out (cap bytes) is too small; at most len * 5 / 8 bytes
 * are written.  out and *outlen (may be NULL) are written only on success.
 * The time taken does not depend on which letters the text holds.
 */
KK_API KK_WUR int otp_base32_decode(const char *in, size_t len, uint8_t *out,
                                    size_t cap, size_t *outlen);

/* ---- secrets ---- */

/* Fills out with len random bytes from getrandom(2); len is 1 to
 * KK_OTP_SECRET_MAX (KK_ERR_RANGE otherwise), KK_OTP_SECRET_GEN for new
 * credentials.  KK_ERR_SYSTEM if the kernel refuses. */
KK_API KK_WUR int otp_secret_generate(uint8_t *out, size_t len);

/* ---- otpauth:// URIs ---- */

/* The contents of an otpauth URI.  Holds the secret: wipe with
 * otp_uri_wipe() when done. */
struct otp_uri {
    struct otp_params params;
    char issuer[KK_OTP_LABEL_MAX + 1];  /* may be empty */
    char account[KK_OTP_LABEL_MAX + 1]; /* never empty in a valid URI */
    uint8_t secret[KK_OTP_SECRET_MAX];
    size_t secret_len;
};

/* Zeroes the whole structure. */
KK_API void otp_uri_wipe(struct otp_uri *u);

/*
 * Builds "otpauth://totp/Issuer:account?secret=...&issuer=Issuer&..." with
 * percent-encoded label parts ("@" is kept), an unpadded secret, and
 * algorithm, digits, period (TOTP) or counter (HOTP).  Appends to out; on
 * failure out is left as it was.  What it builds otp_uri_parse reads back
 * to the same contents.  KK_ERR_RANGE if u->params fail otp_params_check;
 * KK_ERR_INVAL for an empty account, one starting with a space, a label
 * part with ':' or a control character or longer than KK_OTP_LABEL_MAX,
 * or a secret outside KK_OTP_SECRET_MIN..KK_OTP_SECRET_MAX bytes;
 * KK_ERR_LIMIT if the URI would exceed KK_OTP_URI_MAX bytes or out's cap.
 */
KK_API KK_WUR int otp_uri_build(const struct otp_uri *u, struct kk_buf *out);

/*
 * Parses an otpauth URI of len bytes (at most KK_OTP_URI_MAX, else
 * KK_ERR_LIMIT).  The scheme, type and parameter names are
 * case-insensitive.  Accepts the issuer in the label prefix (before a
 * literal or %3A colon), in issuer=, or both (they must agree); spaces
 * before the account are dropped.  In the query "+" means a space.
 * Unknown parameters are ignored, and so is a "#fragment".  A missing
 * secret, a secret that is not base32 or outside KK_OTP_SECRET_MIN..
 * KK_OTP_SECRET_MAX bytes, an unknown type or algorithm, out-of-range
 * digits, period or counter, a parameter given twice, a second colon,
 * an empty account, control characters in a label, a NUL byte, or bad
 * percent-encoding is KK_ERR_INVAL.  Every failure puts one line in d that
 * never contains the secret, and leaves *u untouched.  Absent parameters
 * take the defaults of otp_params_default (HOTP counter 0); a TOTP URI's
 * counter= and a HOTP URI's period= are checked, then reset to those
 * defaults, since they mean nothing for that kind.  The caller
 * wipes *u with otp_uri_wipe.  Reentrant; no allocation.
 */
KK_API KK_WUR int otp_uri_parse(const char *s, size_t len, struct otp_uri *u,
                                struct kk_diag *d);

/*
 * Parses a secret as a person hands it over: the first line of text (len
 * bytes), blanks around it ignored, either an otpauth:// URI (any case in
 * the scheme; its parameters, issuer and account fill u) or base32 text
 * (u->params get the defaults of otp_params_default, issuer and account
 * stay empty).  KK_ERR_NOTFOUND when the line is empty; KK_ERR_INVAL or
 * KK_ERR_RANGE with one line in d otherwise (never quoting the secret).
 * u is written only on success; wipe it with otp_uri_wipe().
 */
KK_API KK_WUR int otp_secret_parse(const char *text, size_t len,
                                   struct otp_uri *u, struct kk_diag *d);

/* ---- QR codes ---- */

enum otp_qr_format {
    OTP_QR_TERM = 0, /* UTF-8 half blocks, two modules per character cell,
                        black on white (ANSI SGR 30;47) on every line */
    OTP_QR_SVG = 1,  /* a standalone SVG document */
    OTP_QR_PNG = 2,  /* a PNG image: 1-bit grey, 8 pixels per module */
    OTP_QR_TEXT = 3, /* as OTP_QR_TERM without colour codes: dark modules
                        are blocks, light ones spaces (for files, print) */
};

/*
 * Renders text (1 to KK_OTP_URI_MAX bytes) as a QR code (error correction
 * M, quiet zone of 4 modules) in the given format, appending to out.  On
 * failure out is left as it was.  KK_ERR_INVAL for empty text or an
 * unknown format, KK_ERR_LIMIT if the text is too long or out's cap is
 * reached, KK_ERR_NOMEM, KK_ERR_IO if libpng fails.  Never prints.
 * Thread-safe (libqrencode is built with pthreads on Debian).
 */
KK_API KK_WUR int otp_qr_render(const char *text, enum otp_qr_format fmt,
                                struct kk_buf *out);

/* ---- printable enrolment sheets ---- */

/* Languages of the enrolment sheet. */
enum otp_lang {
    OTP_LANG_EN = 0, /* English */
    OTP_LANG_RU = 1, /* Russian */
    OTP_LANG_KY = 2, /* Kyrgyz (Cyrillic) */
};

/* Parses a language code: "en", "ru" or "ky" (case-insensitive) into
 * *out.  KK_ERR_INVAL for NULL or anything else; *out is set only on
 * KK_OK. */
KK_API KK_WUR int otp_lang_parse(const char *s, enum otp_lang *out);

/*
 * Renders the printable enrolment sheet of credential u in language lang:
 * one standalone HTML5 page (UTF-8, no script, no external resource,
 * inline CSS sized for a phone screen and for one A4 page) with the issuer
 * and account, the QR code of otp_uri_build(u) as inline SVG, the unpadded
 * base32 secret in groups of 4 for manual entry, the code parameters,
 * how to install an app, scan and activate, what to do when the phone is
 * lost, and the warning to destroy the sheet.  Every name is HTML-escaped.
 * Appends to out (KK_OTP_SHEET_MAX bytes are enough); on failure out is
 * left as it was.  The page holds the secret: the caller writes it mode
 * 0600 and wipes out (kk_buf_free does).  Temporary buffers are wiped.
 * KK_ERR_INVAL for an unknown lang or NULL argument, the errors of
 * otp_uri_build and otp_qr_render otherwise (KK_ERR_LIMIT when out's cap is
 * reached).  Thread-safe; allocates only temporary buffers; never prints.
 */
KK_API KK_WUR int otp_sheet_render(const struct otp_uri *u, enum otp_lang lang,
                                   struct kk_buf *out);

#ifdef __cplusplus
}
#endif

#endif
