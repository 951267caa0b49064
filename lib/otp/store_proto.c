/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * store_proto.c - the line protocol between pam_kalkan.so running as an
 * ordinary user (a screen locker) and the root daemon that owns the store.
 *
 * One request line and one reply line per connection, each bounded by
 * OTP_PROTO_LINE_MAX and by a timeout, so a slow or hostile peer costs the
 * daemon one short-lived connection at most.  The daemon trusts nothing
 * the client says about who it is: the caller's uid comes from
 * SO_PEERCRED (taken by the daemon) and a non-root caller may only ask
 * about the account with that uid, and only in the "local" budget.  The
 * policy (window, rate limits) is the daemon's own, never the client's.
 */
#include "kalkan/otp_store.h"

#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define PROTO_MAGIC "KALKAN-OTP 1 "

void otp_input_clean(const char *in, char out[OTP_PROTO_INPUT_MAX + 1])
{
    size_t n = 0;
    bool ok = true;

    for (size_t i = 0; in[i] != '\0' && ok; i++) {
        char c = in[i];
        if (c == ' ' || c == '\t')
            continue;
        ok = n < OTP_PROTO_INPUT_MAX &&
             ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
              (c >= 'A' && c <= 'Z') || c == '-');
        if (ok)
            out[n++] = c;
    }
    if (!ok || n == 0) {
        out[0] = '-';
        n = 1;
    }
    out[n] = '\0';
}

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for fd to become readable or writable before the deadline. */
static int wait_fd(int fd, short ev, int64_t deadline)
{
    for (;;) {
        struct pollfd p = {.fd = fd, .events = ev};
        int64_t left = deadline - mono_ms();
        int n;
        if (left <= 0)
            return KK_ERR_TIMEOUT;
        n = poll(&p, 1, (int)left);
        if (n > 0)
            return KK_OK;
        if (n == 0)
            return KK_ERR_TIMEOUT;
        if (errno != EINTR)
            return KK_ERR_IO;
    }
}

static int send_all(int fd, const char *p, size_t len, int64_t deadline)
{
    while (len > 0) {
        ssize_t n;
        int r = wait_fd(fd, POLLOUT, deadline);
        if (r != KK_OK)
            return r;
        n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return KK_ERR_IO;
        }
        p += n;
        len -= (size_t)n;
    }
    return KK_OK;
}

/* Reads one "\n"-terminated line of at most OTP_PROTO_LINE_MAX bytes. */
static int recv_line(int fd, char line[OTP_PROTO_LINE_MAX + 1],
                     int64_t deadline)
{
    size_t n = 0;

    for (;;) {
        ssize_t k;
        char *nl;
        int r = wait_fd(fd, POLLIN, deadline);
        if (r != KK_OK)
            return r;
        k = recv(fd, line + n, OTP_PROTO_LINE_MAX - n, MSG_DONTWAIT);
        if (k < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return KK_ERR_IO;
        }
        if (k == 0)
            return KK_ERR_PROTO;
        n += (size_t)k;
        line[n] = '\0';
        nl = memchr(line, '\n', n);
        if (nl != NULL) {
            if ((size_t)(nl - line) != n - 1 || memchr(line, 0, n) != NULL)
                return KK_ERR_PROTO;
            *nl = '\0';
            return KK_OK;
        }
        if (n >= OTP_PROTO_LINE_MAX)
            return KK_ERR_PROTO;
    }
}

/* Connects, sends req, reads the reply line into rep. */
static int exchange(const char *path, const char *req,
                    char rep[OTP_PROTO_LINE_MAX + 1], unsigned timeout_ms,
                    struct kk_diag *d)
{
    struct sockaddr_un sa;
    int64_t deadline = mono_ms() + (int64_t)timeout_ms;
    size_t pl = strlen(path);
    int fd = -1;
    int r;

    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (pl == 0 || pl >= sizeof sa.sun_path) {
        kk_diag_set(d, "socket path too long");
        return KK_ERR_RANGE;
    }
    memcpy(sa.sun_path, path, pl + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        r = KK_ERR_SYSTEM;
        goto out;
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        kk_diag_set(d, "%s: %s", path, strerror(errno));
        r = errno == EACCES ? KK_ERR_PERM : KK_ERR_IO;
        goto out;
    }
    r = send_all(fd, req, strlen(req), deadline);
    if (r == KK_OK)
        r = recv_line(fd, rep, deadline);
    if (r != KK_OK)
        kk_diag_set(d, "%s: %s", path, kk_strerror(r));
out:
    if (fd >= 0)
        close(fd);
    return r;
}

