/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * privsep.c - the privileged ban writer: a child process that alone can
 * change the firewall (or the deny file), fed fixed-size requests over a
 * socketpair by the daemon, which parses hostile logs and so keeps no
 * privilege.
 *
 * The writer opens its backend first (netlink socket, table and sets; or
 * the deny file), then keeps only what it needs - CAP_NET_ADMIN for nft,
 * no capability for the file - sets no_new_privs and installs a seccomp
 * allowlist that kills it on any other system call.  Every request is
 * checked again here (guard_ban_req_check), so a compromised daemon can
 * add or lift addresses in its own sets and nothing else: no other table,
 * no file, no program.
 *
 * The deny file's reload command is a program the filter could never
 * describe (and a filter is inherited across exec), so before confining
 * itself the writer forks a reloader: a process with the writer's original
 * rights that reads one byte per reload from its own socketpair and runs
 * the fixed argv of the configuration.  It accepts nothing else from
 * anyone, which is its whole attack surface.
 *
 * Wire format: requests are struct guard_ban_req, up to
 * GUARD_BAN_PACKET_REQS per SOCK_SEQPACKET packet; the answer to a COMMIT
 * (and the writer's "ready" after start) is one packet of a status byte
 * (a negative enum kk_err or 0) followed by a message.
 */
#include "ban_backend.h"

#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <seccomp.h>

#include "kalkan/kk.h"

#if defined(__SANITIZE_ADDRESS__)
#define PS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PS_ASAN 1
#endif
#endif
#ifdef PS_ASAN
#include <sanitizer/common_interface_defs.h>
#include <sanitizer/lsan_interface.h>
#endif

/* ---- answers ---- */

static int answer_send(int fd, int r, const struct kk_diag *d)
{
    uint8_t pkt[1 + KK_DIAG_MAX];
    size_t len = 1;

    pkt[0] = (uint8_t)(int8_t)r;
    if (r != KK_OK && d != NULL) {
        size_t m = strnlen(d->msg, sizeof d->msg - 1);
        memcpy(pkt + 1, d->msg, m);
        len += m;
    }
    return send(fd, pkt, len, MSG_NOSIGNAL) == (ssize_t)len ? KK_OK : KK_ERR_IO;
}

static int answer_read(int fd, struct kk_diag *d)
{
    uint8_t pkt[1 + KK_DIAG_MAX];
    struct pollfd p = {fd, POLLIN, 0};
    ssize_t n;
    int pr, r = KK_ERR_PROTO;

    do
        pr = poll(&p, 1, GUARD_BAN_ANSWER_MS);
    while (pr < 0 && errno == EINTR);
    if (pr == 0) {
        kk_diag_set(d, "the ban writer does not answer");
        r = KK_ERR_TIMEOUT;
        goto out;
    }
    do
        n = recv(fd, pkt, sizeof pkt, 0);
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
        kk_diag_set(d, "the ban writer is gone");
        goto out;
    }
    r = (int8_t)pkt[0];
    if (r > 0 || r < KK_ERR_TIMEOUT) {
        kk_diag_set(d, "the ban writer answered %d", r);
        r = KK_ERR_PROTO;
        goto out;
    }
    if (r != KK_OK)
        kk_diag_set(d, "%.*s", (int)(n - 1), (const char *)pkt + 1);
out:
    return r;
}

/* ---- confinement ---- */

/* Keeps capability keep (or none when keep < 0) in the bounding,
 * permitted and effective sets, nothing inheritable or ambient. */
static int caps_keep(int keep, struct kk_diag *d)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    int r = KK_ERR_SYSTEM;
    int cap;

    for (cap = 0;; cap++) {
        int in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
        if (in < 0)
            break;
        if (in == 1 && cap != keep &&
            prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
            kk_diag_set(d, "ban writer: cannot drop capability %d: %s", cap,
                        strerror(errno));
            goto out;
        }
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) {
        kk_diag_set(d, "ban writer: cannot clear ambient capabilities: %s",
                    strerror(errno));
        goto out;
    }
    memset(data, 0, sizeof data);
    if (keep >= 0) {
        data[keep / 32].effective = 1u << (keep % 32);
        data[keep / 32].permitted = 1u << (keep % 32);
    }
    if (syscall(SYS_capset, &hdr, data) != 0) {
        kk_diag_set(d, "ban writer: cannot drop capabilities: %s",
                    strerror(errno));
        goto out;
    }
    r = KK_OK;
out:
    return r;
}

/* Argument conditions of a rule. */
enum ps_arg {
    PS_ANY,
    PS_NOEXEC, /* mmap/mprotect without PROT_EXEC */
    PS_TCGETS, /* ioctl(fd, TCGETS) */
    PS_EACCES, /* fails with EACCES */
    PS_ENOENT, /* fails with ENOENT */
};

