/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_data.c - a report's figures: the points in time (months 0, 3
 * and 6 of the programme, and the "as of" date), the indicators at each
 * point read from the database, the rows every format is written from,
 * and the donor view's suppression.
 *
 * Each point costs the four coverage queries of covdata.c plus five of
 * its own (outlets, people and training by department, findings,
 * incidents), each an index walk over one outlet's rows at a time, so a
 * programme report of four points is about forty small queries: a few
 * milliseconds on the demo programme.  Incidents come back one row each
 * (type and seconds to recovery) because a median cannot be summed; their
 * count is an outlet's handful, not a table scan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "covdata.h"
#include "model.h"
#include "report.h"

const struct hub_rep_ind_info hub_rep_inds[HUB_RI_COUNT] = {
    {"people_2fa", "People with 2FA on everything", HUB_RK_SHARE, HUB_RG_NONE},
    {"org_accounts_ok", "Organisation accounts: 2+ admins, all with 2FA",
     HUB_RK_SHARE, HUB_RG_NONE},
    {"devices_protected", "Devices fully protected", HUB_RK_SHARE, HUB_RG_NONE},
    {"people_trained", "People trained", HUB_RK_SHARE, HUB_RG_DEPT},
    {"training_hours", "Training hours", HUB_RK_TENTHS, HUB_RG_DEPT},
    {"findings_open", "Open findings", HUB_RK_COUNT, HUB_RG_NONE},
    {"findings_resolved", "Resolved findings", HUB_RK_COUNT, HUB_RG_NONE},
    {"incidents", "Incidents reported", HUB_RK_COUNT, HUB_RG_TYPE},
    {"incidents_recovered", "Incidents recovered", HUB_RK_SHARE, HUB_RG_TYPE},
    {"recovery_median_hours", "Median time to recover (hours)", HUB_RK_TENTHS,
     HUB_RG_TYPE},
};

struct dept_fig {
    int64_t people, trained, minutes;
};

struct inc_fig {
    int64_t count, recovered, median;
};

struct ttr {
    size_t slot; /* 1 + index into types */
    int64_t secs;
};

struct build {
    struct hub_req *r;
    struct hub_report *rep;
    bool agg;
    int64_t outlet;
    struct hub_coverage cov[HUB_REP_POINTS_MAX];
    struct dept_fig dept[HUB_REP_POINTS_MAX][HUB_DEPT_COUNT + 1];
    int64_t f_recorded[HUB_REP_POINTS_MAX], f_resolved[HUB_REP_POINTS_MAX];
    char types[HUB_REP_TYPES_MAX][HUB_REP_GROUP_MAX];
    size_t n_types;
    struct inc_fig inc[HUB_REP_POINTS_MAX][HUB_REP_TYPES_MAX + 1];
    struct ttr *ttr; /* one point's incidents, reused */
    size_t n_ttr, cap_ttr;
    int64_t *scratch;
};

static sqlite3_stmt *stmt(struct build *b, enum hub_q scoped, enum hub_q agg)
{
    return b->agg ? hub_aggregate(b->r, agg) : hub_scoped(b->r, scoped);
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* Binds a point's parameters (names a statement lacks are ignored). */
static void bind_point(struct build *b, sqlite3_stmt *st, size_t k)
{
    const struct hub_report *rep = b->rep;
    const struct hub_rep_point *pt = &rep->pts[k];
    const char *upto = strcmp(rep->p.to, pt->day) < 0 ? rep->p.to : pt->day;
    hub_bind_i64(st, ":outlet", b->outlet);
    hub_bind_i64(st, ":t", pt->t);
    hub_bind_text(st, ":from", rep->p.from);
    hub_bind_text(st, ":upto", upto);
    hub_bind_i64(st, ":from_t", rep->p.from_t);
    hub_bind_i64(st, ":upto_t", min64(rep->p.to_t, pt->t));
}

/* Ends a statement: KK_OK if it ran to the end. */
static int done(struct build *b, sqlite3_stmt *st, int rc)
{
    if (st == NULL)
        return b->r->err != KK_OK ? b->r->err : KK_ERR_IO;
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? KK_OK : hub_sql_err(rc);
}

static int load_outlets(struct build *b)
{
    sqlite3_stmt *st = stmt(b, HUB_Q_REP_OUTLETS, HUB_Q_REP_AGG_OUTLETS);
    int rc = SQLITE_ERROR;
    if (st != NULL) {
        bind_point(b, st, b->rep->n_points - 1);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            b->rep->outlets = sqlite3_column_int64(st, 0);
            rc = sqlite3_step(st);
        }
    }
    return done(b, st, rc);
}

