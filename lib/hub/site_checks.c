/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * site_checks.c - the website checks' model in the hub: the result of one
 * check as it is stored, the rules that turn its findings into
 * observations of the website controls, the difference between two
 * checks, the rules of the reminders, and the binding of a result to the
 * statements that store it.
 *
 * The rules are pure functions over finding ids, so the unit tests check
 * them without a database or a network, and the pages, the API, the
 * e-mail and the thread that runs checks all apply the same ones.  The
 * trade-off: a control is judged from what the outside of a site shows,
 * so an observation made here is never stronger than what the checker
 * can see (a login rate limit, for one, is invisible: WEB-05 is at best
 * "pass" for what xmlrpc and user enumeration tell).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seal.h"
#include "site_hub.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define DAY INT64_C(86400)
#define REPORT_MAX (2 * 1024 * 1024)
#define PASSED_MAX (16 * 1024)

/* --- names --- */

int hub_site_grade_rank(const char *grade)
{
    static const char *const grades[] = {"F", "D", "C", "B", "A-", "A", "A+"};
    int rank = 0;
    for (size_t i = 0; grade != NULL && rank == 0 && i < NELEM(grades); i++) {
        if (strcmp(grade, grades[i]) == 0)
            rank = (int)i + 1;
    }
    return rank;
}

int hub_site_sev_from_name(const char *name)
{
    int found = -1;
    for (int s = SITE_SEV_INFO;
         name != NULL && found < 0 && s <= SITE_SEV_CRITICAL; s++) {
        if (strcmp(site_sev_name((enum site_sev)s), name) == 0)
            found = s;
    }
    return found;
}

int hub_site_area_from_name(const char *name)
{
    int found = -1;
    for (int a = 0; name != NULL && found < 0 && a < SITE_AREA_COUNT; a++) {
        if (strcmp(site_area_name((enum site_area)a), name) == 0)
            found = a;
    }
    return found;
}

/* --- a result --- */

int hub_site_result_init(struct hub_site_result *res)
{
    int err;
    memset(res, 0, sizeof *res);
    for (int a = 0; a < SITE_AREA_COUNT; a++)
        res->area[a] = -1;
    res->score = -1;
    res->passed = kk_buf_new(PASSED_MAX);
    res->report = kk_buf_new(REPORT_MAX);
    err = res->passed != NULL && res->report != NULL ? KK_OK : KK_ERR_NOMEM;
    if (err != KK_OK)
        hub_site_result_clear(res);
    return err;
}

void hub_site_result_clear(struct hub_site_result *res)
{
    for (size_t i = 0; i < res->n_items; i++)
        free(res->items[i].evidence);
    free(res->items);
    kk_buf_free(res->passed);
    kk_buf_free(res->report);
    memset(res, 0, sizeof *res);
    for (int a = 0; a < SITE_AREA_COUNT; a++)
        res->area[a] = -1;
    res->score = -1;
}

int hub_site_result_add(struct hub_site_result *res, const char *id,
                        const char *evidence)
{
    const struct site_finding_def *def = site_finding_find(id);
    struct hub_site_item *it;
    size_t n;
    int err = KK_OK;
    if (def == NULL || strlen(id) >= HUB_SITE_ID_MAX)
        err = KK_ERR_INVAL;
    for (size_t i = 0; i < res->n_items && err == KK_OK; i++) {
        if (strcmp(res->items[i].id, id) == 0)
            err = KK_ERR_EXISTS;
    }
    if (err == KK_OK && res->n_items >= HUB_SITE_FINDINGS_MAX)
        err = KK_ERR_LIMIT;
    if (err == KK_OK && res->items == NULL) {
        res->items = calloc(HUB_SITE_FINDINGS_MAX, sizeof *res->items);
        if (res->items == NULL)
            err = KK_ERR_NOMEM;
    }
    if (err != KK_OK)
        goto out;
    it = &res->items[res->n_items];
    memset(it, 0, sizeof *it);
    n = evidence != NULL ? strlen(evidence) : 0;
    if (n > KK_SITE_EVIDENCE_MAX)
        n = KK_SITE_EVIDENCE_MAX;
    /* Do not cut a UTF-8 sequence in two. */
    while (n > 0 && evidence[n] != '\0' &&
           ((unsigned char)evidence[n] & 0xC0) == 0x80)
        n--;
    it->evidence = malloc(n + 1);
    if (it->evidence == NULL) {
        err = KK_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)evidence[i];
        it->evidence[i] = c < 0x20 || c == 0x7F ? ' ' : (char)c;
    }
    it->evidence[n] = '\0';
    memcpy(it->id, id, strlen(id) + 1);
    it->sev = (int)def->sev;
    it->area = (int)def->area;
    res->n_items++;
