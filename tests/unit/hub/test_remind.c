/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_remind.c - reminders: the panel lists exactly what needs attention
 * in the caller's scope (checked against counts computed from the raw
 * rows, the stale observations by brute force over the whole log), the
 * latest-observation table follows every insert and every archiving, the
 * daily e-mail goes to each user with their scope only, once a day, is
 * recorded only when a relay (a thread of the test) accepted it, and a
 * dead or silent relay neither records anything nor holds the
 * housekeeping thread when the server stops.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "hub_int.h"
#include "hub_test.h"
#include "i18n.h"
#include "kalkan/hub.h"
#include "kalkan/hub_remind.h"
#include "model.h"
#include "programme.h"

/* "Now" for every test: 2026-11-29 12:00 UTC. */
#define NOW INT64_C(1795953600)
#define DAY INT64_C(86400)

struct world {
    char dir[64], path[128];
    struct hub_db *db;
    sqlite3 *raw;
    struct hub_conn *c;
    int64_t trainer, assistant, focal_a, focal_b, focal_c;
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

static void obs(sqlite3 *db, int64_t outlet, const char *stype, int64_t sid,
                const char *control, int64_t at, int64_t expires)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO observations (outlet_id, subject_type, subject_id, "
             "control_id, status, source, observed_at, expires_at) VALUES "
             "(%lld, '%s', %lld, '%s', 'pass', 'manual', %lld, %lld)",
             (long long)outlet, stype, (long long)sid, control, (long long)at,
             (long long)expires);
    exec_raw(db, sql);
}

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    struct kk_diag d = {.msg = ""};
    assert_non_null(w);
    assert_true(
        hub_test_dir("remind", w->dir, sizeof w->dir, w->path, sizeof w->path));
    assert_int_equal(hub_db_open(w->path, &w->db, &d), KK_OK);
    assert_int_equal(sqlite3_open(w->path, &w->raw), SQLITE_OK);
    sqlite3_busy_timeout(w->raw, 5000);
    /* A (1xxx) has one of everything that needs attention and one of
     * everything that does not; B (2xxx) has its own; C (3000) nothing. */
    exec_raw(
        w->raw,
        "INSERT INTO outlets (id, slug, name, media, created_at) VALUES "
        "(1000, 'a', 'Outlet A', 'web', 0), (2000, 'b', 'Outlet B', 'tv', "
        "0), (3000, 'c', 'Outlet C', 'radio', 0);"
        "INSERT INTO people (id, outlet_id, name, department, created_at, "
        "archived_at) VALUES (1001, 1000, 'Aida', 'editorial', 0, NULL), "
        "(1002, 1000, 'Left Already', 'finance', 0, 5), (2001, 2000, "
        "'Bakyt', 'tech', 0, NULL);"
        "INSERT INTO devices (id, outlet_id, kind, ownership, asset_tag, "
        "created_at) VALUES (1101, 1000, 'laptop', 'office', 'A-LAP-1', 0), "
        "(2101, 2000, 'desktop', 'office', 'B-DESK-1', 0);"
        "INSERT INTO tasks (id, outlet_id, title, due, status, created_at) "
        "VALUES (1201, 1000, 'A overdue task', '2026-11-20', 'open', 0), "
        "(1202, 1000, 'A task due soon', '2026-12-02', 'open', 0), "
        "(1203, 1000, 'A task due later', '2026-12-20', 'open', 0), "
        "(1204, 1000, 'A done task', '2026-11-01', 'done', 0), "
        "(1205, 1000, 'A task without date', '', 'open', 0), "
        "(2201, 2000, 'B overdue task', '2026-11-10', 'open', 0);"
        "INSERT INTO licences (id, outlet_id, product, type, expires, "
        "created_at, archived_at) VALUES (1301, 1000, 'A Office soon', "
        "'retail', '2026-12-09', 0, NULL), (1302, 1000, 'A Antivirus "
        "lapsed', 'subscription', '2026-11-01', 0, NULL), (1303, 1000, "
        "'A Windows later', 'oem', '2027-03-01', 0, NULL), (1304, 1000, "
        "'A Archived lapsed', 'retail', '2026-01-01', 0, 7), (2301, 2000, "
        "'B Suite lapsed', 'retail', '2026-10-01', 0, NULL);"
        "INSERT INTO incidents (id, outlet_id, type, title_sealed, status, "
        "occurred_at, reported_at, recovered_at, created_at) VALUES "
        "(1401, 1000, 'phishing', X'00', 'open', 1795600000, 1795694400, "
        "NULL, 0), (1402, 1000, 'website_down', X'00', 'recovered', 1, 1, "
        "2, 0), (2401, 2000, 'page_blocked', X'00', 'contained', 1, "
        "1795000000, NULL, 0);");
    /* Observations: Aida's ACC-01 went stale, then was checked again (not
     * stale); the laptop's DEV-06 is stale; the archived person's too (not
     * listed); B's desktop is stale; a back-dated late entry does not
     * replace a newer one. */
    obs(w->raw, 1000, "person", 1001, "ACC-01", NOW - 200 * DAY,
        NOW - 110 * DAY);
    obs(w->raw, 1000, "person", 1001, "ACC-01", NOW - 10 * DAY, NOW + 80 * DAY);
    obs(w->raw, 1000, "device", 1101, "DEV-06", NOW - 40 * DAY, NOW - 10 * DAY);
    obs(w->raw, 1000, "person", 1002, "ACC-14", NOW - 100 * DAY,
        NOW - 20 * DAY);
    obs(w->raw, 2000, "device", 2101, "DEV-05", NOW - 5 * DAY, NOW - 3 * DAY);
    obs(w->raw, 1000, "person", 1001, "ACC-01", NOW - 300 * DAY,
        NOW - 200 * DAY);
    assert_int_equal(hub_user_add(w->db, "t@x.example", "trainer", NULL,
                                  "a long password", NULL, 0, &w->trainer, &d),
                     KK_OK);
    assert_int_equal(hub_user_add(w->db, "as@x.example", "assistant", "a",
                                  "a long password", NULL, 0, &w->assistant,
                                  &d),
                     KK_OK);
    assert_int_equal(hub_user_add(w->db, "fa@a.example", "focal", "a",
                                  "a long password", NULL, 0, &w->focal_a, &d),
                     KK_OK);
    assert_int_equal(hub_user_add(w->db, "fb@b.example", "focal", "b",
                                  "a long password", NULL, 0, &w->focal_b, &d),
                     KK_OK);
    assert_int_equal(hub_user_add(w->db, "fc@c.example", "focal", "c",
                                  "a long password", NULL, 0, &w->focal_c, &d),
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

static void as(struct hub_req *r, const struct world *w, int64_t user, int role)
{
    memset(r, 0, sizeof *r);
    r->db = w->c;
    r->who.user_id = user;
    r->who.role = role;
    r->out = kk_buf_new(1 << 20);
    assert_non_null(r->out);
}

/* The count a panel shows for a kind (-1 when the kind is absent). */
static int64_t shown(const char *html, const char *key)
{
    char id[64];
    const char *p;
    snprintf(id, sizeof id, "id=\"rem-%s\"", key);
    p = strstr(html, id);
    if (p == NULL)
        return -1;
    p = strstr(p, "data-count=\"");
    assert_non_null(p);
    return strtoll(p + 12, NULL, 10);
}

/* Stale observations of outlet (0: any) by brute force over the whole
 * log: the latest of each subject and control has expired, and the
 * subject is not archived. */
static int64_t stale_by_hand(sqlite3 *db, int64_t outlet)
{
    char sql[1400];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM observations o WHERE (%lld = 0 OR "
             "o.outlet_id = %lld) AND o.expires_at < %lld AND NOT EXISTS "
             "(SELECT 1 FROM observations n WHERE n.subject_type = "
             "o.subject_type AND n.subject_id = o.subject_id AND "
             "n.control_id = o.control_id AND (n.observed_at > o.observed_at "
             "OR (n.observed_at = o.observed_at AND n.seq > o.seq))) AND NOT "
             "EXISTS (SELECT 1 FROM people p WHERE o.subject_type = 'person' "
             "AND p.id = o.subject_id AND p.archived_at IS NOT NULL) AND NOT "
             "EXISTS (SELECT 1 FROM devices d WHERE o.subject_type = "
             "'device' AND d.id = o.subject_id AND d.archived_at IS NOT NULL)",
             (long long)outlet, (long long)outlet, (long long)NOW);
    return q_int(db, sql);
}

static void the_panel_lists_exactly_what_needs_attention_in_scope(void **s)
{
    struct world *w = *s;
    struct hub_req r;
    const char *html;
    as(&r, w, w->focal_a, HUB_ROLE_FOCAL);
    hub_reminders_panel(&r, 1000);
    assert_int_equal(kk_buf_putc(r.out, '\0'), KK_OK);
    html = (const char *)kk_buf_data(r.out);
    assert_int_equal(shown(html, "overdue_tasks"), 1);
    assert_non_null(strstr(html, "href=\"/outlets/1000/tasks/1201\""));
    assert_int_equal(shown(html, "tasks_due_soon"), 1);
    assert_non_null(strstr(html, "href=\"/outlets/1000/tasks/1202\""));
    assert_int_equal(shown(html, "stale_observations"), 1);
    assert_int_equal(stale_by_hand(w->raw, 1000), 1);
    assert_non_null(strstr(html, "href=\"/outlets/1000/devices/1101\""));
    assert_non_null(strstr(html, "A-LAP-1"));
    assert_int_equal(shown(html, "licences"), 2);
    assert_non_null(strstr(html, "href=\"/outlets/1000/licences/1301\""));
    assert_non_null(strstr(html, "href=\"/outlets/1000/licences/1302\""));
    assert_int_equal(shown(html, "open_incidents"), 1);
    assert_non_null(strstr(html, "href=\"/outlets/1000/incidents/1401\""));
    /* Nothing of B, nothing that does not need attention. */
    assert_null(strstr(html, "Outlet B"));
    assert_null(strstr(html, "/outlets/2000"));
    assert_null(strstr(html, "later"));
    assert_null(strstr(html, "done"));
    assert_null(strstr(html, "Archived"));
    assert_null(strstr(html, "/incidents/1402"));
    assert_null(strstr(html, "/people/1002"));
    kk_buf_free(r.out);
}

static void the_dashboard_panel_counts_every_outlet_of_the_trainer(void **s)
{
    struct world *w = *s;
    struct hub_req r;
    const char *html;
    as(&r, w, w->trainer, HUB_ROLE_TRAINER);
    hub_reminders_panel(&r, 0);
    assert_int_equal(kk_buf_putc(r.out, '\0'), KK_OK);
    html = (const char *)kk_buf_data(r.out);
    assert_int_equal(shown(html, "overdue_tasks"), 2);
    assert_int_equal(shown(html, "stale_observations"),
                     stale_by_hand(w->raw, 0));
    assert_int_equal(shown(html, "stale_observations"), 2);
    assert_int_equal(shown(html, "licences"), 3);
    assert_int_equal(shown(html, "open_incidents"), 2);
    /* On the dashboard each line names its outlet. */
    assert_non_null(strstr(html, "Outlet B: B overdue task"));
    kk_buf_free(r.out);
}

static void nothing_to_show_writes_nothing(void **s)
{
    struct world *w = *s;
    struct hub_req r;
    as(&r, w, w->focal_c, HUB_ROLE_FOCAL);
    hub_reminders_panel(&r, 3000);
    assert_int_equal(kk_buf_len(r.out), 0);
    /* Nor does another outlet's id. */
    hub_reminders_panel(&r, 1000);
    assert_int_equal(kk_buf_len(r.out), 0);
    kk_buf_free(r.out);
}

static void the_latest_observation_follows_every_insert_and_archiving(void **s)
{
    struct world *w = *s;
    /* Inserts out of order, then a comparison with the log. */
    obs(w->raw, 1000, "device", 1101, "DEV-08", NOW - 5 * DAY, NOW + DAY);
    obs(w->raw, 1000, "device", 1101, "DEV-08", NOW - 50 * DAY, NOW - DAY);
    obs(w->raw, 1000, "device", 1101, "DEV-06", NOW - 1 * DAY, NOW + DAY);
    assert_int_equal(
        q_int(w->raw,
              "SELECT count(*) FROM obs_latest x WHERE x.seq <> (SELECT "
              "o.seq FROM observations o WHERE o.subject_type = "
              "x.subject_type AND o.subject_id = x.subject_id AND "
              "o.control_id = x.control_id ORDER BY o.observed_at DESC, "
              "o.seq DESC LIMIT 1)"),
        0);
    assert_int_equal(
        q_int(w->raw, "SELECT count(*) FROM obs_latest"),
        q_int(w->raw, "SELECT count(*) FROM (SELECT DISTINCT subject_type, "
                      "subject_id, control_id FROM observations)"));
    assert_int_equal(stale_by_hand(w->raw, 1000), 0);
    /* Archiving B's desktop takes its check off B's list. */
    assert_int_equal(stale_by_hand(w->raw, 2000), 1);
    exec_raw(w->raw, "UPDATE devices SET archived_at = 9 WHERE id = 2101");
    assert_int_equal(
        q_int(w->raw, "SELECT gone FROM obs_latest WHERE subject_id = 2101"),
        1);
    assert_int_equal(stale_by_hand(w->raw, 2000), 0);
    exec_raw(w->raw, "UPDATE devices SET archived_at = NULL WHERE id = 2101");
    assert_int_equal(
        q_int(w->raw, "SELECT gone FROM obs_latest WHERE subject_id = 2101"),
        0);
}

/* --- the e-mail --- */

static struct hub_remind_user *user_of(struct hub_remind_report *rep,
                                       const char *email)
{
    for (size_t i = 0; i < rep->n; i++) {
        if (strcmp(rep->users[i].email, email) == 0)
            return &rep->users[i];
    }
    fail_msg("no report for %s", email);
    return NULL;
}

static void each_email_holds_its_readers_scope_in_their_language(void **s)
{
    struct world *w = *s;
    struct hub_remind_opts o = {NULL, "hub@kalkan.example",
                                "https://hub.example", true, 0};
    struct hub_remind_report rep;
    struct hub_remind_user *u;
    struct kk_diag d = {.msg = ""};
    exec_raw(w->raw, "UPDATE users SET lang = 'ru' WHERE email = "
                     "'fb@b.example'");
    assert_int_equal(hub_remind_run(w->db, &o, &rep, &d), KK_OK);
    assert_int_equal(rep.dry, 4);
    assert_int_equal(rep.nothing, 1); /* C's focal point */
    u = user_of(&rep, "fa@a.example");
    assert_int_equal(u->status, HUB_REMIND_DRY);
    assert_int_equal(u->items, 6);
    assert_non_null(strstr(u->body, "A overdue task"));
    assert_non_null(
        strstr(u->body, "https://hub.example/outlets/1000/tasks/1201"));
    assert_null(strstr(u->body, "Outlet B"));
    assert_null(strstr(u->body, "B overdue"));
    u = user_of(&rep, "fb@b.example");
    assert_non_null(strstr(u->subject, "Kalkan: что требует внимания"));
    assert_non_null(strstr(u->body, "Просроченные задачи"));
    assert_null(strstr(u->body, "Outlet A"));
    u = user_of(&rep, "t@x.example");
    assert_int_equal(u->items, 10);
    assert_int_equal(user_of(&rep, "fc@c.example")->status, HUB_REMIND_NOTHING);
    /* A dry run records nothing. */
    assert_int_equal(q_int(w->raw, "SELECT count(*) FROM reminders_sent"), 0);
    hub_remind_report_free(&rep);
}

/* A relay played by the test: accepts up to 16 messages. */
struct relay {
    int fd, port;
    pthread_t th;
    bool silent;
    int accepted;
    char rcpt[16][128];
    size_t n;
};

static int line_of(int fd, char *out, size_t cap)
{
    size_t n = 0;
    char c;
    while (n + 1 < cap && recv(fd, &c, 1, 0) == 1) {
        out[n++] = c;
        if (c == '\n')
            break;
    }
    out[n] = '\0';
    return (int)n;
}

static void say(int fd, const char *s)
{
    if (send(fd, s, strlen(s), MSG_NOSIGNAL) < 0) {
        /* The client went away: its problem is the test's result. */
    }
}

static void *relay_run(void *arg)
{
    struct relay *rl = arg;
    char line[1024];
    int fd;
    while ((fd = accept(rl->fd, NULL, NULL)) >= 0) {
        __atomic_add_fetch(&rl->accepted, 1, __ATOMIC_SEQ_CST);
        if (rl->silent) {
            while (line_of(fd, line, sizeof line) > 0)
                ;
            close(fd);
            continue;
        }
        say(fd, "220 relay\r\n");
        while (line_of(fd, line, sizeof line) > 0) {
            if (strncmp(line, "RCPT TO:<", 9) == 0 && rl->n < 16) {
                snprintf(rl->rcpt[rl->n++], sizeof rl->rcpt[0], "%.*s",
                         (int)strcspn(line + 9, ">"), line + 9);
                say(fd, "250 ok\r\n");
            } else if (strncmp(line, "DATA", 4) == 0) {
                say(fd, "354 go\r\n");
                while (line_of(fd, line, sizeof line) > 0 &&
                       strcmp(line, ".\r\n") != 0)
                    ;
                say(fd, "250 queued\r\n");
            } else if (strncmp(line, "QUIT", 4) == 0) {
                say(fd, "221 bye\r\n");
                break;
            } else {
                say(fd, "250 ok\r\n");
            }
        }
        close(fd);
    }
    return NULL;
}

static struct relay *relay_start(bool silent)
{
    struct relay *rl = calloc(1, sizeof *rl);
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t al = sizeof a;
    assert_non_null(rl);
    rl->silent = silent;
    rl->fd = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(rl->fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(rl->fd, 16), 0);
    assert_int_equal(getsockname(rl->fd, (struct sockaddr *)&a, &al), 0);
    rl->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&rl->th, NULL, relay_run, rl), 0);
    return rl;
}

