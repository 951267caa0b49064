/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_selection.c - the selection workflow (selection*.c): the criteria
 * parser, receipt codes, slugs, the ranking against scores worked out by
 * hand, the retention purge, and the handlers as the routes run them -
 * limits of the public form, the robot trap, the throttle, closed calls,
 * conflicts of interest, the seats limit, selection with its outlet,
 * login and invitation, and the receipt check that shows an applicant
 * their own application only.
 *
 * Requests are built by hand (no HTTP server), the way the dispatcher
 * fills them: the route's handler is found in hub_routes_selection by its
 * method and pattern.  KALKAN_HUB_NOW fixes the clock.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth.h"
#include "hub_test.h"
#include "i18n.h"
#include "kalkan/hub.h"
#include "model.h"
#include "selection.h"

#define NOW_TEXT "2026-11-29T10:00:00Z"
#define CALL 1100
#define SHUT 1200 /* a call past its last day */
#define DONE 1300 /* a decided call */

struct world {
    char dir[64];
    char path[128];
    struct hub_db *db;
    struct hub_conn *conn;
    sqlite3 *raw;
    int64_t trainer, panel, panel2, now;
    struct hub_req r;
    struct hub_form *form;
    struct hub_json *json;
};

static void exec_raw(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err);
}

static int64_t count_of(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    int64_t n = -1;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    struct kk_diag d = {.msg = ""};
    assert_non_null(w);
    setenv("KALKAN_HUB_NOW", NOW_TEXT, 1);
    assert_int_equal(kk_parse_time(NOW_TEXT, &w->now), KK_OK);
    assert_int_equal(hub_i18n_init(&d), KK_OK);
    assert_true(
        hub_test_dir("sel", w->dir, sizeof w->dir, w->path, sizeof w->path));
    assert_int_equal(hub_db_open(w->path, &w->db, &d), KK_OK);
    assert_int_equal(hub_conn_get(w->db, &w->conn), KK_OK);
    assert_int_equal(sqlite3_open(w->path, &w->raw), SQLITE_OK);
    sqlite3_busy_timeout(w->raw, 5000);
    assert_int_equal(hub_user_add(w->db, "trainer@example.org", "trainer", NULL,
                                  "a long password", NULL, 0, &w->trainer, &d),
                     KK_OK);
    assert_int_equal(hub_user_add(w->db, "panel@example.org", "panel", NULL,
                                  "a long password", NULL, 0, &w->panel, &d),
                     KK_OK);
    assert_int_equal(hub_user_add(w->db, "panel2@example.org", "panel", NULL,
                                  "a long password", NULL, 0, &w->panel2, &d),
                     KK_OK);
    /* An open call (weights 60 and 40, two seats), one past its last
     * day, one decided. */
    exec_raw(w->raw,
             "INSERT INTO calls (id, title, seats, opens, closes, "
             "retention_days, status, created_at) VALUES "
             "(1100, 'Open call', 2, '2026-11-01', '2026-12-31', 30, 'open', "
             "0), (1200, 'Past call', 5, '2026-01-01', '2026-11-28', 30, "
             "'open', 0), (1300, 'Decided call', 5, '', '', 30, 'decided', "
             "0);"
             "INSERT INTO call_criteria (call_id, pos, name, weight) VALUES "
             "(1100, 1, 'Reporting', 60), (1100, 2, 'Threats', 40), "
             "(1200, 1, 'Reporting', 1), (1300, 1, 'Reporting', 1);");
    w->r.db = w->conn;
    snprintf(w->r.ip, sizeof w->r.ip, "%s", "192.0.2.7");
    w->r.out = kk_buf_new(4 << 20);
    assert_non_null(w->r.out);
    assert_int_equal(hub_form_parse("", 0, &w->r.query, NULL), KK_OK);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    for (size_t i = 0; i < w->r.n_hdr; i++) {
        free(w->r.hdr_name[i]);
        free(w->r.hdr_value[i]);
    }
    hub_form_free(w->form);
    hub_json_free(w->json);
    hub_form_free(w->r.query);
    kk_buf_free(w->r.out);
    sqlite3_close(w->raw);
    hub_db_close(w->db);
    hub_test_dir_remove(w->dir);
    unsetenv("KALKAN_HUB_NOW");
    free(w);
    return 0;
}

/* Runs the route (method, pattern) on path as user uid (0: anonymous)
 * with a JSON body (api) or a form; answers the HTTP status, with the
 * body in w->r.out. */
static int run(struct world *w, int method, const char *pattern,
               const char *path, int64_t p0, int64_t p1, int64_t uid, int role,
               const char *body)
{
    const struct hub_route *rt = hub_routes_selection;
    bool api = strncmp(pattern, "/api/", 5) == 0;
    int err;
    while (rt->pattern != NULL &&
           (rt->method != method || strcmp(rt->pattern, pattern) != 0))
        rt++;
    if (rt->pattern == NULL)
        fail_msg("no route %s", pattern);
    hub_form_free(w->form);
    hub_json_free(w->json);
    w->form = NULL;
    w->json = NULL;
    if (api && body != NULL)
        assert_int_equal(hub_json_parse(body, strlen(body), &w->json, NULL),
                         KK_OK);
    assert_int_equal(hub_form_parse(!api && body != NULL ? body : "",
                                    !api && body != NULL ? strlen(body) : 0,
                                    &w->form, NULL),
                     KK_OK);
    for (size_t i = 0; i < w->r.n_hdr; i++) {
        free(w->r.hdr_name[i]);
        free(w->r.hdr_value[i]);
    }
    w->r.n_hdr = 0;
    kk_buf_reset(w->r.out);
    w->r.err = KK_OK;
    w->r.status = 200;
    w->r.ctype = NULL;
    w->r.path = path;
    w->r.method = method;
    w->r.api = api;
    w->r.form = w->form;
    w->r.json = w->json;
    w->r.param[0] = p0;
    w->r.param[1] = p1;
    w->r.n_params = p1 != 0 ? 2 : p0 != 0 ? 1 : 0;
    memset(&w->r.who, 0, sizeof w->r.who);
    w->r.who.user_id = uid;
    w->r.who.role = role;
    err = rt->fn(&w->r);
    hub_tx_rollback(w->conn); /* as the dispatcher does */
    if (err != KK_OK && w->r.status < 400)
        hub_fail_err(&w->r, err, NULL);
    assert_int_equal(w->r.err, KK_OK);
    return w->r.status;
}

