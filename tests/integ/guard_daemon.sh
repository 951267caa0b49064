#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `kalkan guard run`, the daemon, with the deny-file backend: attack lines
# appended to the logs it follows become bans in `guard status --json` and
# in the deny file; it follows a rename rotation, a truncation and a log
# that appears after the start; a restart reads no line twice and skips
# none, and restores its bans; `guard unban` and `guard allow` work (the
# allowlist outlives a restart); a bad configuration fails at start with
# its line and exit status 2; SIGTERM stops it cleanly.  As root, it also
# checks that the daemon runs as [guard] user with no_new_privs and a
# seccomp filter.  Prints the ban latency (line appended -> address in the
# deny file) over 50 bans: p50 and p99.
set -euo pipefail

KALKAN=${KALKAN:?}
PY=/usr/bin/python3
T=$(mktemp -d /tmp/kk-guard-daemon.XXXXXX)
chmod 755 "$T"
PID=
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
        kill -TERM "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    rm -rf "$T"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    if [ -f "$T/daemon.log" ]; then
        echo "--- daemon log" >&2
        tail -n 30 "$T/daemon.log" >&2
    fi
    exit 1
}

USER_LINE=
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
    USER_LINE="user = nobody"
fi

CONF=$T/guard.conf
cat >"$CONF" <<EOF
[guard]
state = $T/state
$USER_LINE

[log $T/access.log]
format = web

[log $T/logs/auth.log]
format = syslog

[backend]
type = file
deny_file = $T/deny.conf
deny_style = nginx

# One request for this path bans at once: the latency probe.
[rule probe]
path = ^/kk-latency-probe
maxretry = 1
bantime = 1h
EOF
: >"$T/access.log"
chmod 644 "$T/access.log"

# web ADDR N [PATH]: N failed WordPress logins (or requests for PATH) at
# the current time, as nginx writes them.
web() {
    local now i path=${3:-/wp-login.php}
    now=$(date -u +%d/%b/%Y:%H:%M:%S)
    for ((i = 0; i < $2; i++)); do
        printf '%s - - [%s +0000] "POST %s HTTP/1.1" 200 4120 "-" "Mozilla/5.0"\n' \
            "$1" "$now" "$path"
    done
}
# ssh ADDR N: N failed SSH passwords, as rsyslog writes them.
ssh_fail() {
    local now i
    now=$(date '+%b %e %H:%M:%S')
    for ((i = 0; i < $2; i++)); do
        printf '%s newsroom sshd[%d]: Failed password for root from %s port %d ssh2\n' \
            "$now" $((4000 + i)) "$1" $((50000 + i))
    done
}

status() { "$KALKAN" guard status --config "$CONF" --json; }
# jq-like access to the status: q 'EXPR' with s = the status document.
q() { status | "$PY" -c "import json,sys; s=json.load(sys.stdin); print($1)"; }
banned() { q "' '.join(b['address'] for b in s['bans'])"; }
lines_of() { q "[l['lines'] for l in s['logs'] if l['path'].endswith('$1')][0]"; }

# wait_for DESCRIPTION COMMAND...: up to 10 s.
wait_for() {
    local what=$1 i
    shift
    for ((i = 0; i < 200; i++)); do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.05
    done
    fail "timed out waiting for $what"
}
has_ban() { banned | tr ' ' '\n' | grep -qx "$1"; }
in_deny() { grep -qx "deny $1;" "$T/deny.conf"; }

start() {
    rm -f "$T/state/ready"
    "$KALKAN" guard run --config "$CONF" --foreground \
        --ready "$T/state/ready" >>"$T/daemon.log" 2>&1 &
    PID=$!
    wait_for "the daemon to be ready" test -f "$T/state/ready"
}
stop() {
    kill -TERM "$PID"
    local rc=0
    wait "$PID" || rc=$?
    PID=
    [ "$rc" = 0 ] || fail "the daemon exited with $rc after SIGTERM"
}

# ---- a bad configuration fails at start, with its line ----
cat >"$T/bad.conf" <<EOF
[guard]
state = $T/badstate

[rule broken]
path = ^/(unclosed
EOF
rc=0
"$KALKAN" guard run --config "$T/bad.conf" --once >"$T/bad.out" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "a bad configuration exited $rc, not 2"
grep -q "line 5" "$T/bad.out" || fail "no line number: $(cat "$T/bad.out")"
[ ! -e "$T/badstate" ] || fail "a bad configuration still created its state"
echo "bad configuration: exit 2, $(head -n 1 "$T/bad.out")"

# ---- start; the sandbox ----
start
if [ -n "$USER_LINE" ]; then
    st=/proc/$PID/status
    [ "$(awk '/^Uid:/ {print $2}' "$st")" = "$(id -u nobody)" ] ||
        fail "the daemon did not become nobody"
    grep -q '^NoNewPrivs:[[:space:]]*1' "$st" || fail "no no_new_privs"
    case "${KK_SANITIZE:-}" in
    ON | on | 1 | TRUE | true | YES | yes)
        # The sanitizer's runtime needs calls no filter should allow.
        echo "sandbox: runs as nobody, no_new_privs (no seccomp in a sanitizer build)"
        ;;
    *)
        grep -q '^Seccomp:[[:space:]]*2' "$st" || fail "no seccomp filter"
        echo "sandbox: runs as nobody, no_new_privs, seccomp filter"
        ;;
    esac
fi
[ "$(stat -c %a "$T/state/control.sock")" = 600 ] ||
    fail "the control socket is not mode 0600"

