/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * demo_training.c - the demo programme's training: the standard
 * curriculum, three residencies over the six months and one planned, and
 * the attendance of most people with their hours and quiz scores.
 *
 * The shape is meant to show what the pages are for: the first two
 * residencies gather every outlet, the third only the two the assistant
 * trainer visits; quiz scores rise from before to after and from one
 * residency to the next; the lagging outlet (the print one) sends nobody
 * from finance, so its progress page has a department to call out, and
 * the modules of the residency still to come are uncovered everywhere.
 * Every draw comes from x's streams, so the same seed gives the same rows.
 */
#include <stdio.h>
#include <string.h>

#include "programme.h"
#include "training.h"

#define DAY INT64_C(86400)
#define OUTLETS_MAX 16
#define PEOPLE_MAX 128

struct d_outlet {
    int64_t id;
    bool lagging, visited; /* visited: the assistant's residency */
};

struct d_person {
    int64_t id;
    char dept[16];
};

struct d_session {
    const char *title;
    int64_t offset; /* first day: days after month 0 (negative: from now) */
    int64_t days;
    const char *place;
    const char *modules[4]; /* codes, NULL-ended */
    int who;                /* 0 every outlet, 1 the visited two */
    bool by_assistant;
};

static const struct d_session sessions[] = {
    {"Residency 1: accounts and two-step verification",
     14,
     2,
     "Bishkek, training room of the programme",
     {"S01-2FA", "S03-MSG", "S04-PASS", "S05-PHISH"},
     0,
     false},
    {"Residency 2: devices, licences and the office",
     75,
     2,
     "Bishkek, training room of the programme",
     {"S06-DEVICE", "S07-LICENCE", "S09-PHYS", NULL},
     0,
     false},
    {"Regional visit: Facebook Pages and incidents",
     122,
     1,
     "Karakol, Köl Tolkun TV",
     {"S02-FBPAGE", "S10-INCIDENT", NULL, NULL},
     1,
     true},
    {"Residency 3: websites and incident response",
     -12,
     2,
     "Bishkek, training room of the programme",
     {"S08-WEB", "S10-INCIDENT", "S02-FBPAGE", NULL},
     0,
     false},
};
#define N_SESSIONS (sizeof sessions / sizeof sessions[0])

static int fail(struct hub_demo_ctx *x, int err, const char *what)
{
    kk_diag_set(x->d, "demo: training: %s: %s", what, kk_strerror(err));
    return err;
}

static int run(struct hub_demo_ctx *x, sqlite3_stmt *st, const char *what)
{
    int err = st != NULL ? hub_exec(st) : KK_ERR_IO;
    return err == KK_OK ? KK_OK : fail(x, err, what);
}

static void day_text(int64_t t, char *out, size_t cap)
{
    char buf[32];
    if (kk_format_time(t, buf, sizeof buf) != KK_OK)
        buf[0] = '\0';
    snprintf(out, cap, "%.10s", buf);
}

/* The standard curriculum, a week before month 0; module ids by code. */
static int modules_add(struct hub_demo_ctx *x, int64_t *ids)
{
    const struct hub_curriculum *c = hub_curriculum_builtin();
    int err = c != NULL ? KK_OK : fail(x, KK_ERR_CORRUPT, "the curriculum");
    for (size_t i = 0; err == KK_OK && i < hub_curriculum_len(c); i++) {
        const struct hub_module_std *m = hub_curriculum_at(c, i);
        sqlite3_stmt *st = hub_q(x->c, HUB_Q_DEMO_TRAINING_MODULE);
        ids[i] = hub_demo_id(x);
        hub_bind_i64(st, ":id", ids[i]);
        hub_bind_text(st, ":code", m->code);
        hub_bind_text(st, ":title", m->title[HUB_LANG_EN]);
        hub_bind_i64(st, ":minutes", m->minutes);
        hub_bind_text(st, ":audience", m->audience);
        hub_bind_text(st, ":controls", m->controls);
        hub_bind_text(st, ":summary", m->summary[HUB_LANG_EN]);
        hub_bind_i64(st, ":at", x->start - 7 * DAY);
        err = run(x, st, "a module");
    }
    return err;
}

