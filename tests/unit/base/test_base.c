/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_base.c - unit tests of the base library: arithmetic, buffers,
 * cursors, secrets, parsers, atomic files, JSON strings and configuration.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "kalkan/kk.h"

static void size_arithmetic_detects_overflow(void **state)
{
    size_t out = 7;

    (void)state;
    assert_int_equal(kk_size_add(SIZE_MAX, 1, &out), KK_ERR_OVERFLOW);
    assert_int_equal(out, 7);
    assert_int_equal(kk_size_mul(SIZE_MAX / 2 + 1, 2, &out), KK_ERR_OVERFLOW);
    assert_int_equal(kk_size_add(40, 2, &out), KK_OK);
    assert_int_equal(out, 42);
    assert_int_equal(kk_size_mul(6, 7, &out), KK_OK);
    assert_int_equal(out, 42);
}

static void every_error_has_a_text(void **state)
{
    (void)state;
    for (int e = KK_OK; e >= KK_ERR_TIMEOUT; e--)
        assert_string_not_equal(kk_strerror(e), "unknown error");
    assert_string_equal(kk_strerror(-999), "unknown error");
}

static void buffer_refuses_to_grow_past_its_cap(void **state)
{
    struct kk_buf *b = kk_buf_new(10);

    (void)state;
    assert_non_null(b);
    assert_int_equal(kk_buf_puts(b, "0123456789"), KK_OK);
    assert_int_equal(kk_buf_putc(b, 'x'), KK_ERR_LIMIT);
    assert_int_equal(kk_buf_len(b), 10);
    assert_string_equal(kk_buf_str(b), "0123456789");
    kk_buf_truncate(b, 4);
    assert_string_equal(kk_buf_str(b), "0123");
    assert_int_equal(kk_buf_putf(b, "%d-%s", 42, "ab"), KK_OK);
    assert_string_equal(kk_buf_str(b), "012342-ab");
    assert_int_equal(kk_buf_putf(b, "%s", "toolong"), KK_ERR_LIMIT);
    kk_buf_reset(b);
    assert_int_equal(kk_buf_len(b), 0);
    assert_string_equal(kk_buf_str(b), "");
    kk_buf_free(b);
    kk_buf_free(NULL);
}

static void buffer_grows_across_many_appends(void **state)
{
    struct kk_buf *b = kk_buf_new(100000);

    (void)state;
    for (int i = 0; i < 10000; i++)
        assert_int_equal(kk_buf_putc(b, 'a' + i % 26), KK_OK);
    assert_int_equal(kk_buf_len(b), 10000);
    assert_int_equal(kk_buf_str(b)[9999], 'a' + 9999 % 26);
    assert_int_equal(kk_buf_str(b)[10000], '\0');
    kk_buf_free(b);
}

