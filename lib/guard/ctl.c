/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ctl.c - the guard daemon's control socket: the server the daemon's loop
 * drives, the client behind `kalkan guard status|unban|allow`, and the
 * small strict JSON reader both (and the hub's answer) go through.
 *
 * The server never blocks the loop that bans: every connection is
 * non-blocking, has a bounded request buffer (4 KiB), a deadline to send
 * its line and one for its whole life, and only a few may be open at
 * once; more are accepted and closed at once, so a stuck client costs a
 * slot, never the daemon.  Only root and the daemon's own user may talk
 * to it (mode 0600 on the socket, and the peer's uid is checked too).
 *
 * The JSON reader validates the whole document on every look-up instead
 * of building a tree: the documents are a few kilobytes (a request, the
 * hub's answer), so reading one twice costs less than the code a tree
 * would need, and nothing is allocated.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "guard_int.h"

/* ---- JSON reader ---- */

struct jr {
    const char *p;
    size_t n, i;
};

static void jr_ws(struct jr *j)
{
    while (j->i < j->n && (j->p[j->i] == ' ' || j->p[j->i] == '\t' ||
                           j->p[j->i] == '\n' || j->p[j->i] == '\r'))
        j->i++;
}

static int jr_hex4(struct jr *j, unsigned *out)
{
    unsigned v = 0;
    int r = KK_ERR_INVAL;

    if (j->n - j->i < 4)
        goto out;
    for (int k = 0; k < 4; k++) {
        char c = j->p[j->i + (size_t)k];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            goto out;
        v = v * 16 + d;
    }
    j->i += 4;
    *out = v;
    r = KK_OK;
out:
    return r;
}

/* Appends one byte to out when it fits; counts it either way. */
static void jr_put(char *out, size_t cap, size_t *len, unsigned char c)
{
    if (out != NULL && *len + 1 < cap)
        out[*len] = (char)c;
    (*len)++;
}

static void jr_put_utf8(char *out, size_t cap, size_t *len, unsigned cp)
{
    if (cp < 0x80) {
        jr_put(out, cap, len, (unsigned char)cp);
    } else if (cp < 0x800) {
        jr_put(out, cap, len, (unsigned char)(0xc0 | (cp >> 6)));
        jr_put(out, cap, len, (unsigned char)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        jr_put(out, cap, len, (unsigned char)(0xe0 | (cp >> 12)));
        jr_put(out, cap, len, (unsigned char)(0x80 | ((cp >> 6) & 0x3f)));
        jr_put(out, cap, len, (unsigned char)(0x80 | (cp & 0x3f)));
    } else {
        jr_put(out, cap, len, (unsigned char)(0xf0 | (cp >> 18)));
        jr_put(out, cap, len, (unsigned char)(0x80 | ((cp >> 12) & 0x3f)));
        jr_put(out, cap, len, (unsigned char)(0x80 | ((cp >> 6) & 0x3f)));
        jr_put(out, cap, len, (unsigned char)(0x80 | (cp & 0x3f)));
    }
}

/*
 * Reads a string at the cursor (which is on its opening quote).  When out
 * is set, the decoded bytes go there with a NUL and *len is their count
 * (which may exceed cap - 1: the caller checks).  A NUL inside (\u0000)
 * sets *nul.
 */
static int jr_string(struct jr *j, char *out, size_t cap, size_t *len,
                     bool *nul)
{
    size_t l = 0;
    int r = KK_ERR_INVAL;

    if (j->i >= j->n || j->p[j->i] != '"')
        goto out;
    j->i++;
    for (;;) {
        unsigned char c;
        if (j->i >= j->n)
            goto out;
        c = (unsigned char)j->p[j->i++];
        if (c == '"')
            break;
        if (c < 0x20)
            goto out;
        if (c != '\\') {
            jr_put(out, cap, &l, c);
            continue;
        }
        if (j->i >= j->n)
            goto out;
        c = (unsigned char)j->p[j->i++];
        switch (c) {
        case '"':
        case '\\':
        case '/':
            jr_put(out, cap, &l, c);
            break;
        case 'b':
            jr_put(out, cap, &l, '\b');
            break;
        case 'f':
            jr_put(out, cap, &l, '\f');
            break;
        case 'n':
            jr_put(out, cap, &l, '\n');
            break;
        case 'r':
            jr_put(out, cap, &l, '\r');
            break;
        case 't':
            jr_put(out, cap, &l, '\t');
            break;
        case 'u': {
            unsigned cp, lo;
            if (jr_hex4(j, &cp) != KK_OK)
                goto out;
            if (cp >= 0xdc00 && cp <= 0xdfff)
                goto out;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (j->n - j->i < 6 || j->p[j->i] != '\\' ||
                    j->p[j->i + 1] != 'u')
                    goto out;
                j->i += 2;
                if (jr_hex4(j, &lo) != KK_OK || lo < 0xdc00 || lo > 0xdfff)
                    goto out;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            if (cp == 0 && nul != NULL)
                *nul = true;
            jr_put_utf8(out, cap, &l, cp);
            break;
        }
        default:
            goto out;
        }
    }
    if (out != NULL && cap > 0)
        out[l < cap ? l : cap - 1] = '\0';
    if (len != NULL)
        *len = l;
    r = KK_OK;
out:
    return r;
}

static bool jr_digit(const struct jr *j)
{
    return j->i < j->n && j->p[j->i] >= '0' && j->p[j->i] <= '9';
}

static int jr_number(struct jr *j)
{
    int r = KK_ERR_INVAL;

    if (j->i < j->n && j->p[j->i] == '-')
        j->i++;
    if (!jr_digit(j))
        goto out;
    if (j->p[j->i] == '0')
        j->i++;
    else
        while (jr_digit(j))
            j->i++;
    if (j->i < j->n && j->p[j->i] == '.') {
        j->i++;
        if (!jr_digit(j))
            goto out;
        while (jr_digit(j))
            j->i++;
    }
    if (j->i < j->n && (j->p[j->i] == 'e' || j->p[j->i] == 'E')) {
        j->i++;
        if (j->i < j->n && (j->p[j->i] == '+' || j->p[j->i] == '-'))
            j->i++;
        if (!jr_digit(j))
            goto out;
        while (jr_digit(j))
            j->i++;
    }
    r = KK_OK;
out:
    return r;
}

static int jr_word(struct jr *j, const char *w)
{
    size_t l = strlen(w);
    int r = KK_ERR_INVAL;

    if (j->n - j->i >= l && memcmp(j->p + j->i, w, l) == 0) {
        j->i += l;
        r = KK_OK;
    }
    return r;
}

/* Skips one value, checking it. */
static int jr_value(struct jr *j, int depth)
{
    int r = KK_ERR_INVAL;
    char c;

    jr_ws(j);
    if (j->i >= j->n || depth > GUARD_JSON_DEPTH_MAX)
        goto out;
    c = j->p[j->i];
    if (c == '"') {
        r = jr_string(j, NULL, 0, NULL, NULL);
    } else if (c == '{' || c == '[') {
        char end = c == '{' ? '}' : ']';
        j->i++;
        jr_ws(j);
        if (j->i < j->n && j->p[j->i] == end) {
            j->i++;
            r = KK_OK;
            goto out;
        }
        for (;;) {
            if (c == '{') {
                jr_ws(j);
                if (jr_string(j, NULL, 0, NULL, NULL) != KK_OK)
                    goto out;
                jr_ws(j);
                if (j->i >= j->n || j->p[j->i] != ':')
                    goto out;
                j->i++;
            }
            if (jr_value(j, depth + 1) != KK_OK)
                goto out;
            jr_ws(j);
            if (j->i >= j->n)
                goto out;
            if (j->p[j->i] == end) {
                j->i++;
                break;
            }
            if (j->p[j->i] != ',')
                goto out;
            j->i++;
        }
        r = KK_OK;
    } else if (c == 't') {
        r = jr_word(j, "true");
    } else if (c == 'f') {
        r = jr_word(j, "false");
    } else if (c == 'n') {
        r = jr_word(j, "null");
    } else {
        r = jr_number(j);
    }
out:
    return r;
}

/*
 * Checks the whole document (one object) and sets *at to the start of the
 * value of top-level member key.  KK_ERR_NOTFOUND when absent,
 * KK_ERR_INVAL when the document is bad or the key appears twice.
 */
static int jr_find(const char *doc, size_t len, const char *key, struct jr *at)
{
    struct jr j = {doc, len, 0};
    bool found = false;
    int r = KK_ERR_INVAL;

    if (doc == NULL)
        goto out;
    jr_ws(&j);
    if (j.i >= j.n || j.p[j.i] != '{')
        goto out;
    j.i++;
    jr_ws(&j);
    if (j.i < j.n && j.p[j.i] == '}') {
        j.i++;
    } else {
        for (;;) {
            char k[GUARD_JSON_KEY_MAX];
            size_t kl = 0;
            bool nul = false;
            jr_ws(&j);
            if (jr_string(&j, k, sizeof k, &kl, &nul) != KK_OK)
                goto out;
            jr_ws(&j);
            if (j.i >= j.n || j.p[j.i] != ':')
                goto out;
            j.i++;
            jr_ws(&j);
            if (key != NULL && !nul && kl < sizeof k && strcmp(k, key) == 0) {
                if (found)
                    goto out;
                found = true;
                *at = j;
            }
            if (jr_value(&j, 1) != KK_OK)
                goto out;
            jr_ws(&j);
            if (j.i >= j.n)
                goto out;
            if (j.p[j.i] == '}') {
                j.i++;
                break;
            }
            if (j.p[j.i] != ',')
                goto out;
            j.i++;
        }
    }
    jr_ws(&j);
    if (j.i != j.n)
        goto out;
    r = found ? KK_OK : KK_ERR_NOTFOUND;
out:
    return r;
}

int guard_json_check(const char *doc, size_t len)
{
    struct jr j;
    int r = jr_find(doc, len, NULL, &j);

    return r == KK_ERR_NOTFOUND ? KK_OK : r;
}

int guard_json_get_str(const char *doc, size_t len, const char *key, char *out,
                       size_t cap)
{
    struct jr j;
    size_t l = 0;
    bool nul = false;
    int r;

    r = jr_find(doc, len, key, &j);
    if (r != KK_OK)
        goto out;
    r = KK_ERR_INVAL;
    if (cap == 0 || jr_string(&j, out, cap, &l, &nul) != KK_OK || nul)
        goto out;
    r = l < cap ? KK_OK : KK_ERR_TRUNC;
out:
    return r;
}

int guard_json_get_bool(const char *doc, size_t len, const char *key, bool *out)
{
    struct jr j;
    int r;

    r = jr_find(doc, len, key, &j);
    if (r != KK_OK)
        goto out;
    if (jr_word(&j, "true") == KK_OK)
        *out = true;
    else if (jr_word(&j, "false") == KK_OK)
        *out = false;
    else
        r = KK_ERR_INVAL;
out:
    return r;
}

int guard_json_get_u64(const char *doc, size_t len, const char *key,
                       uint64_t *out)
{
    struct jr j;
    uint64_t v = 0;
    int r;

    r = jr_find(doc, len, key, &j);
    if (r != KK_OK)
        goto out;
    r = KK_ERR_INVAL;
    if (!jr_digit(&j))
        goto out;
    if (j.p[j.i] == '0' && j.i + 1 < j.n && j.p[j.i + 1] >= '0' &&
        j.p[j.i + 1] <= '9')
        goto out;
    while (jr_digit(&j)) {
        v = v * 10 + (uint64_t)(j.p[j.i] - '0');
        if (v > (1ULL << 53)) {
            r = KK_ERR_RANGE;
            goto out;
        }
        j.i++;
    }
    /* A fraction or exponent makes it no integer. */
    if (j.i < j.n && (j.p[j.i] == '.' || j.p[j.i] == 'e' || j.p[j.i] == 'E'))
        goto out;
    *out = v;
    r = KK_OK;
out:
    return r;
}

int guard_json_each_str(const char *doc, size_t len, const char *key,
                        guard_json_str_fn fn, void *ctx)
{
    struct jr j;
    int r;

    r = jr_find(doc, len, key, &j);
    if (r != KK_OK)
        goto out;
    r = KK_ERR_INVAL;
    if (j.i >= j.n || j.p[j.i] != '[')
        goto out;
    j.i++;
    jr_ws(&j);
    if (j.i < j.n && j.p[j.i] == ']') {
        r = KK_OK;
        goto out;
    }
    for (;;) {
        char s[GUARD_ADDR_TEXT_MAX];
        size_t l = 0;
        bool nul = false;
        jr_ws(&j);
        if (jr_string(&j, s, sizeof s, &l, &nul) != KK_OK)
            goto out;
        fn(ctx, (nul || l >= sizeof s) ? "" : s);
        jr_ws(&j);
        if (j.i >= j.n)
            goto out;
        if (j.p[j.i] == ']')
            break;
        if (j.p[j.i] != ',')
            goto out;
        j.i++;
    }
    r = KK_OK;
out:
    return r;
}

/* ---- Requests ---- */

int guard_ctl_req_parse(const char *line, size_t len, struct guard_ctl_req *r,
                        struct kk_diag *d)
{
    struct guard_ctl_req q;
    int rc;

    memset(&q, 0, sizeof q);
    rc = guard_json_get_str(line, len, "verb", q.verb, sizeof q.verb);
    if (rc == KK_ERR_NOTFOUND) {
        kk_diag_set(d, "the request has no verb");
        rc = KK_ERR_INVAL;
        goto out;
    }
    if (rc != KK_OK) {
        kk_diag_set(d, "the request is not a JSON object with a verb");
        rc = KK_ERR_INVAL;
        goto out;
    }
    rc = guard_json_get_str(line, len, "address", q.address, sizeof q.address);
    if (rc == KK_ERR_NOTFOUND) {
        q.address[0] = '\0';
    } else if (rc != KK_OK) {
        kk_diag_set(d, "the address is not a short string");
        rc = KK_ERR_INVAL;
        goto out;
    }
    rc = KK_ERR_INVAL;
    if (strcmp(q.verb, "status") == 0) {
        rc = KK_OK;
    } else if (strcmp(q.verb, "unban") == 0 || strcmp(q.verb, "allow") == 0) {
        if (q.address[0] == '\0')
            kk_diag_set(d, "%s needs an address", q.verb);
        else
            rc = KK_OK;
    } else {
        kk_diag_set(d, "unknown verb");
    }
    if (rc == KK_OK)
        *r = q;
out:
    return rc;
}

int guard_ctl_path(const struct guard_conf *c, char *out, size_t cap)
{
    int r = KK_ERR_INVAL;
    int n;

    if (c->socket != NULL && c->socket[0] != '\0')
        n = snprintf(out, cap, "%s", c->socket);
    else if (c->state_dir != NULL && c->state_dir[0] != '\0')
        n = snprintf(out, cap, "%s/control.sock", c->state_dir);
    else
        goto out;
    r = (n > 0 && (size_t)n < cap) ? KK_OK : KK_ERR_TRUNC;
out:
    return r;
}

/* ---- Server ---- */

struct ctl_conn {
    int fd; /* -1: free slot */
    int64_t read_by, close_by;
    char in[GUARD_CTL_REQUEST_MAX + 1];
    size_t inlen;
    struct kk_buf *out; /* set once answered */
    size_t outoff;
};

struct guard_ctl_srv {
    int lfd, ep;
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    struct ctl_conn conns[GUARD_CTL_CONNS_MAX];
};

int guard_ctl_srv_new(const char *path, struct guard_ctl_srv **out,
                      struct kk_diag *d)
{
    struct guard_ctl_srv *s = NULL;
    struct sockaddr_un sa;
    struct epoll_event ev;
    struct stat st;
    mode_t old;
    int r = KK_ERR_NOMEM;

    s = calloc(1, sizeof *s);
    if (s == NULL)
        goto out;
    s->lfd = -1;
    s->ep = -1;
    for (size_t i = 0; i < GUARD_CTL_CONNS_MAX; i++)
        s->conns[i].fd = -1;
    r = KK_ERR_INVAL;
    if (strlen(path) >= sizeof s->path) {
        kk_diag_set(d, "control socket path too long: %s", path);
        goto out;
    }
    memcpy(s->path, path, strlen(path) + 1);
    r = KK_ERR_EXISTS;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            kk_diag_set(d, "%s exists and is not a socket", path);
            goto out;
        }
        /* A socket left by a daemon that did not stop cleanly; a live one
         * would be replaced too, so refuse when something answers. */
        {
            int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            bool live = false;
            memset(&sa, 0, sizeof sa);
            sa.sun_family = AF_UNIX;
            memcpy(sa.sun_path, path, strlen(path) + 1);
            if (probe >= 0 &&
                connect(probe, (struct sockaddr *)&sa, sizeof sa) == 0)
                live = true;
            if (probe >= 0)
                close(probe);
            if (live) {
                kk_diag_set(d, "another guard daemon listens on %s", path);
                goto out;
            }
        }
        if (unlink(path) != 0) {
            kk_diag_set(d, "cannot remove the stale socket %s: %s", path,
                        strerror(errno));
            goto out;
        }
    }
    r = KK_ERR_SYSTEM;
    s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->lfd < 0) {
        kk_diag_set(d, "socket: %s", strerror(errno));
        goto out;
    }
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    /* Created owner-only from the start: no window in which another user
     * could connect. */
    old = umask(0177);
    if (bind(s->lfd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        umask(old);
        kk_diag_set(d, "cannot bind %s: %s", path, strerror(errno));
        goto out;
    }
    umask(old);
    if (chmod(path, 0600) != 0 || listen(s->lfd, 16) != 0) {
        kk_diag_set(d, "cannot listen on %s: %s", path, strerror(errno));
        unlink(path);
        goto out;
    }
    s->ep = epoll_create1(EPOLL_CLOEXEC);
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.u32 = UINT32_MAX;
    if (s->ep < 0 || epoll_ctl(s->ep, EPOLL_CTL_ADD, s->lfd, &ev) != 0) {
        kk_diag_set(d, "epoll: %s", strerror(errno));
        unlink(path);
        goto out;
    }
    *out = s;
    s = NULL;
    r = KK_OK;
out:
    if (s != NULL) {
        if (s->lfd >= 0)
            close(s->lfd);
        if (s->ep >= 0)
            close(s->ep);
        free(s);
    }
    return r;
}

static void ctl_conn_close(struct guard_ctl_srv *s, struct ctl_conn *c)
{
    if (c->fd >= 0) {
        epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
    }
    c->fd = -1;
    c->inlen = 0;
    kk_buf_free(c->out);
    c->out = NULL;
    c->outoff = 0;
}

void guard_ctl_srv_free(struct guard_ctl_srv *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < GUARD_CTL_CONNS_MAX; i++)
        ctl_conn_close(s, &s->conns[i]);
    if (s->lfd >= 0) {
        close(s->lfd);
        unlink(s->path);
    }
    if (s->ep >= 0)
        close(s->ep);
    free(s);
}

int guard_ctl_srv_fd(const struct guard_ctl_srv *s)
{
    return s->ep;
}

/* Only root and the daemon's own user may ask it anything. */
static bool ctl_peer_ok(int fd)
{
    struct ucred cr;
    socklen_t l = sizeof cr;

    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &l) != 0)
        return false;
    return cr.uid == 0 || cr.uid == geteuid();
}

