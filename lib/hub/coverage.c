/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * coverage.c - counting 2FA and device coverage for pages, the API, charts
 * and donor reports (the rules are in coverage.h and docs/hub-coverage.md).
 *
 * The input is plain arrays in any order.  Matching every account against
 * every person and every admin row would be O(n * m), which a
 * programme-wide report over ten thousand accounts would feel, so the
 * function sorts small copies of the keys and joins them by binary search:
 * O(n log n) time and O(n) extra memory in five allocations, paid on every
 * call.  The input is never modified and nothing is kept between calls.
 *
 * Each account owner is reduced to two bit masks over platforms: those on
 * which they have an account, and those on which one of their accounts is
 * not strong.  Every person and admin rule is a test on those two masks.
 * Data the rules cannot use is counted where it can be and ignored
 * elsewhere: an account without owner (person_id 0) counts in the account
 * totals only; an admin row naming no person, an account that is not in
 * the input or a personal account is ignored; a repeated person id or
 * admin row counts once.  A 2FA value outside enum hub_tfa counts as
 * unknown, a platform outside enum hub_platform as a platform of its own.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "coverage.h"
#include "model.h"

/* A personal account reduced to what the person rules need. */
struct own_acc {
    int64_t person;
    uint32_t bit;
    bool strong;
};

/* Everything one owner's personal accounts say. */
struct owner {
    int64_t person;
    uint32_t has;  /* platforms with at least one account */
    uint32_t weak; /* platforms with an account that is not strong */
};

/* The distinct admins of one account id. */
struct admin_group {
    int64_t account;
    size_t n;        /* distinct admins */
    uint32_t strong; /* platforms on which every one of them is strong */
};

/* Bit of a platform in the owner masks; bit 0 stands for every value
 * outside enum hub_platform. */
static uint32_t pf_bit(int pf)
{
    if (pf < 1 || pf > HUB_PF_COUNT)
        return 1u;
    return 1u << pf;
}

static int cmp_i64(int64_t a, int64_t b)
{
    return (a > b) - (a < b);
}

static int cmp_id(const void *a, const void *b)
{
    return cmp_i64(*(const int64_t *)a, *(const int64_t *)b);
}

static int cmp_own_acc(const void *a, const void *b)
{
    const struct own_acc *x = a;
    const struct own_acc *y = b;

    return cmp_i64(x->person, y->person);
}

static int cmp_admin(const void *a, const void *b)
{
    const struct hub_cov_admin *x = a;
    const struct hub_cov_admin *y = b;
    int c = cmp_i64(x->account_id, y->account_id);

    if (c == 0)
        c = cmp_i64(x->person_id, y->person_id);
    return c;
}

/* bsearch comparators: the key is an int64_t id. */
static int find_owner(const void *key, const void *elem)
{
    const struct owner *o = elem;

    return cmp_i64(*(const int64_t *)key, o->person);
}

static int find_group(const void *key, const void *elem)
{
    const struct admin_group *g = elem;

    return cmp_i64(*(const int64_t *)key, g->account);
}

/* n elements of size bytes (at least one element, so that malloc(0) never
 * makes an empty input look like a failure); NULL on overflow or no
 * memory. */
static void *alloc_array(size_t n, size_t size)
{
    size_t bytes;

    if (kk_size_mul(n == 0 ? 1 : n, size, &bytes) != KK_OK)
        return NULL;
    return malloc(bytes);
}

static bool input_ok(const struct hub_cov_input *in)
{
    return (in->people != NULL || in->n_people == 0) &&
           (in->accounts != NULL || in->n_accounts == 0) &&
           (in->admins != NULL || in->n_admins == 0) &&
           (in->devices != NULL || in->n_devices == 0);
}

/* Account totals by 2FA state and the number of organisational ones. */
static void count_accounts(const struct hub_cov_input *in,
                           struct hub_coverage *c)
{
    for (size_t i = 0; i < in->n_accounts; i++) {
        const struct hub_cov_account *a = &in->accounts[i];

        c->accounts++;
        if (hub_tfa_strong(a->tfa))
            c->acc_strong++;
        else if (a->tfa == HUB_TFA_SMS)
            c->acc_sms++;
        else if (a->tfa == HUB_TFA_NONE)
            c->acc_none++;
        else
            c->acc_unknown++;
        if (a->org != 0)
            c->org_accounts++;
    }
}

