/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_grade.c - the grading of docs/site-grading.md: table-driven sets of
 * findings with their grade, score, area scores, caps and best fix, and
 * the properties the scheme promises over many generated sets (adding a
 * finding never raises the grade or the score, an info finding changes
 * nothing, nothing above info is A or A+, the best fix is the best).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "site_int.h"

#define MAX_IDS 12
#define ALL "tls,headers,exposure,mail,dns"

static const char *const order[] = {"F", "D", "C", "B", "A-", "A", "A+"};

static int rank_of(const char *g)
{
    for (int i = 0; i < 7; i++) {
        if (strcmp(order[i], g) == 0) {
            return i;
        }
    }
    return -1;
}

/* Marks the areas named in a comma list ("tls,mail") as checked. */
static void set_areas(struct site_report *r, const char *list)
{
    for (size_t a = 0; a < SITE_AREA_COUNT; a++) {
        const char *name = site_area_name((enum site_area)a);
        const char *p = strstr(list, name);
        size_t n = strlen(name);
        r->area_checked[a] = p != NULL && (p == list || p[-1] == ',') &&
                             (p[n] == ',' || p[n] == '\0');
    }
}

static struct site_report *make(const char *areas, const char *const *found,
                                const char *const *pass)
{
    struct site_report *r = site_report_new();
    assert_non_null(r);
    set_areas(r, areas);
    for (size_t i = 0; found != NULL && found[i] != NULL; i++) {
        assert_int_equal(site_report_add(r, found[i], "seen"), KK_OK);
    }
    for (size_t i = 0; pass != NULL && pass[i] != NULL; i++) {
        assert_int_equal(site_report_pass(r, pass[i]), KK_OK);
    }
    site_report_sort(r);
    site_grade(r);
    return r;
}

/* ---- Table ---- */

struct grade_case {
    const char *name;
    const char *areas;
    const char *found[MAX_IDS];
    const char *pass[MAX_IDS];
    const char *grade;
    int score;
    int area[SITE_AREA_COUNT]; /* tls, headers, exposure, mail, dns */
    const char *caps;          /* "exposed.env:F,csp.missing:B" */
    const char *best;          /* NULL: none */
};

