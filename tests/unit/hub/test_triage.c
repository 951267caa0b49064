/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_triage.c - the triage guidance (lib/hub/triage.c): the shipped
 * flows load and are sound (every answer leads somewhere, no loop, every
 * node reached, every path ends at steps, every text in English, Russian
 * and Kyrgyz), the required incident types have their flows, a walk
 * follows the answers, and each kind of broken file is refused with the
 * line or node named.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "incident.h"

static const struct hub_triage_set *shipped(void)
{
    const struct hub_triage_set *s = NULL;
    struct kk_diag d = {{0}};
    int err = hub_triage_builtin(&s, &d);
    if (err != KK_OK)
        fail_msg("the shipped flows do not load: %s", d.msg);
    return s;
}

static void the_shipped_flows_load(void **state)
{
    static const char *const need[] = {
        "account_access",
        "page_blocked",
        "website_down",
        "device_seized",
    };
    const struct hub_triage_set *s = shipped();
    (void)state;
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        const struct hub_triage_flow *f = hub_triage_find(s, need[i]);
        if (f == NULL)
            fail_msg("no flow %s", need[i]);
        assert_true(f->n_nodes >= 5);
    }
}

/* Has a character of the Cyrillic block (U+0400-U+04FF). */
static bool cyrillic(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if ((*p == 0xD0 || *p == 0xD1 || *p == 0xD2 || *p == 0xD3) &&
            (p[1] & 0xC0) == 0x80)
            return true;
    }
    return false;
}

/* A sentence (not a brand name such as "Telegram") in every language. */
static void check_text(const struct hub_triage_flow *f, const char *what,
                       const struct hub_triage_text *t, bool sentence)
{
    for (int l = 0; l < HUB_LANG_COUNT; l++) {
        if (t->t[l] == NULL || t->t[l][0] == '\0')
            fail_msg("%s: %s has no text in language %d", f->id, what, l);
    }
    if (sentence &&
        (!cyrillic(t->t[HUB_LANG_RU]) || !cyrillic(t->t[HUB_LANG_KY]) ||
         strcmp(t->t[HUB_LANG_RU], t->t[HUB_LANG_KY]) == 0 ||
         strcmp(t->t[HUB_LANG_EN], t->t[HUB_LANG_RU]) == 0))
        fail_msg("%s: %s is not translated: \"%s\"", f->id, what,
                 t->t[HUB_LANG_EN]);
}

static void every_text_is_in_english_russian_and_kyrgyz(void **state)
{
    const struct hub_triage_set *s = shipped();
    (void)state;
    for (size_t i = 0; i < s->n; i++) {
        const struct hub_triage_flow *f = s->flow[i];
        bool kyrgyz_letters = false;
        check_text(f, "the title", &f->title, true);
        check_text(f, "the intro", &f->intro, true);
        for (size_t k = 0; k < f->n_nodes; k++) {
            const struct hub_triage_node *n = &f->node[k];
            check_text(f, n->id, &n->text, true);
            for (size_t a = 0; a < n->n_answers; a++)
                check_text(f, n->id, &n->answer[a].label, false);
            for (size_t st = 0; st < n->n_steps; st++) {
                check_text(f, n->id, &n->step[st], true);
                kyrgyz_letters =
                    kyrgyz_letters ||
                    strstr(n->step[st].t[HUB_LANG_KY], "ү") != NULL ||
                    strstr(n->step[st].t[HUB_LANG_KY], "ө") != NULL ||
                    strstr(n->step[st].t[HUB_LANG_KY], "ң") != NULL;
            }
        }
        if (!kyrgyz_letters)
            fail_msg("%s: the Kyrgyz steps have no ү, ө or ң", f->id);
    }
}

/* Every path from node i ends at steps; marks the nodes seen. */
static size_t paths_from(const struct hub_triage_flow *f, size_t i, bool *seen,
                         size_t depth)
{
    const struct hub_triage_node *n = &f->node[i];
    size_t ends = 0;
    seen[i] = true;
    assert_true(depth < HUB_TRIAGE_NODES_MAX);
    if (n->end) {
        assert_true(n->n_steps >= 1 && n->n_answers == 0);
        return 1;
    }
    assert_true(n->n_answers >= 2 && n->n_steps == 0);
    for (size_t a = 0; a < n->n_answers; a++)
        ends += paths_from(f, n->answer[a].next, seen, depth + 1);
    return ends;
}

static void every_path_ends_at_steps_and_every_node_is_reached(void **state)
{
    const struct hub_triage_set *s = shipped();
    (void)state;
    for (size_t i = 0; i < s->n; i++) {
        const struct hub_triage_flow *f = s->flow[i];
        bool seen[HUB_TRIAGE_NODES_MAX] = {false};
        size_t ends = paths_from(f, 0, seen, 0);
        assert_true(ends >= 3);
        for (size_t k = 0; k < f->n_nodes; k++) {
            if (!seen[k])
                fail_msg("%s: node %s is never reached", f->id, f->node[k].id);
        }
    }
}

