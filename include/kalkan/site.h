/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * site.h - the website and e-mail security checker (`kalkan site`).
 *
 * Checks a website from outside, the way an attacker sees it: TLS
 * (certificate, protocols, ciphers), HTTPS and security headers, cookies,
 * exposed files and the CMS, and the e-mail and DNS records of its domain.
 * Every finding has a stable id (the contract of docs/site.md), a severity,
 * and a title, explanation and fix in English, Russian and Kyrgyz.  The
 * result is graded A+ to F (docs/site-grading.md).
 *
 * Polite by construction: at most KK_SITE_HTTP_MAX requests and
 * KK_SITE_TLS_MAX handshakes per site, one connection at a time, no login
 * attempts.  The library never prints; the caller renders the report.
 */
#ifndef KALKAN_SITE_H
#define KALKAN_SITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kalkan/kk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Severities, in increasing order. */
enum site_sev {
    SITE_SEV_INFO = 0,
    SITE_SEV_LOW = 1,
    SITE_SEV_MEDIUM = 2,
    SITE_SEV_HIGH = 3,
    SITE_SEV_CRITICAL = 4,
};

/* The areas a site is scored in (docs/site-grading.md). */
enum site_area {
    SITE_AREA_TLS = 0,      /* certificate, protocols, ciphers */
    SITE_AREA_HEADERS = 1,  /* HTTPS, redirects, headers, cookies, content */
    SITE_AREA_EXPOSURE = 2, /* exposed files, CMS, WordPress */
    SITE_AREA_MAIL = 3,     /* SPF, DMARC, DKIM, STARTTLS */
    SITE_AREA_DNS = 4,      /* DNSSEC, CAA, IPv6 */
    SITE_AREA_COUNT = 5,
};

/* "info", "low", "medium", "high", "critical"; never NULL. */
KK_API const char *site_sev_name(enum site_sev s);
/* "tls", "headers", "exposure", "mail", "dns"; never NULL. */
KK_API const char *site_area_name(enum site_area a);

/* ---- The catalogue of findings ---- */

struct site_finding_def {
    const char *id; /* "tls.cert.expired" */
    enum site_area area;
    enum site_sev sev;
};

/* Number of finding ids, and the i-th (sorted by id).  Thread-safe. */
KK_API size_t site_finding_count(void);
KK_API const struct site_finding_def *site_finding_at(size_t i);
/* The definition of id, or NULL when there is no such finding. */
KK_API const struct site_finding_def *site_finding_find(const char *id);

/* ---- Texts in English, Russian and Kyrgyz ---- */

enum site_text_part {
    SITE_TEXT_TITLE = 0,  /* one line */
    SITE_TEXT_DETAIL = 1, /* why it matters, in plain words */
    SITE_TEXT_FIX = 2,    /* what to do: nginx, Apache, WordPress, DNS */
};

/*
 * The text of a finding id (or of an interface key "ui.*") in lang ("en",
 * "ru", "ky"; anything else is English), falling back to English when the
 * language lacks it.  Returns NULL only when even English lacks it.  The
 * texts are compiled in and immutable: thread-safe, never freed.
 */
KK_API const char *site_text(const char *id, enum site_text_part part,
                             const char *lang);
/* Like site_text but without the fallback: NULL when lang lacks the part.
 * For the test that every finding is translated. */
KK_API const char *site_text_exact(const char *id, enum site_text_part part,
                                   const char *lang);

/* ---- Options ---- */

#define SITE_RESOLVE_MAX 16
#define SITE_DKIM_SELECTORS_MAX 8

struct site_opts {
    const char *dns;          /* resolver "ADDR@PORT" or "ADDR"; NULL: system */
    const char *trust_anchor; /* DNSSEC trust anchor file; NULL: built in */
    const char *ca_file;      /* CA bundle; NULL: the system's */
    const char *resolve[SITE_RESOLVE_MAX]; /* "HOST:PORT:ADDR", as curl */
    size_t n_resolve;
    unsigned http_port;  /* 0: 80 */
    unsigned https_port; /* 0: 443 */
    unsigned smtp_port;  /* 0: 25 */
    int64_t now;         /* 0: the clock; for certificate dates */
    unsigned timeout_ms; /* per connection or query; 0: 10000 */
    const char *dkim_selectors[SITE_DKIM_SELECTORS_MAX]; /* extra selectors */
    size_t n_dkim_selectors;
    bool skip_mail; /* do not look at the domain's mail at all */
    /* A file of current CMS releases replacing the built-in list
     * (docs/site.md); NULL: the built-in list. */
    const char *cms_releases;
    /* Called at the start of each stage ("dns", "tls", "headers",
     * "exposure", "mail") from the checking thread; may be NULL. */
    void (*progress)(void *arg, const char *stage);
    void *progress_arg;
};

