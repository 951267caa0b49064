/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_counters.c - libFuzzer target for the failure-counter record kept
 * in each user's lock file (lib/otp/store_counters.c).
 *
 * The record ends in a MAC that a fuzzer cannot forge, so every input is
 * tried twice: as it is (everything but a valid record must be refused as
 * corrupt or, when empty, as missing), and, when it has the size of a
 * record, with its MAC recomputed under the fixed test key, so the field
 * checks behind the MAC are reached.  An accepted record must be written
 * back byte for byte, and the rate-limit arithmetic must stay defined
 * (UBSan) for every accepted value under the most extreme policies.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kalkan/otp_store.h"
#include "../../lib/otp/store_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t key[ST_CTR_KEY_LEN] = "kalkan fuzz counters key 000000";

static void exercise(const struct st_counters *c, const uint8_t *want)
{
    static const struct otp_policy pols[] = {
        {1, 3, 1, 300, 100},
        {0, 0, 3600, 86400, 1},
        {10, 100000, 1, 1, 100000},
    };
    static const int64_t times[] = {0, 1, 1700000000, ST_TIME_MAX};
    uint8_t out[ST_CTR_SIZE];

    if (st_counters_format(c, "bob", key, out) != KK_OK ||
        memcmp(out, want, ST_CTR_SIZE) != 0)
        abort();
    for (size_t p = 0; p < sizeof pols / sizeof pols[0]; p++) {
        for (size_t t = 0; t < sizeof times / sizeof times[0]; t++) {
            for (unsigned i = 0; i < OTP_BUDGETS; i++) {
                struct st_budget b = c->budget[i];
                (void)st_throttled_until(&b, &pols[p], times[t]);
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct st_counters c;
    uint8_t rec[ST_CTR_SIZE];
    int r;

    r = st_counters_parse(data, size, "bob", key, &c);
    if (r == KK_OK)
        exercise(&c, data);
    else if (r != KK_ERR_CORRUPT && !(r == KK_ERR_NOTFOUND && size == 0))
        abort();
    if (size == ST_CTR_SIZE) {
        memcpy(rec, data, size);
        if (st_counters_seal(rec, "bob", key) != KK_OK)
            abort();
        r = st_counters_parse(rec, size, "bob", key, &c);
        if (r == KK_OK)
            exercise(&c, rec);
        else if (r != KK_ERR_CORRUPT)
            abort();
        /* the same record for another user never checks out */
        if (st_counters_parse(rec, size, "bobb", key, &c) != KK_ERR_CORRUPT)
            abort();
    }
    return 0;
}
