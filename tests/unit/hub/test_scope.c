/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_scope.c - the tenant rule, checked over the whole SQL table.
 *
 * Three proofs that do not depend on anyone remembering to write a test for
 * a new statement: (1) every statement that touches outlet data is flagged
 * scoped (or aggregate) and carries the caller's scope; (2) no source file
 * runs a scoped statement through plain hub_q(); (3) every scoped statement
 * is executed as a user of outlet A with every parameter bound, in turn, to
 * each id of outlet B's objects - and no result row may mention B, and no
 * write may change B.
 */
#include <stdarg.h>
#include <dirent.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hub_int.h"
#include "hub_test.h"
#include "kalkan/hub.h"

/* Statements that read or write outlet tables outside a request: the
 * command line (tokens bound to a device), the audit writer, the demo
 * generator (names starting HUB_Q_DEMO_), the outlet lookup by slug of
 * `kalkan user add`, and creating a new outlet (a trainer-only route: a new
 * tenant is in nobody's scope until it exists).  The website checker's
 * thread (HUB_Q_SITE_JOB_*, sql_site.h) works for the whole hub outside
 * any request: it writes a check's result into the website's own outlet. */
static const char *const system_ok[] = {
    "HUB_Q_DEVICE_OUTLET",    "HUB_Q_REG_OUTLET_INSERT",
    "HUB_Q_USER_LINK_PERSON", /* `kalkan user add`, within its --outlet */
    "HUB_Q_AUDIT_INSERT",     "HUB_Q_OUTLET_ID_BY_SLUG",
};

static const char *const outlet_tables[] = {
    " people",
    " devices",
    " licences",
    " accounts",
    " account_admins",
    " websites",
    " observations",
    " outlets",
    " audit ",
    " assessments",
    " risks",
    " findings",
    " tasks",
    " training_sessions",
    " session_outlets",
    " attendance",
    " incidents",
    " incident_subjects",
    " incident_events",
    " site_checks",
    " site_check_findings",
    " guard_reports",
    " guard_events",
    " guard_networks",
};

static bool mentions_outlet_data(const char *sql)
{
    for (size_t i = 0; i < sizeof outlet_tables / sizeof outlet_tables[0];
         i++) {
        if (strstr(sql, outlet_tables[i]) != NULL)
            return true;
    }
    return false;
}

static bool allowed_system(const char *name)
{
    if (strncmp(name, "HUB_Q_DEMO_", 11) == 0 ||
        strncmp(name, "HUB_Q_SITE_JOB_", 15) == 0)
        return true;
    for (size_t i = 0; i < sizeof system_ok / sizeof system_ok[0]; i++) {
        if (strcmp(name, system_ok[i]) == 0)
            return true;
    }
    return false;
}

static void every_outlet_statement_is_scoped(void **state)
{
    (void)state;
    for (size_t q = 0; q < HUB_Q_COUNT; q++) {
        const char *sql = hub_sql_text[q];
        const char *name = hub_sql_names[q];
        if (hub_sql_flags[q] == HUB_SQL_SCOPED) {
            if (strstr(sql, "user_scope WHERE user_id = :uid") == NULL)
                fail_msg("%s is flagged scoped but has no scope", name);
            continue;
        }
        if (hub_sql_flags[q] == HUB_SQL_AGGREGATE) {
            if (strncmp(sql, "SELECT", 6) != 0)
                fail_msg("%s: aggregate statements only read", name);
            continue;
        }
        if (mentions_outlet_data(sql) && !allowed_system(name))
            fail_msg("%s touches outlet data without the caller's scope", name);
    }
}

