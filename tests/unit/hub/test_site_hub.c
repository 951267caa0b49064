/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_site_hub.c - website checks in the hub: the rules that turn
 * findings into observations of the website controls, the difference
 * between two checks, the reminders' rules (pure, table-driven); a report
 * sent by an outlet's server read strictly and written back; the options
 * file; the reminders read from rows as a focal point and as the trainer;
 * the pages and the API through the route table (another outlet's
 * website answering like a missing one, evidence sealed at rest); and the
 * checker's thread, which fails a reserved name at once and schedules a
 * check of a site reached through the options' resolve entry - on
 * loopback, on a closed port, so nothing leaves the machine.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "hub_int.h"
#include "hub_test.h"
#include "i18n.h"
#include "model.h"
#include "programme.h"
#include "site_hub.h"

#define NOW INT64_C(1795953600) /* 2026-11-29 12:00 UTC */
#define NOW_TEXT "2026-11-29T12:00:00Z"
#define DAY INT64_C(86400)

/* --- pure rules --- */

static void grades_rank_from_f_to_a_plus(void **state)
{
    static const char *const order[] = {"F", "D", "C", "B", "A-", "A", "A+"};
    (void)state;
    for (size_t i = 0; i + 1 < sizeof order / sizeof order[0]; i++)
        assert_true(hub_site_grade_rank(order[i]) <
                    hub_site_grade_rank(order[i + 1]));
    assert_int_equal(hub_site_grade_rank(""), 0);
    assert_int_equal(hub_site_grade_rank("E"), 0);
    assert_int_equal(hub_site_grade_rank(NULL), 0);
}

/* A result from space-separated found and passed ids. */
static void result_of(struct hub_site_result *res, const char *found,
                      const char *passed)
{
    char buf[1024], *save = NULL;
    assert_int_equal(hub_site_result_init(res), KK_OK);
    snprintf(buf, sizeof buf, "%s", found);
    for (char *t = strtok_r(buf, " ", &save); t != NULL;
         t = strtok_r(NULL, " ", &save))
        assert_int_equal(hub_site_result_add(res, t, "seen"), KK_OK);
    snprintf(buf, sizeof buf, "%s", passed);
    for (char *t = strtok_r(buf, " ", &save); t != NULL;
         t = strtok_r(NULL, " ", &save))
        assert_int_equal(hub_site_result_pass(res, t), KK_OK);
}

static void findings_map_to_observations_of_the_website_controls(void **state)
{
    /* Expected status of WEB-01, -02, -03, -04, -05, -07: p pass, ~
     * partial, f fail, . not observed. */
    static const struct {
        const char *found, *passed, *want;
    } cases[] = {
        {"", "", "......"},
        {"", "hsts.missing", "p....."},
        {"hsts.short", "", "~....."},
        {"hsts.missing https.no_redirect", "", "f....."},
        {"tls.cert.expired", "", "f....."},
        {"tls.cert.expiring", "hsts.missing", "~....."},
        {"csp.missing xfo.missing xcto.missing", "", ".~...."},
        {"csp.missing xfo.missing xcto.missing referrer.missing", "", ".f...."},
        {"cms.detected", "", "..p..."},
        {"cms.detected cms.outdated", "", "..f..."},
        {"exposed.env", "", "...f.."},
        {"exposed.dir_listing", "exposed.git", "...~.."},
        {"", "exposed.git exposed.env", "...p.."},
        {"wp.xmlrpc wp.user_enum", "", "....~."},
        {"", "wp.xmlrpc", "....p."},
        {"mail.dmarc.missing", "mail.spf.missing", ".....f"},
        {"mail.dkim.missing", "mail.dmarc.missing", ".....~"},
        {"mail.dmarc.weak mail.dkim.missing", "", ".....f"},
        {"mail.spf.missing", "", ".....f"},
        /* Info and unmapped findings observe nothing. */
        {"dnssec.unsigned dns.caa.missing securitytxt.missing", "", "......"},
        {"mail.starttls.missing ipv6.broken", "", "......"},
        {"leak.server_version", "hsts.missing exposed.env", "p~.p.."},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct hub_site_result res;
        struct hub_site_obs obs[HUB_SITE_CONTROLS];
        char got[HUB_SITE_CONTROLS + 1];
        result_of(&res, cases[i].found, cases[i].passed);
        hub_site_obs_map(&res, obs);
        for (int c = 0; c < HUB_SITE_CONTROLS; c++) {
            const char *s = obs[c].status;
            got[c] = s == NULL                   ? '.'
                     : strcmp(s, "pass") == 0    ? 'p'
                     : strcmp(s, "partial") == 0 ? '~'
                     : strcmp(s, "fail") == 0    ? 'f'
                                                 : '?';
        }
        got[HUB_SITE_CONTROLS] = '\0';
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu (%s | %s): %s, want %s", i, cases[i].found,
                     cases[i].passed, got, cases[i].want);
        hub_site_result_clear(&res);
    }
}

static void an_observation_names_the_findings_that_decided_it(void **state)
{
    struct hub_site_result res;
    struct hub_site_obs obs[HUB_SITE_CONTROLS];
    (void)state;
    result_of(&res, "exposed.env exposed.git cms.detected", "");
    hub_site_obs_map(&res, obs);
    assert_string_equal(obs[0].control, "WEB-01");
    assert_string_equal(obs[3].control, "WEB-04");
    assert_string_equal(obs[5].control, "WEB-07");
    assert_non_null(strstr(obs[3].note, "exposed.env"));
    assert_non_null(strstr(obs[3].note, "exposed.git"));
    /* An info finding decides nothing and is not named. */
    assert_string_equal(obs[2].note, "");
    assert_string_equal(obs[2].status, "pass");
    hub_site_result_clear(&res);
}

