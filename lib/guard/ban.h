/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ban.h - putting bans into effect: an nftables set written through
 * netlink in batches, a deny file for nginx or Apache plus a reload
 * command, or nothing.
 *
 * Only this part needs privileges.  The daemon forks it before dropping
 * its own (guard_banner_spawn); they talk over a socketpair in fixed-size
 * binary requests (struct guard_ban_req), and the privileged side checks
 * every field of every request before acting (family, prefix length,
 * timeout range, opcode), so a compromised parser can ask for no more than
 * adding or removing addresses in its own set.
 */
#ifndef KALKAN_GUARD_BAN_H
#define KALKAN_GUARD_BAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

enum guard_ban_op {
    GUARD_OP_ADD = 1,   /* ban (or re-assert) for timeout seconds */
    GUARD_OP_DEL = 2,   /* lift */
    GUARD_OP_FLUSH = 3, /* lift every ban */
    GUARD_OP_COMMIT = 4 /* end of a batch: apply what came before */
};

/*
 * One request.  ADD and DEL name one prefix (a host is a /32 or /128);
 * DEL, FLUSH and COMMIT carry timeout 0, FLUSH and COMMIT an all-zero
 * address.  Clear the whole struct (padding too) before filling it: it
 * crosses the socketpair as it is.
 */
struct guard_ban_req {
    uint32_t op;      /* enum guard_ban_op */
    uint32_t timeout; /* seconds, 1..GUARD_TIMEOUT_MAX for ADD */
    struct guard_addr addr;
};
#define GUARD_TIMEOUT_MAX (366u * 24 * 3600)
/* The shortest prefixes a ban may name: those v4_prefix and v6_prefix
 * allow. */
#define GUARD_BAN_V4_PLEN_MIN 8
#define GUARD_BAN_V6_PLEN_MIN 16
#define GUARD_BAN_QUEUE_MAX (256u * 1024) /* requests waiting for a commit */
#define GUARD_BAN_FILE_MAX (32u * 1024 * 1024) /* bytes of a deny file read */
#define GUARD_BAN_PACKET_REQS 256     /* requests in one socketpair packet */
#define GUARD_RELOAD_TIMEOUT_MS 30000 /* a reload command runs at most */
#define GUARD_BAN_ANSWER_MS 120000    /* the writer answers a batch within */

/* Checks a request as the privileged side does: KK_ERR_INVAL with d
 * saying why (unknown op, family not 4/6, prefix too long or too short
 * (GUARD_BAN_V*_PLEN_MIN) or host bits set, timeout 0 or too long for ADD,
 * not 0 for the others, an address on FLUSH or COMMIT). */
int guard_ban_req_check(const struct guard_ban_req *r, struct kk_diag *d);

/* A backend in this process (the privileged side, or tests). */
struct guard_banner;
/* Opens the backend of c: for nft, a netlink socket (and, when nft_create,
 * the table, the two sets with timeouts and interval flags, and the input
 * chain that drops them, created when absent); for file, checks the
 * directory of the deny file. */
int guard_banner_open(const struct guard_conf *c, struct guard_banner **out,
                      struct kk_diag *d);
void guard_banner_close(struct guard_banner *b);
/* Queues one request (checked); nothing reaches the kernel or the file
 * before guard_banner_commit. */
int guard_banner_queue(struct guard_banner *b, const struct guard_ban_req *r,
                       struct kk_diag *d);
/* Applies the queued requests in one netlink batch (nft) or one rewrite of
 * the deny file plus one reload, no more often than reload_interval
 * (file); none does nothing. */
int guard_banner_commit(struct guard_banner *b, struct kk_diag *d);
/* Milliseconds until changes that wait for reload_interval (file backend)
 * are due, 0 when due now, -1 when nothing waits: call
 * guard_banner_commit (with nothing queued) then. */
int64_t guard_banner_wait_ms(const struct guard_banner *b);

/* ---- Privilege separation ---- */

/*
 * Forks the privileged writer: it opens the backend, keeps only
 * CAP_NET_ADMIN (nft) or the right to write the deny file and run the
 * reload, installs its seccomp filter and serves requests from the
 * socketpair until it closes.  The caller gets its end in *fd and the
 * child's pid.  Without privileges to drop (tests, backend none) the
 * writer still runs as a separate process.
 */
int guard_banner_spawn(const struct guard_conf *c, int *fd, int *pid,
                       struct kk_diag *d);
/* Sends requests (a COMMIT is appended) and waits for the writer's
 * answer per batch: one status byte (KK_OK or the writer's error, the
 * first request it refused included), followed by the writer's message,
 * which goes into d.  The writer still applies the requests it accepted.
 * KK_ERR_PROTO when the writer is gone; KK_ERR_TIMEOUT after
 * GUARD_BAN_ANSWER_MS.  Fork the writer before starting threads. */
int guard_banner_send(int fd, const struct guard_ban_req *r, size_t n,
                      struct kk_diag *d);

#endif
