/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * base.c - error texts, diagnostics, checked arithmetic and secrets.
 *
 * Secrets use libsodium's guarded allocations (guard pages, mlock, wiped on
 * free).  That costs a few pages per secret, which is fine for the handful
 * of keys a process holds; bulk data never goes through kk_secret.
 */
#include "kalkan/kk.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <sodium.h>

const char *kk_strerror(int err)
{
    switch (err) {
    case KK_OK:
        return "success";
    case KK_ERR_NOMEM:
        return "out of memory";
    case KK_ERR_INVAL:
        return "invalid input";
    case KK_ERR_RANGE:
        return "value out of range";
    case KK_ERR_OVERFLOW:
        return "size overflow";
    case KK_ERR_TRUNC:
        return "buffer too small or input truncated";
    case KK_ERR_IO:
        return "input/output error";
    case KK_ERR_NOTFOUND:
        return "not found";
    case KK_ERR_EXISTS:
        return "already exists";
    case KK_ERR_PERM:
        return "permission denied";
    case KK_ERR_CRYPTO:
        return "cryptographic failure";
    case KK_ERR_CORRUPT:
        return "stored data is corrupt";
    case KK_ERR_LIMIT:
        return "limit exceeded";
    case KK_ERR_AUTH:
        return "authentication failed";
    case KK_ERR_REPLAY:
        return "code already used";
    case KK_ERR_THROTTLED:
        return "too many attempts, try again later";
    case KK_ERR_BUSY:
        return "resource busy";
    case KK_ERR_UNSUPPORTED:
        return "not supported";
    case KK_ERR_SYSTEM:
        return "system call failed";
    case KK_ERR_PROTO:
        return "protocol error";
    case KK_ERR_TIMEOUT:
        return "timed out";
    default:
        return "unknown error";
    }
}

void kk_diag_set(struct kk_diag *d, const char *fmt, ...)
{
    va_list ap;

    if (d == NULL)
        return;
    va_start(ap, fmt);
    (void)vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
}

void kk_diag_clear(struct kk_diag *d)
{
    if (d != NULL)
        d->msg[0] = '\0';
}

int kk_size_add(size_t a, size_t b, size_t *out)
{
    size_t r;

    if (__builtin_add_overflow(a, b, &r))
        return KK_ERR_OVERFLOW;
    *out = r;
    return KK_OK;
}

int kk_size_mul(size_t a, size_t b, size_t *out)
{
    size_t r;

    if (__builtin_mul_overflow(a, b, &r))
        return KK_ERR_OVERFLOW;
    *out = r;
    return KK_OK;
}

void kk_wipe(void *p, size_t len)
{
    if (p != NULL && len > 0)
        sodium_memzero(p, len);
}

bool kk_memeq_ct(const void *a, const void *b, size_t len)
{
    const volatile uint8_t *x = a;
    const volatile uint8_t *y = b;
    uint8_t acc = 0;

    for (size_t i = 0; i < len; i++)
        acc |= (uint8_t)(x[i] ^ y[i]);
    return acc == 0;
}

bool kk_streq_ct(const char *a, const char *b)
{
    size_t la = strlen(a);
    size_t lb = strlen(b);
    size_t n = la < lb ? la : lb;
    /* Compare the common prefix in full, then fold in the length check. */
    bool same = kk_memeq_ct(a, b, n);

    return same & (la == lb);
}

int kk_random(void *out, size_t len)
{
    uint8_t *p = out;
    size_t got = 0;

    while (got < len) {
        ssize_t n = getrandom(p + got, len - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return KK_ERR_SYSTEM;
        }
        got += (size_t)n;
    }
    return KK_OK;
}

struct kk_secret {
    size_t len;
    uint8_t *bytes;
};

int kk_secret_new(size_t len, struct kk_secret **out)
{
    struct kk_secret *s = NULL;
    int r = KK_OK;

    if (len == 0 || len > KK_SECRET_MAX)
        return KK_ERR_RANGE;
    if (sodium_init() < 0)
        return KK_ERR_CRYPTO;
    s = calloc(1, sizeof *s);
    if (s == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    s->bytes = sodium_malloc(len);
    if (s->bytes == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    sodium_memzero(s->bytes, len);
    s->len = len;
    *out = s;
    s = NULL;
out:
    free(s);
    return r;
}

void kk_secret_free(struct kk_secret *s)
{
    if (s == NULL)
        return;
    sodium_free(s->bytes); /* wipes before unmapping */
    free(s);
}

uint8_t *kk_secret_ptr(struct kk_secret *s)
{
    return s->bytes;
}

const uint8_t *kk_secret_cptr(const struct kk_secret *s)
{
    return s->bytes;
}

size_t kk_secret_len(const struct kk_secret *s)
{
    return s->len;
}
