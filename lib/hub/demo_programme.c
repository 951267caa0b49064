/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * demo_programme.c - the demo programme's workflow rows: the areas' own
 * generators (demo_*.c) share these draws.
 */
#include "programme.h"

/* splitmix64, as demo.c draws the register. */
static uint64_t mix(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

uint64_t hub_demo_below(struct hub_demo_ctx *x, uint64_t n)
{
    return n == 0 ? 0 : mix(&x->rng) % n;
}

int64_t hub_demo_id(struct hub_demo_ctx *x)
{
    uint64_t lo = UINT64_C(1) << 40, hi = UINT64_C(1) << 53;
    return (int64_t)(mix(&x->ids) % (hi - lo) + lo);
}
