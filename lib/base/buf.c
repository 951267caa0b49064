/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * buf.c - the size-capped growable buffer, the bounded read cursor and the
 * JSON string writer.
 *
 * The buffer doubles its storage as it grows (amortised O(1) appends) but
 * never past the cap its owner set, so every producer of output from
 * hostile input is bounded.  Old storage is wiped when it is replaced,
 * because buffers often carry secrets (URIs, state files).
 */
#include "kalkan/kk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kk_buf {
    uint8_t *data;
    size_t len;
    size_t cap; /* allocated bytes, including room for the NUL */
    size_t max; /* most content bytes allowed */
};

static uint8_t kk_empty[1];

struct kk_buf *kk_buf_new(size_t max)
{
    struct kk_buf *b = calloc(1, sizeof *b);

    if (b == NULL)
        return NULL;
    b->max = max;
    return b;
}

void kk_buf_free(struct kk_buf *b)
{
    if (b == NULL)
        return;
    /* Bytes past len were never written or were wiped when they were
     * dropped (reset, truncate, a failed putf), so only len is wiped: a
     * large buffer holding a short text costs what the text costs. */
    if (b->data != NULL) {
        kk_wipe(b->data, b->len + 1);
        free(b->data);
    }
    free(b);
}

/* Makes room for extra more bytes plus the NUL. */
static int buf_reserve(struct kk_buf *b, size_t extra)
{
    size_t need;
    size_t ncap;
    uint8_t *n;

    if (kk_size_add(b->len, extra, &need) != KK_OK || need > b->max)
        return KK_ERR_LIMIT;
    if (kk_size_add(need, 1, &need) != KK_OK)
        return KK_ERR_OVERFLOW;
    if (need <= b->cap)
        return KK_OK;
    ncap = b->cap < 64 ? 64 : b->cap;
    while (ncap < need) {
        if (kk_size_mul(ncap, 2, &ncap) != KK_OK)
            return KK_ERR_OVERFLOW;
    }
    if (ncap > b->max + 1)
        ncap = b->max + 1;
    n = malloc(ncap);
    if (n == NULL)
        return KK_ERR_NOMEM;
    if (b->data != NULL) {
        memcpy(n, b->data, b->len);
        kk_wipe(b->data, b->len + 1);
        free(b->data);
    }
    b->data = n;
    b->cap = ncap;
    return KK_OK;
}

int kk_buf_reserve(struct kk_buf *b, size_t extra)
{
    return buf_reserve(b, extra);
}

int kk_buf_put(struct kk_buf *b, const void *data, size_t len)
{
    int r = buf_reserve(b, len);

    if (r != KK_OK)
        return r;
    if (len > 0)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = 0;
    return KK_OK;
}

int kk_buf_puts(struct kk_buf *b, const char *s)
{
    return kk_buf_put(b, s, strlen(s));
}

int kk_buf_putc(struct kk_buf *b, int c)
{
    uint8_t ch = (uint8_t)c;

    return kk_buf_put(b, &ch, 1);
}

int kk_buf_putf(struct kk_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    int r;

    /* One pass when the text fits the room left, two otherwise. */
    va_start(ap, fmt);
    n = vsnprintf(b->data != NULL ? (char *)b->data + b->len : NULL,
                  b->data != NULL ? b->cap - b->len : 0, fmt, ap);
    va_end(ap);
    if (n >= 0 && b->data != NULL && (size_t)n < b->cap - b->len &&
        b->len + (size_t)n <= b->max) {
        b->len += (size_t)n;
        return KK_OK;
    }
    /* Whatever the first pass wrote past len goes. */
    if (b->data != NULL) {
        size_t room = b->cap - b->len;
        size_t wrote = n < 0 ? room : ((size_t)n < room ? (size_t)n : room);
        kk_wipe(b->data + b->len, wrote);
    }
    if (n < 0)
        return KK_ERR_INVAL;
    r = buf_reserve(b, (size_t)n);
    if (r != KK_OK)
        return r;
    va_start(ap, fmt);
    (void)vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return KK_OK;
}

