/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * incident_pages.c - the incident pages: the programme's list, an outlet's
 * list with the report form, and one incident with its clock, affected
 * objects, timeline, status buttons, triage link and edit form.
 *
 * Plain server-rendered HTML with no script: the status buttons are small
 * forms, the edit form folds into a <details> so the page stays short on a
 * phone, and every table sits in a sideways-scrolling box.  A form that
 * fails comes back with what was typed and the field named.  Times are
 * shown and typed in UTC ("2026-11-29 10:00"): the hub has no time zone
 * of its own, and one zone for everyone keeps a timeline unambiguous.
 * The age of an open incident is shown in whole days, so a page does not
 * change from one minute to the next.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident.h"
#include "model.h"
#include "seal.h"

#define URL_MAX 200
#define OPTS_MAX 2000
#define DAY 86400

/* --- small writers --- */

static void dash(struct hub_req *r)
{
    hub_raw(r, "<span class=\"kk-muted\">&#8212;</span>");
}

static void when(struct hub_req *r, int64_t t)
{
    char ts[32];
    if (t == 0) {
        dash(r);
        return;
    }
    hub_incident_time_text(t, ts, sizeof ts);
    hub_esc(r, ts);
    hub_raw(r, " UTC");
}

/* Escaped text with its line breaks kept. */
static void esc_lines(struct hub_req *r, const char *text)
{
    char line[KK_HUB_TEXT_MAX + 1];
    const char *p = text;
    while (*p != '\0' && r->err == KK_OK) {
        size_t n = strcspn(p, "\r\n");
        snprintf(line, sizeof line, "%.*s",
                 (int)(n < KK_HUB_TEXT_MAX ? n : KK_HUB_TEXT_MAX), p);
        hub_esc(r, line);
        p += n;
        if (*p == '\r' && p[1] == '\n')
            p++;
        if (*p != '\0') {
            p++;
            hub_raw(r, "<br>");
        }
    }
}

static void form_open(struct hub_req *r, const char *action, const char *cls)
{
    hub_raw(r, "<form method=\"post\" action=\"");
    hub_esc(r, action);
    hub_rawf(r, "\" class=\"%s\">", cls);
    hub_csrf_field(r);
}

static void option(struct hub_req *r, const char *value, const char *label,
                   bool translate, bool selected)
{
    hub_raw(r, "<option value=\"");
    hub_esc(r, value);
    hub_raw(r, selected ? "\" selected>" : "\">");
    if (translate)
        hub_t(r, label);
    else
        hub_esc(r, label);
    hub_raw(r, "</option>");
}

static void label_for(struct hub_req *r, const char *id, const char *msgid)
{
    hub_rawf(r, "<label for=\"%s\">", id);
    hub_t(r, msgid);
    hub_raw(r, "</label>");
}

static void invalid_attr(struct hub_req *r, const char *bad, const char *name)
{
    if (bad != NULL && strcmp(bad, name) == 0)
        hub_raw(r, " aria-invalid=\"true\"");
}

static void flash(struct hub_req *r)
{
    static const char *const notes[][2] = {
        {"reported", "Reported. The trainer sees it now."},
        {"saved", "Saved."},
        {"added", "Added to the timeline."},
        {"triage", "The triage walk is in the timeline."},
    };
    const char *done = hub_form_get(r->query, "done");
    for (size_t i = 0; done != NULL && i < sizeof notes / sizeof notes[0];
         i++) {
        if (strcmp(done, notes[i][0]) == 0) {
            hub_raw(r, "<p class=\"kk-flash\" role=\"status\">");
            hub_t(r, notes[i][1]);
            hub_raw(r, "</p>");
        }
    }
}

static const char *field_label(const char *name)
{
    static const char *const map[][2] = {
        {"type", "Type"},
        {"title", "Short title"},
        {"severity", "Severity"},
        {"status", "Status"},
        {"occurred_at", "When it happened (UTC)"},
        {"reported_at", "Reported (UTC)"},
        {"first_response_at", "First response (UTC)"},
        {"contained_at", "Contained (UTC)"},
        {"recovered_at", "Recovered (UTC)"},
        {"closed_at", "Closed (UTC)"},
        {"people", "People"},
        {"accounts", "Accounts"},
        {"devices", "Devices"},
        {"websites", "Websites"},
        {"kind", "Kind"},
        {"text", "Text"},
        {"trainer_only", "Only trainers and assistants see this"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcmp(map[i][0], name) == 0)
            return map[i][1];
    }
    return name;
}

static void error_line(struct hub_req *r, const char *bad, const char *why)
{
    if (bad == NULL)
        return;
    hub_raw(r, "<p class=\"kk-error\" role=\"alert\">");
    hub_t(r, field_label(bad));
    hub_raw(r, ": ");
    hub_t(r, why != NULL ? why : "Not valid.");
    hub_raw(r, "</p>");
}

