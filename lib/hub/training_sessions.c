/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * training_sessions.c - training sessions ("residencies") and their
 * attendance sheets: the list, the form that plans a session, a session's
 * page with its sheet, and their JSON twins.
 *
 * A session may gather several outlets, so it is not one tenant's object:
 * who sees it follows from the outlets it includes (any of them in the
 * caller's scope), and what they see of it is cut to their scope - the
 * outlets, people, counts and scores of their own outlets only, so a user
 * of one outlet learns nothing of the others who sat in the same room.
 * Only a trainer, or an assistant all of whose outlets it includes, may
 * change a session.  The sheet is saved one outlet at a time (a form per
 * outlet): a browser form is bounded in fields, and an outlet's staff fit
 * in one; the API takes any number of people at once, all or nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "programme.h"
#include "training.h"

#define URL_MAX 128
#define IDS_MAX 64          /* outlets or modules of one session */
#define SHEET_MAX 5000      /* people on one sheet */
#define SESSIONS_MAX 500    /* sessions listed */
#define DAYS_MAX 30         /* days of one session */
#define ATTEND_MAX 2000     /* entries of one attendance post */
#define MINUTES_PER_DAY 360 /* a day of training when no module says */

/* --- what a session is --- */

struct idname {
    int64_t id;
    char name[KK_HUB_NAME_MAX + 1];
    char code[HUB_MODULE_CODE_MAX + 1]; /* modules */
    int64_t minutes;                    /* modules */
};

struct session {
    int64_t id;
    char title[KK_HUB_NAME_MAX + 1];
    char held_on[11];
    int64_t days;
    char place[KK_HUB_NAME_MAX + 1];
    int64_t trainer_id;
    char trainer_email[KK_HUB_NAME_MAX + 1];
    int64_t archived_at, created_at;
    bool writable;
    int64_t present; /* in the list: people present, in scope */
    struct idname outlets[IDS_MAX];
    size_t n_outlets;
    struct idname modules[IDS_MAX];
    size_t n_modules;
};

struct sheet_row {
    int64_t person, outlet;
    char name[KK_HUB_NAME_MAX + 1];
    char dept[16];
    bool recorded, present;
    int64_t minutes;
    int pre, post; /* -1: not recorded */
};

struct sheet {
    struct sheet_row *v;
    size_t n;
};

static void session_fill(sqlite3_stmt *st, struct session *s)
{
    s->id = sqlite3_column_int64(st, 0);
    snprintf(s->title, sizeof s->title, "%s", hub_col_text(st, 1));
    snprintf(s->held_on, sizeof s->held_on, "%s", hub_col_text(st, 2));
    s->days = sqlite3_column_int64(st, 3);
    snprintf(s->place, sizeof s->place, "%s", hub_col_text(st, 4));
    s->trainer_id = sqlite3_column_int64(st, 5);
    snprintf(s->trainer_email, sizeof s->trainer_email, "%s",
             hub_col_text(st, 6));
    s->archived_at = sqlite3_column_int64(st, 7);
    s->created_at = sqlite3_column_int64(st, 8);
}

/* The session's outlets in scope and its modules. */
static int session_lists(struct hub_req *r, struct session *s)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_TR_SESSION_OUTLETS);
    int rc = SQLITE_DONE;
    s->n_outlets = s->n_modules = 0;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":session", s->id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && s->n_outlets < IDS_MAX) {
        struct idname *o = &s->outlets[s->n_outlets++];
        memset(o, 0, sizeof *o);
        o->id = sqlite3_column_int64(st, 0);
        snprintf(o->name, sizeof o->name, "%s", hub_col_text(st, 1));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return hub_sql_err(rc);
    st = hub_scoped(r, HUB_Q_TR_SESSION_MODULES);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":session", s->id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && s->n_modules < IDS_MAX) {
        struct idname *m = &s->modules[s->n_modules++];
        m->id = sqlite3_column_int64(st, 0);
        snprintf(m->code, sizeof m->code, "%s", hub_col_text(st, 1));
        snprintf(m->name, sizeof m->name, "%s", hub_col_text(st, 2));
        m->minutes = sqlite3_column_int64(st, 3);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? KK_OK : hub_sql_err(rc);
}

/* The session with this id if the caller sees it (KK_ERR_NOTFOUND
 * otherwise, whatever the reason). */
static int session_get(struct hub_req *r, int64_t id, struct session *s)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_TR_SESSION);
    int err = KK_ERR_NOTFOUND, rc;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":id", id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        session_fill(st, s);
        s->writable = sqlite3_column_int(st, 9) != 0 && s->archived_at == 0;
        err = KK_OK;
    } else if (rc != SQLITE_DONE) {
        err = hub_sql_err(rc);
    }
    sqlite3_reset(st);
    if (err == KK_OK)
        err = session_lists(r, s);
    return err;
}

/* The length of a day of the session when nobody typed it: its modules'
 * minutes, at most the session's days; six hours a day without modules. */
static int64_t session_minutes(const struct session *s)
{
    int64_t sum = 0, cap = (s->days > 0 ? s->days : 1) * 1440;
    for (size_t i = 0; i < s->n_modules; i++)
        sum += s->modules[i].minutes;
    if (sum == 0)
        sum = (s->days > 0 ? s->days : 1) * MINUTES_PER_DAY;
    return sum < cap ? sum : cap;
}

static void sheet_free(struct sheet *sh)
{
    free(sh->v);
    sh->v = NULL;
    sh->n = 0;
}

static int sheet_load(struct hub_req *r, int64_t session, struct sheet *sh)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_TR_SHEET);
    size_t cap = 0;
    int rc, err = KK_OK;
    memset(sh, 0, sizeof *sh);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":session", session);
    while (err == KK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct sheet_row *w;
        if (sh->n == SHEET_MAX)
            break;
        if (sh->n == cap) {
            size_t nc = cap == 0 ? 32 : cap * 2;
            struct sheet_row *nv = reallocarray(sh->v, nc, sizeof *nv);
            if (nv == NULL) {
                err = KK_ERR_NOMEM;
                break;
            }
            sh->v = nv;
            cap = nc;
        }
        w = &sh->v[sh->n++];
        w->person = sqlite3_column_int64(st, 0);
        snprintf(w->name, sizeof w->name, "%s", hub_col_text(st, 1));
        snprintf(w->dept, sizeof w->dept, "%s", hub_col_text(st, 2));
        w->outlet = sqlite3_column_int64(st, 3);
        w->recorded = sqlite3_column_int(st, 5) != 0;
        w->present = sqlite3_column_int(st, 6) != 0;
        w->minutes = sqlite3_column_int64(st, 7);
        w->pre = sqlite3_column_type(st, 8) == SQLITE_NULL
                     ? -1
                     : sqlite3_column_int(st, 8);
        w->post = sqlite3_column_type(st, 9) == SQLITE_NULL
                      ? -1
                      : sqlite3_column_int(st, 9);
    }
    sqlite3_reset(st);
    if (err != KK_OK)
        sheet_free(sh);
    return err;
}

/* --- JSON --- */

