/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * csv_register.c - CSV export and import of an outlet's people, devices,
 * accounts, licences and websites.
 *
 * The columns are the form field names, so a file exported here imports
 * back unchanged and a spreadsheet user sees the same words as a form.
 * References are written as names (a person's name, a device's asset tag)
 * rather than ids, which spreadsheets round to 15 digits; on import a
 * person may be named by id, name or e-mail, and must be exactly one live
 * person of the outlet.  Each row of an import goes through the very same
 * validation as a form: it is re-encoded as a form body and read by
 * reg_input_read.  That costs an encode and a parse per row (20,000 rows
 * at most) and buys one set of rules.  Every row is checked before any is
 * written; then all rows are written in one transaction, so an import
 * adds all its rows or none.
 */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "reg.h"

#define MSG_MAX 256

/* --- export --- */

static int put_ref(struct kk_buf *b, const struct reg_opts *o, const char *v,
                   bool first)
{
    int64_t id = 0;
    const struct reg_opt *opt = NULL;
    if (kk_parse_i64(v, 1, INT64_MAX, &id) == KK_OK)
        opt = reg_opt_find(o, id);
    return hub_csv_put(b, opt != NULL ? reg_opt_text(o, opt->csv) : v, first);
}

/* Several references in one field, separated by "; ". */
static int put_refs(struct kk_buf *b, const struct reg_opts *o,
                    const char *list)
{
    struct kk_buf *tmp = kk_buf_new(KK_HUB_CSV_FIELD_MAX);
    const struct reg_opt *opt;
    char num[24];
    int64_t id;
    int err = tmp != NULL ? KK_OK : KK_ERR_NOMEM;
    while (err == KK_OK && reg_ids_next(&list, &id)) {
        snprintf(num, sizeof num, "%lld", (long long)id);
        opt = reg_opt_find(o, id);
        if (kk_buf_len(tmp) > 0)
            err = kk_buf_puts(tmp, "; ");
        if (err == KK_OK)
            err =
                kk_buf_puts(tmp, opt != NULL ? reg_opt_text(o, opt->csv) : num);
    }
    if (err == KK_OK)
        err = hub_csv_put(b, kk_buf_str(tmp), false);
    kk_buf_free(tmp);
    return err;
}

static int export_row(struct kk_buf *b, const struct reg_entity *e,
                      const struct reg_row *row, const struct reg_opts *o)
{
    char id[24];
    int err;
    snprintf(id, sizeof id, "%lld", (long long)row->id);
    err = hub_csv_put(b, id, true);
    for (size_t i = 0; i < e->n_cols && err == KK_OK; i++) {
        const struct reg_col *col = &e->cols[i];
        const char *v = reg_val(row, i);
        if (col->flags & REG_RO)
            continue;
        if (col->flags & REG_MULTI)
            err = put_refs(b, o, v);
        else if (col->ref != REG_REF_NONE && v[0] != '\0')
            err = put_ref(b, o, v, false);
        else if (col->type == HUB_F_BOOL)
            err = hub_csv_put(b, v[0] != '\0' ? "true" : "false", false);
        else
            err = hub_csv_put(b, v, false);
    }
    return err == KK_OK ? hub_csv_end_row(b) : err;
}

static int export_header(struct kk_buf *b, const struct reg_entity *e)
{
    int err = hub_csv_put(b, "id", true);
    for (size_t i = 0; i < e->n_cols && err == KK_OK; i++) {
        if (!(e->cols[i].flags & REG_RO))
            err = hub_csv_put(b, e->cols[i].name, false);
    }
    return err == KK_OK ? hub_csv_end_row(b) : err;
}

static int export_refs(struct hub_req *r, const struct reg_ctx *c,
                       struct reg_opts *o)
{
    for (size_t i = 0; i < c->e->n_cols; i++) {
        if (c->e->cols[i].ref != REG_REF_NONE)
            return reg_opts_load(r, c->e->cols[i].ref, c->outlet, o);
    }
    memset(o, 0, sizeof *o);
    return KK_OK;
}

