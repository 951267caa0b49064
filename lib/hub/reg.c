/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * reg.c - the register's entities as data, and the operations they share:
 * finding the entity of a request, reading rows, reading and validating
 * input, writing, archiving, and recording an account's 2FA method.
 *
 * Describing outlets, people, devices, licences, accounts and websites as
 * column tables keeps one code path for the forms, the JSON API and CSV
 * imports, so a rule (a length, an enum, a reference that must belong to
 * the same outlet, a column staff may not touch) is written once.  The
 * price is one level of indirection: a column is found by its index in
 * the table, and each entity's SQL must list its columns in table order
 * (tests/unit/hub/test_register.c checks that).  Scope is never decided
 * here: every statement carries the caller's scope itself and is run with
 * hub_scoped(), so a mistake in this file can at worst refuse an action.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "reg.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* --- enumerations --- */

static const char *name_at(const char *const *tab, size_t n, int v)
{
    return v > 0 && (size_t)v < n ? tab[v] : NULL;
}

static int name_index(const char *const *tab, size_t n, const char *s)
{
    for (size_t i = 1; s != NULL && i < n; i++) {
        if (strcmp(tab[i], s) == 0)
            return (int)i;
    }
    return 0;
}

/* Labels for model.h enums that have none there. */
#define LABELS(id, tab)                                                        \
    static const char *id##_label(int v)                                       \
    {                                                                          \
        return name_at(tab, NELEM(tab), v);                                    \
    }

/* Enums of the register alone: wire names and labels here. */
#define LOCAL_ENUM(id, names, labels)                                          \
    static int id##_from(const char *s)                                        \
    {                                                                          \
        return name_index(names, NELEM(names), s);                             \
    }                                                                          \
    static const char *id##_name(int v)                                        \
    {                                                                          \
        return name_at(names, NELEM(names), v);                                \
    }                                                                          \
    LABELS(id, labels)                                                         \
    static const struct reg_enum id##_enum = {                                 \
        id##_from, id##_name, id##_label, (int)NELEM(names) - 1};

static const char *const devkind_labels[] = {
    NULL, "Desktop", "Laptop", "Phone", "Tablet", "Server", "Router",
};
static const char *const media_labels[] = {
    NULL, "Web", "TV", "Radio", "Print", "Investigative",
};
static const char *dept_label(int v)
{
    return hub_department_label(v);
}
LABELS(devkind, devkind_labels)
LABELS(media, media_labels)

static const struct reg_enum dept_enum = {
    hub_department_from_name, hub_department_name, dept_label, HUB_DEPT_COUNT};
static const struct reg_enum devkind_enum = {hub_device_kind_from_name,
                                             hub_device_kind_name,
                                             devkind_label, HUB_DEV_COUNT};
static const struct reg_enum media_enum = {hub_media_from_name, hub_media_name,
                                           media_label, HUB_MEDIA_COUNT};
static const struct reg_enum platform_enum = {hub_platform_from_name,
                                              hub_platform_name,
                                              hub_platform_label, HUB_PF_COUNT};
static const struct reg_enum tfa_enum = {hub_tfa_from_name, hub_tfa_name,
                                         hub_tfa_label, HUB_TFA_COUNT};

static const char *const own_names[] = {NULL, "office", "personal"};
static const char *const own_labels[] = {NULL, "Office", "Personal"};
static const char *const akind_names[] = {NULL, "personal", "org"};
static const char *const akind_labels[] = {NULL, "Personal", "Organisational"};
static const char *const ltype_names[] = {
    NULL, "oem", "retail", "volume", "subscription", "foss",
};
static const char *const ltype_labels[] = {
    NULL, "OEM", "Retail", "Volume", "Subscription", "Free software",
};
static const char *const funder_names[] = {NULL, "outlet", "donor"};
static const char *const funder_labels[] = {NULL, "The outlet", "A donor"};
static const char *const status_names[] = {
    NULL,     "applicant", "selected",  "onboarding",
    "active", "graduated", "withdrawn",
};
static const char *const status_labels[] = {
    NULL,     "Applicant", "Selected",  "Onboarding",
    "Active", "Graduated", "Withdrawn",
};
LOCAL_ENUM(own, own_names, own_labels)
LOCAL_ENUM(akind, akind_names, akind_labels)
LOCAL_ENUM(ltype, ltype_names, ltype_labels)
LOCAL_ENUM(funder, funder_names, funder_labels)
LOCAL_ENUM(status, status_names, status_labels)

/* --- extra checks --- */

static bool slug_ok(const char *s)
{
    size_t n = strlen(s);
    return n <= 40 && s[0] != '-' &&
           strspn(s, "abcdefghijklmnopqrstuvwxyz"
                     "0123456789-") == n;
}

static bool url_ok(const char *s)
{
    size_t skip = strncmp(s, "https://", 8) == 0  ? 8
                  : strncmp(s, "http://", 7) == 0 ? 7
                                                  : 0;
    return skip > 0 && s[skip] != '\0' && strpbrk(s, " \"'<>\\") == NULL;
}

