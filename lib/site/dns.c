/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dns.c - placeholder until the resolver lands; see site_int.h. */
#include "site_int.h"

int site_dns_open(struct site_ctx *c, struct kk_diag *d)
{
    (void)c;
    (void)d;
    return KK_OK;
}

void site_dns_close(struct site_ctx *c)
{
    (void)c;
}

int site_dns_addrs(struct site_ctx *c, const char *host, char *a4,
                   size_t cap4, char *a6, size_t cap6)
{
    (void)c;
    (void)host;
    (void)a4;
    (void)cap4;
    (void)a6;
    (void)cap6;
    return KK_ERR_NOTFOUND;
}

int site_check_dns(struct site_ctx *c)
{
    (void)c;
    return KK_OK;
}
