/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * covdata.h - loading coverage inputs from the database, in the caller's
 * scope, as of a date; and the monthly trend from the programme's start.
 */
#ifndef KALKAN_HUB_COVDATA_H
#define KALKAN_HUB_COVDATA_H

#include "coverage.h"
#include "hub_int.h"

#define HUB_TREND_MAX 37 /* months shown: three years and the current one */

/* Coverage of one outlet (outlet_id) or of every outlet the caller may see
 * (0), as of t.  Staff see their own records only; donors get the whole
 * programme through the aggregate statements (counts only). */
KK_WUR int hub_cov_load(struct hub_req *r, int64_t outlet_id, int64_t t,
                        struct hub_coverage *out);

/* The programme's month 0: setting "programme_start" (YYYY-MM-DD) or else
 * the first day of the month of t. */
int64_t hub_programme_start(struct hub_req *r, int64_t t);

/* Coverage at the end of each month from month 0 to now (the last point is
 * now); *n points, at most HUB_TREND_MAX (the latest ones). labels[i]
 * gets "M0", "M1", ... */
KK_WUR int hub_cov_trend(struct hub_req *r, int64_t outlet_id, int64_t now,
                         struct hub_coverage *pts, char labels[][8], size_t *n);

#endif
