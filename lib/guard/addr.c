/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * addr.c - IPv4 and IPv6 addresses and prefixes: strict text parsing,
 * RFC 5952 output, masking, containment, hashing, and the allowlist set.
 *
 * Every access-log line goes through guard_addr_parse, so the dotted-quad
 * case is a straight scan with no library call; IPv6 is read group by
 * group into 16 bytes without inet_pton, which also accepts forms (leading
 * zeros in IPv4 parts) we refuse.  The allowlist is a sorted array rather
 * than a trie: it holds tens of prefixes, is read on every ban and changed
 * rarely, so an O(n) insert that recomputes each entry's nearest enclosing
 * prefix buys an O(log n + depth) lookup that finds a short prefix even
 * when a longer one inside it sorts nearer to the address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

static const uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0,    0,
                                          0, 0, 0, 0, 0xff, 0xff};

static int hexval(unsigned char c)
{
    int v = -1;
    if (c >= '0' && c <= '9') {
        v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
        v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
        v = c - 'A' + 10;
    }
    return v;
}

/* Reads a dotted quad of exactly len bytes into out[0..4): one to three
 * digits per part, no leading zero, at most 255.  Unrolled per digit, as
 * every access-log line comes through here. */
static bool parse_v4(const char *s, size_t len, uint8_t out[4])
{
    const char *e = s + len;
    bool ok = false;

    for (int part = 0; part < 4; part++) {
        unsigned v;
        unsigned d;
        if (part > 0) {
            if (s >= e || *s != '.') {
                goto out;
            }
            s++;
        }
        v = s < e ? (unsigned)(unsigned char)*s - '0' : 10;
        if (v > 9) {
            goto out;
        }
        s++;
        d = s < e ? (unsigned)(unsigned char)*s - '0' : 10;
        if (d <= 9) {
            if (v == 0) {
                goto out; /* a leading zero */
            }
            v = v * 10 + d;
            s++;
            d = s < e ? (unsigned)(unsigned char)*s - '0' : 10;
            if (d <= 9) {
                v = v * 10 + d;
                s++;
                if (v > 255) {
                    goto out;
                }
            }
        }
        out[part] = (uint8_t)v;
    }
    ok = s == e;
out:
    return ok;
}

/* Reads RFC 4291 text (groups, one "::", a trailing dotted quad). */
static bool parse_v6(const char *s, size_t len, uint8_t out[16])
{
    uint8_t b[16] = {0};
    size_t nb = 0;  /* bytes written */
    size_t gap = 0; /* where "::" stands, in bytes */
    bool has_gap = false;
    size_t i = 0;
    bool ok = false;

    if (len < 2 || len > 45) {
        goto out;
    }
    if (s[0] == ':') {
        if (s[1] != ':') {
            goto out;
        }
        has_gap = true;
        i = 2;
        if (i == len) {
            ok = true;
            goto fill;
        }
    }
    for (;;) {
        size_t start = i;
        unsigned v = 0;
        while (i < len && i - start < 4 && hexval((unsigned char)s[i]) >= 0) {
            v = v << 4 | (unsigned)hexval((unsigned char)s[i]);
            i++;
        }
        if (i < len && s[i] == '.') {
            /* the last 32 bits as a dotted quad */
            if (nb > 12 || !parse_v4(s + start, len - start, b + nb)) {
                goto out;
            }
            nb += 4;
            break;
        }
        if (i == start || nb > 14) {
            goto out;
        }
        b[nb++] = (uint8_t)(v >> 8);
        b[nb++] = (uint8_t)v;
        if (i == len) {
            break;
        }
        if (s[i] != ':') {
            goto out;
        }
        i++;
        if (i < len && s[i] == ':') {
            if (has_gap) {
                goto out;
            }
            has_gap = true;
            gap = nb;
            i++;
            if (i == len) {
                break;
            }
        } else if (i == len) {
            goto out; /* a trailing single ':' */
        }
    }
    if (!has_gap) {
        ok = nb == 16;
    } else {
        ok = nb < 16; /* "::" stands for at least one group */
    }
fill:
    if (ok) {
        size_t tail = nb - gap;
        memset(out, 0, 16);
        if (!has_gap) {
            memcpy(out, b, 16);
        } else {
            memcpy(out, b, gap);
            memcpy(out + 16 - tail, b + gap, tail);
        }
    }
out:
    return ok;
}

