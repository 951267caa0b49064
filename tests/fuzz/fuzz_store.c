/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_store.c - libFuzzer target for the state-file parser of the
 * credential store.
 *
 * Besides not crashing, an accepted input must round-trip: the canonical
 * writer must reproduce exactly the bytes that were parsed, since the
 * parser accepts only canonical files.  The user name is fixed ("bob"), as
 * the parser checks the file belongs to the user it is read for.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kalkan/otp_store.h"
#include "../../lib/otp/store_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct st_user *u = malloc(sizeof *u);
    struct kk_buf *b = kk_buf_new(KK_STORE_FILE_MAX);
    struct otp_user_info info;

    if (u == NULL || b == NULL)
        goto out;
    if (st_parse((const char *)data, size, "bob", u, NULL) == KK_OK) {
        if (st_format(u, b) != KK_OK || kk_buf_len(b) != size ||
            memcmp(kk_buf_data(b), data, size) != 0)
            abort();
        if (otp_store_file_parse((const char *)data, size, "bob", &info,
                                 NULL) != KK_OK)
            abort();
    }
out:
    kk_buf_free(b);
    free(u);
    return 0;
}
