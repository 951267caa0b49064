/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run.c - the guard daemon (`kalkan guard run`): follows the logs, feeds
 * each line through its source and the engine, puts the engine's
 * decisions into effect through the privileged writer, answers the
 * control socket, keeps the state file and reports to the hub.
 *
 * One thread does the work, in one epoll loop over the follower's inotify
 * descriptor, a one-second timer, a signalfd and the control socket; a
 * second thread only posts reports to the hub, so that a slow or absent
 * hub never delays a ban.  Every loop turn sends the turn's decisions to
 * the writer as one batch, so a burst of attackers costs one netlink
 * transaction, and the time from a line reaching the file to the ban
 * being in the kernel is one wake-up, one read and one batch.
 *
 * Windows run on log time (the engine), but a ban's length in the
 * firewall is counted from the clock: a ban decided from an old line is
 * sent with what is left of it, and one already over is only logged.
 * Live bans are re-asserted every few minutes so that a set element never
 * times out before its decision does, whatever happened to the kernel's
 * copy (a ruleset reload, a writer restarted).
 *
 * Start-up order: state, writer (forked while still privileged), follower,
 * engine with the restored bans, re-assertion of those bans, control
 * socket, hub client (its token is read while still privileged); then
 * privileges are dropped to [guard] user, no_new_privs is set, and a
 * seccomp allowlist is installed when no hub is configured.  The trade-off
 * there: libcurl resolves names (NSS may load modules and read files we
 * cannot list ahead) and opens sockets of any family, and an allowlist
 * wide enough for that would add little, so with a hub the daemon relies
 * on the dropped user, no_new_privs and the privilege-separated writer.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <seccomp.h>

#include "ctl.h"
#include "guard_int.h"
#include "kalkan/report.h"

/* Sanitizer builds run without the seccomp filter: their runtime needs
 * calls at exit (a ptrace()ing leak checker) no filter should allow. */
#if defined(__SANITIZE_ADDRESS__)
#define RUN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RUN_ASAN 1
#endif
#endif

#define RUN_READ_BYTES (1024 * 1024) /* log bytes read per loop turn */
#define RUN_REQS_MAX 65536           /* requests gathered before a send */
#define RUN_EVENTS_MAX 10000         /* decisions waiting for the hub */
#define RUN_REPORT_EVENTS 1000       /* decisions in one report */
#define RUN_REPORT_MAX (1024 * 1024) /* bytes in one report */
#define RUN_REASSERT_S 300           /* live bans re-asserted this often */
#define RUN_REPEATS_S 60             /* repeat hits summarised this often */
#define RUN_HUB_ALLOW_MAX 64         /* office networks from the hub */
#define RUN_HUB_V4_MIN 16            /* shortest IPv4 prefix accepted */
#define RUN_HUB_V6_MIN 32            /* shortest IPv6 prefix accepted */
#define RUN_ALLOW_V4_MIN 8           /* shortest `guard allow` prefix */
#define RUN_ALLOW_V6_MIN 16
#define RUN_HUB_TIMEOUT_MS 10000 /* one report */
#define RUN_SPOOL_NAME "spool"

/* One decision on its way to the hub. */
struct run_event {
    int64_t at;
    bool ban;
    struct guard_ban b;
};

/* The reporting thread: the loop hands it one body at a time. */
struct run_hub {
    pthread_t th;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct report_client *rc;
    char path[256];
    /* a job: set by the loop, taken by the thread */
    char *body;
    size_t len;
    size_t nevents; /* events of the queue's head in the job */
    bool busy;      /* a job is out */
    bool done;      /* its result waits for the loop */
    bool quit;
    int result;
    struct kk_buf *reply;
    char diag[KK_DIAG_MAX];
};

struct run {
    const struct guard_conf *c;
    const struct guard_run_opts *o;
    struct guard_state st;
    bool have_state;
    int wfd, wpid;
    struct guard_follow *fol;
    struct guard_matcher *m;
    struct guard_engine *e;
    struct guard_source *src[GUARD_LOGS_MAX];
    struct guard_addrset *hub_allow;
    struct guard_ctl_srv *ctl;
    int ep, tfd, sfd;
    /* requests of this turn */
    struct guard_ban_req *reqs;
    size_t nreqs, capreqs;
    /* decisions for the hub: a ring */
    struct run_event *ev;
    size_t evhead, evn;
    uint64_t evdropped;
    struct run_hub hub;
    bool hub_on;
    /* bookkeeping */
    int64_t now; /* the clock, Unix seconds, of this turn */
    int64_t since;
    int64_t last_save, last_report, last_reassert, last_repeats;
    bool dirty;
    bool stop, reopen;
    bool running; /* started up: the state is ours to save */
    int err;      /* a failure that stops the loop */
    struct kk_diag *d;
    char host[256];
};

static int64_t run_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void run_time_text(int64_t t, char out[32])
{
    if (kk_format_time(t, out, 32) != KK_OK)
        snprintf(out, 32, "%" PRId64, t);
}

/* ---- Requests to the writer ---- */

static void run_req(struct run *r, uint32_t op, uint32_t timeout,
                    const struct guard_addr *a);

/* Sends the requests gathered so far as one batch. */
static void run_send(struct run *r)
{
    struct kk_diag d;
    int rc;

    if (r->nreqs == 0 || r->err != KK_OK)
        return;
    kk_diag_clear(&d);
    rc = guard_banner_send(r->wfd, r->reqs, r->nreqs, &d);
    if (rc == KK_ERR_PROTO || rc == KK_ERR_TIMEOUT) {
        kk_log(KK_LOG_ERROR, "the ban writer is gone: %s", d.msg);
        kk_diag_set(r->d, "the ban writer is gone: %s", d.msg);
        r->err = KK_ERR_SYSTEM;
    } else if (rc != KK_OK) {
        kk_log(KK_LOG_WARN, "the ban writer refused part of a batch: %s",
               d.msg[0] != '\0' ? d.msg : kk_strerror(rc));
    }
    r->nreqs = 0;
}

static void run_req(struct run *r, uint32_t op, uint32_t timeout,
                    const struct guard_addr *a)
{
    struct guard_ban_req *q;

    if (r->nreqs == RUN_REQS_MAX)
        run_send(r);
    if (r->nreqs == r->capreqs) {
        size_t cap = r->capreqs == 0 ? 64 : r->capreqs * 2;
        struct guard_ban_req *n;
        if (cap > RUN_REQS_MAX)
            cap = RUN_REQS_MAX;
        n = realloc(r->reqs, cap * sizeof *n);
        if (n == NULL) {
            /* Send what there is and try again with an empty list. */
            run_send(r);
            if (r->capreqs == 0)
                return;
        } else {
            r->reqs = n;
            r->capreqs = cap;
        }
    }
    q = &r->reqs[r->nreqs++];
    memset(q, 0, sizeof *q);
    q->op = op;
    q->timeout = timeout;
    if (a != NULL)
        q->addr = *a;
}

/* ADD for what is left of a ban; false when nothing is left. */
static bool run_req_ban(struct run *r, const struct guard_ban *b,
                        const struct guard_addr *key)
{
    int64_t left = b->until - r->now;

    if (left <= 0)
        return false;
    if (left > (int64_t)GUARD_TIMEOUT_MAX)
        left = GUARD_TIMEOUT_MAX;
    run_req(r, GUARD_OP_ADD, (uint32_t)left, key);
    return true;
}

