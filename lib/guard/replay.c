/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * replay.c - the engine over existing logs (`kalkan guard replay`).
 *
 * Each file is read in large blocks and cut into lines; each line goes
 * through its source (reader and matcher) exactly as in the daemon.  The
 * files are merged on log time: every file keeps the hits of its latest
 * line waiting, and the earliest waiting hit goes to the engine next (ties
 * go to the file named first), so that an access log and an auth.log give
 * the bans that the daemon following both would have given.  Before each
 * hit the engine ends the bans whose time is up at that hit's log time, so
 * a replay of a week shows repeat bans and their escalation as they
 * happened.  Memory: one block buffer per file plus the engine's fixed
 * table; nothing grows with the size of the logs except the list of bans.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "guard_int.h"

#define REPLAY_BLOCK (1024 * 1024)
#define REPLAY_FILES_MAX 256
#define REPLAY_BANS_MAX (10 * 1000 * 1000)

struct rfile {
    const char *path;
    FILE *f;
    bool eof;
    char *buf; /* REPLAY_BLOCK + GUARD_LINE_MAX bytes */
    size_t len, pos;
    bool skipping; /* the rest of an over-long line */
    struct guard_source *src;
    struct guard_hit hits[GUARD_SOURCE_HITS];
    size_t nhits, next;
};

