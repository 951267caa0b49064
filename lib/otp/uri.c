/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * uri.c - otpauth:// URIs (the Key Uri Format of Google Authenticator),
 * built for enrolment QR codes and parsed when a secret is imported.
 *
 * otpauth://TYPE/[ISSUER:]ACCOUNT?secret=B32&issuer=ISSUER&algorithm=A&
 * digits=N&period=S (TOTP) or &counter=C (HOTP).
 *
 * URIs arrive from other people's tools, so the parser is bounded (at most
 * KK_OTP_URI_MAX bytes, every decoded field into a fixed array with its
 * own limit), works in one pass without allocating, and fills the caller's
 * structure only when the whole URI is valid.  It is strict about what
 * would change the meaning (unknown type or algorithm, duplicate or
 * contradictory parameters, bad percent-encoding, control characters,
 * a second colon in the label) and lenient about what would not
 * (unknown parameters, case of names, "+" for a space in the query).
 * The builder emits exactly what the parser accepts, so building and
 * parsing round-trip; the fuzz target checks that property.
 */
#include "kalkan/otp.h"

#include <string.h>
#include <strings.h>

#define URI_SCHEME "otpauth://"
#define URI_SCHEME_LEN (sizeof URI_SCHEME - 1)

/* Decoded label: issuer, colon, spaces and account. */
#define URI_LABEL_CAP (2 * KK_OTP_LABEL_MAX + 64)

/* Decoded short values: algorithm, digits, period, counter. */
#define URI_SHORT_CAP 32

/* Bits of the parameters already seen, to refuse duplicates. */
enum {
    SEEN_SECRET = 1 << 0,
    SEEN_ISSUER = 1 << 1,
    SEEN_ALGORITHM = 1 << 2,
    SEEN_DIGITS = 1 << 3,
    SEEN_PERIOD = 1 << 4,
    SEEN_COUNTER = 1 << 5,
};

/* Bytes written as themselves: RFC 3986 unreserved, plus "@", which is
 * legal in a path and a query and which the Key Uri Format's examples keep
 * as it is in e-mail addresses. */
static bool is_plain(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
           c == '~' || c == '@';
}

static bool is_control(uint8_t c)
{
    return c < 0x20 || c == 0x7f;
}

static int hex_value(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Appends s percent-encoded: every byte but the plain ones. */
static int put_pct(struct kk_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    int r = KK_OK;

    for (const uint8_t *p = (const uint8_t *)s; *p != '\0' && r == KK_OK; p++) {
        if (is_plain(*p)) {
            r = kk_buf_putc(b, *p);
        } else {
            char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            r = kk_buf_put(b, esc, sizeof esc);
        }
    }
    return r;
}

/* A label part the builder can emit and the parser will read back: at most
 * KK_OTP_LABEL_MAX bytes, no colon, no control character. */
static bool label_ok(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);

    if (n > KK_OTP_LABEL_MAX || n == cap)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ':' || is_control((uint8_t)s[i]))
            return false;
    }
    return true;
}

