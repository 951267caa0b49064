/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_demo.c - the demo programme generator: fills a fresh database in a
 * temporary directory and checks it with plain SQL on a second, read-only
 * connection (counts, tenant boundaries, admins, the 2FA trend, licences,
 * secrets), that a filled database is refused, that the same seed and time
 * give the same rows, and that every demo login works with its password
 * and a TOTP code made from the printed secret.
 *
 * KALKAN_HUB_NOW is fixed so that the hub's clock and the demo agree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "auth.h"
#include "hub_int.h"
#include "kalkan/hub.h"
#include "kalkan/kk.h"
#include "kalkan/otp.h"
#include "model.h"

#define NOW_TEXT "2026-11-28T12:00:00Z"
#define START_TEXT "2026-05-01"
#define SEED 20261128
#define LOGINS_MAX (64 * 1024)
#define DUMP_MAX (64 * 1024 * 1024)

struct db {
    char path[96];
    struct hub_db *hub;
    sqlite3 *sql; /* a second, read-only connection */
    struct kk_buf *logins;
};

struct fx {
    char dir[64];
    int64_t now;
    int64_t start;
    struct db a; /* filled once in the group set-up */
};

static int db_fill(struct fx *f, struct db *x, const char *name, uint64_t seed)
{
    struct kk_diag d = {{0}};
    int err;
    snprintf(x->path, sizeof x->path, "%s/%s", f->dir, name);
    x->logins = kk_buf_new(LOGINS_MAX);
    if (x->logins == NULL)
        return KK_ERR_NOMEM;
    err = hub_db_open(x->path, &x->hub, &d);
    if (err == KK_OK)
        err = hub_demo_fill(x->hub, seed, f->now, x->logins, &d);
    if (err == KK_OK && sqlite3_open_v2(x->path, &x->sql, SQLITE_OPEN_READONLY,
                                        NULL) != SQLITE_OK)
        err = KK_ERR_IO;
    if (err != KK_OK)
        fprintf(stderr, "fill %s: %s: %s\n", name, kk_strerror(err), d.msg);
    return err;
}

static void db_drop(struct db *x)
{
    const char *suffix[] = {"", "-wal", "-shm", ".key"};
    char p[128];
    sqlite3_close(x->sql);
    hub_db_close(x->hub);
    kk_buf_free(x->logins);
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        snprintf(p, sizeof p, "%s%s", x->path, suffix[i]);
        unlink(p);
    }
    memset(x, 0, sizeof *x);
}

static int group_setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    *state = f;
    memcpy(f->dir, "/tmp/kk-demo-XXXXXX", 20);
    if (mkdtemp(f->dir) == NULL || kk_parse_time(NOW_TEXT, &f->now) != KK_OK ||
        kk_parse_time(START_TEXT, &f->start) != KK_OK ||
        db_fill(f, &f->a, "a.db", SEED) != KK_OK)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    struct fx *f = *state;
    if (f == NULL)
        return 0;
    db_drop(&f->a);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* The single integer a query returns. */
static int64_t q_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The same with one integer bound to ?1. */
static int64_t q_int_at(sqlite3 *db, const char *sql, int64_t arg)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    }
    sqlite3_bind_int64(st, 1, arg);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* ---------------------------------------------------------------- now */

static void demo_now_follows_kalkan_hub_now(void **state)
{
    struct fx *f = *state;
    int64_t t;
    assert_int_equal(hub_demo_now(), f->now);
    setenv("KALKAN_HUB_NOW", "2025-01-02", 1);
    assert_int_equal(kk_parse_time("2025-01-02", &t), KK_OK);
    assert_int_equal(hub_demo_now(), t);
    unsetenv("KALKAN_HUB_NOW");
    t = (int64_t)time(NULL);
    assert_true(hub_demo_now() >= t - 5 && hub_demo_now() <= t + 5);
    setenv("KALKAN_HUB_NOW", NOW_TEXT, 1);
    assert_int_equal(hub_demo_now(), f->now);
}

/* ------------------------------------------------------------- counts */

