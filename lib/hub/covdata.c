/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * covdata.c - feeds coverage.c from the database: people, accounts with
 * their 2FA method as of a date, organisational accounts' admins, devices
 * with their five protection checks.
 *
 * Four scoped queries per point in time.  The "as of" picks are index
 * probes on observations(subject_type, subject_id, control_id,
 * observed_at), so one point over the demo programme (60 people, 250
 * accounts, 100 devices) costs about a millisecond; a trend of seven
 * months is seven points.  Arrays grow geometrically and are freed before
 * returning; nothing is cached, so every answer reflects the last write.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "covdata.h"
#include "model.h"

struct grow {
    void *p;
    size_t n, cap, size;
};

static void *grow_next(struct grow *g)
{
    if (g->n == g->cap) {
        size_t cap = g->cap != 0 ? g->cap * 2 : 64;
        void *p = reallocarray(g->p, cap, g->size);
        if (p == NULL)
            return NULL;
        g->p = p;
        g->cap = cap;
    }
    return (char *)g->p + g->size * g->n++;
}

static int dev_status(sqlite3_stmt *st, int col)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return 0;
    return hub_obs_status_from_name(hub_col_text(st, col));
}

static void bind_point(sqlite3_stmt *st, int64_t outlet_id, int64_t t)
{
    hub_bind_i64(st, ":outlet", outlet_id);
    hub_bind_i64(st, ":t", t);
}

static sqlite3_stmt *cov_stmt(struct hub_req *r, bool agg, enum hub_q scoped,
                              enum hub_q aggregate)
{
    return agg ? hub_aggregate(r, aggregate) : hub_scoped(r, scoped);
}

static int cov_compute(struct hub_req *r, int64_t outlet_id, int64_t t,
                       struct hub_coverage *out)
{
    bool agg = r->who.role == HUB_ROLE_DONOR;
    struct grow people = {.size = sizeof(struct hub_cov_person)};
    struct grow acc = {.size = sizeof(struct hub_cov_account)};
    struct grow adm = {.size = sizeof(struct hub_cov_admin)};
    struct grow dev = {.size = sizeof(struct hub_cov_device)};
    struct hub_cov_input in;
    sqlite3_stmt *st;
    int err = KK_ERR_NOMEM;

    st = cov_stmt(r, agg, HUB_Q_COV_PEOPLE, HUB_Q_AGG_PEOPLE);
    bind_point(st, outlet_id, t);
    while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
        struct hub_cov_person *p = grow_next(&people);
        if (p == NULL)
            goto out;
        p->id = sqlite3_column_int64(st, 0);
    }
    st = cov_stmt(r, agg, HUB_Q_COV_ACCOUNTS, HUB_Q_AGG_ACCOUNTS);
    bind_point(st, outlet_id, t);
    while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
        struct hub_cov_account *a = grow_next(&acc);
        if (a == NULL)
            goto out;
        a->id = sqlite3_column_int64(st, 0);
        a->person_id = sqlite3_column_int64(st, 1);
        a->org = sqlite3_column_int(st, 2);
        a->platform = hub_platform_from_name(hub_col_text(st, 3));
        a->tfa = sqlite3_column_type(st, 4) == SQLITE_NULL
                     ? 0
                     : hub_tfa_from_name(hub_col_text(st, 4));
    }
    st = cov_stmt(r, agg, HUB_Q_COV_ADMINS, HUB_Q_AGG_ADMINS);
    bind_point(st, outlet_id, t);
    while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
        struct hub_cov_admin *a = grow_next(&adm);
        if (a == NULL)
            goto out;
        a->account_id = sqlite3_column_int64(st, 0);
        a->person_id = sqlite3_column_int64(st, 1);
    }
    st = cov_stmt(r, agg, HUB_Q_COV_DEVICES, HUB_Q_AGG_DEVICES);
    bind_point(st, outlet_id, t);
    while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
        struct hub_cov_device *dv = grow_next(&dev);
        if (dv == NULL)
            goto out;
        dv->id = sqlite3_column_int64(st, 0);
        for (int c = 0; c < HUB_DC_COUNT; c++)
            dv->check[c] = dev_status(st, 1 + c);
    }
    if (st == NULL || r->err != KK_OK) {
        err = KK_ERR_IO;
        goto out;
    }
    in.people = people.p;
    in.n_people = people.n;
    in.accounts = acc.p;
    in.n_accounts = acc.n;
    in.admins = adm.p;
    in.n_admins = adm.n;
    in.devices = dev.p;
    in.n_devices = dev.n;
    err = hub_coverage_compute(&in, out);
