#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# site_matrix.sh - every finding id of `kalkan site`, seen where it is
# planted and not seen where it is not.
#
# Starts the offline fixture (tests/data/site/fixture.sh), checks each of
# its sites once with `kalkan site check --json`, and then asserts, id by
# id, one site that must have the finding and one that must not.  Also:
# the well-configured site has nothing above "info" and is graded A or A+,
# the catch-all site (200 text/html for every path) raises no exposed-file
# finding, every site stays inside the politeness budget (80 requests, 20
# TLS handshakes), and every id of `kalkan site list` is covered here.
set -euo pipefail
: "${KALKAN:?KALKAN must name the kalkan binary}"
KK_SOURCE_DIR=${KK_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BASE=${SITE_MATRIX_BASE:-23000}

T=$(mktemp -d /tmp/kalkan-site-matrix.XXXXXX)
cleanup() {
    bash "$KK_SOURCE_DIR/tests/data/site/fixture.sh" down "$T/fx" || true
    rm -rf "$T"
}
trap cleanup EXIT

bash "$KK_SOURCE_DIR/tests/data/site/fixture.sh" up "$T/fx" "$BASE" >/dev/null
# shellcheck disable=SC1091
. "$T/fx/fixture.env"
read -r -a OPTS <"$T/fx/site.opts"

FAILS=0
CHECKS=0
ok() { CHECKS=$((CHECKS + 1)); }
fail() {
    CHECKS=$((CHECKS + 1))
    FAILS=$((FAILS + 1))
    echo "FAIL: $*" >&2
}

# check NAME TARGET: the JSON report of one site into $T/NAME.json.
check() {
    local name=$1 target=$2 rc=0
    "$KALKAN" site check --json --quiet "${OPTS[@]}" "$target" \
        >"$T/$name.json" 2>"$T/$name.err" || rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
        fail "$name: exit $rc: $(cat "$T/$name.err")"
        echo '{}' >"$T/$name.json"
        return
    fi
    if ! jq -e '.grade and (.findings | type == "array")' "$T/$name.json" >/dev/null; then
        fail "$name: not a graded report: $(head -c 300 "$T/$name.json")"
        echo '{}' >"$T/$name.json"
        return
    fi
    ok
}

SITES="good bad expired legacy selfsigned wronghost soon soft404 plain
broken spf11 nomail v6broken"
for s in $SITES; do
    check "$s" "$s.kalkan.test"
done
check weakciph "weakciph.kalkan.test:$FX_WEAK"
check signed signed.test
check bogus bogus.test
check apex apex.kalkan.test

has() { jq -e --arg id "$2" 'any(.findings[]?; .id == $id)' "$T/$1.json" >/dev/null; }

# id HOST-WITH NOT-HOST: the finding is on the first site, not on the second.
expect() {
    local id=$1 yes=$2 no=$3
    if has "$yes" "$id"; then ok; else fail "$id: not found on $yes"; fi
    if has "$no" "$id"; then fail "$id: found on $no"; else ok; fi
    COVERED="$COVERED $id"
}
COVERED=""

expect tls.cert.expired expired good
expect tls.cert.untrusted selfsigned good
expect tls.cert.hostname wronghost good
expect tls.cert.expiring soon good
expect tls.protocol.legacy legacy good
expect tls.cipher.weak weakciph good
expect tls.key.weak legacy good
expect tls.signature.sha1 legacy good
expect tls.no_forward_secrecy legacy good
expect https.missing plain good
expect https.no_redirect bad good
expect hsts.missing bad good
expect hsts.short soon good
expect csp.missing bad good
expect csp.unsafe soon good
expect xfo.missing bad good
expect xcto.missing bad good
expect referrer.missing bad good
expect cookie.no_secure bad good
expect cookie.no_httponly bad good
expect cookie.no_samesite bad good
expect content.mixed bad good
expect leak.server_version bad good
expect leak.powered_by bad good
expect securitytxt.missing bad good
expect exposed.git bad good
expect exposed.env bad good
expect exposed.config_backup bad good
expect exposed.db_dump bad good
expect exposed.debug_log bad good
expect exposed.phpinfo bad good
expect exposed.dir_listing bad good
expect cms.detected bad good
expect cms.outdated bad good
expect wp.user_enum bad good
expect wp.xmlrpc bad good
expect mail.spf.missing nomail good
expect mail.spf.permissive bad good
expect mail.spf.invalid broken good
expect mail.dmarc.missing nomail good
expect mail.dmarc.weak bad good
expect mail.dmarc.invalid broken good
expect mail.dkim.missing bad good
expect mail.starttls.missing bad good
expect mail.tls.legacy legacy good
expect dns.caa.missing bad good
expect dnssec.bogus bogus good
expect dnssec.unsigned good signed
expect ipv6.broken v6broken good

# More than ten SPF lookups is its own reason for an invalid record.
if jq -e 'any(.findings[]; .id == "mail.spf.invalid" and (.evidence | test("1[0-9]")))' \
    "$T/spf11.json" >/dev/null; then ok; else fail "spf11: lookups not counted"; fi

# Every catalogue id is covered by this matrix.
"$KALKAN" site list --json >"$T/list.json"
for id in $(jq -r '.[].id' "$T/list.json"); do
    case " $COVERED " in
    *" $id "*) ok ;;
    *) fail "$id: in the catalogue but not in the matrix" ;;
    esac
done

# The well-configured site: nothing above info, graded A or A+.
if jq -e '[.findings[] | select(.severity != "info")] | length == 0' "$T/good.json" >/dev/null; then
    ok
else
    fail "good: $(jq -c '[.findings[] | select(.severity != "info") | .id]' "$T/good.json")"
fi
case "$(jq -r .grade "$T/good.json")" in
A | A+) ok ;;
*) fail "good: grade $(jq -r .grade "$T/good.json")" ;;
esac
[ "$(jq -r .grade "$T/bad.json")" = F ] && ok || fail "bad: grade $(jq -r .grade "$T/bad.json")"

# A site whose name redirects to its www. name is judged there.
if jq -e '(.url | startswith("https://www.apex.kalkan.test:")) and
          ([.findings[] | select(.severity != "info")] | length == 0)' "$T/apex.json" >/dev/null; then
    ok
else
    fail "apex: $(jq -c '{url, ids: [.findings[].id]}' "$T/apex.json")"
fi

# The catch-all site raises no exposed-file finding.
if jq -e 'any(.findings[]; .id | startswith("exposed.")) | not' "$T/soft404.json" >/dev/null; then
    ok
else
    fail "soft404: $(jq -c '[.findings[].id | select(startswith("exposed."))]' "$T/soft404.json")"
fi

# Polite: at most 80 requests and 20 handshakes per site.
for f in "$T"/*.json; do
    [ "$(basename "$f")" = list.json ] && continue
    if jq -e '(.requests // 0) <= 80 and (.handshakes // 0) <= 20' "$f" >/dev/null; then
        ok
    else
        fail "$(basename "$f" .json): over budget: $(jq -c '{requests, handshakes}' "$f")"
    fi
done

# Exposed secrets are named, never copied into the report.
if grep -l 'fixture-not-a-secret' "$T"/*.json >/dev/null 2>&1; then
    fail "a secret of the fixture was copied into a report"
else
    ok
fi

echo "site_matrix: $CHECKS checks, $FAILS failed"
[ "$FAILS" -eq 0 ]
