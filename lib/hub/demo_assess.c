/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * demo_assess.c - the demo programme's assessments, risk matrices,
 * findings and action plans.
 *
 * Each outlet gets a closed baseline in the first week of month 0 whose
 * results cover about three quarters of the baseline sheet; a result
 * agrees with the demo's own observation of the same control and subject
 * when there is one, and is drawn otherwise.  Four outlets of five get a
 * midline in month 3 (the last one still open, being filled in), each
 * outlet three to six risks, a finding for each of the heaviest failed
 * controls of its baseline, and one or two tasks per finding with owners
 * and due dates: done for resolved findings, open otherwise, a third of
 * the open ones overdue.  Everything is drawn from the area's own streams,
 * so the same seed and time give the same rows (sealed text aside, whose
 * nonces are fresh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess.h"
#include "model.h"
#include "programme.h"
#include "seal.h"

#define DAY INT64_C(86400)
#define OUTLETS_MAX 16
#define PEOPLE_MAX 200
#define FINDINGS_PER_OUTLET 8

struct latest {
    char stype[8];
    int64_t sid;
    char control[17];
    char status[8];
};

struct outlet_data {
    int64_t id;
    struct hub_assess_subject *s;
    size_t ns;
    int64_t people[PEOPLE_MAX];
    size_t n_people;
};

static int fail(struct hub_demo_ctx *x, const char *what)
{
    kk_diag_set(x->d, "demo: cannot write the %s: %s", what,
                sqlite3_errmsg(x->c->db));
    return KK_ERR_IO;
}

static int run(struct hub_demo_ctx *x, sqlite3_stmt *st, const char *what)
{
    int err = hub_exec(st);
    return err == KK_OK ? KK_OK : fail(x, what);
}

static void day_of(int64_t t, char out[16])
{
    char buf[32];
    if (kk_format_time(t, buf, sizeof buf) != KK_OK)
        snprintf(buf, sizeof buf, "1970-01-01");
    snprintf(out, 16, "%.10s", buf);
}

static int load_outlet(struct hub_demo_ctx *x, struct outlet_data *o)
{
    sqlite3_stmt *st = hub_q(x->c, HUB_Q_DEMO_ASMT_SUBJECTS);
    size_t cap = 0;
    int err = KK_OK;
    if (st == NULL)
        return fail(x, "assessment subjects");
    hub_bind_i64(st, ":outlet", o->id);
    while (err == KK_OK && sqlite3_step(st) == SQLITE_ROW) {
        static const char *const types[] = {"outlet", "person", "account",
                                            "device", "website"};
        struct hub_assess_subject *s;
        int rank = sqlite3_column_int(st, 0);
        if (o->ns == cap) {
            size_t nc = cap != 0 ? cap * 2 : 64;
            struct hub_assess_subject *nv = reallocarray(o->s, nc, sizeof *nv);
            if (nv == NULL) {
                err = KK_ERR_NOMEM;
                break;
            }
            o->s = nv;
            cap = nc;
        }
        s = &o->s[o->ns++];
        memset(s, 0, sizeof *s);
        s->type = types[rank >= 1 && rank <= 5 ? rank - 1 : 0];
        s->id = sqlite3_column_int64(st, 2);
        if (rank == 3)
            s->kind = hub_platform_from_name(hub_col_text(st, 3));
        else if (rank == 4)
            s->kind = hub_device_kind_from_name(hub_col_text(st, 3));
        s->created = sqlite3_column_int64(st, 6);
        s->archived = sqlite3_column_int64(st, 7);
    }
    sqlite3_reset(st);
    st = hub_q(x->c, HUB_Q_DEMO_ASMT_PEOPLE);
    if (st == NULL)
        return fail(x, "assessment owners");
    hub_bind_i64(st, ":outlet", o->id);
    while (err == KK_OK && o->n_people < PEOPLE_MAX &&
           sqlite3_step(st) == SQLITE_ROW)
        o->people[o->n_people++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return err;
}

/* The demo's own observations of the outlet at t. */
static int load_latest(struct hub_demo_ctx *x, int64_t outlet, int64_t t,
                       struct latest **out, size_t *n)
{
    sqlite3_stmt *st = hub_q(x->c, HUB_Q_DEMO_ASMT_LATEST);
    struct latest *v = NULL;
    size_t k = 0, cap = 0;
    if (st == NULL)
        return fail(x, "assessment observations");
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_i64(st, ":t", t);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (k == cap) {
            size_t nc = cap != 0 ? cap * 2 : 256;
            struct latest *nv = reallocarray(v, nc, sizeof *nv);
            if (nv == NULL) {
                sqlite3_reset(st);
                free(v);
                return KK_ERR_NOMEM;
            }
            v = nv;
            cap = nc;
        }
        snprintf(v[k].stype, sizeof v[k].stype, "%s", hub_col_text(st, 0));
        v[k].sid = sqlite3_column_int64(st, 1);
        snprintf(v[k].control, sizeof v[k].control, "%s", hub_col_text(st, 2));
        snprintf(v[k].status, sizeof v[k].status, "%s", hub_col_text(st, 3));
        k++;
    }
    sqlite3_reset(st);
    *out = v;
    *n = k;
    return KK_OK;
}

static const char *known_status(const struct latest *v, size_t n,
                                const char *stype, int64_t sid,
                                const char *control)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i].sid == sid && strcmp(v[i].control, control) == 0 &&
            strcmp(v[i].stype, stype) == 0)
            return hub_assess_result_from(v[i].status) != 0 ? v[i].status
                                                            : NULL;
    }
    return NULL;
}

