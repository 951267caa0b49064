#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# site_dns.sh - the mail and dns areas of `kalkan site check` against the
# offline fixture's DNS (unbound on loopback): SPF, DMARC, DKIM, CAA,
# DNSSEC and IPv6.
#
# good.kalkan.test has nothing above "info" (SPF "mx -all", DMARC reject,
# a DKIM key at "mail", CAA, an AAAA that answers); bad has SPF +all,
# DMARC p=none without reports and no _domainkey at all; broken has two SPF
# records and a DMARC record without ';'; nomail has neither SPF nor
# DMARC; spf11 needs eleven DNS lookups; v6broken publishes an AAAA that
# nothing answers on; signed.test is DNSSEC-signed and valid, bogus.test
# was altered after signing, and every kalkan.test name is unsigned.
# Where it helps, dig asks the same server as an independent reader of the
# records.  A resolver that never answers must cost one timeout and leave
# the mail and dns checks unjudged, and a malformed --dns is a usage error.
set -euo pipefail
: "${KALKAN:?KALKAN must name the kalkan binary}"
KK_SOURCE_DIR=${KK_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BASE=${SITE_DNS_BASE:-20300}

T=$(mktemp -d /tmp/kalkan-site-dns.XXXXXX)
chmod 755 "$T"
SILENT_PID=""
cleanup() {
    if [ -n "$SILENT_PID" ]; then
        kill "$SILENT_PID" 2>/dev/null || true
    fi
    bash "$KK_SOURCE_DIR/tests/data/site/fixture.sh" down "$T/fx" || true
    rm -rf "$T"
}
trap cleanup EXIT

bash "$KK_SOURCE_DIR/tests/data/site/fixture.sh" up "$T/fx" "$BASE" >/dev/null
read -r -a OPTS <"$T/fx/site.opts"
# shellcheck disable=SC1091
. "$T/fx/fixture.env"

FAILS=0
CHECKS=0
ok() { CHECKS=$((CHECKS + 1)); }
fail() {
    CHECKS=$((CHECKS + 1))
    FAILS=$((FAILS + 1))
    echo "FAIL: $*" >&2
}

# check NAME HOST [OPTIONS...]: the JSON report of HOST into $T/NAME.json;
# the exit code must be 0 or 1 (findings), never a failure to check.
check() {
    local name=$1 host=$2 rc=0
    shift 2
    timeout 120 "$KALKAN" site check --json --quiet "${OPTS[@]}" "$@" "$host" \
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
    if [ -n "$text" ] && [[ "$(evidence "$site" "$id")" != *"$text"* ]]; then
        fail "$site: $id evidence '$(evidence "$site" "$id")' lacks '$text'"
        return
    fi
    ok
}
# expect_passed SITE ID: checked and fine (not found).
expect_passed() {
    if found "$1" "$2"; then
        fail "$1: $2 found: $(evidence "$1" "$2")"
    elif ! passed "$1" "$2"; then
        fail "$1: $2 not among the passed checks"
    else
        ok
    fi
}
# expect_unjudged SITE ID: neither found nor passed.
expect_unjudged() {
    if found "$1" "$2" || passed "$1" "$2"; then
        fail "$1: $2 was judged"
    else
        ok
    fi
}

MAIL_IDS="mail.spf.missing mail.spf.invalid mail.spf.permissive
mail.dmarc.missing mail.dmarc.invalid mail.dmarc.weak mail.dkim.missing"
DNS_IDS="dns.caa.missing dnssec.bogus dnssec.unsigned ipv6.broken"

check good good.kalkan.test
check bad bad.kalkan.test
check broken broken.kalkan.test
check nomail nomail.kalkan.test
check spf11 spf11.kalkan.test
check v6broken v6broken.kalkan.test
check signed signed.test
check bogus bogus.test --dkim-selector newsroom2024

# good: every mail and dns check ran and passed, but for the unsigned
# zone (info).
for id in $MAIL_IDS dns.caa.missing dnssec.bogus; do
    expect_passed good "$id"
done
expect_found good dnssec.unsigned good.kalkan.test
if [ "$FX_V6" = 1 ]; then
    expect_passed good ipv6.broken
fi
above=$(jq -r '[.findings[] | select(.severity != "info") |
    select(.id | test("^(mail\\.(spf|dmarc|dkim)|dns|ipv6)")) | .id] | join(" ")' \
    "$T/good.json")
if [ -n "$above" ]; then
    fail "good: mail or dns findings above info: $above"
else
    ok
fi

# bad: anyone may send as it, nobody hears of it, nothing is signed.
expect_found bad mail.spf.permissive "+all"
expect_found bad mail.dmarc.weak "p=none"
expect_found bad mail.dmarc.weak "no rua"
expect_found bad mail.dkim.missing "_domainkey.bad.kalkan.test"
expect_found bad dns.caa.missing "bad.kalkan.test, kalkan.test"
expect_found bad dnssec.unsigned bad.kalkan.test
expect_passed bad mail.spf.missing
expect_passed bad mail.spf.invalid
expect_passed bad mail.dmarc.missing
expect_passed bad mail.dmarc.invalid

# broken: two SPF records (permissiveness is then not judged) and a DMARC
# record whose tags are not separated.
expect_found broken mail.spf.invalid "2 SPF records"
expect_unjudged broken mail.spf.permissive
expect_found broken mail.dmarc.invalid "no ';' after v=DMARC1"
expect_passed broken mail.dmarc.missing

# nomail: no SPF, no DMARC (neither at the domain nor at kalkan.test).
expect_found nomail mail.spf.missing nomail.kalkan.test
expect_found nomail mail.dmarc.missing _dmarc.nomail.kalkan.test
expect_unjudged nomail mail.spf.invalid

# spf11: one include too many, counted through the record that is longer
# than one character-string.
expect_found spf11 mail.spf.invalid "11 DNS lookups, the limit is 10"
expect_passed spf11 mail.spf.permissive
expect_passed spf11 mail.dmarc.weak

# v6broken: the AAAA record points where nothing listens (an IPv4-mapped
# address, so the test needs no IPv6 route).
if [ "$FX_V6" = 1 ]; then
    expect_found v6broken ipv6.broken "[::ffff:127.0.0.11]:$FX_HTTPS refused"
    expect_found v6broken ipv6.broken "[::ffff:127.0.0.11]:$FX_HTTP refused"
else
    expect_unjudged v6broken ipv6.broken
fi

# signed.test: DNSSEC valid, nothing to say about it; its DKIM key is at
# the "mail" selector and its CAA at the apex.
for id in dnssec.bogus dnssec.unsigned dns.caa.missing mail.dkim.missing \
    mail.spf.permissive mail.dmarc.weak; do
    expect_passed signed "$id"
done

# bogus.test: the altered A record fails validation; the site behind the
# altered address is still judged (documented in lib/site/dns.c).
expect_found bogus dnssec.bogus "signature"
expect_unjudged bogus dnssec.unsigned
if [ -n "$(jq -r '.grade // ""' "$T/bogus.json")" ]; then
    ok
else
    fail "bogus: the site was not graded"
fi

# The same records read by dig: the oracle for what the checker parsed.
if command -v dig >/dev/null 2>&1; then
    Q=(dig @127.0.0.1 -p "$FX_DNS" +time=2 +tries=1)
    oracle() {
        local desc=$1
        shift
        if "$@"; then ok; else fail "dig: $desc"; fi
    }
    # spf_count NAME N: NAME has N SPF records.
    spf_count() { [ "$("${Q[@]}" +short "$1" TXT | grep -ci '^"v=spf1')" = "$2" ]; }
    # has NAME TYPE TEXT: the answer, strings joined, contains TEXT.
    has() { "${Q[@]}" +short "$1" "$2" | sed 's/" "//g' | grep -qF -- "$3"; }
    # status NAME TYPE RCODE
    status() { "${Q[@]}" "$1" "$2" | grep -q "status: $3"; }
    # includes NAME N: dig prints the long record as two quoted strings;
    # joined, they hold N includes, the count the checker reported.
    includes() {
        [ "$("${Q[@]}" +short "$1" TXT | sed 's/" "//g' | grep -o 'include:' |
            wc -l)" = "$2" ]
    }
    oracle "broken.kalkan.test has two SPF records" spf_count broken.kalkan.test 2
    oracle "nomail.kalkan.test has no SPF record" spf_count nomail.kalkan.test 0
    oracle "spf11 has eleven includes" includes spf11.kalkan.test 11
    oracle "bad's DMARC is p=none" has _dmarc.bad.kalkan.test TXT "p=none"
    oracle "broken's DMARC lacks ';'" has _dmarc.broken.kalkan.test TXT \
        '"v=DMARC1 p=reject"'
    oracle "good has a CAA record" has good.kalkan.test CAA 'issue "letsencrypt.org"'
    oracle "_domainkey.bad does not exist" status _domainkey.bad.kalkan.test TXT NXDOMAIN
    oracle "_domainkey.good exists" status _domainkey.good.kalkan.test TXT NOERROR
    oracle "bogus.test fails validation" status bogus.test A SERVFAIL
fi

# A resolver that takes queries and never answers: one timeout, then the
# check goes on with the web checks; mail and dns are left unjudged.
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
time.sleep(300)
' >"$T/silent.port" &
SILENT_PID=$!
for _ in $(seq 1 50); do
    [ -s "$T/silent.port" ] && break
    sleep 0.1
done
SILENT=$(cat "$T/silent.port")
DEAD_OPTS=()
for ((i = 0; i < ${#OPTS[@]}; i++)); do
    if [ "${OPTS[$i]}" = --dns ]; then
        DEAD_OPTS+=(--dns "127.0.0.1@$SILENT")
        i=$((i + 1))
    else
        DEAD_OPTS+=("${OPTS[$i]}")
    fi
done
rc=0
timeout 120 "$KALKAN" site check --json --quiet "${DEAD_OPTS[@]}" --timeout 2 \
    --resolve "good.kalkan.test:$FX_HTTPS:127.0.0.2" \
    --resolve "good.kalkan.test:$FX_HTTP:127.0.0.2" good.kalkan.test \
    >"$T/dead.json" 2>"$T/dead.err" || rc=$?
if [ "$rc" -eq 124 ]; then
    fail "dead resolver: the check hung"
elif [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
    fail "dead resolver: exit $rc: $(cat "$T/dead.err")"
else
    ok
    for id in $MAIL_IDS $DNS_IDS; do
        expect_unjudged dead "$id"
    done
fi

# A malformed resolver is a usage error, said in one line.
rc=0
"$KALKAN" site check --json --dns 127.0.0.1:53 good.kalkan.test \
    >"$T/usage.out" 2>"$T/usage.err" || rc=$?
if [ "$rc" -ne 2 ] || [ -s "$T/usage.out" ] ||
    [ "$(wc -l <"$T/usage.err")" -ne 1 ]; then
    fail "--dns 127.0.0.1:53: exit $rc, stderr: $(cat "$T/usage.err")"
else
    ok
fi

echo "site_dns: $((CHECKS - FAILS)) of $CHECKS checks passed"
[ "$FAILS" -eq 0 ]
