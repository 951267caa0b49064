/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sql.c - the one table of the hub's SQL statements.
 *
 * The statements themselves are written in sql_*.h as
 * HUB_SQL(name, flag, text) lines; this file expands them into three
 * parallel arrays.  Keeping every statement in one table means a reviewer
 * (and test_scope.c) can see all SQL the hub can ever run, and each
 * connection prepares each statement once.
 */
#include "hub_int.h"

#define HUB_SQL(name, flag, text) text,
const char *const hub_sql_text[HUB_Q_COUNT] = {
#include "sql_all.h"
};
#undef HUB_SQL

#define HUB_SQL(name, flag, text) flag,
const int hub_sql_flags[HUB_Q_COUNT] = {
#include "sql_all.h"
};
#undef HUB_SQL

#define HUB_SQL(name, flag, text) #name,
const char *const hub_sql_names[HUB_Q_COUNT] = {
#include "sql_all.h"
};
#undef HUB_SQL
