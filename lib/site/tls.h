/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tls.h - the checker's OpenSSL client and its judgement of a server's
 * certificate, shared by tls.c (the web server) and smtp.c (mail servers
 * after STARTTLS).
 *
 * The client is deliberately permissive (TLS 1.0 to 1.3, "DEFAULT" suites
 * at security level 0, no verification during the handshake) so that it
 * can still read a legacy server; the certificate is judged afterwards by
 * site_cert_judge, on its own terms and at the check's time.
 */
#ifndef KALKAN_SITE_TLS_H
#define KALKAN_SITE_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "kalkan/kk.h"

/* The evidence-sized strings of a verdict. */
#define SITE_CERT_TEXT_MAX 160

/* One client connection on a socket the caller owns. */
struct site_tls {
    SSL *ssl;
    BIO *rbio; /* owned by ssl */
    BIO *wbio; /* owned by ssl */
    int fd;
    unsigned timeout_ms;
};

/* What was negotiated. */
struct site_tls_info {
    int version;         /* TLS1_VERSION .. TLS1_3_VERSION */
    char suite[96];      /* IANA name, "TLS_AES_128_GCM_SHA256" */
    bool forward_secret; /* ephemeral (EC)DH key exchange, or TLS 1.3 */
};

/*
 * Runs a client handshake on the connected socket fd, within timeout_ms for
 * the whole handshake: TLS 1.0 to 1.3, "DEFAULT:@SECLEVEL=0", servers
 * without secure renegotiation allowed, no certificate verification, SNI
 * when sni is not NULL.  Bytes move through memory BIOs and send with
 * MSG_NOSIGNAL, so a peer that goes away never raises SIGPIPE.  On KK_OK t
 * holds the connection (the caller ends it with site_tls_close; fd stays
 * the caller's).  KK_ERR_PROTO when the server refused or broke the
 * handshake (an alert, a close or reset, bytes that are not TLS),
 * KK_ERR_TIMEOUT, KK_ERR_NOMEM; t is then empty.
 */
KK_WUR int site_tls_open(struct site_tls *t, int fd, const char *sni,
                         unsigned timeout_ms);
/* Writes len bytes (KK_ERR_IO, KK_ERR_TIMEOUT, KK_ERR_PROTO). */
KK_WUR int site_tls_write(struct site_tls *t, const void *p, size_t len);
/* Reads at least one byte, at most cap, into p; *got is the count.
 * KK_ERR_IO when the server closed the connection. */
KK_WUR int site_tls_read(struct site_tls *t, void *p, size_t cap, size_t *got);
/* What the handshake negotiated. */
void site_tls_info_get(const struct site_tls *t, struct site_tls_info *out);
/* The server's certificate (borrowed, NULL if none) and the chain it sent
 * (borrowed, leaf first; NULL if none). */
X509 *site_tls_leaf(const struct site_tls *t);
STACK_OF(X509) * site_tls_chain(const struct site_tls *t);
/* Sends close_notify (best effort) and frees the connection; the socket
 * stays open.  Safe on an empty t. */
void site_tls_close(struct site_tls *t);

/* The judgement of a leaf certificate at one time. */
struct site_cert_verdict {
    int64_t not_before; /* leaf, Unix seconds */
    int64_t not_after;
    /* The leaf, or a certificate the chain was built with, is outside its
     * validity period; bad_time is the date it failed on (the notAfter
     * passed, or the notBefore still to come). */
    bool expired;
    bool not_yet_valid;
    int64_t bad_time;
    /* The chain does not lead to a trusted root for another reason than
     * time (self-signed, unknown issuer, bad signature, wrong purpose);
     * why is OpenSSL's text for the first such error.  Judged only when
     * trust_checked (the trust store could be loaded). */
    bool trust_checked;
    bool untrusted;
    char untrusted_why[SITE_CERT_TEXT_MAX];
    /* The name checked is covered by the certificate (subjectAltName only,
     * as browsers do); names lists the leaf's DNS names for evidence. */
    bool hostname_ok;
    char names[SITE_CERT_TEXT_MAX];
    /* RSA or DSA under 2048 bits, EC under 224; key is "RSA 1024 bits". */
    bool key_weak;
    char key[48];
    /* The leaf is signed with SHA-1 or MD5 (or older); sig names the
     * algorithm ("sha1WithRSAEncryption"). */
    bool sig_weak;
    char sig[64];
};

/*
 * Judges leaf (with the untrusted chain the server sent, may be NULL) for
 * host (an IP literal when host_is_ip) at Unix time now, against the CA
 * bundle ca_file or the system's default trust store when ca_file is NULL.
 * Every verification error is examined, not just the first, so an expired
 * certificate from a trusted CA is "expired" and not "untrusted".  Returns
 * KK_OK with *out, KK_ERR_NOMEM or KK_ERR_INVAL.  Thread-safe.
 */
KK_WUR int site_cert_judge(X509 *leaf, STACK_OF(X509) * chain, const char *host,
                           bool host_is_ip, int64_t now, const char *ca_file,
                           struct site_cert_verdict *out);

#endif
