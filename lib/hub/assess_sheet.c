/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * assess_sheet.c - the assessment sheet: every control of the catalogue
 * on every subject of the outlet it applies to, the results recorded in
 * this assessment, recording more (a form per subject and area, or a
 * JSON list, all or nothing), closing it with a sealed summary, and
 * turning its failed controls into findings.
 *
 * The sheet is computed, not stored: the outlet's register (alive at the
 * assessment's time) crossed with the catalogue, narrowed by platform and
 * device kind so a Facebook control is not asked of a mailbox.  A result
 * is an observation carrying the assessment's id (source manual, by the
 * assessor); a later result of the same control and subject in the same
 * assessment replaces the earlier one on the sheet, while the log keeps
 * both.  The form is split per subject because a form carries at most
 * KK_HUB_FORM_FIELDS_MAX fields, and a subject has at most about twenty
 * controls in one area.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess.h"
#include "model.h"
#include "seal.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* --- which control applies to which subject --- */

/* Account controls about some platforms only. */
static const struct {
    const char *control;
    int platforms[9];
} account_only[] = {
    {"ACC-01", {HUB_PF_EMAIL, HUB_PF_WORKSPACE}},
    {"ACC-02", {HUB_PF_EMAIL, HUB_PF_WORKSPACE}},
    {"ACC-04", {HUB_PF_FB_PROFILE}},
    {"ACC-05", {HUB_PF_FB_PROFILE}},
    {"ACC-06", {HUB_PF_FB_PAGE}},
    {"ACC-07", {HUB_PF_META_BUSINESS}},
    {"ACC-08", {HUB_PF_FB_PAGE}},
    {"ACC-09", {HUB_PF_INSTAGRAM}},
    {"ACC-10", {HUB_PF_TELEGRAM_USER}},
    {"ACC-11", {HUB_PF_TELEGRAM_CHANNEL}},
    {"ACC-12", {HUB_PF_WHATSAPP}},
    {"ACC-13", {HUB_PF_OK}},
    {"ACC-16",
     {HUB_PF_FB_PAGE, HUB_PF_META_BUSINESS, HUB_PF_TELEGRAM_CHANNEL,
      HUB_PF_REGISTRAR, HUB_PF_HOSTING, HUB_PF_DNS, HUB_PF_CMS_ADMIN,
      HUB_PF_WORKSPACE}},
    {"ACC-17", {HUB_PF_REGISTRAR, HUB_PF_HOSTING, HUB_PF_DNS}},
    {"ACC-18", {HUB_PF_CMS_ADMIN}},
};

/* Device controls: a phone or tablet is asked DEV-16 and DEV-17 (its
 * system, lock and backups), a router DEV-18, a server what a computer is
 * asked less the desk controls; computers everything but the phone's and
 * the router's. */
static bool device_applies(const char *id, int kind)
{
    static const char *const phone[] = {"DEV-16", "DEV-17"};
    static const char *const not_server[] = {"DEV-08", "DEV-09", "DEV-11",
                                             "DEV-16", "DEV-18"};
    static const char *const not_computer[] = {"DEV-16", "DEV-18"};
    const char *const *tab;
    size_t n;
    switch (kind) {
    case HUB_DEV_PHONE:
    case HUB_DEV_TABLET:
        for (size_t i = 0; i < NELEM(phone); i++) {
            if (strcmp(id, phone[i]) == 0)
                return true;
        }
        return false;
    case HUB_DEV_ROUTER:
        return strcmp(id, "DEV-18") == 0;
    case HUB_DEV_SERVER:
        tab = not_server;
        n = NELEM(not_server);
        break;
    default:
        tab = not_computer;
        n = NELEM(not_computer);
        break;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(id, tab[i]) == 0)
            return false;
    }
    return true;
}

bool hub_assess_applies(const struct hub_control *c, const char *stype,
                        int kind)
{
    if (c == NULL || stype == NULL || strcmp(c->applies, stype) != 0)
        return false;
    if (strcmp(stype, "device") == 0)
        return device_applies(c->id, kind);
    if (strcmp(stype, "account") != 0)
        return true;
    for (size_t i = 0; i < NELEM(account_only); i++) {
        if (strcmp(account_only[i].control, c->id) != 0)
            continue;
        for (size_t k = 0; k < NELEM(account_only[i].platforms); k++) {
            if (account_only[i].platforms[k] != 0 &&
                account_only[i].platforms[k] == kind)
                return true;
        }
        return false;
    }
    return true;
}

static bool alive_at(const struct hub_assess_subject *s, int64_t t)
{
    return s->created <= t && (s->archived == 0 || s->archived > t);
}

int hub_assess_expand(const struct hub_catalogue *cat,
                      const struct hub_assess_subject *s, size_t n, int area,
                      int64_t t, struct hub_assess_pair **out, size_t *n_out)
{
    struct hub_assess_pair *v = NULL;
    size_t k = 0, cap = 0, nc = cat != NULL ? hub_catalogue_len(cat) : 0;
    int err = KK_OK;
    if (cat == NULL || out == NULL || n_out == NULL)
        return KK_ERR_INVAL;
    for (size_t i = 0; i < n && err == KK_OK; i++) {
        if (!alive_at(&s[i], t))
            continue;
        /* Pass 0: baseline controls; pass 1: the others. */
        for (int pass = 0; pass < 2 && err == KK_OK; pass++) {
            for (size_t c = 0; c < nc; c++) {
                const struct hub_control *ctl = hub_catalogue_at(cat, c);
                bool base = strcmp(ctl->level, "baseline") == 0;
                if (base != (pass == 0) || (area != 0 && ctl->area != area) ||
                    !hub_assess_applies(ctl, s[i].type, s[i].kind))
                    continue;
                if (k == cap) {
                    size_t ncap = cap != 0 ? cap * 2 : 64;
                    struct hub_assess_pair *nv =
                        reallocarray(v, ncap, sizeof *nv);
                    if (nv == NULL) {
                        err = KK_ERR_NOMEM;
                        break;
                    }
                    v = nv;
                    cap = ncap;
                }
                v[k].ctl = ctl;
                v[k].subject = i;
                k++;
            }
        }
    }
    if (err != KK_OK) {
        free(v);
        return err;
    }
    *out = v;
    *n_out = k;
    return KK_OK;
}

