/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * http.c - the hub's HTTP server on libmicrohttpd: request bodies, routing,
 * who is calling, CSRF, security headers, error answers.
 *
 * libmicrohttpd runs a pool of worker threads, each with its own epoll
 * loop; a handler runs to completion on its worker with that thread's
 * SQLite connection.  Bodies are collected up to a route-independent cap
 * (KK_HUB_BODY_MAX, or KK_HUB_UPLOAD_MAX for CSV imports) and refused with
 * 413 as soon as Content-Length or the data received says they are larger.
 * Every answer carries the same security headers; pages get a strict
 * Content-Security-Policy with no inline script or style at all (there is
 * no script).  Not found and forbidden-by-scope give one identical answer,
 * produced in one place (hub_fail with 404).
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "assets.h"
#include "auth.h"
#include "i18n.h"
#include "model.h"
#include "programme.h"

struct hub_server {
    struct MHD_Daemon *mhd;
    struct hub_db *db;
    bool secure;
    unsigned port;
    char *base_url;
    struct hub_housekeeping *hk;
};

struct conn_ctx {
    struct kk_buf *body;
    size_t limit;
    bool too_big;
};

static const char csp[] =
    "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

static const struct hub_route *const route_tables[] = {
    hub_routes_auth,     hub_routes_pages,     hub_routes_register,
    hub_routes_api,      hub_routes_selection, hub_routes_assess,
    hub_routes_training, hub_routes_incident,  hub_routes_remind,
    hub_routes_report,   hub_routes_site,      hub_routes_guard,
};

/* --- output --- */

void hub_raw(struct hub_req *r, const char *html)
{
    if (r->err == KK_OK)
        r->err = kk_buf_puts(r->out, html);
}

void hub_rawf(struct hub_req *r, const char *fmt, ...)
{
    va_list ap;
    char tmp[1024];
    int n;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        if (r->err == KK_OK)
            r->err = KK_ERR_TRUNC;
        return;
    }
    hub_raw(r, tmp);
}

void hub_esc(struct hub_req *r, const char *text)
{
    const char *p = text != NULL ? text : "";
    while (*p != '\0' && r->err == KK_OK) {
        size_t run = strcspn(p, "&<>\"'");
        if (run > 0)
            r->err = kk_buf_put(r->out, p, run);
        p += run;
        if (*p == '\0' || r->err != KK_OK)
            break;
        switch (*p) {
        case '&':
            r->err = kk_buf_puts(r->out, "&amp;");
            break;
        case '<':
            r->err = kk_buf_puts(r->out, "&lt;");
            break;
        case '>':
            r->err = kk_buf_puts(r->out, "&gt;");
            break;
        case '"':
            r->err = kk_buf_puts(r->out, "&quot;");
            break;
        default:
            r->err = kk_buf_puts(r->out, "&#39;");
            break;
        }
        p++;
    }
}

const char *hub_tr_r(struct hub_req *r, const char *msgid)
{
    return hub_tr(r->lang, msgid);
}

void hub_t(struct hub_req *r, const char *msgid)
{
    hub_esc(r, hub_tr(r->lang, msgid));
}

void hub_say(struct hub_req *r, const char *tag, const char *cls,
             const char *msgid)
{
    if (cls != NULL)
        hub_rawf(r, "<%s class=\"%s\">", tag, cls);
    else
        hub_rawf(r, "<%s>", tag);
    hub_t(r, msgid);
    hub_rawf(r, "</%s>", tag);
}

void hub_csrf_field(struct hub_req *r)
{
    hub_raw(r, "<input type=\"hidden\" name=\"csrf\" value=\"");
    hub_esc(r, r->csrf);
    hub_raw(r, "\">");
}

/* --- JSON writer --- */

static void jw_sep(struct hub_jw *w)
{
    if (w->depth <= 0)
        return;
    if (!w->first[w->depth - 1])
        hub_raw(w->r, ",");
    w->first[w->depth - 1] = false;
}

static void jw_open(struct hub_jw *w, const char *c)
{
    hub_raw(w->r, c);
    if (w->depth >= KK_HUB_JSON_DEPTH_MAX) {
        w->r->err = KK_ERR_LIMIT;
        return;
    }
    w->first[w->depth++] = true;
}

void hub_jw_begin(struct hub_jw *w, struct hub_req *r)
{
    memset(w, 0, sizeof *w);
    w->r = r;
    r->ctype = "application/json";
    jw_open(w, "{");
}

void hub_jw_end(struct hub_jw *w)
{
    hub_jw_close(w, '}');
}

void hub_jw_key(struct hub_jw *w, const char *key)
{
    jw_sep(w);
    if (key != NULL) {
        if (w->r->err == KK_OK)
            w->r->err = kk_json_str(w->r->out, key);
        hub_raw(w->r, ":");
    }
}

