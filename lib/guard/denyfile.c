/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * denyfile.c - bans as a file the web server includes: "deny ADDR;" lines
 * for nginx, or "Require not ip ADDR" lines inside <RequireAll> for
 * Apache 2.4, then the configured reload command.
 *
 * For servers where the guard may not touch the firewall (a shared host,
 * a container) or where the operator wants readers behind a banned NAT to
 * get a 403 page rather than a dead connection.  The bans live in memory
 * as a sorted array; each change is a merge (O(n + changes)), and the file
 * is rewritten whole and atomically, sorted so that two runs with the
 * same bans give the same bytes.  A reload costs the web server a
 * configuration parse and new workers, so it runs at most once per
 * reload_interval: changes in between wait, and go out together.  A file
 * has no timeouts: a ban leaves it when the daemon deletes it.
 */
#include "ban_backend.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kalkan/kk.h"

struct guard_deny {
    char *path;
    bool apache;
    char **argv; /* reload command, NULL-ended, or NULL */
    uint32_t interval;
    struct guard_addr *cur; /* the bans, sorted, unique */
    size_t n;
    bool dirty;    /* cur differs from the file */
    bool reloaded; /* a reload ran since open */
    int64_t last;  /* monotonic ms of the last reload */
    int reloader;  /* privsep.c's reloader, or -1 */
};

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int addr_cmp(const void *a, const void *b)
{
    return guard_ban_key_cmp(a, b);
}

/* "192.0.2.7", "10.1.0.0/16", "2001:db8:1:2::/64". */
static int deny_format(const struct guard_addr *a, char *out, size_t cap)
{
    char txt[INET6_ADDRSTRLEN];
    unsigned bits = a->family == 4 ? 32 : 128;
    int n;

    if (inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->b, txt, sizeof txt) ==
        NULL)
        return KK_ERR_INVAL;
    if (a->plen < bits)
        n = snprintf(out, cap, "%s/%u", txt, (unsigned)a->plen);
    else
        n = snprintf(out, cap, "%s", txt);
    return n < 0 || (size_t)n >= cap ? KK_ERR_TRUNC : KK_OK;
}

/* Parses "ADDR" or "ADDR/LEN" as written by deny_format. */
static int deny_parse(const char *s, size_t len, struct guard_addr *a)
{
    char txt[INET6_ADDRSTRLEN + 8];
    struct guard_ban_req req;
    char *slash;
    uint64_t plen;
    int r = KK_ERR_INVAL;

    memset(&req, 0, sizeof req);
    if (len == 0 || len >= sizeof txt)
        goto out;
    memcpy(txt, s, len);
    txt[len] = '\0';
    slash = strchr(txt, '/');
    if (slash != NULL)
        *slash = '\0';
    if (inet_pton(AF_INET, txt, req.addr.b) == 1) {
        req.addr.family = 4;
        plen = 32;
    } else if (inet_pton(AF_INET6, txt, req.addr.b) == 1) {
        req.addr.family = 6;
        plen = 128;
    } else {
        goto out;
    }
    if (slash != NULL && kk_parse_u64(slash + 1, 0, plen, &plen) != KK_OK)
        goto out;
    req.addr.plen = (uint8_t)plen;
    req.op = GUARD_OP_ADD;
    req.timeout = 1;
    r = guard_ban_req_check(&req, NULL);
    if (r == KK_OK)
        *a = req.addr;
out:
    return r;
}

