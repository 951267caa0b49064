/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * incident.c - incidents: the vocabulary, the incident clock, reading and
 * writing cases, their affected objects and their timeline, the JSON API,
 * and the route table of incidents and triage.
 *
 * One handler serves a route's page and its JSON twin (r->api), as the
 * register does, so both apply the same rules.  Scope is never decided
 * here: every statement carries it (sql_incident.h) and runs through
 * hub_scoped(), so another outlet's incident, or a subject of another
 * outlet named in a body, finds no row and answers exactly like an id that
 * does not exist.  Titles and timeline texts are sealed at rest (seal.h);
 * what reports count (type, status, the clock) stays in clear columns.
 *
 * The clock follows the status: a status button stamps the time of its
 * step once, and moving back forgets the later steps, so a time is set
 * exactly when its step was reached; every time can still be typed for an
 * incident recorded after the fact.  The first response is the first
 * timeline entry of a trainer or an assistant, stamped by the statement
 * that checks the caller's stored role.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "incident.h"
#include "model.h"
#include "programme.h"
#include "reg.h"
#include "seal.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define URL_MAX 160
#define TIME_MIN INT64_C(946684800) /* 2000-01-01: older is a typo */
#define SKEW 300                    /* seconds a time may be ahead */

/* --- vocabulary --- */

static const char *const type_names[] = {
    NULL,
    "account_hijacked",
    "page_blocked",
    "website_down",
    "website_hacked",
    "device_seized",
    "device_lost",
    "malware",
    "phishing",
    "physical_attack",
    "harassment",
    "legal_threat",
};
static const char *const type_labels[] = {
    NULL,
    "Account hijacked",
    "Page or channel restricted or blocked",
    "Website down or flooded",
    "Website hacked or defaced",
    "Device seized",
    "Device lost or stolen",
    "Malware",
    "Phishing",
    "Physical attack",
    "Harassment or doxxing",
    "Legal threat",
};
static const char *const status_names[] = {
    NULL, "open", "contained", "recovered", "closed",
};
static const char *const status_labels[] = {
    NULL, "Open", "Contained", "Recovered", "Closed",
};
static const char *const event_names[] = {
    NULL, "note", "status", "escalation", "triage",
};
static const char *const event_labels[] = {
    NULL, "Note", "Status", "Escalation", "Triage",
};
static const char *const severity_labels[] = {
    NULL, "Low", "Medium", "High", "Critical",
};

const char *const hub_inc_subject_type[HUB_SUBJ_KINDS] = {"person", "account",
                                                          "device", "website"};
const char *const hub_inc_subject_key[HUB_SUBJ_KINDS] = {"people", "accounts",
                                                         "devices", "websites"};
const char *const hub_inc_field_name[HUB_IF_COUNT] = {
    "type",         "title",       "severity",          "status",
    "occurred_at",  "reported_at", "first_response_at", "contained_at",
    "recovered_at", "closed_at",
};

static const char *name_at(const char *const *tab, size_t n, int v)
{
    return v > 0 && (size_t)v < n ? tab[v] : NULL;
}

static int name_index(const char *const *tab, size_t n, const char *s)
{
    for (size_t i = 1; s != NULL && i < n; i++) {
        if (strcmp(tab[i], s) == 0)
            return (int)i;
    }
    return 0;
}

const char *hub_incident_type_name(int v)
{
    return name_at(type_names, NELEM(type_names), v);
}
int hub_incident_type_from_name(const char *s)
{
    return name_index(type_names, NELEM(type_names), s);
}
const char *hub_incident_type_label(int v)
{
    return name_at(type_labels, NELEM(type_labels), v);
}
const char *hub_incident_status_name(int v)
{
    return name_at(status_names, NELEM(status_names), v);
}
int hub_incident_status_from_name(const char *s)
{
    return name_index(status_names, NELEM(status_names), s);
}
const char *hub_incident_status_label(int v)
{
    return name_at(status_labels, NELEM(status_labels), v);
}
const char *hub_incident_event_name(int v)
{
    return name_at(event_names, NELEM(event_names), v);
}
int hub_incident_event_from_name(const char *s)
{
    return name_index(event_names, NELEM(event_names), s);
}
const char *hub_incident_event_label(int v)
{
    return name_at(event_labels, NELEM(event_labels), v);
}
const char *hub_incident_severity_label(int v)
{
    return name_at(severity_labels, NELEM(severity_labels), v);
}

/* Kinds a person may add to a timeline: status and triage entries are
 * written by the status change and the triage walk. */
static int note_kind_from_name(const char *s)
{
    int k = hub_incident_event_from_name(s);
    return k == HUB_EV_NOTE || k == HUB_EV_ESCALATION ? k : 0;
}

bool hub_inc_trainers(const struct hub_req *r)
{
    return r->who.role == HUB_ROLE_TRAINER || r->who.role == HUB_ROLE_ASSISTANT;
}

bool hub_inc_manager(const struct hub_req *r)
{
    return hub_inc_trainers(r) || r->who.role == HUB_ROLE_FOCAL;
}

/* --- the clock --- */

void hub_incident_stamp(struct hub_incident_clock *c, int to, int64_t now)
{
    switch (to) {
    case HUB_INC_OPEN:
        c->contained = c->recovered = c->closed = 0;
        break;
    case HUB_INC_CONTAINED:
        c->contained = c->contained != 0 ? c->contained : now;
        c->recovered = c->closed = 0;
        break;
    case HUB_INC_RECOVERED:
        c->contained = c->contained != 0 ? c->contained : now;
        c->recovered = c->recovered != 0 ? c->recovered : now;
        c->closed = 0;
        break;
    case HUB_INC_CLOSED:
        c->closed = c->closed != 0 ? c->closed : now;
        break;
    default:
        break;
    }
}

