/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_sheet.c - unit tests of the printable enrolment sheet: the HTML
 * escaping on its own (hostile names, quotes, ampersands, Cyrillic), the
 * page in each language (lang attribute, charset, viewport, inline SVG,
 * the key in groups of four, no script and nothing fetched from the
 * network), and the language parser.  The tag balance of the page is
 * checked by tests/integ/otp_sheet.sh with python's html.parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kalkan/otp.h"

#include "../../../lib/otp/otp_int.h"

/* ---- helpers ---- */

/* A TOTP credential with the RFC 4226 test secret "12345678901234567890",
 * whose base32 is GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ. */
static void uri_fixture(struct otp_uri *u, const char *issuer,
                        const char *account)
{
    memset(u, 0, sizeof *u);
    otp_params_default(&u->params);
    snprintf(u->issuer, sizeof u->issuer, "%s", issuer);
    snprintf(u->account, sizeof u->account, "%s", account);
    memcpy(u->secret, "12345678901234567890", 20);
    u->secret_len = 20;
}

/* Renders the sheet of u in lang into a new buffer the caller frees. */
static struct kk_buf *render(const struct otp_uri *u, enum otp_lang lang)
{
    struct kk_buf *b = kk_buf_new(KK_OTP_SHEET_MAX);

    assert_non_null(b);
    assert_int_equal(otp_sheet_render(u, lang, b), KK_OK);
    assert_int_equal(strlen(kk_buf_str(b)), kk_buf_len(b));
    return b;
}

static void escape_is(const char *in, const char *want)
{
    struct kk_buf *b = kk_buf_new(4096);

    assert_non_null(b);
    assert_int_equal(otp_html_escape(b, in), KK_OK);
    assert_string_equal(kk_buf_str(b), want);
    kk_buf_free(b);
}

/* True if s has an attribute name= whose value starts with a network
 * scheme, quoted or not. */
static bool fetches_remote(const char *s, const char *name)
{
    static const char *const schemes[] = {"http:", "https:", "//", "ftp:"};
    size_t n = strlen(name);

    for (const char *p = strstr(s, name); p != NULL; p = strstr(p + 1, name)) {
        const char *v = p + n;
        if (*v == '"' || *v == '\'')
            v++;
        for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++)
            if (strncmp(v, schemes[i], strlen(schemes[i])) == 0)
                return true;
    }
    return false;
}

