/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_spf.c - unit tests of the SPF reader (lib/site/spf.c): the syntax
 * of RFC 7208 term by term, and the verdict on a policy with its include
 * and redirect targets served by a fake DNS (a table of names and TXT
 * records), so lookup counting, loops, missing and broken targets and
 * permissive includes are tested without a resolver.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dns.h"

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))

static void spf_records_are_told_from_other_texts(void **state)
{
    (void)state;
    assert_true(site_spf_is_record("v=spf1 -all"));
    assert_true(site_spf_is_record("V=SPF1 -all"));
    assert_true(site_spf_is_record("v=spf1"));
    assert_false(site_spf_is_record("v=spf10 -all"));
    assert_false(site_spf_is_record("v=spf1-all"));
    assert_false(site_spf_is_record(" v=spf1 -all"));
    assert_false(site_spf_is_record("google-site-verification=abc"));
    assert_false(site_spf_is_record(""));
    assert_false(site_spf_is_record(NULL));
}

static const struct {
    const char *rec;
    bool valid;
    char all;
    unsigned lookups;
    const char *why; /* a substring of the reason when invalid */
} parse_rows[] = {
    {"v=spf1 mx -all", true, '-', 1, NULL},
    {"v=spf1 +all", true, '+', 0, NULL},
    {"v=spf1 all", true, '+', 0, NULL},
    {"v=spf1 a mx ?all", true, '?', 2, NULL},
    {"V=SPF1 MX ~ALL", true, '~', 1, NULL},
    {"v=spf1", true, 0, 0, NULL},
    {"v=spf1  mx   -all  ", true, '-', 1, NULL},
    {"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all", true, '-', 0, NULL},
    {"v=spf1 ip4:192.0.2.1 ip6:::1 ip6:2001:db8::1/128 -all", true, '-', 0,
     NULL},
    {"v=spf1 include:_spf.google.com ~all", true, '~', 1, NULL},
    {"v=spf1 a:mail.example.com/24//64 mx/28 a//64 -all", true, '-', 3, NULL},
    {"v=spf1 ptr ptr:example.org -all", true, '-', 2, NULL},
    {"v=spf1 exists:%{i}.rbl.example.com -all", true, '-', 1, NULL},
    {"v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all", true, '-', 1, NULL},
    {"v=spf1 include:example.com. -all", true, '-', 1, NULL},
    {"v=spf1 redirect=_spf.example.com", true, 0, 1, NULL},
    {"v=spf1 -all redirect=_spf.example.com", true, '-', 0, NULL},
    {"v=spf1 exp=explain.example.com -all", true, '-', 0, NULL},
    {"v=spf1 moo=bar%%baz ra=postmaster -all", true, '-', 0, NULL},
    {"v=spf1 mx -all ip4:192.0.2.1", true, '-', 1, NULL},
    /* errors: each a permanent error for receivers */
    {"v=spf1 foo -all", false, 0, 0, "unknown mechanism 'foo'"},
    {"v=spf1 +mx -nothing", false, 0, 0, "unknown mechanism '-nothing'"},
    {"v=spf1 mx\t-all", false, 0, 0, "unknown mechanism"},
    {"v=spf1 ip4:192.0.2.300 -all", false, 0, 0, "bad ip4 network"},
    {"v=spf1 ip4:192.0.2.0/33", false, 0, 0, "bad ip4 network"},
    {"v=spf1 ip4:192.0.2.0/024", false, 0, 0, "bad ip4 network"},
    {"v=spf1 ip4:2001:db8::1", false, 0, 0, "bad ip4 network"},
    {"v=spf1 ip4", false, 0, 0, "bad ip4 network"},
    {"v=spf1 ip6:2001:db8::/129", false, 0, 0, "bad ip6 network"},
    {"v=spf1 ip6:192.0.2.1", false, 0, 0, "bad ip6 network"},
    {"v=spf1 include -all", false, 0, 0, "bad domain"},
    {"v=spf1 include: -all", false, 0, 0, "bad domain"},
    {"v=spf1 include:localhost -all", false, 0, 0, "bad domain"},
    {"v=spf1 include:example.123 -all", false, 0, 0, "bad domain"},
    {"v=spf1 include:exa mple.com", false, 0, 0, "'include:exa'"},
    {"v=spf1 include:x.example.com/24", false, 0, 0, "bad domain"},
    {"v=spf1 exists:%{z}.example.com", false, 0, 0, "bad domain"},
    {"v=spf1 exists:%{i.example.com", false, 0, 0, "bad domain"},
    {"v=spf1 exists:%x.example.com", false, 0, 0, "bad domain"},
    {"v=spf1 a//129", false, 0, 0, "bad CIDR length"},
    {"v=spf1 a/33", false, 0, 0, "bad CIDR length"},
    {"v=spf1 mx/24/64", false, 0, 0, "bad CIDR length"},
    {"v=spf1 ptr/24", false, 0, 0, "bad domain"},
    {"v=spf1 all:example.com", false, 0, 0, "'all' takes no argument"},
    {"v=spf1 redirect=a.example.com redirect=b.example.com", false, 0, 0,
     "two redirect modifiers"},
    {"v=spf1 exp=a.example.com exp=b.example.com -all", false, 0, 0,
     "two exp modifiers"},
    {"v=spf1 redirect=", false, 0, 0, "bad domain"},
    {"v=spf1 moo=%{", false, 0, 0, "bad value"},
    {"v=spf10 -all", false, 0, 0, "not an SPF record"},
};

