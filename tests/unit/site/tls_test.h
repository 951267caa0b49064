/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tls_test.h - helpers of the tls and smtp stage tests (test_tls.c,
 * test_smtp.c): certificates made on the spot, and a scripted server on
 * 127.0.0.1 that answers OpenSSL clients with a real handshake and the
 * checker's hand-built hellos with whatever a test's policy says (a
 * ServerHello of any version, an alert, a close, silence, garbage), with
 * or without an SMTP dialogue and STARTTLS in front.
 *
 * The server runs on its own thread and serves one connection at a time,
 * as the checker makes them.  Failures in the server thread are counted
 * in fake->errors, which the tests assert to be 0.
 */
#ifndef KALKAN_TESTS_SITE_TLS_TEST_H
#define KALKAN_TESTS_SITE_TLS_TEST_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define TT_UNUSED __attribute__((unused))

/* ---- Certificates ---- */

TT_UNUSED static EVP_PKEY *tt_key_ec(void)
{
    return EVP_EC_gen("P-256");
}

TT_UNUSED static EVP_PKEY *tt_key_rsa(unsigned bits)
{
    return EVP_RSA_gen(bits);
}

/*
 * A certificate for cn with the subjectAltNames san ("DNS:a,IP:1.2.3.4",
 * or NULL for none), valid from nb to na (Unix seconds), signed by
 * issuer/ikey (NULL: self-signed with key) with md.  ca makes it a CA.
 */
TT_UNUSED static X509 *tt_cert(const char *cn, const char *san, EVP_PKEY *key,
                               X509 *issuer, EVP_PKEY *ikey, int64_t nb,
                               int64_t na, const EVP_MD *md, bool ca)
{
    static long serial = 1000;
    X509 *x = X509_new();
    X509V3_CTX v3;
    X509_EXTENSION *e;
    if (x == NULL) {
        return NULL;
    }
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb);
    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                               (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer)
                                           : X509_get_subject_name(x));
    X509_set_pubkey(x, key);
    X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
    e = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
                            ca ? "critical,CA:TRUE" : "CA:FALSE");
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    if (ca) {
        e = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage,
                                "critical,keyCertSign,cRLSign");
    } else {
        e = X509V3_EXT_conf_nid(NULL, &v3, NID_ext_key_usage, "serverAuth");
    }
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    if (san != NULL) {
        e = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    }
    if (X509_sign(x, ikey != NULL ? ikey : key, md) == 0) {
        X509_free(x);
        x = NULL;
    }
    return x;
}

/* Writes cert as PEM to a new temporary file; its path into path. */
TT_UNUSED static bool tt_write_pem(X509 *cert, char *path, size_t cap)
{
    snprintf(path, cap, "/tmp/kalkan-tls-test-XXXXXX");
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    bool ok = f != NULL && PEM_write_X509(f, cert) == 1;
    if (f != NULL) {
        fclose(f);
    } else if (fd >= 0) {
        close(fd);
    }
    return ok;
}

/* ---- Canned server answers ---- */

/* A ServerHello record choosing version and suite (TLS 1.3 through
 * supported_versions) into out; returns its length. */
TT_UNUSED static size_t tt_server_hello(uint8_t *out, unsigned version,
                                        uint16_t suite)
{
    uint8_t body[128];
    size_t n = 0;
    unsigned legacy = version > 0x0303 ? 0x0303 : version;
    body[n++] = (uint8_t)(legacy >> 8);
    body[n++] = (uint8_t)legacy;
    memset(body + n, 0x42, 32);
    n += 32;
    body[n++] = 0; /* session id */
    body[n++] = (uint8_t)(suite >> 8);
    body[n++] = (uint8_t)suite;
    body[n++] = 0;
    if (version > 0x0303) {
        static const uint8_t sv[] = {0, 6, 0, 0x2B, 0, 2, 3, 4};
        memcpy(body + n, sv, sizeof sv);
        n += sizeof sv;
    }
    out[0] = 22;
    out[1] = 3;
    out[2] = (uint8_t)(legacy > 0x0301 ? 0x01 : legacy); /* record 3.1 */
    out[3] = (uint8_t)((n + 4) >> 8);
    out[4] = (uint8_t)(n + 4);
    out[5] = 2;
    out[6] = 0;
    out[7] = (uint8_t)(n >> 8);
    out[8] = (uint8_t)n;
    memcpy(out + 9, body, n);
    return n + 9;
}

/* ---- The scripted server ---- */

/* What a client's hello offered. */
struct tt_hello {
    unsigned client_version;
    uint16_t suites[256];
    size_t n_suites;
    bool modern; /* carries supported_versions: an OpenSSL client */
};

