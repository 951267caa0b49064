/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_i18n.c - unit tests of the hub's languages: language codes,
 * Accept-Language negotiation, the PO reader, hub_tr() and the control
 * catalogue, including the compiled-in catalogue and translations.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "i18n.h"
#include "kalkan/kk.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* --- helpers --- */

static struct hub_po *po_ok(const char *text)
{
    struct hub_po *po = NULL;
    struct kk_diag d;

    kk_diag_clear(&d);
    if (hub_po_parse(text, strlen(text), &po, &d) != KK_OK)
        fail_msg("unexpected PO error: %s", d.msg);
    assert_non_null(po);
    return po;
}

/* Parses text expecting error err and a diagnostic that contains want. */
static void po_bad(const char *text, int err, const char *want)
{
    struct hub_po *po = NULL;
    struct kk_diag d;
    int r;

    kk_diag_clear(&d);
    r = hub_po_parse(text, strlen(text), &po, &d);
    if (r != err || strstr(d.msg, want) == NULL)
        fail_msg("PO %s: got %d \"%s\", want %d \"%s\"", text, r, d.msg, err,
                 want);
    assert_null(po);
}

/* True if s holds a Cyrillic letter (U+0400..U+04FF). */
static bool has_cyrillic(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    for (; p[0] != '\0'; p++) {
        if ((p[0] == 0xd0 || p[0] == 0xd1 || p[0] == 0xd2 || p[0] == 0xd3) &&
            (p[1] & 0xc0) == 0x80)
            return true;
    }
    return false;
}

/* --- hub_tr and init (these run first: the state is process-wide) --- */

static void hub_tr_returns_the_msgid_before_init(void **state)
{
    const char *id = "Sign in";

    (void)state;
    assert_ptr_equal(hub_tr(HUB_LANG_RU, id), id);
    assert_ptr_equal(hub_tr(HUB_LANG_KY, id), id);
    assert_null(hub_tr(HUB_LANG_RU, NULL));
    assert_null(hub_catalogue_builtin());
}

struct init_result {
    int r;
    const char *ru;
    char msg[KK_DIAG_MAX];
};

static void *init_thread(void *arg)
{
    struct init_result *res = arg;
    struct kk_diag d;

    kk_diag_clear(&d);
    res->r = hub_i18n_init(&d);
    res->ru = hub_tr(HUB_LANG_RU, "Sign in");
    memcpy(res->msg, d.msg, sizeof res->msg);
    return NULL;
}

static void i18n_init_from_many_threads_loads_once(void **state)
{
    pthread_t t[4];
    struct init_result res[4];

    (void)state;
    memset(res, 0, sizeof res);
    for (size_t i = 0; i < COUNT(t); i++)
        assert_int_equal(pthread_create(&t[i], NULL, init_thread, &res[i]), 0);
    for (size_t i = 0; i < COUNT(t); i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        if (res[i].r != KK_OK)
            fail_msg("hub_i18n_init: %s", res[i].msg);
        assert_string_equal(res[i].ru, "Войти");
    }
    assert_non_null(hub_catalogue_builtin());
}

static void i18n_init_twice_is_harmless(void **state)
{
    const struct hub_catalogue *c = hub_catalogue_builtin();
    const char *s = hub_tr(HUB_LANG_KY, "Save");
    struct kk_diag d;

    (void)state;
    assert_int_equal(hub_i18n_init(&d), KK_OK);
    assert_int_equal(hub_i18n_init(NULL), KK_OK);
    assert_ptr_equal(hub_catalogue_builtin(), c);
    assert_ptr_equal(hub_tr(HUB_LANG_KY, "Save"), s);
}

static void hub_tr_translates_the_ui_strings(void **state)
{
    static const char *const ids[] = {
        "Dashboard", "People",   "Devices",  "Accounts",
        "Websites",  "Licences", "Outlets",  "Sign in",
        "Sign out",  "Email",    "Password", "Code from your authenticator app",
        "Language",  "Save",     "Cancel",
    };
    const char *id = "No such message";

    (void)state;
    for (size_t i = 0; i < COUNT(ids); i++) {
        for (int l = HUB_LANG_RU; l < HUB_LANG_COUNT; l++) {
            const char *t = hub_tr(l, ids[i]);
            if (strcmp(t, ids[i]) == 0 || !has_cyrillic(t))
                fail_msg("%s has no %s translation", ids[i], hub_lang_code(l));
        }
        assert_ptr_equal(hub_tr(HUB_LANG_EN, ids[i]), ids[i]);
    }
    assert_string_equal(hub_tr(HUB_LANG_RU, "Sign out"), "Выйти");
    assert_string_equal(hub_tr(HUB_LANG_KY, "Password"), "Сырсөз");
    assert_ptr_equal(hub_tr(HUB_LANG_RU, id), id);
    assert_string_equal(hub_tr(-1, "Save"), "Save");
    assert_string_equal(hub_tr(HUB_LANG_COUNT, "Save"), "Save");
}

