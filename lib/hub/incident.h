/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * incident.h - incidents and triage guidance: what incident.c,
 * incident_pages.c, triage.c, demo_incidents.c and their tests share.
 *
 * An incident is a case of one outlet: a type, a sealed title, a severity,
 * a status and the incident clock (occurred, reported, first response,
 * contained, recovered, closed), the people, accounts, devices and
 * websites it touched, and an append-only timeline.  The triage guidance
 * is data: flows of questions and answers leading to numbered steps, in
 * English, Russian and Kyrgyz, read from the .txt files of web/triage/ (format
 * in docs/hub-incidents.md and at the top of triage.c).
 *
 * The limits of the triage reader live here rather than in
 * include/kalkan/limits.h because nothing outside the hub reads flows.
 */
#ifndef KALKAN_HUB_INCIDENT_H
#define KALKAN_HUB_INCIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hub_int.h"
#include "i18n.h"

/* --- the vocabulary (wire names in the database, API and forms) --- */

enum hub_incident_type {
    HUB_INC_ACCOUNT_HIJACKED = 1,
    HUB_INC_PAGE_BLOCKED,   /* page or channel restricted or unpublished */
    HUB_INC_WEBSITE_DOWN,   /* down or flooded */
    HUB_INC_WEBSITE_HACKED, /* hacked or defaced */
    HUB_INC_DEVICE_SEIZED,
    HUB_INC_DEVICE_LOST, /* lost or stolen */
    HUB_INC_MALWARE,
    HUB_INC_PHISHING,
    HUB_INC_PHYSICAL_ATTACK,
    HUB_INC_HARASSMENT, /* harassment or doxxing */
    HUB_INC_LEGAL_THREAT,
};
#define HUB_INC_TYPE_COUNT 11

enum hub_incident_status {
    HUB_INC_OPEN = 1,
    HUB_INC_CONTAINED,
    HUB_INC_RECOVERED,
    HUB_INC_CLOSED,
};
#define HUB_INC_STATUS_COUNT 4

enum hub_incident_event {
    HUB_EV_NOTE = 1,
    HUB_EV_STATUS,     /* text: the new status's wire name */
    HUB_EV_ESCALATION, /* to the platform, a helpline, a lawyer... */
    HUB_EV_TRIAGE,     /* a triage walk: the answers and the steps */
};
#define HUB_EV_COUNT 4

#define HUB_INC_SEVERITY_MAX 4 /* 1 low .. 4 critical */

/* Wire names and English labels (translated on output); NULL out of
 * range; _from_name 0 when unknown.  Thread-safe (static tables). */
const char *hub_incident_type_name(int v);
int hub_incident_type_from_name(const char *s);
const char *hub_incident_type_label(int v);
const char *hub_incident_status_name(int v);
int hub_incident_status_from_name(const char *s);
const char *hub_incident_status_label(int v);
const char *hub_incident_event_name(int v);
int hub_incident_event_from_name(const char *s);
const char *hub_incident_event_label(int v);
/* "Low", "Medium", "High", "Critical"; NULL out of range. */
const char *hub_incident_severity_label(int v);

/* --- the incident clock --- */

/* Unix times; 0 means "not yet". */
struct hub_incident_clock {
    int64_t occurred, reported, first_response, contained, recovered, closed;
};

/* What a change of status to `to` at `now` does to the clock: contained
 * stamps contained (if not yet) and forgets recovered and closed;
 * recovered stamps contained and recovered (if not yet) and forgets
 * closed; closed stamps closed; open forgets contained, recovered and
 * closed.  A status set again keeps its first stamp. */
void hub_incident_stamp(struct hub_incident_clock *c, int to, int64_t now);

/* Checks a clock against its status: every time after occurred (and from
 * 2000 on), none later than now plus five minutes, reported before first
 * response, contained before recovered, and no step's time beyond the
 * status (an open incident has no contained time...).  KK_OK, or
 * KK_ERR_INVAL with *bad set to the wire name of the first wrong field
 * ("reported_at", ...) and *why to an English msgid. */
KK_WUR int hub_incident_clock_check(const struct hub_incident_clock *c,
                                    int status, int64_t now, const char **bad,
                                    const char **why);

/* --- triage guidance --- */

#define HUB_TRIAGE_FILE_MAX (256 * 1024) /* bytes in one flow file */
#define HUB_TRIAGE_NODES_MAX 64          /* nodes in one flow */
#define HUB_TRIAGE_ANSWERS_MAX 9         /* answers of one question */
#define HUB_TRIAGE_STEPS_MAX 12          /* steps of one end node */
#define HUB_TRIAGE_ID_MAX 32             /* bytes in a flow or node id */
#define HUB_TRIAGE_FLOWS_MAX 16          /* flows in one set */
/* A path names one answer per question, so it is shorter than a flow. */
#define HUB_TRIAGE_PATH_MAX (HUB_TRIAGE_NODES_MAX - 1)

