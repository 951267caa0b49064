#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# site_tls.sh - `kalkan site check`'s TLS and STARTTLS findings against
# the offline fixture (tests/data/site/fixture.sh): on each of good,
# legacy, weakciph (GnuTLS with RC4 and 3DES), expired, selfsigned,
# wronghost, soon and bad, exactly which tls.* ids and which of
# mail.starttls.missing and mail.tls.legacy appear, with their evidence;
# every one of them passed on good; certificate dates judged at a time
# given with --now; the stage's handshakes within the budget.
#
# With SITE_TLS_TESTSSL=1 (and testssl.sh installed), also compares the
# protocols and weak cipher classes found on legacy, weakciph and good
# with testssl.sh's (about a minute more).
set -euo pipefail
: "${KALKAN:?KALKAN must name the kalkan binary}"
KK_SOURCE_DIR=${KK_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BASE=${SITE_TLS_BASE:-20000}
command -v jq >/dev/null || {
    echo "FAIL: jq is not installed (scripts/install-deps)" >&2
    exit 1
}

T=$(mktemp -d /tmp/kalkan-site-tls.XXXXXX)
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

# check NAME TARGET [OPTIONS...]: the JSON report into $T/NAME.json.
check() {
    local name=$1 target=$2 rc=0
    shift 2
    "$KALKAN" site check --json --quiet "${OPTS[@]}" "$@" "$target" \
        >"$T/$name.json" 2>"$T/$name.err" || rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
        fail "$name: exit $rc: $(cat "$T/$name.err")"
        echo '{"findings":[],"passed":[]}' >"$T/$name.json"
    fi
}

# The ids of this stage's findings on a site, sorted, one line.
ours() {
    jq -r '[.findings[].id | select(startswith("tls.") or
            . == "mail.starttls.missing" or . == "mail.tls.legacy")]
           | sort | join(" ")' "$T/$1.json"
}

# expect NAME "ID ID...": exactly these ids of ours, no more, no fewer.
expect() {
    local got
    got=$(ours "$1")
    if [ "$got" = "$2" ]; then ok; else fail "$1: got [$got], want [$2]"; fi
}

# evidence NAME ID WANT: the evidence of ID on NAME equals WANT.
evidence() {
    local got
    got=$(jq -r --arg id "$2" '[.findings[] | select(.id == $id) |
          .evidence] | join("; ")' "$T/$1.json")
    if [ "$got" = "$3" ]; then ok; else fail "$1: $2: [$got], want [$3]"; fi
}

# evidence_like NAME ID REGEX
evidence_like() {
    if jq -e --arg id "$2" --arg re "$3" 'any(.findings[];
          .id == $id and (.evidence | test($re)))' "$T/$1.json" >/dev/null; then
        ok
    else
        fail "$1: $2: evidence does not match /$3/: $(jq -c --arg id "$2" \
            '[.findings[] | select(.id == $id) | .evidence]' "$T/$1.json")"
    fi
}

# A certificate's notAfter as Unix seconds and as the report writes it.
not_after() { date -u -d "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)" +%s; }
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

check good good.kalkan.test
check legacy legacy.kalkan.test
check weakciph weakciph.kalkan.test --https-port "$FX_WEAK" \
    --resolve "weakciph.kalkan.test:$FX_WEAK:127.0.0.1"
check expired expired.kalkan.test
check selfsigned selfsigned.kalkan.test
check wronghost wronghost.kalkan.test
check soon soon.kalkan.test
check bad bad.kalkan.test

expect good ""
expect legacy "mail.tls.legacy tls.key.weak tls.no_forward_secrecy tls.protocol.legacy tls.signature.sha1"
expect weakciph "tls.cipher.weak tls.protocol.legacy"
expect expired "tls.cert.expired"
expect selfsigned "tls.cert.untrusted"
expect wronghost "tls.cert.hostname"
expect soon "tls.cert.expiring"
expect bad "mail.starttls.missing"

evidence legacy tls.protocol.legacy "TLS 1.0, TLS 1.1"
evidence legacy tls.key.weak "RSA 1024 bits"
evidence legacy tls.signature.sha1 "ecdsa-with-SHA1"
evidence legacy tls.no_forward_secrecy "TLS_RSA_WITH_AES_128_CBC_SHA256"
evidence legacy mail.tls.legacy "legacy.kalkan.test: TLS 1.0, TLS 1.1"
evidence weakciph tls.protocol.legacy "TLS 1.0, TLS 1.1"
evidence_like weakciph tls.cipher.weak '^RC4 \(TLS_[A-Z0-9_]*RC4[A-Z0-9_]*\), 3DES \(TLS_[A-Z0-9_]*3DES[A-Z0-9_]*\)$'
evidence expired tls.cert.expired "2021-01-01T00:00:00Z"
evidence selfsigned tls.cert.untrusted "self-signed certificate"
evidence wronghost tls.cert.hostname "other.example"
evidence soon tls.cert.expiring "$(iso "$(not_after "$FX_DIR/pki/soon.crt")")"
evidence bad mail.starttls.missing "bad.kalkan.test"

