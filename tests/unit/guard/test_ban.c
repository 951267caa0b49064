/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_ban.c - unit tests of the ban stage without the firewall: the
 * request check, the deny file for nginx and Apache (content after adds,
 * deletes and a flush, reload pacing, a failing reload), the privileged
 * writer (malformed requests refused while it keeps serving; backends none
 * and file through it), and a real nginx refusing a denied client with
 * 403 after the reload.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ban_backend.h"
#include "kalkan/kk.h"

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

static struct guard_ban_req add(const char *p)
{
    return req(GUARD_OP_ADD, p, 3600);
}

static struct guard_ban_req del(const char *p)
{
    return req(GUARD_OP_DEL, p, 0);
}

struct world {
    char dir[64];
    char deny[128];
    char count[128];  /* one line per reload run */
    char script[128]; /* the reload command */
    char *argv[3];
    struct guard_conf c;
    pid_t nginx; /* 0: none started */
    char nginx_conf[128];
};

static int world_setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    FILE *f;

    assert_non_null(w);
    snprintf(w->dir, sizeof w->dir, "/tmp/kk-ban-XXXXXX");
    assert_non_null(mkdtemp(w->dir));
    chmod(w->dir, 0755);
    snprintf(w->deny, sizeof w->deny, "%s/deny.conf", w->dir);
    snprintf(w->count, sizeof w->count, "%s/reloads", w->dir);
    snprintf(w->script, sizeof w->script, "%s/reload.sh", w->dir);
    f = fopen(w->script, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\necho run >> '%s'\nexit ${KK_RELOAD_EXIT:-0}\n",
            w->count);
    fclose(f);
    chmod(w->script, 0755);
    w->argv[0] = w->script;
    w->argv[1] = NULL;
    w->c.backend = GUARD_BACKEND_FILE;
    w->c.deny_file = w->deny;
    w->c.deny_style = (char *)"nginx";
    w->c.reload = w->argv;
    w->c.reload_interval = 3600;
    *state = w;
    return 0;
}

