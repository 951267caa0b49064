/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_html.c - the reports' pages: the report itself as a printable
 * page, the form that chooses one (/reports), and the check of a copy
 * (/reports/verify).
 *
 * A report page is one table per indicator (groups down, points in time
 * across) under a line chart of the three coverage shares and a bar chart
 * of training by department, both drawn on the server (chart.c) with the
 * same numbers in the tables.  Every figure cell carries its row's
 * identity in a data-cell attribute ("indicator|group|point") so a test
 * can compare the page with the JSON without parsing headings.  The
 * parameter form, the tabs and the download links are marked so the print
 * stylesheet leaves them out: printed, the page is the report and its
 * hash.  Texts go through hub_t in the report's language; figures are
 * language-independent.
 */
#include <stdio.h>
#include <string.h>

#include "chart.h"
#include "coverage.h"
#include "i18n.h"
#include "model.h"
#include "report.h"

/* --- small pieces --- */

static void tenths(struct hub_req *r, int64_t v)
{
    hub_rawf(r, "%lld.%lld", (long long)(v / 10), (long long)(v % 10));
}

static void permille(struct hub_req *r, int pm)
{
    if (r->err == KK_OK)
        r->err = hub_share_format(r->out, pm);
}

static void point_heading(struct hub_req *r, const struct hub_rep_point *pt)
{
    if (strcmp(pt->label, "as_of") == 0) {
        hub_t(r, "As of");
        hub_raw(r, " ");
    } else {
        hub_esc(r, pt->label);
        hub_raw(r, "<br>");
    }
    hub_raw(r, "<span class=\"kk-meta\">");
    hub_esc(r, pt->day);
    hub_raw(r, "</span>");
}

/* The text of one cell. */
static void cell_text(struct hub_req *r, const struct hub_rep_row *row)
{
    const struct hub_rep_ind_info *in = &hub_rep_inds[row->ind];
    if (row->value_state == HUB_RV_NONE) {
        hub_raw(r, "&ndash;");
        return;
    }
    if (in->kind != HUB_RK_SHARE) {
        if (row->value_state == HUB_RV_SUPPRESSED)
            hub_t(r, "Fewer than 5 people");
        else if (in->kind == HUB_RK_TENTHS)
            tenths(r, row->value);
        else
            hub_rawf(r, "%lld", (long long)row->value);
        return;
    }
    if (row->value_state == HUB_RV_SUPPRESSED &&
        row->of_state == HUB_RV_SUPPRESSED) {
        hub_raw(r, "<span class=\"kk-meta\">");
        hub_t(r, "Fewer than 5");
        hub_raw(r, "</span>");
        return;
    }
    hub_raw(r, "<strong>");
    permille(r, hub_rep_permille(row));
    hub_raw(r, "</strong> <span class=\"kk-meta\">");
    if (row->value_state == HUB_RV_SUPPRESSED)
        hub_t(r, "Fewer than 5");
    else
        hub_rawf(r, "%lld", (long long)row->value);
    hub_rawf(r, " / %lld</span>", (long long)row->of);
}

static void cell(struct hub_req *r, const struct hub_report *rep,
                 const struct hub_rep_row *row)
{
    hub_raw(r, "<td data-cell=\"");
    hub_esc(r, hub_rep_inds[row->ind].key);
    hub_raw(r, "|");
    hub_esc(r, row->group);
    hub_raw(r, "|");
    hub_esc(r, rep->pts[row->point].label);
    hub_raw(r, "\">");
    cell_text(r, row);
    hub_raw(r, "</td>");
}

static void table_head(struct hub_req *r, const struct hub_report *rep,
                       const char *first)
{
    hub_raw(r, "<thead><tr><th scope=\"col\">");
    hub_t(r, first);
    hub_raw(r, "</th>");
    for (size_t k = 0; k < rep->n_points; k++) {
        hub_raw(r, "<th scope=\"col\">");
        point_heading(r, &rep->pts[k]);
        hub_raw(r, "</th>");
    }
    hub_raw(r, "</tr></thead>");
}

/* Rows [from, to) of the report, n_points cells each, as table rows; the
 * row heading is the group's label, or the indicator's when by_ind. */
