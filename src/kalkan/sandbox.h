/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sandbox.h - confinement of the root helper daemon (`kalkan otp daemon`),
 * internal to the kalkan program.
 *
 * Call order (STYLE.md rule 17), each step fatal on failure:
 *
 *   sandbox_fds_close()      first thing: only 0-2 and the listening socket
 *   ... open the store, bind or inherit the socket ...
 *   sandbox_caps_drop()      no capabilities (uid 0 stays: it owns the store)
 *   sandbox_no_new_privs()
 *   sandbox_landlock()       file system: the store, a few read-only files
 *   sandbox_seccomp_daemon() system calls of the accept loop and its workers
 *   ... per connection, in the forked worker ...
 *   sandbox_seccomp_worker() narrower system calls of one request
 *
 * All functions log the reason of a failure (kk_log) and return an
 * enum kk_err.  None is thread-safe; the daemon is single-threaded.
 */
#ifndef KALKAN_SANDBOX_H
#define KALKAN_SANDBOX_H

#include <stdbool.h>

#include "kalkan/kk.h"

/* Makes sure descriptors 0-2 are open (on /dev/null if they were closed,
 * so that a later open can never become stderr) and closes every other
 * descriptor except keep (-1 for none).  KK_ERR_SYSTEM if one cannot be
 * closed or reopened. */
KK_WUR enum kk_err sandbox_fds_close(int keep);

/* Drops every capability: the bounding set (which needs CAP_SETPCAP; an
 * empty bounding set, as under systemd's CapabilityBoundingSet=, needs
 * nothing), the ambient set, then the effective, permitted and
 * inheritable sets, and checks that they are empty.  The uid stays 0, so
 * files owned by root remain accessible as their owner.  KK_ERR_SYSTEM
 * on any failure. */
KK_WUR enum kk_err sandbox_caps_drop(void);

/* Sets no_new_privs (needed by Landlock and seccomp without
 * CAP_SYS_ADMIN).  KK_ERR_SYSTEM on failure. */
KK_WUR enum kk_err sandbox_no_new_privs(void);

/*
 * Restricts the file system of this process and its future children with
 * Landlock: every access right the kernel knows is handled, and only these
 * are granted:
 *   rw_dirs   (NULL-terminated, may be NULL) directories under which
 *             files may be read, written, created, truncated, renamed
 *             within their directory and removed, and directories listed
 *             (no new directories, links, devices, sockets or execution);
 *   ro_files  (NULL-terminated, may be NULL) files that may be read.
 * A rule is bound to the inode opened now: a file later replaced by
 * rename(2) is no longer readable.  When the kernel handles TCP (ABI 4)
 * or scopes (ABI 6), TCP binds and connects, abstract UNIX sockets and
 * signals outside the sandbox are denied too.
 *
 * Best effort: when Landlock is not built in or disabled at boot, logs
 * that once at info level, sets *enforced to false and returns KK_OK.
 * Otherwise any failure (a path that cannot be opened, a rule the kernel
 * refuses) is KK_ERR_SYSTEM: fail closed.  *enforced is set on KK_OK.
 * Needs no_new_privs (or CAP_SYS_ADMIN).
 */
KK_WUR enum kk_err sandbox_landlock(const char *const *rw_dirs,
                                    const char *const *ro_files,
                                    bool *enforced);

/*
 * Installs the seccomp allowlist of the accept loop (default: kill the
 * process).  Because filters are inherited over fork and can only be
 * narrowed, it is the union of the loop's calls and those of the
 * per-connection workers; it also prepares the narrower worker filter
 * that sandbox_seccomp_worker() loads.  Needs no_new_privs.  Returns
 * KK_ERR_NOMEM or KK_ERR_SYSTEM on failure.
 */
KK_WUR enum kk_err sandbox_seccomp_daemon(void);

/* In a freshly forked worker, after its signal set-up and alarm: stacks
 * the worker filter prepared by sandbox_seccomp_daemon() (no accept,
 * fork, wait or signal calls).  KK_ERR_INVAL when it was not prepared,
 * KK_ERR_SYSTEM when it cannot be loaded. */
KK_WUR enum kk_err sandbox_seccomp_worker(void);

#endif