/* Sets every option to its default. */
KK_API void site_opts_init(struct site_opts *o);

/* ---- Checking ---- */

struct site_report;

/* One finding of a report. */
struct site_result {
    const char *id; /* a catalogue id */
    enum site_sev sev;
    enum site_area area;
    const char *evidence; /* what was seen ("/.env", "TLS 1.0"); never NULL */
};

/*
 * Checks target: a host name, "host:port" (the HTTPS port) or an URL
 * ("https://host:port/path").  Returns KK_ERR_INVAL (d says why) when the
 * target or an option is malformed, KK_ERR_NOMEM, or KK_OK with a report in
 * *out that the caller frees with site_report_free.  A site that could not
 * be checked still gives KK_OK: site_report_failure says why.  Blocking;
 * takes at most a few timeouts per stage.  Thread-safe: separate calls
 * share nothing.
 */
KK_API KK_WUR int site_check(const char *target, const struct site_opts *o,
                             struct site_report **out, struct kk_diag *d);
KK_API void site_report_free(struct site_report *r);

/*
 * NULL when the site was checked.  Otherwise a code: "dns" (the name does
 * not resolve), "unreachable" (nothing answers on the web ports),
 * "blocked" (a firewall or anti-bot service refused the checker), or
 * "timeout"; site_report_failure_detail says more in one English line.
 */
KK_API const char *site_report_failure(const struct site_report *r);
KK_API const char *site_report_failure_detail(const struct site_report *r);

/* The host name checked (lower case, without port). */
KK_API const char *site_report_host(const struct site_report *r);
/* The URL of the checked site ("https://host:port/"). */
KK_API const char *site_report_url(const struct site_report *r);
KK_API int64_t site_report_checked_at(const struct site_report *r);
KK_API int64_t site_report_elapsed_ms(const struct site_report *r);
KK_API unsigned site_report_requests(const struct site_report *r);
KK_API unsigned site_report_handshakes(const struct site_report *r);
/* Unix time the certificate expires, or 0 when none was seen. */
KK_API int64_t site_report_cert_expiry(const struct site_report *r);

/* Findings, sorted by severity (worst first), then id. */
KK_API size_t site_report_count(const struct site_report *r);
KK_API const struct site_result *site_report_at(const struct site_report *r,
                                                size_t i);
/* Ids of the checks that ran and passed, sorted. */
KK_API size_t site_report_passed_count(const struct site_report *r);
KK_API const char *site_report_passed_at(const struct site_report *r, size_t i);
/* The worst severity found, or -1 when there is no finding. */
KK_API int site_report_worst(const struct site_report *r);

/* ---- Grading (docs/site-grading.md) ---- */

/* "A+", "A", "A-", "B", "C", "D" or "F"; "" when not checked. */
KK_API const char *site_report_grade(const struct site_report *r);
/* 0-100. */
KK_API int site_report_score(const struct site_report *r);
/* 0-100, or -1 when the area was not checked. */
KK_API int site_report_area_score(const struct site_report *r,
                                  enum site_area a);
/* The findings that capped the grade: count, then the id and the grade it
 * was capped at. */
KK_API size_t site_report_cap_count(const struct site_report *r);
KK_API const char *site_report_cap_id(const struct site_report *r, size_t i);
KK_API const char *site_report_cap_grade(const struct site_report *r, size_t i);
/* The id of the finding whose fix raises the grade most, or NULL. */
KK_API const char *site_report_best_fix(const struct site_report *r);

/*
 * Grades findings seen elsewhere exactly as site_check grades its own:
 * found[0..n) (ids from the catalogue, evidence may be NULL), the ids of
 * the checks that passed, and which areas were checked.  A report a server
 * sends to the hub is graded again this way, so a grade never depends on
 * who computed it.  *out is a new report (no target, no failure) that the
 * caller frees with site_report_free.  KK_ERR_INVAL for an id not in the
 * catalogue, KK_ERR_NOMEM.  Thread-safe.
 */
KK_API KK_WUR int site_grade_findings(const struct site_result *found, size_t n,
                                      const char *const *passed,
                                      size_t n_passed,
                                      const bool checked[SITE_AREA_COUNT],
                                      struct site_report **out);

/* ---- Rendering ---- */

/* Appends the JSON document of docs/site.md, texts in lang. */
KK_API KK_WUR int site_report_json(const struct site_report *r,
                                   const char *lang, struct kk_buf *out);
/* Appends the readable report, texts in lang, the best fix first. */
KK_API KK_WUR int site_report_text(const struct site_report *r,
                                   const char *lang, struct kk_buf *out);

#ifdef __cplusplus
}
#endif

#endif