/* --- language codes --- */

static void languages_have_codes_and_native_names(void **state)
{
    (void)state;
    assert_string_equal(hub_lang_code(HUB_LANG_EN), "en");
    assert_string_equal(hub_lang_code(HUB_LANG_RU), "ru");
    assert_string_equal(hub_lang_code(HUB_LANG_KY), "ky");
    assert_null(hub_lang_code(HUB_LANG_COUNT));
    assert_null(hub_lang_code(-1));
    assert_string_equal(hub_lang_native(HUB_LANG_EN), "English");
    assert_string_equal(hub_lang_native(HUB_LANG_RU), "Русский");
    assert_string_equal(hub_lang_native(HUB_LANG_KY), "Кыргызча");
    assert_null(hub_lang_native(3));
}

static void
lang_from_code_accepts_regional_tags_of_known_languages(void **state)
{
    (void)state;
    assert_int_equal(hub_lang_from_code("en"), HUB_LANG_EN);
    assert_int_equal(hub_lang_from_code("ru"), HUB_LANG_RU);
    assert_int_equal(hub_lang_from_code("ky"), HUB_LANG_KY);
    assert_int_equal(hub_lang_from_code("ru-RU"), HUB_LANG_RU);
    assert_int_equal(hub_lang_from_code("ky-KG"), HUB_LANG_KY);
    assert_int_equal(hub_lang_from_code("KY-kg"), HUB_LANG_KY);
    assert_int_equal(hub_lang_from_code("EN-gb"), HUB_LANG_EN);
    assert_int_equal(hub_lang_from_code("ru-Cyrl-RU"), HUB_LANG_RU);
    assert_int_equal(hub_lang_from_code("kir"), -1);
    assert_int_equal(hub_lang_from_code("kg"), -1);
    assert_int_equal(hub_lang_from_code("kk"), -1);
    assert_int_equal(hub_lang_from_code("r"), -1);
    assert_int_equal(hub_lang_from_code("ru-"), -1);
    assert_int_equal(hub_lang_from_code("ru_RU"), -1);
    assert_int_equal(hub_lang_from_code("ru "), -1);
    assert_int_equal(hub_lang_from_code("*"), -1);
    assert_int_equal(hub_lang_from_code(""), -1);
    assert_int_equal(hub_lang_from_code(NULL), -1);
}

/* --- Accept-Language --- */

struct accept_case {
    const char *header;
    int want;
};

static void accept_language_picks_the_highest_weight(void **state)
{
    static const struct accept_case cases[] = {
        {"ru-RU,ru;q=0.9,en;q=0.8", HUB_LANG_RU},
        {"en;q=0.1, ky;q=0.5", HUB_LANG_KY},
        {"ky-KG", HUB_LANG_KY},
        {"de-DE,de;q=0.9,ru;q=0.3", HUB_LANG_RU},
        {"ky, ru", HUB_LANG_KY},
        {"ru, ky", HUB_LANG_RU},
        {"ru;q=0.5, ky;q=0.5", HUB_LANG_RU},
        {"en;q=0, *;q=0.5", HUB_LANG_RU},
        {"*;q=0.5, ky;q=0.6", HUB_LANG_KY},
        {"ru-RU;q=0.2, ru;q=0.9, en;q=0.5", HUB_LANG_RU},
        {"RU;Q=1.000", HUB_LANG_RU},
        {" , ,ky ;  q=0.7 ,", HUB_LANG_KY},
        {"ky;q=1.", HUB_LANG_KY},
        {"en-US,en;q=0.9,ky;q=0.8", HUB_LANG_EN},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        int got = hub_lang_from_accept(cases[i].header);
        if (got != cases[i].want)
            fail_msg("\"%s\": got %d, want %d", cases[i].header, got,
                     cases[i].want);
    }
}