static void demo_fills_the_register_with_the_documented_counts(void **state)
{
    struct fx *f = *state;
    sqlite3 *db = f->a.sql;
    sqlite3_stmt *st = NULL;
    assert_int_equal(q_int(db, "SELECT count(*) FROM outlets"), 5);
    assert_int_equal(q_int(db, "SELECT count(DISTINCT media) FROM outlets "
                               "WHERE media IN ('web', 'tv', 'radio', "
                               "'investigative', 'print')"),
                     5);
    assert_int_equal(q_int(db, "SELECT count(*) FROM outlets WHERE "
                               "region = '' OR staff_count < 8"),
                     0);
    assert_in_range(q_int(db, "SELECT count(*) FROM people"), 50, 70);
    assert_int_equal(q_int(db, "SELECT count(*) FROM (SELECT outlet_id, "
                               "count(*) AS n FROM people GROUP BY 1) "
                               "WHERE n NOT BETWEEN 8 AND 16"),
                     0);
    assert_in_range(q_int(db, "SELECT count(*) FROM devices"), 90, 110);
    assert_in_range(q_int(db, "SELECT count(*) FROM accounts"), 230, 270);
    assert_in_range(q_int(db, "SELECT count(*) FROM websites"), 5, 10);
    assert_in_range(q_int(db, "SELECT count(*) FROM licences"), 10, 30);
    assert_int_equal(q_int(db, "SELECT count(*) FROM users"), 11);
    /* Every department, administrative and finance staff included, in
     * every outlet's register (the paper has no tech staff). */
    assert_int_equal(q_int(db, "SELECT count(DISTINCT department) FROM "
                               "people"),
                     5);
    assert_int_equal(q_int(db, "SELECT count(*) FROM outlets o WHERE NOT "
                               "EXISTS (SELECT 1 FROM people p WHERE "
                               "p.outlet_id = o.id AND p.department = "
                               "'finance') OR NOT EXISTS (SELECT 1 FROM "
                               "people p WHERE p.outlet_id = o.id AND "
                               "p.department = 'admin')"),
                     0);
    /* Names, titles and addresses on the outlet's own domain. */
    assert_int_equal(q_int(db, "SELECT count(*) FROM people p JOIN outlets o "
                               "ON o.id = p.outlet_id WHERE p.name = '' OR "
                               "p.job_title = '' OR p.email NOT LIKE "
                               "'%@' || o.slug || '.example'"),
                     0);
    assert_int_equal(q_int(db, "SELECT count(*) - count(DISTINCT email) "
                               "FROM people"),
                     0);
    /* Every platform and kind uses model.h's wire names. */
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT DISTINCT platform, kind FROM accounts",
                           -1, &st, NULL),
        SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int pf =
            hub_platform_from_name((const char *)sqlite3_column_text(st, 0));
        const char *kind = (const char *)sqlite3_column_text(st, 1);
        assert_true(pf != 0);
        assert_true(strcmp(kind, "org") == 0 || strcmp(kind, "personal") == 0);
    }
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT DISTINCT kind FROM devices",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        assert_true(hub_device_kind_from_name(
                        (const char *)sqlite3_column_text(st, 0)) != 0);
    sqlite3_finalize(st);
    /* Every person has a work e-mail; organisational accounts cover the
     * platforms the brief lists for each outlet. */
    assert_int_equal(q_int(db, "SELECT count(*) FROM people p WHERE NOT "
                               "EXISTS (SELECT 1 FROM accounts a WHERE "
                               "a.person_id = p.id AND a.platform = "
                               "'email' AND a.handle = p.email)"),
                     0);
    assert_int_equal(q_int(db, "SELECT count(*) FROM (SELECT outlet_id FROM "
                               "accounts WHERE kind = 'org' AND platform IN "
                               "('fb_page', 'meta_business', 'instagram', "
                               "'telegram_channel', 'cms_admin', "
                               "'registrar', 'hosting', 'dns') GROUP BY 1 "
                               "HAVING count(DISTINCT platform) = 8)"),
                     5);
    /* Devices: office and personal, every OS named with a version, and
     * servers and routers for some outlets. */
    assert_int_equal(q_int(db, "SELECT count(*) FROM devices WHERE os = '' "
                               "OR os_version = '' OR ownership NOT IN "
                               "('office', 'personal')"),
                     0);
    assert_int_equal(q_int(db, "SELECT count(DISTINCT os) FROM devices WHERE "
                               "os IN ('Windows 10', 'Windows 11', 'Ubuntu', "
                               "'macOS', 'Android', 'iOS')"),
                     6);
    assert_in_range(q_int(db, "SELECT count(*) FROM devices WHERE kind = "
                              "'server'"),
                    1, 5);
    assert_int_equal(q_int(db, "SELECT count(*) FROM devices WHERE kind = "
                               "'router'"),
                     5);
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM settings WHERE key = "
                           "'programme_start' AND value = '" START_TEXT "'"),
                     1);
}

/* ------------------------------------------------------------ tenancy */

