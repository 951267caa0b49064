# SPDX-License-Identifier: GPL-3.0-or-later
# tests/data/hub/lib.sh - shared helpers of the hub_*.sh integration tests (sourced).
#
# A test starts the real `kalkan serve` on 127.0.0.1 with port 0 (the
# kernel picks a free port, which the server prints) and a database in a
# private temporary directory, creates its logins with `kalkan user add`
# and a TOTP secret file, signs in through POST /api/v1/login keeping one
# cookie jar per login, and talks to the server with curl.  The trap stops
# every server the test started and removes the directory; when the test
# fails it prints what the servers logged.  Nothing here waits longer than
# needed: every wait is a short poll with an upper bound, and no check is
# about time.
set -euo pipefail
: "${KALKAN:?KALKAN must name the kalkan binary}"
KK_SANITIZE=${KK_SANITIZE:-OFF}
KK_SOURCE_DIR=${KK_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}

T=$(mktemp -d /tmp/kalkan-hub.XXXXXX)
mkdir -p "$T/jar" "$T/csrf" "$T/totp" "$T/step"
FAILS=0
CHECKS=0
HUB_PID=""
HUB_PORT=""
HUB_URL=""
HUB_DB=$T/hub.db
HUB_LOG=$T/server.log
HUB_LOGS=()
HUB_PIDS=()
# A password that satisfies the hub's rules; every test login uses it.
HUB_PW="correct-horse-battery-staple"

if [ "$KK_SANITIZE" = "ON" ]; then
    # The server must stop with no leak and no error report; an error
    # report makes the server exit non-zero, which the tests check.
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
fi

hub_cleanup() {
    local rc=$? p
    for p in "${HUB_PIDS[@]}"; do
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    if [ "$rc" -ne 0 ] || [ "$FAILS" -ne 0 ]; then
        for p in "${HUB_LOGS[@]}"; do
            [ -s "$p" ] || continue
            echo "--- the server's log ($(basename "$p")), last 60 lines:"
            tail -n 60 "$p" | sed 's/^/    server: /'
        done
    fi
    if [ -n "${HUB_KEEP_TMP:-}" ]; then
        echo "kept $T"
    else
        rm -rf "$T"
    fi
    exit "$rc"
}
trap hub_cleanup EXIT

ok() {
    CHECKS=$((CHECKS + 1))
    echo "ok   $*"
}
bad() {
    CHECKS=$((CHECKS + 1))
    FAILS=$((FAILS + 1))
    echo "FAIL $*"
}
# check DESCRIPTION COMMAND... : passes when the command succeeds.
check() {
    local what=$1
    shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}
# check_not DESCRIPTION COMMAND... : passes when the command fails.
check_not() {
    local what=$1
    shift
    if "$@"; then bad "$what"; else ok "$what"; fi
}
# expect DESCRIPTION WANT GOT
expect() {
    if [ "$2" = "$3" ]; then ok "$1"; else bad "$1 (got '$3', want '$2')"; fi
}
finish() {
    if [ "$FAILS" -ne 0 ]; then
        echo "$FAILS of $CHECKS check(s) failed"
        exit 1
    fi
    echo "all $CHECKS checks passed"
    exit 0
}

# poll TRIES COMMAND... : runs COMMAND every 0.05 s until it succeeds, at
# most TRIES times.
poll() {
    local n=$1
    shift
    while [ "$n" -gt 0 ]; do
        if "$@"; then return 0; fi
        sleep 0.05
        n=$((n - 1))
    done
    return 1
}

# --- the server ---

hub_port_known() {
    local p
    p=$(sed -n 's/^Kalkan hub listening on .*(port \([0-9]*\)).*/\1/p' \
        "$HUB_LOG" 2>/dev/null | head -n 1)
    [ -n "$p" ] || return 1
    HUB_PORT=$p
}
hub_answers() {
    curl -s -o /dev/null --max-time 5 "$HUB_URL/login"
}
hub_alive() { [ -n "$HUB_PID" ] && kill -0 "$HUB_PID" 2>/dev/null; }

