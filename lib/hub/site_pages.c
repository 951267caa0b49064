/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * site_pages.c - the website checks' pages and API: a website's checks
 * (the latest report, what changed since the check before, the grade
 * history, "Check now"), one check, the JSON twins, a report sent by a
 * server of the outlet, and what the register and the outlet's overview
 * show of them.
 *
 * Plain server-rendered HTML with no script, phone first: the grade and
 * the area scores are stat cards, each finding a list item whose
 * explanation and fix fold into a <details>, the history a small SVG
 * chart beside the table of the same numbers.  Finding texts come from
 * lib/site (site_text) in the reader's language; the evidence, sealed at
 * rest, is opened only for the page or answer that shows it.  Scope is in
 * every statement (sql_site.h): another outlet's website or check answers
 * exactly like a missing one.  "Check now" only queues: the checker's
 * thread (site_worker.c) runs the check, never the request's thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "guard_hub.h"
#include "i18n.h"
#include "model.h"
#include "programme.h"
#include "seal.h"
#include "site_hub.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define URL_MAX 200
#define HISTORY_ROWS 30
#define API_ROWS 500
#define EVIDENCE_CAP (KK_SITE_EVIDENCE_MAX * 4 + 64)
#define REPORT_CAP (4 * 1024 * 1024)
#define DAY INT64_C(86400)

/* --- what is read --- */

struct chk {
    int64_t id, outlet, website, n;
    char trigger[16], status[16];
    int64_t queued_at, started_at, checked_at;
    char failure[16], failure_detail[256];
    char grade[4];
    int score;
    int area[SITE_AREA_COUNT];
    char capped_by[HUB_SITE_CAPS_MAX * (HUB_SITE_ID_MAX + 4)];
    char best_fix[HUB_SITE_ID_MAX];
    char passed[4096];
    int64_t requests, handshakes, elapsed_ms, cert_expiry;
    char by[KK_HUB_NAME_MAX + 1];
    char url[KK_HUB_NAME_MAX + 1];
    struct kk_buf *report; /* opened on demand, else NULL */
};

struct fnd {
    char id[HUB_SITE_ID_MAX];
    int sev, area;
    char evidence[KK_SITE_EVIDENCE_MAX * 4 + 1];
};

struct fset {
    struct fnd *v;
    size_t n;
};

int hub_site_web_load(struct hub_req *r, int64_t outlet, int64_t id,
                      struct hub_site_web *w)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_SITE_WEBSITE);
    int rc, err = KK_ERR_NOTFOUND;
    memset(w, 0, sizeof *w);
    if (st == NULL) {
        err = KK_ERR_IO;
        goto out;
    }
    hub_bind_i64(st, ":id", id);
    hub_bind_i64(st, ":outlet", outlet);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        w->id = sqlite3_column_int64(st, 0);
        w->outlet = sqlite3_column_int64(st, 1);
        snprintf(w->url, sizeof w->url, "%s", hub_col_text(st, 2));
        w->archived =
            sqlite3_column_int(st, 3) != 0 || sqlite3_column_int(st, 5) != 0;
        snprintf(w->outlet_name, sizeof w->outlet_name, "%s",
                 hub_col_text(st, 4));
        err = KK_OK;
    } else if (rc != SQLITE_DONE) {
        err = hub_sql_err(rc);
    }
    sqlite3_reset(st);
out:
    return err;
}

static int col_score(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL
               ? -1
               : sqlite3_column_int(st, col);
}

/* Reads the row of a SITE_COLS statement; the sealed report is opened
 * into c->report when it is not NULL. */
static int chk_fill(struct hub_req *r, sqlite3_stmt *st, struct chk *c)
{
    struct kk_buf *rep = c->report;
    int err = KK_OK;
    memset(c, 0, sizeof *c);
    c->report = rep;
    c->id = sqlite3_column_int64(st, 0);
    c->outlet = sqlite3_column_int64(st, 1);
    c->website = sqlite3_column_int64(st, 2);
    c->n = sqlite3_column_int64(st, 3);
    snprintf(c->trigger, sizeof c->trigger, "%s", hub_col_text(st, 4));
    snprintf(c->status, sizeof c->status, "%s", hub_col_text(st, 5));
    c->queued_at = sqlite3_column_int64(st, 6);
    c->started_at = sqlite3_column_int64(st, 7);
    c->checked_at = sqlite3_column_int64(st, 8);
    snprintf(c->failure, sizeof c->failure, "%s", hub_col_text(st, 9));
    snprintf(c->failure_detail, sizeof c->failure_detail, "%s",
             hub_col_text(st, 10));
    snprintf(c->grade, sizeof c->grade, "%s", hub_col_text(st, 11));
    c->score = col_score(st, 12);
    for (int a = 0; a < SITE_AREA_COUNT; a++)
        c->area[a] = col_score(st, 13 + a);
    snprintf(c->capped_by, sizeof c->capped_by, "%s", hub_col_text(st, 18));
    snprintf(c->best_fix, sizeof c->best_fix, "%s", hub_col_text(st, 19));
    snprintf(c->passed, sizeof c->passed, "%s", hub_col_text(st, 20));
    c->requests = sqlite3_column_int64(st, 21);
    c->handshakes = sqlite3_column_int64(st, 22);
    c->elapsed_ms = sqlite3_column_int64(st, 23);
    c->cert_expiry = sqlite3_column_int64(st, 24);
    snprintf(c->by, sizeof c->by, "%s", hub_col_text(st, 26));
    snprintf(c->url, sizeof c->url, "%s", hub_col_text(st, 27));
    if (c->report != NULL) {
        err = hub_col_opened(r, st, 25, "site_checks.report", c->id, c->report);
        /* A report that does not open (another key, a moved value) is
         * answered as missing rather than hiding the check. */
        if (err == KK_ERR_CORRUPT) {
            kk_buf_reset(c->report);
            err = KK_OK;
        }
    }
    return err;
}

/* Reads the one row of st (bound) into c: KK_ERR_NOTFOUND when there is
 * none. */
static int chk_row(struct hub_req *r, sqlite3_stmt *st, struct chk *c)
{
    int rc = sqlite3_step(st), err = KK_ERR_NOTFOUND;
    if (rc == SQLITE_ROW)
        err = chk_fill(r, st, c);
    else if (rc != SQLITE_DONE)
        err = hub_sql_err(rc);
    sqlite3_reset(st);
    return err;
}

/* One check by id (website and outlet 0: any). */
static int chk_get(struct hub_req *r, int64_t outlet, int64_t website,
                   int64_t id, struct chk *c)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_SITE_GET);
    int err = KK_ERR_IO;
    if (st != NULL) {
        hub_bind_i64(st, ":id", id);
        hub_bind_i64(st, ":website", website);
        hub_bind_i64(st, ":outlet", outlet);
        err = chk_row(r, st, c);
    }
    return err;
}

/* The latest finished (done = false) or done check of a website;
 * KK_ERR_NOTFOUND when there is none. */
static int chk_latest(struct hub_req *r, int64_t website, bool done,
                      struct chk *c)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_SITE_LATEST);
    int err = KK_ERR_IO;
    if (st != NULL) {
        hub_bind_i64(st, ":website", website);
        hub_bind_i64(st, ":done", done ? 1 : 0);
        err = chk_row(r, st, c);
    }
    return err;
}

static void fset_free(struct fset *f)
{
    free(f->v);
    f->v = NULL;
    f->n = 0;
}

/* The findings of check id (evidence opened when open is set), worst
 * first, then by id. */
static int cmp_fnd(const void *a, const void *b)
{
    const struct fnd *x = a, *y = b;
    return x->sev != y->sev ? y->sev - x->sev : strcmp(x->id, y->id);
}

