/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report.c - the hub client of report.h (being written).
 */
#include "kalkan/report.h"
