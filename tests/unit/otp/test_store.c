/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_store.c - unit tests of the credential store behind pam_kalkan:
 * the state-file format (round trip, strict rejection), the failure-counter
 * record (round trip, torn and forged records reset conservatively, counts
 * kept across calls, failures never rewriting the state file), the binding
 * of ciphertexts to user and credential, replay, drift learning, the rate
 * limits, recovery codes, resynchronisation, and the google-authenticator
 * import.  Parallel
 * counting is covered by tests/integ/pam_ratelimit.sh.
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
#include <sodium.h>

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
    {"next-id 2\n", "next-id 2\nbudget local 0 0 0 0 0\n"},
    {"next-id 2", "next-id  2"},
    {"recovery 0 0", "recovery 0 0 0"},
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

/* ---- the failure-counter record ---- */

static const uint8_t ctr_key[ST_CTR_KEY_LEN] =
    "0123456789abcdef0123456789abcde";

/* ---- resynchronisation ---- */

static int resync_at(struct fx *f, const char *user, unsigned id, int64_t t1,
                     int64_t t2, int64_t now, struct otp_resync_result *res)
{
    char c1[OTP_CODE_SIZE];
    char c2[OTP_CODE_SIZE];
    struct otp_params p;

    otp_params_default(&p);
    totp_at(&p, t1, c1);
    totp_at(&p, t2, c2);
    memset(res, 0, sizeof *res);
    return otp_store_resync(f->s, user, id, c1, c2, NULL, now, res, NULL);
}

static int verify_at(struct fx *f, const char *user, int64_t code_t,
                     int64_t now, struct otp_verify_result *res)
{
    char code[OTP_CODE_SIZE];
    struct otp_params p;

    otp_params_default(&p);
    totp_at(&p, code_t, code);
    return otp_store_verify(f->s, user, code, OTP_BUDGET_LOCAL, NULL, now, res,
                            NULL);
}

static void resync_learns_a_fast_and_a_slow_phone(void **state)
{
    struct fx *f = *state;
    struct otp_resync_result rr;
    struct otp_verify_result vr;
    struct otp_user_info info;
    int64_t t = T0 + 10; /* a step boundary */

    /* 5 steps fast: outside the login window until resynchronised */
    add_totp(f, "rosa");
    assert_int_equal(verify_at(f, "rosa", t + 150, t, &vr), KK_ERR_AUTH);
    assert_int_equal(resync_at(f, "rosa", 0, t + 120, t + 150, t + 5, &rr),
                     KK_OK);
    assert_int_equal(rr.cred_id, 1);
    assert_int_equal(rr.kind, OTP_KIND_TOTP);
    assert_int_equal(rr.drift, 5);
    assert_int_equal(rr.old_drift, 0);
    assert_int_equal(rr.period, 30);
    assert_int_equal(otp_store_info(f->s, "rosa", NULL, t, &info, NULL), KK_OK);
    assert_int_equal(info.creds[0].drift, 5);
    /* a later code at the new expected step logs in at offset 0 */
    assert_int_equal(verify_at(f, "rosa", t + 60 + 150, t + 60, &vr), KK_OK);
    assert_int_equal(vr.offset, 0);

    /* 7 steps slow */
    add_totp(f, "sam");
    assert_int_equal(resync_at(f, "sam", 0, t - 240, t - 210, t, &rr), KK_OK);
    assert_int_equal(rr.drift, -7);
    assert_int_equal(verify_at(f, "sam", t + 90 - 210, t + 90, &vr), KK_OK);
    assert_int_equal(vr.offset, 0);

    /* the bound itself is reachable */
    add_totp(f, "tess");
    assert_int_equal(resync_at(f, "tess", 0, t + 19 * 30, t + 20 * 30, t, &rr),
                     KK_OK);
    assert_int_equal(rr.drift, KK_STORE_DRIFT_MAX);
}

