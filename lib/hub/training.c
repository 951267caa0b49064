/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * training.c - Training: the curriculum (its pages and API), the helpers
 * the training files share, and the routes of training.
 *
 * The curriculum is a short list of modules (code, title, length,
 * audience, the catalogue controls each teaches, a summary) that every
 * login may read and the trainer keeps.  The standard modules ship as data
 * (web/curriculum/modules.txt) and are added with one button; as long as
 * the trainer leaves a standard module's title alone it is shown in the
 * reader's language, and once they rewrite it, their words win.  A module
 * is archived rather than deleted, so past sessions keep what they taught.
 */
#include <stdio.h>
#include <string.h>

#include "model.h"
#include "programme.h"
#include "training.h"

#define URL_MAX 96
#define MODULES_MAX 500

/* --- shared helpers --- */

bool hub_training_may(const struct hub_req *r, unsigned roles)
{
    return (roles & HUB_ROLEBIT(r->who.role)) != 0;
}

void hub_training_jw_time(struct hub_jw *w, const char *key, int64_t t)
{
    char buf[32];
    if (t == 0 || kk_format_time(t, buf, sizeof buf) != KK_OK)
        hub_jw_null(w, key);
    else
        hub_jw_str(w, key, buf);
}

void hub_training_invalid(struct hub_req *r, const char *field, const char *why)
{
    char msg[200];
    snprintf(msg, sizeof msg, "%s: %s", field != NULL ? field : "input",
             why != NULL ? why : "Not valid.");
    hub_fail(r, 400, "invalid", msg);
}

void hub_training_hours(char *out, size_t cap, int64_t minutes)
{
    int64_t frac = ((minutes % 60) * 100 + 30) / 60; /* hundredths */
    int64_t whole = minutes / 60;
    if (frac == 100) {
        whole++;
        frac = 0;
    }
    if (frac == 0)
        snprintf(out, cap, "%lld", (long long)whole);
    else if (frac % 10 == 0)
        snprintf(out, cap, "%lld.%lld", (long long)whole,
                 (long long)(frac / 10));
    else
        snprintf(out, cap, "%lld.%02lld", (long long)whole, (long long)frac);
}

int hub_hours_parse(const char *s, int64_t max_minutes, int64_t *minutes)
{
    int64_t whole = 0, frac = 0, scale = 1;
    size_t i = 0, digits = 0, fdigits = 0;
    int err = KK_ERR_INVAL;
    if (s == NULL)
        goto out;
    for (; s[i] >= '0' && s[i] <= '9' && digits < 4; i++, digits++)
        whole = whole * 10 + (s[i] - '0');
    if (digits == 0)
        goto out;
    if (s[i] == '.' || s[i] == ',') {
        for (i++; s[i] >= '0' && s[i] <= '9' && fdigits < 2; i++, fdigits++) {
            frac = frac * 10 + (s[i] - '0');
            scale *= 10;
        }
        if (fdigits == 0)
            goto out;
    }
    if (s[i] != '\0')
        goto out;
    /* Minutes, rounded half up: whole hours plus frac/scale of an hour. */
    *minutes = whole * 60 + (frac * 60 * 2 + scale) / (2 * scale);
    err = *minutes > max_minutes ? KK_ERR_RANGE : KK_OK;
out:
    return err;
}

/* --- small HTML helpers --- */

void hub_training_put_hours(struct hub_req *r, int64_t minutes)
{
    char h[32];
    hub_training_hours(h, sizeof h, minutes);
    hub_raw(r, h);
}

/* --- modules --- */

struct module {
    int64_t id;
    char code[HUB_MODULE_CODE_MAX + 1];
    char title[KK_HUB_NAME_MAX + 1];
    int64_t minutes;
    char audience[16];
    char controls[HUB_MODULE_CONTROLS_MAX * (HUB_MODULE_CODE_MAX + 1) + 1];
    char summary[KK_HUB_TEXT_MAX + 1];
    int64_t archived_at;
};

static void module_fill(sqlite3_stmt *st, struct module *m)
{
    m->id = sqlite3_column_int64(st, 0);
    snprintf(m->code, sizeof m->code, "%s", hub_col_text(st, 1));
    snprintf(m->title, sizeof m->title, "%s", hub_col_text(st, 2));
    m->minutes = sqlite3_column_int64(st, 3);
    snprintf(m->audience, sizeof m->audience, "%s", hub_col_text(st, 4));
    snprintf(m->controls, sizeof m->controls, "%s", hub_col_text(st, 5));
    snprintf(m->summary, sizeof m->summary, "%s", hub_col_text(st, 6));
    m->archived_at = sqlite3_column_int64(st, 7);
}

