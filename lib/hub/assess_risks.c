/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * assess_risks.c - an outlet's risk matrix in the SAFETAG manner: who
 * could harm the outlet (the adversary, in clear, since it names a kind of
 * actor, not a weakness), how capable they are, how likely and how harmful
 * an attack on the outlet's critical work would be (1-5 each), and what
 * work it threatens with notes, both sealed at rest.
 *
 * The page shows the rows and a 5 x 5 likelihood x impact grid: an HTML
 * table whose cells carry the count of risks and a class (low, medium,
 * high, critical by the product), with the same counts as text, so the
 * grid needs neither colour nor script to be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess.h"
#include "model.h"
#include "seal.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define RISKS_MAX 500

struct risk {
    int64_t id, created;
    int64_t capability, likelihood, impact;
    char adversary[KK_HUB_NAME_MAX + 1];
    char *work, *notes; /* opened, owned */
};

static void risk_clear(void *obj)
{
    struct risk *k = obj;
    free(k->work);
    free(k->notes);
    memset(k, 0, sizeof *k);
}

static int opened_dup(struct hub_req *r, sqlite3_stmt *st, int col,
                      const char *ctx, int64_t id, char **out)
{
    struct kk_buf *b = kk_buf_new(ASMT_TEXT_BUF);
    int err = b != NULL ? hub_col_opened(r, st, col, ctx, id, b) : KK_ERR_NOMEM;
    if (err == KK_ERR_CORRUPT) {
        kk_buf_reset(b);
        err = KK_OK; /* shown as empty; the key file says more */
    }
    if (err == KK_OK) {
        *out = strdup(kk_buf_str(b));
        if (*out == NULL)
            err = KK_ERR_NOMEM;
    }
    kk_buf_free(b);
    return err;
}

static int risk_read(struct hub_req *r, sqlite3_stmt *st, struct risk *k)
{
    int err;
    memset(k, 0, sizeof *k);
    k->id = sqlite3_column_int64(st, 0);
    snprintf(k->adversary, sizeof k->adversary, "%s", hub_col_text(st, 1));
    k->capability = sqlite3_column_int64(st, 2);
    k->likelihood = sqlite3_column_int64(st, 3);
    k->impact = sqlite3_column_int64(st, 4);
    k->created = sqlite3_column_int64(st, 7);
    err = opened_dup(r, st, 5, ASMT_SEAL_WORK, k->id, &k->work);
    if (err == KK_OK)
        err = opened_dup(r, st, 6, ASMT_SEAL_NOTES, k->id, &k->notes);
    return err;
}

static int risks_load(struct hub_req *r, int64_t outlet, void *out, size_t *n)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_ASMT_RISKS);
    struct risk *v = calloc(RISKS_MAX, sizeof *v);
    size_t k = 0;
    int err = KK_OK;
    if (st == NULL || v == NULL) {
        free(v);
        return st == NULL ? KK_ERR_IO : KK_ERR_NOMEM;
    }
    hub_bind_i64(st, ":outlet", outlet);
    while (err == KK_OK && k < RISKS_MAX && sqlite3_step(st) == SQLITE_ROW)
        err = risk_read(r, st, &v[k++]);
    sqlite3_reset(st);
    if (err != KK_OK) {
        for (size_t i = 0; i < k; i++)
            risk_clear(&v[i]);
        free(v);
        return err;
    }
    *(struct risk **)out = v;
    *n = k;
    return KK_OK;
}

static int risk_get(struct hub_req *r, int64_t outlet, int64_t id, void *obj)
{
    struct risk *k = obj;
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_ASMT_RISK_GET);
    int err = KK_ERR_NOTFOUND;
    memset(k, 0, sizeof *k);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":id", id);
    hub_bind_i64(st, ":outlet", outlet);
    if (sqlite3_step(st) == SQLITE_ROW)
        err = risk_read(r, st, k);
    sqlite3_reset(st);
    return err;
}

static void risk_json(struct hub_jw *w, int64_t outlet, const void *obj)
{
    const struct risk *k = obj;
    int cls = hub_assess_risk_class(k->likelihood, k->impact);
    static const char *const names[] = {"low", "medium", "high", "critical"};
    hub_jw_int(w, "id", k->id);
    hub_jw_int(w, "outlet_id", outlet);
    hub_jw_str(w, "adversary", k->adversary);
    hub_jw_int(w, "capability", k->capability);
    hub_jw_int(w, "likelihood", k->likelihood);
    hub_jw_int(w, "impact", k->impact);
    hub_jw_int(w, "score", k->likelihood * k->impact);
    hub_jw_str(w, "class", names[cls - 1]);
    hub_jw_str(w, "work", k->work != NULL ? k->work : "");
    hub_jw_str(w, "notes", k->notes != NULL ? k->notes : "");
    hub_assess_jw_time(w, "created_at", k->created);
}