static void resync_codes_cannot_be_replayed(void **state)
{
    struct fx *f = *state;
    struct otp_resync_result rr;
    struct otp_verify_result vr;
    struct otp_user_info info;
    int64_t t = T0 + 10;

    add_totp(f, "uma");
    assert_int_equal(resync_at(f, "uma", 0, t + 90, t + 120, t, &rr), KK_OK);
    assert_int_equal(rr.drift, 4);
    /* neither code is accepted at a login afterwards */
    assert_int_equal(verify_at(f, "uma", t + 90, t, &vr), KK_ERR_REPLAY);
    assert_int_equal(verify_at(f, "uma", t + 120, t, &vr), KK_ERR_REPLAY);
    /* nor by a second resync, which counts as a failure */
    assert_int_equal(resync_at(f, "uma", 0, t + 90, t + 120, t, &rr),
                     KK_ERR_REPLAY);
    assert_int_equal(otp_store_info(f->s, "uma", NULL, t, &info, NULL), KK_OK);
    assert_int_equal(info.budget[OTP_BUDGET_LOCAL].consecutive, 3);
    /* codes of steps before a login are refused too */
    add_totp(f, "vera");
    assert_int_equal(verify_at(f, "vera", t, t, &vr), KK_OK);
    assert_int_equal(resync_at(f, "vera", 0, t - 30, t, t, &rr), KK_ERR_REPLAY);
}

static void resync_beyond_the_drift_bound_fails_and_counts(void **state)
{
    struct fx *f = *state;
    struct otp_resync_result rr;
    struct otp_user_info info;
    int64_t t = T0 + 10;
    int64_t far = (int64_t)(KK_STORE_DRIFT_MAX + 1) * 30;

    add_totp(f, "walt");
    assert_int_equal(resync_at(f, "walt", 0, t + far - 30, t + far, t, &rr),
                     KK_ERR_AUTH);
    assert_int_equal(resync_at(f, "walt", 0, t - far - 30, t - far, t, &rr),
                     KK_ERR_AUTH);
    assert_int_equal(otp_store_info(f->s, "walt", NULL, t, &info, NULL), KK_OK);
    assert_int_equal(info.creds[0].drift, 0);
    assert_int_equal(info.budget[OTP_BUDGET_LOCAL].consecutive, 2);
    assert_int_equal(info.budget[OTP_BUDGET_REMOTE].consecutive, 0);
}

static void
resync_of_codes_that_are_not_consecutive_fails_and_counts(void **state)
{
    struct fx *f = *state;
    struct otp_resync_result rr;
    struct otp_user_info info;
    int64_t t = T0 + 10;

    add_totp(f, "xena");
    /* a gap of one step, the right codes in the wrong order, one code
     * twice: none is two consecutive codes */
    assert_int_equal(resync_at(f, "xena", 0, t + 150, t + 210, t, &rr),
                     KK_ERR_AUTH);
    assert_int_equal(resync_at(f, "xena", 0, t + 180, t + 150, t, &rr),
                     KK_ERR_AUTH);
    assert_int_equal(resync_at(f, "xena", 0, t + 150, t + 150, t, &rr),
                     KK_ERR_AUTH);
    assert_int_equal(otp_store_resync(f->s, "xena", 0, "12ab56", "123456", NULL,
                                      t, &rr, NULL),
                     KK_ERR_INVAL);
    assert_int_equal(otp_store_info(f->s, "xena", NULL, t, &info, NULL), KK_OK);
    /* the malformed input is refused before the store is touched */
    assert_int_equal(info.budget[OTP_BUDGET_LOCAL].consecutive, 3);
    assert_int_equal(info.budget[OTP_BUDGET_LOCAL].failures_24h, 3);
    assert_int_equal(info.creds[0].drift, 0);
    assert_false(info.creds[0].has_last_step);
}