/* --- the entities --- */

/* A column: form/JSON/CSV name n (also its SQL parameter), label l,
 * type t, then any other reg_col fields; COLP names the parameter. */
#define COL(n, l, t, ...)                                                      \
    {                                                                          \
        .name = n, .param = ":" n, .label = l, .type = t, __VA_ARGS__          \
    }
#define COLP(n, p, l, t, ...)                                                  \
    {                                                                          \
        .name = n, .param = p, .label = l, .type = t, __VA_ARGS__              \
    }

static const struct reg_col outlet_cols[] = {
    COL("name", "Name", HUB_F_TEXT, .required = true, .max = KK_HUB_NAME_MAX,
        .flags = REG_SHOW),
    COL("slug", "Short name (for URLs)", HUB_F_TEXT, .required = true,
        .max = 40, .check = slug_ok, .flags = REG_SHOW | REG_UNIQUE,
        .hint = "Lower-case letters, digits and dashes."),
    COL("media", "Media type", HUB_F_ENUM, .required = true, .en = &media_enum,
        .flags = REG_SHOW),
    COL("region", "Region", HUB_F_TEXT, .max = 100, .flags = REG_SHOW),
    COL("staff_count", "Staff", HUB_F_INT, .min = 0, .max = 100000, .def = "0",
        .flags = REG_SHOW),
    COL("status", "Status", HUB_F_ENUM, .en = &status_enum, .def = "active",
        .flags = REG_SHOW),
    COL("people", "People in the register", HUB_F_INT,
        .flags = REG_SHOW | REG_RO),
};

static const struct reg_col people_cols[] = {
    COL("name", "Name or pseudonym", HUB_F_TEXT, .required = true,
        .max = KK_HUB_NAME_MAX, .flags = REG_SHOW),
    COL("department", "Department", HUB_F_ENUM, .required = true,
        .en = &dept_enum, .flags = REG_SHOW),
    COL("job_title", "Job title", HUB_F_TEXT, .max = KK_HUB_NAME_MAX,
        .flags = REG_SHOW),
    COL("email", "Work e-mail", HUB_F_EMAIL, .flags = REG_SHOW),
    COL("public_facing",
        "Public-facing (on air, in print or online under their name)",
        HUB_F_BOOL, .flags = 0),
};

static const struct reg_col device_cols[] = {
    COL("kind", "Kind", HUB_F_ENUM, .required = true, .en = &devkind_enum,
        .flags = REG_SHOW | REG_STAFF),
    COL("ownership", "Owned by", HUB_F_ENUM, .en = &own_enum, .def = "office",
        .flags = REG_SHOW),
    COL("os", "Operating system", HUB_F_TEXT, .max = 100,
        .flags = REG_SHOW | REG_STAFF),
    COL("os_version", "Version", HUB_F_TEXT, .max = 100,
        .flags = REG_SHOW | REG_STAFF),
    COL("asset_tag", "Asset tag", HUB_F_TEXT, .max = 100,
        .flags = REG_SHOW | REG_STAFF),
    COL("custodian", "Used by", HUB_F_ID, .ref = REG_REF_PERSON,
        .flags = REG_SHOW),
};

static const struct reg_col licence_cols[] = {
    COL("product", "Product", HUB_F_TEXT, .required = true,
        .max = KK_HUB_NAME_MAX, .flags = REG_SHOW),
    COL("type", "Licence type", HUB_F_ENUM, .required = true, .en = &ltype_enum,
        .flags = REG_SHOW),
    COL("seats", "Seats", HUB_F_INT, .min = 1, .max = 100000, .def = "1",
        .flags = REG_SHOW),
    COL("expires", "Expires", HUB_F_DATE, .flags = REG_SHOW,
        .hint = "Leave empty if it never expires."),
    COL("funded_by", "Paid by", HUB_F_ENUM, .en = &funder_enum, .def = "outlet",
        .flags = REG_SHOW),
    COL("key", "Licence key", HUB_F_TEXT, .max = KK_HUB_NAME_MAX,
        .flags = REG_MASK,
        .hint = "Only the last five characters are kept; the rest is masked. "
                "Leave empty to keep the key on record."),
    /* Not ":device": hub_scoped() binds that to the caller's device. */
    COLP("device", ":device_id", "Installed on", HUB_F_ID,
         .ref = REG_REF_DEVICE, .flags = REG_SHOW),
};

