/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_auth.c - the hub's logins: passwords, sealed TOTP secrets, the
 * second step with replay protection and recovery codes, throttling that
 * cannot lock the owner out, sessions, enrolment; and the database file
 * itself (migrations, key file, backup).  Time is pinned with
 * KALKAN_HUB_NOW so codes are deterministic.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "assets.h"
#include "auth.h"
#include "hub_test.h"
#include "kalkan/hub.h"
#include "kalkan/otp.h"

#define NOW_TEXT "2026-11-28T12:00:00Z"
#define NOW 1795867200

static const uint8_t secret[20] = "12345678901234567890";

struct env {
    char dir[64];
    char path[128];
    struct hub_db *db;
    struct hub_conn *c;
    int64_t uid;
};

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof *e);
    struct kk_diag d = {.msg = ""};
    setenv("KALKAN_HUB_NOW", NOW_TEXT, 1);
    assert_true(
        hub_test_dir("auth", e->dir, sizeof e->dir, e->path, sizeof e->path));
    assert_int_equal(hub_db_open(e->path, &e->db, &d), KK_OK);
    assert_int_equal(hub_user_add(e->db, "ana@example.org", "trainer", NULL,
                                  "correct horse battery", secret,
                                  sizeof secret, &e->uid, &d),
                     KK_OK);
    assert_int_equal(hub_conn_get(e->db, &e->c), KK_OK);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    hub_db_close(e->db);
    hub_test_dir_remove(e->dir);
    free(e);
    unsetenv("KALKAN_HUB_NOW");
    return 0;
}

static void code_at(int64_t t, char out[OTP_CODE_SIZE])
{
    assert_int_equal(
        otp_totp(secret, sizeof secret, OTP_ALG_SHA1, t, 30, 6, out), KK_OK);
}

static void set_now(int64_t t)
{
    char buf[32];
    assert_int_equal(kk_format_time(t, buf, sizeof buf), KK_OK);
    setenv("KALKAN_HUB_NOW", buf, 1);
}

static void password_is_checked_and_unknown_users_fail_alike(void **state)
{
    struct env *e = *state;
    int64_t id = 0;
    assert_int_equal(hub_login_password(e->c, "ana@example.org",
                                        "correct horse battery", "10.0.0.1",
                                        false, &id),
                     KK_OK);
    assert_int_equal(id, e->uid);
    assert_int_equal(hub_login_password(e->c, "ANA@example.org",
                                        "correct horse battery", "10.0.0.1",
                                        false, &id),
                     KK_OK);
    assert_int_equal(hub_login_password(e->c, "ana@example.org", "wrong",
                                        "10.0.0.1", false, &id),
                     KK_ERR_AUTH);
    assert_int_equal(hub_login_password(e->c, "nobody@example.org",
                                        "correct horse battery", "10.0.0.2",
                                        false, &id),
                     KK_ERR_AUTH);
}