static void demo_org_accounts_have_admins_from_their_own_outlet(void **state)
{
    struct fx *f = *state;
    sqlite3 *db = f->a.sql;
    assert_int_equal(q_int(db, "SELECT count(*) FROM accounts a WHERE "
                               "a.kind = 'org' AND NOT EXISTS (SELECT 1 "
                               "FROM account_admins aa JOIN people p ON "
                               "p.id = aa.person_id WHERE aa.account_id = "
                               "a.id AND p.outlet_id = a.outlet_id)"),
                     0);
    assert_int_equal(q_int(db, "SELECT count(*) FROM (SELECT account_id, "
                               "count(*) AS n FROM account_admins GROUP BY "
                               "1) WHERE n NOT BETWEEN 1 AND 3"),
                     0);
    /* Most have the two admins coverage asks for. */
    assert_true(q_int(db, "SELECT count(*) FROM (SELECT account_id FROM "
                          "account_admins GROUP BY 1 HAVING count(*) >= 2)") >
                q_int(db, "SELECT count(*) FROM accounts WHERE kind = 'org'") /
                    2);
    /* Only organisational accounts have admins; personal ones an owner. */
    assert_int_equal(q_int(db, "SELECT count(*) FROM account_admins aa JOIN "
                               "accounts a ON a.id = aa.account_id WHERE "
                               "a.kind != 'org'"),
                     0);
    assert_int_equal(q_int(db, "SELECT count(*) FROM accounts WHERE (kind = "
                               "'org') != (person_id IS NULL)"),
                     0);
    /* Page and channel admins act through their own profile. */
    assert_int_equal(q_int(db, "SELECT count(*) FROM account_admins aa JOIN "
                               "accounts a ON a.id = aa.account_id WHERE "
                               "a.platform IN ('fb_page', 'meta_business') "
                               "AND NOT EXISTS (SELECT 1 FROM accounts p "
                               "WHERE p.person_id = aa.person_id AND "
                               "p.platform = 'fb_profile')"),
                     0);
}

static void demo_references_stay_inside_their_outlet(void **state)
{
    struct fx *f = *state;
    sqlite3 *db = f->a.sql;
    static const char *const leaks[] = {
        "SELECT count(*) FROM devices d JOIN people p ON p.id = "
        "d.custodian_id WHERE p.outlet_id != d.outlet_id",
        "SELECT count(*) FROM accounts a JOIN people p ON p.id = a.person_id "
        "WHERE p.outlet_id != a.outlet_id",
        "SELECT count(*) FROM account_admins aa JOIN accounts a ON a.id = "
        "aa.account_id JOIN people p ON p.id = aa.person_id WHERE "
        "p.outlet_id != a.outlet_id",
        "SELECT count(*) FROM licences l JOIN devices d ON d.id = l.device_id "
        "WHERE d.outlet_id != l.outlet_id",
        "SELECT count(*) FROM observations o WHERE o.outlet_id IS NOT (CASE "
        "o.subject_type WHEN 'person' THEN (SELECT outlet_id FROM people "
        "WHERE id = o.subject_id) WHEN 'device' THEN (SELECT outlet_id FROM "
        "devices WHERE id = o.subject_id) WHEN 'account' THEN (SELECT "
        "outlet_id FROM accounts WHERE id = o.subject_id) WHEN 'website' "
        "THEN (SELECT outlet_id FROM websites WHERE id = o.subject_id) WHEN "
        "'outlet' THEN (SELECT id FROM outlets WHERE id = o.subject_id) END)",
        /* A login linked to a person sees that person's outlet. */
        "SELECT count(*) FROM users u JOIN people p ON p.id = u.person_id "
        "WHERE NOT EXISTS (SELECT 1 FROM user_outlets uo WHERE uo.user_id = "
        "u.id AND uo.outlet_id = p.outlet_id)",
        "PRAGMA foreign_key_check",
    };
    for (size_t i = 0; i < sizeof leaks / sizeof leaks[0]; i++) {
        int64_t n = q_int(db, leaks[i]);
        if (n > 0)
            fail_msg("%s: %lld", leaks[i], (long long)n);
    }
    /* Scope by role: trainer everything, donor nothing, focal and staff
     * one outlet, the assistant two. */
    assert_int_equal(q_int(db, "SELECT count(*) FROM user_scope s JOIN users "
                               "u ON u.id = s.user_id WHERE u.role = "
                               "'trainer'"),
                     5);
    assert_int_equal(q_int(db, "SELECT count(*) FROM user_scope s JOIN users "
                               "u ON u.id = s.user_id WHERE u.role = "
                               "'donor'"),
                     0);
    assert_int_equal(q_int(db, "SELECT count(*) FROM user_scope s JOIN users "
                               "u ON u.id = s.user_id WHERE u.role = "
                               "'assistant'"),
                     2);
    assert_int_equal(q_int(db, "SELECT count(*) FROM (SELECT u.id FROM users "
                               "u JOIN user_scope s ON s.user_id = u.id "
                               "WHERE u.role IN ('focal', 'staff') GROUP BY "
                               "1 HAVING count(*) = 1)"),
                     7);
    assert_int_equal(q_int(db, "SELECT count(DISTINCT p.outlet_id) FROM "
                               "users u JOIN people p ON p.id = u.person_id "
                               "WHERE u.role = 'staff'"),
                     2);
}

/* ------------------------------------------------------- observations */