static void results_refuse_unknown_ids_and_keep_evidence_clean(void **state)
{
    struct hub_site_result res;
    char long_ev[KK_SITE_EVIDENCE_MAX * 2];
    (void)state;
    assert_int_equal(hub_site_result_init(&res), KK_OK);
    assert_int_equal(hub_site_result_add(&res, "tls.nonsense", ""),
                     KK_ERR_INVAL);
    assert_int_equal(hub_site_result_add(&res, "exposed.env", "/.env\n\x01x"),
                     KK_OK);
    assert_int_equal(hub_site_result_add(&res, "exposed.env", "again"),
                     KK_ERR_EXISTS);
    assert_string_equal(res.items[0].evidence, "/.env  x");
    assert_int_equal(res.items[0].sev, SITE_SEV_CRITICAL);
    memset(long_ev, 'a', sizeof long_ev - 1);
    long_ev[sizeof long_ev - 1] = '\0';
    assert_int_equal(hub_site_result_add(&res, "exposed.git", long_ev), KK_OK);
    assert_int_equal(strlen(res.items[1].evidence), KK_SITE_EVIDENCE_MAX);
    assert_int_equal(hub_site_result_pass(&res, "not.an.id"), KK_ERR_INVAL);
    assert_int_equal(hub_site_result_pass(&res, "hsts.missing"), KK_OK);
    assert_int_equal(hub_site_result_pass(&res, "hsts.missing"), KK_OK);
    assert_string_equal(kk_buf_str(res.passed), "hsts.missing");
    hub_site_result_clear(&res);
    hub_site_result_clear(&res);
}

static void the_difference_lists_new_and_fixed_findings(void **state)
{
    static const char *const cur[] = {"hsts.missing", "exposed.env",
                                      "csp.missing", "exposed.env"};
    static const char *const prev[] = {"csp.missing", "cms.outdated",
                                       "xfo.missing"};
    struct hub_site_diff d;
    (void)state;
    hub_site_diff_make(cur, 4, "F", prev, 3, "C", &d);
    assert_int_equal(d.n_added, 2);
    assert_string_equal(d.added[0], "hsts.missing");
    assert_string_equal(d.added[1], "exposed.env");
    assert_int_equal(d.n_fixed, 2);
    assert_string_equal(d.fixed[0], "cms.outdated");
    assert_string_equal(d.fixed[1], "xfo.missing");
    assert_true(d.grade_change < 0);
    hub_site_diff_make(prev, 3, "A", prev, 3, "B", &d);
    assert_int_equal(d.n_added + d.n_fixed, 0);
    assert_int_equal(d.grade_change, 2);
    /* No check before: everything is new, the change unknown. */
    hub_site_diff_make(cur, 2, "B", NULL, 0, "", &d);
    assert_int_equal(d.n_added, 2);
    assert_int_equal(d.grade_change, 0);
}

static void reminders_follow_their_rules(void **state)
{
    static const struct {
        struct hub_site_alert_in in;
        unsigned want;
    } cases[] = {
        /* A healthy site. */
        {{"done", "done", true, "A", "A", 0, NOW + 90 * DAY}, 0},
        /* The grade dropped at the latest check. */
        {{"done", "done", true, "C", "B", 0, 0}, HUB_SITE_ALERT_DROP},
        /* It rose: nothing. */
        {{"done", "done", true, "A", "B", 0, 0}, 0},
        /* The first check: no grade before, its findings are new. */
        {{"done", "", true, "D", "", 3, 0}, HUB_SITE_ALERT_NEW},
        /* New findings and a drop together. */
        {{"done", "done", true, "F", "A-", 1, 0},
         HUB_SITE_ALERT_DROP | HUB_SITE_ALERT_NEW},
        /* A certificate within 21 days, one already ended, one in 22. */
        {{"done", "done", true, "B", "B", 0, NOW + 20 * DAY},
         HUB_SITE_ALERT_CERT},
        {{"done", "done", true, "B", "B", 0, NOW - DAY}, HUB_SITE_ALERT_CERT},
        {{"done", "done", true, "B", "B", 0, NOW + 22 * DAY}, 0},
        /* Two failures in a row, the last done check's facts too old to
         * be news. */
        {{"failed", "failed", false, "C", "B", 2, 0}, HUB_SITE_ALERT_FAILED},
        /* One failure is not yet a reminder. */
        {{"failed", "done", false, "A", "A", 0, 0}, 0},
        {{"failed", "", false, "", "", 0, 0}, 0},
        /* A failure still leaves the certificate's end known. */
        {{"failed", "failed", false, "A", "A", 0, NOW + 3 * DAY},
         HUB_SITE_ALERT_FAILED | HUB_SITE_ALERT_CERT},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned got = hub_site_alert_flags(&cases[i].in, NOW);
        if (got != cases[i].want)
            fail_msg("case %zu: flags %u, want %u", i, got, cases[i].want);
    }
}

static void hosts_are_read_from_urls_and_reserved_names_known(void **state)
{
    static const struct {
        const char *url, *host;
    } cases[] = {
        {"https://Good.Kalkan.Test:20501/", "good.kalkan.test"},
        {"http://example.org", "example.org"},
        {"https://user@site.kg/path?q=1", "site.kg"},
        {"https://site.kg./", "site.kg"},
        {"site.kg", "site.kg"},
        {"https://[::1]:8443/", "[::1]"},
        {"https://", NULL},
    };
    char host[256];
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool ok = hub_site_url_host(cases[i].url, host, sizeof host);
        if (cases[i].host == NULL) {
            assert_false(ok);
            continue;
        }
        assert_true(ok);
        assert_string_equal(host, cases[i].host);
    }
    assert_true(hub_site_reserved_host("alpha.example"));
    assert_true(hub_site_reserved_host("good.kalkan.test"));
    assert_true(hub_site_reserved_host("x.invalid"));
    assert_true(hub_site_reserved_host("localhost"));
    assert_false(hub_site_reserved_host("kloop.kg"));
    assert_false(hub_site_reserved_host("example.com"));
    assert_false(hub_site_reserved_host("testing.org"));
}

/* --- an uploaded report --- */

static const char good_report[] =
    "{\"target\":\"news.example\",\"url\":\"https://news.example/\","
    "\"checked_at\":\"2026-11-28T10:00:00Z\",\"grade\":\"F\",\"score\":31,"
    "\"areas\":{\"tls\":80,\"headers\":40,\"exposure\":0,\"mail\":55,"
    "\"dns\":null},\"capped_by\":[{\"id\":\"exposed.env\",\"grade\":\"F\"}],"
    "\"best_fix\":\"exposed.env\",\"findings\":[{\"id\":\"exposed.env\","
    "\"severity\":\"info\",\"area\":\"dns\",\"title\":\"x\",\"detail\":\"y\","
    "\"fix\":\"z\",\"evidence\":\"/.env\"},{\"id\":\"hsts.missing\","
    "\"severity\":\"medium\",\"evidence\":\"\"}],\"passed\":[\"exposed.git\","
    "\"tls.cert.expired\"],\"requests\":61,\"handshakes\":13,"
    "\"elapsed_ms\":1820,\"cert_expires_at\":\"2027-02-01T00:00:00Z\","
    "\"future\":{\"ignored\":true}}";

