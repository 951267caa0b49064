/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_training.c - training: the standard curriculum and its reader,
 * hours typed in a form, control lists, titles in the reader's language;
 * who may record attendance for which session and whom, what each role
 * sees of a session shared by two outlets, the progress figures, and the
 * demo's training rows.
 *
 * The statements run as real users over a real database (two outlets, a
 * session of each and one they share), through the same hub_scoped() the
 * pages use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hub_int.h"
#include "hub_test.h"
#include "kalkan/hub.h"
#include "model.h"
#include "training.h"

/* --- the curriculum --- */

static void the_standard_curriculum_is_complete_in_three_languages(void **st)
{
    struct kk_diag d = {.msg = ""};
    const struct hub_curriculum *c;
    (void)st;
    assert_int_equal(hub_curriculum_init(&d), KK_OK);
    c = hub_curriculum_builtin();
    assert_non_null(c);
    assert_int_equal(hub_curriculum_len(c), 10);
    assert_int_equal(hub_curriculum_check(c, hub_catalogue_builtin(), &d),
                     KK_OK);
    for (size_t i = 0; i < hub_curriculum_len(c); i++) {
        const struct hub_module_std *m = hub_curriculum_at(c, i);
        assert_true(hub_module_code_ok(m->code));
        assert_true(m->minutes >= 60 && m->minutes <= 480);
        for (int l = 0; l < HUB_LANG_COUNT; l++) {
            assert_true(strlen(m->title[l]) > 5);
            assert_true(strlen(m->summary[l]) > 40);
        }
        /* Translated, not copied: Russian and Kyrgyz differ from English
         * (Telegram and WhatsApp are names in every language). */
        assert_string_not_equal(m->summary[HUB_LANG_RU],
                                m->summary[HUB_LANG_EN]);
        assert_string_not_equal(m->summary[HUB_LANG_KY],
                                m->summary[HUB_LANG_RU]);
    }
    /* The topics the programme asks for. */
    assert_non_null(hub_curriculum_find(c, "S01-2FA"));
    assert_non_null(hub_curriculum_find(c, "S02-FBPAGE"));
    assert_non_null(hub_curriculum_find(c, "S10-INCIDENT"));
}

#define MOD(extra)                                                             \
    "[S01-A]\nminutes = 60\naudience = all\ncontrols = ACC-01\n"               \
    "title.en = A\ntitle.ru = Б\ntitle.ky = В\nsummary.en = a\n"             \
    "summary.ru = б\nsummary.ky = в\n" extra

static void a_broken_curriculum_is_refused_with_its_line(void **st)
{
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"[S01-A]\nminutes = 60\n", "line 1: module S01-A has no audience"},
        {MOD("[S01-A]\n"), "line 11: module S01-A again (first at line 1)"},
        {"[1BAD]\n", "line 1: a code is"},
        {"[S01-A]\ncolour = red\n", "line 2: unknown key"},
        {"[S01-A]\naudience = everybody\n", "line 2: unknown audience"},
        {"[S01-A]\nminutes = 10\n", "line 2: minutes must be"},
        {"[S01-A]\ncontrols = ACC_01\n", "line 2: controls is a list"},
        {"[S01-A]\nminutes = 60\nminutes = 61\n", "line 3: minutes set twice"},
        {"[S01-A]\ntitle.en =\n", "line 2: title.en is empty"},
        {"[S01-A]\ntitle.en = a\\tb\n", "line 2: unknown escape"},
        {"minutes = 60\n", "line 1: a field before the first [CODE]"},
        {"# nothing\n", "no modules"},
        {"[S01-A]\ntitle.en = \xff\n", "line 2: invalid UTF-8"},
    };
    (void)st;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct hub_curriculum *c = NULL;
        struct kk_diag d = {.msg = ""};
        int err =
            hub_curriculum_parse(bad[i].text, strlen(bad[i].text), &c, &d);
        if (err == KK_OK || c != NULL ||
            strncmp(d.msg, bad[i].msg, strlen(bad[i].msg)) != 0)
            fail_msg("case %zu: %d \"%s\", want \"%s\"", i, err, d.msg,
                     bad[i].msg);
    }
}

