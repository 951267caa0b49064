/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sandbox.c - confinement of `kalkan otp daemon`, the root helper that
 * unprivileged screen lockers reach over a UNIX socket.  It parses bytes
 * from any local user and holds the store key, so a bug in it must not
 * become a way to root or to the key of another store.
 *
 * Three layers, installed in the order of STYLE.md rule 17 and each fatal
 * when it fails (the one exception: a kernel without Landlock, which is
 * logged and left to seccomp and systemd):
 *
 * - capabilities: all dropped.  The daemon stays uid 0 only because root
 *   owns the store; owner permissions are all it needs.
 * - Landlock: only the store directory (files under it read, written,
 *   created, renamed, removed) and a few read-only files.
 * - seccomp: an allowlist per process role, default "kill the process".
 *   The accept loop forks one worker per connection; filters are
 *   inherited and can only be narrowed, so the loop's filter is the union
 *   of both roles and every worker stacks a second, narrower one before it
 *   reads a byte from its caller.
 *
 * The trade-off: killing on any unlisted call is safer than returning an
 * error (an exploit cannot probe), at the price of a dead worker (and a
 * denied login) if a library starts using a new call; the tests run the
 * daemon's real paths, in both builds, to catch that.  Two calls are
 * answered with an error instead: socket(2), because glibc's syslog()
 * reconnects with it and must fail quietly, and clone3(2), so that a
 * newer glibc's fork() falls back to clone(2), whose flags a filter can
 * check.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <seccomp.h>

/* Sanitizer builds need a few more calls (see sb_rules). */
#if defined(__SANITIZE_ADDRESS__)
#define SB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SB_ASAN 1
#endif
#endif
#ifdef SB_ASAN
#include <sanitizer/common_interface_defs.h>
#include <sanitizer/lsan_interface.h>
#endif

/* ---- descriptors ---- */

enum kk_err sandbox_fds_close(int keep)
{
    enum kk_err r = KK_OK;
    int rc = 0;

    for (int fd = 0; fd <= 2 && r == KK_OK; fd++) {
        int nfd;
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        /* The lowest free number is fd itself. */
        nfd = open("/dev/null", O_RDWR | O_NOCTTY);
        if (nfd != fd) {
            kk_log(KK_LOG_ERROR, "cannot reopen descriptor %d: %s", fd,
                   nfd < 0 ? strerror(errno) : "unexpected number");
            if (nfd >= 0)
                close(nfd);
            r = KK_ERR_SYSTEM;
        }
    }
    if (r == KK_OK && keep < 3)
        rc = close_range(3, ~0u, 0);
    if (r == KK_OK && keep > 3)
        rc = close_range(3, (unsigned)keep - 1, 0);
    if (r == KK_OK && rc == 0 && keep >= 3)
        rc = close_range((unsigned)keep + 1, ~0u, 0);
    if (rc != 0) {
        kk_log(KK_LOG_ERROR, "cannot close inherited descriptors: %s",
               strerror(errno));
        r = KK_ERR_SYSTEM;
    }
    return r;
}

/* ---- capabilities ---- */

/* Empties the bounding set, which ends where the kernel's capabilities
 * end (PR_CAPBSET_READ fails with EINVAL). */
static enum kk_err sb_bounding_drop(void)
{
    enum kk_err r = KK_OK;
    int cap;

    for (cap = 0; r == KK_OK; cap++) {
        int in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
        if (in < 0)
            break;
        if (in == 1 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
            kk_log(KK_LOG_ERROR,
                   "cannot drop capability %d from the bounding set: %s", cap,
                   strerror(errno));
            r = KK_ERR_SYSTEM;
        }
    }
    if (r == KK_OK && (errno != EINVAL || cap == 0)) {
        kk_log(KK_LOG_ERROR, "cannot read the bounding set: %s",
               strerror(errno));
        r = KK_ERR_SYSTEM;
    }
    return r;
}