static void resync_moves_a_hotp_counter_far_ahead(void **state)
{
    struct fx *f = *state;
    struct otp_resync_result rr;
    struct otp_verify_result vr;
    struct otp_user_info info;
    struct otp_params p;
    char c1[OTP_CODE_SIZE];
    char c2[OTP_CODE_SIZE];
    unsigned id;

    otp_params_default(&p);
    p.kind = OTP_KIND_HOTP;
    p.counter = 5;
    assert_int_equal(otp_store_cred_add(f->s, "yuri", "key", &p, secret20,
                                        sizeof secret20, true, T0, &id, NULL),
                     KK_OK);
    /* counters 60 and 61: far beyond the login look-ahead */
    assert_int_equal(
        otp_hotp(secret20, sizeof secret20, OTP_ALG_SHA1, 60, 6, c1), KK_OK);
    assert_int_equal(
        otp_hotp(secret20, sizeof secret20, OTP_ALG_SHA1, 61, 6, c2), KK_OK);
    assert_int_equal(otp_store_verify(f->s, "yuri", c1, OTP_BUDGET_LOCAL, NULL,
                                      T0, &vr, NULL),
                     KK_ERR_AUTH);
    assert_int_equal(
        otp_store_resync(f->s, "yuri", id, c1, c2, NULL, T0, &rr, NULL), KK_OK);
    assert_int_equal(rr.kind, OTP_KIND_HOTP);
    assert_int_equal(rr.old_counter, 5);
    assert_int_equal(rr.counter, 62);
    assert_int_equal(otp_store_verify(f->s, "yuri", c2, OTP_BUDGET_LOCAL, NULL,
                                      T0, &vr, NULL),
                     KK_ERR_AUTH);
    assert_int_equal(
        otp_hotp(secret20, sizeof secret20, OTP_ALG_SHA1, 62, 6, c1), KK_OK);
    assert_int_equal(otp_store_verify(f->s, "yuri", c1, OTP_BUDGET_LOCAL, NULL,
                                      T0, &vr, NULL),
                     KK_OK);
    /* the look-ahead is bounded: 63 + KK_STORE_HOTP_RESYNC_MAX is too far */
    assert_int_equal(otp_hotp(secret20, sizeof secret20, OTP_ALG_SHA1,
                              63 + KK_STORE_HOTP_RESYNC_MAX, 6, c1),
                     KK_OK);
    assert_int_equal(otp_hotp(secret20, sizeof secret20, OTP_ALG_SHA1,
                              64 + KK_STORE_HOTP_RESYNC_MAX, 6, c2),
                     KK_OK);
    assert_int_equal(
        otp_store_resync(f->s, "yuri", 0, c1, c2, NULL, T0, &rr, NULL),
        KK_ERR_AUTH);
    assert_int_equal(otp_store_info(f->s, "yuri", NULL, T0, &info, NULL),
                     KK_OK);
    assert_int_equal(info.creds[0].params.counter, 63);
}

static void resync_is_refused_while_the_local_budget_is_throttled(void **state)
{
    struct fx *f = *state;
    struct otp_resync_result rr;
    struct otp_verify_result vr;
    struct otp_user_info info;
    int64_t t = T0 + 10;

    add_totp(f, "zoe");
    for (int i = 0; i < 3; i++)
        assert_int_equal(otp_store_verify(f->s, "zoe", "000000",
                                          OTP_BUDGET_LOCAL, NULL, t, &vr, NULL),
                         KK_ERR_AUTH);
    assert_int_equal(resync_at(f, "zoe", 0, t + 120, t + 150, t, &rr),
                     KK_ERR_THROTTLED);
    assert_int_equal(rr.throttled_until, t + 2);
    assert_int_equal(otp_store_info(f->s, "zoe", NULL, t, &info, NULL), KK_OK);
    assert_int_equal(info.creds[0].drift, 0);
    assert_int_equal(info.budget[OTP_BUDGET_LOCAL].consecutive, 4);
    /* once the back-off has passed, the same codes work */
    assert_int_equal(resync_at(f, "zoe", 0, t + 120, t + 150, t + 2, &rr),
                     KK_OK);
    assert_int_equal(rr.drift, 5);
}

static void resync_needs_an_id_when_codes_match_two_credentials(void **state)
{
    struct fx *f = *state;
    struct otp_resync_result rr;
    struct otp_user_info info;
    int64_t t = T0 + 10;
    unsigned id;

    add_totp(f, "abe");
    id = add_totp(f, "abe");
    assert_int_equal(resync_at(f, "abe", 0, t + 60, t + 90, t, &rr),
                     KK_ERR_EXISTS);
    assert_int_equal(resync_at(f, "abe", id, t + 60, t + 90, t, &rr), KK_OK);
    assert_int_equal(rr.cred_id, id);
    assert_int_equal(otp_store_info(f->s, "abe", NULL, t, &info, NULL), KK_OK);
    assert_int_equal(info.creds[0].drift, 0);
    assert_int_equal(info.creds[1].drift, 3);
    assert_int_equal(info.budget[OTP_BUDGET_LOCAL].consecutive, 0);
    assert_int_equal(resync_at(f, "nobody", 0, t, t + 30, t, &rr),
                     KK_ERR_NOTFOUND);
    assert_int_equal(resync_at(f, "abe", 99, t, t + 30, t, &rr),
                     KK_ERR_NOTFOUND);
}

