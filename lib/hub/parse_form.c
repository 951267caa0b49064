/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * parse_form.c - UTF-8 validation, application/x-www-form-urlencoded
 * bodies and query strings, percent-encoding of query values, and the
 * Cookie header.
 *
 * A form is decoded in one pass into a single block that holds every key
 * and value back to back: decoding never makes text longer, so the input
 * length plus two NULs a pair bounds it.  With the array of pairs that is
 * two allocations a form, whatever its size.  Lookups are linear scans:
 * a form holds at most KK_HUB_FORM_FIELDS_MAX pairs and a handler reads a
 * few declared keys, so a hash table would cost more than it saves.
 *
 * Limits: KK_HUB_FIELD_MAX applies to decoded keys as well as values (a
 * 64 KiB key is never legitimate).  A Cookie header is scanned in place
 * and nothing is allocated.
 */
#include "parse.h"

#include <stdlib.h>
#include <string.h>

struct form_pair {
    const char *key;
    const char *val;
};

struct hub_form {
    struct form_pair *pairs;
    size_t n;
    char *text; /* every decoded key and value, NUL-terminated */
};

/* ---- UTF-8 ---- */

/*
 * Length of the continuation of a UTF-8 lead byte c and the allowed range
 * of the first continuation byte (which excludes overlongs, surrogates
 * and code points above U+10FFFF, per RFC 3629 section 4); 0 if c cannot
 * start a sequence.
 */
static size_t utf8_tail(unsigned c, unsigned *lo, unsigned *hi)
{
    size_t n = 0;

    *lo = 0x80;
    *hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 1;
    } else if (c == 0xE0) {
        n = 2;
        *lo = 0xA0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
        n = 2;
    } else if (c == 0xED) {
        n = 2;
        *hi = 0x9F;
    } else if (c == 0xF0) {
        n = 3;
        *lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
        n = 3;
    } else if (c == 0xF4) {
        n = 3;
        *hi = 0x8F;
    }
    return n;
}

#define ASCII_HIGH UINT64_C(0x8080808080808080)
#define ASCII_LOW UINT64_C(0x7F7F7F7F7F7F7F7F)

bool hub_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    bool ok = true;

    if (s == NULL)
        return len == 0;
    while (ok && i < len) {
        unsigned c = p[i];
        unsigned lo;
        unsigned hi;
        size_t n;
        uint64_t w;

        /* Eight ASCII bytes at a time: no high bit, and adding 0x7F to
         * each byte (no carry can cross bytes then) sets every high bit
         * unless a byte is zero. */
        if (len - i >= 8) {
            memcpy(&w, p + i, 8);
            if ((w & ASCII_HIGH) == 0 &&
                ((w + ASCII_LOW) & ASCII_HIGH) == ASCII_HIGH) {
                i += 8;
                continue;
            }
        }
        if (c >= 0x01 && c < 0x80) {
            i++;
            continue;
        }
        n = c == 0 ? 0 : utf8_tail(c, &lo, &hi);
        if (n == 0 || len - i - 1 < n || p[i + 1] < lo || p[i + 1] > hi) {
            ok = false;
            break;
        }
        for (size_t k = 2; k <= n; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                ok = false;
        }
        i += n + 1;
    }
    return ok;
}

/* ---- Forms ---- */

static int hex_val(unsigned char c)
{
    int v = -1;

    if (c >= '0' && c <= '9')
        v = c - '0';
    else if (c >= 'a' && c <= 'f')
        v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
        v = c - 'A' + 10;
    return v;
}

/*
 * Decodes raw[0..n) ('+' is a space, %XX a byte) into dst, which has room
 * for n bytes plus a NUL, and checks the result.  base is the offset of
 * raw in the whole input and what names the part, for the diagnostic.
 */