static void body_rows(struct hub_req *r, const struct hub_report *rep,
                      size_t from, size_t to, bool by_ind)
{
    for (size_t i = from; i + rep->n_points <= to; i += rep->n_points) {
        const struct hub_rep_row *row = &rep->rows[i];
        const struct hub_rep_ind_info *in = &hub_rep_inds[row->ind];
        hub_raw(r, "<tr><th scope=\"row\">");
        hub_t(r,
              by_ind ? in->label : hub_rep_group_label(in->groups, row->group));
        hub_raw(r, "</th>");
        for (size_t k = 0; k < rep->n_points; k++)
            cell(r, rep, &rep->rows[i + k]);
        hub_raw(r, "</tr>");
    }
}

/* The rows of indicator ind: [*from, *to). */
static void ind_span(const struct hub_report *rep, int ind, size_t *from,
                     size_t *to)
{
    size_t i = 0;
    while (i < rep->n_rows && rep->rows[i].ind != ind)
        i++;
    *from = i;
    while (i < rep->n_rows && rep->rows[i].ind == ind)
        i++;
    *to = i;
}

/* A table of the indicators [first, last] with no groups. */
static void table_plain(struct hub_req *r, const struct hub_report *rep,
                        const char *id, const char *caption, int first,
                        int last)
{
    size_t a, b, z;
    ind_span(rep, first, &a, &z);
    ind_span(rep, last, &z, &b);
    hub_rawf(r,
             "<div class=\"kk-scroll\"><table class=\"kk-table\" "
             "id=\"%s\"><caption>",
             id);
    hub_t(r, caption);
    hub_raw(r, "</caption>");
    table_head(r, rep, "Indicator");
    hub_raw(r, "<tbody>");
    body_rows(r, rep, a, b, true);
    hub_raw(r, "</tbody></table></div>");
}

/* A table of one indicator by group. */
static void table_groups(struct hub_req *r, const struct hub_report *rep,
                         int ind)
{
    const struct hub_rep_ind_info *in = &hub_rep_inds[ind];
    size_t a, b;
    ind_span(rep, ind, &a, &b);
    hub_raw(r, "<div class=\"kk-scroll\"><table class=\"kk-table\" id=\"");
    hub_esc(r, in->key);
    hub_raw(r, "\"><caption>");
    hub_t(r, in->label);
    hub_raw(r, "</caption>");
    table_head(r, rep,
               in->groups == HUB_RG_DEPT ? "Department" : "Incident type");
    hub_raw(r, "<tbody>");
    body_rows(r, rep, a, b, false);
    hub_raw(r, "</tbody></table></div>");
}

/* --- charts --- */

static void chart_coverage(struct hub_req *r, const struct hub_report *rep)
{
    static const int inds[3] = {HUB_RI_PEOPLE_2FA, HUB_RI_ORG_OK,
                                HUB_RI_DEVICES};
    int v[3][HUB_REP_POINTS_MAX];
    const char *xl[HUB_REP_POINTS_MAX];
    struct hub_series s[3];
    for (size_t k = 0; k < rep->n_points; k++)
        xl[k] = strcmp(rep->pts[k].label, "as_of") == 0 ? hub_tr_r(r, "As of")
                                                        : rep->pts[k].label;
    for (int j = 0; j < 3; j++) {
        size_t a, b;
        ind_span(rep, inds[j], &a, &b);
        for (size_t k = 0; k < rep->n_points; k++)
            v[j][k] = a + k < b ? hub_rep_permille(&rep->rows[a + k]) : -1;
        s[j].name = hub_tr_r(r, hub_rep_inds[inds[j]].label);
        s[j].values = v[j];
    }
    if (r->err == KK_OK)
        r->err = hub_chart_line(
            r->out, hub_tr_r(r, "2FA and device protection"),
            hub_tr_r(r, "Share of people, organisation accounts and devices "
                        "protected at each point of the programme"),
            s, 3, xl, rep->n_points);
}

