/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * addr.h - addresses and prefixes as the guard counts and bans them.
 *
 * An address is kept as 16 bytes plus a family and a prefix length; IPv4
 * is stored in the first 4 bytes.  IPv4-mapped IPv6 (::ffff:192.0.2.1) is
 * read as IPv4.  The engine counts per key: the address masked to the
 * configured prefix (IPv4 /32 and IPv6 /64 by default).
 */
#ifndef KALKAN_GUARD_ADDR_H
#define KALKAN_GUARD_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kalkan/guard.h"

struct guard_addr {
    uint8_t b[16];  /* network order; IPv4 in b[0..3], the rest zero */
    uint8_t family; /* 4 or 6 */
    uint8_t plen;   /* prefix length: 32 or 128 for one host */
};

/* Parses one host address (no prefix, no brackets, no port, no zone).
 * Accepts dotted IPv4 with exactly four decimal parts of 0-255 (no leading
 * zeros beyond "0") and RFC 4291 text IPv6 (with embedded IPv4); a mapped
 * address becomes IPv4.  KK_ERR_INVAL otherwise.  *out set on success. */
int guard_addr_parse(const char *s, size_t len, struct guard_addr *out);
/* Parses "ADDR" or "ADDR/LEN" (host bits are cleared). */
int guard_addr_parse_prefix(const char *s, size_t len, struct guard_addr *out);
/* Clears host bits beyond v4plen (IPv4) or v6plen (IPv6) and sets plen. */
void guard_addr_mask(struct guard_addr *a, unsigned v4plen, unsigned v6plen);
/* True when a (any plen) lies inside net: same family, a->plen >=
 * net->plen and the first net->plen bits agree. */
bool guard_addr_contains(const struct guard_addr *net,
                         const struct guard_addr *a);
bool guard_addr_eq(const struct guard_addr *a, const struct guard_addr *b);
/* A well-mixed 64-bit hash of the bytes, family and plen (equal addresses
 * hash alike; mask before hashing to count per prefix). */
uint64_t guard_addr_hash(const struct guard_addr *a);
/* "192.0.2.7", "10.1.0.0/16", "2001:db8::1", "2001:db8:1:2::/64" (RFC 5952
 * text; the "/LEN" only when plen is shorter than the host length).
 * GUARD_ADDR_TEXT_MAX bytes always suffice; KK_ERR_TRUNC when cap is too
 * small (out then holds ""), KK_ERR_INVAL for a bad family. */
int guard_addr_format(const struct guard_addr *a, char *out, size_t cap);

#define GUARD_ADDRSET_MAX 65536 /* prefixes in one set */

/* A set of prefixes (the allowlist): sorted, searched in O(log n) plus the
 * depth of nesting, so a prefix is found even when longer prefixes inside
 * it were added too.  Not thread-safe; readers share it only while no one
 * changes it.  guard_addrset_new returns NULL when out of memory;
 * guard_addrset_free(NULL) is a no-op. */
struct guard_addrset;
struct guard_addrset *guard_addrset_new(void);
void guard_addrset_free(struct guard_addrset *s);
/* Adds a prefix (its host bits are cleared).  Adding one already there is
 * KK_OK and keeps one copy; KK_ERR_INVAL for a bad family or length,
 * KK_ERR_LIMIT past GUARD_ADDRSET_MAX, KK_ERR_NOMEM. */
int guard_addrset_add(struct guard_addrset *s, const struct guard_addr *p);
/* Removes exactly that prefix; KK_ERR_NOTFOUND when absent. */
int guard_addrset_remove(struct guard_addrset *s, const struct guard_addr *p);
bool guard_addrset_contains(const struct guard_addrset *s,
                            const struct guard_addr *a);
size_t guard_addrset_count(const struct guard_addrset *s);
const struct guard_addr *guard_addrset_at(const struct guard_addrset *s,
                                          size_t i);

#endif