static int upload(const char *json, const char *host,
                  struct hub_site_result *res, const char **why)
{
    struct hub_json *j = NULL;
    int err;
    assert_int_equal(hub_site_result_init(res), KK_OK);
    assert_int_equal(hub_json_parse(json, strlen(json), &j, NULL), KK_OK);
    err = hub_site_upload_read(hub_json_root(j), host, NOW, res, why);
    hub_json_free(j);
    return err;
}

static void an_uploaded_report_takes_severities_from_the_catalogue(void **state)
{
    struct hub_site_result res;
    const char *why = NULL;
    (void)state;
    assert_int_equal(upload(good_report, "news.example", &res, &why), KK_OK);
    /* The grade is lib/site's reading of the findings, not the score of
     * 31 and the TLS 80 the sender claimed. */
    {
        struct site_result found[] = {{.id = "exposed.env", .evidence = ""},
                                      {.id = "hsts.missing", .evidence = ""}};
        const char *const passed[] = {"exposed.git", "tls.cert.expired"};
        const bool checked[SITE_AREA_COUNT] = {true, true, true, true, false};
        struct site_report *rep = NULL;
        assert_int_equal(
            site_grade_findings(found, 2, passed, 2, checked, &rep), KK_OK);
        assert_string_equal(res.grade, site_report_grade(rep));
        assert_int_equal(res.score, site_report_score(rep));
        assert_int_equal(res.area[SITE_AREA_TLS],
                         site_report_area_score(rep, SITE_AREA_TLS));
        site_report_free(rep);
    }
    assert_string_equal(res.grade, "F");
    assert_int_not_equal(res.score, 31);
    assert_int_equal(res.area[SITE_AREA_TLS], 100);
    assert_int_equal(res.area[SITE_AREA_DNS], -1);
    assert_string_equal(res.capped_by, "exposed.env=F hsts.missing=B");
    assert_string_equal(res.best_fix, "exposed.env");
    assert_int_equal(res.n_items, 2);
    /* "info" and "dns" in the report do not make it so. */
    assert_int_equal(res.items[0].sev, SITE_SEV_CRITICAL);
    assert_int_equal(res.items[0].area, SITE_AREA_EXPOSURE);
    assert_string_equal(res.items[0].evidence, "/.env");
    assert_string_equal(kk_buf_str(res.passed), "exposed.git tls.cert.expired");
    assert_int_equal(res.requests, 61);
    assert_int_equal(res.cert_expiry, 1801440000);
    /* The report kept is written again, in English, without the unknown
     * key and with the catalogue's severity. */
    assert_null(strstr(kk_buf_str(res.report), "ignored"));
    assert_non_null(
        strstr(kk_buf_str(res.report), "\"severity\":\"critical\""));
    assert_non_null(
        strstr(kk_buf_str(res.report), "\"target\":\"news.example\""));
    hub_site_result_clear(&res);
}

static void a_rewritten_report_reads_back_the_same(void **state)
{
    struct hub_site_result a, b;
    const char *why = NULL;
    char *first;
    (void)state;
    assert_int_equal(upload(good_report, "news.example", &a, &why), KK_OK);
    first = strdup(kk_buf_str(a.report));
    assert_non_null(first);
    assert_int_equal(upload(first, "news.example", &b, &why), KK_OK);
    assert_string_equal(kk_buf_str(b.report), first);
    assert_string_equal(b.grade, a.grade);
    assert_int_equal(b.n_items, a.n_items);
    free(first);
    hub_site_result_clear(&a);
    hub_site_result_clear(&b);
}

static void a_failed_report_is_kept_with_its_reason(void **state)
{
    struct hub_site_result res;
    const char *why = NULL;
    (void)state;
    assert_int_equal(upload("{\"target\":\"news.example\",\"checked_at\":"
                            "\"2026-11-28T10:00:00Z\",\"error\":{\"code\":"
                            "\"blocked\",\"message\":\"a WAF said 403\"}}",
                            "news.example", &res, &why),
                     KK_OK);
    assert_string_equal(res.failure, "blocked");
    assert_string_equal(res.failure_detail, "a WAF said 403");
    assert_int_equal(res.n_items, 0);
    assert_non_null(strstr(kk_buf_str(res.report), "\"code\":\"blocked\""));
    hub_site_result_clear(&res);
}

