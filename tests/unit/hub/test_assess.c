/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_assess.c - assessments, the risk matrix, findings and tasks
 * (assess*.c): the sheet's expansion of subjects by the catalogue, the
 * validation of recorded results, results written all or nothing and
 * only about the outlet's own subjects, findings from failed controls
 * made once however often asked, the focal point's status-only change of
 * a task, overdue tasks first, and sealed text that the database files do
 * not hold in clear.
 *
 * The requests are built by hand and the handlers called directly (API
 * mode), as test_register.c does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "assess.h"
#include "hub_test.h"
#include "kalkan/hub.h"
#include "model.h"

struct world {
    struct hub_test_db h;
    int64_t trainer, focal_a, outlet_a;
    struct hub_req r;
    struct hub_form *form;
    struct hub_json *json;
};

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    struct kk_diag d = {.msg = ""};
    assert_non_null(w);
    assert_int_equal(hub_i18n_init(&d), KK_OK);
    hub_test_db_open(
        &w->h, "asmt",
        "INSERT INTO devices (id, outlet_id, kind, ownership, os, "
        "custodian_id, created_at) VALUES (1002, 1000, 'laptop', "
        "'office', 'Linux', 1001, 0), (1012, 1000, 'phone', 'office', "
        "'Android', 1011, 0), (2002, 2000, 'phone', 'office', "
        "'Android', 2001, 0);"
        "INSERT INTO accounts (id, outlet_id, platform, kind, handle, "
        "person_id, created_at) VALUES (1003, 1000, 'email', "
        "'personal', 'aida@a.example', 1001, 0), (1013, 1000, "
        "'fb_page', 'org', 'a-page', NULL, 0), (2003, 2000, 'email', "
        "'personal', 'other@b.example', 2001, 0);",
        &w->focal_a);
    assert_int_equal(hub_user_add(w->h.db, "trainer@x.example", "trainer", NULL,
                                  "a long password", NULL, 0, &w->trainer, &d),
                     KK_OK);
    w->outlet_a = 1000;
    w->r.db = w->h.conn;
    w->r.out = kk_buf_new(1 << 22);
    assert_non_null(w->r.out);
    assert_int_equal(hub_form_parse("", 0, &w->r.query, NULL), KK_OK);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    hub_form_free(w->form);
    hub_json_free(w->json);
    hub_form_free(w->r.query);
    kk_buf_free(w->r.out);
    hub_test_db_close(&w->h);
    free(w);
    return 0;
}

/* An API request as uid (role) with a JSON body (or none), the path's
 * ids p0 and p1. */
static struct hub_req *as(struct world *w, int64_t uid, int role,
                          const char *json, int64_t p0, int64_t p1)
{
    hub_form_free(w->form);
    hub_json_free(w->json);
    w->form = NULL;
    w->json = NULL;
    assert_int_equal(hub_form_parse("", 0, &w->form, NULL), KK_OK);
    if (json != NULL)
        assert_int_equal(hub_json_parse(json, strlen(json), &w->json, NULL),
                         KK_OK);
    w->r.form = w->form;
    w->r.json = w->json;
    w->r.api = true;
    w->r.status = 200;
    w->r.err = KK_OK;
    kk_buf_reset(w->r.out);
    memset(&w->r.who, 0, sizeof w->r.who);
    w->r.who.user_id = uid;
    w->r.who.role = role;
    w->r.param[0] = p0;
    w->r.param[1] = p1;
    w->r.n_params = p1 != 0 ? 2 : 1;
    return &w->r;
}

static struct hub_req *trainer(struct world *w, const char *json, int64_t p0,
                               int64_t p1)
{
    return as(w, w->trainer, HUB_ROLE_TRAINER, json, p0, p1);
}

/* The answer's JSON, parsed (freed by the caller). */
static struct hub_json *answer(struct world *w)
{
    struct hub_json *j = NULL;
    const char *s = kk_buf_str(w->r.out);
    if (hub_json_parse(s, strlen(s), &j, NULL) != KK_OK)
        fail_msg("not JSON: %.300s", s);
    return j;
}

