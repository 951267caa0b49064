/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * auth.h - the hub's logins: Argon2id passwords, TOTP sealed at rest,
 * recovery codes, sessions, bearer tokens and login throttling.
 */
#ifndef KALKAN_HUB_AUTH_H
#define KALKAN_HUB_AUTH_H

#include "hub_int.h"

/* Session stages. */
#define HUB_STAGE_PASSWORD 1 /* password accepted, second factor due */
#define HUB_STAGE_FULL 2

#define HUB_SESSION_COOKIE "kk_session"
#define HUB_DEVICE_COOKIE "kk_known"

/* Argon2id hash of password into out (crypto_pwhash_STRBYTES).  At most
 * two hashes run at once, so a burst of logins cannot exhaust memory. */
KK_WUR int hub_pw_hash(const char *password, char *out, size_t cap);
/* KK_OK if password matches hash, KK_ERR_AUTH otherwise.  hash NULL runs
 * a verification against a fixed dummy hash (same cost) and fails. */
KK_WUR int hub_pw_verify(const char *hash, const char *password);

/* Seals/unseals a TOTP secret for user id with the database key
 * (XChaCha20-Poly1305, the user id as associated data). */
KK_WUR int hub_totp_seal(struct hub_db *db, int64_t user_id,
                         const uint8_t *secret, size_t len, uint8_t *out,
                         size_t cap, size_t *out_len);
KK_WUR int hub_totp_unseal(struct hub_db *db, int64_t user_id,
                           const uint8_t *sealed, size_t len, uint8_t *out,
                           size_t cap, size_t *out_len);

/* Password step: KK_OK and *user_id if the password is right;
 * KK_ERR_AUTH (unknown user or wrong password, same answer and cost);
 * KK_ERR_THROTTLED if this address or this account+address must wait. */
KK_WUR int hub_login_password(struct hub_conn *c, const char *email,
                              const char *password, const char *ip,
                              bool known_device, int64_t *user_id);
/* Second step: a TOTP code (6 digits, window +-1, each step once) or a
 * recovery code (xxxx-xxxx-xxxx-xxxx).  KK_ERR_AUTH, KK_ERR_REPLAY,
 * KK_ERR_THROTTLED. */
KK_WUR int hub_login_code(struct hub_conn *c, int64_t user_id, const char *code,
                          const char *ip);

/* Creates a session at stage; writes the cookie value (base64url of 32
 * random bytes, 43 characters + NUL) to cookie. */
KK_WUR int hub_session_create(struct hub_conn *c, int64_t user_id, int stage,
                              char *cookie, size_t cap);
void hub_session_end(struct hub_conn *c, const uint8_t hash[32]);

/* Enrolment: a new secret stored sealed as "pending" for the user and
 * returned in base32 (for the QR and manual entry). */
KK_WUR int hub_enrol_start(struct hub_conn *c, int64_t user_id, char *b32,
                           size_t cap);
/* The pending secret in base32, if any (KK_ERR_NOTFOUND). */
KK_WUR int hub_enrol_pending(struct hub_conn *c, int64_t user_id, char *b32,
                             size_t cap);
/* Confirms the pending secret with a code; then issues 10 recovery codes
 * written to codes (each "xxxx-xxxx-xxxx-xxxx\n"). */
KK_WUR int hub_enrol_finish(struct hub_conn *c, int64_t user_id,
                            const char *code, struct kk_buf *codes);

/* SHA-256-sized keyed hash used for session ids, tokens, recovery codes. */
void hub_hash(const void *p, size_t n, uint8_t out[32]);

#endif