static int module_get(struct hub_req *r, int64_t id, struct module *m)
{
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_TR_MODULE);
    int err = KK_ERR_NOTFOUND, rc;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":id", id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        module_fill(st, m);
        err = KK_OK;
    } else if (rc != SQLITE_DONE) {
        err = hub_sql_err(rc);
    }
    sqlite3_reset(st);
    return err;
}

static void module_json(struct hub_jw *w, const struct module *m)
{
    const struct hub_module_std *std =
        hub_curriculum_find(hub_curriculum_builtin(), m->code);
    const char *p = m->controls;
    hub_jw_int(w, "id", m->id);
    hub_jw_str(w, "code", m->code);
    hub_jw_str(w, "title", m->title);
    hub_jw_int(w, "minutes", m->minutes);
    hub_jw_str(w, "audience", m->audience);
    hub_jw_key(w, "controls");
    hub_jw_arr(w);
    while (*p != '\0') {
        char id[HUB_MODULE_CODE_MAX + 1];
        size_t n = strcspn(p, ",");
        snprintf(id, sizeof id, "%.*s",
                 (int)(n < HUB_MODULE_CODE_MAX ? n : HUB_MODULE_CODE_MAX), p);
        hub_jw_str(w, NULL, id);
        p += n + (p[n] == ',');
    }
    hub_jw_close(w, ']');
    hub_jw_str(w, "summary", m->summary);
    std = std != NULL && strcmp(std->title[HUB_LANG_EN], m->title) == 0 ? std
                                                                        : NULL;
    hub_jw_bool(w, "standard", std != NULL);
    if (std != NULL) {
        hub_jw_key(w, "titles");
        hub_jw_obj(w);
        for (int l = 0; l < HUB_LANG_COUNT; l++)
            hub_jw_str(w, hub_lang_code(l), std->title[l]);
        hub_jw_close(w, '}');
    }
    hub_training_jw_time(w, "archived_at", m->archived_at);
}

static int module_answer(struct hub_req *r, int64_t id, int status)
{
    struct module m;
    struct hub_jw w;
    int err = module_get(r, id, &m);
    if (err == KK_OK) {
        r->status = status;
        hub_jw_begin(&w, r);
        module_json(&w, &m);
        hub_jw_end(&w);
    }
    return err;
}

/* --- reading a module from a form or a JSON body --- */

enum { MF_CODE, MF_TITLE, MF_MINUTES, MF_AUDIENCE, MF_SUMMARY, MF_COUNT };

static const struct hub_field module_fields[MF_COUNT] = {
    {"code", HUB_F_TEXT, false, 0, HUB_MODULE_CODE_MAX, NULL},
    {"title", HUB_F_TEXT, false, 0, KK_HUB_NAME_MAX, NULL},
    {"minutes", HUB_F_INT, false, HUB_MODULE_MINUTES_MIN,
     HUB_MODULE_MINUTES_MAX, NULL},
    {"audience", HUB_F_ENUM, false, 0, 0, hub_audience_from_name},
    {"summary", HUB_F_TEXT, false, 0, KK_HUB_TEXT_MAX, NULL},
};

struct module_input {
    const char *val[MF_COUNT];
    char controls[sizeof((struct module *)0)->controls];
    char minutes[24]; /* a JSON update's current length, as text */
    const char *controls_typed;
    const char *bad; /* field name */
    const char *why; /* English msgid */
};

static void input_bad(struct module_input *in, const char *field,
                      const char *why)
{
    if (in->bad == NULL) {
        in->bad = field;
        in->why = why;
    }
}

/* The controls as typed: a form's text, a JSON string, or a JSON array of
 * strings joined with commas into buf.  NULL when absent. */
static const char *controls_typed(struct hub_req *r, char *buf, size_t cap,
                                  bool *bad)
{
    const struct hub_jv *v;
    size_t len = 0;
    if (r->json == NULL)
        return hub_form_get(r->form, "controls");
    v = hub_jv_get(hub_json_root(r->json), "controls");
    if (v == NULL || hub_jv_type(v) == HUB_JSON_NULL)
        return NULL;
    if (hub_jv_type(v) == HUB_JSON_STRING)
        return hub_jv_str(v);
    buf[0] = '\0';
    if (hub_jv_type(v) != HUB_JSON_ARRAY) {
        *bad = true;
        return buf;
    }
    for (size_t i = 0; i < hub_jv_len(v); i++) {
        const char *s = hub_jv_str(hub_jv_at(v, i));
        size_t n = s != NULL ? strlen(s) : 0;
        if (s == NULL || len + n + 2 > cap) {
            *bad = true;
            break;
        }
        if (len > 0)
            buf[len++] = ',';
        memcpy(buf + len, s, n + 1);
        len += n;
    }
    return buf;
}

/* Reads and checks a module; cur is the module being changed (a JSON
 * update keeps what it does not send), or NULL. */