static void demo_observations_follow_the_catalogue(void **state)
{
    struct fx *f = *state;
    sqlite3 *db = f->a.sql;
    sqlite3_stmt *st = NULL;
    assert_in_range(q_int(db, "SELECT count(*) FROM observations"), 1000,
                    20000);
    assert_int_equal(
        q_int_at(db, "SELECT count(*) FROM observations WHERE observed_at > ?1",
                 f->now),
        0);
    assert_int_equal(q_int(db, "SELECT count(*) FROM observations o JOIN "
                               "controls c ON c.id = o.control_id WHERE "
                               "o.expires_at IS NOT o.observed_at + "
                               "c.stale_days * 86400"),
                     0);
    assert_int_equal(
        q_int(db, "SELECT count(*) FROM observations WHERE "
                  "source NOT IN ('manual', 'host', 'web', 'guard') OR "
                  "status NOT IN ('pass', 'fail', 'partial', "
                  "'na')"),
        0);
    /* 2FA: the value is the method, the status follows from it. */
    assert_int_equal(q_int(db, "SELECT count(*) FROM observations WHERE "
                               "value IS NOT NULL AND (subject_type != "
                               "'account' OR status != CASE WHEN value IN "
                               "('app', 'push', 'key', 'passkey') THEN "
                               "'pass' WHEN value = 'sms' THEN 'partial' "
                               "WHEN value = 'none' THEN 'fail' END)"),
                     0);
    assert_int_equal(q_int(db, "SELECT count(*) FROM accounts a WHERE NOT "
                               "EXISTS (SELECT 1 FROM observations o WHERE "
                               "o.subject_type = 'account' AND o.subject_id "
                               "= a.id AND o.value IS NOT NULL)"),
                     0);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT DISTINCT a.platform, "
                                        "o.control_id FROM observations o "
                                        "JOIN accounts a ON a.id = "
                                        "o.subject_id WHERE o.subject_type "
                                        "= 'account'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *pf = (const char *)sqlite3_column_text(st, 0);
        const char *ctl = (const char *)sqlite3_column_text(st, 1);
        assert_string_equal(ctl,
                            hub_platform_control(hub_platform_from_name(pf)));
    }
    sqlite3_finalize(st);
    /* The five device checks for every device; person-level controls. */
    assert_int_equal(q_int(db, "SELECT count(*) FROM devices d WHERE (SELECT "
                               "count(DISTINCT control_id) FROM observations "
                               "o WHERE o.subject_type = 'device' AND "
                               "o.subject_id = d.id AND o.control_id IN "
                               "('DEV-02', 'DEV-03', 'DEV-05', 'DEV-06', "
                               "'DEV-11')) != 5"),
                     0);
    assert_int_equal(q_int(db, "SELECT count(*) FROM people p WHERE NOT "
                               "EXISTS (SELECT 1 FROM observations o WHERE "
                               "o.subject_type = 'person' AND o.subject_id "
                               "= p.id AND o.control_id = 'ACC-14')"),
                     0);
    /* Spread over the programme: every month from month 0 to now. */
    assert_true(q_int(db, "SELECT count(DISTINCT strftime('%Y-%m', "
                          "observed_at, 'unixepoch')) FROM observations") >= 7);
    assert_true(q_int_at(db,
                         "SELECT count(*) FROM observations WHERE "
                         "observed_at > ?1",
                         f->now - 30 * 86400) > 100);
}

