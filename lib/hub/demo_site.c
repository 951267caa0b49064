/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * demo_site.c - the demo programme's website checks: for every demo
 * website, a check a week since the programme started, whose findings
 * the outlet fixes one after another, so the grade history climbs from
 * D or F towards A; no network is used.
 *
 * Each website starts with a draw from a pool of what small newsrooms'
 * WordPress sites typically show (an outdated core, open xmlrpc, user
 * enumeration, a forgotten debug log, missing headers, a weak DMARC
 * policy...), and each finding gets the week it is fixed in (a few never
 * are).  To give the reminders something to say, the first outlet's main
 * site gets a new outdated plugin at the last check (the grade drops) and
 * the last outlet's sites a certificate that ends within 21 days; one
 * check in the middle of a history timed out.  The findings are graded
 * by lib/site's own grading (hub_site_result_regrade), as a real check's
 * are; only the checking itself is not run.  Every choice comes
 * from hub_demo_below and every id from hub_demo_id: the same seed gives
 * the same rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "programme.h"
#include "seal.h"
#include "site_hub.h"

#define DAY INT64_C(86400)
#define HOUR INT64_C(3600)
#define SITES_MAX 32
#define WEEKS_MAX 40
#define NEVER 1000

static const struct {
    const char *id;
    const char *evidence;
    int percent; /* chance a site starts with it */
} pool[] = {
    {"cms.detected", "WordPress 6.1.1", 100},
    {"cms.outdated", "WordPress 6.1.1 (current: 6.6.2)", 80},
    {"wp.xmlrpc", "/xmlrpc.php answers system.multicall", 85},
    {"wp.user_enum", "/?author=1, /wp-json/wp/v2/users", 75},
    {"exposed.debug_log", "/wp-content/debug.log", 35},
    {"exposed.config_backup", "/wp-config.php.bak", 15},
    {"exposed.dir_listing", "/wp-content/uploads/", 50},
    {"tls.protocol.legacy", "TLS 1.0, TLS 1.1", 45},
    {"https.no_redirect", "http:// answers 200 without a redirect", 40},
    {"hsts.missing", "", 90},
    {"csp.missing", "", 95},
    {"xfo.missing", "", 70},
    {"xcto.missing", "", 70},
    {"referrer.missing", "", 80},
    {"leak.server_version", "Server: nginx/1.18.0", 75},
    {"leak.powered_by", "X-Powered-By: PHP/7.4.33", 60},
    {"cookie.no_httponly", "wordpress_test_cookie", 40},
    {"mail.dmarc.missing", "", 40},
    {"mail.dkim.missing", "default, google, selector1, selector2", 55},
    {"mail.spf.permissive", "v=spf1 a mx ?all", 20},
    {"dns.caa.missing", "", 90},
    {"dnssec.unsigned", "", 85},
    {"securitytxt.missing", "", 95},
};
#define POOL (sizeof pool / sizeof pool[0])

struct site {
    int64_t id, outlet;
    char slug[64];
    char host[KK_SITE_HOST_MAX + 1];
    bool has[POOL];
    int fixed_week[POOL];
};

