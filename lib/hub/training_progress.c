/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * training_progress.c - an outlet's training progress: per person (hours,
 * sessions, modules covered, quiz scores before and after) and per outlet
 * (the share of people trained, the departments where nobody has been
 * trained yet, the modules nobody has attended), as a page and as JSON.
 *
 * "Trained" means present at one session at least (an archived session
 * does not count).  The reference asks whether every department,
 * administrative staff too, has been trained: the page names the
 * departments still at zero in plain words rather than leaving the reader
 * to spot a 0 in a table, because administration and finance are the ones
 * a newsroom forgets.  Every figure comes from one scoped read of the
 * outlet's people and attendance: a few dozen rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coverage.h"
#include "model.h"
#include "programme.h"
#include "training.h"

#define PEOPLE_MAX 5000
#define LIST_MAX 200

struct person_progress {
    int64_t id;
    char name[KK_HUB_NAME_MAX + 1];
    char dept[16];
    int64_t sessions, minutes, pre_sum, post_sum, both, modules;
};

struct progress {
    int64_t outlet;
    char outlet_name[KK_HUB_NAME_MAX + 1];
    struct person_progress *p;
    size_t n;
    size_t trained;
    int64_t minutes, pre_sum, post_sum, both;
    /* Per department (enum hub_department): people and trained. */
    size_t dept_people[HUB_DEPT_COUNT + 1], dept_trained[HUB_DEPT_COUNT + 1];
};

static int outlet_check(struct hub_req *r, int64_t id, char *name, size_t cap)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_OUTLET_GET);
    int err = KK_ERR_NOTFOUND, rc;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":id", id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(name, cap, "%s", hub_col_text(st, 2));
        err = KK_OK;
    } else if (rc != SQLITE_DONE) {
        err = hub_sql_err(rc);
    }
    sqlite3_reset(st);
    return err;
}

static int progress_load(struct hub_req *r, int64_t outlet, struct progress *g)
{
    sqlite3_stmt *st;
    size_t cap = 0;
    int rc = SQLITE_DONE, err;
    memset(g, 0, sizeof *g);
    g->outlet = outlet;
    err = outlet_check(r, outlet, g->outlet_name, sizeof g->outlet_name);
    if (err != KK_OK)
        return err;
    st = hub_scoped(r, HUB_Q_TR_PROGRESS_PEOPLE);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":outlet", outlet);
    while (err == KK_OK && g->n < PEOPLE_MAX &&
           (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct person_progress *x;
        int d;
        if (g->n == cap) {
            size_t nc = cap == 0 ? 32 : cap * 2;
            struct person_progress *nv = reallocarray(g->p, nc, sizeof *nv);
            if (nv == NULL) {
                err = KK_ERR_NOMEM;
                break;
            }
            g->p = nv;
            cap = nc;
        }
        x = &g->p[g->n++];
        x->id = sqlite3_column_int64(st, 0);
        snprintf(x->name, sizeof x->name, "%s", hub_col_text(st, 1));
        snprintf(x->dept, sizeof x->dept, "%s", hub_col_text(st, 2));
        x->sessions = sqlite3_column_int64(st, 3);
        x->minutes = sqlite3_column_int64(st, 4);
        x->pre_sum = sqlite3_column_int64(st, 5);
        x->post_sum = sqlite3_column_int64(st, 6);
        x->both = sqlite3_column_int64(st, 7);
        x->modules = sqlite3_column_int64(st, 8);
        d = hub_department_from_name(x->dept);
        g->dept_people[d]++;
        if (x->sessions > 0) {
            g->trained++;
            g->dept_trained[d]++;
        }
        g->minutes += x->minutes;
        g->pre_sum += x->pre_sum;
        g->post_sum += x->post_sum;
        g->both += x->both;
    }
    sqlite3_reset(st);
    if (err == KK_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        err = hub_sql_err(rc);
    return err;
}

static void progress_free(struct progress *g)
{
    free(g->p);
    g->p = NULL;
}

/* Rounded average, or -1 without data. */
static int64_t avg(int64_t sum, int64_t n)
{
    return n > 0 ? (sum + n / 2) / n : -1;
}

/* --- JSON --- */

static void jw_avg(struct hub_jw *w, const char *key, int64_t sum, int64_t n)
{
    if (n > 0)
        hub_jw_int(w, key, avg(sum, n));
    else
        hub_jw_null(w, key);
}

static int uncovered_json(struct hub_req *r, struct hub_jw *w, int64_t outlet)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_TR_PROGRESS_UNCOVERED);
    int rc;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":outlet", outlet);
    hub_jw_key(w, "modules_not_covered");
    hub_jw_arr(w);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        hub_jw_key(w, NULL);
        hub_jw_obj(w);
        hub_jw_int(w, "id", sqlite3_column_int64(st, 0));
        hub_jw_str(w, "code", hub_col_text(st, 1));
        hub_jw_str(w, "title", hub_col_text(st, 2));
        hub_jw_str(w, "audience", hub_col_text(st, 3));
        hub_jw_close(w, '}');
    }
    sqlite3_reset(st);
    hub_jw_close(w, ']');
    return rc == SQLITE_DONE ? KK_OK : hub_sql_err(rc);
}

