/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_out.c - a report's canonical content and its SHA-256, and the
 * report as JSON and as CSV.
 *
 * The canonical content is the one thing the hash is computed over: the
 * scope, the period, the date, the view and every row's figures as plain
 * tab-separated lines, with no label, language, format or clock time in
 * it.  So the HTML page, the PDF, the CSV and the JSON of one report carry
 * one hash, a Russian copy and an English copy carry the same one, and
 * anyone can recompute it from the JSON (docs/hub-reports.md gives the
 * lines).  JSON and CSV are written from the same rows in the same order;
 * the CSV adds a translated label to each row for people reading it in a
 * spreadsheet, and every field goes through hub_csv_put, which keeps a
 * spreadsheet from running a field as a formula.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "coverage.h"
#include "i18n.h"
#include "incident.h"
#include "model.h"
#include "report.h"

/* --- values --- */

void hub_rep_value_text(const struct hub_rep_row *row, bool of, char *out,
                        size_t cap)
{
    int state = of ? row->of_state : row->value_state;
    int64_t v = of ? row->of : row->value;
    if (state == HUB_RV_SUPPRESSED)
        snprintf(out, cap, "suppressed");
    else if (state == HUB_RV_NONE)
        snprintf(out, cap, "%s", "");
    else if (!of && hub_rep_inds[row->ind].kind == HUB_RK_TENTHS)
        snprintf(out, cap, "%lld.%lld", (long long)(v / 10),
                 (long long)(v % 10));
    else
        snprintf(out, cap, "%lld", (long long)v);
}

int hub_rep_permille(const struct hub_rep_row *row)
{
    if (hub_rep_inds[row->ind].kind != HUB_RK_SHARE ||
        row->value_state != HUB_RV_NUM || row->of_state != HUB_RV_NUM ||
        row->of <= 0 || row->value < 0)
        return -1;
    return hub_share_pm((size_t)row->value, (size_t)row->of);
}

const char *hub_rep_group_label(int groups, const char *group)
{
    const char *l;
    if (group[0] == '\0')
        return groups == HUB_RG_TYPE ? "All types" : "Everyone";
    if (groups == HUB_RG_DEPT)
        l = hub_department_label(hub_department_from_name(group));
    else if (strcmp(group, "other") == 0)
        l = "Other";
    else
        l = hub_incident_type_label(hub_incident_type_from_name(group));
    return l != NULL ? l : group;
}

/* --- canonical content, hash --- */

int hub_report_canon(const struct hub_report *rep, struct kk_buf *b)
{
    const struct hub_rep_params *p = &rep->p;
    int err = kk_buf_putf(
        b,
        "kalkan-report\t1\nscope\t%s\noutlet\t%lld\nview\t%s\nfrom\t%s\n"
        "to\t%s\nas_of\t%s\nstart\t%s\noutlets\t%lld\n",
        p->scope == HUB_REP_OUTLET ? "outlet" : "programme",
        (long long)(p->scope == HUB_REP_OUTLET ? p->outlet_id : 0),
        hub_rep_view_name(p->view), p->from, p->to, p->as_of, rep->start,
        (long long)rep->outlets);
    for (size_t k = 0; k < rep->n_points && err == KK_OK; k++)
        err = kk_buf_putf(b, "point\t%s\t%s\n", rep->pts[k].label,
                          rep->pts[k].day);
    for (size_t i = 0; i < rep->n_rows && err == KK_OK; i++) {
        const struct hub_rep_row *row = &rep->rows[i];
        char v[32], of[32] = "";
        hub_rep_value_text(row, false, v, sizeof v);
        if (hub_rep_inds[row->ind].kind == HUB_RK_SHARE)
            hub_rep_value_text(row, true, of, sizeof of);
        err = kk_buf_putf(b, "row\t%s\t%s\t%s\t%s\t%s\n",
                          hub_rep_inds[row->ind].key, row->group,
                          rep->pts[row->point].label, v, of);
    }
    return err;
}

int hub_report_hash(struct hub_report *rep)
{
    struct kk_buf *b = kk_buf_new(1u << 20);
    unsigned char h[crypto_hash_sha256_BYTES];
    int err = b != NULL ? KK_OK : KK_ERR_NOMEM;
    if (err == KK_OK)
        err = hub_report_canon(rep, b);
    if (err == KK_OK) {
        crypto_hash_sha256(h, kk_buf_data(b), kk_buf_len(b));
        sodium_bin2hex(rep->sha256, sizeof rep->sha256, h, sizeof h);
    }
    kk_buf_free(b);
    return err;
}

