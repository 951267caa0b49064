/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * grade.c - turns the findings of a check into per-area scores, an
 * overall score, a grade A+ to F, the caps that lowered it and the one fix
 * that raises it most (docs/site-grading.md).
 *
 * Two numbers answer two questions.  The score (a weighted mean of the
 * areas, each 100 minus a penalty per finding) says how much is wrong, so
 * fixes move it and the hub's history shows progress.  The grade is
 * the score's band lowered by caps, so it also says how bad the worst
 * thing is: one exposed .env file makes a site F however tidy its
 * headers.  Caps lower only the grade, never an area's score, and every
 * cap is recorded, so the grade always says what held it down.
 *
 * The best fix is found by grading again without each finding in turn:
 * the one whose removal gives the highest grade; of those, the worst
 * finding, then the one that raises the score most (counted before areas
 * are floored at 0, so a fix in an area already at 0 still counts):
 * O(n^2) over at most a few dozen findings, which is nothing beside one
 * network round trip, and it can never disagree with the grading itself.
 */
#include <stdint.h>
#include <string.h>

#include "site_int.h"

/* Grades from worst to best; a grade's rank is its index. */
static const char *const grade_names[] = {"F", "D", "C", "B", "A-", "A", "A+"};
enum {
    RANK_F = 0,
    RANK_D = 1,
    RANK_C = 2,
    RANK_B = 3,
    RANK_AMINUS = 4,
    RANK_A = 5,
    RANK_APLUS = 6,
    RANK_NONE = 7, /* no cap */
};

/* The lowest score of each band from D upwards: below 35 is F. */
static const int band_min[] = {0, 35, 50, 65, 80, 90};

/* Points an area loses per finding of each severity (info loses none). */
static const int penalty[] = {0, 5, 15, 30, 50};

/* Weight of each area in the overall score, in the order of enum
 * site_area: tls, headers, exposure, mail, dns. */
static const int weight[SITE_AREA_COUNT] = {30, 25, 20, 15, 10};

/* The cap of each severity: critical F, high C, medium B; low and info
 * none. */
static const int sev_cap[] = {RANK_NONE, RANK_NONE, RANK_B, RANK_C, RANK_F};

/* Findings capped lower than their severity says: each keeps visitors
 * from reaching the site safely (a full-page browser warning, no HTTPS at
 * all, a name that validating resolvers refuse to resolve). */
static const struct {
    const char *id;
    int cap;
} cap_override[] = {
    {"dnssec.bogus", RANK_F},
    {"https.missing", RANK_F},
    {"tls.cert.hostname", RANK_F},
    {"tls.cert.untrusted", RANK_F},
};

/* The passed checks A+ needs: HTTPS is enforced with HSTS of at least
 * six months. */
static const char *const aplus_needs[] = {"hsts.missing", "hsts.short"};

struct eval {
    int rank; /* -1: not graded */
    int score;
    int area[SITE_AREA_COUNT];
    /* The weighted sum of the area scores before they are floored at 0,
     * so removing a finding from an area already at 0 still counts. */
    long raw;
};

static int cap_of(const struct site_result *f)
{
    int cap = sev_cap[(unsigned)f->sev <= SITE_SEV_CRITICAL ? f->sev : 0];
    for (size_t i = 0; i < sizeof cap_override / sizeof cap_override[0]; i++) {
        if (strcmp(f->id, cap_override[i].id) == 0) {
            cap = cap_override[i].cap;
        }
    }
    return cap;
}

static bool passed(const struct site_report *r, const char *id)
{
    bool found = false;
    for (size_t i = 0; i < r->n_passed && !found; i++) {
        found = strcmp(r->passed[i], id) == 0;
    }
    return found;
}

static int band_of(int score)
{
    int rank = RANK_F;
    for (int b = RANK_D; b <= RANK_A; b++) {
        if (score >= band_min[b]) {
            rank = b;
        }
    }
    return rank;
}

