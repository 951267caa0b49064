/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * html.c - the website checker's HTML tokenizer: tags and attributes of a
 * page, the rest skipped.
 *
 * It follows the HTML5 tokenizer where it matters for finding resources:
 * comments (including "<!-->" and "--!>"), doctypes, "<?...>" and "</ >"
 * bogus comments, attributes quoted, unquoted or bare, upper-case names,
 * and the raw text of script, style, textarea, title, xmp, iframe,
 * noembed, noframes and noscript, inside which nothing is a tag until the
 * matching end tag.  It leaves out the tree builder and the script-data
 * escape states ("<!--" inside a script), whose only effect here would
 * be a tag seen or missed inside a script's text.  The trade-off: a page
 * is read as a browser with scripting enabled reads it, in one pass, with
 * every loop moving forward, so hostile markup costs O(length).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "html.h"

static const char *const raw_text[] = {
    "script", "style",   "textarea", "title",    "xmp",
    "iframe", "noembed", "noframes", "noscript", "plaintext",
};

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f';
}

static bool is_alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

void site_html_init(struct site_html *h, const char *p, size_t len)
{
    memset(h, 0, sizeof *h);
    h->p = p;
    h->len = len;
}

/* The offset just past the first occurrence of needle at or after from,
 * or len when there is none. */
static size_t skip_past(const struct site_html *h, size_t from,
                        const char *needle)
{
    size_t nl = strlen(needle);
    size_t i = from;
    while (i < h->len && h->len - i >= nl) {
        const char *q = memchr(h->p + i, needle[0], h->len - i);
        if (q == NULL) {
            break;
        }
        i = (size_t)(q - h->p);
        if (h->len - i >= nl && memcmp(q, needle, nl) == 0) {
            return i + nl;
        }
        i++;
    }
    return h->len;
}

/* Skips a comment starting at h->off ("<!--"). */
static void skip_comment(struct site_html *h)
{
    size_t i = h->off + 4;
    if (i < h->len && h->p[i] == '>') {
        h->off = i + 1; /* "<!-->" */
        return;
    }
    if (i + 1 < h->len && h->p[i] == '-' && h->p[i + 1] == '>') {
        h->off = i + 2; /* "<!--->" */
        return;
    }
    size_t a = skip_past(h, i, "-->");
    size_t b = skip_past(h, i, "--!>");
    h->off = a < b ? a : b;
}

/* Skips past the end of a raw-text element's text: to the "<" of its end
 * tag "</name" followed by a space, "/" or ">" (or the end of input). */
static void skip_raw(struct site_html *h)
{
    size_t nl = strlen(h->raw);
    size_t i = h->off;
    if (strcmp(h->raw, "plaintext") == 0) {
        h->off = h->len; /* never ends */
        h->raw[0] = '\0';
        return;
    }
    while (i < h->len) {
        const char *q = memchr(h->p + i, '<', h->len - i);
        if (q == NULL) {
            i = h->len;
            break;
        }
        i = (size_t)(q - h->p);
        size_t after = i + 2 + nl;
        if (h->len - i >= 2 + nl && q[1] == '/' &&
            strncasecmp(q + 2, h->raw, nl) == 0 &&
            memchr(q + 2, '\0', nl) == NULL &&
            (after == h->len || is_space(h->p[after]) || h->p[after] == '/' ||
             h->p[after] == '>')) {
            break;
        }
        i++;
    }
    h->off = i;
    h->raw[0] = '\0';
}

/*
 * Reads the tag name and attributes starting at i (just past "<" or
 * "</").  Returns the offset past the closing ">", or 0 when the input
 * ends inside the tag.
 */
