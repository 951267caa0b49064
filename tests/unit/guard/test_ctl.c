/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_ctl.c - the daemon's control socket and its JSON reader: documents
 * the reader accepts and refuses, request checking, and the server and
 * client talking over a real socket in a temporary directory (answers,
 * refusals, an over-long request, the socket's mode, a live socket not
 * taken over, nothing listening).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl.h"
#include "guard_int.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- JSON reader ---- */

static void json_reader_finds_top_level_string(void **state)
{
    const char *doc = " {\"a\": {\"verb\": \"no\"}, \"verb\" : \"status\", "
                      "\"n\": [1, 2.5e3, -0, true, null]}\n";
    char out[16];

    (void)state;
    assert_int_equal(
        guard_json_get_str(doc, strlen(doc), "verb", out, sizeof out), KK_OK);
    assert_string_equal(out, "status");
    assert_int_equal(
        guard_json_get_str(doc, strlen(doc), "absent", out, sizeof out),
        KK_ERR_NOTFOUND);
    /* A member that is no string. */
    assert_int_equal(guard_json_get_str(doc, strlen(doc), "n", out, sizeof out),
                     KK_ERR_INVAL);
}

static void json_reader_refuses_malformed_documents(void **state)
{
    static const char *const bad[] = {
        "",
        "[]",
        "{",
        "{\"verb\":\"status\"",
        "{\"verb\":\"status\"} x",
        "{\"verb\":\"status\",}",
        "{\"verb\" \"status\"}",
        "{verb:\"status\"}",
        "{\"verb\":'status'}",
        "{\"verb\":\"st\x01us\"}",
        "{\"verb\":\"\\x\"}",
        "{\"verb\":\"\\ud800\"}",
        "{\"verb\":\"\\udc00x\"}",
        "{\"n\":01}",
        "{\"n\":1.}",
        "{\"n\":-}",
        "{\"n\":tru}",
        "{\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}",
    };
    const char *twice = "{\"verb\":\"a\",\"verb\":\"b\"}";
    char out[16];

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc =
            guard_json_get_str(bad[i], strlen(bad[i]), "verb", out, sizeof out);
        if (rc != KK_ERR_INVAL)
            fail_msg("accepted: %s (rc %d)", bad[i], rc);
        assert_int_equal(guard_json_check(bad[i], strlen(bad[i])),
                         KK_ERR_INVAL);
    }
    /* A key given twice is ambiguous: refused when it is asked for. */
    assert_int_equal(
        guard_json_get_str(twice, strlen(twice), "verb", out, sizeof out),
        KK_ERR_INVAL);
}

static void json_reader_decodes_escapes(void **state)
{
    const char *doc = "{\"s\":\"a\\\"b\\\\c\\/\\n\\u00e9\\ud83d\\ude00\"}";
    const char *nul = "{\"s\":\"a\\u0000b\"}";
    char out[32];

    (void)state;
    assert_int_equal(guard_json_get_str(doc, strlen(doc), "s", out, sizeof out),
                     KK_OK);
    assert_string_equal(out, "a\"b\\c/\n\xc3\xa9\xf0\x9f\x98\x80");
    /* Too long for the buffer. */
    assert_int_equal(guard_json_get_str(doc, strlen(doc), "s", out, 4),
                     KK_ERR_TRUNC);
    /* A NUL would cut the text short without anyone noticing. */
    assert_int_equal(guard_json_get_str(nul, strlen(nul), "s", out, sizeof out),
                     KK_ERR_INVAL);
}

static void json_reader_reads_numbers_and_booleans(void **state)
{
    const char *doc = "{\"accepted\":12,\"big\":9007199254740993,"
                      "\"frac\":1.5,\"ok\":false}";
    uint64_t u = 0;
    bool b = true;

    (void)state;
    assert_int_equal(guard_json_get_u64(doc, strlen(doc), "accepted", &u),
                     KK_OK);
    assert_int_equal(u, 12);
    assert_int_equal(guard_json_get_u64(doc, strlen(doc), "big", &u),
                     KK_ERR_RANGE);
    assert_int_equal(guard_json_get_u64(doc, strlen(doc), "frac", &u),
                     KK_ERR_INVAL);
    assert_int_equal(guard_json_get_bool(doc, strlen(doc), "ok", &b), KK_OK);
    assert_false(b);
}

