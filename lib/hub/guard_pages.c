/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * guard_pages.c - the log guard in the hub: the report a guard daemon
 * posts for a website (stored with its events, seen as an observation of
 * WEB-11, answered with the outlet's office networks), its JSON twin for
 * reading, the "Guard" section of the website page, and the office
 * networks' forms and API.
 *
 * A daemon reports every minute, so a heartbeat is one small row and the
 * observation of WEB-11 is written at most once an hour (it lasts the
 * control's stale_days; an observation a minute would bury the register's
 * history).  Events are stored once per website, time, kind, address and
 * rule, so a spool sent again counts nothing twice.  The page is plain
 * HTML with no script: the bans per day are a table whose bars are
 * <meter> elements, which need no style attribute under the strict CSP.
 * Scope is in every statement (sql_guard.h): another outlet's website or
 * network answers exactly like a missing one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard_hub.h"
#include "i18n.h"
#include "model.h"
#include "programme.h"
#include "site_hub.h"

#define DAY INT64_C(86400)
#define HOUR INT64_C(3600)
#define URL_MAX 200
#define PAGE_DAYS 30
#define PAGE_EVENTS 20
#define API_EVENTS 1000
#define API_DAYS_MAX 90
#define LABEL_MAX 100

/* --- the last heartbeat --- */

struct beat {
    bool found;
    int64_t received, sent, started;
    char host[HUB_GUARD_HOST_MAX], version[HUB_GUARD_VERSION_MAX];
    int64_t lines, matched, tracked, banned;
};

static int beat_load(struct hub_req *r, int64_t website, struct beat *b)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_GUARD_LAST);
    int rc, err = KK_OK;
    memset(b, 0, sizeof *b);
    if (st == NULL) {
        err = KK_ERR_IO;
        goto out;
    }
    hub_bind_i64(st, ":website", website);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        b->found = true;
        b->received = sqlite3_column_int64(st, 0);
        b->sent = sqlite3_column_int64(st, 1);
        b->started = sqlite3_column_int64(st, 2);
        snprintf(b->host, sizeof b->host, "%s", hub_col_text(st, 3));
        snprintf(b->version, sizeof b->version, "%s", hub_col_text(st, 4));
        b->lines = sqlite3_column_int64(st, 5);
        b->matched = sqlite3_column_int64(st, 6);
        b->tracked = sqlite3_column_int64(st, 7);
        b->banned = sqlite3_column_int64(st, 8);
    } else if (rc != SQLITE_DONE) {
        err = hub_sql_err(rc);
    }
    sqlite3_reset(st);
out:
    return err;
}

static bool beat_stale(const struct beat *b, int64_t now)
{
    return !b->found || now - b->received > HUB_GUARD_STALE_DAYS * DAY;
}

/* --- storing a report --- */

static int store_events(struct hub_req *r, int64_t report,
                        const struct hub_guard_report *rep, int64_t *added)
{
    int err = KK_OK;
    *added = 0;
    for (size_t i = 0; i < rep->n_events && err == KK_OK; i++) {
        const struct hub_guard_event *e = &rep->events[i];
        sqlite3_stmt *st = NULL;
        int64_t id = 0;
        err = hub_new_id(&id);
        if (err == KK_OK) {
            st = hub_scoped(r, HUB_Q_GUARD_EVENT_ADD);
            err = st != NULL ? KK_OK : KK_ERR_IO;
        }
        if (err == KK_OK) {
            hub_bind_i64(st, ":id", id);
            hub_bind_i64(st, ":report", report);
            hub_bind_i64(st, ":at", e->at);
            hub_bind_text(st, ":kind", e->unban ? "unban" : "ban");
            hub_bind_text(st, ":address", e->address);
            hub_bind_text(st, ":rule", e->rule);
            hub_bind_i64(st, ":hits", e->hits);
            hub_bind_i64(st, ":first", e->first);
            hub_bind_i64(st, ":until", e->until);
            hub_bind_i64(st, ":level", e->level);
            err = hub_exec(st);
        }
        if (err == KK_OK)
            *added += sqlite3_changes(r->db->db);
    }
    return err;
}

/* The observation of WEB-11 for the website, unless one was written in
 * the last hour. */