static const char *subject_type_of(int rank)
{
    static const char *const types[] = {"outlet", "person", "account", "device",
                                        "website"};
    return rank >= 1 && rank <= 5 ? types[rank - 1] : "outlet";
}

int hub_assess_subjects(struct hub_req *r, int64_t outlet,
                        struct hub_assess_subject **out, size_t *n)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_ASMT_SUBJECTS);
    struct hub_assess_subject *v = NULL;
    size_t k = 0, cap = 0;
    int err = KK_OK;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":outlet", outlet);
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct hub_assess_subject *s;
        const char *kind = hub_col_text(st, 3);
        if (k == KK_HUB_CSV_ROWS_MAX)
            break;
        if (k == cap) {
            size_t nc = cap != 0 ? cap * 2 : 64;
            struct hub_assess_subject *nv = reallocarray(v, nc, sizeof *nv);
            if (nv == NULL) {
                err = KK_ERR_NOMEM;
                break;
            }
            v = nv;
            cap = nc;
        }
        s = &v[k++];
        s->type = subject_type_of(sqlite3_column_int(st, 0));
        s->id = sqlite3_column_int64(st, 2);
        s->kind =
            strcmp(s->type, "device") == 0    ? hub_device_kind_from_name(kind)
            : strcmp(s->type, "account") == 0 ? hub_platform_from_name(kind)
                                              : 0;
        snprintf(s->label, sizeof s->label, "%s", hub_col_text(st, 4));
        snprintf(s->detail, sizeof s->detail, "%s", hub_col_text(st, 5));
        s->created = sqlite3_column_int64(st, 6);
        s->archived = sqlite3_column_int64(st, 7);
    }
    sqlite3_reset(st);
    if (err != KK_OK) {
        free(v);
        return err;
    }
    *out = v;
    *n = k;
    return KK_OK;
}

/* --- results: checking and parsing --- */

const char *hub_assess_result_check(const char *status, const char *note)
{
    if (hub_assess_result_from(status) == 0)
        return "Choose pass, partial, fail or not applicable.";
    if (note != NULL) {
        if (strlen(note) > HUB_ASSESS_NOTE_MAX)
            return "The evidence note is too long (at most 1000 bytes).";
        for (const unsigned char *p = (const unsigned char *)note; *p; p++) {
            if (*p == 0x7f ||
                (*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t'))
                return "The evidence note holds a control character.";
        }
    }
    return NULL;
}

static bool subject_type_ok(const char *s)
{
    static const char *const types[] = {"person", "device", "account",
                                        "website", "outlet"};
    for (size_t i = 0; s != NULL && i < NELEM(types); i++) {
        if (strcmp(s, types[i]) == 0)
            return true;
    }
    return false;
}

int hub_assess_results_parse(const struct hub_json *doc,
                             struct hub_assess_result **out, size_t *n,
                             size_t *bad, const char **why)
{
    const struct hub_jv *list = hub_jv_get(hub_json_root(doc), "results");
    const struct hub_catalogue *cat = hub_catalogue_builtin();
    struct hub_assess_result *v = NULL;
    size_t len = hub_jv_len(list);
    int err = KK_OK;
    *bad = 0;
    if (hub_jv_type(list) != HUB_JSON_ARRAY || len == 0 ||
        len > HUB_ASSESS_RESULTS_MAX) {
        *why = "Send \"results\": a list of 1 to 500 results.";
        return KK_ERR_INVAL;
    }
    v = calloc(len, sizeof *v);
    if (v == NULL)
        return KK_ERR_NOMEM;
    for (size_t i = 0; i < len && err == KK_OK; i++) {
        const struct hub_jv *e = hub_jv_at(list, i);
        const struct hub_jv *note = hub_jv_get(e, "note");
        const char *ctl = hub_jv_str(hub_jv_get(e, "control_id"));
        int64_t sid = 0;
        *bad = i;
        v[i].stype = hub_jv_str(hub_jv_get(e, "subject_type"));
        v[i].status = hub_jv_str(hub_jv_get(e, "status"));
        v[i].note = note == NULL || hub_jv_type(note) == HUB_JSON_NULL
                        ? ""
                        : hub_jv_str(note);
        v[i].ctl = ctl != NULL ? hub_catalogue_find(cat, ctl) : NULL;
        if (hub_jv_type(e) != HUB_JSON_OBJECT) {
            *why = "Each result is an object.";
            err = KK_ERR_INVAL;
        } else if (v[i].ctl == NULL) {
            *why = "Unknown control_id.";
            err = KK_ERR_INVAL;
        } else if (!subject_type_ok(v[i].stype)) {
            *why = "subject_type is one of person, device, account, "
                   "website, outlet.";
            err = KK_ERR_INVAL;
        } else if (hub_jv_i64(hub_jv_get(e, "subject_id"), &sid) != KK_OK ||
                   sid <= 0) {
            *why = "subject_id is a positive number.";
            err = KK_ERR_INVAL;
        } else if (strcmp(v[i].ctl->applies, v[i].stype) != 0) {
            *why = "This control is not about this type of subject.";
            err = KK_ERR_INVAL;
        } else if (v[i].status == NULL || v[i].note == NULL) {
            *why = v[i].status == NULL
                       ? "Choose pass, partial, fail or not applicable."
                       : "The note is text.";
            err = KK_ERR_INVAL;
        } else {
            const char *w = hub_assess_result_check(v[i].status, v[i].note);
            if (w != NULL) {
                *why = w;
                err = KK_ERR_INVAL;
            }
        }
        v[i].sid = sid;
    }
    if (err != KK_OK) {
        free(v);
        return err;
    }
    *out = v;
    *n = len;
    return KK_OK;
}

/* --- an assessment's recorded results --- */

struct obs {
    char stype[8];
    int64_t sid;
    char control[17];
    char status[8];
    int64_t at;
    char by[KK_HUB_NAME_MAX + 1];
    char note[HUB_ASSESS_NOTE_MAX + 1];
};

struct obs_set {
    struct obs *v;
    size_t n, cap;
};

static struct obs *obs_find(const struct obs_set *o, const char *stype,
                            int64_t sid, const char *control)
{
    for (size_t i = 0; i < o->n; i++) {
        if (o->v[i].sid == sid && strcmp(o->v[i].control, control) == 0 &&
            strcmp(o->v[i].stype, stype) == 0)
            return &o->v[i];
    }
    return NULL;
}

/* Reads the results; a later one of the same pair replaces the earlier. */
static int obs_load(struct hub_req *r, int64_t outlet, int64_t aid,
                    struct obs_set *o)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_ASMT_RESULTS);
    int err = KK_OK;
    memset(o, 0, sizeof *o);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":id", aid);
    hub_bind_i64(st, ":outlet", outlet);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *stype = hub_col_text(st, 0), *ctl = hub_col_text(st, 2);
        int64_t sid = sqlite3_column_int64(st, 1);
        struct obs *x = obs_find(o, stype, sid, ctl);
        if (x == NULL) {
            if (o->n == o->cap) {
                size_t nc = o->cap != 0 ? o->cap * 2 : 64;
                struct obs *nv = reallocarray(o->v, nc, sizeof *nv);
                if (nv == NULL) {
                    err = KK_ERR_NOMEM;
                    break;
                }
                o->v = nv;
                o->cap = nc;
            }
            x = &o->v[o->n++];
            snprintf(x->stype, sizeof x->stype, "%s", stype);
            x->sid = sid;
            snprintf(x->control, sizeof x->control, "%s", ctl);
        }
        snprintf(x->status, sizeof x->status, "%s", hub_col_text(st, 3));
        snprintf(x->note, sizeof x->note, "%s", hub_col_text(st, 4));
        x->at = sqlite3_column_int64(st, 5);
        snprintf(x->by, sizeof x->by, "%s", hub_col_text(st, 6));
    }
    sqlite3_reset(st);
    if (err != KK_OK) {
        free(o->v);
        o->v = NULL;
    }
    return err;
}

