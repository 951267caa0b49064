/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * reg.h - the register's entity layer: outlets, people, devices, licences,
 * online accounts and websites described as tables of columns, and the few
 * generic operations every page, API call and CSV import goes through.
 *
 * Each entity is a struct reg_entity: its columns (name, type, limits,
 * enum, reference kind, who may change it), its scoped statements
 * (sql_register.h) and the roles that may read, edit and manage it.  The
 * handlers are shared by the HTML routes (pages_register.c) and the JSON
 * routes (api.c); they learn the entity from the request path and answer
 * in HTML or JSON according to r->api.
 *
 * Every statement's first columns are id, outlet_id, archived_at, followed
 * by one column per entry of the entity's column table, in table order.
 */
#ifndef KALKAN_HUB_REG_H
#define KALKAN_HUB_REG_H

#include "hub_int.h"
#include "model.h"

#define REG_COLS_MAX 12
#define REG_ADMINS_MAX 32
#define REG_OPTS_MAX 2000 /* people or devices offered in one select */
#define REG_FIRST_COL 3   /* select columns before the first entity column */

/* Who may do what (HUB_ROLEBIT masks); used by entities and routes. */
#define REG_TRAINER HUB_ROLEBIT(HUB_ROLE_TRAINER)
#define REG_TRAINERS (REG_TRAINER | HUB_ROLEBIT(HUB_ROLE_ASSISTANT))
#define REG_MANAGE HUB_ROLES_MANAGE
#define REG_PEOPLE HUB_ROLES_PEOPLE

/* Per entity: who reads, who edits, who manages (creates, archives,
 * imports, exports).  Staff read and edit only their own objects, and the
 * statements make sure of it. */
#define REG_ROLES_OUTLETS REG_PEOPLE, REG_TRAINERS, REG_TRAINER
#define REG_ROLES_PEOPLE REG_PEOPLE, REG_MANAGE, REG_MANAGE
#define REG_ROLES_DEVICES REG_PEOPLE, REG_PEOPLE, REG_MANAGE
#define REG_ROLES_ACCOUNTS REG_PEOPLE, REG_PEOPLE, REG_MANAGE
#define REG_ROLES_LICENCES REG_PEOPLE, REG_MANAGE, REG_MANAGE
#define REG_ROLES_WEBSITES REG_MANAGE, REG_MANAGE, REG_MANAGE

enum reg_col_flag {
    REG_SHOW = 1 << 0,   /* a column of the list table */
    REG_STAFF = 1 << 1,  /* staff may change it on their own objects */
    REG_RO = 1 << 2,     /* computed by the statement: output only */
    REG_EXTRA = 1 << 3,  /* input kept outside the row (entity hook) */
    REG_MASK = 1 << 4,   /* a licence key: only a masked form is stored */
    REG_MULTI = 1 << 5,  /* a list of person ids (account admins) */
    REG_UNIQUE = 1 << 6, /* a UNIQUE column: a clash names this field */
};

enum reg_ref {
    REG_REF_NONE = 0,
    REG_REF_PERSON, /* a person of the same outlet */
    REG_REF_DEVICE, /* a device of the same outlet */
};

/* A closed set of wire names with English labels (translated on output). */
struct reg_enum {
    int (*from_name)(const char *);
    const char *(*name)(int);
    const char *(*label)(int);
    int count;
};

struct reg_col {
    const char *name;  /* form, JSON and CSV key */
    const char *param; /* SQL parameter (":custodian") */
    const char *label; /* English msgid */
    int type;          /* enum hub_field_type */
    bool required;
    int64_t min, max; /* INT range; TEXT max bytes */
    const struct reg_enum *en;
    int ref;          /* enum reg_ref */
    unsigned flags;   /* enum reg_col_flag */
    const char *def;  /* value when left empty on create, or NULL */
    const char *hint; /* English msgid shown under the input, or NULL */
    bool (*check)(const char *); /* extra rule for non-empty values */
};

struct reg_row;
struct reg_input;

