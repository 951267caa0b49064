/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_nft.c - unit tests of the nftables backend against the kernel, in
 * a private network namespace made at start (the host's ruleset is never
 * seen).  `nft` is the oracle: what the backend wrote over netlink is read
 * back as nft lists it.  Checks the table, sets and chain it creates and
 * that a second open changes nothing, adds, deletes (also of absent
 * elements), timeouts refreshed and expiring, prefixes as intervals,
 * overlaps reported without holding other bans back, flush, the writer
 * process keeping only CAP_NET_ADMIN, and 100,000 bans in one batch (time
 * and memory printed, not asserted).
 *
 * Needs root (CI) or unprivileged user namespaces; skips with a reason
 * otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "ban_backend.h"
#include "kalkan/kk.h"

#define NFT "/usr/sbin/nft"

extern char **environ;

/* ---- helpers ---- */

static struct guard_ban_req req(uint32_t op, const char *prefix,
                                uint32_t timeout)
{
    struct guard_ban_req r;
    char txt[64];
    char *slash;

    memset(&r, 0, sizeof r);
    r.op = op;
    r.timeout = timeout;
    if (prefix == NULL)
        return r;
    snprintf(txt, sizeof txt, "%s", prefix);
    slash = strchr(txt, '/');
    if (slash != NULL)
        *slash = '\0';
    if (inet_pton(AF_INET, txt, r.addr.b) == 1) {
        r.addr.family = 4;
        r.addr.plen = 32;
    } else {
        assert_int_equal(inet_pton(AF_INET6, txt, r.addr.b), 1);
        r.addr.family = 6;
        r.addr.plen = 128;
    }
    if (slash != NULL)
        r.addr.plen = (uint8_t)strtoul(slash + 1, NULL, 10);
    return r;
}

static struct guard_ban_req add(const char *p, uint32_t timeout)
{
    return req(GUARD_OP_ADD, p, timeout);
}

static struct guard_ban_req del(const char *p)
{
    return req(GUARD_OP_DEL, p, 0);
}

