/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * assess.c - assessments of an outlet (baseline, midline, endline, ad hoc),
 * their list and start form, the route table of the whole area (the risk
 * matrix, findings and the action plan live in assess_*.c), and the small
 * page and form helpers those files share.
 *
 * An assessment is a dated frame around observations: its results are
 * ordinary rows of the observation log carrying its id, so coverage,
 * trends and reports count them like any other observation, and the log
 * stays append-only.  The price is that "N of M observed" is computed on
 * request by expanding the outlet's register against the catalogue
 * (assess_sheet.c); for an outlet of a few hundred objects that is a few
 * thousand comparisons, cheaper than keeping a second copy in step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess.h"
#include "model.h"
#include "programme.h"
#include "seal.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* --- names --- */

static int index_of(const char *const *tab, size_t n, const char *s)
{
    for (size_t i = 0; s != NULL && i < n; i++) {
        if (strcmp(tab[i], s) == 0)
            return (int)i + 1;
    }
    return 0;
}

static const char *const kinds[] = {"baseline", "midline", "endline", "adhoc"};
static const char *const kind_labels[] = {"Baseline", "Midline", "Endline",
                                          "Ad hoc"};
static const char *const fstatus[] = {"open", "resolved", "accepted"};
static const char *const fstatus_labels[] = {"Open", "Resolved",
                                             "Risk accepted"};
static const char *const tstatus[] = {"open", "done"};
static const char *const results[] = {"pass", "partial", "fail", "na"};

int hub_assess_kind_from(const char *s)
{
    return index_of(kinds, NELEM(kinds), s);
}

const char *hub_assess_kind_label(const char *kind)
{
    int i = hub_assess_kind_from(kind);
    return i != 0 ? kind_labels[i - 1] : "Assessment";
}

int hub_assess_fstatus_from(const char *s)
{
    return index_of(fstatus, NELEM(fstatus), s);
}

const char *hub_assess_fstatus_label(const char *s)
{
    int i = hub_assess_fstatus_from(s);
    return i != 0 ? fstatus_labels[i - 1] : "Open";
}

int hub_assess_tstatus_from(const char *s)
{
    return index_of(tstatus, NELEM(tstatus), s);
}

int hub_assess_result_from(const char *s)
{
    return index_of(results, NELEM(results), s);
}

int hub_assess_risk_class(int64_t likelihood, int64_t impact)
{
    int64_t s = likelihood * impact;
    return s >= 20 ? 4 : s >= 10 ? 3 : s >= 5 ? 2 : 1;
}

const char *hub_assess_risk_label(int cls)
{
    static const char *const labels[] = {"Low", "Medium", "High", "Critical"};
    return cls >= 1 && cls <= 4 ? labels[cls - 1] : "Low";
}

/* --- shared helpers --- */

int hub_assess_outlet(struct hub_req *r, int64_t outlet, char *name, size_t cap)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_OUTLET_GET);
    int err = KK_ERR_NOTFOUND;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":id", outlet);
    if (r->who.role != HUB_ROLE_STAFF && sqlite3_step(st) == SQLITE_ROW) {
        snprintf(name, cap, "%s", hub_col_text(st, 2));
        err = KK_OK;
    }
    sqlite3_reset(st);
    return err;
}

void hub_assess_jw_list(struct hub_req *r, const struct hub_assess_type *t,
                        int64_t outlet, void *items, size_t n)
{
    struct hub_jw w;
    hub_jw_begin(&w, r);
    hub_jw_key(&w, t->key);
    hub_jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        void *obj = (char *)items + i * t->size;
        hub_jw_key(&w, NULL);
        hub_jw_obj(&w);
        t->json(&w, outlet, obj);
        hub_jw_close(&w, '}');
        if (t->clear != NULL)
            t->clear(obj);
    }
    hub_jw_close(&w, ']');
    hub_jw_end(&w);
}

int hub_assess_list(struct hub_req *r, const struct hub_assess_type *t)
{
    char name[KK_HUB_NAME_MAX + 1];
    void *items = NULL;
    size_t n = 0;
    int64_t outlet = r->param[0];
    int err = hub_assess_outlet(r, outlet, name, sizeof name);
    if (err != KK_OK)
        goto out;
    if (!r->api) {
        err = t->page(r, outlet, name, NULL, NULL);
        goto out;
    }
    err = t->load(r, outlet, &items, &n);
    if (err == KK_OK)
        hub_assess_jw_list(r, t, outlet, items, n);
out:
    free(items);
    return err;
}