static void chart_training(struct hub_req *r, const struct hub_report *rep)
{
    const char *labels[HUB_DEPT_COUNT + 1];
    int v[HUB_DEPT_COUNT + 1];
    size_t a, b, n = 0;
    ind_span(rep, HUB_RI_TRAINED, &a, &b);
    /* The last point (as of) of each group. */
    for (size_t i = a; i + rep->n_points <= b && n <= HUB_DEPT_COUNT;
         i += rep->n_points) {
        const struct hub_rep_row *row = &rep->rows[i + rep->n_points - 1];
        labels[n] = hub_tr_r(r, hub_rep_group_label(HUB_RG_DEPT, row->group));
        v[n] = hub_rep_permille(row);
        n++;
    }
    if (n > 0 && r->err == KK_OK)
        r->err = hub_chart_bars(
            r->out, hub_tr_r(r, "People trained"),
            hub_tr_r(r, "Share of each department's people who attended "
                        "training in the period, as of the report's date"),
            labels, v, n);
}

/* --- the form --- */

static void field_error(struct hub_req *r, const char *name, const char *bad,
                        const char *why)
{
    if (bad == NULL || strcmp(bad, name) != 0)
        return;
    hub_rawf(r, "<span class=\"kk-error\" id=\"rep-%s-err\">", name);
    hub_t(r, why);
    hub_raw(r, "</span>");
}

static void field_open(struct hub_req *r, const char *name, const char *label,
                       const char *bad, const char *why)
{
    hub_rawf(r, "<p><label for=\"rep-%s\">", name);
    hub_t(r, label);
    hub_raw(r, "</label>");
    field_error(r, name, bad, why);
}

static void field_attrs(struct hub_req *r, const char *name, const char *bad)
{
    hub_rawf(r, " id=\"rep-%s\" name=\"%s\"", name, name);
    if (bad != NULL && strcmp(bad, name) == 0)
        hub_rawf(r, " aria-invalid=\"true\" aria-describedby=\"rep-%s-err\"",
                 name);
}

static void date_field(struct hub_req *r, const char *name, const char *label,
                       const char *value, const char *bad, const char *why)
{
    field_open(r, name, label, bad, why);
    hub_raw(r, "<input type=\"date\"");
    field_attrs(r, name, bad);
    hub_raw(r, " min=\"" HUB_REP_DAY_MIN "\" value=\"");
    hub_esc(r, value != NULL ? value : "");
    hub_raw(r, "\"></p>");
}

static void option(struct hub_req *r, const char *value, const char *label,
                   bool translate, const char *chosen)
{
    hub_raw(r, "<option value=\"");
    hub_esc(r, value);
    hub_raw(r, "\"");
    if (chosen != NULL && strcmp(chosen, value) == 0)
        hub_raw(r, " selected");
    hub_raw(r, ">");
    if (translate)
        hub_t(r, label);
    else
        hub_esc(r, label);
    hub_raw(r, "</option>");
}

static void select_open(struct hub_req *r, const char *name, const char *label,
                        const char *bad, const char *why)
{
    field_open(r, name, label, bad, why);
    hub_raw(r, "<select");
    field_attrs(r, name, bad);
    hub_raw(r, ">");
}

static void form_fields(struct hub_req *r, const struct hub_rep_input *in,
                        bool view, const char *bad, const char *why)
{
    date_field(r, "from", "Period from", in->from, bad, why);
    date_field(r, "to", "Period to", in->to, bad, why);
    date_field(r, "as_of", "Figures as of", in->as_of, bad, why);
    if (view) {
        select_open(r, "view", "View", bad, why);
        option(r, "full", "All figures", true, in->view);
        option(r, "donor", "For donors: aggregates, no cell under 5 people",
               true, in->view);
        hub_raw(r, "</select></p>");
    }
    select_open(r, "format", "Format", bad, why);
    option(r, "html", "Page (to read or print)", true, in->format);
    option(r, "pdf", "PDF", true, in->format);
    option(r, "csv", "CSV (for a spreadsheet)", true, in->format);
    option(r, "json", "JSON (for programs)", true, in->format);
    hub_raw(r, "</select></p>");
    select_open(r, "lang", "Language of the report", bad, why);
    option(r, "", "The language of this page", true, in->lang);
    for (int l = 0; l < HUB_LANG_COUNT; l++)
        option(r, hub_lang_code(l), hub_lang_native(l), false, in->lang);
    hub_raw(r, "</select></p>");
}