static int fset_load(struct hub_req *r, int64_t id, bool open, struct fset *f)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_SITE_FINDINGS);
    struct kk_buf *ev = open ? kk_buf_new(EVIDENCE_CAP) : NULL;
    int rc = SQLITE_DONE, err = KK_OK;
    f->n = 0;
    f->v = calloc(HUB_SITE_FINDINGS_MAX, sizeof *f->v);
    if (st == NULL || f->v == NULL || (open && ev == NULL)) {
        err = st == NULL ? KK_ERR_IO : KK_ERR_NOMEM;
        goto out;
    }
    hub_bind_i64(st, ":check", id);
    for (rc = sqlite3_step(st);
         err == KK_OK && f->n < HUB_SITE_FINDINGS_MAX && rc == SQLITE_ROW;
         rc = sqlite3_step(st)) {
        struct fnd *x = &f->v[f->n];
        snprintf(x->id, sizeof x->id, "%s", hub_col_text(st, 1));
        x->sev = hub_site_sev_from_name(hub_col_text(st, 2));
        x->area = hub_site_area_from_name(hub_col_text(st, 3));
        if (open) {
            int e = hub_col_opened(r, st, 4, "site_check_findings.evidence",
                                   sqlite3_column_int64(st, 0), ev);
            if (e == KK_OK)
                snprintf(x->evidence, sizeof x->evidence, "%s", kk_buf_str(ev));
            else if (e != KK_ERR_CORRUPT)
                err = e;
        }
        f->n++;
    }
    if (err == KK_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        err = hub_sql_err(rc);
    sqlite3_reset(st);
    if (err == KK_OK && f->n > 1)
        qsort(f->v, f->n, sizeof *f->v, cmp_fnd);
out:
    kk_buf_free(ev);
    if (err != KK_OK)
        fset_free(f);
    return err;
}

/* The done check before check id: *found false when none. */
struct prev {
    bool found;
    int64_t id, checked_at;
    char grade[4];
    struct fset f;
};

static int prev_load(struct hub_req *r, int64_t id, struct prev *p)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_SITE_PREVIOUS);
    int rc, err = KK_OK;
    memset(p, 0, sizeof *p);
    if (st == NULL) {
        err = KK_ERR_IO;
        goto out;
    }
    hub_bind_i64(st, ":id", id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        p->found = true;
        p->id = sqlite3_column_int64(st, 0);
        snprintf(p->grade, sizeof p->grade, "%s", hub_col_text(st, 1));
        p->checked_at = sqlite3_column_int64(st, 3);
    } else if (rc != SQLITE_DONE) {
        err = hub_sql_err(rc);
    }
    sqlite3_reset(st);
    if (err == KK_OK && p->found)
        err = fset_load(r, p->id, false, &p->f);
out:
    return err;
}

static void diff_of(const struct fset *cur, const char *cur_grade,
                    const struct prev *p, struct hub_site_diff *d)
{
    const char *a[HUB_SITE_FINDINGS_MAX], *b[HUB_SITE_FINDINGS_MAX];
    for (size_t i = 0; i < cur->n; i++)
        a[i] = cur->v[i].id;
    for (size_t i = 0; i < p->f.n; i++)
        b[i] = p->f.v[i].id;
    hub_site_diff_make(a, cur->n, cur_grade, b, p->f.n, p->grade, d);
}

/* --- words --- */

static const char *const area_labels[SITE_AREA_COUNT] = {
    "Certificate and encryption",
    "HTTPS and security headers",
    "Exposed files and CMS",
    "E-mail security",
    "DNS",
};

static const char *sev_label(int sev)
{
    static const char *const labels[] = {"Info", "Low", "Medium", "High",
                                         "Critical"};
    return sev >= 0 && sev < (int)NELEM(labels) ? labels[sev] : "Info";
}

static const char *sev_class(int sev)
{
    return sev >= SITE_SEV_HIGH     ? "kk-bad"
           : sev == SITE_SEV_MEDIUM ? "kk-partial"
                                    : "kk-unknown";
}

static const char *grade_class(const char *grade)
{
    int k = hub_site_grade_rank(grade);
    return k >= 5 ? "kk-ok" : k >= 3 ? "kk-partial" : "kk-bad";
}

static const char *label_of(const char *const (*tab)[2], size_t n,
                            const char *name)
{
    const char *label = NULL;
    for (size_t i = 0; i < n && label == NULL; i++) {
        if (strcmp(tab[i][0], name) == 0)
            label = tab[i][1];
    }
    return label;
}

static const char *const trigger_labels[][2] = {
    {"schedule", "Scheduled"},
    {"manual", "Check now"},
    {"api", "API"},
    {"upload", "Sent by a server of the outlet"},
};
static const char *const status_labels[][2] = {
    {"queued", "Queued"},
    {"running", "Running"},
    {"done", "Done"},
    {"failed", "Failed"},
};
static const char *const failure_labels[][2] = {
    {"dns", "The name does not resolve."},
    {"unreachable", "Nothing answers on the web ports."},
    {"blocked", "A firewall or anti-bot service refused the checker."},
    {"timeout", "The site did not answer in time."},
    {"error", "The check could not run."},
};

static void when(struct hub_req *r, int64_t t)
{
    char ts[32];
    if (t <= 0 || kk_format_time(t, ts, sizeof ts) != KK_OK) {
        hub_raw(r, "<span class=\"kk-muted\">&#8212;</span>");
    } else {
        ts[10] = ' ';
        ts[16] = '\0';
        hub_esc(r, ts);
        hub_raw(r, " UTC");
    }
}

static void day(int64_t t, char *out, size_t cap)
{
    char ts[32];
    if (t <= 0 || kk_format_time(t, ts, sizeof ts) != KK_OK)
        ts[0] = '\0';
    snprintf(out, cap, "%.10s", ts);
}

/* A finding's text in the reader's language; the id when there is none. */
static const char *ftext(struct hub_req *r, const char *id,
                         enum site_text_part part)
{
    const char *t = site_text(id, part, hub_lang_code(r->lang));
    return t != NULL ? t : (part == SITE_TEXT_TITLE ? id : "");
}

/* Text with its line breaks kept; lines that start with spaces (the
 * configuration lines of a fix) in <code>. */
static void lines(struct hub_req *r, const char *text)
{
    char line[1024];
    const char *p = text;
    bool first = true;
    while (*p != '\0' && r->err == KK_OK) {
        size_t n = strcspn(p, "\n");
        bool code = p[0] == ' ' || p[0] == '\t';
        snprintf(line, sizeof line, "%.*s",
                 (int)(n < sizeof line - 1 ? n : sizeof line - 1), p);
        if (!first)
            hub_raw(r, "<br>");
        first = false;
        if (code)
            hub_raw(r, "<code>");
        hub_esc(r, code ? line + strspn(line, " \t") : line);
        if (code)
            hub_raw(r, "</code>");
        p += n;
        if (*p == '\n')
            p++;
    }
}

static void checks_url(const struct hub_site_web *w, char *out, size_t cap)
{
    snprintf(out, cap, "/outlets/%lld/websites/%lld/checks",
             (long long)w->outlet, (long long)w->id);
}

/* --- the page --- */

static void flash(struct hub_req *r)
{
    static const char *const notes[][2] = {
        {"queued", "The check is queued. Reload this page in a minute to see "
                   "the result."},
        {"pending", "A check of this website is already queued or running."},
    };
    const char *done = hub_form_get(r->query, "done");
    for (size_t i = 0; done != NULL && i < NELEM(notes); i++) {
        if (strcmp(done, notes[i][0]) == 0) {
            hub_raw(r, "<p class=\"kk-flash\" role=\"status\" id=\"flash\">");
            hub_t(r, notes[i][1]);
            hub_raw(r, "</p>");
        }
    }
}

