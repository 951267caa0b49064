/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_coverage.c - unit tests of the coverage arithmetic: one table row
 * per rule of coverage.h (each with the whole expected struct, so a rule
 * that leaks into another counter fails too), shares and their rounding,
 * argument checks, and a programme-sized input built so that the expected
 * counts follow from its construction.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "coverage.h"
#include "kalkan/kk.h"
#include "model.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Table rows: file-scope compound literals have static storage, so a row
 * can point at its own arrays. */
#define PEOPLE(...)                                                            \
    .people = (const struct hub_cov_person[]){__VA_ARGS__},                    \
    .n_people = LEN(((const struct hub_cov_person[]){__VA_ARGS__}))
#define ACCOUNTS(...)                                                          \
    .accounts = (const struct hub_cov_account[]){__VA_ARGS__},                 \
    .n_accounts = LEN(((const struct hub_cov_account[]){__VA_ARGS__}))
#define ADMINS(...)                                                            \
    .admins = (const struct hub_cov_admin[]){__VA_ARGS__},                     \
    .n_admins = LEN(((const struct hub_cov_admin[]){__VA_ARGS__}))
#define DEVICES(...)                                                           \
    .devices = (const struct hub_cov_device[]){__VA_ARGS__},                   \
    .n_devices = LEN(((const struct hub_cov_device[]){__VA_ARGS__}))

/* A personal account, one on a platform given by number, an
 * organisational one, an admin row, a device. */
#define RAW(id, person, pf, tfa)                                               \
    {                                                                          \
        (id), (person), 0, (pf), (tfa)                                         \
    }
#define MINE(id, person, pf, tfa)                                              \
    {                                                                          \
        (id), (person), 0, HUB_PF_##pf, (tfa)                                  \
    }
#define ORG(id, pf, tfa)                                                       \
    {                                                                          \
        (id), 0, 1, HUB_PF_##pf, (tfa)                                         \
    }
#define ADMIN(account, person)                                                 \
    {                                                                          \
        (account), (person)                                                    \
    }
#define DEV(id, av, lic, upd, enc, tfa)                                        \
    {                                                                          \
        (id),                                                                  \
        {                                                                      \
            (av), (lic), (upd), (enc), (tfa)                                   \
        }                                                                      \
    }

#define APP HUB_TFA_APP
#define PUSH HUB_TFA_PUSH
#define KEY HUB_TFA_KEY
#define PASSKEY HUB_TFA_PASSKEY
#define SMS HUB_TFA_SMS
#define NONE HUB_TFA_NONE
#define PASS HUB_OBS_PASS
#define FAIL HUB_OBS_FAIL
#define NA HUB_OBS_NA

struct cov_case {
    const char *name;
    struct hub_cov_input in;
    struct hub_coverage want;
};

