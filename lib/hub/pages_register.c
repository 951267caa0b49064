/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pages_register.c - the register's pages (outlets, people, devices,
 * accounts, licences, websites) and the handlers shared with the JSON API.
 *
 * Every entity gets the same pages from its column table (reg.c): a list
 * with an add form and the CSV import/export, and a detail page with the
 * edit and archive forms.  A handler answers HTML or JSON depending on the
 * route (r->api), so the API and the pages cannot drift apart.  Pages are
 * plain forms with labels and server-side validation (no script); a bad
 * field re-renders the form with the values typed and the field named.
 * The cost of the generic layout is that no page is tailored: an entity
 * that needs more than a table and a form gets it through its hooks.
 */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "programme.h"
#include "reg.h"

#define URL_MAX 160

static bool may(const struct hub_req *r, unsigned roles)
{
    return (roles & HUB_ROLEBIT(r->who.role)) != 0;
}

static int ref_kind(const struct reg_entity *e)
{
    for (size_t i = 0; i < e->n_cols; i++) {
        if (e->cols[i].ref != REG_REF_NONE)
            return e->cols[i].ref;
    }
    return REG_REF_NONE;
}

/* The people or devices an entity refers to (none for others). */
static int opts_for(struct hub_req *r, const struct reg_ctx *c,
                    struct reg_opts *o)
{
    int kind = ref_kind(c->e);
    if (kind == REG_REF_NONE) {
        memset(o, 0, sizeof *o);
        return KK_OK;
    }
    return reg_opts_load(r, kind, c->outlet, o);
}

static void anchor(struct hub_req *r, const char *href, const char *text,
                   bool translate)
{
    hub_raw(r, "<a href=\"");
    hub_esc(r, href);
    hub_raw(r, "\">");
    if (translate)
        hub_t(r, text);
    else
        hub_esc(r, text);
    hub_raw(r, "</a>");
}

/* --- values --- */

static void show_ref(struct hub_req *r, const struct reg_opts *o, const char *v)
{
    int64_t id = 0;
    const struct reg_opt *opt = NULL;
    if (kk_parse_i64(v, 1, INT64_MAX, &id) == KK_OK)
        opt = reg_opt_find(o, id);
    if (opt != NULL)
        hub_esc(r, reg_opt_text(o, opt->label));
    else
        hub_rawf(r, "#%s", v);
}

static void show_value(struct hub_req *r, const struct reg_col *col,
                       const char *v, const struct reg_opts *o)
{
    int64_t id;
    char num[24];
    const char *p = v;
    bool first = true;
    if (v[0] == '\0' && col->type != HUB_F_BOOL) {
        hub_raw(r, "<span class=\"kk-muted\">&#8212;</span>");
    } else if (col->type == HUB_F_BOOL) {
        hub_t(r, v[0] != '\0' ? "Yes" : "No");
    } else if (col->en != NULL) {
        int x = col->en->from_name(v);
        hub_t(r, x != 0 ? col->en->label(x) : v);
    } else if (col->flags & REG_MULTI) {
        while (reg_ids_next(&p, &id)) {
            snprintf(num, sizeof num, "%lld", (long long)id);
            hub_raw(r, first ? "" : ", ");
            show_ref(r, o, num);
            first = false;
        }
    } else if (col->ref != REG_REF_NONE) {
        show_ref(r, o, v);
    } else {
        hub_esc(r, v);
    }
}

/* --- navigation --- */

static void crumbs(struct hub_req *r, const struct reg_ctx *c)
{
    char url[URL_MAX];
    hub_raw(r, "<p class=\"kk-crumbs\">");
    if (may(r, REG_TRAINERS))
        anchor(r, "/outlets", "Outlets", true);
    if (c->e->child) {
        snprintf(url, sizeof url, "/outlets/%lld", (long long)c->outlet);
        hub_raw(r, may(r, REG_TRAINERS) ? " &#8250; " : "");
        if (may(r, REG_MANAGE)) /* the overview is for managers */
            anchor(r, url, c->outlet_name, false);
        else
            hub_esc(r, c->outlet_name);
    }
    hub_raw(r, "</p>");
}

