/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_incident.c - incidents (lib/hub/incident.c): the clock's stamping
 * and checking rules, titles and timeline texts sealed in the database
 * file, the first response stamped once and only by a trainer or an
 * assistant, trainer-only notes kept from focal points, staff seeing only
 * what they reported, and an affected object of another outlet refused
 * like a missing one.
 *
 * Requests are built by hand and run through the area's route table, as
 * the dispatcher would run them (no HTTP server); KALKAN_HUB_NOW fixes the
 * clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "incident.h"
#include "hub_test.h"
#include "kalkan/hub.h"
#include "model.h"
#include "programme.h"

#define NOW "2026-11-28T12:00:00Z"
#define T_NOW INT64_C(1795867200)
#define HOUR INT64_C(3600)

/* --- the clock, without a database --- */

static void a_status_button_stamps_its_step_once(void **state)
{
    struct hub_incident_clock c = {.occurred = 1000, .reported = 2000};
    (void)state;
    hub_incident_stamp(&c, HUB_INC_CONTAINED, 5000);
    assert_int_equal(c.contained, 5000);
    hub_incident_stamp(&c, HUB_INC_CONTAINED, 6000); /* again: kept */
    assert_int_equal(c.contained, 5000);
    hub_incident_stamp(&c, HUB_INC_RECOVERED, 7000);
    assert_int_equal(c.contained, 5000);
    assert_int_equal(c.recovered, 7000);
    hub_incident_stamp(&c, HUB_INC_CLOSED, 8000);
    assert_int_equal(c.closed, 8000);
    assert_int_equal(c.recovered, 7000);
    /* Back to contained forgets recovery and closing. */
    hub_incident_stamp(&c, HUB_INC_CONTAINED, 9000);
    assert_int_equal(c.contained, 5000);
    assert_int_equal(c.recovered, 0);
    assert_int_equal(c.closed, 0);
    /* Recovered straight from open stamps containment too. */
    hub_incident_stamp(&c, HUB_INC_OPEN, 9500);
    assert_int_equal(c.contained, 0);
    hub_incident_stamp(&c, HUB_INC_RECOVERED, 10000);
    assert_int_equal(c.contained, 10000);
    assert_int_equal(c.recovered, 10000);
    assert_int_equal(c.first_response, 0);
    assert_int_equal(c.reported, 2000);
}

static void the_clock_check_names_the_wrong_time(void **state)
{
    static const struct {
        struct hub_incident_clock c;
        int status;
        const char *bad;
    } cases[] = {
        {{T_NOW - 10 * HOUR, T_NOW - 9 * HOUR, 0, 0, 0, 0}, HUB_INC_OPEN, NULL},
        {{T_NOW - 10 * HOUR, T_NOW - 11 * HOUR, 0, 0, 0, 0},
         HUB_INC_OPEN,
         "reported_at"},
        {{T_NOW - 10 * HOUR, T_NOW + 10 * HOUR, 0, 0, 0, 0},
         HUB_INC_OPEN,
         "reported_at"},
        {{100, 200, 0, 0, 0, 0}, HUB_INC_OPEN, "occurred_at"},
        {{0, T_NOW, 0, 0, 0, 0}, HUB_INC_OPEN, "occurred_at"},
        {{T_NOW - 10 * HOUR, T_NOW - 9 * HOUR, T_NOW - 9 * HOUR - 1, 0, 0, 0},
         HUB_INC_OPEN,
         "first_response_at"},
        {{T_NOW - 10 * HOUR, T_NOW - 9 * HOUR, 0, T_NOW - HOUR, 0, 0},
         HUB_INC_OPEN,
         "contained_at"},
        {{T_NOW - 10 * HOUR, T_NOW - 9 * HOUR, 0, T_NOW - HOUR,
          T_NOW - 2 * HOUR, 0},
         HUB_INC_RECOVERED,
         "recovered_at"},
        {{T_NOW - 10 * HOUR, T_NOW - 9 * HOUR, 0, T_NOW - HOUR, T_NOW, 0},
         HUB_INC_CONTAINED,
         "recovered_at"},
        /* A case recorded after the fact: contained before the report. */
        {{T_NOW - 10 * HOUR, T_NOW - 2 * HOUR, T_NOW - HOUR, T_NOW - 5 * HOUR,
          T_NOW - 4 * HOUR, T_NOW},
         HUB_INC_CLOSED,
         NULL},
        /* Closed without recovery (a threat that passed). */
        {{T_NOW - 10 * HOUR, T_NOW - 9 * HOUR, 0, 0, 0, T_NOW},
         HUB_INC_CLOSED,
         NULL},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *bad = NULL, *why = NULL;
        int err = hub_incident_clock_check(&cases[i].c, cases[i].status, T_NOW,
                                           &bad, &why);
        if (cases[i].bad == NULL) {
            if (err != KK_OK)
                fail_msg("case %zu refused: %s: %s", i, bad, why);
        } else {
            assert_int_equal(err, KK_ERR_INVAL);
            assert_non_null(why);
            if (bad == NULL || strcmp(bad, cases[i].bad) != 0)
                fail_msg("case %zu: names %s, not %s", i,
                         bad != NULL ? bad : "nothing", cases[i].bad);
        }
    }
}

