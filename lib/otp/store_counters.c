/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * store_counters.c - the failure-counter record: a fixed-size binary record
 * of 128 bytes at offset 0 of DIR/users/<user>.lock, holding the rate-limit
 * state of both budgets (consecutive failures, failures ever, last failure,
 * the leaky-bucket level and when it was last drained).
 *
 * A failed attempt changes nothing but these counters, so it is recorded
 * with one pwrite(2) of this record under the user's flock, without fsync,
 * instead of rewriting the whole state file atomically with two fsyncs.
 * That cuts the cost of a failure from about a millisecond to a few
 * microseconds.  The trade-off is durability: a crash or power cut may lose
 * recent counts or tear the record.  The counters are advisory (they only
 * decide how long to wait before the next guess is evaluated) and cannot be
 * reached remotely, so a lost count is acceptable; a record that does not
 * check out is never taken as "fresh" but replaced by a conservative one
 * (st_counters_reset).  Credential state (secrets, last steps, HOTP
 * counters, drift, recovery codes) stays in the state file, written
 * atomically and durably before any success is reported.
 *
 * The record ends in a BLAKE2b-256 MAC under a key derived from the store
 * key, over the user's encoded name and the other 96 bytes, so a torn
 * write, a record from another user or another store, or any edit is
 * detected.  Layout (integers little-endian) in docs/otp-store.md.
 */
#include "store_int.h"

#include <string.h>

#include <sodium.h>

#define CTR_MAGIC "KKOTPCTR"
#define CTR_MAGIC_LEN 8
#define CTR_BODY (ST_CTR_SIZE - ST_CTR_MAC_LEN)
#define CTR_MAC_CONTEXT "kalkan-otp counters v1"

/* ---- little-endian fields ---- */

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static int get_le(struct kk_span *sp, size_t n, uint64_t *out)
{
    const uint8_t *p;
    uint64_t v = 0;
    int r;

    r = kk_span_get_bytes(sp, n, &p);
    if (r != KK_OK)
        return KK_ERR_CORRUPT;
    for (size_t i = n; i > 0; i--)
        v = v << 8 | p[i - 1];
    *out = v;
    return KK_OK;
}

/* ---- MAC ---- */

/* MAC over context NUL enc NUL body: binds the record to its user. */
static int ctr_mac(const uint8_t body[CTR_BODY], const char *enc,
                   const uint8_t *key, uint8_t out[ST_CTR_MAC_LEN])
{
    crypto_generichash_state st;
    static const uint8_t nul = 0;
    size_t el = strnlen(enc, OTP_STORE_USER_ENC_SIZE);
    int r = KK_ERR_CRYPTO;

    if (el == 0 || el >= OTP_STORE_USER_ENC_SIZE)
        return KK_ERR_RANGE;
    if (crypto_generichash_init(&st, key, ST_CTR_KEY_LEN, ST_CTR_MAC_LEN) !=
            0 ||
        crypto_generichash_update(&st, (const uint8_t *)CTR_MAC_CONTEXT,
                                  sizeof CTR_MAC_CONTEXT) != 0 ||
        crypto_generichash_update(&st, (const uint8_t *)enc, el) != 0 ||
        crypto_generichash_update(&st, &nul, 1) != 0 ||
        crypto_generichash_update(&st, body, CTR_BODY) != 0 ||
        crypto_generichash_final(&st, out, ST_CTR_MAC_LEN) != 0)
        goto out;
    r = KK_OK;
out:
    kk_wipe(&st, sizeof st);
    return r;
}

int st_counters_seal(uint8_t rec[ST_CTR_SIZE], const char *enc,
                     const uint8_t *key)
{
    return ctr_mac(rec, enc, key, rec + CTR_BODY);
}

/* ---- ranges ---- */

static bool budget_valid(const struct st_budget *b)
{
    return b->consec <= ST_CONSEC_MAX && b->total <= ST_TOTAL_MAX &&
           b->consec <= b->total && b->last_fail >= 0 &&
           b->last_fail <= ST_TIME_MAX && b->level <= ST_LEVEL_MAX &&
           b->level_time >= 0 && b->level_time <= ST_TIME_MAX;
}

/* ---- writer ---- */