enum tt_answer {
    TT_ACCEPT,  /* a ServerHello with *version and *suite */
    TT_ALERT,   /* a fatal handshake_failure alert */
    TT_CLOSE,   /* close the connection */
    TT_SILENT,  /* say nothing until the client gives up */
    TT_GARBAGE, /* an HTTP error page */
};

typedef enum tt_answer (*tt_policy)(const struct tt_hello *h, unsigned *version,
                                    uint16_t *suite);

struct tt_server {
    int lfd;
    unsigned port;
    pthread_t thread;
    atomic_int stop;
    atomic_int errors;
    atomic_int connections;
    atomic_int hand_hellos;
    SSL_CTX *ctx;           /* for OpenSSL clients (NULL: the policy answers) */
    tt_policy policy;       /* for hand-built hellos */
    bool smtp;              /* an SMTP dialogue first */
    bool starttls;          /* offered in EHLO */
    const char *ehlo_extra; /* extra raw EHLO reply text, or NULL */
};

TT_UNUSED static bool tt_send(int fd, const void *p, size_t n)
{
    return send(fd, p, n, MSG_NOSIGNAL) == (ssize_t)n;
}

/* Reads one line (up to LF) from fd within 5 s; false on EOF. */
TT_UNUSED static bool tt_line(int fd, char *out, size_t cap)
{
    size_t n = 0;
    while (n + 1 < cap) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        char ch;
        if (poll(&p, 1, 5000) <= 0 || recv(fd, &ch, 1, 0) != 1) {
            return false;
        }
        out[n++] = ch;
        if (ch == '\n') {
            break;
        }
    }
    out[n] = '\0';
    return true;
}

TT_UNUSED static unsigned tt_rd16(const uint8_t *p)
{
    return (unsigned)(p[0] << 8 | p[1]);
}

/* Peeks at the client's first record until it is whole, and reads what it
 * offers.  False when the client went away first. */
TT_UNUSED static bool tt_peek_hello(int fd, struct tt_hello *h)
{
    uint8_t b[4096];
    ssize_t n = 0;
    memset(h, 0, sizeof *h);
    for (int i = 0; i < 500; i++) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 10) < 0) {
            return false;
        }
        n = recv(fd, b, sizeof b, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0) {
            return false;
        }
        if (n >= 5 && (size_t)n >= 5 + tt_rd16(b + 3)) {
            break;
        }
    }
    if (n < 5 + 4 + 34 + 1 || b[0] != 22 || b[5] != 1) {
        return false;
    }
    const uint8_t *q = b + 9;
    const uint8_t *end = b + 5 + tt_rd16(b + 3);
    h->client_version = tt_rd16(q);
    q += 34;
    q += 1 + q[0];
    size_t sl = tt_rd16(q);
    for (size_t i = 0; i + 1 < sl && h->n_suites < 256; i += 2) {
        h->suites[h->n_suites++] = (uint16_t)tt_rd16(q + 2 + i);
    }
    q += 2 + sl;
    q += 1 + q[0];
    if (q + 2 <= end) {
        q += 2;
        while (q + 4 <= end) {
            if (tt_rd16(q) == 43) {
                h->modern = true;
            }
            q += 4 + tt_rd16(q + 2);
        }
    }
    return true;
}

/* Waits until the client closes (or 5 s). */
TT_UNUSED static void tt_drain(int fd)
{
    char b[512];
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 5000) <= 0 || recv(fd, b, sizeof b, 0) <= 0) {
            break;
        }
    }
}