/* --- requests through the route table --- */

struct world {
    char dir[64];
    char path[128];
    struct hub_db *db;
    struct hub_conn *conn;
    sqlite3 *raw;
    int64_t trainer, focal_a, staff_a, focal_b;
    struct hub_req r;
    struct hub_form *form, *query;
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
    setenv("KALKAN_HUB_NOW", NOW, 1);
    assert_true(
        hub_test_dir("inc", w->dir, sizeof w->dir, w->path, sizeof w->path));
    assert_int_equal(hub_db_open(w->path, &w->db, &d), KK_OK);
    assert_int_equal(hub_conn_get(w->db, &w->conn), KK_OK);
    assert_int_equal(sqlite3_open(w->path, &w->raw), SQLITE_OK);
    sqlite3_busy_timeout(w->raw, 5000);
    exec_raw(w->raw,
             "INSERT INTO outlets (id, slug, name, media, created_at) VALUES "
             "(1000, 'a', 'Outlet A', 'web', 0), (2000, 'b', 'Outlet B', "
             "'tv', 0);"
             "INSERT INTO people (id, outlet_id, name, department, email, "
             "created_at) VALUES (1001, 1000, 'Aida', 'editorial', "
             "'staff@a.example', 0), (1011, 1000, 'Bek', 'finance', '', 0), "
             "(2001, 2000, 'Other', 'tech', '', 0);"
             "INSERT INTO accounts (id, outlet_id, platform, kind, handle, "
             "person_id, created_at) VALUES (1003, 1000, 'fb_profile', "
             "'personal', 'facebook.com/aida', 1001, 0), (1013, 1000, "
             "'email', 'personal', 'bek@a.example', 1011, 0), (2003, 2000, "
             "'email', 'personal', 'other@b.example', 2001, 0);"
             "INSERT INTO devices (id, outlet_id, kind, ownership, os, "
             "custodian_id, created_at) VALUES (1002, 1000, 'phone', "
             "'personal', 'Android', 1001, 0), (2002, 2000, 'phone', "
             "'personal', 'Android', 2001, 0);"
             "INSERT INTO websites (id, outlet_id, url, created_at) VALUES "
             "(1004, 1000, 'https://a.example', 0), (2004, 2000, "
             "'https://b.example', 0);");
    assert_int_equal(hub_user_add(w->db, "trainer@x.example", "trainer", NULL,
                                  "a long password", NULL, 0, &w->trainer, &d),
                     KK_OK);
    assert_int_equal(hub_user_add(w->db, "focal@a.example", "focal", "a",
                                  "a long password", NULL, 0, &w->focal_a, &d),
                     KK_OK);
    assert_int_equal(hub_user_add(w->db, "staff@a.example", "staff", "a",
                                  "a long password", NULL, 0, &w->staff_a, &d),
                     KK_OK);
    assert_int_equal(hub_user_add(w->db, "focal@b.example", "focal", "b",
                                  "a long password", NULL, 0, &w->focal_b, &d),
                     KK_OK);
    w->r.db = w->conn;
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
    sqlite3_close(w->raw);
    hub_db_close(w->db);
    hub_test_dir_remove(w->dir);
    free(w);
    return 0;
}

