/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_chart.c - unit tests of the SVG charts and of HTML escaping.
 *
 * Every chart is run through a small XML checker written here (balanced
 * tags, one root, quoted attributes without duplicates, entities only
 * where "&" appears, nothing but whitespace outside the root) that also
 * refuses what the Content-Security-Policy would: <script>, <style>,
 * style attributes and on* event attributes.  It is not a full XML parser
 * (no comments, CDATA or processing instructions, which the charts never
 * emit), so the test needs no library.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "chart.h"
#include "kalkan/kk.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define DEPTH_MAX 32
#define ATTRS_MAX 16
#define NAME_MAX 32

/* ---- A tiny XML checker ---- */

struct xml {
    const char *p;
    char err[160];
};

static bool fail_at(struct xml *x, const char *what)
{
    snprintf(x->err, sizeof x->err, "%s at \"%.30s\"", what, x->p);
    return false;
}

static bool name_start(char c)
{
    return isalpha((unsigned char)c) || c == '_' || c == ':';
}

static bool name_char(char c)
{
    return name_start(c) || isdigit((unsigned char)c) || c == '-' || c == '.';
}

/* Reads a name into out (NAME_MAX bytes). */
static bool read_name(struct xml *x, char *out)
{
    size_t n = 0;

    if (!name_start(*x->p))
        return fail_at(x, "expected a name");
    while (name_char(*x->p)) {
        if (n + 1 >= NAME_MAX)
            return fail_at(x, "name too long");
        out[n++] = *x->p++;
    }
    out[n] = '\0';
    return true;
}

/* An entity after "&": a predefined one or a decimal/hex reference. */
static bool read_entity(struct xml *x)
{
    static const char *const named[] = {"amp;", "lt;", "gt;", "quot;", "apos;"};

    x->p++;
    for (size_t i = 0; i < LEN(named); i++) {
        if (strncmp(x->p, named[i], strlen(named[i])) == 0) {
            x->p += strlen(named[i]);
            return true;
        }
    }
    if (*x->p == '#') {
        x->p++;
        if (*x->p == 'x')
            x->p++;
        if (!isxdigit((unsigned char)*x->p))
            return fail_at(x, "bad character reference");
        while (isxdigit((unsigned char)*x->p))
            x->p++;
        if (*x->p == ';') {
            x->p++;
            return true;
        }
    }
    return fail_at(x, "bare &");
}

static bool forbidden_element(const char *name)
{
    return strcasecmp(name, "script") == 0 || strcasecmp(name, "style") == 0 ||
           strcasecmp(name, "foreignObject") == 0;
}

static bool forbidden_attribute(const char *name)
{
    return strcasecmp(name, "style") == 0 || strncasecmp(name, "on", 2) == 0 ||
           strcasecmp(name, "href") == 0 || strcasecmp(name, "xlink:href") == 0;
}

/* Attributes up to ">" or "/>"; sets *empty for "/>". */
static bool read_attributes(struct xml *x, bool *empty)
{
    char seen[ATTRS_MAX][NAME_MAX];
    size_t n = 0;

    for (;;) {
        bool space = false;

        while (*x->p == ' ' || *x->p == '\n' || *x->p == '\t') {
            x->p++;
            space = true;
        }
        if (*x->p == '>' || (x->p[0] == '/' && x->p[1] == '>')) {
            *empty = *x->p == '/';
            x->p += *empty ? 2 : 1;
            return true;
        }
        if (!space)
            return fail_at(x, "attributes must be separated by space");
        if (n == ATTRS_MAX)
            return fail_at(x, "too many attributes");
        if (!read_name(x, seen[n]))
            return false;
        if (forbidden_attribute(seen[n]))
            return fail_at(x, "forbidden attribute");
        for (size_t i = 0; i < n; i++) {
            if (strcmp(seen[i], seen[n]) == 0)
                return fail_at(x, "duplicate attribute");
        }
        n++;
        if (x->p[0] != '=' || x->p[1] != '"')
            return fail_at(x, "expected =\"");
        x->p += 2;
        while (*x->p != '"') {
            if (*x->p == '\0' || *x->p == '<')
                return fail_at(x, "bad attribute value");
            if (*x->p == '&') {
                if (!read_entity(x))
                    return false;
            } else {
                x->p++;
            }
        }
        x->p++;
    }
}