enum kk_err sandbox_caps_drop(void)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    enum kk_err r;

#ifdef SB_ASAN
    /* LeakSanitizer's end-of-process check runs a ptrace()ing tracer and
     * reads /proc/PID/task: impossible without CAP_SYS_PTRACE (the daemon
     * is not dumpable), Landlock and seccomp.  Run it now, which also
     * switches it off at exit.  Then let the runtime cache what its
     * reports read from /proc. */
    __lsan_do_leak_check();
    __sanitizer_sandbox_on_notify(NULL);
#endif
    r = sb_bounding_drop();
    if (r != KK_OK)
        goto out;
    r = KK_ERR_SYSTEM;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) {
        kk_log(KK_LOG_ERROR, "cannot clear ambient capabilities: %s",
               strerror(errno));
        goto out;
    }
    memset(data, 0, sizeof data);
    if (syscall(SYS_capset, &hdr, data) != 0) {
        kk_log(KK_LOG_ERROR, "cannot drop capabilities: %s", strerror(errno));
        goto out;
    }
    hdr.version = _LINUX_CAPABILITY_VERSION_3;
    hdr.pid = 0;
    if (syscall(SYS_capget, &hdr, data) != 0) {
        kk_log(KK_LOG_ERROR, "cannot read capabilities: %s", strerror(errno));
        goto out;
    }
    r = KK_OK;
    for (size_t i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
        if (data[i].effective != 0 || data[i].permitted != 0 ||
            data[i].inheritable != 0)
            r = KK_ERR_SYSTEM;
    }
    if (r != KK_OK)
        kk_log(KK_LOG_ERROR, "capabilities remain after dropping them");
out:
    return r;
}

enum kk_err sandbox_no_new_privs(void)
{
    enum kk_err r = KK_OK;

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) {
        kk_log(KK_LOG_ERROR, "cannot set no_new_privs: %s", strerror(errno));
        r = KK_ERR_SYSTEM;
    }
    return r;
}

/* ---- Landlock ---- */

/*
 * Rights newer than the Debian 12 kernel headers (ABI 2), defined from the
 * kernel's UAPI: each is handled only when the running kernel's ABI knows
 * it, so the same binary works from ABI 1 upwards.
 */
#define SB_FS_TRUNCATE (1ULL << 14)        /* ABI 3 */
#define SB_FS_IOCTL_DEV (1ULL << 15)       /* ABI 5 */
#define SB_NET_BIND_TCP (1ULL << 0)        /* ABI 4 */
#define SB_NET_CONNECT_TCP (1ULL << 1)     /* ABI 4 */
#define SB_SCOPE_ABSTRACT_UNIX (1ULL << 0) /* ABI 6 */
#define SB_SCOPE_SIGNAL (1ULL << 1)        /* ABI 6 */
#define SB_FS_ABI1 ((1ULL << 13) - 1)      /* EXECUTE .. MAKE_SYM */
#define SB_FS_REFER_BIT (1ULL << 13)       /* ABI 2 */

/* struct landlock_ruleset_attr as of ABI 6; its size tells the kernel
 * which fields we fill. */
struct sb_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

static uint64_t sb_fs_handled(int abi)
{
    uint64_t fs = SB_FS_ABI1;

    if (abi >= 2)
        fs |= SB_FS_REFER_BIT;
    if (abi >= 3)
        fs |= SB_FS_TRUNCATE;
    if (abi >= 5)
        fs |= SB_FS_IOCTL_DEV;
    return fs;
}

