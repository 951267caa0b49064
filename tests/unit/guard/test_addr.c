/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_addr.c - unit tests of the guard's addresses (lib/guard/addr.c):
 * the table of texts in tests/data/guard/parse/addr.cases (strict IPv4,
 * RFC 4291 IPv6, mapped addresses, RFC 5952 output, prefixes), a
 * comparison with the C library's inet_pton and inet_ntop over many
 * pseudo-random addresses rich in zero groups, masking, containment,
 * hashing, and the allowlist set with nested prefixes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <cmocka.h>

#include "addr.h"

static struct guard_addr A(const char *s) {
    struct guard_addr a;
    memset(&a, 0, sizeof a);
    assert_int_equal(guard_addr_parse_prefix(s, strlen(s), &a), KK_OK);
    return a;
}

static void
addr_texts_follow_the_case_table(void **state)
{
    char path[512];
    char line[512];
    FILE *f;
    unsigned n = 0;

    (void)state;
    snprintf(path, sizeof path, "%s/guard/parse/addr.cases", KK_TEST_DATA);
    f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f) != NULL) {
        char *kind = line;
        char *in;
        char *want;
        struct guard_addr a;
        char out[GUARD_ADDR_TEXT_MAX];
        int rc;

        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0') {
            continue;
        }
        in = strchr(kind, '\t');
        assert_non_null(in);
        *in++ = '\0';
        want = strchr(in, '\t');
        assert_non_null(want);
        *want++ = '\0';
        memset(&a, 0xa5, sizeof a);
        if (strcmp(kind, "host") == 0) {
            rc = guard_addr_parse(in, strlen(in), &a);
        } else {
            rc = guard_addr_parse_prefix(in, strlen(in), &a);
        }
        if (strcmp(want, "inval") == 0) {
            if (rc != KK_ERR_INVAL) {
                print_error("accepted '%s'\n", in);
            }
            assert_int_equal(rc, KK_ERR_INVAL);
        } else {
            if (rc != KK_OK) {
                print_error("refused '%s'\n", in);
            }
            assert_int_equal(rc, KK_OK);
            assert_int_equal(guard_addr_format(&a, out, sizeof out), KK_OK);
            if (strcmp(out, want) != 0) {
                print_error("'%s' gave '%s', want '%s'\n", in, out, want);
            }
            assert_string_equal(out, want);
            /* the output reads back to the same address */
            {
                struct guard_addr b;
                assert_int_equal(guard_addr_parse_prefix(out, strlen(out), &b),
                                 KK_OK);
                assert_true(guard_addr_eq(&a, &b));
            }
        }
        n++;
    }
    fclose(f);
    assert_true(n >= 60);
}

/* A small deterministic generator (tests only). */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void addr_ipv6_agrees_with_inet_pton_and_inet_ntop(void **state)
{
    uint64_t seed = 0x2545f4914f6cdd1dull;
    unsigned checked = 0;

    (void)state;
    for (int i = 0; i < 200000; i++) {
        uint8_t b[16];
        char want[INET6_ADDRSTRLEN];
        char got[GUARD_ADDR_TEXT_MAX];
        struct guard_addr a;
        bool v4like;

        for (int g = 0; g < 8; g++) {
            uint64_t r = next_rand(&seed);
            /* mostly zero groups, so runs and ties are common */
            unsigned v = r % 3 != 0 ? 0 : (unsigned)(r >> 16) & 0xffff;
            if (r % 7 == 0) {
                v = (unsigned)(r >> 32) & 0xf;
            }
            b[2 * g] = (uint8_t)(v >> 8);
            b[2 * g + 1] = (uint8_t)v;
        }
        /* inet_ntop writes ::a.b.c.d and ::ffff:a.b.c.d; we do not */
        v4like =
            memcmp(b, "\0\0\0\0\0\0\0\0\0\0", 10) == 0 &&
            ((b[10] == 0 && b[11] == 0) || (b[10] == 0xff && b[11] == 0xff));
        if (v4like) {
            continue;
        }
        assert_non_null(inet_ntop(AF_INET6, b, want, sizeof want));
        assert_int_equal(guard_addr_parse(want, strlen(want), &a), KK_OK);
        assert_int_equal(a.family, 6);
        assert_memory_equal(a.b, b, 16);
        assert_int_equal(guard_addr_format(&a, got, sizeof got), KK_OK);
        if (strcmp(got, want) != 0) {
            print_error("formatted '%s', inet_ntop '%s'\n", got, want);
        }
        assert_string_equal(got, want);
        checked++;
    }
    assert_true(checked > 100000);
}