static void a_module_teaching_an_unknown_control_fails_the_check(void **st)
{
    static const char text[] =
        "[S01-A]\nminutes = 60\naudience = all\ncontrols = ACC-01, ZZZ-99\n"
        "title.en = A\ntitle.ru = Б\ntitle.ky = В\nsummary.en = a\n"
        "summary.ru = б\nsummary.ky = в\n";
    struct hub_curriculum *c = NULL;
    struct kk_diag d = {.msg = ""};
    (void)st;
    assert_int_equal(hub_curriculum_parse(text, strlen(text), &c, &d), KK_OK);
    assert_string_equal(hub_curriculum_at(c, 0)->controls, "ACC-01,ZZZ-99");
    assert_int_equal(hub_curriculum_check(c, hub_catalogue_builtin(), &d),
                     KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "ZZZ-99"));
    hub_curriculum_free(c);
}

static void hours_typed_in_a_form_become_minutes(void **st)
{
    static const struct {
        const char *in;
        int err;
        int64_t minutes;
    } cases[] = {
        {"3", KK_OK, 180},          {"2.5", KK_OK, 150},
        {"2,5", KK_OK, 150},        {"0.25", KK_OK, 15},
        {"1.33", KK_OK, 80},        {"0", KK_OK, 0},
        {"8", KK_OK, 480},          {"8.01", KK_ERR_RANGE, 0},
        {"", KK_ERR_INVAL, 0},      {"2.", KK_ERR_INVAL, 0},
        {".5", KK_ERR_INVAL, 0},    {"-1", KK_ERR_INVAL, 0},
        {"1.234", KK_ERR_INVAL, 0}, {"3h", KK_ERR_INVAL, 0},
        {"99999", KK_ERR_INVAL, 0}, {"1 ", KK_ERR_INVAL, 0},
    };
    (void)st;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t m = -1;
        int err = hub_hours_parse(cases[i].in, 480, &m);
        if (err != cases[i].err || (err == KK_OK && m != cases[i].minutes))
            fail_msg("\"%s\": %d %lld", cases[i].in, err, (long long)m);
    }
}

static void hours_are_written_the_way_people_read_them(void **st)
{
    static const struct {
        int64_t minutes;
        const char *out;
    } cases[] = {
        {0, "0"},     {180, "3"},    {150, "2.5"},  {75, "1.25"},
        {80, "1.33"}, {599, "9.98"}, {6300, "105"},
    };
    char buf[32];
    (void)st;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hub_training_hours(buf, sizeof buf, cases[i].minutes);
        assert_string_equal(buf, cases[i].out);
    }
}

static void control_lists_are_checked_against_the_catalogue(void **st)
{
    char out[256];
    (void)st;
    assert_int_equal(
        hub_controls_normalise(" acc-01,ACC-03  ACC-01,", out, sizeof out),
        KK_OK);
    assert_string_equal(out, "ACC-01,ACC-03");
    assert_int_equal(hub_controls_normalise("", out, sizeof out), KK_OK);
    assert_string_equal(out, "");
    assert_int_equal(hub_controls_normalise("ACC-01, ZZZ-01", out, sizeof out),
                     KK_ERR_INVAL);
    assert_int_equal(hub_controls_normalise("ACC-01; DEV-02", out, sizeof out),
                     KK_ERR_INVAL);
}

static void
a_standard_module_speaks_the_readers_language_until_rewritten(void **st)
{
    const struct hub_module_std *m =
        hub_curriculum_find(hub_curriculum_builtin(), "S01-2FA");
    (void)st;
    assert_non_null(m);
    assert_string_equal(
        hub_module_title(HUB_LANG_RU, "S01-2FA", m->title[HUB_LANG_EN]),
        m->title[HUB_LANG_RU]);
    assert_string_equal(
        hub_module_title(HUB_LANG_KY, "S01-2FA", m->title[HUB_LANG_EN]),
        m->title[HUB_LANG_KY]);
    /* The trainer's own words win. */
    assert_string_equal(hub_module_title(HUB_LANG_RU, "S01-2FA", "Our 2FA day"),
                        "Our 2FA day");
    assert_string_equal(hub_module_summary(HUB_LANG_RU, "S01-2FA",
                                           m->title[HUB_LANG_EN],
                                           "Changed summary"),
                        "Changed summary");
    assert_string_equal(hub_module_title(HUB_LANG_RU, "X-OWN", "Own"), "Own");
}

