/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * assess.h - what the files of the assessments area share (assess.c,
 * assess_sheet.c, assess_risks.c, assess_findings.c, assess_tasks.c): the
 * sheet's expansion of an outlet's subjects by the control catalogue, the
 * parser of recorded results, small page and form helpers, and the route
 * handlers (exported so the unit tests can call them without a server).
 *
 * Who may do what is decided by the route table (assess.c): trainers and
 * assistants write, focal points read their outlet and set the status of
 * tasks, nobody else reaches these routes.  Which outlet is decided by the
 * scoped statements of sql_assess.h: an object of an outlet the caller
 * does not see answers exactly like one that does not exist.
 */
#ifndef KALKAN_HUB_ASSESS_H
#define KALKAN_HUB_ASSESS_H

#include "hub_int.h"
#include "i18n.h"

#define HUB_ASSESS_RESULTS_MAX 500 /* results in one request */
#define HUB_ASSESS_NOTE_MAX 1000   /* bytes of evidence in one result */
#define HUB_ASSESS_CONTROLS_MAX 10 /* controls linked to one finding */

/* --- the sheet --- */

/* One object of an outlet an assessment looks at. */
struct hub_assess_subject {
    const char *type; /* "outlet", "person", "account", "device", "website" */
    int64_t id;
    int kind;         /* device: enum hub_device_kind; account: platform */
    int64_t created;  /* created_at */
    int64_t archived; /* archived_at, 0 alive */
    char label[KK_HUB_NAME_MAX + 1];  /* name, handle, URL, "os tag" */
    char detail[KK_HUB_NAME_MAX + 1]; /* job title, owner, custodian, CMS */
};

/* One line of the sheet: a control on a subject (an index into the array
 * the expansion was given). */
struct hub_assess_pair {
    const struct hub_control *ctl;
    size_t subject;
};

/* Whether control c is about a subject of type stype and kind (0 when
 * unknown): account controls about one platform apply to accounts of that
 * platform, device controls to the kinds of device they are written for
 * (a phone's, a router's, a computer's).  Thread-safe. */
bool hub_assess_applies(const struct hub_control *c, const char *stype,
                        int kind);

/* The sheet of subjects s[0..n) alive at t (created at or before t, not
 * archived at t): for each subject in order, each control of area (0:
 * every area) that applies to it, baseline controls first, then in
 * catalogue order.  *out (freed by the caller, NULL when *n_out is 0).
 * KK_ERR_NOMEM; KK_ERR_INVAL when cat is NULL. */
KK_WUR int hub_assess_expand(const struct hub_catalogue *cat,
                             const struct hub_assess_subject *s, size_t n,
                             int area, int64_t t, struct hub_assess_pair **out,
                             size_t *n_out);

/* Loads the subjects of outlet (alive or archived) through the caller's
 * scope into *out (freed by the caller); none for an outlet not in scope. */
KK_WUR int hub_assess_subjects(struct hub_req *r, int64_t outlet,
                               struct hub_assess_subject **out, size_t *n);

/* Of the sheet of assessment aid at time t (its subjects s[0..n), every
 * area), *total lines and the *done of them observed in it. */
KK_WUR int hub_assess_progress(struct hub_req *r, int64_t outlet, int64_t aid,
                               int64_t t, const struct hub_assess_subject *s,
                               size_t n, size_t *done, size_t *total);

/* One result to record; the strings are borrowed from the request. */
struct hub_assess_result {
    const struct hub_control *ctl;
    const char *stype;
    int64_t sid;
    const char *status; /* pass, partial, fail, na */
    const char *note;   /* "" when none */
};