static void addr_ipv4_agrees_with_inet_pton(void **state)
{
    uint64_t seed = 99;

    (void)state;
    for (int i = 0; i < 100000; i++) {
        uint32_t v = (uint32_t)next_rand(&seed);
        char text[32];
        struct guard_addr a;
        uint8_t b[4];
        snprintf(text, sizeof text, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255,
                 (v >> 8) & 255, v & 255);
        assert_int_equal(inet_pton(AF_INET, text, b), 1);
        assert_int_equal(guard_addr_parse(text, strlen(text), &a), KK_OK);
        assert_int_equal(a.family, 4);
        assert_int_equal(a.plen, 32);
        assert_memory_equal(a.b, b, 4);
        assert_memory_equal(a.b + 4, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);
    }
}

static void addr_parse_reads_only_the_given_length(void **state)
{
    struct guard_addr a;
    (void)state;
    assert_int_equal(guard_addr_parse("192.0.2.77", 9, &a), KK_OK);
    assert_int_equal(a.b[3], 7);
    assert_int_equal(guard_addr_parse("2001:db8::1x", 11, &a), KK_OK);
    assert_int_equal(a.b[15], 1);
    assert_int_equal(guard_addr_parse("1.2.3.4\0", 8, &a), KK_ERR_INVAL);
    assert_int_equal(guard_addr_parse(NULL, 0, &a), KK_ERR_INVAL);
}

static void addr_mask_clears_host_bits_per_family(void **state)
{
    struct guard_addr a = A("203.0.113.77");
    struct guard_addr b = A("2001:db8:1:2:3:4:5:6");
    char out[GUARD_ADDR_TEXT_MAX];

    (void)state;
    guard_addr_mask(&a, 24, 64);
    assert_int_equal(guard_addr_format(&a, out, sizeof out), KK_OK);
    assert_string_equal(out, "203.0.113.0/24");
    guard_addr_mask(&b, 24, 64);
    assert_int_equal(guard_addr_format(&b, out, sizeof out), KK_OK);
    assert_string_equal(out, "2001:db8:1:2::/64");
    b = A("2001:db8:1:2:3:4:5:6");
    guard_addr_mask(&b, 32, 61);
    assert_int_equal(guard_addr_format(&b, out, sizeof out), KK_OK);
    assert_string_equal(out, "2001:db8:1::/61");
    a = A("203.0.113.77");
    guard_addr_mask(&a, 32, 128);
    assert_int_equal(guard_addr_format(&a, out, sizeof out), KK_OK);
    assert_string_equal(out, "203.0.113.77");
    guard_addr_mask(&a, 99, 128); /* too long: the host length */
    assert_int_equal(a.plen, 32);
    guard_addr_mask(&a, 0, 0);
    assert_int_equal(guard_addr_format(&a, out, sizeof out), KK_OK);
    assert_string_equal(out, "0.0.0.0/0");
}

static void addr_contains_needs_family_length_and_bits(void **state)
{
    struct guard_addr net = A("10.1.0.0/16");
    struct guard_addr v6 = A("2001:db8::/32");
    struct guard_addr x;

    (void)state;
    x = A("10.1.200.3");
    assert_true(guard_addr_contains(&net, &x));
    x = A("10.2.0.1");
    assert_false(guard_addr_contains(&net, &x));
    x = A("10.1.0.0/24");
    assert_true(guard_addr_contains(&net, &x));
    x = A("10.0.0.0/8"); /* wider than the net */
    assert_false(guard_addr_contains(&net, &x));
    x = A("::ffff:10.1.2.3"); /* mapped: IPv4 */
    assert_true(guard_addr_contains(&net, &x));
    x = A("2001:db8:ffff::1");
    assert_true(guard_addr_contains(&v6, &x));
    x = A("2001:db9::1");
    assert_false(guard_addr_contains(&v6, &x));
    x = A("10.1.2.3");
    assert_false(guard_addr_contains(&v6, &x));
    x = A("0.0.0.0/0");
    assert_false(guard_addr_contains(&v6, &x));
    assert_true(guard_addr_contains(&x, &net));
}