/* --- input --- */

static const struct hub_field risk_fields[] = {
    {"adversary", HUB_F_TEXT, false, 0, KK_HUB_NAME_MAX, NULL},
    {"capability", HUB_F_INT, false, 1, 5, NULL},
    {"likelihood", HUB_F_INT, false, 1, 5, NULL},
    {"impact", HUB_F_INT, false, 1, 5, NULL},
    {"work", HUB_F_TEXT, false, 0, KK_HUB_TEXT_MAX, NULL},
    {"notes", HUB_F_TEXT, false, 0, KK_HUB_TEXT_MAX, NULL},
};
#define RF NELEM(risk_fields)

static const char *risk_why(const char *field)
{
    if (strcmp(field, "adversary") == 0)
        return "Name the adversary (at most 200 bytes).";
    if (strcmp(field, "work") == 0 || strcmp(field, "notes") == 0)
        return "At most 4096 bytes of text.";
    return "Choose a number from 1 to 5.";
}

/* Reads the input into v; on update (cur != NULL) a JSON body keeps what
 * it does not send.  KK_ERR_INVAL with *bad set. */
static int risk_input(struct hub_req *r, const struct risk *cur, const char **v,
                      char num[3][8], const char **bad)
{
    int err = hub_fields_read(r, risk_fields, RF, v, bad);
    if (err != KK_OK)
        return err;
    if (cur != NULL && r->json != NULL) {
        int64_t nums[3] = {cur->capability, cur->likelihood, cur->impact};
        if (!hub_assess_has(r, "adversary"))
            v[0] = cur->adversary;
        for (int i = 0; i < 3; i++) {
            if (!hub_assess_has(r, risk_fields[i + 1].name)) {
                snprintf(num[i], 8, "%lld", (long long)nums[i]);
                v[i + 1] = num[i];
            }
        }
        if (!hub_assess_has(r, "work"))
            v[4] = cur->work;
        if (!hub_assess_has(r, "notes"))
            v[5] = cur->notes;
    }
    for (int i = 1; i <= 3; i++) {
        if (v[i][0] == '\0')
            v[i] = "3";
    }
    if (v[0][0] == '\0') {
        *bad = "adversary";
        return KK_ERR_INVAL;
    }
    return KK_OK;
}

static int risk_write(struct hub_req *r, int64_t outlet, int64_t id,
                      const char **v, bool create)
{
    sqlite3_stmt *st =
        hub_scoped(r, create ? HUB_Q_ASMT_RISK_INSERT : HUB_Q_ASMT_RISK_UPDATE);
    int64_t x;
    int err = KK_OK;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":id", id);
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_text(st, ":adversary", v[0]);
    for (int i = 1; i <= 3 && err == KK_OK; i++) {
        char p[16];
        err = kk_parse_i64(v[i], 1, 5, &x);
        snprintf(p, sizeof p, ":%s", risk_fields[i].name);
        hub_bind_i64(st, p, x);
    }
    hub_bind_i64(st, ":now", hub_now());
    if (err == KK_OK)
        err = hub_bind_sealed(r, st, ":work", ASMT_SEAL_WORK, id, v[4]);
    if (err == KK_OK)
        err = hub_bind_sealed(r, st, ":notes", ASMT_SEAL_NOTES, id, v[5]);
    if (err == KK_OK)
        err = hub_exec(st);
    if (err == KK_OK && sqlite3_changes(r->db->db) != 1)
        err = KK_ERR_NOTFOUND;
    if (err == KK_OK)
        hub_audit(r, outlet, create ? "create" : "update", "risk", v[0]);
    return err;
}

/* --- pages --- */

static void risk_fields_form(struct hub_req *r, const char **v, const char *bad)
{
#define WHY(f) (bad != NULL && strcmp(bad, f) == 0 ? risk_why(f) : NULL)
    hub_assess_input(r, "text", "adversary", "Adversary", v != NULL ? v[0] : "",
                     KK_HUB_NAME_MAX, true, WHY("adversary"));
    hub_assess_scale(r, "capability", "Capability", v != NULL ? v[1] : NULL,
                     WHY("capability"));
    hub_assess_scale(r, "likelihood", "Likelihood", v != NULL ? v[2] : NULL,
                     WHY("likelihood"));
    hub_assess_scale(r, "impact", "Impact", v != NULL ? v[3] : NULL,
                     WHY("impact"));
    hub_assess_input(r, "textarea", "work", "Critical work threatened",
                     v != NULL ? v[4] : "", KK_HUB_TEXT_MAX, false,
                     WHY("work"));
    hub_assess_input(r, "textarea", "notes", "Notes", v != NULL ? v[5] : "",
                     KK_HUB_TEXT_MAX, false, WHY("notes"));
#undef WHY
}