static int store_observation(struct hub_req *r, const struct hub_site_web *w,
                             const struct hub_guard_report *rep, int64_t now)
{
    const struct hub_control *ctl =
        hub_catalogue_find(hub_catalogue_builtin(), "WEB-11");
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_GUARD_OBS_SINCE);
    char note[HUB_GUARD_HOST_MAX + HUB_GUARD_VERSION_MAX + 16];
    int64_t recent = 0;
    int err = st != NULL ? KK_OK : KK_ERR_IO;
    if (err == KK_OK) {
        hub_bind_i64(st, ":website", w->id);
        hub_bind_i64(st, ":since", now - HOUR);
        if (sqlite3_step(st) == SQLITE_ROW)
            recent = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    if (err != KK_OK || recent > 0)
        goto out;
    st = hub_scoped(r, HUB_Q_OBS_INSERT);
    if (st == NULL) {
        err = KK_ERR_IO;
        goto out;
    }
    snprintf(note, sizeof note, "%s, kalkan %s", rep->host, rep->version);
    /* The hub records that the guard reports for the website, whatever
     * device the token is bound to. */
    hub_bind_i64(st, ":device", 0);
    hub_bind_text(st, ":stype", "website");
    hub_bind_i64(st, ":sid", w->id);
    hub_bind_text(st, ":control", "WEB-11");
    hub_bind_text(st, ":status", "pass");
    hub_bind_null(st, ":value");
    hub_bind_text(st, ":source", "guard");
    hub_bind_text(st, ":note", note);
    hub_bind_i64(st, ":at", now);
    hub_bind_i64(st, ":expires",
                 now + (ctl != NULL ? ctl->stale_days : HUB_GUARD_STALE_DAYS) *
                           DAY);
    err = hub_exec(st);
out:
    return err;
}

static int store_report(struct hub_req *r, const struct hub_site_web *w,
                        const struct hub_guard_report *rep, int64_t *added)
{
    sqlite3_stmt *st = NULL;
    int64_t id = 0, now = hub_now();
    int err = hub_new_id(&id);
    if (err == KK_OK)
        err = hub_tx_begin(r->db);
    if (err != KK_OK)
        goto out;
    st = hub_scoped(r, HUB_Q_GUARD_REPORT_ADD);
    err = st != NULL ? KK_OK : KK_ERR_IO;
    if (err == KK_OK) {
        hub_bind_i64(st, ":id", id);
        hub_bind_i64(st, ":website", w->id);
        hub_bind_i64(st, ":now", now);
        hub_bind_i64(st, ":started_at", rep->started_at);
        hub_bind_i64(st, ":sent_at", rep->sent_at);
        hub_bind_text(st, ":host", rep->host);
        hub_bind_text(st, ":version", rep->version);
        hub_bind_i64(st, ":lines", rep->lines);
        hub_bind_i64(st, ":matched", rep->matched);
        hub_bind_i64(st, ":tracked", rep->tracked);
        hub_bind_i64(st, ":banned", rep->banned);
        hub_bind_i64(st, ":events", (int64_t)rep->n_events);
        err = hub_exec(st);
    }
    if (err == KK_OK && sqlite3_changes(r->db->db) != 1)
        err = KK_ERR_NOTFOUND;
    if (err == KK_OK)
        err = store_events(r, id, rep, added);
    if (err == KK_OK)
        err = store_observation(r, w, rep, now);
    if (err == KK_OK && *added > 0)
        hub_audit(r, w->outlet, "guard", "website", w->url);
    if (err == KK_OK)
        err = hub_tx_commit(r->db);
    else
        hub_tx_rollback(r->db);
out:
    return err;
}

/* --- the office networks --- */

/* Writes the outlet's networks as a JSON array under key; with full, each
 * is an object (id, prefix, label, created_at), else the prefix alone. */
static int nets_json(struct hub_req *r, struct hub_jw *w, int64_t outlet,
                     const char *key, bool full)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_GUARD_NETS);
    int rc = SQLITE_DONE, err = st != NULL ? KK_OK : KK_ERR_IO;
    hub_jw_key(w, key);
    hub_jw_arr(w);
    if (err == KK_OK) {
        hub_bind_i64(st, ":outlet", outlet);
        for (rc = sqlite3_step(st); rc == SQLITE_ROW; rc = sqlite3_step(st)) {
            char ts[32];
            if (!full) {
                hub_jw_str(w, NULL, hub_col_text(st, 1));
                continue;
            }
            hub_jw_key(w, NULL);
            hub_jw_obj(w);
            hub_jw_int(w, "id", sqlite3_column_int64(st, 0));
            hub_jw_str(w, "prefix", hub_col_text(st, 1));
            hub_jw_str(w, "label", hub_col_text(st, 2));
            if (kk_format_time(sqlite3_column_int64(st, 3), ts, sizeof ts) ==
                KK_OK)
                hub_jw_str(w, "created_at", ts);
            else
                hub_jw_null(w, "created_at");
            hub_jw_close(w, '}');
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            err = hub_sql_err(rc);
    }
    hub_jw_close(w, ']');
    return err;
}