static int64_t answer_id(struct world *w)
{
    struct hub_json *j = answer(w);
    int64_t id = 0;
    assert_int_equal(hub_jv_i64(hub_jv_get(hub_json_root(j), "id"), &id),
                     KK_OK);
    hub_json_free(j);
    return id;
}

static int64_t new_assessment(struct world *w)
{
    struct hub_req *r = trainer(
        w, "{\"kind\":\"baseline\",\"held_on\":\"2026-01-10\"}", 1000, 0);
    assert_int_equal(hub_assess_h_create(r), KK_OK);
    assert_int_equal(r->status, 201);
    return answer_id(w);
}

/* --- the sheet's expansion --- */

static struct hub_assess_subject subject(const char *type, int64_t id, int kind,
                                         int64_t created, int64_t archived)
{
    struct hub_assess_subject s;
    memset(&s, 0, sizeof s);
    s.type = type;
    s.id = id;
    s.kind = kind;
    s.created = created;
    s.archived = archived;
    return s;
}

static bool listed(const struct hub_assess_pair *p, size_t n, size_t subject,
                   const char *control)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i].subject == subject && strcmp(p[i].ctl->id, control) == 0)
            return true;
    }
    return false;
}

static void the_sheet_asks_each_subject_the_controls_about_it(void **state)
{
    const struct hub_catalogue *cat = hub_catalogue_builtin();
    struct hub_assess_subject s[] = {
        subject("outlet", 1, 0, 0, 0),
        subject("person", 2, 0, 0, 0),
        subject("account", 3, HUB_PF_EMAIL, 0, 0),
        subject("account", 4, HUB_PF_FB_PAGE, 0, 0),
        subject("device", 5, HUB_DEV_PHONE, 0, 0),
        subject("device", 6, HUB_DEV_LAPTOP, 0, 0),
        subject("device", 7, HUB_DEV_ROUTER, 0, 0),
        subject("website", 8, 0, 0, 0),
        subject("person", 9, 0, 0, 50),   /* archived before t */
        subject("person", 10, 0, 200, 0), /* created after t */
    };
    size_t ns = sizeof s / sizeof s[0], n = 0, want = 0;
    struct hub_assess_pair *p = NULL;
    (void)state;
    assert_int_equal(hub_assess_expand(cat, s, ns, 0, 100, &p, &n), KK_OK);
    /* The count, worked out independently from the catalogue: one line
     * per control for the outlet, the live person and the website; the
     * mailbox gets the e-mail controls, the Page the Page's and the
     * organisational accounts' ones; the phone DEV-16 and DEV-17, the
     * router DEV-18, the laptop every other device control. */
    for (size_t c = 0; c < hub_catalogue_len(cat); c++) {
        const struct hub_control *k = hub_catalogue_at(cat, c);
        const char *id = k->id;
        if (strcmp(k->applies, "outlet") == 0 ||
            strcmp(k->applies, "person") == 0 ||
            strcmp(k->applies, "website") == 0)
            want++;
        if (strcmp(id, "ACC-01") == 0 || strcmp(id, "ACC-02") == 0)
            want++;
        if (strcmp(id, "ACC-06") == 0 || strcmp(id, "ACC-08") == 0 ||
            strcmp(id, "ACC-16") == 0)
            want++;
        if (strcmp(id, "DEV-16") == 0 || strcmp(id, "DEV-17") == 0)
            want++;
        if (strcmp(id, "DEV-18") == 0)
            want++;
        if (strcmp(k->applies, "device") == 0 && strcmp(id, "DEV-16") != 0 &&
            strcmp(id, "DEV-18") != 0)
            want++;
    }
    assert_int_equal(n, want);
    assert_true(listed(p, n, 2, "ACC-01"));
    assert_false(listed(p, n, 2, "ACC-04"));
    assert_true(listed(p, n, 3, "ACC-06"));
    assert_false(listed(p, n, 3, "ACC-01"));
    assert_true(listed(p, n, 4, "DEV-16"));
    assert_false(listed(p, n, 4, "DEV-06"));
    assert_true(listed(p, n, 5, "DEV-06"));
    assert_false(listed(p, n, 5, "DEV-16"));
    assert_true(listed(p, n, 6, "DEV-18"));
    assert_true(listed(p, n, 7, "WEB-01"));
    assert_true(listed(p, n, 1, "ACC-14"));
    assert_false(listed(p, n, 8, "ACC-14"));
    assert_false(listed(p, n, 9, "ACC-14"));
    /* Each subject's lines: baseline controls before advanced ones. */
    for (size_t i = 1; i < n; i++) {
        if (p[i].subject == p[i - 1].subject)
            assert_false(strcmp(p[i - 1].ctl->level, "advanced") == 0 &&
                         strcmp(p[i].ctl->level, "baseline") == 0);
        else
            assert_true(p[i].subject > p[i - 1].subject);
    }
    free(p);
    /* One area only. */
    assert_int_equal(
        hub_assess_expand(cat, s, ns, HUB_AREA_DEVICES, 100, &p, &n), KK_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(p[i].ctl->area, HUB_AREA_DEVICES);
    assert_true(n > 0);
    free(p);
    assert_int_equal(hub_assess_expand(NULL, s, ns, 0, 100, &p, &n),
                     KK_ERR_INVAL);
}

/* --- results: validation --- */

static int parse(const char *json, size_t *n, size_t *bad)
{
    struct hub_json *j = NULL;
    struct hub_assess_result *v = NULL;
    const char *why = NULL;
    int err;
    assert_int_equal(hub_json_parse(json, strlen(json), &j, NULL), KK_OK);
    err = hub_assess_results_parse(j, &v, n, bad, &why);
    if (err == KK_OK)
        assert_null(why);
    else
        assert_non_null(why);
    free(v);
    hub_json_free(j);
    return err;
}

static void results_are_checked_before_anything_is_written(void **state)
{
    static const char *const bad[] = {
        "{}",
        "{\"results\":[]}",
        "{\"results\":{}}",
        "{\"results\":[1]}",
        "{\"results\":[{\"control_id\":\"NOPE-1\",\"subject_type\":"
        "\"person\",\"subject_id\":1,\"status\":\"pass\"}]}",
        "{\"results\":[{\"control_id\":\"ACC-14\",\"subject_type\":"
        "\"planet\",\"subject_id\":1,\"status\":\"pass\"}]}",
        "{\"results\":[{\"control_id\":\"ACC-14\",\"subject_type\":"
        "\"device\",\"subject_id\":1,\"status\":\"pass\"}]}",
        "{\"results\":[{\"control_id\":\"ACC-14\",\"subject_type\":"
        "\"person\",\"subject_id\":0,\"status\":\"pass\"}]}",
        "{\"results\":[{\"control_id\":\"ACC-14\",\"subject_type\":"
        "\"person\",\"subject_id\":\"1\",\"status\":\"pass\"}]}",
        "{\"results\":[{\"control_id\":\"ACC-14\",\"subject_type\":"
        "\"person\",\"subject_id\":1,\"status\":\"unknown\"}]}",
        "{\"results\":[{\"control_id\":\"ACC-14\",\"subject_type\":"
        "\"person\",\"subject_id\":1,\"status\":\"pass\",\"note\":\"a\\u0001"
        "b\"}]}",
        "{\"results\":[{\"control_id\":\"ACC-14\",\"subject_type\":"
        "\"person\",\"subject_id\":1,\"status\":\"pass\",\"note\":7}]}",
    };
    size_t n = 0, at = 0;
    char big[64 * 1024];
    size_t len;
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parse(bad[i], &n, &at) != KK_ERR_INVAL)
            fail_msg("accepted: %s", bad[i]);
    }
    /* The bad one's index is named. */
    assert_int_equal(
        parse("{\"results\":[{\"control_id\":\"ACC-14\",\"subject_type\":"
              "\"person\",\"subject_id\":1,\"status\":\"pass\"},{\"control_"
              "id\":\"ACC-14\",\"subject_type\":\"person\",\"subject_id\":1,"
              "\"status\":\"maybe\"}]}",
              &n, &at),
        KK_ERR_INVAL);
    assert_int_equal(at, 1);
    /* A note of 1001 bytes is too long; 1000 is fine. */
    for (int k = 0; k < 2; k++) {
        char note[1002];
        memset(note, 'x', sizeof note);
        note[k == 0 ? 1001 : 1000] = '\0';
        snprintf(big, sizeof big,
                 "{\"results\":[{\"control_id\":\"ACC-14\",\"subject_type\":"
                 "\"person\",\"subject_id\":1,\"status\":\"na\",\"note\":"
                 "\"%s\",\"extra\":true}]}",
                 note);
        assert_int_equal(parse(big, &n, &at), k == 0 ? KK_ERR_INVAL : KK_OK);
    }
    /* At most 500 results. */
    for (int k = 0; k < 2; k++) {
        size_t count = k == 0 ? 501 : 500;
        len = (size_t)snprintf(big, sizeof big, "{\"results\":[");
        for (size_t i = 0; i < count; i++)
            len += (size_t)snprintf(big + len, sizeof big - len,
                                    "%s{\"control_id\":\"PHY-01\","
                                    "\"subject_type\":\"outlet\","
                                    "\"subject_id\":9,\"status\":\"fail\"}",
                                    i > 0 ? "," : "");
        snprintf(big + len, sizeof big - len, "]}");
        assert_int_equal(parse(big, &n, &at), k == 0 ? KK_ERR_INVAL : KK_OK);
    }
    assert_int_equal(n, 500);
}

