/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * demo_selection.c - the demo programme's selection: the call that chose
 * the five demo outlets (decided before month 0: their applications
 * selected and linked to the outlets, four others declined and waiting
 * for their retention to end, reviews by the trainer and the selection
 * panel, one conflict of interest declared), and the next cohort's call,
 * open now, with three applications under review.
 *
 * Every value comes from the demo's streams (hub_demo_id, hub_demo_below)
 * and the outlets read back in slug order, so the same seed gives the
 * same rows.  Applicants' contact addresses are role addresses on domains
 * of their own, never a demo person's e-mail.  Receipt hashes are hashes
 * of random bytes: nobody holds a demo receipt.
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "selection.h"

#define DAY SEL_DAY
#define N_CRIT 4
#define OUTLETS_MAX 8

static const struct {
    const char *name;
    int weight;
} criteria[N_CRIT] = {
    {"Public-interest journalism", 30},
    {"Exposure to digital threats", 30},
    {"Commitment of the management", 25},
    {"Capacity to take part", 15},
};

/* Answers, one per criterion; the first follows the outlet's name. */
static const char *const answers[N_CRIT] = {
    " reports on local government, courts and public money; our "
    "investigations are read and quoted across the region.",
    "Our Facebook page was restricted twice last year after mass reports, "
    "and a reporter's Telegram account was taken over through an SMS code.",
    "The editor-in-chief and the director will both attend the residencies "
    "and have agreed to give staff time for the follow-up work.",
    "We can send three people to each residency; our office has a stable "
    "connection and one person who looks after the computers.",
};

struct applicant {
    const char *name, *media, *region, *email, *contact;
    int staff;
};

static const struct applicant declined[] = {
    {"Ala-Too Courier", "print", "Talas", "editor@alatoo-courier.example",
     "Nurlan Toktogulov", 9},
    {"Batken Today", "web", "Batken", "newsroom@batken-today.example",
     "Aizada Mamatova", 6},
    {"Sary-Chelek Radio", "radio", "Jalal-Abad", "info@sarychelek-fm.example",
     "Bakyt Usenov", 11},
    {"Tokmok Times", "web", "Chuy (Tokmok)", "desk@tokmok-times.example",
     "Elena Sokolova", 7},
};

static const struct applicant waiting[] = {
    {"Talas Zhanylyktary", "web", "Talas", "redaktsiya@talas-news.example",
     "Gulnara Asanova", 8},
    {"Osh Shamy", "radio", "Osh", "efir@osh-shamy.example", "Timur Abdullaev",
     12},
    {"Kara-Balta Bulletin", "print", "Chuy (Kara-Balta)",
     "office@kb-bulletin.example", "Dinara Ermekova", 5},
};

struct outlet_row {
    int64_t id, staff;
    char name[KK_HUB_NAME_MAX + 1];
    char media[16], region[SEL_REGION_MAX + 1], slug[48];
};

struct world {
    struct hub_demo_ctx *x;
    int64_t panel; /* 0 when the demo has no panel login */
    struct outlet_row outlets[OUTLETS_MAX];
    size_t n_outlets;
};

static int fail(struct world *w, const char *what, int err)
{
    kk_diag_set(w->x->d, "demo: cannot write %s: %s", what, kk_strerror(err));
    return err;
}

static int read_back(struct world *w)
{
    sqlite3_stmt *st = hub_q(w->x->c, HUB_Q_DEMO_SELECTION_OUTLETS);
    int rc;
    if (st == NULL)
        return fail(w, "the selection (outlets)", KK_ERR_IO);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
           w->n_outlets < OUTLETS_MAX) {
        struct outlet_row *o = &w->outlets[w->n_outlets++];
        o->id = sqlite3_column_int64(st, 0);
        snprintf(o->name, sizeof o->name, "%s", hub_col_text(st, 1));
        snprintf(o->media, sizeof o->media, "%s", hub_col_text(st, 2));
        snprintf(o->region, sizeof o->region, "%s", hub_col_text(st, 3));
        o->staff = sqlite3_column_int64(st, 4);
        snprintf(o->slug, sizeof o->slug, "%s", hub_col_text(st, 5));
    }
    sqlite3_reset(st);
    st = hub_q(w->x->c, HUB_Q_DEMO_SELECTION_PANEL);
    if (st == NULL)
        return fail(w, "the selection (panel)", KK_ERR_IO);
    if (sqlite3_step(st) == SQLITE_ROW)
        w->panel = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return KK_OK;
}

