/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * parse_json.c - a strict RFC 8259 JSON parser for request bodies.
 *
 * The parser is iterative: an explicit stack of at most
 * KK_HUB_JSON_DEPTH_MAX open containers replaces recursion, so no input
 * can grow the C stack.  While a container is open its members wait on a
 * shared scratch stack; when it closes they are copied, in input order,
 * into one contiguous array.  Everything a document keeps (value arrays,
 * key arrays, decoded strings, number texts) lives in an arena of a few
 * blocks that double in size, so a document costs a handful of mallocs
 * and one free walk, not one malloc per value.
 *
 * Numbers keep their source text; hub_jv_i64 converts on demand with
 * overflow checks, so big integers are not silently rounded through a
 * double.  Duplicate keys are rejected when an object closes: pairwise
 * for small objects, by sorting a copy of the keys for large ones, so a
 * hostile object of 65,535 members costs O(n log n), not O(n^2).
 * hub_jv_get is a linear scan over the members, which is cheaper than a
 * hash for the small objects an API request carries.
 */
#include "parse.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct hub_jv {
    uint8_t type; /* enum hub_json_type */
    bool integer; /* a number without fraction or exponent */
    uint32_t n;   /* members of an array or object */
    union {
        const char *s;              /* decoded string, number text */
        const struct hub_jv *items; /* array elements, object values */
    } u;
    const char *const *keys; /* object keys, n of them */
};

/* ---- Arena ---- */

struct arena_blk {
    struct arena_blk *next;
    size_t cap;
    size_t used;
    max_align_t data[];
};

struct arena {
    struct arena_blk *head;
    size_t next_size;
};

#define ARENA_FIRST 4096
#define ARENA_BIG (1024 * 1024)

