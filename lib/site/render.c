/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * render.c - a report as the JSON document of docs/site.md or as text for
 * a terminal, in English, Russian or Kyrgyz.
 *
 * JSON is the contract (the hub and scripts read it): every field is
 * always present, null when it has no value, and every string goes
 * through kk_json_str.  The text report is for people: the grade and
 * what capped it, the one fix that raises the grade most, then the
 * findings worst first with why they matter and how to fix them, wrapped
 * for an 80-column terminal.  Evidence comes from the network, so the text
 * report replaces control bytes and invalid UTF-8 in it: a hostile server
 * header must not drive the reader's terminal.  Every word of the text
 * report comes from ui.<lang>.txt.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "site_int.h"
#include "text.h"

#define WRAP_COLUMNS 78

/* In the order of enum site_ui. */
static const char *const ui_keys[SITE_UI_COUNT] = {
    "ui.grade",
    "ui.score",
    "ui.not_checked",
    "ui.area.tls",
    "ui.area.headers",
    "ui.area.exposure",
    "ui.area.mail",
    "ui.area.dns",
    "ui.capped",
    "ui.fix_first",
    "ui.sev.critical",
    "ui.sev.high",
    "ui.sev.medium",
    "ui.sev.low",
    "ui.sev.info",
    "ui.evidence",
    "ui.why",
    "ui.how",
    "ui.passed",
    "ui.nothing_found",
    "ui.cert_expires",
    "ui.checked_at",
    "ui.failed",
    "ui.fail.dns",
    "ui.fail.unreachable",
    "ui.fail.blocked",
    "ui.fail.timeout",
    "ui.checking",
    "ui.stage.dns",
    "ui.stage.mail",
    "ui.stage.tls",
    "ui.stage.headers",
    "ui.stage.exposure",
    "ui.stage.smtp",
};

const char *site_ui_key(enum site_ui k)
{
    return (unsigned)k < SITE_UI_COUNT ? ui_keys[k] : NULL;
}

const char *site_ui(enum site_ui k, const char *lang)
{
    const char *key = site_ui_key(k);
    const char *t = key != NULL ? site_text(key, SITE_TEXT_TITLE, lang) : NULL;
    if (t == NULL) {
        t = key != NULL ? key : "";
    }
    return t;
}

static const char *text_or(const char *id, enum site_text_part part,
                           const char *lang, const char *dflt)
{
    const char *t = site_text(id, part, lang);
    return t != NULL ? t : dflt;
}

/* The failure codes of site.h with their explanations. */
static enum site_ui fail_ui(const char *code)
{
    enum site_ui k = SITE_UI_FAIL_UNREACHABLE;
    if (strcmp(code, "dns") == 0) {
        k = SITE_UI_FAIL_DNS;
    } else if (strcmp(code, "blocked") == 0) {
        k = SITE_UI_FAIL_BLOCKED;
    } else if (strcmp(code, "timeout") == 0) {
        k = SITE_UI_FAIL_TIMEOUT;
    }
    return k;
}

static const char *json_lang(const char *lang)
{
    const char *l = "en";
    if (lang != NULL && (strcmp(lang, "ru") == 0 || strcmp(lang, "ky") == 0)) {
        l = lang;
    }
    return l;
}

/* ---- JSON ---- */

static int json_time(struct kk_buf *out, int64_t t)
{
    char ts[32];
    int rc = KK_OK;
    if (t <= 0 || kk_format_time(t, ts, sizeof ts) != KK_OK) {
        rc = kk_buf_puts(out, "null");
    } else {
        rc = kk_json_str(out, ts);
    }
    return rc;
}

/* Appends ,"name":"value" (value through kk_json_str). */
static int json_field(struct kk_buf *out, const char *name, const char *value)
{
    int rc = kk_buf_putf(out, ",\"%s\":", name);
    if (rc == KK_OK) {
        rc = kk_json_str(out, value);
    }
    return rc;
}

