/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_follow.c - the log follower on real files in a temporary directory:
 * appends, partial and over-long lines, rename and copytruncate rotation,
 * removal and re-creation, files that appear late, restarts at a stored
 * position (same file, replaced file, file rotated to PATH.1 while
 * stopped), and a 5 MB backlog read in bounded calls with every line
 * exactly once.
 */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "guard_int.h"

#define MAXLINES 64

struct fx {
    char dir[64];
    char path[128];
    char path2[128];
    struct guard_conf *c;
};

/* What the follower handed out. */
struct got {
    char *line[MAXLINES];
    size_t log[MAXLINES];
    size_t n;
    /* sequence mode: lines "NNNNNNN ..." checked in order, not kept */
    bool seq;
    uint64_t next[2];
    uint64_t bytes;
    bool disorder;
};

static void on_line(void *ctx, size_t log, const char *line, size_t len)
{
    struct got *g = ctx;
    unsigned long v;
    char num[8];
    if (g->seq) {
        g->bytes += len + 1;
        if (len < 7 || log > 1) {
            g->disorder = true;
            return;
        }
        memcpy(num, line, 7);
        num[7] = '\0';
        v = strtoul(num, NULL, 10);
        if (v != g->next[log])
            g->disorder = true;
        g->next[log] = v + 1;
        return;
    }
    assert_true(g->n < MAXLINES);
    g->line[g->n] = malloc(len + 1);
    assert_non_null(g->line[g->n]);
    memcpy(g->line[g->n], line, len);
    g->line[g->n][len] = '\0';
    g->log[g->n] = log;
    g->n++;
}

static void got_clear(struct got *g)
{
    size_t i;
    for (i = 0; i < g->n; i++)
        free(g->line[i]);
    memset(g, 0, sizeof *g);
}

/* Reads until nothing is left; the lines handed out are in g. */
static void drain(struct guard_follow *f, struct got *g)
{
    bool more = true;
    int guard = 0;
    while (more) {
        assert_int_equal(guard_follow_read(f, on_line, g, 0, &more), KK_OK);
        assert_true(++guard < 1000);
    }
}

/* Asserts that exactly the lines of want (NULL-ended) came, and forgets
 * them. */
static void expect(struct got *g, const char *const *want)
{
    size_t i = 0;
    for (; want[i] != NULL; i++) {
        assert_true(i < g->n);
        assert_string_equal(g->line[i], want[i]);
    }
    assert_int_equal(g->n, i);
    got_clear(g);
}

#define EXPECT(g, ...)                                                         \
    do {                                                                       \
        const char *const w_[] = {__VA_ARGS__, NULL};                          \
        expect((g), w_);                                                       \
    } while (0)
#define EXPECT_NONE(g) assert_int_equal((g)->n, 0)

static void write_file(const char *path, const char *text, int flags)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0600);
    size_t len = strlen(text);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    assert_int_equal(close(fd), 0);
}

static void append(const char *path, const char *text)
{
    write_file(path, text, O_APPEND);
}

static void create(const char *path, const char *text)
{
    write_file(path, text, O_TRUNC);
}

static int setup(void **state)
{
    struct fx *x = calloc(1, sizeof *x);
    int n;
    assert_non_null(x);
    snprintf(x->dir, sizeof x->dir, "/tmp/kk-follow-XXXXXX");
    assert_non_null(mkdtemp(x->dir));
    n = snprintf(x->path, sizeof x->path, "%s/access.log", x->dir);
    assert_true(n > 0 && (size_t)n < sizeof x->path);
    n = snprintf(x->path2, sizeof x->path2, "%s/auth.log", x->dir);
    assert_true(n > 0 && (size_t)n < sizeof x->path2);
    x->c = calloc(1, sizeof *x->c);
    assert_non_null(x->c);
    x->c->logs[0].path = x->path;
    x->c->logs[0].fmt = GUARD_FMT_WEB;
    x->c->logs[1].path = x->path2;
    x->c->logs[1].fmt = GUARD_FMT_SYSLOG;
    x->c->nlogs = 1;
    *state = x;
    return 0;
}

static void remove_tree(const char *dir)
{
    char p[512];
    struct dirent *e;
    struct stat st;
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            (void)unlink(p);
    }
    closedir(d);
    (void)rmdir(dir);
}

static int teardown(void **state)
{
    struct fx *x = *state;
    remove_tree(x->dir);
    free(x->c);
    free(x);
    return 0;
}