static void error_alert(struct hub_req *r, const char *bad, const char *why)
{
    if (bad == NULL)
        return;
    hub_raw(r, "<p class=\"kk-error\" role=\"alert\">");
    hub_t(r, why);
    hub_raw(r, "</p>");
}

/* The parameter form above a report (or alone, after a bad field). */
static void report_form(struct hub_req *r, const char *action,
                        const struct hub_rep_input *in, bool view,
                        const char *bad, const char *why)
{
    hub_raw(r, "<details class=\"kk-noprint\"");
    if (bad != NULL)
        hub_raw(r, " open");
    hub_raw(r, "><summary>");
    hub_t(r, "Change the period, date, format or language");
    hub_raw(r, "</summary><form method=\"get\" class=\"kk-form\" action=\"");
    hub_esc(r, action);
    hub_raw(r, "\">");
    form_fields(r, in, view, bad, why);
    hub_raw(r, "<p><button type=\"submit\">");
    hub_t(r, "Produce the report");
    hub_raw(r, "</button></p></form></details>");
}

void hub_report_index(struct hub_req *r, const struct hub_rep_input *in,
                      const char *report, const struct hub_rep_choice *outlets,
                      size_t n, bool view, const char *bad, const char *why)
{
    char num[24];
    hub_page_begin(r, "Reports");
    hub_raw(r, "<p class=\"kk-summary\">");
    hub_t(r, "A report gives the programme's indicators at months 0, 3 and "
             "6 and on the date you choose: 2FA, device protection, "
             "training, findings and incidents. Every copy carries a "
             "fingerprint (SHA-256) that this hub can check.");
    hub_raw(r, "</p>");
    error_alert(r, bad, why);
    hub_raw(r, "<form method=\"get\" action=\"/reports\" class=\"kk-form\" "
               "id=\"report-form\">");
    select_open(r, "report", "Report", bad, why);
    option(r, "programme", "The whole programme", true, report);
    for (size_t i = 0; i < n; i++) {
        snprintf(num, sizeof num, "%lld", (long long)outlets[i].id);
        option(r, num, outlets[i].name, false, report);
    }
    hub_raw(r, "</select></p>");
    form_fields(r, in, view, bad, why);
    hub_raw(r, "<p><button type=\"submit\">");
    hub_t(r, "Produce the report");
    hub_raw(r, "</button></p></form><h2>");
    hub_t(r, "Check a copy");
    hub_raw(r, "</h2><p>");
    hub_t(r, "Someone handed you a report? Check its fingerprint against "
             "the reports this hub has produced.");
    hub_raw(r, "</p><p><a class=\"kk-button kk-button-secondary\" "
               "href=\"/reports/verify\">");
    hub_t(r, "Check a report");
    hub_raw(r, "</a></p>");
    hub_page_end(r);
}

/* --- the report page --- */

static void page_top(struct hub_req *r, const struct hub_rep_params *p,
                     const char *outlet_name)
{
    hub_page_begin(r, p->scope == HUB_REP_OUTLET ? "Outlet report"
                                                 : "Programme report");
    if (p->scope == HUB_REP_OUTLET) {
        hub_raw(r, "<p class=\"kk-sub\">");
        hub_esc(r, outlet_name);
        hub_raw(r, "</p>");
        hub_outlet_tabs(r, p->outlet_id, "/report");
    }
}

static void action_of(const struct hub_rep_params *p, char *out, size_t cap)
{
    if (p->scope == HUB_REP_OUTLET)
        snprintf(out, cap, "/outlets/%lld/report", (long long)p->outlet_id);
    else
        snprintf(out, cap, "%s", "/reports/programme");
}

void hub_report_bad_page(struct hub_req *r, const struct hub_rep_params *p,
                         const char *outlet_name,
                         const struct hub_rep_input *in, bool view,
                         const char *bad, const char *why)
{
    char action[64];
    action_of(p, action, sizeof action);
    page_top(r, p, outlet_name);
    error_alert(r, bad, why);
    report_form(r, action, in, view, bad, why);
    hub_page_end(r);
}

