/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_conf.c - the guard's configuration: the built-in rules load, the
 * defaults of the contract, a user's file on top of them, and each kind
 * of mistake failing at load with its file and line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "guard_int.h"

static struct guard_conf *load(const char *text)
{
    struct kk_diag d = {{0}};
    struct guard_conf *c = NULL;
    int r = guard_conf_parse(text, text != NULL ? strlen(text) : 0,
                             "guard.conf", &c, &d);
    if (r != KK_OK) {
        print_error("%s\n", d.msg);
    }
    assert_int_equal(r, KK_OK);
    assert_non_null(c);
    return c;
}

static const struct guard_rule *rule(const struct guard_conf *c,
                                     const char *name)
{
    int i = guard_conf_rule_index(c, name);
    assert_true(i >= 0);
    return &c->rules[i];
}

static void builtin_rules_load_with_contract_defaults(void **state)
{
    (void)state;
    static const char *const names[] = {
        "wp-login",  "wp-slow",     "wp-ok",   "xmlrpc", "scanner",
        "web-probe", "bad-request", "bad-bot", "flood",  "ssh-auth",
        "ssh-probe", "ssh-slow",    "ssh-ok"};
    struct guard_conf *c = load(NULL);
    assert_int_equal(c->nrules, sizeof(names) / sizeof(names[0]));
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        assert_true(rule(c, names[i])->enabled);
    }
    assert_int_equal(c->v4_prefix, 32);
    assert_int_equal(c->v6_prefix, 64);
    assert_int_equal(c->max_addresses, 100000);
    assert_int_equal(c->ban_factor, 2);
    assert_int_equal(c->ban_max, 7 * 86400);
    assert_int_equal(c->history, 7 * 86400);
    assert_true(c->reset_on_success);
    assert_false(c->flush_on_stop);
    assert_int_equal(c->backend, GUARD_BACKEND_NONE);
    assert_int_equal(c->hub_interval, 60);
    assert_null(c->hub_url);
    assert_string_equal(c->nft_table, "kalkan");
    assert_string_equal(c->nft_set4, "ban4");
    assert_string_equal(c->nft_set6, "ban6");
    assert_true(c->nft_create);
    assert_string_equal(c->deny_style, "nginx");
    assert_int_equal(c->reload_interval, 5);
    assert_string_equal(c->state_dir, GUARD_STATE_DEFAULT);
    assert_string_equal(c->socket, GUARD_STATE_DEFAULT "/control.sock");
    assert_int_equal(c->nlogs, 0);

    const struct guard_rule *r = rule(c, "wp-login");
    assert_int_equal(r->cls, GUARD_CLASS_WEB);
    assert_int_equal(r->nmethods, 1);
    assert_string_equal(r->methods[0], "POST");
    assert_int_equal(r->nstatus, 1);
    assert_int_equal(r->status_lo[0], 200);
    assert_int_equal(r->maxretry, 5);
    assert_int_equal(r->findtime, 600);
    assert_int_equal(r->bantime, 3600);
    r = rule(c, "wp-slow");
    assert_int_equal(r->count_of, guard_conf_rule_index(c, "wp-login"));
    assert_int_equal(r->cls, GUARD_CLASS_WEB);
    assert_int_equal(r->maxretry, 20);
    assert_int_equal(r->findtime, 86400);
    assert_int_equal(r->bantime, 86400);
    r = rule(c, "wp-ok");
    assert_int_equal(r->action, GUARD_ACT_RESET);
    assert_int_equal(r->resets,
                     ((uint64_t)1 << guard_conf_rule_index(c, "wp-login")) |
                         ((uint64_t)1 << guard_conf_rule_index(c, "wp-slow")));
    assert_int_equal(rule(c, "xmlrpc")->findtime, 60);
    assert_int_equal(rule(c, "xmlrpc")->maxretry, 20);
    assert_int_equal(rule(c, "bad-bot")->maxretry, 2);
    assert_true(rule(c, "bad-bot")->regex[GUARD_F_AGENT] != NULL);
    r = rule(c, "flood");
    assert_true(r->nonstatic);
    assert_int_equal(r->maxretry, 600);
    assert_int_equal(r->findtime, 60);
    assert_int_equal(r->bantime, 600);
    r = rule(c, "ssh-auth");
    assert_int_equal(r->cls, GUARD_CLASS_SYSLOG);
    assert_string_equal(r->program, "sshd sshd-session");
    assert_true(r->npatterns >= 8);
    assert_int_equal(rule(c, "ssh-probe")->maxretry, 10);
    assert_int_equal(rule(c, "ssh-slow")->count_of,
                     guard_conf_rule_index(c, "ssh-auth"));
    assert_int_equal(rule(c, "ssh-slow")->cls, GUARD_CLASS_SYSLOG);
    assert_int_equal(rule(c, "ssh-ok")->action, GUARD_ACT_RESET);
    assert_int_equal(guard_conf_rule_index(c, "nope"), -1);
    guard_conf_free(c);
}