/* Adds a network to outlet (prefix as typed): KK_OK with *id, or
 * KK_ERR_INVAL (*why set), KK_ERR_EXISTS, KK_ERR_LIMIT. */
static int net_add(struct hub_req *r, int64_t outlet, const char *prefix,
                   const char *label, int64_t *id, char *canon, size_t cap,
                   const char **why)
{
    sqlite3_stmt *st = NULL;
    int err = KK_OK;
    *why = NULL;
    if (!hub_guard_prefix_canon(prefix, 16, 32, canon, cap)) {
        *why = "Give a network such as 203.0.113.0/24: IPv4 /16 or longer, "
               "IPv6 /32 or longer.";
        err = KK_ERR_INVAL;
        goto out;
    }
    err = hub_new_id(id);
    if (err == KK_OK) {
        st = hub_scoped(r, HUB_Q_GUARD_NET_ADD);
        err = st != NULL ? KK_OK : KK_ERR_IO;
    }
    if (err == KK_OK) {
        hub_bind_i64(st, ":id", *id);
        hub_bind_i64(st, ":outlet", outlet);
        hub_bind_text(st, ":prefix", canon);
        hub_bind_text(st, ":label", label);
        hub_bind_i64(st, ":now", hub_now());
        hub_bind_i64(st, ":max", HUB_GUARD_NETS_MAX);
        err = hub_exec(st);
    }
    if (err == KK_OK && sqlite3_changes(r->db->db) != 1)
        err = KK_ERR_LIMIT;
    if (err == KK_OK)
        hub_audit(r, outlet, "allow", "network", canon);
out:
    return err;
}

/* Answers a failed net_add; KK_OK when answered. */
static int net_add_fail(struct hub_req *r, int err, const char *why)
{
    if (err == KK_ERR_INVAL) {
        hub_fail(r, 400, "invalid", why);
        err = KK_OK;
    } else if (err == KK_ERR_EXISTS) {
        hub_fail(r, 409, "exists", "This network is already listed.");
        err = KK_OK;
    } else if (err == KK_ERR_LIMIT) {
        hub_fail(r, 409, "limit",
                 "An outlet has at most 64 office networks, or it is "
                 "archived.");
        err = KK_OK;
    }
    return err;
}

static int net_del(struct hub_req *r, int64_t outlet, int64_t id)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_GUARD_NET_DEL);
    int err = st != NULL ? KK_OK : KK_ERR_IO;
    if (err == KK_OK) {
        hub_bind_i64(st, ":id", id);
        hub_bind_i64(st, ":outlet", outlet);
        err = hub_exec(st);
    }
    if (err == KK_OK && sqlite3_changes(r->db->db) != 1)
        err = KK_ERR_NOTFOUND;
    if (err == KK_OK)
        hub_audit(r, outlet, "unallow", "network", "");
    return err;
}

static int outlet_check(struct hub_req *r, int64_t outlet)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_GUARD_OUTLET);
    int rc, err = KK_ERR_IO;
    if (st != NULL) {
        hub_bind_i64(st, ":outlet", outlet);
        rc = sqlite3_step(st);
        err = rc == SQLITE_ROW    ? KK_OK
              : rc == SQLITE_DONE ? KK_ERR_NOTFOUND
                                  : hub_sql_err(rc);
        sqlite3_reset(st);
    }
    return err;
}

/* --- the API --- */

static void jw_time(struct hub_jw *w, const char *key, int64_t t)
{
    char ts[32];
    if (t <= 0 || kk_format_time(t, ts, sizeof ts) != KK_OK)
        hub_jw_null(w, key);
    else
        hub_jw_str(w, key, ts);
}

