/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * engine.c - per-address counting on log time, bans and escalation, in
 * memory fixed at creation.
 *
 * Keys.  A hit's address is masked to v4_prefix / v6_prefix; the result
 * is the key that is counted and banned.  A hit whose host address the
 * allowlist holds is ignored.  A key is banned only when no allowlisted
 * prefix lies inside it (a /64 key is never banned over an office host
 * allowed as a /128 in it); its counter for that rule starts again.
 *
 * Counting.  Each rule a hit carries (enabled rules with action ban) is
 * counted at the hit's log time t, kept as unsigned 32-bit seconds.
 * - maxretry <= GUARD_ENGINE_EXACT_MAX: exact.  The key keeps, per rule,
 *   the latest maxretry event times it has seen, sorted.  The rule bans
 *   when maxretry times are held and the newest minus the oldest is at
 *   most findtime (fail2ban's "maxretry failures within findtime").  The
 *   ban's hits are maxretry, first is the oldest time, banned_at the
 *   newest.
 * - Larger maxretry (the flood rule: 600 in 60 s): a sliding-window
 *   estimate over two fixed buckets of findtime seconds, aligned to
 *   multiples of findtime since 1970 so that every run cuts them at the
 *   same times.  At time T in the current bucket, which began at S, the
 *   estimate is cur + prev * (findtime - (T - S)) / findtime: the previous
 *   bucket's events are taken as evenly spread.  The rule bans when the
 *   estimate reaches maxretry (integer arithmetic, no rounding: compared
 *   as cur * findtime + prev * (findtime - (T - S)) >= maxretry *
 *   findtime).  It never misses a burst of maxretry events inside one
 *   bucket, and it errs by at most the share of the previous bucket it
 *   weighs wrongly; the hits reported are the estimate rounded down.
 *
 * Time going backwards.  Lines of several files interleave, so a hit may
 * be older than the one before.  Each event counts at its own time: an
 * exact counter inserts it in order (when it is older than every time
 * held in a full counter it cannot complete a window and is dropped), and
 * the estimate adds it to the bucket it falls in (the current or the
 * previous one; older events are dropped).  Nothing anywhere compares a
 * hit with the previous hit, so no order of hits can break an invariant:
 * a late event can at most complete a window that its own time closes.
 *
 * Bans.  A ban clears the key's counters (all rules); the key is pinned
 * (never evicted) while banned, and its hits are only counted as repeats
 * (guard_engine_take_repeats).  The ban lasts bantime * ban_factor^level
 * seconds, capped at ban_max, where level is the number of earlier bans
 * of the key when the latest of them was less than `history` seconds
 * before (one record per key: count and time of the last ban; a key
 * quiet for `history` starts again at level 0).  Live bans sit in a heap
 * on `until`, so guard_engine_expire costs O(log n) per ended ban.
 * Callers feed hits in log-time order and call guard_engine_expire before
 * each hit (replay: with that hit's time) or every second (live).
 *
 * Memory.  Everything is reserved at creation in flat arrays indexed by
 * 32-bit numbers: max_addresses keys (a hash table chained through the
 * keys, and a doubly linked LRU list of the keys that are not banned);
 * 2 * max_addresses small counters of 32 bytes (exact up to 6 events, or
 * the estimate) and max_addresses large ones (exact up to the largest
 * maxretry of the configuration, at most 32); max_addresses bans; and
 * max_addresses ban histories in their own hash table and LRU list, so
 * escalation outlives the eviction of a key's counters.  Arrays are
 * handed out from a high-water mark and then a free list, so pages that
 * were never used are never touched and cost no resident memory.  When
 * the keys or a counter pool are full, the least recently seen key that
 * is not banned is evicted (O(1) each; at most one eviction per key
 * inserted, over time).  Nothing grows per hit.
 *
 * Hashing is keyed with a random seed drawn at creation, so addresses
 * chosen to collide in one run do not collide in another; decisions never
 * depend on the seed (only the LRU order and the hit order do), so a
 * replay of the same hits gives the same bans.
 */
#include <stdlib.h>
#include <string.h>

#include "guard_int.h"

#define NONE UINT32_MAX
#define BIG_BIT 0x80000000u /* a counter id in the large pool */

#define SMALL_TIMES 6 /* exact times in a small counter */

/* Fields of an estimate counter in its times array. */
enum {
    EST_BUCKET = 0, /* number of the current bucket (time / findtime) */
    EST_CUR,        /* events in the current bucket */
    EST_PREV,       /* events in the previous bucket */
    EST_LAST,       /* latest event time seen */
    EST_FCUR,       /* earliest event time in the current bucket */
    EST_FPREV,      /* earliest event time in the previous bucket */
};

enum rule_mode {
    MODE_OFF = 0, /* not counted (disabled, or a reset rule) */
    MODE_SMALL,   /* exact in a small counter */
    MODE_BIG,     /* exact in a large counter */
    MODE_EST,     /* estimate in a small counter */
};

struct eng_rule {
    uint8_t mode;
    uint32_t maxretry;
    uint32_t findtime;
};

/* One tracked key: 40 bytes. */
struct eng_key {
    struct guard_addr a;
    uint8_t used;
    uint8_t pad;
    uint32_t hnext; /* hash chain */
    uint32_t prev;  /* LRU list (towards the most recent), or free list */
    uint32_t next;  /* LRU list (towards the least recent) */
    uint32_t ctrs;  /* first counter of the key */
    uint32_t ban;   /* ban record, or NONE */
};

/* The head of a counter; its times follow it in the pool. */
struct eng_ctr {
    uint32_t next; /* next counter of the same key, or free list */
    uint8_t rule;
    uint8_t n; /* exact: times held */
    uint16_t pad;
};

struct eng_ban {
    int64_t first, banned_at, until;
    uint64_t repeats;
    uint32_t key;  /* its key, or next free record */
    uint32_t heap; /* position in the heap */
    uint32_t hits, level;
    char rule[GUARD_NAME_MAX];
};

struct eng_hist {
    struct guard_addr a;
    uint8_t pad[2];
    uint32_t hnext;
    uint32_t prev, next; /* LRU by last update, or free list */
    uint32_t bans;
    int64_t last;
};

/* A pool of fixed-size records handed out from a high-water mark, then
 * from a free list. */
struct pool {
    unsigned char *mem;
    size_t stride;
    uint32_t cap;
    uint32_t high; /* records ever handed out */
    uint32_t free; /* free list head, or NONE */
};

struct guard_engine {
    const struct guard_conf *c;
    struct eng_rule rules[GUARD_RULES_MAX];
    uint64_t counted; /* rule bits that are counted */
    uint64_t seed;

    struct eng_key *keys;
    uint32_t kcap, khigh, kfree;
    uint32_t *kbuckets; /* index + 1, 0 empty */
    uint32_t kmask;
    uint32_t lru_head, lru_tail; /* most and least recently seen */

    struct pool small, big;
    uint32_t big_times;

    struct eng_ban *bans;
    uint32_t bhigh, bfree;
    uint32_t *heap;
    uint32_t nheap;

    struct eng_hist *hist;
    uint32_t hhigh, hfree, hcount;
    uint32_t *hbuckets;
    uint32_t hmask;
    uint32_t hlru_head, hlru_tail;

    int64_t latest; /* latest log time seen (history ageing) */
    size_t tracked, tracked_max;
    uint64_t evicted, dropped;
    size_t bytes;
};

/* ---- Small helpers ---- */

static uint32_t clamp_time(int64_t t)
{
    uint32_t v;

    if (t < 0) {
        v = 0;
    } else if (t > (int64_t)UINT32_MAX) {
        v = UINT32_MAX;
    } else {
        v = (uint32_t)t;
    }
    return v;
}

static uint64_t fmix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

static uint64_t key_hash(const struct guard_engine *e,
                         const struct guard_addr *a)
{
    uint64_t lo;
    uint64_t hi;

    memcpy(&lo, a->b, 8);
    memcpy(&hi, a->b + 8, 8);
    return fmix(fmix(e->seed ^ lo) ^ hi ^ ((uint64_t)a->family << 8) ^ a->plen);
}

/* The smallest power of two >= n (n <= 2^31). */
static uint32_t pow2_at_least(uint32_t n)
{
    uint32_t p = 1;

    while (p < n) {
        p <<= 1;
    }
    return p;
}

static int reserve(size_t n, size_t size, void **out, size_t *total)
{
    size_t bytes;
    void *p;
    int rc = kk_size_mul(n, size, &bytes);

    if (rc != KK_OK) {
        goto out;
    }
    p = calloc(n, size);
    if (p == NULL) {
        rc = KK_ERR_NOMEM;
        goto out;
    }
    *out = p;
    *total += bytes;
out:
    return rc;
}

static int pool_init(struct pool *p, uint32_t cap, size_t stride, size_t *total)
{
    void *mem = NULL;
    int rc = reserve(cap, stride, &mem, total);

    if (rc == KK_OK) {
        p->mem = mem;
        p->stride = stride;
        p->cap = cap;
        p->high = 0;
        p->free = NONE;
    }
    return rc;
}

static struct eng_ctr *pool_at(const struct pool *p, uint32_t i)
{
    return (struct eng_ctr *)(void *)(p->mem + (size_t)i * p->stride);
}

static uint32_t pool_get(struct pool *p)
{
    uint32_t i = NONE;

    if (p->free != NONE) {
        i = p->free;
        p->free = pool_at(p, i)->next;
    } else if (p->high < p->cap) {
        i = p->high++;
    }
    return i;
}

static void pool_put(struct pool *p, uint32_t i)
{
    pool_at(p, i)->next = p->free;
    p->free = i;
}

static struct eng_ctr *ctr_at(const struct guard_engine *e, uint32_t id)
{
    return (id & BIG_BIT) != 0 ? pool_at(&e->big, id & ~BIG_BIT)
                               : pool_at(&e->small, id);
}

/* The times (or estimate fields) that follow a counter's head. */
static uint32_t *ctr_times(struct eng_ctr *k)
{
    return (uint32_t *)(void *)(k + 1);
}

/* ---- Keys: hash table and LRU list ---- */

static uint32_t *kbucket(const struct guard_engine *e,
                         const struct guard_addr *a)
{
    return &e->kbuckets[key_hash(e, a) & e->kmask];
}

static uint32_t key_find(const struct guard_engine *e,
                         const struct guard_addr *a)
{
    uint32_t i = *kbucket(e, a);

    /* bucket values are index + 1, chain links are indices */
    i = i == 0 ? NONE : i - 1;
    while (i != NONE && !guard_addr_eq(&e->keys[i].a, a)) {
        i = e->keys[i].hnext;
    }
    return i;
}

static void lru_unlink(struct guard_engine *e, uint32_t i)
{
    struct eng_key *k = &e->keys[i];

    if (k->prev != NONE) {
        e->keys[k->prev].next = k->next;
    } else {
        e->lru_head = k->next;
    }
    if (k->next != NONE) {
        e->keys[k->next].prev = k->prev;
    } else {
        e->lru_tail = k->prev;
    }
    k->prev = NONE;
    k->next = NONE;
}

static void lru_push(struct guard_engine *e, uint32_t i)
{
    struct eng_key *k = &e->keys[i];

    k->prev = NONE;
    k->next = e->lru_head;
    if (e->lru_head != NONE) {
        e->keys[e->lru_head].prev = i;
    } else {
        e->lru_tail = i;
    }
    e->lru_head = i;
}

static void ctrs_free(struct guard_engine *e, uint32_t i)
{
    uint32_t id = e->keys[i].ctrs;

    while (id != NONE) {
        uint32_t next = ctr_at(e, id)->next;
        if ((id & BIG_BIT) != 0) {
            pool_put(&e->big, id & ~BIG_BIT);
        } else {
            pool_put(&e->small, id);
        }
        id = next;
    }
    e->keys[i].ctrs = NONE;
}

/* Removes counter id of key i (which holds it). */
static void ctr_drop(struct guard_engine *e, uint32_t i, uint32_t id)
{
    uint32_t *link = &e->keys[i].ctrs;

    while (*link != NONE && *link != id) {
        link = &ctr_at(e, *link)->next;
    }
    if (*link == id) {
        *link = ctr_at(e, id)->next;
        if ((id & BIG_BIT) != 0) {
            pool_put(&e->big, id & ~BIG_BIT);
        } else {
            pool_put(&e->small, id);
        }
    }
}

static void ban_release(struct guard_engine *e, uint32_t b);

/* Forgets key i entirely: counters, ban, hash entry, list entry. */
static void key_drop(struct guard_engine *e, uint32_t i)
{
    struct eng_key *k = &e->keys[i];
    uint32_t *link = kbucket(e, &k->a);
    uint32_t at = *link == 0 ? NONE : *link - 1;

    ctrs_free(e, i);
    if (k->ban != NONE) {
        ban_release(e, k->ban);
        k->ban = NONE;
    } else {
        lru_unlink(e, i);
    }
    /* unlink from the hash chain: the bucket holds index + 1 */
    if (at == i) {
        *link = k->hnext == NONE ? 0 : k->hnext + 1;
    } else {
        while (at != NONE && e->keys[at].hnext != i) {
            at = e->keys[at].hnext;
        }
        if (at != NONE) {
            e->keys[at].hnext = k->hnext;
        }
    }
    k->used = 0;
    k->hnext = NONE;
    k->prev = e->kfree;
    e->kfree = i;
    e->tracked--;
}

/* Evicts the least recently seen key that is not banned, unless it is
 * keep.  False when there is none. */
static bool evict_one(struct guard_engine *e, uint32_t keep)
{
    uint32_t i = e->lru_tail;
    bool done = false;

    if (i != NONE && i != keep) {
        key_drop(e, i);
        e->evicted++;
        done = true;
    }
    return done;
}

/* Finds key a, or adds it (evicting when full).  NONE when every key is
 * banned. */
static uint32_t key_get(struct guard_engine *e, const struct guard_addr *a,
                        bool *created)
{
    uint32_t i = key_find(e, a);
    uint32_t *b;
    struct eng_key *k;

    *created = false;
    if (i != NONE) {
        goto out;
    }
    if (e->kfree == NONE && e->khigh == e->kcap) {
        (void)evict_one(e, NONE);
    }
    if (e->kfree != NONE) {
        i = e->kfree;
        e->kfree = e->keys[i].prev;
    } else if (e->khigh < e->kcap) {
        i = e->khigh++;
    } else {
        goto out;
    }
    k = &e->keys[i];
    k->a = *a;
    k->used = 1;
    k->ctrs = NONE;
    k->ban = NONE;
    b = kbucket(e, a);
    k->hnext = *b == 0 ? NONE : *b - 1;
    *b = i + 1;
    lru_push(e, i);
    e->tracked++;
    if (e->tracked > e->tracked_max) {
        e->tracked_max = e->tracked;
    }
    *created = true;
out:
    return i;
}

/* ---- Ban history ---- */

static uint32_t *hbucket(const struct guard_engine *e,
                         const struct guard_addr *a)
{
    return &e->hbuckets[key_hash(e, a) & e->hmask];
}

static uint32_t hist_find(const struct guard_engine *e,
                          const struct guard_addr *a)
{
    uint32_t i = *hbucket(e, a);

    i = i == 0 ? NONE : i - 1;
    while (i != NONE && !guard_addr_eq(&e->hist[i].a, a)) {
        i = e->hist[i].hnext;
    }
    return i;
}

static void hlru_unlink(struct guard_engine *e, uint32_t i)
{
    struct eng_hist *h = &e->hist[i];

    if (h->prev != NONE) {
        e->hist[h->prev].next = h->next;
    } else {
        e->hlru_head = h->next;
    }
    if (h->next != NONE) {
        e->hist[h->next].prev = h->prev;
    } else {
        e->hlru_tail = h->prev;
    }
}

static void hlru_push(struct guard_engine *e, uint32_t i)
{
    struct eng_hist *h = &e->hist[i];

    h->prev = NONE;
    h->next = e->hlru_head;
    if (e->hlru_head != NONE) {
        e->hist[e->hlru_head].prev = i;
    } else {
        e->hlru_tail = i;
    }
    e->hlru_head = i;
}

static void hist_drop(struct guard_engine *e, uint32_t i)
{
    struct eng_hist *h = &e->hist[i];
    uint32_t *link = hbucket(e, &h->a);
    uint32_t at = *link == 0 ? NONE : *link - 1;

    hlru_unlink(e, i);
    if (at == i) {
        *link = h->hnext == NONE ? 0 : h->hnext + 1;
    } else {
        while (at != NONE && e->hist[at].hnext != i) {
            at = e->hist[at].hnext;
        }
        if (at != NONE) {
            e->hist[at].hnext = h->hnext;
        }
    }
    h->prev = e->hfree;
    e->hfree = i;
    e->hcount--;
}

/* Finds the history of a, or adds an empty one (evicting the least
 * recently updated when full).  Moves it to the front. */
static uint32_t hist_get(struct guard_engine *e, const struct guard_addr *a)
{
    uint32_t i = hist_find(e, a);
    uint32_t *b;
    struct eng_hist *h;

    if (i != NONE) {
        hlru_unlink(e, i);
        hlru_push(e, i);
        goto out;
    }
    if (e->hfree == NONE && e->hhigh == e->kcap && e->hlru_tail != NONE) {
        hist_drop(e, e->hlru_tail);
    }
    if (e->hfree != NONE) {
        i = e->hfree;
        e->hfree = e->hist[i].prev;
    } else {
        i = e->hhigh++;
    }
    h = &e->hist[i];
    h->a = *a;
    h->bans = 0;
    h->last = 0;
    b = hbucket(e, a);
    h->hnext = *b == 0 ? NONE : *b - 1;
    *b = i + 1;
    hlru_push(e, i);
    e->hcount++;
out:
    return i;
}

/* ---- Bans: records in a min-heap on until ---- */

static bool ban_before(const struct guard_engine *e, uint32_t x, uint32_t y)
{
    const struct eng_ban *a = &e->bans[x];
    const struct eng_ban *b = &e->bans[y];
    bool before;

    if (a->until != b->until) {
        before = a->until < b->until;
    } else {
        /* ties in address order, so the order never depends on where
         * records happen to lie */
        const struct guard_addr *p = &e->keys[a->key].a;
        const struct guard_addr *q = &e->keys[b->key].a;
        int c = memcmp(p->b, q->b, 16);
        if (c == 0) {
            c = (int)p->family - (int)q->family;
        }
        if (c == 0) {
            c = (int)p->plen - (int)q->plen;
        }
        before = c < 0;
    }
    return before;
}

static void heap_set(struct guard_engine *e, uint32_t pos, uint32_t b)
{
    e->heap[pos] = b;
    e->bans[b].heap = pos;
}

static void heap_up(struct guard_engine *e, uint32_t pos)
{
    uint32_t b = e->heap[pos];

    while (pos > 0) {
        uint32_t parent = (pos - 1) / 2;
        if (!ban_before(e, b, e->heap[parent])) {
            break;
        }
        heap_set(e, pos, e->heap[parent]);
        pos = parent;
    }
    heap_set(e, pos, b);
}

static void heap_down(struct guard_engine *e, uint32_t pos)
{
    uint32_t b = e->heap[pos];

    for (;;) {
        uint32_t l = 2 * pos + 1;
        uint32_t r = l + 1;
        uint32_t m = pos;
        uint32_t mb = b;
        if (l < e->nheap && ban_before(e, e->heap[l], mb)) {
            m = l;
            mb = e->heap[l];
        }
        if (r < e->nheap && ban_before(e, e->heap[r], mb)) {
            m = r;
        }
        if (m == pos) {
            break;
        }
        heap_set(e, pos, e->heap[m]);
        pos = m;
    }
    heap_set(e, pos, b);
}

/* Takes ban record b out of the heap and frees it (its key stays). */
static void ban_release(struct guard_engine *e, uint32_t b)
{
    uint32_t pos = e->bans[b].heap;
    uint32_t last = e->heap[e->nheap - 1];

    e->nheap--;
    if (pos != e->nheap) {
        heap_set(e, pos, last);
        heap_up(e, pos);
        heap_down(e, e->bans[last].heap);
    }
    e->bans[b].key = e->bfree;
    e->bfree = b;
}

static uint32_t ban_alloc(struct guard_engine *e)
{
    uint32_t b;

    if (e->bfree != NONE) {
        b = e->bfree;
        e->bfree = e->bans[b].key;
    } else {
        /* bans never outnumber keys, and there are kcap records */
        b = e->bhigh++;
    }
    memset(&e->bans[b], 0, sizeof e->bans[b]);
    return b;
}

static void ban_fill(const struct guard_engine *e, uint32_t b,
                     struct guard_ban *out)
{
    const struct eng_ban *r = &e->bans[b];

    memset(out, 0, sizeof *out);
    if (guard_addr_format(&e->keys[r->key].a, out->address,
                          sizeof out->address) != KK_OK) {
        out->address[0] = '\0';
    }
    memcpy(out->rule, r->rule, sizeof out->rule);
    out->hits = r->hits;
    out->first = r->first;
    out->banned_at = r->banned_at;
    out->until = r->until;
    out->level = r->level;
}

/* Pins key i (out of the LRU list, counters cleared) under a new ban
 * record, and returns the record. */
static uint32_t ban_pin(struct guard_engine *e, uint32_t i)
{
    uint32_t b = ban_alloc(e);

    ctrs_free(e, i);
    lru_unlink(e, i);
    e->keys[i].ban = b;
    e->bans[b].key = i;
    e->bans[b].heap = e->nheap;
    e->heap[e->nheap++] = b;
    return b;
}

/* The ban's duration for a key banned level times before. */
static int64_t ban_length(const struct guard_engine *e, uint32_t bantime,
                          uint32_t level)
{
    /* with no cap, a ban still ends within 68 years */
    uint64_t cap = e->c->ban_max != 0 ? e->c->ban_max : INT32_MAX;
    uint64_t factor = e->c->ban_factor > 1 ? e->c->ban_factor : 1;
    uint64_t len = bantime;

    for (uint32_t l = 0; l < level && len < cap && factor > 1; l++) {
        len = len > cap / factor ? cap : len * factor;
    }
    if (len > cap) {
        len = cap;
    }
    return (int64_t)len;
}

static int64_t add_sat(int64_t a, int64_t b)
{
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* True when an allowlisted prefix lies inside key a. */
static bool holds_allowed(const struct guard_engine *e,
                          const struct guard_addr *a)
{
    size_t n = guard_addrset_count(e->c->allow);
    bool found = false;

    for (size_t i = 0; i < n && !found; i++) {
        found = guard_addr_contains(a, guard_addrset_at(e->c->allow, i));
    }
    return found;
}

/* Bans key i for rule r: the escalation level from its history, the
 * ban record, the callback. */
static void ban_key(struct guard_engine *e, uint32_t i, unsigned r,
                    uint32_t hits, int64_t first, int64_t at, guard_ban_fn fn,
                    void *ctx)
{
    uint32_t h = hist_get(e, &e->keys[i].a);
    struct eng_hist *hr = &e->hist[h];
    uint32_t level = 0;
    uint32_t b;
    struct eng_ban *rec;
    struct guard_ban out;
    struct guard_addr key;

    if (hr->bans > 0 && e->c->history > 0 &&
        at - hr->last < (int64_t)e->c->history) {
        level = hr->bans;
    }
    hr->bans = level < UINT32_MAX ? level + 1 : level;
    if (at > hr->last) {
        hr->last = at;
    }

    b = ban_pin(e, i);
    rec = &e->bans[b];
    rec->first = first;
    rec->banned_at = at;
    rec->until = add_sat(at, ban_length(e, e->c->rules[r].bantime, level));
    rec->hits = hits;
    rec->level = level;
    memcpy(rec->rule, e->c->rules[r].name, sizeof rec->rule);
    rec->rule[sizeof rec->rule - 1] = '\0';
    heap_up(e, rec->heap);

    if (fn != NULL) {
        key = e->keys[i].a;
        ban_fill(e, b, &out);
        fn(ctx, &out, &key);
    }
}

/* ---- Counting ---- */

/* The counter of rule r for key i, made when missing (evicting other
 * keys when the pool is full).  NONE when nothing could be evicted. */
static uint32_t ctr_get(struct guard_engine *e, uint32_t i, unsigned r)
{
    uint32_t id = e->keys[i].ctrs;
    bool big = e->rules[r].mode == MODE_BIG;
    struct pool *p = big ? &e->big : &e->small;
    struct eng_ctr *k;
    uint32_t n;

    while (id != NONE && ctr_at(e, id)->rule != r) {
        id = ctr_at(e, id)->next;
    }
    if (id != NONE) {
        goto out;
    }
    n = pool_get(p);
    while (n == NONE && evict_one(e, i)) {
        n = pool_get(p);
    }
    if (n == NONE) {
        goto out;
    }
    id = big ? (n | BIG_BIT) : n;
    k = ctr_at(e, id);
    memset(k, 0, p->stride);
    k->rule = (uint8_t)r;
    k->next = e->keys[i].ctrs;
    e->keys[i].ctrs = id;
out:
    return id;
}

/* Counts an event at t in an exact counter; true when the rule bans. */
static bool count_exact(struct eng_ctr *k, const struct eng_rule *rule,
                        uint32_t t)
{
    uint32_t *v = ctr_times(k);
    uint32_t n = k->n;
    uint32_t at;
    bool bans = false;

    if (n == rule->maxretry) {
        if (t < v[0]) {
            /* older than every time held: cannot close a window */
            goto out;
        }
        memmove(v, v + 1, (n - 1) * sizeof v[0]);
        n--;
    }
    at = n;
    while (at > 0 && v[at - 1] > t) {
        v[at] = v[at - 1];
        at--;
    }
    v[at] = t;
    n++;
    k->n = (uint8_t)n;
    bans = n == rule->maxretry && v[n - 1] - v[0] <= rule->findtime;
out:
    return bans;
}

/* Counts an event at t in an estimate counter; true when the rule bans.
 * *hits gets the estimate, *first the earliest time counted. */
static bool count_est(struct eng_ctr *k, const struct eng_rule *rule,
                      uint32_t t, uint32_t *hits, uint32_t *first)
{
    uint32_t *v = ctr_times(k);
    uint32_t w = rule->findtime;
    uint32_t bucket = t / w;
    uint64_t elapsed;
    uint64_t weighted;

    if (v[EST_CUR] == 0 && v[EST_PREV] == 0) {
        /* fresh (or all counted events have aged out) */
        v[EST_BUCKET] = bucket;
        v[EST_LAST] = t;
    }
    if (bucket > v[EST_BUCKET]) {
        if (bucket == v[EST_BUCKET] + 1) {
            v[EST_PREV] = v[EST_CUR];
            v[EST_FPREV] = v[EST_FCUR];
        } else {
            v[EST_PREV] = 0;
        }
        v[EST_CUR] = 0;
        v[EST_BUCKET] = bucket;
    }
    if (bucket == v[EST_BUCKET]) {
        if (v[EST_CUR] == 0 || t < v[EST_FCUR]) {
            v[EST_FCUR] = t;
        }
        if (v[EST_CUR] < UINT32_MAX) {
            v[EST_CUR]++;
        }
    } else if (bucket + 1 == v[EST_BUCKET]) {
        if (v[EST_PREV] == 0 || t < v[EST_FPREV]) {
            v[EST_FPREV] = t;
        }
        if (v[EST_PREV] < UINT32_MAX) {
            v[EST_PREV]++;
        }
    }
    if (t > v[EST_LAST]) {
        v[EST_LAST] = t;
    }
    /* v[EST_LAST] lies in the current bucket: the bucket only moves on
     * to a later time, which then becomes the latest */
    elapsed = (uint64_t)v[EST_LAST] - (uint64_t)v[EST_BUCKET] * w;
    if (elapsed >= w) {
        elapsed = w; /* never: see above */
    }
    weighted = (uint64_t)v[EST_CUR] * w + (uint64_t)v[EST_PREV] * (w - elapsed);
    *hits = (uint32_t)(weighted / w);
    *first = v[EST_PREV] > 0 ? v[EST_FPREV] : v[EST_FCUR];
    return weighted >= (uint64_t)rule->maxretry * w;
}

/* ---- The interface ---- */

int guard_engine_new(const struct guard_conf *c, struct guard_engine **out,
                     struct kk_diag *d)
{
    struct guard_engine *e = NULL;
    uint32_t big_times = 1;
    uint32_t nb;
    size_t stride;
    void *p;
    int rc = KK_ERR_INVAL;

    if (c == NULL || out == NULL || c->nrules > GUARD_RULES_MAX) {
        kk_diag_set(d, "guard engine: no configuration, or more than %d rules",
                    GUARD_RULES_MAX);
        goto out;
    }
    if (c->max_addresses == 0 || c->max_addresses > GUARD_ENGINE_KEYS_MAX) {
        rc = KK_ERR_RANGE;
        kk_diag_set(d, "guard engine: max_addresses %zu is not within 1..%d",
                    c->max_addresses, GUARD_ENGINE_KEYS_MAX);
        goto out;
    }
    e = calloc(1, sizeof *e);
    if (e == NULL) {
        rc = KK_ERR_NOMEM;
        goto out;
    }
    e->c = c;
    for (size_t r = 0; r < c->nrules; r++) {
        const struct guard_rule *g = &c->rules[r];
        struct eng_rule *m = &e->rules[r];
        if (!g->enabled || g->action != GUARD_ACT_BAN) {
            continue;
        }
        m->maxretry = g->maxretry > 0 ? g->maxretry : 1;
        m->findtime = g->findtime > 0 ? g->findtime : 1;
        if (m->maxretry <= SMALL_TIMES) {
            m->mode = MODE_SMALL;
        } else if (m->maxretry <= GUARD_ENGINE_EXACT_MAX) {
            m->mode = MODE_BIG;
            if (m->maxretry > big_times) {
                big_times = m->maxretry;
            }
        } else {
            m->mode = MODE_EST;
        }
        e->counted |= 1ull << r;
    }
    rc = kk_random(&e->seed, sizeof e->seed);
    if (rc != KK_OK) {
        kk_diag_set(d, "guard engine: no random seed for the hash tables");
        goto out;
    }

    e->kcap = (uint32_t)c->max_addresses;
    nb = pow2_at_least(e->kcap);
    e->kmask = nb - 1;
    e->hmask = nb - 1;
    e->kfree = NONE;
    e->bfree = NONE;
    e->hfree = NONE;
    e->lru_head = e->lru_tail = NONE;
    e->hlru_head = e->hlru_tail = NONE;
    rc = reserve(e->kcap, sizeof e->keys[0], &p, &e->bytes);
    if (rc != KK_OK) {
        goto nomem;
    }
    e->keys = p;
    rc = reserve(nb, sizeof e->kbuckets[0], &p, &e->bytes);
    if (rc != KK_OK) {
        goto nomem;
    }
    e->kbuckets = p;
    rc = pool_init(&e->small, 2 * e->kcap,
                   sizeof(struct eng_ctr) + SMALL_TIMES * sizeof(uint32_t),
                   &e->bytes);
    if (rc != KK_OK) {
        goto nomem;
    }
    /* large counters hold the largest exact maxretry, rounded to 8 bytes */
    e->big_times = big_times;
    stride = sizeof(struct eng_ctr) + big_times * sizeof(uint32_t);
    stride = (stride + 7) & ~(size_t)7;
    rc = pool_init(&e->big, e->kcap, stride, &e->bytes);
    if (rc != KK_OK) {
        goto nomem;
    }
    rc = reserve(e->kcap, sizeof e->bans[0], &p, &e->bytes);
    if (rc != KK_OK) {
        goto nomem;
    }
    e->bans = p;
    rc = reserve(e->kcap, sizeof e->heap[0], &p, &e->bytes);
    if (rc != KK_OK) {
        goto nomem;
    }
    e->heap = p;
    rc = reserve(e->kcap, sizeof e->hist[0], &p, &e->bytes);
    if (rc != KK_OK) {
        goto nomem;
    }
    e->hist = p;
    rc = reserve(nb, sizeof e->hbuckets[0], &p, &e->bytes);
    if (rc != KK_OK) {
        goto nomem;
    }
    e->hbuckets = p;
    e->bytes += sizeof *e;
    *out = e;
    e = NULL;
    rc = KK_OK;
    goto out;
nomem:
    kk_diag_set(d, "guard engine: cannot reserve memory for %zu addresses",
                c->max_addresses);
out:
    guard_engine_free(e);
    return rc;
}

void guard_engine_free(struct guard_engine *e)
{
    if (e != NULL) {
        free(e->keys);
        free(e->kbuckets);
        free(e->small.mem);
        free(e->big.mem);
        free(e->bans);
        free(e->heap);
        free(e->hist);
        free(e->hbuckets);
        free(e);
    }
}

void guard_engine_hit(struct guard_engine *e, const struct guard_hit *h,
                      guard_ban_fn ban, void *ctx)
{
    uint64_t rules = h->rules & e->counted;
    uint64_t resets = e->c->reset_on_success ? h->resets : 0;
    struct guard_addr a = h->addr;
    uint32_t t = clamp_time(h->t);
    uint32_t i;
    bool created;

    if (h->t > e->latest) {
        e->latest = h->t;
    }
    if ((rules == 0 && resets == 0) ||
        guard_addrset_contains(e->c->allow, &h->addr)) {
        goto out;
    }
    guard_addr_mask(&a, e->c->v4_prefix, e->c->v6_prefix);
    if (rules == 0) {
        /* a success only clears counters of a key already held */
        i = key_find(e, &a);
    } else {
        i = key_get(e, &a, &created);
        if (i == NONE) {
            e->dropped++;
            goto out;
        }
    }
    if (i == NONE) {
        goto out;
    }
    if (e->keys[i].ban != NONE) {
        if (rules != 0 && e->bans[e->keys[i].ban].repeats < UINT64_MAX) {
            e->bans[e->keys[i].ban].repeats++;
        }
        goto out;
    }
    if (e->lru_head != i) {
        lru_unlink(e, i);
        lru_push(e, i);
    }

    for (unsigned r = 0; resets != 0 && r < GUARD_RULES_MAX; r++) {
        if ((resets & (1ull << r)) != 0) {
            uint32_t id = e->keys[i].ctrs;
            while (id != NONE && ctr_at(e, id)->rule != r) {
                id = ctr_at(e, id)->next;
            }
            if (id != NONE) {
                ctr_drop(e, i, id);
            }
        }
    }

    for (unsigned r = 0; rules != 0 && r < GUARD_RULES_MAX; r++) {
        const struct eng_rule *rule = &e->rules[r];
        uint32_t id;
        struct eng_ctr *k;
        uint32_t hits;
        uint32_t first;
        int64_t at;
        bool bans;

        if ((rules & (1ull << r)) == 0) {
            continue;
        }
        rules &= ~(1ull << r);
        id = ctr_get(e, i, r);
        if (id == NONE) {
            e->dropped++;
            continue;
        }
        k = ctr_at(e, id);
        if (rule->mode == MODE_EST) {
            bans = count_est(k, rule, t, &hits, &first);
            at = ctr_times(k)[EST_LAST];
        } else {
            bans = count_exact(k, rule, t);
            hits = k->n;
            first = ctr_times(k)[0];
            at = ctr_times(k)[k->n - 1];
        }
        if (!bans) {
            continue;
        }
        /* when the window closes at the hit itself, its own (unclamped)
         * time is the ban's */
        if (at == (int64_t)t) {
            at = h->t;
        }
        if (holds_allowed(e, &e->keys[i].a)) {
            ctr_drop(e, i, id);
            continue;
        }
        ban_key(e, i, r, hits, first, at, ban, ctx);
        break;
    }
out:
    return;
}

void guard_engine_expire(struct guard_engine *e, int64_t now,
                         guard_ban_fn unban, void *ctx)
{
    while (e->nheap > 0 && e->bans[e->heap[0]].until <= now) {
        uint32_t b = e->heap[0];
        uint32_t i = e->bans[b].key;
        struct guard_ban out;
        struct guard_addr key = e->keys[i].a;

        ban_fill(e, b, &out);
        /* the key had no counters left: forget it */
        key_drop(e, i);
        if (unban != NULL) {
            unban(ctx, &out, &key);
        }
    }
}

/* Drops every key inside net (or, when inside is false, every key that
 * holds net); true when one was. */
static bool drop_matching(struct guard_engine *e, const struct guard_addr *net,
                          bool inside)
{
    bool found = false;

    for (uint32_t i = 0; i < e->khigh; i++) {
        const struct eng_key *k = &e->keys[i];
        bool match;
        if (!k->used) {
            continue;
        }
        match = inside ? guard_addr_contains(net, &k->a)
                       : guard_addr_contains(&k->a, net);
        if (match) {
            key_drop(e, i);
            found = true;
        }
    }
    return found;
}

int guard_engine_unban(struct guard_engine *e, const struct guard_addr *key)
{
    unsigned keylen = key->family == 4 ? e->c->v4_prefix : e->c->v6_prefix;
    struct guard_addr a = *key;
    uint32_t i;
    bool found;

    if (key->plen < keylen) {
        /* a wider prefix: every key inside it (O(max_addresses)) */
        found = drop_matching(e, key, true);
    } else {
        guard_addr_mask(&a, e->c->v4_prefix, e->c->v6_prefix);
        i = key_find(e, &a);
        found = i != NONE;
        if (found) {
            key_drop(e, i);
        } else {
            /* a ban restored under another prefix length may hold it */
            found = drop_matching(e, key, false);
        }
    }
    return found ? KK_OK : KK_ERR_NOTFOUND;
}

int guard_engine_restore(struct guard_engine *e, const struct guard_ban *b)
{
    struct guard_addr a;
    uint32_t i;
    uint32_t r;
    uint32_t h;
    bool created;
    size_t len = strnlen(b->address, sizeof b->address);
    int rc = guard_addr_parse_prefix(b->address, len, &a);

    if (rc != KK_OK) {
        goto out;
    }
    i = key_get(e, &a, &created);
    if (i == NONE) {
        rc = KK_ERR_LIMIT;
        goto out;
    }
    if (e->keys[i].ban != NONE) {
        rc = KK_ERR_EXISTS;
        goto out;
    }
    r = ban_pin(e, i);
    e->bans[r].first = b->first;
    e->bans[r].banned_at = b->banned_at;
    e->bans[r].until = b->until;
    e->bans[r].hits = b->hits;
    e->bans[r].level = b->level;
    memcpy(e->bans[r].rule, b->rule, sizeof e->bans[r].rule);
    e->bans[r].rule[sizeof e->bans[r].rule - 1] = '\0';
    heap_up(e, e->bans[r].heap);

    /* this ban is one of the key's bans: the history holds at least it */
    h = hist_get(e, &a);
    if (e->hist[h].bans < b->level + 1 && b->level < UINT32_MAX) {
        e->hist[h].bans = b->level + 1;
    }
    if (e->hist[h].last < b->banned_at) {
        e->hist[h].last = b->banned_at;
    }
    if (b->banned_at > e->latest) {
        e->latest = b->banned_at;
    }
out:
    return rc;
}

int guard_engine_restore_history(struct guard_engine *e,
                                 const struct guard_addr *key, uint32_t bans,
                                 int64_t last)
{
    uint32_t h;
    int rc = KK_OK;

    if (bans == 0) {
        goto out; /* nothing to remember */
    }
    h = hist_get(e, key);
    if (e->hist[h].bans < bans) {
        e->hist[h].bans = bans;
    }
    if (e->hist[h].last < last) {
        e->hist[h].last = last;
    }
    if (last > e->latest) {
        e->latest = last;
    }
out:
    return rc;
}

void guard_engine_each_ban(const struct guard_engine *e, guard_ban_fn fn,
                           void *ctx)
{
    for (uint32_t p = 0; p < e->nheap; p++) {
        uint32_t b = e->heap[p];
        struct guard_ban out;
        struct guard_addr key = e->keys[e->bans[b].key].a;
        ban_fill(e, b, &out);
        fn(ctx, &out, &key);
    }
}

void guard_engine_each_history(const struct guard_engine *e, guard_hist_fn fn,
                               void *ctx)
{
    /* least recently updated first, so restoring in this order rebuilds
     * the same LRU order */
    for (uint32_t i = e->hlru_tail; i != NONE; i = e->hist[i].prev) {
        const struct eng_hist *h = &e->hist[i];
        if (e->c->history > 0 && e->latest - h->last >= e->c->history) {
            continue; /* aged out: it no longer escalates */
        }
        fn(ctx, &h->a, h->bans, h->last);
    }
}

void guard_engine_take_repeats(struct guard_engine *e, guard_repeat_fn fn,
                               void *ctx)
{
    for (uint32_t p = 0; p < e->nheap; p++) {
        struct eng_ban *b = &e->bans[e->heap[p]];
        if (b->repeats > 0) {
            uint64_t n = b->repeats;
            b->repeats = 0;
            fn(ctx, &e->keys[b->key].a, n);
        }
    }
}

void guard_engine_stats(const struct guard_engine *e,
                        struct guard_engine_stats *out)
{
    memset(out, 0, sizeof *out);
    out->tracked = e->tracked;
    out->tracked_max = e->tracked_max;
    out->banned = e->nheap;
    out->evicted = e->evicted;
    out->dropped = e->dropped;
    out->bytes = e->bytes;
}
