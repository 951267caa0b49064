/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_tls.c - unit tests of the tls stage: the judgement of certificates
 * made on the spot (expiry, trust, host name, key, signature), the
 * hand-built hellos answered by OpenSSL's own server, and the whole stage
 * against scripted servers on 127.0.0.1 (SSLv3 and RC4 accepted, a server
 * that never answers, one that hangs up, one that answers garbage, one
 * that speaks nothing OpenSSL still offers, and a spent budget).
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
#include "tls.h"
#include "tls_test.h"

#define NOW 1800000000 /* 2027-01-15 */
#define DAY 86400

/* ---- Certificates ---- */

struct pki {
    EVP_PKEY *ca_key;
    X509 *ca;
    char ca_file[64];
    EVP_PKEY *other_key;
    X509 *other_ca; /* a CA nobody trusts */
    EVP_PKEY *key;  /* for leaves */
};

static int pki_setup(void **state)
{
    struct pki *p = calloc(1, sizeof *p);
    assert_non_null(p);
    p->ca_key = tt_key_ec();
    p->ca = tt_cert("Test CA", NULL, p->ca_key, NULL, NULL, NOW - 400 * DAY,
                    NOW + 4000 * DAY, EVP_sha256(), true);
    p->other_key = tt_key_ec();
    p->other_ca =
        tt_cert("Other CA", NULL, p->other_key, NULL, NULL, NOW - 400 * DAY,
                NOW + 4000 * DAY, EVP_sha256(), true);
    p->key = tt_key_ec();
    assert_non_null(p->ca);
    assert_non_null(p->other_ca);
    assert_non_null(p->key);
    assert_true(tt_write_pem(p->ca, p->ca_file, sizeof p->ca_file));
    *state = p;
    return 0;
}

static int pki_teardown(void **state)
{
    struct pki *p = *state;
    unlink(p->ca_file);
    X509_free(p->ca);
    X509_free(p->other_ca);
    EVP_PKEY_free(p->ca_key);
    EVP_PKEY_free(p->other_key);
    EVP_PKEY_free(p->key);
    free(p);
    return 0;
}

/* A leaf from the test CA for the given names and dates. */
static X509 *leaf(struct pki *p, const char *san, int64_t nb, int64_t na)
{
    X509 *x = tt_cert("leaf", san, p->key, p->ca, p->ca_key, nb, na,
                      EVP_sha256(), false);
    assert_non_null(x);
    return x;
}

static void judge(struct pki *p, X509 *x, const char *host, bool ip,
                  struct site_cert_verdict *v)
{
    assert_int_equal(site_cert_judge(x, NULL, host, ip, NOW, p->ca_file, v),
                     KK_OK);
}

static void good_certificate_passes_every_check(void **state)
{
    struct pki *p = *state;
    struct site_cert_verdict v;
    X509 *x = leaf(p, "DNS:www.test,DNS:news.test", NOW - DAY, NOW + 90 * DAY);
    judge(p, x, "news.test", false, &v);
    assert_false(v.expired);
    assert_true(v.trust_checked);
    assert_false(v.untrusted);
    assert_true(v.hostname_ok);
    assert_false(v.key_weak);
    assert_false(v.sig_weak);
    assert_int_equal(v.not_after, NOW + 90 * DAY);
    assert_int_equal(v.not_before, NOW - DAY);
    assert_string_equal(v.key, "EC 256 bits");
    assert_string_equal(v.names, "www.test, news.test");
    X509_free(x);
}

static void expired_certificate_of_a_trusted_ca_is_not_untrusted(void **state)
{
    struct pki *p = *state;
    struct site_cert_verdict v;
    X509 *x = leaf(p, "DNS:news.test", NOW - 400 * DAY, NOW - 35 * DAY);
    judge(p, x, "news.test", false, &v);
    assert_true(v.expired);
    assert_false(v.not_yet_valid);
    assert_int_equal(v.bad_time, NOW - 35 * DAY);
    assert_true(v.trust_checked);
    assert_false(v.untrusted);
    X509_free(x);
}

static void
certificate_not_yet_valid_is_out_of_date_from_its_start(void **state)
{
    struct pki *p = *state;
    struct site_cert_verdict v;
    X509 *x = leaf(p, "DNS:news.test", NOW + 2 * DAY, NOW + 90 * DAY);
    judge(p, x, "news.test", false, &v);
    assert_true(v.expired);
    assert_true(v.not_yet_valid);
    assert_int_equal(v.bad_time, NOW + 2 * DAY);
    assert_false(v.untrusted);
    X509_free(x);
}