static void user_rule_changes_only_keys_it_sets(void **state)
{
    (void)state;
    struct guard_conf *c = load("# stricter on logins\n"
                                "[rule wp-login]\n"
                                "maxretry = 3\n"
                                "bantime = 2d\n"
                                "\n"
                                "[rule flood]\n"
                                "enabled = no\n"
                                "[rule ssh-auth]\n"
                                "match = ^Nope from <ADDR>$\n"
                                "match = ^Nope again from <ADDR>$\n"
                                "[rule contact-form]\n"
                                "method = POST\n"
                                "path = ^/contact/\n"
                                "status = 200 400-499\n"
                                "maxretry = 10\n"
                                "findtime = 1w\n");
    const struct guard_rule *r = rule(c, "wp-login");
    assert_int_equal(r->maxretry, 3);
    assert_int_equal(r->bantime, 2 * 86400);
    assert_int_equal(r->findtime, 600);
    assert_string_equal(r->methods[0], "POST");
    assert_non_null(r->regex[GUARD_F_PATH]);
    assert_false(rule(c, "flood")->enabled);
    assert_int_equal(rule(c, "flood")->maxretry, 600);
    /* the first "match" of a section replaces the built-in list */
    r = rule(c, "ssh-auth");
    assert_int_equal(r->npatterns, 2);
    assert_string_equal(r->patterns[1], "^Nope again from <ADDR>$");
    assert_string_equal(r->program, "sshd sshd-session");
    r = rule(c, "contact-form");
    assert_int_equal(r->cls, GUARD_CLASS_WEB);
    assert_int_equal(r->nstatus, 2);
    assert_int_equal(r->status_lo[1], 400);
    assert_int_equal(r->status_hi[1], 499);
    assert_int_equal(r->findtime, 7 * 86400);
    assert_int_equal(r->bantime, 3600);
    assert_int_equal(r->line, 11);
    assert_int_equal(c->nrules, 14);
    guard_conf_free(c);
}