static int api_post(struct hub_req *r)
{
    struct hub_guard_report rep;
    struct hub_site_web w;
    struct hub_jw jw;
    const char *why = NULL;
    int64_t added = 0;
    int err = hub_site_web_load(r, 0, r->param[0], &w);
    memset(&rep, 0, sizeof rep);
    if (err != KK_OK)
        goto out;
    if (w.archived) {
        hub_fail(r, 409, "archived",
                 "This website is archived: it is no longer checked.");
        goto out;
    }
    err = hub_guard_report_read(r->json != NULL ? hub_json_root(r->json) : NULL,
                                hub_now(), &rep, &why);
    if (err == KK_ERR_INVAL) {
        hub_fail(r, 400, "invalid", why);
        err = KK_OK;
        goto out;
    }
    if (err == KK_OK)
        err = store_report(r, &w, &rep, &added);
    if (err != KK_OK)
        goto out;
    r->status = 201;
    hub_jw_begin(&jw, r);
    hub_jw_int(&jw, "accepted", (int64_t)rep.n_events);
    hub_jw_int(&jw, "new", added);
    err = nets_json(r, &jw, w.outlet, "allow", false);
    hub_jw_end(&jw);
out:
    hub_guard_report_clear(&rep);
    return err;
}

static void jw_event(struct hub_jw *w, sqlite3_stmt *st)
{
    hub_jw_key(w, NULL);
    hub_jw_obj(w);
    jw_time(w, "at", sqlite3_column_int64(st, 0));
    hub_jw_str(w, "kind", hub_col_text(st, 1));
    hub_jw_str(w, "address", hub_col_text(st, 2));
    hub_jw_str(w, "rule", hub_col_text(st, 3));
    hub_jw_int(w, "hits", sqlite3_column_int64(st, 4));
    jw_time(w, "first", sqlite3_column_int64(st, 5));
    jw_time(w, "until", sqlite3_column_int64(st, 6));
    hub_jw_int(w, "level", sqlite3_column_int64(st, 7));
    hub_jw_close(w, '}');
}

static void jw_beat(struct hub_jw *w, const struct beat *b, int64_t now)
{
    if (!b->found) {
        hub_jw_null(w, "last_report");
    } else {
        hub_jw_key(w, "last_report");
        hub_jw_obj(w);
        jw_time(w, "received_at", b->received);
        jw_time(w, "sent_at", b->sent);
        jw_time(w, "started_at", b->started);
        hub_jw_str(w, "host", b->host);
        hub_jw_str(w, "version", b->version);
        hub_jw_int(w, "lines", b->lines);
        hub_jw_int(w, "matched", b->matched);
        hub_jw_int(w, "tracked", b->tracked);
        hub_jw_int(w, "banned", b->banned);
        hub_jw_close(w, '}');
    }
    hub_jw_bool(w, "stale", beat_stale(b, now));
}

static int jw_daily(struct hub_req *r, struct hub_jw *w, int64_t website,
                    int64_t since)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_GUARD_DAILY);
    int rc = SQLITE_DONE, err = st != NULL ? KK_OK : KK_ERR_IO;
    hub_jw_key(w, "daily");
    hub_jw_arr(w);
    if (err == KK_OK) {
        hub_bind_i64(st, ":website", website);
        hub_bind_i64(st, ":since", since);
        for (rc = sqlite3_step(st); rc == SQLITE_ROW; rc = sqlite3_step(st)) {
            char ts[32] = "";
            if (kk_format_time(sqlite3_column_int64(st, 0) * DAY, ts,
                               sizeof ts) != KK_OK)
                ts[0] = '\0';
            ts[10] = '\0';
            hub_jw_key(w, NULL);
            hub_jw_obj(w);
            hub_jw_str(w, "day", ts);
            hub_jw_str(w, "rule", hub_col_text(st, 1));
            hub_jw_int(w, "bans", sqlite3_column_int64(st, 2));
            hub_jw_close(w, '}');
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            err = hub_sql_err(rc);
    }
    hub_jw_close(w, ']');
    return err;
}

