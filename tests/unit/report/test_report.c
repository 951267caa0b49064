/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_report.c - the hub client (lib/report) against a small HTTP server
 * run by the test on loopback, which answers each request with the next
 * status and body of a script and keeps what it was sent: the token file's
 * permissions, the hub's address rules, 2xx/4xx/401/5xx and redirects, the
 * spool (kept, resent oldest first before the next report, bounded with
 * the oldest dropped) and a closed port.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "kalkan/report.h"

#define SCRIPT_MAX 8
#define SEEN_MAX 8
#define REQ_MAX (64 * 1024)

struct seen {
    char line[256]; /* "POST /path HTTP/1.1" */
    char auth[256];
    char body[1024];
};

struct server {
    int fd, port;
    pthread_t th;
    int status[SCRIPT_MAX];
    const char *body[SCRIPT_MAX];
    const char *extra[SCRIPT_MAX]; /* more header lines, or NULL */
    size_t n_script, served;
    struct seen seen[SEEN_MAX];
    size_t n_seen;
};

struct world {
    char dir[64];
    char token[128];
    char spool[128];
    struct server srv;
};

/* Copies the value of header name (lower case) of a request into out. */
static void header_of(const char *req, const char *name, char *out, size_t cap)
{
    const char *p = req;
    out[0] = '\0';
    while ((p = strstr(p, "\r\n")) != NULL) {
        p += 2;
        if (strncasecmp(p, name, strlen(name)) == 0 && p[strlen(name)] == ':') {
            const char *v = p + strlen(name) + 1;
            size_t n = strcspn(v, "\r\n");
            while (*v == ' ' && n > 0) {
                v++;
                n--;
            }
            snprintf(out, cap, "%.*s", (int)n, v);
            return;
        }
    }
}

static void serve_one(struct server *s, int c)
{
    static char req[REQ_MAX + 1];
    char clen[32], head[512];
    size_t n = 0, want = 0;
    const char *end = NULL;
    ssize_t got;
    while (end == NULL && n < REQ_MAX) {
        got = read(c, req + n, REQ_MAX - n);
        if (got <= 0)
            return;
        n += (size_t)got;
        req[n] = '\0';
        end = strstr(req, "\r\n\r\n");
    }
    if (end == NULL)
        return;
    header_of(req, "content-length", clen, sizeof clen);
    want = (size_t)(end + 4 - req) + strtoul(clen, NULL, 10);
    while (n < want && n < REQ_MAX) {
        got = read(c, req + n, REQ_MAX - n);
        if (got <= 0)
            break;
        n += (size_t)got;
        req[n] = '\0';
    }
    if (s->n_seen < SEEN_MAX) {
        struct seen *x = &s->seen[s->n_seen++];
        snprintf(x->line, sizeof x->line, "%.*s", (int)strcspn(req, "\r\n"),
                 req);
        header_of(req, "authorization", x->auth, sizeof x->auth);
        snprintf(x->body, sizeof x->body, "%s", end + 4);
    }
    {
        size_t k = s->served < s->n_script ? s->served : s->n_script - 1;
        const char *b = s->body[k] != NULL ? s->body[k] : "";
        int hn = snprintf(head, sizeof head,
                          "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
                          "Content-Length: %zu\r\nConnection: close\r\n%s\r\n",
                          s->status[k], strlen(b),
                          s->extra[k] != NULL ? s->extra[k] : "");
        s->served++;
        if (write(c, head, (size_t)hn) < 0 || write(c, b, strlen(b)) < 0)
            return;
    }
}

static void *server_main(void *arg)
{
    struct server *s = arg;
    for (;;) {
        int c = accept(s->fd, NULL, NULL);
        if (c < 0)
            break;
        serve_one(s, c);
        close(c);
    }
    return NULL;
}

static void server_start(struct server *s)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof a;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(s->fd >= 0);
    assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s->fd, 16), 0);
    assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &len), 0);
    s->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&s->th, NULL, server_main, s), 0);
}

static void server_stop(struct server *s)
{
    shutdown(s->fd, SHUT_RDWR);
    close(s->fd);
    pthread_join(s->th, NULL);
}

