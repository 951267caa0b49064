/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * site_upload.c - a report of `kalkan site check --json` that a server of
 * the outlet sends to the hub, read strictly; and the report's JSON
 * written again from what the hub keeps.
 *
 * The report comes from outside the hub, so nothing of it is stored as it
 * came: every value is read through the hub's JSON parser into typed
 * fields (declared keys; others are ignored), finding ids must be in the
 * catalogue and take their severity and area from it (a report cannot
 * make an exposed .env "info"), times may not lie in the future, and the
 * report kept is written again from the fields read, in English.  The
 * cost: texts a newer checker wrote are dropped, and a finding id this
 * hub does not know refuses the whole report rather than keeping part.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site_hub.h"

#define TIME_MIN INT64_C(946684800) /* 2000-01-01 */
#define SKEW 300                    /* seconds a clock may be ahead */
#define COUNT_MAX 100000

static const char *str_of(const struct hub_jv *o, const char *key)
{
    const struct hub_jv *v = hub_jv_get(o, key);
    return hub_jv_type(v) == HUB_JSON_STRING ? hub_jv_str(v) : NULL;
}

/* An integer member in [min, max]; absent or null gives def when that is
 * allowed (allow_absent), else an error. */
static int int_of(const struct hub_jv *o, const char *key, int64_t min,
                  int64_t max, bool allow_absent, int64_t def, int64_t *out)
{
    const struct hub_jv *v = hub_jv_get(o, key);
    int64_t x = 0;
    int err = KK_OK;
    if (v == NULL || hub_jv_type(v) == HUB_JSON_NULL) {
        *out = def;
        err = allow_absent ? KK_OK : KK_ERR_INVAL;
    } else if (hub_jv_i64(v, &x) != KK_OK || x < min || x > max) {
        err = KK_ERR_INVAL;
    } else {
        *out = x;
    }
    return err;
}

/* A time member: ISO 8601 text (or Unix seconds as a number) from the
 * year 2000 on, and not in the future (a little skew allowed) unless
 * future_ok; 0 when absent or null. */
static int time_of(const struct hub_jv *o, const char *key, int64_t now,
                   bool future_ok, int64_t *out)
{
    const struct hub_jv *v = hub_jv_get(o, key);
    int64_t t = 0;
    int err = KK_OK;
    *out = 0;
    if (v == NULL || hub_jv_type(v) == HUB_JSON_NULL)
        goto out;
    if (hub_jv_type(v) == HUB_JSON_STRING)
        err = kk_parse_time(hub_jv_str(v), &t) == KK_OK ? KK_OK : KK_ERR_INVAL;
    else
        err = hub_jv_i64(v, &t) == KK_OK ? KK_OK : KK_ERR_INVAL;
    if (err == KK_OK && (t < TIME_MIN || (!future_ok && t > now + SKEW)))
        err = KK_ERR_INVAL;
    if (err == KK_OK)
        *out = t;
out:
    return err;
}

static bool host_matches(const char *target, const char *host)
{
    char h[KK_SITE_HOST_MAX + 1];
    return target != NULL && hub_site_url_host(target, h, sizeof h) &&
           strcmp(h, host) == 0;
}

/* Copies text into out (cap bytes) without cutting a UTF-8 sequence,
 * control characters turned into spaces. */
static void clean_copy(char *out, size_t cap, const char *text)
{
    size_t n = strlen(text) < cap - 1 ? strlen(text) : cap - 1;
    while (n > 0 && text[n] != '\0' && ((unsigned char)text[n] & 0xC0) == 0x80)
        n--;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        out[i] = c < 0x20 || c == 0x7F ? ' ' : (char)c;
    }
    out[n] = '\0';
}

static int read_failure(const struct hub_jv *e, struct hub_site_result *res,
                        const char **why)
{
    static const char *const codes[] = {"dns", "unreachable", "blocked",
                                        "timeout"};
    const char *code = str_of(e, "code"), *msg = str_of(e, "message");
    bool known = false;
    int err = KK_OK;
    for (size_t i = 0; code != NULL && i < sizeof codes / sizeof codes[0]; i++)
        known = known || strcmp(code, codes[i]) == 0;
    if (hub_jv_type(e) != HUB_JSON_OBJECT || !known) {
        *why = "error.code must be dns, unreachable, blocked or timeout.";
        err = KK_ERR_INVAL;
    } else {
        snprintf(res->failure, sizeof res->failure, "%s", code);
        if (msg != NULL)
            clean_copy(res->failure_detail, sizeof res->failure_detail, msg);
    }
    return err;
}

