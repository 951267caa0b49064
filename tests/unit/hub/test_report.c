/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_report.c - the reports' figures on a small hand-made database whose
 * every expected number is worked out in the comments below; the donor
 * view's suppression on rows built by hand; the parameters; the median;
 * the canonical content and its SHA-256 (OpenSSL as the oracle); and the
 * content read back for /reports/verify.
 *
 * The clock is fixed (KALKAN_HUB_NOW = 2026-08-15T12:00:00Z) and the
 * programme starts 2026-01-01, so the points are M0 2026-01-01, M3
 * 2026-04-01, M6 2026-07-01 and "as of" 2026-08-15 (23:59:59).  Rows are
 * written through the hub's own connection, so the data generation moves
 * and no cached coverage of another database survives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/sha.h>

#include "covdata.h"
#include "hub_test.h"
#include "i18n.h"
#include "kalkan/hub.h"
#include "model.h"
#include "report.h"

/*
 * Outlet A (1000):
 *   people   Aida (editorial, from 2025-12-01), Bek (editorial), Cholpon
 *            (finance, registered 2026-02-01), Daniyar (tech, archived
 *            2026-05-01);
 *   e-mail   Aida none (Dec) -> app 2026-02-15; Bek sms -> key
 *            2026-06-15; Cholpon app 2026-02-02; Daniyar app 2025-12-10;
 *   org      a registrar account, app 2026-03-01, admins Aida and Bek;
 *   devices  Aida's laptop, all five checks pass 2026-05-01; Bek's phone,
 *            two checks only;
 *   training S1 2026-02-10: Aida 120, Bek 90, Daniyar 60 minutes;
 *            S2 2026-05-20: Aida 180, Cholpon 45, Bek absent;
 *            S3 2026-08-10: Cholpon 30;
 *   findings F1 2025-12-20 resolved 2026-03-10; F2 2026-02-01 open;
 *            F3 2026-06-01 resolved 2026-08-01; F4 2026-03-01 archived
 *            2026-04-15;
 *   incidents phishing 02-01 (10 h), 03-01 (5 h), 06-10 (3 h) and
 *            2025-12-15 (before the period); account_hijacked 05-01
 *            (48 h); website_down 07-20, not recovered.
 * Outlet B (2000): one person (admin) with strong e-mail, trained 600
 * minutes at S1, one open finding, one phishing incident recovered in
 * 100 h.
 */
