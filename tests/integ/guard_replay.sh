#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# guard_replay.sh - the log guard's acceptance test on a generated corpus
# (tests/data/guard/gen-corpus.py: 200,000 nginx lines and 60,000 auth.log
# lines of a newsroom's six hours, with known attackers and innocents).
#
# `kalkan guard replay --json` must ban every attacker of truth.tsv (an
# IPv6 one as its /64) by the rule the truth names, and no innocent: not
# the office of thirty behind one NAT address, not the staff who mistype,
# the monitor, WordPress's cron or the crawlers.  The JSON has the
# documented keys and types.  Verdicts run on log time, so they do not
# depend on how the logs are read: two replays, the files in the other
# order under nice, and the access log through a pipe that stalls in the
# middle of a line all give the same bans (address, rule, hits, first,
# banned_at, until, level).  --matches agrees with "matched" and shows
# the host address of each line.  Bad input: a missing file is an input
# error (exit 2) told in one line that names it, as is no log at all;
# binary files are counted as lines no reader understands, without a
# crash or a ban.
set -u
: "${KALKAN:?KALKAN must name the kalkan binary}"
KK_SOURCE_DIR=${KK_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
GEN="$KK_SOURCE_DIR/tests/data/guard/gen-corpus.py"
CHECK="$KK_SOURCE_DIR/tests/data/guard/check-bans.py"
# The corpus's window ends here; the syslog stamps are written in UTC.
END=1795900000
export TZ=UTC

T=$(mktemp -d /tmp/kalkan-guard-replay.XXXXXX)
trap 'rm -rf "$T"' EXIT

FAILS=0
CHECKS=0
ok() { CHECKS=$((CHECKS + 1)); }
fail() {
    CHECKS=$((CHECKS + 1))
    FAILS=$((FAILS + 1))
    echo "FAIL: $*" >&2
}

# replay NAME ARGS...: runs `kalkan guard replay --json --quiet ARGS`,
# stdout to $T/NAME.json, stderr to $T/NAME.err; sets rc.
replay() {
    local name=$1
    shift
    "$KALKAN" guard replay --json --quiet "$@" >"$T/$name.json" 2>"$T/$name.err" </dev/null
    rc=$?
}

python3 "$GEN" "$T/c" --access 200000 --auth 60000 --seed 7 --end "$END" ||
    { echo "FAIL: the generator failed" >&2; exit 1; }
C=$T/c

# ---- 1. The verdicts against the truth ----

t0=$(date +%s%N)
replay r1 --matches "$T/m1.tsv" "$C/access.log" "$C/auth.log"
t1=$(date +%s%N)
if [ "$rc" = 0 ]; then ok; else fail "replay exit $rc: $(head -c 400 "$T/r1.err")"; fi
echo "replay of 260000 lines: $(((t1 - t0) / 1000000)) ms wall"

if python3 "$CHECK" "$C/truth.tsv" --replay "$T/r1.json" --exact --rules >"$T/score" 2>&1; then
    ok
else
    fail "verdicts against truth.tsv:"
    sed 's/^/    /' "$T/score" >&2
fi
cat "$T/score"

# ---- 2. The document's keys and types ----

python3 - "$T/r1.json" "$END" 260000 >"$T/keys" 2>&1 <<'EOF'
import json, re, sys, calendar, time
doc = json.load(open(sys.argv[1]))
end, want_lines = int(sys.argv[2]), int(sys.argv[3])
bad = []
def need(obj, key, typ, where):
    if key not in obj:
        bad.append("%s: no %r" % (where, key)); return None
    v = obj[key]
    if typ is int and (isinstance(v, bool) or not isinstance(v, int)):
        bad.append("%s: %r is %r, not an integer" % (where, key, v)); return None
    if typ is not int and not isinstance(v, typ):
        bad.append("%s: %r is %r, not %s" % (where, key, v, typ.__name__)); return None
    return v
iso = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
def when(b, key, where):
    v = need(b, key, str, where)
    if v is None: return None
    if not iso.match(v):
        bad.append("%s: %r = %r is not ISO 8601 UTC" % (where, key, v)); return None
    return calendar.timegm(time.strptime(v, "%Y-%m-%dT%H:%M:%SZ"))
lines = need(doc, "lines", int, "document")
matched = need(doc, "matched", int, "document")
unparsed = need(doc, "unparsed", int, "document")
need(doc, "tracked_max", int, "document")
need(doc, "elapsed_ms", int, "document")
bans = need(doc, "bans", list, "document") or []
if lines is not None and lines != want_lines:
    bad.append("lines %d, want %d" % (lines, want_lines))
if unparsed not in (None, 0):
    bad.append("unparsed %d, want 0: every line of the corpus is well formed" % unparsed)
if matched is not None and lines is not None and not 0 < matched <= lines:
    bad.append("matched %d out of range" % matched)
if not bans:
    bad.append("no bans")
for i, b in enumerate(bans):
    w = "bans[%d]" % i
    if not isinstance(b, dict):
        bad.append(w + " is not an object"); continue
    need(b, "address", str, w); need(b, "rule", str, w)
    hits = need(b, "hits", int, w); level = need(b, "level", int, w)
    first, at, until = when(b, "first", w), when(b, "banned_at", w), when(b, "until", w)
    if hits is not None and hits < 1: bad.append(w + ": hits < 1")
    if level is not None and level < 0: bad.append(w + ": level < 0")
    if None not in (first, at, until):
        if not first <= at < until:
            bad.append(w + ": not first <= banned_at < until")
        if not end - 6 * 3600 <= first <= end or not end - 6 * 3600 <= at <= end:
            bad.append(w + ": times outside the logs' window (log time not used?)")
for m in bad[:20]:
    print(m)
sys.exit(1 if bad else 0)
EOF
rc=$?
if [ "$rc" = 0 ]; then ok; else
    fail "the JSON document:"
    sed 's/^/    /' "$T/keys" >&2
fi

# ---- 3. Log time, not reading speed or order ----

# bans FILE: the decisions, one per line, sorted (two decisions of the
# same second from two files may come in either order).
bans() {
    python3 -c '
import json, sys
for b in json.load(open(sys.argv[1])).get("bans", []):
    print("\t".join(str(b.get(k)) for k in
          ("address", "rule", "hits", "first", "banned_at", "until", "level")))
' "$1" 2>/dev/null | sort
}
bans "$T/r1.json" >"$T/b1"
[ -s "$T/b1" ] || fail "no bans to compare"

replay r2 "$C/access.log" "$C/auth.log"
bans "$T/r2.json" >"$T/b2"
if [ "$rc" = 0 ] && cmp -s "$T/b1" "$T/b2"; then ok; else
    fail "a second replay decided otherwise (exit $rc):"
    diff "$T/b1" "$T/b2" | head -10 >&2
fi

nice -n 19 "$KALKAN" guard replay --json --quiet "$C/auth.log" "$C/access.log" \
    >"$T/r3.json" 2>"$T/r3.err" </dev/null
rc=$?
bans "$T/r3.json" >"$T/b3"
if [ "$rc" = 0 ] && cmp -s "$T/b1" "$T/b3"; then ok; else
    fail "the files in the other order, under nice, decided otherwise (exit $rc):"
    diff "$T/b1" "$T/b3" | head -10 >&2
fi

# The access log through a pipe that stops for a second in the middle of
# a line, half-way through the file.
half=$(($(stat -c %s "$C/access.log") / 2 + 17))
{
    head -c "$half" "$C/access.log"
    sleep 1
    tail -c "+$((half + 1))" "$C/access.log"
} | "$KALKAN" guard replay --json --quiet - "$C/auth.log" >"$T/r4.json" 2>"$T/r4.err"
rc=$?
bans "$T/r4.json" >"$T/b4"
if [ "$rc" = 0 ] && cmp -s "$T/b1" "$T/b4"; then ok; else
    fail "the access log from a stalling pipe decided otherwise (exit $rc: $(head -c 300 "$T/r4.err")):"
    diff "$T/b1" "$T/b4" | head -10 >&2
fi

# ---- 4. --matches agrees with the counts ----

python3 - "$T/r1.json" "$T/m1.tsv" "$C/truth.tsv" >"$T/matches" 2>&1 <<'EOF'
import collections, ipaddress, json, sys
doc = json.load(open(sys.argv[1]))
bad = []
lines = set()
rows = collections.defaultdict(list)  # rule -> [(address, t)]
known = set()
with open(sys.argv[2]) as f:
    for n, row in enumerate(f, 1):
        w = row.rstrip("\n").split("\t")
        if len(w) != 4:
            bad.append("matches line %d: %d fields" % (n, len(w))); continue
        addr, rule, t, where = w
        try:
            a = ipaddress.ip_address(addr)
            t = int(t)
        except ValueError:
            bad.append("matches line %d: %r" % (n, row)); continue
        if ":" not in where:
            bad.append("matches line %d: no file:line in %r" % (n, where))
        lines.add(where)
        rows[rule].append((a, t))
if len(lines) != doc.get("matched"):
    bad.append("%d distinct lines in --matches, %r matched in the JSON"
               % (len(lines), doc.get("matched")))
# Every ban is backed by at least its hits in matched lines of its rule
# (the flood rule's count is an estimate: at least one).
for b in doc.get("bans", []):
    net = ipaddress.ip_network(b["address"], strict=False)
    got = [t for a, t in rows.get(b["rule"], []) if a in net]
    need = 1 if b["rule"] == "flood" else b["hits"]
    if len(got) < need:
        bad.append("ban %s %s: %d matched lines of its rule, hits %d"
                   % (b["address"], b["rule"], len(got), b["hits"]))
# The rotating attacker's rows keep each line's own address.
for line in open(sys.argv[3]):
    w = line.rstrip("\n").split("\t")
    if w[0] == "wp-bruteforce-v6-rotating":
        net = ipaddress.ip_network(w[1])
        hosts = {a for a, t in rows.get("wp-login", []) if a in net}
        if len(hosts) < 100:
            bad.append("the rotating /64: %d distinct host addresses in "
                       "--matches, want the lines' own (about 1500)" % len(hosts))
for m in bad[:20]:
    print(m)
print("matches: %d rows, %d lines, rules %s" % (
    sum(len(v) for v in rows.values()), len(lines),
    " ".join("%s:%d" % (k, len(v)) for k, v in sorted(rows.items()))))
sys.exit(1 if bad else 0)
EOF
rc=$?
if [ "$rc" = 0 ]; then ok; else
    fail "--matches:"
    sed 's/^/    /' "$T/matches" >&2
fi
tail -1 "$T/matches"

# ---- 5. Bad input ----

replay missing "$T/no-such.log"
if [ "$rc" = 2 ]; then ok; else fail "a missing log: exit $rc, want 2"; fi
if [ "$(wc -l <"$T/missing.err")" = 1 ] && grep -q '^kalkan: guard: .*no-such.log' "$T/missing.err"; then
    ok
else
    fail "a missing log: stderr is not one 'kalkan: guard: ...no-such.log...' line: $(cat "$T/missing.err")"
fi
[ -s "$T/missing.json" ] && fail "a missing log: printed on stdout"

replay nolog
if [ "$rc" = 2 ]; then ok; else fail "no log given: exit $rc, want 2"; fi

# Random bytes (with newlines and NULs) and an ELF binary.
python3 -c '
import random, sys
r = random.Random(5)
sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(300000)))
' >"$T/random.bin"
for f in "$T/random.bin" "$KALKAN"; do
    replay bin "$f"
    if [ "$rc" != 0 ]; then
        fail "binary $(basename "$f"): exit $rc: $(head -c 300 "$T/bin.err")"
        continue
    fi
    if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
ok = d["lines"] > 0 and d["unparsed"] > 0 and d["matched"] == 0 and d["bans"] == []
print("binary: lines %d, unparsed %d, matched %d, bans %d" % (
    d["lines"], d["unparsed"], d["matched"], len(d["bans"])))
sys.exit(0 if ok else 1)
' "$T/bin.json"; then ok; else fail "binary $(basename "$f"): not counted as unparsed lines"; fi
done

echo "guard_replay: $CHECKS checks, $FAILS failed"
[ "$FAILS" = 0 ]
