/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hub_remind.h - the hub's daily reminder e-mail, for `kalkan remind`
 * (cron, tests) beside the reminders `kalkan serve --smtp` sends on its
 * own.  Part of the hub library (kalkan/hub.h).
 *
 * Every trainer, assistant trainer and focal point gets at most one
 * e-mail a day, in their language, listing what needs attention in the
 * outlets they see: overdue tasks, tasks due within 7 days, observations
 * out of date, licences lapsing within 30 days or lapsed, open incidents.
 * What was sent is recorded (reminders_sent) only after the relay accepted
 * the message, so a failed send is tried again on the next run.
 *
 * Thread safety: one run at a time per database is the intended use; two
 * at once may both send the same day's e-mail.
 */
#ifndef KALKAN_HUB_REMIND_H
#define KALKAN_HUB_REMIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kalkan/hub.h"
#include "kalkan/kk.h"

struct hub_remind_opts {
    const char *smtp;      /* "HOST:PORT" of a relay; may be NULL when
                              dry_run */
    const char *mail_from; /* the sender's address */
    const char *base_url;  /* "https://hub.example.org" for links, or NULL
                              (the e-mail then gives paths) */
    bool dry_run;          /* compose every e-mail, send and record none */
    int timeout_ms;        /* per step with the relay; 0: 15 s */
};

enum hub_remind_status {
    HUB_REMIND_SENT = 1, /* the relay accepted it */
    HUB_REMIND_NOTHING,  /* nothing needs attention */
    HUB_REMIND_ALREADY,  /* today's e-mail went out already */
    HUB_REMIND_DRY,      /* composed, not sent (dry run) */
    HUB_REMIND_FAILED,   /* not sent; error says why */
};

struct hub_remind_user {
    int64_t id;
    char email[KK_HUB_NAME_MAX + 1];
    char role[16];
    char lang[8];
    int status;    /* enum hub_remind_status */
    size_t items;  /* reminders counted */
    char *subject; /* composed (sent or dry run), else NULL */
    char *body;
    char error[KK_DIAG_MAX];
};

struct hub_remind_report {
    char day[11]; /* the UTC day of the run, YYYY-MM-DD */
    struct hub_remind_user *users;
    size_t n;
    size_t sent, nothing, already, dry, failed;
};

/* Composes and sends today's reminder e-mail to every trainer, assistant
 * and focal point who has not had it today.  rep is filled (free it with
 * hub_remind_report_free) even when sending fails.  KK_OK when nothing
 * failed; otherwise the first failure's error, with d saying what it was
 * (a relay that cannot be reached fails every e-mail of the run without
 * another try).  KK_ERR_INVAL for missing options. */
KK_API KK_WUR int hub_remind_run(struct hub_db *db,
                                 const struct hub_remind_opts *o,
                                 struct hub_remind_report *rep,
                                 struct kk_diag *d);
/* Frees what rep holds; rep itself is the caller's. */
KK_API void hub_remind_report_free(struct hub_remind_report *rep);
/* The wire name of a status ("sent", "nothing", "already", "dry_run",
 * "failed"). */
KK_API const char *hub_remind_status_name(int status);

#endif