static size_t read_tag(const struct site_html *h, size_t i,
                       struct site_html_tag *t)
{
    const char *p = h->p;
    size_t len = h->len;
    size_t ns = i;
    while (i < len && !is_space(p[i]) && p[i] != '/' && p[i] != '>') {
        i++;
    }
    size_t nlen = i - ns;
    if (nlen <= SITE_HTML_NAME_MAX) {
        for (size_t k = 0; k < nlen; k++) {
            t->name[k] = (char)tolower((unsigned char)p[ns + k]);
        }
        t->name[nlen] = '\0';
    }
    for (;;) {
        while (i < len && (is_space(p[i]) || p[i] == '/')) {
            if (p[i] == '/' && i + 1 < len && p[i + 1] == '>') {
                t->self_closing = true;
            }
            i++;
        }
        if (i >= len) {
            return 0;
        }
        if (p[i] == '>') {
            return i + 1;
        }
        /* An attribute name: its first byte may be "=". */
        size_t as = i++;
        while (i < len && !is_space(p[i]) && p[i] != '/' && p[i] != '>' &&
               p[i] != '=') {
            i++;
        }
        size_t al = i - as;
        while (i < len && is_space(p[i])) {
            i++;
        }
        const char *val = p + i;
        size_t vl = 0;
        if (i < len && p[i] == '=') {
            i++;
            while (i < len && is_space(p[i])) {
                i++;
            }
            if (i >= len) {
                return 0;
            }
            if (p[i] == '"' || p[i] == '\'') {
                const char *q = memchr(p + i + 1, p[i], len - i - 1);
                if (q == NULL) {
                    return 0;
                }
                val = p + i + 1;
                vl = (size_t)(q - val);
                i = (size_t)(q - p) + 1;
            } else {
                val = p + i;
                while (i < len && !is_space(p[i]) && p[i] != '>') {
                    i++;
                }
                vl = (size_t)(p + i - val);
            }
        }
        if (t->n_attr < SITE_HTML_ATTR_MAX) {
            struct site_html_attr *a = &t->attr[t->n_attr++];
            a->name = p + as;
            a->name_len = al;
            a->value = val;
            a->value_len = vl;
        }
    }
}

bool site_html_next(struct site_html *h, struct site_html_tag *t)
{
    while (h->off < h->len) {
        if (h->raw[0] != '\0') {
            skip_raw(h);
            continue;
        }
        const char *lt = memchr(h->p + h->off, '<', h->len - h->off);
        if (lt == NULL) {
            h->off = h->len;
            break;
        }
        h->off = (size_t)(lt - h->p);
        if (h->len - h->off < 2) {
            h->off = h->len;
            break;
        }
        char c1 = lt[1];
        if (c1 == '!') {
            if (h->len - h->off >= 4 && lt[2] == '-' && lt[3] == '-') {
                skip_comment(h);
            } else {
                h->off = skip_past(h, h->off + 2, ">");
            }
            continue;
        }
        if (c1 == '?') {
            h->off = skip_past(h, h->off + 2, ">");
            continue;
        }
        bool end = c1 == '/';
        size_t ns = h->off + (end ? 2 : 1);
        if (ns >= h->len || !is_alpha(h->p[ns])) {
            if (end) {
                /* "</>" is dropped, "</3..." is a bogus comment. */
                h->off = skip_past(h, ns, ">");
            } else {
                h->off++; /* a "<" in text */
            }
            continue;
        }
        memset(t, 0, sizeof *t);
        size_t next = read_tag(h, ns, t);
        if (next == 0) {
            h->off = h->len; /* cut off: no tag */
            break;
        }
        h->off = next;
        t->end = end;
        if (end) {
            t->n_attr = 0; /* attributes of end tags are meaningless */
            t->self_closing = false;
        } else {
            for (size_t k = 0; k < sizeof raw_text / sizeof raw_text[0]; k++) {
                if (strcmp(t->name, raw_text[k]) == 0) {
                    memcpy(h->raw, t->name, strlen(t->name) + 1);
                    break;
                }
            }
        }
        return true;
    }
    return false;
}