int hub_assess_answer(struct hub_req *r, const struct hub_assess_type *t,
                      int64_t outlet, int64_t id, int status, const char *path)
{
    struct hub_jw w;
    void *obj = NULL;
    int err = KK_OK;
    if (!r->api) {
        hub_redirect(r, path);
        goto out;
    }
    obj = calloc(1, t->size);
    if (obj == NULL) {
        err = KK_ERR_NOMEM;
        goto out;
    }
    err = t->get(r, outlet, id, obj);
    if (err == KK_OK) {
        r->status = status;
        hub_jw_begin(&w, r);
        t->json(&w, outlet, obj);
        hub_jw_end(&w);
    }
    if (t->clear != NULL)
        t->clear(obj);
out:
    free(obj);
    return err;
}

void hub_assess_head(struct hub_req *r, const char *title, const char *outlet,
                     int64_t id, const char *current)
{
    hub_page_begin(r, title);
    hub_raw(r, "<p class=\"kk-sub\">");
    hub_esc(r, outlet);
    hub_raw(r, "</p>");
    hub_outlet_tabs(r, id, current);
}

void hub_assess_notice(struct hub_req *r)
{
    static const char *const notes[][2] = {
        {"added", "Added."},
        {"saved", "Saved."},
        {"archived", "Archived."},
        {"recorded", "Results recorded."},
        {"closed", "The assessment is closed."},
        {"findings", "Findings made from the failed controls."},
    };
    const char *done = hub_form_get(r->query, "done");
    for (size_t i = 0; done != NULL && i < NELEM(notes); i++) {
        if (strcmp(done, notes[i][0]) == 0) {
            hub_raw(r, "<p class=\"kk-flash\" role=\"status\">");
            hub_t(r, notes[i][1]);
            hub_raw(r, "</p>");
        }
    }
}

bool hub_assess_writer(const struct hub_req *r)
{
    return r->who.role == HUB_ROLE_TRAINER || r->who.role == HUB_ROLE_ASSISTANT;
}

void hub_assess_today(char out[11])
{
    char t[32];
    if (kk_format_time(hub_now(), t, sizeof t) != KK_OK)
        snprintf(t, sizeof t, "1970-01-01");
    memcpy(out, t, 10);
    out[10] = '\0';
}

void hub_assess_jw_time(struct hub_jw *w, const char *key, int64_t t)
{
    char buf[32];
    if (t == 0 || kk_format_time(t, buf, sizeof buf) != KK_OK)
        hub_jw_null(w, key);
    else
        hub_jw_str(w, key, buf);
}

void hub_assess_invalid(struct hub_req *r, const char *field, const char *why)
{
    char msg[200];
    snprintf(msg, sizeof msg, "%s: %s", field != NULL ? field : "input",
             why != NULL ? why : "Not valid.");
    hub_fail(r, 400, "invalid", msg);
}

bool hub_assess_has(const struct hub_req *r, const char *key)
{
    return r->json != NULL && hub_jv_get(hub_json_root(r->json), key) != NULL;
}

/* A prefix of the ids of the form controls written next, so two forms
 * with the same field names can share a page. */
static __thread const char *id_prefix = "";

void hub_assess_id_prefix(const char *prefix)
{
    id_prefix = prefix != NULL ? prefix : "";
}

static void field_id(struct hub_req *r, const char *name)
{
    hub_raw(r, id_prefix);
    hub_esc(r, name);
}

static void field_error(struct hub_req *r, const char *name, const char *why)
{
    if (why == NULL)
        return;
    hub_raw(r, "<span class=\"kk-error\" role=\"alert\" id=\"");
    field_id(r, name);
    hub_raw(r, "-error\">");
    hub_t(r, why);
    hub_raw(r, "</span>");
}

static void field_attrs(struct hub_req *r, const char *name, bool required,
                        const char *why)
{
    hub_raw(r, " id=\"");
    field_id(r, name);
    hub_raw(r, "\" name=\"");
    hub_esc(r, name);
    hub_raw(r, "\"");
    if (required)
        hub_raw(r, " required");
    if (why != NULL) {
        hub_raw(r, " aria-invalid=\"true\" aria-describedby=\"");
        field_id(r, name);
        hub_raw(r, "-error\"");
    }
}

