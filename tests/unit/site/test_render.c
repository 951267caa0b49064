/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_render.c - a report as JSON (the contract of docs/site.md: a valid
 * document with every field, null where there is no value) and as text
 * (the best fix first, the caps, the findings worst first, wrapped for a
 * terminal, hostile evidence made harmless), in three languages.
 *
 * The JSON is checked with a small validator written here: lib/site must
 * not depend on the hub's parser, and this one only has to say whether a
 * document is well formed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "site_int.h"
#include "text.h"

/* ---- A JSON well-formedness checker (RFC 8259) ---- */

struct jp {
    const char *p;
    const char *end;
    int depth;
};

static void ws(struct jp *j)
{
    while (j->p < j->end &&
           (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t')) {
        j->p++;
    }
}

static bool value(struct jp *j);

static bool lit(struct jp *j, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0) {
        return false;
    }
    j->p += n;
    return true;
}

static bool string(struct jp *j)
{
    if (j->p >= j->end || *j->p != '"') {
        return false;
    }
    j->p++;
    while (j->p < j->end && *j->p != '"') {
        unsigned char c = (unsigned char)*j->p;
        if (c < 0x20) {
            return false;
        }
        if (c == '\\') {
            j->p++;
            if (j->p >= j->end || strchr("\"\\/bfnrtu", *j->p) == NULL) {
                return false;
            }
            if (*j->p == 'u') {
                for (int i = 1; i <= 4; i++) {
                    if (j->p + i >= j->end ||
                        strchr("0123456789abcdefABCDEF", j->p[i]) == NULL) {
                        return false;
                    }
                }
                j->p += 4;
            }
        }
        j->p++;
    }
    if (j->p >= j->end) {
        return false;
    }
    j->p++;
    return true;
}

static bool number(struct jp *j)
{
    const char *s = j->p;
    if (j->p < j->end && *j->p == '-') {
        j->p++;
    }
    if (j->p >= j->end || *j->p < '0' || *j->p > '9') {
        return false;
    }
    if (*j->p == '0' && j->p + 1 < j->end && j->p[1] >= '0' && j->p[1] <= '9') {
        return false;
    }
    while (j->p < j->end &&
           ((*j->p >= '0' && *j->p <= '9') || *j->p == '.' || *j->p == 'e' ||
            *j->p == 'E' || *j->p == '+' || *j->p == '-')) {
        j->p++;
    }
    return j->p > s;
}

static bool members(struct jp *j, char close, bool keyed)
{
    if (++j->depth > 32) {
        return false;
    }
    j->p++;
    ws(j);
    if (j->p < j->end && *j->p == close) {
        j->p++;
        j->depth--;
        return true;
    }
    for (;;) {
        ws(j);
        if (keyed) {
            if (!string(j)) {
                return false;
            }
            ws(j);
            if (j->p >= j->end || *j->p != ':') {
                return false;
            }
            j->p++;
        }
        if (!value(j)) {
            return false;
        }
        ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        if (j->p < j->end && *j->p == close) {
            j->p++;
            j->depth--;
            return true;
        }
        return false;
    }
}

static bool value(struct jp *j)
{
    ws(j);
    if (j->p >= j->end) {
        return false;
    }
    switch (*j->p) {
    case '{':
        return members(j, '}', true);
    case '[':
        return members(j, ']', false);
    case '"':
        return string(j);
    case 't':
        return lit(j, "true");
    case 'f':
        return lit(j, "false");
    case 'n':
        return lit(j, "null");
    default:
        return number(j);
    }
}

static bool json_valid(const char *s)
{
    struct jp j = {s, s + strlen(s), 0};
    bool ok = value(&j);
    ws(&j);
    return ok && j.p == j.end;
}

