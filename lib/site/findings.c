/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * findings.c - the catalogue of finding ids: the stable contract of
 * `kalkan site` (docs/site.md), each with its area and severity.
 *
 * The table is sorted by id so a lookup is a binary search; the unit tests
 * check the order, and that every id has its texts in three languages.
 * Severity is fixed per id, so a finding means the same everywhere: the
 * hub's history, the grade and the exit code.
 */
#include <stdlib.h>
#include <string.h>

#include "site_int.h"

#define TLS SITE_AREA_TLS
#define HDR SITE_AREA_HEADERS
#define EXP SITE_AREA_EXPOSURE
#define MAIL SITE_AREA_MAIL
#define DNS SITE_AREA_DNS

static const struct site_finding_def defs[] = {
    {"cms.detected", EXP, SITE_SEV_INFO},
    {"cms.outdated", EXP, SITE_SEV_HIGH},
    {"content.mixed", HDR, SITE_SEV_MEDIUM},
    {"cookie.no_httponly", HDR, SITE_SEV_MEDIUM},
    {"cookie.no_samesite", HDR, SITE_SEV_LOW},
    {"cookie.no_secure", HDR, SITE_SEV_MEDIUM},
    {"csp.missing", HDR, SITE_SEV_MEDIUM},
    {"csp.unsafe", HDR, SITE_SEV_LOW},
    {"dns.caa.missing", DNS, SITE_SEV_INFO},
    {"dnssec.bogus", DNS, SITE_SEV_HIGH},
    {"dnssec.unsigned", DNS, SITE_SEV_INFO},
    {"exposed.config_backup", EXP, SITE_SEV_CRITICAL},
    {"exposed.db_dump", EXP, SITE_SEV_CRITICAL},
    {"exposed.debug_log", EXP, SITE_SEV_HIGH},
    {"exposed.dir_listing", EXP, SITE_SEV_MEDIUM},
    {"exposed.env", EXP, SITE_SEV_CRITICAL},
    {"exposed.git", EXP, SITE_SEV_CRITICAL},
    {"exposed.phpinfo", EXP, SITE_SEV_MEDIUM},
    {"hsts.missing", HDR, SITE_SEV_MEDIUM},
    {"hsts.short", HDR, SITE_SEV_LOW},
    {"https.missing", HDR, SITE_SEV_HIGH},
    {"https.no_redirect", HDR, SITE_SEV_MEDIUM},
    {"ipv6.broken", DNS, SITE_SEV_MEDIUM},
    {"leak.powered_by", HDR, SITE_SEV_LOW},
    {"leak.server_version", HDR, SITE_SEV_LOW},
    {"mail.dkim.missing", MAIL, SITE_SEV_LOW},
    {"mail.dmarc.invalid", MAIL, SITE_SEV_MEDIUM},
    {"mail.dmarc.missing", MAIL, SITE_SEV_MEDIUM},
    {"mail.dmarc.weak", MAIL, SITE_SEV_LOW},
    {"mail.spf.invalid", MAIL, SITE_SEV_MEDIUM},
    {"mail.spf.missing", MAIL, SITE_SEV_MEDIUM},
    {"mail.spf.permissive", MAIL, SITE_SEV_HIGH},
    {"mail.starttls.missing", MAIL, SITE_SEV_HIGH},
    {"mail.tls.legacy", MAIL, SITE_SEV_MEDIUM},
    {"referrer.missing", HDR, SITE_SEV_LOW},
    {"securitytxt.missing", HDR, SITE_SEV_INFO},
    {"tls.cert.expired", TLS, SITE_SEV_CRITICAL},
    {"tls.cert.expiring", TLS, SITE_SEV_MEDIUM},
    {"tls.cert.hostname", TLS, SITE_SEV_HIGH},
    {"tls.cert.untrusted", TLS, SITE_SEV_HIGH},
    {"tls.cipher.weak", TLS, SITE_SEV_HIGH},
    {"tls.key.weak", TLS, SITE_SEV_HIGH},
    {"tls.no_forward_secrecy", TLS, SITE_SEV_MEDIUM},
    {"tls.protocol.legacy", TLS, SITE_SEV_MEDIUM},
    {"tls.signature.sha1", TLS, SITE_SEV_MEDIUM},
    {"wp.user_enum", EXP, SITE_SEV_MEDIUM},
    {"wp.xmlrpc", EXP, SITE_SEV_MEDIUM},
    {"xcto.missing", HDR, SITE_SEV_LOW},
    {"xfo.missing", HDR, SITE_SEV_LOW},
};

size_t site_finding_count(void)
{
    return sizeof defs / sizeof defs[0];
}

const struct site_finding_def *site_finding_at(size_t i)
{
    return i < site_finding_count() ? &defs[i] : NULL;
}

static int cmp_def(const void *key, const void *elem)
{
    const struct site_finding_def *d = elem;
    return strcmp(key, d->id);
}

const struct site_finding_def *site_finding_find(const char *id)
{
    if (id == NULL) {
        return NULL;
    }
    return bsearch(id, defs, site_finding_count(), sizeof defs[0], cmp_def);
}

const char *site_sev_name(enum site_sev s)
{
    static const char *const names[] = {"info", "low", "medium", "high",
                                        "critical"};
    return (unsigned)s < 5 ? names[s] : "info";
}

const char *site_area_name(enum site_area a)
{
    static const char *const names[] = {"tls", "headers", "exposure", "mail",
                                        "dns"};
    return (unsigned)a < SITE_AREA_COUNT ? names[a] : "tls";
}
