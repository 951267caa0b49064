/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * incident_triage.c - the triage guidance on pages and in the API: the
 * list of flows, a walk through one flow, the same walk from an incident,
 * and recording a finished walk in the incident's timeline.
 *
 * A walk is a plain GET: the flow and the answers taken so far ("213":
 * the second answer, then the first, then the third) travel in the query,
 * so every step is a link, the back button works, a walk can be sent to
 * someone as a link, and no script is needed.  The texts are the flows'
 * own, in the caller's language; they are data (the files of web/triage/), not
 * translations of the page's English.
 */
#include <stdio.h>
#include <string.h>

#include "incident.h"

#define URL_MAX 256

static const struct hub_triage_set *flows(struct hub_req *r)
{
    const struct hub_triage_set *s = NULL;
    if (hub_triage_builtin(&s, NULL) != KK_OK) {
        r->err = KK_ERR_CORRUPT;
        return NULL;
    }
    return s;
}

static const char *tx(const struct hub_req *r, const struct hub_triage_text *t)
{
    return t->t[r->lang >= 0 && r->lang < HUB_LANG_COUNT ? r->lang : 0];
}

/* --- the list --- */

static void type_names(struct hub_jw *w, uint32_t types)
{
    hub_jw_key(w, "types");
    hub_jw_arr(w);
    for (int t = 1; t <= HUB_INC_TYPE_COUNT; t++) {
        if (types & (1u << t))
            hub_jw_str(w, NULL, hub_incident_type_name(t));
    }
    hub_jw_close(w, ']');
}

int hub_triage_h_list(struct hub_req *r)
{
    const struct hub_triage_set *s = flows(r);
    struct hub_jw w;
    if (s == NULL)
        return KK_ERR_CORRUPT;
    if (r->api) {
        hub_jw_begin(&w, r);
        hub_jw_key(&w, "flows");
        hub_jw_arr(&w);
        for (size_t i = 0; i < s->n; i++) {
            hub_jw_key(&w, NULL);
            hub_jw_obj(&w);
            hub_jw_str(&w, "id", s->flow[i]->id);
            hub_jw_str(&w, "title", tx(r, &s->flow[i]->title));
            hub_jw_str(&w, "intro", tx(r, &s->flow[i]->intro));
            type_names(&w, s->flow[i]->types);
            hub_jw_close(&w, '}');
        }
        hub_jw_close(&w, ']');
        hub_jw_end(&w);
        return KK_OK;
    }
    hub_page_begin(r, "Triage guidance");
    hub_raw(r, "<p class=\"kk-summary\">");
    hub_t(r, "Something went wrong? Answer a few questions and get the first "
             "steps to take, in the manner of the Digital First Aid Kit. "
             "Then tell your trainer.");
    hub_raw(r, "</p><ul class=\"kk-triage-flows\" id=\"flows\">");
    for (size_t i = 0; i < s->n; i++) {
        hub_raw(r, "<li><a class=\"kk-button kk-button-secondary\" "
                   "href=\"/triage/walk?flow=");
        hub_esc(r, s->flow[i]->id);
        hub_raw(r, "\">");
        hub_esc(r, tx(r, &s->flow[i]->title));
        hub_raw(r, "</a><p class=\"kk-hint\">");
        hub_esc(r, tx(r, &s->flow[i]->intro));
        hub_raw(r, "</p></li>");
    }
    hub_raw(r, "</ul>");
    hub_page_end(r);
    return KK_OK;
}

/* --- one walk --- */

/* Where a walk's links go: the general pages or an incident's. */
struct walk_ctx {
    const struct hub_triage_flow *f;
    char path[HUB_TRIAGE_PATH_MAX + 1];
    size_t node;
    char base[URL_MAX];       /* ends before "flow=" */
    int64_t outlet, incident; /* 0: not from an incident */
};

static void walk_link(struct hub_req *r, const struct walk_ctx *w,
                      const char *path, size_t len)
{
    hub_esc(r, w->base);
    hub_raw(r, "flow=");
    hub_esc(r, w->f->id);
    if (len > 0) {
        char p[HUB_TRIAGE_PATH_MAX + 1];
        snprintf(p, sizeof p, "%.*s", (int)len, path);
        hub_raw(r, "&amp;path=");
        hub_esc(r, p);
    }
}

