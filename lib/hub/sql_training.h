/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sql_training.h - the statements of training.c (see sql_core.h for the rules).
 */
