/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * nft.c - bans as elements of two nftables sets (IPv4 and IPv6, flags
 * interval and timeout), written over netlink with libnftnl and libmnl:
 * no `nft` process, no text to parse.
 *
 * Each commit is one transaction (NFNL_MSG_BATCH_BEGIN ... END): it
 * applies whole or not at all, whatever the number of changes.  Elements
 * go many to a message (GUARD_NFT_ELEMS_MSG).  The kernel's interval tree
 * is the cost: about 0.4 CPU-s for 100,000 new bans on a loaded 2-core
 * machine, where `nft -f` took 1.1 CPU-s for the same set.
 *
 * Two kernel behaviours shape the batch.  Re-adding a live element leaves
 * its timeout as it was on older kernels (6.1), and deleting an absent one
 * fails the whole transaction.  So a key that may be there is added (a
 * no-op when present), deleted (now certain to succeed), and a ban added
 * once more with its new timeout.  That triples the kernel's work, so a
 * mirror of the sets (read back at open, kept by every commit) tells which
 * keys are surely absent (one add) or surely present (a delete and an
 * add); only the others pay for all three.  What can still fail is an
 * element overlapping another of a different length (the prefix
 * configuration changed while bans were live) or one removed behind our
 * back: then each key is retried in a batch of its own, as if the mirror
 * knew nothing, and the ones the kernel refuses are reported.  Elements
 * added by someone else after open are not known: a lift of one is
 * skipped.
 *
 * A prefix is an interval: the start element, and an end element (flag
 * NFT_SET_ELEM_INTERVAL_END) on the first address after it, left out when
 * the prefix runs to the end of the address space, as nft does.
 */
#include "ban_backend.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "kalkan/kk.h"

#define GUARD_NFT_NAME_MAX 64    /* bytes in a table or set name */
#define GUARD_NFT_ELEMS_MSG 256  /* elements in one netlink message */
#define GUARD_NFT_MSG_ROOM 32768 /* bytes reserved for one message */
#define GUARD_NFT_RX 65536       /* receive buffer */
#define GUARD_NFT_BATCH_MAX (512u * 1024 * 1024) /* bytes in one batch */
#define GUARD_NFT_KEYTYPE_V4 7                   /* nft's ipv4_addr */
#define GUARD_NFT_KEYTYPE_V6 8                   /* nft's ipv6_addr */
#define GUARD_NFT_CHAIN "input"
#define GUARD_NFT_PRIO (-10)
#define GUARD_NFT_MIRROR_MAX (4u * 1024 * 1024) /* keys remembered */
#define GUARD_NFT_MARGIN_MS 10000 /* "about to expire": not sure */

/* ---- what the sets hold, as far as we know ---- */

/*
 * A hash of the start addresses in both sets and when each expires,
 * filled by a dump at open and kept by every commit.  It decides how much
 * of "add, delete, add" a key needs: a key known absent is only added, a
 * key known present is deleted and added, and only a key we cannot be sure
 * of (about to expire, its length unknown, or the mirror full) pays for
 * all three.  Open addressing with linear probing; removal shifts the
 * run back, so there are no tombstones.
 */
struct mirror_slot {
    uint8_t b[16];
    uint8_t family; /* 0: free */
    uint8_t plen;   /* 0: unknown (read from the kernel) */
    int64_t until;  /* monotonic ms; INT64_MAX without timeout */
};

struct mirror {
    struct mirror_slot *s;
    size_t cap, n;
    bool full; /* keys were left out: "not here" means "not sure" */
};

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t m_hash(uint8_t family, const uint8_t *b)
{
    uint64_t h = 1469598103934665603ull ^ family;

    for (int i = 0; i < 16; i++) {
        h ^= b[i];
        h *= 1099511628211ull;
    }
    return (size_t)(h ^ (h >> 29));
}

static struct mirror_slot *m_find(const struct mirror *m, uint8_t family,
                                  const uint8_t *b)
{
    struct mirror_slot *found = NULL;

    if (m->cap == 0)
        return NULL;
    for (size_t i = m_hash(family, b) & (m->cap - 1);;
         i = (i + 1) & (m->cap - 1)) {
        struct mirror_slot *sl = &m->s[i];
        if (sl->family == 0)
            break;
        if (sl->family == family && memcmp(sl->b, b, 16) == 0) {
            found = sl;
            break;
        }
    }
    return found;
}

static int m_grow(struct mirror *m)
{
    struct mirror_slot *old = m->s;
    size_t ocap = m->cap, cap = ocap == 0 ? 1024 : ocap * 2;

    m->s = calloc(cap, sizeof *m->s);
    if (m->s == NULL) {
        m->s = old;
        return KK_ERR_NOMEM;
    }
    m->cap = cap;
    for (size_t i = 0; i < ocap; i++) {
        size_t j;

        if (old[i].family == 0)
            continue;
        for (j = m_hash(old[i].family, old[i].b) & (cap - 1);
             m->s[j].family != 0; j = (j + 1) & (cap - 1))
            ;
        m->s[j] = old[i];
    }
    free(old);
    return KK_OK;
}

/* Records (or updates) a start address; a full mirror says so. */
static void m_put(struct mirror *m, uint8_t family, const uint8_t *b,
                  uint8_t plen, int64_t until)
{
    struct mirror_slot *sl = m_find(m, family, b);
    size_t i;

    if (sl == NULL) {
        if (m->n >= GUARD_NFT_MIRROR_MAX ||
            ((m->n + 1) * 2 > m->cap && m_grow(m) != KK_OK)) {
            m->full = true;
            return;
        }
        for (i = m_hash(family, b) & (m->cap - 1); m->s[i].family != 0;
             i = (i + 1) & (m->cap - 1))
            ;
        sl = &m->s[i];
        memcpy(sl->b, b, 16);
        sl->family = family;
        m->n++;
    }
    sl->plen = plen;
    sl->until = until;
}