/* Reads {"results":[{"control_id","subject_type","subject_id","status",
 * "note"}]} from a parsed JSON document: 1..HUB_ASSESS_RESULTS_MAX
 * results, a control of the built-in catalogue whose type is the
 * subject's, a status among pass/partial/fail/na, a note of at most
 * HUB_ASSESS_NOTE_MAX bytes without control characters but line breaks.
 * Unknown keys are ignored.  KK_ERR_INVAL with *bad the index of the
 * first bad result (or the count when the list itself is wrong) and *why
 * an English message; KK_ERR_NOMEM.  *out is freed by the caller. */
KK_WUR int hub_assess_results_parse(const struct hub_json *doc,
                                    struct hub_assess_result **out, size_t *n,
                                    size_t *bad, const char **why);

/* Checks one result's status and note (the parser's and the form's
 * rule); NULL when good, else the English reason. */
const char *hub_assess_result_check(const char *status, const char *note);

/* --- shared helpers (assess.c) --- */

/* The outlet's name when the caller sees it, else KK_ERR_NOTFOUND. */
KK_WUR int hub_assess_outlet(struct hub_req *r, int64_t outlet, char *name,
                             size_t cap);
/* Page start: title, the outlet's name, its tabs with current selected. */
void hub_assess_head(struct hub_req *r, const char *title, const char *outlet,
                     int64_t id, const char *current);
/* "Saved." and the like, from ?done= of a redirect. */
void hub_assess_notice(struct hub_req *r);
/* True when the caller may write (trainer, assistant). */
bool hub_assess_writer(const struct hub_req *r);
/* Today (UTC, at hub_now()) as YYYY-MM-DD. */
void hub_assess_today(char out[11]);
/* ISO 8601 UTC time under key, or null for 0. */
void hub_assess_jw_time(struct hub_jw *w, const char *key, int64_t t);
/* A 400 answer for the API naming the field. */
void hub_assess_invalid(struct hub_req *r, const char *field, const char *why);
/* Whether a JSON body has key (to keep unsent values on update). */
bool hub_assess_has(const struct hub_req *r, const char *key);

/* Form controls: a labelled input with its value kept, and the message
 * when it was the bad one (why != NULL).  type: "text", "date",
 * "number", "textarea". */
void hub_assess_input(struct hub_req *r, const char *type, const char *name,
                      const char *label, const char *value, int64_t max,
                      bool required, const char *why);
/* A labelled select of (value, English label) pairs; translated labels
 * when translate, else escaped as data. */
void hub_assess_select(struct hub_req *r, const char *name, const char *label,
                       const char *const *values, const char *const *labels,
                       size_t n, const char *value, bool translate,
                       const char *why);
/* Ids of the controls written next start with prefix ("" to end it). */
void hub_assess_id_prefix(const char *prefix);
/* A select of the numbers 1..5 with their meaning. */
void hub_assess_scale(struct hub_req *r, const char *name, const char *label,
                      const char *value, const char *why);
/* A POST form's start (with the CSRF field) and end with a button. */
void hub_assess_form_open(struct hub_req *r, const char *action,
                          const char *cls);
void hub_assess_form_close(struct hub_req *r, const char *button,
                           const char *cls);

/* Names: assessment kinds and statuses, finding and task statuses (wire
 * name to 1-based index, 0 unknown; label by index). */
int hub_assess_kind_from(const char *s);
const char *hub_assess_kind_label(const char *kind);
int hub_assess_fstatus_from(const char *s);
const char *hub_assess_fstatus_label(const char *s);
int hub_assess_tstatus_from(const char *s);
int hub_assess_result_from(const char *s); /* pass, partial, fail, na */
/* The class of a likelihood x impact score: 1 low .. 4 critical. */
int hub_assess_risk_class(int64_t likelihood, int64_t impact);
const char *hub_assess_risk_label(int cls);

/* The finding page (assess_findings.c) with the add-a-task form showing
 * task values tv and the bad field tbad (NULL: a fresh form). */
KK_WUR int hub_assess_finding_page(struct hub_req *r, int64_t outlet,
                                   int64_t id, const char **tv,
                                   const char *tbad);
