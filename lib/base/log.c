/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * log.c - messages of programs: "kalkan: <command>: <what went wrong>".
 *
 * Only programs call these; libraries report through return codes and
 * struct kk_diag.  The state is process-wide and set once at start-up.
 */
#include "kalkan/kk.h"

#include <stdio.h>
#include <syslog.h>

static const char *log_prog = "kalkan";
static const char *log_cmd;
static enum kk_log_level log_max = KK_LOG_WARN;
static bool log_syslog;

void kk_log_init(const char *prog, const char *cmd, enum kk_log_level max,
                 bool use_syslog)
{
    log_prog = prog != NULL ? prog : "kalkan";
    log_cmd = cmd;
    log_max = max;
    log_syslog = use_syslog;
    if (use_syslog)
        openlog(log_prog, LOG_PID, LOG_AUTHPRIV);
}

void kk_logv(enum kk_log_level level, const char *fmt, va_list ap)
{
    static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
    char msg[1024];

    if (level > log_max)
        return;
    (void)vsnprintf(msg, sizeof msg, fmt, ap);
    if (log_cmd != NULL)
        fprintf(stderr, "%s: %s: %s\n", log_prog, log_cmd, msg);
    else
        fprintf(stderr, "%s: %s\n", log_prog, msg);
    if (log_syslog)
        syslog(prio[level], "%s", msg);
}

void kk_log(enum kk_log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    kk_logv(level, fmt, ap);
    va_end(ap);
}