static int sessions_json(struct hub_req *r, struct hub_jw *w, int64_t outlet)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_TR_OUTLET_SESSIONS);
    int rc;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_i64(st, ":limit", LIST_MAX);
    hub_jw_key(w, "sessions");
    hub_jw_arr(w);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        hub_jw_key(w, NULL);
        hub_jw_obj(w);
        hub_jw_int(w, "id", sqlite3_column_int64(st, 0));
        hub_jw_str(w, "title", hub_col_text(st, 1));
        hub_jw_str(w, "held_on", hub_col_text(st, 2));
        hub_jw_int(w, "days", sqlite3_column_int64(st, 3));
        hub_jw_int(w, "present", sqlite3_column_int64(st, 4));
        hub_jw_close(w, '}');
    }
    sqlite3_reset(st);
    hub_jw_close(w, ']');
    return rc == SQLITE_DONE ? KK_OK : hub_sql_err(rc);
}

static int progress_json(struct hub_req *r, const struct progress *g)
{
    struct hub_jw w;
    int err;
    hub_jw_begin(&w, r);
    hub_jw_int(&w, "outlet_id", g->outlet);
    hub_jw_int(&w, "people", (int64_t)g->n);
    hub_jw_int(&w, "trained", (int64_t)g->trained);
    hub_jw_int(&w, "minutes", g->minutes);
    jw_avg(&w, "pre_avg", g->pre_sum, g->both);
    jw_avg(&w, "post_avg", g->post_sum, g->both);
    hub_jw_key(&w, "departments");
    hub_jw_arr(&w);
    for (int d = 1; d <= HUB_DEPT_COUNT; d++) {
        if (g->dept_people[d] == 0)
            continue;
        hub_jw_key(&w, NULL);
        hub_jw_obj(&w);
        hub_jw_str(&w, "department", hub_department_name(d));
        hub_jw_int(&w, "people", (int64_t)g->dept_people[d]);
        hub_jw_int(&w, "trained", (int64_t)g->dept_trained[d]);
        hub_jw_close(&w, '}');
    }
    hub_jw_close(&w, ']');
    hub_jw_key(&w, "untrained_departments");
    hub_jw_arr(&w);
    for (int d = 1; d <= HUB_DEPT_COUNT; d++) {
        if (g->dept_people[d] > 0 && g->dept_trained[d] == 0)
            hub_jw_str(&w, NULL, hub_department_name(d));
    }
    hub_jw_close(&w, ']');
    hub_jw_key(&w, "people_progress");
    hub_jw_arr(&w);
    for (size_t i = 0; i < g->n; i++) {
        const struct person_progress *x = &g->p[i];
        hub_jw_key(&w, NULL);
        hub_jw_obj(&w);
        hub_jw_int(&w, "person", x->id);
        hub_jw_str(&w, "name", x->name);
        hub_jw_str(&w, "department", x->dept);
        hub_jw_int(&w, "sessions", x->sessions);
        hub_jw_int(&w, "minutes", x->minutes);
        hub_jw_int(&w, "modules", x->modules);
        jw_avg(&w, "pre_avg", x->pre_sum, x->both);
        jw_avg(&w, "post_avg", x->post_sum, x->both);
        hub_jw_close(&w, '}');
    }
    hub_jw_close(&w, ']');
    err = uncovered_json(r, &w, g->outlet);
    if (err == KK_OK)
        err = sessions_json(r, &w, g->outlet);
    hub_jw_end(&w);
    return err;
}