/* True when s is one well-formed element that the CSP would accept. */
static bool xml_check(const char *s, char *err, size_t errlen)
{
    struct xml x = {s, ""};
    char stack[DEPTH_MAX][NAME_MAX];
    size_t depth = 0;
    size_t roots = 0;
    bool ok = true;

    while (ok && *x.p != '\0') {
        char name[NAME_MAX];
        bool empty = false;

        if (*x.p == '&') {
            ok = read_entity(&x);
        } else if (*x.p == '>') {
            ok = fail_at(&x, "raw > in text");
        } else if (*x.p != '<') {
            if (depth == 0 && !isspace((unsigned char)*x.p))
                ok = fail_at(&x, "text outside the root");
            x.p++;
        } else if (x.p[1] == '/') {
            x.p += 2;
            ok = read_name(&x, name);
            if (ok && (depth == 0 || strcmp(stack[depth - 1], name) != 0))
                ok = fail_at(&x, "unbalanced end tag");
            if (ok && *x.p != '>')
                ok = fail_at(&x, "expected >");
            if (ok) {
                x.p++;
                depth--;
            }
        } else {
            x.p++;
            ok = read_name(&x, name);
            if (ok && forbidden_element(name))
                ok = fail_at(&x, "forbidden element");
            if (ok && depth == 0 && ++roots > 1)
                ok = fail_at(&x, "second root element");
            if (ok)
                ok = read_attributes(&x, &empty);
            if (ok && !empty) {
                if (depth == DEPTH_MAX)
                    ok = fail_at(&x, "too deep");
                else
                    memcpy(stack[depth++], name, NAME_MAX);
            }
        }
    }
    if (ok && depth != 0)
        ok = fail_at(&x, "unclosed element");
    if (ok && roots != 1)
        ok = fail_at(&x, "no root element");
    snprintf(err, errlen, "%s", x.err);
    return ok;
}

static void assert_xml(const char *s)
{
    char err[200];

    if (!xml_check(s, err, sizeof err)) {
        print_error("not well-formed: %s\n%s\n", err, s);
        fail();
    }
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;

    for (const char *p = strstr(s, needle); p != NULL;
         p = strstr(p + 1, needle))
        n++;
    return n;
}

/* ---- The checker checks ---- */

static void xml_checker_refuses_what_it_should(void **state)
{
    static const char *const bad[] = {
        "<svg><g></svg>",
        "<svg></g>",
        "<svg/><svg/>",
        "x<svg/>",
        "<svg a=\"1\" a=\"2\"/>",
        "<svg a=1/>",
        "<svg>&nbsp</svg>",
        "<svg>a & b</svg>",
        "<svg a=\"<\"/>",
        "<svg><script>x</script></svg>",
        "<svg><style>x</style></svg>",
        "<svg style=\"x\"/>",
        "<svg><g onload=\"x\"/></svg>",
        "<svg",
        "<svg>",
    };
    char err[200];

    (void)state;
    for (size_t i = 0; i < LEN(bad); i++) {
        if (xml_check(bad[i], err, sizeof err))
            print_error("accepted: %s\n", bad[i]);
        assert_false(xml_check(bad[i], err, sizeof err));
    }
    assert_true(xml_check("<svg a=\"&amp;&#39;\"><g>&lt;x&gt;</g>\n</svg>\n",
                          err, sizeof err));
}

/* ---- Line charts ---- */

static const char *const months[] = {"M0", "M1", "M2", "M3", "M4", "M5", "M6"};

