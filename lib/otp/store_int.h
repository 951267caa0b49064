/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * store_int.h - the in-memory form of a user's state file and of the
 * failure-counter record kept in the user's lock file, shared by the store
 * (store.c), the text format (store_fmt.c), the counter record
 * (store_counters.c) and the GA import (ga.c).  Internal to the otp
 * library; tests and fuzz targets include it to inspect state.
 */
#ifndef KALKAN_STORE_INT_H
#define KALKAN_STORE_INT_H

#include "kalkan/otp_store.h"

#define ST_VERSION 1
#define ST_NONCE_LEN 24 /* XChaCha20-Poly1305 nonce */
#define ST_TAG_LEN 16   /* Poly1305 tag */
#define ST_CT_MAX (KK_OTP_SECRET_MAX + ST_TAG_LEN)
#define ST_RC_HASH_LEN 16                 /* keyed BLAKE2b of a code */
#define ST_LINE_MAX 2048                  /* bytes in one line */
#define ST_TIME_MAX 253402300799LL        /* 9999-12-31T23:59:59Z */
#define ST_LEVEL_UNIT 86400u              /* one failure in the daily cap */
#define ST_LEVEL_MAX (100000ULL * 86400u) /* daily_max <= 100000 */
#define ST_CONSEC_MAX 1000000u
#define ST_TOTAL_MAX 1000000000000ULL
#define ST_ID_MAX 1000000u

struct st_rc {
    bool weak; /* an imported 8-digit scratch code */
    uint8_t hash[ST_RC_HASH_LEN];
};

struct st_cred {
    struct otp_cred_info info;
    uint8_t nonce[ST_NONCE_LEN];
    uint8_t ct[ST_CT_MAX];
    size_t ct_len;
};

struct st_budget {
    unsigned consec;
    uint64_t total;
    int64_t last_fail;
    uint64_t level; /* ST_LEVEL_UNIT per counted failure, leaking */
    int64_t level_time;
};

struct st_user {
    char enc[OTP_STORE_USER_ENC_SIZE];
    unsigned next_id;
    int64_t recovery_created;
    size_t nrc;
    struct st_rc rc[KK_STORE_RECOVERY_CODES];
    size_t ncreds;
    struct st_cred creds[KK_STORE_CREDS_MAX];
};

/* Initialises an empty state for the encoded user name enc. */
void st_user_init(struct st_user *u, const char *enc);

/* Parses a state file strictly; KK_ERR_CORRUPT on any deviation. */
int st_parse(const char *text, size_t len, const char *enc, struct st_user *u,
             struct kk_diag *d);

/* Appends the canonical text of u to out. */
int st_format(const struct st_user *u, struct kk_buf *out);

/* The failure counters of a user's budgets, kept apart from the state
 * file in a fixed-size record in the user's lock file. */
struct st_counters {
    struct st_budget budget[OTP_BUDGETS];
};

/* Fills the public view of u (no secrets) and of its counters c (NULL:
 * none) with rate limits at now. */
void st_info(const struct st_user *u, const struct st_counters *c,
             const struct otp_policy *pol, int64_t now,
             struct otp_user_info *out);

/* Applies the leak of budget b to now and returns when (if at all) codes
 * are refused: 0 when not throttled. */
int64_t st_throttled_until(struct st_budget *b, const struct otp_policy *pol,
                           int64_t now);

/* ---- the counter record (store_counters.c, docs/otp-store.md) ---- */

#define ST_CTR_SIZE 128   /* bytes of the record, at offset 0 */
#define ST_CTR_MAC_LEN 32 /* keyed BLAKE2b-256 at its end */
#define ST_CTR_KEY_LEN 32 /* derived from the store key */
#define ST_CTR_VERSION 1

/*
 * Writes the record of counters c for the encoded user enc into out,
 * authenticated with key (ST_CTR_KEY_LEN bytes).  KK_ERR_RANGE if a field
 * is out of its range, KK_ERR_CRYPTO if hashing fails.
 */
int st_counters_format(const struct st_counters *c, const char *enc,
                       const uint8_t *key, uint8_t out[ST_CTR_SIZE]);

/* Computes the MAC of the first ST_CTR_SIZE - ST_CTR_MAC_LEN bytes of rec
 * for user enc under key into its last ST_CTR_MAC_LEN bytes (for
 * st_counters_format, and for fuzzing the fields behind the MAC). */
int st_counters_seal(uint8_t rec[ST_CTR_SIZE], const char *enc,
                     const uint8_t *key);

/*
 * Parses the len bytes read from offset 0 of a lock file as the record of
 * user enc under key.  KK_OK with *out filled; KK_ERR_NOTFOUND when len is
 * 0 (no record yet: a fresh budget); KK_ERR_CORRUPT for anything else that
 * is not exactly a record this store wrote for this user (wrong size,
 * magic, version, MAC, reserved bytes or a value out of range), which the
 * caller answers with st_counters_reset.  *out is untouched on failure.
 */
int st_counters_parse(const uint8_t *rec, size_t len, const char *enc,
                      const uint8_t *key, struct st_counters *out);

/*
 * The conservative counters that replace a torn or invalid record at now
 * under pol: in each budget the free failures are used up (consecutive =
 * backoff_after, so the next failure starts the back-off) and half the
 * daily allowance is spent; the last failure is left at 0, so the first
 * attempt after the reset, usually the owner's, is still evaluated.
 */
void st_counters_reset(struct st_counters *c, const struct otp_policy *pol,
                       int64_t now);

#endif
