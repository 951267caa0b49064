/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_hello.c - unit tests of the hand-built ClientHello and of the
 * reading of a server's first answer (hello.c), on canned bytes: TLS 1.2,
 * TLS 1.3 and SSLv3 ServerHellos, alerts, records split and joined, every
 * truncation, oversized records and garbage.
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

/* ---- Canned bytes ---- */

struct bytes {
    uint8_t b[24576];
    size_t n;
};

static void b8(struct bytes *x, unsigned v)
{
    assert_true(x->n < sizeof x->b);
    x->b[x->n++] = (uint8_t)v;
}

static void b16(struct bytes *x, unsigned v)
{
    b8(x, v >> 8);
    b8(x, v & 0xFF);
}

static void bput(struct bytes *x, const void *p, size_t n)
{
    assert_true(n <= sizeof x->b - x->n);
    memcpy(x->b + x->n, p, n);
    x->n += n;
}

/* Appends one record of type with body. */
static void record(struct bytes *x, unsigned type, unsigned ver,
                   const uint8_t *body, size_t n)
{
    b8(x, type);
    b16(x, ver);
    b16(x, (unsigned)n);
    bput(x, body, n);
}

/* A ServerHello handshake message (header included) into m. */
static void server_hello_msg(struct bytes *m, unsigned legacy, unsigned suite,
                             const uint8_t *ext, size_t ext_len, bool has_ext,
                             const uint8_t *random)
{
    struct bytes body = {.n = 0};
    uint8_t rnd[32];
    memset(rnd, 0x5A, sizeof rnd);
    b16(&body, legacy);
    bput(&body, random != NULL ? random : rnd, 32);
    b8(&body, 32); /* a session id */
    for (int i = 0; i < 32; i++) {
        b8(&body, (unsigned)i);
    }
    b16(&body, suite);
    b8(&body, 0);
    if (has_ext) {
        b16(&body, (unsigned)ext_len);
        bput(&body, ext, ext_len);
    }
    b8(m, 2);
    b8(m, 0);
    b16(m, (unsigned)body.n);
    bput(m, body.b, body.n);
}

static void server_hello(struct bytes *x, unsigned rec, unsigned legacy,
                         unsigned suite)
{
    struct bytes m = {.n = 0};
    server_hello_msg(&m, legacy, suite, NULL, 0, false, NULL);
    record(x, 22, rec, m.b, m.n);
}

static const uint8_t sv13[] = {0x00, 0x2B, 0x00, 0x02, 0x03, 0x04};

/* ---- The reply parser ---- */

static void tls12_server_hello_gives_version_and_suite(void **state)
{
    struct bytes x = {.n = 0};
    struct site_hello_reply r;
    (void)state;
    server_hello(&x, 0x0303, 0x0303, 0xC02F);
    assert_int_equal(site_hello_parse(x.b, x.n, &r), KK_OK);
    assert_int_equal(r.kind, SITE_HELLO_SERVER);
    assert_int_equal(r.version, SITE_TLS_12);
    assert_int_equal(r.record_version, 0x0303);
    assert_int_equal(r.cipher, 0xC02F);
    assert_false(r.retry);
}

static void tls13_server_hello_is_read_from_supported_versions(void **state)
{
    struct bytes x = {.n = 0};
    struct bytes m = {.n = 0};
    struct site_hello_reply r;
    (void)state;
    server_hello_msg(&m, 0x0303, 0x1301, sv13, sizeof sv13, true, NULL);
    record(&x, 22, 0x0303, m.b, m.n);
    assert_int_equal(site_hello_parse(x.b, x.n, &r), KK_OK);
    assert_int_equal(r.version, SITE_TLS_13);
    assert_int_equal(r.legacy_version, SITE_TLS_12);
    assert_int_equal(r.cipher, 0x1301);
}

static void sslv3_server_hello_is_read(void **state)
{
    struct bytes x = {.n = 0};
    struct site_hello_reply r;
    (void)state;
    server_hello(&x, 0x0300, 0x0300, 0x000A);
    assert_int_equal(site_hello_parse(x.b, x.n, &r), KK_OK);
    assert_int_equal(r.version, SITE_TLS_SSL3);
    assert_int_equal(r.record_version, SITE_TLS_SSL3);
    assert_string_equal(site_tls_version_name(r.version), "SSLv3");
}

