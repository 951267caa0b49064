#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `kalkan otp resync` through the real PAM stack: a phone whose clock is
# 5 minutes fast cannot log in; after a resync from two consecutive codes
# `status` shows the drift, a later code of that phone is accepted, and
# the two resync codes are not.  Failed resyncs count as failed logins.
. "$KK_SOURCE_DIR/tests/data/pam/lib.sh"

enroll rosa "$SECRET"
service "auth required $PAM_KALKAN store=$STORE"

fresh_step
now=$(date +%s)
ahead=$((now + 300)) # the phone's clock
c1=$(oathtool --totp -b "$SECRET" -N "@$ahead")
c2=$(oathtool --totp -b "$SECRET" -N "@$((ahead + 30))")
c3=$(oathtool --totp -b "$SECRET" -N "@$((ahead + 60))")
expect_pt 1 "a phone 5 minutes fast cannot log in" rosa "$c2"

# Bad input and codes that do not follow each other.
printf '%s\n' "$c1" | kk resync --user rosa >/dev/null 2>&1
check "one code only is bad input (exit 2)" test $? = 2
printf '12x456\n%s\n' "$c2" | kk resync --user rosa >/dev/null 2>&1
check "a code with a letter is bad input (exit 2)" test $? = 2
printf '%s\n%s\n' "$c2" "$c1" | kk resync --user rosa >/dev/null 2>"$T/err"
check "codes in the wrong order fail (exit 1)" test $? = 1
check "... with a one-line message" test "$(wc -l <"$T/err")" = 1
fails=$(kk status --user rosa --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["users"][0]["budgets"]["local"]["consecutive_failures"])')
check "... counted as a failed local login ($fails in a row)" test "$fails" = 2

printf '%s\n%s\n' "$c1" "$c2" | kk resync --user rosa >"$T/out" 2>&1
check "resync from two consecutive codes succeeds" test $? = 0
check "... and says how far the phone is off" grep -qE 'phone is [0-9]+ s fast' "$T/out"
want=$(((ahead + 30) / 30 - now / 30))
drift=$(kk status --user rosa --json | python3 -c 'import json,sys; c=json.load(sys.stdin)["users"][0]["credentials"][0]; print(c["drift_steps"], c["drift_seconds"])')
check "status shows the drift ($drift, want $want steps)" test "$drift" = "$want $((want * 30))"
expect_pt 0 "the next code of the fast phone is accepted" rosa "$c3"
expect_pt 1 "the first resync code cannot be replayed" rosa "$c1"
expect_pt 1 "the second resync code cannot be replayed" rosa "$c2"
printf '%s\n%s\n' "$c1" "$c2" | kk resync --user rosa >/dev/null 2>&1
check "a resync with used codes fails (exit 1)" test $? = 1

# JSON output, and a user who is not enrolled.
enroll sam "$SECRET"
fresh_step
now=$(date +%s)
s1=$(oathtool --totp -b "$SECRET" -N "@$((now - 240))")
s2=$(oathtool --totp -b "$SECRET" -N "@$((now - 210))")
printf '%s\n%s\n' "$s1" "$s2" | kk resync --user sam --json >"$T/json"
check "resync --json succeeds" test $? = 0
check "... and reports a slow phone" python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(not (j["kind"]=="totp" and j["drift_steps"]==-7 and j["drift_seconds"]==-210))' "$T/json"
printf '%s\n%s\n' "$s1" "$s2" | kk resync --user nosuchuser >/dev/null 2>&1
check "an unknown user is bad input (exit 2)" test $? = 2
finish
