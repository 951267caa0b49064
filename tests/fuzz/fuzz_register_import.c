/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_register_import.c - fuzz target of the register's CSV import
 * (csv_register.c): header mapping, cell cleaning, references by name,
 * e-mail, id or asset tag, "; "-separated admins, and the re-encoding of
 * each row as a form read by reg_input_read.
 *
 * The input's first line names the entity ("people", "devices",
 * "accounts", "licences", "websites"); the rest is the CSV body of an API
 * import by a trainer into a small outlet kept in a temporary database.
 * After each run: the answer is 200 or 400 (never 404 or 500 for a
 * trainer's own outlet), an accepted import reports its row count, and no
 * licence key is stored longer than its mask.  Rows imported are removed
 * again so the database stays small.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "kalkan/hub.h"
#include "reg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct {
    char dir[64];
    struct hub_db *db;
    struct hub_conn *conn;
    sqlite3 *raw;
    int64_t trainer;
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
    snprintf(g.dir, sizeof g.dir, "/tmp/kk-fuzz-reg-XXXXXX");
    if (mkdtemp(g.dir) == NULL || hub_i18n_init(&d) != KK_OK)
        __builtin_trap();
    snprintf(path, sizeof path, "%s/hub.db", g.dir);
    if (hub_db_open(path, &g.db, &d) != KK_OK ||
        hub_conn_get(g.db, &g.conn) != KK_OK ||
        sqlite3_open(path, &g.raw) != SQLITE_OK ||
        hub_user_add(g.db, "trainer@example.org", "trainer", NULL,
                     "a long password", NULL, 0, &g.trainer, &d) != KK_OK ||
        hub_form_parse("", 0, &g.empty, &d) != KK_OK)
        __builtin_trap();
    sqlite3_busy_timeout(g.raw, 5000);
    raw_exec("INSERT INTO outlets (id, slug, name, media, created_at) VALUES "
             "(1000, 'a', 'Outlet A', 'web', 0), (2000, 'b', 'Outlet B', "
             "'tv', 0);"
             "INSERT INTO people (id, outlet_id, name, department, email, "
             "created_at) VALUES (1001, 1000, 'Aida', 'editorial', "
             "'aida@a.example', 0), (1011, 1000, 'Bek', 'finance', '', 0), "
             "(2001, 2000, 'Other', 'tech', 'other@b.example', 0);"
             "INSERT INTO devices (id, outlet_id, kind, ownership, asset_tag, "
             "custodian_id, created_at) VALUES (1002, 1000, 'laptop', "
             "'office', 'AZ-1', 1001, 0), (2002, 2000, 'phone', 'office', "
             "'B-1', 2001, 0);");
    atexit(cleanup);
}

/* Removes what an import added, keeping the seed rows. */
static void forget_imports(void)
{
    raw_exec("DELETE FROM account_admins;"
             "DELETE FROM licences;"
             "DELETE FROM accounts;"
             "DELETE FROM websites;"
             "DELETE FROM devices WHERE id NOT IN (1002, 2002);"
             "DELETE FROM people WHERE id NOT IN (1001, 1011, 2001);");
}

static int run(const char *entity, const char *body, size_t len)
{
    struct hub_req r;
    char path[96];
    int err;
    memset(&r, 0, sizeof r);
    snprintf(path, sizeof path, "/api/v1/outlets/1000/%s/import", entity);
    r.path = path;
    r.method = HUB_POST;
    r.db = g.conn;
    r.query = g.empty;
    r.form = g.empty;
    r.body = body;
    r.body_len = len;
    r.param[0] = 1000;
    r.n_params = 1;
    r.api = true;
    r.status = 200;
    r.who.user_id = g.trainer;
    r.who.role = HUB_ROLE_TRAINER;
    r.out = kk_buf_new(1 << 20);
    if (r.out == NULL)
        return 0;
    err = reg_h_import(&r);
    hub_tx_rollback(g.conn);
    if (err != KK_OK || (r.status != 200 && r.status != 400) || r.err != KK_OK)
        __builtin_trap();
    if (r.status == 200 && strstr(kk_buf_str(r.out), "\"imported\":") == NULL)
        __builtin_trap();
    for (size_t i = 0; i < r.n_hdr; i++) {
        free(r.hdr_name[i]);
        free(r.hdr_value[i]);
    }
    kk_buf_free(r.out);
    return r.status;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const entities[] = {"people", "devices", "accounts",
                                           "licences", "websites"};
    const char *nl = memchr(data, '\n', size);
    size_t n;
    char *body;
    if (g.db == NULL)
        init();
    if (nl == NULL || size > KK_HUB_UPLOAD_MAX)
        return 0;
    n = (size_t)(nl - (const char *)data);
    for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++) {
        if (strlen(entities[i]) != n || memcmp(entities[i], data, n) != 0)
            continue;
        /* An exact-size copy, so a read past the end is seen. */
        body = malloc(size - n);
        if (body == NULL)
            return 0;
        memcpy(body, nl + 1, size - n - 1);
        body[size - n - 1] = '\0';
        if (run(entities[i], body, size - n - 1) == 200) {
            if (raw_count("SELECT count(*) FROM licences WHERE key_masked "
                          "<> '' AND (key_masked NOT LIKE '•••••-%' OR "
                          "length(key_masked) > 11)") != 0 ||
                raw_count("SELECT count(*) FROM devices d JOIN people p ON "
                          "p.id = d.custodian_id WHERE p.outlet_id <> "
                          "d.outlet_id") != 0)
                __builtin_trap();
            forget_imports();
        }
        free(body);
    }
    return 0;
}
