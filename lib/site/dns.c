/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dns.c - the checker's resolver and the dns stage: DNSSEC state of the
 * host, CAA, IPv6 reachability, and the domain's mail servers for the
 * mail and smtp stages.
 *
 * Resolution goes through libunbound, which validates DNSSEC itself, so
 * the checker tells "signed and valid", "unsigned" and "tampered with"
 * apart even behind a forwarder that does not validate.  Every query is
 * asynchronous (a resolver thread) and waited for with poll() up to
 * c->timeout_ms, then cancelled: a dead resolver costs one timeout, after
 * which the context is marked dead and later queries fail at once, so a
 * check never waits for it forty times over.
 *
 * Bogus answers: a validating resolver refuses them (SERVFAIL), as a
 * browser behind one would fail to reach the site.  We keep the data
 * anyway (libunbound hands it over with the bogus flag) so the site can
 * still be judged, and the dns stage reports dnssec.bogus: "your records
 * are broken" is more useful to an editor than "your site is down".
 *
 * Record data comes from libunbound as wire bytes with names
 * uncompressed; every parser here reads it through kk_span.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <unbound.h>

#include "dns.h"
#include "site_int.h"

/* System trust anchors for the root, read-only (ub_ctx_add_ta_file: the
 * automatic-update variant would write to the file, and the checker runs
 * unprivileged).  Debian's dns-root-data first, then the file unbound's
 * package keeps current.  With none of them DNSSEC is not judged. */
static const char *const root_anchors[] = {
    "/usr/share/dns/root.key",
    "/var/lib/unbound/root.key",
};

struct site_dns {
    struct ub_ctx *ub;
    bool anchored; /* a trust anchor is loaded: DNSSEC can be judged */
    bool dead;     /* a query timed out: later ones fail at once */
};

/* ---- Record data ---- */

int site_rdata_txt(const void *p, size_t len, char *out, size_t cap)
{
    struct kk_span s;
    size_t total = 0;
    uint8_t n;
    const uint8_t *b;

    if (p == NULL || len == 0 || cap == 0) {
        return KK_ERR_INVAL;
    }
    /* First pass: check every string and measure; then copy. */
    s = kk_span_make(p, len);
    while (kk_span_left(&s) > 0) {
        if (kk_span_get_u8(&s, &n) != KK_OK ||
            kk_span_get_bytes(&s, n, &b) != KK_OK ||
            memchr(b, '\0', n) != NULL) {
            return KK_ERR_INVAL;
        }
        total += n;
    }
    if (total >= cap) {
        return KK_ERR_TRUNC;
    }
    s = kk_span_make(p, len);
    total = 0;
    while (kk_span_left(&s) > 0) {
        if (kk_span_get_u8(&s, &n) != KK_OK ||
            kk_span_get_bytes(&s, n, &b) != KK_OK) {
            return KK_ERR_INVAL;
        }
        memcpy(out + total, b, n);
        total += n;
    }
    out[total] = '\0';
    return KK_OK;
}

int site_rdata_mx(const void *p, size_t len, unsigned *pref, char *host,
                  size_t cap)
{
    struct kk_span s;
    char name[KK_SITE_HOST_MAX + 2];
    size_t k = 0;
    size_t wire = 0;
    uint8_t hi;
    uint8_t lo;
    uint8_t l;
    const uint8_t *b;

    if (p == NULL) {
        return KK_ERR_INVAL;
    }
    s = kk_span_make(p, len);
    if (kk_span_get_u8(&s, &hi) != KK_OK || kk_span_get_u8(&s, &lo) != KK_OK) {
        return KK_ERR_INVAL;
    }
    for (;;) {
        if (kk_span_get_u8(&s, &l) != KK_OK) {
            return KK_ERR_INVAL;
        }
        wire += 1 + (size_t)l;
        if (l == 0) {
            break;
        }
        /* 0xc0: a compression pointer, which libunbound never leaves;
         * 0x40 and 0x80 are unassigned label types. */
        if (l > 63 || wire > 255 || kk_span_get_bytes(&s, l, &b) != KK_OK) {
            return KK_ERR_INVAL;
        }
        if (k + (k > 0) + l >= sizeof name) {
            return KK_ERR_INVAL;
        }
        if (k > 0) {
            name[k++] = '.';
        }
        for (size_t i = 0; i < l; i++) {
            char ch = (char)b[i];
            if (ch >= 'A' && ch <= 'Z') {
                ch = (char)(ch - 'A' + 'a');
            }
            if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                  ch == '-' || ch == '_')) {
                return KK_ERR_INVAL;
            }
            name[k++] = ch;
        }
    }
    if (kk_span_left(&s) != 0) {
        return KK_ERR_INVAL;
    }
    if (k == 0) {
        name[k++] = '.';
    }
    name[k] = '\0';
    if (k >= cap) {
        return KK_ERR_TRUNC;
    }
    memcpy(host, name, k + 1);
    *pref = (unsigned)hi << 8 | lo;
    return KK_OK;
}