struct strs {
    char s[8][GUARD_ADDR_TEXT_MAX];
    size_t n;
};

static void collect(void *ctx, const char *s)
{
    struct strs *l = ctx;
    if (l->n < 8)
        snprintf(l->s[l->n++], GUARD_ADDR_TEXT_MAX, "%s", s);
}

static void json_each_str_lists_an_array_of_strings(void **state)
{
    char longs[200];
    char doc[400];
    struct strs l;

    (void)state;
    memset(&l, 0, sizeof l);
    memset(longs, 'a', sizeof longs - 1);
    longs[sizeof longs - 1] = '\0';
    snprintf(doc, sizeof doc,
             "{\"accepted\":3,\"allow\":[\"203.0.113.0/24\", \"%s\","
             "\"2001:db8::/48\"]}",
             longs);
    assert_int_equal(
        guard_json_each_str(doc, strlen(doc), "allow", collect, &l), KK_OK);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.s[0], "203.0.113.0/24");
    assert_string_equal(l.s[1], ""); /* too long: passed empty */
    assert_string_equal(l.s[2], "2001:db8::/48");
    memset(&l, 0, sizeof l);
    assert_int_equal(
        guard_json_each_str("{\"allow\":[1]}", 13, "allow", collect, &l),
        KK_ERR_INVAL);
    assert_int_equal(
        guard_json_each_str("{\"allow\":\"x\"}", 13, "allow", collect, &l),
        KK_ERR_INVAL);
    assert_int_equal(guard_json_each_str("{\"x\":[]}", 8, "allow", collect, &l),
                     KK_ERR_NOTFOUND);
}

/* ---- Requests ---- */

static void ctl_request_needs_a_known_verb_and_its_address(void **state)
{
    struct guard_ctl_req q;
    struct kk_diag d;
    const char *ok1 = "{\"verb\":\"status\"}";
    const char *ok2 = "{\"verb\":\"unban\",\"address\":\"192.0.2.7\"}";
    const char *bad1 = "{\"verb\":\"unban\"}";
    const char *bad2 = "{\"verb\":\"reboot\"}";
    const char *bad3 = "{\"address\":\"192.0.2.7\"}";
    const char *bad4 = "{\"verb\":\"allow\",\"address\":7}";

    (void)state;
    assert_int_equal(guard_ctl_req_parse(ok1, strlen(ok1), &q, &d), KK_OK);
    assert_string_equal(q.verb, "status");
    assert_string_equal(q.address, "");
    assert_int_equal(guard_ctl_req_parse(ok2, strlen(ok2), &q, &d), KK_OK);
    assert_string_equal(q.address, "192.0.2.7");
    assert_int_equal(guard_ctl_req_parse(bad1, strlen(bad1), &q, &d),
                     KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "needs an address"));
    assert_int_equal(guard_ctl_req_parse(bad2, strlen(bad2), &q, &d),
                     KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "unknown verb"));
    assert_int_equal(guard_ctl_req_parse(bad3, strlen(bad3), &q, &d),
                     KK_ERR_INVAL);
    assert_int_equal(guard_ctl_req_parse(bad4, strlen(bad4), &q, &d),
                     KK_ERR_INVAL);
}

/* ---- Server and client ---- */

struct fx {
    char dir[64];
    char sock[96];
    struct guard_conf c;
    struct guard_ctl_srv *srv;
    unsigned calls;
};

static int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    struct kk_diag d;

    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/kk-ctl-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->sock, sizeof f->sock, "%s/control.sock", f->dir);
    f->c.state_dir = f->dir;
    assert_int_equal(guard_ctl_srv_new(f->sock, &f->srv, &d), KK_OK);
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    struct fx *f = *state;
    guard_ctl_srv_free(f->srv);
    unlink(f->sock);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* The daemon's side: answers status, and unban for one address. */
