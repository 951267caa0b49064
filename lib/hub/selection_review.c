/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * selection_review.c - the selection as the trainer and the selection
 * panel see it: calls (list, creation, closing), the ranked applications
 * of a call, one application with its answers, the reviewer's scores and
 * conflict-of-interest declaration, and the trainer's decisions (select,
 * which creates the outlet, its focal point's login and a one-time
 * enrolment link; decline).
 *
 * Each handler answers HTML or JSON by r->api, like the register's, so
 * the pages and the API apply the same rules.  Panel members see the
 * averages and their own scores, not each other's, so that each review is
 * made on its own; the trainer, who decides, sees every review.  Nothing
 * an applicant wrote goes into the audit log (only ids), because the log
 * is append-only and unselected applications must be deletable.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "i18n.h"
#include "model.h"
#include "selection.h"

#define URL_MAX 192

static bool is_trainer(const struct hub_req *r)
{
    return r->who.role == HUB_ROLE_TRAINER;
}

/* --- small writers --- */

/* Escaped text with its line breaks kept. */
static void esc_lines(struct hub_req *r, const char *text)
{
    const char *p = text;
    char *line = NULL;
    while (*p != '\0' && r->err == KK_OK) {
        size_t n = strcspn(p, "\r\n");
        line = malloc(n + 1);
        if (line == NULL) {
            r->err = KK_ERR_NOMEM;
            break;
        }
        memcpy(line, p, n);
        line[n] = '\0';
        hub_esc(r, line);
        free(line);
        p += n;
        if (*p == '\r')
            p++;
        if (*p == '\n')
            p++;
        if (*p != '\0')
            hub_raw(r, "<br>");
    }
}

static void form_open(struct hub_req *r, const char *action, const char *cls)
{
    hub_raw(r, "<form method=\"post\" action=\"");
    hub_esc(r, action);
    hub_rawf(r, "\" class=\"%s\">", cls);
    hub_csrf_field(r);
}

static void button(struct hub_req *r, const char *cls, const char *msgid)
{
    hub_rawf(r, "<button type=\"submit\"%s%s%s>",
             cls != NULL ? " class=\"" : "", cls != NULL ? cls : "",
             cls != NULL ? "\"" : "");
    hub_t(r, msgid);
    hub_raw(r, "</button>");
}

static void flash(struct hub_req *r)
{
    static const char *const notes[][2] = {
        {"created", "The call is open."},
        {"closed", "The call is closed; the other applications are declined."},
        {"scored", "Your scores are saved."},
        {"conflict", "Your declaration is saved; you do not score this "
                     "application."},
        {"declined", "The application is declined."},
    };
    const char *done = hub_form_get(r->query, "done");
    for (size_t i = 0; done != NULL && i < sizeof notes / sizeof notes[0];
         i++) {
        if (strcmp(done, notes[i][0]) == 0)
            hub_say(r, "p", "kk-flash\" role=\"status", notes[i][1]);
    }
}

static void error_line(struct hub_req *r, const char *msgid)
{
    if (msgid != NULL)
        hub_say(r, "p", "kk-error\" role=\"alert", msgid);
}

static const char *media_label(const char *media)
{
    static const char *const labels[] = {
        NULL, "Web", "TV", "Radio", "Print", "Investigative",
    };
    int m = hub_media_from_name(media);
    return m > 0 && m <= HUB_MEDIA_COUNT ? labels[m] : "Web";
}

static void score_text(struct hub_req *r, const struct sel_ranked *a)
{
    if (a->scored)
        hub_rawf(r, "%.1f", a->score);
    else
        hub_raw(r, "<span class=\"kk-muted\">&#8212;</span>");
}

static void crumbs(struct hub_req *r, const struct sel_call *call)
{
    hub_raw(r, "<p class=\"kk-crumbs\"><a href=\"/calls\">");
    hub_t(r, "Selection");
    hub_raw(r, "</a>");
    if (call != NULL) {
        hub_rawf(r, " &#8250; <a href=\"/calls/%lld\">", (long long)call->id);
        hub_esc(r, call->title);
        hub_raw(r, "</a>");
    }
    hub_raw(r, "</p>");
}

static void redirect_done(struct hub_req *r, const char *path, const char *done)
{
    char url[URL_MAX + 32];
    snprintf(url, sizeof url, "%s?done=%s", path, done);
    hub_redirect(r, url);
}

/* --- JSON --- */

static void jw_criteria(struct hub_jw *w, const struct sel_call *call)
{
    hub_jw_key(w, "criteria");
    hub_jw_arr(w);
    for (size_t i = 0; i < call->n_crit; i++) {
        hub_jw_key(w, NULL);
        hub_jw_obj(w);
        hub_jw_str(w, "name", call->crit[i].name);
        hub_jw_int(w, "weight", call->crit[i].weight);
        hub_jw_close(w, '}');
    }
    hub_jw_close(w, ']');
}

static void jw_call_fields(struct hub_jw *w, struct hub_req *r,
                           const struct sel_call *call, bool full)
{
    char url[URL_MAX];
    int64_t now = hub_now();
    hub_jw_int(w, "id", call->id);
    hub_jw_str(w, "title", call->title);
    if (full)
        hub_jw_str(w, "description", call->description);
    hub_jw_int(w, "seats", call->seats);
    hub_jw_str(w, "opens", call->opens);
    hub_jw_str(w, "closes", call->closes);
    if (full)
        hub_jw_int(w, "retention_days", call->retention_days);
    hub_jw_str(w, "status", call->status);
    hub_jw_bool(w, "accepting", sel_call_accepting(call, now));
    sel_jw_time(w, "created_at", call->created_at);
    sel_jw_time(w, "decided_at", call->decided_at);
    hub_jw_int(w, "applications", call->applications);
    hub_jw_int(w, "selected", call->selected);
    if (full) {
        jw_criteria(w, call);
        sel_base(r, url, sizeof url - 32);
        snprintf(url + strlen(url), 32, "/apply/%lld", (long long)call->id);
        hub_jw_str(w, "apply_url", url);
    }
}

static int api_call(struct hub_req *r, int64_t id, int status)
{
    struct sel_call call;
    struct hub_jw w;
    int err = sel_call_load(r->db, id, &call);
    if (err != KK_OK)
        return err;
    r->status = status;
    hub_jw_begin(&w, r);
    jw_call_fields(&w, r, &call, true);
    hub_jw_end(&w);
    return KK_OK;
}

static void jw_score(struct hub_jw *w, const char *key, bool has, double v)
{
    hub_jw_key(w, key);
    if (has)
        hub_rawf(w->r, "%.2f", v);
    else
        hub_raw(w->r, "null");
}

static void jw_ranked(struct hub_jw *w, const struct sel_ranked *a, size_t rank,
                      int64_t call)
{
    hub_jw_int(w, "id", a->id);
    hub_jw_int(w, "call_id", call);
    hub_jw_int(w, "rank", (int64_t)rank);
    hub_jw_str(w, "outlet_name", a->outlet_name);
    hub_jw_str(w, "media", a->media);
    hub_jw_str(w, "region", a->region);
    hub_jw_int(w, "staff_count", a->staff_count);
    hub_jw_str(w, "contact_name", a->contact_name);
    hub_jw_str(w, "contact_email", a->contact_email);
    hub_jw_str(w, "status", a->status);
    jw_score(w, "score", a->scored, a->score);
    hub_jw_int(w, "reviews", a->reviews);
    hub_jw_int(w, "conflicts", a->conflicts);
    sel_jw_time(w, "submitted_at", a->submitted_at);
    sel_jw_time(w, "decided_at", a->decided_at);
    sel_jw_time(w, "purge_after", a->purge_after);
    if (a->outlet_id != 0)
        hub_jw_int(w, "outlet_id", a->outlet_id);
    else
        hub_jw_null(w, "outlet_id");
}

/* --- the call and the application of a route --- */

static int call_of(struct hub_req *r, struct sel_call *call)
{
    return sel_call_load(r->db, r->param[0], call);
}

/* The ranked list and the route's application in it (param[1]); *at is
 * its index.  KK_ERR_NOTFOUND when it is not an application of the call
 * still kept. */
static int ranked_app(struct hub_req *r, int64_t call, struct sel_ranked **v,
                      size_t *n, size_t *at)
{
    int err = sel_rank(r->db, call, hub_now(), v, n);
    if (err != KK_OK)
        return err;
    for (size_t i = 0; i < *n; i++) {
        if ((*v)[i].id == r->param[1]) {
            *at = i;
            return KK_OK;
        }
    }
    free(*v);
    *v = NULL;
    return KK_ERR_NOTFOUND;
}

/* --- GET /calls --- */

struct call_form {
    const char *v[7]; /* title, description, seats, opens, closes,
                         retention_days, criteria */
    const char *bad;  /* field name */
    const char *why;  /* msgid */
};

static const struct hub_field call_fields[] = {
    {"title", HUB_F_TEXT, true, 0, KK_HUB_NAME_MAX, NULL},
    {"description", HUB_F_TEXT, false, 0, SEL_DESCRIPTION_MAX, NULL},
    {"seats", HUB_F_INT, false, 1, SEL_SEATS_MAX, NULL},
    {"opens", HUB_F_DATE, false, 0, 0, NULL},
    {"closes", HUB_F_DATE, false, 0, 0, NULL},
    {"retention_days", HUB_F_INT, false, 1, SEL_RETENTION_MAX, NULL},
};
#define CALL_FIELDS (sizeof call_fields / sizeof call_fields[0])

