/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tls.c - the tls stage: the web server's certificate, the protocol
 * versions it accepts, the weak cipher classes it accepts, and whether it
 * gives forward secrecy.
 *
 * One OpenSSL handshake (tlsconn.c) reads the certificate and shows what
 * the server chooses for a modern client.  Then hand-built hellos
 * (hello.c) ask what OpenSSL 3 cannot: SSLv3, TLS 1.0 and TLS 1.1 each
 * with a broad list of suites, and then, at the highest version the
 * server accepts among TLS 1.2, 1.1 and 1.0, one hello per weak class
 * (RC4, 3DES, EXPORT and single DES, NULL, anonymous) offering only that
 * class.  A probe reads up to the ServerHello and hangs up, so the whole
 * stage costs at most SITE_TLS_STAGE_MAX short handshakes, one at a time;
 * testssl.sh asks hundreds of questions for the same verdicts.  The
 * trade-off: one hello per class says whether the class is accepted, not
 * every suite of it; the evidence names the suite the server chose.
 *
 * Forward secrecy (tls.no_forward_secrecy) is judged on the OpenSSL
 * handshake: it offers (EC)DHE suites first, as every modern browser does,
 * so a server that still chooses RSA key exchange (or static DH) gives
 * most visitors no forward secrecy, whether it cannot do better or just
 * prefers not to.  Only when that handshake fails (a server that speaks
 * nothing OpenSSL still offers) is a hand-built hello offering only
 * (EC)DHE suites sent instead: refused means no forward secrecy.
 *
 * A check whose probes could not all give an answer (a timeout, a reset
 * mid-answer, an answer that breaks the rules) records a finding if one
 * probe showed it, and otherwise nothing: "could not tell" is never
 * "passed".  After two timeouts the stage stops asking.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hello.h"
#include "site_int.h"
#include "tls.h"

/* Handshakes this stage may spend; the whole check has KK_SITE_TLS_MAX. */
#define SITE_TLS_STAGE_MAX 12
/* Timeouts after which the stage stops probing a silent server. */
#define SITE_TLS_TIMEOUTS_MAX 2
/* A certificate expiring sooner than this is reported. */
#define SITE_CERT_EXPIRING_S (21 * 86400)

/* Index of a protocol version in the tables below: SSLv3 .. TLS 1.2. */
#define V_IDX(v) ((size_t)((v)&0xFF))
#define N_VERS 4

struct tls_stage {
    struct site_ctx *c;
    const char *addr;
    const char *sni;
    unsigned used;
    unsigned timeouts;
    bool stop;
    /* The OpenSSL handshake. */
    bool ossl_ok;
    struct site_tls_info info;
    /* Per version (SSLv3, TLS 1.0, 1.1, 1.2): known to be accepted or
     * refused (known), and accepted. */
    bool known[N_VERS];
    bool accepted[N_VERS];
};

/* Takes one handshake from the stage's and the check's budget. */
static bool take(struct tls_stage *s)
{
    bool ok = !s->stop && s->used < SITE_TLS_STAGE_MAX &&
              site_tls_take(s->c) == KK_OK;
    if (ok) {
        s->used++;
    } else {
        s->stop = true;
    }
    return ok;
}

static void note_error(struct tls_stage *s, int err)
{
    if (err == KK_ERR_TIMEOUT && ++s->timeouts >= SITE_TLS_TIMEOUTS_MAX) {
        s->stop = true;
    }
}

/*
 * One hand-built hello to the web server.  *res is UNKNOWN when the probe
 * could not run or gave no verdict.  Returns KK_ERR_NOMEM or KK_OK.
 */
