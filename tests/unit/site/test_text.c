/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_text.c - the texts of `kalkan site`: the parser of lib/site/text/
 * files (table-driven, strict), every embedded file parsing cleanly, every
 * finding and interface key translated into English, Russian and Kyrgyz
 * and no section or key that nothing uses (a typo in an id is caught).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "site_int.h"
#include "site_texts.h"
#include "text.h"

static const char *const langs[] = {"en", "ru", "ky"};
#define N_LANGS (sizeof langs / sizeof langs[0])
static const char *const part_names[] = {"title", "detail", "fix"};

/* ---- The parser ---- */

struct collect {
    char out[1024];
    size_t n;
};

static int collect_sink(void *arg, const char *section,
                        enum site_text_part part, const char *value,
                        unsigned line)
{
    struct collect *c = arg;
    int w = snprintf(c->out + strlen(c->out), sizeof c->out - strlen(c->out),
                     "%u[%s]%s=%s|", line, section, part_names[part], value);
    c->n++;
    return w < 0 ? KK_ERR_IO : KK_OK;
}

static const struct {
    const char *name;
    const char *in;
    int rc;
    const char *want; /* the texts seen, or the start of the diagnostic */
} parse_cases[] = {
    {"a section with three texts",
     "# c\n[tls.cert.expired]\ntitle = T\ndetail = D\nfix = F\n", KK_OK,
     "3[tls.cert.expired]title=T|4[tls.cert.expired]detail=D|"
     "5[tls.cert.expired]fix=F|"},
    {"escapes become a line break and a backslash",
     "[a]\ntitle = one\\ntwo \\\\ three\n", KK_OK,
     "2[a]title=one\ntwo \\ three|"},
    {"blanks around keys and values are trimmed, CRLF accepted",
     "\t[ui.x] \r\n  title\t=   spaced out  \r\n", KK_OK,
     "2[ui.x]title=spaced out|"},
    {"a byte order mark is skipped", "\xef\xbb\xbf[a]\ntitle = x\n", KK_OK,
     "2[a]title=x|"},
    {"UTF-8 texts pass", "[a]\ntitle = Сертификат истёк\n", KK_OK,
     "2[a]title=Сертификат истёк|"},
    {"the last line needs no newline", "[a]\ntitle = x", KK_OK, "2[a]title=x|"},
    {"an empty file has no texts", "", KK_OK, ""},
    {"a key before any section", "title = x\n", KK_ERR_INVAL,
     "line 1: a text before any [section]"},
    {"an unknown key", "[a]\ntitel = x\n", KK_ERR_INVAL,
     "line 2: unknown key 'titel'"},
    {"a key given twice", "[a]\ntitle = x\ntitle = y\n", KK_ERR_INVAL,
     "line 3: 'title' given twice"},
    {"an empty value", "[a]\ntitle =\n", KK_ERR_INVAL, "line 2: an empty text"},
    {"a line that is neither", "[a]\ntitle = x\njust words\n", KK_ERR_INVAL,
     "line 3: neither"},
    {"an unknown escape", "[a]\nfix = location ~ /\\.git\n", KK_ERR_INVAL,
     "line 2: a backslash"},
    {"a backslash at the end", "[a]\nfix = x\\\n", KK_ERR_INVAL,
     "line 2: a backslash"},
    {"a section without texts", "[a]\n[b]\ntitle = x\n", KK_ERR_INVAL,
     "line 1: section [a] has no text"},
    {"a last section without texts", "[a]\ntitle = x\n[b]\n", KK_ERR_INVAL,
     "line 3: section [b] has no text"},
    {"an upper-case section", "[Tls.x]\ntitle = x\n", KK_ERR_INVAL,
     "line 1: a malformed"},
    {"a section with a space", "[tls x]\ntitle = x\n", KK_ERR_INVAL,
     "line 1: a malformed"},
    {"an empty section", "[]\ntitle = x\n", KK_ERR_INVAL,
     "line 1: a malformed"},
    {"an unclosed section", "[a\ntitle = x\n", KK_ERR_INVAL,
     "line 1: a malformed"},
    {"a section ending in a dot", "[a.]\ntitle = x\n", KK_ERR_INVAL,
     "line 1: a malformed"},
    {"invalid UTF-8", "[a]\ntitle = \xc3\x28\n", KK_ERR_INVAL,
     "line 2: invalid UTF-8"},
    {"an overlong UTF-8 form", "[a]\ntitle = \xc0\xaf\n", KK_ERR_INVAL,
     "line 2: invalid UTF-8"},
    {"a UTF-16 surrogate", "[a]\ntitle = \xed\xa0\x80\n", KK_ERR_INVAL,
     "line 2: invalid UTF-8"},
    {"a control byte", "[a]\ntitle = bell\a\n", KK_ERR_INVAL,
     "line 2: a control byte"},
    {"an escape byte", "[a]\ntitle = \x1b[31mred\n", KK_ERR_INVAL,
     "line 2: a control byte"},
};

