/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * store_fmt.c - the text format of a user's state file: a strict parser and
 * the canonical writer.
 *
 * The file is small, line-based and versioned (docs/otp-store.md).  The
 * parser accepts exactly what the writer produces: fixed line order, single
 * spaces, canonical numbers (no leading zeros, no "+", no "-0"), lower-case
 * hex, canonical percent-encoding, bounded counts and lengths.  Anything
 * else is KK_ERR_CORRUPT, and the callers fail closed.  Being this strict
 * costs a little convenience for people who edit files by hand (they must
 * not) and buys a parser that is easy to fuzz and that round-trips exactly.
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

#define ST_FIELDS_MAX 16

static const char *const budget_names[OTP_BUDGETS] = {"local", "remote"};

const char *otp_budget_name(enum otp_budget b)
{
    return (unsigned)b < OTP_BUDGETS ? budget_names[b] : "?";
}

void st_user_init(struct st_user *u, const char *enc)
{
    memset(u, 0, sizeof *u);
    memcpy(u->enc, enc, strnlen(enc, sizeof u->enc - 1));
    u->next_id = 1;
}

/* ---- field helpers ---- */

static int num_u64(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v;

    if (s[0] == '0' && s[1] != '\0')
        return KK_ERR_CORRUPT;
    if (kk_parse_u64(s, 0, max, &v) != KK_OK)
        return KK_ERR_CORRUPT;
    *out = v;
    return KK_OK;
}

static int num_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
    uint64_t v;

    if (num_u64(s, max, &v) != KK_OK || v < min)
        return KK_ERR_CORRUPT;
    *out = (unsigned)v;
    return KK_OK;
}

static int num_time(const char *s, int64_t *out)
{
    uint64_t v;

    if (num_u64(s, (uint64_t)ST_TIME_MAX, &v) != KK_OK)
        return KK_ERR_CORRUPT;
    *out = (int64_t)v;
    return KK_OK;
}