static const char *const world_sql[] = {
    "INSERT INTO settings (key, value) VALUES ('programme_start', "
    "'2026-01-01')",
    "INSERT INTO outlets (id, slug, name, media, created_at) VALUES "
    "(1000, 'a', 'Outlet A', 'web', 0), (2000, 'b', 'Outlet B', 'tv', 0)",
    "INSERT INTO people (id, outlet_id, name, department, created_at, "
    "archived_at) VALUES "
    "(1001, 1000, 'Aida', 'editorial', unixepoch('2025-12-01'), NULL), "
    "(1002, 1000, 'Bek', 'editorial', unixepoch('2025-12-01'), NULL), "
    "(1003, 1000, 'Cholpon', 'finance', unixepoch('2026-02-01'), NULL), "
    "(1004, 1000, 'Daniyar', 'tech', unixepoch('2025-12-01'), "
    "unixepoch('2026-05-01')), "
    "(2001, 2000, 'Other', 'admin', unixepoch('2025-12-01'), NULL)",
    "INSERT INTO accounts (id, outlet_id, platform, kind, handle, "
    "person_id, created_at) VALUES "
    "(1101, 1000, 'email', 'personal', 'aida', 1001, 0), "
    "(1102, 1000, 'email', 'personal', 'bek', 1002, 0), "
    "(1103, 1000, 'email', 'personal', 'cholpon', 1003, 0), "
    "(1104, 1000, 'email', 'personal', 'daniyar', 1004, 0), "
    "(1110, 1000, 'registrar', 'org', 'reg', NULL, 0), "
    "(2101, 2000, 'email', 'personal', 'other', 2001, 0)",
    "INSERT INTO account_admins (account_id, person_id) VALUES "
    "(1110, 1001), (1110, 1002)",
    "INSERT INTO observations (outlet_id, subject_type, subject_id, "
    "control_id, status, value, source, observed_at) VALUES "
    "(1000, 'account', 1101, 'ACC-01', 'fail', 'none', 'manual', "
    "unixepoch('2025-12-15')), "
    "(1000, 'account', 1101, 'ACC-01', 'pass', 'app', 'manual', "
    "unixepoch('2026-02-15')), "
    "(1000, 'account', 1102, 'ACC-01', 'partial', 'sms', 'manual', "
    "unixepoch('2025-12-15')), "
    "(1000, 'account', 1102, 'ACC-01', 'pass', 'key', 'manual', "
    "unixepoch('2026-06-15')), "
    "(1000, 'account', 1103, 'ACC-01', 'pass', 'app', 'manual', "
    "unixepoch('2026-02-02')), "
    "(1000, 'account', 1104, 'ACC-01', 'pass', 'app', 'manual', "
    "unixepoch('2025-12-10')), "
    "(1000, 'account', 1110, 'ACC-01', 'pass', 'app', 'manual', "
    "unixepoch('2026-03-01')), "
    "(2000, 'account', 2101, 'ACC-01', 'pass', 'key', 'manual', "
    "unixepoch('2025-12-02'))",
    "INSERT INTO devices (id, outlet_id, kind, ownership, custodian_id, "
    "created_at) VALUES (1201, 1000, 'laptop', 'office', 1001, 0), "
    "(1202, 1000, 'phone', 'personal', 1002, 0)",
    "INSERT INTO observations (outlet_id, subject_type, subject_id, "
    "control_id, status, source, observed_at) "
    "SELECT 1000, 'device', 1201, c.column1, 'pass', 'host', "
    "unixepoch('2026-05-01') FROM (VALUES ('DEV-05'), ('DEV-02'), "
    "('DEV-03'), ('DEV-06'), ('DEV-11')) c",
    "INSERT INTO observations (outlet_id, subject_type, subject_id, "
    "control_id, status, source, observed_at) VALUES "
    "(1000, 'device', 1202, 'DEV-05', 'pass', 'host', "
    "unixepoch('2026-05-01')), "
    "(1000, 'device', 1202, 'DEV-02', 'pass', 'host', "
    "unixepoch('2026-05-01'))",
    "INSERT INTO training_sessions (id, title, held_on, created_at) VALUES "
    "(3001, 'S1', '2026-02-10', 0), (3002, 'S2', '2026-05-20', 0), "
    "(3003, 'S3', '2026-08-10', 0)",
    "INSERT INTO attendance (session_id, person_id, outlet_id, present, "
    "minutes) VALUES (3001, 1001, 1000, 1, 120), (3001, 1002, 1000, 1, 90), "
    "(3001, 1004, 1000, 1, 60), (3002, 1001, 1000, 1, 180), "
    "(3002, 1003, 1000, 1, 45), (3002, 1002, 1000, 0, 0), "
    "(3003, 1003, 1000, 1, 30), (3001, 2001, 2000, 1, 600)",
    "INSERT INTO findings (id, outlet_id, title_sealed, created_at, "
    "resolved_at, archived_at) VALUES "
    "(4001, 1000, X'00', unixepoch('2025-12-20'), unixepoch('2026-03-10'), "
    "NULL), (4002, 1000, X'00', unixepoch('2026-02-01'), NULL, NULL), "
    "(4003, 1000, X'00', unixepoch('2026-06-01'), unixepoch('2026-08-01'), "
    "NULL), (4004, 1000, X'00', unixepoch('2026-03-01'), NULL, "
    "unixepoch('2026-04-15')), "
    "(4005, 2000, X'00', unixepoch('2026-02-01'), NULL, NULL)",
    "INSERT INTO incidents (id, outlet_id, type, title_sealed, occurred_at, "
    "reported_at, recovered_at, created_at) VALUES "
    "(5001, 1000, 'phishing', X'00', 0, unixepoch('2026-02-01'), "
    "unixepoch('2026-02-01 10:00'), 0), "
    "(5002, 1000, 'phishing', X'00', 0, unixepoch('2026-03-01'), "
    "unixepoch('2026-03-01 05:00'), 0), "
    "(5003, 1000, 'account_hijacked', X'00', 0, unixepoch('2026-05-01'), "
    "unixepoch('2026-05-03'), 0), "
    "(5004, 1000, 'phishing', X'00', 0, unixepoch('2026-06-10'), "
    "unixepoch('2026-06-10 03:00'), 0), "
    "(5005, 1000, 'website_down', X'00', 0, unixepoch('2026-07-20'), "
    "NULL, 0), "
    "(5006, 1000, 'phishing', X'00', 0, unixepoch('2025-12-15'), "
    "unixepoch('2025-12-15 01:00'), 0), "
    "(5007, 2000, 'phishing', X'00', 0, unixepoch('2026-02-01'), "
    "unixepoch('2026-02-05 04:00'), 0)",
};

struct world {
    char dir[64];
    char path[128];
    struct hub_db *db;
    struct hub_conn *conn;
    int64_t trainer, focal_a, assistant, donor;
    struct hub_req r;
    struct hub_report *rep;
};

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    struct kk_diag d = {.msg = ""};
    assert_non_null(w);
    setenv("KALKAN_HUB_NOW", "2026-08-15T12:00:00Z", 1);
    assert_true(
        hub_test_dir("report", w->dir, sizeof w->dir, w->path, sizeof w->path));
    assert_int_equal(hub_db_open(w->path, &w->db, &d), KK_OK);
    assert_int_equal(hub_conn_get(w->db, &w->conn), KK_OK);
    for (size_t i = 0; i < sizeof world_sql / sizeof world_sql[0]; i++) {
        char *err = NULL;
        if (sqlite3_exec(w->conn->db, world_sql[i], NULL, NULL, &err) !=
            SQLITE_OK)
            fail_msg("%s: %s", world_sql[i], err);
    }
    assert_int_equal(hub_user_add(w->db, "trainer@x.example", "trainer", NULL,
                                  "a long password", NULL, 0, &w->trainer, &d),
                     KK_OK);
    assert_int_equal(hub_user_add(w->db, "focal@a.example", "focal", "a",
                                  "a long password", NULL, 0, &w->focal_a, &d),
                     KK_OK);
    assert_int_equal(hub_user_add(w->db, "assistant@x.example", "assistant",
                                  "a", "a long password", NULL, 0,
                                  &w->assistant, &d),
                     KK_OK);
    assert_int_equal(hub_user_add(w->db, "donor@x.example", "donor", NULL,
                                  "a long password", NULL, 0, &w->donor, &d),
                     KK_OK);
    w->r.db = w->conn;
    w->r.out = kk_buf_new(1 << 22);
    assert_non_null(w->r.out);
    assert_int_equal(hub_form_parse("", 0, &w->r.query, NULL), KK_OK);
    assert_int_equal(hub_form_parse("", 0, &w->r.form, NULL), KK_OK);
    w->rep = calloc(1, sizeof *w->rep);
    assert_non_null(w->rep);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    hub_form_free(w->r.query);
    hub_form_free(w->r.form);
    kk_buf_free(w->r.out);
    free(w->rep);
    hub_db_close(w->db);
    hub_test_dir_remove(w->dir);
    free(w);
    return 0;
}

