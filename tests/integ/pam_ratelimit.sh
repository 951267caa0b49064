#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Rate limits (goal G3): N parallel wrong codes are counted exactly N times
# (the count is updated under the user's lock, in the counter record of
# the lock file, without rewriting the state file), the remote budget
# (PAM_RHOST set) and the local one are separate so a network flood cannot
# lock a person out of their own computer, codes are refused while
# throttled, and recovery codes still work then.  Remote attempts go
# through `kalkan otp verify --rhost`, which runs the module's verification
# code, since pamtester cannot set PAM_RHOST; local ones through pamtester.
. "$KK_SOURCE_DIR/tests/data/pam/lib.sh"

N=20
enroll flood "$SECRET"
kk recovery --user flood >"$T/rc.txt" || bad "recovery codes issued"
mapfile -t codes < <(grep -oE '[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}' "$T/rc.txt")
service "auth required $PAM_KALKAN store=$STORE"

field() { # budget key
    kk status --user flood --json | python3 -c "import json,sys; v=json.load(sys.stdin)['users'][0]['budgets']['$1']['$2']; print('null' if v is None else v)"
}

ino=$(stat -c %i "$STORE/users/flood")
for i in $(seq 1 $N); do
    (printf '%06d\n' "$i" | "$KALKAN" otp verify --user flood --rhost 203.0.113.9 \
        --store "$STORE" >/dev/null 2>&1; echo $? >"$T/r.$i") &
done
wait
check "all $N parallel remote wrong codes were refused" test "$(grep -lx 1 "$T"/r.* | wc -l)" -eq $N
check "remote: consecutive failures = $N exactly" test "$(field remote consecutive_failures)" -eq $N
check "remote: failures in 24 h = $N exactly" test "$(field remote failures_24h)" -eq $N
check "remote: failures total = $N exactly" test "$(field remote failures_total)" -eq $N
check "remote budget is throttled" test "$(field remote throttled_until)" != null
check "local budget is untouched by the remote flood" test "$(field local failures_total)" -eq 0
check "the failures did not rewrite the state file" test "$(stat -c %i "$STORE/users/flood")" = "$ino"
check "the counters are one 128-byte record in the lock file" test "$(stat -c %s "$STORE/users/flood.lock")" -eq 128

fresh_step
code=$(oathtool --totp -b "$SECRET")
echo "$code" | "$KALKAN" otp verify --user flood --rhost 203.0.113.9 --store "$STORE" >/dev/null 2>&1
check "a valid code is refused remotely while throttled" test $? -eq 1
check "... and counted: $((N + 1))" test "$(field remote failures_total)" -eq $((N + 1))
expect_pt 0 "the same valid code works at the console (local budget)" flood "$code"
echo "${codes[0]}" | "$KALKAN" otp verify --user flood --rhost 203.0.113.9 --store "$STORE" >/dev/null 2>&1
check "a recovery code works remotely while throttled" test $? -eq 0

rm -f "$T"/r.*
pam_env
for i in $(seq 1 $N); do
    (printf '%06d\n' "$i" | env "${PENV[@]}" pamtester "$SVC" flood authenticate \
        >/dev/null 2>&1; echo $? >"$T/r.$i") &
done
wait
check "all $N parallel local wrong codes were refused by PAM" test "$(grep -lx 1 "$T"/r.* | wc -l)" -eq $N
check "local: failures total = $N exactly" test "$(field local failures_total)" -eq $N
check "local: consecutive failures = $N exactly" test "$(field local consecutive_failures)" -eq $N
check "local budget is throttled" test "$(field local throttled_until)" != null
next=$(oathtool --totp -b "$SECRET" -N "@$(( $(date +%s) + 30 ))")
expect_pt 1 "a valid code is refused by PAM while throttled" flood "$next"
expect_pt 0 "a recovery code is accepted by PAM while throttled" flood "${codes[1]}"
check "success resets the consecutive count" test "$(field local consecutive_failures)" -eq 0
check "... but not the daily count" test "$(field local failures_24h)" -eq $((N + 1))
finish