/* Scans the hub sources for hub_q(..., HUB_Q_X): X must not be scoped. */
static void no_source_runs_a_scoped_statement_unscoped(void **state)
{
    char dir[512];
    DIR *dp;
    struct dirent *de;
    char path[1024];
    size_t checked = 0;
    (void)state;
    snprintf(dir, sizeof dir, "%s/../../lib/hub", KK_TEST_DATA);
    dp = opendir(dir);
    assert_non_null(dp);
    while ((de = readdir(dp)) != NULL) {
        FILE *fp;
        char line[1024];
        const char *file = de->d_name;
        size_t len = strlen(file);
        if (len < 3 || strcmp(file + len - 2, ".c") != 0 ||
            strcmp(file, "sql.c") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, file);
        fp = fopen(path, "r");
        if (fp == NULL)
            continue;
        checked++;
        while (fgets(line, sizeof line, fp) != NULL) {
            const char *p = strstr(line, "hub_q(");
            const char *q;
            if (p == NULL || (q = strstr(p, "HUB_Q_")) == NULL)
                continue;
            for (size_t i = 0; i < HUB_Q_COUNT; i++) {
                size_t n = strlen(hub_sql_names[i]);
                if (strncmp(q, hub_sql_names[i], n) == 0 &&
                    (q[n] == ')' || q[n] == ',' || q[n] == ' ') &&
                    hub_sql_flags[i] != HUB_SQL_SYSTEM)
                    fail_msg("%s runs %s without hub_scoped()", file,
                             hub_sql_names[i]);
            }
        }
        fclose(fp);
    }
    closedir(dp);
    assert_true(checked >= 30);
}

/* --- the behavioural walk --- */

struct world {
    char dir[64];
    char path[128];
    struct hub_db *db;
    sqlite3 *raw;
    int64_t user_a, staff_a, person_a;
    int64_t b_ids[20];
    size_t n_b;
};