static const struct cov_case cases[] = {
    {"sms is partial, not strong",
     {PEOPLE({1}), ACCOUNTS(MINE(1, 1, EMAIL, SMS))},
     {.people = 1, .people_email = 1, .accounts = 1, .acc_sms = 1}},
    {"app, push, key and passkey are strong",
     {PEOPLE({1}, {2}, {3}, {4}),
      ACCOUNTS(MINE(1, 1, EMAIL, APP), MINE(2, 2, EMAIL, PUSH),
               MINE(3, 3, EMAIL, KEY), MINE(4, 4, EMAIL, PASSKEY))},
     {.people = 4,
      .people_covered = 4,
      .people_email = 4,
      .people_email_strong = 4,
      .accounts = 4,
      .acc_strong = 4}},
    {"never observed and unknown values count as unknown, none as none",
     {PEOPLE({1}), ACCOUNTS(MINE(1, 1, EMAIL, 0), MINE(2, 1, OK, 99),
                            MINE(3, 1, WHATSAPP, NONE))},
     {.people = 1,
      .people_email = 1,
      .accounts = 3,
      .acc_none = 1,
      .acc_unknown = 2}},
    {"a person without a work e-mail is never covered",
     {PEOPLE({1}),
      ACCOUNTS(MINE(1, 1, FB_PROFILE, APP), MINE(2, 1, TELEGRAM_USER, KEY),
               /* an organisational mailbox is not the person's e-mail */
               {3, 1, 1, HUB_PF_EMAIL, APP})},
     {.people = 1, .accounts = 3, .acc_strong = 3, .org_accounts = 1}},
    {"covered needs every account of the person strong",
     {PEOPLE({1}, {2}, {3}),
      ACCOUNTS(MINE(1, 1, EMAIL, APP), MINE(2, 1, FB_PROFILE, SMS),
               MINE(3, 2, EMAIL, APP), MINE(4, 2, EMAIL, NONE),
               MINE(5, 3, EMAIL, KEY), MINE(6, 3, WHATSAPP, PASSKEY),
               RAW(7, 3, 99, APP))},
     {.people = 3,
      .people_covered = 1,
      .people_email = 3,
      .people_email_strong = 2,
      .accounts = 7,
      .acc_strong = 5,
      .acc_sms = 1,
      .acc_none = 1}},
    {"a person with an unknown-platform account that is weak is not covered",
     {PEOPLE({1}), ACCOUNTS(MINE(1, 1, EMAIL, APP), RAW(2, 1, 0, NONE))},
     {.people = 1,
      .people_email = 1,
      .people_email_strong = 1,
      .accounts = 2,
      .acc_strong = 1,
      .acc_none = 1}},
    {"accounts without owner or with an unlisted owner count in totals only",
     {PEOPLE({1}), ACCOUNTS(MINE(1, 0, EMAIL, APP), MINE(2, 7, EMAIL, APP),
                            MINE(3, 1, FB_PROFILE, APP))},
     {.people = 1, .accounts = 3, .acc_strong = 3}},
    {"a person with id 0 does not own the accounts without owner",
     {PEOPLE({0}), ACCOUNTS(MINE(1, 0, EMAIL, APP))},
     {.people = 1, .accounts = 1, .acc_strong = 1}},
    {"a person listed twice counts once",
     {PEOPLE({5}, {5}, {6}), ACCOUNTS(MINE(1, 5, EMAIL, APP))},
     {.people = 2,
      .people_covered = 1,
      .people_email = 1,
      .people_email_strong = 1,
      .accounts = 1,
      .acc_strong = 1}},
    {"an org page with one admin is not well administered",
     {PEOPLE({1}),
      ACCOUNTS(MINE(1, 1, EMAIL, APP), MINE(2, 1, FB_PROFILE, APP),
               ORG(10, FB_PAGE, 0)),
      ADMINS(ADMIN(10, 1))},
     {.people = 1,
      .people_covered = 1,
      .people_email = 1,
      .people_email_strong = 1,
      .accounts = 3,
      .acc_strong = 2,
      .acc_unknown = 1,
      .org_accounts = 1}},
    {"page admins need a strong facebook profile each",
     {PEOPLE({1}, {2}, {3}, {4}, {5}),
      ACCOUNTS(MINE(1, 1, FB_PROFILE, KEY), MINE(2, 2, FB_PROFILE, SMS),
               /* person 3 has no profile at all */
               MINE(3, 3, EMAIL, APP),
               /* person 4 has two profiles, one weak */
               MINE(4, 4, FB_PROFILE, APP), MINE(5, 4, FB_PROFILE, NONE),
               MINE(6, 5, FB_PROFILE, PASSKEY), ORG(10, FB_PAGE, 0),
               ORG(11, FB_PAGE, 0), ORG(12, FB_PAGE, 0), ORG(13, FB_PAGE, 0),
               ORG(14, META_BUSINESS, NONE)),
      ADMINS(ADMIN(10, 1), ADMIN(10, 2), ADMIN(11, 1), ADMIN(11, 3),
             ADMIN(12, 1), ADMIN(12, 4), ADMIN(13, 1), ADMIN(13, 5),
             ADMIN(14, 5), ADMIN(14, 1))},
     {.people = 5,
      .people_covered = 1,
      .people_email = 1,
      .people_email_strong = 1,
      .accounts = 11,
      .acc_strong = 4,
      .acc_sms = 1,
      .acc_none = 2,
      .acc_unknown = 4,
      .org_accounts = 5,
      .org_two_admins = 5,
      .org_ok = 2}},
    {"channel admins act through their telegram account",
     {PEOPLE({1}, {2}, {3}),
      ACCOUNTS(MINE(1, 1, TELEGRAM_USER, APP), MINE(2, 1, EMAIL, SMS),
               MINE(3, 2, TELEGRAM_USER, PASSKEY), MINE(4, 3, FB_PROFILE, KEY),
               ORG(20, TELEGRAM_CHANNEL, 0), ORG(21, TELEGRAM_CHANNEL, 0)),
      ADMINS(ADMIN(20, 1), ADMIN(20, 2), ADMIN(21, 1), ADMIN(21, 3))},
     {.people = 3,
      .people_email = 1,
      .accounts = 6,
      .acc_strong = 3,
      .acc_sms = 1,
      .acc_unknown = 2,
      .org_accounts = 2,
      .org_two_admins = 2,
      .org_ok = 1}},
    {"a registrar needs its own strong 2fa and admins with strong e-mail",
     {PEOPLE({1}, {2}, {3}, {4}),
      ACCOUNTS(MINE(1, 1, EMAIL, APP),
               /* a weak profile does not matter for a registrar */
               MINE(2, 2, EMAIL, KEY), MINE(3, 2, FB_PROFILE, NONE),
               MINE(4, 3, EMAIL, SMS), MINE(5, 4, FB_PROFILE, APP),
               ORG(30, REGISTRAR, KEY), ORG(31, REGISTRAR, SMS),
               ORG(32, REGISTRAR, APP), ORG(33, HOSTING, APP), ORG(34, DNS, 0)),
      ADMINS(ADMIN(30, 1), ADMIN(30, 2), ADMIN(31, 1), ADMIN(31, 2),
             ADMIN(32, 1), ADMIN(32, 3), ADMIN(33, 1), ADMIN(33, 4),
             ADMIN(34, 1), ADMIN(34, 2))},
     {.people = 4,
      .people_covered = 1,
      .people_email = 3,
      .people_email_strong = 2,
      .accounts = 10,
      .acc_strong = 6,
      .acc_sms = 2,
      .acc_none = 1,
      .acc_unknown = 1,
      .org_accounts = 5,
      .org_two_admins = 5,
      .org_ok = 1}},
    {"repeated, ownerless and misdirected admin rows are ignored",
     {PEOPLE({1}, {2}),
      ACCOUNTS(MINE(1, 1, EMAIL, APP), MINE(2, 2, EMAIL, APP),
               ORG(40, CMS_ADMIN, KEY), ORG(41, CMS_ADMIN, KEY)),
      ADMINS(ADMIN(40, 1), ADMIN(40, 1), ADMIN(40, 0), ADMIN(41, 2),
             ADMIN(41, 1), ADMIN(41, 2), ADMIN(41, 1),
             /* not in the input, and a personal account */
             ADMIN(99, 1), ADMIN(99, 2), ADMIN(1, 1), ADMIN(1, 2))},
     {.people = 2,
      .people_covered = 2,
      .people_email = 2,
      .people_email_strong = 2,
      .accounts = 4,
      .acc_strong = 4,
      .org_accounts = 2,
      .org_two_admins = 1,
      .org_ok = 1}},
    {"an admin who is not a listed person is judged by their accounts",
     {PEOPLE({1}),
      ACCOUNTS(MINE(1, 1, EMAIL, APP), MINE(2, 8, EMAIL, PUSH),
               ORG(50, WORKSPACE, PASSKEY)),
      ADMINS(ADMIN(50, 8), ADMIN(50, 1))},
     {.people = 1,
      .people_covered = 1,
      .people_email = 1,
      .people_email_strong = 1,
      .accounts = 3,
      .acc_strong = 3,
      .org_accounts = 1,
      .org_two_admins = 1,
      .org_ok = 1}},
    {"a device is protected when every check passes or is n/a",
     {DEVICES(DEV(1, PASS, PASS, PASS, PASS, PASS),
              DEV(2, PASS, NA, PASS, NA, NA), DEV(3, PASS, PASS, 0, PASS, PASS),
              DEV(4, FAIL, HUB_OBS_PARTIAL, HUB_OBS_UNKNOWN, PASS, 99))},
     {.devices = 4, .dev_pass = {3, 3, 2, 4, 3}, .dev_protected = 2}},
    {"empty input counts nothing", {0}, {0}},
};

