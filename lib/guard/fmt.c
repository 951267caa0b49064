/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fmt.c - log formats: their names, the guess made from a log's first
 * lines, and the calendar arithmetic the readers share.
 *
 * Detection looks at one line at a time and is cheap, so a source can try
 * its first few lines and keep the first answer; a line that fits no
 * format gives AUTO and the next line decides.  The journal's export
 * format is told by its "KEY=value" shape (field names are upper case),
 * syslog by its time stamp, and a web line by reading it whole.  Dates are
 * turned into days with the civil-from-days arithmetic (no mktime, no
 * zone), which costs a few multiplications per line.
 */
#include <string.h>

#include "parse.h"

int64_t guard_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    int64_t yoe;
    int64_t doy;
    int64_t doe;

    /* Years start in March so that the leap day is the year's last. */
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t)d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

unsigned guard_month3(const char *p)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    unsigned m = 0;

    for (unsigned i = 0; i < 12; i++) {
        if (p[0] == names[3 * i] && p[1] == names[3 * i + 1] &&
            p[2] == names[3 * i + 2]) {
            m = i + 1;
            break;
        }
    }
    return m;
}

unsigned guard_month_days(int64_t y, unsigned m)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30,
                                           31, 31, 30, 31, 30, 31};
    unsigned n = 0;

    if (m >= 1 && m <= 12) {
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        n = days[m - 1] + (m == 2 && leap ? 1u : 0u);
    }
    return n;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* "Nov 29 07:50:14 " or "Nov  9 07:50:14 " */
static bool looks_bsd(const char *s, size_t len)
{
    return len >= 16 && guard_month3(s) != 0 && s[3] == ' ' &&
           (s[4] == ' ' || is_digit(s[4])) && is_digit(s[5]) && s[6] == ' ' &&
           is_digit(s[7]) && is_digit(s[8]) && s[9] == ':' && is_digit(s[10]) &&
           is_digit(s[11]) && s[12] == ':' && is_digit(s[13]) &&
           is_digit(s[14]) && s[15] == ' ';
}

/* "2026-11-29T07:50:14" */
static bool looks_rfc3339(const char *s, size_t len)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    bool ok = len > sizeof shape - 1;
    for (size_t i = 0; ok && i < sizeof shape - 1; i++) {
        ok = shape[i] == 'd' ? is_digit(s[i]) : s[i] == shape[i];
    }
    return ok;
}

/* "KEY=..." with a journal field name: upper case, digits, '_'. */
static bool looks_journal(const char *s, size_t len)
{
    size_t i = 0;
    bool ok = false;

    while (i < len && i <= 64 &&
           ((s[i] >= 'A' && s[i] <= 'Z') || is_digit(s[i]) || s[i] == '_')) {
        i++;
    }
    ok = i > 0 && i <= 64 && i < len && s[i] == '=' && !is_digit(s[0]);
    return ok;
}

enum guard_fmt guard_fmt_detect(const char *line, size_t len)
{
    struct guard_web w;
    enum guard_fmt f = GUARD_FMT_AUTO;

    if (line == NULL || len == 0) {
        goto out;
    }
    if (looks_journal(line, len)) {
        f = GUARD_FMT_JOURNAL;
    } else if (looks_bsd(line, len) || looks_rfc3339(line, len)) {
        f = GUARD_FMT_SYSLOG;
    } else if (guard_web_parse(line, len, &w) == KK_OK) {
        f = GUARD_FMT_WEB;
    }
out:
    return f;
}

static const char *const fmt_names[] = {
    [GUARD_FMT_AUTO] = "auto",
    [GUARD_FMT_WEB] = "web",
    [GUARD_FMT_SYSLOG] = "syslog",
    [GUARD_FMT_JOURNAL] = "journal",
};

const char *guard_fmt_name(enum guard_fmt f)
{
    const char *name = "auto";
    if ((unsigned)f < sizeof fmt_names / sizeof fmt_names[0]) {
        name = fmt_names[f];
    }
    return name;
}

int guard_fmt_from_name(const char *s, enum guard_fmt *out)
{
    int rc = KK_ERR_INVAL;

    for (size_t i = 0; s != NULL && i < sizeof fmt_names / sizeof fmt_names[0];
         i++) {
        if (strcmp(s, fmt_names[i]) == 0) {
            *out = (enum guard_fmt)i;
            rc = KK_OK;
            break;
        }
    }
    return rc;
}
