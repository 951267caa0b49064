/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_match.c - the rule matcher over real-looking nginx and sshd lines:
 * every built-in rule matches its lines and not their look-alikes;
 * negation, counting, resets, program names and rule order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "guard_int.h"

struct fx {
    struct guard_conf *c;
    struct guard_matcher *m;
    struct guard_clock *clk;
};

static struct fx *fx_new(const char *text)
{
    struct kk_diag d = {{0}};
    struct fx *f = test_calloc(1, sizeof(*f));
    assert_non_null(f);
    int r = guard_conf_parse(text, text != NULL ? strlen(text) : 0, "t.conf",
                             &f->c, &d);
    if (r != KK_OK) {
        print_error("conf: %s\n", d.msg);
    }
    assert_int_equal(r, KK_OK);
    r = guard_matcher_new(f->c, &f->m, &d);
    if (r != KK_OK) {
        print_error("matcher: %s\n", d.msg);
    }
    assert_int_equal(r, KK_OK);
    f->clk = guard_clock_new();
    assert_non_null(f->clk);
    return f;
}

static void fx_free(struct fx *f)
{
    guard_clock_free(f->clk);
    guard_matcher_free(f->m);
    guard_conf_free(f->c);
    test_free(f);
}

static uint64_t bit(const struct fx *f, const char *name)
{
    int i = guard_conf_rule_index(f->c, name);
    assert_true(i >= 0);
    return (uint64_t)1 << i;
}

static uint64_t bits(const struct fx *f, const char *names)
{
    uint64_t b = 0;
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", names);
    char *s = buf;
    while (*s != '\0') {
        char *e = strchr(s, ' ');
        if (e != NULL) {
            *e = '\0';
        }
        b |= bit(f, s);
        if (e == NULL) {
            break;
        }
        s = e + 1;
    }
    return b;
}

static void web(struct fx *f, const char *line, struct guard_hit *h)
{
    struct guard_web w;
    memset(h, 0, sizeof(*h));
    int r = guard_web_parse(line, strlen(line), &w);
    if (r != KK_OK) {
        print_error("unparsed: %s\n", line);
    }
    assert_int_equal(r, KK_OK);
    guard_match_web(f->m, &w, h);
}

static void sys(struct fx *f, const char *line, struct guard_hit *h)
{
    struct guard_syslog s;
    memset(h, 0, sizeof(*h));
    int r =
        guard_syslog_parse(line, strlen(line), f->clk, (int64_t)time(NULL), &s);
    if (r != KK_OK) {
        print_error("unparsed: %s\n", line);
    }
    assert_int_equal(r, KK_OK);
    guard_match_syslog(f->m, &s, h);
}

static void expect_web(struct fx *f, const char *line, const char *names)
{
    struct guard_hit h;
    web(f, line, &h);
    uint64_t want = names[0] != '\0' ? bits(f, names) : 0;
    if (h.rules != want) {
        print_error("line: %s\nwant %s (%llx), got %llx\n", line, names,
                    (unsigned long long)want, (unsigned long long)h.rules);
    }
    assert_int_equal(h.rules, want);
}

static void expect_sys(struct fx *f, const char *line, const char *names,
                       const char *addr)
{
    struct guard_hit h;
    char text[GUARD_ADDR_TEXT_MAX];
    sys(f, line, &h);
    uint64_t want = names[0] != '\0' ? bits(f, names) : 0;
    if (h.rules != want) {
        print_error("line: %s\nwant %s (%llx), got %llx\n", line, names,
                    (unsigned long long)want, (unsigned long long)h.rules);
    }
    assert_int_equal(h.rules, want);
    if (addr != NULL) {
        assert_int_equal(guard_addr_format(&h.addr, text, sizeof(text)), KK_OK);
        assert_string_equal(text, addr);
    }
}

#define NGX(ip, req, st, ua)                                                   \
    ip " - - [29/Nov/2026:07:50:14 +0000] \"" req "\" " st                     \
       " 4120 \"https://example.org/\" \"" ua "\""
#define UA                                                                     \
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 "                \
    "Firefox/121.0"
#define SSHD(msg) "Nov 29 07:50:14 newsroom sshd[4711]: " msg