int site_rdata_caa(const void *p, size_t len, struct site_caa *out)
{
    struct kk_span s;
    uint8_t flags;
    uint8_t tl;
    const uint8_t *tag;
    const uint8_t *val;
    size_t vl;

    if (p == NULL) {
        return KK_ERR_INVAL;
    }
    s = kk_span_make(p, len);
    if (kk_span_get_u8(&s, &flags) != KK_OK ||
        kk_span_get_u8(&s, &tl) != KK_OK || tl == 0 || tl >= sizeof out->tag ||
        kk_span_get_bytes(&s, tl, &tag) != KK_OK) {
        return KK_ERR_INVAL;
    }
    for (size_t i = 0; i < tl; i++) {
        char ch = (char)tag[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9'))) {
            return KK_ERR_INVAL;
        }
    }
    vl = kk_span_left(&s);
    if (kk_span_get_bytes(&s, vl, &val) != KK_OK) {
        return KK_ERR_INVAL;
    }
    for (size_t i = 0; i < vl; i++) {
        if (val[i] < 0x20 || val[i] > 0x7e) {
            return KK_ERR_INVAL;
        }
    }
    if (vl >= sizeof out->value) {
        return KK_ERR_TRUNC;
    }
    out->flags = flags;
    for (size_t i = 0; i < tl; i++) {
        char ch = (char)tag[i];
        out->tag[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
    }
    out->tag[tl] = '\0';
    memcpy(out->value, val, vl);
    out->value[vl] = '\0';
    return KK_OK;
}

int site_rdata_addr(const void *p, size_t len, char *out, size_t cap)
{
    char a[INET6_ADDRSTRLEN];
    int af = len == 4 ? AF_INET : len == 16 ? AF_INET6 : 0;

    if (p == NULL || af == 0 || inet_ntop(af, p, a, sizeof a) == NULL) {
        return KK_ERR_INVAL;
    }
    if (strlen(a) >= cap) {
        return KK_ERR_TRUNC;
    }
    memcpy(out, a, strlen(a) + 1);
    return KK_OK;
}

/* ---- TXT record sets ---- */

void site_txt_clear(struct site_txt *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->rec[i]);
    }
    memset(t, 0, sizeof *t);
}

int site_txt_add(struct site_txt *t, const char *text)
{
    if (t->n >= KK_SITE_DNS_ANSWERS_MAX) {
        return KK_ERR_LIMIT;
    }
    char *copy = strdup(text);
    if (copy == NULL) {
        return KK_ERR_NOMEM;
    }
    t->rec[t->n++] = copy;
    return KK_OK;
}

/* ---- The resolver ---- */

/* "ADDR" or "ADDR@PORT": a numeric IPv4 or IPv6 address, a port from 1
 * to 65535. */
static bool fwd_ok(const char *s)
{
    char a[INET6_ADDRSTRLEN + 1];
    unsigned char bin[16];
    uint64_t port;
    const char *at = strchr(s, '@');
    size_t al = at != NULL ? (size_t)(at - s) : strlen(s);

    if (al == 0 || al >= sizeof a) {
        return false;
    }
    memcpy(a, s, al);
    a[al] = '\0';
    if (inet_pton(AF_INET, a, bin) != 1 && inet_pton(AF_INET6, a, bin) != 1) {
        return false;
    }
    return at == NULL || kk_parse_u64(at + 1, 1, 65535, &port) == KK_OK;
}