static void exec_raw(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err);
}

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    struct kk_diag d = {.msg = ""};
    int64_t id;
    assert_non_null(w);
    assert_true(
        hub_test_dir("scope", w->dir, sizeof w->dir, w->path, sizeof w->path));
    assert_int_equal(hub_db_open(w->path, &w->db, &d), KK_OK);
    assert_int_equal(sqlite3_open(w->path, &w->raw), SQLITE_OK);
    sqlite3_busy_timeout(w->raw, 5000);
    /* Outlet A (ids 1xxx) and outlet B (ids 2xxx, names "SECRETB"). */
    exec_raw(w->raw,
             "INSERT INTO outlets (id, slug, name, media, created_at) VALUES "
             "(1000, 'a', 'Outlet A', 'web', 0),"
             "(2000, 'b', 'SECRETB outlet', 'tv', 0);"
             "INSERT INTO people (id, outlet_id, name, department, email, "
             "created_at) VALUES (1001, 1000, 'Alice A', 'editorial', "
             "'alice@a.example', 0), (2001, 2000, 'SECRETB person', "
             "'finance', 'secretb@b.example', 0);"
             "INSERT INTO devices (id, outlet_id, kind, ownership, os, "
             "custodian_id, created_at) VALUES (1002, 1000, 'laptop', "
             "'office', 'Linux', 1001, 0), (2002, 2000, 'laptop', 'office', "
             "'SECRETB os', 2001, 0);"
             "INSERT INTO accounts (id, outlet_id, platform, kind, handle, "
             "person_id, created_at) VALUES (1003, 1000, 'email', "
             "'personal', 'alice@a.example', 1001, 0), (2003, 2000, "
             "'email', 'personal', 'SECRETB handle', 2001, 0), (2006, 2000, "
             "'fb_page', 'org', 'SECRETB page', NULL, 0);"
             "INSERT INTO account_admins (account_id, person_id) VALUES "
             "(2006, 2001);"
             "INSERT INTO websites (id, outlet_id, url, created_at) VALUES "
             "(1004, 1000, 'https://a.example', 0), (2004, 2000, "
             "'https://SECRETB.example', 0);"
             "INSERT INTO licences (id, outlet_id, product, type, "
             "key_masked, device_id, created_at) VALUES (2005, 2000, "
             "'SECRETB office', 'retail', '-SECB', 2002, 0);"
             "INSERT INTO observations (outlet_id, subject_type, subject_id, "
             "control_id, status, value, source, note, observed_at) VALUES "
             "(2000, 'account', 2003, 'ACC-01', 'pass', 'app', 'manual', "
             "'SECRETB note', 1);");
    /* The programme's outlet data: assessments, risks, findings, tasks,
     * training sessions and attendance, incidents. */
    exec_raw(w->raw,
             "INSERT INTO assessments (id, outlet_id, kind, held_on, "
             "created_at) VALUES (1007, 1000, 'baseline', '2026-01-01', 0), "
             "(2007, 2000, 'baseline', '2026-01-02', 0);"
             "INSERT INTO risks (id, outlet_id, assessment_id, adversary, "
             "capability, likelihood, impact, created_at) VALUES (2008, "
             "2000, 2007, 'SECRETB adversary', 3, 3, 3, 0);"
             "INSERT INTO findings (id, outlet_id, assessment_id, "
             "title_sealed, controls, created_at) VALUES (2009, 2000, 2007, "
             "X'00', 'ACC-01', 0);"
             "INSERT INTO tasks (id, outlet_id, finding_id, title, owner_id, "
             "due, created_at) VALUES (2010, 2000, 2009, 'SECRETB task', "
             "2001, '2026-02-01', 0);"
             "INSERT INTO training_sessions (id, title, held_on, place, "
             "created_at) VALUES (1011, 'Session A', '2026-01-05', 'Osh', "
             "0), (2011, 'SECRETB session', '2026-01-06', 'SECRETB place', "
             "0);"
             "INSERT INTO session_outlets (session_id, outlet_id) VALUES "
             "(1011, 1000), (2011, 2000);"
             "INSERT INTO attendance (session_id, person_id, outlet_id, "
             "minutes) VALUES (2011, 2001, 2000, 120);"
             "INSERT INTO incidents (id, outlet_id, type, title_sealed, "
             "occurred_at, reported_at, created_at) VALUES (2012, 2000, "
             "'phishing', X'00', 1, 1, 0);"
             "INSERT INTO incident_subjects (incident_id, subject_type, "
             "subject_id) VALUES (2012, 'person', 2001);"
             "INSERT INTO incident_events (incident_id, outlet_id, at, kind) "
             "VALUES (2012, 2000, 1, 'note');"
             "INSERT INTO site_checks (id, outlet_id, website_id, n, trigger, "
             "status, queued_at, checked_at, failure_detail, grade, score, "
             "capped_by, passed) VALUES (2013, 2000, 2004, 1, 'schedule', "
             "'done', 1, 2, 'SECRETB detail', 'F', 10, 'exposed.env=F', "
             "'hsts.missing'), (1013, 1000, 1004, 1, 'schedule', 'done', 1, "
             "2, '', 'A', 90, '', '');"
             "INSERT INTO site_check_findings (id, check_id, outlet_id, "
             "finding_id, severity, area, evidence_sealed) VALUES (2014, "
             "2013, 2000, 'exposed.env', 'critical', 'exposure', X'00');"
             "INSERT INTO guard_reports (id, outlet_id, website_id, "
             "received_at, started_at, sent_at, host, version, lines, "
             "matched, tracked, banned, events) VALUES (2015, 2000, 2004, 5, "
             "1, 4, 'SECRETB host', '1', 9, 9, 9, 9, 1);"
             "INSERT INTO guard_events (id, outlet_id, website_id, "
             "report_id, at, kind, address, rule, hits, first_at, until_at, "
             "level) VALUES (2016, 2000, 2004, 2015, 4, 'ban', "
             "'192.0.2.222', 'secretb-rule', 5, 3, 99, 1);"
             "INSERT INTO guard_networks (id, outlet_id, prefix, label, "
             "created_at) VALUES (2017, 2000, '198.51.100.0/24', 'SECRETB "
             "office', 0);");
    assert_int_equal(hub_user_add(w->db, "focal@a.example", "focal", "a",
                                  "a long password", NULL, 0, &w->user_a, &d),
                     KK_OK);
    assert_int_equal(hub_user_add(w->db, "staff@a.example", "staff", "a",
                                  "a long password", NULL, 0, &w->staff_a, &d),
                     KK_OK);
    assert_int_equal(hub_user_add(w->db, "focal@b.example", "focal", "b",
                                  "a long password", NULL, 0, &id, &d),
                     KK_OK);
    exec_raw(w->raw, "UPDATE users SET person_id = 1001 WHERE email = "
                     "'staff@a.example'");
    w->person_a = 1001;
    {
        static const int64_t b[] = {2000, 2001, 2002, 2003, 2004, 2005,
                                    2006, 2007, 2008, 2009, 2010, 2011,
                                    2012, 2013, 2014, 2015, 2016, 2017};
        memcpy(w->b_ids, b, sizeof b);
        w->n_b = sizeof b / sizeof b[0];
    }
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    sqlite3_close(w->raw);
    hub_db_close(w->db);
    hub_test_dir_remove(w->dir);
    free(w);
    return 0;
}

