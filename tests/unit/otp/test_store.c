/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_store.c - unit tests of the credential store behind pam_kalkan:
 * the state-file format (round trip, strict rejection), the binding of
 * ciphertexts to user and credential, replay, drift learning, the rate
 * limits, recovery codes, and the google-authenticator import.
 *
 * Every test works in a fresh private directory and passes the time
 * explicitly, so nothing sleeps and nothing depends on the wall clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "kalkan/otp.h"
#include "kalkan/otp_store.h"
#include "../../../lib/otp/store_int.h"

#define T0 1700000000 /* a step boundary for 30 s: 1700000000 % 30 == 20 */

static const uint8_t secret20[20] = "12345678901234567890";

struct fx {
    char dir[64];
    struct otp_store *s;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);

    if (f == NULL)
        return -1;
    memcpy(f->dir, "/tmp/kk-store-XXXXXX", 21);
    if (mkdtemp(f->dir) == NULL)
        return -1;
    if (otp_store_open(f->dir, OTP_STORE_CREATE, &f->s, NULL) != KK_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    const char *argv_rm[] = {"rm", "-rf", f->dir, NULL};

    otp_store_free(f->s);
    /* Remove the directory tree without a shell. */
    if (fork() == 0) {
        execvp("rm", (char *const *)argv_rm);
        _exit(127);
    }
    (void)wait(NULL);
    free(f);
    return 0;
}

static void totp_at(const struct otp_params *p, int64_t t,
                    char out[OTP_CODE_SIZE])
{
    assert_int_equal(otp_totp(secret20, sizeof secret20, p->alg, t, p->period,
                              p->digits, out),
                     KK_OK);
}

static unsigned add_totp(struct fx *f, const char *user)
{
    struct otp_params p;
    unsigned id = 0;

    otp_params_default(&p);
    assert_int_equal(otp_store_cred_add(f->s, user, "phone", &p, secret20,
                                        sizeof secret20, true, T0, &id, NULL),
                     KK_OK);
    return id;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *buf = calloc(1, KK_STORE_FILE_MAX + 1);
    size_t n;

    assert_non_null(fp);
    assert_non_null(buf);
    n = fread(buf, 1, KK_STORE_FILE_MAX, fp);
    fclose(fp);
    *len = n;
    return buf;
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");

    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    fclose(fp);
}

static void user_path(const struct fx *f, const char *enc, char *out,
                      size_t cap)
{
    snprintf(out, cap, "%s/users/%s", f->dir, enc);
}

/* ---- format ---- */

static void state_file_round_trips_exactly(void **state)
{
    struct fx *f = *state;
    char codes[KK_STORE_RECOVERY_CODES][OTP_RECOVERY_SIZE];
    struct otp_params p;
    struct st_user *u = calloc(1, sizeof *u);
    struct kk_buf *b = kk_buf_new(KK_STORE_FILE_MAX);
    char path[256];
    size_t len;
    char *text;
    unsigned id;

    add_totp(f, "alice");
    otp_params_default(&p);
    p.kind = OTP_KIND_HOTP;
    p.alg = OTP_ALG_SHA256;
    p.digits = 8;
    p.counter = 42;
    assert_int_equal(otp_store_cred_add(f->s, "alice", "Token 2 (\xc3\xa9)", &p,
                                        secret20, sizeof secret20, false, T0,
                                        &id, NULL),
                     KK_OK);
    assert_int_equal(id, 2);
    assert_int_equal(otp_store_recovery_new(f->s, "alice", T0, codes, NULL),
                     KK_OK);
    user_path(f, "alice", path, sizeof path);
    text = read_file(path, &len);
    assert_int_equal(st_parse(text, len, "alice", u, NULL), KK_OK);
    assert_int_equal(u->ncreds, 2);
    assert_int_equal(u->nrc, KK_STORE_RECOVERY_CODES);
    assert_string_equal(u->creds[1].info.label, "Token 2 (\xc3\xa9)");
    assert_int_equal(u->creds[1].info.params.counter, 42);
    assert_int_equal(st_format(u, b), KK_OK);
    assert_int_equal(kk_buf_len(b), len);
    assert_memory_equal(kk_buf_data(b), text, len);
    kk_buf_free(b);
    free(text);
    free(u);
}