/* The script: each request gets the next answer; the last repeats. */
static void script(struct server *s, int status, const char *body)
{
    assert_true(s->n_script < SCRIPT_MAX);
    s->status[s->n_script] = status;
    s->body[s->n_script] = body;
    s->extra[s->n_script] = NULL;
    s->n_script++;
}

static void write_token(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    assert_int_equal(chmod(path, mode), 0);
}

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    snprintf(w->dir, sizeof w->dir, "/tmp/kk-report-test.XXXXXX");
    if (w == NULL || mkdtemp(w->dir) == NULL)
        return -1;
    snprintf(w->token, sizeof w->token, "%s/token", w->dir);
    snprintf(w->spool, sizeof w->spool, "%s/spool", w->dir);
    write_token(w->token, "kk_dev_secret_0123456789\n", 0600);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    char f[256];
    /* The spool's files, the token, the directory. */
    for (unsigned long long i = 0; i < 600; i++) {
        snprintf(f, sizeof f, "%s/%016llu.rpt", w->spool, i);
        unlink(f);
    }
    rmdir(w->spool);
    unlink(w->token);
    rmdir(w->dir);
    free(w);
    return 0;
}

static struct report_client *client(struct world *w, int port, bool spool)
{
    char url[64];
    struct report_opts o = {0};
    struct report_client *c = NULL;
    struct kk_diag d = {.msg = ""};
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
    o.url = url;
    o.token_file = w->token;
    o.spool_dir = spool ? w->spool : NULL;
    o.timeout_ms = 5000;
    if (report_client_new(&o, &c, &d) != KK_OK)
        fail_msg("client: %s", d.msg);
    return c;
}

/* A port nothing listens on (bound, then closed). */
static int closed_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* --- the token file and the address --- */

static void token_file_open_to_others_is_refused(void **state)
{
    struct world *w = *state;
    struct report_opts o = {.url = "https://hub.example.org",
                            .token_file = w->token};
    struct report_client *c = NULL;
    struct kk_diag d = {.msg = ""};
    write_token(w->token, "kk_dev_secret\n", 0640);
    assert_int_equal(report_client_new(&o, &c, &d), KK_ERR_PERM);
    assert_null(c);
    assert_non_null(strstr(d.msg, "0600"));
    write_token(w->token, "kk_dev_secret\n", 0604);
    assert_int_equal(report_client_new(&o, &c, &d), KK_ERR_PERM);
    write_token(w->token, "kk_dev_secret\n", 0400);
    assert_int_equal(report_client_new(&o, &c, &d), KK_OK);
    report_client_free(c);
}

static void token_file_must_hold_one_word(void **state)
{
    struct world *w = *state;
    struct report_opts o = {.url = "https://hub.example.org",
                            .token_file = w->token};
    struct report_client *c = NULL;
    struct kk_diag d = {.msg = ""};
    write_token(w->token, "two words\n", 0600);
    assert_int_equal(report_client_new(&o, &c, &d), KK_ERR_INVAL);
    write_token(w->token, "\n", 0600);
    assert_int_equal(report_client_new(&o, &c, &d), KK_ERR_INVAL);
    o.token_file = "/nonexistent/kalkan/token";
    assert_int_equal(report_client_new(&o, &c, &d), KK_ERR_NOTFOUND);
    assert_null(c);
}

static void plain_http_is_refused_but_on_loopback(void **state)
{
    struct world *w = *state;
    static const char *const bad[] = {
        "http://hub.example.org",       "http://192.0.2.1",
        "ftp://hub.example.org",        "https://user:pw@hub.example.org",
        "https://hub.example.org/?x=1", "not a url",
    };
    static const char *const good[] = {
        "https://hub.example.org", "https://hub.example.org:8443/",
        "http://127.0.0.1:8080", "http://[::1]:8080", "http://localhost"};
    struct report_opts o = {.token_file = w->token};
    struct report_client *c = NULL;
    struct kk_diag d = {.msg = ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o.url = bad[i];
        if (report_client_new(&o, &c, &d) != KK_ERR_INVAL)
            fail_msg("%s was taken", bad[i]);
        assert_null(c);
    }
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        o.url = good[i];
        if (report_client_new(&o, &c, &d) != KK_OK)
            fail_msg("%s was refused: %s", good[i], d.msg);
        report_client_free(c);
    }
}

