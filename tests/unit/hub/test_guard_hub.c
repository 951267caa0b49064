/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_guard_hub.c - the log guard's reports in the hub: the strict reader
 * (a good report; each kind of bad field refused, all or nothing), the
 * address and prefix rules (table-driven), and the routes run against a
 * real database - a report stored with its events once each when sent
 * again, WEB-11 observed, the office networks in the answer, and another
 * outlet's focal point answered like a missing website.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guard_hub.h"
#include "hub_int.h"
#include "hub_test.h"
#include "model.h"
#include "programme.h"

#define NOW INT64_C(1795953600) /* 2026-11-29 12:00 UTC */
#define NOW_TEXT "2026-11-29T12:00:00Z"

#define EVENT                                                                  \
    "{\"at\":\"2026-11-29T11:50:14Z\",\"kind\":\"ban\",\"address\":"           \
    "\"192.0.2.7\",\"rule\":\"wp-login\",\"hits\":5,\"first\":"                \
    "\"2026-11-29T11:49:00Z\",\"until\":\"2026-11-29T12:50:14Z\","             \
    "\"level\":1}"
#define GOOD                                                                   \
    "{\"host\":\"web1\",\"version\":\"0.1.0\",\"started_at\":"                 \
    "\"2026-11-29T07:00:00Z\",\"sent_at\":\"2026-11-29T11:59:00Z\","           \
    "\"lines\":1200,\"matched\":34,\"tracked\":5,\"banned\":1,\"events\":"     \
    "[" EVENT ",{\"at\":1795952000,\"kind\":\"unban\",\"address\":"            \
    "\"2001:DB8:1:2:0:0:0:0/64\",\"rule\":\"ssh-auth\",\"hits\":0,"            \
    "\"first\":1795950000,\"until\":1795952000,\"level\":2}],"                 \
    "\"extra\":\"ignored\"}"

static int read_text(const char *text, struct hub_guard_report *rep,
                     const char **why)
{
    struct hub_json *j = NULL;
    int err;
    assert_int_equal(hub_json_parse(text, strlen(text), &j, NULL), KK_OK);
    err = hub_guard_report_read(hub_json_root(j), NOW, rep, why);
    hub_json_free(j);
    return err;
}

static void a_good_report_is_read_into_typed_fields(void **state)
{
    struct hub_guard_report rep;
    const char *why = NULL;
    (void)state;
    assert_int_equal(read_text(GOOD, &rep, &why), KK_OK);
    assert_null(why);
    assert_string_equal(rep.host, "web1");
    assert_string_equal(rep.version, "0.1.0");
    assert_int_equal(rep.sent_at, NOW - 60);
    assert_int_equal(rep.lines, 1200);
    assert_int_equal(rep.banned, 1);
    assert_int_equal(rep.n_events, 2);
    assert_false(rep.events[0].unban);
    assert_string_equal(rep.events[0].address, "192.0.2.7");
    assert_string_equal(rep.events[0].rule, "wp-login");
    assert_int_equal(rep.events[0].hits, 5);
    assert_int_equal(rep.events[0].until - rep.events[0].at, 3600);
    assert_true(rep.events[1].unban);
    /* Written again in one canonical text. */
    assert_string_equal(rep.events[1].address, "2001:db8:1:2::/64");
    assert_int_equal(rep.events[1].level, 2);
    hub_guard_report_clear(&rep);
    hub_guard_report_clear(&rep);
}

