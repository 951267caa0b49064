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

/* The hub: HTTP requests and what parses them. */
#define KK_HUB_URL_MAX 2048                 /* bytes in a request target */
#define KK_HUB_BODY_MAX (1024 * 1024)       /* bytes in a form or JSON body */
#define KK_HUB_UPLOAD_MAX (4 * 1024 * 1024) /* bytes in a CSV import body */
#define KK_HUB_CONN_MEMORY (16 * 1024)      /* per-connection header memory */
#define KK_HUB_CONN_TIMEOUT 15              /* seconds a connection may idle */
#define KK_HUB_CONNECTIONS_MAX 512          /* connections at once */
#define KK_HUB_FORM_FIELDS_MAX 256          /* fields in a form or query */
#define KK_HUB_FIELD_MAX (64 * 1024)        /* bytes in one decoded field */
#define KK_HUB_JSON_DEPTH_MAX 32            /* nesting of arrays and objects */
#define KK_HUB_JSON_NODES_MAX 65536         /* values in one JSON document */
#define KK_HUB_CSV_ROWS_MAX 20000           /* rows in one CSV import */
#define KK_HUB_CSV_FIELDS_MAX 64            /* fields in one CSV row */
#define KK_HUB_CSV_FIELD_MAX 4096           /* bytes in one CSV field */
#define KK_HUB_COOKIE_MAX 4096              /* bytes in a Cookie header */
#define KK_HUB_TEXT_MAX 4096                /* bytes in a free-text value */
#define KK_HUB_NAME_MAX 200                 /* bytes in a name or title */
#define KK_HUB_PASSWORD_MIN 10              /* characters in a hub password */
#define KK_HUB_PASSWORD_MAX 1024            /* bytes in a hub password */
#define KK_HUB_SESSION_IDLE (8 * 3600)      /* seconds before a session ends */
#define KK_HUB_SESSION_MAX (7 * 86400) /* seconds a session lives at most */
#define KK_HUB_LOGIN_PENDING 600       /* seconds between password and code */
#define KK_HUB_PAGE_ROWS 500           /* rows listed on one page */
#define KK_HUB_PO_MAX (1024 * 1024)    /* bytes in a .po catalogue */

/* The hub's PDF reports (lib/hub/pdf.c) and the TrueType fonts they embed. */
#define KK_HUB_PDF_PAGES_MAX 2000          /* pages in one document */
#define KK_HUB_PDF_MAX (32 * 1024 * 1024)  /* bytes in one document */
#define KK_HUB_PDF_INFO_MAX 1024           /* bytes of a title/subject */
#define KK_HUB_FONT_MAX (32 * 1024 * 1024) /* bytes in a font file */
#define KK_HUB_TTF_DEPTH_MAX 8             /* nesting of composite glyphs */

/* The website checker (lib/site). */
#define KK_SITE_HTTP_MAX 80             /* HTTP requests per site */
#define KK_SITE_TLS_MAX 20              /* TLS handshakes per site */
#define KK_SITE_BODY_MAX (512 * 1024)   /* bytes of one response body kept */
#define KK_SITE_HEADERS_MAX (64 * 1024) /* bytes of one response's headers */
#define KK_SITE_DNS_ANSWERS_MAX 64      /* records used from one answer */
#define KK_SITE_SPF_LOOKUPS_MAX 10      /* DNS lookups of one SPF check */
#define KK_SITE_TLS_RECORD_MAX 18432    /* bytes of a TLS record read */
#define KK_SITE_HOST_MAX 253            /* bytes in a host name */
#define KK_SITE_URL_MAX 2048            /* bytes in a target URL */
#define KK_SITE_EVIDENCE_MAX 512        /* bytes of evidence per finding */
#define KK_SITE_TIMEOUT_MS 10000        /* default per connection or query */
#define KK_SITE_TEXT_FILE_MAX (1024 * 1024) /* bytes in one text file */
#define KK_SITE_TEXT_LINE_MAX 8192    /* bytes in one line of a text file */
#define KK_SITE_TEXT_ID_MAX 64        /* bytes in a text section name */
#define KK_SITE_TEXT_ENTRIES_MAX 4096 /* texts in one text file */

#endif