static const char good_file[] =
    "kalkan-otp-state 1\n"
    "user bob\n"
    "next-id 2\n"
    "budget local 0 0 0 0 0\n"
    "budget remote 0 0 0 0 0\n"
    "recovery 0 0\n"
    "cred 1 totp SHA1 6 30 active 1700000000 0 - 0 0 phone "
    "000102030405060708090a0b0c0d0e0f1011121314151617 "
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "2021222324\n"
    "end\n";

static void well_formed_file_parses(void **state)
{
    struct otp_user_info info;

    (void)state;
    assert_int_equal(
        otp_store_file_parse(good_file, strlen(good_file), "bob", &info, NULL),
        KK_OK);
    assert_int_equal(info.ncreds, 1);
    assert_true(info.enrolled);
}

/* Each case replaces the first occurrence of `from` in good_file. */
static const struct {
    const char *from;
    const char *to;
} corrupt_cases[] = {
    {"kalkan-otp-state 1", "kalkan-otp-state 2"},
    {"user bob", "user alice"},
    {"next-id 2", "next-id 02"},
    {"next-id 2", "next-id 1"},
    {"budget local 0 0", "budget local  0 0"},
    {"budget local 0 0 0 0 0", "budget local 0 0 0 0"},
    {"budget local 0 0", "budget local 1 0"},
    {"budget local", "budget remote"},
    {"recovery 0 0", "recovery 0 1"},
    {"recovery 0 0\n", "recovery 0 0\r\n"},
    {"totp", "TOTP"},
    {"SHA1", "MD5"},
    {" 6 30 ", " 5 30 "},
    {" 6 30 ", " 6 0 "},
    {"active", "enabled"},
    {" - 0 0 ", " -0 0 0 "},
    {" - 0 0 ", " - 21 0 "},
    {" - 0 0 ", " - +1 0 "},
    {"phone", "ph%6Fne"},
    {"phone", "ph one"},
    {"phone", "ph%00"},
    {"0001020304", "000102030X"},
    {"0001020304", "000102030A"},
    {"2021222324\n", "202122232\n"},
    {"end\n", "end"},
    {"end\n", "end\nextra\n"},
    {"end\n", ""},
    {"cred 1 ", "cred 0 "},
    {"cred 1 ", "cred 2 "},
};

static void corrupt_files_are_rejected(void **state)
{
    char buf[2048];
    struct otp_user_info info;

    (void)state;
    for (size_t i = 0; i < sizeof corrupt_cases / sizeof corrupt_cases[0];
         i++) {
        const char *at = strstr(good_file, corrupt_cases[i].from);
        size_t pre;
        assert_non_null(at);
        pre = (size_t)(at - good_file);
        snprintf(buf, sizeof buf, "%.*s%s%s", (int)pre, good_file,
                 corrupt_cases[i].to, at + strlen(corrupt_cases[i].from));
        if (otp_store_file_parse(buf, strlen(buf), "bob", &info, NULL) !=
            KK_ERR_CORRUPT)
            fail_msg("case %zu (%s -> %s) was accepted", i,
                     corrupt_cases[i].from, corrupt_cases[i].to);
    }
    assert_int_equal(otp_store_file_parse("", 0, "bob", &info, NULL),
                     KK_ERR_CORRUPT);
}

static void corrupt_state_fails_closed(void **state)
{
    struct fx *f = *state;
    struct otp_verify_result res;
    char code[OTP_CODE_SIZE];
    struct otp_params p;
    char path[256];

    add_totp(f, "carol");
    user_path(f, "carol", path, sizeof path);
    write_file(path, "garbage\n", 8);
    otp_params_default(&p);
    totp_at(&p, T0, code);
    assert_int_equal(otp_store_verify(f->s, "carol", code, OTP_BUDGET_LOCAL,
                                      NULL, T0, &res, NULL),
                     KK_ERR_CORRUPT);
    write_file(path, "", 0);
    assert_int_equal(otp_store_verify(f->s, "carol", code, OTP_BUDGET_LOCAL,
                                      NULL, T0, &res, NULL),
                     KK_ERR_CORRUPT);
}

/* ---- encryption ---- */

static void secret_is_not_stored_in_clear(void **state)
{
    struct fx *f = *state;
    char path[256];
    size_t len;
    char *text;

    add_totp(f, "dave");
    user_path(f, "dave", path, sizeof path);
    text = read_file(path, &len);
    assert_null(memmem(text, len, secret20, sizeof secret20));
    assert_null(strstr(text, "3132333435")); /* hex of the secret */
    free(text);
}

