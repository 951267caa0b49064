/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * catalogue.c - the control catalogue: parser and accessors.
 *
 * The format (documented at the top of web/catalogue/controls.txt) is a
 * sequence of "[ID]" sections of "key = value" lines.  The reader is
 * strict: every control must carry every field in all three languages,
 * unknown keys and values are errors, so a typo in the catalogue fails
 * the build's tests and the hub's start-up instead of showing a blank box
 * to a journalist.  As with the PO reader, decoded text is never longer
 * than its source, so one arena of the input's size holds every string;
 * enumerated fields point at static names.  Lookup by id is a binary
 * search over an index sorted once after parsing.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "parse.h"

#define CAT_CONTROLS_MAX 200
#define CAT_FILE_MAX KK_HUB_PO_MAX /* the same bound as a PO catalogue */
#define CAT_LINE_MAX (4 * KK_HUB_TEXT_MAX)
#define CAT_ID_MAX 16
#define CAT_WEIGHT_MAX 5
#define CAT_STALE_MAX 365

struct hub_catalogue {
    struct hub_control *c;
    unsigned *line; /* line of each control's "[ID]" */
    size_t n;
    size_t alloc;
    const struct hub_control **by_id;
    char *arena;
};

static const char *const area_names[] = {
    NULL, "accounts", "devices", "website", "physical", "organisation",
};
static const char *const area_labels[] = {
    NULL, "Accounts", "Devices", "Website", "Physical security", "Organisation",
};
static const char *const level_names[] = {"baseline", "advanced"};
static const char *const applies_names[] = {
    "person", "device", "account", "website", "outlet",
};
static const char *const source_names[] = {
    "manual", "2fa", "web", "host", "guard", "scan", "hub",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

enum cat_key {
    K_AREA,
    K_LEVEL,
    K_APPLIES,
    K_SOURCE,
    K_WEIGHT,
    K_STALE,
    K_TEXT, /* then title, why, verify, fix, each in en, ru, ky */
};

static const char *const key_names[] = {
    "area",      "level",     "applies",   "source", "weight", "stale_days",
    "title.en",  "title.ru",  "title.ky",  "why.en", "why.ru", "why.ky",
    "verify.en", "verify.ru", "verify.ky", "fix.en", "fix.ru", "fix.ky",
};
#define KEY_COUNT COUNT(key_names)
#define KEYS_ALL ((1u << KEY_COUNT) - 1)

int hub_area_from_name(const char *s)
{
    if (s == NULL)
        return 0;
    for (size_t i = 1; i < COUNT(area_names); i++) {
        if (strcmp(area_names[i], s) == 0)
            return (int)i;
    }
    return 0;
}

const char *hub_area_label(int area)
{
    if (area <= 0 || (size_t)area >= COUNT(area_labels))
        return NULL;
    return area_labels[area];
}

/* Index of the name equal to s in tab, or -1. */
static int name_index(const char *const *tab, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(tab[i], s) == 0)
            return (int)i;
    }
    return -1;
}

static bool is_blank(int c)
{
    return c == ' ' || c == '\t';
}

/* The reader's state between lines. */
struct cat_reader {
    struct hub_catalogue *cat;
    size_t cap;    /* bytes of cat->arena */
    size_t used;   /* bytes written */
    uint32_t seen; /* keys set in the current control */
};

/* Copies len bytes of a value onto the arena, decoding "\n" and "\\";
 * *out points at the NUL-terminated copy. */
static int cat_store(struct cat_reader *rd, const char *v, size_t len,
                     bool escapes, unsigned lineno, const char **out,
                     struct kk_diag *d)
{
    size_t start = rd->used;
    int r = KK_ERR_INVAL;