# Every check of the stage ran and passed on the good site.
for id in tls.cert.expired tls.cert.untrusted tls.cert.hostname \
    tls.cert.expiring tls.key.weak tls.signature.sha1 tls.no_forward_secrecy \
    tls.protocol.legacy tls.cipher.weak mail.starttls.missing mail.tls.legacy; do
    if jq -e --arg id "$id" 'any(.passed[]; . == $id)' "$T/good.json" >/dev/null; then
        ok
    else
        fail "good: $id not among the passed checks"
    fi
done
# The certificate's expiry is reported.
GOOD_END=$(not_after "$FX_DIR/pki/good.crt")
if [ "$(jq -r .cert_expires_at "$T/good.json")" = "$(iso "$GOOD_END")" ]; then
    ok
else
    fail "good: cert_expires_at $(jq -r .cert_expires_at "$T/good.json")"
fi

# Dates are judged at --now: ten days before the good certificate ends it
# is expiring, a day after it is expired, and nothing else changes.
check good_late good.kalkan.test --now "$((GOOD_END - 10 * 86400))"
check good_after good.kalkan.test --now "$((GOOD_END + 86400))"
expect good_late "tls.cert.expiring"
expect good_after "tls.cert.expired"
evidence good_late tls.cert.expiring "$(iso "$GOOD_END")"
evidence good_after tls.cert.expired "$(iso "$GOOD_END")"

# Within the budget of 20 handshakes.  (weakciph's HTTP server closes every
# connection, so its HTTP requests cost handshakes of their own; the TLS
# stage's share is checked by the unit tests.)
for n in good legacy expired selfsigned wronghost soon bad; do
    if jq -e '.handshakes <= 20' "$T/$n.json" >/dev/null; then
        ok
    else
        fail "$n: $(jq .handshakes "$T/$n.json") handshakes"
    fi
done

# Agreement with testssl.sh on protocols and weak cipher classes.
if [ "${SITE_TLS_TESTSSL:-0}" = 1 ] && command -v testssl >/dev/null; then
    # tssl NAME IP HOST:PORT
    tssl() {
        testssl --quiet --color 0 --warnings off --ip "$2" -p -s \
            --jsonfile "$T/$1.testssl.json" "$3" >/dev/null 2>&1 || true
    }
    offered() {
        jq -e --arg id "$2" 'any(.[]; .id == $id and
            (.finding | startswith("offered")))' "$T/$1.testssl.json" >/dev/null
    }
    has_ev() {
        jq -e --arg id "$2" --arg s "$3" 'any(.findings[]; .id == $id and
            (.evidence | contains($s)))' "$T/$1.json" >/dev/null
    }
    tssl legacy 127.0.0.5 "legacy.kalkan.test:$FX_HTTPS"
    tssl weakciph 127.0.0.1 "weakciph.kalkan.test:$FX_WEAK"
    tssl good 127.0.0.2 "good.kalkan.test:$FX_HTTPS"
    for n in legacy weakciph good; do
        for pair in "SSLv3:tls.protocol.legacy:SSLv3" \
            "TLS1:tls.protocol.legacy:TLS 1.0" \
            "TLS1_1:tls.protocol.legacy:TLS 1.1" \
            "cipherlist_3DES_IDEA:tls.cipher.weak:3DES" \
            "cipherlist_NULL:tls.cipher.weak:NULL" \
            "cipherlist_aNULL:tls.cipher.weak:anonymous" \
            "cipherlist_EXPORT:tls.cipher.weak:EXPORT"; do
            IFS=: read -r tid id word <<<"$pair"
            a=0 b=0
            offered "$n" "$tid" && a=1
            has_ev "$n" "$id" "$word" && b=1
            if [ "$a" = "$b" ]; then
                ok
            else
                fail "$n: testssl $tid=$a, kalkan $word=$b"
            fi
        done
        # testssl's LOW is RC4, RC2 and single DES.
        a=0 b=0
        offered "$n" cipherlist_LOW && a=1
        jq -e 'any(.findings[]; .id == "tls.cipher.weak" and
            (.evidence | test("(^|, )(RC4|DES) \\(")))' "$T/$n.json" >/dev/null && b=1
        if [ "$a" = "$b" ]; then
            ok
        else
            fail "$n: testssl LOW=$a, kalkan RC4/DES=$b"
        fi
    done
fi

echo "site_tls: $CHECKS checks, $FAILS failed"
[ "$FAILS" -eq 0 ]
