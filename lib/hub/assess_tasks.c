/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * assess_tasks.c - the action plan: tasks with an owner (a person of the
 * outlet), a due date and a status, usually made for a finding.  Overdue
 * tasks (open, due before today in UTC) come first and are marked; the
 * reminders panel and e-mail read the same table.
 *
 * Trainers and assistants write every field; the focal point may only
 * mark a task done or open again, so a focal point's edit ignores every
 * other field (the page offers only that choice).  A task's title names
 * an action ("Turn on two-step verification on the Page admins'
 * profiles"), not a weakness, and stays in clear, so reminders can be
 * sent without the database key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess.h"
#include "model.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define TASKS_MAX 500

struct task {
    int64_t id, finding, owner, created, done_at;
    bool overdue;
    char title[KK_HUB_NAME_MAX + 1];
    char owner_name[KK_HUB_NAME_MAX + 1];
    char due[16], status[16];
};

static void task_read(sqlite3_stmt *st, struct task *t)
{
    memset(t, 0, sizeof *t);
    t->id = sqlite3_column_int64(st, 0);
    t->finding = sqlite3_column_int64(st, 1);
    snprintf(t->title, sizeof t->title, "%s", hub_col_text(st, 2));
    t->owner = sqlite3_column_int64(st, 3);
    snprintf(t->owner_name, sizeof t->owner_name, "%s", hub_col_text(st, 4));
    snprintf(t->due, sizeof t->due, "%s", hub_col_text(st, 5));
    snprintf(t->status, sizeof t->status, "%s", hub_col_text(st, 6));
    t->created = sqlite3_column_int64(st, 7);
    t->done_at = sqlite3_column_int64(st, 8);
    t->overdue = sqlite3_column_int(st, 9) != 0;
}

static int tasks_load(struct hub_req *r, int64_t outlet, void *out, size_t *n)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_ASMT_TASKS);
    struct task *v = calloc(TASKS_MAX, sizeof *v);
    char today[11];
    size_t k = 0;
    if (st == NULL || v == NULL) {
        free(v);
        return st == NULL ? KK_ERR_IO : KK_ERR_NOMEM;
    }
    hub_assess_today(today);
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_i64(st, ":finding", 0);
    hub_bind_text(st, ":today", today);
    while (k < TASKS_MAX && sqlite3_step(st) == SQLITE_ROW)
        task_read(st, &v[k++]);
    sqlite3_reset(st);
    *(struct task **)out = v;
    *n = k;
    return KK_OK;
}

static int task_get(struct hub_req *r, int64_t outlet, int64_t id, void *obj)
{
    struct task *t = obj;
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_ASMT_TASK_GET);
    char today[11];
    int err = KK_ERR_NOTFOUND;
    memset(t, 0, sizeof *t);
    if (st == NULL)
        return KK_ERR_IO;
    hub_assess_today(today);
    hub_bind_i64(st, ":id", id);
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_text(st, ":today", today);
    if (sqlite3_step(st) == SQLITE_ROW) {
        task_read(st, t);
        err = KK_OK;
    }
    sqlite3_reset(st);
    return err;
}

static void task_json(struct hub_jw *w, int64_t outlet, const void *obj)
{
    const struct task *t = obj;
    hub_jw_int(w, "id", t->id);
    hub_jw_int(w, "outlet_id", outlet);
    if (t->finding != 0)
        hub_jw_int(w, "finding_id", t->finding);
    else
        hub_jw_null(w, "finding_id");
    hub_jw_str(w, "title", t->title);
    if (t->owner != 0)
        hub_jw_int(w, "owner", t->owner);
    else
        hub_jw_null(w, "owner");
    hub_jw_str(w, "owner_name", t->owner_name);
    if (t->due[0] != '\0')
        hub_jw_str(w, "due", t->due);
    else
        hub_jw_null(w, "due");
    hub_jw_str(w, "status", t->status);
    hub_jw_bool(w, "overdue", t->overdue);
    hub_assess_jw_time(w, "created_at", t->created);
    hub_assess_jw_time(w, "done_at", t->done_at);
}

/* --- input --- */

static const struct hub_field task_fields[] = {
    {"title", HUB_F_TEXT, false, 0, KK_HUB_NAME_MAX, NULL},
    {"owner", HUB_F_ID, false, 0, 0, NULL},
    {"due", HUB_F_DATE, false, 0, 0, NULL},
    {"status", HUB_F_ENUM, false, 0, 0, hub_assess_tstatus_from},
    {"finding_id", HUB_F_ID, false, 0, 0, NULL},
};
#define TF NELEM(task_fields)