int otp_uri_build(const struct otp_uri *u, struct kk_buf *out)
{
    char secret[KK_OTP_BASE32_MAX + 1];
    size_t start;
    const struct otp_params *p;
    bool hotp;
    int r;

    if (u == NULL || out == NULL)
        return KK_ERR_INVAL;
    start = kk_buf_len(out);
    p = &u->params;
    hotp = p->kind == OTP_KIND_HOTP;
    r = otp_params_check(p);
    if (r != KK_OK)
        goto out;
    if (!label_ok(u->issuer, sizeof u->issuer) ||
        !label_ok(u->account, sizeof u->account) || u->account[0] == '\0' ||
        u->account[0] == ' ' || u->secret_len < KK_OTP_SECRET_MIN ||
        u->secret_len > KK_OTP_SECRET_MAX) {
        r = KK_ERR_INVAL;
        goto out;
    }
    r = otp_base32_encode(u->secret, u->secret_len, false, secret,
                          sizeof secret, NULL);
    if (r != KK_OK)
        goto out;
    r = kk_buf_puts(out, hotp ? URI_SCHEME "hotp/" : URI_SCHEME "totp/");
    if (r == KK_OK && u->issuer[0] != '\0') {
        r = put_pct(out, u->issuer);
        if (r == KK_OK)
            r = kk_buf_putc(out, ':');
    }
    if (r == KK_OK)
        r = put_pct(out, u->account);
    if (r == KK_OK)
        r = kk_buf_putf(out, "?secret=%s", secret);
    if (r == KK_OK && u->issuer[0] != '\0') {
        r = kk_buf_puts(out, "&issuer=");
        if (r == KK_OK)
            r = put_pct(out, u->issuer);
    }
    if (r == KK_OK)
        r = kk_buf_putf(out, "&algorithm=%s&digits=%u", otp_alg_name(p->alg),
                        p->digits);
    if (r == KK_OK && hotp)
        r = kk_buf_putf(out, "&counter=%llu", (unsigned long long)p->counter);
    if (r == KK_OK && !hotp)
        r = kk_buf_putf(out, "&period=%u", p->period);
    /* Long labels escaped three-fold can outgrow what the parser reads. */
    if (r == KK_OK && kk_buf_len(out) - start > KK_OTP_URI_MAX)
        r = KK_ERR_LIMIT;
out:
    kk_wipe(secret, sizeof secret);
    if (r != KK_OK && out != NULL && u != NULL)
        kk_buf_truncate(out, start);
    return r;
}

/*
 * Percent-decodes n bytes at s into out (cap bytes, NUL-terminated).  In
 * the query "+" stands for a space (form encoding); in the path it is
 * itself.  KK_ERR_INVAL on a bad escape, KK_ERR_TRUNC if it does not fit.
 */
static int pct_decode(const char *s, size_t n, bool query, char *out,
                      size_t cap, size_t *outlen)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)s[i];

        if (c == '%') {
            int hi;
            int lo;

            if (n - i < 3)
                return KK_ERR_INVAL;
            hi = hex_value((uint8_t)s[i + 1]);
            lo = hex_value((uint8_t)s[i + 2]);
            if (hi < 0 || lo < 0)
                return KK_ERR_INVAL;
            c = (uint8_t)(hi << 4 | lo);
            i += 2;
        } else if (c == '+' && query) {
            c = ' ';
        }
        if (o + 1 >= cap)
            return KK_ERR_TRUNC;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    *outlen = o;
    return KK_OK;
}

/* Decodes a label part or issuer and refuses control characters (which
 * include a decoded NUL). */
static int decode_text(const char *s, size_t n, bool query, char *out,
                       size_t cap, const char *what, struct kk_diag *d)
{
    size_t len = 0;
    int r = pct_decode(s, n, query, out, cap, &len);

    if (r == KK_ERR_TRUNC) {
        kk_diag_set(d, "otpauth URI: %s is too long", what);
        return KK_ERR_INVAL;
    }
    if (r != KK_OK) {
        kk_diag_set(d, "otpauth URI: bad percent-encoding in the %s", what);
        return r;
    }
    for (size_t i = 0; i < len; i++) {
        if (is_control((uint8_t)out[i])) {
            kk_diag_set(d, "otpauth URI: control character in the %s", what);
            return KK_ERR_INVAL;
        }
    }
    return KK_OK;
}

/* Splits the decoded label into issuer and account. */
static int parse_label(const char *s, size_t n, struct otp_uri *t,
                       struct kk_diag *d)
{
    char label[URI_LABEL_CAP];
    const char *colon;
    const char *acct = label;
    size_t ilen = 0;
    int r;