static void handler(void *ctx, const struct guard_ctl_req *q,
                    struct kk_buf *answer)
{
    struct fx *f = ctx;
    f->calls++;
    if (strcmp(q->verb, "status") == 0) {
        assert_int_equal(kk_buf_puts(answer, "{\"running\":true}"), KK_OK);
    } else if (strcmp(q->address, "192.0.2.7") == 0) {
        assert_int_equal(
            kk_buf_puts(answer, "{\"ok\":true,\"address\":\"192.0.2.7\"}"),
            KK_OK);
    } else {
        assert_int_equal(
            kk_buf_puts(answer, "{\"ok\":false,\"error\":\"not banned\"}"),
            KK_OK);
    }
}

struct call {
    const struct guard_conf *c;
    const char *verb, *arg;
    struct kk_buf *reply;
    struct kk_diag d;
    int rc;
    volatile int done;
};

static void *client(void *arg)
{
    struct call *k = arg;
    k->rc = guard_ctl(k->c, k->verb, k->arg, k->reply, &k->d);
    k->done = 1;
    return NULL;
}

/* Runs one guard_ctl call while the server steps. */
static int ask(struct fx *f, const char *verb, const char *arg,
               struct kk_buf *reply, struct kk_diag *d)
{
    struct call k;
    pthread_t th;
    int64_t until = now_ms() + 5000;

    memset(&k, 0, sizeof k);
    k.c = &f->c;
    k.verb = verb;
    k.arg = arg;
    k.reply = reply;
    assert_int_equal(pthread_create(&th, NULL, client, &k), 0);
    while (!k.done && now_ms() < until) {
        if (f->srv != NULL)
            guard_ctl_srv_step(f->srv, now_ms(), handler, f);
        usleep(1000);
    }
    pthread_join(th, NULL);
    *d = k.d;
    return k.rc;
}

static void ctl_client_and_server_exchange_one_request(void **state)
{
    struct fx *f = *state;
    struct kk_buf *b = kk_buf_new(4096);
    struct kk_diag d;

    assert_int_equal(ask(f, "status", NULL, b, &d), KK_OK);
    assert_string_equal(kk_buf_str(b), "{\"running\":true}");
    kk_buf_reset(b);
    assert_int_equal(ask(f, "unban", "192.0.2.7", b, &d), KK_OK);
    assert_string_equal(kk_buf_str(b),
                        "{\"ok\":true,\"address\":\"192.0.2.7\"}");
    kk_buf_reset(b);
    /* A refusal is KK_ERR_INVAL with the daemon's reason. */
    assert_int_equal(ask(f, "unban", "198.51.100.1", b, &d), KK_ERR_INVAL);
    assert_string_equal(d.msg, "not banned");
    /* A verb the server does not know never reaches the handler. */
    kk_buf_reset(b);
    f->calls = 0;
    assert_int_equal(ask(f, "reboot", NULL, b, &d), KK_ERR_INVAL);
    assert_int_equal(f->calls, 0);
    assert_string_equal(d.msg, "unknown verb");
    kk_buf_free(b);
}

