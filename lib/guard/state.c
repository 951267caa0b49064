/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * state.c - the daemon's memory across restarts: where it was in each log,
 * the bans in force, how often each key was banned before, and the
 * prefixes allowed at run time.
 *
 * One text file, rewritten whole and atomically at each save (a temporary
 * in the same directory, fsync, rename, fsync of the directory), so a
 * crash leaves the old file or the new one, never a mix.  Text costs a few
 * bytes more than a binary layout and some parsing at start, and buys a
 * file an operator can read and, in an emergency, edit.  The reader is
 * strict because the file is read back with the daemon's privileges and
 * may have been damaged (a full disk, an edit): every field is checked,
 * every count and line is bounded, the file must end with its "end" line
 * (a cut file is refused), and a refusal names the line.  Records of a
 * newer version that this one does not know are skipped, so a downgrade
 * keeps what it understands.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "guard_int.h"

#define STATE_MAGIC "kalkan-guard-state"
#define STATE_FIELDS_MAX 16
#define STATE_TIME_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

struct reader {
    const struct guard_conf *c;
    const char *name;
    unsigned line;
    uint32_t version;
    char *f[STATE_FIELDS_MAX];
    size_t nf;
    struct guard_state *s;
    size_t capbans, caphist;
    struct kk_diag *d;
};

void guard_state_clear(struct guard_state *s)
{
    if (s == NULL)
        return;
    free(s->bans);
    free(s->hist);
    guard_addrset_free(s->allow);
    memset(s, 0, sizeof *s);
}

/* ---- Reading ---- */

static int bad(struct reader *r, const char *what)
{
    kk_diag_set(r->d, "%s: line %u: %s", r->name, r->line, what);
    return KK_ERR_CORRUPT;
}

/* Splits line (NUL-terminated, modified) at single spaces. */
static int fields(struct reader *r, char *line)
{
    char *p = line;
    int err = KK_OK;
    r->nf = 0;
    for (;;) {
        if (*p == '\0' || *p == ' ' || r->nf == STATE_FIELDS_MAX) {
            err = bad(r, "empty field or too many fields");
            goto out;
        }
        r->f[r->nf++] = p;
        p = strchr(p, ' ');
        if (p == NULL)
            break;
        *p++ = '\0';
    }
out:
    return err;
}

/* The record has exactly n fields (a newer version may add more). */
static int arity(struct reader *r, size_t n)
{
    bool ok = r->nf == n || (r->nf > n && r->version > GUARD_STATE_VERSION);
    return ok ? KK_OK : bad(r, "wrong number of fields");
}

static int u64f(struct reader *r, size_t i, uint64_t max, uint64_t *out)
{
    return kk_parse_u64(r->f[i], 0, max, out) == KK_OK ? KK_OK
                                                       : bad(r, "bad number");
}

static int timef(struct reader *r, size_t i, int64_t *out)
{
    return kk_parse_i64(r->f[i], 0, STATE_TIME_MAX, out) == KK_OK
               ? KK_OK
               : bad(r, "bad time");
}

static int hexval(char ch)
{
    int v = -1;
    if (ch >= '0' && ch <= '9')
        v = ch - '0';
    else if (ch >= 'a' && ch <= 'f')
        v = ch - 'a' + 10;
    else if (ch >= 'A' && ch <= 'F')
        v = ch - 'A' + 10;
    return v;
}

static int hashf(struct reader *r, size_t i, uint64_t *out)
{
    const char *p = r->f[i];
    uint64_t h = 0;
    size_t k;
    int err = KK_OK;
    if (strlen(p) != 16) {
        err = bad(r, "bad hash");
        goto out;
    }
    for (k = 0; k < 16; k++) {
        if (hexval(p[k]) < 0 || (p[k] >= 'A' && p[k] <= 'F')) {
            err = bad(r, "bad hash");
            goto out;
        }
        h = h << 4 | (uint64_t)hexval(p[k]);
    }
    *out = h;
out:
    return err;
}