static void accept_language_falls_back_to_english(void **state)
{
    static const char *const headers[] = {
        "*",
        "ru;q=0",
        "ru;q=0, ky;q=0.000",
        "kk",
        "kk-KZ,kk;q=0.9",
        "kir, kg",
        "",
        "ru;q=1.5",
        "ru;q=1.001",
        "ru;q=0.0001",
        "ru;q=",
        "ru;x=1",
        "ru;q=0.5;q=0.6",
        "ru ky",
        "ru-",
        "abcdefghi",
        "ru-abcdefghi",
        "ru,,;q=1",
        "ru;",
        "ru\n",
        "*-RU",
        "ru;q=.5",
        "ru, ky;q=0.9 x",
    };
    char big[1100];

    (void)state;
    for (size_t i = 0; i < COUNT(headers); i++) {
        int got = hub_lang_from_accept(headers[i]);
        if (got != HUB_LANG_EN)
            fail_msg("\"%s\": got %d, want English", headers[i], got);
    }
    assert_int_equal(hub_lang_from_accept(NULL), HUB_LANG_EN);
    /* Longer than 1024 bytes: English even though it names Russian. */
    memset(big, ' ', sizeof big);
    memcpy(big, "ru", 2);
    big[sizeof big - 1] = '\0';
    assert_int_equal(hub_lang_from_accept(big), HUB_LANG_EN);
    big[1024] = '\0';
    assert_int_equal(hub_lang_from_accept(big), HUB_LANG_RU);
}

/* --- PO reader --- */

static void po_decodes_escapes_and_continuation_lines(void **state)
{
    const char *text = "# a comment\n"
                       "#: src/x.c:1\n"
                       "msgid \"Tab\\there\"\n"
                       "msgstr \"Таб\\tздесь\"\n"
                       "\n"
                       "msgid \"\"\n"
                       "\"Two \"\n"
                       "\"lines\\n\"\n"
                       "msgstr \"\"\n"
                       "\"Две \"\n"
                       "   \"строки\\n\"   \n"
                       "\n"
                       "msgid \"Say \\\"hi\\\" \\\\ bye\"\r\n"
                       "msgstr \"Скажи \\\"привет\\\" \\\\ пока\"\r\n";
    struct hub_po *po = po_ok(text);

    (void)state;
    assert_int_equal(hub_po_len(po), 3);
    assert_string_equal(hub_po_get(po, "Tab\there"), "Таб\tздесь");
    assert_string_equal(hub_po_get(po, "Two lines\n"), "Две строки\n");
    assert_string_equal(hub_po_get(po, "Say \"hi\" \\ bye"),
                        "Скажи \"привет\" \\ пока");
    assert_null(hub_po_get(po, "Two lines"));
    assert_null(hub_po_get(po, NULL));
    assert_null(hub_po_get(NULL, "Tab\there"));
    assert_int_equal(hub_po_len(NULL), 0);
    hub_po_free(po);
    hub_po_free(NULL);
}

static void po_skips_header_fuzzy_and_untranslated_entries(void **state)
{
    const char *text = "#, fuzzy\n"
                       "msgid \"\"\n"
                       "msgstr \"\"\n"
                       "\"Content-Type: text/plain; charset=utf-8\\n\"\n"
                       "\n"
                       "#, fuzzy, c-format\n"
                       "msgid \"Fuzzy\"\n"
                       "msgstr \"Нечёткий\"\n"
                       "\n"
                       "#, c-format\n"
                       "msgid \"Kept\"\n"
                       "msgstr \"Оставлен\"\n"
                       "msgid \"Empty\"\n"
                       "msgstr \"\"\n"
                       "#~ msgid \"Obsolete\"\n"
                       "#~ msgstr \"Устарел\"\n";
    struct hub_po *po = po_ok(text);

    (void)state;
    assert_int_equal(hub_po_len(po), 1);
    assert_string_equal(hub_po_get(po, "Kept"), "Оставлен");
    assert_null(hub_po_get(po, "Fuzzy"));
    assert_null(hub_po_get(po, "Empty"));
    assert_null(hub_po_get(po, "Obsolete"));
    assert_null(hub_po_get(po, ""));
    hub_po_free(po);
}

static void po_lookup_finds_every_entry_in_a_large_catalogue(void **state)
{
    struct kk_buf *b = kk_buf_new(1024 * 1024);
    struct hub_po *po;
    char id[32];
    char want[32];

    (void)state;
    assert_non_null(b);
    /* Written in descending order, so the reader must sort. */
    for (int i = 999; i >= 0; i--)
        assert_int_equal(
            kk_buf_putf(b, "msgid \"m%04d\"\nmsgstr \"t%d\"\n\n", i, i), KK_OK);
    po = po_ok(kk_buf_str(b));
    assert_int_equal(hub_po_len(po), 1000);
    for (int i = 0; i < 1000; i++) {
        (void)snprintf(id, sizeof id, "m%04d", i);
        (void)snprintf(want, sizeof want, "t%d", i);
        assert_string_equal(hub_po_get(po, id), want);
    }
    assert_null(hub_po_get(po, "m1000"));
    assert_null(hub_po_get(po, "m"));
    assert_null(hub_po_get(po, "a"));
    assert_null(hub_po_get(po, "z"));
    hub_po_free(po);
    kk_buf_free(b);
}