static const char *drawn_status(struct hub_demo_ctx *x, bool midline)
{
    uint64_t d = hub_demo_below(x, 100);
    if (midline)
        return d < 55 ? "pass" : d < 70 ? "partial" : d < 95 ? "fail" : "na";
    return d < 30 ? "pass" : d < 45 ? "partial" : d < 95 ? "fail" : "na";
}

/* Writes one assessment with results for share% of its baseline sheet;
 * fails[] (when given) gets the control ids that failed. */
static int write_assessment(struct hub_demo_ctx *x, struct outlet_data *o,
                            const char *kind, int64_t at, bool closed,
                            unsigned share, int64_t *aid,
                            const struct hub_control **fails, size_t *n_fails)
{
    static const char *const notes[] = {
        "Checked on the person's own screen.",
        "Seen during the office walk-through.",
        "Screenshot kept by the trainer.",
        "Told by the focal point; spot check due.",
        "",
    };
    struct hub_assess_pair *p = NULL;
    struct latest *lat = NULL;
    size_t np = 0, nl = 0;
    char held[16];
    sqlite3_stmt *st;
    int64_t id = hub_demo_id(x);
    bool midline = strcmp(kind, "midline") == 0;
    int err =
        hub_assess_expand(hub_catalogue_builtin(), o->s, o->ns, 0, at, &p, &np);
    if (err == KK_OK)
        err = load_latest(x, o->id, at, &lat, &nl);
    if (err != KK_OK)
        goto out;
    day_of(at, held);
    st = hub_q(x->c, HUB_Q_DEMO_ASMT_INSERT);
    hub_bind_i64(st, ":id", id);
    hub_bind_i64(st, ":outlet", o->id);
    hub_bind_text(st, ":kind", kind);
    hub_bind_text(st, ":held_on", held);
    hub_bind_i64(st, ":assessor", x->trainer);
    hub_bind_text(st, ":status", closed ? "closed" : "open");
    hub_bind_i64(st, ":now", at);
    hub_bind_i64(st, ":closed", closed ? at + 3 * DAY : 0);
    err = hub_bind_sealed_db(
        x->c->owner, st, ":summary", ASMT_SEAL_SUMMARY, id,
        closed ? (midline ? "Clear progress on accounts since the "
                            "baseline; devices and backups lag behind."
                          : "Most staff use SMS or no second step on their "
                            "accounts; the Page has a former employee as "
                            "admin; laptops are not encrypted.")
               : NULL);
    if (err == KK_OK)
        err = run(x, st, "assessment");
    for (size_t i = 0; i < np && err == KK_OK; i++) {
        const struct hub_control *c = p[i].ctl;
        const struct hub_assess_subject *s = &o->s[p[i].subject];
        const char *status;
        int64_t when;
        if (strcmp(c->level, "baseline") != 0 ||
            hub_demo_below(x, 100) >= share)
            continue;
        /* On an account, the demo observes its platform's 2FA control. */
        if (strcmp(s->type, "account") == 0 &&
            strcmp(c->id, hub_platform_control(s->kind) != NULL
                              ? hub_platform_control(s->kind)
                              : "") != 0)
            continue;
        status = known_status(lat, nl, s->type, s->id, c->id);
        if (status == NULL)
            status = drawn_status(x, midline);
        when = at + (int64_t)hub_demo_below(x, 2 * DAY);
        st = hub_q(x->c, HUB_Q_DEMO_ASMT_RESULT);
        hub_bind_i64(st, ":outlet", o->id);
        hub_bind_text(st, ":stype", s->type);
        hub_bind_i64(st, ":sid", s->id);
        hub_bind_text(st, ":control", c->id);
        hub_bind_text(st, ":status", status);
        hub_bind_text(st, ":note", notes[hub_demo_below(x, 5)]);
        hub_bind_i64(st, ":at", when);
        hub_bind_i64(st, ":assessor", x->trainer);
        hub_bind_i64(st, ":expires", when + (int64_t)c->stale_days * DAY);
        hub_bind_i64(st, ":assessment", id);
        err = run(x, st, "assessment result");
        if (err == KK_OK && fails != NULL && strcmp(status, "fail") == 0) {
            bool seen = false;
            for (size_t k = 0; k < *n_fails && !seen; k++)
                seen = fails[k] == c;
            if (!seen)
                fails[(*n_fails)++] = c;
        }
    }
    *aid = id;
out:
    free(p);
    free(lat);
    return err;
}

