/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * parse.h - the log-line readers: web-server access logs, syslog text and
 * the systemd journal's export format.
 *
 * Each reader splits a line once into spans of the caller's buffer (no
 * copies, no allocation) and reads the time written in it.  They never
 * fail on a line in a way that stops the guard: a line that is not of the
 * format gives KK_ERR_INVAL and is counted as unparsed.
 */
#ifndef KALKAN_GUARD_PARSE_H
#define KALKAN_GUARD_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define GUARD_LINE_MAX 16384 /* bytes in one log line; longer is cut */

enum guard_fmt {
    GUARD_FMT_AUTO = 0, /* detected from the first lines */
    GUARD_FMT_WEB,      /* nginx/Apache combined or common, +- vhost */
    GUARD_FMT_SYSLOG,   /* BSD (RFC 3164) or RFC 3339 timestamped syslog */
    GUARD_FMT_JOURNAL,  /* `journalctl -o export` records */
};

struct guard_span {
    const char *p;
    size_t n;
};

/* One access-log line.  Spans point into the caller's line and keep the
 * server's escapes (\x22 from nginx, \" from Apache); an empty span has
 * n == 0 (p may then be NULL). */
struct guard_web {
    struct guard_addr addr;    /* the client */
    int64_t t;                 /* Unix seconds (UTC) from [10/Oct/2026:...] */
    struct guard_span vhost;   /* without ":port"; empty when none */
    struct guard_span request; /* the raw request line between quotes */
    struct guard_span method;  /* empty when malformed */
    struct guard_span path;    /* the target, query included; empty when
                                  malformed */
    struct guard_span proto;   /* "HTTP/1.1"; empty when malformed */
    struct guard_span referer; /* empty for common format or "-" */
    struct guard_span agent;   /* empty for common format or "-" */
    int status;                /* 100-999 */
    bool malformed;            /* request line is not METHOD SP TARGET SP
                                  HTTP/x.y (raw TLS bytes, "-", junk) */
};

/* Reads one access-log line (no newline; any bytes, NUL included, are
 * safe).  KK_ERR_INVAL when it is not one; *out is set only on success.
 * Thread-safe (no state). */
int guard_web_parse(const char *line, size_t len, struct guard_web *out);

/* One syslog line or journal record. */
struct guard_syslog {
    int64_t t;                 /* Unix seconds (UTC) */
    struct guard_span host;    /* may be empty */
    struct guard_span program; /* "sshd"; empty when the line has no tag */
    long pid;                  /* -1 when absent */
    struct guard_span message; /* after "program[pid]: " (after the host
                                  when there is no tag) */
};

/*
 * Reads one syslog line.  BSD timestamps ("Nov 29 07:50:14") carry no
 * year or zone: they are read in the local zone of the process (TZ), in
 * the year that puts them at most 31 days after ref (the file's
 * modification time, or now), and cached per hour so that a line costs no
 * mktime().  RFC 3339 stamps carry both.  clk may be NULL (no cache).
 * The tag is "program[pid]:" or "program:" with a program of at most 31
 * bytes; a line with a stamp but no such tag is read with an empty
 * program.  KK_ERR_INVAL when the stamp does not read; *out set only on
 * success.  A clock belongs to one thread.
 */
struct guard_clock; /* per-source cache for BSD stamps */
/* NULL when out of memory; guard_clock_free(NULL) is a no-op. */
struct guard_clock *guard_clock_new(void);
void guard_clock_free(struct guard_clock *c);
int guard_syslog_parse(const char *line, size_t len, struct guard_clock *clk,
                       int64_t ref, struct guard_syslog *out);

/*
 * The journal's export format: "KEY=value\n" fields, binary fields as
 * "KEY\n" + 64-bit little-endian length + bytes + "\n", records ended by
 * an empty line.  The reader keeps at most GUARD_LINE_MAX bytes of the
 * fields it needs (__REALTIME_TIMESTAMP, _HOSTNAME, SYSLOG_IDENTIFIER or
 * _COMM, _PID, MESSAGE) and skips the others.  A kept field longer than
 * the store is dropped (so a record whose MESSAGE is too long gives no
 * call); a record over 64 MiB, or damaged (a bad field name, a binary
 * field not ended by "\n"), is dropped up to the next empty line.
 * guard_journal_new returns NULL when out of memory.
 */
struct guard_journal;
struct guard_journal *guard_journal_new(void);
void guard_journal_free(struct guard_journal *j);
/*
 * Feeds bytes; calls rec(ctx, record) for each complete record that has a
 * MESSAGE (the spans point into the reader and are valid during the call).
 * *consumed is how many bytes ended complete records (where a restart may
 * resume).  Returns KK_OK; malformed input is skipped to the next record.
 */
typedef void (*guard_journal_cb)(void *ctx, const struct guard_syslog *rec);
int guard_journal_feed(struct guard_journal *j, const char *data, size_t len,
                       guard_journal_cb rec, void *ctx, size_t *consumed);

/* Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian; m
 * 1-12, d 1-31; negative before 1970).  Pure arithmetic, no zone. */
int64_t guard_days_from_civil(int64_t y, unsigned m, unsigned d);
/* 1-12 for "Jan".."Dec" (exact case) at p[0..3), 0 otherwise. */
unsigned guard_month3(const char *p);
/* Days in month m (1-12) of year y. */
unsigned guard_month_days(int64_t y, unsigned m);

/* Guesses the format from one line: WEB, SYSLOG, JOURNAL ("KEY=value" or
 * "__CURSOR=") or AUTO when it cannot tell. */
enum guard_fmt guard_fmt_detect(const char *line, size_t len);
const char *guard_fmt_name(enum guard_fmt f);
int guard_fmt_from_name(const char *s, enum guard_fmt *out);

#endif
