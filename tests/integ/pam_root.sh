#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# pam_kalkan.so as root (login, sshd, su, sudo) through the real PAM stack:
# accept, replay, wrong codes, RFC 6238 times under faketime, recovery
# codes at the prompt, unknown users answered like enrolled ones, strict
# options, nullok, interactive enrolment with its QR code, and the store
# kept secret (unreadable by others, nothing in it greps as a secret).
. "$KK_SOURCE_DIR/tests/data/pam/lib.sh"

enroll alice "$SECRET"
service "auth required $PAM_KALKAN store=$STORE"

fresh_step
now=$(date +%s)
code=$(oathtool --totp -b "$SECRET" -N "@$now")
expect_pt 0 "a valid code is accepted" alice "$code"
expect_pt 1 "the same code is refused the second time" alice "$code"
expect_pt 1 "a wrong code is refused" alice 000000
prev=$(oathtool --totp -b "$SECRET" -N "@$((now - 30))")
expect_pt 1 "a code of an earlier step is refused after a later one" alice "$prev"
expect_pt 1 "garbage input is refused" alice 'x y;z'
expect_pt 1 "an empty answer is refused" alice ''

# RFC 6238 App. B: SHA-256, 8 digits, 32-byte seed.
SHA256_SECRET=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA
enroll rfc "$SHA256_SECRET" --algorithm SHA256 --digits 8
expect_pt 1 "the RFC code of T=1234567890 is refused today" rfc 91819424
expect_pt 0 "faketime T=1234567890: SHA-256 8-digit code accepted" rfc 91819424 1234567890
expect_pt 0 "faketime T=20000000000 (year 2603): code accepted" rfc 77737706 20000000000
expect_pt 1 "faketime T=20000000000: the same code is refused again" rfc 77737706 20000000000
expect_pt 1 "after 2603, a 2009 code is refused (monotonic steps)" rfc 91819424 1234567890

# Recovery codes at the same prompt.
kk recovery --user alice >"$T/rc.txt" || bad "recovery codes issued"
mapfile -t codes < <(grep -oE '[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}' "$T/rc.txt")
check "ten recovery codes are printed" test "${#codes[@]}" -eq 10
expect_pt 0 "a recovery code is accepted" alice "${codes[0]}"
expect_pt 1 "a recovery code works only once" alice "${codes[0]}"
lower=$(echo "${codes[1]}" | tr 'A-Z' 'a-z' | tr -d '-')
expect_pt 0 "a recovery code in lower case without dashes is accepted" alice "$lower"
left=$(kk status --user alice --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["users"][0]["recovery_codes_left"])')
check "status shows 8 recovery codes left" test "$left" = 8

# Unknown and unenrolled users answer exactly like enrolled ones.
pt alice 000000; r1=$?; cp "$T/pt.out" "$T/enrolled.out"
pt nosuchuser 000000; r2=$?; cp "$T/pt.out" "$T/unknown.out"
kk enroll --user pend --qr none </dev/null >/dev/null 2>&1
pt pend 000000; r3=$?; cp "$T/pt.out" "$T/pending.out"
check "unknown user: same PAM result as an enrolled one" test "$r1" = "$r2" -a "$r1" = 1 -a "$r3" = 1
check "unknown user: same prompt and messages" cmp -s "$T/enrolled.out" "$T/unknown.out"
check "pending-only user: same prompt and messages" cmp -s "$T/enrolled.out" "$T/pending.out"
check "no state file is created for an unknown user" test ! -e "$STORE/users/nosuchuser"
check "no lock file is created for an unknown user" test ! -e "$STORE/users/nosuchuser.lock"

# The conversation's own status never becomes the module's: an
# application whose conversation returns PAM_IGNORE (25) or PAM_SUCCESS
# without an answer must not skip the code behind a password module.
service "auth required pam_permit.so" "auth required $PAM_KALKAN store=$STORE"
for st in 25 0 19; do
    pam_env
    got=$(env "${PENV[@]}" python3 "$KK_SOURCE_DIR/tests/data/pam/conv-status.py" "$SVC" alice "$st" 2>"$T/conv.err")
    check "a conversation returning $st is a denial, not $got" test -n "$got" -a "$got" != 0 -a "$got" != 25
done