/*
 * A resolver context for o, with the trust anchor file ta (NULL: none).
 * Resolves "localhost" (a local zone: no packet is sent) to make
 * libunbound read its configuration now, so a bad anchor file is
 * reported here.  KK_ERR_INVAL with d set, KK_ERR_NOMEM.
 */
static int ctx_make(const struct site_opts *o, const char *ta,
                    struct ub_ctx **out, struct kk_diag *d)
{
    struct ub_ctx *ub = ub_ctx_create();
    struct ub_result *res = NULL;
    int rc = KK_ERR_INVAL;
    int e;

    if (ub == NULL) {
        return KK_ERR_NOMEM;
    }
    /* A library never prints: libunbound's log goes to no stream at all.
     * (Its log is one per process; a log file would be opened and closed
     * again by every context, under the feet of checks on other threads,
     * while no stream is only a pointer set.) */
    if (ub_ctx_async(ub, 1) != 0 || ub_ctx_debugout(ub, NULL) != 0) {
        kk_diag_set(d, "the DNS resolver cannot be set up");
        goto out;
    }
    if (o->dns != NULL) {
        if (ub_ctx_set_fwd(ub, o->dns) != 0) {
            kk_diag_set(d, "--dns '%.100s' is not ADDRESS or ADDRESS@PORT",
                        o->dns);
            goto out;
        }
        /* libunbound answers every name under "test." NXDOMAIN itself
         * (RFC 6761); a resolver named explicitly is asked instead, so
         * test and lab zones can be checked. */
        if (ub_ctx_set_option(ub, "local-zone:", "test. transparent") != 0) {
            kk_diag_set(d, "the DNS resolver cannot be set up");
            goto out;
        }
    } else {
        /* Without resolv.conf libunbound resolves from the root itself. */
        (void)ub_ctx_resolvconf(ub, NULL);
        (void)ub_ctx_hosts(ub, NULL);
    }
    if (ta != NULL && ub_ctx_add_ta_file(ub, ta) != 0) {
        kk_diag_set(d, "the trust anchor file '%.100s' cannot be used", ta);
        goto out;
    }
    e = ub_resolve(ub, "localhost", SITE_RR_A, 1, &res);
    if (e != 0) {
        if (e == UB_NOMEM) {
            rc = KK_ERR_NOMEM;
        }
        kk_diag_set(d, "the DNS resolver did not start (%s)%s", ub_strerror(e),
                    ta != NULL ? "; is the trust anchor file valid?" : "");
        goto out;
    }
    *out = ub;
    ub = NULL;
    rc = KK_OK;
out:
    if (res != NULL) {
        ub_resolve_free(res);
    }
    if (ub != NULL) {
        ub_ctx_delete(ub);
    }
    return rc;
}

int site_dns_open(struct site_ctx *c, struct kk_diag *d)
{
    const struct site_opts *o = c->o;
    struct site_dns *s = calloc(1, sizeof *s);
    int rc = KK_ERR_NOMEM;

    if (s == NULL) {
        goto out;
    }
    rc = KK_ERR_INVAL;
    if (o->dns != NULL && !fwd_ok(o->dns)) {
        kk_diag_set(d, "--dns '%.100s' is not ADDRESS or ADDRESS@PORT", o->dns);
        goto out;
    }
    if (o->trust_anchor != NULL) {
        if (access(o->trust_anchor, R_OK) != 0) {
            kk_diag_set(d, "cannot read the trust anchor file '%.100s'",
                        o->trust_anchor);
            goto out;
        }
        rc = ctx_make(o, o->trust_anchor, &s->ub, d);
        s->anchored = rc == KK_OK;
        goto out;
    }
    for (size_t i = 0; i < sizeof root_anchors / sizeof root_anchors[0]; i++) {
        if (access(root_anchors[i], R_OK) != 0) {
            continue;
        }
        /* A system file libunbound cannot read is skipped: the check
         * then goes on without judging DNSSEC. */
        rc = ctx_make(o, root_anchors[i], &s->ub, d);
        if (rc == KK_OK || rc == KK_ERR_NOMEM) {
            s->anchored = rc == KK_OK;
            goto out;
        }
    }
    kk_diag_clear(d);
    rc = ctx_make(o, NULL, &s->ub, d);
out:
    if (rc == KK_OK) {
        c->dns = s;
        s = NULL;
    }
    free(s);
    return rc;
}

