/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * parse_syslog.c - one syslog line: a BSD (RFC 3164) stamp
 * "Nov 29 07:50:14" or an RFC 3339 stamp
 * "2026-11-29T07:50:14.123456+06:00", then the host, then the tag
 * "program[pid]:" or "program:", then the message.
 *
 * An RFC 3339 stamp carries its year and offset and is read by arithmetic.
 * A BSD stamp carries neither: it is local time in the process's zone, in
 * the year that puts it at most 31 days after the reference time (so a
 * log read in January places December's lines in the year before).  Both
 * the year and the zone offset can change only between hours, so the
 * clock caches the Unix time of the start of the hour last seen and a
 * line costs additions; mktime() runs once per new hour, which also gets
 * daylight-saving changes right.  A line whose stamp reads but whose tag
 * does not is still a syslog line: its program is empty, so no sshd rule
 * matches it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parse.h"

#define GUARD_PROGRAM_MAX 31 /* bytes in a program name */

struct guard_clock {
    bool valid;
    unsigned mon;
    unsigned day;
    unsigned hour;
    int64_t ref_hour; /* ref / 3600 the entry was computed for */
    int64_t base;     /* Unix time of mon-day hour:00:00 local */
};

struct guard_clock *guard_clock_new(void)
{
    struct guard_clock *c = calloc(1, sizeof *c);
    if (c != NULL) {
        tzset();
    }
    return c;
}

void guard_clock_free(struct guard_clock *c)
{
    free(c);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static unsigned dig2(const char *p)
{
    return (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');
}

/* Fills the clock for a BSD stamp's mon-day hour seen near ref. */
static bool clock_fill(struct guard_clock *c, unsigned mon, unsigned day,
                       unsigned hour, int64_t ref)
{
    time_t r = (time_t)ref;
    struct tm rt;
    struct tm tm;
    int64_t limit;
    int64_t year = 0;
    int64_t tl = 0;
    time_t base;
    bool ok = false;

    if (localtime_r(&r, &rt) == NULL) {
        goto out;
    }
    /* local wall time of ref, plus the 31 days a stamp may lie ahead */
    limit = ref + rt.tm_gmtoff + 31 * 86400;
    for (int64_t y = (int64_t)rt.tm_year + 1900 + 1;
         y >= (int64_t)rt.tm_year + 1900 - 1; y--) {
        if (day > guard_month_days(y, mon)) {
            continue;
        }
        tl = guard_days_from_civil(y, mon, day) * 86400 + hour * 3600;
        if (tl <= limit) {
            year = y;
            break;
        }
    }
    if (year == 0) {
        goto out; /* Feb 29 with no leap year near */
    }
    memset(&tm, 0, sizeof tm);
    tm.tm_year = (int)(year - 1900);
    tm.tm_mon = (int)mon - 1;
    tm.tm_mday = (int)day;
    tm.tm_hour = (int)hour;
    tm.tm_isdst = -1;
    base = mktime(&tm);
    c->base = base == (time_t)-1 ? tl - rt.tm_gmtoff : (int64_t)base;
    c->mon = mon;
    c->day = day;
    c->hour = hour;
    c->ref_hour = ref / 3600;
    c->valid = true;
    ok = true;
out:
    return ok;
}

/* "Nov 29 07:50:14 " (day space-padded or not); returns bytes read. */
static size_t read_bsd(const char *s, size_t len, struct guard_clock *clk,
                       int64_t ref, int64_t *t)
{
    struct guard_clock local;
    unsigned mon;
    unsigned day;
    unsigned hh;
    unsigned mm;
    unsigned ss;
    size_t used = 0;

    if (len < 16 || s[3] != ' ' || s[6] != ' ' || s[9] != ':' || s[12] != ':' ||
        s[15] != ' ') {
        goto out;
    }
    mon = guard_month3(s);
    if (mon == 0 || !is_digit(s[5]) || !is_digit(s[7]) || !is_digit(s[8]) ||
        !is_digit(s[10]) || !is_digit(s[11]) || !is_digit(s[13]) ||
        !is_digit(s[14])) {
        goto out;
    }
    if (s[4] == ' ') {
        day = (unsigned)(s[5] - '0');
    } else if (is_digit(s[4])) {
        day = dig2(s + 4);
    } else {
        goto out;
    }
    hh = dig2(s + 7);
    mm = dig2(s + 10);
    ss = dig2(s + 13);
    if (day == 0 || day > 31 || hh > 23 || mm > 59 || ss > 60) {
        goto out;
    }
    if (clk == NULL) {
        memset(&local, 0, sizeof local);
        clk = &local;
    }
    if (!clk->valid || clk->mon != mon || clk->day != day || clk->hour != hh ||
        clk->ref_hour != ref / 3600) {
        if (!clock_fill(clk, mon, day, hh, ref)) {
            goto out;
        }
    }
    *t = clk->base + mm * 60 + ss;
    used = 16;
out:
    return used;
}

/* "2026-11-29T07:50:14[.frac](Z|+06:00) "; returns bytes read. */
static size_t read_rfc3339(const char *s, size_t len, int64_t *t)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    int64_t year;
    unsigned mon;
    unsigned day;
    unsigned hh;
    unsigned mm;
    unsigned ss;
    int64_t off = 0;
    size_t i = sizeof shape - 1;
    size_t used = 0;

    if (len < i + 2) {
        goto out;
    }
    for (size_t k = 0; k < i; k++) {
        bool ok = shape[k] == 'd' ? is_digit(s[k]) : s[k] == shape[k];
        if (!ok) {
            goto out;
        }
    }
    year = (int64_t)dig2(s) * 100 + dig2(s + 2);
    mon = dig2(s + 5);
    day = dig2(s + 8);
    hh = dig2(s + 11);
    mm = dig2(s + 14);
    ss = dig2(s + 17);
    if (mon < 1 || mon > 12 || day < 1 || day > guard_month_days(year, mon) ||
        hh > 23 || mm > 59 || ss > 60) {
        goto out;
    }
    if (s[i] == '.') {
        size_t f = ++i;
        while (i < len && is_digit(s[i]) && i - f < 9) {
            i++;
        }
        if (i == f) {
            goto out;
        }
    }
    if (i < len && s[i] == 'Z') {
        i++;
    } else if (len - i >= 6 && (s[i] == '+' || s[i] == '-') &&
               is_digit(s[i + 1]) && is_digit(s[i + 2]) && s[i + 3] == ':' &&
               is_digit(s[i + 4]) && is_digit(s[i + 5])) {
        unsigned oh = dig2(s + i + 1);
        unsigned om = dig2(s + i + 4);
        if (oh > 23 || om > 59) {
            goto out;
        }
        off = (int64_t)(oh * 3600 + om * 60);
        if (s[i] == '-') {
            off = -off;
        }
        i += 6;
    } else {
        goto out;
    }
    if (i >= len || s[i] != ' ') {
        goto out;
    }
    *t = guard_days_from_civil(year, mon, day) * 86400 +
         (int64_t)(hh * 3600 + mm * 60 + ss) - off;
    used = i + 1;
out:
    return used;
}

/* Reads a tag "prog[pid]:" or "prog:" at [p, e) (the token, colon
 * included); false when it is not one. */
static bool read_tag(const char *p, const char *e, struct guard_syslog *o)
{
    const char *lb;
    size_t n;
    long pid = -1;
    bool ok = false;

    if (e - p < 2 || e[-1] != ':') {
        goto out;
    }
    e--;
    n = (size_t)(e - p);
    if (p[n - 1] == ']') {
        lb = memchr(p, '[', n);
        if (lb == NULL || e - lb < 3 || e - lb > 12) {
            goto out;
        }
        pid = 0;
        for (const char *d = lb + 1; d < e - 1; d++) {
            if (!is_digit(*d)) {
                goto out;
            }
            pid = pid * 10 + (*d - '0');
        }
        n = (size_t)(lb - p);
    }
    if (n == 0 || n > GUARD_PROGRAM_MAX || memchr(p, '[', n) != NULL) {
        goto out;
    }
    o->program.p = p;
    o->program.n = n;
    o->pid = pid;
    ok = true;
out:
    return ok;
}

int guard_syslog_parse(const char *line, size_t len, struct guard_clock *clk,
                       int64_t ref, struct guard_syslog *out)
{
    struct guard_syslog s;
    const char *end;
    const char *p;
    const char *sp;
    const char *tag_end;
    size_t used = 0;
    int rc = KK_ERR_INVAL;

    memset(&s, 0, sizeof s);
    s.pid = -1;
    if (line == NULL || len < 16) {
        goto out;
    }
    end = line + len;
    if (is_digit(line[0])) {
        used = read_rfc3339(line, len, &s.t);
    } else {
        used = read_bsd(line, len, clk, ref, &s.t);
    }
    if (used == 0) {
        goto out;
    }
    p = line + used;
    /* the host, unless the first word is already the tag */
    sp = memchr(p, ' ', (size_t)(end - p));
    tag_end = sp != NULL ? sp : end;
    if (read_tag(p, tag_end, &s)) {
        p = tag_end;
    } else {
        if (sp == NULL || sp == p) {
            goto out;
        }
        s.host.p = p;
        s.host.n = (size_t)(sp - p);
        p = sp + 1;
        sp = memchr(p, ' ', (size_t)(end - p));
        tag_end = sp != NULL ? sp : end;
        if (read_tag(p, tag_end, &s)) {
            p = tag_end;
        }
    }
    /* without a tag the message is all that follows the host */
    if (p < end && *p == ' ') {
        p++;
    }
    s.message.p = p;
    s.message.n = (size_t)(end - p);
    *out = s;
    rc = KK_OK;
out:
    return rc;
}
