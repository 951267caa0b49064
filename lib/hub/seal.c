/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * seal.c - free text sealed at rest under the database key (seal.h).
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "seal.h"

#define NPUB crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG crypto_aead_xchacha20poly1305_ietf_ABYTES

static size_t ad_for(const char *context, int64_t id, char *ad, size_t cap)
{
    int n =
        snprintf(ad, cap, "kalkan-hub-seal:%s:%lld", context, (long long)id);
    return n < 0 ? 0 : ((size_t)n < cap ? (size_t)n : cap - 1);
}

size_t hub_sealed_len(size_t len)
{
    return NPUB + len + TAG;
}

int hub_seal_text(const struct hub_db *db, const char *context, int64_t id,
                  const char *text, size_t len, struct kk_buf *out)
{
    char ad[128];
    size_t adlen = ad_for(context, id, ad, sizeof ad);
    unsigned long long clen = 0;
    uint8_t nonce[NPUB];
    uint8_t *p;
    size_t at = kk_buf_len(out);
    int err;

    if (len > SIZE_MAX - NPUB - TAG)
        return KK_ERR_RANGE;
    err = kk_buf_reserve(out, hub_sealed_len(len));
    if (err != KK_OK)
        return err;
    randombytes_buf(nonce, sizeof nonce);
    err = kk_buf_put(out, nonce, sizeof nonce);
    if (err != KK_OK)
        return err;
    /* Reserve the ciphertext's room, then encrypt into it. */
    for (size_t i = 0; i < len + TAG && err == KK_OK; i++)
        err = kk_buf_putc(out, 0);
    if (err != KK_OK)
        return err;
    p = (uint8_t *)kk_buf_data(out) + at;
    if (crypto_aead_xchacha20poly1305_ietf_encrypt(
            p + NPUB, &clen, (const uint8_t *)text, len, (const uint8_t *)ad,
            adlen, NULL, p, db->key) != 0) {
        kk_buf_truncate(out, at);
        return KK_ERR_CRYPTO;
    }
    return KK_OK;
}

int hub_open_text(const struct hub_db *db, const char *context, int64_t id,
                  const void *sealed, size_t len, struct kk_buf *out)
{
    char ad[128];
    size_t adlen = ad_for(context, id, ad, sizeof ad);
    unsigned long long mlen = 0;
    const uint8_t *s = sealed;
    size_t at = kk_buf_len(out);
    uint8_t *p;
    int err = KK_OK;

    if (sealed == NULL || len == 0)
        return KK_OK; /* kk_buf_str(out) is "" */
    if (len < NPUB + TAG)
        return KK_ERR_CORRUPT;
    for (size_t i = 0; i < len - NPUB - TAG + 1 && err == KK_OK; i++)
        err = kk_buf_putc(out, 0);
    if (err != KK_OK)
        return err;
    p = (uint8_t *)kk_buf_data(out) + at;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            p, &mlen, NULL, s + NPUB, len - NPUB, (const uint8_t *)ad, adlen, s,
            db->key) != 0) {
        kk_buf_truncate(out, at);
        return KK_ERR_CORRUPT;
    }
    p[mlen] = '\0';
    kk_buf_truncate(out, at + (size_t)mlen);
    return KK_OK;
}

int hub_bind_sealed_db(const struct hub_db *db, sqlite3_stmt *st,
                       const char *name, const char *context, int64_t id,
                       const char *text)
{
    struct kk_buf *b;
    int err;

    if (text == NULL) {
        hub_bind_null(st, name);
        return KK_OK;
    }
    b = kk_buf_new(hub_sealed_len(strlen(text)) + 1);
    if (b == NULL)
        return KK_ERR_NOMEM;
    err = hub_seal_text(db, context, id, text, strlen(text), b);
    if (err == KK_OK)
        hub_bind_blob(st, name, kk_buf_data(b), kk_buf_len(b));
    kk_buf_free(b);
    return err;
}

int hub_bind_sealed(struct hub_req *r, sqlite3_stmt *st, const char *name,
                    const char *context, int64_t id, const char *text)
{
    int err = hub_bind_sealed_db(r->db->owner, st, name, context, id, text);
    if (err != KK_OK)
        r->err = err;
    return err;
}

int hub_col_opened(struct hub_req *r, sqlite3_stmt *st, int col,
                   const char *context, int64_t id, struct kk_buf *out)
{
    int err;

    kk_buf_reset(out);
    err = hub_open_text(r->db->owner, context, id, sqlite3_column_blob(st, col),
                        (size_t)sqlite3_column_bytes(st, col), out);
    if (err != KK_OK && err != KK_ERR_CORRUPT)
        r->err = err;
    return err;
}