static void record_version_below_the_offer_is_accepted(void **state)
{
    struct bytes x = {.n = 0};
    struct site_hello_reply r;
    (void)state;
    server_hello(&x, 0x0301, 0x0303, 0x002F);
    assert_int_equal(site_hello_parse(x.b, x.n, &r), KK_OK);
    assert_int_equal(r.record_version, SITE_TLS_10);
    assert_int_equal(r.version, SITE_TLS_12);
}

static void fatal_alert_is_a_refusal(void **state)
{
    struct bytes x = {.n = 0};
    struct site_hello_reply r;
    static const uint8_t alert[] = {2, 70};
    (void)state;
    record(&x, 21, 0x0300, alert, 2);
    assert_int_equal(site_hello_parse(x.b, x.n, &r), KK_OK);
    assert_int_equal(r.kind, SITE_HELLO_ALERT);
    assert_int_equal(r.alert_level, 2);
    assert_int_equal(r.alert, 70);
}

static void warning_alert_before_the_hello_is_skipped(void **state)
{
    struct bytes x = {.n = 0};
    struct site_hello_reply r;
    static const uint8_t unrecognized_name[] = {1, 112};
    (void)state;
    record(&x, 21, 0x0303, unrecognized_name, 2);
    server_hello(&x, 0x0303, 0x0303, 0x009C);
    assert_int_equal(site_hello_parse(x.b, x.n, &r), KK_OK);
    assert_int_equal(r.kind, SITE_HELLO_SERVER);
    assert_int_equal(r.cipher, 0x009C);
}

static void close_notify_warning_ends_the_answer(void **state)
{
    struct bytes x = {.n = 0};
    struct site_hello_reply r;
    static const uint8_t close_notify[] = {1, 0};
    (void)state;
    record(&x, 21, 0x0301, close_notify, 2);
    assert_int_equal(site_hello_parse(x.b, x.n, &r), KK_OK);
    assert_int_equal(r.kind, SITE_HELLO_ALERT);
    assert_int_equal(r.alert, 0);
}

static void hello_split_over_records_is_joined(void **state)
{
    struct bytes m = {.n = 0};
    struct bytes x = {.n = 0};
    struct site_hello_reply r;
    (void)state;
    server_hello_msg(&m, 0x0302, 0xC014, NULL, 0, false, NULL);
    /* One byte, then three, then the rest. */
    record(&x, 22, 0x0302, m.b, 1);
    record(&x, 22, 0x0302, m.b + 1, 3);
    record(&x, 22, 0x0302, m.b + 4, m.n - 4);
    assert_int_equal(site_hello_parse(x.b, x.n, &r), KK_OK);
    assert_int_equal(r.version, SITE_TLS_11);
    assert_int_equal(r.cipher, 0xC014);
}

static void hello_followed_by_certificate_in_one_record_is_read(void **state)
{
    struct bytes m = {.n = 0};
    struct bytes x = {.n = 0};
    struct site_hello_reply r;
    (void)state;
    server_hello_msg(&m, 0x0303, 0x002F, NULL, 0, false, NULL);
    b8(&m, 11); /* a Certificate message, cut short: never read */
    b8(&m, 0);
    b16(&m, 0x4000);
    b16(&m, 0x1234);
    record(&x, 22, 0x0303, m.b, m.n);
    assert_int_equal(site_hello_parse(x.b, x.n, &r), KK_OK);
    assert_int_equal(r.cipher, 0x002F);
}

static void hello_retry_request_is_marked(void **state)
{
    static const uint8_t hrr[32] = {
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
        0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
        0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};
    struct bytes m = {.n = 0};
    struct bytes x = {.n = 0};
    struct site_hello_reply r;
    (void)state;
    server_hello_msg(&m, 0x0303, 0x1301, sv13, sizeof sv13, true, hrr);
    record(&x, 22, 0x0303, m.b, m.n);
    assert_int_equal(site_hello_parse(x.b, x.n, &r), KK_OK);
    assert_true(r.retry);
}