/* ---- Decisions for the hub ---- */

static void run_event(struct run *r, bool ban, int64_t at,
                      const struct guard_ban *b)
{
    struct run_event *e;

    if (!r->hub_on)
        return;
    /* When full, the newest is dropped: the head may be out in a report
     * that has not come back. */
    if (r->evn == RUN_EVENTS_MAX) {
        r->evdropped++;
        return;
    }
    e = &r->ev[(r->evhead + r->evn) % RUN_EVENTS_MAX];
    e->at = at;
    e->ban = ban;
    e->b = *b;
    r->evn++;
}

/* ---- Engine callbacks ---- */

static void run_on_ban(void *ctx, const struct guard_ban *b,
                       const struct guard_addr *key)
{
    struct run *r = ctx;
    char until[32];

    run_time_text(b->until, until);
    if (run_req_ban(r, b, key))
        kk_log(KK_LOG_INFO,
               "ban %s rule %s hits %" PRIu32 " level %" PRIu32 " until %s",
               b->address, b->rule, b->hits, b->level, until);
    else
        kk_log(KK_LOG_INFO,
               "ban %s rule %s hits %" PRIu32 " until %s: already over "
               "(old lines), not sent",
               b->address, b->rule, b->hits, until);
    run_event(r, true, b->banned_at, b);
    r->dirty = true;
}

static void run_on_unban(void *ctx, const struct guard_ban *b,
                         const struct guard_addr *key)
{
    struct run *r = ctx;

    kk_log(KK_LOG_INFO, "unban %s rule %s", b->address, b->rule);
    run_req(r, GUARD_OP_DEL, 0, key);
    run_event(r, false, r->now, b);
    r->dirty = true;
}

static void run_on_repeat(void *ctx, const struct guard_addr *key,
                          uint64_t count)
{
    char a[GUARD_ADDR_TEXT_MAX];

    (void)ctx;
    if (guard_addr_format(key, a, sizeof a) == KK_OK)
        kk_log(KK_LOG_INFO, "%s: %" PRIu64 " more hits while banned", a, count);
}

static void run_on_reassert(void *ctx, const struct guard_ban *b,
                            const struct guard_addr *key)
{
    struct run *r = ctx;

    (void)run_req_ban(r, b, key);
}

/* ---- Lines ---- */

static bool run_allowed(const struct run *r, const struct guard_addr *a)
{
    return guard_addrset_contains(r->st.allow, a) ||
           guard_addrset_contains(r->hub_allow, a);
}

static void run_on_line(void *ctx, size_t log, const char *line, size_t len)
{
    struct run *r = ctx;
    struct guard_hit hits[GUARD_SOURCE_HITS];
    size_t n = 0;

    if (log >= r->c->nlogs || r->src[log] == NULL)
        return;
    guard_source_feed(r->src[log], r->m, r->c, line, len, NULL, hits, &n);
    for (size_t i = 0; i < n && i < GUARD_SOURCE_HITS; i++) {
        if (run_allowed(r, &hits[i].addr))
            continue;
        guard_engine_hit(r->e, &hits[i], run_on_ban, r);
    }
    r->dirty = true; /* positions moved */
}

/* ---- Lifting bans (unban, allow) ---- */

struct run_lift {
    struct run *r;
    const struct guard_addr *net;
    struct guard_ban *bans;
    struct guard_addr *keys;
    size_t n, cap;
    bool nomem;
};

static void run_lift_collect(void *ctx, const struct guard_ban *b,
                             const struct guard_addr *key)
{
    struct run_lift *l = ctx;

    if (!guard_addr_contains(l->net, key))
        return;
    if (l->n == l->cap) {
        size_t cap = l->cap == 0 ? 8 : l->cap * 2;
        struct guard_ban *nb = realloc(l->bans, cap * sizeof *nb);
        struct guard_addr *nk;
        if (nb == NULL) {
            l->nomem = true;
            return;
        }
        l->bans = nb;
        nk = realloc(l->keys, cap * sizeof *nk);
        if (nk == NULL) {
            l->nomem = true;
            return;
        }
        l->keys = nk;
        l->cap = cap;
    }
    l->bans[l->n] = *b;
    l->keys[l->n] = *key;
    l->n++;
}

/*
 * Lifts every live ban inside net (and the engine's counters there).
 * Returns the number of bans lifted, or -1 when nothing at all was held.
 */
static long run_lift(struct run *r, const struct guard_addr *net)
{
    struct run_lift l;
    long n = -1;

    memset(&l, 0, sizeof l);
    l.r = r;
    l.net = net;
    guard_engine_each_ban(r->e, run_lift_collect, &l);
    /* The engine's unban takes a key and lifts what lies inside it. */
    if (guard_engine_unban(r->e, net) == KK_OK || l.n > 0)
        n = 0;
    /* A ban whose key is wider than net (an IPv6 /64 asked for by one
     * host address) is lifted by its own key. */
    for (size_t i = 0; i < l.n; i++) {
        if (!guard_addr_eq(&l.keys[i], net))
            (void)guard_engine_unban(r->e, &l.keys[i]);
        kk_log(KK_LOG_INFO, "unban %s rule %s (asked)", l.bans[i].address,
               l.bans[i].rule);
        run_req(r, GUARD_OP_DEL, 0, &l.keys[i]);
        run_event(r, false, r->now, &l.bans[i]);
        n++;
    }
    free(l.bans);
    free(l.keys);
    r->dirty = true;
    return n;
}

/* Collects the bans whose key holds a (for "unban" of one host inside a
 * wider ban). */
struct run_holder {
    const struct guard_addr *a;
    struct guard_addr key;
    bool found;
};

static void run_holder_find(void *ctx, const struct guard_ban *b,
                            const struct guard_addr *key)
{
    struct run_holder *h = ctx;

    (void)b;
    if (!h->found && guard_addr_contains(key, h->a)) {
        h->key = *key;
        h->found = true;
    }
}

/* ---- The control socket ---- */

static int run_json_addrset(struct kk_buf *b, const struct guard_addrset *s,
                            bool *first)
{
    int rc = KK_OK;

    for (size_t i = 0; s != NULL && i < guard_addrset_count(s) && rc == KK_OK;
         i++) {
        char a[GUARD_ADDR_TEXT_MAX];
        if (guard_addr_format(guard_addrset_at(s, i), a, sizeof a) != KK_OK)
            continue;
        if (!*first)
            rc = kk_buf_putc(b, ',');
        *first = false;
        if (rc == KK_OK)
            rc = kk_json_str(b, a);
    }
    return rc;
}

struct run_status {
    struct kk_buf *b;
    size_t n;
    int rc;
};

