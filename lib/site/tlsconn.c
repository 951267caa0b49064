/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tlsconn.c - the checker's OpenSSL client connection and its judgement of
 * a server certificate (tls.h).
 *
 * The client never verifies during the handshake: a site with an expired
 * or self-signed certificate must still be read, and a verifying handshake
 * stops at the first error, which would hide the others.  Instead the
 * chain the server sent is verified afterwards with a callback that looks
 * at every error and lets verification go on, so "expired but otherwise
 * fine" and "self-signed" stay apart.  The trade-off is a second pass over
 * the chain, which costs microseconds.
 *
 * Bytes move between the socket and OpenSSL through memory BIOs: we
 * control every wait (poll against one deadline per operation) and send
 * with MSG_NOSIGNAL, so a library inside a long-running hub never dies of
 * SIGPIPE and never waits longer than the check's timeout.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "site_int.h"
#include "tls.h"

/* Sends what OpenSSL has queued for the server. */
static int flush_out(struct site_tls *t)
{
    char buf[4096];
    int rc = KK_OK;
    while (rc == KK_OK && BIO_ctrl_pending(t->wbio) > 0) {
        int n = BIO_read(t->wbio, buf, (int)sizeof buf);
        if (n <= 0) {
            break;
        }
        rc = site_send_all(t->fd, buf, (size_t)n);
    }
    return rc;
}

/* Waits for bytes from the server until deadline and hands them to
 * OpenSSL.  KK_ERR_IO when the server closed the connection. */
static int fill_in(struct site_tls *t, int64_t deadline)
{
    char buf[16384];
    size_t got = 0;
    int rc = site_recv_until(t->fd, buf, sizeof buf, deadline, &got);
    if (rc == KK_OK && got == 0) {
        rc = KK_ERR_IO;
    }
    if (rc == KK_OK) {
        rc = BIO_write(t->rbio, buf, (int)got) == (int)got ? KK_OK
                                                           : KK_ERR_NOMEM;
    }
    return rc;
}

/* What to do after an SSL call returned r: KK_OK to call again (after
 * feeding it), or the error to give up with. */
static int after_call(struct site_tls *t, int r, int64_t deadline)
{
    int rc = flush_out(t);
    int e = SSL_get_error(t->ssl, r);
    if (rc != KK_OK) {
        goto out;
    }
    if (e == SSL_ERROR_WANT_READ) {
        rc = fill_in(t, deadline);
    } else if (e == SSL_ERROR_WANT_WRITE) {
        rc = KK_OK; /* memory BIOs never block; just call again */
    } else if (e == SSL_ERROR_ZERO_RETURN) {
        rc = KK_ERR_IO;
    } else {
        rc = KK_ERR_PROTO;
    }
out:
    return rc;
}

int site_tls_open(struct site_tls *t, int fd, const char *sni,
                  unsigned timeout_ms)
{
    SSL_CTX *ctx = NULL;
    int64_t deadline = site_mono_ms() + timeout_ms;
    int rc = KK_ERR_NOMEM;

    memset(t, 0, sizeof *t);
    t->fd = fd;
    t->timeout_ms = timeout_ms;
    ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL) {
        goto out;
    }
    SSL_CTX_set_security_level(ctx, 0);
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION) != 1 ||
        SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0") != 1) {
        rc = KK_ERR_CRYPTO;
        goto out;
    }
    SSL_CTX_set_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_NO_TICKET);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    t->ssl = SSL_new(ctx);
    t->rbio = BIO_new(BIO_s_mem());
    t->wbio = BIO_new(BIO_s_mem());
    if (t->ssl == NULL || t->rbio == NULL || t->wbio == NULL) {
        BIO_free(t->rbio);
        BIO_free(t->wbio);
        t->rbio = NULL;
        t->wbio = NULL;
        goto out;
    }
    /* An empty memory BIO means "wait", not "end of stream". */
    BIO_set_mem_eof_return(t->rbio, -1);
    SSL_set_bio(t->ssl, t->rbio, t->wbio);
    if (sni != NULL && SSL_set_tlsext_host_name(t->ssl, sni) != 1) {
        rc = KK_ERR_INVAL;
        goto out;
    }
    SSL_set_connect_state(t->ssl);
    for (;;) {
        ERR_clear_error();
        int r = SSL_do_handshake(t->ssl);
        if (r == 1) {
            rc = flush_out(t);
            break;
        }
        rc = after_call(t, r, deadline);
        if (rc == KK_ERR_IO) {
            rc = KK_ERR_PROTO; /* hung up on us: a refusal */
        }
        if (rc != KK_OK) {
            break;
        }
    }
out:
    ERR_clear_error();
    SSL_CTX_free(ctx);
    if (rc != KK_OK) {
        SSL_free(t->ssl);
        memset(t, 0, sizeof *t);
        t->fd = -1;
    }
    return rc;
}

