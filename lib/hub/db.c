/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * db.c - the hub's SQLite file: opening, migrations, the key file, one
 * connection per thread with its prepared statements, online backup.
 *
 * Durability over speed: WAL with synchronous=FULL, so every COMMIT is on
 * disk before the hub answers; a kill -9 at any moment loses nothing that
 * was acknowledged (tests/integ/hub_crash.sh).  Writes in the hub are a few
 * per user action, so the fsync per commit costs little; reads never wait
 * for writers in WAL mode.  Each libmicrohttpd worker thread gets its own
 * connection (SQLite connections must not be shared between threads
 * without a mutex around every call), and each connection prepares a
 * statement the first time it is used and keeps it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "assets.h"
#include "hub_int.h"
#include "i18n.h"

#define MIGRATION_PREFIX "lib/hub/migrations/"

static uint64_t db_generation;
static uint64_t data_generation = 1; /* atomic */

/* Tables whose changes alter what pages show; sessions, throttling and the
 * audit log do not. */
static const char *const data_tables[] = {
    "outlets",  "people",       "devices",        "licences",
    "accounts", "websites",     "account_admins", "observations",
    "users",    "user_outlets", "site_checks",
};

static void on_update(void *arg, int op, const char *dbname, const char *table,
                      sqlite3_int64 rowid)
{
    struct hub_conn *c = arg;
    (void)op;
    (void)dbname;
    (void)rowid;
    for (size_t i = 0; i < sizeof data_tables / sizeof data_tables[0]; i++) {
        if (strcmp(table, data_tables[i]) == 0)
            c->dirty = true;
    }
}

/* Runs after a commit is in the WAL, so readers that start after the bump
 * see the new data. */
static int on_wal(void *arg, sqlite3 *db, const char *dbname, int pages)
{
    struct hub_conn *c = arg;
    /* What SQLite's own automatic checkpoint does, which this hook
     * replaces: a passive checkpoint once the WAL has 1000 pages. */
    if (pages >= 1000)
        sqlite3_wal_checkpoint_v2(db, dbname, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                  NULL);
    if (c->dirty) {
        __atomic_add_fetch(&data_generation, 1, __ATOMIC_SEQ_CST);
        c->dirty = false;
    }
    return SQLITE_OK;
}

uint64_t hub_data_generation(struct hub_conn *c)
{
    sqlite3_stmt *st = hub_q(c, HUB_Q_DATA_VERSION);
    if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
        int64_t v = sqlite3_column_int64(st, 0);
        if (c->data_version != 0 && v != c->data_version)
            __atomic_add_fetch(&data_generation, 1, __ATOMIC_SEQ_CST);
        c->data_version = v;
    }
    if (st != NULL)
        sqlite3_reset(st);
    return __atomic_load_n(&data_generation, __ATOMIC_SEQ_CST);
}
static pthread_mutex_t gen_lock = PTHREAD_MUTEX_INITIALIZER;

/* Per-thread cache: which connection this thread uses for which db. */
#define TLS_SLOTS 4
static __thread struct {
    struct hub_db *db;
    uint64_t gen;
    struct hub_conn *conn;
} tls_conn[TLS_SLOTS];

struct db_priv {
    pthread_mutex_t lock;
    uint64_t gen;
};

int64_t hub_now(void)
{
    const char *fake = getenv("KALKAN_HUB_NOW");
    int64_t t;
    if (fake != NULL && kk_parse_time(fake, &t) == KK_OK)
        return t;
    return (int64_t)time(NULL);
}

int hub_sql_err(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return KK_OK;
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE ||
            rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            return KK_ERR_EXISTS;
        return KK_ERR_INVAL;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return KK_ERR_BUSY;
    case SQLITE_NOMEM:
        return KK_ERR_NOMEM;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return KK_ERR_CORRUPT;
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
        return KK_ERR_PERM;
    case SQLITE_TOOBIG:
        return KK_ERR_LIMIT;
    default:
        return KK_ERR_IO;
    }
}