void hub_jw_obj(struct hub_jw *w)
{
    jw_open(w, "{");
}

void hub_jw_arr(struct hub_jw *w)
{
    jw_open(w, "[");
}

void hub_jw_close(struct hub_jw *w, char c)
{
    char s[2] = {c, '\0'};
    if (w->depth > 0)
        w->depth--;
    hub_raw(w->r, s);
}

void hub_jw_str(struct hub_jw *w, const char *key, const char *v)
{
    hub_jw_key(w, key);
    if (w->r->err == KK_OK)
        w->r->err = kk_json_str(w->r->out, v != NULL ? v : "");
}

void hub_jw_int(struct hub_jw *w, const char *key, int64_t v)
{
    hub_jw_key(w, key);
    hub_rawf(w->r, "%lld", (long long)v);
}

void hub_jw_bool(struct hub_jw *w, const char *key, bool v)
{
    hub_jw_key(w, key);
    hub_raw(w->r, v ? "true" : "false");
}

void hub_jw_null(struct hub_jw *w, const char *key)
{
    hub_jw_key(w, key);
    hub_raw(w->r, "null");
}

/* --- headers, errors --- */

const char *hub_header(struct hub_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->mhd, MHD_HEADER_KIND, name);
}

void hub_set_header(struct hub_req *r, const char *name, const char *value)
{
    char *n, *v;
    if (r->n_hdr >= HUB_HEADERS_MAX) {
        r->err = KK_ERR_LIMIT;
        return;
    }
    n = strdup(name);
    v = strdup(value);
    if (n == NULL || v == NULL) {
        free(n);
        free(v);
        r->err = KK_ERR_NOMEM;
        return;
    }
    r->hdr_name[r->n_hdr] = n;
    r->hdr_value[r->n_hdr] = v;
    r->n_hdr++;
}

void hub_redirect(struct hub_req *r, const char *path)
{
    r->status = 303;
    /* Local paths only: no open redirect. */
    hub_set_header(r, "Location",
                   path[0] == '/' && path[1] != '/' && path[1] != '\\' ? path
                                                                       : "/");
}

void hub_fail(struct hub_req *r, int status, const char *code,
              const char *message)
{
    kk_buf_reset(r->out);
    r->err = KK_OK;
    r->status = status;
    for (size_t i = 0; i < r->n_hdr; i++) {
        free(r->hdr_name[i]);
        free(r->hdr_value[i]);
    }
    r->n_hdr = 0;
    if (status == 404) {
        /* One answer for "absent" and "not yours". */
        code = "not_found";
        message = "No such object.";
    }
    if (r->api) {
        struct hub_jw w;
        hub_jw_begin(&w, r);
        hub_jw_key(&w, "error");
        hub_jw_obj(&w);
        hub_jw_str(&w, "code", code);
        hub_jw_str(&w, "message", message);
        hub_jw_close(&w, '}');
        hub_jw_end(&w);
        return;
    }
    r->ctype = "text/html; charset=utf-8";
    hub_page_begin(r, status == 404 ? "Not found" : "Something went wrong");
    hub_raw(r, "<p class=\"kk-error\">");
    hub_t(r, message);
    hub_raw(r, "</p><p><a href=\"/\">");
    hub_t(r, "Back to the start page");
    hub_raw(r, "</a></p>");
    hub_page_end(r);
}

void hub_fail_err(struct hub_req *r, int err, const char *message)
{
    switch (err) {
    case KK_ERR_NOTFOUND:
        hub_fail(r, 404, "not_found", "No such object.");
        break;
    case KK_ERR_PERM:
        hub_fail(r, 403, "forbidden",
                 message != NULL ? message : "You may not do this.");
        break;
    case KK_ERR_INVAL:
    case KK_ERR_RANGE:
        hub_fail(r, 400, "invalid",
                 message != NULL ? message : "The request is not valid.");
        break;
    case KK_ERR_EXISTS:
        hub_fail(r, 409, "exists",
                 message != NULL ? message : "This already exists.");
        break;
    case KK_ERR_THROTTLED:
        hub_fail(r, 429, "throttled",
                 "Too many attempts. Wait a few minutes and try again.");
        break;
    case KK_ERR_LIMIT:
        hub_fail(r, 413, "too_large", "The request is too large.");
        break;
    default:
        hub_fail(r, 500, "internal", "The hub could not do this.");
        break;
    }
}

/* --- scoped statements and audit --- */

