/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * web.h - the headers stage's judging step (web.c), apart from its
 * requests, so that canned responses can be judged in tests.
 */
#ifndef KALKAN_SITE_WEB_H
#define KALKAN_SITE_WEB_H

#include "site_int.h"

/* The home page and at most three same-host redirects followed to it. */
#define SITE_WEB_CHAIN_MAX 4
/* HSTS max-age below this (six months, in seconds) is short. */
#define SITE_WEB_HSTS_MIN 15768000u

/* What the headers stage saw; every pointer is borrowed. */
struct site_web_seen {
    /* The home page as fetched by check.c over HTTPS (or over HTTP when
     * HTTPS did not answer), then each redirect followed from it on the
     * same host and scheme.  The last one is the page judged, unless it
     * is itself a redirect that could not be followed. */
    const struct site_resp *chain[SITE_WEB_CHAIN_MAX];
    size_t n_chain;
    /* /.well-known/security.txt (after at most one redirect), or NULL
     * when it could not be asked for. */
    const struct site_resp *sectxt;
};

/*
 * Records every finding and passed check of the headers area from what
 * was seen: c->https_up, c->http_up, c->home_http (the plain-HTTP
 * redirect and its cookies), c->host, c->now, and *s.  Makes no request.
 * Returns KK_OK, KK_ERR_NOMEM, or KK_ERR_INVAL for a finding id missing
 * from the catalogue.
 */
int site_web_judge(struct site_ctx *c, const struct site_web_seen *s);

#endif
