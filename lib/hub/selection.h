/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * selection.h - what the files of the selection workflow share
 * (selection.c, selection_review.c, selection_public.c): the limits, the
 * call and its criteria, the ranking, receipt codes, the public forms'
 * double-submit token and the route handlers.
 *
 * Calls and applications are programme data, not outlet data: no outlet
 * owns them, so their statements are system statements guarded by the
 * routes' role masks (trainer and selection panel), and anonymous
 * applicants reach only the public form and the status check.
 */
#ifndef KALKAN_HUB_SELECTION_H
#define KALKAN_HUB_SELECTION_H

#include "programme.h"

/* --- limits --- */

#define SEL_CRITERIA_MAX 10    /* criteria of one call */
#define SEL_CRITERION_MAX 80   /* bytes in a criterion's name */
#define SEL_WEIGHT_MAX 100     /* a criterion's weight: 1..100 */
#define SEL_SCORE_MAX 10       /* a reviewer's score: 0..10 */
#define SEL_SEATS_MAX 100      /* outlets one call may select */
#define SEL_RETENTION_MAX 3650 /* days an unselected application is kept */
#define SEL_ANSWER_MAX 4000    /* bytes in one answer */
#define SEL_NOTE_MAX 2000      /* bytes in a reviewer's note */
#define SEL_DESCRIPTION_MAX 4000
#define SEL_REGION_MAX 100
#define SEL_STAFF_MAX 10000
#define SEL_APPLICATIONS_MAX 2000 /* applications one call accepts */
#define SEL_CALLS_MAX 500         /* calls listed */
#define SEL_APPLY_PER_HOUR 5      /* applications per address and hour */
#define SEL_STATUS_FAILS 20       /* wrong receipts per address and hour */
#define SEL_WINDOW 3600           /* seconds of a throttle window */
#define SEL_INVITE_DAYS 14        /* an enrolment link lives this long */
#define SEL_DAY INT64_C(86400)

/* A receipt: 20 characters of Crockford's base32 (100 bits) shown in
 * five groups of four, "7K2M-Q9XD-...". */
#define SEL_RECEIPT_CHARS 20
#define SEL_RECEIPT_TEXT 25 /* with dashes and NUL */

/* --- a call --- */

struct sel_criterion {
    char name[SEL_CRITERION_MAX + 1];
    int64_t weight;
};

struct sel_call {
    int64_t id;
    char title[KK_HUB_NAME_MAX + 1];
    char description[SEL_DESCRIPTION_MAX + 1];
    int64_t seats, retention_days;
    char opens[11], closes[11]; /* YYYY-MM-DD or "" */
    char status[16];            /* open, decided */
    int64_t created_at, decided_at;
    int64_t applications, selected;
    struct sel_criterion crit[SEL_CRITERIA_MAX];
    size_t n_crit;
};

/* Loads call id with its criteria; KK_ERR_NOTFOUND if there is none. */
KK_WUR int sel_call_load(struct hub_conn *c, int64_t id, struct sel_call *out);
/* Whether the call takes applications at time now: open, and today
 * (UTC) within opens..closes (either may be empty). */
bool sel_call_accepting(const struct sel_call *call, int64_t now);
/* Whether the call is decided (closed by the trainer). */
bool sel_call_decided(const struct sel_call *call);

/* Parses the criteria of the call form: one "name: weight" a line (the
 * last colon separates them), blank lines skipped.  At most max criteria,
 * names 1..SEL_CRITERION_MAX bytes without control characters, each once,
 * weights 1..SEL_WEIGHT_MAX.  KK_ERR_INVAL with *why (an English msgid)
 * on the first problem. */
KK_WUR int sel_criteria_parse(const char *text, struct sel_criterion *out,
                              size_t max, size_t *n, const char **why);
/* Checks one criterion (name and weight) as the API sends it. */
KK_WUR int sel_criterion_check(const char *name, int64_t weight,
                               const char **why);

/* Whether s is acceptable free text of at most max bytes: valid UTF-8 (the
 * parsers guarantee it), no control characters but line breaks and tabs. */
bool sel_text_ok(const char *s, size_t max);

/* --- the ranking --- */