/* Replaces the nonce and ciphertext of the cred line of `to` by those of
 * `from` (both users have one credential). */
static void move_ciphertext(struct fx *f, const char *from, const char *to,
                            const char *newid)
{
    char pf[256];
    char pt[256];
    size_t lf;
    size_t lt;
    char *tf;
    char *tt;
    char out[8192];
    char *cf;
    char *ct;
    char *sf;
    char *st;
    int n;

    user_path(f, from, pf, sizeof pf);
    user_path(f, to, pt, sizeof pt);
    tf = read_file(pf, &lf);
    tt = read_file(pt, &lt);
    cf = strstr(tf, "\ncred ");
    ct = strstr(tt, "\ncred ");
    assert_non_null(cf);
    assert_non_null(ct);
    /* the nonce starts after the label: the 13th field */
    sf = cf + 1;
    st = ct + 1;
    for (int i = 0; i < 13; i++) {
        sf = strchr(sf, ' ') + 1;
        st = strchr(st, ' ') + 1;
    }
    if (newid != NULL) {
        /* "cred 1 " -> "cred <newid> " and next-id raised */
        char *idp = ct + 6;
        n = snprintf(out, sizeof out, "%.*s", (int)(idp - tt), tt);
        n += snprintf(out + n, sizeof out - (size_t)n, "%s%.*s%s", newid,
                      (int)(st - strchr(idp, ' ')), strchr(idp, ' '), sf);
        /* fix next-id to stay consistent */
        {
            char *ni = strstr(out, "next-id ");
            ni[8] = '9';
        }
    } else {
        n = snprintf(out, sizeof out, "%.*s%s", (int)(st - tt), tt, sf);
    }
    write_file(pt, out, strlen(out));
    free(tf);
    free(tt);
}

static void ciphertext_moved_to_another_user_fails(void **state)
{
    struct fx *f = *state;
    struct otp_verify_result res;
    char code[OTP_CODE_SIZE];
    struct otp_params p;

    add_totp(f, "erin");
    add_totp(f, "frank");
    move_ciphertext(f, "erin", "frank", NULL);
    otp_params_default(&p);
    totp_at(&p, T0, code);
    assert_int_equal(otp_store_verify(f->s, "frank", code, OTP_BUDGET_LOCAL,
                                      NULL, T0, &res, NULL),
                     KK_ERR_CORRUPT);
    /* erin's own credential still works */
    assert_int_equal(otp_store_verify(f->s, "erin", code, OTP_BUDGET_LOCAL,
                                      NULL, T0, &res, NULL),
                     KK_OK);
}

static void ciphertext_moved_to_another_credential_fails(void **state)
{
    struct fx *f = *state;
    struct otp_verify_result res;
    char code[OTP_CODE_SIZE];
    struct otp_params p;

    add_totp(f, "gina");
    /* same user, but the credential now claims id 5 */
    move_ciphertext(f, "gina", "gina", "5");
    otp_params_default(&p);
    totp_at(&p, T0, code);
    assert_int_equal(otp_store_verify(f->s, "gina", code, OTP_BUDGET_LOCAL,
                                      NULL, T0, &res, NULL),
                     KK_ERR_CORRUPT);
}

/* ---- replay, window, drift ---- */

static void code_is_accepted_once_and_steps_are_monotonic(void **state)
{
    struct fx *f = *state;
    struct otp_verify_result res;
    char code[OTP_CODE_SIZE];
    char prev[OTP_CODE_SIZE];
    char next[OTP_CODE_SIZE];
    struct otp_params p;
    int64_t t = T0 + 10;

    add_totp(f, "hank");
    otp_params_default(&p);
    totp_at(&p, t, code);
    totp_at(&p, t - 30, prev);
    totp_at(&p, t + 30, next);
    assert_int_equal(otp_store_verify(f->s, "hank", code, OTP_BUDGET_REMOTE,
                                      NULL, t, &res, NULL),
                     KK_OK);
    assert_int_equal(res.by, OTP_VERIFIED_CODE);
    assert_int_equal(res.offset, 0);
    assert_int_equal(otp_store_verify(f->s, "hank", code, OTP_BUDGET_REMOTE,
                                      NULL, t, &res, NULL),
                     KK_ERR_REPLAY);
    /* an older step inside the window is refused too */
    assert_int_equal(otp_store_verify(f->s, "hank", prev, OTP_BUDGET_REMOTE,
                                      NULL, t, &res, NULL),
                     KK_ERR_REPLAY);
    /* the next step is fine, even early (window 1) */
    assert_int_equal(otp_store_verify(f->s, "hank", next, OTP_BUDGET_REMOTE,
                                      NULL, t, &res, NULL),
                     KK_OK);
    assert_int_equal(res.offset, 1);
}

