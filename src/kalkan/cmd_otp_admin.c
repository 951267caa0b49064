/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cmd_otp_admin.c - the store subcommands of `kalkan otp`.
 */
#include "cmd.h"

const char cmd_otp_admin_usage[] = "";

int cmd_otp_admin(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return -1;
}
