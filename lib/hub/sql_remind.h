/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sql_remind.h - the statements of remind.c (see sql_core.h for the rules). */