static void input(struct hub_req *r, const char *name, const char *type,
                  const char *label, const char *value, const char *extra,
                  const struct call_form *f)
{
    bool bad = f != NULL && f->bad != NULL && strcmp(f->bad, name) == 0;
    hub_rawf(r, "<p><label for=\"call-%s\">", name);
    hub_t(r, label);
    hub_rawf(r, "</label><input type=\"%s\" id=\"call-%s\" name=\"%s\" %s%s",
             type, name, name, extra, bad ? " aria-invalid=\"true\"" : "");
    hub_raw(r, " value=\"");
    hub_esc(r, value);
    hub_raw(r, "\">");
    if (bad) {
        hub_raw(r, "<span class=\"kk-error\" role=\"alert\">");
        hub_t(r, f->why);
        hub_raw(r, "</span>");
    }
    hub_raw(r, "</p>");
}

static void textarea(struct hub_req *r, const char *name, const char *label,
                     const char *value, const char *hint, bool required,
                     const struct call_form *f)
{
    bool bad = f != NULL && f->bad != NULL && strcmp(f->bad, name) == 0;
    hub_rawf(r, "<p><label for=\"call-%s\">", name);
    hub_t(r, label);
    hub_rawf(r,
             "</label><textarea id=\"call-%s\" name=\"%s\" rows=\"5\"%s%s%s>",
             name, name, required ? " required" : "",
             hint != NULL ? " aria-describedby=\"call-hint\"" : "",
             bad ? " aria-invalid=\"true\"" : "");
    hub_esc(r, value);
    hub_raw(r, "</textarea>");
    if (hint != NULL) {
        hub_raw(r, "<span class=\"kk-hint\" id=\"call-hint\">");
        hub_t(r, hint);
        hub_raw(r, "</span>");
    }
    if (bad) {
        hub_raw(r, "<span class=\"kk-error\" role=\"alert\">");
        hub_t(r, f->why);
        hub_raw(r, "</span>");
    }
    hub_raw(r, "</p>");
}

static const char *val(const struct call_form *f, size_t i, const char *def)
{
    return f != NULL && f->v[i] != NULL ? f->v[i] : def;
}

static void call_form(struct hub_req *r, const struct call_form *f)
{
    hub_say(r, "h2", NULL, "Open a call for applications");
    if (f != NULL && f->bad != NULL)
        hub_say(r, "p", "kk-error\" role=\"alert",
                "Some fields need attention; see below.");
    form_open(r, "/calls", "kk-form");
    input(r, "title", "text", "Title", val(f, 0, ""),
          "required maxlength=\"200\"", f);
    textarea(r, "description", "Description for applicants", val(f, 1, ""),
             NULL, false, f);
    input(r, "seats", "number", "Outlets to select", val(f, 2, "5"),
          "min=\"1\" max=\"100\" inputmode=\"numeric\"", f);
    input(r, "opens", "date", "Opens on", val(f, 3, ""), "", f);
    input(r, "closes", "date", "Last day to apply", val(f, 4, ""), "", f);
    input(r, "retention_days", "number",
          "Days to keep applications that are not selected", val(f, 5, "90"),
          "min=\"1\" max=\"3650\" inputmode=\"numeric\"", f);
    /* An example in the trainer's language, to be changed. */
    textarea(r, "criteria", "Criteria and weights",
             val(f, 6,
                 hub_tr_r(r, "Public-interest journalism: 40\nExposure to "
                             "digital threats: 30\nCommitment of the "
                             "management: 30")),
             "One criterion a line: its name, a colon and its weight (1 to "
             "100). Applicants answer each criterion; reviewers score each "
             "from 0 to 10.",
             true, f);
    hub_raw(r, "<p>");
    button(r, NULL, "Open the call");
    hub_raw(r, "</p></form>");
}

static void calls_table(struct hub_req *r, sqlite3_stmt *st, size_t *count)
{
    int64_t now = hub_now();
    char today[11];
    sel_day(now, today);
    hub_raw(r, "<div class=\"kk-scroll\" tabindex=\"0\" role=\"region\" "
               "aria-label=\"");
    hub_t(r, "Calls for applications");
    hub_raw(r, "\"><table><thead><tr><th scope=\"col\">");
    hub_t(r, "Title");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "State");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Last day to apply");
    hub_raw(r, "</th><th scope=\"col\" class=\"kk-num\">");
    hub_t(r, "Applications");
    hub_raw(r, "</th><th scope=\"col\" class=\"kk-num\">");
    hub_t(r, "Selected");
    hub_raw(r, "</th></tr></thead><tbody>");
    while (r->err == KK_OK && sqlite3_step(st) == SQLITE_ROW) {
        struct sel_call c;
        memset(&c, 0, sizeof c);
        c.id = sqlite3_column_int64(st, 0);
        snprintf(c.opens, sizeof c.opens, "%s", hub_col_text(st, 3));
        snprintf(c.closes, sizeof c.closes, "%s", hub_col_text(st, 4));
        snprintf(c.status, sizeof c.status, "%s", hub_col_text(st, 5));
        hub_rawf(r, "<tr><td><a href=\"/calls/%lld\">", (long long)c.id);
        hub_esc(r, hub_col_text(st, 1));
        hub_raw(r, "</a></td><td>");
        hub_t(r, sel_call_label(&c, now));
        hub_raw(r, "</td><td>");
        if (c.closes[0] != '\0')
            hub_esc(r, c.closes);
        else
            hub_raw(r, "<span class=\"kk-muted\">&#8212;</span>");
        hub_rawf(r,
                 "</td><td class=\"kk-num\">%lld</td><td class=\"kk-num\">"
                 "%lld / %lld</td></tr>",
                 (long long)sqlite3_column_int64(st, 8),
                 (long long)sqlite3_column_int64(st, 9),
                 (long long)sqlite3_column_int64(st, 2));
        (*count)++;
    }
    hub_raw(r, "</tbody></table></div>");
}

static int calls_page(struct hub_req *r, const struct call_form *f)
{
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_SEL_CALLS);
    size_t n = 0;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":now", hub_now());
    hub_bind_i64(st, ":limit", SEL_CALLS_MAX);
    hub_page_begin(r, "Selection");
    flash(r);
    hub_say(r, "p", "kk-meta",
            "Outlets apply through a public form; the panel scores each "
            "application against the call's criteria; the trainer selects "
            "the outlets that join the programme.");
    calls_table(r, st, &n);
    sqlite3_reset(st);
    if (n == 0)
        hub_say(r, "p", "kk-empty", "No call for applications yet.");
    if (is_trainer(r))
        call_form(r, f);
    hub_page_end(r);
    return KK_OK;
}

static int api_calls(struct hub_req *r)
{
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_SEL_CALLS);
    struct hub_jw w;
    int64_t now = hub_now();
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":now", now);
    hub_bind_i64(st, ":limit", SEL_CALLS_MAX);
    hub_jw_begin(&w, r);
    hub_jw_key(&w, "calls");
    hub_jw_arr(&w);
    while (r->err == KK_OK && sqlite3_step(st) == SQLITE_ROW) {
        struct sel_call c;
        memset(&c, 0, sizeof c);
        c.id = sqlite3_column_int64(st, 0);
        snprintf(c.title, sizeof c.title, "%s", hub_col_text(st, 1));
        c.seats = sqlite3_column_int64(st, 2);
        snprintf(c.opens, sizeof c.opens, "%s", hub_col_text(st, 3));
        snprintf(c.closes, sizeof c.closes, "%s", hub_col_text(st, 4));
        snprintf(c.status, sizeof c.status, "%s", hub_col_text(st, 5));
        c.created_at = sqlite3_column_int64(st, 6);
        c.decided_at = sqlite3_column_int64(st, 7);
        c.applications = sqlite3_column_int64(st, 8);
        c.selected = sqlite3_column_int64(st, 9);
        hub_jw_key(&w, NULL);
        hub_jw_obj(&w);
        jw_call_fields(&w, r, &c, false);
        hub_jw_close(&w, '}');
    }
    sqlite3_reset(st);
    hub_jw_close(&w, ']');
    hub_jw_end(&w);
    return KK_OK;
}

int sel_calls_get(struct hub_req *r)
{
    return r->api ? api_calls(r) : calls_page(r, NULL);
}

/* --- POST /calls --- */

/* The API's criteria: [{"name": "...", "weight": 30}, ...]. */
static int criteria_json(struct hub_req *r, struct sel_criterion *out,
                         size_t *n, const char **why)
{
    const struct hub_jv *a = hub_jv_get(hub_json_root(r->json), "criteria");
    size_t count = hub_jv_len(a);
    *why = "Give the criteria as a list of names and weights.";
    if (hub_jv_type(a) != HUB_JSON_ARRAY || count == 0)
        return KK_ERR_INVAL;
    if (count > SEL_CRITERIA_MAX) {
        *why = "A call has at most ten criteria.";
        return KK_ERR_INVAL;
    }
    for (size_t i = 0; i < count; i++) {
        const struct hub_jv *o = hub_jv_at(a, i);
        const char *name = hub_jv_str(hub_jv_get(o, "name"));
        const struct hub_jv *wv = hub_jv_get(o, "weight");
        int64_t weight = 0;
        if (hub_jv_type(o) != HUB_JSON_OBJECT || name == NULL ||
            (hub_jv_i64(wv, &weight) != KK_OK &&
             kk_parse_i64(hub_jv_str(wv) != NULL ? hub_jv_str(wv) : "", 1,
                          SEL_WEIGHT_MAX, &weight) != KK_OK))
            return KK_ERR_INVAL;
        if (sel_criterion_check(name, weight, why) != KK_OK)
            return KK_ERR_INVAL;
        for (size_t k = 0; k < i; k++) {
            if (strcmp(out[k].name, name) == 0) {
                *why = "Each criterion may appear only once.";
                return KK_ERR_INVAL;
            }
        }
        snprintf(out[i].name, sizeof out[i].name, "%s", name);
        out[i].weight = weight;
    }
    *n = count;
    return KK_OK;
}

