/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * conf.c - the "key = value" configuration reader.
 *
 * Deliberately small: one entry per line, "#" comments, optional double
 * quotes around a value, no sections, no includes, no escapes.  Every
 * error names its line so an operator can fix the file without guessing.
 * Lookups are linear; configuration files hold tens of keys.
 */
#include "kalkan/kk.h"

#include <stdlib.h>
#include <string.h>

struct conf_entry {
    char *key;
    char *value;
    unsigned line;
};

struct kk_conf {
    struct conf_entry *e;
    size_t n;
};

static bool is_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

static char *dup_range(const char *p, size_t n)
{
    char *s = malloc(n + 1);

    if (s != NULL) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

void kk_conf_free(struct kk_conf *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->e[i].key);
        if (c->e[i].value != NULL) {
            kk_wipe(c->e[i].value, strlen(c->e[i].value));
            free(c->e[i].value);
        }
    }
    free(c->e);
    free(c);
}

/* Parses one non-blank, non-comment line into c. */
static int conf_line(struct kk_conf *c, const char *p, size_t n,
                     unsigned lineno, struct kk_diag *d)
{
    size_t i = 0;
    size_t ks;
    size_t ke;
    size_t vs;
    size_t ve;
    struct conf_entry *e;

    while (i < n && is_space(p[i]))
        i++;
    ks = i;
    while (i < n && is_key_char(p[i]))
        i++;
    ke = i;
    while (i < n && is_space(p[i]))
        i++;
    if (ke == ks || i >= n || p[i] != '=') {
        kk_diag_set(d, "line %u: expected 'key = value'", lineno);
        return KK_ERR_INVAL;
    }
    i++;
    while (i < n && is_space(p[i]))
        i++;
    vs = i;
    ve = n;
    while (ve > vs && is_space(p[ve - 1]))
        ve--;
    if (ve > vs && p[vs] == '"') {
        if (ve - vs < 2 || p[ve - 1] != '"') {
            kk_diag_set(d, "line %u: unterminated quoted value", lineno);
            return KK_ERR_INVAL;
        }
        vs++;
        ve--;
        if (memchr(p + vs, '"', ve - vs) != NULL) {
            kk_diag_set(d, "line %u: stray quote in value", lineno);
            return KK_ERR_INVAL;
        }
    }
    for (size_t j = 0; j < c->n; j++) {
        if (strlen(c->e[j].key) == ke - ks &&
            memcmp(c->e[j].key, p + ks, ke - ks) == 0) {
            kk_diag_set(d, "line %u: '%s' already set on line %u", lineno,
                        c->e[j].key, c->e[j].line);
            return KK_ERR_INVAL;
        }
    }
    if (c->n >= KK_CONF_ENTRIES_MAX) {
        kk_diag_set(d, "line %u: more than %d entries", lineno,
                    KK_CONF_ENTRIES_MAX);
        return KK_ERR_LIMIT;
    }
    e = realloc(c->e, (c->n + 1) * sizeof *e);
    if (e == NULL)
        return KK_ERR_NOMEM;
    c->e = e;
    e = &c->e[c->n];
    e->key = dup_range(p + ks, ke - ks);
    e->value = dup_range(p + vs, ve - vs);
    e->line = lineno;
    c->n++;
    if (e->key == NULL || e->value == NULL)
        return KK_ERR_NOMEM;
    return KK_OK;
}

int kk_conf_parse(const char *text, size_t len, struct kk_conf **out,
                  struct kk_diag *d)
{
    struct kk_conf *c = calloc(1, sizeof *c);
    struct kk_span s = kk_span_make(text, len);
    unsigned lineno = 0;
    int r = KK_OK;

    if (c == NULL)
        return KK_ERR_NOMEM;
    for (;;) {
        const char *line;
        size_t n;
        size_t i = 0;

        r = kk_span_get_line(&s, KK_CONF_LINE_MAX, &line, &n);
        lineno++;
        if (r == KK_ERR_NOTFOUND) {
            r = KK_OK;
            break;
        }
        if (r == KK_ERR_LIMIT) {
            kk_diag_set(d, "line %u: longer than %d bytes", lineno,
                        KK_CONF_LINE_MAX);
            goto out;
        }
        if (r != KK_OK) {
            kk_diag_set(d, "line %u: contains a NUL byte", lineno);
            goto out;
        }
        while (i < n && is_space(line[i]))
            i++;
        if (i == n || line[i] == '#')
            continue;
        r = conf_line(c, line, n, lineno, d);
        if (r != KK_OK)
            goto out;
    }
    *out = c;
    c = NULL;
out:
    kk_conf_free(c);
    return r;
}

int kk_conf_load(const char *path, struct kk_conf **out, struct kk_diag *d)
{
    struct kk_buf *b = kk_buf_new(KK_CONF_FILE_MAX);
    struct kk_diag inner;
    int r;

    if (b == NULL)
        return KK_ERR_NOMEM;
    r = kk_file_read(path, KK_CONF_FILE_MAX, b, d);
    if (r == KK_OK) {
        r = kk_conf_parse(kk_buf_str(b), kk_buf_len(b), out, &inner);
        if (r != KK_OK)
            kk_diag_set(d, "%s: %s", path, inner.msg);
    }
    kk_buf_free(b);
    return r;
}

static const struct conf_entry *conf_find(const struct kk_conf *c,
                                          const char *key)
{
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->e[i].key, key) == 0)
            return &c->e[i];
    }
    return NULL;
}

const char *kk_conf_get(const struct kk_conf *c, const char *key)
{
    const struct conf_entry *e = conf_find(c, key);

    return e != NULL ? e->value : NULL;
}

unsigned kk_conf_line(const struct kk_conf *c, const char *key)
{
    const struct conf_entry *e = conf_find(c, key);

    return e != NULL ? e->line : 0;
}

size_t kk_conf_count(const struct kk_conf *c)
{
    return c->n;
}

const char *kk_conf_key(const struct kk_conf *c, size_t i)
{
    return i < c->n ? c->e[i].key : NULL;
}

int kk_conf_get_u64(const struct kk_conf *c, const char *key, uint64_t min,
                    uint64_t max, uint64_t def, uint64_t *out,
                    struct kk_diag *d)
{
    const struct conf_entry *e = conf_find(c, key);
    uint64_t v;
    int r;

    if (e == NULL) {
        *out = def;
        return KK_OK;
    }
    r = kk_parse_u64(e->value, min, max, &v);
    if (r != KK_OK) {
        kk_diag_set(d, "line %u: '%s' must be a whole number from %llu to %llu",
                    e->line, key, (unsigned long long)min,
                    (unsigned long long)max);
        return r;
    }
    *out = v;
    return KK_OK;
}

int kk_conf_get_bool(const struct kk_conf *c, const char *key, bool def,
                     bool *out, struct kk_diag *d)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    const struct conf_entry *e = conf_find(c, key);

    if (e == NULL) {
        *out = def;
        return KK_OK;
    }
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(e->value, yes[i]) == 0) {
            *out = true;
            return KK_OK;
        }
        if (strcmp(e->value, no[i]) == 0) {
            *out = false;
            return KK_OK;
        }
    }
    kk_diag_set(d, "line %u: '%s' must be yes or no", e->line, key);
    return KK_ERR_INVAL;
}
