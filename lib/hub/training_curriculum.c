/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * training_curriculum.c - the standard curriculum: the reader of
 * web/curriculum/modules.txt, its compiled-in copy, module audiences and
 * the checks of module codes and control lists.
 *
 * The file is data so that a trainer can correct a title or a summary in
 * any of the three languages without touching C.  The reader is strict in
 * the manner of the catalogue's: every module carries every field in all
 * three languages exactly once, so a typo fails the tests and the start of
 * the hub rather than showing an empty title to a journalist.  Decoded
 * text is never longer than its source, so one arena the size of the
 * input holds every string; the cost is that the whole file is kept
 * (a few tens of kilobytes) for the life of the process.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "parse.h"
#include "training.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define CUR_LINE_MAX (4 * KK_HUB_TEXT_MAX)

/* --- audiences --- */

static const char *const aud_names[] = {
    NULL, "all", "editorial", "admin", "finance", "tech", "management",
};
static const char *const aud_labels[] = {
    NULL,      "Everyone",        "Editorial staff", "Administration",
    "Finance", "Technical staff", "Management",
};

const char *hub_audience_name(int v)
{
    return v > 0 && (size_t)v < NELEM(aud_names) ? aud_names[v] : NULL;
}

const char *hub_audience_label(int v)
{
    return v > 0 && (size_t)v < NELEM(aud_labels) ? aud_labels[v] : NULL;
}

int hub_audience_from_name(const char *s)
{
    for (size_t i = 1; s != NULL && i < NELEM(aud_names); i++) {
        if (strcmp(aud_names[i], s) == 0)
            return (int)i;
    }
    return 0;
}

/* --- codes and control lists --- */

static bool id_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

bool hub_module_code_ok(const char *code)
{
    size_t n = code != NULL ? strlen(code) : 0;
    if (n == 0 || n > HUB_MODULE_CODE_MAX || code[0] < 'A' || code[0] > 'Z')
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!id_char(code[i]))
            return false;
    }
    return true;
}

/* Copies the next id of a list separated by commas or spaces into id
 * (upper-cased); false at the end, or (with *bad set) for a malformed
 * one. */
static bool next_id(const char **p, char *id, size_t cap, bool *bad)
{
    size_t n = 0;
    *p += strspn(*p, ", ");
    if (**p == '\0')
        return false;
    while (**p != '\0' && **p != ',' && **p != ' ') {
        char c = **p;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (n + 1 >= cap || !id_char(c))
            *bad = true;
        else
            id[n++] = c;
        (*p)++;
    }
    id[n] = '\0';
    if (n == 0 || id[0] < 'A' || id[0] > 'Z')
        *bad = true;
    return true;
}

/* Normalises list into out; with cat, every id must be in it. */
static int controls_norm(const char *list, const struct hub_catalogue *cat,
                         char *out, size_t cap)
{
    char id[HUB_MODULE_CODE_MAX + 2];
    const char *p = list;
    size_t len = 0, count = 0;
    bool bad = false;
    int err = KK_OK;
    out[0] = '\0';
    while (err == KK_OK && next_id(&p, id, sizeof id, &bad)) {
        size_t k = strlen(id);
        const char *q = out;
        bool dup = false;
        if (bad || (cat != NULL && hub_catalogue_find(cat, id) == NULL) ||
            ++count > HUB_MODULE_CONTROLS_MAX) {
            err = KK_ERR_INVAL;
            break;
        }
        while (*q != '\0' && !dup) {
            size_t m = strcspn(q, ",");
            dup = m == k && memcmp(q, id, k) == 0;
            q += m + (q[m] == ',');
        }
        if (dup)
            continue;
        if (len + (len > 0 ? 1 : 0) + k + 1 > cap) {
            err = KK_ERR_LIMIT;
            break;
        }
        if (len > 0)
            out[len++] = ',';
        memcpy(out + len, id, k + 1);
        len += k;
    }
    return err;
}

int hub_controls_normalise(const char *list, char *out, size_t cap)
{
    const struct hub_catalogue *cat = hub_catalogue_builtin();
    if (list == NULL || out == NULL || cap == 0 || cat == NULL)
        return KK_ERR_INVAL;
    return controls_norm(list, cat, out, cap);
}

/* --- the reader --- */

struct hub_curriculum {
    struct hub_module_std *m;
    unsigned *line;
    size_t n;
    char *arena;
};

enum cur_key {
    K_MINUTES,
    K_AUDIENCE,
    K_CONTROLS,
    K_TEXT, /* then title and summary in en, ru, ky */
};

static const char *const key_names[] = {
    "minutes",  "audience",   "controls",   "title.en",   "title.ru",
    "title.ky", "summary.en", "summary.ru", "summary.ky",
};
#define KEY_COUNT NELEM(key_names)
#define KEYS_ALL ((1u << KEY_COUNT) - 1)