    r = decode_text(s, n, false, label, sizeof label, "label", d);
    if (r != KK_OK)
        goto out;
    colon = strchr(label, ':');
    if (colon != NULL) {
        ilen = (size_t)(colon - label);
        acct = colon + 1;
        if (ilen == 0) {
            kk_diag_set(d, "otpauth URI: empty issuer before ':' in the "
                           "label");
            r = KK_ERR_INVAL;
            goto out;
        }
    }
    while (*acct == ' ')
        acct++;
    if (strchr(acct, ':') != NULL) {
        kk_diag_set(d, "otpauth URI: more than one ':' in the label");
        r = KK_ERR_INVAL;
        goto out;
    }
    if (acct[0] == '\0') {
        kk_diag_set(d, "otpauth URI: no account name in the label");
        r = KK_ERR_INVAL;
        goto out;
    }
    if (ilen > KK_OTP_LABEL_MAX || strlen(acct) > KK_OTP_LABEL_MAX) {
        kk_diag_set(d, "otpauth URI: issuer or account longer than %d bytes",
                    KK_OTP_LABEL_MAX);
        r = KK_ERR_INVAL;
        goto out;
    }
    memcpy(t->issuer, label, ilen);
    t->issuer[ilen] = '\0';
    memcpy(t->account, acct, strlen(acct) + 1);
out:
    kk_wipe(label, sizeof label);
    return r;
}

static int parse_secret(const char *v, size_t n, struct otp_uri *t,
                        struct kk_diag *d)
{
    char text[KK_OTP_BASE32_MAX + 1];
    size_t tlen = 0;
    size_t blen = 0;
    int r;

    r = pct_decode(v, n, true, text, sizeof text, &tlen);
    if (r == KK_ERR_TRUNC) {
        kk_diag_set(d, "otpauth URI: secret longer than %d characters",
                    KK_OTP_BASE32_MAX);
        r = KK_ERR_INVAL;
        goto out;
    }
    if (r != KK_OK) {
        kk_diag_set(d, "otpauth URI: bad percent-encoding in the secret");
        goto out;
    }
    r = otp_base32_decode(text, tlen, t->secret, sizeof t->secret, &blen);
    if (r == KK_ERR_TRUNC) {
        kk_diag_set(d, "otpauth URI: secret longer than %d bytes",
                    KK_OTP_SECRET_MAX);
        r = KK_ERR_INVAL;
        goto out;
    }
    if (r != KK_OK) {
        kk_diag_set(d, "otpauth URI: secret is not valid base32");
        goto out;
    }
    if (blen < KK_OTP_SECRET_MIN) {
        kk_diag_set(d, "otpauth URI: secret shorter than %d bits",
                    KK_OTP_SECRET_MIN * 8);
        r = KK_ERR_INVAL;
        goto out;
    }
    t->secret_len = blen;
out:
    kk_wipe(text, sizeof text);
    return r;
}

/* A decimal parameter in [min, max]. */
static int parse_number(const char *v, size_t n, const char *name, uint64_t min,
                        uint64_t max, uint64_t *out, struct kk_diag *d)
{
    char text[URI_SHORT_CAP];
    size_t len = 0;
    int r = pct_decode(v, n, true, text, sizeof text, &len);

    if (r == KK_OK)
        r = kk_parse_u64(text, min, max, out);
    if (r != KK_OK) {
        kk_diag_set(d, "otpauth URI: %s must be a number from %llu to %llu",
                    name, (unsigned long long)min, (unsigned long long)max);
        r = KK_ERR_INVAL;
    }
    return r;
}

static bool key_is(const char *k, size_t klen, const char *name)
{
    return strlen(name) == klen && strncasecmp(k, name, klen) == 0;
}

/* Handles one "key=value" of the query. */
static int parse_param(const char *p, size_t n, struct otp_uri *t,
                       char issuer[KK_OTP_LABEL_MAX + 1], unsigned *seen,
                       struct kk_diag *d)
{
    const char *eq = memchr(p, '=', n);
    size_t klen = eq != NULL ? (size_t)(eq - p) : n;
    const char *v = eq != NULL ? eq + 1 : p + n;
    size_t vlen = n - (size_t)(v - p);
    unsigned bit = 0;
    uint64_t num = 0;
    int r = KK_OK;