static int probe(struct tls_stage *s, const struct site_hello_spec *spec,
                 struct site_hello_reply *reply, enum site_probe_result *res)
{
    int rc = KK_OK;
    int fd = -1;
    *res = SITE_PROBE_UNKNOWN;
    memset(reply, 0, sizeof *reply);
    if (!take(s)) {
        goto out;
    }
    fd = site_connect(s->c, s->addr, s->c->https_port);
    if (fd < 0) {
        note_error(s, fd);
        goto out;
    }
    int err = site_hello_send(fd, spec, s->c->timeout_ms, reply);
    if (err == KK_ERR_NOMEM) {
        rc = err;
        goto out;
    }
    if (err != KK_OK) {
        note_error(s, err);
        goto out;
    }
    *res = site_hello_verdict(reply, spec);
out:
    if (fd >= 0) {
        close(fd);
    }
    return rc;
}

static void format_date(int64_t t, char *out, size_t cap)
{
    if (kk_format_time(t, out, cap) != KK_OK) {
        snprintf(out, cap, "%lld", (long long)t);
    }
}

/* Records the verdicts on the certificate. */
static int record_cert(struct tls_stage *s, const struct site_cert_verdict *v)
{
    struct site_ctx *c = s->c;
    char date[32];
    int rc;

    c->r->cert_expiry = v->not_after;
    format_date(v->bad_time, date, sizeof date);
    if (v->not_yet_valid) {
        rc = site_add(c, "tls.cert.expired", "notBefore %s", date);
    } else if (v->expired) {
        rc = site_add(c, "tls.cert.expired", "%s", date);
    } else {
        rc = site_pass(c, "tls.cert.expired");
    }
    if (rc == KK_OK && v->trust_checked) {
        rc = v->untrusted
                 ? site_add(c, "tls.cert.untrusted", "%s", v->untrusted_why)
                 : site_pass(c, "tls.cert.untrusted");
    }
    if (rc == KK_OK) {
        rc = v->hostname_ok
                 ? site_pass(c, "tls.cert.hostname")
                 : site_add(c, "tls.cert.hostname", "%s",
                            v->names[0] != '\0' ? v->names : "no DNS name");
    }
    if (rc == KK_OK && !v->expired) {
        format_date(v->not_after, date, sizeof date);
        rc = v->not_after - c->now < SITE_CERT_EXPIRING_S
                 ? site_add(c, "tls.cert.expiring", "%s", date)
                 : site_pass(c, "tls.cert.expiring");
    }
    if (rc == KK_OK) {
        rc = v->key_weak ? site_add(c, "tls.key.weak", "%s", v->key)
                         : site_pass(c, "tls.key.weak");
    }
    if (rc == KK_OK) {
        rc = v->sig_weak ? site_add(c, "tls.signature.sha1", "%s", v->sig)
                         : site_pass(c, "tls.signature.sha1");
    }
    return rc;
}

static void mark_version(struct tls_stage *s, int ossl_version)
{
    uint16_t v = (uint16_t)ossl_version;
    if (v >= SITE_TLS_SSL3 && v <= SITE_TLS_12) {
        s->known[V_IDX(v)] = true;
        s->accepted[V_IDX(v)] = true;
    }
}

/* The OpenSSL handshake: certificate and the modern client's choice. */
static int check_certificate(struct tls_stage *s)
{
    struct site_ctx *c = s->c;
    struct site_tls t;
    int rc = KK_OK;
    int fd = -1;

    memset(&t, 0, sizeof t);
    if (!take(s)) {
        goto out;
    }
    fd = site_connect(c, s->addr, c->https_port);
    if (fd < 0) {
        note_error(s, fd);
        goto out;
    }
    int err = site_tls_open(&t, fd, s->sni, c->timeout_ms);
    if (err == KK_ERR_NOMEM) {
        rc = err;
        goto out;
    }
    if (err != KK_OK) {
        note_error(s, err);
        goto out;
    }
    s->ossl_ok = true;
    site_tls_info_get(&t, &s->info);
    mark_version(s, s->info.version);
    X509 *leaf = site_tls_leaf(&t);
    if (leaf != NULL) {
        struct site_cert_verdict v;
        err = site_cert_judge(leaf, site_tls_chain(&t), c->host, c->host_is_ip,
                              c->now, c->o->ca_file, &v);
        if (err == KK_ERR_NOMEM) {
            rc = err;
            goto out;
        }
        if (err == KK_OK) {
            rc = record_cert(s, &v);
        }
    }
    if (rc == KK_OK) {
        rc = s->info.forward_secret
                 ? site_pass(c, "tls.no_forward_secrecy")
                 : site_add(c, "tls.no_forward_secrecy", "%s", s->info.suite);
    }
out:
    site_tls_close(&t);
    if (fd >= 0) {
        close(fd);
    }
    return rc;
}