static void lock_path(const struct fx *f, const char *enc, char *out,
                      size_t cap)
{
    snprintf(out, cap, "%s/users/%s.lock", f->dir, enc);
}

/* Recomputes the MAC of rec for user enc, the way the store does, so that
 * a record with a chosen body checks out and its fields are judged. */
static void remac(uint8_t rec[ST_CTR_SIZE], const char *enc)
{
    static const char ctx[] = "kalkan-otp counters v1";
    crypto_generichash_state st;
    const uint8_t nul = 0;

    assert_int_equal(
        crypto_generichash_init(&st, ctr_key, sizeof ctr_key, ST_CTR_MAC_LEN),
        0);
    assert_int_equal(
        crypto_generichash_update(&st, (const uint8_t *)ctx, sizeof ctx), 0);
    assert_int_equal(
        crypto_generichash_update(&st, (const uint8_t *)enc, strlen(enc)), 0);
    assert_int_equal(crypto_generichash_update(&st, &nul, 1), 0);
    assert_int_equal(
        crypto_generichash_update(&st, rec, ST_CTR_SIZE - ST_CTR_MAC_LEN), 0);
    assert_int_equal(
        crypto_generichash_final(&st, rec + ST_CTR_SIZE - ST_CTR_MAC_LEN,
                                 ST_CTR_MAC_LEN),
        0);
}

static void sample_counters(struct st_counters *c)
{
    memset(c, 0, sizeof *c);
    c->budget[OTP_BUDGET_LOCAL] = (struct st_budget){
        .consec = 7,
        .total = 9,
        .last_fail = T0,
        .level = 5 * ST_LEVEL_UNIT + 17,
        .level_time = T0 - 1,
    };
    c->budget[OTP_BUDGET_REMOTE] = (struct st_budget){
        .consec = 0,
        .total = ST_TOTAL_MAX,
        .last_fail = ST_TIME_MAX,
        .level = ST_LEVEL_MAX,
        .level_time = ST_TIME_MAX,
    };
}

static void counter_record_round_trips(void **state)
{
    struct st_counters c;
    struct st_counters back;
    uint8_t rec[ST_CTR_SIZE];
    uint8_t again[ST_CTR_SIZE];

    (void)state;
    sample_counters(&c);
    assert_int_equal(st_counters_format(&c, "alice", ctr_key, rec), KK_OK);
    assert_memory_equal(rec, "KKOTPCTR", 8);
    memset(&back, 0xa5, sizeof back);
    assert_int_equal(
        st_counters_parse(rec, sizeof rec, "alice", ctr_key, &back), KK_OK);
    for (unsigned i = 0; i < OTP_BUDGETS; i++) {
        assert_int_equal(back.budget[i].consec, c.budget[i].consec);
        assert_int_equal(back.budget[i].total, c.budget[i].total);
        assert_int_equal(back.budget[i].last_fail, c.budget[i].last_fail);
        assert_int_equal(back.budget[i].level, c.budget[i].level);
        assert_int_equal(back.budget[i].level_time, c.budget[i].level_time);
    }
    assert_int_equal(st_counters_format(&back, "alice", ctr_key, again), KK_OK);
    assert_memory_equal(rec, again, sizeof rec);
    /* no record at all is a fresh budget, not an error */
    assert_int_equal(st_counters_parse(rec, 0, "alice", ctr_key, &back),
                     KK_ERR_NOTFOUND);
    /* values the record cannot hold are refused by the writer */
    c.budget[0].consec = 8;
    c.budget[0].total = 7;
    assert_int_equal(st_counters_format(&c, "alice", ctr_key, rec),
                     KK_ERR_RANGE);
}