static void span_reads_lines_and_stops_at_limits(void **state)
{
    static const char text[] = "one\r\ntwo\n\nlast";
    struct kk_span s = kk_span_make(text, sizeof text - 1);
    const char *line;
    size_t n;

    (void)state;
    assert_int_equal(kk_span_get_line(&s, 100, &line, &n), KK_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(line, "one", 3);
    assert_int_equal(kk_span_get_line(&s, 100, &line, &n), KK_OK);
    assert_memory_equal(line, "two", 3);
    assert_int_equal(kk_span_get_line(&s, 100, &line, &n), KK_OK);
    assert_int_equal(n, 0);
    assert_int_equal(kk_span_get_line(&s, 3, &line, &n), KK_ERR_LIMIT);
    assert_int_equal(kk_span_get_line(&s, 4, &line, &n), KK_OK);
    assert_memory_equal(line, "last", 4);
    assert_int_equal(kk_span_get_line(&s, 4, &line, &n), KK_ERR_NOTFOUND);
}

static void span_rejects_nul_in_a_line_and_short_reads(void **state)
{
    static const uint8_t bytes[] = {'a', 0, 'b', '\n'};
    struct kk_span s = kk_span_make(bytes, sizeof bytes);
    const char *line;
    const uint8_t *p;
    size_t n;
    uint8_t c;

    (void)state;
    assert_int_equal(kk_span_get_line(&s, 100, &line, &n), KK_ERR_INVAL);
    assert_int_equal(s.off, 0);
    assert_int_equal(kk_span_get_bytes(&s, 5, &p), KK_ERR_TRUNC);
    assert_int_equal(kk_span_get_bytes(&s, 4, &p), KK_OK);
    assert_int_equal(kk_span_get_u8(&s, &c), KK_ERR_TRUNC);
}

static void constant_time_compare_is_correct(void **state)
{
    (void)state;
    assert_true(kk_memeq_ct("abcdef", "abcdef", 6));
    assert_false(kk_memeq_ct("abcdef", "abcdeg", 6));
    assert_true(kk_streq_ct("123456", "123456"));
    assert_false(kk_streq_ct("123456", "12345"));
    assert_false(kk_streq_ct("", "1"));
    assert_true(kk_streq_ct("", ""));
}

static void secrets_are_zeroed_and_sized(void **state)
{
    struct kk_secret *s = NULL;

    (void)state;
    assert_int_equal(kk_secret_new(0, &s), KK_ERR_RANGE);
    assert_int_equal(kk_secret_new(KK_SECRET_MAX + 1, &s), KK_ERR_RANGE);
    assert_null(s);
    assert_int_equal(kk_secret_new(32, &s), KK_OK);
    assert_int_equal(kk_secret_len(s), 32);
    for (size_t i = 0; i < 32; i++)
        assert_int_equal(kk_secret_cptr(s)[i], 0);
    assert_int_equal(kk_random(kk_secret_ptr(s), 32), KK_OK);
    kk_secret_free(s);
    kk_secret_free(NULL);
}

static void random_bytes_differ_between_calls(void **state)
{
    uint8_t a[32];
    uint8_t b[32];

    (void)state;
    assert_int_equal(kk_random(a, sizeof a), KK_OK);
    assert_int_equal(kk_random(b, sizeof b), KK_OK);
    assert_memory_not_equal(a, b, sizeof a);
}

static void parse_u64_accepts_only_whole_numbers_in_range(void **state)
{
    uint64_t v = 99;
    int64_t s = 0;

    (void)state;
    assert_int_equal(kk_parse_u64("0", 0, 10, &v), KK_OK);
    assert_int_equal(v, 0);
    assert_int_equal(kk_parse_u64("18446744073709551615", 0, UINT64_MAX, &v),
                     KK_OK);
    assert_true(v == UINT64_MAX);
    assert_int_equal(kk_parse_u64("18446744073709551616", 0, UINT64_MAX, &v),
                     KK_ERR_RANGE);
    assert_int_equal(kk_parse_u64("", 0, 10, &v), KK_ERR_INVAL);
    assert_int_equal(kk_parse_u64("12a", 0, 100, &v), KK_ERR_INVAL);
    assert_int_equal(kk_parse_u64(" 1", 0, 100, &v), KK_ERR_INVAL);
    assert_int_equal(kk_parse_u64("-1", 0, 100, &v), KK_ERR_INVAL);
    assert_int_equal(kk_parse_u64("+1", 0, 100, &v), KK_ERR_INVAL);
    assert_int_equal(kk_parse_u64("11", 0, 10, &v), KK_ERR_RANGE);
    assert_int_equal(kk_parse_u64("5", 6, 8, &v), KK_ERR_RANGE);
    assert_int_equal(
        kk_parse_i64("-9223372036854775808", INT64_MIN, INT64_MAX, &s), KK_OK);
    assert_true(s == INT64_MIN);
    assert_int_equal(kk_parse_i64("-5", -4, 4, &s), KK_ERR_RANGE);
    assert_int_equal(kk_parse_i64("-4", -4, 4, &s), KK_OK);
    assert_int_equal(s, -4);
}

static void parse_time_reads_unix_and_iso8601(void **state)
{
    static const struct {
        const char *text;
        int64_t t;
    } cases[] = {
        {"59", 59},
        {"@1234567890", 1234567890},
        {"1970-01-01T00:00:59Z", 59},
        {"2005-03-18T01:58:29Z", 1111111109},
        {"2009-02-13 23:31:30", 1234567890},
        {"2033-05-18T03:33:20Z", 2000000000},
        {"2603-10-11T11:33:20Z", 20000000000LL},
        {"2024-02-29", 1709164800},
        {"2024-02-29T12:00Z", 1709208000},
        {"2000-01-01T00:00:00+00:00", 946684800},
    };
    int64_t t;

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(kk_parse_time(cases[i].text, &t), KK_OK);
        assert_true(t == cases[i].t);
    }
}

