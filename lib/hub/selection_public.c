/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * selection_public.c - the selection's pages for people without a login:
 * the public application form of a call (and its JSON twin), the receipt
 * status check, and the one-time invitation with which a selected
 * outlet's focal point sets their password.
 *
 * These are the hub's only anonymous forms besides the login, so they
 * carry the login's defences: a double-submit token against cross-site
 * posting (there is no session to hold a CSRF token), throttling per
 * address in fixed one-hour windows, and bounds on every field.  A hidden
 * "website" field catches form-filling robots: when it is filled the
 * answer is a success with a receipt like any other, and nothing is
 * stored, so a robot learns nothing to adapt to.  Receipts travel only in
 * request bodies, never in URLs, which end up in logs; every failed check
 * of a receipt answers the same way, whether the code never existed or
 * its application was deleted.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "i18n.h"
#include "model.h"
#include "selection.h"

static void pre_field(struct hub_req *r)
{
    char pre[32];
    sel_pre_token(r, pre, sizeof pre);
    hub_raw(r, "<input type=\"hidden\" name=\"pre\" value=\"");
    hub_esc(r, pre);
    hub_raw(r, "\">");
}

static void field_error(struct hub_req *r, const char *why)
{
    hub_raw(r, "<span class=\"kk-error\" role=\"alert\">");
    hub_t(r, why);
    hub_raw(r, "</span>");
}

/* --- the application form --- */

#define F_OUTLET 0
#define F_MEDIA 1
#define F_REGION 2
#define F_STAFF 3
#define F_CONTACT 4
#define F_EMAIL 5
#define N_FIELDS 6

static const struct hub_field apply_fields[N_FIELDS] = {
    {"outlet_name", HUB_F_TEXT, true, 0, KK_HUB_NAME_MAX, NULL},
    {"media", HUB_F_ENUM, false, 0, 0, hub_media_from_name},
    {"region", HUB_F_TEXT, false, 0, SEL_REGION_MAX, NULL},
    {"staff_count", HUB_F_INT, false, 0, SEL_STAFF_MAX, NULL},
    {"contact_name", HUB_F_TEXT, false, 0, KK_HUB_NAME_MAX, NULL},
    {"contact_email", HUB_F_EMAIL, true, 0, 0, NULL},
};

static const char *const apply_why[N_FIELDS] = {
    "Give the outlet's name, in at most 200 characters.",
    "Choose one of the kinds listed.",
    "At most 100 characters.",
    "A whole number from 0 to 10000.",
    "At most 200 characters.",
    "Give an e-mail address at which we can reach you.",
};

/* What was sent, and what is wrong with it. */
struct application {
    const char *v[N_FIELDS];
    const char *answer[SEL_CRITERIA_MAX];
    const char *bad;   /* field name ("answers" for an answer) */
    const char *why;   /* msgid */
    size_t bad_answer; /* index when bad is "answers" */
    bool honeypot;
};

static const char *const media_names[] = {
    "web", "tv", "radio", "print", "investigative",
};
static const char *const media_labels[] = {
    "Web", "TV", "Radio", "Print", "Investigative",
};

static bool is_bad(const struct application *a, const char *name)
{
    return a != NULL && a->bad != NULL && strcmp(a->bad, name) == 0;
}

static const char *typed(const struct application *a, size_t i)
{
    return a != NULL && a->v[i] != NULL ? a->v[i] : "";
}

static void text_field(struct hub_req *r, const struct application *a, size_t i,
                       const char *type, const char *label, const char *extra)
{
    const char *name = apply_fields[i].name;
    bool bad = is_bad(a, name);
    hub_rawf(r, "<p><label for=\"%s\">", name);
    hub_t(r, label);
    hub_rawf(r, "</label><input type=\"%s\" id=\"%s\" name=\"%s\" %s%s%s", type,
             name, name, extra, apply_fields[i].required ? " required" : "",
             bad ? " aria-invalid=\"true\"" : "");
    hub_raw(r, " value=\"");
    hub_esc(r, typed(a, i));
    hub_raw(r, "\">");
    if (bad)
        field_error(r, a->why);
    hub_raw(r, "</p>");
}

