#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/site/run.sh BUILD OUT - `kalkan site check` side by side with
# testssl.sh on the offline fixture (tests/data/site/fixture.sh).
#
# For every fixture site: the wall time of the whole Kalkan check (TLS,
# headers, exposed files, CMS, mail and DNS), its grade, requests and
# handshakes.  For the sites with TLS faults: the wall time of testssl.sh's
# default run against the same address, and the agreement of findings:
# each testssl.sh verdict that has a Kalkan counterpart (protocols, weak
# ciphers, forward secrecy, key size, signature hash, expiry, trust, name,
# HSTS) must also be a Kalkan finding ("missed" counts those that are
# not).  testssl.sh's verdicts without a counterpart (cipher order,
# revocation URIs, serial-number length, BEAST/LUCKY13 on CBC) are listed
# in docs/site.md with the reason.  Writes OUT/site.md and the raw JSON.
#
# SITE_BENCH_TLS="good legacy" limits the testssl.sh sites (each takes one
# to two minutes); SITE_BENCH_TLS=none skips testssl.sh.
set -eu
build=$1
out=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
kalkan="$build/src/kalkan/kalkan"
BASE=${SITE_BENCH_BASE:-24000}
TLS_SITES=${SITE_BENCH_TLS:-good legacy weakciph expired selfsigned wronghost soon}
[ "$TLS_SITES" = none ] && TLS_SITES=""

T=$(mktemp -d /tmp/kalkan-bench-site.XXXXXX)
trap 'bash "$src/tests/data/site/fixture.sh" down "$T/fx" >/dev/null 2>&1 || true; rm -rf "$T"' EXIT
bash "$src/tests/data/site/fixture.sh" up "$T/fx" "$BASE" >/dev/null
# shellcheck disable=SC1091
. "$T/fx/fixture.env"
read -r -a OPTS <"$T/fx/site.opts"
raw="$out/site"
mkdir -p "$raw"

ms_now() { date +%s%N | cut -b1-13; }

addr_of() {
    case $1 in
    good) echo 127.0.0.2 ;; bad) echo 127.0.0.3 ;; expired) echo 127.0.0.4 ;;
    legacy) echo 127.0.0.5 ;; selfsigned) echo 127.0.0.6 ;; wronghost) echo 127.0.0.7 ;;
    soon) echo 127.0.0.8 ;; soft404) echo 127.0.0.9 ;; plain) echo 127.0.0.10 ;;
    weakciph) echo 127.0.0.1 ;;
    esac
}
target_of() {
    if [ "$1" = weakciph ]; then
        echo "weakciph.kalkan.test:$FX_WEAK"
    else
        echo "$1.kalkan.test"
    fi
}
port_of() {
    if [ "$1" = weakciph ]; then echo "$FX_WEAK"; else echo "$FX_HTTPS"; fi
}

