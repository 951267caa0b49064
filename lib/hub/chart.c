/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * chart.c - line and bar charts as inline SVG, drawn on the server.
 *
 * The hub's pages run under a Content-Security-Policy that forbids scripts
 * and inline styles, so a chart is plain markup: geometry in attributes,
 * colours in class names styled by web/static/kalkan.css, and a <title> on
 * every point and bar that shows the exact value on hover.  Drawing on the
 * server costs a few kilobytes per chart and no JavaScript; the trade-off
 * is that charts are static (no zoom, no hiding a series), which the table
 * every page shows beside a chart makes up for.
 *
 * Coordinates live in a fixed viewBox 520 units wide and the element is
 * width="100%", so the browser scales the whole drawing to a phone or a
 * wide screen.  They are computed in tenths of a unit with integers and
 * printed as "123.4": no floating point, so no locale can turn the point
 * into a comma.  The line plot is 200 units high and the bars 300 units
 * long, so a permille value is exactly 2 or 3 tenths.
 *
 * Texts are escaped and made well-formed (see escape()).  What would not
 * fit is shortened on screen and kept whole in the hover title: at most
 * eight x labels are shown, each cut to ten characters; bar labels are cut
 * to eighteen and legend names to sixty.  xlabels may be NULL, and then a
 * point is named by its number.
 *
 * Output goes through a sticky-error writer: every put does nothing once
 * one has failed, and each chart checks the error once at the end and cuts
 * the buffer back to where it started, so a caller never gets half a chart.
 *
 * The CSS that goes with it: ".kk-s0".."kk-s5" set `color`, and the
 * series' path (stroke, no fill), circle and legend rect use
 * currentColor; ".kk-grid line" and ".kk-axis line" set a stroke;
 * ".kk-label text" and ".kk-legend text" a fill and font size (about 12
 * units); ".kk-bar rect" a fill.
 */
#include <stdint.h>
#include <string.h>

#include "chart.h"
#include "coverage.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */
#define ELLIPSIS "\xe2\x80\xa6"    /* U+2026 */

#define VIEW_W 520

/* Line chart, in units: the plot, the x labels and the legend rows. */
#define L_LEFT 48
#define L_RIGHT 504
#define L_TOP 12
#define L_BASE 212 /* L_TOP + 200: one permille is 0.2 units */
#define L_YLABEL_X 42
#define L_XLABEL_Y 230
#define L_LEGEND_Y 254
#define L_LEGEND_ROW 20
#define L_POINT_R 30 /* tenths */

/* Bar chart, in units. */
#define B_LABEL_X 142
#define B_LEFT 150 /* bars run to 450: one permille is 0.3 units */
#define B_AXIS_Y 14
#define B_TOP 24
#define B_ROW 24
#define B_BAR_H 16

/* Limits of chart.h, and what fits on screen. */
#define POINTS_MAX 120
#define SERIES_MAX 6
#define BARS_MAX 60
#define XLABELS_SHOWN 8    /* "2026-06" is about 50 units wide */
#define XLABEL_CHARS 10    /* characters of an x label shown */
#define BAR_LABEL_CHARS 18 /* characters that fit left of the bars */
#define LEGEND_CHARS 60

/* ---- Escaping ---- */

/* Length (1..4) of the well-formed UTF-8 sequence at p encoding a
 * character XML 1.0 allows, or 0 when the byte at p starts none. */
static size_t xml_char_len(const unsigned char *p, size_t left)
{
    unsigned c = p[0];
    unsigned lo = 0x80;
    unsigned hi = 0xbf;
    uint32_t cp;
    size_t len;

    if (c < 0x80)
        return (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') ? 1 : 0;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
        lo = c == 0xe0 ? 0xa0 : 0x80; /* overlong */
        hi = c == 0xed ? 0x9f : 0xbf; /* surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
        lo = c == 0xf0 ? 0x90 : 0x80; /* overlong */
        hi = c == 0xf4 ? 0x8f : 0xbf; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (left < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if (p[i] < lo || p[i] > hi)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3fu);
        lo = 0x80;
        hi = 0xbf;
    }
    return (cp == 0xfffe || cp == 0xffff) ? 0 : len;
}