/* Share (per mille) of accounts whose latest 2FA method at t is strong. */
static int64_t strong_pm(sqlite3 *db, int64_t t, const char *slug)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    const char *sql =
        "SELECT 1000 * sum(v IN ('app', 'push', 'key', 'passkey')) / count(*) "
        "FROM (SELECT (SELECT o.value FROM observations o WHERE "
        "o.subject_type = 'account' AND o.subject_id = a.id AND o.value IS "
        "NOT NULL AND o.observed_at <= ?1 ORDER BY o.observed_at DESC, o.seq "
        "DESC LIMIT 1) AS v FROM accounts a JOIN outlets u ON u.id = "
        "a.outlet_id WHERE ?2 IS NULL OR u.slug = ?2)";
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, t);
    if (slug != NULL)
        sqlite3_bind_text(st, 2, slug, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void demo_strong_2fa_grows_over_the_programme(void **state)
{
    struct fx *f = *state;
    sqlite3 *db = f->a.sql;
    static const char *const slugs[] = {"chynar-news", "koltolkun-tv",
                                        "jangyryk-fm", "kuzot",
                                        "naryn-kabarlary"};
    int64_t at_start = strong_pm(db, f->start, NULL);
    int64_t at_now = strong_pm(db, f->now, NULL);
    int64_t lo = 1000, hi = 0, lag;
    assert_in_range(at_start, 0, 250);
    assert_true(at_now >= at_start + 300);
    /* Month by month it never falls back much. */
    for (int k = 1; k <= 6; k++) {
        int64_t a = strong_pm(db, f->start + (k - 1) * 30 * 86400, NULL);
        int64_t b = strong_pm(db, f->start + k * 30 * 86400, NULL);
        assert_true(b >= a - 20);
    }
    for (size_t i = 0; i < sizeof slugs / sizeof slugs[0]; i++) {
        int64_t s0 = strong_pm(db, f->start, slugs[i]);
        int64_t s1 = strong_pm(db, f->now, slugs[i]);
        assert_true(s1 > s0);
        lo = s1 < lo ? s1 : lo;
        hi = s1 > hi ? s1 : hi;
    }
    /* Outlets move at different speeds, the regional paper slowest. */
    lag = strong_pm(db, f->now, "naryn-kabarlary");
    assert_int_equal(lag, lo);
    assert_true(hi - lo >= 300);
    /* Devices improve too: anti-virus passing at month 0 and now. */
    {
        const char *av = "SELECT sum(s = 'pass') FROM (SELECT (SELECT "
                         "o.status FROM observations o WHERE o.subject_type "
                         "= 'device' AND o.subject_id = d.id AND "
                         "o.control_id = 'DEV-05' AND o.observed_at <= ?1 "
                         "ORDER BY o.observed_at DESC, o.seq DESC LIMIT 1) "
                         "AS s FROM devices d)";
        assert_true(q_int_at(db, av, f->now) > q_int_at(db, av, f->start) + 10);
    }
}

/* --------------------------------------------------- licences, secrets */

static void demo_licences_lapse_soon_and_keys_are_masked(void **state)
{
    struct fx *f = *state;
    sqlite3 *db = f->a.sql;
    assert_in_range(q_int_at(db,
                             "SELECT count(*) FROM licences WHERE expires "
                             "!= '' AND expires >= date(?1, 'unixepoch') AND "
                             "expires <= date(?1 + 30 * 86400, 'unixepoch')",
                             f->now),
                    2, 6);
    assert_in_range(q_int_at(db,
                             "SELECT count(*) FROM licences WHERE expires "
                             "!= '' AND expires < date(?1, 'unixepoch')",
                             f->now),
                    1, 4);
    assert_true(q_int(db, "SELECT count(*) FROM licences WHERE key_masked "
                          "!= ''") >= 5);
    /* "•••••-" and the last five characters, nothing more. */
    assert_int_equal(q_int(db, "SELECT count(*) FROM licences WHERE "
                               "key_masked != '' AND (length(key_masked) != "
                               "11 OR substr(key_masked, 1, 6) != "
                               "'•••••-' OR substr(key_masked, 7) GLOB "
                               "'*[^A-Z0-9]*')"),
                     0);
    assert_true(q_int(db, "SELECT count(*) FROM licences WHERE seats < 1 OR "
                          "product = '' OR funded_by NOT IN ('donor', "
                          "'outlet')") == 0);
}

/* Rows of any table whose any column contains needle (bytes). */
static int64_t occurrences(sqlite3 *db, const void *needle, size_t n)
{
    sqlite3_stmt *tabs = NULL, *cols = NULL, *st = NULL;
    char sql[512];
    int64_t hits = 0;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT name FROM sqlite_master "
                                        "WHERE type = 'table'",
                                        -1, &tabs, NULL),
                     SQLITE_OK);
    while (sqlite3_step(tabs) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(tabs, 0);
        snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s')",
                 t);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &cols, NULL),
                         SQLITE_OK);
        while (sqlite3_step(cols) == SQLITE_ROW) {
            snprintf(sql, sizeof sql,
                     "SELECT count(*) FROM \"%s\" WHERE instr(CAST(\"%s\" AS "
                     "BLOB), ?1) > 0",
                     t, (const char *)sqlite3_column_text(cols, 0));
            assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
                             SQLITE_OK);
            sqlite3_bind_blob(st, 1, needle, (int)n, SQLITE_STATIC);
            if (sqlite3_step(st) == SQLITE_ROW)
                hits += sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
        }
        sqlite3_finalize(cols);
    }
    sqlite3_finalize(tabs);
    return hits;
}

/* One line of the logins text, split at tabs. */
struct login {
    char email[128];
    char password[64];
    char secret[64];
    char role[16];
    char outlets[128];
};

static size_t logins_parse(const char *text, struct login *out, size_t max)
{
    size_t n = 0;
    const char *p = text;
    while (*p != '\0') {
        const char *nl = strchr(p, '\n');
        char *field[5];
        size_t cap[5];
        size_t k = 0;
        assert_non_null(nl);
        assert_true(n < max);
        field[0] = out[n].email;
        cap[0] = sizeof out[n].email;
        field[1] = out[n].password;
        cap[1] = sizeof out[n].password;
        field[2] = out[n].secret;
        cap[2] = sizeof out[n].secret;
        field[3] = out[n].role;
        cap[3] = sizeof out[n].role;
        field[4] = out[n].outlets;
        cap[4] = sizeof out[n].outlets;
        while (p < nl) {
            const char *tab = memchr(p, '\t', (size_t)(nl - p));
            const char *end = tab != NULL ? tab : nl;
            assert_true(k < 5);
            assert_true((size_t)(end - p) < cap[k]);
            memcpy(field[k], p, (size_t)(end - p));
            field[k][end - p] = '\0';
            k++;
            p = tab != NULL ? tab + 1 : nl;
        }
        assert_int_equal(k, 5);
        p = nl + 1;
        n++;
    }
    return n;
}

