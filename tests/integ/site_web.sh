#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# site_web.sh - the headers area of `kalkan site check` against the offline
# fixture: HTTPS and its redirect, HSTS, CSP, framing, nosniff, referrer,
# cookies, mixed content, version leaks and security.txt.
#
# good.kalkan.test must pass every one of these checks (and have nothing
# above "info" at all); bad.kalkan.test must raise every one that its
# neglect deserves, with evidence that names what was seen and never a
# cookie's value; soon.kalkan.test has a short HSTS and a CSP with
# 'unsafe-inline' but frame-ancestors instead of X-Frame-Options;
# plain.kalkan.test has no HTTPS, so the checks that need HTTPS record
# nothing; soft404.kalkan.test answers every path with the same page, which
# is no security.txt.
set -euo pipefail
: "${KALKAN:?KALKAN must name the kalkan binary}"
KK_SOURCE_DIR=${KK_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BASE=${SITE_WEB_BASE:-20100}

T=$(mktemp -d /tmp/kalkan-site-web.XXXXXX)
# nginx's workers run as nobody when we are root: they must reach the
# fixture's web roots under $T.
chmod 755 "$T"
cleanup() {
    bash "$KK_SOURCE_DIR/tests/data/site/fixture.sh" down "$T/fx" || true
    rm -rf "$T"
}
trap cleanup EXIT

bash "$KK_SOURCE_DIR/tests/data/site/fixture.sh" up "$T/fx" "$BASE" >/dev/null
read -r -a OPTS <"$T/fx/site.opts"

FAILS=0
CHECKS=0
ok() { CHECKS=$((CHECKS + 1)); }
fail() {
    CHECKS=$((CHECKS + 1))
    FAILS=$((FAILS + 1))
    echo "FAIL: $*" >&2
}

# The ids this area decides.
IDS="https.missing https.no_redirect hsts.missing hsts.short csp.missing
csp.unsafe xfo.missing xcto.missing referrer.missing cookie.no_secure
cookie.no_httponly cookie.no_samesite content.mixed leak.server_version
leak.powered_by securitytxt.missing"

# check NAME: the JSON report of NAME.kalkan.test into $T/NAME.json; the
# exit code must be 0 or 1 (findings), never a failure to check.
check() {
    local name=$1 rc=0
    "$KALKAN" site check --json "${OPTS[@]}" "$name.kalkan.test" \
        >"$T/$name.json" 2>"$T/$name.err" || rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
        fail "$name: exit $rc: $(cat "$T/$name.err")"
        echo '{"findings":[],"passed":[]}' >"$T/$name.json"
        return
    fi
    if ! jq -e '(.findings | type == "array") and (.passed | type == "array")' \
        "$T/$name.json" >/dev/null; then
        fail "$name: not a report: $(head -c 300 "$T/$name.json")"
        echo '{"findings":[],"passed":[]}' >"$T/$name.json"
        return
    fi
    ok
}

for s in good bad soon plain soft404; do
    check "$s"
done

found() { jq -e --arg id "$2" 'any(.findings[]; .id == $id)' "$T/$1.json" >/dev/null; }
passed() { jq -e --arg id "$2" 'any(.passed[]; . == $id)' "$T/$1.json" >/dev/null; }
evidence() { jq -r --arg id "$2" '[.findings[] | select(.id == $id) | .evidence][0] // ""' "$T/$1.json"; }

# expect_found SITE ID [TEXT]: found, its evidence containing TEXT.
expect_found() {
    local site=$1 id=$2 text=${3:-}
    if ! found "$site" "$id"; then
        fail "$site: $id not found"
        return
    fi
    local ev
    ev=$(evidence "$site" "$id")
    case $ev in
    *"$text"*) ok ;;
    *) fail "$site: $id evidence '$ev' lacks '$text'" ;;
    esac
}
expect_passed() {
    if passed "$1" "$2" && ! found "$1" "$2"; then ok; else fail "$1: $2 did not pass"; fi
}
# Neither found nor passed: the check does not apply.
expect_silent() {
    if found "$1" "$2" || passed "$1" "$2"; then
        fail "$1: $2 was judged, but does not apply"
    else
        ok
    fi
}

# good: every check of the area passes; nothing above info anywhere.
for id in $IDS; do
    expect_passed good "$id"
done
if jq -e 'all(.findings[]; .severity == "info")' "$T/good.json" >/dev/null; then
    ok
else
    fail "good: findings above info: $(jq -c '[.findings[] | select(.severity != "info") | .id]' "$T/good.json")"
fi

# bad: a neglected WordPress site over HTTPS.
expect_found bad https.no_redirect "HTTP 200"
expect_found bad hsts.missing
expect_found bad csp.missing
expect_found bad xfo.missing
expect_found bad xcto.missing
expect_found bad referrer.missing
expect_found bad cookie.no_secure "wordpress_logged_in_5d41"
expect_found bad cookie.no_secure "(http)"
expect_found bad cookie.no_httponly "wordpress_logged_in_5d41"
expect_found bad cookie.no_samesite "wordpress_logged_in_5d41"
expect_found bad content.mixed "http://cdn.example.net/jquery.min.js"
expect_found bad leak.server_version "nginx/1.22.1"
expect_found bad leak.powered_by "PHP/7.4.3"
expect_found bad securitytxt.missing "HTTP 404"
expect_passed bad https.missing
expect_silent bad hsts.short
expect_silent bad csp.unsafe
# Evidence names cookies, never their values.
if jq -e 'any(.findings[]; .evidence | test("1700000000|admin%7C"))' "$T/bad.json" >/dev/null; then
    fail "bad: a cookie value appears in evidence"
else
    ok
fi

# soon: HSTS for an hour, CSP with 'unsafe-inline', framing by CSP.
expect_found soon hsts.short "max-age=3600"
expect_found soon csp.unsafe "'unsafe-inline'"
expect_passed soon hsts.missing
expect_passed soon csp.missing
expect_passed soon xfo.missing
expect_passed soon referrer.missing

# plain: no HTTPS at all; what needs HTTPS records nothing.
expect_found plain https.missing "port"
for id in https.no_redirect hsts.missing hsts.short cookie.no_secure content.mixed; do
    expect_silent plain "$id"
done
expect_found plain csp.missing
expect_found plain securitytxt.missing

# soft404: the same page for every path is no security.txt, and nothing
# else is invented.
expect_found soft404 securitytxt.missing "text/html"
expect_found soft404 https.no_redirect "HTTP 200"
for id in content.mixed cookie.no_secure cookie.no_httponly leak.server_version leak.powered_by; do
    expect_passed soft404 "$id"
done

# Where each id appears, its counterpart on good does not.
for pair in hsts.short:soon csp.unsafe:soon https.missing:plain; do
    id=${pair%%:*}
    site=${pair#*:}
    if found "$site" "$id" && ! found good "$id"; then ok; else fail "$id: not on $site only"; fi
done

echo "site_web: $CHECKS checks, $FAILS failed"
[ "$FAILS" -eq 0 ]