static void run_status_ban(void *ctx, const struct guard_ban *b,
                           const struct guard_addr *key)
{
    struct run_status *s = ctx;
    char first[32], at[32], until[32];

    (void)key;
    if (s->rc != KK_OK || s->n >= GUARD_CTL_BANS_MAX)
        return;
    run_time_text(b->first, first);
    run_time_text(b->banned_at, at);
    run_time_text(b->until, until);
    s->rc = kk_buf_puts(s->b, s->n == 0 ? "{\"address\":" : ",{\"address\":");
    if (s->rc == KK_OK)
        s->rc = kk_json_str(s->b, b->address);
    if (s->rc == KK_OK)
        s->rc = kk_buf_puts(s->b, ",\"rule\":");
    if (s->rc == KK_OK)
        s->rc = kk_json_str(s->b, b->rule);
    if (s->rc == KK_OK)
        s->rc = kk_buf_putf(s->b,
                            ",\"hits\":%" PRIu32 ",\"first\":\"%s\","
                            "\"banned_at\":\"%s\",\"until\":\"%s\","
                            "\"level\":%" PRIu32 "}",
                            b->hits, first, at, until, b->level);
    s->n++;
}

static const char *run_backend_name(enum guard_backend b)
{
    switch (b) {
    case GUARD_BACKEND_NFT:
        return "nft";
    case GUARD_BACKEND_FILE:
        return "file";
    case GUARD_BACKEND_NONE:
    default:
        return "none";
    }
}

static int run_status(struct run *r, struct kk_buf *b)
{
    struct guard_engine_stats es;
    struct run_status s;
    char since[32];
    bool first = true;
    int rc;

    guard_engine_stats(r->e, &es);
    run_time_text(r->since, since);
    rc = kk_buf_putf(b, "{\"running\":true,\"since\":\"%s\",\"logs\":[", since);
    for (size_t i = 0; i < r->c->nlogs && rc == KK_OK; i++) {
        struct guard_source_counts n;
        struct guard_pos p;
        guard_source_counts(r->src[i], &n);
        guard_follow_pos(r->fol, i, &p);
        rc = kk_buf_puts(b, i == 0 ? "{\"path\":" : ",{\"path\":");
        if (rc == KK_OK)
            rc = kk_json_str(b, r->c->logs[i].path);
        if (rc == KK_OK)
            rc = kk_buf_putf(b,
                             ",\"format\":\"%s\",\"lines\":%" PRIu64
                             ",\"matched\":%" PRIu64 ",\"unparsed\":%" PRIu64
                             ",\"offset\":%" PRIu64 "}",
                             guard_fmt_name(guard_source_fmt(r->src[i])),
                             n.lines, n.matched, n.unparsed, p.offset);
    }
    if (rc == KK_OK)
        rc = kk_buf_putf(b,
                         "],\"tracked\":%zu,\"banned\":%zu,\"evicted\":%" PRIu64
                         ",\"bans\":[",
                         es.tracked, es.banned, es.evicted);
    memset(&s, 0, sizeof s);
    s.b = b;
    s.rc = rc;
    if (rc == KK_OK)
        guard_engine_each_ban(r->e, run_status_ban, &s);
    rc = s.rc;
    if (rc == KK_OK)
        rc = kk_buf_puts(b, "],\"allow\":[");
    if (rc == KK_OK)
        rc = run_json_addrset(b, r->c->allow, &first);
    if (rc == KK_OK)
        rc = run_json_addrset(b, r->st.allow, &first);
    if (rc == KK_OK)
        rc = run_json_addrset(b, r->hub_allow, &first);
    if (rc == KK_OK)
        rc = kk_buf_putf(b, "],\"backend\":\"%s\"",
                         run_backend_name(r->c->backend));
    if (rc == KK_OK && r->hub_on)
        rc = kk_buf_putf(b, ",\"hub_waiting\":%zu,\"hub_dropped\":%" PRIu64,
                         r->evn, r->evdropped);
    if (rc == KK_OK)
        rc = kk_buf_puts(b, "}");
    return rc;
}

static void run_ctl_ok(struct kk_buf *b, const char *addr, long lifted)
{
    if (kk_buf_puts(b, "{\"ok\":true,\"address\":") != KK_OK ||
        kk_json_str(b, addr) != KK_OK ||
        kk_buf_putf(b, ",\"lifted\":%ld}", lifted) != KK_OK)
        kk_buf_reset(b);
}

static void run_ctl_fail(struct kk_buf *b, const char *msg)
{
    kk_buf_reset(b);
    if (kk_buf_puts(b, "{\"ok\":false,\"error\":") != KK_OK ||
        kk_json_str(b, msg) != KK_OK || kk_buf_puts(b, "}") != KK_OK)
        kk_buf_reset(b);
}

static void run_ctl_unban(struct run *r, const char *arg, struct kk_buf *b)
{
    struct guard_addr a;
    struct run_holder h;
    char text[GUARD_ADDR_TEXT_MAX];
    long n;

    if (guard_addr_parse_prefix(arg, strlen(arg), &a) != KK_OK) {
        run_ctl_fail(b, "not an address or prefix");
        return;
    }
    /* One host inside a wider ban (an IPv6 /64): lift that ban. */
    memset(&h, 0, sizeof h);
    h.a = &a;
    guard_engine_each_ban(r->e, run_holder_find, &h);
    n = run_lift(r, h.found ? &h.key : &a);
    run_send(r);
    if (guard_addr_format(h.found ? &h.key : &a, text, sizeof text) != KK_OK)
        text[0] = '\0';
    if (n < 0) {
        char msg[128];
        snprintf(msg, sizeof msg, "%s is not banned", text);
        run_ctl_fail(b, msg);
        return;
    }
    run_ctl_ok(b, text, n);
}

static void run_ctl_allow(struct run *r, const char *arg, struct kk_buf *b)
{
    struct guard_addr a;
    char text[GUARD_ADDR_TEXT_MAX];
    long n;

    if (guard_addr_parse_prefix(arg, strlen(arg), &a) != KK_OK) {
        run_ctl_fail(b, "not an address or prefix");
        return;
    }
    if ((a.family == 4 && a.plen < RUN_ALLOW_V4_MIN) ||
        (a.family == 6 && a.plen < RUN_ALLOW_V6_MIN)) {
        run_ctl_fail(b, "prefix too wide (at least /8 for IPv4, /16 for "
                        "IPv6)");
        return;
    }
    if (guard_addrset_add(r->st.allow, &a) != KK_OK) {
        run_ctl_fail(b, "the allowlist is full");
        return;
    }
    n = run_lift(r, &a);
    run_send(r);
    if (guard_addr_format(&a, text, sizeof text) != KK_OK)
        text[0] = '\0';
    kk_log(KK_LOG_INFO, "allow %s (asked)", text);
    r->dirty = true;
    run_ctl_ok(b, text, n < 0 ? 0 : n);
}

static void run_on_ctl(void *ctx, const struct guard_ctl_req *q,
                       struct kk_buf *b)
{
    struct run *r = ctx;

    r->now = time(NULL);
    if (strcmp(q->verb, "status") == 0) {
        if (run_status(r, b) != KK_OK)
            run_ctl_fail(b, "the status is too large");
    } else if (strcmp(q->verb, "unban") == 0) {
        run_ctl_unban(r, q->address, b);
    } else if (strcmp(q->verb, "allow") == 0) {
        run_ctl_allow(r, q->address, b);
    } else {
        run_ctl_fail(b, "unknown verb");
    }
}

/* ---- State ---- */

struct run_collect {
    struct guard_state *s;
    size_t cap;
    bool nomem;
};