static void every_truncation_asks_for_more(void **state)
{
    struct bytes x = {.n = 0};
    struct bytes m = {.n = 0};
    struct site_hello_reply r;
    (void)state;
    server_hello_msg(&m, 0x0303, 0x1301, sv13, sizeof sv13, true, NULL);
    record(&x, 22, 0x0303, m.b, m.n);
    for (size_t n = 0; n < x.n; n++) {
        assert_int_equal(site_hello_parse(x.b, n, &r), KK_ERR_TRUNC);
    }
    assert_int_equal(site_hello_parse(x.b, x.n, &r), KK_OK);
}

static void oversized_record_is_refused_from_its_header(void **state)
{
    static const uint8_t big[] = {22, 3, 3, 0x48, 0x01}; /* 18433 bytes */
    static const uint8_t max[] = {22, 3, 3, 0x48, 0x00}; /* 18432 bytes */
    struct site_hello_reply r;
    (void)state;
    assert_int_equal(KK_SITE_TLS_RECORD_MAX, 18432);
    assert_int_equal(site_hello_parse(big, sizeof big, &r), KK_ERR_LIMIT);
    assert_int_equal(site_hello_parse(max, sizeof max, &r), KK_ERR_TRUNC);
}

static void oversized_hello_message_is_refused(void **state)
{
    static const uint8_t big[] = {22, 3, 3, 0, 4, 2, 0, 0x10, 0x01};
    struct site_hello_reply r;
    (void)state;
    assert_int_equal(site_hello_parse(big, sizeof big, &r), KK_ERR_LIMIT);
}

struct garbage_case {
    const char *name;
    uint8_t b[16];
    size_t n;
};

static void garbage_is_not_a_server_answer(void **state)
{
    static const struct garbage_case cases[] = {
        {"http", "HTTP/1.1 400 Ba", 15},
        {"smtp", "220 mx ESMTP", 12},
        {"application data", {23, 3, 3, 0, 1, 0}, 6},
        {"change cipher spec", {20, 3, 3, 0, 1, 1}, 6},
        {"record version 2", {22, 2, 0, 0, 1, 2}, 6},
        {"sslv2 error", {0x80, 3, 0, 0, 1}, 5},
        {"empty record", {22, 3, 1, 0, 0}, 5},
        {"empty alert", {21, 3, 1, 0, 0}, 5},
        {"certificate first", {22, 3, 3, 0, 4, 11, 0, 0, 0}, 9},
        {"client hello back", {22, 3, 3, 0, 4, 1, 0, 0, 0}, 9},
        {"hello too short", {22, 3, 3, 0, 6, 2, 0, 0, 2, 3, 3}, 11},
    };
    struct site_hello_reply r;
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = site_hello_parse(cases[i].b, cases[i].n, &r);
        if (rc != KK_ERR_PROTO) {
            fail_msg("%s: %d", cases[i].name, rc);
        }
    }
    assert_int_equal(site_hello_parse(NULL, 0, &r), KK_ERR_TRUNC);
}

static void malformed_hello_bodies_are_refused(void **state)
{
    struct bytes m = {.n = 0};
    struct bytes x = {.n = 0};
    struct site_hello_reply r;
    static const uint8_t sv_twice[] = {0x00, 0x2B, 0x00, 0x02, 0x03, 0x04,
                                       0x00, 0x2B, 0x00, 0x02, 0x03, 0x03};
    static const uint8_t ext_short[] = {0x00, 0x2B, 0x00, 0x05, 0x03, 0x04};
    static const uint8_t sv_odd[] = {0x00, 0x2B, 0x00, 0x03, 0x03, 0x04, 0};
    (void)state;

    server_hello_msg(&m, 0x0303, 0x1301, sv_twice, sizeof sv_twice, true, NULL);
    record(&x, 22, 0x0303, m.b, m.n);
    assert_int_equal(site_hello_parse(x.b, x.n, &r), KK_ERR_PROTO);

    m.n = x.n = 0;
    server_hello_msg(&m, 0x0303, 0x1301, ext_short, sizeof ext_short, true,
                     NULL);
    record(&x, 22, 0x0303, m.b, m.n);
    assert_int_equal(site_hello_parse(x.b, x.n, &r), KK_ERR_PROTO);

    m.n = x.n = 0;
    server_hello_msg(&m, 0x0303, 0x1301, sv_odd, sizeof sv_odd, true, NULL);
    record(&x, 22, 0x0303, m.b, m.n);
    assert_int_equal(site_hello_parse(x.b, x.n, &r), KK_ERR_PROTO);

    /* A session id of 33 bytes. */
    m.n = x.n = 0;
    server_hello_msg(&m, 0x0303, 0x002F, NULL, 0, false, NULL);
    m.b[4 + 2 + 32] = 33;
    record(&x, 22, 0x0303, m.b, m.n);
    assert_int_equal(site_hello_parse(x.b, x.n, &r), KK_ERR_PROTO);
}