static void po_reads_empty_input_and_byte_order_mark(void **state)
{
    struct hub_po *po = NULL;
    struct kk_diag d;

    (void)state;
    assert_int_equal(hub_po_parse(NULL, 0, &po, &d), KK_OK);
    assert_int_equal(hub_po_len(po), 0);
    assert_null(hub_po_get(po, "x"));
    hub_po_free(po);
    po = po_ok("\xef\xbb\xbfmsgid \"a\"\nmsgstr \"б\"\n");
    assert_string_equal(hub_po_get(po, "a"), "б");
    hub_po_free(po);
    po = po_ok("# only comments\n\n   \n");
    assert_int_equal(hub_po_len(po), 0);
    hub_po_free(po);
}

static void po_rejects_contexts_and_plural_forms(void **state)
{
    (void)state;
    po_bad("msgctxt \"menu\"\nmsgid \"Open\"\nmsgstr \"Открыть\"\n",
           KK_ERR_UNSUPPORTED, "line 1: msgctxt");
    po_bad("msgid \"a\"\nmsgstr \"b\"\n\n"
           "msgid \"file\"\nmsgid_plural \"files\"\n"
           "msgstr[0] \"файл\"\nmsgstr[1] \"файла\"\n",
           KK_ERR_UNSUPPORTED, "line 5: msgid_plural");
    po_bad("msgid \"file\"\nmsgstr[0] \"файл\"\n", KK_ERR_UNSUPPORTED,
           "line 2: msgstr[0]");
    po_bad("msgid \"\"\nmsgstr \"Content-Type: text/plain; "
           "charset=CP1251\\n\"\n",
           KK_ERR_UNSUPPORTED, "line 1: only charset=UTF-8");
}

static void po_rejects_an_unterminated_string_with_its_line_number(void **state)
{
    (void)state;
    po_bad("msgid \"a\"\nmsgstr \"b\"\n\nmsgid \"unterminated\nmsgstr \"x\"\n",
           KK_ERR_INVAL, "line 4: unterminated string");
    po_bad("msgid \"a\"\nmsgstr \"b\n", KK_ERR_INVAL,
           "line 2: unterminated string");
    po_bad("msgid \"a\"\nmsgstr \"b\"\n\"c\\\"\n", KK_ERR_INVAL,
           "line 3: unterminated string");
    po_bad("msgid \"a\\", KK_ERR_INVAL, "line 1: unknown escape");
}

static void po_rejects_malformed_entries(void **state)
{
    (void)state;
    po_bad("msgstr \"x\"\n", KK_ERR_INVAL, "line 1: msgstr without msgid");
    po_bad("msgid \"a\"\n\nmsgstr \"x\"\n", KK_ERR_INVAL,
           "line 1: msgid without msgstr");
    po_bad("msgid \"a\"\nmsgid \"b\"\nmsgstr \"x\"\n", KK_ERR_INVAL,
           "line 1: msgid without msgstr");
    po_bad("msgid \"a\"\n", KK_ERR_INVAL, "line 1: msgid without msgstr");
    po_bad("msgid \"a\"\n# comment\nmsgstr \"x\"\n", KK_ERR_INVAL,
           "line 1: msgid without msgstr");
    po_bad("msgid \"a\"\nmsgstr \"x\"\nmsgstr \"y\"\n", KK_ERR_INVAL,
           "line 3: msgstr without msgid");
    po_bad("\"orphan\"\n", KK_ERR_INVAL, "line 1: string outside an entry");
    po_bad("msgid \"a\\q\"\nmsgstr \"x\"\n", KK_ERR_INVAL,
           "line 1: unknown escape");
    po_bad("msgid \"a\" junk\nmsgstr \"x\"\n", KK_ERR_INVAL,
           "line 1: text after the closing quote");
    po_bad("msgid a\nmsgstr \"x\"\n", KK_ERR_INVAL,
           "line 1: expected a quoted string");
    po_bad("msgid \"a\"\nmsgstr\n", KK_ERR_INVAL,
           "line 2: expected a quoted string");
    po_bad("msgfoo \"a\"\n", KK_ERR_INVAL, "line 1: unknown keyword");
    po_bad("msgid \"a\tb\"\nmsgstr \"\x01\"\n", KK_ERR_INVAL,
           "line 2: control character");
    po_bad("msgid \"a\"\nmsgstr \"\xc3\x28\"\n", KK_ERR_INVAL,
           "line 1: invalid UTF-8");
    po_bad("msgid \"a\"\nmsgstr \"x\"\n\nmsgid \"b\"\nmsgstr \"y\"\n\n"
           "msgid \"a\"\nmsgstr \"z\"\n",
           KK_ERR_INVAL, "line 7: duplicate msgid (first at line 1)");
}