static const char *out(const struct world *w)
{
    return kk_buf_str(w->r.out);
}

/* A valid application to the open call, with a name and an address. */
static int apply(struct world *w, const char *name, const char *extra)
{
    char body[1024], host[64];
    snprintf(host, sizeof host, "%s", name);
    for (char *p = host; *p != '\0'; p++) {
        if (*p == ' ')
            *p = '-';
    }
    snprintf(body, sizeof body,
             "{\"outlet_name\":\"%s\",\"contact_email\":\"x@%s.example\","
             "\"media\":\"radio\",\"staff_count\":7,\"answers\":{"
             "\"Reporting\":\"We report on courts.\",\"Threats\":\"Pages "
             "blocked.\"}%s}",
             name, host, extra != NULL ? extra : "");
    return run(w, HUB_POST, "/api/v1/calls/{id}/applications",
               "/api/v1/calls/1100/applications", CALL, 0, 0, 0, body);
}

/* The receipt in the last answer ({"receipt":"..."}). */
static void receipt_of(const struct world *w, char *code, size_t cap)
{
    const char *p = strstr(out(w), "\"receipt\":\"");
    assert_non_null(p);
    p += 11;
    snprintf(code, cap, "%.*s", (int)strcspn(p, "\""), p);
}

/* --- the criteria --- */

static void criteria_lines_parse_with_their_weights(void **state)
{
    struct sel_criterion c[SEL_CRITERIA_MAX];
    const char *why = NULL;
    size_t n = 0;
    (void)state;
    assert_int_equal(sel_criteria_parse("  Reporting : 60\r\n\n"
                                        "Time: with colon: 40\n",
                                        c, SEL_CRITERIA_MAX, &n, &why),
                     KK_OK);
    assert_int_equal(n, 2);
    assert_string_equal(c[0].name, "Reporting");
    assert_int_equal(c[0].weight, 60);
    assert_string_equal(c[1].name, "Time: with colon");
    assert_int_equal(c[1].weight, 40);
}

static void bad_criteria_are_refused_with_a_reason(void **state)
{
    static const char *const bad[] = {
        "",
        "   \n\n",
        "No weight",
        "Zero: 0",
        "Too heavy: 101",
        "Minus: -5",
        "Fraction: 2.5",
        "Twice: 10\nTwice: 20",
        ": 10",
        "Control\x01char: 5",
        "a1: 1\na2: 1\na3: 1\na4: 1\na5: 1\na6: 1\na7: 1\na8: 1\na9: 1\n"
        "a10: 1\na11: 1",
        "A name that is far too long to be the name of one single criterion "
        "in a call for applications: 5",
    };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct sel_criterion c[SEL_CRITERIA_MAX];
        const char *why = NULL;
        size_t n = 99;
        if (sel_criteria_parse(bad[i], c, SEL_CRITERIA_MAX, &n, &why) !=
            KK_ERR_INVAL)
            fail_msg("accepted: %s", bad[i]);
        assert_non_null(why);
        assert_int_equal(n, 99);
    }
}

/* --- receipts and slugs --- */

