/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * auth.c - passwords, second factors, sessions, tokens and throttling.
 *
 * Passwords are Argon2id (libsodium) at 19 MiB and 2 passes, OWASP's
 * minimum; at most two hashes run at once (a semaphore), which bounds the
 * memory a login flood can take at 38 MiB and queues the rest.  An unknown
 * e-mail costs the same hash as a known one.  TOTP secrets are sealed with
 * XChaCha20-Poly1305 under the database's key file, bound to the user id,
 * so a stolen database alone yields no second factor.
 *
 * Throttling cannot lock the real user out: failures count per address,
 * per account+address and per account, but the per-account budget is only
 * enforced on browsers that never logged in to that account; a browser
 * that did carries a "known device" cookie and is judged by its own
 * address.  Back-off doubles from 1 s after the free attempts and is
 * capped at 15 minutes; a throttled attempt is refused before the password
 * is even hashed.  Sessions and tokens are 256-bit random values of which
 * only a hash is stored.
 */
#include <pthread.h>
#include <semaphore.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "kalkan/otp.h"

#define PW_OPS 2
#define PW_MEM (19u * 1024u * 1024u)
#define BACKOFF_MAX 900
#define THROTTLE_FORGET 3600 /* failures older than this are forgotten */
#define FREE_IP 20
#define FREE_ACCT_IP 5
#define FREE_ACCT 20
#define FREE_CODE 5
#define SEAL_MAX 256

static sem_t pw_sem;
static pthread_once_t pw_once = PTHREAD_ONCE_INIT;
static char dummy_hash[crypto_pwhash_STRBYTES];

static void pw_init(void)
{
    sem_init(&pw_sem, 0, 2);
    if (sodium_init() < 0 ||
        crypto_pwhash_str(dummy_hash, "kalkan-dummy-password", 21, PW_OPS,
                          PW_MEM) != 0)
        dummy_hash[0] = '\0';
}

int hub_pw_hash(const char *password, char *out, size_t cap)
{
    int rc;
    if (cap < crypto_pwhash_STRBYTES)
        return KK_ERR_TRUNC;
    pthread_once(&pw_once, pw_init);
    sem_wait(&pw_sem);
    rc = crypto_pwhash_str(out, password, strlen(password), PW_OPS, PW_MEM);
    sem_post(&pw_sem);
    return rc == 0 ? KK_OK : KK_ERR_NOMEM;
}

int hub_pw_verify(const char *hash, const char *password)
{
    int rc;
    pthread_once(&pw_once, pw_init);
    sem_wait(&pw_sem);
    rc = crypto_pwhash_str_verify(hash != NULL ? hash : dummy_hash, password,
                                  strlen(password));
    sem_post(&pw_sem);
    return rc == 0 && hash != NULL ? KK_OK : KK_ERR_AUTH;
}

void hub_hash(const void *p, size_t n, uint8_t out[32])
{
    crypto_generichash(out, 32, p, n, NULL, 0);
}

static void ad_for(int64_t user_id, char *ad, size_t cap)
{
    snprintf(ad, cap, "kalkan-hub-totp:%lld", (long long)user_id);
}

int hub_totp_seal(struct hub_db *db, int64_t user_id, const uint8_t *secret,
                  size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    char ad[48];
    unsigned long long clen;
    size_t need = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + len +
                  crypto_aead_xchacha20poly1305_ietf_ABYTES;
    if (cap < need)
        return KK_ERR_TRUNC;
    ad_for(user_id, ad, sizeof ad);
    randombytes_buf(out, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    if (crypto_aead_xchacha20poly1305_ietf_encrypt(
            out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &clen, secret,
            len, (const uint8_t *)ad, strlen(ad), NULL, out, db->key) != 0)
        return KK_ERR_CRYPTO;
    *out_len = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + (size_t)clen;
    return KK_OK;
}

int hub_totp_unseal(struct hub_db *db, int64_t user_id, const uint8_t *sealed,
                    size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    char ad[48];
    unsigned long long mlen;
    size_t nb = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    if (len < nb + crypto_aead_xchacha20poly1305_ietf_ABYTES ||
        cap < len - nb - crypto_aead_xchacha20poly1305_ietf_ABYTES)
        return KK_ERR_CORRUPT;
    ad_for(user_id, ad, sizeof ad);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            out, &mlen, NULL, sealed + nb, len - nb, (const uint8_t *)ad,
            strlen(ad), sealed, db->key) != 0)
        return KK_ERR_CORRUPT;
    *out_len = (size_t)mlen;
    return KK_OK;
}

