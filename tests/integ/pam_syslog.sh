#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# pam_kalkan.so's log lines (docs/pam_kalkan.md, "Logging"), read from
# /dev/log as a syslog daemon would: a failed login names the user and the
# service, a success is logged, a nullok pass leaves an audit line, a
# corrupt store an error line, all on the authpriv facility, and no line
# ever holds the secret, a code or a recovery code (goal: what was typed is
# never logged).
#
# The test machine runs no syslog daemon, and a machine that does must not
# be disturbed, so the script re-runs itself in a private mount namespace
# (unshare -m) with a small tmpfs over /dev holding copies of the few
# device nodes the programs need and a /dev/log socket of its own, served
# by tests/data/pam/syslog-sink.py.  The real /dev, and any real /dev/log,
# are never touched; the namespace and its mounts vanish with the script.
set -u
if [ -z "${KK_SYSLOG_OUTER_NS:-}" ]; then
    unshare --mount --propagation private true 2>/dev/null ||
        { echo "FAIL unshare --mount (a private mount namespace) is needed"; exit 1; }
    KK_SYSLOG_OUTER_NS=$(readlink /proc/self/ns/mnt) \
        exec unshare --mount --propagation private -- bash "${BASH_SOURCE[0]}"
fi
# Never cover /dev unless this really is a namespace of our own.
if [ "$(readlink /proc/self/ns/mnt)" = "$KK_SYSLOG_OUTER_NS" ]; then
    echo "FAIL not in a private mount namespace; /dev left alone"
    exit 1
fi

. "$KK_SOURCE_DIR/tests/data/pam/lib.sh"