static void spf_terms_follow_rfc_7208(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(parse_rows); i++) {
        struct site_spf s;
        char why[SITE_SPF_WHY_MAX] = "";
        int rc = site_spf_parse(parse_rows[i].rec, &s, why, sizeof why);
        if ((rc == KK_OK) != parse_rows[i].valid) {
            fail_msg("row %zu '%s': rc %d (%s)", i, parse_rows[i].rec, rc, why);
        }
        if (!parse_rows[i].valid) {
            if (strstr(why, parse_rows[i].why) == NULL) {
                fail_msg("row %zu '%s': reason '%s', want '%s'", i,
                         parse_rows[i].rec, why, parse_rows[i].why);
            }
            continue;
        }
        if (s.all != parse_rows[i].all || s.lookups != parse_rows[i].lookups) {
            fail_msg("row %zu '%s': all '%c' lookups %u", i, parse_rows[i].rec,
                     s.all ? s.all : '0', s.lookups);
        }
    }
}

static void spf_keeps_include_targets_with_their_qualifiers(void **state)
{
    struct site_spf s;
    char why[SITE_SPF_WHY_MAX];

    (void)state;
    assert_int_equal(site_spf_parse("v=spf1 include:A.Example.COM. "
                                    "-include:b.example.com "
                                    "include:%{d}.example.com ?all",
                                    &s, why, sizeof why),
                     KK_OK);
    assert_int_equal(s.n_include, 3);
    assert_string_equal(s.include[0].domain, "a.example.com");
    assert_int_equal(s.include[0].qual, '+');
    assert_false(s.include[0].macro);
    assert_int_equal(s.include[1].qual, '-');
    assert_true(s.include[2].macro);
    assert_int_equal(s.terms, 4);
}

static void spf_reason_quotes_a_long_term_cut_and_printable(void **state)
{
    struct site_spf s;
    char why[SITE_SPF_WHY_MAX];
    char rec[300];

    (void)state;
    snprintf(rec, sizeof rec, "v=spf1 bad\x01%0200d -all", 7);
    assert_int_equal(site_spf_parse(rec, &s, why, sizeof why), KK_ERR_INVAL);
    assert_non_null(strstr(why, "bad?000"));
    assert_non_null(strstr(why, "...'"));
    assert_true(strlen(why) < 80);
}

/* ---- The fake DNS ---- */

struct fake_zone {
    const char *name;
    const char *txt[3]; /* NULL-terminated; all NULL: exists without TXT */
    int rc;             /* KK_OK, or the error the lookup returns */
};

struct fake_dns {
    const struct fake_zone *zones;
    size_t n;
    unsigned calls;
};

static int fake_txt(void *arg, const char *name, struct site_txt *out)
{
    struct fake_dns *d = arg;
    d->calls++;
    for (size_t i = 0; i < d->n; i++) {
        if (strcmp(d->zones[i].name, name) != 0) {
            continue;
        }
        if (d->zones[i].rc != KK_OK) {
            return d->zones[i].rc;
        }
        for (size_t k = 0; k < 3 && d->zones[i].txt[k] != NULL; k++) {
            int rc = site_txt_add(out, d->zones[i].txt[k]);
            if (rc != KK_OK) {
                return rc;
            }
        }
        return KK_OK;
    }
    out->nxdomain = true;
    return KK_OK;
}