static void session_json(struct hub_jw *w, const struct session *s,
                         const struct sheet *sh, bool list)
{
    hub_jw_int(w, "id", s->id);
    hub_jw_str(w, "title", s->title);
    hub_jw_str(w, "held_on", s->held_on);
    hub_jw_int(w, "days", s->days);
    hub_jw_str(w, "place", s->place);
    if (s->trainer_id != 0)
        hub_jw_int(w, "trainer_id", s->trainer_id);
    else
        hub_jw_null(w, "trainer_id");
    hub_jw_str(w, "trainer_email", s->trainer_email);
    hub_jw_key(w, "outlets");
    hub_jw_arr(w);
    for (size_t i = 0; i < s->n_outlets; i++) {
        hub_jw_key(w, NULL);
        hub_jw_obj(w);
        hub_jw_int(w, "id", s->outlets[i].id);
        hub_jw_str(w, "name", s->outlets[i].name);
        hub_jw_close(w, '}');
    }
    hub_jw_close(w, ']');
    hub_jw_key(w, "modules");
    hub_jw_arr(w);
    for (size_t i = 0; i < s->n_modules; i++) {
        hub_jw_key(w, NULL);
        hub_jw_obj(w);
        hub_jw_int(w, "id", s->modules[i].id);
        hub_jw_str(w, "code", s->modules[i].code);
        hub_jw_str(w, "title", s->modules[i].name);
        hub_jw_int(w, "minutes", s->modules[i].minutes);
        hub_jw_close(w, '}');
    }
    hub_jw_close(w, ']');
    hub_jw_int(w, "minutes", session_minutes(s));
    if (list)
        hub_jw_int(w, "present", s->present);
    hub_jw_bool(w, "writable", s->writable);
    hub_training_jw_time(w, "created_at", s->created_at);
    hub_training_jw_time(w, "archived_at", s->archived_at);
    if (sh == NULL)
        return;
    hub_jw_key(w, "attendance");
    hub_jw_arr(w);
    for (size_t i = 0; i < sh->n; i++) {
        const struct sheet_row *a = &sh->v[i];
        hub_jw_key(w, NULL);
        hub_jw_obj(w);
        hub_jw_int(w, "person", a->person);
        hub_jw_str(w, "name", a->name);
        hub_jw_str(w, "department", a->dept);
        hub_jw_int(w, "outlet_id", a->outlet);
        hub_jw_bool(w, "recorded", a->recorded);
        hub_jw_bool(w, "present", a->present);
        hub_jw_int(w, "minutes", a->minutes);
        if (a->pre >= 0)
            hub_jw_int(w, "pre_score", a->pre);
        else
            hub_jw_null(w, "pre_score");
        if (a->post >= 0)
            hub_jw_int(w, "post_score", a->post);
        else
            hub_jw_null(w, "post_score");
        hub_jw_close(w, '}');
    }
    hub_jw_close(w, ']');
}

static int session_answer(struct hub_req *r, int64_t id, int status)
{
    struct session *s = calloc(1, sizeof *s);
    struct sheet sh = {NULL, 0};
    struct hub_jw w;
    int err = s != NULL ? session_get(r, id, s) : KK_ERR_NOMEM;
    if (err == KK_OK)
        err = sheet_load(r, id, &sh);
    if (err == KK_OK) {
        r->status = status;
        hub_jw_begin(&w, r);
        session_json(&w, s, &sh, false);
        hub_jw_end(&w);
    }
    sheet_free(&sh);
    free(s);
    return err;
}

/* --- small HTML helpers --- */

/* The date a session ends on ("YYYY-MM-DD"), from its first day. */
static void end_day(const struct session *s, char *out, size_t cap)
{
    char buf[32];
    int64_t t = 0;
    snprintf(buf, sizeof buf, "%sT00:00:00Z", s->held_on);
    if (kk_parse_time(buf, &t) != KK_OK ||
        kk_format_time(t + (s->days > 1 ? s->days - 1 : 0) * 86400, buf,
                       sizeof buf) != KK_OK)
        snprintf(out, cap, "%s", s->held_on);
    else
        snprintf(out, cap, "%.10s", buf);
}

static void today(char *out, size_t cap)
{
    char buf[32];
    if (kk_format_time(hub_now(), buf, sizeof buf) != KK_OK)
        buf[0] = '\0';
    snprintf(out, cap, "%.10s", buf);
}

static const char *dept_label(const char *dept)
{
    const char *l = hub_department_label(hub_department_from_name(dept));
    return l != NULL ? l : dept;
}

static void flash_done(struct hub_req *r)
{
    static const char *const notes[][2] = {
        {"added", "Session planned."},
        {"saved", "Saved."},
        {"attendance", "Attendance saved."},
        {"archived", "Archived."},
    };
    const char *done = hub_form_get(r->query, "done");
    for (size_t i = 0; done != NULL && i < sizeof notes / sizeof notes[0];
         i++) {
        if (strcmp(done, notes[i][0]) == 0) {
            hub_raw(r, "<p class=\"kk-flash\" role=\"status\">");
            hub_t(r, notes[i][1]);
            hub_raw(r, "</p>");
        }
    }
}

/* --- input: a session's fields and its outlets and modules --- */

enum { SF_TITLE, SF_HELD, SF_DAYS, SF_PLACE, SF_TRAINER, SF_COUNT };

static const struct hub_field session_fields[SF_COUNT] = {
    {"title", HUB_F_TEXT, false, 0, KK_HUB_NAME_MAX, NULL},
    {"held_on", HUB_F_DATE, false, 0, 0, NULL},
    {"days", HUB_F_INT, false, 1, DAYS_MAX, NULL},
    {"place", HUB_F_TEXT, false, 0, KK_HUB_NAME_MAX, NULL},
    {"trainer", HUB_F_ID, false, 0, 0, NULL},
};

struct session_input {
    const char *val[SF_COUNT];
    int64_t outlets[IDS_MAX];
    size_t n_outlets;
    bool outlets_set;
    int64_t modules[IDS_MAX];
    size_t n_modules;
    bool modules_set;
    const char *bad; /* field name */
    const char *why; /* English msgid */
};

static void input_bad(struct session_input *in, const char *field,
                      const char *why)
{
    if (in->bad == NULL) {
        in->bad = field;
        in->why = why;
    }
}

static int id_push(int64_t *v, size_t *n, int64_t id)
{
    if (id <= 0)
        return KK_ERR_INVAL;
    for (size_t i = 0; i < *n; i++) {
        if (v[i] == id)
            return KK_OK;
    }
    if (*n >= IDS_MAX)
        return KK_ERR_LIMIT;
    v[(*n)++] = id;
    return KK_OK;
}

/* A list of ids: repeated form fields or a JSON array of numbers (or
 * strings of digits).  *set tells whether the key was there. */
static int ids_read(struct hub_req *r, const char *key, int64_t *v, size_t *n,
                    bool *set)
{
    const struct hub_jv *a;
    int err = KK_OK;
    *n = 0;
    *set = false;
    if (r->json == NULL) {
        *set = hub_form_get(r->form, key) != NULL ||
               hub_form_get(r->form, "session_form") != NULL;
        for (size_t i = 0; i < hub_form_count_of(r->form, key) && !err; i++) {
            int64_t id;
            err = kk_parse_i64(hub_form_get_nth(r->form, key, i), 1, INT64_MAX,
                               &id);
            if (err == KK_OK)
                err = id_push(v, n, id);
        }
        return err;
    }
    a = hub_jv_get(hub_json_root(r->json), key);
    if (a == NULL)
        return KK_OK;
    *set = true;
    if (hub_jv_type(a) == HUB_JSON_NULL)
        return KK_OK;
    if (hub_jv_type(a) != HUB_JSON_ARRAY || hub_jv_len(a) > IDS_MAX)
        return KK_ERR_INVAL;
    for (size_t i = 0; i < hub_jv_len(a) && err == KK_OK; i++) {
        const struct hub_jv *x = hub_jv_at(a, i);
        int64_t id = 0;
        if (hub_jv_type(x) == HUB_JSON_STRING)
            err = kk_parse_i64(hub_jv_str(x), 1, INT64_MAX, &id);
        else
            err = hub_jv_i64(x, &id);
        if (err == KK_OK)
            err = id_push(v, n, id);
    }
    return err;
}

/* Reads a session; cur is the session being changed (a JSON update keeps
 * what it does not send), or NULL. */