static void addr_hash_is_equal_for_equal_keys_and_spreads(void **state)
{
    struct guard_addr a = A("192.0.2.1");
    struct guard_addr b = A("::ffff:192.0.2.1");
    struct guard_addr c = A("192.0.2.1/24");
    struct guard_addr d = A("192.0.2.0/24");
    uint64_t low_bits[256];
    unsigned used = 0;

    (void)state;
    assert_true(guard_addr_eq(&a, &b));
    assert_true(guard_addr_hash(&a) == guard_addr_hash(&b));
    assert_true(guard_addr_hash(&c) == guard_addr_hash(&d));
    assert_true(guard_addr_hash(&a) != guard_addr_hash(&d));
    /* 4096 neighbouring /64 keys fill the low 8 bits of the hash evenly */
    memset(low_bits, 0, sizeof low_bits);
    for (unsigned i = 0; i < 4096; i++) {
        struct guard_addr k = A("2001:db8::/64");
        k.b[6] = (uint8_t)(i >> 8);
        k.b[7] = (uint8_t)i;
        low_bits[guard_addr_hash(&k) & 255]++;
    }
    for (unsigned i = 0; i < 256; i++) {
        used += low_bits[i] > 0;
        assert_true(low_bits[i] < 48); /* 16 expected per bucket */
    }
    assert_int_equal(used, 256);
}