/* What every page must be, whatever the language. */
static void check_page(const char *s, const char *lang)
{
    char attr[32];

    snprintf(attr, sizeof attr, "<html lang=\"%s\">", lang);
    assert_true(strncmp(s, "<!DOCTYPE html>\n", 16) == 0);
    assert_non_null(strstr(s, attr));
    assert_non_null(strstr(s, "<meta charset=\"utf-8\">"));
    assert_non_null(strstr(s, "<meta name=\"viewport\" content=\"width="
                              "device-width, initial-scale=1\">"));
    assert_non_null(strstr(s, "<style>"));
    assert_non_null(strstr(s, "@page{size:A4"));
    assert_non_null(strstr(s, "@media print"));
    assert_non_null(strstr(s, "<svg "));
    assert_non_null(strstr(s, "</svg>"));
    assert_non_null(strstr(s, "</html>\n"));
    /* The SVG is inline: no XML declaration in the middle of HTML. */
    assert_null(strstr(s, "<?xml"));
    /* Nothing runs and nothing is fetched. */
    assert_null(strstr(s, "<script"));
    assert_null(strstr(s, "<SCRIPT"));
    assert_null(strstr(s, "<link"));
    assert_null(strstr(s, "<img"));
    assert_null(strstr(s, "<iframe"));
    assert_null(strstr(s, "@import"));
    assert_null(strstr(s, "url("));
    assert_null(strstr(s, "javascript:"));
    assert_false(fetches_remote(s, "src="));
    assert_false(fetches_remote(s, "href="));
    /* The key for manual entry: unpadded, in groups of four. */
    assert_non_null(strstr(s, ">GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ<"));
    assert_null(strstr(s, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"));
}

/* ---- escaping ---- */

static void html_escape_replaces_the_five_special_characters(void **state)
{
    (void)state;
    escape_is("", "");
    escape_is("plain text", "plain text");
    escape_is("<script>alert(1)</script>",
              "&lt;script&gt;alert(1)&lt;/script&gt;");
    escape_is("\"quoted\" and 'single'",
              "&quot;quoted&quot; and &#39;single&#39;");
    escape_is("Tom & Jerry &amp; co", "Tom &amp; Jerry &amp;amp; co");
    escape_is("\"><img src=x onerror=alert(1)>",
              "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    escape_is("<<>>&&", "&lt;&lt;&gt;&gt;&amp;&amp;");
}

static void html_escape_keeps_utf8_cyrillic_as_it_is(void **state)
{
    (void)state;
    escape_is("Редакция «Азаттык» & Ко", "Редакция «Азаттык» &amp; Ко");
    escape_is("Айгүл Өмүрбекова <айгүл@example.kg>",
              "Айгүл Өмүрбекова &lt;айгүл@example.kg&gt;");
}

static void html_escape_at_the_cap_leaves_the_buffer_as_it_was(void **state)
{
    struct kk_buf *b = kk_buf_new(12);

    (void)state;
    assert_non_null(b);
    assert_int_equal(kk_buf_puts(b, "abc"), KK_OK);
    assert_int_equal(otp_html_escape(b, "<<<"), KK_ERR_LIMIT);
    assert_string_equal(kk_buf_str(b), "abc");
    assert_int_equal(otp_html_escape(b, NULL), KK_ERR_INVAL);
    assert_int_equal(otp_html_escape(NULL, "x"), KK_ERR_INVAL);
    kk_buf_free(b);
}

/* ---- the page ---- */

static void sheet_renders_in_each_language(void **state)
{
    static const struct {
        enum otp_lang lang;
        const char *code;
        const char *destroy;
        const char *app;
    } cases[] = {
        {OTP_LANG_EN, "en", "Destroy this sheet after scanning", "Aegis"},
        {OTP_LANG_RU, "ru", "Уничтожьте лист после сканирования", "FreeOTP"},
        {OTP_LANG_KY, "ky", "Сканерлегенден кийин бул баракты жок кылыңыз",
         "2FAS"},
    };
    struct otp_uri u;

    (void)state;
    uri_fixture(&u, "Newsroom", "aigul@office");
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct kk_buf *b = render(&u, cases[i].lang);
        const char *s = kk_buf_str(b);
        check_page(s, cases[i].code);
        assert_non_null(strstr(s, cases[i].destroy));
        assert_non_null(strstr(s, cases[i].app));
        assert_non_null(strstr(s, "<td>aigul@office</td>"));
        assert_non_null(strstr(s, "<td>Newsroom</td>"));
        assert_non_null(strstr(s, "(TOTP)"));
        assert_non_null(strstr(s, "<td>SHA1</td>"));
        assert_non_null(strstr(s, "<td>30 "));
        kk_buf_free(b);
    }
}

static void sheet_languages_differ_in_their_text(void **state)
{
    struct otp_uri u;
    struct kk_buf *en;
    struct kk_buf *ru;
    struct kk_buf *ky;

    (void)state;
    uri_fixture(&u, "Kalkan", "a");
    en = render(&u, OTP_LANG_EN);
    ru = render(&u, OTP_LANG_RU);
    ky = render(&u, OTP_LANG_KY);
    assert_null(strstr(kk_buf_str(en), "Уничтожьте"));
    assert_null(strstr(kk_buf_str(ky), "Уничтожьте"));
    assert_null(strstr(kk_buf_str(ru), "кылыңыз"));
    assert_non_null(strstr(kk_buf_str(ru), "резервных кодов"));
    assert_non_null(strstr(kk_buf_str(ky), "Запастагы коддордун"));
    assert_non_null(strstr(kk_buf_str(en), "recovery codes"));
    kk_buf_free(en);
    kk_buf_free(ru);
    kk_buf_free(ky);
}

static void sheet_escapes_hostile_issuer_and_account(void **state)
{
    struct otp_uri u;

    (void)state;
    uri_fixture(&u, "<script>alert(\"x\")</script>",
                "\"><img src=x onerror=alert(1)>&'");
    for (int lang = OTP_LANG_EN; lang <= OTP_LANG_KY; lang++) {
        struct kk_buf *b = render(&u, (enum otp_lang)lang);
        const char *s = kk_buf_str(b);
        assert_null(strstr(s, "<script"));
        assert_null(strstr(s, "<img"));
        assert_non_null(strstr(s, "<td>&lt;script&gt;alert(&quot;x&quot;)"
                                  "&lt;/script&gt;</td>"));
        assert_non_null(strstr(s, "<td>&quot;&gt;&lt;img src=x "
                                  "onerror=alert(1)&gt;&amp;&#39;</td>"));
        kk_buf_free(b);
    }
}

static void sheet_keeps_cyrillic_names(void **state)
{
    struct otp_uri u;
    struct kk_buf *b;

    (void)state;
    uri_fixture(&u, "Редакция «Ала-Тоо» & Ко", "айгүл@кеңсе");
    b = render(&u, OTP_LANG_KY);
    assert_non_null(strstr(kk_buf_str(b), "<td>Редакция «Ала-Тоо» &amp; Ко"
                                          "</td>"));
    assert_non_null(strstr(kk_buf_str(b), "<td>айгүл@кеңсе</td>"));
    kk_buf_free(b);
}

static void sheet_without_issuer_has_no_issuer_row(void **state)
{
    struct otp_uri u;
    struct kk_buf *b;

    (void)state;
    uri_fixture(&u, "", "bakyt");
    b = render(&u, OTP_LANG_EN);
    assert_null(strstr(kk_buf_str(b), "<th>Organisation</th>"));
    assert_non_null(strstr(kk_buf_str(b), "<td>bakyt</td>"));
    kk_buf_free(b);
}

static void sheet_of_hotp_shows_the_type_and_no_period(void **state)
{
    struct otp_uri u;
    struct kk_buf *b;

    (void)state;
    uri_fixture(&u, "Kalkan", "hotp-user");
    u.params.kind = OTP_KIND_HOTP;
    u.params.alg = OTP_ALG_SHA512;
    u.params.digits = 8;
    b = render(&u, OTP_LANG_RU);
    assert_non_null(strstr(kk_buf_str(b), "<td>По счётчику (HOTP)</td>"));
    assert_non_null(strstr(kk_buf_str(b), "<td>8</td>"));
    assert_non_null(strstr(kk_buf_str(b), "<td>SHA512</td>"));
    assert_null(strstr(kk_buf_str(b), "Новый код каждые"));
    kk_buf_free(b);
}

static void sheet_groups_a_key_of_odd_length(void **state)
{
    struct otp_uri u;
    struct kk_buf *b;

    (void)state;
    uri_fixture(&u, "Kalkan", "short");
    u.secret_len = 11; /* 18 base32 characters, no padding */
    b = render(&u, OTP_LANG_EN);
    assert_non_null(
        strstr(kk_buf_str(b), "<td class=\"key\">GEZD GNBV GY3T QOJQ GE</td>"));
    kk_buf_free(b);
}

static void sheet_refuses_bad_input_and_leaves_the_buffer(void **state)
{
    struct otp_uri u;
    struct kk_buf *b = kk_buf_new(KK_OTP_SHEET_MAX);
    struct kk_buf *small = kk_buf_new(4096);

    (void)state;
    assert_non_null(b);
    assert_non_null(small);
    assert_int_equal(kk_buf_puts(b, "keep"), KK_OK);
    assert_int_equal(kk_buf_puts(small, "keep"), KK_OK);
    uri_fixture(&u, "Kalkan", "x");
    assert_int_equal(otp_sheet_render(&u, (enum otp_lang)3, b), KK_ERR_INVAL);
    assert_int_equal(otp_sheet_render(NULL, OTP_LANG_EN, b), KK_ERR_INVAL);
    assert_int_equal(otp_sheet_render(&u, OTP_LANG_EN, NULL), KK_ERR_INVAL);
    /* Too small for the page: the cap is reported, nothing is left. */
    assert_int_equal(otp_sheet_render(&u, OTP_LANG_EN, small), KK_ERR_LIMIT);
    assert_string_equal(kk_buf_str(small), "keep");
    /* A label otp_uri_build refuses is refused here too. */
    snprintf(u.account, sizeof u.account, "a:b");
    assert_int_equal(otp_sheet_render(&u, OTP_LANG_EN, b), KK_ERR_INVAL);
    u.account[0] = '\0';
    assert_int_equal(otp_sheet_render(&u, OTP_LANG_EN, b), KK_ERR_INVAL);
    assert_string_equal(kk_buf_str(b), "keep");
    kk_buf_free(b);
    kk_buf_free(small);
}

/* ---- languages ---- */

static void lang_parse_accepts_en_ru_ky(void **state)
{
    enum otp_lang l = OTP_LANG_EN;

    (void)state;
    assert_int_equal(otp_lang_parse("ru", &l), KK_OK);
    assert_int_equal(l, OTP_LANG_RU);
    assert_int_equal(otp_lang_parse("ky", &l), KK_OK);
    assert_int_equal(l, OTP_LANG_KY);
    assert_int_equal(otp_lang_parse("en", &l), KK_OK);
    assert_int_equal(l, OTP_LANG_EN);
    assert_int_equal(otp_lang_parse("KY", &l), KK_OK);
    assert_int_equal(l, OTP_LANG_KY);
}

static void lang_parse_rejects_unknown_languages(void **state)
{
    static const char *const bad[] = {"",      "kg",  "kz",  "de",
                                      "e",     "en ", " ru", "english",
                                      "ru-RU", "кы",  "ky\n"};
    enum otp_lang l = OTP_LANG_RU;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(otp_lang_parse(bad[i], &l), KK_ERR_INVAL);
        assert_int_equal(l, OTP_LANG_RU);
    }
    assert_int_equal(otp_lang_parse(NULL, &l), KK_ERR_INVAL);
    assert_int_equal(l, OTP_LANG_RU);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(html_escape_replaces_the_five_special_characters),
        cmocka_unit_test(html_escape_keeps_utf8_cyrillic_as_it_is),
        cmocka_unit_test(html_escape_at_the_cap_leaves_the_buffer_as_it_was),
        cmocka_unit_test(sheet_renders_in_each_language),
        cmocka_unit_test(sheet_languages_differ_in_their_text),
        cmocka_unit_test(sheet_escapes_hostile_issuer_and_account),
        cmocka_unit_test(sheet_keeps_cyrillic_names),
        cmocka_unit_test(sheet_without_issuer_has_no_issuer_row),
        cmocka_unit_test(sheet_of_hotp_shows_the_type_and_no_period),
        cmocka_unit_test(sheet_groups_a_key_of_odd_length),
        cmocka_unit_test(sheet_refuses_bad_input_and_leaves_the_buffer),
        cmocka_unit_test(lang_parse_accepts_en_ru_ky),
        cmocka_unit_test(lang_parse_rejects_unknown_languages),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