static struct guard_follow *start(struct fx *x, const struct guard_pos *pos)
{
    struct guard_follow *f = NULL;
    struct kk_diag d = {{0}};
    bool have[GUARD_LOGS_MAX] = {true, true};
    assert_int_equal(
        guard_follow_new(x->c, pos, pos != NULL ? have : NULL, &f, &d), KK_OK);
    assert_non_null(f);
    return f;
}

static void follow_hands_out_appended_lines_once(void **state)
{
    struct fx *x = *state;
    struct got g = {0};
    struct guard_follow *f;
    struct pollfd p;

    create(x->path, "one\ntwo\n");
    f = start(x, NULL);
    drain(f, &g);
    EXPECT(&g, "one", "two");
    drain(f, &g);
    EXPECT_NONE(&g);
    append(x->path, "three\n");
    /* the descriptor wakes the caller */
    p.fd = guard_follow_fd(f);
    p.events = POLLIN;
    assert_int_equal(poll(&p, 1, 0), 1);
    drain(f, &g);
    EXPECT(&g, "three");
    assert_int_equal(poll(&p, 1, 0), 0);
    guard_follow_free(f);
}

static void follow_holds_a_partial_line_until_its_newline(void **state)
{
    struct fx *x = *state;
    struct got g = {0};
    struct guard_follow *f;
    struct guard_pos pos;

    create(x->path, "par");
    f = start(x, NULL);
    drain(f, &g);
    EXPECT_NONE(&g);
    guard_follow_pos(f, 0, &pos);
    assert_int_equal(pos.offset, 0);
    assert_int_equal(pos.hash, 0);
    append(x->path, "tial\nnext");
    drain(f, &g);
    EXPECT(&g, "partial");
    guard_follow_pos(f, 0, &pos);
    assert_int_equal(pos.offset, 8);
    assert_true(pos.hash == guard_line_hash("partial", 7));
    append(x->path, "\n\n");
    drain(f, &g);
    EXPECT(&g, "next", "");
    guard_follow_free(f);
}

static void follow_cuts_an_overlong_line_and_resumes_after_it(void **state)
{
    struct fx *x = *state;
    struct got g = {0};
    struct guard_follow *f;
    struct guard_pos pos;
    size_t big = 3 * GUARD_LINE_MAX + 1000, i;
    char *line = malloc(big + 1);

    assert_non_null(line);
    for (i = 0; i < big; i++)
        line[i] = (char)('a' + i % 26);
    line[big] = '\0';
    /* written in pieces, so the follower skips across several reads */
    create(x->path, "");
    f = start(x, NULL);
    line[GUARD_LINE_MAX / 2] = '\0';
    append(x->path, line);
    drain(f, &g);
    line[GUARD_LINE_MAX / 2] = (char)('a' + (GUARD_LINE_MAX / 2) % 26);
    line[2 * GUARD_LINE_MAX] = '\0';
    append(x->path, line + GUARD_LINE_MAX / 2);
    drain(f, &g);
    EXPECT_NONE(&g);
    line[2 * GUARD_LINE_MAX] = (char)('a' + (2 * GUARD_LINE_MAX) % 26);
    append(x->path, line + 2 * GUARD_LINE_MAX);
    append(x->path, "\nafter\n");
    drain(f, &g);
    assert_int_equal(g.n, 2);
    assert_int_equal(strlen(g.line[0]), GUARD_LINE_MAX);
    assert_memory_equal(g.line[0], line, GUARD_LINE_MAX);
    assert_string_equal(g.line[1], "after");
    got_clear(&g);
    /* a long line read in one piece is cut alike, and its position is
     * found again after a restart */
    append(x->path, line);
    append(x->path, "\n");
    drain(f, &g);
    assert_int_equal(g.n, 1);
    assert_memory_equal(g.line[0], line, GUARD_LINE_MAX);
    got_clear(&g);
    guard_follow_pos(f, 0, &pos);
    assert_true(pos.hash == guard_line_hash(line, big));
    guard_follow_free(f);
    append(x->path, "tail\n");
    f = start(x, &pos);
    drain(f, &g);
    EXPECT(&g, "tail");
    guard_follow_free(f);
    free(line);
}