static size_t count_done(const struct hub_assess_pair *p, size_t n,
                         const struct hub_assess_subject *s,
                         const struct obs_set *o, int area)
{
    size_t done = 0;
    for (size_t i = 0; i < n; i++) {
        if ((area == 0 || p[i].ctl->area == area) &&
            obs_find(o, s[p[i].subject].type, s[p[i].subject].id,
                     p[i].ctl->id) != NULL)
            done++;
    }
    return done;
}

int hub_assess_progress(struct hub_req *r, int64_t outlet, int64_t aid,
                        int64_t t, const struct hub_assess_subject *s, size_t n,
                        size_t *done, size_t *total)
{
    struct hub_assess_pair *p = NULL;
    size_t np = 0;
    struct obs_set o;
    int err = obs_load(r, outlet, aid, &o);
    if (err != KK_OK)
        return err;
    err = hub_assess_expand(hub_catalogue_builtin(), s, n, 0, t, &p, &np);
    if (err == KK_OK) {
        *done = count_done(p, np, s, &o, 0);
        *total = np;
    }
    free(p);
    free(o.v);
    return err;
}

/* --- the assessment itself --- */

struct asmt {
    int64_t id, outlet, assessor, created, closed;
    char kind[16], held_on[16], status[16];
    char assessor_email[KK_HUB_NAME_MAX + 1];
    struct kk_buf *summary; /* opened */
};

static int asmt_get(struct hub_req *r, int64_t outlet, int64_t id,
                    struct asmt *a)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_ASMT_GET);
    int err = KK_ERR_NOTFOUND;
    memset(a, 0, sizeof *a);
    a->summary = kk_buf_new(ASMT_TEXT_BUF);
    if (st == NULL || a->summary == NULL)
        return st == NULL ? KK_ERR_IO : KK_ERR_NOMEM;
    hub_bind_i64(st, ":id", id);
    hub_bind_i64(st, ":outlet", outlet);
    if (sqlite3_step(st) == SQLITE_ROW) {
        a->id = id;
        a->outlet = outlet;
        snprintf(a->kind, sizeof a->kind, "%s", hub_col_text(st, 1));
        snprintf(a->held_on, sizeof a->held_on, "%s", hub_col_text(st, 2));
        a->assessor = sqlite3_column_int64(st, 3);
        snprintf(a->assessor_email, sizeof a->assessor_email, "%s",
                 hub_col_text(st, 4));
        snprintf(a->status, sizeof a->status, "%s", hub_col_text(st, 5));
        a->created = sqlite3_column_int64(st, 6);
        a->closed = sqlite3_column_int64(st, 7);
        err = hub_col_opened(r, st, 8, ASMT_SEAL_SUMMARY, id, a->summary);
    }
    sqlite3_reset(st);
    return err;
}

static bool asmt_open(const struct asmt *a)
{
    return strcmp(a->status, "open") == 0;
}

/* The time the sheet is drawn at: its closing, or now. */
static int64_t asmt_time(const struct asmt *a)
{
    return a->closed != 0 ? a->closed : hub_now();
}

/* Everything the sheet needs. */
struct sheet {
    struct asmt a;
    struct hub_assess_subject *s;
    size_t ns;
    struct hub_assess_pair *p;
    size_t np;
    struct obs_set o;
};

static void sheet_free(struct sheet *sh)
{
    kk_buf_free(sh->a.summary);
    free(sh->s);
    free(sh->p);
    free(sh->o.v);
}