static void run_collect_ban(void *ctx, const struct guard_ban *b,
                            const struct guard_addr *key)
{
    struct run_collect *c = ctx;

    (void)key;
    if (c->nomem)
        return;
    if (c->s->nbans == c->cap) {
        size_t cap = c->cap == 0 ? 64 : c->cap * 2;
        struct guard_ban *n = realloc(c->s->bans, cap * sizeof *n);
        if (n == NULL) {
            c->nomem = true;
            return;
        }
        c->s->bans = n;
        c->cap = cap;
    }
    c->s->bans[c->s->nbans++] = *b;
}

static void run_collect_hist(void *ctx, const struct guard_addr *key,
                             uint32_t bans, int64_t last)
{
    struct run_collect *c = ctx;

    if (c->nomem)
        return;
    if (c->s->nhist == c->cap) {
        size_t cap = c->cap == 0 ? 64 : c->cap * 2;
        struct guard_state_hist *n = realloc(c->s->hist, cap * sizeof *n);
        if (n == NULL) {
            c->nomem = true;
            return;
        }
        c->s->hist = n;
        c->cap = cap;
    }
    c->s->hist[c->s->nhist].key = *key;
    c->s->hist[c->s->nhist].bans = bans;
    c->s->hist[c->s->nhist].last = last;
    c->s->nhist++;
}

/* Writes the state file from the follower and the engine. */
static void run_save(struct run *r)
{
    struct run_collect c;
    struct kk_diag d;
    int rc;

    free(r->st.bans);
    free(r->st.hist);
    r->st.bans = NULL;
    r->st.hist = NULL;
    r->st.nbans = 0;
    r->st.nhist = 0;
    for (size_t i = 0; i < r->c->nlogs; i++) {
        guard_follow_pos(r->fol, i, &r->st.pos[i]);
        r->st.have_pos[i] = r->st.pos[i].dev != 0 || r->st.pos[i].ino != 0;
    }
    memset(&c, 0, sizeof c);
    c.s = &r->st;
    guard_engine_each_ban(r->e, run_collect_ban, &c);
    c.cap = 0;
    guard_engine_each_history(r->e, run_collect_hist, &c);
    if (c.nomem) {
        kk_log(KK_LOG_ERROR, "cannot save the state: out of memory");
        return;
    }
    kk_diag_clear(&d);
    rc = guard_state_save(r->c, &r->st, &d);
    if (rc != KK_OK)
        kk_log(KK_LOG_ERROR, "cannot save the state: %s",
               d.msg[0] != '\0' ? d.msg : kk_strerror(rc));
    else
        r->dirty = false;
    r->last_save = r->now;
}

/* ---- The hub ---- */