struct cur_reader {
    struct hub_curriculum *c;
    size_t cap, used;
    uint32_t seen;
    unsigned lineno;
    struct kk_diag *d;
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Copies a value onto the arena, decoding "\n" and "\\"; *out gets it. */
static int store(struct cur_reader *rd, const char *v, size_t len,
                 const char **out)
{
    size_t start = rd->used;
    int err = KK_ERR_INVAL;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)v[i];
        if (ch < 0x20 || ch == 0x7f) {
            kk_diag_set(rd->d, "line %u: control character in a value",
                        rd->lineno);
            goto out;
        }
        if (ch == '\\') {
            char e = i + 1 < len ? v[i + 1] : '\0';
            if (e != 'n' && e != '\\') {
                kk_diag_set(rd->d,
                            "line %u: unknown escape (only \\n and \\\\)",
                            rd->lineno);
                goto out;
            }
            ch = e == 'n' ? '\n' : '\\';
            i++;
        }
        rd->c->arena[rd->used++] = (char)ch;
    }
    rd->c->arena[rd->used++] = '\0';
    if (!hub_utf8_valid(rd->c->arena + start, rd->used - start - 1)) {
        kk_diag_set(rd->d, "line %u: invalid UTF-8", rd->lineno);
        goto out;
    }
    if (rd->used - start - 1 > KK_HUB_TEXT_MAX) {
        err = KK_ERR_LIMIT;
        kk_diag_set(rd->d, "line %u: value longer than %d bytes", rd->lineno,
                    KK_HUB_TEXT_MAX);
        goto out;
    }
    *out = rd->c->arena + start;
    err = KK_OK;
out:
    if (err != KK_OK)
        rd->used = start;
    return err;
}

/* The module being read must be complete. */
static int finish(struct cur_reader *rd)
{
    size_t k = 0;
    if (rd->c->n == 0 || rd->seen == KEYS_ALL)
        return KK_OK;
    while (k < KEY_COUNT && (rd->seen & (1u << k)) != 0)
        k++;
    kk_diag_set(rd->d, "line %u: module %s has no %s",
                rd->c->line[rd->c->n - 1], rd->c->m[rd->c->n - 1].code,
                key_names[k]);
    return KK_ERR_INVAL;
}

static int section(struct cur_reader *rd, const char *line, size_t len)
{
    struct hub_curriculum *c = rd->c;
    const char *code = NULL;
    int err = finish(rd);
    if (err != KK_OK)
        goto out;
    err = KK_ERR_INVAL;
    if (len < 3 || line[len - 1] != ']') {
        kk_diag_set(rd->d, "line %u: expected [CODE]", rd->lineno);
        goto out;
    }
    if (c->n == HUB_CURRICULUM_MAX) {
        err = KK_ERR_LIMIT;
        kk_diag_set(rd->d, "line %u: more than %d modules", rd->lineno,
                    HUB_CURRICULUM_MAX);
        goto out;
    }
    err = store(rd, line + 1, len - 2, &code);
    if (err == KK_OK && !hub_module_code_ok(code)) {
        err = KK_ERR_INVAL;
        kk_diag_set(rd->d,
                    "line %u: a code is 1 to %d characters A-Z, 0-9 and -, "
                    "starting with a letter",
                    rd->lineno, HUB_MODULE_CODE_MAX);
    }
    for (size_t i = 0; err == KK_OK && i < c->n; i++) {
        if (strcmp(c->m[i].code, code) == 0) {
            err = KK_ERR_INVAL;
            kk_diag_set(rd->d, "line %u: module %s again (first at line %u)",
                        rd->lineno, code, c->line[i]);
        }
    }
    if (err != KK_OK)
        goto out;
    memset(&c->m[c->n], 0, sizeof c->m[c->n]);
    c->m[c->n].code = code;
    c->line[c->n] = rd->lineno;
    c->n++;
    rd->seen = 0;
out:
    return err;
}