void hub_assess_input(struct hub_req *r, const char *type, const char *name,
                      const char *label, const char *value, int64_t max,
                      bool required, const char *why)
{
    hub_raw(r, "<p><label for=\"");
    field_id(r, name);
    hub_raw(r, "\">");
    hub_t(r, label);
    hub_raw(r, "</label>");
    if (strcmp(type, "textarea") == 0) {
        hub_raw(r, "<textarea rows=\"4\"");
        field_attrs(r, name, required, why);
        hub_rawf(r, " maxlength=\"%lld\">", (long long)max);
        hub_esc(r, value != NULL ? value : "");
        hub_raw(r, "</textarea>");
    } else {
        hub_rawf(r, "<input type=\"%s\"", type);
        field_attrs(r, name, required, why);
        if (strcmp(type, "text") == 0)
            hub_rawf(r, " maxlength=\"%lld\"", (long long)max);
        hub_raw(r, " value=\"");
        hub_esc(r, value != NULL ? value : "");
        hub_raw(r, "\">");
    }
    field_error(r, name, why);
    hub_raw(r, "</p>");
}

void hub_assess_select(struct hub_req *r, const char *name, const char *label,
                       const char *const *values, const char *const *labels,
                       size_t n, const char *value, bool translate,
                       const char *why)
{
    hub_raw(r, "<p><label for=\"");
    field_id(r, name);
    hub_raw(r, "\">");
    hub_t(r, label);
    hub_raw(r, "</label><select");
    field_attrs(r, name, false, why);
    hub_raw(r, ">");
    for (size_t i = 0; i < n; i++) {
        hub_raw(r, "<option value=\"");
        hub_esc(r, values[i]);
        hub_raw(r, value != NULL && strcmp(value, values[i]) == 0
                       ? "\" selected>"
                       : "\">");
        if (translate)
            hub_t(r, labels[i]);
        else
            hub_esc(r, labels[i]);
        hub_raw(r, "</option>");
    }
    hub_raw(r, "</select>");
    field_error(r, name, why);
    hub_raw(r, "</p>");
}

void hub_assess_scale(struct hub_req *r, const char *name, const char *label,
                      const char *value, const char *why)
{
    static const char *const v[] = {"1", "2", "3", "4", "5"};
    static const char *const l[] = {"1 - very low", "2 - low", "3 - medium",
                                    "4 - high", "5 - very high"};
    hub_assess_select(r, name, label, v, l, 5,
                      value != NULL && value[0] != '\0' ? value : "3", true,
                      why);
}

void hub_assess_form_open(struct hub_req *r, const char *action,
                          const char *cls)
{
    hub_raw(r, "<form method=\"post\" class=\"");
    hub_raw(r, cls);
    hub_raw(r, "\" action=\"");
    hub_esc(r, action);
    hub_raw(r, "\">");
    hub_csrf_field(r);
}

void hub_assess_form_close(struct hub_req *r, const char *button,
                           const char *cls)
{
    hub_raw(r, "<p><button type=\"submit\"");
    if (cls != NULL) {
        hub_raw(r, " class=\"");
        hub_raw(r, cls);
        hub_raw(r, "\"");
    }
    hub_raw(r, ">");
    hub_t(r, button);
    hub_raw(r, "</button></p></form>");
}

/* --- the list of assessments --- */

struct asmt_row {
    int64_t id, assessor, created, closed;
    char kind[16], held_on[16], status[16];
    char assessor_email[KK_HUB_NAME_MAX + 1];
    size_t done, total;
};

static void row_read(sqlite3_stmt *st, struct asmt_row *a)
{
    a->id = sqlite3_column_int64(st, 0);
    snprintf(a->kind, sizeof a->kind, "%s", hub_col_text(st, 1));
    snprintf(a->held_on, sizeof a->held_on, "%s", hub_col_text(st, 2));
    a->assessor = sqlite3_column_int64(st, 3);
    snprintf(a->assessor_email, sizeof a->assessor_email, "%s",
             hub_col_text(st, 4));
    snprintf(a->status, sizeof a->status, "%s", hub_col_text(st, 5));
    a->created = sqlite3_column_int64(st, 6);
    a->closed = sqlite3_column_int64(st, 7);
}