static void line_chart_is_well_formed_accessible_svg(void **state)
{
    static const int email[] = {100, 250, 500, 875, 900, 1000, 1000};
    static const int all[] = {0, 0, 125, 333, 667, 750, 999};
    const struct hub_series series[] = {{"E-mail", email},
                                        {"All accounts", all}};
    struct kk_buf *b = kk_buf_new(1 << 20);
    const char *s;

    (void)state;
    assert_non_null(b);
    assert_int_equal(
        hub_chart_line(b, "Coverage", "Share of staff", series, 2, months, 7),
        KK_OK);
    s = kk_buf_str(b);
    assert_xml(s);
    assert_true(strncmp(s, "<svg ", 5) == 0);
    assert_non_null(strstr(s, " role=\"img\""));
    assert_non_null(strstr(s, " viewBox=\"0 0 520 284\""));
    assert_non_null(strstr(s, " width=\"100%\""));
    assert_non_null(strstr(s, "<title>Coverage</title>\n<desc>Share of "
                              "staff</desc>"));
    /* Gridlines at 0, 25, 50, 75 and 100 %, then the two axes. */
    assert_non_null(strstr(s, "<g class=\"kk-grid\">\n"
                              "<line x1=\"48.0\" y1=\"212.0\" x2=\"504.0\" "
                              "y2=\"212.0\"/>\n"
                              "<line x1=\"48.0\" y1=\"162.0\" x2=\"504.0\" "
                              "y2=\"162.0\"/>\n"));
    assert_non_null(strstr(s, "y1=\"12.0\" x2=\"504.0\" y2=\"12.0\"/>\n"
                              "</g>\n<g class=\"kk-axis\">"));
    assert_int_equal(count(s, "<line "), 7);
    assert_non_null(strstr(s, ">0 %</text>"));
    assert_non_null(strstr(s, ">25 %</text>"));
    assert_non_null(strstr(s, ">50 %</text>"));
    assert_non_null(strstr(s, ">75 %</text>"));
    assert_non_null(strstr(s, ">100 %</text>"));
    assert_non_null(strstr(s, "text-anchor=\"middle\">M6</text>"));
    /* Series, points and exact values on hover. */
    assert_non_null(strstr(s, "<g class=\"kk-s0\">"));
    assert_non_null(strstr(s, "<g class=\"kk-s1\">"));
    assert_null(strstr(s, "kk-s2"));
    assert_int_equal(count(s, "<circle "), 14);
    assert_non_null(strstr(s, "<title>E-mail, M3: 87.5 %</title>"));
    assert_non_null(strstr(s, "<title>All accounts, M6: 99.9 %</title>"));
    assert_non_null(strstr(s, "<title>All accounts, M3: 33.3 %</title>"));
    /* The first point at the left edge, 87.5 % at y = 212 - 175. */
    assert_non_null(strstr(s, "<path d=\"M48.0 192.0L124.0 162.0L"));
    assert_non_null(strstr(s, "cy=\"37.0\""));
    /* The legend. */
    assert_non_null(strstr(s, "<g class=\"kk-legend\">"));
    assert_non_null(strstr(s, ">E-mail</text>"));
    assert_non_null(strstr(s, ">All accounts</text>"));
    assert_true(strlen(s) > 0 && s[strlen(s) - 1] == '\n');
    kk_buf_free(b);
}

static void line_chart_numbers_have_one_fixed_decimal(void **state)
{
    static const int v[] = {500};
    const struct hub_series series[] = {{"Only", v}};
    struct kk_buf *b = kk_buf_new(1 << 16);
    const char *s;

    (void)state;
    assert_non_null(b);
    assert_int_equal(hub_chart_line(b, "t", "d", series, 1, NULL, 1), KK_OK);
    s = kk_buf_str(b);
    assert_xml(s);
    /* One point sits in the middle at 50 %; without labels its title
     * names the point by number. */
    assert_non_null(strstr(s, "<circle cx=\"276.0\" cy=\"112.0\" r=\"3.0\">"
                              "<title>Only, 1: 50.0 %</title></circle>"));
    assert_null(strstr(s, "<path"));
    /* Every number after =" other than viewBox and width is d+.d. */
    for (const char *p = strstr(s, "=\""); p != NULL;
         p = strstr(p + 1, "=\"")) {
        const char *q = p + 2;
        size_t digits = 0;

        if (!isdigit((unsigned char)*q) || strncmp(p - 7, "viewBox", 7) == 0 ||
            strncmp(p - 5, "width", 5) == 0)
            continue;
        while (isdigit((unsigned char)q[digits]))
            digits++;
        assert_true(digits > 0 && q[digits] == '.');
        assert_true(isdigit((unsigned char)q[digits + 1]));
        assert_int_equal(q[digits + 2], '"');
    }
    assert_non_null(strstr(s, "width=\"10.0\" height=\"10.0\""));
    kk_buf_free(b);
}