static void parser_cases_give_texts_or_name_the_line(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
        struct collect c;
        struct kk_diag d = {.msg = ""};
        memset(&c, 0, sizeof c);
        int rc = site_text_parse(parse_cases[i].in, strlen(parse_cases[i].in),
                                 collect_sink, &c, &d);
        if (rc != parse_cases[i].rc) {
            fail_msg("%s: rc %d, want %d (%s)", parse_cases[i].name, rc,
                     parse_cases[i].rc, d.msg);
        }
        const char *got = rc == KK_OK ? c.out : d.msg;
        if (strncmp(got, parse_cases[i].want, strlen(parse_cases[i].want)) !=
                0 ||
            (rc == KK_OK && strcmp(got, parse_cases[i].want) != 0)) {
            fail_msg("%s: got '%s', want '%s'", parse_cases[i].name, got,
                     parse_cases[i].want);
        }
    }
}

static void parser_refuses_a_nul_byte_and_a_long_line(void **state)
{
    static char big[KK_SITE_TEXT_LINE_MAX + 64];
    struct kk_diag d = {.msg = ""};
    (void)state;
    assert_int_equal(site_text_parse("[a]\ntitle = x\0y\n", 16, NULL, NULL, &d),
                     KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "line 2"));
    memset(big, 'x', sizeof big);
    memcpy(big, "[a]\ntitle = ", 12);
    assert_int_equal(site_text_parse(big, sizeof big, NULL, NULL, &d),
                     KK_ERR_LIMIT);
    assert_non_null(strstr(d.msg, "line 2"));
}

static void parser_refuses_a_file_over_the_limit(void **state)
{
    struct kk_diag d = {.msg = ""};
    (void)state;
    /* The length is checked before a byte is read. */
    assert_int_equal(
        site_text_parse("", KK_SITE_TEXT_FILE_MAX + 1, NULL, NULL, &d),
        KK_ERR_LIMIT);
}

static int stop_sink(void *arg, const char *section, enum site_text_part part,
                     const char *value, unsigned line)
{
    (void)arg;
    (void)section;
    (void)part;
    (void)value;
    return line == 3 ? KK_ERR_NOMEM : KK_OK;
}

static void parser_stops_when_the_sink_fails(void **state)
{
    const char *in = "[a]\ntitle = x\ndetail = y\nfix = z\n";
    (void)state;
    assert_int_equal(site_text_parse(in, strlen(in), stop_sink, NULL, NULL),
                     KK_ERR_NOMEM);
}

static void file_names_give_their_language(void **state)
{
    char lang[4];
    (void)state;
    assert_int_equal(
        site_text_file_lang("lib/site/text/findings.ru.txt", lang, 4), KK_OK);
    assert_string_equal(lang, "ru");
    assert_int_equal(site_text_file_lang("ui.ky.txt", lang, 4), KK_OK);
    assert_string_equal(lang, "ky");
    assert_int_equal(site_text_file_lang("lib/site/text/en.txt", lang, 4),
                     KK_ERR_INVAL);
    assert_int_equal(site_text_file_lang("ui.EN.txt", lang, 4), KK_ERR_INVAL);
    assert_int_equal(site_text_file_lang("ui.english.txt", lang, 4),
                     KK_ERR_INVAL);
    assert_int_equal(site_text_file_lang("ui.en.md", lang, 4), KK_ERR_INVAL);
}

/* ---- The embedded files ---- */

