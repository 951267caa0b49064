/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * text.c - the texts of every finding and of the interface, in English,
 * Russian and Kyrgyz: a strict parser of the files of lib/site/text/ and
 * the index the lookups search.
 *
 * The files are compiled in (cmake/embed.cmake), so the checker needs no
 * files at run time and a translator edits plain text, not C.  They are
 * parsed once, on the first lookup, into one array sorted by (section,
 * language, part) that every thread then reads without locks: a lookup is
 * a binary search, O(log n) over about 500 texts.  The parser is strict,
 * because the unit test runs it over every embedded file and a typo must
 * fail the build's tests rather than show a hole in a report.  At run time
 * a defect never hides the texts that did parse.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site_int.h"
#include "site_texts.h"
#include "text.h"

/* ---- The parser ---- */

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when invalid:
 * overlong forms, surrogates and code points past U+10FFFF are refused. */
static size_t utf8_len(const unsigned char *p, size_t left)
{
    size_t n = 0;
    unsigned cp = 0;
    unsigned min = 0;

    if (p[0] < 0x80) {
        return 1;
    }
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        n = 2;
        cp = p[0] & 0x1fu;
        min = 0x80;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        n = 3;
        cp = p[0] & 0x0fu;
        min = 0x800;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        n = 4;
        cp = p[0] & 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n > left) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (p[i] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return n;
}

/* Checks that a line is UTF-8 without control bytes (a tab is allowed). */
static int line_ok(const char *s, size_t n, struct kk_diag *d, unsigned ln)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    int rc = KK_OK;

    while (i < n) {
        size_t l = utf8_len(p + i, n - i);
        if (l == 0) {
            kk_diag_set(d, "line %u: invalid UTF-8", ln);
            rc = KK_ERR_INVAL;
            goto out;
        }
        if (l == 1 && ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)) {
            kk_diag_set(d, "line %u: a control byte", ln);
            rc = KK_ERR_INVAL;
            goto out;
        }
        i += l;
    }
out:
    return rc;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Trims spaces and tabs at both ends of s[0..*n). */
static const char *trim(const char *s, size_t *n)
{
    while (*n > 0 && is_blank(s[0])) {
        s++;
        (*n)--;
    }
    while (*n > 0 && is_blank(s[*n - 1])) {
        (*n)--;
    }
    return s;
}

/* A section name: a lower-case letter, then letters, digits, '.', '_'
 * and '-'. */
static bool section_ok(const char *s, size_t n)
{
    if (n == 0 || n > KK_SITE_TEXT_ID_MAX || s[0] < 'a' || s[0] > 'z') {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-')) {
            return false;
        }
    }
    return s[n - 1] != '.';
}

static int key_part(const char *k, size_t n, enum site_text_part *part)
{
    int rc = KK_ERR_NOTFOUND;
    if (n == 5 && memcmp(k, "title", 5) == 0) {
        *part = SITE_TEXT_TITLE;
        rc = KK_OK;
    } else if (n == 6 && memcmp(k, "detail", 6) == 0) {
        *part = SITE_TEXT_DETAIL;
        rc = KK_OK;
    } else if (n == 3 && memcmp(k, "fix", 3) == 0) {
        *part = SITE_TEXT_FIX;
        rc = KK_OK;
    }
    return rc;
}

/* Resolves "\n" and "\\" of v[0..n) into out (cap > n). */
static int unescape(const char *v, size_t n, char *out, size_t cap,
                    struct kk_diag *d, unsigned ln)
{
    size_t o = 0;
    int rc = KK_OK;

    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (c == '\\') {
            if (i + 1 == n || (v[i + 1] != 'n' && v[i + 1] != '\\')) {
                kk_diag_set(d,
                            "line %u: a backslash must be followed by n or "
                            "another backslash",
                            ln);
                rc = KK_ERR_INVAL;
                goto out;
            }
            i++;
            c = v[i] == 'n' ? '\n' : '\\';
        }
        if (o + 1 >= cap) {
            rc = KK_ERR_LIMIT;
            goto out;
        }
        out[o++] = c;
    }
    out[o] = '\0';