/* Each case changes a valid record (a byte xor-ed, or the length); those
 * marked remac get a correct MAC again, so their fields are what is
 * judged. */
static const struct {
    const char *what;
    size_t off;
    uint8_t xor ;
    size_t len;
    bool remac;
} bad_records[] = {
    {"torn: first half only", 0, 0, 64, false},
    {"torn: one byte short", 0, 0, ST_CTR_SIZE - 1, false},
    {"trailing byte", 0, 0, ST_CTR_SIZE + 1, false},
    {"a bit of a count flipped", 20, 0x01, ST_CTR_SIZE, false},
    {"a bit of the MAC flipped", ST_CTR_SIZE - 1, 0x80, ST_CTR_SIZE, false},
    {"magic", 0, 0x20, ST_CTR_SIZE, true},
    {"version 2", 8, 0x03, ST_CTR_SIZE, true},
    {"reserved header bytes", 12, 0x01, ST_CTR_SIZE, true},
    {"reserved budget bytes", 20, 0x01, ST_CTR_SIZE, true},
    {"consecutive above total", 16, 0x08, ST_CTR_SIZE, true},
    {"consecutive above its maximum", 18, 0x10, ST_CTR_SIZE, true},
    {"last failure beyond 9999", 39, 0x80, ST_CTR_SIZE, true},
    {"level above the largest cap", 47, 0x80, ST_CTR_SIZE, true},
    {"level time beyond 9999", 55, 0x40, ST_CTR_SIZE, true},
    {"total above its maximum", 71, 0x01, ST_CTR_SIZE, true},
    {"reserved bytes of the second budget", 63, 0x01, ST_CTR_SIZE, true},
};

static void corrupt_counter_records_are_rejected(void **state)
{
    struct st_counters c;
    struct st_counters back;
    uint8_t good[ST_CTR_SIZE];
    uint8_t rec[ST_CTR_SIZE + 1];

    (void)state;
    sample_counters(&c);
    assert_int_equal(st_counters_format(&c, "alice", ctr_key, good), KK_OK);
    for (size_t i = 0; i < sizeof bad_records / sizeof bad_records[0]; i++) {
        memset(rec, 0, sizeof rec);
        memcpy(rec, good, sizeof good);
        rec[bad_records[i].off] ^= bad_records[i].xor ;
        if (bad_records[i].remac)
            remac(rec, "alice");
        if (st_counters_parse(rec, bad_records[i].len, "alice", ctr_key,
                              &back) != KK_ERR_CORRUPT)
            fail_msg("record case %zu (%s) was accepted", i,
                     bad_records[i].what);
    }
    /* a record is bound to its user and to its store's key */
    assert_int_equal(
        st_counters_parse(good, sizeof good, "alicf", ctr_key, &back),
        KK_ERR_CORRUPT);
    memcpy(rec, good, sizeof good);
    remac(rec, "alice");
    assert_memory_equal(rec, good, sizeof good); /* the test MAC is right */
    {
        uint8_t other[ST_CTR_KEY_LEN];
        memcpy(other, ctr_key, sizeof other);
        other[0] ^= 1;
        assert_int_equal(
            st_counters_parse(good, sizeof good, "alice", other, &back),
            KK_ERR_CORRUPT);
    }
}

