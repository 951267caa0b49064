/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report.c - Reports: the routes, who may produce which report, the
 * record of every report produced, and the check of a copy.
 *
 * A report is produced by a GET (a link can be bookmarked, printed or
 * fetched by a script) and every one produced is recorded with its hash.
 * The figures are read in the request's read transaction; the record is
 * then written in a short transaction of its own, so a busy writer delays
 * the record by milliseconds and never makes the figures inconsistent.
 * Producing a report changes no outlet data, so it is not in the audit
 * log (the reports table is its log).
 *
 * Scope: programme reports for trainers, assistants (their outlets) and
 * donors (the whole programme, aggregates only); outlet reports for
 * trainers, assistants and focal points of that outlet.  An outlet out of
 * the caller's scope answers exactly like one that does not exist, and is
 * checked before any parameter, so a bad date does not tell them apart.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "covdata.h"
#include "i18n.h"
#include "model.h"
#include "programme.h"
#include "report.h"

#define API "/api/v1"
#define ROLES_PROGRAMME                                                        \
    (HUB_ROLEBIT(HUB_ROLE_TRAINER) | HUB_ROLEBIT(HUB_ROLE_ASSISTANT) |         \
     HUB_ROLEBIT(HUB_ROLE_DONOR))
#define ROLES_OUTLET HUB_ROLES_MANAGE
#define URL_MAX 512

static void read_input(struct hub_req *r, struct hub_rep_input *in)
{
    in->from = hub_form_get(r->query, "from");
    in->to = hub_form_get(r->query, "to");
    in->as_of = hub_form_get(r->query, "as_of");
    in->format = hub_form_get(r->query, "format");
    in->lang = hub_form_get(r->query, "lang");
    in->view = hub_form_get(r->query, "view");
}

static bool is_donor(const struct hub_req *r)
{
    return r->who.role == HUB_ROLE_DONOR;
}

static const char *header(struct hub_req *r, const char *name)
{
    return r->mhd != NULL ? hub_header(r, name) : NULL;
}

/* A Host header fit to print in a link: a name or address and a port. */
static bool host_ok(const char *h)
{
    size_t n = strlen(h);
    return n > 0 && n < 200 &&
           strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789.-:[]") == n;
}

/* Where a copy with this hash is checked: --base-url, else the Host the
 * caller used, else a path. */
static void verify_url(struct hub_req *r, const char *sha, char *out,
                       size_t cap)
{
    const char *base = hub_base_url(r);
    const char *host = header(r, "Host");
    if (base[0] != '\0')
        snprintf(out, cap, "%s/reports/verify?sha256=%s", base, sha);
    else if (host != NULL && host_ok(host))
        snprintf(out, cap, "%s://%s/reports/verify?sha256=%s",
                 r->secure ? "https" : "http", host, sha);
    else
        snprintf(out, cap, "/reports/verify?sha256=%s", sha);
}

/* --- recording --- */

/* Writes the report's row and content in a transaction of their own,
 * after the read transaction the figures came from. */