/* --- answers --- */

static void
a_2xx_answer_returns_the_reply_and_the_token_went_as_bearer(void **state)
{
    struct world *w = *state;
    struct report_client *c;
    struct kk_buf *reply = kk_buf_new(4096);
    struct kk_diag d = {.msg = ""};
    script(&w->srv, 201, "{\"accepted\":0,\"allow\":[]}");
    server_start(&w->srv);
    c = client(w, w->srv.port, true);
    assert_int_equal(
        report_post(c, "/api/v1/websites/7/guard", "{\"a\":1}", 7, reply, &d),
        KK_OK);
    assert_string_equal(kk_buf_str(reply), "{\"accepted\":0,\"allow\":[]}");
    assert_int_equal(w->srv.n_seen, 1);
    assert_string_equal(w->srv.seen[0].line,
                        "POST /api/v1/websites/7/guard HTTP/1.1");
    assert_string_equal(w->srv.seen[0].auth, "Bearer kk_dev_secret_0123456789");
    assert_string_equal(w->srv.seen[0].body, "{\"a\":1}");
    assert_int_equal(report_spooled(c), 0);
    report_client_free(c);
    server_stop(&w->srv);
    kk_buf_free(reply);
}

static void a_4xx_answer_is_a_refusal_and_is_not_spooled(void **state)
{
    struct world *w = *state;
    struct report_client *c;
    struct kk_diag d = {.msg = ""};
    script(&w->srv, 400,
           "{\"error\":{\"code\":\"invalid\",\"message\":\"bad rule\"}}");
    script(&w->srv, 401, "{}");
    server_start(&w->srv);
    c = client(w, w->srv.port, true);
    assert_int_equal(report_post(c, "/api/v1/x", "{}", 2, NULL, &d),
                     KK_ERR_INVAL);
    assert_non_null(strstr(d.msg, "hub answered 400"));
    assert_non_null(strstr(d.msg, "bad rule"));
    assert_int_equal(report_spooled(c), 0);
    assert_int_equal(report_post(c, "/api/v1/x", "{}", 2, NULL, &d),
                     KK_ERR_AUTH);
    assert_non_null(strstr(d.msg, "401"));
    report_client_free(c);
    server_stop(&w->srv);
}

static void a_5xx_is_spooled_and_sent_first_with_the_next_report(void **state)
{
    struct world *w = *state;
    struct report_client *c;
    struct kk_buf *reply = kk_buf_new(4096);
    struct kk_diag d = {.msg = ""};
    script(&w->srv, 503, "busy");
    script(&w->srv, 201, "{\"n\":1}");
    script(&w->srv, 201, "{\"n\":2}");
    server_start(&w->srv);
    c = client(w, w->srv.port, true);
    assert_int_equal(
        report_post(c, "/api/v1/r", "{\"first\":1}", 11, reply, &d), KK_ERR_IO);
    assert_non_null(strstr(d.msg, "503"));
    assert_int_equal(report_spooled(c), 1);
    assert_int_equal(kk_buf_len(reply), 0);
    assert_int_equal(
        report_post(c, "/api/v1/r", "{\"second\":2}", 12, reply, &d), KK_OK);
    assert_int_equal(report_spooled(c), 0);
    assert_int_equal(w->srv.n_seen, 3);
    assert_string_equal(w->srv.seen[1].body, "{\"first\":1}");
    assert_string_equal(w->srv.seen[2].body, "{\"second\":2}");
    assert_string_equal(kk_buf_str(reply), "{\"n\":2}");
    report_client_free(c);
    /* A new client finds nothing left behind. */
    c = client(w, w->srv.port, true);
    assert_int_equal(report_spooled(c), 0);
    report_client_free(c);
    server_stop(&w->srv);
    kk_buf_free(reply);
}