/* Each row: a part of GOOD and what is put in its place. */
static void each_kind_of_bad_field_refuses_the_whole_report(void **state)
{
    static const char *const cases[][2] = {
        {"\"host\":\"web1\"", "\"host\":\"web 1\""},
        {"\"host\":\"web1\"", "\"host\":\"\""},
        {"\"host\":\"web1\"", "\"host\":7"},
        {"\"version\":\"0.1.0\"", "\"version\":\"0.1.0<script>\""},
        {"\"version\":\"0.1.0\",", ""},
        {"\"lines\":1200", "\"lines\":\"1200\""},
        {"\"lines\":1200", "\"lines\":-1"},
        {"\"lines\":1200", "\"lines\":1.5"},
        {"\"banned\":1", "\"banned\":null"},
        {"\"sent_at\":\"2026-11-29T11:59:00Z\"",
         "\"sent_at\":\"2026-11-30T11:59:00Z\""},
        {"\"started_at\":\"2026-11-29T07:00:00Z\"",
         "\"started_at\":\"1999-12-31T23:59:59Z\""},
        {"\"started_at\":\"2026-11-29T07:00:00Z\"",
         "\"started_at\":\"2026-11-29T11:59:30Z\""},
        {"\"started_at\":\"2026-11-29T07:00:00Z\"", "\"started_at\":\"soon\""},
        {"\"kind\":\"ban\"", "\"kind\":\"block\""},
        {"\"address\":\"192.0.2.7\"", "\"address\":\"192.0.2.300\""},
        {"\"address\":\"192.0.2.7\"", "\"address\":\"192.0.2.7:80\""},
        {"\"address\":\"192.0.2.7\"", "\"address\":\"192.0.2.7/33\""},
        {"\"address\":\"192.0.2.7\"", "\"address\":\"192.0.2.07\""},
        {"\"address\":\"192.0.2.7\"", "\"address\":\"example.org\""},
        {"\"address\":\"192.0.2.7\"", "\"address\":\"fe80::1%eth0\""},
        {"\"rule\":\"wp-login\"", "\"rule\":\"WP-login\""},
        {"\"rule\":\"wp-login\"", "\"rule\":\"wp login\""},
        {"\"rule\":\"wp-login\"", "\"rule\":\"\""},
        {"\"rule\":\"wp-login\"",
         "\"rule\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""},
        {"\"at\":\"2026-11-29T11:50:14Z\"", "\"at\":\"2026-11-30T11:50:14Z\""},
        {"\"first\":\"2026-11-29T11:49:00Z\"",
         "\"first\":\"2026-11-29T11:51:00Z\""},
        {"\"until\":\"2026-11-29T12:50:14Z\"", "\"until\":\"2046-11-29\""},
        {"\"hits\":5", "\"hits\":-5"},
        {"\"level\":1}", "\"level\":65}"},
        {"\"events\":[", "\"events\":\"none\",\"x\":["},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[4096];
        const char *at = strstr(GOOD, cases[i][0]);
        struct hub_guard_report rep;
        const char *why = NULL;
        struct hub_json *j = NULL;
        assert_non_null(at);
        snprintf(text, sizeof text, "%.*s%s%s", (int)(at - GOOD), GOOD,
                 cases[i][1], at + strlen(cases[i][0]));
        if (hub_json_parse(text, strlen(text), &j, NULL) != KK_OK)
            fail_msg("case %zu does not parse: %s", i, text);
        if (hub_guard_report_read(hub_json_root(j), NOW, &rep, &why) !=
            KK_ERR_INVAL)
            fail_msg("case %zu was taken: %s", i, cases[i][1]);
        assert_non_null(why);
        assert_int_equal(rep.n_events, 0);
        assert_null(rep.events);
        hub_json_free(j);
        hub_guard_report_clear(&rep);
    }
}

static void more_than_a_thousand_events_are_refused(void **state)
{
    struct kk_buf *b = kk_buf_new(1 << 20);
    struct hub_guard_report rep;
    const char *why = NULL;
    (void)state;
    for (int n = 1000; n <= 1001; n++) {
        kk_buf_reset(b);
        assert_int_equal(kk_buf_puts(b, "{\"host\":\"h\",\"version\":\"1\","
                                        "\"started_at\":1795950000,"
                                        "\"sent_at\":1795950000,\"lines\":0,"
                                        "\"matched\":0,\"tracked\":0,"
                                        "\"banned\":0,\"events\":["),
                         KK_OK);
        for (int i = 0; i < n; i++)
            assert_int_equal(kk_buf_puts(b, i > 0 ? "," EVENT : EVENT), KK_OK);
        assert_int_equal(kk_buf_puts(b, "]}"), KK_OK);
        assert_int_equal(read_text(kk_buf_str(b), &rep, &why),
                         n == 1000 ? KK_OK : KK_ERR_INVAL);
        assert_int_equal(rep.n_events, n == 1000 ? 1000 : 0);
        hub_guard_report_clear(&rep);
    }
    assert_string_equal(why, "events: at most 1000 in one report.");
    kk_buf_free(b);
}

static void a_report_that_is_not_an_object_says_what_to_send(void **state)
{
    struct hub_guard_report rep;
    const char *why = NULL;
    (void)state;
    assert_int_equal(read_text("[]", &rep, &why), KK_ERR_INVAL);
    assert_string_equal(why, "Send the JSON object the guard daemon writes.");
    assert_int_equal(hub_guard_report_read(NULL, NOW, &rep, &why),
                     KK_ERR_INVAL);
}

static void prefixes_are_written_in_one_canonical_text(void **state)
{
    static const struct {
        const char *in;
        unsigned min4, min6;
        const char *out; /* NULL: refused */
    } cases[] = {
        {"192.0.2.7", 0, 0, "192.0.2.7"},
        {"192.0.2.7/32", 0, 0, "192.0.2.7"},
        {"203.0.113.77/24", 16, 32, "203.0.113.0/24"},
        {"10.0.0.0/8", 16, 32, NULL},
        {"10.1.0.0/16", 16, 32, "10.1.0.0/16"},
        {"0.0.0.0/0", 0, 0, "0.0.0.0/0"},
        {"192.0.2.7/024", 0, 0, NULL},
        {"192.0.2.7/", 0, 0, NULL},
        {"192.0.2.7/-1", 0, 0, NULL},
        {"192.0.2.7 ", 0, 0, NULL},
        {"1.2.3", 0, 0, NULL},
        {"01.2.3.4", 0, 0, NULL},
        {"2001:DB8::1", 0, 0, "2001:db8::1"},
        {"2001:db8:0:0:1:0:0:1", 0, 0, "2001:db8::1:0:0:1"},
        {"2001:db8:1:2:3:4:5:6/64", 0, 0, "2001:db8:1:2::/64"},
        {"2001:db8::/24", 16, 32, NULL},
        {"2001:db8::/32", 16, 32, "2001:db8::/32"},
        {"2001:db8::/129", 0, 0, NULL},
        {"::ffff:192.0.2.9", 0, 0, "192.0.2.9"},
        {"::ffff:192.0.2.0/120", 0, 0, "192.0.2.0/24"},
        {"::1", 0, 0, "::1"},
        {"[::1]", 0, 0, NULL},
        {"", 0, 0, NULL},
        {"/24", 0, 0, NULL},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[HUB_GUARD_ADDR_MAX];
        bool ok = hub_guard_prefix_canon(cases[i].in, cases[i].min4,
                                         cases[i].min6, out, sizeof out);
        if (ok != (cases[i].out != NULL))
            fail_msg("\"%s\": %s", cases[i].in, ok ? "taken" : "refused");
        if (ok && strcmp(out, cases[i].out) != 0)
            fail_msg("\"%s\" gave \"%s\", want \"%s\"", cases[i].in, out,
                     cases[i].out);
    }
    assert_false(hub_guard_prefix_canon(NULL, 0, 0, (char[8]){0}, 8));
    assert_true(hub_guard_rule_ok("ssh-auth"));
    assert_true(hub_guard_rule_ok("a"));
    assert_false(hub_guard_rule_ok("ssh_auth"));
    assert_false(hub_guard_rule_ok(NULL));
}

/* --- the routes against a database --- */

struct world {
    struct hub_test_db t;
    int64_t focal_a, focal_b, device_a;
    struct hub_req r;
    struct hub_form *form, *query;
    struct hub_json *json;
    char bare[256];
};

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    struct kk_diag d = {.msg = ""};
    assert_non_null(w);
    setenv("KALKAN_HUB_NOW", NOW_TEXT, 1);
    hub_test_db_open(&w->t, "guardhub",
                     "INSERT INTO websites (id, outlet_id, url, created_at) "
                     "VALUES (1004, 1000, 'https://news.example', 0), (2004, "
                     "2000, 'https://other.example', 0);"
                     "INSERT INTO guard_networks (id, outlet_id, prefix, "
                     "label, created_at) VALUES (1020, 1000, "
                     "'203.0.113.0/24', 'Office', 0), (2020, 2000, "
                     "'198.51.100.0/24', 'B office', 0);",
                     &w->focal_a);
    assert_int_equal(hub_user_add(w->t.db, "server@a.example", "device", "a",
                                  "a long password", NULL, 0, &w->device_a, &d),
                     KK_OK);
    w->focal_b = hub_test_count(w->t.raw, "SELECT id FROM users WHERE email = "
                                          "'focal@b.example'");
    w->r.db = w->t.conn;
    w->r.out = kk_buf_new(4 << 20);
    assert_non_null(w->r.out);
    *state = w;
    return 0;
}