sqlite3_stmt *hub_scoped(struct hub_req *r, enum hub_q q)
{
    sqlite3_stmt *st = hub_q(r->db, q);
    int64_t pid = 0;
    if (st == NULL) {
        r->err = KK_ERR_IO;
        return NULL;
    }
    if (r->who.role == HUB_ROLE_STAFF)
        pid = r->who.person_id != 0 ? r->who.person_id : -1;
    hub_bind_i64(st, ":uid", r->who.user_id);
    hub_bind_i64(st, ":pid", pid);
    hub_bind_i64(st, ":device", r->who.device_id);
    return st;
}

sqlite3_stmt *hub_aggregate(struct hub_req *r, enum hub_q q)
{
    sqlite3_stmt *st;
    if (hub_sql_flags[q] != HUB_SQL_AGGREGATE ||
        (r->who.role != HUB_ROLE_DONOR && r->who.role != HUB_ROLE_TRAINER)) {
        r->err = KK_ERR_PERM;
        return NULL;
    }
    st = hub_q(r->db, q);
    if (st == NULL) {
        r->err = KK_ERR_IO;
        return NULL;
    }
    hub_bind_i64(st, ":pid", 0);
    return st;
}

void hub_audit(struct hub_req *r, int64_t outlet_id, const char *action,
               const char *object, const char *detail)
{
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_AUDIT_INSERT);
    hub_bind_i64(st, ":now", hub_now());
    if (r->who.user_id != 0)
        hub_bind_i64(st, ":user", r->who.user_id);
    else
        hub_bind_null(st, ":user");
    if (outlet_id != 0)
        hub_bind_i64(st, ":outlet", outlet_id);
    else
        hub_bind_null(st, ":outlet");
    hub_bind_text(st, ":action", action);
    hub_bind_text(st, ":object", object);
    hub_bind_text(st, ":detail", detail != NULL ? detail : "");
    if (hub_exec(st) != KK_OK)
        kk_log(KK_LOG_ERROR, "cannot write the audit log");
}

/* --- declared fields --- */

static bool text_ok(const char *s, bool multiline)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == 0x7f ||
            (*p < 0x20 &&
             !(multiline && (*p == '\n' || *p == '\r' || *p == '\t'))))
            return false;
    }
    return true;
}

static bool date_ok(const char *s)
{
    int64_t t;
    char buf[32];
    if (strlen(s) != 10)
        return false;
    snprintf(buf, sizeof buf, "%sT00:00:00Z", s);
    return kk_parse_time(buf, &t) == KK_OK;
}

int hub_fields_read(struct hub_req *r, const struct hub_field *f, size_t n,
                    const char **vals, const char **bad)
{
    static __thread char numbuf[32][24];
    /* Every value is set before the first refusal, so a caller may show
     * the form again with what was typed (or "") in every field. */
    for (size_t i = 0; i < n; i++)
        vals[i] = "";
    for (size_t i = 0; i < n; i++) {
        const char *v = NULL;
        if (r->json != NULL) {
            const struct hub_jv *jv =
                hub_jv_get(hub_json_root(r->json), f[i].name);
            int64_t num;
            bool b;
            if (hub_jv_type(jv) == HUB_JSON_STRING) {
                v = hub_jv_str(jv);
            } else if (hub_jv_i64(jv, &num) == KK_OK && i < 32) {
                snprintf(numbuf[i], sizeof numbuf[i], "%lld", (long long)num);
                v = numbuf[i];
            } else if (hub_jv_bool(jv, &b) == KK_OK) {
                v = b ? "1" : "";
            } else if (jv != NULL && hub_jv_type(jv) != HUB_JSON_NULL) {
                *bad = f[i].name;
                return KK_ERR_INVAL;
            }
        } else {
            v = hub_form_get(r->form, f[i].name);
        }
        if (v == NULL)
            v = "";
        vals[i] = v;
        if (v[0] == '\0') {
            if (f[i].required) {
                *bad = f[i].name;
                return KK_ERR_INVAL;
            }
            continue;
        }
        bool ok = true;
        switch (f[i].type) {
        case HUB_F_TEXT:
            ok = strlen(v) <=
                     (size_t)(f[i].max > 0 ? f[i].max : KK_HUB_NAME_MAX) &&
                 text_ok(v, f[i].max > KK_HUB_NAME_MAX);
            break;
        case HUB_F_INT: {
            int64_t x;
            ok = kk_parse_i64(v, f[i].min, f[i].max, &x) == KK_OK;
            break;
        }
        case HUB_F_ID: {
            int64_t x;
            ok = kk_parse_i64(v, 1, INT64_MAX, &x) == KK_OK;
            break;
        }
        case HUB_F_DATE:
            ok = date_ok(v);
            break;
        case HUB_F_ENUM:
            ok = f[i].from_name != NULL && f[i].from_name(v) != 0;
            break;
        case HUB_F_BOOL:
            ok = strcmp(v, "1") == 0 || strcmp(v, "on") == 0 ||
                 strcmp(v, "true") == 0 || strcmp(v, "0") == 0 ||
                 strcmp(v, "false") == 0;
            if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
                vals[i] = "";
            break;
        case HUB_F_EMAIL: {
            const char *at = strchr(v, '@');
            ok = strlen(v) <= KK_HUB_NAME_MAX && at != NULL && at != v &&
                 at[1] != '\0' && strchr(at + 1, '@') == NULL &&
                 text_ok(v, false) && strchr(v, ' ') == NULL;
            break;
        }
        default:
            ok = false;
        }
        if (!ok) {
            *bad = f[i].name;
            return KK_ERR_INVAL;
        }
    }
    return KK_OK;
}

