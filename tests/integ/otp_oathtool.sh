#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# otp_oathtool.sh - `kalkan otp code` and `kalkan otp check` against the
# OATH Toolkit's oathtool, the reference a user would otherwise run.
#
# For random secrets (10 to 64 bytes), times (0 to 2^35), algorithms,
# digits (6 to 8) and periods (1 to 300), and for HOTP counters:
#   - our code equals oathtool's;
#   - oathtool validates our code;
#   - `kalkan otp check` accepts oathtool's code, also one step late, and
#     rejects a wrong code.
# The secret reaches kalkan on stdin, in a file, or inside an otpauth URI.
# bash's RANDOM is seeded, so a failure names a case that can be re-run.
set -u

: "${KALKAN:?KALKAN must name the kalkan binary}"
command -v oathtool >/dev/null || { echo "FAIL: oathtool is not installed (scripts/install-deps)"; exit 1; }

CASES=${OTP_CASES:-150}
RANDOM=4226
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# hex_bytes N: N random bytes as hex, from the seeded RANDOM.
hex_bytes() {
    local out="" i
    for ((i = 0; i < $1; i++)); do
        printf -v out '%s%02x' "$out" $((RANDOM & 255))
    done
    printf '%s' "$out"
}

# random_time: 0 .. 2^35 - 1 from three draws of 15 bits.
random_time() {
    echo $(((RANDOM << 20 | RANDOM << 5 | (RANDOM & 31)) & ((1 << 35) - 1)))
}

b32_of_hex() {
    printf '%s' "$1" | xxd -r -p | base32 -w 0 | tr -d '='
}

# kalkan_code MODE B32 ARGS...: runs `kalkan otp code`, handing over the
# secret as MODE says (stdin, file or uri).
kalkan_run() {
    local mode=$1 b32=$2 sub=$3
    shift 3
    case $mode in
    stdin) printf '%s\n' "$b32" | "$KALKAN" otp "$sub" "$@" ;;
    file)
        printf '%s\n' "$b32" >"$tmp/secret"
        "$KALKAN" otp "$sub" --secret-file "$tmp/secret" "$@" </dev/null
        ;;
    *) printf 'otpauth://totp/Test:user?secret=%s&issuer=Test\n' "$b32" |
        "$KALKAN" otp "$sub" "$@" ;;
    esac
}

algs=(SHA1 SHA256 SHA512)
modes=(stdin file uri)
for ((i = 0; i < CASES; i++)); do
    len=$((10 + RANDOM % 55))
    hex=$(hex_bytes "$len")
    b32=$(b32_of_hex "$hex")
    alg=${algs[RANDOM % 3]}
    digits=$((6 + RANDOM % 3))
    period=$((1 + RANDOM % 300))
    t=$(random_time)
    mode=${modes[i % 3]}
    when=$t
    # Every fifth case gives the time as ISO-8601 UTC.
    if ((i % 5 == 4)); then
        when=$(date -u -d "@$t" +%Y-%m-%dT%H:%M:%SZ)
    fi
    desc="case $i: $alg digits=$digits period=$period t=$t mode=$mode key=$hex"

    theirs=$(oathtool --totp="$alg" -d "$digits" -s "$period" -N "@$t" "$hex")
    ours=$(kalkan_run "$mode" "$b32" code --algorithm "$alg" \
        --digits "$digits" --period "$period" --time "$when")
    if [ "$ours" != "$theirs" ]; then
        fail "$desc: kalkan '$ours' != oathtool '$theirs'"
        continue
    fi
    if ! oathtool --totp="$alg" -d "$digits" -s "$period" -N "@$t" -w 0 \
        "$hex" "$ours" >/dev/null; then
        fail "$desc: oathtool rejects our code $ours"
    fi
    if ! kalkan_run "$mode" "$b32" check --algorithm "$alg" \
        --digits "$digits" --period "$period" --time "$when" \
        "$theirs" >/dev/null; then
        fail "$desc: check rejects oathtool's code $theirs"
    fi
    # A code of the previous step is accepted with the default window 1
    # and reported at offset -1 (unless it equals the current code).
    if ((t >= period)); then
        prev=$(oathtool --totp="$alg" -d "$digits" -s "$period" \
            -N "@$((t - period))" "$hex")
        if [ "$prev" != "$theirs" ]; then
            got=$(kalkan_run "$mode" "$b32" check --json --algorithm "$alg" \
                --digits "$digits" --period "$period" --time "$t" "$prev")
            [ "$got" = '{"valid":true,"offset":-1}' ] ||
                fail "$desc: previous-step code $prev gave '$got'"
        fi
    fi
    # A wrong code is rejected with exit 1 (window 0: only this step).
    last=${theirs: -1}
    wrong=${theirs%?}$(((last + 1) % 10))
    kalkan_run "$mode" "$b32" check --window 0 --algorithm "$alg" \
        --digits "$digits" --period "$period" --time "$t" "$wrong" >/dev/null
    rc=$?
    [ "$rc" = 1 ] || fail "$desc: wrong code $wrong gave exit $rc, not 1"