static int run_wait(char *const *argv)
{
    pid_t pid;
    int st = 0;

    if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
        return -1;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int world_teardown(void **state)
{
    struct world *w = *state;
    char *rm[] = {(char *)"/bin/rm", (char *)"-rf", w->dir, NULL};

    if (w->nginx > 0) {
        char *stop[] = {(char *)"/usr/sbin/nginx",
                        (char *)"-p",
                        w->dir,
                        (char *)"-c",
                        w->nginx_conf,
                        (char *)"-s",
                        (char *)"stop",
                        NULL};
        run_wait(stop);
    }
    run_wait(rm);
    free(w);
    return 0;
}

static char *slurp(const char *path)
{
    struct kk_buf *b = kk_buf_new(64 * 1024 * 1024);
    char *s = NULL;
    size_t len;

    assert_non_null(b);
    if (kk_file_read(path, 64 * 1024 * 1024, b, NULL) == KK_OK)
        s = (char *)kk_buf_take(b, &len);
    kk_buf_free(b);
    return s;
}

static int count_lines(const char *path)
{
    char *s = slurp(path);
    int n = 0;

    for (const char *p = s; p != NULL && *p != '\0'; p++)
        n += *p == '\n';
    free(s);
    return n;
}

static const char *body(const char *file)
{
    const char *nl = strchr(file, '\n'); /* after the header comment */
    return nl != NULL ? nl + 1 : "";
}

/* ---- the request check ---- */

static void ban_req_check_accepts_hosts_prefixes_and_controls(void **state)
{
    struct guard_ban_req r;

    (void)state;
    r = add("192.0.2.7");
    assert_int_equal(guard_ban_req_check(&r, NULL), KK_OK);
    r = add("10.1.0.0/16");
    assert_int_equal(guard_ban_req_check(&r, NULL), KK_OK);
    r = add("2001:db8:1:2::/64");
    assert_int_equal(guard_ban_req_check(&r, NULL), KK_OK);
    r = del("2001:db8::1");
    assert_int_equal(guard_ban_req_check(&r, NULL), KK_OK);
    r = req(GUARD_OP_ADD, "192.0.2.7", GUARD_TIMEOUT_MAX);
    assert_int_equal(guard_ban_req_check(&r, NULL), KK_OK);
    r = req(GUARD_OP_FLUSH, NULL, 0);
    assert_int_equal(guard_ban_req_check(&r, NULL), KK_OK);
    r = req(GUARD_OP_COMMIT, NULL, 0);
    assert_int_equal(guard_ban_req_check(&r, NULL), KK_OK);
}

static const struct {
    uint32_t op;
    const char *prefix;
    uint32_t timeout;
    uint8_t family; /* 0: as parsed */
    const char *why;
} bad_rows[] = {
    {0, "192.0.2.7", 60, 0, "unknown operation"},
    {9, "192.0.2.7", 60, 0, "unknown operation"},
    {GUARD_OP_ADD, "192.0.2.7", 60, 5, "family 5"},
    {GUARD_OP_ADD, "192.0.2.7/33", 60, 0, "prefix length 33"},
    {GUARD_OP_ADD, "2001:db8::/129", 60, 0, "prefix length 129"},
    {GUARD_OP_ADD, "10.0.0.0/7", 60, 0, "prefix length 7"},
    {GUARD_OP_ADD, "2000::/15", 60, 0, "prefix length 15"},
    {GUARD_OP_ADD, "192.0.2.7/24", 60, 0, "host bits"},
    {GUARD_OP_ADD, "2001:db8:1:2::1/64", 60, 0, "host bits"},
    {GUARD_OP_ADD, "192.0.2.7", 0, 0, "timeout 0"},
    {GUARD_OP_ADD, "192.0.2.7", GUARD_TIMEOUT_MAX + 1, 0, "timeout"},
    {GUARD_OP_DEL, "192.0.2.7", 60, 0, "delete carries a timeout"},
    {GUARD_OP_FLUSH, "192.0.2.7", 0, 0, "flush carries"},
    {GUARD_OP_COMMIT, NULL, 5, 0, "commit carries"},
};

static struct guard_ban_req bad_req(size_t i)
{
    struct guard_ban_req r = req(bad_rows[i].op, bad_rows[i].prefix, 0);

    r.timeout = bad_rows[i].timeout;
    if (bad_rows[i].family != 0)
        r.addr.family = bad_rows[i].family;
    return r;
}

static void ban_req_check_refuses_each_malformed_field(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_rows / sizeof bad_rows[0]; i++) {
        struct guard_ban_req r = bad_req(i);
        struct kk_diag d;

        kk_diag_clear(&d);
        assert_int_equal(guard_ban_req_check(&r, &d), KK_ERR_INVAL);
        if (strstr(d.msg, bad_rows[i].why) == NULL)
            fail_msg("row %zu: \"%s\" lacks \"%s\"", i, d.msg, bad_rows[i].why);
    }
}

static void ban_req_check_refuses_ipv4_with_stray_bytes(void **state)
{
    struct guard_ban_req r = add("192.0.2.7");

    (void)state;
    r.addr.b[9] = 1;
    assert_int_equal(guard_ban_req_check(&r, NULL), KK_ERR_INVAL);
}

/* ---- backend none ---- */

static void banner_none_queues_and_commits_nothing(void **state)
{
    struct guard_conf c;
    struct guard_banner *b = NULL;
    struct guard_ban_req r = add("192.0.2.7");
    struct guard_ban_req bad = add("192.0.2.7/24");

    (void)state;
    memset(&c, 0, sizeof c);
    assert_int_equal(guard_banner_open(&c, &b, NULL), KK_OK);
    assert_int_equal(guard_banner_queue(b, &r, NULL), KK_OK);
    assert_int_equal(guard_banner_queue(b, &bad, NULL), KK_ERR_INVAL);
    assert_int_equal(guard_banner_commit(b, NULL), KK_OK);
    assert_int_equal(guard_banner_wait_ms(b), -1);
    guard_banner_close(b);
}

/* ---- deny file ---- */

static void queue_all(struct guard_banner *b, const struct guard_ban_req *r,
                      size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(guard_banner_queue(b, &r[i], NULL), KK_OK);
}