static void web_rules_match_wordpress_logins(void **state)
{
    (void)state;
    struct fx *f = fx_new(NULL);
    expect_web(f, NGX("192.0.2.7", "POST /wp-login.php HTTP/1.1", "200", UA),
               "wp-login wp-slow flood");
    expect_web(f,
               NGX("192.0.2.7",
                   "POST /blog/wp-login.php?redirect_to=x "
                   "HTTP/1.1",
                   "200", UA),
               "wp-login wp-slow flood");
    /* a look at the form, and a success, are no failures */
    expect_web(f, NGX("192.0.2.7", "GET /wp-login.php HTTP/1.1", "200", UA),
               "flood");
    expect_web(f,
               NGX("192.0.2.7", "POST /wp-login.php.bak HTTP/1.1", "200", UA),
               "flood");
    expect_web(f, NGX("192.0.2.7", "POST /xmlrpc.php HTTP/1.1", "200", UA),
               "xmlrpc flood");
    expect_web(f, NGX("192.0.2.7", "GET /xmlrpc.php HTTP/1.1", "405", UA),
               "flood");
    fx_free(f);
}

static void web_success_resets_and_counts_nothing(void **state)
{
    (void)state;
    struct fx *f = fx_new(NULL);
    struct guard_hit h;
    web(f, NGX("192.0.2.7", "POST /wp-login.php HTTP/1.1", "302", UA), &h);
    assert_int_equal(h.resets, bits(f, "wp-login wp-slow"));
    assert_int_equal(h.rules, bits(f, "flood"));
    /* a password-reset request redirects too, and must not reset */
    web(f,
        NGX("192.0.2.7", "POST /wp-login.php?action=lostpassword HTTP/1.1",
            "302", UA),
        &h);
    assert_int_equal(h.resets, 0);
    fx_free(f);
    f = fx_new("[guard]\nreset_on_success = no\n");
    web(f, NGX("192.0.2.7", "POST /wp-login.php HTTP/1.1", "302", UA), &h);
    assert_int_equal(h.resets, 0);
    fx_free(f);
}

static void web_scanner_and_probe_follow_status(void **state)
{
    (void)state;
    struct fx *f = fx_new(NULL);
    expect_web(f, NGX("192.0.2.8", "GET /.env HTTP/1.1", "404", "zgrab/0.x"),
               "scanner flood");
    expect_web(f, NGX("192.0.2.8", "GET /.git/config HTTP/1.1", "403", "-"),
               "scanner flood");
    expect_web(f, NGX("192.0.2.8", "GET /backup.sql HTTP/1.1", "404", "-"),
               "scanner flood");
    expect_web(f,
               NGX("192.0.2.8", "HEAD /.aws/credentials HTTP/1.1", "404", "-"),
               "scanner flood");
    expect_web(f,
               NGX("192.0.2.8",
                   "POST /vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php "
                   "HTTP/1.1",
                   "404", "-"),
               "scanner flood");
    expect_web(f, NGX("192.0.2.8", "GET /actuator/env HTTP/1.1", "404", "-"),
               "scanner flood");
    /* served files are not scans; archives below the root are articles'
     * downloads */
    expect_web(f, NGX("192.0.2.8", "GET /.env HTTP/1.1", "200", "-"), "flood");
    expect_web(
        f, NGX("192.0.2.8", "GET /files/2024/report.zip HTTP/1.1", "404", UA),
        "flood");
    expect_web(f, NGX("192.0.2.8", "GET /environment/ HTTP/1.1", "404", UA),
               "flood");
    /* web-probe: nginx-botsearch's paths answered 404 */
    expect_web(
        f, NGX("192.0.2.9", "GET /phpmyadmin/index.php HTTP/1.1", "404", "-"),
        "web-probe flood");
    expect_web(f, NGX("192.0.2.9", "GET //pma/ HTTP/1.1", "404", "-"),
               "web-probe flood");
    expect_web(f, NGX("192.0.2.9", "HEAD /cgi-bin/luci HTTP/1.0", "404", "-"),
               "web-probe flood");
    expect_web(f, NGX("192.0.2.9", "GET /webmail/ HTTP/1.1", "404", "-"),
               "web-probe flood");
    expect_web(f, NGX("192.0.2.9", "POST /wp-login.php HTTP/1.1", "404", "-"),
               "web-probe flood");
    expect_web(f, NGX("192.0.2.9", "PUT /phpmyadmin/ HTTP/1.1", "404", "-"),
               "flood");
    expect_web(f, NGX("192.0.2.9", "GET /news/webmail/ HTTP/1.1", "404", "-"),
               "flood");
    expect_web(f, NGX("192.0.2.9", "GET /phpmyadmin/a,b HTTP/1.1", "404", "-"),
               "flood");
    expect_web(f, NGX("192.0.2.9", "GET /phpmyadmin/ HTTP/1.1", "200", "-"),
               "flood");
    fx_free(f);
}