static void tabs(struct hub_req *r, const struct reg_ctx *c)
{
    char current[32];
    if (!c->e->child)
        return;
    snprintf(current, sizeof current, "/%s", c->e->path);
    hub_outlet_tabs(r, c->outlet, current);
}

static void flash(struct hub_req *r, const char *msgid)
{
    hub_raw(r, "<p class=\"kk-flash\" role=\"status\">");
    hub_t(r, msgid);
    hub_raw(r, "</p>");
}

static void notice_from_query(struct hub_req *r)
{
    static const char *const notes[][2] = {
        {"added", "Added."},
        {"saved", "Saved."},
        {"archived", "Archived."},
        {"tfa", "Two-factor method saved."},
    };
    const char *done = hub_form_get(r->query, "done");
    for (size_t i = 0; done != NULL && i < sizeof notes / sizeof notes[0];
         i++) {
        if (strcmp(done, notes[i][0]) == 0)
            flash(r, notes[i][1]);
    }
}

static void error_line(struct hub_req *r, const struct reg_entity *e,
                       const struct reg_input *in)
{
    size_t i;
    if (in == NULL || in->bad == NULL)
        return;
    i = reg_col_index(e, in->bad);
    hub_raw(r, "<p class=\"kk-error\" role=\"alert\">");
    hub_t(r, i < e->n_cols ? e->cols[i].label : in->bad);
    hub_raw(r, ": ");
    hub_t(r, in->why);
    hub_raw(r, "</p>");
}

/* --- form controls --- */

struct control {
    const struct reg_col *col;
    char id[48];
    const char *val;
    bool bad;
};