/* --- the page --- */

static void stat_open(struct hub_req *r, const char *id, const char *label)
{
    hub_rawf(r,
             "<div class=\"kk-stat\" id=\"%s\"><span class=\"kk-stat-"
             "label\">",
             id);
    hub_t(r, label);
    hub_raw(r, "</span><span class=\"kk-stat-value\">");
}

static void stats(struct hub_req *r, const struct progress *g)
{
    hub_raw(r, "<section class=\"kk-stats\" aria-label=\"");
    hub_t(r, "Training so far");
    hub_raw(r, "\">");
    stat_open(r, "tr-trained", "People trained");
    if (r->err == KK_OK)
        r->err = hub_share_format(r->out, hub_share_pm(g->trained, g->n));
    hub_rawf(r, "</span><span class=\"kk-stat-detail\">%zu / %zu</span></div>",
             g->trained, g->n);
    stat_open(r, "tr-hours", "Hours of training");
    hub_training_put_hours(r, g->minutes);
    hub_raw(r, "</span></div>");
    stat_open(r, "tr-quiz", "Average quiz score, before and after");
    if (g->both > 0)
        hub_rawf(r, "%lld &#8594; %lld", (long long)avg(g->pre_sum, g->both),
                 (long long)avg(g->post_sum, g->both));
    else
        hub_raw(r, "&#8212;");
    hub_raw(r, "</span></div></section>");
}

/* The departments still at zero, said in words. */
static void departments(struct hub_req *r, const struct progress *g)
{
    bool any = false, admin = false;
    for (int d = 1; d <= HUB_DEPT_COUNT; d++)
        any = any || (g->dept_people[d] > 0 && g->dept_trained[d] == 0);
    if (g->n == 0) {
        hub_raw(r, "<p class=\"kk-empty\">");
        hub_t(r, "Nobody is registered in this outlet yet.");
        hub_raw(r, "</p>");
        return;
    }
    if (!any) {
        hub_raw(r, "<p class=\"kk-notice\" id=\"tr-departments\">");
        hub_t(r, "Every department, administration and finance included, has "
                 "someone trained.");
        hub_raw(r, "</p>");
        return;
    }
    hub_raw(r, "<div class=\"kk-warning\" id=\"tr-departments\"><p>");
    hub_t(r, "Nobody has been trained yet in these departments:");
    hub_raw(r, "</p><ul>");
    for (int d = 1; d <= HUB_DEPT_COUNT; d++) {
        if (g->dept_people[d] == 0 || g->dept_trained[d] > 0)
            continue;
        admin = admin || d == HUB_DEPT_ADMIN || d == HUB_DEPT_FINANCE;
        hub_rawf(r, "<li data-department=\"%s\">", hub_department_name(d));
        hub_t(r, hub_department_label(d));
        hub_rawf(r, " (%zu)</li>", g->dept_people[d]);
    }
    hub_raw(r, "</ul>");
    if (admin) {
        hub_raw(r, "<p>");
        hub_t(r, "Administrative and finance staff hold the bank access, the "
                 "invoices and the register of people: attackers often go "
                 "through them. Invite them to the next session.");
        hub_raw(r, "</p>");
    }
    hub_raw(r, "</div>");
}