# hub_start [SERVE OPTIONS...] : starts `kalkan serve` on a free loopback
# port with the database $HUB_DB, logging to $HUB_LOG; sets HUB_PID,
# HUB_PORT and HUB_URL and returns once the server answers.  Websites are
# not checked on a schedule unless the options say so (a test's websites
# must never be looked up on the internet).
hub_start() {
    : >"$HUB_LOG"
    HUB_LOGS+=("$HUB_LOG")
    "$KALKAN" serve --db "$HUB_DB" --listen 127.0.0.1:0 --threads 4 \
        --site-interval 0 "$@" \
        >>"$HUB_LOG" 2>&1 </dev/null &
    HUB_PID=$!
    HUB_PIDS+=("$HUB_PID")
    # An ASan build fills a demo database slowly: allow two minutes.
    if ! poll 2400 hub_port_known; then
        echo "the server did not start:"
        cat "$HUB_LOG"
        return 1
    fi
    HUB_URL=http://127.0.0.1:$HUB_PORT
    if ! poll 600 hub_answers; then
        echo "the server does not answer on $HUB_URL"
        return 1
    fi
}

# hub_stop : SIGTERM, then waits for the exit (at most 30 s); returns the
# server's exit status (124 if it did not stop).
hub_stop() {
    local pid=$HUB_PID rc=0
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    if ! poll 600 hub_gone "$pid"; then
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        hub_forget "$pid"
        HUB_PID=""
        return 124
    fi
    wait "$pid" || rc=$?
    hub_forget "$pid"
    HUB_PID=""
    return "$rc"
}
# hub_gone PID : the process has exited (gone, or a zombie not yet reaped).
hub_gone() {
    local s
    s=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
    [ -z "$s" ] || [ "$s" = Z ]
}
hub_forget() {
    local p keep=()
    for p in "${HUB_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    HUB_PIDS=("${keep[@]}")
}

# hub_kill9 : SIGKILL, no clean-up of any kind.
hub_kill9() {
    [ -n "$HUB_PID" ] || return 0
    kill -KILL "$HUB_PID" 2>/dev/null || true
    wait "$HUB_PID" 2>/dev/null || true
    hub_forget "$HUB_PID"
    HUB_PID=""
}

# --- logins ---

# hub_user EMAIL ROLE [OUTLET_SLUG] : adds a login with password $HUB_PW
# and a fresh TOTP secret in $T/totp/EMAIL (mode 0600).
hub_user() {
    local email=$1 role=$2 outlet=${3:-} f=$T/totp/$1
    (umask 077 && head -c 20 /dev/urandom | base32 >"$f")
    if [ -n "$outlet" ]; then
        printf '%s\n' "$HUB_PW" | "$KALKAN" user add --db "$HUB_DB" \
            --email "$email" --role "$role" --outlet "$outlet" \
            --totp-secret-file "$f" >/dev/null
    else
        printf '%s\n' "$HUB_PW" | "$KALKAN" user add --db "$HUB_DB" \
            --email "$email" --role "$role" --totp-secret-file "$f" \
            >/dev/null
    fi
}