static void failures_do_not_rewrite_the_state_file(void **state)
{
    struct fx *f = *state;
    struct otp_verify_result res;
    char code[OTP_CODE_SIZE];
    struct otp_params p;
    char path[256];
    char lpath[256];
    struct stat st0;
    struct stat st1;

    add_totp(f, "abby");
    user_path(f, "abby", path, sizeof path);
    lock_path(f, "abby", lpath, sizeof lpath);
    /* enrolment leaves a record of zero counters */
    assert_int_equal(stat(lpath, &st0), 0);
    assert_int_equal(st0.st_size, ST_CTR_SIZE);
    assert_int_equal(stat(path, &st0), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(otp_store_verify(f->s, "abby", "000000",
                                          OTP_BUDGET_LOCAL, NULL, T0, &res,
                                          NULL),
                         KK_ERR_AUTH);
    assert_int_equal(stat(path, &st1), 0);
    assert_int_equal(st1.st_ino, st0.st_ino); /* never replaced */
    assert_int_equal(stat(lpath, &st1), 0);
    assert_int_equal(st1.st_size, ST_CTR_SIZE);
    /* a success replaces the state file (atomically, by rename) */
    otp_params_default(&p);
    totp_at(&p, T0 + 10, code);
    assert_int_equal(otp_store_verify(f->s, "abby", code, OTP_BUDGET_LOCAL,
                                      NULL, T0 + 10, &res, NULL),
                     KK_OK);
    assert_int_equal(stat(path, &st1), 0);
    assert_int_not_equal(st1.st_ino, st0.st_ino);
}

static void counters_survive_across_calls_and_handles(void **state)
{
    struct fx *f = *state;
    struct otp_verify_result res;
    struct otp_user_info info;
    struct otp_store *s2 = NULL;
    struct otp_policy pol;
    int64_t t = T0;

    add_totp(f, "bert");
    otp_policy_default(&pol);
    pol.backoff_after = 100;
    for (int i = 0; i < 5; i++)
        assert_int_equal(otp_store_verify(f->s, "bert", "000000",
                                          OTP_BUDGET_REMOTE, &pol, t + i, &res,
                                          NULL),
                         KK_ERR_AUTH);
    /* another handle (another process, in real life) sees and continues
     * the same counts */
    assert_int_equal(otp_store_open(f->dir, 0, &s2, NULL), KK_OK);
    assert_int_equal(otp_store_info(s2, "bert", &pol, t + 5, &info, NULL),
                     KK_OK);
    assert_int_equal(info.budget[OTP_BUDGET_REMOTE].consecutive, 5);
    assert_int_equal(info.budget[OTP_BUDGET_REMOTE].total, 5);
    assert_int_equal(info.budget[OTP_BUDGET_REMOTE].failures_24h, 5);
    assert_int_equal(info.budget[OTP_BUDGET_REMOTE].last_fail, t + 4);
    assert_int_equal(info.budget[OTP_BUDGET_LOCAL].total, 0);
    assert_int_equal(otp_store_verify(s2, "bert", "000000", OTP_BUDGET_REMOTE,
                                      &pol, t + 5, &res, NULL),
                     KK_ERR_AUTH);
    assert_false(res.counters_reset);
    otp_store_free(s2);
    assert_int_equal(otp_store_info(f->s, "bert", &pol, t + 5, &info, NULL),
                     KK_OK);
    assert_int_equal(info.budget[OTP_BUDGET_REMOTE].consecutive, 6);
    /* revoking every credential keeps the counts */
    {
        unsigned n = 0;
        assert_int_equal(otp_store_cred_remove(f->s, "bert", 0, &n, NULL),
                         KK_OK);
    }
    add_totp(f, "bert");
    assert_int_equal(otp_store_info(f->s, "bert", &pol, t + 5, &info, NULL),
                     KK_OK);
    assert_int_equal(info.budget[OTP_BUDGET_REMOTE].total, 6);
}

/* Overwrites the lock file of enc with len bytes of rec. */
static void put_lock(const struct fx *f, const char *enc, const void *rec,
                     size_t len)
{
    char lpath[256];

    lock_path(f, enc, lpath, sizeof lpath);
    write_file(lpath, rec, len);
}

static void torn_counter_record_resets_conservatively(void **state)
{
    struct fx *f = *state;
    struct otp_verify_result res;
    struct otp_user_info info;
    char code[OTP_CODE_SIZE];
    struct otp_params p;
    uint8_t junk[ST_CTR_SIZE + 40];
    char lpath[256];
    struct stat st;
    int64_t t = T0 + 10;

    add_totp(f, "cleo");
    otp_params_default(&p);
    memset(junk, 0x5a, sizeof junk);
    /* a torn record (half written) */
    put_lock(f, "cleo", junk, 64);
    /* status shows what a verification will use, without writing */
    assert_int_equal(otp_store_info(f->s, "cleo", NULL, t, &info, NULL), KK_OK);
    assert_int_equal(info.budget[OTP_BUDGET_LOCAL].consecutive, 3);
    assert_int_equal(info.budget[OTP_BUDGET_LOCAL].failures_24h, 50);
    assert_int_equal(info.budget[OTP_BUDGET_LOCAL].throttled_until, 0);
    assert_int_equal(info.budget[OTP_BUDGET_REMOTE].failures_24h, 50);
    /* the first attempt is still evaluated, and the owner gets in */
    totp_at(&p, t, code);
    assert_int_equal(otp_store_verify(f->s, "cleo", code, OTP_BUDGET_LOCAL,
                                      NULL, t, &res, NULL),
                     KK_OK);
    assert_true(res.counters_reset);
    assert_int_equal(otp_store_info(f->s, "cleo", NULL, t, &info, NULL), KK_OK);
    assert_int_equal(info.budget[OTP_BUDGET_LOCAL].consecutive, 0);
    assert_int_equal(info.budget[OTP_BUDGET_LOCAL].failures_24h, 50);
    /* the reset was written: the other budget keeps its reset counts */
    assert_int_equal(info.budget[OTP_BUDGET_REMOTE].consecutive, 3);
    /* a garbage record that is too long: the first failure already starts
     * the back-off, and the file is cut back to one record */
    put_lock(f, "cleo", junk, sizeof junk);
    t += 30;
    assert_int_equal(otp_store_verify(f->s, "cleo", "000000", OTP_BUDGET_LOCAL,
                                      NULL, t, &res, NULL),
                     KK_ERR_AUTH);
    assert_true(res.counters_reset);
    assert_int_equal(res.throttled_until, t + 2);
    lock_path(f, "cleo", lpath, sizeof lpath);
    assert_int_equal(stat(lpath, &st), 0);
    assert_int_equal(st.st_size, ST_CTR_SIZE);
    assert_int_equal(otp_store_verify(f->s, "cleo", "000000", OTP_BUDGET_LOCAL,
                                      NULL, t, &res, NULL),
                     KK_ERR_THROTTLED);
    assert_false(res.counters_reset);
    /* the code is not usable twice across a reset, and works after the
     * back-off */
    put_lock(f, "cleo", junk, 10);
    totp_at(&p, t - 30, code);
    assert_int_equal(otp_store_verify(f->s, "cleo", code, OTP_BUDGET_LOCAL,
                                      NULL, t - 30 + 2, &res, NULL),
                     KK_ERR_REPLAY);
    t += 30;
    totp_at(&p, t, code);
    assert_int_equal(otp_store_verify(f->s, "cleo", code, OTP_BUDGET_LOCAL,
                                      NULL, t, &res, NULL),
                     KK_OK);
}

static void record_of_another_user_is_not_trusted(void **state)
{
    struct fx *f = *state;
    struct otp_verify_result res;
    struct otp_user_info info;
    char lpath[256];
    size_t len;
    char *rec;

    add_totp(f, "dina");
    add_totp(f, "emil");
    lock_path(f, "emil", lpath, sizeof lpath);
    rec = read_file(lpath, &len);
    assert_int_equal(len, ST_CTR_SIZE);
    /* emil's clean record copied over dina's, e.g. to wipe her counts */
    for (int i = 0; i < 6; i++)
        assert_int_equal(otp_store_verify(f->s, "dina", "000000",
                                          OTP_BUDGET_REMOTE, NULL,
                                          T0 + 1000 * i, &res, NULL),
                         KK_ERR_AUTH);
    put_lock(f, "dina", rec, len);
    assert_int_equal(otp_store_info(f->s, "dina", NULL, T0 + 6000, &info, NULL),
                     KK_OK);
    assert_int_equal(info.budget[OTP_BUDGET_REMOTE].consecutive, 3);
    assert_int_equal(info.budget[OTP_BUDGET_REMOTE].failures_24h, 50);
    free(rec);
}

static void missing_record_is_a_fresh_budget(void **state)
{
    struct fx *f = *state;
    struct otp_verify_result res;
    struct otp_user_info info;
    char lpath[256];
    struct stat st;

    add_totp(f, "fred");
    put_lock(f, "fred", "", 0);
    assert_int_equal(otp_store_info(f->s, "fred", NULL, T0, &info, NULL),
                     KK_OK);
    assert_int_equal(info.budget[OTP_BUDGET_LOCAL].consecutive, 0);
    assert_int_equal(info.budget[OTP_BUDGET_LOCAL].failures_24h, 0);
    assert_int_equal(otp_store_verify(f->s, "fred", "000000", OTP_BUDGET_LOCAL,
                                      NULL, T0, &res, NULL),
                     KK_ERR_AUTH);
    assert_false(res.counters_reset);
    assert_int_equal(otp_store_info(f->s, "fred", NULL, T0, &info, NULL),
                     KK_OK);
    assert_int_equal(info.budget[OTP_BUDGET_LOCAL].total, 1);
    /* an unknown user's attempt keeps nothing under that name, not even
     * a lock file, so invented names cannot fill the store */
    assert_int_equal(otp_store_verify(f->s, "ghost", "000000", OTP_BUDGET_LOCAL,
                                      NULL, T0, &res, NULL),
                     KK_ERR_NOTFOUND);
    lock_path(f, "ghost", lpath, sizeof lpath);
    assert_int_equal(stat(lpath, &st), -1);
    lock_path(f, ".dummy", lpath, sizeof lpath);
    assert_int_equal(stat(lpath, &st), 0);
    assert_int_equal(st.st_size, ST_CTR_SIZE);
}

/* ---- recovery ---- */

/* Revoking everything is what an admin does after a compromise: the
 * recovery codes go too, and revoking one credential keeps them. */
static void revoking_all_credentials_also_revokes_recovery_codes(void **state)
{
    struct fx *f = *state;
    char codes[KK_STORE_RECOVERY_CODES][OTP_RECOVERY_SIZE];
    struct otp_verify_result res;
    struct otp_user_info info;
    unsigned removed = 0;

    add_totp(f, "ulan");
    add_totp(f, "ulan");
    assert_int_equal(otp_store_recovery_new(f->s, "ulan", T0, codes, NULL),
                     KK_OK);
    assert_int_equal(otp_store_cred_remove(f->s, "ulan", 1, &removed, NULL),
                     KK_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(otp_store_verify(f->s, "ulan", codes[0], OTP_BUDGET_LOCAL,
                                      NULL, T0, &res, NULL),
                     KK_OK);
    assert_int_equal(otp_store_cred_remove(f->s, "ulan", 0, &removed, NULL),
                     KK_OK);
    assert_int_equal(otp_store_info(f->s, "ulan", NULL, T0, &info, NULL),
                     KK_OK);
    assert_int_equal(info.recovery_left, 0);
    assert_int_not_equal(otp_store_verify(f->s, "ulan", codes[1],
                                          OTP_BUDGET_LOCAL, NULL, T0 + 60, &res,
                                          NULL),
                         KK_OK);
}

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
        cmocka_unit_test_setup_teardown(resync_learns_a_fast_and_a_slow_phone,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(resync_codes_cannot_be_replayed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            resync_beyond_the_drift_bound_fails_and_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(
            resync_of_codes_that_are_not_consecutive_fails_and_counts, setup,
            teardown),
        cmocka_unit_test_setup_teardown(resync_moves_a_hotp_counter_far_ahead,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            resync_is_refused_while_the_local_budget_is_throttled, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            resync_needs_an_id_when_codes_match_two_credentials, setup,
            teardown),
        cmocka_unit_test_setup_teardown(daily_cap_refills_continuously, setup,
                                        teardown),
        cmocka_unit_test(counter_record_round_trips),
        cmocka_unit_test(corrupt_counter_records_are_rejected),
        cmocka_unit_test_setup_teardown(failures_do_not_rewrite_the_state_file,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            counters_survive_across_calls_and_handles, setup, teardown),
        cmocka_unit_test_setup_teardown(
            torn_counter_record_resets_conservatively, setup, teardown),
        cmocka_unit_test_setup_teardown(record_of_another_user_is_not_trusted,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(missing_record_is_a_fresh_budget, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            recovery_codes_are_single_use_and_work_while_throttled, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            revoking_all_credentials_also_revokes_recovery_codes, setup,
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