int hub_incident_clock_check(const struct hub_incident_clock *c, int status,
                             int64_t now, const char **bad, const char **why)
{
    const int64_t t[] = {c->occurred,  c->reported,  c->first_response,
                         c->contained, c->recovered, c->closed};
    const char *const names[] = {
        "occurred_at",  "reported_at",  "first_response_at",
        "contained_at", "recovered_at", "closed_at",
    };
    /* The last step each status allows a time for. */
    size_t last = status == HUB_INC_OPEN        ? 2
                  : status == HUB_INC_CONTAINED ? 3
                  : status == HUB_INC_RECOVERED ? 4
                                                : 5;
    *bad = NULL;
    for (size_t i = 0; i < NELEM(t) && *bad == NULL; i++) {
        if (t[i] == 0 && i < 2) {
            *bad = names[i];
            *why = "Required.";
        } else if (t[i] != 0 && (t[i] < TIME_MIN || t[i] > now + SKEW)) {
            *bad = names[i];
            *why = "Not a time between the year 2000 and now.";
        } else if (t[i] != 0 && t[i] < c->occurred) {
            *bad = names[i];
            *why = "Earlier than the time it happened.";
        } else if (t[i] != 0 && i > last) {
            *bad = names[i];
            *why = "The status has not reached this step.";
        }
    }
    if (*bad == NULL && c->first_response != 0 &&
        c->first_response < c->reported) {
        *bad = names[2];
        *why = "Earlier than the report.";
    }
    if (*bad == NULL && c->recovered != 0 && c->contained != 0 &&
        c->recovered < c->contained) {
        *bad = names[4];
        *why = "Earlier than the containment.";
    }
    return *bad == NULL ? KK_OK : KK_ERR_INVAL;
}

/* --- times and durations --- */

static void civil(int64_t t, struct tm *tm)
{
    time_t tt = (time_t)t;
    memset(tm, 0, sizeof *tm);
    gmtime_r(&tt, tm);
}

void hub_incident_time_text(int64_t t, char *out, size_t cap)
{
    struct tm tm;
    if (t == 0) {
        snprintf(out, cap, "%s", "");
        return;
    }
    civil(t, &tm);
    snprintf(out, cap, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

void hub_incident_time_input(int64_t t, char *out, size_t cap)
{
    struct tm tm;
    if (t == 0) {
        snprintf(out, cap, "%s", "");
        return;
    }
    civil(t, &tm);
    snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

/* The unit words are msgids of their own ("d", "h", "min"), short enough
 * to need no plural forms in Russian or Kyrgyz. */
void hub_incident_duration(struct hub_req *r, int64_t secs)
{
    int64_t m = secs / 60, h = m / 60, d = h / 24;
    if (secs < 60) {
        hub_raw(r, "&lt; 1 ");
        hub_t(r, "min");
    } else if (h == 0) {
        hub_rawf(r, "%lld ", (long long)m);
        hub_t(r, "min");
    } else if (d == 0) {
        hub_rawf(r, "%lld ", (long long)h);
        hub_t(r, "h");
        if (m % 60 != 0) {
            hub_rawf(r, " %lld ", (long long)(m % 60));
            hub_t(r, "min");
        }
    } else {
        hub_rawf(r, "%lld ", (long long)d);
        hub_t(r, "d");
        if (h % 24 != 0) {
            hub_rawf(r, " %lld ", (long long)(h % 24));
            hub_t(r, "h");
        }
    }
}

static void jw_time(struct hub_jw *w, const char *key, int64_t t)
{
    char ts[32];
    if (t == 0 || kk_format_time(t, ts, sizeof ts) != KK_OK)
        hub_jw_null(w, key);
    else
        hub_jw_str(w, key, ts);
}

/* --- reading --- */

int hub_inc_outlet_load(struct hub_req *r, int64_t id, struct hub_inc_outlet *o)
{
    struct reg_row row;
    int err = reg_row_init(&row);
    memset(o, 0, sizeof *o);
    if (err == KK_OK)
        err = reg_row_get(r, &reg_outlets, 0, id, &row);
    if (err == KK_OK) {
        o->id = id;
        snprintf(o->name, sizeof o->name, "%s",
                 reg_val(&row, reg_col_index(&reg_outlets, "name")));
        o->archived = row.archived_at != 0;
    }
    reg_row_free(&row);
    return err;
}

int hub_inc_init(struct hub_inc *i)
{
    memset(i, 0, sizeof *i);
    i->title = kk_buf_new(KK_HUB_NAME_MAX * 4 + 64);
    return i->title != NULL ? KK_OK : KK_ERR_NOMEM;
}

void hub_inc_release(struct hub_inc *i)
{
    kk_buf_free(i->title);
    i->title = NULL;
}

sqlite3_stmt *hub_inc_list(struct hub_req *r, int64_t outlet, int limit)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_INC_LIST);
    if (st == NULL)
        return NULL;
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_i64(st, ":limit", limit);
    return st;
}

int hub_inc_fill(struct hub_req *r, sqlite3_stmt *st, struct hub_inc *i)
{
    int err;
    i->id = sqlite3_column_int64(st, 0);
    i->outlet = sqlite3_column_int64(st, 1);
    snprintf(i->outlet_name, sizeof i->outlet_name, "%s", hub_col_text(st, 2));
    i->type = hub_incident_type_from_name(hub_col_text(st, 3));
    i->severity = sqlite3_column_int(st, 5);
    i->status = hub_incident_status_from_name(hub_col_text(st, 6));
    i->clock.occurred = sqlite3_column_int64(st, 7);
    i->clock.reported = sqlite3_column_int64(st, 8);
    i->clock.first_response = sqlite3_column_int64(st, 9);
    i->clock.contained = sqlite3_column_int64(st, 10);
    i->clock.recovered = sqlite3_column_int64(st, 11);
    i->clock.closed = sqlite3_column_int64(st, 12);
    snprintf(i->reporter, sizeof i->reporter, "%s", hub_col_text(st, 13));
    snprintf(i->flow, sizeof i->flow, "%s", hub_col_text(st, 14));
    snprintf(i->path, sizeof i->path, "%s", hub_col_text(st, 15));
    i->reported_by = sqlite3_column_int64(st, 16);
    err = hub_col_opened(r, st, 4, "incidents.title", i->id, i->title);
    /* A title that does not open (another key, a changed row) is shown as
     * missing rather than hiding the incident. */
    i->title_bad = err == KK_ERR_CORRUPT;
    return err == KK_ERR_CORRUPT ? KK_OK : err;
}

int hub_inc_get(struct hub_req *r, int64_t outlet, int64_t id,
                struct hub_inc *i)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_INC_GET);
    int err = KK_ERR_NOTFOUND, rc;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_i64(st, ":id", id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        err = hub_inc_fill(r, st, i);
    else if (rc != SQLITE_DONE)
        err = hub_sql_err(rc);
    sqlite3_reset(st);
    return err;
}