static void row_json(struct hub_jw *w, int64_t outlet, const void *obj)
{
    const struct asmt_row *a = obj;
    hub_jw_int(w, "id", a->id);
    hub_jw_int(w, "outlet_id", outlet);
    hub_jw_str(w, "kind", a->kind);
    hub_jw_str(w, "held_on", a->held_on);
    if (a->assessor != 0)
        hub_jw_int(w, "assessor_id", a->assessor);
    else
        hub_jw_null(w, "assessor_id");
    hub_jw_str(w, "assessor", a->assessor_email);
    hub_jw_str(w, "status", a->status);
    hub_assess_jw_time(w, "created_at", a->created);
    hub_assess_jw_time(w, "closed_at", a->closed);
    hub_jw_int(w, "observed", (int64_t)a->done);
    hub_jw_int(w, "expected", (int64_t)a->total);
}

/* Reads the outlet's assessments with their progress. */
static int rows_load(struct hub_req *r, int64_t outlet, void *out, size_t *n)
{
    struct hub_assess_subject *s = NULL;
    size_t ns = 0, k = 0, cap = 0;
    struct asmt_row *v = NULL;
    sqlite3_stmt *st;
    int err = hub_assess_subjects(r, outlet, &s, &ns);
    if (err != KK_OK)
        goto out;
    st = hub_scoped(r, HUB_Q_ASMT_LIST);
    if (st == NULL) {
        err = KK_ERR_IO;
        goto out;
    }
    hub_bind_i64(st, ":outlet", outlet);
    while (err == KK_OK && sqlite3_step(st) == SQLITE_ROW) {
        if (k == cap) {
            size_t nc = cap != 0 ? cap * 2 : 8;
            struct asmt_row *nv = reallocarray(v, nc, sizeof *nv);
            if (nv == NULL) {
                err = KK_ERR_NOMEM;
                break;
            }
            v = nv;
            cap = nc;
        }
        memset(&v[k], 0, sizeof v[k]);
        row_read(st, &v[k]);
        k++;
    }
    sqlite3_reset(st);
    for (size_t i = 0; i < k && err == KK_OK; i++)
        err = hub_assess_progress(r, outlet, v[i].id,
                                  v[i].closed != 0 ? v[i].closed : hub_now(), s,
                                  ns, &v[i].done, &v[i].total);
out:
    free(s);
    if (err != KK_OK) {
        free(v);
        return err;
    }
    *(struct asmt_row **)out = v;
    *n = k;
    return KK_OK;
}

static const struct hub_field create_fields[] = {
    {"kind", HUB_F_ENUM, true, 0, 0, hub_assess_kind_from},
    {"held_on", HUB_F_DATE, false, 0, 0, NULL},
};

static void start_form(struct hub_req *r, int64_t outlet, const char **v,
                       const char *bad)
{
    char action[96], today[11];
    hub_assess_today(today);
    snprintf(action, sizeof action, "/outlets/%lld/assessments",
             (long long)outlet);
    hub_raw(r, "<section id=\"start\"><h2>");
    hub_t(r, "Start an assessment");
    hub_raw(r, "</h2>");
    hub_assess_form_open(r, action, "kk-form");
    hub_assess_select(r, "kind", "Kind", kinds, kind_labels, NELEM(kinds),
                      v != NULL && v[0][0] != '\0' ? v[0] : "baseline", true,
                      bad != NULL && strcmp(bad, "kind") == 0 ? "Choose a kind."
                                                              : NULL);
    hub_assess_input(r, "date", "held_on", "Held on",
                     v != NULL && v[1][0] != '\0' ? v[1] : today, 10, true,
                     bad != NULL && strcmp(bad, "held_on") == 0
                         ? "Enter a date as YYYY-MM-DD."
                         : NULL);
    hub_assess_form_close(r, "Start the assessment", NULL);
    hub_raw(r, "</section>");
}