#define CHECK(field)                                                           \
    do {                                                                       \
        if (got.field != c->want.field) {                                      \
            print_error("%s: " #field " is %zu, want %zu\n", c->name,          \
                        got.field, c->want.field);                             \
            bad++;                                                             \
        }                                                                      \
    } while (0)

static void coverage_follows_every_rule_of_the_table(void **state)
{
    int bad = 0;

    (void)state;
    for (size_t i = 0; i < LEN(cases); i++) {
        const struct cov_case *c = &cases[i];
        struct hub_coverage got;

        memset(&got, 0xa5, sizeof got);
        assert_int_equal(hub_coverage_compute(&c->in, &got), KK_OK);
        CHECK(people);
        CHECK(people_covered);
        CHECK(people_email);
        CHECK(people_email_strong);
        CHECK(accounts);
        CHECK(acc_strong);
        CHECK(acc_sms);
        CHECK(acc_none);
        CHECK(acc_unknown);
        CHECK(org_accounts);
        CHECK(org_two_admins);
        CHECK(org_ok);
        CHECK(devices);
        for (int k = 0; k < HUB_DC_COUNT; k++)
            CHECK(dev_pass[k]);
        CHECK(dev_protected);
    }
    assert_int_equal(bad, 0);
}

static const struct hub_cov_input *case_named(const char *prefix)
{
    for (size_t i = 0; i < LEN(cases); i++) {
        if (strncmp(cases[i].name, prefix, strlen(prefix)) == 0)
            return &cases[i].in;
    }
    return NULL;
}

