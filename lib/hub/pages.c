/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pages.c - the pages that answer the programme's first question, "who has
 * 2FA on what, and how is that changing": the programme dashboard, an
 * outlet's overview with its trend, the per-person matrix, a person's own
 * checklist with the fix for every open item, the control catalogue and
 * the settings; and their JSON twins (coverage, observations, me).
 *
 * Every number is computed on request from the observation log (no cache
 * to go stale); the arithmetic is coverage.c's, the loading covdata.c's.
 * Charts are inline SVG (chart.c) and always come with a table of the same
 * numbers.  Donors see only programme-wide counts, and nothing at all when
 * fewer than HUB_K_MIN people are counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "covdata.h"
#include "i18n.h"
#include "model.h"
#include "programme.h"
#include "reg.h"

/* --- small helpers --- */

static void share(struct hub_req *r, size_t num, size_t den)
{
    int pm = hub_share_pm(num, den);
    if (r->err == KK_OK)
        r->err = hub_share_format(r->out, pm);
}

static void stat_card(struct hub_req *r, const char *id, const char *label,
                      size_t num, size_t den)
{
    hub_raw(r, "<div class=\"kk-stat\" id=\"");
    hub_raw(r, id);
    hub_raw(r, "\"><span class=\"kk-stat-label\">");
    hub_t(r, label);
    hub_raw(r, "</span><span class=\"kk-stat-value\">");
    share(r, num, den);
    hub_raw(r, "</span><span class=\"kk-stat-detail\">");
    hub_rawf(r, "%zu / %zu", num, den);
    hub_raw(r, "</span></div>");
}

static void stat_cards(struct hub_req *r, const struct hub_coverage *c)
{
    hub_raw(r, "<section class=\"kk-stats\" aria-label=\"");
    hub_t(r, "Coverage now");
    hub_raw(r, "\">");
    stat_card(r, "cov-people", "People with 2FA on everything",
              c->people_covered, c->people);
    stat_card(r, "cov-email", "Work e-mail with app or key 2FA",
              c->people_email_strong, c->people_email);
    stat_card(r, "cov-accounts", "Accounts with app, key or passkey 2FA",
              c->acc_strong, c->accounts);
    stat_card(r, "cov-sms", "Accounts with SMS only (partial)", c->acc_sms,
              c->accounts);
    stat_card(r, "cov-org", "Organisation accounts: 2+ admins, all with 2FA",
              c->org_ok, c->org_accounts);
    stat_card(r, "cov-devices", "Devices fully protected", c->dev_protected,
              c->devices);
    hub_raw(r, "</section>");
}

static void device_table(struct hub_req *r, const struct hub_coverage *c)
{
    static const char *const names[HUB_DC_COUNT] = {
        "Anti-virus", "Licensed", "Updated", "Encrypted", "2FA login",
    };
    hub_raw(r, "<div class=\"kk-scroll\"><table class=\"kk-table\"><caption>");
    hub_t(r, "Device protection");
    hub_raw(r, "</caption><thead><tr>");
    for (int i = 0; i < HUB_DC_COUNT; i++) {
        hub_raw(r, "<th scope=\"col\">");
        hub_t(r, names[i]);
        hub_raw(r, "</th>");
    }
    hub_raw(r, "</tr></thead><tbody><tr>");
    for (int i = 0; i < HUB_DC_COUNT; i++) {
        hub_raw(r, "<td>");
        share(r, c->dev_pass[i], c->devices);
        hub_raw(r, "</td>");
    }
    hub_raw(r, "</tr></tbody></table></div>");
}

/* The trend chart and its table. */
static int trend(struct hub_req *r, int64_t outlet_id)
{
    struct hub_coverage *pts = calloc(HUB_TREND_MAX, sizeof *pts);
    char labels[HUB_TREND_MAX][8];
    const char *xl[HUB_TREND_MAX];
    int v[4][HUB_TREND_MAX];
    struct hub_series s[4];
    static const char *const names[4] = {
        "People with 2FA on everything",
        "Accounts with app, key or passkey 2FA",
        "Organisation accounts: 2+ admins, all with 2FA",
        "Devices fully protected",
    };
    size_t n = 0;
    int err;
    if (pts == NULL)
        return KK_ERR_NOMEM;
    err = hub_cov_trend(r, outlet_id, hub_now(), pts, labels, &n);
    if (err != KK_OK)
        goto out;
    for (size_t i = 0; i < n; i++) {
        xl[i] = strcmp(labels[i], "now") == 0 ? hub_tr_r(r, "Now") : labels[i];
        v[0][i] = hub_share_pm(pts[i].people_covered, pts[i].people);
        v[1][i] = hub_share_pm(pts[i].acc_strong, pts[i].accounts);
        v[2][i] = hub_share_pm(pts[i].org_ok, pts[i].org_accounts);
        v[3][i] = hub_share_pm(pts[i].dev_protected, pts[i].devices);
        if (r->who.role == HUB_ROLE_DONOR && pts[i].people < HUB_K_MIN)
            v[0][i] = v[1][i] = v[2][i] = v[3][i] = -1;
    }
    for (int k = 0; k < 4; k++) {
        s[k].name = hub_tr_r(r, names[k]);
        s[k].values = v[k];
    }
    hub_raw(r, "<section class=\"kk-chart\"><h2>");
    hub_t(r, "Progress since month 0");
    hub_raw(r, "</h2>");
    if (r->err == KK_OK)
        r->err = hub_chart_line(r->out, hub_tr_r(r, "Progress since month 0"),
                                hub_tr_r(r, "Share of people, accounts and "
                                            "devices protected, by month"),
                                s, 4, xl, n);
    hub_raw(r, "<div class=\"kk-scroll\"><table class=\"kk-table\" "
               "id=\"trend\"><thead><tr><th scope=\"col\">");
    hub_t(r, "Month");
    hub_raw(r, "</th>");
    for (int k = 0; k < 4; k++) {
        hub_raw(r, "<th scope=\"col\">");
        hub_t(r, names[k]);
        hub_raw(r, "</th>");
    }
    hub_raw(r, "</tr></thead><tbody>");
    for (size_t i = 0; i < n; i++) {
        hub_raw(r, "<tr><th scope=\"row\">");
        hub_esc(r, xl[i]);
        hub_raw(r, "</th>");
        for (int k = 0; k < 4; k++) {
            hub_raw(r, "<td>");
            if (r->err == KK_OK)
                r->err = hub_share_format(r->out, v[k][i]);
            hub_raw(r, "</td>");
        }
        hub_raw(r, "</tr>");
    }
    hub_raw(r, "</tbody></table></div></section>");
out:
    free(pts);
    return err;
}