static const char *task_why(const char *field)
{
    if (strcmp(field, "title") == 0)
        return "Say what is to be done (at most 200 bytes).";
    if (strcmp(field, "owner") == 0)
        return "Choose a person of the outlet.";
    if (strcmp(field, "due") == 0)
        return "Enter a date as YYYY-MM-DD.";
    if (strcmp(field, "status") == 0)
        return "One of open, done.";
    return "Not valid.";
}

static int task_input(struct hub_req *r, const struct task *cur, const char **v,
                      char *owner_buf, size_t cap, const char **bad)
{
    int err = hub_fields_read(r, task_fields, TF, v, bad);
    if (err != KK_OK)
        return err;
    if (cur != NULL && r->json != NULL) {
        if (!hub_assess_has(r, "title"))
            v[0] = cur->title;
        if (!hub_assess_has(r, "owner")) {
            snprintf(owner_buf, cap, "%lld", (long long)cur->owner);
            v[1] = cur->owner != 0 ? owner_buf : "";
        }
        if (!hub_assess_has(r, "due"))
            v[2] = cur->due;
        if (!hub_assess_has(r, "status"))
            v[3] = cur->status;
    }
    if (v[3][0] == '\0')
        v[3] = cur != NULL ? cur->status : "open";
    /* The focal point changes the status alone. */
    if (cur != NULL && r->who.role == HUB_ROLE_FOCAL) {
        snprintf(owner_buf, cap, "%lld", (long long)cur->owner);
        v[0] = cur->title;
        v[1] = cur->owner != 0 ? owner_buf : "";
        v[2] = cur->due;
    }
    if (v[0][0] == '\0') {
        *bad = "title";
        return KK_ERR_INVAL;
    }
    return KK_OK;
}

/* Writes; KK_ERR_NOTFOUND when the owner or finding is not the outlet's
 * (like a missing id). */
static int task_write(struct hub_req *r, int64_t outlet, int64_t id,
                      int64_t finding, const char **v, bool create)
{
    sqlite3_stmt *st =
        hub_scoped(r, create ? HUB_Q_ASMT_TASK_INSERT : HUB_Q_ASMT_TASK_UPDATE);
    int64_t owner = 0;
    int err = KK_OK;
    if (st == NULL)
        return KK_ERR_IO;
    if (v[1][0] != '\0')
        err = kk_parse_i64(v[1], 1, INT64_MAX, &owner);
    hub_bind_i64(st, ":id", id);
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_i64(st, ":finding", finding);
    hub_bind_text(st, ":title", v[0]);
    hub_bind_i64(st, ":owner", owner);
    hub_bind_text(st, ":due", v[2]);
    hub_bind_text(st, ":status", v[3]);
    hub_bind_i64(st, ":now", hub_now());
    if (err == KK_OK)
        err = hub_exec(st);
    if (err == KK_OK && sqlite3_changes(r->db->db) != 1)
        err = KK_ERR_NOTFOUND;
    if (err == KK_OK)
        hub_audit(r, outlet, create ? "create" : "update", "task", v[3]);
    return err;
}

/* --- pages --- */