static int record(struct hub_req *r, const struct hub_report *rep)
{
    const struct hub_rep_params *p = &rep->p;
    struct kk_buf *canon = kk_buf_new(1u << 20);
    sqlite3_stmt *st;
    int64_t id = 0;
    int err = canon != NULL ? KK_OK : KK_ERR_NOMEM;
    if (err == KK_OK)
        err = hub_report_canon(rep, canon);
    if (err == KK_OK)
        err = hub_new_id(&id);
    if (err != KK_OK)
        goto out;
    /* A report viewed again the same day is on record already: no write,
     * so repeated and concurrent views never queue for the write lock. */
    st = hub_q(r->db, HUB_Q_REP_SEEN);
    if (st == NULL) {
        err = KK_ERR_IO;
        goto out;
    }
    hub_bind_text(st, ":sha", rep->sha256);
    hub_bind_i64(st, ":user", r->who.user_id);
    hub_bind_text(st, ":format", hub_rep_format_name(p->format));
    hub_bind_text(st, ":lang", hub_lang_code(r->lang));
    hub_bind_i64(st, ":since", rep->generated_at - rep->generated_at % 86400);
    if (sqlite3_step(st) == SQLITE_ROW) {
        sqlite3_reset(st);
        goto out;
    }
    sqlite3_reset(st);
    if (!sqlite3_get_autocommit(r->db->db) &&
        sqlite3_exec(r->db->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        hub_tx_rollback(r->db);
    err = hub_tx_begin(r->db);
    if (err != KK_OK)
        goto out;
    st = hub_q(r->db, HUB_Q_REP_CONTENT_PUT);
    hub_bind_text(st, ":sha", rep->sha256);
    hub_bind_text(st, ":content", kk_buf_str(canon));
    hub_bind_i64(st, ":now", rep->generated_at);
    err = st != NULL ? hub_exec(st) : KK_ERR_IO;
    if (err == KK_OK) {
        st = hub_q(r->db, HUB_Q_REP_RECORD);
        hub_bind_i64(st, ":id", id);
        hub_bind_text(st, ":scope",
                      p->scope == HUB_REP_OUTLET ? "outlet" : "programme");
        if (p->scope == HUB_REP_OUTLET)
            hub_bind_i64(st, ":outlet", p->outlet_id);
        else
            hub_bind_null(st, ":outlet");
        hub_bind_text(st, ":from", p->from);
        hub_bind_text(st, ":to", p->to);
        hub_bind_i64(st, ":as_of", p->as_of_t);
        hub_bind_text(st, ":lang", hub_lang_code(r->lang));
        hub_bind_text(st, ":format", hub_rep_format_name(p->format));
        hub_bind_text(st, ":sha", rep->sha256);
        hub_bind_i64(st, ":user", r->who.user_id);
        hub_bind_i64(st, ":now", rep->generated_at);
        err = st != NULL ? hub_exec(st) : KK_ERR_IO;
    }
    if (err == KK_OK)
        err = hub_tx_commit(r->db);
    else
        hub_tx_rollback(r->db);
out:
    kk_buf_free(canon);
    return err;
}

/* --- producing a report --- */

static void attachment(struct hub_req *r, const struct hub_report *rep,
                       const char *ext)
{
    char disp[160];
    snprintf(disp, sizeof disp,
             "attachment; filename=\"kalkan-report-%s-%s.%s\"",
             rep->p.scope == HUB_REP_OUTLET ? rep->outlet_slug : "programme",
             rep->p.as_of, ext);
    hub_set_header(r, "Content-Disposition", disp);
}

/* The report's params were refused: the API's error, or the page with
 * its form and the message next to the field. */
static int refuse(struct hub_req *r, int scope, int64_t outlet,
                  const char *name, const struct hub_rep_input *in,
                  const char *bad, const char *why)
{
    struct hub_rep_params p;
    char msg[200];
    if (r->api) {
        snprintf(msg, sizeof msg, "%s: %s", bad, why);
        hub_fail(r, 400, "invalid", msg);
        return KK_OK;
    }
    memset(&p, 0, sizeof p);
    p.scope = scope;
    p.outlet_id = outlet;
    r->status = 400;
    hub_report_bad_page(r, &p, name, in,
                        scope == HUB_REP_PROGRAMME && !is_donor(r), bad, why);
    return KK_OK;
}

static int produce(struct hub_req *r, int scope, int64_t outlet,
                   const char *name, const char *slug)
{
    struct hub_rep_input in;
    struct hub_rep_params p;
    struct hub_report *rep = NULL;
    const char *bad, *why;
    char url[URL_MAX];
    int64_t now = hub_now();
    int err;
    read_input(r, &in);
    err = hub_rep_params_parse(&in, now, hub_programme_start(r, now),
                               r->api ? HUB_REP_JSON : HUB_REP_HTML, &p, &bad,
                               &why);
    if (err != KK_OK) {
        err = refuse(r, scope, outlet, name, &in, bad, why);
        goto out;
    }
    p.scope = scope;
    p.outlet_id = outlet;
    if (is_donor(r))
        p.view = HUB_REP_DONOR;
    if (p.lang >= 0)
        r->lang = p.lang;
    rep = malloc(sizeof *rep);
    err = rep != NULL ? hub_report_build(r, &p, rep) : KK_ERR_NOMEM;
    if (err != KK_OK)
        goto out;
    snprintf(rep->outlet_name, sizeof rep->outlet_name, "%s", name);
    snprintf(rep->outlet_slug, sizeof rep->outlet_slug, "%s", slug);
    err = record(r, rep);
    if (err != KK_OK)
        goto out;
    verify_url(r, rep->sha256, url, sizeof url);
    switch (rep->p.format) {
    case HUB_REP_JSON:
        hub_report_json(r, rep, url);
        break;
    case HUB_REP_CSV:
        r->ctype = "text/csv; charset=utf-8";
        hub_report_csv(r, rep, url);
        attachment(r, rep, "csv");
        break;
    case HUB_REP_PDF:
        err = hub_report_pdf(r, rep, url);
        if (err == KK_OK)
            attachment(r, rep, "pdf");
        break;
    default:
        hub_report_html(r, rep, url, &in,
                        scope == HUB_REP_PROGRAMME && !is_donor(r));
        break;
    }
out:
    free(rep);
    return err;
}

/* GET /reports/programme, /api/v1/reports/programme */
static int h_programme(struct hub_req *r)
{
    return produce(r, HUB_REP_PROGRAMME, 0, "", "");
}

/* The outlet's name and slug if it is in the caller's scope. */
static bool outlet_get(struct hub_req *r, int64_t id, char *name, size_t cap,
                       char *slug, size_t scap)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_OUTLET_GET);
    bool found = false;
    hub_bind_i64(st, ":id", id);
    if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
        snprintf(slug, scap, "%s", hub_col_text(st, 1));
        snprintf(name, cap, "%s", hub_col_text(st, 2));
        found = true;
    }
    if (st != NULL)
        sqlite3_reset(st);
    return found;
}