out:
    return err;
}

static bool word_in(const char *list, const char *word)
{
    size_t n = strlen(word);
    const char *p = list;
    bool found = false;
    while (p != NULL && *p != '\0' && !found) {
        size_t k = strcspn(p, " ");
        found = k == n && strncmp(p, word, n) == 0;
        p += k;
        p += strspn(p, " ");
    }
    return found;
}

int hub_site_result_pass(struct hub_site_result *res, const char *id)
{
    int err = KK_OK;
    bool add = false;
    if (site_finding_find(id) == NULL)
        err = KK_ERR_INVAL;
    else
        add = !word_in(kk_buf_str(res->passed), id);
    if (add && kk_buf_len(res->passed) > 0)
        err = kk_buf_putc(res->passed, ' ');
    if (add && err == KK_OK)
        err = kk_buf_puts(res->passed, id);
    return err;
}

static void caps_append(struct hub_site_result *res, const char *id,
                        const char *grade)
{
    size_t at = strlen(res->capped_by);
    if (id != NULL && grade != NULL && site_finding_find(id) != NULL &&
        hub_site_grade_rank(grade) != 0)
        snprintf(res->capped_by + at, sizeof res->capped_by - at, "%s%s=%s",
                 at > 0 ? " " : "", id, grade);
}

int hub_site_result_from_report(struct hub_site_result *res,
                                const struct site_report *rep)
{
    const char *failure = site_report_failure(rep);
    const char *best = site_report_best_fix(rep);
    int err = KK_OK;
    res->checked_at = site_report_checked_at(rep);
    res->requests = site_report_requests(rep);
    res->handshakes = site_report_handshakes(rep);
    res->elapsed_ms = site_report_elapsed_ms(rep);
    res->cert_expiry = site_report_cert_expiry(rep);
    if (failure != NULL) {
        snprintf(res->failure, sizeof res->failure, "%s", failure);
        snprintf(res->failure_detail, sizeof res->failure_detail, "%s",
                 site_report_failure_detail(rep) != NULL
                     ? site_report_failure_detail(rep)
                     : "");
    } else {
        snprintf(res->grade, sizeof res->grade, "%s", site_report_grade(rep));
        res->score = site_report_score(rep);
        for (int a = 0; a < SITE_AREA_COUNT; a++)
            res->area[a] = site_report_area_score(rep, (enum site_area)a);
        for (size_t i = 0; i < site_report_cap_count(rep); i++)
            caps_append(res, site_report_cap_id(rep, i),
                        site_report_cap_grade(rep, i));
        if (best != NULL && site_finding_find(best) != NULL)
            snprintf(res->best_fix, sizeof res->best_fix, "%s", best);
    }
    for (size_t i = 0; i < site_report_count(rep) && err == KK_OK; i++) {
        const struct site_result *f = site_report_at(rep, i);
        err = hub_site_result_add(res, f->id, f->evidence);
        /* A finding recorded twice by the checker keeps its first
         * evidence: the checker already joins them. */
        if (err == KK_ERR_EXISTS)
            err = KK_OK;
    }
    for (size_t i = 0; i < site_report_passed_count(rep) && err == KK_OK; i++) {
        err = hub_site_result_pass(res, site_report_passed_at(rep, i));
        if (err == KK_ERR_INVAL)
            err = KK_OK;
    }
    if (err == KK_OK)
        err = site_report_json(rep, "en", res->report);
    return err;
}