static const struct fake_zone zones[] = {
    {"i1.t.test", {"v=spf1 ip4:192.0.2.1 -all"}, KK_OK},
    {"i2.t.test", {"v=spf1 a mx -all"}, KK_OK},
    {"i3.t.test", {"v=spf1 include:i1.t.test include:i2.t.test -all"}, KK_OK},
    {"loop.t.test", {"v=spf1 include:loop.t.test -all"}, KK_OK},
    {"pingpong.t.test", {"v=spf1 include:pong.t.test -all"}, KK_OK},
    {"pong.t.test", {"v=spf1 redirect=pingpong.t.test"}, KK_OK},
    {"two.t.test", {"v=spf1 -all", "v=spf1 mx -all"}, KK_OK},
    {"broken.t.test", {"v=spf1 bogus -all"}, KK_OK},
    {"plus.t.test", {"v=spf1 +all"}, KK_OK},
    {"question.t.test", {"v=spf1 ?all"}, KK_OK},
    {"noall.t.test", {"v=spf1 mx"}, KK_OK},
    {"fail.t.test", {"v=spf1 -all"}, KK_OK},
    {"other.t.test", {"google-site-verification=x"}, KK_OK},
    {"down.t.test", {NULL}, KK_ERR_TIMEOUT},
    {"redir.t.test", {"v=spf1 redirect=plus.t.test"}, KK_OK},
};

static const struct {
    const char *rec;
    bool invalid;
    const char *why;
    unsigned lookups;
    char all;
    bool all_known;
    const char *pass_include;
    bool incomplete;
} eval_rows[] = {
    {"v=spf1 mx -all", false, NULL, 1, '-', true, "", false},
    {"v=spf1 include:i1.t.test ~all", false, NULL, 1, '~', true, "", false},
    /* 1 + i3's 2 + i1's 0 + i2's 2 = 5 */
    {"v=spf1 include:i3.t.test -all", false, NULL, 5, '-', true, "", false},
    /* exactly the limit: 4 + i3's 4 + i2's 2 */
    {"v=spf1 a mx include:i3.t.test include:i2.t.test -all", false, NULL, 10,
     '-', true, "", false},
    {"v=spf1 include:nowhere.t.test -all", true,
     "include:nowhere.t.test has no SPF record", 1, '-', true, "", false},
    {"v=spf1 include:other.t.test -all", true,
     "include:other.t.test has no SPF record", 1, '-', true, "", false},
    {"v=spf1 include:two.t.test -all", true,
     "include:two.t.test has 2 SPF records", 1, '-', true, "", false},
    {"v=spf1 include:broken.t.test -all", true,
     "in include:broken.t.test: unknown mechanism 'bogus'", 1, '-', true, "",
     false},
    {"v=spf1 include:plus.t.test -all", false, NULL, 1, '-', true,
     "plus.t.test", false},
    {"v=spf1 -include:plus.t.test -all", false, NULL, 1, '-', true, "", false},
    {"v=spf1 include:redir.t.test -all", false, NULL, 2, '-', true,
     "redir.t.test", false},
    {"v=spf1 include:question.t.test -all", false, NULL, 1, '-', true, "",
     false},
    {"v=spf1 redirect=fail.t.test", false, NULL, 1, '-', true, "", false},
    {"v=spf1 redirect=question.t.test", false, NULL, 1, '?', true, "", false},
    {"v=spf1 redirect=noall.t.test", false, NULL, 2, 0, true, "", false},
    {"v=spf1 redirect=nowhere.t.test", true,
     "redirect=nowhere.t.test has no SPF record", 1, 0, false, "", false},
    {"v=spf1 redirect=%{d}.t.test", false, NULL, 1, 0, false, "", false},
    {"v=spf1 redirect=down.t.test", false, NULL, 1, 0, false, "", true},
    {"v=spf1 include:down.t.test -all", false, NULL, 1, '-', true, "", true},
    {"v=spf1 mx", false, NULL, 1, 0, true, "", false},
    {"v=spf1 nonsense", true, "unknown mechanism 'nonsense'", 0, 0, false, "",
     false},
};

static void spf_policies_are_judged_through_includes_and_redirects(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(eval_rows); i++) {
        struct fake_dns d = {zones, N_ROWS(zones), 0};
        struct site_spf_eval ev;
        assert_int_equal(site_spf_eval(eval_rows[i].rec, fake_txt, &d, &ev),
                         KK_OK);
        if (ev.invalid != eval_rows[i].invalid ||
            (eval_rows[i].why != NULL &&
             strcmp(ev.why, eval_rows[i].why) != 0)) {
            fail_msg("row %zu '%s': invalid %d '%s'", i, eval_rows[i].rec,
                     ev.invalid, ev.why);
        }
        if (ev.invalid) {
            continue;
        }
        if (ev.lookups != eval_rows[i].lookups || ev.all != eval_rows[i].all ||
            ev.all_known != eval_rows[i].all_known ||
            strcmp(ev.pass_include, eval_rows[i].pass_include) != 0 ||
            ev.incomplete != eval_rows[i].incomplete) {
            fail_msg("row %zu '%s': lookups %u all '%c' known %d pass '%s' "
                     "incomplete %d",
                     i, eval_rows[i].rec, ev.lookups, ev.all ? ev.all : '0',
                     ev.all_known, ev.pass_include, ev.incomplete);
        }
    }
}