int reg_h_export(struct hub_req *r)
{
    struct reg_ctx c;
    struct reg_opts o;
    struct reg_row row;
    sqlite3_stmt *st = NULL;
    char disp[96];
    int err = reg_ctx_load(r, &c);
    if (err != KK_OK)
        return err;
    memset(&o, 0, sizeof o);
    err = reg_row_init(&row);
    if (err == KK_OK)
        err = export_refs(r, &c, &o);
    if (err == KK_OK)
        st = reg_select(r, c.e, c.outlet, 0, false, KK_HUB_CSV_ROWS_MAX);
    if (err == KK_OK && st == NULL)
        err = KK_ERR_IO;
    if (err == KK_OK)
        err = export_header(r->out, c.e);
    while (err == KK_OK && sqlite3_step(st) == SQLITE_ROW) {
        err = reg_row_fill(st, c.e, &row);
        if (err == KK_OK)
            err = export_row(r->out, c.e, &row, &o);
    }
    if (st != NULL)
        sqlite3_reset(st);
    if (err == KK_OK) {
        r->ctype = "text/csv; charset=utf-8";
        snprintf(disp, sizeof disp, "attachment; filename=\"%s.csv\"",
                 c.e->path);
        hub_set_header(r, "Content-Disposition", disp);
    }
    reg_opts_free(&o);
    reg_row_free(&row);
    return err;
}

/* --- import --- */

struct import {
    struct hub_req *r;
    struct reg_ctx *c;
    struct hub_csv *csv;
    int map[KK_HUB_CSV_FIELDS_MAX]; /* column -> entity column, or -1 */
    struct kk_buf *enc;             /* one row as a form body */
    char msg[MSG_MAX];
};

/* Sets the message "Line N: FIELD: WHY" (translated). */
static int import_bad(struct import *im, size_t line, const char *field,
                      const char *why)
{
    struct hub_req *r = im->r;
    snprintf(im->msg, sizeof im->msg, "%s %zu: %s%s%s", hub_tr_r(r, "Line"),
             line, field != NULL ? field : "", field != NULL ? ": " : "",
             hub_tr_r(r, why));
    return KK_ERR_INVAL;
}

/* v[0..n) without surrounding spaces and tabs; *len gets the length. */
static const char *trim(const char *v, size_t n, size_t *len)
{
    while (n > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        n--;
    }
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    *len = n;
    return v;
}

/* A field as exported: without the apostrophe that kept a spreadsheet
 * from running it as a formula, and without surrounding spaces. */
static const char *cell(const char *v, size_t *len)
{
    if (v[0] == '\'' && v[1] != '\0' && strchr("=+-@\t\r", v[1]) != NULL)
        v++;
    return trim(v, strlen(v), len);
}

static int header_map(struct import *im)
{
    const struct reg_entity *e = im->c->e;
    size_t n = hub_csv_rows(im->csv) > 0 ? hub_csv_fields(im->csv, 0) : 0;
    bool seen[REG_COLS_MAX] = {false};
    for (size_t j = 0; j < n && j < KK_HUB_CSV_FIELDS_MAX; j++) {
        char h[64];
        size_t len, i;
        const char *v = cell(hub_csv_field(im->csv, 0, j), &len);
        snprintf(h, sizeof h, "%.*s", (int)len, v);
        i = reg_col_index(e, h);
        im->map[j] = -1;
        if (i >= e->n_cols || (e->cols[i].flags & REG_RO))
            continue;
        if (seen[i])
            return import_bad(im, 1, h, "The column appears twice.");
        seen[i] = true;
        im->map[j] = (int)i;
    }
    for (size_t i = 0; i < e->n_cols; i++) {
        if (e->cols[i].required && !seen[i])
            return import_bad(im, 1, e->cols[i].name, "The column is missing.");
    }
    return KK_OK;
}

