/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * remind.c - Reminders: what needs attention, on the dashboard, in the
 * API and by e-mail; and the housekeeping thread of the server.
 *
 * One collection layer reads five lists for the caller's scope, each with
 * one scoped statement (sql_remind.h): overdue open tasks, tasks due
 * within 7 days, observations whose time is up, licences lapsing within 30
 * days or lapsed, incidents not yet recovered.  The dashboard and an
 * outlet's overview show the counts and the first few of each; the API
 * gives them all; the daily e-mail gives each trainer, assistant and
 * focal point the same lists for their own scope - computed by running the
 * very same statements as that user, so an e-mail can hold nothing a page
 * would not show them.
 *
 * The housekeeping thread wakes every few minutes (a condition variable
 * with a timeout, so stopping it is immediate), purges expired selection
 * applications, and when a relay is configured sends the e-mail of the
 * day to whoever has not had it.  A slow or dead relay costs the thread at
 * most its timeouts, never a request: the server does not wait for it, and
 * a pipe cancels a send in progress when the server stops.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "kalkan/hub_remind.h"
#include "model.h"
#include "programme.h"
#include "site_hub.h"
#include "smtp.h"
#include "training.h"

#define DAY INT64_C(86400)
#define PANEL_ITEMS 5   /* items of each kind on a page */
#define MAIL_ITEMS 20   /* items of each kind in an e-mail */
#define API_ITEMS 200   /* items of each kind in the API */
#define HK_INTERVAL 300 /* seconds between housekeeping rounds */
#define URL_MAX 160

/* --- what needs attention --- */

enum {
    RK_OVERDUE,
    RK_SOON,
    RK_STALE,
    RK_LICENCE,
    RK_INCIDENT,
    RK_COUNT,
};

static const struct {
    enum hub_q q;
    const char *key;     /* JSON key, element id */
    const char *heading; /* English msgid */
    const char *kind;    /* reminders_sent.kind */
    const char *list;    /* the outlet's list page, or NULL */
} kinds[RK_COUNT] = {
    {HUB_Q_RM_TASKS_OVERDUE, "overdue_tasks", "Overdue tasks", "task", "tasks"},
    {HUB_Q_RM_TASKS_SOON, "tasks_due_soon", "Tasks due within 7 days", "task",
     "tasks"},
    {HUB_Q_RM_STALE, "stale_observations", "Checks that are out of date",
     "stale", NULL},
    {HUB_Q_RM_LICENCES, "licences",
     "Licences that lapse within 30 days or have lapsed", "licence",
     "licences"},
    {HUB_Q_RM_INCIDENTS, "open_incidents", "Open incidents", "incident",
     "incidents"},
};

struct rm_item {
    int64_t id; /* task, licence, incident; observation seq */
    int64_t outlet;
    int64_t sid; /* stale: the subject */
    int64_t t;   /* stale: expires_at; incident: reported_at */
    char outlet_name[KK_HUB_NAME_MAX + 1];
    char text[KK_HUB_NAME_MAX + 1]; /* title, control, product, type */
    char date[11];                  /* due, expires */
    char stype[12];                 /* stale: subject type */
    char status[16];                /* incident */
};

struct rm_set {
    struct rm_item *v[RK_COUNT];
    size_t n[RK_COUNT];
    int64_t count[RK_COUNT];
    struct hub_site_alerts *site; /* websites (site_remind.c) */
    int64_t now;
    char today[11], soon[11], renew[11];
};

static void day_of(int64_t t, char *out, size_t cap)
{
    char buf[32];
    if (kk_format_time(t, buf, sizeof buf) != KK_OK)
        buf[0] = '\0';
    snprintf(out, cap, "%.10s", buf);
}

static void set_free(struct rm_set *s)
{
    for (int k = 0; k < RK_COUNT; k++) {
        free(s->v[k]);
        s->v[k] = NULL;
    }
    hub_site_alerts_free(s->site);
    s->site = NULL;
}

static void item_fill(int k, sqlite3_stmt *st, struct rm_item *it,
                      int64_t *count)
{
    memset(it, 0, sizeof *it);
    it->id = sqlite3_column_int64(st, 0);
    it->outlet = sqlite3_column_int64(st, 1);
    snprintf(it->outlet_name, sizeof it->outlet_name, "%s",
             hub_col_text(st, 2));
    switch (k) {
    case RK_STALE: /* no outlet name, no count: see stale_load */
        it->outlet_name[0] = '\0';
        snprintf(it->stype, sizeof it->stype, "%s", hub_col_text(st, 2));
        it->sid = sqlite3_column_int64(st, 3);
        snprintf(it->text, sizeof it->text, "%s", hub_col_text(st, 4));
        it->t = sqlite3_column_int64(st, 5);
        day_of(it->t, it->date, sizeof it->date);
        break;
    case RK_INCIDENT:
        snprintf(it->text, sizeof it->text, "%s", hub_col_text(st, 3));
        snprintf(it->status, sizeof it->status, "%s", hub_col_text(st, 4));
        it->t = sqlite3_column_int64(st, 5);
        day_of(it->t, it->date, sizeof it->date);
        *count = sqlite3_column_int64(st, 6);
        break;
    default: /* tasks and licences */
        snprintf(it->text, sizeof it->text, "%s", hub_col_text(st, 3));
        snprintf(it->date, sizeof it->date, "%s", hub_col_text(st, 4));
        *count = sqlite3_column_int64(st, 5);
        break;
    }
}