/* One text in the three languages (index enum hub_lang). */
struct hub_triage_text {
    const char *t[HUB_LANG_COUNT];
};

struct hub_triage_answer {
    struct hub_triage_text label;
    size_t next; /* index of the node it leads to */
};

struct hub_triage_node {
    const char *id;
    bool end;                    /* steps (true) or a question (false) */
    struct hub_triage_text text; /* the question, or the end's title */
    struct hub_triage_answer answer[HUB_TRIAGE_ANSWERS_MAX];
    size_t n_answers;
    struct hub_triage_text step[HUB_TRIAGE_STEPS_MAX];
    size_t n_steps;
    unsigned line; /* where it starts in its file */
};

/* A parsed flow: an acyclic graph whose node 0 is the start and from
 * which every node is reached.  Immutable; any thread may read it. */
struct hub_triage_flow {
    const char *id;
    struct hub_triage_text title, intro;
    uint32_t types; /* bit (1 << type) for each incident type it serves */
    struct hub_triage_node node[HUB_TRIAGE_NODES_MAX];
    size_t n_nodes;
    char *arena; /* every string above */
};

/* Parses one flow file (format at the top of triage.c) and validates it:
 * every answer leads to an existing node, there is no cycle, every node is
 * reached from the start, every text is there in en, ru and ky.  On error
 * *out is untouched and d names the line or node: "line 12: ...".
 * KK_ERR_INVAL malformed, KK_ERR_LIMIT a limit above, KK_ERR_NOMEM. */
KK_WUR int hub_triage_parse(const char *text, size_t len,
                            struct hub_triage_flow **out, struct kk_diag *d);
/* NULL is a no-op. */
void hub_triage_free(struct hub_triage_flow *f);

/* Follows path (one digit 1-9 per answer taken, "" for the start) from
 * the start node; *node gets the index of the node reached.  KK_ERR_INVAL
 * when a digit names no answer or the path goes on past an end node. */
KK_WUR int hub_triage_walk(const struct hub_triage_flow *f, const char *path,
                           size_t *node);

/* Appends what a finished walk says, in language lang: the flow's title,
 * each question with the answer taken, the end's title and its numbered
 * steps, one per line.  KK_ERR_INVAL unless path ends at steps. */
KK_WUR int hub_triage_summary(const struct hub_triage_flow *f, const char *path,
                              int lang, struct kk_buf *b);

/* A set of flows with unique ids, each incident type served by at most
 * one of them. */
struct hub_triage_set {
    struct hub_triage_flow *flow[HUB_TRIAGE_FLOWS_MAX];
    size_t n;
};

/* Parses text and adds the flow to s; name (the file) prefixes the
 * diagnostic.  KK_ERR_EXISTS for a flow id or a type already in s. */
KK_WUR int hub_triage_set_add(struct hub_triage_set *s, const char *name,
                              const char *text, size_t len, struct kk_diag *d);
/* Frees the flows (the set itself is the caller's). */
void hub_triage_set_clear(struct hub_triage_set *s);
/* The flow with this id, or NULL. */
const struct hub_triage_flow *hub_triage_find(const struct hub_triage_set *s,
                                              const char *id);
/* The flow that serves incident type t, or NULL. */
const struct hub_triage_flow *
hub_triage_for_type(const struct hub_triage_set *s, int t);

/* The compiled-in flows (the .txt files of web/triage/), read once on first
 * use, in file name order.  A broken file makes every call fail with the same
 * error and diagnostic ("web/triage/x.txt: line 3: ..."); the unit tests
 * (tests/unit/hub/test_triage.c) fail the build's tests first.
 * Thread-safe. */
KK_WUR int hub_triage_builtin(const struct hub_triage_set **out,
                              struct kk_diag *d);

/* --- incidents as the handlers see them (incident.c) --- */

#define HUB_INC_SUBJECTS_MAX 64 /* affected objects of one kind */
#define HUB_INC_PAGE_ROWS 500   /* incidents listed at once */

/* The kinds of affected objects, in the order of the arrays below. */
enum hub_inc_subject {
    HUB_SUBJ_PERSON,
    HUB_SUBJ_ACCOUNT,
    HUB_SUBJ_DEVICE,
    HUB_SUBJ_WEBSITE,
};
#define HUB_SUBJ_KINDS 4
/* "person", ...: the database's subject_type. */
extern const char *const hub_inc_subject_type[HUB_SUBJ_KINDS];
/* "people", ...: the form and JSON key of each kind. */
extern const char *const hub_inc_subject_key[HUB_SUBJ_KINDS];

struct hub_inc_subjects {
    int64_t id[HUB_SUBJ_KINDS][HUB_INC_SUBJECTS_MAX];
    size_t n[HUB_SUBJ_KINDS];
    bool sent[HUB_SUBJ_KINDS]; /* input: replace this kind's list */
};

/* The outlet of a route, checked to be in the caller's scope. */
struct hub_inc_outlet {
    int64_t id;
    char name[KK_HUB_NAME_MAX + 1];
    bool archived;
};