# hub_code EMAIL [UNIX_TIME] : the TOTP code of EMAIL's secret.
hub_code() {
    if [ $# -gt 1 ]; then
        "$KALKAN" otp code --secret-file "$T/totp/$1" --time "$2"
    else
        "$KALKAN" otp code --secret-file "$T/totp/$1"
    fi
}

# hub_fresh_time EMAIL : a time whose 30-second step has not been used by
# EMAIL yet (the hub accepts each step once, and the next step early);
# waits when both are used.
hub_fresh_time() {
    local email=$1 last=0 now step
    [ -f "$T/step/$email" ] && last=$(cat "$T/step/$email")
    while :; do
        now=$(date +%s)
        step=$((now / 30))
        if [ "$step" -gt "$last" ]; then break; fi
        if [ $((step + 1)) -gt "$last" ]; then
            step=$((step + 1))
            break
        fi
        sleep 1
    done
    echo "$step" >"$T/step/$email"
    echo $((step * 30))
}

# hub_login EMAIL : signs in through POST /api/v1/login; keeps the session
# in the cookie jar $T/jar/EMAIL and the CSRF token in $T/csrf/EMAIL.
hub_login() {
    local email=$1 code body st
    code=$(hub_code "$email" "$(hub_fresh_time "$email")")
    body=$(jq -cn --arg e "$email" --arg p "$HUB_PW" --arg c "$code" \
        '{email: $e, password: $p, totp: $c}')
    rm -f "$T/jar/$email"
    st=$(curl -sS --max-time 60 -o "$T/login.out" -w '%{http_code}' \
        -c "$T/jar/$email" -H 'Content-Type: application/json' \
        --data-binary "$body" "$HUB_URL/api/v1/login")
    if [ "$st" != 200 ]; then
        echo "login of $email failed: HTTP $st $(cat "$T/login.out")"
        return 1
    fi
    jq -r .csrf "$T/login.out" >"$T/csrf/$email"
}

# hub_outlet WHO SLUG NAME MEDIA : creates an outlet through the API (as
# a trainer); prints its id.
hub_outlet() {
    req "$1" POST /api/v1/outlets "$(jq -cn --arg s "$2" --arg n "$3" \
        --arg m "$4" '{slug: $s, name: $n, media: $m}')"
    if [ "$STATUS" != 201 ] && [ "$STATUS" != 200 ]; then
        echo "creating outlet $2: HTTP $STATUS $(head -c 300 "$T/r.body")" >&2
        return 1
    fi
    jq -r .id "$T/r.body"
}

# --- requests ---
#
# req WHO METHOD PATH [BODY [CONTENT_TYPE]] : one request.  WHO is a login
# e-mail (its cookie jar and CSRF token), "bearer:TOKEN", "anon", or
# "nocsrf:EMAIL" (the session without the CSRF header).  BODY is sent as
# JSON unless CONTENT_TYPE says otherwise.  Sets STATUS (000 when the
# transport failed) and CLEN (the Content-Length header); the body is in
# $T/r.body, the headers in $T/r.hdr.  REQ_EXTRA holds more curl options.
REQ_EXTRA=()
req() {
    local who=$1 method=$2 path=$3 args=() w
    args=(-sS --max-time 60 -o "$T/r.body" -D "$T/r.hdr"
        -w '%{http_code} %header{content-length}')
    if [ "$method" = HEAD ]; then args+=(-I); else args+=(-X "$method"); fi
    case $who in
    anon) ;;
    bearer:*) args+=(-H "Authorization: Bearer ${who#bearer:}") ;;
    nocsrf:*) args+=(-b "$T/jar/${who#nocsrf:}") ;;
    *)
        args+=(-b "$T/jar/$who")
        if [ "$method" = POST ]; then
            args+=(-H "X-CSRF-Token: $(<"$T/csrf/$who")")
        fi
        ;;
    esac
    if [ $# -ge 4 ]; then
        args+=(-H "Content-Type: ${5:-application/json}" --data-binary "$4")
    elif [ "$method" = POST ]; then
        args+=(-H "Content-Type: application/x-www-form-urlencoded" -d '')
    fi
    w=$(curl "${args[@]}" "${REQ_EXTRA[@]}" "$HUB_URL$path" 2>"$T/r.err") ||
        w=000
    STATUS=${w%% *}
    CLEN=${w#"$STATUS"}
    CLEN=${CLEN# }
    if [ "$STATUS" = 000 ] && [ -n "$HUB_PID" ] && ! hub_alive; then
        bad "$method $path: the server is gone (its log says why)"
        finish
    fi
}

# hdr NAME : the value of response header NAME of the last request.
hdr() {
    tr -d '\r' <"$T/r.hdr" | awk -v n="$1" 'BEGIN { n = tolower(n) }
        { i = index($0, ":"); if (i && tolower(substr($0, 1, i - 1)) == n) {
          v = substr($0, i + 1); sub(/^ */, "", v); print v } }'
}

# sha FILE
sha() { sha256sum "$1" | cut -d' ' -f1; }

# py_sqlite DB SQL : runs SQL with Python's sqlite3 (an independent
# reader), printing rows tab-separated.
py_sqlite() {
    python3 - "$1" "$2" <<'EOF'
import sqlite3, sys
con = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
for row in con.execute(sys.argv[2]):
    print("\t".join("" if v is None else str(v) for v in row))
con.close()
EOF
}