int site_tls_write(struct site_tls *t, const void *p, size_t len)
{
    int64_t deadline = site_mono_ms() + t->timeout_ms;
    int rc = KK_ERR_INVAL;
    size_t done = 0;
    if (t->ssl == NULL) {
        goto out;
    }
    rc = KK_OK;
    while (rc == KK_OK && done < len) {
        size_t w = 0;
        ERR_clear_error();
        int r = SSL_write_ex(t->ssl, (const char *)p + done, len - done, &w);
        if (r == 1) {
            done += w;
            rc = flush_out(t);
            continue;
        }
        rc = after_call(t, r, deadline);
    }
out:
    ERR_clear_error();
    return rc;
}

int site_tls_read(struct site_tls *t, void *p, size_t cap, size_t *got)
{
    int64_t deadline = site_mono_ms() + t->timeout_ms;
    int rc = KK_ERR_INVAL;
    if (t->ssl == NULL || cap == 0) {
        goto out;
    }
    for (;;) {
        size_t n = 0;
        ERR_clear_error();
        int r = SSL_read_ex(t->ssl, p, cap, &n);
        if (r == 1) {
            *got = n;
            rc = KK_OK;
            break;
        }
        rc = after_call(t, r, deadline);
        if (rc != KK_OK) {
            break;
        }
    }
out:
    ERR_clear_error();
    return rc;
}

void site_tls_info_get(const struct site_tls *t, struct site_tls_info *out)
{
    const SSL_CIPHER *c =
        t->ssl != NULL ? SSL_get_current_cipher(t->ssl) : NULL;
    memset(out, 0, sizeof *out);
    out->version = t->ssl != NULL ? SSL_version(t->ssl) : 0;
    if (c != NULL) {
        const char *name = SSL_CIPHER_standard_name(c);
        int kx = SSL_CIPHER_get_kx_nid(c);
        snprintf(out->suite, sizeof out->suite, "%s",
                 name != NULL ? name : SSL_CIPHER_get_name(c));
        out->forward_secret = kx == NID_kx_ecdhe || kx == NID_kx_dhe ||
                              kx == NID_kx_ecdhe_psk || kx == NID_kx_dhe_psk ||
                              kx == NID_kx_any;
    }
}

X509 *site_tls_leaf(const struct site_tls *t)
{
    return t->ssl != NULL ? SSL_get0_peer_certificate(t->ssl) : NULL;
}

STACK_OF(X509) * site_tls_chain(const struct site_tls *t)
{
    return t->ssl != NULL ? SSL_get_peer_cert_chain(t->ssl) : NULL;
}

void site_tls_close(struct site_tls *t)
{
    if (t->ssl != NULL) {
        ERR_clear_error();
        (void)SSL_shutdown(t->ssl);
        (void)flush_out(t);
        ERR_clear_error();
        SSL_free(t->ssl);
    }
    memset(t, 0, sizeof *t);
    t->fd = -1;
}

/* ---- Judging the certificate ---- */

static bool asn1_unix(const ASN1_TIME *a, int64_t *out)
{
    struct tm tm;
    bool ok = false;
    memset(&tm, 0, sizeof tm);
    if (a != NULL && ASN1_TIME_to_tm(a, &tm) == 1) {
        *out = (int64_t)timegm(&tm);
        ok = true;
    }
    return ok;
}

/* Appends len bytes of a name from the certificate to out, printable
 * ASCII only: the certificate is the server's, and this is evidence. */
static void add_text(char *out, size_t cap, const char *sep, const void *p,
                     size_t len)
{
    size_t n = strlen(out);
    const unsigned char *s = p;
    if (n > 0) {
        for (; *sep != '\0' && n + 1 < cap; sep++) {
            out[n++] = *sep;
        }
    }
    for (size_t i = 0; i < len && n + 1 < cap; i++) {
        out[n++] = (s[i] >= 0x20 && s[i] < 0x7F) ? (char)s[i] : '?';
    }
    out[n] = '\0';
}

static void leaf_names(X509 *leaf, char *out, size_t cap)
{
    GENERAL_NAMES *sans =
        X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
    out[0] = '\0';
    for (int i = 0; sans != NULL && i < sk_GENERAL_NAME_num(sans); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, i);
        if (g->type == GEN_DNS) {
            add_text(out, cap, ", ", ASN1_STRING_get0_data(g->d.dNSName),
                     (size_t)ASN1_STRING_length(g->d.dNSName));
        }
    }
    GENERAL_NAMES_free(sans);
    if (out[0] == '\0') {
        char cn[128];
        int n = X509_NAME_get_text_by_NID(X509_get_subject_name(leaf),
                                          NID_commonName, cn, sizeof cn);
        if (n > 0) {
            add_text(out, cap, "", "CN=", 3);
            add_text(out, cap, "", cn, strlen(cn));
        }
    }
}

static void judge_key(X509 *leaf, struct site_cert_verdict *v)
{
    EVP_PKEY *pk = X509_get0_pubkey(leaf);
    const char *name = "unknown";
    int bits = pk != NULL ? EVP_PKEY_get_bits(pk) : 0;
    int min = 0;
    switch (pk != NULL ? EVP_PKEY_get_base_id(pk) : EVP_PKEY_NONE) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
        name = "RSA";
        min = 2048;
        break;
    case EVP_PKEY_DSA:
        name = "DSA";
        min = 2048;
        break;
    case EVP_PKEY_EC:
        name = "EC";
        min = 224;
        break;
    case EVP_PKEY_ED25519:
        name = "Ed25519";
        break;
    case EVP_PKEY_ED448:
        name = "Ed448";
        break;
    default:
        break;
    }
    if (pk != NULL) {
        snprintf(v->key, sizeof v->key, "%s %d bits", name, bits);
        v->key_weak = min > 0 && bits < min;
    }
}

