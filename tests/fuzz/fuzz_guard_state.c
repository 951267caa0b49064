/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_guard_state.c - libFuzzer target for the guard's state-file reader.
 *
 * The state file is read back at start with the daemon's privileges and
 * may be damaged, so its reader must refuse anything it does not fully
 * understand without crashing or reading out of bounds.  Besides that, an
 * accepted input must survive a round trip: what the writer makes of it
 * is read back, and written again byte for byte (the first write is the
 * canonical text: addresses in RFC 5952 form, unknown records dropped).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guard_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path0[] = "/var/log/nginx/access.log";
static char path1[] = "/var/log/auth.log";
static char path2[] = "/srv/logs/a b%.log";
static struct guard_conf conf;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct guard_state s, t;
    struct kk_buf *b1 = kk_buf_new(GUARD_STATE_MAX);
    struct kk_buf *b2 = kk_buf_new(GUARD_STATE_MAX);

    memset(&s, 0, sizeof s);
    memset(&t, 0, sizeof t);
    conf.logs[0].path = path0;
    conf.logs[1].path = path1;
    conf.logs[2].path = path2;
    conf.nlogs = 3;
    if (b1 == NULL || b2 == NULL)
        goto out;
    if (guard_state_parse(&conf, (const char *)data, size, "state", &s, NULL) !=
        KK_OK)
        goto out;
    if (guard_state_format(&conf, &s, b1) != KK_OK)
        abort();
    if (guard_state_parse(&conf, kk_buf_str(b1), kk_buf_len(b1), "state", &t,
                          NULL) != KK_OK)
        abort();
    if (guard_state_format(&conf, &t, b2) != KK_OK ||
        kk_buf_len(b1) != kk_buf_len(b2) ||
        memcmp(kk_buf_data(b1), kk_buf_data(b2), kk_buf_len(b1)) != 0)
        abort();
out:
    guard_state_clear(&s);
    guard_state_clear(&t);
    kk_buf_free(b1);
    kk_buf_free(b2);
    return 0;
}
