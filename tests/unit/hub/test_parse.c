/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_parse.c - unit tests of the hub's parsers of untrusted input:
 * UTF-8 validation, forms and query strings, URL encoding, the Cookie
 * header, JSON and CSV (import and export).
 *
 * Most cases are tables of input and expected outcome, valid and hostile
 * alike; every KK_HUB_* limit is tried exactly at the limit and one past.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kalkan/kk.h"
#include "parse.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Helpers ---- */

/* A heap string of n copies of c. */
static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);

    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* A heap string made of n copies of unit followed by tail. */
static char *repeat_str(const char *head, const char *unit, size_t n,
                        const char *tail)
{
    size_t hl = strlen(head);
    size_t ul = strlen(unit);
    size_t tl = strlen(tail);
    char *s = malloc(hl + ul * n + tl + 1);
    char *p = s;

    assert_non_null(s);
    memcpy(p, head, hl);
    p += hl;
    for (size_t i = 0; i < n; i++) {
        memcpy(p, unit, ul);
        p += ul;
    }
    memcpy(p, tail, tl);
    p[tl] = '\0';
    return s;
}

/* Parses a NUL-terminated JSON text. */
static int parse_str(const char *s, struct hub_json **j)
{
    return hub_json_parse(s, strlen(s), j, NULL);
}

/* ---- UTF-8 ---- */

static void utf8_validation_follows_rfc_3629(void **state)
{
    static const struct {
        const char *s;
        bool ok;
    } cases[] = {
        {"", true},
        {"plain ascii ~\x7f", true},
        {"\xC3\xA9", true},         /* e acute */
        {"\xE2\x82\xAC", true},     /* euro sign */
        {"\xF0\x9F\x98\x80", true}, /* U+1F600 */
        {"\xEF\xBF\xBF", true},     /* U+FFFF, a noncharacter */
        {"\xF4\x8F\xBF\xBF", true}, /* U+10FFFF, the last one */
        {"\xED\x9F\xBF", true},     /* U+D7FF, before surrogates */
        {"\xEE\x80\x80", true},     /* U+E000, after them */
        {"\x80", false},            /* lone continuation */
        {"\xBF", false},
        {"\xC0\x80", false},         /* overlong NUL */
        {"\xC1\xBF", false},         /* overlong */
        {"\xE0\x80\xAF", false},     /* overlong '/' */
        {"\xE0\x9F\xBF", false},     /* overlong U+07FF */
        {"\xF0\x8F\xBF\xBF", false}, /* overlong U+FFFF */
        {"\xED\xA0\x80", false},     /* U+D800 surrogate */
        {"\xED\xBF\xBF", false},     /* U+DFFF surrogate */
        {"\xF4\x90\x80\x80", false}, /* U+110000 */
        {"\xF5\x80\x80\x80", false}, /* lead byte past U+10FFFF */
        {"\xFF", false},
        {"\xFE", false},
        {"\xE2\x82", false}, /* cut short */
        {"\xF0\x9F\x98", false},
        {"a\xC3", false},
        {"\xC3\x28", false}, /* bad continuation */
        {"\xE2\x28\xA1", false},
        {"\xE2\x82\x28", false},
        {"\xF0\x9F\x28\x80", false},
        {"\xF0\x9F\x98\x28", false},
    };

    (void)state;
    for (size_t i = 0; i < N_OF(cases); i++) {
        if (hub_utf8_valid(cases[i].s, strlen(cases[i].s)) != cases[i].ok)
            fail_msg("case %zu: expected %s", i, cases[i].ok ? "ok" : "bad");
    }
    assert_false(hub_utf8_valid("a\0b", 3));
    assert_false(hub_utf8_valid("\0", 1));
    assert_true(hub_utf8_valid("a\0b", 1));
    assert_true(hub_utf8_valid(NULL, 0));
    assert_false(hub_utf8_valid(NULL, 1));
    /* The length is honoured: a sequence cut by it is invalid. */
    assert_false(hub_utf8_valid("\xE2\x82\xAC", 2));
}

/* ---- Forms ---- */

struct form_case {
    const char *in;
    int r;
    size_t n;
    const char *kv[6][2];
};

static const struct form_case form_cases[] = {
    {"a=1&b=%20x+y", KK_OK, 2, {{"a", "1"}, {"b", " x y"}}},
    {"", KK_OK, 0, {{NULL, NULL}}},
    {"a=1&&b=2", KK_OK, 2, {{"a", "1"}, {"b", "2"}}},
    {"&&&", KK_OK, 0, {{NULL, NULL}}},
    {"&a=1&", KK_OK, 1, {{"a", "1"}}},
    {"flag", KK_OK, 1, {{"flag", ""}}},
    {"a=", KK_OK, 1, {{"a", ""}}},
    {"=v", KK_OK, 1, {{"", "v"}}},
    {"=", KK_OK, 1, {{"", ""}}},
    {"a=1=2", KK_OK, 1, {{"a", "1=2"}}},
    {"a+b=c+d", KK_OK, 1, {{"a b", "c d"}}},
    {"a=%41%62%7e", KK_OK, 1, {{"a", "Ab~"}}},
    {"a=%2B%26%3D%25", KK_OK, 1, {{"a", "+&=%"}}},
    {"a=%e2%82%ac", KK_OK, 1, {{"a", "\xE2\x82\xAC"}}},
    {"a=%E2%82%AC", KK_OK, 1, {{"a", "\xE2\x82\xAC"}}},
    {"caf%C3%A9=1", KK_OK, 1, {{"caf\xC3\xA9", "1"}}},
    {"a=\xC3\xA9t\xC3\xA9", KK_OK, 1, {{"a", "\xC3\xA9t\xC3\xA9"}}},
    {"k=1&k=2&other=x&k=3",
     KK_OK,
     4,
     {{"k", "1"}, {"k", "2"}, {"other", "x"}, {"k", "3"}}},
    {"a=%0A%09", KK_OK, 1, {{"a", "\n\t"}}},
    {"a=%G1", KK_ERR_INVAL, 0, {{NULL, NULL}}},
    {"a=%1G", KK_ERR_INVAL, 0, {{NULL, NULL}}},
    {"a=%4", KK_ERR_INVAL, 0, {{NULL, NULL}}},
    {"a=%", KK_ERR_INVAL, 0, {{NULL, NULL}}},
    {"a=%%41", KK_ERR_INVAL, 0, {{NULL, NULL}}},
    {"%=1", KK_ERR_INVAL, 0, {{NULL, NULL}}},
    {"a=%00", KK_ERR_INVAL, 0, {{NULL, NULL}}},
    {"a%00b=1", KK_ERR_INVAL, 0, {{NULL, NULL}}},
    {"a=%ff", KK_ERR_INVAL, 0, {{NULL, NULL}}},
    {"a=%C0%80", KK_ERR_INVAL, 0, {{NULL, NULL}}},
    {"a=%ED%A0%80", KK_ERR_INVAL, 0, {{NULL, NULL}}},
    {"a=%E2%82", KK_ERR_INVAL, 0, {{NULL, NULL}}},
    {"%ff=1", KK_ERR_INVAL, 0, {{NULL, NULL}}},
    {"a=\xff", KK_ERR_INVAL, 0, {{NULL, NULL}}},
    {"ok=1&bad=%G0", KK_ERR_INVAL, 0, {{NULL, NULL}}},
};