static void code_outside_window_is_rejected(void **state)
{
    struct fx *f = *state;
    struct otp_verify_result res;
    char code[OTP_CODE_SIZE];
    struct otp_params p;
    struct otp_policy pol;

    add_totp(f, "iris");
    otp_params_default(&p);
    otp_policy_default(&pol);
    totp_at(&p, T0 + 60, code);
    assert_int_equal(otp_store_verify(f->s, "iris", code, OTP_BUDGET_LOCAL,
                                      &pol, T0, &res, NULL),
                     KK_ERR_AUTH);
    pol.window = 2;
    assert_int_equal(otp_store_verify(f->s, "iris", code, OTP_BUDGET_LOCAL,
                                      &pol, T0, &res, NULL),
                     KK_OK);
}

static void drift_is_learned_from_two_consecutive_codes(void **state)
{
    struct fx *f = *state;
    struct otp_verify_result res;
    struct otp_user_info info;
    char code[OTP_CODE_SIZE];
    struct otp_params p;
    int64_t t = T0 + 10;

    add_totp(f, "jack");
    otp_params_default(&p);
    /* phone 30 s fast: first code at offset +1 is only remembered */
    totp_at(&p, t + 30, code);
    assert_int_equal(otp_store_verify(f->s, "jack", code, OTP_BUDGET_LOCAL,
                                      NULL, t, &res, NULL),
                     KK_OK);
    assert_false(res.drift_adopted);
    assert_int_equal(otp_store_info(f->s, "jack", NULL, t, &info, NULL), KK_OK);
    assert_int_equal(info.creds[0].drift, 0);
    assert_int_equal(info.creds[0].pending_drift, 1);
    /* a second code at +1 makes it the drift */
    t += 60;
    totp_at(&p, t + 30, code);
    assert_int_equal(otp_store_verify(f->s, "jack", code, OTP_BUDGET_LOCAL,
                                      NULL, t, &res, NULL),
                     KK_OK);
    assert_true(res.drift_adopted);
    assert_int_equal(otp_store_info(f->s, "jack", NULL, t, &info, NULL), KK_OK);
    assert_int_equal(info.creds[0].drift, 1);
    /* now the window is centred one step ahead: +2 is inside */
    t += 60;
    totp_at(&p, t + 60, code);
    assert_int_equal(otp_store_verify(f->s, "jack", code, OTP_BUDGET_LOCAL,
                                      NULL, t, &res, NULL),
                     KK_OK);
    assert_int_equal(res.offset, 1);
    /* a code at 0 clears the pending offset */
    t += 90;
    totp_at(&p, t + 30, code);
    assert_int_equal(otp_store_verify(f->s, "jack", code, OTP_BUDGET_LOCAL,
                                      NULL, t, &res, NULL),
                     KK_OK);
    assert_int_equal(res.offset, 0);
    assert_int_equal(otp_store_info(f->s, "jack", NULL, t, &info, NULL), KK_OK);
    assert_int_equal(info.creds[0].pending_drift, 0);
    assert_int_equal(info.creds[0].drift, 1);
}

static void different_offsets_do_not_change_drift(void **state)
{
    struct fx *f = *state;
    struct otp_verify_result res;
    struct otp_user_info info;
    char code[OTP_CODE_SIZE];
    struct otp_params p;
    int64_t t = T0 + 10;

    add_totp(f, "kate");
    otp_params_default(&p);
    totp_at(&p, t + 30, code);
    assert_int_equal(otp_store_verify(f->s, "kate", code, OTP_BUDGET_LOCAL,
                                      NULL, t, &res, NULL),
                     KK_OK);
    t += 120;
    totp_at(&p, t - 30, code);
    assert_int_equal(otp_store_verify(f->s, "kate", code, OTP_BUDGET_LOCAL,
                                      NULL, t, &res, NULL),
                     KK_OK);
    assert_false(res.drift_adopted);
    assert_int_equal(otp_store_info(f->s, "kate", NULL, t, &info, NULL), KK_OK);
    assert_int_equal(info.creds[0].drift, 0);
    assert_int_equal(info.creds[0].pending_drift, -1);
}