static int sheet_load(struct hub_req *r, struct sheet *sh)
{
    int err;
    memset(sh, 0, sizeof *sh);
    err = asmt_get(r, r->param[0], r->param[1], &sh->a);
    if (err == KK_OK)
        err = hub_assess_subjects(r, sh->a.outlet, &sh->s, &sh->ns);
    if (err == KK_OK)
        err = hub_assess_expand(hub_catalogue_builtin(), sh->s, sh->ns, 0,
                                asmt_time(&sh->a), &sh->p, &sh->np);
    if (err == KK_OK)
        err = obs_load(r, sh->a.outlet, sh->a.id, &sh->o);
    return err;
}

static void sheet_json(struct hub_req *r, const struct sheet *sh)
{
    struct hub_jw w;
    hub_jw_begin(&w, r);
    hub_jw_int(&w, "id", sh->a.id);
    hub_jw_int(&w, "outlet_id", sh->a.outlet);
    hub_jw_str(&w, "kind", sh->a.kind);
    hub_jw_str(&w, "held_on", sh->a.held_on);
    if (sh->a.assessor != 0)
        hub_jw_int(&w, "assessor_id", sh->a.assessor);
    else
        hub_jw_null(&w, "assessor_id");
    hub_jw_str(&w, "assessor", sh->a.assessor_email);
    hub_jw_str(&w, "status", sh->a.status);
    hub_assess_jw_time(&w, "created_at", sh->a.created);
    hub_assess_jw_time(&w, "closed_at", sh->a.closed);
    hub_jw_int(&w, "observed",
               (int64_t)count_done(sh->p, sh->np, sh->s, &sh->o, 0));
    hub_jw_int(&w, "expected", (int64_t)sh->np);
    hub_jw_str(&w, "summary", kk_buf_str(sh->a.summary));
    hub_jw_key(&w, "results");
    hub_jw_arr(&w);
    for (size_t i = 0; i < sh->o.n; i++) {
        const struct obs *x = &sh->o.v[i];
        hub_jw_key(&w, NULL);
        hub_jw_obj(&w);
        hub_jw_str(&w, "control_id", x->control);
        hub_jw_str(&w, "subject_type", x->stype);
        hub_jw_int(&w, "subject_id", x->sid);
        hub_jw_str(&w, "status", x->status);
        hub_jw_str(&w, "note", x->note);
        hub_assess_jw_time(&w, "observed_at", x->at);
        hub_jw_str(&w, "observed_by", x->by);
        hub_jw_close(&w, '}');
    }
    hub_jw_close(&w, ']');
    hub_jw_end(&w);
}

/* --- the sheet page --- */

static const char *area_wire(int area)
{
    static const char *const names[] = {"",        "accounts", "devices",
                                        "website", "physical", "organisation"};
    return area >= 1 && area <= 5 ? names[area] : "";
}

static const char *const results_names[] = {"pass", "partial", "fail", "na"};
static const char *const result_labels[] = {"Pass", "Partial", "Fail",
                                            "Not applicable"};
static const char *const result_cls[] = {"kk-ok", "kk-partial", "kk-bad",
                                         "kk-na"};

static const char *subject_kind_label(const struct hub_assess_subject *s)
{
    static const char *const dev[] = {NULL,     "Desktop", "Laptop", "Phone",
                                      "Tablet", "Server",  "Router"};
    if (strcmp(s->type, "account") == 0 && s->kind != 0)
        return hub_platform_label(s->kind);
    if (strcmp(s->type, "device") == 0 && s->kind > 0 && s->kind <= 6)
        return dev[s->kind];
    if (strcmp(s->type, "person") == 0)
        return "Person";
    if (strcmp(s->type, "website") == 0)
        return "Website";
    return "The outlet as a whole";
}

/* What went wrong with a posted form, to show next to it. */
struct sheet_err {
    const char *stype;
    int64_t sid;
    const char *control; /* the row, or NULL for the whole form */
    const char *why;
};

static void status_badge(struct hub_req *r, const struct obs *x)
{
    int s = x != NULL ? hub_assess_result_from(x->status) : 0;
    if (s == 0) {
        hub_raw(r, "<span class=\"kk-badge kk-unknown\">");
        hub_t(r, "Not observed");
        hub_raw(r, "</span>");
        return;
    }
    hub_rawf(r, "<span class=\"kk-badge %s\">", result_cls[s - 1]);
    hub_t(r, result_labels[s - 1]);
    hub_raw(r, "</span>");
    if (x->note[0] != '\0') {
        hub_raw(r, "<br><span class=\"kk-hint\">");
        hub_esc(r, x->note);
        hub_raw(r, "</span>");
    }
}

static void row_inputs(struct hub_req *r, const struct hub_assess_subject *s,
                       const struct hub_control *c, bool posted,
                       const struct sheet_err *e)
{
    char key[40], id[64];
    const char *typed = NULL, *note = NULL;
    bool bad =
        e != NULL && e->control != NULL && strcmp(e->control, c->id) == 0;
    snprintf(key, sizeof key, "status.%s", c->id);
    if (posted) {
        typed = hub_form_get(r->form, key);
        snprintf(key, sizeof key, "note.%s", c->id);
        note = hub_form_get(r->form, key);
    }
    snprintf(id, sizeof id, "st-%lld-%s", (long long)s->id, c->id);
    hub_rawf(r, "<td><label class=\"kk-sr\" for=\"%s\">", id);
    hub_t(r, "Result");
    hub_rawf(r, "</label><select id=\"%s\" name=\"status.%s\"%s>", id, c->id,
             bad ? " aria-invalid=\"true\"" : "");
    hub_raw(r, "<option value=\"\">&#8212;</option>");
    for (size_t k = 0; k < NELEM(results_names); k++) {
        hub_rawf(r, "<option value=\"%s\"%s>", results_names[k],
                 typed != NULL && strcmp(typed, results_names[k]) == 0
                     ? " selected"
                     : "");
        hub_t(r, result_labels[k]);
        hub_raw(r, "</option>");
    }
    hub_raw(r, "</select>");
    if (bad) {
        hub_raw(r, "<span class=\"kk-error\" role=\"alert\">");
        hub_t(r, e->why);
        hub_raw(r, "</span>");
    }
    snprintf(id, sizeof id, "nt-%lld-%s", (long long)s->id, c->id);
    hub_rawf(r, "</td><td><label class=\"kk-sr\" for=\"%s\">", id);
    hub_t(r, "Evidence");
    hub_rawf(r,
             "</label><input type=\"text\" id=\"%s\" name=\"note.%s\" "
             "maxlength=\"%d\" value=\"",
             id, c->id, HUB_ASSESS_NOTE_MAX);
    hub_esc(r, note != NULL ? note : "");
    hub_raw(r, "\"></td>");
}