static void media_field(struct hub_req *r, const struct application *a)
{
    const char *cur = typed(a, F_MEDIA);
    hub_raw(r, "<p><label for=\"media\">");
    hub_t(r, "Kind of media");
    hub_raw(r, "</label><select id=\"media\" name=\"media\">");
    for (size_t i = 0; i < sizeof media_names / sizeof media_names[0]; i++) {
        hub_rawf(r, "<option value=\"%s\"%s>", media_names[i],
                 strcmp(cur, media_names[i]) == 0 ? " selected" : "");
        hub_t(r, media_labels[i]);
        hub_raw(r, "</option>");
    }
    hub_raw(r, "</select>");
    if (is_bad(a, "media"))
        field_error(r, a->why);
    hub_raw(r, "</p>");
}

static void answer_field(struct hub_req *r, const struct sel_call *call,
                         const struct application *a, size_t i)
{
    bool bad = is_bad(a, "answers") && a->bad_answer == i;
    hub_rawf(r, "<p><label for=\"answer-%zu\">", i + 1);
    hub_esc(r, call->crit[i].name);
    hub_rawf(r,
             "</label><textarea id=\"answer-%zu\" name=\"answer-%zu\" "
             "rows=\"5\" maxlength=\"4000\" required%s>",
             i + 1, i + 1, bad ? " aria-invalid=\"true\"" : "");
    hub_esc(r, a != NULL && a->answer[i] != NULL ? a->answer[i] : "");
    hub_raw(r, "</textarea>");
    if (bad)
        field_error(r, a->why);
    hub_raw(r, "</p>");
}

static void call_heading(struct hub_req *r, const struct sel_call *call)
{
    hub_raw(r, "<h2 id=\"call-title\">");
    hub_esc(r, call->title);
    hub_raw(r, "</h2>");
    if (call->closes[0] != '\0') {
        hub_raw(r, "<p class=\"kk-meta\">");
        hub_t(r, "Last day to apply:");
        hub_raw(r, " ");
        hub_esc(r, call->closes);
        hub_raw(r, "</p>");
    }
    if (call->description[0] != '\0') {
        const char *p = call->description;
        hub_raw(r, "<p>");
        while (*p != '\0' && r->err == KK_OK) {
            size_t n = strcspn(p, "\r\n");
            char *line = malloc(n + 1);
            if (line == NULL) {
                r->err = KK_ERR_NOMEM;
                break;
            }
            memcpy(line, p, n);
            line[n] = '\0';
            hub_esc(r, line);
            free(line);
            p += n;
            p += strspn(p, "\r\n");
            if (*p != '\0')
                hub_raw(r, "<br>");
        }
        hub_raw(r, "</p>");
    }
}

/* The form page; message (a msgid) says what went wrong, if anything. */
static int apply_page(struct hub_req *r, const struct sel_call *call,
                      const struct application *a, const char *message)
{
    int64_t now = hub_now();
    char url[64];
    hub_page_begin(r, "Apply to the programme");
    call_heading(r, call);
    if (message != NULL)
        hub_say(r, "p", "kk-error\" role=\"alert", message);
    if (!sel_call_accepting(call, now)) {
        char today[11];
        sel_day(now, today);
        if (!sel_call_decided(call) && call->opens[0] != '\0' &&
            strcmp(today, call->opens) < 0) {
            hub_raw(r, "<p class=\"kk-warning\">");
            hub_t(r, "This call is not open yet. It opens on:");
            hub_raw(r, " ");
            hub_esc(r, call->opens);
            hub_raw(r, "</p>");
        } else {
            hub_say(r, "p", "kk-warning",
                    "This call is closed: it no longer takes applications.");
        }
        hub_page_end(r);
        return KK_OK;
    }
    if (a != NULL && a->bad != NULL && message == NULL)
        hub_say(r, "p", "kk-error\" role=\"alert",
                "Some answers need attention; see below.");
    snprintf(url, sizeof url, "/apply/%lld", (long long)call->id);
    hub_raw(r, "<form method=\"post\" action=\"");
    hub_esc(r, url);
    hub_raw(r, "\" class=\"kk-form\" id=\"apply-form\">");
    pre_field(r);
    hub_say(r, "h3", NULL, "Your outlet");
    text_field(r, a, F_OUTLET, "text", "Name of the outlet",
               "maxlength=\"200\" autocomplete=\"organization\"");
    media_field(r, a);
    text_field(r, a, F_REGION, "text", "Region", "maxlength=\"100\"");
    text_field(r, a, F_STAFF, "number", "Number of staff",
               "min=\"0\" max=\"10000\" inputmode=\"numeric\"");
    hub_say(r, "h3", NULL, "The person we write to");
    text_field(r, a, F_CONTACT, "text", "Your name",
               "maxlength=\"200\" autocomplete=\"name\"");
    text_field(r, a, F_EMAIL, "email", "Your e-mail",
               "maxlength=\"200\" autocomplete=\"email\"");
    hub_say(r, "h3", NULL, "Questions");
    for (size_t i = 0; i < call->n_crit; i++)
        answer_field(r, call, a, i);
    /* The honeypot: hidden from people, filled by robots. */
    hub_raw(r, "<p class=\"kk-hp\" aria-hidden=\"true\"><label "
               "for=\"website\">Website</label><input type=\"text\" "
               "id=\"website\" name=\"website\" tabindex=\"-1\" "
               "autocomplete=\"off\" value=\"\"></p>");
    hub_raw(r, "<p class=\"kk-hint\">");
    hub_t(r, "Only the programme's trainer and selection panel read what you "
             "send. If your outlet is not selected, the application is "
             "deleted this many days after the decision:");
    hub_rawf(r, " %lld.</p><p><button type=\"submit\">",
             (long long)call->retention_days);
    hub_t(r, "Send the application");
    hub_raw(r, "</button></p></form><p><a href=\"/apply/status\">");
    hub_t(r, "Check the status of an application");
    hub_raw(r, "</a></p>");
    hub_page_end(r);
    return KK_OK;
}

