/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * site_remind.c - what needs attention about the outlets' websites, for
 * the "needs attention" panel, the reminders API and the daily e-mail
 * (remind.c calls these): a grade that dropped at the latest check,
 * findings above low that the check before did not have, a certificate
 * that ends within 21 days (or has ended), the last two checks failed.
 *
 * One scoped statement reads, for every live website in the caller's
 * scope, the facts of its latest checks (sql_site.h); the rules that turn
 * them into reminders are hub_site_alert_flags (site_checks.c), a pure
 * function the unit tests check.  A reminder lasts until the next check
 * says otherwise: a daily check clears a grade drop the day after unless
 * the grade drops again.  The e-mail runs the same statement as its
 * reader, so it holds nothing their pages would not show them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "programme.h"
#include "site_hub.h"

#define DAY INT64_C(86400)
#define URL_MAX 200

struct alert {
    int64_t website, outlet, check;
    char outlet_name[KK_HUB_NAME_MAX + 1];
    char url[KK_HUB_NAME_MAX + 1];
    unsigned flags;
    char grade[4], before[4];
    int64_t added, cert_expiry;
};

struct hub_site_alerts {
    struct alert *v;
    size_t n, cap;
    int64_t count;
    int64_t now;
};

int hub_site_alerts_load(struct hub_req *r, int64_t outlet, size_t limit,
                         struct hub_site_alerts **out)
{
    struct hub_site_alerts *a = calloc(1, sizeof *a);
    sqlite3_stmt *st = NULL;
    int rc = SQLITE_DONE, err = KK_OK;
    *out = NULL;
    if (a == NULL) {
        err = KK_ERR_NOMEM;
        goto out;
    }
    a->now = hub_now();
    a->cap = limit;
    a->v = limit > 0 ? calloc(limit, sizeof *a->v) : NULL;
    st = hub_scoped(r, HUB_Q_SITE_ALERTS);
    if ((limit > 0 && a->v == NULL) || st == NULL) {
        err = st == NULL ? KK_ERR_IO : KK_ERR_NOMEM;
        goto out;
    }
    hub_bind_i64(st, ":outlet", outlet);
    for (rc = sqlite3_step(st); rc == SQLITE_ROW; rc = sqlite3_step(st)) {
        struct hub_site_alert_in in;
        struct alert *x;
        unsigned f;
        memset(&in, 0, sizeof in);
        in.latest_status = hub_col_text(st, 5);
        in.before_status = hub_col_text(st, 6);
        in.latest_is_done =
            sqlite3_column_int64(st, 7) != 0 &&
            sqlite3_column_int64(st, 7) == sqlite3_column_int64(st, 4);
        in.grade = hub_col_text(st, 8);
        in.before_grade = hub_col_text(st, 11);
        in.added = sqlite3_column_int64(st, 12);
        in.cert_expiry = sqlite3_column_int64(st, 10);
        f = hub_site_alert_flags(&in, a->now);
        a->count += f != 0;
        if (f == 0 || a->n >= a->cap)
            continue;
        x = &a->v[a->n++];
        x->website = sqlite3_column_int64(st, 0);
        x->outlet = sqlite3_column_int64(st, 1);
        snprintf(x->outlet_name, sizeof x->outlet_name, "%s",
                 hub_col_text(st, 2));
        snprintf(x->url, sizeof x->url, "%s", hub_col_text(st, 3));
        x->check = sqlite3_column_int64(st, 4);
        x->flags = f;
        snprintf(x->grade, sizeof x->grade, "%s", in.grade);
        snprintf(x->before, sizeof x->before, "%s", in.before_grade);
        x->added = in.added;
        x->cert_expiry = in.cert_expiry;
    }
    if (rc != SQLITE_DONE)
        err = hub_sql_err(rc);
out:
    if (st != NULL)
        sqlite3_reset(st);
    if (err == KK_OK)
        *out = a;
    else
        hub_site_alerts_free(a);
    return err;
}

void hub_site_alerts_free(struct hub_site_alerts *a)
{
    if (a != NULL)
        free(a->v);
    free(a);
}

int64_t hub_site_alerts_count(const struct hub_site_alerts *a)
{
    return a != NULL ? a->count : 0;
}

static void day_of(int64_t t, char *out, size_t cap)
{
    char ts[32];
    if (kk_format_time(t, ts, sizeof ts) != KK_OK)
        ts[0] = '\0';
    snprintf(out, cap, "%.10s", ts);
}

/* Why a website needs attention, in lang: the reasons joined by "; ". */
static void reasons(const struct alert *x, int64_t now, int lang, char *out,
                    size_t cap)
{
    char part[160], date[16];
    size_t at = 0;
    out[0] = '\0';
    for (unsigned bit = 1; bit <= HUB_SITE_ALERT_FAILED; bit <<= 1) {
        if (!(x->flags & bit))
            continue;
        switch (bit) {
        case HUB_SITE_ALERT_DROP:
            snprintf(part, sizeof part, "%s %s \xe2\x86\x92 %s",
                     hub_tr(lang, "Grade dropped:"), x->before, x->grade);
            break;
        case HUB_SITE_ALERT_NEW:
            snprintf(part, sizeof part, "%s %lld",
                     hub_tr(lang, "New findings above low:"),
                     (long long)x->added);
            break;
        case HUB_SITE_ALERT_CERT:
            day_of(x->cert_expiry, date, sizeof date);
            snprintf(part, sizeof part, "%s %s",
                     hub_tr(lang, x->cert_expiry < now
                                      ? "The certificate expired on"
                                      : "The certificate expires on"),
                     date);
            break;
        default:
            snprintf(part, sizeof part, "%s",
                     hub_tr(lang, "The last two checks failed"));
            break;
        }
        if (at + strlen(part) + 3 >= cap)
            break;
        snprintf(out + at, cap - at, "%s%s", at > 0 ? "; " : "", part);
        at = strlen(out);
    }
}