static void the_check_time_decides_expiry_not_the_clock(void **state)
{
    struct pki *p = *state;
    struct site_cert_verdict v;
    X509 *x = leaf(p, "DNS:news.test", NOW - DAY, NOW + 10 * DAY);
    assert_int_equal(site_cert_judge(x, NULL, "news.test", false,
                                     NOW + 11 * DAY, p->ca_file, &v),
                     KK_OK);
    assert_true(v.expired);
    assert_int_equal(site_cert_judge(x, NULL, "news.test", false, NOW + 9 * DAY,
                                     p->ca_file, &v),
                     KK_OK);
    assert_false(v.expired);
    X509_free(x);
}

static void self_signed_certificate_is_untrusted(void **state)
{
    struct pki *p = *state;
    struct site_cert_verdict v;
    X509 *x = tt_cert("news.test", "DNS:news.test", p->key, NULL, NULL,
                      NOW - DAY, NOW + 90 * DAY, EVP_sha256(), false);
    judge(p, x, "news.test", false, &v);
    assert_true(v.untrusted);
    assert_string_equal(v.untrusted_why, "self-signed certificate");
    assert_false(v.expired);
    assert_true(v.hostname_ok);
    X509_free(x);
}

static void expired_and_self_signed_is_both(void **state)
{
    struct pki *p = *state;
    struct site_cert_verdict v;
    X509 *x = tt_cert("news.test", "DNS:news.test", p->key, NULL, NULL,
                      NOW - 90 * DAY, NOW - DAY, EVP_sha256(), false);
    judge(p, x, "news.test", false, &v);
    assert_true(v.untrusted);
    assert_true(v.expired);
    X509_free(x);
}

static void unknown_issuer_is_untrusted(void **state)
{
    struct pki *p = *state;
    struct site_cert_verdict v;
    X509 *x =
        tt_cert("leaf", "DNS:news.test", p->key, p->other_ca, p->other_key,
                NOW - DAY, NOW + 90 * DAY, EVP_sha256(), false);
    judge(p, x, "news.test", false, &v);
    assert_true(v.untrusted);
    assert_non_null(strstr(v.untrusted_why, "issuer"));
    X509_free(x);
}

static void expired_intermediate_expires_the_chain(void **state)
{
    struct pki *p = *state;
    struct site_cert_verdict v;
    EVP_PKEY *ikey = tt_key_ec();
    X509 *inter = tt_cert("Intermediate", NULL, ikey, p->ca, p->ca_key,
                          NOW - 300 * DAY, NOW - 3 * DAY, EVP_sha256(), true);
    X509 *x = tt_cert("leaf", "DNS:news.test", p->key, inter, ikey, NOW - DAY,
                      NOW + 90 * DAY, EVP_sha256(), false);
    STACK_OF(X509) *chain = sk_X509_new_null();
    assert_non_null(chain);
    sk_X509_push(chain, x);
    sk_X509_push(chain, inter);
    assert_int_equal(
        site_cert_judge(x, chain, "news.test", false, NOW, p->ca_file, &v),
        KK_OK);
    assert_true(v.expired);
    assert_int_equal(v.bad_time, NOW - 3 * DAY);
    assert_false(v.untrusted);
    sk_X509_free(chain);
    X509_free(x);
    X509_free(inter);
    EVP_PKEY_free(ikey);
}

static void unreadable_trust_store_gives_no_trust_verdict(void **state)
{
    struct pki *p = *state;
    struct site_cert_verdict v;
    X509 *x = tt_cert("news.test", "DNS:news.test", p->key, NULL, NULL,
                      NOW - DAY, NOW + 90 * DAY, EVP_sha256(), false);
    assert_int_equal(site_cert_judge(x, NULL, "news.test", false, NOW,
                                     "/nonexistent/ca.pem", &v),
                     KK_OK);
    assert_false(v.trust_checked);
    assert_false(v.untrusted);
    assert_true(v.hostname_ok);
    X509_free(x);
}

struct host_case {
    const char *san;
    const char *host;
    bool ip;
    bool ok;
};