static void ctl_accept(struct guard_ctl_srv *s, int64_t now_ms)
{
    for (;;) {
        struct ctl_conn *c = NULL;
        struct epoll_event ev;
        int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            break;
        for (size_t i = 0; i < GUARD_CTL_CONNS_MAX && c == NULL; i++)
            if (s->conns[i].fd < 0)
                c = &s->conns[i];
        if (c == NULL || !ctl_peer_ok(fd)) {
            close(fd);
            continue;
        }
        memset(&ev, 0, sizeof ev);
        ev.events = EPOLLIN;
        ev.data.u32 = (uint32_t)(c - s->conns);
        if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
            close(fd);
            continue;
        }
        c->fd = fd;
        c->inlen = 0;
        c->read_by = now_ms + GUARD_CTL_READ_MS;
        c->close_by = now_ms + GUARD_CTL_CONN_MS;
    }
}

static void ctl_error(struct kk_buf *b, const char *msg)
{
    kk_buf_reset(b);
    if (kk_buf_puts(b, "{\"ok\":false,\"error\":") != KK_OK ||
        kk_json_str(b, msg) != KK_OK || kk_buf_puts(b, "}") != KK_OK)
        kk_buf_reset(b);
}

/* Builds the answer to the line in c->in (or the refusal, when set) and
 * starts writing it. */