int sel_apply_get(struct hub_req *r)
{
    struct sel_call call;
    int err = sel_call_load(r->db, r->param[0], &call);
    if (err != KK_OK)
        return err;
    return apply_page(r, &call, NULL, NULL);
}

/* Reads the answers: "answer-N" form fields, or the JSON object
 * "answers" keyed by criterion (no other key). */
static void answers_read(struct hub_req *r, const struct sel_call *call,
                         struct application *a)
{
    const struct hub_jv *obj = hub_jv_get(hub_json_root(r->json), "answers");
    if (r->json != NULL) {
        bool shape = hub_jv_type(obj) == HUB_JSON_OBJECT;
        for (size_t i = 0; shape && i < hub_jv_len(obj); i++) {
            bool known = false;
            for (size_t k = 0; k < call->n_crit; k++)
                known = known ||
                        strcmp(call->crit[k].name, hub_jv_key_at(obj, i)) == 0;
            shape = known;
        }
        if (!shape) {
            a->bad = "answers";
            a->why = "Answer every criterion of the call, as text; other "
                     "keys are not accepted.";
            return;
        }
    }
    for (size_t i = 0; i < call->n_crit; i++) {
        char name[32];
        if (r->json != NULL) {
            a->answer[i] = hub_jv_str(hub_jv_get(obj, call->crit[i].name));
        } else {
            snprintf(name, sizeof name, "answer-%zu", i + 1);
            a->answer[i] = hub_form_get(r->form, name);
        }
        if (a->bad == NULL &&
            (a->answer[i] == NULL || a->answer[i][0] == '\0' ||
             !sel_text_ok(a->answer[i], SEL_ANSWER_MAX))) {
            a->bad = "answers";
            a->bad_answer = i;
            a->why = "Answer each question, in at most 4000 characters.";
        }
    }
}

/* The honeypot, then every field; a->bad says what is wrong. */
static void application_read(struct hub_req *r, const struct sel_call *call,
                             struct application *a)
{
    const char *hp =
        r->json != NULL
            ? hub_jv_str(hub_jv_get(hub_json_root(r->json), "website"))
            : hub_form_get(r->form, "website");
    const char *bad = NULL;
    memset(a, 0, sizeof *a);
    a->honeypot = hp != NULL && hp[0] != '\0';
    if (hub_fields_read(r, apply_fields, N_FIELDS, a->v, &bad) != KK_OK) {
        a->bad = bad;
        for (size_t i = 0; i < N_FIELDS; i++) {
            if (strcmp(apply_fields[i].name, bad) == 0)
                a->why = apply_why[i];
        }
    }
    if (r->json == NULL) {
        for (size_t i = 0; i < N_FIELDS; i++) {
            const char *t = hub_form_get(r->form, apply_fields[i].name);
            a->v[i] = t != NULL ? t : "";
        }
    }
    if (a->bad == NULL)
        answers_read(r, call, a);
    else
        for (size_t i = 0; r->json == NULL && i < call->n_crit; i++) {
            char name[32];
            snprintf(name, sizeof name, "answer-%zu", i + 1);
            a->answer[i] = hub_form_get(r->form, name);
        }
}

