/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * site_hub.h - website checks in the hub, shared by its files: the result
 * of one check as the hub stores it, the rules that turn findings into
 * observations of the website controls, the difference between two
 * checks, the rules of the reminders, and the checker's thread.
 *
 * site_checks.c holds the vocabulary, the pure rules and the storing of a
 * result; site_worker.c the thread that runs checks; site_upload.c reads
 * a report a server of the outlet made; site_pages.c the pages and the
 * API; site_remind.c what needs attention.  Every function here is
 * thread-safe unless it says otherwise; nothing keeps global state but the
 * worker's wake-up signal.
 */
#ifndef KALKAN_HUB_SITE_HUB_H
#define KALKAN_HUB_SITE_HUB_H

#include "hub_int.h"
#include "kalkan/site.h"

#define HUB_SITE_FINDINGS_MAX 128 /* findings kept of one check */
#define HUB_SITE_ID_MAX 48        /* bytes of a finding id, with NUL */
#define HUB_SITE_CAPS_MAX 16
#define HUB_SITE_CERT_DAYS 21 /* a certificate this close to its end */

/* --- grades and names --- */

/* A grade's rank: "A+" 7, "A" 6, "A-" 5, "B" 4, "C" 3, "D" 2, "F" 1;
 * anything else 0. */
int hub_site_grade_rank(const char *grade);
/* SITE_SEV_* of "info".."critical", or -1. */
int hub_site_sev_from_name(const char *name);
/* SITE_AREA_* of "tls".."dns", or -1. */
int hub_site_area_from_name(const char *name);

/* --- a website as the pages see it (site_pages.c, guard_pages.c) --- */

struct hub_site_web {
    int64_t id, outlet;
    char url[KK_HUB_NAME_MAX + 1];
    char outlet_name[KK_HUB_NAME_MAX + 1];
    bool archived; /* the website or its outlet */
};

/* Loads website id of outlet (0: whichever outlet it is in) in the
 * caller's scope.  KK_ERR_NOTFOUND when it does not exist or is out of
 * scope (the two are answered alike); KK_ERR_IO on a database error. */
KK_WUR int hub_site_web_load(struct hub_req *r, int64_t outlet, int64_t id,
                             struct hub_site_web *w);

/* --- one check's result, as stored --- */

struct hub_site_item {
    char id[HUB_SITE_ID_MAX]; /* a catalogue id */
    int sev;                  /* enum site_sev, from the catalogue */
    int area;                 /* enum site_area, from the catalogue */
    char *evidence;           /* malloc'd, never NULL once added */
};

struct hub_site_result {
    int64_t checked_at;
    char failure[16];         /* "" when the site was checked */
    char failure_detail[256]; /* one English line */
    char grade[3];
    int score;                 /* 0..100 */
    int area[SITE_AREA_COUNT]; /* 0..100, -1 not checked */
    char capped_by[HUB_SITE_CAPS_MAX * (HUB_SITE_ID_MAX + 4)]; /* "id=C ..." */
    char best_fix[HUB_SITE_ID_MAX];
    unsigned requests, handshakes;
    int64_t elapsed_ms;
    int64_t cert_expiry; /* 0: none seen */
    struct hub_site_item *items;
    size_t n_items;
    struct kk_buf *passed; /* ids of the checks that passed, space-separated */
    struct kk_buf *report; /* the report's JSON document, English */
};

/* Zeroes res and allocates its buffers: KK_OK or KK_ERR_NOMEM. */
KK_WUR int hub_site_result_init(struct hub_site_result *res);
/* Frees what res holds; safe on a zeroed one and twice. */
void hub_site_result_clear(struct hub_site_result *res);
/* Adds a finding (severity and area from the catalogue; evidence copied
 * and cut to KK_SITE_EVIDENCE_MAX bytes, control characters turned into
 * spaces).  KK_ERR_INVAL for an id not in the catalogue, KK_ERR_EXISTS
 * for one already added, KK_ERR_LIMIT past HUB_SITE_FINDINGS_MAX. */
KK_WUR int hub_site_result_add(struct hub_site_result *res, const char *id,
                               const char *evidence);
/* Adds the id of a check that passed (a catalogue id; KK_ERR_INVAL
 * otherwise; a second time is a no-op). */
KK_WUR int hub_site_result_pass(struct hub_site_result *res, const char *id);
/* Fills res (initialised) from a report of site_check: findings, passed
 * ids, grade, scores, caps, the English JSON (site_report_json). */
KK_WUR int hub_site_result_from_report(struct hub_site_result *res,
                                       const struct site_report *rep);

/* Grades res's findings again with lib/site's grading
 * (site_grade_findings): an area counts as checked when res->area[a] >= 0
 * or it holds a finding or a passed check; grade, score, area scores, caps and
 * the best fix are replaced.  Used for reports a server sends and for the demo,
 * so every grade in the hub is lib/site's.  KK_ERR_NOMEM, KK_ERR_INVAL. */
KK_WUR int hub_site_result_regrade(struct hub_site_result *res);

/* --- observations of the website controls (docs/hub-sites.md) --- */

#define HUB_SITE_CONTROLS 6 /* WEB-01, -02, -03, -04, -05, -07 */