static int read_areas(const struct hub_jv *a, struct hub_site_result *res,
                      const char **why)
{
    int err = KK_OK;
    if (a != NULL && hub_jv_type(a) != HUB_JSON_OBJECT &&
        hub_jv_type(a) != HUB_JSON_NULL) {
        *why = "areas must be an object.";
        err = KK_ERR_INVAL;
    }
    for (int k = 0; k < SITE_AREA_COUNT && err == KK_OK; k++) {
        int64_t v = -1;
        err =
            int_of(a, site_area_name((enum site_area)k), 0, 100, true, -1, &v);
        if (err != KK_OK)
            *why = "areas: each score is a number from 0 to 100, or null.";
        res->area[k] = (int)v;
    }
    return err;
}

static int read_caps(const struct hub_jv *a, struct hub_site_result *res,
                     const char **why)
{
    size_t n = hub_jv_len(a);
    int err = KK_OK;
    if (a != NULL && hub_jv_type(a) != HUB_JSON_ARRAY &&
        hub_jv_type(a) != HUB_JSON_NULL) {
        *why = "capped_by must be an array.";
        err = KK_ERR_INVAL;
    } else if (n > HUB_SITE_CAPS_MAX) {
        *why = "capped_by holds too many entries.";
        err = KK_ERR_INVAL;
    }
    for (size_t i = 0; i < n && err == KK_OK; i++) {
        const struct hub_jv *c = hub_jv_at(a, i);
        const char *id = str_of(c, "id"), *g = str_of(c, "grade");
        size_t at = strlen(res->capped_by);
        if (id == NULL || site_finding_find(id) == NULL ||
            hub_site_grade_rank(g) == 0) {
            *why = "capped_by: each entry names a finding id and a grade.";
            err = KK_ERR_INVAL;
        } else {
            snprintf(res->capped_by + at, sizeof res->capped_by - at, "%s%s=%s",
                     at > 0 ? " " : "", id, g);
        }
    }
    return err;
}

static int read_finding(const struct hub_jv *f, struct hub_site_result *res,
                        const char **why)
{
    const struct hub_jv *ev = hub_jv_get(f, "evidence");
    const char *id = str_of(f, "id"), *sev = str_of(f, "severity");
    int err = KK_OK;
    if (hub_jv_type(f) != HUB_JSON_OBJECT || id == NULL ||
        site_finding_find(id) == NULL) {
        *why = "findings: an id is missing or not in the catalogue.";
        err = KK_ERR_INVAL;
    } else if (hub_jv_get(f, "severity") != NULL &&
               hub_site_sev_from_name(sev) < 0) {
        *why = "findings: a severity is not info, low, medium, high or "
               "critical.";
        err = KK_ERR_INVAL;
    } else if (ev != NULL && hub_jv_type(ev) != HUB_JSON_STRING &&
               hub_jv_type(ev) != HUB_JSON_NULL) {
        *why = "findings: evidence must be text.";
        err = KK_ERR_INVAL;
    } else {
        err = hub_site_result_add(res, id, str_of(f, "evidence"));
    }
    if (err == KK_ERR_EXISTS || err == KK_ERR_LIMIT) {
        *why = err == KK_ERR_EXISTS ? "findings: an id is listed twice."
                                    : "findings: too many.";
        err = KK_ERR_INVAL;
    }
    return err;
}

static int read_findings(const struct hub_jv *a, struct hub_site_result *res,
                         const char **why)
{
    int err = KK_OK;
    if (hub_jv_type(a) != HUB_JSON_ARRAY) {
        *why = "findings must be an array.";
        err = KK_ERR_INVAL;
    }
    for (size_t i = 0; i < hub_jv_len(a) && err == KK_OK; i++)
        err = read_finding(hub_jv_at(a, i), res, why);
    return err;
}