/* The answers as a JSON object keyed by criterion. */
static int answers_json(const struct sel_call *call,
                        const struct application *a, struct kk_buf *b)
{
    int err = kk_buf_putc(b, '{');
    for (size_t i = 0; i < call->n_crit && err == KK_OK; i++) {
        if (i > 0)
            err = kk_buf_putc(b, ',');
        if (err == KK_OK)
            err = kk_json_str(b, call->crit[i].name);
        if (err == KK_OK)
            err = kk_buf_putc(b, ':');
        if (err == KK_OK)
            err = kk_json_str(b, a->answer[i]);
    }
    if (err == KK_OK)
        err = kk_buf_putc(b, '}');
    return err;
}

static int application_insert(struct hub_req *r, const struct sel_call *call,
                              const struct application *a,
                              const uint8_t receipt[32])
{
    struct kk_buf *ans =
        kk_buf_new((size_t)SEL_CRITERIA_MAX *
                   (SEL_ANSWER_MAX * 6 + SEL_CRITERION_MAX * 6 + 16));
    sqlite3_stmt *st;
    int64_t id = 0, staff = 0;
    char detail[32];
    int err = ans != NULL ? answers_json(call, a, ans) : KK_ERR_NOMEM;
    if (err == KK_OK)
        err = hub_new_id(&id);
    if (err != KK_OK)
        goto out;
    st = hub_q(r->db, HUB_Q_SEL_APP_INSERT);
    if (st == NULL) {
        err = KK_ERR_IO;
        goto out;
    }
    if (kk_parse_i64(a->v[F_STAFF], 0, SEL_STAFF_MAX, &staff) != KK_OK)
        staff = 0;
    hub_bind_i64(st, ":id", id);
    hub_bind_i64(st, ":call", call->id);
    hub_bind_blob(st, ":receipt", receipt, 32);
    hub_bind_text(st, ":outlet_name", a->v[F_OUTLET]);
    hub_bind_text(st, ":media",
                  a->v[F_MEDIA][0] != '\0' ? a->v[F_MEDIA] : "web");
    hub_bind_text(st, ":region", a->v[F_REGION]);
    hub_bind_i64(st, ":staff_count", staff);
    hub_bind_text(st, ":contact_name", a->v[F_CONTACT]);
    hub_bind_text(st, ":contact_email", a->v[F_EMAIL]);
    hub_bind_text(st, ":answers", kk_buf_str(ans));
    hub_bind_i64(st, ":now", hub_now());
    err = hub_exec(st);
    if (err == KK_OK) {
        snprintf(detail, sizeof detail, "%lld", (long long)id);
        hub_audit(r, 0, "apply", "application", detail);
    }
out:
    kk_buf_free(ans);
    return err;
}

static int64_t call_count(struct hub_req *r, int64_t call)
{
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_SEL_APP_COUNT);
    int64_t n = SEL_APPLICATIONS_MAX;
    if (st == NULL)
        return n;
    hub_bind_i64(st, ":call", call);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return n;
}

static int receipt_page(struct hub_req *r, const struct sel_call *call,
                        const char *receipt)
{
    struct hub_jw w;
    if (r->api) {
        r->status = 201;
        hub_jw_begin(&w, r);
        hub_jw_str(&w, "receipt", receipt);
        hub_jw_end(&w);
        return KK_OK;
    }
    hub_page_begin(r, "Application sent");
    hub_raw(r, "<p class=\"kk-flash\" role=\"status\">");
    hub_t(r, "Thank you. Your application has reached the programme:");
    hub_raw(r, " <strong>");
    hub_esc(r, call->title);
    hub_raw(r, "</strong></p><p>");
    hub_t(r, "Your receipt code:");
    hub_raw(r, "</p><p><code class=\"kk-secret\" id=\"receipt\">");
    hub_esc(r, receipt);
    hub_raw(r, "</code></p>");
    hub_say(
        r, "p", "kk-warning",
        "Write this code down or keep it somewhere safe. It is the only way "
        "to check the status of your application, and it is shown only "
        "now.");
    hub_raw(r, "<p><a class=\"kk-button\" href=\"/apply/status\">");
    hub_t(r, "Check the status of an application");
    hub_raw(r, "</a></p>");
    hub_page_end(r);
    return KK_OK;
}