/* One subject's lines of the area: a table, and a form when writable. */
static void subject_section(struct hub_req *r, const struct sheet *sh,
                            size_t si, int area, bool writable,
                            const struct sheet_err *e)
{
    const struct hub_assess_subject *s = &sh->s[si];
    bool posted =
        e != NULL && e->sid == s->id && strcmp(e->stype, s->type) == 0;
    char action[160];
    hub_rawf(r, "<section class=\"kk-subject\" id=\"s-%lld\"><h3>",
             (long long)s->id);
    hub_esc(r, s->label[0] != '\0' ? s->label : "-");
    hub_raw(r, "</h3><p class=\"kk-sub\">");
    hub_t(r, subject_kind_label(s));
    if (s->detail[0] != '\0') {
        hub_raw(r, " · ");
        hub_esc(r, s->detail);
    }
    hub_raw(r, "</p>");
    if (posted && e->control == NULL) {
        hub_raw(r, "<p class=\"kk-error\" role=\"alert\">");
        hub_t(r, e->why);
        hub_raw(r, "</p>");
    }
    if (writable) {
        snprintf(action, sizeof action,
                 "/outlets/%lld/assessments/%lld/results?area=%s",
                 (long long)sh->a.outlet, (long long)sh->a.id, area_wire(area));
        hub_assess_form_open(r, action, "kk-sheet");
        hub_rawf(r,
                 "<input type=\"hidden\" name=\"subject_type\" value=\"%s\">"
                 "<input type=\"hidden\" name=\"subject_id\" value=\"%lld\">",
                 s->type, (long long)s->id);
    }
    hub_raw(r, "<div class=\"kk-scroll\"><table class=\"kk-table\"><thead>"
               "<tr><th scope=\"col\">");
    hub_t(r, "Control");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Result in this assessment");
    if (writable) {
        hub_raw(r, "</th><th scope=\"col\">");
        hub_t(r, "Record");
        hub_raw(r, "</th><th scope=\"col\">");
        hub_t(r, "Evidence");
    }
    hub_raw(r, "</th></tr></thead><tbody>");
    for (size_t i = 0; i < sh->np; i++) {
        const struct hub_control *c = sh->p[i].ctl;
        if (sh->p[i].subject != si || c->area != area)
            continue;
        hub_raw(r, "<tr><th scope=\"row\"><span class=\"kk-tag\">");
        hub_esc(r, c->id);
        hub_raw(r, "</span> ");
        hub_esc(r, c->title[r->lang]);
        if (strcmp(c->level, "baseline") != 0) {
            hub_raw(r, " <span class=\"kk-muted\">(");
            hub_t(r, "advanced");
            hub_raw(r, ")</span>");
        }
        hub_raw(r, "</th><td>");
        status_badge(r, obs_find(&sh->o, s->type, s->id, c->id));
        hub_raw(r, "</td>");
        if (writable)
            row_inputs(r, s, c, posted, posted ? e : NULL);
        hub_raw(r, "</tr>");
    }
    hub_raw(r, "</tbody></table></div>");
    if (writable)
        hub_assess_form_close(r, "Save the results", NULL);
    hub_raw(r, "</section>");
}

static int area_of_query(struct hub_req *r, const struct sheet *sh)
{
    int area = hub_area_from_name(hub_form_get(r->query, "area"));
    if (area != 0)
        return area;
    /* The first area with anything to observe. */
    for (int a = 1; hub_area_label(a) != NULL; a++) {
        for (size_t i = 0; i < sh->np; i++) {
            if (sh->p[i].ctl->area == a)
                return a;
        }
    }
    return 1;
}

static void facts(struct hub_req *r, const struct sheet *sh)
{
    hub_raw(r, "<dl class=\"kk-facts\" id=\"assessment-facts\"><dt>");
    hub_t(r, "Kind");
    hub_raw(r, "</dt><dd>");
    hub_t(r, hub_assess_kind_label(sh->a.kind));
    hub_raw(r, "</dd><dt>");
    hub_t(r, "Held on");
    hub_raw(r, "</dt><dd>");
    hub_esc(r, sh->a.held_on);
    hub_raw(r, "</dd><dt>");
    hub_t(r, "Assessor");
    hub_raw(r, "</dt><dd>");
    hub_esc(r, sh->a.assessor_email);
    hub_raw(r, "</dd><dt>");
    hub_t(r, "Status");
    hub_raw(r, "</dt><dd>");
    hub_t(r, asmt_open(&sh->a) ? "Open" : "Closed");
    hub_raw(r, "</dd><dt>");
    hub_t(r, "Progress");
    hub_rawf(r, "</dt><dd id=\"progress\">%zu ",
             count_done(sh->p, sh->np, sh->s, &sh->o, 0));
    hub_t(r, "of");
    hub_rawf(r, " %zu ", sh->np);
    hub_t(r, "observed");
    hub_raw(r, "</dd></dl>");
    if (!asmt_open(&sh->a)) {
        hub_raw(r, "<section id=\"summary\"><h2>");
        hub_t(r, "Summary");
        hub_raw(r, "</h2><p>");
        hub_esc(r, kk_buf_str(sh->a.summary));
        hub_raw(r, "</p></section>");
    }
}