static int module_read(struct hub_req *r, const struct module *cur,
                       struct module_input *in, char *cbuf, size_t ccap)
{
    const char *bad = NULL, *typed;
    bool cbad = false;
    int err;
    memset(in, 0, sizeof *in);
    err = hub_fields_read(r, module_fields, MF_COUNT, in->val, &bad);
    if (err != KK_OK) {
        input_bad(in, bad, "Not valid.");
        /* A form shown again keeps what was typed. */
        for (size_t i = 0; i < MF_COUNT && r->json == NULL; i++) {
            const char *v = hub_form_get(r->form, module_fields[i].name);
            in->val[i] = v != NULL ? v : "";
        }
    }
    typed = controls_typed(r, cbuf, ccap, &cbad);
    in->controls_typed = typed != NULL ? typed : "";
    if (cur != NULL && r->json != NULL) {
        const char *was[MF_COUNT] = {cur->code, cur->title, NULL, cur->audience,
                                     cur->summary};
        snprintf(in->minutes, sizeof in->minutes, "%lld",
                 (long long)cur->minutes);
        was[MF_MINUTES] = in->minutes;
        for (size_t i = 0; i < MF_COUNT && in->bad == NULL; i++) {
            if (hub_jv_get(hub_json_root(r->json), module_fields[i].name) ==
                NULL)
                in->val[i] = was[i];
        }
        if (typed == NULL)
            in->controls_typed = cur->controls;
    }
    if (in->bad != NULL)
        return KK_ERR_INVAL;
    if (in->val[MF_CODE][0] == '\0')
        input_bad(in, "code", "Required.");
    else if (!hub_module_code_ok(in->val[MF_CODE]))
        input_bad(in, "code",
                  "Use capital letters, digits and dashes, starting with a "
                  "letter.");
    if (in->val[MF_TITLE][0] == '\0')
        input_bad(in, "title", "Required.");
    if (in->val[MF_MINUTES][0] == '\0')
        input_bad(in, "minutes", "Required.");
    if (in->val[MF_AUDIENCE][0] == '\0')
        in->val[MF_AUDIENCE] = "all";
    if (cbad || hub_controls_normalise(in->controls_typed, in->controls,
                                       sizeof in->controls) != KK_OK)
        input_bad(in, "controls",
                  "List control ids from the catalogue, such as ACC-01, "
                  "separated by commas.");
    return in->bad != NULL ? KK_ERR_INVAL : KK_OK;
}

static int module_write(struct hub_req *r, int64_t id, bool create,
                        struct module_input *in)
{
    sqlite3_stmt *st;
    char detail[64];
    int64_t minutes = 0;
    int err = hub_tx_begin(r->db);
    if (err != KK_OK)
        return err;
    st = hub_q(r->db, create ? HUB_Q_TR_MODULE_INSERT : HUB_Q_TR_MODULE_UPDATE);
    if (st == NULL) {
        err = KK_ERR_IO;
        goto out;
    }
    hub_bind_i64(st, ":id", id);
    hub_bind_text(st, ":code", in->val[MF_CODE]);
    hub_bind_text(st, ":title", in->val[MF_TITLE]);
    if (kk_parse_i64(in->val[MF_MINUTES], HUB_MODULE_MINUTES_MIN,
                     HUB_MODULE_MINUTES_MAX, &minutes) != KK_OK) {
        err = KK_ERR_INVAL;
        goto out;
    }
    hub_bind_i64(st, ":minutes", minutes);
    hub_bind_text(st, ":audience", in->val[MF_AUDIENCE]);
    hub_bind_text(st, ":controls", in->controls);
    hub_bind_text(st, ":summary", in->val[MF_SUMMARY]);
    hub_bind_i64(st, ":now", hub_now());
    err = hub_exec(st);
    if (err == KK_ERR_EXISTS)
        input_bad(in, "code", "Already used by another module.");
    if (err == KK_OK && sqlite3_changes(r->db->db) == 0)
        err = KK_ERR_NOTFOUND;
    if (err == KK_OK) {
        snprintf(detail, sizeof detail, "%lld %s", (long long)id,
                 in->val[MF_CODE]);
        hub_audit(r, 0, create ? "create" : "update", "module", detail);
    }
out:
    if (err == KK_OK)
        err = hub_tx_commit(r->db);
    else
        hub_tx_rollback(r->db);
    return err;
}

/* --- the pages --- */