/* GET /outlets/{id}/report, /api/v1/reports/outlets/{id} */
static int h_outlet(struct hub_req *r)
{
    char name[KK_HUB_NAME_MAX + 1], slug[64];
    int64_t id = r->param[0];
    int err = KK_OK;
    if (outlet_get(r, id, name, sizeof name, slug, sizeof slug))
        err = produce(r, HUB_REP_OUTLET, id, name, slug);
    else
        hub_fail_err(r, KK_ERR_NOTFOUND, NULL);
    return err;
}

/* --- GET /reports: the form --- */

static int outlets_load(struct hub_req *r, struct hub_rep_choice **out,
                        size_t *n)
{
    sqlite3_stmt *st = NULL;
    struct hub_rep_choice *v = NULL;
    size_t k = 0, cap = 0;
    int err = KK_OK;
    if (is_donor(r))
        goto out;
    st = hub_scoped(r, HUB_Q_OUTLETS_LIST);
    if (st == NULL) {
        err = KK_ERR_IO;
        goto out;
    }
    while (err == KK_OK && sqlite3_step(st) == SQLITE_ROW) {
        if (k == cap) {
            size_t nc = cap != 0 ? cap * 2 : 8;
            struct hub_rep_choice *nv = reallocarray(v, nc, sizeof *v);
            if (nv == NULL) {
                err = KK_ERR_NOMEM;
                break;
            }
            v = nv;
            cap = nc;
        }
        v[k].id = sqlite3_column_int64(st, 0);
        snprintf(v[k].name, sizeof v[k].name, "%s", hub_col_text(st, 2));
        k++;
    }
out:
    if (st != NULL)
        sqlite3_reset(st);
    if (err == KK_OK) {
        *out = v;
        *n = k;
    } else {
        free(v);
    }
    return err;
}

