/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sql_selection.h - the statements of selection.c (see sql_core.h for the
 * rules). */