static void a_redirect_is_not_followed(void **state)
{
    struct world *w = *state;
    struct report_client *c;
    struct kk_diag d = {.msg = ""};
    script(&w->srv, 302, "");
    w->srv.extra[0] = "Location: http://127.0.0.1:1/elsewhere\r\n";
    server_start(&w->srv);
    c = client(w, w->srv.port, false);
    assert_int_equal(report_post(c, "/api/v1/r", "{}", 2, NULL, &d), KK_ERR_IO);
    assert_non_null(strstr(d.msg, "redirects are not followed"));
    assert_int_equal(w->srv.n_seen, 1);
    report_client_free(c);
    server_stop(&w->srv);
}

static void a_hub_that_is_away_fills_a_bounded_spool(void **state)
{
    struct world *w = *state;
    int port = closed_port();
    struct report_client *c = client(w, port, true);
    struct kk_diag d = {.msg = ""};
    char body[32], f[256];
    struct stat sb;
    assert_int_equal(stat(w->spool, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    for (int i = 0; i < REPORT_SPOOL_MAX + 3; i++) {
        int n = snprintf(body, sizeof body, "{\"i\":%d}", i);
        assert_int_equal(report_post(c, "/api/v1/r", body, (size_t)n, NULL, &d),
                         KK_ERR_IO);
    }
    assert_int_equal(report_spooled(c), REPORT_SPOOL_MAX);
    assert_int_equal(report_dropped(c), 3);
    /* The three oldest went, the newest is there. */
    snprintf(f, sizeof f, "%s/%016llu.rpt", w->spool, 1ULL);
    assert_int_not_equal(access(f, F_OK), 0);
    snprintf(f, sizeof f, "%s/%016llu.rpt", w->spool,
             (unsigned long long)REPORT_SPOOL_MAX + 3);
    assert_int_equal(access(f, F_OK), 0);
    assert_int_equal(stat(f, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    report_client_free(c);
}

static void spooled_reports_of_another_path_wait_for_theirs(void **state)
{
    struct world *w = *state;
    int port = closed_port();
    struct report_client *c = client(w, port, true);
    struct kk_diag d = {.msg = ""};
    assert_int_equal(report_post(c, "/api/v1/a", "{\"a\":1}", 7, NULL, &d),
                     KK_ERR_IO);
    report_client_free(c);
    script(&w->srv, 201, "{}");
    server_start(&w->srv);
    c = client(w, w->srv.port, true);
    assert_int_equal(report_spooled(c), 1);
    assert_int_equal(report_post(c, "/api/v1/b", "{\"b\":1}", 7, NULL, &d),
                     KK_OK);
    assert_int_equal(w->srv.n_seen, 1);
    assert_int_equal(report_spooled(c), 1);
    assert_int_equal(report_post(c, "/api/v1/a", "{\"a\":2}", 7, NULL, &d),
                     KK_OK);
    assert_int_equal(w->srv.n_seen, 3);
    assert_string_equal(w->srv.seen[1].body, "{\"a\":1}");
    assert_int_equal(report_spooled(c), 0);
    report_client_free(c);
    server_stop(&w->srv);
}

static void a_spool_open_to_others_is_refused(void **state)
{
    struct world *w = *state;
    struct report_opts o = {.url = "https://hub.example.org",
                            .token_file = w->token,
                            .spool_dir = w->spool};
    struct report_client *c = NULL;
    struct kk_diag d = {.msg = ""};
    assert_int_equal(mkdir(w->spool, 0700), 0);
    assert_int_equal(chmod(w->spool, 0755), 0);
    assert_int_equal(report_client_new(&o, &c, &d), KK_ERR_PERM);
    assert_null(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(token_file_open_to_others_is_refused),
        T(token_file_must_hold_one_word),
        T(plain_http_is_refused_but_on_loopback),
        T(a_2xx_answer_returns_the_reply_and_the_token_went_as_bearer),
        T(a_4xx_answer_is_a_refusal_and_is_not_spooled),
        T(a_5xx_is_spooled_and_sent_first_with_the_next_report),
        T(a_redirect_is_not_followed),
        T(a_hub_that_is_away_fills_a_bounded_spool),
        T(spooled_reports_of_another_path_wait_for_theirs),
        T(a_spool_open_to_others_is_refused),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