static int64_t as_of(struct hub_req *r)
{
    const char *d = hub_form_get(r->query, "as_of");
    char buf[40];
    int64_t t;
    if (d == NULL || strlen(d) != 10)
        return hub_now();
    snprintf(buf, sizeof buf, "%sT23:59:59Z", d);
    if (kk_parse_time(buf, &t) != KK_OK || t > hub_now())
        return hub_now();
    return t;
}

/* --- outlets in scope --- */

struct outlet_row {
    int64_t id;
    char slug[64];
    char name[KK_HUB_NAME_MAX + 1];
};

static int outlets_in_scope(struct hub_req *r, struct outlet_row **rows,
                            size_t *n)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_OUTLETS_LIST);
    struct outlet_row *v = NULL;
    size_t k = 0, cap = 0;
    if (st == NULL)
        return KK_ERR_IO;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (k == cap) {
            size_t nc = cap != 0 ? cap * 2 : 8;
            struct outlet_row *nv = reallocarray(v, nc, sizeof *v);
            if (nv == NULL) {
                free(v);
                sqlite3_reset(st);
                return KK_ERR_NOMEM;
            }
            v = nv;
            cap = nc;
        }
        v[k].id = sqlite3_column_int64(st, 0);
        snprintf(v[k].slug, sizeof v[k].slug, "%s", hub_col_text(st, 1));
        snprintf(v[k].name, sizeof v[k].name, "%s", hub_col_text(st, 2));
        k++;
    }
    sqlite3_reset(st);
    *rows = v;
    *n = k;
    return KK_OK;
}

void hub_outlet_tabs(struct hub_req *r, int64_t id, const char *current)
{
    static const struct {
        const char *path, *label;
        const struct reg_entity *e; /* its read roles; NULL: roles */
        unsigned roles;
    } tabs[] = {
        {"", "Overview", NULL, HUB_ROLES_MANAGE},
        {"/matrix", "2FA matrix", NULL, HUB_ROLES_MANAGE},
        {"/people", "People", &reg_people, 0},
        {"/devices", "Devices", &reg_devices, 0},
        {"/accounts", "Accounts", &reg_accounts, 0},
        {"/websites", "Websites", &reg_websites, 0},
        {"/licences", "Licences", &reg_licences, 0},
        {"/assessments", "Assessments", NULL, HUB_ROLES_MANAGE},
        {"/tasks", "Action plan", NULL, HUB_ROLES_MANAGE},
        {"/training", "Training", NULL, HUB_ROLES_MANAGE},
        {"/incidents", "Incidents", NULL, HUB_ROLES_PEOPLE},
        {"/report", "Report", NULL, HUB_ROLES_MANAGE},
        {"/audit", "Changes", NULL, HUB_ROLES_MANAGE},
    };
    hub_raw(r, "<nav class=\"kk-tabs\" aria-label=\"");
    hub_t(r, "Outlet");
    hub_raw(r, "\"><ul>");
    for (size_t i = 0; i < sizeof tabs / sizeof tabs[0]; i++) {
        unsigned roles =
            tabs[i].e != NULL ? tabs[i].e->read_roles : tabs[i].roles;
        if (!(roles & HUB_ROLEBIT(r->who.role)))
            continue;
        hub_rawf(r, "<li><a href=\"/outlets/%lld%s\"%s>", (long long)id,
                 tabs[i].path,
                 strcmp(tabs[i].path, current) == 0 ? " aria-current=\"page\""
                                                    : "");
        hub_t(r, tabs[i].label);
        hub_raw(r, "</a></li>");
    }
    hub_raw(r, "</ul></nav>");
}

/* --- GET / --- */

static int dashboard_programme(struct hub_req *r)
{
    struct outlet_row *rows = NULL;
    size_t n = 0;
    struct hub_coverage all;
    int *bars = NULL;
    const char **labels = NULL;
    uint64_t gen = hub_data_generation(r->db);
    size_t from;
    int err;
    hub_page_begin(r, "Programme dashboard");
    if (r->who.role != HUB_ROLE_DONOR)
        hub_reminders_panel(r, 0);
    if (hub_frag_emit(r, "dash", 0, gen)) {
        hub_page_end(r);
        return KK_OK;
    }
    from = kk_buf_len(r->out);
    err = hub_cov_load(r, 0, hub_now(), &all);
    if (err != KK_OK)
        return err;
    if (r->who.role == HUB_ROLE_DONOR && all.people < HUB_K_MIN) {
        hub_raw(r, "<p>");
        hub_t(r, "Not enough people are registered yet to show figures "
                 "without identifying anyone.");
        hub_raw(r, "</p>");
        hub_page_end(r);
        return KK_OK;
    }
    stat_cards(r, &all);
    device_table(r, &all);
    err = trend(r, 0);
    if (err != KK_OK || r->who.role == HUB_ROLE_DONOR)
        goto done;
    err = outlets_in_scope(r, &rows, &n);
    if (err != KK_OK)
        goto done;
    bars = calloc(n + 1, sizeof *bars);
    labels = calloc(n + 1, sizeof *labels);
    if (bars == NULL || labels == NULL) {
        err = KK_ERR_NOMEM;
        goto done;
    }
    hub_raw(r, "<section><h2>");
    hub_t(r, "Outlets");
    hub_raw(r, "</h2><div class=\"kk-scroll\"><table class=\"kk-table\" "
               "id=\"outlets\"><thead><tr><th scope=\"col\">");
    hub_t(r, "Outlet");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "People");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "People with 2FA on everything");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Accounts with app, key or passkey 2FA");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Organisation accounts: 2+ admins, all with 2FA");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Devices fully protected");
    hub_raw(r, "</th></tr></thead><tbody>");
    for (size_t i = 0; i < n && err == KK_OK; i++) {
        struct hub_coverage c;
        err = hub_cov_load(r, rows[i].id, hub_now(), &c);
        if (err != KK_OK)
            break;
        bars[i] = hub_share_pm(c.people_covered, c.people);
        labels[i] = rows[i].name;
        hub_rawf(r, "<tr><th scope=\"row\"><a href=\"/outlets/%lld\">",
                 (long long)rows[i].id);
        hub_esc(r, rows[i].name);
        hub_rawf(r, "</a></th><td>%zu</td><td>", c.people);
        share(r, c.people_covered, c.people);
        hub_raw(r, "</td><td>");
        share(r, c.acc_strong, c.accounts);
        hub_raw(r, "</td><td>");
        share(r, c.org_ok, c.org_accounts);
        hub_raw(r, "</td><td>");
        share(r, c.dev_protected, c.devices);
        hub_raw(r, "</td></tr>");
    }
    hub_raw(r, "</tbody></table></div>");
    if (err == KK_OK && n > 0 && r->err == KK_OK)
        r->err = hub_chart_bars(
            r->out, hub_tr_r(r, "People with 2FA on everything"),
            hub_tr_r(r, "Share of each outlet's people with 2FA on every "
                        "account"),
            labels, bars, n);
    hub_raw(r, "</section>");