static void bind_set(sqlite3_stmt *st, const struct rm_set *s, int64_t outlet,
                     size_t limit)
{
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_text(st, ":today", s->today);
    hub_bind_text(st, ":soon", s->soon);
    hub_bind_text(st, ":renew", s->renew);
    hub_bind_i64(st, ":now", s->now);
    hub_bind_i64(st, ":limit", (int64_t)limit);
}

/* The stale observations are many (every agent check expires in days):
 * their count is a statement of its own, and their outlets' names are
 * looked up for the few listed only. */
static int stale_finish(struct hub_req *r, struct rm_set *s, int64_t outlet)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_RM_STALE_COUNT);
    int err = KK_OK;
    if (st == NULL)
        return KK_ERR_IO;
    bind_set(st, s, outlet, 0);
    if (sqlite3_step(st) == SQLITE_ROW)
        s->count[RK_STALE] = sqlite3_column_int64(st, 0);
    else
        err = KK_ERR_IO;
    sqlite3_reset(st);
    for (size_t i = 0; i < s->n[RK_STALE] && err == KK_OK; i++) {
        struct rm_item *it = &s->v[RK_STALE][i];
        for (size_t j = 0; j < i && it->outlet_name[0] == '\0'; j++) {
            if (s->v[RK_STALE][j].outlet == it->outlet)
                memcpy(it->outlet_name, s->v[RK_STALE][j].outlet_name,
                       sizeof it->outlet_name);
        }
        if (it->outlet_name[0] != '\0')
            continue;
        st = hub_scoped(r, HUB_Q_OUTLET_GET);
        if (st == NULL)
            return KK_ERR_IO;
        hub_bind_i64(st, ":id", it->outlet);
        if (sqlite3_step(st) == SQLITE_ROW)
            snprintf(it->outlet_name, sizeof it->outlet_name, "%s",
                     hub_col_text(st, 2));
        sqlite3_reset(st);
    }
    return err;
}

/* Reads every list for r's caller: one outlet, or all in scope (0), at
 * most limit items of each. */
static int set_load(struct hub_req *r, int64_t outlet, size_t limit,
                    struct rm_set *s)
{
    int err = KK_OK;
    memset(s, 0, sizeof *s);
    s->now = hub_now();
    day_of(s->now, s->today, sizeof s->today);
    day_of(s->now + 7 * DAY, s->soon, sizeof s->soon);
    day_of(s->now + 30 * DAY, s->renew, sizeof s->renew);
    for (int k = 0; k < RK_COUNT && err == KK_OK; k++) {
        sqlite3_stmt *st;
        int rc;
        s->v[k] = calloc(limit, sizeof *s->v[k]);
        st = s->v[k] != NULL ? hub_scoped(r, kinds[k].q) : NULL;
        if (st == NULL) {
            err = s->v[k] == NULL ? KK_ERR_NOMEM : KK_ERR_IO;
            break;
        }
        bind_set(st, s, outlet, limit);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW && s->n[k] < limit) {
            item_fill(k, st, &s->v[k][s->n[k]], &s->count[k]);
            s->n[k]++;
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
            err = hub_sql_err(rc);
        if (err == KK_OK && k == RK_STALE)
            err = stale_finish(r, s, outlet);
    }
    if (err == KK_OK)
        err = hub_site_alerts_load(r, outlet, limit, &s->site);
    if (err != KK_OK)
        set_free(s);
    return err;
}

static int64_t set_total(const struct rm_set *s)
{
    int64_t t = 0;
    for (int k = 0; k < RK_COUNT; k++)
        t += s->count[k];
    return t + hub_site_alerts_count(s->site);
}

/* --- words for an item --- */

static const char *const incident_types[][2] = {
    {"account_hijacked", "Account hijacked"},
    {"page_blocked", "Page or channel blocked"},
    {"website_down", "Website down"},
    {"website_hacked", "Website hacked"},
    {"device_seized", "Device seized"},
    {"device_lost", "Device lost or stolen"},
    {"malware", "Malware"},
    {"phishing", "Phishing"},
    {"physical_attack", "Physical attack"},
    {"harassment", "Harassment or doxxing"},
    {"legal_threat", "Legal threat"},
};

static const char *const device_kinds[][2] = {
    {"desktop", "Desktop"}, {"laptop", "Laptop"}, {"phone", "Phone"},
    {"tablet", "Tablet"},   {"server", "Server"}, {"router", "Router"},
};