static int num_int(const char *s, int lim, int *out)
{
    uint64_t v;
    bool neg = s[0] == '-';

    if (neg && s[1] == '0')
        return KK_ERR_CORRUPT; /* "-0" and "-01" are not canonical */
    if (num_u64(neg ? s + 1 : s, (uint64_t)lim, &v) != KK_OK)
        return KK_ERR_CORRUPT;
    *out = neg ? -(int)v : (int)v;
    return KK_OK;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Lower-case hex of exactly 2*n characters. */
static int hex_decode(const char *s, uint8_t *out, size_t n)
{
    if (strlen(s) != 2 * n)
        return KK_ERR_CORRUPT;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(s[2 * i]);
        int lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return KK_ERR_CORRUPT;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return KK_OK;
}

static int hex_put(struct kk_buf *b, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    int r = KK_OK;

    for (size_t i = 0; i < n && r == KK_OK; i++) {
        char two[2] = {digits[p[i] >> 4], digits[p[i] & 15]};
        r = kk_buf_put(b, two, 2);
    }
    return r;
}

/* Bytes kept literally in a percent-encoded label. */
static bool label_plain(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
           c == '~' || c == '@' || c == ':' || c == '+';
}

static int label_decode(const char *s, char out[KK_OTP_LABEL_MAX + 1])
{
    static const char up[] = "0123456789ABCDEF";
    size_t n = 0;

    if (s[0] == '\0')
        return KK_ERR_CORRUPT;
    for (size_t i = 0; s[i] != '\0'; i++) {
        unsigned char c = (unsigned char)s[i];
        if (n >= KK_OTP_LABEL_MAX)
            return KK_ERR_CORRUPT;
        if (c == '%') {
            const char *h1 = memchr(up, s[i + 1] ? s[i + 1] : 'x', 16);
            const char *h2 =
                h1 != NULL ? memchr(up, s[i + 2] ? s[i + 2] : 'x', 16) : NULL;
            unsigned char v;
            if (h1 == NULL || h2 == NULL)
                return KK_ERR_CORRUPT;
            v = (unsigned char)((h1 - up) << 4 | (h2 - up));
            if (v == 0 || label_plain(v))
                return KK_ERR_CORRUPT; /* NUL, or not canonical */
            out[n++] = (char)v;
            i += 2;
        } else if (label_plain(c)) {
            out[n++] = (char)c;
        } else {
            return KK_ERR_CORRUPT;
        }
    }
    out[n] = '\0';
    return KK_OK;
}

static int label_put(struct kk_buf *b, const char *label)
{
    int r = KK_OK;

    for (size_t i = 0; label[i] != '\0' && r == KK_OK; i++) {
        unsigned char c = (unsigned char)label[i];
        if (label_plain(c))
            r = kk_buf_putc(b, c);
        else
            r = kk_buf_putf(b, "%%%02X", c);
    }
    return r;
}

/* Splits line (NUL-terminated, modified) at single spaces.  Empty fields
 * (double, leading or trailing spaces) are corrupt. */
static int split(char *line, char *f[ST_FIELDS_MAX], size_t *n)
{
    size_t k = 0;
    char *p = line;

    for (;;) {
        char *sp = strchr(p, ' ');
        if (k >= ST_FIELDS_MAX || *p == '\0' || p == sp)
            return KK_ERR_CORRUPT;
        f[k++] = p;
        if (sp == NULL)
            break;
        *sp = '\0';
        p = sp + 1;
    }
    *n = k;
    return KK_OK;
}

/* ---- parser ---- */

struct st_reader {
    struct kk_span sp;
    char line[ST_LINE_MAX + 1];
    char *f[ST_FIELDS_MAX];
    size_t nf;
    unsigned lineno;
};

/* Reads the next line; it must end in "\n" and contain no "\r". */
static int next_line(struct st_reader *rd)
{
    const char *l;
    size_t n;
    size_t start = rd->sp.off;

    if (kk_span_get_line(&rd->sp, ST_LINE_MAX, &l, &n) != KK_OK)
        return KK_ERR_CORRUPT;
    rd->lineno++;
    /* kk_span_get_line strips "\r\n"; insist on a bare "\n". */
    if (rd->sp.off != start + n + 1 || rd->sp.p[rd->sp.off - 1] != '\n')
        return KK_ERR_CORRUPT;
    if (memchr(l, '\r', n) != NULL)
        return KK_ERR_CORRUPT;
    memcpy(rd->line, l, n);
    rd->line[n] = '\0';
    return split(rd->line, rd->f, &rd->nf);
}

static bool is(const struct st_reader *rd, const char *kw, size_t nf)
{
    return rd->nf == nf && strcmp(rd->f[0], kw) == 0;
}

static int parse_alg(const char *s, enum otp_alg *out)
{
    if (strcmp(s, "SHA1") == 0)
        *out = OTP_ALG_SHA1;
    else if (strcmp(s, "SHA256") == 0)
        *out = OTP_ALG_SHA256;
    else if (strcmp(s, "SHA512") == 0)
        *out = OTP_ALG_SHA512;
    else
        return KK_ERR_CORRUPT;
    return KK_OK;
}

static const char *alg_text(enum otp_alg a)
{
    return a == OTP_ALG_SHA256   ? "SHA256"
           : a == OTP_ALG_SHA512 ? "SHA512"
                                 : "SHA1";
}

static int parse_cred(struct st_reader *rd, struct st_cred *c)
{
    char **f = rd->f;
    struct otp_cred_info *in = &c->info;
    size_t ctl;

    if (!is(rd, "cred", 15))
        return KK_ERR_CORRUPT;
    if (num_uint(f[1], 1, ST_ID_MAX, &in->id) != KK_OK)
        return KK_ERR_CORRUPT;
    if (strcmp(f[2], "totp") == 0)
        in->params.kind = OTP_KIND_TOTP;
    else if (strcmp(f[2], "hotp") == 0)
        in->params.kind = OTP_KIND_HOTP;
    else
        return KK_ERR_CORRUPT;
    if (parse_alg(f[3], &in->params.alg) != KK_OK ||
        num_uint(f[4], KK_OTP_DIGITS_MIN, KK_OTP_DIGITS_MAX,
                 &in->params.digits) != KK_OK)
        return KK_ERR_CORRUPT;
    if (in->params.kind == OTP_KIND_TOTP) {
        if (num_uint(f[5], 1, KK_OTP_PERIOD_MAX, &in->params.period) != KK_OK)
            return KK_ERR_CORRUPT;
    } else if (strcmp(f[5], "0") != 0) {
        return KK_ERR_CORRUPT;
    } else {
        in->params.period = 0;
    }
    if (strcmp(f[6], "pending") == 0)
        in->state = OTP_CRED_PENDING;
    else if (strcmp(f[6], "active") == 0)
        in->state = OTP_CRED_ACTIVE;
    else
        return KK_ERR_CORRUPT;
    if (num_time(f[7], &in->created) != KK_OK ||
        num_time(f[8], &in->last_used) != KK_OK)
        return KK_ERR_CORRUPT;
    in->has_last_step = false;
    in->last_step = 0;
    in->params.counter = 0;
    if (in->params.kind == OTP_KIND_TOTP) {
        if (strcmp(f[9], "-") != 0) {
            if (num_u64(f[9], UINT64_MAX, &in->last_step) != KK_OK)
                return KK_ERR_CORRUPT;
            in->has_last_step = true;
        }
    } else if (num_u64(f[9], UINT64_MAX, &in->params.counter) != KK_OK) {
        return KK_ERR_CORRUPT;
    }
    if (num_int(f[10], KK_STORE_DRIFT_MAX, &in->drift) != KK_OK ||
        num_int(f[11], KK_STORE_DRIFT_MAX, &in->pending_drift) != KK_OK)
        return KK_ERR_CORRUPT;
    if (in->params.kind == OTP_KIND_HOTP &&
        (in->drift != 0 || in->pending_drift != 0))
        return KK_ERR_CORRUPT;
    if (label_decode(f[12], in->label) != KK_OK)
        return KK_ERR_CORRUPT;
    if (hex_decode(f[13], c->nonce, ST_NONCE_LEN) != KK_OK)
        return KK_ERR_CORRUPT;
    ctl = strlen(f[14]) / 2;
    if (ctl < KK_OTP_SECRET_MIN + ST_TAG_LEN || ctl > ST_CT_MAX ||
        hex_decode(f[14], c->ct, ctl) != KK_OK)
        return KK_ERR_CORRUPT;
    c->ct_len = ctl;
    return KK_OK;
}

static int parse_body(struct st_reader *rd, const char *enc, struct st_user *u)
{
    uint64_t v;
    unsigned nrc;

    if (next_line(rd) != KK_OK || !is(rd, "kalkan-otp-state", 2) ||
        strcmp(rd->f[1], "1") != 0)
        return KK_ERR_CORRUPT;
    if (next_line(rd) != KK_OK || !is(rd, "user", 2) ||
        strcmp(rd->f[1], enc) != 0)
        return KK_ERR_CORRUPT;
    if (next_line(rd) != KK_OK || !is(rd, "next-id", 2) ||
        num_uint(rd->f[1], 1, ST_ID_MAX, &u->next_id) != KK_OK)
        return KK_ERR_CORRUPT;
    if (next_line(rd) != KK_OK || !is(rd, "recovery", 3) ||
        num_time(rd->f[1], &u->recovery_created) != KK_OK ||
        num_u64(rd->f[2], KK_STORE_RECOVERY_CODES, &v) != KK_OK)
        return KK_ERR_CORRUPT;
    nrc = (unsigned)v;
    for (unsigned i = 0; i < nrc; i++) {
        struct st_rc *rc = &u->rc[i];
        if (next_line(rd) != KK_OK || !is(rd, "rc", 3))
            return KK_ERR_CORRUPT;
        if (strcmp(rd->f[1], "s") == 0)
            rc->weak = false;
        else if (strcmp(rd->f[1], "w") == 0)
            rc->weak = true;
        else
            return KK_ERR_CORRUPT;
        if (hex_decode(rd->f[2], rc->hash, ST_RC_HASH_LEN) != KK_OK)
            return KK_ERR_CORRUPT;
    }
    u->nrc = nrc;
    for (;;) {
        struct st_cred *c;
        if (next_line(rd) != KK_OK)
            return KK_ERR_CORRUPT;
        if (is(rd, "end", 1))
            break;
        if (u->ncreds >= KK_STORE_CREDS_MAX)
            return KK_ERR_CORRUPT;
        c = &u->creds[u->ncreds];
        if (parse_cred(rd, c) != KK_OK)
            return KK_ERR_CORRUPT;
        /* ids strictly increasing and below next-id */
        if (c->info.id >= u->next_id ||
            (u->ncreds > 0 && c->info.id <= u->creds[u->ncreds - 1].info.id))
            return KK_ERR_CORRUPT;
        u->ncreds++;
    }
    if (kk_span_left(&rd->sp) != 0)
        return KK_ERR_CORRUPT;
    return KK_OK;
}

int st_parse(const char *text, size_t len, const char *enc, struct st_user *u,
             struct kk_diag *d)
{
    struct st_reader *rd = NULL;
    struct st_user *tmp = NULL;
    int r = KK_ERR_CORRUPT;

    if (len == 0 || len > KK_STORE_FILE_MAX) {
        kk_diag_set(d, "state file is empty or too large");
        goto out;
    }
    rd = calloc(1, sizeof *rd);
    tmp = calloc(1, sizeof *tmp);
    if (rd == NULL || tmp == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    rd->sp = kk_span_make(text, len);
    st_user_init(tmp, enc);
    r = parse_body(rd, enc, tmp);
    if (r != KK_OK) {
        kk_diag_set(d, "state file: line %u is malformed", rd->lineno);
        goto out;
    }
    memcpy(u, tmp, sizeof *u);
out:
    if (rd != NULL) {
        kk_wipe(rd, sizeof *rd);
        free(rd);
    }
    if (tmp != NULL) {
        kk_wipe(tmp, sizeof *tmp);
        free(tmp);
    }
    return r;
}

/* ---- writer ---- */

static int format_cred(const struct st_cred *c, struct kk_buf *b)
{
    const struct otp_cred_info *in = &c->info;
    bool totp = in->params.kind == OTP_KIND_TOTP;
    int r;

    r = kk_buf_putf(b, "cred %u %s %s %u %u %s %lld %lld ", in->id,
                    totp ? "totp" : "hotp", alg_text(in->params.alg),
                    in->params.digits, totp ? in->params.period : 0,
                    in->state == OTP_CRED_ACTIVE ? "active" : "pending",
                    (long long)in->created, (long long)in->last_used);
    if (r == KK_OK) {
        if (!totp)
            r = kk_buf_putf(b, "%llu", (unsigned long long)in->params.counter);
        else if (in->has_last_step)
            r = kk_buf_putf(b, "%llu", (unsigned long long)in->last_step);
        else
            r = kk_buf_putc(b, '-');
    }
    if (r == KK_OK)
        r = kk_buf_putf(b, " %d %d ", in->drift, in->pending_drift);
    if (r == KK_OK)
        r = label_put(b, in->label);
    if (r == KK_OK)
        r = kk_buf_putc(b, ' ');
    if (r == KK_OK)
        r = hex_put(b, c->nonce, ST_NONCE_LEN);
    if (r == KK_OK)
        r = kk_buf_putc(b, ' ');
    if (r == KK_OK)
        r = hex_put(b, c->ct, c->ct_len);
    if (r == KK_OK)
        r = kk_buf_putc(b, '\n');
    return r;
}

int st_format(const struct st_user *u, struct kk_buf *b)
{
    int r;

    r = kk_buf_putf(b, "kalkan-otp-state %d\nuser %s\nnext-id %u\n", ST_VERSION,
                    u->enc, u->next_id);
    if (r == KK_OK)
        r = kk_buf_putf(b, "recovery %lld %zu\n",
                        (long long)u->recovery_created, u->nrc);
    for (size_t i = 0; i < u->nrc && r == KK_OK; i++) {
        r = kk_buf_puts(b, u->rc[i].weak ? "rc w " : "rc s ");
        if (r == KK_OK)
            r = hex_put(b, u->rc[i].hash, ST_RC_HASH_LEN);
        if (r == KK_OK)
            r = kk_buf_putc(b, '\n');
    }
    for (size_t i = 0; i < u->ncreds && r == KK_OK; i++)
        r = format_cred(&u->creds[i], b);
    if (r == KK_OK)
        r = kk_buf_puts(b, "end\n");
    return r;
}

/* ---- rate limits ---- */

/* Seconds of back-off after n consecutive failures. */
static int64_t backoff(const struct otp_policy *pol, unsigned n)
{
    unsigned k;
    int64_t t;

    if (n == 0 || n < pol->backoff_after)
        return 0;
    k = n - pol->backoff_after;
    if (k >= 40)
        return pol->backoff_max;
    t = (int64_t)pol->backoff_base << k;
    return t > (int64_t)pol->backoff_max ? (int64_t)pol->backoff_max : t;
}

int64_t st_throttled_until(struct st_budget *b, const struct otp_policy *pol,
                           int64_t now)
{
    uint64_t cap = (uint64_t)pol->daily_max * ST_LEVEL_UNIT;
    int64_t until = 0;
    int64_t bo;

    /* The daily cap is a leaky bucket: each failure adds ST_LEVEL_UNIT and
     * daily_max units drain per second, so daily_max failures drain in
     * exactly 24 h and the allowance refills continuously. */
    if (now > b->level_time) {
        uint64_t dt = (uint64_t)(now - b->level_time);
        uint64_t leak;
        if (__builtin_mul_overflow(dt, (uint64_t)pol->daily_max, &leak) ||
            leak >= b->level)
            b->level = 0;
        else
            b->level -= leak;
        b->level_time = now;
    } else if (now < b->level_time) {
        /* The clock went back: keep the level, restart the leak. */
        b->level_time = now;
    }
    if (b->level + ST_LEVEL_UNIT > cap) {
        uint64_t excess = b->level + ST_LEVEL_UNIT - cap;
        until = now + (int64_t)((excess + pol->daily_max - 1) / pol->daily_max);
    }
    bo = backoff(pol, b->consec);
    if (bo > 0 && b->last_fail + bo > now && b->last_fail + bo > until)
        until = b->last_fail + bo;
    return until;
}

void st_info(const struct st_user *u, const struct st_counters *c,
             const struct otp_policy *pol, int64_t now,
             struct otp_user_info *out)
{
    struct st_counters none;

    memset(out, 0, sizeof *out);
    if (otp_store_user_decode(u->enc, out->user) != KK_OK)
        out->user[0] = '\0';
    out->ncreds = u->ncreds;
    for (size_t i = 0; i < u->ncreds; i++) {
        out->creds[i] = u->creds[i].info;
        if (u->creds[i].info.state == OTP_CRED_ACTIVE)
            out->enrolled = true;
    }
    if (c == NULL) {
        memset(&none, 0, sizeof none);
        c = &none;
    }
    for (unsigned i = 0; i < OTP_BUDGETS; i++) {
        struct st_budget b = c->budget[i];
        struct otp_budget_info *bi = &out->budget[i];
        bi->throttled_until = st_throttled_until(&b, pol, now);
        bi->consecutive = b.consec;
        bi->total = b.total;
        bi->last_fail = b.last_fail;
        bi->failures_24h =
            (unsigned)((b.level + ST_LEVEL_UNIT - 1) / ST_LEVEL_UNIT);
    }
    out->recovery_created = u->recovery_created;
    out->recovery_left = (unsigned)u->nrc;
    for (size_t i = 0; i < u->nrc; i++)
        out->recovery_weak += u->rc[i].weak;
}

int otp_store_file_parse(const char *text, size_t len, const char *user,
                         struct otp_user_info *out, struct kk_diag *d)
{
    char enc[OTP_STORE_USER_ENC_SIZE];
    struct st_user *u = NULL;
    struct otp_policy pol;
    int r;

    r = otp_store_user_encode(user, enc);
    if (r != KK_OK)
        goto out;
    u = malloc(sizeof *u);
    if (u == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    r = st_parse(text, len, enc, u, d);
    if (r != KK_OK)
        goto out;
    otp_policy_default(&pol);
    st_info(u, NULL, &pol, 0, out);
out:
    if (u != NULL) {
        kk_wipe(u, sizeof *u);
        free(u);
    }
    return r;
}