static int session_read(struct hub_req *r, const struct session *cur,
                        struct session_input *in, char *num, size_t ncap)
{
    const char *bad = NULL;
    int err;
    memset(in, 0, sizeof *in);
    err = hub_fields_read(r, session_fields, SF_COUNT, in->val, &bad);
    if (err != KK_OK) {
        input_bad(in, bad, "Not valid.");
        for (size_t i = 0; i < SF_COUNT && r->json == NULL; i++) {
            const char *v = hub_form_get(r->form, session_fields[i].name);
            in->val[i] = v != NULL ? v : "";
        }
    }
    if (ids_read(r, "outlets", in->outlets, &in->n_outlets, &in->outlets_set) !=
        KK_OK)
        input_bad(in, "outlets", "Not valid.");
    if (ids_read(r, "modules", in->modules, &in->n_modules, &in->modules_set) !=
        KK_OK)
        input_bad(in, "modules", "Not valid.");
    if (in->bad != NULL)
        return KK_ERR_INVAL;
    if (cur != NULL && r->json != NULL) {
        const char *was[SF_COUNT] = {cur->title, cur->held_on, NULL, cur->place,
                                     NULL};
        char *days = num, *trainer = num + ncap / 2;
        snprintf(days, ncap / 2, "%lld", (long long)cur->days);
        if (cur->trainer_id != 0)
            snprintf(trainer, ncap / 2, "%lld", (long long)cur->trainer_id);
        else
            trainer[0] = '\0';
        was[SF_DAYS] = days;
        was[SF_TRAINER] = trainer;
        for (size_t i = 0; i < SF_COUNT; i++) {
            if (hub_jv_get(hub_json_root(r->json), session_fields[i].name) ==
                NULL)
                in->val[i] = was[i];
        }
    }
    if (in->val[SF_TITLE][0] == '\0')
        input_bad(in, "title", "Required.");
    if (in->val[SF_HELD][0] == '\0')
        input_bad(in, "held_on", "Required.");
    if (in->val[SF_DAYS][0] == '\0')
        in->val[SF_DAYS] = "1";
    if ((cur == NULL || in->outlets_set) && in->n_outlets == 0)
        input_bad(in, "outlets", "Choose at least one outlet.");
    return in->bad != NULL ? KK_ERR_INVAL : KK_OK;
}

/* The trainer of the session: the one chosen, which must be a trainer or
 * an assistant; the caller when nobody is chosen. */
static int trainer_check(struct hub_req *r, struct session_input *in,
                         int64_t *trainer)
{
    sqlite3_stmt *st;
    int64_t id = r->who.user_id;
    int err = KK_OK;
    if (in->val[SF_TRAINER][0] != '\0' &&
        kk_parse_i64(in->val[SF_TRAINER], 1, INT64_MAX, &id) != KK_OK)
        err = KK_ERR_INVAL;
    st = err == KK_OK ? hub_q(r->db, HUB_Q_TR_TRAINER_OK) : NULL;
    if (st != NULL) {
        hub_bind_i64(st, ":id", id);
        err = sqlite3_step(st) == SQLITE_ROW ? KK_OK : KK_ERR_INVAL;
        sqlite3_reset(st);
    }
    if (err != KK_OK)
        input_bad(in, "trainer", "Not a trainer of the programme.");
    else
        *trainer = id;
    return err;
}

static int step_changes(struct hub_req *r, sqlite3_stmt *st)
{
    int err = hub_exec(st);
    if (err == KK_OK && sqlite3_changes(r->db->db) == 0)
        err = KK_ERR_NOTFOUND;
    return err;
}

static int link_outlet(struct hub_req *r, enum hub_q q, int64_t session,
                       int64_t outlet)
{
    sqlite3_stmt *st = hub_scoped(r, q);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":session", session);
    hub_bind_i64(st, ":outlet", outlet);
    return step_changes(r, st);
}

static int link_module(struct hub_req *r, enum hub_q q, int64_t session,
                       int64_t module)
{
    sqlite3_stmt *st = hub_scoped(r, q);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":session", session);
    hub_bind_i64(st, ":module", module);
    return step_changes(r, st);
}

static bool has_id(const int64_t *v, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] == id)
            return true;
    }
    return false;
}

/* Brings the session's outlets and modules to the input's lists (those
 * the input sets); cur NULL for a new session. */
static int links_store(struct hub_req *r, int64_t id, const struct session *cur,
                       struct session_input *in)
{
    int err = KK_OK;
    for (size_t i = 0;
         cur != NULL && in->outlets_set && i < cur->n_outlets && err == KK_OK;
         i++) {
        if (has_id(in->outlets, in->n_outlets, cur->outlets[i].id))
            continue;
        err = link_outlet(r, HUB_Q_TR_SO_DEL, id, cur->outlets[i].id);
        if (err == KK_ERR_NOTFOUND)
            input_bad(in, "outlets",
                      "Attendance is recorded for the people of an outlet you "
                      "took out; it stays in the session.");
    }
    for (size_t i = 0; in->outlets_set && i < in->n_outlets && err == KK_OK;
         i++) {
        bool had = false;
        for (size_t k = 0; cur != NULL && k < cur->n_outlets; k++)
            had = had || cur->outlets[k].id == in->outlets[i];
        if (had)
            continue;
        err = link_outlet(r, HUB_Q_TR_SO_ADD, id, in->outlets[i]);
        if (err == KK_ERR_NOTFOUND)
            input_bad(in, "outlets", "Not an outlet you work with.");
    }
    for (size_t i = 0;
         cur != NULL && in->modules_set && i < cur->n_modules && err == KK_OK;
         i++) {
        if (!has_id(in->modules, in->n_modules, cur->modules[i].id))
            err = link_module(r, HUB_Q_TR_SM_DEL, id, cur->modules[i].id);
    }
    for (size_t i = 0; in->modules_set && i < in->n_modules && err == KK_OK;
         i++) {
        bool had = false;
        for (size_t k = 0; cur != NULL && k < cur->n_modules; k++)
            had = had || cur->modules[k].id == in->modules[i];
        if (had)
            continue;
        err = link_module(r, HUB_Q_TR_SM_ADD, id, in->modules[i]);
        if (err == KK_ERR_NOTFOUND)
            input_bad(in, "modules", "Not a module of the curriculum.");
    }
    return err;
}

static void audit_outlets(struct hub_req *r, const int64_t *outlets, size_t n,
                          const char *action, const char *object, int64_t id)
{
    char detail[24];
    snprintf(detail, sizeof detail, "%lld", (long long)id);
    for (size_t i = 0; i < n; i++)
        hub_audit(r, outlets[i], action, object, detail);
}

static void bind_fields(sqlite3_stmt *st, const struct session_input *in,
                        int64_t trainer)
{
    int64_t days = 1;
    if (kk_parse_i64(in->val[SF_DAYS], 1, DAYS_MAX, &days) != KK_OK)
        days = 1;
    hub_bind_text(st, ":title", in->val[SF_TITLE]);
    hub_bind_text(st, ":held_on", in->val[SF_HELD]);
    hub_bind_i64(st, ":days", days);
    hub_bind_text(st, ":place", in->val[SF_PLACE]);
    hub_bind_i64(st, ":trainer", trainer);
}

/* Creates (cur NULL) or changes a session, in one transaction. */
static int session_write(struct hub_req *r, const struct session *cur,
                         struct session_input *in, int64_t *id)
{
    sqlite3_stmt *st;
    int64_t trainer = 0, sid = cur != NULL ? cur->id : 0;
    int err = trainer_check(r, in, &trainer);
    if (err == KK_OK && cur == NULL)
        err = hub_new_id(&sid);
    if (err == KK_OK)
        err = hub_tx_begin(r->db);
    if (err != KK_OK)
        return err;
    st = hub_scoped(r, cur != NULL ? HUB_Q_TR_SESSION_UPDATE
                                   : HUB_Q_TR_SESSION_INSERT);
    if (st == NULL) {
        err = KK_ERR_IO;
        goto out;
    }
    hub_bind_i64(st, ":id", sid);
    hub_bind_i64(st, ":outlet", in->n_outlets > 0 ? in->outlets[0] : 0);
    hub_bind_i64(st, ":now", hub_now());
    bind_fields(st, in, trainer);
    err = step_changes(r, st);
    /* A new session whose first outlet is not the caller's is refused
     * like any other outlet that is not theirs. */
    if (err == KK_ERR_NOTFOUND && cur == NULL)
        input_bad(in, "outlets", "Not an outlet you work with.");
    if (err == KK_OK)
        err = links_store(r, sid, cur, in);
    if (err == KK_OK) {
        if (in->outlets_set)
            audit_outlets(r, in->outlets, in->n_outlets,
                          cur != NULL ? "update" : "create", "session", sid);
        for (size_t i = 0; cur != NULL && i < cur->n_outlets; i++) {
            if (!in->outlets_set ||
                !has_id(in->outlets, in->n_outlets, cur->outlets[i].id))
                audit_outlets(r, &cur->outlets[i].id, 1, "update", "session",
                              sid);
        }
        *id = sid;
    }
out:
    if (err == KK_OK)
        err = hub_tx_commit(r->db);
    else
        hub_tx_rollback(r->db);
    return err;
}