static const struct reg_col account_cols[] = {
    COL("platform", "Platform", HUB_F_ENUM, .required = true,
        .en = &platform_enum, .flags = REG_SHOW),
    COL("handle", "Address, handle or URL", HUB_F_TEXT, .required = true,
        .max = KK_HUB_NAME_MAX, .flags = REG_SHOW),
    COL("tfa", "Two-factor method", HUB_F_ENUM, .en = &tfa_enum,
        .flags = REG_SHOW | REG_EXTRA | REG_STAFF),
    COL("owner", "Owner", HUB_F_ID, .ref = REG_REF_PERSON, .flags = REG_SHOW),
    COL("kind", "Kind", HUB_F_ENUM, .en = &akind_enum, .flags = 0,
        .hint = "Empty: personal for e-mail and profiles, organisational "
                "for pages, channels and services."),
    COL("criticality", "Criticality", HUB_F_INT, .min = 1, .max = 3, .def = "2",
        .flags = REG_SHOW,
        .hint = "How much losing it would hurt: 1 low, 2 medium, 3 high."),
    COL("admins", "Admins", HUB_F_ID, .ref = REG_REF_PERSON, .flags = REG_MULTI,
        .hint = "For organisational accounts: everyone who can manage it."),
};

static const struct reg_col website_cols[] = {
    COL("url", "Address (URL)", HUB_F_TEXT, .required = true,
        .max = KK_HUB_NAME_MAX, .check = url_ok, .flags = REG_SHOW),
    COL("cms", "CMS and version", HUB_F_TEXT, .max = 100, .flags = REG_SHOW),
    COL("host", "Hosting", HUB_F_TEXT, .max = 100, .flags = REG_SHOW),
    COL("registrar", "Domain registrar", HUB_F_TEXT, .max = 100, .flags = 0),
    COL("domain_expiry", "Domain expires", HUB_F_DATE, .flags = REG_SHOW),
};

static int accounts_check(struct hub_req *r, const struct reg_entity *e,
                          struct reg_input *in);
static int accounts_after(struct hub_req *r, const struct reg_entity *e,
                          int64_t outlet, int64_t id,
                          const struct reg_input *in,
                          const struct reg_row *cur);

/* Roles: see REG_ROLES_* in reg.h, shared with the route tables. */
#define ROLES3(rd, ed, mg)                                                     \
    .read_roles = rd, .edit_roles = ed, .manage_roles = mg
#define ROLES(...) ROLES3(__VA_ARGS__)
#define STATEMENTS(sel, pre)                                                   \
    .q_select = sel, .q_insert = pre##_INSERT, .q_update = pre##_UPDATE,       \
    .q_archive = pre##_ARCHIVE

const struct reg_entity reg_outlets = {
    .path = "outlets",
    .object = "outlet",
    .title = "Outlets",
    .one = "Outlet",
    .add = "Add an outlet",
    .child = false,
    .cols = outlet_cols,
    .n_cols = NELEM(outlet_cols),
    STATEMENTS(HUB_Q_REG_OUTLETS, HUB_Q_REG_OUTLET),
    ROLES(REG_ROLES_OUTLETS),
};
const struct reg_entity reg_people = {
    .path = "people",
    .object = "person",
    .title = "People",
    .one = "Person",
    .add = "Add a person",
    .child = true,
    .cols = people_cols,
    .n_cols = NELEM(people_cols),
    STATEMENTS(HUB_Q_REG_PEOPLE, HUB_Q_REG_PERSON),
    ROLES(REG_ROLES_PEOPLE),
};
const struct reg_entity reg_devices = {
    .path = "devices",
    .object = "device",
    .title = "Devices",
    .one = "Device",
    .add = "Add a device",
    .child = true,
    .cols = device_cols,
    .n_cols = NELEM(device_cols),
    STATEMENTS(HUB_Q_REG_DEVICES, HUB_Q_REG_DEVICE),
    ROLES(REG_ROLES_DEVICES),
};
const struct reg_entity reg_accounts = {
    .path = "accounts",
    .object = "account",
    .title = "Online accounts",
    .one = "Online account",
    .add = "Add an online account",
    .child = true,
    .cols = account_cols,
    .n_cols = NELEM(account_cols),
    STATEMENTS(HUB_Q_REG_ACCOUNTS, HUB_Q_REG_ACCOUNT),
    ROLES(REG_ROLES_ACCOUNTS),
    .check = accounts_check,
    .after = accounts_after,
};
const struct reg_entity reg_licences = {
    .path = "licences",
    .object = "licence",
    .title = "Licences",
    .one = "Licence",
    .add = "Add a licence",
    .child = true,
    .cols = licence_cols,
    .n_cols = NELEM(licence_cols),
    STATEMENTS(HUB_Q_REG_LICENCES, HUB_Q_REG_LICENCE),
    ROLES(REG_ROLES_LICENCES),
};
const struct reg_entity reg_websites = {
    .path = "websites",
    .object = "website",
    .title = "Websites",
    .one = "Website",
    .add = "Add a website",
    .child = true,
    .cols = website_cols,
    .n_cols = NELEM(website_cols),
    STATEMENTS(HUB_Q_REG_WEBSITES, HUB_Q_REG_WEBSITE),
    ROLES(REG_ROLES_WEBSITES),
};

const struct reg_entity *const reg_children[REG_CHILDREN] = {
    &reg_people, &reg_devices, &reg_accounts, &reg_licences, &reg_websites,
};

size_t reg_col_index(const struct reg_entity *e, const char *name)
{
    size_t i = 0;
    while (i < e->n_cols && strcmp(e->cols[i].name, name) != 0)
        i++;
    return i;
}