static void web_bad_request_and_bad_bot(void **state)
{
    (void)state;
    struct fx *f = fx_new(NULL);
    expect_web(f,
               "198.51.100.4 - - [29/Nov/2026:07:50:14 +0000] "
               "\"\\x16\\x03\\x01\\x00\\xCA\\x01\" 400 150 \"-\" \"-\"",
               "bad-request");
    expect_web(f, NGX("198.51.100.4", "GET / HTTP/1.1", "400", UA),
               "bad-request flood");
    expect_web(
        f, NGX("198.51.100.5", "GET /news/ HTTP/1.1", "200", "EmailCollector"),
        "bad-bot flood");
    expect_web(
        f,
        NGX("198.51.100.5", "GET /news/ HTTP/1.1", "200", "Mozilla/5.0 Jorgee"),
        "bad-bot flood");
    /* the name must be the whole agent */
    expect_web(
        f,
        NGX("198.51.100.5", "GET /news/ HTTP/1.1", "200", "EmailCollector/2.0"),
        "flood");
    expect_web(
        f,
        NGX("198.51.100.5", "OPTIONS /news/ HTTP/1.1", "200", "EmailCollector"),
        "flood");
    fx_free(f);
}

static void web_flood_counts_pages_not_assets(void **state)
{
    (void)state;
    struct fx *f = fx_new(NULL);
    expect_web(f, NGX("203.0.113.9", "GET /?s=42 HTTP/1.1", "200", UA),
               "flood");
    expect_web(f, NGX("203.0.113.9", "GET /news/a.html HTTP/1.1", "200", UA),
               "flood");
    expect_web(f,
               NGX("203.0.113.9",
                   "GET /wp-content/themes/news/style.css?ver=6.4 HTTP/1.1",
                   "200", UA),
               "");
    expect_web(
        f,
        NGX("203.0.113.9", "GET /wp-content/uploads/a.JPG HTTP/1.1", "304", UA),
        "");
    expect_web(f, NGX("203.0.113.9", "GET /fonts/x.woff2 HTTP/1.1", "200", UA),
               "");
    fx_free(f);
}

static void web_negation_and_vhost(void **state)
{
    (void)state;
    struct fx *f = fx_new("[rule flood]\nenabled = no\n"
                          "[rule admin]\n"
                          "path = ^/admin/\n"
                          "agent != (?i)nagios\n"
                          "status = 200-299\n"
                          "[rule other-host]\n"
                          "vhost != ^news\\.example\\.org$\n"
                          "method = GET\n");
    /* a line with no virtual host is not news.example.org's */
    expect_web(f, NGX("192.0.2.1", "GET /admin/ HTTP/1.1", "200", UA),
               "admin other-host");
    expect_web(f,
               NGX("192.0.2.1", "GET /admin/ HTTP/1.1", "200",
                   "check_http/v2 (NAGIOS-plugins)"),
               "other-host");
    expect_web(f, NGX("192.0.2.1", "POST /admin/ HTTP/1.1", "404", UA), "");
    expect_web(f,
               "news.example.org 192.0.2.1 - - [29/Nov/2026:07:50:14 +0000] "
               "\"GET / HTTP/1.1\" 200 1 \"-\" \"-\"",
               "");
    expect_web(f,
               "old.example.org 192.0.2.1 - - [29/Nov/2026:07:50:14 +0000] "
               "\"GET / HTTP/1.1\" 200 1 \"-\" \"-\"",
               "other-host");
    fx_free(f);
}

static void web_count_works_when_counted_rule_is_off(void **state)
{
    (void)state;
    struct fx *f = fx_new("[rule wp-login]\nenabled = no\n");
    expect_web(f, NGX("192.0.2.7", "POST /wp-login.php HTTP/1.1", "200", UA),
               "wp-slow flood");
    fx_free(f);
}

static void web_malformed_predicate(void **state)
{
    (void)state;
    struct fx *f = fx_new("[rule junk]\nmalformed = yes\nmaxretry = 3\n");
    expect_web(f,
               "198.51.100.4 - - [29/Nov/2026:07:50:14 +0000] \"-\" 400 0 "
               "\"-\" \"-\"",
               "bad-request junk");
    expect_web(f, NGX("198.51.100.4", "GET / HTTP/1.1", "200", UA), "flood");
    fx_free(f);
}

