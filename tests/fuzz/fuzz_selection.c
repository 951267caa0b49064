/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_selection.c - fuzz target of the selection's parsers of untrusted
 * input (selection*.c): the criteria lines of the call form, receipt
 * codes as people type them, slugs from outlet names, and the JSON bodies
 * of the anonymous application, the receipt check, a reviewer's scores and
 * a new call, each run through its route's handler against a small call
 * kept in a temporary database.
 *
 * The input's first line names the mode ("criteria", "receipt", "slug",
 * "apply", "status", "scores", "call"); the rest is the input.  After each
 * run: the parsers' results keep their documented shape (criteria within
 * their limits, a receipt hash only for 20 valid characters, a slug of
 * [a-z0-9-] that is never empty), a handler answers with one of the
 * statuses its route documents and never an output error, and every
 * stored application keeps valid JSON answers within the limits.  Rows a
 * run added are removed again so the database stays small.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "kalkan/hub.h"
#include "model.h"
#include "selection.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct {
    char dir[64];
    struct hub_db *db;
    struct hub_conn *conn;
    sqlite3 *raw;
    int64_t trainer, panel;
    struct hub_form *empty;
} g;

static void raw_exec(const char *sql)
{
    if (sqlite3_exec(g.raw, sql, NULL, NULL, NULL) != SQLITE_OK)
        __builtin_trap();
}

static int64_t raw_count(const char *sql)
{
    sqlite3_stmt *st;
    int64_t n = -1;
    if (sqlite3_prepare_v2(g.raw, sql, -1, &st, NULL) != SQLITE_OK)
        __builtin_trap();
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void cleanup(void)
{
    static const char *const files[] = {"hub.db", "hub.db-wal", "hub.db-shm",
                                        "hub.db.key"};
    char path[160];
    sqlite3_close(g.raw);
    hub_db_close(g.db);
    hub_form_free(g.empty);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", g.dir, files[i]);
        unlink(path);
    }
    rmdir(g.dir);
}

static void init(void)
{
    char path[128];
    struct kk_diag d;
    snprintf(g.dir, sizeof g.dir, "/tmp/kk-fuzz-sel-XXXXXX");
    if (mkdtemp(g.dir) == NULL || hub_i18n_init(&d) != KK_OK)
        __builtin_trap();
    snprintf(path, sizeof path, "%s/hub.db", g.dir);
    if (hub_db_open(path, &g.db, &d) != KK_OK ||
        hub_conn_get(g.db, &g.conn) != KK_OK ||
        sqlite3_open(path, &g.raw) != SQLITE_OK ||
        hub_user_add(g.db, "trainer@example.org", "trainer", NULL,
                     "a long password", NULL, 0, &g.trainer, &d) != KK_OK ||
        hub_user_add(g.db, "panel@example.org", "panel", NULL,
                     "a long password", NULL, 0, &g.panel, &d) != KK_OK ||
        hub_form_parse("", 0, &g.empty, &d) != KK_OK)
        __builtin_trap();
    sqlite3_busy_timeout(g.raw, 5000);
    raw_exec("INSERT INTO calls (id, title, seats, opens, closes, "
             "retention_days, status, created_at) VALUES (1100, 'Call', 5, "
             "'', '', 30, 'open', 0);"
             "INSERT INTO call_criteria (call_id, pos, name, weight) VALUES "
             "(1100, 1, 'Reporting', 60), (1100, 2, 'Threats', 40);"
             "INSERT INTO applications (id, call_id, receipt_hash, "
             "outlet_name, contact_email, answers, status, submitted_at) "
             "VALUES (1101, 1100, X'00', 'Seed', 's@x', '{}', 'submitted', "
             "0);");
    atexit(cleanup);
}

/* Removes what a run added, keeping the seed rows. */
static void forget(void)
{
    raw_exec("DELETE FROM application_scores;"
             "DELETE FROM application_conflicts;"
             "DELETE FROM applications WHERE id <> 1101;"
             "DELETE FROM call_criteria WHERE call_id <> 1100;"
             "DELETE FROM calls WHERE id <> 1100;"
             "DELETE FROM throttle;");
}

static const struct hub_route *route(int method, const char *pattern)
{
    for (const struct hub_route *rt = hub_routes_selection; rt->pattern != NULL;
         rt++) {
        if (rt->method == method && strcmp(rt->pattern, pattern) == 0)
            return rt;
    }
    __builtin_trap();
}