/* The page-admins row of the table, every array reversed. */
static void coverage_does_not_depend_on_input_order(void **state)
{
    const struct hub_cov_input *fwd = case_named("page admins");
    struct hub_cov_account acc[16];
    struct hub_cov_admin adm[16];
    struct hub_cov_person ppl[16];
    struct hub_cov_input rev;
    struct hub_coverage a;
    struct hub_coverage b;

    (void)state;
    assert_non_null(fwd);
    assert_true(fwd->n_accounts <= 16 && fwd->n_admins <= 16 &&
                fwd->n_people <= 16);
    rev = *fwd;
    for (size_t i = 0; i < fwd->n_accounts; i++)
        acc[i] = fwd->accounts[fwd->n_accounts - 1 - i];
    for (size_t i = 0; i < fwd->n_admins; i++)
        adm[i] = fwd->admins[fwd->n_admins - 1 - i];
    for (size_t i = 0; i < fwd->n_people; i++)
        ppl[i] = fwd->people[fwd->n_people - 1 - i];
    rev.accounts = acc;
    rev.admins = adm;
    rev.people = ppl;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    assert_int_equal(hub_coverage_compute(fwd, &a), KK_OK);
    assert_int_equal(hub_coverage_compute(&rev, &b), KK_OK);
    assert_memory_equal(&a, &b, sizeof a);
    assert_int_equal(a.org_ok, 2);
}

static void
coverage_rejects_null_arguments_and_leaves_output_alone(void **state)
{
    const struct hub_cov_person p = {1};
    struct hub_cov_input in;
    struct hub_coverage out;
    struct hub_coverage before;

    (void)state;
    memset(&in, 0, sizeof in);
    memset(&out, 0x5a, sizeof out);
    before = out;
    assert_int_equal(hub_coverage_compute(NULL, &out), KK_ERR_INVAL);
    assert_int_equal(hub_coverage_compute(&in, NULL), KK_ERR_INVAL);
    in.n_people = 1;
    assert_int_equal(hub_coverage_compute(&in, &out), KK_ERR_INVAL);
    in.people = &p;
    in.n_accounts = 2;
    assert_int_equal(hub_coverage_compute(&in, &out), KK_ERR_INVAL);
    in.n_accounts = 0;
    in.n_admins = 1;
    assert_int_equal(hub_coverage_compute(&in, &out), KK_ERR_INVAL);
    in.n_admins = 0;
    in.n_devices = 3;
    assert_int_equal(hub_coverage_compute(&in, &out), KK_ERR_INVAL);
    assert_memory_equal(&out, &before, sizeof out);
    in.n_devices = 0;
    assert_int_equal(hub_coverage_compute(&in, &out), KK_OK);
    assert_int_equal(out.people, 1);
    assert_int_equal(out.people_covered, 0);
}

static void empty_input_gives_no_data_shares(void **state)
{
    const struct hub_cov_input in = {0};
    struct hub_coverage c;
    struct kk_buf *b = kk_buf_new(64);

    (void)state;
    assert_non_null(b);
    assert_int_equal(hub_coverage_compute(&in, &c), KK_OK);
    assert_int_equal(hub_share_pm(c.people_covered, c.people), -1);
    assert_int_equal(hub_share_pm(c.acc_strong, c.accounts), -1);
    assert_int_equal(hub_share_pm(c.org_ok, c.org_accounts), -1);
    assert_int_equal(hub_share_pm(c.dev_protected, c.devices), -1);
    assert_int_equal(hub_share_format(b, hub_share_pm(c.people, c.people)),
                     KK_OK);
    assert_string_equal(kk_buf_str(b), "-");
    kk_buf_free(b);
}