static void results_are_all_or_nothing_and_only_about_the_outlet(void **state)
{
    struct world *w = *state;
    int64_t a = new_assessment(w);
    int64_t before =
        hub_test_count(w->h.raw, "SELECT count(*) FROM observations");
    struct hub_req *r;
    /* The second result is about outlet B's account: nothing is written
     * and the answer is "not found". */
    r = trainer(w,
                "{\"results\":[{\"control_id\":\"ACC-01\",\"subject_type\":"
                "\"account\",\"subject_id\":1003,\"status\":\"fail\"},"
                "{\"control_id\":\"ACC-01\",\"subject_type\":\"account\","
                "\"subject_id\":2003,\"status\":\"pass\"}]}",
                1000, a);
    assert_int_equal(hub_assess_h_results(r), KK_ERR_NOTFOUND);
    assert_int_equal(
        hub_test_count(w->h.raw, "SELECT count(*) FROM observations"), before);
    /* A control that does not apply to the subject (a Facebook control on
     * a mailbox): 400, nothing written. */
    r = trainer(w,
                "{\"results\":[{\"control_id\":\"ACC-04\",\"subject_type\":"
                "\"account\",\"subject_id\":1003,\"status\":\"fail\"}]}",
                1000, a);
    assert_int_equal(hub_assess_h_results(r), KK_OK);
    assert_int_equal(r->status, 400);
    assert_int_equal(
        hub_test_count(w->h.raw, "SELECT count(*) FROM observations"), before);
    /* Good results are written with the assessment's id. */
    r = trainer(w,
                "{\"results\":[{\"control_id\":\"ACC-01\",\"subject_type\":"
                "\"account\",\"subject_id\":1003,\"status\":\"fail\","
                "\"note\":\"SMS only\"},{\"control_id\":\"PHY-01\","
                "\"subject_type\":\"outlet\",\"subject_id\":1000,\"status\":"
                "\"pass\"}]}",
                1000, a);
    assert_int_equal(hub_assess_h_results(r), KK_OK);
    assert_int_equal(r->status, 201);
    assert_int_equal(hub_test_count(w->h.raw,
                                    "SELECT count(*) FROM observations "
                                    "WHERE assessment_id IS NOT NULL AND "
                                    "outlet_id = 1000"),
                     2);
    /* Another outlet's assessment is not found, like a missing one. */
    r = trainer(w, NULL, 2000, a);
    assert_int_equal(hub_assess_h_show(r), KK_ERR_NOTFOUND);
    r = as(w, w->focal_a, HUB_ROLE_FOCAL, NULL, 1000, a);
    assert_int_equal(hub_assess_h_show(r), KK_OK);
    {
        struct hub_json *j = answer(w);
        int64_t observed = 0;
        assert_int_equal(
            hub_jv_i64(hub_jv_get(hub_json_root(j), "observed"), &observed),
            KK_OK);
        assert_int_equal(observed, 2);
        assert_int_equal(hub_jv_len(hub_jv_get(hub_json_root(j), "results")),
                         2);
        hub_json_free(j);
    }
}