done:
    if (err == KK_OK) {
        hub_frag_store(r, "dash", 0, gen, from);
        hub_page_end(r);
    }
    free(rows);
    free(bars);
    free(labels);
    return err;
}

static int dashboard(struct hub_req *r)
{
    char path[64];
    switch (r->who.role) {
    case HUB_ROLE_STAFF:
        hub_redirect(r, "/me");
        return KK_OK;
    case HUB_ROLE_FOCAL:
        snprintf(path, sizeof path, "/outlets/%lld",
                 (long long)r->who.outlet_id);
        hub_redirect(r, path);
        return KK_OK;
    case HUB_ROLE_DEVICE:
        hub_fail(r, 403, "forbidden", "Device tokens have no pages.");
        return KK_OK;
    case HUB_ROLE_PANEL:
        hub_redirect(r, "/calls");
        return KK_OK;
    default:
        return dashboard_programme(r);
    }
}

/* --- GET /outlets/{id} --- */

static bool outlet_name(struct hub_req *r, int64_t id, char *name, size_t cap)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_OUTLET_GET);
    bool found = false;
    hub_bind_i64(st, ":id", id);
    if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
        snprintf(name, cap, "%s", hub_col_text(st, 2));
        found = true;
    }
    if (st != NULL)
        sqlite3_reset(st);
    return found;
}

static void page_heading(struct hub_req *r, const char *title,
                         const char *outlet)
{
    hub_page_begin(r, title);
    hub_raw(r, "<p class=\"kk-sub\">");
    hub_esc(r, outlet);
    hub_raw(r, "</p>");
}

/* "Show the figures as of [date]": any past day, from the observation log. */
/* "Show the figures as of [date]": any past day, from the observation log.
 * Without a date the form is empty, so the cached overview holds no day. */
static void as_of_form(struct hub_req *r, int64_t id)
{
    const char *d = hub_form_get(r->query, "as_of");
    hub_rawf(r,
             "<form method=\"get\" action=\"/outlets/%lld\" "
             "class=\"kk-form kk-asof\"><p><label for=\"as_of\">",
             (long long)id);
    hub_t(r, "Figures as of");
    hub_raw(r, "</label><input type=\"date\" id=\"as_of\" name=\"as_of\" "
               "value=\"");
    hub_esc(r, d != NULL && strlen(d) == 10 ? d : "");
    hub_raw(r, "\"> <button type=\"submit\">");
    hub_t(r, "Show");
    hub_raw(r, "</button></p></form>");
}

static int outlet_overview(struct hub_req *r)
{
    int64_t id = r->param[0];
    char name[KK_HUB_NAME_MAX + 1];
    struct hub_coverage c;
    int err;
    uint64_t gen = hub_data_generation(r->db);
    bool now = hub_form_get(r->query, "as_of") == NULL;
    size_t from;
    if (!outlet_name(r, id, name, sizeof name))
        return KK_ERR_NOTFOUND;
    page_heading(r, "Outlet overview", name);
    if (now)
        hub_reminders_panel(r, id);
    if (now && hub_frag_emit(r, "outlet", id, gen)) {
        hub_site_overview(r, id);
        hub_page_end(r);
        return KK_OK;
    }
    from = kk_buf_len(r->out);
    err = hub_cov_load(r, id, as_of(r), &c);
    if (err != KK_OK)
        return err;
    hub_outlet_tabs(r, id, "");
    as_of_form(r, id);
    stat_cards(r, &c);
    device_table(r, &c);
    err = trend(r, id);
    if (err == KK_OK) {
        if (now)
            hub_frag_store(r, "outlet", id, gen, from);
        hub_site_overview(r, id);
        hub_page_end(r);
    }
    return err;
}

/* --- GET /outlets/{id}/matrix --- */

static const int matrix_platforms[] = {
    HUB_PF_EMAIL,         HUB_PF_FB_PROFILE, HUB_PF_INSTAGRAM,
    HUB_PF_TELEGRAM_USER, HUB_PF_WHATSAPP,   HUB_PF_OK,
};
#define MATRIX_COLS (sizeof matrix_platforms / sizeof matrix_platforms[0])

struct matrix_row {
    int64_t person;
    int best[MATRIX_COLS]; /* weakest method seen, 0 = no account */
    int other;             /* weakest method of other accounts */
};

static int tfa_rank(int tfa)
{
    return hub_tfa_score(tfa) + (tfa != 0 ? 1 : 0);
}

static void matrix_cell(struct hub_req *r, int tfa)
{
    const char *cls = tfa == 0              ? "kk-na"
                      : hub_tfa_strong(tfa) ? "kk-ok"
                      : tfa == HUB_TFA_SMS  ? "kk-partial"
                                            : "kk-bad";
    hub_rawf(r, "<td class=\"%s\">", cls);
    if (tfa > 0)
        hub_t(r, hub_tfa_label(tfa));
    else if (tfa < 0)
        hub_t(r, "Not recorded");
    else
        hub_raw(r, "–");
    hub_raw(r, "</td>");
}

static void matrix_flush(struct hub_req *r, const struct matrix_row *m,
                         const char *name, const char *dept)
{
    hub_raw(r, "<tr><th scope=\"row\">");
    hub_esc(r, name);
    hub_raw(r, "<br><small>");
    hub_t(r, hub_department_label(hub_department_from_name(dept)) != NULL
                 ? hub_department_label(hub_department_from_name(dept))
                 : dept);
    hub_raw(r, "</small></th>");
    for (size_t i = 0; i < MATRIX_COLS; i++)
        matrix_cell(r, m->best[i]);
    matrix_cell(r, m->other);
    hub_raw(r, "</tr>");
}

static void matrix_note(struct matrix_row *m, int pf, int tfa)
{
    int *slot = &m->other;
    int v = tfa != 0 ? tfa : -1; /* -1: account without a record */
    for (size_t i = 0; i < MATRIX_COLS; i++) {
        if (matrix_platforms[i] == pf)
            slot = &m->best[i];
    }
    /* Show the weakest: one weak account is the way in. */
    if (*slot == 0 || (v > 0 && *slot > 0 && tfa_rank(v) < tfa_rank(*slot)) ||
        v < 0)
        *slot = *slot < 0 && v > 0 ? *slot : v;
}