static void every_embedded_file_parses_strictly(void **state)
{
    size_t files = 0;
    (void)state;
    for (size_t i = 0; site_text_files[i].name != NULL; i++) {
        const struct site_text_file *f = &site_text_files[i];
        struct kk_diag d = {.msg = ""};
        char lang[4];
        files++;
        if (site_text_file_lang(f->name, lang, sizeof lang) != KK_OK) {
            fail_msg("%s: not named <part>.<lang>.txt", f->name);
        }
        if (site_text_parse((const char *)f->data, f->len, NULL, NULL, &d) !=
            KK_OK) {
            fail_msg("%s: %s", f->name, d.msg);
        }
    }
    assert_true(files >= 6); /* findings and ui, three languages each */
}

static void the_index_holds_no_text_twice(void **state)
{
    struct kk_diag d = {.msg = ""};
    (void)state;
    if (site_text_status(&d) != KK_OK) {
        fail_msg("%s", d.msg);
    }
}

static bool is_ui_key(const char *s)
{
    bool found = false;
    for (size_t k = 0; k < SITE_UI_COUNT && !found; k++) {
        found = strcmp(site_ui_key((enum site_ui)k), s) == 0;
    }
    return found;
}

struct known_arg {
    const char *file;
    size_t defects;
};

static int known_sink(void *argp, const char *section, enum site_text_part part,
                      const char *value, unsigned line)
{
    struct known_arg *a = argp;
    (void)value;
    if (site_finding_find(section) != NULL) {
        return KK_OK;
    }
    if (is_ui_key(section)) {
        if (part != SITE_TEXT_TITLE) {
            print_error("%s:%u: [%s] is an interface key: title only\n",
                        a->file, line, section);
            a->defects++;
        }
        return KK_OK;
    }
    print_error("%s:%u: [%s] is neither a finding id nor an interface key\n",
                a->file, line, section);
    a->defects++;
    return KK_OK;
}

static void no_section_or_key_is_unknown(void **state)
{
    struct known_arg a = {NULL, 0};
    (void)state;
    for (size_t i = 0; site_text_files[i].name != NULL; i++) {
        a.file = site_text_files[i].name;
        (void)site_text_parse((const char *)site_text_files[i].data,
                              site_text_files[i].len, known_sink, &a, NULL);
    }
    assert_int_equal(a.defects, 0);
}

static void
every_finding_has_title_detail_and_fix_in_every_language(void **state)
{
    size_t missing = 0;
    (void)state;
    assert_true(site_finding_count() > 40);
    for (size_t i = 0; i < site_finding_count(); i++) {
        const char *id = site_finding_at(i)->id;
        for (size_t l = 0; l < N_LANGS; l++) {
            for (int p = SITE_TEXT_TITLE; p <= SITE_TEXT_FIX; p++) {
                const char *t =
                    site_text_exact(id, (enum site_text_part)p, langs[l]);
                if (t == NULL || t[0] == '\0') {
                    print_error("%s: no %s in %s\n", id, part_names[p],
                                langs[l]);
                    missing++;
                }
            }
        }
    }
    assert_int_equal(missing, 0);
}

static void every_interface_key_has_a_title_in_every_language(void **state)
{
    size_t missing = 0;
    (void)state;
    assert_null(site_ui_key(SITE_UI_COUNT));
    for (size_t k = 0; k < SITE_UI_COUNT; k++) {
        const char *key = site_ui_key((enum site_ui)k);
        assert_non_null(key);
        assert_memory_equal(key, "ui.", 3);
        for (size_t l = 0; l < N_LANGS; l++) {
            const char *t = site_text_exact(key, SITE_TEXT_TITLE, langs[l]);
            if (t == NULL || t[0] == '\0') {
                print_error("%s: no title in %s\n", key, langs[l]);
                missing++;
            }
        }
    }
    assert_int_equal(missing, 0);
}

/* Whether s has a Cyrillic letter (U+0400-U+04FF: lead byte 0xD0-0xD3). */
static bool has_cyrillic(const char *s)
{
    bool found = false;
    for (const unsigned char *p = (const unsigned char *)s;
         *p != '\0' && !found; p++) {
        found = *p >= 0xd0 && *p <= 0xd3 && (p[1] & 0xc0) == 0x80;
    }
    return found;
}