/* Runs METHOD PATH (matched against the area's route table, ids filled in)
 * as user uid with role and person, with a JSON body (API routes) or a
 * form; returns the status (200 when the handler set none). */
static int call(struct world *w, int method, const char *path, int64_t uid,
                int role, int64_t person, const char *body)
{
    const struct hub_route *rt = NULL;
    const char *q = strchr(path, '?');
    char bare[256];
    int err;
    req_clear(w);
    snprintf(bare, sizeof bare, "%.*s",
             (int)(q != NULL ? (size_t)(q - path) : strlen(path)), path);
    memset(w->r.param, 0, sizeof w->r.param);
    w->r.n_params = 0;
    for (const struct hub_route *t = hub_routes_incident; t->pattern != NULL;
         t++) {
        const char *p = t->pattern, *s = bare;
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
    w->r.path = bare;
    w->r.method = method;
    w->r.api = (rt->flags & HUB_R_API) != 0;
    w->r.status = 0;
    w->r.err = KK_OK;
    kk_buf_reset(w->r.out);
    memset(&w->r.who, 0, sizeof w->r.who);
    w->r.who.user_id = uid;
    w->r.who.role = role;
    w->r.who.person_id = person;
    snprintf(w->r.who.email, sizeof w->r.who.email, "%s", "user@x.example");
    assert_int_equal(hub_form_parse(q != NULL ? q + 1 : "",
                                    q != NULL ? strlen(q + 1) : 0, &w->query,
                                    NULL),
                     KK_OK);
    if (w->r.api && body != NULL)
        assert_int_equal(hub_json_parse(body, strlen(body), &w->json, NULL),
                         KK_OK);
    assert_int_equal(
        hub_form_parse(!w->r.api && body != NULL ? body : "",
                       !w->r.api && body != NULL ? strlen(body) : 0, &w->form,
                       NULL),
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

/* The number after "key": in the last answer (the first one). */
static int64_t json_int(struct world *w, const char *key)
{
    char pat[64];
    const char *p;
    snprintf(pat, sizeof pat, "\"%s\":", key);
    p = strstr(kk_buf_str(w->r.out), pat);
    if (p == NULL)
        fail_msg("no %s in %s", key, kk_buf_str(w->r.out));
    return strtoll(p + strlen(pat), NULL, 10);
}

static bool answer_has(struct world *w, const char *s)
{
    return strstr(kk_buf_str(w->r.out), s) != NULL;
}

/* Reports an incident in outlet A as the focal point; returns its id. */
static int64_t report(struct world *w, const char *title)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"type\":\"account_hijacked\",\"title\":\"%s\","
             "\"occurred_at\":\"2026-11-28T08:00:00Z\",\"severity\":3,"
             "\"accounts\":[1003],\"people\":[\"1001\"]}",
             title);
    assert_int_equal(call(w, HUB_POST, "/api/v1/outlets/1000/incidents",
                          w->focal_a, HUB_ROLE_FOCAL, 0, body),
                     201);
    return json_int(w, "id");
}

/* The whole file (and its WAL) holds needle. */
static bool file_has(const char *path, const char *needle)
{
    char p[160];
    const char *const suffix[] = {"", "-wal"};
    bool found = false;
    for (size_t k = 0; k < 2 && !found; k++) {
        FILE *fp;
        struct kk_buf *b = kk_buf_new(64 << 20);
        snprintf(p, sizeof p, "%s%s", path, suffix[k]);
        fp = fopen(p, "rb");
        if (fp != NULL && b != NULL) {
            char chunk[65536];
            size_t n;
            while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
                assert_int_equal(kk_buf_put(b, chunk, n), KK_OK);
            found = memmem(kk_buf_data(b), kk_buf_len(b), needle,
                           strlen(needle)) != NULL;
        }
        if (fp != NULL)
            fclose(fp);
        kk_buf_free(b);
    }
    return found;
}

static void titles_and_notes_are_sealed_in_the_database_file(void **state)
{
    struct world *w = *state;
    char path[96];
    int64_t id = report(w, "Zqx editor profile taken over");
    snprintf(path, sizeof path, "/api/v1/outlets/1000/incidents/%lld/events",
             (long long)id);
    assert_int_equal(call(w, HUB_POST, path, w->trainer, HUB_ROLE_TRAINER, 0,
                          "{\"kind\":\"note\",\"text\":\"Zqx called her; the "
                          "recovery phone was changed\"}"),
                     201);
    exec_raw(w->raw, "PRAGMA wal_checkpoint(TRUNCATE)");
    assert_false(file_has(w->path, "Zqx editor profile"));
    assert_false(file_has(w->path, "Zqx called her"));
    assert_true(file_has(w->path, "account_hijacked")); /* the clear part */
    /* And the hub reads both back. */
    snprintf(path, sizeof path, "/api/v1/outlets/1000/incidents/%lld",
             (long long)id);
    assert_int_equal(
        call(w, HUB_GET, path, w->focal_a, HUB_ROLE_FOCAL, 0, NULL), 200);
    assert_true(answer_has(w, "Zqx editor profile taken over"));
    assert_true(answer_has(w, "Zqx called her; the recovery phone"));
    /* A sealed title moved to another incident does not open there. */
    exec_raw(w->raw, "INSERT INTO incidents (id, outlet_id, type, "
                     "title_sealed, occurred_at, reported_at, created_at) "
                     "SELECT 1099, 1000, 'phishing', title_sealed, 1, 1, 0 "
                     "FROM incidents WHERE id <> 1099 LIMIT 1");
    assert_int_equal(call(w, HUB_GET, "/api/v1/outlets/1000/incidents/1099",
                          w->trainer, HUB_ROLE_TRAINER, 0, NULL),
                     200);
    assert_false(answer_has(w, "Zqx"));
}

static int64_t first_response(struct world *w, int64_t id)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT coalesce(first_response_at, 0) FROM incidents WHERE "
             "id = %lld",
             (long long)id);
    return count_of(w->raw, sql);
}