/* Appends "?key=value" or "&key=value" when v is given. */
static void put_param(struct kk_buf *b, const char *key, const char *v,
                      char *sep, int *err)
{
    if (*err != KK_OK || v == NULL || v[0] == '\0')
        return;
    *err = kk_buf_putf(b, "%c%s=", *sep, key);
    *sep = '&';
    if (*err == KK_OK)
        *err = hub_url_encode(b, v);
}

/* GET /reports: the form; with report= chosen, on to that report. */
static int h_index(struct hub_req *r)
{
    struct hub_rep_input in;
    struct hub_rep_params p;
    struct hub_rep_choice *outlets = NULL;
    const char *report = hub_form_get(r->query, "report");
    const char *bad = NULL, *why = NULL;
    struct kk_buf *q = NULL;
    char path[64], sep = '?';
    size_t n = 0;
    int64_t now = hub_now(), id = 0;
    int err;
    read_input(r, &in);
    err = outlets_load(r, &outlets, &n);
    if (err != KK_OK)
        goto out;
    if (report == NULL) {
        hub_report_index(r, &in, "programme", outlets, n, !is_donor(r), NULL,
                         NULL);
        goto out;
    }
    if (strcmp(report, "programme") != 0) {
        bool found = false;
        if (kk_parse_i64(report, 1, INT64_MAX, &id) == KK_OK) {
            for (size_t i = 0; i < n && !found; i++)
                found = outlets[i].id == id;
        }
        if (!found) {
            bad = "report";
            why = "Choose a report from the list.";
        }
    }
    if (bad == NULL &&
        hub_rep_params_parse(&in, now, hub_programme_start(r, now),
                             HUB_REP_HTML, &p, &bad, &why) != KK_OK &&
        bad == NULL)
        bad = "report";
    if (bad != NULL) {
        r->status = 400;
        hub_report_index(r, &in, report, outlets, n, !is_donor(r), bad, why);
        goto out;
    }
    q = kk_buf_new(URL_MAX);
    err = q != NULL ? KK_OK : KK_ERR_NOMEM;
    if (id != 0)
        snprintf(path, sizeof path, "/outlets/%lld/report", (long long)id);
    else
        snprintf(path, sizeof path, "%s", "/reports/programme");
    if (err == KK_OK)
        err = kk_buf_puts(q, path);
    /* Only what was typed: the report page fills in the rest, so the
     * link stays the same tomorrow ("so far"). */
    put_param(q, "from", in.from, &sep, &err);
    put_param(q, "to", in.to, &sep, &err);
    put_param(q, "as_of", in.as_of, &sep, &err);
    if (!is_donor(r) && id == 0)
        put_param(q, "view", in.view, &sep, &err);
    put_param(q, "lang", in.lang, &sep, &err);
    put_param(q, "format", in.format, &sep, &err);
    if (err == KK_OK)
        hub_redirect(r, kk_buf_str(q));
out:
    kk_buf_free(q);
    free(outlets);
    return err;
}

/* --- /reports/verify --- */

/* A typed hash: 64 hex digits (spaces and case ignored) into out[65]. */
static bool sha_read(const char *s, char out[65])
{
    size_t n = 0;
    for (; *s != '\0'; s++) {
        if (*s == ' ' || *s == '\t')
            continue;
        if (n == 64 || !isxdigit((unsigned char)*s))
            return false;
        out[n++] = (char)tolower((unsigned char)*s);
    }
    out[n] = '\0';
    return n == 64;
}

struct view_probe {
    bool donor;
};

static void probe_line(void *arg, const char *const *f, size_t n)
{
    struct view_probe *v = arg;
    if (n == 2 && strcmp(f[0], "view") == 0 && strcmp(f[1], "donor") == 0)
        v->donor = true;
}

