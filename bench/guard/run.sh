#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/guard/run.sh BUILD OUT - the log guard side by side with fail2ban
# and sshguard on the same generated logs.
#
# The corpus (tests/data/guard/gen-corpus.py, seed 42): 1,000,000 nginx
# lines and 300,000 auth.log lines of a newsroom's six hours, ending two
# minutes before the run (the fail2ban daemon skips lines older than its
# findtime).  On it, each tool's CPU seconds (user + system, from
# /usr/bin/time or /proc), lines per CPU-second, peak resident memory, and
# the attackers it catches and the innocents it bans against truth.tsv
# (tests/data/guard/check-bans.py):
#   - `kalkan guard replay`, all built-in rules, both logs at once;
#   - fail2ban-regex with the stock filters (sshd, sshd aggressive,
#     nginx-botsearch, nginx-bad-request, apache-badbots) and a WordPress
#     filter (wordpress-bf.conf), each pass's matches counted with the
#     stock jail windows (f2b-window.py);
#   - the fail2ban daemon with five jails, a file-only action and its own
#     socket, pid file and database in a temporary directory (no firewall
#     is touched), findtime 1d so that it reads the six hours;
#   - sshguard's parser on each log, and parser -> blocker.
# Then the guard alone: peak memory replaying a corpus with 100,000 more
# addresses, all tracked at once; and ban latency of the daemon (`kalkan
# guard run`, file backend): a line appended -> the ban in `status`, and
# -> the address in the deny file, p50/p99.
# Writes OUT/guard.md and the raw figures to OUT/guard/.
#
# GUARD_BENCH_ACCESS / GUARD_BENCH_AUTH change the corpus size;
# GUARD_BENCH_F2B=0 skips fail2ban (about three CPU-minutes);
# GUARD_BENCH_LATENCY_N sets the latency trials (default 200).
set -eu
build=$1
out=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
kalkan="$build/src/kalkan/kalkan"
NA=${GUARD_BENCH_ACCESS:-1000000}
NS=${GUARD_BENCH_AUTH:-300000}
F2B=${GUARD_BENCH_F2B:-1}
LAT_N=${GUARD_BENCH_LATENCY_N:-200}
SG=/usr/libexec/sshguard
CHECK="$src/tests/data/guard/check-bans.py"
WINDOW="$src/bench/guard/f2b-window.py"
export TZ=UTC

T=$(mktemp -d /tmp/kalkan-bench-guard.XXXXXX)
F2B_UP=0
GUARD_PID=
cleanup() {
    if [ "$F2B_UP" = 1 ]; then
        fail2ban-client -c "$T/f2b" stop >/dev/null 2>&1 || true
    fi
    if [ -n "$GUARD_PID" ]; then
        kill "$GUARD_PID" 2>/dev/null || true
        wait "$GUARD_PID" 2>/dev/null || true
    fi
    rm -rf "$T"
}
trap cleanup EXIT
raw="$out/guard"
mkdir -p "$raw"
C=$T/c

# timed NAME CMD...: runs CMD under /usr/bin/time (CPU of the process and
# the children it waited for, and its peak RSS) into $T/NAME.t.
timed() {
    local name=$1
    shift
    /usr/bin/time -o "$T/$name.t" -f '%U %S %M %e' "$@"
}
cpu() { awk '{ printf "%.2f", $1 + $2 }' "$T/$1.t"; }
rss() { awk '{ printf "%.1f", $3 / 1024 }' "$T/$1.t"; }
# rate LINES CPU: lines per CPU-second, in thousands.
rate() { awk -v n="$1" -v c="$2" 'BEGIN { if (c > 0) printf "%.0fk", n / c / 1000; else print "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f×", a / b; else print "-" }'; }
# score NAME ARGS...: check-bans.py against the truth; "caught/N, FP".
score() {
    local name=$1
    shift
    python3 "$CHECK" "$C/truth.tsv" "$@" --summary "$raw/score_$name.json" >"$raw/score_$name.txt" || true
    python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print("%d/%d\t%d" % (s["caught"], s["attackers"], s["false_positives"]))
' "$raw/score_$name.json"
}