static int write_risks(struct hub_demo_ctx *x, const struct outlet_data *o,
                       int64_t assessment, int64_t at)
{
    static const struct {
        const char *adversary, *work, *notes;
        int capability;
    } pool[] = {
        {"State security service", "Sources' identities and contacts",
         "Can demand data from providers and seize devices.", 5},
        {"Organised trolls", "The Facebook Page's reach",
         "Mass reporting has had the Page restricted before.", 3},
        {"Hired hackers", "The website and its archive",
         "Defacement and DDoS after investigations are published.", 4},
        {"Local officials", "Reporting from the regions",
         "Pressure through landlords and tax inspections.", 3},
        {"Former staff member", "Admin rights on Pages and channels",
         "Left on bad terms; may still hold a login.", 2},
        {"Phishing criminals", "Work e-mail and payroll",
         "Fake invoices and password pages sent to the finance team.", 2},
        {"Platform moderation", "The Telegram channel",
         "Automated takedowns after complaints.", 3},
    };
    size_t n = 3 + hub_demo_below(x, 4), first = hub_demo_below(x, 7);
    int err = KK_OK;
    for (size_t i = 0; i < n && err == KK_OK; i++) {
        size_t k = (first + i) % (sizeof pool / sizeof pool[0]);
        int64_t id = hub_demo_id(x);
        sqlite3_stmt *st = hub_q(x->c, HUB_Q_DEMO_ASMT_RISK);
        hub_bind_i64(st, ":id", id);
        hub_bind_i64(st, ":outlet", o->id);
        hub_bind_i64(st, ":assessment", assessment);
        hub_bind_text(st, ":adversary", pool[k].adversary);
        hub_bind_i64(st, ":capability", pool[k].capability);
        hub_bind_i64(st, ":likelihood", 1 + (int64_t)hub_demo_below(x, 5));
        hub_bind_i64(st, ":impact", 2 + (int64_t)hub_demo_below(x, 4));
        hub_bind_i64(st, ":now", at);
        err = hub_bind_sealed_db(x->c->owner, st, ":work", ASMT_SEAL_WORK, id,
                                 pool[k].work);
        if (err == KK_OK)
            err = hub_bind_sealed_db(x->c->owner, st, ":notes", ASMT_SEAL_NOTES,
                                     id, pool[k].notes);
        if (err == KK_OK)
            err = run(x, st, "risk");
    }
    return err;
}

