/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * journal.c - records of the systemd journal's export format, as written
 * by `journalctl -o export` and read here in chunks of any size.
 *
 * A record is a run of fields ended by an empty line.  A text field is
 * "KEY=value\n"; a binary one (a value holding a newline or control bytes)
 * is "KEY\n", a 64-bit little-endian length, the bytes, and "\n".  The
 * reader is a byte-level state machine, so a chunk may end anywhere,
 * even inside a length.  It keeps only the six fields the guard reads, in
 * one fixed store of GUARD_LINE_MAX bytes, and counts through the others
 * without keeping them, so a core dump of megabytes costs no memory.  A
 * kept field that does not fit the store is dropped; a record past
 * GUARD_JOURNAL_RECORD_MAX bytes is dropped whole; garbage (a bad key, a
 * binary field not ended by a newline) drops the record and the reader
 * waits for the next empty line.  None of these loses the place of the
 * next record.  The trade-off: a record whose MESSAGE is longer than the
 * store is not seen at all, where a text log's long line is cut and read.
 */
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define GUARD_JOURNAL_KEY_MAX 64 /* bytes in a field name */
#define GUARD_JOURNAL_RECORD_MAX                                               \
    ((uint64_t)64 * 1024 * 1024) /* bytes in one record */

enum jstate {
    J_KEY,     /* reading a field name, or the empty line ending a record */
    J_TEXT,    /* reading a text value up to '\n' */
    J_BINLEN,  /* reading the 8 length bytes of a binary value */
    J_BINDATA, /* reading the binary value */
    J_BINEND,  /* the '\n' after a binary value */
    J_RESYNC,  /* skipping to the next empty line */
};

enum jfield {
    F_TIME,  /* __REALTIME_TIMESTAMP */
    F_HOST,  /* _HOSTNAME */
    F_IDENT, /* SYSLOG_IDENTIFIER */
    F_COMM,  /* _COMM */
    F_PID,   /* _PID */
    F_MSG,   /* MESSAGE */
    F_COUNT,
    F_NONE = F_COUNT,
};

static const char *const field_names[F_COUNT] = {
    "__REALTIME_TIMESTAMP",
    "_HOSTNAME",
    "SYSLOG_IDENTIFIER",
    "_COMM",
    "_PID",
    "MESSAGE",
};

struct guard_journal {
    enum jstate st;
    char key[GUARD_JOURNAL_KEY_MAX];
    size_t klen;
    enum jfield field; /* the field whose value is being read */
    bool keep;         /* its value goes to the store */
    size_t vstart;     /* where in the store the value starts */
    uint8_t lenb[8];
    unsigned nlen;
    uint64_t left;   /* binary bytes still to read */
    uint64_t rbytes; /* bytes of the current record */
    bool prev_nl;    /* J_RESYNC: the last byte was '\n' */
    bool have[F_COUNT];
    size_t off[F_COUNT];
    size_t len[F_COUNT];
    size_t used;
    char store[GUARD_LINE_MAX];
};

struct guard_journal *guard_journal_new(void)
{
    struct guard_journal *j = calloc(1, sizeof *j);
    return j;
}

void guard_journal_free(struct guard_journal *j)
{
    free(j);
}

static void record_reset(struct guard_journal *j)
{
    memset(j->have, 0, sizeof j->have);
    j->used = 0;
    j->rbytes = 0;
    j->klen = 0;
    j->st = J_KEY;
}

static enum jfield field_of(const char *key, size_t n)
{
    enum jfield f = F_NONE;
    for (int i = 0; i < F_COUNT; i++) {
        if (strlen(field_names[i]) == n &&
            memcmp(field_names[i], key, n) == 0) {
            f = (enum jfield)i;
            break;
        }
    }
    return f;
}

static void value_begin(struct guard_journal *j)
{
    j->field = field_of(j->key, j->klen);
    j->keep = j->field != F_NONE && !j->have[j->field];
    j->vstart = j->used;
}

static void value_put(struct guard_journal *j, const char *p, size_t n)
{
    if (j->keep) {
        if (n > sizeof j->store - j->used) {
            j->keep = false; /* too long: the field is dropped */
            j->used = j->vstart;
        } else {
            memcpy(j->store + j->used, p, n);
            j->used += n;
        }
    }
}

static void value_end(struct guard_journal *j)
{
    if (j->keep) {
        j->have[j->field] = true;
        j->off[j->field] = j->vstart;
        j->len[j->field] = j->used - j->vstart;
    }
    j->keep = false;
    j->klen = 0;
    j->st = J_KEY;
}