static const struct grade_case cases[] = {
    {"nothing found with long HSTS is A+",
     ALL,
     {NULL},
     {"hsts.missing", "hsts.short", NULL},
     "A+",
     100,
     {100, 100, 100, 100, 100},
     "",
     NULL},
    {"nothing found without an HSTS check is A",
     ALL,
     {NULL},
     {NULL},
     "A",
     100,
     {100, 100, 100, 100, 100},
     "",
     NULL},
    {"info findings keep A+",
     ALL,
     {"dns.caa.missing", "dnssec.unsigned", "cms.detected",
      "securitytxt.missing", NULL},
     {"hsts.missing", "hsts.short", NULL},
     "A+",
     100,
     {100, 100, 100, 100, 100},
     "",
     NULL},
    {"an exposed .env is F; its area is scored, not zeroed",
     ALL,
     {"exposed.env", NULL},
     {"hsts.missing", "hsts.short", NULL},
     "F",
     90,
     {100, 100, 50, 100, 100},
     "exposed.env:F",
     "exposed.env"},
    {"an expired certificate is F",
     ALL,
     {"tls.cert.expired", NULL},
     {NULL},
     "F",
     85,
     {50, 100, 100, 100, 100},
     "tls.cert.expired:F",
     "tls.cert.expired"},
    {"a self-signed certificate is F like an expired one",
     ALL,
     {"tls.cert.untrusted", NULL},
     {NULL},
     "F",
     91,
     {70, 100, 100, 100, 100},
     "tls.cert.untrusted:F",
     "tls.cert.untrusted"},
    {"TLS 1.0 caps at B",
     ALL,
     {"tls.protocol.legacy", NULL},
     {"hsts.missing", "hsts.short", NULL},
     "B",
     96,
     {85, 100, 100, 100, 100},
     "tls.protocol.legacy:B",
     "tls.protocol.legacy"},
    {"a weak cipher caps at C",
     ALL,
     {"tls.cipher.weak", NULL},
     {NULL},
     "C",
     91,
     {70, 100, 100, 100, 100},
     "tls.cipher.weak:C",
     "tls.cipher.weak"},
    {"no HTTPS at all is F and scores TLS 0 even unchecked",
     "headers,exposure,mail,dns",
     {"https.missing", NULL},
     {NULL},
     "F",
     63,
     {0, 70, 100, 100, 100},
     "https.missing:F",
     "https.missing"},
    {"a short HSTS alone is A, not A+",
     ALL,
     {"hsts.short", NULL},
     {"hsts.missing", NULL},
     "A",
     99,
     {100, 95, 100, 100, 100},
     "",
     "hsts.short"},
    {"low findings lower the score into A-",
     ALL,
     {"xfo.missing", "xcto.missing", "referrer.missing", "leak.powered_by",
      "leak.server_version", "cookie.no_samesite", "csp.unsafe", "hsts.short",
      "mail.dkim.missing", "mail.dmarc.weak", NULL},
     {NULL},
     "A-",
     89,
     {100, 60, 100, 90, 100},
     "",
     "cookie.no_samesite"},
    {"only caps below the score's band are listed, worst first",
     ALL,
     {"tls.protocol.legacy", "exposed.env", "csp.missing", "tls.key.weak",
      NULL},
     {NULL},
     "F",
     73,
     {55, 85, 50, 100, 100},
     "exposed.env:F,tls.key.weak:C",
     "exposed.env"},
    {"of two equal fixes the id decides",
     ALL,
     {"exposed.git", "exposed.env", NULL},
     {NULL},
     "F",
     80,
     {100, 100, 0, 100, 100},
     "exposed.env:F,exposed.git:F",
     "exposed.env"},
    {"the fix that lifts the cap beats a bigger penalty",
     ALL,
     {"tls.cipher.weak", "csp.missing", "hsts.missing", NULL},
     {NULL},
     "C",
     84,
     {70, 70, 100, 100, 100},
     "tls.cipher.weak:C,csp.missing:B,hsts.missing:B",
     "tls.cipher.weak"},
    {"unchecked areas are not scored and the rest are weighted",
     "tls,headers,exposure",
     {"csp.missing", NULL},
     {NULL},
     "B",
     95,
     {100, 85, 100, -1, -1},
     "csp.missing:B",
     "csp.missing"},
    {"bogus DNSSEC is F",
     ALL,
     {"dnssec.bogus", NULL},
     {NULL},
     "F",
     97,
     {100, 100, 100, 100, 70},
     "dnssec.bogus:F",
     "dnssec.bogus"},
    {"docs: a typical WordPress site",
     ALL,
     {"hsts.missing", "csp.missing", "xfo.missing", "xcto.missing",
      "referrer.missing", "leak.server_version", "mail.dmarc.missing",
      "mail.dkim.missing", "cms.detected", NULL},
     {NULL},
     "B",
     85,
     {100, 50, 100, 80, 100},
     "csp.missing:B,hsts.missing:B,mail.dmarc.missing:B",
     "csp.missing"},
    {"docs: a site with legacy TLS",
     ALL,
     {"tls.protocol.legacy", "tls.signature.sha1", "tls.no_forward_secrecy",
      "tls.key.weak", NULL},
     {"hsts.missing", "hsts.short", NULL},
     "C",
     78,
     {25, 100, 100, 100, 100},
     "tls.key.weak:C",
     "tls.key.weak"},
    {"docs: no HTTPS",
     ALL,
     {"https.missing", "csp.missing", "xfo.missing", NULL},
     {NULL},
     "F",
     58,
     {0, 50, 100, 100, 100},
     "https.missing:F",
     "https.missing"},
    {"docs: mail not checked",
     "tls,headers,exposure,dns",
     {"csp.missing", NULL},
     {NULL},
     "B",
     96,
     {100, 85, 100, -1, 100},
     "csp.missing:B",
     "csp.missing"},
    {"an exposed secret beats a permissive SPF even in an area at 0",
     ALL,
     {"exposed.env", "exposed.git", "exposed.db_dump", "mail.spf.permissive",
      NULL},
     {NULL},
     "F",
     76,
     {100, 100, 0, 70, 100},
     "exposed.db_dump:F,exposed.env:F,exposed.git:F,mail.spf.permissive:C",
     "exposed.db_dump"},
    {"nothing checked is not graded",
     "",
     {NULL},
     {NULL},
     "",
     0,
     {-1, -1, -1, -1, -1},
     "",
     NULL},
};

