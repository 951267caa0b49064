/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_dmarc.c - unit tests of the DMARC and DKIM record readers and the
 * organisational-domain rule (lib/site/dmarc.c).  Table-driven: records
 * seen in the wild, the fixture's malformed one, and the grammar's traps.
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

static void dmarc_records_are_told_from_other_texts(void **state)
{
    (void)state;
    assert_true(site_dmarc_is_record("v=DMARC1; p=reject"));
    assert_true(site_dmarc_is_record("v = DMARC1; p=none"));
    assert_true(site_dmarc_is_record("v=dmarc1; p=none"));
    assert_true(site_dmarc_is_record("v=DMARC1 p=reject"));
    assert_false(site_dmarc_is_record("v=spf1 -all"));
    assert_false(site_dmarc_is_record("p=reject; v=DMARC1"));
    assert_true(site_dmarc_is_record(" \tv=DMARC1; p=reject"));
    assert_false(site_dmarc_is_record("v=DMARC"));
    assert_false(site_dmarc_is_record(""));
    assert_false(site_dmarc_is_record(NULL));
}

static const struct {
    const char *rec;
    bool valid;
    enum site_dmarc_policy p;
    enum site_dmarc_policy sp;
    unsigned pct;
    bool rua;
    const char *why; /* a substring of the reason when invalid */
} rows[] = {
    {"v=DMARC1; p=reject", true, SITE_DMARC_REJECT, SITE_DMARC_UNSET, 100,
     false, NULL},
    {"\t v=DMARC1; p=reject", true, SITE_DMARC_REJECT, SITE_DMARC_UNSET, 100,
     false, NULL},
    {"v=DMARC1; p=reject;", true, SITE_DMARC_REJECT, SITE_DMARC_UNSET, 100,
     false, NULL},
    {"v=DMARC1;p=none;rua=mailto:d@example.org", true, SITE_DMARC_NONE,
     SITE_DMARC_UNSET, 100, true, NULL},
    {"v=DMARC1; p=quarantine; sp=none; pct=20; adkim=s; aspf=r", true,
     SITE_DMARC_QUARANTINE, SITE_DMARC_NONE, 20, false, NULL},
    {"v=DMARC1 ; p = Reject ; rua=mailto:a@x.org,mailto:b@y.org!10m", true,
     SITE_DMARC_REJECT, SITE_DMARC_UNSET, 100, true, NULL},
    {"v=DMARC1; p=reject; ; fo=1:d:s; ri=86400; rf=afrf", true,
     SITE_DMARC_REJECT, SITE_DMARC_UNSET, 100, false, NULL},
    {"v=DMARC1; p=reject; np=reject; psd=n; future_tag=whatever", true,
     SITE_DMARC_REJECT, SITE_DMARC_UNSET, 100, false, NULL},
    {"v=DMARC1;\tp=reject;\r\n rua=mailto:d@example.org", true,
     SITE_DMARC_REJECT, SITE_DMARC_UNSET, 100, true, NULL},
    {"v=DMARC1; p=reject; pct=0", true, SITE_DMARC_REJECT, SITE_DMARC_UNSET, 0,
     false, NULL},
    /* errors */
    {"v=DMARC1 p=reject", false, 0, 0, 0, false, "no ';' after v=DMARC1"},
    {"v=dmarc1; p=reject", false, 0, 0, 0, false, "written DMARC1"},
    {"v=DMARC2; p=reject", false, 0, 0, 0, false, "not v=DMARC1"},
    {"p=reject; v=DMARC1", false, 0, 0, 0, false, "not v=DMARC1"},
    {";v=DMARC1; p=reject", false, 0, 0, 0, false, "not v=DMARC1"},
    {"v=DMARC1", false, 0, 0, 0, false, "no p= policy"},
    {"v=DMARC1; rua=mailto:d@example.org", false, 0, 0, 0, false,
     "no p= policy"},
    {"v=DMARC1; p=block", false, 0, 0, 0, false, "unknown policy 'p=block'"},
    {"v=DMARC1; p=", false, 0, 0, 0, false, "unknown policy"},
    {"v=DMARC1; p=reject; sp=maybe", false, 0, 0, 0, false,
     "unknown policy 'sp=maybe'"},
    {"v=DMARC1; p=reject; p=none", false, 0, 0, 0, false,
     "the tag p appears twice"},
    {"v=DMARC1; p=reject; v=DMARC1", false, 0, 0, 0, false,
     "v= is not the first tag"},
    {"v=DMARC1; p=reject; pct=101", false, 0, 0, 0, false, "pct"},
    {"v=DMARC1; p=reject; pct=-1", false, 0, 0, 0, false, "pct"},
    {"v=DMARC1; p=reject; adkim=x", false, 0, 0, 0, false, "alignment"},
    {"v=DMARC1; p=reject; rua=d@example.org", false, 0, 0, 0, false,
     "bad report address"},
    {"v=DMARC1; p=reject; rua=mailto:", false, 0, 0, 0, false,
     "bad report address"},
    {"v=DMARC1; p=reject; ruf=mailto:a@x.org,", false, 0, 0, 0, false,
     "bad report address"},
    {"v=DMARC1; p=reject; ri=soon", false, 0, 0, 0, false, "ri"},
    {"v=DMARC1; p=reject; fo=2", false, 0, 0, 0, false, "fo"},
    {"v=DMARC1; p=reject; fo=1:", false, 0, 0, 0, false, "fo"},
    {"v=DMARC1; p=reject; =x", false, 0, 0, 0, false, "bad tag"},
    {"v=DMARC1; p=reject; rua", false, 0, 0, 0, false, "no '='"},
    {"v=DMARC1; p=reject; x=\x01", false, 0, 0, 0, false, "bad byte"},
    {"", false, 0, 0, 0, false, "not v=DMARC1"},
};