static void hotp_counter_advances_only_on_success(void **state)
{
    struct fx *f = *state;
    struct otp_verify_result res;
    struct otp_user_info info;
    struct otp_params p;
    char code[OTP_CODE_SIZE];
    unsigned id;

    otp_params_default(&p);
    p.kind = OTP_KIND_HOTP;
    p.counter = 5;
    assert_int_equal(otp_store_cred_add(f->s, "liam", "key", &p, secret20,
                                        sizeof secret20, true, T0, &id, NULL),
                     KK_OK);
    assert_int_equal(otp_store_verify(f->s, "liam", "000000", OTP_BUDGET_LOCAL,
                                      NULL, T0, &res, NULL),
                     KK_ERR_AUTH);
    assert_int_equal(otp_store_info(f->s, "liam", NULL, T0, &info, NULL),
                     KK_OK);
    assert_int_equal(info.creds[0].params.counter, 5);
    /* counter 7 is within the look-ahead of 2 * window */
    assert_int_equal(
        otp_hotp(secret20, sizeof secret20, OTP_ALG_SHA1, 7, 6, code), KK_OK);
    assert_int_equal(otp_store_verify(f->s, "liam", code, OTP_BUDGET_LOCAL,
                                      NULL, T0, &res, NULL),
                     KK_OK);
    assert_int_equal(otp_store_info(f->s, "liam", NULL, T0, &info, NULL),
                     KK_OK);
    assert_int_equal(info.creds[0].params.counter, 8);
    assert_int_equal(otp_store_verify(f->s, "liam", code, OTP_BUDGET_LOCAL,
                                      NULL, T0, &res, NULL),
                     KK_ERR_AUTH);
}

static void pending_credential_needs_a_code(void **state)
{
    struct fx *f = *state;
    struct otp_verify_result res;
    struct otp_params p;
    char code[OTP_CODE_SIZE];
    unsigned id;

    otp_params_default(&p);
    assert_int_equal(otp_store_cred_add(f->s, "mia", "phone", &p, secret20,
                                        sizeof secret20, false, T0, &id, NULL),
                     KK_OK);
    totp_at(&p, T0, code);
    /* not usable for logins yet; the user counts as unenrolled */
    assert_int_equal(otp_store_verify(f->s, "mia", code, OTP_BUDGET_LOCAL, NULL,
                                      T0, &res, NULL),
                     KK_ERR_NOTFOUND);
    assert_int_equal(
        otp_store_cred_activate(f->s, "mia", id, "000000", NULL, T0, NULL),
        KK_ERR_AUTH);
    assert_int_equal(
        otp_store_cred_activate(f->s, "mia", id, code, NULL, T0, NULL), KK_OK);
    /* the activation code cannot be replayed at login */
    assert_int_equal(otp_store_verify(f->s, "mia", code, OTP_BUDGET_LOCAL, NULL,
                                      T0, &res, NULL),
                     KK_ERR_REPLAY);
}

static void unknown_user_is_not_found(void **state)
{
    struct fx *f = *state;
    struct otp_verify_result res;
    char path[256];

    assert_int_equal(otp_store_verify(f->s, "nobody-here", "123456",
                                      OTP_BUDGET_REMOTE, NULL, T0, &res, NULL),
                     KK_ERR_NOTFOUND);
    user_path(f, "nobody-here", path, sizeof path);
    assert_int_not_equal(access(path, F_OK), 0);
}

/* ---- rate limits ---- */