static void bad_reports_are_refused_with_a_reason(void **state)
{
    static const char *const bad[] = {
        "[]",
        /* Another website. */
        "{\"target\":\"other.example\",\"checked_at\":\"2026-11-28T10:00:00Z\","
        "\"grade\":\"A\",\"score\":90,\"findings\":[]}",
        "{\"target\":\"news.example\",\"url\":\"https://evil.example/\","
        "\"checked_at\":\"2026-11-28T10:00:00Z\",\"grade\":\"A\",\"score\":90,"
        "\"findings\":[]}",
        /* In the future; missing; not a time. */
        "{\"target\":\"news.example\",\"checked_at\":\"2026-12-28T10:00:00Z\","
        "\"grade\":\"A\",\"score\":90,\"findings\":[]}",
        "{\"target\":\"news.example\",\"grade\":\"A\",\"score\":90,"
        "\"findings\":[]}",
        "{\"target\":\"news.example\",\"checked_at\":\"yesterday\","
        "\"grade\":\"A\",\"score\":90,\"findings\":[]}",
        /* Grade, score, areas. */
        "{\"target\":\"news.example\",\"checked_at\":\"2026-11-28T10:00:00Z\","
        "\"grade\":\"E\",\"score\":90,\"findings\":[]}",
        "{\"target\":\"news.example\",\"checked_at\":\"2026-11-28T10:00:00Z\","
        "\"grade\":\"A\",\"score\":190,\"findings\":[]}",
        "{\"target\":\"news.example\",\"checked_at\":\"2026-11-28T10:00:00Z\","
        "\"grade\":\"A\",\"score\":90,\"areas\":{\"tls\":\"high\"},"
        "\"findings\":[]}",
        /* Findings: an unknown id, a bad severity, twice, no array. */
        "{\"target\":\"news.example\",\"checked_at\":\"2026-11-28T10:00:00Z\","
        "\"grade\":\"A\",\"score\":90,\"findings\":[{\"id\":\"tls.fake\"}]}",
        "{\"target\":\"news.example\",\"checked_at\":\"2026-11-28T10:00:00Z\","
        "\"grade\":\"A\",\"score\":90,\"findings\":[{\"id\":\"hsts.missing\","
        "\"severity\":\"severe\"}]}",
        "{\"target\":\"news.example\",\"checked_at\":\"2026-11-28T10:00:00Z\","
        "\"grade\":\"A\",\"score\":90,\"findings\":[{\"id\":\"hsts.missing\"},"
        "{\"id\":\"hsts.missing\"}]}",
        "{\"target\":\"news.example\",\"checked_at\":\"2026-11-28T10:00:00Z\","
        "\"grade\":\"A\",\"score\":90,\"findings\":{}}",
        "{\"target\":\"news.example\",\"checked_at\":\"2026-11-28T10:00:00Z\","
        "\"grade\":\"A\",\"score\":90,\"findings\":[{\"id\":\"hsts.missing\","
        "\"evidence\":7}]}",
        /* Passed, caps, best fix, an error code. */
        "{\"target\":\"news.example\",\"checked_at\":\"2026-11-28T10:00:00Z\","
        "\"grade\":\"A\",\"score\":90,\"findings\":[],\"passed\":[\"x.y\"]}",
        "{\"target\":\"news.example\",\"checked_at\":\"2026-11-28T10:00:00Z\","
        "\"grade\":\"A\",\"score\":90,\"findings\":[],\"capped_by\":[{\"id\":"
        "\"hsts.missing\",\"grade\":\"Q\"}]}",
        "{\"target\":\"news.example\",\"checked_at\":\"2026-11-28T10:00:00Z\","
        "\"grade\":\"A\",\"score\":90,\"findings\":[],\"best_fix\":7}",
        "{\"target\":\"news.example\",\"checked_at\":\"2026-11-28T10:00:00Z\","
        "\"error\":{\"code\":\"gone\"}}",
        "{\"target\":\"news.example\",\"checked_at\":\"2026-11-28T10:00:00Z\","
        "\"grade\":\"A\",\"score\":90,\"findings\":[],\"requests\":-1}",
    };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct hub_site_result res;
        const char *why = NULL;
        int err = upload(bad[i], "news.example", &res, &why);
        if (err != KK_ERR_INVAL)
            fail_msg("case %zu accepted (%d)", i, err);
        if (why == NULL || why[0] == '\0')
            fail_msg("case %zu refused without a reason", i);
        hub_site_result_clear(&res);
    }
}

/* --- the options file --- */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void the_options_file_is_read_and_refused_by_line(void **state)
{
    char dir[64], db[128], path[192], ca[192], text[1024];
    struct hub_site_options so;
    struct kk_diag d = {.msg = ""};
    (void)state;
    assert_true(hub_test_dir("siteopt", dir, sizeof dir, db, sizeof db));
    snprintf(path, sizeof path, "%s/site.conf", dir);
    snprintf(ca, sizeof ca, "%s/ca.pem", dir);
    write_file(ca, "not really a CA\n");
    snprintf(text, sizeof text,
             "# the fixture\ndns = 127.0.0.1@20503\nca-file = %s\n"
             "resolve = a.test:443:127.0.0.2 b.test:8443:::1\n"
             "https-port = 20501\nhttp-port = 20500\nsmtp-port = 20502\n"
             "timeout = 3\ndkim-selector = s1 s2\nno-mail = no\n",
             ca);
    write_file(path, text);
    assert_int_equal(hub_site_options_load(path, &so, &d), KK_OK);
    assert_string_equal(so.o.dns, "127.0.0.1@20503");
    assert_string_equal(so.o.ca_file, ca);
    assert_int_equal(so.o.n_resolve, 2);
    assert_string_equal(so.o.resolve[1], "b.test:8443:::1");
    assert_int_equal(so.o.https_port, 20501);
    assert_int_equal(so.o.timeout_ms, 3000);
    assert_int_equal(so.o.n_dkim_selectors, 2);
    assert_string_equal(so.o.dkim_selectors[1], "s2");
    assert_false(so.o.skip_mail);
    assert_true(so.resolver);
    hub_site_options_free(&so);
    assert_int_equal(hub_site_options_check(path, &d), KK_OK);
    {
        static const struct {
            const char *text, *says;
        } bad[] = {
            {"dns = 1.2.3.4\ncolour = blue\n", "line 2"},
            {"https-port = 70000\n", "https-port"},
            {"resolve = nocolon\n", "resolve"},
            {"resolve = a:b:c\n", "resolve"},
            {"timeout = 0\n", "timeout"},
            {"ca-file = /nonexistent/ca.pem\n", "ca-file"},
            {"dkim-selector = a;b\n", "dkim-selector"},
            {"dns = \n", "dns"},
            {"dns = 1.2.3.4\ndns = 5.6.7.8\n", "line"},
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            kk_diag_clear(&d);
            write_file(path, bad[i].text);
            if (hub_site_options_load(path, &so, &d) == KK_OK)
                fail_msg("case %zu accepted", i);
            if (strstr(d.msg, bad[i].says) == NULL)
                fail_msg("case %zu: \"%s\" does not say %s", i, d.msg,
                         bad[i].says);
            assert_null(so.conf);
        }
    }
    /* No file: the defaults, no resolver of its own. */
    assert_int_equal(hub_site_options_load(NULL, &so, &d), KK_OK);
    assert_false(so.resolver);
    assert_int_equal(so.o.timeout_ms, KK_SITE_TIMEOUT_MS);
    hub_site_options_free(&so);
    unlink(ca);
    unlink(path);
    hub_test_dir_remove(dir);
}

/* --- the hub: rows, routes, the thread --- */