static int outlet_matrix(struct hub_req *r)
{
    int64_t id = r->param[0];
    char name[KK_HUB_NAME_MAX + 1], pname[KK_HUB_NAME_MAX + 1] = "";
    char dept[32] = "";
    struct matrix_row m;
    sqlite3_stmt *st;
    if (!outlet_name(r, id, name, sizeof name))
        return KK_ERR_NOTFOUND;
    page_heading(r, "2FA matrix", name);
    hub_outlet_tabs(r, id, "/matrix");
    hub_raw(r, "<p>");
    hub_t(r, "Each cell shows the weakest second factor of that person's "
             "accounts on the platform.");
    hub_raw(r, "</p><div class=\"kk-scroll\"><table class=\"kk-table "
               "kk-matrix\" id=\"matrix\"><thead><tr><th scope=\"col\">");
    hub_t(r, "Person");
    hub_raw(r, "</th>");
    for (size_t i = 0; i < MATRIX_COLS; i++) {
        hub_raw(r, "<th scope=\"col\">");
        hub_t(r, hub_platform_label(matrix_platforms[i]));
        hub_raw(r, "</th>");
    }
    hub_raw(r, "<th scope=\"col\">");
    hub_t(r, "Other");
    hub_raw(r, "</th></tr></thead><tbody>");
    memset(&m, 0, sizeof m);
    st = hub_scoped(r, HUB_Q_MATRIX);
    hub_bind_i64(st, ":outlet", id);
    hub_bind_i64(st, ":t", hub_now());
    while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
        int64_t pid = sqlite3_column_int64(st, 0);
        if (pid != m.person) {
            if (m.person != 0)
                matrix_flush(r, &m, pname, dept);
            memset(&m, 0, sizeof m);
            m.person = pid;
            snprintf(pname, sizeof pname, "%s", hub_col_text(st, 1));
            snprintf(dept, sizeof dept, "%s", hub_col_text(st, 2));
        }
        if (sqlite3_column_type(st, 3) != SQLITE_NULL)
            matrix_note(&m, hub_platform_from_name(hub_col_text(st, 4)),
                        sqlite3_column_type(st, 5) == SQLITE_NULL
                            ? 0
                            : hub_tfa_from_name(hub_col_text(st, 5)));
    }
    if (st != NULL)
        sqlite3_reset(st);
    if (m.person != 0)
        matrix_flush(r, &m, pname, dept);
    hub_raw(r, "</tbody></table></div>");
    hub_page_end(r);
    return KK_OK;
}

/* --- GET /me: the person's own checklist --- */

enum item_state { IT_OPEN, IT_PARTIAL, IT_UNKNOWN, IT_DONE };

struct item {
    const struct hub_control *ctl;
    int state;
    const char *stype; /* for the "done" form; NULL: changed elsewhere */
    int64_t sid;
    char subject[KK_HUB_NAME_MAX + 1];
    char link[96];
};

struct checklist {
    struct item *v;
    size_t n, cap;
};

static int item_add(struct checklist *cl, const struct hub_control *ctl,
                    int state, const char *subject, const char *link,
                    const char *stype, int64_t sid)
{
    if (ctl == NULL)
        return KK_OK;
    if (cl->n == cl->cap) {
        size_t nc = cl->cap != 0 ? cl->cap * 2 : 32;
        struct item *nv = reallocarray(cl->v, nc, sizeof *nv);
        if (nv == NULL)
            return KK_ERR_NOMEM;
        cl->v = nv;
        cl->cap = nc;
    }
    cl->v[cl->n].ctl = ctl;
    cl->v[cl->n].state = state;
    cl->v[cl->n].stype = stype;
    cl->v[cl->n].sid = sid;
    snprintf(cl->v[cl->n].subject, sizeof cl->v[cl->n].subject, "%s", subject);
    snprintf(cl->v[cl->n].link, sizeof cl->v[cl->n].link, "%s", link);
    cl->n++;
    return KK_OK;
}

static int state_of(const char *status, int64_t expires, int64_t now)
{
    int s = hub_obs_status_from_name(status);
    if (expires != 0 && expires < now)
        return IT_UNKNOWN;
    switch (s) {
    case HUB_OBS_PASS:
    case HUB_OBS_NA:
        return IT_DONE;
    case HUB_OBS_PARTIAL:
        return IT_PARTIAL;
    case HUB_OBS_FAIL:
        return IT_OPEN;
    default:
        return IT_UNKNOWN;
    }
}

/* Items for the controls of one subject that apply to it. */
static int subject_items(struct hub_req *r, struct checklist *cl,
                         const char *stype, int64_t sid, const char *label,
                         const char *link, int dev_kind)
{
    const struct hub_catalogue *cat = hub_catalogue_builtin();
    sqlite3_stmt *st;
    int64_t now = hub_now();
    int err = KK_OK;
    char seen_ids[64][12];
    int seen_state[64];
    size_t seen = 0;
    st = hub_scoped(r, HUB_Q_OBS_LATEST);
    hub_bind_text(st, ":stype", stype);
    hub_bind_i64(st, ":sid", sid);
    hub_bind_i64(st, ":t", now);
    while (st != NULL && sqlite3_step(st) == SQLITE_ROW && seen < 64) {
        snprintf(seen_ids[seen], sizeof seen_ids[seen], "%s",
                 hub_col_text(st, 0));
        seen_state[seen] =
            state_of(hub_col_text(st, 1), sqlite3_column_int64(st, 6), now);
        seen++;
    }
    if (st != NULL)
        sqlite3_reset(st);
    for (size_t i = 0; cat != NULL && i < hub_catalogue_len(cat); i++) {
        const struct hub_control *c = hub_catalogue_at(cat, i);
        int state = IT_UNKNOWN;
        if (strcmp(c->applies, stype) != 0 || strcmp(c->level, "baseline"))
            continue;
        if (dev_kind != 0) {
            bool phone =
                dev_kind == HUB_DEV_PHONE || dev_kind == HUB_DEV_TABLET;
            if (phone != (strcmp(c->id, "DEV-16") == 0))
                continue;
            if (dev_kind == HUB_DEV_ROUTER || dev_kind == HUB_DEV_SERVER)
                continue;
        }
        for (size_t k = 0; k < seen; k++) {
            if (strcmp(seen_ids[k], c->id) == 0)
                state = seen_state[k];
        }
        err = item_add(cl, c, state, label, link,
                       strcmp(c->source, "manual") == 0 ? stype : NULL, sid);
        if (err != KK_OK)
            break;
    }
    return err;
}

static int cmp_item(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    if (x->state != y->state)
        return x->state - y->state;
    return y->ctl->weight - x->ctl->weight;
}

/* "I have done this": a person attests an item (source manual); the
 * trainer's spot checks record their own observations later. */