# A private /dev: nodes made with mknod (same numbers and modes as the
# real ones), no bind mounts, so nothing under it reaches the real /dev.
private_dev() {
    local n major minor mode
    for n in null zero full random urandom tty; do
        echo "$n $(stat -c '%t %T %a' "/dev/$n")" || return 1
    done >"$T/devnodes"
    mount -t tmpfs -o mode=0755,size=1m,nosuid kalkan-test-dev /dev || return 1
    while read -r n major minor mode; do
        mknod -m "$mode" "/dev/$n" c $((16#$major)) $((16#$minor)) || return 1
    done <"$T/devnodes"
    ln -s /proc/self/fd /dev/fd
    ln -s /proc/self/fd/0 /dev/stdin
    ln -s /proc/self/fd/1 /dev/stdout
    ln -s /proc/self/fd/2 /dev/stderr
    mkdir -m 1777 /dev/shm
}
private_dev || { bad "a private /dev in the mount namespace"; finish; }

LOG=$T/syslog.txt
: >"$LOG"
python3 "$KK_SOURCE_DIR/tests/data/pam/syslog-sink.py" /dev/log "$LOG" &
SINK=$!
at_exit "kill $SINK 2>/dev/null; wait $SINK 2>/dev/null"
for _ in $(seq 1 100); do [ -S /dev/log ] && break; sleep 0.1; done
check "a private /dev/log listens" test -S /dev/log
logger -p authpriv.info "kalkan-test-$$ sink probe"
for _ in $(seq 1 50); do grep -q "sink probe" "$LOG" && break; sleep 0.1; done
check "a test line written with logger reaches the sink" grep -q "kalkan-test-$$ sink probe" "$LOG"

# mark : remembers where the log ends now.  new_line PATTERN : waits (at
# most 5 s, the sink is asynchronous) for a line after the mark matching
# the extended regular expression, and prints it.
MARK=0
mark() { MARK=$(wc -l <"$LOG"); }
new_line() {
    local i
    for i in $(seq 1 50); do
        if tail -n +$((MARK + 1)) "$LOG" | grep -E -m1 -- "$1"; then return 0; fi
        sleep 0.1
    done
    return 1
}
# expect_line DESCRIPTION PATTERN : a line after the mark matches.
expect_line() {
    if new_line "$2" >"$T/line"; then
        ok "$1"
    else
        bad "$1: no line matching: $2"
        tail -n +$((MARK + 1)) "$LOG" | sed 's/^/    log: /'
    fi
}
# A syslog priority of the authpriv facility (10) at a severity.
PRI_NOTICE='<85>'
PRI_ERR='<83>'
TAG="pam_kalkan\\(kalkan-test-$$:auth\\): "
U=sloguser

enroll "$U" "$SECRET"
kk recovery --user "$U" >"$T/rc.txt" || bad "recovery codes issued"
mapfile -t rcodes < <(grep -oE '[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}' "$T/rc.txt")
check "ten recovery codes are printed" test "${#rcodes[@]}" -eq 10
service "auth required $PAM_KALKAN store=$STORE"
printf '%s\n' "$SECRET" >"$T/phone.secret"
chmod 600 "$T/phone.secret"
TYPED=() # everything typed at a prompt

fresh_step
code=$("$KALKAN" otp code --secret-file "$T/phone.secret")
wrong=$(printf '%06d' $(( (10#$code + 500000) % 1000000 )))
TYPED+=("$code" "$wrong")

# A failed login.
mark
expect_pt 1 "a wrong code is refused" "$U" "$wrong"
expect_line "a failure logs a line naming the user and the service" \
    "^$PRI_NOTICE.*${TAG}denied \"$U\": invalid code \\(service=kalkan-test-$$ rhost=- budget=local\\)$"

# A successful login, then the same code again.
mark
expect_pt 0 "a valid code is accepted" "$U" "$code"
expect_line "a success logs a line naming the user and the service" \
    "^$PRI_NOTICE.*${TAG}accepted a code for \"$U\" \\(service=kalkan-test-$$ rhost=- budget=local\\)$"
mark
expect_pt 1 "the same code is refused the second time" "$U" "$code"
expect_line "a replay logs its own reason" \
    "^$PRI_NOTICE.*${TAG}denied \"$U\": code already used \\(service=kalkan-test-$$ "

# A recovery code, and the secret itself typed at the prompt.
mark
expect_pt 0 "a recovery code is accepted" "$U" "${rcodes[0]}"
expect_line "a recovery code logs its own success line" \
    "^$PRI_NOTICE.*${TAG}accepted a recovery code for \"$U\" \\(service=kalkan-test-$$ "
expect_line "... and how many are left" "${TAG}\"$U\" has 9 recovery codes left$"
mark
expect_pt 1 "the secret typed at the prompt is refused" "$U" "$SECRET"
TYPED+=("$SECRET")
expect_line "... and logged as an invalid code" "${TAG}denied \"$U\": invalid code "

# nullok: an unenrolled user passes and leaves an audit line; an enrolled
# one does not.
service "auth required $PAM_KALKAN store=$STORE nullok" "auth required pam_permit.so"
mark
expect_pt 0 "nullok: an unenrolled user passes" newbie ""
expect_line "nullok logs an audit line saying the second factor was skipped" \
    "^$PRI_NOTICE.*${TAG}audit: nullok: user \"newbie\" has no active credential; second factor skipped \\(service=kalkan-test-$$ rhost=-\\)$"
mark
expect_pt 1 "nullok: an enrolled user still needs a valid code" "$U" 000000
TYPED+=(000000)
expect_line "... and is logged as denied" "${TAG}denied \"$U\": invalid code "
check_not "... without a nullok audit line" grep -q "nullok: user \"$U\"" "$LOG"

# Errors: a corrupt state file, an unknown option.
service "auth required $PAM_KALKAN store=$STORE"
enroll broken "$SECRET"
printf 'kalkan-otp-state 1\nuser broken\ngarbage\n' >"$STORE/users/broken"
mark
expect_pt 1 "a corrupt state file denies" broken 123456
TYPED+=(123456)
expect_line "a corrupt store logs an error line naming the store, the user and the service" \
    "^$PRI_ERR.*${TAG}store $STORE: .*: denying \"broken\" \\(service=kalkan-test-$$ rhost=-\\)$"
service "auth required $PAM_KALKAN store=$STORE nullok" "auth required pam_permit.so"
mark
expect_pt 1 "nullok: a corrupt state file still denies" broken ""
expect_line "... and logs an error line naming the store" \
    "^$PRI_ERR.*${TAG}store $STORE: .*malformed"
check_not "... without a nullok audit line" grep -q 'nullok: user "broken"' "$LOG"
service "auth required $PAM_KALKAN store=$STORE windw=2"
mark
expect_pt 1 "an unknown option denies" "$U" 000000
expect_line "an unknown option logs an error line" \
    "^$PRI_ERR.*${TAG}unknown option \"windw=2\": denying$"
service "auth required $PAM_KALKAN store=$T/no-such-store"
mark
expect_pt 1 "a store that does not exist denies" "$U" 000000
expect_line "... and tells the admin the store does not exist" \
    "^$PRI_ERR.*${TAG}store $T/no-such-store does not exist: nobody is enrolled$"

# Nothing secret in any line.
grep -F "pam_kalkan(" "$LOG" >"$T/module.log"
check "the module logged at least ten lines" test "$(wc -l <"$T/module.log")" -ge 10
check "every module line is on the authpriv facility" \
    test -z "$(grep -vE '^<8[0-7]>' "$T/module.log")"
hex=$(printf '%s' 12345678901234567890 | od -An -tx1 | tr -d ' \n')
for needle in "$SECRET" 12345678901234567890 "$hex"; do
    check_not "no line holds the secret (${needle:0:4}...)" grep -qiF -- "$needle" "$LOG"
done
for c in "${TYPED[@]}"; do
    [ "$c" = "$SECRET" ] && continue
    check_not "no line holds the typed code $c" grep -qwF -- "$c" "$LOG"
done
for c in "${rcodes[@]}"; do
    check_not "no line holds recovery code ${c:0:4}..." grep -qiF -e "$c" -e "${c//-/}" "$LOG"
done
if [ "$FAILS" -ne 0 ]; then
    echo "--- everything logged"
    sed 's/^/    /' "$LOG"
fi
finish
