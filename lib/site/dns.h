/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dns.h - inside lib/site: DNS queries bounded in time (dns.c), the
 * parsers of record data as libunbound hands it over (dns.c), SPF
 * (spf.c), DMARC and DKIM tag lists and the organisational domain
 * (dmarc.c).
 *
 * Everything here that reads bytes from the network is bounded: record
 * data through kk_span, texts by SITE_TXT_MAX, record sets by
 * KK_SITE_DNS_ANSWERS_MAX, SPF expansion by SITE_SPF_FETCH_MAX queries.
 * The parsers are pure and take no context, so the unit tests and fuzz
 * targets call them without a resolver; SPF's lookup counting gets its
 * records through a callback for the same reason.
 */
#ifndef KALKAN_SITE_DNS_H
#define KALKAN_SITE_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kalkan/kk.h"

struct site_ctx;

#define SITE_TXT_MAX 4096 /* bytes of one TXT record's joined text */
/* SPF records fetched through include and redirect for one check: the
 * count of lookups goes on past the limit of 10 up to here, so the
 * evidence can say "13 DNS lookups" rather than only "too many". */
#define SITE_SPF_FETCH_MAX 20
#define SITE_SPF_DEPTH_MAX 10    /* include/redirect nesting followed */
#define SITE_SPF_INCLUDES_MAX 24 /* include targets kept per record */
#define SITE_SPF_WHY_MAX 160     /* bytes of an SPF or DMARC error reason */

/* DNS record types used here. */
#define SITE_RR_A 1
#define SITE_RR_SOA 6
#define SITE_RR_MX 15
#define SITE_RR_TXT 16
#define SITE_RR_AAAA 28
#define SITE_RR_CAA 257

/* ---- Reasons (spf.c), for the SPF and DMARC parsers ---- */

/* Formats a reason into why (cap bytes); why may be NULL. */
void site_why(char *why, size_t cap, const char *fmt, ...) KK_PRINTF(3, 4);
/* A printable copy of at most max bytes of s[0..n) for a reason: bytes
 * outside printable ASCII become '?', a cut is marked with "...". */
void site_quote(const char *s, size_t n, size_t max, char *out, size_t cap);

/* ---- Record data (wire format, names uncompressed) ---- */

/*
 * Joins the character-strings of a TXT record's data (p, len) into out
 * with nothing between them (RFC 7208 3.3).  KK_ERR_INVAL when a string
 * runs past the data, the data is empty or holds a NUL byte; KK_ERR_TRUNC
 * when the text does not fit in cap bytes with its NUL.  out is written
 * only on success.
 */
int site_rdata_txt(const void *p, size_t len, char *out, size_t cap);

/*
 * An MX record's data: the preference and the exchange host, lower case,
 * without the final dot; the root name (a null MX, RFC 7505) gives ".".
 * KK_ERR_INVAL for a truncated or compressed name, a label with bytes
 * other than letters, digits, '-' and '_', or trailing bytes;
 * KK_ERR_TRUNC when the name does not fit in cap.
 */
int site_rdata_mx(const void *p, size_t len, unsigned *pref, char *host,
                  size_t cap);

/* A CAA record (RFC 8659). */
struct site_caa {
    unsigned flags;
    char tag[16];    /* lower case, 1-15 letters and digits */
    char value[256]; /* printable ASCII */
};

/* Parses a CAA record's data into out.  KK_ERR_INVAL for a bad tag, a
 * value with control or non-ASCII bytes, or truncated data;
 * KK_ERR_TRUNC for a value over 255 bytes. */
int site_rdata_caa(const void *p, size_t len, struct site_caa *out);

/* Prints the data of an A (len 4) or AAAA (len 16) record into out;
 * KK_ERR_INVAL for any other length, KK_ERR_TRUNC when cap is short. */
int site_rdata_addr(const void *p, size_t len, char *out, size_t cap);

/* ---- Sets of TXT records ---- */

struct site_txt {
    char *rec[KK_SITE_DNS_ANSWERS_MAX]; /* malloc'd texts, owned here */
    size_t n;
    bool nxdomain; /* the name does not exist (else: it exists) */
};

/* Frees the texts and empties t; safe on a zeroed one. */
void site_txt_clear(struct site_txt *t);
/* Adds a copy of text: KK_ERR_LIMIT when t is full, KK_ERR_NOMEM. */
int site_txt_add(struct site_txt *t, const char *text);

/*
 * The TXT records of name, for the SPF counter: fills out (zeroed by the
 * caller; the caller clears it) and returns KK_OK, also when the name has
 * no TXT record or does not exist; any other code means the lookup could
 * not be made (its records are then unknown).
 */
typedef int (*site_txt_fn)(void *arg, const char *name, struct site_txt *out);

/* ---- Queries (dns.c) ---- */

/*
 * The TXT records of name through the checker's resolver, within
 * c->timeout_ms: KK_OK with out filled (see site_txt_fn; records with a
 * NUL byte or over SITE_TXT_MAX bytes are left out), KK_ERR_TIMEOUT,
 * KK_ERR_IO (server failure or a resolver error), KK_ERR_INVAL for a
 * name too long, KK_ERR_NOMEM.
 */