struct pm_case {
    size_t num;
    size_t den;
    int want;
};

static void share_pm_rounds_half_up_in_tenths_of_a_percent(void **state)
{
    static const struct pm_case pm[] = {
        {1, 3, 333},
        {2, 3, 667},
        {1, 8, 125},
        {7, 8, 875},
        {0, 5, 0},
        {5, 5, 1000},
        {0, 0, -1},
        {7, 0, -1},
        {1, 2000, 1},       /* 0.5 rounds up */
        {1, 2001, 0},       /* 0.49975 rounds down */
        {3, 2000, 2},       /* 1.5 rounds up */
        {1999, 2000, 1000}, /* 999.5 rounds up */
        {6, 5, 1000},       /* more than all is all */
        {SIZE_MAX, SIZE_MAX, 1000},
        {SIZE_MAX / 2, SIZE_MAX, 500},
        {SIZE_MAX / 3, SIZE_MAX, 333},
        {1, SIZE_MAX, 0},
    };

    (void)state;
    for (size_t i = 0; i < LEN(pm); i++) {
        if (hub_share_pm(pm[i].num, pm[i].den) != pm[i].want)
            print_error("%zu/%zu\n", pm[i].num, pm[i].den);
        assert_int_equal(hub_share_pm(pm[i].num, pm[i].den), pm[i].want);
    }
}

static void share_format_writes_one_decimal_or_a_dash(void **state)
{
    static const struct {
        int pm;
        const char *want;
    } f[] = {
        {875, "87.5 %"}, {0, "0.0 %"}, {1000, "100.0 %"},
        {333, "33.3 %"}, {5, "0.5 %"}, {-1, "-"},
    };
    struct kk_buf *b = kk_buf_new(64);

    (void)state;
    assert_non_null(b);
    for (size_t i = 0; i < LEN(f); i++) {
        kk_buf_reset(b);
        assert_int_equal(hub_share_format(b, f[i].pm), KK_OK);
        assert_string_equal(kk_buf_str(b), f[i].want);
    }
    kk_buf_reset(b);
    assert_int_equal(hub_share_format(b, 1001), KK_ERR_RANGE);
    assert_int_equal(hub_share_format(b, -2), KK_ERR_RANGE);
    assert_int_equal(kk_buf_len(b), 0);
    assert_int_equal(hub_share_format(NULL, 500), KK_ERR_INVAL);
    kk_buf_free(b);
}

static void tfa_score_is_two_one_or_zero(void **state)
{
    (void)state;
    assert_int_equal(hub_tfa_score(HUB_TFA_APP), 2);
    assert_int_equal(hub_tfa_score(HUB_TFA_PUSH), 2);
    assert_int_equal(hub_tfa_score(HUB_TFA_KEY), 2);
    assert_int_equal(hub_tfa_score(HUB_TFA_PASSKEY), 2);
    assert_int_equal(hub_tfa_score(HUB_TFA_SMS), 1);
    assert_int_equal(hub_tfa_score(HUB_TFA_NONE), 0);
    assert_int_equal(hub_tfa_score(0), 0);
    assert_int_equal(hub_tfa_score(-3), 0);
    assert_int_equal(hub_tfa_score(HUB_TFA_COUNT + 1), 0);
}

/* ---- A programme-sized input ---- */

#define BIG_PEOPLE 2000
#define BIG_PAGES 2000

/* Person i (1..BIG_PEOPLE): e-mail APP, SMS, KEY or unobserved by i % 4;
 * a Facebook profile that is weak when i % 5 == 0; a Telegram account and
 * WhatsApp, both strong.  Page j has admins j + 1 and the next person, but
 * every third page only the first; each admin row appears twice. */
static int big_email_tfa(size_t i)
{
    static const int t[] = {HUB_TFA_APP, HUB_TFA_SMS, HUB_TFA_KEY, 0};

    return t[i % 4];
}

static bool big_profile_strong(size_t i)
{
    return i % 5 != 0;
}