out:
    return rc;
}

struct parse_state {
    char section[KK_SITE_TEXT_ID_MAX + 1];
    bool in_section;
    unsigned section_line;
    unsigned seen; /* bit per part given in the current section */
    size_t texts;
};

static int end_section(const struct parse_state *st, struct kk_diag *d)
{
    int rc = KK_OK;
    if (st->in_section && st->seen == 0) {
        kk_diag_set(d, "line %u: section [%s] has no text", st->section_line,
                    st->section);
        rc = KK_ERR_INVAL;
    }
    return rc;
}

static int parse_key(struct parse_state *st, const char *s, size_t n,
                     unsigned ln, char *val, site_text_sink sink, void *arg,
                     struct kk_diag *d)
{
    int rc = KK_ERR_INVAL;
    const char *eq = memchr(s, '=', n);
    enum site_text_part part = SITE_TEXT_TITLE;

    if (eq == NULL) {
        kk_diag_set(d, "line %u: neither [section] nor key = value", ln);
        goto out;
    }
    size_t kl = (size_t)(eq - s);
    const char *k = trim(s, &kl);
    size_t vl = n - (size_t)(eq - s) - 1;
    const char *v = trim(eq + 1, &vl);
    if (!st->in_section) {
        kk_diag_set(d, "line %u: a text before any [section]", ln);
        goto out;
    }
    if (key_part(k, kl, &part) != KK_OK) {
        kk_diag_set(d, "line %u: unknown key '%.*s' (title, detail or fix)", ln,
                    (int)(kl < 32 ? kl : 32), k);
        goto out;
    }
    if ((st->seen & (1u << part)) != 0) {
        kk_diag_set(d, "line %u: '%.*s' given twice in [%s]", ln, (int)kl, k,
                    st->section);
        goto out;
    }
    if (vl == 0) {
        kk_diag_set(d, "line %u: an empty text", ln);
        goto out;
    }
    if (++st->texts > KK_SITE_TEXT_ENTRIES_MAX) {
        kk_diag_set(d, "line %u: more than %d texts", ln,
                    KK_SITE_TEXT_ENTRIES_MAX);
        rc = KK_ERR_LIMIT;
        goto out;
    }
    rc = unescape(v, vl, val, KK_SITE_TEXT_LINE_MAX + 1, d, ln);
    if (rc != KK_OK) {
        goto out;
    }
    st->seen |= 1u << part;
    rc = sink != NULL ? sink(arg, st->section, part, val, ln) : KK_OK;
out:
    return rc;
}

int site_text_parse(const char *data, size_t len, site_text_sink sink,
                    void *arg, struct kk_diag *d)
{
    struct parse_state st;
    struct kk_span sp = kk_span_make(data, len);
    char *val = NULL;
    unsigned ln = 0;
    int rc = KK_OK;

    memset(&st, 0, sizeof st);
    if (len > KK_SITE_TEXT_FILE_MAX) {
        kk_diag_set(d, "the file is longer than %d bytes",
                    KK_SITE_TEXT_FILE_MAX);
        rc = KK_ERR_LIMIT;
        goto out;
    }
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
        sp.off = 3; /* a byte order mark some editors add */
    }
    val = malloc(KK_SITE_TEXT_LINE_MAX + 1);
    if (val == NULL) {
        rc = KK_ERR_NOMEM;
        goto out;
    }
    for (;;) {
        const char *line;
        size_t n;
        int lr = kk_span_get_line(&sp, KK_SITE_TEXT_LINE_MAX, &line, &n);
        if (lr == KK_ERR_NOTFOUND) {
            break;
        }
        ln++;
        if (lr != KK_OK) {
            kk_diag_set(d, "line %u: %s", ln,
                        lr == KK_ERR_LIMIT ? "longer than the limit"
                                           : "a NUL byte");
            rc = lr == KK_ERR_LIMIT ? KK_ERR_LIMIT : KK_ERR_INVAL;
            goto out;
        }
        rc = line_ok(line, n, d, ln);
        if (rc != KK_OK) {
            goto out;
        }
        const char *s = trim(line, &n);
        if (n == 0 || s[0] == '#') {
            continue;
        }
        if (s[0] == '[') {
            rc = end_section(&st, d);
            if (rc != KK_OK) {
                goto out;
            }
            if (s[n - 1] != ']' || !section_ok(s + 1, n - 2)) {
                kk_diag_set(d, "line %u: a malformed [section] name", ln);
                rc = KK_ERR_INVAL;
                goto out;
            }
            memcpy(st.section, s + 1, n - 2);
            st.section[n - 2] = '\0';
            st.in_section = true;
            st.section_line = ln;
            st.seen = 0;
            continue;
        }
        rc = parse_key(&st, s, n, ln, val, sink, arg, d);
        if (rc != KK_OK) {
            goto out;
        }
    }
    rc = end_section(&st, d);