struct world {
    struct hub_test_db t;
    int64_t trainer, focal_a, focal_b, staff_a;
    struct hub_req r;
    struct hub_form *form, *query;
    struct hub_json *json;
    char bare[256];
};

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    struct kk_diag d = {.msg = ""};
    assert_non_null(w);
    setenv("KALKAN_HUB_NOW", NOW_TEXT, 1);
    hub_test_db_open(&w->t, "sitehub",
                     "INSERT INTO websites (id, outlet_id, url, created_at) "
                     "VALUES (1004, 1000, 'https://news.example', 0), (1014, "
                     "1000, 'https://old.example', 0), (2004, 2000, "
                     "'https://other.example', 0);"
                     "UPDATE websites SET archived_at = 5 WHERE id = 1014;",
                     &w->focal_a);
    assert_int_equal(hub_user_add(w->t.db, "trainer@x.example", "trainer", NULL,
                                  "a long password", NULL, 0, &w->trainer, &d),
                     KK_OK);
    assert_int_equal(hub_user_add(w->t.db, "staff@a.example", "staff", "a",
                                  "a long password", NULL, 0, &w->staff_a, &d),
                     KK_OK);
    w->focal_b = hub_test_count(w->t.raw, "SELECT id FROM users WHERE email = "
                                          "'focal@b.example'");
    w->r.db = w->t.conn;
    w->r.out = kk_buf_new(4 << 20);
    assert_non_null(w->r.out);
    *state = w;
    return 0;
}

static void req_clear(struct world *w)
{
    for (size_t i = 0; i < w->r.n_hdr; i++) {
        free(w->r.hdr_name[i]);
        free(w->r.hdr_value[i]);
    }
    w->r.n_hdr = 0;
    hub_form_free(w->form);
    hub_form_free(w->query);
    hub_json_free(w->json);
    w->form = w->query = NULL;
    w->json = NULL;
}

static int teardown(void **state)
{
    struct world *w = *state;
    req_clear(w);
    kk_buf_free(w->r.out);
    hub_test_db_close(&w->t);
    free(w);
    return 0;
}

/* Runs METHOD PATH of the website checks' routes as uid/role (a JSON body
 * for API routes, a form otherwise); the status (200 when none was set,
 * 404 for a role the route does not allow, as the dispatcher answers). */
static int call(struct world *w, int method, const char *path, int64_t uid,
                int role, const char *body, int lang)
{
    const struct hub_route *rt = NULL;
    const char *q = strchr(path, '?');
    int err;
    req_clear(w);
    snprintf(w->bare, sizeof w->bare, "%.*s",
             (int)(q != NULL ? (size_t)(q - path) : strlen(path)), path);
    w->r.n_params = 0;
    for (const struct hub_route *t = hub_routes_site; t->pattern != NULL; t++) {
        const char *p = t->pattern, *s = w->bare;
        size_t n = 0;
        bool ok = t->method == method;
        while (ok && *p != '\0') {
            if (*p == '{') {
                char *end;
                long long v = strtoll(s, &end, 10);
                ok = end != s;
                if (ok)
                    w->r.param[n++] = v;
                s = end;
                p = strchr(p, '}') + 1;
            } else {
                ok = *p++ == *s++;
            }
        }
        if (ok && *s == '\0') {
            rt = t;
            w->r.n_params = n;
            break;
        }
    }
    if (rt == NULL)
        fail_msg("no route for %s", path);
    w->r.path = w->bare;
    w->r.method = method;
    w->r.api = (rt->flags & HUB_R_API) != 0;
    w->r.status = 0;
    w->r.err = KK_OK;
    w->r.lang = lang;
    w->r.stage = 2;
    kk_buf_reset(w->r.out);
    memset(&w->r.who, 0, sizeof w->r.who);
    w->r.who.user_id = uid;
    w->r.who.role = role;
    w->r.who.person_id = role == HUB_ROLE_STAFF ? 1001 : 0;
    snprintf(w->r.who.email, sizeof w->r.who.email, "%s", "user@x.example");
    assert_int_equal(hub_form_parse(q != NULL ? q + 1 : "",
                                    q != NULL ? strlen(q + 1) : 0, &w->query,
                                    NULL),
                     KK_OK);
    if (w->r.api && body != NULL)
        assert_int_equal(hub_json_parse(body, strlen(body), &w->json, NULL),
                         KK_OK);
    assert_int_equal(hub_form_parse("", 0, &w->form, NULL), KK_OK);
    w->r.query = w->query;
    w->r.form = w->form;
    w->r.json = w->json;
    if (!(rt->roles & HUB_ROLEBIT(role)))
        return 404;
    err = rt->fn(&w->r);
    if (err != KK_OK && w->r.status < 400)
        hub_fail_err(&w->r, err, NULL);
    if (w->r.err != KK_OK)
        return 500;
    return w->r.status != 0 ? w->r.status : 200;
}

static bool answer_has(struct world *w, const char *s)
{
    return strstr(kk_buf_str(w->r.out), s) != NULL;
}

/* The bytes of the database file (and its WAL) hold needle. */
static bool db_file_has(struct world *w, const char *needle)
{
    static const char *const suffix[] = {"", "-wal"};
    bool hit = false;
    for (size_t k = 0; k < 2 && !hit; k++) {
        char p[256];
        struct kk_buf *b = kk_buf_new(64 << 20);
        snprintf(p, sizeof p, "%s%s", w->t.path, suffix[k]);
        assert_non_null(b);
        if (kk_file_read(p, 64 << 20, b, NULL) == KK_OK)
            hit = memmem(kk_buf_data(b), kk_buf_len(b), needle,
                         strlen(needle)) != NULL;
        kk_buf_free(b);
    }
    return hit;
}

static const char upload_body[] =
    "{\"target\":\"news.example\",\"checked_at\":\"2026-11-28T10:00:00Z\","
    "\"grade\":\"F\",\"score\":20,\"areas\":{\"tls\":90,\"headers\":50,"
    "\"exposure\":0,\"mail\":40,\"dns\":80},\"capped_by\":[{\"id\":"
    "\"exposed.env\",\"grade\":\"F\"}],\"best_fix\":\"exposed.env\","
    "\"findings\":[{\"id\":\"exposed.env\",\"evidence\":"
    "\"/.env-QXSECRETPATH\"},{\"id\":\"hsts.missing\"},{\"id\":"
    "\"mail.dmarc.missing\"}],\"passed\":[\"tls.cert.expired\",\"exposed.git\""
    ",\"csp.missing\"],\"requests\":40,\"handshakes\":10,\"elapsed_ms\":900,"
    "\"cert_expires_at\":\"2026-12-05T00:00:00Z\"}";