done

# HOTP: SHA-1 only in oathtool; counters up to 2^40.
for ((i = 0; i < CASES / 3; i++)); do
    len=$((10 + RANDOM % 55))
    hex=$(hex_bytes "$len")
    b32=$(b32_of_hex "$hex")
    digits=$((6 + RANDOM % 3))
    counter=$(((RANDOM << 25 | RANDOM << 10 | (RANDOM & 1023))))
    desc="hotp case $i: digits=$digits counter=$counter key=$hex"

    theirs=$(oathtool -d "$digits" -c "$counter" "$hex")
    ours=$(printf '%s\n' "$b32" | "$KALKAN" otp code --hotp \
        --counter "$counter" --digits "$digits")
    if [ "$ours" != "$theirs" ]; then
        fail "$desc: kalkan '$ours' != oathtool '$theirs'"
        continue
    fi
    oathtool -d "$digits" -c "$counter" -w 0 "$hex" "$ours" >/dev/null ||
        fail "$desc: oathtool rejects our code $ours"
    # Accepted from up to W counters behind it, reporting the offset.
    got=$(printf '%s\n' "$b32" | "$KALKAN" otp check --hotp --json \
        --counter "$((counter - 2))" --window 2 --digits "$digits" "$theirs")
    case $got in
    '{"valid":true,"offset":'[0-2]',"next_counter":'*) ;;
    *) fail "$desc: check --window 2 gave '$got'" ;;
    esac
    # The counter is never searched backwards.
    before=$(oathtool -d "$digits" -c "$((counter - 1))" "$hex")
    if [ "$before" != "$theirs" ]; then
        printf '%s\n' "$b32" | "$KALKAN" otp check --hotp \
            --counter "$counter" --window 3 --digits "$digits" \
            "$before" >/dev/null
        rc=$?
        [ "$rc" = 1 ] || fail "$desc: code of counter-1 gave exit $rc, not 1"
    fi
done

# The RFC 6238 seeds through the otpauth URI with its own parameters.
uri="otpauth://totp/RFC:6238?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA&algorithm=SHA256&digits=8&period=30"
got=$(printf '%s\n' "$uri" | "$KALKAN" otp code --time 20000000000)
[ "$got" = 77737706 ] || fail "RFC 6238 SHA-256 via URI gave '$got'"
got=$(printf '%s\n' "$uri" | "$KALKAN" otp code --time 59 --digits 6)
[ "$got" = 119246 ] || fail "URI with --digits override gave '$got'"

if ((failures > 0)); then
    echo "otp_oathtool: $failures failure(s)" >&2
    exit 1
fi
echo "otp_oathtool: $CASES TOTP and $((CASES / 3)) HOTP cases agree with oathtool"