static int json_failure(const struct site_report *r, const char *lang,
                        struct kk_buf *out)
{
    int rc = kk_buf_puts(out, "{\"target\":");
    if (rc == KK_OK) {
        rc = kk_json_str(out, r->host);
    }
    if (rc == KK_OK) {
        rc = kk_buf_puts(out, ",\"checked_at\":");
    }
    if (rc == KK_OK) {
        rc = json_time(out, r->checked_at);
    }
    if (rc == KK_OK) {
        rc = json_field(out, "lang", json_lang(lang));
    }
    if (rc == KK_OK) {
        rc = kk_buf_puts(out, ",\"error\":{\"code\":");
    }
    if (rc == KK_OK) {
        rc = kk_json_str(out, r->failure);
    }
    if (rc == KK_OK) {
        rc = json_field(out, "message", r->failure_detail);
    }
    if (rc == KK_OK) {
        rc = json_field(out, "explanation", site_ui(fail_ui(r->failure), lang));
    }
    if (rc == KK_OK) {
        rc = kk_buf_puts(out, "}}");
    }
    return rc;
}

static int json_finding(const struct site_result *f, const char *lang,
                        struct kk_buf *out)
{
    int rc = kk_buf_puts(out, "{\"id\":");
    if (rc == KK_OK) {
        rc = kk_json_str(out, f->id);
    }
    if (rc == KK_OK) {
        rc = kk_buf_putf(out, ",\"severity\":\"%s\",\"area\":\"%s\"",
                         site_sev_name(f->sev), site_area_name(f->area));
    }
    if (rc == KK_OK) {
        rc = json_field(out, "title",
                        text_or(f->id, SITE_TEXT_TITLE, lang, f->id));
    }
    if (rc == KK_OK) {
        rc = json_field(out, "detail",
                        text_or(f->id, SITE_TEXT_DETAIL, lang, ""));
    }
    if (rc == KK_OK) {
        rc = json_field(out, "fix", text_or(f->id, SITE_TEXT_FIX, lang, ""));
    }
    if (rc == KK_OK) {
        rc =
            json_field(out, "evidence", f->evidence != NULL ? f->evidence : "");
    }
    if (rc == KK_OK) {
        rc = kk_buf_putc(out, '}');
    }
    return rc;
}

static int json_grade(const struct site_report *r, struct kk_buf *out)
{
    int rc;
    if (r->grade[0] == '\0') {
        rc = kk_buf_puts(out, ",\"grade\":null,\"score\":null");
    } else {
        rc = kk_buf_putf(out, ",\"grade\":\"%s\",\"score\":%d", r->grade,
                         r->score);
    }
    if (rc == KK_OK) {
        rc = kk_buf_puts(out, ",\"areas\":{");
    }
    for (size_t a = 0; a < SITE_AREA_COUNT && rc == KK_OK; a++) {
        rc = kk_buf_putf(out, "%s\"%s\":", a > 0 ? "," : "",
                         site_area_name((enum site_area)a));
        if (rc == KK_OK) {
            rc = r->area_score[a] < 0
                     ? kk_buf_puts(out, "null")
                     : kk_buf_putf(out, "%d", r->area_score[a]);
        }
    }
    if (rc == KK_OK) {
        rc = kk_buf_puts(out, "},\"capped_by\":[");
    }
    for (size_t i = 0; i < r->n_caps && rc == KK_OK; i++) {
        rc = kk_buf_puts(out, i > 0 ? ",{\"id\":" : "{\"id\":");
        if (rc == KK_OK) {
            rc = kk_json_str(out, r->caps[i].id);
        }
        if (rc == KK_OK) {
            rc = kk_buf_putf(out, ",\"grade\":\"%s\"}", r->caps[i].grade);
        }
    }
    if (rc == KK_OK) {
        rc = kk_buf_puts(out, "],\"best_fix\":");
    }
    if (rc == KK_OK) {
        rc = r->best_fix != NULL ? kk_json_str(out, r->best_fix)
                                 : kk_buf_puts(out, "null");
    }
    return rc;
}