/* Sets key k of the current module to the value v (on the arena). */
static int set_field(struct cur_reader *rd, size_t k, const char *v)
{
    struct hub_module_std *m = &rd->c->m[rd->c->n - 1];
    uint64_t num = 0;
    int err = KK_OK;
    switch (k) {
    case K_MINUTES:
        if (kk_parse_u64(v, HUB_MODULE_MINUTES_MIN, HUB_MODULE_MINUTES_MAX,
                         &num) != KK_OK) {
            err = KK_ERR_INVAL;
            kk_diag_set(rd->d, "line %u: minutes must be %d..%d", rd->lineno,
                        HUB_MODULE_MINUTES_MIN, HUB_MODULE_MINUTES_MAX);
        }
        m->minutes = (int)num;
        break;
    case K_AUDIENCE:
        m->audience = hub_audience_name(hub_audience_from_name(v));
        if (m->audience == NULL) {
            err = KK_ERR_INVAL;
            kk_diag_set(rd->d, "line %u: unknown audience \"%.40s\"",
                        rd->lineno, v);
        }
        break;
    case K_CONTROLS: {
        /* The normalised list is never longer than the value: write it
         * over the value on the arena. */
        char *out = (char *)(uintptr_t)v;
        size_t cap = strlen(v) + 1;
        char *tmp = malloc(cap);
        if (tmp == NULL)
            return KK_ERR_NOMEM;
        err = controls_norm(v, NULL, tmp, cap);
        if (err == KK_OK && tmp[0] == '\0')
            err = KK_ERR_INVAL;
        if (err == KK_OK)
            memcpy(out, tmp, strlen(tmp) + 1);
        else
            kk_diag_set(rd->d,
                        "line %u: controls is a list of up to %d control "
                        "ids such as ACC-01",
                        rd->lineno, HUB_MODULE_CONTROLS_MAX);
        free(tmp);
        m->controls = out;
        break;
    }
    default: {
        size_t t = k - K_TEXT;
        const char **texts[] = {m->title, m->summary};
        texts[t / HUB_LANG_COUNT][t % HUB_LANG_COUNT] = v;
        break;
    }
    }
    return err == KK_OK ? KK_OK : KK_ERR_INVAL;
}

static int field(struct cur_reader *rd, const char *line, size_t len)
{
    const char *eq = memchr(line, '=', len), *v = NULL;
    size_t kl, vs, k;
    int err = KK_ERR_INVAL;
    if (rd->c->n == 0) {
        kk_diag_set(rd->d, "line %u: a field before the first [CODE]",
                    rd->lineno);
        goto out;
    }
    if (eq == NULL) {
        kk_diag_set(rd->d, "line %u: expected key = value", rd->lineno);
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
        kk_diag_set(rd->d, "line %u: unknown key \"%.*s\"", rd->lineno,
                    (int)(kl > 40 ? 40 : kl), line);
        goto out;
    }
    if (rd->seen & (1u << k)) {
        kk_diag_set(rd->d, "line %u: %s set twice", rd->lineno, key_names[k]);
        goto out;
    }
    vs = (size_t)(eq - line) + 1;
    while (vs < len && is_blank(line[vs]))
        vs++;
    if (vs == len) {
        kk_diag_set(rd->d, "line %u: %s is empty", rd->lineno, key_names[k]);
        goto out;
    }
    err = store(rd, line + vs, len - vs, &v);
    if (err == KK_OK)
        err = set_field(rd, k, v);
    if (err == KK_OK)
        rd->seen |= 1u << k;
out:
    return err;
}

