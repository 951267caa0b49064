#!/usr/bin/env bash
# Benchmarks of part otp: library throughput against liboath, the
# `kalkan otp code` command against oathtool, and the cost of one failed
# and one successful verification through PAM for pam_kalkan,
# pam_google_authenticator and pam_oath.
set -eu
build=$1
out=$2
kalkan="$build/src/kalkan/kalkan"
module="$build/src/pam/pam_kalkan.so"
T=$(mktemp -d)
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
field() { sed -E "s/.*\"$1\": ([0-9.]+).*/\1/"; }

echo "## otp library: TOTP codes per second (in process, same keys and times)"
echo
"$build/bench/bench_otp_lib" 300000 >"$out/otp_lib.json"
echo "| algorithm | kalkan | liboath | kalkan / liboath |"
echo "|---|---|---|---|"
sed -E 's/.*\[//; s/\]\}//; s/\}, \{/}\n{/g' "$out/otp_lib.json" |
    while read -r row; do
        alg=$(echo "$row" | sed -E 's/.*"algorithm": "([A-Z0-9]+)".*/\1/')
        k=$(echo "$row" | field kalkan_per_s)
        o=$(echo "$row" | field liboath_per_s)
        echo "| $alg | $k | $o | $(ratio "$k" "$o") |"
    done
echo

echo "## kalkan otp code vs oathtool --totp (whole process, hyperfine)"
echo
S=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
printf '%s\n' "$S" >"$T/secret"
chmod 600 "$T/secret"
hyperfine -N --warmup 50 --runs 1000 --export-json "$out/otp_code.json" \
    "$kalkan otp code --secret-file $T/secret" \
    "oathtool --totp -b $S" >/dev/null
mean() { grep -E '"mean"' "$out/otp_code.json" | sed -n "${1}p" |
    sed -E 's/.*: ([0-9.e-]+),?/\1/'; }
mk=$(mean 1)
mo=$(mean 2)
echo "| command | mean per run (ms) |"
echo "|---|---|"
echo "| kalkan otp code | $(awk -v m="$mk" 'BEGIN{printf "%.3f", m*1000}') |"
echo "| oathtool --totp | $(awk -v m="$mo" 'BEGIN{printf "%.3f", m*1000}') |"
echo
echo "oathtool time / kalkan time: **$(ratio "$mo" "$mk")**"
echo

echo "## one verification through PAM (pam_start_confdir loop, in process)"
echo
N=${KK_BENCH_PAM_N:-2000}
user=root
hexkey=3132333435363738393031323334353637383930
mkdir -p "$T/pam.d"
ga_so=$(dpkg -L libpam-google-authenticator | grep 'pam_google_authenticator\.so$')
oath_so=$(dpkg -L libpam-oath | grep 'pam_oath\.so$')
# A code that is wrong now: the current one with its last digit changed.
cur=$(oathtool --totp -b "$S")
wrong=${cur:0:5}$(( (${cur:5:1} + 5) % 10 ))

# pam_google_authenticator: TOTP for the failure, HOTP for the success.
printf '%s\n" WINDOW_SIZE 3\n" TOTP_AUTH\n' "$S" >"$T/ga_totp"
printf '%s\n" HOTP_COUNTER 1\n' "$S" >"$T/ga_hotp"
chmod 600 "$T"/ga_*
echo "auth required $ga_so secret=$T/ga_totp user=root" >"$T/pam.d/ga_fail"
echo "auth required $ga_so secret=$T/ga_hotp user=root" >"$T/pam.d/ga_ok"
# pam_oath: window 1 for TOTP (3 codes, like pam_kalkan's default).
printf 'HOTP/T30/6\t%s\t-\t%s\n' "$user" "$hexkey" >"$T/oath_totp"
printf 'HOTP\t%s\t-\t%s\n' "$user" "$hexkey" >"$T/oath_hotp"
chmod 600 "$T"/oath_*
echo "auth required $oath_so usersfile=$T/oath_totp window=1" \
    >"$T/pam.d/oath_fail"
echo "auth required $oath_so usersfile=$T/oath_hotp window=1" \
    >"$T/pam.d/oath_ok"
# pam_kalkan: the same secret, enrolled in a private store.
printf '%s\n' "$S" >"$T/kk_secret"
"$kalkan" otp enroll --store "$T/kk_totp" --user "$user" \
    --secret-file "$T/kk_secret" >/dev/null
"$kalkan" otp enroll --store "$T/kk_hotp" --user "$user" --hotp \
    --secret-file "$T/kk_secret" >/dev/null
# Rate limits out of the way, so every failure is evaluated (2w+1 HMACs)
# and recorded (one pwrite of the counter record in the lock file), as the
# first ones of an attack are.  A success is written durably (state file
# fsync, rename, directory fsync).
echo "auth required $module store=$T/kk_totp backoff_after=100000 daily_max=100000" \
    >"$T/pam.d/kk_fail"
echo "auth required $module store=$T/kk_hotp" >"$T/pam.d/kk_ok"

run() { "$build/bench/bench_otp_pam" "$T/pam.d" "$1" "$user" "$2" "$3" "$4" "$N"; }
ga_f=$(run ga_fail "$ga_so" fail "$wrong" | tee "$out/pam_ga_fail.json" | field us_per_op)
oa_f=$(run oath_fail "$oath_so" fail "$wrong" | tee "$out/pam_oath_fail.json" | field us_per_op)
kk_f=$(run kk_fail "$module" fail "$wrong" | tee "$out/pam_kalkan_fail.json" | field us_per_op)
# The same wrong code for a name that is not enrolled: it must cost the
# same (same HMACs, same counter-record I/O on a dummy record).
kk_u=$("$build/bench/bench_otp_pam" "$T/pam.d" kk_fail kk-bench-unknown \
    "$module" fail "$wrong" "$N" | tee "$out/pam_kalkan_unknown_fail.json" |
    field us_per_op)
ga_s=$(run ga_ok "$ga_so" hotp "$hexkey:1" | tee "$out/pam_ga_ok.json" | field us_per_op)
oa_s=$(run oath_ok "$oath_so" hotp "$hexkey:0" | tee "$out/pam_oath_ok.json" | field us_per_op)
kk_s=$(run kk_ok "$module" hotp "$hexkey:0" | tee "$out/pam_kalkan_ok.json" | field us_per_op)
for f in "$out"/pam_*_ok.json; do
    grep -q "\"successes\": $N}" "$f" ||
        { echo "bench: $f: not every HOTP code was accepted" >&2; exit 1; }
done
for f in "$out"/pam_*_fail.json; do
    grep -q '"successes": 0}' "$f" ||
        { echo "bench: $f: a wrong code was accepted" >&2; exit 1; }
done
echo "| module | failed check (us) | successful check (us) | failed: peer / kalkan | successful: peer / kalkan |"
echo "|---|---|---|---|---|"
echo "| pam_kalkan | $kk_f | $kk_s | 1.00 | 1.00 |"
echo "| pam_google_authenticator | $ga_f | $ga_s | $(ratio "$ga_f" "$kk_f") | $(ratio "$ga_s" "$kk_s") |"
echo "| pam_oath | $oa_f | $oa_s | $(ratio "$oa_f" "$kk_f") | $(ratio "$oa_s" "$kk_s") |"
echo
echo "pam_kalkan, the same wrong code for a user who is not enrolled: $kk_u us"
echo "(must match the failed check above: unknown users are not told apart)."
echo
echo "($N iterations each; ratios above 1 mean the peer is slower.)"