int hub_site_result_regrade(struct hub_site_result *res)
{
    struct site_result *found = NULL;
    const char **passed = NULL;
    char *words = NULL;
    struct site_report *rep = NULL;
    size_t n_passed = 0;
    bool checked[SITE_AREA_COUNT];
    int err = KK_ERR_NOMEM;
    found = calloc(res->n_items + 1, sizeof *found);
    words = strdup(kk_buf_str(res->passed));
    if (found == NULL || words == NULL)
        goto out;
    passed = calloc(strlen(words) / 2 + 1, sizeof *passed);
    if (passed == NULL)
        goto out;
    for (size_t i = 0; i < res->n_items; i++) {
        found[i].id = res->items[i].id;
        found[i].evidence = res->items[i].evidence;
    }
    for (char *w = words; *w != '\0';) {
        size_t len = strcspn(w, " ");
        bool last = w[len] == '\0';
        w[len] = '\0';
        if (len > 0)
            passed[n_passed++] = w;
        w += last ? len : len + 1;
    }
    /* An area counts as checked when it has a score, a finding or a
     * passed check. */
    for (int a = 0; a < SITE_AREA_COUNT; a++)
        checked[a] = res->area[a] >= 0;
    for (size_t i = 0; i < res->n_items; i++)
        checked[res->items[i].area] = true;
    for (size_t i = 0; i < n_passed; i++) {
        const struct site_finding_def *d = site_finding_find(passed[i]);
        if (d != NULL)
            checked[d->area] = true;
    }
    err = site_grade_findings(found, res->n_items, passed, n_passed, checked,
                              &rep);
    if (err != KK_OK)
        goto out;
    /* Nothing checked, nothing to grade: not a report of a check. */
    if (site_report_grade(rep)[0] == '\0') {
        err = KK_ERR_INVAL;
        goto out;
    }
    snprintf(res->grade, sizeof res->grade, "%s", site_report_grade(rep));
    res->score = site_report_score(rep);
    for (int a = 0; a < SITE_AREA_COUNT; a++)
        res->area[a] = site_report_area_score(rep, (enum site_area)a);
    res->capped_by[0] = '\0';
    for (size_t i = 0; i < site_report_cap_count(rep); i++)
        caps_append(res, site_report_cap_id(rep, i),
                    site_report_cap_grade(rep, i));
    res->best_fix[0] = '\0';
    if (site_report_best_fix(rep) != NULL)
        snprintf(res->best_fix, sizeof res->best_fix, "%s",
                 site_report_best_fix(rep));
out:
    site_report_free(rep);
    free(passed);
    free(words);
    free(found);
    return err;
}

/* --- observations --- */

enum { EFF_NONE = 0, EFF_PARTIAL = 1, EFF_FAIL = 2 };

/* Each control, the prefixes of its finding ids, and how many findings
 * that only make it partial fail it instead (0: never). */
static const struct {
    const char *control;
    const char *prefixes[8];
    size_t fail_at;
    int most; /* the worst a finding can make it */
} controls[HUB_SITE_CONTROLS] = {
    {"WEB-01", {"tls.", "https.", "hsts."}, 2, EFF_FAIL},
    {"WEB-02",
     {"csp.", "xfo.", "xcto.", "referrer.", "cookie.", "content.", "leak."},
     4,
     EFF_FAIL},
    {"WEB-03", {"cms."}, 0, EFF_FAIL},
    {"WEB-04", {"exposed."}, 0, EFF_FAIL},
    {"WEB-05", {"wp."}, 0, EFF_PARTIAL},
    {"WEB-07", {"mail.spf.", "mail.dmarc.", "mail.dkim."}, 2, EFF_FAIL},
};

/* Findings that fail their control whatever their severity: a domain
 * without SPF or DMARC can be spoofed by anyone. */
static const char *const fails_always[] = {"mail.dmarc.missing",
                                           "mail.spf.missing"};

static int control_of(const char *id)
{
    int found = -1;
    for (int c = 0; c < HUB_SITE_CONTROLS && found < 0; c++) {
        for (size_t p = 0;
             p < NELEM(controls[c].prefixes) && controls[c].prefixes[p] != NULL;
             p++) {
            const char *pre = controls[c].prefixes[p];
            if (strncmp(id, pre, strlen(pre)) == 0)
                found = c;
        }
    }
    return found;
}