static void backoff_starts_after_free_failures_and_doubles(void **state)
{
    struct fx *f = *state;
    struct otp_verify_result res;
    struct otp_user_info info;
    char code[OTP_CODE_SIZE];
    struct otp_params p;
    int64_t t = T0 + 10;

    add_totp(f, "nina");
    otp_params_default(&p);
    for (int i = 0; i < 3; i++)
        assert_int_equal(otp_store_verify(f->s, "nina", "000000",
                                          OTP_BUDGET_REMOTE, NULL, t, &res,
                                          NULL),
                         KK_ERR_AUTH);
    assert_int_equal(res.throttled_until, t + 1);
    /* throttled: even the right code is refused, and counted */
    totp_at(&p, t, code);
    assert_int_equal(otp_store_verify(f->s, "nina", code, OTP_BUDGET_REMOTE,
                                      NULL, t, &res, NULL),
                     KK_ERR_THROTTLED);
    assert_int_equal(res.throttled_until, t + 2);
    assert_int_equal(otp_store_info(f->s, "nina", NULL, t, &info, NULL), KK_OK);
    assert_int_equal(info.budget[OTP_BUDGET_REMOTE].consecutive, 4);
    assert_int_equal(info.budget[OTP_BUDGET_REMOTE].failures_24h, 4);
    assert_int_equal(info.budget[OTP_BUDGET_LOCAL].consecutive, 0);
    /* the local budget is untouched */
    assert_int_equal(otp_store_verify(f->s, "nina", code, OTP_BUDGET_LOCAL,
                                      NULL, t, &res, NULL),
                     KK_OK);
    /* the back-off has a cap */
    for (int i = 0; i < 30; i++)
        assert_int_equal(otp_store_verify(f->s, "nina", "000000",
                                          OTP_BUDGET_REMOTE, NULL, t, &res,
                                          NULL),
                         KK_ERR_THROTTLED);
    assert_int_equal(res.throttled_until, t + 300);
    /* after the wait, codes are evaluated again; success resets */
    t += 300;
    totp_at(&p, t, code);
    assert_int_equal(otp_store_verify(f->s, "nina", code, OTP_BUDGET_REMOTE,
                                      NULL, t, &res, NULL),
                     KK_OK);
    assert_int_equal(otp_store_info(f->s, "nina", NULL, t, &info, NULL), KK_OK);
    assert_int_equal(info.budget[OTP_BUDGET_REMOTE].consecutive, 0);
    assert_int_equal(info.budget[OTP_BUDGET_REMOTE].total, 34);
}

static void daily_cap_refills_continuously(void **state)
{
    struct fx *f = *state;
    struct otp_verify_result res;
    struct otp_user_info info;
    struct otp_policy pol;
    int64_t t = T0;

    add_totp(f, "otto");
    otp_policy_default(&pol);
    pol.backoff_after = 100; /* keep the back-off out of the way */
    pol.daily_max = 10;
    for (int i = 0; i < 10; i++) {
        assert_int_equal(otp_store_verify(f->s, "otto", "000000",
                                          OTP_BUDGET_LOCAL, &pol, t, &res,
                                          NULL),
                         KK_ERR_AUTH);
        t += 1;
    }
    /* the 11th attempt within a day is refused without evaluation */
    assert_int_equal(otp_store_verify(f->s, "otto", "000000", OTP_BUDGET_LOCAL,
                                      &pol, t, &res, NULL),
                     KK_ERR_THROTTLED);
    assert_int_equal(otp_store_info(f->s, "otto", &pol, t, &info, NULL), KK_OK);
    assert_int_equal(info.budget[OTP_BUDGET_LOCAL].failures_24h, 10);
    /* one failure drains in 86400 / 10 s */
    t += 8640;
    assert_int_equal(otp_store_verify(f->s, "otto", "000000", OTP_BUDGET_LOCAL,
                                      &pol, t, &res, NULL),
                     KK_ERR_AUTH);
    t += 86400;
    assert_int_equal(otp_store_info(f->s, "otto", &pol, t, &info, NULL), KK_OK);
    assert_int_equal(info.budget[OTP_BUDGET_LOCAL].failures_24h, 0);
    assert_int_equal(info.budget[OTP_BUDGET_LOCAL].throttled_until, 0);
}

/* ---- recovery ---- */