static void form_cases_decode_as_the_table_says(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_OF(form_cases); i++) {
        const struct form_case *c = &form_cases[i];
        struct hub_form *f = NULL;
        struct kk_diag d = {""};
        int r = hub_form_parse(c->in, strlen(c->in), &f, &d);

        if (r != c->r)
            fail_msg("case %zu '%s': got %d want %d (%s)", i, c->in, r, c->r,
                     d.msg);
        if (r != KK_OK) {
            assert_null(f);
            assert_true(strlen(d.msg) > 0);
            continue;
        }
        assert_int_equal(hub_form_len(f), c->n);
        for (size_t k = 0; k < c->n; k++) {
            assert_string_equal(hub_form_key(f, k), c->kv[k][0]);
            assert_string_equal(hub_form_val(f, k), c->kv[k][1]);
        }
        assert_null(hub_form_key(f, c->n));
        assert_null(hub_form_val(f, c->n));
        hub_form_free(f);
    }
}

static void form_repeated_keys_are_all_kept_in_order(void **state)
{
    static const char in[] = "tag=a&x=1&tag=b&tag=c";
    struct hub_form *f = NULL;

    (void)state;
    assert_int_equal(hub_form_parse(in, strlen(in), &f, NULL), KK_OK);
    assert_string_equal(hub_form_get(f, "tag"), "a");
    assert_int_equal(hub_form_count_of(f, "tag"), 3);
    assert_string_equal(hub_form_get_nth(f, "tag", 0), "a");
    assert_string_equal(hub_form_get_nth(f, "tag", 1), "b");
    assert_string_equal(hub_form_get_nth(f, "tag", 2), "c");
    assert_null(hub_form_get_nth(f, "tag", 3));
    assert_int_equal(hub_form_count_of(f, "x"), 1);
    assert_int_equal(hub_form_count_of(f, "missing"), 0);
    assert_null(hub_form_get(f, "missing"));
    assert_null(hub_form_get(f, "ta"));
    assert_null(hub_form_get(f, "tags"));
    assert_null(hub_form_get(f, NULL));
    hub_form_free(f);
}

static void form_rejects_raw_nul_bytes(void **state)
{
    static const char in[] = "a=1\0&b=2";
    struct hub_form *f = NULL;
    struct kk_diag d = {""};

    (void)state;
    assert_int_equal(hub_form_parse(in, sizeof in - 1, &f, &d), KK_ERR_INVAL);
    assert_null(f);
    assert_non_null(strstr(d.msg, "NUL"));
    /* The length is honoured: the NUL is outside the first three bytes. */
    assert_int_equal(hub_form_parse(in, 3, &f, NULL), KK_OK);
    assert_string_equal(hub_form_get(f, "a"), "1");
    hub_form_free(f);
}

static void form_diagnostic_names_the_byte(void **state)
{
    static const char in[] = "abc=1&d=%G1";
    struct hub_form *f = NULL;
    struct kk_diag d = {""};

    (void)state;
    assert_int_equal(hub_form_parse(in, strlen(in), &f, &d), KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "byte 8"));
}

static void form_accessors_are_null_safe(void **state)
{
    struct hub_form *f = NULL;

    (void)state;
    assert_null(hub_form_get(NULL, "a"));
    assert_int_equal(hub_form_count_of(NULL, "a"), 0);
    assert_null(hub_form_get_nth(NULL, "a", 0));
    assert_int_equal(hub_form_len(NULL), 0);
    assert_null(hub_form_key(NULL, 0));
    assert_null(hub_form_val(NULL, 0));
    hub_form_free(NULL);
    assert_int_equal(hub_form_parse(NULL, 0, &f, NULL), KK_OK);
    assert_int_equal(hub_form_len(f), 0);
    hub_form_free(f);
    f = NULL;
    assert_int_equal(hub_form_parse(NULL, 3, &f, NULL), KK_ERR_INVAL);
    assert_int_equal(hub_form_parse("a=1", 3, NULL, NULL), KK_ERR_INVAL);
}

static void form_takes_exactly_the_field_count_limit(void **state)
{
    char *ok = repeat_str("", "k=v&", KK_HUB_FORM_FIELDS_MAX, "");
    char *over = repeat_str("", "k=v&", KK_HUB_FORM_FIELDS_MAX, "k=v");
    char *sparse = repeat_str("", "&&k=v", KK_HUB_FORM_FIELDS_MAX, "&&&&");
    struct hub_form *f = NULL;
    struct kk_diag d = {""};

    (void)state;
    assert_int_equal(hub_form_parse(ok, strlen(ok), &f, NULL), KK_OK);
    assert_int_equal(hub_form_len(f), KK_HUB_FORM_FIELDS_MAX);
    assert_int_equal(hub_form_count_of(f, "k"), KK_HUB_FORM_FIELDS_MAX);
    hub_form_free(f);
    f = NULL;
    /* Empty pairs do not count. */
    assert_int_equal(hub_form_parse(sparse, strlen(sparse), &f, NULL), KK_OK);
    assert_int_equal(hub_form_len(f), KK_HUB_FORM_FIELDS_MAX);
    hub_form_free(f);
    f = NULL;
    assert_int_equal(hub_form_parse(over, strlen(over), &f, &d), KK_ERR_LIMIT);
    assert_null(f);
    assert_non_null(strstr(d.msg, "fields"));
    free(ok);
    free(over);
    free(sparse);
}

static void form_takes_exactly_the_field_size_limit(void **state)
{
    char *ok = repeat_str("v=", "x", KK_HUB_FIELD_MAX, "");
    char *over = repeat_str("v=", "x", KK_HUB_FIELD_MAX + 1, "");
    char *enc_ok = repeat_str("v=", "%41", KK_HUB_FIELD_MAX, "&w=1");
    char *enc_over = repeat_str("v=", "%41", KK_HUB_FIELD_MAX + 1, "");
    char *key_over = repeat_str("", "k", KK_HUB_FIELD_MAX + 1, "=1");
    struct hub_form *f = NULL;

    (void)state;
    assert_int_equal(hub_form_parse(ok, strlen(ok), &f, NULL), KK_OK);
    assert_int_equal(strlen(hub_form_get(f, "v")), KK_HUB_FIELD_MAX);
    hub_form_free(f);
    f = NULL;
    assert_int_equal(hub_form_parse(enc_ok, strlen(enc_ok), &f, NULL), KK_OK);
    assert_int_equal(strlen(hub_form_get(f, "v")), KK_HUB_FIELD_MAX);
    assert_string_equal(hub_form_get(f, "w"), "1");
    hub_form_free(f);
    f = NULL;
    assert_int_equal(hub_form_parse(over, strlen(over), &f, NULL),
                     KK_ERR_LIMIT);
    assert_int_equal(hub_form_parse(enc_over, strlen(enc_over), &f, NULL),
                     KK_ERR_LIMIT);
    assert_int_equal(hub_form_parse(key_over, strlen(key_over), &f, NULL),
                     KK_ERR_LIMIT);
    assert_null(f);
    free(ok);
    free(over);
    free(enc_ok);
    free(enc_over);
    free(key_over);
}

/* ---- URL encoding ---- */

static void url_encode_keeps_only_unreserved_characters(void **state)
{
    struct kk_buf *b = kk_buf_new(1024);
    struct hub_form *f = NULL;
    static const char in[] = "a b&c=d/\xC3\xA9~._-+%?#";
    char *q;

    (void)state;
    assert_int_equal(hub_url_encode(b, in), KK_OK);
    assert_string_equal(kk_buf_str(b),
                        "a%20b%26c%3Dd%2F%C3%A9~._-%2B%25%3F%23");
    assert_int_equal(hub_url_encode(b, ""), KK_OK);
    assert_int_equal(kk_buf_len(b), 38);
    /* What it writes decodes back to the same value. */
    kk_buf_reset(b);
    assert_int_equal(kk_buf_puts(b, "q="), KK_OK);
    assert_int_equal(hub_url_encode(b, in), KK_OK);
    q = strdup(kk_buf_str(b));
    assert_int_equal(hub_form_parse(q, strlen(q), &f, NULL), KK_OK);
    assert_string_equal(hub_form_get(f, "q"), in);
    hub_form_free(f);
    free(q);
    kk_buf_free(b);
}