    if (key_is(p, klen, "secret"))
        bit = SEEN_SECRET;
    else if (key_is(p, klen, "issuer"))
        bit = SEEN_ISSUER;
    else if (key_is(p, klen, "algorithm"))
        bit = SEEN_ALGORITHM;
    else if (key_is(p, klen, "digits"))
        bit = SEEN_DIGITS;
    else if (key_is(p, klen, "period"))
        bit = SEEN_PERIOD;
    else if (key_is(p, klen, "counter"))
        bit = SEEN_COUNTER;
    else
        return KK_OK; /* unknown parameters (image=, ...) are ignored */
    if ((*seen & bit) != 0) {
        kk_diag_set(d, "otpauth URI: parameter '%.*s' given twice", (int)klen,
                    p);
        return KK_ERR_INVAL;
    }
    *seen |= bit;
    switch (bit) {
    case SEEN_SECRET:
        r = parse_secret(v, vlen, t, d);
        break;
    case SEEN_ISSUER:
        r = decode_text(v, vlen, true, issuer, KK_OTP_LABEL_MAX + 1, "issuer",
                        d);
        if (r == KK_OK && strchr(issuer, ':') != NULL) {
            kk_diag_set(d, "otpauth URI: ':' in the issuer");
            r = KK_ERR_INVAL;
        }
        break;
    case SEEN_ALGORITHM: {
        char name[URI_SHORT_CAP];
        size_t len = 0;

        r = pct_decode(v, vlen, true, name, sizeof name, &len);
        if (r == KK_OK)
            r = otp_alg_parse(name, &t->params.alg);
        if (r != KK_OK) {
            kk_diag_set(d, "otpauth URI: unknown algorithm (SHA1, SHA256 "
                           "or SHA512)");
            r = KK_ERR_INVAL;
        }
        break;
    }
    case SEEN_DIGITS:
        r = parse_number(v, vlen, "digits", KK_OTP_DIGITS_MIN,
                         KK_OTP_DIGITS_MAX, &num, d);
        t->params.digits = (unsigned)num;
        break;
    case SEEN_PERIOD:
        r = parse_number(v, vlen, "period", 1, KK_OTP_PERIOD_MAX, &num, d);
        t->params.period = (unsigned)num;
        break;
    default: /* SEEN_COUNTER */
        r = parse_number(v, vlen, "counter", 0, UINT64_MAX, &num, d);
        t->params.counter = num;
        break;
    }
    return r;
}

int otp_uri_parse(const char *s, size_t len, struct otp_uri *u,
                  struct kk_diag *d)
{
    struct otp_uri t;
    char issuer[KK_OTP_LABEL_MAX + 1] = "";
    unsigned seen = 0;
    const char *end;
    const char *p;
    const char *slash;
    const char *q;
    size_t tlen;
    int r = KK_ERR_INVAL;

    memset(&t, 0, sizeof t);
    otp_params_default(&t.params);
    if (s == NULL || u == NULL) {
        kk_diag_set(d, "otpauth URI: missing");
        goto out;
    }
    if (len > KK_OTP_URI_MAX) {
        kk_diag_set(d, "otpauth URI: longer than %d bytes", KK_OTP_URI_MAX);
        r = KK_ERR_LIMIT;
        goto out;
    }
    if (memchr(s, '\0', len) != NULL) {
        kk_diag_set(d, "otpauth URI: NUL byte");
        goto out;
    }
    if (len < URI_SCHEME_LEN ||
        strncasecmp(s, URI_SCHEME, URI_SCHEME_LEN) != 0) {
        kk_diag_set(d, "otpauth URI: does not start with otpauth://");
        goto out;
    }
    /* A fragment is not part of the Key Uri Format: drop it. */
    end = memchr(s, '#', len);
    if (end == NULL)
        end = s + len;
    p = s + URI_SCHEME_LEN;
    slash = memchr(p, '/', (size_t)(end - p));
    if (slash == NULL) {
        kk_diag_set(d, "otpauth URI: no '/' before the label");
        goto out;
    }
    tlen = (size_t)(slash - p);
    if (tlen == 4 && strncasecmp(p, "totp", 4) == 0) {
        t.params.kind = OTP_KIND_TOTP;
    } else if (tlen == 4 && strncasecmp(p, "hotp", 4) == 0) {
        t.params.kind = OTP_KIND_HOTP;
    } else {
        kk_diag_set(d, "otpauth URI: type must be totp or hotp");
        goto out;
    }
    p = slash + 1;
    q = memchr(p, '?', (size_t)(end - p));
    if (q == NULL)
        q = end;
    r = parse_label(p, (size_t)(q - p), &t, d);
    if (r != KK_OK)
        goto out;
    p = q < end ? q + 1 : end;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *pe = amp != NULL ? amp : end;

