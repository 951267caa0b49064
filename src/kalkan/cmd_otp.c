/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cmd_otp.c - `kalkan otp`: new, code, check; the store subcommands are in
 * cmd_otp_admin.c.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

int cmd_otp_main(int argc, char **argv)
{
    int r;

    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        printf("Usage: kalkan otp <subcommand> [options]\n%s",
               cmd_otp_admin_usage);
        return argc < 2 ? KK_EXIT_USAGE : KK_EXIT_OK;
    }
    r = cmd_otp_admin(argc - 1, argv + 1);
    if (r >= 0)
        return r;
    kk_log(KK_LOG_ERROR, "unknown subcommand '%s'", argv[1]);
    return KK_EXIT_USAGE;
}