int site_report_json(const struct site_report *r, const char *lang,
                     struct kk_buf *out)
{
    int rc = KK_ERR_INVAL;
    if (r == NULL || out == NULL) {
        goto out;
    }
    if (r->failure[0] != '\0') {
        rc = json_failure(r, lang, out);
        goto out;
    }
    rc = kk_buf_puts(out, "{\"target\":");
    if (rc == KK_OK) {
        rc = kk_json_str(out, r->host);
    }
    if (rc == KK_OK) {
        rc = json_field(out, "url", r->url);
    }
    if (rc == KK_OK) {
        rc = kk_buf_puts(out, ",\"checked_at\":");
    }
    if (rc == KK_OK) {
        rc = json_time(out, r->checked_at);
    }
    if (rc == KK_OK) {
        rc = json_field(out, "lang", json_lang(lang));
    }
    if (rc == KK_OK) {
        rc = json_grade(r, out);
    }
    if (rc == KK_OK) {
        rc = kk_buf_puts(out, ",\"findings\":[");
    }
    for (size_t i = 0; i < r->n_res && rc == KK_OK; i++) {
        if (i > 0) {
            rc = kk_buf_putc(out, ',');
        }
        if (rc == KK_OK) {
            rc = json_finding(&r->res[i], lang, out);
        }
    }
    if (rc == KK_OK) {
        rc = kk_buf_puts(out, "],\"passed\":[");
    }
    for (size_t i = 0; i < r->n_passed && rc == KK_OK; i++) {
        if (i > 0) {
            rc = kk_buf_putc(out, ',');
        }
        if (rc == KK_OK) {
            rc = kk_json_str(out, r->passed[i]);
        }
    }
    if (rc == KK_OK) {
        rc = kk_buf_putf(out,
                         "],\"requests\":%u,\"handshakes\":%u,"
                         "\"elapsed_ms\":%lld,\"cert_expires_at\":",
                         r->requests, r->handshakes, (long long)r->elapsed_ms);
    }
    if (rc == KK_OK) {
        rc = json_time(out, r->cert_expiry);
    }
    if (rc == KK_OK) {
        rc = kk_buf_putc(out, '}');
    }
out:
    return rc;
}

/* ---- Text ---- */

/* Length of the valid UTF-8 sequence at p, or 0 when invalid. */
static size_t utf8_len(const unsigned char *p, size_t left)
{
    size_t n = 0;
    if (p[0] < 0x80) {
        n = 1;
    } else if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        n = 2;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        n = 3;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        n = 4;
    }
    if (n > left) {
        n = 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            n = 0;
        }
    }
    return n;
}

/* Appends len bytes of s, each control byte or invalid UTF-8 byte
 * replaced by '?', so untrusted text cannot drive the terminal. */
static int put_safe(struct kk_buf *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    int rc = KK_OK;
    while (i < len && rc == KK_OK) {
        size_t l = utf8_len(p + i, len - i);
        bool ctl = l == 1 && (p[i] < 0x20 || p[i] == 0x7f);
        /* C1 controls (U+0080-U+009F) act as escapes on some terminals. */
        bool c1 = l == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0;
        if (l == 0 || ctl || c1) {
            rc = kk_buf_putc(out, '?');
            i += l == 0 ? 1 : l;
        } else {
            rc = kk_buf_put(out, p + i, l);
            i += l;
        }
    }
    return rc;
}

/* Code points in s[0..n): the columns of a line of our own text. */
static size_t columns(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) {
        if (((unsigned char)s[i] & 0xc0) != 0x80) {
            c++;
        }
    }
    return c;
}

static int put_indent(struct kk_buf *out, size_t n)
{
    int rc = KK_OK;
    for (size_t i = 0; i < n && rc == KK_OK; i++) {
        rc = kk_buf_putc(out, ' ');
    }
    return rc;
}

/* The width of a list marker at the start of a line ("1. ", "- "), for
 * the hanging indent of its continuation lines; 0 when there is none. */
static size_t marker_width(const char *s, size_t n)
{
    size_t i = 0;
    size_t w = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9' && i < 3) {
        i++;
    }
    if (i > 0 && i + 1 < n && (s[i] == '.' || s[i] == ')') && s[i + 1] == ' ') {
        w = i + 2;
    } else if (n > 2 && (s[0] == '-' || s[0] == '*') && s[1] == ' ') {
        w = 2;
    }
    return w;
}

/*
 * Whether a line of a finding's text is code (configuration to copy,
 * which must not be broken): it starts with a blank, or ends as nginx,
 * Apache and DNS lines do (';', '{', '}', '>', a quote).
 */