static void the_validator_can_say_no(void **state)
{
    (void)state;
    assert_true(json_valid("{\"a\":[1,-2.5e3,\"x\\u00e9\",true,null,{}]}"));
    assert_false(json_valid("{\"a\":1,}"));
    assert_false(json_valid("{\"a\" 1}"));
    assert_false(json_valid("[\"tab\there\"]"));
    assert_false(json_valid("[01]"));
    assert_false(json_valid("{} {}"));
    assert_false(json_valid("[\"\\x\"]"));
    assert_false(json_valid("{\"a\":nul}"));
}

/* ---- Reports ---- */

#define T_CHECKED 1795000000 /* 2026-11-18T... */
#define T_EXPIRY 1830000000

static struct site_report *graded(const char *const *found,
                                  const char *const *evidence)
{
    struct site_report *r = site_report_new();
    assert_non_null(r);
    snprintf(r->host, sizeof r->host, "example.org");
    snprintf(r->url, sizeof r->url, "https://example.org/");
    r->checked_at = T_CHECKED;
    r->cert_expiry = T_EXPIRY;
    r->requests = 42;
    r->handshakes = 9;
    r->elapsed_ms = 1234;
    for (size_t a = 0; a < SITE_AREA_COUNT; a++) {
        r->area_checked[a] = a != SITE_AREA_MAIL;
    }
    for (size_t i = 0; found[i] != NULL; i++) {
        assert_int_equal(site_report_add(r, found[i], evidence[i]), KK_OK);
    }
    assert_int_equal(site_report_pass(r, "xcto.missing"), KK_OK);
    assert_int_equal(site_report_pass(r, "hsts.missing"), KK_OK);
    site_report_sort(r);
    site_grade(r);
    return r;
}

static char *render(const struct site_report *r, const char *lang, bool json)
{
    struct kk_buf *b = kk_buf_new(4 * 1024 * 1024);
    assert_non_null(b);
    assert_int_equal(json ? site_report_json(r, lang, b)
                          : site_report_text(r, lang, b),
                     KK_OK);
    size_t n;
    char *s = (char *)kk_buf_take(b, &n);
    kk_buf_free(b);
    assert_non_null(s);
    return s;
}

static const char *const bad_found[] = {
    "exposed.env",     "tls.protocol.legacy", "csp.missing",
    "dns.caa.missing", "leak.server_version", NULL};
static const char *const bad_evidence[] = {
    "/.env", "TLS 1.0, TLS 1.1", "", "", "nginx/1.22.1 \"quoted\"\\", NULL};

static void
json_of_a_graded_report_is_one_valid_document_with_every_field(void **state)
{
    static const char *const want[] = {
        "{\"target\":\"example.org\",\"url\":\"https://example.org/\","
        "\"checked_at\":\"2026-11-18T",
        "\"lang\":\"en\",\"grade\":\"F\",\"score\":",
        "\"areas\":{\"tls\":85,\"headers\":80,\"exposure\":50,\"mail\":null,"
        "\"dns\":100}",
        "\"score\":77,",
        "\"capped_by\":[{\"id\":\"exposed.env\",\"grade\":\"F\"}]",
        "\"best_fix\":\"exposed.env\"",
        "\"findings\":[{\"id\":\"exposed.env\",\"severity\":\"critical\","
        "\"area\":\"exposure\",\"title\":\"",
        "\"evidence\":\"/.env\"}",
        "\"evidence\":\"nginx/1.22.1 \\\"quoted\\\"\\\\\"",
        "\"passed\":[\"hsts.missing\",\"xcto.missing\"]",
        "\"requests\":42,\"handshakes\":9,\"elapsed_ms\":1234,"
        "\"cert_expires_at\":\"2027-12-28T",
    };
    struct site_report *r = graded(bad_found, bad_evidence);
    char *j = render(r, "en", true);
    (void)state;
    assert_true(json_valid(j));
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        if (strstr(j, want[i]) == NULL) {
            fail_msg("missing %s in %s", want[i], j);
        }
    }
    /* Findings worst first: critical, then medium by id, low, info. */
    const char *env = strstr(j, "\"id\":\"exposed.env\",\"severity\"");
    const char *csp = strstr(j, "\"id\":\"csp.missing\",\"severity\"");
    const char *leak = strstr(j, "\"id\":\"leak.server_version\",\"severity\"");
    const char *caa = strstr(j, "\"id\":\"dns.caa.missing\",\"severity\"");
    assert_true(env != NULL && csp != NULL && leak != NULL && caa != NULL);
    assert_true(env < csp && csp < leak && leak < caa);
    /* Every finding carries its texts. */
    assert_null(strstr(j, "\"title\":\"\""));
    assert_null(strstr(j, "\"fix\":\"\""));
    free(j);
    site_report_free(r);
}