/* --- the form of a session --- */

static void text_input(struct hub_req *r, const char *id, const char *name,
                       const char *type, const char *label, const char *val,
                       const char *extra, bool bad)
{
    hub_rawf(r, "<p><label for=\"%s\">", id);
    hub_t(r, label);
    hub_rawf(r,
             "</label><input type=\"%s\" id=\"%s\" name=\"%s\" %s%s "
             "value=\"",
             type, id, name, extra, bad ? " aria-invalid=\"true\"" : "");
    hub_esc(r, val);
    hub_raw(r, "\"></p>");
}

static bool chosen(const struct session_input *in, const struct session *s,
                   bool outlets, int64_t id)
{
    if (in != NULL && (outlets ? in->outlets_set : in->modules_set))
        return has_id(outlets ? in->outlets : in->modules,
                      outlets ? in->n_outlets : in->n_modules, id);
    for (size_t i = 0; s != NULL && i < (outlets ? s->n_outlets : s->n_modules);
         i++) {
        if ((outlets ? s->outlets[i].id : s->modules[i].id) == id)
            return true;
    }
    return false;
}

static int outlet_boxes(struct hub_req *r, const char *prefix,
                        const struct session_input *in, const struct session *s)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_OUTLETS_LIST);
    bool bad = in != NULL && in->bad != NULL && strcmp(in->bad, "outlets") == 0;
    int rc;
    if (st == NULL)
        return KK_ERR_IO;
    hub_rawf(r, "<fieldset id=\"%s-outlets\"%s><legend>", prefix,
             bad ? " aria-invalid=\"true\"" : "");
    hub_t(r, "Outlets");
    hub_raw(r, "</legend>");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t oid = sqlite3_column_int64(st, 0);
        hub_rawf(r,
                 "<label><input type=\"checkbox\" name=\"outlets\" "
                 "value=\"%lld\"%s> ",
                 (long long)oid, chosen(in, s, true, oid) ? " checked" : "");
        hub_esc(r, hub_col_text(st, 2));
        hub_raw(r, "</label>");
    }
    sqlite3_reset(st);
    hub_raw(r, "</fieldset>");
    return rc == SQLITE_DONE ? KK_OK : hub_sql_err(rc);
}

static int module_boxes(struct hub_req *r, const char *prefix,
                        const struct session_input *in, const struct session *s)
{
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_TR_MODULES);
    size_t n = 0;
    int rc;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":all", 0);
    hub_bind_i64(st, ":limit", 500);
    hub_rawf(r, "<fieldset id=\"%s-modules\"><legend>", prefix);
    hub_t(r, "Modules");
    hub_raw(r, "</legend>");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t mid = sqlite3_column_int64(st, 0);
        hub_rawf(r,
                 "<label><input type=\"checkbox\" name=\"modules\" "
                 "value=\"%lld\"%s> ",
                 (long long)mid, chosen(in, s, false, mid) ? " checked" : "");
        hub_esc(r, hub_module_title(r->lang, hub_col_text(st, 1),
                                    hub_col_text(st, 2)));
        hub_raw(r, "</label>");
        n++;
    }
    sqlite3_reset(st);
    if (n == 0) {
        hub_raw(r, "<p class=\"kk-hint\">");
        hub_t(r, "The curriculum has no modules yet.");
        hub_raw(r, " <a href=\"/curriculum\">");
        hub_t(r, "Curriculum");
        hub_raw(r, "</a></p>");
    }
    hub_raw(r, "</fieldset>");
    return rc == SQLITE_DONE ? KK_OK : hub_sql_err(rc);
}

static int trainer_select(struct hub_req *r, const char *prefix,
                          const char *val)
{
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_TR_TRAINERS);
    char num[24];
    int rc;
    if (st == NULL)
        return KK_ERR_IO;
    hub_rawf(r, "<p><label for=\"%s-trainer\">", prefix);
    hub_t(r, "Trainer");
    hub_rawf(r, "</label><select id=\"%s-trainer\" name=\"trainer\">", prefix);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        snprintf(num, sizeof num, "%lld", (long long)id);
        hub_rawf(r, "<option value=\"%s\"%s>", num,
                 strcmp(num, val) == 0 ? " selected" : "");
        hub_esc(r, hub_col_text(st, 1));
        hub_raw(r, "</option>");
    }
    sqlite3_reset(st);
    hub_raw(r, "</select></p>");
    return rc == SQLITE_DONE ? KK_OK : hub_sql_err(rc);
}

static const char *field_label(const char *name)
{
    static const char *const labels[][2] = {
        {"title", "Title"},     {"held_on", "First day"},
        {"days", "Days"},       {"place", "Place"},
        {"trainer", "Trainer"}, {"outlets", "Outlets"},
        {"modules", "Modules"},
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        if (strcmp(labels[i][0], name) == 0)
            return labels[i][1];
    }
    return name;
}

static void error_line(struct hub_req *r, const char *field, const char *why)
{
    if (field == NULL)
        return;
    hub_raw(r, "<p class=\"kk-error\" role=\"alert\">");
    hub_t(r, field_label(field));
    hub_raw(r, ": ");
    hub_t(r, why);
    hub_raw(r, "</p>");
}

/* The session form: values from the input that failed, else the session,
 * else empty. */
static int session_form(struct hub_req *r, const char *action,
                        const char *prefix, const struct session_input *in,
                        const struct session *s, const char *button)
{
    char days[24], trainer[24], id[48];
    const char *v[SF_COUNT] = {"", "", "1", "", ""};
    int err;
    if (s != NULL) {
        snprintf(days, sizeof days, "%lld", (long long)s->days);
        snprintf(trainer, sizeof trainer, "%lld", (long long)s->trainer_id);
        v[SF_TITLE] = s->title;
        v[SF_HELD] = s->held_on;
        v[SF_DAYS] = days;
        v[SF_PLACE] = s->place;
        v[SF_TRAINER] = trainer;
    } else {
        snprintf(trainer, sizeof trainer, "%lld", (long long)r->who.user_id);
        v[SF_TRAINER] = trainer;
    }
    for (size_t i = 0; in != NULL && i < SF_COUNT; i++) {
        if (in->val[i] != NULL)
            v[i] = in->val[i];
    }
    if (in != NULL)
        error_line(r, in->bad, in->why);
    hub_raw(r, "<form method=\"post\" action=\"");
    hub_esc(r, action);
    hub_raw(r, "\" class=\"kk-form\">");
    hub_csrf_field(r);
    hub_raw(r, "<input type=\"hidden\" name=\"session_form\" value=\"1\">");
#define BAD(f) (in != NULL && in->bad != NULL && strcmp(in->bad, f) == 0)
    snprintf(id, sizeof id, "%s-title", prefix);
    text_input(r, id, "title", "text", "Title", v[SF_TITLE],
               "required maxlength=\"200\"", BAD("title"));
    snprintf(id, sizeof id, "%s-held_on", prefix);
    text_input(r, id, "held_on", "date", "First day", v[SF_HELD], "required",
               BAD("held_on"));
    snprintf(id, sizeof id, "%s-days", prefix);
    text_input(r, id, "days", "number", "Days", v[SF_DAYS],
               "min=\"1\" max=\"30\" inputmode=\"numeric\"", BAD("days"));
    snprintf(id, sizeof id, "%s-place", prefix);
    text_input(r, id, "place", "text", "Place", v[SF_PLACE],
               "maxlength=\"200\"", BAD("place"));
#undef BAD
    err = trainer_select(r, prefix, v[SF_TRAINER]);
    if (err == KK_OK)
        err = outlet_boxes(r, prefix, in, s);
    if (err == KK_OK)
        err = module_boxes(r, prefix, in, s);
    hub_raw(r, "<p><button type=\"submit\">");
    hub_t(r, button);
    hub_raw(r, "</button></p></form>");
    return err;
}