static bool is_code(const char *s, size_t n)
{
    char last = n > 0 ? s[n - 1] : '\0';
    return n > 0 &&
           (s[0] == ' ' || s[0] == '\t' || last == ';' || last == '{' ||
            last == '}' || last == '>' || last == '"' || last == '\'');
}

/*
 * Appends one line, word-wrapped to WRAP_COLUMNS with indent spaces before
 * each line and hang more before each continuation line; a list item's
 * continuation lines also hang under its text.  With code set, a line of
 * code (is_code) is kept whole, two columns further in so it stands out
 * from the prose around it.
 */
static int wrap_line(struct kk_buf *out, const char *s, size_t n, size_t indent,
                     size_t hang, bool code)
{
    size_t width = WRAP_COLUMNS > indent + 20 ? WRAP_COLUMNS - indent : 20;
    size_t col = 0;
    size_t i = 0;
    bool whole = code && is_code(s, n);
    hang += marker_width(s, n);
    int rc = put_indent(out, whole && s[0] != ' ' ? indent + 2 : indent);

    if (rc != KK_OK || n == 0 || whole || columns(s, n) <= width) {
        if (rc == KK_OK) {
            rc = kk_buf_put(out, s, n);
        }
        goto end;
    }
    while (i < n && rc == KK_OK) {
        size_t ws = i;
        while (i < n && s[i] != ' ') {
            i++;
        }
        size_t wl = columns(s + ws, i - ws);
        if (col > 0 && col + 1 + wl > width) {
            rc = kk_buf_putc(out, '\n');
            if (rc == KK_OK) {
                rc = put_indent(out, indent + hang);
            }
            col = hang;
        } else if (col > 0) {
            rc = kk_buf_putc(out, ' ');
            col++;
        }
        if (rc == KK_OK) {
            rc = kk_buf_put(out, s + ws, i - ws);
        }
        col += wl;
        while (i < n && s[i] == ' ') {
            i++;
        }
    }
end:
    if (rc == KK_OK) {
        rc = kk_buf_putc(out, '\n');
    }
    return rc;
}

/*
 * Appends one item of a line of items joined by " · " (an area and its
 * score, the URL, a date), starting a new line, indented, rather than
 * splitting an item.  *col is the column reached; 0 before the first.
 */
static int put_item(struct kk_buf *out, size_t *col, size_t indent,
                    const char *item)
{
    size_t w = columns(item, strlen(item));
    int rc = KK_OK;
    if (*col == 0 || *col + 3 + w > WRAP_COLUMNS) {
        rc = kk_buf_puts(out, *col == 0 ? "" : "\n");
        if (rc == KK_OK) {
            rc = put_indent(out, indent);
        }
        *col = indent;
    } else {
        rc = kk_buf_puts(out, " \xc2\xb7 ");
        *col += 3;
    }
    if (rc == KK_OK) {
        rc = kk_buf_puts(out, item);
    }
    *col += w;
    return rc;
}

/* Appends a text of several lines ("\n" inside), each wrapped. */
static int wrap_text(struct kk_buf *out, const char *s, size_t indent)
{
    int rc = KK_OK;
    while (rc == KK_OK) {
        size_t n = strcspn(s, "\n");
        rc = wrap_line(out, s, n, indent, 0, true);
        if (s[n] == '\0') {
            break;
        }
        s += n + 1;
    }
    return rc;
}

/* Wraps the line composed in ln into out, its continuation lines hang
 * columns further in, and empties ln. */
static int flush_line(struct kk_buf *out, struct kk_buf *ln, size_t indent,
                      size_t hang)
{
    int rc =
        wrap_line(out, kk_buf_str(ln), kk_buf_len(ln), indent, hang, false);
    kk_buf_reset(ln);
    return rc;
}

static int text_failure(const struct site_report *r, const char *lang,
                        struct kk_buf *out, struct kk_buf *ln)
{
    int rc =
        kk_buf_putf(out, "%s: %s\n", r->host, site_ui(SITE_UI_FAILED, lang));
    if (rc == KK_OK) {
        rc = wrap_text(out, site_ui(fail_ui(r->failure), lang), 2);
    }
    if (rc == KK_OK) {
        rc = kk_buf_putc(ln, '(');
    }
    if (rc == KK_OK) {
        rc = put_safe(ln, r->failure_detail, strlen(r->failure_detail));
    }
    if (rc == KK_OK) {
        rc = kk_buf_putc(ln, ')');
    }
    if (rc == KK_OK) {
        rc = flush_line(out, ln, 2, 2);
    }
    return rc;
}