static void follow_finishes_a_renamed_file_before_the_new_one(void **state)
{
    struct fx *x = *state;
    struct got g = {0};
    struct guard_follow *f;
    char old[160];
    int fd;

    snprintf(old, sizeof old, "%s.1", x->path);
    create(x->path, "1\n2\n");
    f = start(x, NULL);
    drain(f, &g);
    EXPECT(&g, "1", "2");
    /* the writer keeps its descriptor across the rename, as nginx does
     * until it is told to reopen its logs */
    fd = open(x->path, O_WRONLY | O_APPEND | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "3\n", 2), 2);
    assert_int_equal(rename(x->path, old), 0);
    assert_int_equal(write(fd, "4\n", 2), 2);
    create(x->path, "5\n");
    assert_int_equal(write(fd, "6", 1), 1);
    drain(f, &g);
    EXPECT(&g, "3", "4", "5");
    /* the old file is still read after the switch */
    assert_int_equal(write(fd, "-late\n", 6), 6);
    append(x->path, "7\n");
    drain(f, &g);
    EXPECT(&g, "6-late", "7");
    /* once its grace is over, its last line is handed out as it is and
     * it is closed */
    guard_follow_set_grace(f, 0);
    assert_int_equal(write(fd, "8", 1), 1);
    drain(f, &g);
    EXPECT(&g, "8");
    assert_int_equal(write(fd, "\nnever read\n", 12), 12);
    append(x->path, "9\n");
    drain(f, &g);
    EXPECT(&g, "9");
    assert_int_equal(close(fd), 0);
    guard_follow_free(f);
}

static void
follow_keeps_reading_a_renamed_file_until_a_new_one_comes(void **state)
{
    struct fx *x = *state;
    struct got g = {0};
    struct guard_follow *f;
    struct guard_pos pos, pos2;
    struct stat st;
    char old[160];

    snprintf(old, sizeof old, "%s.1", x->path);
    create(x->path, "a\n");
    assert_int_equal(stat(x->path, &st), 0);
    f = start(x, NULL);
    drain(f, &g);
    EXPECT(&g, "a");
    append(x->path, "b\n");
    assert_int_equal(rename(x->path, old), 0);
    drain(f, &g);
    EXPECT(&g, "b");
    /* nothing at the path: the renamed file is still the one written */
    append(old, "c\n");
    drain(f, &g);
    EXPECT(&g, "c");
    guard_follow_pos(f, 0, &pos);
    assert_true(pos.ino == (uint64_t)st.st_ino);
    assert_int_equal(pos.offset, 6);
    /* a restart now finds it at PATH.1 */
    guard_follow_free(f);
    append(old, "d\n");
    f = start(x, &pos);
    drain(f, &g);
    EXPECT(&g, "d");
    guard_follow_pos(f, 0, &pos2);
    assert_true(pos2.ino == pos.ino);
    assert_int_equal(pos2.offset, 8);
    create(x->path, "e\n");
    drain(f, &g);
    EXPECT(&g, "e");
    guard_follow_pos(f, 0, &pos2);
    assert_true(pos2.ino != pos.ino);
    guard_follow_free(f);
}

static void follow_reads_a_copytruncated_file_from_its_start(void **state)
{
    struct fx *x = *state;
    struct got g = {0};
    struct guard_follow *f;

    create(x->path, "first line\nsecond line\n");
    f = start(x, NULL);
    drain(f, &g);
    EXPECT(&g, "first line", "second line");
    assert_int_equal(truncate(x->path, 0), 0);
    append(x->path, "new\n");
    drain(f, &g);
    EXPECT(&g, "new");
    append(x->path, "more\n");
    drain(f, &g);
    EXPECT(&g, "more");
    guard_follow_free(f);
}

static void follow_reads_a_removed_file_out_then_its_successor(void **state)
{
    struct fx *x = *state;
    struct got g = {0};
    struct guard_follow *f;
    struct guard_pos pos;

    create(x->path, "a\n");
    f = start(x, NULL);
    drain(f, &g);
    EXPECT(&g, "a");
    append(x->path, "b\n");
    assert_int_equal(unlink(x->path), 0);
    create(x->path, "c\n");
    drain(f, &g);
    EXPECT(&g, "b", "c");
    /* removed with no successor: kept while the grace lasts, then closed */
    append(x->path, "d\n");
    assert_int_equal(unlink(x->path), 0);
    drain(f, &g);
    EXPECT(&g, "d");
    guard_follow_pos(f, 0, &pos);
    assert_true(pos.ino != 0);
    guard_follow_set_grace(f, 0);
    drain(f, &g);
    guard_follow_pos(f, 0, &pos);
    assert_int_equal(pos.ino, 0);
    create(x->path, "e\n");
    drain(f, &g);
    EXPECT(&g, "e");
    guard_follow_free(f);
}