static void gaps_split_the_line_into_separate_paths(void **state)
{
    static const int two_runs[] = {100, 200, -1, 300, 400, -1, 500};
    static const int lone[] = {100, -1, 200};
    static const int none[] = {-1, -1, -1};
    static const int edges[] = {-1, 100, 200, 300, -1};
    struct kk_buf *b = kk_buf_new(1 << 16);
    const char *s;

    (void)state;
    assert_non_null(b);
    {
        const struct hub_series ser[] = {{"a", two_runs}};

        assert_int_equal(hub_chart_line(b, "t", "d", ser, 1, months, 7), KK_OK);
        s = kk_buf_str(b);
        assert_xml(s);
        assert_int_equal(count(s, "<path "), 2);
        assert_int_equal(count(s, "<circle "), 5);
        assert_int_equal(count(s, "\"M"), 2);
        assert_int_equal(count(s, "L"), 2);
        assert_null(strstr(s, "M2:"));
        assert_null(strstr(s, "M5:"));
    }
    kk_buf_reset(b);
    {
        const struct hub_series ser[] = {{"a", lone}};

        assert_int_equal(hub_chart_line(b, "t", "d", ser, 1, months, 3), KK_OK);
        s = kk_buf_str(b);
        assert_xml(s);
        assert_int_equal(count(s, "<path "), 0);
        assert_int_equal(count(s, "<circle "), 2);
    }
    kk_buf_reset(b);
    {
        const struct hub_series ser[] = {{"a", none}};

        assert_int_equal(hub_chart_line(b, "t", "d", ser, 1, months, 3), KK_OK);
        s = kk_buf_str(b);
        assert_xml(s);
        assert_int_equal(count(s, "<path "), 0);
        assert_int_equal(count(s, "<circle "), 0);
        assert_non_null(strstr(s, ">a</text>")); /* still in the legend */
    }
    kk_buf_reset(b);
    {
        const struct hub_series ser[] = {{"a", edges}};

        assert_int_equal(hub_chart_line(b, "t", "d", ser, 1, months, 5), KK_OK);
        s = kk_buf_str(b);
        assert_xml(s);
        assert_int_equal(count(s, "<path "), 1);
        assert_int_equal(count(s, "L"), 2);
        assert_int_equal(count(s, "<circle "), 3);
    }
    kk_buf_free(b);
}

static const char evil[] = "<script>alert(\"x\")</script>&'";
static const char evil_escaped[] =
    "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;";

static void chart_texts_are_escaped(void **state)
{
    static const int v[] = {100, 200};
    const struct hub_series ser[] = {{evil, v}};
    const char *const labels[] = {evil, "<b>"};
    const int bars[] = {500, -1};
    struct kk_buf *b = kk_buf_new(1 << 16);
    const char *s;

    (void)state;
    assert_non_null(b);
    assert_int_equal(hub_chart_line(b, evil, evil, ser, 1, labels, 2), KK_OK);
    s = kk_buf_str(b);
    assert_xml(s);
    assert_null(strstr(s, "<script"));
    assert_null(strstr(s, "<b>"));
    assert_non_null(strstr(s, "<title>&lt;script&gt;alert(&quot;x&quot;)"
                              "&lt;/script&gt;&amp;&#39;</title>"));
    assert_non_null(strstr(s, "<desc>&lt;script&gt;"));
    /* Title of the point and legend: name, label. */
    assert_true(count(s, evil_escaped) >= 5);
    assert_non_null(strstr(s, "&lt;b&gt;"));

    kk_buf_reset(b);
    assert_int_equal(hub_chart_bars(b, evil, evil, labels, bars, 2), KK_OK);
    s = kk_buf_str(b);
    assert_xml(s);
    assert_null(strstr(s, "<script"));
    assert_null(strstr(s, "<b>"));
    assert_non_null(strstr(s, "<title>&lt;script&gt;alert(&quot;x&quot;)"
                              "&lt;/script&gt;&amp;&#39;: 50.0 %</title>"));
    kk_buf_free(b);
}

