/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * main.c - the kalkan command: global options and dispatch.
 *
 * Thin by design: each command lives in cmd_<part>.c and calls the public
 * API of its library, so the command line is the first client of every
 * library and nothing here holds logic the libraries lack.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const char usage[] =
    "Usage: kalkan <command> [options]\n"
    "\n"
    "Kalkan: digital security for independent newsrooms.\n"
    "\n"
    "Commands:\n"
    "  otp       one-time passwords: codes, enrolment, the PAM credential "
    "store\n"
    "  serve     run the hub: the programme's web pages and JSON API\n"
    "  user      add hub logins\n"
    "  token     create API tokens for devices and scripts\n"
    "  backup    copy the hub's database while it runs\n"
    "  remind    send the hub's reminder e-mail of the day now\n"
    "  site      check a website's TLS, headers, exposed files and e-mail\n"
    "  guard     follow web and SSH logs and ban attackers\n"
    "\n"
    "Options:\n"
    "  -h, --help     show this help\n"
    "  -V, --version  show the version\n"
    "\n"
    "Run 'kalkan <command> --help' for the options of a command.\n"
    "Exit status: 0 success, 1 negative verdict, 2 usage or input error,\n"
    "3 runtime failure.\n";

struct command {
    const char *name;
    int (*main)(int argc, char **argv);
};

static const struct command commands[] = {
    {"otp", cmd_otp_main},    {"serve", cmd_hub_main},
    {"user", cmd_hub_main},   {"token", cmd_hub_main},
    {"backup", cmd_hub_main}, {"remind", cmd_remind_main},
    {"site", cmd_site_main},  {"guard", cmd_guard_main},
};

int cmd_exit_for(int err)
{
    switch (err) {
    case KK_OK:
        return KK_EXIT_OK;
    case KK_ERR_AUTH:
    case KK_ERR_REPLAY:
    case KK_ERR_THROTTLED:
        return KK_EXIT_NEGATIVE;
    case KK_ERR_INVAL:
    case KK_ERR_RANGE:
    case KK_ERR_TRUNC:
    case KK_ERR_LIMIT:
    case KK_ERR_NOTFOUND:
    case KK_ERR_EXISTS:
    case KK_ERR_UNSUPPORTED:
        return KK_EXIT_USAGE;
    default:
        return KK_EXIT_FAILURE;
    }
}

int main(int argc, char **argv)
{
    kk_log_init("kalkan", NULL, KK_LOG_WARN, false);
    if (argc < 2) {
        fputs(usage, stderr);
        return KK_EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, stdout);
        return KK_EXIT_OK;
    }
    if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("kalkan %s\n", KK_VERSION);
        return KK_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            kk_log_init("kalkan", commands[i].name, KK_LOG_WARN, false);
            return commands[i].main(argc - 1, argv + 1);
        }
    }
    kk_log(KK_LOG_ERROR, "unknown command '%s' (try 'kalkan --help')", argv[1]);
    return KK_EXIT_USAGE;
}
