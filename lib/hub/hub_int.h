/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hub_int.h - what the files of lib/hub share: connections and prepared
 * statements, the request/response of one HTTP exchange, the route tables,
 * page and JSON writers.
 *
 * The data-access rule: every SQL statement lives in a lib/hub/sql_*.h
 * table; statements that touch outlet data are flagged HUB_SQL_SCOPED and
 * contain the caller's scope (user_scope view), and are only ever run
 * through hub_scoped(), which binds :uid (the caller) and :pid (the staff
 * member's own person, or 0).  tests/unit/hub/test_scope.c checks every
 * statement of the table against this rule.
 */
#ifndef KALKAN_HUB_INT_H
#define KALKAN_HUB_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kalkan/hub.h"
#include "kalkan/kk.h"
#include "kalkan/limits.h"
#include "parse.h"

/* --- SQL --- */

/* The caller's scope, pasted into scoped statements. */
#define HUB_SCOPE(col)                                                         \
    "(" col " IN (SELECT outlet_id FROM user_scope WHERE user_id = :uid))"
/* A staff member sees only rows about their own person (:pid); others
 * bind :pid = 0. */
#define HUB_SELF(col) "(:pid = 0 OR " col " = :pid)"

enum hub_sql_flag {
    HUB_SQL_SYSTEM = 0,    /* not about outlet data, or run by the system */
    HUB_SQL_SCOPED = 1,    /* outlet data: must go through hub_scoped() */
    HUB_SQL_AGGREGATE = 2, /* programme-wide counts: hub_aggregate() */
};

#define HUB_SQL(name, flag, text) name,
enum hub_q {
#include "sql_all.h"
    HUB_Q_COUNT
};
#undef HUB_SQL

extern const char *const hub_sql_text[HUB_Q_COUNT];
extern const int hub_sql_flags[HUB_Q_COUNT];
extern const char *const hub_sql_names[HUB_Q_COUNT];

struct hub_conn {
    sqlite3 *db;
    struct hub_db *owner;
    sqlite3_stmt *st[HUB_Q_COUNT];
    bool dirty;            /* changed outlet data in the open transaction */
    int64_t data_version;  /* PRAGMA data_version last seen */
    struct hub_conn *next; /* in owner's list */
};

struct hub_db {
    char *path;
    uint8_t key[32]; /* seals TOTP secrets */
    int version;
    struct hub_conn *conns; /* every connection opened, for close */
    void *lock;             /* pthread_mutex_t, guards conns */
};

/* The calling thread's connection to db, opened on first use. */
KK_WUR int hub_conn_get(struct hub_db *db, struct hub_conn **out);
/* Opens a fresh connection with the hub's pragmas (for tools and tests). */
KK_WUR int hub_conn_open(const char *path, sqlite3 **out, struct kk_diag *d);
/* Statement q, reset and with bindings cleared; NULL on failure. */
sqlite3_stmt *hub_q(struct hub_conn *c, enum hub_q q);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
KK_WUR int hub_tx_begin(struct hub_conn *c);
KK_WUR int hub_tx_commit(struct hub_conn *c);
void hub_tx_rollback(struct hub_conn *c);
/* Maps a sqlite3 result code to enum kk_err (CONSTRAINT -> KK_ERR_EXISTS
 * for UNIQUE, KK_ERR_INVAL for others; BUSY -> KK_ERR_BUSY). */
int hub_sql_err(int rc);
/* Steps a statement that returns no rows: KK_OK on SQLITE_DONE. */
KK_WUR int hub_exec(sqlite3_stmt *st);
/* Binds by name (":name"); a name the statement lacks is ignored, so a
 * helper can bind more than a statement uses.  Text is copied. */
void hub_bind_text(sqlite3_stmt *st, const char *name, const char *v);
void hub_bind_i64(sqlite3_stmt *st, const char *name, int64_t v);
void hub_bind_null(sqlite3_stmt *st, const char *name);
void hub_bind_blob(sqlite3_stmt *st, const char *name, const void *p, size_t n);
/* Column text, "" for NULL. */
const char *hub_col_text(sqlite3_stmt *st, int i);
/* The data generation: a number that changes after every committed change
 * of outlet data, by this process (update and WAL hooks) or another one
 * (PRAGMA data_version).  Caches of derived figures key on it. */
uint64_t hub_data_generation(struct hub_conn *c);

/* A random id in [2^40, 2^53). */
KK_WUR int hub_new_id(int64_t *out);
/* Unix time now (overridable with KALKAN_HUB_NOW for tests). */
int64_t hub_now(void);

/* --- the caller --- */

struct hub_caller {
    int64_t user_id; /* 0: anonymous */
    int role;        /* enum hub_role, 0 anonymous */
    int64_t person_id;
    int64_t device_id; /* a token bound to one device */
    int64_t outlet_id; /* first assigned outlet (focal, staff), or 0 */
    bool token;        /* authenticated by a bearer token */
    char email[KK_HUB_NAME_MAX + 1];
};

/* --- one HTTP exchange --- */

enum hub_method {
    HUB_GET = 1,
    HUB_POST = 2,
};

#define HUB_PARAMS_MAX 4
#define HUB_HEADERS_MAX 6

struct hub_server;

struct hub_req {
    struct hub_server *srv;
    void *mhd; /* struct MHD_Connection */
    struct hub_conn *db;
    int method;
    const char *path;
    struct hub_form *query; /* never NULL once dispatched */
    struct hub_form *form;  /* urlencoded body, or empty */
    struct hub_json *json;  /* JSON body, or NULL */
    const char *body;
    size_t body_len;
    int64_t param[HUB_PARAMS_MAX]; /* {id} segments of the route */
    size_t n_params;
    struct hub_caller who;
    uint8_t session[32]; /* hash of the session id, if any */
    int stage;           /* session stage: 1 password ok, 2 full */
    char csrf[48];       /* the session's CSRF token */
    int lang;            /* enum hub_lang */
    char ip[64];
    bool api;    /* under /api/: JSON errors */
    bool secure; /* Secure cookies + HSTS */
    /* Response. */
    int status;
    const char *ctype;
    struct kk_buf *out;
    char *hdr_name[HUB_HEADERS_MAX];
    char *hdr_value[HUB_HEADERS_MAX];
    size_t n_hdr;
    int err; /* first output error; the dispatcher answers 500 */
};

/* Request header value, or NULL. */
const char *hub_header(struct hub_req *r, const char *name);
/* Adds a response header (copied). */
void hub_set_header(struct hub_req *r, const char *name, const char *value);
/* 303 See Other to a local path. */
void hub_redirect(struct hub_req *r, const char *path);
/* Sets an error answer: JSON {"error":{code,message}} for the API, a page
 * otherwise.  status 404 always has the same body. */
void hub_fail(struct hub_req *r, int status, const char *code,
              const char *message);
/* Maps kk_err to an answer (NOTFOUND 404, PERM 403, INVAL/RANGE 400,
 * EXISTS 409, THROTTLED 429, others 500). */
void hub_fail_err(struct hub_req *r, int err, const char *message);

/* --- writing output (errors are kept in r->err) --- */

void hub_raw(struct hub_req *r, const char *html);
void hub_rawf(struct hub_req *r, const char *fmt, ...) KK_PRINTF(2, 3);
/* Escaped text. */
void hub_esc(struct hub_req *r, const char *text);
/* Translated and escaped. */
void hub_t(struct hub_req *r, const char *msgid);
/* <tag class="cls">msgid</tag>, msgid translated and escaped; cls may be
 * NULL. */
void hub_say(struct hub_req *r, const char *tag, const char *cls,
             const char *msgid);
/* Translation without escaping (for attributes, pass to hub_esc). */
const char *hub_tr_r(struct hub_req *r, const char *msgid);

/* Page frame: <!doctype>, head, navigation for the caller's role,
 * language switch; title is an English msgid. */
void hub_page_begin(struct hub_req *r, const char *title);
void hub_page_end(struct hub_req *r);
/* The outlet's tab bar (overview, matrix, register, changes), with the
 * tabs the caller's role may open; current is the tab's path suffix ("",
 * "/people", ...). */
void hub_outlet_tabs(struct hub_req *r, int64_t id, const char *current);
/* <input type=hidden name=csrf>. */
void hub_csrf_field(struct hub_req *r);

/* JSON writer on r->out. */
struct hub_jw {
    struct hub_req *r;
    int depth;
    bool first[KK_HUB_JSON_DEPTH_MAX];
};
void hub_jw_begin(struct hub_jw *w, struct hub_req *r); /* '{' */
void hub_jw_end(struct hub_jw *w);                      /* '}' */
void hub_jw_key(struct hub_jw *w, const char *key);
void hub_jw_obj(struct hub_jw *w);           /* '{' as a value */
void hub_jw_arr(struct hub_jw *w);           /* '[' as a value */
void hub_jw_close(struct hub_jw *w, char c); /* ']' or '}' */
void hub_jw_str(struct hub_jw *w, const char *key, const char *v);
void hub_jw_int(struct hub_jw *w, const char *key, int64_t v);
void hub_jw_bool(struct hub_jw *w, const char *key, bool v);
void hub_jw_null(struct hub_jw *w, const char *key);
/* key NULL writes an array element. */

/* --- routes --- */

enum hub_route_flag {
    HUB_R_PUBLIC = 1 << 0,  /* no login needed */
    HUB_R_PENDING = 1 << 1, /* password ok, second factor still due */
    HUB_R_API = 1 << 2,     /* JSON answers, bearer tokens accepted */
    HUB_R_NOCSRF = 1 << 3,  /* POST without a session CSRF token (login) */
    HUB_R_UPLOAD = 1 << 4,  /* body up to KK_HUB_UPLOAD_MAX */
};

#define HUB_ROLEBIT(role) (1u << (role))
#define HUB_ROLES_ALL 0xFEu
#define HUB_ROLES_PEOPLE                                                       \
    (HUB_ROLEBIT(HUB_ROLE_TRAINER) | HUB_ROLEBIT(HUB_ROLE_ASSISTANT) |         \
     HUB_ROLEBIT(HUB_ROLE_FOCAL) | HUB_ROLEBIT(HUB_ROLE_STAFF))
#define HUB_ROLES_MANAGE                                                       \
    (HUB_ROLEBIT(HUB_ROLE_TRAINER) | HUB_ROLEBIT(HUB_ROLE_ASSISTANT) |         \
     HUB_ROLEBIT(HUB_ROLE_FOCAL))

struct hub_route {
    int method;
    const char *pattern; /* "/outlets/{id}/people"; {id} = a decimal id */
    unsigned flags;
    unsigned roles; /* HUB_ROLEBIT mask; ignored for HUB_R_PUBLIC */
    int (*fn)(struct hub_req *r);
};

/* Route tables, each ended by a {0} entry. */
extern const struct hub_route hub_routes_auth[];
extern const struct hub_route hub_routes_pages[];
extern const struct hub_route hub_routes_register[];
extern const struct hub_route hub_routes_api[];

/* Binds :uid and :pid for r's caller and returns the scoped statement q
 * (NULL on failure, r->err set).  The only way to run a HUB_SQL_SCOPED
 * statement. */
sqlite3_stmt *hub_scoped(struct hub_req *r, enum hub_q q);

/* Returns aggregate statement q (HUB_SQL_AGGREGATE) for trainers and
 * donors, whose pages show only counts of at least HUB_K_MIN people; NULL
 * (r->err set to KK_ERR_PERM) for every other role. */
sqlite3_stmt *hub_aggregate(struct hub_req *r, enum hub_q q);
#define HUB_K_MIN 5

/* The key part that says whose view a cached figure or fragment is: -1
 * for trainers (every outlet), -2 for donors (programme counts), else the
 * user (their outlets or own records). */
int64_t hub_cache_scope(const struct hub_req *r);
/* Appends the cached fragment (kind, outlet) of r's scope and language to
 * r->out if it was stored at data generation gen; false otherwise. */
bool hub_frag_emit(struct hub_req *r, const char *kind, int64_t outlet,
                   uint64_t gen);
/* Stores what r->out holds from offset from as that fragment (unless an
 * output error happened).  Thread-safe. */
void hub_frag_store(struct hub_req *r, const char *kind, int64_t outlet,
                    uint64_t gen, size_t from);

/* Appends to the audit log (outlet_id 0 = programme level). */
void hub_audit(struct hub_req *r, int64_t outlet_id, const char *action,
               const char *object, const char *detail);

/* Declared fields: a handler validates input against a table. */
enum hub_field_type {
    HUB_F_TEXT = 1, /* UTF-8, 0..max bytes, no control characters */
    HUB_F_INT,      /* decimal integer within [min, max] */
    HUB_F_DATE,     /* YYYY-MM-DD or empty */
    HUB_F_ENUM,     /* one of a model.h name set (from_name != 0) */
    HUB_F_ID,       /* an id (>0) or empty */
    HUB_F_BOOL,     /* "1"/"on"/"true" or absent */
    HUB_F_EMAIL,    /* local@domain, or empty */
};

struct hub_field {
    const char *name;
    int type;
    bool required;
    int64_t min, max; /* INT: value range; TEXT: max bytes in max */
    int (*from_name)(const char *); /* ENUM */
};

/* Reads fields from the form or (when r->json) the JSON body into vals
 * (vals[i] is "" when absent); on the first invalid field sets *bad to
 * its name and returns KK_ERR_INVAL.  Unknown keys are ignored. */
KK_WUR int hub_fields_read(struct hub_req *r, const struct hub_field *f,
                           size_t n, const char **vals, const char **bad);

/* --- sessions, logins (auth.c) --- */

/* Resolves the caller from the session cookie or bearer token. */
KK_WUR int hub_auth_resolve(struct hub_req *r);
/* Checks the CSRF token of a cookie-authenticated state change. */
bool hub_csrf_ok(struct hub_req *r);

#endif