struct replay {
    const struct guard_conf *c;
    struct guard_matcher *m;
    struct guard_engine *e;
    const struct guard_replay_opts *o;
    struct guard_replay *r;
    size_t cap;
    int err;
    uint64_t done, total, reported;
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_ban(void *ctx, const struct guard_ban *b,
                   const struct guard_addr *key)
{
    struct replay *rp = ctx;
    struct guard_replay *r = rp->r;
    (void)key;
    if (r->nbans == rp->cap) {
        size_t cap = rp->cap ? rp->cap * 2 : 64;
        struct guard_ban *nb;
        if (cap > REPLAY_BANS_MAX) {
            rp->err = KK_ERR_LIMIT;
            return;
        }
        nb = realloc(r->bans, cap * sizeof *nb);
        if (nb == NULL) {
            rp->err = KK_ERR_NOMEM;
            return;
        }
        r->bans = nb;
        rp->cap = cap;
    }
    r->bans[r->nbans++] = *b;
}

static void on_unban(void *ctx, const struct guard_ban *b,
                     const struct guard_addr *key)
{
    (void)ctx;
    (void)b;
    (void)key;
}

/* Refills f's buffer, keeping the unread tail.  Sets f->eof at the end. */
static int refill(struct replay *rp, struct rfile *f, struct kk_diag *d)
{
    size_t keep = f->len - f->pos, got;
    memmove(f->buf, f->buf + f->pos, keep);
    f->len = keep;
    f->pos = 0;
    got = fread(f->buf + f->len, 1, REPLAY_BLOCK, f->f);
    f->len += got;
    rp->done += got;
    if (got == 0) {
        if (ferror(f->f)) {
            kk_diag_set(d, "%s: %s", f->path, strerror(errno));
            return KK_ERR_IO;
        }
        f->eof = true;
    }
    if (rp->o != NULL && rp->o->progress != NULL &&
        rp->done - rp->reported >= 8u * REPLAY_BLOCK) {
        rp->reported = rp->done;
        rp->o->progress(rp->o->progress_ctx, rp->done, rp->total);
    }
    return KK_OK;
}

/* Reads lines of f until one gives hits or the file ends. */
static int advance(struct replay *rp, struct rfile *f, struct kk_diag *d)
{
    int err = KK_OK;
    FILE *mx = rp->o != NULL ? rp->o->matches : NULL;
    f->nhits = f->next = 0;
    while (f->nhits == 0) {
        char *nl = memchr(f->buf + f->pos, '\n', f->len - f->pos);
        size_t n;
        if (nl == NULL) {
            if (!f->eof && f->len - f->pos < GUARD_LINE_MAX) {
                err = refill(rp, f, d);
                if (err != KK_OK)
                    break;
                continue;
            }
            if (f->len == f->pos)
                break; /* the end */
            /* an over-long line, or a last line without a newline */
            n = f->len - f->pos;
            if (n > GUARD_LINE_MAX)
                n = GUARD_LINE_MAX;
            if (!f->skipping)
                guard_source_feed(f->src, rp->m, rp->c, f->buf + f->pos, n, mx,
                                  f->hits, &f->nhits);
            f->pos += n;
            f->skipping = !f->eof || f->pos < f->len;
            continue;
        }
        n = (size_t)(nl - (f->buf + f->pos));
        if (!f->skipping)
            guard_source_feed(f->src, rp->m, rp->c, f->buf + f->pos,
                              n > GUARD_LINE_MAX ? GUARD_LINE_MAX : n, mx,
                              f->hits, &f->nhits);
        f->skipping = false;
        f->pos += n + 1;
    }
    return err;
}

static int open_file(struct replay *rp, struct rfile *f, const char *path,
                     struct kk_diag *d)
{
    struct stat st;
    int64_t ref = (int64_t)time(NULL);
    int err = KK_ERR_IO;
    f->path = path;
    if (strcmp(path, "-") == 0) {
        f->f = stdin;
    } else {
        f->f = fopen(path, "rb");
        if (f->f == NULL) {
            kk_diag_set(d, "%s: %s", path, strerror(errno));
            goto out;
        }
    }
    if (fstat(fileno(f->f), &st) != 0) {
        kk_diag_set(d, "%s: %s", path, strerror(errno));
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        kk_diag_set(d, "%s: is a directory", path);
        err = KK_ERR_INVAL;
        goto out;
    }
    if (S_ISREG(st.st_mode)) {
        rp->total += (uint64_t)st.st_size;
        ref = (int64_t)st.st_mtime;
    }
    err = KK_ERR_NOMEM;
    f->buf = malloc(REPLAY_BLOCK + GUARD_LINE_MAX);
    if (f->buf == NULL)
        goto out;
    err = guard_source_new(GUARD_FMT_AUTO, ref, path, &f->src);
    if (err != KK_OK)
        goto out;
    for (size_t i = 0; i < rp->c->nlogs; i++) {
        if (strcmp(rp->c->logs[i].path, path) == 0) {
            guard_source_free(f->src);
            f->src = NULL;
            err = guard_source_new(rp->c->logs[i].fmt, ref, path, &f->src);
            break;
        }
    }
out:
    return err;
}

static void close_file(struct rfile *f)
{
    if (f->f != NULL && f->f != stdin)
        fclose(f->f);
    free(f->buf);
    guard_source_free(f->src);
}

/* Hands the earliest waiting hit to the engine until every file ends. */
static int merge(struct replay *rp, struct rfile *fs, size_t n,
                 struct kk_diag *d)
{
    int err = KK_OK;
    for (size_t i = 0; i < n && err == KK_OK; i++)
        err = advance(rp, &fs[i], d);
    while (err == KK_OK && rp->err == KK_OK) {
        struct rfile *best = NULL;
        const struct guard_hit *h;
        for (size_t i = 0; i < n; i++) {
            struct rfile *f = &fs[i];
            if (f->next < f->nhits &&
                (best == NULL || f->hits[f->next].t < best->hits[best->next].t))
                best = f;
        }
        if (best == NULL)
            break;
        h = &best->hits[best->next++];
        guard_engine_expire(rp->e, h->t, on_unban, rp);
        guard_engine_hit(rp->e, h, on_ban, rp);
        if (best->next == best->nhits)
            err = advance(rp, best, d);
    }
    if (err == KK_OK)
        err = rp->err;
    return err;
}

int guard_replay_run(const struct guard_conf *c, const char *const *paths,
                     size_t npaths, const struct guard_replay_opts *o,
                     struct guard_replay **out, struct kk_diag *d)
{
    struct replay rp;
    struct rfile *fs = NULL;
    struct guard_engine_stats st;
    int64_t t0 = mono_ms();
    int err = KK_ERR_INVAL;
    memset(&rp, 0, sizeof rp);
    rp.c = c;
    rp.o = o;
    if (npaths == 0 || npaths > REPLAY_FILES_MAX) {
        kk_diag_set(d, "give between 1 and %d log files", REPLAY_FILES_MAX);
        goto out;
    }
    err = KK_ERR_NOMEM;
    rp.r = calloc(1, sizeof *rp.r);
    fs = calloc(npaths, sizeof *fs);
    if (rp.r == NULL || fs == NULL)
        goto out;
    for (size_t i = 0; i < npaths; i++) {
        err = open_file(&rp, &fs[i], paths[i], d);
        if (err != KK_OK)
            goto out;
    }
    err = guard_matcher_new(c, &rp.m, d);
    if (err != KK_OK)
        goto out;
    err = guard_engine_new(c, &rp.e, d);
    if (err != KK_OK)
        goto out;
    err = merge(&rp, fs, npaths, d);
    if (err != KK_OK)
        goto out;
    for (size_t i = 0; i < npaths; i++) {
        struct guard_source_counts n;
        guard_source_counts(fs[i].src, &n);
        rp.r->lines += n.lines;
        rp.r->matched += n.matched;
        rp.r->unparsed += n.unparsed;
    }
    guard_engine_stats(rp.e, &st);
    rp.r->tracked_max = st.tracked_max;
    if (o != NULL && o->progress != NULL)
        o->progress(o->progress_ctx, rp.total, rp.total);
    rp.r->elapsed_ms = mono_ms() - t0;
    *out = rp.r;
    rp.r = NULL;
out:
    if (err == KK_ERR_NOMEM)
        kk_diag_set(d, "out of memory");
    for (size_t i = 0; fs != NULL && i < npaths; i++)
        close_file(&fs[i]);
    free(fs);
    guard_engine_free(rp.e);
    guard_matcher_free(rp.m);
    guard_replay_free(rp.r);
    return err;
}

void guard_replay_free(struct guard_replay *r)
{
    if (r == NULL)
        return;
    free(r->bans);
    free(r);
}

static int put_time(struct kk_buf *b, const char *key, int64_t t)
{
    char ts[40];
    int err = kk_format_time(t, ts, sizeof ts);
    if (err == KK_OK)
        err = kk_buf_putf(b, ",\"%s\":", key);
    if (err == KK_OK)
        err = kk_json_str(b, ts);
    return err;
}

int guard_replay_json(const struct guard_replay *r, struct kk_buf *b)
{
    int err = kk_buf_putf(b,
                          "{\"lines\":%llu,\"matched\":%llu,\"unparsed\":%llu,"
                          "\"tracked_max\":%zu,\"bans\":[",
                          (unsigned long long)r->lines,
                          (unsigned long long)r->matched,
                          (unsigned long long)r->unparsed, r->tracked_max);
    for (size_t i = 0; err == KK_OK && i < r->nbans; i++) {
        const struct guard_ban *x = &r->bans[i];
        err = kk_buf_puts(b, i ? ",{\"address\":" : "{\"address\":");
        if (err == KK_OK)
            err = kk_json_str(b, x->address);
        if (err == KK_OK)
            err = kk_buf_puts(b, ",\"rule\":");
        if (err == KK_OK)
            err = kk_json_str(b, x->rule);
        if (err == KK_OK)
            err = kk_buf_putf(b, ",\"hits\":%lu", (unsigned long)x->hits);
        if (err == KK_OK)
            err = put_time(b, "first", x->first);
        if (err == KK_OK)
            err = put_time(b, "banned_at", x->banned_at);
        if (err == KK_OK)
            err = put_time(b, "until", x->until);
        if (err == KK_OK)
            err = kk_buf_putf(b, ",\"level\":%lu}", (unsigned long)x->level);
    }
    if (err == KK_OK)
        err = kk_buf_putf(b, "],\"elapsed_ms\":%lld}\n",
                          (long long)r->elapsed_ms);
    return err;
}