static void caps_string(const struct site_report *r, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; i < site_report_cap_count(r); i++) {
        size_t l = strlen(out);
        snprintf(out + l, cap - l, "%s%s:%s", i > 0 ? "," : "",
                 site_report_cap_id(r, i), site_report_cap_grade(r, i));
    }
}

static void table_of_findings_gives_grade_score_caps_and_best_fix(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct grade_case *c = &cases[i];
        struct site_report *r = make(c->areas, c->found, c->pass);
        char caps[512];
        caps_string(r, caps, sizeof caps);
        const char *best = site_report_best_fix(r);
        bool ok =
            strcmp(site_report_grade(r), c->grade) == 0 &&
            site_report_score(r) == c->score && strcmp(caps, c->caps) == 0 &&
            ((best == NULL && c->best == NULL) ||
             (best != NULL && c->best != NULL && strcmp(best, c->best) == 0));
        for (size_t a = 0; a < SITE_AREA_COUNT; a++) {
            ok = ok &&
                 site_report_area_score(r, (enum site_area)a) == c->area[a];
        }
        if (!ok) {
            fail_msg("%s: grade %s score %d areas %d/%d/%d/%d/%d caps '%s' "
                     "best %s",
                     c->name, site_report_grade(r), site_report_score(r),
                     r->area_score[0], r->area_score[1], r->area_score[2],
                     r->area_score[3], r->area_score[4], caps,
                     best != NULL ? best : "(none)");
        }
        site_report_free(r);
    }
}

/* ---- Properties over generated sets ---- */

/* A small deterministic generator (xorshift), so a failure repeats. */
static uint32_t next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* A report of the findings whose bit is set in mask (catalogue order). */
static struct site_report *from_mask(const bool *mask, bool hsts_pass,
                                     const char *areas)
{
    struct site_report *r = site_report_new();
    assert_non_null(r);
    set_areas(r, areas);
    for (size_t i = 0; i < site_finding_count(); i++) {
        if (mask[i]) {
            assert_int_equal(site_report_add(r, site_finding_at(i)->id, ""),
                             KK_OK);
        }
    }
    if (hsts_pass) {
        assert_int_equal(site_report_pass(r, "hsts.missing"), KK_OK);
        assert_int_equal(site_report_pass(r, "hsts.short"), KK_OK);
    }
    site_report_sort(r);
    site_grade(r);
    return r;
}

#define N_SETS 300
#define N_FINDINGS 64

static void random_mask(uint32_t *seed, bool *mask, unsigned density)
{
    for (size_t i = 0; i < site_finding_count(); i++) {
        mask[i] = next(seed) % 100 < density;
    }
}

static void adding_a_finding_never_raises_grade_or_score(void **state)
{
    static const char *const area_sets[] = {ALL, "tls,headers,exposure",
                                            "headers,mail"};
    bool mask[N_FINDINGS];
    uint32_t seed = 0x5eed1234u;
    (void)state;
    assert_true(site_finding_count() <= N_FINDINGS);
    for (int s = 0; s < N_SETS; s++) {
        const char *areas = area_sets[s % 3];
        bool hsts = s % 2 == 0;
        random_mask(&seed, mask, (unsigned)(s % 5) * 6);
        struct site_report *base = from_mask(mask, hsts, areas);
        for (size_t i = 0; i < site_finding_count(); i++) {
            if (mask[i]) {
                continue;
            }
            mask[i] = true;
            struct site_report *more = from_mask(mask, hsts, areas);
            mask[i] = false;
            if (rank_of(site_report_grade(more)) >
                    rank_of(site_report_grade(base)) ||
                site_report_score(more) > site_report_score(base)) {
                fail_msg("adding %s raised %s/%d to %s/%d",
                         site_finding_at(i)->id, site_report_grade(base),
                         site_report_score(base), site_report_grade(more),
                         site_report_score(more));
            }
            for (size_t a = 0; a < SITE_AREA_COUNT; a++) {
                int was = site_report_area_score(base, (enum site_area)a);
                /* An unchecked TLS area scored 0 for https.missing is no
                 * raise. */
                if (was >= 0 &&
                    site_report_area_score(more, (enum site_area)a) > was) {
                    fail_msg("adding %s raised area %zu",
                             site_finding_at(i)->id, a);
                }
            }
            site_report_free(more);
        }
        site_report_free(base);
    }
}