static void arena_free(struct arena *a)
{
    struct arena_blk *b = a->head;

    while (b != NULL) {
        struct arena_blk *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

/* n bytes aligned for any value of this file, or NULL. */
static void *arena_alloc(struct arena *a, size_t n)
{
    struct arena_blk *b = a->head;
    void *p = NULL;
    size_t total;

    if (kk_size_add(n, alignof(max_align_t) - 1, &n) != KK_OK)
        goto out;
    n &= ~(alignof(max_align_t) - 1);
    if (b == NULL || b->cap - b->used < n) {
        size_t size = a->next_size < ARENA_FIRST ? ARENA_FIRST : a->next_size;
        if (size < n)
            size = n;
        if (kk_size_add(size, sizeof *b, &total) != KK_OK)
            goto out;
        b = malloc(total);
        if (b == NULL)
            goto out;
        b->cap = size;
        b->used = 0;
        b->next = a->head;
        a->head = b;
        if (a->next_size < ARENA_BIG)
            a->next_size = size * 2;
    }
    p = (char *)b->data + b->used;
    b->used += n;
out:
    return p;
}

/* ---- Parser ---- */

struct hub_json {
    struct arena a;
    struct hub_jv root;
};

/* A member waiting for its container to close. */
struct slot {
    struct hub_jv v;
    const char *key;
};

/* An open container. */
struct frame {
    uint8_t type;
    size_t start; /* its first member on the scratch stack */
    size_t pos;   /* byte offset of its opening bracket */
    const char *key;
};

struct jp {
    const unsigned char *p;
    size_t len;
    size_t i;
    struct arena *a;
    struct slot *st;
    size_t st_n;
    size_t st_cap;
    size_t nodes;
    struct kk_diag *d;
};

static void jp_ws(struct jp *jp)
{
    while (jp->i < jp->len) {
        unsigned char c = jp->p[jp->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        jp->i++;
    }
}

static int jp_unexpected(struct jp *jp, const char *wanted)
{
    if (jp->i >= jp->len) {
        kk_diag_set(jp->d, "unexpected end of input, expected %s", wanted);
    } else {
        unsigned char c = jp->p[jp->i];
        if (c > 0x20 && c < 0x7f)
            kk_diag_set(jp->d, "unexpected '%c' at byte %zu, expected %s", c,
                        jp->i, wanted);
        else
            kk_diag_set(jp->d,
                        "unexpected byte 0x%02x at byte %zu, "
                        "expected %s",
                        c, jp->i, wanted);
    }
    return KK_ERR_INVAL;
}

static int hex4(const unsigned char *p, unsigned *out)
{
    unsigned v = 0;
    int r = KK_OK;

    for (int k = 0; k < 4; k++) {
        unsigned char c = p[k];
        unsigned h;
        if (c >= '0' && c <= '9') {
            h = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            h = c - 'a' + 10u;
        } else if (c >= 'A' && c <= 'F') {
            h = c - 'A' + 10u;
        } else {
            r = KK_ERR_INVAL;
            break;
        }
        v = v * 16 + h;
    }
    *out = v;
    return r;
}

static size_t utf8_put(char *dst, unsigned cp)
{
    size_t n;

    if (cp < 0x80) {
        dst[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        dst[0] = (char)(0xC0 | (cp >> 6));
        dst[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        dst[0] = (char)(0xE0 | (cp >> 12));
        dst[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        dst[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        dst[0] = (char)(0xF0 | (cp >> 18));
        dst[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        dst[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        dst[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return n;
}

/*
 * Decodes the \u escape at p[k] (the backslash) up to the closing quote
 * at e into dst; *adv is the number of input bytes used, *w the bytes
 * written.
 */
static int jp_uescape(struct jp *jp, size_t k, size_t e, char *dst, size_t *adv,
                      size_t *w)
{
    const unsigned char *p = jp->p;
    unsigned cp;
    unsigned lo;
    int r = KK_ERR_INVAL;

    if (e - k < 6 || hex4(p + k + 2, &cp) != KK_OK) {
        kk_diag_set(jp->d, "bad \\u escape at byte %zu", k);
        goto out;
    }
    *adv = 6;
    if (cp == 0) {
        kk_diag_set(jp->d, "\\u0000 at byte %zu", k);
        goto out;
    }
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
        kk_diag_set(jp->d, "lone low surrogate at byte %zu", k);
        goto out;
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (e - k < 12 || p[k + 6] != '\\' || p[k + 7] != 'u' ||
            hex4(p + k + 8, &lo) != KK_OK || lo < 0xDC00 || lo > 0xDFFF) {
            kk_diag_set(jp->d, "lone high surrogate at byte %zu", k);
            goto out;
        }
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        *adv = 12;
    }
    *w = utf8_put(dst, cp);
    r = KK_OK;
out:
    return r;
}

/* Parses the string at jp->i (its opening quote) into the arena. */
static int jp_string(struct jp *jp, const char **out)
{
    const unsigned char *p = jp->p;
    size_t start = jp->i + 1;
    size_t e = start;
    size_t o = 0;
    bool esc = false;
    char *dst;
    int r = KK_ERR_INVAL;

    /* Find the closing quote; escapes only ever shrink the text, so the
     * raw length bounds the decoded one. */
    while (e < jp->len && p[e] != '"') {
        if (p[e] < 0x20) {
            kk_diag_set(jp->d, "control character in string at byte %zu", e);
            goto out;
        }
        if (p[e] == '\\') {
            esc = true;
            e++;
        }
        e++;
    }
    if (e >= jp->len) {
        kk_diag_set(jp->d, "unterminated string at byte %zu", jp->i);
        goto out;
    }
    r = KK_ERR_NOMEM;
    dst = arena_alloc(jp->a, e - start + 1);
    if (dst == NULL)
        goto out;
    r = KK_ERR_INVAL;
    if (!esc) {
        memcpy(dst, p + start, e - start);
        o = e - start;
    }
    for (size_t k = start; esc && k < e;) {
        size_t adv = 2;
        size_t w = 1;
        if (p[k] != '\\') {
            dst[o++] = (char)p[k++];
            continue;
        }
        switch (p[k + 1]) {
        case '"':
        case '\\':
        case '/':
            dst[o] = (char)p[k + 1];
            break;
        case 'b':
            dst[o] = '\b';
            break;
        case 'f':
            dst[o] = '\f';
            break;
        case 'n':
            dst[o] = '\n';
            break;
        case 'r':
            dst[o] = '\r';
            break;
        case 't':
            dst[o] = '\t';
            break;
        case 'u':
            r = jp_uescape(jp, k, e, dst + o, &adv, &w);
            if (r != KK_OK)
                goto out;
            break;
        default:
            kk_diag_set(jp->d, "bad escape at byte %zu", k);
            r = KK_ERR_INVAL;
            goto out;
        }
        o += w;
        k += adv;
    }
    dst[o] = '\0';
    /* Raw control characters and \u0000 are already refused, so this
     * only finds bad raw UTF-8. */
    r = KK_ERR_INVAL;
    if (!hub_utf8_valid(dst, o)) {
        kk_diag_set(jp->d, "invalid UTF-8 in the string at byte %zu", jp->i);
        goto out;
    }
    jp->i = e + 1;
    *out = dst;
    r = KK_OK;
out:
    return r;
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Skips one or more digits; false if there is none. */
static bool jp_digits(struct jp *jp)
{
    size_t s = jp->i;

    while (jp->i < jp->len && is_digit(jp->p[jp->i]))
        jp->i++;
    return jp->i > s;
}

static int jp_number(struct jp *jp, struct hub_jv *v)
{
    size_t s = jp->i;
    char *text;
    int r = KK_ERR_INVAL;

    v->integer = true;
    if (jp->p[jp->i] == '-')
        jp->i++;
    if (jp->i < jp->len && jp->p[jp->i] == '0') {
        jp->i++;
        if (jp->i < jp->len && is_digit(jp->p[jp->i])) {
            kk_diag_set(jp->d, "leading zero in the number at byte %zu", s);
            goto out;
        }
    } else if (!jp_digits(jp)) {
        r = jp_unexpected(jp, "a digit");
        goto out;
    }
    if (jp->i < jp->len && jp->p[jp->i] == '.') {
        jp->i++;
        v->integer = false;
        if (!jp_digits(jp)) {
            r = jp_unexpected(jp, "a digit");
            goto out;
        }
    }
    if (jp->i < jp->len && (jp->p[jp->i] == 'e' || jp->p[jp->i] == 'E')) {
        jp->i++;
        v->integer = false;
        if (jp->i < jp->len && (jp->p[jp->i] == '+' || jp->p[jp->i] == '-'))
            jp->i++;
        if (!jp_digits(jp)) {
            r = jp_unexpected(jp, "a digit");
            goto out;
        }
    }
    r = KK_ERR_NOMEM;
    text = arena_alloc(jp->a, jp->i - s + 1);
    if (text == NULL)
        goto out;
    memcpy(text, jp->p + s, jp->i - s);
    text[jp->i - s] = '\0';
    v->type = HUB_JSON_NUMBER;
    v->u.s = text;
    r = KK_OK;
out:
    return r;
}

/* A scalar at jp->i: string, number, true, false or null. */
static int jp_scalar(struct jp *jp, struct hub_jv *v)
{
    static const struct {
        const char *word;
        size_t len;
        uint8_t type;
    } lits[] = {
        {"true", 4, HUB_JSON_TRUE},
        {"false", 5, HUB_JSON_FALSE},
        {"null", 4, HUB_JSON_NULL},
    };
    unsigned char c = jp->p[jp->i];
    int r = KK_ERR_INVAL;

    memset(v, 0, sizeof *v);
    if (c == '"') {
        v->type = HUB_JSON_STRING;
        r = jp_string(jp, &v->u.s);
        goto out;
    }
    if (c == '-' || is_digit(c)) {
        r = jp_number(jp, v);
        goto out;
    }
    for (size_t k = 0; k < sizeof lits / sizeof lits[0]; k++) {
        if (jp->len - jp->i >= lits[k].len &&
            memcmp(jp->p + jp->i, lits[k].word, lits[k].len) == 0) {
            v->type = lits[k].type;
            jp->i += lits[k].len;
            r = KK_OK;
            goto out;
        }
    }
    r = jp_unexpected(jp, "a value");
out:
    return r;
}

/* Parses "key" : and leaves the key in *key. */
static int jp_key(struct jp *jp, const char **key)
{
    int r;

    jp_ws(jp);
    if (jp->i >= jp->len || jp->p[jp->i] != '"') {
        r = jp_unexpected(jp, "a string key");
        goto out;
    }
    r = jp_string(jp, key);
    if (r != KK_OK)
        goto out;
    jp_ws(jp);
    if (jp->i >= jp->len || jp->p[jp->i] != ':') {
        r = jp_unexpected(jp, "':'");
        goto out;
    }
    jp->i++;
out:
    return r;
}

static int jp_push(struct jp *jp, const struct hub_jv *v, const char *key)
{
    int r = KK_OK;

    if (jp->st_n == jp->st_cap) {
        /* The node limit bounds the stack, so this cannot overflow. */
        size_t ncap = jp->st_cap == 0 ? 64 : jp->st_cap * 2;
        struct slot *n = realloc(jp->st, ncap * sizeof *n);
        if (n == NULL) {
            r = KK_ERR_NOMEM;
            goto out;
        }
        jp->st = n;
        jp->st_cap = ncap;
    }
    jp->st[jp->st_n].v = *v;
    jp->st[jp->st_n].key = key;
    jp->st_n++;
out:
    return r;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* True if two of the n keys are equal. */
static int keys_dup(const char **keys, size_t n, bool *dup)
{
    const char **tmp = NULL;
    int r = KK_OK;

    *dup = false;
    if (n <= 16) {
        for (size_t i = 1; i < n && !*dup; i++) {
            for (size_t k = 0; k < i && !*dup; k++)
                *dup = strcmp(keys[i], keys[k]) == 0;
        }
        goto out;
    }
    tmp = malloc(n * sizeof *tmp);
    if (tmp == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    memcpy(tmp, keys, n * sizeof *tmp);
    qsort(tmp, n, sizeof *tmp, cmp_key);
    for (size_t i = 1; i < n && !*dup; i++)
        *dup = strcmp(tmp[i - 1], tmp[i]) == 0;
out:
    free(tmp);
    return r;
}

/* Closes the container fr: moves its members into the arena as v. */
static int jp_close(struct jp *jp, const struct frame *fr, struct hub_jv *v)
{
    size_t n = jp->st_n - fr->start;
    struct hub_jv *items = NULL;
    const char **keys = NULL;
    bool dup = false;
    int r = KK_ERR_NOMEM;

    memset(v, 0, sizeof *v);
    v->type = fr->type;
    v->n = (uint32_t)n;
    if (n > 0) {
        items = arena_alloc(jp->a, n * sizeof *items);
        if (items == NULL)
            goto out;
        for (size_t k = 0; k < n; k++)
            items[k] = jp->st[fr->start + k].v;
        v->u.items = items;
    }
    if (n > 0 && fr->type == HUB_JSON_OBJECT) {
        keys = arena_alloc(jp->a, n * sizeof *keys);
        if (keys == NULL)
            goto out;
        for (size_t k = 0; k < n; k++)
            keys[k] = jp->st[fr->start + k].key;
        v->keys = keys;
        r = keys_dup(keys, n, &dup);
        if (r != KK_OK)
            goto out;
        if (dup) {
            kk_diag_set(jp->d, "duplicate key in the object at byte %zu",
                        fr->pos);
            r = KK_ERR_INVAL;
            goto out;
        }
    }
    jp->st_n = fr->start;
    r = KK_OK;
out:
    return r;
}

/*
 * The whole document.  Each turn of the outer loop reads the start of one
 * value: a scalar, an empty container, or the opening of a container
 * whose first member comes next.  Once a value is complete the inner loop
 * files it under its container and reads ',' (next member) or the
 * closing bracket (the container is complete in turn).
 */
static int jp_document(struct jp *jp, struct hub_jv *root)
{
    struct frame fr[KK_HUB_JSON_DEPTH_MAX];
    size_t depth = 0;
    int r = KK_OK;

    for (;;) {
        struct hub_jv v;
        unsigned char c;
        bool done = false;

        jp_ws(jp);
        if (jp->i >= jp->len) {
            r = jp_unexpected(jp, "a value");
            goto out;
        }
        if (++jp->nodes > KK_HUB_JSON_NODES_MAX) {
            kk_diag_set(jp->d, "more than %d values at byte %zu",
                        KK_HUB_JSON_NODES_MAX, jp->i);
            r = KK_ERR_LIMIT;
            goto out;
        }
        c = jp->p[jp->i];
        if (c == '[' || c == '{') {
            struct frame *f;
            if (depth == KK_HUB_JSON_DEPTH_MAX) {
                kk_diag_set(jp->d, "nested deeper than %d at byte %zu",
                            KK_HUB_JSON_DEPTH_MAX, jp->i);
                r = KK_ERR_LIMIT;
                goto out;
            }
            f = &fr[depth++];
            f->type = c == '[' ? HUB_JSON_ARRAY : HUB_JSON_OBJECT;
            f->start = jp->st_n;
            f->pos = jp->i++;
            f->key = NULL;
            jp_ws(jp);
            if (jp->i < jp->len && jp->p[jp->i] == (c == '[' ? ']' : '}')) {
                jp->i++;
                r = jp_close(jp, f, &v);
                depth--;
            } else if (f->type == HUB_JSON_OBJECT) {
                r = jp_key(jp, &f->key);
                if (r != KK_OK)
                    goto out;
                continue;
            } else {
                continue;
            }
        } else {
            r = jp_scalar(jp, &v);
        }
        if (r != KK_OK)
            goto out;
        /* v is complete: file it and close what it completes. */
        while (!done) {
            struct frame *top;
            unsigned char closer;

            if (depth == 0) {
                *root = v;
                goto out;
            }
            top = &fr[depth - 1];
            closer = top->type == HUB_JSON_ARRAY ? ']' : '}';
            r = jp_push(jp, &v, top->key);
            if (r != KK_OK)
                goto out;
            jp_ws(jp);
            if (jp->i < jp->len && jp->p[jp->i] == ',') {
                jp->i++;
                if (top->type == HUB_JSON_OBJECT) {
                    r = jp_key(jp, &top->key);
                    if (r != KK_OK)
                        goto out;
                }
                done = true;
            } else if (jp->i < jp->len && jp->p[jp->i] == closer) {
                jp->i++;
                r = jp_close(jp, top, &v);
                if (r != KK_OK)
                    goto out;
                depth--;
            } else {
                r = jp_unexpected(jp, top->type == HUB_JSON_ARRAY
                                          ? "',' or ']'"
                                          : "',' or '}'");
                goto out;
            }
        }
    }
out:
    return r;
}

void hub_json_free(struct hub_json *j)
{
    if (j == NULL)
        return;
    arena_free(&j->a);
    free(j);
}

int hub_json_parse(const char *text, size_t len, struct hub_json **out,
                   struct kk_diag *d)
{
    struct hub_json *j = NULL;
    struct jp jp;
    int r = KK_ERR_INVAL;

    memset(&jp, 0, sizeof jp);
    if (out == NULL || (text == NULL && len > 0)) {
        kk_diag_set(d, "no JSON to parse");
        goto out;
    }
    r = KK_ERR_NOMEM;
    j = calloc(1, sizeof *j);
    if (j == NULL)
        goto out;
    jp.p = (const unsigned char *)text;
    jp.len = len;
    jp.a = &j->a;
    jp.d = d;
    r = jp_document(&jp, &j->root);
    if (r != KK_OK)
        goto out;
    jp_ws(&jp);
    if (jp.i < len) {
        kk_diag_set(d, "trailing data at byte %zu", jp.i);
        r = KK_ERR_INVAL;
        goto out;
    }
    *out = j;
    j = NULL;
out:
    free(jp.st);
    hub_json_free(j);
    return r;
}

const struct hub_jv *hub_json_root(const struct hub_json *j)
{
    return j != NULL ? &j->root : NULL;
}

/* ---- Accessors ---- */

enum hub_json_type hub_jv_type(const struct hub_jv *v)
{
    return v != NULL ? (enum hub_json_type)v->type : HUB_JSON_NULL;
}

/* Linear: request objects have a handful of members. */
const struct hub_jv *hub_jv_get(const struct hub_jv *v, const char *key)
{
    const struct hub_jv *m = NULL;

    if (v == NULL || key == NULL || v->type != HUB_JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < v->n; i++) {
        if (strcmp(v->keys[i], key) == 0) {
            m = &v->u.items[i];
            break;
        }
    }
    return m;
}

size_t hub_jv_len(const struct hub_jv *v)
{
    if (v == NULL || (v->type != HUB_JSON_ARRAY && v->type != HUB_JSON_OBJECT))
        return 0;
    return v->n;
}

const struct hub_jv *hub_jv_at(const struct hub_jv *v, size_t i)
{
    return i < hub_jv_len(v) ? &v->u.items[i] : NULL;
}

const char *hub_jv_key_at(const struct hub_jv *v, size_t i)
{
    if (hub_jv_type(v) != HUB_JSON_OBJECT || i >= v->n)
        return NULL;
    return v->keys[i];
}

const char *hub_jv_str(const struct hub_jv *v)
{
    return hub_jv_type(v) == HUB_JSON_STRING ? v->u.s : NULL;
}

int hub_jv_i64(const struct hub_jv *v, int64_t *out)
{
    const char *s;
    bool neg;
    uint64_t limit;
    uint64_t acc = 0;
    int r = KK_ERR_INVAL;

    if (out == NULL || hub_jv_type(v) != HUB_JSON_NUMBER || !v->integer)
        goto out;
    s = v->u.s;
    neg = *s == '-';
    if (neg)
        s++;
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    r = KK_ERR_RANGE;
    for (; *s != '\0'; s++) {
        unsigned dg = (unsigned)(*s - '0');
        if (acc > (limit - dg) / 10)
            goto out;
        acc = acc * 10 + dg;
    }
    if (neg)
        *out = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
    else
        *out = (int64_t)acc;
    r = KK_OK;
out:
    return r;
}

int hub_jv_bool(const struct hub_jv *v, bool *out)
{
    int r = KK_ERR_INVAL;

    if (out != NULL &&
        (hub_jv_type(v) == HUB_JSON_TRUE || hub_jv_type(v) == HUB_JSON_FALSE)) {
        *out = v->type == HUB_JSON_TRUE;
        r = KK_OK;
    }
    return r;
}