#define PS_NFT 1u
#define PS_FILE 2u
#define PS_BOTH (PS_NFT | PS_FILE)

struct ps_rule {
    int nr;
    unsigned roles;
    enum ps_arg arg;
};

/* The writer's allowlist, one system call per line with the reason;
 * anything else kills it. */
static const struct ps_rule ps_rules[] = {
    {SCMP_SYS(recvmsg), PS_BOTH, PS_ANY},       /* requests, netlink */
    {SCMP_SYS(recvfrom), PS_BOTH, PS_ANY},      /* recv() */
    {SCMP_SYS(sendto), PS_BOTH, PS_ANY},        /* answers, batches */
    {SCMP_SYS(sendmsg), PS_BOTH, PS_ANY},       /* netlink */
    {SCMP_SYS(poll), PS_BOTH, PS_ANY},          /* wait for requests */
    {SCMP_SYS(ppoll), PS_BOTH, PS_ANY},         /* poll() elsewhere */
    {SCMP_SYS(close), PS_BOTH, PS_ANY},         /* files, at exit */
    {SCMP_SYS(write), PS_BOTH, PS_ANY},         /* the deny file */
    {SCMP_SYS(brk), PS_BOTH, PS_ANY},           /* malloc */
    {SCMP_SYS(mmap), PS_BOTH, PS_NOEXEC},       /* malloc, never code */
    {SCMP_SYS(munmap), PS_BOTH, PS_ANY},        /* free */
    {SCMP_SYS(mremap), PS_BOTH, PS_ANY},        /* realloc of a batch */
    {SCMP_SYS(madvise), PS_BOTH, PS_ANY},       /* free */
    {SCMP_SYS(mprotect), PS_BOTH, PS_NOEXEC},   /* malloc arenas */
    {SCMP_SYS(futex), PS_BOTH, PS_ANY},         /* glibc locks */
    {SCMP_SYS(clock_gettime), PS_BOTH, PS_ANY}, /* reload interval */
    {SCMP_SYS(getpid), PS_BOTH, PS_ANY},        /* libmnl, glibc */
    {SCMP_SYS(sysinfo), PS_BOTH, PS_ANY},       /* qsort sizes its buffer */
    {SCMP_SYS(restart_syscall), PS_BOTH, PS_ANY},
    {SCMP_SYS(rt_sigreturn), PS_BOTH, PS_ANY},
    {SCMP_SYS(exit_group), PS_BOTH, PS_ANY},
    {SCMP_SYS(exit), PS_BOTH, PS_ANY},
    {SCMP_SYS(setsockopt), PS_NFT, PS_ANY},  /* send buffer of a batch */
    {SCMP_SYS(openat), PS_FILE, PS_ANY},     /* temporary, directory */
    {SCMP_SYS(fchmod), PS_FILE, PS_ANY},     /* mode of the temporary */
    {SCMP_SYS(fsync), PS_FILE, PS_ANY},      /* durable file */
    {SCMP_SYS(rename), PS_FILE, PS_ANY},     /* temporary -> file */
    {SCMP_SYS(renameat), PS_FILE, PS_ANY},   /* the same elsewhere */
    {SCMP_SYS(renameat2), PS_FILE, PS_ANY},  /* the same elsewhere */
    {SCMP_SYS(unlink), PS_FILE, PS_ANY},     /* failed temporary */
    {SCMP_SYS(unlinkat), PS_FILE, PS_ANY},   /* the same elsewhere */
    {SCMP_SYS(getrandom), PS_FILE, PS_ANY},  /* temporary's name */
    {SCMP_SYS(newfstatat), PS_FILE, PS_ANY}, /* fstat */
    {SCMP_SYS(fstat), PS_FILE, PS_ANY},      /* fstat elsewhere */
#ifdef PS_ASAN
    /* Sanitizer runtime only (see src/kalkan/sandbox.c). */
    {SCMP_SYS(sigaltstack), PS_BOTH, PS_ANY},
    {SCMP_SYS(ioctl), PS_BOTH, PS_TCGETS},
    {SCMP_SYS(open), PS_BOTH, PS_EACCES},
    {SCMP_SYS(stat), PS_BOTH, PS_ENOENT},
    {SCMP_SYS(gettid), PS_BOTH, PS_ANY},
    {SCMP_SYS(sched_yield), PS_BOTH, PS_ANY},
#endif
};

static struct scmp_arg_cmp ps_cmp(unsigned arg, enum scmp_compare op,
                                  scmp_datum_t a, scmp_datum_t b)
{
    struct scmp_arg_cmp c = {arg, op, a, b};

    return c;
}