static void ctl_answer(struct guard_ctl_srv *s, struct ctl_conn *c, size_t len,
                       const char *refusal, guard_ctl_fn fn, void *ctx)
{
    struct guard_ctl_req q;
    struct kk_diag d;
    struct epoll_event ev;

    kk_diag_clear(&d);
    c->out = kk_buf_new(GUARD_CTL_ANSWER_MAX);
    if (c->out == NULL) {
        ctl_conn_close(s, c);
        return;
    }
    if (refusal != NULL)
        ctl_error(c->out, refusal);
    else if (guard_ctl_req_parse(c->in, len, &q, &d) != KK_OK)
        ctl_error(c->out, d.msg);
    else
        fn(ctx, &q, c->out);
    if (kk_buf_len(c->out) == 0)
        ctl_error(c->out, "the answer could not be built");
    if (kk_buf_putc(c->out, '\n') != KK_OK) {
        ctl_conn_close(s, c);
        return;
    }
    c->outoff = 0;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLOUT;
    ev.data.u32 = (uint32_t)(c - s->conns);
    if (epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &ev) != 0)
        ctl_conn_close(s, c);
}

static void ctl_read(struct guard_ctl_srv *s, struct ctl_conn *c,
                     guard_ctl_fn fn, void *ctx)
{
    for (;;) {
        char *nl;
        ssize_t n;
        if (c->inlen >= GUARD_CTL_REQUEST_MAX) {
            ctl_answer(s, c, 0, "the request is too long", fn, ctx);
            return;
        }
        n = read(c->fd, c->in + c->inlen, GUARD_CTL_REQUEST_MAX - c->inlen);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n < 0) {
            ctl_conn_close(s, c);
            return;
        }
        if (n == 0) {
            /* The caller shut its side: what came is the request. */
            if (c->inlen == 0)
                ctl_conn_close(s, c);
            else
                ctl_answer(s, c, c->inlen, NULL, fn, ctx);
            return;
        }
        nl = memchr(c->in + c->inlen, '\n', (size_t)n);
        c->inlen += (size_t)n;
        if (nl != NULL) {
            ctl_answer(s, c, (size_t)(nl - c->in), NULL, fn, ctx);
            return;
        }
    }
}