static int effect_of(const struct hub_site_item *it, int c)
{
    int e = it->sev >= SITE_SEV_HIGH  ? EFF_FAIL
            : it->sev >= SITE_SEV_LOW ? EFF_PARTIAL
                                      : EFF_NONE;
    for (size_t i = 0; i < NELEM(fails_always); i++) {
        if (strcmp(it->id, fails_always[i]) == 0)
            e = EFF_FAIL;
    }
    return e > controls[c].most ? controls[c].most : e;
}

static void note_add(char *note, size_t cap, const char *id)
{
    size_t at = strlen(note);
    if (at + strlen(id) + 3 < cap)
        snprintf(note + at, cap - at, "%s%s", at > 0 ? ", " : "", id);
}

void hub_site_obs_map(const struct hub_site_result *res,
                      struct hub_site_obs out[HUB_SITE_CONTROLS])
{
    bool ran[HUB_SITE_CONTROLS] = {false};
    int worst[HUB_SITE_CONTROLS] = {0};
    size_t partial[HUB_SITE_CONTROLS] = {0};
    const char *p = res->passed != NULL ? kk_buf_str(res->passed) : "";
    for (int c = 0; c < HUB_SITE_CONTROLS; c++) {
        out[c].control = controls[c].control;
        out[c].status = NULL;
        out[c].note[0] = '\0';
    }
    for (size_t i = 0; i < res->n_items; i++) {
        const struct hub_site_item *it = &res->items[i];
        int c = control_of(it->id), e;
        if (c < 0)
            continue;
        ran[c] = true;
        e = effect_of(it, c);
        if (e == EFF_NONE)
            continue;
        partial[c] += e == EFF_PARTIAL;
        if (e > worst[c])
            worst[c] = e;
        note_add(out[c].note, sizeof out[c].note, it->id);
    }
    while (*p != '\0') {
        char id[HUB_SITE_ID_MAX];
        size_t k = strcspn(p, " ");
        int c;
        snprintf(id, sizeof id, "%.*s", (int)(k < sizeof id ? k : 0), p);
        c = control_of(id);
        if (c >= 0)
            ran[c] = true;
        p += k;
        p += strspn(p, " ");
    }
    for (int c = 0; c < HUB_SITE_CONTROLS; c++) {
        if (!ran[c])
            continue;
        if (worst[c] == EFF_PARTIAL && controls[c].fail_at > 0 &&
            partial[c] >= controls[c].fail_at)
            worst[c] = EFF_FAIL;
        out[c].status = worst[c] == EFF_FAIL      ? "fail"
                        : worst[c] == EFF_PARTIAL ? "partial"
                                                  : "pass";
    }
}

/* --- the difference --- */

static bool listed(const char *const *v, size_t n, const char *id)
{
    bool found = false;
    for (size_t i = 0; i < n && !found; i++)
        found = strcmp(v[i], id) == 0;
    return found;
}

void hub_site_diff_make(const char *const *cur, size_t n_cur,
                        const char *cur_grade, const char *const *prev,
                        size_t n_prev, const char *prev_grade,
                        struct hub_site_diff *out)
{
    int a = hub_site_grade_rank(cur_grade), b = hub_site_grade_rank(prev_grade);
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n_cur && out->n_added < HUB_SITE_FINDINGS_MAX; i++) {
        if (!listed(prev, n_prev, cur[i]) && !listed(cur, i, cur[i]))
            out->added[out->n_added++] = cur[i];
    }
    for (size_t i = 0; i < n_prev && out->n_fixed < HUB_SITE_FINDINGS_MAX;
         i++) {
        if (!listed(cur, n_cur, prev[i]) && !listed(prev, i, prev[i]))
            out->fixed[out->n_fixed++] = prev[i];
    }
    out->grade_change = a > 0 && b > 0 ? a - b : 0;
}

/* --- the reminders' rules --- */

