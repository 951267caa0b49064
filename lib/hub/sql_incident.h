/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sql_incident.h - the statements of incident.c (see sql_core.h for the rules).
 */