static int content_load(struct hub_req *r, struct hub_rep_verify *v)
{
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_REP_CONTENT_GET);
    int err = st != NULL ? KK_OK : KK_ERR_IO;
    hub_bind_text(st, ":sha", v->sha256);
    if (err == KK_OK && sqlite3_step(st) == SQLITE_ROW) {
        v->content = kk_buf_new(1u << 20);
        err = v->content != NULL
                  ? kk_buf_put(v->content, sqlite3_column_text(st, 0),
                               (size_t)sqlite3_column_bytes(st, 0))
                  : KK_ERR_NOMEM;
    }
    if (st != NULL)
        sqlite3_reset(st);
    return err;
}

static void row_times(sqlite3_stmt *st, int c, struct hub_rep_verify *v)
{
    char day[11];
    snprintf(v->from, sizeof v->from, "%s", hub_col_text(st, c));
    snprintf(v->to, sizeof v->to, "%s", hub_col_text(st, c + 1));
    hub_rep_day(sqlite3_column_int64(st, c + 2), day);
    memcpy(v->as_of, day, sizeof day);
    v->first = sqlite3_column_int64(st, c + 3);
    v->last = sqlite3_column_int64(st, c + 4);
    v->times = sqlite3_column_int64(st, c + 5);
}

/* What the caller may learn of the report with hash v->sha256. */
static int verify_lookup(struct hub_req *r, struct hub_rep_verify *v)
{
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_REP_FIND_PROGRAMME);
    struct view_probe probe = {false};
    bool mine = false;
    int err = KK_OK;
    if (st == NULL) {
        err = KK_ERR_IO;
        goto out;
    }
    hub_bind_text(st, ":sha", v->sha256);
    hub_bind_i64(st, ":uid", r->who.user_id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        v->issued = true;
        v->scope = HUB_REP_PROGRAMME;
        row_times(st, 0, v);
        mine = sqlite3_column_int64(st, 6) > 0;
    }
    sqlite3_reset(st);
    if (!v->issued && (HUB_ROLES_MANAGE & HUB_ROLEBIT(r->who.role))) {
        st = hub_scoped(r, HUB_Q_REP_FIND_OUTLET);
        if (st == NULL) {
            err = KK_ERR_IO;
            goto out;
        }
        hub_bind_text(st, ":sha", v->sha256);
        if (sqlite3_step(st) == SQLITE_ROW) {
            v->issued = true;
            v->scope = HUB_REP_OUTLET;
            v->outlet_id = sqlite3_column_int64(st, 0);
            snprintf(v->outlet_name, sizeof v->outlet_name, "%s",
                     hub_col_text(st, 1));
            row_times(st, 2, v);
            mine = true; /* in scope, and a role that reads its reports */
        }
        sqlite3_reset(st);
    }
    if (v->issued)
        err = content_load(r, v);
    if (err == KK_OK && v->content != NULL)
        err = hub_rep_canon_walk(kk_buf_str(v->content), kk_buf_len(v->content),
                                 probe_line, &probe);
    if (err == KK_OK)
        v->figures = v->content != NULL &&
                     (mine || probe.donor || r->who.role == HUB_ROLE_TRAINER);
out:
    return err;
}

static void figure_json(void *arg, const char *const *f, size_t n)
{
    struct hub_jw *w = arg;
    if (n != 6 || strcmp(f[0], "row") != 0)
        return;
    hub_jw_key(w, NULL);
    hub_jw_obj(w);
    hub_jw_str(w, "indicator", f[1]);
    hub_jw_str(w, "group", f[2]);
    hub_jw_str(w, "point", f[3]);
    hub_jw_str(w, "value", f[4]);
    hub_jw_str(w, "of", f[5]);
    hub_jw_close(w, '}');
}

static void jw_time(struct hub_jw *w, const char *key, int64_t t)
{
    char ts[32];
    if (kk_format_time(t, ts, sizeof ts) == KK_OK)
        hub_jw_str(w, key, ts);
    else
        hub_jw_null(w, key);
}