static int ps_rule_add(scmp_filter_ctx ctx, const struct ps_rule *r)
{
    const uint32_t allow = SCMP_ACT_ALLOW;
    int rc;

    switch (r->arg) {
    case PS_NOEXEC:
        rc = seccomp_rule_add(ctx, allow, r->nr, 1,
                              ps_cmp(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
        break;
    case PS_TCGETS:
        rc = seccomp_rule_add(ctx, allow, r->nr, 1,
                              ps_cmp(1, SCMP_CMP_EQ, 0x5401, 0));
        break;
    case PS_EACCES:
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), r->nr, 0);
        break;
    case PS_ENOENT:
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOENT), r->nr, 0);
        break;
    case PS_ANY:
    default:
        rc = seccomp_rule_add(ctx, allow, r->nr, 0);
        break;
    }
    return rc;
}

static int ps_seccomp(unsigned role, struct kk_diag *d)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    int r = KK_ERR_SYSTEM;
    int rc;

    if (ctx == NULL) {
        kk_diag_set(d, "ban writer: cannot create a seccomp filter");
        goto out;
    }
    rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    if (rc == 0)
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    for (size_t i = 0; i < sizeof ps_rules / sizeof ps_rules[0] && rc == 0;
         i++) {
        if ((ps_rules[i].roles & role) == 0 || ps_rules[i].nr < 0)
            continue; /* not this role's, or not on this architecture */
        rc = ps_rule_add(ctx, &ps_rules[i]);
    }
    if (rc == 0)
        rc = seccomp_load(ctx);
    if (rc != 0) {
        kk_diag_set(d, "ban writer: seccomp: %s", strerror(-rc));
        goto out;
    }
    r = KK_OK;
out:
    if (ctx != NULL)
        seccomp_release(ctx);
    return r;
}

static int confine(enum guard_backend kind, struct kk_diag *d)
{
    int r = KK_OK;

#ifdef PS_ASAN
    /* The leak check at exit needs ptrace and /proc: run it now, which
     * also switches it off at exit, and let the runtime cache /proc. */
    __lsan_do_leak_check();
    __sanitizer_sandbox_on_notify(NULL);
#endif
    if (geteuid() == 0)
        r = caps_keep(kind == GUARD_BACKEND_NFT ? CAP_NET_ADMIN : -1, d);
    if (r == KK_OK && (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
                       prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)) {
        kk_diag_set(d, "ban writer: cannot set no_new_privs: %s",
                    strerror(errno));
        r = KK_ERR_SYSTEM;
    }
    if (r == KK_OK)
        r = ps_seccomp(kind == GUARD_BACKEND_NFT ? PS_NFT : PS_FILE, d);
    return r;
}

/* ---- the writer ---- */

/* Forks the reloader of the deny backend (before confinement). */
static int start_reloader(struct guard_banner *b, int keep_fd,
                          struct kk_diag *d)
{
    struct guard_deny *f = guard_banner_deny(b);
    int sv[2] = {-1, -1};
    pid_t pid;
    int r = KK_OK;

    if (f == NULL || !guard_deny_reloads(f))
        goto out;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        kk_diag_set(d, "ban writer: socketpair: %s", strerror(errno));
        r = KK_ERR_SYSTEM;
        goto out;
    }
    pid = fork();
    if (pid < 0) {
        kk_diag_set(d, "ban writer: fork: %s", strerror(errno));
        r = KK_ERR_SYSTEM;
        close(sv[0]);
        close(sv[1]);
        goto out;
    }
    if (pid == 0) {
        close(keep_fd);
        close(sv[0]);
        prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
        _exit(guard_reload_serve(sv[1], guard_deny_argv(f)) == KK_OK ? 0 : 1);
    }
    close(sv[1]);
    guard_deny_set_reloader(f, sv[0]);
out:
    return r;
}