static void host_names_are_matched_as_browsers_do(void **state)
{
    static const struct host_case cases[] = {
        {"DNS:news.test", "news.test", false, true},
        {"DNS:news.test", "NEWS.test", false, true},
        {"DNS:other.example", "news.test", false, false},
        {"DNS:*.news.test", "www.news.test", false, true},
        {"DNS:*.news.test", "news.test", false, false},
        {"DNS:*.news.test", "a.b.news.test", false, false},
        {"DNS:w*.news.test", "www.news.test", false, false},
        {"IP:127.0.0.7", "127.0.0.7", true, true},
        {"IP:127.0.0.7", "127.0.0.8", true, false},
        {"DNS:127.0.0.7", "127.0.0.7", true, false},
        {"IP:::1", "::1", true, true},
        {NULL, "leaf", false, false}, /* the CN alone is not enough */
    };
    struct pki *p = *state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct site_cert_verdict v;
        X509 *x = leaf(p, cases[i].san, NOW - DAY, NOW + 90 * DAY);
        judge(p, x, cases[i].host, cases[i].ip, &v);
        if (v.hostname_ok != cases[i].ok) {
            fail_msg("%s for %s: %d", cases[i].san ? cases[i].san : "(none)",
                     cases[i].host, v.hostname_ok);
        }
        X509_free(x);
    }
}

static void names_evidence_falls_back_to_the_common_name(void **state)
{
    struct pki *p = *state;
    struct site_cert_verdict v;
    X509 *x = leaf(p, NULL, NOW - DAY, NOW + 90 * DAY);
    judge(p, x, "news.test", false, &v);
    assert_false(v.hostname_ok);
    assert_string_equal(v.names, "CN=leaf");
    X509_free(x);
}

static void small_rsa_key_is_weak_and_sha1_is_reported(void **state)
{
    struct pki *p = *state;
    struct site_cert_verdict v;
    EVP_PKEY *k1024 = tt_key_rsa(1024);
    EVP_PKEY *k2048 = tt_key_rsa(2048);
    X509 *weak = tt_cert("leaf", "DNS:news.test", k1024, p->ca, p->ca_key,
                         NOW - DAY, NOW + 90 * DAY, EVP_sha1(), false);
    X509 *fine = tt_cert("leaf", "DNS:news.test", k2048, p->ca, p->ca_key,
                         NOW - DAY, NOW + 90 * DAY, EVP_sha256(), false);
    assert_non_null(weak);
    assert_non_null(fine);
    judge(p, weak, "news.test", false, &v);
    assert_true(v.key_weak);
    assert_string_equal(v.key, "RSA 1024 bits");
    assert_true(v.sig_weak);
    assert_string_equal(v.sig, "ecdsa-with-SHA1");
    assert_false(v.untrusted); /* SHA-1 and 1024 bits are judged apart */
    judge(p, fine, "news.test", false, &v);
    assert_false(v.key_weak);
    assert_string_equal(v.key, "RSA 2048 bits");
    assert_false(v.sig_weak);
    assert_string_equal(v.sig, "ecdsa-with-SHA256");
    X509_free(weak);
    X509_free(fine);
    EVP_PKEY_free(k1024);
    EVP_PKEY_free(k2048);
}

static void judge_refuses_missing_arguments(void **state)
{
    struct site_cert_verdict v;
    (void)state;
    assert_int_equal(
        site_cert_judge(NULL, NULL, "news.test", false, NOW, NULL, &v),
        KK_ERR_INVAL);
}

/* ---- Our hellos, answered by OpenSSL's server ---- */

struct oracle {
    SSL_CTX *ctx;
    X509 *cert;
    EVP_PKEY *key;
};

static void oracle_open(struct oracle *o)
{
    o->key = tt_key_ec();
    o->cert = tt_cert("oracle.test", "DNS:oracle.test", o->key, NULL, NULL,
                      NOW - DAY, NOW + 90 * DAY, EVP_sha256(), false);
    o->ctx = SSL_CTX_new(TLS_server_method());
    assert_non_null(o->ctx);
    SSL_CTX_set_security_level(o->ctx, 0);
    SSL_CTX_set_min_proto_version(o->ctx, TLS1_VERSION);
    SSL_CTX_set_max_proto_version(o->ctx, TLS1_2_VERSION);
    assert_int_equal(SSL_CTX_set_cipher_list(o->ctx, "ALL:@SECLEVEL=0"), 1);
    assert_int_equal(SSL_CTX_use_certificate(o->ctx, o->cert), 1);
    assert_int_equal(SSL_CTX_use_PrivateKey(o->ctx, o->key), 1);
}