static void head(struct hub_req *r, const struct hub_site_web *w,
                 const char *title)
{
    char url[URL_MAX];
    hub_page_begin(r, title);
    hub_raw(r, "<p class=\"kk-crumbs\">");
    if (r->who.role == HUB_ROLE_TRAINER || r->who.role == HUB_ROLE_ASSISTANT) {
        hub_raw(r, "<a href=\"/outlets\">");
        hub_t(r, "Outlets");
        hub_raw(r, "</a> &#8250; ");
    }
    hub_rawf(r, "<a href=\"/outlets/%lld\">", (long long)w->outlet);
    hub_esc(r, w->outlet_name);
    hub_rawf(r, "</a> &#8250; <a href=\"/outlets/%lld/websites\">",
             (long long)w->outlet);
    hub_t(r, "Websites");
    hub_raw(r, "</a></p>");
    hub_outlet_tabs(r, w->outlet, "/websites");
    flash(r);
    snprintf(url, sizeof url, "/outlets/%lld/websites/%lld",
             (long long)w->outlet, (long long)w->id);
    hub_raw(r, "<p class=\"kk-sub\" id=\"site-url\"><a href=\"");
    hub_esc(r, url);
    hub_raw(r, "\">");
    hub_esc(r, w->url);
    hub_raw(r, "</a></p>");
}

/* The pending check, if any, and the "Check now" form. */
static int check_now(struct hub_req *r, const struct hub_site_web *w)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_SITE_PENDING);
    char url[URL_MAX];
    int64_t id = 0;
    char status[16] = "";
    int err = KK_OK;
    if (st == NULL) {
        err = KK_ERR_IO;
        goto out;
    }
    hub_bind_i64(st, ":website", w->id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        snprintf(status, sizeof status, "%s", hub_col_text(st, 1));
    }
    sqlite3_reset(st);
    hub_raw(r, "<section id=\"check-now\">");
    if (id != 0) {
        hub_rawf(r, "<p class=\"kk-notice\" id=\"pending\" data-status=\"%s\">",
                 strcmp(status, "running") == 0 ? "running" : "queued");
        hub_t(r, strcmp(status, "running") == 0
                     ? "A check of this website is running now."
                     : "A check of this website is queued.");
        hub_raw(r, "</p>");
    }
    if (w->archived) {
        hub_say(r, "p", "kk-warning",
                "This website is archived: it is no longer checked.");
    } else {
        checks_url(w, url, sizeof url);
        hub_raw(r, "<form method=\"post\" action=\"");
        hub_esc(r, url);
        hub_raw(r, "\" class=\"kk-actions\">");
        hub_csrf_field(r);
        hub_raw(r, "<p><button type=\"submit\">");
        hub_t(r, "Check now");
        hub_raw(r, "</button> <span class=\"kk-hint\">");
        hub_t(r, "The check takes up to a few minutes and runs on the hub, "
                 "from outside, as a visitor would.");
        hub_raw(r, "</span></p></form>");
    }
    hub_raw(r, "</section>");
out:
    return err;
}

static void stat_card(struct hub_req *r, const char *id, const char *label,
                      const char *value, const char *cls)
{
    hub_rawf(r, "<div class=\"kk-stat\" id=\"%s\"><dt class=\"kk-stat-label\">",
             id);
    hub_t(r, label);
    hub_rawf(r, "</dt><dd class=\"kk-stat-value%s%s\">", cls != NULL ? " " : "",
             cls != NULL ? cls : "");
    hub_esc(r, value);
    hub_raw(r, "</dd></div>");
}

static void cards(struct hub_req *r, const struct chk *c)
{
    static const char *const ids[SITE_AREA_COUNT] = {
        "area-tls", "area-headers", "area-exposure", "area-mail", "area-dns"};
    char v[16];
    hub_raw(r, "<dl class=\"kk-stats\" id=\"scores\">");
    stat_card(r, "grade", "Grade", c->grade, grade_class(c->grade));
    snprintf(v, sizeof v, "%d", c->score < 0 ? 0 : c->score);
    stat_card(r, "score", "Score (of 100)", v, NULL);
    for (int a = 0; a < SITE_AREA_COUNT; a++) {
        if (c->area[a] < 0)
            snprintf(v, sizeof v, "%s", "\xe2\x80\x94"); /* an em dash */
        else
            snprintf(v, sizeof v, "%d", c->area[a]);
        stat_card(r, ids[a], area_labels[a], v, NULL);
    }
    hub_raw(r, "</dl>");
}

static void caps(struct hub_req *r, const struct chk *c)
{
    const char *p = c->capped_by;
    bool any = false;
    while (*p != '\0') {
        char word[HUB_SITE_ID_MAX + 8], *eq;
        size_t k = strcspn(p, " ");
        snprintf(word, sizeof word, "%.*s", (int)(k < sizeof word ? k : 0), p);
        p += k;
        p += strspn(p, " ");
        eq = strchr(word, '=');
        if (eq == NULL)
            continue;
        *eq = '\0';
        if (!any)
            hub_raw(r, "<ul class=\"kk-hint\" id=\"caps\">");
        any = true;
        hub_raw(r, "<li>");
        hub_t(r, "The grade is capped at");
        hub_raw(r, " <strong>");
        hub_esc(r, eq + 1);
        hub_raw(r, "</strong>: ");
        hub_esc(r, ftext(r, word, SITE_TEXT_TITLE));
        hub_raw(r, "</li>");
    }
    if (any)
        hub_raw(r, "</ul>");
}

static void fix_first(struct hub_req *r, const struct chk *c)
{
    if (c->best_fix[0] != '\0') {
        hub_raw(r, "<section class=\"kk-fix\" id=\"fix-first\" data-id=\"");
        hub_esc(r, c->best_fix);
        hub_raw(r, "\"><h3>");
        hub_t(r, "Fix this first:");
        hub_raw(r, " ");
        hub_esc(r, ftext(r, c->best_fix, SITE_TEXT_TITLE));
        hub_raw(r, "</h3><p>");
        lines(r, ftext(r, c->best_fix, SITE_TEXT_FIX));
        hub_raw(r, "</p></section>");
    }
}

static void finding_item(struct hub_req *r, const struct fnd *f, bool isnew)
{
    hub_rawf(r, "<li class=\"%s\" data-id=\"", sev_class(f->sev));
    hub_esc(r, f->id);
    hub_rawf(r, "\" data-severity=\"%s\"><span class=\"kk-badge\">",
             site_sev_name((enum site_sev)(f->sev < 0 ? 0 : f->sev)));
    hub_t(r, sev_label(f->sev));
    hub_raw(r, "</span> <strong>");
    hub_esc(r, ftext(r, f->id, SITE_TEXT_TITLE));
    hub_raw(r, "</strong>");
    if (isnew) {
        hub_raw(r, " <span class=\"kk-tag\">");
        hub_t(r, "New");
        hub_raw(r, "</span>");
    }
    if (f->evidence[0] != '\0') {
        hub_raw(r, "<br><span class=\"kk-muted\">");
        hub_t(r, "Seen:");
        hub_raw(r, "</span> <code class=\"kk-evidence\">");
        hub_esc(r, f->evidence);
        hub_raw(r, "</code>");
    }
    hub_raw(r, "<details><summary>");
    hub_t(r, "Why it matters and how to fix it");
    hub_raw(r, "</summary><p>");
    lines(r, ftext(r, f->id, SITE_TEXT_DETAIL));
    hub_raw(r, "</p><div class=\"kk-fix\"><p>");
    lines(r, ftext(r, f->id, SITE_TEXT_FIX));
    hub_raw(r, "</p></div></details></li>");
}