/* Builds the report of scope/outlet as (uid, role) for the period and
 * date given (NULL: defaults). */
static struct hub_report *build(struct world *w, int64_t uid, int role,
                                int scope, int64_t outlet, const char *from,
                                const char *to, const char *as_of,
                                const char *view)
{
    struct hub_rep_input in = {from, to, as_of, NULL, NULL, view};
    struct hub_rep_params p;
    const char *bad = NULL, *why = NULL;
    int64_t now = hub_now();
    memset(&w->r.who, 0, sizeof w->r.who);
    w->r.who.user_id = uid;
    w->r.who.role = role;
    w->r.err = KK_OK;
    assert_int_equal(hub_rep_params_parse(&in, now,
                                          hub_programme_start(&w->r, now),
                                          HUB_REP_JSON, &p, &bad, &why),
                     KK_OK);
    p.scope = scope;
    p.outlet_id = outlet;
    assert_int_equal(hub_report_build(&w->r, &p, w->rep), KK_OK);
    assert_int_equal(w->r.err, KK_OK);
    return w->rep;
}

static int ind_of(const char *key)
{
    for (int i = 0; i < HUB_RI_COUNT; i++) {
        if (strcmp(hub_rep_inds[i].key, key) == 0)
            return i;
    }
    fail_msg("no indicator %s", key);
    return -1;
}

static const struct hub_rep_row *row_of(const struct hub_report *rep,
                                        const char *key, const char *group,
                                        const char *point)
{
    int ind = ind_of(key);
    for (size_t i = 0; i < rep->n_rows; i++) {
        const struct hub_rep_row *row = &rep->rows[i];
        if (row->ind == ind && strcmp(row->group, group) == 0 &&
            strcmp(rep->pts[row->point].label, point) == 0)
            return row;
    }
    fail_msg("no row %s/%s/%s", key, group, point);
    return NULL;
}

/* The row's figures as the canonical content writes them: "v" or "v/of". */
static void expect_row(const struct hub_report *rep, const char *key,
                       const char *group, const char *point, const char *want)
{
    const struct hub_rep_row *row = row_of(rep, key, group, point);
    char v[32], of[32], got[80];
    hub_rep_value_text(row, false, v, sizeof v);
    if (hub_rep_inds[row->ind].kind == HUB_RK_SHARE) {
        hub_rep_value_text(row, true, of, sizeof of);
        snprintf(got, sizeof got, "%s/%s", v, of);
    } else {
        snprintf(got, sizeof got, "%s", v);
    }
    if (strcmp(got, want) != 0)
        fail_msg("%s [%s] at %s: got %s, want %s", key, group, point, got,
                 want);
}

/* Expects key/group at M0, M3, M6 and as_of. */
static void expect4(const struct hub_report *rep, const char *key,
                    const char *group, const char *m0, const char *m3,
                    const char *m6, const char *as_of)
{
    expect_row(rep, key, group, "M0", m0);
    expect_row(rep, key, group, "M3", m3);
    expect_row(rep, key, group, "M6", m6);
    expect_row(rep, key, group, "as_of", as_of);
}

static void the_points_are_months_0_3_and_6_and_the_date(void **state)
{
    struct world *w = *state;
    struct hub_report *rep =
        build(w, w->focal_a, HUB_ROLE_FOCAL, HUB_REP_OUTLET, 1000, NULL, NULL,
              NULL, NULL);
    assert_int_equal(rep->n_points, 4);
    assert_string_equal(rep->pts[0].day, "2026-01-01");
    assert_string_equal(rep->pts[1].day, "2026-04-01");
    assert_string_equal(rep->pts[2].day, "2026-07-01");
    assert_string_equal(rep->pts[3].label, "as_of");
    assert_string_equal(rep->pts[3].day, "2026-08-15");
    assert_string_equal(rep->start, "2026-01-01");
    /* Defaults: the whole programme so far. */
    assert_string_equal(rep->p.from, "2026-01-01");
    assert_string_equal(rep->p.to, "2026-08-15");
    /* A date before month 3 has M0 and itself only. */
    rep = build(w, w->focal_a, HUB_ROLE_FOCAL, HUB_REP_OUTLET, 1000, NULL, NULL,
                "2026-03-31", NULL);
    assert_int_equal(rep->n_points, 2);
    assert_string_equal(rep->pts[0].label, "M0");
    assert_string_equal(rep->pts[1].day, "2026-03-31");
}

/*
 * People with strong 2FA on everything: alive at M0 Aida, Bek, Daniyar
 * (Cholpon from Feb), covered Daniyar: 1/3; M3 all four, Aida, Cholpon,
 * Daniyar covered (Bek SMS): 3/4; M6 Daniyar gone, Bek has a key: 3/3.
 * Organisation accounts: both admins' e-mail and the asset strong only
 * from 06-15: 0/1, 0/1, 1/1, 1/1.  Devices: the laptop from 05-01: 0/2,
 * 0/2, 1/2, 1/2.
 */
static void coverage_shares_follow_the_observations(void **state)
{
    struct world *w = *state;
    struct hub_report *rep =
        build(w, w->focal_a, HUB_ROLE_FOCAL, HUB_REP_OUTLET, 1000, NULL, NULL,
              NULL, NULL);
    expect4(rep, "people_2fa", "", "1/3", "3/4", "3/3", "3/3");
    expect4(rep, "org_accounts_ok", "", "0/1", "0/1", "1/1", "1/1");
    expect4(rep, "devices_protected", "", "0/2", "0/2", "1/2", "1/2");
    assert_int_equal(hub_rep_permille(row_of(rep, "people_2fa", "", "M3")),
                     750);
}