static void po_rejects_nul_bytes_and_oversized_input(void **state)
{
    static const char nul[] = "msgid \"a\"\nmsgstr \"x\0y\"\n";
    struct hub_po *po = NULL;
    struct kk_diag d;

    (void)state;
    kk_diag_clear(&d);
    assert_int_equal(hub_po_parse(nul, sizeof nul - 1, &po, &d), KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "line 2: contains a NUL byte"));
    assert_null(po);
    assert_int_equal(hub_po_parse("", KK_HUB_PO_MAX + 1, &po, &d),
                     KK_ERR_LIMIT);
    assert_null(po);
    assert_int_equal(hub_po_parse("x", 1, NULL, &d), KK_ERR_INVAL);
    assert_int_equal(hub_po_parse(NULL, 1, &po, NULL), KK_ERR_INVAL);
}

/* --- the control catalogue --- */

static void area_names_and_labels_round_trip(void **state)
{
    static const char *const names[] = {"accounts", "devices", "website",
                                        "physical", "organisation"};

    (void)state;
    for (size_t i = 0; i < COUNT(names); i++) {
        assert_int_equal(hub_area_from_name(names[i]), (int)i + 1);
        assert_non_null(hub_area_label((int)i + 1));
    }
    assert_int_equal(hub_area_from_name(names[0]), HUB_AREA_ACCOUNTS);
    assert_int_equal(hub_area_from_name("organisation"), HUB_AREA_ORGANISATION);
    assert_string_equal(hub_area_label(HUB_AREA_DEVICES), "Devices");
    assert_int_equal(hub_area_from_name("Accounts"), 0);
    assert_int_equal(hub_area_from_name(""), 0);
    assert_int_equal(hub_area_from_name(NULL), 0);
    assert_null(hub_area_label(0));
    assert_null(hub_area_label(6));
}

/* The number of steps in a fix text: its lines. */
static size_t steps(const char *s)
{
    size_t n = 1;

    for (; *s != '\0'; s++)
        n += *s == '\n';
    return n;
}

static void builtin_catalogue_has_the_63_controls_of_the_reference(void **state)
{
    static const char *const advanced[] = {"ACC-15", "ACC-19", "DEV-13",
                                           "DEV-18", "PHY-06", "ORG-06"};
    static const struct {
        const char *prefix;
        int area;
        size_t count;
    } areas[] = {
        {"ACC-", HUB_AREA_ACCOUNTS, 20},    {"DEV-", HUB_AREA_DEVICES, 18},
        {"WEB-", HUB_AREA_WEBSITE, 11},     {"PHY-", HUB_AREA_PHYSICAL, 6},
        {"ORG-", HUB_AREA_ORGANISATION, 8},
    };
    const struct hub_catalogue *c = hub_catalogue_builtin();
    size_t baseline = 0;
    size_t by_program = 0;
    size_t by_hub = 0;
    size_t attested = 0;

    (void)state;
    assert_non_null(c);
    assert_int_equal(hub_catalogue_len(c), 63);
    for (size_t i = 0; i < hub_catalogue_len(c); i++) {
        const struct hub_control *k = hub_catalogue_at(c, i);
        bool adv = false;
        bool area_ok = false;
        for (size_t a = 0; a < COUNT(advanced); a++)
            adv = adv || strcmp(k->id, advanced[a]) == 0;
        assert_string_equal(k->level, adv ? "advanced" : "baseline");
        for (size_t a = 0; a < COUNT(areas); a++) {
            if (strncmp(k->id, areas[a].prefix, 4) == 0 &&
                k->area == areas[a].area)
                area_ok = true;
        }
        if (!area_ok)
            fail_msg("%s is in area %s", k->id, k->area_name);
        assert_int_equal(hub_area_from_name(k->area_name), k->area);
        /* Ids are unique: each finds itself. */
        assert_ptr_equal(hub_catalogue_find(c, k->id), k);
        if (adv)
            continue;
        baseline++;
        if (strcmp(k->source, "manual") == 0)
            attested++;
        else if (strcmp(k->source, "hub") == 0)
            by_hub++;
        else
            by_program++;
    }
    for (size_t a = 0; a < COUNT(areas); a++) {
        size_t n = 0;
        for (size_t i = 0; i < hub_catalogue_len(c); i++)
            n += hub_catalogue_at(c, i)->area == areas[a].area;
        assert_int_equal(n, areas[a].count);
    }
    /* hub.md section 3: 57 baseline controls, 25 verified by parts b-f,
     * 12 computed by the hub, 20 attested. */
    assert_int_equal(baseline, 57);
    assert_int_equal(by_program, 25);
    assert_int_equal(by_hub, 12);
    assert_int_equal(attested, 20);
    assert_string_equal(hub_catalogue_find(c, "ACC-17")->source, "web");
    assert_string_equal(hub_catalogue_find(c, "DEV-11")->source, "2fa");
    assert_string_equal(hub_catalogue_find(c, "WEB-10")->source, "scan");
    assert_string_equal(hub_catalogue_find(c, "WEB-11")->source, "guard");
    assert_string_equal(hub_catalogue_find(c, "ORG-03")->source, "hub");
    assert_string_equal(hub_catalogue_find(c, "ACC-01")->source, "manual");
    assert_string_equal(hub_catalogue_find(c, "DEV-01")->applies, "device");
    assert_string_equal(hub_catalogue_find(c, "WEB-01")->applies, "website");
    assert_string_equal(hub_catalogue_find(c, "PHY-01")->applies, "outlet");
    assert_null(hub_catalogue_find(c, "ACC-21"));
    assert_null(hub_catalogue_find(c, "acc-01"));
    assert_null(hub_catalogue_find(c, NULL));
    assert_null(hub_catalogue_at(c, 63));
    assert_string_equal(hub_catalogue_at(c, 0)->id, "ACC-01");
    assert_string_equal(hub_catalogue_at(c, 62)->id, "ORG-08");
}