/* --- the request's place --- */

int reg_ctx_load(struct hub_req *r, struct reg_ctx *c)
{
    const char *p = r->path;
    struct reg_row row;
    size_t n;
    int err;
    memset(c, 0, sizeof *c);
    c->e = &reg_outlets;
    if (strncmp(p, "/api/v1", 7) == 0)
        p += 7;
    p += strcspn(p + 1, "/") + 1; /* "/outlets" */
    if (*p == '/')
        p += 1 + strspn(p + 1, "0123456789");
    if (*p == '/')
        p++;
    n = strcspn(p, "/.");
    for (size_t i = 0; i < REG_CHILDREN && r->n_params > 0; i++) {
        if (strlen(reg_children[i]->path) == n &&
            strncmp(reg_children[i]->path, p, n) == 0)
            c->e = reg_children[i];
    }
    if (!c->e->child) {
        c->id = r->n_params > 0 ? r->param[0] : 0;
        return KK_OK;
    }
    c->outlet = r->param[0];
    c->id = r->n_params > 1 ? r->param[1] : 0;
    err = reg_row_init(&row);
    if (err == KK_OK)
        err = reg_row_get(r, &reg_outlets, 0, c->outlet, &row);
    if (err == KK_OK) {
        snprintf(c->outlet_name, sizeof c->outlet_name, "%s",
                 reg_val(&row, reg_col_index(&reg_outlets, "name")));
        c->outlet_archived = row.archived_at != 0;
    }
    reg_row_free(&row);
    return err;
}

void reg_url_list(const struct reg_ctx *c, char *out, size_t cap)
{
    if (c->e->child)
        snprintf(out, cap, "/outlets/%lld/%s", (long long)c->outlet,
                 c->e->path);
    else
        snprintf(out, cap, "/outlets");
}

void reg_url_obj(const struct reg_ctx *c, int64_t id, char *out, size_t cap)
{
    if (c->e->child)
        snprintf(out, cap, "/outlets/%lld/%s/%lld", (long long)c->outlet,
                 c->e->path, (long long)id);
    else
        snprintf(out, cap, "/outlets/%lld/edit", (long long)id);
}

/* --- rows --- */

int reg_row_init(struct reg_row *row)
{
    memset(row, 0, sizeof *row);
    row->text = kk_buf_new((size_t)REG_COLS_MAX * (KK_HUB_FIELD_MAX + 1));
    return row->text != NULL ? KK_OK : KK_ERR_NOMEM;
}

void reg_row_free(struct reg_row *row)
{
    kk_buf_free(row->text);
    row->text = NULL;
}

const char *reg_val(const struct reg_row *row, size_t i)
{
    return (const char *)kk_buf_data(row->text) + row->off[i];
}

int reg_row_fill(sqlite3_stmt *st, const struct reg_entity *e,
                 struct reg_row *row)
{
    int err = KK_OK;
    kk_buf_reset(row->text);
    row->id = sqlite3_column_int64(st, 0);
    row->outlet = sqlite3_column_int64(st, 1);
    row->archived_at = sqlite3_column_int64(st, 2);
    for (size_t i = 0; i < e->n_cols && err == KK_OK; i++) {
        int c = REG_FIRST_COL + (int)i;
        row->off[i] = kk_buf_len(row->text);
        if (e->cols[i].type == HUB_F_BOOL)
            err = kk_buf_puts(row->text,
                              sqlite3_column_int(st, c) != 0 ? "1" : "");
        else
            err = kk_buf_puts(row->text, hub_col_text(st, c));
        if (err == KK_OK)
            err = kk_buf_putc(row->text, '\0');
    }
    return err;
}

sqlite3_stmt *reg_select(struct hub_req *r, const struct reg_entity *e,
                         int64_t outlet, int64_t id, bool all, int limit)
{
    sqlite3_stmt *st = hub_scoped(r, e->q_select);
    if (st == NULL)
        return NULL;
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_i64(st, ":id", id);
    hub_bind_i64(st, ":all", all ? 1 : 0);
    hub_bind_i64(st, ":limit", limit);
    hub_bind_i64(st, ":t", hub_now());
    return st;
}

int reg_row_get(struct hub_req *r, const struct reg_entity *e, int64_t outlet,
                int64_t id, struct reg_row *row)
{
    sqlite3_stmt *st = reg_select(r, e, outlet, id, true, 1);
    int err = KK_ERR_NOTFOUND, rc;
    if (st == NULL)
        return KK_ERR_IO;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        err = reg_row_fill(st, e, row);
    else if (rc != SQLITE_DONE)
        err = hub_sql_err(rc);
    sqlite3_reset(st);
    return err;
}

/* --- people and devices as choices and references --- */