int hub_rep_canon_walk(const char *text, size_t len,
                       void (*fn)(void *arg, const char *const *f, size_t n),
                       void *arg)
{
    size_t pos = 0;
    char line[513];
    int err = KK_OK;
    if (len > 0 && (text == NULL || !hub_utf8_valid(text, len)))
        err = KK_ERR_CORRUPT;
    while (err == KK_OK && pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
        const char *f[8];
        size_t nf = 0;
        char *p;
        if (n >= sizeof line) {
            err = KK_ERR_CORRUPT;
            break;
        }
        memcpy(line, text + pos, n);
        line[n] = '\0';
        pos += n + 1;
        f[nf++] = line;
        p = strchr(line, '\t');
        while (p != NULL && nf < 8) {
            *p++ = '\0';
            f[nf++] = p;
            p = strchr(p, '\t');
        }
        if (p != NULL)
            err = KK_ERR_CORRUPT; /* a ninth field */
        if (err == KK_OK && n > 0)
            fn(arg, f, nf);
    }
    return err;
}

/* --- JSON --- */

static void jw_value(struct hub_jw *w, const char *key,
                     const struct hub_rep_row *row, bool of)
{
    char v[32];
    int state = of ? row->of_state : row->value_state;
    if (state != HUB_RV_NUM) {
        hub_jw_null(w, key);
        return;
    }
    hub_rep_value_text(row, of, v, sizeof v);
    hub_jw_key(w, key);
    hub_raw(w->r, v);
}

void hub_report_json(struct hub_req *r, const struct hub_report *rep,
                     const char *verify_url)
{
    const struct hub_rep_params *p = &rep->p;
    struct hub_jw w;
    char ts[32];
    if (kk_format_time(rep->generated_at, ts, sizeof ts) != KK_OK)
        ts[0] = '\0';
    hub_jw_begin(&w, r);
    hub_jw_str(&w, "scope",
               p->scope == HUB_REP_OUTLET ? "outlet" : "programme");
    if (p->scope == HUB_REP_OUTLET) {
        hub_jw_key(&w, "outlet");
        hub_jw_obj(&w);
        hub_jw_int(&w, "id", p->outlet_id);
        hub_jw_str(&w, "name", rep->outlet_name);
        hub_jw_str(&w, "slug", rep->outlet_slug);
        hub_jw_close(&w, '}');
    } else {
        hub_jw_null(&w, "outlet");
    }
    hub_jw_str(&w, "view", hub_rep_view_name(p->view));
    hub_jw_str(&w, "from", p->from);
    hub_jw_str(&w, "to", p->to);
    hub_jw_str(&w, "as_of", p->as_of);
    hub_jw_str(&w, "programme_start", rep->start);
    hub_jw_int(&w, "outlets", rep->outlets);
    hub_jw_int(&w, "k_min", HUB_K_MIN);
    hub_jw_str(&w, "lang", hub_lang_code(r->lang));
    hub_jw_str(&w, "generated_at", ts);
    hub_jw_key(&w, "points");
    hub_jw_arr(&w);
    for (size_t k = 0; k < rep->n_points; k++) {
        hub_jw_key(&w, NULL);
        hub_jw_obj(&w);
        hub_jw_str(&w, "point", rep->pts[k].label);
        hub_jw_str(&w, "date", rep->pts[k].day);
        hub_jw_close(&w, '}');
    }
    hub_jw_close(&w, ']');
    hub_jw_key(&w, "rows");
    hub_jw_arr(&w);
    for (size_t i = 0; i < rep->n_rows; i++) {
        const struct hub_rep_row *row = &rep->rows[i];
        bool is_share = hub_rep_inds[row->ind].kind == HUB_RK_SHARE;
        int pm = hub_rep_permille(row);
        hub_jw_key(&w, NULL);
        hub_jw_obj(&w);
        hub_jw_str(&w, "indicator", hub_rep_inds[row->ind].key);
        if (row->group[0] != '\0')
            hub_jw_str(&w, "group", row->group);
        else
            hub_jw_null(&w, "group");
        hub_jw_str(&w, "point", rep->pts[row->point].label);
        jw_value(&w, "value", row, false);
        if (is_share) {
            jw_value(&w, "of", row, true);
            if (pm >= 0)
                hub_jw_int(&w, "permille", pm);
            else
                hub_jw_null(&w, "permille");
        }
        if (row->value_state == HUB_RV_SUPPRESSED ||
            (is_share && row->of_state == HUB_RV_SUPPRESSED))
            hub_jw_bool(&w, "suppressed", true);
        hub_jw_close(&w, '}');
    }
    hub_jw_close(&w, ']');
    hub_jw_str(&w, "sha256", rep->sha256);
    hub_jw_str(&w, "verify_url", verify_url);
    hub_jw_end(&w);
}