static void *run_hub_main(void *arg)
{
    struct run_hub *h = arg;

    pthread_mutex_lock(&h->mu);
    for (;;) {
        struct kk_diag d;
        char *body;
        size_t len;
        int rc;
        while (!h->quit && (h->body == NULL || h->done))
            pthread_cond_wait(&h->cv, &h->mu);
        if (h->quit)
            break;
        body = h->body;
        len = h->len;
        pthread_mutex_unlock(&h->mu);
        kk_diag_clear(&d);
        kk_buf_reset(h->reply);
        rc = report_post(h->rc, h->path, body, len, h->reply, &d);
        pthread_mutex_lock(&h->mu);
        free(h->body);
        h->body = NULL;
        h->result = rc;
        memcpy(h->diag, d.msg, sizeof h->diag);
        h->done = true;
        pthread_cond_broadcast(&h->cv);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

static int run_json_event(struct kk_buf *b, const struct run_event *e,
                          bool first)
{
    char at[32], fst[32], until[32];
    int rc;

    run_time_text(e->at, at);
    run_time_text(e->b.first, fst);
    run_time_text(e->b.until, until);
    rc = kk_buf_putf(b, "%s{\"at\":\"%s\",\"kind\":\"%s\",\"address\":",
                     first ? "" : ",", at, e->ban ? "ban" : "unban");
    if (rc == KK_OK)
        rc = kk_json_str(b, e->b.address);
    if (rc == KK_OK)
        rc = kk_buf_puts(b, ",\"rule\":");
    if (rc == KK_OK)
        rc = kk_json_str(b, e->b.rule);
    if (rc == KK_OK)
        rc = kk_buf_putf(b,
                         ",\"hits\":%" PRIu32 ",\"first\":\"%s\","
                         "\"until\":\"%s\",\"level\":%" PRIu32 "}",
                         e->b.hits, fst, until, e->b.level);
    return rc;
}

/* The report of the contract: counters and the head of the queue. */
static int run_report_body(struct run *r, struct kk_buf *b, size_t *nev)
{
    struct guard_engine_stats es;
    uint64_t lines = 0, matched = 0;
    char since[32], now[32];
    size_t n = r->evn < RUN_REPORT_EVENTS ? r->evn : RUN_REPORT_EVENTS;
    int rc;

    guard_engine_stats(r->e, &es);
    for (size_t i = 0; i < r->c->nlogs; i++) {
        struct guard_source_counts c;
        guard_source_counts(r->src[i], &c);
        lines += c.lines;
        matched += c.matched;
    }
    run_time_text(r->since, since);
    run_time_text(r->now, now);
    rc = kk_buf_puts(b, "{\"host\":");
    if (rc == KK_OK)
        rc = kk_json_str(b, r->host);
    if (rc == KK_OK)
        rc = kk_buf_putf(b,
                         ",\"version\":\"%s\",\"started_at\":\"%s\","
                         "\"sent_at\":\"%s\",\"lines\":%" PRIu64
                         ",\"matched\":%" PRIu64 ",\"tracked\":%zu,"
                         "\"banned\":%zu,\"events\":[",
                         KK_VERSION, since, now, lines, matched, es.tracked,
                         es.banned);
    for (size_t i = 0; i < n && rc == KK_OK; i++)
        rc =
            run_json_event(b, &r->ev[(r->evhead + i) % RUN_EVENTS_MAX], i == 0);
    if (rc == KK_OK)
        rc = kk_buf_puts(b, "]}");
    if (rc == KK_OK)
        *nev = n;
    return rc;
}

struct run_allow_list {
    struct guard_addrset *set;
    size_t n, refused;
};

static void run_hub_allow_one(void *ctx, const char *s)
{
    struct run_allow_list *l = ctx;
    struct guard_addr a;

    if (l->n >= RUN_HUB_ALLOW_MAX ||
        guard_addr_parse_prefix(s, strlen(s), &a) != KK_OK ||
        (a.family == 4 && a.plen < RUN_HUB_V4_MIN) ||
        (a.family == 6 && a.plen < RUN_HUB_V6_MIN) ||
        guard_addrset_add(l->set, &a) != KK_OK) {
        l->refused++;
        return;
    }
    l->n++;
}

/* Applies the hub's "allow" list: it replaces the previous one. */
static void run_hub_allow(struct run *r, const char *reply, size_t len)
{
    struct run_allow_list l;
    int rc;

    memset(&l, 0, sizeof l);
    l.set = guard_addrset_new();
    if (l.set == NULL)
        return;
    rc = guard_json_each_str(reply, len, "allow", run_hub_allow_one, &l);
    if (rc == KK_ERR_NOTFOUND) {
        guard_addrset_free(l.set);
        return;
    }
    if (rc != KK_OK) {
        kk_log(KK_LOG_WARN, "the hub's answer is not understood; its "
                            "office networks are left as they were");
        guard_addrset_free(l.set);
        return;
    }
    if (l.refused > 0)
        kk_log(KK_LOG_WARN,
               "%zu office networks from the hub refused (too wide, "
               "malformed or more than %d)",
               l.refused, RUN_HUB_ALLOW_MAX);
    guard_addrset_free(r->hub_allow);
    r->hub_allow = l.set;
    for (size_t i = 0; i < guard_addrset_count(r->hub_allow); i++)
        (void)run_lift(r, guard_addrset_at(r->hub_allow, i));
}

/* Pops the events a finished report carried, or keeps them. */
static void run_hub_result(struct run *r)
{
    struct run_hub *h = &r->hub;
    size_t n = h->nevents;
    int rc = h->result;

    if (rc == KK_OK || rc == KK_ERR_IO || rc == KK_ERR_AUTH ||
        rc == KK_ERR_INVAL) {
        /* Delivered, spooled by the client, or refused: done with. */
        r->evhead = (r->evhead + n) % RUN_EVENTS_MAX;
        r->evn -= n;
    }
    if (rc == KK_OK) {
        run_hub_allow(r, kk_buf_str(h->reply), kk_buf_len(h->reply));
    } else if (rc == KK_ERR_INVAL) {
        kk_log(KK_LOG_WARN,
               "the hub refused a report (%zu decisions "
               "dropped): %s",
               n, h->diag);
    } else {
        kk_log(KK_LOG_WARN, "report not delivered (kept for later): %s",
               h->diag[0] != '\0' ? h->diag : kk_strerror(rc));
    }
    h->busy = false;
    h->done = false;
}

/* Hands a report to the thread when none is out; collects a result. */
static void run_hub_step(struct run *r, bool post)
{
    struct run_hub *h = &r->hub;
    struct kk_buf *b = NULL;
    size_t nev = 0;

    if (!r->hub_on)
        return;
    pthread_mutex_lock(&h->mu);
    if (h->busy && h->done)
        run_hub_result(r);
    if (!post || h->busy)
        goto out;
    b = kk_buf_new(RUN_REPORT_MAX);
    if (b == NULL || run_report_body(r, b, &nev) != KK_OK) {
        kk_log(KK_LOG_WARN, "cannot build a report");
        goto out;
    }
    h->body = (char *)kk_buf_take(b, &h->len);
    if (h->body == NULL)
        goto out;
    h->nevents = nev;
    h->busy = true;
    h->done = false;
    pthread_cond_broadcast(&h->cv);
    r->last_report = r->now;
out:
    pthread_mutex_unlock(&h->mu);
    kk_buf_free(b);
}

/* Waits for the report that is out (at stop, and with --once). */
static void run_hub_wait(struct run *r)
{
    struct run_hub *h = &r->hub;

    if (!r->hub_on)
        return;
    pthread_mutex_lock(&h->mu);
    while (h->busy && !h->done)
        pthread_cond_wait(&h->cv, &h->mu);
    if (h->busy && h->done)
        run_hub_result(r);
    pthread_mutex_unlock(&h->mu);
}

static int run_hub_start(struct run *r)
{
    struct run_hub *h = &r->hub;
    struct report_opts ro;
    char spool[4096];
    int rc = KK_OK;
    int n;

    if (r->c->hub_url == NULL || r->c->hub_url[0] == '\0')
        goto out;
    rc = KK_ERR_INVAL;
    if (r->c->hub_website == NULL || r->c->hub_token_file == NULL) {
        kk_diag_set(r->d, "[hub] needs website and token_file");
        goto out;
    }
    n = snprintf(h->path, sizeof h->path, "/api/v1/websites/%s/guard",
                 r->c->hub_website);
    if (n < 0 || (size_t)n >= sizeof h->path) {
        kk_diag_set(r->d, "[hub] website is too long");
        goto out;
    }
    n = snprintf(spool, sizeof spool, "%s/%s", r->c->state_dir, RUN_SPOOL_NAME);
    if (n < 0 || (size_t)n >= sizeof spool) {
        kk_diag_set(r->d, "the state directory's name is too long");
        goto out;
    }
    memset(&ro, 0, sizeof ro);
    ro.url = r->c->hub_url;
    ro.token_file = r->c->hub_token_file;
    ro.ca_file = r->c->hub_ca_file;
    ro.spool_dir = spool;
    ro.timeout_ms = RUN_HUB_TIMEOUT_MS;
    rc = report_client_new(&ro, &h->rc, r->d);
    if (rc != KK_OK)
        goto out;
    rc = KK_ERR_NOMEM;
    h->reply = kk_buf_new(REPORT_BODY_MAX);
    r->ev = calloc(RUN_EVENTS_MAX, sizeof *r->ev);
    if (h->reply == NULL || r->ev == NULL)
        goto out;
    rc = KK_ERR_SYSTEM;
    if (pthread_create(&h->th, NULL, run_hub_main, h) != 0) {
        kk_diag_set(r->d, "cannot start the reporting thread");
        goto out;
    }
    h->started = true;
    r->hub_on = true;
    rc = KK_OK;
out:
    return rc;
}

static void run_hub_stop(struct run *r)
{
    struct run_hub *h = &r->hub;

    if (h->started) {
        pthread_mutex_lock(&h->mu);
        h->quit = true;
        pthread_cond_broadcast(&h->cv);
        pthread_mutex_unlock(&h->mu);
        pthread_join(h->th, NULL);
        h->started = false;
    }
    free(h->body);
    h->body = NULL;
    report_client_free(h->rc);
    h->rc = NULL;
    kk_buf_free(h->reply);
    h->reply = NULL;
}

/* ---- Start-up ---- */

static int run_load_state(struct run *r)
{
    struct kk_diag d;
    int rc;

    kk_diag_clear(&d);
    rc = guard_state_load(r->c, &r->st, &d);
    if (rc == KK_ERR_CORRUPT || rc == KK_ERR_LIMIT) {
        char from[4096], to[4096];
        int a = snprintf(from, sizeof from, "%s/state", r->c->state_dir);
        int b = snprintf(to, sizeof to, "%s/state.damaged", r->c->state_dir);
        /* Better to start fresh (logs are read again from their start,
         * bans decided again on log time) than not to guard at all; the
         * damaged file is kept for a look. */
        kk_log(KK_LOG_ERROR,
               "the state file is damaged (%s); kept as "
               "state.damaged, starting afresh",
               d.msg);
        if (a > 0 && (size_t)a < sizeof from && b > 0 && (size_t)b < sizeof to)
            (void)rename(from, to);
        memset(&r->st, 0, sizeof r->st);
        r->st.allow = guard_addrset_new();
        rc = r->st.allow != NULL ? KK_OK : KK_ERR_NOMEM;
    } else if (rc != KK_OK) {
        kk_diag_set(r->d, "cannot read the state: %s",
                    d.msg[0] != '\0' ? d.msg : kk_strerror(rc));
    }
    if (rc == KK_OK)
        r->have_state = true;
    return rc;
}

static int run_restore(struct run *r)
{
    size_t restored = 0, expired = 0;
    int rc = KK_OK;

    for (size_t i = 0; i < r->st.nhist && rc == KK_OK; i++)
        rc = guard_engine_restore_history(
            r->e, &r->st.hist[i].key, r->st.hist[i].bans, r->st.hist[i].last);
    for (size_t i = 0; i < r->st.nbans && rc == KK_OK; i++) {
        if (r->st.bans[i].until <= r->now) {
            expired++;
            continue;
        }
        rc = guard_engine_restore(r->e, &r->st.bans[i]);
        if (rc == KK_OK)
            restored++;
    }
    if (rc != KK_OK) {
        kk_diag_set(r->d, "cannot restore the bans: %s", kk_strerror(rc));
        goto out;
    }
    /* One batch, whatever the number. */
    guard_engine_each_ban(r->e, run_on_reassert, r);
    run_send(r);
    rc = r->err;
    if (restored + expired > 0)
        kk_log(KK_LOG_INFO, "%zu bans restored, %zu over while stopped",
               restored, expired);
    r->last_reassert = r->now;
out:
    return rc;
}

static int run_sources(struct run *r)
{
    int rc = KK_OK;

    for (size_t i = 0; i < r->c->nlogs && rc == KK_OK; i++) {
        rc = guard_source_new(r->c->logs[i].fmt, r->now, r->c->logs[i].path,
                              &r->src[i]);
        if (rc != KK_OK)
            kk_diag_set(r->d, "%s: %s", r->c->logs[i].path, kk_strerror(rc));
    }
    return rc;
}

static int run_epoll_add(struct run *r, int fd, uint32_t tag)
{
    struct epoll_event ev;
    int rc = KK_OK;

    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.u32 = tag;
    if (epoll_ctl(r->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        kk_diag_set(r->d, "epoll: %s", strerror(errno));
        rc = KK_ERR_SYSTEM;
    }
    return rc;
}

enum { RUN_T_FOLLOW = 1, RUN_T_TIMER, RUN_T_SIGNAL, RUN_T_CTL };

static int run_events(struct run *r, sigset_t *old)
{
    struct itimerspec its;
    sigset_t set;
    int rc = KK_ERR_SYSTEM;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGCHLD);
    if (pthread_sigmask(SIG_BLOCK, &set, old) != 0) {
        kk_diag_set(r->d, "cannot block signals");
        goto out;
    }
    r->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    r->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    r->ep = epoll_create1(EPOLL_CLOEXEC);
    if (r->sfd < 0 || r->tfd < 0 || r->ep < 0) {
        kk_diag_set(r->d, "cannot set up the event loop: %s", strerror(errno));
        goto out;
    }
    memset(&its, 0, sizeof its);
    its.it_value.tv_sec = 1;
    its.it_interval.tv_sec = 1;
    if (timerfd_settime(r->tfd, 0, &its, NULL) != 0) {
        kk_diag_set(r->d, "timerfd: %s", strerror(errno));
        goto out;
    }
    rc = run_epoll_add(r, r->sfd, RUN_T_SIGNAL);
    if (rc == KK_OK)
        rc = run_epoll_add(r, r->tfd, RUN_T_TIMER);
    if (rc == KK_OK)
        rc = run_epoll_add(r, guard_follow_fd(r->fol), RUN_T_FOLLOW);
    if (rc == KK_OK)
        rc = run_epoll_add(r, guard_ctl_srv_fd(r->ctl), RUN_T_CTL);
out:
    return rc;
}

/* Hands the state directory and the socket to the user the daemon is
 * about to become, so it can keep writing and unlink at stop. */
static int run_chown(struct run *r, const char *path, uid_t uid, gid_t gid)
{
    int rc = KK_OK;

    if (lchown(path, uid, gid) != 0 && errno != ENOENT) {
        kk_diag_set(r->d, "cannot hand %s to the guard's user: %s", path,
                    strerror(errno));
        rc = KK_ERR_SYSTEM;
    }
    return rc;
}

static int run_drop(struct run *r, const char *sock)
{
    struct passwd *pw;
    char p[4096];
    uid_t uid;
    gid_t gid;
    int rc = KK_OK;
    int n;

    if (geteuid() != 0 || r->c->user == NULL || r->c->user[0] == '\0')
        goto out;
    rc = KK_ERR_SYSTEM;
    errno = 0;
    pw = getpwnam(r->c->user);
    if (pw == NULL) {
        kk_diag_set(r->d, "no user %s on this system", r->c->user);
        goto out;
    }
    uid = pw->pw_uid;
    gid = pw->pw_gid;
    if (uid == 0) {
        kk_diag_set(r->d, "[guard] user must not be root");
        goto out;
    }
    rc = run_chown(r, r->c->state_dir, uid, gid);
    n = snprintf(p, sizeof p, "%s/state", r->c->state_dir);
    if (rc == KK_OK && n > 0 && (size_t)n < sizeof p)
        rc = run_chown(r, p, uid, gid);
    n = snprintf(p, sizeof p, "%s/%s", r->c->state_dir, RUN_SPOOL_NAME);
    if (rc == KK_OK && n > 0 && (size_t)n < sizeof p)
        rc = run_chown(r, p, uid, gid);
    if (rc == KK_OK)
        rc = run_chown(r, sock, uid, gid);
    if (rc != KK_OK)
        goto out;
    rc = KK_ERR_SYSTEM;
    if (initgroups(pw->pw_name, gid) != 0 || setgid(gid) != 0 ||
        setuid(uid) != 0) {
        kk_diag_set(r->d, "cannot become %s: %s", r->c->user, strerror(errno));
        goto out;
    }
    /* Verify: all ids are the user's, and root cannot be had back. */
    if (getuid() != uid || geteuid() != uid || getgid() != gid ||
        getegid() != gid || setuid(0) == 0 || seteuid(0) == 0) {
        kk_diag_set(r->d, "privileges were not dropped to %s", r->c->user);
        goto out;
    }
    kk_log(KK_LOG_INFO, "running as %s", r->c->user);
    rc = KK_OK;
out:
    return rc;
}

/*
 * The loop's system calls, one a line with the reason; anything else
 * kills the process.  Checked by the daemon's integration tests, which
 * run every path (follow, rotate, ban, unban, allow, save, stop).
 */
static const int run_syscalls[] = {
    SCMP_SYS(epoll_wait),        /* the loop */
    SCMP_SYS(epoll_pwait),       /* the loop (newer glibc) */
    SCMP_SYS(epoll_ctl),         /* reopened logs, control connections */
    SCMP_SYS(epoll_create1),     /* SIGHUP: a new follower */
    SCMP_SYS(inotify_init1),     /* SIGHUP: a new follower */
    SCMP_SYS(inotify_add_watch), /* logs and their directories */
    SCMP_SYS(inotify_rm_watch),  /* rotated logs */
    SCMP_SYS(read),              /* logs, inotify, timer, signals */
    SCMP_SYS(pread64),           /* the last line's hash on resume */
    SCMP_SYS(lseek),             /* log positions */
    SCMP_SYS(openat),            /* rotated logs, the state file */
    SCMP_SYS(close),             /* the same */
    SCMP_SYS(fstat),             /* identity of a log */
    SCMP_SYS(newfstatat),        /* rotation, truncation, localtime */
    SCMP_SYS(statx),             /* the same (newer glibc) */
    SCMP_SYS(write),             /* the state file, stderr */
    SCMP_SYS(writev),            /* stderr */
    SCMP_SYS(fsync),             /* the state file */
    SCMP_SYS(fdatasync),         /* the state file */
    SCMP_SYS(fchmod),            /* the state file's mode */
    SCMP_SYS(rename),            /* the state file, atomically */
    SCMP_SYS(renameat),          /* the same */
    SCMP_SYS(renameat2),         /* the same */
    SCMP_SYS(unlink),            /* a failed temporary, the socket */
    SCMP_SYS(unlinkat),          /* the same */
    SCMP_SYS(mkdir),             /* the state directory */
    SCMP_SYS(getdents64),        /* a log's directory */
    SCMP_SYS(getrandom),         /* temporary names, hash seeds */
    SCMP_SYS(accept4),           /* control connections */
    SCMP_SYS(getsockopt),        /* the caller's uid */
    SCMP_SYS(sendto),            /* writer requests, answers, syslog */
    SCMP_SYS(recvfrom),          /* the writer's answer */
    SCMP_SYS(sendmsg),           /* writer requests */
    SCMP_SYS(recvmsg),           /* the writer's answer */
    SCMP_SYS(poll),              /* waiting for the writer */
    SCMP_SYS(ppoll),             /* the same */
    SCMP_SYS(wait4),             /* the writer at stop */
    SCMP_SYS(kill),              /* the writer, if it hangs at stop */
    SCMP_SYS(brk),               /* malloc */
    SCMP_SYS(munmap),            /* free */
    SCMP_SYS(mremap),            /* realloc */
    SCMP_SYS(madvise),           /* free */
    SCMP_SYS(futex),             /* glibc locks */
    SCMP_SYS(clock_gettime),     /* the clock (no vDSO) */
    SCMP_SYS(gettimeofday),      /* the same */
    SCMP_SYS(time),              /* the same */
    SCMP_SYS(getpid),            /* syslog's LOG_PID */
    SCMP_SYS(gettid),            /* glibc */
    SCMP_SYS(rt_sigprocmask),    /* glibc */
    SCMP_SYS(rt_sigreturn),      /* signals */
    SCMP_SYS(restart_syscall),   /* after SIGSTOP/SIGCONT */
    SCMP_SYS(exit_group),        /* the end */
    SCMP_SYS(exit),              /* the end of a thread */
};

static int run_seccomp(struct run *r)
{
    scmp_filter_ctx ctx = NULL;
    int rc = KK_OK;
    int e = 0;

#ifdef RUN_ASAN
    kk_log(KK_LOG_INFO, "no seccomp filter in a sanitizer build");
    goto out;
#endif
    if (r->hub_on) {
        kk_log(KK_LOG_INFO, "no seccomp filter while reporting to a hub "
                            "(the HTTP client's calls cannot be listed)");
        goto out;
    }
    rc = KK_ERR_SYSTEM;
    ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    if (ctx == NULL) {
        kk_diag_set(r->d, "seccomp: cannot create a filter");
        goto out;
    }
    e = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    for (size_t i = 0; e == 0 && i < sizeof run_syscalls / sizeof(int); i++)
        e = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, run_syscalls[i], 0);
    /* Memory, never code. */
    if (e == 0)
        e = seccomp_rule_add(
            ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
            (struct scmp_arg_cmp){2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0});
    if (e == 0)
        e = seccomp_rule_add(
            ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
            (struct scmp_arg_cmp){2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0});
    /* syslog(3) reconnects with socket(2): let it fail quietly. */
    if (e == 0)
        e = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 0);
    if (e == 0)
        e = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(connect), 0);
    if (e == 0)
        e = seccomp_load(ctx);
    if (e != 0) {
        kk_diag_set(r->d, "seccomp: %s", strerror(-e));
        goto out;
    }
    rc = KK_OK;