/* A deterministic shuffle (xorshift), so that the input is not sorted. */
static void shuffle(struct hub_cov_account *a, size_t n)
{
    uint64_t x = 0x9e3779b97f4a7c15u;

    for (size_t i = n - 1; i > 0; i--) {
        size_t j;
        struct hub_cov_account t;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        j = (size_t)(x % (i + 1));
        t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

static void coverage_of_ten_thousand_accounts_is_exact(void **state)
{
    size_t n_acc = 4 * BIG_PEOPLE + BIG_PAGES;
    struct hub_cov_person *people = calloc(BIG_PEOPLE, sizeof *people);
    struct hub_cov_account *acc = calloc(n_acc, sizeof *acc);
    struct hub_cov_admin *adm = calloc(4 * BIG_PAGES, sizeof *adm);
    struct hub_cov_input in;
    struct hub_coverage c;
    size_t n_adm = 0;
    size_t k = 0;
    size_t two = 0;
    size_t ok = 0;

    (void)state;
    assert_non_null(people);
    assert_non_null(acc);
    assert_non_null(adm);
    for (size_t i = 1; i <= BIG_PEOPLE; i++) {
        int64_t id = (int64_t)i;
        int fb = big_profile_strong(i) ? HUB_TFA_APP : HUB_TFA_NONE;

        people[BIG_PEOPLE - i].id = id;
        acc[k++] = (struct hub_cov_account){id * 10 + 1, id, 0, HUB_PF_EMAIL,
                                            big_email_tfa(i)};
        acc[k++] =
            (struct hub_cov_account){id * 10 + 2, id, 0, HUB_PF_FB_PROFILE, fb};
        acc[k++] = (struct hub_cov_account){id * 10 + 3, id, 0,
                                            HUB_PF_TELEGRAM_USER, HUB_TFA_PUSH};
        acc[k++] = (struct hub_cov_account){id * 10 + 4, id, 0, HUB_PF_WHATSAPP,
                                            HUB_TFA_PASSKEY};
    }
    for (size_t j = 0; j < BIG_PAGES; j++) {
        int64_t page = 100000 + (int64_t)j;
        size_t a = j + 1;
        size_t b = (j + 1) % BIG_PEOPLE + 1;

        acc[k++] = (struct hub_cov_account){page, 0, 1, HUB_PF_FB_PAGE, 0};
        adm[n_adm++] = (struct hub_cov_admin){page, (int64_t)a};
        adm[n_adm++] = (struct hub_cov_admin){page, (int64_t)a};
        if (j % 3 != 0) {
            adm[n_adm++] = (struct hub_cov_admin){page, (int64_t)b};
            adm[n_adm++] = (struct hub_cov_admin){page, (int64_t)b};
            two++;
            if (big_profile_strong(a) && big_profile_strong(b))
                ok++;
        }
    }
    assert_int_equal(k, 10000);
    shuffle(acc, n_acc);
    memset(&in, 0, sizeof in);
    in.people = people;
    in.n_people = BIG_PEOPLE;
    in.accounts = acc;
    in.n_accounts = n_acc;
    in.admins = adm;
    in.n_admins = n_adm;
    assert_int_equal(hub_coverage_compute(&in, &c), KK_OK);

    assert_int_equal(c.people, 2000);
    assert_int_equal(c.people_email, 2000);
    assert_int_equal(c.people_email_strong, 1000); /* the even ones */
    assert_int_equal(c.people_covered, 800); /* even and not a multiple of 10 */
    assert_int_equal(c.accounts, 10000);
    assert_int_equal(c.acc_strong, 1000 + 1600 + 2000 + 2000);
    assert_int_equal(c.acc_sms, 500);
    assert_int_equal(c.acc_none, 400);
    assert_int_equal(c.acc_unknown, 500 + 2000);
    assert_int_equal(c.org_accounts, 2000);
    assert_int_equal(c.org_two_admins, 1333);
    assert_int_equal(c.org_two_admins, two);
    assert_int_equal(c.org_ok, ok);
    assert_true(ok > 0 && ok < two);
    assert_int_equal(c.devices, 0);
    free(adm);
    free(acc);
    free(people);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(coverage_follows_every_rule_of_the_table),
        cmocka_unit_test(coverage_does_not_depend_on_input_order),
        cmocka_unit_test(
            coverage_rejects_null_arguments_and_leaves_output_alone),
        cmocka_unit_test(empty_input_gives_no_data_shares),
        cmocka_unit_test(share_pm_rounds_half_up_in_tenths_of_a_percent),
        cmocka_unit_test(share_format_writes_one_decimal_or_a_dash),
        cmocka_unit_test(tfa_score_is_two_one_or_zero),
        cmocka_unit_test(coverage_of_ten_thousand_accounts_is_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
