/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * guard_int.h - everything shared inside lib/guard, one header per stage:
 * addresses (addr.h), log readers (parse.h), configuration and matcher
 * (conf.h), the engine (engine.h), the follower and state file
 * (follow.h), the ban backends and their privileged writer (ban.h), and
 * the source that joins readers and matcher (source.h).
 */
#ifndef KALKAN_GUARD_INT_H
#define KALKAN_GUARD_INT_H

#include "addr.h"
#include "ban.h"
#include "conf.h"
#include "engine.h"
#include "follow.h"
#include "parse.h"
#include "source.h"

#endif