static void syslog_ssh_failures_match_ssh_auth(void **state)
{
    (void)state;
    struct fx *f = fx_new(NULL);
    const char *lines[] = {
        SSHD("Failed password for root from 192.0.2.1 port 40000 ssh2"),
        SSHD("Failed password for invalid user admin from 192.0.2.1 port "
             "40001 ssh2"),
        SSHD("Failed keyboard-interactive/pam for root from 192.0.2.1 port "
             "40001 ssh2"),
        SSHD("Failed publickey for invalid user bob from 192.0.2.1 port "
             "40010 ssh2: RSA SHA256:abc"),
        SSHD("Invalid user admin from 192.0.2.1 port 40001"),
        SSHD("Connection closed by authenticating user root 192.0.2.1 port "
             "40000 [preauth]"),
        SSHD("Disconnected from invalid user admin 192.0.2.1 port 40001 "
             "[preauth]"),
        SSHD("Connection closed by 192.0.2.1 port 40006 [preauth]"),
        SSHD("error: maximum authentication attempts exceeded for root from "
             "192.0.2.1 port 40009 ssh2 [preauth]"),
        SSHD("User root from 192.0.2.1 not allowed because not listed in "
             "AllowUsers"),
        SSHD("Received disconnect from 192.0.2.1 port 40012:3: "
             "com.jcraft.jsch.JSchException: Auth fail [preauth]"),
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        expect_sys(f, lines[i], "ssh-auth ssh-slow", "192.0.2.1");
    }
    expect_sys(f,
               "Nov 29 07:50:14 newsroom sshd[1]: Failed password for root "
               "from 2001:db8::7 port 22 ssh2",
               "ssh-auth ssh-slow", "2001:db8::7");
    expect_sys(f,
               "Nov 29 07:50:14 newsroom sshd[1]: Failed password for root "
               "from ::ffff:192.0.2.44 port 22 ssh2",
               "ssh-auth ssh-slow", "192.0.2.44");
    /* sshd 9.8 and later */
    expect_sys(f,
               "Nov 29 07:50:14 newsroom sshd-session[1]: Invalid user x from "
               "192.0.2.45 port 22",
               "ssh-auth ssh-slow", "192.0.2.45");
    fx_free(f);
}

static void syslog_look_alikes_match_nothing(void **state)
{
    (void)state;
    struct fx *f = fx_new(NULL);
    const char *lines[] = {
        SSHD("Failed publickey for root from 192.0.2.1 port 40010 ssh2: RSA "
             "SHA256:abc"),
        SSHD("pam_unix(sshd:auth): authentication failure; logname= uid=0 "
             "euid=0 tty=ssh ruser= rhost=192.0.2.1"),
        SSHD("Connection closed by user editor 192.0.2.1 port 40006"),
        SSHD("Received disconnect from 192.0.2.1 port 40012:11: disconnected "
             "by user"),
        SSHD("Connection from 192.0.2.1 port 22 on 10.0.0.1 port 22"),
        SSHD("pam_unix(sshd:session): session opened for user editor(uid=1000)"
             " by (uid=0)"),
        /* a success resets; it counts for no rule */
        SSHD("Accepted publickey for editor from 192.0.2.4 port 40004 ssh2: "
             "ED25519 SHA256:Zm9vYmFy"),
        ("Nov 29 07:50:14 newsroom CRON[42]: Failed password for root from "
         "192.0.2.1 port 40000 ssh2"),
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        expect_sys(f, lines[i], "", NULL);
    }
    fx_free(f);
}

static void syslog_probes_match_ssh_probe(void **state)
{
    (void)state;
    struct fx *f = fx_new(NULL);
    const char *lines[] = {
        SSHD("Did not receive identification string from 192.0.2.3 port "
             "40003"),
        SSHD("Unable to negotiate with 192.0.2.3 port 40002: no matching key "
             "exchange method found. Their offer: diffie-hellman-group1-sha1 "
             "[preauth]"),
        SSHD("Unable to negotiate with 192.0.2.3 port 40002: no matching host "
             "key type found. Their offer: ssh-rsa,ssh-dss [preauth]"),
        SSHD("banner exchange: Connection from 192.0.2.3 port 40007: invalid "
             "format"),
        SSHD("Bad protocol version identification 'GET / HTTP/1.1' from "
             "192.0.2.3 port 40008"),
        SSHD("Received disconnect from 192.0.2.3 port 40015:14: No supported "
             "authentication methods available [preauth]"),
        SSHD("Connection closed by 192.0.2.3 port 40016"),
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        expect_sys(f, lines[i], "ssh-probe", "192.0.2.3");
    }
    fx_free(f);
}

