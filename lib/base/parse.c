/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * parse.c - strict number and time parsers.
 *
 * These replace atoi/strtol at every boundary: the whole string must be a
 * number, no sign games, no silent wrap-around, and the caller states the
 * allowed range.  Times are 64-bit and computed with a days-from-civil
 * formula, so no locale, time zone or 2038 limit is involved.
 */
#include "kalkan/kk.h"

#include <stdio.h>
#include <string.h>

int kk_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;

    if (s == NULL || s[0] == '\0')
        return KK_ERR_INVAL;
    for (; s[i] != '\0'; i++) {
        unsigned d;
        if (s[i] < '0' || s[i] > '9')
            return KK_ERR_INVAL;
        d = (unsigned)(s[i] - '0');
        if (__builtin_mul_overflow(v, 10, &v) ||
            __builtin_add_overflow(v, d, &v))
            return KK_ERR_RANGE;
    }
    if (i > 20)
        return KK_ERR_RANGE;
    if (v < min || v > max)
        return KK_ERR_RANGE;
    *out = v;
    return KK_OK;
}

int kk_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    uint64_t mag;
    int64_t v;
    int r;

    if (s == NULL)
        return KK_ERR_INVAL;
    if (s[0] == '-') {
        r = kk_parse_u64(s + 1, 0, (uint64_t)INT64_MAX + 1, &mag);
        if (r != KK_OK)
            return r;
        v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    } else {
        r = kk_parse_u64(s, 0, INT64_MAX, &mag);
        if (r != KK_OK)
            return r;
        v = (int64_t)mag;
    }
    if (v < min || v > max)
        return KK_ERR_RANGE;
    *out = v;
    return KK_OK;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe;
    unsigned doy;
    unsigned doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era;
    unsigned doe;
    unsigned yoe;
    unsigned doy;
    unsigned mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    *y = (int64_t)yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y += *m <= 2;
}

/* Reads exactly n digits at s into *v. */
static bool digits(const char *s, size_t n, unsigned *v)
{
    unsigned x = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        x = x * 10 + (unsigned)(s[i] - '0');
    }
    *v = x;
    return true;
}

static bool leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int kk_parse_time(const char *s, int64_t *out)
{
    static const unsigned mdays[12] = {31, 28, 31, 30, 31, 30,
                                       31, 31, 30, 31, 30, 31};
    unsigned y;
    unsigned mo;
    unsigned d;
    unsigned h = 0;
    unsigned mi = 0;
    unsigned se = 0;
    size_t len;
    uint64_t u;

    if (s == NULL)
        return KK_ERR_INVAL;
    if (s[0] == '@')
        s++;
    len = strlen(s);
    if (len > 0 && strchr(s, '-') == NULL) {
        int r = kk_parse_u64(s, 0, (uint64_t)INT64_MAX / 2, &u);
        if (r == KK_OK)
            *out = (int64_t)u;
        return r;
    }
    if (len < 10 || !digits(s, 4, &y) || s[4] != '-' ||
        !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d))
        return KK_ERR_INVAL;
    if (len > 10) {
        if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || len < 16 ||
            !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi))
            return KK_ERR_INVAL;
        s += 16;
        if (s[0] == ':') {
            if (!digits(s + 1, 2, &se))
                return KK_ERR_INVAL;
            s += 3;
        }
        if (s[0] == 'Z' || s[0] == 'z')
            s++;
        else if (strcmp(s, "+00:00") == 0)
            s += 6;
        if (s[0] != '\0')
            return KK_ERR_INVAL;
    }
    if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 60)
        return KK_ERR_RANGE;
    if (d > mdays[mo - 1] + (mo == 2 && leap(y) ? 1u : 0u))
        return KK_ERR_RANGE;
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    return KK_OK;
}

int kk_format_time(int64_t t, char *out, size_t cap)
{
    int64_t days = t / 86400;
    int64_t rem = t % 86400;
    int64_t y;
    unsigned m;
    unsigned d;
    int n;

    if (rem < 0) {
        rem += 86400;
        days--;
    }
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        return KK_ERR_RANGE;
    n = snprintf(out, cap, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m,
                 d, (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60),
                 (unsigned)(rem % 60));
    if (n < 0 || (size_t)n >= cap)
        return KK_ERR_TRUNC;
    return KK_OK;
}
