/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* hotp.c - placeholder. */
#include "kalkan/otp.h"