static int subject_kind(const char *type)
{
    for (int k = 0; k < HUB_SUBJ_KINDS; k++) {
        if (strcmp(hub_inc_subject_type[k], type) == 0)
            return k;
    }
    return -1;
}

int hub_inc_subjects_load(struct hub_req *r, int64_t outlet, int64_t id,
                          struct hub_inc_subjects *s)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_INC_SUBJECTS);
    int err = KK_OK, rc;
    memset(s, 0, sizeof *s);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_i64(st, ":id", id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int k = subject_kind(hub_col_text(st, 0));
        if (k >= 0 && s->n[k] < HUB_INC_SUBJECTS_MAX)
            s->id[k][s->n[k]++] = sqlite3_column_int64(st, 1);
    }
    if (rc != SQLITE_DONE)
        err = hub_sql_err(rc);
    sqlite3_reset(st);
    return err;
}

/* --- input --- */

static bool listed(const int64_t *v, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] == id)
            return true;
    }
    return false;
}

static int subject_push(struct hub_inc_subjects *s, int k, const char *text,
                        int64_t num, bool is_text)
{
    int64_t id = num;
    if (is_text && kk_parse_i64(text, 1, INT64_MAX, &id) != KK_OK)
        return KK_ERR_INVAL;
    if (id <= 0)
        return KK_ERR_INVAL;
    if (listed(s->id[k], s->n[k], id))
        return KK_OK;
    if (s->n[k] >= HUB_INC_SUBJECTS_MAX)
        return KK_ERR_LIMIT;
    s->id[k][s->n[k]++] = id;
    return KK_OK;
}

/* Affected objects: JSON arrays of ids ("people": [1, 2]), or repeated
 * form fields.  In JSON a key that is absent leaves that list as it is;
 * a form that holds any of the four keys, or the marker field
 * "subjects", replaces all four (an empty multi-select sends nothing). */
static int subjects_read(struct hub_req *r, bool create,
                         struct hub_inc_subjects *s, const char **bad)
{
    bool form_sent = create || hub_form_get(r->form, "subjects") != NULL;
    int err = KK_OK;
    memset(s, 0, sizeof *s);
    for (int k = 0; k < HUB_SUBJ_KINDS && r->json == NULL; k++)
        form_sent =
            form_sent || hub_form_count_of(r->form, hub_inc_subject_key[k]) > 0;
    for (int k = 0; k < HUB_SUBJ_KINDS && err == KK_OK; k++) {
        const char *key = hub_inc_subject_key[k];
        if (r->json == NULL) {
            s->sent[k] = form_sent;
            for (size_t i = 0;
                 i < hub_form_count_of(r->form, key) && err == KK_OK; i++)
                err = subject_push(s, k, hub_form_get_nth(r->form, key, i), 0,
                                   true);
        } else {
            const struct hub_jv *a = hub_jv_get(hub_json_root(r->json), key);
            s->sent[k] = create || a != NULL;
            if (a == NULL || hub_jv_type(a) == HUB_JSON_NULL)
                continue;
            if (hub_jv_type(a) != HUB_JSON_ARRAY)
                err = KK_ERR_INVAL;
            for (size_t i = 0; i < hub_jv_len(a) && err == KK_OK; i++) {
                const struct hub_jv *v = hub_jv_at(a, i);
                int64_t num = 0;
                if (hub_jv_type(v) == HUB_JSON_STRING)
                    err = subject_push(s, k, hub_jv_str(v), 0, true);
                else if ((err = hub_jv_i64(v, &num)) == KK_OK)
                    err = subject_push(s, k, NULL, num, false);
            }
        }
        if (err != KK_OK)
            *bad = key;
    }
    return err != KK_OK ? KK_ERR_INVAL : KK_OK;
}

static int parse_when(const char *v, int64_t *t)
{
    return kk_parse_time(v, t) == KK_OK && *t >= 0 ? KK_OK : KK_ERR_INVAL;
}

/* Reads and validates a report (create) or an edit.  Required fields are
 * checked for a report; an edit changes only what is sent (a form's empty
 * time keeps the time; a JSON null forgets it). */