static void receipts_are_five_groups_of_crockford_base32(void **state)
{
    char seen[64][SEL_RECEIPT_TEXT];
    (void)state;
    for (size_t i = 0; i < 64; i++) {
        char *c = seen[i];
        sel_receipt_new(c);
        assert_int_equal(strlen(c), 24);
        for (size_t k = 0; k < 24; k++) {
            if (k % 5 == 4)
                assert_int_equal(c[k], '-');
            else
                assert_non_null(
                    strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ", c[k]));
        }
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(seen[j], c);
    }
}

static void a_receipt_typed_loosely_hashes_like_the_original(void **state)
{
    uint8_t a[32], b[32];
    (void)state;
    assert_int_equal(sel_receipt_hash("0A1B-2C3D-4E5F-6G7H-8J9K", a), KK_OK);
    assert_int_equal(sel_receipt_hash(" oa1b 2c3d-4e5f6g7h 8j9k ", b), KK_OK);
    assert_memory_equal(a, b, 32);
    assert_int_equal(sel_receipt_hash("0AiB-2C3D-4E5F-6G7H-8J9K", b), KK_OK);
    assert_memory_equal(a, b, 32);
    assert_int_equal(sel_receipt_hash("0ALB-2C3D-4E5F-6G7H-8J9K", b), KK_OK);
    assert_memory_equal(a, b, 32);
    /* Another code, a short one, a long one, a letter not in the
     * alphabet: refused or different. */
    assert_int_equal(sel_receipt_hash("0A1B-2C3D-4E5F-6G7H-8J9M", b), KK_OK);
    assert_memory_not_equal(a, b, 32);
    assert_int_equal(sel_receipt_hash("0A1B-2C3D-4E5F-6G7H-8J9", b),
                     KK_ERR_INVAL);
    assert_int_equal(sel_receipt_hash("0A1B-2C3D-4E5F-6G7H-8J9K0", b),
                     KK_ERR_INVAL);
    assert_int_equal(sel_receipt_hash("0A1B-2C3D-4E5F-6G7H-8J9U", b),
                     KK_ERR_INVAL);
    assert_int_equal(sel_receipt_hash("", b), KK_ERR_INVAL);
    assert_int_equal(sel_receipt_hash(NULL, b), KK_ERR_INVAL);
}

static void slugs_are_latin_and_never_empty(void **state)
{
    static const char *const cases[][2] = {
        {"Chynar News", "chynar-news"},
        {"Көл Толкун ТВ", "kol-tolkun-tv"},
        {"Радио «Азаттык»", "radio-azattyk"},
        {"Köl Radio", "kol-radio"},
        {"Çağlayan Haber", "caglayan-haber"},
        {"Жаңылыктар 24/7", "zhangylyktar-24-7"},
        {"!!!", "outlet"},
        {"", "outlet"},
        {"中文", "outlet"},
        {"A very long name of a newspaper that goes on and on and on",
         "a-very-long-name-of-a-newspaper-that"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char s[40];
        sel_slug_from_name(cases[i][0], s, sizeof s);
        assert_string_equal(s, cases[i][1]);
    }
}

/* --- the ranking --- */

static void ranking_weights_criteria_means_and_drops_conflicts(void **state)
{
    struct world *w = *state;
    struct sel_ranked *v = NULL;
    size_t n = 0;
    /* A: reviewers 9/6 and 7/8 -> means 8 and 7 -> (60*8+40*7)/10 = 76.
     * B: 10/10 by the panel, who then declared a conflict (excluded), and
     *    5/5 by panel2 -> 50.  C: 5/5 -> 50, submitted before B.
     * D: no review -> last.  E: declined but kept; F: past retention. */
    exec_raw(w->raw,
             "INSERT INTO applications (id, call_id, receipt_hash, "
             "outlet_name, contact_email, answers, status, submitted_at, "
             "purge_after) VALUES "
             "(1, 1100, X'01', 'A', 'a@x', '{}', 'submitted', 10, NULL),"
             "(2, 1100, X'02', 'B', 'b@x', '{}', 'submitted', 30, NULL),"
             "(3, 1100, X'03', 'C', 'c@x', '{}', 'submitted', 20, NULL),"
             "(4, 1100, X'04', 'D', 'd@x', '{}', 'submitted', 5, NULL),"
             "(5, 1100, X'05', 'E', 'e@x', '{}', 'declined', 6, 1900000000),"
             "(6, 1100, X'06', 'F', 'f@x', '{}', 'declined', 7, 1000);");
    {
        char sql[1024];
        snprintf(sql, sizeof sql,
                 "INSERT INTO application_scores (application_id, "
                 "reviewer_id, criterion, score, scored_at) VALUES "
                 "(1, %lld, 'Reporting', 9, 0), (1, %lld, 'Threats', 6, 0),"
                 "(1, %lld, 'Reporting', 7, 0), (1, %lld, 'Threats', 8, 0),"
                 "(2, %lld, 'Reporting', 10, 0), (2, %lld, 'Threats', 10, 0),"
                 "(2, %lld, 'Reporting', 5, 0), (2, %lld, 'Threats', 5, 0),"
                 "(3, %lld, 'Reporting', 5, 0), (3, %lld, 'Threats', 5, 0),"
                 "(5, %lld, 'Reporting', 1, 0), (5, %lld, 'Threats', 1, 0);"
                 "INSERT INTO application_conflicts (application_id, "
                 "reviewer_id, declared_at) VALUES (2, %lld, 0);",
                 (long long)w->panel, (long long)w->panel, (long long)w->panel2,
                 (long long)w->panel2, (long long)w->panel, (long long)w->panel,
                 (long long)w->panel2, (long long)w->panel2,
                 (long long)w->trainer, (long long)w->trainer,
                 (long long)w->trainer, (long long)w->trainer,
                 (long long)w->panel);
        exec_raw(w->raw, sql);
    }
    assert_int_equal(sel_rank(w->conn, CALL, w->now, &v, &n), KK_OK);
    assert_int_equal(n, 5);
    assert_int_equal(v[0].id, 1);
    assert_true(v[0].scored);
    assert_true(v[0].score > 75.999 && v[0].score < 76.001);
    assert_int_equal(v[0].reviews, 2);
    assert_int_equal(v[1].id, 3); /* 50, earlier than B */
    assert_true(v[1].score > 49.999 && v[1].score < 50.001);
    assert_int_equal(v[2].id, 2);
    assert_true(v[2].score > 49.999 && v[2].score < 50.001);
    assert_int_equal(v[2].reviews, 1);
    assert_int_equal(v[2].conflicts, 1);
    assert_int_equal(v[3].id, 5);
    assert_true(v[3].score > 9.999 && v[3].score < 10.001);
    assert_int_equal(v[4].id, 4);
    assert_false(v[4].scored);
    free(v);
}

/* --- retention --- */

static void
the_purge_deletes_unselected_applications_past_retention(void **state)
{
    struct world *w = *state;
    int64_t gone = -1;
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO applications (id, call_id, receipt_hash, "
             "outlet_name, contact_email, answers, status, submitted_at, "
             "purge_after) VALUES "
             "(11, 1100, X'11', 'Old', 'o@x', '{}', 'declined', 1, 100),"
             "(12, 1100, X'12', 'Later', 'l@x', '{}', 'declined', 1, "
             "1900000000),"
             "(13, 1100, X'13', 'Chosen', 'c@x', '{}', 'selected', 1, 100),"
             "(14, 1100, X'14', 'Waiting', 'w@x', '{}', 'submitted', 1, "
             "NULL);"
             "INSERT INTO application_scores (application_id, reviewer_id, "
             "criterion, score, scored_at) VALUES (11, %lld, 'Reporting', 3, "
             "0), (12, %lld, 'Reporting', 3, 0);"
             "INSERT INTO application_conflicts (application_id, "
             "reviewer_id, declared_at) VALUES (11, %lld, 0);",
             (long long)w->panel, (long long)w->panel, (long long)w->panel2);
    exec_raw(w->raw, sql);
    assert_int_equal(hub_selection_purge(w->conn, w->now, &gone), KK_OK);
    assert_int_equal(gone, 1);
    assert_int_equal(count_of(w->raw, "SELECT count(*) FROM applications "
                                      "WHERE id IN (12, 13, 14)"),
                     3);
    assert_int_equal(
        count_of(w->raw, "SELECT count(*) FROM applications WHERE id = 11"), 0);
    assert_int_equal(count_of(w->raw, "SELECT count(*) FROM "
                                      "application_scores WHERE "
                                      "application_id = 11"),
                     0);
    assert_int_equal(count_of(w->raw, "SELECT count(*) FROM "
                                      "application_conflicts"),
                     0);
    assert_int_equal(count_of(w->raw, "SELECT count(*) FROM "
                                      "application_scores"),
                     1);
    /* Run again: nothing left to delete. */
    assert_int_equal(hub_selection_purge(w->conn, w->now, &gone), KK_OK);
    assert_int_equal(gone, 0);
}

/* --- the public form --- */

static void
an_application_gets_a_receipt_and_only_its_hash_is_stored(void **state)
{
    struct world *w = *state;
    char code[64], sql[256];
    uint8_t h[32];
    sqlite3_stmt *st;
    assert_int_equal(apply(w, "Alpha", NULL), 201);
    receipt_of(w, code, sizeof code);
    assert_int_equal(strlen(code), 24);
    assert_int_equal(sel_receipt_hash(code, h), KK_OK);
    assert_int_equal(sqlite3_prepare_v2(w->raw,
                                        "SELECT count(*) FROM applications "
                                        "WHERE receipt_hash = ?1 AND "
                                        "outlet_name = 'Alpha' AND media = "
                                        "'radio' AND staff_count = 7 AND "
                                        "status = 'submitted'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM applications WHERE instr(answers, '%s') "
             "OR instr(outlet_name, '%s')",
             code, code);
    assert_int_equal(count_of(w->raw, sql), 0);
    /* The answers are kept as an object keyed by criterion. */
    assert_int_equal(count_of(w->raw, "SELECT count(*) FROM applications "
                                      "WHERE json_extract(answers, "
                                      "'$.Threats') = 'Pages blocked.'"),
                     1);
}

static void the_form_refuses_what_is_out_of_bounds(void **state)
{
    struct world *w = *state;
    static const char *const bad[] = {
        /* unknown criterion, missing answer, not text, empty */
        "{\"outlet_name\":\"X\",\"contact_email\":\"x@y.example\","
        "\"answers\":{\"Reporting\":\"a\",\"Threats\":\"b\",\"Other\":\"c\"}}",
        "{\"outlet_name\":\"X\",\"contact_email\":\"x@y.example\","
        "\"answers\":{\"Reporting\":\"a\"}}",
        "{\"outlet_name\":\"X\",\"contact_email\":\"x@y.example\","
        "\"answers\":{\"Reporting\":\"a\",\"Threats\":5}}",
        "{\"outlet_name\":\"X\",\"contact_email\":\"x@y.example\","
        "\"answers\":{\"Reporting\":\"a\",\"Threats\":\"\"}}",
        "{\"outlet_name\":\"X\",\"contact_email\":\"x@y.example\","
        "\"answers\":[\"a\",\"b\"]}",
        "{\"outlet_name\":\"X\",\"contact_email\":\"x@y.example\"}",
        /* fields */
        "{\"contact_email\":\"x@y.example\",\"answers\":{\"Reporting\":\"a\","
        "\"Threats\":\"b\"}}",
        "{\"outlet_name\":\"X\",\"contact_email\":\"not an address\","
        "\"answers\":{\"Reporting\":\"a\",\"Threats\":\"b\"}}",
        "{\"outlet_name\":\"X\",\"contact_email\":\"x@y.example\","
        "\"staff_count\":10001,\"answers\":{\"Reporting\":\"a\","
        "\"Threats\":\"b\"}}",
        "{\"outlet_name\":\"X\",\"contact_email\":\"x@y.example\","
        "\"staff_count\":-1,\"answers\":{\"Reporting\":\"a\","
        "\"Threats\":\"b\"}}",
        "{\"outlet_name\":\"X\",\"contact_email\":\"x@y.example\","
        "\"media\":\"blog\",\"answers\":{\"Reporting\":\"a\","
        "\"Threats\":\"b\"}}",
        "{\"outlet_name\":\"X\\u0007\",\"contact_email\":\"x@y.example\","
        "\"answers\":{\"Reporting\":\"a\",\"Threats\":\"b\"}}",
    };
    char *big = malloc(SEL_ANSWER_MAX + 200), *name = malloc(400);
    assert_non_null(big);
    assert_non_null(name);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int st = run(w, HUB_POST, "/api/v1/calls/{id}/applications",
                     "/api/v1/calls/1100/applications", CALL, 0, 0, 0, bad[i]);
        if (st != 400)
            fail_msg("HTTP %d for %s", st, bad[i]);
        assert_non_null(strstr(out(w), "\"invalid\""));
    }
    /* One byte over: the answer, the name. */
    memset(big, 'a', SEL_ANSWER_MAX + 1);
    big[SEL_ANSWER_MAX + 1] = '\0';
    {
        size_t cap = SEL_ANSWER_MAX + 300;
        char *body = malloc(cap);
        assert_non_null(body);
        snprintf(body, cap,
                 "{\"outlet_name\":\"X\",\"contact_email\":\"x@y.example\","
                 "\"answers\":{\"Reporting\":\"%s\",\"Threats\":\"b\"}}",
                 big);
        assert_int_equal(run(w, HUB_POST, "/api/v1/calls/{id}/applications",
                             "/api/v1/calls/1100/applications", CALL, 0, 0, 0,
                             body),
                         400);
        big[SEL_ANSWER_MAX] = '\0'; /* exactly the limit is fine */
        snprintf(body, cap,
                 "{\"outlet_name\":\"X\",\"contact_email\":\"x@y.example\","
                 "\"answers\":{\"Reporting\":\"%s\",\"Threats\":\"b\"}}",
                 big);
        assert_int_equal(run(w, HUB_POST, "/api/v1/calls/{id}/applications",
                             "/api/v1/calls/1100/applications", CALL, 0, 0, 0,
                             body),
                         201);
        memset(name, 'n', 201);
        name[201] = '\0';
        snprintf(body, cap,
                 "{\"outlet_name\":\"%s\",\"contact_email\":\"x@y.example\","
                 "\"answers\":{\"Reporting\":\"a\",\"Threats\":\"b\"}}",
                 name);
        assert_int_equal(run(w, HUB_POST, "/api/v1/calls/{id}/applications",
                             "/api/v1/calls/1100/applications", CALL, 0, 0, 0,
                             body),
                         400);
        free(body);
    }
    /* The page's form without its double-submit token is refused. */
    assert_int_equal(run(w, HUB_POST, "/apply/{id}", "/apply/1100", CALL, 0, 0,
                         0, "outlet_name=X&contact_email=x%40y.example"),
                     403);
    assert_int_equal(count_of(w->raw, "SELECT count(*) FROM applications"), 1);
    free(big);
    free(name);
}

static void the_robot_trap_answers_like_success_and_stores_nothing(void **state)
{
    struct world *w = *state;
    char code[64];
    size_t len;
    assert_int_equal(apply(w, "Robot", ",\"website\":\"http://spam.example\""),
                     201);
    receipt_of(w, code, sizeof code);
    len = kk_buf_len(w->r.out);
    assert_int_equal(strlen(code), 24);
    assert_int_equal(count_of(w->raw, "SELECT count(*) FROM applications"), 0);
    /* The same shape as a real answer. */
    assert_int_equal(apply(w, "Human", NULL), 201);
    assert_int_equal(kk_buf_len(w->r.out), len);
    assert_int_equal(count_of(w->raw, "SELECT count(*) FROM applications"), 1);
    /* Its receipt leads nowhere. */
    {
        char body[128];
        snprintf(body, sizeof body, "{\"receipt\":\"%s\"}", code);
        assert_int_equal(run(w, HUB_POST, "/api/v1/applications/status",
                             "/api/v1/applications/status", 0, 0, 0, 0, body),
                         404);
    }
}

static void the_sixth_application_in_an_hour_is_throttled(void **state)
{
    struct world *w = *state;
    char name[16];
    for (int i = 0; i < SEL_APPLY_PER_HOUR; i++) {
        snprintf(name, sizeof name, "Outlet%d", i);
        assert_int_equal(apply(w, name, NULL), 201);
    }
    assert_int_equal(apply(w, "Sixth", NULL), 429);
    assert_non_null(strstr(out(w), "\"throttled\""));
    assert_int_equal(apply(w, "Robot", ",\"website\":\"x\""), 429);
    assert_int_equal(count_of(w->raw, "SELECT count(*) FROM applications"),
                     SEL_APPLY_PER_HOUR);
    /* Another address has its own budget; an hour later this one too. */
    snprintf(w->r.ip, sizeof w->r.ip, "%s", "198.51.100.1");
    exec_raw(w->raw, "UPDATE throttle SET last_fail = last_fail - 3601");
    assert_int_equal(apply(w, "Later", NULL), 201);
}

static void a_closed_call_refuses_applications(void **state)
{
    struct world *w = *state;
    const char *body =
        "{\"outlet_name\":\"X\",\"contact_email\":\"x@y.example\","
        "\"answers\":{\"Reporting\":\"a\"}}";
    assert_int_equal(run(w, HUB_POST, "/api/v1/calls/{id}/applications",
                         "/api/v1/calls/1200/applications", SHUT, 0, 0, 0,
                         body),
                     409);
    assert_non_null(strstr(out(w), "\"closed\""));
    assert_int_equal(run(w, HUB_POST, "/api/v1/calls/{id}/applications",
                         "/api/v1/calls/1300/applications", DONE, 0, 0, 0,
                         body),
                     409);
    assert_int_equal(run(w, HUB_POST, "/api/v1/calls/{id}/applications",
                         "/api/v1/calls/999/applications", 999, 0, 0, 0, body),
                     404);
    /* The page says so, with no form. */
    assert_int_equal(
        run(w, HUB_GET, "/apply/{id}", "/apply/1200", SHUT, 0, 0, 0, NULL),
        200);
    assert_null(strstr(out(w), "<form method=\"post\" action=\"/apply"));
    assert_non_null(strstr(out(w), "no longer takes applications"));
    assert_int_equal(count_of(w->raw, "SELECT count(*) FROM applications"), 0);
}

static void a_receipt_shows_its_own_application_only(void **state)
{
    struct world *w = *state;
    char x[64], y[64], body[128];
    assert_int_equal(apply(w, "Xray", NULL), 201);
    receipt_of(w, x, sizeof x);
    assert_int_equal(apply(w, "Yankee", NULL), 201);
    receipt_of(w, y, sizeof y);
    snprintf(body, sizeof body, "{\"receipt\":\"%s\"}", x);
    assert_int_equal(run(w, HUB_POST, "/api/v1/applications/status",
                         "/api/v1/applications/status", 0, 0, 0, 0, body),
                     200);
    assert_non_null(strstr(out(w), "\"outlet_name\":\"Xray\""));
    assert_non_null(strstr(out(w), "\"status\":\"submitted\""));
    assert_non_null(strstr(out(w), "\"call\":\"Open call\""));
    assert_null(strstr(out(w), "Yankee"));
    assert_null(strstr(out(w), "x@"));
    /* Declined and past its retention: like a code that never was. */
    exec_raw(w->raw, "UPDATE applications SET status = 'declined', "
                     "purge_after = 100 WHERE outlet_name = 'Xray'");
    assert_int_equal(run(w, HUB_POST, "/api/v1/applications/status",
                         "/api/v1/applications/status", 0, 0, 0, 0, body),
                     404);
    {
        char gone[4096];
        snprintf(gone, sizeof gone, "%s", out(w));
        assert_int_equal(run(w, HUB_POST, "/api/v1/applications/status",
                             "/api/v1/applications/status", 0, 0, 0, 0,
                             "{\"receipt\":\"0000-0000-0000-0000-0000\"}"),
                         404);
        assert_string_equal(out(w), gone);
    }
    snprintf(body, sizeof body, "{\"receipt\":\"%s\"}", y);
    exec_raw(w->raw, "UPDATE applications SET status = 'declined', "
                     "purge_after = 1900000000 WHERE outlet_name = 'Yankee'");
    assert_int_equal(run(w, HUB_POST, "/api/v1/applications/status",
                         "/api/v1/applications/status", 0, 0, 0, 0, body),
                     200);
    assert_non_null(strstr(out(w), "\"status\":\"not_selected\""));
}

/* --- reviews and decisions --- */

static int64_t app_id(struct world *w, const char *name)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT id FROM applications WHERE outlet_name = '%s'", name);
    return count_of(w->raw, sql);
}

static int score(struct world *w, int64_t app, int64_t uid, const char *body)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/calls/1100/applications/%lld/scores",
             (long long)app);
    return run(w, HUB_POST, "/api/v1/calls/{id}/applications/{id}/scores", path,
               CALL, app, uid, HUB_ROLE_PANEL, body);
}