static void oracle_close(struct oracle *o)
{
    SSL_CTX_free(o->ctx);
    X509_free(o->cert);
    EVP_PKEY_free(o->key);
}

/* Feeds a hello of spec to a fresh server and parses its answer; *chosen
 * is the suite the server says it chose (0 if none). */
static int oracle_ask(struct oracle *o, const struct site_hello_spec *spec,
                      struct site_hello_reply *r, uint16_t *chosen)
{
    SSL *s = SSL_new(o->ctx);
    BIO *in = BIO_new(BIO_s_mem());
    BIO *out = BIO_new(BIO_s_mem());
    struct kk_buf *b = kk_buf_new(SITE_HELLO_OUT_MAX);
    uint8_t rnd[32] = {9, 8, 7};
    uint8_t answer[8192];
    assert_non_null(s);
    assert_non_null(b);
    BIO_set_mem_eof_return(in, -1);
    SSL_set_bio(s, in, out);
    SSL_set_accept_state(s);
    assert_int_equal(site_hello_build(spec, rnd, b), KK_OK);
    assert_int_equal(BIO_write(in, kk_buf_data(b), (int)kk_buf_len(b)),
                     (int)kk_buf_len(b));
    (void)SSL_do_handshake(s);
    int n = BIO_read(out, answer, sizeof answer);
    assert_true(n > 0);
    const SSL_CIPHER *c = SSL_get_pending_cipher(s);
    *chosen = c != NULL ? SSL_CIPHER_get_protocol_id(c) : 0;
    int rc = site_hello_parse(answer, (size_t)n, r);
    SSL_free(s);
    kk_buf_free(b);
    ERR_clear_error();
    return rc;
}

static void openssl_answers_our_hellos_with_the_version_asked(void **state)
{
    static const uint16_t versions[] = {SITE_TLS_10, SITE_TLS_11, SITE_TLS_12};
    struct oracle o;
    (void)state;
    oracle_open(&o);
    for (size_t i = 0; i < 3; i++) {
        uint16_t list[SITE_SUITES_MAX];
        uint16_t chosen = 0;
        struct site_hello_reply r;
        struct site_hello_spec spec = {
            .version = versions[i], .suites = list, .sni = "oracle.test"};
        spec.n_suites =
            site_suites_select(0, 0, versions[i], list, SITE_SUITES_MAX);
        assert_int_equal(oracle_ask(&o, &spec, &r, &chosen), KK_OK);
        assert_int_equal(r.kind, SITE_HELLO_SERVER);
        assert_int_equal(r.version, versions[i]);
        assert_int_equal(r.cipher, chosen);
        assert_int_equal(site_hello_verdict(&r, &spec), SITE_PROBE_ACCEPTED);
        /* An EC certificate: the server takes our ECDHE-ECDSA offer,
         * which needs the groups and point formats we send. */
        assert_true(site_suite_flags(r.cipher) & SITE_SUITE_FS);
    }
    oracle_close(&o);
}

static void
openssl_refuses_sslv3_and_classes_it_lacks_with_an_alert(void **state)
{
    struct oracle o;
    uint16_t list[SITE_SUITES_MAX];
    uint16_t chosen;
    struct site_hello_reply r;
    struct site_hello_spec spec = {.suites = list, .sni = "oracle.test"};
    (void)state;
    oracle_open(&o);
    spec.version = SITE_TLS_SSL3;
    spec.n_suites =
        site_suites_select(0, 0, SITE_TLS_SSL3, list, SITE_SUITES_MAX);
    assert_int_equal(oracle_ask(&o, &spec, &r, &chosen), KK_OK);
    assert_int_equal(r.kind, SITE_HELLO_ALERT);
    assert_int_equal(r.alert_level, 2);
    assert_int_equal(site_hello_verdict(&r, &spec), SITE_PROBE_REFUSED);

    spec.version = SITE_TLS_12;
    spec.n_suites = site_suites_select(SITE_SUITE_RC4, 0, SITE_TLS_12, list,
                                       SITE_SUITES_MAX);
    assert_int_equal(oracle_ask(&o, &spec, &r, &chosen), KK_OK);
    assert_int_equal(r.kind, SITE_HELLO_ALERT);
    assert_int_equal(r.alert, 40); /* handshake_failure */
    oracle_close(&o);
}

