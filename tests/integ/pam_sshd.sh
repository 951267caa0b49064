#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# pam_kalkan.so inside a real OpenSSH server: keyboard-interactive 2FA on
# loopback.  sshd is started here on a free port with a private config and
# host key, through a symlink named kalkan-test-sshd-PID, because sshd uses
# its program name as the PAM service name; /etc/pam.d/kalkan-test-sshd-PID
# loads the module from the build tree.  The client is the real ssh,
# answering the prompt through an SSH_ASKPASS script that logs the prompt
# it was shown.  Checked: a valid code logs in and runs a command, the same
# code is refused the second time, a wrong code is refused, an account
# that is not enrolled gets the same prompt and the same failure as a
# wrong code, and the failures are charged to the remote budget (sshd sets
# PAM_RHOST), not the local one.  In the sanitizer build the ASan runtime
# is preloaded into sshd (it survives sshd's re-exec per connection), so
# the instrumented module is checked inside sshd's PAM process; a login
# could not succeed otherwise, as the module would not load.
. "$KK_SOURCE_DIR/tests/data/pam/lib.sh"

SSHD=/usr/sbin/sshd
SSHD_SVC=kalkan-test-sshd-$$
USER1=kk-ssh-$$ # enrolled
USER2=kk-ssn-$$ # an account that is not enrolled
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

command -v ssh >/dev/null && test -x "$SSHD" || { bad "ssh and sshd are installed"; finish; }

# Two accounts; useradd waits for nobody, so retry while another test
# holds the password file lock.
add_user() {
    local i
    for i in 1 2 3 4 5 6 7 8 9 10; do
        useradd -m -d "/home/$1" -s /bin/sh "$1" 2>"$T/useradd.err" && return 0
        sleep 0.5
    done
    cat "$T/useradd.err"
    return 1
}
for u in "$USER1" "$USER2"; do
    add_user "$u" || { bad "useradd $u"; finish; }
    at_exit "userdel -r -f '$u' >/dev/null 2>&1"
done
enroll "$USER1" "$SECRET"
# The authenticator app: the same secret in a file of its own.
printf '%s\n' "$SECRET" >"$T/phone.secret"
chmod 600 "$T/phone.secret"

# The privilege-separation directory sshd chroots its unprivileged child to.
if [ ! -d /run/sshd ]; then
    mkdir -m 0755 /run/sshd || { bad "create /run/sshd"; finish; }
    at_exit "rmdir /run/sshd 2>/dev/null"
fi

ssh-keygen -q -t ed25519 -N '' -C kalkan-test -f "$T/host_ed25519" || { bad "ssh-keygen"; finish; }
ln -s "$SSHD" "$T/$SSHD_SVC"
printf '%s\n' "auth required $PAM_KALKAN store=$STORE" \
    "account required pam_permit.so" "session required pam_permit.so" \
    >"/etc/pam.d/$SSHD_SVC"
at_exit "rm -f '/etc/pam.d/$SSHD_SVC'"

write_config() { # PORT
    cat >"$T/sshd_config" <<EOF
ListenAddress 127.0.0.1:$1
HostKey $T/host_ed25519
PidFile $T/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication no
AuthorizedKeysFile none
AuthenticationMethods keyboard-interactive
PermitRootLogin no
AllowUsers $USER1 $USER2
UseDNS no
MaxAuthTries 6
LoginGraceTime 60
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
LogLevel DEBUG1
EOF
}