/* ---- Verdicts ---- */

static void
verdict_accepts_a_lower_version_and_only_offered_suites(void **state)
{
    static const uint16_t offered[] = {0x0005, 0x0004};
    struct site_hello_spec spec = {
        .version = SITE_TLS_11, .suites = offered, .n_suites = 2};
    struct site_hello_reply r = {
        .kind = SITE_HELLO_SERVER, .version = SITE_TLS_10, .cipher = 0x0004};
    (void)state;
    assert_int_equal(site_hello_verdict(&r, &spec), SITE_PROBE_ACCEPTED);
    r.version = SITE_TLS_12;
    assert_int_equal(site_hello_verdict(&r, &spec), SITE_PROBE_UNKNOWN);
    r.version = SITE_TLS_11;
    r.cipher = 0x002F;
    assert_int_equal(site_hello_verdict(&r, &spec), SITE_PROBE_UNKNOWN);
    r.cipher = 0x0005;
    r.retry = true;
    assert_int_equal(site_hello_verdict(&r, &spec), SITE_PROBE_UNKNOWN);
    r.kind = SITE_HELLO_ALERT;
    assert_int_equal(site_hello_verdict(&r, &spec), SITE_PROBE_REFUSED);
    r.kind = SITE_HELLO_CLOSED;
    assert_int_equal(site_hello_verdict(&r, &spec), SITE_PROBE_REFUSED);
}

/* ---- The builder ---- */

struct walked {
    unsigned record_version;
    unsigned client_version;
    size_t n_suites;
    uint16_t suites[SITE_SUITES_MAX + 1];
    bool has_ext;
    char sni[256];
    bool groups;
    bool point_formats;
    bool sigalgs;
};

static unsigned rd16(const uint8_t *p)
{
    return (unsigned)(p[0] << 8 | p[1]);
}

/* Walks a ClientHello record, failing the test on any inconsistent
 * length. */
static void walk_client_hello(const uint8_t *p, size_t n, struct walked *w)
{
    memset(w, 0, sizeof *w);
    assert_true(n >= 5 + 4 + 2 + 32 + 1);
    assert_int_equal(p[0], 22);
    w->record_version = rd16(p + 1);
    assert_int_equal(rd16(p + 3), n - 5);
    const uint8_t *h = p + 5;
    size_t hn = n - 5;
    assert_int_equal(h[0], 1);
    assert_int_equal((size_t)h[1] << 16 | rd16(h + 2), hn - 4);
    const uint8_t *b = h + 4;
    size_t left = hn - 4;
    w->client_version = rd16(b);
    b += 34;
    left -= 34;
    assert_int_equal(b[0], 0); /* no session id */
    b++;
    left--;
    size_t sl = rd16(b);
    assert_true(sl % 2 == 0 && sl + 2 <= left);
    w->n_suites = sl / 2;
    assert_true(w->n_suites <= SITE_SUITES_MAX + 1);
    for (size_t i = 0; i < w->n_suites; i++) {
        w->suites[i] = (uint16_t)rd16(b + 2 + 2 * i);
    }
    b += 2 + sl;
    left -= 2 + sl;
    assert_true(left >= 2);
    assert_int_equal(b[0], 1); /* one compression method: null */
    assert_int_equal(b[1], 0);
    b += 2;
    left -= 2;
    if (left == 0) {
        return;
    }
    w->has_ext = true;
    assert_int_equal(rd16(b), left - 2);
    b += 2;
    left -= 2;
    while (left > 0) {
        assert_true(left >= 4);
        unsigned type = rd16(b);
        size_t len = rd16(b + 2);
        assert_true(len <= left - 4);
        const uint8_t *d = b + 4;
        if (type == 0) {
            assert_int_equal(rd16(d), len - 2);
            assert_int_equal(d[2], 0);
            size_t nl = rd16(d + 3);
            assert_int_equal(nl, len - 5);
            memcpy(w->sni, d + 5, nl);
        } else if (type == 10) {
            assert_int_equal(rd16(d), len - 2);
            w->groups = true;
        } else if (type == 11) {
            assert_int_equal(d[0], len - 1);
            w->point_formats = true;
        } else if (type == 13) {
            assert_int_equal(rd16(d), len - 2);
            w->sigalgs = true;
        }
        b += 4 + len;
        left -= 4 + len;
    }
}

