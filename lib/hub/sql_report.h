/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sql_report.h - the statements of report.c (see sql_core.h for the rules). */