struct reg_entity {
    const char *path;   /* "people": URL segment, JSON list key, CSV name */
    const char *object; /* "person": audit object name */
    const char *title;  /* "People" (msgid) */
    const char *one;    /* "Person" (msgid) */
    const char *add;    /* "Add a person" (msgid) */
    bool child;         /* lives under /outlets/{id}/ */
    const struct reg_col *cols;
    size_t n_cols;
    enum hub_q q_select, q_insert, q_update, q_archive;
    unsigned read_roles, edit_roles, manage_roles;
    /* Cross-field rule after the fields are read (may set in->bad). */
    int (*check)(struct hub_req *r, const struct reg_entity *e,
                 struct reg_input *in);
    /* Runs after the row is written, inside the transaction. */
    int (*after)(struct hub_req *r, const struct reg_entity *e, int64_t outlet,
                 int64_t id, const struct reg_input *in,
                 const struct reg_row *cur);
};

extern const struct reg_entity reg_outlets, reg_people, reg_devices,
    reg_accounts, reg_licences, reg_websites;
/* The five entities under an outlet, in tab order. */
extern const struct reg_entity *const reg_children[5];
#define REG_CHILDREN 5

/* One object read from its entity's select statement. */
struct reg_row {
    int64_t id, outlet, archived_at; /* archived_at 0: alive */
    size_t off[REG_COLS_MAX];
    struct kk_buf *text; /* the values, NUL-separated */
};

/* The request's place in the register: entity, outlet and object ids. */
struct reg_ctx {
    const struct reg_entity *e;
    int64_t outlet; /* 0 for the outlets entity */
    int64_t id;     /* the object of the route, or 0 */
    bool outlet_archived;
    char outlet_name[KK_HUB_NAME_MAX + 1];
};

/* Input read for one create or update, validated. */
struct reg_input {
    const char *val[REG_COLS_MAX]; /* borrowed from the request or row */
    int64_t admins[REG_ADMINS_MAX];
    size_t n_admins;
    bool admins_set; /* replace the admins with admins[] */
    char masked[64];
    const char *bad; /* first bad field's name, or NULL */
    const char *why; /* English msgid: what is wrong with it */
};

/* People or devices of an outlet offered in selects and used to show and
 * export references. */
struct reg_opt {
    int64_t id;
    size_t label, csv; /* offsets into text */
    bool archived;
};
struct reg_opts {
    struct reg_opt *v;
    size_t n;
    struct kk_buf *text;
};

/* --- reg.c --- */

/* Finds the entity and ids from r->path and r->param, and checks that the
 * outlet (for a child) is visible to the caller: KK_ERR_NOTFOUND if not. */
KK_WUR int reg_ctx_load(struct hub_req *r, struct reg_ctx *c);
size_t reg_col_index(const struct reg_entity *e, const char *name);

KK_WUR int reg_row_init(struct reg_row *row);
void reg_row_free(struct reg_row *row);
const char *reg_val(const struct reg_row *row, size_t i);
/* Copies the current row of st into row. */
KK_WUR int reg_row_fill(sqlite3_stmt *st, const struct reg_entity *e,
                        struct reg_row *row);
/* The entity's select, bound for outlet and id (0: all), archived rows
 * included when all; limit caps the rows.  NULL on failure. */
sqlite3_stmt *reg_select(struct hub_req *r, const struct reg_entity *e,
                         int64_t outlet, int64_t id, bool all, int limit);
/* One object: KK_ERR_NOTFOUND when absent or not the caller's. */
KK_WUR int reg_row_get(struct hub_req *r, const struct reg_entity *e,
                       int64_t outlet, int64_t id, struct reg_row *row);

KK_WUR int reg_opts_load(struct hub_req *r, int ref, int64_t outlet,
                         struct reg_opts *o);
void reg_opts_free(struct reg_opts *o);
/* The option with this id, or NULL. */
const struct reg_opt *reg_opt_find(const struct reg_opts *o, int64_t id);
const char *reg_opt_text(const struct reg_opts *o, size_t off);
/* Resolves a reference typed by a person (id, name or e-mail; id or asset
 * tag for a device) to exactly one live object of the outlet. */
KK_WUR int reg_ref_resolve(struct hub_req *r, int ref, int64_t outlet,
                           const char *text, int64_t *id);

/* Reads and validates the entity's fields from the form or JSON body.
 * cur is the object being updated (NULL to create); a JSON update leaves
 * absent keys as they are, and staff change only REG_STAFF columns.
 * KK_ERR_INVAL with in->bad and in->why set when a field is wrong. */
KK_WUR int reg_input_read(struct hub_req *r, const struct reg_entity *e,
                          int64_t outlet, const struct reg_row *cur,
                          struct reg_input *in);