static void m_del(struct mirror *m, uint8_t family, const uint8_t *b)
{
    struct mirror_slot *sl = m_find(m, family, b);
    size_t i, j;

    if (sl == NULL)
        return;
    i = (size_t)(sl - m->s);
    m->s[i].family = 0;
    m->n--;
    /* Shift the rest of the run back over the hole. */
    for (j = (i + 1) & (m->cap - 1); m->s[j].family != 0;
         j = (j + 1) & (m->cap - 1)) {
        size_t home = m_hash(m->s[j].family, m->s[j].b) & (m->cap - 1);
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);

        if (stays)
            continue;
        m->s[i] = m->s[j];
        m->s[j].family = 0;
        i = j;
    }
}

static void m_clear(struct mirror *m)
{
    if (m->s != NULL)
        memset(m->s, 0, m->cap * sizeof *m->s);
    m->n = 0;
    m->full = false;
}

struct nft_batch {
    char *p;
    size_t len, cap;
};

struct guard_nft {
    struct mnl_socket *nl;
    uint32_t portid;
    uint32_t seq;
    char table[GUARD_NFT_NAME_MAX];
    char set[2][GUARD_NFT_NAME_MAX]; /* [0] IPv4, [1] IPv6 */
    bool interval[2];
    struct nft_batch b;
    char *rx;
    int sndbuf; /* what SO_SNDBUF(FORCE) was last set to */
    struct mirror m;
    uint8_t *cls; /* per key of a commit: the phases it needs */
    size_t ncls;
};

/* ---- the batch buffer ---- */

static int nb_room(struct nft_batch *b, size_t need)
{
    size_t want;
    char *p;

    if (b->cap - b->len >= need)
        return KK_OK;
    if (kk_size_add(b->len, need, &want) != KK_OK || want > GUARD_NFT_BATCH_MAX)
        return KK_ERR_LIMIT;
    if (want < b->cap * 2)
        want = b->cap * 2;
    if (want > GUARD_NFT_BATCH_MAX)
        want = GUARD_NFT_BATCH_MAX;
    p = realloc(b->p, want);
    if (p == NULL)
        return KK_ERR_NOMEM;
    b->p = p;
    b->cap = want;
    return KK_OK;
}

static char *nb_cur(struct nft_batch *b)
{
    return b->p + b->len;
}

static void nb_done(struct nft_batch *b, const struct nlmsghdr *h)
{
    b->len += NLMSG_ALIGN(h->nlmsg_len);
}

static int nb_batch_mark(struct guard_nft *n, bool begin)
{
    struct nlmsghdr *h;
    int r = nb_room(&n->b, 64);

    if (r != KK_OK)
        return r;
    memset(nb_cur(&n->b), 0, 64);
    h = begin ? nftnl_batch_begin(nb_cur(&n->b), n->seq++)
              : nftnl_batch_end(nb_cur(&n->b), n->seq++);
    nb_done(&n->b, h);
    return KK_OK;
}

/* ---- talking to the kernel ---- */

/* Sets the socket's send buffer to hold len bytes at once (a batch must
 * reach the kernel in one sendmsg). */
static int nft_sndbuf(struct guard_nft *n, size_t len, struct kk_diag *d)
{
    int fd = mnl_socket_get_fd(n->nl);
    int want;

    if (len > (size_t)(INT32_MAX / 2 - 4096)) {
        kk_diag_set(d, "nft: a batch of %zu bytes is too large", len);
        return KK_ERR_LIMIT;
    }
    want = (int)len + 4096;
    if (want <= n->sndbuf)
        return KK_OK;
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof want) != 0 &&
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof want) != 0) {
        kk_diag_set(d, "nft: cannot size the send buffer: %s", strerror(errno));
        return KK_ERR_SYSTEM;
    }
    n->sndbuf = want;
    return KK_OK;
}

/* Sends the batch and collects the kernel's answers: the first error and
 * the sequence number of the message that caused it. */
static int nft_send_batch(struct guard_nft *n, int *err, uint32_t *err_seq,
                          struct kk_diag *d)
{
    int fd = mnl_socket_get_fd(n->nl);
    int r = nft_sndbuf(n, n->b.len, d);

    *err = 0;
    *err_seq = 0;
    if (r != KK_OK)
        goto out;
    if (mnl_socket_sendto(n->nl, n->b.p, n->b.len) < 0) {
        kk_diag_set(d, "nft: cannot send a batch of %zu bytes: %s", n->b.len,
                    strerror(errno));
        r = KK_ERR_SYSTEM;
        goto out;
    }
    /* The kernel handles the batch inside sendmsg; its error answers are
     * queued by now (success is silent: no message asked for an ack). */
    for (;;) {
        ssize_t got = recv(fd, n->rx, GUARD_NFT_RX, MSG_DONTWAIT);
        const struct nlmsghdr *h = (const struct nlmsghdr *)n->rx;
        int left;

        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (got < 0) {
            if (*err == 0)
                *err = errno;
            break;
        }
        left = (int)got;
        while (mnl_nlmsg_ok(h, left)) {
            if (h->nlmsg_type == NLMSG_ERROR &&
                h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
                const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
                if (e->error != 0 && *err == 0) {
                    *err = -e->error;
                    *err_seq = h->nlmsg_seq;
                }
            }
            h = mnl_nlmsg_next(h, &left);
        }
    }
out:
    return r;
}