static void a_declared_conflict_drops_scores_and_bars_scoring(void **state)
{
    struct world *w = *state;
    const char *good = "{\"scores\":{\"Reporting\":9,\"Threats\":\"8\"},"
                       "\"note\":\"fine\"}";
    int64_t a;
    char path[96];
    assert_int_equal(apply(w, "Alpha", NULL), 201);
    a = app_id(w, "Alpha");
    /* Every criterion, 0..10, no other key. */
    assert_int_equal(score(w, a, w->panel, "{\"scores\":{\"Reporting\":9}}"),
                     400);
    assert_int_equal(
        score(w, a, w->panel, "{\"scores\":{\"Reporting\":9,\"Threats\":11}}"),
        400);
    assert_int_equal(
        score(w, a, w->panel,
              "{\"scores\":{\"Reporting\":9,\"Threats\":1,\"X\":1}}"),
        400);
    assert_int_equal(score(w, a, w->panel, good), 200);
    assert_non_null(strstr(out(w), "\"score\":86.00"));
    assert_int_equal(
        score(w, a, w->panel2, "{\"scores\":{\"Reporting\":5,\"Threats\":5}}"),
        200);
    assert_non_null(strstr(out(w), "\"score\":68.00"));
    assert_int_equal(count_of(w->raw, "SELECT count(*) FROM "
                                      "application_scores"),
                     4);
    snprintf(path, sizeof path, "/api/v1/calls/1100/applications/%lld/conflict",
             (long long)a);
    assert_int_equal(
        run(w, HUB_POST, "/api/v1/calls/{id}/applications/{id}/conflict", path,
            CALL, a, w->panel, HUB_ROLE_PANEL, "{\"note\":\"my cousin\"}"),
        200);
    assert_non_null(strstr(out(w), "\"my_conflict\":true"));
    assert_non_null(strstr(out(w), "\"score\":50.00"));
    assert_non_null(strstr(out(w), "\"conflicts\":1"));
    {
        char sql[160];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM application_scores WHERE "
                 "reviewer_id = %lld",
                 (long long)w->panel);
        assert_int_equal(count_of(w->raw, sql), 0);
    }
    assert_int_equal(score(w, a, w->panel, good), 409);
    assert_non_null(strstr(out(w), "\"conflict\""));
    assert_int_equal(count_of(w->raw, "SELECT count(*) FROM "
                                      "application_scores"),
                     2);
    /* Panel members see their own scores only; the trainer sees all. */
    snprintf(path, sizeof path, "/api/v1/calls/1100/applications/%lld",
             (long long)a);
    assert_int_equal(run(w, HUB_GET, "/api/v1/calls/{id}/applications/{id}",
                         path, CALL, a, w->panel2, HUB_ROLE_PANEL, NULL),
                     200);
    assert_null(strstr(out(w), "\"reviewers\""));
    assert_null(strstr(out(w), "my cousin"));
    assert_int_equal(run(w, HUB_GET, "/api/v1/calls/{id}/applications/{id}",
                         path, CALL, a, w->trainer, HUB_ROLE_TRAINER, NULL),
                     200);
    assert_non_null(strstr(out(w), "\"reviewers\""));
    assert_non_null(strstr(out(w), "my cousin"));
    /* An application of another call is not found. */
    snprintf(path, sizeof path, "/api/v1/calls/1200/applications/%lld",
             (long long)a);
    assert_int_equal(run(w, HUB_GET, "/api/v1/calls/{id}/applications/{id}",
                         path, SHUT, a, w->trainer, HUB_ROLE_TRAINER, NULL),
                     404);
}