/* --- the list --- */

static void session_row(struct hub_req *r, const struct session *s)
{
    hub_raw(r, "<tr><td>");
    hub_esc(r, s->held_on);
    hub_rawf(r, "</td><td><a href=\"/sessions/%lld\">", (long long)s->id);
    hub_esc(r, s->title);
    hub_raw(r, "</a>");
    if (s->archived_at != 0) {
        hub_raw(r, " <span class=\"kk-tag\">");
        hub_t(r, "Archived");
        hub_raw(r, "</span>");
    }
    hub_rawf(r, "</td><td class=\"kk-num\">%lld</td><td>", (long long)s->days);
    hub_esc(r, s->place);
    hub_raw(r, "</td><td>");
    for (size_t i = 0; i < s->n_outlets; i++) {
        hub_raw(r, i > 0 ? ", " : "");
        hub_esc(r, s->outlets[i].name);
    }
    hub_rawf(r, "</td><td class=\"kk-num\">%lld</td></tr>",
             (long long)s->present);
}

static void table_head(struct hub_req *r, const char *id)
{
    hub_rawf(r,
             "<div class=\"kk-scroll\" tabindex=\"0\" role=\"region\" "
             "aria-labelledby=\"%s-h\"><table class=\"kk-table\" "
             "id=\"%s\"><thead><tr><th scope=\"col\">",
             id, id);
    hub_t(r, "First day");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Session");
    hub_raw(r, "</th><th scope=\"col\" class=\"kk-num\">");
    hub_t(r, "Days");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Place");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Outlets");
    hub_raw(r, "</th><th scope=\"col\" class=\"kk-num\">");
    hub_t(r, "People present");
    hub_raw(r, "</th></tr></thead><tbody>");
}

/* Loads the visible sessions into *out (the caller frees it). */
static int sessions_load(struct hub_req *r, bool all, struct session **out,
                         size_t *n)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_TR_SESSIONS);
    struct session *v = NULL;
    size_t k = 0, cap = 0;
    int rc = SQLITE_DONE, err = KK_OK;
    *out = NULL;
    *n = 0;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":all", all ? 1 : 0);
    hub_bind_i64(st, ":limit", SESSIONS_MAX);
    while (err == KK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (k == cap) {
            size_t nc = cap == 0 ? 8 : cap * 2;
            struct session *nv = reallocarray(v, nc, sizeof *nv);
            if (nv == NULL) {
                err = KK_ERR_NOMEM;
                break;
            }
            v = nv;
            cap = nc;
        }
        memset(&v[k], 0, sizeof v[k]);
        session_fill(st, &v[k]);
        v[k].present = sqlite3_column_int64(st, 9);
        k++;
    }
    sqlite3_reset(st);
    if (err == KK_OK && rc != SQLITE_DONE)
        err = hub_sql_err(rc);
    for (size_t i = 0; i < k && err == KK_OK; i++)
        err = session_lists(r, &v[i]);
    if (err != KK_OK) {
        free(v);
        return err;
    }
    *out = v;
    *n = k;
    return KK_OK;
}

static int sessions_json(struct hub_req *r, const struct session *v, size_t n)
{
    struct hub_jw w;
    hub_jw_begin(&w, r);
    hub_jw_key(&w, "sessions");
    hub_jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        hub_jw_key(&w, NULL);
        hub_jw_obj(&w);
        session_json(&w, &v[i], NULL, true);
        hub_jw_close(&w, '}');
    }
    hub_jw_close(&w, ']');
    hub_jw_end(&w);
    return KK_OK;
}

static int sessions_page(struct hub_req *r, const struct session *v, size_t n,
                         bool all, const struct session_input *in)
{
    char day[16], end[16];
    size_t up = 0, past = 0;
    bool writer = hub_training_may(r, HUB_ROLEBIT(HUB_ROLE_TRAINER) |
                                          HUB_ROLEBIT(HUB_ROLE_ASSISTANT));
    int err = KK_OK;
    today(day, sizeof day);
    hub_page_begin(r, "Training sessions");
    flash_done(r);
    hub_raw(r, "<p><a href=\"/curriculum\">");
    hub_t(r, "Curriculum");
    hub_raw(r, "</a></p>");
    /* Upcoming (not over yet) first, the nearest first; then the past. */
    hub_raw(r, "<h2 id=\"upcoming-h\">");
    hub_t(r, "Upcoming and in progress");
    hub_raw(r, "</h2>");
    table_head(r, "upcoming");
    for (size_t i = n; i-- > 0;) {
        end_day(&v[i], end, sizeof end);
        if (strcmp(end, day) >= 0) {
            session_row(r, &v[i]);
            up++;
        }
    }
    hub_raw(r, "</tbody></table></div>");
    if (up == 0)
        hub_say(r, "p", "kk-empty", "No session is planned.");
    hub_raw(r, "<h2 id=\"past-h\">");
    hub_t(r, "Past sessions");
    hub_raw(r, "</h2>");
    table_head(r, "past");
    for (size_t i = 0; i < n; i++) {
        end_day(&v[i], end, sizeof end);
        if (strcmp(end, day) < 0) {
            session_row(r, &v[i]);
            past++;
        }
    }
    hub_raw(r, "</tbody></table></div>");
    if (past == 0)
        hub_say(r, "p", "kk-empty", "No session has taken place yet.");
    hub_raw(r, all ? "<p><a href=\"/sessions\">"
                   : "<p><a href=\"/sessions?archived=1\">");
    hub_t(r, all ? "Hide archived" : "Show archived");
    hub_raw(r, "</a></p>");
    if (writer) {
        hub_say(r, "h2", NULL, "Plan a session");
        err = session_form(r, "/sessions", "new", in, NULL, "Plan the session");
    }
    hub_page_end(r);
    return err;
}

static int sessions_answer(struct hub_req *r, const struct session_input *in)
{
    const char *arch = hub_form_get(r->query, "archived");
    bool all = arch != NULL && strcmp(arch, "1") == 0;
    struct session *v = NULL;
    size_t n = 0;
    int err = sessions_load(r, all, &v, &n);
    if (err == KK_OK)
        err = r->api ? sessions_json(r, v, n) : sessions_page(r, v, n, all, in);
    free(v);
    return err;
}

int hub_training_sessions(struct hub_req *r)
{
    return sessions_answer(r, NULL);
}

/* --- one session's page --- */

/* What a form of the sheet sent back, to show again with its error. */
struct sheet_typed {
    int64_t outlet;  /* the outlet whose form failed */
    int64_t person;  /* the row with the error */
    const char *bad; /* "hours", "pre", "post" */
    const char *why;
};

static const char *typed(struct hub_req *r, const char *what, int64_t person)
{
    char key[48];
    snprintf(key, sizeof key, "%s_%lld", what, (long long)person);
    return hub_form_get(r->form, key);
}

static void score_text(struct hub_req *r, int v)
{
    if (v >= 0)
        hub_rawf(r, "%d", v);
    else
        hub_raw(r, "<span class=\"kk-muted\">&#8212;</span>");
}

static void sheet_input(struct hub_req *r, const char *what, int64_t person,
                        const char *label, const char *who, const char *val,
                        const char *extra, bool bad)
{
    hub_rawf(r, "<label class=\"kk-sr\" for=\"%s-%lld\">", what,
             (long long)person);
    hub_t(r, label);
    hub_raw(r, " ");
    hub_esc(r, who);
    hub_rawf(r,
             "</label><input type=\"text\" id=\"%s-%lld\" name=\"%s_%lld\" "
             "%s%s value=\"",
             what, (long long)person, what, (long long)person, extra,
             bad ? " aria-invalid=\"true\"" : "");
    hub_esc(r, val);
    hub_raw(r, "\">");
}