static void done_form(struct hub_req *r, const struct item *it)
{
    hub_raw(r, "<form method=\"post\" action=\"/observe\" "
               "class=\"kk-inline\">");
    hub_csrf_field(r);
    hub_raw(r, "<input type=\"hidden\" name=\"subject_type\" value=\"");
    hub_esc(r, it->stype);
    hub_rawf(r,
             "\"><input type=\"hidden\" name=\"subject_id\" "
             "value=\"%lld\"><input type=\"hidden\" name=\"control_id\" "
             "value=\"",
             (long long)it->sid);
    hub_esc(r, it->ctl->id);
    hub_raw(r, "\"><input type=\"hidden\" name=\"status\" value=\"pass\">"
               "<button type=\"submit\">");
    hub_t(r, "I have done this");
    hub_raw(r, "</button></form>");
}

static void checklist_render(struct hub_req *r, struct checklist *cl)
{
    static const char *const state_names[] = {
        "To do",
        "Partly done",
        "Not checked yet",
        "Done",
    };
    static const char *const state_cls[] = {
        "kk-bad",
        "kk-partial",
        "kk-unknown",
        "kk-ok",
    };
    size_t open = 0;
    if (cl->n > 1)
        qsort(cl->v, cl->n, sizeof *cl->v, cmp_item);
    for (size_t i = 0; i < cl->n; i++)
        open += cl->v[i].state != IT_DONE;
    hub_raw(r, "<p class=\"kk-summary\" id=\"checklist-summary\">");
    hub_rawf(r, "%zu / %zu ", cl->n - open, cl->n);
    hub_t(r, "items done");
    hub_raw(r, "</p><ol class=\"kk-checklist\" id=\"checklist\">");
    for (size_t i = 0; i < cl->n; i++) {
        const struct item *it = &cl->v[i];
        hub_rawf(r, "<li class=\"%s\"><h3><span class=\"kk-badge\">",
                 state_cls[it->state]);
        hub_t(r, state_names[it->state]);
        hub_raw(r, "</span> ");
        hub_esc(r, it->ctl->title[r->lang]);
        hub_raw(r, "</h3><p class=\"kk-sub\">");
        if (it->link[0] != '\0') {
            hub_raw(r, "<a href=\"");
            hub_esc(r, it->link);
            hub_raw(r, "\">");
            hub_esc(r, it->subject);
            hub_raw(r, "</a>");
        } else {
            hub_esc(r, it->subject);
        }
        hub_raw(r, " · ");
        hub_esc(r, it->ctl->id);
        hub_raw(r, "</p>");
        if (it->state != IT_DONE) {
            hub_raw(r, "<p><strong>");
            hub_t(r, "Why:");
            hub_raw(r, "</strong> ");
            hub_esc(r, it->ctl->why[r->lang]);
            hub_raw(r, "</p><div class=\"kk-fix\"><strong>");
            hub_t(r, "How to fix it:");
            hub_raw(r, "</strong><p>");
            hub_esc(r, it->ctl->fix[r->lang]);
            hub_raw(r, "</p></div>");
            if (it->stype != NULL)
                done_form(r, it);
        }
        hub_raw(r, "</li>");
    }
    hub_raw(r, "</ol>");
}

static int me_build(struct hub_req *r, struct checklist *cl, char *name,
                    size_t cap)
{
    sqlite3_stmt *st;
    int64_t pid = r->who.person_id, outlet = 0;
    int err = KK_OK;
    struct acct {
        int64_t id, outlet;
        int pf, tfa;
        char handle[KK_HUB_NAME_MAX + 1];
    } *acc = NULL;
    size_t n_acc = 0;
    st = hub_scoped(r, HUB_Q_ME_PERSON);
    hub_bind_i64(st, ":person", pid);
    if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
        snprintf(name, cap, "%s", hub_col_text(st, 0));
        outlet = sqlite3_column_int64(st, 1);
    }
    if (st != NULL)
        sqlite3_reset(st);
    if (outlet == 0)
        return KK_ERR_NOTFOUND;
    err = subject_items(r, cl, "person", pid, name, "", 0);
    /* Accounts: the 2FA method decides the item's state. */
    acc = calloc(KK_HUB_PAGE_ROWS, sizeof *acc);
    if (acc == NULL)
        return KK_ERR_NOMEM;
    st = hub_scoped(r, HUB_Q_ME_ACCOUNTS);
    hub_bind_i64(st, ":person", pid);
    hub_bind_i64(st, ":t", hub_now());
    while (st != NULL && sqlite3_step(st) == SQLITE_ROW &&
           n_acc < KK_HUB_PAGE_ROWS) {
        acc[n_acc].id = sqlite3_column_int64(st, 0);
        acc[n_acc].pf = hub_platform_from_name(hub_col_text(st, 1));
        snprintf(acc[n_acc].handle, sizeof acc[n_acc].handle, "%s",
                 hub_col_text(st, 2));
        acc[n_acc].tfa = sqlite3_column_type(st, 3) == SQLITE_NULL
                             ? 0
                             : hub_tfa_from_name(hub_col_text(st, 3));
        acc[n_acc].outlet = sqlite3_column_int64(st, 4);
        n_acc++;
    }
    if (st != NULL)
        sqlite3_reset(st);
    for (size_t i = 0; i < n_acc && err == KK_OK; i++) {
        const struct hub_control *c = hub_catalogue_find(
            hub_catalogue_builtin(), hub_platform_control(acc[i].pf));
        char label[KK_HUB_NAME_MAX * 2], link[96];
        int state = acc[i].tfa == 0              ? IT_UNKNOWN
                    : hub_tfa_strong(acc[i].tfa) ? IT_DONE
                    : acc[i].tfa == HUB_TFA_SMS  ? IT_PARTIAL
                                                 : IT_OPEN;
        snprintf(label, sizeof label, "%s: %s",
                 hub_tr_r(r, hub_platform_label(acc[i].pf)), acc[i].handle);
        snprintf(link, sizeof link, "/outlets/%lld/accounts/%lld",
                 (long long)acc[i].outlet, (long long)acc[i].id);
        err = item_add(cl, c, state, label, link, NULL, 0);
    }
    free(acc);
    st = hub_scoped(r, HUB_Q_ME_DEVICES);
    hub_bind_i64(st, ":person", pid);
    while (err == KK_OK && st != NULL && sqlite3_step(st) == SQLITE_ROW) {
        int64_t did = sqlite3_column_int64(st, 0);
        int kind = hub_device_kind_from_name(hub_col_text(st, 1));
        char label[KK_HUB_NAME_MAX * 2], link[96];
        snprintf(label, sizeof label, "%s %s %s", hub_col_text(st, 2),
                 hub_col_text(st, 3), hub_col_text(st, 4));
        snprintf(link, sizeof link, "/outlets/%lld/devices/%lld",
                 (long long)sqlite3_column_int64(st, 5), (long long)did);
        err = subject_items(r, cl, "device", did, label, link,
                            kind != 0 ? kind : HUB_DEV_DESKTOP);
    }
    if (st != NULL)
        sqlite3_reset(st);
    return err;
}

