/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mail.c - the mail stage: can someone send e-mail in the outlet's name?
 * SPF, DMARC and DKIM of c->domain (the mail servers' STARTTLS is
 * smtp.c's).
 *
 * Every domain is checked, also one that sends no mail: a newsroom's name
 * is spoofed precisely where nobody watches, and the fix ("v=spf1 -all"
 * plus "p=reject") is two DNS records.  Only DKIM is skipped for a domain
 * that declares it sends nothing (no MX and SPF "-all" alone), since it
 * would have no key to publish.  A lookup that fails (timeout, server
 * failure) leaves its check unjudged rather than guessed.
 *
 * DKIM keys live under selectors nobody lists, so we try the selectors
 * common among the providers our outlets use (below) plus the user's,
 * then fall back to the empty-non-terminal test: when _domainkey.<domain>
 * exists (NOERROR without data), some key lives under a selector we could
 * not guess; when it does not exist (NXDOMAIN), no key exists at all
 * (RFC 8020).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "site_int.h"

/* Google Workspace, Microsoft 365 (selector1/2), Yandex 360 and most
 * control panels (mail, default, dkim), Mail.ru, Mailchimp (k1),
 * SendGrid (s1, s2), generic MTAs (smtp). */
static const char *const dkim_selectors[] = {
    "google", "selector1", "selector2", "mail", "default", "dkim",
    "mailru", "k1",        "s1",        "s2",   "smtp",
};

/* prefix + "." + domain into out; false when it does not fit a name. */
static bool join_name(char *out, size_t cap, const char *prefix,
                      const char *domain)
{
    int w = snprintf(out, cap, "%s.%s", prefix, domain);
    return w > 0 && (size_t)w < cap && (size_t)w <= KK_SITE_HOST_MAX;
}

/* Only NOMEM stops the stage; a failed lookup only skips its check. */
static int lookup_rc(int rc)
{
    return rc == KK_ERR_NOMEM ? rc : KK_OK;
}

/*
 * SPF.  No "all" term and no redirect leaves the default result,
 * "neutral" (RFC 7208 4.7), which receivers treat like no SPF at all:
 * that is reported as permissive, like "?all".
 */
static int check_spf(struct site_ctx *c, bool *sends_nothing)
{
    struct site_txt t;
    struct site_spf_eval ev;
    size_t found = 0;
    size_t idx = 0;
    int rc;

    memset(&t, 0, sizeof t);
    rc = site_dns_txt(c, c->domain, &t);
    if (rc != KK_OK) {
        rc = lookup_rc(rc);
        goto out;
    }
    for (size_t i = 0; i < t.n; i++) {
        if (site_spf_is_record(t.rec[i])) {
            found++;
            idx = i;
        }
    }
    if (found == 0) {
        rc = site_add(c, "mail.spf.missing", "%s", c->domain);
        goto out;
    }
    rc = site_pass(c, "mail.spf.missing");
    if (rc != KK_OK) {
        goto out;
    }
    if (found > 1) {
        rc = site_add(c, "mail.spf.invalid", "%zu SPF records", found);
        goto out;
    }
    rc = site_spf_eval(t.rec[idx], site_dns_txt_fn, c, &ev);
    if (rc != KK_OK) {
        goto out;
    }
    *sends_nothing = ev.only_fail_all;
    if (ev.invalid) {
        rc = site_add(c, "mail.spf.invalid", "%s", ev.why);
    } else if (!ev.incomplete) {
        /* With a target unread, the count may be low: not judged. */
        rc = site_pass(c, "mail.spf.invalid");
    }
    if (rc != KK_OK) {
        goto out;
    }
    if (ev.pass_include[0] != '\0') {
        rc = site_add(c, "mail.spf.permissive",
                      "include:%s passes every sender", ev.pass_include);
    } else if (!ev.all_known) {
        goto out; /* a syntax error or a redirect we could not follow */
    } else if (ev.all == '+' || ev.all == '?') {
        rc = site_add(c, "mail.spf.permissive", "%call", ev.all);
    } else if (ev.all == 0) {
        rc = site_add(c, "mail.spf.permissive",
                      "no all term: neutral for every sender");
    } else {
        rc = site_pass(c, "mail.spf.permissive");
    }
out:
    site_txt_clear(&t);
    return rc;
}

/* The DMARC records at _dmarc.<domain>: KK_OK with *count and the last
 * one in *rec (a copy the caller frees), or the lookup's error. */
static int dmarc_lookup(struct site_ctx *c, const char *domain, size_t *count,
                        char **rec)
{
    struct site_txt t;
    char name[KK_SITE_HOST_MAX + 8];
    int rc;

    memset(&t, 0, sizeof t);
    *count = 0;
    *rec = NULL;
    if (!join_name(name, sizeof name, "_dmarc", domain)) {
        return KK_ERR_INVAL;
    }
    rc = site_dns_txt(c, name, &t);
    if (rc != KK_OK) {
        goto out;
    }
    for (size_t i = 0; i < t.n; i++) {
        if (!site_dmarc_is_record(t.rec[i])) {
            continue;
        }
        (*count)++;
        free(*rec);
        *rec = strdup(t.rec[i]);
        if (*rec == NULL) {
            rc = KK_ERR_NOMEM;
            goto out;
        }
    }
out:
    site_txt_clear(&t);
    return rc;
}

/*
 * DMARC at _dmarc.<domain>, else at the organisational domain, whose
 * record then applies to the domain through its sp= policy (RFC 7489
 * 6.6.3).  Weak: p=none, sp=none, pct under 100 - mail failing the
 * check is then still delivered.
 */
static int check_dmarc(struct site_ctx *c)
{
    char org[KK_SITE_HOST_MAX + 1];
    char ev[KK_SITE_EVIDENCE_MAX];
    char why[SITE_SPF_WHY_MAX];
    struct site_dmarc d;
    const char *where = c->domain;
    char *rec = NULL;
    size_t count = 0;
    int rc;

    rc = dmarc_lookup(c, c->domain, &count, &rec);
    if (rc != KK_OK) {
        rc = lookup_rc(rc);
        goto out;
    }
    if (count == 0 && site_org_domain(c->domain, org, sizeof org) == KK_OK &&
        strcmp(org, c->domain) != 0) {
        rc = dmarc_lookup(c, org, &count, &rec);
        if (rc != KK_OK) {
            rc = lookup_rc(rc);
            goto out;
        }
        where = org;
    }
    if (count == 0) {
        rc = site_add(c, "mail.dmarc.missing", "_dmarc.%s", c->domain);
        goto out;
    }
    rc = site_pass(c, "mail.dmarc.missing");
    if (rc != KK_OK) {
        goto out;
    }
    if (count > 1) {
        rc = site_add(c, "mail.dmarc.invalid", "%zu records at _dmarc.%s",
                      count, where);
        goto out;
    }
    if (site_dmarc_parse(rec, &d, why, sizeof why) != KK_OK) {
        rc = site_add(c, "mail.dmarc.invalid", "_dmarc.%s: %s", where, why);
        goto out;
    }
    rc = site_pass(c, "mail.dmarc.invalid");
    if (rc != KK_OK) {
        goto out;
    }
    /* The policy for the domain itself: p at its own record, sp (else p)
     * at its organisational domain's. */
    bool own = where == c->domain;
    enum site_dmarc_policy eff = !own && d.sp != SITE_DMARC_UNSET ? d.sp : d.p;
    size_t used = 0;
    ev[0] = '\0';
    if (eff == SITE_DMARC_NONE) {
        used += (size_t)snprintf(ev, sizeof ev, "%s=none",
                                 !own && d.sp != SITE_DMARC_UNSET ? "sp" : "p");
    } else if (own && d.sp == SITE_DMARC_NONE) {
        used += (size_t)snprintf(ev, sizeof ev, "sp=none");
    }
    if (eff != SITE_DMARC_NONE && d.pct < 100) {
        used += (size_t)snprintf(ev + used, sizeof ev - used, "%spct=%u",
                                 used > 0 ? ", " : "", d.pct);
    }
    if (used > 0 && !d.rua) {
        (void)snprintf(ev + used, sizeof ev - used, ", no rua");
    }
    if (used > 0) {
        rc = site_add(c, "mail.dmarc.weak", "%s", ev);
    } else {
        rc = site_pass(c, "mail.dmarc.weak");
    }
out:
    free(rec);
    return rc;
}

/* A selector given by the user: a name of labels, or it is skipped. */
static bool selector_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63 || s[0] == '.' || s[n - 1] == '.') {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
              ch == '.')) {
            return false;
        }
    }
    return true;
}