/* The TLS part of one connection. */
TT_UNUSED static void tt_tls(struct tt_server *s, int fd)
{
    struct tt_hello h;
    if (!tt_peek_hello(fd, &h)) {
        return;
    }
    if (h.modern && s->ctx != NULL) {
        SSL *ssl = SSL_new(s->ctx);
        char line[256];
        SSL_set_fd(ssl, fd);
        if (SSL_accept(ssl) == 1) {
            /* Answer a QUIT inside TLS, then read to the end. */
            int n = SSL_read(ssl, line, sizeof line - 1);
            while (n > 0) {
                line[n] = '\0';
                if (strncmp(line, "QUIT", 4) == 0) {
                    SSL_write(ssl, "221 bye\r\n", 9);
                }
                n = SSL_read(ssl, line, sizeof line - 1);
            }
            SSL_shutdown(ssl);
        }
        SSL_free(ssl);
        ERR_clear_error();
        return;
    }
    atomic_fetch_add(&s->hand_hellos, 1);
    unsigned version = h.client_version;
    uint16_t suite = h.n_suites > 0 ? h.suites[0] : 0;
    uint8_t out[256];
    static const uint8_t alert[] = {21, 3, 1, 0, 2, 2, 40};
    static const char garbage[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
    switch (s->policy(&h, &version, &suite)) {
    case TT_ACCEPT:
        if (!tt_send(fd, out, tt_server_hello(out, version, suite))) {
            atomic_fetch_add(&s->errors, 1);
        }
        tt_drain(fd);
        break;
    case TT_ALERT:
        tt_send(fd, alert, sizeof alert);
        break;
    case TT_CLOSE:
        break;
    case TT_SILENT:
        tt_drain(fd);
        break;
    case TT_GARBAGE:
        tt_send(fd, garbage, sizeof garbage - 1);
        break;
    }
}

TT_UNUSED static void tt_smtp(struct tt_server *s, int fd)
{
    char line[1024];
    char ehlo[1024];
    snprintf(ehlo, sizeof ehlo,
             "250-fake.test greets you\r\n%s%s250 8BITMIME\r\n",
             s->ehlo_extra != NULL ? s->ehlo_extra : "",
             s->starttls ? "250-STARTTLS\r\n" : "");
    if (!tt_send(fd, "220 fake.test ESMTP\r\n", 21)) {
        return;
    }
    while (tt_line(fd, line, sizeof line)) {
        if (strncmp(line, "EHLO ", 5) == 0) {
            tt_send(fd, ehlo, strlen(ehlo));
        } else if (strncmp(line, "STARTTLS", 8) == 0 && s->starttls) {
            tt_send(fd, "220 2.0.0 ready\r\n", 17);
            tt_tls(s, fd);
            return;
        } else if (strncmp(line, "QUIT", 4) == 0) {
            tt_send(fd, "221 bye\r\n", 9);
            return;
        } else {
            tt_send(fd, "502 no\r\n", 8);
        }
    }
}

TT_UNUSED static void *tt_run(void *arg)
{
    struct tt_server *s = arg;
    while (!atomic_load(&s->stop)) {
        struct pollfd p = {.fd = s->lfd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0) {
            continue;
        }
        int fd = accept(s->lfd, NULL, NULL);
        if (fd < 0) {
            continue;
        }
        atomic_fetch_add(&s->connections, 1);
        if (s->smtp) {
            tt_smtp(s, fd);
        } else {
            tt_tls(s, fd);
        }
        close(fd);
    }
    return NULL;
}

/*
 * Starts a server whose OpenSSL side uses cert/key, protocol versions
 * min..max and the TLS 1.2 cipher list ciphers (NULL: OpenSSL's default).
 * Without cert, OpenSSL clients get the policy's answers too.  Listens on
 * addr:port (port 0: one the kernel picks).
 */
TT_UNUSED static bool tt_start_at(struct tt_server *s, const char *addr,
                                  unsigned port, X509 *cert, EVP_PKEY *key,
                                  int min, int max, const char *ciphers,
                                  tt_policy policy)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t al = sizeof a;
    signal(SIGPIPE, SIG_IGN);
    memset(s, 0, sizeof *s);
    s->policy = policy;
    if (cert != NULL) {
        s->ctx = SSL_CTX_new(TLS_server_method());
        if (s->ctx == NULL) {
            return false;
        }
    }
    if (s->ctx != NULL) {
        SSL_CTX_set_security_level(s->ctx, 0);
        SSL_CTX_set_min_proto_version(s->ctx, min);
        SSL_CTX_set_max_proto_version(s->ctx, max);
        if ((ciphers != NULL &&
             SSL_CTX_set_cipher_list(s->ctx, ciphers) != 1) ||
            SSL_CTX_use_certificate(s->ctx, cert) != 1 ||
            SSL_CTX_use_PrivateKey(s->ctx, key) != 1) {
            return false;
        }
    }
    if (inet_pton(AF_INET, addr, &a.sin_addr) != 1) {
        return false;
    }
    a.sin_port = htons((uint16_t)port);
    s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(s->lfd, 8) != 0 ||
        getsockname(s->lfd, (struct sockaddr *)&a, &al) != 0) {
        return false;
    }
    s->port = ntohs(a.sin_port);
    return pthread_create(&s->thread, NULL, tt_run, s) == 0;
}

/* tt_start_at on 127.0.0.1 and a port the kernel picks. */
TT_UNUSED static bool tt_start(struct tt_server *s, X509 *cert, EVP_PKEY *key,
                               int min, int max, const char *ciphers,
                               tt_policy policy)
{
    return tt_start_at(s, "127.0.0.1", 0, cert, key, min, max, ciphers, policy);
}

TT_UNUSED static void tt_stop(struct tt_server *s)
{
    atomic_store(&s->stop, 1);
    pthread_join(s->thread, NULL);
    close(s->lfd);
    SSL_CTX_free(s->ctx);
}

#endif