static int opts_add(struct reg_opts *o, sqlite3_stmt *st)
{
    struct reg_opt *v;
    int err;
    if (o->n % 64 == 0) {
        v = realloc(o->v, (o->n + 64) * sizeof *v);
        if (v == NULL)
            return KK_ERR_NOMEM;
        o->v = v;
    }
    v = &o->v[o->n];
    v->id = sqlite3_column_int64(st, 0);
    v->archived = sqlite3_column_int(st, 2) != 0;
    v->label = kk_buf_len(o->text);
    err = kk_buf_put(o->text, hub_col_text(st, 1),
                     strlen(hub_col_text(st, 1)) + 1);
    v->csv = kk_buf_len(o->text);
    if (err == KK_OK)
        err = kk_buf_put(o->text, hub_col_text(st, 3),
                         strlen(hub_col_text(st, 3)) + 1);
    if (err == KK_OK)
        o->n++;
    return err;
}

int reg_opts_load(struct hub_req *r, int ref, int64_t outlet,
                  struct reg_opts *o)
{
    sqlite3_stmt *st;
    int err = KK_OK, rc;
    memset(o, 0, sizeof *o);
    o->text = kk_buf_new((size_t)REG_OPTS_MAX * 2 * (KK_HUB_NAME_MAX + 1));
    if (o->text == NULL)
        return KK_ERR_NOMEM;
    st = hub_scoped(r, ref == REG_REF_DEVICE ? HUB_Q_REG_OPTS_DEVICES
                                             : HUB_Q_REG_OPTS_PEOPLE);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_i64(st, ":limit", REG_OPTS_MAX);
    while (err == KK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        err = opts_add(o, st);
    sqlite3_reset(st);
    return err;
}

void reg_opts_free(struct reg_opts *o)
{
    free(o->v);
    kk_buf_free(o->text);
    memset(o, 0, sizeof *o);
}

const struct reg_opt *reg_opt_find(const struct reg_opts *o, int64_t id)
{
    for (size_t i = 0; i < o->n; i++) {
        if (o->v[i].id == id)
            return &o->v[i];
    }
    return NULL;
}

const char *reg_opt_text(const struct reg_opts *o, size_t off)
{
    return (const char *)kk_buf_data(o->text) + off;
}

int reg_ref_resolve(struct hub_req *r, int ref, int64_t outlet,
                    const char *text, int64_t *id)
{
    sqlite3_stmt *st = hub_scoped(
        r, ref == REG_REF_DEVICE ? HUB_Q_REG_REF_DEVICE : HUB_Q_REG_REF_PERSON);
    int64_t found = 0;
    int n = 0;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_text(st, ":ref", text);
    while (sqlite3_step(st) == SQLITE_ROW) {
        found = sqlite3_column_int64(st, 0);
        n++;
    }
    sqlite3_reset(st);
    if (n != 1)
        return KK_ERR_NOTFOUND;
    *id = found;
    return KK_OK;
}

/* --- licence keys --- */

#define DOTS "\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2"

/* Start of the last k UTF-8 characters of s[0..n). */
static size_t tail_start(const char *s, size_t n, size_t k)
{
    size_t i = n;
    while (i > 0 && k > 0) {
        i--;
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            k--;
    }
    return i;
}

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

void reg_key_mask(const char *key, char *out, size_t cap)
{
    bool masked;
    size_t n, keep, start;
    key += strspn(key, " ");
    masked = strncmp(key, DOTS, strlen(DOTS)) == 0;
    if (masked) /* an earlier mask: keep at most the characters shown */
        key += strlen(DOTS) + strspn(key + strlen(DOTS), "-");
    n = strlen(key);
    while (n > 0 && key[n - 1] == ' ')
        n--;
    keep = utf8_chars(key, n);
    keep = masked || keep >= 10 ? 5 : keep / 2;
    start = tail_start(key, n, keep);
    if (n == 0 && !masked)
        snprintf(out, cap, "%s", "");
    else
        snprintf(out, cap, "%s-%.*s", DOTS, (int)(n - start), key + start);
}

/* --- input --- */

static void input_bad(struct reg_input *in, const struct reg_col *col,
                      const char *why)
{
    if (in->bad == NULL) {
        in->bad = col->name;
        in->why = why;
    }
}

/* Whether an update leaves col as it is: staff change only their columns,
 * a JSON update only the keys it sends. */
static bool keeps(struct hub_req *r, const struct reg_col *col,
                  const struct reg_row *cur)
{
    if (cur == NULL)
        return false;
    if (r->who.role == HUB_ROLE_STAFF && !(col->flags & REG_STAFF))
        return true;
    return r->json != NULL &&
           hub_jv_get(hub_json_root(r->json), col->name) == NULL;
}

static int fields_read(struct hub_req *r, const struct reg_entity *e,
                       const struct reg_row *cur, struct reg_input *in)
{
    struct hub_field f[REG_COLS_MAX] = {{0}};
    const char *vals[REG_COLS_MAX] = {NULL};
    size_t map[REG_COLS_MAX], n = 0;
    const char *bad = NULL;
    int err;
    for (size_t i = 0; i < e->n_cols; i++) {
        const struct reg_col *col = &e->cols[i];
        if (col->flags & (REG_RO | REG_MULTI))
            continue;
        /* Required is checked after merging with the current row. */
        f[n] = (struct hub_field){
            col->name, col->type, false,
            col->min,  col->max,  col->en != NULL ? col->en->from_name : NULL};
        map[n++] = i;
    }
    err = hub_fields_read(r, f, n, vals, &bad);
    if (err != KK_OK) {
        in->bad = bad;
        in->why = "Not valid.";
        /* A form shown again keeps what was typed. */
        for (size_t k = 0; k < n && r->json == NULL; k++)
            in->val[map[k]] = hub_form_get(r->form, f[k].name) != NULL
                                  ? hub_form_get(r->form, f[k].name)
                                  : "";
        return err;
    }
    for (size_t k = 0; k < n; k++) {
        const struct reg_col *col = &e->cols[map[k]];
        const char *v = vals[k];
        if (keeps(r, col, cur) ||
            (v[0] == '\0' && cur != NULL && (col->flags & REG_MASK)))
            v = reg_val(cur, map[k]);
        else if (v[0] == '\0' && col->def != NULL)
            v = col->def;
        in->val[map[k]] = v;
    }
    return KK_OK;
}

/* A reference must name a live object of the outlet, unless the object
 * already had it. */
static void ref_check(struct hub_req *r, const struct reg_col *col,
                      int64_t outlet, const char *v, bool had,
                      struct reg_input *in)
{
    int64_t want = 0, got = 0;
    if (had)
        return;
    if (kk_parse_i64(v, 1, INT64_MAX, &want) != KK_OK ||
        reg_ref_resolve(r, col->ref, outlet, v, &got) != KK_OK || got != want)
        input_bad(in, col,
                  col->ref == REG_REF_DEVICE ? "Not a device of this outlet."
                                             : "Not a person of this outlet.");
}

static void values_check(struct hub_req *r, const struct reg_entity *e,
                         int64_t outlet, const struct reg_row *cur,
                         struct reg_input *in)
{
    for (size_t i = 0; i < e->n_cols; i++) {
        const struct reg_col *col = &e->cols[i];
        const char *v = in->val[i];
        if (v == NULL)
            continue;
        if (v[0] == '\0') {
            if (col->required)
                input_bad(in, col, "Required.");
            continue;
        }
        if (col->check != NULL && !col->check(v))
            input_bad(in, col, "Not valid.");
        if (col->ref != REG_REF_NONE)
            ref_check(r, col, outlet, v,
                      cur != NULL && strcmp(v, reg_val(cur, i)) == 0, in);
        if (col->flags & REG_MASK) {
            reg_key_mask(v, in->masked, sizeof in->masked);
            in->val[i] = in->masked;
        }
    }
}

bool reg_ids_next(const char **p, int64_t *id)
{
    char num[24];
    size_t n;
    while (**p != '\0') {
        n = strcspn(*p, ",");
        snprintf(num, sizeof num, "%.*s", (int)(n < 23 ? n : 23), *p);
        *p += n + ((*p)[n] == ',');
        if (kk_parse_i64(num, 1, INT64_MAX, id) == KK_OK)
            return true;
    }
    return false;
}

bool reg_ids_has(const char *list, int64_t id)
{
    int64_t x;
    while (reg_ids_next(&list, &x)) {
        if (x == id)
            return true;
    }
    return false;
}

static int admin_push(struct reg_input *in, int64_t id)
{
    if (id <= 0)
        return KK_ERR_INVAL;
    for (size_t i = 0; i < in->n_admins; i++) {
        if (in->admins[i] == id)
            return KK_OK;
    }
    if (in->n_admins >= REG_ADMINS_MAX)
        return KK_ERR_LIMIT;
    in->admins[in->n_admins++] = id;
    return KK_OK;
}

static int admin_push_text(struct reg_input *in, const char *s)
{
    int64_t id;
    int err = kk_parse_i64(s != NULL ? s : "", 1, INT64_MAX, &id);
    return err == KK_OK ? admin_push(in, id) : err;
}

/* Admins come as a JSON array of ids or repeated form fields. */
static int admins_collect(struct hub_req *r, const char *key,
                          struct reg_input *in)
{
    const struct hub_jv *a;
    int err = KK_OK;
    if (r->json == NULL) {
        for (size_t i = 0; i < hub_form_count_of(r->form, key) && !err; i++)
            err = admin_push_text(in, hub_form_get_nth(r->form, key, i));
        return err;
    }
    a = hub_jv_get(hub_json_root(r->json), key);
    if (hub_jv_type(a) == HUB_JSON_NULL)
        return KK_OK;
    if (hub_jv_type(a) != HUB_JSON_ARRAY)
        return KK_ERR_INVAL;
    for (size_t i = 0; i < hub_jv_len(a) && err == KK_OK; i++) {
        const struct hub_jv *v = hub_jv_at(a, i);
        int64_t id = 0;
        if (hub_jv_type(v) == HUB_JSON_STRING)
            err = admin_push_text(in, hub_jv_str(v));
        else if ((err = hub_jv_i64(v, &id)) == KK_OK)
            err = admin_push(in, id);
    }
    return err;
}

static void admins_read(struct hub_req *r, const struct reg_col *col,
                        int64_t outlet, const char *was, struct reg_input *in)
{
    char num[24];
    if (r->who.role == HUB_ROLE_STAFF ||
        (r->json != NULL && was != NULL &&
         hub_jv_get(hub_json_root(r->json), col->name) == NULL))
        return;
    in->admins_set = true;
    if (admins_collect(r, col->name, in) != KK_OK) {
        input_bad(in, col, "Not valid.");
        return;
    }
    for (size_t k = 0; k < in->n_admins; k++) {
        snprintf(num, sizeof num, "%lld", (long long)in->admins[k]);
        ref_check(r, col, outlet, num,
                  was != NULL && reg_ids_has(was, in->admins[k]), in);
    }
}

int reg_input_read(struct hub_req *r, const struct reg_entity *e,
                   int64_t outlet, const struct reg_row *cur,
                   struct reg_input *in)
{
    int err;
    memset(in, 0, sizeof *in);
    err = fields_read(r, e, cur, in);
    if (err != KK_OK)
        return err;
    values_check(r, e, outlet, cur, in);
    for (size_t i = 0; i < e->n_cols; i++) {
        if (e->cols[i].flags & REG_MULTI)
            admins_read(r, &e->cols[i], outlet,
                        cur != NULL ? reg_val(cur, i) : NULL, in);
    }
    if (in->bad == NULL && e->check != NULL)
        err = e->check(r, e, in);
    return in->bad != NULL ? KK_ERR_INVAL : err;
}

/* --- accounts: kind, owner, admins and the 2FA method --- */

static int accounts_check(struct hub_req *r, const struct reg_entity *e,
                          struct reg_input *in)
{
    size_t pf = reg_col_index(e, "platform"), kind = reg_col_index(e, "kind");
    size_t owner = reg_col_index(e, "owner");
    (void)r;
    if (in->val[kind][0] == '\0')
        in->val[kind] =
            hub_platform_personal(hub_platform_from_name(in->val[pf]))
                ? "personal"
                : "org";
    if (strcmp(in->val[kind], "personal") != 0)
        return KK_OK;
    if (in->val[owner][0] == '\0')
        input_bad(in, &e->cols[owner], "Required for a personal account.");
    else if (in->admins_set && in->n_admins > 0)
        input_bad(in, &e->cols[reg_col_index(e, "admins")],
                  "Only organisational accounts have admins.");
    return in->bad != NULL ? KK_ERR_INVAL : KK_OK;
}

static int admin_change(struct hub_req *r, enum hub_q q, int64_t outlet,
                        int64_t account, int64_t person)
{
    sqlite3_stmt *st = hub_scoped(r, q);
    int err;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":id", account);
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_i64(st, ":person", person);
    err = hub_exec(st);
    /* Adding someone who is not a live person of the outlet adds nothing. */
    if (err == KK_OK && q == HUB_Q_REG_ADMIN_ADD &&
        sqlite3_changes(r->db->db) == 0)
        err = KK_ERR_INVAL;
    return err;
}

