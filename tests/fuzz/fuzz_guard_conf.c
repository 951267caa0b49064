/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_guard_conf.c - fuzz target of the guard's configuration reader and
 * rule matcher: the input is a user's file on top of the built-in rules;
 * whatever loads must compile into a matcher, and a few fixed access and
 * sshd lines go through it.  A refused file must say why, in its name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guard_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const web_lines[] = {
    "192.0.2.7 - - [29/Nov/2026:07:50:14 +0000] \"POST /wp-login.php "
    "HTTP/1.1\" 200 4120 \"-\" \"EmailCollector\"",
    "news.example.org 2001:db8::1 - - [29/Nov/2026:07:50:14 +0000] \"GET "
    "/.env HTTP/1.1\" 404 1 \"https://example.org/\" \"curl/8\"",
    "198.51.100.4 - - [29/Nov/2026:07:50:14 +0000] \"\\x16\\x03\" 400 0 "
    "\"-\" \"-\"",
};

static const char *const sys_lines[] = {
    "Nov 29 07:50:14 h sshd[1]: Failed password for root from 192.0.2.1 "
    "port 22 ssh2",
    "Nov 29 07:50:14 h sshd[1]: Accepted publickey for a from 192.0.2.1 "
    "port 22 ssh2: ED25519 SHA256:x",
    "Nov 29 07:50:14 h app[1]: x 192.0.2.1 login failure from ::1",
};

static void exercise(const struct guard_conf *c)
{
    struct guard_matcher *m = NULL;
    struct guard_clock *clk = NULL;
    struct kk_diag d = {{0}};
    uint64_t all =
        c->nrules >= 64 ? UINT64_MAX : (((uint64_t)1 << c->nrules) - 1);
    if (guard_matcher_new(c, &m, &d) != KK_OK) {
        /* rules that load must combine */
        __builtin_trap();
    }
    clk = guard_clock_new();
    for (size_t i = 0; i < sizeof(web_lines) / sizeof(web_lines[0]); i++) {
        struct guard_web w;
        struct guard_hit h;
        if (guard_web_parse(web_lines[i], strlen(web_lines[i]), &w) == KK_OK) {
            guard_match_web(m, &w, &h);
            if ((h.rules & ~all) != 0 || (h.resets & ~all) != 0) {
                __builtin_trap();
            }
        }
    }
    for (size_t i = 0;
         clk != NULL && i < sizeof(sys_lines) / sizeof(sys_lines[0]); i++) {
        struct guard_syslog s;
        struct guard_hit h;
        if (guard_syslog_parse(sys_lines[i], strlen(sys_lines[i]), clk,
                               1795900000, &s) == KK_OK) {
            guard_match_syslog(m, &s, &h);
            if ((h.rules & ~all) != 0 || (h.resets & ~all) != 0) {
                __builtin_trap();
            }
        }
    }
    guard_clock_free(clk);
    guard_matcher_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct guard_conf *c = NULL;
    struct kk_diag d = {{0}};

    if (size > KK_CONF_FILE_MAX) {
        return 0;
    }
    if (guard_conf_parse((const char *)data, size, "fuzz.conf", &c, &d) ==
        KK_OK) {
        exercise(c);
        guard_conf_free(c);
    } else if (c != NULL || strlen(d.msg) == 0) {
        __builtin_trap();
    }
    return 0;
}