static void url_encode_leaves_the_buffer_alone_on_failure(void **state)
{
    struct kk_buf *b = kk_buf_new(8);

    (void)state;
    assert_int_equal(kk_buf_puts(b, "x="), KK_OK);
    assert_int_equal(hub_url_encode(b, "abc def"), KK_ERR_LIMIT);
    assert_string_equal(kk_buf_str(b), "x=");
    assert_int_equal(hub_url_encode(b, "a b"), KK_OK);
    assert_string_equal(kk_buf_str(b), "x=a%20b");
    assert_int_equal(hub_url_encode(b, NULL), KK_ERR_INVAL);
    assert_int_equal(hub_url_encode(NULL, "a"), KK_ERR_INVAL);
    kk_buf_free(b);
}

/* ---- Cookies ---- */

struct cookie_case {
    const char *header;
    const char *name;
    int r;
    const char *value;
};

static const struct cookie_case cookie_cases[] = {
    {"sid=abc", "sid", KK_OK, "abc"},
    {"a=1; sid=abc; b=2", "sid", KK_OK, "abc"},
    {"a=1;sid=abc;b=2", "sid", KK_OK, "abc"},
    {"xsid=1; sid=2", "sid", KK_OK, "2"},
    {"sidx=1; sid=2", "sid", KK_OK, "2"},
    {"x_sid=1; sid_=3; sid=2", "sid", KK_OK, "2"},
    {"a=sid=3; sid=4", "sid", KK_OK, "4"},
    {"sid=1; sid=2", "sid", KK_OK, "1"},
    {"  sid = abc  ; x=y", "sid", KK_OK, "abc"},
    {"\tsid=abc\t", "sid", KK_OK, "abc"},
    {"sid=\"abc\"", "sid", KK_OK, "abc"},
    {"sid=\"\"", "sid", KK_OK, ""},
    {"sid=\"", "sid", KK_OK, "\""},
    {"sid=\"a\"b", "sid", KK_OK, "\"a\"b"},
    {"sid=a b", "sid", KK_OK, "a b"},
    {"sid=", "sid", KK_OK, ""},
    {"sid=1=2", "sid", KK_OK, "1=2"},
    {"; ; sid=x;", "sid", KK_OK, "x"},
    {"sid=caf\xC3\xA9", "sid", KK_OK, "caf\xC3\xA9"},
    {"__Host-sid=h; sid=s", "__Host-sid", KK_OK, "h"},
    {"sid", "sid", KK_ERR_NOTFOUND, NULL},
    {"SID=1", "sid", KK_ERR_NOTFOUND, NULL},
    {"xsid=1", "sid", KK_ERR_NOTFOUND, NULL},
    {"a=sid", "sid", KK_ERR_NOTFOUND, NULL},
    {"", "sid", KK_ERR_NOTFOUND, NULL},
    {";;;", "sid", KK_ERR_NOTFOUND, NULL},
    {"sid=a\tb", "sid", KK_ERR_INVAL, NULL},
    {"sid=a\x01", "sid", KK_ERR_INVAL, NULL},
    {"sid=\x7f", "sid", KK_ERR_INVAL, NULL},
    {"sid=\xff", "sid", KK_ERR_INVAL, NULL},
    {"sid=\xC0\x80", "sid", KK_ERR_INVAL, NULL},
    /* Only the value asked for is checked. */
    {"junk=\xff; sid=ok", "sid", KK_OK, "ok"},
};

static void cookie_cases_match_the_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_OF(cookie_cases); i++) {
        const struct cookie_case *c = &cookie_cases[i];
        char out[64] = "untouched";
        int r = hub_cookie_get(c->header, c->name, out, sizeof out);

        if (r != c->r)
            fail_msg("case %zu '%s': got %d want %d", i, c->header, r, c->r);
        if (r == KK_OK)
            assert_string_equal(out, c->value);
        else
            assert_string_equal(out, "untouched");
    }
}

static void cookie_value_must_fit_the_output(void **state)
{
    char out[4];

    (void)state;
    assert_int_equal(hub_cookie_get("sid=abcd", "sid", out, sizeof out),
                     KK_ERR_TRUNC);
    assert_int_equal(hub_cookie_get("sid=abc", "sid", out, sizeof out), KK_OK);
    assert_string_equal(out, "abc");
    assert_int_equal(hub_cookie_get("sid=", "sid", out, 1), KK_OK);
    assert_string_equal(out, "");
}

static void cookie_arguments_are_checked(void **state)
{
    char out[8];

    (void)state;
    assert_int_equal(hub_cookie_get(NULL, "sid", out, sizeof out),
                     KK_ERR_NOTFOUND);
    assert_int_equal(hub_cookie_get("sid=1", NULL, out, sizeof out),
                     KK_ERR_INVAL);
    assert_int_equal(hub_cookie_get("=1", "", out, sizeof out), KK_ERR_INVAL);
    assert_int_equal(hub_cookie_get("sid=1", "sid", NULL, 8), KK_ERR_INVAL);
    assert_int_equal(hub_cookie_get("sid=1", "sid", out, 0), KK_ERR_INVAL);
}

static void cookie_header_takes_exactly_its_size_limit(void **state)
{
    char *ok = repeat_str("a=", "x", KK_HUB_COOKIE_MAX - 9, "; sid=1");
    char *over = repeat_str("a=", "x", KK_HUB_COOKIE_MAX - 8, "; sid=1");
    char out[8];

    (void)state;
    assert_int_equal(strlen(ok), KK_HUB_COOKIE_MAX);
    assert_int_equal(hub_cookie_get(ok, "sid", out, sizeof out), KK_OK);
    assert_string_equal(out, "1");
    assert_int_equal(hub_cookie_get(over, "sid", out, sizeof out),
                     KK_ERR_INVAL);
    /* Even when the cookie sits before the limit. */
    memcpy(over, "sid=2;", 6);
    assert_int_equal(hub_cookie_get(over, "sid", out, sizeof out),
                     KK_ERR_INVAL);
    free(ok);
    free(over);
}

/* ---- JSON ---- */

struct json_case {
    const char *text;
    int r;
    enum hub_json_type type;
};

