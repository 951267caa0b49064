/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sql_demo.h - statements of the demo-data generator (system level: it
 * runs from `kalkan serve --demo` on an empty database, never in a
 * request).  Expanded by sql.c and hub_int.h.
 */