/* "host - grade A, score 87/100", then the areas, the URL and dates (the
 * URL's path came from the user: made safe first). */
static int text_header(const struct site_report *r, const char *lang,
                       struct kk_buf *out, struct kk_buf *ln)
{
    static const enum site_ui area_ui[SITE_AREA_COUNT] = {
        SITE_UI_AREA_TLS, SITE_UI_AREA_HEADERS, SITE_UI_AREA_EXPOSURE,
        SITE_UI_AREA_MAIL, SITE_UI_AREA_DNS};
    char ts[32];
    char item[256];
    size_t col = 0;
    int rc = kk_buf_putf(ln, "%s \xe2\x80\x94 %s %s, %s %d/100", r->host,
                         site_ui(SITE_UI_GRADE, lang),
                         r->grade[0] != '\0' ? r->grade : "?",
                         site_ui(SITE_UI_SCORE, lang), r->score);
    if (rc == KK_OK) {
        rc = flush_line(out, ln, 0, 2);
    }
    for (size_t a = 0; a < SITE_AREA_COUNT && rc == KK_OK; a++) {
        if (r->area_score[a] < 0) {
            snprintf(item, sizeof item, "%s: %s", site_ui(area_ui[a], lang),
                     site_ui(SITE_UI_NOT_CHECKED, lang));
        } else {
            snprintf(item, sizeof item, "%s: %d", site_ui(area_ui[a], lang),
                     r->area_score[a]);
        }
        rc = put_item(out, &col, 2, item);
    }
    col = 0;
    if (rc == KK_OK) {
        rc = kk_buf_putc(out, '\n');
    }
    if (rc == KK_OK) {
        rc = put_safe(ln, r->url, strlen(r->url));
    }
    if (rc == KK_OK) {
        rc = put_item(out, &col, 2, kk_buf_str(ln));
        kk_buf_reset(ln);
    }
    if (rc == KK_OK && kk_format_time(r->checked_at, ts, sizeof ts) == KK_OK) {
        snprintf(item, sizeof item, "%s: %s", site_ui(SITE_UI_CHECKED_AT, lang),
                 ts);
        rc = put_item(out, &col, 2, item);
    }
    if (rc == KK_OK && r->cert_expiry > 0 &&
        kk_format_time(r->cert_expiry, ts, sizeof ts) == KK_OK) {
        snprintf(item, sizeof item, "%s: %s",
                 site_ui(SITE_UI_CERT_EXPIRES, lang), ts);
        rc = put_item(out, &col, 2, item);
    }
    if (rc == KK_OK) {
        rc = kk_buf_putc(out, '\n');
    }
    return rc;
}

static int text_caps(const struct site_report *r, const char *lang,
                     struct kk_buf *out, struct kk_buf *ln)
{
    int rc = KK_OK;
    for (size_t i = 0; i < r->n_caps && rc == KK_OK; i++) {
        rc = kk_buf_putf(
            ln, "%s %s: %s (%s)", site_ui(SITE_UI_CAPPED, lang),
            r->caps[i].grade,
            text_or(r->caps[i].id, SITE_TEXT_TITLE, lang, r->caps[i].id),
            r->caps[i].id);
        if (rc == KK_OK) {
            rc = flush_line(out, ln, 0, 2);
        }
    }
    return rc;
}

static int text_best_fix(const struct site_report *r, const char *lang,
                         struct kk_buf *out, struct kk_buf *ln)
{
    int rc = KK_OK;
    if (r->best_fix == NULL) {
        goto out;
    }
    rc = kk_buf_putf(ln, "%s: %s (%s)", site_ui(SITE_UI_FIX_FIRST, lang),
                     text_or(r->best_fix, SITE_TEXT_TITLE, lang, r->best_fix),
                     r->best_fix);
    if (rc == KK_OK) {
        rc = kk_buf_putc(out, '\n');
    }
    if (rc == KK_OK) {
        rc = flush_line(out, ln, 0, 2);
    }
    if (rc == KK_OK) {
        rc = wrap_text(out, text_or(r->best_fix, SITE_TEXT_FIX, lang, ""), 4);
    }
out:
    return rc;
}