static void failed_controls_become_findings_once(void **state)
{
    struct world *w = *state;
    int64_t a = new_assessment(w), made = 0;
    struct hub_req *r;
    struct hub_json *j;
    r = trainer(w,
                "{\"results\":[{\"control_id\":\"ACC-01\",\"subject_type\":"
                "\"account\",\"subject_id\":1003,\"status\":\"fail\"},"
                "{\"control_id\":\"ACC-14\",\"subject_type\":\"person\","
                "\"subject_id\":1001,\"status\":\"fail\"},{\"control_id\":"
                "\"ACC-14\",\"subject_type\":\"person\",\"subject_id\":1011,"
                "\"status\":\"fail\"},{\"control_id\":\"PHY-01\","
                "\"subject_type\":\"outlet\",\"subject_id\":1000,\"status\":"
                "\"pass\"}]}",
                1000, a);
    assert_int_equal(hub_assess_h_results(r), KK_OK);
    r = trainer(w, NULL, 1000, a);
    assert_int_equal(hub_assess_h_findings(r), KK_OK);
    assert_int_equal(r->status, 201);
    j = answer(w);
    assert_int_equal(hub_jv_i64(hub_jv_get(hub_json_root(j), "created"), &made),
                     KK_OK);
    assert_int_equal(made, 2);
    hub_json_free(j);
    r = trainer(w, NULL, 1000, a);
    assert_int_equal(hub_assess_h_findings(r), KK_OK);
    assert_int_equal(r->status, 200);
    j = answer(w);
    assert_int_equal(hub_jv_i64(hub_jv_get(hub_json_root(j), "created"), &made),
                     KK_OK);
    assert_int_equal(made, 0);
    hub_json_free(j);
    assert_int_equal(hub_test_count(w->h.raw,
                                    "SELECT count(*) FROM findings WHERE "
                                    "assessment_id IS NOT NULL"),
                     2);
    assert_int_equal(hub_test_count(w->h.raw,
                                    "SELECT count(*) FROM findings WHERE "
                                    "controls IN ('ACC-01', 'ACC-14') "
                                    "AND status = 'open'"),
                     2);
    /* A partial later in the same assessment does not undo the finding,
     * and a new fail of another control adds just that one. */
    r = trainer(w,
                "{\"results\":[{\"control_id\":\"PHY-02\",\"subject_type\":"
                "\"outlet\",\"subject_id\":1000,\"status\":\"fail\"}]}",
                1000, a);
    assert_int_equal(hub_assess_h_results(r), KK_OK);
    r = trainer(w, NULL, 1000, a);
    assert_int_equal(hub_assess_h_findings(r), KK_OK);
    assert_int_equal(hub_test_count(w->h.raw, "SELECT count(*) FROM findings"),
                     3);
}