static int select_app(struct world *w, int64_t app, const char *body)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/calls/1100/applications/%lld/select",
             (long long)app);
    return run(w, HUB_POST, "/api/v1/calls/{id}/applications/{id}/select", path,
               CALL, app, w->trainer, HUB_ROLE_TRAINER,
               body != NULL ? body : "{}");
}

static void
selecting_creates_the_outlet_its_focal_point_and_an_invite(void **state)
{
    struct world *w = *state;
    int64_t a;
    const char *p;
    char secret[80], sql[512];
    uint8_t h[32];
    sqlite3_stmt *st;
    assert_int_equal(apply(w, "Köl Radio", NULL), 201);
    a = app_id(w, "Köl Radio");
    assert_int_equal(select_app(w, a, NULL), 201);
    p = strstr(out(w), "/invite?t=");
    assert_non_null(p);
    snprintf(secret, sizeof secret, "%.*s", (int)strcspn(p + 10, "\""), p + 10);
    assert_int_equal(strlen(secret), 43); /* 256 bits, base64url */
    assert_non_null(strstr(out(w), "\"slug\":\"kol-radio\""));
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM outlets o JOIN applications a ON "
             "a.outlet_id = o.id WHERE a.id = %lld AND a.status = "
             "'selected' AND o.slug = 'kol-radio' AND o.name = 'Köl Radio' "
             "AND o.media = 'radio' AND o.staff_count = 7 AND o.status = "
             "'onboarding' AND a.purge_after IS NULL",
             (long long)a);
    assert_int_equal(count_of(w->raw, sql), 1);
    assert_int_equal(count_of(w->raw,
                              "SELECT count(*) FROM users u JOIN "
                              "user_outlets uo ON uo.user_id = u.id JOIN "
                              "outlets o ON o.id = uo.outlet_id WHERE "
                              "u.email = 'x@Köl-Radio.example' AND u.role = "
                              "'focal' AND o.slug = 'kol-radio' AND "
                              "u.totp_sealed IS NULL AND u.pw_hash LIKE "
                              "'$argon2id$%'"),
                     1);
    /* Only the hash of the link's secret, valid 14 days, unused. */
    hub_hash(secret, strlen(secret), h);
    assert_int_equal(sqlite3_prepare_v2(w->raw,
                                        "SELECT expires_at - created_at, "
                                        "used_at IS NULL FROM invites WHERE "
                                        "hash = ?1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(st, 0), 14 * 86400);
    assert_int_equal(sqlite3_column_int(st, 1), 1);
    sqlite3_finalize(st);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM invites WHERE instr(hash, '%s')", secret);
    assert_int_equal(count_of(w->raw, sql), 0);
    /* Audited, with ids only. */
    assert_int_equal(count_of(w->raw, "SELECT count(*) FROM audit WHERE "
                                      "action IN ('select', 'create', "
                                      "'invite') AND detail NOT LIKE '%Köl%'"),
                     3);
    /* Selected once only; a name that is taken gets a new slug. */
    assert_int_equal(select_app(w, a, NULL), 409);
    assert_int_equal(apply(w, "Köl Radio", NULL), 201);
    assert_int_equal(
        select_app(w,
                   count_of(w->raw, "SELECT id FROM applications WHERE "
                                    "status = 'submitted'"),
                   "{\"focal_email\":\"second@example.org\"}"),
        201);
    assert_non_null(strstr(out(w), "\"slug\":\"kol-radio-2\""));
}

static void selecting_more_than_the_seats_is_refused(void **state)
{
    struct world *w = *state;
    int64_t before;
    assert_int_equal(apply(w, "One", NULL), 201);
    assert_int_equal(apply(w, "Two", NULL), 201);
    assert_int_equal(apply(w, "Three", NULL), 201);
    assert_int_equal(select_app(w, app_id(w, "One"), NULL), 201);
    /* A focal e-mail that already has a login is refused, nothing made. */
    before = count_of(w->raw, "SELECT count(*) FROM outlets");
    assert_int_equal(select_app(w, app_id(w, "Two"),
                                "{\"focal_email\":\"panel@example.org\"}"),
                     409);
    assert_non_null(strstr(out(w), "\"exists\""));
    assert_int_equal(count_of(w->raw, "SELECT count(*) FROM outlets"), before);
    assert_int_equal(select_app(w, app_id(w, "Two"), NULL), 201);
    before = count_of(w->raw, "SELECT count(*) FROM outlets");
    assert_int_equal(select_app(w, app_id(w, "Three"), NULL), 409);
    assert_non_null(strstr(out(w), "\"seats\""));
    assert_int_equal(count_of(w->raw, "SELECT count(*) FROM outlets"), before);
    assert_int_equal(count_of(w->raw, "SELECT count(*) FROM applications "
                                      "WHERE outlet_name = 'Three' AND "
                                      "status = 'submitted'"),
                     1);
}

static void closing_declines_the_rest_and_starts_their_retention(void **state)
{
    struct world *w = *state;
    int64_t gone = 0;
    assert_int_equal(apply(w, "Kept", NULL), 201);
    assert_int_equal(apply(w, "Rest", NULL), 201);
    assert_int_equal(select_app(w, app_id(w, "Kept"), NULL), 201);
    assert_int_equal(run(w, HUB_POST, "/api/v1/calls/{id}/close",
                         "/api/v1/calls/1100/close", CALL, 0, w->trainer,
                         HUB_ROLE_TRAINER, "{}"),
                     200);
    assert_non_null(strstr(out(w), "\"status\":\"decided\""));
    {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM applications WHERE outlet_name = "
                 "'Rest' AND status = 'declined' AND decided_at = %lld AND "
                 "purge_after = %lld",
                 (long long)w->now, (long long)(w->now + 30 * 86400));
        assert_int_equal(count_of(w->raw, sql), 1);
    }
    assert_int_equal(run(w, HUB_POST, "/api/v1/calls/{id}/close",
                         "/api/v1/calls/1100/close", CALL, 0, w->trainer,
                         HUB_ROLE_TRAINER, "{}"),
                     409);
    assert_int_equal(apply(w, "Late", NULL), 409);
    /* A day before the end of retention nothing goes; a day after, the
     * declined one does. */
    assert_int_equal(hub_selection_purge(w->conn, w->now + 29 * 86400, &gone),
                     KK_OK);
    assert_int_equal(gone, 0);
    assert_int_equal(hub_selection_purge(w->conn, w->now + 31 * 86400, &gone),
                     KK_OK);
    assert_int_equal(gone, 1);
    assert_int_equal(count_of(w->raw, "SELECT count(*) FROM applications"), 1);
}