int hub_conn_open(const char *path, sqlite3 **out, struct kk_diag *d)
{
    sqlite3 *db = NULL;
    int err = KK_OK;
    int rc = sqlite3_open_v2(path, &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                 SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
                             NULL);
    if (rc != SQLITE_OK) {
        err = hub_sql_err(rc);
        kk_diag_set(d, "%s: %s", path,
                    db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        goto out;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, 10000);
    /* Static pragmas: no user input reaches this text. */
    rc = sqlite3_exec(db,
                      "PRAGMA foreign_keys = ON;"
                      "PRAGMA trusted_schema = OFF;"
                      "PRAGMA secure_delete = ON;"
                      "PRAGMA journal_mode = WAL;"
                      "PRAGMA synchronous = FULL;",
                      NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        err = hub_sql_err(rc);
        kk_diag_set(d, "%s: %s", path, sqlite3_errmsg(db));
        goto out;
    }
    *out = db;
    db = NULL;
out:
    sqlite3_close(db);
    return err;
}

/* fresh: the database was created just now, so a missing key file is
 * made; for an existing database a missing key file is an error (a new key
 * would silently turn every stored second factor into noise). */
static int key_load(struct hub_db *h, bool fresh, struct kk_diag *d)
{
    size_t n = strlen(h->path) + 5;
    char *kp = malloc(n);
    int fd = -1, err = KK_OK;
    struct stat st;
    if (kp == NULL)
        return KK_ERR_NOMEM;
    snprintf(kp, n, "%s.key", h->path);
    fd = open(kp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && !fresh) {
        err = KK_ERR_NOTFOUND;
        kk_diag_set(d,
                    "%s is missing: restore it from the backup (without "
                    "it no stored second factor can be read)",
                    kp);
        goto out;
    }
    if (fd < 0 && errno == ENOENT) {
        uint8_t k[32];
        err = kk_random(k, sizeof k);
        if (err != KK_OK)
            goto out;
        fd = open(kp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  0600);
        if (fd < 0 || write(fd, k, sizeof k) != (ssize_t)sizeof k ||
            fsync(fd) != 0) {
            err = KK_ERR_IO;
            kk_diag_set(d, "%s: cannot create the key file: %s", kp,
                        strerror(errno));
            kk_wipe(k, sizeof k);
            goto out;
        }
        memcpy(h->key, k, sizeof k);
        kk_wipe(k, sizeof k);
        goto out;
    }
    if (fd < 0 || fstat(fd, &st) != 0) {
        err = KK_ERR_IO;
        kk_diag_set(d, "%s: %s", kp, strerror(errno));
        goto out;
    }
    if ((st.st_mode & 077) != 0) {
        err = KK_ERR_PERM;
        kk_diag_set(d,
                    "%s: the key file must not be readable by group or "
                    "others (chmod 600)",
                    kp);
        goto out;
    }
    if (st.st_size != 32 || read(fd, h->key, 32) != 32) {
        err = KK_ERR_CORRUPT;
        kk_diag_set(d, "%s: the key file must hold exactly 32 bytes", kp);
        goto out;
    }
out:
    if (fd >= 0)
        close(fd);
    free(kp);
    return err;
}

static int migrate(sqlite3 *db, int *version, int *before, struct kk_diag *d)
{
    sqlite3_stmt *st = NULL;
    int err = KK_OK, have = 0, latest = 0;
    int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
    if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
        err = KK_ERR_CORRUPT;
        kk_diag_set(d, "cannot read the schema version: %s",
                    sqlite3_errmsg(db));
        goto out;
    }
    have = sqlite3_column_int(st, 0);
    *before = have;
    sqlite3_finalize(st);
    st = NULL;
    for (const struct hub_asset *a = hub_assets; a->name != NULL; a++) {
        size_t pl = strlen(MIGRATION_PREFIX);
        uint64_t num;
        char digits[5];
        if (strncmp(a->name, MIGRATION_PREFIX, pl) != 0)
            continue;
        memcpy(digits, a->name + pl, 4);
        digits[4] = '\0';
        if (kk_parse_u64(digits, 1, 9999, &num) != KK_OK)
            continue;
        latest = (int)num;
        if ((int)num <= have)
            continue;
        /* Migrations are compiled-in DDL, applied whole or not at all. */
        rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(db, (const char *)a->data, NULL, NULL, NULL);
        if (rc == SQLITE_OK) {
            char pragma[48];
            snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d",
                     (int)num);
            rc = sqlite3_exec(db, pragma, NULL, NULL, NULL);
        }
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            err = hub_sql_err(rc);
            kk_diag_set(d, "migration %s failed: %s", a->name,
                        sqlite3_errmsg(db));
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            goto out;
        }
        have = (int)num;
    }
    if (have > latest) {
        err = KK_ERR_CORRUPT;
        kk_diag_set(d,
                    "the database has schema version %d, newer than this "
                    "program knows (%d)",
                    have, latest);
        goto out;
    }
    *version = have;