/* The file's text for the current bans. */
static int deny_render(const struct guard_deny *f, struct kk_buf **out)
{
    struct kk_buf *b = NULL;
    size_t cap;
    int r = kk_size_mul(f->n, 64, &cap);

    if (r == KK_OK)
        r = kk_size_add(cap, 1024, &cap);
    if (r != KK_OK)
        goto out;
    b = kk_buf_new(cap);
    if (b == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    r = kk_buf_putf(b,
                    "# Addresses banned by kalkan guard (%zu); rewritten by "
                    "it, do not edit.\n",
                    f->n);
    if (r == KK_OK && f->apache)
        r = kk_buf_puts(b, "<RequireAll>\n    Require all granted\n");
    for (size_t i = 0; i < f->n && r == KK_OK; i++) {
        char txt[GUARD_ADDR_TEXT_MAX];

        r = deny_format(&f->cur[i], txt, sizeof txt);
        if (r == KK_OK && f->apache)
            r = kk_buf_putf(b, "    Require not ip %s\n", txt);
        else if (r == KK_OK)
            r = kk_buf_putf(b, "deny %s;\n", txt);
    }
    if (r == KK_OK && f->apache)
        r = kk_buf_puts(b, "</RequireAll>\n");
    if (r != KK_OK)
        goto out;
    *out = b;
    b = NULL;
out:
    kk_buf_free(b);
    return r;
}

static int deny_write(struct guard_deny *f, struct kk_diag *d)
{
    struct kk_buf *b = NULL;
    int r = deny_render(f, &b);

    if (r != KK_OK) {
        kk_diag_set(d, "%s: cannot render %zu bans: %s", f->path, f->n,
                    kk_strerror(r));
        goto out;
    }
    r = kk_file_write_atomic(f->path, kk_buf_data(b), kk_buf_len(b), 0644, d);
    if (r == KK_OK)
        f->dirty = false;
out:
    kk_buf_free(b);
    return r;
}

/* Reads the bans of an existing file (the lines this file writes). */
static int deny_load(struct guard_deny *f, struct kk_diag *d)
{
    const char *key = f->apache ? "Require not ip " : "deny ";
    struct kk_buf *b = kk_buf_new(GUARD_BAN_FILE_MAX + 1);
    struct kk_span sp;
    const char *line;
    size_t len, cap = 0, lineno = 0;
    int r = KK_ERR_NOMEM;

    if (b == NULL)
        goto out;
    r = kk_file_read(f->path, GUARD_BAN_FILE_MAX, b, d);
    if (r != KK_OK)
        goto out;
    sp = kk_span_make(kk_buf_data(b), kk_buf_len(b));
    for (;;) {
        size_t klen = strlen(key);

        r = kk_span_get_line(&sp, 4096, &line, &len);
        if (r == KK_ERR_NOTFOUND) {
            r = KK_OK;
            break;
        }
        if (r != KK_OK) {
            kk_diag_set(d, "%s: line %zu: %s", f->path, lineno + 1,
                        kk_strerror(r));
            goto out;
        }
        lineno++;
        while (len > 0 && (*line == ' ' || *line == '\t')) {
            line++;
            len--;
        }
        while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
            len--;
        if (len < klen || memcmp(line, key, klen) != 0)
            continue;
        line += klen;
        len -= klen;
        if (!f->apache) {
            if (len == 0 || line[len - 1] != ';')
                len = 0;
            else
                len--;
        }
        if (f->n == cap) {
            struct guard_addr *p;
            size_t ncap = cap == 0 ? 64 : cap * 2;

            if (f->n >= GUARD_BAN_QUEUE_MAX) {
                r = KK_ERR_LIMIT;
                kk_diag_set(d, "%s: more than %u bans", f->path,
                            GUARD_BAN_QUEUE_MAX);
                goto out;
            }
            p = realloc(f->cur, ncap * sizeof *p);
            if (p == NULL) {
                r = KK_ERR_NOMEM;
                goto out;
            }
            f->cur = p;
            cap = ncap;
        }
        r = deny_parse(line, len, &f->cur[f->n]);
        if (r != KK_OK) {
            kk_diag_set(d, "%s: line %zu: not an address this guard writes",
                        f->path, lineno);
            goto out;
        }
        f->n++;
    }
    if (f->n > 1) {
        size_t o = 1;

        qsort(f->cur, f->n, sizeof *f->cur, addr_cmp);
        for (size_t i = 1; i < f->n; i++) {
            if (guard_ban_key_cmp(&f->cur[i], &f->cur[o - 1]) != 0)
                f->cur[o++] = f->cur[i];
        }
        f->n = o;
    }
out:
    kk_buf_free(b);
    return r;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);

    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

int guard_deny_open(const struct guard_conf *c, struct guard_deny **out,
                    struct kk_diag *d)
{
    struct guard_deny *f = calloc(1, sizeof *f);
    struct stat st;
    char dir[4096];
    size_t nargv = 0;
    char *slash;
    int r = KK_ERR_NOMEM;

    if (f == NULL)
        goto out;
    f->reloader = -1;
    r = KK_ERR_INVAL;
    if (c->deny_file == NULL || c->deny_file[0] != '/') {
        kk_diag_set(d, "[backend] deny_file must be an absolute path");
        goto out;
    }
    if (c->deny_style == NULL || strcmp(c->deny_style, "nginx") == 0) {
        f->apache = false;
    } else if (strcmp(c->deny_style, "apache") == 0) {
        f->apache = true;
    } else {
        kk_diag_set(d, "[backend] deny_style must be nginx or apache");
        goto out;
    }
    if (c->reload != NULL && c->reload[0] != NULL && c->reload[0][0] != '/') {
        kk_diag_set(d, "[backend] reload must start with an absolute path");
        goto out;
    }
    if (strlen(c->deny_file) >= sizeof dir) {
        kk_diag_set(d, "[backend] deny_file is too long");
        goto out;
    }
    memcpy(dir, c->deny_file, strlen(c->deny_file) + 1);
    slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        kk_diag_set(d, "%s: not a directory (deny_file's)", dir);
        goto out;
    }
    r = KK_ERR_NOMEM;
    f->path = dup_str(c->deny_file);
    if (f->path == NULL)
        goto out;
    f->interval = c->reload_interval;
    while (c->reload != NULL && c->reload[nargv] != NULL)
        nargv++;
    if (nargv > 0) {
        f->argv = calloc(nargv + 1, sizeof *f->argv);
        if (f->argv == NULL)
            goto out;
        for (size_t i = 0; i < nargv; i++) {
            f->argv[i] = dup_str(c->reload[i]);
            if (f->argv[i] == NULL)
                goto out;
        }
    }
    if (access(f->path, F_OK) == 0) {
        r = deny_load(f, d);
    } else {
        r = deny_write(f, d);
    }
    if (r != KK_OK)
        goto out;
    *out = f;
    f = NULL;
out:
    guard_deny_close(f);
    return r;
}