static void addr_format_refuses_a_small_buffer(void **state)
{
    struct guard_addr a = A("2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff");
    char out[GUARD_ADDR_TEXT_MAX];

    (void)state;
    assert_int_equal(guard_addr_format(&a, out, 38), KK_ERR_TRUNC);
    assert_string_equal(out, "");
    assert_int_equal(guard_addr_format(&a, out, 39), KK_OK);
    assert_string_equal(out, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff");
    a.family = 5;
    assert_int_equal(guard_addr_format(&a, out, sizeof out), KK_ERR_INVAL);
}

static bool in_set(const struct guard_addrset *s, const char *text)
{
    struct guard_addr a = A(text);
    return guard_addrset_contains(s, &a);
}

static void addrset_finds_a_short_prefix_behind_longer_ones(void **state)
{
    struct guard_addrset *s = guard_addrset_new();
    struct guard_addr p;

    (void)state;
    assert_non_null(s);
    assert_false(in_set(s, "10.0.0.1"));
    /* the longer prefixes first, so they sort between 10/8 and the
     * addresses that only 10/8 contains */
    p = A("10.1.0.0/16");
    assert_int_equal(guard_addrset_add(s, &p), KK_OK);
    p = A("10.1.2.0/24");
    assert_int_equal(guard_addrset_add(s, &p), KK_OK);
    p = A("10.200.0.0/16");
    assert_int_equal(guard_addrset_add(s, &p), KK_OK);
    assert_true(in_set(s, "10.1.2.3"));
    assert_true(in_set(s, "10.1.9.9"));
    assert_false(in_set(s, "10.5.0.1"));
    p = A("10.0.0.0/8");
    assert_int_equal(guard_addrset_add(s, &p), KK_OK);
    assert_true(in_set(s, "10.5.0.1"));
    assert_true(in_set(s, "10.255.255.255"));
    assert_true(in_set(s, "10.1.3.0"));
    assert_true(in_set(s, "10.201.0.0"));
    assert_false(in_set(s, "11.0.0.0"));
    assert_false(in_set(s, "9.255.255.255"));
    assert_true(in_set(s, "10.3.0.0/16"));
    assert_false(in_set(s, "0.0.0.0/0"));
    /* IPv6 beside it */
    p = A("2001:db8:1::/48");
    assert_int_equal(guard_addrset_add(s, &p), KK_OK);
    p = A("2001:db8::/32");
    assert_int_equal(guard_addrset_add(s, &p), KK_OK);
    p = A("2001:db8:1:2::/64");
    assert_int_equal(guard_addrset_add(s, &p), KK_OK);
    assert_true(in_set(s, "2001:db8:9::1"));
    assert_true(in_set(s, "2001:db8:1:3::1"));
    assert_false(in_set(s, "2001:db9::1"));
    assert_false(in_set(s, "::ffff:11.0.0.1"));
    assert_true(in_set(s, "::ffff:10.0.0.1"));
    assert_int_equal(guard_addrset_count(s), 7);
    /* removing the outer prefix leaves the inner ones working */
    p = A("10.0.0.0/8");
    assert_int_equal(guard_addrset_remove(s, &p), KK_OK);
    assert_int_equal(guard_addrset_remove(s, &p), KK_ERR_NOTFOUND);
    assert_false(in_set(s, "10.5.0.1"));
    assert_true(in_set(s, "10.1.9.9"));
    assert_true(in_set(s, "10.200.1.1"));
    p = A("2001:db8::/32");
    assert_int_equal(guard_addrset_remove(s, &p), KK_OK);
    assert_false(in_set(s, "2001:db8:9::1"));
    assert_true(in_set(s, "2001:db8:1:3::1"));
    assert_int_equal(guard_addrset_count(s), 5);
    guard_addrset_free(s);
}

static void addrset_keeps_one_copy_sorted_and_masked(void **state)
{
    struct guard_addrset *s = guard_addrset_new();
    struct guard_addr p;
    char out[GUARD_ADDR_TEXT_MAX];

    (void)state;
    p = A("192.0.2.0/24");
    p.b[3] = 77; /* host bits the caller forgot to clear */
    assert_int_equal(guard_addrset_add(s, &p), KK_OK);
    p = A("192.0.2.0/24");
    assert_int_equal(guard_addrset_add(s, &p), KK_OK);
    p = A("2001:db8::/32");
    assert_int_equal(guard_addrset_add(s, &p), KK_OK);
    p = A("10.0.0.1");
    assert_int_equal(guard_addrset_add(s, &p), KK_OK);
    assert_int_equal(guard_addrset_count(s), 3);
    assert_int_equal(guard_addr_format(guard_addrset_at(s, 0), out, sizeof out),
                     KK_OK);
    assert_string_equal(out, "10.0.0.1");
    assert_int_equal(guard_addr_format(guard_addrset_at(s, 1), out, sizeof out),
                     KK_OK);
    assert_string_equal(out, "192.0.2.0/24");
    assert_int_equal(guard_addr_format(guard_addrset_at(s, 2), out, sizeof out),
                     KK_OK);
    assert_string_equal(out, "2001:db8::/32");
    assert_null(guard_addrset_at(s, 3));
    assert_true(in_set(s, "10.0.0.1"));
    assert_false(in_set(s, "10.0.0.2"));
    p.family = 9;
    assert_int_equal(guard_addrset_add(s, &p), KK_ERR_INVAL);
    guard_addrset_free(s);
    guard_addrset_free(NULL);
}

/* The set against a plain linear scan, on random nested prefixes. */
static void addrset_agrees_with_a_linear_scan(void **state)
{
    struct guard_addrset *s = guard_addrset_new();
    struct guard_addr list[400];
    size_t n = 0;
    uint64_t seed = 7;

    (void)state;
    for (int round = 0; round < 4000; round++) {
        uint64_t r = next_rand(&seed);
        struct guard_addr a;
        bool want = false;
        memset(&a, 0, sizeof a);
        a.family = 4;
        /* few distinct high bytes, so prefixes nest often */
        a.b[0] = (uint8_t)(10 + r % 3);
        a.b[1] = (uint8_t)(r >> 8) % 4;
        a.b[2] = (uint8_t)(r >> 16);
        a.b[3] = (uint8_t)(r >> 24);
        a.plen = 32;
        if (round % 3 == 0 && n < 400) {
            guard_addr_mask(&a, (unsigned)(r >> 40) % 33, 128);
            assert_int_equal(guard_addrset_add(s, &a), KK_OK);
            bool dup = false;
            for (size_t i = 0; i < n; i++) {
                dup = dup || guard_addr_eq(&list[i], &a);
            }
            if (!dup) {
                list[n++] = a;
            }
        } else if (round % 11 == 0 && n > 0) {
            size_t k = (size_t)(r >> 32) % n;
            assert_int_equal(guard_addrset_remove(s, &list[k]), KK_OK);
            list[k] = list[--n];
        }
        assert_int_equal(guard_addrset_count(s), n);
        a.plen = 32;
        for (size_t i = 0; i < n; i++) {
            want = want || guard_addr_contains(&list[i], &a);
        }
        assert_int_equal(guard_addrset_contains(s, &a), want);
    }
    guard_addrset_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(addr_texts_follow_the_case_table),
        cmocka_unit_test(addr_ipv6_agrees_with_inet_pton_and_inet_ntop),
        cmocka_unit_test(addr_ipv4_agrees_with_inet_pton),
        cmocka_unit_test(addr_parse_reads_only_the_given_length),
        cmocka_unit_test(addr_mask_clears_host_bits_per_family),
        cmocka_unit_test(addr_contains_needs_family_length_and_bits),
        cmocka_unit_test(addr_hash_is_equal_for_equal_keys_and_spreads),
        cmocka_unit_test(addr_format_refuses_a_small_buffer),
        cmocka_unit_test(addrset_finds_a_short_prefix_behind_longer_ones),
        cmocka_unit_test(addrset_keeps_one_copy_sorted_and_masked),
        cmocka_unit_test(addrset_agrees_with_a_linear_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