/* Adds one path_beneath rule; fail closed on any error. */
static enum kk_err sb_ll_rule(int ruleset, const char *path, bool dir,
                              uint64_t allowed)
{
    struct landlock_path_beneath_attr pb;
    struct stat st;
    enum kk_err r = KK_ERR_SYSTEM;
    int fd = open(path, O_PATH | O_CLOEXEC);

    if (fd < 0 || fstat(fd, &st) != 0) {
        kk_log(KK_LOG_ERROR, "Landlock: %s: %s", path, strerror(errno));
        goto out;
    }
    if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
        kk_log(KK_LOG_ERROR, "Landlock: %s: not a %s", path,
               dir ? "directory" : "regular file");
        goto out;
    }
    memset(&pb, 0, sizeof pb);
    pb.allowed_access = allowed;
    pb.parent_fd = fd;
    if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb,
                0) != 0) {
        kk_log(KK_LOG_ERROR, "Landlock: cannot add a rule for %s: %s", path,
               strerror(errno));
        goto out;
    }
    r = KK_OK;
out:
    if (fd >= 0)
        close(fd);
    return r;
}

enum kk_err sandbox_landlock(const char *const *rw_dirs,
                             const char *const *ro_files, bool *enforced)
{
    struct sb_ruleset_attr attr;
    size_t attr_size;
    uint64_t rw;
    enum kk_err r = KK_ERR_SYSTEM;
    int ruleset = -1;
    long abi;

    abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
                  LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 0 && (errno == ENOSYS || errno == EOPNOTSUPP)) {
        kk_log(KK_LOG_INFO,
               "Landlock is %s: the file system is confined by seccomp and "
               "the service manager only",
               errno == ENOSYS ? "not in this kernel" : "disabled at boot");
        *enforced = false;
        r = KK_OK;
        goto out;
    }
    if (abi < 1) {
        kk_log(KK_LOG_ERROR, "Landlock: cannot query the ABI: %s",
               strerror(errno));
        goto out;
    }
    memset(&attr, 0, sizeof attr);
    attr.handled_access_fs = sb_fs_handled((int)abi);
    attr_size = sizeof attr.handled_access_fs;
    if (abi >= 4) {
        attr.handled_access_net = SB_NET_BIND_TCP | SB_NET_CONNECT_TCP;
        attr_size += sizeof attr.handled_access_net;
    }
    if (abi >= 6) {
        attr.scoped = SB_SCOPE_ABSTRACT_UNIX | SB_SCOPE_SIGNAL;
        attr_size += sizeof attr.scoped;
    }
    ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
    if (ruleset < 0) {
        kk_log(KK_LOG_ERROR, "Landlock: cannot create a ruleset: %s",
               strerror(errno));
        goto out;
    }
    /* Store directories: their files, never subdirectories, links, special
     * files or execution.  Renames stay inside one directory, so REFER is
     * not granted. */
    rw = (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE |
          LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
          LANDLOCK_ACCESS_FS_MAKE_REG | SB_FS_TRUNCATE) &
         attr.handled_access_fs;
    r = KK_OK;
    for (size_t i = 0; rw_dirs != NULL && rw_dirs[i] != NULL && r == KK_OK; i++)
        r = sb_ll_rule(ruleset, rw_dirs[i], true, rw);
    for (size_t i = 0; ro_files != NULL && ro_files[i] != NULL && r == KK_OK;
         i++)
        r = sb_ll_rule(ruleset, ro_files[i], false,
                       LANDLOCK_ACCESS_FS_READ_FILE);
    if (r != KK_OK)
        goto out;
    if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) {
        kk_log(KK_LOG_ERROR, "Landlock: cannot enforce: %s", strerror(errno));
        r = KK_ERR_SYSTEM;
        goto out;
    }
    kk_log(KK_LOG_DEBUG, "Landlock ABI %ld enforced", abi);
    *enforced = true;
out:
    if (ruleset >= 0)
        close(ruleset);
    return r;
}

/* ---- seccomp ---- */

/* Process roles: the accept loop and the per-connection worker. */
#define SB_LOOP 1u
#define SB_WORKER 2u
#define SB_BOTH (SB_LOOP | SB_WORKER)