static void area_tabs(struct hub_req *r, const struct sheet *sh, int area)
{
    hub_raw(r, "<nav class=\"kk-tabs\" aria-label=\"");
    hub_t(r, "Areas");
    hub_raw(r, "\"><ul>");
    for (int a = 1; hub_area_label(a) != NULL; a++) {
        size_t total = 0;
        for (size_t i = 0; i < sh->np; i++)
            total += sh->p[i].ctl->area == a;
        hub_rawf(r, "<li><a href=\"/outlets/%lld/assessments/%lld?area=%s\"%s>",
                 (long long)sh->a.outlet, (long long)sh->a.id, area_wire(a),
                 a == area ? " aria-current=\"page\"" : "");
        hub_t(r, hub_area_label(a));
        hub_rawf(r, " (%zu/%zu)</a></li>",
                 count_done(sh->p, sh->np, sh->s, &sh->o, a), total);
    }
    hub_raw(r, "</ul></nav>");
}

static bool has_fail(const struct sheet *sh)
{
    for (size_t i = 0; i < sh->o.n; i++) {
        if (strcmp(sh->o.v[i].status, "fail") == 0)
            return true;
    }
    return false;
}

static void sheet_actions(struct hub_req *r, const struct sheet *sh,
                          const char *summary, const char *why)
{
    char action[128];
    bool w = hub_assess_writer(r);
    hub_rawf(r,
             "<p class=\"kk-actions\"><a class=\"kk-button "
             "kk-button-secondary\" href=\"/outlets/%lld/findings\">",
             (long long)sh->a.outlet);
    hub_t(r, "Findings");
    hub_rawf(r,
             "</a> <a class=\"kk-button kk-button-secondary\" "
             "href=\"/outlets/%lld/risks\">",
             (long long)sh->a.outlet);
    hub_t(r, "Risk matrix");
    hub_raw(r, "</a></p>");
    if (w && has_fail(sh)) {
        snprintf(action, sizeof action,
                 "/outlets/%lld/assessments/%lld/findings",
                 (long long)sh->a.outlet, (long long)sh->a.id);
        hub_raw(r, "<section id=\"to-findings\"><h2>");
        hub_t(r, "Findings from this assessment");
        hub_raw(r, "</h2><p class=\"kk-hint\">");
        hub_t(r, "One finding for each control that failed on at least one "
                 "subject. Controls that already have a finding from this "
                 "assessment are left as they are.");
        hub_raw(r, "</p>");
        hub_assess_form_open(r, action, "kk-form");
        hub_assess_form_close(r, "Turn the failed controls into findings",
                              NULL);
        hub_raw(r, "</section>");
    }
    if (w && asmt_open(&sh->a)) {
        snprintf(action, sizeof action, "/outlets/%lld/assessments/%lld/close",
                 (long long)sh->a.outlet, (long long)sh->a.id);
        hub_raw(r, "<section id=\"close\"><h2>");
        hub_t(r, "Close the assessment");
        hub_raw(r, "</h2>");
        hub_assess_form_open(r, action, "kk-form");
        hub_assess_input(r, "textarea", "summary", "Summary", summary,
                         KK_HUB_TEXT_MAX, false, why);
        hub_assess_form_close(r, "Close the assessment", NULL);
        hub_raw(r, "</section>");
    }
}

static int sheet_page(struct hub_req *r, const struct sheet *sh,
                      const struct sheet_err *e, const char *summary,
                      const char *summary_why)
{
    char name[KK_HUB_NAME_MAX + 1];
    int area = area_of_query(r, sh);
    bool writable = hub_assess_writer(r) && asmt_open(&sh->a);
    bool any = false;
    int err = hub_assess_outlet(r, sh->a.outlet, name, sizeof name);
    if (err != KK_OK)
        return err;
    if (e != NULL || summary_why != NULL)
        r->status = 400;
    hub_assess_head(r, "Assessment", name, sh->a.outlet, "/assessments");
    hub_assess_notice(r);
    facts(r, sh);
    area_tabs(r, sh, area);
    hub_raw(r, "<h2>");
    hub_t(r, hub_area_label(area));
    hub_raw(r, "</h2>");
    for (size_t si = 0; si < sh->ns; si++) {
        bool has = false;
        for (size_t i = 0; i < sh->np && !has; i++)
            has = sh->p[i].subject == si && sh->p[i].ctl->area == area;
        if (!has)
            continue;
        any = true;
        subject_section(r, sh, si, area, writable, e);
    }
    if (!any) {
        hub_raw(r, "<p class=\"kk-empty\">");
        hub_t(r, "Nothing in the register for this area yet.");
        hub_raw(r, "</p>");
    }
    sheet_actions(r, sh, summary, summary_why);
    hub_page_end(r);
    return KK_OK;
}

int hub_assess_h_show(struct hub_req *r)
{
    struct sheet sh;
    int err = sheet_load(r, &sh);
    if (err == KK_OK) {
        if (r->api)
            sheet_json(r, &sh);
        else
            err = sheet_page(r, &sh, NULL, NULL, NULL);
    }
    sheet_free(&sh);
    return err;
}

/* --- recording results --- */

/* The results of a sheet form: one subject, "status.<control>" and
 * "note.<control>" per line; lines left at "-" are skipped. */