/* One row: values, or inputs when the sheet may be changed (from what was
 * typed when t says this outlet's form came back). */
static void sheet_row(struct hub_req *r, const struct sheet_row *a, bool edit,
                      const struct sheet_typed *t)
{
    bool back = t != NULL && t->outlet == a->outlet;
    char h[24], pre[8], post[8];
    const char *vh, *vpre, *vpost;
    bool present;
    hub_raw(r, "<tr><th scope=\"row\">");
    hub_esc(r, a->name);
    hub_raw(r, "</th><td>");
    hub_t(r, dept_label(a->dept));
    hub_raw(r, "</td>");
    if (!edit) {
        hub_raw(r, "<td>");
        hub_t(r, !a->recorded ? "Not recorded"
                 : a->present ? "Present"
                              : "Absent");
        hub_raw(r, "</td><td class=\"kk-num\">");
        hub_training_put_hours(r, a->minutes);
        hub_raw(r, "</td><td class=\"kk-num\">");
        score_text(r, a->pre);
        hub_raw(r, "</td><td class=\"kk-num\">");
        score_text(r, a->post);
        hub_raw(r, "</td></tr>");
        return;
    }
    hub_training_hours(h, sizeof h, a->minutes);
    snprintf(pre, sizeof pre, "%d", a->pre);
    snprintf(post, sizeof post, "%d", a->post);
    vh = a->recorded && a->present ? h : "";
    vpre = a->pre >= 0 ? pre : "";
    vpost = a->post >= 0 ? post : "";
    present = a->recorded && a->present;
    if (back) {
        vh = typed(r, "hours", a->person) != NULL ? typed(r, "hours", a->person)
                                                  : "";
        vpre = typed(r, "pre", a->person) != NULL ? typed(r, "pre", a->person)
                                                  : "";
        vpost = typed(r, "post", a->person) != NULL
                    ? typed(r, "post", a->person)
                    : "";
        present = typed(r, "present", a->person) != NULL;
    }
    hub_rawf(r,
             "<td><label class=\"kk-tick\"><input type=\"checkbox\" "
             "name=\"present_%lld\" value=\"1\"%s> ",
             (long long)a->person, present ? " checked" : "");
    hub_t(r, "Present");
    hub_raw(r, "</label></td><td>");
#define BAD(f)                                                                 \
    (back && t->person == a->person && t->bad != NULL && strcmp(t->bad, f) == 0)
    sheet_input(r, "hours", a->person, "Hours", a->name, vh,
                "inputmode=\"decimal\" size=\"5\"", BAD("hours"));
    hub_raw(r, "</td><td>");
    sheet_input(r, "pre", a->person, "Quiz before", a->name, vpre,
                "inputmode=\"numeric\" size=\"4\"", BAD("pre"));
    hub_raw(r, "</td><td>");
    sheet_input(r, "post", a->person, "Quiz after", a->name, vpost,
                "inputmode=\"numeric\" size=\"4\"", BAD("post"));
#undef BAD
    hub_raw(r, "</td></tr>");
}

/* The summary line of one outlet's rows [from, to). */
static void sheet_summary(struct hub_req *r, const struct sheet *sh,
                          size_t from, size_t to)
{
    int64_t present = 0, minutes = 0, pre = 0, post = 0, both = 0;
    for (size_t i = from; i < to; i++) {
        const struct sheet_row *a = &sh->v[i];
        present += a->present;
        minutes += a->minutes;
        if (a->pre >= 0 && a->post >= 0) {
            pre += a->pre;
            post += a->post;
            both++;
        }
    }
    hub_raw(r, "<p class=\"kk-meta\">");
    hub_t(r, "Present:");
    hub_rawf(r, " %lld / %zu &#183; ", (long long)present, to - from);
    hub_t(r, "Hours:");
    hub_raw(r, " ");
    hub_training_put_hours(r, minutes);
    if (both > 0) {
        hub_raw(r, " &#183; ");
        hub_t(r, "Average quiz score, before and after:");
        hub_rawf(r, " %lld &#8594; %lld", (long long)((pre + both / 2) / both),
                 (long long)((post + both / 2) / both));
    }
    hub_raw(r, "</p>");
}

static void sheet_head(struct hub_req *r)
{
    hub_raw(r, "<thead><tr><th scope=\"col\">");
    hub_t(r, "Person");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Department");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Present");
    hub_raw(r, "</th><th scope=\"col\" class=\"kk-num\">");
    hub_t(r, "Hours");
    hub_raw(r, "</th><th scope=\"col\" class=\"kk-num\">");
    hub_t(r, "Quiz before");
    hub_raw(r, "</th><th scope=\"col\" class=\"kk-num\">");
    hub_t(r, "Quiz after");
    hub_raw(r, "</th></tr></thead><tbody>");
}

static void sheet_section(struct hub_req *r, const struct session *s,
                          const struct sheet *sh, size_t from, size_t to,
                          const char *outlet_name, const struct sheet_typed *t)
{
    int64_t oid = sh->v[from].outlet;
    bool edit = s->writable;
    hub_rawf(r, "<section id=\"outlet-%lld\" class=\"kk-sheet\"><h3>",
             (long long)oid);
    hub_esc(r, outlet_name);
    hub_raw(r, "</h3>");
    sheet_summary(r, sh, from, to);
    if (t != NULL && t->outlet == oid && t->bad != NULL) {
        const char *who = "";
        for (size_t i = from; i < to; i++) {
            if (sh->v[i].person == t->person)
                who = sh->v[i].name;
        }
        hub_raw(r, "<p class=\"kk-error\" role=\"alert\">");
        hub_esc(r, who);
        hub_raw(r, ": ");
        hub_t(r, t->why);
        hub_raw(r, "</p>");
    }
    if (edit) {
        hub_rawf(r,
                 "<form method=\"post\" action=\"/sessions/%lld/"
                 "attendance#outlet-%lld\">",
                 (long long)s->id, (long long)oid);
        hub_csrf_field(r);
        hub_rawf(r, "<input type=\"hidden\" name=\"outlet\" value=\"%lld\">",
                 (long long)oid);
        hub_raw(r, "<p class=\"kk-hint\">");
        hub_t(r, "Tick who came. Leave the hours empty for the whole session:");
        hub_raw(r, " ");
        hub_training_put_hours(r, session_minutes(s));
        hub_raw(r, ". ");
        hub_t(r, "Quiz scores are 0 to 100.");
        hub_raw(r, "</p>");
    }
    hub_rawf(r, "<div class=\"kk-scroll\" tabindex=\"0\" role=\"region\" "
                "aria-label=\"");
    hub_esc(r, outlet_name);
    hub_raw(r, "\"><table class=\"kk-table\">");
    sheet_head(r);
    for (size_t i = from; i < to; i++)
        sheet_row(r, &sh->v[i], edit, t);
    hub_raw(r, "</tbody></table></div>");
    if (edit) {
        hub_raw(r, "<p><button type=\"submit\">");
        hub_t(r, "Save the attendance");
        hub_raw(r, "</button></p></form>");
    }
    hub_raw(r, "</section>");
}

static void facts(struct hub_req *r, const struct session *s)
{
    hub_raw(r, "<dl class=\"kk-facts\"><dt>");
    hub_t(r, "First day");
    hub_raw(r, "</dt><dd>");
    hub_esc(r, s->held_on);
    hub_raw(r, "</dd><dt>");
    hub_t(r, "Days");
    hub_rawf(r, "</dt><dd>%lld</dd><dt>", (long long)s->days);
    hub_t(r, "Place");
    hub_raw(r, "</dt><dd>");
    hub_esc(r, s->place);
    hub_raw(r, "</dd><dt>");
    hub_t(r, "Trainer");
    hub_raw(r, "</dt><dd>");
    hub_esc(r, s->trainer_email);
    hub_raw(r, "</dd><dt>");
    hub_t(r, "Outlets");
    hub_raw(r, "</dt><dd>");
    for (size_t i = 0; i < s->n_outlets; i++) {
        hub_raw(r, i > 0 ? ", " : "");
        hub_esc(r, s->outlets[i].name);
    }
    hub_raw(r, "</dd><dt>");
    hub_t(r, "Modules");
    hub_raw(r, "</dt><dd>");
    if (s->n_modules == 0)
        hub_raw(r, "<span class=\"kk-muted\">&#8212;</span>");
    else
        hub_raw(r, "<ul>");
    for (size_t i = 0; i < s->n_modules; i++) {
        hub_rawf(r, "<li><a href=\"/curriculum/%lld\">",
                 (long long)s->modules[i].id);
        hub_esc(r, hub_module_title(r->lang, s->modules[i].code,
                                    s->modules[i].name));
        hub_raw(r, "</a></li>");
    }
    if (s->n_modules > 0)
        hub_raw(r, "</ul>");
    hub_raw(r, "</dd><dt>");
    hub_t(r, "Hours");
    hub_raw(r, "</dt><dd>");
    hub_training_put_hours(r, session_minutes(s));
    hub_raw(r, "</dd></dl>");
}