/* The task form's fields (assess_tasks.c): title, owner, due, and status
 * when edit; values v (NULL: empty), bad field bad; ids start with
 * prefix. */
KK_WUR int hub_assess_task_fields(struct hub_req *r, int64_t outlet,
                                  const char **v, const char *bad, bool edit,
                                  const char *prefix);

/* Room for an opened or sealed text of at most KK_HUB_TEXT_MAX bytes. */
#define ASMT_TEXT_BUF (2 * KK_HUB_TEXT_MAX + 256)

/* Sealed contexts. */
#define ASMT_SEAL_SUMMARY "assessments.summary"
#define ASMT_SEAL_FINDING "findings.title"
#define ASMT_SEAL_WORK "risks.work"
#define ASMT_SEAL_NOTES "risks.notes"

/* --- one type of an outlet's objects (assessments, risks, findings,
 * tasks): what the shared list handler and the answer after a change need
 * --- */

struct hub_assess_type {
    const char *key; /* of the API's list: {"<key>":[...]} */
    size_t size;     /* of one object */
    /* The list page, its form showing values v (NULL: empty) and the bad
     * field bad (NULL: none). */
    int (*page)(struct hub_req *r, int64_t outlet, const char *name,
                const char **v, const char *bad);
    /* Loads the outlet's objects into the array at *(T **)out (freed by
     * the caller), their count into *n. */
    int (*load)(struct hub_req *r, int64_t outlet, void *out, size_t *n);
    /* Reads one object into obj (KK_ERR_NOTFOUND when not the caller's);
     * NULL when the type has no answer after a change. */
    int (*get)(struct hub_req *r, int64_t outlet, int64_t id, void *obj);
    /* Writes an object's members. */
    void (*json)(struct hub_jw *w, int64_t outlet, const void *obj);
    /* Releases what an object owns; NULL when it owns nothing. */
    void (*clear)(void *obj);
};

/* The list of an outlet's (r->param[0]) objects of type t: its page, or
 * for the API {"<key>":[...]}; KK_ERR_NOTFOUND for an outlet the caller
 * does not see. */
KK_WUR int hub_assess_list(struct hub_req *r, const struct hub_assess_type *t);

/* Writes {"<key>":[...]} of the n objects of type t at items, releasing
 * what each owns once written. */
void hub_assess_jw_list(struct hub_req *r, const struct hub_assess_type *t,
                        int64_t outlet, void *items, size_t n);

/* The answer after a change of object id of type t: a redirect to path
 * for a page, else the object read again, answered with status. */
KK_WUR int hub_assess_answer(struct hub_req *r, const struct hub_assess_type *t,
                             int64_t outlet, int64_t id, int status,
                             const char *path);

/* --- the handlers (pages and API: r->api decides the answer) --- */

int hub_assess_h_list(struct hub_req *r);
int hub_assess_h_create(struct hub_req *r);
int hub_assess_h_show(struct hub_req *r);
int hub_assess_h_results(struct hub_req *r);
int hub_assess_h_close(struct hub_req *r);
int hub_assess_h_findings(struct hub_req *r);
int hub_assess_h_risks(struct hub_req *r);
int hub_assess_h_risk_create(struct hub_req *r);
int hub_assess_h_risk(struct hub_req *r);
int hub_assess_h_risk_update(struct hub_req *r);
int hub_assess_h_risk_archive(struct hub_req *r);
int hub_assess_h_finding_list(struct hub_req *r);
int hub_assess_h_finding_create(struct hub_req *r);
int hub_assess_h_finding(struct hub_req *r);
int hub_assess_h_finding_update(struct hub_req *r);
int hub_assess_h_finding_task(struct hub_req *r);
int hub_assess_h_tasks(struct hub_req *r);
int hub_assess_h_task_create(struct hub_req *r);
int hub_assess_h_task(struct hub_req *r);
int hub_assess_h_task_update(struct hub_req *r);

#endif