static void an_outlets_server_sends_a_report_that_is_kept_sealed(void **state)
{
    struct world *w = *state;
    int64_t id;
    /* Outlet B's focal point cannot send one about A's website, nor see
     * it: it answers like a missing website. */
    assert_int_equal(call(w, HUB_POST, "/api/v1/websites/1004/checks",
                          w->focal_b, HUB_ROLE_FOCAL, upload_body, 0),
                     404);
    assert_int_equal(call(w, HUB_POST, "/api/v1/websites/1004/checks",
                          w->staff_a, HUB_ROLE_STAFF, upload_body, 0),
                     404);
    assert_int_equal(call(w, HUB_POST, "/api/v1/websites/1004/checks",
                          w->focal_a, HUB_ROLE_FOCAL, upload_body, 0),
                     201);
    assert_true(answer_has(w, "\"trigger\":\"upload\""));
    assert_true(answer_has(w, "/.env-QXSECRETPATH"));
    id = hub_test_count(w->t.raw, "SELECT id FROM site_checks WHERE "
                                  "website_id = 1004");
    assert_true(id > 0);
    assert_int_equal(hub_test_count(w->t.raw,
                                    "SELECT count(*) FROM site_check_findings "
                                    "WHERE outlet_id = 1000"),
                     3);
    /* Observations of the website controls: WEB-04 fails, WEB-01 is
     * partial (HSTS), WEB-07 fails (no DMARC), WEB-02 passes (CSP). */
    assert_int_equal(hub_test_count(w->t.raw,
                                    "SELECT count(*) FROM observations WHERE "
                                    "subject_type = 'website' AND subject_id "
                                    "= 1004 AND source = 'site' AND "
                                    "((control_id = 'WEB-04' AND status = "
                                    "'fail') OR (control_id = 'WEB-01' AND "
                                    "status = 'partial') OR (control_id = "
                                    "'WEB-07' AND status = 'fail') OR "
                                    "(control_id = 'WEB-02' AND status = "
                                    "'pass'))"),
                     4);
    assert_int_equal(hub_test_count(w->t.raw,
                                    "SELECT count(*) FROM obs_latest WHERE "
                                    "subject_type = 'website' AND subject_id "
                                    "= 1004"),
                     4);
    /* The evidence is sealed at rest; the finding ids are not. */
    sqlite3_exec(w->t.raw, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    assert_false(db_file_has(w, "QXSECRETPATH"));
    assert_true(db_file_has(w, "exposed.env"));
    /* The check as JSON: another outlet's focal point gets 404, the
     * trainer the same check with its report. */
    {
        char path[64];
        snprintf(path, sizeof path, "/api/v1/checks/%lld", (long long)id);
        assert_int_equal(
            call(w, HUB_GET, path, w->focal_b, HUB_ROLE_FOCAL, NULL, 0), 404);
        assert_int_equal(
            call(w, HUB_GET, path, w->trainer, HUB_ROLE_TRAINER, NULL, 0), 200);
        assert_true(answer_has(w, "\"grade\":\"F\""));
        assert_true(answer_has(w, "\"report\":{\"target\":\"news.example\""));
        assert_int_equal(
            call(w, HUB_GET, path, w->trainer, HUB_ROLE_DONOR, NULL, 0), 404);
    }
}

static void the_page_shows_the_report_and_the_difference(void **state)
{
    struct world *w = *state;
    const char *second =
        "{\"target\":\"news.example\",\"checked_at\":\"2026-11-29T10:00:00Z\","
        "\"grade\":\"C\",\"score\":60,\"best_fix\":\"cms.outdated\","
        "\"findings\":[{\"id\":\"hsts.missing\"},"
        "{\"id\":\"cms.outdated\",\"evidence\":\"WordPress 5.8.1\"}],"
        "\"passed\":[\"exposed.env\"]}";
    assert_int_equal(call(w, HUB_POST, "/api/v1/websites/1004/checks",
                          w->focal_a, HUB_ROLE_FOCAL, upload_body, 0),
                     201);
    assert_int_equal(call(w, HUB_POST, "/api/v1/websites/1004/checks",
                          w->focal_a, HUB_ROLE_FOCAL, second, 0),
                     201);
    assert_true(answer_has(w, "\"added\":[\"cms.outdated\"]"));
    assert_true(
        answer_has(w, "\"fixed\":[\"exposed.env\",\"mail.dmarc.missing\"]"));
    assert_int_equal(call(w, HUB_GET, "/outlets/1000/websites/1004/checks",
                          w->focal_a, HUB_ROLE_FOCAL, NULL, HUB_LANG_RU),
                     200);
    assert_true(answer_has(w, "id=\"grade\""));
    assert_true(answer_has(w, "id=\"fix-first\""));
    assert_true(answer_has(w, "id=\"added\""));
    assert_true(answer_has(w, "data-id=\"cms.outdated\""));
    assert_true(answer_has(w, "id=\"fixed\""));
    assert_true(answer_has(w, "WordPress 5.8.1"));
    assert_true(answer_has(w, "id=\"history-table\""));
    assert_true(answer_has(w, "<html lang=\"ru\""));
    /* Another outlet's website, in the path or under the wrong outlet,
     * and staff: like a missing one. */
    assert_int_equal(call(w, HUB_GET, "/outlets/2000/websites/2004/checks",
                          w->focal_a, HUB_ROLE_FOCAL, NULL, 0),
                     404);
    assert_int_equal(call(w, HUB_GET, "/outlets/2000/websites/1004/checks",
                          w->focal_a, HUB_ROLE_FOCAL, NULL, 0),
                     404);
    assert_int_equal(call(w, HUB_GET, "/outlets/1000/websites/1004/checks",
                          w->staff_a, HUB_ROLE_STAFF, NULL, 0),
                     404);
    assert_int_equal(call(w, HUB_GET, "/api/v1/websites/1004/checks",
                          w->focal_b, HUB_ROLE_FOCAL, NULL, 0),
                     404);
    assert_int_equal(call(w, HUB_GET, "/api/v1/websites/1004/checks",
                          w->focal_a, HUB_ROLE_FOCAL, NULL, 0),
                     200);
    assert_true(answer_has(w, "\"findings_above_low\":2"));
    assert_true(answer_has(w, "\"findings_above_low\":3"));
}

static void check_now_queues_once_and_never_for_an_archived_site(void **state)
{
    struct world *w = *state;
    assert_int_equal(call(w, HUB_POST, "/outlets/1000/websites/1004/checks",
                          w->focal_a, HUB_ROLE_FOCAL, NULL, 0),
                     303);
    assert_int_equal(call(w, HUB_POST, "/outlets/1000/websites/1004/checks",
                          w->focal_a, HUB_ROLE_FOCAL, NULL, 0),
                     303);
    assert_int_equal(hub_test_count(w->t.raw,
                                    "SELECT count(*) FROM site_checks WHERE "
                                    "status = 'queued' AND trigger = "
                                    "'manual'"),
                     1);
    assert_int_equal(call(w, HUB_POST, "/api/v1/websites/1004/checks",
                          w->trainer, HUB_ROLE_TRAINER, "{}", 0),
                     202);
    assert_true(answer_has(w, "\"already_pending\":true"));
    assert_int_equal(call(w, HUB_POST, "/outlets/1000/websites/1014/checks",
                          w->focal_a, HUB_ROLE_FOCAL, NULL, 0),
                     409);
    assert_int_equal(call(w, HUB_POST, "/outlets/2000/websites/2004/checks",
                          w->focal_a, HUB_ROLE_FOCAL, NULL, 0),
                     404);
    assert_int_equal(
        hub_test_count(w->t.raw, "SELECT count(*) FROM site_checks"), 1);
    assert_int_equal(call(w, HUB_GET, "/outlets/1000/websites/1004/checks",
                          w->focal_a, HUB_ROLE_FOCAL, NULL, 0),
                     200);
    assert_true(answer_has(w, "id=\"pending\" data-status=\"queued\""));
}

/* Rows of a website's checks: (status, grade, at, cert) each. */
static void check_row(struct world *w, int64_t id, int64_t website,
                      int64_t outlet, int n, const char *status,
                      const char *grade, int64_t at, int64_t cert)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO site_checks (id, outlet_id, website_id, n, trigger, "
             "status, queued_at, checked_at, grade, cert_expires_at) VALUES "
             "(%lld, %lld, %lld, %d, 'schedule', '%s', %lld, %lld, '%s', "
             "%lld)",
             (long long)id, (long long)outlet, (long long)website, n, status,
             (long long)at, (long long)at, grade, (long long)cert);
    hub_test_exec(w->t.raw, sql);
}

