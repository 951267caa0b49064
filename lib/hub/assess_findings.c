/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * assess_findings.c - an outlet's findings: what an assessment found
 * wrong, the controls it is about, how likely and how harmful it is, and
 * whether it is open, resolved or accepted as a risk; each finding carries
 * the tasks of the action plan that deal with it.
 *
 * The title says what is weak in plain words, so it is sealed at rest like
 * the rest of an outlet's map of weaknesses; the linked control ids,
 * likelihood, impact and status stay in clear for counting.  Findings are
 * made by hand or from an assessment's failed controls (assess_sheet.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess.h"
#include "model.h"
#include "seal.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define FINDINGS_MAX 500
#define CONTROLS_LEN ((HUB_ASSESS_CONTROLS_MAX)*17)

struct finding {
    int64_t id, assessment, created, resolved;
    int64_t likelihood, impact, tasks, tasks_done;
    char controls[CONTROLS_LEN + 1];
    char status[16];
    char *title; /* opened, owned */
};

static void finding_clear(void *obj)
{
    struct finding *f = obj;
    free(f->title);
    memset(f, 0, sizeof *f);
}

static int finding_read(struct hub_req *r, sqlite3_stmt *st, struct finding *f)
{
    struct kk_buf *b = kk_buf_new(ASMT_TEXT_BUF);
    int err;
    memset(f, 0, sizeof *f);
    f->id = sqlite3_column_int64(st, 0);
    f->assessment = sqlite3_column_int64(st, 1);
    snprintf(f->controls, sizeof f->controls, "%s", hub_col_text(st, 3));
    f->likelihood = sqlite3_column_int64(st, 4);
    f->impact = sqlite3_column_int64(st, 5);
    snprintf(f->status, sizeof f->status, "%s", hub_col_text(st, 6));
    f->created = sqlite3_column_int64(st, 7);
    f->resolved = sqlite3_column_int64(st, 8);
    f->tasks = sqlite3_column_int64(st, 9);
    f->tasks_done = sqlite3_column_int64(st, 10);
    err = b != NULL ? hub_col_opened(r, st, 2, ASMT_SEAL_FINDING, f->id, b)
                    : KK_ERR_NOMEM;
    if (err == KK_ERR_CORRUPT) {
        kk_buf_reset(b);
        err = KK_OK;
    }
    if (err == KK_OK) {
        f->title = strdup(kk_buf_str(b));
        if (f->title == NULL)
            err = KK_ERR_NOMEM;
    }
    kk_buf_free(b);
    return err;
}

static int findings_load(struct hub_req *r, int64_t outlet, void *out,
                         size_t *n)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_ASMT_FINDINGS);
    struct finding *v = calloc(FINDINGS_MAX, sizeof *v);
    size_t k = 0;
    int err = KK_OK;
    if (st == NULL || v == NULL) {
        free(v);
        return st == NULL ? KK_ERR_IO : KK_ERR_NOMEM;
    }
    hub_bind_i64(st, ":outlet", outlet);
    while (err == KK_OK && k < FINDINGS_MAX && sqlite3_step(st) == SQLITE_ROW)
        err = finding_read(r, st, &v[k++]);
    sqlite3_reset(st);
    if (err != KK_OK) {
        for (size_t i = 0; i < k; i++)
            finding_clear(&v[i]);
        free(v);
        return err;
    }
    *(struct finding **)out = v;
    *n = k;
    return KK_OK;
}

static int finding_get(struct hub_req *r, int64_t outlet, int64_t id, void *obj)
{
    struct finding *f = obj;
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_ASMT_FINDING_GET);
    int err = KK_ERR_NOTFOUND;
    memset(f, 0, sizeof *f);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":id", id);
    hub_bind_i64(st, ":outlet", outlet);
    if (sqlite3_step(st) == SQLITE_ROW)
        err = finding_read(r, st, f);
    sqlite3_reset(st);
    return err;
}

/* Calls fn for each control id of a comma-separated list. */
static void each_control(const char *list, void (*fn)(void *, const char *),
                         void *arg)
{
    char id[17];
    while (list != NULL && *list != '\0') {
        size_t n = strcspn(list, ",");
        if (n > 0 && n < sizeof id) {
            memcpy(id, list, n);
            id[n] = '\0';
            fn(arg, id);
        }
        list += n;
        if (*list == ',')
            list++;
    }
}

static void jw_control(void *arg, const char *id)
{
    hub_jw_str(arg, NULL, id);
}