static void crumbs(struct hub_req *r, const struct hub_inc_outlet *o,
                   bool incident)
{
    hub_raw(r, "<p class=\"kk-crumbs\">");
    if (hub_inc_trainers(r)) {
        hub_raw(r, "<a href=\"/incidents\">");
        hub_t(r, "All incidents");
        hub_raw(r, "</a> &#8250; ");
    }
    if (hub_inc_manager(r)) {
        hub_rawf(r, "<a href=\"/outlets/%lld\">", (long long)o->id);
        hub_esc(r, o->name);
        hub_raw(r, "</a>");
    } else {
        hub_esc(r, o->name);
    }
    if (incident) {
        hub_rawf(r, " &#8250; <a href=\"/outlets/%lld/incidents\">",
                 (long long)o->id);
        hub_t(r, "Incidents");
        hub_raw(r, "</a>");
    }
    hub_raw(r, "</p>");
}

/* --- what an incident touched: the choices and their names --- */

static const char *const devkind_names[] = {
    "desktop", "laptop", "phone", "tablet", "server", "router",
};
static const char *const devkind_labels[] = {
    "Desktop", "Laptop", "Phone", "Tablet", "Server", "Router",
};

/* Writes the name of a subject from its two naming columns. */
static void subject_name(struct hub_req *r, int kind, const char *a,
                         const char *b)
{
    if (kind == HUB_SUBJ_ACCOUNT) {
        int pf = hub_platform_from_name(a);
        hub_t(r, pf != 0 ? hub_platform_label(pf) : a);
        hub_raw(r, ": ");
        hub_esc(r, b);
    } else if (kind == HUB_SUBJ_DEVICE) {
        const char *label = a;
        for (size_t i = 0; i < sizeof devkind_names / sizeof devkind_names[0];
             i++) {
            if (strcmp(devkind_names[i], a) == 0)
                label = devkind_labels[i];
        }
        hub_t(r, label);
        if (b[0] != '\0') {
            hub_raw(r, " (");
            hub_esc(r, b);
            hub_raw(r, ")");
        }
    } else {
        hub_esc(r, a);
    }
}

struct opt {
    int kind;
    int64_t id;
    bool archived;
    size_t a, b; /* offsets into text */
};
struct opts {
    struct opt *v;
    size_t n;
    size_t per[HUB_SUBJ_KINDS];
    struct kk_buf *text;
};

static int kind_of(const char *type)
{
    for (int k = 0; k < HUB_SUBJ_KINDS; k++) {
        if (strcmp(hub_inc_subject_type[k], type) == 0)
            return k;
    }
    return -1;
}

static void opts_free(struct opts *o)
{
    free(o->v);
    kk_buf_free(o->text);
    memset(o, 0, sizeof *o);
}

static int opts_load(struct hub_req *r, int64_t outlet, struct opts *o)
{
    sqlite3_stmt *st;
    int err = KK_OK, rc;
    memset(o, 0, sizeof *o);
    o->v = calloc(OPTS_MAX, sizeof *o->v);
    o->text = kk_buf_new((size_t)OPTS_MAX * 2 * (KK_HUB_NAME_MAX + 1));
    if (o->v == NULL || o->text == NULL)
        return KK_ERR_NOMEM;
    st = hub_scoped(r, HUB_Q_INC_OPTIONS);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_i64(st, ":limit", OPTS_MAX);
    while (err == KK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct opt *p = &o->v[o->n];
        p->kind = kind_of(hub_col_text(st, 0));
        if (p->kind < 0)
            continue;
        p->id = sqlite3_column_int64(st, 1);
        p->archived = sqlite3_column_int(st, 4) != 0;
        p->a = kk_buf_len(o->text);
        err = kk_buf_put(o->text, hub_col_text(st, 2),
                         strlen(hub_col_text(st, 2)) + 1);
        p->b = kk_buf_len(o->text);
        if (err == KK_OK)
            err = kk_buf_put(o->text, hub_col_text(st, 3),
                             strlen(hub_col_text(st, 3)) + 1);
        if (err == KK_OK) {
            o->per[p->kind] += p->archived ? 0 : 1;
            o->n++;
        }
    }
    sqlite3_reset(st);
    return err;
}

static const char *opt_text(const struct opts *o, size_t off)
{
    return (const char *)kk_buf_data(o->text) + off;
}

static bool has(const struct hub_inc_subjects *s, int k, int64_t id)
{
    for (size_t i = 0; s != NULL && i < s->n[k]; i++) {
        if (s->id[k][i] == id)
            return true;
    }
    return false;
}

static const char *const kind_titles[HUB_SUBJ_KINDS] = {
    "People",
    "Accounts",
    "Devices",
    "Websites",
};

/* One multi-select per kind that has something to choose; archived
 * objects only when already chosen. */