static void demo_stores_no_password_secret_or_full_key(void **state)
{
    struct fx *f = *state;
    sqlite3 *db = f->a.sql;
    struct login l[16];
    size_t n = logins_parse(kk_buf_str(f->a.logins), l, 16);
    assert_int_equal(n, 11);
    for (size_t i = 0; i < n; i++) {
        uint8_t raw[64];
        size_t rawlen = 0;
        assert_int_equal(occurrences(db, l[i].password, strlen(l[i].password)),
                         0);
        assert_int_equal(occurrences(db, l[i].secret, strlen(l[i].secret)), 0);
        assert_int_equal(otp_base32_decode(l[i].secret, strlen(l[i].secret),
                                           raw, sizeof raw, &rawlen),
                         KK_OK);
        assert_int_equal(occurrences(db, raw, rawlen), 0);
    }
    /* Passwords as Argon2id strings, secrets sealed (nonce, 20 bytes,
     * tag). */
    assert_int_equal(q_int(db, "SELECT count(*) FROM users WHERE pw_hash "
                               "LIKE '$argon2id$%' AND length(totp_sealed) "
                               "= 60"),
                     11);
    /* Nothing shaped like a product key (five groups of five). */
    {
        sqlite3_stmt *tabs = NULL, *cols = NULL, *st = NULL;
        char sql[512];
        static const char g5[] = "[A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9]";
        assert_int_equal(sqlite3_prepare_v2(db,
                                            "SELECT name FROM sqlite_master "
                                            "WHERE type = 'table'",
                                            -1, &tabs, NULL),
                         SQLITE_OK);
        while (sqlite3_step(tabs) == SQLITE_ROW) {
            const char *t = (const char *)sqlite3_column_text(tabs, 0);
            snprintf(sql, sizeof sql,
                     "SELECT name FROM pragma_table_info('%s')", t);
            assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &cols, NULL),
                             SQLITE_OK);
            while (sqlite3_step(cols) == SQLITE_ROW) {
                snprintf(sql, sizeof sql,
                         "SELECT count(*) FROM \"%s\" WHERE typeof(\"%s\") = "
                         "'text' AND \"%s\" GLOB '*%s-%s-%s*'",
                         t, (const char *)sqlite3_column_text(cols, 0),
                         (const char *)sqlite3_column_text(cols, 0), g5, g5,
                         g5);
                assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
                                 SQLITE_OK);
                assert_int_equal(sqlite3_step(st), SQLITE_ROW);
                assert_int_equal(sqlite3_column_int64(st, 0), 0);
                sqlite3_finalize(st);
            }
            sqlite3_finalize(cols);
        }
        sqlite3_finalize(tabs);
    }
}

/* ------------------------------------------------------------- logins */

static void demo_logins_are_documented_lines_that_log_in(void **state)
{
    struct fx *f = *state;
    sqlite3 *db = f->a.sql;
    struct hub_conn *c = NULL;
    struct login l[16];
    size_t n = logins_parse(kk_buf_str(f->a.logins), l, 16);
    size_t roles[HUB_ROLE_COUNT + 1] = {0};
    assert_int_equal(n, 11);
    assert_int_equal(hub_conn_get(f->a.hub, &c), KK_OK);
    for (size_t i = 0; i < n; i++) {
        uint8_t key[64];
        size_t keylen = 0;
        char code[OTP_CODE_SIZE];
        int64_t uid = 0;
        int role = hub_role_from_name(l[i].role);
        sqlite3_stmt *st = NULL;
        assert_true(role != 0 && role != HUB_ROLE_DEVICE);
        roles[role]++;
        assert_non_null(strchr(l[i].email, '@'));
        assert_true(strlen(l[i].password) >= KK_HUB_PASSWORD_MIN);
        /* Unpadded upper-case base32 of 20 bytes. */
        assert_int_equal(strlen(l[i].secret), 32);
        assert_null(strchr(l[i].secret, '='));
        assert_int_equal(otp_base32_decode(l[i].secret, strlen(l[i].secret),
                                           key, sizeof key, &keylen),
                         KK_OK);
        assert_int_equal(keylen, 20);
        /* "-" exactly for the programme-wide roles; else known slugs. */
        if (role == HUB_ROLE_TRAINER || role == HUB_ROLE_DONOR ||
            role == HUB_ROLE_PANEL) {
            assert_string_equal(l[i].outlets, "-");
        } else {
            char list[128];
            size_t slugs = 0;
            snprintf(list, sizeof list, "%s", l[i].outlets);
            for (char *s = list, *e; s != NULL; s = e) {
                char sql[512];
                e = strchr(s, ',');
                if (e != NULL)
                    *e++ = '\0';
                snprintf(sql, sizeof sql,
                         "SELECT count(*) FROM outlets o JOIN user_outlets "
                         "uo ON uo.outlet_id = o.id JOIN users u ON u.id = "
                         "uo.user_id WHERE o.slug = '%s' AND u.email = '%s'",
                         s, l[i].email);
                assert_int_equal(q_int(db, sql), 1);
                slugs++;
            }
            assert_int_equal(slugs, role == HUB_ROLE_ASSISTANT ? 2 : 1);
        }
        assert_int_equal(sqlite3_prepare_v2(db,
                                            "SELECT role FROM users WHERE "
                                            "email = ?1",
                                            -1, &st, NULL),
                         SQLITE_OK);
        sqlite3_bind_text(st, 1, l[i].email, -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(st, 0),
                            l[i].role);
        sqlite3_finalize(st);
        /* The hub's own login path: password, then a code from the
         * printed secret at the hub's (fixed) now. */
        assert_int_equal(hub_login_password(c, l[i].email, l[i].password,
                                            "127.0.0.1", true, &uid),
                         KK_OK);
        assert_int_equal(
            otp_totp(key, keylen, OTP_ALG_SHA1, f->now, 30, 6, code), KK_OK);
        assert_int_equal(hub_login_code(c, uid, code, "127.0.0.1"), KK_OK);
        assert_int_equal(hub_login_password(c, l[i].email, "wrong-password-1",
                                            "127.0.0.2", true, &uid),
                         KK_ERR_AUTH);
    }
    assert_int_equal(roles[HUB_ROLE_TRAINER], 1);
    assert_int_equal(roles[HUB_ROLE_ASSISTANT], 1);
    assert_int_equal(roles[HUB_ROLE_FOCAL], 5);
    assert_int_equal(roles[HUB_ROLE_STAFF], 2);
    assert_int_equal(roles[HUB_ROLE_DONOR], 1);
    assert_int_equal(roles[HUB_ROLE_PANEL], 1);
    assert_string_equal(l[0].email, "trainer@kalkan.example");
}