/* ---- The stage against scripted servers ---- */

struct env {
    struct site_opts o;
    struct site_ctx c;
};

static void env_init(struct env *e, unsigned port, const char *ca_file,
                     unsigned timeout_ms)
{
    memset(e, 0, sizeof *e);
    site_opts_init(&e->o);
    e->o.ca_file = ca_file;
    e->c.o = &e->o;
    e->c.r = site_report_new();
    assert_non_null(e->c.r);
    snprintf(e->c.host, sizeof e->c.host, "fake.test");
    snprintf(e->c.addr4, sizeof e->c.addr4, "127.0.0.1");
    e->c.https_port = port;
    e->c.https_up = true;
    e->c.timeout_ms = timeout_ms;
    e->c.now = (int64_t)time(NULL);
}

static void env_free(struct env *e)
{
    site_report_free(e->c.r);
}

/* The evidence of finding id, or NULL when it was not found. */
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

/* Neither found nor passed: the check gave no verdict. */
static bool silent_on(const struct env *e, const char *id)
{
    return found(e, id) == NULL && !passed(e, id);
}

/* An old server: SSLv3 and TLS 1.0 (TLS 1.1 hellos answered with 1.0), RC4
 * at TLS 1.2, nothing of the other weak classes. */
static enum tt_answer old_policy(const struct tt_hello *h, unsigned *version,
                                 uint16_t *suite)
{
    if (h->client_version == SITE_TLS_11) {
        *version = SITE_TLS_10;
        return TT_ACCEPT;
    }
    if (h->client_version < SITE_TLS_12) {
        return TT_ACCEPT;
    }
    for (size_t i = 0; i < h->n_suites; i++) {
        unsigned f = site_suite_flags(h->suites[i]) & ~SITE_SUITE_FS;
        if (f == SITE_SUITE_RC4) {
            *suite = h->suites[i];
            return TT_ACCEPT;
        }
    }
    unsigned weak = SITE_SUITE_3DES | SITE_SUITE_EXPORT | SITE_SUITE_DES |
                    SITE_SUITE_NULL | SITE_SUITE_ANON;
    return (site_suite_flags(h->suites[0]) & weak) != 0 ? TT_ALERT : TT_ACCEPT;
}

static void old_server_shows_sslv3_rc4_and_no_forward_secrecy(void **state)
{
    struct tt_server s;
    struct env e;
    int64_t na = (int64_t)time(NULL) + 300 * DAY;
    EVP_PKEY *key = tt_key_rsa(1024);
    X509 *cert = tt_cert("fake.test", "DNS:fake.test", key, NULL, NULL,
                         na - 301 * DAY, na, EVP_sha1(), false);
    (void)state;
    assert_true(tt_start(&s, cert, key, TLS1_VERSION, TLS1_2_VERSION,
                         "AES128-SHA:@SECLEVEL=0", old_policy));
    env_init(&e, s.port, NULL, 5000);
    assert_int_equal(site_check_tls(&e.c), KK_OK);
    tt_stop(&s);

    assert_string_equal(found(&e, "tls.protocol.legacy"), "SSLv3, TLS 1.0");
    assert_string_equal(found(&e, "tls.cipher.weak"),
                        "RC4 (TLS_ECDHE_ECDSA_WITH_RC4_128_SHA)");
    assert_string_equal(found(&e, "tls.no_forward_secrecy"),
                        "TLS_RSA_WITH_AES_128_CBC_SHA");
    assert_string_equal(found(&e, "tls.cert.untrusted"),
                        "self-signed certificate");
    assert_string_equal(found(&e, "tls.key.weak"), "RSA 1024 bits");
    assert_string_equal(found(&e, "tls.signature.sha1"),
                        "sha1WithRSAEncryption");
    assert_true(passed(&e, "tls.cert.hostname"));
    assert_true(passed(&e, "tls.cert.expired"));
    assert_true(passed(&e, "tls.cert.expiring"));
    /* One OpenSSL handshake, three protocol probes, five classes. */
    assert_int_equal(e.c.r->handshakes, 9);
    assert_int_equal(atomic_load(&s.hand_hellos), 8);
    assert_int_equal(atomic_load(&s.errors), 0);
    assert_int_equal(e.c.r->cert_expiry, na);
    env_free(&e);
    X509_free(cert);
    EVP_PKEY_free(key);
}