static void a_task_owner_must_be_a_person_of_the_outlet(void **state)
{
    struct world *w = *state;
    struct hub_req *r;
    int64_t before = hub_test_count(w->h.raw, "SELECT count(*) FROM tasks");
    r = trainer(w,
                "{\"title\":\"Turn on 2FA\",\"owner\":2001,\"due\":"
                "\"2026-02-01\"}",
                1000, 0);
    assert_int_equal(hub_assess_h_task_create(r), KK_ERR_NOTFOUND);
    r = trainer(w,
                "{\"title\":\"Turn on 2FA\",\"owner\":987654321,\"due\":"
                "\"2026-02-01\"}",
                1000, 0);
    assert_int_equal(hub_assess_h_task_create(r), KK_ERR_NOTFOUND);
    assert_int_equal(hub_test_count(w->h.raw, "SELECT count(*) FROM tasks"),
                     before);
    r = trainer(w, "{\"title\":\"Turn on 2FA\",\"due\":\"2026-13-01\"}", 1000,
                0);
    assert_int_equal(hub_assess_h_task_create(r), KK_OK);
    assert_int_equal(r->status, 400);
    r = trainer(w,
                "{\"title\":\"Turn on 2FA\",\"owner\":1011,\"due\":"
                "\"2026-02-01\"}",
                1000, 0);
    assert_int_equal(hub_assess_h_task_create(r), KK_OK);
    assert_int_equal(r->status, 201);
    assert_int_equal(hub_test_count(w->h.raw,
                                    "SELECT count(*) FROM tasks WHERE "
                                    "owner_id = 1011 AND outlet_id = 1000"),
                     1);
}

