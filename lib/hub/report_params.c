/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_params.c - a report's parameters: the period, the "as of" date,
 * the format, the language and the view, read from a query string.
 *
 * A pure function of the typed text and the clock, so it is unit-tested
 * and fuzzed on its own.  Dates are whole UTC days written YYYY-MM-DD:
 * anything else (a time, a missing zero, 2026-02-30) is refused rather
 * than guessed, because a report's period is printed on it and hashed
 * with it; the range 2000..2100 keeps every later month walk short.
 */
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "report.h"

static const char *const format_names[] = {NULL, "html", "json", "csv", "pdf"};
static const char *const view_names[] = {NULL, "full", "donor"};

const char *hub_rep_format_name(int format)
{
    return format >= HUB_REP_HTML && format <= HUB_REP_PDF
               ? format_names[format]
               : NULL;
}

const char *hub_rep_view_name(int view)
{
    return view == HUB_REP_FULL || view == HUB_REP_DONOR ? view_names[view]
                                                         : NULL;
}

int64_t hub_rep_add_months(int64_t t, int months)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    tm.tm_mon += months;
    return (int64_t)timegm(&tm);
}

void hub_rep_day(int64_t t, char day[11])
{
    char buf[32];
    if (kk_format_time(t, buf, sizeof buf) != KK_OK) {
        memcpy(day, "0000-00-00", 11);
        return;
    }
    memcpy(day, buf, 10);
    day[10] = '\0';
}

/* A day YYYY-MM-DD in range: its 00:00:00 UTC into *t. */
static bool day_ok(const char *s, int64_t *t)
{
    char buf[24];
    if (strlen(s) != 10 || strcmp(s, HUB_REP_DAY_MIN) < 0 ||
        strcmp(s, HUB_REP_DAY_MAX) > 0 || strspn(s, "0123456789-") != 10 ||
        s[4] != '-' || s[7] != '-')
        return false;
    memcpy(buf, s, 10);
    memcpy(buf + 10, "T00:00:00Z", 11);
    return kk_parse_time(buf, t) == KK_OK;
}

static int pick(const char *s, const char *const *names, int n)
{
    for (int i = 1; i < n; i++) {
        if (strcmp(s, names[i]) == 0)
            return i;
    }
    return 0;
}

static bool given(const char *s)
{
    return s != NULL && s[0] != '\0';
}

int hub_rep_params_parse(const struct hub_rep_input *in, int64_t now,
                         int64_t start, int def_format,
                         struct hub_rep_params *out, const char **bad,
                         const char **why)
{
    struct hub_rep_params p;
    char today[11], start_day[11];
    int64_t today_t, t;
    int err = KK_ERR_INVAL;

    memset(&p, 0, sizeof p);
    *bad = NULL;
    *why = NULL;
    hub_rep_day(now, today);
    hub_rep_day(start, start_day);
    if (!day_ok(today, &today_t)) {
        *bad = "as_of";
        *why = "Enter a date as YYYY-MM-DD, between 2000 and 2100.";
        goto out;
    }
    /* as_of */
    if (given(in->as_of)) {
        if (!day_ok(in->as_of, &t)) {
            *bad = "as_of";
            *why = "Enter a date as YYYY-MM-DD, between 2000 and 2100.";
            goto out;
        }
        if (t > today_t) {
            *bad = "as_of";
            *why = "The date cannot be after today.";
            goto out;
        }
        memcpy(p.as_of, in->as_of, 11);
    } else {
        memcpy(p.as_of, today, 11);
        t = today_t;
    }
    p.as_of_t = t + 86399;
    /* to, then from */
    if (given(in->to)) {
        if (!day_ok(in->to, &t)) {
            *bad = "to";
            *why = "Enter a date as YYYY-MM-DD, between 2000 and 2100.";
            goto out;
        }
        memcpy(p.to, in->to, 11);
    } else {
        memcpy(p.to, p.as_of, 11);
        t = p.as_of_t - 86399;
    }
    p.to_t = t + 86399;
    if (given(in->from)) {
        if (!day_ok(in->from, &t)) {
            *bad = "from";
            *why = "Enter a date as YYYY-MM-DD, between 2000 and 2100.";
            goto out;
        }
        memcpy(p.from, in->from, 11);
    } else if (day_ok(start_day, &t) && strcmp(start_day, p.to) <= 0) {
        memcpy(p.from, start_day, 11);
    } else {
        memcpy(p.from, p.to, 11);
        t = p.to_t - 86399;
    }
    p.from_t = t;
    if (strcmp(p.from, p.to) > 0) {
        *bad = "to";
        *why = "The period must end on or after its first day.";
        goto out;
    }
    /* format, language, view */
    p.format = def_format;
    if (given(in->format)) {
        p.format = pick(in->format, format_names, 5);
        if (p.format == 0) {
            *bad = "format";
            *why = "Choose one of the formats offered.";
            goto out;
        }
    }
    p.lang = -1;
    if (given(in->lang)) {
        p.lang = strlen(in->lang) == 2 ? hub_lang_from_code(in->lang) : -1;
        if (p.lang < 0) {
            *bad = "lang";
            *why = "Choose one of the languages offered.";
            goto out;
        }
    }
    p.view = HUB_REP_FULL;
    if (given(in->view)) {
        p.view = pick(in->view, view_names, 3);
        if (p.view == 0) {
            *bad = "view";
            *why = "Choose one of the views offered.";
            goto out;
        }
    }
    *out = p;
    err = KK_OK;
out:
    return err;
}