/* Changes the admins from the list was to in->admins. */
static int admins_store(struct hub_req *r, int64_t outlet, int64_t account,
                        const char *was, const struct reg_input *in)
{
    const char *p = was;
    int64_t id;
    bool keep;
    int err = KK_OK;
    while (err == KK_OK && reg_ids_next(&p, &id)) {
        keep = false;
        for (size_t i = 0; i < in->n_admins; i++)
            keep = keep || in->admins[i] == id;
        if (!keep)
            err = admin_change(r, HUB_Q_REG_ADMIN_DEL, outlet, account, id);
    }
    for (size_t i = 0; i < in->n_admins && err == KK_OK; i++) {
        if (!reg_ids_has(was, in->admins[i]))
            err = admin_change(r, HUB_Q_REG_ADMIN_ADD, outlet, account,
                               in->admins[i]);
    }
    return err;
}

/* Appends an observation of the account's 2FA method if it changed: pass
 * for app, push, key or passkey, partial for SMS, fail for none. */
static int tfa_record(struct hub_req *r, int64_t outlet, int64_t account,
                      const char *platform, const char *was, const char *method)
{
    int m = hub_tfa_from_name(method);
    const char *control =
        hub_platform_control(hub_platform_from_name(platform));
    const struct hub_control *ctl =
        hub_catalogue_find(hub_catalogue_builtin(), control);
    int64_t now = hub_now();
    sqlite3_stmt *st;
    char detail[64];
    int err;
    if (m == 0 || control == NULL)
        return KK_ERR_INVAL;
    if (strcmp(was, method) == 0)
        return KK_OK;
    st = hub_scoped(r, HUB_Q_OBS_INSERT);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_text(st, ":stype", "account");
    hub_bind_i64(st, ":sid", account);
    hub_bind_text(st, ":control", control);
    hub_bind_text(st, ":status",
                  hub_tfa_strong(m)  ? "pass"
                  : m == HUB_TFA_SMS ? "partial"
                                     : "fail");
    hub_bind_text(st, ":value", method);
    hub_bind_text(st, ":source", "manual");
    hub_bind_text(st, ":note", "");
    hub_bind_i64(st, ":at", now);
    /* Like every manual observation, it goes stale after the control's
     * limit and has to be confirmed again. */
    if (ctl != NULL)
        hub_bind_i64(st, ":expires", now + (int64_t)ctl->stale_days * 86400);
    else
        hub_bind_null(st, ":expires");
    err = hub_exec(st);
    if (err == KK_OK && sqlite3_changes(r->db->db) == 0)
        err = KK_ERR_NOTFOUND;
    if (err == KK_OK) {
        snprintf(detail, sizeof detail, "%lld %s", (long long)account, method);
        hub_audit(r, outlet, "tfa", "account", detail);
    }
    return err;
}