static void subject_selects(struct hub_req *r, const char *prefix,
                            const struct opts *o,
                            const struct hub_inc_subjects *chosen,
                            const char *bad)
{
    char id[48], num[24];
    bool any = false;
    hub_raw(r, "<fieldset><legend>");
    hub_t(r, "Affected");
    hub_raw(r, "</legend>");
    for (int k = 0; k < HUB_SUBJ_KINDS; k++) {
        size_t shown = 0;
        for (size_t i = 0; i < o->n; i++)
            shown += o->v[i].kind == k &&
                     (!o->v[i].archived || has(chosen, k, o->v[i].id));
        if (shown == 0)
            continue;
        any = true;
        snprintf(id, sizeof id, "%s-%s", prefix, hub_inc_subject_key[k]);
        hub_raw(r, "<p>");
        label_for(r, id, kind_titles[k]);
        hub_rawf(r, "<select multiple size=\"%zu\" id=\"%s\" name=\"%s\"",
                 shown < 5 ? shown + 1 : (size_t)5, id, hub_inc_subject_key[k]);
        invalid_attr(r, bad, hub_inc_subject_key[k]);
        hub_raw(r, " aria-describedby=\"");
        hub_esc(r, prefix);
        hub_raw(r, "-multi\">");
        for (size_t i = 0; i < o->n; i++) {
            const struct opt *p = &o->v[i];
            bool sel = has(chosen, k, p->id);
            if (p->kind != k || (p->archived && !sel))
                continue;
            snprintf(num, sizeof num, "%lld", (long long)p->id);
            hub_raw(r, "<option value=\"");
            hub_raw(r, num);
            hub_raw(r, sel ? "\" selected>" : "\">");
            subject_name(r, k, opt_text(o, p->a), opt_text(o, p->b));
            hub_raw(r, "</option>");
        }
        hub_raw(r, "</select></p>");
    }
    if (!any)
        hub_say(r, "p", "kk-empty", "The register of this outlet is empty.");
    hub_raw(r, "<p class=\"kk-hint\" id=\"");
    hub_esc(r, prefix);
    hub_raw(r, "-multi\">");
    hub_t(r, "To choose several, hold Ctrl (Cmd on a Mac) while you click; "
             "on a phone, tap each one.");
    hub_raw(r, "</p></fieldset>");
}

/* --- the fields of the report and edit forms --- */

static void type_select(struct hub_req *r, const char *id, const char *val,
                        const char *bad)
{
    label_for(r, id, "Type");
    hub_rawf(r, "<select id=\"%s\" name=\"type\" required", id);
    invalid_attr(r, bad, "type");
    hub_raw(r, ">");
    if (val[0] == '\0')
        option(r, "", "Choose", true, true);
    for (int t = 1; t <= HUB_INC_TYPE_COUNT; t++)
        option(r, hub_incident_type_name(t), hub_incident_type_label(t), true,
               strcmp(val, hub_incident_type_name(t)) == 0);
    hub_raw(r, "</select>");
}

static void severity_select(struct hub_req *r, const char *id, const char *val,
                            const char *bad)
{
    char num[8];
    label_for(r, id, "Severity");
    hub_rawf(r, "<select id=\"%s\" name=\"severity\"", id);
    invalid_attr(r, bad, "severity");
    hub_raw(r, ">");
    for (int s = 1; s <= HUB_INC_SEVERITY_MAX; s++) {
        snprintf(num, sizeof num, "%d", s);
        option(r, num, hub_incident_severity_label(s), true,
               strcmp(val, num) == 0);
    }
    hub_raw(r, "</select>");
}

static void text_input(struct hub_req *r, const char *id, const char *name,
                       const char *type, const char *val, bool required,
                       const char *bad)
{
    label_for(r, id, field_label(name));
    hub_rawf(r, "<input type=\"%s\" id=\"%s\" name=\"%s\"", type, id, name);
    if (strcmp(type, "text") == 0)
        hub_rawf(r, " maxlength=\"%d\"", KK_HUB_NAME_MAX);
    if (required)
        hub_raw(r, " required");
    invalid_attr(r, bad, name);
    hub_raw(r, " value=\"");
    hub_esc(r, val);
    hub_raw(r, "\">");
}

/* --- an outlet's list --- */

/* The last column: how long it took to recover, or how long it is open. */
static void outcome(struct hub_req *r, const struct hub_inc *i, int64_t now)
{
    const struct hub_incident_clock *c = &i->clock;
    if (c->recovered != 0) {
        hub_t(r, "Recovered after");
        hub_raw(r, " ");
        hub_incident_duration(r, c->recovered - c->reported);
    } else if (i->status == HUB_INC_CLOSED) {
        hub_t(r, "Closed after");
        hub_raw(r, " ");
        hub_incident_duration(r, c->closed - c->reported);
    } else if (now - c->reported < DAY) {
        hub_t(r, "Open for less than a day");
    } else {
        hub_t(r, "Open for");
        hub_rawf(r, " %lld ", (long long)((now - c->reported) / DAY));
        hub_t(r, "d");
    }
}