static void client_hello_lengths_are_consistent(void **state)
{
    static const uint16_t versions[] = {SITE_TLS_SSL3, SITE_TLS_10, SITE_TLS_11,
                                        SITE_TLS_12};
    uint16_t list[SITE_SUITES_MAX];
    uint8_t rnd[32] = {1, 2, 3};
    (void)state;
    for (size_t i = 0; i < 4; i++) {
        struct kk_buf *b = kk_buf_new(SITE_HELLO_OUT_MAX);
        struct walked w;
        struct site_hello_spec spec = {
            .version = versions[i], .suites = list, .sni = "good.kalkan.test"};
        spec.n_suites =
            site_suites_select(0, 0, versions[i], list, SITE_SUITES_MAX);
        assert_true(spec.n_suites > 20);
        assert_int_equal(site_hello_build(&spec, rnd, b), KK_OK);
        walk_client_hello(kk_buf_data(b), kk_buf_len(b), &w);
        assert_int_equal(w.client_version, versions[i]);
        assert_int_equal(w.record_version, versions[i] == SITE_TLS_SSL3
                                               ? SITE_TLS_SSL3
                                               : SITE_TLS_10);
        assert_int_equal(w.n_suites, spec.n_suites + 1);
        assert_memory_equal(w.suites, list, 2 * spec.n_suites);
        assert_int_equal(w.suites[spec.n_suites], 0x00FF);
        if (versions[i] == SITE_TLS_SSL3) {
            assert_false(w.has_ext);
        } else {
            assert_string_equal(w.sni, "good.kalkan.test");
            assert_true(w.groups && w.point_formats);
            assert_int_equal(w.sigalgs, versions[i] == SITE_TLS_12);
        }
        kk_buf_free(b);
    }
}

static void client_hello_without_sni_has_no_server_name(void **state)
{
    static const uint16_t one[] = {0x002F};
    struct site_hello_spec spec = {
        .version = SITE_TLS_12, .suites = one, .n_suites = 1};
    struct kk_buf *b = kk_buf_new(SITE_HELLO_OUT_MAX);
    struct walked w;
    uint8_t rnd[32] = {0};
    (void)state;
    assert_int_equal(site_hello_build(&spec, rnd, b), KK_OK);
    walk_client_hello(kk_buf_data(b), kk_buf_len(b), &w);
    assert_string_equal(w.sni, "");
    assert_int_equal(w.n_suites, 2);
    kk_buf_free(b);
}

static void client_hello_refuses_bad_specs(void **state)
{
    uint16_t many[SITE_SUITES_MAX + 1] = {0};
    char long_name[300];
    struct kk_buf *b = kk_buf_new(SITE_HELLO_OUT_MAX);
    uint8_t rnd[32] = {0};
    struct site_hello_spec spec = {
        .version = SITE_TLS_12, .suites = many, .n_suites = 1};
    (void)state;
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    spec.version = SITE_TLS_13;
    assert_int_equal(site_hello_build(&spec, rnd, b), KK_ERR_INVAL);
    spec.version = 0x0200;
    assert_int_equal(site_hello_build(&spec, rnd, b), KK_ERR_INVAL);
    spec.version = SITE_TLS_12;
    spec.n_suites = 0;
    assert_int_equal(site_hello_build(&spec, rnd, b), KK_ERR_INVAL);
    spec.n_suites = SITE_SUITES_MAX + 1;
    assert_int_equal(site_hello_build(&spec, rnd, b), KK_ERR_INVAL);
    spec.n_suites = 1;
    spec.sni = "";
    assert_int_equal(site_hello_build(&spec, rnd, b), KK_ERR_INVAL);
    spec.sni = "bad host";
    assert_int_equal(site_hello_build(&spec, rnd, b), KK_ERR_INVAL);
    spec.sni = long_name;
    assert_int_equal(site_hello_build(&spec, rnd, b), KK_ERR_INVAL);
    assert_int_equal(kk_buf_len(b), 0);
    kk_buf_free(b);
}