static const struct json_case json_cases[] = {
    {"null", KK_OK, HUB_JSON_NULL},
    {"true", KK_OK, HUB_JSON_TRUE},
    {"false", KK_OK, HUB_JSON_FALSE},
    {"0", KK_OK, HUB_JSON_NUMBER},
    {"-0", KK_OK, HUB_JSON_NUMBER},
    {"1.0e5", KK_OK, HUB_JSON_NUMBER},
    {"1E+2", KK_OK, HUB_JSON_NUMBER},
    {"-1.5e-3", KK_OK, HUB_JSON_NUMBER},
    {"0.0", KK_OK, HUB_JSON_NUMBER},
    {"1e999", KK_OK, HUB_JSON_NUMBER},
    {"123456789012345678901234567890", KK_OK, HUB_JSON_NUMBER},
    {"\"\"", KK_OK, HUB_JSON_STRING},
    {"\"\\ud83d\\ude00\"", KK_OK, HUB_JSON_STRING},
    {"\"\\u00e9\\u20AC\"", KK_OK, HUB_JSON_STRING},
    {"\"\\/\\\"\\\\\"", KK_OK, HUB_JSON_STRING},
    {"\"\x7f\"", KK_OK, HUB_JSON_STRING},
    {"\"\xF0\x9F\x98\x80\"", KK_OK, HUB_JSON_STRING},
    {"[]", KK_OK, HUB_JSON_ARRAY},
    {"{}", KK_OK, HUB_JSON_OBJECT},
    {" [ 1 , 2 ] ", KK_OK, HUB_JSON_ARRAY},
    {"\t\n\r 1 \n", KK_OK, HUB_JSON_NUMBER},
    {"{\"a\":[1,{\"b\":null}],\"c\":{}}", KK_OK, HUB_JSON_OBJECT},
    {"[[],{},[[]]]", KK_OK, HUB_JSON_ARRAY},
    {"{\"a\":{\"a\":1}}", KK_OK, HUB_JSON_OBJECT},
    {"[{\"a\":1},{\"a\":2}]", KK_OK, HUB_JSON_ARRAY},
    {"", KK_ERR_INVAL, 0},
    {" ", KK_ERR_INVAL, 0},
    {"01", KK_ERR_INVAL, 0},
    {"-01", KK_ERR_INVAL, 0},
    {"00", KK_ERR_INVAL, 0},
    {"-", KK_ERR_INVAL, 0},
    {"1.", KK_ERR_INVAL, 0},
    {".5", KK_ERR_INVAL, 0},
    {"1.e5", KK_ERR_INVAL, 0},
    {"1e", KK_ERR_INVAL, 0},
    {"1e+", KK_ERR_INVAL, 0},
    {"+1", KK_ERR_INVAL, 0},
    {"0x10", KK_ERR_INVAL, 0},
    {"NaN", KK_ERR_INVAL, 0},
    {"Infinity", KK_ERR_INVAL, 0},
    {"-Infinity", KK_ERR_INVAL, 0},
    {"[1,]", KK_ERR_INVAL, 0},
    {"[,1]", KK_ERR_INVAL, 0},
    {"{\"a\":1,}", KK_ERR_INVAL, 0},
    {"[1 2]", KK_ERR_INVAL, 0},
    {"{\"a\" 1}", KK_ERR_INVAL, 0},
    {"{a:1}", KK_ERR_INVAL, 0},
    {"{\"a\":1 \"b\":2}", KK_ERR_INVAL, 0},
    {"{\"a\"}", KK_ERR_INVAL, 0},
    {"{\"a\":}", KK_ERR_INVAL, 0},
    {"{1:2}", KK_ERR_INVAL, 0},
    {"[1}", KK_ERR_INVAL, 0},
    {"{\"a\":1]", KK_ERR_INVAL, 0},
    {"[", KK_ERR_INVAL, 0},
    {"]", KK_ERR_INVAL, 0},
    {"{", KK_ERR_INVAL, 0},
    {"[1", KK_ERR_INVAL, 0},
    {"{\"a\":1", KK_ERR_INVAL, 0},
    {"'a'", KK_ERR_INVAL, 0},
    {"\"abc", KK_ERR_INVAL, 0},
    {"\"abc\\\"", KK_ERR_INVAL, 0},
    {"\"\\x\"", KK_ERR_INVAL, 0},
    {"\"\\U0041\"", KK_ERR_INVAL, 0},
    {"\"\\u12\"", KK_ERR_INVAL, 0},
    {"\"\\u12G4\"", KK_ERR_INVAL, 0},
    {"\"\\ud83d\"", KK_ERR_INVAL, 0},
    {"\"\\ude00\"", KK_ERR_INVAL, 0},
    {"\"\\ude00\\ud83d\"", KK_ERR_INVAL, 0},
    {"\"\\ud83d\\u0041\"", KK_ERR_INVAL, 0},
    {"\"\\ud83d\\ud83d\"", KK_ERR_INVAL, 0},
    {"\"\\ud83dx\"", KK_ERR_INVAL, 0},
    {"\"\\ud83d\\n\"", KK_ERR_INVAL, 0},
    {"\"\\u0000\"", KK_ERR_INVAL, 0},
    {"\"\x01\"", KK_ERR_INVAL, 0},
    {"\"a\tb\"", KK_ERR_INVAL, 0},
    {"\"a\nb\"", KK_ERR_INVAL, 0},
    {"\"\\\x01\"", KK_ERR_INVAL, 0},
    {"\"\xff\"", KK_ERR_INVAL, 0},
    {"\"\xC0\xAF\"", KK_ERR_INVAL, 0},
    {"\"\xED\xA0\x80\"", KK_ERR_INVAL, 0},
    {"\"\xE2\x82\"", KK_ERR_INVAL, 0},
    {"[1] x", KK_ERR_INVAL, 0},
    {"1 2", KK_ERR_INVAL, 0},
    {"{}{}", KK_ERR_INVAL, 0},
    {"// c\n1", KK_ERR_INVAL, 0},
    {"/* c */1", KK_ERR_INVAL, 0},
    {"1 // c", KK_ERR_INVAL, 0},
    {"tru", KK_ERR_INVAL, 0},
    {"nul", KK_ERR_INVAL, 0},
    {"truex", KK_ERR_INVAL, 0},
    {"True", KK_ERR_INVAL, 0},
    {"\xEF\xBB\xBF{}", KK_ERR_INVAL, 0},
    {"\f1", KK_ERR_INVAL, 0},
    {"\xC2\xA0"
     "1",
     KK_ERR_INVAL, 0},
    {"{\"a\":1,\"a\":2}", KK_ERR_INVAL, 0},
    {"{\"a\":1,\"\\u0061\":2}", KK_ERR_INVAL, 0},
    {"[{\"x\":{\"k\":1,\"j\":2,\"k\":3}}]", KK_ERR_INVAL, 0},
};

static void json_cases_parse_as_the_table_says(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_OF(json_cases); i++) {
        const struct json_case *c = &json_cases[i];
        struct hub_json *j = NULL;
        struct kk_diag d = {""};
        int r = hub_json_parse(c->text, strlen(c->text), &j, &d);

        if (r != c->r)
            fail_msg("case %zu '%s': got %d want %d (%s)", i, c->text, r, c->r,
                     d.msg);
        if (r != KK_OK) {
            assert_null(j);
            assert_true(strlen(d.msg) > 0);
            continue;
        }
        if (hub_jv_type(hub_json_root(j)) != c->type)
            fail_msg("case %zu '%s': wrong type", i, c->text);
        hub_json_free(j);
    }
}

static void json_rejects_nul_bytes_anywhere(void **state)
{
    static const char in_string[] = "\"a\0b\"";
    static const char after[] = "1\0";
    static const char before[] = "\0 1";
    struct hub_json *j = NULL;

    (void)state;
    assert_int_equal(hub_json_parse(in_string, sizeof in_string - 1, &j, NULL),
                     KK_ERR_INVAL);
    assert_int_equal(hub_json_parse(after, sizeof after - 1, &j, NULL),
                     KK_ERR_INVAL);
    assert_int_equal(hub_json_parse(before, sizeof before - 1, &j, NULL),
                     KK_ERR_INVAL);
    assert_null(j);
    /* The length is honoured. */
    assert_int_equal(hub_json_parse(after, 1, &j, NULL), KK_OK);
    hub_json_free(j);
}

