/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * site_int.h - shared inside lib/site: the report's layout, the checking
 * context every stage works on, and the interfaces between the stages.
 *
 * A check runs in stages on one thread (check.c): resolve the host, fetch
 * the home page once over HTTPS and HTTP, then dns/mail (dns.c, mail.c),
 * tls (tls.c, hello.c), headers (web.c), exposure (exposure.c, cms.c) and
 * the mail servers' STARTTLS (smtp.c).  Stages record findings with
 * site_add and passed checks with site_pass; grade.c turns the findings
 * into a grade, render.c into JSON or text.  Every stage spends from one
 * budget of HTTP requests and TLS handshakes (limits.h).
 */
#ifndef KALKAN_SITE_INT_H
#define KALKAN_SITE_INT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kalkan/kk.h"
#include "kalkan/site.h"

#define SITE_ADDR_MAX 64 /* bytes of a printed address, with brackets */
#define SITE_MX_MAX 4    /* mail servers looked at */
#define SITE_CAPS_MAX 16

/* ---- The report (report.c owns it; grade.c fills the grade) ---- */

struct site_report {
    char host[KK_SITE_HOST_MAX + 1];
    char url[KK_SITE_URL_MAX];
    int64_t checked_at;
    int64_t elapsed_ms;
    unsigned requests;
    unsigned handshakes;
    int64_t cert_expiry;
    char failure[16];
    char failure_detail[256];
    struct site_result *res; /* evidence strings are malloc'd */
    size_t n_res;
    size_t cap_res;
    char **passed;
    size_t n_passed;
    size_t cap_passed;
    bool area_checked[SITE_AREA_COUNT];
    /* Filled by site_grade. */
    char grade[3];
    int score;
    int area_score[SITE_AREA_COUNT];
    struct {
        const char *id;
        char grade[3];
    } caps[SITE_CAPS_MAX];
    size_t n_caps;
    const char *best_fix;
};

/* A new empty report; NULL on no memory. */
struct site_report *site_report_new(void);
/* Records a finding (evidence is copied, cut to KK_SITE_EVIDENCE_MAX).  A
 * second finding with the same id appends its evidence with "; ".
 * KK_ERR_INVAL for an id not in the catalogue. */
int site_report_add(struct site_report *r, const char *id,
                    const char *evidence);
/* Records a passed check (once per id). */
int site_report_pass(struct site_report *r, const char *id);
/* Sorts findings (worst first, then id) and passed ids; drops passed ids
 * that were also found. */
void site_report_sort(struct site_report *r);

/*
 * Computes grade, score, area scores, caps and the best fix from the
 * findings and r->area_checked (grade.c, docs/site-grading.md).  Pure:
 * the same findings give the same grade.
 */
void site_grade(struct site_report *r);

/* ---- HTTP responses (http.c) ---- */

struct site_resp {
    long status;                    /* 0 when no response came */
    char ctype[128];                /* media type, lower case, no parameters */
    char location[KK_SITE_URL_MAX]; /* Location header, "" if none */
    struct kk_buf *headers;         /* the header block, "Name: value\r\n"... */
    struct kk_buf *body;            /* at most KK_SITE_BODY_MAX bytes */
    bool truncated;                 /* the body was longer */
    char error[256];                /* why no response came */
};

/* Frees the buffers and zeroes the response; safe on a zeroed one. */
void site_resp_clear(struct site_resp *resp);
/*
 * The value of the first header called name (case-insensitive) copied into
 * out, or false.  Multiple headers of that name: see site_resp_header_n.
 */
bool site_resp_header(const struct site_resp *resp, const char *name, char *out,
                      size_t cap);
/* The i-th header called name (0-based), as site_resp_header. */
bool site_resp_header_n(const struct site_resp *resp, const char *name,
                        size_t i, char *out, size_t cap);

/* ---- The checking context ---- */

enum site_dnssec {
    SITE_DNSSEC_UNKNOWN = 0,
    SITE_DNSSEC_SECURE = 1,
    SITE_DNSSEC_INSECURE = 2,
    SITE_DNSSEC_BOGUS = 3,
};

struct site_mx {
    char host[KK_SITE_HOST_MAX + 1];
    char addr[SITE_ADDR_MAX]; /* numeric, "" when it did not resolve */
    unsigned pref;
};

struct site_dns; /* dns.c */

