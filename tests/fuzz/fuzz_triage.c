/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_triage.c - fuzz target of the triage flow reader (lib/hub/triage.c).
 * A flow that parses is walked in full: every node has its texts in the
 * three languages, every answer leads to a node, every path from the start
 * ends at steps within the node count (no loop), the walk of each path
 * gives the node the graph says, and a finished walk can be summed up.
 */
#include <stdint.h>
#include <string.h>

#include "incident.h"
#include "kalkan/kk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const struct hub_triage_text *t)
{
    for (int l = 0; l < HUB_LANG_COUNT; l++) {
        if (t->t[l] == NULL || t->t[l][0] == '\0' ||
            strlen(t->t[l]) > KK_HUB_TEXT_MAX)
            __builtin_trap();
    }
}

/* Follows every path from node i with path[0..len) taken so far. */
static void walk(const struct hub_triage_flow *f, size_t i, char *path,
                 size_t len, struct kk_buf *b)
{
    const struct hub_triage_node *n = &f->node[i];
    size_t got = 99;
    if (len >= HUB_TRIAGE_NODES_MAX || i >= f->n_nodes)
        __builtin_trap();
    path[len] = '\0';
    if (hub_triage_walk(f, path, &got) != KK_OK || got != i)
        __builtin_trap();
    if (n->end) {
        kk_buf_reset(b);
        if (n->n_steps == 0 || n->n_answers != 0 ||
            hub_triage_summary(f, path, HUB_LANG_KY, b) != KK_OK)
            __builtin_trap();
        return;
    }
    if (n->n_answers < 2 || n->n_answers > HUB_TRIAGE_ANSWERS_MAX)
        __builtin_trap();
    for (size_t a = 0; a < n->n_answers; a++) {
        path[len] = (char)('1' + a);
        walk(f, n->answer[a].next, path, len + 1, b);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hub_triage_flow *f = NULL;
    struct kk_diag d;
    char path[HUB_TRIAGE_NODES_MAX + 2];
    struct kk_buf *b;

    if (size > HUB_TRIAGE_FILE_MAX)
        return 0;
    kk_diag_clear(&d);
    if (hub_triage_parse((const char *)data, size, &f, &d) != KK_OK) {
        if (f != NULL || strlen(d.msg) == 0)
            __builtin_trap();
        return 0;
    }
    if (f->id == NULL || f->n_nodes == 0 || f->n_nodes > HUB_TRIAGE_NODES_MAX)
        __builtin_trap();
    check_text(&f->title);
    check_text(&f->intro);
    for (size_t i = 0; i < f->n_nodes; i++) {
        check_text(&f->node[i].text);
        for (size_t a = 0; a < f->node[i].n_answers; a++) {
            check_text(&f->node[i].answer[a].label);
            if (f->node[i].answer[a].next >= f->n_nodes)
                __builtin_trap();
        }
        for (size_t s = 0; s < f->node[i].n_steps; s++)
            check_text(&f->node[i].step[s]);
    }
    b = kk_buf_new(HUB_TRIAGE_FILE_MAX * 4);
    if (b != NULL)
        walk(f, 0, path, 0, b);
    kk_buf_free(b);
    hub_triage_free(f);
    return 0;
}