# The Kalkan findings that a testssl.sh verdict corresponds to, one per line.
testssl_ids() {
    jq -r '.[] |
      (.finding // "") as $f | (.severity // "") as $s |
      if (.id == "SSLv3" or .id == "TLS1" or .id == "TLS1_1") and ($f | startswith("offered"))
        then "tls.protocol.legacy"
      elif (.id | test("^cipherlist_(NULL|aNULL|EXPORT|3DES_IDEA)$")) and ($f | startswith("offered"))
        then "tls.cipher.weak"
      elif .id == "RC4" and ($f | test("VULNERABLE"))
        then "tls.cipher.weak"
      elif (.id == "PFS" or .id == "FS") and ($f | test("^No ciphers"))
        then "tls.no_forward_secrecy"
      elif .id == "cert_keySize" and ($s | test("MEDIUM|HIGH|CRITICAL"))
        then "tls.key.weak"
      elif .id == "cert_signatureAlgorithm" and ($f | test("SHA1|MD5"))
        then "tls.signature.sha1"
      elif .id == "cert_expirationStatus" and ($f | test("expired"))
        then "tls.cert.expired"
      elif .id == "cert_expirationStatus" and ($f | test("expires <"))
        then "tls.cert.expiring"
      elif .id == "cert_chain_of_trust" and ($f | test("passed") | not) and ($f | test("expired") | not)
        then "tls.cert.untrusted"
      elif .id == "cert_trust" and ($f | test("[Mm]ismatch|does not match|certificate does not"))
        then "tls.cert.hostname"
      elif .id == "HSTS" and ($f | test("not offered"))
        then "hsts.missing"
      else empty end' "$1" | sort -u
}

{
    echo "## Website checker: \`kalkan site check\` and testssl.sh ($(testssl --version 2>/dev/null | grep -o 'testssl.sh *[0-9.a-z]*' | head -1 || echo testssl.sh))"
    echo
    echo "Offline fixture on loopback; wall time of one whole check per site."
    echo
    echo "| site | Kalkan: whole check | grade | findings | requests | handshakes | testssl.sh default run | ratio | testssl verdicts with a counterpart | missed by Kalkan |"
    echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"
} >"$T/table.md"

total_k=0
total_t=0
nk=0
missed_all=0
for s in good bad legacy weakciph expired selfsigned wronghost soon soft404 plain; do
    t0=$(ms_now)
    "$kalkan" site check --json --quiet "${OPTS[@]}" "$(target_of "$s")" >"$raw/kalkan_$s.json" || true
    t1=$(ms_now)
    k_ms=$((t1 - t0))
    total_k=$((total_k + k_ms))
    nk=$((nk + 1))
    grade=$(jq -r '.grade // "-"' "$raw/kalkan_$s.json")
    nf=$(jq -r '(.findings // []) | length' "$raw/kalkan_$s.json")
    req=$(jq -r '.requests // "-"' "$raw/kalkan_$s.json")
    hs=$(jq -r '.handshakes // "-"' "$raw/kalkan_$s.json")
    t_cell="-"
    ratio="-"
    agree="-"
    miss="-"
    case " $TLS_SITES " in
    *" $s "*)
        rm -f "$raw/testssl_$s.json"
        t0=$(ms_now)
        testssl --quiet --warnings off --color 0 --add-ca "$FX_CA" \
            --jsonfile "$raw/testssl_$s.json" --ip "$(addr_of "$s")" \
            "$s.kalkan.test:$(port_of "$s")" >"$raw/testssl_$s.txt" 2>&1 || true
        t1=$(ms_now)
        t_ms=$((t1 - t0))
        total_t=$((total_t + t_ms))
        t_cell=$(awk -v m="$t_ms" 'BEGIN { printf "%.1f s", m / 1000 }')
        ratio=$(awk -v a="$t_ms" -v b="$k_ms" 'BEGIN { printf "%.0f×", a / (b > 0 ? b : 1) }')
        testssl_ids "$raw/testssl_$s.json" >"$T/theirs_$s"
        jq -r '.findings[]?.id' "$raw/kalkan_$s.json" | sort -u >"$T/ours_$s"
        agree=$(wc -l <"$T/theirs_$s")
        miss=$(comm -23 "$T/theirs_$s" "$T/ours_$s" | tr '\n' ' ')
        missed_all=$((missed_all + $(comm -23 "$T/theirs_$s" "$T/ours_$s" | wc -l)))
        [ -n "$miss" ] || miss=0
        ;;
    esac
    printf '| %s | %.2f s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$s" \
        "$(awk -v m="$k_ms" 'BEGIN { print m / 1000 }')" "$grade" "$nf" "$req" "$hs" \
        "$t_cell" "$ratio" "$agree" "$miss" >>"$T/table.md"
done
{
    echo
    printf 'Kalkan: %d sites in %.1f s (%.2f s per site on average).' "$nk" \
        "$(awk -v m="$total_k" 'BEGIN { print m / 1000 }')" \
        "$(awk -v m="$total_k" -v n="$nk" 'BEGIN { print m / 1000 / n }')"
    if [ "$total_t" -gt 0 ]; then
        printf ' testssl.sh on the TLS sites: %.1f s in all. testssl.sh verdicts missed by Kalkan: %d.' \
            "$(awk -v m="$total_t" 'BEGIN { print m / 1000 }')" "$missed_all"
    fi
    echo
} >>"$T/table.md"