/*
 * Training: M0 none; M3 S1: Aida, Bek, Daniyar of 4 (270 min = 4.5 h),
 * editorial 2/2 (210 min = 3.5 h), tech 1/1 (1.0 h), finance 0/1;
 * M6 S1+S2 for the three left: 3/3 (435 min = 7.3 h; Daniyar's hour is
 * gone with him), editorial 2/2 (390 min = 6.5 h), finance 1/1 (0.8 h);
 * as of: S3 adds Cholpon's 30 min: 465 min = 7.8 h, finance 75 = 1.3 h.
 */
static void training_counts_people_present_in_the_period(void **state)
{
    struct world *w = *state;
    struct hub_report *rep =
        build(w, w->focal_a, HUB_ROLE_FOCAL, HUB_REP_OUTLET, 1000, NULL, NULL,
              NULL, NULL);
    expect4(rep, "people_trained", "", "0/3", "3/4", "3/3", "3/3");
    expect4(rep, "people_trained", "editorial", "0/2", "2/2", "2/2", "2/2");
    expect4(rep, "people_trained", "finance", "0/0", "0/1", "1/1", "1/1");
    expect4(rep, "people_trained", "tech", "0/1", "1/1", "0/0", "0/0");
    expect4(rep, "people_trained", "admin", "0/0", "0/0", "0/0", "0/0");
    expect4(rep, "training_hours", "", "0.0", "4.5", "7.3", "7.8");
    expect4(rep, "training_hours", "editorial", "0.0", "3.5", "6.5", "6.5");
    expect4(rep, "training_hours", "finance", "0.0", "0.0", "0.8", "1.3");
    /* A period that ends before S3 leaves it out. */
    rep = build(w, w->focal_a, HUB_ROLE_FOCAL, HUB_REP_OUTLET, 1000,
                "2026-05-01", "2026-07-31", NULL, NULL);
    expect_row(rep, "people_trained", "", "as_of", "2/3");
    expect_row(rep, "training_hours", "", "as_of", "3.8");
}

/*
 * Findings open: M0 F1 (1); M3 F2, F4 open, F1 resolved (2 open, 1
 * resolved); M6 F4 archived, F2 and F3 open (2, 1); as of F3 resolved
 * (1, 2).
 */
static void findings_are_open_until_resolved(void **state)
{
    struct world *w = *state;
    struct hub_report *rep =
        build(w, w->focal_a, HUB_ROLE_FOCAL, HUB_REP_OUTLET, 1000, NULL, NULL,
              NULL, NULL);
    expect4(rep, "findings_open", "", "1", "2", "2", "1");
    expect4(rep, "findings_resolved", "", "0", "1", "1", "2");
}

/*
 * Incidents in the period: M0 none; M3 phishing 10 h and 5 h (median
 * 7.5); M6 + phishing 3 h (median 5.0) and account_hijacked 48 h; as of
 * + website_down, open.  All types at M6: 3, 5, 10, 48 -> 7.5.
 */
static void incidents_have_a_median_time_to_recover_by_type(void **state)
{
    struct world *w = *state;
    struct hub_report *rep =
        build(w, w->focal_a, HUB_ROLE_FOCAL, HUB_REP_OUTLET, 1000, NULL, NULL,
              NULL, NULL);
    expect4(rep, "incidents", "", "0", "2", "4", "5");
    expect4(rep, "incidents", "phishing", "0", "2", "3", "3");
    expect4(rep, "incidents", "account_hijacked", "0", "0", "1", "1");
    expect4(rep, "incidents", "website_down", "0", "0", "0", "1");
    expect4(rep, "incidents_recovered", "", "0/0", "2/2", "4/4", "4/5");
    expect4(rep, "recovery_median_hours", "phishing", "", "7.5", "5.0", "5.0");
    expect4(rep, "recovery_median_hours", "", "", "7.5", "7.5", "7.5");
    expect4(rep, "recovery_median_hours", "website_down", "", "", "", "");
    /* Types come sorted after "all types". */
    {
        size_t i = 0;
        int ind = ind_of("incidents");
        const char *order[] = {"", "account_hijacked", "phishing",
                               "website_down"};
        size_t k = 0;
        while (rep->rows[i].ind != ind)
            i++;
        for (; i < rep->n_rows && rep->rows[i].ind == ind; i += rep->n_points)
            assert_string_equal(rep->rows[i].group, order[k++]);
        assert_int_equal(k, 4);
    }
}

static void a_focal_point_counts_only_their_outlet(void **state)
{
    struct world *w = *state;
    struct hub_report *rep =
        build(w, w->focal_a, HUB_ROLE_FOCAL, HUB_REP_PROGRAMME, 0, NULL, NULL,
              NULL, NULL);
    assert_int_equal(rep->outlets, 1);
    expect_row(rep, "people_2fa", "", "as_of", "3/3");
    expect_row(rep, "people_trained", "admin", "as_of", "0/0");
    expect_row(rep, "findings_open", "", "as_of", "1");
    expect_row(rep, "incidents", "phishing", "as_of", "3");
    /* The assistant of A alike. */
    rep = build(w, w->assistant, HUB_ROLE_ASSISTANT, HUB_REP_PROGRAMME, 0, NULL,
                NULL, NULL, NULL);
    assert_int_equal(rep->outlets, 1);
    expect_row(rep, "training_hours", "", "as_of", "7.8");
}

/* The trainer's programme report adds B: Other (admin) covered and
 * trained 600 min (10.0 h), one more open finding, a phishing incident
 * of 100 h: phishing medians 10 h at M3 ({5, 10, 100}) and 7.5 h at M6
 * ({3, 5, 10, 100}). */