static void status_tag(struct hub_req *r, int status)
{
    hub_rawf(r, "<span class=\"kk-tag%s\">",
             status == HUB_INC_OPEN        ? " kk-bad"
             : status == HUB_INC_CONTAINED ? " kk-partial"
                                           : " kk-ok");
    hub_t(r, hub_incident_status_label(status));
    hub_raw(r, "</span>");
}

static void title_text(struct hub_req *r, const struct hub_inc *i)
{
    if (i->title_bad)
        hub_t(r, "(this text cannot be opened with this hub's key)");
    else
        hub_esc(r, kk_buf_str(i->title));
}

static void list_head(struct hub_req *r, bool outlet_col)
{
    static const char *const cols[] = {
        "Title",    "Status",         "Type",     "Severity",
        "Reported", "First response", "Recovery",
    };
    hub_raw(r, "<div class=\"kk-scroll\" tabindex=\"0\" role=\"region\" "
               "aria-label=\"");
    hub_t(r, "Incidents");
    hub_raw(r, "\"><table class=\"kk-table\" id=\"incidents\"><thead><tr>");
    if (outlet_col) {
        hub_raw(r, "<th scope=\"col\">");
        hub_t(r, "Outlet");
        hub_raw(r, "</th>");
    }
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        hub_raw(r, "<th scope=\"col\">");
        hub_t(r, cols[i]);
        hub_raw(r, "</th>");
    }
    hub_raw(r, "</tr></thead><tbody>");
}

static void list_row(struct hub_req *r, const struct hub_inc *i,
                     bool outlet_col, int64_t now)
{
    hub_rawf(r, "<tr data-status=\"%s\">",
             hub_incident_status_name(i->status) != NULL
                 ? hub_incident_status_name(i->status)
                 : "");
    if (outlet_col) {
        hub_raw(r, "<td>");
        hub_esc(r, i->outlet_name);
        hub_raw(r, "</td>");
    }
    hub_rawf(r, "<td><a href=\"/outlets/%lld/incidents/%lld\">",
             (long long)i->outlet, (long long)i->id);
    title_text(r, i);
    hub_raw(r, "</a></td><td>");
    status_tag(r, i->status);
    hub_raw(r, "</td><td>");
    hub_t(r, hub_incident_type_label(i->type) != NULL
                 ? hub_incident_type_label(i->type)
                 : "Other");
    hub_raw(r, "</td><td>");
    hub_t(r, hub_incident_severity_label(i->severity) != NULL
                 ? hub_incident_severity_label(i->severity)
                 : "Medium");
    hub_raw(r, "</td><td>");
    when(r, i->clock.reported);
    hub_raw(r, "</td><td>");
    if (i->clock.first_response != 0)
        hub_incident_duration(r, i->clock.first_response - i->clock.reported);
    else
        dash(r);
    hub_raw(r, "</td><td>");
    outcome(r, i, now);
    hub_raw(r, "</td></tr>");
}

static int list_table(struct hub_req *r, int64_t outlet)
{
    struct hub_inc i;
    sqlite3_stmt *st;
    int64_t now = hub_now();
    size_t n = 0;
    int err = hub_inc_init(&i), rc;
    if (err != KK_OK)
        return err;
    st = hub_inc_list(r, outlet, HUB_INC_PAGE_ROWS);
    if (st == NULL) {
        hub_inc_release(&i);
        return KK_ERR_IO;
    }
    list_head(r, outlet == 0);
    while (err == KK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        err = hub_inc_fill(r, st, &i);
        if (err == KK_OK)
            list_row(r, &i, outlet == 0, now);
        n++;
    }
    sqlite3_reset(st);
    hub_inc_release(&i);
    hub_raw(r, "</tbody></table></div>");
    if (n == 0)
        hub_say(r, "p", "kk-empty", "No incident recorded.");
    return err;
}

static void triage_link(struct hub_req *r)
{
    hub_raw(r, "<p><a href=\"/triage\">");
    hub_t(r, "Triage guidance: what to do first");
    hub_raw(r, "</a></p>");
}

static void report_form(struct hub_req *r, const struct hub_inc_outlet *o,
                        const struct hub_inc_input *in, const struct opts *opts)
{
    char url[URL_MAX];
    const char *bad = in != NULL ? in->bad : NULL;
    const char *v[HUB_IF_COUNT];
    for (size_t k = 0; k < HUB_IF_COUNT; k++)
        v[k] = in != NULL && in->val[k] != NULL ? in->val[k] : "";
    hub_say(r, "h2", NULL, "Report an incident");
    hub_say(r, "p", "kk-hint",
            "The title and the timeline are stored encrypted. Write what "
            "happened, not passwords or codes.");
    if (in != NULL)
        error_line(r, in->bad, in->why);
    snprintf(url, sizeof url, "/outlets/%lld/incidents", (long long)o->id);
    form_open(r, url, "kk-form");
    hub_raw(r, "<p>");
    type_select(r, "new-type", v[HUB_IF_TYPE], bad);
    hub_raw(r, "</p><p>");
    text_input(r, "new-title", "title", "text", v[HUB_IF_TITLE], true, bad);
    hub_raw(r, "</p><p>");
    text_input(r, "new-occurred", "occurred_at", "datetime-local",
               v[HUB_IF_OCCURRED], true, bad);
    hub_raw(r, "</p><p>");
    severity_select(r, "new-severity",
                    v[HUB_IF_SEVERITY][0] != '\0' ? v[HUB_IF_SEVERITY] : "2",
                    bad);
    hub_raw(r, "</p>");
    subject_selects(r, "new", opts, in != NULL ? &in->subj : NULL, bad);
    hub_raw(r, "<p><button type=\"submit\">");
    hub_t(r, "Report");
    hub_raw(r, "</button></p></form>");
}