static void the_focal_point_changes_only_the_status_of_a_task(void **state)
{
    struct world *w = *state;
    struct hub_req *r;
    int64_t id;
    r = trainer(w,
                "{\"title\":\"Back up the laptops\",\"owner\":1001,\"due\":"
                "\"2026-03-01\"}",
                1000, 0);
    assert_int_equal(hub_assess_h_task_create(r), KK_OK);
    id = answer_id(w);
    r = as(w, w->focal_a, HUB_ROLE_FOCAL,
           "{\"title\":\"Renamed\",\"owner\":1011,\"due\":\"2030-01-01\","
           "\"status\":\"done\"}",
           1000, id);
    assert_int_equal(hub_assess_h_task_update(r), KK_OK);
    assert_int_equal(r->status, 200);
    assert_int_equal(hub_test_count(w->h.raw,
                                    "SELECT count(*) FROM tasks WHERE "
                                    "title = 'Back up the laptops' AND "
                                    "owner_id = 1001 AND due = "
                                    "'2026-03-01' AND status = 'done' AND "
                                    "done_at IS NOT NULL"),
                     1);
}

static void overdue_tasks_come_first(void **state)
{
    struct world *w = *state;
    struct hub_req *r;
    struct hub_json *j;
    const struct hub_jv *list;
    bool overdue = false;
    hub_test_exec(
        w->h.raw,
        "INSERT INTO tasks (id, outlet_id, title, due, status, "
        "created_at) VALUES (5001, 1000, 'later', '2999-01-01', 'open', "
        "0), (5002, 1000, 'late', '2000-01-01', 'open', 0), (5003, "
        "1000, 'finished', '1999-01-01', 'done', 0), (5004, 2000, "
        "'not ours', '1999-01-01', 'open', 0)");
    r = trainer(w, NULL, 1000, 0);
    assert_int_equal(hub_assess_h_tasks(r), KK_OK);
    j = answer(w);
    list = hub_jv_get(hub_json_root(j), "tasks");
    assert_int_equal(hub_jv_len(list), 3);
    assert_string_equal(hub_jv_str(hub_jv_get(hub_jv_at(list, 0), "title")),
                        "late");
    assert_int_equal(
        hub_jv_bool(hub_jv_get(hub_jv_at(list, 0), "overdue"), &overdue),
        KK_OK);
    assert_true(overdue);
    assert_string_equal(hub_jv_str(hub_jv_get(hub_jv_at(list, 1), "title")),
                        "later");
    assert_string_equal(hub_jv_str(hub_jv_get(hub_jv_at(list, 2), "title")),
                        "finished");
    hub_json_free(j);
}

/* True if any file of dir holds needle. */
static bool files_hold(const char *dir, const char *needle)
{
    DIR *dp = opendir(dir);
    struct dirent *e;
    bool found = false;
    size_t nl = strlen(needle);
    while (dp != NULL && !found && (e = readdir(dp)) != NULL) {
        char p[512];
        FILE *fp;
        char *buf;
        long len;
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        fp = fopen(p, "rb");
        if (fp == NULL)
            continue;
        fseek(fp, 0, SEEK_END);
        len = ftell(fp);
        fseek(fp, 0, SEEK_SET);
        buf = malloc(len > 0 ? (size_t)len : 1);
        if (buf != NULL && len > 0 &&
            fread(buf, 1, (size_t)len, fp) == (size_t)len) {
            for (long i = 0; i + (long)nl <= len && !found; i++)
                found = memcmp(buf + i, needle, nl) == 0;
        }
        free(buf);
        fclose(fp);
    }
    if (dp != NULL)
        closedir(dp);
    return found;
}