static void relay_stop(struct relay *rl)
{
    shutdown(rl->fd, SHUT_RDWR);
    pthread_join(rl->th, NULL);
    close(rl->fd);
    free(rl);
}

static void an_accepted_email_is_recorded_and_not_sent_again_that_day(void **s)
{
    struct world *w = *s;
    struct relay *rl = relay_start(false);
    char relay[32];
    struct hub_remind_opts o = {relay, "hub@kalkan.example", NULL, false, 0};
    struct hub_remind_report rep;
    struct kk_diag d = {.msg = ""};
    snprintf(relay, sizeof relay, "127.0.0.1:%d", rl->port);
    assert_int_equal(hub_remind_run(w->db, &o, &rep, &d), KK_OK);
    assert_int_equal(rep.sent, 4);
    hub_remind_report_free(&rep);
    /* The second run the same day sends nothing. */
    assert_int_equal(hub_remind_run(w->db, &o, &rep, &d), KK_OK);
    assert_int_equal(rep.sent, 0);
    assert_int_equal(rep.already, 4);
    hub_remind_report_free(&rep);
    relay_stop(rl);
    assert_int_equal(q_int(w->raw, "SELECT count(*) FROM reminders_sent "
                                   "WHERE kind = 'mail' AND day = "
                                   "'2026-11-29'"),
                     4);
    /* Each item listed to A's focal point is recorded, and A's tasks know
     * they were reminded; B's task was reminded to B's and the trainer. */
    assert_int_equal(
        q_int(w->raw, "SELECT count(*) FROM reminders_sent r JOIN users u ON "
                      "u.id = r.user_id WHERE u.email = 'fa@a.example' AND "
                      "r.kind <> 'mail'"),
        6);
    assert_int_equal(q_int(w->raw, "SELECT count(*) FROM tasks WHERE "
                                   "reminded_at IS NOT NULL"),
                     3);
}