static void reminders_come_from_the_latest_checks_in_scope(void **state)
{
    struct world *w = *state;
    struct hub_site_alerts *a = NULL;
    hub_test_exec(w->t.raw,
                  "INSERT INTO websites (id, outlet_id, url, created_at) "
                  "VALUES (1024, 1000, 'https://down.example', 0), (1034, "
                  "1000, 'https://fine.example', 0)");
    /* news: B then C, with a new high finding; down: failed twice; fine:
     * A twice with the same finding; other (B's): dropped too. */
    check_row(w, 5001, 1004, 1000, 1, "done", "B", NOW - 2 * DAY,
              NOW + 100 * DAY);
    check_row(w, 5002, 1004, 1000, 2, "done", "C", NOW - DAY, NOW + 100 * DAY);
    hub_test_exec(w->t.raw,
                  "INSERT INTO site_check_findings (id, check_id, outlet_id, "
                  "finding_id, severity, area) VALUES (6001, 5002, 1000, "
                  "'cms.outdated', 'high', 'exposure'), (6002, 5002, 1000, "
                  "'hsts.short', 'low', 'headers'), (6003, 5001, 1000, "
                  "'hsts.short', 'low', 'headers')");
    check_row(w, 5011, 1024, 1000, 1, "done", "A", NOW - 3 * DAY, 0);
    check_row(w, 5012, 1024, 1000, 2, "failed", "", NOW - 2 * DAY, 0);
    check_row(w, 5013, 1024, 1000, 3, "failed", "", NOW - DAY, 0);
    check_row(w, 5021, 1034, 1000, 1, "done", "A", NOW - 2 * DAY,
              NOW + 10 * DAY);
    check_row(w, 5022, 1034, 1000, 2, "done", "A", NOW - DAY, NOW + 10 * DAY);
    check_row(w, 5031, 2004, 2000, 1, "done", "A", NOW - 2 * DAY, 0);
    check_row(w, 5032, 2004, 2000, 2, "done", "D", NOW - DAY, 0);
    memset(&w->r.who, 0, sizeof w->r.who);
    w->r.who.user_id = w->focal_a;
    w->r.who.role = HUB_ROLE_FOCAL;
    kk_buf_reset(w->r.out);
    assert_int_equal(hub_site_alerts_load(&w->r, 0, 10, &a), KK_OK);
    assert_int_equal(hub_site_alerts_count(a), 3);
    hub_site_alerts_panel(&w->r, a, 0);
    assert_true(answer_has(w, "id=\"rem-websites\""));
    assert_true(answer_has(w, "https://news.example"));
    assert_true(answer_has(w, "data-flags=\"3\"")); /* drop + new */
    assert_true(answer_has(w, "data-flags=\"8\"")); /* failed twice */
    assert_true(answer_has(w, "data-flags=\"4\"")); /* certificate */
    assert_false(answer_has(w, "other.example"));
    hub_site_alerts_free(a);
    /* The trainer sees B's drop too; one outlet only when asked. */
    w->r.who.user_id = w->trainer;
    w->r.who.role = HUB_ROLE_TRAINER;
    assert_int_equal(hub_site_alerts_load(&w->r, 0, 10, &a), KK_OK);
    assert_int_equal(hub_site_alerts_count(a), 4);
    hub_site_alerts_free(a);
    assert_int_equal(hub_site_alerts_load(&w->r, 2000, 10, &a), KK_OK);
    assert_int_equal(hub_site_alerts_count(a), 1);
    hub_site_alerts_free(a);
    /* The limit cuts the list, not the count. */
    assert_int_equal(hub_site_alerts_load(&w->r, 0, 1, &a), KK_OK);
    assert_int_equal(hub_site_alerts_count(a), 4);
    {
        struct kk_buf *b = kk_buf_new(1 << 16);
        assert_non_null(b);
        assert_int_equal(
            hub_site_alerts_mail(a, HUB_LANG_EN, "https://hub.example", b),
            KK_OK);
        assert_non_null(strstr(kk_buf_str(b), "(4)"));
        assert_non_null(strstr(kk_buf_str(b), "https://hub.example/outlets/"));
        kk_buf_free(b);
    }
    hub_site_alerts_free(a);
    /* Staff see none. */
    w->r.who.user_id = w->staff_a;
    w->r.who.role = HUB_ROLE_STAFF;
    w->r.who.person_id = 1001;
    assert_int_equal(hub_site_alerts_load(&w->r, 0, 10, &a), KK_OK);
    assert_int_equal(hub_site_alerts_count(a), 0);
    hub_site_alerts_free(a);
}