static void syslog_accepted_login_resets(void **state)
{
    (void)state;
    struct fx *f = fx_new(NULL);
    struct guard_hit h;
    sys(f,
        SSHD("Accepted publickey for editor from 192.0.2.4 port 40004 ssh2: "
             "ED25519 SHA256:Zm9vYmFy"),
        &h);
    assert_int_equal(h.rules, 0);
    assert_int_equal(h.resets, bits(f, "ssh-auth ssh-slow"));
    sys(f,
        SSHD("Accepted password for editor from 2001:db8:1:2::9 port 40004 "
             "ssh2"),
        &h);
    assert_int_equal(h.resets, bits(f, "ssh-auth ssh-slow"));
    fx_free(f);
}

static void syslog_first_rule_in_order_wins_and_any_program(void **state)
{
    (void)state;
    struct fx *f = fx_new("[rule ssh-auth]\nenabled = no\n"
                          "[rule ssh-slow]\nenabled = no\n"
                          "[rule ssh-probe]\nenabled = no\n"
                          "[rule ssh-ok]\nenabled = no\n"
                          "[rule first]\n"
                          "match = login failure .* from <ADDR>\n"
                          "[rule second]\n"
                          "match = ^x (?:<ADDR>) login failure\n"
                          "[rule postfix]\n"
                          "program = postfix/smtpd\n"
                          "match = ^warning: [^\\[]*\\[<ADDR>\\]: SASL "
                          "LOGIN authentication failed\n");
    /* "second" matches from an earlier position, "first" comes first */
    expect_sys(f,
               "Nov 29 07:50:14 h app[1]: x 192.0.2.1 login failure for a "
               "from 192.0.2.2",
               "first", "192.0.2.2");
    expect_sys(f, "Nov 29 07:50:14 h app[1]: x 192.0.2.1 login failure",
               "second", "192.0.2.1");
    expect_sys(f,
               "Nov 29 07:50:14 h postfix/smtpd[9]: warning: "
               "unknown[198.51.100.7]: SASL LOGIN authentication failed: "
               "UGFzc3dvcmQ6",
               "postfix", "198.51.100.7");
    expect_sys(f,
               "Nov 29 07:50:14 h other[9]: warning: unknown[198.51.100.7]: "
               "SASL LOGIN authentication failed",
               "", NULL);
    /* an address that does not parse gives no hit */
    expect_sys(f, "Nov 29 07:50:14 h app[1]: login failure from 999.1.1.1", "",
               NULL);
    fx_free(f);
}

static void matcher_measures_web_throughput(void **state)
{
    (void)state;
    struct fx *f = fx_new(NULL);
    static const char *const lines[] = {
        NGX("192.0.2.7", "GET /news/ HTTP/1.1", "200", UA),
        NGX("192.0.2.8", "GET /wp-content/uploads/2024/05/photo.jpg HTTP/1.1",
            "200", UA),
        NGX("192.0.2.9", "POST /wp-login.php HTTP/1.1", "200", UA),
        NGX("192.0.2.10", "GET /favicon.ico HTTP/1.1", "404", UA),
    };
    struct guard_web w[4];
    struct guard_hit h;
    uint64_t sum = 0;
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(guard_web_parse(lines[i], strlen(lines[i]), &w[i]),
                         KK_OK);
    }
    clock_t t0 = clock();
    for (size_t i = 0; i < 1000000; i++) {
        guard_match_web(f->m, &w[i & 3], &h);
        sum += h.rules;
    }
    double s = (double)(clock() - t0) / CLOCKS_PER_SEC;
    print_message("matcher: 1M web lines in %.3f CPU-s (%.0f lines/s)\n", s,
                  1e6 / (s > 0 ? s : 1e-9));
    assert_true(sum != 0);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(web_rules_match_wordpress_logins),
        cmocka_unit_test(web_success_resets_and_counts_nothing),
        cmocka_unit_test(web_scanner_and_probe_follow_status),
        cmocka_unit_test(web_bad_request_and_bad_bot),
        cmocka_unit_test(web_flood_counts_pages_not_assets),
        cmocka_unit_test(web_negation_and_vhost),
        cmocka_unit_test(web_count_works_when_counted_rule_is_off),
        cmocka_unit_test(web_malformed_predicate),
        cmocka_unit_test(syslog_ssh_failures_match_ssh_auth),
        cmocka_unit_test(syslog_look_alikes_match_nothing),
        cmocka_unit_test(syslog_probes_match_ssh_probe),
        cmocka_unit_test(syslog_accepted_login_resets),
        cmocka_unit_test(syslog_first_rule_in_order_wins_and_any_program),
        cmocka_unit_test(matcher_measures_web_throughput),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