int hub_assess_task_fields(struct hub_req *r, int64_t outlet, const char **v,
                           const char *bad, bool edit, const char *prefix)
{
    static const char *const st[] = {"open", "done"};
    static const char *const stl[] = {"Open", "Done"};
    sqlite3_stmt *q = hub_scoped(r, HUB_Q_ASMT_PEOPLE);
    const char *owner = v != NULL ? v[1] : "";
    char num[24];
    if (q == NULL)
        return KK_ERR_IO;
#define WHY(f) (bad != NULL && strcmp(bad, f) == 0 ? task_why(f) : NULL)
    hub_assess_input(r, "text", "title", "Task", v != NULL ? v[0] : "",
                     KK_HUB_NAME_MAX, true, WHY("title"));
    hub_raw(r, "<p><label for=\"");
    hub_raw(r, prefix);
    hub_raw(r, "owner\">");
    hub_t(r, "Owner");
    hub_raw(r, "</label><select id=\"");
    hub_raw(r, prefix);
    hub_raw(r, "owner\" name=\"owner\"");
    if (WHY("owner") != NULL)
        hub_raw(r, " aria-invalid=\"true\"");
    hub_raw(r, "><option value=\"\">");
    hub_t(r, "Nobody yet");
    hub_raw(r, "</option>");
    hub_bind_i64(q, ":outlet", outlet);
    while (sqlite3_step(q) == SQLITE_ROW) {
        snprintf(num, sizeof num, "%lld",
                 (long long)sqlite3_column_int64(q, 0));
        hub_rawf(r, "<option value=\"%s\"%s>", num,
                 owner != NULL && strcmp(owner, num) == 0 ? " selected" : "");
        hub_esc(r, hub_col_text(q, 1));
        hub_raw(r, "</option>");
    }
    sqlite3_reset(q);
    hub_raw(r, "</select>");
    if (WHY("owner") != NULL) {
        hub_raw(r, "<span class=\"kk-error\" role=\"alert\">");
        hub_t(r, WHY("owner"));
        hub_raw(r, "</span>");
    }
    hub_raw(r, "</p>");
    hub_assess_input(r, "date", "due", "Due", v != NULL ? v[2] : "", 10, false,
                     WHY("due"));
    if (edit)
        hub_assess_select(r, "status", "Status", st, stl, 2,
                          v != NULL ? v[3] : "open", true, WHY("status"));
#undef WHY
    return KK_OK;
}

static void status_form(struct hub_req *r, int64_t outlet, const struct task *t)
{
    char action[128];
    bool done = strcmp(t->status, "done") == 0;
    snprintf(action, sizeof action, "/outlets/%lld/tasks/%lld",
             (long long)outlet, (long long)t->id);
    hub_assess_form_open(r, action, "kk-inline");
    hub_rawf(r, "<input type=\"hidden\" name=\"status\" value=\"%s\">",
             done ? "open" : "done");
    hub_raw(r, "<button type=\"submit\">");
    hub_t(r, done ? "Open again" : "Mark done");
    hub_raw(r, "</button></form>");
}

static int tasks_page(struct hub_req *r, int64_t outlet, const char *name,
                      const char **v, const char *bad)
{
    struct task *t = NULL;
    size_t n = 0, overdue = 0;
    char action[96];
    int err = tasks_load(r, outlet, &t, &n);
    if (err != KK_OK)
        return err;
    if (bad != NULL)
        r->status = 400;
    hub_assess_head(r, "Action plan", name, outlet, "/tasks");
    hub_assess_notice(r);
    for (size_t i = 0; i < n; i++)
        overdue += t[i].overdue;
    hub_rawf(r, "<p class=\"kk-summary\" id=\"tasks-summary\">%zu ", n);
    hub_t(r, "tasks");
    hub_rawf(r, ", %zu ", overdue);
    hub_t(r, "overdue");
    hub_raw(r, "</p>");
    if (n == 0) {
        hub_raw(r, "<p class=\"kk-empty\">");
        hub_t(r, "No task yet.");
        hub_raw(r, "</p>");
    } else {
        hub_raw(r, "<div class=\"kk-scroll\"><table class=\"kk-table\" "
                   "id=\"tasks\"><thead><tr><th scope=\"col\">");
        hub_t(r, "Task");
        hub_raw(r, "</th><th scope=\"col\">");
        hub_t(r, "Owner");
        hub_raw(r, "</th><th scope=\"col\">");
        hub_t(r, "Due");
        hub_raw(r, "</th><th scope=\"col\">");
        hub_t(r, "Status");
        hub_raw(r, "</th></tr></thead><tbody>");
    }
    for (size_t i = 0; i < n; i++) {
        hub_rawf(r,
                 "<tr%s><th scope=\"row\"><a "
                 "href=\"/outlets/%lld/tasks/%lld\">",
                 t[i].overdue ? " class=\"kk-overdue\"" : "", (long long)outlet,
                 (long long)t[i].id);
        hub_esc(r, t[i].title);
        hub_raw(r, "</a>");
        if (t[i].finding != 0) {
            hub_rawf(r,
                     "<br><a class=\"kk-hint\" "
                     "href=\"/outlets/%lld/findings/%lld\">",
                     (long long)outlet, (long long)t[i].finding);
            hub_t(r, "Finding");
            hub_raw(r, "</a>");
        }
        hub_raw(r, "</th><td>");
        hub_esc(r, t[i].owner_name);
        hub_raw(r, "</td><td>");
        hub_esc(r, t[i].due);
        if (t[i].overdue) {
            hub_raw(r, " <span class=\"kk-badge kk-bad\">");
            hub_t(r, "Overdue");
            hub_raw(r, "</span>");
        }
        hub_raw(r, "</td><td>");
        hub_rawf(r, "<span class=\"kk-badge %s\">",
                 strcmp(t[i].status, "done") == 0 ? "kk-ok" : "kk-partial");
        hub_t(r, strcmp(t[i].status, "done") == 0 ? "Done" : "Open");
        hub_raw(r, "</span> ");
        status_form(r, outlet, &t[i]);
        hub_raw(r, "</td></tr>");
    }
    if (n > 0)
        hub_raw(r, "</tbody></table></div>");
    if (hub_assess_writer(r)) {
        snprintf(action, sizeof action, "/outlets/%lld/tasks",
                 (long long)outlet);
        hub_raw(r, "<section id=\"add\"><h2>");
        hub_t(r, "Add a task");
        hub_raw(r, "</h2>");
        hub_assess_form_open(r, action, "kk-form");
        err = hub_assess_task_fields(r, outlet, v, bad, false, "");
        if (err == KK_OK)
            hub_assess_form_close(r, "Add the task", NULL);
        hub_raw(r, "</section>");
    }
    if (err == KK_OK)
        hub_page_end(r);
    free(t);
    return err;
}