echo "guard bench: generating the corpus ($NA + $NS lines)" >&2
python3 "$src/tests/data/guard/gen-corpus.py" "$C" --access "$NA" --auth "$NS" \
    --seed 42 --end "$(($(date +%s) - 120))"
lines_a=$(wc -l <"$C/access.log")
lines_s=$(wc -l <"$C/auth.log")
lines=$((lines_a + lines_s))

# ---------------------------------------------------------------- Kalkan
echo "guard bench: kalkan guard replay" >&2
timed k_all "$kalkan" guard replay --json --quiet "$C/access.log" "$C/auth.log" >"$raw/kalkan.json"
timed k_access "$kalkan" guard replay --json --quiet "$C/access.log" >/dev/null
timed k_auth "$kalkan" guard replay --json --quiet "$C/auth.log" >/dev/null
IFS=$'\t' read -r k_caught k_fp < <(score kalkan --replay "$raw/kalkan.json")
k_cpu=$(cpu k_all)

# ---------------------------------------------------------------- sshguard
echo "guard bench: sshguard" >&2
timed sg_auth "$SG/sshg-parser" <"$C/auth.log" >"$T/sg.auth" || true
timed sg_access "$SG/sshg-parser" <"$C/access.log" >"$T/sg.access" || true
# The blocker's windows run on its own clock: a replay squeezes six hours
# into the seconds the parser takes.  Its verdicts are what it does with
# these lines, as `tail -F | sshg-parser | sshg-blocker` would at start.
timed sg_all bash -c "cat '$C/auth.log' '$C/access.log' | '$SG/sshg-parser' | '$SG/sshg-blocker' -a 30 -p 120 -s 1800" >"$T/sg.blocks" || true
awk '$1 == "block" { print $2 "/" $4 }' "$T/sg.blocks" | sort -u >"$raw/sshguard_bans.txt"
IFS=$'\t' read -r sg_caught sg_fp < <(score sshguard --list "$raw/sshguard_bans.txt")
sg_cpu=$(awk -v a="$(cpu sg_auth)" -v b="$(cpu sg_access)" 'BEGIN { printf "%.2f", a + b }')

# ---------------------------------------------------------------- fail2ban
f2b_rows=""
if [ "$F2B" = 1 ]; then
    echo "guard bench: fail2ban-regex (six passes)" >&2
    cp "$src/bench/guard/wordpress-bf.conf" "$T/wordpress-bf.conf"
    # name, log, filter, maxretry, findtime: the stock jail's windows.
    while read -r name log filter maxretry; do
        timed "f_$name" fail2ban-regex -o row "$C/$log" "$filter" \
            >"$T/f_$name.rows" 2>/dev/null </dev/null || true
        python3 "$WINDOW" "$maxretry" 600 <"$T/f_$name.rows" >"$T/f_$name.bans" || true
        f2b_rows="$f2b_rows $name"
    done <<EOF