static void grid(struct hub_req *r, const struct risk *k, size_t n)
{
    size_t cell[6][6] = {{0}}, by_class[5] = {0};
    for (size_t i = 0; i < n; i++) {
        if (k[i].likelihood >= 1 && k[i].likelihood <= 5 && k[i].impact >= 1 &&
            k[i].impact <= 5) {
            cell[k[i].likelihood][k[i].impact]++;
            by_class[hub_assess_risk_class(k[i].likelihood, k[i].impact)]++;
        }
    }
    hub_raw(r, "<section id=\"grid\"><h2>");
    hub_t(r, "Likelihood and impact");
    hub_raw(r, "</h2><div class=\"kk-scroll\"><table class=\"kk-table "
               "kk-riskgrid\"><caption>");
    hub_t(r, "Number of risks by likelihood (rows) and impact (columns)");
    hub_raw(r, "</caption><thead><tr><th scope=\"col\">");
    hub_t(r, "Likelihood");
    hub_raw(r, " \\ ");
    hub_t(r, "Impact");
    hub_raw(r, "</th>");
    for (int i = 1; i <= 5; i++)
        hub_rawf(r, "<th scope=\"col\">%d</th>", i);
    hub_raw(r, "</tr></thead><tbody>");
    for (int l = 5; l >= 1; l--) {
        hub_rawf(r, "<tr><th scope=\"row\">%d</th>", l);
        for (int i = 1; i <= 5; i++) {
            int cls = hub_assess_risk_class(l, i);
            hub_rawf(r, "<td class=\"kk-risk%d\" title=\"", cls);
            hub_t(r, hub_assess_risk_label(cls));
            hub_rawf(r, "\">%zu</td>", cell[l][i]);
        }
        hub_raw(r, "</tr>");
    }
    hub_raw(r, "</tbody></table></div><ul id=\"grid-text\">");
    for (int c = 4; c >= 1; c--) {
        static const char *const range[] = {"", "1-4", "5-9", "10-16", "20-25"};
        hub_raw(r, "<li>");
        hub_t(r, hub_assess_risk_label(c));
        hub_rawf(r, " (%s): %zu</li>", range[c], by_class[c]);
    }
    hub_raw(r, "</ul></section>");
}

static void risk_table(struct hub_req *r, int64_t outlet, const struct risk *k,
                       size_t n)
{
    if (n == 0) {
        hub_raw(r, "<p class=\"kk-empty\">");
        hub_t(r, "No risk recorded yet.");
        hub_raw(r, "</p>");
        return;
    }
    hub_raw(r, "<div class=\"kk-scroll\"><table class=\"kk-table\" "
               "id=\"risks\"><thead><tr><th scope=\"col\">");
    hub_t(r, "Adversary");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Capability");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Likelihood");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Impact");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Level");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "Critical work threatened");
    hub_raw(r, "</th></tr></thead><tbody>");
    for (size_t i = 0; i < n; i++) {
        int cls = hub_assess_risk_class(k[i].likelihood, k[i].impact);
        hub_rawf(r,
                 "<tr><th scope=\"row\"><a "
                 "href=\"/outlets/%lld/risks/%lld\">",
                 (long long)outlet, (long long)k[i].id);
        hub_esc(r, k[i].adversary);
        hub_rawf(r,
                 "</a></th><td class=\"kk-num\">%lld</td><td "
                 "class=\"kk-num\">%lld</td><td class=\"kk-num\">%lld</td>"
                 "<td><span class=\"kk-badge kk-risk%d\">",
                 (long long)k[i].capability, (long long)k[i].likelihood,
                 (long long)k[i].impact, cls);
        hub_t(r, hub_assess_risk_label(cls));
        hub_raw(r, "</span></td><td>");
        hub_esc(r, k[i].work != NULL ? k[i].work : "");
        hub_raw(r, "</td></tr>");
    }
    hub_raw(r, "</tbody></table></div>");
}