static void charts_have_no_style_script_or_event_attributes(void **state)
{
    static const int a[] = {0, 500, 1000, -1, 250};
    static const int c[] = {1000, 1000, 1000, 1000, 1000};
    const struct hub_series ser[] = {{"alpha", a}, {"beta", c}, {"gamma", a},
                                     {"delta", c}, {"eps", a},  {"zeta", c}};
    const char *const labels[] = {"2026-01", "2026-02", "2026-03", "2026-04",
                                  "2026-05"};
    struct kk_buf *b = kk_buf_new(1 << 16);
    const char *s;

    (void)state;
    assert_non_null(b);
    assert_int_equal(hub_chart_line(b, "t", "d", ser, 6, labels, 5), KK_OK);
    assert_int_equal(hub_chart_bars(b, "t", "d", labels, a, 5), KK_OK);
    s = kk_buf_str(b);
    /* Two charts in one buffer: check them one by one. */
    {
        char first[1 << 15];
        const char *second = strstr(s + 1, "<svg ");
        size_t n;

        assert_non_null(second);
        n = (size_t)(second - s);
        assert_true(n < sizeof first);
        memcpy(first, s, n);
        first[n] = '\0';
        assert_xml(first);
        assert_xml(second);
    }
    assert_null(strstr(s, "style"));
    assert_null(strstr(s, "script"));
    assert_null(strstr(s, " on"));
    assert_null(strstr(s, "href"));
    assert_non_null(strstr(s, "kk-s5"));
    kk_buf_free(b);
}

static void line_chart_thins_labels_of_long_series(void **state)
{
    int v[120];
    char names[120][16];
    const char *labels[120];
    struct hub_series ser[6];
    struct kk_buf *b = kk_buf_new(1 << 20);
    const char *s;

    (void)state;
    assert_non_null(b);
    for (int i = 0; i < 120; i++) {
        v[i] = (i * 37) % 1001;
        snprintf(names[i], sizeof names[i], "%d-%02d", 2020 + i / 12,
                 i % 12 + 1);
        labels[i] = names[i];
    }
    for (int i = 0; i < 6; i++) {
        ser[i].name = "series";
        ser[i].values = v;
    }
    assert_int_equal(hub_chart_line(b, "t", "d", ser, 6, labels, 120), KK_OK);
    s = kk_buf_str(b);
    assert_xml(s);
    assert_int_equal(count(s, "text-anchor=\"middle\""), 8);
    assert_int_equal(count(s, "<circle "), 720);
    /* But every point still carries its own label on hover. */
    assert_non_null(strstr(s, "series, 2029-12: "));
    kk_buf_free(b);
}