static void the_incident_types_have_their_flows(void **state)
{
    static const struct {
        int type;
        const char *flow;
    } map[] = {
        {HUB_INC_ACCOUNT_HIJACKED, "account_access"},
        {HUB_INC_PHISHING, "account_access"},
        {HUB_INC_PAGE_BLOCKED, "page_blocked"},
        {HUB_INC_WEBSITE_DOWN, "website_down"},
        {HUB_INC_WEBSITE_HACKED, "website_down"},
        {HUB_INC_DEVICE_SEIZED, "device_seized"},
        {HUB_INC_DEVICE_LOST, "device_seized"},
    };
    const struct hub_triage_set *s = shipped();
    (void)state;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        const struct hub_triage_flow *f = hub_triage_for_type(s, map[i].type);
        assert_non_null(f);
        assert_string_equal(f->id, map[i].flow);
    }
    assert_null(hub_triage_for_type(s, HUB_INC_LEGAL_THREAT));
    assert_null(hub_triage_for_type(s, 0));
}

static void a_walk_follows_the_answers_and_refuses_a_wrong_path(void **state)
{
    const struct hub_triage_flow *f =
        hub_triage_find(shipped(), "account_access");
    size_t node = 99, end_path_len = 0;
    char path[HUB_TRIAGE_PATH_MAX + 2] = "";
    (void)state;
    assert_non_null(f);
    assert_int_equal(hub_triage_walk(f, "", &node), KK_OK);
    assert_int_equal(node, 0);
    assert_int_equal(hub_triage_walk(f, "1", &node), KK_OK);
    assert_string_equal(f->node[node].id,
                        f->node[f->node[0].answer[0].next].id);
    /* Always the first answer: it must come to steps. */
    node = 0;
    while (!f->node[node].end) {
        path[end_path_len++] = '1';
        path[end_path_len] = '\0';
        assert_int_equal(hub_triage_walk(f, path, &node), KK_OK);
    }
    assert_true(f->node[node].end);
    path[end_path_len] = '1'; /* past the steps */
    path[end_path_len + 1] = '\0';
    assert_int_equal(hub_triage_walk(f, path, &node), KK_ERR_INVAL);
    assert_int_equal(hub_triage_walk(f, "0", &node), KK_ERR_INVAL);
    assert_int_equal(hub_triage_walk(f, "9", &node), KK_ERR_INVAL);
    assert_int_equal(hub_triage_walk(f, "x", &node), KK_ERR_INVAL);
    assert_int_equal(hub_triage_walk(NULL, "", &node), KK_ERR_INVAL);
}

/* --- broken files --- */

#define HEAD                                                                   \
    "flow = t\n"                                                               \
    "title.en = T\ntitle.ru = Т\ntitle.ky = Т\n"                             \
    "intro.en = I\nintro.ru = И\nintro.ky = И\n"
#define ANSWER(next)                                                           \
    "answer = " next "\nanswer.en = A\nanswer.ru = А\nanswer.ky = А\n"
#define QUESTION "question.en = Q\nquestion.ru = В\nquestion.ky = С\n"
#define STEPS                                                                  \
    "title.en = E\ntitle.ru = Е\ntitle.ky = Е\n"                             \
    "step.en = S\nstep.ru = Ш\nstep.ky = К\n"

static void a_minimal_flow_parses(void **state)
{
    static const char text[] = "\xef\xbb\xbf# comment\n" HEAD "types = "
                               "malware legal_threat\n"
                               "[start]\n" QUESTION ANSWER("a")
                                   ANSWER("b") "[a]\n" STEPS "[b]\n" STEPS;
    struct hub_triage_flow *f = NULL;
    struct kk_diag d = {{0}};
    size_t node;
    (void)state;
    assert_int_equal(hub_triage_parse(text, strlen(text), &f, &d), KK_OK);
    assert_string_equal(f->id, "t");
    assert_int_equal(f->n_nodes, 3);
    assert_int_equal(f->types,
                     (1u << HUB_INC_MALWARE) | (1u << HUB_INC_LEGAL_THREAT));
    assert_string_equal(f->node[0].text.t[HUB_LANG_KY], "С");
    assert_int_equal(hub_triage_walk(f, "2", &node), KK_OK);
    assert_string_equal(f->node[node].id, "b");
    assert_string_equal(f->node[node].step[0].t[HUB_LANG_KY], "К");
    hub_triage_free(f);
    hub_triage_free(NULL);
}