static void count_devices(const struct hub_cov_input *in,
                          struct hub_coverage *c)
{
    for (size_t i = 0; i < in->n_devices; i++) {
        bool all = true;

        for (int k = 0; k < HUB_DC_COUNT; k++) {
            int v = in->devices[i].check[k];

            if (v == HUB_OBS_PASS || v == HUB_OBS_NA)
                c->dev_pass[k]++;
            else
                all = false;
        }
        if (all)
            c->dev_protected++;
    }
    c->devices = in->n_devices;
}

/* Fills owners (sorted by person) from the personal accounts that have an
 * owner; accs is scratch space for n_accounts entries.  Returns the number
 * of owners. */
static size_t build_owners(const struct hub_cov_input *in, struct own_acc *accs,
                           struct owner *owners)
{
    size_t n = 0;
    size_t n_owners = 0;

    for (size_t i = 0; i < in->n_accounts; i++) {
        const struct hub_cov_account *a = &in->accounts[i];

        if (a->org != 0 || a->person_id == 0)
            continue;
        accs[n].person = a->person_id;
        accs[n].bit = pf_bit(a->platform);
        accs[n].strong = hub_tfa_strong(a->tfa);
        n++;
    }
    if (n > 1)
        qsort(accs, n, sizeof *accs, cmp_own_acc);
    for (size_t i = 0; i < n; i++) {
        struct owner *o;

        if (n_owners == 0 || owners[n_owners - 1].person != accs[i].person) {
            owners[n_owners].person = accs[i].person;
            owners[n_owners].has = 0;
            owners[n_owners].weak = 0;
            n_owners++;
        }
        o = &owners[n_owners - 1];
        o->has |= accs[i].bit;
        if (!accs[i].strong)
            o->weak |= accs[i].bit;
    }
    return n_owners;
}

static const struct owner *owner_get(const struct owner *owners, size_t n,
                                     int64_t person)
{
    if (n == 0)
        return NULL;
    return bsearch(&person, owners, n, sizeof *owners, find_owner);
}

/* The platforms on which a person is strong: at least one account there,
 * all of them strong. */
static uint32_t owner_strong(const struct owner *owners, size_t n,
                             int64_t person)
{
    const struct owner *o = owner_get(owners, n, person);

    return o != NULL ? o->has & ~o->weak : 0;
}

/* Counts the distinct people; ids is scratch space for n_people ids. */
static void count_people(const struct hub_cov_input *in, int64_t *ids,
                         const struct owner *owners, size_t n_owners,
                         struct hub_coverage *c)
{
    const uint32_t email = pf_bit(HUB_PF_EMAIL);
    size_t n = in->n_people;

    for (size_t i = 0; i < n; i++)
        ids[i] = in->people[i].id;
    if (n > 1)
        qsort(ids, n, sizeof *ids, cmp_id);
    for (size_t i = 0; i < n; i++) {
        const struct owner *o;

        if (i > 0 && ids[i] == ids[i - 1])
            continue;
        c->people++;
        o = owner_get(owners, n_owners, ids[i]); /* never id 0 */
        if (o == NULL || (o->has & email) == 0)
            continue;
        c->people_email++;
        if ((o->weak & email) == 0)
            c->people_email_strong++;
        if (o->weak == 0)
            c->people_covered++;
    }
}

/* Sorts the admin rows that name a person into rows, drops repeats and
 * groups them by account into groups.  Returns the number of groups. */
static size_t build_groups(const struct hub_cov_input *in,
                           struct hub_cov_admin *rows,
                           struct admin_group *groups,
                           const struct owner *owners, size_t n_owners)
{
    size_t n = 0;
    size_t n_groups = 0;

    for (size_t i = 0; i < in->n_admins; i++) {
        if (in->admins[i].person_id != 0)
            rows[n++] = in->admins[i];
    }
    if (n > 1)
        qsort(rows, n, sizeof *rows, cmp_admin);
    for (size_t i = 0; i < n; i++) {
        struct admin_group *g;

        if (i > 0 && cmp_admin(&rows[i], &rows[i - 1]) == 0)
            continue;
        if (n_groups == 0 ||
            groups[n_groups - 1].account != rows[i].account_id) {
            groups[n_groups].account = rows[i].account_id;
            groups[n_groups].n = 0;
            groups[n_groups].strong = UINT32_MAX;
            n_groups++;
        }
        g = &groups[n_groups - 1];
        g->n++;
        g->strong &= owner_strong(owners, n_owners, rows[i].person_id);
    }
    return n_groups;
}