static void passwords_are_stored_as_argon2id(void **state)
{
    struct env *e = *state;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(e->c->db, "SELECT pw_hash FROM users",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_memory_equal(sqlite3_column_text(st, 0), "$argon2id$", 10);
    assert_null(strstr((const char *)sqlite3_column_text(st, 0), "horse"));
    sqlite3_finalize(st);
}

static void secrets_are_sealed_to_their_user(void **state)
{
    struct env *e = *state;
    uint8_t sealed[128], back[64];
    size_t n = 0, m = 0;
    assert_int_equal(hub_totp_seal(e->db, 7, secret, sizeof secret, sealed,
                                   sizeof sealed, &n),
                     KK_OK);
    assert_null(memmem(sealed, n, secret, sizeof secret));
    assert_int_equal(
        hub_totp_unseal(e->db, 7, sealed, n, back, sizeof back, &m), KK_OK);
    assert_int_equal(m, sizeof secret);
    assert_memory_equal(back, secret, m);
    /* Moved to another user's row, it does not open. */
    assert_int_equal(
        hub_totp_unseal(e->db, 8, sealed, n, back, sizeof back, &m),
        KK_ERR_CORRUPT);
    sealed[n - 1] ^= 1;
    assert_int_equal(
        hub_totp_unseal(e->db, 7, sealed, n, back, sizeof back, &m),
        KK_ERR_CORRUPT);
}

static void a_code_is_accepted_once(void **state)
{
    struct env *e = *state;
    char code[OTP_CODE_SIZE];
    code_at(NOW, code);
    assert_int_equal(hub_login_code(e->c, e->uid, code, "10.0.0.1"), KK_OK);
    assert_int_equal(hub_login_code(e->c, e->uid, code, "10.0.0.1"),
                     KK_ERR_REPLAY);
    /* The previous step is older than the one used: refused too. */
    code_at(NOW - 30, code);
    assert_int_equal(hub_login_code(e->c, e->uid, code, "10.0.0.1"),
                     KK_ERR_REPLAY);
    set_now(NOW + 30);
    code_at(NOW + 30, code);
    assert_int_equal(hub_login_code(e->c, e->uid, code, "10.0.0.1"), KK_OK);
    assert_int_equal(hub_login_code(e->c, e->uid, "000000", "10.0.0.1"),
                     KK_ERR_AUTH);
    assert_int_equal(hub_login_code(e->c, e->uid, "12ab", "10.0.0.1"),
                     KK_ERR_AUTH);
}

static void codes_outside_the_window_fail(void **state)
{
    struct env *e = *state;
    char code[OTP_CODE_SIZE];
    code_at(NOW + 90, code);
    assert_int_equal(hub_login_code(e->c, e->uid, code, "10.0.0.1"),
                     KK_ERR_AUTH);
}

static void throttling_spares_the_owners_known_browser(void **state)
{
    struct env *e = *state;
    int64_t id;
    char ip[32];
    /* An attacker spreads guesses over many addresses. */
    for (int i = 0; i < 20; i++) {
        snprintf(ip, sizeof ip, "198.51.100.%d", i);
        assert_int_equal(hub_login_password(e->c, "ana@example.org", "guess",
                                            ip, false, &id),
                         KK_ERR_AUTH);
    }
    /* Unknown browsers now wait, even with the right password... */
    assert_int_equal(hub_login_password(e->c, "ana@example.org",
                                        "correct horse battery", "203.0.113.9",
                                        false, &id),
                     KK_ERR_THROTTLED);
    /* ...but the owner's browser, known from an earlier login, gets in. */
    assert_int_equal(hub_login_password(e->c, "ana@example.org",
                                        "correct horse battery", "192.0.2.10",
                                        true, &id),
                     KK_OK);
}

static void one_address_is_slowed_after_five_failures(void **state)
{
    struct env *e = *state;
    int64_t id;
    for (int i = 0; i < 5; i++)
        assert_int_equal(hub_login_password(e->c, "ana@example.org", "guess",
                                            "198.51.100.1", true, &id),
                         KK_ERR_AUTH);
    assert_int_equal(hub_login_password(e->c, "ana@example.org",
                                        "correct horse battery", "198.51.100.1",
                                        true, &id),
                     KK_ERR_THROTTLED);
    /* The back-off ends: never a permanent lock. */
    set_now(NOW + 3600 + 1);
    assert_int_equal(hub_login_password(e->c, "ana@example.org",
                                        "correct horse battery", "198.51.100.1",
                                        true, &id),
                     KK_OK);
}

static void wrong_codes_are_throttled_then_forgiven(void **state)
{
    struct env *e = *state;
    char code[OTP_CODE_SIZE];
    for (int i = 0; i < 5; i++)
        assert_int_equal(hub_login_code(e->c, e->uid, "999999", "10.0.0.1"),
                         KK_ERR_AUTH);
    code_at(NOW, code);
    assert_int_equal(hub_login_code(e->c, e->uid, code, "10.0.0.1"),
                     KK_ERR_THROTTLED);
    set_now(NOW + 3600 + 30);
    code_at(NOW + 3600 + 30, code);
    assert_int_equal(hub_login_code(e->c, e->uid, code, "10.0.0.1"), KK_OK);
}

static void enrolment_issues_recovery_codes_that_work_once(void **state)
{
    struct env *e = *state;
    struct kk_diag d = {.msg = ""};
    struct kk_buf *codes = kk_buf_new(4096);
    char b32[64], again[64], code[OTP_CODE_SIZE], first[32];
    uint8_t sec[64];
    size_t n = 0;
    int64_t uid;
    assert_int_equal(hub_user_add(e->db, "new@example.org", "donor", NULL,
                                  "another long password", NULL, 0, &uid, &d),
                     KK_OK);
    assert_int_equal(hub_enrol_pending(e->c, uid, b32, sizeof b32),
                     KK_ERR_NOTFOUND);
    assert_int_equal(hub_enrol_start(e->c, uid, b32, sizeof b32), KK_OK);
    assert_int_equal(hub_enrol_pending(e->c, uid, again, sizeof again), KK_OK);
    assert_string_equal(b32, again);
    assert_int_equal(otp_base32_decode(b32, strlen(b32), sec, sizeof sec, &n),
                     KK_OK);
    assert_int_equal(hub_enrol_finish(e->c, uid, "000000", codes), KK_ERR_AUTH);
    assert_int_equal(otp_totp(sec, n, OTP_ALG_SHA1, NOW, 30, 6, code), KK_OK);
    assert_int_equal(hub_enrol_finish(e->c, uid, code, codes), KK_OK);
    /* Ten lines of xxxx-xxxx-xxxx-xxxx. */
    {
        const char *p = kk_buf_str(codes);
        size_t lines = 0;
        for (const char *q = p; *q != '\0'; q++)
            lines += *q == '\n';
        assert_int_equal(lines, 10);
        assert_int_equal(strcspn(p, "\n"), 19);
        memcpy(first, p, 19);
        first[19] = '\0';
    }
    /* The enrolment code's step is spent. */
    assert_int_equal(hub_login_code(e->c, uid, code, "10.0.0.1"),
                     KK_ERR_REPLAY);
    assert_int_equal(hub_login_code(e->c, uid, first, "10.0.0.1"), KK_OK);
    assert_int_equal(hub_login_code(e->c, uid, first, "10.0.0.1"), KK_ERR_AUTH);
    kk_buf_free(codes);
}

static void sessions_store_only_a_hash_of_the_cookie(void **state)
{
    struct env *e = *state;
    char cookie[64];
    uint8_t h[32];
    sqlite3_stmt *st;
    assert_int_equal(
        hub_session_create(e->c, e->uid, HUB_STAGE_FULL, cookie, sizeof cookie),
        KK_OK);
    assert_int_equal(strlen(cookie), 43);
    hub_hash(cookie, strlen(cookie), h);
    st = hub_q(e->c, HUB_Q_SESSION_GET);
    hub_bind_blob(st, ":h", h, sizeof h);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(st, 0), e->uid);
    sqlite3_reset(st);
    hub_session_end(e->c, h);
    st = hub_q(e->c, HUB_Q_SESSION_GET);
    hub_bind_blob(st, ":h", h, sizeof h);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_reset(st);
}