static int read_passed(const struct hub_jv *a, struct hub_site_result *res,
                       const char **why)
{
    int err = KK_OK;
    if (a != NULL && hub_jv_type(a) != HUB_JSON_ARRAY &&
        hub_jv_type(a) != HUB_JSON_NULL) {
        *why = "passed must be an array.";
        err = KK_ERR_INVAL;
    } else if (hub_jv_len(a) > HUB_SITE_FINDINGS_MAX) {
        *why = "passed holds too many ids.";
        err = KK_ERR_INVAL;
    }
    for (size_t i = 0; i < hub_jv_len(a) && err == KK_OK; i++) {
        const char *id = hub_jv_str(hub_jv_at(a, i));
        err = id != NULL ? hub_site_result_pass(res, id) : KK_ERR_INVAL;
        if (err == KK_ERR_INVAL)
            *why = "passed: an id is not in the catalogue.";
    }
    return err;
}

static int read_graded(const struct hub_jv *root, int64_t now,
                       struct hub_site_result *res, const char **why)
{
    const char *grade = str_of(root, "grade");
    const struct hub_jv *best = hub_jv_get(root, "best_fix");
    int64_t v = 0;
    int err = KK_OK;
    if (hub_site_grade_rank(grade) == 0) {
        *why = "grade must be A+, A, A-, B, C, D or F.";
        err = KK_ERR_INVAL;
    } else if (int_of(root, "score", 0, 100, false, 0, &v) != KK_OK) {
        *why = "score must be a number from 0 to 100.";
        err = KK_ERR_INVAL;
    } else {
        snprintf(res->grade, sizeof res->grade, "%s", grade);
        res->score = (int)v;
        err = read_areas(hub_jv_get(root, "areas"), res, why);
    }
    if (err == KK_OK)
        err = read_caps(hub_jv_get(root, "capped_by"), res, why);
    if (err == KK_OK && best != NULL && hub_jv_type(best) != HUB_JSON_NULL) {
        const char *b = hub_jv_str(best);
        if (b == NULL || site_finding_find(b) == NULL) {
            *why = "best_fix must be a finding id or null.";
            err = KK_ERR_INVAL;
        } else {
            snprintf(res->best_fix, sizeof res->best_fix, "%s", b);
        }
    }
    if (err == KK_OK)
        err = read_findings(hub_jv_get(root, "findings"), res, why);
    if (err == KK_OK)
        err = read_passed(hub_jv_get(root, "passed"), res, why);
    /* The grade is the hub's own reading of the findings, whoever sent
     * them: the one in the report was only checked for its form. */
    if (err == KK_OK) {
        err = hub_site_result_regrade(res);
        if (err == KK_ERR_INVAL)
            *why = "The report checks nothing: no area, finding or passed "
                   "check.";
    }
    if (err == KK_OK && time_of(root, "cert_expires_at", now, true,
                                &res->cert_expiry) != KK_OK) {
        *why = "cert_expires_at must be a time or null.";
        err = KK_ERR_INVAL;
    }
    return err;
}

/* requests, handshakes and elapsed_ms: whole numbers, 0 when absent. */
static int read_counts(const struct hub_jv *root, struct hub_site_result *res,
                       const char **why)
{
    int64_t rq = 0, hs = 0, ms = 0;
    int err = int_of(root, "requests", 0, COUNT_MAX, true, 0, &rq);
    if (err == KK_OK)
        err = int_of(root, "handshakes", 0, COUNT_MAX, true, 0, &hs);
    if (err == KK_OK)
        err = int_of(root, "elapsed_ms", 0, INT64_C(86400000), true, 0, &ms);
    if (err == KK_OK) {
        res->requests = (unsigned)rq;
        res->handshakes = (unsigned)hs;
        res->elapsed_ms = ms;
    } else {
        *why = "requests, handshakes and elapsed_ms are whole numbers.";
    }
    return err;
}