static void check_translated(const char *id, enum site_text_part p,
                             size_t *copies)
{
    const char *en = site_text_exact(id, p, "en");
    for (size_t l = 1; l < N_LANGS; l++) {
        const char *t = site_text_exact(id, p, langs[l]);
        if (en == NULL || t == NULL) {
            continue; /* reported by the completeness tests */
        }
        if (strcmp(en, t) == 0 || !has_cyrillic(t)) {
            print_error("%s %s in %s is not translated: %s\n", id,
                        part_names[p], langs[l], t);
            (*copies)++;
        }
    }
}

static void russian_and_kyrgyz_are_translations_not_copies(void **state)
{
    size_t copies = 0;
    (void)state;
    for (size_t i = 0; i < site_finding_count(); i++) {
        for (int p = SITE_TEXT_TITLE; p <= SITE_TEXT_FIX; p++) {
            check_translated(site_finding_at(i)->id, (enum site_text_part)p,
                             &copies);
        }
    }
    for (size_t k = 0; k < SITE_UI_COUNT; k++) {
        check_translated(site_ui_key((enum site_ui)k), SITE_TEXT_TITLE,
                         &copies);
    }
    assert_int_equal(copies, 0);
}

static void kyrgyz_differs_from_russian(void **state)
{
    size_t same = 0;
    (void)state;
    for (size_t i = 0; i < site_finding_count(); i++) {
        const char *id = site_finding_at(i)->id;
        for (int p = SITE_TEXT_TITLE; p <= SITE_TEXT_FIX; p++) {
            const char *ru = site_text_exact(id, (enum site_text_part)p, "ru");
            const char *ky = site_text_exact(id, (enum site_text_part)p, "ky");
            if (ru != NULL && ky != NULL && strcmp(ru, ky) == 0) {
                print_error("%s %s: Kyrgyz is the Russian text\n", id,
                            part_names[p]);
                same++;
            }
        }
    }
    assert_int_equal(same, 0);
}

static void lookups_fall_back_to_english(void **state)
{
    const char *id = site_finding_at(0)->id;
    const char *en = site_text(id, SITE_TEXT_TITLE, "en");
    (void)state;
    assert_non_null(en);
    assert_ptr_equal(site_text(id, SITE_TEXT_TITLE, "de"), en);
    assert_ptr_equal(site_text(id, SITE_TEXT_TITLE, NULL), en);
    assert_null(site_text_exact(id, SITE_TEXT_TITLE, "de"));
    assert_null(site_text("no.such.finding", SITE_TEXT_TITLE, "en"));
    assert_null(site_text(NULL, SITE_TEXT_TITLE, "en"));
    assert_null(site_text(id, (enum site_text_part)7, "en"));
    /* An interface string always gives something to print. */
    assert_string_equal(site_ui(SITE_UI_COUNT, "en"), "");
    assert_string_equal(site_ui(SITE_UI_GRADE, "en"),
                        site_text("ui.grade", SITE_TEXT_TITLE, "en"));
}

static void russian_lookups_give_russian(void **state)
{
    const char *t = site_text("ui.fix_first", SITE_TEXT_TITLE, "ru");
    (void)state;
    assert_non_null(t);
    assert_true(has_cyrillic(t));
    assert_string_not_equal(t,
                            site_text("ui.fix_first", SITE_TEXT_TITLE, "ky"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parser_cases_give_texts_or_name_the_line),
        cmocka_unit_test(parser_refuses_a_nul_byte_and_a_long_line),
        cmocka_unit_test(parser_refuses_a_file_over_the_limit),
        cmocka_unit_test(parser_stops_when_the_sink_fails),
        cmocka_unit_test(file_names_give_their_language),
        cmocka_unit_test(every_embedded_file_parses_strictly),
        cmocka_unit_test(the_index_holds_no_text_twice),
        cmocka_unit_test(no_section_or_key_is_unknown),
        cmocka_unit_test(
            every_finding_has_title_detail_and_fix_in_every_language),
        cmocka_unit_test(every_interface_key_has_a_title_in_every_language),
        cmocka_unit_test(russian_and_kyrgyz_are_translations_not_copies),
        cmocka_unit_test(kyrgyz_differs_from_russian),
        cmocka_unit_test(lookups_fall_back_to_english),
        cmocka_unit_test(russian_lookups_give_russian),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