static void
deny_file_nginx_lists_bans_sorted_after_adds_and_deletes(void **state)
{
    struct world *w = *state;
    struct guard_banner *b = NULL;
    struct guard_ban_req first[] = {
        add("2001:db8:1:2::/64"), add("198.51.100.20"), add("10.1.0.0/16"),
        add("192.0.2.7"),         add("198.51.100.3"),  add("192.0.2.7"),
    };
    struct guard_ban_req second[] = {
        del("198.51.100.20"), add("203.0.113.9"), del("192.0.2.99"),
        del("192.0.2.7"),     add("192.0.2.7"),   del("10.1.0.0/16"),
    };
    char *s;

    w->c.reload = NULL;
    assert_int_equal(guard_banner_open(&w->c, &b, NULL), KK_OK);
    s = slurp(w->deny);
    assert_non_null(s);
    assert_string_equal(body(s), ""); /* an empty file to include */
    assert_non_null(strstr(s, "# "));
    free(s);
    queue_all(b, first, sizeof first / sizeof first[0]);
    assert_int_equal(guard_banner_commit(b, NULL), KK_OK);
    s = slurp(w->deny);
    assert_string_equal(body(s), "deny 10.1.0.0/16;\n"
                                 "deny 192.0.2.7;\n"
                                 "deny 198.51.100.3;\n"
                                 "deny 198.51.100.20;\n"
                                 "deny 2001:db8:1:2::/64;\n");
    free(s);
    queue_all(b, second, sizeof second / sizeof second[0]);
    assert_int_equal(guard_banner_commit(b, NULL), KK_OK);
    s = slurp(w->deny);
    assert_string_equal(body(s), "deny 192.0.2.7;\n"
                                 "deny 198.51.100.3;\n"
                                 "deny 203.0.113.9;\n"
                                 "deny 2001:db8:1:2::/64;\n");
    free(s);
    guard_banner_close(b);

    /* A new writer starts from the file's bans; a flush empties it. */
    b = NULL;
    assert_int_equal(guard_banner_open(&w->c, &b, NULL), KK_OK);
    first[0] = del("198.51.100.3");
    queue_all(b, first, 1);
    assert_int_equal(guard_banner_commit(b, NULL), KK_OK);
    s = slurp(w->deny);
    assert_string_equal(body(s), "deny 192.0.2.7;\n"
                                 "deny 203.0.113.9;\n"
                                 "deny 2001:db8:1:2::/64;\n");
    free(s);
    first[0] = add("192.0.2.50");
    first[1] = req(GUARD_OP_FLUSH, NULL, 0);
    first[2] = add("192.0.2.51");
    queue_all(b, first, 3);
    assert_int_equal(guard_banner_commit(b, NULL), KK_OK);
    s = slurp(w->deny);
    assert_string_equal(body(s), "deny 192.0.2.51;\n");
    free(s);
    guard_banner_close(b);
}

static void deny_file_apache_wraps_bans_in_require_all(void **state)
{
    struct world *w = *state;
    struct guard_banner *b = NULL;
    struct guard_ban_req r[] = {add("2001:db8::1"), add("192.0.2.0/24")};
    char *s;

    w->c.reload = NULL;
    w->c.deny_style = (char *)"apache";
    assert_int_equal(guard_banner_open(&w->c, &b, NULL), KK_OK);
    queue_all(b, r, 2);
    assert_int_equal(guard_banner_commit(b, NULL), KK_OK);
    s = slurp(w->deny);
    assert_string_equal(body(s), "<RequireAll>\n"
                                 "    Require all granted\n"
                                 "    Require not ip 192.0.2.0/24\n"
                                 "    Require not ip 2001:db8::1\n"
                                 "</RequireAll>\n");
    free(s);
    guard_banner_close(b);
    /* Read back by a new writer. */
    b = NULL;
    assert_int_equal(guard_banner_open(&w->c, &b, NULL), KK_OK);
    r[0] = del("2001:db8::1");
    queue_all(b, r, 1);
    assert_int_equal(guard_banner_commit(b, NULL), KK_OK);
    s = slurp(w->deny);
    assert_string_equal(body(s), "<RequireAll>\n"
                                 "    Require all granted\n"
                                 "    Require not ip 192.0.2.0/24\n"
                                 "</RequireAll>\n");
    free(s);
    guard_banner_close(b);
}

