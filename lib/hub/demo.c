/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * demo.c - the demo programme (placeholder until the generator lands).
 */
#include "hub_int.h"

int64_t hub_demo_now(void)
{
    return hub_now();
}

int hub_demo_fill(struct hub_db *db, uint64_t seed, int64_t now,
                  struct kk_buf *logins, struct kk_diag *d)
{
    (void)db;
    (void)seed;
    (void)now;
    (void)logins;
    kk_diag_set(d, "no demo data yet");
    return KK_ERR_UNSUPPORTED;
}