static void a_call_is_created_from_lines_and_refused_when_wrong(void **state)
{
    struct world *w = *state;
    assert_int_equal(
        run(w, HUB_POST, "/api/v1/calls", "/api/v1/calls", 0, 0, w->trainer,
            HUB_ROLE_TRAINER,
            "{\"title\":\"New\",\"seats\":3,\"criteria\":[{\"name\":\"A\","
            "\"weight\":70},{\"name\":\"B\",\"weight\":\"30\"}]}"),
        201);
    assert_non_null(strstr(out(w), "\"retention_days\":90"));
    assert_non_null(strstr(out(w), "{\"name\":\"B\",\"weight\":30}"));
    assert_int_equal(
        run(w, HUB_POST, "/api/v1/calls", "/api/v1/calls", 0, 0, w->trainer,
            HUB_ROLE_TRAINER,
            "{\"title\":\"Bad\",\"criteria\":[{\"name\":\"A\",\"weight\":0}]}"),
        400);
    assert_int_equal(run(w, HUB_POST, "/api/v1/calls", "/api/v1/calls", 0, 0,
                         w->trainer, HUB_ROLE_TRAINER,
                         "{\"title\":\"Bad\",\"opens\":\"2026-12-02\","
                         "\"closes\":\"2026-12-01\",\"criteria\":[{\"name\":"
                         "\"A\",\"weight\":1}]}"),
                     400);
    assert_non_null(strstr(out(w), "closes:"));
    /* The form takes lines; a wrong line shows the form again. */
    assert_int_equal(run(w, HUB_POST, "/calls", "/calls", 0, 0, w->trainer,
                         HUB_ROLE_TRAINER,
                         "title=Form+call&seats=5&retention_days=60&criteria="
                         "Reporting%3A+2%0D%0AThreats%3A+3"),
                     303);
    assert_int_equal(count_of(w->raw, "SELECT count(*) FROM calls c JOIN "
                                      "call_criteria k ON k.call_id = c.id "
                                      "WHERE c.title = 'Form call' AND "
                                      "c.retention_days = 60"),
                     2);
    assert_int_equal(run(w, HUB_POST, "/calls", "/calls", 0, 0, w->trainer,
                         HUB_ROLE_TRAINER,
                         "title=Wrong&criteria=no+weight+here"),
                     400);
    assert_non_null(strstr(out(w), "no weight here"));
    assert_non_null(strstr(out(w), "aria-invalid"));
    assert_int_equal(count_of(w->raw, "SELECT count(*) FROM calls WHERE "
                                      "title IN ('Bad', 'Wrong')"),
                     0);
}