int hub_inc_page_list(struct hub_req *r, const struct hub_inc_outlet *o,
                      const struct hub_inc_input *in)
{
    struct opts opts;
    int err = opts_load(r, o->id, &opts);
    if (err != KK_OK)
        goto out;
    hub_page_begin(r, "Incidents");
    crumbs(r, o, false);
    hub_outlet_tabs(r, o->id, "/incidents");
    flash(r);
    if (r->who.role == HUB_ROLE_STAFF)
        hub_say(r, "p", "kk-hint", "You see the incidents you reported.");
    err = list_table(r, o->id);
    triage_link(r);
    if (err == KK_OK && !o->archived)
        report_form(r, o, in, &opts);
    hub_page_end(r);
out:
    opts_free(&opts);
    return err;
}

/* --- the programme's list --- */

int hub_inc_page_programme(struct hub_req *r)
{
    int err;
    hub_page_begin(r, "Incidents");
    hub_say(r, "p", "kk-hint",
            "Every incident of the outlets you follow, open ones first. Times "
            "are in UTC.");
    err = list_table(r, 0);
    triage_link(r);
    hub_page_end(r);
    return err;
}

/* --- one incident --- */

/* One step of the clock: its time, and how long before or after the
 * report it came. */
static void clock_row(struct hub_req *r, const char *id, const char *label,
                      int64_t t, int64_t reported)
{
    hub_rawf(r, "<tr id=\"clock-%s\"><th scope=\"row\">", id);
    hub_t(r, label);
    hub_raw(r, "</th><td>");
    when(r, t);
    hub_raw(r, "</td><td>");
    if (t == 0 || t == reported || reported == 0) {
        dash(r);
    } else if (t < reported) {
        hub_incident_duration(r, reported - t);
        hub_raw(r, " ");
        hub_t(r, "before the report");
    } else {
        hub_raw(r, "+");
        hub_incident_duration(r, t - reported);
    }
    hub_raw(r, "</td></tr>");
}

static void clock_section(struct hub_req *r, const struct hub_inc *i)
{
    const struct hub_incident_clock *c = &i->clock;
    hub_raw(r, "<h2 id=\"clock\">");
    hub_t(r, "Incident clock");
    hub_raw(r, "</h2><div class=\"kk-scroll\" tabindex=\"0\" role=\"region\" "
               "aria-labelledby=\"clock\"><table class=\"kk-table\" "
               "id=\"clock-table\"><thead><tr><th scope=\"col\">");
    hub_t(r, "Step");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "When");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "From the report");
    hub_raw(r, "</th></tr></thead><tbody>");
    clock_row(r, "occurred", "Happened", c->occurred, c->reported);
    clock_row(r, "reported", "Reported", c->reported, c->reported);
    clock_row(r, "first-response", "First response", c->first_response,
              c->reported);
    clock_row(r, "contained", "Contained", c->contained, c->reported);
    clock_row(r, "recovered", "Recovered", c->recovered, c->reported);
    clock_row(r, "closed", "Closed", c->closed, c->reported);
    hub_raw(r, "</tbody></table></div>");
    if (i->status == HUB_INC_OPEN || i->status == HUB_INC_CONTAINED) {
        hub_raw(r, "<p class=\"kk-meta\" id=\"clock-age\">");
        outcome(r, i, hub_now());
        hub_raw(r, "</p>");
    }
}

static void status_button(struct hub_req *r, const struct hub_inc *i, int to,
                          const char *label, const char *cls)
{
    char url[URL_MAX];
    snprintf(url, sizeof url, "/outlets/%lld/incidents/%lld",
             (long long)i->outlet, (long long)i->id);
    form_open(r, url, "kk-inline");
    hub_rawf(r, "<input type=\"hidden\" name=\"status\" value=\"%s\">",
             hub_incident_status_name(to));
    hub_rawf(r, "<button type=\"submit\" class=\"%s\">", cls);
    hub_t(r, label);
    hub_raw(r, "</button></form>");
}