static void finding_json(struct hub_jw *w, int64_t outlet, const void *obj)
{
    const struct finding *f = obj;
    hub_jw_int(w, "id", f->id);
    hub_jw_int(w, "outlet_id", outlet);
    if (f->assessment != 0)
        hub_jw_int(w, "assessment_id", f->assessment);
    else
        hub_jw_null(w, "assessment_id");
    hub_jw_str(w, "title", f->title != NULL ? f->title : "");
    hub_jw_key(w, "controls");
    hub_jw_arr(w);
    each_control(f->controls, jw_control, w);
    hub_jw_close(w, ']');
    hub_jw_int(w, "likelihood", f->likelihood);
    hub_jw_int(w, "impact", f->impact);
    hub_jw_int(w, "score", f->likelihood * f->impact);
    hub_jw_str(w, "status", f->status);
    hub_assess_jw_time(w, "created_at", f->created);
    hub_assess_jw_time(w, "resolved_at", f->resolved);
    hub_jw_int(w, "tasks", f->tasks);
    hub_jw_int(w, "tasks_done", f->tasks_done);
}

/* --- input --- */

static const struct hub_field finding_fields[] = {
    {"title", HUB_F_TEXT, false, 0, KK_HUB_NAME_MAX, NULL},
    {"likelihood", HUB_F_INT, false, 1, 5, NULL},
    {"impact", HUB_F_INT, false, 1, 5, NULL},
    {"status", HUB_F_ENUM, false, 0, 0, hub_assess_fstatus_from},
};
#define FF NELEM(finding_fields)

/* Values: title, likelihood, impact, status, controls (normalised). */
struct finput {
    const char *v[FF + 1];
    char num[2][8];
    char controls[CONTROLS_LEN + 1];
};

static const char *finding_why(const char *field)
{
    if (strcmp(field, "title") == 0)
        return "Give the finding a title (at most 200 bytes).";
    if (strcmp(field, "controls") == 0)
        return "Control ids of the catalogue, separated by commas (at most "
               "10).";
    if (strcmp(field, "status") == 0)
        return "One of open, resolved, accepted.";
    return "Choose a number from 1 to 5.";
}

/* Appends id to the normalised list if it is a control; false if not. */
static bool control_add(char *list, size_t cap, size_t *count, const char *id,
                        size_t len)
{
    char buf[17];
    const struct hub_control *c;
    size_t at = strlen(list);
    if (len == 0)
        return true;
    if (len >= sizeof buf || *count >= HUB_ASSESS_CONTROLS_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char ch = id[i];
        buf[i] = ch >= 'a' && ch <= 'z' ? (char)(ch - 'a' + 'A') : ch;
    }
    buf[len] = '\0';
    c = hub_catalogue_find(hub_catalogue_builtin(), buf);
    if (c == NULL)
        return false;
    if (at + len + 2 > cap)
        return false;
    snprintf(list + at, cap - at, "%s%s", at > 0 ? "," : "", c->id);
    (*count)++;
    return true;
}

static bool controls_read(struct hub_req *r, char *out, size_t cap)
{
    size_t count = 0;
    out[0] = '\0';
    if (r->json != NULL) {
        const struct hub_jv *jv =
            hub_jv_get(hub_json_root(r->json), "controls");
        if (hub_jv_type(jv) == HUB_JSON_ARRAY) {
            for (size_t i = 0; i < hub_jv_len(jv); i++) {
                const char *s = hub_jv_str(hub_jv_at(jv, i));
                if (s == NULL || strlen(s) == 0 ||
                    !control_add(out, cap, &count, s, strlen(s)))
                    return false;
            }
            return true;
        }
        if (jv != NULL && hub_jv_type(jv) != HUB_JSON_STRING &&
            hub_jv_type(jv) != HUB_JSON_NULL)
            return false;
    }
    {
        const char *s =
            r->json != NULL
                ? hub_jv_str(hub_jv_get(hub_json_root(r->json), "controls"))
                : hub_form_get(r->form, "controls");
        while (s != NULL && *s != '\0') {
            size_t n;
            s += strspn(s, " ,");
            n = strcspn(s, " ,");
            if (!control_add(out, cap, &count, s, n))
                return false;
            s += n;
        }
    }
    return true;
}