static void req_clear(struct world *w)
{
    for (size_t i = 0; i < w->r.n_hdr; i++) {
        free(w->r.hdr_name[i]);
        free(w->r.hdr_value[i]);
    }
    w->r.n_hdr = 0;
    hub_form_free(w->form);
    hub_form_free(w->query);
    hub_json_free(w->json);
    w->form = w->query = NULL;
    w->json = NULL;
}

static int teardown(void **state)
{
    struct world *w = *state;
    req_clear(w);
    kk_buf_free(w->r.out);
    hub_test_db_close(&w->t);
    free(w);
    return 0;
}

/* Runs an API route of the guard as uid/role with a JSON body; the status
 * as the dispatcher would answer. */
static int call(struct world *w, int method, const char *path, int64_t uid,
                int role, const char *body)
{
    const struct hub_route *rt = NULL;
    int err;
    req_clear(w);
    snprintf(w->bare, sizeof w->bare, "%s", path);
    for (const struct hub_route *t = hub_routes_guard; t->pattern != NULL;
         t++) {
        const char *p = t->pattern, *s = w->bare;
        size_t n = 0;
        bool ok = t->method == method;
        while (ok && *p != '\0') {
            if (*p == '{') {
                char *end;
                long long v = strtoll(s, &end, 10);
                ok = end != s;
                if (ok)
                    w->r.param[n++] = v;
                s = end;
                p = strchr(p, '}') + 1;
            } else {
                ok = *p++ == *s++;
            }
        }
        if (ok && *s == '\0') {
            rt = t;
            w->r.n_params = n;
            break;
        }
    }
    if (rt == NULL)
        fail_msg("no route for %s", path);
    w->r.path = w->bare;
    w->r.method = method;
    w->r.api = true;
    w->r.status = 0;
    w->r.err = KK_OK;
    w->r.stage = 2;
    kk_buf_reset(w->r.out);
    memset(&w->r.who, 0, sizeof w->r.who);
    w->r.who.user_id = uid;
    w->r.who.role = role;
    w->r.who.token = role == HUB_ROLE_DEVICE;
    assert_int_equal(hub_form_parse("", 0, &w->query, NULL), KK_OK);
    assert_int_equal(hub_form_parse("", 0, &w->form, NULL), KK_OK);
    if (body != NULL)
        assert_int_equal(hub_json_parse(body, strlen(body), &w->json, NULL),
                         KK_OK);
    w->r.query = w->query;
    w->r.form = w->form;
    w->r.json = w->json;
    if (!(rt->roles & HUB_ROLEBIT(role)))
        return 404;
    err = rt->fn(&w->r);
    if (err != KK_OK && w->r.status < 400)
        hub_fail_err(&w->r, err, NULL);
    if (w->r.err != KK_OK)
        return 500;
    return w->r.status != 0 ? w->r.status : 200;
}

