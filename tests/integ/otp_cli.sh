#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# otp_cli.sh - the command-line contract of `kalkan otp new|code|check`
# (DESIGN.md): --help on every subcommand, exit codes 0/1/2/3, exactly one
# error line "kalkan: otp: ..." on stderr for bad input and never a crash,
# the secret never echoed in an error, --json output that parses, and the
# ways a secret may be handed over (stdin, file, otpauth URI).
set -u

: "${KALKAN:?KALKAN must name the kalkan binary}"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
S=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ # RFC 4226 key, "12345678901234567890"

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# run INPUT ARGS...: runs kalkan with INPUT on stdin; sets rc, out, err.
run() {
    local input=$1
    shift
    printf '%s' "$input" | "$KALKAN" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    out=$(cat "$tmp/out")
    err=$(cat "$tmp/err")
}

# expect_error CODE DESC INPUT ARGS...: exit CODE, nothing on stdout, one
# stderr line "kalkan: otp: ...", and the secret S not in it.
expect_error() {
    local want=$1 desc=$2 input=$3
    shift 3
    run "$input" "$@"
    if [ "$rc" != "$want" ]; then
        fail "$desc: exit $rc, want $want (stderr: $err)"
        return
    fi
    [ -z "$out" ] || fail "$desc: printed on stdout: $out"
    [ "$(wc -l <"$tmp/err")" = 1 ] || fail "$desc: stderr is not one line: $err"
    case $err in
    "kalkan: otp: "?*) ;;
    *) fail "$desc: error line lacks the 'kalkan: otp: ' prefix: $err" ;;
    esac
    case $err in
    *"$S"* | *JBSWY3DP*) fail "$desc: the secret appears in the error: $err" ;;
    esac
}

expect_ok() {
    local desc=$1 want=$2 input=$3
    shift 3
    run "$input" "$@"
    [ "$rc" = 0 ] || fail "$desc: exit $rc (stderr: $err)"
    [ "$out" = "$want" ] || fail "$desc: printed '$out', want '$want'"
    [ -z "$err" ] || fail "$desc: stderr not empty: $err"
}

# ---- help ----
for sub in "" new code check; do
    run "" otp $sub --help
    [ "$rc" = 0 ] || fail "otp $sub --help: exit $rc"
    case $out in Usage:*) ;; *) fail "otp $sub --help: no usage on stdout" ;; esac
    [ -z "$err" ] || fail "otp $sub --help: stderr not empty"
done
run "" otp --help
for word in new code check; do
    case $out in *"  $word "*) ;; *) fail "otp --help does not list $word" ;; esac
done
run "" otp
[ "$rc" = 2 ] || fail "bare 'kalkan otp' exit $rc, want 2"

# ---- codes ----
expect_ok "RFC 4226 counter 0" 755224 "$S"$'\n' otp code --hotp
expect_ok "RFC 4226 counter 9" 520489 "$S"$'\n' otp code --hotp --counter 9
expect_ok "RFC 6238 T=59, 8 digits" 94287082 "$S"$'\n' otp code --time 59 --digits 8
expect_ok "64-bit time" 65353130 "$S"$'\n' otp code --time 20000000000 --digits 8
expect_ok "ISO-8601 time" 89005924 "$S"$'\n' otp code --time 2009-02-13T23:31:30Z --digits 8
expect_ok "@ time" 89005924 "$S"$'\n' otp code --time @1234567890 --digits 8
expect_ok "lower case, spaces, CRLF" 287082 "gezd gnbv gy3t qojq gezd gnbv gy3t qojq"$'\r\n' otp code --time 59
expect_ok "no final newline" 287082 "$S" otp code --time 59
expect_ok "only the first line counts" 287082 "$S"$'\nnot base32 at all\n' otp code --time 59
expect_ok "URI parameters apply" 46119246 \
    'otpauth://totp/R:x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA&algorithm=SHA256&digits=8'$'\n' \
    otp code --time 59
expect_ok "options override the URI" 119246 \
    'otpauth://totp/R:x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA&algorithm=SHA256&digits=8'$'\n' \
    otp code --time 59 --digits 6
expect_ok "HOTP URI counter" 969429 "otpauth://hotp/R:x?secret=$S&counter=3"$'\n' otp code
expect_ok "period 60" "$(oathtool --totp -s 60 -N @1000 3132333435363738393031323334353637383930 2>/dev/null || echo 'no oathtool')" \
    "$S"$'\n' otp code --time 1000 --period 60
printf '%s\n' "$S" >"$tmp/secret"
expect_ok "--secret-file" 287082 "" otp code --time 59 --secret-file "$tmp/secret"
expect_ok "--secret-file from a pipe" 287082 "" otp code --time 59 --secret-file <(printf '%s\n' "$S")