static int sites_load(struct hub_demo_ctx *x, struct site *s, size_t *n)
{
    sqlite3_stmt *st = hub_q(x->c, HUB_Q_DEMO_SITE_WEBSITES);
    int rc = SQLITE_DONE, err = st != NULL ? KK_OK : KK_ERR_IO;
    *n = 0;
    if (err != KK_OK)
        goto out;
    for (rc = sqlite3_step(st); rc == SQLITE_ROW && *n < SITES_MAX;
         rc = sqlite3_step(st)) {
        struct site *w = &s[*n];
        memset(w, 0, sizeof *w);
        w->id = sqlite3_column_int64(st, 0);
        w->outlet = sqlite3_column_int64(st, 1);
        snprintf(w->slug, sizeof w->slug, "%s", hub_col_text(st, 2));
        if (!hub_site_url_host(hub_col_text(st, 3), w->host, sizeof w->host))
            snprintf(w->host, sizeof w->host, "%s.example", w->slug);
        (*n)++;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        err = hub_sql_err(rc);
    sqlite3_reset(st);
out:
    return err;
}

int64_t hub_demo_focal(struct hub_demo_ctx *x, int64_t outlet)
{
    sqlite3_stmt *st = hub_q(x->c, HUB_Q_DEMO_SITE_USER);
    int64_t id = 0;
    if (st != NULL) {
        hub_bind_i64(st, ":outlet", outlet);
        if (sqlite3_step(st) == SQLITE_ROW)
            id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    return id;
}

static void plan(struct hub_demo_ctx *x, struct site *w, int weeks)
{
    for (size_t i = 0; i < POOL; i++) {
        w->has[i] = (int)hub_demo_below(x, 100) < pool[i].percent;
        /* Info findings stay (they are advice); a fifth of the others
         * are never fixed; the rest at a week of the programme. */
        if (site_finding_find(pool[i].id)->sev == SITE_SEV_INFO ||
            hub_demo_below(x, 5) == 0)
            w->fixed_week[i] = NEVER;
        else
            w->fixed_week[i] = 1 + (int)hub_demo_below(x, (uint64_t)weeks);
    }
}

static int finding_put(struct hub_demo_ctx *x, int64_t check, int64_t outlet,
                       const struct hub_site_item *it)
{
    sqlite3_stmt *st = hub_q(x->c, HUB_Q_DEMO_SITE_FINDING);
    int64_t id = hub_demo_id(x);
    int err = st != NULL ? KK_OK : KK_ERR_IO;
    if (err != KK_OK)
        goto out;
    hub_bind_i64(st, ":id", id);
    hub_bind_i64(st, ":check", check);
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_text(st, ":finding", it->id);
    hub_bind_text(st, ":severity", site_sev_name((enum site_sev)it->sev));
    hub_bind_text(st, ":area", site_area_name((enum site_area)it->area));
    err = hub_bind_sealed_db(x->c->owner, st, ":evidence",
                             "site_check_findings.evidence", id, it->evidence);
    if (err == KK_OK)
        err = hub_exec(st);
out:
    return err;
}

struct when {
    int64_t at;
    int week, n;
    bool last, regress, expiring, failed, manual;
};

static int check_put(struct hub_demo_ctx *x, const struct site *w,
                     const struct when *t, int64_t focal)
{
    struct hub_site_result res;
    sqlite3_stmt *st;
    int64_t id = hub_demo_id(x);
    int err = hub_site_result_init(&res);
    if (err != KK_OK)
        goto out;
    res.checked_at = t->at;
    res.requests = 58 + (unsigned)hub_demo_below(x, 18);
    res.handshakes = 12 + (unsigned)hub_demo_below(x, 5);
    res.elapsed_ms = 1400 + (int64_t)hub_demo_below(x, 1500);
    if (t->failed) {
        snprintf(res.failure, sizeof res.failure, "timeout");
        snprintf(res.failure_detail, sizeof res.failure_detail,
                 "no answer within 10 s on port 443");
        res.requests = 2;
        res.handshakes = 1;
        res.elapsed_ms = 20000;
    } else {
        for (size_t i = 0; i < POOL && err == KK_OK; i++) {
            bool now = w->has[i] && t->week < w->fixed_week[i];
            if (t->regress && strcmp(pool[i].id, "cms.outdated") == 0)
                now = true;
            if (now)
                err = hub_site_result_add(&res, pool[i].id, pool[i].evidence);
            else if (site_finding_find(pool[i].id)->sev > SITE_SEV_INFO)
                err = hub_site_result_pass(&res, pool[i].id);
        }
        for (int a = 0; a < SITE_AREA_COUNT; a++)
            res.area[a] = 0; /* every area checked */
        if (err == KK_OK)
            err = hub_site_result_regrade(&res);
        res.cert_expiry =
            t->expiring ? x->now + 12 * DAY : t->at + (60 + t->week % 30) * DAY;
    }
    if (err == KK_OK)
        err = hub_site_report_write(&res, w->host, res.report);
    st = err == KK_OK ? hub_q(x->c, HUB_Q_DEMO_SITE_CHECK) : NULL;
    if (err == KK_OK && st == NULL)
        err = KK_ERR_IO;
    if (err == KK_OK) {
        hub_bind_i64(st, ":id", id);
        hub_bind_i64(st, ":outlet", w->outlet);
        hub_bind_i64(st, ":website", w->id);
        hub_bind_i64(st, ":n", t->n);
        hub_bind_text(st, ":trigger", t->manual ? "manual" : "schedule");
        hub_bind_i64(st, ":queued_at", t->at - 60);
        if (t->manual && focal != 0)
            hub_bind_i64(st, ":by", focal);
        else
            hub_bind_null(st, ":by");
        err = hub_site_bind_result(x->c->owner, st, id, &res);
    }
    if (err == KK_OK)
        err = hub_exec(st);
    for (size_t i = 0; i < res.n_items && err == KK_OK; i++)
        err = finding_put(x, id, w->outlet, &res.items[i]);
out:
    hub_site_result_clear(&res);
    return err;
}

int hub_demo_site(struct hub_demo_ctx *x)
{
    struct site *s = calloc(SITES_MAX, sizeof *s);
    size_t n = 0;
    int64_t last_outlet = 0;
    int weeks = (int)((x->now - x->start) / (7 * DAY));
    int err = s != NULL ? KK_OK : KK_ERR_NOMEM;
    if (weeks > WEEKS_MAX)
        weeks = WEEKS_MAX;
    if (err == KK_OK)
        err = sites_load(x, s, &n);
    /* The outlets come sorted by slug; the last one's certificates run
     * out soon. */
    for (size_t i = 0; i < n; i++)
        last_outlet = s[i].outlet;
    for (size_t i = 0; i < n && err == KK_OK; i++) {
        struct site *w = &s[i];
        int64_t focal = hub_demo_focal(x, w->outlet);
        int failed_week = 2 + (int)hub_demo_below(x, (uint64_t)weeks);
        plan(x, w, weeks > 2 ? weeks - 2 : 1);
        for (int k = 0; k <= weeks && err == KK_OK; k++) {
            struct when t;
            memset(&t, 0, sizeof t);
            t.week = k;
            t.n = k + 1;
            /* Mornings, at a different hour for each site; at least two
             * hours before the demo's "now". */
            t.at = x->start + 3 * DAY + k * 7 * DAY +
                   (int64_t)(5 + i % 6) * HOUR +
                   (int64_t)hub_demo_below(x, 50) * 60;
            if (t.at > x->now - 2 * HOUR)
                break;
            t.last = k == weeks || t.at + 7 * DAY > x->now - 2 * HOUR;
            t.regress = t.last && i == 0;
            t.expiring = t.last && w->outlet == last_outlet;
            t.failed = !t.last && k == failed_week && i % 2 == 1;
            t.manual = k > 0 && hub_demo_below(x, 6) == 0;
            err = check_put(x, w, &t, focal);
        }
    }
    if (err != KK_OK)
        kk_diag_set(x->d, "demo: the website checks: %s", kk_strerror(err));
    free(s);
    return err;
}