static void each_broken_file_is_refused_with_its_place(void **state)
{
    static const struct {
        const char *name, *text, *diag;
    } cases[] = {
        {"answer to a missing node",
         HEAD "[start]\n" QUESTION ANSWER("a") ANSWER("nowhere") "[a]\n" STEPS,
         "leads to \"nowhere\""},
        {"a loop",
         HEAD "[start]\n" QUESTION ANSWER("a") ANSWER(
             "b") "[a]\n" QUESTION ANSWER("b") ANSWER("start") "[b]\n" STEPS,
         "a loop"},
        {"a node nobody reaches",
         HEAD "[start]\n" QUESTION ANSWER("a") ANSWER("a") "[a]\n" STEPS
                                                           "[lost]\n" STEPS,
         "node lost cannot be reached"},
        {"a missing Kyrgyz question",
         HEAD "[start]\nquestion.en = Q\nquestion.ru = В\n" ANSWER("a")
             ANSWER("a") "[a]\n" STEPS,
         "question.ky is missing"},
        {"a step without Kyrgyz",
         HEAD "[start]\n" QUESTION ANSWER("a")
             ANSWER("a") "[a]\n"
                         "title.en = E\ntitle.ru = Е\ntitle.ky = Е\n"
                         "step.en = S\nstep.ru = Ш\n",
         "step.ky is missing"},
        {"an answer's labels out of order",
         HEAD "[start]\n" QUESTION "answer = a\nanswer.ru = А\n",
         "line 13: expected answer.en"},
        {"a question with one answer",
         HEAD "[start]\n" QUESTION ANSWER("a") "[a]\n" STEPS,
         "a question with 2 to 9 answers"},
        {"a question that also has steps",
         HEAD "[start]\n" QUESTION ANSWER("a") ANSWER("a") STEPS "[a]\n" STEPS,
         "node start"},
        {"a node defined twice",
         HEAD "[start]\n" QUESTION ANSWER("a") ANSWER("a") "[a]\n" STEPS
                                                           "[a]\n" STEPS,
         "defined twice"},
        {"an unknown key", HEAD "colour = red\n", "line 8: unknown key"},
        {"an unknown incident type", HEAD "types = flood\n",
         "unknown incident type"},
        {"an empty value", HEAD "[start]\nquestion.en =\n", "empty value"},
        {"no flow id", "title.en = T\n[start]\n", "no \"flow = ID\""},
        {"a bad node id", HEAD "[Start Here]\n", "line 8: a node starts"},
        {"no node at all", HEAD, "no node"},
        {"a control character", HEAD "[start]\nquestion.en = Q\x01\n",
         "control character"},
        {"invalid UTF-8", HEAD "[start]\nquestion.en = \xc3\x28\n", "UTF-8"},
        {"a key set twice", HEAD "title.en = again\n", "set twice"},
        {"ten answers",
         HEAD "[start]\n" QUESTION ANSWER("a") ANSWER("a") ANSWER("a")
             ANSWER("a") ANSWER("a") ANSWER("a") ANSWER("a") ANSWER("a")
                 ANSWER("a") ANSWER("a") "[a]\n" STEPS,
         "more than 9 answers"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct hub_triage_flow *f = NULL;
        struct kk_diag d = {{0}};
        int err =
            hub_triage_parse(cases[i].text, strlen(cases[i].text), &f, &d);
        if (err == KK_OK)
            fail_msg("%s: accepted", cases[i].name);
        assert_null(f);
        if (strstr(d.msg, cases[i].diag) == NULL)
            fail_msg("%s: the message \"%s\" does not say \"%s\"",
                     cases[i].name, d.msg, cases[i].diag);
    }
}

static void a_set_refuses_a_second_flow_with_the_same_id_or_type(void **state)
{
    static const char one[] =
        HEAD "types = malware\n[start]\n" QUESTION ANSWER("a")
            ANSWER("a") "[a]\n" STEPS;
    static const char other_id[] =
        "flow = u\ntypes = malware\ntitle.en = T\ntitle.ru = Т\ntitle.ky = "
        "Т\nintro.en = I\nintro.ru = И\nintro.ky = И\n[start]\n" QUESTION
            ANSWER("a") ANSWER("a") "[a]\n" STEPS;
    struct hub_triage_set s;
    struct kk_diag d = {{0}};
    (void)state;
    memset(&s, 0, sizeof s);
    assert_int_equal(hub_triage_set_add(&s, "one.txt", one, strlen(one), &d),
                     KK_OK);
    assert_int_equal(hub_triage_set_add(&s, "two.txt", one, strlen(one), &d),
                     KK_ERR_EXISTS);
    assert_non_null(strstr(d.msg, "two.txt: flow t is defined twice"));
    assert_int_equal(
        hub_triage_set_add(&s, "three.txt", other_id, strlen(other_id), &d),
        KK_ERR_EXISTS);
    assert_non_null(strstr(d.msg, "served by t too"));
    assert_int_equal(s.n, 1);
    assert_ptr_equal(hub_triage_for_type(&s, HUB_INC_MALWARE), s.flow[0]);
    assert_int_equal(hub_triage_set_add(&s, "bad.txt", "x", 1, &d),
                     KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "bad.txt: line 1"));
    hub_triage_set_clear(&s);
    assert_int_equal(s.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_shipped_flows_load),
        cmocka_unit_test(every_text_is_in_english_russian_and_kyrgyz),
        cmocka_unit_test(every_path_ends_at_steps_and_every_node_is_reached),
        cmocka_unit_test(the_incident_types_have_their_flows),
        cmocka_unit_test(a_walk_follows_the_answers_and_refuses_a_wrong_path),
        cmocka_unit_test(a_minimal_flow_parses),
        cmocka_unit_test(each_broken_file_is_refused_with_its_place),
        cmocka_unit_test(a_set_refuses_a_second_flow_with_the_same_id_or_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