run "$S" otp code --time 1234567890 --json
python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d == {"code": "005924", "kind": "totp", "algorithm": "SHA1", "digits": 6,
             "period": 30, "time": 1234567890, "step": 41152263, "valid_for": 30}, d
' "$out" || fail "code --json: $out"
run "$S" otp code --hotp --counter 7 --json
[ "$out" = '{"code":"162583","kind":"hotp","algorithm":"SHA1","digits":6,"counter":7}' ] ||
    fail "code --hotp --json: $out"

# ---- check ----
expect_ok "check valid" "valid (offset +0)" "$S" otp check --time 59 287082
expect_ok "check a step late" "valid (offset -1)" "$S" otp check --time 60 287082
expect_ok "check with spaces in the code" "valid (offset +0)" "$S" otp check --time 59 "287 082"
run "$S" otp check --time 90 287082
[ "$rc" = 1 ] && [ "$out" = invalid ] && [ -z "$err" ] || fail "check two steps late: exit $rc, '$out', '$err'"
run "$S" otp check --time 90 --window 2 --json 287082
[ "$rc" = 0 ] && [ "$out" = '{"valid":true,"offset":-2}' ] || fail "check --window 2 --json: $rc $out"
run "$S" otp check --time 90 --json 287082
[ "$rc" = 1 ] && [ "$out" = '{"valid":false,"offset":null}' ] || fail "check invalid --json: $rc $out"
run "$S" otp check --time 0 --window 0 --json 755224
[ "$rc" = 0 ] && [ "$out" = '{"valid":true,"offset":0}' ] || fail "check at T=0: $rc $out"
run "$S" otp check --time 0 --window 3 --json 287082
[ "$rc" = 0 ] && [ "$out" = '{"valid":true,"offset":1}' ] || fail "window saturating at step 0: $rc $out"
run "$S" otp check --hotp --counter 2 --window 3 --json 969429
[ "$rc" = 0 ] && [ "$out" = '{"valid":true,"offset":1,"next_counter":4}' ] || fail "HOTP look-ahead: $rc $out"
run "$S" otp check --hotp --counter 4 --window 3 969429
[ "$rc" = 1 ] || fail "HOTP code behind the counter accepted: $rc $out"

# ---- bad input: exit 2, one line ----
expect_error 2 "bad base32 (1)" "JBSWY3DPEHPK3PX1"$'\n' otp code
expect_error 2 "bad base32 (0 8 9)" "JBSWY3DPEHPK3089"$'\n' otp code
expect_error 2 "bad base32 length" "JBSWY3DPEHPK3PXPA"$'\n' otp code
expect_error 2 "missing secret" "" otp code
expect_error 2 "blank secret line" $'   \n' otp code
expect_error 2 "secret shorter than 80 bits" "JBSWY3DP"$'\n' otp code
expect_error 2 "overlong secret" "$(printf 'A%.0s' $(seq 600))" otp code
expect_error 2 "overlong line" "$(printf 'A%.0s' $(seq 3000))" otp code
expect_error 2 "NUL byte" $'JBSWY3DP\001EHPK3PXP\n' otp code
expect_error 2 "digits 5" "$S" otp code --digits 5
expect_error 2 "digits 9" "$S" otp code --digits 9
expect_error 2 "digits garbage" "$S" otp code --digits six
expect_error 2 "period 0" "$S" otp code --period 0
expect_error 2 "period too long" "$S" otp code --period 3601
expect_error 2 "unknown algorithm" "$S" otp code --algorithm md5
expect_error 2 "garbage time" "$S" otp code --time yesterday
expect_error 2 "impossible date" "$S" otp code --time 2009-13-01
expect_error 2 "negative time" "$S" otp code --time -5
expect_error 2 "time before 1970" "$S" otp code --time 1969-12-31T23:59:59Z
expect_error 2 "missing secret file" "" otp code --secret-file "$tmp/nope"
expect_error 2 "secret file is a directory" "" otp code --secret-file "$tmp"
expect_error 2 "secret as an argument" "" otp code "$S"
expect_error 2 "secret as --secret=" "" otp code "--secret=$S"
expect_error 2 "secret as --secret" "" otp code --secret "$S"
expect_error 2 "secret as an abbreviated option" "" otp check "--sec=$S" 123456
expect_error 2 "secret after an unknown option" "" otp code "--key=$S"
expect_error 2 "counter without --hotp" "$S" otp code --counter 3
expect_error 2 "negative counter" "$S" otp code --hotp --counter -1
expect_error 2 "period with --hotp" "$S" otp code --hotp --period 30
expect_error 2 "time with --hotp" "$S" otp code --hotp --time 5
expect_error 2 "time with a HOTP URI" "otpauth://hotp/a:b?secret=$S" otp code --time 5
expect_error 2 "--hotp and --totp" "$S" otp code --hotp --totp
expect_error 2 "bad URI secret" "otpauth://totp/a:b?secret=JBSWY3DPEHPK3PX1" otp code
expect_error 2 "URI digits 9" "otpauth://totp/a:b?secret=$S&digits=9" otp code
expect_error 2 "URI issuer mismatch" "otpauth://totp/a:b?secret=$S&issuer=c" otp code
expect_error 2 "URI without secret" "otpauth://totp/a:b?issuer=a" otp code
expect_error 2 "unknown option" "$S" otp code --bogus
expect_error 2 "option without value" "$S" otp code --digits
expect_error 2 "window option on code" "$S" otp code --window 1
expect_error 2 "check without CODE" "$S" otp check
expect_error 2 "check with two CODEs" "$S" otp check 123456 654321
expect_error 2 "check short CODE" "$S" otp check 12345
expect_error 2 "check long CODE" "$S" otp check 1234567
expect_error 2 "check CODE with letters" "$S" otp check 12a456
expect_error 2 "check window too wide" "$S" otp check --window 11 123456
expect_error 2 "check negative window" "$S" otp check --window -1 123456
expect_error 2 "check bad secret" "JBSWY3DPEHPK3PX1" otp check 123456
expect_error 2 "unknown subcommand" "" otp frobnicate
expect_error 2 "new without account" "" otp new --issuer A
expect_error 2 "new without issuer" "" otp new --account a
expect_error 2 "new colon in account" "" otp new --issuer A --account a:b
expect_error 2 "new control character" "" otp new --issuer A --account $'a\tb'
expect_error 2 "new leading space" "" otp new --issuer A --account " a"
expect_error 2 "new overlong issuer" "" otp new --issuer "$(printf 'i%.0s' $(seq 257))" --account a
expect_error 2 "new counter for TOTP" "" otp new --issuer A --account a --counter 1
expect_error 2 "new period for HOTP" "" otp new --issuer A --account a --hotp --period 60
expect_error 2 "new bad --qr" "" otp new --issuer A --account a --qr gif:x.gif
expect_error 2 "new --qr into a missing directory" "" otp new --issuer A --account a --qr "png:$tmp/no/dir/q.png"
expect_error 2 "new terminal QR with --json" "" otp new --issuer A --account a --json --qr term
expect_error 2 "new unexpected argument" "" otp new --issuer A --account a extra