/* One request, answered by messages for cb (or an ack): KK_ERR_NOTFOUND
 * when the kernel says ENOENT. */
static int nft_query(struct guard_nft *n, struct nlmsghdr *h, mnl_cb_t cb,
                     void *data, struct kk_diag *d)
{
    uint32_t seq = h->nlmsg_seq;
    int rc = 0;
    int r = KK_ERR_SYSTEM;

    if (mnl_socket_sendto(n->nl, h, h->nlmsg_len) < 0) {
        kk_diag_set(d, "nft: cannot send a query: %s", strerror(errno));
        goto out;
    }
    do {
        ssize_t got = mnl_socket_recvfrom(n->nl, n->rx, GUARD_NFT_RX);
        if (got < 0) {
            kk_diag_set(d, "nft: cannot read an answer: %s", strerror(errno));
            goto out;
        }
        rc = mnl_cb_run(n->rx, (size_t)got, seq, n->portid, cb, data);
    } while (rc > 0);
    if (rc < 0 && errno == ENOENT) {
        r = KK_ERR_NOTFOUND;
        goto out;
    }
    if (rc < 0) {
        kk_diag_set(d, "nft: %s", strerror(errno));
        r = errno == EPERM ? KK_ERR_PERM : KK_ERR_SYSTEM;
        goto out;
    }
    r = KK_OK;
out:
    return r;
}

/* ---- what is there ---- */

struct set_info {
    bool found;
    uint32_t flags, key_type, key_len;
};

static int set_info_cb(const struct nlmsghdr *h, void *data)
{
    struct set_info *si = data;
    struct nftnl_set *s = nftnl_set_alloc();

    if (s == NULL)
        return MNL_CB_ERROR;
    if (nftnl_set_nlmsg_parse(h, s) == 0) {
        si->found = true;
        si->flags = nftnl_set_get_u32(s, NFTNL_SET_FLAGS);
        si->key_type = nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE);
        si->key_len = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
    }
    nftnl_set_free(s);
    return MNL_CB_OK;
}

static int nft_get_set(struct guard_nft *n, const char *name,
                       struct set_info *si, struct kk_diag *d)
{
    char buf[1024];
    struct nftnl_set *s = nftnl_set_alloc();
    struct nlmsghdr *h;
    int r = KK_ERR_NOMEM;

    memset(si, 0, sizeof *si);
    if (s == NULL)
        goto out;
    nftnl_set_set_str(s, NFTNL_SET_TABLE, n->table);
    nftnl_set_set_str(s, NFTNL_SET_NAME, name);
    h = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSET, NFPROTO_INET, NLM_F_ACK,
                              n->seq++);
    nftnl_set_nlmsg_build_payload(h, s);
    r = nft_query(n, h, set_info_cb, si, d);
    if (r == KK_ERR_NOTFOUND) {
        si->found = false;
        r = KK_OK;
    }
out:
    nftnl_set_free(s);
    return r;
}

/* KK_OK when the object exists, KK_ERR_NOTFOUND when not. */
static int nft_exists(struct guard_nft *n, uint16_t type, struct kk_diag *d)
{
    char buf[1024];
    struct nlmsghdr *h;

    h = nftnl_nlmsg_build_hdr(buf, type, NFPROTO_INET, NLM_F_ACK, n->seq++);
    mnl_attr_put_strz(h, NFTA_TABLE_NAME, n->table);
    if (type == NFT_MSG_GETCHAIN)
        mnl_attr_put_strz(h, NFTA_CHAIN_NAME, GUARD_NFT_CHAIN);
    return nft_query(n, h, NULL, NULL, d);
}

struct rule_scan {
    const struct guard_nft *n;
    bool has[2]; /* a rule looks up set[0] / set[1] */
};

static int rule_expr_cb(struct nftnl_expr *e, void *data)
{
    struct rule_scan *rs = data;
    const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
    const char *set;

    if (name == NULL || strcmp(name, "lookup") != 0)
        return MNL_CB_OK;
    set = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);
    for (int i = 0; i < 2 && set != NULL; i++) {
        if (strcmp(set, rs->n->set[i]) == 0)
            rs->has[i] = true;
    }
    return MNL_CB_OK;
}

static int rule_scan_cb(const struct nlmsghdr *h, void *data)
{
    struct nftnl_rule *r = nftnl_rule_alloc();

    if (r == NULL)
        return MNL_CB_ERROR;
    if (nftnl_rule_nlmsg_parse(h, r) == 0)
        nftnl_expr_foreach(r, rule_expr_cb, data);
    nftnl_rule_free(r);
    return MNL_CB_OK;
}

static int nft_scan_rules(struct guard_nft *n, struct rule_scan *rs,
                          struct kk_diag *d)
{
    char buf[1024];
    struct nlmsghdr *h;

    memset(rs, 0, sizeof *rs);
    rs->n = n;
    h = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, NFPROTO_INET, NLM_F_DUMP,
                              n->seq++);
    mnl_attr_put_strz(h, NFTA_RULE_TABLE, n->table);
    mnl_attr_put_strz(h, NFTA_RULE_CHAIN, GUARD_NFT_CHAIN);
    return nft_query(n, h, rule_scan_cb, rs, d);
}

/* ---- creating what is missing ---- */

