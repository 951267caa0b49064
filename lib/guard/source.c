/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * source.c - one log as the engine sees it (being written).
 */
#include "guard_int.h"