/* A refusal of the whole form: status and message, the form again. */
static int apply_refuse(struct hub_req *r, const struct sel_call *call,
                        const struct application *a, int status,
                        const char *code, const char *msgid)
{
    if (r->api) {
        hub_fail(r, status, code, msgid);
        return KK_OK;
    }
    r->status = status;
    return apply_page(r, call, a, msgid);
}

static const char msg_throttled[] =
    "Too many applications came from your network in the last hour. "
    "Please try again later.";
static const char msg_closed[] =
    "This call is closed: it no longer takes applications.";

int sel_apply_post(struct hub_req *r)
{
    struct sel_call call;
    struct application a;
    char key[96], receipt[SEL_RECEIPT_TEXT], msg[200];
    uint8_t h[32];
    int64_t now = hub_now(), gone = 0;
    int err = sel_call_load(r->db, r->param[0], &call);
    if (err != KK_OK)
        return err;
    if (r->api && r->json == NULL) {
        hub_fail(r, 400, "invalid", "Send the application as a JSON object.");
        return KK_OK;
    }
    application_read(r, &call, &a);
    if (!r->api && !sel_pre_ok(r))
        return apply_refuse(r, &call, &a, 403, "csrf",
                            "The form expired. Please send it again.");
    if (!sel_call_accepting(&call, now))
        return apply_refuse(r, &call, &a, 409, "closed", msg_closed);
    err = hub_tx_begin(r->db);
    if (err != KK_OK)
        return err;
    snprintf(key, sizeof key, "apply:%s", r->ip);
    if (sel_rate_over(r->db, key, SEL_APPLY_PER_HOUR, now, false)) {
        hub_tx_rollback(r->db);
        return apply_refuse(r, &call, &a, 429, "throttled", msg_throttled);
    }
    if (!a.honeypot && a.bad != NULL) {
        hub_tx_rollback(r->db);
        if (r->api) {
            snprintf(msg, sizeof msg, "%s: %s", a.bad, a.why);
            hub_fail(r, 400, "invalid", msg);
            return KK_OK;
        }
        r->status = 400;
        return apply_page(r, &call, &a, NULL);
    }
    if (!a.honeypot && call_count(r, call.id) >= SEL_APPLICATIONS_MAX) {
        hub_tx_rollback(r->db);
        return apply_refuse(r, &call, &a, 409, "full",
                            "This call has received as many applications as "
                            "it can take.");
    }
    sel_receipt_new(receipt);
    err = sel_receipt_hash(receipt, h);
    /* A robot's submission is counted and answered, never stored. */
    if (err == KK_OK && !a.honeypot)
        err = application_insert(r, &call, &a, h);
    if (err == KK_OK &&
        sel_rate_over(r->db, key, SEL_APPLY_PER_HOUR, now, true))
        err = KK_ERR_IO;
    if (err == KK_OK)
        err = sel_purge_run(r->db, now, &gone);
    err = sel_tx_end(r, err);
    if (err == KK_OK)
        err = receipt_page(r, &call, receipt);
    kk_wipe(receipt, sizeof receipt);
    return err;
}

/* --- the status check --- */

static void status_form(struct hub_req *r, const char *typed_code,
                        const char *error)
{
    if (error != NULL)
        hub_say(r, "p", "kk-error\" role=\"alert", error);
    hub_raw(r, "<form method=\"post\" action=\"/apply/status\" "
               "class=\"kk-form\">");
    pre_field(r);
    hub_raw(r, "<p><label for=\"receipt\">");
    hub_t(r, "Receipt code");
    hub_raw(r, "</label><input type=\"text\" id=\"receipt\" name=\"receipt\" "
               "maxlength=\"40\" autocomplete=\"off\" spellcheck=\"false\" "
               "autocapitalize=\"characters\" required aria-describedby=\""
               "receipt-hint\" value=\"");
    hub_esc(r, typed_code != NULL ? typed_code : "");
    hub_raw(r, "\"><span class=\"kk-hint\" id=\"receipt-hint\">");
    hub_t(r, "The code shown when you sent your application: five groups of "
             "four letters and digits.");
    hub_raw(r, "</span></p><p><button type=\"submit\">");
    hub_t(r, "Check the status");
    hub_raw(r, "</button></p></form>");
}