static void module_form_fields(struct hub_req *r, const char *prefix,
                               const struct module_input *in,
                               const struct module *m)
{
    char num[24];
    const char *code = m != NULL ? m->code : "";
    const char *title = m != NULL ? m->title : "";
    const char *minutes = "", *aud = m != NULL ? m->audience : "all";
    const char *summary = m != NULL ? m->summary : "";
    const char *controls = m != NULL ? m->controls : "";
    if (m != NULL) {
        snprintf(num, sizeof num, "%lld", (long long)m->minutes);
        minutes = num;
    }
    if (in != NULL) {
        code = in->val[MF_CODE] != NULL ? in->val[MF_CODE] : "";
        title = in->val[MF_TITLE] != NULL ? in->val[MF_TITLE] : "";
        minutes = in->val[MF_MINUTES] != NULL ? in->val[MF_MINUTES] : "";
        aud = in->val[MF_AUDIENCE] != NULL ? in->val[MF_AUDIENCE] : "";
        summary = in->val[MF_SUMMARY] != NULL ? in->val[MF_SUMMARY] : "";
        controls = in->controls_typed != NULL ? in->controls_typed : "";
    }
#define BAD(f)                                                                 \
    (in != NULL && in->bad != NULL && strcmp(in->bad, f) == 0                  \
         ? " aria-invalid=\"true\""                                            \
         : "")
    hub_rawf(r, "<p><label for=\"%s-code\">", prefix);
    hub_t(r, "Code");
    hub_rawf(r,
             "</label><input type=\"text\" id=\"%s-code\" name=\"code\" "
             "required maxlength=\"%d\" aria-describedby=\"%s-code-hint\"%s "
             "value=\"",
             prefix, HUB_MODULE_CODE_MAX, prefix, BAD("code"));
    hub_esc(r, code);
    hub_rawf(r, "\"><span class=\"kk-hint\" id=\"%s-code-hint\">", prefix);
    hub_t(r, "Capital letters, digits and dashes, such as S01-2FA.");
    hub_rawf(r, "</span></p><p><label for=\"%s-title\">", prefix);
    hub_t(r, "Title");
    hub_rawf(r,
             "</label><input type=\"text\" id=\"%s-title\" name=\"title\" "
             "required maxlength=\"%d\"%s value=\"",
             prefix, KK_HUB_NAME_MAX, BAD("title"));
    hub_esc(r, title);
    hub_rawf(r, "\"></p><p><label for=\"%s-minutes\">", prefix);
    hub_t(r, "Length in minutes");
    hub_rawf(r,
             "</label><input type=\"number\" id=\"%s-minutes\" "
             "name=\"minutes\" required min=\"%d\" max=\"%d\" "
             "inputmode=\"numeric\"%s value=\"",
             prefix, HUB_MODULE_MINUTES_MIN, HUB_MODULE_MINUTES_MAX,
             BAD("minutes"));
    hub_esc(r, minutes);
    hub_rawf(r, "\"></p><p><label for=\"%s-audience\">", prefix);
    hub_t(r, "For whom");
    hub_rawf(r, "</label><select id=\"%s-audience\" name=\"audience\"%s>",
             prefix, BAD("audience"));
    for (int a = 1; a <= HUB_AUD_COUNT; a++) {
        hub_rawf(r, "<option value=\"%s\"%s>", hub_audience_name(a),
                 strcmp(aud, hub_audience_name(a)) == 0 ? " selected" : "");
        hub_t(r, hub_audience_label(a));
        hub_raw(r, "</option>");
    }
    hub_rawf(r, "</select></p><p><label for=\"%s-controls\">", prefix);
    hub_t(r, "Controls taught");
    hub_rawf(r,
             "</label><input type=\"text\" id=\"%s-controls\" "
             "name=\"controls\" maxlength=\"600\" spellcheck=\"false\" "
             "aria-describedby=\"%s-controls-hint\"%s value=\"",
             prefix, prefix, BAD("controls"));
    hub_esc(r, controls);
    hub_rawf(r, "\"><span class=\"kk-hint\" id=\"%s-controls-hint\">", prefix);
    hub_t(r, "Control ids from the catalogue, separated by commas: ACC-01, "
             "ACC-03.");
    hub_rawf(r, "</span></p><p><label for=\"%s-summary\">", prefix);
    hub_t(r, "Summary");
    hub_rawf(r,
             "</label><textarea id=\"%s-summary\" name=\"summary\" "
             "rows=\"4\" maxlength=\"%d\"%s>",
             prefix, KK_HUB_TEXT_MAX, BAD("summary"));
    hub_esc(r, summary);
    hub_raw(r, "</textarea></p>");
#undef BAD
}

static void error_line(struct hub_req *r, const struct module_input *in)
{
    static const char *const labels[][2] = {
        {"code", "Code"},
        {"title", "Title"},
        {"minutes", "Length in minutes"},
        {"audience", "For whom"},
        {"controls", "Controls taught"},
        {"summary", "Summary"},
    };
    const char *label = NULL;
    if (in == NULL || in->bad == NULL)
        return;
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        if (strcmp(labels[i][0], in->bad) == 0)
            label = labels[i][1];
    }
    hub_raw(r, "<p class=\"kk-error\" role=\"alert\">");
    hub_t(r, label != NULL ? label : in->bad);
    hub_raw(r, ": ");
    hub_t(r, in->why);
    hub_raw(r, "</p>");
}

