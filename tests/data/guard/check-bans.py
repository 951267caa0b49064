#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""check-bans.py - scores a list of bans against the corpus's truth.tsv.

usage: check-bans.py TRUTH (--replay JSON | --list FILE) [--exact]
                     [--rules] [--summary FILE]

--replay reads `kalkan guard replay --json`; --list reads one address or
prefix per line (the first word; what the peers' outputs reduce to).

An attacker ("ban" row) is caught when a ban covers its address or lies
inside its /64.  With --exact (the guard's own test) the ban must be
exactly the truth's address, or its /64 for IPv6: a /128 inside an
attacker's /64 is reported as the wrong prefix, not as caught.  With
--rules the first ban of each attacker must be by one of the rules the
truth names ("a|b").  A ban that touches an innocent ("keep" row) or no
row at all is a false positive.

Prints one line per category and one line per problem; exits 0 when every
attacker is caught and there is no false positive (and, with --rules, no
rule differs), 1 otherwise.  --summary writes the figures as JSON.
"""

import argparse
import collections
import ipaddress
import json
import sys


def net_of(text):
    return ipaddress.ip_network(text.strip(), strict=False)


def key_of(n):
    """Where a network is filed: IPv4 by address, IPv6 by its /64."""
    if n.version == 4:
        return (4, int(n.network_address))
    return (6, int(n.network_address) >> 64)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("truth")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--replay")
    src.add_argument("--list")
    ap.add_argument("--exact", action="store_true")
    ap.add_argument("--rules", action="store_true")
    ap.add_argument("--summary")
    o = ap.parse_args()

    rows = {}
    order = []
    with open(o.truth, encoding="ascii") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cat, addr, expected, rule = line.rstrip("\n").split("\t")
            n = net_of(addr)
            rows[key_of(n)] = (cat, n, expected, rule)
            order.append(key_of(n))

    bans = []  # (network, rule or None), in decision order
    if o.replay:
        with open(o.replay, encoding="utf-8") as f:
            doc = json.load(f)
        for b in doc["bans"]:
            bans.append((net_of(b["address"]), b["rule"]))
    else:
        with open(o.list, encoding="utf-8") as f:
            for line in f:
                w = line.split()
                if w:
                    bans.append((net_of(w[0]), None))

    first = {}  # truth key -> (ban network, rule) of its first ban
    problems = []
    fp = set()
    wrong_prefix = set()
    for n, rule in bans:
        k = key_of(n)
        row = rows.get(k)
        wide = n.prefixlen < (32 if n.version == 4 else 64)
        if row is None and wide:
            # A prefix wider than one key: look at every row inside it.
            inside = [r for r in rows.values()
                      if r[1].version == n.version and r[1].overlaps(n)]
            if not inside:
                fp.add(str(n))
                problems.append("false positive: %s (%s), in no truth row"
                                % (n, rule or "-"))
                continue
            row = inside[0]
            for r in inside:
                if r[2] == "keep":
                    row = r
        if row is None:
            fp.add(str(n))
            problems.append("false positive: %s (%s), in no truth row"
                            % (n, rule or "-"))
            continue
        cat, tn, expected, want = row
        if expected == "keep":
            if str(tn) not in fp:
                problems.append("false positive: %s (%s) banned by %s"
                                % (tn, cat, rule or "-"))
            fp.add(str(tn))
            continue
        if o.exact and n != tn:
            if str(tn) not in wrong_prefix:
                problems.append("wrong prefix: %s (%s) banned as %s"
                                % (tn, cat, n))
            wrong_prefix.add(str(tn))
            continue
        if key_of(tn) not in first:
            first[key_of(tn)] = (n, rule)

    cats = collections.OrderedDict()
    for k in order:
        cat, tn, expected, want = rows[k]
        if expected != "ban":
            continue
        c = cats.setdefault(cat, {"n": 0, "caught": 0, "rules": set(),
                                  "want": want})
        c["n"] += 1
        if k in first:
            c["caught"] += 1
            got = first[k][1]
            if got is not None:
                c["rules"].add(got)
            if o.rules and got is not None and got not in want.split("|"):
                problems.append("wrong rule: %s (%s) banned by %s, want %s"
                                % (tn, cat, got, want))
        else:
            problems.append("missed: %s (%s), want %s" % (tn, cat, want))

    attackers = sum(c["n"] for c in cats.values())
    caught = sum(c["caught"] for c in cats.values())
    for cat, c in cats.items():
        print("%-28s %3d/%-3d %s" % (cat, c["caught"], c["n"],
                                     ",".join(sorted(c["rules"])) or "-"))
    print("caught %d/%d, false positives %d, bans %d" %
          (caught, attackers, len(fp), len(bans)))
    for p in problems:
        print(p)
    if o.summary:
        with open(o.summary, "w", encoding="utf-8") as f:
            json.dump({"attackers": attackers, "caught": caught,
                       "false_positives": len(fp), "bans": len(bans),
                       "categories": {k: [v["caught"], v["n"]]
                                      for k, v in cats.items()}}, f)
            f.write("\n")
    bad = caught != attackers or fp or wrong_prefix or \
        any(p.startswith("wrong rule") for p in problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
