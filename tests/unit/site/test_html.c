/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_html.c - unit tests of the website checker's HTML tokenizer
 * (lib/site/html.c).  Each row is a page and the tags a browser's
 * tokenizer would emit from it, written "name(attr=value,...)" for a start
 * tag and "/name" for an end tag.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "html.h"

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))

/* Writes the tags of len bytes at p into out, separated by spaces. */
static void tokens(const char *p, size_t len, char *out, size_t cap)
{
    struct site_html h;
    struct site_html_tag t;
    size_t at = 0;

    out[0] = '\0';
    site_html_init(&h, p, len);
    while (site_html_next(&h, &t) && at < cap) {
        int w;
        if (t.end) {
            w = snprintf(out + at, cap - at, "%s/%s", at > 0 ? " " : "",
                         t.name);
        } else {
            w = snprintf(out + at, cap - at, "%s%s(", at > 0 ? " " : "",
                         t.name);
            for (size_t a = 0; a < t.n_attr && w >= 0; a++) {
                size_t at2 = at + (size_t)w;
                int w2 = snprintf(out + at2, cap - at2, "%s%.*s=%.*s",
                                  a > 0 ? "," : "", (int)t.attr[a].name_len,
                                  t.attr[a].name, (int)t.attr[a].value_len,
                                  t.attr[a].value);
                w = w2 < 0 ? w2 : w + w2;
            }
            if (w >= 0) {
                int w3 = snprintf(out + at + (size_t)w, cap - at - (size_t)w,
                                  ")%s", t.self_closing ? "/" : "");
                w = w3 < 0 ? w3 : w + w3;
            }
        }
        if (w < 0) {
            break;
        }
        at += (size_t)w;
    }
}

static const struct {
    const char *page;
    const char *want;
} rows[] = {
    {"<p>Hi</p>", "p() /p"},
    {"<SCRIPT SRC=\"/a.js\"></SCRIPT>", "script(SRC=/a.js) /script"},
    {"<Link REL=StyleSheet HREF='http://x/a.css'>",
     "link(REL=StyleSheet,HREF=http://x/a.css)"},
    {"<img src=a alt='x>y' title=\"q\"/>", "img(src=a,alt=x>y,title=q)/"},
    {"<br/>", "br()/"},
    {"<input disabled value=1>", "input(disabled=,value=1)"},
    {"<a href = 'x' >", "a(href=x)"},
    {"<a href=x\"y>", "a(href=x\"y)"},
    {"<a/b>", "a(b=)"},
    {"<div class=a class=b>", "div(class=a,class=b)"},
    {"<a =x>", "a(=x=)"},
    {"</p foo=bar>", "/p"},
    /* Comments, doctypes, processing instructions, bogus comments. */
    {"<!-- <script src=x> --><img src=y>", "img(src=y)"},
    {"<!--> <img src=a> <!---> <img src=b>", "img(src=a) img(src=b)"},
    {"<!-- x --!><b>", "b()"},
    {"<!-- unterminated <img src=a>", ""},
    {"<!DOCTYPE html><html>", "html()"},
    {"<?xml version='1.0'?><root>", "root()"},
    {"</ bogus><b>", "b()"},
    {"</3><b>", "b()"},
    {"</><b>", "b()"},
    {"a < b > c <3 <> <", ""},
    /* Raw text: no tags inside until the matching end tag. */
    {"<script>if (a<b) document.write('<img src=x>')</script><img src=y>",
     "script() /script img(src=y)"},
    {"<script>x</scriptx></script >", "script() /script"},
    {"<SCRIPT>x</sCrIpT><i>", "script() /script i()"},
    {"<style>a{}</style><link rel=stylesheet href=h>",
     "style() /style link(rel=stylesheet,href=h)"},
    {"<textarea><img src=x></textarea><i>", "textarea() /textarea i()"},
    {"<title>a<b</title><b>", "title() /title b()"},
    {"<noscript><img src=x></noscript>", "noscript() /noscript"},
    {"<iframe src=f><script src=s></iframe>", "iframe(src=f) /iframe"},
    {"<plaintext><img src=x></plaintext>", "plaintext()"},
    {"<script>never closed <img src=x>", "script()"},
    /* Cut off inside a tag: the tag is not emitted. */
    {"<b><img src=\"unterminated>", "b()"},
    {"<b><img src=a", "b()"},
    {"<b><img src=", "b()"},
    {"<b><img", "b()"},
    /* Long names are kept as "". */
    {"<averyveryverylongtagname x=1><b>", "(x=1) b()"},
    {"<meta name=generator content=\"WordPress 5.8.1\">",
     "meta(name=generator,content=WordPress 5.8.1)"},
};