static void answers_taken(struct hub_req *r, const struct walk_ctx *w)
{
    const struct hub_triage_flow *f = w->f;
    size_t at = 0, n = strlen(w->path);
    if (n == 0)
        return;
    hub_raw(r, "<h3>");
    hub_t(r, "Your answers");
    hub_raw(r, "</h3><ol class=\"kk-triage-taken\" id=\"taken\">");
    for (size_t k = 0; k < n; k++) {
        const struct hub_triage_node *q = &f->node[at];
        const struct hub_triage_answer *a = &q->answer[w->path[k] - '1'];
        hub_raw(r, "<li><span class=\"kk-meta\">");
        hub_esc(r, tx(r, &q->text));
        hub_raw(r, "</span> ");
        hub_esc(r, tx(r, &a->label));
        hub_raw(r, " <a href=\"");
        walk_link(r, w, w->path, k);
        hub_raw(r, "\">");
        hub_t(r, "Change");
        hub_raw(r, "</a></li>");
        at = a->next;
    }
    hub_raw(r, "</ol>");
}

static void question(struct hub_req *r, const struct walk_ctx *w,
                     const struct hub_triage_node *n)
{
    char next[HUB_TRIAGE_PATH_MAX + 2];
    size_t len = strlen(w->path);
    hub_raw(r, "<h3 id=\"question\">");
    hub_esc(r, tx(r, &n->text));
    hub_raw(r, "</h3><ul class=\"kk-triage-answers\" id=\"answers\">");
    for (size_t a = 0; a < n->n_answers; a++) {
        snprintf(next, sizeof next, "%s%zu", w->path, a + 1);
        hub_raw(r, "<li><a class=\"kk-button kk-button-secondary\" href=\"");
        walk_link(r, w, next, len + 1);
        hub_raw(r, "\">");
        hub_esc(r, tx(r, &n->answer[a].label));
        hub_raw(r, "</a></li>");
    }
    hub_raw(r, "</ul>");
}

static void record_form(struct hub_req *r, const struct walk_ctx *w)
{
    char url[URL_MAX];
    snprintf(url, sizeof url, "/outlets/%lld/incidents/%lld/triage",
             (long long)w->outlet, (long long)w->incident);
    hub_raw(r, "<form method=\"post\" class=\"kk-form\" id=\"triage-record\" "
               "action=\"");
    hub_esc(r, url);
    hub_raw(r, "\">");
    hub_csrf_field(r);
    hub_raw(r, "<input type=\"hidden\" name=\"flow\" value=\"");
    hub_esc(r, w->f->id);
    hub_raw(r, "\"><input type=\"hidden\" name=\"path\" value=\"");
    hub_esc(r, w->path);
    hub_raw(r, "\"><p><button type=\"submit\">");
    hub_t(r, "Record this walk in the incident's timeline");
    hub_raw(r, "</button></p></form>");
}

static void end_node(struct hub_req *r, const struct walk_ctx *w,
                     const struct hub_triage_node *n)
{
    hub_raw(r, "<h3 id=\"steps-title\">");
    hub_esc(r, tx(r, &n->text));
    hub_raw(r, "</h3><ol class=\"kk-steps\" id=\"steps\">");
    for (size_t s = 0; s < n->n_steps; s++) {
        hub_raw(r, "<li>");
        hub_esc(r, tx(r, &n->step[s]));
        hub_raw(r, "</li>");
    }
    hub_raw(r, "</ol><div class=\"kk-warning\"><p>");
    hub_t(r, "Tell your trainer what happened and what you did. If you need "
             "help now, Access Now's Digital Security Helpline answers day "
             "and night, also in Russian: help@accessnow.org.");
    hub_raw(r, "</p></div>");
    if (w->incident != 0 && hub_inc_manager(r))
        record_form(r, w);
}

