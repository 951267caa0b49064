/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * source.c - one log as the engine sees it: a line in, hits out.
 *
 * The format is given by the configuration or taken from the first line
 * that any reader recognises, and then kept: a log does not change format
 * half-way, and deciding once saves a detection per line.  Lines before
 * the format is known count as unparsed.  Journal exports are byte streams
 * cut into lines by the caller; the newline is handed back to the journal
 * reader so that binary fields (which may hold newlines) come out whole.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "guard_int.h"

struct guard_source {
    enum guard_fmt fmt;
    int64_t ref;
    char *name;
    struct guard_clock *clk;
    struct guard_journal *jr;
    struct guard_source_counts n;
    uint64_t lineno;
    /* filled by the journal callback during one feed */
    struct guard_matcher *m;
    const struct guard_conf *c;
    FILE *matches;
    struct guard_hit *hits;
    size_t *nhits;
};

int guard_source_new(enum guard_fmt fmt, int64_t ref, const char *name,
                     struct guard_source **out)
{
    struct guard_source *s = calloc(1, sizeof *s);
    int err = KK_ERR_NOMEM;
    if (s == NULL)
        goto out;
    s->fmt = fmt;
    s->ref = ref;
    s->name = strdup(name != NULL ? name : "-");
    s->clk = guard_clock_new();
    if (s->name == NULL || s->clk == NULL)
        goto out;
    *out = s;
    s = NULL;
    err = KK_OK;
out:
    guard_source_free(s);
    return err;
}

void guard_source_free(struct guard_source *s)
{
    if (s == NULL)
        return;
    guard_journal_free(s->jr);
    guard_clock_free(s->clk);
    free(s->name);
    free(s);
}

enum guard_fmt guard_source_fmt(const struct guard_source *s)
{
    return s->fmt;
}

void guard_source_counts(const struct guard_source *s,
                         struct guard_source_counts *out)
{
    *out = s->n;
}

/* One "--matches" row per rule bit of h. */
static void write_matches(struct guard_source *s, const struct guard_hit *h)
{
    char addr[GUARD_ADDR_TEXT_MAX];
    if (guard_addr_format(&h->addr, addr, sizeof addr) != KK_OK)
        return;
    for (size_t i = 0; i < s->c->nrules && i < 64; i++) {
        if ((h->rules >> i) & 1u)
            fprintf(s->matches, "%s\t%s\t%" PRId64 "\t%s:%" PRIu64 "\n", addr,
                    s->c->rules[i].name, h->t, s->name, s->lineno);
    }
}

/* Counts a hit and keeps it when a rule cares. */
static void take(struct guard_source *s, const struct guard_hit *h)
{
    if (h->t > s->n.last_t)
        s->n.last_t = h->t;
    if (h->rules == 0 && h->resets == 0)
        return;
    if (h->rules != 0) {
        s->n.matched++;
        if (s->matches != NULL)
            write_matches(s, h);
    }
    if (*s->nhits < GUARD_SOURCE_HITS)
        s->hits[(*s->nhits)++] = *h;
}

static void on_record(void *ctx, const struct guard_syslog *rec)
{
    struct guard_source *s = ctx;
    struct guard_hit h;
    memset(&h, 0, sizeof h);
    s->n.lines++;
    s->lineno++;
    guard_match_syslog(s->m, rec, &h);
    h.t = rec->t;
    take(s, &h);
}

static void feed_journal(struct guard_source *s, const char *line, size_t len)
{
    size_t used = 0;
    if (s->jr == NULL) {
        s->jr = guard_journal_new();
        if (s->jr == NULL)
            return;
    }
    /* The caller cut the stream at newlines: give them back. */
    if (guard_journal_feed(s->jr, line, len, on_record, s, &used) != KK_OK ||
        guard_journal_feed(s->jr, "\n", 1, on_record, s, &used) != KK_OK)
        s->n.unparsed++;
}

void guard_source_feed(struct guard_source *s, struct guard_matcher *m,
                       const struct guard_conf *c, const char *line, size_t len,
                       FILE *matches, struct guard_hit hits[GUARD_SOURCE_HITS],
                       size_t *n)
{
    struct guard_hit h;
    *n = 0;
    s->m = m;
    s->c = c;
    s->matches = matches;
    s->hits = hits;
    s->nhits = n;
    if (s->fmt == GUARD_FMT_AUTO)
        s->fmt = guard_fmt_detect(line, len);
    if (s->fmt == GUARD_FMT_JOURNAL) {
        feed_journal(s, line, len);
        return;
    }
    s->n.lines++;
    s->lineno++;
    memset(&h, 0, sizeof h);
    if (s->fmt == GUARD_FMT_WEB) {
        struct guard_web w;
        if (guard_web_parse(line, len, &w) != KK_OK) {
            s->n.unparsed++;
            return;
        }
        guard_match_web(m, &w, &h);
        h.t = w.t;
        h.addr = w.addr;
    } else if (s->fmt == GUARD_FMT_SYSLOG) {
        struct guard_syslog sl;
        if (guard_syslog_parse(line, len, s->clk, s->ref, &sl) != KK_OK) {
            s->n.unparsed++;
            return;
        }
        guard_match_syslog(m, &sl, &h);
        h.t = sl.t;
    } else {
        s->n.unparsed++;
        return;
    }
    take(s, &h);
}