static void every_section_is_read(void **state)
{
    (void)state;
    struct guard_conf *c = load("[guard]\n"
                                "state = /srv/guard\n"
                                "user = kalkan\n"
                                "v4_prefix = 24\n"
                                "v6_prefix = 56\n"
                                "max_addresses = 5000\n"
                                "ban_factor = 3\n"
                                "ban_max = 30d\n"
                                "history = 90\n"
                                "reset_on_success = off\n"
                                "flush_on_stop = yes\n"
                                "[log /var/log/nginx/access.log]\n"
                                "format = web\n"
                                "[log /var/log/auth.log]\n"
                                "[allow]\n"
                                "address = 203.0.113.0/24\n"
                                "address = 2001:db8:77::/48\n"
                                "[backend]\n"
                                "type = file\n"
                                "deny_file = /etc/nginx/kalkan-deny.conf\n"
                                "deny_style = apache\n"
                                "reload = /usr/sbin/nginx  -s reload\n"
                                "reload_interval = 30s\n"
                                "[hub]\n"
                                "url = https://hub.example.org\n"
                                "website = 42\n"
                                "token_file = /etc/kalkan/guard.token\n"
                                "interval = 5m\n");
    assert_string_equal(c->state_dir, "/srv/guard");
    assert_string_equal(c->socket, "/srv/guard/control.sock");
    assert_string_equal(c->user, "kalkan");
    assert_int_equal(c->v4_prefix, 24);
    assert_int_equal(c->v6_prefix, 56);
    assert_int_equal(c->max_addresses, 5000);
    assert_int_equal(c->ban_factor, 3);
    assert_int_equal(c->ban_max, 30 * 86400);
    assert_int_equal(c->history, 90);
    assert_false(c->reset_on_success);
    assert_true(c->flush_on_stop);
    assert_int_equal(c->nlogs, 2);
    assert_string_equal(c->logs[0].path, "/var/log/nginx/access.log");
    assert_int_equal(c->logs[0].fmt, GUARD_FMT_WEB);
    assert_int_equal(c->logs[1].fmt, GUARD_FMT_AUTO);
    /* the file's two prefixes, and loopback (IPv4 and IPv6) always */
    assert_int_equal(guard_addrset_count(c->allow), 4);
    struct guard_addr a;
    assert_int_equal(guard_addr_parse("203.0.113.77", 12, &a), KK_OK);
    assert_true(guard_addrset_contains(c->allow, &a));
    assert_int_equal(guard_addr_parse("127.3.2.1", 9, &a), KK_OK);
    assert_true(guard_addrset_contains(c->allow, &a));
    assert_int_equal(guard_addr_parse("::1", 3, &a), KK_OK);
    assert_true(guard_addrset_contains(c->allow, &a));
    assert_int_equal(c->backend, GUARD_BACKEND_FILE);
    assert_string_equal(c->deny_file, "/etc/nginx/kalkan-deny.conf");
    assert_string_equal(c->deny_style, "apache");
    assert_non_null(c->reload);
    assert_string_equal(c->reload[0], "/usr/sbin/nginx");
    assert_string_equal(c->reload[1], "-s");
    assert_string_equal(c->reload[2], "reload");
    assert_null(c->reload[3]);
    assert_int_equal(c->reload_interval, 30);
    assert_string_equal(c->hub_url, "https://hub.example.org");
    assert_string_equal(c->hub_website, "42");
    assert_int_equal(c->hub_interval, 300);
    guard_conf_free(c);
}

static void long_values_continue_over_lines(void **state)
{
    (void)state;
    /* spaces before the backslash stay, the next line's indent goes */
    struct guard_conf *c = NULL;
    c = load("[rule harvest]\n"
             "agent = ^(?:Foo|\\\n"
             "    Bar Baz|\\\n"
             "    Qux)$\n"
             "maxretry = 1\n");
    assert_string_equal(rule(c, "harvest")->regex[GUARD_F_AGENT],
                        "^(?:Foo|Bar Baz|Qux)$");
    guard_conf_free(c);
}

struct bad_case {
    const char *text;
    const char *want; /* a part of the message after "guard.conf: " */
};