static int input_read(struct hub_req *r, bool create, struct hub_inc_input *in)
{
    static const struct hub_field f[HUB_IF_COUNT] = {
        {"type", HUB_F_ENUM, false, 0, 0, hub_incident_type_from_name},
        {"title", HUB_F_TEXT, false, 0, KK_HUB_NAME_MAX, NULL},
        {"severity", HUB_F_INT, false, 1, HUB_INC_SEVERITY_MAX, NULL},
        {"status", HUB_F_ENUM, false, 0, 0, hub_incident_status_from_name},
        {"occurred_at", HUB_F_TEXT, false, 0, 40, NULL},
        {"reported_at", HUB_F_TEXT, false, 0, 40, NULL},
        {"first_response_at", HUB_F_TEXT, false, 0, 40, NULL},
        {"contained_at", HUB_F_TEXT, false, 0, 40, NULL},
        {"recovered_at", HUB_F_TEXT, false, 0, 40, NULL},
        {"closed_at", HUB_F_TEXT, false, 0, 40, NULL},
    };
    size_t n = create ? HUB_IF_REPORTED + 1 : HUB_IF_COUNT;
    const char *bad = NULL;
    int err;
    memset(in, 0, sizeof *in);
    for (size_t i = 0; i < HUB_IF_COUNT; i++)
        in->val[i] = "";
    err = hub_fields_read(r, f, n, in->val, &bad);
    if (err != KK_OK) {
        in->bad = bad;
        in->why = "Not valid.";
        /* A form shown again keeps what was typed. */
        for (size_t i = 0; i < n && r->json == NULL; i++)
            in->val[i] = hub_form_get(r->form, f[i].name) != NULL
                             ? hub_form_get(r->form, f[i].name)
                             : "";
        for (size_t i = n; i < HUB_IF_COUNT; i++)
            in->val[i] = "";
    }
    for (size_t i = 0; i < n && in->bad == NULL; i++) {
        const struct hub_jv *jv =
            r->json != NULL ? hub_jv_get(hub_json_root(r->json), f[i].name)
                            : NULL;
        bool is_null = jv != NULL && hub_jv_type(jv) == HUB_JSON_NULL;
        bool is_time = i >= HUB_IF_OCCURRED;
        int64_t t;
        if (in->val[i][0] != '\0') {
            if (is_time && parse_when(in->val[i], &t) != KK_OK) {
                in->bad = f[i].name;
                in->why = "Not a date and time (YYYY-MM-DD HH:MM, UTC).";
            }
            continue;
        }
        if (create &&
            (i == HUB_IF_TYPE || i == HUB_IF_TITLE || i == HUB_IF_OCCURRED)) {
            in->bad = f[i].name;
            in->why = "Required.";
        } else if (!create && !is_time &&
                   ((r->json == NULL &&
                     hub_form_get(r->form, f[i].name) != NULL) ||
                    is_null)) {
            in->bad = f[i].name;
            in->why = "Required.";
        } else if (!create && is_time && is_null) {
            in->clear[i] = true;
        }
    }
    if (in->bad == NULL &&
        subjects_read(r, create, &in->subj, &in->bad) != KK_OK)
        in->why = "Not valid.";
    return in->bad != NULL ? KK_ERR_INVAL : KK_OK;
}

/* --- writing --- */

static int tx_end(struct hub_req *r, int err)
{
    if (err == KK_OK)
        return hub_tx_commit(r->db);
    hub_tx_rollback(r->db);
    return err;
}

static void audit(struct hub_req *r, int64_t outlet, const char *action,
                  int64_t id)
{
    char detail[24];
    snprintf(detail, sizeof detail, "%lld", (long long)id);
    hub_audit(r, outlet, action, "incident", detail);
}

static int subject_change(struct hub_req *r, enum hub_q q, int64_t outlet,
                          int64_t id, int k, int64_t sid)
{
    sqlite3_stmt *st = hub_scoped(r, q);
    int err;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_i64(st, ":id", id);
    hub_bind_text(st, ":stype", hub_inc_subject_type[k]);
    hub_bind_i64(st, ":sid", sid);
    err = hub_exec(st);
    /* A subject that is no live object of the incident's outlet the caller
     * sees adds nothing. */
    if (err == KK_OK && q == HUB_Q_INC_SUBJECT_ADD &&
        sqlite3_changes(r->db->db) == 0)
        err = KK_ERR_INVAL;
    return err;
}

/* Changes the subjects from was to the kinds of want that were sent;
 * kept subjects are not checked again (they may have been archived). */
static int subjects_store(struct hub_req *r, int64_t outlet, int64_t id,
                          const struct hub_inc_subjects *was,
                          struct hub_inc_input *in)
{
    const struct hub_inc_subjects *want = &in->subj;
    int err = KK_OK;
    for (int k = 0; k < HUB_SUBJ_KINDS && err == KK_OK; k++) {
        if (!want->sent[k])
            continue;
        for (size_t i = 0; i < was->n[k] && err == KK_OK; i++) {
            if (!listed(want->id[k], want->n[k], was->id[k][i]))
                err = subject_change(r, HUB_Q_INC_SUBJECT_DEL, outlet, id, k,
                                     was->id[k][i]);
        }
        for (size_t i = 0; i < want->n[k] && err == KK_OK; i++) {
            if (!listed(was->id[k], was->n[k], want->id[k][i]))
                err = subject_change(r, HUB_Q_INC_SUBJECT_ADD, outlet, id, k,
                                     want->id[k][i]);
        }
        if (err == KK_ERR_INVAL) {
            in->bad = hub_inc_subject_key[k];
            in->why = k == HUB_SUBJ_PERSON    ? "Not a person of this outlet."
                      : k == HUB_SUBJ_ACCOUNT ? "Not an account of this outlet."
                      : k == HUB_SUBJ_DEVICE  ? "Not a device of this outlet."
                                              : "Not a website of this outlet.";
        }
    }
    return err;
}