/* A fingerprint of everything outlet B owns. */
static char *b_dump(sqlite3 *db)
{
    static const char *const q[] = {
        "SELECT * FROM outlets WHERE id = 2000",
        "SELECT * FROM people WHERE outlet_id = 2000",
        "SELECT * FROM devices WHERE outlet_id = 2000",
        "SELECT * FROM accounts WHERE outlet_id = 2000",
        "SELECT * FROM account_admins WHERE account_id >= 2000",
        "SELECT * FROM websites WHERE outlet_id = 2000",
        "SELECT * FROM licences WHERE outlet_id = 2000",
        "SELECT count(*) FROM observations WHERE outlet_id = 2000",
        "SELECT count(*) FROM people",
        "SELECT count(*) FROM devices",
        "SELECT count(*) FROM accounts",
        "SELECT count(*) FROM websites",
        "SELECT count(*) FROM licences",
        "SELECT * FROM assessments WHERE outlet_id = 2000",
        "SELECT * FROM risks WHERE outlet_id = 2000",
        "SELECT * FROM findings WHERE outlet_id = 2000",
        "SELECT * FROM tasks WHERE outlet_id = 2000",
        "SELECT * FROM training_sessions WHERE id = 2011",
        "SELECT * FROM session_outlets WHERE outlet_id = 2000",
        "SELECT * FROM attendance WHERE outlet_id = 2000",
        "SELECT * FROM incidents WHERE outlet_id = 2000",
        "SELECT * FROM incident_subjects WHERE incident_id = 2012",
        "SELECT count(*) FROM incident_events WHERE outlet_id = 2000",
        "SELECT count(*) FROM assessments",
        "SELECT count(*) FROM risks",
        "SELECT count(*) FROM findings",
        "SELECT count(*) FROM tasks",
        "SELECT count(*) FROM training_sessions",
        "SELECT count(*) FROM attendance",
        "SELECT count(*) FROM incidents",
        "SELECT * FROM site_checks WHERE outlet_id = 2000",
        "SELECT * FROM site_check_findings WHERE outlet_id = 2000",
        "SELECT count(*) FROM site_checks",
        "SELECT count(*) FROM site_check_findings",
        "SELECT * FROM guard_reports WHERE outlet_id = 2000",
        "SELECT * FROM guard_events WHERE outlet_id = 2000",
        "SELECT * FROM guard_networks WHERE outlet_id = 2000",
        "SELECT count(*) FROM guard_reports",
        "SELECT count(*) FROM guard_events",
        "SELECT count(*) FROM guard_networks",
    };
    struct kk_buf *b = kk_buf_new(1 << 20);
    char *out;
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(db, q[i], -1, &st, NULL),
                         SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                const unsigned char *t = sqlite3_column_text(st, c);
                assert_int_equal(
                    kk_buf_putf(b, "%s|", t != NULL ? (const char *)t : "~"),
                    KK_OK);
            }
            assert_int_equal(kk_buf_putc(b, '\n'), KK_OK);
        }
        sqlite3_finalize(st);
    }
    out = strdup(kk_buf_str(b));
    kk_buf_free(b);
    return out;
}

static const char *const stypes[] = {"person", "device", "account", "website",
                                     "outlet"};

static bool is_b_marker(sqlite3_stmt *st, int c, const struct world *w)
{
    if (sqlite3_column_type(st, c) == SQLITE_INTEGER) {
        int64_t v = sqlite3_column_int64(st, c);
        for (size_t i = 0; i < w->n_b; i++) {
            if (v == w->b_ids[i])
                return true;
        }
        return false;
    }
    if (sqlite3_column_type(st, c) == SQLITE_TEXT) {
        const char *t = (const char *)sqlite3_column_text(st, c);
        return strstr(t, "SECRETB") != NULL || strstr(t, "secretb") != NULL ||
               strstr(t, "-SECB") != NULL;
    }
    return false;
}

/* Binds every parameter of st: :uid/:pid/:device for the caller, :stype
 * to stypes[k], :t to now, text parameters to harmless words, and every
 * other integer-looking parameter to id. */