static void each_mistake_fails_with_its_line(void **state)
{
    (void)state;
    static const struct bad_case cases[] = {
        {"[guard]\nfoo = 1\n", "line 2: unknown key 'foo'"},
        {"\n[nope]\n", "line 2: unknown section [nope]"},
        {"[guard\n", "line 1: a section header needs a closing ']'"},
        {"state = /x\n", "line 1: 'state' outside a section"},
        {"[guard]\njust words\n", "line 2: expected 'key = value'"},
        {"[guard]\nv4_prefix = 7\n", "line 2: bad value for v4_prefix"},
        {"[guard]\nv6_prefix = 129\n", "line 2: bad value for v6_prefix"},
        {"[guard]\nmax_addresses = 999\n", "line 2: bad value"},
        {"[guard]\nban_max = 10y\n", "line 2: bad value for ban_max"},
        {"[guard]\nstate = relative\n", "line 2: state: an absolute path"},
        {"[guard]\nuser = a\nuser = b\n", "line 3: 'user' is set twice"},
        {"[guard]\nreset_on_success = maybe\n", "line 2: bad value"},
        {"[log /a]\nformat = csv\n", "line 2: bad format 'csv'"},
        {"[log /a]\n[log /a]\n", "line 2: log '/a' is listed twice"},
        {"[log a]\n", "line 1: [log PATH]: an absolute path"},
        {"[allow]\naddress = 10.0.0.0/33\n", "line 2: bad address"},
        {"[backend]\ntype = iptables\n", "line 2: bad type 'iptables'"},
        {"[backend]\nreload = nginx -s reload\n",
         "line 2: reload: the program"},
        {"[hub]\nurl = ftp://x\n", "line 2: url: http:// or https://"},
        {"[rule a]\nmaxretry = 0\n", "line 2: rule 'a': bad value for "
                                     "maxretry"},
        {"[rule a]\nstatus = 404\nmaxretry = 100001\n", "line 3: "},
        {"[rule a]\nstatus = 404\nfindtime = 31d\n", "line 3: "},
        {"[rule a]\nstatus = 404\nbantime = 0\n", "line 3: "},
        {"[rule a]\nstatus = 404\nbantime = 366d\n", "line 3: "},
        {"[rule a]\nstatus = 4O4\n", "line 2: rule 'a': bad status"},
        {"[rule a]\nstatus = 499-400\n", "line 2: rule 'a': bad status"},
        {"[rule a]\nmethod = get\n", "line 2: rule 'a': bad method"},
        {"[rule a]\nstatus = 404\n\n[rule a]\n",
         "line 4: rule 'a' is defined twice"},
        {"[rule a b]\n", "line 1: bad rule name"},
        {"[rule a]\nfoo = 1\n", "line 2: rule 'a': unknown key 'foo'"},
        {"[rule a]\nstatus != 404\n", "line 2: rule 'a': 'status' cannot be "
                                      "negated"},
        {"[rule a]\nstatus = 404\nstatus = 403\n", "line 3: rule 'a': 'status'"
                                                   " is set twice"},
        {"[rule a]\nmaxretry = 3\n", "line 1: rule 'a': no predicate"},
        {"[rule a]\npath = ^/x(\n",
         "line 2: rule 'a': bad regex: missing closing parenthesis at offset "
         "4"},
        {"[rule a]\npath = (a)\\1\n", "line 2: rule 'a': bad regex: back "
                                      "references"},
        {"[rule a]\npath = a(*COMMIT)b\n", "line 2: rule 'a': bad regex: "
                                           "backtracking verbs"},
        {"[rule a]\npath = (?x)a # b\n", "line 2: rule 'a': bad regex: "
                                         "extended mode"},
        {"[rule a]\npath = a(?C1)\n", "line 2: rule 'a': bad regex: "
                                      "recursion"},
        {"[rule a]\nprogram = sshd\nmatch = no address here\n",
         "line 3: rule 'a': bad regex: a syslog pattern needs <ADDR> exactly "
         "once"},
        {"[rule a]\nmatch = <ADDR> and <ADDR>\n", "line 2: rule 'a': bad "
                                                  "regex: a syslog pattern"},
        {"[rule a]\nstatus = 404\ncount = nope\n",
         "line 3: rule 'a': count names unknown rule 'nope'"},
        {"[rule a]\ncount = b\n[rule b]\ncount = a\n",
         "line 2: rule 'a': count makes a cycle"},
        {"[rule a]\ncount = a\n", "line 2: rule 'a': count makes a cycle"},
        {"[rule a]\nstatus = 404\ncount = wp-login\n",
         "line 3: rule 'a': a counting rule has no predicates"},
        {"[rule a]\naction = reset\nstatus = 302\nresets = wp-login nope\n",
         "line 4: rule 'a': resets names unknown rule 'nope'"},
        {"[rule a]\naction = reset\nstatus = 302\n",
         "line 1: rule 'a': a reset rule needs 'resets'"},
        {"[rule a]\nstatus = 302\nresets = wp-login\n",
         "line 3: rule 'a': 'resets' needs action = reset"},
        {"[rule a]\ncount = wp-ok\n", "line 2: rule 'a': cannot count reset "
                                      "rule 'wp-ok'"},
        {"[rule a]\nstatus = 404\nmatch = x <ADDR>\n",
         "line 1: rule 'a': web keys and syslog keys"},
        {"[rule a]\nlog = syslog\nstatus = 404\n",
         "line 1: rule 'a': its keys do not fit log = syslog"},
        {"[rule wp-login]\nlog = syslog\n",
         "line 1: rule 'wp-login': its keys do not fit log = syslog"},
        {"[rule a]\nstatus = 404\nenabled = perhaps\n", "line 3: "},
        {"[guard]\nstate = /x\n\\\n", "line 3: expected"},
        {"[rule a]\nagent = x\\\n", NULL}, /* continued into the end: fine */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct kk_diag d = {{0}};
        struct guard_conf *c = NULL;
        int r = guard_conf_parse(cases[i].text, strlen(cases[i].text),
                                 "guard.conf", &c, &d);
        if (cases[i].want == NULL) {
            assert_int_equal(r, KK_OK);
            guard_conf_free(c);
            continue;
        }
        if (r == KK_OK || strncmp(d.msg, "guard.conf: ", 12) != 0 ||
            strstr(d.msg, cases[i].want) == NULL) {
            print_error("case %zu: %s\nwant: %s\ngot:  %s\n", i, cases[i].text,
                        cases[i].want, d.msg);
            fail();
        }
        assert_null(c);
    }
}