static int seq_next(struct hub_req *r, int64_t *seq)
{
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_INC_EVENT_NEXT);
    int err = KK_ERR_IO;
    if (st == NULL)
        return KK_ERR_IO;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        err = KK_OK;
    }
    sqlite3_reset(st);
    return err;
}

int hub_inc_event_add(struct hub_req *r, int64_t outlet, int64_t id, int kind,
                      const char *text, bool trainer_only)
{
    sqlite3_stmt *st;
    int64_t seq = 0, now = hub_now();
    int err = seq_next(r, &seq);
    if (err != KK_OK)
        return err;
    st = hub_scoped(r, HUB_Q_INC_EVENT_ADD);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_i64(st, ":id", id);
    hub_bind_i64(st, ":seq", seq);
    hub_bind_i64(st, ":now", now);
    hub_bind_text(st, ":kind", hub_incident_event_name(kind));
    hub_bind_i64(st, ":trainer_only", trainer_only ? 1 : 0);
    err = hub_bind_sealed(r, st, ":text", "incident_events.text", seq, text);
    if (err == KK_OK)
        err = hub_exec(st);
    if (err == KK_OK && sqlite3_changes(r->db->db) == 0)
        err = KK_ERR_NOTFOUND;
    if (err == KK_OK && hub_inc_trainers(r)) {
        st = hub_scoped(r, HUB_Q_INC_FIRST_RESPONSE);
        if (st == NULL)
            return KK_ERR_IO;
        hub_bind_i64(st, ":outlet", outlet);
        hub_bind_i64(st, ":id", id);
        hub_bind_i64(st, ":now", now);
        err = hub_exec(st);
    }
    return err;
}

static void bind_time(sqlite3_stmt *st, const char *name, int64_t t)
{
    if (t == 0)
        hub_bind_null(st, name);
    else
        hub_bind_i64(st, name, t);
}

static int create_write(struct hub_req *r, int64_t outlet,
                        struct hub_inc_input *in, int64_t *id)
{
    struct hub_inc_subjects none;
    struct hub_incident_clock c = {0};
    sqlite3_stmt *st;
    int64_t sev = 2, now = hub_now();
    int err = hub_new_id(id);
    if (err != KK_OK)
        return err;
    memset(&none, 0, sizeof none);
    (void)parse_when(in->val[HUB_IF_OCCURRED], &c.occurred);
    c.reported = now;
    if (in->val[HUB_IF_REPORTED][0] != '\0')
        (void)parse_when(in->val[HUB_IF_REPORTED], &c.reported);
    if (hub_incident_clock_check(&c, HUB_INC_OPEN, now, &in->bad, &in->why) !=
        KK_OK)
        return KK_ERR_INVAL;
    if (in->val[HUB_IF_SEVERITY][0] != '\0' &&
        kk_parse_i64(in->val[HUB_IF_SEVERITY], 1, HUB_INC_SEVERITY_MAX, &sev) !=
            KK_OK)
        sev = 2;
    st = hub_scoped(r, HUB_Q_INC_INSERT);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":id", *id);
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_text(st, ":type", in->val[HUB_IF_TYPE]);
    hub_bind_i64(st, ":severity", sev);
    hub_bind_i64(st, ":occurred", c.occurred);
    hub_bind_i64(st, ":reported", c.reported);
    hub_bind_i64(st, ":now", now);
    err = hub_bind_sealed(r, st, ":title", "incidents.title", *id,
                          in->val[HUB_IF_TITLE]);
    if (err == KK_OK)
        err = hub_exec(st);
    if (err == KK_OK && sqlite3_changes(r->db->db) == 0)
        err = KK_ERR_NOTFOUND;
    if (err == KK_OK)
        err = subjects_store(r, outlet, *id, &none, in);
    if (err == KK_OK)
        audit(r, outlet, "create", *id);
    return err;
}

/* The time field f as sent, else t (the time after the status change).
 * A value that reads like the time recorded before the change, to the
 * minute, is what the edit form showed and the user left alone: it keeps
 * t, so an edit neither drops the seconds of a stamped time nor brings
 * back a time the new status forgets. */
static int64_t time_or(const struct hub_inc_input *in, int f, int64_t t,
                       int64_t was)
{
    char shown[32];
    int64_t v;
    if (in->clear[f])
        return 0;
    if (in->val[f][0] == '\0')
        return t;
    hub_incident_time_input(was, shown, sizeof shown);
    if (was != 0 && strcmp(in->val[f], shown) == 0)
        return t;
    return parse_when(in->val[f], &v) == KK_OK ? v : t;
}