static int verify_json(struct hub_req *r, const struct hub_rep_verify *v)
{
    struct hub_jw w;
    int err = KK_OK;
    hub_jw_begin(&w, r);
    hub_jw_str(&w, "sha256", v->sha256);
    hub_jw_bool(&w, "issued", v->issued);
    if (v->issued) {
        hub_jw_str(&w, "scope",
                   v->scope == HUB_REP_OUTLET ? "outlet" : "programme");
        if (v->scope == HUB_REP_OUTLET) {
            hub_jw_key(&w, "outlet");
            hub_jw_obj(&w);
            hub_jw_int(&w, "id", v->outlet_id);
            hub_jw_str(&w, "name", v->outlet_name);
            hub_jw_close(&w, '}');
        } else {
            hub_jw_null(&w, "outlet");
        }
        hub_jw_str(&w, "from", v->from);
        hub_jw_str(&w, "to", v->to);
        hub_jw_str(&w, "as_of", v->as_of);
        jw_time(&w, "first_produced", v->first);
        jw_time(&w, "last_produced", v->last);
        hub_jw_int(&w, "times_produced", v->times);
        if (v->figures && v->content != NULL) {
            hub_jw_str(&w, "content", kk_buf_str(v->content));
            hub_jw_key(&w, "rows");
            hub_jw_arr(&w);
            err = hub_rep_canon_walk(kk_buf_str(v->content),
                                     kk_buf_len(v->content), figure_json, &w);
            hub_jw_close(&w, ']');
        }
    }
    hub_jw_end(&w);
    return err;
}

/* GET /reports/verify[?sha256=], POST /reports/verify (form: sha256),
 * GET /api/v1/reports/verify?sha256= */
static int h_verify(struct hub_req *r)
{
    struct hub_rep_verify v;
    const char *typed =
        hub_form_get(r->method == HUB_POST ? r->form : r->query, "sha256");
    const char *why = NULL;
    char path[128], msg[200];
    int err = KK_OK;
    memset(&v, 0, sizeof v);
    if (typed == NULL || typed[0] == '\0') {
        if (r->api || r->method == HUB_POST)
            why = "Enter the SHA-256 printed on the report: 64 letters "
                  "and digits.";
    } else if (strlen(typed) > 200 || !sha_read(typed, v.sha256)) {
        why = "A SHA-256 is 64 characters, digits and the letters a to f.";
    }
    if (why != NULL && r->api) {
        snprintf(msg, sizeof msg, "sha256: %s", why);
        hub_fail(r, 400, "invalid", msg);
    } else if (why != NULL) {
        r->status = 400;
        hub_report_verify_page(r, NULL, typed, why);
    } else if (v.sha256[0] == '\0') {
        hub_report_verify_page(r, NULL, "", NULL); /* the empty form */
    } else if (r->method == HUB_POST) {
        snprintf(path, sizeof path, "/reports/verify?sha256=%s", v.sha256);
        hub_redirect(r, path);
    } else {
        err = verify_lookup(r, &v);
        if (err == KK_OK && r->api)
            err = verify_json(r, &v);
        else if (err == KK_OK)
            hub_report_verify_page(r, &v, v.sha256, NULL);
    }
    kk_buf_free(v.content);
    return err;
}

const struct hub_route hub_routes_report[] = {
    {HUB_GET, "/reports", 0, ROLES_PROGRAMME, h_index},
    {HUB_GET, "/reports/programme", 0, ROLES_PROGRAMME, h_programme},
    {HUB_GET, "/reports/verify", 0, HUB_ROLES_ALL, h_verify},
    {HUB_POST, "/reports/verify", 0, HUB_ROLES_ALL, h_verify},
    {HUB_GET, "/outlets/{id}/report", 0, ROLES_OUTLET, h_outlet},
    {HUB_GET, API "/reports/programme", HUB_R_API, ROLES_PROGRAMME,
     h_programme},
    {HUB_GET, API "/reports/outlets/{id}", HUB_R_API, ROLES_OUTLET, h_outlet},
    {HUB_GET, API "/reports/verify", HUB_R_API, HUB_ROLES_ALL, h_verify},
    {0, NULL, 0, 0, NULL},
};
