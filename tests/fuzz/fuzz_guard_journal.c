/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_guard_journal.c - fuzz target of the journal export reader
 * (lib/guard/journal.c).  The input's first byte seeds the chunk sizes,
 * the rest is an export stream.  It is fed whole to one reader and in
 * chunks of 1 to 64 bytes to another: both must call back for the same
 * records with the same fields, report consumed bytes inside each chunk,
 * and keep every span inside the record store.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* by path: lib/hub has a parse.h too */
#include "../../lib/guard/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct tally {
    uint64_t n;
    uint64_t h;
};

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static void on_record(void *ctx, const struct guard_syslog *r)
{
    struct tally *t = ctx;
    if (r->message.n > GUARD_LINE_MAX || r->host.n > GUARD_LINE_MAX ||
        r->program.n > GUARD_LINE_MAX || r->pid < -1)
        __builtin_trap();
    t->n++;
    t->h = mix(t->h, &r->t, sizeof r->t);
    t->h = mix(t->h, &r->pid, sizeof r->pid);
    t->h = mix(t->h, r->host.p, r->host.n);
    t->h = mix(t->h, "|", 1);
    t->h = mix(t->h, r->program.p, r->program.n);
    t->h = mix(t->h, "|", 1);
    t->h = mix(t->h, r->message.p, r->message.n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct guard_journal *a;
    struct guard_journal *b;
    struct tally ta = {0, 0};
    struct tally tb = {0, 0};
    uint32_t seed;
    size_t used;
    size_t off;

    if (size < 1 || size > 1 << 20)
        return 0;
    seed = data[0] | 1u;
    data++;
    size--;
    a = guard_journal_new();
    b = guard_journal_new();
    if (a == NULL || b == NULL)
        goto out;
    if (guard_journal_feed(a, (const char *)data, size, on_record, &ta,
                           &used) != KK_OK ||
        used > size)
        __builtin_trap();
    for (off = 0; off < size;) {
        size_t n;
        char *chunk;
        seed = seed * 1103515245u + 12345u;
        n = 1 + (seed >> 16) % 64;
        if (n > size - off)
            n = size - off;
        chunk = malloc(n);
        if (chunk == NULL)
            goto out;
        memcpy(chunk, data + off, n);
        if (guard_journal_feed(b, chunk, n, on_record, &tb, &used) != KK_OK ||
            used > n)
            __builtin_trap();
        free(chunk);
        off += n;
    }
    if (ta.n != tb.n || ta.h != tb.h)
        __builtin_trap();
out:
    guard_journal_free(a);
    guard_journal_free(b);
    return 0;
}
