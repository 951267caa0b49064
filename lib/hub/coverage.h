/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * coverage.h - 2FA and device-protection coverage arithmetic.
 *
 * Pure functions over plain arrays: the data-access layer loads the state
 * of one outlet (or the whole programme) as of a date into a
 * struct hub_cov_input, and these functions count.  No I/O, no SQL, so the
 * arithmetic is unit-tested on its own and the same code serves pages, the
 * API, charts and donor reports.
 *
 * Rules (docs/hub-coverage.md):
 * - an account is "strong" when its 2FA is app, push, key or passkey;
 *   "partial" when SMS; "none"; or "unknown" when never observed;
 * - a person is "covered" when they have a work e-mail account and it and
 *   every other account of theirs is strong; "e-mail covered" when every
 *   work e-mail of theirs is strong (at least one);
 * - an organisational account is "well administered" when it has at least
 *   two admins and every admin "has 2FA": for platforms reached through a
 *   personal profile (hub_platform_admin_via), the admin has at least one
 *   account on that platform and all of them are strong; otherwise the
 *   admin's work e-mail is strong and the asset's own 2FA is strong;
 * - a device is "protected" when all five device checks pass (anti-virus,
 *   licensed, updated, encrypted, 2FA login); n/a counts as passing.
 */
#ifndef KALKAN_HUB_COVERAGE_H
#define KALKAN_HUB_COVERAGE_H

#include <stddef.h>
#include <stdint.h>

#include "kalkan/kk.h"

struct hub_cov_person {
    int64_t id;
};

struct hub_cov_account {
    int64_t id;
    int64_t person_id; /* owner for personal accounts, 0 for none */
    int org;           /* 1 organisational, 0 personal */
    int platform;      /* enum hub_platform */
    int tfa;           /* enum hub_tfa, 0 = never observed */
};

struct hub_cov_admin {
    int64_t account_id; /* an organisational account */
    int64_t person_id;
};

/* Device checks, each an enum hub_obs_status (0 = never observed). */
enum hub_dev_check {
    HUB_DC_AV,
    HUB_DC_LICENSED,
    HUB_DC_UPDATED,
    HUB_DC_ENCRYPTED,
    HUB_DC_TFA_LOGIN,
    HUB_DC_COUNT,
};

struct hub_cov_device {
    int64_t id;
    int check[HUB_DC_COUNT];
};

struct hub_cov_input {
    const struct hub_cov_person *people;
    size_t n_people;
    const struct hub_cov_account *accounts;
    size_t n_accounts;
    const struct hub_cov_admin *admins;
    size_t n_admins;
    const struct hub_cov_device *devices;
    size_t n_devices;
};

struct hub_coverage {
    /* People. */
    size_t people;
    size_t people_covered; /* e-mail and every account strong */
    size_t people_email;   /* with at least one work e-mail */
    size_t people_email_strong;
    /* Accounts (personal and organisational). */
    size_t accounts;
    size_t acc_strong;
    size_t acc_sms;
    size_t acc_none;
    size_t acc_unknown;
    /* Organisational accounts. */
    size_t org_accounts;
    size_t org_two_admins; /* at least two admins listed */
    size_t org_ok;         /* at least two admins, all with 2FA */
    /* Devices. */
    size_t devices;
    size_t dev_pass[HUB_DC_COUNT]; /* pass or n/a */
    size_t dev_protected;          /* all checks pass */
};

/* Counts in into out (fully overwritten).  KK_ERR_INVAL for a NULL
 * argument or an array pointer NULL with a non-zero count.  Runs in
 * O(n log n) over the input sizes (sorting copies of the ids; the input is
 * not modified); allocates, so it can fail with KK_ERR_NOMEM.  Thread-safe. */
KK_WUR int hub_coverage_compute(const struct hub_cov_input *in,
                                struct hub_coverage *out);

/* num/den in tenths of a percent (0..1000), rounded half up; -1 when den is
 * 0 (shown as "no data", never as 0 %). */
int hub_share_pm(size_t num, size_t den);

/* Writes a share as text: "87.5 %" or "-" for -1. */
KK_WUR int hub_share_format(struct kk_buf *b, int pm);

/* The score of one person's account list for the matrix: strong 2,
 * SMS 1, none or unknown 0. */
int hub_tfa_score(int tfa);

#endif
