/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * i18n.c - the hub's three languages: codes and names, Accept-Language
 * negotiation, the PO reader and hub_tr().
 *
 * The PO reader takes the subset of GNU gettext our translators need
 * (singular messages, no contexts, no plural forms) and rejects the rest
 * with a line number instead of silently dropping it, so a translation
 * that cannot be shown is caught at build and start-up, not by a reader.
 * A catalogue costs two allocations: decoded text is never longer than its
 * quoted source, so one arena of the input's size holds every string, and
 * one array sorted by msgid makes a lookup a binary search, O(log n).
 *
 * The compiled-in catalogues are loaded once (pthread_once) and published
 * through an atomic flag, so hub_tr() is safe from any thread at any time:
 * before the load it answers with the English msgid.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "i18n.h"
#include "parse.h"

#define ACCEPT_MAX 1024 /* bytes in an Accept-Language header we read */

static const char *const lang_codes[HUB_LANG_COUNT] = {"en", "ru", "ky"};
static const char *const lang_native[HUB_LANG_COUNT] = {"English", "Русский",
                                                        "Кыргызча"};

/* ---- languages ---- */

static int ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool is_alpha(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_alnum(int c)
{
    return is_alpha(c) || (c >= '0' && c <= '9');
}

static bool is_ows(int c)
{
    return c == ' ' || c == '\t';
}

const char *hub_lang_code(int lang)
{
    if (lang < 0 || lang >= HUB_LANG_COUNT)
        return NULL;
    return lang_codes[lang];
}

const char *hub_lang_native(int lang)
{
    if (lang < 0 || lang >= HUB_LANG_COUNT)
        return NULL;
    return lang_native[lang];
}

/* HUB_LANG_* whose code is the len bytes at s (any case), or -1. */
static int lang_of_primary(const char *s, size_t len)
{
    if (len != 2)
        return -1;
    for (int i = 0; i < HUB_LANG_COUNT; i++) {
        if (ascii_lower(s[0]) == lang_codes[i][0] &&
            ascii_lower(s[1]) == lang_codes[i][1])
            return i;
    }
    return -1;
}

/*
 * Length of the language range at s (RFC 9110: 1*8ALPHA *("-" 1*8alphanum),
 * or "*"), 0 if there is none; *primary gets the length of its first
 * subtag.
 */
static size_t range_len(const char *s, size_t *primary)
{
    size_t i = 0;
    size_t n = 0;

    if (s[0] == '*') {
        *primary = 1;
        return 1;
    }
    while (is_alpha(s[i]) && n < 8) {
        i++;
        n++;
    }
    if (n == 0 || is_alpha(s[i]))
        return 0;
    *primary = i;
    while (s[i] == '-') {
        size_t j = i + 1;
        n = 0;
        while (is_alnum(s[j]) && n < 8) {
            j++;
            n++;
        }
        if (n == 0 || is_alnum(s[j]))
            return 0;
        i = j;
    }
    return i;
}

int hub_lang_from_code(const char *code)
{
    size_t primary = 0;
    size_t n;

    if (code == NULL || code[0] == '*')
        return -1;
    n = range_len(code, &primary);
    if (n == 0 || code[n] != '\0')
        return -1;
    return lang_of_primary(code, primary);
}

/*
 * Parses a qvalue ("0", "0.5", "1.000") at s into thousandths; returns the
 * bytes read, 0 if malformed.
 */
static size_t qvalue_parse(const char *s, int *q)
{
    size_t i = 1;
    int v;
    int scale = 100;

    if (s[0] != '0' && s[0] != '1')
        return 0;
    v = (s[0] - '0') * 1000;
    if (s[1] == '.') {
        i = 2;
        while (s[i] >= '0' && s[i] <= '9' && i < 5) {
            v += (s[i] - '0') * scale;
            scale /= 10;
            i++;
        }
        if (s[i] >= '0' && s[i] <= '9')
            return 0;
    }
    if (v > 1000)
        return 0;
    *q = v;
    return i;
}

/*
 * Reads the list element at h[*i] (a language range and an optional
 * weight) up to the next ',' or the end; on success moves *i there and
 * sets *primary (length of the first subtag) and *w (thousandths).
 */
static bool accept_element(const char *h, size_t *i, size_t *primary, int *w)
{
    size_t k = *i;
    size_t n = range_len(h + k, primary);
    size_t m = 0;
    bool ok = n > 0;

    *w = 1000;
    k += n;
    while (ok && is_ows(h[k]))
        k++;
    if (ok && h[k] == ';') {
        k++;
        while (is_ows(h[k]))
            k++;
        ok = ascii_lower(h[k]) == 'q' && h[k + 1] == '=';
        if (ok)
            m = qvalue_parse(h + k + 2, w);
        ok = ok && m > 0;
        if (ok)
            k += 2 + m;
        while (ok && is_ows(h[k]))
            k++;
    }
    ok = ok && (h[k] == ',' || h[k] == '\0');
    if (ok)
        *i = k;
    return ok;
}

/* Highest weight wins; on a tie the range named first, then the order en,
 * ru, ky (for languages reached only through "*").  English when none has
 * a weight above 0. */
static int accept_best(const int *q, const size_t *pos, int star_q,
                       size_t star_pos)
{
    int best = HUB_LANG_EN;
    int best_q = 0;
    size_t best_pos = SIZE_MAX;

    for (int l = 0; l < HUB_LANG_COUNT; l++) {
        int lq = q[l] >= 0 ? q[l] : (star_q > 0 ? star_q : 0);
        size_t lp = q[l] >= 0 ? pos[l] : star_pos;
        if (lq > best_q || (lq == best_q && lq > 0 && lp < best_pos)) {
            best = l;
            best_q = lq;
            best_pos = lp;
        }
    }
    return best;
}

int hub_lang_from_accept(const char *header)
{
    int q[HUB_LANG_COUNT] = {-1, -1, -1}; /* -1: not named */
    size_t pos[HUB_LANG_COUNT] = {0, 0, 0};
    int star_q = -1;
    size_t star_pos = 0;
    size_t elem = 0;
    size_t i = 0;
    int lang = HUB_LANG_EN;

    if (header == NULL || strnlen(header, ACCEPT_MAX + 1) > ACCEPT_MAX)
        goto out;
    for (;;) {
        size_t primary = 0;
        size_t start;
        int w;
        int l;

        while (is_ows(header[i]))
            i++;
        if (header[i] == '\0')
            break;
        if (header[i] == ',') { /* empty list elements are allowed */
            i++;
            continue;
        }
        start = i;
        if (!accept_element(header, &i, &primary, &w))
            goto out; /* malformed: English */
        if (header[start] == '*') {
            if (star_q < 0) {
                star_q = w;
                star_pos = elem;
            }
        } else {
            l = lang_of_primary(header + start, primary);
            if (l >= 0 && w > q[l]) {
                if (q[l] < 0)
                    pos[l] = elem;
                q[l] = w;
            }
        }
        elem++;
    }
    lang = accept_best(q, pos, star_q, star_pos);
out:
    return lang;
}

/* ---- PO catalogues ---- */

struct po_entry {
    const char *id;
    const char *str;
    unsigned line;
};

struct hub_po {
    struct po_entry *e;
    size_t n;
    char *arena;
};

/* The reader's state between lines. */
struct po_reader {
    char *arena;
    size_t cap;  /* bytes of arena */
    size_t used; /* bytes written */
    struct po_entry *e;
    size_t n;
    size_t alloc;
    int state;        /* PO_IDLE, PO_ID, PO_STR */
    size_t id_off;    /* arena offset of the current msgid */
    size_t str_off;   /* ... and msgstr */
    unsigned id_line; /* line of the current msgid */
    bool fuzzy;       /* "#, fuzzy" seen before the current entry */
};

enum { PO_IDLE, PO_ID, PO_STR };

/*
 * Decodes the quoted string that starts at line[*i] (a '"') onto the
 * arena and moves *i past it and any blanks after it, which must end the
 * line.
 */
static int po_string(struct po_reader *rd, const char *line, size_t len,
                     size_t *i, unsigned lineno, struct kk_diag *d)
{
    size_t k = *i + 1;
    int r = KK_ERR_INVAL;

    if (*i >= len || line[*i] != '"') {
        kk_diag_set(d, "line %u: expected a quoted string", lineno);
        goto out;
    }
    for (;;) {
        char c;
        if (k >= len) {
            kk_diag_set(d, "line %u: unterminated string", lineno);
            goto out;
        }
        c = line[k++];
        if (c == '"')
            break;
        if (c == '\\') {
            char e = k < len ? line[k++] : '\0';
            if (e == 'n')
                c = '\n';
            else if (e == 't')
                c = '\t';
            else if (e == '"' || e == '\\')
                c = e;
            else {
                kk_diag_set(d, "line %u: unknown escape", lineno);
                goto out;
            }
        } else if ((unsigned char)c < 0x20 && c != '\t') {
            kk_diag_set(d, "line %u: control character in a string", lineno);
            goto out;
        }
        /* Cannot happen: decoded text is shorter than its source. */
        if (rd->used >= rd->cap) {
            r = KK_ERR_LIMIT;
            kk_diag_set(d, "line %u: arena exhausted", lineno);
            goto out;
        }
        rd->arena[rd->used++] = c;
    }
    while (k < len && is_ows(line[k]))
        k++;
    if (k != len) {
        kk_diag_set(d, "line %u: text after the closing quote", lineno);
        goto out;
    }
    *i = k;
    r = KK_OK;
out:
    return r;
}

/* Ends the current string with a NUL. */
static int po_terminate(struct po_reader *rd, unsigned lineno,
                        struct kk_diag *d)
{
    if (rd->used >= rd->cap) {
        kk_diag_set(d, "line %u: arena exhausted", lineno);
        return KK_ERR_LIMIT;
    }
    rd->arena[rd->used++] = '\0';
    return KK_OK;
}

/* Checks the header's charset: only UTF-8 is read. */
static int po_header(const char *str, unsigned lineno, struct kk_diag *d)
{
    const char *p = strstr(str, "charset=");
    const char *want = "utf-8";
    size_t n = 0;

    if (p == NULL)
        return KK_OK;
    p += strlen("charset=");
    while (p[n] != '\0' && p[n] != '\n' && p[n] != ';' && !is_ows(p[n]))
        n++;
    if (n == strlen(want)) {
        size_t k = 0;
        while (k < n && ascii_lower(p[k]) == want[k])
            k++;
        if (k == n)
            return KK_OK;
    }
    kk_diag_set(d, "line %u: only charset=UTF-8 is supported", lineno);
    return KK_ERR_UNSUPPORTED;
}

/* Ends the entry being read: keeps it, or drops the header, fuzzy and
 * untranslated entries. */
static int po_finish(struct po_reader *rd, unsigned lineno, struct kk_diag *d)
{
    const char *id;
    const char *str;
    bool keep;
    int r = KK_OK;

    if (rd->state == PO_IDLE)
        goto out; /* keeps a "#, fuzzy" seen before the entry */
    if (rd->state == PO_ID) {
        r = KK_ERR_INVAL;
        kk_diag_set(d, "line %u: msgid without msgstr", rd->id_line);
        goto out;
    }
    r = po_terminate(rd, lineno, d);
    if (r != KK_OK)
        goto out;
    id = rd->arena + rd->id_off;
    str = rd->arena + rd->str_off;
    keep = id[0] != '\0' && str[0] != '\0' && !rd->fuzzy;
    if (id[0] == '\0') {
        r = po_header(str, rd->id_line, d);
        if (r != KK_OK)
            goto out;
    }
    if (!hub_utf8_valid(id, strlen(id)) || !hub_utf8_valid(str, strlen(str))) {
        r = KK_ERR_INVAL;
        kk_diag_set(d, "line %u: invalid UTF-8", rd->id_line);
        goto out;
    }
    if (!keep) {
        rd->used = rd->id_off;
    } else {
        if (rd->n == rd->alloc) {
            size_t na = rd->alloc == 0 ? 32 : rd->alloc * 2;
            size_t bytes;
            struct po_entry *ne;
            r = kk_size_mul(na, sizeof *ne, &bytes);
            if (r != KK_OK)
                goto out;
            ne = realloc(rd->e, bytes);
            if (ne == NULL) {
                r = KK_ERR_NOMEM;
                goto out;
            }
            rd->e = ne;
            rd->alloc = na;
        }
        rd->e[rd->n].id = id;
        rd->e[rd->n].str = str;
        rd->e[rd->n].line = rd->id_line;
        rd->n++;
    }
out:
    if (rd->state != PO_IDLE) {
        rd->state = PO_IDLE;
        rd->fuzzy = false;
    }
    return r;
}

/* True if a "#," comment line names the fuzzy flag. */
static bool po_flags_fuzzy(const char *line, size_t len)
{
    size_t i = 2;

    while (i < len) {
        size_t s;
        size_t e;
        while (i < len && (is_ows(line[i]) || line[i] == ','))
            i++;
        s = i;
        while (i < len && line[i] != ',' && !is_ows(line[i]))
            i++;
        e = i;
        if (e - s == 5 && memcmp(line + s, "fuzzy", 5) == 0)
            return true;
    }
    return false;
}

/* Reads one line that is neither blank nor a comment. */
static int po_line(struct po_reader *rd, const char *line, size_t len,
                   unsigned lineno, struct kk_diag *d)
{
    size_t i = 0;
    size_t kw;
    int r = KK_ERR_INVAL;

    if (line[0] == '"') {
        if (rd->state == PO_IDLE) {
            kk_diag_set(d, "line %u: string outside an entry", lineno);
            goto out;
        }
        r = po_string(rd, line, len, &i, lineno, d);
        goto out;
    }
    while (i < len && !is_ows(line[i]) && line[i] != '"')
        i++;
    kw = i;
    while (i < len && is_ows(line[i]))
        i++;
    if (kw == 5 && memcmp(line, "msgid", 5) == 0) {
        r = po_finish(rd, lineno, d);
        if (r != KK_OK)
            goto out;
        rd->state = PO_ID;
        rd->id_off = rd->used;
        rd->id_line = lineno;
        r = po_string(rd, line, len, &i, lineno, d);
    } else if (kw == 6 && memcmp(line, "msgstr", 6) == 0) {
        if (rd->state != PO_ID) {
            kk_diag_set(d, "line %u: msgstr without msgid", lineno);
            goto out;
        }
        r = po_terminate(rd, lineno, d);
        if (r != KK_OK)
            goto out;
        rd->state = PO_STR;
        rd->str_off = rd->used;
        r = po_string(rd, line, len, &i, lineno, d);
    } else if ((kw == 7 && memcmp(line, "msgctxt", 7) == 0) ||
               (kw == 12 && memcmp(line, "msgid_plural", 12) == 0) ||
               (kw > 7 && memcmp(line, "msgstr[", 7) == 0)) {
        r = KK_ERR_UNSUPPORTED;
        kk_diag_set(d, "line %u: %.*s is not supported", lineno, (int)kw, line);
    } else {
        kk_diag_set(d, "line %u: unknown keyword", lineno);
    }
out:
    return r;
}

static int po_cmp(const void *a, const void *b)
{
    const struct po_entry *x = a;
    const struct po_entry *y = b;

    return strcmp(x->id, y->id);
}

struct kk_span hub_text_span(const char *text, size_t len)
{
    struct kk_span s = kk_span_make(len > 0 ? text : "", len);
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        s.off = 3; /* a byte-order mark */
    return s;
}

int hub_text_args(bool out_ok, const char *text, size_t len, size_t max,
                  struct kk_diag *d)
{
    if (!out_ok || (text == NULL && len > 0)) {
        kk_diag_set(d, "invalid argument");
        return KK_ERR_INVAL;
    }
    if (len > max) {
        kk_diag_set(d, "larger than %zu bytes", max);
        return KK_ERR_LIMIT;
    }
    return KK_OK;
}

int hub_po_parse(const char *text, size_t len, struct hub_po **out,
                 struct kk_diag *d)
{
    struct po_reader rd;
    struct hub_po *po = NULL;
    struct kk_span s;
    unsigned lineno = 0;
    int r = KK_ERR_INVAL;

    memset(&rd, 0, sizeof rd);
    r = hub_text_args(out != NULL, text, len, KK_HUB_PO_MAX, d);
    if (r != KK_OK)
        goto out;
    r = KK_ERR_INVAL;
    rd.cap = len + 1;
    rd.arena = malloc(rd.cap);
    po = calloc(1, sizeof *po);
    if (rd.arena == NULL || po == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    s = hub_text_span(text, len);
    for (;;) {
        const char *line;
        size_t n;
        r = kk_span_get_line(&s, KK_HUB_PO_MAX, &line, &n);
        if (r == KK_ERR_NOTFOUND)
            break;
        lineno++;
        if (r != KK_OK) {
            r = KK_ERR_INVAL;
            kk_diag_set(d, "line %u: contains a NUL byte", lineno);
            goto out;
        }
        while (n > 0 && is_ows(line[0])) {
            line++;
            n--;
        }
        while (n > 0 && is_ows(line[n - 1]))
            n--;
        if (n == 0 || line[0] == '#') {
            r = po_finish(&rd, lineno, d);
            if (r != KK_OK)
                goto out;
            if (n >= 2 && line[1] == ',' && po_flags_fuzzy(line, n))
                rd.fuzzy = true;
            continue;
        }
        r = po_line(&rd, line, n, lineno, d);
        if (r != KK_OK)
            goto out;
    }
    r = po_finish(&rd, lineno, d);
    if (r != KK_OK)
        goto out;
    if (rd.n > 1)
        qsort(rd.e, rd.n, sizeof *rd.e, po_cmp);
    for (size_t k = 1; k < rd.n; k++) {
        if (strcmp(rd.e[k - 1].id, rd.e[k].id) == 0) {
            unsigned a = rd.e[k - 1].line;
            unsigned b = rd.e[k].line;
            r = KK_ERR_INVAL;
            kk_diag_set(d, "line %u: duplicate msgid (first at line %u)",
                        a > b ? a : b, a < b ? a : b);
            goto out;
        }
    }
    po->e = rd.e;
    po->n = rd.n;
    po->arena = rd.arena;
    rd.e = NULL;
    rd.arena = NULL;
    *out = po;
    po = NULL;
    r = KK_OK;
out:
    free(rd.e);
    free(rd.arena);
    free(po);
    return r;
}

void hub_po_free(struct hub_po *po)
{
    if (po == NULL)
        return;
    free(po->e);
    free(po->arena);
    free(po);
}

const char *hub_po_get(const struct hub_po *po, const char *msgid)
{
    size_t lo = 0;
    size_t hi;

    if (po == NULL || msgid == NULL)
        return NULL;
    hi = po->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(msgid, po->e[mid].id);
        if (c == 0)
            return po->e[mid].str;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

size_t hub_po_len(const struct hub_po *po)
{
    return po == NULL ? 0 : po->n;
}

/* ---- the compiled-in catalogues ---- */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
/* Per language: web/po/LANG.po first, then every web/po/AREA.LANG.po (the
 * workflows keep their texts in their own files), searched in order. */
#define PO_FILES_MAX 16
static struct hub_po *builtin_po[HUB_LANG_COUNT][PO_FILES_MAX];
static struct hub_catalogue *builtin_cat;
static int init_result;
static char init_msg[KK_DIAG_MAX];
/* Set (release) once builtin_po and builtin_cat are complete. */
static atomic_bool init_ready;

/* Parses one PO asset into slot k of lang. */
static int load_po_asset(int lang, size_t k, const struct hub_asset *a,
                         struct kk_diag *d)
{
    struct kk_diag pd;
    int r;

    kk_diag_clear(&pd);
    r = hub_po_parse((const char *)a->data, a->len, &builtin_po[lang][k], &pd);
    if (r != KK_OK) {
        kk_diag_set(d, "%s: %s", a->name, pd.msg);
        if (r != KK_ERR_NOMEM)
            r = KK_ERR_CORRUPT;
    }
    return r;
}

/* True if name is web/po/AREA.LANG.po for this language's code. */
static bool area_po(const char *name, const char *code)
{
    static const char dir[] = "web/po/";
    char tail[16];
    size_t n, t;

    if (strncmp(name, dir, sizeof dir - 1) != 0)
        return false;
    name += sizeof dir - 1;
    if (strchr(name, '/') != NULL)
        return false;
    (void)snprintf(tail, sizeof tail, ".%s.po", code);
    n = strlen(name);
    t = strlen(tail);
    return n > t && strcmp(name + n - t, tail) == 0;
}

/* The PO assets of one language; none is a language without
 * translations. */
static int load_po(int lang, struct kk_diag *d)
{
    char name[32];
    const struct hub_asset *a;
    size_t k = 0;
    int r = KK_OK;

    (void)snprintf(name, sizeof name, "web/po/%s.po", lang_codes[lang]);
    a = hub_asset_find(name);
    if (a != NULL)
        r = load_po_asset(lang, k++, a, d);
    for (a = hub_assets; a->name != NULL && r == KK_OK; a++) {
        if (!area_po(a->name, lang_codes[lang]))
            continue;
        if (k == PO_FILES_MAX) {
            kk_diag_set(d, "%s: more than %d catalogues for one language",
                        a->name, PO_FILES_MAX);
            return KK_ERR_RANGE;
        }
        r = load_po_asset(lang, k++, a, d);
    }
    return r;
}

static int load_all(struct kk_diag *d)
{
    static const char cat_name[] = "web/catalogue/controls.txt";
    const struct hub_asset *a;
    struct kk_diag pd;
    int r = KK_OK;

    for (int l = HUB_LANG_RU; l < HUB_LANG_COUNT && r == KK_OK; l++)
        r = load_po(l, d);
    if (r != KK_OK)
        goto out;
    a = hub_asset_find(cat_name);
    if (a == NULL) {
        r = KK_ERR_NOTFOUND;
        kk_diag_set(d, "%s is not compiled in", cat_name);
        goto out;
    }
    kk_diag_clear(&pd);
    r = hub_catalogue_parse((const char *)a->data, a->len, &builtin_cat, &pd);
    if (r != KK_OK) {
        kk_diag_set(d, "%s: %s", cat_name, pd.msg);
        if (r != KK_ERR_NOMEM)
            r = KK_ERR_CORRUPT;
    }
out:
    if (r != KK_OK) {
        for (int l = 0; l < HUB_LANG_COUNT; l++) {
            for (size_t k = 0; k < PO_FILES_MAX; k++) {
                hub_po_free(builtin_po[l][k]);
                builtin_po[l][k] = NULL;
            }
        }
        hub_catalogue_free(builtin_cat);
        builtin_cat = NULL;
    }
    return r;
}

static void init_run(void)
{
    struct kk_diag d;

    kk_diag_clear(&d);
    init_result = load_all(&d);
    memcpy(init_msg, d.msg, sizeof init_msg);
    if (init_result == KK_OK)
        atomic_store_explicit(&init_ready, true, memory_order_release);
}

int hub_i18n_init(struct kk_diag *d)
{
    int r = pthread_once(&init_once, init_run);

    if (r != 0) {
        kk_diag_set(d, "pthread_once failed");
        return KK_ERR_SYSTEM;
    }
    if (init_result != KK_OK)
        kk_diag_set(d, "%s", init_msg);
    return init_result;
}

static bool ready(void)
{
    return atomic_load_explicit(&init_ready, memory_order_acquire);
}

const char *hub_tr(int lang, const char *msgid)
{
    const char *s;

    if (msgid == NULL || lang <= HUB_LANG_EN || lang >= HUB_LANG_COUNT ||
        !ready())
        return msgid;
    for (size_t k = 0; k < PO_FILES_MAX && builtin_po[lang][k] != NULL; k++) {
        s = hub_po_get(builtin_po[lang][k], msgid);
        if (s != NULL)
            return s;
    }
    return msgid;
}

const struct hub_catalogue *hub_catalogue_builtin(void)
{
    return ready() ? builtin_cat : NULL;
}