static void
the_first_response_is_a_trainers_first_entry_stamped_once(void **state)
{
    struct world *w = *state;
    char path[96];
    int64_t id = report(w, "Page restricted");
    snprintf(path, sizeof path, "/api/v1/outlets/1000/incidents/%lld/events",
             (long long)id);
    setenv("KALKAN_HUB_NOW", "2026-11-28T12:10:00Z", 1);
    assert_int_equal(call(w, HUB_POST, path, w->focal_a, HUB_ROLE_FOCAL, 0,
                          "{\"text\":\"More details from the focal point\"}"),
                     201);
    assert_int_equal(first_response(w, id), 0);
    setenv("KALKAN_HUB_NOW", "2026-11-28T12:30:00Z", 1);
    assert_int_equal(call(w, HUB_POST, path, w->trainer, HUB_ROLE_TRAINER, 0,
                          "{\"kind\":\"escalation\",\"text\":\"Asked the "
                          "helpline\"}"),
                     201);
    assert_int_equal(first_response(w, id), T_NOW + 30 * 60);
    setenv("KALKAN_HUB_NOW", "2026-11-28T13:00:00Z", 1);
    assert_int_equal(call(w, HUB_POST, path, w->trainer, HUB_ROLE_TRAINER, 0,
                          "{\"text\":\"Second answer\"}"),
                     201);
    assert_int_equal(first_response(w, id), T_NOW + 30 * 60);
    /* The clock in the answer counts from the report. */
    snprintf(path, sizeof path, "/api/v1/outlets/1000/incidents/%lld",
             (long long)id);
    assert_int_equal(
        call(w, HUB_GET, path, w->trainer, HUB_ROLE_TRAINER, 0, NULL), 200);
    assert_true(answer_has(w, "\"first_response\":1800"));
    assert_true(
        answer_has(w, "\"first_response_at\":\"2026-11-28T12:30:00Z\""));
    setenv("KALKAN_HUB_NOW", NOW, 1);
}