static void an_invitation_link_is_checked_before_anything(void **state)
{
    struct world *w = *state;
    const char *p;
    char secret[80], url[128], body[256];
    assert_int_equal(apply(w, "Invited", NULL), 201);
    assert_int_equal(select_app(w, app_id(w, "Invited"), NULL), 201);
    p = strstr(out(w), "/invite?t=");
    assert_non_null(p);
    snprintf(secret, sizeof secret, "%.*s", (int)strcspn(p + 10, "\""), p + 10);
    snprintf(url, sizeof url, "t=%s", secret);
    hub_form_free(w->r.query);
    assert_int_equal(hub_form_parse(url, strlen(url), &w->r.query, NULL),
                     KK_OK);
    assert_int_equal(run(w, HUB_GET, "/invite", "/invite", 0, 0, 0, 0, NULL),
                     200);
    assert_non_null(strstr(out(w), "x@Invited.example"));
    /* Without the double-submit token (no cookie here) nothing happens. */
    snprintf(body, sizeof body,
             "t=%s&pre=x&password=a+long+password+2&password2=a+long+"
             "password+2",
             secret);
    assert_int_equal(run(w, HUB_POST, "/invite", "/invite", 0, 0, 0, 0, body),
                     403);
    assert_int_equal(count_of(w->raw, "SELECT count(*) FROM invites WHERE "
                                      "used_at IS NULL"),
                     1);
    /* A wrong link answers like a used or expired one. */
    hub_form_free(w->r.query);
    assert_int_equal(
        hub_form_parse("t=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 44,
                       &w->r.query, NULL),
        KK_OK);
    assert_int_equal(run(w, HUB_GET, "/invite", "/invite", 0, 0, 0, 0, NULL),
                     404);
    {
        char wrong[8192];
        snprintf(wrong, sizeof wrong, "%s", out(w));
        exec_raw(w->raw, "UPDATE invites SET expires_at = 100");
        hub_form_free(w->r.query);
        assert_int_equal(hub_form_parse(url, strlen(url), &w->r.query, NULL),
                         KK_OK);
        assert_int_equal(
            run(w, HUB_GET, "/invite", "/invite", 0, 0, 0, 0, NULL), 404);
        assert_string_equal(out(w), wrong);
    }
    hub_form_free(w->r.query);
    assert_int_equal(hub_form_parse("", 0, &w->r.query, NULL), KK_OK);
}

