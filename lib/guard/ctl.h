/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ctl.h - the daemon's control socket (server side) and the small strict
 * JSON reader the daemon uses for control requests and the hub's answer.
 *
 * The socket is a Unix stream socket, mode 0600: one request line of JSON
 * per connection, one JSON answer, then the daemon closes.  The server is
 * driven from the daemon's event loop and never blocks it: connections
 * are non-blocking, each has a size-bounded request buffer and a deadline,
 * and at most GUARD_CTL_CONNS_MAX are open at once.
 */
#ifndef KALKAN_GUARD_CTL_H
#define KALKAN_GUARD_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "kalkan/kk.h"

#define GUARD_CTL_REQUEST_MAX 4096             /* bytes in one request line */
#define GUARD_CTL_ANSWER_MAX (8 * 1024 * 1024) /* bytes in one answer */
#define GUARD_CTL_CONNS_MAX 8                  /* connections open at once */
#define GUARD_CTL_READ_MS 2000                 /* to send the request line */
#define GUARD_CTL_CONN_MS 10000                /* a connection's whole life */
#define GUARD_CTL_BANS_MAX 10000               /* bans listed by "status" */
#define GUARD_JSON_DEPTH_MAX 16                /* nesting the reader accepts */
#define GUARD_JSON_KEY_MAX 64                  /* bytes in a key it compares */

/* ---- JSON reading (top-level object members) ---- */

/*
 * Checks that doc[0..len) is exactly one JSON object (RFC 8259, nesting at
 * most GUARD_JSON_DEPTH_MAX, nothing after it but white space) and copies
 * the string value of its top-level member key into out (decoded, with a
 * NUL; cap bytes at most).  KK_ERR_INVAL when the document is not valid
 * JSON or the member is not a string, KK_ERR_NOTFOUND when absent,
 * KK_ERR_TRUNC when it does not fit, KK_ERR_INVAL for a NUL inside.
 */
int guard_json_get_str(const char *doc, size_t len, const char *key, char *out,
                       size_t cap);
/* KK_OK when doc[0..len) is one valid JSON object, else KK_ERR_INVAL. */
int guard_json_check(const char *doc, size_t len);
/* The same for a true/false member. */
int guard_json_get_bool(const char *doc, size_t len, const char *key,
                        bool *out);
/* The same for a non-negative integer member (at most 2^53). */
int guard_json_get_u64(const char *doc, size_t len, const char *key,
                       uint64_t *out);
/*
 * Calls fn for each string of the array member key (decoded, NUL-ended,
 * at most GUARD_ADDR_TEXT_MAX bytes; a longer one is passed as "" so the
 * caller refuses it).  A member that is not an array of strings is
 * KK_ERR_INVAL; an absent one is KK_ERR_NOTFOUND.
 */
typedef void (*guard_json_str_fn)(void *ctx, const char *s);
int guard_json_each_str(const char *doc, size_t len, const char *key,
                        guard_json_str_fn fn, void *ctx);

/* ---- The server ---- */

struct guard_ctl_srv;

/* A request as the daemon's handler sees it. */
struct guard_ctl_req {
    char verb[16];     /* "status", "unban", "allow" */
    char address[128]; /* the argument ("" when none) */
};

/* Fills answer (one JSON object, no newline) for the request. */
typedef void (*guard_ctl_fn)(void *ctx, const struct guard_ctl_req *r,
                             struct kk_buf *answer);

/* Removes a stale socket at path (only a socket: any other file there is
 * KK_ERR_EXISTS), binds, sets mode 0600 and listens.  KK_ERR_SYSTEM with
 * d saying why otherwise.  The caller frees with guard_ctl_srv_free. */
int guard_ctl_srv_new(const char *path, struct guard_ctl_srv **out,
                      struct kk_diag *d);
/* Closes every connection and the socket and unlinks it. */
void guard_ctl_srv_free(struct guard_ctl_srv *s);
/* A descriptor (an epoll set of its own) that is readable when the
 * server has something to do; add it to the caller's epoll. */
int guard_ctl_srv_fd(const struct guard_ctl_srv *s);
/* Accepts, reads, answers and closes what is ready, and drops connections
 * past their deadline (now_ms: CLOCK_MONOTONIC milliseconds).  Never
 * blocks.  Requests that are not a JSON object with a known "verb" are
 * answered {"ok":false,"error":"..."} without calling fn. */
void guard_ctl_srv_step(struct guard_ctl_srv *s, int64_t now_ms,
                        guard_ctl_fn fn, void *ctx);

/* Parses one request line into r: KK_ERR_INVAL with d saying why. */
int guard_ctl_req_parse(const char *line, size_t len, struct guard_ctl_req *r,
                        struct kk_diag *d);

/* The socket path of c: [guard] socket, or STATE/control.sock. */
int guard_ctl_path(const struct guard_conf *c, char *out, size_t cap);

#endif