static int finding_input(struct hub_req *r, const struct finding *cur,
                         struct finput *in, const char **bad)
{
    int err = hub_fields_read(r, finding_fields, FF, in->v, bad);
    if (err != KK_OK)
        return err;
    if (!controls_read(r, in->controls, sizeof in->controls)) {
        in->v[FF] = hub_form_get(r->form, "controls");
        if (in->v[FF] == NULL)
            in->v[FF] = "";
        *bad = "controls";
        return KK_ERR_INVAL;
    }
    in->v[FF] = in->controls;
    if (cur != NULL && r->json != NULL) {
        if (!hub_assess_has(r, "title"))
            in->v[0] = cur->title;
        if (!hub_assess_has(r, "likelihood")) {
            snprintf(in->num[0], 8, "%lld", (long long)cur->likelihood);
            in->v[1] = in->num[0];
        }
        if (!hub_assess_has(r, "impact")) {
            snprintf(in->num[1], 8, "%lld", (long long)cur->impact);
            in->v[2] = in->num[1];
        }
        if (!hub_assess_has(r, "status"))
            in->v[3] = cur->status;
        if (!hub_assess_has(r, "controls"))
            in->v[FF] = cur->controls;
    }
    if (in->v[1][0] == '\0')
        in->v[1] = "3";
    if (in->v[2][0] == '\0')
        in->v[2] = "3";
    if (in->v[3][0] == '\0')
        in->v[3] = cur != NULL ? cur->status : "open";
    if (in->v[0] == NULL || in->v[0][0] == '\0') {
        *bad = "title";
        return KK_ERR_INVAL;
    }
    return KK_OK;
}

static int finding_write(struct hub_req *r, int64_t outlet, int64_t id,
                         const struct finput *in, bool create)
{
    sqlite3_stmt *st = hub_scoped(r, create ? HUB_Q_ASMT_FINDING_INSERT
                                            : HUB_Q_ASMT_FINDING_UPDATE);
    int64_t l = 3, i = 3;
    int err;
    if (st == NULL)
        return KK_ERR_IO;
    err = kk_parse_i64(in->v[1], 1, 5, &l);
    if (err == KK_OK)
        err = kk_parse_i64(in->v[2], 1, 5, &i);
    hub_bind_i64(st, ":id", id);
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_i64(st, ":assessment", 0);
    hub_bind_text(st, ":controls", in->v[FF]);
    hub_bind_i64(st, ":likelihood", l);
    hub_bind_i64(st, ":impact", i);
    hub_bind_text(st, ":status", in->v[3]);
    hub_bind_i64(st, ":now", hub_now());
    if (err == KK_OK)
        err = hub_bind_sealed(r, st, ":title", ASMT_SEAL_FINDING, id, in->v[0]);
    if (err == KK_OK)
        err = hub_exec(st);
    if (err == KK_OK && sqlite3_changes(r->db->db) != 1)
        err = KK_ERR_NOTFOUND;
    if (err == KK_OK)
        hub_audit(r, outlet, create ? "create" : "update", "finding", in->v[3]);
    return err;
}

/* --- pages --- */

static void finding_form(struct hub_req *r, const char **v, const char *bad,
                         bool edit)
{
    static const char *const st[] = {"open", "resolved", "accepted"};
    static const char *const stl[] = {"Open", "Resolved", "Risk accepted"};
#define WHY(f) (bad != NULL && strcmp(bad, f) == 0 ? finding_why(f) : NULL)
    hub_assess_input(r, "text", "title", "Title", v != NULL ? v[0] : "",
                     KK_HUB_NAME_MAX, true, WHY("title"));
    hub_assess_input(
        r, "text", "controls", "Controls (ids separated by commas)",
        v != NULL ? v[FF] : "", CONTROLS_LEN, false, WHY("controls"));
    hub_assess_scale(r, "likelihood", "Likelihood", v != NULL ? v[1] : NULL,
                     WHY("likelihood"));
    hub_assess_scale(r, "impact", "Impact", v != NULL ? v[2] : NULL,
                     WHY("impact"));
    if (edit)
        hub_assess_select(r, "status", "Status", st, stl, 3,
                          v != NULL ? v[3] : "open", true, WHY("status"));
#undef WHY
}

static void status_badge(struct hub_req *r, const char *status)
{
    hub_rawf(r, "<span class=\"kk-badge %s\">",
             strcmp(status, "open") == 0       ? "kk-bad"
             : strcmp(status, "resolved") == 0 ? "kk-ok"
                                               : "kk-na");
    hub_t(r, hub_assess_fstatus_label(status));
    hub_raw(r, "</span>");
}

