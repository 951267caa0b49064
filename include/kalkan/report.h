/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report.h - the small client the tools on an outlet's machines (guard,
 * scanner, host checks) send their results to the hub with.
 *
 * One HTTPS POST of a JSON document to the hub's API with the device's
 * bearer token, read from a file (never from argv or the environment) and
 * wiped after use.  Reports that cannot be sent wait in a bounded spool
 * directory and go out, oldest first, with the next report.
 */
#ifndef KALKAN_REPORT_H
#define KALKAN_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kalkan/kk.h"

#ifdef __cplusplus
extern "C" {
#endif

#define REPORT_BODY_MAX (1024 * 1024) /* bytes in one report */
#define REPORT_SPOOL_MAX 256          /* reports kept while the hub is away */

struct report_client;

struct report_opts {
    const char *url;        /* hub base, "https://hub.example.org" */
    const char *token_file; /* the device token, one line, mode 0600 */
    const char *ca_file;    /* NULL: the system's CA store */
    const char *spool_dir;  /* NULL: no spool (a failed send is lost) */
    uint32_t timeout_ms;    /* per request; 0 = 10000 */
};

/* Reads the token file (a regular file of this user, not readable by group
 * or others, one word) and prepares the client; creates the spool
 * directory (mode 0700) when it is missing.  url must be https://, or
 * http:// to a loopback address (tests).  KK_ERR_PERM when the token file
 * or the spool is too open or not ours, KK_ERR_INVAL for a bad url or
 * token, KK_ERR_NOTFOUND when the token file is missing; d says which.
 * The caller frees *out with report_client_free. */
KK_API KK_WUR int report_client_new(const struct report_opts *o,
                                    struct report_client **out,
                                    struct kk_diag *d);
/* Wipes the token. */
KK_API void report_client_free(struct report_client *c);

/*
 * POSTs body (JSON) to url + path.  On a 2xx answer returns KK_OK and, when
 * reply is not NULL, appends the answer's body (at most 64 KiB).  A 4xx
 * answer is KK_ERR_INVAL (the hub refused the report: it is not spooled),
 * 401/403 KK_ERR_AUTH, anything else (no connection, 3xx, 5xx, timeout)
 * KK_ERR_IO; on KK_ERR_AUTH and KK_ERR_IO the body is spooled when a spool
 * directory is set (a token can be fixed, a hub comes back).  Spooled
 * reports for the same path are sent first, oldest first; one the hub
 * refuses (4xx) is dropped; when one cannot go, the new report waits
 * behind it without being tried.  d gets one line: "hub answered 422:
 * ..." or the connection error.  Not thread-safe: one client per thread.
 */
KK_API KK_WUR int report_post(struct report_client *c, const char *path,
                              const char *body, size_t len,
                              struct kk_buf *reply, struct kk_diag *d);
/* Number of reports waiting in the spool. */
KK_API size_t report_spooled(const struct report_client *c);
/* Number of spooled reports dropped since the client was made: the oldest
 * when the spool was full, those the hub refused, unreadable files. */
KK_API size_t report_dropped(const struct report_client *c);

#ifdef __cplusplus
}
#endif

#endif