unsigned hub_site_alert_flags(const struct hub_site_alert_in *in, int64_t now)
{
    unsigned f = 0;
    if (in->latest_status != NULL && in->before_status != NULL &&
        strcmp(in->latest_status, "failed") == 0 &&
        strcmp(in->before_status, "failed") == 0)
        f |= HUB_SITE_ALERT_FAILED;
    if (in->latest_is_done && hub_site_grade_rank(in->before_grade) > 0 &&
        hub_site_grade_rank(in->grade) > 0 &&
        hub_site_grade_rank(in->grade) < hub_site_grade_rank(in->before_grade))
        f |= HUB_SITE_ALERT_DROP;
    if (in->latest_is_done && in->added > 0)
        f |= HUB_SITE_ALERT_NEW;
    if (in->cert_expiry > 0 && in->cert_expiry - now < HUB_SITE_CERT_DAYS * DAY)
        f |= HUB_SITE_ALERT_CERT;
    return f;
}

/* --- storing --- */

static void bind_score(sqlite3_stmt *st, const char *name, int v)
{
    if (v < 0)
        hub_bind_null(st, name);
    else
        hub_bind_i64(st, name, v);
}

int hub_site_bind_result(const struct hub_db *db, sqlite3_stmt *st, int64_t id,
                         const struct hub_site_result *res)
{
    static const char *const area_params[SITE_AREA_COUNT] = {
        ":score_tls", ":score_headers", ":score_exposure", ":score_mail",
        ":score_dns"};
    bool failed = res->failure[0] != '\0';
    const char *report =
        kk_buf_len(res->report) > 0 ? kk_buf_str(res->report) : NULL;
    hub_bind_text(st, ":status", failed ? "failed" : "done");
    hub_bind_i64(st, ":checked_at", res->checked_at);
    hub_bind_text(st, ":failure", res->failure);
    hub_bind_text(st, ":failure_detail", res->failure_detail);
    hub_bind_text(st, ":grade", failed ? "" : res->grade);
    bind_score(st, ":score", failed ? -1 : res->score);
    for (int a = 0; a < SITE_AREA_COUNT; a++)
        bind_score(st, area_params[a], failed ? -1 : res->area[a]);
    hub_bind_text(st, ":capped_by", res->capped_by);
    hub_bind_text(st, ":best_fix", res->best_fix);
    hub_bind_text(st, ":passed", kk_buf_str(res->passed));
    hub_bind_i64(st, ":requests", res->requests);
    hub_bind_i64(st, ":handshakes", res->handshakes);
    hub_bind_i64(st, ":elapsed_ms", res->elapsed_ms);
    if (res->cert_expiry > 0)
        hub_bind_i64(st, ":cert_expires_at", res->cert_expiry);
    else
        hub_bind_null(st, ":cert_expires_at");
    return hub_bind_sealed_db(db, st, ":report", "site_checks.report", id,
                              report);
}

/* --- names of hosts --- */

bool hub_site_url_host(const char *url, char *out, size_t cap)
{
    const char *p = strstr(url, "://");
    size_t n;
    bool ok = false;
    p = p != NULL ? p + 3 : url;
    /* user@host is not a website's address; take what follows the '@'. */
    n = strcspn(p, "/?#");
    if (memchr(p, '@', n) != NULL) {
        const char *at = memchr(p, '@', n);
        n -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    if (*p == '[') {
        const char *e = memchr(p, ']', n);
        n = e != NULL ? (size_t)(e - p) + 1 : n;
    } else {
        n = strcspn(p, ":/?#");
    }
    if (n > 0 && n < cap) {
        for (size_t i = 0; i < n; i++) {
            char c = p[i];
            out[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
        }
        out[n] = '\0';
        while (n > 0 && out[n - 1] == '.')
            out[--n] = '\0';
        ok = n > 0;
    }
    return ok;
}

bool hub_site_reserved_host(const char *host)
{
    static const char *const tlds[] = {"example", "invalid", "localhost",
                                       "test"};
    const char *dot = strrchr(host, '.');
    const char *last = dot != NULL ? dot + 1 : host;
    bool found = false;
    for (size_t i = 0; i < NELEM(tlds) && !found; i++)
        found = strcmp(last, tlds[i]) == 0;
    return found;
}
