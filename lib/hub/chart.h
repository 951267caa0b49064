/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * chart.h - server-rendered SVG charts for the hub's pages.
 *
 * Output is an inline <svg> element meant to sit in an HTML page under a
 * strict Content-Security-Policy: no <script>, no style attributes, no
 * <style> element; colours come from class names ("kk-s0".."kk-s5",
 * "kk-axis", "kk-grid", "kk-label") styled by web/static/kalkan.css.  Every
 * chart has role="img", a <title> and a <desc>, and the caller should show
 * the same numbers in a table for screen readers.  Texts are escaped.
 */
#ifndef KALKAN_HUB_CHART_H
#define KALKAN_HUB_CHART_H

#include <stddef.h>

#include "kalkan/kk.h"

struct hub_series {
    const char *name;  /* legend text (UTF-8, escaped on output) */
    const int *values; /* permille 0..1000, or -1 for "no data" (gap) */
};

/* A line chart of n_series series over n_points points, y from 0 to 100 %,
 * x labels under the axis (e.g. "M0".."M6" or "2026-06").  Values outside
 * -1..1000 give KK_ERR_RANGE; n_points 0 or more than 120, or n_series more
 * than 6, KK_ERR_INVAL.  title and desc are required. */
KK_WUR int hub_chart_line(struct kk_buf *out, const char *title,
                          const char *desc, const struct hub_series *series,
                          size_t n_series, const char *const *xlabels,
                          size_t n_points);

/* A horizontal bar chart: one bar per label, value permille (-1 no data),
 * the percentage written at the end of each bar.  At most 60 bars. */
KK_WUR int hub_chart_bars(struct kk_buf *out, const char *title,
                          const char *desc, const char *const *labels,
                          const int *values, size_t n);

/* Escapes s for HTML/XML text and attribute values (& < > " '). */
KK_WUR int hub_html_escape(struct kk_buf *b, const char *s);

#endif