/* --- roles --- */

static void the_routes_admit_the_trainer_and_the_panel_only(void **state)
{
    (void)state;
    for (const struct hub_route *rt = hub_routes_selection; rt->pattern != NULL;
         rt++) {
        bool pub = (rt->flags & HUB_R_PUBLIC) != 0;
        if (strncmp(rt->pattern, "/calls", 6) != 0 &&
            strncmp(rt->pattern, "/api/v1/calls", 13) != 0)
            continue;
        if (pub) {
            /* The application form's JSON twin, nothing else. */
            assert_string_equal(rt->pattern, "/api/v1/calls/{id}/applications");
            assert_int_equal(rt->method, HUB_POST);
            continue;
        }
        for (int role = 1; role <= HUB_ROLE_COUNT; role++) {
            bool may = (rt->roles & HUB_ROLEBIT(role)) != 0;
            if (role == HUB_ROLE_TRAINER)
                assert_true(may);
            else if (role != HUB_ROLE_PANEL && may)
                fail_msg("%s admits %s", rt->pattern, hub_role_name(role));
        }
    }
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(criteria_lines_parse_with_their_weights),
        cmocka_unit_test(bad_criteria_are_refused_with_a_reason),
        cmocka_unit_test(receipts_are_five_groups_of_crockford_base32),
        cmocka_unit_test(a_receipt_typed_loosely_hashes_like_the_original),
        cmocka_unit_test(slugs_are_latin_and_never_empty),
        cmocka_unit_test(the_routes_admit_the_trainer_and_the_panel_only),
        T(ranking_weights_criteria_means_and_drops_conflicts),
        T(the_purge_deletes_unselected_applications_past_retention),
        T(an_application_gets_a_receipt_and_only_its_hash_is_stored),
        T(the_form_refuses_what_is_out_of_bounds),
        T(the_robot_trap_answers_like_success_and_stores_nothing),
        T(the_sixth_application_in_an_hour_is_throttled),
        T(a_closed_call_refuses_applications),
        T(a_receipt_shows_its_own_application_only),
        T(a_declared_conflict_drops_scores_and_bars_scoring),
        T(selecting_creates_the_outlet_its_focal_point_and_an_invite),
        T(selecting_more_than_the_seats_is_refused),
        T(closing_declines_the_rest_and_starts_their_retention),
        T(a_call_is_created_from_lines_and_refused_when_wrong),
        T(an_invitation_link_is_checked_before_anything),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