static int list_page(struct hub_req *r, int64_t outlet, const char *name,
                     const char **v, const char *bad)
{
    struct finding *f = NULL;
    size_t n = 0;
    char action[96];
    int err = findings_load(r, outlet, &f, &n);
    if (err != KK_OK)
        return err;
    if (bad != NULL)
        r->status = 400;
    hub_assess_head(r, "Findings", name, outlet, "/assessments");
    hub_assess_notice(r);
    if (n == 0) {
        hub_raw(r, "<p class=\"kk-empty\">");
        hub_t(r, "No finding yet.");
        hub_raw(r, "</p>");
    } else {
        hub_raw(r, "<div class=\"kk-scroll\"><table class=\"kk-table\" "
                   "id=\"findings\"><thead><tr><th scope=\"col\">");
        hub_t(r, "Finding");
        hub_raw(r, "</th><th scope=\"col\">");
        hub_t(r, "Controls");
        hub_raw(r, "</th><th scope=\"col\">");
        hub_t(r, "Level");
        hub_raw(r, "</th><th scope=\"col\">");
        hub_t(r, "Status");
        hub_raw(r, "</th><th scope=\"col\">");
        hub_t(r, "Tasks done");
        hub_raw(r, "</th></tr></thead><tbody>");
    }
    for (size_t i = 0; i < n; i++) {
        int cls = hub_assess_risk_class(f[i].likelihood, f[i].impact);
        hub_rawf(r,
                 "<tr><th scope=\"row\"><a "
                 "href=\"/outlets/%lld/findings/%lld\">",
                 (long long)outlet, (long long)f[i].id);
        hub_esc(r, f[i].title);
        hub_raw(r, "</a></th><td>");
        hub_esc(r, f[i].controls);
        hub_rawf(r, "</td><td><span class=\"kk-badge kk-risk%d\">", cls);
        hub_t(r, hub_assess_risk_label(cls));
        hub_rawf(r, "</span> %lld &#215; %lld</td><td>",
                 (long long)f[i].likelihood, (long long)f[i].impact);
        status_badge(r, f[i].status);
        hub_rawf(r, "</td><td class=\"kk-num\">%lld / %lld</td></tr>",
                 (long long)f[i].tasks_done, (long long)f[i].tasks);
    }
    if (n > 0)
        hub_raw(r, "</tbody></table></div>");
    if (hub_assess_writer(r)) {
        snprintf(action, sizeof action, "/outlets/%lld/findings",
                 (long long)outlet);
        hub_raw(r, "<section id=\"add\"><h2>");
        hub_t(r, "Add a finding");
        hub_raw(r, "</h2>");
        hub_assess_form_open(r, action, "kk-form");
        finding_form(r, v, bad, false);
        hub_assess_form_close(r, "Add the finding", NULL);
        hub_raw(r, "</section>");
    }
    hub_page_end(r);
    for (size_t i = 0; i < n; i++)
        finding_clear(&f[i]);
    free(f);
    return KK_OK;
}

struct ctl_list {
    struct hub_req *r;
};

static void li_control(void *arg, const char *id)
{
    struct ctl_list *l = arg;
    const struct hub_control *c =
        hub_catalogue_find(hub_catalogue_builtin(), id);
    hub_raw(l->r, "<li><span class=\"kk-tag\">");
    hub_esc(l->r, id);
    hub_raw(l->r, "</span> ");
    if (c != NULL)
        hub_esc(l->r, c->title[l->r->lang]);
    hub_raw(l->r, "</li>");
}

static int finding_tasks(struct hub_req *r, int64_t outlet, int64_t id)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_ASMT_TASKS);
    char today[11];
    bool any = false;
    if (st == NULL)
        return KK_ERR_IO;
    hub_assess_today(today);
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_i64(st, ":finding", id);
    hub_bind_text(st, ":today", today);
    hub_raw(r, "<ul id=\"finding-tasks\">");
    while (sqlite3_step(st) == SQLITE_ROW) {
        any = true;
        hub_rawf(r, "<li><a href=\"/outlets/%lld/tasks/%lld\">",
                 (long long)outlet, (long long)sqlite3_column_int64(st, 0));
        hub_esc(r, hub_col_text(st, 2));
        hub_raw(r, "</a> · ");
        hub_esc(r, hub_col_text(st, 4));
        hub_raw(r, " · ");
        hub_esc(r, hub_col_text(st, 5));
        hub_raw(r, " · ");
        hub_t(r, strcmp(hub_col_text(st, 6), "done") == 0 ? "Done" : "Open");
        if (sqlite3_column_int(st, 9) != 0) {
            hub_raw(r, " <span class=\"kk-badge kk-bad\">");
            hub_t(r, "Overdue");
            hub_raw(r, "</span>");
        }
        hub_raw(r, "</li>");
    }
    sqlite3_reset(st);
    hub_raw(r, "</ul>");
    if (!any) {
        hub_raw(r, "<p class=\"kk-empty\">");
        hub_t(r, "No task yet.");
        hub_raw(r, "</p>");
    }
    return KK_OK;
}