static void json_gives_null_for_what_has_no_value(void **state)
{
    static const char *const none[] = {NULL};
    struct site_report *r = graded(none, none);
    (void)state;
    r->cert_expiry = 0;
    char *j = render(r, "en", true);
    assert_true(json_valid(j));
    assert_non_null(strstr(j, "\"best_fix\":null"));
    assert_non_null(strstr(j, "\"capped_by\":[]"));
    assert_non_null(strstr(j, "\"findings\":[]"));
    assert_non_null(strstr(j, "\"cert_expires_at\":null"));
    assert_non_null(strstr(j, "\"mail\":null"));
    assert_non_null(strstr(j, "\"grade\":\"A\""));
    free(j);
    site_report_free(r);
}

static void json_of_a_failed_check_says_why(void **state)
{
    struct site_report *r = site_report_new();
    (void)state;
    assert_non_null(r);
    snprintf(r->host, sizeof r->host, "blocked.example");
    r->checked_at = T_CHECKED;
    snprintf(r->failure, sizeof r->failure, "blocked");
    snprintf(r->failure_detail, sizeof r->failure_detail,
             "refused the checker (HTTP 403) \"x\"");
    char *j = render(r, "ru", true);
    assert_true(json_valid(j));
    assert_non_null(strstr(j, "{\"target\":\"blocked.example\","
                              "\"checked_at\":\"2026-11-18T"));
    assert_non_null(strstr(j, "\"error\":{\"code\":\"blocked\",\"message\":"
                              "\"refused the checker (HTTP 403) \\\"x\\\"\","
                              "\"explanation\":\""));
    assert_non_null(
        strstr(j, site_text("ui.fail.blocked", SITE_TEXT_TITLE, "ru")));
    assert_null(strstr(j, "\"grade\""));
    assert_null(strstr(j, "\"findings\""));
    free(j);
    char *t = render(r, "en", false);
    assert_non_null(strstr(t, "blocked.example: could not be checked"));
    assert_non_null(strstr(t, "firewall or anti-bot"));
    assert_non_null(strstr(t, "(refused the checker (HTTP 403)"));
    free(t);
    site_report_free(r);
}

static void json_texts_follow_the_language(void **state)
{
    struct site_report *r = graded(bad_found, bad_evidence);
    (void)state;
    for (size_t l = 0; l < 3; l++) {
        static const char *const langs[] = {"en", "ru", "ky"};
        char *j = render(r, langs[l], true);
        const char *title = site_text("exposed.env", SITE_TEXT_TITLE, langs[l]);
        struct kk_buf *q = kk_buf_new(4096);
        assert_non_null(q);
        assert_int_equal(kk_json_str(q, title), KK_OK);
        assert_true(json_valid(j));
        if (strstr(j, kk_buf_str(q)) == NULL) {
            fail_msg("%s: no title %s", langs[l], title);
        }
        kk_buf_free(q);
        free(j);
    }
    site_report_free(r);
}