static int call_insert(struct hub_req *r, const char *const *v,
                       const struct sel_criterion *crit, size_t n, int64_t *id)
{
    int64_t now = hub_now(), x;
    sqlite3_stmt *st;
    char detail[32];
    int err = hub_new_id(id);
    if (err == KK_OK)
        err = hub_tx_begin(r->db);
    if (err != KK_OK)
        return err;
    st = hub_q(r->db, HUB_Q_SEL_CALL_INSERT);
    if (st == NULL)
        return sel_tx_end(r, KK_ERR_IO);
    hub_bind_i64(st, ":id", *id);
    hub_bind_text(st, ":title", v[0]);
    hub_bind_text(st, ":description", v[1]);
    hub_bind_i64(st, ":seats",
                 kk_parse_i64(v[2], 1, SEL_SEATS_MAX, &x) == KK_OK ? x : 5);
    hub_bind_text(st, ":opens", v[3]);
    hub_bind_text(st, ":closes", v[4]);
    hub_bind_i64(st, ":retention",
                 kk_parse_i64(v[5], 1, SEL_RETENTION_MAX, &x) == KK_OK ? x
                                                                       : 90);
    hub_bind_i64(st, ":uid", r->who.user_id);
    hub_bind_i64(st, ":now", now);
    err = hub_exec(st);
    for (size_t i = 0; i < n && err == KK_OK; i++) {
        st = hub_q(r->db, HUB_Q_SEL_CRITERION_INSERT);
        if (st == NULL) {
            err = KK_ERR_IO;
            break;
        }
        hub_bind_i64(st, ":call", *id);
        hub_bind_i64(st, ":pos", (int64_t)i + 1);
        hub_bind_text(st, ":name", crit[i].name);
        hub_bind_i64(st, ":weight", crit[i].weight);
        err = hub_exec(st);
    }
    if (err == KK_OK) {
        int64_t gone = 0;
        err = sel_purge_run(r->db, now, &gone);
    }
    if (err == KK_OK) {
        snprintf(detail, sizeof detail, "%lld", (long long)*id);
        hub_audit(r, 0, "create", "call", detail);
    }
    return sel_tx_end(r, err);
}

static int call_bad(struct hub_req *r, struct call_form *f)
{
    char msg[160];
    if (r->api) {
        snprintf(msg, sizeof msg, "%s: %s", f->bad, f->why);
        hub_fail(r, 400, "invalid", msg);
        return KK_OK;
    }
    r->status = 400;
    return calls_page(r, f);
}

int sel_calls_post(struct hub_req *r)
{
    struct call_form f;
    struct sel_criterion crit[SEL_CRITERIA_MAX];
    const char *bad = NULL;
    size_t n = 0;
    int64_t id = 0;
    int err;
    memset(&f, 0, sizeof f);
    if (r->api && r->json == NULL) {
        hub_fail(r, 400, "invalid", "Send a JSON object.");
        return KK_OK;
    }
    err = hub_fields_read(r, call_fields, CALL_FIELDS, f.v, &bad);
    if (!r->api) {
        for (size_t i = 0; i < CALL_FIELDS; i++) {
            const char *typed = hub_form_get(r->form, call_fields[i].name);
            f.v[i] = typed != NULL ? typed : "";
        }
        f.v[6] = hub_form_get(r->form, "criteria");
        if (f.v[6] == NULL)
            f.v[6] = "";
    }
    if (err != KK_OK) {
        f.bad = bad;
        f.why = strcmp(bad, "title") == 0   ? "Give a title of at most 200 "
                                              "characters."
                : strcmp(bad, "seats") == 0 ? "A whole number from 1 to 100."
                : strcmp(bad, "retention_days") == 0
                    ? "A whole number of days from 1 to 3650."
                : strcmp(bad, "description") == 0 ? "At most 4000 characters."
                                                  : "Not a valid date.";
        return call_bad(r, &f);
    }
    if (f.v[3][0] != '\0' && f.v[4][0] != '\0' && strcmp(f.v[4], f.v[3]) < 0) {
        f.bad = "closes";
        f.why = "The last day to apply comes before the opening day.";
        return call_bad(r, &f);
    }
    err = r->api
              ? criteria_json(r, crit, &n, &f.why)
              : sel_criteria_parse(f.v[6], crit, SEL_CRITERIA_MAX, &n, &f.why);
    if (err != KK_OK) {
        f.bad = "criteria";
        return call_bad(r, &f);
    }
    err = call_insert(r, f.v, crit, n, &id);
    if (err != KK_OK)
        return err;
    if (r->api)
        return api_call(r, id, 201);
    {
        char url[64];
        snprintf(url, sizeof url, "/calls/%lld", (long long)id);
        redirect_done(r, url, "created");
    }
    return KK_OK;
}

/* --- GET /calls/{id} --- */

static void facts_call(struct hub_req *r, const struct sel_call *call)
{
    int64_t now = hub_now();
    hub_raw(r, "<dl class=\"kk-facts\"><dt>");
    hub_t(r, "State");
    hub_raw(r, "</dt><dd>");
    hub_t(r, sel_call_label(call, now));
    hub_raw(r, "</dd><dt>");
    hub_t(r, "Opens on");
    hub_raw(r, "</dt><dd>");
    hub_esc(r, call->opens[0] != '\0' ? call->opens : "\xe2\x80\x94");
    hub_raw(r, "</dd><dt>");
    hub_t(r, "Last day to apply");
    hub_raw(r, "</dt><dd>");
    hub_esc(r, call->closes[0] != '\0' ? call->closes : "\xe2\x80\x94");
    hub_raw(r, "</dd><dt>");
    hub_t(r, "Outlets to select");
    hub_rawf(r, "</dt><dd>%lld / %lld</dd><dt>", (long long)call->selected,
             (long long)call->seats);
    hub_t(r, "Days to keep applications that are not selected");
    hub_rawf(r, "</dt><dd>%lld</dd></dl>", (long long)call->retention_days);
    if (call->description[0] != '\0') {
        hub_raw(r, "<p>");
        esc_lines(r, call->description);
        hub_raw(r, "</p>");
    }
}

static void criteria_table(struct hub_req *r, const struct sel_call *call)
{
    int64_t total = 0;
    for (size_t i = 0; i < call->n_crit; i++)
        total += call->crit[i].weight;
    hub_say(r, "h2", NULL, "Criteria");
    hub_raw(r, "<div class=\"kk-scroll\"><table><thead><tr><th scope=\"col\">");
    hub_t(r, "Criterion");
    hub_raw(r, "</th><th scope=\"col\" class=\"kk-num\">");
    hub_t(r, "Weight");
    hub_raw(r, "</th><th scope=\"col\" class=\"kk-num\">");
    hub_t(r, "Share of the score");
    hub_raw(r, "</th></tr></thead><tbody>");
    for (size_t i = 0; i < call->n_crit; i++) {
        hub_raw(r, "<tr><td>");
        hub_esc(r, call->crit[i].name);
        hub_rawf(r,
                 "</td><td class=\"kk-num\">%lld</td><td class=\"kk-num\">"
                 "%.0f%%</td></tr>",
                 (long long)call->crit[i].weight,
                 total > 0
                     ? 100.0 * (double)call->crit[i].weight / (double)total
                     : 0.0);
    }
    hub_raw(r, "</tbody></table></div>");
}

static void share_address(struct hub_req *r, const struct sel_call *call)
{
    char url[URL_MAX];
    sel_base(r, url, sizeof url - 32);
    snprintf(url + strlen(url), 32, "/apply/%lld", (long long)call->id);
    hub_say(r, "h2", NULL, "The public application form");
    hub_say(r, "p", NULL,
            "Share this address with the outlets that may apply; nobody needs "
            "a login to use it.");
    hub_raw(r, "<p><code class=\"kk-secret\" id=\"apply-url\">");
    hub_esc(r, url);
    hub_rawf(r, "</code></p><p><a href=\"/apply/%lld\">", (long long)call->id);
    hub_t(r, "Open the form");
    hub_raw(r, "</a></p>");
}

static void row_actions(struct hub_req *r, const struct sel_call *call,
                        const struct sel_ranked *a)
{
    char url[URL_MAX];
    bool open = !sel_call_decided(call) && strcmp(a->status, "submitted") == 0;
    hub_raw(r, "<td>");
    if (a->outlet_id != 0) {
        hub_rawf(r, "<a href=\"/outlets/%lld\">", (long long)a->outlet_id);
        hub_t(r, "Outlet");
        hub_raw(r, "</a>");
    }
    if (open && call->selected < call->seats) {
        snprintf(url, sizeof url, "/calls/%lld/applications/%lld/select",
                 (long long)call->id, (long long)a->id);
        form_open(r, url, "kk-row-form");
        button(r, NULL, "Select");
        hub_raw(r, "</form>");
    }
    if (open) {
        snprintf(url, sizeof url, "/calls/%lld/applications/%lld/decline",
                 (long long)call->id, (long long)a->id);
        form_open(r, url, "kk-row-form");
        button(r, "kk-button-secondary", "Decline");
        hub_raw(r, "</form>");
    }
    hub_raw(r, "</td>");
}