static void a_focal_point_never_sees_a_trainer_only_note(void **state)
{
    struct world *w = *state;
    char path[96], one[96];
    int64_t id = report(w, "Phone taken at the border");
    snprintf(path, sizeof path, "/api/v1/outlets/1000/incidents/%lld/events",
             (long long)id);
    snprintf(one, sizeof one, "/api/v1/outlets/1000/incidents/%lld",
             (long long)id);
    assert_int_equal(call(w, HUB_POST, path, w->trainer, HUB_ROLE_TRAINER, 0,
                          "{\"text\":\"Private: she gave the PIN\","
                          "\"trainer_only\":true}"),
                     201);
    assert_int_equal(call(w, HUB_POST, path, w->trainer, HUB_ROLE_TRAINER, 0,
                          "{\"text\":\"Public: passwords changed\"}"),
                     201);
    assert_int_equal(
        call(w, HUB_GET, one, w->trainer, HUB_ROLE_TRAINER, 0, NULL), 200);
    assert_true(answer_has(w, "Private: she gave the PIN"));
    assert_int_equal(call(w, HUB_GET, one, w->focal_a, HUB_ROLE_FOCAL, 0, NULL),
                     200);
    assert_true(answer_has(w, "Public: passwords changed"));
    assert_false(answer_has(w, "Private"));
    /* The page as well. */
    snprintf(one, sizeof one, "/outlets/1000/incidents/%lld", (long long)id);
    assert_int_equal(call(w, HUB_GET, one, w->focal_a, HUB_ROLE_FOCAL, 0, NULL),
                     200);
    assert_true(answer_has(w, "Public: passwords changed"));
    assert_false(answer_has(w, "Private"));
    assert_false(answer_has(w, "trainer_only"));
    /* A focal point cannot keep one either. */
    assert_int_equal(call(w, HUB_POST, path, w->focal_a, HUB_ROLE_FOCAL, 0,
                          "{\"text\":\"Hidden?\",\"trainer_only\":true}"),
                     400);
    assert_true(answer_has(w, "trainer_only"));
    assert_int_equal(count_of(w->raw, "SELECT count(*) FROM incident_events "
                                      "WHERE trainer_only = 1"),
                     1);
}