int st_counters_format(const struct st_counters *c, const char *enc,
                       const uint8_t *key, uint8_t out[ST_CTR_SIZE])
{
    uint8_t rec[ST_CTR_SIZE];
    size_t off = 0;
    int r;

    for (unsigned i = 0; i < OTP_BUDGETS; i++) {
        if (!budget_valid(&c->budget[i]))
            return KK_ERR_RANGE;
    }
    memset(rec, 0, sizeof rec);
    memcpy(rec, CTR_MAGIC, CTR_MAGIC_LEN);
    off = CTR_MAGIC_LEN;
    put_le(rec + off, ST_CTR_VERSION, 4);
    off += 8; /* version, then 4 reserved zero bytes */
    for (unsigned i = 0; i < OTP_BUDGETS; i++) {
        const struct st_budget *b = &c->budget[i];
        put_le(rec + off, b->consec, 4);
        off += 8; /* consecutive, then 4 reserved zero bytes */
        put_le(rec + off, b->total, 8);
        put_le(rec + off + 8, (uint64_t)b->last_fail, 8);
        put_le(rec + off + 16, b->level, 8);
        put_le(rec + off + 24, (uint64_t)b->level_time, 8);
        off += 32;
    }
    r = st_counters_seal(rec, enc, key);
    if (r == KK_OK)
        memcpy(out, rec, sizeof rec);
    return r;
}

/* ---- parser ---- */

int st_counters_parse(const uint8_t *rec, size_t len, const char *enc,
                      const uint8_t *key, struct st_counters *out)
{
    struct st_counters c;
    uint8_t mac[ST_CTR_MAC_LEN];
    struct kk_span sp;
    const uint8_t *p;
    uint64_t v;
    uint64_t pad;
    int r;

    if (len == 0)
        return KK_ERR_NOTFOUND;
    if (len != ST_CTR_SIZE)
        return KK_ERR_CORRUPT;
    /* The MAC first: nothing of a record that does not check out is
     * interpreted. */
    r = ctr_mac(rec, enc, key, mac);
    if (r != KK_OK)
        return r == KK_ERR_RANGE ? KK_ERR_CORRUPT : r;
    if (!kk_memeq_ct(mac, rec + CTR_BODY, ST_CTR_MAC_LEN))
        return KK_ERR_CORRUPT;
    memset(&c, 0, sizeof c);
    sp = kk_span_make(rec, CTR_BODY);
    if (kk_span_get_bytes(&sp, CTR_MAGIC_LEN, &p) != KK_OK ||
        memcmp(p, CTR_MAGIC, CTR_MAGIC_LEN) != 0)
        return KK_ERR_CORRUPT;
    if (get_le(&sp, 4, &v) != KK_OK || v != ST_CTR_VERSION ||
        get_le(&sp, 4, &pad) != KK_OK || pad != 0)
        return KK_ERR_CORRUPT;
    for (unsigned i = 0; i < OTP_BUDGETS; i++) {
        struct st_budget *b = &c.budget[i];
        uint64_t t;
        if (get_le(&sp, 4, &v) != KK_OK || v > ST_CONSEC_MAX ||
            get_le(&sp, 4, &pad) != KK_OK || pad != 0)
            return KK_ERR_CORRUPT;
        b->consec = (unsigned)v;
        if (get_le(&sp, 8, &b->total) != KK_OK)
            return KK_ERR_CORRUPT;
        if (get_le(&sp, 8, &t) != KK_OK || t > (uint64_t)ST_TIME_MAX)
            return KK_ERR_CORRUPT;
        b->last_fail = (int64_t)t;
        if (get_le(&sp, 8, &b->level) != KK_OK)
            return KK_ERR_CORRUPT;
        if (get_le(&sp, 8, &t) != KK_OK || t > (uint64_t)ST_TIME_MAX)
            return KK_ERR_CORRUPT;
        b->level_time = (int64_t)t;
        if (!budget_valid(b))
            return KK_ERR_CORRUPT;
    }
    if (kk_span_left(&sp) != 0)
        return KK_ERR_CORRUPT;
    *out = c;
    return KK_OK;
}

/* ---- conservative reset ---- */

void st_counters_reset(struct st_counters *c, const struct otp_policy *pol,
                       int64_t now)
{
    uint64_t consec = pol->backoff_after;

    memset(c, 0, sizeof *c);
    if (consec > ST_CONSEC_MAX)
        consec = ST_CONSEC_MAX;
    for (unsigned i = 0; i < OTP_BUDGETS; i++) {
        struct st_budget *b = &c->budget[i];
        b->consec = (unsigned)consec;
        b->total = consec;
        b->last_fail = 0;
        /* Whole failures, rounded down, so the cap never refuses the very
         * next attempt (daily_max 1 resets to 0). */
        b->level = (uint64_t)(pol->daily_max / 2) * ST_LEVEL_UNIT;
        b->level_time = now < 0 ? 0 : now > ST_TIME_MAX ? ST_TIME_MAX : now;
    }
}
