#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# hub_browser.sh - the hub in a real browser: Debian's chromium driven by
# playwright-core (tests/browser/run.mjs) against `kalkan serve --demo` on a
# free loopback port with a fresh database.  Two users without a second
# factor are added with `kalkan user add` for the enrolment checks (one for
# the desktop run, one for the phone run).  Screenshots of every page and
# the run's report are kept in $KK_BUILD_DIR/browser-artifacts/.
#
# Needs node, chromium and tests/browser/node_modules (scripts/install-deps
# installs all three); a missing one fails the test, it is never skipped.
# Under the sanitizer build the server must also stop cleanly, with no
# leak or error report.
set -u

: "${KALKAN:?KALKAN must name the kalkan binary}"
: "${KK_SOURCE_DIR:?KK_SOURCE_DIR must name the source tree}"
: "${KK_BUILD_DIR:?KK_BUILD_DIR must name the build tree}"
KK_SANITIZE=${KK_SANITIZE:-OFF}
browser_dir=$KK_SOURCE_DIR/tests/browser
art=$KK_BUILD_DIR/browser-artifacts

missing=""
command -v node >/dev/null || missing="$missing node"
[ -x "${KK_CHROMIUM:-/usr/bin/chromium}" ] || missing="$missing chromium"
[ -f "$browser_dir/node_modules/playwright-core/package.json" ] ||
    missing="$missing tests/browser/node_modules(playwright-core)"
if [ -n "$missing" ]; then
    echo "FAIL: missing:$missing (run scripts/install-deps)" >&2
    exit 1
fi

if [ "$KK_SANITIZE" = "ON" ]; then
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
fi

T=$(mktemp -d /tmp/kalkan-browser.XXXXXX)
hub_pid=""
cleanup() {
    local rc=$?
    if [ -n "$hub_pid" ]; then
        kill -KILL "$hub_pid" 2>/dev/null || true
        wait "$hub_pid" 2>/dev/null || true
    fi
    if [ "$rc" -ne 0 ] && [ -s "$T/server.err" ]; then
        echo "--- the server's log, last 40 lines:"
        tail -n 40 "$T/server.err" | sed 's/^/    server: /'
    fi
    rm -rf "$T"
    exit "$rc"
}
trap cleanup EXIT

rm -rf "$art"
mkdir -p "$art"

# The hub, on a port the kernel picks; it prints the port once listening.
"$KALKAN" serve --db "$T/hub.db" --listen 127.0.0.1:0 --demo \
    >"$T/server.out" 2>"$T/server.err" &
hub_pid=$!
port=""
for _ in $(seq 1 1800); do
    port=$(sed -nE 's/^Kalkan hub listening on .*\(port ([0-9]+)\).*/\1/p' \
        "$T/server.out")
    [ -n "$port" ] && break
    if ! kill -0 "$hub_pid" 2>/dev/null; then
        echo "FAIL: kalkan serve --demo exited before listening" >&2
        exit 1
    fi
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "FAIL: kalkan serve --demo did not listen within 180 s" >&2
    exit 1
fi
grep -E $'^[^[:space:]]+@[^[:space:]]+\t' "$T/server.out" >"$T/logins.tsv" || true
if ! grep -qE $'\ttrainer(\t|$)' "$T/logins.tsv"; then
    echo "FAIL: the demo printed no trainer login" >&2
    exit 1
fi
echo "hub on 127.0.0.1:$port with $(wc -l <"$T/logins.tsv") demo logins"

# Users without a second factor, added while the hub runs (SQLite WAL).
: >"$T/fresh.tsv"
for kind in desktop phone; do
    email="enrol-$kind@browser.example.org"
    pw="browser-test-$kind-$$-$RANDOM"
    if ! printf '%s\n' "$pw" | "$KALKAN" user add --db "$T/hub.db" \
        --email "$email" --role trainer >/dev/null; then
        echo "FAIL: kalkan user add $email" >&2
        exit 1
    fi
    printf '%s\t%s\n' "$email" "$pw" >>"$T/fresh.tsv"
done

# The normal build runs every check on a desktop and on a phone; the
# sanitizer build, whose server code is the same, on the desktop only.
viewports="desktop phone"
[ "$KK_SANITIZE" != "ON" ] || viewports=desktop
KK_HUB_URL="http://127.0.0.1:$port" KK_DEMO_LOGINS="$T/logins.tsv" \
    KK_FRESH_USERS="$T/fresh.tsv" KK_ARTIFACTS="$art" KK_VIEWPORTS="$viewports" \
    KK_SOURCE_DIR="$KK_SOURCE_DIR" \
    node "$browser_dir/run.mjs" 2>&1 | tee "$art/report.txt"
rc=${PIPESTATUS[0]}

# The server stops cleanly on SIGTERM (and, with sanitizers, reports
# nothing).
kill -TERM "$hub_pid"
srv=0
wait "$hub_pid" || srv=$?
hub_pid=""
if [ "$srv" -ne 0 ]; then
    echo "FAIL: kalkan serve exited with status $srv after SIGTERM" >&2
    rc=1
fi
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/server.err"; then
    echo "FAIL: the server's log has a sanitizer report" >&2
    rc=1
fi
n=$(find "$art" -name '*.png' | wc -l)
echo "screenshots: $n in $art"
if [ "$n" -eq 0 ]; then
    echo "FAIL: no screenshot was kept" >&2
    rc=1
fi
exit "$rc"