out:
    if (ctx != NULL)
        seccomp_release(ctx);
    return rc;
}

static int run_no_new_privs(struct run *r)
{
    int rc = KK_OK;

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) {
        kk_diag_set(r->d, "cannot set no_new_privs: %s", strerror(errno));
        rc = KK_ERR_SYSTEM;
    }
    return rc;
}

/* ---- The loop ---- */

static void run_reopen(struct run *r)
{
    struct guard_pos pos[GUARD_LOGS_MAX];
    bool have[GUARD_LOGS_MAX];
    struct guard_follow *f = NULL;
    struct kk_diag d;
    int rc;

    for (size_t i = 0; i < r->c->nlogs; i++) {
        guard_follow_pos(r->fol, i, &pos[i]);
        have[i] = pos[i].dev != 0 || pos[i].ino != 0;
    }
    kk_diag_clear(&d);
    rc = guard_follow_new(r->c, pos, have, &f, &d);
    if (rc != KK_OK) {
        kk_log(KK_LOG_ERROR, "cannot reopen the logs (%s); keeping them",
               d.msg[0] != '\0' ? d.msg : kk_strerror(rc));
        return;
    }
    epoll_ctl(r->ep, EPOLL_CTL_DEL, guard_follow_fd(r->fol), NULL);
    guard_follow_free(r->fol);
    r->fol = f;
    if (run_epoll_add(r, guard_follow_fd(r->fol), RUN_T_FOLLOW) != KK_OK)
        r->err = KK_ERR_SYSTEM;
    kk_log(KK_LOG_INFO, "logs reopened");
}