static void user_add_checks_its_input(void **state)
{
    struct env *e = *state;
    struct kk_diag d = {.msg = ""};
    int64_t id;
    assert_int_equal(hub_user_add(e->db, "x@example.org", "boss", NULL,
                                  "a long password", NULL, 0, &id, &d),
                     KK_ERR_INVAL);
    assert_int_equal(hub_user_add(e->db, "x@example.org", "focal", NULL,
                                  "a long password", NULL, 0, &id, &d),
                     KK_ERR_INVAL);
    assert_int_equal(hub_user_add(e->db, "x@example.org", "trainer", "a",
                                  "a long password", NULL, 0, &id, &d),
                     KK_ERR_INVAL);
    assert_int_equal(hub_user_add(e->db, "x@example.org", "trainer", NULL,
                                  "short", NULL, 0, &id, &d),
                     KK_ERR_INVAL);
    assert_int_equal(hub_user_add(e->db, "not-an-address", "trainer", NULL,
                                  "a long password", NULL, 0, &id, &d),
                     KK_ERR_INVAL);
    assert_int_equal(hub_user_add(e->db, "focal@example.org", "focal",
                                  "no-such-outlet", "a long password", NULL, 0,
                                  &id, &d),
                     KK_ERR_NOTFOUND);
    assert_int_equal(hub_user_add(e->db, "Ana@Example.org", "trainer", NULL,
                                  "a long password", NULL, 0, &id, &d),
                     KK_ERR_EXISTS);
}

static void tokens_are_stored_hashed(void **state)
{
    struct env *e = *state;
    struct kk_diag d = {.msg = ""};
    char tok[96];
    uint8_t h[32];
    sqlite3_stmt *st;
    assert_int_equal(
        hub_token_create(e->db, "ana@example.org", 0, tok, sizeof tok, &d),
        KK_OK);
    assert_memory_equal(tok, "kk_", 3);
    hub_hash(tok, strlen(tok), h);
    st = hub_q(e->c, HUB_Q_TOKEN_GET);
    hub_bind_blob(st, ":h", h, sizeof h);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    sqlite3_reset(st);
    assert_int_equal(
        hub_token_create(e->db, "nobody@example.org", 0, tok, sizeof tok, &d),
        KK_ERR_NOTFOUND);
    assert_int_equal(
        hub_token_create(e->db, "ana@example.org", 12345, tok, sizeof tok, &d),
        KK_ERR_NOTFOUND);
}

