/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * parse_web.c - one web-server access-log line: nginx and Apache
 * "combined" and "common", Apache "vhost_combined" ("%v:%p" first) and
 * nginx with "$host" first.
 *
 * The line is split once into spans of the caller's bytes, left as the
 * server escaped them (nginx writes a quote as \x22, Apache as \"), so the
 * rules' patterns see what an administrator sees in the file.  Whether a
 * virtual host comes first is decided per line: the ident field that
 * follows a client address is "-" in practice, so when the second field is
 * an address, the first is the virtual host.  The request's opening quote
 * is the first quote not escaped by a backslash; the remote-user field
 * before it is attacker-chosen (HTTP Basic) and may hold spaces or a fake
 * time, but never a bare quote, so the time is read just before that quote
 * and nothing the user field holds can move the fields after it.  This is
 * the hottest code of the guard: no allocation, no library call but memchr
 * and memset, and the time is pure arithmetic.
 */
#include <string.h>

#include "parse.h"

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static unsigned dig2(const char *p)
{
    return (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');
}

/* RFC 9110 tchar */
static bool is_tchar(unsigned char c)
{
    static const char extra[] = "!#$%&'*+-.^_`|~";
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9');
    if (!ok && c != '\0') {
        ok = memchr(extra, c, sizeof extra - 1) != NULL;
    }
    return ok;
}

/* "[29/Nov/2026:07:50:14 +0600]" (28 bytes) to Unix seconds. */
static bool read_time(const char *s, int64_t *out)
{
    unsigned day;
    unsigned mon;
    int64_t year;
    unsigned hh;
    unsigned mm;
    unsigned ss;
    int64_t off;
    bool ok = false;

    if (s[0] != '[' || s[3] != '/' || s[7] != '/' || s[12] != ':' ||
        s[15] != ':' || s[18] != ':' || s[21] != ' ' ||
        (s[22] != '+' && s[22] != '-') || s[27] != ']') {
        goto out;
    }
    for (int i = 0; i < 4; i++) {
        if (!is_digit(s[8 + i]) || !is_digit(s[23 + i])) {
            goto out;
        }
    }
    if (!is_digit(s[1]) || !is_digit(s[2]) || !is_digit(s[13]) ||
        !is_digit(s[14]) || !is_digit(s[16]) || !is_digit(s[17]) ||
        !is_digit(s[19]) || !is_digit(s[20])) {
        goto out;
    }
    mon = guard_month3(s + 4);
    day = dig2(s + 1);
    year = (int64_t)dig2(s + 8) * 100 + dig2(s + 10);
    hh = dig2(s + 13);
    mm = dig2(s + 16);
    ss = dig2(s + 19);
    off = (int64_t)dig2(s + 23) * 3600 + (int64_t)dig2(s + 25) * 60;
    if (mon == 0 || day == 0 || day > guard_month_days(year, mon) || hh > 23 ||
        mm > 59 || ss > 60 || dig2(s + 25) > 59) {
        goto out;
    }
    if (s[22] == '-') {
        off = -off;
    }
    *out = guard_days_from_civil(year, mon, day) * 86400 +
           (int64_t)(hh * 3600 + mm * 60 + ss) - off;
    ok = true;
out:
    return ok;
}

/* The first space in [p, end), or NULL: a plain loop, as the first two
 * fields are short and a call to memchr would cost more than the scan. */
static const char *next_space(const char *p, const char *end)
{
    while (p < end && *p != ' ') {
        p++;
    }
    return p < end ? p : NULL;
}

/* True when the quote at q is not escaped: an even run of backslashes
 * (back to lo) stands before it. */
static bool bare_quote(const char *lo, const char *q)
{
    size_t bs = 0;
    while (q - bs > lo && q[-1 - (ptrdiff_t)bs] == '\\') {
        bs++;
    }
    return bs % 2 == 0;
}

/* The first bare quote in [p, end), or NULL. */
static const char *next_quote(const char *lo, const char *p, const char *end)
{
    const char *q = NULL;
    while (p < end) {
        q = memchr(p, '"', (size_t)(end - p));
        if (q == NULL || bare_quote(lo, q)) {
            break;
        }
        p = q + 1;
        q = NULL;
    }
    return q;
}

/* Reads a quoted field at *pp ('"' expected); "-" gives an empty span. */
static bool read_quoted(const char **pp, const char *end,
                        struct guard_span *out)
{
    const char *p = *pp;
    const char *q;
    bool ok = false;

    if (p >= end || *p != '"') {
        goto out;
    }
    p++;
    q = next_quote(p, p, end);
    if (q == NULL) {
        goto out;
    }
    out->p = p;
    out->n = (size_t)(q - p);
    if (out->n == 1 && p[0] == '-') {
        out->n = 0;
    }
    *pp = q + 1;
    ok = true;
out:
    return ok;
}

/* Splits "METHOD SP TARGET SP HTTP/d.d"; false when it is not that. */
static bool split_request(struct guard_web *w)
{
    const char *p = w->request.p;
    size_t n = w->request.n;
    size_t i = 0;
    size_t t0;
    const char *proto;
    bool ok = false;

    while (i < n && i <= 32 && is_tchar((unsigned char)p[i])) {
        i++;
    }
    if (i == 0 || i > 32 || i >= n || p[i] != ' ') {
        goto out;
    }
    t0 = i + 1;
    {
        const char *sp = memchr(p + t0, ' ', n - t0);
        if (sp == NULL) {
            goto out;
        }
        i = (size_t)(sp - p);
    }
    if (i == t0 || n - i != 9) {
        goto out;
    }
    proto = p + i + 1;
    if (memcmp(proto, "HTTP/", 5) != 0 || !is_digit(proto[5]) ||
        proto[6] != '.' || !is_digit(proto[7])) {
        goto out;
    }
    w->method.p = p;
    w->method.n = t0 - 1;
    w->path.p = p + t0;
    w->path.n = i - t0;
    w->proto.p = proto;
    w->proto.n = 8;
    ok = true;
out:
    return ok;
}

/* The virtual host without a ":port" ("example.org:443", "[::1]:80"). */
static void set_vhost(struct guard_web *w, const char *p, size_t n)
{
    size_t k = n;
    while (k > 0 && is_digit(p[k - 1])) {
        k--;
    }
    if (k > 1 && k < n && p[k - 1] == ':') {
        bool bracketed = p[k - 2] == ']';
        if (bracketed || memchr(p, ':', k - 1) == NULL) {
            n = k - 1;
        }
    }
    if (n == 1 && p[0] == '-') {
        n = 0;
    }
    w->vhost.p = p;
    w->vhost.n = n;
}

int guard_web_parse(const char *line, size_t len, struct guard_web *out)
{
    struct guard_web w;
    const char *end;
    const char *t1e;
    const char *t2;
    const char *t2e;
    const char *rest;
    const char *q;
    const char *p;
    int rc = KK_ERR_INVAL;

    /* field by field: cheaper than clearing the whole struct */
    w.vhost = w.request = w.method = w.path = w.proto = w.referer = w.agent =
        (struct guard_span){NULL, 0};
    w.status = 0;
    w.malformed = false;
    if (line == NULL || len < 40) {
        goto out;
    }
    end = line + len;
    t1e = next_space(line, end);
    if (t1e == NULL || t1e == line) {
        goto out;
    }
    t2 = t1e + 1;
    t2e = next_space(t2, end);
    if (t2e == NULL) {
        goto out;
    }
    /* t2 is the ident ("-") after a client, or the client after a
     * virtual host */
    if (guard_addr_parse(t2, (size_t)(t2e - t2), &w.addr) == KK_OK) {
        set_vhost(&w, line, (size_t)(t1e - line));
        rest = t2e;
    } else if (guard_addr_parse(line, (size_t)(t1e - line), &w.addr) == KK_OK) {
        rest = t1e;
    } else {
        goto out;
    }

    /* "[time] " stands just before the request's opening quote */
    q = next_quote(rest, rest, end);
    if (q == NULL || q - rest < 30 || q[-1] != ' ' || q[-30] != ' ' ||
        !read_time(q - 29, &w.t)) {
        goto out;
    }
    p = q;
    if (!read_quoted(&p, end, &w.request)) {
        goto out;
    }
    w.malformed = w.request.n == 0 || !split_request(&w);

    /* " 404 1234" */
    if (end - p < 6 || p[0] != ' ' || !is_digit(p[1]) || p[1] == '0' ||
        !is_digit(p[2]) || !is_digit(p[3]) || p[4] != ' ') {
        goto out;
    }
    w.status = (int)((unsigned)(p[1] - '0') * 100 + dig2(p + 2));
    p += 5;
    {
        const char *b = p;
        while (p < end && is_digit(*p) && p - b < 20) {
            p++;
        }
        if (p == b && p < end && *p == '-') {
            p++;
        }
        if (p == b || (p < end && *p != ' ')) {
            goto out;
        }
    }

    /* ' "referer" "agent"', then anything (nginx formats often add
     * fields) */
    if (end - p >= 3 && p[1] == '"') {
        p++;
        if (!read_quoted(&p, end, &w.referer)) {
            goto out;
        }
        if (end - p >= 3 && p[0] == ' ' && p[1] == '"') {
            p++;
            if (!read_quoted(&p, end, &w.agent)) {
                goto out;
            }
        }
    }
    *out = w;
    rc = KK_OK;
out:
    return rc;
}