static int write_plan(struct hub_demo_ctx *x, const struct outlet_data *o,
                      int64_t assessment, int64_t at,
                      const struct hub_control **fails, size_t n_fails)
{
    char title[KK_HUB_NAME_MAX + 1], due[16];
    size_t made = 0;
    int err = KK_OK;
    /* The heaviest failed controls first (a stable selection sort). */
    for (size_t i = 0; i < n_fails; i++) {
        size_t best = i;
        for (size_t k = i + 1; k < n_fails; k++) {
            if (fails[k]->weight > fails[best]->weight)
                best = k;
        }
        if (best != i) {
            const struct hub_control *t = fails[best];
            memmove(&fails[i + 1], &fails[i], (best - i) * sizeof *fails);
            fails[i] = t;
        }
    }
    for (size_t i = 0;
         i < n_fails && made < FINDINGS_PER_OUTLET && err == KK_OK;
         i++, made++) {
        const struct hub_control *c = fails[i];
        int64_t fid = hub_demo_id(x), created = at + 4 * DAY;
        uint64_t d = hub_demo_below(x, 100);
        const char *status = d < 40 ? "resolved" : d < 50 ? "accepted" : "open";
        int64_t resolved =
            strcmp(status, "resolved") == 0
                ? created + (int64_t)(30 + hub_demo_below(x, 90)) * DAY
                : 0;
        size_t tasks = 1 + hub_demo_below(x, 2);
        sqlite3_stmt *st = hub_q(x->c, HUB_Q_DEMO_ASMT_FINDING);
        hub_bind_i64(st, ":id", fid);
        hub_bind_i64(st, ":outlet", o->id);
        hub_bind_i64(st, ":assessment", assessment);
        hub_bind_text(st, ":controls", c->id);
        hub_bind_i64(st, ":likelihood", 2 + (int64_t)hub_demo_below(x, 4));
        hub_bind_i64(st, ":impact", c->weight < 1 ? 1 : c->weight);
        hub_bind_text(st, ":status", status);
        hub_bind_i64(st, ":now", created);
        hub_bind_i64(st, ":resolved", resolved);
        err = hub_bind_sealed_db(x->c->owner, st, ":title", ASMT_SEAL_FINDING,
                                 fid, c->title[0]);
        if (err == KK_OK)
            err = run(x, st, "finding");
        for (size_t t = 0; t < tasks && err == KK_OK; t++) {
            bool done = resolved != 0;
            int64_t due_t, done_t = 0;
            if (done) {
                due_t = resolved + (int64_t)hub_demo_below(x, 10) * DAY;
                done_t = resolved - (int64_t)hub_demo_below(x, 5) * DAY;
            } else if (hub_demo_below(x, 3) == 0) {
                due_t = x->now - (int64_t)(3 + hub_demo_below(x, 40)) * DAY;
            } else {
                due_t = x->now + (int64_t)(5 + hub_demo_below(x, 60)) * DAY;
            }
            snprintf(title, sizeof title, "%s %s: %s",
                     t == 0 ? "Put right" : "Check again", c->id, c->title[0]);
            if (strlen(title) > 120)
                memcpy(title + 117, "...", 4);
            day_of(due_t, due);
            st = hub_q(x->c, HUB_Q_DEMO_ASMT_TASK);
            hub_bind_i64(st, ":id", hub_demo_id(x));
            hub_bind_i64(st, ":outlet", o->id);
            hub_bind_i64(st, ":finding", fid);
            hub_bind_text(st, ":title", title);
            hub_bind_i64(st, ":owner",
                         o->n_people > 0
                             ? o->people[hub_demo_below(x, o->n_people)]
                             : 0);
            hub_bind_text(st, ":due", due);
            hub_bind_text(st, ":status", done ? "done" : "open");
            hub_bind_i64(st, ":now", created);
            hub_bind_i64(st, ":done", done_t);
            err = run(x, st, "task");
        }
    }
    return err;
}

int hub_demo_assess(struct hub_demo_ctx *x)
{
    int64_t outlets[OUTLETS_MAX];
    size_t n = 0;
    sqlite3_stmt *st = hub_q(x->c, HUB_Q_DEMO_ASMT_OUTLETS);
    const struct hub_control **fails = NULL;
    int err = KK_OK;
    if (st == NULL)
        return fail(x, "assessment outlets");
    while (n < OUTLETS_MAX && sqlite3_step(st) == SQLITE_ROW)
        outlets[n++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    fails =
        calloc(hub_catalogue_len(hub_catalogue_builtin()) + 1, sizeof *fails);
    if (fails == NULL)
        return KK_ERR_NOMEM;
    for (size_t i = 0; i < n && err == KK_OK; i++) {
        struct outlet_data o;
        int64_t base = 0, mid = 0;
        int64_t at0 =
            x->start + (int64_t)(2 + hub_demo_below(x, 5)) * DAY + 10 * 3600;
        int64_t at3 =
            x->start + (int64_t)(91 + hub_demo_below(x, 7)) * DAY + 10 * 3600;
        size_t n_fails = 0;
        memset(&o, 0, sizeof o);
        o.id = outlets[i];
        err = load_outlet(x, &o);
        if (err == KK_OK)
            err = write_assessment(x, &o, "baseline", at0, true, 75, &base,
                                   fails, &n_fails);
        if (err == KK_OK && i < 4 && at3 + 5 * DAY < x->now)
            err = write_assessment(x, &o, "midline", at3, i != 3, 60, &mid,
                                   NULL, NULL);
        if (err == KK_OK)
            err = write_risks(x, &o, base, at0 + DAY);
        if (err == KK_OK)
            err = write_plan(x, &o, base, at0, fails, n_fails);
        free(o.s);
    }
    free(fails);
    return err;
}
