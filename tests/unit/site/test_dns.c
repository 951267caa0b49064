/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_dns.c - unit tests of the DNS side of the website checker
 * (lib/site/dns.c): the record-data parsers over canned wire bytes (good,
 * truncated, compressed, garbage), TXT sets and their bound, the checks
 * of the --dns and --trust-anchor options, and a resolver that never
 * answers: the query gives up with a timeout and later queries fail at
 * once instead of waiting again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "dns.h"
#include "site_int.h"

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))
#define B(s) s, sizeof(s) - 1

static const struct {
    const char *data;
    size_t len;
    int rc;
    const char *text;
} txt_rows[] = {
    {B("\x0ev=spf1 mx -all"), KK_OK, "v=spf1 mx -all"},
    /* several strings are joined with nothing between them */
    {B("\x07v=spf1 \x1dinclude:_spf.example.com -all"), KK_OK,
     "v=spf1 include:_spf.example.com -all"},
    {B("\x00"), KK_OK, ""},
    {B("\x03"
       "abc\x00\x03"
       "def"),
     KK_OK, "abcdef"},
    {B("\x05"
       "abc"),
     KK_ERR_INVAL, NULL}, /* runs past the data */
    {B("\x03"
       "abc\x02"
       "d"),
     KK_ERR_INVAL, NULL}, /* second one too */
    {B("\x03"
       "a\x00"
       "c"),
     KK_ERR_INVAL, NULL},        /* NUL inside */
    {"", 0, KK_ERR_INVAL, NULL}, /* no string at all */
};

static void txt_data_is_joined_and_checked(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(txt_rows); i++) {
        char out[64] = "untouched";
        int rc =
            site_rdata_txt(txt_rows[i].data, txt_rows[i].len, out, sizeof out);
        if (rc != txt_rows[i].rc) {
            fail_msg("row %zu: rc %d, want %d", i, rc, txt_rows[i].rc);
        }
        if (rc == KK_OK && strcmp(out, txt_rows[i].text) != 0) {
            fail_msg("row %zu: '%s'", i, out);
        }
        if (rc != KK_OK && strcmp(out, "untouched") != 0) {
            fail_msg("row %zu: output written on failure", i);
        }
    }
}

static void txt_longer_than_the_buffer_is_refused_whole(void **state)
{
    char out[8] = "keep";

    (void)state;
    assert_int_equal(site_rdata_txt(B("\x08"
                                      "12345678"),
                                    out, sizeof out),
                     KK_ERR_TRUNC);
    assert_string_equal(out, "keep");
    assert_int_equal(site_rdata_txt(B("\x07"
                                      "1234567"),
                                    out, sizeof out),
                     KK_OK);
    assert_string_equal(out, "1234567");
    assert_int_equal(site_rdata_txt(NULL, 3, out, sizeof out), KK_ERR_INVAL);
}

static const struct {
    const char *data;
    size_t len;
    int rc;
    unsigned pref;
    const char *host;
} mx_rows[] = {
    {B("\x00\x0a\x02mx\x07"
       "example\x03"
       "com\x00"),
     KK_OK, 10, "mx.example.com"},
    {B("\x01\x00\x02MX\x07"
       "Example\x03"
       "COM\x00"),
     KK_OK, 256, "mx.example.com"},
    {B("\xff\xff\x04mx-1\x03_a_\x00"), KK_OK, 65535, "mx-1._a_"},
    {B("\x00\x00\x00"), KK_OK, 0, "."},             /* null MX, RFC 7505 */
    {B("\x00\x0a\xc0\x0c"), KK_ERR_INVAL, 0, NULL}, /* compressed */
    {B("\x00\x0a\x41"
       "a"),
     KK_ERR_INVAL, 0, NULL},                        /* label type 01 */
    {B("\x00\x0a\x02mx"), KK_ERR_INVAL, 0, NULL},   /* no root label */
    {B("\x00\x0a\x05mx"), KK_ERR_INVAL, 0, NULL},   /* label past end */
    {B("\x00\x0a\x00\x00"), KK_ERR_INVAL, 0, NULL}, /* trailing byte */
    {B("\x00\x0a\x03m x\x00"), KK_ERR_INVAL, 0, NULL},
    {B("\x00\x0a\x03m.x\x00"), KK_ERR_INVAL, 0, NULL},
    {B("\x00\x0a\x03m\x00x\x00"), KK_ERR_INVAL, 0, NULL},
    {B("\x00"), KK_ERR_INVAL, 0, NULL},
    {"", 0, KK_ERR_INVAL, 0, NULL},
};