int hub_site_upload_read(const struct hub_jv *root, const char *host,
                         int64_t now, struct hub_site_result *res,
                         const char **why)
{
    const struct hub_jv *e = hub_jv_get(root, "error");
    int err = KK_OK;
    *why = NULL;
    if (hub_jv_type(root) != HUB_JSON_OBJECT) {
        *why = "Send the JSON object `kalkan site check --json` prints.";
        err = KK_ERR_INVAL;
    } else if (!host_matches(str_of(root, "target"), host) ||
               (hub_jv_get(root, "url") != NULL &&
                !host_matches(str_of(root, "url"), host))) {
        *why = "target: the report is not about this website.";
        err = KK_ERR_INVAL;
    } else if (time_of(root, "checked_at", now, false, &res->checked_at) !=
                   KK_OK ||
               res->checked_at == 0) {
        *why = "checked_at must be a time, not in the future.";
        err = KK_ERR_INVAL;
    } else if (e != NULL && hub_jv_type(e) != HUB_JSON_NULL) {
        err = read_failure(e, res, why);
    } else {
        err = read_graded(root, now, res, why);
    }
    if (err == KK_OK)
        err = read_counts(root, res, why);
    if (err == KK_OK) {
        kk_buf_reset(res->report);
        err = hub_site_report_write(res, host, res->report);
    }
    if (err != KK_OK && err != KK_ERR_INVAL && *why == NULL)
        *why = "The report could not be read.";
    return err;
}

/* --- writing the report again --- */

static int put_str(struct kk_buf *b, const char *key, const char *v)
{
    int err = kk_buf_putf(b, "\"%s\":", key);
    if (err == KK_OK)
        err = v != NULL ? kk_json_str(b, v) : kk_buf_puts(b, "null");
    return err;
}

static int put_time(struct kk_buf *b, const char *key, int64_t t)
{
    char ts[32];
    bool ok = t > 0 && kk_format_time(t, ts, sizeof ts) == KK_OK;
    return put_str(b, key, ok ? ts : NULL);
}

static int put_text(struct kk_buf *b, const char *key, const char *id,
                    enum site_text_part part)
{
    const char *t = site_text(id, part, "en");
    return put_str(b, key, t != NULL ? t : "");
}

static int put_finding(struct kk_buf *b, const struct hub_site_item *it)
{
    int err = kk_buf_putc(b, '{');
    if (err == KK_OK)
        err = put_str(b, "id", it->id);
    if (err == KK_OK)
        err = kk_buf_putc(b, ',');
    if (err == KK_OK)
        err = put_str(b, "severity", site_sev_name((enum site_sev)it->sev));
    if (err == KK_OK)
        err = kk_buf_putc(b, ',');
    if (err == KK_OK)
        err = put_str(b, "area", site_area_name((enum site_area)it->area));
    if (err == KK_OK)
        err = kk_buf_putc(b, ',');
    if (err == KK_OK)
        err = put_text(b, "title", it->id, SITE_TEXT_TITLE);
    if (err == KK_OK)
        err = kk_buf_putc(b, ',');
    if (err == KK_OK)
        err = put_text(b, "detail", it->id, SITE_TEXT_DETAIL);
    if (err == KK_OK)
        err = kk_buf_putc(b, ',');
    if (err == KK_OK)
        err = put_text(b, "fix", it->id, SITE_TEXT_FIX);
    if (err == KK_OK)
        err = kk_buf_putc(b, ',');
    if (err == KK_OK)
        err = put_str(b, "evidence", it->evidence);
    if (err == KK_OK)
        err = kk_buf_putc(b, '}');
    return err;
}

/* Worst first, then by id, as the checker sorts them. */
static int cmp_item(const void *a, const void *b)
{
    const struct hub_site_item *x = *(const struct hub_site_item *const *)a;
    const struct hub_site_item *y = *(const struct hub_site_item *const *)b;
    return x->sev != y->sev ? y->sev - x->sev : strcmp(x->id, y->id);
}

static int put_findings(struct kk_buf *b, const struct hub_site_result *res)
{
    const struct hub_site_item *order[HUB_SITE_FINDINGS_MAX];
    int err = kk_buf_puts(b, ",\"findings\":[");
    for (size_t i = 0; i < res->n_items; i++)
        order[i] = &res->items[i];
    if (res->n_items > 1)
        qsort(order, res->n_items, sizeof order[0], cmp_item);
    for (size_t i = 0; i < res->n_items && err == KK_OK; i++) {
        if (i > 0)
            err = kk_buf_putc(b, ',');
        if (err == KK_OK)
            err = put_finding(b, order[i]);
    }
    if (err == KK_OK)
        err = kk_buf_putc(b, ']');
    return err;
}