static int list_page(struct hub_req *r, int64_t outlet, const char *name,
                     const char **v, const char *bad)
{
    struct asmt_row *a = NULL;
    size_t n = 0;
    int err = rows_load(r, outlet, &a, &n);
    if (err != KK_OK)
        return err;
    if (bad != NULL)
        r->status = 400;
    hub_assess_head(r, "Assessments", name, outlet, "/assessments");
    hub_assess_notice(r);
    hub_rawf(r,
             "<p class=\"kk-actions\"><a class=\"kk-button "
             "kk-button-secondary\" href=\"/outlets/%lld/risks\">",
             (long long)outlet);
    hub_t(r, "Risk matrix");
    hub_rawf(r,
             "</a> <a class=\"kk-button kk-button-secondary\" "
             "href=\"/outlets/%lld/findings\">",
             (long long)outlet);
    hub_t(r, "Findings");
    hub_rawf(r,
             "</a> <a class=\"kk-button kk-button-secondary\" "
             "href=\"/outlets/%lld/tasks\">",
             (long long)outlet);
    hub_t(r, "Action plan");
    hub_raw(r, "</a></p>");
    if (n == 0) {
        hub_raw(r, "<p class=\"kk-empty\">");
        hub_t(r, "No assessment yet.");
        hub_raw(r, "</p>");
    } else {
        hub_raw(r, "<div class=\"kk-scroll\"><table class=\"kk-table\" "
                   "id=\"assessments\"><thead><tr><th scope=\"col\">");
        hub_t(r, "Kind");
        hub_raw(r, "</th><th scope=\"col\">");
        hub_t(r, "Held on");
        hub_raw(r, "</th><th scope=\"col\">");
        hub_t(r, "Assessor");
        hub_raw(r, "</th><th scope=\"col\">");
        hub_t(r, "Progress");
        hub_raw(r, "</th><th scope=\"col\">");
        hub_t(r, "Status");
        hub_raw(r, "</th></tr></thead><tbody>");
    }
    for (size_t i = 0; i < n; i++) {
        hub_rawf(r,
                 "<tr><th scope=\"row\"><a "
                 "href=\"/outlets/%lld/assessments/%lld\">",
                 (long long)outlet, (long long)a[i].id);
        hub_t(r, hub_assess_kind_label(a[i].kind));
        hub_raw(r, "</a></th><td>");
        hub_esc(r, a[i].held_on);
        hub_raw(r, "</td><td>");
        hub_esc(r, a[i].assessor_email);
        hub_rawf(r, "</td><td class=\"kk-progress\">%zu ", a[i].done);
        hub_t(r, "of");
        hub_rawf(r, " %zu ", a[i].total);
        hub_t(r, "observed");
        hub_raw(r, "</td><td>");
        hub_raw(r, strcmp(a[i].status, "open") == 0
                       ? "<span class=\"kk-badge kk-partial\">"
                       : "<span class=\"kk-badge kk-ok\">");
        hub_t(r, strcmp(a[i].status, "open") == 0 ? "Open" : "Closed");
        hub_raw(r, "</span></td></tr>");
    }
    if (n > 0)
        hub_raw(r, "</tbody></table></div>");
    if (hub_assess_writer(r))
        start_form(r, outlet, v, bad);
    hub_page_end(r);
    free(a);
    return KK_OK;
}

static const struct hub_assess_type asmt_type = {
    .key = "assessments",
    .size = sizeof(struct asmt_row),
    .page = list_page,
    .load = rows_load,
    .json = row_json,
};

int hub_assess_h_list(struct hub_req *r)
{
    return hub_assess_list(r, &asmt_type);
}

/* Reads one assessment (KK_ERR_NOTFOUND when not the caller's). */
static int row_get(struct hub_req *r, int64_t outlet, int64_t id,
                   struct asmt_row *a)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_ASMT_GET);
    int err = KK_ERR_NOTFOUND;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":id", id);
    hub_bind_i64(st, ":outlet", outlet);
    memset(a, 0, sizeof *a);
    if (sqlite3_step(st) == SQLITE_ROW) {
        row_read(st, a);
        err = KK_OK;
    }
    sqlite3_reset(st);
    return err;
}

