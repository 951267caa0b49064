/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hello.h - hand-built TLS ClientHello messages and the reading of a
 * server's first answer (a ServerHello or an alert), for the protocol and
 * cipher probes that OpenSSL 3 can no longer make: it cannot offer SSLv3,
 * and Debian's build refuses RC4, 3DES, EXPORT and NULL suites.
 *
 * A probe sends one hello and reads only up to the ServerHello: it never
 * finishes a handshake, so it costs the server one short exchange.  Used
 * by tls.c (the web server) and smtp.c (mail servers after STARTTLS).
 */
#ifndef KALKAN_SITE_HELLO_H
#define KALKAN_SITE_HELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kalkan/kk.h"

/* Protocol versions as they appear on the wire. */
#define SITE_TLS_SSL3 0x0300
#define SITE_TLS_10 0x0301
#define SITE_TLS_11 0x0302
#define SITE_TLS_12 0x0303
#define SITE_TLS_13 0x0304

/* Cipher suites offered by one hello, at most. */
#define SITE_SUITES_MAX 128
/* Bytes of a ServerHello message read, at most (real ones are < 200). */
#define SITE_HELLO_MSG_MAX 4096
/* Bytes of a built ClientHello record, at most. */
#define SITE_HELLO_OUT_MAX 2048

/* What a cipher suite is (bit flags; a suite may have several). */
enum site_suite_flag {
    SITE_SUITE_RC4 = 1u << 0,
    SITE_SUITE_3DES = 1u << 1,
    SITE_SUITE_EXPORT = 1u << 2, /* 40- and 56-bit export suites */
    SITE_SUITE_DES = 1u << 3,    /* single DES, 56 bits */
    SITE_SUITE_NULL = 1u << 4,   /* no encryption at all */
    SITE_SUITE_ANON = 1u << 5,   /* no server authentication (ADH, AECDH) */
    SITE_SUITE_FS = 1u << 6,     /* authenticated ephemeral (EC)DH */
    SITE_SUITE_TLS12 = 1u << 7,  /* defined for TLS 1.2 only */
};

/*
 * Fills out (cap entries) with the known suites that have at least one
 * flag of any (0: every suite) and none of the flags of none, leaving out
 * the TLS 1.2-only ones when version is below TLS 1.2.  The order is the
 * table's: strong suites first.  Returns how many were written.  Pure.
 */
size_t site_suites_select(unsigned any, unsigned none, uint16_t version,
                          uint16_t *out, size_t cap);
/* The IANA name of a known suite ("TLS_RSA_WITH_RC4_128_SHA"), or NULL. */
const char *site_suite_name(uint16_t id);
/* The flags of a known suite, or 0. */
unsigned site_suite_flags(uint16_t id);
/* "SSLv3", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3" or "unknown". */
const char *site_tls_version_name(uint16_t v);

/* One ClientHello to build. */
struct site_hello_spec {
    uint16_t version;       /* client_version: SITE_TLS_SSL3..SITE_TLS_12 */
    const uint16_t *suites; /* offered, in order of preference (borrowed) */
    size_t n_suites;        /* 1..SITE_SUITES_MAX */
    const char *sni;        /* server_name (a DNS name), or NULL */
};

/*
 * Appends to out one handshake record (record version SSLv3 for an SSLv3
 * hello, TLS 1.0 otherwise, as common clients do) holding a ClientHello
 * with the 32 random bytes, an empty session id, the suites followed by
 * the renegotiation SCSV, and null compression.  From TLS 1.0 on it
 * carries server_name (when sni is set), supported_groups and
 * ec_point_formats, and at TLS 1.2 signature_algorithms: what a real
 * server needs to choose an (EC)DHE suite.  An SSLv3 hello has no
 * extensions.  KK_ERR_INVAL for a bad spec (version, suite count, an sni
 * that is empty, longer than 255 bytes or not a host name), KK_ERR_LIMIT
 * when out is full.  On error out may hold part of the record.
 */
