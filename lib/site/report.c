/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report.c - the result of one check: findings with their evidence, the
 * ids that passed, the grade, and the accessors of site.h.
 *
 * Findings are few (at most one per catalogue id: a second sighting
 * appends evidence), so arrays grown by doubling and a final sort are all
 * the structure this needs.
 */
#include <stdlib.h>
#include <string.h>

#include "site_int.h"

struct site_report *site_report_new(void)
{
    struct site_report *r = calloc(1, sizeof *r);
    if (r != NULL) {
        for (size_t a = 0; a < SITE_AREA_COUNT; a++) {
            r->area_score[a] = -1;
        }
    }
    return r;
}

void site_report_free(struct site_report *r)
{
    if (r == NULL) {
        return;
    }
    for (size_t i = 0; i < r->n_res; i++) {
        free((char *)r->res[i].evidence);
    }
    free(r->res);
    for (size_t i = 0; i < r->n_passed; i++) {
        free(r->passed[i]);
    }
    free(r->passed);
    free(r);
}

static char *dup_cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max) {
        n = max;
        /* Do not cut a UTF-8 sequence in half. */
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) {
            n--;
        }
    }
    char *p = malloc(n + 1);
    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

int site_report_add(struct site_report *r, const char *id, const char *evidence)
{
    const struct site_finding_def *def = site_finding_find(id);
    if (r == NULL || def == NULL) {
        return KK_ERR_INVAL;
    }
    if (evidence == NULL) {
        evidence = "";
    }
    for (size_t i = 0; i < r->n_res; i++) {
        if (strcmp(r->res[i].id, def->id) != 0) {
            continue;
        }
        const char *old = r->res[i].evidence;
        size_t lo = strlen(old);
        size_t le = strlen(evidence);
        if (le == 0 || strstr(old, evidence) != NULL ||
            lo + 2 + le > KK_SITE_EVIDENCE_MAX) {
            return KK_OK;
        }
        char *joined = malloc(lo + 2 + le + 1);
        if (joined == NULL) {
            return KK_ERR_NOMEM;
        }
        memcpy(joined, old, lo);
        if (lo > 0) {
            memcpy(joined + lo, "; ", 2);
            lo += 2;
        }
        memcpy(joined + lo, evidence, le + 1);
        free((char *)old);
        r->res[i].evidence = joined;
        return KK_OK;
    }
    if (r->n_res == r->cap_res) {
        size_t cap = r->cap_res == 0 ? 16 : r->cap_res * 2;
        struct site_result *p = realloc(r->res, cap * sizeof *p);
        if (p == NULL) {
            return KK_ERR_NOMEM;
        }
        r->res = p;
        r->cap_res = cap;
    }
    char *ev = dup_cut(evidence, KK_SITE_EVIDENCE_MAX);
    if (ev == NULL) {
        return KK_ERR_NOMEM;
    }
    r->res[r->n_res].id = def->id;
    r->res[r->n_res].sev = def->sev;
    r->res[r->n_res].area = def->area;
    r->res[r->n_res].evidence = ev;
    r->n_res++;
    return KK_OK;
}

int site_report_pass(struct site_report *r, const char *id)
{
    const struct site_finding_def *def = site_finding_find(id);
    if (r == NULL || def == NULL) {
        return KK_ERR_INVAL;
    }
    for (size_t i = 0; i < r->n_passed; i++) {
        if (strcmp(r->passed[i], id) == 0) {
            return KK_OK;
        }
    }
    if (r->n_passed == r->cap_passed) {
        size_t cap = r->cap_passed == 0 ? 32 : r->cap_passed * 2;
        char **p = realloc(r->passed, cap * sizeof *p);
        if (p == NULL) {
            return KK_ERR_NOMEM;
        }
        r->passed = p;
        r->cap_passed = cap;
    }
    r->passed[r->n_passed] = strdup(def->id);
    if (r->passed[r->n_passed] == NULL) {
        return KK_ERR_NOMEM;
    }
    r->n_passed++;
    return KK_OK;
}