# ---------------------------------------------------------------- Observatory
# The MDN HTTP Observatory's CLI (npm), headers only, pointed at the fixture
# through observatory-hook.mjs.  Installed once into a cache outside the
# tree; skipped (and said so) when npm cannot fetch it.
OBS_VERSION=1.4.8
cache=${XDG_CACHE_HOME:-$HOME/.cache}/kalkan-bench/observatory-$OBS_VERSION
obs="$cache/node_modules/@mdn/mdn-http-observatory"
if [ ! -f "$obs/src/scan.js" ]; then
    mkdir -p "$cache"
    npm install --prefix "$cache" --ignore-scripts --no-audit --no-fund \
        "@mdn/mdn-http-observatory@$OBS_VERSION" >"$T/npm.log" 2>&1 || true
fi
obs_ids() {
    jq -r '.tests // {} | to_entries[] | .value.result |
      if . == "csp-not-implemented" then "csp.missing"
      elif test("^csp-implemented-with-(unsafe|insecure)") then "csp.unsafe"
      elif test("^cookies-without-secure-flag|^cookies-session-without-secure-flag") then "cookie.no_secure"
      elif . == "cookies-session-without-httponly-flag" then "cookie.no_httponly"
      elif test("^cookies-samesite-flag-invalid|^cookies-anticsrf-without-samesite") then "cookie.no_samesite"
      elif test("^referrer-policy-(not-implemented|unsafe|header-invalid)") then "referrer.missing"
      elif . == "hsts-not-implemented" or . == "hsts-header-invalid" then "hsts.missing"
      elif . == "hsts-implemented-max-age-less-than-six-months" then "hsts.short"
      elif . == "hsts-not-implemented-no-https" or . == "hsts-invalid-cert" then "https.missing"
      elif . == "sri-not-implemented-and-external-scripts-not-loaded-securely" then "content.mixed"
      elif . == "x-content-type-options-not-implemented" then "xcto.missing"
      elif . == "x-frame-options-not-implemented" then "xfo.missing"
      elif . == "redirection-missing" or . == "redirection-not-to-https" then "https.no_redirect"
      else empty end' "$1" | sort -u
}
if [ -f "$obs/src/scan.js" ]; then
    [ -f "$obs/conf/hsts-preload.json" ] || echo '{}' >"$obs/conf/hsts-preload.json"
    {
        echo
        echo "### Headers: the MDN HTTP Observatory $OBS_VERSION (CLI, headers only) on the same sites"
        echo
        echo "| site | Observatory grade | Observatory time | Kalkan headers score | Observatory verdicts with a counterpart | missed by Kalkan |"
        echo "|---|---|---:|---:|---:|---:|"
    } >>"$T/table.md"
    hosts='{'
    for s in good bad expired legacy selfsigned wronghost soon soft404 plain; do
        hosts="$hosts\"$s.kalkan.test\":\"$(addr_of "$s")\","
    done
    hosts="${hosts%,}}"
    for s in good bad soon soft404 plain; do
        t0=$(ms_now)
        (cd "$obs" && KK_FIXTURE_HOSTS="$hosts" KK_FIXTURE_HTTP="$FX_HTTP" \
            KK_FIXTURE_HTTPS="$FX_HTTPS" NODE_EXTRA_CA_CERTS="$FX_CA" \
            node --import "$src/bench/site/observatory-hook.mjs" src/scan.js \
            "$s.kalkan.test") >"$raw/observatory_$s.json" 2>/dev/null || true
        t1=$(ms_now)
        obs_ids "$raw/observatory_$s.json" >"$T/obs_$s"
        jq -r '.findings[]?.id' "$raw/kalkan_$s.json" | sort -u >"$T/ours_$s"
        miss=$(comm -23 "$T/obs_$s" "$T/ours_$s" | tr '\n' ' ')
        [ -n "$miss" ] || miss=0
        printf '| %s | %s | %.2f s | %s | %s | %s |\n' "$s" \
            "$(jq -r '.scan.grade // .error // "-"' "$raw/observatory_$s.json")" \
            "$(awk -v m="$((t1 - t0))" 'BEGIN { print m / 1000 }')" \
            "$(jq -r '.areas.headers // "-"' "$raw/kalkan_$s.json")" \
            "$(wc -l <"$T/obs_$s")" "$miss" >>"$T/table.md"
    done
else
    printf '\nThe MDN HTTP Observatory could not be installed with npm; its comparison was skipped.\n' >>"$T/table.md"
fi
cp "$T/table.md" "$out/site.md"
cat "$out/site.md"