KK_WUR int site_hello_build(const struct site_hello_spec *spec,
                            const uint8_t random[32], struct kk_buf *out);

enum site_hello_kind {
    SITE_HELLO_NONE = 0,
    SITE_HELLO_SERVER = 1, /* a ServerHello */
    SITE_HELLO_ALERT = 2,  /* an alert before any ServerHello */
    SITE_HELLO_CLOSED = 3, /* closed or reset before any byte came */
};

/* The server's first answer. */
struct site_hello_reply {
    enum site_hello_kind kind;
    uint16_t record_version; /* of the first record */
    /* ServerHello: the version chosen (supported_versions when present,
     * else legacy_version), the suite and compression chosen. */
    uint16_t version;
    uint16_t legacy_version;
    uint16_t cipher;
    uint8_t compression;
    bool retry; /* a TLS 1.3 HelloRetryRequest */
    /* Alert: level (1 warning, 2 fatal) and description (40
     * handshake_failure, 70 protocol_version, ...). */
    uint8_t alert_level;
    uint8_t alert;
};

/*
 * Reads the server's first answer from the n bytes received so far
 * (records of type handshake or alert).  A warning alert other than
 * close_notify (unrecognized_name, say) is skipped, as clients do.
 * Returns KK_OK with out filled
 * (SERVER or ALERT); KK_ERR_TRUNC when more bytes are needed; KK_ERR_PROTO
 * when the bytes are not a TLS server's answer (another record type, a
 * record version not 3.x, an empty record, a first handshake message other
 * than ServerHello, a malformed ServerHello); KK_ERR_LIMIT for a record
 * longer than KK_SITE_TLS_RECORD_MAX or a ServerHello longer than
 * SITE_HELLO_MSG_MAX.  Reads only the bytes it needs, never past n; a
 * record version lower than the one offered is accepted (and reported).
 * out is set only on KK_OK.  Pure, thread-safe.
 */
KK_WUR int site_hello_parse(const uint8_t *p, size_t n,
                            struct site_hello_reply *out);

/*
 * Sends len bytes of hello on the connected socket fd and reads up to the
 * server's first answer, within timeout_ms for the whole answer.  Returns
 * KK_OK with out->kind SERVER, ALERT or CLOSED (the server closed or reset
 * the connection before sending a byte: a refusal); KK_ERR_TIMEOUT;
 * KK_ERR_IO (the send failed, or the connection broke mid-answer);
 * KK_ERR_NOMEM; or site_hello_parse's errors.  Never raises SIGPIPE.
 */
KK_WUR int site_hello_exchange(int fd, const uint8_t *hello, size_t len,
                               unsigned timeout_ms,
                               struct site_hello_reply *out);

/*
 * Builds a hello from spec with fresh random bytes and exchanges it on fd
 * (site_hello_build, then site_hello_exchange, with their errors).
 */
KK_WUR int site_hello_send(int fd, const struct site_hello_spec *spec,
                           unsigned timeout_ms, struct site_hello_reply *out);

enum site_probe_result {
    SITE_PROBE_UNKNOWN = 0,  /* no verdict: the answer breaks the rules */
    SITE_PROBE_REFUSED = 1,  /* an alert, or the connection closed */
    SITE_PROBE_ACCEPTED = 2, /* a ServerHello within what was offered */
};

/*
 * What a reply to the hello of spec says.  ACCEPTED when it is a
 * ServerHello (not a HelloRetryRequest) choosing a version from SSLv3 up
 * to the one offered and one of the suites offered: a server answering
 * below the version offered accepts that lower version, and not the one
 * offered.  REFUSED for an alert or a close.  UNKNOWN otherwise (a version
 * above the offer, a suite never offered).  Pure.
 */
enum site_probe_result site_hello_verdict(const struct site_hello_reply *r,
                                          const struct site_hello_spec *spec);

#endif