static void flash_done(struct hub_req *r)
{
    static const char *const notes[][2] = {
        {"added", "Module added."},
        {"saved", "Saved."},
        {"archived", "Archived."},
    };
    const char *done = hub_form_get(r->query, "done");
    const char *n = hub_form_get(r->query, "n");
    int64_t count = 0;
    for (size_t i = 0; done != NULL && i < sizeof notes / sizeof notes[0];
         i++) {
        if (strcmp(done, notes[i][0]) == 0)
            hub_say(r, "p", "kk-flash", notes[i][1]);
    }
    if (done != NULL && strcmp(done, "standard") == 0 && n != NULL &&
        kk_parse_i64(n, 0, HUB_CURRICULUM_MAX, &count) == KK_OK) {
        hub_raw(r, "<p class=\"kk-flash\" role=\"status\">");
        hub_t(r, "Standard modules added:");
        hub_rawf(r, " %lld</p>", (long long)count);
    }
}

static void module_row(struct hub_req *r, const struct module *m)
{
    hub_rawf(r, "<tr><td><code>");
    hub_esc(r, m->code);
    hub_rawf(r, "</code></td><td><a href=\"/curriculum/%lld\">",
             (long long)m->id);
    hub_esc(r, hub_module_title(r->lang, m->code, m->title));
    hub_raw(r, "</a>");
    if (m->archived_at != 0) {
        hub_raw(r, " <span class=\"kk-tag\">");
        hub_t(r, "Archived");
        hub_raw(r, "</span>");
    }
    hub_raw(r, "</td><td class=\"kk-num\">");
    hub_training_put_hours(r, m->minutes);
    hub_raw(r, "</td><td>");
    hub_t(r, hub_audience_label(hub_audience_from_name(m->audience)) != NULL
                 ? hub_audience_label(hub_audience_from_name(m->audience))
                 : m->audience);
    hub_raw(r, "</td><td>");
    for (const char *p = m->controls; *p != '\0';) {
        size_t n = strcspn(p, ",");
        hub_raw(r, p == m->controls ? "<code>" : ", <code>");
        hub_rawf(r, "%.*s", (int)n, p); /* ids: A-Z 0-9 - only */
        hub_raw(r, "</code>");
        p += n + (p[n] == ',');
    }
    hub_raw(r, "</td></tr>");
}

static int modules_table(struct hub_req *r, bool all, size_t *shown)
{
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_TR_MODULES);
    struct module m;
    int rc;
    *shown = 0;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":all", all ? 1 : 0);
    hub_bind_i64(st, ":limit", MODULES_MAX);
    hub_raw(r, "<div class=\"kk-scroll\" tabindex=\"0\" role=\"region\" "
               "aria-labelledby=\"modules-h\"><table class=\"kk-table\" "
               "id=\"modules\"><thead><tr><th scope=\"col\">");
    hub_t(r, "Code");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Module");
    hub_raw(r, "</th><th scope=\"col\" class=\"kk-num\">");
    hub_t(r, "Hours");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "For whom");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Controls taught");
    hub_raw(r, "</th></tr></thead><tbody>");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        module_fill(st, &m);
        module_row(r, &m);
        (*shown)++;
    }
    sqlite3_reset(st);
    hub_raw(r, "</tbody></table></div>");
    return rc == SQLITE_DONE ? KK_OK : hub_sql_err(rc);
}

static int curriculum_page(struct hub_req *r, const struct module_input *in)
{
    const char *arch = hub_form_get(r->query, "archived");
    bool all = arch != NULL && strcmp(arch, "1") == 0;
    bool trainer = r->who.role == HUB_ROLE_TRAINER;
    size_t shown = 0;
    int err;
    hub_page_begin(r, "Curriculum");
    flash_done(r);
    hub_say(
        r, "p", "kk-meta",
        "The modules of the programme's training sessions, and the security "
        "controls each one teaches.");
    if (hub_training_may(r, HUB_ROLEBIT(HUB_ROLE_TRAINER) |
                                HUB_ROLEBIT(HUB_ROLE_ASSISTANT))) {
        hub_raw(r, "<p><a href=\"/sessions\">");
        hub_t(r, "Training sessions");
        hub_raw(r, "</a></p>");
    }
    hub_raw(r, "<h2 id=\"modules-h\">");
    hub_t(r, "Modules");
    hub_raw(r, "</h2>");
    err = modules_table(r, all, &shown);
    if (err != KK_OK)
        return err;
    if (shown == 0)
        hub_say(r, "p", "kk-empty", "No modules yet.");
    hub_raw(r, "<p>");
    hub_raw(r, all ? "<a href=\"/curriculum\">"
                   : "<a href=\"/curriculum?archived=1\">");
    hub_t(r, all ? "Hide archived" : "Show archived");
    hub_raw(r, "</a></p>");
    if (trainer) {
        hub_say(r, "h2", NULL, "The standard curriculum");
        hub_say(
            r, "p", "kk-hint",
            "Adds the standard modules that are not in the curriculum yet "
            "(two-step verification, Facebook Pages, Telegram and WhatsApp, "
            "passwords, phishing, devices, licences, websites, physical "
            "security, incidents). Modules already there, changed or not, "
            "stay as they are.");
        hub_raw(r, "<form method=\"post\" action=\"/curriculum/standard\" "
                   "class=\"kk-actions\">");
        hub_csrf_field(r);
        hub_raw(r, "<p><button type=\"submit\">");
        hub_t(r, "Add the standard curriculum");
        hub_raw(r, "</button></p></form>");
        hub_say(r, "h2", NULL, "Add a module");
        error_line(r, in);
        hub_raw(r, "<form method=\"post\" action=\"/curriculum\" "
                   "class=\"kk-form\">");
        hub_csrf_field(r);
        module_form_fields(r, "new", in, NULL);
        hub_raw(r, "<p><button type=\"submit\">");
        hub_t(r, "Add");
        hub_raw(r, "</button></p></form>");
    }
    hub_page_end(r);
    return KK_OK;
}