/* Runs the API route with the JSON body as user uid (0: anonymous). */
static int run(const char *pattern, const char *path, int64_t p1, int64_t uid,
               int role, const char *body, size_t len)
{
    const struct hub_route *rt = route(HUB_POST, pattern);
    struct hub_json *json = NULL;
    struct kk_diag d;
    struct hub_req r;
    int err, status;
    if (hub_json_parse(body, len, &json, &d) != KK_OK)
        return 0;
    memset(&r, 0, sizeof r);
    r.path = path;
    r.method = HUB_POST;
    r.db = g.conn;
    r.query = g.empty;
    r.form = g.empty;
    r.json = json;
    r.body = body;
    r.body_len = len;
    r.param[0] = 1100;
    r.param[1] = p1;
    r.n_params = p1 != 0 ? 2 : 1;
    r.api = true;
    r.status = 200;
    r.who.user_id = uid;
    r.who.role = role;
    snprintf(r.ip, sizeof r.ip, "192.0.2.1");
    r.out = kk_buf_new(1 << 20);
    if (r.out == NULL) {
        hub_json_free(json);
        return 0;
    }
    err = rt->fn(&r);
    hub_tx_rollback(g.conn);
    if (err != KK_OK && r.status < 400)
        hub_fail_err(&r, err, NULL);
    if (r.err != KK_OK)
        __builtin_trap();
    status = r.status;
    for (size_t i = 0; i < r.n_hdr; i++) {
        free(r.hdr_name[i]);
        free(r.hdr_value[i]);
    }
    kk_buf_free(r.out);
    hub_json_free(json);
    return status;
}

static void stored_ok(void)
{
    if (raw_count("SELECT count(*) FROM applications WHERE NOT "
                  "json_valid(answers) OR length(CAST(outlet_name AS BLOB)) "
                  "> 200 OR outlet_name = '' OR staff_count NOT BETWEEN 0 "
                  "AND 10000 OR json_type(answers) <> 'object'") != 0 ||
        raw_count("SELECT count(*) FROM application_scores WHERE score NOT "
                  "BETWEEN 0 AND 10 OR criterion NOT IN ('Reporting', "
                  "'Threats')") != 0 ||
        raw_count("SELECT count(*) FROM call_criteria WHERE weight NOT "
                  "BETWEEN 1 AND 100 OR name = ''") != 0)
        __builtin_trap();
}

static void parsers(const char *mode, const char *text)
{
    if (strcmp(mode, "criteria") == 0) {
        struct sel_criterion c[SEL_CRITERIA_MAX];
        const char *why = NULL;
        size_t n = 0;
        if (sel_criteria_parse(text, c, SEL_CRITERIA_MAX, &n, &why) == KK_OK) {
            if (n == 0 || n > SEL_CRITERIA_MAX)
                __builtin_trap();
            for (size_t i = 0; i < n; i++) {
                if (c[i].name[0] == '\0' ||
                    strlen(c[i].name) > SEL_CRITERION_MAX || c[i].weight < 1 ||
                    c[i].weight > SEL_WEIGHT_MAX)
                    __builtin_trap();
            }
        } else if (why == NULL) {
            __builtin_trap();
        }
    } else if (strcmp(mode, "receipt") == 0) {
        uint8_t h[32];
        size_t chars = 0;
        if (sel_receipt_hash(text, h) == KK_OK) {
            for (const char *p = text; *p != '\0'; p++)
                chars += strchr(" -\t", *p) == NULL;
            if (chars != SEL_RECEIPT_CHARS)
                __builtin_trap();
        }
    } else if (strcmp(mode, "slug") == 0) {
        char s[40];
        sel_slug_from_name(text, s, sizeof s);
        if (s[0] == '\0' || s[0] == '-' || strlen(s) > 36 ||
            strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(s))
            __builtin_trap();
    }
}

static void handlers(const char *mode, const char *body, size_t len)
{
    int st = 0;
    if (strcmp(mode, "apply") == 0) {
        st = run("/api/v1/calls/{id}/applications",
                 "/api/v1/calls/1100/applications", 0, 0, 0, body, len);
        if (st != 0 && st != 201 && st != 400 && st != 409)
            __builtin_trap();
    } else if (strcmp(mode, "status") == 0) {
        st = run("/api/v1/applications/status", "/api/v1/applications/status",
                 0, 0, 0, body, len);
        if (st != 0 && st != 400 && st != 404)
            __builtin_trap();
    } else if (strcmp(mode, "scores") == 0) {
        st = run("/api/v1/calls/{id}/applications/{id}/scores",
                 "/api/v1/calls/1100/applications/1101/scores", 1101, g.panel,
                 HUB_ROLE_PANEL, body, len);
        if (st != 0 && st != 200 && st != 400)
            __builtin_trap();
    } else if (strcmp(mode, "call") == 0) {
        st = run("/api/v1/calls", "/api/v1/calls", 0, g.trainer,
                 HUB_ROLE_TRAINER, body, len);
        if (st != 0 && st != 201 && st != 400)
            __builtin_trap();
    }
    stored_ok();
    forget();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    char mode[16];
    size_t n;
    char *text;
    if (g.db == NULL)
        init();
    if (nl == NULL || size > KK_HUB_BODY_MAX)
        return 0;
    n = (size_t)(nl - (const char *)data);
    if (n == 0 || n >= sizeof mode)
        return 0;
    memcpy(mode, data, n);
    mode[n] = '\0';
    /* An exact-size copy, so a read past the end is seen. */
    text = malloc(size - n);
    if (text == NULL)
        return 0;
    memcpy(text, nl + 1, size - n - 1);
    text[size - n - 1] = '\0';
    if (strlen(text) == size - n - 1 && hub_utf8_valid(text, size - n - 1)) {
        parsers(mode, text);
        handlers(mode, text, size - n - 1);
    }
    free(text);
    return 0;
}