/* Argument conditions of a rule. */
enum sb_arg {
    SB_ANY,        /* any arguments */
    SB_NOEXEC,     /* third argument (prot) without PROT_EXEC */
    SB_FORK,       /* clone with exactly glibc fork()'s flags */
    SB_PEERCRED,   /* getsockopt(fd, SOL_SOCKET, SO_PEERCRED) */
    SB_SET_FILTER, /* seccomp(SECCOMP_SET_MODE_FILTER, ...) */
    SB_NO_ADDR,    /* sendto on a connected socket: no address */
    SB_TCGETS,     /* ioctl(fd, TCGETS): isatty() */
    SB_EACCES,     /* not run: fails with EACCES */
    SB_ENOSYS,     /* not run: fails with ENOSYS */
    SB_ENOENT,     /* not run: fails with ENOENT */
};

struct sb_rule {
    int nr;
    unsigned roles;
    enum sb_arg arg;
};

/* The flags glibc's fork() passes to clone(2). */
#define SB_FORK_FLAGS (CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | SIGCHLD)

/*
 * The allowlist, one system call per line with the reason.  Derived from
 * the code paths (store.c, store_proto.c, file.c, log.c, libsodium,
 * glibc's nss_files) and checked with `strace -f` on the daemon's tests
 * in both builds.  Anything else kills the process.
 */