static int put_table(struct guard_nft *n)
{
    struct nftnl_table *t = nftnl_table_alloc();
    struct nlmsghdr *h;
    int r = KK_ERR_NOMEM;

    if (t == NULL || nb_room(&n->b, GUARD_NFT_MSG_ROOM) != KK_OK)
        goto out;
    nftnl_table_set_str(t, NFTNL_TABLE_NAME, n->table);
    h = nftnl_nlmsg_build_hdr(nb_cur(&n->b), NFT_MSG_NEWTABLE, NFPROTO_INET,
                              NLM_F_CREATE, n->seq++);
    nftnl_table_nlmsg_build_payload(h, t);
    nb_done(&n->b, h);
    r = KK_OK;
out:
    nftnl_table_free(t);
    return r;
}

static int put_set(struct guard_nft *n, int fam)
{
    struct nftnl_set *s = nftnl_set_alloc();
    struct nlmsghdr *h;
    int r = KK_ERR_NOMEM;

    if (s == NULL || nb_room(&n->b, GUARD_NFT_MSG_ROOM) != KK_OK)
        goto out;
    nftnl_set_set_str(s, NFTNL_SET_TABLE, n->table);
    nftnl_set_set_str(s, NFTNL_SET_NAME, n->set[fam]);
    nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
    nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE,
                      fam == 0 ? GUARD_NFT_KEYTYPE_V4 : GUARD_NFT_KEYTYPE_V6);
    nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, fam == 0 ? 4 : 16);
    nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_INTERVAL | NFT_SET_TIMEOUT);
    nftnl_set_set_u32(s, NFTNL_SET_ID, (uint32_t)fam + 1);
    h = nftnl_nlmsg_build_hdr(nb_cur(&n->b), NFT_MSG_NEWSET, NFPROTO_INET,
                              NLM_F_CREATE, n->seq++);
    nftnl_set_nlmsg_build_payload(h, s);
    nb_done(&n->b, h);
    n->interval[fam] = true;
    r = KK_OK;
out:
    nftnl_set_free(s);
    return r;
}

static int put_chain(struct guard_nft *n)
{
    struct nftnl_chain *c = nftnl_chain_alloc();
    struct nlmsghdr *h;
    int r = KK_ERR_NOMEM;

    if (c == NULL || nb_room(&n->b, GUARD_NFT_MSG_ROOM) != KK_OK)
        goto out;
    nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, n->table);
    nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, GUARD_NFT_CHAIN);
    nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
    nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_LOCAL_IN);
    nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, GUARD_NFT_PRIO);
    nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
    h = nftnl_nlmsg_build_hdr(nb_cur(&n->b), NFT_MSG_NEWCHAIN, NFPROTO_INET,
                              NLM_F_CREATE, n->seq++);
    nftnl_chain_nlmsg_build_payload(h, c);
    nb_done(&n->b, h);
    r = KK_OK;
out:
    nftnl_chain_free(c);
    return r;
}

static int add_expr(struct nftnl_rule *rule, struct nftnl_expr *e)
{
    if (e == NULL)
        return KK_ERR_NOMEM;
    nftnl_rule_add_expr(rule, e);
    return KK_OK;
}

/* "ip saddr @set4 drop" or "ip6 saddr @set6 drop" in an inet table:
 * meta nfproto == ipv4; payload network header [12, 4) (ip6: [8, 16));
 * lookup in the set; verdict drop.  set_id names a set created in the
 * same batch (0: it existed). */
static int put_rule(struct guard_nft *n, int fam, uint32_t set_id)
{
    struct nftnl_rule *rule = nftnl_rule_alloc();
    struct nftnl_expr *e;
    struct nlmsghdr *h;
    uint8_t proto = fam == 0 ? NFPROTO_IPV4 : NFPROTO_IPV6;
    int r = KK_ERR_NOMEM;

    if (rule == NULL || nb_room(&n->b, GUARD_NFT_MSG_ROOM) != KK_OK)
        goto out;
    nftnl_rule_set_u32(rule, NFTNL_RULE_FAMILY, NFPROTO_INET);
    nftnl_rule_set_str(rule, NFTNL_RULE_TABLE, n->table);
    nftnl_rule_set_str(rule, NFTNL_RULE_CHAIN, GUARD_NFT_CHAIN);

    e = nftnl_expr_alloc("meta");
    if (e != NULL) {
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_NFPROTO);
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
    }
    r = add_expr(rule, e);
    e = r == KK_OK ? nftnl_expr_alloc("cmp") : NULL;
    if (e != NULL) {
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
        nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &proto, sizeof proto);
    }
    r = r == KK_OK ? add_expr(rule, e) : r;
    e = r == KK_OK ? nftnl_expr_alloc("payload") : NULL;
    if (e != NULL) {
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE,
                           NFT_PAYLOAD_NETWORK_HEADER);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, fam == 0 ? 12 : 8);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, fam == 0 ? 4 : 16);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
    }
    r = r == KK_OK ? add_expr(rule, e) : r;
    e = r == KK_OK ? nftnl_expr_alloc("lookup") : NULL;
    if (e != NULL) {
        nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
        nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, n->set[fam]);
        if (set_id != 0)
            nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, set_id);
    }
    r = r == KK_OK ? add_expr(rule, e) : r;
    e = r == KK_OK ? nftnl_expr_alloc("immediate") : NULL;
    if (e != NULL) {
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_DROP);
    }
    r = r == KK_OK ? add_expr(rule, e) : r;
    if (r != KK_OK)
        goto out;
    h = nftnl_nlmsg_build_hdr(nb_cur(&n->b), NFT_MSG_NEWRULE, NFPROTO_INET,
                              NLM_F_CREATE | NLM_F_APPEND, n->seq++);
    nftnl_rule_nlmsg_build_payload(h, rule);
    nb_done(&n->b, h);