static void an_info_finding_changes_nothing(void **state)
{
    bool mask[N_FINDINGS];
    uint32_t seed = 0xabcdef01u;
    size_t infos = 0;
    (void)state;
    for (int s = 0; s < N_SETS; s++) {
        bool hsts = s % 3 != 0;
        random_mask(&seed, mask, (unsigned)(s % 4) * 5);
        for (size_t i = 0; i < site_finding_count(); i++) {
            if (site_finding_at(i)->sev == SITE_SEV_INFO) {
                mask[i] = false;
            }
        }
        struct site_report *base = from_mask(mask, hsts, ALL);
        for (size_t i = 0; i < site_finding_count(); i++) {
            if (site_finding_at(i)->sev != SITE_SEV_INFO) {
                continue;
            }
            infos++;
            mask[i] = true;
            struct site_report *more = from_mask(mask, hsts, ALL);
            mask[i] = false;
            assert_string_equal(site_report_grade(more),
                                site_report_grade(base));
            assert_int_equal(site_report_score(more), site_report_score(base));
            assert_memory_equal(more->area_score, base->area_score,
                                sizeof base->area_score);
            assert_int_equal(site_report_cap_count(more),
                             site_report_cap_count(base));
            site_report_free(more);
        }
        site_report_free(base);
    }
    assert_true(infos > 0);
}

static void nothing_above_info_is_a_or_a_plus(void **state)
{
    bool mask[N_FINDINGS];
    uint32_t seed = 0x13579bdfu;
    (void)state;
    for (int s = 0; s < N_SETS; s++) {
        random_mask(&seed, mask, 50);
        for (size_t i = 0; i < site_finding_count(); i++) {
            mask[i] = mask[i] && site_finding_at(i)->sev == SITE_SEV_INFO;
        }
        struct site_report *r = from_mask(mask, s % 2 == 0, ALL);
        assert_true(strcmp(site_report_grade(r), "A") == 0 ||
                    strcmp(site_report_grade(r), "A+") == 0);
        assert_int_equal(site_report_score(r), 100);
        assert_null(site_report_best_fix(r));
        site_report_free(r);
    }
}

/* No other fix gives a higher grade than the best fix, and of those that
 * give the same grade none is more severe. */
static void the_best_fix_raises_the_grade_most(void **state)
{
    bool mask[N_FINDINGS];
    uint32_t seed = 0x2468ace0u;
    size_t with_best = 0;
    (void)state;
    for (int s = 0; s < N_SETS; s++) {
        random_mask(&seed, mask, 8 + (unsigned)(s % 4) * 5);
        struct site_report *r = from_mask(mask, true, ALL);
        const char *best = site_report_best_fix(r);
        const struct site_finding_def *bdef = site_finding_find(best);
        int best_rank = -1;
        int top_rank = -1;
        bool above_info = false;
        for (size_t i = 0; i < site_finding_count(); i++) {
            if (!mask[i]) {
                continue;
            }
            above_info = above_info || site_finding_at(i)->sev > SITE_SEV_INFO;
            mask[i] = false;
            struct site_report *w = from_mask(mask, true, ALL);
            mask[i] = true;
            int rk = rank_of(site_report_grade(w));
            if (rk > top_rank) {
                top_rank = rk;
            }
            if (best != NULL && strcmp(best, site_finding_at(i)->id) == 0) {
                best_rank = rk;
            }
            site_report_free(w);
        }
        /* Every finding above info can be fixed for some gain. */
        assert_true((best != NULL) == above_info);
        if (best == NULL) {
            site_report_free(r);
            continue;
        }
        with_best++;
        assert_int_equal(best_rank, top_rank);
        for (size_t i = 0; i < site_finding_count(); i++) {
            if (!mask[i] || site_finding_at(i)->sev <= bdef->sev) {
                continue;
            }
            mask[i] = false;
            struct site_report *w = from_mask(mask, true, ALL);
            mask[i] = true;
            if (rank_of(site_report_grade(w)) == top_rank) {
                fail_msg("%s is more severe than the best fix %s and lifts "
                         "the grade as far",
                         site_finding_at(i)->id, best);
            }
            site_report_free(w);
        }
        site_report_free(r);
    }
    assert_true(with_best > N_SETS / 2);
}