static void a_dead_relay_fails_the_run_and_records_nothing(void **s)
{
    struct world *w = *s;
    struct relay *rl = relay_start(false);
    char relay[32];
    struct hub_remind_opts o = {relay, "hub@kalkan.example", NULL, false, 500};
    struct hub_remind_report rep;
    struct kk_diag d = {.msg = ""};
    snprintf(relay, sizeof relay, "127.0.0.1:%d", rl->port);
    relay_stop(rl); /* nobody listens there now */
    assert_int_equal(hub_remind_run(w->db, &o, &rep, &d), KK_ERR_SYSTEM);
    assert_int_equal(rep.failed, 4);
    assert_int_equal(rep.sent, 0);
    assert_non_null(strstr(d.msg, "cannot connect"));
    hub_remind_report_free(&rep);
    assert_int_equal(q_int(w->raw, "SELECT count(*) FROM reminders_sent"), 0);
    assert_int_equal(q_int(w->raw, "SELECT count(*) FROM tasks WHERE "
                                   "reminded_at IS NOT NULL"),
                     0);
}

static void a_silent_relay_does_not_hold_the_server_when_it_stops(void **s)
{
    struct world *w = *s;
    struct relay *rl = relay_start(true);
    char relay[32];
    struct hub_server_opts o = {.smtp = relay,
                                .mail_from = "hub@kalkan.example"};
    struct hub_housekeeping *h = NULL;
    struct kk_diag d = {.msg = ""};
    snprintf(relay, sizeof relay, "127.0.0.1:%d", rl->port);
    assert_int_equal(hub_housekeeping_start(w->db, &o, &h, &d), KK_OK);
    assert_non_null(h);
    /* Wait until the thread is talking to the relay (which never answers,
     * and would keep it 15 s per step), then stop: the send is cancelled. */
    while (__atomic_load_n(&rl->accepted, __ATOMIC_SEQ_CST) == 0)
        usleep(10000);
    hub_housekeeping_stop(h);
    relay_stop(rl);
    assert_int_equal(q_int(w->raw, "SELECT count(*) FROM reminders_sent"), 0);
}