static void file_limits_hold(void **state)
{
    (void)state;
    struct kk_diag d = {{0}};
    struct guard_conf *c = NULL;
    size_t n = KK_CONF_LINE_MAX + 64;
    char *text = malloc(n + 1);
    assert_non_null(text);
    memcpy(text, "[guard]\nuser = ", 15);
    memset(text + 15, 'a', n - 15);
    text[n] = '\0';
    assert_int_equal(guard_conf_parse(text, n, "guard.conf", &c, &d),
                     KK_ERR_LIMIT);
    assert_non_null(strstr(d.msg, "line 2: line longer than"));
    free(text);
    assert_int_equal(guard_conf_parse("[guard]\0x", 9, "guard.conf", &c, &d),
                     KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "line 1: NUL byte"));
}

static void load_reads_a_file_and_names_it(void **state)
{
    (void)state;
    char path[] = "/tmp/kk-guard-conf-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "[rule wp-login]\nmaxretry = 9\npath = (\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    struct kk_diag d = {{0}};
    struct guard_conf *c = NULL;
    assert_int_equal(guard_conf_load(path, &c, &d), KK_ERR_INVAL);
    char want[128];
    snprintf(want, sizeof(want), "%s: line 3: rule 'wp-login': bad regex",
             path);
    assert_non_null(strstr(d.msg, want));
    unlink(path);
    assert_int_not_equal(guard_conf_load(path, &c, &d), KK_OK);
    assert_null(c);
    assert_int_equal(guard_conf_load(NULL, &c, &d), KK_OK);
    assert_int_equal(c->nrules, 13);
    guard_conf_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builtin_rules_load_with_contract_defaults),
        cmocka_unit_test(user_rule_changes_only_keys_it_sets),
        cmocka_unit_test(every_section_is_read),
        cmocka_unit_test(long_values_continue_over_lines),
        cmocka_unit_test(each_mistake_fails_with_its_line),
        cmocka_unit_test(file_limits_hold),
        cmocka_unit_test(load_reads_a_file_and_names_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