int hub_curriculum_parse(const char *text, size_t len,
                         struct hub_curriculum **out, struct kk_diag *d)
{
    struct cur_reader rd = {.d = d};
    struct kk_span s;
    int err = hub_text_args(out != NULL, text, len, KK_HUB_PO_MAX, d);
    if (err != KK_OK)
        goto out;
    err = KK_ERR_NOMEM;
    rd.c = calloc(1, sizeof *rd.c);
    if (rd.c == NULL)
        goto out;
    rd.cap = len + 1;
    rd.c->arena = malloc(rd.cap);
    rd.c->m = calloc(HUB_CURRICULUM_MAX, sizeof *rd.c->m);
    rd.c->line = calloc(HUB_CURRICULUM_MAX, sizeof *rd.c->line);
    if (rd.c->arena == NULL || rd.c->m == NULL || rd.c->line == NULL)
        goto out;
    s = hub_text_span(text, len);
    for (;;) {
        const char *line;
        size_t n;
        err = kk_span_get_line(&s, CUR_LINE_MAX, &line, &n);
        if (err == KK_ERR_NOTFOUND)
            break;
        rd.lineno++;
        if (err != KK_OK) {
            kk_diag_set(d, "line %u: %s", rd.lineno,
                        err == KK_ERR_LIMIT ? "too long"
                                            : "contains a NUL byte");
            err = err == KK_ERR_LIMIT ? KK_ERR_LIMIT : KK_ERR_INVAL;
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
        err = line[0] == '[' ? section(&rd, line, n) : field(&rd, line, n);
        if (err != KK_OK)
            goto out;
    }
    err = finish(&rd);
    if (err == KK_OK && rd.c->n == 0) {
        err = KK_ERR_INVAL;
        kk_diag_set(d, "no modules");
    }
    if (err == KK_OK) {
        *out = rd.c;
        rd.c = NULL;
    }
out:
    hub_curriculum_free(rd.c);
    return err;
}

void hub_curriculum_free(struct hub_curriculum *c)
{
    if (c == NULL)
        return;
    free(c->m);
    free(c->line);
    free(c->arena);
    free(c);
}

size_t hub_curriculum_len(const struct hub_curriculum *c)
{
    return c != NULL ? c->n : 0;
}

const struct hub_module_std *hub_curriculum_at(const struct hub_curriculum *c,
                                               size_t i)
{
    return c != NULL && i < c->n ? &c->m[i] : NULL;
}

const struct hub_module_std *hub_curriculum_find(const struct hub_curriculum *c,
                                                 const char *code)
{
    for (size_t i = 0; c != NULL && code != NULL && i < c->n; i++) {
        if (strcmp(c->m[i].code, code) == 0)
            return &c->m[i];
    }
    return NULL;
}

int hub_curriculum_check(const struct hub_curriculum *c,
                         const struct hub_catalogue *cat, struct kk_diag *d)
{
    char id[HUB_MODULE_CODE_MAX + 2];
    int err = c != NULL && cat != NULL ? KK_OK : KK_ERR_INVAL;
    for (size_t i = 0; err == KK_OK && i < c->n; i++) {
        const char *p = c->m[i].controls;
        bool bad = false;
        while (err == KK_OK && next_id(&p, id, sizeof id, &bad)) {
            if (bad || hub_catalogue_find(cat, id) == NULL) {
                err = KK_ERR_INVAL;
                kk_diag_set(d,
                            "line %u: module %s teaches %s, which is not "
                            "in the catalogue",
                            c->line[i], c->m[i].code, id);
            }
        }
    }
    return err;
}

/* --- the compiled-in copy --- */

static pthread_once_t cur_once = PTHREAD_ONCE_INIT;
static struct hub_curriculum *cur_builtin;
static atomic_bool cur_ready;
static int cur_result;
static char cur_msg[KK_DIAG_MAX];

static void cur_load(void)
{
    static const char name[] = "web/curriculum/modules.txt";
    const struct hub_asset *a = hub_asset_find(name);
    struct kk_diag d;
    struct hub_curriculum *c = NULL;
    kk_diag_clear(&d);
    cur_result = KK_ERR_CORRUPT;
    if (a == NULL) {
        kk_diag_set(&d, "is not compiled in");
    } else if (hub_curriculum_parse((const char *)a->data, a->len, &c, &d) ==
                   KK_OK &&
               hub_curriculum_check(c, hub_catalogue_builtin(), &d) == KK_OK) {
        cur_builtin = c;
        c = NULL;
        cur_result = KK_OK;
        atomic_store_explicit(&cur_ready, true, memory_order_release);
    }
    hub_curriculum_free(c);
    if (cur_result != KK_OK) {
        struct kk_diag full;
        kk_diag_clear(&full);
        kk_diag_set(&full, "%s: %s", name, d.msg);
        memcpy(cur_msg, full.msg, sizeof cur_msg);
    }
}

int hub_curriculum_init(struct kk_diag *d)
{
    struct kk_diag id;
    int err;
    kk_diag_clear(&id);
    err = hub_i18n_init(&id);
    if (err != KK_OK) {
        kk_diag_set(d, "%s", id.msg);
        return err;
    }
    if (pthread_once(&cur_once, cur_load) != 0) {
        kk_diag_set(d, "pthread_once failed");
        return KK_ERR_SYSTEM;
    }
    if (cur_result != KK_OK)
        kk_diag_set(d, "%s", cur_msg);
    return cur_result;
}

const struct hub_curriculum *hub_curriculum_builtin(void)
{
    if (!atomic_load_explicit(&cur_ready, memory_order_acquire)) {
        struct kk_diag d;
        kk_diag_clear(&d);
        if (hub_curriculum_init(&d) != KK_OK)
            return NULL;
    }
    return cur_builtin;
}

/* --- titles in the reader's language --- */

const char *hub_module_title(int lang, const char *code, const char *title)
{
    const struct hub_module_std *m =
        hub_curriculum_find(hub_curriculum_builtin(), code);
    if (m == NULL || title == NULL ||
        strcmp(m->title[HUB_LANG_EN], title) != 0 || lang < 0 ||
        lang >= HUB_LANG_COUNT)
        return title;
    return m->title[lang];
}

const char *hub_module_summary(int lang, const char *code, const char *title,
                               const char *summary)
{
    const struct hub_module_std *m =
        hub_curriculum_find(hub_curriculum_builtin(), code);
    if (m == NULL || title == NULL || summary == NULL ||
        strcmp(m->title[HUB_LANG_EN], title) != 0 ||
        strcmp(m->summary[HUB_LANG_EN], summary) != 0 || lang < 0 ||
        lang >= HUB_LANG_COUNT)
        return summary;
    return m->summary[lang];
}
