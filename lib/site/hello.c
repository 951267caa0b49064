/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hello.c - hand-built TLS ClientHello messages, the reading of the
 * server's first answer, and the table of cipher suites the probes offer.
 *
 * OpenSSL 3 cannot offer SSLv3, and Debian's build refuses RC4, 3DES,
 * EXPORT and NULL suites, so a client built on it cannot ask a server
 * whether it still accepts them.  A ClientHello is a few hundred bytes of
 * simple TLV, and the ServerHello that answers it says everything we want
 * to know (version and suite) before any cryptography starts, so we write
 * the one and read the other ourselves and stop there.  The trade-off: a
 * probe learns what the server would choose, not whether the handshake
 * would complete; a server that chooses a suite it cannot then carry
 * through is still reported, which is what a scanner should do.
 *
 * The reply parser reads untrusted bytes: every length is checked against
 * what was received and against KK_SITE_TLS_RECORD_MAX and
 * SITE_HELLO_MSG_MAX, and it is fuzzed (tests/fuzz/fuzz_site_hello.c).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "hello.h"
#include "site_int.h"

#define F_RC4 SITE_SUITE_RC4
#define F_3DES SITE_SUITE_3DES
#define F_EXP SITE_SUITE_EXPORT
#define F_DES SITE_SUITE_DES
#define F_NULL SITE_SUITE_NULL
#define F_ANON SITE_SUITE_ANON
#define F_FS SITE_SUITE_FS
#define F_12 SITE_SUITE_TLS12

struct suite {
    uint16_t id;
    unsigned flags;
    const char *name;
};

/* Strong suites first, so a broad probe gets what a modern client would;
 * then the weak classes.  Names as in the IANA registry (the EXPORT1024
 * ones were never registered; their names are the drafts'). */