static enum tt_answer silent_policy(const struct tt_hello *h, unsigned *version,
                                    uint16_t *suite)
{
    (void)h;
    (void)version;
    (void)suite;
    return TT_SILENT;
}

static enum tt_answer close_policy(const struct tt_hello *h, unsigned *version,
                                   uint16_t *suite)
{
    (void)h;
    (void)version;
    (void)suite;
    return TT_CLOSE;
}

static enum tt_answer garbage_policy(const struct tt_hello *h,
                                     unsigned *version, uint16_t *suite)
{
    (void)h;
    (void)version;
    (void)suite;
    return TT_GARBAGE;
}

static void
silent_server_gives_no_verdict_and_is_left_after_two_timeouts(void **state)
{
    struct tt_server s;
    struct env e;
    EVP_PKEY *key = tt_key_ec();
    X509 *cert =
        tt_cert("fake.test", "DNS:fake.test", key, NULL, NULL, time(NULL) - DAY,
                time(NULL) + 300 * DAY, EVP_sha256(), false);
    (void)state;
    assert_true(tt_start(&s, cert, key, TLS1_2_VERSION, TLS1_3_VERSION, NULL,
                         silent_policy));
    env_init(&e, s.port, NULL, 300);
    assert_int_equal(site_check_tls(&e.c), KK_OK);
    tt_stop(&s);
    assert_true(silent_on(&e, "tls.protocol.legacy"));
    assert_true(silent_on(&e, "tls.cipher.weak"));
    assert_true(passed(&e, "tls.no_forward_secrecy"));
    assert_true(passed(&e, "tls.cert.hostname"));
    assert_int_equal(e.c.r->handshakes, 3);
    env_free(&e);
    X509_free(cert);
    EVP_PKEY_free(key);
}

static void tls13_only_server_passes_protocols_and_ciphers(void **state)
{
    struct tt_server s;
    struct env e;
    EVP_PKEY *key = tt_key_ec();
    X509 *cert =
        tt_cert("fake.test", "DNS:fake.test", key, NULL, NULL, time(NULL) - DAY,
                time(NULL) + 300 * DAY, EVP_sha256(), false);
    (void)state;
    assert_true(tt_start(&s, cert, key, TLS1_3_VERSION, TLS1_3_VERSION, NULL,
                         close_policy));
    env_init(&e, s.port, NULL, 5000);
    assert_int_equal(site_check_tls(&e.c), KK_OK);
    tt_stop(&s);
    assert_true(passed(&e, "tls.protocol.legacy"));
    assert_true(passed(&e, "tls.cipher.weak"));
    assert_true(passed(&e, "tls.no_forward_secrecy"));
    /* OpenSSL, SSLv3, TLS 1.0, TLS 1.1, TLS 1.2: no cipher probes. */
    assert_int_equal(e.c.r->handshakes, 5);
    env_free(&e);
    X509_free(cert);
    EVP_PKEY_free(key);
}

static void garbage_answers_give_no_verdict(void **state)
{
    struct tt_server s;
    struct env e;
    EVP_PKEY *key = tt_key_ec();
    X509 *cert =
        tt_cert("fake.test", "DNS:fake.test", key, NULL, NULL, time(NULL) - DAY,
                time(NULL) + 300 * DAY, EVP_sha256(), false);
    (void)state;
    assert_true(tt_start(&s, cert, key, TLS1_2_VERSION, TLS1_2_VERSION, NULL,
                         garbage_policy));
    env_init(&e, s.port, NULL, 5000);
    assert_int_equal(site_check_tls(&e.c), KK_OK);
    tt_stop(&s);
    assert_true(silent_on(&e, "tls.protocol.legacy"));
    assert_true(silent_on(&e, "tls.cipher.weak"));
    assert_int_equal(e.c.r->handshakes, 9);
    env_free(&e);
    X509_free(cert);
    EVP_PKEY_free(key);
}

/* A server OpenSSL cannot talk to: plain RC4 only, TLS 1.0 to 1.2. */
static enum tt_answer rc4_only_policy(const struct tt_hello *h,
                                      unsigned *version, uint16_t *suite)
{
    (void)version;
    if (h->modern || h->client_version == SITE_TLS_SSL3) {
        return TT_CLOSE;
    }
    for (size_t i = 0; i < h->n_suites; i++) {
        if (site_suite_flags(h->suites[i]) == SITE_SUITE_RC4) {
            *suite = h->suites[i];
            return TT_ACCEPT;
        }
    }
    return TT_ALERT;
}