    /* Cannot happen: decoded text is shorter than its line. */
    if (len >= rd->cap - rd->used) {
        r = KK_ERR_LIMIT;
        kk_diag_set(d, "line %u: arena exhausted", lineno);
        goto out;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c == 0x7f) {
            kk_diag_set(d, "line %u: control character in a value", lineno);
            goto out;
        }
        if (c == '\\' && escapes) {
            char e = i + 1 < len ? v[i + 1] : '\0';
            if (e == 'n')
                c = '\n';
            else if (e == '\\')
                c = '\\';
            else {
                kk_diag_set(d, "line %u: unknown escape (only \\n and \\\\)",
                            lineno);
                goto out;
            }
            i++;
        }
        rd->cat->arena[rd->used++] = (char)c;
    }
    rd->cat->arena[rd->used++] = '\0';
    if (!hub_utf8_valid(rd->cat->arena + start, rd->used - start - 1)) {
        kk_diag_set(d, "line %u: invalid UTF-8", lineno);
        goto out;
    }
    if (rd->used - start - 1 > KK_HUB_TEXT_MAX) {
        r = KK_ERR_LIMIT;
        kk_diag_set(d, "line %u: value longer than %d bytes", lineno,
                    KK_HUB_TEXT_MAX);
        goto out;
    }
    *out = rd->cat->arena + start;
    r = KK_OK;
out:
    if (r != KK_OK)
        rd->used = start;
    return r;
}

/* Checks that the current control has every field. */
static int cat_finish(struct cat_reader *rd, struct kk_diag *d)
{
    struct hub_catalogue *c = rd->cat;
    size_t k = 0;

    if (c->n == 0 || rd->seen == KEYS_ALL)
        return KK_OK;
    while (k < KEY_COUNT && (rd->seen & (1u << k)) != 0)
        k++;
    kk_diag_set(d, "line %u: control %s has no %s", c->line[c->n - 1],
                c->c[c->n - 1].id, key_names[k]);
    return KK_ERR_INVAL;
}

/* Starts a control at a "[ID]" line. */
static int cat_section(struct cat_reader *rd, const char *line, size_t len,
                       unsigned lineno, struct kk_diag *d)
{
    struct hub_catalogue *c = rd->cat;
    struct hub_control *ctl;
    const char *id = NULL;
    int r;

    r = cat_finish(rd, d);
    if (r != KK_OK)
        goto out;
    r = KK_ERR_INVAL;
    if (len < 3 || line[len - 1] != ']' || len - 2 > CAT_ID_MAX ||
        !(line[1] >= 'A' && line[1] <= 'Z')) {
        kk_diag_set(d,
                    "line %u: expected [ID] of up to %d characters A-Z, "
                    "0-9 and -, starting with a letter",
                    lineno, CAT_ID_MAX);
        goto out;
    }
    for (size_t i = 1; i < len - 1; i++) {
        char ch = line[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-')) {
            kk_diag_set(d, "line %u: bad character in a control id", lineno);
            goto out;
        }
    }
    if (c->n == CAT_CONTROLS_MAX) {
        r = KK_ERR_LIMIT;
        kk_diag_set(d, "line %u: more than %d controls", lineno,
                    CAT_CONTROLS_MAX);
        goto out;
    }
    if (c->n == c->alloc) {
        size_t na = c->alloc == 0 ? 64 : c->alloc * 2;
        struct hub_control *nc;
        unsigned *nl;
        if (na > CAT_CONTROLS_MAX)
            na = CAT_CONTROLS_MAX;
        nc = realloc(c->c, na * sizeof *nc);
        if (nc == NULL) {
            r = KK_ERR_NOMEM;
            goto out;
        }
        c->c = nc;
        nl = realloc(c->line, na * sizeof *nl);
        if (nl == NULL) {
            r = KK_ERR_NOMEM;
            goto out;
        }
        c->line = nl;
        c->alloc = na;
    }
    r = cat_store(rd, line + 1, len - 2, false, lineno, &id, d);
    if (r != KK_OK)
        goto out;
    ctl = &c->c[c->n];
    memset(ctl, 0, sizeof *ctl);
    ctl->id = id;
    c->line[c->n] = lineno;
    c->n++;
    rd->seen = 0;
out:
    return r;
}