static bool in_diff(const char *const *v, size_t n, const char *id)
{
    bool found = false;
    for (size_t i = 0; i < n && !found; i++)
        found = strcmp(v[i], id) == 0;
    return found;
}

/* <h3>heading</h3><ul id="ul_id"> with one item per finding id (its
 * title in the reader's language); li_attr is written into each <li>. */
static void id_list(struct hub_req *r, const char *heading, const char *ul_id,
                    const char *li_attr, const char *const *ids, size_t n)
{
    hub_raw(r, "<h3>");
    hub_t(r, heading);
    hub_rawf(r, "</h3><ul id=\"%s\">", ul_id);
    for (size_t i = 0; i < n; i++) {
        hub_rawf(r, "<li%s data-id=\"", li_attr);
        hub_esc(r, ids[i]);
        hub_raw(r, "\">");
        hub_esc(r, ftext(r, ids[i], SITE_TEXT_TITLE));
        hub_raw(r, "</li>");
    }
    hub_raw(r, "</ul>");
}

static void changes(struct hub_req *r, const struct chk *c,
                    const struct prev *p, const struct hub_site_diff *d)
{
    char date[16];
    hub_raw(r, "<section id=\"changes\"><h2>");
    hub_t(r, "Since the check before");
    hub_raw(r, "</h2>");
    if (!p->found) {
        hub_say(r, "p", "kk-muted", "This is the first check of this website.");
        goto out;
    }
    day(p->checked_at, date, sizeof date);
    hub_raw(r, "<p id=\"grade-change\" data-change=\"");
    hub_rawf(r, "%d\">", d->grade_change);
    hub_t(r, "Grade");
    hub_raw(r, ": ");
    hub_esc(r, p->grade);
    hub_rawf(r, " (%s) &#8594; ", date);
    hub_esc(r, c->grade);
    if (d->grade_change < 0) {
        hub_raw(r, " <span class=\"kk-bad\">");
        hub_t(r, "worse");
        hub_raw(r, "</span>");
    } else if (d->grade_change > 0) {
        hub_raw(r, " <span class=\"kk-ok\">");
        hub_t(r, "better");
        hub_raw(r, "</span>");
    }
    hub_raw(r, "</p>");
    if (d->n_added == 0 && d->n_fixed == 0)
        hub_say(r, "p", NULL, "The same findings as before.");
    if (d->n_added > 0)
        id_list(r, "New findings", "added", "", d->added, d->n_added);
    if (d->n_fixed > 0)
        id_list(r, "Fixed since", "fixed", " class=\"kk-ok\"", d->fixed,
                d->n_fixed);
out:
    hub_raw(r, "</section>");
}

static size_t words(const char *list)
{
    size_t n = 0;
    const char *p = list;
    while (*p != '\0') {
        size_t k = strcspn(p, " ");
        n += k > 0;
        p += k;
        p += strspn(p, " ");
    }
    return n;
}

static void failure_line(struct hub_req *r, const struct chk *c)
{
    const char *l = label_of(failure_labels, NELEM(failure_labels), c->failure);
    hub_raw(r, "<p class=\"kk-warning\" id=\"failure\" data-code=\"");
    hub_esc(r, c->failure);
    hub_raw(r, "\">");
    hub_t(r, "The check on");
    hub_raw(r, " ");
    when(r, c->checked_at);
    hub_raw(r, " ");
    hub_t(r, "could not look at the site:");
    hub_raw(r, " ");
    hub_t(r, l != NULL ? l : "The check could not run.");
    if (c->failure_detail[0] != '\0') {
        hub_raw(r, " <span class=\"kk-muted\">(");
        hub_esc(r, c->failure_detail);
        hub_raw(r, ")</span>");
    }
    hub_raw(r, "</p>");
}

/* The report of check c (done): cards, caps, fix first, changes,
 * findings. */
static int report(struct hub_req *r, const struct chk *c)
{
    struct fset f = {0};
    struct prev p;
    struct hub_site_diff d;
    const char *l = label_of(trigger_labels, NELEM(trigger_labels), c->trigger);
    int err = fset_load(r, c->id, true, &f);
    memset(&p, 0, sizeof p);
    if (err == KK_OK)
        err = prev_load(r, c->id, &p);
    if (err != KK_OK)
        goto out;
    diff_of(&f, c->grade, &p, &d);
    hub_rawf(r,
             "<section id=\"report\" data-check=\"%lld\"><p class=\"kk-meta\">",
             (long long)c->id);
    hub_t(r, "Checked on");
    hub_raw(r, " ");
    when(r, c->checked_at);
    hub_raw(r, " &#183; ");
    hub_t(r, l != NULL ? l : c->trigger);
    if (c->by[0] != '\0') {
        hub_raw(r, " &#183; ");
        hub_esc(r, c->by);
    }
    hub_raw(r, "</p>");
    cards(r, c);
    caps(r, c);
    fix_first(r, c);
    changes(r, c, &p, &d);
    hub_raw(r, "<h2>");
    hub_t(r, "Findings");
    hub_rawf(r, " <span class=\"kk-badge\">%zu</span></h2>", f.n);
    if (f.n == 0)
        hub_say(r, "p", "kk-empty", "Nothing was found.");
    hub_raw(r, "<ul class=\"kk-checklist\" id=\"findings\">");
    for (size_t i = 0; i < f.n; i++)
        finding_item(r, &f.v[i],
                     p.found && in_diff(d.added, d.n_added, f.v[i].id));
    hub_raw(r, "</ul><p class=\"kk-muted\" id=\"passed\">");
    hub_t(r, "Checks passed:");
    hub_rawf(r, " %zu &#183; ", words(c->passed));
    hub_t(r, "Requests:");
    hub_rawf(r, " %lld &#183; ", (long long)c->requests);
    hub_t(r, "TLS handshakes:");
    hub_rawf(r, " %lld</p></section>", (long long)c->handshakes);
out:
    fset_free(&f);
    fset_free(&p.f);
    return err;
}

/* One line of the history table. */
struct hrow {
    int64_t id, t;
    int score;
    char grade[4], status[16], trigger[16];
    int64_t above_low;
};

/* The latest HISTORY_ROWS checks of w into v, *n of them. */
static int history_load(struct hub_req *r, const struct hub_site_web *w,
                        struct hrow *v, size_t *n)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_SITE_LIST);
    int rc = SQLITE_DONE, err = KK_OK;
    *n = 0;
    if (st == NULL) {
        err = KK_ERR_IO;
        goto out;
    }
    hub_bind_i64(st, ":website", w->id);
    hub_bind_i64(st, ":limit", HISTORY_ROWS);
    for (rc = sqlite3_step(st); rc == SQLITE_ROW && *n < HISTORY_ROWS;
         rc = sqlite3_step(st)) {
        struct hrow *x = &v[(*n)++];
        x->id = sqlite3_column_int64(st, 0);
        snprintf(x->trigger, sizeof x->trigger, "%s", hub_col_text(st, 2));
        snprintf(x->status, sizeof x->status, "%s", hub_col_text(st, 3));
        x->t = sqlite3_column_int64(st, 5) != 0 ? sqlite3_column_int64(st, 5)
                                                : sqlite3_column_int64(st, 4);
        snprintf(x->grade, sizeof x->grade, "%s", hub_col_text(st, 7));
        x->score = col_score(st, 8);
        x->above_low = sqlite3_column_int64(st, 10);
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        err = hub_sql_err(rc);
    sqlite3_reset(st);
out:
    return err;
}