/* Parses a host address; *mapped tells an IPv4-mapped IPv6 text. */
static int parse_host(const char *s, size_t len, struct guard_addr *out,
                      bool *mapped)
{
    struct guard_addr a;
    int rc = KK_ERR_INVAL;

    memset(&a, 0, sizeof a);
    *mapped = false;
    if (s == NULL || len == 0 || len > 45) {
        goto out;
    }
    if (len <= 15 && parse_v4(s, len, a.b)) {
        a.family = 4;
        a.plen = 32;
    } else if (memchr(s, ':', len) != NULL && parse_v6(s, len, a.b)) {
        if (memcmp(a.b, mapped_prefix, 12) == 0) {
            memmove(a.b, a.b + 12, 4);
            memset(a.b + 4, 0, 12);
            a.family = 4;
            a.plen = 32;
            *mapped = true;
        } else {
            a.family = 6;
            a.plen = 128;
        }
    } else {
        goto out;
    }
    *out = a;
    rc = KK_OK;
out:
    return rc;
}

int guard_addr_parse(const char *s, size_t len, struct guard_addr *out)
{
    bool mapped;
    return parse_host(s, len, out, &mapped);
}

int guard_addr_parse_prefix(const char *s, size_t len, struct guard_addr *out)
{
    const char *slash;
    struct guard_addr a;
    bool mapped = false;
    unsigned plen = 0;
    int rc = KK_ERR_INVAL;

    if (s == NULL) {
        goto out;
    }
    slash = memchr(s, '/', len);
    if (slash == NULL) {
        rc = parse_host(s, len, out, &mapped);
        goto out;
    }
    if (parse_host(s, (size_t)(slash - s), &a, &mapped) != KK_OK) {
        goto out;
    }
    {
        const char *d = slash + 1;
        size_t n = len - (size_t)(d - s);
        if (n == 0 || n > 3 || (d[0] == '0' && n > 1)) {
            goto out;
        }
        for (size_t i = 0; i < n; i++) {
            if (d[i] < '0' || d[i] > '9') {
                goto out;
            }
            plen = plen * 10 + (unsigned)(d[i] - '0');
        }
    }
    if (mapped) {
        /* ::ffff:10.0.0.0/104 is 10.0.0.0/8 */
        if (plen < 96 || plen > 128) {
            goto out;
        }
        plen -= 96;
    }
    if (plen > (a.family == 4 ? 32u : 128u)) {
        goto out;
    }
    guard_addr_mask(&a, plen, plen);
    *out = a;
    rc = KK_OK;
out:
    return rc;
}

void guard_addr_mask(struct guard_addr *a, unsigned v4plen, unsigned v6plen)
{
    unsigned host = a->family == 4 ? 32 : 128;
    unsigned plen = a->family == 4 ? v4plen : v6plen;

    if (plen > host) {
        plen = host;
    }
    for (unsigned i = plen / 8; i < 16; i++) {
        unsigned keep = i == plen / 8 ? plen % 8 : 0;
        a->b[i] &= (uint8_t)(0xff00u >> keep);
    }
    a->plen = (uint8_t)plen;
}

/* True when the first plen bits of x and y agree. */
static bool same_bits(const uint8_t *x, const uint8_t *y, unsigned plen)
{
    unsigned whole = plen / 8;
    unsigned rest = plen % 8;
    bool same = memcmp(x, y, whole) == 0;
    if (same && rest != 0) {
        uint8_t m = (uint8_t)(0xff00u >> rest);
        same = ((x[whole] ^ y[whole]) & m) == 0;
    }
    return same;
}