# sshd's environment: ASan runtime first in the sanitizer build; reports
# go to files, which must not exist at the end (the directory is writable
# by sshd's processes that have dropped root, too).
SENV=(PATH="$PATH")
if [ -n "$PRELOAD_BASE" ]; then
    mkdir -p "$T/asan"
    chmod 733 "$T/asan"
    SENV+=(LD_PRELOAD="$PRELOAD_BASE"
        ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$T/asan/asan"
        UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$T/asan/ubsan")
fi

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Start sshd in the foreground on a free port; retry if the port was taken
# between the probe and the bind.
SSHD_PID=""
for attempt in 1 2 3 4 5; do
    PORT=$(free_port)
    write_config "$PORT"
    "$SSHD" -t -f "$T/sshd_config" 2>"$T/sshd-t.err" || { bad "sshd -t accepts the config"; cat "$T/sshd-t.err"; finish; }
    env -i "${SENV[@]}" "$T/$SSHD_SVC" -D -e -f "$T/sshd_config" 2>"$T/sshd.log" &
    SSHD_PID=$!
    for _ in $(seq 1 100); do
        grep -q "Server listening on 127.0.0.1 port $PORT" "$T/sshd.log" && break
        kill -0 "$SSHD_PID" 2>/dev/null || break
        sleep 0.1
    done
    if grep -q "Server listening on 127.0.0.1 port $PORT" "$T/sshd.log"; then
        break
    fi
    kill "$SSHD_PID" 2>/dev/null
    wait "$SSHD_PID" 2>/dev/null
    SSHD_PID=""
done
if [ -z "$SSHD_PID" ]; then
    bad "sshd listens on 127.0.0.1"
    sed 's/^/    /' "$T/sshd.log"
    finish
fi
at_exit "kill $SSHD_PID 2>/dev/null; wait $SSHD_PID 2>/dev/null"
ok "sshd listens on 127.0.0.1:$PORT as $SSHD_SVC"

# The askpass script logs the prompt it is shown and answers $T/answer.
cat >"$T/askpass" <<EOF
#!/bin/sh
printf '%s\n' "\$1" >>"$T/prompts"
cat "$T/answer"
EOF
chmod 755 "$T/askpass"

# login USER ANSWER : one ssh connection with one keyboard-interactive
# attempt; output in $T/ssh.out and $T/ssh.err, prompts in $T/prompts;
# returns ssh's exit status (0 logged in, 255 refused).
login() {
    printf '%s\n' "$2" >"$T/answer"
    : >"$T/prompts"
    env -u LD_PRELOAD SSH_ASKPASS="$T/askpass" SSH_ASKPASS_REQUIRE=force \
        DISPLAY=kalkan-test:0 timeout 60 setsid ssh -F /dev/null -T \
        -o BatchMode=no -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/dev/null \
        -o LogLevel=ERROR -o ConnectTimeout=20 \
        -o PreferredAuthentications=keyboard-interactive \
        -o NumberOfPasswordPrompts=1 -p "$PORT" "$1@127.0.0.1" \
        'echo KALKAN-OK' </dev/null >"$T/ssh.out" 2>"$T/ssh.err"
}

# expect_login WANT DESCRIPTION USER ANSWER : WANT 0 (logged in) or 255.
expect_login() {
    local want=$1 what=$2
    shift 2
    login "$@"
    local got=$?
    if [ "$got" -eq "$want" ]; then
        ok "$what"
    else
        bad "$what (ssh exit $got, expected $want)"
        sed 's/^/    ssh: /' "$T/ssh.err" "$T/ssh.out"
        sed 's/^/    prompt: /' "$T/prompts"
    fi
}

# field USER BUDGET KEY : one value of `kalkan otp status --json`.
field() {
    kk status --user "$1" --json | python3 -c "import json,sys; v=json.load(sys.stdin)['users'][0]['budgets']['$2']['$3']; print('null' if v is None else v)"
}

# The service name: without the service file sshd falls back to
# /etc/pam.d/other (pam_unix, "Password: "), which refuses an account with
# a locked password; the module is not asked and nothing is counted.
mv "/etc/pam.d/$SSHD_SVC" "$T/pam.saved"
expect_login 255 "without /etc/pam.d/$SSHD_SVC the login is refused" "$USER1" 000000
check "... after another module's prompt (pam_unix: Password:)" grep -q 'Password: $' "$T/prompts"
check_not "... not the code prompt" grep -q 'Verification code:' "$T/prompts"
mv "$T/pam.saved" "/etc/pam.d/$SSHD_SVC"
check "... and nothing was charged to the remote budget" test "$(field "$USER1" remote failures_total)" = 0

# A valid code logs in and runs the command.
fresh_step
code=$("$KALKAN" otp code --secret-file "$T/phone.secret")
check "kalkan otp code gives a 6-digit code" grep -qxE '[0-9]{6}' <<<"$code"
expect_login 0 "a valid code logs in over ssh" "$USER1" "$code"
check "the remote command ran (KALKAN-OK)" test "$(cat "$T/ssh.out")" = KALKAN-OK
check "the prompt came from pam_kalkan (Verification code:)" grep -q 'Verification code: $' "$T/prompts"
check "exactly one prompt was shown" test "$(wc -l <"$T/prompts")" = 1
check "sshd logged the keyboard-interactive/pam success" \
    grep -q "Accepted keyboard-interactive/pam for $USER1 from 127.0.0.1" "$T/sshd.log"
check "a success is not a failure (remote total 0)" test "$(field "$USER1" remote failures_total)" = 0

# The same code again, and a wrong one.
expect_login 255 "the same code is refused the second time (replay)" "$USER1" "$code"
check_not "... and the command did not run" grep -q KALKAN-OK "$T/ssh.out"
wrong=$(printf '%06d' $(( (10#$code + 500000) % 1000000 )))
expect_login 255 "a wrong code is refused" "$USER1" "$wrong"
sed "s/$USER1/USER/g" "$T/prompts" >"$T/wrong.prompts"
sed "s/$USER1/USER/g" "$T/ssh.err" >"$T/wrong.err"
check_not "... and the command did not run" grep -q KALKAN-OK "$T/ssh.out"
check "sshd logged the keyboard-interactive/pam failure" \
    grep -q "Failed keyboard-interactive/pam for $USER1 from 127.0.0.1" "$T/sshd.log"

# An account that is not enrolled: same prompt, same failure.
expect_login 255 "an account that is not enrolled is refused" "$USER2" "$wrong"
sed "s/$USER2/USER/g" "$T/prompts" >"$T/unenrolled.prompts"
sed "s/$USER2/USER/g" "$T/ssh.err" >"$T/unenrolled.err"
check "... after the same prompt as a wrong code" cmp -s "$T/wrong.prompts" "$T/unenrolled.prompts"
check "... with the same client messages as a wrong code" cmp -s "$T/wrong.err" "$T/unenrolled.err"
check "... and the store keeps no state for it" test ! -e "$STORE/users/$USER2"
expect_login 255 "a name that is no account at all is refused" "nosuchuser$$" "$wrong"
sed "s/nosuchuser$$/USER/g" "$T/prompts" >"$T/unknown.prompts"
check "... after the same prompt as a wrong code" cmp -s "$T/wrong.prompts" "$T/unknown.prompts"
check "... and the store keeps no state for it" test ! -e "$STORE/users/nosuchuser$$"

# Budgets: the replay and the wrong code are two remote failures.
check "remote budget: failures total = 2" test "$(field "$USER1" remote failures_total)" = 2
check "remote budget: consecutive failures = 2" test "$(field "$USER1" remote consecutive_failures)" = 2
check "remote budget: failures in 24 h = 2" test "$(field "$USER1" remote failures_24h)" = 2
check "remote budget: last failure recorded" test "$(field "$USER1" remote last_failure)" != null
check "local budget untouched: failures total = 0" test "$(field "$USER1" local failures_total)" = 0
check "local budget untouched: last failure null" test "$(field "$USER1" local last_failure)" = null
check "sshd gave PAM_RHOST 127.0.0.1" grep -q 'PAM: setting PAM_RHOST to "127.0.0.1"' "$T/sshd.log"

if [ -n "$PRELOAD_BASE" ]; then
    check "no sanitizer report from sshd's PAM processes" test -z "$(ls -A "$T/asan")"
    for f in "$T"/asan/*; do [ -e "$f" ] && sed 's/^/    /' "$f"; done
fi
check_not "sshd logged no fatal error" grep -qE 'fatal:|dlopen|unable to dlopen|PAM adding faulty module' "$T/sshd.log"
if [ "$FAILS" -ne 0 ]; then
    echo "--- sshd log"
    sed 's/^/    /' "$T/sshd.log"
fi
finish