int sel_status_get(struct hub_req *r)
{
    hub_page_begin(r, "Status of an application");
    status_form(r, NULL, NULL);
    hub_page_end(r);
    return KK_OK;
}

static const char msg_no_receipt[] =
    "We found no application with this code. Check it and try again.";

static int status_refuse(struct hub_req *r, int status, const char *code,
                         const char *msgid, const char *typed_code)
{
    if (r->api) {
        if (status == 404)
            hub_fail(r, 404, "not_found", "");
        else
            hub_fail(r, status, code, msgid);
        return KK_OK;
    }
    r->status = status;
    hub_page_begin(r, "Status of an application");
    status_form(r, typed_code, msgid);
    hub_page_end(r);
    return KK_OK;
}

static const char *status_word(const char *status)
{
    if (strcmp(status, "selected") == 0)
        return "selected";
    if (strcmp(status, "submitted") == 0)
        return "submitted";
    return "not_selected";
}

static int status_answer(struct hub_req *r, sqlite3_stmt *st)
{
    struct hub_jw w;
    const char *status = hub_col_text(st, 1);
    char day[11];
    sel_day(sqlite3_column_int64(st, 3), day);
    if (r->api) {
        hub_jw_begin(&w, r);
        hub_jw_str(&w, "call", hub_col_text(st, 2));
        hub_jw_str(&w, "outlet_name", hub_col_text(st, 0));
        hub_jw_str(&w, "status", status_word(status));
        hub_jw_str(&w, "submitted_on", day);
        hub_jw_end(&w);
        return KK_OK;
    }
    hub_page_begin(r, "Status of an application");
    hub_raw(r, "<dl class=\"kk-facts\"><dt>");
    hub_t(r, "Call for applications");
    hub_raw(r, "</dt><dd id=\"status-call\">");
    hub_esc(r, hub_col_text(st, 2));
    hub_raw(r, "</dd><dt>");
    hub_t(r, "Outlet");
    hub_raw(r, "</dt><dd id=\"status-outlet\">");
    hub_esc(r, hub_col_text(st, 0));
    hub_raw(r, "</dd><dt>");
    hub_t(r, "Submitted on");
    hub_rawf(r, "</dt><dd>%s</dd><dt>", day);
    hub_t(r, "Status");
    hub_raw(r, "</dt><dd id=\"status-state\">");
    hub_t(r, sel_status_label(status));
    hub_raw(r, "</dd></dl>");
    if (strcmp(status, "selected") == 0)
        hub_say(r, "p", NULL,
                "Congratulations: your outlet joins the programme. The trainer "
                "sends your focal point a link to sign in.");
    else if (strcmp(status, "submitted") == 0)
        hub_say(
            r, "p", NULL,
            "The selection panel is reviewing the applications. Check again "
            "later.");
    else
        hub_say(r, "p", NULL,
                "Your outlet was not selected this time. Thank you for "
                "applying.");
    hub_page_end(r);
    return KK_OK;
}

int sel_status_post(struct hub_req *r)
{
    static const struct hub_field f[] = {
        {"receipt", HUB_F_TEXT, true, 0, 64, NULL},
    };
    const char *code = "", *bad = NULL;
    char key[96];
    uint8_t h[32];
    int64_t now = hub_now();
    sqlite3_stmt *st;
    bool found = false;
    int err = KK_OK;
    if (r->api && r->json == NULL) {
        hub_fail(r, 400, "invalid", "Send a JSON object with the receipt.");
        return KK_OK;
    }
    if (!r->api && !sel_pre_ok(r))
        return status_refuse(r, 403, "csrf",
                             "The form expired. Please send it again.", NULL);
    snprintf(key, sizeof key, "receipt:%s", r->ip);
    if (sel_rate_over(r->db, key, SEL_STATUS_FAILS, now, false))
        return status_refuse(r, 429, "throttled",
                             "Too many wrong codes came from your network. "
                             "Please try again in an hour.",
                             NULL);
    if (hub_fields_read(r, f, 1, &code, &bad) != KK_OK) {
        if (r->api) {
            hub_fail(r, 400, "invalid", "receipt: Not valid.");
            return KK_OK;
        }
        return status_refuse(r, 400, "invalid", "Enter your receipt code.",
                             NULL);
    }
    if (sel_receipt_hash(code, h) == KK_OK &&
        (st = hub_q(r->db, HUB_Q_SEL_RECEIPT)) != NULL) {
        hub_bind_blob(st, ":h", h, sizeof h);
        hub_bind_i64(st, ":now", now);
        if (sqlite3_step(st) == SQLITE_ROW) {
            found = true;
            err = status_answer(r, st);
        }
        sqlite3_reset(st);
        if (found)
            return err;
    }
    /* A wrong code, or one whose application is gone: one answer. */
    err = hub_tx_begin(r->db);
    if (err == KK_OK) {
        (void)sel_rate_over(r->db, key, SEL_STATUS_FAILS, now, true);
        err = hub_tx_commit(r->db);
    }
    if (err != KK_OK)
        return err;
    return status_refuse(r, 404, "not_found", msg_no_receipt, code);
}