static void json_decodes_escapes_and_surrogate_pairs(void **state)
{
    static const struct {
        const char *text;
        const char *want;
    } cases[] = {
        {"\"\\ud83d\\ude00\"", "\xF0\x9F\x98\x80"},
        {"\"\\uD83D\\uDE00\"", "\xF0\x9F\x98\x80"},
        {"\"\\udbff\\udfff\"", "\xF4\x8F\xBF\xBF"},
        {"\"\\u0041\\u00e9\\u20ac\\uffff\"",
         "A\xC3\xA9\xE2\x82\xAC\xEF\xBF\xBF"},
        {"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t"},
        {"\"caf\xC3\xA9\"", "caf\xC3\xA9"},
        {"\"a\\u0001b\"", "a\x01"
                          "b"},
        {"\"\"", ""},
    };

    (void)state;
    for (size_t i = 0; i < N_OF(cases); i++) {
        struct hub_json *j = NULL;
        struct kk_diag d = {""};

        if (hub_json_parse(cases[i].text, strlen(cases[i].text), &j, &d) !=
            KK_OK)
            fail_msg("case %zu: %s", i, d.msg);
        assert_string_equal(hub_jv_str(hub_json_root(j)), cases[i].want);
        hub_json_free(j);
    }
}

static void json_integers_are_checked_against_int64(void **state)
{
    static const struct {
        const char *text;
        int r;
        int64_t want;
    } cases[] = {
        {"0", KK_OK, 0},
        {"-0", KK_OK, 0},
        {"42", KK_OK, 42},
        {"-42", KK_OK, -42},
        {"9223372036854775807", KK_OK, INT64_MAX},
        {"-9223372036854775808", KK_OK, INT64_MIN},
        {"9223372036854775808", KK_ERR_RANGE, 0},
        {"-9223372036854775809", KK_ERR_RANGE, 0},
        {"18446744073709551616", KK_ERR_RANGE, 0},
        {"123456789012345678901234567890", KK_ERR_RANGE, 0},
        {"1.0e5", KK_ERR_INVAL, 0},
        {"1e2", KK_ERR_INVAL, 0},
        {"1.5", KK_ERR_INVAL, 0},
        {"1.0", KK_ERR_INVAL, 0},
        {"\"12\"", KK_ERR_INVAL, 0},
        {"true", KK_ERR_INVAL, 0},
        {"null", KK_ERR_INVAL, 0},
        {"[1]", KK_ERR_INVAL, 0},
    };

    (void)state;
    for (size_t i = 0; i < N_OF(cases); i++) {
        struct hub_json *j = NULL;
        int64_t v = 7;
        int r;

        assert_int_equal(
            hub_json_parse(cases[i].text, strlen(cases[i].text), &j, NULL),
            KK_OK);
        r = hub_jv_i64(hub_json_root(j), &v);
        if (r != cases[i].r)
            fail_msg("case %zu '%s': got %d want %d", i, cases[i].text, r,
                     cases[i].r);
        if (r == KK_OK)
            assert_true(v == cases[i].want);
        else
            assert_true(v == 7);
        hub_json_free(j);
    }
}

static void json_objects_keep_members_in_input_order(void **state)
{
    static const char text[] =
        "{\"z\":1, \"a\":\"two\", \"m\":[true,false,null], \"o\":{\"k\":-3}}";
    struct hub_json *j = NULL;
    const struct hub_jv *r;
    const struct hub_jv *m;
    int64_t v = 0;
    bool b = false;

    (void)state;
    assert_int_equal(hub_json_parse(text, strlen(text), &j, NULL), KK_OK);
    r = hub_json_root(j);
    assert_int_equal(hub_jv_type(r), HUB_JSON_OBJECT);
    assert_int_equal(hub_jv_len(r), 4);
    assert_string_equal(hub_jv_key_at(r, 0), "z");
    assert_string_equal(hub_jv_key_at(r, 1), "a");
    assert_string_equal(hub_jv_key_at(r, 2), "m");
    assert_string_equal(hub_jv_key_at(r, 3), "o");
    assert_null(hub_jv_key_at(r, 4));
    assert_ptr_equal(hub_jv_at(r, 1), hub_jv_get(r, "a"));
    assert_string_equal(hub_jv_str(hub_jv_get(r, "a")), "two");
    assert_int_equal(hub_jv_i64(hub_jv_get(r, "z"), &v), KK_OK);
    assert_true(v == 1);
    m = hub_jv_get(r, "m");
    assert_int_equal(hub_jv_type(m), HUB_JSON_ARRAY);
    assert_int_equal(hub_jv_len(m), 3);
    assert_int_equal(hub_jv_bool(hub_jv_at(m, 0), &b), KK_OK);
    assert_true(b);
    assert_int_equal(hub_jv_bool(hub_jv_at(m, 1), &b), KK_OK);
    assert_false(b);
    assert_int_equal(hub_jv_bool(hub_jv_at(m, 2), &b), KK_ERR_INVAL);
    assert_int_equal(hub_jv_type(hub_jv_at(m, 2)), HUB_JSON_NULL);
    assert_non_null(hub_jv_at(m, 2));
    assert_null(hub_jv_at(m, 3));
    assert_null(hub_jv_key_at(m, 0));
    assert_null(hub_jv_get(m, "0"));
    assert_int_equal(hub_jv_i64(hub_jv_get(hub_jv_get(r, "o"), "k"), &v),
                     KK_OK);
    assert_true(v == -3);
    assert_null(hub_jv_get(r, "missing"));
    assert_null(hub_jv_get(r, "zz"));
    assert_null(hub_jv_get(r, NULL));
    assert_null(hub_jv_str(hub_jv_get(r, "z")));
    assert_int_equal(hub_jv_len(hub_jv_get(r, "a")), 0);
    hub_json_free(j);
}

static void json_accessors_are_null_safe(void **state)
{
    int64_t v = 5;
    bool b = true;

    (void)state;
    assert_int_equal(hub_jv_type(NULL), HUB_JSON_NULL);
    assert_null(hub_jv_get(NULL, "a"));
    assert_null(hub_jv_get(hub_jv_get(NULL, "a"), "b"));
    assert_int_equal(hub_jv_len(NULL), 0);
    assert_null(hub_jv_at(NULL, 0));
    assert_null(hub_jv_key_at(NULL, 0));
    assert_null(hub_jv_str(NULL));
    assert_int_equal(hub_jv_i64(NULL, &v), KK_ERR_INVAL);
    assert_int_equal(hub_jv_bool(NULL, &b), KK_ERR_INVAL);
    assert_true(v == 5);
    assert_true(b);
    assert_null(hub_json_root(NULL));
    hub_json_free(NULL);
}

static void json_rejects_bad_arguments(void **state)
{
    struct hub_json *j = NULL;

    (void)state;
    assert_int_equal(hub_json_parse(NULL, 0, &j, NULL), KK_ERR_INVAL);
    assert_int_equal(hub_json_parse(NULL, 4, &j, NULL), KK_ERR_INVAL);
    assert_int_equal(hub_json_parse("null", 4, NULL, NULL), KK_ERR_INVAL);
    assert_null(j);
}