/* One incident as read; title is opened (or "" with title_bad set). */
struct hub_inc {
    int64_t id, outlet, reported_by;
    char outlet_name[KK_HUB_NAME_MAX + 1];
    int type, severity, status;
    struct hub_incident_clock clock;
    char reporter[KK_HUB_NAME_MAX + 1]; /* e-mail, "" when unknown */
    char flow[HUB_TRIAGE_ID_MAX + 1];
    char path[HUB_TRIAGE_PATH_MAX + 1];
    struct kk_buf *title;
    bool title_bad;
};

/* The fields of a report and of an edit, in this order. */
enum hub_inc_field {
    HUB_IF_TYPE,
    HUB_IF_TITLE,
    HUB_IF_SEVERITY,
    HUB_IF_STATUS,
    HUB_IF_OCCURRED,
    HUB_IF_REPORTED,
    HUB_IF_FIRST_RESPONSE,
    HUB_IF_CONTAINED,
    HUB_IF_RECOVERED,
    HUB_IF_CLOSED,
};
#define HUB_IF_COUNT 10
extern const char *const hub_inc_field_name[HUB_IF_COUNT];

/* What a form or JSON body asked for, validated. */
struct hub_inc_input {
    const char *val[HUB_IF_COUNT]; /* "" when not sent */
    bool clear[HUB_IF_COUNT];      /* JSON null: forget this time */
    struct hub_inc_subjects subj;
    const char *bad; /* the first wrong field, or NULL */
    const char *why; /* English msgid */
};

/* A timeline entry typed into the form, kept when it is shown again. */
struct hub_inc_note {
    const char *kind, *text;
    bool trainer_only;
    const char *bad, *why;
};

KK_WUR int hub_inc_outlet_load(struct hub_req *r, int64_t id,
                               struct hub_inc_outlet *o);
KK_WUR int hub_inc_init(struct hub_inc *i);
void hub_inc_release(struct hub_inc *i);
/* The incidents of outlet (0: every outlet in scope), at most limit: run
 * with sqlite3_step and read each row with hub_inc_fill.  NULL on failure
 * (r->err set). */
sqlite3_stmt *hub_inc_list(struct hub_req *r, int64_t outlet, int limit);
KK_WUR int hub_inc_fill(struct hub_req *r, sqlite3_stmt *st, struct hub_inc *i);
/* One incident: KK_ERR_NOTFOUND when absent or not the caller's. */
KK_WUR int hub_inc_get(struct hub_req *r, int64_t outlet, int64_t id,
                       struct hub_inc *i);
/* The ids of an incident's subjects the caller sees. */
KK_WUR int hub_inc_subjects_load(struct hub_req *r, int64_t outlet, int64_t id,
                                 struct hub_inc_subjects *s);
/* Appends a timeline entry (in a transaction the caller holds) and, when
 * the caller is a trainer or an assistant, stamps the first response.
 * KK_ERR_NOTFOUND when the incident is not the caller's to write. */
KK_WUR int hub_inc_event_add(struct hub_req *r, int64_t outlet, int64_t id,
                             int kind, const char *text, bool trainer_only);
/* Whether the caller may keep trainer-only notes (trainer, assistant). */
bool hub_inc_trainers(const struct hub_req *r);
/* Whether the caller may change an incident (trainer, assistant, focal). */
bool hub_inc_manager(const struct hub_req *r);

/* "2026-11-29 10:00" (UTC) into out (>= 17 bytes); "" for 0. */
void hub_incident_time_text(int64_t t, char *out, size_t cap);
/* "2026-11-29T10:00" for a datetime-local input; "" for 0. */
void hub_incident_time_input(int64_t t, char *out, size_t cap);
/* A duration in the caller's language: "45 min", "3 h 5 min", "2 d 4 h". */
void hub_incident_duration(struct hub_req *r, int64_t secs);

/* --- the pages (incident_pages.c) --- */

/* An outlet's incidents with the report form (in: the report that failed,
 * or NULL). */
KK_WUR int hub_inc_page_list(struct hub_req *r, const struct hub_inc_outlet *o,
                             const struct hub_inc_input *in);
/* One incident (in: an edit that failed; note: a timeline entry that
 * failed; either may be NULL). */
KK_WUR int hub_inc_page_show(struct hub_req *r, const struct hub_inc_outlet *o,
                             const struct hub_inc *i,
                             const struct hub_inc_input *in,
                             const struct hub_inc_note *note);
/* Every incident the caller sees, open ones first. */
KK_WUR int hub_inc_page_programme(struct hub_req *r);

/* --- triage pages and API (incident_triage.c) --- */

int hub_triage_h_list(struct hub_req *r);
int hub_triage_h_walk(struct hub_req *r);
int hub_triage_h_incident(struct hub_req *r);
int hub_triage_h_record(struct hub_req *r);

#endif