static const char *label_of(const char *const (*tab)[2], size_t n,
                            const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(tab[i][0], name) == 0)
            return tab[i][1];
    }
    return NULL;
}

/* The subject of a stale observation in words, in lang. */
static void subject_words(struct hub_req *r, const struct rm_item *it, int lang,
                          char *out, size_t cap)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_RM_SUBJECT);
    const char *a = "", *b = "";
    out[0] = '\0';
    if (st == NULL)
        return;
    hub_bind_text(st, ":stype", it->stype);
    hub_bind_i64(st, ":sid", it->sid);
    if (sqlite3_step(st) == SQLITE_ROW) {
        a = hub_col_text(st, 0);
        b = hub_col_text(st, 1);
        if (strcmp(it->stype, "device") == 0) {
            const char *l = label_of(
                device_kinds, sizeof device_kinds / sizeof *device_kinds, a);
            a = l != NULL ? hub_tr(lang, l) : a;
        } else if (strcmp(it->stype, "account") == 0) {
            const char *l = hub_platform_label(hub_platform_from_name(a));
            a = l != NULL ? hub_tr(lang, l) : a;
        }
        snprintf(out, cap, "%s%s%s", a, b[0] != '\0' ? " " : "", b);
    }
    sqlite3_reset(st);
}

/* The main words of an item: a task's title, a control and its subject,
 * a licence's product, an incident's type. */
static void item_what(struct hub_req *r, int k, const struct rm_item *it,
                      int lang, char *out, size_t cap)
{
    const struct hub_control *c;
    const char *l;
    char subject[2 * KK_HUB_NAME_MAX + 2];
    switch (k) {
    case RK_STALE:
        c = hub_catalogue_find(hub_catalogue_builtin(), it->text);
        subject_words(r, it, lang, subject, sizeof subject);
        /* A long control title may be cut: it is a reminder's line. */
        if (snprintf(out, cap, "%s: %s", subject,
                     c != NULL ? c->title[lang] : it->text) < 0)
            out[0] = '\0';
        break;
    case RK_INCIDENT:
        l = label_of(incident_types,
                     sizeof incident_types / sizeof *incident_types, it->text);
        snprintf(out, cap, "%s", l != NULL ? hub_tr(lang, l) : it->text);
        break;
    default:
        snprintf(out, cap, "%s", it->text);
        break;
    }
}

/* The date or age of an item, in words. */
static void item_when(int k, const struct rm_item *it, const struct rm_set *s,
                      int lang, char *out, size_t cap)
{
    int64_t days;
    switch (k) {
    case RK_STALE:
        snprintf(out, cap, "%s %s", hub_tr(lang, "Out of date since"),
                 it->date);
        break;
    case RK_LICENCE:
        snprintf(out, cap, "%s %s",
                 hub_tr(lang, strcmp(it->date, s->today) < 0 ? "Lapsed on"
                                                             : "Lapses on"),
                 it->date);
        break;
    case RK_INCIDENT:
        days = it->t > 0 && s->now > it->t ? (s->now - it->t) / DAY : 0;
        if (days == 0)
            snprintf(out, cap, "%s", hub_tr(lang, "Reported today"));
        else
            snprintf(out, cap, "%s %lld", hub_tr(lang, "Days open:"),
                     (long long)days);
        break;
    default:
        snprintf(out, cap, "%s %s", hub_tr(lang, "Due on"), it->date);
        break;
    }
}

static void item_path(int k, const struct rm_item *it, char *out, size_t cap)
{
    static const char *const subjects[][2] = {
        {"person", "people"},
        {"device", "devices"},
        {"account", "accounts"},
        {"website", "websites"},
    };
    const char *seg = NULL;
    if (k == RK_STALE) {
        for (size_t i = 0; i < sizeof subjects / sizeof subjects[0]; i++) {
            if (strcmp(subjects[i][0], it->stype) == 0)
                seg = subjects[i][1];
        }
        if (seg != NULL)
            snprintf(out, cap, "/outlets/%lld/%s/%lld", (long long)it->outlet,
                     seg, (long long)it->sid);
        else
            snprintf(out, cap, "/outlets/%lld", (long long)it->outlet);
        return;
    }
    snprintf(out, cap, "/outlets/%lld/%s/%lld", (long long)it->outlet,
             kinds[k].list, (long long)it->id);
}

/* --- the panel --- */

