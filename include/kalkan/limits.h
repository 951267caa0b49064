/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * limits.h - every hard limit in Kalkan, in one place.
 *
 * Anything that reads hostile or merely careless input is bounded by count,
 * size and time.  The numbers live here so that a reviewer can see them all
 * at once and a fuzzer can be told what "too big" means.
 */
#ifndef KALKAN_LIMITS_H
#define KALKAN_LIMITS_H

/* Base library. */
#define KK_DIAG_MAX 256               /* bytes in a diagnostic message */
#define KK_SECRET_MAX 4096            /* bytes in one secret buffer */
#define KK_CONF_FILE_MAX (256 * 1024) /* bytes in a configuration file */
#define KK_CONF_LINE_MAX 4096         /* bytes in one configuration line */
#define KK_CONF_ENTRIES_MAX 1024      /* entries in a configuration file */

/* One-time passwords. */
#define KK_OTP_SECRET_MIN 10  /* bytes (80 bits) accepted on import */
#define KK_OTP_SECRET_GEN 20  /* bytes (160 bits) generated */
#define KK_OTP_SECRET_MAX 128 /* bytes accepted in a secret */
#define KK_OTP_BASE32_MAX 512 /* characters in a base32 secret text */
#define KK_OTP_DIGITS_MIN 6
#define KK_OTP_DIGITS_MAX 8
#define KK_OTP_PERIOD_MAX 3600          /* seconds in a TOTP time step */
#define KK_OTP_WINDOW_MAX 10            /* steps either side when verifying */
#define KK_OTP_URI_MAX 2048             /* bytes in an otpauth:// URI */
#define KK_OTP_LABEL_MAX 256            /* bytes in an issuer or account name */
#define KK_OTP_QR_MAX (4 * 1024 * 1024) /* bytes of a rendered QR image */
#define KK_OTP_SHEET_MAX                                                       \
    (1024 * 1024) /* bytes of a printable enrolment sheet */

/* The credential store of pam_kalkan and `kalkan otp`. */
#define KK_STORE_FILE_MAX (64 * 1024)  /* bytes in one user's state file */
#define KK_STORE_CREDS_MAX 16          /* credentials per user */
#define KK_STORE_RECOVERY_CODES 10     /* recovery codes issued at a time */
#define KK_STORE_USER_MAX 64           /* bytes in a user name */
#define KK_STORE_LOCK_TIMEOUT_MS 10000 /* wait for a user's lock at most */
#define KK_STORE_DRIFT_MAX 20          /* learned drift, steps either way */
#define KK_STORE_HOTP_RESYNC_MAX 100   /* HOTP counters a resync looks ahead */
#define KK_GA_FILE_MAX (16 * 1024) /* bytes in a google-authenticator file */

/* `kalkan otp daemon`, the root helper of screen lockers. */
#define KK_OTPD_CHILDREN_MAX 64  /* requests served at once */
#define KK_OTPD_CHILDREN_UID 8   /* of them for one non-root uid */
#define KK_OTPD_REQUEST_MS 5000  /* to read one request line */
#define KK_OTPD_CHILD_SECONDS 30 /* a worker's whole life */
#define KK_OTPD_REAP_MS 1000     /* finished workers reaped this often */

#endif