out:
    nftnl_rule_free(rule);
    return r;
}

static bool name_ok(const char *s)
{
    size_t len = s == NULL ? 0 : strlen(s);

    if (len == 0 || len >= GUARD_NFT_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* Checks a set that is there: the right key, a timeout flag. */
static int set_usable(const struct guard_nft *n, int fam,
                      const struct set_info *si, struct kk_diag *d)
{
    uint32_t type = fam == 0 ? GUARD_NFT_KEYTYPE_V4 : GUARD_NFT_KEYTYPE_V6;
    uint32_t len = fam == 0 ? 4 : 16;

    if (si->key_type != type || si->key_len != len ||
        (si->flags & NFT_SET_TIMEOUT) == 0 || (si->flags & NFT_SET_MAP) != 0) {
        kk_diag_set(d,
                    "nft: set inet %s %s is not of type %s with flags "
                    "timeout (and interval, for prefixes)",
                    n->table, n->set[fam],
                    fam == 0 ? "ipv4_addr" : "ipv6_addr");
        return KK_ERR_INVAL;
    }
    return KK_OK;
}

/* Looks at the table, creates what is missing when create is set. */
static int nft_setup(struct guard_nft *n, bool create, struct kk_diag *d)
{
    struct set_info si[2];
    struct rule_scan rs;
    bool table = false, chain = false;
    int err = 0;
    uint32_t err_seq;
    int r = nft_exists(n, NFT_MSG_GETTABLE, d);

    memset(&rs, 0, sizeof rs);
    memset(si, 0, sizeof si);
    if (r == KK_OK)
        table = true;
    else if (r != KK_ERR_NOTFOUND)
        goto out;
    for (int f = 0; f < 2 && table; f++) {
        r = nft_get_set(n, n->set[f], &si[f], d);
        if (r != KK_OK)
            goto out;
        if (si[f].found) {
            r = set_usable(n, f, &si[f], d);
            if (r != KK_OK)
                goto out;
            n->interval[f] = (si[f].flags & NFT_SET_INTERVAL) != 0;
        }
    }
    if (!create) {
        r = KK_OK;
        for (int f = 0; f < 2 && r == KK_OK; f++) {
            if (!si[f].found) {
                kk_diag_set(d,
                            "nft: set inet %s %s does not exist (and "
                            "nft_create = no)",
                            n->table, n->set[f]);
                r = KK_ERR_NOTFOUND;
            }
        }
        goto out;
    }
    if (table) {
        r = nft_exists(n, NFT_MSG_GETCHAIN, d);
        if (r == KK_OK)
            chain = true;
        else if (r != KK_ERR_NOTFOUND)
            goto out;
    }
    if (chain) {
        r = nft_scan_rules(n, &rs, d);
        if (r != KK_OK)
            goto out;
    }
    if (table && si[0].found && si[1].found && chain && rs.has[0] &&
        rs.has[1]) {
        r = KK_OK; /* everything is there: change nothing */
        goto out;
    }
    n->b.len = 0;
    r = nb_batch_mark(n, true);
    if (r == KK_OK && !table)
        r = put_table(n);
    for (int f = 0; f < 2 && r == KK_OK; f++) {
        if (!si[f].found)
            r = put_set(n, f);
    }
    if (r == KK_OK && !chain)
        r = put_chain(n);
    for (int f = 0; f < 2 && r == KK_OK; f++) {
        if (!rs.has[f])
            r = put_rule(n, f, si[f].found ? 0 : (uint32_t)f + 1);
    }
    if (r == KK_OK)
        r = nb_batch_mark(n, false);
    if (r != KK_OK) {
        kk_diag_set(d, "nft: cannot build the table: %s", kk_strerror(r));
        goto out;
    }
    r = nft_send_batch(n, &err, &err_seq, d);
    if (r == KK_OK && err != 0) {
        kk_diag_set(d, "nft: cannot create table inet %s: %s", n->table,
                    strerror(err));
        r = err == EPERM ? KK_ERR_PERM : KK_ERR_SYSTEM;
    }
out:
    return r;
}

/* ---- reading the elements back ---- */

struct load_ctx {
    struct guard_nft *n;
    uint8_t family;
    unsigned len;
    int64_t now;
};

static int elem_attr_cb(const struct nlattr *a, void *data)
{
    const struct nlattr **tb = data;
    int type = mnl_attr_get_type(a);

    if (mnl_attr_type_valid(a, NFTA_SET_ELEM_MAX) > 0)
        tb[type] = a;
    return MNL_CB_OK;
}

static int list_attr_cb(const struct nlattr *a, void *data)
{
    const struct nlattr **tb = data;
    int type = mnl_attr_get_type(a);

    if (mnl_attr_type_valid(a, NFTA_SET_ELEM_LIST_MAX) > 0)
        tb[type] = a;
    return MNL_CB_OK;
}

/* One element of a dump: its start address goes into the mirror. */
static void load_elem(struct load_ctx *lc, const struct nlattr *el)
{
    const struct nlattr *tb[NFTA_SET_ELEM_MAX + 1];
    const struct nlattr *kv;
    int64_t until = INT64_MAX;

    memset(tb, 0, sizeof tb);
    if (mnl_attr_parse_nested(el, elem_attr_cb, tb) < 0 ||
        tb[NFTA_SET_ELEM_KEY] == NULL)
        return;
    if (tb[NFTA_SET_ELEM_FLAGS] != NULL &&
        mnl_attr_get_payload_len(tb[NFTA_SET_ELEM_FLAGS]) == 4 &&
        (ntohl(mnl_attr_get_u32(tb[NFTA_SET_ELEM_FLAGS])) &
         NFT_SET_ELEM_INTERVAL_END) != 0)
        return;
    kv = mnl_attr_get_payload(tb[NFTA_SET_ELEM_KEY]);
    if (mnl_attr_get_payload_len(tb[NFTA_SET_ELEM_KEY]) < sizeof *kv ||
        mnl_attr_get_type(kv) != NFTA_DATA_VALUE ||
        mnl_attr_get_payload_len(kv) != lc->len)
        return;
    if (tb[NFTA_SET_ELEM_EXPIRATION] != NULL &&
        mnl_attr_get_payload_len(tb[NFTA_SET_ELEM_EXPIRATION]) == 8)
        until = lc->now + (int64_t)be64toh(
                              mnl_attr_get_u64(tb[NFTA_SET_ELEM_EXPIRATION]));
    {
        uint8_t key[16] = {0};

        memcpy(key, mnl_attr_get_payload(kv), lc->len);
        m_put(&lc->n->m, lc->family, key, 0, until);
    }
}

static int load_cb(const struct nlmsghdr *h, void *data)
{
    const struct nlattr *tb[NFTA_SET_ELEM_LIST_MAX + 1];
    const struct nlattr *el;

    memset(tb, 0, sizeof tb);
    if (mnl_attr_parse(h, sizeof(struct nfgenmsg), list_attr_cb, tb) < 0)
        return MNL_CB_ERROR;
    if (tb[NFTA_SET_ELEM_LIST_ELEMENTS] == NULL)
        return MNL_CB_OK;
    mnl_attr_for_each_nested(el, tb[NFTA_SET_ELEM_LIST_ELEMENTS])
    {
        if (mnl_attr_get_type(el) == NFTA_LIST_ELEM)
            load_elem(data, el);
    }
    return MNL_CB_OK;
}

/* Dumps the elements of set fam into the mirror. */
static int nft_load(struct guard_nft *n, int fam, struct kk_diag *d)
{
    struct load_ctx lc = {n, fam == 0 ? 4 : 6, fam == 0 ? 4u : 16u, mono_ms()};
    char buf[1024];
    struct nlmsghdr *h;
    int r;

    h = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, NFPROTO_INET, NLM_F_DUMP,
                              n->seq++);
    mnl_attr_put_strz(h, NFTA_SET_ELEM_LIST_TABLE, n->table);
    mnl_attr_put_strz(h, NFTA_SET_ELEM_LIST_SET, n->set[fam]);
    r = nft_query(n, h, load_cb, &lc, d);
    if (r != KK_OK)
        kk_diag_set(d, "nft: cannot read set inet %s %s back", n->table,
                    n->set[fam]);
    return r;
}

int guard_nft_open(const struct guard_conf *c, struct guard_nft **out,
                   struct kk_diag *d)
{
    struct guard_nft *n = calloc(1, sizeof *n);
    const char *names[3];
    int r = KK_ERR_NOMEM;

    if (n == NULL)
        goto out;
    n->rx = malloc(GUARD_NFT_RX);
    if (n->rx == NULL)
        goto out;
    names[0] = c->nft_table != NULL ? c->nft_table : "kalkan";
    names[1] = c->nft_set4 != NULL ? c->nft_set4 : "ban4";
    names[2] = c->nft_set6 != NULL ? c->nft_set6 : "ban6";
    for (int i = 0; i < 3; i++) {
        if (!name_ok(names[i])) {
            kk_diag_set(d,
                        "nft: table and set names are 1-%d letters, digits, "
                        "'_' or '-'",
                        GUARD_NFT_NAME_MAX - 1);
            r = KK_ERR_INVAL;
            goto out;
        }
    }
    memcpy(n->table, names[0], strlen(names[0]) + 1);
    memcpy(n->set[0], names[1], strlen(names[1]) + 1);
    memcpy(n->set[1], names[2], strlen(names[2]) + 1);
    if (strcmp(n->set[0], n->set[1]) == 0) {
        kk_diag_set(d, "nft: nft_set4 and nft_set6 must differ");
        r = KK_ERR_INVAL;
        goto out;
    }
    n->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
    if (n->nl == NULL || mnl_socket_bind(n->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
        kk_diag_set(d, "nft: cannot open a netlink socket: %s",
                    strerror(errno));
        r = errno == EPERM || errno == EACCES ? KK_ERR_PERM : KK_ERR_SYSTEM;
        goto out;
    }
    n->portid = mnl_socket_get_portid(n->nl);
    n->seq = (uint32_t)time(NULL);
    r = nft_setup(n, c->nft_create, d);
    for (int f = 0; f < 2 && r == KK_OK; f++)
        r = nft_load(n, f, d);
    if (r != KK_OK)
        goto out;
    *out = n;
    n = NULL;
out:
    guard_nft_close(n);
    return r;
}

void guard_nft_close(struct guard_nft *n)
{
    if (n == NULL)
        return;
    if (n->nl != NULL)
        mnl_socket_close(n->nl);
    free(n->b.p);
    free(n->rx);
    free(n->m.s);
    free(n->cls);
    free(n);
}

/* ---- elements ---- */

/* The first address after the prefix a (end of its interval); false when
 * the prefix runs to the end of the address space. */
static bool interval_end(const struct guard_addr *a, uint8_t *end)
{
    unsigned len = a->family == 4 ? 4 : 16;
    unsigned bit = a->plen; /* add 1 at bit plen - 1 (from the left) */
    int i;
    unsigned carry;

    memcpy(end, a->b, len);
    if (bit == 0)
        return false;
    i = (int)((bit - 1) / 8);
    carry = 1u << (7 - (bit - 1) % 8);
    for (; i >= 0 && carry != 0; i--) {
        unsigned v = end[i] + carry;
        end[i] = (uint8_t)v;
        carry = v >> 8;
    }
    return carry == 0;
}

/* One element inside an open NFTA_SET_ELEM_LIST_ELEMENTS nest. */
static void put_elem(struct nlmsghdr *h, const uint8_t *key, unsigned len,
                     bool end, uint64_t timeout_ms)
{
    struct nlattr *el = mnl_attr_nest_start(h, NFTA_LIST_ELEM);
    struct nlattr *k = mnl_attr_nest_start(h, NFTA_SET_ELEM_KEY);

    mnl_attr_put(h, NFTA_DATA_VALUE, len, key);
    mnl_attr_nest_end(h, k);
    if (end)
        mnl_attr_put_u32(h, NFTA_SET_ELEM_FLAGS,
                         htonl(NFT_SET_ELEM_INTERVAL_END));
    else if (timeout_ms != 0)
        mnl_attr_put_u64(h, NFTA_SET_ELEM_TIMEOUT, htobe64(timeout_ms));
    mnl_attr_nest_end(h, el);
}

enum phase {
    PH_ENSURE = 1, /* add (a no-op when present): the delete is then sure */
    PH_DELETE = 2, /* delete */
    PH_ADD = 4,    /* add the ban with its timeout */
};

/* The phases key r needs, from what the mirror knows (sure = false: as if
 * it knew nothing). */
static uint8_t key_phases(const struct guard_nft *n,
                          const struct guard_ban_req *r, bool sure, int64_t now)
{
    const struct mirror_slot *sl =
        sure ? m_find(&n->m, r->addr.family, r->addr.b) : NULL;
    bool add = r->op == GUARD_OP_ADD;
    uint8_t ph;

    if (sure && sl == NULL && !n->m.full)
        ph = add ? PH_ADD : 0; /* known absent */
    else if (sl != NULL && (sl->plen == r->addr.plen || sl->plen == 0) &&
             sl->until > now + GUARD_NFT_MARGIN_MS)
        ph = add ? PH_DELETE | PH_ADD : PH_DELETE; /* known present */
    else
        ph = add ? PH_ENSURE | PH_DELETE | PH_ADD : PH_ENSURE | PH_DELETE;
    return ph;
}

/* Appends the messages of phase ph for the keys of family fam in
 * r[0..cnt) whose cls has it. */
static int put_phase(struct guard_nft *n, int fam, enum phase ph,
                     const struct guard_ban_req *r, const uint8_t *cls,
                     size_t cnt)
{
    unsigned len = fam == 0 ? 4 : 16;
    uint8_t want = fam == 0 ? 4 : 6;
    struct nlmsghdr *h = NULL;
    struct nlattr *list = NULL;
    size_t in_msg = 0;
    int ret = KK_OK;

    for (size_t i = 0; i < cnt && ret == KK_OK; i++) {
        uint8_t end[16];
        bool has_end;
        uint64_t tmo = 0;

        if (r[i].addr.family != want || (cls[i] & ph) == 0)
            continue;
        if (!n->interval[fam] && r[i].addr.plen != len * 8)
            continue; /* reported by the caller */
        if (h == NULL) {
            ret = nb_room(&n->b, GUARD_NFT_MSG_ROOM);
            if (ret != KK_OK)
                break;
            h = nftnl_nlmsg_build_hdr(
                nb_cur(&n->b),
                ph == PH_DELETE ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM,
                NFPROTO_INET, ph == PH_DELETE ? 0 : NLM_F_CREATE, n->seq++);
            mnl_attr_put_strz(h, NFTA_SET_ELEM_LIST_TABLE, n->table);
            mnl_attr_put_strz(h, NFTA_SET_ELEM_LIST_SET, n->set[fam]);
            list = mnl_attr_nest_start(h, NFTA_SET_ELEM_LIST_ELEMENTS);
            in_msg = 0;
        }
        if (ph != PH_DELETE) /* a lift's ensuring add expires soon anyway */
            tmo =
                r[i].op == GUARD_OP_ADD ? (uint64_t)r[i].timeout * 1000 : 1000;
        put_elem(h, r[i].addr.b, len, false, tmo);
        has_end = n->interval[fam] && interval_end(&r[i].addr, end);
        if (has_end)
            put_elem(h, end, len, true, 0);
        in_msg += has_end ? 2 : 1;
        if (in_msg >= GUARD_NFT_ELEMS_MSG) {
            mnl_attr_nest_end(h, list);
            nb_done(&n->b, h);
            h = NULL;
        }
    }
    if (h != NULL) {
        mnl_attr_nest_end(h, list);
        nb_done(&n->b, h);
    }
    return ret;
}

static int put_flush(struct guard_nft *n, int fam)
{
    struct nlmsghdr *h;
    int r = nb_room(&n->b, GUARD_NFT_MSG_ROOM);

    if (r != KK_OK)
        return r;
    /* DELSETELEM without elements empties the set. */
    h = nftnl_nlmsg_build_hdr(nb_cur(&n->b), NFT_MSG_DELSETELEM, NFPROTO_INET,
                              0, n->seq++);
    mnl_attr_put_strz(h, NFTA_SET_ELEM_LIST_TABLE, n->table);
    mnl_attr_put_strz(h, NFTA_SET_ELEM_LIST_SET, n->set[fam]);
    nb_done(&n->b, h);
    return KK_OK;
}

/* Builds and sends one transaction; *err is the kernel's first error (0:
 * applied).  Phases run in order over all keys: every ensuring add, then
 * every delete, then every add. */
static int nft_batch(struct guard_nft *n, bool flush,
                     const struct guard_ban_req *r, const uint8_t *cls,
                     size_t cnt, int *err, struct kk_diag *d)
{
    static const enum phase order[] = {PH_ENSURE, PH_DELETE, PH_ADD};
    uint32_t err_seq;
    int ret;

    n->b.len = 0;
    ret = nb_batch_mark(n, true);
    for (int f = 0; f < 2 && ret == KK_OK && flush; f++)
        ret = put_flush(n, f);
    for (int f = 0; f < 2 && ret == KK_OK; f++) {
        for (size_t p = 0; p < 3 && ret == KK_OK; p++)
            ret = put_phase(n, f, order[p], r, cls, cnt);
    }
    if (ret == KK_OK)
        ret = nb_batch_mark(n, false);
    if (ret != KK_OK) {
        kk_diag_set(d, "nft: cannot build a batch of %zu elements: %s", cnt,
                    kk_strerror(ret));
        goto out;
    }
    ret = nft_send_batch(n, err, &err_seq, d);
out:
    return ret;
}

/* What a successful batch did to the sets. */
static void m_apply(struct guard_nft *n, const struct guard_ban_req *r,
                    size_t cnt, int64_t now)
{
    for (size_t i = 0; i < cnt; i++) {
        if (r[i].op == GUARD_OP_ADD)
            m_put(&n->m, r[i].addr.family, r[i].addr.b, r[i].addr.plen,
                  now + (int64_t)r[i].timeout * 1000);
        else
            m_del(&n->m, r[i].addr.family, r[i].addr.b);
    }
}

/* Errors of one element (an overlap, or one gone behind our back), worth
 * retrying key by key. */
static bool elem_error(int e)
{
    return e == EEXIST || e == ENOTEMPTY || e == ENOENT;
}

int guard_nft_apply(struct guard_nft *n, const struct guard_ban_list *l,
                    struct kk_diag *d)
{
    char first[KK_DIAG_MAX] = "";
    size_t failed = 0, skipped = 0;
    int64_t now = mono_ms();
    int err = 0;
    int r = KK_OK;

    if (l->n > n->ncls) {
        uint8_t *c = realloc(n->cls, l->n);
        if (c == NULL) {
            r = KK_ERR_NOMEM;
            goto out;
        }
        n->cls = c;
        n->ncls = l->n;
    }
    if (l->flush)
        m_clear(&n->m);
    for (size_t i = 0; i < l->n; i++) {
        int f = l->r[i].addr.family == 4 ? 0 : 1;

        n->cls[i] = key_phases(n, &l->r[i], !l->flush, now);
        if (l->flush) /* the set is empty when the keys come */
            n->cls[i] = l->r[i].op == GUARD_OP_ADD ? PH_ADD : 0;
        if (!n->interval[f] && l->r[i].addr.plen != (f == 0 ? 32 : 128))
            skipped++;
    }
    r = nft_batch(n, l->flush, l->r, n->cls, l->n, &err, d);
    if (r != KK_OK)
        goto out;
    if (err == 0) {
        m_apply(n, l->r, l->n, now);
        goto report;
    }
    if (err == ENOENT) { /* our sets themselves may be gone */
        struct set_info si[2];

        for (int f = 0; f < 2 && r == KK_OK; f++) {
            r = nft_get_set(n, n->set[f], &si[f], d);
            if (r == KK_OK && !si[f].found)
                err = ENODEV;
        }
        if (r != KK_OK)
            goto out;
    }
    if (!elem_error(err)) {
        kk_diag_set(d, "nft: the kernel refused a batch of %zu changes: %s",
                    l->n, err == ENODEV ? "the sets are gone" : strerror(err));
        r = err == EPERM ? KK_ERR_PERM : KK_ERR_SYSTEM;
        goto out;
    }
    /* Refused whole: the flush alone, then each key in a batch of its own
     * and as if the mirror knew nothing, so that only bad keys fail. */
    if (l->flush) {
        r = nft_batch(n, true, NULL, NULL, 0, &err, d);
        if (r == KK_OK && err != 0) {
            kk_diag_set(d, "nft: cannot flush the sets: %s", strerror(err));
            r = KK_ERR_SYSTEM;
        }
        if (r != KK_OK)
            goto out;
    }
    for (size_t i = 0; i < l->n; i++) {
        uint8_t c = key_phases(n, &l->r[i], false, now);

        r = nft_batch(n, false, l->r + i, &c, 1, &err, d);
        if (r != KK_OK)
            goto out;
        if (err == 0) {
            m_apply(n, l->r + i, 1, now);
            continue;
        }
        m_del(&n->m, l->r[i].addr.family, l->r[i].addr.b);
        if (failed++ == 0) {
            char txt[INET6_ADDRSTRLEN] = "?";

            inet_ntop(l->r[i].addr.family == 4 ? AF_INET : AF_INET6,
                      l->r[i].addr.b, txt, sizeof txt);
            snprintf(first, sizeof first, "%s/%u: %s", txt,
                     (unsigned)l->r[i].addr.plen, strerror(err));
        }
    }
report:
    if (failed > 0 || skipped > 0) {
        kk_diag_set(d,
                    "nft: %zu of %zu changes refused by the kernel (first: "
                    "%s), %zu prefixes not possible in a set without the "
                    "interval flag",
                    failed, l->n, first[0] != '\0' ? first : "none", skipped);
        r = KK_ERR_SYSTEM;
    }
out:
    return r;
}
