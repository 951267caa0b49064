/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api.c - the JSON API under /api/v1/: the route table, and the JSON form
 * of the register's objects.
 *
 * The register's API routes share their handlers with the pages
 * (pages_register.c); only the answer differs.  JSON keys are the form
 * field names, ids are numbers, references are ids or null, and a list
 * answers with the whole list at once (capped at KK_HUB_CSV_ROWS_MAX
 * rows): an outlet's register is a few hundred rows, so paging would cost
 * clients more than it saves.  docs/api.md documents every route.
 */
#include <stdio.h>
#include <string.h>

#include "reg.h"

static void json_ids(struct hub_jw *w, const char *key, const char *list)
{
    int64_t id;
    hub_jw_key(w, key);
    hub_jw_arr(w);
    while (reg_ids_next(&list, &id))
        hub_jw_int(w, NULL, id);
    hub_jw_close(w, ']');
}

static void json_value(struct hub_jw *w, const struct reg_col *col,
                       const char *v)
{
    int64_t x;
    if (col->flags & REG_MULTI) {
        json_ids(w, col->name, v);
    } else if (col->type == HUB_F_BOOL) {
        hub_jw_bool(w, col->name, v[0] != '\0');
    } else if (col->type == HUB_F_INT || col->type == HUB_F_ID) {
        if (kk_parse_i64(v, INT64_MIN, INT64_MAX, &x) == KK_OK)
            hub_jw_int(w, col->name, x);
        else
            hub_jw_null(w, col->name);
    } else if (col->type == HUB_F_ENUM && v[0] == '\0') {
        hub_jw_null(w, col->name);
    } else {
        hub_jw_str(w, col->name, v);
    }
}

void reg_json_fields(struct hub_jw *w, const struct reg_entity *e,
                     const struct reg_row *row)
{
    hub_jw_int(w, "id", row->id);
    if (e->child)
        hub_jw_int(w, "outlet_id", row->outlet);
    for (size_t i = 0; i < e->n_cols; i++)
        json_value(w, &e->cols[i], reg_val(row, i));
    if (row->archived_at != 0)
        hub_jw_int(w, "archived_at", row->archived_at);
    else
        hub_jw_null(w, "archived_at");
}

int reg_api_list(struct hub_req *r, const struct reg_ctx *c)
{
    struct reg_row row;
    struct hub_jw w;
    sqlite3_stmt *st;
    const char *arch = hub_form_get(r->query, "archived");
    int err = reg_row_init(&row);
    if (err != KK_OK)
        return err;
    st =
        reg_select(r, c->e, c->outlet, 0,
                   arch != NULL && strcmp(arch, "1") == 0, KK_HUB_CSV_ROWS_MAX);
    if (st == NULL) {
        reg_row_free(&row);
        return KK_ERR_IO;
    }
    hub_jw_begin(&w, r);
    hub_jw_key(&w, c->e->path);
    hub_jw_arr(&w);
    while (err == KK_OK && sqlite3_step(st) == SQLITE_ROW) {
        err = reg_row_fill(st, c->e, &row);
        hub_jw_key(&w, NULL);
        hub_jw_obj(&w);
        if (err == KK_OK)
            reg_json_fields(&w, c->e, &row);
        hub_jw_close(&w, '}');
    }
    sqlite3_reset(st);
    hub_jw_close(&w, ']');
    hub_jw_end(&w);
    reg_row_free(&row);
    return err;
}

int reg_api_one(struct hub_req *r, const struct reg_ctx *c, int64_t id,
                int status)
{
    struct reg_row row;
    struct hub_jw w;
    int err = reg_row_init(&row);
    if (err == KK_OK)
        err = reg_row_get(r, c->e, c->outlet, id, &row);
    if (err == KK_OK) {
        r->status = status;
        hub_jw_begin(&w, r);
        reg_json_fields(&w, c->e, &row);
        hub_jw_end(&w);
    }
    reg_row_free(&row);
    return err;
}

void reg_api_invalid(struct hub_req *r, const char *field, const char *why)
{
    char msg[160];
    snprintf(msg, sizeof msg, "%s: %s", field != NULL ? field : "input",
             why != NULL ? why : "Not valid.");
    hub_fail(r, 400, "invalid", msg);
}

#define API "/api/v1"

const struct hub_route hub_routes_api[] = {
    /* The register (pages_register.c, reg.c, csv_register.c). */
    {HUB_GET, API "/outlets", HUB_R_API, REG_PEOPLE, reg_h_list},
    {HUB_POST, API "/outlets", HUB_R_API, REG_TRAINER, reg_h_create},
    {HUB_GET, API "/outlets/{id}", HUB_R_API, REG_PEOPLE, reg_h_show},
    {HUB_POST, API "/outlets/{id}", HUB_R_API, REG_TRAINERS, reg_h_update},
    {HUB_POST, API "/outlets/{id}/archive", HUB_R_API, REG_TRAINER,
     reg_h_archive},
    REG_ENTITY_ROUTES(API, HUB_R_API, "people", REG_ROLES_PEOPLE),
    REG_ENTITY_ROUTES(API, HUB_R_API, "devices", REG_ROLES_DEVICES),
    REG_ENTITY_ROUTES(API, HUB_R_API, "accounts", REG_ROLES_ACCOUNTS),
    REG_ENTITY_ROUTES(API, HUB_R_API, "licences", REG_ROLES_LICENCES),
    REG_ENTITY_ROUTES(API, HUB_R_API, "websites", REG_ROLES_WEBSITES),
    {HUB_POST, API "/outlets/{id}/accounts/{id}/tfa", HUB_R_API, REG_PEOPLE,
     reg_h_tfa},
    {0, NULL, 0, 0, NULL},
};
