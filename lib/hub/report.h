/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report.h - the programme's reports: indicators at months 0, 3 and 6 and
 * as of a date, for one outlet or for the whole programme, with the
 * donors' aggregate view, the canonical content and its SHA-256, and the
 * writers of each format (JSON, CSV, HTML, PDF).
 *
 * A report is built once (hub_report_build) into a flat list of rows, one
 * indicator of one group (a department, an incident type, or all) at one
 * point in time; every format is written from those rows, so the figures
 * and the hash of the content are the same in every format.  The
 * canonical content (hub_report_canon) is language-independent text that
 * docs/hub-reports.md specifies line by line, so anyone holding the JSON
 * can recompute the hash.
 *
 * Ownership: a struct hub_report is allocated by the caller (it is about
 * 40 KB, so on the heap) and holds no pointers to free.  Nothing here is
 * shared between threads.
 */
#ifndef KALKAN_HUB_REPORT_H
#define KALKAN_HUB_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "hub_int.h"

#define HUB_REP_POINTS_MAX 4  /* M0, M3, M6, as of */
#define HUB_REP_TYPES_MAX 32  /* incident types told apart */
#define HUB_REP_GROUP_MAX 32  /* bytes of a group name, with the NUL */
#define HUB_REP_ROWS_MAX 1024 /* rows of one report */
#define HUB_REP_DAY_MIN "2000-01-01"
#define HUB_REP_DAY_MAX "2100-12-31"

enum hub_rep_scope {
    HUB_REP_PROGRAMME = 1, /* every outlet in the caller's scope */
    HUB_REP_OUTLET,        /* one outlet */
};

enum hub_rep_format {
    HUB_REP_HTML = 1,
    HUB_REP_JSON,
    HUB_REP_CSV,
    HUB_REP_PDF,
};

enum hub_rep_view {
    HUB_REP_FULL = 1, /* every count as it is */
    HUB_REP_DONOR,    /* counts of people under HUB_K_MIN suppressed */
};

/* The indicators, in the order every format lists them. */
enum hub_rep_ind {
    HUB_RI_PEOPLE_2FA = 0, /* share of people: strong 2FA on everything */
    HUB_RI_ORG_OK,         /* share of org accounts: 2+ admins, all 2FA */
    HUB_RI_DEVICES,        /* share of devices fully protected */
    HUB_RI_TRAINED,        /* share of people trained, by department */
    HUB_RI_HOURS,          /* training hours (tenths), by department */
    HUB_RI_FINDINGS_OPEN,  /* findings open at the point */
    HUB_RI_FINDINGS_DONE,  /* findings resolved by the point */
    HUB_RI_INCIDENTS,      /* incidents reported, by type */
    HUB_RI_RECOVERED,      /* share of them recovered, by type */
    HUB_RI_MEDIAN,         /* median time to recover (tenths of hours) */
    HUB_RI_COUNT,
};

enum hub_rep_kind {
    HUB_RK_SHARE = 1, /* value of `of` */
    HUB_RK_COUNT,     /* a number */
    HUB_RK_TENTHS,    /* a decimal with one digit, stored in tenths */
};

enum hub_rep_groups {
    HUB_RG_NONE = 0,
    HUB_RG_DEPT, /* "" (everyone), then each department */
    HUB_RG_TYPE, /* "" (every type), then each incident type seen */
};

struct hub_rep_ind_info {
    const char *key;   /* stable wire name ("people_2fa") */
    const char *label; /* English msgid */
    int kind;          /* enum hub_rep_kind */
    int groups;        /* enum hub_rep_groups */
};
/* The table of indicators, indexed by enum hub_rep_ind. */
extern const struct hub_rep_ind_info hub_rep_inds[HUB_RI_COUNT];

/* A cell's value or denominator: a number, suppressed, or no data. */
enum hub_rep_state {
    HUB_RV_NUM = 0,
    HUB_RV_SUPPRESSED, /* fewer than HUB_K_MIN people (donor view) */
    HUB_RV_NONE,       /* nothing to show (no denominator, no median) */
};