/* The chart of the done checks' scores, oldest first (two at least). */
static void history_chart(struct hub_req *r, const struct hrow *v, size_t n)
{
    int values[HISTORY_ROWS];
    char labels[HISTORY_ROWS][16];
    const char *xl[HISTORY_ROWS];
    struct hub_series s;
    size_t pts = 0;
    for (size_t i = n; i-- > 0;) {
        if (strcmp(v[i].status, "done") != 0 || v[i].score < 0)
            continue;
        values[pts] = v[i].score * 10;
        day(v[i].t, labels[pts], sizeof labels[pts]);
        /* "MM-DD" is enough under a chart of a few months. */
        memmove(labels[pts], labels[pts] + 5, 6);
        xl[pts] = labels[pts];
        pts++;
    }
    if (pts >= 2) {
        s.name = hub_tr_r(r, "Score");
        s.values = values;
        hub_raw(r, "<div class=\"kk-chart\">");
        if (r->err == KK_OK)
            r->err = hub_chart_line(
                r->out, hub_tr_r(r, "Score of each check"),
                hub_tr_r(r, "The score (of 100) of each check, oldest first"),
                &s, 1, xl, pts);
        hub_raw(r, "</div>");
    }
}

static void history_table(struct hub_req *r, const struct hub_site_web *w,
                          const struct hrow *v, size_t n)
{
    char url[URL_MAX];
    checks_url(w, url, sizeof url);
    hub_raw(r, "<div class=\"kk-table-wrap\" tabindex=\"0\" role=\"region\" "
               "aria-label=\"");
    hub_t(r, "History");
    hub_raw(r, "\"><table id=\"history-table\"><thead><tr><th scope=\"col\">");
    hub_t(r, "Date");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Grade");
    hub_raw(r, "</th><th scope=\"col\" class=\"kk-num\">");
    hub_t(r, "Score");
    hub_raw(r, "</th><th scope=\"col\" class=\"kk-num\">");
    hub_t(r, "Findings above low");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "How");
    hub_raw(r, "</th></tr></thead><tbody>");
    for (size_t i = 0; i < n; i++) {
        const char *tl =
            label_of(trigger_labels, NELEM(trigger_labels), v[i].trigger);
        const char *sl =
            label_of(status_labels, NELEM(status_labels), v[i].status);
        bool done = strcmp(v[i].status, "done") == 0;
        hub_rawf(r, "<tr data-check=\"%lld\" data-status=\"%s\"><td>",
                 (long long)v[i].id, sl != NULL ? v[i].status : "unknown");
        hub_rawf(r, "<a href=\"%s/%lld\">", url, (long long)v[i].id);
        when(r, v[i].t);
        hub_raw(r, "</a></td><td>");
        if (done) {
            hub_rawf(r, "<span class=\"%s\">", grade_class(v[i].grade));
            hub_esc(r, v[i].grade);
            hub_raw(r, "</span>");
        } else {
            hub_t(r, sl != NULL ? sl : v[i].status);
        }
        hub_raw(r, "</td><td class=\"kk-num\">");
        if (v[i].score >= 0)
            hub_rawf(r, "%d", v[i].score);
        hub_raw(r, "</td><td class=\"kk-num\">");
        if (done)
            hub_rawf(r, "%lld", (long long)v[i].above_low);
        hub_raw(r, "</td><td>");
        hub_t(r, tl != NULL ? tl : v[i].trigger);
        hub_raw(r, "</td></tr>");
    }
    hub_raw(r, "</tbody></table></div>");
}

/* The history: a chart of the scores and the table of every check. */
static int history(struct hub_req *r, const struct hub_site_web *w)
{
    struct hrow v[HISTORY_ROWS];
    size_t n = 0;
    int err = history_load(r, w, v, &n);
    if (err == KK_OK) {
        hub_raw(r, "<section id=\"history\"><h2>");
        hub_t(r, "History");
        hub_raw(r, "</h2>");
        if (n == 0)
            hub_say(r, "p", "kk-empty",
                    "This website has not been checked yet.");
        history_chart(r, v, n);
        if (n > 0)
            history_table(r, w, v, n);
        hub_raw(r, "</section>");
    }
    return err;
}

/* The latest finished check of w into latest and the latest done one
 * into done (the same when the latest is done); *have_* say which exist. */
static int latest_pair(struct hub_req *r, const struct hub_site_web *w,
                       struct chk *latest, bool *have_latest, struct chk *done,
                       bool *have_done)
{
    int err = chk_latest(r, w->id, false, latest);
    *have_latest = err == KK_OK;
    *have_done = false;
    if (err == KK_ERR_NOTFOUND)
        err = KK_OK;
    if (err == KK_OK && *have_latest && strcmp(latest->status, "done") == 0) {
        *done = *latest;
        *have_done = true;
    } else if (err == KK_OK && *have_latest) {
        err = chk_latest(r, w->id, true, done);
        *have_done = err == KK_OK;
        if (err == KK_ERR_NOTFOUND)
            err = KK_OK;
    }
    return err;
}

static int h_page(struct hub_req *r)
{
    struct hub_site_web w;
    struct chk latest, done;
    bool have_latest = false, have_done = false;
    int err = hub_site_web_load(r, r->param[0], r->param[1], &w);
    memset(&latest, 0, sizeof latest);
    memset(&done, 0, sizeof done);
    if (err == KK_OK)
        err = latest_pair(r, &w, &latest, &have_latest, &done, &have_done);
    if (err != KK_OK)
        goto out;
    head(r, &w, "Website checks");
    err = check_now(r, &w);
    if (err == KK_OK && have_latest && strcmp(latest.status, "failed") == 0)
        failure_line(r, &latest);
    if (err == KK_OK && !have_latest)
        hub_say(r, "p", "kk-empty", "This website has not been checked yet.");
    if (err == KK_OK && have_done) {
        hub_raw(r, "<h2>");
        hub_t(r, "Latest report");
        hub_raw(r, "</h2>");
        err = report(r, &done);
    }
    if (err == KK_OK)
        err = history(r, &w);
    if (err == KK_OK)
        hub_guard_section(r, w.outlet, w.id, w.archived);
    if (err == KK_OK)
        hub_page_end(r);
out:
    return err;
}

static void pending_line(struct hub_req *r, const char *status)
{
    bool running = strcmp(status, "running") == 0;
    hub_rawf(r, "<p class=\"kk-notice\" id=\"pending\" data-status=\"%s\">",
             running ? "running" : "queued");
    hub_t(r, running ? "A check of this website is running now."
                     : "A check of this website is queued.");
    hub_raw(r, "</p>");
}

static int h_check_page(struct hub_req *r)
{
    struct hub_site_web w;
    struct chk c;
    char url[URL_MAX];
    int err = hub_site_web_load(r, r->param[0], r->param[1], &w);
    memset(&c, 0, sizeof c);
    if (err == KK_OK)
        err = chk_get(r, w.outlet, w.id, r->param[2], &c);
    if (err != KK_OK)
        goto out;
    head(r, &w, "Website check");
    if (strcmp(c.status, "done") == 0)
        err = report(r, &c);
    else if (strcmp(c.status, "failed") == 0)
        failure_line(r, &c);
    else
        pending_line(r, c.status);
    checks_url(&w, url, sizeof url);
    hub_raw(r, "<p><a href=\"");
    hub_esc(r, url);
    hub_raw(r, "\">");
    hub_t(r, "All checks of this website");
    hub_raw(r, "</a></p>");
    if (err == KK_OK)
        hub_page_end(r);
out:
    return err;
}

/* --- queueing --- */

/* The check of w already queued or running, if any, into *id. */
static int pending_of(struct hub_req *r, const struct hub_site_web *w,
                      int64_t *id)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_SITE_PENDING);
    int err = st != NULL ? KK_OK : KK_ERR_IO;
    *id = 0;
    if (err == KK_OK) {
        hub_bind_i64(st, ":website", w->id);
        if (sqlite3_step(st) == SQLITE_ROW)
            *id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    return err;
}