static int api_get(struct hub_req *r)
{
    struct hub_site_web w;
    struct beat b;
    struct hub_jw jw;
    const char *ds = hub_form_get(r->query, "days");
    uint64_t days = 7;
    int64_t now = hub_now(), since;
    sqlite3_stmt *st = NULL;
    int rc = SQLITE_DONE, err = hub_site_web_load(r, 0, r->param[0], &w);
    if (err == KK_OK)
        err = beat_load(r, w.id, &b);
    if (err != KK_OK)
        goto out;
    if (ds != NULL && kk_parse_u64(ds, 1, API_DAYS_MAX, &days) != KK_OK) {
        hub_fail(r, 400, "invalid", "days must be a number from 1 to 90.");
        goto out;
    }
    since = (now / DAY - (int64_t)days + 1) * DAY;
    hub_jw_begin(&jw, r);
    hub_jw_int(&jw, "website_id", w.id);
    hub_jw_int(&jw, "outlet_id", w.outlet);
    hub_jw_str(&jw, "url", w.url);
    hub_jw_int(&jw, "days", (int64_t)days);
    jw_beat(&jw, &b, now);
    err = jw_daily(r, &jw, w.id, since);
    if (err == KK_OK) {
        st = hub_scoped(r, HUB_Q_GUARD_EVENTS);
        err = st != NULL ? KK_OK : KK_ERR_IO;
    }
    hub_jw_key(&jw, "events");
    hub_jw_arr(&jw);
    if (err == KK_OK) {
        hub_bind_i64(st, ":website", w.id);
        hub_bind_i64(st, ":since", since);
        hub_bind_i64(st, ":limit", API_EVENTS);
        for (rc = sqlite3_step(st); rc == SQLITE_ROW; rc = sqlite3_step(st))
            jw_event(&jw, st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            err = hub_sql_err(rc);
    }
    hub_jw_close(&jw, ']');
    hub_jw_end(&jw);
out:
    return err;
}

static int api_nets(struct hub_req *r)
{
    struct hub_jw jw;
    int err = outlet_check(r, r->param[0]);
    if (err == KK_OK) {
        hub_jw_begin(&jw, r);
        hub_jw_int(&jw, "outlet_id", r->param[0]);
        err = nets_json(r, &jw, r->param[0], "networks", true);
        hub_jw_end(&jw);
    }
    return err;
}

static const struct hub_field net_fields[] = {
    {"prefix", HUB_F_TEXT, true, 0, HUB_GUARD_ADDR_MAX - 1, NULL},
    {"label", HUB_F_TEXT, false, 0, LABEL_MAX, NULL},
};

static int api_net_add(struct hub_req *r)
{
    const char *v[2], *bad = NULL, *why = NULL;
    char canon[HUB_GUARD_ADDR_MAX];
    struct hub_jw jw;
    int64_t id = 0;
    int err = outlet_check(r, r->param[0]);
    if (err == KK_OK && hub_fields_read(r, net_fields, 2, v, &bad) != KK_OK) {
        hub_fail(r, 400, "invalid",
                 "Give a network such as 203.0.113.0/24: IPv4 /16 or longer, "
                 "IPv6 /32 or longer.");
        goto out;
    }
    if (err == KK_OK)
        err =
            net_add(r, r->param[0], v[0], v[1], &id, canon, sizeof canon, &why);
    if (err != KK_OK) {
        err = net_add_fail(r, err, why);
        goto out;
    }
    r->status = 201;
    hub_jw_begin(&jw, r);
    hub_jw_int(&jw, "id", id);
    hub_jw_int(&jw, "outlet_id", r->param[0]);
    hub_jw_str(&jw, "prefix", canon);
    hub_jw_str(&jw, "label", v[1]);
    hub_jw_end(&jw);
out:
    return err;
}

static int api_net_del(struct hub_req *r)
{
    struct hub_jw jw;
    int err = outlet_check(r, r->param[0]);
    if (err == KK_OK)
        err = net_del(r, r->param[0], r->param[1]);
    if (err == KK_OK) {
        hub_jw_begin(&jw, r);
        hub_jw_bool(&jw, "ok", true);
        hub_jw_int(&jw, "id", r->param[1]);
        hub_jw_end(&jw);
    }
    return err;
}

/* --- the forms --- */

static void back_url(const struct hub_site_web *w, char *out, size_t cap)
{
    snprintf(out, cap, "/outlets/%lld/websites/%lld/checks#guard",
             (long long)w->outlet, (long long)w->id);
}

static int h_net_add(struct hub_req *r)
{
    const char *v[2], *bad = NULL, *why = NULL;
    char canon[HUB_GUARD_ADDR_MAX], url[URL_MAX];
    struct hub_site_web w;
    int64_t id = 0;
    int err = hub_site_web_load(r, r->param[0], r->param[1], &w);
    if (err == KK_OK && hub_fields_read(r, net_fields, 2, v, &bad) != KK_OK) {
        hub_fail(r, 400, "invalid",
                 "Give a network such as 203.0.113.0/24: IPv4 /16 or longer, "
                 "IPv6 /32 or longer.");
        goto out;
    }
    if (err == KK_OK)
        err = net_add(r, w.outlet, v[0], v[1], &id, canon, sizeof canon, &why);
    if (err != KK_OK) {
        err = net_add_fail(r, err, why);
        goto out;
    }
    back_url(&w, url, sizeof url);
    hub_redirect(r, url);
out:
    return err;
}

static int h_net_del(struct hub_req *r)
{
    char url[URL_MAX];
    struct hub_site_web w;
    int err = hub_site_web_load(r, r->param[0], r->param[1], &w);
    if (err == KK_OK)
        err = net_del(r, w.outlet, r->param[2]);
    if (err == KK_OK) {
        back_url(&w, url, sizeof url);
        hub_redirect(r, url);
    }
    return err;
}

/* --- the section of the website page --- */

static void when(struct hub_req *r, int64_t t)
{
    char ts[32];
    if (t <= 0 || kk_format_time(t, ts, sizeof ts) != KK_OK) {
        hub_raw(r, "&#8212;");
    } else {
        ts[10] = ' ';
        ts[16] = '\0';
        hub_esc(r, ts);
        hub_raw(r, " UTC");
    }
}

static void beat_part(struct hub_req *r, const struct hub_site_web *w,
                      const struct beat *b, int64_t now)
{
    if (!b->found) {
        hub_say(r, "p", "kk-empty", "The guard has not reported yet.");
        hub_raw(r, "<p class=\"kk-hint\" id=\"guard-setup\">");
        hub_t(r, "Install the guard on the web server and put this "
                 "website's number and a device token in its [hub] "
                 "section. Website number:");
        hub_rawf(r, " <code>%lld</code></p>", (long long)w->id);
        return;
    }
    hub_rawf(r, "<p class=\"kk-meta\" id=\"guard-last\" data-stale=\"%d\">",
             beat_stale(b, now) ? 1 : 0);
    hub_t(r, "Last report:");
    hub_raw(r, " ");
    when(r, b->received);
    hub_raw(r, " &#183; ");
    hub_esc(r, b->host);
    hub_raw(r, " &#183; kalkan ");
    hub_esc(r, b->version);
    hub_raw(r, "</p><dl class=\"kk-stats\" id=\"guard-counts\">");
    {
        static const char *const labels[] = {
            "Log lines read", "Lines that matched a rule", "Addresses watched",
            "Addresses banned now"};
        const int64_t v[] = {b->lines, b->matched, b->tracked, b->banned};
        for (size_t i = 0; i < 4; i++) {
            hub_raw(r, "<div class=\"kk-stat\"><dt class=\"kk-stat-label\">");
            hub_t(r, labels[i]);
            hub_rawf(r, "</dt><dd class=\"kk-stat-value\">%lld</dd></div>",
                     (long long)v[i]);
        }
    }
    hub_raw(r, "</dl>");
    if (beat_stale(b, now))
        hub_say(r, "p", "kk-warning",
                "The guard has not reported for more than two days, so "
                "attacks on this website may not be blocked. On the web "
                "server, check that the guard is running (systemctl status "
                "kalkan-guard) and that it can reach the hub; ask your "
                "trainer if it keeps stopping.");
}

struct dayrow {
    int64_t day, total;
    char rules[512]; /* "wp-login 5, ssh-auth 2" */
};

static int daily_part(struct hub_req *r, int64_t website, int64_t now)
{
    struct dayrow rows[PAGE_DAYS];
    size_t n = 0;
    int64_t max = 1, since = (now / DAY - PAGE_DAYS + 1) * DAY;
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_GUARD_DAILY);
    int rc = SQLITE_DONE, err = st != NULL ? KK_OK : KK_ERR_IO;
    if (err != KK_OK)
        goto out;
    hub_bind_i64(st, ":website", website);
    hub_bind_i64(st, ":since", since);
    for (rc = sqlite3_step(st); rc == SQLITE_ROW; rc = sqlite3_step(st)) {
        int64_t d = sqlite3_column_int64(st, 0);
        int64_t c = sqlite3_column_int64(st, 2);
        size_t at;
        if (n == 0 || rows[n - 1].day != d) {
            if (n == PAGE_DAYS)
                break;
            memset(&rows[n], 0, sizeof rows[n]);
            rows[n++].day = d;
        }
        rows[n - 1].total += c;
        at = strlen(rows[n - 1].rules);
        snprintf(rows[n - 1].rules + at, sizeof rows[n - 1].rules - at,
                 "%s%s %lld", at > 0 ? ", " : "", hub_col_text(st, 1),
                 (long long)c);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        err = hub_sql_err(rc);
        goto out;
    }
    hub_raw(r, "<h3>");
    hub_t(r, "Bans per day, last 30 days");
    hub_raw(r, "</h3>");
    if (n == 0) {
        hub_say(r, "p", "kk-empty", "No bans in the last 30 days.");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        max = rows[i].total > max ? rows[i].total : max;
    hub_raw(r, "<div class=\"kk-table-wrap\" tabindex=\"0\" role=\"region\" "
               "aria-label=\"");
    hub_esc(r, hub_tr_r(r, "Bans per day, last 30 days"));
    hub_raw(r, "\"><table id=\"guard-daily\"><thead><tr><th scope=\"col\">");
    hub_t(r, "Day");
    hub_raw(r, "</th><th scope=\"col\" class=\"kk-num\">");
    hub_t(r, "Bans");
    hub_raw(r, "</th><th scope=\"col\">");
    hub_t(r, "By rule");
    hub_raw(r, "</th></tr></thead><tbody>");
    for (size_t i = 0; i < n; i++) {
        char ts[32] = "";
        if (kk_format_time(rows[i].day * DAY, ts, sizeof ts) != KK_OK)
            ts[0] = '\0';
        ts[10] = '\0';
        hub_rawf(r, "<tr data-day=\"%s\"><td>%s</td><td class=\"kk-num\">", ts,
                 ts);
        hub_rawf(r,
                 "<meter min=\"0\" max=\"%lld\" value=\"%lld\"></meter> "
                 "%lld</td><td>",
                 (long long)max, (long long)rows[i].total,
                 (long long)rows[i].total);
        hub_esc(r, rows[i].rules);
        hub_raw(r, "</td></tr>");
    }
    hub_raw(r, "</tbody></table></div>");
out:
    return err;
}

static int events_part(struct hub_req *r, int64_t website)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_GUARD_EVENTS);
    bool any = false;
    int rc = SQLITE_DONE, err = st != NULL ? KK_OK : KK_ERR_IO;
    if (err != KK_OK)
        goto out;
    hub_raw(r, "<h3>");
    hub_t(r, "Latest decisions");
    hub_raw(r, "</h3>");
    hub_bind_i64(st, ":website", website);
    hub_bind_i64(st, ":since", 0);
    hub_bind_i64(st, ":limit", PAGE_EVENTS);
    for (rc = sqlite3_step(st); rc == SQLITE_ROW; rc = sqlite3_step(st)) {
        bool unban = strcmp(hub_col_text(st, 1), "unban") == 0;
        if (!any) {
            hub_raw(r, "<div class=\"kk-table-wrap\" tabindex=\"0\" "
                       "role=\"region\" aria-label=\"");
            hub_esc(r, hub_tr_r(r, "Latest decisions"));
            hub_raw(r, "\"><table id=\"guard-events\"><thead><tr>"
                       "<th scope=\"col\">");
            hub_t(r, "When");
            hub_raw(r, "</th><th scope=\"col\">");
            hub_t(r, "Decision");
            hub_raw(r, "</th><th scope=\"col\">");
            hub_t(r, "Address");
            hub_raw(r, "</th><th scope=\"col\">");
            hub_t(r, "Rule");
            hub_raw(r, "</th><th scope=\"col\" class=\"kk-num\">");
            hub_t(r, "Hits");
            hub_raw(r, "</th><th scope=\"col\">");
            hub_t(r, "Until");
            hub_raw(r, "</th></tr></thead><tbody>");
        }
        any = true;
        hub_rawf(r, "<tr data-kind=\"%s\"><td>", unban ? "unban" : "ban");
        when(r, sqlite3_column_int64(st, 0));
        hub_raw(r, "</td><td>");
        hub_t(r, unban ? "Unbanned" : "Banned");
        hub_raw(r, "</td><td><code>");
        hub_esc(r, hub_col_text(st, 2));
        hub_raw(r, "</code></td><td>");
        hub_esc(r, hub_col_text(st, 3));
        hub_rawf(r, "</td><td class=\"kk-num\">%lld</td><td>",
                 (long long)sqlite3_column_int64(st, 4));
        if (!unban)
            when(r, sqlite3_column_int64(st, 6));
        hub_raw(r, "</td></tr>");
    }
    sqlite3_reset(st);
    if (any)
        hub_raw(r, "</tbody></table></div>");
    else
        hub_say(r, "p", "kk-empty", "No decisions yet.");
    if (rc != SQLITE_DONE)
        err = hub_sql_err(rc);