static int load_training(struct build *b, size_t k)
{
    struct dept_fig *d = b->dept[k];
    sqlite3_stmt *st = stmt(b, HUB_Q_REP_PEOPLE, HUB_Q_REP_AGG_PEOPLE);
    int rc = SQLITE_ERROR, err;
    if (st != NULL) {
        bind_point(b, st, k);
        rc = sqlite3_step(st);
    }
    while (rc == SQLITE_ROW) {
        int dep = hub_department_from_name(hub_col_text(st, 0));
        int64_t n = sqlite3_column_int64(st, 1);
        d[0].people += n;
        if (dep > 0 && dep <= HUB_DEPT_COUNT)
            d[dep].people += n;
        rc = sqlite3_step(st);
    }
    err = done(b, st, rc);
    if (err != KK_OK)
        goto out;
    st = stmt(b, HUB_Q_REP_TRAINED, HUB_Q_REP_AGG_TRAINED);
    rc = SQLITE_ERROR;
    if (st != NULL) {
        bind_point(b, st, k);
        rc = sqlite3_step(st);
    }
    while (rc == SQLITE_ROW) {
        int dep = hub_department_from_name(hub_col_text(st, 0));
        int64_t n = sqlite3_column_int64(st, 1);
        int64_t m = sqlite3_column_int64(st, 2);
        d[0].trained += n;
        d[0].minutes += m;
        if (dep > 0 && dep <= HUB_DEPT_COUNT) {
            d[dep].trained += n;
            d[dep].minutes += m;
        }
        rc = sqlite3_step(st);
    }
    err = done(b, st, rc);
out:
    return err;
}

static int load_findings(struct build *b, size_t k)
{
    sqlite3_stmt *st = stmt(b, HUB_Q_REP_FINDINGS, HUB_Q_REP_AGG_FINDINGS);
    int rc = SQLITE_ERROR;
    if (st != NULL) {
        bind_point(b, st, k);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            b->f_recorded[k] = sqlite3_column_int64(st, 0);
            b->f_resolved[k] = sqlite3_column_int64(st, 1);
            rc = sqlite3_step(st);
        }
    }
    return done(b, st, rc);
}

static size_t type_find(const struct build *b, const char *type)
{
    for (size_t i = 0; i < b->n_types; i++) {
        if (strcmp(b->types[i], type) == 0)
            return i + 1;
    }
    return 0;
}

/* The slot (1-based) of an incident type; types past the table's size
 * share its last slot, named "other". */
