#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# guard_parity.sh - the built-in rules match the lines fail2ban's stock
# filters match, address by address:
#
#   ssh-auth + ssh-probe   vs  sshd[mode=aggressive]   (auth.log)
#   web-probe              vs  nginx-botsearch         (access.log)
#   bad-request            vs  nginx-bad-request       (access.log)
#   bad-bot                vs  apache-badbots          (access.log)
#
# Both tools run over one generated corpus: `kalkan guard replay --matches`
# writes a row per (line, rule), `fail2ban-regex -o row` a row per failure
# it reports.  What "matched" means here:
#
# - Web: the number of lines of an address that the filter matches, and the
#   number the rule matches.  These filters read one line at a time, so the
#   counts must be equal exactly.
# - SSH: fail2ban's sshd filter joins the lines of one sshd process (its
#   "mlfid", the host and program[pid] prefix).  A line marked F-NOFAIL is
#   not a failure and gives no row (a failed key of a real user, PAM's
#   "authentication failure", "Connection from"), but it lends its address
#   to an address-less failure line of the same process, which then gives a
#   row of its own ("kex_exchange_identification: ..." before or after
#   "banner exchange: ..." or "Connection closed by ADDR port N").  So one
#   probe may be two rows there and one here.  Our rules read one line at a
#   time and need the address in the line.  The fair unit is therefore the
#   event: an address's distinct (sshd process, second) pairs with at least
#   one row.  Those counts must be equal; the raw row totals are printed for
#   information.
#
# Rows of fail2ban with a true "nofail" are dropped as fail2ban's own
# counting drops them.  Addresses are compared in canonical text (IPv6 as
# RFC 5952).  Lines and rows are also printed as throughput figures.
set -euo pipefail

: "${KALKAN:?KALKAN must name the kalkan binary}"
: "${KK_SOURCE_DIR:?KK_SOURCE_DIR must name the source tree}"

if ! command -v fail2ban-regex >/dev/null 2>&1; then
    echo "FAIL: fail2ban-regex is not installed (scripts/install-deps installs it)"
    exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=UTC
ACCESS=${GUARD_PARITY_ACCESS:-100000}
AUTH=${GUARD_PARITY_AUTH:-50000}

python3 "$KK_SOURCE_DIR/tests/data/guard/gen-corpus.py" "$work" \
    --access "$ACCESS" --auth "$AUTH"

t0=$(date +%s.%N)
"$KALKAN" guard replay --quiet --matches "$work/m.tsv" \
    "$work/access.log" "$work/auth.log" >"$work/replay.txt"
t1=$(date +%s.%N)
echo "kalkan guard replay: $((ACCESS + AUTH)) lines, all rules," \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s wall"

f2b() { # FILTER LOG OUT
    local s e
    s=$(date +%s.%N)
    fail2ban-regex -o row "$2" "$1" >"$3" 2>"$3.err" || {
        cat "$3.err" >&2
        return 1
    }
    e=$(date +%s.%N)
    echo "fail2ban-regex $1: $(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.2f", b - a }') s wall"
}

# two at a time: fail2ban-regex is single-threaded and the machine has two
# cores
f2b 'sshd[mode=aggressive]' "$work/auth.log" "$work/f2b-sshd.rows" &
p1=$!
f2b nginx-botsearch "$work/access.log" "$work/f2b-botsearch.rows" &
p2=$!
wait "$p1"
wait "$p2"
f2b nginx-bad-request "$work/access.log" "$work/f2b-badreq.rows" &
p1=$!
f2b apache-badbots "$work/access.log" "$work/f2b-badbots.rows" &
p2=$!
wait "$p1"
wait "$p2"

cat >"$work/compare.py" <<'EOF'
import ast, collections, ipaddress, re, sys

work, mode, rows, rules = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
rules = set(rules.split(","))
pid_re = re.compile(r"\S+\[(\d+)\]:")

def canon(a):
    return str(ipaddress.ip_address(a))

def theirs():
    n, keys = collections.Counter(), collections.defaultdict(set)
    for line in open(rows, encoding="utf-8", errors="replace"):
        line = line.strip().rstrip(",")
        if not line.startswith("["):
            continue
        addr, t, info = ast.literal_eval(line)
        if info.get("nofail"):
            continue
        a = canon(addr)
        n[a] += 1
        m = pid_re.search(info.get("mlfid") or "")
        keys[a].add((m.group(1) if m else "", int(t)))
    return n, keys

def ours():
    lines = {}
    if mode == "ssh":
        with open(work + "/auth.log", encoding="utf-8",
                  errors="replace") as f:
            lines = {i + 1: l for i, l in enumerate(f)}
    n, keys = collections.Counter(), collections.defaultdict(set)
    for line in open(work + "/m.tsv", encoding="utf-8", errors="replace"):
        addr, rule, t, where = line.rstrip("\n").split("\t")
        if rule not in rules:
            continue
        a = canon(addr)
        n[a] += 1
        if mode == "ssh":
            m = pid_re.search(lines[int(where.rsplit(":", 1)[1])])
            keys[a].add((m.group(1) if m else "", int(t)))
    return n, keys

tn, tk = theirs()
on, ok = ours()
if mode == "ssh":
    tc = collections.Counter({a: len(k) for a, k in tk.items()})
    oc = collections.Counter({a: len(k) for a, k in ok.items()})
else:
    tc, oc = tn, on
bad = [(a, tc[a], oc[a]) for a in sorted(set(tc) | set(oc)) if tc[a] != oc[a]]
print("%-28s fail2ban %6d rows %6d %s, ours %6d rows %6d %s, %d addresses"
      % (sys.argv[4], sum(tn.values()), sum(tc.values()),
         "events" if mode == "ssh" else "lines", sum(on.values()),
         sum(oc.values()), "events" if mode == "ssh" else "lines", len(tc)))
if len(tc) == 0:
    print("  no matches at all: the corpus lacks these attackers")
    sys.exit(1)
for a, x, y in bad[:30]:
    print("  DIFF %-40s fail2ban %5d  ours %5d" % (a, x, y))
sys.exit(1 if bad else 0)
EOF

status=0
py() { python3 "$work/compare.py" "$work" "$@" || status=1; }
py ssh "$work/f2b-sshd.rows" ssh-auth,ssh-probe
py web "$work/f2b-botsearch.rows" web-probe
py web "$work/f2b-badreq.rows" bad-request
py web "$work/f2b-badbots.rows" bad-bot
if [ "$status" -ne 0 ]; then
    echo "FAIL: the rules and fail2ban's filters disagree (DIFF lines above)"
    exit 1
fi
echo "PASS: every address has as many matches as fail2ban gives it"