int otp_remote_verify(const char *socket_path, const char *user,
                      const char *input, enum otp_budget b, unsigned timeout_ms,
                      enum otp_verified_by *by, struct kk_diag *d)
{
    char enc[OTP_STORE_USER_ENC_SIZE];
    char clean[OTP_PROTO_INPUT_MAX + 1];
    char req[OTP_PROTO_LINE_MAX + 1];
    char rep[OTP_PROTO_LINE_MAX + 1];
    int n;
    int r;

    r = otp_store_user_encode(user, enc);
    if (r != KK_OK)
        return KK_ERR_NOTFOUND;
    otp_input_clean(input, clean);
    n = snprintf(req, sizeof req, PROTO_MAGIC "VERIFY %s %s %s\n", enc,
                 otp_budget_name(b), clean);
    if (n < 0 || (size_t)n >= sizeof req) {
        r = KK_ERR_RANGE;
        goto out;
    }
    r = exchange(socket_path, req, rep, timeout_ms, d);
    if (r != KK_OK)
        goto out;
    if (strcmp(rep, "OK code") == 0 || strcmp(rep, "OK recovery") == 0) {
        *by = rep[3] == 'c' ? OTP_VERIFIED_CODE : OTP_VERIFIED_RECOVERY;
        r = KK_OK;
    } else if (strcmp(rep, "DENIED auth") == 0) {
        r = KK_ERR_AUTH;
    } else if (strcmp(rep, "DENIED replay") == 0) {
        r = KK_ERR_REPLAY;
    } else if (strcmp(rep, "DENIED throttled") == 0) {
        r = KK_ERR_THROTTLED;
    } else if (strcmp(rep, "UNENROLLED") == 0) {
        r = KK_ERR_NOTFOUND;
    } else if (strcmp(rep, "ERROR perm") == 0) {
        kk_diag_set(d, "the daemon refused to answer for this user");
        r = KK_ERR_PERM;
    } else {
        kk_diag_set(d, "daemon replied an error");
        r = KK_ERR_PROTO;
    }
out:
    kk_wipe(clean, sizeof clean);
    kk_wipe(req, sizeof req);
    return r;
}

int otp_remote_enrolled(const char *socket_path, const char *user,
                        unsigned timeout_ms, bool *enrolled, struct kk_diag *d)
{
    char enc[OTP_STORE_USER_ENC_SIZE];
    char req[OTP_PROTO_LINE_MAX + 1];
    char rep[OTP_PROTO_LINE_MAX + 1];
    int r;

    r = otp_store_user_encode(user, enc);
    if (r != KK_OK) {
        *enrolled = false;
        return KK_OK;
    }
    if (snprintf(req, sizeof req, PROTO_MAGIC "ENROLLED %s\n", enc) >=
        (int)sizeof req)
        return KK_ERR_RANGE;
    r = exchange(socket_path, req, rep, timeout_ms, d);
    if (r != KK_OK)
        return r;
    if (strcmp(rep, "YES") == 0) {
        *enrolled = true;
    } else if (strcmp(rep, "NO") == 0) {
        *enrolled = false;
    } else {
        kk_diag_set(d, "daemon replied an error");
        return strcmp(rep, "ERROR perm") == 0 ? KK_ERR_PERM : KK_ERR_PROTO;
    }
    return KK_OK;
}