static void fact(struct hub_req *r, const char *dt, const char *dd)
{
    hub_raw(r, "<dt>");
    hub_t(r, dt);
    hub_raw(r, "</dt><dd>");
    hub_esc(r, dd);
    hub_raw(r, "</dd>");
}

static void facts(struct hub_req *r, const struct hub_report *rep)
{
    const struct hub_rep_params *p = &rep->p;
    char buf[64], ts[32];
    hub_raw(r, "<dl class=\"kk-facts\" id=\"report-facts\">");
    if (p->scope == HUB_REP_OUTLET)
        fact(r, "Outlet", rep->outlet_name);
    snprintf(buf, sizeof buf, "%s \xe2\x80\x93 %s", p->from, p->to);
    fact(r, "Period", buf);
    fact(r, "Figures as of", p->as_of);
    fact(r, "Programme start (month 0)", rep->start);
    snprintf(buf, sizeof buf, "%lld", (long long)rep->outlets);
    fact(r, "Outlets covered", buf);
    if (kk_format_time(rep->generated_at, ts, sizeof ts) == KK_OK) {
        snprintf(buf, sizeof buf, "%.10s %.5s UTC", ts, ts + 11);
        fact(r, "Produced", buf);
    }
    hub_raw(r, "</dl>");
    if (p->view == HUB_REP_DONOR) {
        hub_raw(r, "<p class=\"kk-warning\" id=\"donor-view\">");
        hub_t(r, "Aggregates only: counts of fewer than 5 people, and "
                 "shares that would reveal one, are hidden (\"Fewer than "
                 "5\").");
        hub_raw(r, "</p>");
    }
}

static void download_link(struct hub_req *r, const struct hub_report *rep,
                          const char *format, const char *label)
{
    const struct hub_rep_params *p = &rep->p;
    char action[64];
    action_of(p, action, sizeof action);
    hub_raw(r, "<a class=\"kk-button kk-button-secondary\" href=\"");
    hub_esc(r, action);
    hub_rawf(r,
             "?from=%s&amp;to=%s&amp;as_of=%s&amp;view=%s&amp;lang=%s"
             "&amp;format=%s\"",
             p->from, p->to, p->as_of, hub_rep_view_name(p->view),
             hub_lang_code(r->lang), format);
    if (strcmp(format, "csv") == 0 || strcmp(format, "pdf") == 0)
        hub_raw(r, " download");
    hub_raw(r, ">");
    hub_t(r, label);
    hub_raw(r, "</a>");
}

static void hash_block(struct hub_req *r, const struct hub_report *rep,
                       const char *verify_url)
{
    hub_raw(r, "<section class=\"kk-report-hash\" id=\"report-hash\"><h2>");
    hub_t(r, "Fingerprint of this report");
    hub_raw(r, "</h2><p>");
    hub_t(r, "SHA-256 of the report's content (the same in every format "
             "and language):");
    hub_raw(r, "</p><p><code id=\"sha256\">");
    hub_esc(r, rep->sha256);
    hub_raw(r, "</code></p><p>");
    hub_t(r, "Check a copy at");
    hub_raw(r, " <a href=\"");
    hub_esc(r, verify_url);
    hub_raw(r, "\">");
    hub_esc(r, verify_url);
    hub_raw(r, "</a></p></section>");
}

