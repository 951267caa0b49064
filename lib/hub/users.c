/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * users.c - creating hub logins and bearer tokens from the command line.
 *
 * These run as the administrator on the server, outside any HTTP request,
 * so they use system statements; the checks a web form would make (role
 * names, outlet required or forbidden, password length) are made here too.
 */
#include <sodium.h>
#include <string.h>

#include "auth.h"
#include "model.h"

static int outlet_by_slug(struct hub_conn *c, const char *slug, int64_t *id)
{
    sqlite3_stmt *st = hub_q(c, HUB_Q_OUTLET_ID_BY_SLUG);
    int err = KK_ERR_NOTFOUND;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_text(st, ":slug", slug);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        err = KK_OK;
    }
    sqlite3_reset(st);
    return err;
}

static bool email_ok(const char *e)
{
    const char *at = strchr(e, '@');
    size_t n = strlen(e);
    if (n < 3 || n > KK_HUB_NAME_MAX || at == NULL || at == e ||
        at[1] == '\0' || strchr(at + 1, '@') != NULL)
        return false;
    for (const char *p = e; *p != '\0'; p++) {
        if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == '"')
            return false;
    }
    return true;
}

int hub_user_add(struct hub_db *db, const char *email, const char *role,
                 const char *outlet_slug, const char *password,
                 const uint8_t *totp_secret, size_t secret_len, int64_t *id,
                 struct kk_diag *d)
{
    struct hub_conn *c = NULL;
    char hash[crypto_pwhash_STRBYTES];
    uint8_t sealed[256];
    size_t sealed_len = 0;
    int64_t uid = 0, outlet = 0;
    int r = hub_role_from_name(role), err;
    bool needs_outlet = r == HUB_ROLE_ASSISTANT || r == HUB_ROLE_FOCAL ||
                        r == HUB_ROLE_STAFF || r == HUB_ROLE_DEVICE;
    sqlite3_stmt *st;
    if (r == 0) {
        kk_diag_set(d,
                    "unknown role '%s' (trainer, assistant, focal, staff, "
                    "donor, device, panel)",
                    role != NULL ? role : "");
        return KK_ERR_INVAL;
    }
    if (email == NULL || !email_ok(email)) {
        kk_diag_set(d, "not an e-mail address");
        return KK_ERR_INVAL;
    }
    if (needs_outlet && outlet_slug == NULL) {
        kk_diag_set(d, "role %s needs --outlet", role);
        return KK_ERR_INVAL;
    }
    if (!needs_outlet && outlet_slug != NULL) {
        kk_diag_set(d, "role %s sees the whole programme; drop --outlet", role);
        return KK_ERR_INVAL;
    }
    if (password == NULL || strlen(password) < KK_HUB_PASSWORD_MIN ||
        strlen(password) > KK_HUB_PASSWORD_MAX) {
        kk_diag_set(d, "the password must have %d to %d characters",
                    KK_HUB_PASSWORD_MIN, KK_HUB_PASSWORD_MAX);
        return KK_ERR_INVAL;
    }
    err = hub_conn_get(db, &c);
    if (err != KK_OK)
        goto out;
    if (outlet_slug != NULL) {
        err = outlet_by_slug(c, outlet_slug, &outlet);
        if (err != KK_OK) {
            kk_diag_set(d, "no outlet '%s'", outlet_slug);
            goto out;
        }
    }
    err = hub_new_id(&uid);
    if (err == KK_OK)
        err = hub_pw_hash(password, hash, sizeof hash);
    if (err == KK_OK && totp_secret != NULL)
        err = hub_totp_seal(db, uid, totp_secret, secret_len, sealed,
                            sizeof sealed, &sealed_len);
    if (err != KK_OK)
        goto out;
    err = hub_tx_begin(c);
    if (err != KK_OK)
        goto out;
    st = hub_q(c, HUB_Q_USER_INSERT);
    hub_bind_i64(st, ":id", uid);
    hub_bind_text(st, ":email", email);
    hub_bind_text(st, ":role", hub_role_name(r));
    hub_bind_text(st, ":pw", hash);
    if (totp_secret != NULL)
        hub_bind_blob(st, ":totp", sealed, sealed_len);
    else
        hub_bind_null(st, ":totp");
    hub_bind_null(st, ":person");
    hub_bind_i64(st, ":now", hub_now());
    err = hub_exec(st);
    if (err == KK_OK && outlet != 0) {
        st = hub_q(c, HUB_Q_USER_OUTLET_ADD);
        hub_bind_i64(st, ":user", uid);
        hub_bind_i64(st, ":outlet", outlet);
        err = hub_exec(st);
    }
    if (err == KK_OK && outlet != 0) {
        st = hub_q(c, HUB_Q_USER_LINK_PERSON);
        hub_bind_i64(st, ":outlet", outlet);
        hub_bind_text(st, ":email", email);
        hub_bind_i64(st, ":id", uid);
        err = hub_exec(st);
    }
    if (err != KK_OK) {
        hub_tx_rollback(c);
        kk_diag_set(d,
                    err == KK_ERR_EXISTS ? "%s already has a login"
                                         : "cannot add %s",
                    email);
        goto out;
    }
    err = hub_tx_commit(c);
    if (err == KK_OK && id != NULL)
        *id = uid;
out:
    kk_wipe(sealed, sizeof sealed);
    return err;
}

int hub_token_create(struct hub_db *db, const char *email, int64_t device_id,
                     char *out, size_t cap, struct kk_diag *d)
{
    struct hub_conn *c = NULL;
    uint8_t raw[32], h[32];
    char text[64];
    int64_t uid = 0;
    int err;
    sqlite3_stmt *st;
    if (cap < 64)
        return KK_ERR_TRUNC;
    err = hub_conn_get(db, &c);
    if (err != KK_OK)
        return err;
    st = hub_q(c, HUB_Q_USER_BY_EMAIL);
    hub_bind_text(st, ":email", email);
    if (sqlite3_step(st) == SQLITE_ROW)
        uid = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (uid == 0) {
        kk_diag_set(d, "no login with that e-mail");
        return KK_ERR_NOTFOUND;
    }
    if (device_id != 0) {
        st = hub_q(c, HUB_Q_DEVICE_OUTLET);
        hub_bind_i64(st, ":id", device_id);
        err = sqlite3_step(st) == SQLITE_ROW ? KK_OK : KK_ERR_NOTFOUND;
        sqlite3_reset(st);
        if (err != KK_OK) {
            kk_diag_set(d, "no device %lld", (long long)device_id);
            return err;
        }
    }
    randombytes_buf(raw, sizeof raw);
    /* "kk_" marks the token's kind for secret scanners. */
    memcpy(text, "kk_", 3);
    sodium_bin2base64(text + 3, sizeof text - 3, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    hub_hash(text, strlen(text), h);
    st = hub_q(c, HUB_Q_TOKEN_INSERT);
    hub_bind_blob(st, ":h", h, sizeof h);
    hub_bind_i64(st, ":user", uid);
    if (device_id != 0)
        hub_bind_i64(st, ":device", device_id);
    else
        hub_bind_null(st, ":device");
    hub_bind_i64(st, ":now", hub_now());
    err = hub_exec(st);
    if (err == KK_OK)
        memcpy(out, text, strlen(text) + 1);
    else
        kk_diag_set(d, "cannot store the token");
    kk_wipe(raw, sizeof raw);
    kk_wipe(text, sizeof text);
    return err;
}