/* Whether the selector sel publishes a key for the domain: 1 yes, 0 no,
 * or a negative lookup error. */
static int dkim_selector(struct site_ctx *c, const char *sel)
{
    struct site_txt t;
    char name[KK_SITE_HOST_MAX + 80];
    char prefix[80];
    int rc = 0;

    memset(&t, 0, sizeof t);
    if (snprintf(prefix, sizeof prefix, "%s._domainkey", sel) >=
            (int)sizeof prefix ||
        !join_name(name, sizeof name, prefix, c->domain)) {
        goto out;
    }
    rc = site_dns_txt(c, name, &t);
    for (size_t i = 0; rc == KK_OK && i < t.n; i++) {
        if (site_dkim_has_key(t.rec[i])) {
            rc = 1;
        }
    }
out:
    site_txt_clear(&t);
    return rc;
}

static int check_dkim(struct site_ctx *c)
{
    const struct site_opts *o = c->o;
    struct site_txt t;
    char name[KK_SITE_HOST_MAX + 16];
    size_t n_user = o->n_dkim_selectors < SITE_DKIM_SELECTORS_MAX
                        ? o->n_dkim_selectors
                        : SITE_DKIM_SELECTORS_MAX;
    size_t n_common = sizeof dkim_selectors / sizeof dkim_selectors[0];
    int rc = KK_OK;

    memset(&t, 0, sizeof t);
    for (size_t i = 0; i < n_user + n_common; i++) {
        const char *sel =
            i < n_user ? o->dkim_selectors[i] : dkim_selectors[i - n_user];
        if (sel == NULL || !selector_ok(sel)) {
            continue;
        }
        rc = dkim_selector(c, sel);
        if (rc == KK_ERR_NOMEM) {
            goto out;
        }
        if (rc == 1) {
            rc = site_pass(c, "mail.dkim.missing");
            goto out;
        }
    }
    rc = KK_OK;
    if (!join_name(name, sizeof name, "_domainkey", c->domain)) {
        goto out;
    }
    rc = site_dns_txt(c, name, &t);
    if (rc != KK_OK) {
        rc = lookup_rc(rc);
        goto out;
    }
    if (t.nxdomain) {
        rc = site_add(c, "mail.dkim.missing", "%s does not exist", name);
    } else {
        /* Keys exist under a selector we could not guess: the name below
         * which they live answers, so DKIM is set up. */
        rc = site_pass(c, "mail.dkim.missing");
    }
out:
    site_txt_clear(&t);
    return rc;
}

int site_check_mail(struct site_ctx *c)
{
    bool sends_nothing = false;
    int rc = KK_OK;

    if (c->domain[0] == '\0' || c->dns == NULL) {
        goto out; /* an address as target, or no resolver */
    }
    rc = check_spf(c, &sends_nothing);
    if (rc == KK_OK) {
        rc = check_dmarc(c);
    }
    if (rc == KK_OK && !(c->n_mx == 0 && sends_nothing)) {
        rc = check_dkim(c);
    }
out:
    return rc;
}