static const char *entity(unsigned char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

/* Bytes in the first max_chars characters of p (n bytes, an invalid
 * byte counting as one character); when that cuts the text short,
 * without the spaces before the cut. */
static size_t cut_point(const unsigned char *p, size_t n, size_t max_chars)
{
    size_t i = 0;

    for (size_t chars = 0; i < n && chars < max_chars; chars++) {
        size_t len = xml_char_len(p + i, n - i);

        i += len == 0 ? 1 : len;
    }
    while (i < n && i > 0 && p[i - 1] == ' ')
        i--;
    return i;
}

/* Appends at most max_chars characters of s, escaped, then an ellipsis if
 * some were left out.  Bytes that are not well-formed UTF-8 and
 * characters XML forbids (controls but tab and newlines, U+FFFE, U+FFFF)
 * become U+FFFD, so the output is always well-formed.  Runs of plain text
 * are copied in one piece. */
static int escape(struct kk_buf *b, const char *s, size_t max_chars)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    size_t end = cut_point(p, n, max_chars);
    size_t i = 0;
    size_t run = 0;
    int r = KK_OK;

    while (i < end && r == KK_OK) {
        size_t len = xml_char_len(p + i, end - i);
        const char *rep = len == 0 ? REPLACEMENT : NULL;

        if (len == 1)
            rep = entity(p[i]);
        if (len == 0)
            len = 1;
        if (rep != NULL) {
            r = kk_buf_put(b, p + run, i - run);
            if (r == KK_OK)
                r = kk_buf_puts(b, rep);
            run = i + len;
        }
        i += len;
    }
    if (r == KK_OK)
        r = kk_buf_put(b, p + run, end - run);
    if (r == KK_OK && end < n)
        r = kk_buf_puts(b, ELLIPSIS);
    return r;
}

int hub_html_escape(struct kk_buf *b, const char *s)
{
    size_t start;
    int r = KK_ERR_INVAL;

    if (b == NULL || s == NULL)
        goto out;
    start = kk_buf_len(b);
    r = escape(b, s, SIZE_MAX);
    if (r != KK_OK)
        kk_buf_truncate(b, start);
out:
    return r;
}

/* ---- Sticky-error writer ---- */

struct svg {
    struct kk_buf *b;
    int r;
};

static void put(struct svg *s, const char *text)
{
    if (s->r == KK_OK)
        s->r = kk_buf_puts(s->b, text);
}

static void put_int(struct svg *s, size_t v)
{
    if (s->r == KK_OK)
        s->r = kk_buf_putf(s->b, "%zu", v);
}

/* A number given in tenths, printed as "12.3". */
static void put_num(struct svg *s, int tenths)
{
    unsigned v = tenths < 0 ? 0u - (unsigned)tenths : (unsigned)tenths;

    if (s->r == KK_OK)
        s->r =
            kk_buf_putf(s->b, "%s%u.%u", tenths < 0 ? "-" : "", v / 10, v % 10);
}

/* ` name="12.3"` */
static void put_attr(struct svg *s, const char *name, int tenths)
{
    put(s, " ");
    put(s, name);
    put(s, "=\"");
    put_num(s, tenths);
    put(s, "\"");
}

static void put_text(struct svg *s, const char *text, size_t max_chars)
{
    if (s->r == KK_OK)
        s->r = escape(s->b, text, max_chars);
}

static void put_share(struct svg *s, int pm)
{
    if (s->r == KK_OK)
        s->r = hub_share_format(s->b, pm);
}

static void put_line(struct svg *s, int x1, int y1, int x2, int y2)
{
    put(s, "<line");
    put_attr(s, "x1", x1);
    put_attr(s, "y1", y1);
    put_attr(s, "x2", x2);
    put_attr(s, "y2", y2);
    put(s, "/>\n");
}

/* Opens a <text> at (x, y); anchor is "start", "middle" or "end". */
static void put_text_open(struct svg *s, int x, int y, const char *anchor)
{
    put(s, "<text");
    put_attr(s, "x", x);
    put_attr(s, "y", y);
    if (strcmp(anchor, "start") != 0) {
        put(s, " text-anchor=\"");
        put(s, anchor);
        put(s, "\"");
    }
    put(s, ">");
}