static int call_write(struct world *w, int64_t id, const char *title,
                      const char *description, int64_t opens, int64_t closes,
                      int64_t retention, bool decided, int64_t at,
                      int64_t decided_at)
{
    sqlite3_stmt *st = hub_q(w->x->c, HUB_Q_DEMO_SELECTION_CALL);
    char o[11], c[11];
    int err;
    if (st == NULL)
        return fail(w, "a call", KK_ERR_IO);
    sel_day(opens, o);
    sel_day(closes, c);
    hub_bind_i64(st, ":id", id);
    hub_bind_text(st, ":title", title);
    hub_bind_text(st, ":description", description);
    hub_bind_i64(st, ":seats", 5);
    hub_bind_text(st, ":opens", o);
    hub_bind_text(st, ":closes", c);
    hub_bind_i64(st, ":retention", retention);
    hub_bind_text(st, ":status", decided ? "decided" : "open");
    hub_bind_i64(st, ":by", w->x->trainer);
    hub_bind_i64(st, ":at", at);
    if (decided)
        hub_bind_i64(st, ":decided", decided_at);
    else
        hub_bind_null(st, ":decided");
    err = hub_exec(st);
    for (int k = 0; k < N_CRIT && err == KK_OK; k++) {
        st = hub_q(w->x->c, HUB_Q_DEMO_SELECTION_CRITERION);
        if (st == NULL)
            return fail(w, "a criterion", KK_ERR_IO);
        hub_bind_i64(st, ":call", id);
        hub_bind_i64(st, ":pos", k + 1);
        hub_bind_text(st, ":name", criteria[k].name);
        hub_bind_i64(st, ":weight", criteria[k].weight);
        err = hub_exec(st);
    }
    return err != KK_OK ? fail(w, "a call", err) : KK_OK;
}

/* One application; decided 0 leaves it under review. */
struct app_row {
    int64_t id, call, at, decided, purge, outlet, staff;
    const char *status, *name, *media, *region, *email, *contact;
};

static int app_write(struct world *w, const struct app_row *a)
{
    sqlite3_stmt *st = hub_q(w->x->c, HUB_Q_DEMO_SELECTION_APP);
    struct kk_buf *ans = kk_buf_new(4096);
    uint8_t raw[16], h[32];
    char text[512];
    int err = ans != NULL ? kk_buf_putc(ans, '{') : KK_ERR_NOMEM;
    for (int k = 0; k < N_CRIT && err == KK_OK; k++) {
        snprintf(text, sizeof text, "%s%s", a->name, answers[0]);
        if (k > 0)
            err = kk_buf_putc(ans, ',');
        if (err == KK_OK)
            err = kk_json_str(ans, criteria[k].name);
        if (err == KK_OK)
            err = kk_buf_putc(ans, ':');
        if (err == KK_OK)
            err = kk_json_str(ans, k == 0 ? text : answers[k]);
    }
    if (err == KK_OK)
        err = kk_buf_putc(ans, '}');
    if (err != KK_OK || st == NULL) {
        kk_buf_free(ans);
        return fail(w, "an application", st == NULL ? KK_ERR_IO : err);
    }
    for (size_t i = 0; i < sizeof raw; i++)
        raw[i] = (uint8_t)hub_demo_below(w->x, 256);
    hub_hash(raw, sizeof raw, h);
    hub_bind_i64(st, ":id", a->id);
    hub_bind_i64(st, ":call", a->call);
    hub_bind_blob(st, ":receipt", h, sizeof h);
    hub_bind_text(st, ":name", a->name);
    hub_bind_text(st, ":media", a->media);
    hub_bind_text(st, ":region", a->region);
    hub_bind_i64(st, ":staff", a->staff);
    hub_bind_text(st, ":contact", a->contact);
    hub_bind_text(st, ":email", a->email);
    hub_bind_text(st, ":answers", kk_buf_str(ans));
    hub_bind_text(st, ":status", a->status);
    hub_bind_i64(st, ":at", a->at);
    if (a->decided != 0)
        hub_bind_i64(st, ":decided", a->decided);
    else
        hub_bind_null(st, ":decided");
    if (a->purge != 0)
        hub_bind_i64(st, ":purge", a->purge);
    else
        hub_bind_null(st, ":purge");
    if (a->outlet != 0)
        hub_bind_i64(st, ":outlet", a->outlet);
    else
        hub_bind_null(st, ":outlet");
    err = hub_exec(st);
    kk_buf_free(ans);
    return err != KK_OK ? fail(w, "an application", err) : KK_OK;
}

/* One reviewer's scores around base (0..10), with a note. */
static int review(struct world *w, int64_t app, int64_t by, int base,
                  int64_t at, const char *note)
{
    int err = KK_OK;
    if (by == 0)
        return KK_OK;
    for (int k = 0; k < N_CRIT && err == KK_OK; k++) {
        sqlite3_stmt *st = hub_q(w->x->c, HUB_Q_DEMO_SELECTION_SCORE);
        int s = base - 1 + (int)hub_demo_below(w->x, 3);
        if (st == NULL)
            return fail(w, "a score", KK_ERR_IO);
        hub_bind_i64(st, ":app", app);
        hub_bind_i64(st, ":by", by);
        hub_bind_text(st, ":criterion", criteria[k].name);
        hub_bind_i64(st, ":score", s < 0 ? 0 : s > 10 ? 10 : s);
        hub_bind_text(st, ":note", note);
        hub_bind_i64(st, ":at", at);
        err = hub_exec(st);
    }
    return err != KK_OK ? fail(w, "a score", err) : KK_OK;
}