/* --- sessions and attendance, as real users --- */

struct world {
    char dir[64], path[128];
    struct hub_db *db;
    sqlite3 *raw;
    struct hub_conn *c;
    int64_t trainer, assistant, focal, staff;
};

static void exec_raw(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err);
}

static int64_t q_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    struct kk_diag d = {.msg = ""};
    assert_non_null(w);
    assert_true(
        hub_test_dir("train", w->dir, sizeof w->dir, w->path, sizeof w->path));
    assert_int_equal(hub_db_open(w->path, &w->db, &d), KK_OK);
    assert_int_equal(sqlite3_open(w->path, &w->raw), SQLITE_OK);
    sqlite3_busy_timeout(w->raw, 5000);
    /* Outlet A (ids 1xxx) with an editor and an accountant, outlet B
     * (2xxx) with one person; sessions of A alone (3001), of B alone
     * (3003) and of both (3002). */
    exec_raw(w->raw,
             "INSERT INTO outlets (id, slug, name, media, created_at) VALUES "
             "(1000, 'a', 'Outlet A', 'web', 0), (2000, 'b', 'Outlet B', "
             "'tv', 0);"
             "INSERT INTO people (id, outlet_id, name, department, email, "
             "created_at) VALUES (1001, 1000, 'Aida', 'editorial', "
             "'aida@a.example', 0), (1002, 1000, 'Bolot', 'finance', '', 0), "
             "(2001, 2000, 'Cholpon', 'editorial', '', 0);"
             "INSERT INTO modules (id, code, title, minutes, created_at) "
             "VALUES (5001, 'M1', 'Module one', 120, 0), (5002, 'M2', "
             "'Module two', 60, 0);"
             "INSERT INTO training_sessions (id, title, held_on, days, "
             "created_at) VALUES (3001, 'A only', '2026-06-01', 1, 0), "
             "(3002, 'A and B', '2026-07-01', 2, 0), (3003, 'B only', "
             "'2026-08-01', 1, 0);"
             "INSERT INTO session_outlets VALUES (3001, 1000), (3002, 1000), "
             "(3002, 2000), (3003, 2000);"
             "INSERT INTO session_modules VALUES (3001, 5001), (3002, 5001), "
             "(3002, 5002);"
             "INSERT INTO attendance (session_id, person_id, outlet_id, "
             "present, minutes, pre_score, post_score) VALUES (3002, 2001, "
             "2000, 1, 120, 30, 70), (3002, 1001, 1000, 1, 180, 40, 90), "
             "(3002, 1002, 1000, 0, 0, NULL, NULL);");
    assert_int_equal(hub_user_add(w->db, "t@x.example", "trainer", NULL,
                                  "a long password", NULL, 0, &w->trainer, &d),
                     KK_OK);
    assert_int_equal(hub_user_add(w->db, "as@x.example", "assistant", "a",
                                  "a long password", NULL, 0, &w->assistant,
                                  &d),
                     KK_OK);
    assert_int_equal(hub_user_add(w->db, "f@a.example", "focal", "a",
                                  "a long password", NULL, 0, &w->focal, &d),
                     KK_OK);
    assert_int_equal(hub_user_add(w->db, "aida@a.example", "staff", "a",
                                  "a long password", NULL, 0, &w->staff, &d),
                     KK_OK);
    assert_int_equal(hub_conn_get(w->db, &w->c), KK_OK);
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

static void as(struct hub_req *r, const struct world *w, int64_t user, int role,
               int64_t person)
{
    memset(r, 0, sizeof *r);
    r->db = w->c;
    r->who.user_id = user;
    r->who.role = role;
    r->who.person_id = person;
}