static const struct sb_rule sb_rules[] = {
    /* accept loop */
    {SCMP_SYS(accept4), SB_LOOP, SB_ANY},         /* take a connection */
    {SCMP_SYS(getsockopt), SB_LOOP, SB_PEERCRED}, /* the caller's uid */
    {SCMP_SYS(clone), SB_LOOP, SB_FORK},          /* fork a worker */
    {SCMP_SYS(clone3), SB_LOOP, SB_ENOSYS},       /* glibc falls back */
    {SCMP_SYS(set_robust_list), SB_LOOP, SB_ANY}, /* glibc fork's child */
    {SCMP_SYS(wait4), SB_LOOP, SB_ANY},           /* reap workers */
    {SCMP_SYS(rt_sigaction), SB_LOOP, SB_ANY},    /* worker: default TERM */
    {SCMP_SYS(alarm), SB_LOOP, SB_ANY},           /* worker: 30 s to live */
    {SCMP_SYS(seccomp), SB_LOOP, SB_SET_FILTER},  /* worker: its filter */
    /* both: waiting, logging, memory, ending */
    {SCMP_SYS(poll), SB_BOTH, SB_ANY},            /* connection, request */
    {SCMP_SYS(newfstatat), SB_BOTH, SB_ANY},      /* passwd watch, fstat */
    {SCMP_SYS(write), SB_BOTH, SB_ANY},           /* stderr, state files */
    {SCMP_SYS(sendto), SB_BOTH, SB_NO_ADDR},      /* syslog, the reply */
    {SCMP_SYS(getpid), SB_BOTH, SB_ANY},          /* syslog's LOG_PID */
    {SCMP_SYS(socket), SB_BOTH, SB_EACCES},       /* syslog reconnects */
    {SCMP_SYS(close), SB_BOTH, SB_ANY},           /* connections, files */
    {SCMP_SYS(brk), SB_BOTH, SB_ANY},             /* malloc */
    {SCMP_SYS(mmap), SB_BOTH, SB_NOEXEC},         /* malloc, never code */
    {SCMP_SYS(munmap), SB_BOTH, SB_ANY},          /* free */
    {SCMP_SYS(mremap), SB_BOTH, SB_ANY},          /* realloc */
    {SCMP_SYS(mprotect), SB_BOTH, SB_NOEXEC},     /* sodium guard pages */
    {SCMP_SYS(madvise), SB_BOTH, SB_ANY},         /* free, sodium_free */
    {SCMP_SYS(munlock), SB_BOTH, SB_ANY},         /* sodium_free of key */
    {SCMP_SYS(futex), SB_BOTH, SB_ANY},           /* glibc locks */
    {SCMP_SYS(clock_gettime), SB_BOTH, SB_ANY},   /* deadlines (no vDSO) */
    {SCMP_SYS(time), SB_BOTH, SB_ANY},            /* time(NULL) (no vDSO) */
    {SCMP_SYS(restart_syscall), SB_BOTH, SB_ANY}, /* after SIGSTOP/CONT */
    {SCMP_SYS(rt_sigreturn), SB_BOTH, SB_ANY},    /* SIGTERM handler */
    {SCMP_SYS(exit_group), SB_BOTH, SB_ANY},      /* _exit, exit */
    {SCMP_SYS(exit), SB_BOTH, SB_ANY},            /* thread exit */
    /* worker: one request against the store */
    {SCMP_SYS(recvfrom), SB_WORKER, SB_ANY},        /* the request */
    {SCMP_SYS(openat), SB_WORKER, SB_ANY},          /* store, /etc/passwd */
    {SCMP_SYS(read), SB_WORKER, SB_ANY},            /* state, /etc/passwd */
    {SCMP_SYS(lseek), SB_WORKER, SB_ANY},           /* nss_files rewinds */
    {SCMP_SYS(flock), SB_WORKER, SB_ANY},           /* per-user lock */
    {SCMP_SYS(clock_nanosleep), SB_WORKER, SB_ANY}, /* lock wait, 2 ms */
    {SCMP_SYS(pread64), SB_WORKER, SB_ANY},         /* counter record */
    {SCMP_SYS(pwrite64), SB_WORKER, SB_ANY},        /* counter record */
    {SCMP_SYS(ftruncate), SB_WORKER, SB_ANY},       /* oversize record */
    {SCMP_SYS(fsync), SB_WORKER, SB_ANY},           /* durable state */
    {SCMP_SYS(fdatasync), SB_WORKER, SB_ANY},       /* durable record */
    {SCMP_SYS(fchmod), SB_WORKER, SB_ANY},          /* mode of a temporary */
    {SCMP_SYS(rename), SB_WORKER, SB_ANY},          /* temporary -> state */
    {SCMP_SYS(unlink), SB_WORKER, SB_ANY},          /* failed temporaries */
    {SCMP_SYS(getrandom), SB_WORKER, SB_ANY},       /* names, nonces */
#ifdef SB_ASAN
    /* Sanitizer runtime only.  A report is written without /proc (cached
     * by __sanitizer_sandbox_on_notify) and without llvm-symbolizer: its
     * frames are module+offset with a BuildId, to symbolize offline. */
    {SCMP_SYS(sigaltstack), SB_BOTH, SB_ANY}, /* sigaction interceptor */
    {SCMP_SYS(ioctl), SB_BOTH, SB_TCGETS},    /* report: colours? */
    {SCMP_SYS(open), SB_BOTH, SB_EACCES},     /* report: /proc/self/maps */
    {SCMP_SYS(stat), SB_BOTH, SB_ENOENT},     /* report: symbolizer */
#endif
};

/* libseccomp returns negative errno values. */
static enum kk_err sb_fail(const char *what, int rc)
{
    kk_log(KK_LOG_ERROR, "seccomp: %s: %s", what, strerror(-rc));
    return KK_ERR_SYSTEM;
}

/* One argument comparison; all four fields set, as clang asks. */
static struct scmp_arg_cmp sb_cmp(unsigned arg, enum scmp_compare op,
                                  scmp_datum_t a, scmp_datum_t b)
{
    struct scmp_arg_cmp c = {arg, op, a, b};

    return c;
}