static int decided_call(struct world *w)
{
    struct hub_demo_ctx *x = w->x;
    int64_t call = hub_demo_id(x);
    int64_t opens = x->start - 75 * DAY, closes = x->start - 45 * DAY;
    int64_t decided = x->start - 30 * DAY, retention = 270;
    int err = call_write(
        w, call, "Digital security programme 2026: call for newsrooms",
        "Six months of training, assessments and follow-up for five "
        "independent newsrooms of Kyrgyzstan. Tell us about your work and "
        "the threats you face.",
        opens, closes, retention, true, opens - 5 * DAY, decided);
    for (size_t i = 0; i < w->n_outlets && err == KK_OK; i++) {
        const struct outlet_row *o = &w->outlets[i];
        char email[96];
        struct app_row a = {0};
        snprintf(email, sizeof email, "office@%s.example", o->slug);
        a.id = hub_demo_id(x);
        a.call = call;
        a.at = opens + (int64_t)hub_demo_below(x, 28) * DAY + 36000;
        a.decided = decided - 5 * DAY;
        a.outlet = o->id;
        a.staff = o->staff;
        a.status = "selected";
        a.name = o->name;
        a.media = o->media;
        a.region = o->region;
        a.email = email;
        a.contact = "Editorial office";
        err = app_write(w, &a);
        if (err == KK_OK)
            err = review(w, a.id, x->trainer, 8, closes + 3 * DAY,
                         "A strong newsroom with real exposure.");
        if (err == KK_OK)
            err = review(w, a.id, w->panel, 8, closes + 5 * DAY, "");
    }
    for (size_t i = 0; i < sizeof declined / sizeof declined[0] && err == KK_OK;
         i++) {
        const struct applicant *p = &declined[i];
        bool conflict = i == sizeof declined / sizeof declined[0] - 1;
        struct app_row a = {0};
        a.id = hub_demo_id(x);
        a.call = call;
        a.at = opens + (int64_t)hub_demo_below(x, 28) * DAY + 50400;
        a.decided = decided;
        a.purge = decided + retention * DAY;
        a.staff = p->staff;
        a.status = "declined";
        a.name = p->name;
        a.media = p->media;
        a.region = p->region;
        a.email = p->email;
        a.contact = p->contact;
        err = app_write(w, &a);
        if (err == KK_OK)
            err = review(w, a.id, x->trainer, 4 + (int)(i % 2),
                         closes + 3 * DAY, "");
        if (err == KK_OK && !conflict)
            err = review(w, a.id, w->panel, 5, closes + 5 * DAY,
                         "Good reporting, but little exposure so far.");
        if (err == KK_OK && conflict && w->panel != 0) {
            sqlite3_stmt *st = hub_q(x->c, HUB_Q_DEMO_SELECTION_CONFLICT);
            if (st == NULL)
                return fail(w, "a conflict of interest", KK_ERR_IO);
            hub_bind_i64(st, ":app", a.id);
            hub_bind_i64(st, ":by", w->panel);
            hub_bind_text(st, ":note",
                          "I worked for this newspaper until 2024.");
            hub_bind_i64(st, ":at", closes + 1 * DAY);
            err = hub_exec(st);
            if (err != KK_OK)
                err = fail(w, "a conflict of interest", err);
        }
    }
    return err;
}

static int open_call(struct world *w)
{
    struct hub_demo_ctx *x = w->x;
    int64_t call = hub_demo_id(x);
    int64_t opens = x->now - 10 * DAY, closes = x->now + 20 * DAY;
    int err = call_write(
        w, call, "Second cohort 2027: call for newsrooms",
        "The programme takes five more newsrooms from next year. Regional "
        "and minority-language outlets are especially welcome.",
        opens, closes, 90, false, opens - 2 * DAY, 0);
    for (size_t i = 0; i < sizeof waiting / sizeof waiting[0] && err == KK_OK;
         i++) {
        const struct applicant *p = &waiting[i];
        struct app_row a = {0};
        a.id = hub_demo_id(x);
        a.call = call;
        a.at = opens + (int64_t)(i * 3 + hub_demo_below(x, 3)) * DAY + 32400;
        a.staff = p->staff;
        a.status = "submitted";
        a.name = p->name;
        a.media = p->media;
        a.region = p->region;
        a.email = p->email;
        a.contact = p->contact;
        err = app_write(w, &a);
        if (err == KK_OK && i == 0)
            err = review(w, a.id, x->trainer, 7, x->now - 2 * DAY,
                         "Worth a visit before we decide.");
    }
    return err;
}

int hub_demo_selection(struct hub_demo_ctx *x)
{
    struct world w;
    int err;
    memset(&w, 0, sizeof w);
    w.x = x;
    err = read_back(&w);
    if (err == KK_OK)
        err = decided_call(&w);
    if (err == KK_OK)
        err = open_call(&w);
    return err;
}