static int update_write(struct hub_req *r, const struct hub_inc *cur,
                        struct hub_inc_input *in)
{
    struct hub_incident_clock c = cur->clock;
    const struct hub_incident_clock *w = &cur->clock;
    struct hub_inc_subjects was;
    /* NULL keeps the stored value (a title that does not open stays as
     * it is rather than being sealed again as ""). */
    const char *type = NULL, *title = NULL;
    int status = cur->status;
    int64_t sev = cur->severity, now = hub_now();
    sqlite3_stmt *st;
    int err = KK_OK;
    if (in->val[HUB_IF_TYPE][0] != '\0')
        type = in->val[HUB_IF_TYPE];
    if (in->val[HUB_IF_TITLE][0] != '\0')
        title = in->val[HUB_IF_TITLE];
    if (in->val[HUB_IF_SEVERITY][0] != '\0')
        if (kk_parse_i64(in->val[HUB_IF_SEVERITY], 1, HUB_INC_SEVERITY_MAX,
                         &sev) != KK_OK)
            sev = cur->severity;
    if (in->val[HUB_IF_STATUS][0] != '\0') {
        status = hub_incident_status_from_name(in->val[HUB_IF_STATUS]);
        hub_incident_stamp(&c, status, now);
    }
    c.occurred = time_or(in, HUB_IF_OCCURRED, c.occurred, w->occurred);
    c.reported = time_or(in, HUB_IF_REPORTED, c.reported, w->reported);
    c.first_response =
        time_or(in, HUB_IF_FIRST_RESPONSE, c.first_response, w->first_response);
    c.contained = time_or(in, HUB_IF_CONTAINED, c.contained, w->contained);
    c.recovered = time_or(in, HUB_IF_RECOVERED, c.recovered, w->recovered);
    c.closed = time_or(in, HUB_IF_CLOSED, c.closed, w->closed);
    if (hub_incident_clock_check(&c, status, now, &in->bad, &in->why) != KK_OK)
        return KK_ERR_INVAL;
    st = hub_scoped(r, HUB_Q_INC_UPDATE);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":id", cur->id);
    hub_bind_i64(st, ":outlet", cur->outlet);
    if (type != NULL)
        hub_bind_text(st, ":type", type);
    else
        hub_bind_null(st, ":type");
    hub_bind_i64(st, ":severity", sev);
    hub_bind_text(st, ":status", hub_incident_status_name(status));
    hub_bind_i64(st, ":occurred", c.occurred);
    hub_bind_i64(st, ":reported", c.reported);
    bind_time(st, ":first_response", c.first_response);
    bind_time(st, ":contained", c.contained);
    bind_time(st, ":recovered", c.recovered);
    bind_time(st, ":closed", c.closed);
    err = hub_bind_sealed(r, st, ":title", "incidents.title", cur->id, title);
    if (err == KK_OK)
        err = hub_exec(st);
    if (err == KK_OK && sqlite3_changes(r->db->db) == 0)
        err = KK_ERR_NOTFOUND;
    if (err == KK_OK)
        err = hub_inc_subjects_load(r, cur->outlet, cur->id, &was);
    if (err == KK_OK)
        err = subjects_store(r, cur->outlet, cur->id, &was, in);
    if (err == KK_OK && status != cur->status)
        err = hub_inc_event_add(r, cur->outlet, cur->id, HUB_EV_STATUS,
                                hub_incident_status_name(status), false);
    if (err == KK_OK)
        audit(r, cur->outlet, "update", cur->id);
    return err;
}

/* --- JSON --- */

static void jw_ids(struct hub_jw *w, const char *key, const int64_t *v,
                   size_t n)
{
    hub_jw_key(w, key);
    hub_jw_arr(w);
    for (size_t i = 0; i < n; i++)
        hub_jw_int(w, NULL, v[i]);
    hub_jw_close(w, ']');
}

static void jw_since(struct hub_jw *w, const char *key, int64_t from, int64_t t)
{
    if (t == 0)
        hub_jw_null(w, key);
    else
        hub_jw_int(w, key, t - from);
}

static int jw_incident(struct hub_req *r, struct hub_jw *w,
                       const struct hub_inc *i)
{
    const struct hub_incident_clock *c = &i->clock;
    struct hub_inc_subjects s;
    int err = hub_inc_subjects_load(r, i->outlet, i->id, &s);
    hub_jw_int(w, "id", i->id);
    hub_jw_int(w, "outlet_id", i->outlet);
    hub_jw_str(w, "type", hub_incident_type_name(i->type));
    hub_jw_str(w, "title", kk_buf_str(i->title));
    hub_jw_int(w, "severity", i->severity);
    hub_jw_str(w, "status", hub_incident_status_name(i->status));
    jw_time(w, "occurred_at", c->occurred);
    jw_time(w, "reported_at", c->reported);
    jw_time(w, "first_response_at", c->first_response);
    jw_time(w, "contained_at", c->contained);
    jw_time(w, "recovered_at", c->recovered);
    jw_time(w, "closed_at", c->closed);
    if (i->reporter[0] != '\0')
        hub_jw_str(w, "reported_by", i->reporter);
    else
        hub_jw_null(w, "reported_by");
    if (i->flow[0] != '\0')
        hub_jw_str(w, "triage_flow", i->flow);
    else
        hub_jw_null(w, "triage_flow");
    hub_jw_str(w, "triage_path", i->path);
    /* Seconds from the report to each step, for the clock's medians. */
    hub_jw_key(w, "clock");
    hub_jw_obj(w);
    jw_since(w, "first_response", c->reported, c->first_response);
    jw_since(w, "contained", c->reported, c->contained);
    jw_since(w, "recovered", c->reported, c->recovered);
    jw_since(w, "closed", c->reported, c->closed);
    hub_jw_close(w, '}');
    for (int k = 0; k < HUB_SUBJ_KINDS && err == KK_OK; k++)
        jw_ids(w, hub_inc_subject_key[k], s.id[k], s.n[k]);
    return err;
}