/*
 * Decodes the character reference at v[*i] ("&...") into enc (4 bytes)
 * and its length into *el, advancing *i; returns false (consuming
 * nothing) when it is not one of the known forms.
 */
static bool decode_ref(const char *v, size_t n, size_t *i, char enc[4],
                       size_t *el)
{
    static const struct {
        const char *name;
        char ch;
    } named[] = {{"amp;", '&'},
                 {"lt;", '<'},
                 {"gt;", '>'},
                 {"quot;", '"'},
                 {"apos;", '\''}};
    size_t k = *i + 1;
    for (size_t j = 0; j < sizeof named / sizeof named[0]; j++) {
        size_t l = strlen(named[j].name);
        if (n - k >= l && strncasecmp(v + k, named[j].name, l) == 0) {
            enc[0] = named[j].ch;
            *el = 1;
            *i = k + l;
            return true;
        }
    }
    if (k >= n || v[k] != '#') {
        return false;
    }
    k++;
    bool hex = k < n && (v[k] == 'x' || v[k] == 'X');
    if (hex) {
        k++;
    }
    unsigned long cp = 0;
    size_t digits = 0;
    while (
        k < n && digits < 8 &&
        (hex ? isxdigit((unsigned char)v[k]) : isdigit((unsigned char)v[k]))) {
        unsigned d = isdigit((unsigned char)v[k])
                         ? (unsigned)(v[k] - '0')
                         : (unsigned)(tolower((unsigned char)v[k]) - 'a' + 10);
        cp = cp * (hex ? 16 : 10) + d;
        digits++;
        k++;
    }
    if (digits == 0) {
        return false;
    }
    if (k < n && v[k] == ';') {
        k++;
    }
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        cp = 0xFFFD;
    }
    if (cp < 0x80) {
        enc[0] = (char)cp;
        *el = 1;
    } else if (cp < 0x800) {
        enc[0] = (char)(0xC0 | (cp >> 6));
        enc[1] = (char)(0x80 | (cp & 0x3F));
        *el = 2;
    } else if (cp < 0x10000) {
        enc[0] = (char)(0xE0 | (cp >> 12));
        enc[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        enc[2] = (char)(0x80 | (cp & 0x3F));
        *el = 3;
    } else {
        enc[0] = (char)(0xF0 | (cp >> 18));
        enc[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        enc[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        enc[3] = (char)(0x80 | (cp & 0x3F));
        *el = 4;
    }
    *i = k;
    return true;
}

bool site_html_attr(const struct site_html_tag *t, const char *name, char *out,
                    size_t cap)
{
    size_t nl = strlen(name);
    if (cap == 0) {
        return false;
    }
    out[0] = '\0';
    for (size_t a = 0; a < t->n_attr; a++) {
        const struct site_html_attr *at = &t->attr[a];
        if (at->name_len != nl || strncasecmp(at->name, name, nl) != 0) {
            continue;
        }
        size_t o = 0;
        size_t i = 0;
        /* Stops at the first character that does not fit, so a cut value
         * is always a prefix of the whole one. */
        while (i < at->value_len) {
            char enc[4];
            size_t el = 1;
            if (at->value[i] != '&' ||
                !decode_ref(at->value, at->value_len, &i, enc, &el)) {
                enc[0] = at->value[i++];
            }
            if (o + el >= cap) {
                break;
            }
            memcpy(out + o, enc, el);
            o += el;
        }
        out[o] = '\0';
        return true;
    }
    return false;
}

bool site_html_has_word(const char *v, const char *word)
{
    size_t wl = strlen(word);
    size_t i = 0;
    size_t n = strlen(v);
    while (i < n) {
        while (i < n && is_space(v[i])) {
            i++;
        }
        size_t s = i;
        while (i < n && !is_space(v[i])) {
            i++;
        }
        if (i - s == wl && strncasecmp(v + s, word, wl) == 0) {
            return true;
        }
    }
    return false;
}