static void bind_all(sqlite3_stmt *st, const struct world *w, int64_t uid,
                     int64_t pid, int64_t id, size_t k)
{
    for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++) {
        const char *n = sqlite3_bind_parameter_name(st, i);
        if (n == NULL)
            continue;
        if (strcmp(n, ":uid") == 0)
            sqlite3_bind_int64(st, i, uid);
        else if (strcmp(n, ":pid") == 0)
            sqlite3_bind_int64(st, i, pid);
        else if (strcmp(n, ":device") == 0)
            sqlite3_bind_int64(st, i, 0);
        else if (strcmp(n, ":stype") == 0)
            sqlite3_bind_text(st, i, stypes[k], -1, SQLITE_STATIC);
        else if (strcmp(n, ":t") == 0 || strcmp(n, ":now") == 0 ||
                 strcmp(n, ":at") == 0)
            sqlite3_bind_int64(st, i, 1900000000);
        else if (strcmp(n, ":control") == 0)
            sqlite3_bind_text(st, i, "ACC-01", -1, SQLITE_STATIC);
        else if (strcmp(n, ":status") == 0 || strcmp(n, ":value") == 0 ||
                 strcmp(n, ":source") == 0)
            sqlite3_bind_text(st, i, "pass", -1, SQLITE_STATIC);
        else if (strcmp(n, ":kind") == 0)
            sqlite3_bind_text(st, i, "org", -1, SQLITE_STATIC);
        else if (strcmp(n, ":platform") == 0)
            sqlite3_bind_text(st, i, "email", -1, SQLITE_STATIC);
        else if (strcmp(n, ":name") == 0 || strcmp(n, ":handle") == 0 ||
                 strcmp(n, ":url") == 0 || strcmp(n, ":product") == 0)
            sqlite3_bind_text(st, i, "changed by A", -1, SQLITE_STATIC);
        else
            sqlite3_bind_int64(st, i, id);
        (void)w;
    }
}

static void walk_as(struct world *w, int64_t uid, int64_t pid, size_t *runs)
{
    struct hub_conn *c = NULL;
    assert_int_equal(hub_conn_get(w->db, &c), KK_OK);
    for (size_t q = 0; q < HUB_Q_COUNT; q++) {
        sqlite3_stmt *st;
        bool has_stype;
        if (hub_sql_flags[q] != HUB_SQL_SCOPED)
            continue;
        st = hub_q(c, (enum hub_q)q);
        if (st == NULL)
            fail_msg("%s does not prepare", hub_sql_names[q]);
        has_stype = sqlite3_bind_parameter_index(st, ":stype") > 0;
        for (size_t k = 0; k < (has_stype ? 5 : 1); k++) {
            for (size_t b = 0; b < w->n_b; b++) {
                int rc;
                st = hub_q(c, (enum hub_q)q);
                bind_all(st, w, uid, pid, w->b_ids[b], k);
                while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                    for (int col = 0; col < sqlite3_column_count(st); col++) {
                        if (is_b_marker(st, col, w))
                            fail_msg("%s as A returned B's data (column %d, "
                                     "id %lld)",
                                     hub_sql_names[q], col,
                                     (long long)w->b_ids[b]);
                    }
                }
                /* Constraint failures are fine: nothing was written. */
                sqlite3_reset(st);
                (*runs)++;
            }
        }
    }
}

static void a_user_reaches_nothing_of_outlet_b(void **state)
{
    struct world *w = *state;
    char *before = b_dump(w->raw), *after;
    size_t runs = 0;
    walk_as(w, w->user_a, 0, &runs);
    walk_as(w, w->staff_a, w->person_a, &runs);
    after = b_dump(w->raw);
    assert_string_equal(before, after);
    assert_true(runs > 50);
    free(before);
    free(after);
}

static void the_walk_itself_can_see_a_leak(void **state)
{
    /* The checker must flag B data when a query does return it. */
    struct world *w = *state;
    sqlite3_stmt *st;
    bool seen = false;
    assert_int_equal(sqlite3_prepare_v2(w->raw,
                                        "SELECT id, name FROM people WHERE "
                                        "id = 2001",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        seen = is_b_marker(st, 0, w) && is_b_marker(st, 1, w);
    sqlite3_finalize(st);
    assert_true(seen);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_outlet_statement_is_scoped),
        cmocka_unit_test(no_source_runs_a_scoped_statement_unscoped),
        cmocka_unit_test_setup_teardown(a_user_reaches_nothing_of_outlet_b,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(the_walk_itself_can_see_a_leak, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