void hub_report_html(struct hub_req *r, const struct hub_report *rep,
                     const char *verify_url, const struct hub_rep_input *in,
                     bool view)
{
    char action[64];
    action_of(&rep->p, action, sizeof action);
    page_top(r, &rep->p, rep->outlet_name);
    report_form(r, action, in, view, NULL, NULL);
    hub_raw(r, "<div class=\"kk-report\">");
    facts(r, rep);
    hub_raw(r, "<p class=\"kk-actions\">");
    download_link(r, rep, "pdf", "Download PDF");
    download_link(r, rep, "csv", "Download CSV");
    download_link(r, rep, "json", "JSON");
    hub_raw(r, "</p><section id=\"protection\"><h2>");
    hub_t(r, "2FA and device protection");
    hub_raw(r, "</h2>");
    chart_coverage(r, rep);
    table_plain(r, rep, "coverage", "2FA and device protection",
                HUB_RI_PEOPLE_2FA, HUB_RI_DEVICES);
    hub_raw(r, "</section><section id=\"training\"><h2>");
    hub_t(r, "Training");
    hub_raw(r, "</h2><p class=\"kk-meta\">");
    hub_t(r, "People registered on the date who attended at least one "
             "session held in the period, and their hours.");
    hub_raw(r, "</p>");
    chart_training(r, rep);
    table_groups(r, rep, HUB_RI_TRAINED);
    table_groups(r, rep, HUB_RI_HOURS);
    hub_raw(r, "</section><section id=\"findings\"><h2>");
    hub_t(r, "Findings");
    hub_raw(r, "</h2>");
    table_plain(r, rep, "findings-table", "Findings", HUB_RI_FINDINGS_OPEN,
                HUB_RI_FINDINGS_DONE);
    hub_raw(r, "</section><section id=\"incidents\"><h2>");
    hub_t(r, "Incidents");
    hub_raw(r, "</h2><p class=\"kk-meta\">");
    hub_t(r, "Incidents reported in the period; time to recover runs from "
             "the report to the recovery.");
    hub_raw(r, "</p>");
    table_groups(r, rep, HUB_RI_INCIDENTS);
    table_groups(r, rep, HUB_RI_RECOVERED);
    table_groups(r, rep, HUB_RI_MEDIAN);
    hub_raw(r, "</section>");
    hash_block(r, rep, verify_url);
    hub_raw(r, "</div>");
    hub_page_end(r);
}

/* --- /reports/verify --- */

struct figures {
    struct hub_req *r;
    char view[8];
    char points[HUB_REP_POINTS_MAX][2][12];
    size_t n_points;
    bool table_open;
};

static int ind_by_key(const char *key)
{
    for (int i = 0; i < HUB_RI_COUNT; i++) {
        if (strcmp(hub_rep_inds[i].key, key) == 0)
            return i;
    }
    return -1;
}

static void figure_value(struct hub_req *r, const char *v)
{
    if (strcmp(v, "suppressed") == 0)
        hub_t(r, "Fewer than 5");
    else if (v[0] == '\0')
        hub_raw(r, "&ndash;");
    else
        hub_esc(r, v);
}

static void figure_line(void *arg, const char *const *f, size_t n)
{
    struct figures *g = arg;
    struct hub_req *r = g->r;
    int ind;
    if (n == 3 && strcmp(f[0], "point") == 0 &&
        g->n_points < HUB_REP_POINTS_MAX) {
        snprintf(g->points[g->n_points][0], 12, "%s", f[1]);
        snprintf(g->points[g->n_points][1], 12, "%s", f[2]);
        g->n_points++;
        return;
    }
    if (n == 2 && strcmp(f[0], "view") == 0) {
        snprintf(g->view, sizeof g->view, "%s", f[1]);
        return;
    }
    ind = n == 6 && strcmp(f[0], "row") == 0 ? ind_by_key(f[1]) : -1;
    if (ind < 0)
        return;
    hub_raw(r, "<tr><th scope=\"row\">");
    hub_t(r, hub_rep_inds[ind].label);
    hub_raw(r, "</th><td>");
    if (hub_rep_inds[ind].groups != HUB_RG_NONE)
        hub_t(r, hub_rep_group_label(hub_rep_inds[ind].groups, f[2]));
    hub_raw(r, "</td><td>");
    for (size_t k = 0; k < g->n_points; k++) {
        if (strcmp(g->points[k][0], f[3]) != 0)
            continue;
        if (strcmp(f[3], "as_of") == 0)
            hub_t(r, "As of");
        else
            hub_esc(r, f[3]);
        hub_raw(r, " ");
        hub_esc(r, g->points[k][1]);
    }
    hub_raw(r, "</td><td>");
    figure_value(r, f[4]);
    hub_raw(r, "</td><td>");
    figure_value(r, f[5]);
    hub_raw(r, "</td></tr>");
}