static int risks_page(struct hub_req *r, int64_t outlet, const char *name,
                      const char **v, const char *bad)
{
    struct risk *k = NULL;
    size_t n = 0;
    char action[96];
    int err = risks_load(r, outlet, &k, &n);
    if (err != KK_OK)
        return err;
    if (bad != NULL)
        r->status = 400;
    hub_assess_head(r, "Risk matrix", name, outlet, "/assessments");
    hub_assess_notice(r);
    hub_raw(r, "<p class=\"kk-hint\">");
    hub_t(r, "Who could harm the outlet, how capable they are, and how "
             "likely and how harmful an attack on its critical work would "
             "be (1 very low to 5 very high).");
    hub_raw(r, "</p>");
    risk_table(r, outlet, k, n);
    grid(r, k, n);
    if (hub_assess_writer(r)) {
        snprintf(action, sizeof action, "/outlets/%lld/risks",
                 (long long)outlet);
        hub_raw(r, "<section id=\"add\"><h2>");
        hub_t(r, "Add a risk");
        hub_raw(r, "</h2>");
        hub_assess_form_open(r, action, "kk-form");
        risk_fields_form(r, v, bad);
        hub_assess_form_close(r, "Add the risk", NULL);
        hub_raw(r, "</section>");
    }
    hub_page_end(r);
    for (size_t i = 0; i < n; i++)
        risk_clear(&k[i]);
    free(k);
    return KK_OK;
}

static int risk_page(struct hub_req *r, int64_t outlet, const char *name,
                     const struct risk *k, const char **v, const char *bad)
{
    char action[128];
    const char *cur[RF];
    char num[3][8];
    int cls = hub_assess_risk_class(k->likelihood, k->impact);
    if (bad != NULL)
        r->status = 400;
    hub_assess_head(r, "Risk", name, outlet, "/assessments");
    hub_assess_notice(r);
    hub_raw(r, "<dl class=\"kk-facts\"><dt>");
    hub_t(r, "Adversary");
    hub_raw(r, "</dt><dd>");
    hub_esc(r, k->adversary);
    hub_raw(r, "</dd><dt>");
    hub_t(r, "Level");
    hub_rawf(r, "</dt><dd><span class=\"kk-badge kk-risk%d\">", cls);
    hub_t(r, hub_assess_risk_label(cls));
    hub_rawf(r, "</span> (%lld &#215; %lld)</dd><dt>", (long long)k->likelihood,
             (long long)k->impact);
    hub_t(r, "Critical work threatened");
    hub_raw(r, "</dt><dd>");
    hub_esc(r, k->work != NULL ? k->work : "");
    hub_raw(r, "</dd><dt>");
    hub_t(r, "Notes");
    hub_raw(r, "</dt><dd>");
    hub_esc(r, k->notes != NULL ? k->notes : "");
    hub_raw(r, "</dd></dl>");
    if (hub_assess_writer(r)) {
        if (v == NULL) {
            snprintf(num[0], 8, "%lld", (long long)k->capability);
            snprintf(num[1], 8, "%lld", (long long)k->likelihood);
            snprintf(num[2], 8, "%lld", (long long)k->impact);
            cur[0] = k->adversary;
            cur[1] = num[0];
            cur[2] = num[1];
            cur[3] = num[2];
            cur[4] = k->work;
            cur[5] = k->notes;
            v = cur;
        }
        snprintf(action, sizeof action, "/outlets/%lld/risks/%lld",
                 (long long)outlet, (long long)k->id);
        hub_raw(r, "<section id=\"edit\"><h2>");
        hub_t(r, "Edit");
        hub_raw(r, "</h2>");
        hub_assess_form_open(r, action, "kk-form");
        risk_fields_form(r, v, bad);
        hub_assess_form_close(r, "Save", NULL);
        snprintf(action, sizeof action, "/outlets/%lld/risks/%lld/archive",
                 (long long)outlet, (long long)k->id);
        hub_assess_form_open(r, action, "kk-actions");
        hub_assess_form_close(r, "Archive", "kk-danger");
        hub_raw(r, "</section>");
    }
    hub_rawf(r, "<p><a href=\"/outlets/%lld/risks\">", (long long)outlet);
    hub_t(r, "Back to the risk matrix");
    hub_raw(r, "</a></p>");
    hub_page_end(r);
    return KK_OK;
}

/* --- handlers --- */

static const struct hub_assess_type risk_type = {
    .key = "risks",
    .size = sizeof(struct risk),
    .page = risks_page,
    .load = risks_load,
    .get = risk_get,
    .json = risk_json,
    .clear = risk_clear,
};

int hub_assess_h_risks(struct hub_req *r)
{
    return hub_assess_list(r, &risk_type);
}