static void json_rejects_duplicate_keys(void **state)
{
    struct kk_diag d = {""};
    struct hub_json *j = NULL;
    char *big;
    char *dup;
    char *p;
    size_t n = 500;

    (void)state;
    /* A large object, so the sorting check runs too. */
    big = malloc(n * 16 + 64);
    dup = malloc(n * 16 + 64);
    assert_non_null(big);
    assert_non_null(dup);
    p = big;
    *p++ = '{';
    for (size_t i = 0; i < n; i++)
        p += snprintf(p, 16, "%s\"k%zu\":%zu", i ? "," : "", i, i);
    memcpy(p, "}", 2);
    assert_int_equal(hub_json_parse(big, strlen(big), &j, NULL), KK_OK);
    assert_int_equal(hub_jv_len(hub_json_root(j)), n);
    assert_string_equal(hub_jv_key_at(hub_json_root(j), 321), "k321");
    hub_json_free(j);
    j = NULL;
    snprintf(dup, n * 16 + 64, "%.*s,\"k250\":0}", (int)(p - big), big);
    assert_int_equal(hub_json_parse(dup, strlen(dup), &j, &d), KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "duplicate"));
    assert_null(j);
    /* Same key in sibling objects is fine; nested duplicates are not. */
    assert_int_equal(parse_str("[{\"a\":1},{\"a\":1}]", &j), KK_OK);
    hub_json_free(j);
    j = NULL;
    assert_int_equal(parse_str("{\"o\":{\"b\":1,\"b\":1}}", &j), KK_ERR_INVAL);
    /* Keys differing in a prefix are distinct. */
    assert_int_equal(parse_str("{\"a\":1,\"ab\":2,\"\":3}", &j), KK_OK);
    assert_int_equal(hub_jv_type(hub_jv_get(hub_json_root(j), "")),
                     HUB_JSON_NUMBER);
    hub_json_free(j);
    free(big);
    free(dup);
}

static void json_depth_32_parses_and_33_is_refused(void **state)
{
    char *arr_ok = repeat_str("", "[", KK_HUB_JSON_DEPTH_MAX, "");
    char *arr_over = repeat_str("", "[", KK_HUB_JSON_DEPTH_MAX + 1, "");
    char *obj_ok = repeat_str("", "{\"a\":", KK_HUB_JSON_DEPTH_MAX - 1, "[1");
    char *obj_over = repeat_str("", "{\"a\":", KK_HUB_JSON_DEPTH_MAX, "[1");
    char *hostile = repeat('[', 200000);
    struct hub_json *j = NULL;
    struct kk_diag d = {""};
    const struct hub_jv *v;
    size_t depth = 0;
    size_t n;

    (void)state;
    /* Close the brackets: arrays first. */
    n = strlen(arr_ok);
    arr_ok = realloc(arr_ok, 2 * n + 1);
    memset(arr_ok + n, ']', n);
    arr_ok[2 * n] = '\0';
    n = strlen(arr_over);
    arr_over = realloc(arr_over, 2 * n + 1);
    memset(arr_over + n, ']', n);
    arr_over[2 * n] = '\0';
    assert_int_equal(hub_json_parse(arr_ok, strlen(arr_ok), &j, NULL), KK_OK);
    for (v = hub_json_root(j); hub_jv_type(v) == HUB_JSON_ARRAY;
         v = hub_jv_at(v, 0))
        depth++;
    assert_int_equal(depth, KK_HUB_JSON_DEPTH_MAX);
    hub_json_free(j);
    j = NULL;
    assert_int_equal(hub_json_parse(arr_over, strlen(arr_over), &j, &d),
                     KK_ERR_LIMIT);
    assert_non_null(strstr(d.msg, "deeper"));
    /* Objects count the same way. */
    n = strlen(obj_ok);
    obj_ok = realloc(obj_ok, n + KK_HUB_JSON_DEPTH_MAX + 1);
    obj_ok[n] = ']';
    memset(obj_ok + n + 1, '}', KK_HUB_JSON_DEPTH_MAX - 1);
    obj_ok[n + KK_HUB_JSON_DEPTH_MAX] = '\0';
    n = strlen(obj_over);
    obj_over = realloc(obj_over, n + KK_HUB_JSON_DEPTH_MAX + 2);
    obj_over[n] = ']';
    memset(obj_over + n + 1, '}', KK_HUB_JSON_DEPTH_MAX);
    obj_over[n + KK_HUB_JSON_DEPTH_MAX + 1] = '\0';
    assert_int_equal(hub_json_parse(obj_ok, strlen(obj_ok), &j, &d), KK_OK);
    hub_json_free(j);
    j = NULL;
    assert_int_equal(hub_json_parse(obj_over, strlen(obj_over), &j, NULL),
                     KK_ERR_LIMIT);
    /* A long run of brackets stops at the limit, not the C stack. */
    assert_int_equal(hub_json_parse(hostile, strlen(hostile), &j, NULL),
                     KK_ERR_LIMIT);
    assert_null(j);
    free(arr_ok);
    free(arr_over);
    free(obj_ok);
    free(obj_over);
    free(hostile);
}

static void json_takes_exactly_the_value_count_limit(void **state)
{
    /* The array itself is one value. */
    char *ok = repeat_str("[0", ",0", KK_HUB_JSON_NODES_MAX - 2, "]");
    char *over = repeat_str("[0", ",0", KK_HUB_JSON_NODES_MAX - 1, "]");
    char *objs = repeat_str("[{}", ",{}", KK_HUB_JSON_NODES_MAX - 2, "]");
    struct hub_json *j = NULL;
    struct kk_diag d = {""};

    (void)state;
    assert_int_equal(hub_json_parse(ok, strlen(ok), &j, NULL), KK_OK);
    assert_int_equal(hub_jv_len(hub_json_root(j)), KK_HUB_JSON_NODES_MAX - 1);
    hub_json_free(j);
    j = NULL;
    assert_int_equal(hub_json_parse(objs, strlen(objs), &j, NULL), KK_OK);
    hub_json_free(j);
    j = NULL;
    assert_int_equal(hub_json_parse(over, strlen(over), &j, &d), KK_ERR_LIMIT);
    assert_non_null(strstr(d.msg, "values"));
    assert_null(j);
    free(ok);
    free(over);
    free(objs);
}

static void json_diagnostic_names_the_byte(void **state)
{
    struct hub_json *j = NULL;
    struct kk_diag d = {""};

    (void)state;
    assert_int_equal(hub_json_parse("[1,,2]", 6, &j, &d), KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "byte 3"));
    assert_int_equal(hub_json_parse("\"abc", 4, &j, &d), KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "unterminated"));
    assert_int_equal(hub_json_parse("\"\\ud800\"", 8, &j, &d), KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "surrogate"));
    assert_int_equal(hub_json_parse("[1] x", 5, &j, &d), KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "byte 4"));
}

static void json_long_strings_and_many_members_parse(void **state)
{
    char *s = repeat_str("{\"k\":\"", "\\u00e9x", 40000, "\"}");
    struct hub_json *j = NULL;
    const char *v;

    (void)state;
    assert_int_equal(hub_json_parse(s, strlen(s), &j, NULL), KK_OK);
    v = hub_jv_str(hub_jv_get(hub_json_root(j), "k"));
    assert_non_null(v);
    assert_int_equal(strlen(v), 3 * 40000);
    assert_memory_equal(v, "\xC3\xA9x\xC3\xA9x", 6);
    hub_json_free(j);
    free(s);
}

/* ---- CSV ---- */

struct csv_case {
    const char *in;
    size_t rows;
    const char *cells[4][4]; /* NULL past a row's last field */
    size_t lines[4];
};