static void verify_form(struct hub_req *r, const char *value, const char *why)
{
    hub_raw(r, "<form method=\"post\" action=\"/reports/verify\" "
               "class=\"kk-form\">");
    hub_csrf_field(r);
    field_open(r, "sha256", "SHA-256 of the report",
               why != NULL ? "sha256" : NULL, why);
    hub_raw(r, "<input type=\"text\" inputmode=\"text\" autocomplete=\"off\" "
               "spellcheck=\"false\" maxlength=\"80\" required");
    field_attrs(r, "sha256", why != NULL ? "sha256" : NULL);
    hub_raw(r, " value=\"");
    hub_esc(r, value != NULL ? value : "");
    hub_raw(r, "\"></p><p><button type=\"submit\">");
    hub_t(r, "Check");
    hub_raw(r, "</button></p></form>");
}

static void when(struct hub_req *r, const char *dt, int64_t t)
{
    char ts[32], buf[40];
    if (kk_format_time(t, ts, sizeof ts) != KK_OK)
        return;
    snprintf(buf, sizeof buf, "%.10s %.5s UTC", ts, ts + 11);
    fact(r, dt, buf);
}

void hub_report_verify_page(struct hub_req *r, const struct hub_rep_verify *v,
                            const char *typed, const char *why)
{
    char buf[64];
    hub_page_begin(r, "Check a report");
    hub_raw(r, "<p class=\"kk-summary\">");
    hub_t(r, "Every report this hub produces carries the SHA-256 of its "
             "content. Enter the one printed on a copy to see whether this "
             "hub produced it, and its original figures.");
    hub_raw(r, "</p>");
    if (why != NULL)
        error_alert(r, "sha256", why);
    verify_form(r, typed, why);
    if (v == NULL || v->sha256[0] == '\0') {
        hub_page_end(r);
        return;
    }
    hub_raw(r, "<section id=\"verify-result\">");
    if (!v->issued) {
        hub_raw(r, "<p class=\"kk-error\" id=\"not-issued\">");
        hub_t(r, "This hub has not produced a report with this fingerprint "
                 "that you may see. The copy may have been changed, or it "
                 "comes from somewhere else.");
        hub_raw(r, "</p></section>");
        hub_page_end(r);
        return;
    }
    hub_raw(r, "<p class=\"kk-flash\" id=\"issued\" role=\"status\">");
    hub_t(r, "This hub produced a report with this fingerprint.");
    hub_raw(r, "</p><dl class=\"kk-facts\"><dt>");
    hub_t(r, "Report");
    hub_raw(r, "</dt><dd>");
    if (v->scope == HUB_REP_OUTLET) {
        hub_t(r, "Outlet report");
        hub_raw(r, ": ");
        hub_esc(r, v->outlet_name);
    } else {
        hub_t(r, "Programme report");
    }
    hub_raw(r, "</dd>");
    snprintf(buf, sizeof buf, "%s \xe2\x80\x93 %s", v->from, v->to);
    fact(r, "Period", buf);
    fact(r, "Figures as of", v->as_of);
    when(r, "First produced", v->first);
    when(r, "Last produced", v->last);
    snprintf(buf, sizeof buf, "%lld", (long long)v->times);
    fact(r, "Times produced", buf);
    fact(r, "SHA-256", v->sha256);
    hub_raw(r, "</dl>");
    if (!v->figures || v->content == NULL) {
        hub_raw(r, "<p class=\"kk-meta\">");
        hub_t(r, "Its figures are shown only to those who may read the "
                 "report itself.");
        hub_raw(r, "</p></section>");
        hub_page_end(r);
        return;
    }
    hub_raw(r, "<h2>");
    hub_t(r, "The original figures");
    hub_raw(r, "</h2><div class=\"kk-scroll\"><table class=\"kk-table\" "
               "id=\"figures\"><thead><tr><th scope=\"col\">");
    hub_t(r, "Indicator");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Group");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Point");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Value");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Of");
    hub_raw(r, "</th></tr></thead><tbody>");
    {
        struct figures g;
        memset(&g, 0, sizeof g);
        g.r = r;
        if (hub_rep_canon_walk(kk_buf_str(v->content), kk_buf_len(v->content),
                               figure_line, &g) != KK_OK &&
            r->err == KK_OK)
            r->err = KK_ERR_CORRUPT;
    }
    hub_raw(r, "</tbody></table></div></section>");
    hub_page_end(r);
}