        if (pe > p) {
            r = parse_param(p, (size_t)(pe - p), &t, issuer, &seen, d);
            if (r != KK_OK)
                goto out;
        }
        p = amp != NULL ? amp + 1 : end;
    }
    if ((seen & SEEN_SECRET) == 0) {
        kk_diag_set(d, "otpauth URI: no secret parameter");
        r = KK_ERR_INVAL;
        goto out;
    }
    if (issuer[0] != '\0') {
        if (t.issuer[0] != '\0' && strcmp(t.issuer, issuer) != 0) {
            kk_diag_set(d, "otpauth URI: the issuer in the label and the "
                           "issuer parameter differ");
            r = KK_ERR_INVAL;
            goto out;
        }
        memcpy(t.issuer, issuer, sizeof t.issuer);
    }
    /* A counter means nothing to TOTP and a period nothing to HOTP: they
     * were checked above, and are reset so that equal credentials compare
     * equal (and building then parsing gives the same structure). */
    if (t.params.kind == OTP_KIND_TOTP)
        t.params.counter = 0;
    else
        t.params.period = 30;
    r = otp_params_check(&t.params);
    if (r != KK_OK) {
        kk_diag_set(d, "otpauth URI: parameters out of range");
        r = KK_ERR_INVAL;
        goto out;
    }
    memcpy(u, &t, sizeof t);
out:
    otp_uri_wipe(&t);
    return r;
}

void otp_uri_wipe(struct otp_uri *u)
{
    if (u != NULL)
        kk_wipe(u, sizeof *u);
}

int otp_secret_parse(const char *text, size_t len, struct otp_uri *u,
                     struct kk_diag *d)
{
    struct otp_uri tmp;
    const char *nl = memchr(text, '\n', len);
    size_t start = 0;
    size_t end = nl != NULL ? (size_t)(nl - text) : len;
    int r;

    memset(&tmp, 0, sizeof tmp);
    while (start < end && (text[start] == ' ' || text[start] == '\t'))
        start++;
    while (end > start && (text[end - 1] == ' ' || text[end - 1] == '\t' ||
                           text[end - 1] == '\r'))
        end--;
    if (end == start) {
        kk_diag_set(d, "no secret");
        r = KK_ERR_NOTFOUND;
        goto out;
    }
    if (end - start >= 10 && strncasecmp(text + start, "otpauth://", 10) == 0) {
        r = otp_uri_parse(text + start, end - start, &tmp, d);
        goto out;
    }
    otp_params_default(&tmp.params);
    if (end - start > KK_OTP_BASE32_MAX) {
        kk_diag_set(d, "the secret is longer than %d characters",
                    KK_OTP_BASE32_MAX);
        r = KK_ERR_RANGE;
        goto out;
    }
    r = otp_base32_decode(text + start, end - start, tmp.secret,
                          sizeof tmp.secret, &tmp.secret_len);
    if (r == KK_ERR_TRUNC) {
        kk_diag_set(d, "the secret is longer than %d bytes", KK_OTP_SECRET_MAX);
        r = KK_ERR_RANGE;
    } else if (r != KK_OK) {
        kk_diag_set(d, "the secret is not valid base32 (letters A-Z and "
                       "digits 2-7)");
        r = KK_ERR_INVAL;
    } else if (tmp.secret_len < KK_OTP_SECRET_MIN) {
        kk_diag_set(d, "the secret is shorter than %d bits",
                    KK_OTP_SECRET_MIN * 8);
        r = KK_ERR_RANGE;
    }
out:
    if (r == KK_OK)
        *u = tmp;
    otp_uri_wipe(&tmp);
    return r;
}