static void people_table(struct hub_req *r, const struct progress *g)
{
    hub_raw(r, "<h2 id=\"tr-people-h\">");
    hub_t(r, "People");
    hub_raw(r, "</h2><div class=\"kk-scroll\" tabindex=\"0\" role=\"region\" "
               "aria-labelledby=\"tr-people-h\"><table class=\"kk-table\" "
               "id=\"tr-people\"><thead><tr><th scope=\"col\">");
    hub_t(r, "Person");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Department");
    hub_raw(r, "</th><th scope=\"col\" class=\"kk-num\">");
    hub_t(r, "Sessions");
    hub_raw(r, "</th><th scope=\"col\" class=\"kk-num\">");
    hub_t(r, "Hours");
    hub_raw(r, "</th><th scope=\"col\" class=\"kk-num\">");
    hub_t(r, "Modules covered");
    hub_raw(r, "</th><th scope=\"col\" class=\"kk-num\">");
    hub_t(r, "Quiz before and after");
    hub_raw(r, "</th></tr></thead><tbody>");
    for (size_t i = 0; i < g->n; i++) {
        const struct person_progress *x = &g->p[i];
        const char *dl =
            hub_department_label(hub_department_from_name(x->dept));
        hub_rawf(r, "<tr data-person=\"%lld\"><th scope=\"row\">",
                 (long long)x->id);
        hub_esc(r, x->name);
        hub_raw(r, "</th><td>");
        hub_t(r, dl != NULL ? dl : x->dept);
        hub_rawf(r, "</td><td class=\"kk-num\">%lld</td><td class=\"kk-num\">",
                 (long long)x->sessions);
        hub_training_put_hours(r, x->minutes);
        hub_rawf(r, "</td><td class=\"kk-num\">%lld</td><td class=\"kk-num\">",
                 (long long)x->modules);
        if (x->both > 0)
            hub_rawf(r, "%lld &#8594; %lld",
                     (long long)avg(x->pre_sum, x->both),
                     (long long)avg(x->post_sum, x->both));
        else
            hub_raw(r, "<span class=\"kk-muted\">&#8212;</span>");
        hub_raw(r, "</td></tr>");
    }
    hub_raw(r, "</tbody></table></div>");
}

static int uncovered_list(struct hub_req *r, int64_t outlet)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_TR_PROGRESS_UNCOVERED);
    size_t n = 0;
    int rc;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":outlet", outlet);
    hub_raw(r, "<h2>");
    hub_t(r, "Modules nobody has attended yet");
    hub_raw(r, "</h2><ul id=\"tr-uncovered\">");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        hub_rawf(r, "<li><a href=\"/curriculum/%lld\">",
                 (long long)sqlite3_column_int64(st, 0));
        hub_esc(r, hub_module_title(r->lang, hub_col_text(st, 1),
                                    hub_col_text(st, 2)));
        hub_raw(r, "</a></li>");
        n++;
    }
    sqlite3_reset(st);
    hub_raw(r, "</ul>");
    if (n == 0) {
        hub_raw(r, "<p class=\"kk-notice\">");
        hub_t(r, "Every module of the curriculum has been covered.");
        hub_raw(r, "</p>");
    }
    return rc == SQLITE_DONE ? KK_OK : hub_sql_err(rc);
}

static int sessions_list(struct hub_req *r, int64_t outlet)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_TR_OUTLET_SESSIONS);
    size_t n = 0;
    int rc;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_i64(st, ":limit", LIST_MAX);
    hub_raw(r, "<h2>");
    hub_t(r, "Training sessions");
    hub_raw(r, "</h2><ul id=\"tr-sessions\">");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        hub_raw(r, "<li>");
        hub_esc(r, hub_col_text(st, 2));
        hub_rawf(r, " &#183; <a href=\"/sessions/%lld\">",
                 (long long)sqlite3_column_int64(st, 0));
        hub_esc(r, hub_col_text(st, 1));
        hub_raw(r, "</a> &#183; ");
        hub_t(r, "Present:");
        hub_rawf(r, " %lld</li>", (long long)sqlite3_column_int64(st, 4));
        n++;
    }
    sqlite3_reset(st);
    hub_raw(r, "</ul>");
    if (n == 0) {
        hub_raw(r, "<p class=\"kk-empty\">");
        hub_t(r, "No session has included this outlet yet.");
        hub_raw(r, "</p>");
    }
    return rc == SQLITE_DONE ? KK_OK : hub_sql_err(rc);
}

static int progress_page(struct hub_req *r, const struct progress *g)
{
    int err;
    hub_page_begin(r, "Training");
    hub_raw(r, "<p class=\"kk-sub\">");
    hub_esc(r, g->outlet_name);
    hub_raw(r, "</p>");
    hub_outlet_tabs(r, g->outlet, "/training");
    stats(r, g);
    departments(r, g);
    people_table(r, g);
    err = uncovered_list(r, g->outlet);
    if (err == KK_OK)
        err = sessions_list(r, g->outlet);
    hub_page_end(r);
    return err;
}

int hub_training_outlet(struct hub_req *r)
{
    struct progress g;
    int err = progress_load(r, r->param[0], &g);
    if (err == KK_OK)
        err = r->api ? progress_json(r, &g) : progress_page(r, &g);
    progress_free(&g);
    return err;
}
