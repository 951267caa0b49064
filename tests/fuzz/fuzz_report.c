/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_report.c - fuzz target of the reports' two readers: the
 * parameters of a report (hub_rep_params_parse: from, to, as_of, format,
 * lang and view as typed in a query string) and the canonical content
 * read back for /reports/verify (hub_rep_canon_walk).
 *
 * The input's first six lines are the six parameters (a missing line is a
 * parameter left out); the whole input is also walked as content.
 * Accepted parameters must hold: days in range and in order, "as of" not
 * after the fixed "today", the instants matching the days, known enum
 * values; a refusal must name one of the six fields with a reason.  The
 * walk must hand over at most eight fields a line, none holding a tab or
 * a newline.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW INT64_C(1786795200)   /* 2026-08-15T12:00:00Z */
#define START INT64_C(1767225600) /* 2026-01-01 */

static void check_day(const char *day, int64_t t)
{
    char back[11];
    if (strlen(day) != 10 || strcmp(day, HUB_REP_DAY_MIN) < 0 ||
        strcmp(day, HUB_REP_DAY_MAX) > 0)
        __builtin_trap();
    hub_rep_day(t, back);
    if (strcmp(back, day) != 0)
        __builtin_trap();
}

static void on_line(void *arg, const char *const *f, size_t n)
{
    size_t *lines = arg;
    if (n == 0 || n > 8)
        __builtin_trap();
    for (size_t i = 0; i < n; i++) {
        if (strchr(f[i], '\t') != NULL || strchr(f[i], '\n') != NULL)
            __builtin_trap();
    }
    (*lines)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text, *fields[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
    struct hub_rep_input in;
    struct hub_rep_params p;
    const char *bad = NULL, *why = NULL;
    size_t lines = 0;
    char *s;
    int r;
    if (size > 4096)
        return 0;
    text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    r = hub_rep_canon_walk(text, size, on_line, &lines);
    if (r != KK_OK && r != KK_ERR_CORRUPT)
        __builtin_trap();
    s = text;
    for (size_t i = 0; i < 6 && s != NULL; i++) {
        char *nl = strchr(s, '\n');
        fields[i] = s;
        if (nl != NULL)
            *nl = '\0';
        s = nl != NULL ? nl + 1 : NULL;
    }
    in = (struct hub_rep_input){fields[0], fields[1], fields[2],
                                fields[3], fields[4], fields[5]};
    r = hub_rep_params_parse(&in, NOW, START, HUB_REP_HTML, &p, &bad, &why);
    if (r == KK_OK) {
        check_day(p.from, p.from_t);
        check_day(p.to, p.to_t - 86399);
        check_day(p.as_of, p.as_of_t - 86399);
        if (strcmp(p.from, p.to) > 0 || strcmp(p.as_of, "2026-08-15") > 0)
            __builtin_trap();
        if (hub_rep_format_name(p.format) == NULL ||
            hub_rep_view_name(p.view) == NULL || p.lang < -1 || p.lang > 2)
            __builtin_trap();
    } else {
        static const char *const names[] = {"from",   "to",   "as_of",
                                            "format", "lang", "view"};
        bool known = false;
        if (r != KK_ERR_INVAL || bad == NULL || why == NULL)
            __builtin_trap();
        for (size_t i = 0; i < 6; i++)
            known = known || strcmp(bad, names[i]) == 0;
        if (!known)
            __builtin_trap();
    }
    free(text);
    return 0;
}