/* --- the invitation --- */

static const char msg_invite_refused[] =
    "This invitation link is not valid: it was used already or it has "
    "expired. Ask the trainer for a new one.";

/* The same answer for an unknown, used or expired link. */
static int invite_refuse(struct hub_req *r)
{
    r->status = 404;
    hub_page_begin(r, "Invitation");
    hub_say(r, "p", "kk-error\" role=\"alert", msg_invite_refused);
    hub_raw(r, "<p><a href=\"/login\">");
    hub_t(r, "Sign in");
    hub_raw(r, "</a></p>");
    hub_page_end(r);
    return KK_OK;
}

/* The login the link invites (its user id and e-mail), if it is valid. */
static bool invite_find(struct hub_req *r, const char *token, uint8_t h[32],
                        int64_t *user, char *email, size_t cap)
{
    sqlite3_stmt *st;
    bool ok = false;
    size_t n = token != NULL ? strlen(token) : 0;
    if (n < 40 || n > 64)
        return false;
    hub_hash(token, n, h);
    st = hub_q(r->db, HUB_Q_SEL_INVITE_GET);
    if (st == NULL)
        return false;
    hub_bind_blob(st, ":h", h, 32);
    hub_bind_i64(st, ":now", hub_now());
    if (sqlite3_step(st) == SQLITE_ROW) {
        *user = sqlite3_column_int64(st, 0);
        snprintf(email, cap, "%s", hub_col_text(st, 1));
        ok = true;
    }
    sqlite3_reset(st);
    return ok;
}

static void invite_form(struct hub_req *r, const char *token, const char *email,
                        const char *error)
{
    hub_page_begin(r, "Choose your password");
    hub_raw(r, "<p>");
    hub_t(r, "Welcome to the programme. You sign in to the hub with this "
             "e-mail address:");
    hub_raw(r, " <strong id=\"invite-email\">");
    hub_esc(r, email);
    hub_raw(r, "</strong></p>");
    if (error != NULL)
        hub_say(r, "p", "kk-error\" role=\"alert", error);
    hub_raw(r, "<form method=\"post\" action=\"/invite\" class=\"kk-form\">");
    pre_field(r);
    hub_raw(r, "<input type=\"hidden\" name=\"t\" value=\"");
    hub_esc(r, token);
    hub_raw(r, "\"><p><label for=\"password\">");
    hub_t(r, "New password");
    hub_raw(r, "</label><input type=\"password\" id=\"password\" "
               "name=\"password\" autocomplete=\"new-password\" "
               "minlength=\"10\" maxlength=\"1024\" required "
               "aria-describedby=\"password-hint\"><span class=\"kk-hint\" "
               "id=\"password-hint\">");
    hub_t(r, "At least 10 characters. A sentence you can remember is a good "
             "password.");
    hub_raw(r, "</span></p><p><label for=\"password2\">");
    hub_t(r, "The same password again");
    hub_raw(r, "</label><input type=\"password\" id=\"password2\" "
               "name=\"password2\" autocomplete=\"new-password\" "
               "minlength=\"10\" maxlength=\"1024\" required></p>");
    hub_say(r, "p", "kk-hint",
            "Next you set up the second factor: an authenticator app on your "
            "phone.");
    hub_raw(r, "<p><button type=\"submit\">");
    hub_t(r, "Set my password");
    hub_raw(r, "</button></p></form>");
    hub_page_end(r);
}