static void judge_sig(X509 *leaf, struct site_cert_verdict *v)
{
    int sig = X509_get_signature_nid(leaf);
    int md = NID_undef;
    int pk = NID_undef;
    const char *ln = OBJ_nid2ln(sig);
    snprintf(v->sig, sizeof v->sig, "%s", ln != NULL ? ln : "unknown");
    if (OBJ_find_sigid_algs(sig, &md, &pk) == 1) {
        v->sig_weak = md == NID_sha1 || md == NID_md5 || md == NID_md4 ||
                      md == NID_md2 || md == NID_md5_sha1;
    }
}

static int verify_cb(int ok, X509_STORE_CTX *x)
{
    struct site_cert_verdict *v = X509_STORE_CTX_get_app_data(x);
    int err = X509_STORE_CTX_get_error(x);
    if (ok || v == NULL) {
        goto out;
    }
    if (err == X509_V_ERR_CERT_HAS_EXPIRED ||
        err == X509_V_ERR_CERT_NOT_YET_VALID) {
        /* The leaf's dates are judged directly; a chain certificate out
         * of its validity expires the site all the same. */
        X509 *cur = X509_STORE_CTX_get_current_cert(x);
        if (X509_STORE_CTX_get_error_depth(x) > 0 && !v->expired &&
            cur != NULL) {
            bool before = err == X509_V_ERR_CERT_NOT_YET_VALID;
            int64_t at = 0;
            if (asn1_unix(before ? X509_get0_notBefore(cur)
                                 : X509_get0_notAfter(cur),
                          &at)) {
                v->expired = true;
                v->bad_time = at;
            }
        }
    } else if (!v->untrusted) {
        v->untrusted = true;
        snprintf(v->untrusted_why, sizeof v->untrusted_why, "%s",
                 X509_verify_cert_error_string(err));
    }
    ok = 1; /* go on: every error is looked at */
out:
    return ok;
}

static void judge_trust(X509 *leaf, STACK_OF(X509) * chain, int64_t now,
                        const char *ca_file, struct site_cert_verdict *v)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *x = X509_STORE_CTX_new();
    int loaded;
    if (store == NULL || x == NULL) {
        goto out;
    }
    loaded = ca_file != NULL ? X509_STORE_load_file(store, ca_file)
                             : X509_STORE_set_default_paths(store);
    if (loaded != 1 || X509_STORE_CTX_init(x, store, leaf, chain) != 1 ||
        X509_STORE_CTX_set_default(x, "ssl_server") != 1) {
        goto out;
    }
    X509_STORE_CTX_set_time(x, 0, (time_t)now);
    X509_STORE_CTX_set_verify_cb(x, verify_cb);
    X509_STORE_CTX_set_app_data(x, v);
    v->trust_checked = true;
    if (X509_verify_cert(x) != 1 && !v->untrusted && !v->expired) {
        /* Failed without telling the callback (out of memory, say):
         * no verdict rather than a guess. */
        v->trust_checked = false;
    }
out:
    ERR_clear_error();
    X509_STORE_CTX_free(x);
    X509_STORE_free(store);
}

int site_cert_judge(X509 *leaf, STACK_OF(X509) * chain, const char *host,
                    bool host_is_ip, int64_t now, const char *ca_file,
                    struct site_cert_verdict *out)
{
    struct site_cert_verdict v;
    int rc = KK_ERR_INVAL;

    memset(&v, 0, sizeof v);
    if (leaf == NULL || host == NULL || out == NULL) {
        goto out;
    }
    if (!asn1_unix(X509_get0_notBefore(leaf), &v.not_before) ||
        !asn1_unix(X509_get0_notAfter(leaf), &v.not_after)) {
        goto out;
    }
    if (now > v.not_after) {
        v.expired = true;
        v.bad_time = v.not_after;
    } else if (now < v.not_before) {
        v.expired = true;
        v.not_yet_valid = true;
        v.bad_time = v.not_before;
    }
    judge_trust(leaf, chain, now, ca_file, &v);
    if (!v.trust_checked) {
        v.untrusted = false;
        v.untrusted_why[0] = '\0';
    }
    if (host_is_ip) {
        v.hostname_ok = X509_check_ip_asc(leaf, host, 0) == 1;
    } else {
        v.hostname_ok =
            X509_check_host(leaf, host, strlen(host),
                            X509_CHECK_FLAG_NEVER_CHECK_SUBJECT |
                                X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
                            NULL) == 1;
    }
    leaf_names(leaf, v.names, sizeof v.names);
    judge_key(leaf, &v);
    judge_sig(leaf, &v);
    *out = v;
    rc = KK_OK;
out:
    ERR_clear_error();
    return rc;
}
