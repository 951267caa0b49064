/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * html.h - a small bounded HTML tokenizer (html.c) for the website
 * checker: it yields start and end tags with their attributes, and skips
 * text, comments, doctypes and the raw text of script, style and the other
 * raw-text elements, as an HTML5 browser's tokenizer would.
 *
 * It builds no tree, never recurses, never allocates and reads only the
 * bytes it is given: enough to find <script src>, <link rel=stylesheet
 * href>, <iframe src>, <img src> and <meta name=generator>, at O(length)
 * cost whatever the page holds.  Not thread-safe per iterator; separate
 * iterators share nothing.
 */
#ifndef KALKAN_SITE_HTML_H
#define KALKAN_SITE_HTML_H

#include <stdbool.h>
#include <stddef.h>

#define SITE_HTML_NAME_MAX 15 /* bytes of a tag name kept */
#define SITE_HTML_ATTR_MAX 24 /* attributes kept per tag; the rest skipped */

/* One attribute, borrowed from the page: bytes as written (the value with
 * its quotes removed and its character references not yet decoded). */
struct site_html_attr {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};

struct site_html_tag {
    /* Lower-case name; "" when longer than SITE_HTML_NAME_MAX. */
    char name[SITE_HTML_NAME_MAX + 1];
    bool end;          /* an end tag: </name> */
    bool self_closing; /* <name ... /> */
    struct site_html_attr attr[SITE_HTML_ATTR_MAX];
    size_t n_attr;
};

/* The iterator: a borrowed view of the page and a position. */
struct site_html {
    const char *p;
    size_t len;
    size_t off;
    /* Inside a raw-text element (script, style...): its name, whose end
     * tag ends the text; "" otherwise. */
    char raw[SITE_HTML_NAME_MAX + 1];
};

/* Starts iterating over len bytes at p (which may hold NUL bytes). */
void site_html_init(struct site_html *h, const char *p, size_t len);

/*
 * Fills *t with the next tag and returns true, or returns false at the
 * end of the page.  A tag cut off by the end of the page is not returned,
 * as a browser would not build it.  Attributes past SITE_HTML_ATTR_MAX are
 * skipped.
 */
bool site_html_next(struct site_html *h, struct site_html_tag *t);

/*
 * Copies the value of the first attribute called name (ASCII case
 * ignored) into out, with the character references &amp; &lt; &gt; &quot;
 * &apos; &#N; and &#xH; decoded, cut to cap - 1 bytes.  Returns false
 * when the tag has no such attribute (out is then "").
 */
bool site_html_attr(const struct site_html_tag *t, const char *name, char *out,
                    size_t cap);

/* True when the whitespace-separated list v (a rel attribute's value)
 * contains word, ASCII case ignored. */
bool site_html_has_word(const char *v, const char *word);

#endif