static void builtin_catalogue_is_complete_in_three_languages(void **state)
{
    const struct hub_catalogue *c = hub_catalogue_builtin();

    (void)state;
    assert_non_null(c);
    for (size_t i = 0; i < hub_catalogue_len(c); i++) {
        const struct hub_control *k = hub_catalogue_at(c, i);
        const char *const *texts[] = {k->title, k->why, k->verify, k->fix};
        static const char *const names[] = {"title", "why", "verify", "fix"};
        bool manual = strcmp(k->source, "manual") == 0;

        assert_in_range(k->weight, 1, 5);
        /* Results of programs expire within days, attestations in 30-90. */
        if (manual)
            assert_in_range(k->stale_days, 30, 90);
        else
            assert_in_range(k->stale_days, 1, 7);
        for (size_t t = 0; t < COUNT(texts); t++) {
            const char *en = texts[t][HUB_LANG_EN];
            assert_non_null(en);
            if (en[0] == '\0' || has_cyrillic(en))
                fail_msg("%s %s.en is empty or not English", k->id, names[t]);
            for (int l = HUB_LANG_RU; l < HUB_LANG_COUNT; l++) {
                const char *s = texts[t][l];
                assert_non_null(s);
                if (s[0] == '\0' || strcmp(s, en) == 0 || !has_cyrillic(s))
                    fail_msg("%s %s.%s is not translated", k->id, names[t],
                             hub_lang_code(l));
            }
            /* Kyrgyz is not Russian under another name. */
            if (strcmp(texts[t][HUB_LANG_RU], texts[t][HUB_LANG_KY]) == 0)
                fail_msg("%s %s.ky is the Russian text", k->id, names[t]);
        }
        for (int l = 0; l < HUB_LANG_COUNT; l++) {
            if (steps(k->fix[l]) > 3 || strncmp(k->fix[l], "1. ", 3) != 0)
                fail_msg("%s fix.%s is not 1-3 numbered steps", k->id,
                         hub_lang_code(l));
            assert_int_equal(steps(k->fix[l]), steps(k->fix[HUB_LANG_EN]));
        }
    }
}

struct cat_case {
    const char *text;
    int err;
    const char *want;
};

#define CTL_HEAD(id)                                                           \
    "[" id "]\n"                                                               \
    "area = accounts\n"                                                        \
    "level = baseline\n"                                                       \
    "applies = account\n"                                                      \
    "source = manual\n"                                                        \
    "weight = 3\n"                                                             \
    "stale_days = 90\n"
#define CTL_TEXTS                                                              \
    "title.en = T\ntitle.ru = Т\ntitle.ky = Т\n"                             \
    "why.en = W\nwhy.ru = П\nwhy.ky = С\n"                                   \
    "verify.en = V\nverify.ru = П\nverify.ky = Т\n"                          \
    "fix.en = 1. a\\n2. b\nfix.ru = 1. а\nfix.ky = 1. а\n"
#define CTL(id) CTL_HEAD(id) CTL_TEXTS