static void walk_page(struct hub_req *r, const struct walk_ctx *w)
{
    const struct hub_triage_node *n = &w->f->node[w->node];
    size_t len = strlen(w->path);
    hub_page_begin(r, "Triage guidance");
    if (w->incident != 0) {
        hub_rawf(r,
                 "<p class=\"kk-crumbs\"><a href=\"/outlets/%lld/"
                 "incidents/%lld\">",
                 (long long)w->outlet, (long long)w->incident);
        hub_t(r, "Back to the incident");
        hub_raw(r, "</a></p>");
    }
    hub_raw(r, "<h2 id=\"flow-title\">");
    hub_esc(r, tx(r, &w->f->title));
    hub_raw(r, "</h2>");
    if (len == 0) {
        hub_raw(r, "<p class=\"kk-summary\">");
        hub_esc(r, tx(r, &w->f->intro));
        hub_raw(r, "</p>");
    }
    answers_taken(r, w);
    if (n->end)
        end_node(r, w, n);
    else
        question(r, w, n);
    hub_raw(r, "<p class=\"kk-actions\">");
    if (len > 0) {
        hub_raw(r, "<a class=\"kk-button kk-button-secondary\" id=\"back\" "
                   "href=\"");
        walk_link(r, w, w->path, len - 1);
        hub_raw(r, "\">");
        hub_t(r, "Back");
        hub_raw(r, "</a> <a class=\"kk-button kk-button-secondary\" href=\"");
        walk_link(r, w, w->path, 0);
        hub_raw(r, "\">");
        hub_t(r, "Start again");
        hub_raw(r, "</a> ");
    }
    hub_raw(r, "<a class=\"kk-button kk-button-secondary\" href=\"/triage\">");
    hub_t(r, "All triage flows");
    hub_raw(r, "</a></p>");
    hub_page_end(r);
}

static void walk_json(struct hub_req *r, const struct walk_ctx *w)
{
    const struct hub_triage_flow *f = w->f;
    const struct hub_triage_node *n = &f->node[w->node];
    char next[HUB_TRIAGE_PATH_MAX + 2];
    struct hub_jw j;
    size_t at = 0;
    hub_jw_begin(&j, r);
    hub_jw_str(&j, "flow", f->id);
    hub_jw_str(&j, "title", tx(r, &f->title));
    hub_jw_str(&j, "path", w->path);
    hub_jw_key(&j, "taken");
    hub_jw_arr(&j);
    for (size_t k = 0; w->path[k] != '\0'; k++) {
        const struct hub_triage_node *q = &f->node[at];
        const struct hub_triage_answer *a = &q->answer[w->path[k] - '1'];
        hub_jw_key(&j, NULL);
        hub_jw_obj(&j);
        hub_jw_str(&j, "question", tx(r, &q->text));
        hub_jw_str(&j, "answer", tx(r, &a->label));
        hub_jw_close(&j, '}');
        at = a->next;
    }
    hub_jw_close(&j, ']');
    hub_jw_str(&j, "node", n->id);
    hub_jw_bool(&j, "end", n->end);
    if (n->end) {
        hub_jw_str(&j, "steps_title", tx(r, &n->text));
        hub_jw_key(&j, "steps");
        hub_jw_arr(&j);
        for (size_t s = 0; s < n->n_steps; s++)
            hub_jw_str(&j, NULL, tx(r, &n->step[s]));
        hub_jw_close(&j, ']');
    } else {
        hub_jw_str(&j, "question", tx(r, &n->text));
        hub_jw_key(&j, "answers");
        hub_jw_arr(&j);
        for (size_t a = 0; a < n->n_answers; a++) {
            snprintf(next, sizeof next, "%s%zu", w->path, a + 1);
            hub_jw_key(&j, NULL);
            hub_jw_obj(&j);
            hub_jw_str(&j, "path", next);
            hub_jw_str(&j, "text", tx(r, &n->answer[a].label));
            hub_jw_close(&j, '}');
        }
        hub_jw_close(&j, ']');
    }
    hub_jw_end(&j);
}

/* The flow and path of the query; KK_ERR_NOTFOUND for an unknown flow,
 * KK_ERR_INVAL for a path that goes nowhere. */