out:
    return err;
}

static int nets_part(struct hub_req *r, const struct hub_site_web *w)
{
    sqlite3_stmt *st = hub_scoped(r, HUB_Q_GUARD_NETS);
    char base[URL_MAX];
    bool any = false;
    int rc = SQLITE_DONE, err = st != NULL ? KK_OK : KK_ERR_IO;
    if (err != KK_OK)
        goto out;
    snprintf(base, sizeof base, "/outlets/%lld/websites/%lld/guard/networks",
             (long long)w->outlet, (long long)w->id);
    hub_raw(r, "<h3>");
    hub_t(r, "Office networks");
    hub_raw(r, "</h3>");
    hub_say(r, "p", "kk-hint",
            "The guard never bans these networks, so staff who mistype a "
            "password at the office are not locked out. They reach the "
            "guard with its next report.");
    hub_bind_i64(st, ":outlet", w->outlet);
    for (rc = sqlite3_step(st); rc == SQLITE_ROW; rc = sqlite3_step(st)) {
        int64_t id = sqlite3_column_int64(st, 0);
        if (!any)
            hub_raw(r, "<ul class=\"kk-checklist\" id=\"guard-nets\">");
        any = true;
        hub_rawf(r, "<li data-id=\"%lld\"><code>", (long long)id);
        hub_esc(r, hub_col_text(st, 1));
        hub_raw(r, "</code> ");
        hub_esc(r, hub_col_text(st, 2));
        if (!w->archived) {
            hub_rawf(r,
                     " <form method=\"post\" action=\"%s/%lld/delete\" "
                     "class=\"kk-inline\">",
                     base, (long long)id);
            hub_csrf_field(r);
            hub_raw(r, "<button type=\"submit\">");
            hub_t(r, "Remove");
            hub_raw(r, "</button></form>");
        }
        hub_raw(r, "</li>");
    }
    sqlite3_reset(st);
    if (any)
        hub_raw(r, "</ul>");
    else
        hub_say(r, "p", "kk-empty", "No office network is listed.");
    if (rc != SQLITE_DONE) {
        err = hub_sql_err(rc);
        goto out;
    }
    if (w->archived)
        goto out;
    hub_rawf(r, "<form method=\"post\" action=\"%s\" id=\"guard-net-add\">",
             base);
    hub_csrf_field(r);
    hub_raw(r, "<p><label for=\"net-prefix\">");
    hub_t(r, "Network");
    hub_raw(r, "</label> <input id=\"net-prefix\" name=\"prefix\" "
               "required maxlength=\"63\" inputmode=\"url\" "
               "placeholder=\"203.0.113.0/24\"></p><p><label "
               "for=\"net-label\">");
    hub_t(r, "Label");
    hub_raw(r, "</label> <input id=\"net-label\" name=\"label\" "
               "maxlength=\"100\"></p><p><button type=\"submit\">");
    hub_t(r, "Add network");
    hub_raw(r, "</button></p></form>");
out:
    return err;
}