static int me_page(struct hub_req *r)
{
    struct checklist cl = {0};
    char name[KK_HUB_NAME_MAX + 1] = "";
    int err = KK_OK;
    if (r->who.person_id == 0) {
        hub_page_begin(r, "My checklist");
        hub_raw(r, "<p>");
        hub_t(r, "Your login is not linked to a person in the register, so "
                 "there is no personal checklist.");
        hub_raw(r, "</p>");
        hub_page_end(r);
        return KK_OK;
    }
    err = me_build(r, &cl, name, sizeof name);
    if (err == KK_OK) {
        page_heading(r, "My checklist", name);
        checklist_render(r, &cl);
        hub_page_end(r);
    }
    free(cl.v);
    return err;
}

/* --- GET /catalogue --- */

static int catalogue_page(struct hub_req *r)
{
    const struct hub_catalogue *cat = hub_catalogue_builtin();
    int area = 0;
    hub_page_begin(r, "Controls");
    for (size_t i = 0; cat != NULL && i < hub_catalogue_len(cat); i++) {
        const struct hub_control *c = hub_catalogue_at(cat, i);
        if (c->area != area) {
            if (area != 0)
                hub_raw(r, "</dl>");
            area = c->area;
            hub_raw(r, "<h2>");
            hub_t(r, hub_area_label(area));
            hub_raw(r, "</h2><dl class=\"kk-controls\">");
        }
        hub_raw(r, "<dt id=\"");
        hub_esc(r, c->id);
        hub_raw(r, "\">");
        hub_esc(r, c->id);
        hub_raw(r, " · ");
        hub_esc(r, c->title[r->lang]);
        if (strcmp(c->level, "advanced") == 0) {
            hub_raw(r, " <span class=\"kk-badge\">");
            hub_t(r, "advanced");
            hub_raw(r, "</span>");
        }
        hub_raw(r, "</dt><dd><p><strong>");
        hub_t(r, "Why:");
        hub_raw(r, "</strong> ");
        hub_esc(r, c->why[r->lang]);
        hub_raw(r, "</p><p><strong>");
        hub_t(r, "How to check:");
        hub_raw(r, "</strong> ");
        hub_esc(r, c->verify[r->lang]);
        hub_raw(r, "</p><div class=\"kk-fix\"><strong>");
        hub_t(r, "How to fix it:");
        hub_raw(r, "</strong><p>");
        hub_esc(r, c->fix[r->lang]);
        hub_raw(r, "</p></div></dd>");
    }
    if (area != 0)
        hub_raw(r, "</dl>");
    hub_page_end(r);
    return KK_OK;
}

/* --- /settings --- */

static void settings_form(struct hub_req *r, const char *notice)
{
    hub_page_begin(r, "Settings");
    if (notice != NULL) {
        hub_raw(r, "<p class=\"kk-notice\" role=\"status\">");
        hub_t(r, notice);
        hub_raw(r, "</p>");
    }
    hub_raw(r, "<form method=\"post\" action=\"/settings\" class=\"kk-form\">");
    hub_csrf_field(r);
    hub_raw(r, "<p><label for=\"lang\">");
    hub_t(r, "Language");
    hub_raw(r, "</label><select id=\"lang\" name=\"lang\">");
    for (int l = 0; l < HUB_LANG_COUNT; l++) {
        hub_raw(r, "<option value=\"");
        hub_raw(r, hub_lang_code(l));
        hub_raw(r, l == r->lang ? "\" selected>" : "\">");
        hub_esc(r, hub_lang_native(l));
        hub_raw(r, "</option>");
    }
    hub_raw(r, "</select></p><p><button type=\"submit\">");
    hub_t(r, "Save");
    hub_raw(r, "</button></p></form>");
    hub_page_end(r);
}

static int settings_get(struct hub_req *r)
{
    settings_form(r, NULL);
    return KK_OK;
}

static int settings_post(struct hub_req *r)
{
    const char *l = hub_form_get(r->form, "lang");
    int lang = l != NULL ? hub_lang_from_code(l) : -1;
    sqlite3_stmt *st;
    int err;
    if (lang < 0) {
        r->status = 400;
        settings_form(r, "Choose a language from the list.");
        return KK_OK;
    }
    st = hub_q(r->db, HUB_Q_USER_SET_LANG);
    hub_bind_text(st, ":lang", hub_lang_code(lang));
    hub_bind_i64(st, ":id", r->who.user_id);
    err = hub_exec(st);
    if (err != KK_OK)
        return err;
    r->lang = lang;
    /* The footer's switch cookie would override the setting: clear it. */
    hub_set_header(r, "Set-Cookie",
                   "kk_lang=; Path=/; Max-Age=0; SameSite=Lax");
    settings_form(r, "Saved.");
    return KK_OK;
}

/* --- JSON: coverage, observations, me --- */

static void jw_share(struct hub_jw *w, const char *key, size_t num, size_t den)
{
    hub_jw_key(w, key);
    hub_jw_obj(w);
    hub_jw_int(w, "count", (int64_t)num);
    hub_jw_int(w, "of", (int64_t)den);
    hub_jw_key(w, "permille");
    if (den == 0)
        hub_raw(w->r, "null");
    else
        hub_rawf(w->r, "%d", hub_share_pm(num, den));
    hub_jw_close(w, '}');
}

static void jw_coverage(struct hub_jw *w, const struct hub_coverage *c)
{
    static const char *const dev_keys[HUB_DC_COUNT] = {
        "antivirus", "licensed", "updated", "encrypted", "tfa_login",
    };
    jw_share(w, "people_covered", c->people_covered, c->people);
    jw_share(w, "email_strong", c->people_email_strong, c->people_email);
    jw_share(w, "accounts_strong", c->acc_strong, c->accounts);
    jw_share(w, "accounts_sms", c->acc_sms, c->accounts);
    jw_share(w, "accounts_none", c->acc_none, c->accounts);
    jw_share(w, "accounts_unknown", c->acc_unknown, c->accounts);
    jw_share(w, "org_accounts_ok", c->org_ok, c->org_accounts);
    jw_share(w, "org_accounts_two_admins", c->org_two_admins, c->org_accounts);
    jw_share(w, "devices_protected", c->dev_protected, c->devices);
    hub_jw_key(w, "devices");
    hub_jw_obj(w);
    for (int i = 0; i < HUB_DC_COUNT; i++)
        jw_share(w, dev_keys[i], c->dev_pass[i], c->devices);
    hub_jw_close(w, '}');
}

