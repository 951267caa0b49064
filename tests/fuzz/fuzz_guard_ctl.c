/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_guard_ctl.c - fuzz target of what the guard daemon reads from
 * outside: a control request line and the hub's answer to a report, both
 * through the strict JSON reader of ctl.c.  A document the reader accepts
 * must give consistent answers to every look-up.
 */
#include <stdint.h>
#include <string.h>

#include "ctl.h"
#include "guard_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(void *ctx, const char *s)
{
    size_t *n = ctx;
    if (strlen(s) >= GUARD_ADDR_TEXT_MAX)
        __builtin_trap();
    (*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *doc = (const char *)data;
    struct guard_ctl_req q;
    struct kk_diag d;
    char s[64];
    uint64_t u;
    bool b;
    size_t n = 0;
    int valid, rc;

    if (size > GUARD_CTL_REQUEST_MAX * 4)
        return 0;
    valid = guard_json_check(doc, size);
    rc = guard_ctl_req_parse(doc, size, &q, &d);
    if (rc == KK_OK && (valid != KK_OK || q.verb[0] == '\0'))
        __builtin_trap();
    if (rc != KK_OK && d.msg[0] == '\0')
        __builtin_trap();
    rc = guard_json_get_str(doc, size, "error", s, sizeof s);
    if (rc == KK_OK && (valid != KK_OK || strlen(s) >= sizeof s))
        __builtin_trap();
    rc = guard_json_get_u64(doc, size, "accepted", &u);
    if (rc == KK_OK && (valid != KK_OK || u > (1ULL << 53)))
        __builtin_trap();
    rc = guard_json_get_bool(doc, size, "ok", &b);
    if (rc == KK_OK && valid != KK_OK)
        __builtin_trap();
    rc = guard_json_each_str(doc, size, "allow", one, &n);
    if (valid != KK_OK && (rc == KK_OK || n > 0))
        __builtin_trap();
    return 0;
}