static void ranked_table(struct hub_req *r, const struct sel_call *call,
                         const struct sel_ranked *v, size_t n)
{
    static const char *const cols[] = {
        "Rank",
        "Outlet",
        "Region",
        "Media",
        "Score",
        "Reviews",
        "Conflicts of interest",
        "State",
    };
    hub_say(r, "h2", NULL, "Applications, best first");
    if (n == 0) {
        hub_say(r, "p", "kk-empty", "No applications yet.");
        return;
    }
    hub_say(
        r, "p", "kk-hint",
        "The score is the weighted mean of the reviewers' scores, from 0 to "
        "100; reviewers who declared a conflict of interest are left out. "
        "Equal scores are ordered by the time of submission.");
    hub_raw(r, "<div class=\"kk-scroll\" tabindex=\"0\" role=\"region\" "
               "aria-label=\"");
    hub_t(r, "Applications, best first");
    hub_raw(r, "\"><table id=\"ranking\"><thead><tr>");
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        hub_raw(r, i == 0 || (i >= 4 && i <= 6)
                       ? "<th scope=\"col\" class=\"kk-num\">"
                       : "<th scope=\"col\">");
        hub_t(r, cols[i]);
        hub_raw(r, "</th>");
    }
    if (is_trainer(r)) {
        hub_raw(r, "<th scope=\"col\">");
        hub_t(r, "Decision");
        hub_raw(r, "</th>");
    }
    hub_raw(r, "</tr></thead><tbody>");
    for (size_t i = 0; i < n && r->err == KK_OK; i++) {
        const struct sel_ranked *a = &v[i];
        hub_rawf(r,
                 "<tr><td class=\"kk-num\">%zu</td><td><a "
                 "href=\"/calls/%lld/applications/%lld\">",
                 i + 1, (long long)call->id, (long long)a->id);
        hub_esc(r, a->outlet_name);
        hub_raw(r, "</a></td><td>");
        hub_esc(r, a->region);
        hub_raw(r, "</td><td>");
        hub_t(r, media_label(a->media));
        hub_raw(r, "</td><td class=\"kk-num\">");
        score_text(r, a);
        hub_rawf(r,
                 "</td><td class=\"kk-num\">%lld</td><td "
                 "class=\"kk-num\">%lld</td><td>",
                 (long long)a->reviews, (long long)a->conflicts);
        hub_t(r, sel_status_label(a->status));
        hub_raw(r, "</td>");
        if (is_trainer(r))
            row_actions(r, call, a);
        hub_raw(r, "</tr>");
    }
    hub_raw(r, "</tbody></table></div>");
}

static void close_section(struct hub_req *r, const struct sel_call *call)
{
    char url[64];
    if (!is_trainer(r) || sel_call_decided(call))
        return;
    hub_say(r, "h2", NULL, "Close the call");
    hub_say(r, "p", NULL,
            "Closing the call declines every application that is not selected "
            "and starts its retention period; after it, those applications "
            "are deleted with their scores. Select the outlets first.");
    snprintf(url, sizeof url, "/calls/%lld/close", (long long)call->id);
    form_open(r, url, "kk-actions");
    button(r, "kk-danger", "Close the call");
    hub_raw(r, "</form>");
}

static int call_page(struct hub_req *r, const struct sel_call *call)
{
    struct sel_ranked *v = NULL;
    size_t n = 0;
    int err = sel_rank(r->db, call->id, hub_now(), &v, &n);
    if (err != KK_OK)
        return err;
    hub_page_begin(r, "Call for applications");
    crumbs(r, NULL);
    hub_raw(r, "<h2 id=\"call-title\">");
    hub_esc(r, call->title);
    hub_raw(r, "</h2>");
    flash(r);
    facts_call(r, call);
    criteria_table(r, call);
    share_address(r, call);
    ranked_table(r, call, v, n);
    close_section(r, call);
    hub_page_end(r);
    free(v);
    return KK_OK;
}

int sel_call_get(struct hub_req *r)
{
    struct sel_call call;
    int err = call_of(r, &call);
    if (err != KK_OK)
        return err;
    return r->api ? api_call(r, call.id, 200) : call_page(r, &call);
}

/* --- POST /calls/{id}/close --- */

int sel_call_close(struct hub_req *r)
{
    struct sel_call call;
    int64_t now = hub_now(), gone = 0;
    sqlite3_stmt *st;
    char detail[32], url[64];
    int err = hub_tx_begin(r->db);
    if (err != KK_OK)
        return err;
    err = call_of(r, &call);
    if (err == KK_OK && sel_call_decided(&call)) {
        hub_tx_rollback(r->db);
        hub_fail(r, 409, "decided", "This call is closed already.");
        return KK_OK;
    }
    if (err == KK_OK && (st = hub_q(r->db, HUB_Q_SEL_CALL_DECIDE)) != NULL) {
        hub_bind_i64(st, ":id", call.id);
        hub_bind_i64(st, ":now", now);
        err = hub_exec(st);
    }
    if (err == KK_OK && (st = hub_q(r->db, HUB_Q_SEL_DECLINE_REST)) != NULL) {
        hub_bind_i64(st, ":call", call.id);
        hub_bind_i64(st, ":now", now);
        hub_bind_i64(st, ":purge", now + call.retention_days * SEL_DAY);
        err = hub_exec(st);
    }
    if (err == KK_OK)
        err = sel_purge_run(r->db, now, &gone);
    if (err == KK_OK) {
        snprintf(detail, sizeof detail, "%lld", (long long)call.id);
        hub_audit(r, 0, "close", "call", detail);
    }
    err = sel_tx_end(r, err);
    if (err != KK_OK)
        return err;
    if (r->api)
        return api_call(r, call.id, 200);
    snprintf(url, sizeof url, "/calls/%lld", (long long)call.id);
    redirect_done(r, url, "closed");
    return KK_OK;
}

/* --- GET /api/v1/calls/{id}/applications --- */

int sel_apps_get(struct hub_req *r)
{
    struct sel_call call;
    struct sel_ranked *v = NULL;
    struct hub_jw w;
    size_t n = 0;
    int err = call_of(r, &call);
    if (err == KK_OK)
        err = sel_rank(r->db, call.id, hub_now(), &v, &n);
    if (err != KK_OK)
        return err;
    hub_jw_begin(&w, r);
    hub_jw_int(&w, "call_id", call.id);
    hub_jw_key(&w, "applications");
    hub_jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        hub_jw_key(&w, NULL);
        hub_jw_obj(&w);
        jw_ranked(&w, &v[i], i + 1, call.id);
        hub_jw_close(&w, '}');
    }
    hub_jw_close(&w, ']');
    hub_jw_end(&w);
    free(v);
    return KK_OK;
}

/* --- one application --- */

/* What the page and the JSON show of one application besides its row. */
struct app_view {
    struct sel_call call;
    struct sel_ranked *v;
    size_t n, at;
    struct hub_json *answers;
    int64_t mine[SEL_CRITERIA_MAX]; /* -1: not scored */
    char note[SEL_NOTE_MAX + 1];
    bool conflict;
};

static void view_free(struct app_view *x)
{
    free(x->v);
    hub_json_free(x->answers);
    x->v = NULL;
    x->answers = NULL;
}

static int mine_load(struct hub_req *r, struct app_view *x)
{
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_SEL_MY_SCORES);
    int64_t app = x->v[x->at].id;
    for (size_t i = 0; i < SEL_CRITERIA_MAX; i++)
        x->mine[i] = -1;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":app", app);
    hub_bind_i64(st, ":uid", r->who.user_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (size_t i = 0; i < x->call.n_crit; i++) {
            if (strcmp(x->call.crit[i].name, hub_col_text(st, 0)) == 0)
                x->mine[i] = sqlite3_column_int64(st, 1);
        }
        snprintf(x->note, sizeof x->note, "%s", hub_col_text(st, 2));
    }
    sqlite3_reset(st);
    st = hub_q(r->db, HUB_Q_SEL_CONFLICT_HAS);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":app", app);
    hub_bind_i64(st, ":uid", r->who.user_id);
    x->conflict =
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0;
    sqlite3_reset(st);
    return KK_OK;
}

static int view_load(struct hub_req *r, struct app_view *x)
{
    sqlite3_stmt *st;
    struct kk_diag d;
    int err;
    memset(x, 0, sizeof *x);
    err = call_of(r, &x->call);
    if (err == KK_OK)
        err = ranked_app(r, x->call.id, &x->v, &x->n, &x->at);
    if (err != KK_OK)
        return err;
    st = hub_q(r->db, HUB_Q_SEL_APP_GET);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":id", x->v[x->at].id);
    hub_bind_i64(st, ":call", x->call.id);
    hub_bind_i64(st, ":now", hub_now());
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *a = hub_col_text(st, 12);
        if (hub_json_parse(a, strlen(a), &x->answers, &d) != KK_OK)
            x->answers = NULL;
    } else {
        err = KK_ERR_NOTFOUND;
    }
    sqlite3_reset(st);
    if (err == KK_OK)
        err = mine_load(r, x);
    return err;
}

static bool reviewable(const struct app_view *x)
{
    return !sel_call_decided(&x->call) &&
           strcmp(x->v[x->at].status, "submitted") == 0;
}

static void jw_means(struct hub_jw *w, struct hub_req *r,
                     const struct app_view *x)
{
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_SEL_MEANS);
    hub_jw_key(w, "criteria");
    hub_jw_arr(w);
    if (st != NULL) {
        hub_bind_i64(st, ":app", x->v[x->at].id);
        hub_bind_i64(st, ":call", x->call.id);
        while (sqlite3_step(st) == SQLITE_ROW) {
            hub_jw_key(w, NULL);
            hub_jw_obj(w);
            hub_jw_str(w, "name", hub_col_text(st, 0));
            hub_jw_int(w, "weight", sqlite3_column_int64(st, 1));
            jw_score(w, "mean", sqlite3_column_type(st, 2) != SQLITE_NULL,
                     sqlite3_column_double(st, 2));
            hub_jw_int(w, "scores", sqlite3_column_int64(st, 3));
            hub_jw_close(w, '}');
        }
        sqlite3_reset(st);
    } else {
        r->err = KK_ERR_IO;
    }
    hub_jw_close(w, ']');
}