static void mx_data_gives_preference_and_lower_case_host(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(mx_rows); i++) {
        char host[KK_SITE_HOST_MAX + 1] = "untouched";
        unsigned pref = 7;
        int rc = site_rdata_mx(mx_rows[i].data, mx_rows[i].len, &pref, host,
                               sizeof host);
        if (rc != mx_rows[i].rc) {
            fail_msg("row %zu: rc %d, want %d", i, rc, mx_rows[i].rc);
        }
        if (rc == KK_OK &&
            (pref != mx_rows[i].pref || strcmp(host, mx_rows[i].host) != 0)) {
            fail_msg("row %zu: %u '%s'", i, pref, host);
        }
        if (rc != KK_OK && (pref != 7 || strcmp(host, "untouched") != 0)) {
            fail_msg("row %zu: output written on failure", i);
        }
    }
}

static void mx_names_over_255_bytes_or_long_labels_are_refused(void **state)
{
    unsigned char wire[400];
    size_t k = 2;
    char host[512];
    unsigned pref;

    (void)state;
    memset(wire, 0, sizeof wire);
    /* five labels of 63 bytes: 320 bytes of name */
    for (int l = 0; l < 5; l++) {
        wire[k++] = 63;
        memset(wire + k, 'a', 63);
        k += 63;
    }
    wire[k++] = 0;
    assert_int_equal(site_rdata_mx(wire, k, &pref, host, sizeof host),
                     KK_ERR_INVAL);
    /* one label of 64 bytes */
    k = 2;
    wire[k++] = 64;
    memset(wire + k, 'a', 64);
    k += 64;
    wire[k++] = 0;
    assert_int_equal(site_rdata_mx(wire, k, &pref, host, sizeof host),
                     KK_ERR_INVAL);
    /* a good name into a short buffer */
    assert_int_equal(site_rdata_mx(B("\x00\x0a\x02mx\x07"
                                     "example\x03"
                                     "com\x00"),
                                   &pref, host, 10),
                     KK_ERR_TRUNC);
}

static void caa_data_gives_flags_tag_and_value(void **state)
{
    struct site_caa caa;
    char big[300];

    (void)state;
    assert_int_equal(site_rdata_caa(B("\x00\x05issueletsencrypt.org"), &caa),
                     KK_OK);
    assert_int_equal(caa.flags, 0);
    assert_string_equal(caa.tag, "issue");
    assert_string_equal(caa.value, "letsencrypt.org");
    assert_int_equal(site_rdata_caa(B("\x80\x09IssueWildletsencrypt.org; "
                                      "validationmethods=dns-01"),
                                    &caa),
                     KK_OK);
    assert_int_equal(caa.flags, 128);
    assert_string_equal(caa.tag, "issuewild");
    assert_string_equal(caa.value, "letsencrypt.org; validationmethods=dns-01");
    assert_int_equal(site_rdata_caa(B("\x00\x05issue"), &caa), KK_OK);
    assert_string_equal(caa.value, "");
    assert_int_equal(site_rdata_caa(B("\x00\x00"), &caa), KK_ERR_INVAL);
    assert_int_equal(site_rdata_caa(B("\x00\x06issue"), &caa), KK_ERR_INVAL);
    assert_int_equal(site_rdata_caa(B("\x00\x05is-ue"), &caa), KK_ERR_INVAL);
    assert_int_equal(site_rdata_caa(B("\x00\x10"
                                      "abcdefghijklmnop"),
                                    &caa),
                     KK_ERR_INVAL);
    assert_int_equal(site_rdata_caa(B("\x00\x05issuea\nb"), &caa),
                     KK_ERR_INVAL);
    assert_int_equal(site_rdata_caa(B("\x00\x05issue\xc3\xa9"), &caa),
                     KK_ERR_INVAL);
    assert_int_equal(site_rdata_caa(B("\x00"), &caa), KK_ERR_INVAL);
    big[0] = 0;
    big[1] = 5;
    memcpy(big + 2, "issue", 5);
    memset(big + 7, 'v', 256);
    assert_int_equal(site_rdata_caa(big, 7 + 256, &caa), KK_ERR_TRUNC);
    assert_int_equal(site_rdata_caa(big, 7 + 255, &caa), KK_OK);
    assert_int_equal(strlen(caa.value), 255);
}