# ---- runtime failure: exit 3 ----
if [ -w /dev/full ]; then
    printf '%s\n' "$S" | "$KALKAN" otp code >/dev/full 2>"$tmp/err"
    rc=$?
    [ "$rc" = 3 ] || fail "writing to a full device: exit $rc, want 3"
    [ "$(wc -l <"$tmp/err")" = 1 ] || fail "writing to a full device: $(cat "$tmp/err")"
fi

# ---- new ----
run "" otp new --issuer "ACME Co" --account alice@example.org --qr none
[ "$rc" = 0 ] || fail "new: exit $rc: $err"
secret=$(printf '%s\n' "$out" | sed -n 's/^Secret: *//p')
uri=$(printf '%s\n' "$out" | sed -n 's/^URI: *//p')
[[ $secret =~ ^[A-Z2-7]{32}$ ]] || fail "new: secret '$secret' is not 160-bit base32"
[ "$uri" = "otpauth://totp/ACME%20Co:alice@example.org?secret=$secret&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30" ] ||
    fail "new: URI '$uri'"
run "" otp new --issuer "ACME Co" --account alice@example.org --qr none
secret2=$(printf '%s\n' "$out" | sed -n 's/^Secret: *//p')
[ "$secret" != "$secret2" ] || fail "new: two runs gave the same secret"
run "" otp new --issuer A --account a
case $out in *$'\033[30;47m'*) ;; *) fail "new: no terminal QR by default" ;; esac
run "" otp new --issuer K --account k --hotp --counter 9 --digits 8 --algorithm SHA256 --json
python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["kind"] == "hotp" and d["counter"] == 9 and d["digits"] == 8, d
assert d["algorithm"] == "SHA256" and "period" not in d and d["qr_files"] == [], d
assert d["uri"].endswith("&algorithm=SHA256&digits=8&counter=9"), d
' "$out" || fail "new --hotp --json: $out"
# What new prints, code can read back.
a=$(printf '%s\n' "$uri" | "$KALKAN" otp code --time 1700000000)
b=$(printf '%s\n' "$secret" | "$KALKAN" otp code --time 1700000000)
[ -n "$a" ] && [ "$a" = "$b" ] || fail "new: URI code '$a' != secret code '$b'"

if ((failures > 0)); then
    echo "otp_cli: $failures failure(s)" >&2
    exit 1
fi
echo "otp_cli: help, exit codes, error lines and --json as documented"