int sel_invite_get(struct hub_req *r)
{
    const char *t = hub_form_get(r->query, "t");
    char email[KK_HUB_NAME_MAX + 1];
    uint8_t h[32];
    int64_t user = 0;
    if (!invite_find(r, t, h, &user, email, sizeof email))
        return invite_refuse(r);
    invite_form(r, t, email, NULL);
    return KK_OK;
}

/* Uses the invitation and stores the password, in one transaction. */
static int invite_use(struct hub_req *r, const uint8_t h[32], int64_t user,
                      const char *pw_hash)
{
    sqlite3_stmt *st;
    char detail[32];
    int64_t now = hub_now();
    int err = hub_tx_begin(r->db);
    if (err != KK_OK)
        return err;
    st = hub_q(r->db, HUB_Q_SEL_INVITE_USE);
    if (st == NULL)
        return sel_tx_end(r, KK_ERR_IO);
    hub_bind_blob(st, ":h", h, 32);
    hub_bind_i64(st, ":now", now);
    err = hub_exec(st);
    if (err == KK_OK && sqlite3_changes(r->db->db) != 1)
        err = KK_ERR_NOTFOUND;
    if (err == KK_OK && (st = hub_q(r->db, HUB_Q_SEL_USER_SET_PW)) != NULL) {
        hub_bind_text(st, ":pw", pw_hash);
        hub_bind_i64(st, ":id", user);
        err = hub_exec(st);
        if (err == KK_OK && sqlite3_changes(r->db->db) != 1)
            err = KK_ERR_NOTFOUND;
    }
    if (err == KK_OK) {
        snprintf(detail, sizeof detail, "%lld", (long long)user);
        hub_audit(r, 0, "accept", "invite", detail);
    }
    return sel_tx_end(r, err);
}

/* Signs the invited person in at the password stage, as the login does:
 * the next step is the second factor's enrolment. */
static int sign_in(struct hub_req *r, int64_t user)
{
    char cookie[64], set[160];
    int err;
    if (r->session[0] != 0 || r->session[1] != 0)
        hub_session_end(r->db, r->session);
    err = hub_session_create(r->db, user, HUB_STAGE_PASSWORD, cookie,
                             sizeof cookie);
    if (err != KK_OK)
        return err;
    snprintf(set, sizeof set,
             HUB_SESSION_COOKIE "=%s; Path=/; Max-Age=%d; SameSite=Strict; "
                                "HttpOnly%s",
             cookie, KK_HUB_LOGIN_PENDING, r->secure ? "; Secure" : "");
    hub_set_header(r, "Set-Cookie", set);
    kk_wipe(cookie, sizeof cookie);
    kk_wipe(set, sizeof set);
    hub_redirect(r, "/enrol");
    return KK_OK;
}

int sel_invite_post(struct hub_req *r)
{
    const char *t = hub_form_get(r->form, "t");
    const char *pw = hub_form_get(r->form, "password");
    const char *pw2 = hub_form_get(r->form, "password2");
    char email[KK_HUB_NAME_MAX + 1], hash[crypto_pwhash_STRBYTES];
    const char *problem = NULL;
    uint8_t h[32];
    int64_t user = 0;
    int err;
    if (!invite_find(r, t, h, &user, email, sizeof email))
        return invite_refuse(r);
    if (!sel_pre_ok(r)) {
        r->status = 403;
        invite_form(r, t, email, "The form expired. Please send it again.");
        return KK_OK;
    }
    if (pw == NULL || strlen(pw) < KK_HUB_PASSWORD_MIN ||
        strlen(pw) > KK_HUB_PASSWORD_MAX)
        problem = "The password needs at least 10 characters.";
    else if (pw2 == NULL || !kk_streq_ct(pw, pw2))
        problem = "The two passwords are not the same.";
    if (problem != NULL) {
        r->status = 400;
        invite_form(r, t, email, problem);
        return KK_OK;
    }
    err = hub_pw_hash(pw, hash, sizeof hash);
    if (err == KK_OK)
        err = invite_use(r, h, user, hash);
    kk_wipe(hash, sizeof hash);
    if (err == KK_ERR_NOTFOUND)
        return invite_refuse(r);
    if (err == KK_OK)
        err = sign_in(r, user);
    return err;
}