static void grading_is_deterministic(void **state)
{
    bool mask[N_FINDINGS];
    uint32_t seed = 0x0badf00du;
    (void)state;
    for (int s = 0; s < 50; s++) {
        random_mask(&seed, mask, 20);
        struct site_report *a = from_mask(mask, true, ALL);
        char caps1[512];
        char caps2[512];
        caps_string(a, caps1, sizeof caps1);
        const char *g1 = site_report_grade(a);
        int s1 = site_report_score(a);
        const char *b1 = site_report_best_fix(a);
        char g1copy[4];
        snprintf(g1copy, sizeof g1copy, "%s", g1);
        site_grade(a); /* again, on the same report */
        caps_string(a, caps2, sizeof caps2);
        assert_string_equal(site_report_grade(a), g1copy);
        assert_int_equal(site_report_score(a), s1);
        assert_string_equal(caps1, caps2);
        assert_ptr_equal(site_report_best_fix(a), b1);
        site_report_free(a);
    }
}

static void every_finding_above_low_caps_the_grade(void **state)
{
    (void)state;
    for (size_t i = 0; i < site_finding_count(); i++) {
        const struct site_finding_def *def = site_finding_at(i);
        const char *found[] = {def->id, NULL};
        const char *pass[] = {"hsts.missing", "hsts.short", NULL};
        struct site_report *r = make(ALL, found, pass);
        int rk = rank_of(site_report_grade(r));
        switch (def->sev) {
        case SITE_SEV_CRITICAL:
            assert_int_equal(rk, 0); /* F */
            break;
        case SITE_SEV_HIGH:
            assert_true(rk <= 2); /* C or lower */
            break;
        case SITE_SEV_MEDIUM:
            assert_true(rk <= 3); /* B or lower */
            break;
        case SITE_SEV_LOW:
            assert_true(rk >= 4 && rk <= 5); /* A- or A: never A+ */
            break;
        case SITE_SEV_INFO:
            if (strcmp(def->id, "hsts.missing") != 0) {
                assert_int_equal(rk, 6);
            }
            break;
        }
        site_report_free(r);
    }
}

/* Findings graded from outside (a report a server sends to the hub) get
 * the grade a check with the same findings gets; an unknown id is
 * refused. */
static void findings_graded_from_outside_match_a_check(void **state)
{
    (void)state;
    struct site_report *own = site_report_new();
    struct site_report *again = NULL;
    const struct site_result found[] = {{.id = "tls.protocol.legacy"},
                                        {.id = "exposed.env"},
                                        {.id = "mail.dmarc.weak"}};
    const char *const passed[] = {"hsts.missing", "hsts.short"};
    const bool checked[SITE_AREA_COUNT] = {true, true, true, true, true};
    assert_non_null(own);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(site_report_add(own, found[i].id, ""), KK_OK);
    }
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(site_report_pass(own, passed[i]), KK_OK);
    }
    set_areas(own, ALL);
    site_report_sort(own);
    site_grade(own);
    assert_int_equal(site_grade_findings(found, 3, passed, 2, checked, &again),
                     KK_OK);
    assert_string_equal(site_report_grade(again), site_report_grade(own));
    assert_string_equal(site_report_grade(again), "F");
    assert_int_equal(site_report_score(again), site_report_score(own));
    assert_string_equal(site_report_best_fix(again), "exposed.env");
    for (size_t a = 0; a < SITE_AREA_COUNT; a++) {
        assert_int_equal(site_report_area_score(again, (enum site_area)a),
                         site_report_area_score(own, (enum site_area)a));
    }
    site_report_free(again);
    again = NULL;
    const struct site_result unknown[] = {{.id = "tls.made_up"}};
    assert_int_equal(site_grade_findings(unknown, 1, NULL, 0, checked, &again),
                     KK_ERR_INVAL);
    assert_null(again);
    site_report_free(own);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_of_findings_gives_grade_score_caps_and_best_fix),
        cmocka_unit_test(adding_a_finding_never_raises_grade_or_score),
        cmocka_unit_test(an_info_finding_changes_nothing),
        cmocka_unit_test(nothing_above_info_is_a_or_a_plus),
        cmocka_unit_test(the_best_fix_raises_the_grade_most),
        cmocka_unit_test(grading_is_deterministic),
        cmocka_unit_test(every_finding_above_low_caps_the_grade),
        cmocka_unit_test(findings_graded_from_outside_match_a_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
