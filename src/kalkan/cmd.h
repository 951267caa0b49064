/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd.h - shared by the command implementations of the kalkan program.
 *
 * Exit codes (DESIGN.md): 0 success, 1 a negative verdict, 2 usage or
 * input error, 3 runtime failure.  Errors are printed with kk_log as one
 * line "kalkan: <command>: <what went wrong>".
 */
#ifndef KALKAN_CMD_H
#define KALKAN_CMD_H

#include "kalkan/kk.h"

enum {
    KK_EXIT_OK = 0,
    KK_EXIT_NEGATIVE = 1,
    KK_EXIT_USAGE = 2,
    KK_EXIT_FAILURE = 3,
};

/* Maps a library error to the exit code of DESIGN.md: input errors are 2,
 * a failed authentication is 1, everything else 3. */
int cmd_exit_for(int err);

/* `kalkan otp ...`: argv[0] is "otp". */
int cmd_otp_main(int argc, char **argv);

/* `kalkan serve|user|token|backup ...`: argv[0] is the command. */
int cmd_hub_main(int argc, char **argv);

/* `kalkan site ...`: check websites and their e-mail domains. */
int cmd_site_main(int argc, char **argv);

/* `kalkan guard ...`: the log guard. */
int cmd_guard_main(int argc, char **argv);

/* `kalkan remind`: the day's reminder e-mail, now. */
int cmd_remind_main(int argc, char **argv);

/* The administration subcommands of `kalkan otp` that work on the PAM
 * credential store (enroll, revoke, recovery, import-ga, status, verify,
 * resync, daemon):
 * argv[0] is the subcommand.  Returns -1 if argv[0] is not one of them. */
int cmd_otp_admin(int argc, char **argv);
/* Lines of the store subcommands for `kalkan otp --help`. */
extern const char cmd_otp_admin_usage[];

#endif