int site_dns_txt(struct site_ctx *c, const char *name, struct site_txt *out);
/* site_dns_txt as a site_txt_fn: arg is the struct site_ctx. */
int site_dns_txt_fn(void *arg, const char *name, struct site_txt *out);

/* ---- SPF (spf.c, RFC 7208) ---- */

/* True when text is an SPF record: "v=spf1" in any case, then a space or
 * the end. */
bool site_spf_is_record(const char *text);

/* One parsed SPF record. */
struct site_spf {
    char all;            /* qualifier of "all" ('+', '-', '~', '?'), or 0 */
    unsigned terms;      /* directives and modifiers */
    unsigned lookups;    /* include, a, mx, ptr, exists, and redirect when
                            no "all" makes it unused (RFC 7208 4.6.4) */
    bool has_redirect;   /* a redirect modifier */
    bool redirect_macro; /* its target holds a macro */
    char redirect[KK_SITE_HOST_MAX + 1]; /* without a final dot */
    size_t n_include;                    /* all include targets seen */
    struct {
        char qual;  /* '+', '-', '~', '?' */
        bool macro; /* the target holds a macro: it cannot be fetched */
        char domain[KK_SITE_HOST_MAX + 1];
    } include[SITE_SPF_INCLUDES_MAX]; /* the first SITE_SPF_INCLUDES_MAX */
};

/*
 * Parses one SPF record (the text site_spf_is_record accepted) into out.
 * KK_ERR_INVAL with a short reason in why ("unknown mechanism 'foo'") on
 * a syntax error; out is then undefined.
 */
int site_spf_parse(const char *text, struct site_spf *out, char *why,
                   size_t why_cap);

/* The verdict on a domain's SPF policy, include and redirect followed. */
struct site_spf_eval {
    bool invalid;               /* a permanent error (RFC 7208 2.6.7) */
    char why[SITE_SPF_WHY_MAX]; /* its reason */
    unsigned lookups;           /* DNS-querying terms counted */
    bool lookups_capped;        /* counting stopped early: at least lookups */
    bool incomplete;            /* a lookup failed: the count may be low */
    char all;                   /* the policy's "all" after redirects, or 0 */
    bool all_known; /* false when a redirect could not be followed */
    char pass_include[KK_SITE_HOST_MAX + 1]; /* an include with a pass
                           qualifier whose record passes everyone, or "" */
    bool only_fail_all; /* the record is "v=spf1 -all": sends no mail */
};

/*
 * Judges a domain's SPF record text: parses it, then follows include
 * and redirect targets through fn (at most SITE_SPF_FETCH_MAX of them,
 * SITE_SPF_DEPTH_MAX deep), counting lookups.  Targets with macros are
 * counted but not fetched.  Returns KK_OK with out filled (out->invalid
 * says whether the policy has a permanent error), or KK_ERR_NOMEM.
 */
int site_spf_eval(const char *text, site_txt_fn fn, void *arg,
                  struct site_spf_eval *out);

/* ---- DMARC, DKIM and the organisational domain (dmarc.c) ---- */

/* True when text claims to be a DMARC record: blanks, "v", blanks, "=",
 * blanks, "DMARC1" in any case (RFC 7489 6.6.3; blanks may be none). */
bool site_dmarc_is_record(const char *text);

enum site_dmarc_policy {
    SITE_DMARC_UNSET = 0,
    SITE_DMARC_NONE = 1,
    SITE_DMARC_QUARANTINE = 2,
    SITE_DMARC_REJECT = 3,
};

struct site_dmarc {
    enum site_dmarc_policy p;
    enum site_dmarc_policy sp; /* SITE_DMARC_UNSET when absent */
    unsigned pct;              /* 100 when absent */
    bool rua;                  /* aggregate reports are asked for */
    bool ruf;
};

/*
 * Parses a DMARC record (RFC 7489 6.3-6.4): v=DMARC1 first and exact, a
 * known p, valid sp, pct, adkim, aspf, rua, ruf, ri and fo values, no tag
 * twice; unknown tags are ignored as the RFC requires.  KK_ERR_INVAL with
 * a short reason in why otherwise.
 */
int site_dmarc_parse(const char *text, struct site_dmarc *out, char *why,
                     size_t why_cap);

/* True when a DKIM key record (RFC 6376 3.6.1) has a non-empty p= tag, so
 * it publishes a key rather than a revoked one.  Lenient: a record the
 * tag-list grammar refuses has no key. */
bool site_dkim_has_key(const char *text);

/*
 * The organisational domain of host, approximated without the Public
 * Suffix List: the last two labels, or three when the last two are a
 * known second-level suffix (com.kg, org.kg, co.uk, ...).  The host
 * itself when it has fewer labels.  KK_ERR_TRUNC when cap is short,
 * KK_ERR_INVAL for an empty host.
 */
int site_org_domain(const char *host, char *out, size_t cap);

#endif