static void the_trainer_counts_every_outlet(void **state)
{
    struct world *w = *state;
    struct hub_report *rep =
        build(w, w->trainer, HUB_ROLE_TRAINER, HUB_REP_PROGRAMME, 0, NULL, NULL,
              NULL, NULL);
    assert_int_equal(rep->outlets, 2);
    expect4(rep, "people_2fa", "", "2/4", "4/5", "4/4", "4/4");
    expect4(rep, "people_trained", "admin", "0/1", "1/1", "1/1", "1/1");
    expect4(rep, "training_hours", "", "0.0", "14.5", "17.3", "17.8");
    expect4(rep, "findings_open", "", "1", "3", "3", "2");
    expect4(rep, "recovery_median_hours", "phishing", "", "10.0", "7.5", "7.5");
    assert_int_equal(rep->p.view, HUB_REP_FULL);
}

/* The donor sees the whole programme: 4 people (5 at M3, with Cholpon
 * and before Daniyar left), so every count of people is suppressed, but
 * the 5 registered at M3; accounts, devices, findings and incidents are
 * not people and stay. */
static void a_donor_gets_no_count_of_fewer_than_five_people(void **state)
{
    struct world *w = *state;
    struct hub_report *rep =
        build(w, w->donor, HUB_ROLE_DONOR, HUB_REP_PROGRAMME, 0, NULL, NULL,
              NULL, NULL);
    assert_int_equal(rep->p.view, HUB_REP_DONOR);
    expect4(rep, "people_2fa", "", "suppressed/suppressed", "suppressed/5",
            "suppressed/suppressed", "suppressed/suppressed");
    expect_row(rep, "people_trained", "editorial", "as_of",
               "suppressed/suppressed");
    expect_row(rep, "training_hours", "", "as_of", "suppressed");
    expect_row(rep, "devices_protected", "", "as_of", "1/2");
    expect_row(rep, "findings_open", "", "as_of", "2");
    expect_row(rep, "incidents", "phishing", "as_of", "4");
    for (size_t i = 0; i < rep->n_rows; i++) {
        const struct hub_rep_row *row = &rep->rows[i];
        if (row->ind == HUB_RI_PEOPLE_2FA || row->ind == HUB_RI_TRAINED ||
            row->ind == HUB_RI_HOURS) {
            assert_int_equal(row->value_state, HUB_RV_SUPPRESSED);
            assert_int_equal(row->value, 0);
        }
    }
    /* The trainer's donor view is the same report, with the same hash. */
    {
        char sha[65];
        memcpy(sha, rep->sha256, sizeof sha);
        rep = build(w, w->trainer, HUB_ROLE_TRAINER, HUB_REP_PROGRAMME, 0, NULL,
                    NULL, NULL, "donor");
        assert_string_equal(rep->sha256, sha);
    }
}

/* Rows built by hand for the donor view's rules. */
static void add(struct hub_report *rep, int ind, const char *group, int64_t v,
                int64_t of)
{
    struct hub_rep_row *row = &rep->rows[rep->n_rows++];
    memset(row, 0, sizeof *row);
    row->ind = ind;
    snprintf(row->group, sizeof row->group, "%s", group);
    row->value = v;
    row->of = of;
    row->of_state =
        hub_rep_inds[ind].kind == HUB_RK_SHARE ? HUB_RV_NUM : HUB_RV_NONE;
}

static void suppression_hides_small_cells_and_their_complements(void **state)
{
    struct hub_report *rep = calloc(1, sizeof *rep);
    (void)state;
    assert_non_null(rep);
    rep->n_points = 1;
    add(rep, HUB_RI_PEOPLE_2FA, "", 58, 60); /* complement 2: hidden */
    add(rep, HUB_RI_ORG_OK, "", 1, 2);       /* accounts: shown */
    add(rep, HUB_RI_TRAINED, "", 40, 60);
    add(rep, HUB_RI_TRAINED, "editorial", 30, 35);
    add(rep, HUB_RI_TRAINED, "admin", 3, 5); /* 3: hidden */
    add(rep, HUB_RI_TRAINED, "finance", 7, 10);
    add(rep, HUB_RI_TRAINED, "tech", 0, 4); /* of 4: both hidden */
    add(rep, HUB_RI_TRAINED, "management", 0, 6);
    add(rep, HUB_RI_TRAINED, "other", 0, 0);
    add(rep, HUB_RI_HOURS, "", 900, 0);
    add(rep, HUB_RI_HOURS, "editorial", 700, 0);
    add(rep, HUB_RI_HOURS, "admin", 50, 0);
    add(rep, HUB_RI_HOURS, "finance", 150, 0);
    add(rep, HUB_RI_HOURS, "tech", 0, 0);
    add(rep, HUB_RI_HOURS, "management", 0, 0);
    add(rep, HUB_RI_HOURS, "other", 0, 0);
    hub_report_suppress(rep);
    /* 58 of 60 would say that 2 people lack 2FA. */
    assert_int_equal(rep->rows[0].value_state, HUB_RV_SUPPRESSED);
    assert_int_equal(rep->rows[0].of_state, HUB_RV_NUM);
    assert_int_equal(rep->rows[1].value_state, HUB_RV_NUM);
    /* Trained: total 40/60 shown; editorial 30 of 35 (complement 5)
     * shown; admin 3 hidden, finance 7 of 10 (complement 3) hidden, tech
     * 0 of 4 hidden with its denominator, management 0 hidden. */
    assert_int_equal(rep->rows[2].value_state, HUB_RV_NUM);
    assert_int_equal(rep->rows[3].value_state, HUB_RV_NUM);
    assert_int_equal(rep->rows[4].value_state, HUB_RV_SUPPRESSED);
    assert_int_equal(rep->rows[4].of_state, HUB_RV_NUM);
    assert_int_equal(rep->rows[5].value_state, HUB_RV_SUPPRESSED);
    assert_int_equal(rep->rows[6].value_state, HUB_RV_SUPPRESSED);
    assert_int_equal(rep->rows[6].of_state, HUB_RV_SUPPRESSED);
    assert_int_equal(rep->rows[7].value_state, HUB_RV_SUPPRESSED);
    /* The denominators: tech (4) and other (0) hidden: two, so no more. */
    assert_int_equal(rep->rows[3].of_state, HUB_RV_NUM);
    assert_int_equal(rep->rows[5].of_state, HUB_RV_NUM);
    assert_int_equal(rep->rows[7].of_state, HUB_RV_NUM);
    /* Hours: only editorial (30 people) shows; finance has 7 trained. */
    assert_int_equal(rep->rows[9].value_state, HUB_RV_NUM);
    assert_int_equal(rep->rows[10].value_state, HUB_RV_NUM);
    assert_int_equal(rep->rows[11].value_state, HUB_RV_SUPPRESSED);
    assert_int_equal(rep->rows[12].value_state, HUB_RV_NUM);
    assert_int_equal(rep->rows[13].value_state, HUB_RV_SUPPRESSED);
    for (size_t i = 0; i < rep->n_rows; i++) {
        if (rep->rows[i].value_state == HUB_RV_SUPPRESSED)
            assert_int_equal(rep->rows[i].value, 0);
    }
    free(rep);
}