static int raw_connect(const char *path)
{
    struct sockaddr_un sa;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

static void ctl_server_refuses_an_over_long_request(void **state)
{
    struct fx *f = *state;
    char big[GUARD_CTL_REQUEST_MAX + 100];
    char ans[512];
    size_t got = 0;
    int64_t until = now_ms() + 5000;
    int fd = raw_connect(f->sock);

    memset(big, 'x', sizeof big);
    /* The server reads at most its limit; the rest stays unread. */
    assert_true(send(fd, big, sizeof big, MSG_NOSIGNAL) > 0);
    while (now_ms() < until) {
        ssize_t n;
        guard_ctl_srv_step(f->srv, now_ms(), handler, f);
        n = recv(fd, ans + got, sizeof ans - 1 - got, MSG_DONTWAIT);
        if (n > 0)
            got += (size_t)n;
        if (n == 0 || (got > 0 && ans[got - 1] == '\n'))
            break;
        usleep(1000);
    }
    ans[got] = '\0';
    assert_non_null(strstr(ans, "\"ok\":false"));
    assert_non_null(strstr(ans, "too long"));
    assert_int_equal(f->calls, 0);
    close(fd);
}

static void ctl_server_drops_a_silent_connection_at_its_deadline(void **state)
{
    struct fx *f = *state;
    char c;
    int fd = raw_connect(f->sock);
    int64_t t0 = now_ms();

    /* Accepted, then dropped once the read deadline has passed. */
    guard_ctl_srv_step(f->srv, t0, handler, f);
    assert_int_equal(recv(fd, &c, 1, MSG_DONTWAIT), -1);
    guard_ctl_srv_step(f->srv, t0 + GUARD_CTL_READ_MS + 1, handler, f);
    assert_int_equal(recv(fd, &c, 1, 0), 0);
    close(fd);
}

static void ctl_socket_is_owner_only_and_not_taken_over(void **state)
{
    struct fx *f = *state;
    struct guard_ctl_srv *other = NULL;
    struct kk_diag d;
    struct stat st;
    char plain[160];
    FILE *fp;

    assert_int_equal(lstat(f->sock, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);
    /* A second daemon does not replace a socket that answers. */
    assert_int_equal(guard_ctl_srv_new(f->sock, &other, &d), KK_ERR_EXISTS);
    assert_non_null(strstr(d.msg, "another guard daemon"));
    /* Nor a file that is no socket. */
    snprintf(plain, sizeof plain, "%s/plain", f->dir);
    fp = fopen(plain, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(guard_ctl_srv_new(plain, &other, &d), KK_ERR_EXISTS);
    unlink(plain);
}

static void ctl_server_replaces_a_stale_socket(void **state)
{
    struct fx *f = *state;
    struct kk_buf *b = kk_buf_new(4096);
    struct kk_diag d;
    struct sockaddr_un sa;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    /* A socket file nobody listens on, as a killed daemon leaves it. */
    guard_ctl_srv_free(f->srv);
    f->srv = NULL;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", f->sock);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    close(fd);
    assert_int_equal(ask(f, "status", NULL, b, &d), KK_ERR_NOTFOUND);
    assert_int_equal(guard_ctl_srv_new(f->sock, &f->srv, &d), KK_OK);
    assert_int_equal(ask(f, "status", NULL, b, &d), KK_OK);
    kk_buf_free(b);
}

static void ctl_client_says_notfound_when_nothing_listens(void **state)
{
    struct guard_conf c;
    struct kk_buf *b = kk_buf_new(64);
    struct kk_diag d;

    (void)state;
    memset(&c, 0, sizeof c);
    c.socket = (char *)"/nonexistent/kk/control.sock";
    assert_int_equal(guard_ctl(&c, "status", NULL, b, &d), KK_ERR_NOTFOUND);
    assert_non_null(strstr(d.msg, "no guard daemon"));
    assert_int_equal(kk_buf_len(b), 0);
    kk_buf_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_reader_finds_top_level_string),
        cmocka_unit_test(json_reader_refuses_malformed_documents),
        cmocka_unit_test(json_reader_decodes_escapes),
        cmocka_unit_test(json_reader_reads_numbers_and_booleans),
        cmocka_unit_test(json_each_str_lists_an_array_of_strings),
        cmocka_unit_test(ctl_request_needs_a_known_verb_and_its_address),
        cmocka_unit_test_setup_teardown(
            ctl_client_and_server_exchange_one_request, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(ctl_server_refuses_an_over_long_request,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(
            ctl_server_drops_a_silent_connection_at_its_deadline, fx_setup,
            fx_teardown),
        cmocka_unit_test_setup_teardown(
            ctl_socket_is_owner_only_and_not_taken_over, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(ctl_server_replaces_a_stale_socket,
                                        fx_setup, fx_teardown),
        cmocka_unit_test(ctl_client_says_notfound_when_nothing_listens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