static size_t type_slot(struct build *b, const char *type)
{
    size_t n = strlen(type), slot;
    if (n == 0 || n >= HUB_REP_GROUP_MAX)
        type = "other";
    slot = type_find(b, type);
    if (slot != 0)
        return slot;
    if (b->n_types >= HUB_REP_TYPES_MAX - 1) {
        type = "other";
        slot = type_find(b, type);
        if (slot != 0)
            return slot;
    }
    snprintf(b->types[b->n_types], sizeof b->types[0], "%s", type);
    return ++b->n_types;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int64_t hub_rep_median_tenths(const int64_t *sorted, size_t n)
{
    int64_t two; /* twice the median, in seconds */
    if (n == 0)
        return -1;
    if (n % 2 == 1)
        two = 2 * sorted[n / 2];
    else
        two = sorted[n / 2 - 1] + sorted[n / 2];
    /* tenths of hours = two / 720, rounded half up */
    return (two * 10 + 3600) / 7200;
}

/* The median of slot's recovered incidents (slot 0: all of them). */
static int64_t slot_median(struct build *b, size_t slot)
{
    size_t n = 0;
    for (size_t i = 0; i < b->n_ttr; i++) {
        if (b->ttr[i].secs >= 0 && (slot == 0 || b->ttr[i].slot == slot))
            b->scratch[n++] = b->ttr[i].secs;
    }
    if (n > 1)
        qsort(b->scratch, n, sizeof *b->scratch, cmp_i64);
    return hub_rep_median_tenths(b->scratch, n);
}

static int ttr_add(struct build *b, size_t slot, int64_t secs)
{
    int err = KK_OK;
    if (b->n_ttr == b->cap_ttr) {
        size_t cap = b->cap_ttr != 0 ? b->cap_ttr * 2 : 64;
        struct ttr *t = reallocarray(b->ttr, cap, sizeof *t);
        int64_t *s = reallocarray(b->scratch, cap, sizeof *s);
        if (t != NULL)
            b->ttr = t;
        if (s != NULL)
            b->scratch = s;
        if (t == NULL || s == NULL)
            err = KK_ERR_NOMEM;
        else
            b->cap_ttr = cap;
    }
    if (err == KK_OK) {
        b->ttr[b->n_ttr].slot = slot;
        b->ttr[b->n_ttr].secs = secs;
        b->n_ttr++;
    }
    return err;
}

static int load_incidents(struct build *b, size_t k)
{
    struct inc_fig *f = b->inc[k];
    sqlite3_stmt *st = stmt(b, HUB_Q_REP_INCIDENTS, HUB_Q_REP_AGG_INCIDENTS);
    int rc = SQLITE_ERROR, err = KK_OK;
    b->n_ttr = 0;
    if (st != NULL) {
        bind_point(b, st, k);
        rc = sqlite3_step(st);
    }
    while (rc == SQLITE_ROW && err == KK_OK) {
        size_t slot = type_slot(b, hub_col_text(st, 0));
        bool rec = sqlite3_column_type(st, 1) != SQLITE_NULL;
        f[0].count++;
        f[slot].count++;
        if (rec) {
            f[0].recovered++;
            f[slot].recovered++;
        }
        err = ttr_add(b, slot, rec ? sqlite3_column_int64(st, 1) : -1);
        if (err == KK_OK)
            rc = sqlite3_step(st);
    }
    if (err != KK_OK)
        sqlite3_reset(st);
    else
        err = done(b, st, rc);
    for (size_t s = 0; err == KK_OK && s <= HUB_REP_TYPES_MAX; s++)
        f[s].median = f[s].count > 0 ? slot_median(b, s) : -1;
    return err;
}

static void add_points(struct build *b)
{
    struct hub_report *rep = b->rep;
    int64_t start = hub_programme_start(b->r, hub_now());
    static const int months[] = {0, 3, 6};
    hub_rep_day(start, rep->start);
    rep->n_points = 0;
    for (size_t i = 0; i < sizeof months / sizeof months[0]; i++) {
        int64_t t = hub_rep_add_months(start, months[i]);
        struct hub_rep_point *pt = &rep->pts[rep->n_points];
        if (t > rep->p.as_of_t)
            break;
        snprintf(pt->label, sizeof pt->label, "M%d", months[i]);
        hub_rep_day(t, pt->day);
        pt->t = t;
        rep->n_points++;
    }
    snprintf(rep->pts[rep->n_points].label, sizeof rep->pts[0].label, "%s",
             "as_of");
    memcpy(rep->pts[rep->n_points].day, rep->p.as_of, 11);
    rep->pts[rep->n_points].t = rep->p.as_of_t;
    rep->n_points++;
}

/* --- rows --- */

static struct hub_rep_row *row_add(struct hub_report *rep, int ind,
                                   const char *group, size_t point)
{
    struct hub_rep_row *row;
    if (rep->n_rows >= HUB_REP_ROWS_MAX)
        return NULL;
    row = &rep->rows[rep->n_rows++];
    memset(row, 0, sizeof *row);
    row->ind = ind;
    row->point = (int)point;
    snprintf(row->group, sizeof row->group, "%s", group);
    row->of_state = HUB_RV_NONE;
    return row;
}

static void share(struct hub_rep_row *row, int64_t num, int64_t den)
{
    row->value = num;
    row->of = den;
    row->of_state = HUB_RV_NUM;
}

static void fill_row(const struct build *b, struct hub_rep_row *row,
                     size_t group)
{
    size_t k = (size_t)row->point;
    const struct hub_coverage *c = &b->cov[k];
    /* group indexes departments or incident types, as the indicator says */
    const struct dept_fig *d = hub_rep_inds[row->ind].groups == HUB_RG_DEPT
                                   ? &b->dept[k][group]
                                   : NULL;
    const struct inc_fig *f =
        hub_rep_inds[row->ind].groups == HUB_RG_TYPE ? &b->inc[k][group] : NULL;
    switch (row->ind) {
    case HUB_RI_PEOPLE_2FA:
        share(row, (int64_t)c->people_covered, (int64_t)c->people);
        break;
    case HUB_RI_ORG_OK:
        share(row, (int64_t)c->org_ok, (int64_t)c->org_accounts);
        break;
    case HUB_RI_DEVICES:
        share(row, (int64_t)c->dev_protected, (int64_t)c->devices);
        break;
    case HUB_RI_TRAINED:
        share(row, d->trained, d->people);
        break;
    case HUB_RI_HOURS:
        row->value = (d->minutes * 10 + 30) / 60;
        break;
    case HUB_RI_FINDINGS_OPEN:
        row->value = b->f_recorded[k] - b->f_resolved[k];
        break;
    case HUB_RI_FINDINGS_DONE:
        row->value = b->f_resolved[k];
        break;
    case HUB_RI_INCIDENTS:
        row->value = f->count;
        break;
    case HUB_RI_RECOVERED:
        share(row, f->recovered, f->count);
        break;
    default: /* HUB_RI_MEDIAN */
        row->value = f->median;
        if (f->median < 0)
            row->value_state = HUB_RV_NONE;
        break;
    }
}

static int cmp_type(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int make_rows(struct build *b)
{
    struct hub_report *rep = b->rep;
    const char *order[HUB_REP_TYPES_MAX];
    int err = KK_OK;
    rep->n_rows = 0;
    for (size_t i = 0; i < b->n_types; i++)
        order[i] = b->types[i];
    if (b->n_types > 1)
        qsort(order, b->n_types, sizeof order[0], cmp_type);
    for (int ind = 0; ind < HUB_RI_COUNT && err == KK_OK; ind++) {
        int groups = hub_rep_inds[ind].groups;
        size_t n = groups == HUB_RG_DEPT   ? HUB_DEPT_COUNT + 1
                   : groups == HUB_RG_TYPE ? b->n_types + 1
                                           : 1;
        for (size_t g = 0; g < n && err == KK_OK; g++) {
            const char *name = "";
            size_t slot = g;
            if (g > 0 && groups == HUB_RG_DEPT)
                name = hub_department_name((int)g);
            if (g > 0 && groups == HUB_RG_TYPE) {
                name = order[g - 1];
                slot =
                    (size_t)(order[g - 1] - b->types[0]) / sizeof b->types[0] +
                    1;
            }
            for (size_t k = 0; k < rep->n_points && err == KK_OK; k++) {
                struct hub_rep_row *row = row_add(rep, ind, name, k);
                if (row != NULL)
                    fill_row(b, row, slot);
                else
                    err = KK_ERR_LIMIT;
            }
        }
    }
    return err;
}

/* --- the donor view --- */

static void suppress_value(struct hub_rep_row *row)
{
    row->value_state = HUB_RV_SUPPRESSED;
    row->value = 0;
}

static void suppress_of(struct hub_rep_row *row)
{
    row->of_state = HUB_RV_SUPPRESSED;
    row->of = 0;
}

static struct hub_rep_row *find_row(struct hub_report *rep, int ind,
                                    const char *group, int point)
{
    for (size_t i = 0; i < rep->n_rows; i++) {
        struct hub_rep_row *row = &rep->rows[i];
        if (row->ind == ind && row->point == point &&
            strcmp(row->group, group) == 0)
            return row;
    }
    return NULL;
}

/* Secondary suppression of one measure (the value, or of when of_side)
 * among the departments of one point. */
static void suppress_second(struct hub_report *rep, int ind, int point,
                            bool of_side)
{
    struct hub_rep_row *total = find_row(rep, ind, "", point);
    struct hub_rep_row *small = NULL;
    int hidden = 0;
    if (total == NULL ||
        (of_side ? total->of_state : total->value_state) != HUB_RV_NUM)
        return;
    for (int d = 1; d <= HUB_DEPT_COUNT; d++) {
        struct hub_rep_row *row =
            find_row(rep, ind, hub_department_name(d), point);
        int state;
        int64_t v;
        if (row == NULL)
            continue;
        state = of_side ? row->of_state : row->value_state;
        v = of_side ? row->of : row->value;
        if (state == HUB_RV_SUPPRESSED)
            hidden++;
        else if (small == NULL || v < (of_side ? small->of : small->value))
            small = row;
    }
    if (hidden != 1 || small == NULL)
        return;
    if (of_side)
        suppress_of(small);
    else
        suppress_value(small);
}

void hub_report_suppress(struct hub_report *rep)
{
    /* Hours of fewer than HUB_K_MIN people (read before the trained
     * counts themselves are suppressed below). */
    for (size_t i = 0; i < rep->n_rows; i++) {
        struct hub_rep_row *row = &rep->rows[i];
        struct hub_rep_row *tr;
        if (row->ind != HUB_RI_HOURS)
            continue;
        tr = find_row(rep, HUB_RI_TRAINED, row->group, row->point);
        if (tr == NULL || tr->value < HUB_K_MIN)
            suppress_value(row);
    }
    /* Counts of fewer than HUB_K_MIN people, and shares whose complement
     * is such a count. */
    for (size_t i = 0; i < rep->n_rows; i++) {
        struct hub_rep_row *row = &rep->rows[i];
        int64_t v = row->value, of = row->of;
        if (row->ind != HUB_RI_PEOPLE_2FA && row->ind != HUB_RI_TRAINED)
            continue;
        if (of < HUB_K_MIN) {
            suppress_of(row);
            suppress_value(row);
        } else if (v < HUB_K_MIN || (of - v > 0 && of - v < HUB_K_MIN)) {
            suppress_value(row);
        }
    }
    /* Secondary: a lone hidden department would follow from the total. */
    for (size_t k = 0; k < rep->n_points; k++) {
        suppress_second(rep, HUB_RI_TRAINED, (int)k, false);
        suppress_second(rep, HUB_RI_TRAINED, (int)k, true);
        suppress_second(rep, HUB_RI_HOURS, (int)k, false);
    }
}

/* --- building --- */

int hub_report_build(struct hub_req *r, const struct hub_rep_params *p,
                     struct hub_report *rep)
{
    struct build *b = calloc(1, sizeof *b);
    int err = KK_OK;
    if (b == NULL) {
        err = KK_ERR_NOMEM;
        goto out;
    }
    memset(rep, 0, sizeof *rep);
    rep->p = *p;
    rep->generated_at = hub_now();
    b->r = r;
    b->rep = rep;
    b->agg = r->who.role == HUB_ROLE_DONOR;
    b->outlet = p->scope == HUB_REP_OUTLET && !b->agg ? p->outlet_id : 0;
    if (b->agg)
        rep->p.view = HUB_REP_DONOR;
    add_points(b);
    for (size_t k = 0; k < rep->n_points && err == KK_OK; k++) {
        err = hub_cov_load(r, b->outlet, rep->pts[k].t, &b->cov[k]);
        if (err == KK_OK)
            err = load_training(b, k);
        if (err == KK_OK)
            err = load_findings(b, k);
        if (err == KK_OK)
            err = load_incidents(b, k);
    }
    if (err == KK_OK)
        err = load_outlets(b);
    if (err == KK_OK)
        err = make_rows(b);
    if (err == KK_OK && rep->p.view == HUB_REP_DONOR)
        hub_report_suppress(rep);
    if (err == KK_OK)
        err = hub_report_hash(rep);
    free(b->ttr);
    free(b->scratch);
    free(b);
out:
    return err;
}