static void catalogue_reads_a_minimal_file(void **state)
{
    const char *text = "# comment\n\n" CTL(
        "X-1") "\n  # indented comment\n"
               "[X-2]\n"
               "fix.ky = 1. \\\\ # not a comment\n"
               "title.en=No spaces\n"
               "area = devices\nlevel = advanced\napplies = device\n"
               "source = host\nweight = 5\nstale_days = 2\n"
               "title.ru = Т\ntitle.ky = Т\nwhy.en = W\nwhy.ru = П\n"
               "why.ky = С\nverify.en = V\nverify.ru = П\n"
               "verify.ky = Т\n\tfix.en = 1. a \t\nfix.ru = 1. а\n";
    struct hub_catalogue *c = NULL;
    struct kk_diag d;
    const struct hub_control *k;

    (void)state;
    kk_diag_clear(&d);
    if (hub_catalogue_parse(text, strlen(text), &c, &d) != KK_OK)
        fail_msg("%s", d.msg);
    assert_int_equal(hub_catalogue_len(c), 2);
    k = hub_catalogue_at(c, 0);
    assert_string_equal(k->id, "X-1");
    assert_int_equal(k->area, HUB_AREA_ACCOUNTS);
    assert_string_equal(k->area_name, "accounts");
    assert_string_equal(k->fix[HUB_LANG_EN], "1. a\n2. b");
    assert_int_equal(k->weight, 3);
    assert_int_equal(k->stale_days, 90);
    k = hub_catalogue_find(c, "X-2");
    assert_non_null(k);
    assert_int_equal(k->area, HUB_AREA_DEVICES);
    assert_string_equal(k->level, "advanced");
    assert_string_equal(k->applies, "device");
    assert_string_equal(k->source, "host");
    assert_string_equal(k->title[HUB_LANG_EN], "No spaces");
    assert_string_equal(k->fix[HUB_LANG_KY], "1. \\ # not a comment");
    assert_string_equal(k->fix[HUB_LANG_EN], "1. a");
    assert_int_equal(k->stale_days, 2);
    assert_ptr_equal(hub_catalogue_find(c, "X-1"), hub_catalogue_at(c, 0));
    hub_catalogue_free(c);
    hub_catalogue_free(NULL);
    assert_int_equal(hub_catalogue_len(NULL), 0);
    assert_null(hub_catalogue_at(NULL, 0));
    assert_null(hub_catalogue_find(NULL, "X-1"));
}

static void catalogue_rejects_malformed_files_with_the_line_number(void **state)
{
    static const struct cat_case cases[] = {
        {"", KK_ERR_INVAL, "no controls"},
        {"# only a comment\n", KK_ERR_INVAL, "no controls"},
        {"area = accounts\n", KK_ERR_INVAL, "line 1: a field before"},
        {"\n" CTL_HEAD("A-1"), KK_ERR_INVAL,
         "line 2: control A-1 has no "
         "title.en"},
        {CTL("A-1") "\n[A-2]\n" CTL_TEXTS, KK_ERR_INVAL,
         "line 21: control A-2 has no area"},
        {CTL_HEAD("A-1") "title.en = T\n" CTL_TEXTS, KK_ERR_INVAL,
         "line 9: title.en set twice"},
        {CTL("A-1") "colour = red\n", KK_ERR_INVAL,
         "line 20: unknown key \"colour\""},
        {CTL("A-1") "title.de = T\n", KK_ERR_INVAL, "line 20: unknown key"},
        {CTL("A-1") "no equals sign\n", KK_ERR_INVAL,
         "line 20: expected key = value"},
        {"[A-1]\narea = kitchen\n", KK_ERR_INVAL,
         "line 2: unknown area \"kitchen\""},
        {"[A-1]\nlevel = expert\n", KK_ERR_INVAL, "line 2: unknown level"},
        {"[A-1]\napplies = cat\n", KK_ERR_INVAL, "line 2: unknown applies"},
        {"[A-1]\nsource = oracle\n", KK_ERR_INVAL, "line 2: unknown source"},
        {"[A-1]\nweight = 0\n", KK_ERR_INVAL, "line 2: weight must be 1..5"},
        {"[A-1]\nweight = 6\n", KK_ERR_INVAL, "line 2: weight must be 1..5"},
        {"[A-1]\nweight = 2x\n", KK_ERR_INVAL, "line 2: weight must be"},
        {"[A-1]\nstale_days = 0\n", KK_ERR_INVAL, "line 2: stale_days must"},
        {"[A-1]\nstale_days = 366\n", KK_ERR_INVAL, "line 2: stale_days"},
        {"[A-1]\ntitle.en =\n", KK_ERR_INVAL, "line 2: title.en is empty"},
        {"[A-1]\ntitle.en =   \t\n", KK_ERR_INVAL, "line 2: title.en is"},
        {"[A-1]\nwhy.ru = a\\tb\n", KK_ERR_INVAL, "line 2: unknown escape"},
        {"[A-1]\nwhy.ru = a\\\n", KK_ERR_INVAL, "line 2: unknown escape"},
        {"[A-1]\nwhy.ru = a\x01z\n", KK_ERR_INVAL, "line 2: control character"},
        {"[A-1]\nwhy.ru = \xd0\n", KK_ERR_INVAL, "line 2: invalid UTF-8"},
        {"[a-1]\n", KK_ERR_INVAL, "line 1: expected [ID]"},
        {"[1A]\n", KK_ERR_INVAL, "line 1: expected [ID]"},
        {"[]\n", KK_ERR_INVAL, "line 1: expected [ID]"},
        {"[A-1\n", KK_ERR_INVAL, "line 1: expected [ID]"},
        {"[ABCDEFGHIJKLMNOPQ]\n", KK_ERR_INVAL, "line 1: expected [ID]"},
        {"[A 1]\n", KK_ERR_INVAL, "line 1: bad character"},
        {CTL("A-1") CTL("B-1") CTL("A-1"), KK_ERR_INVAL,
         "line 39: duplicate id A-1 (first at line 1)"},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct hub_catalogue *c = NULL;
        struct kk_diag d;
        int r;
        kk_diag_clear(&d);
        r = hub_catalogue_parse(cases[i].text, strlen(cases[i].text), &c, &d);
        if (r != cases[i].err || strstr(d.msg, cases[i].want) == NULL)
            fail_msg("case %zu: got %d \"%s\", want %d \"%s\"", i, r, d.msg,
                     cases[i].err, cases[i].want);
        assert_null(c);
    }
}