static void deny_file_refuses_an_edited_file_it_cannot_read(void **state)
{
    struct world *w = *state;
    struct guard_banner *b = NULL;
    struct kk_diag d;
    FILE *f = fopen(w->deny, "w");

    assert_non_null(f);
    fputs("# mine\ndeny 192.0.2.7;\ndeny 300.1.2.3;\n", f);
    fclose(f);
    w->c.reload = NULL;
    kk_diag_clear(&d);
    assert_int_equal(guard_banner_open(&w->c, &b, &d), KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "line 3"));
    assert_null(b);
}

static void deny_file_reloads_once_for_many_changes(void **state)
{
    struct world *w = *state;
    struct guard_banner *b = NULL;
    struct guard_ban_req r;
    char *s;

    assert_int_equal(guard_banner_open(&w->c, &b, NULL), KK_OK);
    assert_int_equal(count_lines(w->count), 0); /* opening reloads nothing */
    for (int i = 0; i < 50; i++) {
        char a[32];

        snprintf(a, sizeof a, "192.0.2.%d", i + 1);
        r = add(a);
        queue_all(b, &r, 1);
    }
    assert_int_equal(guard_banner_commit(b, NULL), KK_OK);
    assert_int_equal(count_lines(w->count), 1);
    assert_int_equal(count_lines(w->deny), 51);
    /* Within the interval: changes wait, the file and nginx agree. */
    for (int i = 0; i < 10; i++) {
        char a[32];

        snprintf(a, sizeof a, "198.51.100.%d", i + 1);
        r = add(a);
        queue_all(b, &r, 1);
        assert_int_equal(guard_banner_commit(b, NULL), KK_OK);
    }
    assert_int_equal(count_lines(w->count), 1);
    assert_int_equal(count_lines(w->deny), 51);
    assert_true(guard_banner_wait_ms(b) > 3500 * 1000 - 60 * 1000);
    guard_banner_close(b);

    /* With a one-second interval the waiting changes go out once due. */
    b = NULL;
    w->c.reload_interval = 1;
    assert_int_equal(guard_banner_open(&w->c, &b, NULL), KK_OK);
    r = add("203.0.113.1");
    queue_all(b, &r, 1);
    assert_int_equal(guard_banner_commit(b, NULL), KK_OK);
    assert_int_equal(count_lines(w->count), 2);
    r = add("203.0.113.2");
    queue_all(b, &r, 1);
    assert_int_equal(guard_banner_commit(b, NULL), KK_OK);
    r = add("203.0.113.3");
    queue_all(b, &r, 1);
    assert_int_equal(guard_banner_commit(b, NULL), KK_OK);
    assert_int_equal(count_lines(w->count), 2);
    assert_true(guard_banner_wait_ms(b) >= 0);
    while (guard_banner_wait_ms(b) > 0)
        usleep(50 * 1000);
    assert_int_equal(guard_banner_commit(b, NULL), KK_OK);
    assert_int_equal(count_lines(w->count), 3);
    assert_int_equal(guard_banner_wait_ms(b), -1);
    s = slurp(w->deny);
    assert_non_null(strstr(s, "deny 203.0.113.3;\n"));
    free(s);
    /* A commit that changes nothing reloads nothing. */
    r = add("203.0.113.3");
    queue_all(b, &r, 1);
    assert_int_equal(guard_banner_commit(b, NULL), KK_OK);
    assert_int_equal(guard_banner_wait_ms(b), -1);
    guard_banner_close(b);
    assert_int_equal(count_lines(w->count), 3);
}