static void server_openssl_cannot_reach_is_judged_by_hand(void **state)
{
    struct tt_server s;
    struct env e;
    (void)state;
    assert_true(tt_start(&s, NULL, NULL, 0, 0, NULL, rc4_only_policy));
    env_init(&e, s.port, NULL, 5000);
    assert_int_equal(site_check_tls(&e.c), KK_OK);
    tt_stop(&s);
    assert_true(silent_on(&e, "tls.cert.expired"));
    assert_true(silent_on(&e, "tls.cert.untrusted"));
    assert_string_equal(found(&e, "tls.protocol.legacy"), "TLS 1.0, TLS 1.1");
    assert_string_equal(found(&e, "tls.cipher.weak"),
                        "RC4 (TLS_RSA_WITH_RC4_128_SHA)");
    assert_string_equal(found(&e, "tls.no_forward_secrecy"),
                        "TLS 1.2: no ECDHE or DHE suite");
    assert_int_equal(e.c.r->handshakes, 11);
    assert_int_equal(e.c.r->cert_expiry, 0);
    env_free(&e);
}

static void spent_budget_stops_the_probes(void **state)
{
    struct tt_server s;
    struct env e;
    (void)state;
    assert_true(tt_start(&s, NULL, NULL, 0, 0, NULL, rc4_only_policy));
    env_init(&e, s.port, NULL, 5000);
    e.c.r->handshakes = KK_SITE_TLS_MAX - 2;
    assert_int_equal(site_check_tls(&e.c), KK_OK);
    tt_stop(&s);
    assert_int_equal(e.c.r->handshakes, KK_SITE_TLS_MAX);
    assert_int_equal(atomic_load(&s.connections), 2);
    assert_true(silent_on(&e, "tls.protocol.legacy"));
    assert_true(silent_on(&e, "tls.cipher.weak"));
    env_free(&e);
}

static void site_without_https_is_not_probed(void **state)
{
    struct env e;
    (void)state;
    env_init(&e, 1, NULL, 5000);
    e.c.https_up = false;
    assert_int_equal(site_check_tls(&e.c), KK_OK);
    assert_int_equal(e.c.r->handshakes, 0);
    assert_int_equal(e.c.r->n_res, 0);
    assert_int_equal(e.c.r->n_passed, 0);
    env_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_certificate_passes_every_check),
        cmocka_unit_test(expired_certificate_of_a_trusted_ca_is_not_untrusted),
        cmocka_unit_test(
            certificate_not_yet_valid_is_out_of_date_from_its_start),
        cmocka_unit_test(the_check_time_decides_expiry_not_the_clock),
        cmocka_unit_test(self_signed_certificate_is_untrusted),
        cmocka_unit_test(expired_and_self_signed_is_both),
        cmocka_unit_test(unknown_issuer_is_untrusted),
        cmocka_unit_test(expired_intermediate_expires_the_chain),
        cmocka_unit_test(unreadable_trust_store_gives_no_trust_verdict),
        cmocka_unit_test(host_names_are_matched_as_browsers_do),
        cmocka_unit_test(names_evidence_falls_back_to_the_common_name),
        cmocka_unit_test(small_rsa_key_is_weak_and_sha1_is_reported),
        cmocka_unit_test(judge_refuses_missing_arguments),
    };
    const struct CMUnitTest wire[] = {
        cmocka_unit_test(openssl_answers_our_hellos_with_the_version_asked),
        cmocka_unit_test(
            openssl_refuses_sslv3_and_classes_it_lacks_with_an_alert),
        cmocka_unit_test(old_server_shows_sslv3_rc4_and_no_forward_secrecy),
        cmocka_unit_test(
            silent_server_gives_no_verdict_and_is_left_after_two_timeouts),
        cmocka_unit_test(tls13_only_server_passes_protocols_and_ciphers),
        cmocka_unit_test(garbage_answers_give_no_verdict),
        cmocka_unit_test(server_openssl_cannot_reach_is_judged_by_hand),
        cmocka_unit_test(spent_budget_stops_the_probes),
        cmocka_unit_test(site_without_https_is_not_probed),
    };
    int rc = cmocka_run_group_tests(tests, pki_setup, pki_teardown);
    return rc + cmocka_run_group_tests(wire, NULL, NULL);
}