void site_dns_close(struct site_ctx *c)
{
    if (c->dns == NULL) {
        return;
    }
    if (c->dns->ub != NULL) {
        ub_ctx_delete(c->dns->ub);
    }
    free(c->dns);
    c->dns = NULL;
}

struct query {
    bool done;
    int err;
    struct ub_result *res;
};

static void query_done(void *arg, int err, struct ub_result *res)
{
    struct query *q = arg;
    q->done = true;
    q->err = err;
    q->res = res;
}

/*
 * One query (class IN) within c->timeout_ms: KK_OK with *out (the caller
 * frees it with ub_resolve_free), KK_ERR_TIMEOUT (the query is cancelled
 * and the resolver marked dead), KK_ERR_IO, KK_ERR_INVAL, KK_ERR_NOMEM.
 * A cancelled query's callback is never called (libunbound drops its
 * answer), so q may live on this stack frame.
 */
static int dns_query(struct site_ctx *c, const char *name, int type,
                     struct ub_result **out)
{
    struct site_dns *d = c->dns;
    struct query q = {.done = false, .err = 0, .res = NULL};
    bool pending = false;
    int id = 0;
    int rc = KK_ERR_INVAL;
    int e;

    if (d == NULL || d->ub == NULL || name == NULL || name[0] == '\0' ||
        strlen(name) > KK_SITE_HOST_MAX) {
        goto out;
    }
    rc = KK_ERR_TIMEOUT;
    if (d->dead) {
        goto out;
    }
    e = ub_resolve_async(d->ub, name, type, 1, &q, query_done, &id);
    if (e != 0) {
        rc = e == UB_NOMEM ? KK_ERR_NOMEM : KK_ERR_IO;
        goto out;
    }
    pending = true;
    int64_t deadline = site_mono_ms() + (int64_t)c->timeout_ms;
    int fd = ub_fd(d->ub);
    while (!q.done) {
        int64_t left = deadline - site_mono_ms();
        if (left <= 0) {
            d->dead = true;
            rc = KK_ERR_TIMEOUT;
            goto out;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int pr = poll(&p, 1, (int)left);
        if ((pr < 0 && errno != EINTR) || (pr > 0 && ub_process(d->ub) != 0)) {
            rc = KK_ERR_IO;
            goto out;
        }
    }
    pending = false;
    if (q.err != 0 || q.res == NULL) {
        rc = q.err == UB_NOMEM ? KK_ERR_NOMEM : KK_ERR_IO;
        goto out;
    }
    *out = q.res;
    q.res = NULL;
    rc = KK_OK;
out:
    if (pending) {
        (void)ub_cancel(d->ub, id);
    }
    if (q.res != NULL) {
        ub_resolve_free(q.res);
    }
    return rc;
}

/* The first address of type A or AAAA of name into out ("" when none):
 * KK_OK, or the query's error. */
static int first_addr(struct site_ctx *c, const char *name, int type, char *out,
                      size_t cap)
{
    struct ub_result *res = NULL;
    int rc = dns_query(c, name, type, &res);

    out[0] = '\0';
    if (rc != KK_OK) {
        return rc;
    }
    for (size_t i = 0;
         res->havedata && i < KK_SITE_DNS_ANSWERS_MAX && res->data[i] != NULL;
         i++) {
        if (site_rdata_addr(res->data[i], (size_t)res->len[i], out, cap) ==
            KK_OK) {
            break;
        }
        out[0] = '\0';
    }
    ub_resolve_free(res);
    return KK_OK;
}

int site_dns_addrs(struct site_ctx *c, const char *host, char *a4, size_t cap4,
                   char *a6, size_t cap6)
{
    char b4[SITE_ADDR_MAX];
    char b6[SITE_ADDR_MAX];
    int r4 = first_addr(c, host, SITE_RR_A, b4, sizeof b4);
    int r6 = KK_ERR_NOMEM;
    int rc = r4;

    if (r4 == KK_ERR_NOMEM) {
        goto out;
    }
    r6 = first_addr(c, host, SITE_RR_AAAA, b6, sizeof b6);
    rc = r6;
    if (r6 == KK_ERR_NOMEM) {
        goto out;
    }
    if (b4[0] == '\0' && b6[0] == '\0') {
        rc = r4 != KK_OK ? r4 : r6 != KK_OK ? r6 : KK_ERR_NOTFOUND;
        goto out;
    }
    rc = KK_ERR_TRUNC;
    if (strlen(b4) >= cap4 || strlen(b6) >= cap6) {
        goto out;
    }
    memcpy(a4, b4, strlen(b4) + 1);
    memcpy(a6, b6, strlen(b6) + 1);
    rc = KK_OK;
out:
    return rc;
}

int site_dns_txt(struct site_ctx *c, const char *name, struct site_txt *out)
{
    struct ub_result *res = NULL;
    char *text = NULL;
    int rc = dns_query(c, name, SITE_RR_TXT, &res);

    if (rc != KK_OK) {
        return rc;
    }
    if (res->rcode == 3) {
        out->nxdomain = true;
        goto out;
    }
    if (res->rcode != 0) {
        rc = KK_ERR_IO;
        goto out;
    }
    text = malloc(SITE_TXT_MAX + 1);
    if (text == NULL) {
        rc = KK_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0;
         res->havedata && i < KK_SITE_DNS_ANSWERS_MAX && res->data[i] != NULL;
         i++) {
        if (site_rdata_txt(res->data[i], (size_t)res->len[i], text,
                           SITE_TXT_MAX + 1) != KK_OK) {
            continue;
        }
        rc = site_txt_add(out, text);
        if (rc != KK_OK) {
            goto out;
        }
    }
out:
    free(text);
    ub_resolve_free(res);
    return rc;
}

int site_dns_txt_fn(void *arg, const char *name, struct site_txt *out)
{
    return site_dns_txt(arg, name, out);
}

/* ---- The dns stage ---- */

/* The mail domain: the host without a leading "www." when what remains
 * still has a dot ("www.example.com" -> "example.com"; "www.kg" stays).
 * The web site's www name rarely carries the domain's mail records. */
static void set_domain(struct site_ctx *c)
{
    const char *h = c->host;
    if (strncmp(h, "www.", 4) == 0 && strchr(h + 4, '.') != NULL) {
        h += 4;
    }
    snprintf(c->domain, sizeof c->domain, "%s", h);
}

static int mx_cmp(const void *a, const void *b)
{
    const struct site_mx *x = a;
    const struct site_mx *y = b;
    if (x->pref != y->pref) {
        return x->pref < y->pref ? -1 : 1;
    }
    return strcmp(x->host, y->host);
}

/*
 * The domain's mail servers, by preference, into c->mx.  A null MX
 * ("0 .", RFC 7505) means the domain takes no mail: no server.  A domain
 * without MX records would get mail at its own address (RFC 5321 5.1),
 * but that is the web server: we do not treat it as a mail server.
 */
static int find_mail_servers(struct site_ctx *c)
{
    struct ub_result *res = NULL;
    struct site_mx *all = NULL;
    size_t n = 0;
    int rc = dns_query(c, c->domain, SITE_RR_MX, &res);

    c->n_mx = 0;
    if (rc != KK_OK) {
        return rc == KK_ERR_NOMEM ? rc : KK_OK;
    }
    all = calloc(KK_SITE_DNS_ANSWERS_MAX, sizeof *all);
    if (all == NULL) {
        rc = KK_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0;
         res->havedata && i < KK_SITE_DNS_ANSWERS_MAX && res->data[i] != NULL;
         i++) {
        struct site_mx *m = &all[n];
        if (site_rdata_mx(res->data[i], (size_t)res->len[i], &m->pref, m->host,
                          sizeof m->host) != KK_OK ||
            strcmp(m->host, ".") == 0) {
            continue;
        }
        n++;
    }
    qsort(all, n, sizeof *all, mx_cmp);
    for (size_t i = 0; i < n && c->n_mx < SITE_MX_MAX; i++) {
        struct site_mx *m = &c->mx[c->n_mx++];
        *m = all[i];
        rc = site_addr_for(c, m->host, c->smtp_port, m->addr, sizeof m->addr);
        if (rc == KK_ERR_NOMEM) {
            goto out;
        }
        if (rc != KK_OK) {
            m->addr[0] = '\0';
        }
    }
    rc = KK_OK;
out:
    free(all);
    ub_resolve_free(res);
    return rc;
}

/* why_bogus without its "validation failure <name type class>: " prefix,
 * printable, at most 120 bytes. */
static void short_why(const char *why, char *out, size_t cap)
{
    const char *p = why != NULL ? why : "validation failed";
    const char *gt = strstr(p, ">: ");
    size_t k = 0;

    if (strncmp(p, "validation failure <", 20) == 0 && gt != NULL) {
        p = gt + 3;
    }
    for (; *p != '\0' && k < 120 && k + 1 < cap; p++) {
        unsigned char ch = (unsigned char)*p;
        out[k++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    out[k] = '\0';
}

/*
 * Whether the resolver path can carry DNSSEC at all: with the root's
 * anchor loaded, a forwarder that strips signatures (many home routers
 * do) makes every answer look tampered with.  The root's SOA tells: if it
 * too fails validation, the fault is the path, not the site.
 */
static bool path_strips_dnssec(struct site_ctx *c)
{
    struct ub_result *res = NULL;
    bool strips = dns_query(c, ".", SITE_RR_SOA, &res) != KK_OK;

    if (res != NULL) {
        strips = res->bogus != 0;
        ub_resolve_free(res);
    }
    return strips;
}

/* The validation state of the host's address answer (A, or AAAA when the
 * host has no A). */
static int check_dnssec(struct site_ctx *c)
{
    struct ub_result *res = NULL;
    struct ub_result *res6 = NULL;
    char why[128];
    int rc = KK_OK;

    if (!c->dns->anchored) {
        goto out; /* no trust anchor: nothing can be secure */
    }
    rc = dns_query(c, c->host, SITE_RR_A, &res);
    if (rc != KK_OK) {
        rc = rc == KK_ERR_NOMEM ? rc : KK_OK;
        goto out;
    }
    if (!res->havedata && !res->bogus) {
        rc = dns_query(c, c->host, SITE_RR_AAAA, &res6);
        if (rc == KK_ERR_NOMEM) {
            goto out;
        }
        if (rc == KK_OK && (res6->havedata || res6->bogus)) {
            ub_resolve_free(res);
            res = res6;
            res6 = NULL;
        }
    }
    rc = KK_OK;
    if (res->bogus) {
        if (path_strips_dnssec(c)) {
            goto out; /* the resolver's fault, not the site's */
        }
        c->dnssec = SITE_DNSSEC_BOGUS;
        short_why(res->why_bogus, why, sizeof why);
        rc = site_add(c, "dnssec.bogus", "%s", why);
    } else if (res->secure) {
        c->dnssec = SITE_DNSSEC_SECURE;
        rc = site_pass(c, "dnssec.bogus");
        if (rc == KK_OK) {
            rc = site_pass(c, "dnssec.unsigned");
        }
    } else if (res->rcode == 0 || res->rcode == 3) {
        c->dnssec = SITE_DNSSEC_INSECURE;
        rc = site_add(c, "dnssec.unsigned", "%s", c->host);
        if (rc == KK_OK) {
            rc = site_pass(c, "dnssec.bogus");
        }
    }
    /* Any other answer (a server failure that is not a validation
     * failure): the state is unknown and nothing is recorded. */
out:
    if (res6 != NULL) {
        ub_resolve_free(res6);
    }
    if (res != NULL) {
        ub_resolve_free(res);
    }
    return rc;
}

/*
 * CAA (RFC 8659): the records at the host or, failing that, at each
 * parent up to the organisational domain (above it sit public suffixes,
 * whose CAA records no outlet controls).  Any record counts as present;
 * a lookup that fails leaves the check unjudged.
 */
static int check_caa(struct site_ctx *c)
{
    char org[KK_SITE_HOST_MAX + 1];
    char names[KK_SITE_EVIDENCE_MAX];
    const char *name = c->host;
    struct ub_result *res = NULL;
    size_t used = 0;
    bool found = false;
    int rc = KK_OK;

    names[0] = '\0';
    if (site_org_domain(c->host, org, sizeof org) != KK_OK) {
        goto out;
    }
    for (unsigned step = 0; step < 10 && name != NULL; step++) {
        rc = dns_query(c, name, SITE_RR_CAA, &res);
        if (rc != KK_OK || (res->rcode != 0 && res->rcode != 3)) {
            rc = rc == KK_ERR_NOMEM ? rc : KK_OK;
            goto out; /* unknown: nothing is recorded */
        }
        found = res->havedata && res->data[0] != NULL;
        ub_resolve_free(res);
        res = NULL;
        if (found) {
            break;
        }
        int w = snprintf(names + used, sizeof names - used, "%s%s",
                         used > 0 ? ", " : "", name);
        if (w > 0 && (size_t)w < sizeof names - used) {
            used += (size_t)w;
        }
        if (strcmp(name, org) == 0) {
            break;
        }
        name = strchr(name, '.');
        name = name != NULL ? name + 1 : NULL;
    }
    if (found) {
        rc = site_pass(c, "dns.caa.missing");
    } else {
        rc = site_add(c, "dns.caa.missing", "none at %s", names);
    }
out:
    if (res != NULL) {
        ub_resolve_free(res);
    }
    return rc;
}

/*
 * IPv6: when the host publishes an AAAA record, each web port that
 * answered (over IPv4 when the host has an A record) must accept a TCP
 * connection on the IPv6 address too.  A connection is enough: a server
 * that accepts on IPv6 serves the same site in practice, and a TCP
 * connect spends neither HTTP requests nor TLS handshakes of the budget.
 */
static int check_ipv6(struct site_ctx *c)
{
    char a4[SITE_ADDR_MAX] = "";
    char a6[SITE_ADDR_MAX] = "";
    unsigned ports[2];
    size_t n_ports = 0;
    bool tried = false;
    bool broken = false;
    int rc = KK_OK;

    if (c->addr6[0] != '\0') {
        memcpy(a6, c->addr6, sizeof a6);
    } else {
        rc = site_dns_addrs(c, c->host, a4, sizeof a4, a6, sizeof a6);
        rc = rc == KK_ERR_NOMEM ? rc : KK_OK;
    }
    if (c->https_up) {
        ports[n_ports++] = c->https_port;
    }
    if (c->http_up) {
        ports[n_ports++] = c->http_port;
    }
    for (size_t i = 0; a6[0] != '\0' && i < n_ports && rc == KK_OK; i++) {
        int fd = site_connect(c, a6, ports[i]);
        if (fd >= 0) {
            close(fd);
            tried = true;
            continue;
        }
        if (fd != KK_ERR_IO && fd != KK_ERR_TIMEOUT) {
            continue; /* no IPv6 socket here: cannot judge */
        }
        tried = true;
        broken = true;
        rc = site_add(c, "ipv6.broken", "[%s]:%u %s", a6, ports[i],
                      fd == KK_ERR_TIMEOUT ? "timed out" : "refused");
    }
    if (rc == KK_OK && tried && !broken) {
        rc = site_pass(c, "ipv6.broken");
    }
    return rc;
}

int site_check_dns(struct site_ctx *c)
{
    int rc = KK_OK;

    /* An address as target has no domain: nothing to look at. */
    if (c->host_is_ip || c->dns == NULL) {
        goto out;
    }
    set_domain(c);
    rc = find_mail_servers(c);
    if (rc == KK_OK) {
        rc = check_dnssec(c);
    }
    if (rc == KK_OK) {
        rc = check_caa(c);
    }
    if (rc == KK_OK) {
        rc = check_ipv6(c);
    }
out:
    return rc;
}