static void panel_kind(struct hub_req *r, int k, const struct rm_set *s,
                       int64_t outlet)
{
    char path[URL_MAX], what[3 * KK_HUB_NAME_MAX], when[96];
    hub_rawf(r, "<div class=\"kk-attention-kind\" id=\"rem-%s\"><h3>",
             kinds[k].key);
    hub_t(r, kinds[k].heading);
    hub_rawf(r,
             " <span class=\"kk-badge\" data-count=\"%lld\">%lld</span>"
             "</h3><ul>",
             (long long)s->count[k], (long long)s->count[k]);
    for (size_t i = 0; i < s->n[k]; i++) {
        const struct rm_item *it = &s->v[k][i];
        item_path(k, it, path, sizeof path);
        item_what(r, k, it, r->lang, what, sizeof what);
        item_when(k, it, s, r->lang, when, sizeof when);
        hub_raw(r, "<li><a href=\"");
        hub_esc(r, path);
        hub_raw(r, "\">");
        if (outlet == 0) {
            hub_esc(r, it->outlet_name);
            hub_raw(r, ": ");
        }
        hub_esc(r, what);
        hub_raw(r, "</a> <span class=\"kk-muted\">");
        hub_esc(r, when);
        hub_raw(r, "</span></li>");
    }
    hub_raw(r, "</ul>");
    if (s->count[k] > (int64_t)s->n[k]) {
        hub_raw(r, "<p class=\"kk-muted\">");
        hub_t(r, "Not listed here:");
        hub_rawf(r, " %lld", (long long)(s->count[k] - (int64_t)s->n[k]));
        if (outlet != 0 && kinds[k].list != NULL) {
            hub_rawf(r, " &#183; <a href=\"/outlets/%lld/%s\">",
                     (long long)outlet, kinds[k].list);
            hub_t(r, "See all");
            hub_raw(r, "</a>");
        }
        hub_raw(r, "</p>");
    }
    hub_raw(r, "</div>");
}

void hub_reminders_panel(struct hub_req *r, int64_t outlet)
{
    struct rm_set s;
    /* Kept until the data changes or the minute turns (an observation
     * whose time runs out shows within a minute). */
    uint64_t gen = hub_data_generation(r->db) * UINT64_C(1000003) +
                   (uint64_t)(hub_now() / 60);
    size_t from = kk_buf_len(r->out);
    int err;
    if (hub_frag_emit(r, "remind", outlet, gen))
        return;
    err = set_load(r, outlet, PANEL_ITEMS, &s);
    if (err != KK_OK) {
        /* The page goes on without its reminders; say so in the log. */
        kk_log(KK_LOG_WARN, "reminders: cannot read them: %s",
               kk_strerror(err));
        return;
    }
    if (set_total(&s) > 0) {
        hub_raw(r, "<section class=\"kk-attention\" id=\"reminders\" "
                   "aria-labelledby=\"reminders-h\"><h2 id=\"reminders-h\">");
        hub_t(r, "Needs attention");
        hub_raw(r, "</h2>");
        for (int k = 0; k < RK_COUNT; k++) {
            if (s.count[k] > 0)
                panel_kind(r, k, &s, outlet);
        }
        hub_site_alerts_panel(r, s.site, outlet);
        hub_raw(r, "</section>");
    }
    set_free(&s);
    hub_frag_store(r, "remind", outlet, gen, from);
}

/* --- the API --- */

static void json_kind(struct hub_req *r, struct hub_jw *w, int k,
                      const struct rm_set *s)
{
    char what[3 * KK_HUB_NAME_MAX], subject[2 * KK_HUB_NAME_MAX + 2];
    char t[32];
    hub_jw_key(w, kinds[k].key);
    hub_jw_obj(w);
    hub_jw_int(w, "count", s->count[k]);
    hub_jw_key(w, "items");
    hub_jw_arr(w);
    for (size_t i = 0; i < s->n[k]; i++) {
        const struct rm_item *it = &s->v[k][i];
        hub_jw_key(w, NULL);
        hub_jw_obj(w);
        if (k == RK_STALE) {
            hub_jw_int(w, "seq", it->id);
        } else {
            hub_jw_int(w, "id", it->id);
        }
        hub_jw_int(w, "outlet_id", it->outlet);
        hub_jw_str(w, "outlet", it->outlet_name);
        switch (k) {
        case RK_STALE:
            subject_words(r, it, r->lang, subject, sizeof subject);
            hub_jw_str(w, "subject_type", it->stype);
            hub_jw_int(w, "subject_id", it->sid);
            hub_jw_str(w, "subject", subject);
            hub_jw_str(w, "control_id", it->text);
            item_what(r, k, it, r->lang, what, sizeof what);
            hub_jw_str(w, "what", what);
            hub_training_jw_time(w, "expires_at", it->t);
            break;
        case RK_LICENCE:
            hub_jw_str(w, "product", it->text);
            hub_jw_str(w, "expires", it->date);
            hub_jw_bool(w, "lapsed", strcmp(it->date, s->today) < 0);
            break;
        case RK_INCIDENT:
            hub_jw_str(w, "type", it->text);
            hub_jw_str(w, "status", it->status);
            if (kk_format_time(it->t, t, sizeof t) == KK_OK)
                hub_jw_str(w, "reported_at", t);
            hub_jw_int(w, "days_open",
                       s->now > it->t ? (s->now - it->t) / DAY : 0);
            break;
        default:
            hub_jw_str(w, "title", it->text);
            hub_jw_str(w, "due", it->date);
            break;
        }
        hub_jw_close(w, '}');
    }
    hub_jw_close(w, ']');
    hub_jw_close(w, '}');
}