/* Sets an enumerated field to the static name equal to v. */
static int cat_enum(const char *const *tab, size_t n, const char *v,
                    const char **field, const char *what, unsigned lineno,
                    struct kk_diag *d)
{
    int i = name_index(tab, n, v);

    if (i < 0) {
        kk_diag_set(d, "line %u: unknown %s \"%.40s\"", lineno, what, v);
        return KK_ERR_INVAL;
    }
    *field = tab[i];
    return KK_OK;
}

/* Reads one "key = value" line into the current control. */
static int cat_field(struct cat_reader *rd, const char *line, size_t len,
                     unsigned lineno, struct kk_diag *d)
{
    struct hub_control *ctl;
    const char *eq = memchr(line, '=', len);
    const char *v = NULL;
    size_t kl;
    size_t vs;
    size_t vl;
    size_t k;
    size_t mark = rd->used;
    uint64_t num = 0;
    int r = KK_ERR_INVAL;

    if (rd->cat->n == 0) {
        kk_diag_set(d, "line %u: a field before the first [ID]", lineno);
        goto out;
    }
    ctl = &rd->cat->c[rd->cat->n - 1];
    if (eq == NULL) {
        kk_diag_set(d, "line %u: expected key = value", lineno);
        goto out;
    }
    kl = (size_t)(eq - line);
    while (kl > 0 && is_blank(line[kl - 1]))
        kl--;
    for (k = 0; k < KEY_COUNT; k++) {
        if (strlen(key_names[k]) == kl && memcmp(key_names[k], line, kl) == 0)
            break;
    }
    if (k == KEY_COUNT) {
        kk_diag_set(d, "line %u: unknown key \"%.*s\"", lineno,
                    (int)(kl > 40 ? 40 : kl), line);
        goto out;
    }
    if ((rd->seen & (1u << k)) != 0) {
        kk_diag_set(d, "line %u: %s set twice in %s", lineno, key_names[k],
                    ctl->id);
        goto out;
    }
    vs = (size_t)(eq - line) + 1;
    while (vs < len && is_blank(line[vs]))
        vs++;
    vl = len - vs;
    if (vl == 0) {
        kk_diag_set(d, "line %u: %s is empty", lineno, key_names[k]);
        goto out;
    }
    r = cat_store(rd, line + vs, vl, k >= K_TEXT, lineno, &v, d);
    if (r != KK_OK)
        goto out;
    switch (k) {
    case K_AREA:
        ctl->area = hub_area_from_name(v);
        r = cat_enum(area_names + 1, COUNT(area_names) - 1, v, &ctl->area_name,
                     "area", lineno, d);
        break;
    case K_LEVEL:
        r = cat_enum(level_names, COUNT(level_names), v, &ctl->level, "level",
                     lineno, d);
        break;
    case K_APPLIES:
        r = cat_enum(applies_names, COUNT(applies_names), v, &ctl->applies,
                     "applies", lineno, d);
        break;
    case K_SOURCE:
        r = cat_enum(source_names, COUNT(source_names), v, &ctl->source,
                     "source", lineno, d);
        break;
    case K_WEIGHT:
        r = kk_parse_u64(v, 1, CAT_WEIGHT_MAX, &num);
        if (r != KK_OK) {
            r = KK_ERR_INVAL;
            kk_diag_set(d, "line %u: weight must be 1..%d", lineno,
                        CAT_WEIGHT_MAX);
        }
        ctl->weight = (int)num;
        break;
    case K_STALE:
        r = kk_parse_u64(v, 1, CAT_STALE_MAX, &num);
        if (r != KK_OK) {
            r = KK_ERR_INVAL;
            kk_diag_set(d, "line %u: stale_days must be 1..%d", lineno,
                        CAT_STALE_MAX);
        }
        ctl->stale_days = (int)num;
        break;
    default: {
        size_t t = k - K_TEXT;
        const char **texts[] = {ctl->title, ctl->why, ctl->verify, ctl->fix};
        texts[t / HUB_LANG_COUNT][t % HUB_LANG_COUNT] = v;
        mark = rd->used; /* keep the text */
        break;
    }
    }
    if (r == KK_OK)
        rd->seen |= 1u << k;
out:
    rd->used = mark; /* enumerated and numeric values need no copy */
    return r;
}

