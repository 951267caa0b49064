#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Replay under concurrency (goal G2): 50 parallel pamtester logins with the
# same valid code must give exactly one success, in each of 10 rounds.
# Each round runs at its own fake time (the start of a fresh 30-second
# step, one day after the previous round, so the 49 refused replays of a
# round, which count as failures, have left the rate limits), so the code
# cannot expire mid-round and no round waits for the wall clock.
. "$KK_SOURCE_DIR/tests/data/pam/lib.sh"

ROUNDS=${PAM_CONCURRENCY_ROUNDS:-10}
PARALLEL=50
enroll racer "$SECRET"
# Generous rate limits, so that every one of the 49 losers is evaluated
# (and refused as a replay) rather than refused by throttling.
service "auth required $PAM_KALKAN store=$STORE backoff_after=100 daily_max=100000"
base=$(step_start 1900000000)

for round in $(seq 1 "$ROUNDS"); do
    t=$((base + round * 86400))
    code=$(oathtool --totp -b "$SECRET" -N "@$t")
    rm -f "$T"/res.*
    pam_env "$t"
    for i in $(seq 1 $PARALLEL); do
        (
            printf '%s\n' "$code" | env "${PENV[@]}" \
                pamtester "$SVC" racer authenticate >/dev/null 2>&1
            echo $? >"$T/res.$i"
        ) &
    done
    wait
    okc=$(grep -lx 0 "$T"/res.* | wc -l)
    denied=$(grep -lx 1 "$T"/res.* | wc -l)
    if [ "$okc" -eq 1 ] && [ "$denied" -eq $((PARALLEL - 1)) ]; then
        ok "round $round: $PARALLEL parallel logins, one code: exactly 1 success"
    else
        bad "round $round: $okc successes, $denied denials of $PARALLEL"
        sort "$T"/res.* | uniq -c | sed 's/^/    exit codes: /'
    fi
done

# The failures were counted under the lock as well: 49 per round.
fails=$(kk status --user racer --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["users"][0]["budgets"]["local"]["failures_total"])')
check "every refused replay was counted ($fails = $((ROUNDS * (PARALLEL - 1))))" \
    test "$fails" -eq $((ROUNDS * (PARALLEL - 1)))
check "no zero-size or temporary file is left" \
    test -z "$(find "$STORE/users" -type f \( -size 0 ! -name '*.lock' -o -name '*.tmp*' \))"
finish