static void ctl_write(struct guard_ctl_srv *s, struct ctl_conn *c)
{
    const uint8_t *p = kk_buf_data(c->out);
    size_t len = kk_buf_len(c->out);

    while (c->outoff < len) {
        ssize_t n = send(c->fd, p + c->outoff, len - c->outoff,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0)
            break;
        c->outoff += (size_t)n;
    }
    ctl_conn_close(s, c);
}

void guard_ctl_srv_step(struct guard_ctl_srv *s, int64_t now_ms,
                        guard_ctl_fn fn, void *ctx)
{
    struct epoll_event evs[GUARD_CTL_CONNS_MAX + 1];
    int n;

    /* Harvest the inner set so that it reports readiness afresh; every
     * slot is looked at below anyway (there are only a few). */
    n = epoll_wait(s->ep, evs, GUARD_CTL_CONNS_MAX + 1, 0);
    (void)n;
    ctl_accept(s, now_ms);
    for (size_t i = 0; i < GUARD_CTL_CONNS_MAX; i++) {
        struct ctl_conn *c = &s->conns[i];
        if (c->fd < 0)
            continue;
        if (c->out == NULL)
            ctl_read(s, c, fn, ctx);
        if (c->fd >= 0 && c->out != NULL)
            ctl_write(s, c);
        if (c->fd >= 0 &&
            (now_ms >= c->close_by || (c->out == NULL && now_ms >= c->read_by)))
            ctl_conn_close(s, c);
    }
}