static int outlets_load(struct hub_demo_ctx *x, struct d_outlet *o, size_t *n)
{
    sqlite3_stmt *st = hub_q(x->c, HUB_Q_DEMO_TRAINING_OUTLETS);
    size_t visited = 0;
    *n = 0;
    if (st == NULL)
        return fail(x, KK_ERR_IO, "the outlets");
    while (sqlite3_step(st) == SQLITE_ROW && *n < OUTLETS_MAX) {
        const char *media = hub_col_text(st, 1);
        o[*n].id = sqlite3_column_int64(st, 0);
        o[*n].lagging = strcmp(media, "print") == 0;
        /* The assistant visits the TV and the radio station. */
        o[*n].visited =
            (strcmp(media, "tv") == 0 || strcmp(media, "radio") == 0) &&
            visited < 2;
        visited += o[*n].visited;
        (*n)++;
    }
    sqlite3_reset(st);
    return KK_OK;
}

static int people_load(struct hub_demo_ctx *x, int64_t outlet,
                       struct d_person *p, size_t *n)
{
    sqlite3_stmt *st = hub_q(x->c, HUB_Q_DEMO_TRAINING_PEOPLE);
    *n = 0;
    if (st == NULL)
        return fail(x, KK_ERR_IO, "the people");
    hub_bind_i64(st, ":outlet", outlet);
    while (sqlite3_step(st) == SQLITE_ROW && *n < PEOPLE_MAX) {
        p[*n].id = sqlite3_column_int64(st, 0);
        snprintf(p[*n].dept, sizeof p[*n].dept, "%s", hub_col_text(st, 1));
        (*n)++;
    }
    sqlite3_reset(st);
    return KK_OK;
}

static int64_t assistant_id(struct hub_demo_ctx *x)
{
    sqlite3_stmt *st = hub_q(x->c, HUB_Q_DEMO_TRAINING_ASSISTANT);
    int64_t id = 0;
    if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    if (st != NULL)
        sqlite3_reset(st);
    return id;
}

/* The minutes of a full session: its modules, at most its days. */
static int64_t full_minutes(const struct d_session *s)
{
    const struct hub_curriculum *c = hub_curriculum_builtin();
    int64_t sum = 0;
    for (size_t k = 0; k < 4 && s->modules[k] != NULL; k++) {
        const struct hub_module_std *m = hub_curriculum_find(c, s->modules[k]);
        sum += m != NULL ? m->minutes : 0;
    }
    return sum < s->days * 1440 ? sum : s->days * 1440;
}

/* One person's row at session k; *learnt carries their progress. */
static int attend(struct hub_demo_ctx *x, int64_t session, size_t k,
                  const struct d_outlet *o, const struct d_person *p, bool must,
                  int *learnt)
{
    const struct d_session *s = &sessions[k];
    sqlite3_stmt *st;
    bool present;
    int64_t minutes = 0, pre, post;
    /* The lagging outlet's finance staff never come. */
    if (o->lagging && strcmp(p->dept, "finance") == 0)
        return KK_OK;
    present = must || hub_demo_below(x, 100) < (o->lagging ? 70u : 86u);
    pre = (o->lagging ? 12 : 22) + (int64_t)hub_demo_below(x, 36) + *learnt;
    post = pre + 14 + (int64_t)hub_demo_below(x, 30);
    if (pre > 95)
        pre = 95;
    if (post > 100)
        post = 100;
    if (present) {
        minutes = full_minutes(s);
        /* One in six leaves early or comes late. */
        if (hub_demo_below(x, 6) == 0)
            minutes -= 30 * (int64_t)(1 + hub_demo_below(x, 4));
        *learnt += 8;
    }
    st = hub_q(x->c, HUB_Q_DEMO_TRAINING_ATTEND);
    hub_bind_i64(st, ":session", session);
    hub_bind_i64(st, ":person", p->id);
    hub_bind_i64(st, ":outlet", o->id);
    hub_bind_i64(st, ":present", present ? 1 : 0);
    hub_bind_i64(st, ":minutes", minutes);
    if (present) {
        hub_bind_i64(st, ":pre", pre);
        hub_bind_i64(st, ":post", post);
    } else {
        hub_bind_null(st, ":pre");
        hub_bind_null(st, ":post");
    }
    return run(x, st, "attendance");
}