/* Runs HUB_Q_TR_ATTEND_SET as r for (session, person); rows changed. */
static int record(struct hub_req *r, int64_t session, int64_t person)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_TR_ATTEND_SET);
    assert_non_null(st);
    hub_bind_i64(st, ":session", session);
    hub_bind_i64(st, ":person", person);
    hub_bind_i64(st, ":present", 1);
    hub_bind_i64(st, ":minutes", 60);
    hub_bind_null(st, ":pre");
    hub_bind_null(st, ":post");
    assert_int_equal(hub_exec(st), KK_OK);
    return sqlite3_changes(r->db->db);
}

static void an_assistant_records_only_sessions_all_theirs(void **state)
{
    struct world *w = *state;
    struct hub_req r;
    as(&r, w, w->assistant, HUB_ROLE_ASSISTANT, 0);
    assert_int_equal(record(&r, 3001, 1002), 1);
    /* The shared session is not theirs to change, even for A's people. */
    assert_int_equal(record(&r, 3002, 1002), 0);
    assert_int_equal(record(&r, 3003, 2001), 0);
    as(&r, w, w->trainer, HUB_ROLE_TRAINER, 0);
    assert_int_equal(record(&r, 3002, 1002), 1);
    /* A focal point reads attendance but writes none. */
    as(&r, w, w->focal, HUB_ROLE_FOCAL, 0);
    assert_int_equal(record(&r, 3001, 1001), 0);
}

static void a_person_outside_the_sessions_outlets_is_refused(void **state)
{
    struct world *w = *state;
    struct hub_req r;
    int64_t before = q_int(w->raw, "SELECT count(*) FROM attendance");
    as(&r, w, w->trainer, HUB_ROLE_TRAINER, 0);
    /* B's person in A's session, a person who does not exist, a session
     * that does not exist: nothing is written. */
    assert_int_equal(record(&r, 3001, 2001), 0);
    assert_int_equal(record(&r, 3001, 9999), 0);
    assert_int_equal(record(&r, 9999, 1001), 0);
    assert_int_equal(q_int(w->raw, "SELECT count(*) FROM attendance"), before);
}

/* The people on a session's sheet as r sees it, as "id,id,". */
static void sheet_of(struct hub_req *r, int64_t session, char *out, size_t cap)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_TR_SHEET);
    size_t n = 0;
    out[0] = '\0';
    assert_non_null(st);
    hub_bind_i64(st, ":session", session);
    while (sqlite3_step(st) == SQLITE_ROW)
        n += (size_t)snprintf(out + n, cap - n, "%lld,",
                              (long long)sqlite3_column_int64(st, 0));
    sqlite3_reset(st);
}

static void a_shared_session_shows_each_reader_their_outlets_only(void **state)
{
    struct world *w = *state;
    struct hub_req r;
    char ids[256];
    as(&r, w, w->trainer, HUB_ROLE_TRAINER, 0);
    sheet_of(&r, 3002, ids, sizeof ids);
    assert_string_equal(ids, "1001,1002,2001,");
    as(&r, w, w->assistant, HUB_ROLE_ASSISTANT, 0);
    sheet_of(&r, 3002, ids, sizeof ids);
    assert_string_equal(ids, "1001,1002,");
    as(&r, w, w->focal, HUB_ROLE_FOCAL, 0);
    sheet_of(&r, 3002, ids, sizeof ids);
    assert_string_equal(ids, "1001,1002,");
    /* Staff: their own row. */
    as(&r, w, w->staff, HUB_ROLE_STAFF, 1001);
    sheet_of(&r, 3002, ids, sizeof ids);
    assert_string_equal(ids, "1001,");
    /* B's session: nothing at all for A's users. */
    as(&r, w, w->focal, HUB_ROLE_FOCAL, 0);
    sheet_of(&r, 3003, ids, sizeof ids);
    assert_string_equal(ids, "");
}