struct hub_rep_row {
    int ind;                       /* enum hub_rep_ind */
    int point;                     /* index into hub_report.pts */
    char group[HUB_REP_GROUP_MAX]; /* "" for all, else a wire name */
    int64_t value, of;
    int value_state, of_state; /* enum hub_rep_state; of: shares only */
};

struct hub_rep_point {
    char label[8]; /* "M0", "M3", "M6", "as_of" */
    char day[11];  /* YYYY-MM-DD */
    int64_t t;     /* the instant the figures describe */
};

/* Validated request parameters. */
struct hub_rep_params {
    int scope;         /* enum hub_rep_scope */
    int64_t outlet_id; /* HUB_REP_OUTLET */
    char from[11], to[11], as_of[11];
    int64_t from_t;  /* from, 00:00:00 UTC */
    int64_t to_t;    /* to, 23:59:59 UTC */
    int64_t as_of_t; /* as_of, 23:59:59 UTC */
    int format;      /* enum hub_rep_format */
    int lang;        /* enum hub_lang, or -1 for the reader's */
    int view;        /* enum hub_rep_view */
};

/* The raw parameters as typed (NULL or "" for a default). */
struct hub_rep_input {
    const char *from, *to, *as_of, *format, *lang, *view;
};

struct hub_report {
    struct hub_rep_params p;
    char start[11];       /* the programme's month 0, YYYY-MM-DD */
    int64_t outlets;      /* outlets covered at as_of */
    int64_t generated_at; /* when it was produced (not in the content) */
    char outlet_name[KK_HUB_NAME_MAX + 1];
    char outlet_slug[64];
    size_t n_points;
    struct hub_rep_point pts[HUB_REP_POINTS_MAX];
    size_t n_rows;
    struct hub_rep_row rows[HUB_REP_ROWS_MAX];
    char sha256[65]; /* lower-case hex of the canonical content's hash */
};

/* --- report_params.c: parameters (pure, fuzzed) --- */

/* Validates in against the clock: now (unix time) gives "today" (UTC),
 * start the programme's month 0; def_format is the format when none is
 * given.  Defaults: as_of today, to as_of, from the programme start (or
 * to, if the programme starts later), view full.  Dates are YYYY-MM-DD
 * between HUB_REP_DAY_MIN and HUB_REP_DAY_MAX; as_of may not be after
 * today and from not after to.  On success fills out (scope and outlet
 * are left for the caller) and returns KK_OK; otherwise KK_ERR_INVAL with
 * *bad the field's name and *why an English msgid.  Thread-safe. */
KK_WUR int hub_rep_params_parse(const struct hub_rep_input *in, int64_t now,
                                int64_t start, int def_format,
                                struct hub_rep_params *out, const char **bad,
                                const char **why);
/* Wire names: "html", "json", "csv", "pdf"; "full", "donor". */
const char *hub_rep_format_name(int format);
const char *hub_rep_view_name(int view);
/* Months after t (UTC calendar), 00:00:00 kept. */
int64_t hub_rep_add_months(int64_t t, int months);
/* YYYY-MM-DD of t (UTC) into day[11]. */
void hub_rep_day(int64_t t, char day[11]);

/* --- report_data.c: the figures --- */

/* Builds the report p describes for r's caller: the points, every row,
 * suppression for the donor view, the canonical content's hash.  Donors
 * are read through the aggregate statements (the whole programme),
 * everyone else through scoped ones; the caller has checked that an
 * outlet report's outlet is in scope.  rep is overwritten. */
KK_WUR int hub_report_build(struct hub_req *r, const struct hub_rep_params *p,
                            struct hub_report *rep);

/* Applies the donor view's rules to rows: counts of people under
 * HUB_K_MIN, and shares whose complement is under it, are suppressed;
 * when one department of a point is suppressed, the smallest other one is
 * too, so the total cannot give it away. */