static int coverage_json(struct hub_req *r, int64_t outlet_id)
{
    struct hub_coverage c;
    struct hub_coverage *pts = calloc(HUB_TREND_MAX, sizeof *pts);
    char labels[HUB_TREND_MAX][8], ts[32];
    size_t n = 0;
    int64_t t = as_of(r);
    struct hub_jw w;
    uint64_t gen = hub_data_generation(r->db);
    bool now = hub_form_get(r->query, "as_of") == NULL;
    int err;
    if (pts == NULL)
        return KK_ERR_NOMEM;
    r->ctype = "application/json";
    if (now && hub_frag_emit(r, "cov.json", outlet_id, gen)) {
        free(pts);
        return KK_OK;
    }
    err = hub_cov_load(r, outlet_id, t, &c);
    if (err == KK_OK)
        err = hub_cov_trend(r, outlet_id, hub_now(), pts, labels, &n);
    if (err != KK_OK)
        goto out;
    if (r->who.role == HUB_ROLE_DONOR && c.people < HUB_K_MIN) {
        hub_fail(r, 403, "too_few",
                 "Not enough people are registered yet to show figures "
                 "without identifying anyone.");
        goto out;
    }
    err = kk_format_time(t, ts, sizeof ts);
    if (err != KK_OK)
        goto out;
    hub_jw_begin(&w, r);
    if (outlet_id != 0)
        hub_jw_int(&w, "outlet_id", outlet_id);
    hub_jw_str(&w, "as_of", ts);
    jw_coverage(&w, &c);
    hub_jw_key(&w, "trend");
    hub_jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        bool hide = r->who.role == HUB_ROLE_DONOR && pts[i].people < HUB_K_MIN;
        hub_jw_key(&w, NULL);
        hub_jw_obj(&w);
        hub_jw_str(&w, "month", labels[i]);
        if (!hide)
            jw_coverage(&w, &pts[i]);
        hub_jw_close(&w, '}');
    }
    hub_jw_close(&w, ']');
    hub_jw_end(&w);
    if (now)
        hub_frag_store(r, "cov.json", outlet_id, gen, 0);
out:
    free(pts);
    return err;
}

static int api_outlet_coverage(struct hub_req *r)
{
    char name[KK_HUB_NAME_MAX + 1];
    /* A cached answer exists only for a caller whose scope held the outlet
     * at this data generation (scope and generation are in the key), so
     * the scope check is needed only when the figures are computed. */
    if (hub_form_get(r->query, "as_of") == NULL &&
        hub_frag_emit(r, "cov.json", r->param[0], hub_data_generation(r->db))) {
        r->ctype = "application/json";
        return KK_OK;
    }
    if (!outlet_name(r, r->param[0], name, sizeof name))
        return KK_ERR_NOTFOUND;
    return coverage_json(r, r->param[0]);
}

static int api_coverage(struct hub_req *r)
{
    return coverage_json(r, 0);
}

static const struct hub_field obs_fields[] = {
    {"subject_type", HUB_F_TEXT, true, 0, 16, NULL},
    {"subject_id", HUB_F_ID, true, 0, 0, NULL},
    {"control_id", HUB_F_TEXT, true, 0, 16, NULL},
    {"status", HUB_F_ENUM, true, 0, 0, hub_obs_status_from_name},
    {"value", HUB_F_TEXT, false, 0, 64, NULL},
    {"source", HUB_F_TEXT, false, 0, 16, NULL},
    {"note", HUB_F_TEXT, false, 0, KK_HUB_TEXT_MAX, NULL},
    {"observed_at", HUB_F_TEXT, false, 0, 32, NULL},
};
#define OBS_FIELDS (sizeof obs_fields / sizeof obs_fields[0])

static bool in_list(const char *v, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v, list[i]) == 0)
            return true;
    }
    return false;
}

/* Validates and appends one observation from the form or JSON body.
 * KK_ERR_INVAL with *why set, KK_ERR_NOTFOUND when the subject is not
 * the caller's to observe. */
static int observe(struct hub_req *r, const char **v, const char **why)
{
    static const char *const subjects[] = {"person", "device", "account",
                                           "website", "outlet"};
    static const char *const sources[] = {"manual", "agent", "2fa",  "web",
                                          "guard",  "scan",  "host", "hub"};
    const char *bad = NULL;
    const struct hub_control *ctl;
    int64_t now = hub_now(), at = now, sid = 0;
    sqlite3_stmt *st;
    int err = hub_fields_read(r, obs_fields, OBS_FIELDS, v, &bad);
    if (err != KK_OK) {
        *why = "A field is missing or not valid.";
        return err;
    }
    if (v[5][0] == '\0')
        v[5] = r->who.role == HUB_ROLE_DEVICE ? "agent" : "manual";
    ctl = hub_catalogue_find(hub_catalogue_builtin(), v[2]);
    /* Nothing may be dated in the future: figures "as of now" are cached
     * until the data changes, and a future date would change them later. */
    if (v[7][0] != '\0' && (kk_parse_time(v[7], &at) != KK_OK || at > now))
        ctl = NULL;
    if (!in_list(v[0], subjects, 5) || !in_list(v[5], sources, 8) ||
        ctl == NULL || kk_parse_i64(v[1], 1, INT64_MAX, &sid) != KK_OK) {
        *why = "Unknown subject type, source, control or time.";
        return KK_ERR_INVAL;
    }
    st = hub_scoped(r, HUB_Q_OBS_INSERT);
    hub_bind_text(st, ":stype", v[0]);
    hub_bind_i64(st, ":sid", sid);
    hub_bind_text(st, ":control", ctl->id);
    hub_bind_text(st, ":status", v[3]);
    if (v[4][0] != '\0')
        hub_bind_text(st, ":value", v[4]);
    else
        hub_bind_null(st, ":value");
    hub_bind_text(st, ":source", v[5]);
    hub_bind_text(st, ":note", v[6]);
    hub_bind_i64(st, ":at", at);
    hub_bind_i64(st, ":expires", at + (int64_t)ctl->stale_days * 86400);
    err = hub_exec(st);
    if (err != KK_OK)
        return err;
    if (sqlite3_changes(r->db->db) != 1)
        return KK_ERR_NOTFOUND;
    st = hub_scoped(r, HUB_Q_OBS_OUTLET);
    hub_bind_i64(st, ":seq", sqlite3_last_insert_rowid(r->db->db));
    if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
        char what[64];
        snprintf(what, sizeof what, "%s %s", v[0], v[1]);
        hub_audit(r, sqlite3_column_int64(st, 0), "observe", what, ctl->id);
    }
    if (st != NULL)
        sqlite3_reset(st);
    return KK_OK;
}