static void addresses_are_printed_only_from_4_or_16_bytes(void **state)
{
    char out[SITE_ADDR_MAX];

    (void)state;
    assert_int_equal(site_rdata_addr(B("\xc0\x00\x02\x01"), out, sizeof out),
                     KK_OK);
    assert_string_equal(out, "192.0.2.1");
    assert_int_equal(site_rdata_addr(B("\x20\x01\x0d\xb8\x00\x00\x00\x00"
                                       "\x00\x00\x00\x00\x00\x00\x00\x01"),
                                     out, sizeof out),
                     KK_OK);
    assert_string_equal(out, "2001:db8::1");
    assert_int_equal(site_rdata_addr(B("\x01\x02\x03"), out, sizeof out),
                     KK_ERR_INVAL);
    assert_int_equal(
        site_rdata_addr(B("\x01\x02\x03\x04\x05"), out, sizeof out),
        KK_ERR_INVAL);
    assert_int_equal(site_rdata_addr(B("\xc0\x00\x02\x01"), out, 9),
                     KK_ERR_TRUNC);
}

static void txt_sets_hold_at_most_the_answer_limit(void **state)
{
    struct site_txt t;

    (void)state;
    memset(&t, 0, sizeof t);
    for (int i = 0; i < KK_SITE_DNS_ANSWERS_MAX; i++) {
        assert_int_equal(site_txt_add(&t, "v=spf1 -all"), KK_OK);
    }
    assert_int_equal(site_txt_add(&t, "one too many"), KK_ERR_LIMIT);
    assert_int_equal(t.n, KK_SITE_DNS_ANSWERS_MAX);
    site_txt_clear(&t);
    assert_int_equal(t.n, 0);
    site_txt_clear(&t);
}

/* ---- The resolver ---- */

static void ctx_init(struct site_ctx *c, struct site_opts *o)
{
    site_opts_init(o);
    memset(c, 0, sizeof *c);
    c->o = o;
    c->timeout_ms = 300;
}

static void malformed_resolver_option_is_refused_with_a_reason(void **state)
{
    static const char *const bad[] = {
        "",
        "@53",
        "127.0.0.1:53",
        "127.0.0.1@",
        "127.0.0.1@0",
        "127.0.0.1@65536",
        "dns.example.org",
        "127.0.0.1@53x",
        "::1@-1",
    };

    (void)state;
    for (size_t i = 0; i < N_ROWS(bad); i++) {
        struct site_ctx c;
        struct site_opts o;
        struct kk_diag d;
        ctx_init(&c, &o);
        kk_diag_clear(&d);
        o.dns = bad[i];
        if (site_dns_open(&c, &d) != KK_ERR_INVAL) {
            fail_msg("'%s' accepted", bad[i]);
        }
        assert_non_null(strstr(d.msg, "--dns"));
        assert_null(c.dns);
        site_dns_close(&c);
    }
}