static const struct csv_case csv_cases[] = {
    {"a,b,c\n1,2,3\n", 2, {{"a", "b", "c"}, {"1", "2", "3"}}, {1, 2}},
    {"a,b\r\n1,2\r\n", 2, {{"a", "b"}, {"1", "2"}}, {1, 2}},
    {"a,b\r\n1,2", 2, {{"a", "b"}, {"1", "2"}}, {1, 2}},
    {"\xEF\xBB\xBFname,mail\n", 1, {{"name", "mail"}}, {1}},
    {"\xEF\xBB\xBF", 0, {{NULL}}, {0}},
    {"", 0, {{NULL}}, {0}},
    {"\n\r\n\n", 0, {{NULL}}, {0}},
    {"\"a,b\",\"say \"\"hi\"\"\"\n", 1, {{"a,b", "say \"hi\""}}, {1}},
    {"\"two\nlines\",x\nnext\n", 2, {{"two\nlines", "x"}, {"next"}}, {1, 3}},
    {"\"crlf\r\ninside\"\r\nz", 2, {{"crlf\r\ninside"}, {"z"}}, {1, 3}},
    {"a\n\nb\r\n\r\nc", 3, {{"a"}, {"b"}, {"c"}}, {1, 3, 5}},
    {",\n", 1, {{"", ""}}, {1}},
    {"a,,b,", 1, {{"a", "", "b", ""}}, {1}},
    {"\"\"\n", 1, {{""}}, {1}},
    {"\"\",\"\"", 1, {{"", ""}}, {1}},
    {" a , b ", 1, {{" a ", " b "}}, {1}},
    {"caf\xC3\xA9,\xE2\x82\xAC", 1, {{"caf\xC3\xA9", "\xE2\x82\xAC"}}, {1}},
    {"x\xEF\xBB\xBFy", 1, {{"x\xEF\xBB\xBFy"}}, {1}},
    {"=1+1,'a", 1, {{"=1+1", "'a"}}, {1}},
};

static void csv_cases_parse_as_the_table_says(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_OF(csv_cases); i++) {
        const struct csv_case *c = &csv_cases[i];
        struct hub_csv *csv = NULL;
        struct kk_diag d = {""};

        if (hub_csv_parse(c->in, strlen(c->in), &csv, &d) != KK_OK)
            fail_msg("case %zu: %s", i, d.msg);
        assert_int_equal(hub_csv_rows(csv), c->rows);
        for (size_t r = 0; r < c->rows; r++) {
            size_t n = 0;
            while (n < 4 && c->cells[r][n] != NULL)
                n++;
            if (hub_csv_fields(csv, r) != n)
                fail_msg("case %zu row %zu: %zu fields, want %zu", i, r,
                         hub_csv_fields(csv, r), n);
            for (size_t k = 0; k < n; k++)
                assert_string_equal(hub_csv_field(csv, r, k), c->cells[r][k]);
            assert_null(hub_csv_field(csv, r, n));
            assert_int_equal(hub_csv_line(csv, r), c->lines[r]);
        }
        assert_int_equal(hub_csv_fields(csv, c->rows), 0);
        assert_int_equal(hub_csv_line(csv, c->rows), 0);
        assert_null(hub_csv_field(csv, c->rows, 0));
        hub_csv_free(csv);
    }
}

static void csv_errors_name_the_line(void **state)
{
    static const struct {
        const char *in;
        size_t len; /* 0: strlen */
        const char *msg;
    } cases[] = {
        {"a,b\n1,2\n\"open,3\n4,5\n", 0, "line 3: unterminated quote"},
        {"\"never closed", 0, "line 1: unterminated quote"},
        {"a\nb\n\"x\ny\nz", 0, "line 3: unterminated quote"},
        {"a,b\nc,d\"e\n", 0, "line 2: quote inside an unquoted field"},
        {"ab\"", 0, "line 1: quote inside"},
        {"\"a\"b,c\n", 0, "line 1: text after a closing quote"},
        {"x\n\"a\nb\" ,c\n", 0, "line 3: text after a closing quote"},
        {"\"a\"\"\n", 0, "line 1: unterminated quote"},
        {"a,b\n1\0,2\n", 9, "line 2: NUL byte"},
        {"\"a\0\"", 4, "line 1: NUL byte"},
        {"ok\nbad\xff\n", 0, "line 2: invalid UTF-8"},
        {"\"\xC0\xAF\"", 0, "line 1: invalid UTF-8"},
        {"\"a\n\xED\xA0\x80\"", 0, "line 1: invalid UTF-8"},
        {"a\rb\n", 0, "line 1: carriage return without line feed"},
        {"a\n\nb\r", 0, "line 3: carriage return"},
        {"\"a\"\rb", 0, "line 1: text after a closing quote"},
    };

    (void)state;
    for (size_t i = 0; i < N_OF(cases); i++) {
        struct hub_csv *csv = NULL;
        struct kk_diag d = {""};
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
        int r = hub_csv_parse(cases[i].in, len, &csv, &d);

        if (r != KK_ERR_INVAL || strstr(d.msg, cases[i].msg) == NULL)
            fail_msg("case %zu: got %d '%s', want '%s'", i, r, d.msg,
                     cases[i].msg);
        assert_null(csv);
    }
}

static void csv_takes_exactly_the_field_count_limit(void **state)
{
    char *ok = repeat_str("x", ",x", KK_HUB_CSV_FIELDS_MAX - 1, "\r\n");
    char *over = repeat_str("a\nx", ",x", KK_HUB_CSV_FIELDS_MAX, "\r\n");
    struct hub_csv *c = NULL;
    struct kk_diag d = {""};

    (void)state;
    assert_int_equal(hub_csv_parse(ok, strlen(ok), &c, NULL), KK_OK);
    assert_int_equal(hub_csv_fields(c, 0), KK_HUB_CSV_FIELDS_MAX);
    hub_csv_free(c);
    c = NULL;
    assert_int_equal(hub_csv_parse(over, strlen(over), &c, &d), KK_ERR_LIMIT);
    assert_non_null(strstr(d.msg, "line 2: more than"));
    assert_null(c);
    free(ok);
    free(over);
}

static void csv_takes_exactly_the_field_size_limit(void **state)
{
    char *ok = repeat_str("a,", "y", KK_HUB_CSV_FIELD_MAX, ",b\n");
    char *over = repeat_str("a,", "y", KK_HUB_CSV_FIELD_MAX + 1, ",b\n");
    char *q_ok = repeat_str("\"", "\"\"", KK_HUB_CSV_FIELD_MAX, "\"");
    char *q_over = repeat_str("\"", "\"\"", KK_HUB_CSV_FIELD_MAX + 1, "\"");
    struct hub_csv *c = NULL;
    struct kk_diag d = {""};

    (void)state;
    assert_int_equal(hub_csv_parse(ok, strlen(ok), &c, NULL), KK_OK);
    assert_int_equal(strlen(hub_csv_field(c, 0, 1)), KK_HUB_CSV_FIELD_MAX);
    assert_string_equal(hub_csv_field(c, 0, 2), "b");
    hub_csv_free(c);
    c = NULL;
    assert_int_equal(hub_csv_parse(q_ok, strlen(q_ok), &c, NULL), KK_OK);
    assert_int_equal(strlen(hub_csv_field(c, 0, 0)), KK_HUB_CSV_FIELD_MAX);
    assert_int_equal(hub_csv_field(c, 0, 0)[0], '"');
    hub_csv_free(c);
    c = NULL;
    assert_int_equal(hub_csv_parse(over, strlen(over), &c, &d), KK_ERR_LIMIT);
    assert_non_null(strstr(d.msg, "line 1: field longer"));
    assert_int_equal(hub_csv_parse(q_over, strlen(q_over), &c, NULL),
                     KK_ERR_LIMIT);
    assert_null(c);
    free(ok);
    free(over);
    free(q_ok);
    free(q_over);
}

static void csv_takes_exactly_the_row_limit(void **state)
{
    char *ok = repeat_str("h1,h2\n", "a,b\n", KK_HUB_CSV_ROWS_MAX - 1, "\n\n");
    char *over = repeat_str("h1,h2\n", "a,b\n", KK_HUB_CSV_ROWS_MAX, "");
    struct hub_csv *c = NULL;
    struct kk_diag d = {""};

    (void)state;
    assert_int_equal(hub_csv_parse(ok, strlen(ok), &c, NULL), KK_OK);
    assert_int_equal(hub_csv_rows(c), KK_HUB_CSV_ROWS_MAX);
    assert_int_equal(hub_csv_line(c, KK_HUB_CSV_ROWS_MAX - 1),
                     KK_HUB_CSV_ROWS_MAX);
    assert_string_equal(hub_csv_field(c, KK_HUB_CSV_ROWS_MAX - 1, 1), "b");
    hub_csv_free(c);
    c = NULL;
    assert_int_equal(hub_csv_parse(over, strlen(over), &c, &d), KK_ERR_LIMIT);
    assert_non_null(strstr(d.msg, "rows"));
    assert_null(c);
    free(ok);
    free(over);
}