static int enc_pair(struct kk_buf *b, const char *key, const char *v, size_t n)
{
    char tmp[KK_HUB_CSV_FIELD_MAX + 1];
    int err = kk_buf_len(b) > 0 ? kk_buf_putc(b, '&') : KK_OK;
    snprintf(tmp, sizeof tmp, "%.*s", (int)n, v);
    if (err == KK_OK)
        err = hub_url_encode(b, key);
    if (err == KK_OK)
        err = kk_buf_putc(b, '=');
    if (err == KK_OK)
        err = hub_url_encode(b, tmp);
    return err;
}

/* A reference typed in the file becomes the id the form would send. */
static int enc_ref(struct import *im, size_t line, const struct reg_col *col,
                   const char *v, size_t n)
{
    char text[KK_HUB_CSV_FIELD_MAX + 1], num[24];
    int64_t id = 0;
    snprintf(text, sizeof text, "%.*s", (int)n, v);
    if (reg_ref_resolve(im->r, col->ref, im->c->outlet, text, &id) != KK_OK)
        return import_bad(im, line, col->name,
                          col->ref == REG_REF_DEVICE
                              ? "Not exactly one device of this outlet."
                              : "Not exactly one person of this outlet.");
    snprintf(num, sizeof num, "%lld", (long long)id);
    return enc_pair(im->enc, col->name, num, strlen(num));
}

static int enc_refs(struct import *im, size_t line, const struct reg_col *col,
                    const char *v, size_t n)
{
    int err = KK_OK;
    while (err == KK_OK && n > 0) {
        size_t part = 0, len;
        const char *p;
        while (part < n && v[part] != ';')
            part++;
        p = trim(v, part, &len);
        if (len > 0)
            err = enc_ref(im, line, col, p, len);
        v += part + (part < n);
        n -= part + (part < n);
    }
    return err;
}

static int row_encode(struct import *im, size_t row)
{
    const struct reg_entity *e = im->c->e;
    size_t line = hub_csv_line(im->csv, row), n;
    int err = KK_OK;
    kk_buf_reset(im->enc);
    for (size_t j = 0; j < hub_csv_fields(im->csv, row) && err == KK_OK; j++) {
        const struct reg_col *col;
        const char *v;
        if (j >= KK_HUB_CSV_FIELDS_MAX || im->map[j] < 0 ||
            j >= hub_csv_fields(im->csv, 0))
            continue;
        col = &e->cols[im->map[j]];
        v = cell(hub_csv_field(im->csv, row, j), &n);
        if (col->flags & REG_MULTI)
            err = enc_refs(im, line, col, v, n);
        else if (col->ref != REG_REF_NONE && n > 0)
            err = enc_ref(im, line, col, v, n);
        else
            err = enc_pair(im->enc, col->name, v, n);
    }
    return err;
}

/* Reads one row as a form would be read; *form keeps the values alive. */
static int row_input(struct import *im, size_t row, struct hub_form **form,
                     struct reg_input *in)
{
    struct hub_req *r = im->r;
    struct hub_form *saved_form = r->form;
    struct hub_json *saved_json = r->json;
    struct kk_diag d;
    int err = row_encode(im, row);
    if (err == KK_ERR_LIMIT || err == KK_ERR_TRUNC)
        return import_bad(im, hub_csv_line(im->csv, row), NULL,
                          "The row is too long.");
    if (err != KK_OK)
        return err;
    err = hub_form_parse(kk_buf_str(im->enc), kk_buf_len(im->enc), form, &d);
    if (err != KK_OK)
        return import_bad(im, hub_csv_line(im->csv, row), NULL,
                          "The row is not valid.");
    r->form = *form;
    r->json = NULL;
    err = reg_input_read(r, im->c->e, im->c->outlet, NULL, in);
    r->form = saved_form;
    r->json = saved_json;
    if (err == KK_ERR_INVAL && in->bad != NULL)
        return import_bad(im, hub_csv_line(im->csv, row), in->bad, in->why);
    return err;
}