static void deny_file_reports_a_failing_reload(void **state)
{
    struct world *w = *state;
    struct guard_banner *b = NULL;
    struct guard_ban_req r = add("192.0.2.1");
    struct kk_diag d;
    char *s;

    setenv("KK_RELOAD_EXIT", "3", 1); /* the environment is not passed */
    assert_int_equal(guard_banner_open(&w->c, &b, NULL), KK_OK);
    queue_all(b, &r, 1);
    assert_int_equal(guard_banner_commit(b, NULL), KK_OK);
    unsetenv("KK_RELOAD_EXIT");
    guard_banner_close(b);

    /* A script that fails: the file is written, the failure reported. */
    {
        FILE *f = fopen(w->script, "w");
        assert_non_null(f);
        fputs("#!/bin/sh\nexit 3\n", f);
        fclose(f);
    }
    b = NULL;
    assert_int_equal(guard_banner_open(&w->c, &b, NULL), KK_OK);
    r = add("192.0.2.2");
    queue_all(b, &r, 1);
    kk_diag_clear(&d);
    assert_int_equal(guard_banner_commit(b, &d), KK_ERR_SYSTEM);
    assert_non_null(strstr(d.msg, "exited with status 3"));
    s = slurp(w->deny);
    assert_non_null(strstr(s, "deny 192.0.2.2;\n"));
    free(s);
    guard_banner_close(b);

    /* A command that is not there. */
    w->argv[0] = (char *)"/nonexistent/reload";
    b = NULL;
    assert_int_equal(guard_banner_open(&w->c, &b, NULL), KK_OK);
    r = add("192.0.2.3");
    queue_all(b, &r, 1);
    kk_diag_clear(&d);
    assert_int_equal(guard_banner_commit(b, &d), KK_ERR_SYSTEM);
    assert_non_null(strstr(d.msg, "/nonexistent/reload"));
    guard_banner_close(b);
}

static void deny_file_open_checks_its_settings(void **state)
{
    struct world *w = *state;
    struct guard_banner *b = NULL;
    struct kk_diag d;

    w->c.deny_file = (char *)"relative/deny.conf";
    assert_int_equal(guard_banner_open(&w->c, &b, &d), KK_ERR_INVAL);
    w->c.deny_file = (char *)"/nonexistent-dir/deny.conf";
    assert_int_equal(guard_banner_open(&w->c, &b, &d), KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "not a directory"));
    w->c.deny_file = w->deny;
    w->c.deny_style = (char *)"lighttpd";
    assert_int_equal(guard_banner_open(&w->c, &b, &d), KK_ERR_INVAL);
    w->c.deny_style = (char *)"nginx";
    w->argv[0] = (char *)"nginx";
    assert_int_equal(guard_banner_open(&w->c, &b, &d), KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "absolute"));
    assert_null(b);
}

/* ---- the privileged writer ---- */

