/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * seal.h - free text sealed at rest: the description of a risk or a
 * finding, an incident's title and timeline map an outlet's weaknesses,
 * so a copy of the database file without its key file must not tell them.
 *
 * XChaCha20-Poly1305 under the database key (PATH.key); the associated
 * data binds a sealed value to its place (a context such as
 * "incident.title" and the row id), so a value copied into another row or
 * column does not open.
 */
#ifndef KALKAN_HUB_SEAL_H
#define KALKAN_HUB_SEAL_H

#include "hub_int.h"

/* The bytes a sealed value of len bytes of text takes. */
size_t hub_sealed_len(size_t len);

/* Appends the sealed form of text[0..len) to out (binary). */
KK_WUR int hub_seal_text(const struct hub_db *db, const char *context,
                         int64_t id, const char *text, size_t len,
                         struct kk_buf *out);
/* Appends the opened text to out, NUL-terminated (kk_buf_str works).
 * KK_ERR_CORRUPT if the value was changed, moved or sealed under another
 * key.  A NULL or empty sealed value opens as "". */
KK_WUR int hub_open_text(const struct hub_db *db, const char *context,
                         int64_t id, const void *sealed, size_t len,
                         struct kk_buf *out);

/* Binds the sealed form of text to parameter name of st (text NULL binds
 * NULL), sealed under db's key; for the demo generators and tools. */
KK_WUR int hub_bind_sealed_db(const struct hub_db *db, sqlite3_stmt *st,
                              const char *name, const char *context, int64_t id,
                              const char *text);
/* The same for the handlers: r->err is set on failure. */
KK_WUR int hub_bind_sealed(struct hub_req *r, sqlite3_stmt *st,
                           const char *name, const char *context, int64_t id,
                           const char *text);
/* Opens column col of st's current row into out (reset first). */
KK_WUR int hub_col_opened(struct hub_req *r, sqlite3_stmt *st, int col,
                          const char *context, int64_t id, struct kk_buf *out);

#endif