out:
    free(val);
    return rc;
}

int site_text_file_lang(const char *name, char *lang, size_t cap)
{
    int rc = KK_ERR_INVAL;
    const char *base = strrchr(name, '/');
    base = base != NULL ? base + 1 : name;
    size_t n = strlen(base);
    if (n < 8 || strcmp(base + n - 4, ".txt") != 0) {
        goto out;
    }
    const char *end = base + n - 4;
    const char *dot = end;
    while (dot > base && dot[-1] != '.') {
        dot--;
    }
    size_t ll = (size_t)(end - dot);
    if (dot - 1 <= base || ll < 2 || ll > 3 || ll >= cap) {
        goto out;
    }
    for (size_t i = 0; i < ll; i++) {
        if (dot[i] < 'a' || dot[i] > 'z') {
            goto out;
        }
    }
    memcpy(lang, dot, ll);
    lang[ll] = '\0';
    rc = KK_OK;
out:
    return rc;
}

/* ---- The index ---- */

struct text_entry {
    char *section;
    char lang[4];
    enum site_text_part part;
    char *value;
    const char *file; /* where it came from, for the duplicate message */
    unsigned line;
};

static struct {
    pthread_once_t once;
    struct text_entry *e;
    size_t n;
    size_t cap;
    int status;
    struct kk_diag diag;
} idx = {.once = PTHREAD_ONCE_INIT};

struct load_arg {
    const char *file;
    const char *lang;
};

static int add_entry(void *argp, const char *section, enum site_text_part part,
                     const char *value, unsigned line)
{
    const struct load_arg *a = argp;
    int rc = KK_OK;

    if (idx.n == idx.cap) {
        size_t cap = idx.cap == 0 ? 512 : idx.cap * 2;
        struct text_entry *p = realloc(idx.e, cap * sizeof *p);
        if (p == NULL) {
            rc = KK_ERR_NOMEM;
            goto out;
        }
        idx.e = p;
        idx.cap = cap;
    }
    struct text_entry *e = &idx.e[idx.n];
    memset(e, 0, sizeof *e);
    e->section = strdup(section);
    e->value = strdup(value);
    if (e->section == NULL || e->value == NULL) {
        free(e->section);
        free(e->value);
        rc = KK_ERR_NOMEM;
        goto out;
    }
    snprintf(e->lang, sizeof e->lang, "%s", a->lang);
    e->part = part;
    e->file = a->file;
    e->line = line;
    idx.n++;
out:
    return rc;
}

static int cmp_key(const char *s1, const char *l1, enum site_text_part p1,
                   const char *s2, const char *l2, enum site_text_part p2)
{
    int c = strcmp(s1, s2);
    if (c == 0) {
        c = strcmp(l1, l2);
    }
    if (c == 0 && p1 != p2) {
        c = p1 < p2 ? -1 : 1;
    }
    return c;
}