static int task_page(struct hub_req *r, int64_t outlet, const char *name,
                     const struct task *t, const char **v, const char *bad)
{
    char action[128], owner[24];
    const char *cur[TF];
    int err = KK_OK;
    if (bad != NULL)
        r->status = 400;
    hub_assess_head(r, "Task", name, outlet, "/tasks");
    hub_assess_notice(r);
    hub_raw(r, "<h2 id=\"task-title\">");
    hub_esc(r, t->title);
    hub_raw(r, "</h2><dl class=\"kk-facts\"><dt>");
    hub_t(r, "Owner");
    hub_raw(r, "</dt><dd>");
    hub_esc(r, t->owner_name);
    hub_raw(r, "</dd><dt>");
    hub_t(r, "Due");
    hub_raw(r, "</dt><dd>");
    hub_esc(r, t->due);
    if (t->overdue) {
        hub_raw(r, " <span class=\"kk-badge kk-bad\">");
        hub_t(r, "Overdue");
        hub_raw(r, "</span>");
    }
    hub_raw(r, "</dd><dt>");
    hub_t(r, "Status");
    hub_raw(r, "</dt><dd id=\"task-status\">");
    hub_t(r, strcmp(t->status, "done") == 0 ? "Done" : "Open");
    hub_raw(r, "</dd>");
    if (t->finding != 0) {
        hub_raw(r, "<dt>");
        hub_t(r, "Finding");
        hub_rawf(r, "</dt><dd><a href=\"/outlets/%lld/findings/%lld\">",
                 (long long)outlet, (long long)t->finding);
        hub_t(r, "Open the finding");
        hub_raw(r, "</a></dd>");
    }
    hub_raw(r, "</dl>");
    if (hub_assess_writer(r)) {
        if (v == NULL) {
            snprintf(owner, sizeof owner, "%lld", (long long)t->owner);
            cur[0] = t->title;
            cur[1] = t->owner != 0 ? owner : "";
            cur[2] = t->due;
            cur[3] = t->status;
            cur[4] = "";
            v = cur;
        }
        snprintf(action, sizeof action, "/outlets/%lld/tasks/%lld",
                 (long long)outlet, (long long)t->id);
        hub_raw(r, "<section id=\"edit\"><h2>");
        hub_t(r, "Edit");
        hub_raw(r, "</h2>");
        hub_assess_form_open(r, action, "kk-form");
        err = hub_assess_task_fields(r, outlet, v, bad, true, "");
        if (err == KK_OK)
            hub_assess_form_close(r, "Save", NULL);
        hub_raw(r, "</section>");
    } else {
        status_form(r, outlet, t);
    }
    hub_rawf(r, "<p><a href=\"/outlets/%lld/tasks\">", (long long)outlet);
    hub_t(r, "Back to the action plan");
    hub_raw(r, "</a></p>");
    if (err == KK_OK)
        hub_page_end(r);
    return err;
}

/* --- handlers --- */

static const struct hub_assess_type task_type = {
    .key = "tasks",
    .size = sizeof(struct task),
    .page = tasks_page,
    .load = tasks_load,
    .get = task_get,
    .json = task_json,
};