static void chart_arguments_are_checked(void **state)
{
    static const int ok[] = {0, 1000};
    static const int high[] = {0, 1001};
    static const int low[] = {-2, 0};
    const struct hub_series good[] = {{"a", ok}};
    const struct hub_series too_high[] = {{"a", ok}, {"b", high}};
    const struct hub_series too_low[] = {{"a", low}};
    const struct hub_series no_name[] = {{NULL, ok}};
    const struct hub_series no_values[] = {{"a", NULL}};
    const struct hub_series seven[] = {{"a", ok}, {"a", ok}, {"a", ok},
                                       {"a", ok}, {"a", ok}, {"a", ok},
                                       {"a", ok}};
    const char *const labels[] = {"x", "y"};
    const char *const null_label[] = {"x", NULL};
    const int bars_high[] = {1001, 0};
    const int bars_low[] = {0, -7};
    int many[61] = {0};
    const char *many_labels[61];
    struct kk_buf *b = kk_buf_new(1 << 16);

    (void)state;
    assert_non_null(b);
    for (size_t i = 0; i < LEN(many_labels); i++)
        many_labels[i] = "x";
    assert_int_equal(kk_buf_puts(b, "before"), KK_OK);

    assert_int_equal(hub_chart_line(b, "t", "d", too_high, 2, labels, 2),
                     KK_ERR_RANGE);
    assert_int_equal(hub_chart_line(b, "t", "d", too_low, 1, labels, 2),
                     KK_ERR_RANGE);
    assert_int_equal(hub_chart_line(b, "t", "d", good, 1, labels, 0),
                     KK_ERR_INVAL);
    assert_int_equal(hub_chart_line(b, "t", "d", good, 1, labels, 121),
                     KK_ERR_INVAL);
    assert_int_equal(hub_chart_line(b, "t", "d", seven, 7, labels, 2),
                     KK_ERR_INVAL);
    assert_int_equal(hub_chart_line(b, NULL, "d", good, 1, labels, 2),
                     KK_ERR_INVAL);
    assert_int_equal(hub_chart_line(b, "t", NULL, good, 1, labels, 2),
                     KK_ERR_INVAL);
    assert_int_equal(hub_chart_line(b, "t", "d", NULL, 1, labels, 2),
                     KK_ERR_INVAL);
    assert_int_equal(hub_chart_line(b, "t", "d", no_name, 1, labels, 2),
                     KK_ERR_INVAL);
    assert_int_equal(hub_chart_line(b, "t", "d", no_values, 1, labels, 2),
                     KK_ERR_INVAL);
    assert_int_equal(hub_chart_line(NULL, "t", "d", good, 1, labels, 2),
                     KK_ERR_INVAL);

    assert_int_equal(hub_chart_bars(b, "t", "d", labels, bars_high, 2),
                     KK_ERR_RANGE);
    assert_int_equal(hub_chart_bars(b, "t", "d", labels, bars_low, 2),
                     KK_ERR_RANGE);
    assert_int_equal(hub_chart_bars(b, "t", "d", labels, ok, 0), KK_ERR_INVAL);
    assert_int_equal(hub_chart_bars(b, "t", "d", many_labels, many, 61),
                     KK_ERR_INVAL);
    assert_int_equal(hub_chart_bars(b, "t", "d", null_label, ok, 2),
                     KK_ERR_INVAL);
    assert_int_equal(hub_chart_bars(b, "t", "d", NULL, ok, 2), KK_ERR_INVAL);
    assert_int_equal(hub_chart_bars(b, "t", "d", labels, NULL, 2),
                     KK_ERR_INVAL);
    assert_int_equal(hub_chart_bars(b, NULL, "d", labels, ok, 2), KK_ERR_INVAL);
    assert_string_equal(kk_buf_str(b), "before");

    assert_int_equal(hub_chart_bars(b, "t", "d", many_labels, many, 60), KK_OK);
    assert_int_equal(hub_chart_line(b, "t", "d", good, 1, labels, 2), KK_OK);
    assert_true(strncmp(kk_buf_str(b), "before<svg ", 11) == 0);
    kk_buf_free(b);
}

static void chart_that_does_not_fit_leaves_the_buffer_as_it_was(void **state)
{
    static const int v[] = {100, 200, 300};
    const struct hub_series ser[] = {{"a", v}};
    const char *const labels[] = {"x", "y", "z"};
    struct kk_buf *b = kk_buf_new(600);

    (void)state;
    assert_non_null(b);
    assert_int_equal(kk_buf_puts(b, "abc"), KK_OK);
    assert_int_equal(hub_chart_line(b, "t", "d", ser, 1, labels, 3),
                     KK_ERR_LIMIT);
    assert_string_equal(kk_buf_str(b), "abc");
    assert_int_equal(hub_chart_bars(b, "t", "d", labels, v, 3), KK_ERR_LIMIT);
    assert_string_equal(kk_buf_str(b), "abc");
    kk_buf_free(b);
}