static int form_decode(const char *raw, size_t n, char *dst, size_t base,
                       const char *what, struct kk_diag *d)
{
    size_t o = 0;
    int r = KK_ERR_INVAL;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)raw[i];

        if (o == KK_HUB_FIELD_MAX) {
            kk_diag_set(d, "%s at byte %zu is longer than %d bytes", what, base,
                        KK_HUB_FIELD_MAX);
            r = KK_ERR_LIMIT;
            goto out;
        }
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int h = n - i >= 3 ? hex_val((unsigned char)raw[i + 1]) : -1;
            int l = n - i >= 3 ? hex_val((unsigned char)raw[i + 2]) : -1;
            if (h < 0 || l < 0) {
                kk_diag_set(d, "bad percent escape at byte %zu", base + i);
                goto out;
            }
            c = (unsigned char)(h * 16 + l);
            i += 2;
        }
        if (c == 0) {
            kk_diag_set(d, "NUL byte at byte %zu", base + i);
            goto out;
        }
        dst[o++] = (char)c;
    }
    dst[o] = '\0';
    if (!hub_utf8_valid(dst, o)) {
        kk_diag_set(d, "%s at byte %zu is not valid UTF-8", what, base);
        goto out;
    }
    r = KK_OK;
out:
    return r;
}

void hub_form_free(struct hub_form *f)
{
    if (f == NULL)
        return;
    free(f->pairs);
    free(f->text);
    free(f);
}

int hub_form_parse(const char *data, size_t len, struct hub_form **out,
                   struct kk_diag *d)
{
    struct hub_form *f = NULL;
    size_t count = 0;
    size_t tlen;
    size_t t = 0;
    size_t i = 0;
    int r = KK_ERR_INVAL;

    if (out == NULL || (data == NULL && len > 0)) {
        kk_diag_set(d, "no form to parse");
        goto out;
    }
    /* Count the non-empty pairs first: one exact allocation for each. */
    while (i < len) {
        const char *amp = memchr(data + i, '&', len - i);
        size_t e = amp != NULL ? (size_t)(amp - data) : len;
        if (e > i && ++count > KK_HUB_FORM_FIELDS_MAX) {
            kk_diag_set(d, "more than %d fields", KK_HUB_FORM_FIELDS_MAX);
            r = KK_ERR_LIMIT;
            goto out;
        }
        i = e + 1;
    }
    r = KK_ERR_NOMEM;
    f = calloc(1, sizeof *f);
    if (f == NULL)
        goto out;
    if (count > 0) {
        /* count <= KK_HUB_FORM_FIELDS_MAX, so only len can overflow. */
        if (kk_size_add(len, 2 * count, &tlen) != KK_OK) {
            r = KK_ERR_OVERFLOW;
            goto out;
        }
        f->pairs = calloc(count, sizeof *f->pairs);
        f->text = malloc(tlen);
        if (f->pairs == NULL || f->text == NULL)
            goto out;
    }
    r = KK_OK;
    i = 0;
    while (r == KK_OK && i < len) {
        const char *amp = memchr(data + i, '&', len - i);
        size_t e = amp != NULL ? (size_t)(amp - data) : len;
        const char *eq = memchr(data + i, '=', e - i);
        size_t ke = eq != NULL ? (size_t)(eq - data) : e;
        size_t vs = eq != NULL ? ke + 1 : e;
        struct form_pair *p;

        if (e == i) {
            i = e + 1;
            continue;
        }
        p = &f->pairs[f->n];
        p->key = f->text + t;
        r = form_decode(data + i, ke - i, f->text + t, i, "key", d);
        if (r != KK_OK)
            break;
        t += strlen(p->key) + 1;
        p->val = f->text + t;
        r = form_decode(data + vs, e - vs, f->text + t, vs, "value", d);
        if (r != KK_OK)
            break;
        t += strlen(p->val) + 1;
        f->n++;
        i = e + 1;
    }
    if (r != KK_OK)
        goto out;
    *out = f;
    f = NULL;
out:
    hub_form_free(f);
    return r;
}

const char *hub_form_get(const struct hub_form *f, const char *key)
{
    return hub_form_get_nth(f, key, 0);
}

size_t hub_form_count_of(const struct hub_form *f, const char *key)
{
    size_t n = 0;

    if (f == NULL || key == NULL)
        return 0;
    for (size_t i = 0; i < f->n; i++) {
        if (strcmp(f->pairs[i].key, key) == 0)
            n++;
    }
    return n;
}