static void follow_waits_for_a_missing_file_and_directory(void **state)
{
    struct fx *x = *state;
    struct got g = {0};
    struct guard_follow *f;
    struct guard_pos pos;
    char sub[96];
    struct pollfd p;

    /* the first log's file is missing; the second's directory too */
    snprintf(sub, sizeof sub, "%s/later", x->dir);
    snprintf(x->path2, sizeof x->path2, "%s/auth.log", sub);
    x->c->nlogs = 2;
    f = start(x, NULL);
    drain(f, &g);
    EXPECT_NONE(&g);
    guard_follow_pos(f, 0, &pos);
    assert_int_equal(pos.ino, 0);
    create(x->path, "here\n");
    p.fd = guard_follow_fd(f);
    p.events = POLLIN;
    assert_int_equal(poll(&p, 1, 0), 1); /* the directory watch saw it */
    drain(f, &g);
    EXPECT(&g, "here");
    assert_int_equal(mkdir(sub, 0700), 0);
    create(x->path2, "sshd line\n");
    drain(f, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.log[0], 1);
    EXPECT(&g, "sshd line");
    /* now the directory is watched: an append wakes the caller */
    drain(f, &g);
    append(x->path2, "again\n");
    assert_int_equal(poll(&p, 1, 0), 1);
    drain(f, &g);
    EXPECT(&g, "again");
    guard_follow_free(f);
}

static void follow_resumes_after_a_restart_where_it_stopped(void **state)
{
    struct fx *x = *state;
    struct got g = {0};
    struct guard_follow *f;
    struct guard_pos pos;

    create(x->path, "a\nb\nhalf");
    f = start(x, NULL);
    drain(f, &g);
    EXPECT(&g, "a", "b");
    guard_follow_pos(f, 0, &pos);
    assert_int_equal(pos.offset, 4);
    guard_follow_free(f);
    append(x->path, " line\nc\n");
    f = start(x, &pos);
    drain(f, &g);
    EXPECT(&g, "half line", "c");
    guard_follow_free(f);
}

static void follow_starts_over_when_the_file_was_replaced(void **state)
{
    struct fx *x = *state;
    struct got g = {0};
    struct guard_follow *f;
    struct guard_pos pos;
    char tmp[160];

    create(x->path, "a\nb\n");
    f = start(x, NULL);
    drain(f, &g);
    EXPECT(&g, "a", "b");
    guard_follow_pos(f, 0, &pos);
    guard_follow_free(f);

    /* another file renamed over the path (a new inode) */
    snprintf(tmp, sizeof tmp, "%s/new", x->dir);
    create(tmp, "x\ny\nz\n");
    assert_int_equal(rename(tmp, x->path), 0);
    f = start(x, &pos);
    drain(f, &g);
    EXPECT(&g, "x", "y", "z");
    guard_follow_pos(f, 0, &pos);
    guard_follow_free(f);

    /* the same inode, truncated and written again to the same length: the
     * hash of the line before the offset tells */
    create(x->path, "p\nq\nr\n");
    f = start(x, &pos);
    drain(f, &g);
    EXPECT(&g, "p", "q", "r");
    guard_follow_pos(f, 0, &pos);
    guard_follow_free(f);

    /* the same inode, shorter than the offset */
    create(x->path, "s\n");
    f = start(x, &pos);
    drain(f, &g);
    EXPECT(&g, "s");
    guard_follow_free(f);
}

static void follow_reads_the_rest_of_a_file_rotated_while_stopped(void **state)
{
    struct fx *x = *state;
    struct got g = {0};
    struct guard_follow *f;
    struct guard_pos pos;
    char old[160];

    snprintf(old, sizeof old, "%s.1", x->path);
    create(x->path, "a\nb\n");
    f = start(x, NULL);
    drain(f, &g);
    EXPECT(&g, "a", "b");
    guard_follow_pos(f, 0, &pos);
    guard_follow_free(f);
    /* while stopped: more lines, then logrotate's rename and create */
    append(x->path, "c\nd\n");
    assert_int_equal(rename(x->path, old), 0);
    create(x->path, "e\n");
    f = start(x, &pos);
    drain(f, &g);
    EXPECT(&g, "c", "d", "e");
    guard_follow_free(f);

    /* rotated to another name: only the new file is read */
    f = start(x, NULL);
    drain(f, &g);
    got_clear(&g);
    guard_follow_pos(f, 0, &pos);
    guard_follow_free(f);
    append(x->path, "lost\n");
    snprintf(old, sizeof old, "%s-20261129", x->path);
    assert_int_equal(rename(x->path, old), 0);
    create(x->path, "f\n");
    f = start(x, &pos);
    drain(f, &g);
    EXPECT(&g, "f");
    guard_follow_free(f);
}