void hub_report_suppress(struct hub_report *rep);

/* The median of n sorted durations in seconds, in tenths of hours rounded
 * half up (the mean of the two middle ones when n is even); -1 when n is
 * 0. */
int64_t hub_rep_median_tenths(const int64_t *sorted, size_t n);

/* --- report_out.c: content, JSON, CSV --- */

/* Appends the canonical content (docs/hub-reports.md) to b. */
KK_WUR int hub_report_canon(const struct hub_report *rep, struct kk_buf *b);
/* Sets rep->sha256 from the canonical content. */
KK_WUR int hub_report_hash(struct hub_report *rep);

/* A row's value as text: "12", "12.5", "" (none) or "suppressed" (the
 * canonical and CSV spelling). */
void hub_rep_value_text(const struct hub_rep_row *row, bool of, char *out,
                        size_t cap);
/* The row's share in permille, or -1 when it has none. */
int hub_rep_permille(const struct hub_rep_row *row);

/* The report as JSON, CSV, on r->out; verify_url is the path (or full
 * URL) that checks the hash. */
void hub_report_json(struct hub_req *r, const struct hub_report *rep,
                     const char *verify_url);
void hub_report_csv(struct hub_req *r, const struct hub_report *rep,
                    const char *verify_url);

/* The label of a row's group in English (a msgid): "All", a department
 * or an incident type; the wire name itself when unknown. */
const char *hub_rep_group_label(int groups, const char *group);

/* Reads the canonical content back (for /reports/verify): calls fn for
 * each "key\tvalue..." line with its fields split at tabs (at most 8);
 * KK_ERR_CORRUPT on a line longer than 512 bytes, more fields, or text
 * that is not UTF-8. */
KK_WUR int hub_rep_canon_walk(const char *text, size_t len,
                              void (*fn)(void *arg, const char *const *f,
                                         size_t n),
                              void *arg);

/* --- report_html.c, report_pdf.c --- */

/* An outlet offered on the /reports form. */
struct hub_rep_choice {
    int64_t id;
    char name[KK_HUB_NAME_MAX + 1];
};

/* What /reports/verify found for a hash. */
struct hub_rep_verify {
    char sha256[65]; /* "" when nothing was asked */
    bool issued;     /* a report the caller may know of */
    int scope;       /* enum hub_rep_scope */
    int64_t outlet_id;
    char outlet_name[KK_HUB_NAME_MAX + 1];
    char from[11], to[11], as_of[11];
    int64_t first, last, times; /* produced first, last, how often */
    bool figures;               /* the caller may see the content */
    struct kk_buf *content;     /* the canonical content, or NULL */
};

/* The printable report page: the parameter form (in: what was asked;
 * view: offer the donor view), the facts, charts and tables, and the
 * hash with the link that checks it. */
void hub_report_html(struct hub_req *r, const struct hub_report *rep,
                     const char *verify_url, const struct hub_rep_input *in,
                     bool view);
/* The report page holding only its form, after a bad field (bad, why). */
void hub_report_bad_page(struct hub_req *r, const struct hub_rep_params *p,
                         const char *outlet_name,
                         const struct hub_rep_input *in, bool view,
                         const char *bad, const char *why);
/* /reports: the form that chooses a report (report: "programme" or an
 * outlet id, as typed). */
void hub_report_index(struct hub_req *r, const struct hub_rep_input *in,
                      const char *report, const struct hub_rep_choice *outlets,
                      size_t n, bool view, const char *bad, const char *why);
/* /reports/verify: the form, and what was found for v (NULL: nothing
 * asked); typed is the text entered, why an English msgid when it was not
 * a hash. */
void hub_report_verify_page(struct hub_req *r, const struct hub_rep_verify *v,
                            const char *typed, const char *why);
/* The PDF document on r->out (Content-Type set). */
KK_WUR int hub_report_pdf(struct hub_req *r, const struct hub_report *rep,
                          const char *verify_url);

#endif