static void unreadable_or_broken_trust_anchor_is_refused(void **state)
{
    struct site_ctx c;
    struct site_opts o;
    struct kk_diag d;
    char path[] = "/tmp/kk-test-ta-XXXXXX";
    int fd = mkstemp(path);

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "garbage\n", 8), 8);
    close(fd);

    ctx_init(&c, &o);
    o.dns = "127.0.0.1@1";
    o.trust_anchor = "/nonexistent/root.key";
    assert_int_equal(site_dns_open(&c, &d), KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "trust anchor"));

    ctx_init(&c, &o);
    o.dns = "127.0.0.1@1";
    o.trust_anchor = path;
    assert_int_equal(site_dns_open(&c, &d), KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "trust anchor"));
    assert_null(c.dns);
    unlink(path);
}

/* A UDP and TCP port on loopback that takes queries and never answers. */
static int silent_server(unsigned *port)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
        return -1;
    }
    *port = ntohs(sa.sin_port);
    return fd;
}

static void dead_resolver_costs_one_timeout_then_fails_at_once(void **state)
{
    struct site_ctx c;
    struct site_opts o;
    struct kk_diag d;
    struct site_txt t;
    char fwd[32];
    char a4[SITE_ADDR_MAX] = "";
    char a6[SITE_ADDR_MAX] = "";
    unsigned port = 0;
    int fd = silent_server(&port);

    (void)state;
    assert_true(fd >= 0);
    snprintf(fwd, sizeof fwd, "127.0.0.1@%u", port);
    ctx_init(&c, &o);
    o.dns = fwd;
    assert_int_equal(site_dns_open(&c, &d), KK_OK);
    assert_non_null(c.dns);
    memset(&t, 0, sizeof t);
    assert_int_equal(site_dns_txt(&c, "example.test", &t), KK_ERR_TIMEOUT);
    assert_int_equal(t.n, 0);
    /* marked dead: no second wait, and every kind of query says so */
    assert_int_equal(site_dns_txt(&c, "other.test", &t), KK_ERR_TIMEOUT);
    assert_int_equal(
        site_dns_addrs(&c, "example.test", a4, sizeof a4, a6, sizeof a6),
        KK_ERR_TIMEOUT);
    assert_string_equal(a4, "");
    assert_string_equal(a6, "");
    site_dns_close(&c);
    assert_null(c.dns);
    site_dns_close(&c);
    close(fd);
}

static void names_too_long_are_refused_before_any_query(void **state)
{
    struct site_ctx c;
    struct site_opts o;
    struct kk_diag d;
    struct site_txt t;
    char name[300];
    unsigned port = 0;
    int fd = silent_server(&port);
    char fwd[32];

    (void)state;
    assert_true(fd >= 0);
    snprintf(fwd, sizeof fwd, "127.0.0.1@%u", port);
    ctx_init(&c, &o);
    o.dns = fwd;
    assert_int_equal(site_dns_open(&c, &d), KK_OK);
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    memset(&t, 0, sizeof t);
    assert_int_equal(site_dns_txt(&c, name, &t), KK_ERR_INVAL);
    assert_int_equal(site_dns_txt(&c, "", &t), KK_ERR_INVAL);
    site_dns_close(&c);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(txt_data_is_joined_and_checked),
        cmocka_unit_test(txt_longer_than_the_buffer_is_refused_whole),
        cmocka_unit_test(mx_data_gives_preference_and_lower_case_host),
        cmocka_unit_test(mx_names_over_255_bytes_or_long_labels_are_refused),
        cmocka_unit_test(caa_data_gives_flags_tag_and_value),
        cmocka_unit_test(addresses_are_printed_only_from_4_or_16_bytes),
        cmocka_unit_test(txt_sets_hold_at_most_the_answer_limit),
        cmocka_unit_test(malformed_resolver_option_is_refused_with_a_reason),
        cmocka_unit_test(unreadable_or_broken_trust_anchor_is_refused),
        cmocka_unit_test(dead_resolver_costs_one_timeout_then_fails_at_once),
        cmocka_unit_test(names_too_long_are_refused_before_any_query),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