/* --- routing --- */

static bool route_match(const char *pattern, const char *path,
                        struct hub_req *r)
{
    const char *p = pattern, *s = path;
    r->n_params = 0;
    while (*p != '\0') {
        if (p[0] == '{') {
            const char *end = strchr(p, '}');
            char num[24];
            size_t n = strcspn(s, "/");
            int64_t v;
            if (end == NULL || n == 0 || n >= sizeof num ||
                r->n_params >= HUB_PARAMS_MAX)
                return false;
            memcpy(num, s, n);
            num[n] = '\0';
            if (kk_parse_i64(num, 1, INT64_MAX, &v) != KK_OK)
                return false;
            r->param[r->n_params++] = v;
            p = end + 1;
            s += n;
            continue;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    return *s == '\0';
}

static const struct hub_route *route_find(struct hub_req *r, bool *other)
{
    *other = false;
    for (size_t t = 0; t < sizeof route_tables / sizeof route_tables[0]; t++) {
        for (const struct hub_route *rt = route_tables[t]; rt->pattern != NULL;
             rt++) {
            if (!route_match(rt->pattern, r->path, r))
                continue;
            if (rt->method == r->method)
                return rt;
            *other = true;
        }
    }
    return NULL;
}

int hub_routes_list(struct kk_buf *out)
{
    static const char *const flag_names[] = {"public", "pending", "api",
                                             "nocsrf", "upload"};
    int err = KK_OK;
    for (size_t t = 0; t < sizeof route_tables / sizeof route_tables[0]; t++) {
        for (const struct hub_route *rt = route_tables[t];
             rt->pattern != NULL && err == KK_OK; rt++) {
            bool any = false;
            err = kk_buf_putf(out, "%s %s ",
                              rt->method == HUB_GET ? "GET" : "POST",
                              rt->pattern);
            for (size_t f = 0; f < 5 && err == KK_OK; f++) {
                if (rt->flags & (1u << f)) {
                    err =
                        kk_buf_putf(out, "%s%s", any ? "," : "", flag_names[f]);
                    any = true;
                }
            }
            if (err == KK_OK && !any)
                err = kk_buf_putc(out, '-');
            if (err == KK_OK)
                err = kk_buf_putc(out, ' ');
            any = false;
            for (int role = 1; role <= HUB_ROLE_COUNT && err == KK_OK; role++) {
                if ((rt->flags & HUB_R_PUBLIC) ||
                    !(rt->roles & HUB_ROLEBIT(role)))
                    continue;
                err = kk_buf_putf(out, "%s%s", any ? "," : "",
                                  hub_role_name(role));
                any = true;
            }
            if (err == KK_OK && !any)
                err = kk_buf_putc(out, '-');
            if (err == KK_OK)
                err = kk_buf_putc(out, '\n');
        }
    }
    return err;
}

/* --- the caller --- */

static void lang_pick(struct hub_req *r, const char *user_lang)
{
    char cookie[16];
    /* The switch in the page footer (a cookie) wins over the account's
     * setting, which wins over the browser's Accept-Language. */
    int l = -1;
    const char *hdr = hub_header(r, "Cookie");
    if (hdr != NULL &&
        hub_cookie_get(hdr, "kk_lang", cookie, sizeof cookie) == KK_OK)
        l = hub_lang_from_code(cookie);
    if (l < 0 && user_lang != NULL && user_lang[0] != '\0')
        l = hub_lang_from_code(user_lang);
    if (l < 0)
        l = hub_lang_from_accept(hub_header(r, "Accept-Language"));
    r->lang = l;
}

bool hub_csrf_ok(struct hub_req *r)
{
    const char *t = hub_form_get(r->form, "csrf");
    const char *origin = hub_header(r, "Origin");
    const char *site = hub_header(r, "Sec-Fetch-Site");
    if (site != NULL && strcmp(site, "same-origin") != 0 &&
        strcmp(site, "none") != 0)
        return false;
    if (origin != NULL && strcmp(origin, "null") != 0) {
        const char *host = hub_header(r, "Host");
        const char *o = strstr(origin, "://");
        if (host == NULL || o == NULL || strcmp(o + 3, host) != 0)
            return false;
    }
    if (t == NULL)
        t = hub_header(r, "X-CSRF-Token");
    return t != NULL && r->csrf[0] != '\0' && kk_streq_ct(t, r->csrf);
}

static void caller_outlet(struct hub_req *r)
{
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_USER_FIRST_OUTLET);
    hub_bind_i64(st, ":user", r->who.user_id);
    if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
        r->who.outlet_id = sqlite3_column_int64(st, 0);
    if (st != NULL)
        sqlite3_reset(st);
}

int hub_auth_resolve(struct hub_req *r)
{
    const char *authz = hub_header(r, "Authorization");
    const char *cookies = hub_header(r, "Cookie");
    char sid[64];
    uint8_t h[32];
    sqlite3_stmt *st;
    int64_t now = hub_now();
    const char *user_lang = NULL;
    if (r->api && authz != NULL && strncmp(authz, "Bearer ", 7) == 0) {
        const char *tok = authz + 7;
        if (strlen(tok) > 80)
            return KK_ERR_AUTH;
        hub_hash(tok, strlen(tok), h);
        st = hub_q(r->db, HUB_Q_TOKEN_GET);
        hub_bind_blob(st, ":h", h, sizeof h);
        if (st != NULL && sqlite3_step(st) == SQLITE_ROW &&
            sqlite3_column_int(st, 6) == 0) {
            r->who.user_id = sqlite3_column_int64(st, 0);
            r->who.device_id = sqlite3_column_int64(st, 1);
            r->who.role = hub_role_from_name(hub_col_text(st, 2));
            snprintf(r->who.email, sizeof r->who.email, "%s",
                     hub_col_text(st, 3));
            r->who.person_id = sqlite3_column_int64(st, 5);
            r->who.token = true;
            r->stage = HUB_STAGE_FULL;
        }
        if (st != NULL)
            sqlite3_reset(st);
        if (r->who.user_id == 0)
            return KK_ERR_AUTH;
        st = hub_q(r->db, HUB_Q_TOKEN_TOUCH);
        hub_bind_blob(st, ":h", h, sizeof h);
        hub_bind_i64(st, ":now", now);
        if (hub_exec(st) != KK_OK)
            kk_log(KK_LOG_WARN, "cannot note a token's use");
        caller_outlet(r);
        lang_pick(r, NULL);
        return KK_OK;
    }
    if (cookies != NULL &&
        hub_cookie_get(cookies, HUB_SESSION_COOKIE, sid, sizeof sid) == KK_OK) {
        hub_hash(sid, strlen(sid), h);
        st = hub_q(r->db, HUB_Q_SESSION_GET);
        hub_bind_blob(st, ":h", h, sizeof h);
        if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
            int64_t created = sqlite3_column_int64(st, 3);
            int64_t seen = sqlite3_column_int64(st, 4);
            int stage = sqlite3_column_int(st, 1);
            int64_t life = stage == HUB_STAGE_FULL ? KK_HUB_SESSION_IDLE
                                                   : KK_HUB_LOGIN_PENDING;
            if (now - seen <= life && now - created <= KK_HUB_SESSION_MAX &&
                sqlite3_column_int(st, 9) == 0) {
                r->who.user_id = sqlite3_column_int64(st, 0);
                r->stage = stage;
                snprintf(r->csrf, sizeof r->csrf, "%s", hub_col_text(st, 2));
                r->who.role = hub_role_from_name(hub_col_text(st, 5));
                snprintf(r->who.email, sizeof r->who.email, "%s",
                         hub_col_text(st, 6));
                r->who.person_id = sqlite3_column_int64(st, 8);
                memcpy(r->session, h, sizeof h);
                lang_pick(r, hub_col_text(st, 7));
                user_lang = "set";
            }
        }
        if (st != NULL)
            sqlite3_reset(st);
        if (r->who.user_id != 0 && now > 0) {
            st = hub_q(r->db, HUB_Q_SESSION_TOUCH);
            hub_bind_blob(st, ":h", h, sizeof h);
            hub_bind_i64(st, ":now", now);
            if (hub_exec(st) != KK_OK)
                kk_log(KK_LOG_WARN, "cannot refresh a session");
            caller_outlet(r);
        }
    }
    if (user_lang == NULL)
        lang_pick(r, NULL);
    return KK_OK;
}