/* The <svg> element with its accessible name and description. */
static void put_open(struct svg *s, int height, const char *title,
                     const char *desc)
{
    put(s, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ");
    put_int(s, VIEW_W);
    put(s, " ");
    put_int(s, (size_t)height);
    put(s, "\" width=\"100%\" role=\"img\">\n<title>");
    put_text(s, title, SIZE_MAX);
    put(s, "</title>\n<desc>");
    put_text(s, desc, SIZE_MAX);
    put(s, "</desc>\n");
}

/* The "25 %" of a gridline: k quarters. */
static void put_quarter(struct svg *s, int k)
{
    put_int(s, (size_t)k * 25);
    put(s, " %");
}

/* ---- Line chart ---- */

static int line_x(size_t i, size_t n)
{
    size_t w = (L_RIGHT - L_LEFT) * 10;

    if (n < 2)
        return (L_LEFT + L_RIGHT) * 10 / 2;
    return L_LEFT * 10 + (int)((i * w + (n - 1) / 2) / (n - 1));
}

static int line_y(int pm)
{
    return L_BASE * 10 - 2 * pm;
}

static int line_check(const struct kk_buf *out, const char *title,
                      const char *desc, const struct hub_series *series,
                      size_t n_series, size_t n_points)
{
    int r = KK_ERR_INVAL;

    if (out == NULL || title == NULL || desc == NULL || n_points == 0 ||
        n_points > POINTS_MAX || n_series > SERIES_MAX ||
        (series == NULL && n_series > 0))
        goto out;
    for (size_t i = 0; i < n_series; i++) {
        if (series[i].name == NULL || series[i].values == NULL)
            goto out;
    }
    r = KK_ERR_RANGE;
    for (size_t i = 0; i < n_series; i++) {
        for (size_t k = 0; k < n_points; k++) {
            if (series[i].values[k] < -1 || series[i].values[k] > 1000)
                goto out;
        }
    }
    r = KK_OK;
out:
    return r;
}

static void line_frame(struct svg *s, const char *const *xlabels,
                       size_t n_points)
{
    size_t step = (n_points + XLABELS_SHOWN - 1) / XLABELS_SHOWN;

    put(s, "<g class=\"kk-grid\">\n");
    for (int k = 0; k <= 4; k++)
        put_line(s, L_LEFT * 10, line_y(250 * k), L_RIGHT * 10,
                 line_y(250 * k));
    put(s, "</g>\n<g class=\"kk-axis\">\n");
    put_line(s, L_LEFT * 10, L_TOP * 10, L_LEFT * 10, L_BASE * 10);
    put_line(s, L_LEFT * 10, L_BASE * 10, L_RIGHT * 10, L_BASE * 10);
    put(s, "</g>\n<g class=\"kk-label\">\n");
    for (int k = 0; k <= 4; k++) {
        put_text_open(s, L_YLABEL_X * 10, line_y(250 * k) + 40, "end");
        put_quarter(s, k);
        put(s, "</text>\n");
    }
    for (size_t i = 0; xlabels != NULL && i < n_points; i += step) {
        if (xlabels[i] == NULL)
            continue;
        put_text_open(s, line_x(i, n_points), L_XLABEL_Y * 10, "middle");
        put_text(s, xlabels[i], XLABEL_CHARS);
        put(s, "</text>\n");
    }
    put(s, "</g>\n");
}

/* One <path> per run of two or more values between gaps. */
static void line_paths(struct svg *s, const int *v, size_t n)
{
    size_t i = 0;

    while (i < n) {
        size_t end = i;

        while (end < n && v[end] >= 0)
            end++;
        if (end - i >= 2) {
            put(s, "<path d=\"");
            for (size_t k = i; k < end; k++) {
                put(s, k == i ? "M" : "L");
                put_num(s, line_x(k, n));
                put(s, " ");
                put_num(s, line_y(v[k]));
            }
            put(s, "\"/>\n");
        }
        i = end + 1;
    }
}

static void line_series(struct svg *s, const struct hub_series *ser, size_t idx,
                        const char *const *xlabels, size_t n)
{
    put(s, "<g class=\"kk-s");
    put_int(s, idx);
    put(s, "\">\n");
    line_paths(s, ser->values, n);
    for (size_t k = 0; k < n; k++) {
        if (ser->values[k] < 0)
            continue;
        put(s, "<circle");
        put_attr(s, "cx", line_x(k, n));
        put_attr(s, "cy", line_y(ser->values[k]));
        put_attr(s, "r", L_POINT_R);
        put(s, "><title>");
        put_text(s, ser->name, SIZE_MAX);
        put(s, ", ");
        if (xlabels != NULL && xlabels[k] != NULL)
            put_text(s, xlabels[k], SIZE_MAX);
        else
            put_int(s, k + 1);
        put(s, ": ");
        put_share(s, ser->values[k]);
        put(s, "</title></circle>\n");
    }
    put(s, "</g>\n");
}

static void line_legend(struct svg *s, const struct hub_series *series,
                        size_t n_series)
{
    if (n_series == 0)
        return;
    put(s, "<g class=\"kk-legend\">\n");
    for (size_t i = 0; i < n_series; i++) {
        int y = (L_LEGEND_Y + L_LEGEND_ROW * (int)i) * 10;

        put(s, "<g class=\"kk-s");
        put_int(s, i);
        put(s, "\"><rect");
        put_attr(s, "x", L_LEFT * 10);
        put_attr(s, "y", y - 100);
        put_attr(s, "width", 100);
        put_attr(s, "height", 100);
        put(s, "/>");
        put_text_open(s, (L_LEFT + 16) * 10, y, "start");
        put_text(s, series[i].name, LEGEND_CHARS);
        put(s, "</text></g>\n");
    }
    put(s, "</g>\n");
}

int hub_chart_line(struct kk_buf *out, const char *title, const char *desc,
                   const struct hub_series *series, size_t n_series,
                   const char *const *xlabels, size_t n_points)
{
    struct svg s = {out, KK_OK};
    size_t start;
    int height;
    int r;

    r = line_check(out, title, desc, series, n_series, n_points);
    if (r != KK_OK)
        goto out;
    start = kk_buf_len(out);
    height = L_LEGEND_Y - 10 + L_LEGEND_ROW * (int)n_series;
    put_open(&s, height, title, desc);
    line_frame(&s, xlabels, n_points);
    for (size_t i = 0; i < n_series; i++)
        line_series(&s, &series[i], i, xlabels, n_points);
    line_legend(&s, series, n_series);
    put(&s, "</svg>\n");
    r = s.r;
    if (r != KK_OK)
        kk_buf_truncate(out, start);
out:
    return r;
}

/* ---- Bar chart ---- */

static int bar_check(const struct kk_buf *out, const char *title,
                     const char *desc, const char *const *labels,
                     const int *values, size_t n)
{
    int r = KK_ERR_INVAL;

    if (out == NULL || title == NULL || desc == NULL || labels == NULL ||
        values == NULL || n == 0 || n > BARS_MAX)
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (labels[i] == NULL)
            goto out;
    }
    r = KK_ERR_RANGE;
    for (size_t i = 0; i < n; i++) {
        if (values[i] < -1 || values[i] > 1000)
            goto out;
    }
    r = KK_OK;
out:
    return r;
}