# Options are parsed strictly and fail closed (a user of its own, so its
# steps do not collide with the codes used above).
enroll opt "$SECRET"
fresh_step
code=$(oathtool --totp -b "$SECRET")
service "auth required $PAM_KALKAN store=$STORE windw=2"
expect_pt 1 "an unknown option denies even a valid code" opt "$code"
service "auth required $PAM_KALKAN store=$STORE window=99"
expect_pt 1 "an out-of-range window denies" opt "$code"
service "auth required $PAM_KALKAN store=$STORE window=1 daily_max=50 backoff_after=5 backoff_max=600 budget=local [prompt=Code for login: ]"
expect_pt 0 "all valid options together accept a valid code" opt "$code"
check "the prompt option changes the prompt" grep -q "Code for login:" "$T/pt.out"

# nullok: unenrolled users skip the module (PAM_IGNORE), enrolled do not.
service "auth required $PAM_KALKAN store=$STORE nullok" "auth required pam_permit.so"
expect_pt 0 "nullok: an unenrolled user passes" nosuchuser ""
expect_pt 1 "nullok: an enrolled user still needs a valid code" alice 000000
service "auth required $PAM_KALKAN store=$STORE nullok_until=2001-01-01" "auth required pam_permit.so"
expect_pt 1 "nullok_until in the past: the unenrolled user is denied" nosuchuser 000000
for v in 9999999999 @999999999 2026-0331Z; do
    service "auth required $PAM_KALKAN store=$STORE nullok_until=$v" "auth required pam_permit.so"
    expect_pt 1 "nullok_until=$v is not a date: the option denies" nosuchuser ""
done
service "auth required $PAM_KALKAN store=$T/missing nullok" "auth required pam_permit.so"
expect_pt 0 "nullok with no store yet: users pass" nosuchuser ""
service "auth required $PAM_KALKAN store=$T/missing" "auth required pam_permit.so"
expect_pt 1 "no store, no nullok: denied" nosuchuser 000000

# Interactive enrolment: QR in PNG decodes to the URI; the credential is
# active only after a correct code; three wrong codes remove it.
coproc ENR { "$KALKAN" otp enroll --user carol --label carol@office \
    --issuer "Kalkan Test" --qr "png:$T/carol.png" --store "$STORE" 2>&1; }
uri=""
while read -r -t 10 line <&"${ENR[0]}"; do
    case $line in otpauth://*) uri=$line; break ;; esac
done
check "enrolment prints an otpauth URI with issuer" grep -q '^otpauth://totp/Kalkan%20Test:carol@office?secret=.*issuer=Kalkan%20Test' <<<"$uri"
zb=$(zbarimg --raw -q "$T/carol.png" 2>/dev/null)
check "the PNG QR code decodes to exactly the URI" test "$zb" = "$uri"
esecret=$(sed -E 's/.*secret=([A-Z2-7]+).*/\1/' <<<"$uri")
fresh_step
echo 000000 >&"${ENR[1]}"
oathtool --totp -b "$esecret" >&"${ENR[1]}"
wait "$ENR_PID"; rc=$?
check "enrolment succeeds with a correct code after a wrong one" test "$rc" = 0
service "auth required $PAM_KALKAN store=$STORE"
expect_pt 1 "the enrolment code cannot be replayed at login" carol "$(oathtool --totp -b "$esecret")"
printf '111111\n222222\n333333\n' | "$KALKAN" otp enroll --user dan --qr none --store "$STORE" >/dev/null 2>&1
rc=$?
check "three wrong enrolment codes exit 1" test "$rc" = 1
n=$(kk status --user dan --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["users"][0]["credentials"]))')
check "... and leave no credential behind" test "$n" = 0

# The store stays secret.
check "store directory is 0700" test "$(stat -c %a "$STORE")" = 700
check "store key is 0400" test "$(stat -c %a "$STORE/key")" = 400
check_not "nobody cannot read a state file" setpriv --reuid=nobody --regid=nogroup --clear-groups cat "$STORE/users/alice" 2>/dev/null
check_not "nobody cannot list the store" setpriv --reuid=nobody --regid=nogroup --clear-groups ls "$STORE" >/dev/null 2>&1
hex=$(printf '%s' 12345678901234567890 | od -An -tx1 | tr -d ' \n')
for needle in "$SECRET" "$(tr A-Z a-z <<<"$SECRET")" 12345678901234567890 "$hex" "$esecret"; do
    check_not "grep finds no secret (${needle:0:6}...) in the store" grep -rqiF -- "$needle" "$STORE"
done
for c in "${codes[@]}"; do
    check_not "grep finds no recovery code ${c:0:4}... in the store" grep -rqiF -e "$c" -e "${c//-/}" "$STORE"
done
check "no zero-size state file" test -z "$(find "$STORE/users" -type f -size 0 ! -name '*.lock')"
finish