static int64_t sessions_seen(struct hub_req *r, int64_t *present_3002)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_TR_SESSIONS);
    int64_t n = 0;
    assert_non_null(st);
    hub_bind_i64(st, ":all", 0);
    hub_bind_i64(st, ":limit", 100);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (sqlite3_column_int64(st, 0) == 3002)
            *present_3002 = sqlite3_column_int64(st, 9);
        n++;
    }
    sqlite3_reset(st);
    return n;
}

static void a_session_of_another_outlet_is_not_there(void **state)
{
    struct world *w = *state;
    struct hub_req r;
    sqlite3_stmt *st;
    int64_t present = -1;
    as(&r, w, w->focal, HUB_ROLE_FOCAL, 0);
    /* Two sessions include A; the shared one counts A's people only. */
    assert_int_equal(sessions_seen(&r, &present), 2);
    assert_int_equal(present, 1);
    as(&r, w, w->trainer, HUB_ROLE_TRAINER, 0);
    assert_int_equal(sessions_seen(&r, &present), 3);
    assert_int_equal(present, 2);
    as(&r, w, w->focal, HUB_ROLE_FOCAL, 0);
    st = hub_scoped(&r, HUB_Q_TR_SESSION);
    hub_bind_i64(st, ":id", 3003);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_reset(st);
    /* The shared one is visible to A's focal point, and not writable. */
    st = hub_scoped(&r, HUB_Q_TR_SESSION);
    hub_bind_i64(st, ":id", 3002);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 9), 0);
    sqlite3_reset(st);
}

static void progress_counts_people_present_and_their_scores(void **state)
{
    struct world *w = *state;
    struct hub_req r;
    sqlite3_stmt *st;
    int rows = 0;
    as(&r, w, w->focal, HUB_ROLE_FOCAL, 0);
    st = hub_scoped(&r, HUB_Q_TR_PROGRESS_PEOPLE);
    hub_bind_i64(st, ":outlet", 1000);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        rows++;
        if (id == 1001) { /* present at the shared session, both quizzes */
            assert_int_equal(sqlite3_column_int64(st, 3), 1);
            assert_int_equal(sqlite3_column_int64(st, 4), 180);
            assert_int_equal(sqlite3_column_int64(st, 5), 40);
            assert_int_equal(sqlite3_column_int64(st, 6), 90);
            assert_int_equal(sqlite3_column_int64(st, 7), 1);
            assert_int_equal(sqlite3_column_int64(st, 8), 2); /* M1, M2 */
        } else { /* absent: untrained */
            assert_int_equal(id, 1002);
            assert_int_equal(sqlite3_column_int64(st, 3), 0);
        }
    }
    sqlite3_reset(st);
    assert_int_equal(rows, 2);
    /* B's outlet through A's focal point: nothing. */
    st = hub_scoped(&r, HUB_Q_TR_PROGRESS_PEOPLE);
    hub_bind_i64(st, ":outlet", 2000);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_reset(st);
    /* An archived session no longer counts. */
    exec_raw(w->raw, "UPDATE training_sessions SET archived_at = 1 WHERE "
                     "id = 3002");
    st = hub_scoped(&r, HUB_Q_TR_PROGRESS_PEOPLE);
    hub_bind_i64(st, ":outlet", 1000);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(st, 3), 0);
    sqlite3_reset(st);
}

static void modules_not_covered_are_those_nobody_attended(void **state)
{
    struct world *w = *state;
    struct hub_req r;
    sqlite3_stmt *st;
    char codes[64] = "";
    as(&r, w, w->focal, HUB_ROLE_FOCAL, 0);
    /* Aida attended M1 and M2 at the shared session; only a present person
     * covers a module, so an absent one changes nothing. */
    exec_raw(w->raw, "INSERT INTO modules (id, code, title, minutes, "
                     "created_at) VALUES (5003, 'M3', 'Three', 60, 0)");
    st = hub_scoped(&r, HUB_Q_TR_PROGRESS_UNCOVERED);
    hub_bind_i64(st, ":outlet", 1000);
    while (sqlite3_step(st) == SQLITE_ROW) {
        size_t n = strlen(codes);
        snprintf(codes + n, sizeof codes - n, "%s,", hub_col_text(st, 1));
    }
    sqlite3_reset(st);
    assert_string_equal(codes, "M3,");
}