static void the_database_reopens_and_backs_up(void **state)
{
    struct env *e = *state;
    struct kk_diag d = {.msg = ""};
    struct hub_db *again = NULL;
    char copy[160], key[160];
    sqlite3 *raw;
    sqlite3_stmt *st;
    struct stat sb;
    int migrations = 0;
    for (const struct hub_asset *a = hub_assets; a->name != NULL; a++)
        migrations += strncmp(a->name, "lib/hub/migrations/", 19) == 0;
    assert_true(migrations >= 4);
    assert_int_equal(hub_db_version(e->db), migrations);
    assert_int_equal(hub_db_open(e->path, &again, &d), KK_OK);
    assert_int_equal(hub_db_version(again), migrations);
    hub_db_close(again);
    snprintf(copy, sizeof copy, "%s.copy", e->path);
    assert_int_equal(hub_db_backup(e->db, copy, &d), KK_OK);
    assert_int_equal(hub_db_backup(e->db, copy, &d), KK_ERR_EXISTS);
    assert_int_equal(sqlite3_open(copy, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(raw,
                                        "SELECT count(*) FROM users WHERE "
                                        "email = 'ana@example.org'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    sqlite3_close(raw);
    /* The key file must stay private. */
    snprintf(key, sizeof key, "%s.key", e->path);
    assert_int_equal(stat(key, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(chmod(key, 0644), 0);
    assert_int_equal(hub_db_open(e->path, &again, &d), KK_ERR_PERM);
    assert_int_equal(chmod(key, 0600), 0);
    /* A lost key file is not silently replaced. */
    {
        char moved[192];
        snprintf(moved, sizeof moved, "%s.moved", key);
        assert_int_equal(rename(key, moved), 0);
        assert_int_equal(hub_db_open(e->path, &again, &d), KK_ERR_NOTFOUND);
        assert_non_null(strstr(d.msg, "restore"));
        assert_int_equal(rename(moved, key), 0);
    }
}

static void observations_cannot_be_rewritten(void **state)
{
    struct env *e = *state;
    char *err = NULL;
    assert_int_equal(
        sqlite3_exec(e->c->db,
                     "INSERT INTO outlets (id, slug, name, media, created_at) "
                     "VALUES (5, 's', 'S', 'web', 0);"
                     "INSERT INTO observations (outlet_id, subject_type, "
                     "subject_id, control_id, status, source, observed_at) "
                     "VALUES (5, 'outlet', 5, 'ORG-01', 'pass', 'manual', 1)",
                     NULL, NULL, &err),
        SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(e->c->db,
                                      "UPDATE observations SET status = "
                                      "'fail'",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(
        sqlite3_exec(e->c->db, "DELETE FROM observations", NULL, NULL, NULL),
        SQLITE_OK);
}

static void an_outlet_login_is_linked_to_its_person(void **state)
{
    struct env *e = *state;
    struct kk_diag d = {.msg = ""};
    sqlite3_stmt *st;
    int64_t uid = 0;
    assert_int_equal(
        sqlite3_exec(e->c->db,
                     "INSERT INTO outlets (id, slug, name, media, created_at) "
                     "VALUES (7, 'o', 'O', 'web', 0), (8, 'p', 'P', 'tv', 0);"
                     "INSERT INTO people (id, outlet_id, name, department, "
                     "email, created_at) VALUES (70, 7, 'Aida', 'finance', "
                     "'aida@o.example', 0), (80, 8, 'Aida elsewhere', "
                     "'finance', 'aida@p.example', 0)",
                     NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_equal(hub_user_add(e->db, "AIDA@o.example", "staff", "o",
                                  "a long password", NULL, 0, &uid, &d),
                     KK_OK);
    /* Not the namesake of another outlet: only outlet o's people count. */
    assert_int_equal(hub_user_add(e->db, "aida@p.example", "staff", "o",
                                  "a long password", NULL, 0, NULL, &d),
                     KK_OK);
    assert_int_equal(sqlite3_prepare_v2(e->c->db,
                                        "SELECT email, person_id FROM users "
                                        "WHERE role = 'staff' ORDER BY email",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(st, 1), 70);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_type(st, 1), SQLITE_NULL);
    sqlite3_finalize(st);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(password_is_checked_and_unknown_users_fail_alike),
        T(passwords_are_stored_as_argon2id),
        T(secrets_are_sealed_to_their_user),
        T(a_code_is_accepted_once),
        T(codes_outside_the_window_fail),
        T(throttling_spares_the_owners_known_browser),
        T(one_address_is_slowed_after_five_failures),
        T(wrong_codes_are_throttled_then_forgiven),
        T(enrolment_issues_recovery_codes_that_work_once),
        T(sessions_store_only_a_hash_of_the_cookie),
        T(user_add_checks_its_input),
        T(tokens_are_stored_hashed),
        T(the_database_reopens_and_backs_up),
        T(observations_cannot_be_rewritten),
        T(an_outlet_login_is_linked_to_its_person),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
