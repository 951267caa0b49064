#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# guard_cli.sh - the command-line contract of `kalkan guard` (docs/guard.md):
# --help of the command and of each subcommand; bad input (a missing log,
# a bad rule, an unknown key, a wrong option) exits 2 with one line
# "kalkan: guard: ..." on stderr and nothing on stdout, a bad rule naming
# its line; no daemon is exit 3; and `replay` over small hand-written logs
# bans the attacker (an IPv6 one per /64), not the member of staff who
# mistyped and then logged in, nor loopback, with the documented JSON.
set -u
: "${KALKAN:?KALKAN must name the kalkan binary}"

T=$(mktemp -d /tmp/kalkan-guard-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
FAILS=0
CHECKS=0
ok() { CHECKS=$((CHECKS + 1)); }
fail() {
    CHECKS=$((CHECKS + 1))
    FAILS=$((FAILS + 1))
    echo "FAIL: $*" >&2
}
run() {
    "$KALKAN" "$@" >"$T/out" 2>"$T/err" </dev/null
    rc=$?
}
# usage WANT DESC ARGS...: exit WANT, nothing on stdout, one error line.
usage() {
    local want=$1 desc=$2
    shift 2
    run "$@"
    if [ "$rc" != "$want" ]; then
        fail "$desc: exit $rc, expected $want ($(head -c 300 "$T/err"))"
    elif [ -s "$T/out" ]; then
        fail "$desc: printed on stdout"
    elif [ "$(wc -l <"$T/err")" != 1 ] || ! grep -q '^kalkan: guard: ' "$T/err"; then
        fail "$desc: not one 'kalkan: guard:' line: $(cat "$T/err")"
    else
        ok
    fi
}

# --help
run guard --help
if [ "$rc" = 0 ] && grep -q 'replay' "$T/out" && grep -q 'unban' "$T/out"; then ok; else fail "guard --help"; fi
for sub in run replay status unban allow rules; do
    run guard "$sub" --help
    if [ "$rc" = 0 ] && grep -q "kalkan guard $sub" "$T/out"; then ok; else fail "guard $sub --help"; fi
done
run --help
if grep -q 'guard' "$T/out"; then ok; else fail "kalkan --help does not list guard"; fi

# usage errors
usage 2 "no subcommand" guard
usage 2 "unknown subcommand" guard frobnicate
usage 2 "replay without logs" guard replay
usage 2 "unknown option" guard replay --colour x
usage 2 "option of another subcommand" guard status --once
usage 2 "missing log" guard replay "$T/nope.log"
if grep -q 'nope.log' "$T/err"; then ok; else fail "missing log not named"; fi
usage 2 "missing config" guard rules --config "$T/nope.conf"
usage 2 "unban without address" guard unban --config "$T/nope.conf"

printf '[rule bad]\nlog = web\nstatus = 200\npath = ^/(wp\n' >"$T/badre.conf"
usage 2 "bad regex" guard replay --config "$T/badre.conf" /dev/null
if grep -q 'line 4' "$T/err"; then ok; else fail "bad regex without its line: $(cat "$T/err")"; fi
printf '[guard]\ncolour = red\n' >"$T/badkey.conf"
usage 2 "unknown key" guard rules --config "$T/badkey.conf"
if grep -q 'line 2' "$T/err"; then ok; else fail "unknown key without its line"; fi

# no daemon
printf '[guard]\nstate = %s/state\n' "$T" >"$T/nodaemon.conf"
usage 3 "status without a daemon" guard status --config "$T/nodaemon.conf"

# rules
run guard rules --json
if [ "$rc" = 0 ] && jq -e '.rules | length >= 13' "$T/out" >/dev/null &&
    jq -e '[.rules[].name] | index("wp-login") and index("ssh-auth")' "$T/out" >/dev/null; then
    ok
else
    fail "rules --json"
fi

# replay over hand-written logs
ts() { date -u -d "@$1" '+%d/%b/%Y:%H:%M:%S +0000'; }
T0=1795900000
{
    # 203.0.113.9 guesses WordPress passwords: 6 failures in a minute
    for i in 0 10 20 30 40 50; do
        echo "203.0.113.9 - - [$(ts $((T0 + i)))] \"POST /wp-login.php HTTP/1.1\" 200 4120 \"-\" \"Mozilla/5.0\""
    done
    # a member of staff mistypes twice, then logs in, then mistypes twice
    # more later the same hour: never five failures without a success
    for i in 5 15; do
        echo "198.51.100.20 - - [$(ts $((T0 + i)))] \"POST /wp-login.php HTTP/1.1\" 200 4120 \"-\" \"Mozilla/5.0\""
    done
    echo "198.51.100.20 - - [$(ts $((T0 + 25)))] \"POST /wp-login.php HTTP/1.1\" 302 0 \"-\" \"Mozilla/5.0\""
    for i in 35 45 55; do
        echo "198.51.100.20 - - [$(ts $((T0 + i)))] \"POST /wp-login.php HTTP/1.1\" 200 4120 \"-\" \"Mozilla/5.0\""
    done
    # an IPv6 attacker rotating inside one /64
    for i in 1 2 3 4 5 6; do
        echo "2001:db8:7:9::$i - - [$(ts $((T0 + 60 + i)))] \"GET /.env HTTP/1.1\" 404 162 \"-\" \"zgrab\""
    done
    # a local proxy: every request from loopback, many of them
    for i in $(seq 1 40); do
        echo "127.0.0.1 - - [$(ts $((T0 + 100 + i)))] \"POST /wp-login.php HTTP/1.1\" 200 4120 \"-\" \"Mozilla/5.0\""
    done
} | sort -t'[' -k2,2 -s >"$T/access.log"

run guard replay --json --matches "$T/m.tsv" "$T/access.log"
J="$T/out"
if [ "$rc" = 0 ] && jq -e 'has("lines") and has("matched") and has("bans") and has("elapsed_ms")' "$J" >/dev/null; then ok; else fail "replay --json keys (rc $rc): $(cat "$T/err")"; fi
if jq -e '.lines == 58' "$J" >/dev/null; then ok; else fail "lines: $(jq .lines "$J")"; fi
if jq -e '[.bans[] | select(.address == "203.0.113.9" and .rule == "wp-login" and .hits == 5)] | length == 1' "$J" >/dev/null; then ok; else fail "wp-login attacker not banned once with 5 hits: $(jq -c .bans "$J")"; fi
if jq -e '[.bans[] | select(.address == "203.0.113.9")][0] | (.first | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")) and .banned_at == "2026-11-28T21:07:20Z"' "$J" >/dev/null; then ok; else fail "ban times: $(jq -c '.bans[0]' "$J")"; fi
if jq -e '[.bans[] | select(.address == "2001:db8:7:9::/64" and .rule == "scanner")] | length == 1' "$J" >/dev/null; then ok; else fail "IPv6 /64 scanner not banned: $(jq -c .bans "$J")"; fi
if jq -e '[.bans[] | select(.address == "198.51.100.20")] | length == 0' "$J" >/dev/null; then ok; else fail "staff member banned"; fi
if jq -e '[.bans[] | select(.address | startswith("127."))] | length == 0' "$J" >/dev/null; then ok; else fail "loopback banned"; fi
if [ "$(awk -F'\t' '$1 == "203.0.113.9" && $2 == "wp-login"' "$T/m.tsv" | wc -l)" = 6 ]; then ok; else fail "--matches rows for the attacker: $(grep -c 203.0.113.9 "$T/m.tsv")"; fi

# text output names the ban
run guard replay "$T/access.log"
if [ "$rc" = 0 ] && grep -q '203.0.113.9 .*wp-login' "$T/out"; then ok; else fail "replay text"; fi

# garbage is counted, not fatal
head -c 100000 /dev/urandom >"$T/random.bin"
run guard replay --json "$T/random.bin"
if [ "$rc" = 0 ] && jq -e '.bans == [] and .lines > 0' "$T/out" >/dev/null; then ok; else fail "binary input (rc $rc): $(cat "$T/err")"; fi

echo "guard_cli: $CHECKS checks, $FAILS failed"
[ "$FAILS" = 0 ]