static int session_page(struct hub_req *r, const struct session *s,
                        const struct session_input *in,
                        const struct sheet_typed *t)
{
    struct sheet sh;
    char url[URL_MAX];
    size_t from = 0;
    int err = sheet_load(r, s->id, &sh);
    if (err != KK_OK)
        return err;
    hub_page_begin(r, "Training session");
    hub_raw(r, "<p class=\"kk-crumbs\"><a href=\"/sessions\">");
    hub_t(r, "Training sessions");
    hub_raw(r, "</a></p>");
    flash_done(r);
    hub_raw(r, "<h2 class=\"kk-sub\">");
    hub_esc(r, s->title);
    hub_raw(r, "</h2>");
    if (s->archived_at != 0)
        hub_say(r, "p", "kk-warning", "This session is archived.");
    facts(r, s);
    hub_say(r, "h2", NULL,
            r->who.role == HUB_ROLE_STAFF ? "Your attendance" : "Attendance");
    if (sh.n == 0)
        hub_say(r, "p", "kk-empty",
                "Nobody is registered in these outlets yet.");
    while (from < sh.n) {
        size_t to = from;
        const char *name = "";
        while (to < sh.n && sh.v[to].outlet == sh.v[from].outlet)
            to++;
        for (size_t i = 0; i < s->n_outlets; i++) {
            if (s->outlets[i].id == sh.v[from].outlet)
                name = s->outlets[i].name;
        }
        sheet_section(r, s, &sh, from, to, name, t);
        from = to;
    }
    if (s->writable) {
        snprintf(url, sizeof url, "/sessions/%lld", (long long)s->id);
        hub_say(r, "h2", NULL, "Change the session");
        err = session_form(r, url, "edit", in, s, "Save changes");
        hub_say(r, "h2", NULL, "Archive");
        hub_say(
            r, "p", "kk-hint",
            "An archived session leaves the lists and the progress figures; "
            "its attendance stays in the history.");
        hub_rawf(r,
                 "<form method=\"post\" action=\"%s/archive\" "
                 "class=\"kk-actions\">",
                 url);
        hub_csrf_field(r);
        hub_raw(r, "<p><button type=\"submit\" class=\"kk-danger\">");
        hub_t(r, "Archive");
        hub_raw(r, "</button></p></form>");
    }
    hub_page_end(r);
    sheet_free(&sh);
    return err;
}

int hub_training_session_get(struct hub_req *r)
{
    struct session *s = calloc(1, sizeof *s);
    int err = s != NULL ? session_get(r, r->param[0], s) : KK_ERR_NOMEM;
    if (err == KK_OK)
        err = r->api ? session_answer(r, s->id, 200)
                     : session_page(r, s, NULL, NULL);
    free(s);
    return err;
}

/* --- changing sessions --- */

static void redirect_done(struct hub_req *r, int64_t id, const char *done)
{
    char url[URL_MAX];
    if (id != 0)
        snprintf(url, sizeof url, "/sessions/%lld?done=%s", (long long)id,
                 done);
    else
        snprintf(url, sizeof url, "/sessions?done=%s", done);
    hub_redirect(r, url);
}

int hub_training_session_add(struct hub_req *r)
{
    struct session_input in;
    char num[48];
    int64_t id = 0;
    int err = session_read(r, NULL, &in, num, sizeof num);
    if (err == KK_OK)
        err = session_write(r, NULL, &in, &id);
    if (err != KK_OK && in.bad != NULL) {
        if (r->api) {
            hub_training_invalid(r, in.bad, in.why);
            return KK_OK;
        }
        r->status = 400;
        return sessions_answer(r, &in);
    }
    if (err != KK_OK)
        return err;
    if (r->api)
        return session_answer(r, id, 201);
    redirect_done(r, id, "added");
    return KK_OK;
}

/* The session of the route, which the caller must be able to change. */
static int writable_get(struct hub_req *r, struct session **out)
{
    struct session *s = calloc(1, sizeof *s);
    int err = s != NULL ? session_get(r, r->param[0], s) : KK_ERR_NOMEM;
    if (err == KK_OK && !s->writable)
        err = KK_ERR_NOTFOUND;
    if (err != KK_OK) {
        free(s);
        s = NULL;
    }
    *out = s;
    return err;
}

int hub_training_session_edit(struct hub_req *r)
{
    struct session *cur = NULL;
    struct session_input in;
    char num[48];
    int64_t id = 0;
    int err = writable_get(r, &cur);
    if (err != KK_OK)
        return err;
    err = session_read(r, cur, &in, num, sizeof num);
    if (err == KK_OK)
        err = session_write(r, cur, &in, &id);
    if (err != KK_OK && in.bad != NULL) {
        if (r->api) {
            hub_training_invalid(r, in.bad, in.why);
            err = KK_OK;
        } else {
            r->status = 400;
            err = session_page(r, cur, &in, NULL);
        }
    } else if (err == KK_OK && r->api) {
        err = session_answer(r, id, 200);
    } else if (err == KK_OK) {
        redirect_done(r, id, "saved");
    }
    free(cur);
    return err;
}

int hub_training_session_archive(struct hub_req *r)
{
    struct session *s = NULL;
    sqlite3_stmt *st;
    int64_t outlets[IDS_MAX];
    int err = writable_get(r, &s);
    if (err != KK_OK)
        return err;
    err = hub_tx_begin(r->db);
    if (err != KK_OK)
        goto out;
    st = hub_scoped(r, HUB_Q_TR_SESSION_ARCHIVE);
    if (st == NULL) {
        err = KK_ERR_IO;
    } else {
        hub_bind_i64(st, ":id", s->id);
        hub_bind_i64(st, ":now", hub_now());
        err = step_changes(r, st);
    }
    for (size_t i = 0; i < s->n_outlets; i++)
        outlets[i] = s->outlets[i].id;
    if (err == KK_OK)
        audit_outlets(r, outlets, s->n_outlets, "archive", "session", s->id);
    if (err == KK_OK)
        err = hub_tx_commit(r->db);
    else
        hub_tx_rollback(r->db);
    if (err == KK_OK && r->api)
        err = session_answer(r, s->id, 200);
    else if (err == KK_OK)
        redirect_done(r, 0, "archived");
out:
    free(s);
    return err;
}

/* --- attendance --- */

struct attend {
    int64_t person;
    bool present;
    int64_t minutes;
    int64_t pre, post; /* -1: none */
};