/* Queues a check of w (trigger manual or api): *id the new or the pending
 * check, *pending whether one was waiting already.  KK_ERR_BUSY when one
 * is waiting that the caller may not see. */
static int queue(struct hub_req *r, const struct hub_site_web *w,
                 const char *trigger, int64_t *id, bool *pending)
{
    sqlite3_stmt *st = NULL;
    int64_t nid = 0;
    bool added = false;
    int err = hub_new_id(&nid);
    *id = 0;
    *pending = false;
    if (err == KK_OK) {
        st = hub_scoped(r, HUB_Q_SITE_QUEUE);
        err = st != NULL ? KK_OK : KK_ERR_IO;
    }
    if (err == KK_OK) {
        hub_bind_i64(st, ":id", nid);
        hub_bind_i64(st, ":website", w->id);
        hub_bind_text(st, ":trigger", trigger);
        hub_bind_i64(st, ":now", hub_now());
        err = hub_exec(st);
        added = err == KK_OK && sqlite3_changes(r->db->db) == 1;
    }
    if (added) {
        *id = nid;
        hub_audit(r, w->outlet, "check", "website", w->url);
        hub_site_worker_kick();
    } else if (err == KK_OK) {
        err = pending_of(r, w, id);
        *pending = *id != 0;
        if (err == KK_OK && !*pending)
            err = KK_ERR_BUSY;
    }
    return err;
}

static int h_queue(struct hub_req *r)
{
    struct hub_site_web w;
    char base[URL_MAX], url[URL_MAX + 32];
    int64_t id = 0;
    bool pending = false;
    int err = hub_site_web_load(r, r->param[0], r->param[1], &w);
    if (err == KK_OK && w.archived) {
        hub_fail(r, 409, "archived",
                 "This website is archived: it is no longer checked.");
        goto out;
    }
    if (err == KK_OK)
        err = queue(r, &w, "manual", &id, &pending);
    if (err == KK_ERR_BUSY) {
        hub_fail(r, 409, "pending",
                 "A check of this website is already queued or running.");
        err = KK_OK;
    } else if (err == KK_OK) {
        checks_url(&w, base, sizeof base);
        snprintf(url, sizeof url, "%s?done=%s", base,
                 pending ? "pending" : "queued");
        hub_redirect(r, url);
    }
out:
    return err;
}

/* --- JSON --- */

static void jw_time(struct hub_jw *w, const char *key, int64_t t)
{
    char ts[32];
    if (t <= 0 || kk_format_time(t, ts, sizeof ts) != KK_OK)
        hub_jw_null(w, key);
    else
        hub_jw_str(w, key, ts);
}

static void jw_score(struct hub_jw *w, const char *key, int v)
{
    if (v < 0)
        hub_jw_null(w, key);
    else
        hub_jw_int(w, key, v);
}

static void jw_words(struct hub_jw *w, const char *key, const char *list,
                     bool pairs)
{
    const char *p = list;
    hub_jw_key(w, key);
    hub_jw_arr(w);
    while (*p != '\0') {
        char word[HUB_SITE_ID_MAX + 8], *eq;
        size_t k = strcspn(p, " ");
        snprintf(word, sizeof word, "%.*s", (int)(k < sizeof word ? k : 0), p);
        p += k;
        p += strspn(p, " ");
        if (word[0] == '\0')
            continue;
        eq = strchr(word, '=');
        if (pairs && eq != NULL) {
            *eq = '\0';
            hub_jw_key(w, NULL);
            hub_jw_obj(w);
            hub_jw_str(w, "id", word);
            hub_jw_str(w, "grade", eq + 1);
            hub_jw_close(w, '}');
        } else if (!pairs) {
            hub_jw_str(w, NULL, word);
        }
    }
    hub_jw_close(w, ']');
}

static void jw_findings(struct hub_req *r, struct hub_jw *w,
                        const struct fset *f)
{
    hub_jw_key(w, "findings");
    hub_jw_arr(w);
    for (size_t i = 0; i < f->n; i++) {
        const struct fnd *x = &f->v[i];
        hub_jw_key(w, NULL);
        hub_jw_obj(w);
        hub_jw_str(w, "id", x->id);
        hub_jw_str(w, "severity",
                   site_sev_name((enum site_sev)(x->sev < 0 ? 0 : x->sev)));
        hub_jw_str(w, "area",
                   site_area_name((enum site_area)(x->area < 0 ? 0 : x->area)));
        hub_jw_str(w, "title", ftext(r, x->id, SITE_TEXT_TITLE));
        hub_jw_str(w, "evidence", x->evidence);
        hub_jw_close(w, '}');
    }
    hub_jw_close(w, ']');
}

static void jw_ids(struct hub_jw *w, const char *key, const char *const *v,
                   size_t n)
{
    hub_jw_key(w, key);
    hub_jw_arr(w);
    for (size_t i = 0; i < n; i++)
        hub_jw_str(w, NULL, v[i]);
    hub_jw_close(w, ']');
}

/* The stored report, when it parses as JSON (it always should). */
static void jw_report(struct hub_req *r, struct hub_jw *w, const struct chk *c)
{
    struct hub_json *j = NULL;
    bool ok = c->report != NULL && kk_buf_len(c->report) > 0 &&
              hub_json_parse(kk_buf_str(c->report), kk_buf_len(c->report), &j,
                             NULL) == KK_OK;
    hub_json_free(j);
    if (ok) {
        hub_jw_key(w, "report");
        hub_raw(r, kk_buf_str(c->report));
    } else {
        hub_jw_null(w, "report");
    }
}

/* The fields of a done check: grade, scores, caps, findings, passed. */
static void jw_graded(struct hub_req *r, struct hub_jw *w, const struct chk *c,
                      const struct fset *f)
{
    hub_jw_str(w, "grade", c->grade);
    jw_score(w, "score", c->score);
    hub_jw_key(w, "areas");
    hub_jw_obj(w);
    for (int a = 0; a < SITE_AREA_COUNT; a++)
        jw_score(w, site_area_name((enum site_area)a), c->area[a]);
    hub_jw_close(w, '}');
    jw_words(w, "capped_by", c->capped_by, true);
    if (c->best_fix[0] != '\0')
        hub_jw_str(w, "best_fix", c->best_fix);
    else
        hub_jw_null(w, "best_fix");
    jw_findings(r, w, f);
    jw_words(w, "passed", c->passed, false);
}

static void jw_previous(struct hub_jw *w, const struct chk *c,
                        const struct fset *f, const struct prev *p)
{
    struct hub_site_diff d;
    if (p->found) {
        diff_of(f, c->grade, p, &d);
        hub_jw_key(w, "previous");
        hub_jw_obj(w);
        hub_jw_int(w, "id", p->id);
        hub_jw_str(w, "grade", p->grade);
        jw_time(w, "checked_at", p->checked_at);
        hub_jw_int(w, "grade_change", d.grade_change);
        jw_ids(w, "added", d.added, d.n_added);
        jw_ids(w, "fixed", d.fixed, d.n_fixed);
        hub_jw_close(w, '}');
    } else {
        hub_jw_null(w, "previous");
    }
}