bool guard_addr_contains(const struct guard_addr *net,
                         const struct guard_addr *a)
{
    return net->family == a->family && a->plen >= net->plen &&
           same_bits(net->b, a->b, net->plen);
}

bool guard_addr_eq(const struct guard_addr *a, const struct guard_addr *b)
{
    return a->family == b->family && a->plen == b->plen &&
           memcmp(a->b, b->b, 16) == 0;
}

uint64_t guard_addr_hash(const struct guard_addr *a)
{
    uint64_t lo;
    uint64_t hi;
    uint64_t h;

    memcpy(&lo, a->b, 8);
    memcpy(&hi, a->b + 8, 8);
    h = lo * 0x9e3779b97f4a7c15ull;
    h ^= (hi + ((uint64_t)a->family << 8 | a->plen)) * 0xc2b2ae3d27d4eb4full;
    /* the finaliser of MurmurHash3: every input bit reaches every output
     * bit, so masked keys differing only in high bytes spread well */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

int guard_addr_format(const struct guard_addr *a, char *out, size_t cap)
{
    char tmp[GUARD_ADDR_TEXT_MAX];
    size_t k = 0;
    int n;
    int rc = KK_ERR_INVAL;

    if (out == NULL || cap == 0) {
        goto out;
    }
    out[0] = '\0';
    if (a->family == 4) {
        n = snprintf(tmp, sizeof tmp, "%u.%u.%u.%u", a->b[0], a->b[1], a->b[2],
                     a->b[3]);
        if (n < 0) {
            goto out;
        }
        k = (size_t)n;
    } else if (a->family == 6) {
        unsigned g[8];
        int best = -1;
        int bestlen = 1; /* a single zero group is not compressed */
        for (int i = 0; i < 8; i++) {
            g[i] = (unsigned)a->b[2 * i] << 8 | a->b[2 * i + 1];
        }
        for (int i = 0; i < 8;) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestlen) {
                best = i;
                bestlen = j - i;
            }
            i = j > i ? j : i + 1;
        }
        for (int i = 0; i < 8; i++) {
            if (i == best) {
                tmp[k++] = ':';
                tmp[k++] = ':';
                i += bestlen - 1;
                continue;
            }
            if (k > 0 && tmp[k - 1] != ':') {
                tmp[k++] = ':';
            }
            n = snprintf(tmp + k, sizeof tmp - k, "%x", g[i]);
            if (n < 0) {
                goto out;
            }
            k += (size_t)n;
        }
        tmp[k] = '\0';
    } else {
        goto out;
    }
    if (a->plen < (a->family == 4 ? 32 : 128)) {
        n = snprintf(tmp + k, sizeof tmp - k, "/%u", a->plen);
        if (n < 0) {
            goto out;
        }
        k += (size_t)n;
    }
    if (k >= cap) {
        rc = KK_ERR_TRUNC;
        goto out;
    }
    memcpy(out, tmp, k + 1);
    rc = KK_OK;
out:
    return rc;
}

/* ---- The allowlist ---- */

struct guard_addrset {
    struct guard_addr *v;
    uint32_t *parent; /* nearest enclosing entry, or UINT32_MAX */
    size_t n;
    size_t cap;
};

/* Orders by family, network bytes, then shorter prefix first, so an
 * enclosing prefix always sorts before what it encloses. */
static int addr_cmp(const struct guard_addr *x, const struct guard_addr *y)
{
    int c = (int)x->family - (int)y->family;
    if (c == 0) {
        c = memcmp(x->b, y->b, 16);
    }
    if (c == 0) {
        c = (int)x->plen - (int)y->plen;
    }
    return c;
}