static void staff_see_only_the_incidents_they_reported(void **state)
{
    struct world *w = *state;
    char path[96];
    int64_t theirs, other = report(w, "Reported by the focal point");
    assert_int_equal(call(w, HUB_POST, "/api/v1/outlets/1000/incidents",
                          w->staff_a, HUB_ROLE_STAFF, 1001,
                          "{\"type\":\"phishing\",\"title\":\"Fake Google "
                          "alert\",\"occurred_at\":\"2026-11-28T10:00:00Z\","
                          "\"accounts\":[1003],\"devices\":[1002]}"),
                     201);
    theirs = json_int(w, "id");
    assert_int_equal(call(w, HUB_GET, "/api/v1/outlets/1000/incidents",
                          w->staff_a, HUB_ROLE_STAFF, 1001, NULL),
                     200);
    assert_true(answer_has(w, "Fake Google alert"));
    assert_false(answer_has(w, "Reported by the focal point"));
    snprintf(path, sizeof path, "/api/v1/outlets/1000/incidents/%lld",
             (long long)other);
    assert_int_equal(
        call(w, HUB_GET, path, w->staff_a, HUB_ROLE_STAFF, 1001, NULL), 404);
    /* A staff member names only their own objects: Bek's mailbox is not
     * Aida's. */
    assert_int_equal(call(w, HUB_POST, "/api/v1/outlets/1000/incidents",
                          w->staff_a, HUB_ROLE_STAFF, 1001,
                          "{\"type\":\"phishing\",\"title\":\"Other\","
                          "\"occurred_at\":\"2026-11-28T10:00:00Z\","
                          "\"accounts\":[1013]}"),
                     400);
    /* The focal point sees both. */
    assert_int_equal(call(w, HUB_GET, "/api/v1/outlets/1000/incidents",
                          w->focal_a, HUB_ROLE_FOCAL, 0, NULL),
                     200);
    assert_true(answer_has(w, "Fake Google alert"));
    assert_true(answer_has(w, "Reported by the focal point"));
    (void)theirs;
}

static void
an_object_of_another_outlet_is_refused_like_a_missing_one(void **state)
{
    static const char *const kinds[][2] = {
        {"people", "2001"},
        {"accounts", "2003"},
        {"devices", "2002"},
        {"websites", "2004"},
    };
    struct world *w = *state;
    char body[256], b_answer[512];
    int64_t before = count_of(w->raw, "SELECT count(*) FROM incidents");
    for (size_t k = 0; k < 4; k++) {
        snprintf(body, sizeof body,
                 "{\"type\":\"malware\",\"title\":\"T\",\"occurred_at\":"
                 "\"2026-11-28T10:00:00Z\",\"%s\":[%s]}",
                 kinds[k][0], kinds[k][1]);
        assert_int_equal(call(w, HUB_POST, "/api/v1/outlets/1000/incidents",
                              w->focal_a, HUB_ROLE_FOCAL, 0, body),
                         400);
        snprintf(b_answer, sizeof b_answer, "%s", kk_buf_str(w->r.out));
        snprintf(body, sizeof body,
                 "{\"type\":\"malware\",\"title\":\"T\",\"occurred_at\":"
                 "\"2026-11-28T10:00:00Z\",\"%s\":[4503599627370000]}",
                 kinds[k][0]);
        assert_int_equal(call(w, HUB_POST, "/api/v1/outlets/1000/incidents",
                              w->focal_a, HUB_ROLE_FOCAL, 0, body),
                         400);
        assert_string_equal(b_answer, kk_buf_str(w->r.out));
    }
    assert_int_equal(count_of(w->raw, "SELECT count(*) FROM incidents"),
                     before);
    /* Outlet B's focal point cannot read or write A's incident. */
    {
        char path[96];
        int64_t id = report(w, "A's case");
        snprintf(path, sizeof path, "/api/v1/outlets/1000/incidents/%lld",
                 (long long)id);
        assert_int_equal(
            call(w, HUB_GET, path, w->focal_b, HUB_ROLE_FOCAL, 0, NULL), 404);
        assert_int_equal(call(w, HUB_POST, path, w->focal_b, HUB_ROLE_FOCAL, 0,
                              "{\"status\":\"closed\"}"),
                         404);
        snprintf(path, sizeof path, "/api/v1/outlets/2000/incidents/%lld",
                 (long long)id);
        assert_int_equal(
            call(w, HUB_GET, path, w->focal_b, HUB_ROLE_FOCAL, 0, NULL), 404);
    }
}