uint8_t *kk_buf_take(struct kk_buf *b, size_t *len)
{
    uint8_t *data = b->data;
    if (data == NULL) {
        data = malloc(1);
        if (data == NULL)
            return NULL;
        data[0] = 0;
    }
    *len = b->len;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return data;
}

const char *kk_buf_str(const struct kk_buf *b)
{
    return b->data != NULL ? (const char *)b->data : (const char *)kk_empty;
}

const uint8_t *kk_buf_data(const struct kk_buf *b)
{
    return b->data != NULL ? b->data : kk_empty;
}

size_t kk_buf_len(const struct kk_buf *b)
{
    return b->len;
}

void kk_buf_reset(struct kk_buf *b)
{
    if (b->data != NULL) {
        kk_wipe(b->data, b->cap);
        b->data[0] = 0;
    }
    b->len = 0;
}

void kk_buf_truncate(struct kk_buf *b, size_t len)
{
    if (len >= b->len)
        return;
    kk_wipe(b->data + len, b->len - len);
    b->len = len;
}

struct kk_span kk_span_make(const void *p, size_t len)
{
    struct kk_span s = {.p = p, .len = len, .off = 0};

    return s;
}

size_t kk_span_left(const struct kk_span *s)
{
    return s->len - s->off;
}

int kk_span_get_u8(struct kk_span *s, uint8_t *out)
{
    if (kk_span_left(s) < 1)
        return KK_ERR_TRUNC;
    *out = s->p[s->off++];
    return KK_OK;
}

int kk_span_get_bytes(struct kk_span *s, size_t n, const uint8_t **out)
{
    if (kk_span_left(s) < n)
        return KK_ERR_TRUNC;
    *out = s->p + s->off;
    s->off += n;
    return KK_OK;
}

int kk_span_get_line(struct kk_span *s, size_t max, const char **line,
                     size_t *len)
{
    const uint8_t *start = s->p + s->off;
    size_t left = kk_span_left(s);
    const uint8_t *nl;
    size_t n;
    size_t adv;

    if (left == 0)
        return KK_ERR_NOTFOUND;
    nl = memchr(start, '\n', left);
    n = nl != NULL ? (size_t)(nl - start) : left;
    adv = nl != NULL ? n + 1 : n;
    if (n > 0 && start[n - 1] == '\r')
        n--;
    if (n > max)
        return KK_ERR_LIMIT;
    if (memchr(start, 0, n) != NULL)
        return KK_ERR_INVAL;
    *line = (const char *)start;
    *len = n;
    s->off += adv;
    return KK_OK;
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid. */
static size_t utf8_seq(const uint8_t *p, size_t left)
{
    uint32_t cp;
    size_t n;

    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        n = 2;
    else if (p[0] >= 0xe0 && p[0] <= 0xef)
        n = 3;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        n = 4;
    else
        return 0;
    if (left < n)
        return 0;
    cp = p[0] & (0xffu >> (n + 1));
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3fu);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

int kk_json_str(struct kk_buf *b, const char *s)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t len = strlen(s);
    size_t i = 0;
    int r = kk_buf_putc(b, '"');

    while (r == KK_OK && i < len) {
        uint8_t c = p[i];
        size_t n;

        if (c == '"' || c == '\\') {
            r = kk_buf_putc(b, '\\');
            if (r == KK_OK)
                r = kk_buf_putc(b, c);
            i++;
        } else if (c == '\n') {
            r = kk_buf_puts(b, "\\n");
            i++;
        } else if (c == '\t') {
            r = kk_buf_puts(b, "\\t");
            i++;
        } else if (c == '\r') {
            r = kk_buf_puts(b, "\\r");
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            r = kk_buf_putf(b, "\\u%04x", c);
            i++;
        } else {
            n = utf8_seq(p + i, len - i);
            if (n == 0) {
                r = kk_buf_puts(b, "\\ufffd");
                i++;
            } else {
                r = kk_buf_put(b, p + i, n);
                i += n;
            }
        }
    }
    if (r == KK_OK)
        r = kk_buf_putc(b, '"');
    return r;
}