out:
    sqlite3_finalize(st);
    return err;
}

static int controls_sync(sqlite3 *db, struct kk_diag *d)
{
    const struct hub_catalogue *cat = hub_catalogue_builtin();
    sqlite3_stmt *st = NULL;
    int err = KK_OK, rc;
    if (cat == NULL)
        return KK_OK;
    rc = sqlite3_prepare_v2(db, hub_sql_text[HUB_Q_CONTROL_UPSERT], -1, &st,
                            NULL);
    if (rc != SQLITE_OK)
        goto fail;
    rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        goto fail;
    for (size_t i = 0; i < hub_catalogue_len(cat); i++) {
        const struct hub_control *c = hub_catalogue_at(cat, i);
        sqlite3_reset(st);
        hub_bind_text(st, ":id", c->id);
        hub_bind_text(st, ":area", c->area_name);
        hub_bind_text(st, ":level", c->level);
        hub_bind_text(st, ":applies", c->applies);
        hub_bind_text(st, ":source", c->source);
        hub_bind_i64(st, ":weight", c->weight);
        hub_bind_i64(st, ":stale", c->stale_days);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE) {
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            goto fail;
        }
    }
    rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        goto out;
fail:
    err = hub_sql_err(rc);
    kk_diag_set(d, "cannot store the control catalogue: %s",
                sqlite3_errmsg(db));
out:
    sqlite3_finalize(st);
    return err;
}