static void status_section(struct hub_req *r, const struct hub_inc *i)
{
    hub_say(r, "p", "kk-hint",
            "Each button records its time now; correct the times under "
            "\"Edit the incident\" if it happened earlier.");
    hub_raw(r, "<div class=\"kk-actions\" id=\"status-actions\">");
    if (i->status == HUB_INC_OPEN)
        status_button(r, i, HUB_INC_CONTAINED, "Mark contained", "");
    if (i->status == HUB_INC_OPEN || i->status == HUB_INC_CONTAINED)
        status_button(r, i, HUB_INC_RECOVERED, "Mark recovered", "");
    if (i->status != HUB_INC_CLOSED)
        status_button(r, i, HUB_INC_CLOSED, "Close", "kk-button-secondary");
    else
        status_button(r, i, HUB_INC_OPEN, "Reopen", "kk-button-secondary");
    hub_raw(r, "</div>");
}

static int subjects_section(struct hub_req *r, const struct hub_inc *i)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_INC_SUBJECTS);
    size_t n = 0;
    int rc;
    if (st == NULL)
        return KK_ERR_IO;
    hub_say(r, "h2", NULL, "Affected");
    hub_bind_i64(st, ":outlet", i->outlet);
    hub_bind_i64(st, ":id", i->id);
    hub_raw(r, "<ul id=\"subjects\">");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int k = kind_of(hub_col_text(st, 0));
        if (k < 0)
            continue;
        hub_raw(r, "<li><span class=\"kk-meta\">");
        hub_t(r, kind_titles[k]);
        hub_raw(r, ":</span> ");
        subject_name(r, k, hub_col_text(st, 2), hub_col_text(st, 3));
        hub_raw(r, "</li>");
        n++;
    }
    sqlite3_reset(st);
    hub_raw(r, "</ul>");
    if (n == 0)
        hub_say(r, "p", "kk-empty", "Nothing recorded.");
    return rc == SQLITE_DONE ? KK_OK : hub_sql_err(rc);
}

static void triage_section(struct hub_req *r, const struct hub_inc *i)
{
    const struct hub_triage_set *set = NULL;
    const struct hub_triage_flow *f = NULL, *done = NULL;
    char url[URL_MAX];
    if (hub_triage_builtin(&set, NULL) == KK_OK) {
        f = hub_triage_for_type(set, i->type);
        done = hub_triage_find(set, i->flow);
    }
    hub_say(r, "h2", NULL, "Triage guidance");
    if (done != NULL) {
        hub_raw(r, "<p>");
        hub_t(r, "Walked:");
        hub_raw(r, " ");
        hub_esc(r, done->title.t[r->lang]);
        hub_raw(r, "</p>");
    }
    if (f == NULL)
        f = done;
    if (f == NULL) {
        hub_say(r, "p", NULL,
                "There is no triage flow for this type of incident. Call your "
                "trainer, or write to Access Now's Digital Security Helpline: "
                "help@accessnow.org (day and night, also in Russian).");
        hub_raw(r, "<p><a href=\"/triage\">");
        hub_t(r, "All triage flows");
        hub_raw(r, "</a></p>");
        return;
    }
    if (hub_inc_manager(r))
        snprintf(url, sizeof url, "/outlets/%lld/incidents/%lld/triage",
                 (long long)i->outlet, (long long)i->id);
    else
        snprintf(url, sizeof url, "/triage/walk?flow=%s", f->id);
    hub_raw(r, "<p><a class=\"kk-button\" id=\"triage-walk\" href=\"");
    hub_esc(r, url);
    hub_raw(r, "\">");
    hub_t(r, "Walk the triage:");
    hub_raw(r, " ");
    hub_esc(r, f->title.t[r->lang]);
    hub_raw(r, "</a></p>");
}

static void event_item(struct hub_req *r, sqlite3_stmt *st, struct kk_buf *text)
{
    int64_t seq = sqlite3_column_int64(st, 0);
    int kind = hub_incident_event_from_name(hub_col_text(st, 2));
    int e = hub_col_opened(r, st, 3, "incident_events.text", seq, text);
    bool hidden = sqlite3_column_int(st, 4) != 0;
    hub_rawf(r, "<li class=\"kk-event\" data-kind=\"%s\"><p class=\"kk-meta\">",
             kind != 0 ? hub_incident_event_name(kind) : "note");
    when(r, sqlite3_column_int64(st, 1));
    hub_raw(r, " &#183; ");
    hub_t(r, kind != 0 ? hub_incident_event_label(kind) : "Note");
    if (hub_col_text(st, 5)[0] != '\0') {
        hub_raw(r, " &#183; ");
        hub_esc(r, hub_col_text(st, 5));
    }
    if (hidden) {
        hub_raw(r, " <span class=\"kk-tag\">");
        hub_t(r, "Trainers only");
        hub_raw(r, "</span>");
    }
    hub_raw(r, "</p><p class=\"kk-event-text\">");
    if (e != KK_OK) {
        hub_t(r, "(this text cannot be opened with this hub's key)");
    } else if (kind == HUB_EV_STATUS) {
        int s = hub_incident_status_from_name(kk_buf_str(text));
        hub_t(r, "Status changed to:");
        hub_raw(r, " ");
        hub_t(r, s != 0 ? hub_incident_status_label(s) : kk_buf_str(text));
    } else {
        esc_lines(r, kk_buf_str(text));
    }
    hub_raw(r, "</p></li>");
}

