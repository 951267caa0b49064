/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * follow.c - following log files as they grow, rotate and come back.
 *
 * Each file is read with pread(2) from our own read position into a
 * buffer of one chunk plus one maximal line, and handed out one complete
 * line at a time; the bytes of a line still being written wait in the
 * buffer for their newline.  A line longer than GUARD_LINE_MAX is handed
 * out cut to its first GUARD_LINE_MAX bytes once its newline arrives, and
 * the bytes between are skipped.  The position of a file is the offset
 * after the last line handed out, so a restart re-reads a partial line
 * instead of losing it.
 *
 * inotify only wakes the caller: what changed is learnt by looking (one
 * fstat of the open file and one stat of its path per file and call), so
 * a lost or overflowed event queue loses nothing and the order of events
 * does not matter.  The price is two system calls per file per call, which
 * for at most GUARD_LOGS_MAX files is nothing next to reading the lines.
 *
 * Rotation: at the end of the file we hold, a path that names another
 * file means ours was renamed or removed and replaced.  The new file is
 * read from its start, and ours stays open beside it for a grace period
 * (guard_follow_set_grace, GUARD_FOLLOW_GRACE seconds after the last byte
 * it gave), read before the new one at each call: a writer keeps writing
 * to the file it holds until it is told to reopen (nginx's USR1 after
 * logrotate's create), and those lines are not lost.  When the grace ends
 * a last line without newline is handed out as it is and the file closed.
 * A path that names nothing (renamed, not yet created again) changes
 * nothing: the file we hold is the one being written; only a removed file
 * (no links left) is closed, once idle for the grace period.  Lines of the
 * two files may interleave out of time order by as much as the writer's
 * delay in reopening; the engine takes hits a little out of order.
 * A file smaller than our read position was
 * truncated (copytruncate) and is read again from 0; lines written between
 * the copy and the truncation are gone, and a file truncated and then
 * grown past our position before we look cannot be told from one that
 * grew - this is true of every follower that does not hash its contents.
 *
 * Restart: the stored position resumes when the path still names the same
 * device and inode, the file is at least as long as the offset and the
 * line before the offset hashes as stored.  When the path names another
 * file, the stored inode is looked for at PATH.1 (logrotate's default name
 * for the previous file) and that file's rest is read first.  A file
 * rotated while the daemon was stopped to any other name (dated names,
 * compressed at once) loses what was appended to it after the stop; the
 * new file is read from its start.
 *
 * Journal exports (`journalctl -o export` written to a file) are handed out
 * as lines too: their records are line-based except binary fields, whose
 * bytes may hold newlines; the journal reader gets the newline back from
 * the source and reassembles them.  A binary field longer than
 * GUARD_LINE_MAX is cut like any long line and its record is skipped by
 * the reader.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "guard_int.h"

#define FOLLOW_CHUNK (64 * 1024)                   /* bytes per read(2) */
#define FOLLOW_BUF (GUARD_LINE_MAX + FOLLOW_CHUNK) /* per open file */
#define FOLLOW_FILE_MASK (IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF)
#define FOLLOW_DIR_MASK (IN_CREATE | IN_MOVED_TO | IN_ATTRIB)

/* One open file and where we are in it. */
struct fin {
    int fd; /* -1 when none */
    int wd; /* inotify watch on it, -1 when none */
    uint64_t dev, ino;
    uint64_t off;  /* after the last line handed out */
    uint64_t hash; /* of that line; 0 at offset 0 */
    uint64_t rpos; /* read position: off plus what the buffer holds */
    bool skip;     /* in the tail of an over-long line */
    char *buf;     /* bytes from off: a partial line, or the cut head */
    size_t blen;
    int64_t last; /* monotonic second of the last bytes read */
};

struct flog {
    char *path;
    char *dir;      /* watched for the file's (re)creation */
    int wdir;       /* -1 until the directory exists */
    struct fin cur; /* the file at the path, or the one that was there
                       while the path names none */
    struct fin old; /* rotated away, read during the grace period */
    bool oeof;      /* old is at its end in this call */
};

struct guard_follow {
    int ifd;
    struct flog *logs;
    size_t n;
    size_t next;    /* log read first in the next call, for fairness */
    char *tmp;      /* GUARD_LINE_MAX + 1 bytes to read a line back */
    unsigned grace; /* seconds a rotated file stays open when idle */
};

uint64_t guard_line_hash(const char *p, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a 64 */
    size_t i;
    if (len > GUARD_LINE_MAX) {
        p += len - GUARD_LINE_MAX;
        len = GUARD_LINE_MAX;
    }
    for (i = 0; i < len; i++) {
        h ^= (uint8_t)p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static int64_t now_s(void)
{
    struct timespec ts;
    int64_t t = 0;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
        t = (int64_t)ts.tv_sec;
    return t;
}

/* pread of exactly len bytes at off (short only at the end of the file):
 * the number read, or -1. */
static ssize_t pread_full(int fd, char *p, size_t len, uint64_t off)
{
    size_t got = 0;
    ssize_t r = 0;
    while (got < len) {
        r = pread(fd, p + got, len - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (r < 0)
        return -1;
    return (ssize_t)got;
}

/* The hash of the line that ends with the newline at nl (a file offset):
 * its last GUARD_LINE_MAX bytes at most, read back from the file.  Sets
 * *ok false when the bytes are not there (truncated, not a newline). */
static uint64_t hash_before(int fd, uint64_t nl, char *tmp, bool *ok)
{
    uint64_t start = nl > GUARD_LINE_MAX ? nl - GUARD_LINE_MAX : 0;
    size_t len = (size_t)(nl - start) + 1;
    size_t i;
    ssize_t r = pread_full(fd, tmp, len, start);
    uint64_t h = 0;
    *ok = false;
    if (r < 0 || (size_t)r != len || tmp[len - 1] != '\n')
        goto out;
    i = len - 1;
    while (i > 0 && tmp[i - 1] != '\n')
        i--;
    h = guard_line_hash(tmp + i, len - 1 - i);
    *ok = true;
out:
    return h;
}

/* True when the stored position p still holds in the open file fd. */
static bool pos_holds(int fd, const struct stat *st, const struct guard_pos *p,
                      char *tmp)
{
    bool ok = false;
    uint64_t h;
    if ((uint64_t)st->st_dev != p->dev || (uint64_t)st->st_ino != p->ino)
        goto out;
    if (p->offset == 0) {
        ok = p->hash == 0;
        goto out;
    }
    if (p->offset > (uint64_t)st->st_size)
        goto out;
    h = hash_before(fd, p->offset - 1, tmp, &ok);
    ok = ok && h == p->hash;
out:
    return ok;
}

/* Opens a regular file for reading: the descriptor, or -1 with errno. */
static int open_log(const char *path, struct stat *st)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        goto out;
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        (void)close(fd);
        fd = -1;
        errno = EINVAL;
    }
out:
    return fd;
}

static void watch_dir(struct guard_follow *f, struct flog *L)
{
    if (L->wdir < 0)
        L->wdir = inotify_add_watch(f->ifd, L->dir, FOLLOW_DIR_MASK);
}

static void fin_restart(struct fin *x, uint64_t off, uint64_t hash)
{
    x->off = off;
    x->rpos = off;
    x->hash = hash;
    x->blen = 0;
    x->skip = false;
}

/* Starts reading fd (open on the file st describes) at off; watch: the
 * name to watch it by, or NULL. */
static void fin_take(struct guard_follow *f, struct fin *x, int fd,
                     const struct stat *st, uint64_t off, uint64_t hash,
                     const char *watch)
{
    x->fd = fd;
    x->dev = (uint64_t)st->st_dev;
    x->ino = (uint64_t)st->st_ino;
    x->last = now_s();
    x->wd =
        watch != NULL ? inotify_add_watch(f->ifd, watch, FOLLOW_FILE_MASK) : -1;
    fin_restart(x, off, hash);
}

/* Closes a file we stop reading, and its watch unless another open file
 * shares it (the kernel gives one watch per inode). */
static void fin_close(struct guard_follow *f, struct fin *x)
{
    size_t i;
    bool shared = false;
    for (i = 0; i < f->n; i++) {
        if (&f->logs[i].cur != x && f->logs[i].cur.wd == x->wd)
            shared = true;
        if (&f->logs[i].old != x && f->logs[i].old.wd == x->wd)
            shared = true;
    }
    if (x->wd >= 0 && !shared)
        (void)inotify_rm_watch(f->ifd, x->wd);
    if (x->fd >= 0)
        (void)close(x->fd);
    x->wd = -1;
    x->fd = -1;
    x->dev = 0;
    x->ino = 0;
    fin_restart(x, 0, 0);
}

/* A file we are leaving ends without newline: its last line is complete
 * now, since nothing more will be read from it. */
static void fin_flush(struct fin *x, size_t idx, guard_line_fn fn, void *ctx)
{
    if (x->skip)
        fn(ctx, idx, x->buf, GUARD_LINE_MAX);
    else if (x->blen > 0)
        fn(ctx, idx, x->buf, x->blen);
    x->blen = 0;
    x->skip = false;
}

/* Hands out the line at p (len may exceed GUARD_LINE_MAX: it is cut)
 * whose newline is at file offset nl. */
static void emit(struct fin *x, size_t idx, const char *p, size_t len,
                 uint64_t nl, guard_line_fn fn, void *ctx)
{
    x->hash = guard_line_hash(p, len);
    x->off = nl + 1;
    fn(ctx, idx, p, len > GUARD_LINE_MAX ? GUARD_LINE_MAX : len);
}

/* Splits the buffer after n new bytes were appended to it. */
static void split(struct fin *x, size_t idx, size_t n, guard_line_fn fn,
                  void *ctx, char *tmp)
{
    size_t start = 0, scan = x->blen;
    size_t end = x->blen + n;
    /* file offset of buf[j] (beyond the cut head while skipping) */
    uint64_t base = x->rpos - end;
    const char *nl;
    bool ok;

    if (x->skip) {
        nl = memchr(x->buf + scan, '\n', n);
        if (nl == NULL) {
            x->blen = GUARD_LINE_MAX; /* the skipped bytes are dropped */
            goto out;
        }
        /* The cut head is handed out; the hash covers the line's tail,
         * which is read back from the file. */
        start = (size_t)(nl - x->buf) + 1;
        x->off = base + start;
        x->hash = hash_before(x->fd, x->off - 1, tmp, &ok);
        fn(ctx, idx, x->buf, GUARD_LINE_MAX);
        x->skip = false;
        scan = start;
    }
    for (;;) {
        nl = memchr(x->buf + scan, '\n', end - scan);
        if (nl == NULL)
            break;
        emit(x, idx, x->buf + start, (size_t)(nl - x->buf) - start,
             base + (uint64_t)(nl - x->buf), fn, ctx);
        start = (size_t)(nl - x->buf) + 1;
        scan = start;
    }
    if (end - start > GUARD_LINE_MAX) {
        /* keep the head, drop the rest until the newline */
        memmove(x->buf, x->buf + start, GUARD_LINE_MAX);
        x->blen = GUARD_LINE_MAX;
        x->skip = true;
    } else {
        memmove(x->buf, x->buf + start, end - start);
        x->blen = end - start;
    }
out:
    return;
}

/* Reads at most want bytes of x; *got is 0 at its end. */
static int fin_read(struct fin *x, size_t idx, guard_line_fn fn, void *ctx,
                    size_t want, char *tmp, size_t *got)
{
    size_t room = FOLLOW_BUF - x->blen;
    ssize_t r;
    int err = KK_OK;

    *got = 0;
    if (want < room)
        room = want;
    do {
        r = pread(x->fd, x->buf + x->blen, room, (off_t)x->rpos);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        err = KK_ERR_IO;
        goto out;
    }
    if (r > 0) {
        x->rpos += (uint64_t)r;
        x->last = now_s();
        *got = (size_t)r;
        split(x, idx, (size_t)r, fn, ctx, tmp);
    }
out:
    return err;
}

static void swap_fin(struct flog *L)
{
    struct fin t = L->cur;
    L->cur = L->old;
    L->old = t;
}

/* What changed while we were not looking: the missing file appeared, the
 * open file was truncated. */
static void look(struct guard_follow *f, struct flog *L)
{
    struct stat st;
    int fd;
    watch_dir(f, L);
    L->oeof = false;
    if (L->cur.fd < 0) {
        fd = open_log(L->path, &st);
        if (fd >= 0)
            fin_take(f, &L->cur, fd, &st, 0, 0, L->path);
    } else if (fstat(L->cur.fd, &st) == 0 &&
               (uint64_t)st.st_size < L->cur.rpos) {
        fin_restart(&L->cur, 0, 0);
    }
}

/* At the end of the current file: has the path moved on? */
static void at_end(struct guard_follow *f, struct flog *L, size_t idx,
                   guard_line_fn fn, void *ctx, bool *done)
{
    struct stat st;
    int fd = -1;

    *done = true;
    if (stat(L->path, &st) != 0) {
        /* Nothing at the path: ours is still the file being written,
         * unless it was removed and has been idle for the grace period. */
        if ((errno == ENOENT || errno == ENOTDIR) &&
            fstat(L->cur.fd, &st) == 0 && st.st_nlink == 0 &&
            now_s() - L->cur.last >= (int64_t)f->grace) {
            fin_flush(&L->cur, idx, fn, ctx);
            fin_close(f, &L->cur);
        }
        goto out;
    }
    if ((uint64_t)st.st_dev == L->cur.dev && (uint64_t)st.st_ino == L->cur.ino)
        goto out; /* the same file: nothing new yet */
    fd = open_log(L->path, &st);
    if (fd < 0)
        goto out; /* not readable yet (its mode is set after creation) */
    if (L->old.fd >= 0 && (uint64_t)st.st_dev == L->old.dev &&
        (uint64_t)st.st_ino == L->old.ino) {
        swap_fin(L); /* the earlier file came back: go on where we were */
        L->old.last = now_s();
        goto out;
    }
    /* Rotated: ours becomes the old file, read for the grace period. */
    if (L->old.fd >= 0) {
        fin_flush(&L->old, idx, fn, ctx);
        fin_close(f, &L->old);
    }
    swap_fin(L);
    L->old.last = now_s();
    L->oeof = false;
    fin_take(f, &L->cur, fd, &st, 0, 0, L->path);
    fd = -1;
    *done = false;
out:
    if (fd >= 0)
        (void)close(fd);
}

/* Reads at most want bytes of one log: the rotated file first, then the
 * current one.  *got: bytes read; *done: nothing more to read now. */
static int step(struct guard_follow *f, size_t idx, guard_line_fn fn, void *ctx,
                size_t want, size_t *got, bool *done)
{
    struct flog *L = &f->logs[idx];
    int err = KK_OK;

    *got = 0;
    *done = false;
    if (L->old.fd >= 0 && !L->oeof) {
        err = fin_read(&L->old, idx, fn, ctx, want, f->tmp, got);
        if (err == KK_OK && *got == 0) {
            L->oeof = true;
            if (now_s() - L->old.last >= (int64_t)f->grace) {
                fin_flush(&L->old, idx, fn, ctx);
                fin_close(f, &L->old);
            }
        }
        goto out;
    }
    if (L->cur.fd < 0) {
        *done = true;
        goto out;
    }
    err = fin_read(&L->cur, idx, fn, ctx, want, f->tmp, got);
    if (err == KK_OK && *got == 0)
        at_end(f, L, idx, fn, ctx, done);
out:
    return err;
}

int guard_follow_read(struct guard_follow *f, guard_line_fn fn, void *ctx,
                      size_t max_bytes, bool *more)
{
    bool active[GUARD_LOGS_MAX];
    _Alignas(struct inotify_event) char ev[4096];
    size_t left = max_bytes > 0 ? max_bytes : SIZE_MAX;
    size_t i, k, got, want;
    bool done, progress = false;
    int err = KK_OK;
    ssize_t r;

    *more = false;
    /* The events only woke us: empty the queue, then look at each file. */
    do {
        r = read(f->ifd, ev, sizeof ev);
    } while (r > 0 || (r < 0 && errno == EINTR));
    for (i = 0; i < f->n; i++) {
        look(f, &f->logs[i]);
        active[i] = f->logs[i].cur.fd >= 0 || f->logs[i].old.fd >= 0;
        progress = progress || active[i];
    }
    /* Rounds of one chunk per log, so a backlog in one does not keep the
     * others waiting. */
    while (progress && left > 0) {
        progress = false;
        for (k = 0; k < f->n && left > 0; k++) {
            i = (f->next + k) % f->n;
            if (!active[i])
                continue;
            want = left < FOLLOW_CHUNK ? left : FOLLOW_CHUNK;
            err = step(f, i, fn, ctx, want, &got, &done);
            if (err != KK_OK)
                goto out;
            left -= got;
            if (done)
                active[i] = false;
            else
                progress = true;
        }
    }
    for (i = 0; i < f->n; i++)
        *more = *more || active[i];
    if (f->n > 0)
        f->next = (f->next + 1) % f->n;
out:
    return err;
}

/* Path of the file logrotate's default renames path to. */
static int rotated_name(const char *path, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s.1", path);
    return n < 0 || (size_t)n >= cap ? KK_ERR_TRUNC : KK_OK;
}

/* Opens log L of a new follower at its stored position p (or NULL). */
static int start_log(struct guard_follow *f, struct flog *L,
                     const struct guard_pos *p, struct kk_diag *d)
{
    struct stat st, st1;
    char old[PATH_MAX + 3];
    int fd, fd1 = -1, err = KK_OK;

    watch_dir(f, L);
    fd = open_log(L->path, &st);
    if (fd < 0 && errno != ENOENT && errno != ENOTDIR) {
        kk_diag_set(d, "%s: %s", L->path, strerror(errno));
        err = errno == EACCES ? KK_ERR_PERM : KK_ERR_IO;
        goto out;
    }
    if (fd >= 0 && p != NULL && pos_holds(fd, &st, p, f->tmp)) {
        fin_take(f, &L->cur, fd, &st, p->offset, p->hash, L->path);
        fd = -1;
        goto out;
    }
    /* The same file under the name of its first rotation?  Its rest is
     * read first; it is the current file while the path names none. */
    if (p != NULL && p->ino != 0 &&
        rotated_name(L->path, old, sizeof old) == KK_OK) {
        fd1 = open_log(old, &st1);
        if (fd1 >= 0 && pos_holds(fd1, &st1, p, f->tmp)) {
            fin_take(f, fd >= 0 ? &L->old : &L->cur, fd1, &st1, p->offset,
                     p->hash, old);
            fd1 = -1;
        }
    }
    if (fd >= 0) {
        fin_take(f, &L->cur, fd, &st, 0, 0, L->path);
        fd = -1;
    }
out:
    if (fd >= 0)
        (void)close(fd);
    if (fd1 >= 0)
        (void)close(fd1);
    return err;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    if (slash == NULL)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    dir = malloc((size_t)(slash - path) + 1);
    if (dir != NULL) {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
    }
    return dir;
}

int guard_follow_new(const struct guard_conf *c, const struct guard_pos *pos,
                     const bool *have, struct guard_follow **out,
                     struct kk_diag *d)
{
    struct guard_follow *f = calloc(1, sizeof *f);
    const struct guard_pos *p;
    struct flog *L;
    size_t i;
    int err = KK_ERR_NOMEM;

    if (f == NULL)
        goto out;
    f->ifd = -1;
    f->grace = GUARD_FOLLOW_GRACE;
    f->tmp = malloc(GUARD_LINE_MAX + 1);
    if (f->tmp == NULL)
        goto out;
    if (c->nlogs > GUARD_LOGS_MAX) {
        err = KK_ERR_LIMIT;
        kk_diag_set(d, "more than %d logs", GUARD_LOGS_MAX);
        goto out;
    }
    if (c->nlogs > 0) {
        f->logs = calloc(c->nlogs, sizeof *f->logs);
        if (f->logs == NULL)
            goto out;
    }
    for (i = 0; i < c->nlogs; i++) {
        L = &f->logs[i];
        L->cur.fd = L->cur.wd = -1;
        L->old.fd = L->old.wd = -1;
        L->wdir = -1;
    }
    f->n = c->nlogs;
    f->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (f->ifd < 0) {
        err = KK_ERR_SYSTEM;
        kk_diag_set(d, "inotify: %s", strerror(errno));
        goto out;
    }
    for (i = 0; i < c->nlogs; i++) {
        L = &f->logs[i];
        L->path = strdup(c->logs[i].path);
        L->dir = L->path != NULL ? dir_of(L->path) : NULL;
        L->cur.buf = malloc(FOLLOW_BUF);
        L->old.buf = malloc(FOLLOW_BUF);
        if (L->path == NULL || L->dir == NULL || L->cur.buf == NULL ||
            L->old.buf == NULL) {
            err = KK_ERR_NOMEM;
            goto out;
        }
        p = pos != NULL && (have == NULL || have[i]) ? &pos[i] : NULL;
        err = start_log(f, L, p, d);
        if (err != KK_OK)
            goto out;
    }
    *out = f;
    f = NULL;
    err = KK_OK;
out:
    guard_follow_free(f);
    return err;
}

void guard_follow_free(struct guard_follow *f)
{
    size_t i;
    if (f == NULL)
        return;
    for (i = 0; i < f->n; i++) {
        if (f->logs[i].cur.fd >= 0)
            (void)close(f->logs[i].cur.fd);
        if (f->logs[i].old.fd >= 0)
            (void)close(f->logs[i].old.fd);
        free(f->logs[i].path);
        free(f->logs[i].dir);
        free(f->logs[i].cur.buf);
        free(f->logs[i].old.buf);
    }
    free(f->logs);
    free(f->tmp);
    if (f->ifd >= 0)
        (void)close(f->ifd);
    free(f);
}

void guard_follow_set_grace(struct guard_follow *f, unsigned seconds)
{
    f->grace = seconds;
}

int guard_follow_fd(const struct guard_follow *f)
{
    return f->ifd;
}

void guard_follow_pos(const struct guard_follow *f, size_t i,
                      struct guard_pos *out)
{
    memset(out, 0, sizeof *out);
    if (i >= f->n || f->logs[i].cur.fd < 0)
        return;
    out->dev = f->logs[i].cur.dev;
    out->ino = f->logs[i].cur.ino;
    out->offset = f->logs[i].cur.off;
    out->hash = f->logs[i].cur.hash;
}