static int jw_check(struct hub_req *r, struct hub_jw *w, const struct chk *c,
                    const char *url)
{
    struct fset f = {0};
    struct prev p;
    bool done = strcmp(c->status, "done") == 0;
    int err = KK_OK;
    memset(&p, 0, sizeof p);
    if (done)
        err = fset_load(r, c->id, true, &f);
    if (done && err == KK_OK)
        err = prev_load(r, c->id, &p);
    if (err != KK_OK)
        goto out;
    hub_jw_int(w, "id", c->id);
    hub_jw_int(w, "outlet_id", c->outlet);
    hub_jw_int(w, "website_id", c->website);
    hub_jw_str(w, "url", url);
    hub_jw_int(w, "n", c->n);
    hub_jw_str(w, "trigger", c->trigger);
    hub_jw_str(w, "status", c->status);
    jw_time(w, "queued_at", c->queued_at);
    jw_time(w, "started_at", c->started_at);
    jw_time(w, "checked_at", c->checked_at);
    if (c->by[0] != '\0')
        hub_jw_str(w, "created_by", c->by);
    else
        hub_jw_null(w, "created_by");
    if (c->failure[0] != '\0') {
        hub_jw_key(w, "error");
        hub_jw_obj(w);
        hub_jw_str(w, "code", c->failure);
        hub_jw_str(w, "message", c->failure_detail);
        hub_jw_close(w, '}');
    } else {
        hub_jw_null(w, "error");
    }
    if (done) {
        jw_graded(r, w, c, &f);
    } else {
        hub_jw_null(w, "grade");
        hub_jw_null(w, "score");
    }
    hub_jw_int(w, "requests", c->requests);
    hub_jw_int(w, "handshakes", c->handshakes);
    hub_jw_int(w, "elapsed_ms", c->elapsed_ms);
    jw_time(w, "cert_expires_at", c->cert_expiry);
    jw_previous(w, c, &f, &p);
    jw_report(r, w, c);
out:
    fset_free(&f);
    fset_free(&p.f);
    return err;
}

/* Answers with check id (of website and outlet, 0: any) as JSON. */
static int answer_check(struct hub_req *r, int64_t outlet, int64_t website,
                        int64_t id, int status)
{
    struct chk c;
    struct hub_jw w;
    int err;
    memset(&c, 0, sizeof c);
    c.report = kk_buf_new(REPORT_CAP);
    err = c.report != NULL ? chk_get(r, outlet, website, id, &c) : KK_ERR_NOMEM;
    if (err == KK_OK) {
        r->status = status;
        hub_jw_begin(&w, r);
        err = jw_check(r, &w, &c, c.url);
        hub_jw_end(&w);
    }
    kk_buf_free(c.report);
    return err;
}

static int api_check(struct hub_req *r)
{
    return answer_check(r, 0, 0, r->param[0], 200);
}

static void jw_list_row(struct hub_jw *w, sqlite3_stmt *st)
{
    hub_jw_key(w, NULL);
    hub_jw_obj(w);
    hub_jw_int(w, "id", sqlite3_column_int64(st, 0));
    hub_jw_int(w, "n", sqlite3_column_int64(st, 1));
    hub_jw_str(w, "trigger", hub_col_text(st, 2));
    hub_jw_str(w, "status", hub_col_text(st, 3));
    jw_time(w, "queued_at", sqlite3_column_int64(st, 4));
    jw_time(w, "checked_at", sqlite3_column_int64(st, 5));
    if (hub_col_text(st, 6)[0] != '\0')
        hub_jw_str(w, "failure", hub_col_text(st, 6));
    else
        hub_jw_null(w, "failure");
    if (hub_col_text(st, 7)[0] != '\0')
        hub_jw_str(w, "grade", hub_col_text(st, 7));
    else
        hub_jw_null(w, "grade");
    jw_score(w, "score", col_score(st, 8));
    jw_time(w, "cert_expires_at", sqlite3_column_int64(st, 9));
    hub_jw_int(w, "findings_above_low", sqlite3_column_int64(st, 10));
    hub_jw_close(w, '}');
}

static int api_list(struct hub_req *r)
{
    struct hub_site_web site;
    struct hub_jw w;
    sqlite3_stmt *st = NULL;
    int rc = SQLITE_DONE, err = hub_site_web_load(r, 0, r->param[0], &site);
    if (err == KK_OK) {
        st = hub_scoped(r, HUB_Q_SITE_LIST);
        err = st != NULL ? KK_OK : KK_ERR_IO;
    }
    if (err != KK_OK)
        goto out;
    hub_bind_i64(st, ":website", site.id);
    hub_bind_i64(st, ":limit", API_ROWS);
    hub_jw_begin(&w, r);
    hub_jw_int(&w, "website_id", site.id);
    hub_jw_int(&w, "outlet_id", site.outlet);
    hub_jw_str(&w, "url", site.url);
    hub_jw_key(&w, "checks");
    hub_jw_arr(&w);
    for (rc = sqlite3_step(st); rc == SQLITE_ROW; rc = sqlite3_step(st))
        jw_list_row(&w, st);
    sqlite3_reset(st);
    hub_jw_close(&w, ']');
    hub_jw_end(&w);
    if (rc != SQLITE_DONE)
        err = hub_sql_err(rc);
out:
    return err;
}

/* The findings of an uploaded report, into the check id just stored. */
static int upload_findings(struct hub_req *r, int64_t id,
                           const struct hub_site_result *res)
{
    int err = KK_OK;
    for (size_t i = 0; i < res->n_items && err == KK_OK; i++) {
        const struct hub_site_item *it = &res->items[i];
        sqlite3_stmt *st = NULL;
        int64_t fid = 0;
        err = hub_new_id(&fid);
        if (err == KK_OK) {
            st = hub_scoped(r, HUB_Q_SITE_UPLOAD_FINDING);
            err = st != NULL ? KK_OK : KK_ERR_IO;
        }
        if (err == KK_OK) {
            hub_bind_i64(st, ":id", fid);
            hub_bind_i64(st, ":check", id);
            hub_bind_text(st, ":finding", it->id);
            hub_bind_text(st, ":severity",
                          site_sev_name((enum site_sev)it->sev));
            hub_bind_text(st, ":area",
                          site_area_name((enum site_area)it->area));
            err = hub_bind_sealed(r, st, ":evidence",
                                  "site_check_findings.evidence", fid,
                                  it->evidence);
        }
        if (err == KK_OK)
            err = hub_exec(st);
        if (err == KK_OK && sqlite3_changes(r->db->db) != 1)
            err = KK_ERR_NOTFOUND;
    }
    return err;
}

/* The observations an uploaded report makes, through the observation
 * statement every other observation goes through. */
static int upload_observations(struct hub_req *r,
                               const struct hub_site_web *site,
                               const struct hub_site_result *res)
{
    struct hub_site_obs obs[HUB_SITE_CONTROLS];
    int err = KK_OK;
    hub_site_obs_map(res, obs);
    for (int k = 0; k < HUB_SITE_CONTROLS && err == KK_OK; k++) {
        const struct hub_control *ctl =
            hub_catalogue_find(hub_catalogue_builtin(), obs[k].control);
        sqlite3_stmt *st;
        if (obs[k].status == NULL)
            continue;
        st = hub_scoped(r, HUB_Q_OBS_INSERT);
        if (st == NULL) {
            err = KK_ERR_IO;
            continue;
        }
        /* The hub records what the report shows of the website, whatever
         * device the token is bound to. */
        hub_bind_i64(st, ":device", 0);
        hub_bind_text(st, ":stype", "website");
        hub_bind_i64(st, ":sid", site->id);
        hub_bind_text(st, ":control", obs[k].control);
        hub_bind_text(st, ":status", obs[k].status);
        hub_bind_null(st, ":value");
        hub_bind_text(st, ":source", "site");
        hub_bind_text(st, ":note", obs[k].note);
        hub_bind_i64(st, ":at", res->checked_at);
        hub_bind_i64(st, ":expires",
                     res->checked_at +
                         ((ctl != NULL ? ctl->stale_days : 1) + 1) * DAY);
        err = hub_exec(st);
    }
    return err;
}

/* A report of `kalkan site check --json`: stored as a done (or failed)
 * check of this website, with its findings and observations. */
