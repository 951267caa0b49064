/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hub_test.h - what the hub's unit tests share: a temporary directory
 * holding a fresh database (hub.db, its WAL and key file), and its removal;
 * a fresh database with two outlets and their focal points, seen through
 * the hub and through a raw SQLite connection, and raw statements on it.
 */
#ifndef KALKAN_HUB_TEST_H
#define KALKAN_HUB_TEST_H

#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "hub_int.h"
#include "kalkan/hub.h"

/* Makes a directory "/tmp/kk-<tag>-XXXXXX" into dir and the database path
 * "<dir>/hub.db" into path; false if the directory cannot be made. */
static inline bool hub_test_dir(const char *tag, char *dir, size_t dcap,
                                char *path, size_t pcap)
{
    snprintf(dir, dcap, "/tmp/kk-%s-XXXXXX", tag);
    if (mkdtemp(dir) == NULL)
        return false;
    snprintf(path, pcap, "%s/hub.db", dir);
    return true;
}

/* Removes every file in dir (the database, WAL, key, copies), then dir. */
static inline void hub_test_dir_remove(const char *dir)
{
    DIR *dp = opendir(dir);
    struct dirent *e;
    char p[512];
    while (dp != NULL && (e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    if (dp != NULL)
        closedir(dp);
    rmdir(dir);
}

/* A fresh hub database: its directory, the hub's handle and connection,
 * and a raw connection to seed and inspect it. */
struct hub_test_db {
    char dir[64];
    char path[128];
    struct hub_db *db;
    struct hub_conn *conn;
    sqlite3 *raw;
};

/* Runs sql on the raw connection db; the test fails if it does not. */
static inline void hub_test_exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err);
}

/* The integer of the first row of sql on db (-1 when no row). */
static inline int64_t hub_test_count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    int64_t n = -1;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* Opens a fresh database in a directory named by tag with outlet A (id
 * 1000, slug "a") and its people Aida (1001) and Bek (1011), outlet B
 * (2000, "b") and its person Other (2001), then the rows of seed, and the
 * focal points focal@a.example (its id in *focal_a) and focal@b.example.
 * Every step must succeed. */
static inline void hub_test_db_open(struct hub_test_db *t, const char *tag,
                                    const char *seed, int64_t *focal_a)
{
    struct kk_diag d = {.msg = ""};
    int64_t id;
    assert_true(
        hub_test_dir(tag, t->dir, sizeof t->dir, t->path, sizeof t->path));
    assert_int_equal(hub_db_open(t->path, &t->db, &d), KK_OK);
    assert_int_equal(hub_conn_get(t->db, &t->conn), KK_OK);
    assert_int_equal(sqlite3_open(t->path, &t->raw), SQLITE_OK);
    sqlite3_busy_timeout(t->raw, 5000);
    hub_test_exec(t->raw,
                  "INSERT INTO outlets (id, slug, name, media, created_at) "
                  "VALUES (1000, 'a', 'Outlet A', 'web', 0), (2000, 'b', "
                  "'Outlet B', 'tv', 0);"
                  "INSERT INTO people (id, outlet_id, name, department, "
                  "created_at) VALUES (1001, 1000, 'Aida', 'editorial', 0), "
                  "(1011, 1000, 'Bek', 'finance', 0), (2001, 2000, 'Other', "
                  "'tech', 0);");
    hub_test_exec(t->raw, seed);
    assert_int_equal(hub_user_add(t->db, "focal@a.example", "focal", "a",
                                  "a long password", NULL, 0, focal_a, &d),
                     KK_OK);
    assert_int_equal(hub_user_add(t->db, "focal@b.example", "focal", "b",
                                  "a long password", NULL, 0, &id, &d),
                     KK_OK);
}

/* Closes both connections and removes the database's directory. */
static inline void hub_test_db_close(struct hub_test_db *t)
{
    sqlite3_close(t->raw);
    hub_db_close(t->db);
    hub_test_dir_remove(t->dir);
}

#endif