sshd auth.log sshd 5
sshd-aggressive auth.log sshd[mode=aggressive] 5
nginx-botsearch access.log nginx-botsearch 5
nginx-bad-request access.log nginx-bad-request 5
apache-badbots access.log apache-badbots 1
wordpress-bf access.log $T/wordpress-bf.conf 5
EOF
    cat "$T"/f_sshd.bans "$T"/f_nginx-*.bans "$T"/f_apache-badbots.bans "$T"/f_wordpress-bf.bans |
        sort -u >"$raw/fail2ban_regex_bans.txt"
    cat "$T"/f_sshd-aggressive.bans "$T"/f_nginx-*.bans "$T"/f_apache-badbots.bans "$T"/f_wordpress-bf.bans |
        sort -u >"$raw/fail2ban_regex_aggressive_bans.txt"
    IFS=$'\t' read -r fr_caught fr_fp < <(score fail2ban_regex --list "$raw/fail2ban_regex_bans.txt")
    IFS=$'\t' read -r fa_caught fa_fp < <(score fail2ban_regex_aggressive --list "$raw/fail2ban_regex_aggressive_bans.txt")
    fr_cpu=0
    for n in $f2b_rows; do
        [ "$n" = sshd-aggressive ] && continue
        fr_cpu=$(awk -v a="$fr_cpu" -v b="$(cpu "f_$n")" 'BEGIN { printf "%.2f", a + b }')
    done

    echo "guard bench: the fail2ban daemon, five jails" >&2
    F=$T/f2b
    mkdir -p "$F/filter.d" "$F/action.d"
    cp /etc/fail2ban/filter.d/*.conf "$F/filter.d/"
    cp "$src/bench/guard/wordpress-bf.conf" "$F/filter.d/"
    cat >"$F/fail2ban.conf" <<EOF
[Definition]
loglevel = NOTICE
logtarget = $F/fail2ban.log
syslogsocket = auto
socket = $F/fail2ban.sock
pidfile = $F/fail2ban.pid
dbfile = $F/fail2ban.sqlite3
dbpurgeage = 1d
dbmaxmatches = 10
[Thread]
EOF
    cat >"$F/action.d/fileban.conf" <<EOF
# Bans go to a file: the benchmark touches no firewall.
[Definition]
actionstart =
actionstop =
actioncheck =
actionban = echo "<time> ban <name> <ip>" >> $F/bans.txt
actionunban = echo "<time> unban <name> <ip>" >> $F/bans.txt
EOF
    cat >"$F/jail.conf" <<EOF
[DEFAULT]
backend = auto
banaction = fileban
action = fileban
usedns = no
ignoreip = 127.0.0.1/8 ::1
findtime = 1d
bantime = 1d
maxretry = 5
[sshd]
enabled = true
filter = sshd
logpath = $C/auth.log
[wordpress-bf]
enabled = true
filter = wordpress-bf
logpath = $C/access.log
[nginx-botsearch]
enabled = true
filter = nginx-botsearch
logpath = $C/access.log
[nginx-bad-request]
enabled = true
filter = nginx-bad-request
logpath = $C/access.log
[apache-badbots]
enabled = true
filter = apache-badbots
logpath = $C/access.log
maxretry = 1
EOF
    : >"$F/bans.txt"
    t0=$(date +%s)
    fail2ban-client -c "$F" -x start >"$T/f2b.start" 2>&1 && F2B_UP=1
    pid=$(cat "$F/fail2ban.pid" 2>/dev/null || echo)
    fd_cpu="-"
    fd_rss="-"
    fd_wall="-"
    if [ "$F2B_UP" = 1 ] && [ -n "$pid" ] && [ -d "/proc/$pid" ]; then
        # Drained when the server's CPU time stops growing for 5 s.
        hz=$(getconf CLK_TCK)
        last=-1
        still=0
        busy_until=$t0
        while [ "$still" -lt 5 ] && [ $(($(date +%s) - t0)) -lt 1800 ]; do
            sleep 1
            now=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
            if [ "$now" -le "$((last + hz / 50))" ]; then
                still=$((still + 1))
            else
                still=0
                busy_until=$(date +%s)
            fi
            last=$now
        done
        fd_cpu=$(awk -v t="$last" -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }')
        fd_rss=$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")
        fd_wall=$((busy_until - t0))
        fail2ban-client -c "$F" stop >/dev/null 2>&1 || true
        F2B_UP=0
    fi
    awk '$2 == "ban" { print $4 }' "$F/bans.txt" | sort -u >"$raw/fail2ban_daemon_bans.txt"
    IFS=$'\t' read -r fd_caught fd_fp < <(score fail2ban_daemon --list "$raw/fail2ban_daemon_bans.txt")
fi

# ---------------------------------------------------------------- memory
echo "guard bench: 100,000 addresses tracked at once" >&2
python3 "$src/tests/data/guard/gen-corpus.py" "$T/mem" --access 300000 --auth 20000 \
    --addresses 100000 --seed 43 --end "$(($(date +%s) - 120))" 2>/dev/null
timed k_mem "$kalkan" guard replay --json --quiet "$T/mem/access.log" "$T/mem/auth.log" >"$raw/kalkan_mem.json"
mem_tracked=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("tracked_max", "-"))' "$raw/kalkan_mem.json")
mem_lines=$(($(wc -l <"$T/mem/access.log") + $(wc -l <"$T/mem/auth.log")))

# ---------------------------------------------------------------- latency
echo "guard bench: ban latency of the daemon" >&2
L=$T/lat
mkdir -p "$L/state"
: >"$L/access.log"
cat >"$L/guard.conf" <<EOF
[guard]
state = $L/state
socket = $L/control.sock
[log $L/access.log]
format = web
[backend]
type = file
deny_file = $L/deny.conf
deny_style = nginx
[rule bench-latency]
method = POST
path = ^/bench-latency$
maxretry = 1
findtime = 1m
bantime = 1h
EOF
lat_json=""
idle_rss="-"
lat_hwm="-"
"$kalkan" guard run --config "$L/guard.conf" --foreground --ready "$L/ready" >"$L/run.log" 2>&1 &
GUARD_PID=$!
for _ in $(seq 100); do
    [ -f "$L/ready" ] && break
    kill -0 "$GUARD_PID" 2>/dev/null || break
    sleep 0.1
done
if [ -f "$L/ready" ]; then
    sleep 1
    idle_rss=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$GUARD_PID/status")
    python3 "$src/bench/guard/latency.py" "$L/access.log" "$L/control.sock" "$L/deny.conf" "$LAT_N" \
        >"$raw/latency.json" && lat_json="$raw/latency.json"
    lat_hwm=$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$GUARD_PID/status")
else
    echo "guard bench: the daemon did not start: $(tail -3 "$L/run.log")" >&2
fi
kill "$GUARD_PID" 2>/dev/null || true
wait "$GUARD_PID" 2>/dev/null || true
GUARD_PID=

# ---------------------------------------------------------------- table
{
    echo "## Log guard: \`kalkan guard\`, fail2ban $(fail2ban-client --version 2>/dev/null | grep -o 'v[0-9][0-9.]*' | head -1 | tr -d v) and sshguard $(dpkg-query -W -f '${Version}' sshguard 2>/dev/null | cut -d- -f1)"
    echo
    echo "Corpus: $lines_a nginx + $lines_s auth.log lines (gen-corpus.py, seed 42), $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg) at the end. CPU = user + system seconds."
    echo
    echo "| tool and rules | input | CPU s | lines / CPU-s | peak RSS MiB | caught | false positives | CPU / kalkan |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
    echo "| **kalkan guard replay**, all built-in rules | both, $lines lines | $k_cpu | $(rate "$lines" "$k_cpu") | $(rss k_all) | $k_caught | $k_fp | 1.0× |"
    echo "| kalkan guard replay | access.log | $(cpu k_access) | $(rate "$lines_a" "$(cpu k_access)") | $(rss k_access) | | | |"
    echo "| kalkan guard replay | auth.log | $(cpu k_auth) | $(rate "$lines_s" "$(cpu k_auth)") | $(rss k_auth) | | | |"
    if [ "$F2B" = 1 ]; then
        echo "| fail2ban daemon, 5 jails (sshd, wordpress-bf, nginx-botsearch, nginx-bad-request, apache-badbots), findtime 1d | both; ${fd_wall} s wall to drain | $fd_cpu | $(rate "$lines" "$fd_cpu") | $fd_rss | $fd_caught | $fd_fp | **$(ratio "$fd_cpu" "$k_cpu")** |"
        echo "| fail2ban-regex, 5 stock filters + wordpress-bf, 5 passes, stock windows (10 min) | both | $fr_cpu | $(rate "$lines" "$fr_cpu") | | $fr_caught | $fr_fp | $(ratio "$fr_cpu" "$k_cpu") |"
        echo "| the same with sshd in aggressive mode | both | | | | $fa_caught | $fa_fp | |"
        for n in $f2b_rows; do
            case $n in sshd*) in=auth.log; nl=$lines_s ;; *) in=access.log; nl=$lines_a ;; esac
            echo "| fail2ban-regex \`$n\` | $in | $(cpu "f_$n") | $(rate "$nl" "$(cpu "f_$n")") | $(rss "f_$n") | | | |"
        done
    fi
    echo "| sshguard \`sshg-parser\` | auth.log | $(cpu sg_auth) | $(rate "$lines_s" "$(cpu sg_auth)") | $(rss sg_auth) | | | |"
    echo "| sshguard \`sshg-parser\` | access.log | $(cpu sg_access) | $(rate "$lines_a" "$(cpu sg_access)") | $(rss sg_access) | | | |"
    echo "| sshguard parser, both logs | both | $sg_cpu | $(rate "$lines" "$sg_cpu") | | | | **$(ratio "$sg_cpu" "$k_cpu")** |"
    echo "| sshguard parser → blocker (-a 30 -p 120 -s 1800) | both | $(cpu sg_all) | $(rate "$lines" "$(cpu sg_all)") | | $sg_caught | $sg_fp | $(ratio "$(cpu sg_all)" "$k_cpu") |"
    echo
    echo "Attackers caught, by category (truth.tsv; an IPv6 attacker counts as caught when a ban falls inside its /64):"
    echo
    python3 - "$raw" "$F2B" <<'PY'
import json, os, sys
raw, f2b = sys.argv[1], sys.argv[2] == "1"
tools = [("kalkan", "kalkan")]
if f2b:
    tools += [("fail2ban-regex", "fail2ban_regex"),
              ("… aggressive", "fail2ban_regex_aggressive"),
              ("fail2ban daemon", "fail2ban_daemon")]
tools += [("sshguard", "sshguard")]
s = {}
for label, name in tools:
    p = os.path.join(raw, "score_%s.json" % name)
    if os.path.exists(p):
        s[label] = json.load(open(p))
labels = [l for l, _ in tools if l in s]
print("| category | " + " | ".join(labels) + " |")
print("|---|" + "---:|" * len(labels))
for cat, (c, n) in s["kalkan"]["categories"].items():
    row = ["%d/%d" % tuple(s[l]["categories"].get(cat, [0, n])) for l in labels]
    print("| %s | %s |" % (cat, " | ".join(row)))
print("| **total** | " + " | ".join("**%d/%d**" % (s[l]["caught"], s[l]["attackers"]) for l in labels) + " |")
print("| false positives | " + " | ".join(str(s[l]["false_positives"]) for l in labels) + " |")
PY
    echo
    echo "Memory: \`kalkan guard replay\` of $mem_lines lines with 100,000 more addresses, each with a failed login in the last ten minutes: peak RSS **$(rss k_mem) MiB**, $(cpu k_mem) CPU s, at most $mem_tracked addresses tracked at once (max_addresses 100000)."
    echo
    if [ -n "$lat_json" ]; then
        python3 - "$lat_json" "$idle_rss" "$lat_hwm" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
a, b = d["decision_ms"], d["deny_file_ms"]
print("Ban latency of `kalkan guard run` (file backend), %d lines appended one at a time, "
      "each banning at once: line -> ban in `status` p50 %s ms, p99 %s ms, max %s ms; "
      "line -> address in the deny file p50 %s ms, p99 %s ms, max %s ms; %d missing. "
      "Daemon RSS %s MiB idle, %s MiB peak." % (
          d["n"], a["p50"], a["p99"], a["max"], b["p50"], b["p99"], b["max"],
          d["missing"], sys.argv[2], sys.argv[3]))
PY
    else
        echo "Ban latency: not measured (the daemon did not start; see the run's messages)."
    fi
} >"$T/table.md"
cp "$T/table.md" "$out/guard.md"
cat "$out/guard.md"