/* --- dispatch --- */

static void dispatch(struct hub_req *r)
{
    const struct hub_route *rt;
    bool other;
    int err;
    if (r->method == HUB_GET && strncmp(r->path, "/static/", 8) == 0) {
        char name[128];
        const struct hub_asset *a;
        snprintf(name, sizeof name, "web%s", r->path);
        a = strstr(r->path, "..") == NULL ? hub_asset_find(name) : NULL;
        if (a == NULL) {
            hub_fail(r, 404, "not_found", "");
            return;
        }
        r->err = kk_buf_put(r->out, a->data, a->len);
        r->ctype = strstr(name, ".css") != NULL   ? "text/css; charset=utf-8"
                   : strstr(name, ".svg") != NULL ? "image/svg+xml"
                                                  : "application/octet-stream";
        hub_set_header(r, "Cache-Control", "public, max-age=86400");
        return;
    }
    rt = route_find(r, &other);
    if (rt == NULL) {
        if (other) {
            hub_fail(r, 405, "method", "This method is not allowed here.");
            hub_set_header(r, "Allow", r->method == HUB_GET ? "POST" : "GET");
        } else {
            hub_fail(r, 404, "not_found", "");
        }
        return;
    }
    if (rt->flags & HUB_R_API)
        r->api = true;
    /* A GET reads one consistent snapshot in one transaction, from the
     * session lookup to the last row of the page (one WAL read lock
     * instead of one per statement); what it writes, if anything (a
     * session's last-seen time, an enrolment's pending secret), is
     * committed with it.  POST handlers open their own transactions. */
    if (r->method == HUB_GET &&
        sqlite3_exec(r->db->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        hub_fail(r, 503, "busy", "The hub is busy. Try again.");
        return;
    }
    err = hub_auth_resolve(r);
    if (err != KK_OK) {
        hub_fail(r, 401, "unauthenticated", "Sign in first.");
        return;
    }
    if (!(rt->flags & HUB_R_PUBLIC)) {
        bool pending_ok = (rt->flags & HUB_R_PENDING) != 0;
        if (r->who.user_id == 0 ||
            (r->stage != HUB_STAGE_FULL && !pending_ok)) {
            if (r->api) {
                hub_fail(r, 401, "unauthenticated", "Sign in first.");
            } else {
                r->status = 303;
                hub_set_header(r, "Location", "/login");
            }
            return;
        }
        if (!(rt->roles & HUB_ROLEBIT(r->who.role))) {
            /* Routes about outlet objects answer like a missing one. */
            hub_fail(r, r->n_params > 0 ? 404 : 403, "forbidden",
                     "Your role cannot open this page.");
            return;
        }
    }
    if (r->method == HUB_POST && !(rt->flags & HUB_R_NOCSRF) && !r->who.token &&
        !hub_csrf_ok(r)) {
        hub_fail(r, 403, "csrf",
                 "The form expired or came from another site. Reload the "
                 "page and try again.");
        return;
    }
    err = rt->fn(r);
    if (r->method == HUB_GET && !sqlite3_get_autocommit(r->db->db) &&
        sqlite3_exec(r->db->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK &&
        err == KK_OK)
        err = KK_ERR_BUSY;
    if (err != KK_OK && r->status < 400)
        hub_fail_err(r, err, NULL);
    if (r->err != KK_OK)
        hub_fail(r, 500, "internal", "The hub could not do this.");
}

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind,
                                     const char *key, const char *value)
{
    struct kk_buf *b = cls;
    (void)kind;
    if (kk_buf_len(b) > 0 && kk_buf_putc(b, '&') != KK_OK)
        return MHD_NO;
    if (hub_url_encode(b, key) != KK_OK || kk_buf_putc(b, '=') != KK_OK ||
        hub_url_encode(b, value != NULL ? value : "") != KK_OK)
        return MHD_NO;
    return MHD_YES;
}

static void security_headers(struct MHD_Response *resp, bool secure)
{
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(resp, "Cross-Origin-Resource-Policy",
                            "same-origin");
    MHD_add_response_header(resp, "Permissions-Policy",
                            "camera=(), microphone=(), geolocation=(), "
                            "interest-cohort=()");
    if (secure)
        MHD_add_response_header(resp, "Strict-Transport-Security",
                                "max-age=31536000; includeSubDomains");
}

static enum MHD_Result respond(struct MHD_Connection *conn, struct hub_req *r)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;
    bool has_cache = false;
    size_t len = 0;
    uint8_t *body = kk_buf_take(r->out, &len);
    if (body == NULL)
        return MHD_NO;
    /* libmicrohttpd frees the body once it is sent: no copy. */
    resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type",
                            r->ctype != NULL ? r->ctype
                                             : "text/html; charset=utf-8");
    security_headers(resp, r->secure);
    for (size_t i = 0; i < r->n_hdr; i++) {
        MHD_add_response_header(resp, r->hdr_name[i], r->hdr_value[i]);
        if (strcmp(r->hdr_name[i], "Cache-Control") == 0)
            has_cache = true;
    }
    if (!has_cache)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "Vary", "Cookie, Accept-Language");
    ret = MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Answers refused before a request is parsed (405, 413, 414, 503): plain
 * text, the same security headers, and the connection closed. */
