/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_guard_web.c - fuzz target of the access-log reader
 * (lib/guard/parse_web.c).  The input is one line, given in a buffer of
 * exactly its size so that any read past it is caught.  An accepted line
 * must give spans inside the line, a status of 100-999, an address of a
 * known family, and a malformed flag that agrees with the method; format
 * detection must not trip on it either.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* by path: lib/hub has a parse.h too */
#include "../../lib/guard/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_span(struct guard_span sp, const char *lo, const char *hi)
{
    if (sp.n > 0 && (sp.p < lo || sp.p + sp.n > hi))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct guard_web w;
    char *line;

    if (size > GUARD_LINE_MAX)
        return 0;
    line = malloc(size == 0 ? 1 : size);
    if (line == NULL)
        return 0;
    if (size > 0)
        memcpy(line, data, size);
    if (guard_web_parse(line, size, &w) == KK_OK) {
        check_span(w.vhost, line, line + size);
        check_span(w.request, line, line + size);
        if (w.request.n > 0) {
            const char *r = w.request.p;
            check_span(w.method, r, r + w.request.n);
            check_span(w.path, r, r + w.request.n);
            check_span(w.proto, r, r + w.request.n);
        } else if (w.method.n + w.path.n + w.proto.n > 0) {
            __builtin_trap();
        }
        check_span(w.referer, line, line + size);
        check_span(w.agent, line, line + size);
        if (w.status < 100 || w.status > 999)
            __builtin_trap();
        if (w.addr.family != 4 && w.addr.family != 6)
            __builtin_trap();
        if (w.malformed != (w.method.n == 0) ||
            (!w.malformed && (w.path.n == 0 || w.proto.n != 8)))
            __builtin_trap();
    }
    (void)guard_fmt_detect(line, size);
    free(line);
    return 0;
}