static void client_hello_reports_a_full_buffer(void **state)
{
    static const uint16_t one[] = {0x002F};
    struct site_hello_spec spec = {
        .version = SITE_TLS_12, .suites = one, .n_suites = 1};
    struct kk_buf *b = kk_buf_new(16);
    uint8_t rnd[32] = {0};
    (void)state;
    assert_int_equal(site_hello_build(&spec, rnd, b), KK_ERR_LIMIT);
    kk_buf_free(b);
}

/* ---- The suite table ---- */

static void weak_classes_select_only_their_suites(void **state)
{
    static const unsigned classes[] = {SITE_SUITE_RC4,    SITE_SUITE_3DES,
                                       SITE_SUITE_EXPORT, SITE_SUITE_NULL,
                                       SITE_SUITE_ANON,   SITE_SUITE_FS};
    uint16_t list[SITE_SUITES_MAX];
    (void)state;
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        size_t n10 = site_suites_select(classes[i], 0, SITE_TLS_10, list,
                                        SITE_SUITES_MAX);
        size_t n12 = site_suites_select(classes[i], 0, SITE_TLS_12, list,
                                        SITE_SUITES_MAX);
        assert_true(n10 > 0);
        assert_true(n12 >= n10);
        for (size_t k = 0; k < n12; k++) {
            assert_true(site_suite_flags(list[k]) & classes[i]);
            assert_non_null(site_suite_name(list[k]));
        }
    }
    /* No TLS 1.2-only suite below TLS 1.2. */
    size_t n = site_suites_select(0, 0, SITE_TLS_11, list, SITE_SUITES_MAX);
    for (size_t k = 0; k < n; k++) {
        assert_false(site_suite_flags(list[k]) & SITE_SUITE_TLS12);
    }
    assert_int_equal(site_suites_select(0, 0, SITE_TLS_12, list, 3), 3);
    assert_string_equal(site_suite_name(0x0005), "TLS_RSA_WITH_RC4_128_SHA");
    assert_string_equal(site_suite_name(0x000A),
                        "TLS_RSA_WITH_3DES_EDE_CBC_SHA");
    assert_null(site_suite_name(0x1301));
    assert_int_equal(site_suite_flags(0x1301), 0);
}

static void suite_table_has_no_duplicates(void **state)
{
    uint16_t list[SITE_SUITES_MAX];
    (void)state;
    size_t n = site_suites_select(0, 0, SITE_TLS_12, list, SITE_SUITES_MAX);
    assert_true(n < SITE_SUITES_MAX);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = i + 1; k < n; k++) {
            assert_int_not_equal(list[i], list[k]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tls12_server_hello_gives_version_and_suite),
        cmocka_unit_test(tls13_server_hello_is_read_from_supported_versions),
        cmocka_unit_test(sslv3_server_hello_is_read),
        cmocka_unit_test(record_version_below_the_offer_is_accepted),
        cmocka_unit_test(fatal_alert_is_a_refusal),
        cmocka_unit_test(warning_alert_before_the_hello_is_skipped),
        cmocka_unit_test(close_notify_warning_ends_the_answer),
        cmocka_unit_test(hello_split_over_records_is_joined),
        cmocka_unit_test(hello_followed_by_certificate_in_one_record_is_read),
        cmocka_unit_test(hello_retry_request_is_marked),
        cmocka_unit_test(every_truncation_asks_for_more),
        cmocka_unit_test(oversized_record_is_refused_from_its_header),
        cmocka_unit_test(oversized_hello_message_is_refused),
        cmocka_unit_test(garbage_is_not_a_server_answer),
        cmocka_unit_test(malformed_hello_bodies_are_refused),
        cmocka_unit_test(
            verdict_accepts_a_lower_version_and_only_offered_suites),
        cmocka_unit_test(client_hello_lengths_are_consistent),
        cmocka_unit_test(client_hello_without_sni_has_no_server_name),
        cmocka_unit_test(client_hello_refuses_bad_specs),
        cmocka_unit_test(client_hello_reports_a_full_buffer),
        cmocka_unit_test(weak_classes_select_only_their_suites),
        cmocka_unit_test(suite_table_has_no_duplicates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