static enum MHD_Result simple(struct MHD_Connection *conn, unsigned status,
                              const char *text)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret;
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    security_headers(resp, false);
    MHD_add_response_header(resp, "Connection", "close");
    ret = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void client_ip(struct MHD_Connection *conn, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, cap, "?");
    if (ci == NULL || ci->client_addr == NULL)
        return;
    if (ci->client_addr->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const void *)ci->client_addr;
        inet_ntop(AF_INET, &a->sin_addr, out, (socklen_t)cap);
    } else if (ci->client_addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const void *)ci->client_addr;
        /* An IPv6 client is throttled by its /64. */
        struct in6_addr net = a->sin6_addr;
        memset(net.s6_addr + 8, 0, 8);
        inet_ntop(AF_INET6, &net, out, (socklen_t)cap);
    }
}

static bool is_upload(const char *url)
{
    size_t n = strlen(url);
    return n > 7 && strcmp(url + n - 7, "/import") == 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct hub_server *srv = cls;
    struct conn_ctx *ctx = *con_cls;
    struct hub_req r;
    struct kk_buf *qb = NULL;
    struct kk_diag d;
    enum MHD_Result ret;
    bool head = strcmp(method, "HEAD") == 0; /* libmicrohttpd drops the body */
    const char *ctype;
    int n_query;
    (void)version;
    if (ctx == NULL) {
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     "Content-Length");
        uint64_t len = 0;
        if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0 && !head)
            return simple(conn, 405, "method not allowed\n");
        if (strlen(url) > KK_HUB_URL_MAX)
            return simple(conn, 414, "request target too long\n");
        ctx = calloc(1, sizeof *ctx);
        if (ctx == NULL)
            return MHD_NO;
        ctx->limit = is_upload(url) ? KK_HUB_UPLOAD_MAX : KK_HUB_BODY_MAX;
        *con_cls = ctx;
        if (cl != NULL && (kk_parse_u64(cl, 0, UINT64_MAX, &len) != KK_OK ||
                           len > ctx->limit))
            return simple(conn, 413, "request body too large\n");
        ctx->body = kk_buf_new(ctx->limit);
        return ctx->body != NULL ? MHD_YES : MHD_NO;
    }
    if (*upload_data_size > 0) {
        if (!ctx->too_big &&
            kk_buf_put(ctx->body, upload_data, *upload_data_size) != KK_OK)
            ctx->too_big = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (ctx->too_big)
        return simple(conn, 413, "request body too large\n");
    memset(&r, 0, sizeof r);
    r.srv = srv;
    r.mhd = conn;
    r.path = url;
    r.method = strcmp(method, "POST") == 0 ? HUB_POST : HUB_GET;
    r.status = 200;
    r.secure = srv->secure;
    r.api = strncmp(url, "/api/", 5) == 0;
    r.body = (const char *)kk_buf_data(ctx->body);
    r.body_len = kk_buf_len(ctx->body);
    client_ip(conn, r.ip, sizeof r.ip);
    r.out = kk_buf_new(16 * 1024 * 1024);
    qb = kk_buf_new(KK_HUB_URL_MAX * 3 + 16);
    if (r.out == NULL || qb == NULL || kk_buf_reserve(r.out, 32768) != KK_OK) {
        ret = MHD_NO;
        goto out;
    }
    if (hub_conn_get(srv->db, &r.db) != KK_OK) {
        ret = simple(conn, 503, "database unavailable\n");
        goto out;
    }
    n_query = MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND,
                                        collect_query, qb);
    /* The query counts towards the target's limit (re-encoded, so within a
     * few bytes of what was sent). */
    if (kk_buf_len(qb) + strlen(url) > KK_HUB_URL_MAX) {
        ret = simple(conn, 414, "request target too long\n");
        goto out;
    }
    if (n_query < 0 ||
        hub_form_parse(kk_buf_str(qb), kk_buf_len(qb), &r.query, &d) != KK_OK) {
        lang_pick(&r, NULL);
        hub_fail(&r, 400, "invalid", "The query string is not valid.");
        goto reply;
    }
    ctype = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    if (r.method == HUB_POST && ctype != NULL &&
        strncmp(ctype, "application/json", 16) == 0) {
        if (hub_json_parse(r.body, r.body_len, &r.json, &d) != KK_OK) {
            r.api = true;
            hub_fail(&r, 400, "invalid_json", "The JSON body is not valid.");
            goto reply;
        }
    }
    if (r.method == HUB_POST && ctype != NULL &&
        strncmp(ctype, "application/x-www-form-urlencoded", 33) == 0) {
        if (hub_form_parse(r.body, r.body_len, &r.form, &d) != KK_OK) {
            lang_pick(&r, NULL);
            hub_fail(&r, 400, "invalid", "The form data is not valid.");
            goto reply;
        }
    }
    if (r.form == NULL && hub_form_parse("", 0, &r.form, &d) != KK_OK) {
        ret = MHD_NO;
        goto out;
    }
    dispatch(&r);
    hub_tx_rollback(r.db); /* a handler that failed mid-transaction */
