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

struct guard_ban_req {
    uint32_t op;      /* enum guard_ban_op */
    uint32_t timeout; /* seconds, 1..GUARD_TIMEOUT_MAX for ADD */
    struct guard_addr addr;
};
#define GUARD_TIMEOUT_MAX (366u * 24 * 3600)

/* Checks a request as the privileged side does: KK_ERR_INVAL with d
 * saying why (unknown op, family not 4/6, prefix too long or host bits
 * set, timeout 0 or too long). */
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
 * one-byte answer per batch: KK_OK or the writer's error. */
int guard_banner_send(int fd, const struct guard_ban_req *r, size_t n,
                      struct kk_diag *d);

#endif