/* Asks for one protocol version with a broad list of suites. */
static int probe_version(struct tls_stage *s, uint16_t version)
{
    uint16_t list[SITE_SUITES_MAX];
    struct site_hello_spec spec = {.version = version, .sni = s->sni};
    struct site_hello_reply reply;
    enum site_probe_result res;
    int rc;

    spec.n_suites = site_suites_select(0, 0, version, list, SITE_SUITES_MAX);
    spec.suites = list;
    rc = probe(s, &spec, &reply, &res);
    if (rc == KK_OK && res == SITE_PROBE_ACCEPTED) {
        /* A server answering a lower version accepts that one, and
         * refuses the one asked for. */
        s->known[V_IDX(reply.version)] = true;
        s->accepted[V_IDX(reply.version)] = true;
        s->known[V_IDX(version)] = true;
    } else if (rc == KK_OK && res == SITE_PROBE_REFUSED) {
        s->known[V_IDX(version)] = true;
    }
    return rc;
}

static int check_protocols(struct tls_stage *s)
{
    static const uint16_t legacy[] = {SITE_TLS_SSL3, SITE_TLS_10, SITE_TLS_11};
    char ev[64] = "";
    bool all_known = true;
    int rc = KK_OK;

    for (size_t i = 0; rc == KK_OK && i < 3; i++) {
        if (!s->known[V_IDX(legacy[i])]) {
            rc = probe_version(s, legacy[i]);
        }
    }
    for (size_t i = 0; rc == KK_OK && i < 3; i++) {
        size_t k = V_IDX(legacy[i]);
        all_known = all_known && s->known[k];
        if (s->accepted[k]) {
            size_t n = strlen(ev);
            snprintf(ev + n, sizeof ev - n, "%s%s", n > 0 ? ", " : "",
                     site_tls_version_name(legacy[i]));
        }
    }
    if (rc == KK_OK && ev[0] != '\0') {
        rc = site_add(s->c, "tls.protocol.legacy", "%s", ev);
    } else if (rc == KK_OK && all_known) {
        rc = site_pass(s->c, "tls.protocol.legacy");
    }
    return rc;
}

/* The highest of TLS 1.2, 1.1, 1.0 the server accepts, asking about TLS
 * 1.2 when the OpenSSL handshake did not settle it; 0 when none is, and
 * *only13 when the server is known to speak nothing below TLS 1.3. */
static int highest_version(struct tls_stage *s, uint16_t *out, bool *only13)
{
    int rc = KK_OK;
    *out = 0;
    *only13 = false;
    if (!s->known[V_IDX(SITE_TLS_12)] &&
        (!s->ossl_ok || s->info.version == TLS1_3_VERSION)) {
        rc = probe_version(s, SITE_TLS_12);
    }
    for (uint16_t v = SITE_TLS_12; rc == KK_OK && v >= SITE_TLS_10; v--) {
        if (s->accepted[V_IDX(v)]) {
            *out = v;
            break;
        }
    }
    *only13 = *out == 0 && s->ossl_ok && s->info.version == TLS1_3_VERSION &&
              s->known[V_IDX(SITE_TLS_12)] && s->known[V_IDX(SITE_TLS_11)] &&
              s->known[V_IDX(SITE_TLS_10)];
    return rc;
}

struct weak_class {
    const char *label;
    unsigned flags;
};

static const struct weak_class weak_classes[] = {
    {"RC4", SITE_SUITE_RC4},
    {"3DES", SITE_SUITE_3DES},
    {"EXPORT", SITE_SUITE_EXPORT | SITE_SUITE_DES},
    {"NULL", SITE_SUITE_NULL},
    {"anonymous", SITE_SUITE_ANON},
};