const char *hub_form_get_nth(const struct hub_form *f, const char *key,
                             size_t i)
{
    const char *v = NULL;

    if (f == NULL || key == NULL)
        return NULL;
    for (size_t k = 0; k < f->n; k++) {
        if (strcmp(f->pairs[k].key, key) == 0 && i-- == 0) {
            v = f->pairs[k].val;
            break;
        }
    }
    return v;
}

size_t hub_form_len(const struct hub_form *f)
{
    return f != NULL ? f->n : 0;
}

const char *hub_form_key(const struct hub_form *f, size_t i)
{
    return f != NULL && i < f->n ? f->pairs[i].key : NULL;
}

const char *hub_form_val(const struct hub_form *f, size_t i)
{
    return f != NULL && i < f->n ? f->pairs[i].val : NULL;
}

/* RFC 3986 section 2.3. */
static bool is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
           c == '~';
}

int hub_url_encode(struct kk_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t start;
    int r = KK_ERR_INVAL;

    if (b == NULL || s == NULL)
        goto out;
    start = kk_buf_len(b);
    r = KK_OK;
    while (r == KK_OK && *s != '\0') {
        const char *q = s;
        while (is_unreserved((unsigned char)*q))
            q++;
        if (q > s) {
            r = kk_buf_put(b, s, (size_t)(q - s));
            s = q;
        } else {
            unsigned char c = (unsigned char)*s++;
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            r = kk_buf_put(b, e, sizeof e);
        }
    }
    if (r != KK_OK)
        kk_buf_truncate(b, start);
out:
    return r;
}

/* ---- Cookie header ---- */

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/*
 * The header is split on ';'; each part is "name=value" with optional
 * whitespace around the name and the value.  A part without '=' (a
 * nameless cookie) never matches.  A value in double quotes loses them:
 * RFC 6265 puts DQUOTE outside cookie-octet.  The value found must hold
 * no control character and be valid UTF-8, or KK_ERR_INVAL.
 */
int hub_cookie_get(const char *header, const char *name, char *out, size_t cap)
{
    size_t hlen;
    size_t nlen;
    size_t i = 0;
    int r = KK_ERR_INVAL;

    if (name == NULL || name[0] == '\0' || out == NULL || cap == 0)
        goto out;
    r = KK_ERR_NOTFOUND;
    if (header == NULL)
        goto out;
    hlen = strnlen(header, (size_t)KK_HUB_COOKIE_MAX + 1);
    if (hlen > KK_HUB_COOKIE_MAX) {
        r = KK_ERR_INVAL;
        goto out;
    }
    nlen = strlen(name);
    while (i < hlen) {
        const char *semi = memchr(header + i, ';', hlen - i);
        size_t pe = semi != NULL ? (size_t)(semi - header) : hlen;
        size_t ps = i;
        const char *eq;
        size_t ne;
        size_t vs;
        size_t ve;

        i = pe + 1;
        while (ps < pe && is_ows(header[ps]))
            ps++;
        eq = memchr(header + ps, '=', pe - ps);
        if (eq == NULL)
            continue;
        ne = (size_t)(eq - header);
        while (ne > ps && is_ows(header[ne - 1]))
            ne--;
        if (ne - ps != nlen || memcmp(header + ps, name, nlen) != 0)
            continue;
        vs = (size_t)(eq - header) + 1;
        ve = pe;
        while (vs < ve && is_ows(header[vs]))
            vs++;
        while (ve > vs && is_ows(header[ve - 1]))
            ve--;
        if (ve - vs >= 2 && header[vs] == '"' && header[ve - 1] == '"') {
            vs++;
            ve--;
        }
        r = KK_ERR_INVAL;
        for (size_t k = vs; k < ve; k++) {
            unsigned char c = (unsigned char)header[k];
            if (c < 0x20 || c == 0x7f)
                goto out;
        }
        if (!hub_utf8_valid(header + vs, ve - vs))
            goto out;
        r = KK_ERR_TRUNC;
        if (ve - vs >= cap)
            goto out;
        memcpy(out, header + vs, ve - vs);
        out[ve - vs] = '\0';
        r = KK_OK;
        goto out;
    }
out:
    return r;
}