static int form_results(struct hub_req *r, struct hub_assess_result **out,
                        size_t *n, struct sheet_err *e)
{
    const char *stype = hub_form_get(r->form, "subject_type");
    const char *sid_s = hub_form_get(r->form, "subject_id");
    struct hub_assess_result *v = NULL;
    size_t k = 0, len = hub_form_len(r->form);
    int64_t sid = 0;
    e->stype = stype != NULL ? stype : "";
    e->control = NULL;
    if (!subject_type_ok(stype) || sid_s == NULL ||
        kk_parse_i64(sid_s, 1, INT64_MAX, &sid) != KK_OK)
        return KK_ERR_NOTFOUND;
    e->sid = sid;
    v = calloc(len > 0 ? len : 1, sizeof *v);
    if (v == NULL)
        return KK_ERR_NOMEM;
    for (size_t i = 0; i < len; i++) {
        const char *key = hub_form_key(r->form, i);
        const char *val = hub_form_val(r->form, i);
        char nk[40];
        if (strncmp(key, "status.", 7) != 0 || val[0] == '\0')
            continue;
        v[k].ctl = hub_catalogue_find(hub_catalogue_builtin(), key + 7);
        if (v[k].ctl == NULL)
            continue; /* a line of a catalogue since changed */
        snprintf(nk, sizeof nk, "note.%s", v[k].ctl->id);
        v[k].stype = stype;
        v[k].sid = sid;
        v[k].status = val;
        v[k].note = hub_form_get(r->form, nk);
        if (v[k].note == NULL)
            v[k].note = "";
        e->why = hub_assess_result_check(val, v[k].note);
        if (e->why != NULL) {
            e->control = v[k].ctl->id;
            free(v);
            return KK_ERR_INVAL;
        }
        k++;
    }
    if (k == 0) {
        e->why = "Choose a result for at least one control.";
        free(v);
        return KK_ERR_INVAL;
    }
    *out = v;
    *n = k;
    return KK_OK;
}

/* Each result's subject must be alive in the outlet (else: like a
 * missing one) and the control must apply to it. */
static int results_check(const struct sheet *sh,
                         const struct hub_assess_result *v, size_t n,
                         size_t *bad, const char **why)
{
    for (size_t i = 0; i < n; i++) {
        const struct hub_assess_subject *s = NULL;
        *bad = i;
        for (size_t k = 0; k < sh->ns && s == NULL; k++) {
            if (sh->s[k].id == v[i].sid &&
                strcmp(sh->s[k].type, v[i].stype) == 0 &&
                sh->s[k].archived == 0)
                s = &sh->s[k];
        }
        if (s == NULL)
            return KK_ERR_NOTFOUND;
        if (!hub_assess_applies(v[i].ctl, s->type, s->kind)) {
            *why = "This control does not apply to this subject.";
            return KK_ERR_INVAL;
        }
    }
    return KK_OK;
}

static int results_write(struct hub_req *r, const struct sheet *sh,
                         const struct hub_assess_result *v, size_t n)
{
    int64_t now = hub_now();
    char detail[64];
    int err = hub_tx_begin(r->db);
    for (size_t i = 0; i < n && err == KK_OK; i++) {
        sqlite3_stmt *st = hub_scoped(r, HUB_Q_ASMT_RESULT_INSERT);
        if (st == NULL) {
            err = KK_ERR_IO;
            break;
        }
        hub_bind_i64(st, ":assessment", sh->a.id);
        hub_bind_i64(st, ":outlet", sh->a.outlet);
        hub_bind_text(st, ":stype", v[i].stype);
        hub_bind_i64(st, ":sid", v[i].sid);
        hub_bind_text(st, ":control", v[i].ctl->id);
        hub_bind_text(st, ":status", v[i].status);
        hub_bind_text(st, ":note", v[i].note);
        hub_bind_i64(st, ":now", now);
        hub_bind_i64(st, ":expires",
                     now + (int64_t)v[i].ctl->stale_days * 86400);
        err = hub_exec(st);
        if (err == KK_OK && sqlite3_changes(r->db->db) != 1)
            err = KK_ERR_NOTFOUND;
    }
    if (err != KK_OK) {
        hub_tx_rollback(r->db);
        return err;
    }
    snprintf(detail, sizeof detail, "%zu results", n);
    hub_audit(r, sh->a.outlet, "record", "assessment", detail);
    return hub_tx_commit(r->db);
}

int hub_assess_h_results(struct hub_req *r)
{
    struct sheet sh;
    struct hub_assess_result *v = NULL;
    struct sheet_err e = {"", 0, NULL, NULL};
    size_t n = 0, bad = 0;
    const char *why = NULL;
    char path[200], msg[160];
    int err = sheet_load(r, &sh);
    if (err != KK_OK)
        goto out;
    if (!asmt_open(&sh.a)) {
        hub_fail(r, 409, "closed", "The assessment is closed.");
        goto out;
    }
    if (r->api) {
        if (r->json == NULL) {
            hub_fail(r, 400, "invalid", "Send a JSON object.");
            goto out;
        }
        err = hub_assess_results_parse(r->json, &v, &n, &bad, &why);
        if (err == KK_OK)
            err = results_check(&sh, v, n, &bad, &why);
        if (err == KK_ERR_INVAL) {
            snprintf(msg, sizeof msg, "results[%zu]", bad);
            hub_assess_invalid(r, msg, why);
            err = KK_OK;
            goto out;
        }
    } else {
        err = form_results(r, &v, &n, &e);
        if (err == KK_OK)
            err = results_check(&sh, v, n, &bad, &e.why);
        if (err == KK_ERR_INVAL) {
            if (v != NULL && e.control == NULL)
                e.control = v[bad].ctl->id;
            err = sheet_page(r, &sh, &e, NULL, NULL);
            goto out;
        }
    }
    if (err == KK_OK)
        err = results_write(r, &sh, v, n);
    if (err != KK_OK)
        goto out;
    if (r->api) {
        sheet_free(&sh);
        err = sheet_load(r, &sh);
        if (err == KK_OK) {
            r->status = 201;
            sheet_json(r, &sh);
        }
    } else {
        const char *area = hub_form_get(r->query, "area");
        snprintf(path, sizeof path,
                 "/outlets/%lld/assessments/%lld?done=recorded&area=%s#s-%lld",
                 (long long)sh.a.outlet, (long long)sh.a.id,
                 hub_area_from_name(area) != 0 ? area : "",
                 (long long)v[0].sid);
        hub_redirect(r, path);
    }
out:
    free(v);
    sheet_free(&sh);
    return err;
}