static void catalogue_rejects_more_than_200_controls(void **state)
{
    struct kk_buf *b = kk_buf_new(1024 * 1024);
    struct hub_catalogue *c = NULL;
    struct kk_diag d;

    (void)state;
    assert_non_null(b);
    for (int i = 0; i < 200; i++)
        assert_int_equal(kk_buf_putf(b, CTL_HEAD("C-%d") CTL_TEXTS, i), KK_OK);
    assert_int_equal(hub_catalogue_parse(kk_buf_str(b), kk_buf_len(b), &c, &d),
                     KK_OK);
    assert_int_equal(hub_catalogue_len(c), 200);
    assert_non_null(hub_catalogue_find(c, "C-199"));
    hub_catalogue_free(c);
    c = NULL;
    assert_int_equal(kk_buf_puts(b, "[C-200]\n"), KK_OK);
    kk_diag_clear(&d);
    assert_int_equal(hub_catalogue_parse(kk_buf_str(b), kk_buf_len(b), &c, &d),
                     KK_ERR_LIMIT);
    assert_non_null(strstr(d.msg, "line 3801: more than 200 controls"));
    assert_null(c);
    assert_int_equal(hub_catalogue_parse("", KK_HUB_PO_MAX + 1, &c, &d),
                     KK_ERR_LIMIT);
    assert_int_equal(hub_catalogue_parse("x", 1, NULL, &d), KK_ERR_INVAL);
    kk_buf_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* Process-wide state: these three run first and in this order. */
        cmocka_unit_test(hub_tr_returns_the_msgid_before_init),
        cmocka_unit_test(i18n_init_from_many_threads_loads_once),
        cmocka_unit_test(i18n_init_twice_is_harmless),
        cmocka_unit_test(hub_tr_translates_the_ui_strings),
        cmocka_unit_test(languages_have_codes_and_native_names),
        cmocka_unit_test(
            lang_from_code_accepts_regional_tags_of_known_languages),
        cmocka_unit_test(accept_language_picks_the_highest_weight),
        cmocka_unit_test(accept_language_falls_back_to_english),
        cmocka_unit_test(po_decodes_escapes_and_continuation_lines),
        cmocka_unit_test(po_skips_header_fuzzy_and_untranslated_entries),
        cmocka_unit_test(po_lookup_finds_every_entry_in_a_large_catalogue),
        cmocka_unit_test(po_reads_empty_input_and_byte_order_mark),
        cmocka_unit_test(po_rejects_contexts_and_plural_forms),
        cmocka_unit_test(
            po_rejects_an_unterminated_string_with_its_line_number),
        cmocka_unit_test(po_rejects_malformed_entries),
        cmocka_unit_test(po_rejects_nul_bytes_and_oversized_input),
        cmocka_unit_test(area_names_and_labels_round_trip),
        cmocka_unit_test(
            builtin_catalogue_has_the_63_controls_of_the_reference),
        cmocka_unit_test(builtin_catalogue_is_complete_in_three_languages),
        cmocka_unit_test(catalogue_reads_a_minimal_file),
        cmocka_unit_test(
            catalogue_rejects_malformed_files_with_the_line_number),
        cmocka_unit_test(catalogue_rejects_more_than_200_controls),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