static void text_report_puts_the_best_fix_before_the_findings(void **state)
{
    struct site_report *r = graded(bad_found, bad_evidence);
    char *t = render(r, "en", false);
    (void)state;
    const char *head = strstr(t, "example.org \xe2\x80\x94 grade F, score ");
    const char *cap = strstr(t, "Grade held down to F: ");
    const char *first = strstr(t, "Fix this first: ");
    const char *crit = strstr(t, "\nCritical");
    const char *med = strstr(t, "\nMedium");
    const char *info = strstr(t, "\nFor your information");
    const char *passed = strstr(t, "Checks passed: 2\n");
    if (head == NULL || cap == NULL || first == NULL || crit == NULL ||
        med == NULL || info == NULL || passed == NULL) {
        fail_msg("a part is missing:\n%s", t);
    }
    assert_true(head == t);
    assert_true(head < cap && cap < first && first < crit && crit < med &&
                med < info && info < passed);
    /* The best fix is the exposed .env, with its fix right under it. */
    assert_true(
        strncmp(first + strlen("Fix this first: "),
                site_text("exposed.env", SITE_TEXT_TITLE, "en"),
                strlen(site_text("exposed.env", SITE_TEXT_TITLE, "en"))) == 0);
    assert_non_null(strstr(t, "Seen: /.env\n"));
    assert_non_null(strstr(t, "Seen: TLS 1.0, TLS 1.1\n"));
    assert_non_null(strstr(t, "not checked"));
    assert_non_null(strstr(t, "certificate valid until: 2027-12-28T"));
    free(t);
    site_report_free(r);
}

static void text_report_of_a_clean_site_says_so(void **state)
{
    static const char *const none[] = {NULL};
    struct site_report *r = graded(none, none);
    char *t = render(r, "en", false);
    (void)state;
    assert_non_null(strstr(t, "Nothing that needs fixing was found."));
    assert_null(strstr(t, "Fix this first"));
    assert_null(strstr(t, "Grade held down"));
    free(t);
    site_report_free(r);
}

static void text_report_defuses_hostile_evidence(void **state)
{
    static const char *const found[] = {"leak.server_version", NULL};
    static const char *const ev[] = {"nginx\x1b]0;owned\x07\x1b[2J \xc2\x9b"
                                     "31m \xff\xfe ok",
                                     NULL};
    struct site_report *r = graded(found, ev);
    char *t = render(r, "en", false);
    (void)state;
    for (const unsigned char *p = (const unsigned char *)t; *p != '\0'; p++) {
        if ((*p < 0x20 && *p != '\n') || *p == 0x7f || *p == 0xff) {
            fail_msg("byte 0x%02x reached the terminal", *p);
        }
    }
    assert_null(strstr(t, "\xc2\x9b"));
    assert_non_null(strstr(t, "Seen: nginx?]0;owned??[2J ?31m ?? ok\n"));
    free(t);
    site_report_free(r);
}

/* Code points in s[0..n). */
static size_t cols(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) {
        c += ((unsigned char)s[i] & 0xc0) != 0x80;
    }
    return c;
}

/* Whether a line found too long was kept whole on purpose: a line of a
 * finding's text (code to copy), or one word. */
static bool kept_whole(const char *line, size_t n)
{
    while (n > 0 && *line == ' ') {
        line++;
        n--;
    }
    if (memchr(line, ' ', n) == NULL) {
        return true;
    }
    for (size_t i = 0; i < site_finding_count(); i++) {
        static const char *const langs[] = {"en", "ru", "ky"};
        for (size_t l = 0; l < 3; l++) {
            for (int p = SITE_TEXT_DETAIL; p <= SITE_TEXT_FIX; p++) {
                const char *t = site_text(site_finding_at(i)->id,
                                          (enum site_text_part)p, langs[l]);
                const char *at = t != NULL ? strstr(t, line) : NULL;
                /* The whole line: its source starts at a line start. */
                while (at != NULL) {
                    const char *e = at;
                    while (e > t && e[-1] == ' ') {
                        e--;
                    }
                    if ((e == t || e[-1] == '\n') &&
                        (at[n] == '\n' || at[n] == '\0')) {
                        return true;
                    }
                    at = strstr(at + 1, line);
                }
            }
        }
    }
    return false;
}

