/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ga.c - reads google-authenticator state files (~/.google_authenticator)
 * so that people can move to pam_kalkan without enrolling again.
 *
 * The format is a base32 secret on the first line, option lines that start
 * with '" ' (TOTP_AUTH, HOTP_COUNTER n, STEP_SIZE n, WINDOW_SIZE n,
 * DISALLOW_REUSE [steps...], RATE_LIMIT n m [times...], TIME_SKEW n,
 * RESETTING_TIME_SKEW [step+skew...]) and 8-digit scratch codes.  The parser
 * is strict about the parts it maps (numbers must be whole and in range)
 * and counts, rather than rejects, options it does not know, because GA
 * itself ignores them; the import reports both.  It never keeps more than
 * the file's secret and scratch codes, which the caller wipes.
 */
#include "kalkan/otp_store.h"

#include <string.h>

#define GA_LINE_MAX 1024

void otp_ga_wipe(struct otp_ga *g)
{
    kk_wipe(g, sizeof *g);
}

/* Next space-separated word of s at *pos into w (NUL-terminated). */
static bool word(const char *s, size_t *pos, char *w, size_t cap)
{
    size_t i = *pos;
    size_t n = 0;

    while (s[i] == ' ' || s[i] == '\t')
        i++;
    if (s[i] == '\0')
        return false;
    while (s[i] != '\0' && s[i] != ' ' && s[i] != '\t') {
        if (n + 1 >= cap)
            return false;
        w[n++] = s[i++];
    }
    w[n] = '\0';
    *pos = i;
    return true;
}

static int u64_word(const char *s, size_t *pos, uint64_t max, uint64_t *out)
{
    char w[32];

    if (!word(s, pos, w, sizeof w))
        return KK_ERR_INVAL;
    return kk_parse_u64(w, 0, max, out) == KK_OK ? KK_OK : KK_ERR_INVAL;
}

static bool at_end(const char *s, size_t pos)
{
    while (s[pos] == ' ' || s[pos] == '\t')
        pos++;
    return s[pos] == '\0';
}

static int parse_option(const char *l, struct otp_ga *g, struct kk_diag *d)
{
    char name[32];
    char w[64];
    size_t pos = 0;
    uint64_t v;
    uint64_t v2;

    if (!word(l, &pos, name, sizeof name)) {
        kk_diag_set(d, "empty option line");
        return KK_ERR_INVAL;
    }
    if (strcmp(name, "TOTP_AUTH") == 0) {
        g->totp = true;
    } else if (strcmp(name, "HOTP_COUNTER") == 0) {
        if (u64_word(l, &pos, UINT64_MAX - 1, &v) != KK_OK)
            goto bad;
        g->hotp = true;
        g->hotp_counter = v;
    } else if (strcmp(name, "STEP_SIZE") == 0) {
        if (u64_word(l, &pos, 60, &v) != KK_OK || v < 1)
            goto bad;
        g->step_size = (unsigned)v;
        g->has_step_size = true;
    } else if (strcmp(name, "WINDOW_SIZE") == 0) {
        if (u64_word(l, &pos, 100, &v) != KK_OK || v < 1)
            goto bad;
        g->window_size = (unsigned)v;
    } else if (strcmp(name, "DISALLOW_REUSE") == 0) {
        g->disallow_reuse = true;
        while (word(l, &pos, w, sizeof w)) {
            if (g->nreuse >= OTP_GA_REUSE_MAX ||
                kk_parse_u64(w, 0, (uint64_t)INT64_MAX, &v) != KK_OK)
                goto bad;
            g->reuse[g->nreuse++] = v;
        }
    } else if (strcmp(name, "RATE_LIMIT") == 0) {
        if (u64_word(l, &pos, 100, &v) != KK_OK ||
            u64_word(l, &pos, 100000, &v2) != KK_OK)
            goto bad;
        g->has_rate_limit = true;
        g->rate_attempts = (unsigned)v;
        g->rate_interval = (unsigned)v2;
        /* The timestamps of recent attempts that follow are not needed. */
        while (word(l, &pos, w, sizeof w)) {
            if (kk_parse_u64(w, 0, (uint64_t)INT64_MAX, &v) != KK_OK)
                goto bad;
        }
    } else if (strcmp(name, "TIME_SKEW") == 0) {
        int64_t sk;
        if (!word(l, &pos, w, sizeof w) ||
            kk_parse_i64(w, -1000000, 1000000, &sk) != KK_OK)
            goto bad;
        g->time_skew = sk;
        g->has_time_skew = true;
    } else if (strcmp(name, "RESETTING_TIME_SKEW") == 0) {
        g->resetting_time_skew = true;
        pos = strlen(l); /* GA's intermediate learning state */
    } else {
        g->unknown++;
        pos = strlen(l);
    }
    if (!at_end(l, pos))
        goto bad;
    return KK_OK;
bad:
    kk_diag_set(d, "malformed %s option", name);
    return KK_ERR_INVAL;
}