static void run_signals(struct run *r)
{
    struct signalfd_siginfo si;

    while (read(r->sfd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
            r->stop = true;
        } else if (si.ssi_signo == SIGHUP) {
            r->reopen = true;
        } else if (si.ssi_signo == SIGCHLD) {
            int st;
            if (r->wpid > 0 && waitpid(r->wpid, &st, WNOHANG) == r->wpid) {
                r->wpid = -1;
                if (WIFSIGNALED(st) &&
                    (WTERMSIG(st) == SIGTERM || WTERMSIG(st) == SIGINT)) {
                    /* The whole group is being stopped (a service
                     * manager, ^C): the writer may get its signal first. */
                    kk_log(KK_LOG_INFO, "the ban writer was stopped; "
                                        "stopping");
                    r->stop = true;
                } else {
                    kk_log(KK_LOG_ERROR, "the ban writer stopped");
                    kk_diag_set(r->d, "the ban writer stopped");
                    r->err = KK_ERR_SYSTEM;
                }
            }
        }
    }
}

/* Reads what the logs hold now, at most RUN_READ_BYTES. */
static bool run_read(struct run *r)
{
    bool more = false;
    int rc;

    rc = guard_follow_read(r->fol, run_on_line, r, RUN_READ_BYTES, &more);
    if (rc != KK_OK) {
        kk_log(KK_LOG_WARN, "reading the logs: %s", kk_strerror(rc));
        more = false;
    }
    run_send(r);
    return more;
}

static void run_tick(struct run *r)
{
    guard_engine_expire(r->e, r->now, run_on_unban, r);
    if (r->now - r->last_reassert >= RUN_REASSERT_S) {
        guard_engine_each_ban(r->e, run_on_reassert, r);
        r->last_reassert = r->now;
    }
    run_send(r);
    if (r->now - r->last_repeats >= RUN_REPEATS_S) {
        guard_engine_take_repeats(r->e, run_on_repeat, r);
        r->last_repeats = r->now;
    }
    if (r->dirty && r->now != r->last_save)
        run_save(r);
    run_hub_step(r, r->now - r->last_report >= (int64_t)r->c->hub_interval);
}