static void pages_yield_the_tags_a_browser_sees(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(rows); i++) {
        char out[512];
        tokens(rows[i].page, strlen(rows[i].page), out, sizeof out);
        if (strcmp(out, rows[i].want) != 0) {
            fail_msg("row %zu '%s': got '%s', want '%s'", i, rows[i].page, out,
                     rows[i].want);
        }
    }
}

static void nul_bytes_do_not_end_the_page(void **state)
{
    static const char page[] = "<i>\0<b x=\"a\0b\">\0<u>";
    char out[128];
    struct site_html h;
    struct site_html_tag t;

    (void)state;
    tokens(page, sizeof page - 1, out, sizeof out);
    assert_int_equal(strncmp(out, "i() b(x=a", 9), 0);
    assert_non_null(strstr(out, " u()"));
    /* Only the given bytes are read. */
    site_html_init(&h, "<i><b>", 3);
    assert_true(site_html_next(&h, &t));
    assert_string_equal(t.name, "i");
    assert_false(site_html_next(&h, &t));
}

static void attributes_past_the_limit_are_skipped(void **state)
{
    char page[1024] = "<img";
    struct site_html h;
    struct site_html_tag t;

    (void)state;
    for (int i = 0; i < 40; i++) {
        size_t at = strlen(page);
        snprintf(page + at, sizeof page - at, " a%d=%d", i, i);
    }
    size_t end = strlen(page);
    snprintf(page + end, sizeof page - end, " src=late><b>");
    site_html_init(&h, page, strlen(page));
    assert_true(site_html_next(&h, &t));
    assert_int_equal(t.n_attr, SITE_HTML_ATTR_MAX);
    char v[16];
    assert_false(site_html_attr(&t, "src", v, sizeof v));
    assert_string_equal(v, "");
    assert_true(site_html_next(&h, &t));
    assert_string_equal(t.name, "b");
}

static void attribute_values_have_references_decoded(void **state)
{
    static const char page[] =
        "<a HREF=\"/x?a=1&amp;b=2&#38;c=&#x26;&lt;&#1085;&nbsp;&#0;\" "
        "href=second>";
    struct site_html h;
    struct site_html_tag t;
    char v[128];
    char small[6];

    (void)state;
    site_html_init(&h, page, strlen(page));
    assert_true(site_html_next(&h, &t));
    assert_true(site_html_attr(&t, "href", v, sizeof v));
    assert_string_equal(v, "/x?a=1&b=2&c=&<\xd0\xbd&nbsp;\xef\xbf\xbd");
    assert_true(site_html_attr(&t, "href", small, sizeof small));
    assert_string_equal(small, "/x?a=");
    assert_false(site_html_attr(&t, "src", v, sizeof v));

    /* A character that does not fit ends the copy: no later byte. */
    static const char cut[] = "<a title=\"abc&#1085;d\">";
    site_html_init(&h, cut, strlen(cut));
    assert_true(site_html_next(&h, &t));
    assert_true(site_html_attr(&t, "title", small, 5));
    assert_string_equal(small, "abc");
}

static void rel_lists_are_matched_word_by_word(void **state)
{
    (void)state;
    assert_true(site_html_has_word("stylesheet", "stylesheet"));
    assert_true(site_html_has_word("alternate  StyleSheet", "stylesheet"));
    assert_true(site_html_has_word("\tstylesheet\n", "stylesheet"));
    assert_false(site_html_has_word("stylesheets", "stylesheet"));
    assert_false(site_html_has_word("preload", "stylesheet"));
    assert_false(site_html_has_word("", "stylesheet"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pages_yield_the_tags_a_browser_sees),
        cmocka_unit_test(nul_bytes_do_not_end_the_page),
        cmocka_unit_test(attributes_past_the_limit_are_skipped),
        cmocka_unit_test(attribute_values_have_references_decoded),
        cmocka_unit_test(rel_lists_are_matched_word_by_word),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
