#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `kalkan guard run` with the nftables backend, in network namespaces the
# test creates: a server namespace (the daemon, an HTTP server) and an
# attacker namespace joined to it by a veth pair.  Attack lines appended to
# the log the daemon follows put the attacker's address (IPv4) and its /64
# (IPv6) into the kernel's sets, and the attacker's HTTP requests are
# dropped; `guard unban` lets them through again; a ban survives a restart
# of the daemon even when the set was emptied meanwhile (as by a reboot).
# Prints the ban latency (line appended -> element in the kernel set, seen
# by `nft monitor`) over 50 bans: p50 and p99.  The host's ruleset is
# checked unchanged at the end.  Needs root.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
    echo "guard_live_nft: skipped (needs root for network namespaces)"
    exit 0
fi
KALKAN=${KALKAN:?}
PY=/usr/bin/python3
T=$(mktemp -d /tmp/kk-guard-nft.XXXXXX)
chmod 755 "$T"
S=kk-gs-$$
A=kk-ga-$$
PID=
HTTP=
host_before=$(nft list ruleset | sha256sum)
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
        kill -TERM "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    if [ -n "$HTTP" ]; then
        kill "$HTTP" 2>/dev/null || true
        wait "$HTTP" 2>/dev/null || true
    fi
    ip netns del "$S" 2>/dev/null || true
    ip netns del "$A" 2>/dev/null || true
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

# ---- the namespaces ----
ip netns add "$S"
ip netns add "$A"
ip link add "kk-s$$" type veth peer name "kk-a$$"
ip link set "kk-s$$" netns "$S"
ip link set "kk-a$$" netns "$A"
ip -n "$S" addr add 10.99.0.1/24 dev "kk-s$$"
ip -n "$A" addr add 10.99.0.2/24 dev "kk-a$$"
ip -n "$S" addr add fd00:99::1/64 dev "kk-s$$" nodad
ip -n "$A" addr add fd00:99::2/64 dev "kk-a$$" nodad
for n in "$S" "$A"; do ip -n "$n" link set lo up; done
ip -n "$S" link set "kk-s$$" up
ip -n "$A" link set "kk-a$$" up

mkdir -p "$T/www"
echo hello >"$T/www/index.html"
ip netns exec "$S" "$PY" -m http.server 8080 --bind :: --directory "$T/www" \
    >/dev/null 2>&1 &
HTTP=$!
probe() {
    ip netns exec "$A" curl -s -o /dev/null -m 1 -w '%{http_code}' "$1" || true
}
for ((i = 0; i < 50; i++)); do
    [ "$(probe http://10.99.0.1:8080/)" = 200 ] && break
    sleep 0.1
done
[ "$(probe http://10.99.0.1:8080/)" = 200 ] || fail "no HTTP server"
[ "$(probe 'http://[fd00:99::1]:8080/')" = 200 ] || fail "no HTTP over IPv6"

# ---- the daemon ----
CONF=$T/guard.conf
cat >"$CONF" <<EOF
[guard]
state = $T/state

[log $T/access.log]
format = web

[backend]
type = nft

[rule probe]
path = ^/kk-latency-probe
maxretry = 1
bantime = 1h
EOF
: >"$T/access.log"