static bool answer_has(struct world *w, const char *s)
{
    return strstr(kk_buf_str(w->r.out), s) != NULL;
}

static void a_report_sent_twice_stores_its_events_once(void **state)
{
    struct world *w = *state;
    assert_int_equal(call(w, HUB_POST, "/api/v1/websites/1004/guard",
                          w->device_a, HUB_ROLE_DEVICE, GOOD),
                     201);
    assert_true(answer_has(w, "\"accepted\":2"));
    assert_true(answer_has(w, "\"new\":2"));
    assert_true(answer_has(w, "\"allow\":[\"203.0.113.0/24\"]"));
    assert_false(answer_has(w, "198.51.100"));
    assert_int_equal(call(w, HUB_POST, "/api/v1/websites/1004/guard",
                          w->device_a, HUB_ROLE_DEVICE, GOOD),
                     201);
    assert_true(answer_has(w, "\"accepted\":2"));
    assert_true(answer_has(w, "\"new\":0"));
    assert_int_equal(
        hub_test_count(w->t.raw, "SELECT count(*) FROM guard_events"), 2);
    assert_int_equal(
        hub_test_count(w->t.raw, "SELECT count(*) FROM guard_reports"), 2);
    assert_int_equal(hub_test_count(w->t.raw,
                                    "SELECT count(*) FROM guard_events WHERE "
                                    "outlet_id = 1000 AND website_id = 1004"),
                     2);
    /* One observation of WEB-11 within the hour, passing, for two days. */
    assert_int_equal(hub_test_count(w->t.raw,
                                    "SELECT count(*) FROM observations WHERE "
                                    "control_id = 'WEB-11' AND status = "
                                    "'pass' AND source = 'guard' AND "
                                    "subject_id = 1004 AND expires_at - "
                                    "observed_at = 172800"),
                     1);
    /* Read back. */
    assert_int_equal(call(w, HUB_GET, "/api/v1/websites/1004/guard", w->focal_a,
                          HUB_ROLE_FOCAL, NULL),
                     200);
    assert_true(answer_has(w, "\"host\":\"web1\""));
    assert_true(answer_has(w, "\"stale\":false"));
    assert_true(answer_has(w, "\"address\":\"2001:db8:1:2::/64\""));
    assert_true(answer_has(w, "{\"day\":\"2026-11-29\",\"rule\":\"wp-login\","
                              "\"bans\":1}"));
}

