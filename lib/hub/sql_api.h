/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sql_api.h - statements used only by the JSON API.
 * Expanded by sql.c and hub_int.h; see the rule in hub_int.h.
 */