/* --------------------------------------------------- refusal, replay */

static void demo_refuses_a_database_that_has_outlets(void **state)
{
    struct fx *f = *state;
    struct kk_buf *b = kk_buf_new(LOGINS_MAX);
    struct kk_diag d = {{0}};
    int64_t people = q_int(f->a.sql, "SELECT count(*) FROM people");
    int64_t obs = q_int(f->a.sql, "SELECT count(*) FROM observations");
    assert_non_null(b);
    assert_int_equal(kk_buf_puts(b, "kept\n"), KK_OK);
    assert_int_equal(hub_demo_fill(f->a.hub, SEED, f->now, b, &d),
                     KK_ERR_EXISTS);
    assert_string_equal(kk_buf_str(b), "kept\n");
    assert_true(d.msg[0] != '\0');
    assert_int_equal(hub_demo_fill(f->a.hub, SEED + 1, f->now, b, NULL),
                     KK_ERR_EXISTS);
    assert_int_equal(q_int(f->a.sql, "SELECT count(*) FROM people"), people);
    assert_int_equal(q_int(f->a.sql, "SELECT count(*) FROM observations"), obs);
    assert_int_equal(q_int(f->a.sql, "SELECT count(*) FROM users"), 11);
    /* Arguments checked before anything is touched. */
    assert_int_equal(hub_demo_fill(f->a.hub, SEED, f->now, NULL, NULL),
                     KK_ERR_INVAL);
    assert_int_equal(hub_demo_fill(f->a.hub, SEED, 0, b, NULL), KK_ERR_RANGE);
    kk_buf_free(b);
}