/* Serves requests until the daemon closes its end. */
static void serve(int fd, struct guard_banner *b)
{
    struct guard_ban_req pkt[GUARD_BAN_PACKET_REQS + 1];
    struct kk_diag held; /* first refusal or failed late commit */
    int held_r = KK_OK;
    bool up = true;

    kk_diag_clear(&held);
    while (up) {
        int64_t wait = guard_banner_wait_ms(b);
        struct pollfd p = {fd, POLLIN, 0};
        struct iovec iov = {pkt, sizeof pkt};
        struct msghdr mh;
        ssize_t n;
        int pr;

        pr = poll(&p, 1, wait < 0 ? -1 : wait > INT_MAX ? INT_MAX : (int)wait);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr < 0)
            break;
        if (pr == 0) { /* changes that waited for the reload interval */
            struct kk_diag d;
            int r = guard_banner_commit(b, &d);

            if (r != KK_OK && held_r == KK_OK) {
                held_r = r;
                held = d;
            }
            continue;
        }
        memset(&mh, 0, sizeof mh);
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        n = recvmsg(fd, &mh, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if ((mh.msg_flags & MSG_TRUNC) != 0 || (size_t)n % sizeof pkt[0] != 0) {
            if (held_r == KK_OK) {
                held_r = KK_ERR_INVAL;
                kk_diag_set(&held, "refused a packet of %zd bytes", n);
            }
            continue;
        }
        for (size_t i = 0; i < (size_t)n / sizeof pkt[0] && up; i++) {
            struct kk_diag d;
            int r;

            kk_diag_clear(&d);
            if (pkt[i].op == GUARD_OP_COMMIT &&
                guard_ban_req_check(&pkt[i], &d) == KK_OK) {
                r = guard_banner_commit(b, &d);
                if (r == KK_OK && held_r != KK_OK) {
                    r = held_r;
                    d = held;
                }
                held_r = KK_OK;
                up = answer_send(fd, r, &d) == KK_OK;
                continue;
            }
            r = guard_banner_queue(b, &pkt[i], &d);
            if (r != KK_OK && held_r == KK_OK) {
                held_r = r;
                kk_diag_set(&held, "refused a request: %s", d.msg);
            }
        }
    }
}

static int writer_main(const struct guard_conf *c, int fd)
{
    struct guard_banner *b = NULL;
    struct kk_diag d;
    int r;

    kk_diag_clear(&d);
    /* A service stop signals every process of the service at once; the
     * writer must outlive the daemon's last batch (flush_on_stop), so it
     * ignores the stop signals and ends when the daemon's end of the
     * socket closes, or at once if the daemon dies. */
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGCHLD, SIG_DFL);
    /* Nothing of the daemon's but our socket stays open. */
    if (fd > 3)
        close_range(3, (unsigned)fd - 1, 0);
    close_range((unsigned)fd + 1, ~0u, 0);
    r = guard_banner_open(c, &b, &d);
    if (r == KK_OK)
        r = start_reloader(b, fd, &d);
    if (r == KK_OK)
        r = confine(c->backend, &d);
    if (answer_send(fd, r, &d) == KK_OK && r == KK_OK)
        serve(fd, b);
    guard_banner_close(b);
    return r;
}

int guard_banner_spawn(const struct guard_conf *c, int *fd, int *pid,
                       struct kk_diag *d)
{
    int sv[2] = {-1, -1};
    pid_t child = -1;
    int r = KK_ERR_SYSTEM;

    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        kk_diag_set(d, "socketpair: %s", strerror(errno));
        goto out;
    }
    child = fork();
    if (child < 0) {
        kk_diag_set(d, "fork: %s", strerror(errno));
        goto out;
    }
    if (child == 0) {
        close(sv[0]);
        _exit(writer_main(c, sv[1]) == KK_OK ? 0 : 1);
    }
    close(sv[1]);
    sv[1] = -1;
    r = answer_read(sv[0], d);
    if (r != KK_OK) {
        close(sv[0]);
        sv[0] = -1;
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
            ;
        goto out;
    }
    *fd = sv[0];
    *pid = (int)child;
    sv[0] = -1;
out:
    if (sv[0] >= 0)
        close(sv[0]);
    if (sv[1] >= 0)
        close(sv[1]);
    return r;
}

int guard_banner_send(int fd, const struct guard_ban_req *r, size_t n,
                      struct kk_diag *d)
{
    struct guard_ban_req commit;
    int ret = KK_ERR_PROTO;

    for (size_t i = 0; i < n; i += GUARD_BAN_PACKET_REQS) {
        size_t k =
            n - i < GUARD_BAN_PACKET_REQS ? n - i : GUARD_BAN_PACKET_REQS;
        ssize_t sent;

        do
            sent = send(fd, r + i, k * sizeof *r, MSG_NOSIGNAL);
        while (sent < 0 && errno == EINTR);
        if (sent != (ssize_t)(k * sizeof *r)) {
            kk_diag_set(d, "the ban writer is gone: %s", strerror(errno));
            goto out;
        }
    }
    memset(&commit, 0, sizeof commit);
    commit.op = GUARD_OP_COMMIT;
    if (send(fd, &commit, sizeof commit, MSG_NOSIGNAL) !=
        (ssize_t)sizeof commit) {
        kk_diag_set(d, "the ban writer is gone: %s", strerror(errno));
        goto out;
    }
    ret = answer_read(fd, d);
out:
    return ret;
}