int hub_db_open(const char *path, struct hub_db **out, struct kk_diag *d)
{
    struct hub_db *h = NULL;
    struct db_priv *p = NULL;
    sqlite3 *db = NULL;
    int err, before = 0;
    if (path == NULL || out == NULL)
        return KK_ERR_INVAL;
    err = hub_i18n_init(d);
    if (err != KK_OK)
        goto out;
    h = calloc(1, sizeof *h);
    p = calloc(1, sizeof *p);
    if (h == NULL || p == NULL) {
        err = KK_ERR_NOMEM;
        goto out;
    }
    h->path = strdup(path);
    if (h->path == NULL) {
        err = KK_ERR_NOMEM;
        goto out;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_mutex_lock(&gen_lock);
    p->gen = ++db_generation;
    pthread_mutex_unlock(&gen_lock);
    h->lock = p;
    p = NULL;
    err = hub_conn_open(path, &db, d);
    if (err != KK_OK)
        goto out;
    err = migrate(db, &h->version, &before, d);
    if (err != KK_OK)
        goto out;
    err = controls_sync(db, d);
    if (err != KK_OK)
        goto out;
    err = key_load(h, before == 0, d);
    if (err != KK_OK)
        goto out;
    *out = h;
    h = NULL;
out:
    sqlite3_close(db);
    free(p);
    hub_db_close(h);
    return err;
}

int hub_db_version(struct hub_db *db)
{
    return db != NULL ? db->version : 0;
}

static void conn_free(struct hub_conn *c)
{
    for (size_t i = 0; i < HUB_Q_COUNT; i++)
        sqlite3_finalize(c->st[i]);
    sqlite3_close(c->db);
    free(c);
}

void hub_db_close(struct hub_db *db)
{
    struct db_priv *p;
    if (db == NULL)
        return;
    p = db->lock;
    while (db->conns != NULL) {
        struct hub_conn *next = db->conns->next;
        conn_free(db->conns);
        db->conns = next;
    }
    for (size_t i = 0; i < TLS_SLOTS; i++) {
        if (tls_conn[i].db == db)
            tls_conn[i].db = NULL;
    }
    if (p != NULL) {
        pthread_mutex_destroy(&p->lock);
        free(p);
    }
    kk_wipe(db->key, sizeof db->key);
    free(db->path);
    free(db);
}

int hub_conn_get(struct hub_db *db, struct hub_conn **out)
{
    struct db_priv *p = db->lock;
    struct hub_conn *c;
    size_t slot = TLS_SLOTS;
    int err;
    for (size_t i = 0; i < TLS_SLOTS; i++) {
        if (tls_conn[i].db == db && tls_conn[i].gen == p->gen) {
            *out = tls_conn[i].conn;
            return KK_OK;
        }
        if (slot == TLS_SLOTS &&
            (tls_conn[i].db == NULL || tls_conn[i].gen != p->gen))
            slot = i;
    }
    if (slot == TLS_SLOTS)
        slot = 0;
    c = calloc(1, sizeof *c);
    if (c == NULL)
        return KK_ERR_NOMEM;
    err = hub_conn_open(db->path, &c->db, NULL);
    if (err != KK_OK) {
        free(c);
        return err;
    }
    c->owner = db;
    sqlite3_update_hook(c->db, on_update, c);
    sqlite3_wal_hook(c->db, on_wal, c);
    pthread_mutex_lock(&p->lock);
    c->next = db->conns;
    db->conns = c;
    pthread_mutex_unlock(&p->lock);
    tls_conn[slot].db = db;
    tls_conn[slot].gen = p->gen;
    tls_conn[slot].conn = c;
    *out = c;
    return KK_OK;
}

sqlite3_stmt *hub_q(struct hub_conn *c, enum hub_q q)
{
    sqlite3_stmt *st;
    if (q >= HUB_Q_COUNT)
        return NULL;
    st = c->st[q];
    if (st == NULL) {
        int rc = sqlite3_prepare_v3(c->db, hub_sql_text[q], -1,
                                    SQLITE_PREPARE_PERSISTENT, &st, NULL);
        if (rc != SQLITE_OK) {
            kk_log(KK_LOG_ERROR, "statement %s: %s", hub_sql_names[q],
                   sqlite3_errmsg(c->db));
            return NULL;
        }
        c->st[q] = st;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

int hub_tx_begin(struct hub_conn *c)
{
    return hub_sql_err(
        sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL));
}

int hub_tx_commit(struct hub_conn *c)
{
    int rc = sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        return hub_sql_err(rc);
    }
    return KK_OK;
}

void hub_tx_rollback(struct hub_conn *c)
{
    if (!sqlite3_get_autocommit(c->db))
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

int hub_exec(sqlite3_stmt *st)
{
    int rc;
    if (st == NULL)
        return KK_ERR_IO;
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return KK_OK;
    return hub_sql_err(sqlite3_extended_errcode(sqlite3_db_handle(st)));
}

static int param_index(sqlite3_stmt *st, const char *name)
{
    return st != NULL ? sqlite3_bind_parameter_index(st, name) : 0;
}

void hub_bind_text(sqlite3_stmt *st, const char *name, const char *v)
{
    int i = param_index(st, name);
    if (i > 0)
        sqlite3_bind_text(st, i, v != NULL ? v : "", -1, SQLITE_TRANSIENT);
}

void hub_bind_i64(sqlite3_stmt *st, const char *name, int64_t v)
{
    int i = param_index(st, name);
    if (i > 0)
        sqlite3_bind_int64(st, i, v);
}

void hub_bind_null(sqlite3_stmt *st, const char *name)
{
    int i = param_index(st, name);
    if (i > 0)
        sqlite3_bind_null(st, i);
}

void hub_bind_blob(sqlite3_stmt *st, const char *name, const void *p, size_t n)
{
    int i = param_index(st, name);
    if (i > 0)
        sqlite3_bind_blob(st, i, p, (int)n, SQLITE_TRANSIENT);
}

const char *hub_col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t != NULL ? (const char *)t : "";
}

int hub_new_id(int64_t *out)
{
    uint64_t v;
    int err = kk_random(&v, sizeof v);
    if (err != KK_OK)
        return err;
    /* [2^40, 2^53): JSON-safe and never mistaken for a small count. */
    v = (v % ((UINT64_C(1) << 53) - (UINT64_C(1) << 40))) + (UINT64_C(1) << 40);
    *out = (int64_t)v;
    return KK_OK;
}

int hub_db_backup(struct hub_db *db, const char *out_path, struct kk_diag *d)
{
    struct hub_conn *c = NULL;
    sqlite3 *dst = NULL;
    sqlite3_backup *b = NULL;
    char *tmp = NULL;
    size_t n;
    int err, rc, fd = -1;
    struct stat st;
    if (lstat(out_path, &st) == 0) {
        kk_diag_set(d, "%s already exists", out_path);
        return KK_ERR_EXISTS;
    }
    err = hub_conn_get(db, &c);
    if (err != KK_OK)
        goto out;
    n = strlen(out_path) + 8;
    tmp = malloc(n);
    if (tmp == NULL) {
        err = KK_ERR_NOMEM;
        goto out;
    }
    snprintf(tmp, n, "%s.tmp~", out_path);
    unlink(tmp);
    rc = sqlite3_open_v2(tmp, &dst,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                             SQLITE_OPEN_NOFOLLOW,
                         NULL);
    if (rc != SQLITE_OK) {
        err = KK_ERR_IO;
        kk_diag_set(d, "%s: %s", tmp, sqlite3_errstr(rc));
        goto out;
    }
    b = sqlite3_backup_init(dst, "main", c->db, "main");
    if (b == NULL) {
        err = KK_ERR_IO;
        kk_diag_set(d, "backup: %s", sqlite3_errmsg(dst));
        goto out;
    }
    do {
        rc = sqlite3_backup_step(b, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(20);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    rc = sqlite3_backup_finish(b);
    b = NULL;
    if (rc != SQLITE_OK) {
        err = hub_sql_err(rc);
        kk_diag_set(d, "backup: %s", sqlite3_errmsg(dst));
        goto out;
    }
    /* The copy is a self-contained rollback-journal file. */
    rc = sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
    sqlite3_close(dst);
    dst = NULL;
    fd = open(tmp, O_RDONLY | O_CLOEXEC);
    if (rc != SQLITE_OK || fd < 0 || fsync(fd) != 0 || chmod(tmp, 0600) != 0) {
        err = KK_ERR_IO;
        kk_diag_set(d, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    /* link() does not replace: a file created meanwhile is kept. */
    if (link(tmp, out_path) != 0) {
        err = errno == EEXIST ? KK_ERR_EXISTS : KK_ERR_IO;
        kk_diag_set(d, "%s: %s", out_path, strerror(errno));
        goto out;
    }
    err = KK_OK;
out:
    if (b != NULL)
        sqlite3_backup_finish(b);
    sqlite3_close(dst);
    if (fd >= 0)
        close(fd);
    if (tmp != NULL) {
        unlink(tmp);
        free(tmp);
    }
    return err;
}