static int outlet_visible(struct hub_req *r, int64_t id)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_OUTLET_GET);
    int err = KK_ERR_NOTFOUND;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":id", id);
    if (sqlite3_step(st) == SQLITE_ROW)
        err = KK_OK;
    sqlite3_reset(st);
    return err;
}

static int api_reminders(struct hub_req *r)
{
    struct rm_set s;
    struct hub_jw w;
    int64_t outlet = r->n_params > 0 ? r->param[0] : 0;
    int err = outlet != 0 ? outlet_visible(r, outlet) : KK_OK;
    if (err == KK_OK)
        err = set_load(r, outlet, API_ITEMS, &s);
    if (err != KK_OK)
        return err;
    hub_jw_begin(&w, r);
    hub_jw_str(&w, "today", s.today);
    for (int k = 0; k < RK_COUNT; k++)
        json_kind(r, &w, k, &s);
    hub_site_alerts_json(r, &w, s.site);
    hub_jw_end(&w);
    set_free(&s);
    return KK_OK;
}

const struct hub_route hub_routes_remind[] = {
    {HUB_GET, "/api/v1/reminders", HUB_R_API, HUB_ROLES_MANAGE, api_reminders},
    {HUB_GET, "/api/v1/outlets/{id}/reminders", HUB_R_API, HUB_ROLES_MANAGE,
     api_reminders},
    {0, NULL, 0, 0, NULL},
};

/* --- the e-mail --- */

struct mailer {
    struct hub_conn *c;
    const char *smtp, *from, *base_url;
    bool dry_run;
    int timeout_ms;
    int cancel_fd;
    int64_t now;
    char day[11];
};

/* A request standing for user u, to run scoped statements as them. */
static void as_user(struct hub_req *r, struct hub_conn *c,
                    const struct hub_remind_user *u, int64_t person)
{
    memset(r, 0, sizeof *r);
    r->db = c;
    r->who.user_id = u->id;
    r->who.role = hub_role_from_name(u->role);
    r->who.person_id = person;
    r->lang = hub_lang_from_code(u->lang);
    if (r->lang < 0)
        r->lang = HUB_LANG_EN;
}

static int put_line(struct kk_buf *b, const char *a, const char *bb)
{
    int err = kk_buf_puts(b, a);
    if (err == KK_OK && bb != NULL)
        err = kk_buf_puts(b, bb);
    if (err == KK_OK)
        err = kk_buf_putc(b, '\n');
    return err;
}

/* Writes the body of a user's e-mail in lang. */
static int mail_body(struct hub_req *r, const struct mailer *m,
                     const struct rm_set *s, struct kk_buf *b)
{
    char what[3 * KK_HUB_NAME_MAX], when[96], path[URL_MAX];
    int lang = r->lang;
    int err = put_line(b, hub_tr(lang, "Hello,"), NULL);
    if (err == KK_OK)
        err = kk_buf_putc(b, '\n');
    if (err == KK_OK)
        err = put_line(b,
                       hub_tr(lang, "This is the daily reminder from Kalkan: "
                                    "what needs attention in the outlets you "
                                    "work with."),
                       NULL);
    for (int k = 0; k < RK_COUNT && err == KK_OK; k++) {
        if (s->count[k] == 0)
            continue;
        err = kk_buf_putf(b, "\n%s (%lld)\n", hub_tr(lang, kinds[k].heading),
                          (long long)s->count[k]);
        for (size_t i = 0; i < s->n[k] && err == KK_OK; i++) {
            const struct rm_item *it = &s->v[k][i];
            item_what(r, k, it, lang, what, sizeof what);
            item_when(k, it, s, lang, when, sizeof when);
            item_path(k, it, path, sizeof path);
            err = kk_buf_putf(b, "- %s: %s (%s)\n  %s%s\n", it->outlet_name,
                              what, when, m->base_url, path);
        }
        if (err == KK_OK && s->count[k] > (int64_t)s->n[k])
            err =
                kk_buf_putf(b, "  %s %lld\n", hub_tr(lang, "Not listed here:"),
                            (long long)(s->count[k] - (int64_t)s->n[k]));
    }
    if (err == KK_OK)
        err = hub_site_alerts_mail(s->site, lang, m->base_url, b);
    if (err == KK_OK)
        err = kk_buf_putf(b, "\n%s %s/\n\n", hub_tr(lang, "Open Kalkan:"),
                          m->base_url);
    if (err == KK_OK)
        err = put_line(b,
                       hub_tr(lang, "You get this e-mail at most once a day "
                                    "because you are a trainer, an assistant "
                                    "trainer or a focal point in Kalkan."),
                       NULL);
    return err;
}