void hub_guard_section(struct hub_req *r, int64_t outlet, int64_t website,
                       bool archived)
{
    struct hub_site_web w = {
        .id = website, .outlet = outlet, .archived = archived};
    struct beat b;
    int64_t now = hub_now();
    int err = beat_load(r, website, &b);
    if (err != KK_OK)
        goto out;
    hub_raw(r, "<section id=\"guard\"><h2>");
    hub_t(r, "Log guard");
    hub_raw(r, "</h2>");
    beat_part(r, &w, &b, now);
    err = daily_part(r, website, now);
    if (err == KK_OK)
        err = events_part(r, website);
    if (err == KK_OK)
        err = nets_part(r, &w);
    hub_raw(r, "</section>");
out:
    if (err != KK_OK && r->err == KK_OK)
        r->err = err;
}

/* --- routes --- */

#define MANAGE HUB_ROLES_MANAGE
#define TOKENS (HUB_ROLES_MANAGE | HUB_ROLEBIT(HUB_ROLE_DEVICE))
#define API "/api/v1"
#define NETS "/outlets/{id}/websites/{id}/guard/networks"

const struct hub_route hub_routes_guard[] = {
    {HUB_POST, API "/websites/{id}/guard", HUB_R_API, TOKENS, api_post},
    {HUB_GET, API "/websites/{id}/guard", HUB_R_API, TOKENS, api_get},
    {HUB_GET, API "/outlets/{id}/guard/networks", HUB_R_API, MANAGE, api_nets},
    {HUB_POST, API "/outlets/{id}/guard/networks", HUB_R_API, MANAGE,
     api_net_add},
    {HUB_POST, API "/outlets/{id}/guard/networks/{id}/delete", HUB_R_API,
     MANAGE, api_net_del},
    {HUB_POST, NETS, 0, MANAGE, h_net_add},
    {HUB_POST, NETS "/{id}/delete", 0, MANAGE, h_net_del},
    {0, NULL, 0, 0, NULL},
};