static int accounts_after(struct hub_req *r, const struct reg_entity *e,
                          int64_t outlet, int64_t id,
                          const struct reg_input *in, const struct reg_row *cur)
{
    size_t ai = reg_col_index(e, "admins"), ti = reg_col_index(e, "tfa");
    size_t pi = reg_col_index(e, "platform");
    int err = KK_OK;
    if (in->admins_set)
        err = admins_store(r, outlet, id, cur != NULL ? reg_val(cur, ai) : "",
                           in);
    if (err == KK_OK && in->val[ti][0] != '\0')
        err = tfa_record(r, outlet, id, in->val[pi],
                         cur != NULL ? reg_val(cur, ti) : "", in->val[ti]);
    return err;
}

int reg_tfa_set(struct hub_req *r, const struct reg_row *account,
                const char *method)
{
    const struct reg_entity *e = &reg_accounts;
    return tfa_record(r, account->outlet, account->id,
                      reg_val(account, reg_col_index(e, "platform")),
                      reg_val(account, reg_col_index(e, "tfa")), method);
}

/* --- writing --- */

static void bind_col(sqlite3_stmt *st, const struct reg_col *col, const char *v)
{
    int64_t x;
    if (col->type == HUB_F_BOOL) {
        hub_bind_i64(st, col->param, v[0] != '\0' ? 1 : 0);
    } else if (col->type != HUB_F_INT && col->type != HUB_F_ID) {
        hub_bind_text(st, col->param, v);
    } else if (kk_parse_i64(v, INT64_MIN, INT64_MAX, &x) == KK_OK) {
        hub_bind_i64(st, col->param, x);
    } else {
        hub_bind_null(st, col->param);
    }
}