# ---- attack lines become bans ----
web 192.0.2.7 4 >>"$T/access.log"
sleep 0.3
has_ban 192.0.2.7 && fail "banned before the fifth failure"
web 192.0.2.7 1 >>"$T/access.log"
wait_for "the ban of 192.0.2.7" has_ban 192.0.2.7
wait_for "192.0.2.7 in the deny file" in_deny 192.0.2.7
[ "$(q "[b['rule'] for b in s['bans']][0]")" = wp-login ] ||
    fail "not banned by wp-login"
echo "ban: 192.0.2.7 by wp-login after 5 failures"

# ---- rename rotation: the old file is read to its end, then the new ----
mv "$T/access.log" "$T/access.log.1"
web 192.0.2.8 2 >>"$T/access.log.1"
web 192.0.2.8 3 >"$T/access.log"
chmod 644 "$T/access.log"
wait_for "the ban of 192.0.2.8 across a rotation" has_ban 192.0.2.8
echo "rotation: 2 lines in the renamed file and 3 in the new one ban 192.0.2.8"

# ---- truncation: read again from the start ----
: >"$T/access.log"
web 192.0.2.9 5 >>"$T/access.log"
wait_for "the ban of 192.0.2.9 after a truncation" has_ban 192.0.2.9
echo "truncation: 192.0.2.9 banned from the truncated file"

# ---- a log missing at start, and its directory too ----
mkdir -p "$T/logs"
chmod 755 "$T/logs"
ssh_fail 198.51.100.5 5 >"$T/logs/auth.log"
chmod 644 "$T/logs/auth.log"
wait_for "the ban of 198.51.100.5 from a late log" has_ban 198.51.100.5
echo "late log: 198.51.100.5 banned by $(q "[b['rule'] for b in s['bans'] if b['address']=='198.51.100.5'][0]")"

# ---- latency: line appended -> address in the deny file ----
"$PY" - "$T/access.log" "$T/deny.conf" <<'EOF'
import sys, time
log, deny = sys.argv[1], sys.argv[2]
lat = []
for i in range(1, 51):
    addr = "203.0.113.%d" % i
    want = ("deny %s;" % addr).encode()
    now = time.strftime("%d/%b/%Y:%H:%M:%S", time.gmtime())
    line = '%s - - [%s +0000] "GET /kk-latency-probe HTTP/1.1" 404 0 "-" "x"\n' % (addr, now)
    t0 = time.monotonic()
    with open(log, "a") as f:
        f.write(line)
    while True:
        with open(deny, "rb") as f:
            if want in f.read():
                break
        if time.monotonic() - t0 > 10:
            sys.exit("no ban of %s within 10 s" % addr)
        time.sleep(0.0002)
    lat.append((time.monotonic() - t0) * 1000)
lat.sort()
p50 = lat[len(lat) // 2]
p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
print("latency (line appended -> deny file, 50 bans): p50 %.1f ms, p99 %.1f ms, max %.1f ms"
      % (p50, p99, lat[-1]))
EOF

# ---- restart: no line twice, none skipped; bans restored ----
before_web=$(lines_of access.log)
before_bans=$(banned | tr ' ' '\n' | sort | tr '\n' ' ')
stop
[ ! -e "$T/state/control.sock" ] || fail "the socket is left after a stop"
in_deny 192.0.2.7 || fail "a stop without flush_on_stop lifted the bans"
web 192.0.2.10 3 >>"$T/access.log"
start
after_bans=$(banned | tr ' ' '\n' | sort | tr '\n' ' ')
[ "$before_bans" = "$after_bans" ] ||
    fail "bans not restored: before [$before_bans] after [$after_bans]"
wait_for "the 3 lines written while stopped" test "$(lines_of access.log)" = 3
sleep 0.3
[ "$(lines_of access.log)" = 3 ] ||
    fail "after the restart $(lines_of access.log) lines read, not 3"
echo "restart: $before_web lines before, exactly the 3 written while stopped after; $(echo $after_bans | wc -w) bans restored"

# ---- unban and allow through the command line ----
"$KALKAN" guard unban --config "$CONF" 192.0.2.7 >"$T/unban.out"
grep -q 192.0.2.7 "$T/unban.out" || fail "unban said: $(cat "$T/unban.out")"
has_ban 192.0.2.7 && fail "192.0.2.7 still banned after unban"
wait_for "192.0.2.7 out of the deny file" bash -c "! grep -qx 'deny 192.0.2.7;' '$T/deny.conf'"
rc=0
"$KALKAN" guard unban --config "$CONF" 192.0.2.77 >/dev/null 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "unbanning an address never banned succeeded"
"$KALKAN" guard allow --config "$CONF" 192.0.2.0/24 >/dev/null
has_ban 192.0.2.8 && fail "allow did not lift the ban inside it"
web 192.0.2.50 6 >>"$T/access.log"
sleep 0.5
has_ban 192.0.2.50 && fail "an allowed address was banned"
echo "unban and allow: lifted at once; an allowed /24 is not banned"

# the allowlist outlives a restart
stop
start
q "' '.join(s['allow'])" | grep -q '192.0.2.0/24' || fail "allow lost at restart"
web 192.0.2.51 6 >>"$T/access.log"
sleep 0.5
has_ban 192.0.2.51 && fail "an allowed address was banned after a restart"

# ---- SIGHUP reopens the logs; SIGTERM stops cleanly ----
kill -HUP "$PID"
web 198.18.0.1 5 >>"$T/access.log"
wait_for "a ban after SIGHUP" has_ban 198.18.0.1
stop
grep -q "ban 192.0.2.7 rule wp-login hits 5" "$T/daemon.log" ||
    fail "the ban is not logged"
echo "SIGHUP and SIGTERM: logs reopened, clean stop"
echo "guard_daemon: ok"