/* ---- Bar charts ---- */

static void bar_chart_writes_bars_values_and_no_data(void **state)
{
    const char *const labels[] = {
        "Editorial", "Finance",
        "A newsroom with a very long name indeed, longer than fits"};
    const int values[] = {875, -1, 1000};
    struct kk_buf *b = kk_buf_new(1 << 16);
    const char *s;

    (void)state;
    assert_non_null(b);
    assert_int_equal(
        hub_chart_bars(b, "By department", "Share with 2FA", labels, values, 3),
        KK_OK);
    s = kk_buf_str(b);
    assert_xml(s);
    assert_non_null(strstr(s, " role=\"img\""));
    assert_non_null(strstr(s, " viewBox=\"0 0 520 104\""));
    assert_non_null(strstr(s, "<title>By department</title>"));
    assert_non_null(strstr(s, "<g class=\"kk-bar\">"));
    /* Two bars: none for "no data". */
    assert_int_equal(count(s, "<rect "), 2);
    assert_non_null(strstr(s, "<rect x=\"150.0\" y=\"28.0\" width=\"262.5\" "
                              "height=\"16.0\"><title>Editorial: 87.5 %"
                              "</title></rect>"));
    assert_non_null(strstr(s, "width=\"300.0\""));
    assert_non_null(strstr(s, ">87.5 %</text>"));
    assert_non_null(strstr(s, ">100.0 %</text>"));
    assert_non_null(strstr(s, "<text x=\"156.0\" y=\"64.0\">-</text>"));
    /* A long label is cut on screen, whole on hover. */
    assert_non_null(strstr(s, ">A newsroom with a\xe2\x80\xa6</text>"));
    assert_non_null(strstr(s, "<title>A newsroom with a very long name "
                              "indeed, longer than fits: 100.0 %</title>"));
    /* Gridlines at 25, 50, 75 and 100 %, the axis at 0. */
    assert_int_equal(count(s, "<line "), 5);
    assert_non_null(strstr(s, ">0 %</text>"));
    assert_non_null(strstr(s, ">100 %</text>"));
    kk_buf_free(b);
}

static void long_labels_are_cut_by_characters_not_bytes(void **state)
{
    /* "Кыргызстан " three times: 33 characters, 63 bytes. */
    const char *const labels[] = {
        "\xd0\x9a\xd1\x8b\xd1\x80\xd0\xb3\xd1\x8b\xd0\xb7\xd1\x81\xd1\x82"
        "\xd0\xb0\xd0\xbd \xd0\x9a\xd1\x8b\xd1\x80\xd0\xb3\xd1\x8b\xd0\xb7"
        "\xd1\x81\xd1\x82\xd0\xb0\xd0\xbd \xd0\x9a\xd1\x8b\xd1\x80\xd0\xb3"
        "\xd1\x8b\xd0\xb7\xd1\x81\xd1\x82\xd0\xb0\xd0\xbd"};
    const int values[] = {0};
    struct kk_buf *b = kk_buf_new(1 << 16);
    const char *s;

    (void)state;
    assert_non_null(b);
    assert_int_equal(hub_chart_bars(b, "t", "d", labels, values, 1), KK_OK);
    s = kk_buf_str(b);
    assert_xml(s);
    /* 18 characters: the first word, a space and seven letters. */
    assert_non_null(strstr(s, "text-anchor=\"end\">"
                              "\xd0\x9a\xd1\x8b\xd1\x80\xd0\xb3\xd1\x8b"
                              "\xd0\xb7\xd1\x81\xd1\x82\xd0\xb0\xd0\xbd "
                              "\xd0\x9a\xd1\x8b\xd1\x80\xd0\xb3\xd1\x8b"
                              "\xd0\xb7\xd1\x81\xe2\x80\xa6</text>"));
    kk_buf_free(b);
}