static void spf_over_ten_lookups_is_invalid_with_the_count(void **state)
{
    struct fake_dns d = {zones, N_ROWS(zones), 0};
    struct site_spf_eval ev;

    (void)state;
    /* 2 includes of i3 (5 each) + a = 11: the spf11 case of the fixture */
    assert_int_equal(site_spf_eval("v=spf1 include:i3.t.test "
                                   "include:i3.t.test a -all",
                                   fake_txt, &d, &ev),
                     KK_OK);
    assert_true(ev.invalid);
    assert_string_equal(ev.why, "11 DNS lookups, the limit is 10");
    assert_false(ev.lookups_capped);
    assert_int_equal(d.calls, 6);
}

static void spf_include_loops_stop_at_the_fetch_bound(void **state)
{
    static const char *const loops[] = {
        "v=spf1 include:loop.t.test -all",
        "v=spf1 include:pingpong.t.test -all",
    };

    (void)state;
    for (size_t i = 0; i < N_ROWS(loops); i++) {
        struct fake_dns d = {zones, N_ROWS(zones), 0};
        struct site_spf_eval ev;
        assert_int_equal(site_spf_eval(loops[i], fake_txt, &d, &ev), KK_OK);
        assert_true(ev.invalid);
        assert_true(ev.lookups_capped);
        assert_true(ev.lookups > KK_SITE_SPF_LOOKUPS_MAX);
        assert_true(d.calls <= SITE_SPF_FETCH_MAX);
        assert_non_null(strstr(ev.why, "at least"));
    }
}

static void
spf_many_includes_are_counted_but_fetched_within_bounds(void **state)
{
    char rec[2048] = "v=spf1";
    struct fake_dns d = {zones, N_ROWS(zones), 0};
    struct site_spf_eval ev;

    (void)state;
    for (int i = 0; i < 40; i++) {
        size_t n = strlen(rec);
        snprintf(rec + n, sizeof rec - n, " include:i1.t.test");
    }
    assert_int_equal(site_spf_eval(rec, fake_txt, &d, &ev), KK_OK);
    assert_true(ev.invalid);
    assert_int_equal(ev.lookups, 40);
    assert_true(ev.lookups_capped);
    assert_true(d.calls <= SITE_SPF_FETCH_MAX);
    assert_int_equal(ev.all, 0);
}

static void spf_fail_all_alone_means_the_domain_sends_no_mail(void **state)
{
    struct fake_dns d = {zones, N_ROWS(zones), 0};
    struct site_spf_eval ev;

    (void)state;
    assert_int_equal(site_spf_eval("v=spf1 -all", fake_txt, &d, &ev), KK_OK);
    assert_true(ev.only_fail_all);
    assert_int_equal(d.calls, 0);
    assert_int_equal(site_spf_eval("v=spf1 mx -all", fake_txt, &d, &ev), KK_OK);
    assert_false(ev.only_fail_all);
    assert_int_equal(site_spf_eval("v=spf1 ~all", fake_txt, &d, &ev), KK_OK);
    assert_false(ev.only_fail_all);
}

static void spf_running_out_of_memory_in_a_lookup_is_an_error(void **state)
{
    static const struct fake_zone nomem[] = {
        {"x.t.test", {NULL}, KK_ERR_NOMEM},
    };
    struct fake_dns d = {nomem, N_ROWS(nomem), 0};
    struct site_spf_eval ev;

    (void)state;
    assert_int_equal(
        site_spf_eval("v=spf1 include:x.t.test -all", fake_txt, &d, &ev),
        KK_ERR_NOMEM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spf_records_are_told_from_other_texts),
        cmocka_unit_test(spf_terms_follow_rfc_7208),
        cmocka_unit_test(spf_keeps_include_targets_with_their_qualifiers),
        cmocka_unit_test(spf_reason_quotes_a_long_term_cut_and_printable),
        cmocka_unit_test(
            spf_policies_are_judged_through_includes_and_redirects),
        cmocka_unit_test(spf_over_ten_lookups_is_invalid_with_the_count),
        cmocka_unit_test(spf_include_loops_stop_at_the_fetch_bound),
        cmocka_unit_test(
            spf_many_includes_are_counted_but_fetched_within_bounds),
        cmocka_unit_test(spf_fail_all_alone_means_the_domain_sends_no_mail),
        cmocka_unit_test(spf_running_out_of_memory_in_a_lookup_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