static void recovery_codes_are_single_use_and_work_while_throttled(void **state)
{
    struct fx *f = *state;
    char codes[KK_STORE_RECOVERY_CODES][OTP_RECOVERY_SIZE];
    struct otp_verify_result res;
    struct otp_user_info info;
    char lower[OTP_RECOVERY_SIZE];
    char path[256];
    size_t len;
    char *text;
    int64_t t = T0;

    add_totp(f, "pia");
    assert_int_equal(otp_store_recovery_new(f->s, "pia", t, codes, NULL),
                     KK_OK);
    for (size_t i = 0; i < KK_STORE_RECOVERY_CODES; i++) {
        assert_int_equal(strlen(codes[i]), 14);
        assert_int_equal(codes[i][4], '-');
    }
    /* no code appears in the file */
    user_path(f, "pia", path, sizeof path);
    text = read_file(path, &len);
    for (size_t i = 0; i < KK_STORE_RECOVERY_CODES; i++) {
        char bare[13];
        snprintf(bare, sizeof bare, "%.4s%.4s%.4s", codes[i], codes[i] + 5,
                 codes[i] + 10);
        assert_null(strstr(text, codes[i]));
        assert_null(strstr(text, bare));
    }
    free(text);
    /* throttle the budget */
    for (int i = 0; i < 10; i++)
        assert_int_not_equal(otp_store_verify(f->s, "pia", "000000",
                                              OTP_BUDGET_REMOTE, NULL, t, &res,
                                              NULL),
                             KK_OK);
    assert_int_not_equal(res.throttled_until, 0);
    /* lower case, no dashes: still accepted, once */
    for (size_t i = 0, k = 0; codes[0][i] != '\0'; i++) {
        if (codes[0][i] != '-')
            lower[k++] = (char)(codes[0][i] >= 'A' && codes[0][i] <= 'Z'
                                    ? codes[0][i] - 'A' + 'a'
                                    : codes[0][i]);
        lower[k] = '\0';
    }
    assert_int_equal(otp_store_verify(f->s, "pia", lower, OTP_BUDGET_REMOTE,
                                      NULL, t, &res, NULL),
                     KK_OK);
    assert_int_equal(res.by, OTP_VERIFIED_RECOVERY);
    assert_int_equal(res.recovery_left, 9);
    assert_int_not_equal(otp_store_verify(f->s, "pia", codes[0],
                                          OTP_BUDGET_REMOTE, NULL, t, &res,
                                          NULL),
                         KK_OK);
    assert_int_equal(otp_store_verify(f->s, "pia", codes[1], OTP_BUDGET_LOCAL,
                                      NULL, t, &res, NULL),
                     KK_OK);
    assert_int_equal(otp_store_info(f->s, "pia", NULL, t, &info, NULL), KK_OK);
    assert_int_equal(info.recovery_left, 8);
    /* a code of another user does not work */
    add_totp(f, "quinn");
    assert_int_equal(otp_store_verify(f->s, "quinn", codes[2], OTP_BUDGET_LOCAL,
                                      NULL, t, &res, NULL),
                     KK_ERR_AUTH);
}

/* ---- names ---- */

static void user_names_are_encoded_safely(void **state)
{
    char enc[OTP_STORE_USER_ENC_SIZE];
    char dec[KK_STORE_USER_MAX + 1];
    char longname[KK_STORE_USER_MAX + 2];

    (void)state;
    assert_int_equal(otp_store_user_encode("first.last", enc), KK_OK);
    assert_string_equal(enc, "first.last");
    assert_int_equal(otp_store_user_encode("../etc", enc), KK_OK);
    assert_string_equal(enc, "=2e2e2f657463");
    assert_int_equal(otp_store_user_decode(enc, dec), KK_OK);
    assert_string_equal(dec, "../etc");
    assert_int_equal(otp_store_user_encode("a.lock", enc), KK_OK);
    assert_int_equal(enc[0], '=');
    assert_int_equal(otp_store_user_encode("DOMAIN\\user name", enc), KK_OK);
    assert_int_equal(enc[0], '=');
    assert_int_equal(otp_store_user_encode("", enc), KK_ERR_INVAL);
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(otp_store_user_encode(longname, enc), KK_ERR_RANGE);
    /* only canonical encodings decode */
    assert_int_equal(otp_store_user_decode("=616263", dec), KK_ERR_INVAL);
    assert_int_equal(otp_store_user_decode("alice.lock", dec), KK_ERR_INVAL);
    assert_int_equal(otp_store_user_decode("alice", dec), KK_OK);
}

static void store_refuses_a_shared_directory(void **state)
{
    struct fx *f = *state;
    struct otp_store *s2 = NULL;

    assert_int_equal(chmod(f->dir, 0755), 0);
    assert_int_equal(otp_store_open(f->dir, 0, &s2, NULL), KK_ERR_PERM);
    assert_int_equal(chmod(f->dir, 0700), 0);
    assert_int_equal(otp_store_open(f->dir, 0, &s2, NULL), KK_OK);
    otp_store_free(s2);
    assert_int_equal(otp_store_open("/nonexistent/kalkan", 0, &s2, NULL),
                     KK_ERR_NOTFOUND);
}