out:
    if (st != NULL)
        sqlite3_reset(st);
    free(people.p);
    free(acc.p);
    free(adm.p);
    free(dev.p);
    return err;
}

/*
 * A cache of computed points.  A point is a pure function of the data, the
 * caller's scope and the date, so it stays valid until the data generation
 * changes (any committed change of outlet data); the dashboard's eight
 * points per outlet then cost a lookup instead of 32 queries.  Keys: the
 * scope (-1 every outlet for trainers, -2 the whole programme for donors,
 * else the user, whose outlets or own records are their scope), the
 * outlet, the date ("now" is one key: nothing can be dated after now
 * without bumping the generation).  Direct-mapped: a collision simply
 * recomputes.
 */
#define COV_CACHE 1024

struct cov_entry {
    uint64_t gen;
    int64_t scope, outlet, t;
    struct hub_coverage c;
};

static struct cov_entry cov_cache[COV_CACHE];
static pthread_mutex_t cov_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t mix(uint64_t x)
{
    /* splitmix64's finaliser: every input bit moves every output bit. */
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9u;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBu;
    return x ^ (x >> 31);
}

static size_t cov_slot(int64_t scope, int64_t outlet, int64_t t)
{
    uint64_t h = mix((uint64_t)scope);
    h = mix(h ^ (uint64_t)outlet);
    h = mix(h ^ (uint64_t)t);
    return (size_t)(h % COV_CACHE);
}

int hub_cov_load(struct hub_req *r, int64_t outlet_id, int64_t t,
                 struct hub_coverage *out)
{
    int64_t scope = hub_cache_scope(r);
    int64_t key_t = t >= hub_now() ? INT64_MAX : t;
    uint64_t gen = hub_data_generation(r->db);
    size_t slot = cov_slot(scope, outlet_id, key_t);
    struct cov_entry *e = &cov_cache[slot];
    bool hit;
    int err;
    pthread_mutex_lock(&cov_lock);
    hit = e->gen == gen && e->scope == scope && e->outlet == outlet_id &&
          e->t == key_t;
    if (hit)
        *out = e->c;
    pthread_mutex_unlock(&cov_lock);
    if (hit)
        return KK_OK;
    err = cov_compute(r, outlet_id, t, out);
    if (err != KK_OK)
        return err;
    pthread_mutex_lock(&cov_lock);
    e->gen = gen;
    e->scope = scope;
    e->outlet = outlet_id;
    e->t = key_t;
    e->c = *out;
    pthread_mutex_unlock(&cov_lock);
    return KK_OK;
}

static int64_t month_start(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    tm.tm_mday = 1;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    return (int64_t)timegm(&tm);
}

static int64_t add_months(int64_t t, int months)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    tm.tm_mon += months;
    return (int64_t)timegm(&tm);
}

int64_t hub_programme_start(struct hub_req *r, int64_t t)
{
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_SETTING_GET);
    int64_t start = month_start(t);
    hub_bind_text(st, ":key", "programme_start");
    if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
        char buf[40];
        int64_t v;
        snprintf(buf, sizeof buf, "%sT00:00:00Z", hub_col_text(st, 0));
        if (kk_parse_time(buf, &v) == KK_OK && v <= t)
            start = v;
    }
    if (st != NULL)
        sqlite3_reset(st);
    return start;
}

int hub_cov_trend(struct hub_req *r, int64_t outlet_id, int64_t now,
                  struct hub_coverage *pts, char labels[][8], size_t *n)
{
    int64_t start = hub_programme_start(r, now);
    int months = 0, first = 0;
    size_t k = 0;
    int err = KK_OK;
    while (add_months(start, months + 1) <= now && months < 1200)
        months++;
    /* Points at the start of months 0..months, then now. */
    if (months + 2 > HUB_TREND_MAX)
        first = months + 2 - HUB_TREND_MAX;
    for (int m = first; m <= months + 1 && err == KK_OK; m++) {
        int64_t t = m <= months ? add_months(start, m) : now;
        if (m == months + 1 && t == add_months(start, months))
            break;
        err = hub_cov_load(r, outlet_id, t, &pts[k]);
        if (m <= months)
            snprintf(labels[k], 8, "M%d", m);
        else
            snprintf(labels[k], 8, "%s", "now");
        k++;
    }
    if (err == KK_OK)
        *n = k;
    return err;
}