static int cmp_entry(const void *a, const void *b)
{
    const struct text_entry *x = a;
    const struct text_entry *y = b;
    int c = cmp_key(x->section, x->lang, x->part, y->section, y->lang, y->part);
    if (c == 0) { /* keep the first given: file order, then line */
        c = strcmp(x->file, y->file);
    }
    if (c == 0 && x->line != y->line) {
        c = x->line < y->line ? -1 : 1;
    }
    return c;
}

static void note_defect(int rc, const char *fmt, ...) KK_PRINTF(2, 3);

/* Keeps the first defect found. */
static void note_defect(int rc, const char *fmt, ...)
{
    if (idx.status == KK_OK) {
        va_list ap;
        idx.status = rc;
        va_start(ap, fmt);
        vsnprintf(idx.diag.msg, sizeof idx.diag.msg, fmt, ap);
        va_end(ap);
    }
}

static void load(void)
{
    static const char *const part_name[] = {"title", "detail", "fix"};
    for (size_t i = 0; site_text_files[i].name != NULL; i++) {
        const struct site_text_file *f = &site_text_files[i];
        char lang[4];
        struct kk_diag d = {.msg = ""};
        if (site_text_file_lang(f->name, lang, sizeof lang) != KK_OK) {
            note_defect(KK_ERR_CORRUPT, "%s: not named <part>.<lang>.txt",
                        f->name);
            continue;
        }
        struct load_arg a = {f->name, lang};
        int rc =
            site_text_parse((const char *)f->data, f->len, add_entry, &a, &d);
        if (rc == KK_ERR_NOMEM) {
            note_defect(rc, "out of memory");
        } else if (rc != KK_OK) {
            note_defect(KK_ERR_CORRUPT, "%s: %s", f->name, d.msg);
        }
    }
    if (idx.n > 1) {
        qsort(idx.e, idx.n, sizeof idx.e[0], cmp_entry);
    }
    /* Drop repeats, keeping the first; the first repeat is a defect. */
    size_t keep = 0;
    for (size_t i = 0; i < idx.n; i++) {
        struct text_entry *e = &idx.e[i];
        if (keep > 0) {
            const struct text_entry *p = &idx.e[keep - 1];
            if (cmp_key(p->section, p->lang, p->part, e->section, e->lang,
                        e->part) == 0) {
                note_defect(KK_ERR_CORRUPT,
                            "%s:%u: %s of [%s] given again (first in %s:%u)",
                            e->file, e->line, part_name[e->part], e->section,
                            p->file, p->line);
                free(e->section);
                free(e->value);
                continue;
            }
        }
        idx.e[keep++] = *e;
    }
    idx.n = keep;
}

static const struct text_entry *find(const char *id, enum site_text_part part,
                                     const char *lang)
{
    size_t lo = 0;
    size_t hi;
    const struct text_entry *found = NULL;

    if (id == NULL || lang == NULL || (unsigned)part > SITE_TEXT_FIX) {
        goto out;
    }
    pthread_once(&idx.once, load);
    hi = idx.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct text_entry *e = &idx.e[mid];
        int c = cmp_key(id, lang, part, e->section, e->lang, e->part);
        if (c == 0) {
            found = e;
            break;
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
out:
    return found;
}

/* "ru" and "ky" stand for themselves; anything else is English. */
static const char *norm_lang(const char *lang)
{
    const char *l = "en";
    if (lang != NULL && (strcmp(lang, "ru") == 0 || strcmp(lang, "ky") == 0)) {
        l = lang;
    }
    return l;
}

const char *site_text_exact(const char *id, enum site_text_part part,
                            const char *lang)
{
    const struct text_entry *e = find(id, part, lang);
    return e != NULL ? e->value : NULL;
}

const char *site_text(const char *id, enum site_text_part part,
                      const char *lang)
{
    const struct text_entry *e = find(id, part, norm_lang(lang));
    if (e == NULL) {
        e = find(id, part, "en");
    }
    return e != NULL ? e->value : NULL;
}

int site_text_status(struct kk_diag *d)
{
    pthread_once(&idx.once, load);
    if (idx.status != KK_OK) {
        kk_diag_set(d, "%s", idx.diag.msg);
    }
    return idx.status;
}