static int finding_page(struct hub_req *r, int64_t outlet, const char *name,
                        const struct finding *f, const char **v,
                        const char *bad, const char **tv, const char *tbad)
{
    char action[128];
    struct ctl_list l = {r};
    int cls = hub_assess_risk_class(f->likelihood, f->impact);
    int err;
    if (bad != NULL || tbad != NULL)
        r->status = 400;
    hub_assess_head(r, "Finding", name, outlet, "/assessments");
    hub_assess_notice(r);
    hub_raw(r, "<h2 id=\"finding-title\">");
    hub_esc(r, f->title);
    hub_raw(r, "</h2><dl class=\"kk-facts\"><dt>");
    hub_t(r, "Status");
    hub_raw(r, "</dt><dd>");
    status_badge(r, f->status);
    hub_raw(r, "</dd><dt>");
    hub_t(r, "Level");
    hub_rawf(r, "</dt><dd><span class=\"kk-badge kk-risk%d\">", cls);
    hub_t(r, hub_assess_risk_label(cls));
    hub_rawf(r, "</span> (%lld &#215; %lld)</dd>", (long long)f->likelihood,
             (long long)f->impact);
    if (f->assessment != 0) {
        hub_raw(r, "<dt>");
        hub_t(r, "From the assessment");
        hub_rawf(r, "</dt><dd><a href=\"/outlets/%lld/assessments/%lld\">",
                 (long long)outlet, (long long)f->assessment);
        hub_t(r, "Open the sheet");
        hub_raw(r, "</a></dd>");
    }
    hub_raw(r, "</dl><h3>");
    hub_t(r, "Controls");
    hub_raw(r, "</h3><ul id=\"finding-controls\">");
    each_control(f->controls, li_control, &l);
    hub_raw(r, "</ul><h3>");
    hub_t(r, "Tasks");
    hub_raw(r, "</h3>");
    err = finding_tasks(r, outlet, f->id);
    if (err != KK_OK)
        return err;
    if (hub_assess_writer(r)) {
        snprintf(action, sizeof action, "/outlets/%lld/findings/%lld/tasks",
                 (long long)outlet, (long long)f->id);
        hub_raw(r, "<section id=\"add-task\"><h2>");
        hub_t(r, "Add a task");
        hub_raw(r, "</h2>");
        hub_assess_form_open(r, action, "kk-form");
        hub_assess_id_prefix("t-");
        err = hub_assess_task_fields(r, outlet, tv, tbad, false, "t-");
        hub_assess_id_prefix("");
        if (err != KK_OK)
            return err;
        hub_assess_form_close(r, "Add the task", NULL);
        hub_raw(r, "</section><section id=\"edit\"><h2>");
        hub_t(r, "Edit");
        hub_raw(r, "</h2>");
        snprintf(action, sizeof action, "/outlets/%lld/findings/%lld",
                 (long long)outlet, (long long)f->id);
        hub_assess_form_open(r, action, "kk-form");
        if (v == NULL) {
            static __thread char l_s[8], i_s[8];
            static __thread const char *cur[FF + 1];
            snprintf(l_s, sizeof l_s, "%lld", (long long)f->likelihood);
            snprintf(i_s, sizeof i_s, "%lld", (long long)f->impact);
            cur[0] = f->title;
            cur[1] = l_s;
            cur[2] = i_s;
            cur[3] = f->status;
            cur[FF] = f->controls;
            v = cur;
        }
        finding_form(r, v, bad, true);
        hub_assess_form_close(r, "Save", NULL);
        hub_raw(r, "</section>");
    }
    hub_rawf(r, "<p><a href=\"/outlets/%lld/findings\">", (long long)outlet);
    hub_t(r, "Back to the findings");
    hub_raw(r, "</a></p>");
    hub_page_end(r);
    return KK_OK;
}

