#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The unprivileged path (screen lockers, goal G10): pamtester runs as the
# user "nobody" under pam_wrapper, so pam_kalkan.so cannot read the store
# and asks the root daemon `kalkan otp daemon` started here.  The daemon
# answers only for the caller's own account (SO_PEERCRED), forces the local
# budget for non-root callers, and the module fails closed when the daemon
# is down.  The daemon runs sandboxed, as in production
# (otp_daemon_sandbox.sh checks the sandbox itself).
. "$KK_SOURCE_DIR/tests/data/pam/lib.sh"

AS_NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
SOCK=$T/run/otp.sock
mkdir -p "$T/run" "$T/svc" "$T/home"
chmod 755 "$T/run" "$T/svc"
enroll nobody "$SECRET"
enroll alice "$SECRET"
echo "auth required pam_deny.so" >"$T/svc/other"
echo "auth required $PAM_KALKAN socket=$SOCK" >"$T/svc/kalkan"
echo "auth required $PAM_KALKAN socket=$T/run/none.sock" >"$T/svc/kalkan-down"
echo "auth required $PAM_KALKAN store=$STORE" >"$T/svc/kalkan-direct"
chmod 644 "$T"/svc/*

"$KALKAN" otp daemon --store "$STORE" --socket "$SOCK" 2>"$T/daemon.log" &
DAEMON=$!
at_exit "kill $DAEMON 2>/dev/null; wait $DAEMON 2>/dev/null"
for _ in $(seq 1 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
check "the daemon listens" test -S "$SOCK"
# The socket is bound before the sandbox goes up (open what is needed,
# then confine): wait for the filter before reading /proc.
for _ in $(seq 1 100); do
    grep -q '^Seccomp:[[:space:]]*2' "/proc/$DAEMON/status" && break
    sleep 0.1
done
check "the daemon runs with no_new_privs" grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$DAEMON/status"
check "the daemon runs under its seccomp filter" grep -q '^Seccomp:[[:space:]]*2' "/proc/$DAEMON/status"
check "the daemon has no capabilities" grep -q '^CapEff:[[:space:]]*0000000000000000' "/proc/$DAEMON/status"

# upt SERVICE USER CODE : pamtester as nobody under pam_wrapper.  ASan
# refuses libraries loaded with RTLD_DEEPBIND, which pam_wrapper uses for
# libpam unless told not to (pam_wrapper 1.1.4 reads the variable under
# the name UID_WRAPPER_DISABLE_DEEPBIND).
upt() {
    local pre=libpam_wrapper.so
    [ -n "$PRELOAD_BASE" ] && pre="$PRELOAD_BASE $pre"
    printf '%s\n' "$3" | env LD_PRELOAD="$pre" PAM_WRAPPER=1 \
        UID_WRAPPER_DISABLE_DEEPBIND=1 PAM_WRAPPER_DISABLE_DEEPBIND=1 \
        PAM_WRAPPER_SERVICE_DIR="$T/svc" HOME="$T/home" \
        "${AS_NOBODY[@]}" pamtester "$1" "$2" authenticate >"$T/upt.out" 2>&1
}
expect_upt() { # want description service user code
    local want=$1 what=$2
    shift 2
    upt "$@"
    local got=$?
    if [ "$got" -eq "$want" ]; then ok "$what"; else
        bad "$what (exit $got, expected $want)"
        sed 's/^/    /' "$T/upt.out"
    fi
}

fresh_step
code=$(oathtool --totp -b "$SECRET")
expect_upt 1 "as nobody, reading the store directly fails closed" kalkan-direct nobody "$code"
expect_upt 0 "as nobody, a valid code is accepted through the daemon" kalkan nobody "$code"
expect_upt 1 "as nobody, the same code is refused the second time" kalkan nobody "$code"
expect_upt 1 "as nobody, a wrong code is refused" kalkan nobody 000000
expect_upt 1 "nobody cannot have alice's code checked" kalkan alice "$code"
expect_upt 1 "with the daemon's socket absent, the module fails closed" kalkan-down nobody "$code"

# Straight at the socket: another user's name gets "ERROR perm".
# ask_as_nobody REQUEST : one request line to the daemon, as nobody; prints
# the answer.
ask_as_nobody() {
    "${AS_NOBODY[@]}" /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
print(s.recv(100).decode().strip())' "$SOCK" "$1"
}
reply=$(ask_as_nobody "KALKAN-OTP 1 VERIFY alice remote 123456")
check "the daemon refuses to check another user's code (got: $reply)" test "$reply" = "ERROR perm"
reply=$(ask_as_nobody "KALKAN-OTP 1 VERIFY nobody remote 000000 extra")
check "the daemon rejects a malformed request (got: $reply)" test "$reply" = "ERROR proto"
rem=$(kk status --user nobody --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["users"][0]["budgets"]["remote"]["failures_total"])')
check "a non-root caller cannot charge the remote budget" test "$rem" -eq 0
check_not "nobody cannot read the store" "${AS_NOBODY[@]}" cat "$STORE/users/nobody" 2>/dev/null

# One user holding many idle connections cannot take every worker: the
# others are still answered at once.
"${AS_NOBODY[@]}" /usr/bin/python3 -c '
import socket, sys, time
held = []
for _ in range(80):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect(sys.argv[1])
    except BlockingIOError:
        pass
    held.append(s)
time.sleep(8)' "$SOCK" &
HOG=$!
sleep 1
reply=$(/usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(4)
s.connect(sys.argv[1])
s.sendall(b"KALKAN-OTP 1 ENROLLED alice\n")
try:
    print(s.recv(100).decode().strip())
except socket.timeout:
    print("timeout")' "$SOCK")
check "another caller is answered while nobody holds 80 connections (got: $reply)" test "$reply" = "YES"
kill "$HOG" 2>/dev/null; wait "$HOG" 2>/dev/null

# A name with a line break cannot forge a line of the daemon's log.
"${AS_NOBODY[@]}" /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b"KALKAN-OTP 1 ENROLLED =" + b"x\nFORGED: uid 0: accepted".hex().encode() + b"\n")
s.recv(100)' "$SOCK"
sleep 0.5
check_not "a user name cannot start a line in the daemon's log" grep -q '^FORGED' "$T/daemon.log"

check_not "no worker was killed by the sandbox" grep -q 'killed by' "$T/daemon.log"

# The daemon stops: the module fails closed.
kill "$DAEMON"; wait "$DAEMON" 2>/dev/null
next=$(oathtool --totp -b "$SECRET" -N "@$(( $(date +%s) + 30 ))")
expect_upt 1 "with the daemon stopped, a valid code is refused" kalkan nobody "$next"
finish