static int sb_rule_add(scmp_filter_ctx ctx, const struct sb_rule *r)
{
    const uint32_t allow = SCMP_ACT_ALLOW;
    int rc;

    switch (r->arg) {
    case SB_NOEXEC:
        rc = seccomp_rule_add(ctx, allow, r->nr, 1,
                              sb_cmp(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
        break;
    case SB_FORK:
        rc = seccomp_rule_add(ctx, allow, r->nr, 1,
                              sb_cmp(0, SCMP_CMP_EQ, SB_FORK_FLAGS, 0));
        break;
    case SB_PEERCRED:
        rc = seccomp_rule_add(ctx, allow, r->nr, 2,
                              sb_cmp(1, SCMP_CMP_EQ, SOL_SOCKET, 0),
                              sb_cmp(2, SCMP_CMP_EQ, SO_PEERCRED, 0));
        break;
    case SB_SET_FILTER:
        rc = seccomp_rule_add(
            ctx, allow, r->nr, 1,
            sb_cmp(0, SCMP_CMP_EQ, SECCOMP_SET_MODE_FILTER, 0));
        break;
    case SB_NO_ADDR:
        rc = seccomp_rule_add(ctx, allow, r->nr, 1,
                              sb_cmp(4, SCMP_CMP_EQ, 0, 0));
        break;
    case SB_TCGETS:
        rc = seccomp_rule_add(ctx, allow, r->nr, 1,
                              sb_cmp(1, SCMP_CMP_EQ, TCGETS, 0));
        break;
    case SB_EACCES:
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), r->nr, 0);
        break;
    case SB_ENOSYS:
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), r->nr, 0);
        break;
    case SB_ENOENT:
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOENT), r->nr, 0);
        break;
    case SB_ANY:
    default:
        rc = seccomp_rule_add(ctx, allow, r->nr, 0);
        break;
    }
    return rc;
}

/* Builds the filter of one role into *out (caller releases it). */
static enum kk_err sb_build(unsigned role, scmp_filter_ctx *out)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    enum kk_err r = KK_OK;
    int rc;

    if (ctx == NULL) {
        kk_log(KK_LOG_ERROR, "seccomp: cannot create a filter");
        r = KK_ERR_NOMEM;
        goto out;
    }
    /* Other architectures' calls (i386 int 0x80, x32) are killed too; the
     * caller sets no_new_privs, so loading needs no prctl afterwards. */
    rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    if (rc == 0)
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    if (rc != 0) {
        r = sb_fail("filter attributes", rc);
        goto out;
    }
    for (size_t i = 0; i < sizeof sb_rules / sizeof sb_rules[0]; i++) {
        if ((sb_rules[i].roles & role) == 0)
            continue;
        rc = sb_rule_add(ctx, &sb_rules[i]);
        if (rc != 0) {
            char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE,
                                                          sb_rules[i].nr);
            r = sb_fail(name != NULL ? name : "a rule", rc);
            free(name);
            goto out;
        }
    }
    *out = ctx;
    ctx = NULL;
out:
    if (ctx != NULL)
        seccomp_release(ctx);
    return r;
}

/* The worker's filter, built by the loop before its own filter is on. */
static scmp_filter_ctx sb_worker_ctx;

enum kk_err sandbox_seccomp_daemon(void)
{
    scmp_filter_ctx loop = NULL;
    enum kk_err r;
    int rc;

    r = sb_build(SB_BOTH, &loop); /* the union: workers inherit it */
    if (r == KK_OK && sb_worker_ctx == NULL)
        r = sb_build(SB_WORKER, &sb_worker_ctx);
    if (r != KK_OK)
        goto out;
    rc = seccomp_load(loop);
    if (rc != 0)
        r = sb_fail("cannot load the filter", rc);
out:
    if (loop != NULL)
        seccomp_release(loop);
    return r;
}

enum kk_err sandbox_seccomp_worker(void)
{
    enum kk_err r = KK_ERR_INVAL;
    int rc;

    if (sb_worker_ctx != NULL) {
        rc = seccomp_load(sb_worker_ctx);
        r = rc == 0 ? KK_OK : sb_fail("cannot load the worker filter", rc);
    }
    return r;
}