static void a_status_change_stamps_the_clock_and_the_timeline(void **state)
{
    struct world *w = *state;
    char path[96];
    int64_t id = report(w, "Site flooded");
    snprintf(path, sizeof path, "/api/v1/outlets/1000/incidents/%lld",
             (long long)id);
    setenv("KALKAN_HUB_NOW", "2026-11-28T14:00:00Z", 1);
    assert_int_equal(call(w, HUB_POST, path, w->focal_a, HUB_ROLE_FOCAL, 0,
                          "{\"status\":\"recovered\",\"websites\":[1004]}"),
                     200);
    assert_true(answer_has(w, "\"contained_at\":\"2026-11-28T14:00:00Z\""));
    assert_true(answer_has(w, "\"recovered_at\":\"2026-11-28T14:00:00Z\""));
    assert_true(answer_has(w, "\"websites\":[1004]"));
    assert_true(answer_has(w, "\"accounts\":[1003]")); /* kept: not sent */
    assert_true(answer_has(w, "\"kind\":\"status\",\"text\":\"recovered\""));
    /* A focal point's change is no first response. */
    assert_int_equal(first_response(w, id), 0);
    /* Back-filling: a time before the report is refused for the first
     * response, and a time beyond the status too. */
    assert_int_equal(call(w, HUB_POST, path, w->trainer, HUB_ROLE_TRAINER, 0,
                          "{\"first_response_at\":\"2026-11-28T11:00:00Z\"}"),
                     400);
    assert_true(answer_has(w, "first_response_at"));
    assert_int_equal(call(w, HUB_POST, path, w->trainer, HUB_ROLE_TRAINER, 0,
                          "{\"status\":\"open\",\"closed_at\":"
                          "\"2026-11-28T13:00:00Z\"}"),
                     400);
    assert_true(answer_has(w, "closed_at"));
    assert_int_equal(call(w, HUB_POST, path, w->trainer, HUB_ROLE_TRAINER, 0,
                          "{\"contained_at\":\"2026-11-28T13:00:00Z\","
                          "\"title\":\"Site flooded by a botnet\"}"),
                     200);
    assert_true(answer_has(w, "\"contained_at\":\"2026-11-28T13:00:00Z\""));
    assert_true(answer_has(w, "Site flooded by a botnet"));
    /* Status and title were stamped by the change, not by the edit. */
    assert_int_equal(count_of(w->raw, "SELECT count(*) FROM incident_events "
                                      "WHERE kind = 'status'"),
                     1);
    setenv("KALKAN_HUB_NOW", NOW, 1);
}