static int check_ciphers(struct tls_stage *s, uint16_t version, bool only13)
{
    char ev[KK_SITE_EVIDENCE_MAX] = "";
    bool all_known = true;
    int rc = KK_OK;
    size_t nc = sizeof weak_classes / sizeof weak_classes[0];

    if (version == 0) {
        /* Nothing below TLS 1.3: no weak suite can be chosen. */
        rc = only13 ? site_pass(s->c, "tls.cipher.weak") : KK_OK;
        goto out;
    }
    for (size_t i = 0; rc == KK_OK && i < nc; i++) {
        const struct weak_class *w = &weak_classes[i];
        uint16_t list[SITE_SUITES_MAX];
        struct site_hello_spec spec = {.version = version, .sni = s->sni};
        struct site_hello_reply reply;
        enum site_probe_result res;

        spec.n_suites =
            site_suites_select(w->flags, 0, version, list, SITE_SUITES_MAX);
        spec.suites = list;
        rc = probe(s, &spec, &reply, &res);
        if (rc != KK_OK) {
            break;
        }
        all_known = all_known && res != SITE_PROBE_UNKNOWN;
        if (res == SITE_PROBE_ACCEPTED) {
            const char *label = w->label;
            const char *name = site_suite_name(reply.cipher);
            unsigned f = site_suite_flags(reply.cipher);
            size_t n = strlen(ev);
            if ((w->flags & SITE_SUITE_DES) != 0 &&
                (f & SITE_SUITE_EXPORT) == 0) {
                label = "DES";
            }
            snprintf(ev + n, sizeof ev - n, "%s%s (%s)", n > 0 ? ", " : "",
                     label, name != NULL ? name : "?");
        }
    }
    if (rc == KK_OK && ev[0] != '\0') {
        rc = site_add(s->c, "tls.cipher.weak", "%s", ev);
    } else if (rc == KK_OK && all_known) {
        rc = site_pass(s->c, "tls.cipher.weak");
    }
out:
    return rc;
}

/* Without an OpenSSL handshake: does the server accept any (EC)DHE suite
 * at the version it speaks? */
static int check_fs_by_hand(struct tls_stage *s, uint16_t version)
{
    uint16_t list[SITE_SUITES_MAX];
    struct site_hello_spec spec = {.version = version, .sni = s->sni};
    struct site_hello_reply reply;
    enum site_probe_result res;
    int rc;

    spec.n_suites =
        site_suites_select(SITE_SUITE_FS, 0, version, list, SITE_SUITES_MAX);
    spec.suites = list;
    rc = probe(s, &spec, &reply, &res);
    if (rc == KK_OK && res == SITE_PROBE_ACCEPTED) {
        rc = site_pass(s->c, "tls.no_forward_secrecy");
    } else if (rc == KK_OK && res == SITE_PROBE_REFUSED) {
        rc = site_add(s->c, "tls.no_forward_secrecy",
                      "%s: no ECDHE or DHE suite",
                      site_tls_version_name(version));
    }
    return rc;
}

int site_check_tls(struct site_ctx *c)
{
    struct tls_stage s;
    uint16_t top = 0;
    bool only13 = false;
    int rc = KK_OK;

    memset(&s, 0, sizeof s);
    s.c = c;
    s.addr = c->addr4[0] != '\0' ? c->addr4 : c->addr6;
    s.sni = c->host_is_ip ? NULL : c->host;
    if (!c->https_up || s.addr[0] == '\0') {
        goto out;
    }
    rc = check_certificate(&s);
    if (rc == KK_OK) {
        rc = check_protocols(&s);
    }
    if (rc == KK_OK) {
        rc = highest_version(&s, &top, &only13);
    }
    if (rc == KK_OK) {
        rc = check_ciphers(&s, top, only13);
    }
    if (rc == KK_OK && !s.ossl_ok && top != 0) {
        rc = check_fs_by_hand(&s, top);
    }
out:
    return rc;
}