/* --- the thread --- */

/* Polls sql's first integer until it equals want, at most about 60 s. */
static int64_t wait_for(struct world *w, const char *sql, int64_t want)
{
    int64_t v = -1;
    for (int i = 0; i < 1200; i++) {
        v = hub_test_count(w->t.raw, sql);
        if (v == want)
            break;
        usleep(50 * 1000);
    }
    return v;
}

static void the_thread_fails_a_reserved_name_without_looking_it_up(void **state)
{
    struct world *w = *state;
    struct hub_server_opts o = {.site_interval = 0};
    struct hub_site_worker *k = NULL;
    struct kk_diag d = {.msg = ""};
    hub_test_exec(w->t.raw,
                  "INSERT INTO site_checks (id, outlet_id, website_id, n, "
                  "trigger, status, queued_at) VALUES (7001, 1000, 1004, 1, "
                  "'manual', 'queued', 1)");
    assert_int_equal(hub_site_worker_start(w->t.db, &o, &k, &d), KK_OK);
    hub_site_worker_kick();
    assert_int_equal(wait_for(w,
                              "SELECT count(*) FROM site_checks WHERE id = "
                              "7001 AND status = 'failed' AND failure = "
                              "'dns'",
                              1),
                     1);
    hub_site_worker_stop(k);
    /* Failed checks observe nothing; without a schedule nothing else
     * runs. */
    assert_int_equal(hub_test_count(w->t.raw,
                                    "SELECT count(*) FROM observations WHERE "
                                    "source = 'site'"),
                     0);
    assert_int_equal(
        hub_test_count(w->t.raw, "SELECT count(*) FROM site_checks"), 1);
}

static unsigned closed_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    unsigned port;
    assert_true(fd >= 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static void the_schedule_checks_a_site_reached_through_the_options(void **state)
{
    struct world *w = *state;
    char path[256], text[256];
    struct hub_server_opts o = {.site_interval = 24};
    struct hub_site_worker *k = NULL;
    struct kk_diag d = {.msg = ""};
    unsigned port = closed_port();
    snprintf(path, sizeof path, "%s/site.conf", w->t.dir);
    /* Both live websites are reached through the options' resolve entries
     * on loopback, where nothing listens: with a resolver of its own the
     * hub checks reserved names too, and nothing leaves the machine. */
    snprintf(text, sizeof text,
             "resolve = news.example:%u:127.0.0.1 other.example:%u:127.0.0.1\n"
             "https-port = %u\nhttp-port = %u\ntimeout = 2\nno-mail = yes\n",
             port, port, port, port);
    write_file(path, text);
    o.site_options = path;
    assert_int_equal(hub_site_worker_start(w->t.db, &o, &k, &d), KK_OK);
    hub_site_worker_kick();
    assert_int_equal(wait_for(w,
                              "SELECT count(*) FROM site_checks WHERE "
                              "trigger = 'schedule' AND status = 'failed'",
                              2),
                     2);
    hub_site_worker_stop(k);
    /* Each live website once; the archived one never. */
    assert_int_equal(hub_test_count(w->t.raw,
                                    "SELECT count(*) FROM site_checks WHERE "
                                    "website_id = 1014"),
                     0);
    assert_int_equal(hub_test_count(w->t.raw,
                                    "SELECT count(DISTINCT website_id) FROM "
                                    "site_checks"),
                     2);
    assert_int_equal(hub_test_count(w->t.raw,
                                    "SELECT count(*) FROM site_checks WHERE "
                                    "failure IN ('unreachable', 'timeout', "
                                    "'blocked')"),
                     2);
    unlink(path);
}

static void a_broken_options_file_stops_the_start(void **state)
{
    struct world *w = *state;
    char path[256];
    struct hub_server_opts o = {.site_interval = 24};
    struct hub_site_worker *k = NULL;
    struct kk_diag d = {.msg = ""};
    snprintf(path, sizeof path, "%s/site.conf", w->t.dir);
    write_file(path, "http-port = eighty\n");
    o.site_options = path;
    assert_int_not_equal(hub_site_worker_start(w->t.db, &o, &k, &d), KK_OK);
    assert_null(k);
    assert_non_null(strstr(d.msg, "--site-options"));
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grades_rank_from_f_to_a_plus),
        cmocka_unit_test(findings_map_to_observations_of_the_website_controls),
        cmocka_unit_test(an_observation_names_the_findings_that_decided_it),
        cmocka_unit_test(results_refuse_unknown_ids_and_keep_evidence_clean),
        cmocka_unit_test(the_difference_lists_new_and_fixed_findings),
        cmocka_unit_test(reminders_follow_their_rules),
        cmocka_unit_test(hosts_are_read_from_urls_and_reserved_names_known),
        cmocka_unit_test(
            an_uploaded_report_takes_severities_from_the_catalogue),
        cmocka_unit_test(a_rewritten_report_reads_back_the_same),
        cmocka_unit_test(a_failed_report_is_kept_with_its_reason),
        cmocka_unit_test(bad_reports_are_refused_with_a_reason),
        cmocka_unit_test(the_options_file_is_read_and_refused_by_line),
        cmocka_unit_test_setup_teardown(
            an_outlets_server_sends_a_report_that_is_kept_sealed, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            the_page_shows_the_report_and_the_difference, setup, teardown),
        cmocka_unit_test_setup_teardown(
            check_now_queues_once_and_never_for_an_archived_site, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            reminders_come_from_the_latest_checks_in_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(
            the_thread_fails_a_reserved_name_without_looking_it_up, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            the_schedule_checks_a_site_reached_through_the_options, setup,
            teardown),
        cmocka_unit_test_setup_teardown(a_broken_options_file_stops_the_start,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