static int jw_events(struct hub_req *r, struct hub_jw *w,
                     const struct hub_inc *i)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_INC_EVENTS);
    struct kk_buf *text = kk_buf_new(KK_HUB_TEXT_MAX * 4 + 64);
    int err = KK_OK, rc;
    if (st == NULL || text == NULL) {
        kk_buf_free(text);
        return st == NULL ? KK_ERR_IO : KK_ERR_NOMEM;
    }
    hub_bind_i64(st, ":outlet", i->outlet);
    hub_bind_i64(st, ":id", i->id);
    hub_jw_key(w, "events");
    hub_jw_arr(w);
    while (err == KK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 0);
        int e = hub_col_opened(r, st, 3, "incident_events.text", seq, text);
        if (e != KK_OK && e != KK_ERR_CORRUPT)
            err = e;
        hub_jw_key(w, NULL);
        hub_jw_obj(w);
        jw_time(w, "at", sqlite3_column_int64(st, 1));
        hub_jw_str(w, "kind", hub_col_text(st, 2));
        hub_jw_str(w, "text", e == KK_OK ? kk_buf_str(text) : "");
        hub_jw_bool(w, "trainer_only", sqlite3_column_int(st, 4) != 0);
        hub_jw_str(w, "by", hub_col_text(st, 5));
        hub_jw_close(w, '}');
    }
    sqlite3_reset(st);
    hub_jw_close(w, ']');
    kk_buf_free(text);
    return err;
}

static int api_one(struct hub_req *r, int64_t outlet, int64_t id, int status)
{
    struct hub_inc i;
    struct hub_jw w;
    int err = hub_inc_init(&i);
    if (err == KK_OK)
        err = hub_inc_get(r, outlet, id, &i);
    if (err == KK_OK) {
        r->status = status;
        hub_jw_begin(&w, r);
        err = jw_incident(r, &w, &i);
        if (err == KK_OK)
            err = jw_events(r, &w, &i);
        hub_jw_end(&w);
    }
    hub_inc_release(&i);
    return err;
}

static int api_list(struct hub_req *r, int64_t outlet)
{
    struct hub_inc i;
    struct hub_jw w;
    sqlite3_stmt *st;
    int err = hub_inc_init(&i), rc;
    if (err != KK_OK)
        return err;
    st = hub_inc_list(r, outlet, KK_HUB_CSV_ROWS_MAX);
    if (st == NULL) {
        hub_inc_release(&i);
        return KK_ERR_IO;
    }
    hub_jw_begin(&w, r);
    hub_jw_key(&w, "incidents");
    hub_jw_arr(&w);
    while (err == KK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        err = hub_inc_fill(r, st, &i);
        hub_jw_key(&w, NULL);
        hub_jw_obj(&w);
        if (err == KK_OK)
            err = jw_incident(r, &w, &i);
        hub_jw_close(&w, '}');
    }
    sqlite3_reset(st);
    hub_jw_close(&w, ']');
    hub_jw_end(&w);
    hub_inc_release(&i);
    return err;
}

/* --- handlers --- */

static void redirect_done(struct hub_req *r, int64_t outlet, int64_t id,
                          const char *done, const char *anchor)
{
    char url[URL_MAX];
    if (id != 0)
        snprintf(url, sizeof url, "/outlets/%lld/incidents/%lld?done=%s%s",
                 (long long)outlet, (long long)id, done, anchor);
    else
        snprintf(url, sizeof url, "/outlets/%lld/incidents?done=%s",
                 (long long)outlet, done);
    hub_redirect(r, url);
}

static void api_invalid(struct hub_req *r, const char *field, const char *why)
{
    char msg[200];
    snprintf(msg, sizeof msg, "%s: %s", field != NULL ? field : "input",
             why != NULL ? why : "Not valid.");
    hub_fail(r, 400, "invalid", msg);
}

static int h_list(struct hub_req *r)
{
    struct hub_inc_outlet o;
    int err = hub_inc_outlet_load(r, r->param[0], &o);
    if (err != KK_OK)
        return err;
    if (r->api)
        return api_list(r, o.id);
    return hub_inc_page_list(r, &o, NULL);
}

static int h_programme(struct hub_req *r)
{
    if (r->api)
        return api_list(r, 0);
    return hub_inc_page_programme(r);
}

static int h_create(struct hub_req *r)
{
    struct hub_inc_outlet o;
    struct hub_inc_input in;
    int64_t id = 0;
    int err = hub_inc_outlet_load(r, r->param[0], &o);
    if (err != KK_OK)
        return err;
    err = input_read(r, true, &in);
    if (err == KK_OK)
        err = hub_tx_begin(r->db);
    if (err == KK_OK)
        err = tx_end(r, create_write(r, o.id, &in, &id));
    if (err != KK_OK && in.bad != NULL) {
        if (r->api) {
            api_invalid(r, in.bad, in.why);
            return KK_OK;
        }
        r->status = 400;
        return hub_inc_page_list(r, &o, &in);
    }
    if (err != KK_OK)
        return err;
    if (r->api)
        return api_one(r, o.id, id, 201);
    redirect_done(r, o.id, id, "reported", "");
    return KK_OK;
}

/* The route's outlet and incident; i must be released whatever the
 * result. */
static int load(struct hub_req *r, struct hub_inc_outlet *o, struct hub_inc *i)
{
    int err = hub_inc_init(i);
    if (err == KK_OK)
        err = hub_inc_outlet_load(r, r->param[0], o);
    if (err == KK_OK)
        err = hub_inc_get(r, o->id, r->param[1], i);
    return err;
}

static int h_show(struct hub_req *r)
{
    struct hub_inc_outlet o;
    struct hub_inc i;
    int err = load(r, &o, &i);
    if (err == KK_OK && r->api)
        err = api_one(r, o.id, i.id, 200);
    else if (err == KK_OK)
        err = hub_inc_page_show(r, &o, &i, NULL, NULL);
    hub_inc_release(&i);
    return err;
}