static void fill(const char *path, uint64_t lines, size_t *bytes)
{
    FILE *fp = fopen(path, "w");
    uint64_t i;
    int n;
    *bytes = 0;
    assert_non_null(fp);
    for (i = 0; i < lines; i++) {
        n = fprintf(fp,
                    "%07llu 203.0.113.%u - - [29/Nov/2026:07:50:14 +0000] "
                    "\"GET /page/%llu HTTP/1.1\" 200 512\n",
                    (unsigned long long)i, (unsigned)(i % 250),
                    (unsigned long long)i);
        assert_true(n > 0);
        *bytes += (size_t)n;
    }
    assert_int_equal(fclose(fp), 0);
}

static void follow_reads_a_backlog_in_bounded_calls(void **state)
{
    struct fx *x = *state;
    struct got g = {0};
    struct guard_follow *f;
    struct timespec t0, t1;
    const size_t cap = 256 * 1024;
    const uint64_t n1 = 60000, n2 = 2000;
    size_t b1, b2, calls = 0, callsboth = 0;
    uint64_t prev1 = 0, prev2 = 0, prevbytes = 0;
    bool more = true;
    double ms;

    fill(x->path, n1, &b1);
    fill(x->path2, n2, &b2);
    assert_true(b1 >= 5u * 1024 * 1024);
    x->c->nlogs = 2;
    g.seq = true;
    f = start(x, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (more) {
        assert_int_equal(guard_follow_read(f, on_line, &g, cap, &more), KK_OK);
        calls++;
        /* lines handed out in one call: what it read, plus the partial
         * line the call before left */
        assert_true(g.bytes - prevbytes <= cap + 256);
        prevbytes = g.bytes;
        /* the second, small file is not kept waiting by the first */
        if (calls == 1)
            assert_true(g.next[1] > prev2 && g.next[0] > prev1);
        if (g.next[0] > prev1 && g.next[1] > prev2)
            callsboth++;
        prev1 = g.next[0];
        prev2 = g.next[1];
        assert_true(calls < 10000);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_false(g.disorder);
    assert_int_equal(g.next[0], n1);
    assert_int_equal(g.next[1], n2);
    assert_int_equal(g.bytes, b1 + b2);
    /* bounded: no call read more than cap */
    assert_true(calls >= (b1 + b2) / cap);
    ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
         (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    print_message("backlog: %zu bytes, %llu lines in %zu calls of at most "
                  "%zu bytes (%zu reading both files), %.1f ms, %.0f MB/s\n",
                  b1 + b2, (unsigned long long)(n1 + n2), calls, cap, callsboth,
                  ms, ms > 0 ? (double)(b1 + b2) / 1e3 / ms : 0.0);
    guard_follow_free(f);
}

static void follow_refuses_a_log_it_cannot_read(void **state)
{
    struct fx *x = *state;
    struct guard_follow *f = NULL;
    struct kk_diag d = {{0}};
    int err;

    /* a directory is no log */
    assert_int_equal(mkdir(x->path, 0700), 0);
    err = guard_follow_new(x->c, NULL, NULL, &f, &d);
    assert_int_equal(err, KK_ERR_IO);
    assert_null(f);
    assert_non_null(strstr(d.msg, "access.log"));
    assert_int_equal(rmdir(x->path), 0);
    if (geteuid() == 0) {
        skip(); /* root reads anything */
    }
    create(x->path, "a\n");
    assert_int_equal(chmod(x->path, 0), 0);
    err = guard_follow_new(x->c, NULL, NULL, &f, &d);
    assert_int_equal(err, KK_ERR_PERM);
    assert_null(f);
    assert_non_null(strstr(d.msg, "access.log"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(follow_hands_out_appended_lines_once,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            follow_holds_a_partial_line_until_its_newline, setup, teardown),
        cmocka_unit_test_setup_teardown(
            follow_cuts_an_overlong_line_and_resumes_after_it, setup, teardown),
        cmocka_unit_test_setup_teardown(
            follow_finishes_a_renamed_file_before_the_new_one, setup, teardown),
        cmocka_unit_test_setup_teardown(
            follow_keeps_reading_a_renamed_file_until_a_new_one_comes, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            follow_reads_a_copytruncated_file_from_its_start, setup, teardown),
        cmocka_unit_test_setup_teardown(
            follow_reads_a_removed_file_out_then_its_successor, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            follow_waits_for_a_missing_file_and_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(
            follow_resumes_after_a_restart_where_it_stopped, setup, teardown),
        cmocka_unit_test_setup_teardown(
            follow_starts_over_when_the_file_was_replaced, setup, teardown),
        cmocka_unit_test_setup_teardown(
            follow_reads_the_rest_of_a_file_rotated_while_stopped, setup,
            teardown),
        cmocka_unit_test_setup_teardown(follow_reads_a_backlog_in_bounded_calls,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(follow_refuses_a_log_it_cannot_read,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