struct site_ctx {
    const struct site_opts *o;
    struct site_report *r;
    char host[KK_SITE_HOST_MAX + 1]; /* lower case */
    char path[KK_SITE_URL_MAX];      /* of the target URL, "/" by default */
    bool host_is_ip;
    unsigned http_port;
    unsigned https_port;
    unsigned smtp_port;
    int64_t now;
    unsigned timeout_ms;
    /* Addresses the host's web ports are reached at (numeric, no
     * brackets); "" when there is none. */
    char addr4[SITE_ADDR_MAX];
    char addr6[SITE_ADDR_MAX];
    /* The mail domain (the host without "www.") and its mail servers,
     * filled by the dns stage. */
    char domain[KK_SITE_HOST_MAX + 1];
    struct site_mx mx[SITE_MX_MAX];
    size_t n_mx;
    enum site_dnssec dnssec;
    struct site_dns *dns;
    void *curl;
    /* Home page fetched once by check.c: over https (status 0 when HTTPS
     * does not answer) and over http (status 0 when HTTP does not). */
    struct site_resp home_https;
    struct site_resp home_http;
    bool https_up;
    bool http_up;
    /* http.c: whether curl holds an open HTTPS connection to reuse (the
     * last request was over HTTPS and the server kept it open), so the
     * next HTTPS request costs no handshake. */
    bool https_kept;
};

/* Records a finding with printf-formatted evidence ("" for none).  Returns
 * KK_ERR_INVAL for an unknown id, so a typo fails the tests. */
int site_add(struct site_ctx *c, const char *id, const char *fmt, ...)
    KK_PRINTF(3, 4);
/* Records that the check called id ran and found nothing. */
int site_pass(struct site_ctx *c, const char *id);
/* Takes one TLS handshake from the budget: KK_ERR_LIMIT when spent. */
int site_tls_take(struct site_ctx *c);
/* Reports progress ("tls"...) to the caller's callback, if any. */
void site_stage(struct site_ctx *c, const char *stage);

/*
 * Connects a TCP socket to addr (numeric IPv4 or IPv6) and port within
 * c->timeout_ms and sets the same timeout on reads and writes.  Returns
 * the descriptor or a negative kk_err (KK_ERR_TIMEOUT, KK_ERR_IO).
 */
int site_connect(const struct site_ctx *c, const char *addr, unsigned port);
/* Milliseconds of the monotonic clock, for deadlines. */
int64_t site_mono_ms(void);
/* Sends all len bytes on fd (a socket of site_connect, whose send timeout
 * applies): KK_OK, KK_ERR_TIMEOUT or KK_ERR_IO. */
int site_send_all(int fd, const void *p, size_t len);
/* Waits until deadline (site_mono_ms) for bytes on fd and reads at most
 * cap of them into buf: KK_OK with *got > 0, or with *got == 0 when the
 * peer closed or reset the connection; KK_ERR_TIMEOUT; KK_ERR_IO. */
int site_recv_until(int fd, void *buf, size_t cap, int64_t deadline,
                    size_t *got);
/* The address of host for port: a matching --resolve entry first, then
 * the DNS (A, else AAAA).  KK_ERR_NOTFOUND when it does not resolve. */
int site_addr_for(struct site_ctx *c, const char *host, unsigned port,
                  char *out, size_t cap);

/*
 * One HTTP request to the checked host (http.c): scheme "http" or
 * "https", path starting with "/", method "GET", "HEAD" or "POST" (body
 * then sent as text/xml).  No redirect is followed.  Certificates are not
 * verified here (tls.c judges them), so a self-signed site is still read.
 * Spends one request of the budget: KK_ERR_LIMIT when none is left.
 * Returns KK_OK with resp->status 0 and resp->error set when the server
 * did not answer; the caller clears resp.
 */
int site_http(struct site_ctx *c, const char *scheme, const char *path,
              const char *method, const char *body, struct site_resp *resp);

/* ---- The stages: each records findings, returns KK_OK unless out of
 * memory or misused.  A check that cannot run records nothing. ---- */

/* dns.c: opens the resolver (libunbound; o->dns, o->trust_anchor). */
int site_dns_open(struct site_ctx *c, struct kk_diag *d);
void site_dns_close(struct site_ctx *c);
/* dns.c: A and AAAA of host (numeric strings, "" if none).
 * KK_ERR_NOTFOUND when it has neither. */
int site_dns_addrs(struct site_ctx *c, const char *host, char *a4, size_t cap4,
                   char *a6, size_t cap6);
/* dns.c: DNSSEC state, CAA, IPv6 reachability; fills c->domain, c->mx,
 * c->dnssec.  Area dns. */
int site_check_dns(struct site_ctx *c);
/* mail.c: SPF, DMARC, DKIM of c->domain.  Area mail. */
int site_check_mail(struct site_ctx *c);
/* tls.c: certificate, protocols, ciphers of the HTTPS port; sets
 * c->r->cert_expiry.  Area tls. */
int site_check_tls(struct site_ctx *c);
/* smtp.c: STARTTLS and its TLS on each of c->mx.  Area mail. */
int site_check_smtp(struct site_ctx *c);
/* web.c: HTTPS, redirects, headers, cookies, mixed content, leaks,
 * security.txt.  Area headers. */
int site_check_headers(struct site_ctx *c);
/* exposure.c, cms.c: exposed files, directory listing, CMS and
 * WordPress.  Area exposure. */
int site_check_exposure(struct site_ctx *c);

#endif