/* ---- google-authenticator files ---- */

static const char ga_file[] = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n"
                              "\" RATE_LIMIT 3 30 1415800560\n"
                              "\" WINDOW_SIZE 17\n"
                              "\" DISALLOW_REUSE 56666666 56666667\n"
                              "\" TOTP_AUTH\n"
                              "\" TIME_SKEW -2\n"
                              "\" SOMETHING_NEW 1\n"
                              "12345678\n"
                              "87654321\n";

static void ga_file_is_parsed_and_imported(void **state)
{
    struct fx *f = *state;
    struct otp_verify_result res;
    struct otp_user_info info;
    struct otp_ga g;
    unsigned id;
    bool scratch;

    assert_int_equal(otp_ga_parse(ga_file, strlen(ga_file), &g, NULL), KK_OK);
    assert_int_equal(g.secret_len, 20);
    assert_memory_equal(g.secret, secret20, 20);
    assert_true(g.totp);
    assert_int_equal(g.window_size, 17);
    assert_int_equal(g.nreuse, 2);
    assert_int_equal(g.time_skew, -2);
    assert_int_equal(g.nscratch, 2);
    assert_int_equal(g.unknown, 1);
    assert_true(g.has_rate_limit);
    assert_int_equal(
        otp_store_import_ga(f->s, "rita", "GA", &g, T0, &id, &scratch, NULL),
        KK_OK);
    assert_true(scratch);
    assert_int_equal(otp_store_info(f->s, "rita", NULL, T0, &info, NULL),
                     KK_OK);
    assert_int_equal(info.creds[0].last_step, 56666667);
    assert_int_equal(info.creds[0].drift, -2);
    assert_int_equal(info.recovery_left, 2);
    assert_int_equal(info.recovery_weak, 2);
    assert_int_equal(otp_store_verify(f->s, "rita", "87654321",
                                      OTP_BUDGET_LOCAL, NULL, T0, &res, NULL),
                     KK_OK);
    assert_int_equal(res.by, OTP_VERIFIED_RECOVERY);
    assert_int_equal(otp_store_verify(f->s, "rita", "87654321",
                                      OTP_BUDGET_LOCAL, NULL, T0, &res, NULL),
                     KK_ERR_AUTH);
    otp_ga_wipe(&g);
}

static void malformed_ga_files_are_rejected(void **state)
{
    static const char *bad[] = {
        "",
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n", /* no mode */
        "not base32!\n\" TOTP_AUTH\n",        /* secret */
        "GEZDGNBV\n\" TOTP_AUTH\n",           /* too short */
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n\" STEP_SIZE 0\n\" TOTP_AUTH\n",
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n\" HOTP_COUNTER x\n",
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n\" TOTP_AUTH\n1234567\n",
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n\" TOTP_AUTH extra\n",
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n\" TIME_SKEW 1.5\n\" TOTP_AUTH\n",
    };
    struct otp_ga g;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (otp_ga_parse(bad[i], strlen(bad[i]), &g, NULL) != KK_ERR_INVAL)
            fail_msg("GA case %zu was accepted", i);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(state_file_round_trips_exactly, setup,
                                        teardown),
        cmocka_unit_test(well_formed_file_parses),
        cmocka_unit_test(corrupt_files_are_rejected),
        cmocka_unit_test_setup_teardown(corrupt_state_fails_closed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(secret_is_not_stored_in_clear, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(ciphertext_moved_to_another_user_fails,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            ciphertext_moved_to_another_credential_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(
            code_is_accepted_once_and_steps_are_monotonic, setup, teardown),
        cmocka_unit_test_setup_teardown(code_outside_window_is_rejected, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            drift_is_learned_from_two_consecutive_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(different_offsets_do_not_change_drift,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(hotp_counter_advances_only_on_success,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(pending_credential_needs_a_code, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(unknown_user_is_not_found, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            backoff_starts_after_free_failures_and_doubles, setup, teardown),
        cmocka_unit_test_setup_teardown(daily_cap_refills_continuously, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            recovery_codes_are_single_use_and_work_while_throttled, setup,
            teardown),
        cmocka_unit_test(user_names_are_encoded_safely),
        cmocka_unit_test_setup_teardown(store_refuses_a_shared_directory, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(ga_file_is_parsed_and_imported, setup,
                                        teardown),
        cmocka_unit_test(malformed_ga_files_are_rejected),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