/* Runs argv; returns its stdout (caller frees), *status its exit status. */
static char *run_capture(char *const *argv, int *status)
{
    posix_spawn_file_actions_t fa;
    int p[2];
    pid_t pid;
    int st = 0;
    size_t len = 0, cap = 1 << 16;
    char *buf = malloc(cap);

    assert_non_null(buf);
    assert_int_equal(pipe(p), 0);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    assert_int_equal(posix_spawn(&pid, argv[0], &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    for (;;) {
        ssize_t n;

        if (cap - len < 4096) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        n = read(p[0], buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    close(p[0]);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return buf;
}

/* Runs argv, ignoring its output; returns its exit status. */
static int run(char *const *argv)
{
    int st;

    free(run_capture(argv, &st));
    return st;
}

static char *nft_out(const char *a1, const char *a2, const char *a3,
                     const char *a4, const char *a5)
{
    char *argv[] = {(char *)NFT, (char *)a1, (char *)a2, (char *)a3,
                    (char *)a4,  (char *)a5, NULL};
    int st;
    char *out = run_capture(argv, &st);

    assert_int_equal(st, 0);
    return out;
}

static char *list_set(const char *set)
{
    return nft_out("list", "set", "inet", "kalkan", set);
}

/* memmem with the remaining length, not strstr: the sanitizer's strstr
 * measures the whole rest of the string on every call, which made this
 * quadratic over nft's listing of 100,000 elements. */
static size_t count_of(const char *s, const char *needle)
{
    size_t n = 0, off = 0, len = strlen(needle), total = strlen(s);

    for (;;) {
        const char *p = memmem(s + off, total - off, needle, len);
        if (p == NULL)
            break;
        n++;
        off = (size_t)(p - s) + len;
    }
    return n;
}

/* True when nft finds addr in set (interval lookup in the kernel). */
static bool holds(const char *set, const char *addr)
{
    char elem[96];
    char *argv[] = {(char *)NFT,
                    (char *)"get",
                    (char *)"element",
                    (char *)"inet",
                    (char *)"kalkan",
                    (char *)set,
                    elem,
                    NULL};

    snprintf(elem, sizeof elem, "{ %s }", addr);
    return run(argv) == 0;
}

static void drop_table(void)
{
    char *argv[] = {(char *)NFT,    (char *)"delete", (char *)"table",
                    (char *)"inet", (char *)"kalkan", NULL};
    run(argv); /* absent is fine */
}

static void conf_nft(struct guard_conf *c, bool create)
{
    memset(c, 0, sizeof *c);
    c->backend = GUARD_BACKEND_NFT;
    c->nft_table = (char *)"kalkan";
    c->nft_set4 = (char *)"ban4";
    c->nft_set6 = (char *)"ban6";
    c->nft_create = create;
}

static struct guard_banner *open_nft(void)
{
    struct guard_conf c;
    struct guard_banner *b = NULL;
    struct kk_diag d;

    conf_nft(&c, true);
    kk_diag_clear(&d);
    if (guard_banner_open(&c, &b, &d) != KK_OK)
        fail_msg("open: %s", d.msg);
    return b;
}

static void commit(struct guard_banner *b, const struct guard_ban_req *r,
                   size_t n)
{
    struct kk_diag d;

    for (size_t i = 0; i < n; i++)
        assert_int_equal(guard_banner_queue(b, &r[i], NULL), KK_OK);
    kk_diag_clear(&d);
    if (guard_banner_commit(b, &d) != KK_OK)
        fail_msg("commit: %s", d.msg);
}

/* The ruleset generation, read over netlink: it moves with every change
 * the kernel commits. */
static uint32_t ruleset_gen(void)
{
    char buf[8192];
    struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
    struct nlmsghdr *h;
    struct nfgenmsg *g;
    struct nlattr *a;
    uint32_t gen = 0;
    ssize_t n;

    assert_non_null(nl);
    assert_int_equal(mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID), 0);
    h = mnl_nlmsg_put_header(buf);
    h->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN;
    h->nlmsg_flags = NLM_F_REQUEST;
    h->nlmsg_seq = 1;
    g = mnl_nlmsg_put_extra_header(h, sizeof *g);
    g->nfgen_family = AF_UNSPEC;
    g->version = NFNETLINK_V0;
    assert_true(mnl_socket_sendto(nl, h, h->nlmsg_len) > 0);
    n = mnl_socket_recvfrom(nl, buf, sizeof buf);
    assert_true(n > 0);
    h = (struct nlmsghdr *)buf;
    mnl_attr_for_each(a, h, sizeof(struct nfgenmsg))
    {
        if (mnl_attr_get_type(a) == NFTA_GEN_ID)
            gen = ntohl(mnl_attr_get_u32(a));
    }
    mnl_socket_close(nl);
    return gen;
}

static int fresh(void **state)
{
    (void)state;
    drop_table();
    return 0;
}

/* ---- tests ---- */

static void nft_open_creates_table_sets_and_drop_rules(void **state)
{
    struct guard_banner *b;
    char *s;

    (void)state;
    b = open_nft();
    s = nft_out("list", "table", "inet", "kalkan", NULL);
    assert_non_null(strstr(s, "set ban4 {"));
    assert_non_null(strstr(s, "type ipv4_addr"));
    assert_non_null(strstr(s, "set ban6 {"));
    assert_non_null(strstr(s, "type ipv6_addr"));
    assert_int_equal(count_of(s, "flags interval,timeout"), 2);
    assert_non_null(strstr(
        s, "type filter hook input priority filter - 10; policy accept;"));
    assert_non_null(strstr(s, "ip saddr @ban4 drop"));
    assert_non_null(strstr(s, "ip6 saddr @ban6 drop"));
    free(s);
    guard_banner_close(b);
}

static void nft_second_open_changes_nothing(void **state)
{
    struct guard_banner *b;
    struct guard_ban_req r = add("192.0.2.7", 3600);
    char *before, *after;
    uint32_t gen;

    (void)state;
    b = open_nft();
    commit(b, &r, 1);
    guard_banner_close(b);
    before = nft_out("list", "table", "inet", "kalkan", NULL);
    gen = ruleset_gen();
    b = open_nft();
    guard_banner_close(b);
    assert_int_equal(ruleset_gen(), gen);
    after = nft_out("list", "table", "inet", "kalkan", NULL);
    assert_int_equal(count_of(after, " drop"), 2);
    assert_non_null(strstr(after, "192.0.2.7"));
    free(before);
    free(after);
}

static void nft_open_restores_a_missing_rule_only(void **state)
{
    struct guard_banner *b;
    char *argv[] = {(char *)NFT,
                    (char *)"flush",
                    (char *)"chain",
                    (char *)"inet",
                    (char *)"kalkan",
                    (char *)"input",
                    NULL};
    char *s;

    (void)state;
    b = open_nft();
    guard_banner_close(b);
    assert_int_equal(run(argv), 0);
    b = open_nft();
    guard_banner_close(b);
    s = nft_out("list", "chain", "inet", "kalkan", "input");
    assert_int_equal(count_of(s, "ip saddr @ban4 drop"), 1);
    assert_int_equal(count_of(s, "ip6 saddr @ban6 drop"), 1);
    free(s);
}

static int sh(const char *cmd)
{
    char *argv[] = {(char *)"/bin/sh", (char *)"-c", (char *)cmd, NULL};

    return run(argv);
}

static void nft_open_without_create_needs_the_sets(void **state)
{
    struct guard_conf c;
    struct guard_banner *b = NULL;
    struct guard_ban_req r[] = {add("192.0.2.7", 60), add("10.1.0.0/16", 60)};
    struct kk_diag d;
    char *s;

    (void)state;
    conf_nft(&c, false);
    kk_diag_clear(&d);
    assert_int_equal(guard_banner_open(&c, &b, &d), KK_ERR_NOTFOUND);
    assert_non_null(strstr(d.msg, "ban4 does not exist"));
    assert_null(b);

    /* An existing set of the wrong type is named, created or not. */
    assert_int_equal(sh(NFT " add table inet kalkan && " NFT
                            " add set inet kalkan ban4 '{ type inet_service; "
                            "flags timeout; }'"),
                     0);
    assert_int_equal(guard_banner_open(&c, &b, &d), KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "not of type ipv4_addr"));
    conf_nft(&c, true);
    assert_int_equal(guard_banner_open(&c, &b, &d), KK_ERR_INVAL);

    /* Sets made by the operator without the interval flag: hosts only. */
    drop_table();
    assert_int_equal(sh(NFT " add table inet kalkan && " NFT
                            " add set inet kalkan ban4 '{ type ipv4_addr; "
                            "flags timeout; }' && " NFT
                            " add set inet kalkan ban6 '{ type ipv6_addr; "
                            "flags timeout; }'"),
                     0);
    conf_nft(&c, false);
    assert_int_equal(guard_banner_open(&c, &b, &d), KK_OK);
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(guard_banner_queue(b, &r[i], NULL), KK_OK);
    assert_int_equal(guard_banner_commit(b, &d), KK_ERR_SYSTEM);
    assert_non_null(strstr(d.msg, "1 prefixes not possible"));
    s = list_set("ban4");
    assert_non_null(strstr(s, "192.0.2.7"));
    free(s);
    guard_banner_close(b);
    /* Nothing was added to the operator's table. */
    s = nft_out("list", "table", "inet", "kalkan", NULL);
    assert_null(strstr(s, "chain"));
    free(s);
}

static void nft_adds_and_deletes_hosts_and_prefixes(void **state)
{
    struct guard_banner *b;
    struct guard_ban_req first[] = {
        add("192.0.2.7", 3600), add("10.1.0.0/16", 3600),
        add("2001:db8:1:2::/64", 3600), add("2001:db8::9", 3600),
        add("255.255.255.255", 3600)};
    struct guard_ban_req second[] = {del("192.0.2.7"), del("198.51.100.1"),
                                     del("2001:db8:1:2::/64"),
                                     del("2001:db8:ffff::/48")};
    char *s;

    (void)state;
    b = open_nft();
    commit(b, first, sizeof first / sizeof first[0]);
    s = list_set("ban4");
    assert_non_null(strstr(s, "192.0.2.7 timeout 1h"));
    assert_non_null(strstr(s, "10.1.0.0/16 timeout 1h"));
    assert_non_null(strstr(s, "255.255.255.255 timeout 1h"));
    free(s);
    s = list_set("ban6");
    assert_non_null(strstr(s, "2001:db8:1:2::/64 timeout 1h"));
    assert_non_null(strstr(s, "2001:db8::9 timeout 1h"));
    free(s);
    /* The kernel's lookup covers the whole prefix, and only it. */
    assert_true(holds("ban4", "10.1.200.3"));
    assert_false(holds("ban4", "10.2.0.0"));
    assert_false(holds("ban4", "10.0.255.255"));
    assert_true(holds("ban6", "2001:db8:1:2:ffff::1"));
    assert_false(holds("ban6", "2001:db8:1:3::"));
    assert_false(holds("ban4", "192.0.2.8"));

    /* Deleting what is not there does not fail the batch. */
    commit(b, second, sizeof second / sizeof second[0]);
    s = list_set("ban4");
    assert_null(strstr(s, "192.0.2.7"));
    assert_non_null(strstr(s, "10.1.0.0/16"));
    free(s);
    s = list_set("ban6");
    assert_null(strstr(s, "2001:db8:1:2::/64"));
    assert_non_null(strstr(s, "2001:db8::9"));
    free(s);
    assert_false(holds("ban6", "2001:db8:1:2::1"));
    guard_banner_close(b);
}

/* True when s lists elem with timeout tmo and an expiry within its first
 * minute ("expires 2h" when listed within a millisecond of the add). */
static bool fresh_timeout(const char *s, const char *elem, const char *tmo,
                          const char *tmo_less)
{
    char a[128], b[128];

    snprintf(a, sizeof a, "%s timeout %s expires %s", elem, tmo, tmo);
    snprintf(b, sizeof b, "%s timeout %s expires %s", elem, tmo, tmo_less);
    return strstr(s, a) != NULL || strstr(s, b) != NULL;
}

static void nft_readding_refreshes_the_timeout(void **state)
{
    struct guard_banner *b;
    struct guard_ban_req r[] = {add("192.0.2.7", 60),
                                add("2001:db8:5::/64", 60)};
    char *s;

    (void)state;
    b = open_nft();
    commit(b, r, 2);
    r[0].timeout = 7200;
    r[1].timeout = 7200;
    commit(b, r, 2);
    s = list_set("ban4");
    if (!fresh_timeout(s, "192.0.2.7", "2h", "1h59m"))
        fail_msg("not refreshed: %s", s);
    free(s);
    s = list_set("ban6");
    if (!fresh_timeout(s, "2001:db8:5::/64", "2h", "1h59m"))
        fail_msg("not refreshed: %s", s);
    free(s);
    /* Shorter counts too: the last word is the daemon's. */
    r[0].timeout = 600;
    commit(b, r, 1);
    s = list_set("ban4");
    if (!fresh_timeout(s, "192.0.2.7", "10m", "9m"))
        fail_msg("not shortened: %s", s);
    free(s);
    guard_banner_close(b);
}

static void nft_elements_expire_by_themselves(void **state)
{
    struct guard_banner *b;
    struct guard_ban_req r[] = {add("192.0.2.70", 1), add("2001:db8:7::/64", 1),
                                add("192.0.2.71", 3600)};
    char *s;

    (void)state;
    b = open_nft();
    commit(b, r, 3);
    assert_true(holds("ban4", "192.0.2.70"));
    usleep(2500 * 1000);
    s = list_set("ban4");
    assert_null(strstr(s, "192.0.2.70"));
    assert_non_null(strstr(s, "192.0.2.71"));
    free(s);
    assert_false(holds("ban6", "2001:db8:7::1"));
    /* Lifting an expired ban is no error. */
    r[0] = del("192.0.2.70");
    commit(b, r, 1);
    guard_banner_close(b);
}

static void nft_overlap_is_reported_and_other_bans_apply(void **state)
{
    struct guard_banner *b;
    struct guard_ban_req r[] = {add("10.9.0.0/16", 3600)};
    struct guard_ban_req next[] = {add("10.9.1.1", 3600),
                                   add("192.0.2.99", 3600),
                                   add("2001:db8:9::/64", 3600)};
    struct kk_diag d;
    char *s;

    (void)state;
    b = open_nft();
    commit(b, r, 1);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(guard_banner_queue(b, &next[i], NULL), KK_OK);
    kk_diag_clear(&d);
    assert_int_equal(guard_banner_commit(b, &d), KK_ERR_SYSTEM);
    print_message("overlap: %s\n", d.msg);
    assert_non_null(strstr(d.msg, "1 of 3 changes refused"));
    assert_non_null(strstr(d.msg, "10.9.1.1/32"));
    s = list_set("ban4");
    assert_non_null(strstr(s, "192.0.2.99"));
    assert_non_null(strstr(s, "10.9.0.0/16"));
    free(s);
    assert_true(holds("ban6", "2001:db8:9::1"));
    guard_banner_close(b);
}

static void nft_flush_empties_both_sets(void **state)
{
    struct guard_banner *b;
    struct guard_ban_req r[] = {
        add("192.0.2.7", 3600), add("2001:db8::7", 3600),
        req(GUARD_OP_FLUSH, NULL, 0), add("192.0.2.8", 3600)};
    char *s;

    (void)state;
    b = open_nft();
    commit(b, r, 2);
    commit(b, r + 2, 2);
    s = list_set("ban4");
    assert_null(strstr(s, "192.0.2.7"));
    assert_non_null(strstr(s, "192.0.2.8"));
    free(s);
    s = list_set("ban6");
    assert_null(strstr(s, "2001:db8::7"));
    free(s);
    commit(b, r + 2, 1);
    s = list_set("ban4");
    assert_null(strstr(s, "192.0.2.8"));
    free(s);
    guard_banner_close(b);
}

static void nft_writer_keeps_only_net_admin_and_bans(void **state)
{
    struct guard_conf c;
    struct guard_ban_req r[] = {add("192.0.2.40", 3600),
                                add("2001:db8:40::/64", 3600)};
    struct kk_diag d;
    char path[64], *status;
    int fd = -1, pid = -1, st = 0;
    struct kk_buf *buf = kk_buf_new(1 << 16);
    char *s;

    (void)state;
    conf_nft(&c, true);
    kk_diag_clear(&d);
    if (guard_banner_spawn(&c, &fd, &pid, &d) != KK_OK)
        fail_msg("spawn: %s", d.msg);
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    assert_int_equal(kk_file_read(path, 1 << 16, buf, NULL), KK_OK);
    status = (char *)kk_buf_str(buf);
    if (geteuid() == 0) /* CAP_NET_ADMIN is bit 12 */
        assert_non_null(strstr(status, "CapEff:\t0000000000001000"));
    assert_non_null(strstr(status, "NoNewPrivs:\t1"));
    assert_non_null(strstr(status, "Seccomp:\t2"));
    kk_buf_free(buf);
    if (guard_banner_send(fd, r, 2, &d) != KK_OK)
        fail_msg("send: %s", d.msg);
    s = list_set("ban4");
    assert_non_null(strstr(s, "192.0.2.40"));
    free(s);
    assert_true(holds("ban6", "2001:db8:40::1"));
    r[0] = del("192.0.2.40");
    assert_int_equal(guard_banner_send(fd, r, 1, &d), KK_OK);
    assert_false(holds("ban4", "192.0.2.40"));
    close(fd);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st)); /* not killed by its filter */
    assert_int_equal(WEXITSTATUS(st), 0);
}