static void csv_accessors_are_null_safe(void **state)
{
    struct hub_csv *c = NULL;

    (void)state;
    assert_int_equal(hub_csv_rows(NULL), 0);
    assert_int_equal(hub_csv_fields(NULL, 0), 0);
    assert_null(hub_csv_field(NULL, 0, 0));
    assert_int_equal(hub_csv_line(NULL, 0), 0);
    hub_csv_free(NULL);
    assert_int_equal(hub_csv_parse(NULL, 0, &c, NULL), KK_OK);
    assert_int_equal(hub_csv_rows(c), 0);
    hub_csv_free(c);
    c = NULL;
    assert_int_equal(hub_csv_parse(NULL, 1, &c, NULL), KK_ERR_INVAL);
    assert_int_equal(hub_csv_parse("a", 1, NULL, NULL), KK_ERR_INVAL);
}

static void csv_export_quotes_and_neutralises_formulas(void **state)
{
    static const struct {
        const char *in;
        const char *out;
    } cases[] = {
        {"plain", "plain"},
        {"", ""},
        {"a,b", "\"a,b\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"\"", "\"\"\"\""},
        {"two\nlines", "\"two\nlines\""},
        {"cr\rhere", "\"cr\rhere\""},
        {"=1+1", "'=1+1"},
        {"+1", "'+1"},
        {"-1", "'-1"},
        {"@SUM(A1)", "'@SUM(A1)"},
        {"\tx", "'\tx"},
        {"\r=x", "\"'\r=x\""},
        {"=HYPERLINK(\"http://x\",\"y\")",
         "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""},
        {"a=1", "a=1"},
        {" =1", " =1"},
        {"'quoted", "'quoted"},
        {"caf\xC3\xA9", "caf\xC3\xA9"},
    };
    struct kk_buf *b = kk_buf_new(4096);

    (void)state;
    for (size_t i = 0; i < N_OF(cases); i++) {
        kk_buf_reset(b);
        assert_int_equal(hub_csv_put(b, cases[i].in, true), KK_OK);
        if (strcmp(kk_buf_str(b), cases[i].out) != 0)
            fail_msg("case %zu: got '%s' want '%s'", i, kk_buf_str(b),
                     cases[i].out);
    }
    kk_buf_reset(b);
    assert_int_equal(hub_csv_put(b, "a", true), KK_OK);
    assert_int_equal(hub_csv_put(b, "b,c", false), KK_OK);
    assert_int_equal(hub_csv_put(b, "", false), KK_OK);
    assert_int_equal(hub_csv_end_row(b), KK_OK);
    assert_string_equal(kk_buf_str(b), "a,\"b,c\",\r\n");
    assert_int_equal(hub_csv_put(b, NULL, true), KK_ERR_INVAL);
    assert_int_equal(hub_csv_put(NULL, "a", true), KK_ERR_INVAL);
    assert_int_equal(hub_csv_end_row(NULL), KK_ERR_INVAL);
    kk_buf_free(b);
}

static void csv_export_leaves_the_buffer_alone_on_failure(void **state)
{
    struct kk_buf *b = kk_buf_new(10);

    (void)state;
    assert_int_equal(hub_csv_put(b, "abc", true), KK_OK);
    assert_int_equal(hub_csv_put(b, "x\"y\"z", false), KK_ERR_LIMIT);
    assert_string_equal(kk_buf_str(b), "abc");
    kk_buf_free(b);
}

static void csv_export_reads_back_the_same_fields(void **state)
{
    static const char *const row[] = {
        "id", "a,b", "say \"hi\"", "two\r\nlines", "", "caf\xC3\xA9", "x",
    };
    struct kk_buf *b = kk_buf_new(4096);
    struct hub_csv *c = NULL;

    (void)state;
    for (int r = 0; r < 3; r++) {
        for (size_t i = 0; i < N_OF(row); i++)
            assert_int_equal(hub_csv_put(b, row[i], i == 0), KK_OK);
        assert_int_equal(hub_csv_end_row(b), KK_OK);
    }
    assert_int_equal(hub_csv_parse(kk_buf_str(b), kk_buf_len(b), &c, NULL),
                     KK_OK);
    assert_int_equal(hub_csv_rows(c), 3);
    for (size_t r = 0; r < 3; r++) {
        assert_int_equal(hub_csv_fields(c, r), N_OF(row));
        for (size_t i = 0; i < N_OF(row); i++)
            assert_string_equal(hub_csv_field(c, r, i), row[i]);
    }
    /* Each row spans two source lines. */
    assert_int_equal(hub_csv_line(c, 2), 5);
    hub_csv_free(c);
    kk_buf_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8_validation_follows_rfc_3629),
        cmocka_unit_test(form_cases_decode_as_the_table_says),
        cmocka_unit_test(form_repeated_keys_are_all_kept_in_order),
        cmocka_unit_test(form_rejects_raw_nul_bytes),
        cmocka_unit_test(form_diagnostic_names_the_byte),
        cmocka_unit_test(form_accessors_are_null_safe),
        cmocka_unit_test(form_takes_exactly_the_field_count_limit),
        cmocka_unit_test(form_takes_exactly_the_field_size_limit),
        cmocka_unit_test(url_encode_keeps_only_unreserved_characters),
        cmocka_unit_test(url_encode_leaves_the_buffer_alone_on_failure),
        cmocka_unit_test(cookie_cases_match_the_table),
        cmocka_unit_test(cookie_value_must_fit_the_output),
        cmocka_unit_test(cookie_arguments_are_checked),
        cmocka_unit_test(cookie_header_takes_exactly_its_size_limit),
        cmocka_unit_test(json_cases_parse_as_the_table_says),
        cmocka_unit_test(json_rejects_nul_bytes_anywhere),
        cmocka_unit_test(json_decodes_escapes_and_surrogate_pairs),
        cmocka_unit_test(json_integers_are_checked_against_int64),
        cmocka_unit_test(json_objects_keep_members_in_input_order),
        cmocka_unit_test(json_accessors_are_null_safe),
        cmocka_unit_test(json_rejects_bad_arguments),
        cmocka_unit_test(json_rejects_duplicate_keys),
        cmocka_unit_test(json_depth_32_parses_and_33_is_refused),
        cmocka_unit_test(json_takes_exactly_the_value_count_limit),
        cmocka_unit_test(json_diagnostic_names_the_byte),
        cmocka_unit_test(json_long_strings_and_many_members_parse),
        cmocka_unit_test(csv_cases_parse_as_the_table_says),
        cmocka_unit_test(csv_errors_name_the_line),
        cmocka_unit_test(csv_takes_exactly_the_field_count_limit),
        cmocka_unit_test(csv_takes_exactly_the_field_size_limit),
        cmocka_unit_test(csv_takes_exactly_the_row_limit),
        cmocka_unit_test(csv_accessors_are_null_safe),
        cmocka_unit_test(csv_export_quotes_and_neutralises_formulas),
        cmocka_unit_test(csv_export_leaves_the_buffer_alone_on_failure),
        cmocka_unit_test(csv_export_reads_back_the_same_fields),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