static void parse_time_rejects_impossible_dates(void **state)
{
    static const char *const bad[] = {
        "",
        "2023-02-29",
        "2023-13-01",
        "2023-00-10",
        "2023-1-1",
        "yesterday",
        "2023-01-01T25:00Z",
        "2023-01-01T10:61Z",
        "2023-01-01X10:00",
        "2023-01-01T10:00+05:00",
        "12:00",
        "1e9",
    };
    int64_t t;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_not_equal(kk_parse_time(bad[i], &t), KK_OK);
}

static void format_time_inverts_parse_time(void **state)
{
    char out[32];
    int64_t t;

    (void)state;
    assert_int_equal(kk_format_time(20000000000LL, out, sizeof out), KK_OK);
    assert_string_equal(out, "2603-10-11T11:33:20Z");
    assert_int_equal(kk_parse_time(out, &t), KK_OK);
    assert_true(t == 20000000000LL);
    assert_int_equal(kk_format_time(0, out, sizeof out), KK_OK);
    assert_string_equal(out, "1970-01-01T00:00:00Z");
    assert_int_equal(kk_format_time(0, out, 10), KK_ERR_TRUNC);
}

static void json_strings_are_escaped_and_valid_utf8(void **state)
{
    struct kk_buf *b = kk_buf_new(1024);

    (void)state;
    assert_int_equal(kk_json_str(b, "a\"b\\c\n\x01 \xd0\x9a\xd1\x8b \xff"),
                     KK_OK);
    assert_string_equal(kk_buf_str(b), "\"a\\\"b\\\\c\\n\\u0001 "
                                       "\xd0\x9a\xd1\x8b \\ufffd\"");
    kk_buf_free(b);
}

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kk-base-XXXXXX");
    return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int remove_tmpdir(void **state)
{
    char path[128];

    (void)state;
    snprintf(path, sizeof path, "%s/state", tmpdir);
    unlink(path);
    rmdir(tmpdir);
    return 0;
}

static void atomic_write_replaces_the_whole_file(void **state)
{
    char path[128];
    struct kk_buf *b = kk_buf_new(1024);
    struct kk_diag d;
    struct stat st;

    (void)state;
    snprintf(path, sizeof path, "%s/state", tmpdir);
    assert_int_equal(kk_file_write_atomic(path, "first", 5, 0600, &d), KK_OK);
    assert_int_equal(kk_file_write_atomic(path, "second", 6, 0600, &d), KK_OK);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(kk_file_read(path, 1024, b, &d), KK_OK);
    assert_string_equal(kk_buf_str(b), "second");
    kk_buf_reset(b);
    assert_int_equal(kk_file_read(path, 3, b, &d), KK_ERR_LIMIT);
    kk_buf_free(b);
}

static void atomic_write_failure_leaves_nothing_behind(void **state)
{
    char path[128];
    struct kk_diag d;

    (void)state;
    snprintf(path, sizeof path, "%s/missing-dir/state", tmpdir);
    assert_int_not_equal(kk_file_write_atomic(path, "x", 1, 0600, &d), KK_OK);
    assert_non_null(strstr(d.msg, "missing-dir"));
}

static void file_read_reports_missing_files(void **state)
{
    struct kk_buf *b = kk_buf_new(16);
    struct kk_diag d;

    (void)state;
    assert_int_equal(kk_file_read("/nonexistent/kalkan", 16, b, &d),
                     KK_ERR_NOTFOUND);
    assert_int_equal(kk_file_read("/tmp", 16, b, &d), KK_ERR_INVAL);
    kk_buf_free(b);
}