static void one_hidden_department_takes_the_smallest_other_with_it(void **state)
{
    struct hub_report *rep = calloc(1, sizeof *rep);
    (void)state;
    assert_non_null(rep);
    rep->n_points = 1;
    add(rep, HUB_RI_TRAINED, "", 30, 40);
    add(rep, HUB_RI_TRAINED, "editorial", 12, 12);
    add(rep, HUB_RI_TRAINED, "admin", 2, 8);   /* hidden */
    add(rep, HUB_RI_TRAINED, "finance", 6, 6); /* the smallest shown */
    add(rep, HUB_RI_TRAINED, "tech", 10, 14);  /* complement 4: hidden */
    hub_report_suppress(rep);
    /* admin and tech are hidden: two already, nothing more. */
    assert_int_equal(rep->rows[3].value_state, HUB_RV_NUM);
    rep->n_rows = 0;
    add(rep, HUB_RI_TRAINED, "", 30, 40);
    add(rep, HUB_RI_TRAINED, "editorial", 12, 12);
    add(rep, HUB_RI_TRAINED, "admin", 2, 8);   /* hidden */
    add(rep, HUB_RI_TRAINED, "finance", 6, 6); /* the smallest shown */
    add(rep, HUB_RI_TRAINED, "tech", 10, 10);
    hub_report_suppress(rep);
    assert_int_equal(rep->rows[2].value_state, HUB_RV_SUPPRESSED);
    assert_int_equal(rep->rows[3].value_state, HUB_RV_SUPPRESSED);
    assert_int_equal(rep->rows[1].value_state, HUB_RV_NUM);
    assert_int_equal(rep->rows[4].value_state, HUB_RV_NUM);
    free(rep);
}

static void the_median_rounds_tenths_of_hours_half_up(void **state)
{
    const int64_t one[] = {5400};            /* 1.5 h */
    const int64_t two[] = {3600, 7200};      /* 1.5 h */
    const int64_t odd[] = {60, 180, 100000}; /* 3 min: 0.05 h -> 0.1 */
    const int64_t tiny[] = {0, 170};         /* 85 s: 0.0236 h -> 0.0 */
    (void)state;
    assert_int_equal(hub_rep_median_tenths(NULL, 0), -1);
    assert_int_equal(hub_rep_median_tenths(one, 1), 15);
    assert_int_equal(hub_rep_median_tenths(two, 2), 15);
    assert_int_equal(hub_rep_median_tenths(odd, 3), 1);
    assert_int_equal(hub_rep_median_tenths(tiny, 2), 0);
}

static int64_t at(const char *iso)
{
    int64_t t;
    assert_int_equal(kk_parse_time(iso, &t), KK_OK);
    return t;
}

