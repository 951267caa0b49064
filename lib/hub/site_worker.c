/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * site_worker.c - the thread that runs the hub's website checks: the ones
 * a person or a token queued ("Check now", the API) and, every
 * --site-interval hours, a scheduled check of every live website; and the
 * options file that points the checker at a resolver, a CA bundle or
 * other ports (`kalkan serve --site-options`).
 *
 * One thread, one check at a time, so the hub is as polite as `kalkan
 * site` itself and a slow site delays the next check, never a page.  A
 * check runs with no transaction open: the thread marks the check running
 * (one statement), runs it (seconds, bounded by the checker's timeouts),
 * then writes the result, its findings and its observations in one short
 * transaction.  The cost of the design: stopping the server waits for the
 * check in progress, which the checker's per-connection timeout bounds.
 *
 * Names reserved for examples and tests (RFC 2606 and 6761: example,
 * invalid, localhost, test) never exist on the internet; without a
 * resolver of its own (the options' dns or resolve) the hub does not look
 * them up: they are not scheduled, and a check asked for fails at once.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "seal.h"
#include "site_hub.h"

#define DAY INT64_C(86400)
#define HOUR INT64_C(3600)
#define POLL_SECONDS 60 /* the schedule is looked at this often */
#define HOST_MAX 256

/* --- the options file --- */

static const char *const option_keys[] = {
    "dns",           "trust-anchor", "ca-file",      "resolve",
    "http-port",     "https-port",   "smtp-port",    "timeout",
    "dkim-selector", "no-mail",      "cms-releases",
};

void hub_site_options_free(struct hub_site_options *so)
{
    if (so != NULL) {
        kk_conf_free(so->conf);
        free(so->lists);
        memset(so, 0, sizeof *so);
    }
}

static int opt_port(const struct kk_conf *c, const char *key, unsigned *out,
                    struct kk_diag *d)
{
    uint64_t v = 0;
    int err = kk_conf_get_u64(c, key, 1, 65535, 0, &v, d);
    if (err == KK_OK)
        *out = (unsigned)v;
    return err;
}

static int opt_file(const struct kk_conf *c, const char *key, const char **out,
                    struct kk_diag *d)
{
    const char *v = kk_conf_get(c, key);
    int err = KK_OK;
    *out = v;
    if (v != NULL && (v[0] == '\0' || access(v, R_OK) != 0)) {
        kk_diag_set(d, "line %u: %s: cannot read '%s'", kk_conf_line(c, key),
                    key, v);
        err = KK_ERR_INVAL;
    }
    return err;
}

/* Splits the space-separated values of key into list entries stored in
 * *lists at *at; check validates each. */
static int opt_list(const struct kk_conf *c, const char *key, char *lists,
                    size_t *at, const char **out, size_t max, size_t *n,
                    bool (*check)(const char *), struct kk_diag *d)
{
    const char *p = kk_conf_get(c, key);
    size_t k = 1;
    int err = KK_OK;
    *n = 0;
    while (p != NULL && err == KK_OK && k > 0) {
        p += strspn(p, " \t");
        k = strcspn(p, " \t");
        if (k == 0)
            continue;
        if (*n >= max) {
            kk_diag_set(d, "line %u: %s: at most %zu values",
                        kk_conf_line(c, key), key, max);
            err = KK_ERR_INVAL;
            continue;
        }
        memcpy(lists + *at, p, k);
        lists[*at + k] = '\0';
        if (!check(lists + *at)) {
            kk_diag_set(d, "line %u: %s: '%s' is not valid",
                        kk_conf_line(c, key), key, lists + *at);
            err = KK_ERR_INVAL;
            continue;
        }
        out[(*n)++] = lists + *at;
        *at += k + 1;
        p += k;
    }
    return err;
}

/* HOST:PORT:ADDR, as curl's --resolve. */
static bool resolve_ok(const char *s)
{
    const char *a = strchr(s, ':');
    const char *b = a != NULL ? strchr(a + 1, ':') : NULL;
    uint64_t port;
    char num[8];
    bool ok = a != NULL && b != NULL && a != s && b[1] != '\0' && b != a + 1 &&
              (size_t)(b - a - 1) < sizeof num;
    if (ok) {
        memcpy(num, a + 1, (size_t)(b - a - 1));
        num[b - a - 1] = '\0';
        ok = kk_parse_u64(num, 1, 65535, &port) == KK_OK;
    }
    return ok;
}

static bool selector_ok(const char *s)
{
    bool ok = *s != '\0' && strlen(s) <= 63;
    for (const char *p = s; ok && *p != '\0'; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
             (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.';
    return ok;
}

static int options_read(struct hub_site_options *so, struct kk_diag *d)
{
    const struct kk_conf *c = so->conf;
    struct site_opts *o = &so->o;
    uint64_t timeout = 0;
    bool no_mail = false;
    size_t at = 0;
    int err = KK_OK;
    for (size_t i = 0; i < kk_conf_count(c) && err == KK_OK; i++) {
        const char *k = kk_conf_key(c, i);
        bool known = false;
        for (size_t j = 0; j < sizeof option_keys / sizeof option_keys[0]; j++)
            known = known || strcmp(k, option_keys[j]) == 0;
        if (!known) {
            kk_diag_set(d, "line %u: unknown key '%s'", kk_conf_line(c, k), k);
            err = KK_ERR_INVAL;
        }
    }
    o->dns = kk_conf_get(c, "dns");
    if (err == KK_OK && o->dns != NULL && o->dns[0] == '\0') {
        kk_diag_set(d, "line %u: dns: an address is needed",
                    kk_conf_line(c, "dns"));
        err = KK_ERR_INVAL;
    }
    if (err == KK_OK)
        err = opt_file(c, "trust-anchor", &o->trust_anchor, d);
    if (err == KK_OK)
        err = opt_file(c, "ca-file", &o->ca_file, d);
    if (err == KK_OK)
        err = opt_file(c, "cms-releases", &o->cms_releases, d);
    if (err == KK_OK)
        err = opt_port(c, "http-port", &o->http_port, d);
    if (err == KK_OK)
        err = opt_port(c, "https-port", &o->https_port, d);
    if (err == KK_OK)
        err = opt_port(c, "smtp-port", &o->smtp_port, d);
    if (err == KK_OK)
        err = kk_conf_get_u64(c, "timeout", 1, 120, 10, &timeout, d);
    if (err == KK_OK)
        err = kk_conf_get_bool(c, "no-mail", false, &no_mail, d);
    if (err == KK_OK)
        err = opt_list(c, "resolve", so->lists, &at, o->resolve,
                       SITE_RESOLVE_MAX, &o->n_resolve, resolve_ok, d);
    if (err == KK_OK)
        err = opt_list(c, "dkim-selector", so->lists, &at, o->dkim_selectors,
                       SITE_DKIM_SELECTORS_MAX, &o->n_dkim_selectors,
                       selector_ok, d);
    o->timeout_ms = (unsigned)timeout * 1000;
    o->skip_mail = no_mail;
    so->resolver = o->dns != NULL || o->n_resolve > 0;
    return err;
}

int hub_site_options_load(const char *path, struct hub_site_options *so,
                          struct kk_diag *d)
{
    size_t len = 0;
    int err = KK_OK;
    memset(so, 0, sizeof *so);
    site_opts_init(&so->o);
    so->o.timeout_ms = KK_SITE_TIMEOUT_MS;
    if (path == NULL)
        goto out;
    err = kk_conf_load(path, &so->conf, d);
    for (size_t i = 0; err == KK_OK && i < kk_conf_count(so->conf); i++) {
        const char *v = kk_conf_get(so->conf, kk_conf_key(so->conf, i));
        len += strlen(v != NULL ? v : "") + 1;
    }
    if (err == KK_OK) {
        so->lists = calloc(len + 1, 1);
        err = so->lists != NULL ? KK_OK : KK_ERR_NOMEM;
    }
    if (err == KK_OK)
        err = options_read(so, d);
    if (err != KK_OK)
        hub_site_options_free(so);
out:
    return err;
}

int hub_site_options_check(const char *path, struct kk_diag *d)
{
    struct hub_site_options so;
    int err = hub_site_options_load(path, &so, d);
    hub_site_options_free(&so);
    return err;
}

/* --- waking the thread --- */

static pthread_mutex_t kick_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t kick_cv;
static pthread_once_t kick_once = PTHREAD_ONCE_INIT;
static uint64_t kick_gen;
static bool kick_ready;

static void kick_init(void)
{
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) == 0) {
        if (pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
            pthread_cond_init(&kick_cv, &ca) == 0)
            kick_ready = true;
        pthread_condattr_destroy(&ca);
    }
}

void hub_site_worker_kick(void)
{
    pthread_once(&kick_once, kick_init);
    if (kick_ready) {
        pthread_mutex_lock(&kick_mu);
        kick_gen++;
        pthread_cond_broadcast(&kick_cv);
        pthread_mutex_unlock(&kick_mu);
    }
}

/* --- the thread --- */

struct hub_site_worker {
    pthread_t th;
    struct hub_db *db;
    struct hub_site_options so;
    int64_t interval; /* seconds; 0: no schedule */
    bool stop;        /* under kick_mu */
};

struct job {
    int64_t id, website, outlet;
    char url[KK_HUB_NAME_MAX + 1];
};

static bool stopping(struct hub_site_worker *w)
{
    bool s;
    pthread_mutex_lock(&kick_mu);
    s = w->stop;
    pthread_mutex_unlock(&kick_mu);
    return s;
}

/* Whether the thread may look url's host up. */
static bool may_look_up(const struct hub_site_worker *w, const char *url)
{
    char host[HOST_MAX];
    return hub_site_url_host(url, host, sizeof host) &&
           (w->so.resolver || !hub_site_reserved_host(host));
}

static int job_next(struct hub_conn *c, struct job *j, bool *found)
{
    sqlite3_stmt *st = hub_q(c, HUB_Q_SITE_JOB_NEXT);
    int rc, err = KK_OK;
    *found = false;
    if (st == NULL) {
        err = KK_ERR_IO;
        goto out;
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        j->id = sqlite3_column_int64(st, 0);
        j->website = sqlite3_column_int64(st, 1);
        j->outlet = sqlite3_column_int64(st, 2);
        snprintf(j->url, sizeof j->url, "%s", hub_col_text(st, 3));
        *found = true;
    } else if (rc != SQLITE_DONE) {
        err = hub_sql_err(rc);
    }
    sqlite3_reset(st);
out:
    return err;
}

/* The website that waited longest for a scheduled check and may be looked
 * up, or 0. */
static int job_due(struct hub_site_worker *w, struct hub_conn *c, int64_t now,
                   int64_t *website)
{
    sqlite3_stmt *st = hub_q(c, HUB_Q_SITE_JOB_DUE);
    int rc = SQLITE_DONE, err = KK_OK;
    *website = 0;
    if (st == NULL) {
        err = KK_ERR_IO;
        goto out;
    }
    hub_bind_i64(st, ":since", now - w->interval);
    for (rc = sqlite3_step(st); rc == SQLITE_ROW && *website == 0;
         rc = sqlite3_step(st)) {
        if (may_look_up(w, hub_col_text(st, 1)))
            *website = sqlite3_column_int64(st, 0);
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        err = hub_sql_err(rc);
    sqlite3_reset(st);
out:
    return err;
}

/* Queues the scheduled check of the website that waited longest, if one
 * is due; *queued says whether one was. */
static int job_schedule(struct hub_site_worker *w, struct hub_conn *c,
                        bool *queued)
{
    sqlite3_stmt *st = NULL;
    int64_t website = 0, id = 0, now = hub_now();
    int err = job_due(w, c, now, &website);
    *queued = false;
    if (err == KK_OK && website != 0)
        err = hub_new_id(&id);
    if (err == KK_OK && website != 0) {
        st = hub_q(c, HUB_Q_SITE_JOB_ADD);
        err = st != NULL ? KK_OK : KK_ERR_IO;
    }
    if (err == KK_OK && st != NULL) {
        hub_bind_i64(st, ":id", id);
        hub_bind_i64(st, ":website", website);
        hub_bind_i64(st, ":now", now);
        err = hub_exec(st);
        *queued = err == KK_OK && sqlite3_changes(c->db) == 1;
    }
    return err;
}

static int job_start(struct hub_conn *c, const struct job *j, bool *started)
{
    sqlite3_stmt *st = hub_q(c, HUB_Q_SITE_JOB_START);
    int err = st != NULL ? KK_OK : KK_ERR_IO;
    *started = false;
    if (err == KK_OK) {
        hub_bind_i64(st, ":id", j->id);
        hub_bind_i64(st, ":now", hub_now());
        err = hub_exec(st);
        *started = err == KK_OK && sqlite3_changes(c->db) == 1;
    }
    return err;
}

/* Runs the check of j into res (initialised); never fails for the site's
 * sake: what went wrong is res's failure. */
static int job_run(struct hub_site_worker *w, const struct job *j,
                   struct hub_site_result *res)
{
    struct site_report *rep = NULL;
    struct kk_diag d;
    int err = KK_OK;
    kk_diag_clear(&d);
    if (!may_look_up(w, j->url)) {
        snprintf(res->failure, sizeof res->failure, "dns");
        snprintf(res->failure_detail, sizeof res->failure_detail,
                 "the name is reserved for examples and tests and is not "
                 "looked up");
        goto out;
    }
    err = site_check(j->url, &w->so.o, &rep, &d);
    if (err == KK_OK) {
        err = hub_site_result_from_report(res, rep);
    } else if (err != KK_ERR_NOMEM) {
        snprintf(res->failure, sizeof res->failure, "error");
        snprintf(res->failure_detail, sizeof res->failure_detail, "%s",
                 d.msg[0] != '\0' ? d.msg : kk_strerror(err));
        err = KK_OK;
    }
out:
    site_report_free(rep);
    return err;
}

static int store_findings(struct hub_conn *c, const struct job *j,
                          const struct hub_site_result *res)
{
    int err = KK_OK;
    for (size_t i = 0; i < res->n_items && err == KK_OK; i++) {
        const struct hub_site_item *it = &res->items[i];
        sqlite3_stmt *st = hub_q(c, HUB_Q_SITE_JOB_FINDING);
        int64_t id = 0;
        err = st != NULL ? hub_new_id(&id) : KK_ERR_IO;
        if (err != KK_OK)
            break;
        hub_bind_i64(st, ":id", id);
        hub_bind_i64(st, ":check", j->id);
        hub_bind_text(st, ":finding", it->id);
        hub_bind_text(st, ":severity", site_sev_name((enum site_sev)it->sev));
        hub_bind_text(st, ":area", site_area_name((enum site_area)it->area));
        err = hub_bind_sealed_db(c->owner, st, ":evidence",
                                 "site_check_findings.evidence", id,
                                 it->evidence);
        if (err == KK_OK)
            err = hub_exec(st);
    }
    return err;
}

static int store_observations(struct hub_site_worker *w, struct hub_conn *c,
                              const struct job *j,
                              const struct hub_site_result *res)
{
    struct hub_site_obs obs[HUB_SITE_CONTROLS];
    int64_t slack = w->interval > DAY ? w->interval : DAY;
    int err = KK_OK;
    hub_site_obs_map(res, obs);
    for (int k = 0; k < HUB_SITE_CONTROLS && err == KK_OK; k++) {
        const struct hub_control *ctl;
        sqlite3_stmt *st;
        if (obs[k].status == NULL)
            continue;
        ctl = hub_catalogue_find(hub_catalogue_builtin(), obs[k].control);
        st = hub_q(c, HUB_Q_SITE_JOB_OBS);
        if (st == NULL) {
            err = KK_ERR_IO;
            break;
        }
        hub_bind_i64(st, ":website", j->website);
        hub_bind_text(st, ":control", obs[k].control);
        hub_bind_text(st, ":status", obs[k].status);
        hub_bind_text(st, ":note", obs[k].note);
        hub_bind_i64(st, ":at", res->checked_at);
        /* Stale a day (or an interval) after the control's limit, so a
         * check that stops running shows up among what is out of date. */
        hub_bind_i64(st, ":expires",
                     res->checked_at +
                         (ctl != NULL ? (int64_t)ctl->stale_days * DAY : DAY) +
                         slack);
        err = hub_exec(st);
    }
    return err;
}

static int job_store(struct hub_site_worker *w, struct hub_conn *c,
                     const struct job *j, struct hub_site_result *res)
{
    sqlite3_stmt *st = NULL;
    int err;
    res->checked_at = hub_now();
    err = hub_tx_begin(c);
    if (err != KK_OK)
        goto out;
    st = hub_q(c, HUB_Q_SITE_JOB_FINISH);
    err = st != NULL ? KK_OK : KK_ERR_IO;
    if (err == KK_OK) {
        hub_bind_i64(st, ":id", j->id);
        err = hub_site_bind_result(c->owner, st, j->id, res);
    }
    if (err == KK_OK)
        err = hub_exec(st);
    if (err == KK_OK && sqlite3_changes(c->db) != 1)
        err = KK_ERR_NOTFOUND;
    if (err == KK_OK)
        err = store_findings(c, j, res);
    if (err == KK_OK && res->failure[0] == '\0')
        err = store_observations(w, c, j, res);
    if (err == KK_OK)
        err = hub_tx_commit(c);
    else
        hub_tx_rollback(c);
out:
    return err;
}

static void job_do(struct hub_site_worker *w, struct hub_conn *c,
                   const struct job *j)
{
    struct hub_site_result res;
    bool started = false;
    int err = job_start(c, j, &started);
    memset(&res, 0, sizeof res);
    if (err != KK_OK)
        kk_log(KK_LOG_WARN, "website checks: cannot start a check: %s",
               kk_strerror(err));
    if (err != KK_OK || !started)
        goto out;
    err = hub_site_result_init(&res);
    if (err == KK_OK)
        err = job_run(w, j, &res);
    if (err != KK_OK) {
        /* Out of memory: recorded as a failure, so the queue moves on. */
        hub_site_result_clear(&res);
        if (hub_site_result_init(&res) == KK_OK) {
            snprintf(res.failure, sizeof res.failure, "error");
            snprintf(res.failure_detail, sizeof res.failure_detail, "%s",
                     kk_strerror(err));
        }
    }
    err = res.passed != NULL ? job_store(w, c, j, &res) : KK_ERR_NOMEM;
    if (err != KK_OK)
        kk_log(KK_LOG_WARN,
               "website checks: cannot record a check's result: %s",
               kk_strerror(err));
out:
    hub_site_result_clear(&res);
}

/* One step: drop what cannot run, then run the oldest queued check (or
 * queue a due one first).  *busy says whether there may be more to do. */
static void round_once(struct hub_site_worker *w, struct hub_conn *c,
                       bool *busy)
{
    sqlite3_stmt *st = hub_q(c, HUB_Q_SITE_JOB_DROP);
    struct job j;
    bool found = false, queued = false;
    int err = st != NULL ? KK_OK : KK_ERR_IO;
    *busy = false;
    memset(&j, 0, sizeof j);
    if (err == KK_OK) {
        hub_bind_i64(st, ":now", hub_now());
        err = hub_exec(st);
    }
    if (err == KK_OK)
        err = job_next(c, &j, &found);
    if (err == KK_OK && !found && w->interval > 0) {
        err = job_schedule(w, c, &queued);
        if (err == KK_OK && queued)
            err = job_next(c, &j, &found);
    }
    if (err != KK_OK)
        kk_log(KK_LOG_WARN, "website checks: cannot read the queue: %s",
               kk_strerror(err));
    if (err == KK_OK && found) {
        job_do(w, c, &j);
        *busy = true;
    }
}

static void *worker_main(void *arg)
{
    struct hub_site_worker *w = arg;
    struct hub_conn *c = NULL;
    sqlite3_stmt *st;
    uint64_t seen;
    int err = hub_conn_get(w->db, &c);
    if (err != KK_OK) {
        kk_log(KK_LOG_WARN, "website checks: no database connection: %s",
               kk_strerror(err));
        goto out;
    }
    st = hub_q(c, HUB_Q_SITE_JOB_RECOVER);
    if (st == NULL || hub_exec(st) != KK_OK)
        kk_log(KK_LOG_WARN, "website checks: cannot requeue interrupted "
                            "checks");
    pthread_mutex_lock(&kick_mu);
    seen = kick_gen;
    pthread_mutex_unlock(&kick_mu);
    while (!stopping(w)) {
        bool busy = false, waiting = true;
        struct timespec until;
        round_once(w, c, &busy);
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += POLL_SECONDS;
        pthread_mutex_lock(&kick_mu);
        while (waiting && !w->stop && !busy && kick_gen == seen)
            waiting =
                pthread_cond_timedwait(&kick_cv, &kick_mu, &until) != ETIMEDOUT;
        seen = kick_gen;
        pthread_mutex_unlock(&kick_mu);
    }
out:
    return NULL;
}

int hub_site_worker_start(struct hub_db *db, const struct hub_server_opts *opts,
                          struct hub_site_worker **out, struct kk_diag *d)
{
    struct hub_site_worker *w = calloc(1, sizeof *w);
    int err = w != NULL ? KK_OK : KK_ERR_NOMEM;
    *out = NULL;
    if (err == KK_OK)
        err = hub_site_options_load(opts->site_options, &w->so, d);
    if (err != KK_OK && w != NULL && opts->site_options != NULL) {
        char why[KK_DIAG_MAX];
        snprintf(why, sizeof why, "%s", d != NULL ? d->msg : "");
        kk_diag_set(d, "--site-options %s: %s", opts->site_options, why);
    }
    if (err == KK_OK) {
        pthread_once(&kick_once, kick_init);
        err = kick_ready ? KK_OK : KK_ERR_SYSTEM;
    }
    if (err == KK_OK) {
        w->db = db;
        w->interval = (int64_t)opts->site_interval * HOUR;
        if (pthread_create(&w->th, NULL, worker_main, w) != 0) {
            kk_diag_set(d, "cannot start the website checker's thread");
            err = KK_ERR_SYSTEM;
        }
    }
    if (err == KK_OK) {
        *out = w;
    } else if (w != NULL) {
        hub_site_options_free(&w->so);
        free(w);
    }
    return err;
}

void hub_site_worker_stop(struct hub_site_worker *w)
{
    if (w != NULL) {
        pthread_mutex_lock(&kick_mu);
        w->stop = true;
        pthread_cond_broadcast(&kick_cv);
        pthread_mutex_unlock(&kick_mu);
        pthread_join(w->th, NULL);
        hub_site_options_free(&w->so);
        free(w);
    }
}