static void conf_reads_keys_values_and_comments(void **state)
{
    static const char text[] = "# comment\n"
                               "\n"
                               "store = /var/lib/kalkan\n"
                               "  window=2  \n"
                               "prompt = \"  code: \"\n"
                               "strict = yes\r\n";
    struct kk_conf *c = NULL;
    struct kk_diag d;
    uint64_t w;
    bool strict;

    (void)state;
    assert_int_equal(kk_conf_parse(text, sizeof text - 1, &c, &d), KK_OK);
    assert_int_equal(kk_conf_count(c), 4);
    assert_string_equal(kk_conf_get(c, "store"), "/var/lib/kalkan");
    assert_string_equal(kk_conf_get(c, "prompt"), "  code: ");
    assert_int_equal(kk_conf_line(c, "window"), 4);
    assert_null(kk_conf_get(c, "absent"));
    assert_int_equal(kk_conf_get_u64(c, "window", 0, 10, 1, &w, &d), KK_OK);
    assert_int_equal(w, 2);
    assert_int_equal(kk_conf_get_u64(c, "absent", 0, 10, 1, &w, &d), KK_OK);
    assert_int_equal(w, 1);
    assert_int_equal(kk_conf_get_u64(c, "window", 3, 10, 1, &w, &d),
                     KK_ERR_RANGE);
    assert_string_equal(d.msg,
                        "line 4: 'window' must be a whole number from 3 to 10");
    assert_int_equal(kk_conf_get_bool(c, "strict", false, &strict, &d), KK_OK);
    assert_true(strict);
    assert_int_equal(kk_conf_get_bool(c, "store", false, &strict, &d),
                     KK_ERR_INVAL);
    assert_string_equal(kk_conf_key(c, 0), "store");
    kk_conf_free(c);
}

static void conf_errors_name_the_line(void **state)
{
    static const struct {
        const char *text;
        const char *msg;
    } cases[] = {
        {"a = 1\nb\n", "line 2: expected 'key = value'"},
        {"a = 1\n\na = 2\n", "line 3: 'a' already set on line 1"},
        {"= 1\n", "line 1: expected 'key = value'"},
        {"k y = 1\n", "line 1: expected 'key = value'"},
        {"k = \"open\n", "line 1: unterminated quoted value"},
        {"k = \"a\"b\"\n", "line 1: stray quote in value"},
    };
    struct kk_conf *c = NULL;
    struct kk_diag d;

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(
            kk_conf_parse(cases[i].text, strlen(cases[i].text), &c, &d),
            KK_ERR_INVAL);
        assert_null(c);
        assert_string_equal(d.msg, cases[i].msg);
    }
    assert_int_equal(kk_conf_parse("a = 1\0b = 2\n", 12, &c, &d), KK_ERR_INVAL);
    assert_string_equal(d.msg, "line 1: contains a NUL byte");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(size_arithmetic_detects_overflow),
        cmocka_unit_test(every_error_has_a_text),
        cmocka_unit_test(buffer_refuses_to_grow_past_its_cap),
        cmocka_unit_test(buffer_grows_across_many_appends),
        cmocka_unit_test(span_reads_lines_and_stops_at_limits),
        cmocka_unit_test(span_rejects_nul_in_a_line_and_short_reads),
        cmocka_unit_test(constant_time_compare_is_correct),
        cmocka_unit_test(secrets_are_zeroed_and_sized),
        cmocka_unit_test(random_bytes_differ_between_calls),
        cmocka_unit_test(parse_u64_accepts_only_whole_numbers_in_range),
        cmocka_unit_test(parse_time_reads_unix_and_iso8601),
        cmocka_unit_test(parse_time_rejects_impossible_dates),
        cmocka_unit_test(format_time_inverts_parse_time),
        cmocka_unit_test(json_strings_are_escaped_and_valid_utf8),
        cmocka_unit_test_setup_teardown(atomic_write_replaces_the_whole_file,
                                        make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(
            atomic_write_failure_leaves_nothing_behind, make_tmpdir,
            remove_tmpdir),
        cmocka_unit_test(file_read_reports_missing_files),
        cmocka_unit_test(conf_reads_keys_values_and_comments),
        cmocka_unit_test(conf_errors_name_the_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