int hub_assess_h_tasks(struct hub_req *r)
{
    return hub_assess_list(r, &task_type);
}

/* Creates a task of finding (0: the body's finding_id, or none). */
static int task_create(struct hub_req *r, int64_t finding)
{
    char name[KK_HUB_NAME_MAX + 1], ob[24], back[128];
    const char *v[TF], *bad = NULL;
    int64_t outlet = r->param[0], id = 0;
    int err = hub_assess_outlet(r, outlet, name, sizeof name);
    if (err != KK_OK)
        return err;
    if (task_input(r, NULL, v, ob, sizeof ob, &bad) != KK_OK) {
        if (r->api) {
            hub_assess_invalid(r, bad, task_why(bad));
            return KK_OK;
        }
        if (finding != 0)
            return hub_assess_finding_page(r, outlet, finding, v, bad);
        return tasks_page(r, outlet, name, v, bad);
    }
    if (finding == 0 && v[4][0] != '\0' &&
        kk_parse_i64(v[4], 1, INT64_MAX, &finding) != KK_OK)
        return KK_ERR_NOTFOUND;
    err = hub_new_id(&id);
    if (err == KK_OK)
        err = hub_tx_begin(r->db);
    if (err != KK_OK)
        return err;
    err = task_write(r, outlet, id, finding, v, true);
    if (err == KK_OK)
        err = hub_tx_commit(r->db);
    else
        hub_tx_rollback(r->db);
    if (err != KK_OK)
        return err;
    if (finding != 0 && r->param[1] == finding)
        snprintf(back, sizeof back, "/outlets/%lld/findings/%lld?done=added",
                 (long long)outlet, (long long)finding);
    else
        snprintf(back, sizeof back, "/outlets/%lld/tasks?done=added",
                 (long long)outlet);
    return hub_assess_answer(r, &task_type, outlet, id, 201, back);
}

int hub_assess_h_task_create(struct hub_req *r)
{
    r->param[1] = 0;
    return task_create(r, 0);
}

int hub_assess_h_finding_task(struct hub_req *r)
{
    char name[KK_HUB_NAME_MAX + 1];
    sqlite3_stmt *st;
    bool found = false;
    int err = hub_assess_outlet(r, r->param[0], name, sizeof name);
    if (err != KK_OK)
        return err;
    st = hub_scoped(r, HUB_Q_ASMT_FINDING_GET);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":id", r->param[1]);
    hub_bind_i64(st, ":outlet", r->param[0]);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    if (!found)
        return KK_ERR_NOTFOUND;
    return task_create(r, r->param[1]);
}

int hub_assess_h_task(struct hub_req *r)
{
    char name[KK_HUB_NAME_MAX + 1];
    struct task t;
    struct hub_jw w;
    int64_t outlet = r->param[0];
    int err = hub_assess_outlet(r, outlet, name, sizeof name);
    if (err != KK_OK)
        return err;
    err = task_get(r, outlet, r->param[1], &t);
    if (err != KK_OK)
        return err;
    if (!r->api)
        return task_page(r, outlet, name, &t, NULL, NULL);
    hub_jw_begin(&w, r);
    task_json(&w, outlet, &t);
    hub_jw_end(&w);
    return KK_OK;
}

int hub_assess_h_task_update(struct hub_req *r)
{
    char name[KK_HUB_NAME_MAX + 1], ob[24], back[128];
    const char *v[TF], *bad = NULL;
    struct task t;
    int64_t outlet = r->param[0], id = r->param[1];
    int err = hub_assess_outlet(r, outlet, name, sizeof name);
    if (err != KK_OK)
        return err;
    err = task_get(r, outlet, id, &t);
    if (err != KK_OK)
        return err;
    if (task_input(r, &t, v, ob, sizeof ob, &bad) != KK_OK) {
        if (r->api) {
            hub_assess_invalid(r, bad, task_why(bad));
            return KK_OK;
        }
        return task_page(r, outlet, name, &t, v, bad);
    }
    err = hub_tx_begin(r->db);
    if (err != KK_OK)
        return err;
    err = task_write(r, outlet, id, 0, v, false);
    if (err == KK_OK)
        err = hub_tx_commit(r->db);
    else
        hub_tx_rollback(r->db);
    if (err != KK_OK)
        return err;
    snprintf(back, sizeof back, "/outlets/%lld/tasks?done=saved",
             (long long)outlet);
    return hub_assess_answer(r, &task_type, outlet, id, 200, back);
}