static int attend_store(struct hub_req *r, const struct session *s,
                        const struct attend *v, size_t n, size_t *bad_at)
{
    char detail[48];
    int err = hub_tx_begin(r->db);
    if (err != KK_OK)
        return err;
    for (size_t i = 0; i < n && err == KK_OK; i++) {
        sqlite3_stmt *st = hub_scoped(r, HUB_Q_TR_ATTEND_SET);
        if (st == NULL) {
            err = KK_ERR_IO;
            break;
        }
        hub_bind_i64(st, ":session", s->id);
        hub_bind_i64(st, ":person", v[i].person);
        hub_bind_i64(st, ":present", v[i].present ? 1 : 0);
        hub_bind_i64(st, ":minutes", v[i].minutes);
        if (v[i].pre >= 0)
            hub_bind_i64(st, ":pre", v[i].pre);
        else
            hub_bind_null(st, ":pre");
        if (v[i].post >= 0)
            hub_bind_i64(st, ":post", v[i].post);
        else
            hub_bind_null(st, ":post");
        err = step_changes(r, st);
        if (err == KK_ERR_NOTFOUND)
            *bad_at = i;
    }
    if (err == KK_OK) {
        snprintf(detail, sizeof detail, "%lld (%zu)", (long long)s->id, n);
        /* The session's outlets (all the caller's) each see the change. */
        for (size_t i = 0; i < s->n_outlets; i++)
            hub_audit(r, s->outlets[i].id, "update", "attendance", detail);
        err = hub_tx_commit(r->db);
    } else {
        hub_tx_rollback(r->db);
    }
    return err;
}

/* A score: empty or absent means none; else 0..100. */
static int score_of(const char *v, int64_t *out)
{
    *out = -1;
    if (v == NULL || v[0] == '\0')
        return KK_OK;
    return kk_parse_i64(v, 0, 100, out);
}

/* The rows of one outlet's form, checked; *fail says which and why. */
static int attend_from_form(struct hub_req *r, const struct session *s,
                            const struct sheet *sh, struct attend *v, size_t *n,
                            struct sheet_typed *fail)
{
    int64_t outlet = 0, full = session_minutes(s);
    const char *o = hub_form_get(r->form, "outlet");
    int err = KK_OK;
    *n = 0;
    if (o == NULL || kk_parse_i64(o, 1, INT64_MAX, &outlet) != KK_OK)
        return KK_ERR_INVAL; /* not a form of the page */
    fail->outlet = outlet;
    for (size_t i = 0; i < sh->n && err == KK_OK; i++) {
        const struct sheet_row *a = &sh->v[i];
        const char *h = typed(r, "hours", a->person);
        struct attend *e;
        if (a->outlet != outlet || h == NULL)
            continue;
        e = &v[(*n)++];
        e->person = a->person;
        e->present = typed(r, "present", a->person) != NULL;
        e->minutes = e->present ? full : 0;
        fail->person = a->person;
        if (h[0] != '\0' &&
            hub_hours_parse(h, s->days * 1440, &e->minutes) != KK_OK) {
            fail->bad = "hours";
            fail->why = "Hours: a number such as 3 or 2.5, at most the "
                        "session's length.";
            err = KK_ERR_INVAL;
        } else if (!e->present && e->minutes > 0) {
            fail->bad = "hours";
            fail->why = "Hours are filled in, but the person is not ticked "
                        "as present.";
            err = KK_ERR_INVAL;
        } else if (score_of(typed(r, "pre", a->person), &e->pre) != KK_OK) {
            fail->bad = "pre";
            fail->why = "A quiz score is a whole number from 0 to 100.";
            err = KK_ERR_INVAL;
        } else if (score_of(typed(r, "post", a->person), &e->post) != KK_OK) {
            fail->bad = "post";
            fail->why = "A quiz score is a whole number from 0 to 100.";
            err = KK_ERR_INVAL;
        }
    }
    return err;
}

/* One JSON entry of "attendance". */
static int attend_entry(const struct hub_jv *x, const struct session *s,
                        struct attend *e, const char **field)
{
    const struct hub_jv *p = hub_jv_get(x, "person");
    const struct hub_jv *pr = hub_jv_get(x, "present");
    const struct hub_jv *mi = hub_jv_get(x, "minutes");
    const char *keys[2] = {"pre_score", "post_score"};
    int64_t *dst[2] = {&e->pre, &e->post};
    bool b = true;
    memset(e, 0, sizeof *e);
    *field = "person";
    if (hub_jv_type(x) != HUB_JSON_OBJECT ||
        (hub_jv_type(p) == HUB_JSON_STRING
             ? kk_parse_i64(hub_jv_str(p), 1, INT64_MAX, &e->person)
             : hub_jv_i64(p, &e->person)) != KK_OK ||
        e->person <= 0)
        return KK_ERR_INVAL;
    *field = "present";
    if (pr != NULL && hub_jv_type(pr) != HUB_JSON_NULL &&
        hub_jv_bool(pr, &b) != KK_OK)
        return KK_ERR_INVAL;
    e->present = b;
    *field = "minutes";
    e->minutes = b ? session_minutes(s) : 0;
    if (mi != NULL && hub_jv_type(mi) != HUB_JSON_NULL &&
        (hub_jv_i64(mi, &e->minutes) != KK_OK || e->minutes < 0 ||
         e->minutes > s->days * 1440 || (!b && e->minutes > 0)))
        return KK_ERR_INVAL;
    for (size_t k = 0; k < 2; k++) {
        const struct hub_jv *v = hub_jv_get(x, keys[k]);
        *field = keys[k];
        *dst[k] = -1;
        if (v != NULL && hub_jv_type(v) != HUB_JSON_NULL &&
            (hub_jv_i64(v, dst[k]) != KK_OK || *dst[k] < 0 || *dst[k] > 100))
            return KK_ERR_INVAL;
    }
    return KK_OK;
}

static int attend_from_json(struct hub_req *r, const struct session *s,
                            struct attend *v, size_t *n, char *field,
                            size_t fcap)
{
    const struct hub_jv *a = hub_jv_get(hub_json_root(r->json), "attendance");
    const char *f = NULL;
    int err = KK_OK;
    *n = 0;
    if (hub_jv_type(a) != HUB_JSON_ARRAY || hub_jv_len(a) > ATTEND_MAX) {
        snprintf(field, fcap, "attendance");
        return KK_ERR_INVAL;
    }
    for (size_t i = 0; i < hub_jv_len(a) && err == KK_OK; i++) {
        err = attend_entry(hub_jv_at(a, i), s, &v[i], &f);
        if (err != KK_OK)
            snprintf(field, fcap, "attendance[%zu].%s", i, f);
        else
            (*n)++;
    }
    return err;
}

int hub_training_attendance(struct hub_req *r)
{
    struct session *s = NULL;
    struct sheet sh = {NULL, 0};
    struct sheet_typed fail = {0, 0, NULL, NULL};
    struct attend *v = NULL;
    char field[64] = "";
    size_t n = 0, bad_at = 0;
    int err = writable_get(r, &s);
    if (err != KK_OK)
        return err;
    v = calloc(ATTEND_MAX > SHEET_MAX ? ATTEND_MAX : SHEET_MAX, sizeof *v);
    err = v != NULL ? KK_OK : KK_ERR_NOMEM;
    if (err == KK_OK && r->json != NULL) {
        err = attend_from_json(r, s, v, &n, field, sizeof field);
        if (err == KK_ERR_INVAL) {
            hub_training_invalid(r, field, "Not valid.");
            err = KK_OK;
            goto out;
        }
    } else if (err == KK_OK) {
        err = sheet_load(r, s->id, &sh);
        if (err == KK_OK)
            err = attend_from_form(r, s, &sh, v, &n, &fail);
        if (err == KK_ERR_INVAL && fail.bad != NULL) {
            r->status = 400;
            err = session_page(r, s, NULL, &fail);
            goto out;
        }
    }
    if (err == KK_OK)
        err = attend_store(r, s, v, n, &bad_at);
    if (err == KK_ERR_NOTFOUND && r->json != NULL) {
        /* Another outlet's person, or nobody: the same answer. */
        snprintf(field, sizeof field, "attendance[%zu].person", bad_at);
        hub_training_invalid(r, field, "Not a person of this session.");
        err = KK_OK;
    } else if (err == KK_OK && r->api) {
        err = session_answer(r, s->id, 200);
    } else if (err == KK_OK) {
        char url[URL_MAX];
        snprintf(url, sizeof url, "/sessions/%lld?done=attendance#outlet-%lld",
                 (long long)s->id, (long long)fail.outlet);
        hub_redirect(r, url);
    }
out:
    sheet_free(&sh);
    free(v);
    free(s);
    return err;
}