/* Grades r as if finding skip (SIZE_MAX: none) had not been found. */
static void evaluate(const struct site_report *r, size_t skip, struct eval *ev)
{
    bool scored[SITE_AREA_COUNT];
    int sum = 0;
    int total = 0;
    int rank = RANK_NONE;
    bool above_info = false;
    bool no_https = false;

    for (size_t a = 0; a < SITE_AREA_COUNT; a++) {
        scored[a] = r->area_checked[a];
        ev->area[a] = 100;
    }
    for (size_t i = 0; i < r->n_res; i++) {
        const struct site_result *f = &r->res[i];
        if (i == skip) {
            continue;
        }
        unsigned sev = (unsigned)f->sev <= SITE_SEV_CRITICAL ? f->sev : 0;
        if ((unsigned)f->area < SITE_AREA_COUNT) {
            ev->area[f->area] -= penalty[sev];
        }
        if (sev > SITE_SEV_INFO) {
            above_info = true;
        }
        int cap = cap_of(f);
        if (cap < rank) {
            rank = cap;
        }
        if (strcmp(f->id, "https.missing") == 0) {
            no_https = true;
        }
    }
    if (no_https) {
        /* No HTTPS at all: the TLS area is the worst it can be, not
         * "unchecked". */
        scored[SITE_AREA_TLS] = true;
        ev->area[SITE_AREA_TLS] = 0;
    }
    ev->raw = 0;
    for (size_t a = 0; a < SITE_AREA_COUNT; a++) {
        if (!scored[a]) {
            ev->area[a] = -1;
            continue;
        }
        ev->raw += (long)weight[a] * ev->area[a];
        if (ev->area[a] < 0) {
            ev->area[a] = 0;
        }
        sum += weight[a] * ev->area[a];
        total += weight[a];
    }
    if (total == 0) {
        ev->rank = -1;
        ev->score = 0;
        return;
    }
    ev->score = (sum + total / 2) / total;
    int band = band_of(ev->score);
    if (band == RANK_A && !above_info) {
        bool hsts = r->area_checked[SITE_AREA_HEADERS];
        for (size_t k = 0; k < sizeof aplus_needs / sizeof aplus_needs[0];
             k++) {
            hsts = hsts && passed(r, aplus_needs[k]);
        }
        if (hsts) {
            band = RANK_APLUS;
        }
    }
    ev->rank = rank < band ? rank : band;
}

static void record_caps(struct site_report *r, int band)
{
    /* Worst cap first, then by id: findings are already sorted by
     * severity, so sort the few caps by (grade, id) here. */
    for (int cap = RANK_F; cap < band; cap++) {
        for (size_t i = 0; i < r->n_res && r->n_caps < SITE_CAPS_MAX; i++) {
            size_t at = r->n_caps;
            if (cap_of(&r->res[i]) != cap) {
                continue;
            }
            while (at > 0 &&
                   strcmp(grade_names[cap], r->caps[at - 1].grade) == 0 &&
                   strcmp(r->res[i].id, r->caps[at - 1].id) < 0) {
                r->caps[at] = r->caps[at - 1];
                at--;
            }
            r->caps[at].id = r->res[i].id;
            memcpy(r->caps[at].grade, grade_names[cap],
                   strlen(grade_names[cap]) + 1);
            r->n_caps++;
        }
    }
}

void site_grade(struct site_report *r)
{
    struct eval now;
    struct eval best = {0, 0, {0}, 0};
    const struct site_result *best_f = NULL;

    r->grade[0] = '\0';
    r->score = 0;
    r->n_caps = 0;
    r->best_fix = NULL;
    evaluate(r, SIZE_MAX, &now);
    memcpy(r->area_score, now.area, sizeof r->area_score);
    if (now.rank < 0) {
        return;
    }
    r->score = now.score;
    memcpy(r->grade, grade_names[now.rank], strlen(grade_names[now.rank]) + 1);
    /* A cap below the score's own band is one that lowered the grade. */
    record_caps(r, band_of(now.score));
    for (size_t i = 0; i < r->n_res; i++) {
        const struct site_result *f = &r->res[i];
        struct eval without;
        if (f->sev == SITE_SEV_INFO) {
            continue; /* info never lowers anything */
        }
        evaluate(r, i, &without);
        /* The highest grade; of equal grades the worst finding, then the
         * highest score, then the first id. */
        bool take = best_f == NULL || without.rank > best.rank;
        if (!take && without.rank == best.rank) {
            take =
                f->sev > best_f->sev ||
                (f->sev == best_f->sev &&
                 (without.raw > best.raw ||
                  (without.raw == best.raw && strcmp(f->id, best_f->id) < 0)));
        }
        if (take) {
            best = without;
            best_f = f;
        }
    }
    r->best_fix = best_f != NULL ? best_f->id : NULL;
}
