/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hub.h - the Kalkan hub: the programme's web application and JSON API.
 *
 * The hub keeps everything in one SQLite file (WAL, foreign keys, numbered
 * migrations applied at open) beside a key file "<db>.key" (32 random
 * bytes, mode 0600) that seals the hub's own TOTP secrets at rest.  The
 * server is libmicrohttpd with a thread pool; each worker thread has its
 * own SQLite connection.  The command line (kalkan serve, user, token,
 * backup) is the first client of this header.
 *
 * Thread safety: a struct hub_db may be used from many threads once open;
 * hub_db_close must not race with anything.
 */
#ifndef KALKAN_HUB_H
#define KALKAN_HUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kalkan/kk.h"

struct hub_db;

/* Opens (creating if absent) the database at path, applies pending
 * migrations, loads the control catalogue into it and creates the key file
 * on first use.  KK_ERR_CORRUPT if the file is not a Kalkan database or is
 * newer than this program; KK_ERR_IO/KK_ERR_PERM for file problems. */
KK_API KK_WUR int hub_db_open(const char *path, struct hub_db **out,
                              struct kk_diag *d);
/* Closes every connection; NULL is a no-op. */
KK_API void hub_db_close(struct hub_db *db);
/* Schema version after open (number of the last migration applied). */
KK_API int hub_db_version(struct hub_db *db);

/* Copies the live database to out_path with SQLite's online backup API
 * (readers and writers may go on meanwhile); the copy is written to a
 * temporary file and renamed, so out_path is either complete or absent.
 * KK_ERR_EXISTS if out_path exists. */
KK_API KK_WUR int hub_db_backup(struct hub_db *db, const char *out_path,
                                struct kk_diag *d);

/* Fills an empty database with the demo programme (five fictional outlets,
 * about 60 people, 100 devices, 250 accounts, six months of observations)
 * and writes the demo logins (e-mail, password, TOTP secret in base32, one
 * per line, tab-separated) to logins.  KK_ERR_EXISTS if the database
 * already holds outlets.  Deterministic for a given seed and now. */
KK_API KK_WUR int hub_demo_fill(struct hub_db *db, uint64_t seed, int64_t now,
                                struct kk_buf *logins, struct kk_diag *d);

/* The "now" the demo data is built around: KALKAN_HUB_NOW if set (ISO
 * 8601), else the current time. */
KK_API int64_t hub_demo_now(void);

/* Adds a login.  role: trainer, assistant, focal, staff, donor, device.
 * outlet_slug is required for assistant, focal, staff and device and must
 * be NULL for trainer and donor.  password: at least KK_HUB_PASSWORD_MIN
 * characters (hashed with Argon2id).  totp_secret may be NULL (the user
 * enrols at first login) or hold the raw secret to provision.  Sets *id. */
KK_API KK_WUR int hub_user_add(struct hub_db *db, const char *email,
                               const char *role, const char *outlet_slug,
                               const char *password, const uint8_t *totp_secret,
                               size_t secret_len, int64_t *id,
                               struct kk_diag *d);

/* Creates a bearer token for the user with this e-mail (optionally bound
 * to one device id) and writes it, NUL-terminated, to out (cap >= 64).
 * Only its hash is stored. */
KK_API KK_WUR int hub_token_create(struct hub_db *db, const char *email,
                                   int64_t device_id, char *out, size_t cap,
                                   struct kk_diag *d);

struct hub_server;

struct hub_server_opts {
    const char *listen;    /* "127.0.0.1:8080", "[::1]:8080" */
    unsigned threads;      /* worker threads; 0 = number of CPUs */
    bool secure_cookies;   /* behind a TLS-terminating proxy: Secure + HSTS */
    const char *base_url;  /* the hub's public address for links in e-mail
                              and invitations ("https://hub.example"), or
                              NULL: the request's Host */
    const char *smtp;      /* "HOST:PORT" of a mail relay, or NULL: no
                              e-mail (reminders show on the dashboard) */
    const char *mail_from; /* the From address of the hub's e-mail */
    /* Website checks (docs/hub-sites.md). */
    const char *site_options; /* a file of `kalkan site` options ("key =
                                 value": dns, ca-file, resolve, ports,
                                 timeout...), or NULL: the system's */
    unsigned site_interval;   /* hours between scheduled checks of each
                                 website; 0: on demand only */
};

/* KK_OK if path is a website-check options file the hub accepts
 * (docs/hub-sites.md); otherwise d names the line and the problem. */
KK_API KK_WUR int hub_site_options_check(const char *path, struct kk_diag *d);

/* KK_OK if listen is an "ADDRESS:PORT" hub_server_start accepts, so a
 * command can refuse a bad one before it creates anything. */
KK_API KK_WUR int hub_listen_check(const char *listen, struct kk_diag *d);

/* Starts serving db (borrowed; must outlive the server). */
KK_API KK_WUR int hub_server_start(struct hub_db *db,
                                   const struct hub_server_opts *opts,
                                   struct hub_server **out, struct kk_diag *d);
/* Appends every route as "METHOD PATTERN FLAGS ROLES" lines (FLAGS: a
 * comma list of public, pending, api, nocsrf, upload or "-"; ROLES: the
 * role names allowed, comma-separated, or "-" for public routes), for
 * tests that must walk every route. */
KK_API KK_WUR int hub_routes_list(struct kk_buf *out);

/* Stops accepting, finishes requests in progress, frees; NULL no-op. */
KK_API void hub_server_stop(struct hub_server *s);
/* The TCP port actually bound (useful with port 0). */
KK_API unsigned hub_server_port(const struct hub_server *s);

#endif