static int id_cmp(const void *a, const void *b)
{
    const struct hub_control *const *x = a;
    const struct hub_control *const *y = b;

    return strcmp((*x)->id, (*y)->id);
}

int hub_catalogue_parse(const char *text, size_t len,
                        struct hub_catalogue **out, struct kk_diag *d)
{
    struct cat_reader rd;
    struct hub_catalogue *c = NULL;
    struct kk_span s;
    unsigned lineno = 0;
    int r = KK_ERR_INVAL;

    memset(&rd, 0, sizeof rd);
    r = hub_text_args(out != NULL, text, len, CAT_FILE_MAX, d);
    if (r != KK_OK)
        goto out;
    r = KK_ERR_INVAL;
    c = calloc(1, sizeof *c);
    if (c == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    rd.cat = c;
    rd.cap = len + 1;
    c->arena = malloc(rd.cap);
    if (c->arena == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    s = hub_text_span(text, len);
    for (;;) {
        const char *line;
        size_t n;
        r = kk_span_get_line(&s, CAT_LINE_MAX, &line, &n);
        if (r == KK_ERR_NOTFOUND)
            break;
        lineno++;
        if (r == KK_ERR_LIMIT) {
            kk_diag_set(d, "line %u: longer than %d bytes", lineno,
                        CAT_LINE_MAX);
            goto out;
        }
        if (r != KK_OK) {
            kk_diag_set(d, "line %u: contains a NUL byte", lineno);
            goto out;
        }
        while (n > 0 && is_blank(line[0])) {
            line++;
            n--;
        }
        while (n > 0 && is_blank(line[n - 1]))
            n--;
        if (n == 0 || line[0] == '#')
            continue;
        if (line[0] == '[')
            r = cat_section(&rd, line, n, lineno, d);
        else
            r = cat_field(&rd, line, n, lineno, d);
        if (r != KK_OK)
            goto out;
    }
    r = cat_finish(&rd, d);
    if (r != KK_OK)
        goto out;
    if (c->n == 0) {
        r = KK_ERR_INVAL;
        kk_diag_set(d, "no controls");
        goto out;
    }
    c->by_id = malloc(c->n * sizeof *c->by_id);
    if (c->by_id == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < c->n; i++)
        c->by_id[i] = &c->c[i];
    qsort(c->by_id, c->n, sizeof *c->by_id, id_cmp);
    for (size_t i = 1; i < c->n; i++) {
        if (strcmp(c->by_id[i - 1]->id, c->by_id[i]->id) == 0) {
            unsigned a = c->line[c->by_id[i - 1] - c->c];
            unsigned b = c->line[c->by_id[i] - c->c];
            r = KK_ERR_INVAL;
            kk_diag_set(d, "line %u: duplicate id %s (first at line %u)",
                        a > b ? a : b, c->by_id[i]->id, a < b ? a : b);
            goto out;
        }
    }
    *out = c;
    c = NULL;
    r = KK_OK;
out:
    hub_catalogue_free(c);
    return r;
}

void hub_catalogue_free(struct hub_catalogue *c)
{
    if (c == NULL)
        return;
    free(c->c);
    free(c->line);
    free(c->by_id);
    free(c->arena);
    free(c);
}

size_t hub_catalogue_len(const struct hub_catalogue *c)
{
    return c == NULL ? 0 : c->n;
}

const struct hub_control *hub_catalogue_at(const struct hub_catalogue *c,
                                           size_t i)
{
    if (c == NULL || i >= c->n)
        return NULL;
    return &c->c[i];
}

const struct hub_control *hub_catalogue_find(const struct hub_catalogue *c,
                                             const char *id)
{
    size_t lo = 0;
    size_t hi;

    if (c == NULL || id == NULL)
        return NULL;
    hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = strcmp(id, c->by_id[mid]->id);
        if (r == 0)
            return c->by_id[mid];
        if (r < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}