static const struct suite suites[] = {
    {0xC02B, F_FS | F_12, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xC02F, F_FS | F_12, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0xC02C, F_FS | F_12, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {0xC030, F_FS | F_12, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0xCCA9, F_FS | F_12, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCA8, F_FS | F_12, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0x009E, F_FS | F_12, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009F, F_FS | F_12, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0xCCAA, F_FS | F_12, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0x00A2, F_FS | F_12, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256"},
    {0x00A3, F_FS | F_12, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384"},
    {0xC023, F_FS | F_12, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
    {0xC027, F_FS | F_12, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0xC024, F_FS | F_12, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"},
    {0xC028, F_FS | F_12, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"},
    {0x0067, F_FS | F_12, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0x006B, F_FS | F_12, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"},
    {0x0040, F_FS | F_12, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256"},
    {0x006A, F_FS | F_12, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256"},
    {0xC009, F_FS, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
    {0xC013, F_FS, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
    {0xC00A, F_FS, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
    {0xC014, F_FS, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
    {0x0033, F_FS, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"},
    {0x0039, F_FS, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"},
    {0x0032, F_FS, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA"},
    {0x0038, F_FS, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA"},
    {0x0045, F_FS, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0088, F_FS, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA"},
    {0x0044, F_FS, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0087, F_FS, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA"},
    {0x009A, F_FS, "TLS_DHE_RSA_WITH_SEED_CBC_SHA"},
    {0x0099, F_FS, "TLS_DHE_DSS_WITH_SEED_CBC_SHA"},
    {0x009C, F_12, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009D, F_12, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
    {0x003C, F_12, "TLS_RSA_WITH_AES_128_CBC_SHA256"},
    {0x003D, F_12, "TLS_RSA_WITH_AES_256_CBC_SHA256"},
    {0x002F, 0, "TLS_RSA_WITH_AES_128_CBC_SHA"},
    {0x0035, 0, "TLS_RSA_WITH_AES_256_CBC_SHA"},
    {0x0041, 0, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0084, 0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"},
    {0x0096, 0, "TLS_RSA_WITH_SEED_CBC_SHA"},
    {0x0007, 0, "TLS_RSA_WITH_IDEA_CBC_SHA"},
    {0xC004, 0, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA"},
    {0xC005, 0, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA"},
    {0xC00E, 0, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA"},
    {0xC00F, 0, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA"},
    {0x0030, 0, "TLS_DH_DSS_WITH_AES_128_CBC_SHA"},
    {0x0031, 0, "TLS_DH_RSA_WITH_AES_128_CBC_SHA"},
    {0x0036, 0, "TLS_DH_DSS_WITH_AES_256_CBC_SHA"},
    {0x0037, 0, "TLS_DH_RSA_WITH_AES_256_CBC_SHA"},
    {0xC008, F_3DES | F_FS, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA"},
    {0xC012, F_3DES | F_FS, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x0016, F_3DES | F_FS, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x0013, F_3DES | F_FS, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA"},
    {0x000A, F_3DES, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0xC003, F_3DES, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA"},
    {0xC00D, F_3DES, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x000D, F_3DES, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA"},
    {0x0010, F_3DES, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0xC007, F_RC4 | F_FS, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"},
    {0xC011, F_RC4 | F_FS, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"},
    {0x0005, F_RC4, "TLS_RSA_WITH_RC4_128_SHA"},
    {0x0004, F_RC4, "TLS_RSA_WITH_RC4_128_MD5"},
    {0xC002, F_RC4, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA"},
    {0xC00C, F_RC4, "TLS_ECDH_RSA_WITH_RC4_128_SHA"},
    {0x0015, F_DES | F_FS, "TLS_DHE_RSA_WITH_DES_CBC_SHA"},
    {0x0012, F_DES | F_FS, "TLS_DHE_DSS_WITH_DES_CBC_SHA"},
    {0x0009, F_DES, "TLS_RSA_WITH_DES_CBC_SHA"},
    {0x000C, F_DES, "TLS_DH_DSS_WITH_DES_CBC_SHA"},
    {0x000F, F_DES, "TLS_DH_RSA_WITH_DES_CBC_SHA"},
    {0x0062, F_EXP, "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA"},
    {0x0064, F_EXP | F_RC4, "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA"},
    {0x0063, F_EXP | F_FS, "TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA"},
    {0x0065, F_EXP | F_RC4 | F_FS, "TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA"},
    {0x0014, F_EXP | F_FS, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA"},
    {0x0011, F_EXP | F_FS, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA"},
    {0x0008, F_EXP, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA"},
    {0x0006, F_EXP, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5"},
    {0x0003, F_EXP | F_RC4, "TLS_RSA_EXPORT_WITH_RC4_40_MD5"},
    {0x000B, F_EXP, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA"},
    {0x000E, F_EXP, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA"},
    {0xC018, F_ANON, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA"},
    {0xC019, F_ANON, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA"},
    {0x0034, F_ANON, "TLS_DH_anon_WITH_AES_128_CBC_SHA"},
    {0x003A, F_ANON, "TLS_DH_anon_WITH_AES_256_CBC_SHA"},
    {0x006C, F_ANON | F_12, "TLS_DH_anon_WITH_AES_128_CBC_SHA256"},
    {0x006D, F_ANON | F_12, "TLS_DH_anon_WITH_AES_256_CBC_SHA256"},
    {0x00A6, F_ANON | F_12, "TLS_DH_anon_WITH_AES_128_GCM_SHA256"},
    {0x00A7, F_ANON | F_12, "TLS_DH_anon_WITH_AES_256_GCM_SHA384"},
    {0x0046, F_ANON, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0089, F_ANON, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA"},
    {0x009B, F_ANON, "TLS_DH_anon_WITH_SEED_CBC_SHA"},
    {0xC017, F_ANON | F_3DES, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA"},
    {0x001B, F_ANON | F_3DES, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA"},
    {0xC016, F_ANON | F_RC4, "TLS_ECDH_anon_WITH_RC4_128_SHA"},
    {0x0018, F_ANON | F_RC4, "TLS_DH_anon_WITH_RC4_128_MD5"},
    {0x001A, F_ANON | F_DES, "TLS_DH_anon_WITH_DES_CBC_SHA"},
    {0x0019, F_ANON | F_EXP, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA"},
    {0x0017, F_ANON | F_EXP | F_RC4, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5"},
    {0xC010, F_NULL | F_FS, "TLS_ECDHE_RSA_WITH_NULL_SHA"},
    {0xC006, F_NULL | F_FS, "TLS_ECDHE_ECDSA_WITH_NULL_SHA"},
    {0x0002, F_NULL, "TLS_RSA_WITH_NULL_SHA"},
    {0x0001, F_NULL, "TLS_RSA_WITH_NULL_MD5"},
    {0x003B, F_NULL | F_12, "TLS_RSA_WITH_NULL_SHA256"},
    {0xC001, F_NULL, "TLS_ECDH_ECDSA_WITH_NULL_SHA"},
    {0xC00B, F_NULL, "TLS_ECDH_RSA_WITH_NULL_SHA"},
    {0xC015, F_NULL | F_ANON, "TLS_ECDH_anon_WITH_NULL_SHA"},
};

#define N_SUITES (sizeof suites / sizeof suites[0])

/* TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746), ending every list. */
#define SCSV_RENEGO 0x00FF

/* The random of a HelloRetryRequest: SHA-256 of "HelloRetryRequest". */
static const uint8_t hrr_random[32] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
    0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
    0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

/* x25519, secp256r1, secp384r1, secp521r1, x448, secp224r1. */
static const uint16_t groups[] = {0x001D, 0x0017, 0x0018,
                                  0x0019, 0x001E, 0x0015};

/* ECDSA, RSA-PSS, RSA PKCS#1 with SHA-2, EdDSA, then the SHA-1 and DSA
 * ones a legacy server may need. */
static const uint16_t sigalgs[] = {0x0403, 0x0503, 0x0603, 0x0804, 0x0805,
                                   0x0806, 0x0401, 0x0501, 0x0601, 0x0807,
                                   0x0808, 0x0201, 0x0203, 0x0202, 0x0402};

#define REC_ALERT 21
#define REC_HANDSHAKE 22
#define HS_CLIENT_HELLO 1
#define HS_SERVER_HELLO 2
#define EXT_SERVER_NAME 0
#define EXT_GROUPS 10
#define EXT_POINT_FORMATS 11
#define EXT_SIGALGS 13
#define EXT_SUPPORTED_VERSIONS 43

size_t site_suites_select(unsigned any, unsigned none, uint16_t version,
                          uint16_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < N_SUITES && n < cap; i++) {
        unsigned f = suites[i].flags;
        if ((any != 0 && (f & any) == 0) || (f & none) != 0 ||
            (version < SITE_TLS_12 && (f & SITE_SUITE_TLS12) != 0)) {
            continue;
        }
        out[n++] = suites[i].id;
    }
    return n;
}

static const struct suite *suite_find(uint16_t id)
{
    const struct suite *s = NULL;
    for (size_t i = 0; i < N_SUITES; i++) {
        if (suites[i].id == id) {
            s = &suites[i];
            break;
        }
    }
    return s;
}

const char *site_suite_name(uint16_t id)
{
    const struct suite *s = suite_find(id);
    return s != NULL ? s->name : NULL;
}

unsigned site_suite_flags(uint16_t id)
{
    const struct suite *s = suite_find(id);
    return s != NULL ? s->flags : 0;
}

const char *site_tls_version_name(uint16_t v)
{
    const char *name = "unknown";
    switch (v) {
    case SITE_TLS_SSL3:
        name = "SSLv3";
        break;
    case SITE_TLS_10:
        name = "TLS 1.0";
        break;
    case SITE_TLS_11:
        name = "TLS 1.1";
        break;
    case SITE_TLS_12:
        name = "TLS 1.2";
        break;
    case SITE_TLS_13:
        name = "TLS 1.3";
        break;
    default:
        break;
    }
    return name;
}

/* ---- Building ---- */

/* A fixed-size output area; a write past its end sets over and is
 * dropped, so the builder checks once at the end. */
struct out {
    uint8_t b[SITE_HELLO_OUT_MAX];
    size_t n;
    bool over;
};

static void put8(struct out *o, unsigned v)
{
    if (o->n >= sizeof o->b) {
        o->over = true;
    } else {
        o->b[o->n++] = (uint8_t)v;
    }
}

static void put16(struct out *o, unsigned v)
{
    put8(o, (v >> 8) & 0xFF);
    put8(o, v & 0xFF);
}

static void put_bytes(struct out *o, const void *p, size_t len)
{
    if (len > sizeof o->b - o->n) {
        o->over = true;
    } else {
        memcpy(o->b + o->n, p, len);
        o->n += len;
    }
}

/* Writes a 16-bit (width 2) or 24-bit (width 3) length at pos, counting
 * the bytes written after pos + width. */
static void patch_len(struct out *o, size_t pos, size_t width)
{
    size_t len = o->n - pos - width;
    if (o->over) {
        len = 0; /* the record is dropped anyway */
    }
    if (width == 3) {
        o->b[pos] = (uint8_t)(len >> 16);
        pos++;
    }
    o->b[pos] = (uint8_t)(len >> 8);
    o->b[pos + 1] = (uint8_t)len;
}

static bool sni_ok(const char *s)
{
    size_t n = strlen(s);
    bool ok = n > 0 && n <= 255;
    for (size_t i = 0; ok && i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
             (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_';
    }
    return ok;
}

static void put_extensions(struct out *o, const struct site_hello_spec *spec)
{
    size_t all = o->n;
    put16(o, 0);
    if (spec->sni != NULL) {
        size_t len = strlen(spec->sni);
        put16(o, EXT_SERVER_NAME);
        put16(o, (unsigned)len + 5);
        put16(o, (unsigned)len + 3); /* server_name_list */
        put8(o, 0);                  /* host_name */
        put16(o, (unsigned)len);
        put_bytes(o, spec->sni, len);
    }
    put16(o, EXT_GROUPS);
    put16(o, 2 + 2 * (unsigned)(sizeof groups / sizeof groups[0]));
    put16(o, 2 * (unsigned)(sizeof groups / sizeof groups[0]));
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        put16(o, groups[i]);
    }
    put16(o, EXT_POINT_FORMATS);
    put16(o, 2);
    put8(o, 1);
    put8(o, 0); /* uncompressed */
    if (spec->version >= SITE_TLS_12) {
        put16(o, EXT_SIGALGS);
        put16(o, 2 + 2 * (unsigned)(sizeof sigalgs / sizeof sigalgs[0]));
        put16(o, 2 * (unsigned)(sizeof sigalgs / sizeof sigalgs[0]));
        for (size_t i = 0; i < sizeof sigalgs / sizeof sigalgs[0]; i++) {
            put16(o, sigalgs[i]);
        }
    }
    patch_len(o, all, 2);
}

int site_hello_build(const struct site_hello_spec *spec,
                     const uint8_t random[32], struct kk_buf *out)
{
    int rc = KK_ERR_INVAL;
    struct out *o = NULL;

    if (spec == NULL || random == NULL || out == NULL ||
        spec->version < SITE_TLS_SSL3 || spec->version > SITE_TLS_12 ||
        spec->suites == NULL || spec->n_suites == 0 ||
        spec->n_suites > SITE_SUITES_MAX ||
        (spec->sni != NULL && !sni_ok(spec->sni))) {
        goto out;
    }
    o = calloc(1, sizeof *o);
    if (o == NULL) {
        rc = KK_ERR_NOMEM;
        goto out;
    }
    put8(o, REC_HANDSHAKE);
    put16(o, spec->version == SITE_TLS_SSL3 ? SITE_TLS_SSL3 : SITE_TLS_10);
    size_t rec = o->n;
    put16(o, 0);
    put8(o, HS_CLIENT_HELLO);
    size_t hs = o->n;
    put8(o, 0);
    put16(o, 0);
    put16(o, spec->version);
    put_bytes(o, random, 32);
    put8(o, 0); /* session id */
    put16(o, 2 * ((unsigned)spec->n_suites + 1));
    for (size_t i = 0; i < spec->n_suites; i++) {
        put16(o, spec->suites[i]);
    }
    put16(o, SCSV_RENEGO);
    put8(o, 1);
    put8(o, 0); /* null compression */
    if (spec->version >= SITE_TLS_10) {
        put_extensions(o, spec);
    }
    patch_len(o, hs, 3);
    patch_len(o, rec, 2);
    if (o->over) {
        rc = KK_ERR_LIMIT;
        goto out;
    }
    rc = kk_buf_put(out, o->b, o->n);
out:
    free(o);
    return rc;
}

/* ---- Reading the answer ---- */

static int get16(struct kk_span *s, uint16_t *v)
{
    const uint8_t *b;
    int rc = kk_span_get_bytes(s, 2, &b);
    if (rc == KK_OK) {
        *v = (uint16_t)(b[0] << 8 | b[1]);
    }
    return rc;
}

/* Parses a whole ServerHello body (after the 4-byte message header). */
static int parse_server_hello(const uint8_t *p, size_t n,
                              struct site_hello_reply *r)
{
    struct kk_span s = kk_span_make(p, n);
    const uint8_t *rnd;
    const uint8_t *skip;
    uint8_t sid_len;
    uint16_t ext_len;
    bool have_sv = false;
    int rc = KK_ERR_PROTO;

    if (get16(&s, &r->legacy_version) != KK_OK ||
        (r->legacy_version >> 8) != 3 ||
        kk_span_get_bytes(&s, 32, &rnd) != KK_OK ||
        kk_span_get_u8(&s, &sid_len) != KK_OK || sid_len > 32 ||
        kk_span_get_bytes(&s, sid_len, &skip) != KK_OK ||
        get16(&s, &r->cipher) != KK_OK ||
        kk_span_get_u8(&s, &r->compression) != KK_OK) {
        goto out;
    }
    r->retry = memcmp(rnd, hrr_random, 32) == 0;
    r->version = r->legacy_version;
    if (kk_span_left(&s) == 0) {
        rc = KK_OK; /* no extensions */
        goto out;
    }
    if (get16(&s, &ext_len) != KK_OK || ext_len != kk_span_left(&s)) {
        goto out;
    }
    while (kk_span_left(&s) > 0) {
        uint16_t type;
        uint16_t len;
        const uint8_t *data;
        if (get16(&s, &type) != KK_OK || get16(&s, &len) != KK_OK ||
            kk_span_get_bytes(&s, len, &data) != KK_OK) {
            goto out;
        }
        if (type == EXT_SUPPORTED_VERSIONS) {
            if (have_sv || len != 2 || data[0] != 3) {
                goto out;
            }
            have_sv = true;
            r->version = (uint16_t)(data[0] << 8 | data[1]);
        }
    }
    rc = KK_OK;
out:
    return rc;
}

int site_hello_parse(const uint8_t *p, size_t n, struct site_hello_reply *out)
{
    struct site_hello_reply r;
    uint8_t *msg = NULL;
    size_t have = 0;
    size_t off = 0;
    int rc = KK_ERR_TRUNC;

    memset(&r, 0, sizeof r);
    if (p == NULL && n > 0) {
        rc = KK_ERR_INVAL;
        goto out;
    }
    msg = malloc(SITE_HELLO_MSG_MAX + 4);
    if (msg == NULL) {
        rc = KK_ERR_NOMEM;
        goto out;
    }
    for (;;) {
        size_t left = n - off;
        /* Refuse garbage as soon as the first bytes show it. */
        if (left >= 1 && p[off] != REC_ALERT && p[off] != REC_HANDSHAKE) {
            rc = KK_ERR_PROTO;
            goto out;
        }
        if (left >= 2 && p[off + 1] != 3) {
            rc = KK_ERR_PROTO;
            goto out;
        }
        if (left < 5) {
            rc = KK_ERR_TRUNC;
            goto out;
        }
        uint8_t type = p[off];
        uint16_t ver = (uint16_t)(p[off + 1] << 8 | p[off + 2]);
        size_t len = (size_t)p[off + 3] << 8 | p[off + 4];
        if (len == 0) {
            rc = KK_ERR_PROTO;
            goto out;
        }
        if (len > KK_SITE_TLS_RECORD_MAX) {
            rc = KK_ERR_LIMIT;
            goto out;
        }
        if (off == 0) {
            r.record_version = ver;
        }
        size_t avail = left - 5 < len ? left - 5 : len;
        const uint8_t *frag = p + off + 5;
        if (type == REC_ALERT) {
            if (avail < 2) {
                rc = KK_ERR_TRUNC;
                goto out;
            }
            if (frag[0] == 1 && frag[1] != 0) {
                if (avail < len) {
                    rc = KK_ERR_TRUNC;
                    goto out;
                }
                off += 5 + len; /* a warning: the handshake goes on */
                continue;
            }
            r.kind = SITE_HELLO_ALERT;
            r.alert_level = frag[0];
            r.alert = frag[1];
            rc = KK_OK;
            goto out;
        }
        /* A handshake fragment: gather the ServerHello message. */
        size_t room = SITE_HELLO_MSG_MAX + 4 - have;
        size_t take = avail < room ? avail : room;
        memcpy(msg + have, frag, take);
        have += take;
        if (have >= 1 && msg[0] != HS_SERVER_HELLO) {
            rc = KK_ERR_PROTO;
            goto out;
        }
        if (have >= 4) {
            size_t mlen = (size_t)msg[1] << 16 | (size_t)msg[2] << 8 | msg[3];
            if (mlen > SITE_HELLO_MSG_MAX) {
                rc = KK_ERR_LIMIT;
                goto out;
            }
            if (have >= 4 + mlen) {
                rc = parse_server_hello(msg + 4, mlen, &r);
                if (rc == KK_OK) {
                    r.kind = SITE_HELLO_SERVER;
                }
                goto out;
            }
        }
        if (avail < len) {
            rc = KK_ERR_TRUNC; /* the rest of this record is still due */
            goto out;
        }
        off += 5 + len;
    }
out:
    free(msg);
    if (rc == KK_OK) {
        *out = r;
    }
    return rc;
}

/* ---- The exchange ---- */

int site_hello_exchange(int fd, const uint8_t *hello, size_t len,
                        unsigned timeout_ms, struct site_hello_reply *out)
{
    const size_t cap = KK_SITE_TLS_RECORD_MAX + 5;
    uint8_t *buf = malloc(cap);
    size_t n = 0;
    int64_t deadline = site_mono_ms() + timeout_ms;
    int rc = KK_ERR_NOMEM;

    if (buf == NULL) {
        goto out;
    }
    rc = site_send_all(fd, hello, len);
    if (rc != KK_OK) {
        goto out;
    }
    for (;;) {
        size_t got = 0;
        rc = site_recv_until(fd, buf + n, cap - n, deadline, &got);
        if (rc != KK_OK) {
            goto out;
        }
        if (got == 0) {
            /* Closed or reset: a refusal if nothing came, else broken. */
            if (n == 0) {
                memset(out, 0, sizeof *out);
                out->kind = SITE_HELLO_CLOSED;
            } else {
                rc = KK_ERR_IO;
            }
            goto out;
        }
        n += got;
        rc = site_hello_parse(buf, n, out);
        if (rc != KK_ERR_TRUNC) {
            goto out;
        }
        if (n == cap) {
            rc = KK_ERR_LIMIT;
            goto out;
        }
    }
out:
    free(buf);
    return rc;
}

int site_hello_send(int fd, const struct site_hello_spec *spec,
                    unsigned timeout_ms, struct site_hello_reply *out)
{
    uint8_t rnd[32];
    struct kk_buf *b = kk_buf_new(SITE_HELLO_OUT_MAX);
    int rc = KK_ERR_NOMEM;
    if (b == NULL) {
        goto out;
    }
    rc = kk_random(rnd, sizeof rnd);
    if (rc != KK_OK) {
        goto out;
    }
    rc = site_hello_build(spec, rnd, b);
    if (rc != KK_OK) {
        goto out;
    }
    rc =
        site_hello_exchange(fd, kk_buf_data(b), kk_buf_len(b), timeout_ms, out);
out:
    kk_buf_free(b);
    return rc;
}

enum site_probe_result site_hello_verdict(const struct site_hello_reply *r,
                                          const struct site_hello_spec *spec)
{
    enum site_probe_result res = SITE_PROBE_UNKNOWN;
    if (r->kind == SITE_HELLO_ALERT || r->kind == SITE_HELLO_CLOSED) {
        res = SITE_PROBE_REFUSED;
    } else if (r->kind == SITE_HELLO_SERVER && !r->retry &&
               r->version >= SITE_TLS_SSL3 && r->version <= spec->version) {
        for (size_t i = 0; i < spec->n_suites; i++) {
            if (spec->suites[i] == r->cipher) {
                res = SITE_PROBE_ACCEPTED;
                break;
            }
        }
    }
    return res;
}
