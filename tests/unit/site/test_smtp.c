/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_smtp.c - unit tests of the smtp stage: the SMTP reply parser on a
 * table of replies (multi-line, capabilities, every truncation, the line
 * and line-count limits, malformed codes), and the stage against scripted
 * mail servers on loopback (no STARTTLS, modern TLS, TLS 1.0/1.1, a
 * failing handshake, two servers sharing the budget, endless replies).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hello.h"
#include "site_int.h"
#include "starttls.h"
#include "tls_test.h"

#define DAY 86400

/* ---- The reply parser ---- */

struct reply_case {
    const char *in;
    int rc;
    int code;
    size_t lines;
    bool starttls;
    size_t used; /* 0: the whole input */
};

static void replies_are_parsed_as_the_table_says(void **state)
{
    static const struct reply_case cases[] = {
        {"220 mx.example ESMTP\r\n", KK_OK, 220, 1, false, 0},
        {"250-mx\r\n250-PIPELINING\r\n250 STARTTLS\r\n", KK_OK, 250, 3, true,
         0},
        {"250-mx\r\n250-starttls\r\n250 8BITMIME\r\n", KK_OK, 250, 3, true, 0},
        {"250-mx\r\n250-STARTTLS extra\r\n250 OK\r\n", KK_OK, 250, 3, true, 0},
        {"250-mx\r\n250-STARTTLSX\r\n250 OK\r\n", KK_OK, 250, 3, false, 0},
        {"250-mx\r\n250-X-STARTTLS\r\n250 OK\r\n", KK_OK, 250, 3, false, 0},
        {"250 STARTTLS\r\n", KK_OK, 250, 1, false, 0}, /* the greeting line */
        {"250-mx\n250 STARTTLS\n", KK_OK, 250, 2, true, 0},
        {"250\r\n", KK_OK, 250, 1, false, 0},
        {"221 \r\n", KK_OK, 221, 1, false, 0},
        {"554 no\r\n", KK_OK, 554, 1, false, 0},
        {"220 a\r\n250 b\r\n", KK_OK, 220, 1, false, 7},
        {"250-mx\r\n250 OK", KK_ERR_TRUNC, 0, 0, false, 0},
        {"250-mx\r\n", KK_ERR_TRUNC, 0, 0, false, 0},
        {"", KK_ERR_TRUNC, 0, 0, false, 0},
        {"250-mx\r\n251 OK\r\n", KK_ERR_PROTO, 0, 0, false, 0},
        {"2x0 a\r\n", KK_ERR_PROTO, 0, 0, false, 0},
        {"150 a\r\n", KK_ERR_PROTO, 0, 0, false, 0},
        {"600 a\r\n", KK_ERR_PROTO, 0, 0, false, 0},
        {"260 a\r\n", KK_ERR_PROTO, 0, 0, false, 0},
        {"250_a\r\n", KK_ERR_PROTO, 0, 0, false, 0},
        {"25\r\n", KK_ERR_PROTO, 0, 0, false, 0},
        {"\r\n", KK_ERR_PROTO, 0, 0, false, 0},
        {"HTTP/1.1 400\r\n", KK_ERR_PROTO, 0, 0, false, 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct reply_case *k = &cases[i];
        struct site_smtp_reply r;
        size_t used = 0;
        int rc = site_smtp_reply_parse(k->in, strlen(k->in), &r, &used);
        if (rc != k->rc) {
            fail_msg("case %zu: rc %d, want %d", i, rc, k->rc);
        }
        if (rc != KK_OK) {
            continue;
        }
        if (r.code != k->code || r.lines != k->lines ||
            r.starttls != k->starttls ||
            used != (k->used != 0 ? k->used : strlen(k->in))) {
            fail_msg("case %zu: %d %zu %d %zu", i, r.code, r.lines, r.starttls,
                     used);
        }
    }
}

static void nul_byte_in_a_reply_is_refused(void **state)
{
    static const char in[] = "250-mx\r\n250 O\0K\r\n";
    struct site_smtp_reply r;
    size_t used;
    (void)state;
    assert_int_equal(site_smtp_reply_parse(in, sizeof in - 1, &r, &used),
                     KK_ERR_PROTO);
}

static void every_truncation_of_a_reply_asks_for_more(void **state)
{
    static const char in[] =
        "250-mx.example\r\n250-SIZE 1000\r\n250 STARTTLS\r\n";
    struct site_smtp_reply r;
    size_t used;
    (void)state;
    for (size_t n = 0; n < sizeof in - 1; n++) {
        assert_int_equal(site_smtp_reply_parse(in, n, &r, &used), KK_ERR_TRUNC);
    }
    assert_int_equal(site_smtp_reply_parse(in, sizeof in - 1, &r, &used),
                     KK_OK);
    assert_true(r.starttls);
}

static void line_of_512_bytes_is_the_longest(void **state)
{
    char *in = malloc(2048);
    struct site_smtp_reply r;
    size_t used;
    (void)state;
    assert_non_null(in);
    /* 510 bytes of text, CR, LF: 512 in all. */
    memset(in, 'a', 2048);
    memcpy(in, "250 ", 4);
    in[510] = '\r';
    in[511] = '\n';
    assert_int_equal(site_smtp_reply_parse(in, 512, &r, &used), KK_OK);
    assert_int_equal(used, 512);
    in[510] = 'a';
    in[511] = '\r';
    in[512] = '\n';
    assert_int_equal(site_smtp_reply_parse(in, 513, &r, &used), KK_ERR_LIMIT);
    /* No end in sight: refused as soon as 512 bytes have no LF. */
    assert_int_equal(site_smtp_reply_parse(in, 511, &r, &used), KK_ERR_TRUNC);
    assert_int_equal(site_smtp_reply_parse(in, 512, &r, &used), KK_ERR_LIMIT);
    free(in);
}

static void hundred_lines_is_the_most(void **state)
{
    char *in = malloc(101 * 8 + 1);
    struct site_smtp_reply r;
    size_t used;
    size_t n = 0;
    (void)state;
    assert_non_null(in);
    for (int i = 0; i < 99; i++) {
        memcpy(in + n, "250-xy\r\n", 8);
        n += 8;
    }
    memcpy(in + n, "250 xy\r\n", 8);
    assert_int_equal(site_smtp_reply_parse(in, n + 8, &r, &used), KK_OK);
    assert_int_equal(r.lines, 100);
    memcpy(in + n, "250-xy\r\n250 xy\r\n", 16);
    assert_int_equal(site_smtp_reply_parse(in, n + 16, &r, &used),
                     KK_ERR_LIMIT);
    free(in);
}

/* ---- The stage against scripted mail servers ---- */

struct env {
    struct site_opts o;
    struct site_ctx c;
};

static void env_init(struct env *e, unsigned port)
{
    memset(e, 0, sizeof *e);
    site_opts_init(&e->o);
    e->c.o = &e->o;
    e->c.r = site_report_new();
    assert_non_null(e->c.r);
    snprintf(e->c.host, sizeof e->c.host, "fake.test");
    e->c.smtp_port = port;
    e->c.timeout_ms = 5000;
    e->c.now = (int64_t)time(NULL);
}

static void env_mx(struct env *e, const char *host, const char *addr)
{
    struct site_mx *m = &e->c.mx[e->c.n_mx++];
    snprintf(m->host, sizeof m->host, "%s", host);
    snprintf(m->addr, sizeof m->addr, "%s", addr);
}

static const char *found(const struct env *e, const char *id)
{
    const struct site_report *r = e->c.r;
    for (size_t i = 0; i < r->n_res; i++) {
        if (strcmp(r->res[i].id, id) == 0) {
            return r->res[i].evidence;
        }
    }
    return NULL;
}

static bool passed(const struct env *e, const char *id)
{
    const struct site_report *r = e->c.r;
    for (size_t i = 0; i < r->n_passed; i++) {
        if (strcmp(r->passed[i], id) == 0) {
            return true;
        }
    }
    return false;
}

static enum tt_answer close_policy(const struct tt_hello *h, unsigned *version,
                                   uint16_t *suite)
{
    (void)h;
    (void)version;
    (void)suite;
    return TT_CLOSE;
}

static enum tt_answer alert_policy(const struct tt_hello *h, unsigned *version,
                                   uint16_t *suite)
{
    (void)h;
    (void)version;
    (void)suite;
    return TT_ALERT;
}

static enum tt_answer silent_policy(const struct tt_hello *h, unsigned *version,
                                    uint16_t *suite)
{
    (void)h;
    (void)version;
    (void)suite;
    return TT_SILENT;
}

static enum tt_answer accept_policy(const struct tt_hello *h, unsigned *version,
                                    uint16_t *suite)
{
    (void)h;
    (void)version;
    (void)suite;
    return TT_ACCEPT;
}

struct mail_server {
    struct tt_server s;
    X509 *cert;
    EVP_PKEY *key;
};

static void server_start(struct mail_server *m, const char *addr, unsigned port,
                         bool starttls, int min, int max, tt_policy policy,
                         bool with_openssl)
{
    memset(m, 0, sizeof *m);
    m->key = tt_key_ec();
    m->cert =
        tt_cert("mx.fake.test", "DNS:mx.fake.test", m->key, NULL, NULL,
                time(NULL) - DAY, time(NULL) + 90 * DAY, EVP_sha256(), false);
    assert_true(tt_start_at(&m->s, addr, port, with_openssl ? m->cert : NULL,
                            m->key, min, max, "ALL:@SECLEVEL=0", policy));
    m->s.smtp = true;
    m->s.starttls = starttls;
}

static void server_stop(struct mail_server *m)
{
    tt_stop(&m->s);
    assert_int_equal(atomic_load(&m->s.errors), 0);
    X509_free(m->cert);
    EVP_PKEY_free(m->key);
}

static void server_without_starttls_is_reported(void **state)
{
    struct mail_server m;
    struct env e;
    (void)state;
    server_start(&m, "127.0.0.1", 0, false, TLS1_2_VERSION, TLS1_3_VERSION,
                 close_policy, true);
    env_init(&e, m.s.port);
    env_mx(&e, "mx.fake.test", "127.0.0.1");
    assert_int_equal(site_check_smtp(&e.c), KK_OK);
    server_stop(&m);
    assert_string_equal(found(&e, "mail.starttls.missing"), "mx.fake.test");
    assert_null(found(&e, "mail.tls.legacy"));
    assert_false(passed(&e, "mail.tls.legacy"));
    assert_int_equal(e.c.r->handshakes, 0);
    assert_int_equal(atomic_load(&m.s.connections), 1);
    site_report_free(e.c.r);
}

static void modern_starttls_passes_both_checks(void **state)
{
    struct mail_server m;
    struct env e;
    (void)state;
    server_start(&m, "127.0.0.1", 0, true, TLS1_2_VERSION, TLS1_3_VERSION,
                 close_policy, true);
    env_init(&e, m.s.port);
    env_mx(&e, "mx.fake.test.", "127.0.0.1");
    assert_int_equal(site_check_smtp(&e.c), KK_OK);
    server_stop(&m);
    assert_true(passed(&e, "mail.starttls.missing"));
    assert_true(passed(&e, "mail.tls.legacy"));
    assert_null(found(&e, "mail.starttls.missing"));
    /* The OpenSSL handshake, then TLS 1.1 and TLS 1.0 by hand. */
    assert_int_equal(e.c.r->handshakes, 3);
    assert_int_equal(atomic_load(&m.s.hand_hellos), 2);
    assert_int_equal(atomic_load(&m.s.connections), 3);
    site_report_free(e.c.r);
}

static void legacy_tls_after_starttls_is_reported(void **state)
{
    struct mail_server m;
    struct env e;
    (void)state;
    server_start(&m, "127.0.0.1", 0, true, TLS1_VERSION, TLS1_1_VERSION,
                 accept_policy, true);
    env_init(&e, m.s.port);
    env_mx(&e, "mx.fake.test", "127.0.0.1");
    assert_int_equal(site_check_smtp(&e.c), KK_OK);
    server_stop(&m);
    assert_true(passed(&e, "mail.starttls.missing"));
    assert_string_equal(found(&e, "mail.tls.legacy"),
                        "mx.fake.test: TLS 1.0, TLS 1.1");
    /* TLS 1.1 came with the OpenSSL handshake: one probe left to make. */
    assert_int_equal(e.c.r->handshakes, 2);
    site_report_free(e.c.r);
}

static void failing_handshake_after_starttls_is_no_starttls(void **state)
{
    struct mail_server m;
    struct env e;
    (void)state;
    server_start(&m, "127.0.0.1", 0, true, 0, 0, alert_policy, false);
    env_init(&e, m.s.port);
    env_mx(&e, "mx.fake.test", "127.0.0.1");
    assert_int_equal(site_check_smtp(&e.c), KK_OK);
    server_stop(&m);
    assert_string_equal(found(&e, "mail.starttls.missing"),
                        "mx.fake.test: TLS handshake failed");
    assert_false(passed(&e, "mail.tls.legacy"));
    assert_int_equal(e.c.r->handshakes, 1);
    site_report_free(e.c.r);
}

static void two_servers_share_four_handshakes(void **state)
{
    struct mail_server a;
    struct mail_server b;
    struct env e;
    (void)state;
    server_start(&a, "127.0.0.1", 0, true, TLS1_2_VERSION, TLS1_3_VERSION,
                 close_policy, true);
    server_start(&b, "127.0.0.2", a.s.port, true, TLS1_VERSION, TLS1_2_VERSION,
                 accept_policy, true);
    env_init(&e, a.s.port);
    env_mx(&e, "mx1.fake.test", "127.0.0.1");
    env_mx(&e, "mx1b.fake.test", "127.0.0.1"); /* the same server */
    env_mx(&e, "mx2.fake.test", "127.0.0.2");
    env_mx(&e, "mx3.fake.test", "");
    assert_int_equal(site_check_smtp(&e.c), KK_OK);
    server_stop(&a);
    server_stop(&b);
    /* mx1 refuses TLS 1.1 outright, so TLS 1.0 too; mx2 takes TLS 1.1. */
    assert_string_equal(found(&e, "mail.tls.legacy"), "mx2.fake.test: TLS 1.1");
    assert_true(passed(&e, "mail.tls.legacy")); /* mx1's, dropped on sort */
    assert_true(passed(&e, "mail.starttls.missing"));
    assert_int_equal(e.c.r->handshakes, 4);
    assert_int_equal(atomic_load(&a.s.connections), 2);
    assert_int_equal(atomic_load(&b.s.connections), 2);
    site_report_free(e.c.r);
}

static void server_silent_after_starttls_is_asked_no_more(void **state)
{
    struct mail_server m;
    struct env e;
    (void)state;
    server_start(&m, "127.0.0.1", 0, true, TLS1_2_VERSION, TLS1_3_VERSION,
                 silent_policy, true);
    env_init(&e, m.s.port);
    e.c.timeout_ms = 300;
    env_mx(&e, "mx.fake.test", "127.0.0.1");
    assert_int_equal(site_check_smtp(&e.c), KK_OK);
    server_stop(&m);
    assert_true(passed(&e, "mail.starttls.missing"));
    assert_null(found(&e, "mail.tls.legacy"));
    assert_false(passed(&e, "mail.tls.legacy"));
    /* The OpenSSL handshake and the TLS 1.1 probe that timed out. */
    assert_int_equal(e.c.r->handshakes, 2);
    assert_int_equal(atomic_load(&m.s.connections), 2);
    site_report_free(e.c.r);
}

static void endless_reply_is_given_up_without_a_verdict(void **state)
{
    struct mail_server m;
    struct env e;
    static const char pad[] = "250-X-PADDING\r\n";
    char *extra = malloc(120 * (sizeof pad - 1) + 1);
    (void)state;
    assert_non_null(extra);
    for (size_t i = 0; i < 120; i++) {
        memcpy(extra + i * (sizeof pad - 1), pad, sizeof pad - 1);
    }
    extra[120 * (sizeof pad - 1)] = '\0';
    server_start(&m, "127.0.0.1", 0, true, TLS1_2_VERSION, TLS1_3_VERSION,
                 close_policy, true);
    m.s.ehlo_extra = extra;
    env_init(&e, m.s.port);
    env_mx(&e, "mx.fake.test", "127.0.0.1");
    assert_int_equal(site_check_smtp(&e.c), KK_OK);
    server_stop(&m);
    assert_null(found(&e, "mail.starttls.missing"));
    assert_false(passed(&e, "mail.starttls.missing"));
    assert_int_equal(e.c.r->handshakes, 0);
    site_report_free(e.c.r);
    free(extra);
}

static void domain_without_mail_server_addresses_is_not_probed(void **state)
{
    struct env e;
    (void)state;
    env_init(&e, 25);
    env_mx(&e, "mx.fake.test", "");
    assert_int_equal(site_check_smtp(&e.c), KK_OK);
    assert_int_equal(e.c.r->n_res, 0);
    assert_int_equal(e.c.r->n_passed, 0);
    site_report_free(e.c.r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(replies_are_parsed_as_the_table_says),
        cmocka_unit_test(nul_byte_in_a_reply_is_refused),
        cmocka_unit_test(every_truncation_of_a_reply_asks_for_more),
        cmocka_unit_test(line_of_512_bytes_is_the_longest),
        cmocka_unit_test(hundred_lines_is_the_most),
        cmocka_unit_test(server_without_starttls_is_reported),
        cmocka_unit_test(modern_starttls_passes_both_checks),
        cmocka_unit_test(legacy_tls_after_starttls_is_reported),
        cmocka_unit_test(failing_handshake_after_starttls_is_no_starttls),
        cmocka_unit_test(two_servers_share_four_handshakes),
        cmocka_unit_test(server_silent_after_starttls_is_asked_no_more),
        cmocka_unit_test(endless_reply_is_given_up_without_a_verdict),
        cmocka_unit_test(domain_without_mail_server_addresses_is_not_probed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