static void housekeeping_refuses_a_sender_that_is_not_an_address(void **s)
{
    struct world *w = *s;
    struct hub_server_opts o = {.smtp = "127.0.0.1:25",
                                .mail_from = "hub\r\nBcc: x@evil.example"};
    struct hub_housekeeping *h = NULL;
    struct kk_diag d = {.msg = ""};
    assert_int_equal(hub_housekeeping_start(w->db, &o, &h, &d), KK_ERR_INVAL);
    assert_null(h);
    /* Without a relay, the thread only purges, and stops at once. */
    o.smtp = NULL;
    o.mail_from = NULL;
    assert_int_equal(hub_housekeeping_start(w->db, &o, &h, &d), KK_OK);
    hub_housekeeping_stop(h);
}

int main(void)
{
    struct kk_diag d = {.msg = ""};
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            the_panel_lists_exactly_what_needs_attention_in_scope, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            the_dashboard_panel_counts_every_outlet_of_the_trainer, setup,
            teardown),
        cmocka_unit_test_setup_teardown(nothing_to_show_writes_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            the_latest_observation_follows_every_insert_and_archiving, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            each_email_holds_its_readers_scope_in_their_language, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            an_accepted_email_is_recorded_and_not_sent_again_that_day, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            a_dead_relay_fails_the_run_and_records_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_silent_relay_does_not_hold_the_server_when_it_stops, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            housekeeping_refuses_a_sender_that_is_not_an_address, setup,
            teardown),
    };
    setenv("KALKAN_HUB_NOW", "2026-11-29T12:00:00Z", 1);
    if (hub_i18n_init(&d) != KK_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