reply:
    ret = respond(conn, &r);
out:
    for (size_t i = 0; i < r.n_hdr; i++) {
        free(r.hdr_name[i]);
        free(r.hdr_value[i]);
    }
    hub_form_free(r.query);
    hub_form_free(r.form);
    hub_json_free(r.json);
    kk_buf_free(r.out);
    kk_buf_free(qb);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct conn_ctx *ctx = *con_cls;
    (void)cls;
    (void)conn;
    (void)toe;
    if (ctx != NULL) {
        kk_buf_free(ctx->body);
        free(ctx);
        *con_cls = NULL;
    }
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss,
                        struct kk_diag *d)
{
    char host[128];
    const char *colon;
    uint64_t port;
    size_t hl;
    memset(ss, 0, sizeof *ss);
    if (listen[0] == '[') {
        const char *end = strchr(listen, ']');
        if (end == NULL || end[1] != ':')
            goto bad;
        hl = (size_t)(end - listen - 1);
        if (hl >= sizeof host)
            goto bad;
        memcpy(host, listen + 1, hl);
        host[hl] = '\0';
        colon = end + 1;
    } else {
        colon = strrchr(listen, ':');
        if (colon == NULL)
            goto bad;
        hl = (size_t)(colon - listen);
        if (hl >= sizeof host)
            goto bad;
        memcpy(host, listen, hl);
        host[hl] = '\0';
    }
    if (kk_parse_u64(colon + 1, 0, 65535, &port) != KK_OK)
        goto bad;
    {
        struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
        if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
            a4->sin_family = AF_INET;
            a4->sin_port = htons((uint16_t)port);
            return KK_OK;
        }
        if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
            a6->sin6_family = AF_INET6;
            a6->sin6_port = htons((uint16_t)port);
            return KK_OK;
        }
    }