static void path_of(const struct alert *x, char *out, size_t cap)
{
    snprintf(out, cap, "/outlets/%lld/websites/%lld/checks",
             (long long)x->outlet, (long long)x->website);
}

static void panel_body(struct hub_req *r, const struct hub_site_alerts *a,
                       int64_t outlet)
{
    char path[URL_MAX], why[512];
    hub_raw(r, "<div class=\"kk-attention-kind\" id=\"rem-websites\"><h3>");
    hub_t(r, "Websites that need attention");
    hub_rawf(r,
             " <span class=\"kk-badge\" data-count=\"%lld\">%lld</span>"
             "</h3><ul>",
             (long long)a->count, (long long)a->count);
    for (size_t i = 0; i < a->n; i++) {
        const struct alert *x = &a->v[i];
        path_of(x, path, sizeof path);
        reasons(x, a->now, r->lang, why, sizeof why);
        hub_rawf(r, "<li data-flags=\"%u\"><a href=\"", x->flags);
        hub_esc(r, path);
        hub_raw(r, "\">");
        if (outlet == 0) {
            hub_esc(r, x->outlet_name);
            hub_raw(r, ": ");
        }
        hub_esc(r, x->url);
        hub_raw(r, "</a> <span class=\"kk-muted\">");
        hub_esc(r, why);
        hub_raw(r, "</span></li>");
    }
    hub_raw(r, "</ul>");
    if (a->count > (int64_t)a->n) {
        hub_raw(r, "<p class=\"kk-muted\">");
        hub_t(r, "Not listed here:");
        hub_rawf(r, " %lld</p>", (long long)(a->count - (int64_t)a->n));
    }
    hub_raw(r, "</div>");
}

void hub_site_alerts_panel(struct hub_req *r, const struct hub_site_alerts *a,
                           int64_t outlet)
{
    if (a != NULL && a->count > 0)
        panel_body(r, a, outlet);
}

static void jw_time(struct hub_jw *w, const char *key, int64_t t)
{
    char ts[32];
    if (t <= 0 || kk_format_time(t, ts, sizeof ts) != KK_OK)
        hub_jw_null(w, key);
    else
        hub_jw_str(w, key, ts);
}

void hub_site_alerts_json(struct hub_req *r, struct hub_jw *w,
                          const struct hub_site_alerts *a)
{
    char why[512];
    hub_jw_key(w, "websites");
    hub_jw_obj(w);
    hub_jw_int(w, "count", hub_site_alerts_count(a));
    hub_jw_key(w, "items");
    hub_jw_arr(w);
    for (size_t i = 0; a != NULL && i < a->n; i++) {
        const struct alert *x = &a->v[i];
        hub_jw_key(w, NULL);
        hub_jw_obj(w);
        hub_jw_int(w, "website_id", x->website);
        hub_jw_int(w, "outlet_id", x->outlet);
        hub_jw_str(w, "outlet", x->outlet_name);
        hub_jw_str(w, "url", x->url);
        hub_jw_int(w, "check_id", x->check);
        if (x->grade[0] != '\0')
            hub_jw_str(w, "grade", x->grade);
        else
            hub_jw_null(w, "grade");
        hub_jw_bool(w, "grade_dropped", x->flags & HUB_SITE_ALERT_DROP);
        if (x->flags & HUB_SITE_ALERT_DROP)
            hub_jw_str(w, "grade_before", x->before);
        else
            hub_jw_null(w, "grade_before");
        hub_jw_int(w, "new_findings",
                   x->flags & HUB_SITE_ALERT_NEW ? x->added : 0);
        hub_jw_bool(w, "cert_expiring", x->flags & HUB_SITE_ALERT_CERT);
        jw_time(w, "cert_expires_at", x->cert_expiry);
        hub_jw_bool(w, "failed_twice", x->flags & HUB_SITE_ALERT_FAILED);
        reasons(x, a->now, r->lang, why, sizeof why);
        hub_jw_str(w, "what", why);
        hub_jw_close(w, '}');
    }
    hub_jw_close(w, ']');
    hub_jw_close(w, '}');
}

int hub_site_alerts_mail(const struct hub_site_alerts *a, int lang,
                         const char *base_url, struct kk_buf *b)
{
    char path[URL_MAX], why[512];
    int err = KK_OK;
    if (a != NULL && a->count > 0)
        err = kk_buf_putf(b, "\n%s (%lld)\n",
                          hub_tr(lang, "Websites that need attention"),
                          (long long)a->count);
    for (size_t i = 0; a != NULL && i < a->n && err == KK_OK; i++) {
        const struct alert *x = &a->v[i];
        path_of(x, path, sizeof path);
        reasons(x, a->now, lang, why, sizeof why);
        err = kk_buf_putf(b, "- %s: %s (%s)\n  %s%s\n", x->outlet_name, x->url,
                          why, base_url != NULL ? base_url : "", path);
    }
    if (err == KK_OK && a != NULL && a->count > (int64_t)a->n)
        err = kk_buf_putf(b, "  %s %lld\n", hub_tr(lang, "Not listed here:"),
                          (long long)(a->count - (int64_t)a->n));
    return err;
}
