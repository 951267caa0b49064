/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_state.c - the guard's state file: what is saved comes back, the
 * file and its directory are private, a save replaces the file whole, a
 * damaged file is refused with its line, a newer file's unknown records
 * are skipped, and the limits hold.
 */
#include <dirent.h>
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

struct fx {
    char dir[64];
    char sdir[96];
    char file[128];
    char paths[4][64];
    struct guard_conf *c;
};

static int setup(void **state)
{
    struct fx *x = calloc(1, sizeof *x);
    assert_non_null(x);
    snprintf(x->dir, sizeof x->dir, "/tmp/kk-state-XXXXXX");
    assert_non_null(mkdtemp(x->dir));
    snprintf(x->sdir, sizeof x->sdir, "%s/lib/guard", x->dir);
    snprintf(x->file, sizeof x->file, "%s/state", x->sdir);
    snprintf(x->paths[0], sizeof x->paths[0], "/var/log/nginx/access.log");
    snprintf(x->paths[1], sizeof x->paths[1], "/var/log/auth.log");
    snprintf(x->paths[2], sizeof x->paths[2],
             "/srv/www/logs/a log with spaces and 100%%.log");
    snprintf(x->paths[3], sizeof x->paths[3], "/var/log/new.log");
    x->c = calloc(1, sizeof *x->c);
    assert_non_null(x->c);
    x->c->state_dir = x->sdir;
    x->c->logs[0].path = x->paths[0];
    x->c->logs[1].path = x->paths[1];
    x->c->logs[2].path = x->paths[2];
    x->c->nlogs = 3;
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

static struct guard_addr prefix(const char *s)
{
    struct guard_addr a;
    assert_int_equal(guard_addr_parse_prefix(s, strlen(s), &a), KK_OK);
    return a;
}

static void add_ban(struct guard_state *s, const char *addr, const char *rule,
                    int64_t at, uint32_t level)
{
    struct guard_ban *b;
    s->bans = realloc(s->bans, (s->nbans + 1) * sizeof *s->bans);
    assert_non_null(s->bans);
    b = &s->bans[s->nbans++];
    memset(b, 0, sizeof *b);
    snprintf(b->address, sizeof b->address, "%s", addr);
    snprintf(b->rule, sizeof b->rule, "%s", rule);
    b->hits = 7 + level;
    b->first = at - 120;
    b->banned_at = at;
    b->until = at + 3600 * (1 + level);
    b->level = level;
}

static void add_hist(struct guard_state *s, const char *key, uint32_t bans,
                     int64_t last)
{
    s->hist = realloc(s->hist, (s->nhist + 1) * sizeof *s->hist);
    assert_non_null(s->hist);
    s->hist[s->nhist].key = prefix(key);
    s->hist[s->nhist].bans = bans;
    s->hist[s->nhist].last = last;
    s->nhist++;
}

/* A state holding one of everything. */
static void sample(struct guard_state *s)
{
    struct guard_addr a;
    memset(s, 0, sizeof *s);
    s->pos[0] = (struct guard_pos){.dev = 2049,
                                   .ino = 1234567,
                                   .offset = 987654321,
                                   .hash = 0xfedcba9876543210ull};
    s->have_pos[0] = true;
    s->pos[2] = (struct guard_pos){.dev = 64768, .ino = 42, .offset = 0};
    s->have_pos[2] = true;
    add_ban(s, "192.0.2.7", "wp-login", 1795852214, 0);
    add_ban(s, "2001:db8:1:2::/64", "ssh-auth", 1795852300, 2);
    add_hist(s, "192.0.2.7", 1, 1795852214);
    add_hist(s, "2001:db8:1:2::/64", 3, 1795852300);
    s->allow = guard_addrset_new();
    assert_non_null(s->allow);
    a = prefix("203.0.113.0/24");
    assert_int_equal(guard_addrset_add(s->allow, &a), KK_OK);
    a = prefix("2001:db8:ffff::/48");
    assert_int_equal(guard_addrset_add(s->allow, &a), KK_OK);
}

static void assert_same(const struct guard_state *a,
                        const struct guard_state *b)
{
    size_t i;
    for (i = 0; i < GUARD_LOGS_MAX; i++) {
        assert_int_equal(a->have_pos[i], b->have_pos[i]);
        if (a->have_pos[i])
            assert_memory_equal(&a->pos[i], &b->pos[i], sizeof a->pos[i]);
    }
    assert_int_equal(a->nbans, b->nbans);
    for (i = 0; i < a->nbans; i++) {
        assert_string_equal(a->bans[i].address, b->bans[i].address);
        assert_string_equal(a->bans[i].rule, b->bans[i].rule);
        assert_int_equal(a->bans[i].hits, b->bans[i].hits);
        assert_int_equal(a->bans[i].first, b->bans[i].first);
        assert_int_equal(a->bans[i].banned_at, b->bans[i].banned_at);
        assert_int_equal(a->bans[i].until, b->bans[i].until);
        assert_int_equal(a->bans[i].level, b->bans[i].level);
    }
    assert_int_equal(a->nhist, b->nhist);
    for (i = 0; i < a->nhist; i++) {
        assert_true(guard_addr_eq(&a->hist[i].key, &b->hist[i].key));
        assert_int_equal(a->hist[i].bans, b->hist[i].bans);
        assert_int_equal(a->hist[i].last, b->hist[i].last);
    }
    assert_int_equal(guard_addrset_count(a->allow),
                     guard_addrset_count(b->allow));
    for (i = 0; i < guard_addrset_count(a->allow); i++)
        assert_true(guard_addr_eq(guard_addrset_at(a->allow, i),
                                  guard_addrset_at(b->allow, i)));
}

static void state_round_trips_positions_bans_history_and_allowlist(void **st)
{
    struct fx *x = *st;
    struct guard_state s, back;
    struct kk_diag d = {{0}};
    struct stat sb;

    sample(&s);
    /* the directory does not exist yet: it is made, private */
    assert_int_equal(guard_state_save(x->c, &s, &d), KK_OK);
    assert_int_equal(stat(x->sdir, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0700);
    assert_int_equal(stat(x->file, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0600);
    memset(&back, 0xa5, sizeof back);
    assert_int_equal(guard_state_load(x->c, &back, &d), KK_OK);
    assert_same(&s, &back);
    assert_false(back.have_pos[1]);
    guard_state_clear(&back);
    guard_state_clear(&s);
}

static void state_text_is_the_documented_layout(void **st)
{
    struct fx *x = *st;
    struct guard_state s;
    struct kk_buf *b = kk_buf_new(1 << 20);
    const char *want =
        "kalkan-guard-state 1\n"
        "pos 2049 1234567 987654321 fedcba9876543210 "
        "/var/log/nginx/access.log\n"
        "pos 64768 42 0 0000000000000000 "
        "/srv/www/logs/a%20log%20with%20spaces%20and%20100%25.log\n"
        "ban 192.0.2.7 wp-login 7 1795852094 1795852214 1795855814 0\n"
        "ban 2001:db8:1:2::/64 ssh-auth 9 1795852180 1795852300 1795863100 "
        "2\n"
        "hist 192.0.2.7 1 1795852214\n"
        "hist 2001:db8:1:2::/64 3 1795852300\n";

    assert_non_null(b);
    sample(&s);
    assert_int_equal(guard_state_format(x->c, &s, b), KK_OK);
    assert_int_equal(strncmp(kk_buf_str(b), want, strlen(want)), 0);
    /* the allowlist follows, in the set's order, then the end */
    assert_non_null(strstr(kk_buf_str(b), "\nallow 203.0.113.0/24\n"));
    assert_non_null(strstr(kk_buf_str(b), "\nallow 2001:db8:ffff::/48\n"));
    assert_string_equal(kk_buf_str(b) + kk_buf_len(b) - 5, "\nend\n");
    kk_buf_free(b);
    guard_state_clear(&s);
}

static void state_absent_is_an_empty_state(void **st)
{
    struct fx *x = *st;
    struct guard_state s;
    struct kk_diag d = {{0}};
    size_t i;

    assert_int_equal(guard_state_load(x->c, &s, &d), KK_OK);
    for (i = 0; i < GUARD_LOGS_MAX; i++)
        assert_false(s.have_pos[i]);
    assert_int_equal(s.nbans, 0);
    assert_int_equal(s.nhist, 0);
    assert_non_null(s.allow);
    assert_int_equal(guard_addrset_count(s.allow), 0);
    guard_state_clear(&s);
    guard_state_clear(NULL);
}

static void state_matches_positions_to_logs_by_path(void **st)
{
    struct fx *x = *st;
    struct guard_state s, back;
    struct kk_diag d = {{0}};

    sample(&s);
    assert_int_equal(guard_state_save(x->c, &s, &d), KK_OK);
    /* the configuration changed: access.log is now the second log, the
     * spaced one is gone, a new one came */
    x->c->logs[0].path = x->paths[3];
    x->c->logs[1].path = x->paths[0];
    x->c->nlogs = 2;
    assert_int_equal(guard_state_load(x->c, &back, &d), KK_OK);
    assert_false(back.have_pos[0]);
    assert_true(back.have_pos[1]);
    assert_memory_equal(&back.pos[1], &s.pos[0], sizeof s.pos[0]);
    assert_false(back.have_pos[2]);
    guard_state_clear(&back);
    guard_state_clear(&s);
}

static void state_save_replaces_the_whole_file(void **st)
{
    struct fx *x = *st;
    struct guard_state s, back;
    struct kk_diag d = {{0}};
    struct dirent *e;
    DIR *dir;
    size_t files = 0;

    sample(&s);
    assert_int_equal(guard_state_save(x->c, &s, &d), KK_OK);
    s.nbans = 1;
    s.nhist = 0;
    assert_int_equal(guard_state_save(x->c, &s, &d), KK_OK);
    assert_int_equal(guard_state_load(x->c, &back, &d), KK_OK);
    assert_int_equal(back.nbans, 1);
    assert_int_equal(back.nhist, 0);
    assert_string_equal(back.bans[0].address, "192.0.2.7");
    /* no temporary is left beside it */
    dir = opendir(x->sdir);
    assert_non_null(dir);
    while ((e = readdir(dir)) != NULL)
        if (e->d_name[0] != '.')
            files++;
    closedir(dir);
    assert_int_equal(files, 1);
    guard_state_clear(&back);
    guard_state_clear(&s);
}

struct damaged {
    const char *text;
    unsigned line;
};

#define HEAD "kalkan-guard-state 1\n"
#define POS "pos 1 2 10 00000000000000aa /var/log/auth.log\n"
#define BAN "ban 192.0.2.7 wp-login 5 100 200 300 0\n"

static const struct damaged damaged[] = {
    {"", 1},
    {"kalkan-guard-state\nend\n", 1},
    {"kalkan-guard-state 0\nend\n", 1},
    {"kalkan-guard-state one\nend\n", 1},
    {"kalkan-state 1\nend\n", 1},
    {HEAD POS, 3},         /* cut: no end line */
    {HEAD POS "end", 3},   /* cut: no newline */
    {HEAD "end\n" BAN, 3}, /* data after the end */
    {HEAD "end\n\n", 3},   /* even an empty line */
    {HEAD "\nend\n", 2},   /* empty line */
    {HEAD "ban  192.0.2.7 wp-login 5 100 200 300 0\nend\n", 2},
    {HEAD "ban 192.0.2.7 wp-login 5 100 200 300 0 \nend\n", 2},
    {HEAD BAN "ban 192.0.2.7 wp-login 5 100 200 300\nend\n", 3},
    {HEAD BAN "ban 192.0.2.7 wp-login 5 100 200 300 0 9\nend\n", 3},
    {HEAD "ban 192.0.2.777 wp-login 5 100 200 300 0\nend\n", 2},
    {HEAD "ban 192.0.2.7 wp/login 5 100 200 300 0\nend\n", 2},
    {HEAD "ban 192.0.2.7 wp-login -5 100 200 300 0\nend\n", 2},
    {HEAD "ban 192.0.2.7 wp-login 5 100 200 300 4294967296\nend\n", 2},
    {HEAD "ban 192.0.2.7 wp-login 5 100 300 200 0\nend\n", 2},
    {HEAD "ban 192.0.2.7 wp-login 5 1e3 200 300 0\nend\n", 2},
    {HEAD "ban 192.0.2.7 "
          "a-rule-name-that-is-much-longer-than-the-limit-allows "
          "5 100 200 300 0\nend\n",
     2},
    {HEAD POS "pos 1 2 10 00000000000000AA /x\nend\n", 3},
    {HEAD "pos 1 2 10 0aa /var/log/auth.log\nend\n", 2},
    {HEAD "pos 1 2 0 00000000000000aa /var/log/auth.log\nend\n", 2},
    {HEAD "pos 1 2 10 00000000000000aa /var/log%00x\nend\n", 2},
    {HEAD "pos 1 2 10 00000000000000aa /var/log%4\nend\n", 2},
    {HEAD "pos 1 2 18446744073709551615 00000000000000aa /a\nend\n", 2},
    {HEAD POS POS "end\n", 3}, /* one log, two positions */
    {HEAD "hist 192.0.2.7 0 100\nend\n", 2},
    {HEAD "hist 192.0.2.0/33 1 100\nend\n", 2},
    {HEAD "allow 2001:db8::/129\nend\n", 2},
    {HEAD "allow\nend\n", 2},
    {HEAD "future 1 2 3\nend\n", 2}, /* unknown in version 1 */
    {HEAD "BAN 192.0.2.7 wp-login 5 100 200 300 0\nend\n", 2},
    {HEAD BAN "ban 192.0.2.7 wp-login 5 100 200 300 0\r\nend\n", 3},
};

static void state_refuses_a_damaged_file_naming_its_line(void **st)
{
    struct fx *x = *st;
    struct guard_state s;
    struct kk_diag d;
    char want[32];
    size_t i;
    int err;

    for (i = 0; i < sizeof damaged / sizeof damaged[0]; i++) {
        memset(&s, 0x5a, sizeof s);
        kk_diag_clear(&d);
        err = guard_state_parse(x->c, damaged[i].text, strlen(damaged[i].text),
                                "state", &s, &d);
        if (err != KK_ERR_CORRUPT)
            print_error("case %zu: %s\n", i, damaged[i].text);
        assert_int_equal(err, KK_ERR_CORRUPT);
        snprintf(want, sizeof want, "state: line %u: ", damaged[i].line);
        if (strncmp(d.msg, want, strlen(want)) != 0)
            print_error("case %zu: %s\n", i, d.msg);
        assert_int_equal(strncmp(d.msg, want, strlen(want)), 0);
        /* nothing was handed out */
        assert_int_equal(s.nbans, 0x5a5a5a5a5a5a5a5aull);
    }
}

static void state_refuses_a_nul_byte(void **st)
{
    struct fx *x = *st;
    struct guard_state s;
    struct kk_diag d;
    const char text[] = HEAD "ban 192.0.2.7 wp\0login 5 100 200 300 0\nend\n";

    assert_int_equal(
        guard_state_parse(x->c, text, sizeof text - 1, "state", &s, &d),
        KK_ERR_CORRUPT);
    assert_non_null(strstr(d.msg, "line 2"));
}

static void state_of_a_newer_version_skips_what_it_does_not_know(void **st)
{
    struct fx *x = *st;
    struct guard_state s;
    struct kk_diag d = {{0}};
    const char *text = "kalkan-guard-state 2\n"
                       "future record of some kind\n"
                       "ban 192.0.2.7 wp-login 5 100 200 300 0 extra field\n"
                       "pos 1 2 10 00000000000000aa /var/log/auth.log new\n"
                       "end\n";

    assert_int_equal(
        guard_state_parse(x->c, text, strlen(text), "state", &s, &d), KK_OK);
    assert_int_equal(s.nbans, 1);
    assert_string_equal(s.bans[0].rule, "wp-login");
    assert_int_equal(s.bans[0].until, 300);
    assert_true(s.have_pos[1]);
    assert_int_equal(s.pos[1].offset, 10);
    assert_true(s.pos[1].hash == 0xaa);
    guard_state_clear(&s);
}

static void state_refuses_more_than_its_limits(void **st)
{
    struct fx *x = *st;
    struct guard_state s;
    struct kk_diag d = {{0}};
    struct kk_buf *b = kk_buf_new(GUARD_STATE_MAX);
    unsigned i;

    assert_non_null(b);
    assert_int_equal(kk_buf_puts(b, HEAD), KK_OK);
    for (i = 0; i <= GUARD_STATE_ALLOW_MAX; i++)
        assert_int_equal(kk_buf_putf(b, "allow 10.%u.%u.%u\n", i >> 16,
                                     i >> 8 & 255, i & 255),
                         KK_OK);
    assert_int_equal(kk_buf_puts(b, "end\n"), KK_OK);
    assert_int_equal(
        guard_state_parse(x->c, kk_buf_str(b), kk_buf_len(b), "state", &s, &d),
        KK_ERR_LIMIT);
    assert_non_null(strstr(d.msg, "line 4098"));

    /* a line longer than the limit */
    kk_buf_reset(b);
    assert_int_equal(kk_buf_puts(b, HEAD "pos 1 2 10 00000000000000aa /"),
                     KK_OK);
    for (i = 0; i < GUARD_STATE_LINE_MAX; i++)
        assert_int_equal(kk_buf_putc(b, 'a'), KK_OK);
    assert_int_equal(kk_buf_puts(b, "\nend\n"), KK_OK);
    assert_int_equal(
        guard_state_parse(x->c, kk_buf_str(b), kk_buf_len(b), "state", &s, &d),
        KK_ERR_CORRUPT);
    assert_non_null(strstr(d.msg, "line 2"));
    kk_buf_free(b);
}

static void state_load_names_the_file_of_a_damaged_state(void **st)
{
    struct fx *x = *st;
    struct guard_state s;
    struct kk_diag d = {{0}};
    FILE *fp;

    snprintf(x->sdir, sizeof x->sdir, "%s", x->dir);
    snprintf(x->file, sizeof x->file, "%s/state", x->dir);
    fp = fopen(x->file, "w");
    assert_non_null(fp);
    fputs(HEAD BAN "ban 192.0.2.7 wp-login 5 100 200\n", fp);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(guard_state_load(x->c, &s, &d), KK_ERR_CORRUPT);
    assert_non_null(strstr(d.msg, x->file));
    assert_non_null(strstr(d.msg, "line 3"));
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
           (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void state_saves_and_loads_a_hundred_thousand_bans(void **st)
{
    struct fx *x = *st;
    struct guard_state s, back;
    struct kk_diag d = {{0}};
    struct timespec t0;
    struct stat sb;
    char a[64];
    double save_ms, load_ms;
    unsigned i;

    memset(&s, 0, sizeof s);
    s.bans = calloc(100000, sizeof *s.bans);
    s.hist = calloc(100000, sizeof *s.hist);
    assert_non_null(s.bans);
    assert_non_null(s.hist);
    for (i = 0; i < 100000; i++) {
        if (i % 2 == 0)
            snprintf(a, sizeof a, "10.%u.%u.%u", i >> 16, i >> 8 & 255,
                     i & 255);
        else
            snprintf(a, sizeof a, "2001:db8:%x:%x::/64", i >> 16, i & 0xffff);
        snprintf(s.bans[i].address, sizeof s.bans[i].address, "%s", a);
        snprintf(s.bans[i].rule, sizeof s.bans[i].rule, "wp-login");
        s.bans[i].hits = 5;
        s.bans[i].first = 1795852000 + i;
        s.bans[i].banned_at = 1795852100 + i;
        s.bans[i].until = 1795855700 + i;
        s.hist[i].key = prefix(a);
        s.hist[i].bans = 1 + i % 5;
        s.hist[i].last = 1795852100 + i;
    }
    s.nbans = s.nhist = 100000;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(guard_state_save(x->c, &s, &d), KK_OK);
    save_ms = ms_since(&t0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(guard_state_load(x->c, &back, &d), KK_OK);
    load_ms = ms_since(&t0);
    assert_int_equal(stat(x->file, &sb), 0);
    assert_int_equal(back.nbans, 100000);
    assert_int_equal(back.nhist, 100000);
    assert_string_equal(back.bans[99999].address, "2001:db8:1:869f::/64");
    assert_int_equal(back.hist[99998].bans, 4);
    print_message("state: 100000 bans and histories, %lld bytes, saved in "
                  "%.0f ms, loaded in %.0f ms\n",
                  (long long)sb.st_size, save_ms, load_ms);
    guard_state_clear(&back);
    guard_state_clear(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            state_round_trips_positions_bans_history_and_allowlist, setup,
            teardown),
        cmocka_unit_test_setup_teardown(state_text_is_the_documented_layout,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(state_absent_is_an_empty_state, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(state_matches_positions_to_logs_by_path,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(state_save_replaces_the_whole_file,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            state_refuses_a_damaged_file_naming_its_line, setup, teardown),
        cmocka_unit_test_setup_teardown(state_refuses_a_nul_byte, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            state_of_a_newer_version_skips_what_it_does_not_know, setup,
            teardown),
        cmocka_unit_test_setup_teardown(state_refuses_more_than_its_limits,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            state_load_names_the_file_of_a_damaged_state, setup, teardown),
        cmocka_unit_test_setup_teardown(
            state_saves_and_loads_a_hundred_thousand_bans, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