static int walk_load(struct hub_req *r, const char *flow, struct walk_ctx *w)
{
    const struct hub_triage_set *s = flows(r);
    const char *path = hub_form_get(r->query, "path");
    if (s == NULL)
        return KK_ERR_CORRUPT;
    w->f = hub_triage_find(s, flow);
    if (w->f == NULL)
        return KK_ERR_NOTFOUND;
    if (path == NULL)
        path = "";
    if (hub_triage_walk(w->f, path, &w->node) != KK_OK)
        return KK_ERR_INVAL;
    snprintf(w->path, sizeof w->path, "%s", path);
    return KK_OK;
}

static int walk_answer(struct hub_req *r, struct walk_ctx *w, const char *flow)
{
    int err = walk_load(r, flow, w);
    if (err == KK_ERR_INVAL) {
        hub_fail(r, 400, "invalid",
                 "This path of answers does not exist in the flow.");
        return KK_OK;
    }
    if (err != KK_OK)
        return err;
    if (r->api)
        walk_json(r, w);
    else
        walk_page(r, w);
    return KK_OK;
}

int hub_triage_h_walk(struct hub_req *r)
{
    struct walk_ctx w;
    memset(&w, 0, sizeof w);
    snprintf(w.base, sizeof w.base, "%s?",
             r->api ? "/api/v1/triage/walk" : "/triage/walk");
    return walk_answer(r, &w, hub_form_get(r->query, "flow"));
}

/* --- from an incident --- */

static void choose_page(struct hub_req *r, const struct walk_ctx *w)
{
    const struct hub_triage_set *s = flows(r);
    hub_page_begin(r, "Triage guidance");
    hub_rawf(r,
             "<p class=\"kk-crumbs\"><a href=\"/outlets/%lld/incidents/"
             "%lld\">",
             (long long)w->outlet, (long long)w->incident);
    hub_t(r, "Back to the incident");
    hub_raw(r, "</a></p><p>");
    hub_t(r, "No flow is made for this type of incident. Choose the one "
             "closest to what happened, or call your trainer.");
    hub_raw(r, "</p><ul class=\"kk-triage-flows\" id=\"flows\">");
    for (size_t i = 0; s != NULL && i < s->n; i++) {
        hub_raw(r, "<li><a class=\"kk-button kk-button-secondary\" href=\"");
        hub_esc(r, w->base);
        hub_raw(r, "flow=");
        hub_esc(r, s->flow[i]->id);
        hub_raw(r, "\">");
        hub_esc(r, tx(r, &s->flow[i]->title));
        hub_raw(r, "</a></li>");
    }
    hub_raw(r, "</ul>");
    hub_page_end(r);
}

int hub_triage_h_incident(struct hub_req *r)
{
    struct hub_inc_outlet o;
    struct hub_inc i;
    struct walk_ctx w;
    const struct hub_triage_set *s;
    const struct hub_triage_flow *f = NULL;
    const char *flow = hub_form_get(r->query, "flow");
    int err = hub_inc_init(&i);
    memset(&w, 0, sizeof w);
    if (err == KK_OK)
        err = hub_inc_outlet_load(r, r->param[0], &o);
    if (err == KK_OK)
        err = hub_inc_get(r, o.id, r->param[1], &i);
    if (err != KK_OK)
        goto out;
    w.outlet = o.id;
    w.incident = i.id;
    snprintf(w.base, sizeof w.base, "/outlets/%lld/incidents/%lld/triage?",
             (long long)o.id, (long long)i.id);
    s = flows(r);
    if (s == NULL) {
        err = KK_ERR_CORRUPT;
        goto out;
    }
    if (flow == NULL || flow[0] == '\0') {
        f = hub_triage_for_type(s, i.type);
        if (f == NULL)
            f = hub_triage_find(s, i.flow);
        if (f == NULL) {
            choose_page(r, &w);
            goto out;
        }
        flow = f->id;
    }
    err = walk_answer(r, &w, flow);
out:
    hub_inc_release(&i);
    return err;
}