static void nft_reopened_backend_lifts_bans_of_an_earlier_run(void **state)
{
    struct guard_banner *b;
    struct guard_ban_req r[] = {add("192.0.2.60", 3600),
                                add("2001:db8:60::/64", 3600)};
    char *s;

    (void)state;
    b = open_nft();
    commit(b, r, 2);
    guard_banner_close(b);
    b = open_nft(); /* learns the elements from the kernel */
    r[0] = del("192.0.2.60");
    r[1] = del("2001:db8:60::/64");
    commit(b, r, 2);
    s = list_set("ban4");
    assert_null(strstr(s, "192.0.2.60"));
    free(s);
    assert_false(holds("ban6", "2001:db8:60::1"));
    guard_banner_close(b);
}

static void nft_many_adds_and_lifts_leave_exactly_the_bans(void **state)
{
    enum { N = 5000 };
    struct guard_banner *b;
    struct guard_ban_req r;
    size_t expect = 0;
    char *s;
    int st;
    char *argv[] = {
        (char *)NFT,    (char *)"-j",     (char *)"list", (char *)"set",
        (char *)"inet", (char *)"kalkan", (char *)"ban4", NULL};

    (void)state;
    b = open_nft();
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < N; i++) {
            char a[32];

            snprintf(a, sizeof a, "10.%d.%d.%d", 20 + round % 2, i / 256,
                     i % 256);
            /* round 0: add all; 1: add all of another /16; 2: lift every
             * other of the first */
            if (round == 2 && i % 2 == 1)
                continue;
            r = round == 2 ? del(a) : add(a, 3600);
            assert_int_equal(guard_banner_queue(b, &r, NULL), KK_OK);
        }
        commit(b, NULL, 0);
    }
    expect = N + N - (N + 1) / 2;
    s = run_capture(argv, &st);
    assert_int_equal(st, 0);
    assert_int_equal(count_of(s, "{\"elem\": {"), expect);
    free(s);
    assert_false(holds("ban4", "10.20.0.0"));
    assert_true(holds("ban4", "10.20.0.1"));
    assert_true(holds("ban4", "10.21.19.135"));
    guard_banner_close(b);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_s(const struct timeval *tv)
{
    return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static void nft_commits_100k_bans_in_one_batch(void **state)
{
    enum { N = 100000 };
    struct guard_banner *b;
    struct guard_ban_req r;
    struct rusage ru, ru0;
    double t0, t1, t2, t3;
    char *s;

    (void)state;
    b = open_nft();
    for (int i = 0; i < N; i++) {
        memset(&r, 0, sizeof r);
        r.op = GUARD_OP_ADD;
        r.timeout = 3600;
        r.addr.family = 4;
        r.addr.plen = 32;
        r.addr.b[0] = (uint8_t)(11 + i / 65536);
        r.addr.b[1] = (uint8_t)(i / 256 % 256);
        r.addr.b[2] = (uint8_t)(i % 256);
        r.addr.b[3] = 1;
        assert_int_equal(guard_banner_queue(b, &r, NULL), KK_OK);
    }
    getrusage(RUSAGE_SELF, &ru0);
    t0 = now_s();
    assert_int_equal(guard_banner_commit(b, NULL), KK_OK);
    t1 = now_s();
    getrusage(RUSAGE_SELF, &ru);
    print_message("nft: 100000 new bans: %.3f s wall, %.3f s user, %.3f s "
                  "system, the kernel's part\n",
                  t1 - t0, tv_s(&ru.ru_utime) - tv_s(&ru0.ru_utime),
                  tv_s(&ru.ru_stime) - tv_s(&ru0.ru_stime));
    {
        char *argv[] = {
            (char *)NFT,    (char *)"-j",     (char *)"list", (char *)"set",
            (char *)"inet", (char *)"kalkan", (char *)"ban4", NULL};
        int st;
        s = run_capture(argv, &st);
        assert_int_equal(st, 0);
    }
    assert_int_equal(count_of(s, "{\"elem\": {"), N);
    free(s);
    /* Again: every element exists, so every one is refreshed. */
    for (int i = 0; i < N; i++) {
        memset(&r, 0, sizeof r);
        r.op = GUARD_OP_ADD;
        r.timeout = 7200;
        r.addr.family = 4;
        r.addr.plen = 32;
        r.addr.b[0] = (uint8_t)(11 + i / 65536);
        r.addr.b[1] = (uint8_t)(i / 256 % 256);
        r.addr.b[2] = (uint8_t)(i % 256);
        r.addr.b[3] = 1;
        assert_int_equal(guard_banner_queue(b, &r, NULL), KK_OK);
    }
    getrusage(RUSAGE_SELF, &ru0);
    t2 = now_s();
    assert_int_equal(guard_banner_commit(b, NULL), KK_OK);
    t3 = now_s();
    getrusage(RUSAGE_SELF, &ru);
    print_message("nft: 100000 refreshed bans: %.3f s wall, %.3f s user, "
                  "%.3f s system\n",
                  t3 - t2, tv_s(&ru.ru_utime) - tv_s(&ru0.ru_utime),
                  tv_s(&ru.ru_stime) - tv_s(&ru0.ru_stime));
    memset(&r, 0, sizeof r);
    r.op = GUARD_OP_FLUSH;
    assert_int_equal(guard_banner_queue(b, &r, NULL), KK_OK);
    {
        double t4 = now_s(), t5;

        assert_int_equal(guard_banner_commit(b, NULL), KK_OK);
        t5 = now_s();
        getrusage(RUSAGE_SELF, &ru);
        print_message("nft: 100000 bans in one batch: %.3f s (new), %.3f s "
                      "(refresh), flush %.3f s; max RSS of the test "
                      "process %ld KiB\n",
                      t1 - t0, t3 - t2, t5 - t4, ru.ru_maxrss);
    }
    s = list_set("ban4");
    assert_null(strstr(s, "11.0.0.1"));
    free(s);
    guard_banner_close(b);
}

/* A private network namespace for the whole run: as root directly, else
 * inside a new user namespace. */
static bool private_netns(const char **why)
{
    char map[64];
    uid_t uid = geteuid();
    gid_t gid = getegid();
    int fd;

    if (uid == 0) {
        if (unshare(CLONE_NEWNET) == 0)
            return true;
        *why = "root, but unshare(CLONE_NEWNET) failed";
        return false;
    }
    if (unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0) {
        *why = "not root and no unprivileged user namespaces";
        return false;
    }
    fd = open("/proc/self/setgroups", O_WRONLY);
    if (fd >= 0) {
        (void)!write(fd, "deny", 4);
        close(fd);
    }
    snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
    fd = open("/proc/self/uid_map", O_WRONLY);
    if (fd < 0 || write(fd, map, strlen(map)) < 0) {
        *why = "cannot map the user in a user namespace";
        return false;
    }
    close(fd);
    snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
    fd = open("/proc/self/gid_map", O_WRONLY);
    if (fd >= 0) {
        (void)!write(fd, map, strlen(map));
        close(fd);
    }
    return true;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(nft_open_creates_table_sets_and_drop_rules,
                               fresh),
        cmocka_unit_test_setup(nft_second_open_changes_nothing, fresh),
        cmocka_unit_test_setup(nft_open_restores_a_missing_rule_only, fresh),
        cmocka_unit_test_setup(nft_open_without_create_needs_the_sets, fresh),
        cmocka_unit_test_setup(nft_adds_and_deletes_hosts_and_prefixes, fresh),
        cmocka_unit_test_setup(nft_readding_refreshes_the_timeout, fresh),
        cmocka_unit_test_setup(nft_elements_expire_by_themselves, fresh),
        cmocka_unit_test_setup(nft_overlap_is_reported_and_other_bans_apply,
                               fresh),
        cmocka_unit_test_setup(nft_flush_empties_both_sets, fresh),
        cmocka_unit_test_setup(nft_writer_keeps_only_net_admin_and_bans, fresh),
        cmocka_unit_test_setup(
            nft_reopened_backend_lifts_bans_of_an_earlier_run, fresh),
        cmocka_unit_test_setup(nft_many_adds_and_lifts_leave_exactly_the_bans,
                               fresh),
        cmocka_unit_test_setup(nft_commits_100k_bans_in_one_batch, fresh),
    };
    const char *why = NULL;

    if (!private_netns(&why)) {
        printf("skipped: %s\n", why);
        return 0;
    }
    if (access(NFT, X_OK) != 0) {
        printf("nft is not installed (scripts/install-deps)\n");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