static int text_finding(const struct site_result *f, const char *lang,
                        struct kk_buf *out, struct kk_buf *ln)
{
    int rc = kk_buf_putf(ln, "* %s (%s)",
                         text_or(f->id, SITE_TEXT_TITLE, lang, f->id), f->id);
    if (rc == KK_OK) {
        rc = kk_buf_putc(out, '\n');
    }
    if (rc == KK_OK) {
        rc = flush_line(out, ln, 2, 0);
    }
    if (rc == KK_OK && f->evidence != NULL && f->evidence[0] != '\0') {
        rc = kk_buf_putf(ln, "%s: ", site_ui(SITE_UI_EVIDENCE, lang));
        if (rc == KK_OK) {
            rc = put_safe(ln, f->evidence, strlen(f->evidence));
        }
        if (rc == KK_OK) {
            rc = flush_line(out, ln, 4, 2);
        }
    }
    if (rc == KK_OK) {
        rc = kk_buf_putf(out, "    %s:\n", site_ui(SITE_UI_WHY, lang));
    }
    if (rc == KK_OK) {
        rc = wrap_text(out, text_or(f->id, SITE_TEXT_DETAIL, lang, ""), 6);
    }
    if (rc == KK_OK) {
        rc = kk_buf_putf(out, "    %s:\n", site_ui(SITE_UI_HOW, lang));
    }
    if (rc == KK_OK) {
        rc = wrap_text(out, text_or(f->id, SITE_TEXT_FIX, lang, ""), 6);
    }
    return rc;
}

static int text_findings(const struct site_report *r, const char *lang,
                         struct kk_buf *out, struct kk_buf *ln)
{
    static const enum site_ui sev_ui[] = {SITE_UI_SEV_INFO, SITE_UI_SEV_LOW,
                                          SITE_UI_SEV_MEDIUM, SITE_UI_SEV_HIGH,
                                          SITE_UI_SEV_CRITICAL};
    int rc = KK_OK;
    int last = -1;
    for (size_t i = 0; i < r->n_res && rc == KK_OK; i++) {
        const struct site_result *f = &r->res[i];
        unsigned sev = (unsigned)f->sev <= SITE_SEV_CRITICAL ? f->sev : 0;
        if ((int)sev != last) {
            rc = kk_buf_putf(out, "\n%s\n", site_ui(sev_ui[sev], lang));
            last = (int)sev;
        }
        if (rc == KK_OK) {
            rc = text_finding(f, lang, out, ln);
        }
    }
    return rc;
}

int site_report_text(const struct site_report *r, const char *lang,
                     struct kk_buf *out)
{
    /* One line being composed: evidence, a title and an id at most. */
    struct kk_buf *ln = NULL;
    int rc = KK_ERR_INVAL;
    if (r == NULL || out == NULL) {
        goto out;
    }
    ln = kk_buf_new(2 * KK_SITE_URL_MAX + 2 * KK_SITE_EVIDENCE_MAX + 4096);
    if (ln == NULL) {
        rc = KK_ERR_NOMEM;
        goto out;
    }
    if (r->failure[0] != '\0') {
        rc = text_failure(r, lang, out, ln);
        goto out;
    }
    rc = text_header(r, lang, out, ln);
    if (rc == KK_OK) {
        rc = text_caps(r, lang, out, ln);
    }
    if (rc == KK_OK) {
        rc = text_best_fix(r, lang, out, ln);
    }
    if (rc == KK_OK && r->n_res == 0) {
        rc = kk_buf_putf(out, "\n%s\n", site_ui(SITE_UI_NOTHING_FOUND, lang));
    }
    if (rc == KK_OK) {
        rc = text_findings(r, lang, out, ln);
    }
    if (rc == KK_OK) {
        rc = kk_buf_putf(out, "\n%s: %zu\n", site_ui(SITE_UI_PASSED, lang),
                         r->n_passed);
    }
out:
    kk_buf_free(ln);
    return rc;
}