static int timeline_section(struct hub_req *r, const struct hub_inc *i)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_INC_EVENTS);
    struct kk_buf *text = kk_buf_new(KK_HUB_TEXT_MAX * 4 + 64);
    int rc = SQLITE_DONE;
    if (st == NULL || text == NULL) {
        kk_buf_free(text);
        return st == NULL ? KK_ERR_IO : KK_ERR_NOMEM;
    }
    hub_raw(r, "<h2 id=\"timeline\">");
    hub_t(r, "Timeline");
    hub_raw(r, "</h2><ol class=\"kk-timeline\"><li class=\"kk-event\" "
               "data-kind=\"reported\"><p class=\"kk-meta\">");
    when(r, i->clock.reported);
    hub_raw(r, " &#183; ");
    hub_t(r, "Reported");
    if (i->reporter[0] != '\0') {
        hub_raw(r, " &#183; ");
        hub_esc(r, i->reporter);
    }
    hub_raw(r, "</p></li>");
    hub_bind_i64(st, ":outlet", i->outlet);
    hub_bind_i64(st, ":id", i->id);
    while (r->err == KK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        event_item(r, st, text);
    sqlite3_reset(st);
    kk_buf_free(text);
    hub_raw(r, "</ol>");
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? KK_OK : hub_sql_err(rc);
}

static void note_form(struct hub_req *r, const struct hub_inc *i,
                      const struct hub_inc_note *note)
{
    char url[URL_MAX];
    const char *kind = note != NULL && note->kind != NULL ? note->kind : "note";
    hub_say(r, "h3", NULL, "Add to the timeline");
    if (note != NULL)
        error_line(r, note->bad, note->why);
    snprintf(url, sizeof url, "/outlets/%lld/incidents/%lld/events",
             (long long)i->outlet, (long long)i->id);
    form_open(r, url, "kk-form");
    hub_raw(r, "<p>");
    label_for(r, "ev-kind", "Kind");
    hub_raw(r, "<select id=\"ev-kind\" name=\"kind\">");
    option(r, "note", "Note", true, strcmp(kind, "note") == 0);
    option(r, "escalation",
           "Escalation (to the platform, a helpline, a lawyer...)", true,
           strcmp(kind, "escalation") == 0);
    hub_raw(r, "</select></p><p>");
    label_for(r, "ev-text", "Text");
    hub_rawf(r,
             "<textarea id=\"ev-text\" name=\"text\" rows=\"4\" "
             "maxlength=\"%d\" required aria-describedby=\"ev-hint\"",
             KK_HUB_TEXT_MAX);
    invalid_attr(r, note != NULL ? note->bad : NULL, "text");
    hub_raw(r, ">");
    hub_esc(r, note != NULL && note->text != NULL ? note->text : "");
    hub_raw(r, "</textarea><span class=\"kk-hint\" id=\"ev-hint\">");
    hub_t(r, "For an escalation, say to whom and how: the platform's form, "
             "the helpline's ticket number, the lawyer.");
    hub_raw(r, "</span></p>");
    if (hub_inc_trainers(r)) {
        hub_raw(r, "<p><label><input type=\"checkbox\" id=\"ev-trainer-only\" "
                   "name=\"trainer_only\" value=\"1\"");
        hub_raw(r, note != NULL && note->trainer_only ? " checked>" : ">");
        hub_t(r, "Only trainers and assistants see this");
        hub_raw(r, "</label></p>");
    }
    hub_raw(r, "<p><button type=\"submit\">");
    hub_t(r, "Add to the timeline");
    hub_raw(r, "</button></p></form>");
}

static void status_select(struct hub_req *r, const char *val, const char *bad)
{
    label_for(r, "edit-status", "Status");
    hub_raw(r, "<select id=\"edit-status\" name=\"status\"");
    invalid_attr(r, bad, "status");
    hub_raw(r, ">");
    for (int s = 1; s <= HUB_INC_STATUS_COUNT; s++)
        option(r, hub_incident_status_name(s), hub_incident_status_label(s),
               true, strcmp(val, hub_incident_status_name(s)) == 0);
    hub_raw(r, "</select>");
}