/* May a caller with uid peer ask about user? */
static bool peer_may_ask(unsigned peer, const char *user)
{
    struct passwd pw;
    struct passwd *res = NULL;
    char buf[4096];

    if (peer == 0)
        return true;
    if (getpwnam_r(user, &pw, buf, sizeof buf, &res) != 0 || res == NULL)
        return false;
    return (unsigned)pw.pw_uid == peer;
}

static bool input_ok(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > OTP_PROTO_INPUT_MAX)
        return false;
    return strspn(s, "0123456789abcdefghijklmnopqrstuvwxyz"
                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ-") == n;
}

int otp_proto_serve(struct otp_store *s, const struct otp_policy *pol, int fd,
                    unsigned peer_uid, int64_t now, unsigned timeout_ms,
                    int *verdict, char user[KK_STORE_USER_MAX + 1],
                    struct kk_diag *d)
{
    char line[OTP_PROTO_LINE_MAX + 1];
    char name[KK_STORE_USER_MAX + 1];
    const char *reply = "ERROR proto\n";
    int64_t deadline = mono_ms() + (int64_t)timeout_ms;
    char *f[5] = {NULL};
    size_t nf = 0;
    char *p;
    int v = KK_ERR_PROTO;
    int r;

    r = recv_line(fd, line, deadline);
    if (r != KK_OK) {
        kk_diag_set(d, "reading the request: %s", kk_strerror(r));
        v = r;
        goto reply;
    }
    if (strncmp(line, PROTO_MAGIC, sizeof PROTO_MAGIC - 1) != 0)
        goto reply;
    p = line + sizeof PROTO_MAGIC - 1;
    while (nf < 5) {
        char *sp = strchr(p, ' ');
        if (*p == '\0' || p == sp)
            goto reply;
        f[nf++] = p;
        if (sp == NULL)
            break;
        *sp = '\0';
        p = sp + 1;
        if (nf == 5)
            goto reply; /* more fields than any request has */
    }
    if (nf < 2 || otp_store_user_decode(f[1], name) != KK_OK)
        goto reply;
    memcpy(user, name, strlen(name) + 1);
    if (!peer_may_ask(peer_uid, name)) {
        reply = "ERROR perm\n";
        v = KK_ERR_PERM;
        goto reply;
    }
    if (strcmp(f[0], "ENROLLED") == 0 && nf == 2) {
        struct otp_user_info *info = calloc(1, sizeof *info);
        if (info == NULL) {
            reply = "ERROR internal\n";
            v = KK_ERR_NOMEM;
            goto reply;
        }
        v = otp_store_info(s, name, pol, now, info, d);
        if (v == KK_OK || v == KK_ERR_NOTFOUND)
            reply = v == KK_OK && info->enrolled ? "YES\n" : "NO\n";
        else
            reply = "ERROR store\n";
        free(info);
        goto reply;
    }
    if (strcmp(f[0], "VERIFY") == 0 && nf == 4 && input_ok(f[3])) {
        struct otp_verify_result res;
        enum otp_budget b;
        if (strcmp(f[2], "local") == 0)
            b = OTP_BUDGET_LOCAL;
        else if (strcmp(f[2], "remote") == 0)
            b = OTP_BUDGET_REMOTE;
        else
            goto reply;
        /* Only root callers (sshd, login) choose the budget. */
        if (peer_uid != 0)
            b = OTP_BUDGET_LOCAL;
        v = otp_store_verify(s, name, f[3], b, pol, now, &res, d);
        switch (v) {
        case KK_OK:
            reply =
                res.by == OTP_VERIFIED_RECOVERY ? "OK recovery\n" : "OK code\n";
            break;
        case KK_ERR_AUTH:
            reply = "DENIED auth\n";
            break;
        case KK_ERR_REPLAY:
            reply = "DENIED replay\n";
            break;
        case KK_ERR_THROTTLED:
            reply = "DENIED throttled\n";
            break;
        case KK_ERR_NOTFOUND:
            reply = "UNENROLLED\n";
            break;
        default:
            reply = "ERROR store\n";
            break;
        }
    }
reply:
    kk_wipe(line, sizeof line);
    *verdict = v;
    return send_all(fd, reply, strlen(reply), deadline);
}
