/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sql_assess.h - the statements of assess.c (see sql_core.h for the rules). */