/* Decodes %XX in place; no NUL may come out. */
static int pathf(struct reader *r, size_t i)
{
    char *p = r->f[i], *w = p;
    int hi, lo, err = KK_OK;
    while (*p != '\0') {
        if (*p != '%') {
            *w++ = *p++;
            continue;
        }
        hi = p[1] != '\0' ? hexval(p[1]) : -1;
        lo = hi >= 0 ? hexval(p[2]) : -1;
        if (lo < 0 || (hi == 0 && lo == 0)) {
            err = bad(r, "bad path");
            goto out;
        }
        *w++ = (char)(hi << 4 | lo);
        p += 3;
    }
    *w = '\0';
out:
    return err;
}

static int prefixf(struct reader *r, size_t i, struct guard_addr *out)
{
    const char *p = r->f[i];
    return guard_addr_parse_prefix(p, strlen(p), out) == KK_OK
               ? KK_OK
               : bad(r, "bad address");
}

static bool rule_name_ok(const char *s)
{
    size_t n = strlen(s), i;
    bool ok = n > 0 && n < GUARD_NAME_MAX;
    for (i = 0; ok && i < n; i++)
        ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
             (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' ||
             s[i] == '.';
    return ok;
}

static int rec_pos(struct reader *r)
{
    struct guard_pos p;
    size_t i;
    int err = arity(r, 6);
    if (err == KK_OK)
        err = u64f(r, 1, UINT64_MAX, &p.dev);
    if (err == KK_OK)
        err = u64f(r, 2, UINT64_MAX, &p.ino);
    if (err == KK_OK)
        err = u64f(r, 3, INT64_MAX, &p.offset);
    if (err == KK_OK)
        err = hashf(r, 4, &p.hash);
    if (err == KK_OK)
        err = pathf(r, 5);
    if (err != KK_OK)
        goto out;
    if (p.offset == 0 && p.hash != 0) {
        err = bad(r, "a hash at offset 0");
        goto out;
    }
    for (i = 0; i < r->c->nlogs; i++) {
        if (r->c->logs[i].path == NULL ||
            strcmp(r->c->logs[i].path, r->f[5]) != 0)
            continue;
        if (r->s->have_pos[i]) {
            err = bad(r, "second position of one log");
            goto out;
        }
        r->s->pos[i] = p;
        r->s->have_pos[i] = true;
    }
out:
    return err;
}

/* Grows *arr (of elem-byte items, *cap of them) to hold one more than n,
 * at most max. */
static int grow(struct reader *r, void **arr, size_t *cap, size_t n, size_t max,
                size_t elem)
{
    size_t ncap, bytes;
    void *p;
    int err = KK_OK;
    if (n < *cap)
        goto out;
    if (n >= max) {
        kk_diag_set(r->d, "%s: line %u: more than %zu records of a kind",
                    r->name, r->line, max);
        err = KK_ERR_LIMIT;
        goto out;
    }
    ncap = *cap == 0 ? 16 : *cap * 2;
    if (ncap > max)
        ncap = max;
    err = kk_size_mul(ncap, elem, &bytes);
    if (err != KK_OK)
        goto out;
    p = realloc(*arr, bytes);
    if (p == NULL) {
        err = KK_ERR_NOMEM;
        goto out;
    }
    *arr = p;
    *cap = ncap;
out:
    return err;
}

static int rec_ban(struct reader *r)
{
    struct guard_ban b;
    struct guard_addr key;
    uint64_t v = 0;
    void *arr = r->s->bans;
    int err = arity(r, 8);
    memset(&b, 0, sizeof b);
    if (err == KK_OK)
        err = prefixf(r, 1, &key);
    if (err == KK_OK && !rule_name_ok(r->f[2]))
        err = bad(r, "bad rule name");
    if (err == KK_OK)
        err = u64f(r, 3, UINT32_MAX, &v);
    b.hits = (uint32_t)v;
    if (err == KK_OK)
        err = timef(r, 4, &b.first);
    if (err == KK_OK)
        err = timef(r, 5, &b.banned_at);
    if (err == KK_OK)
        err = timef(r, 6, &b.until);
    if (err == KK_OK)
        err = u64f(r, 7, UINT32_MAX, &v);
    b.level = (uint32_t)v;
    if (err == KK_OK && b.until < b.banned_at)
        err = bad(r, "ban ends before it starts");
    if (err == KK_OK &&
        guard_addr_format(&key, b.address, sizeof b.address) != KK_OK)
        err = bad(r, "bad address");
    if (err != KK_OK)
        goto out;
    memcpy(b.rule, r->f[2], strlen(r->f[2]) + 1);
    err =
        grow(r, &arr, &r->capbans, r->s->nbans, GUARD_STATE_BANS_MAX, sizeof b);
    r->s->bans = arr;
    if (err != KK_OK)
        goto out;
    r->s->bans[r->s->nbans++] = b;
out:
    return err;
}

static int rec_hist(struct reader *r)
{
    struct guard_state_hist h;
    uint64_t v = 0;
    void *arr = r->s->hist;
    int err = arity(r, 4);
    memset(&h, 0, sizeof h);
    if (err == KK_OK)
        err = prefixf(r, 1, &h.key);
    if (err == KK_OK)
        err = u64f(r, 2, UINT32_MAX, &v);
    if (err == KK_OK && v == 0)
        err = bad(r, "a history of no bans");
    h.bans = (uint32_t)v;
    if (err == KK_OK)
        err = timef(r, 3, &h.last);
    if (err != KK_OK)
        goto out;
    err =
        grow(r, &arr, &r->caphist, r->s->nhist, GUARD_STATE_HIST_MAX, sizeof h);
    r->s->hist = arr;
    if (err != KK_OK)
        goto out;
    r->s->hist[r->s->nhist++] = h;
out:
    return err;
}

static int rec_allow(struct reader *r)
{
    struct guard_addr a;
    int err = arity(r, 2);
    if (err == KK_OK)
        err = prefixf(r, 1, &a);
    if (err != KK_OK)
        goto out;
    if (guard_addrset_count(r->s->allow) >= GUARD_STATE_ALLOW_MAX) {
        kk_diag_set(r->d, "%s: line %u: more than %u allowed prefixes", r->name,
                    r->line, GUARD_STATE_ALLOW_MAX);
        err = KK_ERR_LIMIT;
        goto out;
    }
    err = guard_addrset_add(r->s->allow, &a);
    if (err != KK_OK)
        kk_diag_set(r->d, "%s: line %u: %s", r->name, r->line,
                    kk_strerror(err));
out:
    return err;
}

/* The first line: magic and version. */
static int header(struct reader *r)
{
    uint64_t v;
    int err = KK_OK;
    if (r->nf != 2 || strcmp(r->f[0], STATE_MAGIC) != 0 ||
        kk_parse_u64(r->f[1], 1, UINT32_MAX, &v) != KK_OK) {
        err = bad(r, "not a guard state file");
        goto out;
    }
    r->version = (uint32_t)v;
out:
    return err;
}

static int record(struct reader *r)
{
    const char *t = r->f[0];
    int err = KK_OK;
    if (strcmp(t, "pos") == 0)
        err = rec_pos(r);
    else if (strcmp(t, "ban") == 0)
        err = rec_ban(r);
    else if (strcmp(t, "hist") == 0)
        err = rec_hist(r);
    else if (strcmp(t, "allow") == 0)
        err = rec_allow(r);
    else if (r->version <= GUARD_STATE_VERSION)
        err = bad(r, "unknown record");
    return err;
}

int guard_state_parse(const struct guard_conf *c, const char *text, size_t len,
                      const char *name, struct guard_state *out,
                      struct kk_diag *d)
{
    struct guard_state s;
    struct reader r;
    char *line = malloc(GUARD_STATE_LINE_MAX + 1);
    const char *nl;
    size_t at = 0, n;
    bool ended = false;
    int err = KK_ERR_NOMEM;

    memset(&s, 0, sizeof s);
    memset(&r, 0, sizeof r);
    r.c = c;
    r.name = name != NULL ? name : "state";
    r.s = &s;
    r.d = d;
    s.allow = guard_addrset_new();
    if (line == NULL || s.allow == NULL)
        goto out;
    err = KK_OK;
    if (len > GUARD_STATE_MAX) {
        kk_diag_set(d, "%s: larger than %u bytes", r.name, GUARD_STATE_MAX);
        err = KK_ERR_LIMIT;
        goto out;
    }
    while (at < len) {
        r.line++;
        nl = memchr(text + at, '\n', len - at);
        n = nl != NULL ? (size_t)(nl - (text + at)) : len - at;
        if (nl == NULL) {
            err = bad(&r, "cut short (no newline)");
            goto out;
        }
        if (n > GUARD_STATE_LINE_MAX) {
            err = bad(&r, "line too long");
            goto out;
        }
        if (ended) {
            err = bad(&r, "data after the end");
            goto out;
        }
        if (memchr(text + at, '\0', n) != NULL) {
            err = bad(&r, "NUL byte");
            goto out;
        }
        memcpy(line, text + at, n);
        line[n] = '\0';
        at += n + 1;
        err = fields(&r, line);
        if (err != KK_OK)
            goto out;
        if (r.line == 1)
            err = header(&r);
        else if (r.nf == 1 && strcmp(r.f[0], "end") == 0)
            ended = true;
        else
            err = record(&r);
        if (err != KK_OK)
            goto out;
    }
    if (!ended) {
        r.line++;
        err = bad(&r, "cut short (no end line)");
        goto out;
    }
    *out = s;
    memset(&s, 0, sizeof s);
out:
    free(line);
    guard_state_clear(&s);
    return err;
}

/* Joins dir and "state". */
static int state_path(const struct guard_conf *c, char *out, size_t cap,
                      struct kk_diag *d)
{
    int n = -1;
    if (c->state_dir != NULL)
        n = snprintf(out, cap, "%s/state", c->state_dir);
    if (n < 0 || (size_t)n >= cap) {
        kk_diag_set(d, "no state directory, or its name is too long");
        return KK_ERR_INVAL;
    }
    return KK_OK;
}

static int empty(struct guard_state *out)
{
    struct guard_addrset *allow = guard_addrset_new();
    int err = KK_ERR_NOMEM;
    if (allow == NULL)
        goto out;
    memset(out, 0, sizeof *out);
    out->allow = allow;
    err = KK_OK;
out:
    return err;
}

int guard_state_load(const struct guard_conf *c, struct guard_state *out,
                     struct kk_diag *d)
{
    char path[4096];
    struct kk_buf *b = kk_buf_new(GUARD_STATE_MAX);
    int err = KK_ERR_NOMEM;
    if (b == NULL)
        goto out;
    err = state_path(c, path, sizeof path, d);
    if (err != KK_OK)
        goto out;
    err = kk_file_read(path, GUARD_STATE_MAX, b, d);
    if (err == KK_ERR_NOTFOUND) {
        err = empty(out); /* no state yet */
        goto out;
    }
    if (err != KK_OK)
        goto out;
    err = guard_state_parse(c, (const char *)kk_buf_data(b), kk_buf_len(b),
                            path, out, d);
out:
    kk_buf_free(b);
    return err;
}

/* ---- Writing ---- */

static int put_path(struct kk_buf *b, const char *p)
{
    static const char hex[] = "0123456789ABCDEF";
    uint8_t ch;
    int err = KK_OK;
    for (; *p != '\0' && err == KK_OK; p++) {
        ch = (uint8_t)*p;
        if (ch <= 0x20 || ch == 0x7f || ch == '%') {
            err = kk_buf_putc(b, '%');
            if (err == KK_OK)
                err = kk_buf_putc(b, hex[ch >> 4]);
            if (err == KK_OK)
                err = kk_buf_putc(b, hex[ch & 15]);
        } else {
            err = kk_buf_putc(b, ch);
        }
    }
    return err;
}

static int put_pos(const struct guard_conf *c, const struct guard_state *s,
                   struct kk_buf *b)
{
    const struct guard_pos *p;
    size_t i;
    int err = KK_OK;
    for (i = 0; i < c->nlogs && i < GUARD_LOGS_MAX && err == KK_OK; i++) {
        p = &s->pos[i];
        if (!s->have_pos[i] || c->logs[i].path == NULL)
            continue;
        err = kk_buf_putf(
            b, "pos %" PRIu64 " %" PRIu64 " %" PRIu64 " %016" PRIx64 " ",
            p->dev, p->ino, p->offset, p->offset == 0 ? 0 : p->hash);
        if (err == KK_OK)
            err = put_path(b, c->logs[i].path);
        if (err == KK_OK)
            err = kk_buf_putc(b, '\n');
    }
    return err;
}

static int put_key(struct kk_buf *b, const char *tag,
                   const struct guard_addr *a)
{
    char text[GUARD_ADDR_TEXT_MAX];
    int err = guard_addr_format(a, text, sizeof text);
    if (err == KK_OK)
        err = kk_buf_putf(b, "%s %s", tag, text);
    return err;
}

static int put_bans(const struct guard_state *s, struct kk_buf *b)
{
    const struct guard_ban *x;
    struct guard_addr key;
    size_t i;
    int err = KK_OK;
    for (i = 0; i < s->nbans && err == KK_OK; i++) {
        x = &s->bans[i];
        /* written as the reader will take it: a canonical key */
        err = guard_addr_parse_prefix(
            x->address, strnlen(x->address, sizeof x->address), &key);
        if (err == KK_OK && !rule_name_ok(x->rule))
            err = KK_ERR_INVAL;
        if (err == KK_OK)
            err = put_key(b, "ban", &key);
        if (err == KK_OK)
            err = kk_buf_putf(b,
                              " %s %" PRIu32 " %" PRId64 " %" PRId64 " %" PRId64
                              " %" PRIu32 "\n",
                              x->rule, x->hits, x->first, x->banned_at,
                              x->until, x->level);
    }
    return err;
}

static int put_rest(const struct guard_state *s, struct kk_buf *b)
{
    size_t i, n = s->allow != NULL ? guard_addrset_count(s->allow) : 0;
    int err = KK_OK;
    for (i = 0; i < s->nhist && err == KK_OK; i++) {
        err = put_key(b, "hist", &s->hist[i].key);
        if (err == KK_OK)
            err = kk_buf_putf(b, " %" PRIu32 " %" PRId64 "\n", s->hist[i].bans,
                              s->hist[i].last);
    }
    for (i = 0; i < n && err == KK_OK; i++) {
        err = put_key(b, "allow", guard_addrset_at(s->allow, i));
        if (err == KK_OK)
            err = kk_buf_putc(b, '\n');
    }
    return err;
}

int guard_state_format(const struct guard_conf *c, const struct guard_state *s,
                       struct kk_buf *b)
{
    int err = kk_buf_putf(b, "%s %d\n", STATE_MAGIC, GUARD_STATE_VERSION);
    if (err == KK_OK)
        err = put_pos(c, s, b);
    if (err == KK_OK)
        err = put_bans(s, b);
    if (err == KK_OK)
        err = put_rest(s, b);
    if (err == KK_OK)
        err = kk_buf_puts(b, "end\n");
    return err;
}

/* mkdir -p, new directories 0700. */
static int make_dir(const char *dir, struct kk_diag *d)
{
    char p[4096];
    size_t n = strlen(dir), i;
    int err = KK_OK;
    if (n == 0 || n >= sizeof p) {
        err = KK_ERR_INVAL;
        kk_diag_set(d, "bad state directory");
        goto out;
    }
    memcpy(p, dir, n + 1);
    for (i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        p[i] = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            kk_diag_set(d, "%s: %s", p, strerror(errno));
            err = errno == EACCES ? KK_ERR_PERM : KK_ERR_IO;
            goto out;
        }
        p[i] = dir[i];
    }
out:
    return err;
}

int guard_state_save(const struct guard_conf *c, const struct guard_state *s,
                     struct kk_diag *d)
{
    char path[4096];
    struct kk_buf *b = kk_buf_new(GUARD_STATE_MAX);
    int err = KK_ERR_NOMEM;
    if (b == NULL)
        goto out;
    err = state_path(c, path, sizeof path, d);
    if (err == KK_OK)
        err = make_dir(c->state_dir, d);
    if (err != KK_OK)
        goto out;
    err = guard_state_format(c, s, b);
    if (err != KK_OK) {
        kk_diag_set(d, "%s: cannot write the state: %s", path,
                    kk_strerror(err));
        goto out;
    }
    err = kk_file_write_atomic(path, kk_buf_data(b), kk_buf_len(b), 0600, d);
out:
    kk_buf_free(b);
    return err;
}