/* Checks every row (write false) or writes every row (write true). */
static int import_rows(struct import *im, bool write)
{
    int err = KK_OK;
    for (size_t row = 1; row < hub_csv_rows(im->csv) && err == KK_OK; row++) {
        struct hub_form *form = NULL;
        struct reg_input in;
        int64_t id;
        memset(&in, 0, sizeof in);
        err = row_input(im, row, &form, &in);
        if (err == KK_OK && write) {
            err = reg_write(im->r, im->c->e, im->c->outlet, NULL, &in, &id);
            if (err != KK_OK && in.bad != NULL)
                err =
                    import_bad(im, hub_csv_line(im->csv, row), in.bad, in.why);
        }
        hub_form_free(form);
    }
    return err;
}

static int import_run(struct import *im)
{
    char detail[32];
    int err = header_map(im);
    if (err == KK_OK)
        err = import_rows(im, false);
    if (err == KK_OK)
        err = hub_tx_begin(im->r->db);
    if (err != KK_OK)
        return err;
    err = import_rows(im, true);
    if (err == KK_OK) {
        snprintf(detail, sizeof detail, "%zu rows", hub_csv_rows(im->csv) - 1);
        hub_audit(im->r, im->c->outlet, "import", im->c->e->object, detail);
        err = hub_tx_commit(im->r->db);
    } else {
        hub_tx_rollback(im->r->db);
    }
    return err;
}

static int import_answer(struct hub_req *r, struct import *im, int err,
                         const char *text)
{
    struct reg_page_state s = {NULL, text, im->msg, -1};
    struct hub_jw w;
    char url[160];
    size_t n = im->csv != NULL ? hub_csv_rows(im->csv) : 0;
    if (err != KK_OK && im->msg[0] == '\0')
        return err;
    if (err != KK_OK && r->api) {
        hub_fail(r, 400, "invalid", im->msg);
        return KK_OK;
    }
    if (err != KK_OK) {
        r->status = 400;
        return reg_page_list(r, im->c, &s);
    }
    if (r->api) {
        hub_jw_begin(&w, r);
        hub_jw_int(&w, "imported", n > 0 ? (int64_t)n - 1 : 0);
        hub_jw_end(&w);
        return KK_OK;
    }
    reg_url_list(im->c, url, sizeof url - 32);
    snprintf(url + strlen(url), 32, "?imported=%zu", n > 0 ? n - 1 : 0);
    hub_redirect(r, url);
    return KK_OK;
}

int reg_h_import(struct hub_req *r)
{
    struct reg_ctx c;
    struct import im;
    struct kk_diag d;
    const char *text = hub_form_get(r->form, "csv");
    kk_diag_clear(&d);
    size_t len;
    int err = reg_ctx_load(r, &c);
    if (err != KK_OK)
        return err;
    memset(&im, 0, sizeof im);
    im.r = r;
    im.c = &c;
    if (text == NULL && r->api && r->json == NULL)
        text = r->body != NULL ? r->body : "";
    len = text == NULL ? 0 : text == r->body ? r->body_len : strlen(text);
    im.enc = kk_buf_new(KK_HUB_BODY_MAX);
    if (im.enc == NULL)
        return KK_ERR_NOMEM;
    if (len == 0) {
        err = KK_ERR_INVAL;
        snprintf(im.msg, sizeof im.msg, "%s",
                 hub_tr_r(r, "Paste the CSV, with its first line naming "
                             "the columns."));
    } else if (hub_csv_parse(text, len, &im.csv, &d) != KK_OK) {
        err = KK_ERR_INVAL;
        snprintf(im.msg, sizeof im.msg, "%s", d.msg);
    } else {
        err = import_run(&im);
    }
    err = import_answer(r, &im, err, text);
    hub_csv_free(im.csv);
    kk_buf_free(im.enc);
    return err;
}