bad:
    kk_diag_set(d, "--listen wants ADDRESS:PORT, like 127.0.0.1:8080 or "
                   "[::1]:8080");
    return KK_ERR_INVAL;
}

int hub_listen_check(const char *listen, struct kk_diag *d)
{
    struct sockaddr_storage ss;
    return parse_listen(listen, &ss, d);
}

int hub_server_start(struct hub_db *db, const struct hub_server_opts *opts,
                     struct hub_server **out, struct kk_diag *d)
{
    struct hub_server *s;
    struct sockaddr_storage ss;
    unsigned threads = opts->threads;
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC;
    const union MHD_DaemonInfo *info;
    int err = parse_listen(
        opts->listen != NULL ? opts->listen : "127.0.0.1:8080", &ss, d);
    if (err != KK_OK)
        return err;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 && n < 64 ? (unsigned)n : 2;
    }
    s = calloc(1, sizeof *s);
    if (s == NULL)
        return KK_ERR_NOMEM;
    s->db = db;
    s->secure = opts->secure_cookies;
    if (opts->base_url != NULL) {
        s->base_url = strdup(opts->base_url);
        if (s->base_url == NULL) {
            free(s);
            return KK_ERR_NOMEM;
        }
    }
    s->mhd = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)KK_HUB_CONN_MEMORY,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)KK_HUB_CONNECTIONS_MAX,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)KK_HUB_CONN_TIMEOUT,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, 128u, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, NULL, MHD_OPTION_END);
    if (s->mhd == NULL) {
        free(s->base_url);
        free(s);
        kk_diag_set(d,
                    "cannot listen on %s (in use, or not an address of "
                    "this machine)",
                    opts->listen != NULL ? opts->listen : "127.0.0.1:8080");
        return KK_ERR_SYSTEM;
    }
    info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info != NULL ? info->port : 0;
    err = hub_housekeeping_start(db, opts, &s->hk, d);
    if (err != KK_OK) {
        MHD_stop_daemon(s->mhd);
        free(s->base_url);
        free(s);
        return err;
    }
    *out = s;
    return KK_OK;
}

const char *hub_base_url(struct hub_req *r)
{
    return r->srv != NULL && r->srv->base_url != NULL ? r->srv->base_url : "";
}

void hub_server_stop(struct hub_server *s)
{
    if (s == NULL)
        return;
    hub_housekeeping_stop(s->hk);
    MHD_stop_daemon(s->mhd);
    free(s->base_url);
    free(s);
}

unsigned hub_server_port(const struct hub_server *s)
{
    return s != NULL ? s->port : 0;
}