/* ---- Escaping ---- */

static void html_escape_handles_markup_and_bad_utf8(void **state)
{
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        {"", ""},
        {"plain text", "plain text"},
        {"a<b>&\"'", "a&lt;b&gt;&amp;&quot;&#39;"},
        {"&amp;", "&amp;amp;"},
        {"\xd0\x9a\xd1\x8b\xd1\x80\xd0\xb3\xd1\x8b\xd0\xb7\xd1\x87\xd0\xb0",
         "\xd0\x9a\xd1\x8b\xd1\x80\xd0\xb3\xd1\x8b\xd0\xb7\xd1\x87\xd0\xb0"},
        {"\xf0\x9f\x94\x91 key", "\xf0\x9f\x94\x91 key"},
        {"tab\tnl\ncr\r", "tab\tnl\ncr\r"},
        {"a\x01"
         "b\x1b",
         "a\xef\xbf\xbd"
         "b\xef\xbf\xbd"},
        {"\xff", "\xef\xbf\xbd"},
        {"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"}, /* overlong */
        {"\xed\xa0\x80",
         "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* surrogate */
        {"\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                             "\xef\xbf\xbd"}, /* > U+10FFFF */
        {"\xef\xbf\xbf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* U+FFFF */
        {"cut \xd0", "cut \xef\xbf\xbd"},
        {"\xe2\x82<", "\xef\xbf\xbd\xef\xbf\xbd&lt;"},
    };
    struct kk_buf *b = kk_buf_new(256);

    (void)state;
    assert_non_null(b);
    for (size_t i = 0; i < LEN(cases); i++) {
        kk_buf_reset(b);
        assert_int_equal(kk_buf_puts(b, "="), KK_OK);
        assert_int_equal(hub_html_escape(b, cases[i].in), KK_OK);
        if (strcmp(kk_buf_str(b) + 1, cases[i].want) != 0)
            print_error("case %zu\n", i);
        assert_string_equal(kk_buf_str(b) + 1, cases[i].want);
    }
    assert_int_equal(hub_html_escape(NULL, "x"), KK_ERR_INVAL);
    assert_int_equal(hub_html_escape(b, NULL), KK_ERR_INVAL);
    kk_buf_free(b);
}

static void html_escape_that_does_not_fit_appends_nothing(void **state)
{
    struct kk_buf *b = kk_buf_new(12);

    (void)state;
    assert_non_null(b);
    assert_int_equal(kk_buf_puts(b, "ab"), KK_OK);
    assert_int_equal(hub_html_escape(b, "x<<<"), KK_ERR_LIMIT);
    assert_string_equal(kk_buf_str(b), "ab");
    assert_int_equal(hub_html_escape(b, "x<y"), KK_OK);
    assert_string_equal(kk_buf_str(b), "abx&lt;y");
    kk_buf_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(xml_checker_refuses_what_it_should),
        cmocka_unit_test(line_chart_is_well_formed_accessible_svg),
        cmocka_unit_test(line_chart_numbers_have_one_fixed_decimal),
        cmocka_unit_test(gaps_split_the_line_into_separate_paths),
        cmocka_unit_test(chart_texts_are_escaped),
        cmocka_unit_test(charts_have_no_style_script_or_event_attributes),
        cmocka_unit_test(line_chart_thins_labels_of_long_series),
        cmocka_unit_test(chart_arguments_are_checked),
        cmocka_unit_test(chart_that_does_not_fit_leaves_the_buffer_as_it_was),
        cmocka_unit_test(bar_chart_writes_bars_values_and_no_data),
        cmocka_unit_test(long_labels_are_cut_by_characters_not_bytes),
        cmocka_unit_test(html_escape_handles_markup_and_bad_utf8),
        cmocka_unit_test(html_escape_that_does_not_fit_appends_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