static int modules_json(struct hub_req *r)
{
    const char *arch = hub_form_get(r->query, "archived");
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_TR_MODULES);
    struct hub_jw w;
    struct module m;
    int rc;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":all", arch != NULL && strcmp(arch, "1") == 0);
    hub_bind_i64(st, ":limit", MODULES_MAX);
    hub_jw_begin(&w, r);
    hub_jw_key(&w, "modules");
    hub_jw_arr(&w);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        module_fill(st, &m);
        hub_jw_key(&w, NULL);
        hub_jw_obj(&w);
        module_json(&w, &m);
        hub_jw_close(&w, '}');
    }
    sqlite3_reset(st);
    hub_jw_close(&w, ']');
    hub_jw_end(&w);
    return rc == SQLITE_DONE ? KK_OK : hub_sql_err(rc);
}

int hub_training_curriculum(struct hub_req *r)
{
    return r->api ? modules_json(r) : curriculum_page(r, NULL);
}

static void redirect_done(struct hub_req *r, const char *path, const char *done)
{
    char url[URL_MAX + 32];
    snprintf(url, sizeof url, "%s?done=%s", path, done);
    hub_redirect(r, url);
}

int hub_training_module_add(struct hub_req *r)
{
    struct module_input in;
    char cbuf[1024];
    int64_t id = 0;
    int err = module_read(r, NULL, &in, cbuf, sizeof cbuf);
    if (err == KK_OK)
        err = hub_new_id(&id);
    if (err == KK_OK)
        err = module_write(r, id, true, &in);
    if (err != KK_OK && in.bad != NULL) {
        if (r->api) {
            hub_training_invalid(r, in.bad, in.why);
            return KK_OK;
        }
        r->status = 400;
        return curriculum_page(r, &in);
    }
    if (err != KK_OK)
        return err;
    if (r->api)
        return module_answer(r, id, 201);
    redirect_done(r, "/curriculum", "added");
    return KK_OK;
}

static int module_page(struct hub_req *r, const struct module *m,
                       const struct module_input *in)
{
    char url[URL_MAX];
    bool edit = r->who.role == HUB_ROLE_TRAINER && m->archived_at == 0;
    const char *aud = hub_audience_label(hub_audience_from_name(m->audience));
    hub_page_begin(r, "Module");
    hub_raw(r, "<p class=\"kk-crumbs\"><a href=\"/curriculum\">");
    hub_t(r, "Curriculum");
    hub_raw(r, "</a></p>");
    flash_done(r);
    hub_raw(r, "<h2>");
    hub_esc(r, hub_module_title(r->lang, m->code, m->title));
    hub_raw(r, "</h2>");
    if (m->archived_at != 0)
        hub_say(r, "p", "kk-warning", "This module is archived.");
    hub_raw(r, "<dl class=\"kk-facts\"><dt>");
    hub_t(r, "Code");
    hub_raw(r, "</dt><dd><code>");
    hub_esc(r, m->code);
    hub_raw(r, "</code></dd><dt>");
    hub_t(r, "Hours");
    hub_raw(r, "</dt><dd>");
    hub_training_put_hours(r, m->minutes);
    hub_raw(r, "</dd><dt>");
    hub_t(r, "For whom");
    hub_raw(r, "</dt><dd>");
    hub_t(r, aud != NULL ? aud : m->audience);
    hub_raw(r, "</dd><dt>");
    hub_t(r, "Controls taught");
    hub_raw(r, "</dt><dd>");
    hub_esc(r, m->controls);
    hub_raw(r, "</dd><dt>");
    hub_t(r, "Summary");
    hub_raw(r, "</dt><dd>");
    hub_esc(r, hub_module_summary(r->lang, m->code, m->title, m->summary));
    hub_raw(r, "</dd></dl>");
    if (edit) {
        hub_say(r, "h2", NULL, "Edit");
        error_line(r, in);
        snprintf(url, sizeof url, "/curriculum/%lld", (long long)m->id);
        hub_rawf(r, "<form method=\"post\" action=\"%s\" class=\"kk-form\">",
                 url);
        hub_csrf_field(r);
        module_form_fields(r, "edit", in, m);
        hub_raw(r, "<p><button type=\"submit\">");
        hub_t(r, "Save changes");
        hub_raw(r, "</button></p></form>");
        hub_say(r, "h2", NULL, "Archive");
        hub_say(r, "p", "kk-hint",
                "An archived module is no longer offered for new sessions; the "
                "sessions that taught it keep it.");
        hub_rawf(r,
                 "<form method=\"post\" action=\"%s/archive\" "
                 "class=\"kk-actions\">",
                 url);
        hub_csrf_field(r);
        hub_raw(r, "<p><button type=\"submit\" class=\"kk-danger\">");
        hub_t(r, "Archive");
        hub_raw(r, "</button></p></form>");
    }
    hub_page_end(r);
    return KK_OK;
}