static int put_list(struct kk_buf *b, const char *key, const char *list,
                    bool pairs)
{
    const char *p = list;
    bool first = true;
    int err = kk_buf_putf(b, ",\"%s\":[", key);
    while (err == KK_OK && *p != '\0') {
        char word[HUB_SITE_ID_MAX + 8];
        size_t k = strcspn(p, " ");
        char *eq;
        snprintf(word, sizeof word, "%.*s", (int)(k < sizeof word ? k : 0), p);
        p += k;
        p += strspn(p, " ");
        if (word[0] == '\0')
            continue;
        if (!first)
            err = kk_buf_putc(b, ',');
        first = false;
        eq = strchr(word, '=');
        if (err == KK_OK && pairs && eq != NULL) {
            *eq = '\0';
            err = kk_buf_putc(b, '{');
            if (err == KK_OK)
                err = put_str(b, "id", word);
            if (err == KK_OK)
                err = kk_buf_putc(b, ',');
            if (err == KK_OK)
                err = put_str(b, "grade", eq + 1);
            if (err == KK_OK)
                err = kk_buf_putc(b, '}');
        } else if (err == KK_OK) {
            err = kk_json_str(b, word);
        }
    }
    if (err == KK_OK)
        err = kk_buf_putc(b, ']');
    return err;
}

static int put_graded(struct kk_buf *b, const struct hub_site_result *res)
{
    int err = kk_buf_putc(b, ',');
    if (err == KK_OK)
        err = put_str(b, "grade", res->grade);
    if (err == KK_OK)
        err = kk_buf_putf(b, ",\"score\":%d,\"areas\":{", res->score);
    for (int a = 0; a < SITE_AREA_COUNT && err == KK_OK; a++) {
        err = kk_buf_putf(b, "%s\"%s\":", a > 0 ? "," : "",
                          site_area_name((enum site_area)a));
        if (err == KK_OK)
            err = res->area[a] >= 0 ? kk_buf_putf(b, "%d", res->area[a])
                                    : kk_buf_puts(b, "null");
    }
    if (err == KK_OK)
        err = kk_buf_putc(b, '}');
    if (err == KK_OK)
        err = put_list(b, "capped_by", res->capped_by, true);
    if (err == KK_OK)
        err = kk_buf_putc(b, ',');
    if (err == KK_OK)
        err = put_str(b, "best_fix",
                      res->best_fix[0] != '\0' ? res->best_fix : NULL);
    if (err == KK_OK)
        err = put_findings(b, res);
    if (err == KK_OK)
        err = put_list(b, "passed", kk_buf_str(res->passed), false);
    return err;
}

int hub_site_report_write(const struct hub_site_result *res, const char *host,
                          struct kk_buf *out)
{
    int err = kk_buf_putc(out, '{');
    if (err == KK_OK)
        err = put_str(out, "target", host);
    if (err == KK_OK)
        err = kk_buf_putc(out, ',');
    if (err == KK_OK)
        err = put_time(out, "checked_at", res->checked_at);
    if (err == KK_OK && res->failure[0] != '\0') {
        err = kk_buf_puts(out, ",\"error\":{");
        if (err == KK_OK)
            err = put_str(out, "code", res->failure);
        if (err == KK_OK)
            err = kk_buf_putc(out, ',');
        if (err == KK_OK)
            err = put_str(out, "message", res->failure_detail);
        if (err == KK_OK)
            err = kk_buf_putc(out, '}');
    } else if (err == KK_OK) {
        err = put_graded(out, res);
    }
    if (err == KK_OK)
        err = kk_buf_putf(out,
                          ",\"requests\":%u,\"handshakes\":%u,"
                          "\"elapsed_ms\":%lld,",
                          res->requests, res->handshakes,
                          (long long)res->elapsed_ms);
    if (err == KK_OK)
        err = put_time(out, "cert_expires_at", res->cert_expiry);
    if (err == KK_OK)
        err = kk_buf_putc(out, '}');
    return err;
}
