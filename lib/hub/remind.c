/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * remind.c - Reminders: the dashboard panel and e-mail.
 */
#include "programme.h"

const struct hub_route hub_routes_remind[] = {
    {0},
};

void hub_reminders_panel(struct hub_req *r, int64_t outlet)
{
    (void)r;
    (void)outlet;
}

int hub_housekeeping_start(struct hub_db *db,
                           const struct hub_server_opts *opts,
                           struct hub_housekeeping **out, struct kk_diag *d)
{
    (void)db;
    (void)opts;
    (void)d;
    *out = NULL;
    return KK_OK;
}

void hub_housekeeping_stop(struct hub_housekeeping *h)
{
    (void)h;
}