/* Digits of [p, p+n) as a number below 10^19; false otherwise. */
static bool read_num(const char *p, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    bool ok = n > 0 && n <= 19;
    for (size_t i = 0; ok && i < n; i++) {
        ok = p[i] >= '0' && p[i] <= '9';
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    if (ok) {
        *out = v;
    }
    return ok;
}

static void record_emit(struct guard_journal *j, guard_journal_cb rec,
                        void *ctx)
{
    struct guard_syslog s;
    uint64_t us;
    uint64_t pid;
    enum jfield prog = j->have[F_IDENT] ? F_IDENT : F_COMM;

    if (!j->have[F_MSG] || !j->have[F_TIME] || rec == NULL ||
        j->rbytes > GUARD_JOURNAL_RECORD_MAX ||
        !read_num(j->store + j->off[F_TIME], j->len[F_TIME], &us)) {
        return;
    }
    memset(&s, 0, sizeof s);
    s.t = (int64_t)(us / 1000000);
    s.pid = -1;
    if (j->have[F_HOST]) {
        s.host.p = j->store + j->off[F_HOST];
        s.host.n = j->len[F_HOST];
    }
    if (j->have[prog]) {
        s.program.p = j->store + j->off[prog];
        s.program.n = j->len[prog];
    }
    if (j->have[F_PID] &&
        read_num(j->store + j->off[F_PID], j->len[F_PID], &pid) &&
        pid <= 0x7fffffff) {
        s.pid = (long)pid;
    }
    s.message.p = j->store + j->off[F_MSG];
    s.message.n = j->len[F_MSG];
    rec(ctx, &s);
}

static bool key_byte(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           (c >= 'a' && c <= 'z');
}

int guard_journal_feed(struct guard_journal *j, const char *data, size_t len,
                       guard_journal_cb rec, void *ctx, size_t *consumed)
{
    size_t i = 0;

    *consumed = 0;
    while (i < len) {
        size_t start = i;
        char c = data[i];
        switch (j->st) {
        case J_KEY:
            i++;
            if (c == '\n' && j->klen == 0) {
                /* the empty line ending a record */
                record_emit(j, rec, ctx);
                record_reset(j);
                *consumed = i;
                continue;
            } else if (c == '\n') {
                value_begin(j);
                j->nlen = 0;
                j->st = J_BINLEN;
            } else if (c == '=' && j->klen > 0) {
                value_begin(j);
                j->st = J_TEXT;
            } else if (key_byte(c) && j->klen < sizeof j->key) {
                j->key[j->klen++] = c;
            } else {
                j->prev_nl = false;
                j->st = J_RESYNC;
            }
            break;
        case J_TEXT: {
            const char *nl = memchr(data + i, '\n', len - i);
            size_t n = nl != NULL ? (size_t)(nl - (data + i)) : len - i;
            value_put(j, data + i, n);
            i += n;
            if (nl != NULL) {
                i++;
                value_end(j);
            }
            break;
        }
        case J_BINLEN:
            j->lenb[j->nlen++] = (uint8_t)c;
            i++;
            if (j->nlen == 8) {
                uint64_t n = 0;
                for (int k = 7; k >= 0; k--) {
                    n = n << 8 | j->lenb[k];
                }
                j->left = n;
                if (n > GUARD_JOURNAL_RECORD_MAX * 64) {
                    /* no journal field is that long: the stream is
                     * damaged */
                    j->keep = false;
                    j->prev_nl = false;
                    j->st = J_RESYNC;
                } else {
                    j->st = n == 0 ? J_BINEND : J_BINDATA;
                }
            }
            break;
        case J_BINDATA: {
            size_t n = len - i;
            if ((uint64_t)n > j->left) {
                n = (size_t)j->left;
            }
            value_put(j, data + i, n);
            j->left -= n;
            i += n;
            if (j->left == 0) {
                j->st = J_BINEND;
            }
            break;
        }
        case J_BINEND:
            i++;
            if (c == '\n') {
                value_end(j);
            } else {
                j->keep = false;
                j->prev_nl = false;
                j->st = J_RESYNC;
            }
            break;
        case J_RESYNC: {
            const char *nl = memchr(data + i, '\n', len - i);
            if (nl == NULL) {
                i = len;
                j->prev_nl = false;
                break;
            }
            if (nl != data + i) {
                j->prev_nl = false;
            }
            i = (size_t)(nl - data) + 1;
            if (j->prev_nl) {
                record_reset(j); /* the damaged record is dropped */
                *consumed = i;
                continue;
            } else {
                j->prev_nl = true;
            }
            break;
        }
        }
        if (j->rbytes <= GUARD_JOURNAL_RECORD_MAX) {
            j->rbytes += i - start;
        }
    }
    return KK_OK;
}