static void edit_form(struct hub_req *r, const struct hub_inc *i,
                      const struct hub_inc_input *in, const struct opts *opts,
                      const struct hub_inc_subjects *cur)
{
    const int64_t t[] = {i->clock.occurred,       i->clock.reported,
                         i->clock.first_response, i->clock.contained,
                         i->clock.recovered,      i->clock.closed};
    const char *bad = in != NULL ? in->bad : NULL;
    char url[URL_MAX], id[48], ts[32], sev[8];
    hub_raw(r, in != NULL ? "<details open>" : "<details>");
    hub_raw(r, "<summary>");
    hub_t(r, "Edit the incident");
    hub_raw(r, "</summary>");
    if (in != NULL)
        error_line(r, in->bad, in->why);
    snprintf(url, sizeof url, "/outlets/%lld/incidents/%lld",
             (long long)i->outlet, (long long)i->id);
    form_open(r, url, "kk-form");
    hub_raw(r, "<input type=\"hidden\" name=\"subjects\" value=\"1\"><p>");
    type_select(r, "edit-type",
                in != NULL && in->val[HUB_IF_TYPE][0] != '\0'
                    ? in->val[HUB_IF_TYPE]
                : hub_incident_type_name(i->type) != NULL
                    ? hub_incident_type_name(i->type)
                    : "",
                bad);
    hub_raw(r, "</p><p>");
    text_input(r, "edit-title", "title", "text",
               in != NULL && in->val[HUB_IF_TITLE][0] != '\0'
                   ? in->val[HUB_IF_TITLE]
                   : kk_buf_str(i->title),
               true, bad);
    hub_raw(r, "</p><p>");
    snprintf(sev, sizeof sev, "%d", i->severity);
    severity_select(r, "edit-severity",
                    in != NULL && in->val[HUB_IF_SEVERITY][0] != '\0'
                        ? in->val[HUB_IF_SEVERITY]
                        : sev,
                    bad);
    hub_raw(r, "</p><p>");
    status_select(r,
                  in != NULL && in->val[HUB_IF_STATUS][0] != '\0'
                      ? in->val[HUB_IF_STATUS]
                      : hub_incident_status_name(i->status),
                  bad);
    hub_raw(r, "</p>");
    for (int k = HUB_IF_OCCURRED; k < HUB_IF_COUNT; k++) {
        const char *v = ts;
        hub_incident_time_input(t[k - HUB_IF_OCCURRED], ts, sizeof ts);
        if (in != NULL && in->val[k][0] != '\0')
            v = in->val[k];
        snprintf(id, sizeof id, "edit-%s", hub_inc_field_name[k]);
        hub_raw(r, "<p>");
        text_input(r, id, hub_inc_field_name[k], "datetime-local", v,
                   k == HUB_IF_OCCURRED || k == HUB_IF_REPORTED, bad);
        hub_raw(r, "</p>");
    }
    hub_say(
        r, "p", "kk-hint",
        "An empty time keeps what is recorded; to forget a step's time, move "
        "the status back.");
    subject_selects(r, "edit", opts, in != NULL ? &in->subj : cur, bad);
    hub_raw(r, "<p><button type=\"submit\">");
    hub_t(r, "Save changes");
    hub_raw(r, "</button></p></form></details>");
}

int hub_inc_page_show(struct hub_req *r, const struct hub_inc_outlet *o,
                      const struct hub_inc *i, const struct hub_inc_input *in,
                      const struct hub_inc_note *note)
{
    struct opts opts;
    struct hub_inc_subjects cur;
    bool manage = hub_inc_manager(r);
    int err = KK_OK;
    memset(&opts, 0, sizeof opts);
    if (manage)
        err = opts_load(r, o->id, &opts);
    if (err == KK_OK && manage)
        err = hub_inc_subjects_load(r, o->id, i->id, &cur);
    if (err != KK_OK)
        goto out;
    hub_page_begin(r, "Incident");
    crumbs(r, o, true);
    hub_outlet_tabs(r, o->id, "/incidents");
    flash(r);
    hub_raw(r, "<h2 id=\"incident-title\">");
    title_text(r, i);
    hub_raw(r, "</h2><p class=\"kk-meta\">");
    hub_t(r, hub_incident_type_label(i->type) != NULL
                 ? hub_incident_type_label(i->type)
                 : "Other");
    hub_raw(r, " &#183; ");
    hub_t(r, "Severity");
    hub_raw(r, ": ");
    hub_t(r, hub_incident_severity_label(i->severity) != NULL
                 ? hub_incident_severity_label(i->severity)
                 : "Medium");
    hub_raw(r, " &#183; ");
    status_tag(r, i->status);
    hub_raw(r, "</p>");
    clock_section(r, i);
    if (manage)
        status_section(r, i);
    err = subjects_section(r, i);
    if (err == KK_OK) {
        triage_section(r, i);
        err = timeline_section(r, i);
    }
    if (err == KK_OK && manage) {
        note_form(r, i, note);
        edit_form(r, i, in, &opts, &cur);
    }
    hub_rawf(r, "<p><a href=\"/outlets/%lld/incidents\">", (long long)o->id);
    hub_t(r, "All incidents of this outlet");
    hub_raw(r, "</a></p>");
    hub_page_end(r);
out:
    opts_free(&opts);
    return err;
}