int hub_training_module_get(struct hub_req *r)
{
    struct module m;
    int err = module_get(r, r->param[0], &m);
    if (err != KK_OK)
        return err;
    return r->api ? module_answer(r, m.id, 200) : module_page(r, &m, NULL);
}

int hub_training_module_edit(struct hub_req *r)
{
    struct module cur;
    struct module_input in;
    char cbuf[1024], url[URL_MAX];
    int err = module_get(r, r->param[0], &cur);
    if (err == KK_OK && cur.archived_at != 0)
        err = KK_ERR_NOTFOUND;
    if (err != KK_OK)
        return err;
    err = module_read(r, &cur, &in, cbuf, sizeof cbuf);
    if (err == KK_OK)
        err = module_write(r, cur.id, false, &in);
    if (err != KK_OK && in.bad != NULL) {
        if (r->api) {
            hub_training_invalid(r, in.bad, in.why);
            return KK_OK;
        }
        r->status = 400;
        return module_page(r, &cur, &in);
    }
    if (err != KK_OK)
        return err;
    if (r->api)
        return module_answer(r, cur.id, 200);
    snprintf(url, sizeof url, "/curriculum/%lld", (long long)cur.id);
    redirect_done(r, url, "saved");
    return KK_OK;
}

int hub_training_module_archive(struct hub_req *r)
{
    sqlite3_stmt *st;
    char detail[24];
    int err = hub_tx_begin(r->db);
    if (err != KK_OK)
        return err;
    st = hub_q(r->db, HUB_Q_TR_MODULE_ARCHIVE);
    if (st == NULL) {
        err = KK_ERR_IO;
    } else {
        hub_bind_i64(st, ":id", r->param[0]);
        hub_bind_i64(st, ":now", hub_now());
        err = hub_exec(st);
        if (err == KK_OK && sqlite3_changes(r->db->db) == 0)
            err = KK_ERR_NOTFOUND;
    }
    if (err == KK_OK) {
        snprintf(detail, sizeof detail, "%lld", (long long)r->param[0]);
        hub_audit(r, 0, "archive", "module", detail);
        err = hub_tx_commit(r->db);
    } else {
        hub_tx_rollback(r->db);
    }
    if (err != KK_OK)
        return err;
    if (r->api)
        return module_answer(r, r->param[0], 200);
    redirect_done(r, "/curriculum", "archived");
    return KK_OK;
}

/* Adds every standard module whose code is not taken; *added counts them. */
static int standard_add(struct hub_req *r, int64_t *added)
{
    const struct hub_curriculum *c = hub_curriculum_builtin();
    char detail[64];
    int err = c != NULL ? hub_tx_begin(r->db) : KK_ERR_CORRUPT;
    *added = 0;
    if (err != KK_OK)
        return err;
    for (size_t i = 0; i < hub_curriculum_len(c) && err == KK_OK; i++) {
        const struct hub_module_std *m = hub_curriculum_at(c, i);
        sqlite3_stmt *st = hub_q(r->db, HUB_Q_TR_MODULE_STANDARD);
        int64_t id = 0;
        err = st != NULL ? hub_new_id(&id) : KK_ERR_IO;
        if (err != KK_OK)
            break;
        hub_bind_i64(st, ":id", id);
        hub_bind_text(st, ":code", m->code);
        hub_bind_text(st, ":title", m->title[HUB_LANG_EN]);
        hub_bind_i64(st, ":minutes", m->minutes);
        hub_bind_text(st, ":audience", m->audience);
        hub_bind_text(st, ":controls", m->controls);
        hub_bind_text(st, ":summary", m->summary[HUB_LANG_EN]);
        hub_bind_i64(st, ":now", hub_now());
        err = hub_exec(st);
        if (err == KK_OK && sqlite3_changes(r->db->db) > 0) {
            (*added)++;
            snprintf(detail, sizeof detail, "%lld %s", (long long)id, m->code);
            hub_audit(r, 0, "create", "module", detail);
        }
    }
    if (err == KK_OK)
        err = hub_tx_commit(r->db);
    else
        hub_tx_rollback(r->db);
    return err;
}