/* Index of the first entry greater than a (n when none). */
static size_t upper_bound(const struct guard_addrset *s,
                          const struct guard_addr *a)
{
    size_t lo = 0;
    size_t hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (addr_cmp(&s->v[mid], a) <= 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Recomputes every entry's nearest enclosing entry with a stack of the
 * open prefixes (O(n); the set changes rarely). */
static void relink(struct guard_addrset *s)
{
    uint32_t stack[130];
    size_t top = 0;
    for (size_t i = 0; i < s->n; i++) {
        while (top > 0 &&
               !guard_addr_contains(&s->v[stack[top - 1]], &s->v[i])) {
            top--;
        }
        s->parent[i] = top > 0 ? stack[top - 1] : UINT32_MAX;
        /* a chain holds at most 129 nested lengths per family */
        if (top < sizeof stack / sizeof stack[0]) {
            stack[top++] = (uint32_t)i;
        }
    }
}

struct guard_addrset *guard_addrset_new(void)
{
    return calloc(1, sizeof(struct guard_addrset));
}

void guard_addrset_free(struct guard_addrset *s)
{
    if (s != NULL) {
        free(s->v);
        free(s->parent);
        free(s);
    }
}

int guard_addrset_add(struct guard_addrset *s, const struct guard_addr *p)
{
    size_t at;
    int rc = KK_OK;

    if ((p->family != 4 && p->family != 6) ||
        p->plen > (p->family == 4 ? 32 : 128)) {
        rc = KK_ERR_INVAL;
        goto out;
    }
    at = upper_bound(s, p);
    if (at > 0 && addr_cmp(&s->v[at - 1], p) == 0) {
        goto out; /* already there */
    }
    if (s->n >= GUARD_ADDRSET_MAX) {
        rc = KK_ERR_LIMIT;
        goto out;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap == 0 ? 16 : s->cap * 2;
        struct guard_addr *v = realloc(s->v, cap * sizeof *v);
        uint32_t *par;
        if (v == NULL) {
            rc = KK_ERR_NOMEM;
            goto out;
        }
        s->v = v;
        par = realloc(s->parent, cap * sizeof *par);
        if (par == NULL) {
            rc = KK_ERR_NOMEM;
            goto out;
        }
        s->parent = par;
        s->cap = cap;
    }
    memmove(&s->v[at + 1], &s->v[at], (s->n - at) * sizeof s->v[0]);
    s->v[at] = *p;
    /* the stored prefix never carries host bits */
    guard_addr_mask(&s->v[at], p->plen, p->plen);
    s->n++;
    relink(s);
out:
    return rc;
}

int guard_addrset_remove(struct guard_addrset *s, const struct guard_addr *p)
{
    struct guard_addr m = *p;
    size_t at;
    int rc = KK_ERR_NOTFOUND;

    guard_addr_mask(&m, p->plen, p->plen);
    at = upper_bound(s, &m);
    if (at == 0 || addr_cmp(&s->v[at - 1], &m) != 0) {
        goto out;
    }
    at--;
    memmove(&s->v[at], &s->v[at + 1], (s->n - at - 1) * sizeof s->v[0]);
    s->n--;
    relink(s);
    rc = KK_OK;
out:
    return rc;
}

bool guard_addrset_contains(const struct guard_addrset *s,
                            const struct guard_addr *a)
{
    size_t at;
    uint32_t i;
    bool found = false;

    if (s == NULL || s->n == 0) {
        goto out;
    }
    /* The last entry not after a: every entry containing a encloses it
     * (or is it), so a walk up its chain of enclosing prefixes finds
     * one if there is one. */
    at = upper_bound(s, a);
    if (at == 0) {
        goto out;
    }
    i = (uint32_t)(at - 1);
    while (i != UINT32_MAX && !found) {
        found = guard_addr_contains(&s->v[i], a);
        i = s->parent[i];
    }
out:
    return found;
}

size_t guard_addrset_count(const struct guard_addrset *s)
{
    return s == NULL ? 0 : s->n;
}

const struct guard_addr *guard_addrset_at(const struct guard_addrset *s,
                                          size_t i)
{
    return s != NULL && i < s->n ? &s->v[i] : NULL;
}
