#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Migration from google-authenticator: a file made by the real
# `google-authenticator` CLI is imported, the import reports what it mapped
# and ignored, and the person then logs in through PAM with a code from
# oathtool and with one of the file's scratch codes (once).  An HOTP file
# keeps its counter.
. "$KK_SOURCE_DIR/tests/data/pam/lib.sh"

GA=$T/ga_totp
google-authenticator -t -d -f -r 3 -R 30 -w 3 -e 5 -q -C -s "$GA" >/dev/null 2>&1 ||
    bad "google-authenticator CLI wrote a file"
check "the GA file has a secret and 5 scratch codes" test "$(grep -cE '^[0-9]{8}$' "$GA")" -eq 5
gsecret=$(head -1 "$GA")
scratch=$(grep -E '^[0-9]{8}$' "$GA" | head -1)
kk import-ga "$GA" --user gauser >"$T/import.out" 2>"$T/import.err"
check "import-ga exits 0" test $? -eq 0
check "import reports the mapped secret and TOTP" grep -q 'mapped: secret (.*TOTP_AUTH, STEP_SIZE 30' "$T/import.out"
check "import reports the scratch codes as recovery codes" grep -q '5 scratch codes (as recovery codes)' "$T/import.out"
check "import reports WINDOW_SIZE as ignored" grep -q 'ignored: WINDOW_SIZE 3' "$T/import.out"
check "import reports RATE_LIMIT as ignored" grep -q 'ignored: RATE_LIMIT 3 30' "$T/import.out"
check "import warns that 8-digit scratch codes are weak" grep -q 'weak' "$T/import.err"
check_not "the store does not hold the GA secret in clear" grep -rqF "$gsecret" "$STORE"
check_not "the store does not hold a scratch code in clear" grep -rqF "$scratch" "$STORE"

service "auth required $PAM_KALKAN store=$STORE"
fresh_step
expect_pt 0 "login with an oathtool code of the imported secret" gauser "$(oathtool --totp -b "$gsecret")"
expect_pt 0 "login with a GA scratch code" gauser "$scratch"
expect_pt 1 "the scratch code works only once" gauser "$scratch"

# A used file: DISALLOW_REUSE steps become the last used step.
now=$(date +%s)
step=$((now / 30))
printf '%s\n" DISALLOW_REUSE %d\n" TOTP_AUTH\n' "$gsecret" "$((step + 1))" >"$T/ga_used"
kk import-ga "$T/ga_used" --user reuse >/dev/null 2>&1
check "a file with DISALLOW_REUSE imports" test $? -eq 0
expect_pt 1 "a code of a step GA already used is refused" reuse "$(oathtool --totp -b "$gsecret" -N "@$(((step + 1) * 30))")"

# HOTP keeps its counter.
hsecret=JBSWY3DPEHPK3PXP
printf '%s\n" HOTP_COUNTER 7\n" WINDOW_SIZE 5\n12345678\n' "$hsecret" >"$T/ga_hotp"
kk import-ga "$T/ga_hotp" --user hotp >"$T/import.out" 2>/dev/null
check "an HOTP file imports with its counter" grep -q 'HOTP_COUNTER (next counter 7)' "$T/import.out"
expect_pt 1 "HOTP: a code below the counter is refused" hotp "$(oathtool -b -c 6 "$hsecret")"
expect_pt 0 "HOTP: the code of counter 7 is accepted" hotp "$(oathtool -b -c 7 "$hsecret")"
expect_pt 1 "HOTP: and not twice" hotp "$(oathtool -b -c 7 "$hsecret")"

printf 'not a secret\n' >"$T/ga_bad"
kk import-ga "$T/ga_bad" --user bad >/dev/null 2>"$T/bad.err"
check "a malformed file is refused with exit 2" test $? -eq 2
check "... and one error line" test "$(wc -l <"$T/bad.err")" -eq 1
finish