int hub_assess_finding_page(struct hub_req *r, int64_t outlet, int64_t id,
                            const char **tv, const char *tbad)
{
    char name[KK_HUB_NAME_MAX + 1];
    struct finding f;
    int err = hub_assess_outlet(r, outlet, name, sizeof name);
    if (err != KK_OK)
        return err;
    err = finding_get(r, outlet, id, &f);
    if (err == KK_OK)
        err = finding_page(r, outlet, name, &f, NULL, NULL, tv, tbad);
    finding_clear(&f);
    return err;
}

/* --- handlers --- */

static const struct hub_assess_type finding_type = {
    .key = "findings",
    .size = sizeof(struct finding),
    .page = list_page,
    .load = findings_load,
    .get = finding_get,
    .json = finding_json,
    .clear = finding_clear,
};

int hub_assess_h_finding_list(struct hub_req *r)
{
    return hub_assess_list(r, &finding_type);
}

static int finding_answer(struct hub_req *r, int64_t outlet, int64_t id,
                          int status, const char *done)
{
    char path[128];
    snprintf(path, sizeof path, "/outlets/%lld/findings/%lld?done=%s",
             (long long)outlet, (long long)id, done);
    return hub_assess_answer(r, &finding_type, outlet, id, status, path);
}

int hub_assess_h_finding_create(struct hub_req *r)
{
    char name[KK_HUB_NAME_MAX + 1];
    struct finput in;
    const char *bad = NULL;
    int64_t outlet = r->param[0], id = 0;
    int err = hub_assess_outlet(r, outlet, name, sizeof name);
    if (err != KK_OK)
        return err;
    memset(&in, 0, sizeof in);
    if (finding_input(r, NULL, &in, &bad) != KK_OK) {
        if (r->api) {
            hub_assess_invalid(r, bad, finding_why(bad));
            return KK_OK;
        }
        return list_page(r, outlet, name, in.v, bad);
    }
    in.v[3] = "open";
    err = hub_new_id(&id);
    if (err == KK_OK)
        err = hub_tx_begin(r->db);
    if (err != KK_OK)
        return err;
    err = finding_write(r, outlet, id, &in, true);
    if (err == KK_OK)
        err = hub_tx_commit(r->db);
    else
        hub_tx_rollback(r->db);
    if (err != KK_OK)
        return err;
    return finding_answer(r, outlet, id, 201, "added");
}

int hub_assess_h_finding(struct hub_req *r)
{
    char name[KK_HUB_NAME_MAX + 1];
    struct finding f;
    struct hub_jw w;
    int64_t outlet = r->param[0];
    int err = hub_assess_outlet(r, outlet, name, sizeof name);
    if (err != KK_OK)
        return err;
    err = finding_get(r, outlet, r->param[1], &f);
    if (err == KK_OK && r->api) {
        hub_jw_begin(&w, r);
        finding_json(&w, outlet, &f);
        hub_jw_end(&w);
    } else if (err == KK_OK) {
        err = finding_page(r, outlet, name, &f, NULL, NULL, NULL, NULL);
    }
    finding_clear(&f);
    return err;
}

int hub_assess_h_finding_update(struct hub_req *r)
{
    char name[KK_HUB_NAME_MAX + 1];
    struct finput in;
    const char *bad = NULL;
    struct finding f;
    int64_t outlet = r->param[0], id = r->param[1];
    int err = hub_assess_outlet(r, outlet, name, sizeof name);
    if (err != KK_OK)
        return err;
    err = finding_get(r, outlet, id, &f);
    if (err != KK_OK)
        goto out;
    memset(&in, 0, sizeof in);
    if (finding_input(r, &f, &in, &bad) != KK_OK) {
        if (r->api)
            hub_assess_invalid(r, bad, finding_why(bad));
        else
            err = finding_page(r, outlet, name, &f, in.v, bad, NULL, NULL);
        goto out;
    }
    err = hub_tx_begin(r->db);
    if (err != KK_OK)
        goto out;
    err = finding_write(r, outlet, id, &in, false);
    if (err == KK_OK)
        err = hub_tx_commit(r->db);
    else
        hub_tx_rollback(r->db);
    if (err == KK_OK)
        err = finding_answer(r, outlet, id, 200, "saved");
out:
    finding_clear(&f);
    return err;
}