/* The trainer's view: every review and every declaration. */
static void jw_reviews(struct hub_jw *w, struct hub_req *r, int64_t app)
{
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_SEL_REVIEWS);
    int64_t cur = 0;
    hub_jw_key(w, "reviewers");
    hub_jw_arr(w);
    if (st == NULL) {
        r->err = KK_ERR_IO;
        hub_jw_close(w, ']');
        return;
    }
    hub_bind_i64(st, ":app", app);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t who = sqlite3_column_int64(st, 0);
        if (who != cur) {
            if (cur != 0)
                hub_jw_close(w, '}'); /* scores */
            if (cur != 0)
                hub_jw_close(w, '}'); /* reviewer */
            hub_jw_key(w, NULL);
            hub_jw_obj(w);
            hub_jw_str(w, "reviewer", hub_col_text(st, 1));
            hub_jw_str(w, "note", hub_col_text(st, 4));
            hub_jw_key(w, "scores");
            hub_jw_obj(w);
            cur = who;
        }
        hub_jw_int(w, hub_col_text(st, 2), sqlite3_column_int64(st, 3));
    }
    sqlite3_reset(st);
    if (cur != 0) {
        hub_jw_close(w, '}');
        hub_jw_close(w, '}');
    }
    hub_jw_close(w, ']');
    st = hub_q(r->db, HUB_Q_SEL_CONFLICTS);
    hub_jw_key(w, "declarations");
    hub_jw_arr(w);
    if (st != NULL) {
        hub_bind_i64(st, ":app", app);
        while (sqlite3_step(st) == SQLITE_ROW) {
            hub_jw_key(w, NULL);
            hub_jw_obj(w);
            hub_jw_str(w, "reviewer", hub_col_text(st, 1));
            hub_jw_str(w, "note", hub_col_text(st, 2));
            sel_jw_time(w, "declared_at", sqlite3_column_int64(st, 3));
            hub_jw_close(w, '}');
        }
        sqlite3_reset(st);
    }
    hub_jw_close(w, ']');
}

static int api_app(struct hub_req *r, const struct app_view *x, int status)
{
    struct hub_jw w;
    const struct hub_jv *ans = hub_json_root(x->answers);
    bool any = false;
    r->status = status;
    hub_jw_begin(&w, r);
    jw_ranked(&w, &x->v[x->at], x->at + 1, x->call.id);
    hub_jw_key(&w, "answers");
    hub_jw_obj(&w);
    for (size_t i = 0; i < x->call.n_crit; i++) {
        const char *s = hub_jv_str(hub_jv_get(ans, x->call.crit[i].name));
        hub_jw_str(&w, x->call.crit[i].name, s != NULL ? s : "");
    }
    hub_jw_close(&w, '}');
    jw_means(&w, r, x);
    for (size_t i = 0; i < x->call.n_crit; i++)
        any = any || x->mine[i] >= 0;
    hub_jw_key(&w, "my_scores");
    if (any) {
        hub_jw_obj(&w);
        for (size_t i = 0; i < x->call.n_crit; i++) {
            if (x->mine[i] >= 0)
                hub_jw_int(&w, x->call.crit[i].name, x->mine[i]);
        }
        hub_jw_close(&w, '}');
    } else {
        hub_raw(r, "null");
    }
    hub_jw_str(&w, "my_note", x->note);
    hub_jw_bool(&w, "my_conflict", x->conflict);
    hub_jw_bool(&w, "reviewable", reviewable(x));
    if (is_trainer(r))
        jw_reviews(&w, r, x->v[x->at].id);
    hub_jw_end(&w);
    return KK_OK;
}

/* --- the application page --- */

struct score_form {
    const char *typed[SEL_CRITERIA_MAX]; /* NULL: from the database */
    const char *note;
    const char *error; /* msgid above the form */
    const char *focal; /* the select form's focal e-mail */
    const char *focal_error;
};

static void fact(struct hub_req *r, const char *label, const char *value)
{
    hub_raw(r, "<dt>");
    hub_t(r, label);
    hub_raw(r, "</dt><dd>");
    if (value[0] != '\0')
        hub_esc(r, value);
    else
        hub_raw(r, "<span class=\"kk-muted\">&#8212;</span>");
    hub_raw(r, "</dd>");
}

static void app_facts(struct hub_req *r, const struct app_view *x)
{
    const struct sel_ranked *a = &x->v[x->at];
    char num[32], day[11];
    hub_raw(r, "<dl class=\"kk-facts\">");
    hub_raw(r, "<dt>");
    hub_t(r, "State");
    hub_raw(r, "</dt><dd id=\"app-state\">");
    hub_t(r, sel_status_label(a->status));
    hub_raw(r, "</dd><dt>");
    hub_t(r, "Score");
    hub_raw(r, "</dt><dd id=\"app-score\">");
    score_text(r, a);
    hub_rawf(r, "</dd><dt>");
    hub_t(r, "Rank");
    hub_rawf(r, "</dt><dd>%zu / %zu</dd>", x->at + 1, x->n);
    hub_raw(r, "<dt>");
    hub_t(r, "Media");
    hub_raw(r, "</dt><dd>");
    hub_t(r, media_label(a->media));
    hub_raw(r, "</dd>");
    fact(r, "Region", a->region);
    snprintf(num, sizeof num, "%lld", (long long)a->staff_count);
    fact(r, "Staff", num);
    fact(r, "Contact person", a->contact_name);
    fact(r, "Contact e-mail", a->contact_email);
    sel_day(a->submitted_at, day);
    fact(r, "Submitted on", day);
    if (a->purge_after != 0) {
        sel_day(a->purge_after, day);
        fact(r, "Deleted on", day);
    }
    hub_raw(r, "</dl>");
    if (a->outlet_id != 0) {
        hub_rawf(r, "<p><a class=\"kk-button\" href=\"/outlets/%lld\">",
                 (long long)a->outlet_id);
        hub_t(r, "Open the outlet");
        hub_raw(r, "</a></p>");
    }
}

static void app_answers(struct hub_req *r, const struct app_view *x)
{
    const struct hub_jv *ans = hub_json_root(x->answers);
    hub_say(r, "h2", NULL, "Answers");
    for (size_t i = 0; i < x->call.n_crit; i++) {
        const char *s = hub_jv_str(hub_jv_get(ans, x->call.crit[i].name));
        hub_raw(r, "<h3>");
        hub_esc(r, x->call.crit[i].name);
        hub_raw(r, "</h3><p>");
        esc_lines(r, s != NULL ? s : "");
        hub_raw(r, "</p>");
    }
}

static void app_means(struct hub_req *r, const struct app_view *x)
{
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_SEL_MEANS);
    if (st == NULL) {
        r->err = KK_ERR_IO;
        return;
    }
    hub_say(r, "h2", NULL, "Scores so far");
    hub_raw(r, "<div class=\"kk-scroll\"><table><thead><tr><th scope=\"col\">");
    hub_t(r, "Criterion");
    hub_raw(r, "</th><th scope=\"col\" class=\"kk-num\">");
    hub_t(r, "Weight");
    hub_raw(r, "</th><th scope=\"col\" class=\"kk-num\">");
    hub_t(r, "Mean (0 to 10)");
    hub_raw(r, "</th><th scope=\"col\" class=\"kk-num\">");
    hub_t(r, "Reviews");
    hub_raw(r, "</th></tr></thead><tbody>");
    hub_bind_i64(st, ":app", x->v[x->at].id);
    hub_bind_i64(st, ":call", x->call.id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        hub_raw(r, "<tr><td>");
        hub_esc(r, hub_col_text(st, 0));
        hub_rawf(r, "</td><td class=\"kk-num\">%lld</td><td class=\"kk-num\">",
                 (long long)sqlite3_column_int64(st, 1));
        if (sqlite3_column_type(st, 2) != SQLITE_NULL)
            hub_rawf(r, "%.1f", sqlite3_column_double(st, 2));
        else
            hub_raw(r, "<span class=\"kk-muted\">&#8212;</span>");
        hub_rawf(r, "</td><td class=\"kk-num\">%lld</td></tr>",
                 (long long)sqlite3_column_int64(st, 3));
    }
    sqlite3_reset(st);
    hub_raw(r, "</tbody></table></div>");
}

static void score_select(struct hub_req *r, size_t i, const char *name,
                         const char *cur, bool bad)
{
    hub_rawf(r, "<p><label for=\"score-%zu\">", i + 1);
    hub_esc(r, name);
    hub_rawf(r,
             "</label><select id=\"score-%zu\" name=\"score-%zu\" required%s>",
             i + 1, i + 1, bad ? " aria-invalid=\"true\"" : "");
    hub_raw(r, cur[0] == '\0' ? "<option value=\"\" selected>"
                              : "<option value=\"\">");
    hub_t(r, "Choose");
    hub_raw(r, "</option>");
    for (int s = 0; s <= SEL_SCORE_MAX; s++) {
        char v[4];
        snprintf(v, sizeof v, "%d", s);
        hub_rawf(r, "<option value=\"%d\"%s>%d</option>", s,
                 strcmp(v, cur) == 0 ? " selected" : "", s);
    }
    hub_raw(r, "</select></p>");
}

