/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_guard_syslog.c - fuzz target of the syslog reader
 * (lib/guard/parse_syslog.c).  The input's first eight bytes are the
 * reference time (kept within a few centuries of now), the rest one line
 * in a buffer of exactly its size.  The line is read twice with one clock
 * (the second time from its cache) and once without: all three must
 * agree, the message must end where the line ends and the program must
 * fit its 31 bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* by path: lib/hub has a parse.h too */
#include "../../lib/guard/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct guard_clock *clk;
    struct guard_syslog a;
    struct guard_syslog b;
    struct guard_syslog c;
    uint64_t r = 0;
    int64_t ref;
    char *line;
    size_t n;
    int rc;

    if (size < 8 || size > GUARD_LINE_MAX + 8)
        return 0;
    if (clk == NULL)
        clk = guard_clock_new();
    for (int i = 0; i < 8; i++)
        r = r << 8 | data[i];
    ref = 1700000000 + (int64_t)(r % (200ull * 366 * 86400)) -
          (int64_t)100 * 366 * 86400;
    n = size - 8;
    line = malloc(n == 0 ? 1 : n);
    if (line == NULL)
        return 0;
    if (n > 0)
        memcpy(line, data + 8, n);
    rc = guard_syslog_parse(line, n, clk, ref, &a);
    if (rc == KK_OK) {
        if (guard_syslog_parse(line, n, clk, ref, &b) != KK_OK ||
            guard_syslog_parse(line, n, NULL, ref, &c) != KK_OK)
            __builtin_trap();
        if (a.t != b.t || a.t != c.t || a.pid != c.pid ||
            a.program.n != c.program.n)
            __builtin_trap();
        if (a.message.p + a.message.n != line + n || a.program.n > 31)
            __builtin_trap();
        if (a.pid < -1)
            __builtin_trap();
    } else if (rc != KK_ERR_INVAL) {
        __builtin_trap();
    }
    free(line);
    return 0;
}