/* --- closing --- */

static const struct hub_field close_fields[] = {
    {"summary", HUB_F_TEXT, false, 0, KK_HUB_TEXT_MAX, NULL},
};

int hub_assess_h_close(struct hub_req *r)
{
    struct sheet sh;
    const char *v[1], *bad = NULL;
    char path[128];
    sqlite3_stmt *st;
    int err = sheet_load(r, &sh);
    if (err != KK_OK)
        goto out;
    if (!asmt_open(&sh.a)) {
        hub_fail(r, 409, "closed", "The assessment is closed.");
        goto out;
    }
    if (hub_fields_read(r, close_fields, 1, v, &bad) != KK_OK) {
        if (r->api)
            hub_assess_invalid(r, "summary", "At most 4096 bytes of text.");
        else
            err = sheet_page(r, &sh, NULL, v[0],
                             "The summary is too long or holds a control "
                             "character.");
        goto out;
    }
    err = hub_tx_begin(r->db);
    if (err != KK_OK)
        goto out;
    st = hub_scoped(r, HUB_Q_ASMT_CLOSE);
    hub_bind_i64(st, ":id", sh.a.id);
    hub_bind_i64(st, ":outlet", sh.a.outlet);
    hub_bind_i64(st, ":now", hub_now());
    err = hub_bind_sealed(r, st, ":summary", ASMT_SEAL_SUMMARY, sh.a.id, v[0]);
    if (err == KK_OK)
        err = hub_exec(st);
    if (err == KK_OK && sqlite3_changes(r->db->db) != 1)
        err = KK_ERR_NOTFOUND;
    if (err != KK_OK) {
        hub_tx_rollback(r->db);
        goto out;
    }
    hub_audit(r, sh.a.outlet, "close", "assessment", sh.a.kind);
    err = hub_tx_commit(r->db);
    if (err != KK_OK)
        goto out;
    if (r->api) {
        sheet_free(&sh);
        err = sheet_load(r, &sh);
        if (err == KK_OK)
            sheet_json(r, &sh);
    } else {
        snprintf(path, sizeof path,
                 "/outlets/%lld/assessments/%lld?done=closed",
                 (long long)sh.a.outlet, (long long)sh.a.id);
        hub_redirect(r, path);
    }
out:
    sheet_free(&sh);
    return err;
}

/* --- findings from the failed controls --- */

int hub_assess_h_findings(struct hub_req *r)
{
    struct sheet sh;
    const struct hub_catalogue *cat = hub_catalogue_builtin();
    int64_t made[HUB_ASSESS_RESULTS_MAX];
    const char *made_ctl[HUB_ASSESS_RESULTS_MAX];
    size_t n_made = 0;
    char path[128], detail[64];
    struct hub_jw w;
    int err = sheet_load(r, &sh);
    if (err != KK_OK)
        goto out;
    err = hub_tx_begin(r->db);
    if (err != KK_OK)
        goto out;
    /* One finding per control, in catalogue order. */
    for (size_t c = 0; c < hub_catalogue_len(cat) && err == KK_OK; c++) {
        const struct hub_control *ctl = hub_catalogue_at(cat, c);
        bool failed = false;
        int64_t id = 0;
        sqlite3_stmt *st;
        for (size_t i = 0; i < sh.o.n && !failed; i++)
            failed = strcmp(sh.o.v[i].control, ctl->id) == 0 &&
                     strcmp(sh.o.v[i].status, "fail") == 0;
        if (!failed)
            continue;
        err = hub_new_id(&id);
        if (err != KK_OK)
            break;
        st = hub_scoped(r, HUB_Q_ASMT_FINDING_INSERT);
        hub_bind_i64(st, ":id", id);
        hub_bind_i64(st, ":outlet", sh.a.outlet);
        hub_bind_i64(st, ":assessment", sh.a.id);
        hub_bind_text(st, ":controls", ctl->id);
        hub_bind_i64(st, ":likelihood", 3);
        hub_bind_i64(st, ":impact",
                     ctl->weight < 1   ? 1
                     : ctl->weight > 5 ? 5
                                       : ctl->weight);
        hub_bind_i64(st, ":now", hub_now());
        err = hub_bind_sealed(r, st, ":title", ASMT_SEAL_FINDING, id,
                              ctl->title[r->lang]);
        if (err == KK_OK)
            err = hub_exec(st);
        if (err == KK_OK && sqlite3_changes(r->db->db) == 1 &&
            n_made < HUB_ASSESS_RESULTS_MAX) {
            made_ctl[n_made] = ctl->id;
            made[n_made++] = id;
        }
    }
    if (err != KK_OK) {
        hub_tx_rollback(r->db);
        goto out;
    }
    snprintf(detail, sizeof detail, "%zu from assessment %lld", n_made,
             (long long)sh.a.id);
    if (n_made > 0)
        hub_audit(r, sh.a.outlet, "create", "finding", detail);
    err = hub_tx_commit(r->db);
    if (err != KK_OK)
        goto out;
    if (!r->api) {
        snprintf(path, sizeof path, "/outlets/%lld/findings?done=findings",
                 (long long)sh.a.outlet);
        hub_redirect(r, path);
        goto out;
    }
    r->status = n_made > 0 ? 201 : 200;
    hub_jw_begin(&w, r);
    hub_jw_int(&w, "created", (int64_t)n_made);
    hub_jw_key(&w, "findings");
    hub_jw_arr(&w);
    for (size_t i = 0; i < n_made; i++) {
        hub_jw_key(&w, NULL);
        hub_jw_obj(&w);
        hub_jw_int(&w, "id", made[i]);
        hub_jw_str(&w, "controls", made_ctl[i]);
        hub_jw_close(&w, '}');
    }
    hub_jw_close(&w, ']');
    hub_jw_end(&w);
out:
    sheet_free(&sh);
    return err;
}