int hub_training_standard(struct hub_req *r)
{
    struct hub_jw w;
    char url[64];
    int64_t added = 0;
    int err = standard_add(r, &added);
    if (err != KK_OK)
        return err;
    if (r->api) {
        hub_jw_begin(&w, r);
        hub_jw_int(&w, "added", added);
        hub_jw_end(&w);
        return KK_OK;
    }
    snprintf(url, sizeof url, "/curriculum?done=standard&n=%lld",
             (long long)added);
    hub_redirect(r, url);
    return KK_OK;
}

/* --- the routes --- */

#define API "/api/v1"
#define TR_TRAINER HUB_ROLEBIT(HUB_ROLE_TRAINER)
#define TR_TRAINERS (TR_TRAINER | HUB_ROLEBIT(HUB_ROLE_ASSISTANT))
/* Everyone signed in but device tokens, which have no pages. */
#define TR_READERS (HUB_ROLES_ALL & ~HUB_ROLEBIT(HUB_ROLE_DEVICE))

const struct hub_route hub_routes_training[] = {
    {HUB_GET, "/curriculum", 0, TR_READERS, hub_training_curriculum},
    {HUB_POST, "/curriculum", 0, TR_TRAINER, hub_training_module_add},
    {HUB_POST, "/curriculum/standard", 0, TR_TRAINER, hub_training_standard},
    {HUB_GET, "/curriculum/{id}", 0, TR_READERS, hub_training_module_get},
    {HUB_POST, "/curriculum/{id}", 0, TR_TRAINER, hub_training_module_edit},
    {HUB_POST, "/curriculum/{id}/archive", 0, TR_TRAINER,
     hub_training_module_archive},
    {HUB_GET, "/sessions", 0, HUB_ROLES_PEOPLE, hub_training_sessions},
    {HUB_POST, "/sessions", 0, TR_TRAINERS, hub_training_session_add},
    {HUB_GET, "/sessions/{id}", 0, HUB_ROLES_PEOPLE, hub_training_session_get},
    {HUB_POST, "/sessions/{id}", 0, TR_TRAINERS, hub_training_session_edit},
    {HUB_POST, "/sessions/{id}/attendance", 0, TR_TRAINERS,
     hub_training_attendance},
    {HUB_POST, "/sessions/{id}/archive", 0, TR_TRAINERS,
     hub_training_session_archive},
    {HUB_GET, "/outlets/{id}/training", 0, HUB_ROLES_MANAGE,
     hub_training_outlet},
    {HUB_GET, API "/modules", HUB_R_API, TR_READERS, hub_training_curriculum},
    {HUB_POST, API "/modules", HUB_R_API, TR_TRAINER, hub_training_module_add},
    {HUB_POST, API "/modules/standard", HUB_R_API, TR_TRAINER,
     hub_training_standard},
    {HUB_GET, API "/modules/{id}", HUB_R_API, TR_READERS,
     hub_training_module_get},
    {HUB_POST, API "/modules/{id}", HUB_R_API, TR_TRAINER,
     hub_training_module_edit},
    {HUB_POST, API "/modules/{id}/archive", HUB_R_API, TR_TRAINER,
     hub_training_module_archive},
    {HUB_GET, API "/sessions", HUB_R_API, HUB_ROLES_PEOPLE,
     hub_training_sessions},
    {HUB_POST, API "/sessions", HUB_R_API, TR_TRAINERS,
     hub_training_session_add},
    {HUB_GET, API "/sessions/{id}", HUB_R_API, HUB_ROLES_PEOPLE,
     hub_training_session_get},
    {HUB_POST, API "/sessions/{id}", HUB_R_API, TR_TRAINERS,
     hub_training_session_edit},
    {HUB_POST, API "/sessions/{id}/attendance", HUB_R_API, TR_TRAINERS,
     hub_training_attendance},
    {HUB_POST, API "/sessions/{id}/archive", HUB_R_API, TR_TRAINERS,
     hub_training_session_archive},
    {HUB_GET, API "/outlets/{id}/training", HUB_R_API, HUB_ROLES_MANAGE,
     hub_training_outlet},
    {0, NULL, 0, 0, NULL},
};