static void score_section(struct hub_req *r, const struct app_view *x,
                          const struct score_form *f)
{
    char url[URL_MAX];
    hub_say(r, "h2", NULL, "Your review");
    if (!reviewable(x)) {
        hub_say(r, "p", "kk-meta", "Reviews are closed for this application.");
        return;
    }
    if (x->conflict) {
        hub_say(r, "p", "kk-warning",
                "You declared a conflict of interest: you do not score this "
                "application.");
        return;
    }
    snprintf(url, sizeof url, "/calls/%lld/applications/%lld/%s",
             (long long)x->call.id, (long long)x->v[x->at].id, "scores");
    form_open(r, url, "kk-form");
    hub_say(r, "p", "kk-hint",
            "Score each criterion from 0 (not at all) to 10 (fully).");
    for (size_t i = 0; i < x->call.n_crit; i++) {
        char cur[24] = "";
        if (f != NULL && f->typed[i] != NULL)
            snprintf(cur, sizeof cur, "%s", f->typed[i]);
        else if (x->mine[i] >= 0)
            snprintf(cur, sizeof cur, "%lld", (long long)x->mine[i]);
        score_select(r, i, x->call.crit[i].name, cur,
                     f != NULL && f->error != NULL && cur[0] == '\0');
    }
    hub_raw(r, "<p><label for=\"score-note\">");
    hub_t(r, "Note for the trainer (optional)");
    hub_raw(r, "</label><textarea id=\"score-note\" name=\"note\" rows=\"3\" "
               "maxlength=\"2000\">");
    hub_esc(r, f != NULL && f->note != NULL ? f->note : x->note);
    hub_raw(r, "</textarea></p><p>");
    button(r, NULL, "Save my scores");
    hub_raw(r, "</p></form>");
    hub_say(r, "h2", NULL, "Conflict of interest");
    hub_say(
        r, "p", NULL,
        "If you know this outlet's people or have a stake in its selection, "
        "declare it: your scores on it are dropped and you cannot score it.");
    snprintf(url, sizeof url, "/calls/%lld/applications/%lld/%s",
             (long long)x->call.id, (long long)x->v[x->at].id, "conflict");
    form_open(r, url, "kk-form");
    hub_raw(r, "<p><label for=\"conflict-note\">");
    hub_t(r, "What the conflict is (optional)");
    hub_raw(r, "</label><textarea id=\"conflict-note\" name=\"note\" "
               "rows=\"2\" maxlength=\"2000\"></textarea></p><p>");
    button(r, "kk-danger", "Declare a conflict of interest");
    hub_raw(r, "</p></form>");
}

static void reviews_table(struct hub_req *r, const struct app_view *x)
{
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_SEL_REVIEWS);
    char note[SEL_NOTE_MAX + 1] = "";
    int64_t cur = 0;
    if (st == NULL) {
        r->err = KK_ERR_IO;
        return;
    }
    hub_say(r, "h2", NULL, "Every review");
    hub_bind_i64(st, ":app", x->v[x->at].id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t who = sqlite3_column_int64(st, 0);
        if (cur == 0) {
            hub_raw(r, "<div class=\"kk-scroll\" tabindex=\"0\" "
                       "role=\"region\" aria-label=\"");
            hub_t(r, "Every review");
            hub_raw(r, "\"><table><thead><tr><th scope=\"col\">");
            hub_t(r, "Reviewer");
            hub_raw(r, "</th><th scope=\"col\">");
            hub_t(r, "Scores");
            hub_raw(r, "</th><th scope=\"col\">");
            hub_t(r, "Note");
            hub_raw(r, "</th></tr></thead><tbody>");
        }
        if (who != cur) {
            if (cur != 0) {
                hub_raw(r, "</td><td>");
                hub_esc(r, note);
                hub_raw(r, "</td></tr>");
            }
            hub_raw(r, "<tr><td>");
            hub_esc(r, hub_col_text(st, 1));
            hub_raw(r, "</td><td>");
            snprintf(note, sizeof note, "%s", hub_col_text(st, 4));
            cur = who;
        } else {
            hub_raw(r, "; ");
        }
        hub_esc(r, hub_col_text(st, 2));
        hub_rawf(r, ": %lld", (long long)sqlite3_column_int64(st, 3));
    }
    sqlite3_reset(st);
    if (cur != 0) {
        hub_raw(r, "</td><td>");
        hub_esc(r, note);
        hub_raw(r, "</td></tr></tbody></table></div>");
    } else {
        hub_say(r, "p", "kk-empty", "No review yet.");
    }
}

static void declarations(struct hub_req *r, const struct app_view *x)
{
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_SEL_CONFLICTS);
    size_t n = 0;
    if (st == NULL) {
        r->err = KK_ERR_IO;
        return;
    }
    hub_bind_i64(st, ":app", x->v[x->at].id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n++ == 0) {
            hub_say(r, "h2", NULL, "Declared conflicts of interest");
            hub_raw(r, "<ul>");
        }
        hub_raw(r, "<li>");
        hub_esc(r, hub_col_text(st, 1));
        if (hub_col_text(st, 2)[0] != '\0') {
            hub_raw(r, ": ");
            hub_esc(r, hub_col_text(st, 2));
        }
        hub_raw(r, "</li>");
    }
    sqlite3_reset(st);
    if (n > 0)
        hub_raw(r, "</ul>");
}

static void decision_section(struct hub_req *r, const struct app_view *x,
                             const struct score_form *f)
{
    const struct sel_ranked *a = &x->v[x->at];
    char url[URL_MAX];
    if (!is_trainer(r) || !reviewable(x))
        return;
    hub_say(r, "h2", NULL, "Decision");
    if (x->call.selected >= x->call.seats) {
        hub_say(r, "p", "kk-warning", "All seats of this call are taken.");
    } else {
        hub_say(
            r, "p", NULL,
            "Selecting creates the outlet in the hub, a login for its focal "
            "point and a one-time link with which they set their password. "
            "The link is shown once, on the next page.");
        snprintf(url, sizeof url, "/calls/%lld/applications/%lld/select",
                 (long long)x->call.id, (long long)a->id);
        form_open(r, url, "kk-form");
        hub_raw(r, "<p><label for=\"focal-email\">");
        hub_t(r, "The focal point's e-mail");
        hub_raw(r, "</label><input type=\"email\" id=\"focal-email\" "
                   "name=\"focal_email\" maxlength=\"200\" "
                   "autocomplete=\"off\" value=\"");
        hub_esc(r, f != NULL && f->focal != NULL ? f->focal : a->contact_email);
        hub_raw(r, "\"");
        if (f != NULL && f->focal_error != NULL) {
            hub_raw(r, " aria-invalid=\"true\"><span class=\"kk-error\" "
                       "role=\"alert\">");
            hub_t(r, f->focal_error);
            hub_raw(r, "</span>");
        } else {
            hub_raw(r, ">");
        }
        hub_raw(r, "</p><p>");
        button(r, NULL, "Select this outlet");
        hub_raw(r, "</p></form>");
    }
    snprintf(url, sizeof url, "/calls/%lld/applications/%lld/decline",
             (long long)x->call.id, (long long)a->id);
    form_open(r, url, "kk-actions");
    button(r, "kk-button-secondary", "Decline this application");
    hub_raw(r, "</form>");
}

static int app_page(struct hub_req *r, const struct app_view *x,
                    const struct score_form *f)
{
    hub_page_begin(r, "Application");
    crumbs(r, &x->call);
    hub_raw(r, "<h2 id=\"app-name\">");
    hub_esc(r, x->v[x->at].outlet_name);
    hub_raw(r, "</h2>");
    flash(r);
    error_line(r, f != NULL ? f->error : NULL);
    app_facts(r, x);
    decision_section(r, x, f);
    app_answers(r, x);
    app_means(r, x);
    score_section(r, x, f);
    if (is_trainer(r)) {
        reviews_table(r, x);
        declarations(r, x);
    }
    hub_page_end(r);
    return KK_OK;
}

int sel_app_get(struct hub_req *r)
{
    struct app_view x;
    int err = view_load(r, &x);
    if (err == KK_OK)
        err = r->api ? api_app(r, &x, 200) : app_page(r, &x, NULL);
    view_free(&x);
    return err;
}

/* Answers after a change: the application (API) or its page. */
static int app_done(struct hub_req *r, const char *done)
{
    struct app_view x;
    char url[URL_MAX];
    int err;
    if (!r->api) {
        snprintf(url, sizeof url, "/calls/%lld/applications/%lld",
                 (long long)r->param[0], (long long)r->param[1]);
        redirect_done(r, url, done);
        return KK_OK;
    }
    err = view_load(r, &x);
    if (err == KK_OK)
        err = api_app(r, &x, 200);
    view_free(&x);
    return err;
}

/* A refusal: 409 with the message, or the page with it above the form. */
static int app_refuse(struct hub_req *r, const char *code, const char *msgid,
                      const struct score_form *f)
{
    struct app_view x;
    struct score_form g;
    int err;
    if (r->api) {
        hub_fail(r, 409, code, msgid);
        return KK_OK;
    }
    err = view_load(r, &x);
    if (err == KK_OK) {
        memset(&g, 0, sizeof g);
        if (f != NULL)
            g = *f;
        if (g.error == NULL && g.focal_error == NULL)
            g.error = msgid;
        r->status = 409;
        err = app_page(r, &x, &g);
    }
    view_free(&x);
    return err;
}

/* --- POST .../scores --- */