/* Every row that does not hold a fresh salt or nonce, in a fixed order. */
static void dump(sqlite3 *db, struct kk_buf *out)
{
    static const char *const q[] = {
        "SELECT * FROM settings ORDER BY key",
        "SELECT * FROM outlets ORDER BY id",
        "SELECT * FROM people ORDER BY id",
        "SELECT * FROM devices ORDER BY id",
        "SELECT * FROM licences ORDER BY id",
        "SELECT * FROM accounts ORDER BY id",
        "SELECT * FROM account_admins ORDER BY account_id, person_id",
        "SELECT * FROM websites ORDER BY id",
        "SELECT * FROM observations ORDER BY seq",
        "SELECT id, email, role, person_id, created_at FROM users ORDER BY id",
        "SELECT * FROM user_outlets ORDER BY user_id, outlet_id",
        /* The programme's workflows; sealed columns hold fresh nonces. */
        "SELECT * FROM calls ORDER BY id",
        "SELECT * FROM call_criteria ORDER BY call_id, pos",
        "SELECT id, call_id, outlet_name, media, region, staff_count, "
        "contact_name, contact_email, answers, status, submitted_at, "
        "decided_at, purge_after, outlet_id FROM applications ORDER BY id",
        "SELECT * FROM application_scores ORDER BY 1, 2, 3",
        "SELECT * FROM application_conflicts ORDER BY 1, 2",
        "SELECT id, outlet_id, kind, held_on, assessor_id, status, "
        "created_at, closed_at FROM assessments ORDER BY id",
        "SELECT id, outlet_id, assessment_id, adversary, capability, "
        "likelihood, impact FROM risks ORDER BY id",
        "SELECT id, outlet_id, assessment_id, controls, likelihood, impact, "
        "status, created_at, resolved_at FROM findings ORDER BY id",
        "SELECT * FROM tasks ORDER BY id",
        "SELECT * FROM modules ORDER BY id",
        "SELECT * FROM training_sessions ORDER BY id",
        "SELECT * FROM session_outlets ORDER BY 1, 2",
        "SELECT * FROM session_modules ORDER BY 1, 2",
        "SELECT * FROM attendance ORDER BY 1, 2",
        "SELECT id, outlet_id, type, severity, status, occurred_at, "
        "reported_at, first_response_at, contained_at, recovered_at, "
        "closed_at, reported_by, triage_flow, triage_path FROM incidents "
        "ORDER BY id",
        "SELECT * FROM incident_subjects ORDER BY 1, 2, 3",
        "SELECT seq, incident_id, outlet_id, at, kind, trainer_only, user_id "
        "FROM incident_events ORDER BY seq",
        "SELECT id, outlet_id, website_id, n, trigger, status, queued_at, "
        "started_at, checked_at, failure, failure_detail, grade, score, "
        "score_tls, score_headers, score_exposure, score_mail, score_dns, "
        "capped_by, best_fix, passed, requests, handshakes, elapsed_ms, "
        "cert_expires_at, created_by FROM site_checks ORDER BY id",
        "SELECT id, check_id, outlet_id, finding_id, severity, area FROM "
        "site_check_findings ORDER BY id",
    };
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(db, q[i], -1, &st, NULL),
                         SQLITE_OK);
        assert_int_equal(kk_buf_putf(out, "%s\n", q[i]), KK_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int k = 0; k < sqlite3_column_count(st); k++) {
                const char *v = (const char *)sqlite3_column_text(st, k);
                assert_int_equal(kk_buf_putf(out, "%s\x1f", v ? v : "\\N"),
                                 KK_OK);
            }
            assert_int_equal(kk_buf_putc(out, '\n'), KK_OK);
        }
        sqlite3_finalize(st);
    }
}

static void demo_same_seed_and_time_give_the_same_rows(void **state)
{
    struct fx *f = *state;
    struct db b, c;
    struct kk_buf *da = kk_buf_new(DUMP_MAX), *db_ = kk_buf_new(DUMP_MAX),
                  *dc = kk_buf_new(DUMP_MAX);
    memset(&b, 0, sizeof b);
    memset(&c, 0, sizeof c);
    assert_non_null(da);
    assert_non_null(db_);
    assert_non_null(dc);
    assert_int_equal(db_fill(f, &b, "b.db", SEED), KK_OK);
    assert_int_equal(db_fill(f, &c, "c.db", SEED + 1), KK_OK);
    dump(f->a.sql, da);
    dump(b.sql, db_);
    dump(c.sql, dc);
    assert_true(kk_buf_len(da) > 100000);
    assert_int_equal(kk_buf_len(da), kk_buf_len(db_));
    assert_memory_equal(kk_buf_data(da), kk_buf_data(db_), kk_buf_len(da));
    assert_string_equal(kk_buf_str(f->a.logins), kk_buf_str(b.logins));
    /* Another seed, other people and other secrets. */
    assert_true(kk_buf_len(da) != kk_buf_len(dc) ||
                memcmp(kk_buf_data(da), kk_buf_data(dc), kk_buf_len(da)) != 0);
    assert_string_not_equal(kk_buf_str(f->a.logins), kk_buf_str(c.logins));
    /* The same seed in the same week is stable in shape too. */
    assert_int_equal(q_int(c.sql, "SELECT count(*) FROM outlets"), 5);
    assert_in_range(q_int(c.sql, "SELECT count(*) FROM accounts"), 230, 270);
    kk_buf_free(da);
    kk_buf_free(db_);
    kk_buf_free(dc);
    db_drop(&b);
    db_drop(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(demo_now_follows_kalkan_hub_now),
        cmocka_unit_test(demo_fills_the_register_with_the_documented_counts),
        cmocka_unit_test(demo_org_accounts_have_admins_from_their_own_outlet),
        cmocka_unit_test(demo_references_stay_inside_their_outlet),
        cmocka_unit_test(demo_observations_follow_the_catalogue),
        cmocka_unit_test(demo_strong_2fa_grows_over_the_programme),
        cmocka_unit_test(demo_licences_lapse_soon_and_keys_are_masked),
        cmocka_unit_test(demo_stores_no_password_secret_or_full_key),
        cmocka_unit_test(demo_logins_are_documented_lines_that_log_in),
        cmocka_unit_test(demo_refuses_a_database_that_has_outlets),
        cmocka_unit_test(demo_same_seed_and_time_give_the_same_rows),
    };
    setenv("KALKAN_HUB_NOW", NOW_TEXT, 1);
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