/* Creates (cur NULL) or updates the object; *id gets its id.  Must run
 * inside a transaction.  KK_ERR_NOTFOUND when the scope refuses it;
 * KK_ERR_EXISTS (in->bad set) on a unique clash. */
KK_WUR int reg_write(struct hub_req *r, const struct reg_entity *e,
                     int64_t outlet, const struct reg_row *cur,
                     struct reg_input *in, int64_t *id);
KK_WUR int reg_archive(struct hub_req *r, const struct reg_entity *e,
                       int64_t outlet, int64_t id);
/* Walks a comma-separated list of ids ("1,2,3", as admins are read):
 * the next valid id into *id, false at the end. */
bool reg_ids_next(const char **list, int64_t *id);
bool reg_ids_has(const char *list, int64_t id);
/* Records an account's 2FA method as an observation if it changed. */
KK_WUR int reg_tfa_set(struct hub_req *r, const struct reg_row *account,
                       const char *method);
/* Masks a licence key: "•••••-" and at most its last 5 characters (fewer
 * for short keys, so a key is never stored whole).  A value already
 * masked is kept.  "" for an empty key. */
void reg_key_mask(const char *key, char *out, size_t cap);

/* URLs of the entity: the list, one object (its form), its archive. */
void reg_url_list(const struct reg_ctx *c, char *out, size_t cap);
void reg_url_obj(const struct reg_ctx *c, int64_t id, char *out, size_t cap);

/* --- route handlers (pages_register.c), HTML or JSON by r->api --- */

int reg_h_list(struct hub_req *r);
int reg_h_create(struct hub_req *r);
int reg_h_show(struct hub_req *r);
int reg_h_update(struct hub_req *r);
int reg_h_archive(struct hub_req *r);
int reg_h_tfa(struct hub_req *r);

/* An HTML list page, with the add form showing in's values and error (or
 * empty when in is NULL) and the import form showing csv and csv_err. */
struct reg_page_state {
    const struct reg_input *in;
    const char *csv;
    const char *csv_err;
    int64_t imported; /* -1: no notice */
};
KK_WUR int reg_page_list(struct hub_req *r, const struct reg_ctx *c,
                         const struct reg_page_state *s);

/* The routes of a child entity under prefix pre ("" or "/api/v1"), with
 * route flags fl and the entity's roles (REG_ROLES_*). */
#define REG_ENTITY_ROUTES(pre, fl, ent, ...)                                   \
    REG_ENTITY_ROUTES_(pre, fl, ent, __VA_ARGS__)
#define REG_ENTITY_ROUTES_(pre, fl, ent, rd, ed, mg)                           \
    {HUB_GET, pre "/outlets/{id}/" ent, fl, rd, reg_h_list},                   \
        {HUB_POST, pre "/outlets/{id}/" ent, fl, mg, reg_h_create},            \
        {HUB_GET, pre "/outlets/{id}/" ent "/{id}", fl, rd, reg_h_show},       \
        {HUB_POST, pre "/outlets/{id}/" ent "/{id}", fl, ed, reg_h_update},    \
        {HUB_POST, pre "/outlets/{id}/" ent "/{id}/archive", fl, mg,           \
         reg_h_archive},                                                       \
        {HUB_GET, pre "/outlets/{id}/" ent ".csv", fl, mg, reg_h_export},      \
    {                                                                          \
        HUB_POST, pre "/outlets/{id}/" ent "/import", (fl) | HUB_R_UPLOAD, mg, \
            reg_h_import                                                       \
    }

/* --- csv_register.c --- */

int reg_h_export(struct hub_req *r);
int reg_h_import(struct hub_req *r);

/* --- api.c --- */

/* Writes the fields of row into the open JSON object. */
void reg_json_fields(struct hub_jw *w, const struct reg_entity *e,
                     const struct reg_row *row);
KK_WUR int reg_api_list(struct hub_req *r, const struct reg_ctx *c);
/* Answers with one object (reloaded) and the given status. */
KK_WUR int reg_api_one(struct hub_req *r, const struct reg_ctx *c, int64_t id,
                       int status);
/* Answers 400 {"error":{"code":"invalid","message":"FIELD: WHY"}}. */
void reg_api_invalid(struct hub_req *r, const char *field, const char *why);

#endif
