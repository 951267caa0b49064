/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * triage.c - triage guidance as data: the reader of the files of web/triage/,
 * its validation, and walking a flow along the answers taken.
 *
 * A flow is a small graph in the manner of the Digital First Aid Kit:
 * questions whose answers lead to other nodes, and end nodes with
 * numbered steps.  Keeping it as text lets a trainer correct a step or a
 * translation without touching C, and the strict reader turns every slip
 * (an answer to a node that does not exist, a loop, a node nobody can
 * reach, a missing Kyrgyz line) into an error with its line number, which
 * the unit tests report for the shipped files.  The price is a second
 * format to learn; it is kept as close as possible to the control
 * catalogue's "key = value" lines.
 *
 * The format (UTF-8, one item per line):
 *
 *   - Blank lines and lines starting with "#" are ignored.  Leading and
 *     trailing spaces and tabs are dropped.  Lines are "key = value"
 *     (spaces around "=" dropped) or "[ID]".  Values are never empty, at
 *     most 4096 bytes, without control characters and without escapes.
 *   - The header, before the first node, sets once each:
 *       flow = ID                 the flow's id (ID: 1-32 of a-z 0-9 _)
 *       types = TYPE ...          optional: the incident types it serves
 *                                 (wire names, separated by spaces)
 *       title.L, intro.L          for L = en, ru, ky
 *   - "[ID]" starts a node; the first node is the start.  A node is
 *     either a question:
 *       question.L                for L = en, ru, ky
 *       answer = NEXT             2 to 9 answers, each followed at once by
 *       answer.en, answer.ru,     its three labels in this order; NEXT is
 *       answer.ky                 the id of the node it leads to
 *     or an end:
 *       title.L                   for L = en, ru, ky
 *       step.en, step.ru,         1 to 12 steps, each three lines in this
 *       step.ky                   order; the page numbers them
 *   - Every answer leads to a node of the file, no path comes back to a
 *     node it passed, and every node is reached from the start.
 *
 * Decoded text is never longer than its line, so one arena of the input's
 * size holds every string, and a flow is one allocation of fixed arrays
 * plus its arena.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "incident.h"
#include "parse.h"

#define TRIAGE_LINE_MAX (KK_HUB_TEXT_MAX + 64)
#define TRIAGE_PREFIX "web/triage/"

static const char *const lang_codes[HUB_LANG_COUNT] = {"en", "ru", "ky"};

/* Text keys: each exists in the three languages. */
enum tkey {
    T_TITLE,
    T_INTRO,
    T_QUESTION,
    T_ANSWER,
    T_STEP,
    T_COUNT,
};
static const char *const tkey_names[T_COUNT] = {
    "title", "intro", "question", "answer", "step",
};

/* What the next line must be: the rest of an answer's or a step's
 * three languages. */
struct pending {
    int key;  /* T_ANSWER, T_STEP, or -1 */
    int lang; /* the language expected next */
};