/* Records what was sent (after the relay took it). */
static int mail_record(struct hub_req *r, const struct mailer *m,
                       const struct rm_set *s)
{
    int err = hub_tx_begin(m->c);
    if (err != KK_OK)
        return err;
    for (int k = -1; k < RK_COUNT && err == KK_OK; k++) {
        size_t n = k < 0 ? 1 : s->n[k];
        for (size_t i = 0; i < n && err == KK_OK; i++) {
            sqlite3_stmt *st = hub_q(m->c, HUB_Q_RM_SENT_ADD);
            if (st == NULL) {
                err = KK_ERR_IO;
                break;
            }
            hub_bind_text(st, ":kind", k < 0 ? "mail" : kinds[k].kind);
            hub_bind_i64(st, ":object", k < 0 ? 0 : s->v[k][i].id);
            hub_bind_i64(st, ":user", r->who.user_id);
            hub_bind_text(st, ":day", m->day);
            hub_bind_i64(st, ":now", m->now);
            err = hub_exec(st);
            if (err == KK_OK && (k == RK_OVERDUE || k == RK_SOON)) {
                st = hub_scoped(r, HUB_Q_RM_TASK_REMINDED);
                if (st == NULL) {
                    err = KK_ERR_IO;
                    break;
                }
                hub_bind_i64(st, ":id", s->v[k][i].id);
                hub_bind_i64(st, ":now", m->now);
                err = hub_exec(st);
            }
        }
    }
    if (err == KK_OK)
        err = hub_tx_commit(m->c);
    else
        hub_tx_rollback(m->c);
    return err;
}

static bool mailed_today(const struct mailer *m, int64_t user)
{
    sqlite3_stmt *st = hub_q(m->c, HUB_Q_RM_MAILED);
    bool yes = false;
    if (st == NULL)
        return false;
    hub_bind_i64(st, ":user", user);
    hub_bind_text(st, ":day", m->day);
    yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return yes;
}