static void the_edit_form_keeps_the_times_it_showed(void **state)
{
    struct world *w = *state;
    char path[96], sql[160], form[512];
    int64_t id = report(w, "Mailbox taken over");
    snprintf(path, sizeof path, "/api/v1/outlets/1000/incidents/%lld",
             (long long)id);
    setenv("KALKAN_HUB_NOW", "2026-11-28T12:20:30Z", 1);
    assert_int_equal(call(w, HUB_POST, path, w->trainer, HUB_ROLE_TRAINER, 0,
                          "{\"status\":\"contained\"}"),
                     200);
    snprintf(sql, sizeof sql,
             "SELECT contained_at FROM incidents WHERE id = %lld",
             (long long)id);
    assert_int_equal(count_of(w->raw, sql), T_NOW + 20 * 60 + 30);
    /* The form as the page shows it, to the minute, with the status moved
     * back to open: the times left alone follow the status. */
    snprintf(path, sizeof path, "/outlets/1000/incidents/%lld", (long long)id);
    snprintf(form, sizeof form, "%s",
             "type=account_hijacked&title=Mailbox+taken+over&severity=3&"
             "status=open&occurred_at=2026-11-28T08%3A00&reported_at=2026-"
             "11-28T12%3A00&first_response_at=2026-11-28T12%3A20&"
             "contained_at=2026-11-28T12%3A20&recovered_at=&closed_at=&"
             "subjects=1&accounts=1003&people=1001");
    assert_int_equal(
        call(w, HUB_POST, path, w->focal_a, HUB_ROLE_FOCAL, 0, form), 303);
    snprintf(sql, sizeof sql,
             "SELECT coalesce(contained_at, 0) + reported_at FROM incidents "
             "WHERE id = %lld",
             (long long)id);
    assert_int_equal(count_of(w->raw, sql), T_NOW);
    /* The status again, then an edit of the title through the same form:
     * the stamped seconds survive. */
    snprintf(form, sizeof form, "%s",
             "type=account_hijacked&title=Mailbox+taken+over+again&"
             "severity=3&status=contained&occurred_at=2026-11-28T08%3A00&"
             "reported_at=2026-11-28T12%3A00&first_response_at=2026-11-28T"
             "12%3A20&contained_at=&recovered_at=&closed_at=&subjects=1&"
             "accounts=1003&people=1001");
    assert_int_equal(
        call(w, HUB_POST, path, w->focal_a, HUB_ROLE_FOCAL, 0, form), 303);
    snprintf(sql, sizeof sql,
             "SELECT contained_at FROM incidents WHERE id = %lld",
             (long long)id);
    assert_int_equal(count_of(w->raw, sql), T_NOW + 20 * 60 + 30);
    snprintf(form, sizeof form, "%s",
             "type=account_hijacked&title=Mailbox+taken+over&severity=3&"
             "status=contained&occurred_at=2026-11-28T08%3A00&reported_at="
             "2026-11-28T12%3A00&first_response_at=2026-11-28T12%3A20&"
             "contained_at=2026-11-28T12%3A20&recovered_at=&closed_at=&"
             "subjects=1&accounts=1003&people=1001");
    assert_int_equal(
        call(w, HUB_POST, path, w->focal_a, HUB_ROLE_FOCAL, 0, form), 303);
    assert_int_equal(count_of(w->raw, sql), T_NOW + 20 * 60 + 30);
    /* A time the user changes is taken as typed. */
    assert_int_equal(call(w, HUB_POST, path, w->focal_a, HUB_ROLE_FOCAL, 0,
                          "status=contained&contained_at=2026-11-28T12%3A05"),
                     303);
    assert_int_equal(count_of(w->raw, sql), T_NOW + 5 * 60);
    setenv("KALKAN_HUB_NOW", NOW, 1);
}

static void durations_read_in_minutes_hours_and_days(void **state)
{
    static const struct {
        int64_t secs;
        const char *text;
    } cases[] = {
        {30, "&lt; 1 min"},
        {60, "1 min"},
        {59 * 60, "59 min"},
        {3600, "1 h"},
        {3 * 3600 + 5 * 60, "3 h 5 min"},
        {86400, "1 d"},
        {2 * 86400 + 4 * 3600 + 59, "2 d 4 h"},
    };
    struct hub_req r;
    (void)state;
    memset(&r, 0, sizeof r);
    r.out = kk_buf_new(1024);
    assert_non_null(r.out);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kk_buf_reset(r.out);
        hub_incident_duration(&r, cases[i].secs);
        assert_string_equal(kk_buf_str(r.out), cases[i].text);
    }
    kk_buf_free(r.out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_status_button_stamps_its_step_once),
        cmocka_unit_test(the_clock_check_names_the_wrong_time),
        cmocka_unit_test(durations_read_in_minutes_hours_and_days),
        cmocka_unit_test_setup_teardown(
            titles_and_notes_are_sealed_in_the_database_file, setup, teardown),
        cmocka_unit_test_setup_teardown(
            the_first_response_is_a_trainers_first_entry_stamped_once, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            a_focal_point_never_sees_a_trainer_only_note, setup, teardown),
        cmocka_unit_test_setup_teardown(
            staff_see_only_the_incidents_they_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(
            an_object_of_another_outlet_is_refused_like_a_missing_one, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            a_status_change_stamps_the_clock_and_the_timeline, setup, teardown),
        cmocka_unit_test_setup_teardown(the_edit_form_keeps_the_times_it_showed,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