/* The attendance of one outlet at session k: everyone of the outlet, the
 * first of each department present at the first residency. */
static int outlet_attend(struct hub_demo_ctx *x, int64_t session, size_t k,
                         const struct d_outlet *o, int *learnt)
{
    struct d_person p[PEOPLE_MAX];
    char seen[8][16];
    size_t n = 0, n_seen = 0;
    int err = people_load(x, o->id, p, &n);
    for (size_t i = 0; err == KK_OK && i < n; i++) {
        bool first = true;
        for (size_t j = 0; j < n_seen; j++)
            first = first && strcmp(seen[j], p[i].dept) != 0;
        if (first && n_seen < 8)
            snprintf(seen[n_seen++], sizeof seen[0], "%s", p[i].dept);
        err = attend(x, session, k, o, &p[i], first && k == 0,
                     &learnt[i % PEOPLE_MAX]);
    }
    return err;
}

static int session_add(struct hub_demo_ctx *x, size_t k, const int64_t *mods,
                       const struct d_outlet *o, size_t n_outlets,
                       int64_t assistant, int (*learnt)[PEOPLE_MAX])
{
    const struct d_session *s = &sessions[k];
    const struct hub_curriculum *c = hub_curriculum_builtin();
    int64_t id = hub_demo_id(x), first;
    char day[16];
    sqlite3_stmt *st = hub_q(x->c, HUB_Q_DEMO_TRAINING_SESSION);
    int err;
    first = s->offset >= 0 ? x->start + s->offset * DAY
                           : (x->now / DAY - s->offset) * DAY;
    day_text(first, day, sizeof day);
    hub_bind_i64(st, ":id", id);
    hub_bind_text(st, ":title", s->title);
    hub_bind_text(st, ":held_on", day);
    hub_bind_i64(st, ":days", s->days);
    hub_bind_text(st, ":place", s->place);
    hub_bind_i64(st, ":trainer",
                 s->by_assistant && assistant != 0 ? assistant : x->trainer);
    /* Planned three weeks ahead, and not after now. */
    hub_bind_i64(st, ":at",
                 first - 21 * DAY < x->now ? first - 21 * DAY : x->now);
    err = run(x, st, "a session");
    for (size_t i = 0; err == KK_OK && i < n_outlets; i++) {
        if (s->who == 1 && !o[i].visited)
            continue;
        st = hub_q(x->c, HUB_Q_DEMO_TRAINING_SESSION_OUTLET);
        hub_bind_i64(st, ":session", id);
        hub_bind_i64(st, ":outlet", o[i].id);
        err = run(x, st, "a session's outlet");
        if (err == KK_OK && first < x->now)
            err = outlet_attend(x, id, k, &o[i], learnt[i]);
    }
    for (size_t m = 0; err == KK_OK && m < 4 && s->modules[m] != NULL; m++) {
        const struct hub_module_std *std =
            hub_curriculum_find(c, s->modules[m]);
        if (std == NULL)
            continue;
        st = hub_q(x->c, HUB_Q_DEMO_TRAINING_SESSION_MODULE);
        hub_bind_i64(st, ":session", id);
        hub_bind_i64(st, ":module", mods[std - hub_curriculum_at(c, 0)]);
        err = run(x, st, "a session's module");
    }
    return err;
}

int hub_demo_training(struct hub_demo_ctx *x)
{
    int learnt[OUTLETS_MAX][PEOPLE_MAX];
    struct d_outlet o[OUTLETS_MAX];
    int64_t mods[HUB_CURRICULUM_MAX];
    size_t n = 0;
    int64_t assistant;
    int err;
    memset(learnt, 0, sizeof learnt);
    err = modules_add(x, mods);
    if (err == KK_OK)
        err = outlets_load(x, o, &n);
    assistant = err == KK_OK ? assistant_id(x) : 0;
    for (size_t k = 0; err == KK_OK && k < N_SESSIONS; k++)
        err = session_add(x, k, mods, o, n, assistant, learnt);
    return err;
}