/* --- CSV --- */

static void csv_put(struct hub_req *r, const char *s, bool first)
{
    if (r->err == KK_OK)
        r->err = hub_csv_put(r->out, s, first);
}

static void csv_end(struct hub_req *r)
{
    if (r->err == KK_OK)
        r->err = hub_csv_end_row(r->out);
}

/* A line about the report itself: key, value, label. */
static void csv_meta(struct hub_req *r, const char *key, const char *value,
                     const char *label)
{
    csv_put(r, key, true);
    for (int i = 0; i < 3; i++)
        csv_put(r, "", false);
    csv_put(r, value, false);
    csv_put(r, "", false);
    csv_put(r, "", false);
    csv_put(r, hub_tr_r(r, label), false);
    csv_put(r, "", false);
    csv_end(r);
}

void hub_report_csv(struct hub_req *r, const struct hub_report *rep,
                    const char *verify_url)
{
    static const char *const head[] = {
        "indicator", "group",   "point", "date",        "value",
        "of",        "percent", "label", "group_label",
    };
    const struct hub_rep_params *p = &rep->p;
    char num[32], ts[32];
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
        csv_put(r, head[i], i == 0);
    csv_end(r);
    csv_meta(r, "scope", p->scope == HUB_REP_OUTLET ? "outlet" : "programme",
             "Report");
    if (p->scope == HUB_REP_OUTLET) {
        snprintf(num, sizeof num, "%lld", (long long)p->outlet_id);
        csv_meta(r, "outlet", num, "Outlet");
        csv_meta(r, "outlet_name", rep->outlet_name, "Outlet");
    }
    csv_meta(r, "view", hub_rep_view_name(p->view), "View");
    csv_meta(r, "from", p->from, "From");
    csv_meta(r, "to", p->to, "To");
    csv_meta(r, "as_of", p->as_of, "As of");
    csv_meta(r, "programme_start", rep->start, "Programme start (month 0)");
    snprintf(num, sizeof num, "%lld", (long long)rep->outlets);
    csv_meta(r, "outlets", num, "Outlets covered");
    if (kk_format_time(rep->generated_at, ts, sizeof ts) != KK_OK)
        ts[0] = '\0';
    csv_meta(r, "generated_at", ts, "Produced");
    for (size_t i = 0; i < rep->n_rows; i++) {
        const struct hub_rep_row *row = &rep->rows[i];
        const struct hub_rep_ind_info *in = &hub_rep_inds[row->ind];
        const struct hub_rep_point *pt = &rep->pts[row->point];
        int pm = hub_rep_permille(row);
        char v[32], of[32] = "", pc[16] = "";
        hub_rep_value_text(row, false, v, sizeof v);
        if (in->kind == HUB_RK_SHARE)
            hub_rep_value_text(row, true, of, sizeof of);
        if (pm >= 0)
            snprintf(pc, sizeof pc, "%d.%d", pm / 10, pm % 10);
        csv_put(r, in->key, true);
        csv_put(r, row->group, false);
        csv_put(r, pt->label, false);
        csv_put(r, pt->day, false);
        csv_put(r, v, false);
        csv_put(r, of, false);
        csv_put(r, pc, false);
        csv_put(r, hub_tr_r(r, in->label), false);
        csv_put(r,
                in->groups != HUB_RG_NONE
                    ? hub_tr_r(r, hub_rep_group_label(in->groups, row->group))
                    : "",
                false);
        csv_end(r);
    }
    csv_meta(r, "sha256", rep->sha256, "SHA-256 of the report's content");
    csv_meta(r, "verify_url", verify_url, "Check a copy at");
}