static char *dup_text(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* One user's e-mail: compose, send, record.  *dead is set when the relay
 * cannot be reached (the rest of the round is not tried). */
static int mail_user(const struct mailer *m, struct hub_remind_user *u,
                     int64_t person, bool *dead)
{
    struct hub_req r;
    struct rm_set s;
    struct kk_buf *body = NULL;
    struct kk_diag d;
    char subject[160];
    int err;
    kk_diag_clear(&d);
    if (!m->dry_run && mailed_today(m, u->id)) {
        u->status = HUB_REMIND_ALREADY;
        return KK_OK;
    }
    as_user(&r, m->c, u, person);
    err = set_load(&r, 0, MAIL_ITEMS, &s);
    if (err != KK_OK) {
        u->status = HUB_REMIND_FAILED;
        snprintf(u->error, sizeof u->error, "cannot read the reminders: %s",
                 kk_strerror(err));
        return err;
    }
    u->items = (size_t)set_total(&s);
    if (u->items == 0) {
        u->status = HUB_REMIND_NOTHING;
        goto out;
    }
    snprintf(subject, sizeof subject, "%s (%zu)",
             hub_tr(r.lang, "Kalkan: what needs attention"), u->items);
    body = kk_buf_new(HUB_MAIL_BODY_MAX);
    err = body != NULL ? mail_body(&r, m, &s, body) : KK_ERR_NOMEM;
    if (err == KK_OK) {
        u->subject = dup_text(subject, strlen(subject));
        u->body = dup_text(kk_buf_str(body), kk_buf_len(body));
        if (u->subject == NULL || u->body == NULL)
            err = KK_ERR_NOMEM;
    }
    if (err != KK_OK) {
        u->status = HUB_REMIND_FAILED;
        snprintf(u->error, sizeof u->error, "cannot write the e-mail: %s",
                 kk_strerror(err));
        goto out;
    }
    if (m->dry_run) {
        u->status = HUB_REMIND_DRY;
        goto out;
    }
    if (*dead) {
        err = KK_ERR_SYSTEM;
        u->status = HUB_REMIND_FAILED;
        snprintf(u->error, sizeof u->error,
                 "not sent: the relay could not be reached");
        goto out;
    }
    {
        struct hub_mail mail = {m->from, u->email, u->subject, u->body};
        struct hub_smtp_opts o = {m->smtp, NULL, m->timeout_ms, m->cancel_fd};
        err = hub_smtp_send(&o, &mail, &d);
    }
    if (err == KK_OK) {
        err = mail_record(&r, m, &s);
        if (err != KK_OK)
            snprintf(u->error, sizeof u->error,
                     "sent, but not recorded (%s): it may go again",
                     kk_strerror(err));
        u->status = HUB_REMIND_SENT;
        err = KK_OK;
    } else {
        u->status = HUB_REMIND_FAILED;
        snprintf(u->error, sizeof u->error, "%s", d.msg);
        *dead =
            err == KK_ERR_SYSTEM || err == KK_ERR_TIMEOUT || err == KK_ERR_IO;
    }
out:
    kk_buf_free(body);
    set_free(&s);
    return err;
}

static int users_load(const struct mailer *m, struct hub_remind_report *rep,
                      int64_t **persons)
{
    sqlite3_stmt *st = hub_q(m->c, HUB_Q_RM_USERS);
    size_t cap = 0;
    int rc = SQLITE_DONE, err = KK_OK;
    *persons = NULL;
    if (st == NULL)
        return KK_ERR_IO;
    while (err == KK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct hub_remind_user *u;
        if (rep->n == cap) {
            size_t nc = cap == 0 ? 16 : cap * 2;
            struct hub_remind_user *nv =
                reallocarray(rep->users, nc, sizeof *nv);
            int64_t *np = reallocarray(*persons, nc, sizeof *np);
            if (nv != NULL)
                rep->users = nv;
            if (np != NULL)
                *persons = np;
            if (nv == NULL || np == NULL) {
                err = KK_ERR_NOMEM;
                break;
            }
            cap = nc;
        }
        u = &rep->users[rep->n];
        memset(u, 0, sizeof *u);
        u->id = sqlite3_column_int64(st, 0);
        snprintf(u->email, sizeof u->email, "%s", hub_col_text(st, 1));
        snprintf(u->role, sizeof u->role, "%s", hub_col_text(st, 2));
        snprintf(u->lang, sizeof u->lang, "%s", hub_col_text(st, 3));
        (*persons)[rep->n] = sqlite3_column_int64(st, 4);
        rep->n++;
    }
    sqlite3_reset(st);
    if (err == KK_OK && rc != SQLITE_DONE)
        err = hub_sql_err(rc);
    return err;
}

/* One round: every user's e-mail of the day. */
static int round_run(const struct mailer *m, struct hub_remind_report *rep,
                     struct kk_diag *d)
{
    int64_t *persons = NULL;
    bool dead = false;
    int err, first = KK_OK;
    memset(rep, 0, sizeof *rep);
    snprintf(rep->day, sizeof rep->day, "%s", m->day);
    err = users_load(m, rep, &persons);
    for (size_t i = 0; i < rep->n && err == KK_OK; i++) {
        struct hub_remind_user *u = &rep->users[i];
        int e = mail_user(m, u, persons[i], &dead);
        if (e != KK_OK && first == KK_OK) {
            first = e;
            kk_diag_set(d, "%s: %s", u->email, u->error);
        }
        rep->sent += u->status == HUB_REMIND_SENT;
        rep->nothing += u->status == HUB_REMIND_NOTHING;
        rep->already += u->status == HUB_REMIND_ALREADY;
        rep->dry += u->status == HUB_REMIND_DRY;
        rep->failed += u->status == HUB_REMIND_FAILED;
    }
    free(persons);
    if (err != KK_OK)
        kk_diag_set(d, "cannot read the users: %s", kk_strerror(err));
    return err != KK_OK ? err : first;
}

static void mailer_init(struct mailer *m, struct hub_conn *c, const char *smtp,
                        const char *from, const char *base_url)
{
    memset(m, 0, sizeof *m);
    m->c = c;
    m->smtp = smtp;
    m->from = from;
    m->base_url = base_url != NULL ? base_url : "";
    m->cancel_fd = -1;
    m->now = hub_now();
    day_of(m->now, m->day, sizeof m->day);
}

int hub_remind_run(struct hub_db *db, const struct hub_remind_opts *o,
                   struct hub_remind_report *rep, struct kk_diag *d)
{
    struct hub_conn *c = NULL;
    struct mailer m;
    int err = KK_ERR_INVAL;
    if (rep == NULL)
        return KK_ERR_INVAL;
    memset(rep, 0, sizeof *rep);
    if (db == NULL || o == NULL || o->mail_from == NULL ||
        !hub_mail_addr_ok(o->mail_from) || (!o->dry_run && o->smtp == NULL)) {
        kk_diag_set(d, "a relay (HOST:PORT) and a valid sender address are "
                       "needed");
        return err;
    }
    err = hub_conn_get(db, &c);
    if (err != KK_OK) {
        kk_diag_set(d, "cannot open the database: %s", kk_strerror(err));
        return err;
    }
    mailer_init(&m, c, o->smtp, o->mail_from, o->base_url);
    m.dry_run = o->dry_run;
    m.timeout_ms = o->timeout_ms;
    return round_run(&m, rep, d);
}

void hub_remind_report_free(struct hub_remind_report *rep)
{
    if (rep == NULL)
        return;
    for (size_t i = 0; i < rep->n; i++) {
        free(rep->users[i].subject);
        free(rep->users[i].body);
    }
    free(rep->users);
    memset(rep, 0, sizeof *rep);
}

const char *hub_remind_status_name(int status)
{
    static const char *const names[] = {
        NULL, "sent", "nothing", "already", "dry_run", "failed",
    };
    return status > 0 && (size_t)status < sizeof names / sizeof names[0]
               ? names[status]
               : NULL;
}

/* --- housekeeping --- */

struct hub_housekeeping {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    int cancel[2]; /* written at stop: a send in progress gives up */
    struct hub_db *db;
    struct hub_site_worker *site; /* runs website checks (site_worker.c) */
    char *smtp, *from, *base_url;
};

static void hk_round(struct hub_housekeeping *h)
{
    struct hub_conn *c = NULL;
    struct hub_remind_report rep;
    struct kk_diag d;
    struct mailer m;
    int64_t deleted = 0;
    int err = hub_conn_get(h->db, &c);
    kk_diag_clear(&d);
    if (err != KK_OK) {
        kk_log(KK_LOG_WARN, "housekeeping: no database connection: %s",
               kk_strerror(err));
        return;
    }
    err = hub_selection_purge(c, hub_now(), &deleted);
    if (err != KK_OK)
        kk_log(KK_LOG_WARN, "housekeeping: cannot purge applications: %s",
               kk_strerror(err));
    if (h->smtp == NULL)
        return;
    mailer_init(&m, c, h->smtp, h->from, h->base_url);
    m.cancel_fd = h->cancel[0];
    err = round_run(&m, &rep, &d);
    if (err != KK_OK)
        kk_log(KK_LOG_WARN,
               "reminders: %zu e-mail(s) not sent (%s); trying again in %d "
               "minutes",
               rep.failed, d.msg, HK_INTERVAL / 60);
    hub_remind_report_free(&rep);
}

static void *hk_main(void *arg)
{
    struct hub_housekeeping *h = arg;
    pthread_mutex_lock(&h->mu);
    while (!h->stop) {
        struct timespec until;
        pthread_mutex_unlock(&h->mu);
        hk_round(h);
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += HK_INTERVAL;
        pthread_mutex_lock(&h->mu);
        while (!h->stop &&
               pthread_cond_timedwait(&h->cv, &h->mu, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

static char *dup_opt(const char *s, bool *failed)
{
    char *p = NULL;
    if (s != NULL) {
        p = strdup(s);
        *failed = *failed || p == NULL;
    }
    return p;
}

static void hk_free(struct hub_housekeeping *h)
{
    if (h->cancel[0] >= 0)
        close(h->cancel[0]);
    if (h->cancel[1] >= 0)
        close(h->cancel[1]);
    free(h->smtp);
    free(h->from);
    free(h->base_url);
    free(h);
}

int hub_housekeeping_start(struct hub_db *db,
                           const struct hub_server_opts *opts,
                           struct hub_housekeeping **out, struct kk_diag *d)
{
    struct hub_housekeeping *h = NULL;
    struct hub_site_worker *site = NULL;
    pthread_condattr_t ca;
    bool nomem = false, cond = false, mutex = false;
    int err;
    *out = NULL;
    /* The standard curriculum is data: a broken file stops the start. */
    err = hub_curriculum_init(d);
    if (err != KK_OK)
        return err;
    if (opts->smtp != NULL &&
        (opts->mail_from == NULL || !hub_mail_addr_ok(opts->mail_from))) {
        kk_diag_set(d, "--mail-from is not an e-mail address");
        return KK_ERR_INVAL;
    }
    err = hub_site_worker_start(db, opts, &site, d);
    if (err != KK_OK)
        return err;
    h = calloc(1, sizeof *h);
    if (h == NULL) {
        hub_site_worker_stop(site);
        return KK_ERR_NOMEM;
    }
    h->site = site;
    h->cancel[0] = h->cancel[1] = -1;
    h->db = db;
    h->smtp = dup_opt(opts->smtp, &nomem);
    h->from = dup_opt(opts->mail_from, &nomem);
    h->base_url = dup_opt(opts->base_url, &nomem);
    err = KK_ERR_NOMEM;
    if (nomem)
        goto out;
    err = KK_ERR_SYSTEM;
    if (pipe2(h->cancel, O_CLOEXEC | O_NONBLOCK) != 0) {
        h->cancel[0] = h->cancel[1] = -1;
        goto out;
    }
    if (pthread_mutex_init(&h->mu, NULL) != 0)
        goto out;
    mutex = true;
    if (pthread_condattr_init(&ca) != 0)
        goto out;
    if (pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
        pthread_cond_init(&h->cv, &ca) == 0)
        cond = true;
    pthread_condattr_destroy(&ca);
    if (!cond || pthread_create(&h->th, NULL, hk_main, h) != 0)
        goto out;
    *out = h;
    h = NULL;
    err = KK_OK;
out:
    if (h != NULL) {
        kk_diag_set(d, "cannot start the housekeeping thread");
        if (cond)
            pthread_cond_destroy(&h->cv);
        if (mutex)
            pthread_mutex_destroy(&h->mu);
        hub_site_worker_stop(h->site);
        hk_free(h);
    }
    return err;
}

void hub_housekeeping_stop(struct hub_housekeeping *h)
{
    if (h == NULL)
        return;
    pthread_mutex_lock(&h->mu);
    h->stop = true;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
    if (write(h->cancel[1], "x", 1) < 0) {
        /* A full pipe is already readable: the send gives up anyway. */
    }
    pthread_join(h->th, NULL);
    hub_site_worker_stop(h->site);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    hk_free(h);
}