static int record_write(struct hub_req *r, const struct hub_inc *i,
                        const struct hub_triage_flow *f, const char *path,
                        const char *text)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_INC_TRIAGE_SET);
    char detail[64];
    int err;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":outlet", i->outlet);
    hub_bind_i64(st, ":id", i->id);
    hub_bind_text(st, ":flow", f->id);
    hub_bind_text(st, ":path", path);
    err = hub_exec(st);
    if (err == KK_OK && sqlite3_changes(r->db->db) == 0)
        err = KK_ERR_NOTFOUND;
    if (err == KK_OK)
        err =
            hub_inc_event_add(r, i->outlet, i->id, HUB_EV_TRIAGE, text, false);
    if (err == KK_OK) {
        snprintf(detail, sizeof detail, "%lld %s", (long long)i->id, f->id);
        hub_audit(r, i->outlet, "triage", "incident", detail);
    }
    return err;
}

int hub_triage_h_record(struct hub_req *r)
{
    static const struct hub_field fields[] = {
        {"flow", HUB_F_TEXT, true, 0, HUB_TRIAGE_ID_MAX, NULL},
        {"path", HUB_F_TEXT, true, 0, HUB_TRIAGE_PATH_MAX, NULL},
    };
    struct hub_inc_outlet o;
    struct hub_inc i;
    const struct hub_triage_set *s;
    const struct hub_triage_flow *f = NULL;
    const char *v[2] = {"", ""}, *bad = NULL;
    struct kk_buf *text = NULL;
    char url[URL_MAX];
    size_t node = 0;
    int err = hub_inc_init(&i);
    if (err == KK_OK)
        err = hub_inc_outlet_load(r, r->param[0], &o);
    if (err == KK_OK)
        err = hub_inc_get(r, o.id, r->param[1], &i);
    if (err != KK_OK)
        goto out;
    s = flows(r);
    if (s == NULL) {
        err = KK_ERR_CORRUPT;
        goto out;
    }
    if (hub_fields_read(r, fields, 2, v, &bad) == KK_OK) {
        f = hub_triage_find(s, v[0]);
        bad = f == NULL ? "flow" : NULL;
    }
    if (bad == NULL &&
        (hub_triage_walk(f, v[1], &node) != KK_OK || !f->node[node].end))
        bad = "path";
    if (bad != NULL) {
        char msg[96];
        snprintf(msg, sizeof msg, "%s: %s", bad,
                 strcmp(bad, "path") == 0
                     ? "The walk must end at the steps to take."
                     : "Not valid.");
        hub_fail(r, 400, "invalid", msg);
        goto out;
    }
    text = kk_buf_new(HUB_TRIAGE_FILE_MAX);
    if (text == NULL) {
        err = KK_ERR_NOMEM;
        goto out;
    }
    err = hub_triage_summary(f, v[1], r->lang, text);
    if (err == KK_OK)
        err = hub_tx_begin(r->db);
    if (err == KK_OK) {
        err = record_write(r, &i, f, v[1], kk_buf_str(text));
        if (err == KK_OK)
            err = hub_tx_commit(r->db);
        else
            hub_tx_rollback(r->db);
    }
    if (err == KK_OK && r->api) {
        struct hub_jw w;
        char ts[32];
        r->status = 201;
        hub_jw_begin(&w, r);
        if (kk_format_time(hub_now(), ts, sizeof ts) == KK_OK)
            hub_jw_str(&w, "at", ts);
        hub_jw_str(&w, "kind", "triage");
        hub_jw_str(&w, "flow", f->id);
        hub_jw_str(&w, "path", v[1]);
        hub_jw_str(&w, "text", kk_buf_str(text));
        hub_jw_bool(&w, "trainer_only", false);
        hub_jw_str(&w, "by", r->who.email);
        hub_jw_end(&w);
    } else if (err == KK_OK) {
        snprintf(url, sizeof url,
                 "/outlets/%lld/incidents/%lld?done=triage#timeline",
                 (long long)o.id, (long long)i.id);
        hub_redirect(r, url);
    }
out:
    kk_buf_free(text);
    hub_inc_release(&i);
    return err;
}