/* Reads the scores: "score-N" form fields, or {"scores": {name: n}}. */
static int scores_read(struct hub_req *r, const struct sel_call *call,
                       int64_t *out, struct score_form *f)
{
    const struct hub_jv *s = hub_jv_get(hub_json_root(r->json), "scores");
    int err = KK_OK;
    if (r->json != NULL && hub_jv_type(s) != HUB_JSON_OBJECT)
        return KK_ERR_INVAL;
    for (size_t i = 0; r->json != NULL && i < hub_jv_len(s); i++) {
        bool known = false;
        for (size_t k = 0; k < call->n_crit; k++)
            known =
                known || strcmp(call->crit[k].name, hub_jv_key_at(s, i)) == 0;
        if (!known)
            err = KK_ERR_INVAL;
    }
    for (size_t i = 0; i < call->n_crit; i++) {
        const char *text = NULL;
        char name[32];
        out[i] = -1;
        if (r->json != NULL) {
            const struct hub_jv *v = hub_jv_get(s, call->crit[i].name);
            if (hub_jv_i64(v, &out[i]) != KK_OK)
                text = hub_jv_str(v);
        } else {
            snprintf(name, sizeof name, "score-%zu", i + 1);
            text = hub_form_get(r->form, name);
            f->typed[i] = text;
        }
        if (text != NULL &&
            kk_parse_i64(text, 0, SEL_SCORE_MAX, &out[i]) != KK_OK)
            out[i] = -1;
        if (out[i] < 0 || out[i] > SEL_SCORE_MAX)
            err = KK_ERR_INVAL;
    }
    return err;
}

static int scores_store(struct hub_req *r, const struct sel_call *call,
                        const int64_t *scores, const char *note)
{
    int64_t now = hub_now();
    char detail[32];
    int err = KK_OK;
    for (size_t i = 0; i < call->n_crit && err == KK_OK; i++) {
        sqlite3_stmt *st = hub_q(r->db, HUB_Q_SEL_SCORE_PUT);
        if (st == NULL)
            return KK_ERR_IO;
        hub_bind_i64(st, ":app", r->param[1]);
        hub_bind_i64(st, ":uid", r->who.user_id);
        hub_bind_text(st, ":criterion", call->crit[i].name);
        hub_bind_i64(st, ":score", scores[i]);
        hub_bind_text(st, ":note", note);
        hub_bind_i64(st, ":now", now);
        err = hub_exec(st);
    }
    if (err == KK_OK) {
        snprintf(detail, sizeof detail, "%lld", (long long)r->param[1]);
        hub_audit(r, 0, "score", "application", detail);
    }
    return err;
}

int sel_app_scores(struct hub_req *r)
{
    static const struct hub_field fields[] = {
        {"note", HUB_F_TEXT, false, 0, SEL_NOTE_MAX, NULL},
    };
    struct app_view x;
    struct score_form f;
    int64_t scores[SEL_CRITERIA_MAX];
    const char *note = "", *bad = NULL;
    int err = hub_tx_begin(r->db);
    memset(&f, 0, sizeof f);
    if (err != KK_OK)
        return err;
    err = view_load(r, &x);
    if (err != KK_OK) {
        hub_tx_rollback(r->db);
        view_free(&x);
        return err;
    }
    if (!reviewable(&x) || x.conflict) {
        hub_tx_rollback(r->db);
        err = app_refuse(r, x.conflict ? "conflict" : "closed",
                         x.conflict ? "You declared a conflict of interest "
                                      "on this application, so you cannot "
                                      "score it."
                                    : "Reviews are closed for this "
                                      "application.",
                         NULL);
        view_free(&x);
        return err;
    }
    if (hub_fields_read(r, fields, 1, &note, &bad) != KK_OK ||
        scores_read(r, &x.call, scores, &f) != KK_OK) {
        hub_tx_rollback(r->db);
        if (r->api) {
            hub_fail(r, 400, "invalid",
                     bad != NULL ? "note: At most 2000 characters."
                                 : "scores: Give every criterion of the call "
                                   "a whole number from 0 to 10.");
            err = KK_OK;
        } else {
            f.note = hub_form_get(r->form, "note");
            f.error = bad != NULL ? "The note is too long."
                                  : "Give every criterion a score from 0 "
                                    "to 10.";
            r->status = 400;
            err = app_page(r, &x, &f);
        }
        view_free(&x);
        return err;
    }
    view_free(&x);
    err = sel_tx_end(r, scores_store(r, &x.call, scores, note));
    return err != KK_OK ? err : app_done(r, "scored");
}

/* --- POST .../conflict --- */

int sel_app_conflict(struct hub_req *r)
{
    static const struct hub_field fields[] = {
        {"note", HUB_F_TEXT, false, 0, SEL_NOTE_MAX, NULL},
    };
    struct app_view x;
    const char *note = "", *bad = NULL;
    char detail[32];
    sqlite3_stmt *st;
    int err;
    if (hub_fields_read(r, fields, 1, &note, &bad) != KK_OK) {
        hub_fail(r, 400, "invalid", "note: At most 2000 characters.");
        return KK_OK;
    }
    err = hub_tx_begin(r->db);
    if (err != KK_OK)
        return err;
    err = view_load(r, &x);
    if (err == KK_OK && sel_call_decided(&x.call)) {
        hub_tx_rollback(r->db);
        err = app_refuse(r, "closed",
                         "Reviews are closed for this application.", NULL);
        view_free(&x);
        return err;
    }
    view_free(&x);
    if (err == KK_OK && (st = hub_q(r->db, HUB_Q_SEL_CONFLICT_PUT)) != NULL) {
        hub_bind_i64(st, ":app", r->param[1]);
        hub_bind_i64(st, ":uid", r->who.user_id);
        hub_bind_text(st, ":note", note);
        hub_bind_i64(st, ":now", hub_now());
        err = hub_exec(st);
    }
    /* The declaration drops the reviewer's scores on it. */
    if (err == KK_OK && (st = hub_q(r->db, HUB_Q_SEL_SCORES_DROP)) != NULL) {
        hub_bind_i64(st, ":app", r->param[1]);
        hub_bind_i64(st, ":uid", r->who.user_id);
        err = hub_exec(st);
    }
    if (err == KK_OK) {
        snprintf(detail, sizeof detail, "%lld", (long long)r->param[1]);
        hub_audit(r, 0, "conflict", "application", detail);
    }
    err = sel_tx_end(r, err);
    return err != KK_OK ? err : app_done(r, "conflict");
}

/* --- POST .../decline --- */

int sel_app_decline(struct hub_req *r)
{
    struct app_view x;
    sqlite3_stmt *st;
    char detail[32], url[64];
    int64_t now = hub_now();
    int err = hub_tx_begin(r->db);
    if (err != KK_OK)
        return err;
    err = view_load(r, &x);
    if (err == KK_OK && !reviewable(&x)) {
        hub_tx_rollback(r->db);
        err = app_refuse(r, "decided",
                         "Only an application under review can be declined.",
                         NULL);
        view_free(&x);
        return err;
    }
    if (err == KK_OK && (st = hub_q(r->db, HUB_Q_SEL_APP_DECIDE)) != NULL) {
        hub_bind_text(st, ":status", "declined");
        hub_bind_i64(st, ":now", now);
        hub_bind_i64(st, ":purge", now + x.call.retention_days * SEL_DAY);
        hub_bind_null(st, ":outlet");
        hub_bind_i64(st, ":id", r->param[1]);
        hub_bind_i64(st, ":call", x.call.id);
        err = hub_exec(st);
        if (err == KK_OK && sqlite3_changes(r->db->db) != 1)
            err = KK_ERR_NOTFOUND;
    }
    view_free(&x);
    if (err == KK_OK) {
        int64_t gone = 0;
        err = sel_purge_run(r->db, now, &gone);
    }
    if (err == KK_OK) {
        snprintf(detail, sizeof detail, "%lld", (long long)r->param[1]);
        hub_audit(r, 0, "decline", "application", detail);
    }
    err = sel_tx_end(r, err);
    if (err != KK_OK)
        return err;
    if (r->api)
        return app_done(r, "declined");
    snprintf(url, sizeof url, "/calls/%lld", (long long)r->param[0]);
    redirect_done(r, url, "declined");
    return KK_OK;
}

/* --- POST .../select --- */

/* What selecting made, for the answer. */
struct made {
    int64_t outlet, user, expires;
    char slug[48];
    char email[KK_HUB_NAME_MAX + 1];
    char secret[64]; /* the invitation's secret, shown once */
};

static bool slug_taken(struct hub_req *r, const char *slug)
{
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_OUTLET_ID_BY_SLUG);
    bool taken = true;
    if (st == NULL)
        return true;
    hub_bind_text(st, ":slug", slug);
    taken = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return taken;
}

/* A slug from the name not used by any outlet: "name", "name-2", ... */
static int slug_pick(struct hub_req *r, const char *name, char *out, size_t cap)
{
    char base[40];
    sel_slug_from_name(name, base, sizeof base);
    snprintf(out, cap, "%s", base);
    for (int i = 2; slug_taken(r, out); i++) {
        if (i > 99) {
            uint8_t raw[4];
            randombytes_buf(raw, sizeof raw);
            snprintf(out, cap, "%.27s-%02x%02x%02x%02x", base, raw[0], raw[1],
                     raw[2], raw[3]);
            return slug_taken(r, out) ? KK_ERR_EXISTS : KK_OK;
        }
        snprintf(out, cap, "%.36s-%d", base, i);
    }
    return KK_OK;
}

static bool email_taken(struct hub_req *r, const char *email)
{
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_USER_BY_EMAIL);
    bool taken = true;
    if (st == NULL)
        return true;
    hub_bind_text(st, ":email", email);
    taken = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return taken;
}

static int outlet_create(struct hub_req *r, const struct sel_ranked *a,
                         struct made *m)
{
    sqlite3_stmt *st;
    int err = hub_new_id(&m->outlet);
    if (err == KK_OK)
        err = slug_pick(r, a->outlet_name, m->slug, sizeof m->slug);
    if (err != KK_OK)
        return err;
    st = hub_q(r->db, HUB_Q_REG_OUTLET_INSERT);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":id", m->outlet);
    hub_bind_text(st, ":slug", m->slug);
    hub_bind_text(st, ":name", a->outlet_name);
    hub_bind_text(st, ":media",
                  hub_media_from_name(a->media) != 0 ? a->media : "web");
    hub_bind_text(st, ":region", a->region);
    hub_bind_i64(st, ":staff_count", a->staff_count);
    hub_bind_text(st, ":status", "onboarding");
    hub_bind_i64(st, ":now", hub_now());
    hub_bind_i64(st, ":uid", r->who.user_id);
    err = hub_exec(st);
    if (err == KK_OK && sqlite3_changes(r->db->db) != 1)
        err = KK_ERR_PERM;
    return err;
}

