#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# site_exposure.sh - the exposure stage of `kalkan site check` against the
# offline fixture (tests/data/site/fixture.sh): on the neglected WordPress
# site every exposed file, the CMS and its outdated version, user
# enumeration and XML-RPC are found, with evidence that names paths and
# never a secret; the well-kept site and the site that answers 200 with
# HTML for every path raise none of them (and record the checks as
# passed); a newer release list given with --cms-releases changes the
# judgement, and a malformed one is refused before anything is checked.
# Politeness: no login attempt, no more requests than the budget.
set -u

: "${KALKAN:?KALKAN must name the kalkan binary}"
: "${KK_SOURCE_DIR:?KK_SOURCE_DIR must name the source tree}"

BASE=20200
tmp=$(mktemp -d)
chmod 755 "$tmp" # nginx's workers read the sites below it
fx=$tmp/fx
mkdir "$fx"
fixture=$KK_SOURCE_DIR/tests/data/site/fixture.sh
cleanup() {
    bash "$fixture" down "$fx" >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

if ! bash "$fixture" up "$fx" "$BASE" >"$tmp/fixture.log" 2>&1; then
    cat "$tmp/fixture.log" >&2
    echo "FAIL: the fixture did not start" >&2
    exit 1
fi
read -r -a opts <"$fx/site.opts"

# check HOST [OPTIONS...]: runs the check; sets rc and writes $tmp/HOST.json.
check() {
    local host=$1
    shift
    "$KALKAN" site check --json "${opts[@]}" "$@" "$host" \
        >"$tmp/$host.json" 2>"$tmp/$host.err"
    rc=$?
    if ! jq -e . "$tmp/$host.json" >/dev/null 2>&1; then
        fail "$host: the output is not JSON (exit $rc): $(head -c 300 "$tmp/$host.json") $(cat "$tmp/$host.err")"
    fi
}

# The ids of the findings of $tmp/HOST.json, one a line.
ids() {
    jq -r '[.. | objects | select(has("id") and has("severity")) | .id]
           | .[]' "$tmp/$1.json" 2>/dev/null | sort -u
}

# The evidence of finding ID in $tmp/HOST.json.
evidence() {
    jq -r --arg id "$2" '[.. | objects | select(.id? == $id and
           has("severity")) | .evidence] | first // ""' "$tmp/$1.json"
}

passed() {
    jq -r '[.. | objects | .passed? // empty | .[]] | .[]' "$tmp/$1.json" \
        2>/dev/null | sort -u
}

mine='^(exposed\.|cms\.|wp\.)'

# ---- the neglected WordPress site: everything is found ----
check bad.kalkan.test
[ "$rc" = 1 ] || fail "bad: exit $rc, want 1 (findings above low)"
found=$(ids bad.kalkan.test)
for id in exposed.git exposed.env exposed.config_backup exposed.db_dump \
    exposed.debug_log exposed.phpinfo exposed.dir_listing cms.detected \
    cms.outdated wp.user_enum wp.xmlrpc; do
    grep -qx "$id" <<<"$found" || fail "bad: $id not found (found: $(tr '\n' ' ' <<<"$found"))"
done
expect_ev() {
    local id=$1 want=$2 got
    got=$(evidence bad.kalkan.test "$id")
    case $got in
    *"$want"*) ;;
    *) fail "bad: $id evidence '$got' lacks '$want'" ;;
    esac
}
expect_ev exposed.git /.git/HEAD
expect_ev exposed.env /.env
expect_ev exposed.config_backup /wp-config.php.bak
expect_ev exposed.db_dump /backup.sql
expect_ev exposed.debug_log /wp-content/debug.log
expect_ev exposed.phpinfo /phpinfo.php
expect_ev exposed.dir_listing /wp-content/uploads/
expect_ev cms.detected "WordPress 5.8.1"
expect_ev cms.outdated "WordPress 5.8.1, current 6.x is"
expect_ev wp.user_enum admin
expect_ev wp.xmlrpc "system.multicall enabled"
# The fixture's password, database user and table contents never leave
# the site in a report.
for secret in fixture-not-a-secret git.example.org get_field "Undefined variable"; do
    if grep -q -- "$secret" "$tmp/bad.kalkan.test.json"; then
        fail "bad: the report repeats the content '$secret' of an exposed file"
    fi
done
requests=$(jq -r '[.. | objects | .requests? // empty] | first // 999' "$tmp/bad.kalkan.test.json")
[ "$requests" -le 80 ] 2>/dev/null || fail "bad: $requests requests, more than 80"
if grep -E '"POST /wp-login' "$fx/run/access.log" >/dev/null; then
    fail "the checker tried to log in"
fi

# ---- the well-kept site: none of them, and the checks passed ----
check good.kalkan.test
found=$(ids good.kalkan.test)
if grep -E "$mine" <<<"$found" >/dev/null; then
    fail "good: exposure findings: $(grep -E "$mine" <<<"$found" | tr '\n' ' ')"
fi
ok=$(passed good.kalkan.test)
for id in exposed.git exposed.env exposed.config_backup exposed.db_dump \
    exposed.debug_log exposed.phpinfo exposed.dir_listing; do
    grep -qx "$id" <<<"$ok" || fail "good: $id not among the passed checks"
done

# ---- 200 text/html for every path: no exposed file, no CMS ----
check soft404.kalkan.test
found=$(ids soft404.kalkan.test)
if grep -E "$mine" <<<"$found" >/dev/null; then
    fail "soft404: false alarms: $(grep -E "$mine" <<<"$found" | tr '\n' ' ')"
fi

# ---- a newer release list replaces the built-in one ----
printf '# a list where 5.8.1 is current\nwordpress 5.8 5.8.1 2021-09-09\n' \
    >"$tmp/releases.txt"
check bad.kalkan.test --cms-releases "$tmp/releases.txt"
found=$(ids bad.kalkan.test)
grep -qx cms.outdated <<<"$found" &&
    fail "--cms-releases: 5.8.1 still outdated with a list naming it current"
grep -qx cms.detected <<<"$found" || fail "--cms-releases: cms.detected lost"
grep -qx cms.outdated <<<"$(passed bad.kalkan.test)" ||
    fail "--cms-releases: cms.outdated not among the passed checks"

printf 'wordpress 6 6.8.3\nwordpress six 7.0\n' >"$tmp/bad-releases.txt"
"$KALKAN" site check --json "${opts[@]}" --cms-releases "$tmp/bad-releases.txt" \
    bad.kalkan.test >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 2 ] || fail "a malformed --cms-releases: exit $rc, want 2"
[ -s "$tmp/out" ] && fail "a malformed --cms-releases: printed on stdout"
grep -q "line 2" "$tmp/err" || fail "a malformed --cms-releases: the error does not name line 2: $(cat "$tmp/err")"

if [ "$failures" -gt 0 ]; then
    echo "$failures failure(s)" >&2
    exit 1
fi
echo "site_exposure: ok"
