/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * banner.c - the ban backends behind one queue: requests are checked and
 * queued, and a commit folds the queue (the last operation per key wins, a
 * FLUSH drops what came before it) and hands it to nftables, the deny file
 * or nothing.
 *
 * Why fold: the engine may ban, lift and ban a key again between two
 * commits, and restoring state re-sends every ban; folding makes a
 * backend's work one write per key, and lets nft.c refresh an element's
 * timeout without ever deleting it twice in one batch.  It costs a sort
 * of the queue per commit, O(q log q), which is small next to the
 * netlink or file work.
 */
#include "ban_backend.h"

#include <stdlib.h>
#include <string.h>

#include "kalkan/kk.h"

struct guard_banner {
    enum guard_backend kind;
    struct guard_nft *nft;
    struct guard_deny *deny;
    struct guard_ban_req *q; /* queued requests, in order */
    size_t nq, capq;
};

int guard_ban_key_cmp(const struct guard_addr *a, const struct guard_addr *b)
{
    int c;

    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    c = memcmp(a->b, b->b, sizeof a->b);
    if (c != 0)
        return c < 0 ? -1 : 1;
    if (a->plen != b->plen)
        return a->plen < b->plen ? -1 : 1;
    return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;

    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* True when bits plen.. of the address (of bits in all) are zero. */
static bool host_bits_clear(const uint8_t *b, unsigned plen, unsigned bits)
{
    for (unsigned i = plen; i < bits; i++) {
        if ((b[i / 8] >> (7 - i % 8)) & 1)
            return false;
    }
    return true;
}

int guard_ban_req_check(const struct guard_ban_req *r, struct kk_diag *d)
{
    const struct guard_addr *a = &r->addr;
    int ret = KK_ERR_INVAL;
    unsigned bits;
    unsigned min;

    if (r->op == GUARD_OP_FLUSH || r->op == GUARD_OP_COMMIT) {
        if (r->timeout != 0 || a->family != 0 || a->plen != 0 ||
            !all_zero(a->b, sizeof a->b)) {
            kk_diag_set(d, "%s carries an address or a timeout",
                        r->op == GUARD_OP_FLUSH ? "flush" : "commit");
            goto out;
        }
        ret = KK_OK;
        goto out;
    }
    if (r->op != GUARD_OP_ADD && r->op != GUARD_OP_DEL) {
        kk_diag_set(d, "unknown operation %u", (unsigned)r->op);
        goto out;
    }
    if (a->family == 4) {
        bits = 32;
        min = GUARD_BAN_V4_PLEN_MIN;
    } else if (a->family == 6) {
        bits = 128;
        min = GUARD_BAN_V6_PLEN_MIN;
    } else {
        kk_diag_set(d, "unknown address family %u", (unsigned)a->family);
        goto out;
    }
    if (a->plen < min || a->plen > bits) {
        kk_diag_set(d, "prefix length %u outside %u-%u for IPv%u",
                    (unsigned)a->plen, min, bits, (unsigned)a->family);
        goto out;
    }
    if (bits == 32 && !all_zero(a->b + 4, sizeof a->b - 4)) {
        kk_diag_set(d, "IPv4 address with bytes beyond the fourth");
        goto out;
    }
    if (!host_bits_clear(a->b, a->plen, bits)) {
        kk_diag_set(d, "host bits set beyond /%u", (unsigned)a->plen);
        goto out;
    }
    if (r->op == GUARD_OP_ADD &&
        (r->timeout == 0 || r->timeout > GUARD_TIMEOUT_MAX)) {
        kk_diag_set(d, "timeout %u outside 1-%u seconds", (unsigned)r->timeout,
                    GUARD_TIMEOUT_MAX);
        goto out;
    }
    if (r->op == GUARD_OP_DEL && r->timeout != 0) {
        kk_diag_set(d, "delete carries a timeout");
        goto out;
    }
    ret = KK_OK;
out:
    return ret;
}

int guard_banner_open(const struct guard_conf *c, struct guard_banner **out,
                      struct kk_diag *d)
{
    struct guard_banner *b = calloc(1, sizeof *b);
    int r = KK_ERR_NOMEM;

    if (b == NULL)
        goto out;
    b->kind = c->backend;
    switch (c->backend) {
    case GUARD_BACKEND_NFT:
        r = guard_nft_open(c, &b->nft, d);
        break;
    case GUARD_BACKEND_FILE:
        r = guard_deny_open(c, &b->deny, d);
        break;
    case GUARD_BACKEND_NONE:
        r = KK_OK;
        break;
    default:
        kk_diag_set(d, "unknown ban backend %d", (int)c->backend);
        r = KK_ERR_INVAL;
        break;
    }
    if (r != KK_OK)
        goto out;
    *out = b;
    b = NULL;
out:
    guard_banner_close(b);
    return r;
}

void guard_banner_close(struct guard_banner *b)
{
    if (b == NULL)
        return;
    guard_nft_close(b->nft);
    guard_deny_close(b->deny);
    free(b->q);
    free(b);
}

int guard_banner_queue(struct guard_banner *b, const struct guard_ban_req *r,
                       struct kk_diag *d)
{
    int ret = guard_ban_req_check(r, d);

    if (ret != KK_OK)
        goto out;
    if (r->op == GUARD_OP_COMMIT) {
        kk_diag_set(d, "a commit is not queued");
        ret = KK_ERR_INVAL;
        goto out;
    }
    if (b->nq == b->capq) {
        size_t cap = b->capq == 0 ? 64 : b->capq * 2;
        struct guard_ban_req *q;

        if (b->nq >= GUARD_BAN_QUEUE_MAX) {
            kk_diag_set(d, "more than %u requests before a commit",
                        GUARD_BAN_QUEUE_MAX);
            ret = KK_ERR_LIMIT;
            goto out;
        }
        if (cap > GUARD_BAN_QUEUE_MAX)
            cap = GUARD_BAN_QUEUE_MAX;
        q = realloc(b->q, cap * sizeof *q);
        if (q == NULL) {
            ret = KK_ERR_NOMEM;
            goto out;
        }
        b->q = q;
        b->capq = cap;
    }
    b->q[b->nq++] = *r;
out:
    return ret;
}

/* A queued request and where it stood, for a stable "last one wins". */
struct seq_req {
    struct guard_ban_req r;
    size_t seq;
};

static int seq_cmp(const void *pa, const void *pb)
{
    const struct seq_req *a = pa, *b = pb;
    int c = guard_ban_key_cmp(&a->r.addr, &b->r.addr);

    if (c == 0 && a->seq != b->seq)
        c = a->seq < b->seq ? -1 : 1;
    return c;
}

/* Folds b's queue into l (l->r allocated into *mem, the caller frees). */
static int fold(const struct guard_banner *b, struct guard_ban_list *l,
                struct guard_ban_req **mem)
{
    struct seq_req *s = NULL;
    struct guard_ban_req *o = NULL;
    size_t start = 0, ns = 0, no = 0;
    int r = KK_ERR_NOMEM;

    memset(l, 0, sizeof *l);
    for (size_t i = 0; i < b->nq; i++) {
        if (b->q[i].op == GUARD_OP_FLUSH) {
            l->flush = true;
            start = i + 1;
        }
    }
    if (b->nq > start) {
        s = calloc(b->nq - start, sizeof *s);
        o = calloc(b->nq - start, sizeof *o);
        if (s == NULL || o == NULL)
            goto out;
    }
    for (size_t i = start; i < b->nq; i++) {
        s[ns].r = b->q[i];
        s[ns].seq = i;
        ns++;
    }
    if (ns > 1)
        qsort(s, ns, sizeof *s, seq_cmp);
    for (size_t i = 0; i < ns; i++) {
        bool last = i + 1 == ns ||
                    guard_ban_key_cmp(&s[i].r.addr, &s[i + 1].r.addr) != 0;
        if (last)
            o[no++] = s[i].r;
    }
    l->r = o;
    l->n = no;
    *mem = o;
    o = NULL;
    r = KK_OK;
out:
    free(s);
    free(o);
    return r;
}

int guard_banner_commit(struct guard_banner *b, struct kk_diag *d)
{
    struct guard_ban_list l;
    struct guard_ban_req *mem = NULL;
    int r = fold(b, &l, &mem);

    if (r != KK_OK) {
        kk_diag_set(d, "no memory to fold %zu requests", b->nq);
        goto out;
    }
    switch (b->kind) {
    case GUARD_BACKEND_NFT:
        if (l.flush || l.n > 0)
            r = guard_nft_apply(b->nft, &l, d);
        break;
    case GUARD_BACKEND_FILE:
        r = guard_deny_apply(b->deny, &l, d);
        break;
    case GUARD_BACKEND_NONE:
    default:
        break;
    }
    /* The queue is spent either way: a failed batch is reported, and the
     * daemon re-asserts live bans at its next commit of them. */
    b->nq = 0;
out:
    free(mem);
    return r;
}

int64_t guard_banner_wait_ms(const struct guard_banner *b)
{
    return b->deny != NULL ? guard_deny_wait_ms(b->deny) : -1;
}

struct guard_deny *guard_banner_deny(struct guard_banner *b)
{
    return b->deny;
}