static void audit_obj(struct hub_req *r, const struct reg_entity *e,
                      int64_t outlet, const char *action, int64_t id)
{
    char detail[24];
    snprintf(detail, sizeof detail, "%lld", (long long)id);
    hub_audit(r, e->child ? outlet : id, action, e->object, detail);
}

int reg_write(struct hub_req *r, const struct reg_entity *e, int64_t outlet,
              const struct reg_row *cur, struct reg_input *in, int64_t *id)
{
    int64_t oid = cur != NULL ? cur->id : 0;
    sqlite3_stmt *st;
    int err = cur != NULL ? KK_OK : hub_new_id(&oid);
    if (err != KK_OK)
        return err;
    st = hub_scoped(r, cur != NULL ? e->q_update : e->q_insert);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":id", oid);
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_i64(st, ":now", hub_now());
    for (size_t i = 0; i < e->n_cols; i++) {
        if (!(e->cols[i].flags & (REG_RO | REG_EXTRA | REG_MULTI)))
            bind_col(st, &e->cols[i], in->val[i]);
    }
    err = hub_exec(st);
    if (err == KK_OK && sqlite3_changes(r->db->db) == 0)
        err = KK_ERR_NOTFOUND;
    for (size_t i = 0; err == KK_ERR_EXISTS && i < e->n_cols; i++) {
        if (e->cols[i].flags & REG_UNIQUE)
            input_bad(in, &e->cols[i], "Already used by another outlet.");
    }
    if (err == KK_OK && e->after != NULL)
        err = e->after(r, e, outlet, oid, in, cur);
    if (err == KK_OK) {
        audit_obj(r, e, outlet, cur != NULL ? "update" : "create", oid);
        *id = oid;
    }
    return err;
}

int reg_archive(struct hub_req *r, const struct reg_entity *e, int64_t outlet,
                int64_t id)
{
    sqlite3_stmt *st = hub_scoped(r, e->q_archive);
    int err;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":id", id);
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_i64(st, ":now", hub_now());
    err = hub_exec(st);
    if (err == KK_OK && sqlite3_changes(r->db->db) == 0)
        err = KK_ERR_NOTFOUND;
    if (err == KK_OK)
        audit_obj(r, e, outlet, "archive", id);
    return err;
}
