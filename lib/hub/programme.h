/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * programme.h - what the programme's workflows (selection, assessments,
 * training, incidents, reminders, reports) offer each other and the core:
 * their route tables, the dashboard's reminder panel and their part of the
 * demo programme.
 */
#ifndef KALKAN_HUB_PROGRAMME_H
#define KALKAN_HUB_PROGRAMME_H

#include "hub_int.h"

/* Route tables, each ended by a {0} entry. */
extern const struct hub_route hub_routes_selection[]; /* selection.c */
extern const struct hub_route hub_routes_assess[];    /* assess.c */
extern const struct hub_route hub_routes_training[];  /* training.c */
extern const struct hub_route hub_routes_incident[];  /* incident.c */
extern const struct hub_route hub_routes_remind[];    /* remind.c */
extern const struct hub_route hub_routes_report[];    /* report.c */
extern const struct hub_route hub_routes_site[];      /* site_pages.c */
extern const struct hub_route hub_routes_guard[];     /* guard_pages.c */

/* The "needs attention" panel for the caller's scope (outlet 0: every
 * outlet the caller sees, on the dashboard; else that outlet, on its
 * overview): overdue tasks, stale observations, licences expiring within
 * 30 days, open incidents.  Writes nothing when there is nothing to show. */
void hub_reminders_panel(struct hub_req *r, int64_t outlet);

/* The hub's public address from `kalkan serve --base-url` (no trailing
 * slash), or "" when not set: links then use the request's Host. */
const char *hub_base_url(struct hub_req *r);

/* --- housekeeping (remind.c): a thread of the server that, every few
 * minutes, deletes unselected applications past their retention
 * (hub_selection_purge) and, once a day per user, e-mails the reminders
 * when opts->smtp is set.  It also starts and stops the website checker's
 * thread (site_worker.c), which runs queued and scheduled checks. --- */
struct hub_housekeeping;
KK_WUR int hub_housekeeping_start(struct hub_db *db,
                                  const struct hub_server_opts *opts,
                                  struct hub_housekeeping **out,
                                  struct kk_diag *d);
/* Stops and joins the thread; NULL no-op. */
void hub_housekeeping_stop(struct hub_housekeeping *h);

/* Deletes the applications whose retention ended (purge_after <= now),
 * with their scores and conflict declarations; *deleted gets the count.
 * Selected applications are never deleted (their outlet exists). */
KK_WUR int hub_selection_purge(struct hub_conn *c, int64_t now,
                               int64_t *deleted);

/* --- the demo programme (demo.c calls these inside its transaction,
 * after the register, logins and observations are written) --- */

struct hub_demo_ctx {
    struct hub_conn *c;
    uint64_t rng;    /* content: splitmix64 state */
    uint64_t ids;    /* row ids: splitmix64 state */
    int64_t start;   /* programme start (month 0), 00:00 UTC */
    int64_t now;     /* the demo's "now" */
    int64_t trainer; /* the trainer's user id */
    struct kk_diag *d;
};

/* Uniform in [0, n) from x->rng (0 when n is 0). */
uint64_t hub_demo_below(struct hub_demo_ctx *x, uint64_t n);
/* A row id in [2^40, 2^53) from x->ids: the same seed, the same ids. */
int64_t hub_demo_id(struct hub_demo_ctx *x);

/* The first focal point of an outlet (0 when it has none): who the demo
 * makes register and send the outlet's website data. */
int64_t hub_demo_focal(struct hub_demo_ctx *x, int64_t outlet);

/* Each area's demo rows; KK_OK or an error with x->d set.  They read the
 * outlets, people, devices and users back through HUB_Q_DEMO_* statements
 * of their own sql_*.h. */
KK_WUR int hub_demo_selection(struct hub_demo_ctx *x);
KK_WUR int hub_demo_assess(struct hub_demo_ctx *x);
KK_WUR int hub_demo_training(struct hub_demo_ctx *x);
KK_WUR int hub_demo_incidents(struct hub_demo_ctx *x);
KK_WUR int hub_demo_site(struct hub_demo_ctx *x);
KK_WUR int hub_demo_guard(struct hub_demo_ctx *x);

/* --- website checks (site_pages.c, site_remind.c): what the register,
 * the outlet's overview and the reminders show of them --- */

/* The outlet overview's "Websites" section: each live website's latest
 * grade, linked to its checks.  Writes nothing when there is no website or
 * the caller may not see checks. */
void hub_site_overview(struct hub_req *r, int64_t outlet);
/* The register's websites table: a column head, and the cell of one
 * website (its latest grade, linked to its checks). */
void hub_site_reg_head(struct hub_req *r);
void hub_site_reg_cell(struct hub_req *r, int64_t outlet, int64_t website);

/* What needs attention about websites in the caller's scope (outlet 0:
 * every outlet): grades that dropped, new findings above low,
 * certificates ending within 21 days, checks that failed twice. */
struct hub_site_alerts;
/* Reads at most limit items into *out (freed with hub_site_alerts_free);
 * KK_OK or an error (*out NULL). */
KK_WUR int hub_site_alerts_load(struct hub_req *r, int64_t outlet, size_t limit,
                                struct hub_site_alerts **out);
void hub_site_alerts_free(struct hub_site_alerts *a);
/* The number of websites that need attention (0 for NULL). */
int64_t hub_site_alerts_count(const struct hub_site_alerts *a);
/* The panel's part (nothing when the count is 0); outlet 0 names the
 * outlets. */
void hub_site_alerts_panel(struct hub_req *r, const struct hub_site_alerts *a,
                           int64_t outlet);
/* The API's part: the key "websites" with count and items. */
void hub_site_alerts_json(struct hub_req *r, struct hub_jw *w,
                          const struct hub_site_alerts *a);
/* The e-mail's part, in lang, links under base_url. */
KK_WUR int hub_site_alerts_mail(const struct hub_site_alerts *a, int lang,
                                const char *base_url, struct kk_buf *b);

#endif