static void a_refused_report_stores_nothing(void **state)
{
    struct world *w = *state;
    assert_int_equal(call(w, HUB_POST, "/api/v1/websites/1004/guard",
                          w->device_a, HUB_ROLE_DEVICE,
                          "{\"host\":\"web1\",\"version\":\"1\"}"),
                     400);
    assert_true(answer_has(w, "\"code\":\"invalid\""));
    assert_int_equal(
        hub_test_count(w->t.raw, "SELECT count(*) FROM guard_reports"), 0);
    assert_int_equal(
        hub_test_count(w->t.raw, "SELECT count(*) FROM observations"), 0);
}

static void another_outlet_answers_like_a_missing_website(void **state)
{
    struct world *w = *state;
    char missing[4096];
    int s;
    assert_int_equal(call(w, HUB_POST, "/api/v1/websites/9999/guard",
                          w->focal_b, HUB_ROLE_FOCAL, GOOD),
                     404);
    snprintf(missing, sizeof missing, "%s", kk_buf_str(w->r.out));
    s = call(w, HUB_POST, "/api/v1/websites/1004/guard", w->focal_b,
             HUB_ROLE_FOCAL, GOOD);
    assert_int_equal(s, 404);
    assert_string_equal(kk_buf_str(w->r.out), missing);
    assert_int_equal(call(w, HUB_GET, "/api/v1/websites/1004/guard", w->focal_b,
                          HUB_ROLE_FOCAL, NULL),
                     404);
    assert_int_equal(call(w, HUB_GET, "/api/v1/outlets/1000/guard/networks",
                          w->focal_b, HUB_ROLE_FOCAL, NULL),
                     404);
    assert_int_equal(call(w, HUB_POST,
                          "/api/v1/outlets/1000/guard/networks/1020/delete",
                          w->focal_b, HUB_ROLE_FOCAL, "{}"),
                     404);
    /* A's focal point cannot remove B's network through A's outlet. */
    assert_int_equal(call(w, HUB_POST,
                          "/api/v1/outlets/1000/guard/networks/2020/delete",
                          w->focal_a, HUB_ROLE_FOCAL, "{}"),
                     404);
    assert_int_equal(
        hub_test_count(w->t.raw, "SELECT count(*) FROM guard_reports"), 0);
    assert_int_equal(
        hub_test_count(w->t.raw, "SELECT count(*) FROM guard_networks"), 2);
}

static void office_networks_are_checked_and_bounded(void **state)
{
    struct world *w = *state;
    char body[128];
    assert_int_equal(call(w, HUB_POST, "/api/v1/outlets/1000/guard/networks",
                          w->focal_a, HUB_ROLE_FOCAL,
                          "{\"prefix\":\"10.0.0.0/8\"}"),
                     400);
    assert_int_equal(call(w, HUB_POST, "/api/v1/outlets/1000/guard/networks",
                          w->focal_a, HUB_ROLE_FOCAL,
                          "{\"prefix\":\"203.0.113.9/24\"}"),
                     409);
    for (int i = 0; i < HUB_GUARD_NETS_MAX - 1; i++) {
        snprintf(body, sizeof body, "{\"prefix\":\"10.%d.0.0/16\"}", i);
        assert_int_equal(call(w, HUB_POST,
                              "/api/v1/outlets/1000/guard/networks", w->focal_a,
                              HUB_ROLE_FOCAL, body),
                         201);
    }
    assert_int_equal(call(w, HUB_POST, "/api/v1/outlets/1000/guard/networks",
                          w->focal_a, HUB_ROLE_FOCAL,
                          "{\"prefix\":\"10.200.0.0/16\"}"),
                     409);
    assert_true(answer_has(w, "\"code\":\"limit\""));
    assert_int_equal(hub_test_count(w->t.raw,
                                    "SELECT count(*) FROM guard_networks "
                                    "WHERE outlet_id = 1000"),
                     HUB_GUARD_NETS_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_good_report_is_read_into_typed_fields),
        cmocka_unit_test(each_kind_of_bad_field_refuses_the_whole_report),
        cmocka_unit_test(more_than_a_thousand_events_are_refused),
        cmocka_unit_test(a_report_that_is_not_an_object_says_what_to_send),
        cmocka_unit_test(prefixes_are_written_in_one_canonical_text),
        cmocka_unit_test_setup_teardown(
            a_report_sent_twice_stores_its_events_once, setup, teardown),
        cmocka_unit_test_setup_teardown(a_refused_report_stores_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            another_outlet_answers_like_a_missing_website, setup, teardown),
        cmocka_unit_test_setup_teardown(office_networks_are_checked_and_bounded,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