struct hub_site_obs {
    const char *control; /* "WEB-01" */
    const char *status;  /* "pass", "partial", "fail"; NULL: not observed */
    char note[256];      /* the finding ids that decided it */
};

/* The observation each control gets from a check's findings and passed
 * ids.  A control is observed only when one of its checks ran (found or
 * passed); then it fails on a finding that fails it, or on as many
 * findings as its limit; is partial on any other finding of its own;
 * passes otherwise.  Pure. */
void hub_site_obs_map(const struct hub_site_result *res,
                      struct hub_site_obs out[HUB_SITE_CONTROLS]);

/* --- the difference between a check and the one before --- */

struct hub_site_diff {
    const char *added[HUB_SITE_FINDINGS_MAX]; /* borrowed from cur */
    size_t n_added;
    const char *fixed[HUB_SITE_FINDINGS_MAX]; /* borrowed from prev */
    size_t n_fixed;
    int grade_change; /* rank of cur's grade minus prev's; 0 unknown */
};

/* Findings (ids) in cur and not in prev, in prev and not in cur, each in
 * the order given; the grade change.  Pure. */
void hub_site_diff_make(const char *const *cur, size_t n_cur,
                        const char *cur_grade, const char *const *prev,
                        size_t n_prev, const char *prev_grade,
                        struct hub_site_diff *out);

/* --- the reminders' rules --- */

enum hub_site_alert {
    HUB_SITE_ALERT_DROP = 1 << 0,   /* the grade dropped at the last check */
    HUB_SITE_ALERT_NEW = 1 << 1,    /* new findings above low */
    HUB_SITE_ALERT_CERT = 1 << 2,   /* the certificate ends within 21 days */
    HUB_SITE_ALERT_FAILED = 1 << 3, /* the last two checks failed */
};

struct hub_site_alert_in {
    const char *latest_status; /* of the latest finished check */
    const char *before_status; /* of the one before it, "" none */
    bool latest_is_done;       /* the latest finished check is the done one */
    const char *grade;         /* of the latest done check, "" none */
    const char *before_grade;  /* of the done check before it, "" none */
    int64_t added;             /* findings above low new in the latest done */
    int64_t cert_expiry;       /* of the latest done check, 0 none */
};

/* The alerts (enum hub_site_alert bits) of one website at time now. */
unsigned hub_site_alert_flags(const struct hub_site_alert_in *in, int64_t now);

/* --- storing --- */

/* Binds res's columns (:status, :checked_at, :failure, ... :report, the
 * report sealed for check id under db's key) to st. */
KK_WUR int hub_site_bind_result(const struct hub_db *db, sqlite3_stmt *st,
                                int64_t id, const struct hub_site_result *res);

/* --- the checker's thread (site_worker.c) --- */

struct hub_site_worker;
/* Reads opts->site_options (if set) and starts the thread that runs
 * queued checks and, every opts->site_interval hours, the scheduled ones.
 * *out is NULL on failure (d says why). */
KK_WUR int hub_site_worker_start(struct hub_db *db,
                                 const struct hub_server_opts *opts,
                                 struct hub_site_worker **out,
                                 struct kk_diag *d);
/* Stops and joins the thread (after the check in progress, if any, which
 * its timeouts bound); NULL is a no-op. */
void hub_site_worker_stop(struct hub_site_worker *w);
/* Wakes every worker of the process: a check was queued. */
void hub_site_worker_kick(void);

/* The checker's options from a file of `kalkan site` options
 * (docs/hub-sites.md): o points into conf and lists. */
struct hub_site_options {
    struct site_opts o;
    struct kk_conf *conf;
    char *lists;   /* the resolve entries and DKIM selectors, split */
    bool resolver; /* a resolver of its own: dns or resolve given */
};
/* Parses path into so (zeroed first; path NULL gives the defaults).
 * KK_ERR_INVAL (or KK_ERR_NOTFOUND, KK_ERR_IO) with the line in d; so is
 * then empty.  Free with hub_site_options_free. */
KK_WUR int hub_site_options_load(const char *path, struct hub_site_options *so,
                                 struct kk_diag *d);
void hub_site_options_free(struct hub_site_options *so);
/* True if host (lower case) is under a name reserved for examples and
 * tests (example, invalid, localhost, test): the hub does not look such
 * names up without a resolver of its own. */
bool hub_site_reserved_host(const char *host);
/* Copies the host of url ("https://host:port/...") lower-cased into out;
 * false when there is none. */
bool hub_site_url_host(const char *url, char *out, size_t cap);

/* --- an uploaded report (site_upload.c) --- */

/* Reads the JSON document of `kalkan site check --json` (root) into res
 * (initialised): strictly, declared keys only (others ignored), ids from
 * the catalogue, severities from the catalogue, times not in the future
 * (now).  The target's host must be host.  res->report gets the report
 * written again from what was read, in English.  KK_ERR_INVAL with *why
 * (a static English sentence) on anything else. */
KK_WUR int hub_site_upload_read(const struct hub_jv *root, const char *host,
                                int64_t now, struct hub_site_result *res,
                                const char **why);
/* Writes res as the report JSON of docs/site.md (English texts) for the
 * target host into out. */
KK_WUR int hub_site_report_write(const struct hub_site_result *res,
                                 const char *host, struct kk_buf *out);

#endif