static void dmarc_records_follow_rfc_7489(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(rows); i++) {
        struct site_dmarc d;
        char why[SITE_SPF_WHY_MAX] = "";
        int rc = site_dmarc_parse(rows[i].rec, &d, why, sizeof why);
        if ((rc == KK_OK) != rows[i].valid) {
            fail_msg("row %zu '%s': rc %d (%s)", i, rows[i].rec, rc, why);
        }
        if (!rows[i].valid) {
            if (strstr(why, rows[i].why) == NULL) {
                fail_msg("row %zu '%s': reason '%s', want '%s'", i, rows[i].rec,
                         why, rows[i].why);
            }
            continue;
        }
        if (d.p != rows[i].p || d.sp != rows[i].sp || d.pct != rows[i].pct ||
            d.rua != rows[i].rua) {
            fail_msg("row %zu '%s': p %d sp %d pct %u rua %d", i, rows[i].rec,
                     d.p, d.sp, d.pct, d.rua);
        }
    }
}

static void dmarc_reason_is_printable_and_short(void **state)
{
    struct site_dmarc d;
    char why[SITE_SPF_WHY_MAX];
    char rec[400];

    (void)state;
    snprintf(rec, sizeof rec, "v=DMARC1; p=%0300d\x7f", 1);
    assert_int_equal(site_dmarc_parse(rec, &d, why, sizeof why), KK_ERR_INVAL);
    assert_true(strlen(why) < 80);
    for (const char *p = why; *p != '\0'; p++) {
        assert_true(*p >= 0x20 && *p < 0x7f);
    }
    assert_int_equal(site_dmarc_parse(NULL, &d, why, sizeof why), KK_ERR_INVAL);
}

static const struct {
    const char *rec;
    bool key;
} dkim_rows[] = {
    {"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", true},
    {"k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC", true},
    {"v=DKIM1; p= MIGf MA0G ", true},
    {"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
     true},
    {"v=DKIM1; k=rsa; p=", false}, /* revoked */
    {"v=DKIM1; k=rsa; p= ;", false},
    {"v=DKIM1; k=rsa", false},
    {"v=spf1 -all", false},
    {"p", false},
    {"", false},
};

static void dkim_key_needs_a_non_empty_p_tag(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(dkim_rows); i++) {
        if (site_dkim_has_key(dkim_rows[i].rec) != dkim_rows[i].key) {
            fail_msg("row %zu '%s'", i, dkim_rows[i].rec);
        }
    }
    assert_false(site_dkim_has_key(NULL));
}

static const struct {
    const char *host;
    const char *org;
} org_rows[] = {
    {"example.com", "example.com"},
    {"www.example.com", "example.com"},
    {"a.b.c.example.com", "example.com"},
    {"news.kg", "news.kg"},
    {"www.news.kg", "news.kg"},
    {"akipress.com.kg", "akipress.com.kg"},
    {"www.akipress.com.kg", "akipress.com.kg"},
    {"mail.outlet.org.kg", "outlet.org.kg"},
    {"bbc.co.uk", "bbc.co.uk"},
    {"www.bbc.co.uk", "bbc.co.uk"},
    {"WWW.Example.COM.", "example.com"},
    {"good.kalkan.test", "kalkan.test"},
    {"kalkan.test", "kalkan.test"},
    {"com.kg", "com.kg"},
    {"localhost", "localhost"},
    {"x.com.kz", "x.com.kz"},
};

static void
organisational_domain_is_two_labels_or_three_under_a_known_suffix(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS(org_rows); i++) {
        char out[KK_SITE_HOST_MAX + 1];
        assert_int_equal(site_org_domain(org_rows[i].host, out, sizeof out),
                         KK_OK);
        if (strcmp(out, org_rows[i].org) != 0) {
            fail_msg("row %zu '%s': '%s', want '%s'", i, org_rows[i].host, out,
                     org_rows[i].org);
        }
    }
}

static void organisational_domain_refuses_empty_and_short_buffers(void **state)
{
    char out[8] = "keep";

    (void)state;
    assert_int_equal(site_org_domain("", out, sizeof out), KK_ERR_INVAL);
    assert_int_equal(site_org_domain(".", out, sizeof out), KK_ERR_INVAL);
    assert_int_equal(site_org_domain(NULL, out, sizeof out), KK_ERR_INVAL);
    assert_int_equal(site_org_domain("www.example.com", out, sizeof out),
                     KK_ERR_TRUNC);
    assert_string_equal(out, "keep");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dmarc_records_are_told_from_other_texts),
        cmocka_unit_test(dmarc_records_follow_rfc_7489),
        cmocka_unit_test(dmarc_reason_is_printable_and_short),
        cmocka_unit_test(dkim_key_needs_a_non_empty_p_tag),
        cmocka_unit_test(
            organisational_domain_is_two_labels_or_three_under_a_known_suffix),
        cmocka_unit_test(organisational_domain_refuses_empty_and_short_buffers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