/* One application in the ranked list of its call. */
struct sel_ranked {
    int64_t id, outlet_id;
    int64_t submitted_at, decided_at, purge_after;
    int64_t staff_count, reviews, conflicts;
    double score; /* 0..100 */
    bool scored;  /* false: no review yet */
    char status[16];
    char media[16];
    char outlet_name[KK_HUB_NAME_MAX + 1];
    char region[SEL_REGION_MAX + 1];
    char contact_name[KK_HUB_NAME_MAX + 1];
    char contact_email[KK_HUB_NAME_MAX + 1];
};

/* The applications of a call still kept at now, best first: for each
 * criterion the mean of the reviewers' scores (reviewers who declared a
 * conflict on the application left out), weighted by the criteria's
 * weights and scaled to 0..100; unscored applications last; ties by
 * earlier submission.  *out is allocated (free()); at most
 * SEL_APPLICATIONS_MAX rows. */
KK_WUR int sel_rank(struct hub_conn *c, int64_t call, int64_t now,
                    struct sel_ranked **out, size_t *n);

/* --- receipts and secrets --- */

/* A new receipt code, "XXXX-XXXX-XXXX-XXXX-XXXX" (100 random bits). */
void sel_receipt_new(char out[SEL_RECEIPT_TEXT]);
/* The hash under which a receipt is stored: BLAKE2b of its 20 characters
 * after normalising what a person may type (case, spaces, dashes, O for
 * 0, I and L for 1).  KK_ERR_INVAL if it cannot be a receipt. */
KK_WUR int sel_receipt_hash(const char *typed, uint8_t out[32]);

/* A URL slug for an outlet name: Latin letters (Cyrillic transliterated),
 * digits and dashes, at most 36 bytes, never empty. */
void sel_slug_from_name(const char *name, char *out, size_t cap);

/* Deletes what hub_selection_purge deletes, inside the caller's
 * transaction. */
KK_WUR int sel_purge_run(struct hub_conn *c, int64_t now, int64_t *deleted);

/* A fixed-window counter in the throttle table: true if key has had
 * limit hits in the current window (then nothing is counted); otherwise
 * counts one when hit is true. */
bool sel_rate_over(struct hub_conn *c, const char *key, int64_t limit,
                   int64_t now, bool hit);

/* --- shared by the handlers --- */

/* The public forms' double-submit token (the login form's "kk_pre"
 * cookie): the value for the hidden field, set as a cookie when the
 * browser has none. */
void sel_pre_token(struct hub_req *r, char *out, size_t cap);
/* The posted field matches the cookie, and the browser does not say the
 * post came from another site. */
bool sel_pre_ok(struct hub_req *r);
/* The hub's public address ("https://hub.example.org", no trailing
 * slash): --base-url, else the request's scheme and Host. */
void sel_base(struct hub_req *r, char *out, size_t cap);
/* A request header, or NULL (also outside a real HTTP exchange). */
const char *sel_header(struct hub_req *r, const char *name);
/* "YYYY-MM-DD" of a Unix time (UTC). */
void sel_day(int64_t t, char out[11]);
/* JSON: an ISO 8601 UTC time, or null for 0. */
void sel_jw_time(struct hub_jw *w, const char *key, int64_t t);
/* Labels (English msgids) of an application's status and a call's. */
const char *sel_status_label(const char *status);
const char *sel_call_label(const struct sel_call *call, int64_t now);
/* Commits after success, rolls back after failure. */
KK_WUR int sel_tx_end(struct hub_req *r, int err);

/* --- handlers: selection_review.c (trainer and panel) --- */

int sel_calls_get(struct hub_req *r);
int sel_calls_post(struct hub_req *r);
int sel_call_get(struct hub_req *r);
int sel_call_close(struct hub_req *r);
int sel_apps_get(struct hub_req *r);
int sel_app_get(struct hub_req *r);
int sel_app_scores(struct hub_req *r);
int sel_app_conflict(struct hub_req *r);
int sel_app_select(struct hub_req *r);
int sel_app_decline(struct hub_req *r);

/* --- handlers: selection_public.c (no login) --- */

int sel_apply_get(struct hub_req *r);
int sel_apply_post(struct hub_req *r);
int sel_status_get(struct hub_req *r);
int sel_status_post(struct hub_req *r);
int sel_invite_get(struct hub_req *r);
int sel_invite_post(struct hub_req *r);

#endif