static int cmp_res(const void *a, const void *b)
{
    const struct site_result *x = a;
    const struct site_result *y = b;
    if (x->sev != y->sev) {
        return x->sev > y->sev ? -1 : 1;
    }
    return strcmp(x->id, y->id);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void site_report_sort(struct site_report *r)
{
    size_t keep = 0;
    for (size_t i = 0; i < r->n_passed; i++) {
        bool found = false;
        for (size_t j = 0; j < r->n_res; j++) {
            if (strcmp(r->res[j].id, r->passed[i]) == 0) {
                found = true;
            }
        }
        if (found) {
            free(r->passed[i]);
        } else {
            r->passed[keep++] = r->passed[i];
        }
    }
    r->n_passed = keep;
    if (r->n_res > 1) {
        qsort(r->res, r->n_res, sizeof r->res[0], cmp_res);
    }
    if (r->n_passed > 1) {
        qsort(r->passed, r->n_passed, sizeof r->passed[0], cmp_str);
    }
}

const char *site_report_failure(const struct site_report *r)
{
    return r->failure[0] != '\0' ? r->failure : NULL;
}

const char *site_report_failure_detail(const struct site_report *r)
{
    return r->failure_detail;
}

const char *site_report_host(const struct site_report *r)
{
    return r->host;
}

const char *site_report_url(const struct site_report *r)
{
    return r->url;
}

int64_t site_report_checked_at(const struct site_report *r)
{
    return r->checked_at;
}

int64_t site_report_elapsed_ms(const struct site_report *r)
{
    return r->elapsed_ms;
}

unsigned site_report_requests(const struct site_report *r)
{
    return r->requests;
}

unsigned site_report_handshakes(const struct site_report *r)
{
    return r->handshakes;
}

int64_t site_report_cert_expiry(const struct site_report *r)
{
    return r->cert_expiry;
}

size_t site_report_count(const struct site_report *r)
{
    return r->n_res;
}

const struct site_result *site_report_at(const struct site_report *r, size_t i)
{
    return i < r->n_res ? &r->res[i] : NULL;
}

size_t site_report_passed_count(const struct site_report *r)
{
    return r->n_passed;
}

const char *site_report_passed_at(const struct site_report *r, size_t i)
{
    return i < r->n_passed ? r->passed[i] : NULL;
}

int site_report_worst(const struct site_report *r)
{
    int worst = -1;
    for (size_t i = 0; i < r->n_res; i++) {
        if ((int)r->res[i].sev > worst) {
            worst = (int)r->res[i].sev;
        }
    }
    return worst;
}

const char *site_report_grade(const struct site_report *r)
{
    return r->grade;
}

int site_report_score(const struct site_report *r)
{
    return r->score;
}

int site_report_area_score(const struct site_report *r, enum site_area a)
{
    return (unsigned)a < SITE_AREA_COUNT ? r->area_score[a] : -1;
}

size_t site_report_cap_count(const struct site_report *r)
{
    return r->n_caps;
}

const char *site_report_cap_id(const struct site_report *r, size_t i)
{
    return i < r->n_caps ? r->caps[i].id : NULL;
}

const char *site_report_cap_grade(const struct site_report *r, size_t i)
{
    return i < r->n_caps ? r->caps[i].grade : NULL;
}

const char *site_report_best_fix(const struct site_report *r)
{
    return r->best_fix;
}

int site_grade_findings(const struct site_result *found, size_t n,
                        const char *const *passed, size_t n_passed,
                        const bool checked[SITE_AREA_COUNT],
                        struct site_report **out)
{
    int rc = KK_OK;
    struct site_report *r = site_report_new();
    if (r == NULL) {
        return KK_ERR_NOMEM;
    }
    for (size_t i = 0; i < n && rc == KK_OK; i++) {
        rc = site_report_add(r, found[i].id, found[i].evidence);
    }
    for (size_t i = 0; i < n_passed && rc == KK_OK; i++) {
        rc = site_report_pass(r, passed[i]);
    }
    if (rc != KK_OK) {
        goto out;
    }
    for (size_t a = 0; a < SITE_AREA_COUNT; a++) {
        r->area_checked[a] = checked[a];
    }
    site_report_sort(r);
    site_grade(r);
    *out = r;
    r = NULL;
out:
    site_report_free(r);
    return rc;
}
