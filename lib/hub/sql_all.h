/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sql_all.h - every statement table, in order; included with HUB_SQL
 * defined by hub_int.h (the enum) and sql.c (the arrays). */
#include "sql_core.h"
#include "sql_register.h"
#include "sql_api.h"
#include "sql_demo.h"
#include "sql_selection.h"
#include "sql_assess.h"
#include "sql_training.h"
#include "sql_incident.h"
#include "sql_remind.h"
#include "sql_report.h"
#include "sql_site.h"
#include "sql_guard.h"