static void count_orgs(const struct hub_cov_input *in,
                       const struct admin_group *groups, size_t n_groups,
                       struct hub_coverage *c)
{
    for (size_t i = 0; i < in->n_accounts; i++) {
        const struct hub_cov_account *a = &in->accounts[i];
        const struct admin_group *g;
        int via;
        bool ok;

        if (a->org == 0 || n_groups == 0)
            continue;
        g = bsearch(&a->id, groups, n_groups, sizeof *groups, find_group);
        if (g == NULL || g->n < 2)
            continue;
        c->org_two_admins++;
        via = hub_platform_admin_via(a->platform);
        if (via != 0)
            ok = (g->strong & pf_bit(via)) != 0;
        else
            ok = (g->strong & pf_bit(HUB_PF_EMAIL)) != 0 &&
                 hub_tfa_strong(a->tfa);
        if (ok)
            c->org_ok++;
    }
}

int hub_coverage_compute(const struct hub_cov_input *in,
                         struct hub_coverage *out)
{
    struct hub_coverage c;
    int64_t *ids = NULL;
    struct own_acc *accs = NULL;
    struct owner *owners = NULL;
    struct hub_cov_admin *rows = NULL;
    struct admin_group *groups = NULL;
    size_t n_owners;
    size_t n_groups;
    int r = KK_ERR_INVAL;

    if (in == NULL || out == NULL || !input_ok(in))
        goto out;
    r = KK_ERR_NOMEM;
    ids = alloc_array(in->n_people, sizeof *ids);
    accs = alloc_array(in->n_accounts, sizeof *accs);
    owners = alloc_array(in->n_accounts, sizeof *owners);
    rows = alloc_array(in->n_admins, sizeof *rows);
    groups = alloc_array(in->n_admins, sizeof *groups);
    if (ids == NULL || accs == NULL || owners == NULL || rows == NULL ||
        groups == NULL)
        goto out;

    memset(&c, 0, sizeof c);
    count_accounts(in, &c);
    count_devices(in, &c);
    n_owners = build_owners(in, accs, owners);
    count_people(in, ids, owners, n_owners, &c);
    n_groups = build_groups(in, rows, groups, owners, n_owners);
    count_orgs(in, groups, n_groups, &c);
    *out = c;
    r = KK_OK;
out:
    free(groups);
    free(rows);
    free(owners);
    free(accs);
    free(ids);
    return r;
}

int hub_share_pm(size_t num, size_t den)
{
    uint64_t n = num;
    uint64_t d = den;
    int pm = -1;

    if (d != 0) {
        if (n > d)
            n = d; /* a share is at most 100 % */
        /* Exact for every realistic count; past 9e15 both are halved
         * together, which moves the result by less than the rounding. */
        while (d > UINT64_MAX / 2000) {
            n >>= 1;
            d >>= 1;
        }
        /* floor(1000 n / d + 1/2): rounded half up. */
        pm = (int)((n * 2000 + d) / (2 * d));
    }
    return pm;
}

int hub_share_format(struct kk_buf *b, int pm)
{
    int r;

    if (b == NULL)
        r = KK_ERR_INVAL;
    else if (pm == -1)
        r = kk_buf_puts(b, "-");
    else if (pm < 0 || pm > 1000)
        r = KK_ERR_RANGE;
    else
        r = kk_buf_putf(b, "%d.%d %%", pm / 10, pm % 10);
    return r;
}

int hub_tfa_score(int tfa)
{
    int score = 0;

    if (hub_tfa_strong(tfa))
        score = 2;
    else if (tfa == HUB_TFA_SMS)
        score = 1;
    return score;
}