/* The focal point's login (a password nobody knows) and its invitation:
 * only the hash of the link's 256-bit secret is kept. */
static int focal_create(struct hub_req *r, const char *pw_hash, struct made *m)
{
    uint8_t raw[32], h[32];
    int64_t now = hub_now();
    sqlite3_stmt *st;
    int err = hub_new_id(&m->user);
    if (err != KK_OK)
        return err;
    st = hub_q(r->db, HUB_Q_USER_INSERT);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":id", m->user);
    hub_bind_text(st, ":email", m->email);
    hub_bind_text(st, ":role", "focal");
    hub_bind_text(st, ":pw", pw_hash);
    hub_bind_null(st, ":totp");
    hub_bind_null(st, ":person");
    hub_bind_i64(st, ":now", now);
    err = hub_exec(st);
    if (err == KK_OK && (st = hub_q(r->db, HUB_Q_USER_OUTLET_ADD)) != NULL) {
        hub_bind_i64(st, ":user", m->user);
        hub_bind_i64(st, ":outlet", m->outlet);
        err = hub_exec(st);
    }
    if (err != KK_OK)
        return err;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(m->secret, sizeof m->secret, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    kk_wipe(raw, sizeof raw);
    hub_hash(m->secret, strlen(m->secret), h);
    m->expires = now + SEL_INVITE_DAYS * SEL_DAY;
    st = hub_q(r->db, HUB_Q_SEL_INVITE_INSERT);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_blob(st, ":h", h, sizeof h);
    hub_bind_i64(st, ":user", m->user);
    hub_bind_i64(st, ":now", now);
    hub_bind_i64(st, ":expires", m->expires);
    return hub_exec(st);
}

static int select_write(struct hub_req *r, const struct app_view *x,
                        const char *pw_hash, struct made *m)
{
    const struct sel_ranked *a = &x->v[x->at];
    sqlite3_stmt *st;
    char detail[64];
    int err = outlet_create(r, a, m);
    if (err == KK_OK && (st = hub_q(r->db, HUB_Q_SEL_APP_DECIDE)) != NULL) {
        hub_bind_text(st, ":status", "selected");
        hub_bind_i64(st, ":now", hub_now());
        hub_bind_null(st, ":purge");
        hub_bind_i64(st, ":outlet", m->outlet);
        hub_bind_i64(st, ":id", a->id);
        hub_bind_i64(st, ":call", x->call.id);
        err = hub_exec(st);
        if (err == KK_OK && sqlite3_changes(r->db->db) != 1)
            err = KK_ERR_NOTFOUND;
    }
    if (err == KK_OK)
        err = focal_create(r, pw_hash, m);
    if (err == KK_OK) {
        int64_t gone = 0;
        err = sel_purge_run(r->db, hub_now(), &gone);
    }
    if (err == KK_OK) {
        snprintf(detail, sizeof detail, "%lld outlet %lld", (long long)a->id,
                 (long long)m->outlet);
        hub_audit(r, 0, "select", "application", detail);
        snprintf(detail, sizeof detail, "%lld", (long long)m->outlet);
        hub_audit(r, m->outlet, "create", "outlet", detail);
        snprintf(detail, sizeof detail, "%lld", (long long)m->user);
        hub_audit(r, m->outlet, "invite", "user", detail);
    }
    return err;
}

static void invite_url(struct hub_req *r, const struct made *m, char *out,
                       size_t cap)
{
    char base[URL_MAX];
    sel_base(r, base, sizeof base);
    snprintf(out, cap, "%s/invite?t=%s", base, m->secret);
}

static int select_answer(struct hub_req *r, const struct app_view *x,
                         const struct made *m)
{
    char url[URL_MAX + 96], day[11];
    struct hub_jw w;
    invite_url(r, m, url, sizeof url);
    if (r->api) {
        r->status = 201;
        hub_jw_begin(&w, r);
        hub_jw_int(&w, "application_id", x->v[x->at].id);
        hub_jw_int(&w, "outlet_id", m->outlet);
        hub_jw_key(&w, "outlet");
        hub_jw_obj(&w);
        hub_jw_int(&w, "id", m->outlet);
        hub_jw_str(&w, "slug", m->slug);
        hub_jw_str(&w, "name", x->v[x->at].outlet_name);
        hub_jw_str(&w, "status", "onboarding");
        hub_jw_close(&w, '}');
        hub_jw_str(&w, "focal_email", m->email);
        hub_jw_str(&w, "invite_url", url);
        sel_jw_time(&w, "invite_expires", m->expires);
        hub_jw_end(&w);
        kk_wipe(url, sizeof url);
        return KK_OK;
    }
    hub_page_begin(r, "Outlet selected");
    crumbs(r, &x->call);
    hub_raw(r, "<p class=\"kk-flash\" role=\"status\">");
    hub_t(r, "The outlet is created in the hub:");
    hub_raw(r, " <strong id=\"outlet-name\">");
    hub_esc(r, x->v[x->at].outlet_name);
    hub_raw(r, "</strong></p>");
    hub_say(r, "h2", NULL, "Invite the focal point");
    hub_raw(r, "<p>");
    hub_t(r, "Send this link to the outlet's focal point:");
    hub_raw(r, " <strong id=\"focal-email\">");
    hub_esc(r, m->email);
    hub_raw(r, "</strong></p><p><code class=\"kk-secret\" id=\"invite-link\">");
    hub_esc(r, url);
    hub_raw(r, "</code></p><p class=\"kk-warning\">");
    hub_t(r, "The link is shown only now. It works once, until this date:");
    sel_day(m->expires, day);
    hub_rawf(r, " %s. ", day);
    hub_t(r, "With it they choose a password and set up their second "
             "factor. Send it through a channel only they read.");
    hub_rawf(r,
             "</p><p class=\"kk-actions\"><a class=\"kk-button\" "
             "href=\"/outlets/%lld\" id=\"outlet-link\">",
             (long long)m->outlet);
    hub_t(r, "Open the outlet");
    hub_rawf(r,
             "</a><a class=\"kk-button kk-button-secondary\" "
             "href=\"/calls/%lld\">",
             (long long)x->call.id);
    hub_t(r, "Back to the call");
    hub_raw(r, "</a></p>");
    hub_page_end(r);
    kk_wipe(url, sizeof url);
    return KK_OK;
}

/* A random password nobody knows, hashed: the login cannot be used until
 * the invitation sets a real one. */
static int nobodys_password(char *hash, size_t cap)
{
    uint8_t raw[32];
    char pw[48];
    int err;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(pw, sizeof pw, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    err = hub_pw_hash(pw, hash, cap);
    kk_wipe(raw, sizeof raw);
    kk_wipe(pw, sizeof pw);
    return err;
}

int sel_app_select(struct hub_req *r)
{
    static const struct hub_field fields[] = {
        {"focal_email", HUB_F_EMAIL, false, 0, 0, NULL},
    };
    struct app_view x;
    struct score_form f;
    struct made m;
    char hash[crypto_pwhash_STRBYTES];
    const char *email = "", *bad = NULL, *refusal = NULL, *code = "decided";
    int err;
    memset(&m, 0, sizeof m);
    memset(&f, 0, sizeof f);
    memset(&x, 0, sizeof x);
    if (hub_fields_read(r, fields, 1, &email, &bad) != KK_OK) {
        f.focal = hub_form_get(r->form, "focal_email");
        f.focal_error = "Not a valid e-mail address.";
        if (r->api) {
            hub_fail(r, 400, "invalid", "focal_email: Not valid.");
            return KK_OK;
        }
        r->status = 400;
        err = view_load(r, &x);
        if (err == KK_OK)
            err = app_page(r, &x, &f);
        view_free(&x);
        return err;
    }
    /* Argon2id takes a while: before the write lock. */
    err = nobodys_password(hash, sizeof hash);
    if (err == KK_OK)
        err = hub_tx_begin(r->db);
    if (err != KK_OK)
        return err;
    err = view_load(r, &x);
    if (err == KK_OK) {
        snprintf(m.email, sizeof m.email, "%s",
                 email[0] != '\0' ? email : x.v[x.at].contact_email);
        if (sel_call_decided(&x.call)) {
            refusal = "This call is closed: no more outlets can be selected.";
        } else if (strcmp(x.v[x.at].status, "submitted") != 0) {
            refusal = "Only an application under review can be selected.";
        } else if (x.call.selected >= x.call.seats) {
            refusal = "All seats of this call are taken.";
            code = "seats";
        } else if (email_taken(r, m.email)) {
            refusal = "This e-mail address already has a login of the hub. "
                      "Give another address for the outlet's focal point.";
            code = "exists";
            f.focal = m.email;
            f.focal_error = refusal;
        }
    }
    if (err == KK_OK && refusal == NULL)
        err = select_write(r, &x, hash, &m);
    if (err != KK_OK || refusal != NULL) {
        hub_tx_rollback(r->db);
        if (err == KK_OK)
            err = app_refuse(r, code, refusal, &f);
    } else {
        err = hub_tx_commit(r->db);
        if (err == KK_OK)
            err = select_answer(r, &x, &m);
    }
    view_free(&x);
    kk_wipe(&m, sizeof m);
    kk_wipe(hash, sizeof hash);
    return err;
}