static void attrs(struct hub_req *r, const struct control *k)
{
    hub_rawf(r, " id=\"%s\" name=\"%s\"", k->id, k->col->name);
    if (k->col->required)
        hub_raw(r, " required");
    if (k->bad)
        hub_raw(r, " aria-invalid=\"true\"");
    if (k->col->hint != NULL)
        hub_rawf(r, " aria-describedby=\"%s-hint\"", k->id);
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

static void enum_select(struct hub_req *r, const struct control *k)
{
    const struct reg_enum *en = k->col->en;
    hub_raw(r, "<select");
    attrs(r, k);
    hub_raw(r, ">");
    if ((!k->col->required && k->col->def == NULL) || k->val[0] == '\0')
        option(r, "", k->col->required ? "Choose" : "Not set", true,
               k->val[0] == '\0');
    for (int v = 1; v <= en->count; v++)
        option(r, en->name(v), en->label(v), true,
               strcmp(k->val, en->name(v)) == 0);
    hub_raw(r, "</select>");
}

/* Whether id is chosen: in ids when given (a form shown again), else in
 * the stored list. */
static bool listed(const int64_t *ids, size_t n, const char *list, int64_t id)
{
    for (size_t i = 0; ids != NULL && i < n; i++) {
        if (ids[i] == id)
            return true;
    }
    return ids == NULL && list != NULL && reg_ids_has(list, id);
}

/* A select of people or devices; admins choose several. */
static void ref_select(struct hub_req *r, const struct control *k,
                       const struct reg_opts *o, const int64_t *ids,
                       size_t n_ids)
{
    bool multi = (k->col->flags & REG_MULTI) != 0;
    char num[24];
    hub_raw(r, multi ? "<select multiple size=\"5\"" : "<select");
    attrs(r, k);
    hub_raw(r, ">");
    if (!multi)
        option(r, "", "Nobody", true, k->val[0] == '\0');
    for (size_t i = 0; i < o->n; i++) {
        const struct reg_opt *opt = &o->v[i];
        bool sel;
        snprintf(num, sizeof num, "%lld", (long long)opt->id);
        sel = multi ? listed(ids, n_ids, k->val, opt->id)
                    : strcmp(num, k->val) == 0;
        if (opt->archived && !sel)
            continue;
        option(r, num, reg_opt_text(o, opt->label), false, sel);
    }
    hub_raw(r, "</select>");
}

static void text_input(struct hub_req *r, const struct control *k)
{
    static const char *const types[] = {
        [HUB_F_TEXT] = "text",
        [HUB_F_INT] = "number",
        [HUB_F_DATE] = "date",
        [HUB_F_EMAIL] = "email",
    };
    const struct reg_col *col = k->col;
    hub_rawf(r, "<input type=\"%s\"",
             types[col->type] != NULL ? types[col->type] : "text");
    attrs(r, k);
    if (col->type == HUB_F_TEXT)
        hub_rawf(r, " maxlength=\"%lld\"",
                 (long long)(col->max > 0 ? col->max : KK_HUB_NAME_MAX));
    if (col->type == HUB_F_INT && col->max > col->min)
        hub_rawf(r, " min=\"%lld\" max=\"%lld\" inputmode=\"numeric\"",
                 (long long)col->min, (long long)col->max);
    if (col->flags & REG_MASK) {
        /* Only the mask is stored; it is shown beside an empty input. */
        hub_raw(r, " autocomplete=\"off\" spellcheck=\"false\" value=\"\">");
        if (k->val[0] != '\0') {
            hub_raw(r, "<span class=\"kk-hint\">");
            hub_t(r, "On record:");
            hub_raw(r, " <code>");
            hub_esc(r, k->val);
            hub_raw(r, "</code></span>");
        }
        return;
    }
    hub_raw(r, " value=\"");
    hub_esc(r, k->val);
    hub_raw(r, "\">");
}

static void control(struct hub_req *r, const struct control *k,
                    const struct reg_opts *o, const int64_t *ids, size_t n_ids)
{
    const struct reg_col *col = k->col;
    if (col->type == HUB_F_BOOL) {
        hub_raw(r, "<p><label><input type=\"checkbox\" value=\"1\"");
        attrs(r, k);
        hub_raw(r, k->val[0] != '\0' ? " checked> " : "> ");
        hub_t(r, col->label);
        hub_raw(r, "</label></p>");
        return;
    }
    hub_rawf(r, "<p><label for=\"%s\">", k->id);
    hub_t(r, col->label);
    hub_raw(r, "</label>");
    if (col->ref != REG_REF_NONE)
        ref_select(r, k, o, ids, n_ids);
    else if (col->en != NULL)
        enum_select(r, k);
    else
        text_input(r, k);
    if (col->hint != NULL) {
        hub_rawf(r, "<span class=\"kk-hint\" id=\"%s-hint\">", k->id);
        hub_t(r, col->hint);
        hub_raw(r, "</span>");
    }
    hub_raw(r, "</p>");
}

/* The inputs of an add (row NULL) or edit form.  Values come from the
 * input that failed, else the row, else the defaults. */
static void fields(struct hub_req *r, const struct reg_entity *e,
                   const char *prefix, const struct reg_input *in,
                   const struct reg_row *row, const struct reg_opts *o)
{
    bool staff = r->who.role == HUB_ROLE_STAFF;
    for (size_t i = 0; i < e->n_cols; i++) {
        const struct reg_col *col = &e->cols[i];
        struct control k = {.col = col};
        if ((col->flags & REG_RO) || (staff && !(col->flags & REG_STAFF)))
            continue;
        snprintf(k.id, sizeof k.id, "%s-%s", prefix, col->name);
        if (in != NULL && in->val[i] != NULL)
            k.val = in->val[i];
        else if (row != NULL)
            k.val = reg_val(row, i);
        else
            k.val = col->def != NULL ? col->def : "";
        k.bad =
            in != NULL && in->bad != NULL && strcmp(in->bad, col->name) == 0;
        if (in != NULL && in->admins_set && (col->flags & REG_MULTI))
            control(r, &k, o, in->admins, in->n_admins);
        else
            control(r, &k, o, NULL, 0);
    }
}

static void form_open(struct hub_req *r, const char *action, const char *cls)
{
    hub_raw(r, "<form method=\"post\" action=\"");
    hub_esc(r, action);
    hub_rawf(r, "\" class=\"%s\">", cls);
    hub_csrf_field(r);
}

static void form_close(struct hub_req *r, const char *button, const char *cls)
{
    hub_rawf(r, "<p><button type=\"submit\" class=\"%s\">", cls);
    hub_t(r, button);
    hub_raw(r, "</button></p></form>");
}

/* --- the list page --- */

/* The quick 2FA form in an account's row. */
static void tfa_cell(struct hub_req *r, const struct reg_ctx *c,
                     const struct reg_row *row, size_t ti)
{
    char url[URL_MAX];
    struct reg_col col = c->e->cols[ti];
    struct control k = {.col = &col, .val = reg_val(row, ti)};
    col.required = true; /* no way back to "not recorded" */
    snprintf(url, sizeof url, "/outlets/%lld/accounts/%lld/tfa",
             (long long)c->outlet, (long long)row->id);
    snprintf(k.id, sizeof k.id, "tfa-%lld", (long long)row->id);
    form_open(r, url, "kk-row-form");
    hub_rawf(r, "<label class=\"kk-sr\" for=\"%s\">", k.id);
    hub_t(r, k.col->label);
    hub_raw(r, "</label>");
    enum_select(r, &k);
    hub_raw(r, "<button type=\"submit\">");
    hub_t(r, "Save");
    hub_raw(r, "</button></form>");
}

static void table_head(struct hub_req *r, const struct reg_entity *e,
                       bool edit_col)
{
    hub_raw(r, "<div class=\"kk-table-wrap\" tabindex=\"0\" role=\"region\" "
               "aria-label=\"");
    hub_t(r, e->title);
    hub_raw(r, "\"><table><thead><tr>");
    for (size_t i = 0; i < e->n_cols; i++) {
        if (!(e->cols[i].flags & REG_SHOW))
            continue;
        hub_raw(r, e->cols[i].type == HUB_F_INT ? "<th scope=\"col\" "
                                                  "class=\"kk-num\">"
                                                : "<th scope=\"col\">");
        hub_t(r, e->cols[i].label);
        hub_raw(r, "</th>");
    }
    if (e == &reg_websites)
        hub_site_reg_head(r);
    if (edit_col) {
        hub_raw(r, "<th scope=\"col\"><span class=\"kk-sr\">");
        hub_t(r, "Actions");
        hub_raw(r, "</span></th>");
    }
    hub_raw(r, "</tr></thead><tbody>");
}

static void table_row(struct hub_req *r, const struct reg_ctx *c,
                      const struct reg_row *row, const struct reg_opts *o,
                      bool edit_col)
{
    const struct reg_entity *e = c->e;
    bool first = true, quick = e == &reg_accounts && row->archived_at == 0 &&
                               may(r, e->edit_roles);
    char url[URL_MAX];
    hub_raw(r, "<tr>");
    for (size_t i = 0; i < e->n_cols; i++) {
        const struct reg_col *col = &e->cols[i];
        if (!(col->flags & REG_SHOW))
            continue;
        hub_raw(r, col->type == HUB_F_INT ? "<td class=\"kk-num\">" : "<td>");
        if (first) {
            if (e->child)
                reg_url_obj(c, row->id, url, sizeof url);
            else
                snprintf(url, sizeof url, "/outlets/%lld", (long long)row->id);
            hub_raw(r, "<a href=\"");
            hub_esc(r, url);
            hub_raw(r, "\">");
        }
        if (quick && (col->flags & REG_EXTRA))
            tfa_cell(r, c, row, i);
        else
            show_value(r, col, reg_val(row, i), o);
        if (first && row->archived_at != 0) {
            hub_raw(r, " <span class=\"kk-tag\">");
            hub_t(r, "Archived");
            hub_raw(r, "</span>");
        }
        hub_raw(r, first ? "</a></td>" : "</td>");
        first = false;
    }
    if (e == &reg_websites)
        hub_site_reg_cell(r, c->outlet, row->id);
    if (edit_col) {
        reg_url_obj(c, row->id, url, sizeof url);
        hub_raw(r, "<td>");
        anchor(r, url, "Edit", true);
        hub_raw(r, "</td>");
    }
    hub_raw(r, "</tr>");
}

static int table(struct hub_req *r, const struct reg_ctx *c,
                 const struct reg_opts *o, bool all)
{
    struct reg_row row;
    sqlite3_stmt *st;
    bool edit_col = !c->e->child && may(r, c->e->edit_roles);
    size_t n = 0;
    int err = reg_row_init(&row);
    if (err != KK_OK)
        return err;
    st = reg_select(r, c->e, c->outlet, 0, all, KK_HUB_PAGE_ROWS);
    if (st == NULL) {
        reg_row_free(&row);
        return KK_ERR_IO;
    }
    table_head(r, c->e, edit_col);
    while (err == KK_OK && sqlite3_step(st) == SQLITE_ROW) {
        err = reg_row_fill(st, c->e, &row);
        if (err == KK_OK)
            table_row(r, c, &row, o, edit_col);
        n++;
    }
    sqlite3_reset(st);
    reg_row_free(&row);
    hub_raw(r, "</tbody></table></div>");
    if (n == 0)
        hub_say(r, "p", "kk-empty", "Nothing recorded yet.");
    return err;
}

static void archived_toggle(struct hub_req *r, const struct reg_ctx *c,
                            bool all)
{
    char url[URL_MAX];
    reg_url_list(c, url, sizeof url);
    if (!all && strlen(url) + 12 < sizeof url)
        memcpy(url + strlen(url), "?archived=1", 12);
    hub_raw(r, "<p>");
    anchor(r, url, all ? "Hide archived" : "Show archived", true);
    hub_raw(r, "</p>");
}

static void columns_hint(struct hub_req *r, const struct reg_entity *e)
{
    hub_raw(r, "<span class=\"kk-hint\" id=\"csv-hint\">");
    hub_t(r, "The first line names the columns:");
    for (size_t i = 0, n = 0; i < e->n_cols; i++) {
        if (e->cols[i].flags & REG_RO)
            continue;
        hub_raw(r, n++ == 0 ? " <code>" : ", <code>");
        hub_esc(r, e->cols[i].name);
        hub_raw(r, "</code>");
    }
    hub_raw(r, ". ");
    hub_t(r, "People are named by name, e-mail or id; several admins are "
             "separated by semicolons. Every row is checked first: either "
             "all rows are added or none.");
    hub_raw(r, "</span>");
}

static void csv_section(struct hub_req *r, const struct reg_ctx *c,
                        const struct reg_page_state *s)
{
    char url[URL_MAX];
    hub_say(r, "h2", NULL, "CSV");
    reg_url_list(c, url, sizeof url);
    hub_raw(r, "<p class=\"kk-actions\"><a class=\"kk-button "
               "kk-button-secondary\" href=\"");
    hub_esc(r, url);
    hub_raw(r, ".csv\" download>");
    hub_t(r, "Export as CSV");
    hub_raw(r, "</a></p>");
    if (s != NULL && s->csv_err != NULL) {
        hub_raw(r, "<p class=\"kk-error\" role=\"alert\">");
        hub_esc(r, s->csv_err);
        hub_raw(r, "</p>");
    }
    reg_url_list(c, url, sizeof url);
    if (strlen(url) + 8 < sizeof url)
        memcpy(url + strlen(url), "/import", 8);
    form_open(r, url, "kk-form");
    hub_raw(r, "<p><label for=\"csv\">");
    hub_t(r, "Paste CSV to import");
    hub_raw(r, "</label><textarea id=\"csv\" name=\"csv\" rows=\"8\" "
               "spellcheck=\"false\" required aria-describedby=\"csv-hint\"");
    hub_raw(r,
            s != NULL && s->csv_err != NULL ? " aria-invalid=\"true\">" : ">");
    hub_esc(r, s != NULL && s->csv != NULL ? s->csv : "");
    hub_raw(r, "</textarea>");
    columns_hint(r, c->e);
    hub_raw(r, "</p>");
    form_close(r, "Import", "");
}

static void add_section(struct hub_req *r, const struct reg_ctx *c,
                        const struct reg_page_state *s,
                        const struct reg_opts *o)
{
    char url[URL_MAX];
    hub_say(r, "h2", NULL, c->e->add);
    error_line(r, c->e, s != NULL ? s->in : NULL);
    reg_url_list(c, url, sizeof url);
    form_open(r, url, "kk-form");
    fields(r, c->e, "new", s != NULL ? s->in : NULL, NULL, o);
    form_close(r, "Add", "");
}

int reg_page_list(struct hub_req *r, const struct reg_ctx *c,
                  const struct reg_page_state *s)
{
    struct reg_opts o;
    const char *arch = hub_form_get(r->query, "archived");
    bool all = arch != NULL && strcmp(arch, "1") == 0, add;
    int err = opts_for(r, c, &o);
    if (err != KK_OK)
        goto out;
    hub_page_begin(r, c->e->title);
    crumbs(r, c);
    tabs(r, c);
    notice_from_query(r);
    if (s != NULL && s->imported >= 0) {
        hub_raw(r, "<p class=\"kk-flash\" role=\"status\">");
        hub_t(r, "Rows imported:");
        hub_rawf(r, " %lld</p>", (long long)s->imported);
    }
    if (c->outlet_archived)
        hub_say(r, "p", "kk-warning", "This outlet is archived.");
    err = table(r, c, &o, all);
    archived_toggle(r, c, all);
    add = err == KK_OK && !c->outlet_archived && may(r, c->e->manage_roles);
    if (add)
        add_section(r, c, s, &o);
    if (add && c->e->child)
        csv_section(r, c, s);
    hub_page_end(r);
out:
    reg_opts_free(&o);
    return err;
}

/* --- the detail page --- */

static void facts(struct hub_req *r, const struct reg_entity *e,
                  const struct reg_row *row, const struct reg_opts *o)
{
    hub_raw(r, "<dl class=\"kk-facts\">");
    for (size_t i = 0; i < e->n_cols; i++) {
        hub_raw(r, "<dt>");
        hub_t(r, e->cols[i].label);
        hub_raw(r, "</dt><dd>");
        show_value(r, &e->cols[i], reg_val(row, i), o);
        hub_raw(r, "</dd>");
    }
    hub_raw(r, "</dl>");
}

static void archive_form(struct hub_req *r, const struct reg_ctx *c, int64_t id)
{
    char url[URL_MAX];
    if (c->e->child)
        snprintf(url, sizeof url, "/outlets/%lld/%s/%lld/archive",
                 (long long)c->outlet, c->e->path, (long long)id);
    else
        snprintf(url, sizeof url, "/outlets/%lld/archive", (long long)id);
    hub_say(r, "h2", NULL, "Archive");
    hub_say(r, "p", "kk-hint",
            "Archived records leave the lists and the coverage figures but "
            "stay in the history.");
    form_open(r, url, "kk-actions");
    form_close(r, "Archive", "kk-danger");
}

/* What the object is, in a line: its first two listed values. */
static void meta(struct hub_req *r, const struct reg_entity *e,
                 const struct reg_row *row, const struct reg_opts *o)
{
    size_t shown = 0;
    hub_raw(r, "<p class=\"kk-meta\">");
    for (size_t i = 0; i < e->n_cols && shown < 2; i++) {
        if (!(e->cols[i].flags & REG_SHOW))
            continue;
        hub_raw(r, shown++ > 0 ? " &#183; " : "");
        show_value(r, &e->cols[i], reg_val(row, i), o);
    }
    hub_raw(r, "</p>");
}

static int detail_page(struct hub_req *r, const struct reg_ctx *c,
                       const struct reg_row *row, const struct reg_input *in)
{
    struct reg_opts o;
    char url[URL_MAX];
    bool alive = row->archived_at == 0;
    bool edit = alive && may(r, c->e->edit_roles);
    int err = opts_for(r, c, &o);
    if (err != KK_OK)
        goto out;
    hub_page_begin(r, c->e->one);
    crumbs(r, c);
    tabs(r, c);
    notice_from_query(r);
    meta(r, c->e, row, &o);
    if (!alive)
        hub_say(r, "p", "kk-warning", "This record is archived.");
    if (!edit || r->who.role == HUB_ROLE_STAFF)
        facts(r, c->e, row, &o);
    if (edit) {
        hub_say(r, "h2", NULL, "Edit");
        error_line(r, c->e, in);
        reg_url_obj(c, row->id, url, sizeof url);
        form_open(r, url, "kk-form");
        fields(r, c->e, "edit", in, row, &o);
        form_close(r, "Save changes", "");
    }
    if (alive && may(r, c->e->manage_roles))
        archive_form(r, c, row->id);
    reg_url_list(c, url, sizeof url);
    hub_raw(r, "<p>");
    anchor(r, url, c->e->title, true);
    hub_raw(r, "</p>");
    hub_page_end(r);
out:
    reg_opts_free(&o);
    return err;
}

/* --- handlers --- */

static void redirect_done(struct hub_req *r, const char *base, const char *done)
{
    char url[URL_MAX + 32];
    snprintf(url, sizeof url, "%s?done=%s", base, done);
    hub_redirect(r, url);
}

/* A field was wrong: the form again with the values typed (400), or the
 * API's error. */
static int input_fail(struct hub_req *r, const struct reg_ctx *c,
                      const struct reg_row *cur, const struct reg_input *in)
{
    struct reg_page_state s = {in, NULL, NULL, -1};
    if (r->api) {
        reg_api_invalid(r, in->bad, in->why);
        return KK_OK;
    }
    r->status = 400;
    return cur != NULL ? detail_page(r, c, cur, in) : reg_page_list(r, c, &s);
}

/* Commits after a successful step, rolls back after a failed one. */
static int tx_end(struct hub_req *r, int err)
{
    if (err == KK_OK)
        return hub_tx_commit(r->db);
    hub_tx_rollback(r->db);
    return err;
}

static int write_tx(struct hub_req *r, const struct reg_ctx *c,
                    const struct reg_row *cur, struct reg_input *in,
                    int64_t *id)
{
    int err = hub_tx_begin(r->db);
    if (err == KK_OK)
        err = tx_end(r, reg_write(r, c->e, c->outlet, cur, in, id));
    return err;
}

/* The route's object; a change needs it alive (archived records are
 * read-only).  row must be freed whatever the result. */
static int load(struct hub_req *r, struct reg_ctx *c, struct reg_row *row,
                bool change)
{
    int err = reg_row_init(row);
    if (err == KK_OK)
        err = reg_ctx_load(r, c);
    if (err == KK_OK)
        err = reg_row_get(r, c->e, c->outlet, c->id, row);
    if (err == KK_OK && change && row->archived_at != 0)
        err = KK_ERR_NOTFOUND;
    return err;
}

int reg_h_list(struct hub_req *r)
{
    struct reg_ctx c;
    struct reg_page_state s = {NULL, NULL, NULL, -1};
    const char *n = hub_form_get(r->query, "imported");
    int err = reg_ctx_load(r, &c);
    if (err != KK_OK)
        return err;
    if (r->api)
        return reg_api_list(r, &c);
    if (n != NULL &&
        kk_parse_i64(n, 0, KK_HUB_CSV_ROWS_MAX, &s.imported) != KK_OK)
        s.imported = -1;
    return reg_page_list(r, &c, &s);
}

int reg_h_create(struct hub_req *r)
{
    struct reg_ctx c;
    struct reg_input in;
    char url[URL_MAX];
    int64_t id = 0;
    int err = reg_ctx_load(r, &c);
    if (err != KK_OK)
        return err;
    err = reg_input_read(r, c.e, c.outlet, NULL, &in);
    if (err == KK_OK)
        err = write_tx(r, &c, NULL, &in, &id);
    if (err != KK_OK && in.bad != NULL)
        return input_fail(r, &c, NULL, &in);
    if (err != KK_OK)
        return err;
    if (r->api)
        return reg_api_one(r, &c, id, 201);
    reg_url_list(&c, url, sizeof url);
    redirect_done(r, url, "added");
    return KK_OK;
}

int reg_h_show(struct hub_req *r)
{
    struct reg_ctx c;
    struct reg_row row;
    int err = load(r, &c, &row, false);
    if (err == KK_OK && r->api)
        err = reg_api_one(r, &c, c.id, 200);
    else if (err == KK_OK)
        err = detail_page(r, &c, &row, NULL);
    reg_row_free(&row);
    return err;
}

int reg_h_update(struct hub_req *r)
{
    struct reg_ctx c;
    struct reg_row row;
    struct reg_input in;
    char url[URL_MAX];
    int64_t id = 0;
    int err = load(r, &c, &row, true);
    if (err != KK_OK)
        goto out;
    err = reg_input_read(r, c.e, c.outlet, &row, &in);
    if (err == KK_OK)
        err = write_tx(r, &c, &row, &in, &id);
    if (err != KK_OK && in.bad != NULL) {
        err = input_fail(r, &c, &row, &in);
    } else if (err == KK_OK && r->api) {
        err = reg_api_one(r, &c, id, 200);
    } else if (err == KK_OK) {
        reg_url_obj(&c, id, url, sizeof url);
        redirect_done(r, url, "saved");
    }
out:
    reg_row_free(&row);
    return err;
}

int reg_h_archive(struct hub_req *r)
{
    struct reg_ctx c;
    char url[URL_MAX];
    int err = reg_ctx_load(r, &c);
    if (err == KK_OK)
        err = hub_tx_begin(r->db);
    if (err == KK_OK)
        err = tx_end(r, reg_archive(r, c.e, c.outlet, c.id));
    if (err != KK_OK)
        return err;
    if (r->api)
        return reg_api_one(r, &c, c.id, 200);
    reg_url_list(&c, url, sizeof url);
    redirect_done(r, url, "archived");
    return KK_OK;
}

int reg_h_tfa(struct hub_req *r)
{
    static const struct hub_field f[] = {
        {"tfa", HUB_F_ENUM, true, 0, 0, hub_tfa_from_name},
    };
    struct reg_ctx c;
    struct reg_row row;
    const char *v[1], *bad = NULL;
    char url[URL_MAX];
    int err = load(r, &c, &row, true);
    if (err == KK_OK && hub_fields_read(r, f, 1, v, &bad) != KK_OK) {
        if (r->api)
            reg_api_invalid(r, "tfa", "Not valid.");
        else
            hub_fail(r, 400, "invalid", "Choose a two-factor method.");
        goto out;
    }
    if (err == KK_OK)
        err = hub_tx_begin(r->db);
    if (err == KK_OK)
        err = tx_end(r, reg_tfa_set(r, &row, v[0]));
    if (err == KK_OK && r->api) {
        err = reg_api_one(r, &c, c.id, 200);
    } else if (err == KK_OK) {
        reg_url_list(&c, url, sizeof url);
        redirect_done(r, url, "tfa");
    }
out:
    reg_row_free(&row);
    return err;
}

const struct hub_route hub_routes_register[] = {
    {HUB_GET, "/outlets", 0, REG_TRAINERS, reg_h_list},
    {HUB_POST, "/outlets", 0, REG_TRAINER, reg_h_create},
    {HUB_GET, "/outlets/{id}/edit", 0, REG_TRAINERS, reg_h_show},
    {HUB_POST, "/outlets/{id}/edit", 0, REG_TRAINERS, reg_h_update},
    {HUB_POST, "/outlets/{id}/archive", 0, REG_TRAINER, reg_h_archive},
    REG_ENTITY_ROUTES("", 0, "people", REG_ROLES_PEOPLE),
    REG_ENTITY_ROUTES("", 0, "devices", REG_ROLES_DEVICES),
    REG_ENTITY_ROUTES("", 0, "accounts", REG_ROLES_ACCOUNTS),
    REG_ENTITY_ROUTES("", 0, "licences", REG_ROLES_LICENCES),
    REG_ENTITY_ROUTES("", 0, "websites", REG_ROLES_WEBSITES),
    {HUB_POST, "/outlets/{id}/accounts/{id}/tfa", 0, REG_PEOPLE, reg_h_tfa},
    {0, NULL, 0, 0, NULL},
};