int hub_assess_h_create(struct hub_req *r)
{
    char name[KK_HUB_NAME_MAX + 1], today[11], path[128], detail[64];
    const char *v[NELEM(create_fields)], *bad = NULL;
    int64_t outlet = r->param[0], id = 0;
    struct asmt_row a;
    struct hub_jw w;
    sqlite3_stmt *st;
    int err = hub_assess_outlet(r, outlet, name, sizeof name);
    if (err != KK_OK)
        return err;
    if (hub_fields_read(r, create_fields, NELEM(create_fields), v, &bad) !=
        KK_OK) {
        if (r->api) {
            hub_assess_invalid(r, bad,
                               strcmp(bad, "kind") == 0
                                   ? "One of baseline, midline, endline, "
                                     "adhoc."
                                   : "A date as YYYY-MM-DD.");
            return KK_OK;
        }
        return list_page(r, outlet, name, v, bad);
    }
    hub_assess_today(today);
    err = hub_new_id(&id);
    if (err == KK_OK)
        err = hub_tx_begin(r->db);
    if (err != KK_OK)
        return err;
    st = hub_scoped(r, HUB_Q_ASMT_INSERT);
    hub_bind_i64(st, ":id", id);
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_text(st, ":kind", v[0]);
    hub_bind_text(st, ":held_on", v[1][0] != '\0' ? v[1] : today);
    hub_bind_i64(st, ":now", hub_now());
    err = hub_exec(st);
    if (err == KK_OK && sqlite3_changes(r->db->db) != 1)
        err = KK_ERR_NOTFOUND;
    if (err == KK_OK) {
        snprintf(detail, sizeof detail, "%s %s", v[0],
                 v[1][0] != '\0' ? v[1] : today);
        hub_audit(r, outlet, "create", "assessment", detail);
        err = hub_tx_commit(r->db);
    } else {
        hub_tx_rollback(r->db);
    }
    if (err != KK_OK)
        return err;
    if (!r->api) {
        snprintf(path, sizeof path, "/outlets/%lld/assessments/%lld",
                 (long long)outlet, (long long)id);
        hub_redirect(r, path);
        return KK_OK;
    }
    err = row_get(r, outlet, id, &a);
    if (err != KK_OK)
        return err;
    {
        struct hub_assess_subject *s = NULL;
        size_t ns = 0;
        err = hub_assess_subjects(r, outlet, &s, &ns);
        if (err == KK_OK)
            err = hub_assess_progress(r, outlet, id, hub_now(), s, ns, &a.done,
                                      &a.total);
        free(s);
    }
    if (err != KK_OK)
        return err;
    r->status = 201;
    hub_jw_begin(&w, r);
    row_json(&w, outlet, &a);
    hub_jw_end(&w);
    return KK_OK;
}

/* --- routes --- */

#define W (HUB_ROLEBIT(HUB_ROLE_TRAINER) | HUB_ROLEBIT(HUB_ROLE_ASSISTANT))
#define R HUB_ROLES_MANAGE
#define O "/outlets/{id}"
#define A "/api/v1/outlets/{id}"
#define API HUB_R_API

/* The same handlers answer the pages and the API. */
#define BOTH(method, path, roles, fn)                                          \
    {method, O path, 0, roles, fn},                                            \
    {                                                                          \
        method, A path, API, roles, fn                                         \
    }

const struct hub_route hub_routes_assess[] = {
    BOTH(HUB_GET, "/assessments", R, hub_assess_h_list),
    BOTH(HUB_POST, "/assessments", W, hub_assess_h_create),
    BOTH(HUB_GET, "/assessments/{id}", R, hub_assess_h_show),
    BOTH(HUB_POST, "/assessments/{id}/results", W, hub_assess_h_results),
    BOTH(HUB_POST, "/assessments/{id}/close", W, hub_assess_h_close),
    BOTH(HUB_POST, "/assessments/{id}/findings", W, hub_assess_h_findings),
    BOTH(HUB_GET, "/risks", R, hub_assess_h_risks),
    BOTH(HUB_POST, "/risks", W, hub_assess_h_risk_create),
    BOTH(HUB_GET, "/risks/{id}", R, hub_assess_h_risk),
    BOTH(HUB_POST, "/risks/{id}", W, hub_assess_h_risk_update),
    BOTH(HUB_POST, "/risks/{id}/archive", W, hub_assess_h_risk_archive),
    BOTH(HUB_GET, "/findings", R, hub_assess_h_finding_list),
    BOTH(HUB_POST, "/findings", W, hub_assess_h_finding_create),
    BOTH(HUB_GET, "/findings/{id}", R, hub_assess_h_finding),
    BOTH(HUB_POST, "/findings/{id}", W, hub_assess_h_finding_update),
    BOTH(HUB_POST, "/findings/{id}/tasks", W, hub_assess_h_finding_task),
    BOTH(HUB_GET, "/tasks", R, hub_assess_h_tasks),
    BOTH(HUB_POST, "/tasks", W, hub_assess_h_task_create),
    BOTH(HUB_GET, "/tasks/{id}", R, hub_assess_h_task),
    BOTH(HUB_POST, "/tasks/{id}", R, hub_assess_h_task_update),
    {0, NULL, 0, 0, NULL},
};