static int api_observation(struct hub_req *r)
{
    const char *v[OBS_FIELDS], *why = NULL;
    struct hub_jw w;
    int err;
    if (r->json == NULL) {
        hub_fail(r, 400, "invalid", "Send a JSON object.");
        return KK_OK;
    }
    if (r->who.role == HUB_ROLE_DEVICE && r->who.device_id == 0) {
        hub_fail(r, 403, "forbidden",
                 "A device login needs a token bound to its device.");
        return KK_OK;
    }
    err = observe(r, v, &why);
    if (err == KK_ERR_INVAL) {
        hub_fail(r, 400, "invalid", why);
        return KK_OK;
    }
    if (err != KK_OK)
        return err;
    r->status = 201;
    hub_jw_begin(&w, r);
    hub_jw_str(&w, "subject_type", v[0]);
    hub_jw_str(&w, "subject_id", v[1]);
    hub_jw_str(&w, "control_id", v[2]);
    hub_jw_str(&w, "status", v[3]);
    hub_jw_end(&w);
    return KK_OK;
}

/* POST /observe: the checklist's "I have done this". */
static int observe_form(struct hub_req *r)
{
    const char *v[OBS_FIELDS], *why = NULL;
    int err = observe(r, v, &why);
    if (err == KK_ERR_INVAL) {
        hub_fail(r, 400, "invalid", why);
        return KK_OK;
    }
    if (err != KK_OK)
        return err;
    hub_redirect(r, "/me#checklist");
    return KK_OK;
}

/* GET /outlets/{id}/audit: who changed what. */
static int outlet_audit(struct hub_req *r)
{
    int64_t id = r->param[0];
    char name[KK_HUB_NAME_MAX + 1], when[32];
    sqlite3_stmt *st;
    if (!outlet_name(r, id, name, sizeof name))
        return KK_ERR_NOTFOUND;
    page_heading(r, "Changes", name);
    hub_outlet_tabs(r, id, "/audit");
    hub_raw(r, "<div class=\"kk-scroll\"><table class=\"kk-table\" "
               "id=\"audit\"><thead><tr><th scope=\"col\">");
    hub_t(r, "When");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Who");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "What");
    hub_raw(r, "</th></tr></thead><tbody>");
    st = hub_scoped(r, HUB_Q_AUDIT_LIST);
    hub_bind_i64(st, ":outlet", id);
    while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
        if (kk_format_time(sqlite3_column_int64(st, 0), when, sizeof when) !=
            KK_OK)
            snprintf(when, sizeof when, "?");
        hub_raw(r, "<tr><td>");
        hub_esc(r, when);
        hub_raw(r, "</td><td>");
        hub_esc(r, hub_col_text(st, 1));
        hub_raw(r, "</td><td>");
        hub_esc(r, hub_col_text(st, 3));
        hub_raw(r, " ");
        hub_esc(r, hub_col_text(st, 4));
        hub_raw(r, " ");
        hub_esc(r, hub_col_text(st, 5));
        hub_raw(r, "</td></tr>");
    }
    if (st != NULL)
        sqlite3_reset(st);
    hub_raw(r, "</tbody></table></div>");
    hub_page_end(r);
    return KK_OK;
}

static int api_me(struct hub_req *r)
{
    struct checklist cl = {0};
    char name[KK_HUB_NAME_MAX + 1] = "";
    struct hub_jw w;
    int err = KK_OK;
    if (r->who.person_id != 0)
        err = me_build(r, &cl, name, sizeof name);
    if (err != KK_OK && err != KK_ERR_NOTFOUND)
        goto out;
    if (cl.n > 1)
        qsort(cl.v, cl.n, sizeof *cl.v, cmp_item);
    hub_jw_begin(&w, r);
    hub_jw_int(&w, "id", r->who.user_id);
    hub_jw_str(&w, "email", r->who.email);
    hub_jw_str(&w, "role", hub_role_name(r->who.role));
    hub_jw_str(&w, "lang", hub_lang_code(r->lang));
    hub_jw_key(&w, "checklist");
    hub_jw_arr(&w);
    for (size_t i = 0; i < cl.n; i++) {
        static const char *const st[] = {"open", "partial", "unknown", "done"};
        hub_jw_key(&w, NULL);
        hub_jw_obj(&w);
        hub_jw_str(&w, "control_id", cl.v[i].ctl->id);
        hub_jw_str(&w, "title", cl.v[i].ctl->title[r->lang]);
        hub_jw_str(&w, "subject", cl.v[i].subject);
        hub_jw_str(&w, "state", st[cl.v[i].state]);
        if (cl.v[i].state != IT_DONE)
            hub_jw_str(&w, "fix", cl.v[i].ctl->fix[r->lang]);
        hub_jw_close(&w, '}');
    }
    hub_jw_close(&w, ']');
    hub_jw_end(&w);
    err = KK_OK;
out:
    free(cl.v);
    return err;
}

#define ROLES_DASH                                                             \
    (HUB_ROLES_MANAGE | HUB_ROLEBIT(HUB_ROLE_STAFF) |                          \
     HUB_ROLEBIT(HUB_ROLE_DONOR))
#define ROLES_LEAD                                                             \
    (HUB_ROLEBIT(HUB_ROLE_TRAINER) | HUB_ROLEBIT(HUB_ROLE_ASSISTANT) |         \
     HUB_ROLEBIT(HUB_ROLE_DONOR))
#define ROLES_OBSERVE (HUB_ROLES_PEOPLE | HUB_ROLEBIT(HUB_ROLE_DEVICE))

const struct hub_route hub_routes_pages[] = {
    {HUB_GET, "/", 0,
     ROLES_DASH | HUB_ROLEBIT(HUB_ROLE_DEVICE) | HUB_ROLEBIT(HUB_ROLE_PANEL),
     dashboard},
    {HUB_GET, "/outlets/{id}", 0, HUB_ROLES_MANAGE, outlet_overview},
    {HUB_GET, "/outlets/{id}/matrix", 0, HUB_ROLES_MANAGE, outlet_matrix},
    {HUB_GET, "/outlets/{id}/audit", 0, HUB_ROLES_MANAGE, outlet_audit},
    {HUB_GET, "/me", 0, HUB_ROLES_PEOPLE, me_page},
    {HUB_POST, "/observe", 0, HUB_ROLES_PEOPLE, observe_form},
    {HUB_GET, "/catalogue", 0, HUB_ROLES_PEOPLE, catalogue_page},
    {HUB_GET, "/settings", 0, HUB_ROLES_ALL, settings_get},
    {HUB_POST, "/settings", 0, HUB_ROLES_ALL, settings_post},
    {HUB_GET, "/api/v1/coverage", HUB_R_API, ROLES_LEAD, api_coverage},
    {HUB_GET, "/api/v1/outlets/{id}/coverage", HUB_R_API, HUB_ROLES_MANAGE,
     api_outlet_coverage},
    {HUB_POST, "/api/v1/observations", HUB_R_API, ROLES_OBSERVE,
     api_observation},
    {HUB_GET, "/api/v1/me", HUB_R_API, HUB_ROLES_ALL, api_me},
    {0, NULL, 0, 0, NULL},
};
