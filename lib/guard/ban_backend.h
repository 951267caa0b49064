/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ban_backend.h - what banner.c asks of the two real backends (nft.c,
 * denyfile.c) and of the privileged writer (privsep.c).  Internal to the
 * ban stage; the rest of the guard uses ban.h.
 *
 * A commit reaches a backend folded (struct guard_ban_list): every key at
 * most once, with the last operation queued for it, sorted by key, and a
 * FLUSH turned into a flag that applies before them.  So a backend never
 * sees "add x, delete x, add x" and can write each key once.
 */
#ifndef KALKAN_GUARD_BAN_BACKEND_H
#define KALKAN_GUARD_BAN_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ban.h"

struct guard_ban_list {
    bool flush;                    /* lift every ban first */
    const struct guard_ban_req *r; /* ADD and DEL, unique keys, sorted */
    size_t n;
};

/* Orders keys: family, then address bytes, then prefix length. */
int guard_ban_key_cmp(const struct guard_addr *a, const struct guard_addr *b);

/* ---- nftables (nft.c) ---- */

struct guard_nft;
/* Opens a netlink socket and creates (nft_create) or checks the table,
 * sets and chain of c. */
int guard_nft_open(const struct guard_conf *c, struct guard_nft **out,
                   struct kk_diag *d);
void guard_nft_close(struct guard_nft *n);
/* One netlink batch for the whole list.  If the kernel refuses it (an
 * element overlapping another one), each key is retried in its own batch
 * so that one bad key does not hold the others back. */
int guard_nft_apply(struct guard_nft *n, const struct guard_ban_list *l,
                    struct kk_diag *d);

/* ---- deny file (denyfile.c) ---- */

struct guard_deny;
/* Checks the directory, reads the bans of an existing file (our format),
 * writes an empty file when there is none. */
int guard_deny_open(const struct guard_conf *c, struct guard_deny **out,
                    struct kk_diag *d);
void guard_deny_close(struct guard_deny *f);
/* Merges the list into the bans; rewrites the file and reloads when
 * reload_interval has passed since the last reload, else leaves the
 * change waiting (guard_deny_wait_ms). */
int guard_deny_apply(struct guard_deny *f, const struct guard_ban_list *l,
                     struct kk_diag *d);
int64_t guard_deny_wait_ms(const struct guard_deny *f);
/* True when a reload command is configured. */
bool guard_deny_reloads(const struct guard_deny *f);
/* From now on, reloads are asked of the process at the other end of fd
 * (privsep.c's reloader) instead of being spawned here. */
void guard_deny_set_reloader(struct guard_deny *f, int fd);

/* Runs argv (argv[0] an absolute path; no shell, a fixed environment),
 * waits at most GUARD_RELOAD_TIMEOUT_MS (then kills it): KK_OK when it
 * exited 0, else KK_ERR_SYSTEM or KK_ERR_TIMEOUT with d saying how it
 * ended. */
int guard_reload_run(char *const *argv, struct kk_diag *d);
/* Asks the reloader at the other end of fd to run the command once. */
int guard_reload_ask(int fd, struct kk_diag *d);
/* The reloader's loop: for each byte read from fd, runs argv and answers
 * its status and message; returns when fd closes. */
int guard_reload_serve(int fd, char *const *argv);
/* The reload command of f (NULL-ended), or NULL. */
char *const *guard_deny_argv(const struct guard_deny *f);

/* ---- banner.c, for privsep.c ---- */

/* The deny backend of b, or NULL for the others. */
struct guard_deny *guard_banner_deny(struct guard_banner *b);

#endif