static void send_raw(int fd, const void *p, size_t n)
{
    assert_int_equal(send(fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

static void stop_writer(int fd, int pid)
{
    int st = 0;

    close(fd);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    /* Ended by itself when its socket closed, not killed by seccomp. */
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

static void writer_refuses_malformed_requests_and_keeps_serving(void **state)
{
    struct guard_conf c;
    struct guard_ban_req good = add("192.0.2.7");
    struct kk_diag d;
    int fd = -1, pid = -1;

    (void)state;
    memset(&c, 0, sizeof c);
    assert_int_equal(guard_banner_spawn(&c, &fd, &pid, &d), KK_OK);
    for (size_t i = 0; i < sizeof bad_rows / sizeof bad_rows[0]; i++) {
        struct guard_ban_req bad[2] = {bad_req(i), good};

        if (bad[0].op == GUARD_OP_COMMIT)
            continue; /* a bad commit is a bad request too: below */
        kk_diag_clear(&d);
        assert_int_equal(guard_banner_send(fd, bad, 2, &d), KK_ERR_INVAL);
        if (strstr(d.msg, bad_rows[i].why) == NULL)
            fail_msg("row %zu: \"%s\" lacks \"%s\"", i, d.msg, bad_rows[i].why);
        assert_int_equal(guard_banner_send(fd, &good, 1, &d), KK_OK);
    }
    /* A packet that is not a whole number of requests. */
    send_raw(fd, "hello", 5);
    assert_int_equal(guard_banner_send(fd, &good, 1, &d), KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "5 bytes"));
    /* A commit with a timeout is refused, not taken as a commit. */
    {
        struct guard_ban_req bc = req(GUARD_OP_COMMIT, NULL, 5);
        send_raw(fd, &bc, sizeof bc);
        assert_int_equal(guard_banner_send(fd, NULL, 0, &d), KK_ERR_INVAL);
    }
    assert_int_equal(guard_banner_send(fd, NULL, 0, &d), KK_OK);
    stop_writer(fd, pid);
}

static void writer_with_deny_file_writes_and_reloads(void **state)
{
    struct world *w = *state;
    struct guard_ban_req r[600];
    struct kk_diag d;
    int fd = -1, pid = -1;
    char *s;

    w->c.reload_interval = 0;
    kk_diag_clear(&d);
    if (guard_banner_spawn(&w->c, &fd, &pid, &d) != KK_OK)
        fail_msg("spawn: %s", d.msg);
    for (int i = 0; i < 600; i++) {
        char a[32];

        snprintf(a, sizeof a, "10.%d.%d.1", 100 + i / 250, i % 250);
        r[i] = add(a);
    }
    if (guard_banner_send(fd, r, 600, &d) != KK_OK)
        fail_msg("send: %s", d.msg);
    assert_int_equal(count_lines(w->deny), 601);
    assert_int_equal(count_lines(w->count), 1);
    r[0] = del("10.100.0.1");
    assert_int_equal(guard_banner_send(fd, r, 1, &d), KK_OK);
    assert_int_equal(count_lines(w->deny), 600);
    assert_int_equal(count_lines(w->count), 2);
    s = slurp(w->deny);
    assert_null(strstr(s, "deny 10.100.0.1;"));
    assert_non_null(strstr(s, "deny 10.102.99.1;"));
    free(s);
    stop_writer(fd, pid);
}

static void writer_reports_a_backend_that_cannot_open(void **state)
{
    struct world *w = *state;
    struct kk_diag d;
    int fd = -1, pid = -1;

    w->c.deny_file = (char *)"/nonexistent-dir/deny.conf";
    kk_diag_clear(&d);
    assert_int_equal(guard_banner_spawn(&w->c, &fd, &pid, &d), KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "not a directory"));
}

/* ---- nginx ---- */

static int free_port(void)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int port;

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &len), 0);
    port = ntohs(sa.sin_port);
    close(s);
    return port;
}

/* The status code of GET / on 127.0.0.1:port, or -1. */
static int http_status(int port)
{
    struct sockaddr_in sa;
    char buf[256];
    const char *q = "GET / HTTP/1.0\r\nHost: guard.test\r\n\r\n";
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int code = -1;
    ssize_t n;

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        send(s, q, strlen(q), MSG_NOSIGNAL) == (ssize_t)strlen(q)) {
        n = recv(s, buf, sizeof buf - 1, MSG_WAITALL);
        if (n > 12) {
            buf[n] = '\0';
            if (sscanf(buf, "HTTP/1.%*d %d", &code) != 1)
                code = -1;
        }
    }
    close(s);
    return code;
}

/* Waits (at most 10 s) for GET / to answer want: nginx applies a reload
 * when its master gets to the signal. */
static int await_status(int port, int want)
{
    int got = -1;

    for (int i = 0; i < 200; i++) {
        got = http_status(port);
        if (got == want)
            break;
        usleep(50 * 1000);
    }
    return got;
}