static void bar_frame(struct svg *s, size_t n)
{
    int bottom = (B_TOP + B_ROW * (int)n) * 10;

    put(s, "<g class=\"kk-grid\">\n");
    for (int k = 1; k <= 4; k++)
        put_line(s, B_LEFT * 10 + 750 * k, (B_TOP - 4) * 10,
                 B_LEFT * 10 + 750 * k, bottom);
    put(s, "</g>\n<g class=\"kk-axis\">\n");
    put_line(s, B_LEFT * 10, (B_TOP - 4) * 10, B_LEFT * 10, bottom);
    put(s, "</g>\n");
}

static void bar_rects(struct svg *s, const char *const *labels,
                      const int *values, size_t n)
{
    put(s, "<g class=\"kk-bar\">\n");
    for (size_t i = 0; i < n; i++) {
        if (values[i] < 0)
            continue;
        put(s, "<rect");
        put_attr(s, "x", B_LEFT * 10);
        put_attr(s, "y", (B_TOP + B_ROW * (int)i + 4) * 10);
        put_attr(s, "width", 3 * values[i]);
        put_attr(s, "height", B_BAR_H * 10);
        put(s, "><title>");
        put_text(s, labels[i], SIZE_MAX);
        put(s, ": ");
        put_share(s, values[i]);
        put(s, "</title></rect>\n");
    }
    put(s, "</g>\n");
}

static void bar_labels(struct svg *s, const char *const *labels,
                       const int *values, size_t n)
{
    put(s, "<g class=\"kk-label\">\n");
    for (int k = 0; k <= 4; k++) {
        put_text_open(s, B_LEFT * 10 + 750 * k, B_AXIS_Y * 10, "middle");
        put_quarter(s, k);
        put(s, "</text>\n");
    }
    for (size_t i = 0; i < n; i++) {
        int y = (B_TOP + B_ROW * (int)i + 16) * 10;
        int end = B_LEFT * 10 + 3 * (values[i] < 0 ? 0 : values[i]);

        put_text_open(s, B_LABEL_X * 10, y, "end");
        put_text(s, labels[i], BAR_LABEL_CHARS);
        put(s, "</text>\n");
        put_text_open(s, end + 60, y, "start");
        put_share(s, values[i]);
        put(s, "</text>\n");
    }
    put(s, "</g>\n");
}

int hub_chart_bars(struct kk_buf *out, const char *title, const char *desc,
                   const char *const *labels, const int *values, size_t n)
{
    struct svg s = {out, KK_OK};
    size_t start;
    int r;

    r = bar_check(out, title, desc, labels, values, n);
    if (r != KK_OK)
        goto out;
    start = kk_buf_len(out);
    put_open(&s, B_TOP + B_ROW * (int)n + 8, title, desc);
    bar_frame(&s, n);
    bar_rects(&s, labels, values, n);
    bar_labels(&s, labels, values, n);
    put(&s, "</svg>\n");
    r = s.r;
    if (r != KK_OK)
        kk_buf_truncate(out, start);
out:
    return r;
}