static void run_ready(struct run *r)
{
    char text[32];
    struct kk_diag d;
    int n;

    if (r->o == NULL || r->o->ready == NULL)
        return;
    n = snprintf(text, sizeof text, "%ld\n", (long)getpid());
    kk_diag_clear(&d);
    if (n <= 0 ||
        kk_file_write_atomic(r->o->ready, text, (size_t)n, 0644, &d) != KK_OK)
        kk_log(KK_LOG_WARN, "cannot write %s: %s", r->o->ready, d.msg);
}

static void run_loop(struct run *r)
{
    bool more = true;

    while (!r->stop && r->err == KK_OK) {
        struct epoll_event evs[8];
        bool tick = false, ctl = false, logs = more;
        int n;

        n = epoll_wait(r->ep, evs, 8, more ? 0 : -1);
        if (n < 0 && errno != EINTR) {
            kk_diag_set(r->d, "epoll_wait: %s", strerror(errno));
            r->err = KK_ERR_SYSTEM;
            break;
        }
        for (int i = 0; i < n; i++) {
            uint64_t x;
            switch (evs[i].data.u32) {
            case RUN_T_SIGNAL:
                run_signals(r);
                break;
            case RUN_T_TIMER:
                while (read(r->tfd, &x, sizeof x) == (ssize_t)sizeof x)
                    tick = true;
                break;
            case RUN_T_CTL:
                ctl = true;
                break;
            case RUN_T_FOLLOW:
            default:
                logs = true;
                break;
            }
        }
        r->now = time(NULL);
        if (r->reopen) {
            r->reopen = false;
            run_reopen(r);
            logs = true;
        }
        /* Now and then without an event too: a log's directory may have
         * appeared. */
        more = (logs || tick) ? run_read(r) : false;
        if (ctl || tick)
            guard_ctl_srv_step(r->ctl, run_mono_ms(), run_on_ctl, r);
        if (tick)
            run_tick(r);
    }
}

/* --once: everything there is, acted on, then stop. */
static void run_once(struct run *r)
{
    while (r->err == KK_OK && run_read(r))
        ;
    r->now = time(NULL);
    guard_engine_expire(r->e, r->now, run_on_unban, r);
    run_send(r);
    if (r->hub_on) {
        run_hub_step(r, true);
        run_hub_wait(r);
    }
}

static void run_stop(struct run *r)
{
    r->now = time(NULL);
    /* A daemon that did not get to run leaves the state file alone: it
     * may be another daemon's. */
    if (r->running)
        run_save(r);
    if (r->running && r->c->flush_on_stop && r->err == KK_OK) {
        run_req(r, GUARD_OP_FLUSH, 0, NULL);
        run_send(r);
        kk_log(KK_LOG_INFO, "bans flushed");
    }
    if (r->hub_on)
        run_hub_wait(r);
    run_hub_stop(r);
    if (r->wfd >= 0)
        close(r->wfd);
    r->wfd = -1;
    if (r->wpid > 0) {
        int st;
        /* The writer ends when its socket closes. */
        while (waitpid(r->wpid, &st, 0) < 0 && errno == EINTR)
            ;
        r->wpid = -1;
    }
}

int guard_run(const struct guard_conf *c, const struct guard_run_opts *o,
              struct kk_diag *d)
{
    struct run *r;
    sigset_t old;
    char sock[4096];
    bool blocked = false;
    int rc = KK_ERR_NOMEM;

    r = calloc(1, sizeof *r);
    if (r == NULL)
        goto out_nofree;
    r->c = c;
    r->o = o;
    r->d = d;
    r->wfd = -1;
    r->wpid = -1;
    r->ep = -1;
    r->tfd = -1;
    r->sfd = -1;
    r->now = time(NULL);
    r->since = r->now;
    r->last_report = r->now;
    r->last_repeats = r->now;
    pthread_mutex_init(&r->hub.mu, NULL);
    pthread_cond_init(&r->hub.cv, NULL);
    if (gethostname(r->host, sizeof r->host - 1) != 0)
        memcpy(r->host, "unknown", sizeof "unknown");
    rc = KK_ERR_INVAL;
    if (c->state_dir == NULL || c->state_dir[0] == '\0') {
        kk_diag_set(d, "[guard] state is not set");
        goto out;
    }
    if (guard_ctl_path(c, sock, sizeof sock) != KK_OK) {
        kk_diag_set(d, "the control socket's path is too long");
        goto out;
    }
    /* The state directory holds the socket too, bound before the state
     * is first written. */
    if (mkdir(c->state_dir, 0700) != 0 && errno != EEXIST) {
        kk_diag_set(d, "cannot create %s: %s", c->state_dir, strerror(errno));
        rc = KK_ERR_SYSTEM;
        goto out;
    }
    rc = run_load_state(r);
    if (rc != KK_OK)
        goto out;
    /* Forked first, while privileged and before any thread. */
    rc = guard_banner_spawn(c, &r->wfd, &r->wpid, d);
    if (rc != KK_OK)
        goto out;
    rc = guard_matcher_new(c, &r->m, d);
    if (rc == KK_OK)
        rc = run_sources(r);
    if (rc == KK_OK)
        rc = guard_follow_new(c, r->st.pos, r->st.have_pos, &r->fol, d);
    if (rc == KK_OK)
        rc = guard_engine_new(c, &r->e, d);
    if (rc == KK_OK)
        rc = run_restore(r);
    if (rc == KK_OK)
        rc = guard_ctl_srv_new(sock, &r->ctl, d);
    /* Signals are blocked before the reporting thread starts, so that it
     * inherits the mask and they all reach the signalfd. */
    if (rc == KK_OK) {
        rc = run_events(r, &old);
        blocked = true;
    }
    if (rc == KK_OK)
        rc = run_hub_start(r);
    if (rc == KK_OK)
        rc = run_drop(r, sock);
    if (rc == KK_OK)
        rc = run_no_new_privs(r);
    if (rc == KK_OK)
        rc = run_seccomp(r);
    if (rc != KK_OK)
        goto out;
    r->running = true;
    kk_log(KK_LOG_INFO, "following %zu logs, backend %s", c->nlogs,
           run_backend_name(c->backend));
    if (o != NULL && o->once) {
        run_once(r);
    } else {
        /* What is there already is read before the file says "ready". */
        while (r->err == KK_OK && run_read(r))
            ;
        run_ready(r);
        run_loop(r);
    }
    rc = r->err;
    if (rc == KK_OK && o != NULL && o->once)
        run_ready(r);
out:
    run_stop(r);
    guard_ctl_srv_free(r->ctl);
    if (r->ep >= 0)
        close(r->ep);
    if (r->tfd >= 0)
        close(r->tfd);
    if (r->sfd >= 0)
        close(r->sfd);
    if (blocked)
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    for (size_t i = 0; i < GUARD_LOGS_MAX; i++)
        guard_source_free(r->src[i]);
    guard_engine_free(r->e);
    guard_follow_free(r->fol);
    guard_matcher_free(r->m);
    guard_addrset_free(r->hub_allow);
    if (r->have_state)
        guard_state_clear(&r->st);
    free(r->reqs);
    free(r->ev);
    pthread_mutex_destroy(&r->hub.mu);
    pthread_cond_destroy(&r->hub.cv);
    free(r);
out_nofree:
    return rc;
}