static int h_update(struct hub_req *r)
{
    struct hub_inc_outlet o;
    struct hub_inc i;
    struct hub_inc_input in;
    int err = load(r, &o, &i);
    if (err != KK_OK)
        goto out;
    err = input_read(r, false, &in);
    if (err == KK_OK)
        err = hub_tx_begin(r->db);
    if (err == KK_OK)
        err = tx_end(r, update_write(r, &i, &in));
    if (err != KK_OK && in.bad != NULL) {
        if (r->api) {
            api_invalid(r, in.bad, in.why);
            err = KK_OK;
        } else {
            r->status = 400;
            err = hub_inc_page_show(r, &o, &i, &in, NULL);
        }
    } else if (err == KK_OK && r->api) {
        err = api_one(r, o.id, i.id, 200);
    } else if (err == KK_OK) {
        redirect_done(r, o.id, i.id, "saved", "");
    }
out:
    hub_inc_release(&i);
    return err;
}

static int h_event(struct hub_req *r)
{
    static const struct hub_field f[] = {
        {"kind", HUB_F_ENUM, false, 0, 0, note_kind_from_name},
        {"text", HUB_F_TEXT, true, 0, KK_HUB_TEXT_MAX, NULL},
        {"trainer_only", HUB_F_BOOL, false, 0, 0, NULL},
    };
    struct hub_inc_outlet o;
    struct hub_inc i;
    struct hub_inc_note note = {0};
    const char *v[3] = {"", "", ""};
    int kind, err = load(r, &o, &i);
    if (err != KK_OK)
        goto out;
    if (hub_fields_read(r, f, NELEM(f), v, &note.bad) != KK_OK) {
        note.why =
            note.bad != NULL && strcmp(note.bad, "text") == 0 && v[1][0] == '\0'
                ? "Required."
                : "Not valid.";
    } else if (v[2][0] != '\0' && !hub_inc_trainers(r)) {
        note.bad = "trainer_only";
        note.why = "Only trainers and assistants keep notes to themselves.";
    }
    kind = v[0][0] != '\0' ? note_kind_from_name(v[0]) : HUB_EV_NOTE;
    if (note.bad != NULL) {
        if (r->api) {
            api_invalid(r, note.bad, note.why);
            goto out;
        }
        note.kind = hub_form_get(r->form, "kind");
        note.text = hub_form_get(r->form, "text");
        note.trainer_only = hub_form_get(r->form, "trainer_only") != NULL;
        r->status = 400;
        err = hub_inc_page_show(r, &o, &i, NULL, &note);
        goto out;
    }
    err = hub_tx_begin(r->db);
    if (err == KK_OK) {
        err = hub_inc_event_add(r, o.id, i.id, kind, v[1], v[2][0] != '\0');
        if (err == KK_OK)
            audit(r, o.id, hub_incident_event_name(kind), i.id);
        err = tx_end(r, err);
    }
    if (err == KK_OK && r->api) {
        struct hub_jw w;
        r->status = 201;
        hub_jw_begin(&w, r);
        jw_time(&w, "at", hub_now());
        hub_jw_str(&w, "kind", hub_incident_event_name(kind));
        hub_jw_str(&w, "text", v[1]);
        hub_jw_bool(&w, "trainer_only", v[2][0] != '\0');
        hub_jw_str(&w, "by", r->who.email);
        hub_jw_end(&w);
    } else if (err == KK_OK) {
        redirect_done(r, o.id, i.id, "added", "#timeline");
    }
out:
    hub_inc_release(&i);
    return err;
}

/* --- routes --- */

#define PEOPLE HUB_ROLES_PEOPLE
#define MANAGE HUB_ROLES_MANAGE
#define TRAINERS                                                               \
    (HUB_ROLEBIT(HUB_ROLE_TRAINER) | HUB_ROLEBIT(HUB_ROLE_ASSISTANT))
#define API "/api/v1"
#define INC "/outlets/{id}/incidents"

const struct hub_route hub_routes_incident[] = {
    {HUB_GET, "/incidents", 0, TRAINERS, h_programme},
    {HUB_GET, INC, 0, PEOPLE, h_list},
    {HUB_POST, INC, 0, PEOPLE, h_create},
    {HUB_GET, INC "/{id}", 0, PEOPLE, h_show},
    {HUB_POST, INC "/{id}", 0, MANAGE, h_update},
    {HUB_POST, INC "/{id}/events", 0, MANAGE, h_event},
    {HUB_GET, INC "/{id}/triage", 0, MANAGE, hub_triage_h_incident},
    {HUB_POST, INC "/{id}/triage", 0, MANAGE, hub_triage_h_record},
    {HUB_GET, "/triage", 0, PEOPLE, hub_triage_h_list},
    {HUB_GET, "/triage/walk", 0, PEOPLE, hub_triage_h_walk},
    {HUB_GET, API "/incidents", HUB_R_API, TRAINERS, h_programme},
    {HUB_GET, API INC, HUB_R_API, PEOPLE, h_list},
    {HUB_POST, API INC, HUB_R_API, PEOPLE, h_create},
    {HUB_GET, API INC "/{id}", HUB_R_API, PEOPLE, h_show},
    {HUB_POST, API INC "/{id}", HUB_R_API, MANAGE, h_update},
    {HUB_POST, API INC "/{id}/events", HUB_R_API, MANAGE, h_event},
    {HUB_POST, API INC "/{id}/triage", HUB_R_API, MANAGE, hub_triage_h_record},
    {HUB_GET, API "/triage", HUB_R_API, PEOPLE, hub_triage_h_list},
    {HUB_GET, API "/triage/walk", HUB_R_API, PEOPLE, hub_triage_h_walk},
    {0, NULL, 0, 0, NULL},
};