/* --- the demo --- */

static void the_demo_trains_most_people_but_not_the_papers_finance(void **s)
{
    char dir[64], path[128];
    struct hub_db *db = NULL;
    struct kk_buf *logins = kk_buf_new(1 << 16);
    struct kk_diag d = {.msg = ""};
    sqlite3 *raw = NULL;
    (void)s;
    assert_true(hub_test_dir("traindemo", dir, sizeof dir, path, sizeof path));
    assert_int_equal(hub_db_open(path, &db, &d), KK_OK);
    assert_int_equal(
        hub_demo_fill(db, 20261128, INT64_C(1795910400), logins, &d), KK_OK);
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM modules"), 10);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM training_sessions"), 4);
    /* Most people present at least once. */
    assert_true(q_int(raw, "SELECT count(DISTINCT person_id) FROM attendance "
                           "WHERE present = 1") >=
                q_int(raw, "SELECT count(*) FROM people") * 7 / 10);
    /* Scores rise from before to after. */
    assert_int_equal(q_int(raw, "SELECT count(*) FROM attendance WHERE "
                                "post_score <= pre_score"),
                     0);
    /* The print outlet's finance department: nobody trained. */
    assert_int_equal(
        q_int(raw, "SELECT count(*) FROM attendance a JOIN people p ON p.id "
                   "= a.person_id JOIN outlets o ON o.id = p.outlet_id WHERE "
                   "o.media = 'print' AND p.department = 'finance' AND "
                   "a.present = 1"),
        0);
    assert_true(q_int(raw, "SELECT count(*) FROM people p JOIN outlets o ON "
                           "o.id = p.outlet_id WHERE o.media = 'print' AND "
                           "p.department = 'finance'") > 0);
    /* Every other department of every outlet has someone trained. */
    assert_int_equal(
        q_int(raw,
              "SELECT count(*) FROM (SELECT DISTINCT p.outlet_id, "
              "p.department FROM people p JOIN outlets o ON o.id = "
              "p.outlet_id WHERE NOT (o.media = 'print' AND p.department = "
              "'finance') AND NOT EXISTS (SELECT 1 FROM attendance a JOIN "
              "people q ON q.id = a.person_id WHERE a.present = 1 AND "
              "q.outlet_id = p.outlet_id AND q.department = p.department))"),
        0);
    /* The planned session has no attendance yet. */
    assert_int_equal(q_int(raw, "SELECT count(*) FROM attendance a JOIN "
                                "training_sessions s ON s.id = a.session_id "
                                "WHERE s.held_on > '2026-11-28'"),
                     0);
    sqlite3_close(raw);
    hub_db_close(db);
    kk_buf_free(logins);
    hub_test_dir_remove(dir);
}

int main(void)
{
    struct kk_diag d = {.msg = ""};
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            the_standard_curriculum_is_complete_in_three_languages),
        cmocka_unit_test(a_broken_curriculum_is_refused_with_its_line),
        cmocka_unit_test(a_module_teaching_an_unknown_control_fails_the_check),
        cmocka_unit_test(hours_typed_in_a_form_become_minutes),
        cmocka_unit_test(hours_are_written_the_way_people_read_them),
        cmocka_unit_test(control_lists_are_checked_against_the_catalogue),
        cmocka_unit_test(
            a_standard_module_speaks_the_readers_language_until_rewritten),
        cmocka_unit_test_setup_teardown(
            an_assistant_records_only_sessions_all_theirs, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_person_outside_the_sessions_outlets_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_shared_session_shows_each_reader_their_outlets_only, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            a_session_of_another_outlet_is_not_there, setup, teardown),
        cmocka_unit_test_setup_teardown(
            progress_counts_people_present_and_their_scores, setup, teardown),
        cmocka_unit_test_setup_teardown(
            modules_not_covered_are_those_nobody_attended, setup, teardown),
        cmocka_unit_test(
            the_demo_trains_most_people_but_not_the_papers_finance),
    };
    if (hub_i18n_init(&d) != KK_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
