/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sql_register.h - statements of the register pages (outlets, people,
 * devices, licences, accounts, websites) and their CSV import/export.
 * Expanded by sql.c and hub_int.h; see the rule in hub_int.h.
 */