web() {
    local now i path=${3:-/wp-login.php}
    now=$(date -u +%d/%b/%Y:%H:%M:%S)
    for ((i = 0; i < $2; i++)); do
        printf '%s - - [%s +0000] "POST %s HTTP/1.1" 200 4120 "-" "Mozilla/5.0"\n' \
            "$1" "$now" "$path"
    done
}
set_has() { # SET ELEMENT
    ip netns exec "$S" nft list set inet kalkan "$1" | grep -qF -- " $2"
}
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
start() {
    rm -f "$T/state/ready"
    ip netns exec "$S" "$KALKAN" guard run --config "$CONF" --foreground \
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

start
ip netns exec "$S" nft -j list set inet kalkan ban4 >/dev/null ||
    fail "the daemon did not create its sets"

# ---- bans reach the kernel, and the attacker is dropped ----
web 10.99.0.2 5 >>"$T/access.log"
wait_for "10.99.0.2 in ban4" set_has ban4 10.99.0.2
ip netns exec "$S" nft -j list set inet kalkan ban4 | grep -q '"10.99.0.2"' ||
    fail "10.99.0.2 not in the JSON listing of ban4"
[ "$(probe http://10.99.0.1:8080/)" = 000 ] || fail "a banned address got through"
web fd00:99::2 5 >>"$T/access.log"
wait_for "fd00:99::/64 in ban6" set_has ban6 fd00:99::/64
[ "$(probe 'http://[fd00:99::1]:8080/')" = 000 ] ||
    fail "a banned /64 got through"
echo "ban: 10.99.0.2 and fd00:99::/64 in the kernel's sets, their requests dropped"

# ---- unban lifts it at once ----
"$KALKAN" guard unban --config "$CONF" 10.99.0.2 >/dev/null
set_has ban4 10.99.0.2 && fail "10.99.0.2 still in ban4 after unban"
[ "$(probe http://10.99.0.1:8080/)" = 200 ] || fail "unbanned but still dropped"
"$KALKAN" guard unban --config "$CONF" fd00:99::2 >/dev/null
set_has ban6 fd00:99::/64 && fail "the /64 is still in ban6 after unban"
[ "$(probe 'http://[fd00:99::1]:8080/')" = 200 ] || fail "the /64 is still dropped"
echo "unban: both lifted, requests get through"

# ---- latency: line appended -> element in the kernel set ----
"$PY" - "$S" "$T/access.log" <<'EOF'
import os, select, subprocess, sys, time
ns, log = sys.argv[1], sys.argv[2]
mon = subprocess.Popen(["ip", "netns", "exec", ns, "nft", "monitor", "new", "elements"],
                       stdout=subprocess.PIPE)
time.sleep(0.5)
fd = mon.stdout.fileno()
buf = b""
lat = []
for i in range(1, 51):
    addr = "10.50.0.%d" % i
    want = (" %s " % addr).encode()
    now = time.strftime("%d/%b/%Y:%H:%M:%S", time.gmtime())
    line = '%s - - [%s +0000] "GET /kk-latency-probe HTTP/1.1" 404 0 "-" "x"\n' % (addr, now)
    t0 = time.monotonic()
    with open(log, "a") as f:
        f.write(line)
    while want not in buf:
        left = t0 + 10 - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            sys.exit("no element for %s within 10 s" % addr)
        buf += os.read(fd, 65536)
    lat.append((time.monotonic() - t0) * 1000)
    buf = buf[buf.index(want):]
mon.terminate()
mon.wait()
lat.sort()
p50 = lat[len(lat) // 2]
p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
print("latency (line appended -> element in the kernel set, 50 bans): "
      "p50 %.1f ms, p99 %.1f ms, max %.1f ms" % (p50, p99, lat[-1]))
EOF

# ---- a restart puts the bans back, even into an emptied set ----
web 10.99.0.2 5 >>"$T/access.log"
wait_for "10.99.0.2 banned again" set_has ban4 10.99.0.2
stop
set_has ban4 10.99.0.2 || fail "a stop without flush_on_stop lifted the ban"
ip netns exec "$S" nft flush set inet kalkan ban4
set_has ban4 10.99.0.2 && fail "the set was not emptied"
start
set_has ban4 10.99.0.2 || fail "the ban was not restored at start"
[ "$(probe http://10.99.0.1:8080/)" = 000 ] || fail "restored, but not dropped"
n=$(ip netns exec "$S" nft list set inet kalkan ban4 | grep -o '10\.50\.0\.[0-9]*' | sort -u | wc -l)
[ "$n" = 50 ] || fail "$n of the 50 probe bans restored"
echo "restart: the ban and the 50 probe bans restored into an emptied set"
stop

# ---- the host was never touched ----
ip netns del "$S"
ip netns del "$A"
host_after=$(nft list ruleset | sha256sum)
[ "$host_before" = "$host_after" ] || fail "the host's ruleset changed"
echo "host ruleset unchanged"
echo "guard_live_nft: ok"