static void parameters_are_checked_and_defaulted(void **state)
{
    struct hub_rep_params p;
    const char *bad, *why;
    int64_t now = at("2026-08-15T12:00:00Z");
    int64_t start = at("2026-01-01T00:00:00Z");
    struct hub_rep_input in = {NULL, NULL, NULL, NULL, NULL, NULL};
    (void)state;
    assert_int_equal(
        hub_rep_params_parse(&in, now, start, HUB_REP_HTML, &p, &bad, &why),
        KK_OK);
    assert_string_equal(p.from, "2026-01-01");
    assert_string_equal(p.to, "2026-08-15");
    assert_string_equal(p.as_of, "2026-08-15");
    assert_int_equal(p.as_of_t, at("2026-08-15T23:59:59Z"));
    assert_int_equal(p.from_t, start);
    assert_int_equal(p.format, HUB_REP_HTML);
    assert_int_equal(p.lang, -1);
    assert_int_equal(p.view, HUB_REP_FULL);
    /* as_of before the programme: the period starts and ends there. */
    in.as_of = "2025-06-30";
    assert_int_equal(
        hub_rep_params_parse(&in, now, start, HUB_REP_HTML, &p, &bad, &why),
        KK_OK);
    assert_string_equal(p.from, "2025-06-30");
    assert_string_equal(p.to, "2025-06-30");
    in = (struct hub_rep_input){"2026-02-01", "2026-03-31", "2026-04-02",
                                "csv",        "ky",         "donor"};
    assert_int_equal(
        hub_rep_params_parse(&in, now, start, HUB_REP_HTML, &p, &bad, &why),
        KK_OK);
    assert_int_equal(p.format, HUB_REP_CSV);
    assert_int_equal(p.view, HUB_REP_DONOR);
    assert_int_equal(p.to_t, at("2026-03-31T23:59:59Z"));
    {
        static const struct {
            struct hub_rep_input in;
            const char *bad;
        } cases[] = {
            {{"2026-02-30", NULL, NULL, NULL, NULL, NULL}, "from"},
            {{"2026-2-01", NULL, NULL, NULL, NULL, NULL}, "from"},
            {{"1999-12-31", NULL, NULL, NULL, NULL, NULL}, "from"},
            {{NULL, "2026-08-15T00:00", NULL, NULL, NULL, NULL}, "to"},
            {{NULL, NULL, "2026-08-16", NULL, NULL, NULL}, "as_of"},
            {{NULL, NULL, "tomorrow", NULL, NULL, NULL}, "as_of"},
            {{"2026-05-01", "2026-04-30", NULL, NULL, NULL, NULL}, "to"},
            {{NULL, NULL, NULL, "xlsx", NULL, NULL}, "format"},
            {{NULL, NULL, NULL, NULL, "de", NULL}, "lang"},
            {{NULL, NULL, NULL, NULL, "ru-RU", NULL}, "lang"},
            {{NULL, NULL, NULL, NULL, NULL, "all"}, "view"},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            bad = why = NULL;
            assert_int_equal(hub_rep_params_parse(&cases[i].in, now, start,
                                                  HUB_REP_HTML, &p, &bad, &why),
                             KK_ERR_INVAL);
            assert_non_null(why);
            if (bad == NULL || strcmp(bad, cases[i].bad) != 0)
                fail_msg("case %zu: bad field %s, want %s", i,
                         bad != NULL ? bad : "(none)", cases[i].bad);
        }
    }
}

static void the_hash_is_sha256_of_the_canonical_content(void **state)
{
    struct world *w = *state;
    struct hub_report *rep =
        build(w, w->focal_a, HUB_ROLE_FOCAL, HUB_REP_OUTLET, 1000, NULL, NULL,
              NULL, NULL);
    struct kk_buf *b = kk_buf_new(1 << 20);
    unsigned char h[SHA256_DIGEST_LENGTH];
    char hex[65], sha[65];
    assert_non_null(b);
    assert_int_equal(hub_report_canon(rep, b), KK_OK);
    SHA256(kk_buf_data(b), kk_buf_len(b), h);
    for (size_t i = 0; i < sizeof h; i++)
        snprintf(hex + 2 * i, 3, "%02x", h[i]);
    assert_string_equal(rep->sha256, hex);
    /* The content starts as documented and holds every row. */
    {
        static const char head[] =
            "kalkan-report\t1\nscope\toutlet\noutlet\t1000\nview\tfull\n"
            "from\t2026-01-01\nto\t2026-08-15\nas_of\t2026-08-15\n"
            "start\t2026-01-01\noutlets\t1\npoint\tM0\t2026-01-01\n";
        assert_true(strncmp(kk_buf_str(b), head, strlen(head)) == 0);
    }
    assert_non_null(strstr(kk_buf_str(b), "\nrow\tpeople_2fa\t\tM3\t3\t4\n"));
    assert_non_null(strstr(kk_buf_str(b),
                           "\nrow\trecovery_median_hours\tphishing\tM3\t7.5"
                           "\t\n"));
    /* Same request, same hash; another language changes nothing. */
    memcpy(sha, rep->sha256, sizeof sha);
    w->r.lang = HUB_LANG_RU;
    rep = build(w, w->focal_a, HUB_ROLE_FOCAL, HUB_REP_OUTLET, 1000, NULL, NULL,
                NULL, NULL);
    w->r.lang = HUB_LANG_EN;
    assert_string_equal(rep->sha256, sha);
    /* Any figure changes it. */
    rep->rows[0].value++;
    assert_int_equal(hub_report_hash(rep), KK_OK);
    assert_string_not_equal(rep->sha256, sha);
    kk_buf_free(b);
}

struct walked {
    size_t lines, rows;
    char view[16];
};

static void walk_line(void *arg, const char *const *f, size_t n)
{
    struct walked *wk = arg;
    wk->lines++;
    if (n == 6 && strcmp(f[0], "row") == 0)
        wk->rows++;
    if (n == 2 && strcmp(f[0], "view") == 0)
        snprintf(wk->view, sizeof wk->view, "%s", f[1]);
}

static void the_content_reads_back_row_by_row(void **state)
{
    struct world *w = *state;
    struct hub_report *rep =
        build(w, w->trainer, HUB_ROLE_TRAINER, HUB_REP_PROGRAMME, 0, NULL, NULL,
              NULL, "donor");
    struct kk_buf *b = kk_buf_new(1 << 20);
    struct walked wk;
    char big[700];
    assert_non_null(b);
    assert_int_equal(hub_report_canon(rep, b), KK_OK);
    memset(&wk, 0, sizeof wk);
    assert_int_equal(
        hub_rep_canon_walk(kk_buf_str(b), kk_buf_len(b), walk_line, &wk),
        KK_OK);
    assert_int_equal(wk.rows, rep->n_rows);
    assert_int_equal(wk.lines, 9 + rep->n_points + rep->n_rows);
    assert_string_equal(wk.view, "donor");
    /* Refused: a line too long, too many fields, bytes that are not
     * UTF-8. */
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(hub_rep_canon_walk(big, strlen(big), walk_line, &wk),
                     KK_ERR_CORRUPT);
    assert_int_equal(
        hub_rep_canon_walk("a\tb\tc\td\te\tf\tg\th\ti", 17, walk_line, &wk),
        KK_ERR_CORRUPT);
    assert_int_equal(hub_rep_canon_walk("row\t\xff\n", 6, walk_line, &wk),
                     KK_ERR_CORRUPT);
    kk_buf_free(b);
}