static int upload_store(struct hub_req *r, const struct hub_site_web *site,
                        struct hub_site_result *res, int64_t *id)
{
    sqlite3_stmt *st = NULL;
    int err = hub_new_id(id);
    if (err == KK_OK)
        err = hub_tx_begin(r->db);
    if (err != KK_OK)
        goto out;
    st = hub_scoped(r, HUB_Q_SITE_UPLOAD);
    err = st != NULL ? KK_OK : KK_ERR_IO;
    if (err == KK_OK) {
        hub_bind_i64(st, ":id", *id);
        hub_bind_i64(st, ":website", site->id);
        hub_bind_i64(st, ":now", hub_now());
        err = hub_site_bind_result(r->db->owner, st, *id, res);
    }
    if (err == KK_OK)
        err = hub_exec(st);
    if (err == KK_OK && sqlite3_changes(r->db->db) != 1)
        err = KK_ERR_NOTFOUND;
    if (err == KK_OK)
        err = upload_findings(r, *id, res);
    if (err == KK_OK && res->failure[0] == '\0')
        err = upload_observations(r, site, res);
    if (err == KK_OK) {
        hub_audit(r, site->outlet, "upload", "website", site->url);
        err = hub_tx_commit(r->db);
    } else {
        hub_tx_rollback(r->db);
    }
out:
    return err;
}

static int api_upload(struct hub_req *r, const struct hub_site_web *site)
{
    struct hub_site_result res;
    char host[KK_SITE_HOST_MAX + 1];
    const char *why = NULL;
    int64_t id = 0;
    int err = hub_site_result_init(&res);
    if (err == KK_OK && !hub_site_url_host(site->url, host, sizeof host)) {
        hub_fail(r, 409, "no_host", "The website's address has no host name.");
        goto out;
    }
    if (err == KK_OK)
        err = hub_site_upload_read(hub_json_root(r->json), host, hub_now(),
                                   &res, &why);
    if (err == KK_ERR_INVAL) {
        hub_fail(r, 400, "invalid", why != NULL ? why : "Not valid.");
        err = KK_OK;
        goto out;
    }
    if (err == KK_OK)
        err = upload_store(r, site, &res, &id);
    if (err == KK_OK)
        err = answer_check(r, site->outlet, site->id, id, 201);
out:
    hub_site_result_clear(&res);
    return err;
}

static void answer_queued(struct hub_req *r, const struct hub_site_web *site,
                          int64_t id, bool pending)
{
    struct hub_jw w;
    char loc[URL_MAX];
    snprintf(loc, sizeof loc, "/api/v1/checks/%lld", (long long)id);
    hub_set_header(r, "Location", loc);
    r->status = 202;
    hub_jw_begin(&w, r);
    hub_jw_int(&w, "id", id);
    hub_jw_int(&w, "website_id", site->id);
    hub_jw_str(&w, "status", "queued");
    hub_jw_bool(&w, "already_pending", pending);
    hub_jw_str(&w, "check", loc);
    hub_jw_end(&w);
}

static int api_post(struct hub_req *r)
{
    struct hub_site_web site;
    int64_t id = 0;
    bool pending = false;
    const struct hub_jv *root = hub_json_root(r->json);
    int err = hub_site_web_load(r, 0, r->param[0], &site);
    if (err != KK_OK)
        goto out;
    if (site.archived) {
        hub_fail(r, 409, "archived",
                 "This website is archived: it is no longer checked.");
    } else if (r->json != NULL && hub_jv_get(root, "target") != NULL) {
        err = api_upload(r, &site);
    } else {
        err = queue(r, &site, "api", &id, &pending);
        if (err == KK_OK)
            answer_queued(r, &site, id, pending);
        if (err == KK_ERR_BUSY) {
            hub_fail(r, 409, "pending",
                     "A check of this website is already queued or running.");
            err = KK_OK;
        }
    }
out:
    return err;
}

/* --- the register and the overview --- */

void hub_site_reg_head(struct hub_req *r)
{
    hub_raw(r, "<th scope=\"col\">");
    hub_t(r, "Security grade");
    hub_raw(r, "</th>");
}

static void grade_link(struct hub_req *r, int64_t outlet, int64_t website,
                       const char *status, const char *grade)
{
    hub_rawf(r,
             "<a href=\"/outlets/%lld/websites/%lld/checks\" "
             "class=\"kk-site-grade\">",
             (long long)outlet, (long long)website);
    if (strcmp(status, "done") == 0) {
        hub_rawf(r, "<span class=\"%s\">", grade_class(grade));
        hub_esc(r, grade);
        hub_raw(r, "</span>");
    } else if (strcmp(status, "failed") == 0) {
        hub_t(r, "Check failed");
    } else {
        hub_t(r, "Not checked yet");
    }
    hub_raw(r, "</a>");
}

void hub_site_reg_cell(struct hub_req *r, int64_t outlet, int64_t website)
{
    struct chk c;
    int err;
    memset(&c, 0, sizeof c);
    err = chk_latest(r, website, false, &c);
    hub_raw(r, "<td>");
    grade_link(r, outlet, website, err == KK_OK ? c.status : "",
               err == KK_OK ? c.grade : "");
    hub_raw(r, "</td>");
    if (err != KK_OK && err != KK_ERR_NOTFOUND && r->err == KK_OK)
        r->err = err;
}

static void overview_row(struct hub_req *r, int64_t outlet, sqlite3_stmt *st)
{
    int64_t t = sqlite3_column_int64(st, 6);
    hub_raw(r, "<li>");
    grade_link(r, outlet, sqlite3_column_int64(st, 0), hub_col_text(st, 3),
               hub_col_text(st, 4));
    hub_raw(r, " ");
    hub_esc(r, hub_col_text(st, 1));
    if (t > 0) {
        hub_raw(r, " <span class=\"kk-muted\">");
        when(r, t);
        hub_raw(r, "</span>");
    }
    hub_raw(r, "</li>");
}

void hub_site_overview(struct hub_req *r, int64_t outlet)
{
    sqlite3_stmt *st = NULL;
    bool any = false;
    int rc = SQLITE_DONE;
    if (HUB_ROLES_MANAGE & HUB_ROLEBIT(r->who.role))
        st = hub_scoped(r, HUB_Q_SITE_OUTLET);
    if (st != NULL) {
        hub_bind_i64(st, ":outlet", outlet);
        for (rc = sqlite3_step(st); rc == SQLITE_ROW; rc = sqlite3_step(st)) {
            if (!any) {
                hub_raw(r, "<section id=\"site-grades\"><h2>");
                hub_t(r, "Website security");
                hub_raw(r, "</h2><ul class=\"kk-checklist\">");
            }
            any = true;
            overview_row(r, outlet, st);
        }
        sqlite3_reset(st);
    }
    if (any)
        hub_raw(r, "</ul></section>");
    if (rc != SQLITE_DONE)
        kk_log(KK_LOG_WARN, "website checks: cannot list an outlet's grades");
}

/* --- routes --- */

#define MANAGE HUB_ROLES_MANAGE
#define TOKENS (HUB_ROLES_MANAGE | HUB_ROLEBIT(HUB_ROLE_DEVICE))
#define API "/api/v1"
#define CHECKS "/outlets/{id}/websites/{id}/checks"

const struct hub_route hub_routes_site[] = {
    {HUB_GET, CHECKS, 0, MANAGE, h_page},
    {HUB_POST, CHECKS, 0, MANAGE, h_queue},
    {HUB_GET, CHECKS "/{id}", 0, MANAGE, h_check_page},
    {HUB_GET, API "/websites/{id}/checks", HUB_R_API, TOKENS, api_list},
    {HUB_POST, API "/websites/{id}/checks", HUB_R_API, TOKENS, api_post},
    {HUB_GET, API "/checks/{id}", HUB_R_API, TOKENS, api_check},
    {0, NULL, 0, 0, NULL},
};
