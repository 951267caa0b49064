/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_site.c - placeholder for `kalkan site`. */
#include "cmd.h"

int cmd_site_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return KK_EXIT_USAGE;
}