struct rd {
    struct hub_triage_flow *f;
    const char *next_id[HUB_TRIAGE_NODES_MAX][HUB_TRIAGE_ANSWERS_MAX];
    size_t cap, used; /* arena */
    bool in_node;
    unsigned seen; /* header: bits of keys set; node: text bits */
    struct pending p;
    unsigned line;
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool id_ok(const char *s, size_t n)
{
    if (n == 0 || n > HUB_TRIAGE_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* Copies s[0..n) onto the arena, NUL-terminated. */
static const char *store(struct rd *rd, const char *s, size_t n)
{
    char *p;
    if (n + 1 > rd->cap - rd->used)
        return NULL; /* cannot happen: the arena is the input's size */
    p = rd->f->arena + rd->used;
    memcpy(p, s, n);
    p[n] = '\0';
    rd->used += n + 1;
    return p;
}

static int value_check(const struct rd *rd, const char *v, size_t n,
                       struct kk_diag *d)
{
    if (n == 0) {
        kk_diag_set(d, "line %u: empty value", rd->line);
        return KK_ERR_INVAL;
    }
    if (n > KK_HUB_TEXT_MAX) {
        kk_diag_set(d, "line %u: value longer than %d bytes", rd->line,
                    KK_HUB_TEXT_MAX);
        return KK_ERR_LIMIT;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c == 0x7f) {
            kk_diag_set(d, "line %u: control character in a value", rd->line);
            return KK_ERR_INVAL;
        }
    }
    return KK_OK;
}

/* "question.ky" -> T_QUESTION, HUB_LANG_KY; false if not a text key. */
static bool text_key(const char *k, size_t n, int *key, int *lang)
{
    for (int t = 0; t < T_COUNT; t++) {
        size_t tl = strlen(tkey_names[t]);
        if (n != tl + 3 || strncmp(k, tkey_names[t], tl) != 0 || k[tl] != '.')
            continue;
        for (int l = 0; l < HUB_LANG_COUNT; l++) {
            if (strncmp(k + tl + 1, lang_codes[l], 2) == 0) {
                *key = t;
                *lang = l;
                return true;
            }
        }
    }
    return false;
}

static unsigned bit(int key, int lang)
{
    return 1u << (key * HUB_LANG_COUNT + lang);
}

static unsigned all_langs(int key)
{
    return bit(key, 0) | bit(key, 1) | bit(key, 2);
}

/* --- the header --- */

#define H_FLOW (1u << 30)
#define H_TYPES (1u << 29)

static int types_read(struct rd *rd, const char *v, size_t n, struct kk_diag *d)
{
    char name[40];
    size_t i = 0;
    while (i < n) {
        size_t w;
        int t;
        while (i < n && v[i] == ' ')
            i++;
        w = i;
        while (w < n && v[w] != ' ')
            w++;
        if (w == i)
            break;
        if (w - i >= sizeof name) {
            kk_diag_set(d, "line %u: unknown incident type", rd->line);
            return KK_ERR_INVAL;
        }
        memcpy(name, v + i, w - i);
        name[w - i] = '\0';
        t = hub_incident_type_from_name(name);
        if (t == 0) {
            kk_diag_set(d, "line %u: unknown incident type \"%s\"", rd->line,
                        name);
            return KK_ERR_INVAL;
        }
        if (rd->f->types & (1u << t)) {
            kk_diag_set(d, "line %u: type \"%s\" listed twice", rd->line, name);
            return KK_ERR_INVAL;
        }
        rd->f->types |= 1u << t;
        i = w;
    }
    return KK_OK;
}

static int header_line(struct rd *rd, const char *k, size_t kn, const char *v,
                       size_t vn, struct kk_diag *d)
{
    struct hub_triage_flow *f = rd->f;
    int key, lang;
    if (kn == 4 && strncmp(k, "flow", 4) == 0) {
        if (rd->seen & H_FLOW) {
            kk_diag_set(d, "line %u: flow set twice", rd->line);
            return KK_ERR_INVAL;
        }
        if (!id_ok(v, vn)) {
            kk_diag_set(d, "line %u: a flow id is 1-32 of a-z 0-9 _", rd->line);
            return KK_ERR_INVAL;
        }
        rd->seen |= H_FLOW;
        f->id = store(rd, v, vn);
        return KK_OK;
    }
    if (kn == 5 && strncmp(k, "types", 5) == 0) {
        if (rd->seen & H_TYPES) {
            kk_diag_set(d, "line %u: types set twice", rd->line);
            return KK_ERR_INVAL;
        }
        rd->seen |= H_TYPES;
        return types_read(rd, v, vn, d);
    }
    if (!text_key(k, kn, &key, &lang) || (key != T_TITLE && key != T_INTRO)) {
        kk_diag_set(d, "line %u: unknown key in the flow's header", rd->line);
        return KK_ERR_INVAL;
    }
    if (rd->seen & bit(key, lang)) {
        kk_diag_set(d, "line %u: %.*s set twice", rd->line, (int)kn, k);
        return KK_ERR_INVAL;
    }
    rd->seen |= bit(key, lang);
    if (key == T_TITLE)
        f->title.t[lang] = store(rd, v, vn);
    else
        f->intro.t[lang] = store(rd, v, vn);
    return KK_OK;
}

static int header_end(struct rd *rd, struct kk_diag *d)
{
    if (!(rd->seen & H_FLOW)) {
        kk_diag_set(d, "the header has no \"flow = ID\"");
        return KK_ERR_INVAL;
    }
    for (int key = T_TITLE; key <= T_INTRO; key++) {
        for (int l = 0; l < HUB_LANG_COUNT; l++) {
            if (!(rd->seen & bit(key, l))) {
                kk_diag_set(d, "the header has no %s.%s", tkey_names[key],
                            lang_codes[l]);
                return KK_ERR_INVAL;
            }
        }
    }
    return KK_OK;
}

/* --- nodes --- */

static struct hub_triage_node *cur_node(struct rd *rd)
{
    return &rd->f->node[rd->f->n_nodes - 1];
}

static int node_end(struct rd *rd, struct kk_diag *d)
{
    struct hub_triage_node *n = cur_node(rd);
    int key;
    if (rd->p.key >= 0) {
        kk_diag_set(d, "line %u: node %s: %s.%s is missing", n->line, n->id,
                    tkey_names[rd->p.key], lang_codes[rd->p.lang]);
        return KK_ERR_INVAL;
    }
    n->end = (rd->seen & all_langs(T_TITLE)) != 0 || n->n_steps > 0;
    key = n->end ? T_TITLE : T_QUESTION;
    if ((n->end && ((rd->seen & all_langs(T_QUESTION)) || n->n_answers > 0)) ||
        (n->end && n->n_steps == 0) || (!n->end && n->n_answers < 2)) {
        kk_diag_set(d,
                    "line %u: node %s: a node is a question with 2 to 9 "
                    "answers or a title with 1 to 12 steps",
                    n->line, n->id);
        return KK_ERR_INVAL;
    }
    for (int l = 0; l < HUB_LANG_COUNT; l++) {
        if (!(rd->seen & bit(key, l))) {
            kk_diag_set(d, "line %u: node %s: %s.%s is missing", n->line, n->id,
                        tkey_names[key], lang_codes[l]);
            return KK_ERR_INVAL;
        }
    }
    return KK_OK;
}

static int node_begin(struct rd *rd, const char *s, size_t n, struct kk_diag *d)
{
    struct hub_triage_flow *f = rd->f;
    int err = KK_OK;
    if (rd->in_node)
        err = node_end(rd, d);
    else
        err = header_end(rd, d);
    if (err != KK_OK)
        return err;
    if (n < 2 || s[n - 1] != ']' || !id_ok(s + 1, n - 2)) {
        kk_diag_set(d, "line %u: a node starts with [ID], ID 1-32 of a-z 0-9 _",
                    rd->line);
        return KK_ERR_INVAL;
    }
    for (size_t i = 0; i < f->n_nodes; i++) {
        if (strlen(f->node[i].id) == n - 2 &&
            strncmp(f->node[i].id, s + 1, n - 2) == 0) {
            kk_diag_set(d, "line %u: node %.*s defined twice", rd->line,
                        (int)(n - 2), s + 1);
            return KK_ERR_INVAL;
        }
    }
    if (f->n_nodes >= HUB_TRIAGE_NODES_MAX) {
        kk_diag_set(d, "line %u: more than %d nodes", rd->line,
                    HUB_TRIAGE_NODES_MAX);
        return KK_ERR_LIMIT;
    }
    f->n_nodes++;
    cur_node(rd)->id = store(rd, s + 1, n - 2);
    cur_node(rd)->line = rd->line;
    rd->in_node = true;
    rd->seen = 0;
    rd->p.key = -1;
    return KK_OK;
}

/* answer.L or step.L continuing the pending group. */
static int group_line(struct rd *rd, int key, int lang, const char *v,
                      size_t vn, struct kk_diag *d)
{
    struct hub_triage_node *n = cur_node(rd);
    struct hub_triage_text *t;
    if (rd->p.key < 0) {
        kk_diag_set(d, "line %u: %s.%s outside an answer", rd->line,
                    tkey_names[key], lang_codes[lang]);
        return KK_ERR_INVAL;
    }
    if (rd->p.key != key || rd->p.lang != lang) {
        kk_diag_set(d, "line %u: expected %s.%s", rd->line,
                    tkey_names[rd->p.key], lang_codes[rd->p.lang]);
        return KK_ERR_INVAL;
    }
    t = key == T_ANSWER ? &n->answer[n->n_answers - 1].label
                        : &n->step[n->n_steps - 1];
    t->t[lang] = store(rd, v, vn);
    rd->p.lang++;
    if (rd->p.lang == HUB_LANG_COUNT)
        rd->p.key = -1;
    return KK_OK;
}

static int node_line(struct rd *rd, const char *k, size_t kn, const char *v,
                     size_t vn, struct kk_diag *d)
{
    struct hub_triage_node *n = cur_node(rd);
    size_t ni = rd->f->n_nodes - 1;
    int key, lang;
    if (kn == 6 && strncmp(k, "answer", 6) == 0) {
        if (rd->p.key >= 0) {
            kk_diag_set(d, "line %u: expected %s.%s", rd->line,
                        tkey_names[rd->p.key], lang_codes[rd->p.lang]);
            return KK_ERR_INVAL;
        }
        if (!id_ok(v, vn)) {
            kk_diag_set(d, "line %u: an answer leads to a node id", rd->line);
            return KK_ERR_INVAL;
        }
        if (n->n_answers >= HUB_TRIAGE_ANSWERS_MAX) {
            kk_diag_set(d, "line %u: more than %d answers", rd->line,
                        HUB_TRIAGE_ANSWERS_MAX);
            return KK_ERR_LIMIT;
        }
        rd->next_id[ni][n->n_answers] = store(rd, v, vn);
        n->n_answers++;
        rd->p.key = T_ANSWER;
        rd->p.lang = 0;
        return KK_OK;
    }
    if (!text_key(k, kn, &key, &lang) || key == T_INTRO) {
        kk_diag_set(d, "line %u: unknown key in a node", rd->line);
        return KK_ERR_INVAL;
    }
    if (key == T_STEP && rd->p.key < 0) {
        if (lang != HUB_LANG_EN) {
            kk_diag_set(d, "line %u: a step starts with step.en", rd->line);
            return KK_ERR_INVAL;
        }
        if (n->n_steps >= HUB_TRIAGE_STEPS_MAX) {
            kk_diag_set(d, "line %u: more than %d steps", rd->line,
                        HUB_TRIAGE_STEPS_MAX);
            return KK_ERR_LIMIT;
        }
        n->n_steps++;
        rd->p.key = T_STEP;
        rd->p.lang = HUB_LANG_EN;
    }
    if (key == T_ANSWER || key == T_STEP)
        return group_line(rd, key, lang, v, vn, d);
    if (rd->p.key >= 0) {
        kk_diag_set(d, "line %u: expected %s.%s", rd->line,
                    tkey_names[rd->p.key], lang_codes[rd->p.lang]);
        return KK_ERR_INVAL;
    }
    if (rd->seen & bit(key, lang)) {
        kk_diag_set(d, "line %u: %.*s set twice", rd->line, (int)kn, k);
        return KK_ERR_INVAL;
    }
    rd->seen |= bit(key, lang);
    n->text.t[lang] = store(rd, v, vn);
    return KK_OK;
}

/* --- one line --- */

static int line_read(struct rd *rd, const char *s, size_t n, struct kk_diag *d)
{
    const char *eq, *k, *v;
    size_t kn, vn;
    int err;
    while (n > 0 && is_blank(s[0])) {
        s++;
        n--;
    }
    while (n > 0 && is_blank(s[n - 1]))
        n--;
    if (n == 0 || s[0] == '#')
        return KK_OK;
    if (s[0] == '[')
        return node_begin(rd, s, n, d);
    eq = memchr(s, '=', n);
    if (eq == NULL) {
        kk_diag_set(d, "line %u: expected \"key = value\" or \"[ID]\"",
                    rd->line);
        return KK_ERR_INVAL;
    }
    k = s;
    kn = (size_t)(eq - s);
    while (kn > 0 && is_blank(k[kn - 1]))
        kn--;
    v = eq + 1;
    vn = (size_t)(s + n - v);
    while (vn > 0 && is_blank(v[0])) {
        v++;
        vn--;
    }
    err = value_check(rd, v, vn, d);
    if (err != KK_OK)
        return err;
    return rd->in_node ? node_line(rd, k, kn, v, vn, d)
                       : header_line(rd, k, kn, v, vn, d);
}

/* --- the graph --- */

static int targets_resolve(struct rd *rd, struct kk_diag *d)
{
    struct hub_triage_flow *f = rd->f;
    for (size_t i = 0; i < f->n_nodes; i++) {
        struct hub_triage_node *n = &f->node[i];
        for (size_t a = 0; a < n->n_answers; a++) {
            const char *want = rd->next_id[i][a];
            size_t j = 0;
            while (j < f->n_nodes && strcmp(f->node[j].id, want) != 0)
                j++;
            if (j == f->n_nodes) {
                kk_diag_set(d,
                            "line %u: node %s: answer %zu leads to \"%s\", "
                            "which is not a node of this flow",
                            n->line, n->id, a + 1, want);
                return KK_ERR_INVAL;
            }
            n->answer[a].next = j;
        }
    }
    return KK_OK;
}

/* Depth-first from node i: 1 on the current path, 2 done.  Depth is at
 * most HUB_TRIAGE_NODES_MAX, so recursion is bounded. */
static int visit(const struct hub_triage_flow *f, size_t i,
                 unsigned char *state, struct kk_diag *d)
{
    const struct hub_triage_node *n = &f->node[i];
    int err = KK_OK;
    state[i] = 1;
    for (size_t a = 0; a < n->n_answers && err == KK_OK; a++) {
        size_t j = n->answer[a].next;
        if (state[j] == 1) {
            kk_diag_set(d,
                        "line %u: node %s: answer %zu leads back to %s, "
                        "a loop",
                        n->line, n->id, a + 1, f->node[j].id);
            err = KK_ERR_INVAL;
        } else if (state[j] == 0) {
            err = visit(f, j, state, d);
        }
    }
    state[i] = 2;
    return err;
}

static int graph_check(const struct hub_triage_flow *f, struct kk_diag *d)
{
    unsigned char state[HUB_TRIAGE_NODES_MAX] = {0};
    int err;
    if (f->n_nodes == 0) {
        kk_diag_set(d, "the flow has no node");
        return KK_ERR_INVAL;
    }
    err = visit(f, 0, state, d);
    for (size_t i = 0; i < f->n_nodes && err == KK_OK; i++) {
        if (state[i] == 0) {
            kk_diag_set(d, "line %u: node %s cannot be reached from the start",
                        f->node[i].line, f->node[i].id);
            err = KK_ERR_INVAL;
        }
    }
    return err;
}

/* --- public --- */

void hub_triage_free(struct hub_triage_flow *f)
{
    if (f == NULL)
        return;
    free(f->arena);
    free(f);
}

static int parse_all(struct rd *rd, const char *text, size_t len,
                     struct kk_diag *d)
{
    struct kk_span sp = hub_text_span(text, len);
    const char *line;
    size_t n;
    int err = KK_OK, rc;
    while (err == KK_OK) {
        rc = kk_span_get_line(&sp, TRIAGE_LINE_MAX, &line, &n);
        if (rc == KK_ERR_NOTFOUND)
            break;
        rd->line++;
        if (rc == KK_ERR_LIMIT) {
            kk_diag_set(d, "line %u: line too long", rd->line);
            err = KK_ERR_LIMIT;
            break;
        }
        if (rc != KK_OK) {
            kk_diag_set(d, "line %u: NUL byte", rd->line);
            err = KK_ERR_INVAL;
            break;
        }
        err = line_read(rd, line, n, d);
    }
    if (err == KK_OK && !rd->in_node) {
        err = header_end(rd, d);
        if (err == KK_OK) {
            kk_diag_set(d, "the flow has no node");
            err = KK_ERR_INVAL;
        }
    } else if (err == KK_OK) {
        err = node_end(rd, d);
    }
    if (err == KK_OK)
        err = targets_resolve(rd, d);
    if (err == KK_OK)
        err = graph_check(rd->f, d);
    return err;
}

int hub_triage_parse(const char *text, size_t len, struct hub_triage_flow **out,
                     struct kk_diag *d)
{
    struct rd *rd = NULL;
    int err = hub_text_args(out != NULL, text, len, HUB_TRIAGE_FILE_MAX, d);
    if (err != KK_OK)
        goto out;
    if (!hub_utf8_valid(text, len)) {
        kk_diag_set(d, "not valid UTF-8, or a NUL byte");
        err = KK_ERR_INVAL;
        goto out;
    }
    rd = calloc(1, sizeof *rd);
    if (rd != NULL)
        rd->f = calloc(1, sizeof *rd->f);
    if (rd == NULL || rd->f == NULL) {
        err = KK_ERR_NOMEM;
        goto out;
    }
    rd->cap = len + 1;
    rd->f->arena = malloc(rd->cap);
    if (rd->f->arena == NULL) {
        err = KK_ERR_NOMEM;
        goto out;
    }
    rd->p.key = -1;
    err = parse_all(rd, text, len, d);
    if (err == KK_OK) {
        *out = rd->f;
        rd->f = NULL;
    }
out:
    if (rd != NULL)
        hub_triage_free(rd->f);
    free(rd);
    return err;
}

int hub_triage_walk(const struct hub_triage_flow *f, const char *path,
                    size_t *node)
{
    size_t at = 0;
    if (f == NULL || path == NULL || strlen(path) > HUB_TRIAGE_PATH_MAX)
        return KK_ERR_INVAL;
    for (const char *p = path; *p != '\0'; p++) {
        const struct hub_triage_node *n = &f->node[at];
        if (*p < '1' || *p > '9' || (size_t)(*p - '0') > n->n_answers)
            return KK_ERR_INVAL;
        at = n->answer[*p - '1'].next;
    }
    *node = at;
    return KK_OK;
}

int hub_triage_summary(const struct hub_triage_flow *f, const char *path,
                       int lang, struct kk_buf *b)
{
    size_t at = 0, end;
    int l = lang >= 0 && lang < HUB_LANG_COUNT ? lang : HUB_LANG_EN;
    int err = hub_triage_walk(f, path, &end);
    if (err == KK_OK && !f->node[end].end)
        err = KK_ERR_INVAL;
    if (err == KK_OK)
        err = kk_buf_puts(b, f->title.t[l]);
    for (size_t k = 0; err == KK_OK && path[k] != '\0'; k++) {
        const struct hub_triage_node *q = &f->node[at];
        const struct hub_triage_answer *a = &q->answer[path[k] - '1'];
        err = kk_buf_putf(b, "\n%s %s", q->text.t[l], a->label.t[l]);
        at = a->next;
    }
    if (err == KK_OK)
        err = kk_buf_putf(b, "\n%s", f->node[at].text.t[l]);
    for (size_t s = 0; err == KK_OK && s < f->node[at].n_steps; s++)
        err = kk_buf_putf(b, "\n%zu. %s", s + 1, f->node[at].step[s].t[l]);
    return err;
}

int hub_triage_set_add(struct hub_triage_set *s, const char *name,
                       const char *text, size_t len, struct kk_diag *d)
{
    struct hub_triage_flow *f = NULL;
    struct kk_diag sub = {{0}};
    int err = KK_OK;
    if (s->n >= HUB_TRIAGE_FLOWS_MAX) {
        kk_diag_set(d, "%s: more than %d flows", name, HUB_TRIAGE_FLOWS_MAX);
        return KK_ERR_LIMIT;
    }
    err = hub_triage_parse(text, len, &f, &sub);
    if (err != KK_OK) {
        kk_diag_set(d, "%s: %s", name, sub.msg);
        return err;
    }
    for (size_t i = 0; i < s->n && err == KK_OK; i++) {
        if (strcmp(s->flow[i]->id, f->id) == 0) {
            kk_diag_set(d, "%s: flow %s is defined twice", name, f->id);
            err = KK_ERR_EXISTS;
        } else if (s->flow[i]->types & f->types) {
            kk_diag_set(d, "%s: an incident type of %s is served by %s too",
                        name, f->id, s->flow[i]->id);
            err = KK_ERR_EXISTS;
        }
    }
    if (err != KK_OK) {
        hub_triage_free(f);
        return err;
    }
    s->flow[s->n++] = f;
    return KK_OK;
}

void hub_triage_set_clear(struct hub_triage_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        hub_triage_free(s->flow[i]);
    memset(s, 0, sizeof *s);
}

const struct hub_triage_flow *hub_triage_find(const struct hub_triage_set *s,
                                              const char *id)
{
    for (size_t i = 0; s != NULL && id != NULL && i < s->n; i++) {
        if (strcmp(s->flow[i]->id, id) == 0)
            return s->flow[i];
    }
    return NULL;
}

const struct hub_triage_flow *
hub_triage_for_type(const struct hub_triage_set *s, int t)
{
    for (size_t i = 0; s != NULL && t > 0 && t < 32 && i < s->n; i++) {
        if (s->flow[i]->types & (1u << t))
            return s->flow[i];
    }
    return NULL;
}

/* --- the compiled-in flows --- */

static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;
static struct hub_triage_set builtin;
static int builtin_err;
static struct kk_diag builtin_diag;

static void builtin_load(void)
{
    size_t pl = strlen(TRIAGE_PREFIX);
    int err = KK_OK;
    for (const struct hub_asset *a = hub_assets; a->name != NULL && !err; a++) {
        size_t n = strlen(a->name);
        if (strncmp(a->name, TRIAGE_PREFIX, pl) != 0 || n < pl + 5 ||
            strcmp(a->name + n - 4, ".txt") != 0)
            continue;
        err = hub_triage_set_add(&builtin, a->name, (const char *)a->data,
                                 a->len, &builtin_diag);
    }
    if (err == KK_OK && builtin.n == 0) {
        kk_diag_set(&builtin_diag, "no triage flow is compiled in");
        err = KK_ERR_NOTFOUND;
    }
    if (err != KK_OK)
        hub_triage_set_clear(&builtin);
    builtin_err = err;
}

int hub_triage_builtin(const struct hub_triage_set **out, struct kk_diag *d)
{
    if (pthread_once(&builtin_once, builtin_load) != 0)
        return KK_ERR_SYSTEM;
    if (builtin_err != KK_OK) {
        kk_diag_set(d, "%s", builtin_diag.msg);
        return builtin_err;
    }
    *out = &builtin;
    return KK_OK;
}