static void text_report_wraps_prose_for_a_terminal(void **state)
{
    static const char *ids[64];
    static const char *evs[64];
    size_t n = 0;
    (void)state;
    for (size_t i = 0; i < site_finding_count() && n < 63; i++) {
        ids[n] = site_finding_at(i)->id;
        evs[n] = "a long piece of evidence that goes on and on, with words "
                 "enough to need more than one line of any terminal window";
        n++;
    }
    ids[n] = NULL;
    struct site_report *r = graded(ids, evs);
    static const char *const langs[] = {"en", "ru", "ky"};
    for (size_t l = 0; l < 3; l++) {
        char *t = render(r, langs[l], false);
        size_t long_lines = 0;
        for (const char *line = t; *line != '\0';) {
            size_t len = strcspn(line, "\n");
            if (cols(line, len) > 78) {
                char copy[2048];
                size_t cl = len < sizeof copy - 1 ? len : sizeof copy - 1;
                memcpy(copy, line, cl);
                copy[cl] = '\0';
                if (!kept_whole(copy, cl)) {
                    print_error("%s: too long: %s\n", langs[l], copy);
                    long_lines++;
                }
            }
            line += len + (line[len] == '\n');
        }
        assert_int_equal(long_lines, 0);
        free(t);
    }
    site_report_free(r);
}

static void text_report_speaks_russian_and_kyrgyz(void **state)
{
    struct site_report *r = graded(bad_found, bad_evidence);
    (void)state;
    char *ru = render(r, "ru", false);
    char *ky = render(r, "ky", false);
    assert_non_null(strstr(ru, "example.org \xe2\x80\x94 оценка F"));
    assert_non_null(strstr(ky, "example.org \xe2\x80\x94 баа F"));
    assert_non_null(
        strstr(ru, site_text("exposed.env", SITE_TEXT_TITLE, "ru")));
    assert_non_null(strstr(ru, site_ui(SITE_UI_FIX_FIRST, "ru")));
    assert_non_null(strstr(ky, site_ui(SITE_UI_FIX_FIRST, "ky")));
    assert_null(strstr(ru, "Fix this first"));
    assert_null(strstr(ky, "Fix this first"));
    free(ru);
    free(ky);
    site_report_free(r);
}

static void rendering_refuses_a_missing_report(void **state)
{
    struct kk_buf *b = kk_buf_new(64);
    (void)state;
    assert_int_equal(site_report_json(NULL, "en", b), KK_ERR_INVAL);
    assert_int_equal(site_report_text(NULL, "en", b), KK_ERR_INVAL);
    kk_buf_free(b);
}

static void a_full_buffer_is_an_error_not_a_cut_document(void **state)
{
    struct site_report *r = graded(bad_found, bad_evidence);
    struct kk_buf *b = kk_buf_new(200);
    (void)state;
    assert_int_equal(site_report_json(r, "en", b), KK_ERR_LIMIT);
    kk_buf_reset(b);
    assert_int_equal(site_report_text(r, "en", b), KK_ERR_LIMIT);
    kk_buf_free(b);
    site_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_validator_can_say_no),
        cmocka_unit_test(
            json_of_a_graded_report_is_one_valid_document_with_every_field),
        cmocka_unit_test(json_gives_null_for_what_has_no_value),
        cmocka_unit_test(json_of_a_failed_check_says_why),
        cmocka_unit_test(json_texts_follow_the_language),
        cmocka_unit_test(text_report_puts_the_best_fix_before_the_findings),
        cmocka_unit_test(text_report_of_a_clean_site_says_so),
        cmocka_unit_test(text_report_defuses_hostile_evidence),
        cmocka_unit_test(text_report_wraps_prose_for_a_terminal),
        cmocka_unit_test(text_report_speaks_russian_and_kyrgyz),
        cmocka_unit_test(rendering_refuses_a_missing_report),
        cmocka_unit_test(a_full_buffer_is_an_error_not_a_cut_document),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