static void json_and_csv_carry_the_same_rows_and_hash(void **state)
{
    struct world *w = *state;
    struct hub_report *rep =
        build(w, w->focal_a, HUB_ROLE_FOCAL, HUB_REP_OUTLET, 1000, NULL, NULL,
              NULL, NULL);
    struct hub_json *j = NULL;
    const struct hub_jv *rows;
    const char *csv;
    size_t lines = 0;
    kk_buf_reset(w->r.out);
    hub_report_json(&w->r, rep, "/reports/verify?sha256=x");
    assert_int_equal(w->r.err, KK_OK);
    assert_int_equal(
        hub_json_parse(kk_buf_str(w->r.out), kk_buf_len(w->r.out), &j, NULL),
        KK_OK);
    rows = hub_jv_get(hub_json_root(j), "rows");
    assert_int_equal(hub_jv_len(rows), rep->n_rows);
    assert_string_equal(hub_jv_str(hub_jv_get(hub_json_root(j), "sha256")),
                        rep->sha256);
    /* The training hours are a decimal number. */
    for (size_t i = 0; i < hub_jv_len(rows); i++) {
        const struct hub_jv *row = hub_jv_at(rows, i);
        if (strcmp(hub_jv_str(hub_jv_get(row, "indicator")), "people_2fa") ==
                0 &&
            strcmp(hub_jv_str(hub_jv_get(row, "point")), "M3") == 0) {
            int64_t v;
            assert_int_equal(hub_jv_i64(hub_jv_get(row, "permille"), &v),
                             KK_OK);
            assert_int_equal(v, 750);
        }
    }
    hub_json_free(j);
    kk_buf_reset(w->r.out);
    hub_report_csv(&w->r, rep, "/reports/verify?sha256=x");
    assert_int_equal(w->r.err, KK_OK);
    csv = kk_buf_str(w->r.out);
    for (const char *p = csv; (p = strstr(p, "\r\n")) != NULL; p += 2)
        lines++;
    /* The header, 9 lines about the report, the rows, the hash and the
     * link (outlet reports add the outlet and its name). */
    assert_int_equal(lines, 1 + 8 + 2 + rep->n_rows + 2);
    assert_non_null(strstr(csv, rep->sha256));
    assert_non_null(
        strstr(csv, "\r\npeople_2fa,,M3,2026-04-01,3,4,75.0,People with 2FA "
                    "on everything,\r\n"));
}

/* More incident types than departments: every type has its rows (this
 * once read past the department table under the sanitizers).  Runs
 * last: it adds eight incidents to B. */
static void every_incident_type_seen_gets_its_rows(void **state)
{
    static const char *const types[] = {
        "device_lost", "device_seized", "harassment",      "legal_threat",
        "malware",     "page_blocked",  "physical_attack", "website_hacked",
    };
    struct world *w = *state;
    struct hub_report *rep;
    size_t groups = 0;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "INSERT INTO incidents (id, outlet_id, type, title_sealed, "
                 "occurred_at, reported_at, created_at) VALUES (%zu, 2000, "
                 "'%s', X'00', 0, unixepoch('2026-07-02'), 0)",
                 5100 + i, types[i]);
        assert_int_equal(sqlite3_exec(w->conn->db, sql, NULL, NULL, NULL),
                         SQLITE_OK);
    }
    rep = build(w, w->trainer, HUB_ROLE_TRAINER, HUB_REP_PROGRAMME, 0, NULL,
                NULL, NULL, NULL);
    for (size_t i = 0; i < rep->n_rows; i++) {
        if (rep->rows[i].ind == HUB_RI_MEDIAN && rep->rows[i].point == 0)
            groups++;
    }
    assert_int_equal(groups, 1 + 3 + 8);
    expect4(rep, "incidents", "website_hacked", "0", "0", "0", "1");
    expect4(rep, "incidents_recovered", "website_hacked", "0/0", "0/0", "0/0",
            "0/1");
    expect4(rep, "recovery_median_hours", "website_hacked", "", "", "", "");
    expect_row(rep, "incidents", "", "as_of", "14");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_points_are_months_0_3_and_6_and_the_date),
        cmocka_unit_test(coverage_shares_follow_the_observations),
        cmocka_unit_test(training_counts_people_present_in_the_period),
        cmocka_unit_test(findings_are_open_until_resolved),
        cmocka_unit_test(incidents_have_a_median_time_to_recover_by_type),
        cmocka_unit_test(a_focal_point_counts_only_their_outlet),
        cmocka_unit_test(the_trainer_counts_every_outlet),
        cmocka_unit_test(a_donor_gets_no_count_of_fewer_than_five_people),
        cmocka_unit_test(the_hash_is_sha256_of_the_canonical_content),
        cmocka_unit_test(the_content_reads_back_row_by_row),
        cmocka_unit_test(json_and_csv_carry_the_same_rows_and_hash),
        cmocka_unit_test(suppression_hides_small_cells_and_their_complements),
        cmocka_unit_test(
            one_hidden_department_takes_the_smallest_other_with_it),
        cmocka_unit_test(the_median_rounds_tenths_of_hours_half_up),
        cmocka_unit_test(parameters_are_checked_and_defaulted),
        cmocka_unit_test(every_incident_type_seen_gets_its_rows),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