static void sealed_text_is_not_in_the_database_files(void **state)
{
    struct world *w = *state;
    struct hub_req *r;
    struct hub_json *j;
    int64_t a = new_assessment(w), risk, finding;
    r = trainer(w,
                "{\"adversary\":\"Hired hackers\",\"capability\":4,"
                "\"likelihood\":3,\"impact\":5,\"work\":\"Zqwork the "
                "investigations desk\",\"notes\":\"Zqnotes a known "
                "crew\"}",
                1000, 0);
    assert_int_equal(hub_assess_h_risk_create(r), KK_OK);
    assert_int_equal(r->status, 201);
    risk = answer_id(w);
    r = trainer(w,
                "{\"title\":\"Zqtitle the page has an ex-admin\","
                "\"controls\":[\"acc-06\",\"ACC-16\"],\"impact\":5}",
                1000, 0);
    assert_int_equal(hub_assess_h_finding_create(r), KK_OK);
    assert_int_equal(r->status, 201);
    finding = answer_id(w);
    r = trainer(w, "{\"summary\":\"Zqsummary weak everywhere\"}", 1000, a);
    assert_int_equal(hub_assess_h_close(r), KK_OK);
    assert_int_equal(r->status, 200);
    /* Read back through the handlers: opened. */
    r = trainer(w, NULL, 1000, risk);
    assert_int_equal(hub_assess_h_risk(r), KK_OK);
    j = answer(w);
    assert_string_equal(hub_jv_str(hub_jv_get(hub_json_root(j), "work")),
                        "Zqwork the investigations desk");
    assert_string_equal(hub_jv_str(hub_jv_get(hub_json_root(j), "class")),
                        "high");
    hub_json_free(j);
    r = trainer(w, NULL, 1000, finding);
    assert_int_equal(hub_assess_h_finding(r), KK_OK);
    j = answer(w);
    assert_string_equal(hub_jv_str(hub_jv_get(hub_json_root(j), "title")),
                        "Zqtitle the page has an ex-admin");
    assert_string_equal(
        hub_jv_str(hub_jv_at(hub_jv_get(hub_json_root(j), "controls"), 0)),
        "ACC-06");
    hub_json_free(j);
    r = trainer(w, NULL, 1000, a);
    assert_int_equal(hub_assess_h_show(r), KK_OK);
    j = answer(w);
    assert_string_equal(hub_jv_str(hub_jv_get(hub_json_root(j), "summary")),
                        "Zqsummary weak everywhere");
    assert_string_equal(hub_jv_str(hub_jv_get(hub_json_root(j), "status")),
                        "closed");
    hub_json_free(j);
    /* The raw bytes of the database, its WAL and everything beside them. */
    hub_test_exec(w->h.raw, "PRAGMA wal_checkpoint(PASSIVE)");
    assert_false(files_hold(w->h.dir, "Zqwork"));
    assert_false(files_hold(w->h.dir, "Zqnotes"));
    assert_false(files_hold(w->h.dir, "Zqtitle"));
    assert_false(files_hold(w->h.dir, "Zqsummary"));
    /* The clear columns are there (the check can find text). */
    assert_true(files_hold(w->h.dir, "Hired hackers"));
    /* A closed assessment takes no more results. */
    r = trainer(w,
                "{\"results\":[{\"control_id\":\"PHY-01\",\"subject_type\":"
                "\"outlet\",\"subject_id\":1000,\"status\":\"pass\"}]}",
                1000, a);
    assert_int_equal(hub_assess_h_results(r), KK_OK);
    assert_int_equal(r->status, 409);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_sheet_asks_each_subject_the_controls_about_it),
        cmocka_unit_test(results_are_checked_before_anything_is_written),
        cmocka_unit_test_setup_teardown(
            results_are_all_or_nothing_and_only_about_the_outlet, setup,
            teardown),
        cmocka_unit_test_setup_teardown(failed_controls_become_findings_once,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_task_owner_must_be_a_person_of_the_outlet, setup, teardown),
        cmocka_unit_test_setup_teardown(
            the_focal_point_changes_only_the_status_of_a_task, setup, teardown),
        cmocka_unit_test_setup_teardown(overdue_tasks_come_first, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            sealed_text_is_not_in_the_database_files, setup, teardown),
    };
    struct kk_diag d = {.msg = ""};
    if (hub_i18n_init(&d) != KK_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