static int risk_answer(struct hub_req *r, int64_t outlet, int64_t id,
                       int status, const char *done)
{
    char path[128];
    if (strcmp(done, "archived") == 0)
        snprintf(path, sizeof path, "/outlets/%lld/risks?done=%s",
                 (long long)outlet, done);
    else
        snprintf(path, sizeof path, "/outlets/%lld/risks/%lld?done=%s",
                 (long long)outlet, (long long)id, done);
    return hub_assess_answer(r, &risk_type, outlet, id, status, path);
}

int hub_assess_h_risk_create(struct hub_req *r)
{
    char name[KK_HUB_NAME_MAX + 1], num[3][8];
    const char *v[RF], *bad = NULL;
    int64_t outlet = r->param[0], id = 0;
    int err = hub_assess_outlet(r, outlet, name, sizeof name);
    if (err != KK_OK)
        return err;
    if (risk_input(r, NULL, v, num, &bad) != KK_OK) {
        if (r->api) {
            hub_assess_invalid(r, bad, risk_why(bad));
            return KK_OK;
        }
        return risks_page(r, outlet, name, v, bad);
    }
    err = hub_new_id(&id);
    if (err == KK_OK)
        err = hub_tx_begin(r->db);
    if (err != KK_OK)
        return err;
    err = risk_write(r, outlet, id, v, true);
    if (err == KK_OK)
        err = hub_tx_commit(r->db);
    else
        hub_tx_rollback(r->db);
    if (err != KK_OK)
        return err;
    return risk_answer(r, outlet, id, 201, "added");
}

int hub_assess_h_risk(struct hub_req *r)
{
    char name[KK_HUB_NAME_MAX + 1];
    struct risk k;
    struct hub_jw w;
    int64_t outlet = r->param[0];
    int err = hub_assess_outlet(r, outlet, name, sizeof name);
    if (err != KK_OK)
        return err;
    err = risk_get(r, outlet, r->param[1], &k);
    if (err == KK_OK && r->api) {
        hub_jw_begin(&w, r);
        risk_json(&w, outlet, &k);
        hub_jw_end(&w);
    } else if (err == KK_OK) {
        err = risk_page(r, outlet, name, &k, NULL, NULL);
    }
    risk_clear(&k);
    return err;
}

int hub_assess_h_risk_update(struct hub_req *r)
{
    char name[KK_HUB_NAME_MAX + 1], num[3][8];
    const char *v[RF], *bad = NULL;
    struct risk k;
    int64_t outlet = r->param[0], id = r->param[1];
    int err = hub_assess_outlet(r, outlet, name, sizeof name);
    if (err != KK_OK)
        return err;
    err = risk_get(r, outlet, id, &k);
    if (err != KK_OK)
        goto out;
    if (risk_input(r, &k, v, num, &bad) != KK_OK) {
        if (r->api)
            hub_assess_invalid(r, bad, risk_why(bad));
        else
            err = risk_page(r, outlet, name, &k, v, bad);
        goto out;
    }
    err = hub_tx_begin(r->db);
    if (err != KK_OK)
        goto out;
    err = risk_write(r, outlet, id, v, false);
    if (err == KK_OK)
        err = hub_tx_commit(r->db);
    else
        hub_tx_rollback(r->db);
    if (err == KK_OK)
        err = risk_answer(r, outlet, id, 200, "saved");
out:
    risk_clear(&k);
    return err;
}

int hub_assess_h_risk_archive(struct hub_req *r)
{
    char name[KK_HUB_NAME_MAX + 1];
    struct hub_jw w;
    sqlite3_stmt *st;
    int64_t outlet = r->param[0], id = r->param[1];
    int err = hub_assess_outlet(r, outlet, name, sizeof name);
    if (err != KK_OK)
        return err;
    err = hub_tx_begin(r->db);
    if (err != KK_OK)
        return err;
    st = hub_scoped(r, HUB_Q_ASMT_RISK_ARCHIVE);
    hub_bind_i64(st, ":id", id);
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_i64(st, ":now", hub_now());
    err = hub_exec(st);
    if (err == KK_OK && sqlite3_changes(r->db->db) != 1)
        err = KK_ERR_NOTFOUND;
    if (err == KK_OK) {
        hub_audit(r, outlet, "archive", "risk", "");
        err = hub_tx_commit(r->db);
    } else {
        hub_tx_rollback(r->db);
    }
    if (err != KK_OK)
        return err;
    if (!r->api)
        return risk_answer(r, outlet, id, 200, "archived");
    hub_jw_begin(&w, r);
    hub_jw_int(&w, "id", id);
    hub_jw_bool(&w, "archived", true);
    hub_jw_end(&w);
    return KK_OK;
}