/* --- throttling --- */

static int64_t throttle_wait(struct hub_conn *c, const char *key, int64_t free,
                             int64_t now)
{
    sqlite3_stmt *st = hub_q(c, HUB_Q_THROTTLE_GET);
    int64_t fails = 0, last = 0, wait = 0;
    if (st == NULL)
        return BACKOFF_MAX; /* fail closed */
    hub_bind_text(st, ":key", key);
    if (sqlite3_step(st) == SQLITE_ROW) {
        fails = sqlite3_column_int64(st, 0);
        last = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (now - last > THROTTLE_FORGET || fails < free)
        return 0;
    wait = fails - free >= 10 ? BACKOFF_MAX : (int64_t)1 << (fails - free);
    if (wait > BACKOFF_MAX)
        wait = BACKOFF_MAX;
    return last + wait > now ? last + wait - now : 0;
}

static void throttle_fail(struct hub_conn *c, const char *key, int64_t now)
{
    sqlite3_stmt *st = hub_q(c, HUB_Q_THROTTLE_FAIL);
    hub_bind_text(st, ":key", key);
    hub_bind_i64(st, ":now", now);
    if (hub_exec(st) != KK_OK)
        kk_log(KK_LOG_ERROR, "cannot record a failed login");
}

static void throttle_clear(struct hub_conn *c, const char *key)
{
    sqlite3_stmt *st = hub_q(c, HUB_Q_THROTTLE_CLEAR);
    hub_bind_text(st, ":key", key);
    if (hub_exec(st) != KK_OK)
        kk_log(KK_LOG_ERROR, "cannot clear a login counter");
}

int hub_login_password(struct hub_conn *c, const char *email,
                       const char *password, const char *ip, bool known_device,
                       int64_t *user_id)
{
    char k_ip[96], k_acct_ip[128], k_acct[64];
    int64_t now = hub_now(), uid = 0;
    char hash[crypto_pwhash_STRBYTES] = "";
    bool disabled = false, found = false;
    int err;
    sqlite3_stmt *st = hub_q(c, HUB_Q_USER_BY_EMAIL);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_text(st, ":email", email);
    if (sqlite3_step(st) == SQLITE_ROW) {
        uid = sqlite3_column_int64(st, 0);
        snprintf(hash, sizeof hash, "%s", hub_col_text(st, 2));
        disabled = sqlite3_column_int(st, 4) != 0;
        found = true;
    }
    sqlite3_reset(st);
    snprintf(k_ip, sizeof k_ip, "ip:%s", ip);
    snprintf(k_acct_ip, sizeof k_acct_ip, "pw:%lld:%s", (long long)uid, ip);
    snprintf(k_acct, sizeof k_acct, "pw:%lld", (long long)uid);
    if (throttle_wait(c, k_ip, FREE_IP, now) > 0 ||
        throttle_wait(c, k_acct_ip, FREE_ACCT_IP, now) > 0 ||
        (!known_device && throttle_wait(c, k_acct, FREE_ACCT, now) > 0))
        return KK_ERR_THROTTLED;
    err = hub_pw_verify(found ? hash : NULL, password);
    if (err == KK_OK && disabled)
        err = KK_ERR_AUTH;
    if (err != KK_OK) {
        throttle_fail(c, k_ip, now);
        throttle_fail(c, k_acct_ip, now);
        if (!known_device)
            throttle_fail(c, k_acct, now);
        return KK_ERR_AUTH;
    }
    throttle_clear(c, k_acct_ip);
    *user_id = uid;
    return KK_OK;
}

static int recovery_hash(struct hub_db *db, const char *code, uint8_t out[32])
{
    char norm[32];
    size_t n = 0;
    for (const char *p = code; *p != '\0'; p++) {
        if (*p == '-' || *p == ' ')
            continue;
        if (n + 1 >= sizeof norm)
            return KK_ERR_INVAL;
        norm[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    }
    norm[n] = '\0';
    if (n != 16)
        return KK_ERR_INVAL;
    crypto_generichash(out, 32, (const uint8_t *)norm, n, db->key,
                       sizeof db->key);
    return KK_OK;
}

static int user_secret(struct hub_conn *c, int64_t user_id, int col,
                       uint8_t *secret, size_t cap, size_t *len,
                       int64_t *last_step)
{
    sqlite3_stmt *st = hub_q(c, HUB_Q_USER_BY_ID);
    int err = KK_ERR_NOTFOUND;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":id", user_id);
    if (sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_type(st, col) == SQLITE_BLOB) {
        err = hub_totp_unseal(c->owner, user_id, sqlite3_column_blob(st, col),
                              (size_t)sqlite3_column_bytes(st, col), secret,
                              cap, len);
        if (last_step != NULL)
            *last_step = sqlite3_column_int64(st, 7);
    }
    sqlite3_reset(st);
    return err;
}

int hub_login_code(struct hub_conn *c, int64_t user_id, const char *code,
                   const char *ip)
{
    char k_code[64];
    uint8_t secret[KK_OTP_SECRET_MAX];
    size_t slen = 0;
    int64_t now = hub_now(), last = 0, off = 0;
    uint64_t center;
    int err;
    (void)ip;
    snprintf(k_code, sizeof k_code, "code:%lld", (long long)user_id);
    if (throttle_wait(c, k_code, FREE_CODE, now) > 0)
        return KK_ERR_THROTTLED;
    if (strlen(code) > 6) {
        uint8_t h[32];
        sqlite3_stmt *st;
        err = recovery_hash(c->owner, code, h);
        if (err == KK_OK) {
            st = hub_q(c, HUB_Q_RECOVERY_USE);
            hub_bind_i64(st, ":user", user_id);
            hub_bind_blob(st, ":h", h, sizeof h);
            hub_bind_i64(st, ":now", now);
            err = hub_exec(st);
            if (err == KK_OK && sqlite3_changes(c->db) != 1)
                err = KK_ERR_AUTH;
        } else {
            err = KK_ERR_AUTH;
        }
        goto out;
    }
    err = user_secret(c, user_id, 5, secret, sizeof secret, &slen, &last);
    if (err != KK_OK)
        goto out;
    err = otp_totp_step(now, 30, &center);
    if (err != KK_OK)
        goto out;
    err = otp_verify(secret, slen, OTP_ALG_SHA1, 6, center, 1, 1, code, &off);
    if (err == KK_ERR_INVAL || err == KK_ERR_RANGE)
        err = KK_ERR_AUTH;
    if (err == KK_OK) {
        sqlite3_stmt *st = hub_q(c, HUB_Q_USER_SET_STEP);
        hub_bind_i64(st, ":step", (int64_t)center + off);
        hub_bind_i64(st, ":now", now);
        hub_bind_i64(st, ":id", user_id);
        err = hub_exec(st);
        if (err == KK_OK && sqlite3_changes(c->db) != 1)
            err = KK_ERR_REPLAY;
    }
out:
    kk_wipe(secret, sizeof secret);
    if (err == KK_OK)
        throttle_clear(c, k_code);
    else if (err == KK_ERR_AUTH || err == KK_ERR_REPLAY)
        throttle_fail(c, k_code, now);
    return err;
}

static void b64url(const uint8_t *p, size_t n, char *out, size_t cap)
{
    sodium_bin2base64(out, cap, p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int hub_session_create(struct hub_conn *c, int64_t user_id, int stage,
                       char *cookie, size_t cap)
{
    uint8_t id[32], h[32], csrf_raw[24];
    char csrf[48];
    int64_t now = hub_now();
    sqlite3_stmt *st;
    int err;
    if (cap <
        sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING))
        return KK_ERR_TRUNC;
    randombytes_buf(id, sizeof id);
    randombytes_buf(csrf_raw, sizeof csrf_raw);
    b64url(csrf_raw, sizeof csrf_raw, csrf, sizeof csrf);
    /* The table keeps the hash of the cookie text, as the server sees it. */
    b64url(id, sizeof id, cookie, cap);
    hub_hash(cookie, strlen(cookie), h);
    /* Old sessions go when a new one is made: cheap housekeeping. */
    st = hub_q(c, HUB_Q_SESSION_PURGE);
    hub_bind_i64(st, ":idle", now - KK_HUB_SESSION_IDLE);
    hub_bind_i64(st, ":old", now - KK_HUB_SESSION_MAX);
    err = hub_exec(st);
    if (err != KK_OK)
        goto out;
    st = hub_q(c, HUB_Q_SESSION_INSERT);
    hub_bind_blob(st, ":h", h, sizeof h);
    hub_bind_i64(st, ":user", user_id);
    hub_bind_i64(st, ":stage", stage);
    hub_bind_text(st, ":csrf", csrf);
    hub_bind_i64(st, ":now", now);
    err = hub_exec(st);
out:
    if (err != KK_OK)
        kk_wipe(cookie, cap);
    kk_wipe(id, sizeof id);
    return err;
}

void hub_session_end(struct hub_conn *c, const uint8_t hash[32])
{
    sqlite3_stmt *st = hub_q(c, HUB_Q_SESSION_DELETE);
    hub_bind_blob(st, ":h", hash, 32);
    if (hub_exec(st) != KK_OK)
        kk_log(KK_LOG_ERROR, "cannot end a session");
}

int hub_enrol_start(struct hub_conn *c, int64_t user_id, char *b32, size_t cap)
{
    uint8_t secret[KK_OTP_SECRET_GEN], sealed[SEAL_MAX];
    size_t slen = 0;
    sqlite3_stmt *st;
    int err = otp_secret_generate(secret, sizeof secret);
    if (err != KK_OK)
        goto out;
    err = hub_totp_seal(c->owner, user_id, secret, sizeof secret, sealed,
                        sizeof sealed, &slen);
    if (err != KK_OK)
        goto out;
    st = hub_q(c, HUB_Q_USER_SET_PENDING);
    hub_bind_blob(st, ":sealed", sealed, slen);
    hub_bind_i64(st, ":id", user_id);
    err = hub_exec(st);
    if (err != KK_OK)
        goto out;
    err = otp_base32_encode(secret, sizeof secret, false, b32, cap, NULL);
out:
    kk_wipe(secret, sizeof secret);
    return err;
}

int hub_enrol_pending(struct hub_conn *c, int64_t user_id, char *b32,
                      size_t cap)
{
    uint8_t secret[KK_OTP_SECRET_MAX];
    size_t slen = 0;
    int err = user_secret(c, user_id, 6, secret, sizeof secret, &slen, NULL);
    if (err == KK_OK)
        err = otp_base32_encode(secret, slen, false, b32, cap, NULL);
    kk_wipe(secret, sizeof secret);
    return err;
}

int hub_enrol_finish(struct hub_conn *c, int64_t user_id, const char *code,
                     struct kk_buf *codes)
{
    uint8_t secret[KK_OTP_SECRET_MAX], sealed[SEAL_MAX];
    size_t slen = 0, sealed_len = 0;
    uint64_t center;
    int64_t off = 0;
    sqlite3_stmt *st;
    int err = user_secret(c, user_id, 6, secret, sizeof secret, &slen, NULL);
    if (err != KK_OK)
        goto out;
    err = otp_totp_step(hub_now(), 30, &center);
    if (err != KK_OK)
        goto out;
    err = otp_verify(secret, slen, OTP_ALG_SHA1, 6, center, 1, 1, code, &off);
    if (err != KK_OK) {
        err = KK_ERR_AUTH;
        goto out;
    }
    err = hub_totp_seal(c->owner, user_id, secret, slen, sealed, sizeof sealed,
                        &sealed_len);
    if (err != KK_OK)
        goto out;
    err = hub_tx_begin(c);
    if (err != KK_OK)
        goto out;
    st = hub_q(c, HUB_Q_USER_SET_TOTP);
    hub_bind_blob(st, ":sealed", sealed, sealed_len);
    hub_bind_i64(st, ":step", (int64_t)center + off);
    hub_bind_i64(st, ":id", user_id);
    err = hub_exec(st);
    if (err == KK_OK) {
        st = hub_q(c, HUB_Q_RECOVERY_CLEAR);
        hub_bind_i64(st, ":user", user_id);
        err = hub_exec(st);
    }
    for (int i = 0; err == KK_OK && i < 10; i++) {
        static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
        char text[20];
        uint8_t h[32];
        size_t n = 0;
        /* 16 characters of 31: 79 bits, without modulo bias. */
        for (size_t j = 0; j < 16; j++) {
            if (j > 0 && j % 4 == 0)
                text[n++] = '-';
            text[n++] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
        }
        text[n] = '\0';
        err = recovery_hash(c->owner, text, h);
        if (err == KK_OK) {
            st = hub_q(c, HUB_Q_RECOVERY_ADD);
            hub_bind_i64(st, ":user", user_id);
            hub_bind_blob(st, ":h", h, sizeof h);
            err = hub_exec(st);
        }
        if (err == KK_OK)
            err = kk_buf_putf(codes, "%s\n", text);
        kk_wipe(text, sizeof text);
    }
    if (err == KK_OK)
        err = hub_tx_commit(c);
    else
        hub_tx_rollback(c);
out:
    kk_wipe(secret, sizeof secret);
    return err;
}