static void nginx_refuses_a_denied_client_after_reload(void **state)
{
    struct world *w = *state;
    struct guard_banner *b = NULL;
    struct guard_ban_req r;
    char *start[6];
    char *reload[8];
    char path[256];
    FILE *f;
    int port;
    struct kk_diag d;

    /* nginx is the oracle here (scripts/install-deps installs it). */
    assert_int_equal(access("/usr/sbin/nginx", X_OK), 0);
    port = free_port();
    snprintf(w->nginx_conf, sizeof w->nginx_conf, "%s/nginx.conf", w->dir);
    snprintf(path, sizeof path, "%s/www", w->dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/www/index.html", w->dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("hello\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/logs", w->dir);
    mkdir(path, 0755);
    f = fopen(w->nginx_conf, "w");
    assert_non_null(f);
    if (geteuid() == 0) {
        struct passwd *pw = getpwuid(0);
        fprintf(f, "user %s;\n", pw != NULL ? pw->pw_name : "root");
    }
    fprintf(f,
            "worker_processes 1;\n"
            "daemon on;\n"
            "pid %s/nginx.pid;\n"
            "error_log %s/logs/error.log;\n"
            "events { worker_connections 64; }\n"
            "http {\n"
            "  access_log off;\n"
            "  client_body_temp_path %s/logs;\n"
            "  proxy_temp_path %s/logs;\n"
            "  fastcgi_temp_path %s/logs;\n"
            "  uwsgi_temp_path %s/logs;\n"
            "  scgi_temp_path %s/logs;\n"
            "  server {\n"
            "    listen 127.0.0.1:%d;\n"
            "    root %s/www;\n"
            "    include %s;\n"
            "  }\n"
            "}\n",
            w->dir, w->dir, w->dir, w->dir, w->dir, w->dir, w->dir, port,
            w->dir, w->deny);
    fclose(f);

    reload[0] = (char *)"/usr/sbin/nginx";
    reload[1] = (char *)"-p";
    reload[2] = w->dir;
    reload[3] = (char *)"-c";
    reload[4] = w->nginx_conf;
    reload[5] = (char *)"-s";
    reload[6] = (char *)"reload";
    reload[7] = NULL;
    w->c.reload = reload;
    w->c.reload_interval = 0;
    assert_int_equal(guard_banner_open(&w->c, &b, NULL), KK_OK);

    memcpy(start, reload, 5 * sizeof *start);
    start[5] = NULL;
    if (run_wait(start) != 0)
        fail_msg("nginx did not start (see %s/logs/error.log)", w->dir);
    w->nginx = 1;
    assert_int_equal(await_status(port, 200), 200);

    r = add("127.0.0.1");
    queue_all(b, &r, 1);
    kk_diag_clear(&d);
    if (guard_banner_commit(b, &d) != KK_OK)
        fail_msg("commit: %s", d.msg);
    assert_int_equal(await_status(port, 403), 403);

    r = del("127.0.0.1");
    queue_all(b, &r, 1);
    assert_int_equal(guard_banner_commit(b, &d), KK_OK);
    assert_int_equal(await_status(port, 200), 200);

    /* A ban of the whole /16 holds the client too. */
    r = add("127.0.0.0/16");
    queue_all(b, &r, 1);
    assert_int_equal(guard_banner_commit(b, &d), KK_OK);
    assert_int_equal(await_status(port, 403), 403);
    guard_banner_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ban_req_check_accepts_hosts_prefixes_and_controls),
        cmocka_unit_test(ban_req_check_refuses_each_malformed_field),
        cmocka_unit_test(ban_req_check_refuses_ipv4_with_stray_bytes),
        cmocka_unit_test(banner_none_queues_and_commits_nothing),
        cmocka_unit_test_setup_teardown(
            deny_file_nginx_lists_bans_sorted_after_adds_and_deletes,
            world_setup, world_teardown),
        cmocka_unit_test_setup_teardown(
            deny_file_apache_wraps_bans_in_require_all, world_setup,
            world_teardown),
        cmocka_unit_test_setup_teardown(
            deny_file_refuses_an_edited_file_it_cannot_read, world_setup,
            world_teardown),
        cmocka_unit_test_setup_teardown(deny_file_reloads_once_for_many_changes,
                                        world_setup, world_teardown),
        cmocka_unit_test_setup_teardown(deny_file_reports_a_failing_reload,
                                        world_setup, world_teardown),
        cmocka_unit_test_setup_teardown(deny_file_open_checks_its_settings,
                                        world_setup, world_teardown),
        cmocka_unit_test(writer_refuses_malformed_requests_and_keeps_serving),
        cmocka_unit_test_setup_teardown(
            writer_with_deny_file_writes_and_reloads, world_setup,
            world_teardown),
        cmocka_unit_test_setup_teardown(
            writer_reports_a_backend_that_cannot_open, world_setup,
            world_teardown),
        cmocka_unit_test_setup_teardown(
            nginx_refuses_a_denied_client_after_reload, world_setup,
            world_teardown),
    };

    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