/* ---- Client ---- */

static int64_t ctl_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for fd to be ready for events until deadline. */
static int ctl_wait(int fd, short events, int64_t deadline)
{
    struct pollfd pf = {fd, events, 0};
    int r = KK_ERR_TIMEOUT;

    for (;;) {
        int64_t left = deadline - ctl_now_ms();
        int n;
        if (left <= 0)
            break;
        n = poll(&pf, 1, (int)left);
        if (n > 0) {
            r = KK_OK;
            break;
        }
        if (n < 0 && errno != EINTR) {
            r = KK_ERR_SYSTEM;
            break;
        }
    }
    return r;
}

int guard_ctl(const struct guard_conf *c, const char *verb, const char *arg,
              struct kk_buf *reply, struct kk_diag *d)
{
    struct sockaddr_un sa;
    struct kk_buf *req = NULL;
    char path[sizeof sa.sun_path];
    char err[KK_DIAG_MAX];
    int64_t deadline = ctl_now_ms() + GUARD_CTL_CONN_MS + 5000;
    size_t start = kk_buf_len(reply), off = 0;
    bool ok = true;
    int fd = -1;
    int r;

    r = guard_ctl_path(c, path, sizeof path);
    if (r != KK_OK) {
        kk_diag_set(d, "no control socket path in the configuration");
        goto out;
    }
    r = KK_ERR_NOMEM;
    req = kk_buf_new(GUARD_CTL_REQUEST_MAX);
    if (req == NULL)
        goto out;
    r = kk_buf_puts(req, "{\"verb\":");
    if (r == KK_OK)
        r = kk_json_str(req, verb);
    if (r == KK_OK && arg != NULL) {
        r = kk_buf_puts(req, ",\"address\":");
        if (r == KK_OK)
            r = kk_json_str(req, arg);
    }
    if (r == KK_OK)
        r = kk_buf_puts(req, "}\n");
    if (r != KK_OK) {
        kk_diag_set(d, "the request is too long");
        goto out;
    }
    r = KK_ERR_SYSTEM;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        kk_diag_set(d, "socket: %s", strerror(errno));
        goto out;
    }
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        if (errno == ENOENT || errno == ECONNREFUSED || errno == ENOTDIR) {
            r = KK_ERR_NOTFOUND;
            kk_diag_set(d, "no guard daemon listens on %s", path);
        } else if (errno == EACCES || errno == EPERM) {
            r = KK_ERR_PERM;
            kk_diag_set(d, "%s: %s (run as root or the guard's user)", path,
                        strerror(errno));
        } else {
            kk_diag_set(d, "cannot connect to %s: %s", path, strerror(errno));
        }
        goto out;
    }
    while (off < kk_buf_len(req)) {
        ssize_t n = send(fd, kk_buf_data(req) + off, kk_buf_len(req) - off,
                         MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            kk_diag_set(d, "cannot send the request: %s", strerror(errno));
            goto out;
        }
        off += (size_t)n;
    }
    for (;;) {
        char buf[4096];
        ssize_t n;
        r = ctl_wait(fd, POLLIN, deadline);
        if (r != KK_OK) {
            kk_diag_set(d, "the daemon did not answer in time");
            goto out;
        }
        n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r = KK_ERR_IO;
            kk_diag_set(d, "cannot read the answer: %s", strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        if (kk_buf_len(reply) - start + (size_t)n > GUARD_CTL_ANSWER_MAX) {
            r = KK_ERR_LIMIT;
            kk_diag_set(d, "the daemon's answer is too long");
            goto out;
        }
        r = kk_buf_put(reply, buf, (size_t)n);
        if (r != KK_OK)
            goto out;
    }
    /* The answer is one line; the reader checks it as a JSON object. */
    while (kk_buf_len(reply) > start &&
           kk_buf_data(reply)[kk_buf_len(reply) - 1] == '\n')
        kk_buf_truncate(reply, kk_buf_len(reply) - 1);
    r = KK_ERR_PROTO;
    if (kk_buf_len(reply) == start) {
        kk_diag_set(d, "the daemon closed without answering");
        goto out;
    }
    if (guard_json_check(kk_buf_str(reply) + start,
                         kk_buf_len(reply) - start) != KK_OK) {
        kk_diag_set(d, "the daemon's answer is not JSON");
        goto out;
    }
    if (guard_json_get_bool(kk_buf_str(reply) + start,
                            kk_buf_len(reply) - start, "ok", &ok) != KK_OK)
        ok = true; /* "status" answers carry no "ok" */
    r = KK_OK;
    if (!ok) {
        r = KK_ERR_INVAL;
        if (guard_json_get_str(kk_buf_str(reply) + start,
                               kk_buf_len(reply) - start, "error", err,
                               sizeof err) == KK_OK)
            kk_diag_set(d, "%s", err);
        else
            kk_diag_set(d, "the daemon refused the request");
    }
out:
    if (fd >= 0)
        close(fd);
    kk_buf_free(req);
    return r;
}