void guard_deny_close(struct guard_deny *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; f->argv != NULL && f->argv[i] != NULL; i++)
        free(f->argv[i]);
    free(f->argv);
    free(f->path);
    free(f->cur);
    free(f);
}

/* Merges the sorted list into the sorted bans. */
static int deny_merge(struct guard_deny *f, const struct guard_ban_list *l)
{
    const struct guard_addr *cur = f->cur;
    size_t n = l->flush ? 0 : f->n;
    struct guard_addr *o = NULL;
    size_t i = 0, j = 0, no = 0, cap;
    bool changed = l->flush && f->n > 0;
    int r = kk_size_add(n, l->n, &cap);

    if (r != KK_OK)
        goto out;
    if (cap > GUARD_BAN_QUEUE_MAX) {
        r = KK_ERR_LIMIT;
        goto out;
    }
    o = calloc(cap == 0 ? 1 : cap, sizeof *o);
    if (o == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    while (i < n || j < l->n) {
        int c = i == n      ? 1
                : j == l->n ? -1
                            : guard_ban_key_cmp(&cur[i], &l->r[j].addr);
        if (c < 0) {
            o[no++] = cur[i++];
            continue;
        }
        if (l->r[j].op == GUARD_OP_ADD)
            o[no++] = l->r[j].addr;
        if ((c == 0) != (l->r[j].op == GUARD_OP_ADD))
            changed = true; /* a new ban, or a held one lifted */
        if (c == 0)
            i++;
        j++;
    }
    free(f->cur);
    f->cur = o;
    f->n = no;
    o = NULL;
    if (changed)
        f->dirty = true;
out:
    free(o);
    return r;
}

int64_t guard_deny_wait_ms(const struct guard_deny *f)
{
    int64_t due;

    if (!f->dirty)
        return -1;
    if (f->argv == NULL || !f->reloaded)
        return 0;
    due = f->last + (int64_t)f->interval * 1000 - now_ms();
    return due < 0 ? 0 : due;
}

bool guard_deny_reloads(const struct guard_deny *f)
{
    return f->argv != NULL;
}

char *const *guard_deny_argv(const struct guard_deny *f)
{
    return f->argv;
}

void guard_deny_set_reloader(struct guard_deny *f, int fd)
{
    f->reloader = fd;
}

int guard_deny_apply(struct guard_deny *f, const struct guard_ban_list *l,
                     struct kk_diag *d)
{
    int r = deny_merge(f, l);

    if (r != KK_OK) {
        kk_diag_set(d, "%s: cannot merge %zu changes: %s", f->path, l->n,
                    kk_strerror(r));
        goto out;
    }
    if (guard_deny_wait_ms(f) != 0)
        goto out; /* nothing changed, or the reload must wait */
    r = deny_write(f, d);
    if (r != KK_OK || f->argv == NULL)
        goto out;
    f->reloaded = true;
    f->last = now_ms();
    if (f->reloader >= 0)
        r = guard_reload_ask(f->reloader, d);
    else
        r = guard_reload_run(f->argv, d);
out:
    return r;
}

/* ---- the reload command ---- */

int guard_reload_run(char *const *argv, struct kk_diag *d)
{
    static char env_path[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
    static char env_lang[] = "LANG=C";
    char *const envp[] = {env_path, env_lang, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none, all;
    int64_t deadline;
    pid_t pid = -1;
    int st = 0, rc;
    int r = KK_ERR_SYSTEM;

    sigemptyset(&none);
    sigfillset(&all);
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &all);
    posix_spawnattr_setflags(&at,
                             POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    rc = posix_spawn(&pid, argv[0], &fa, &at, argv, envp);
    if (rc != 0) {
        kk_diag_set(d, "reload: %s: %s", argv[0], strerror(rc));
        goto out;
    }
    deadline = now_ms() + GUARD_RELOAD_TIMEOUT_MS;
    for (;;) {
        struct timespec ts = {0, 5 * 1000 * 1000};
        pid_t w = waitpid(pid, &st, WNOHANG);

        if (w == pid)
            break;
        if (w < 0 && errno != EINTR) {
            kk_diag_set(d, "reload: %s: wait: %s", argv[0], strerror(errno));
            goto out;
        }
        if (now_ms() > deadline) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
            kk_diag_set(d, "reload: %s: killed after %d ms", argv[0],
                        GUARD_RELOAD_TIMEOUT_MS);
            r = KK_ERR_TIMEOUT;
            goto out;
        }
        nanosleep(&ts, NULL);
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
        r = KK_OK;
    } else if (WIFEXITED(st)) {
        kk_diag_set(d, "reload: %s exited with status %d", argv[0],
                    WEXITSTATUS(st));
    } else {
        kk_diag_set(d, "reload: %s ended by signal %d", argv[0],
                    WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    }
out:
    posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
    return r;
}

/* The reloader's answer: a status and its message. */
struct reload_answer {
    int32_t r;
    char msg[KK_DIAG_MAX];
};

int guard_reload_ask(int fd, struct kk_diag *d)
{
    struct reload_answer a;
    struct pollfd p = {fd, POLLIN, 0};
    const uint8_t go = 1;
    ssize_t n;
    int r = KK_ERR_PROTO;

    memset(&a, 0, sizeof a);
    if (send(fd, &go, 1, MSG_NOSIGNAL) != 1) {
        kk_diag_set(d, "reload: the reloader is gone: %s", strerror(errno));
        goto out;
    }
    if (poll(&p, 1, GUARD_RELOAD_TIMEOUT_MS + 5000) != 1) {
        kk_diag_set(d, "reload: the reloader does not answer");
        r = KK_ERR_TIMEOUT;
        goto out;
    }
    n = recv(fd, &a, sizeof a, 0);
    if (n != (ssize_t)sizeof a) {
        kk_diag_set(d, "reload: the reloader is gone");
        goto out;
    }
    a.msg[sizeof a.msg - 1] = '\0';
    r = a.r;
    if (r != KK_OK)
        kk_diag_set(d, "%s", a.msg);
out:
    return r;
}

int guard_reload_serve(int fd, char *const *argv)
{
    struct reload_answer a;
    uint8_t go;
    int r = KK_OK;

    for (;;) {
        struct kk_diag d;
        ssize_t n = recv(fd, &go, 1, 0);

        if (n == 0)
            break;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r = KK_ERR_IO;
            break;
        }
        memset(&a, 0, sizeof a);
        kk_diag_clear(&d);
        a.r = guard_reload_run(argv, &d);
        memcpy(a.msg, d.msg, sizeof a.msg);
        if (send(fd, &a, sizeof a, MSG_NOSIGNAL) != (ssize_t)sizeof a) {
            r = KK_ERR_IO;
            break;
        }
    }
    return r;
}