static int parse_lines(struct kk_span *sp, struct otp_ga *g, struct kk_diag *d)
{
    char l[GA_LINE_MAX + 1];
    const char *p;
    size_t n;
    unsigned lineno = 0;
    int r;

    for (;;) {
        r = kk_span_get_line(sp, GA_LINE_MAX, &p, &n);
        if (r == KK_ERR_NOTFOUND)
            break;
        lineno++;
        if (r != KK_OK) {
            kk_diag_set(d, "line %u: too long or contains NUL", lineno);
            return KK_ERR_INVAL;
        }
        memcpy(l, p, n);
        l[n] = '\0';
        if (lineno == 1) {
            size_t sl = 0;
            if (n == 0 || n > KK_OTP_BASE32_MAX ||
                otp_base32_decode(l, n, g->secret, sizeof g->secret, &sl) !=
                    KK_OK ||
                sl < KK_OTP_SECRET_MIN) {
                kk_diag_set(d,
                            "line 1: not a base32 secret of at least %d "
                            "bytes",
                            KK_OTP_SECRET_MIN);
                return KK_ERR_INVAL;
            }
            g->secret_len = sl;
        } else if (n >= 2 && l[0] == '"' && l[1] == ' ') {
            r = parse_option(l + 2, g, d);
            if (r != KK_OK)
                return r;
        } else if (n == 8 && strspn(l, "0123456789") == 8) {
            if (g->nscratch >= OTP_GA_SCRATCH_MAX) {
                kk_diag_set(d, "more than %d scratch codes",
                            OTP_GA_SCRATCH_MAX);
                return KK_ERR_INVAL;
            }
            memcpy(g->scratch[g->nscratch++], l, 9);
        } else if (n == 0) {
            continue;
        } else {
            kk_diag_set(d, "line %u: not an option or scratch code", lineno);
            return KK_ERR_INVAL;
        }
    }
    if (lineno == 0) {
        kk_diag_set(d, "empty file");
        return KK_ERR_INVAL;
    }
    /* As in GA, HOTP_COUNTER selects HOTP even next to TOTP_AUTH. */
    if (g->hotp)
        g->totp = false;
    if (!g->totp && !g->hotp) {
        kk_diag_set(d, "neither TOTP_AUTH nor HOTP_COUNTER");
        return KK_ERR_INVAL;
    }
    return KK_OK;
}

int otp_ga_parse(const char *text, size_t len, struct otp_ga *out,
                 struct kk_diag *d)
{
    struct otp_ga g;
    struct kk_span sp = kk_span_make(text, len);
    int r;

    memset(&g, 0, sizeof g);
    g.step_size = 30;
    if (len > KK_GA_FILE_MAX) {
        kk_diag_set(d, "larger than %d bytes", KK_GA_FILE_MAX);
        r = KK_ERR_INVAL;
        goto out;
    }
    r = parse_lines(&sp, &g, d);
    if (r == KK_OK)
        memcpy(out, &g, sizeof g);
out:
    otp_ga_wipe(&g);
    return r;
}
