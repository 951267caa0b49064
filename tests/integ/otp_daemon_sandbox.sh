#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The sandbox of `kalkan otp daemon` (src/kalkan/sandbox.c), the root
# helper that unprivileged screen lockers talk to.  The daemon is started
# the way systemd starts it (a listening socket on descriptor 3, plus a
# stray inherited descriptor) and the test checks, from /proc and from its
# answers, that it runs with no capabilities, no_new_privs, no core dumps,
# a seccomp filter (two in each worker), Landlock on the store when the
# kernel has it, only the descriptors it needs, a bounded request time,
# that ordinary requests still work inside all that, and that 200
# malformed requests neither kill it nor get anything but "ERROR proto".
# Then the edges: a bad inherited descriptor, a kernel without Landlock
# (simulated), and, in a private mount namespace so the real files are
# never touched, syslog from the workers and a replaced /etc/passwd.
. "$KK_SOURCE_DIR/tests/data/pam/lib.sh"

PY=/usr/bin/python3
AS_NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
SOCK=$T/run/otp.sock
mkdir -p "$T/run" "$T/outside"
chmod 755 "$T/run"
chmod 700 "$T/outside"
enroll nobody "$SECRET"
enroll root "$SECRET"
enroll llout "$SECRET"
: >"$T/marker"

# client.py MODE SOCKET [ARGS]: line LINE (one request, print the reply),
# hold (connect, send nothing, print the reply), fuzz N SEED (malformed
# requests; prints "proto=N other=N" counting the replies).
cat >"$T/client.py" <<'EOF'
import random, socket, sys

mode, path = sys.argv[1], sys.argv[2]

def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(path)
    return s

def reply(s):
    data = b""
    try:
        while not data.endswith(b"\n"):
            chunk = s.recv(512)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, BrokenPipeError):
        pass
    return data.decode(errors="replace").strip()

if mode == "line":
    s = conn()
    s.sendall(sys.argv[3].encode() + b"\n")
    print(reply(s))
elif mode == "hold":
    s = conn()
    print(reply(s))
elif mode == "fuzz":
    n, rnd = int(sys.argv[3]), random.Random(int(sys.argv[4]))
    counts = {"proto": 0, "none": 0, "other": 0}
    others = []
    for i in range(n):
        kind = i % 8
        s = conn()
        try:
            if kind == 0:    # random bytes, then a newline
                s.sendall(rnd.randbytes(rnd.randint(1, 200)) + b"\n")
            elif kind == 1:  # an over-long line
                s.sendall(b"KALKAN-OTP 1 VERIFY nobody local " +
                          b"1" * 400 + b"\n")
            elif kind == 2:  # connect and close at once
                s.close()
                continue
            elif kind == 3:  # half a request, then end of input
                s.sendall(b"KALKAN-OTP 1 VERIFY nob")
            elif kind == 4:  # a NUL inside the line
                s.sendall(b"KALKAN-OTP 1 ENROLLED nobody\x00\n")
            elif kind == 5:  # empty lines
                s.sendall(b"\n" * 50)
            elif kind == 6:  # one field too many
                s.sendall(b"KALKAN-OTP 1 VERIFY nobody local 12 34\n")
            else:            # 4 KiB of random bytes without a newline
                s.sendall(rnd.randbytes(4096))
            s.shutdown(socket.SHUT_WR)
        except OSError:  # the daemon may close first (over-long input)
            pass
        r = reply(s)
        s.close()
        if r == "ERROR proto":
            counts["proto"] += 1
        elif r == "":
            counts["none"] += 1
        else:
            counts["other"] += 1
            others.append(r)
    print("proto=%d none=%d other=%d %s" % (counts["proto"], counts["none"],
                                            counts["other"], others[:3]))
EOF
# activate.py SOCKET KALKAN ARGS...: binds and listens like systemd's
# socket unit, then execs the daemon with LISTEN_FDS=1 on descriptor 3.
cat >"$T/activate.py" <<'EOF'
import os, socket, sys

path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
os.chmod(path, 0o666)
s.listen(64)
os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.environ["LISTEN_PID"] = str(os.getpid())
os.environ["LISTEN_FDS"] = "1"
os.execv(sys.argv[2], sys.argv[2:])
EOF

req() { "$PY" "$T/client.py" line "$SOCK" "KALKAN-OTP 1 $1"; }
req_nobody() { "${AS_NOBODY[@]}" "$PY" "$T/client.py" line "$SOCK" "KALKAN-OTP 1 $1"; }
status_of() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"; }

# Landlock ABI of this kernel (0: none).
LL=$("$PY" -c '
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
v = libc.syscall(444, None, 0, 1)
print(v if v > 0 else 0)')
echo "     Landlock ABI of this kernel: $LL"

# Socket activation, with descriptor 7 inherited by mistake.
"$PY" "$T/activate.py" "$SOCK" "$KALKAN" otp daemon --store "$STORE" \
    --socket "$SOCK" 7<"$T/marker" 2>"$T/daemon.log" &
DAEMON=$!
at_exit "kill $DAEMON 2>/dev/null; wait $DAEMON 2>/dev/null"
for _ in $(seq 1 100); do
    grep -q "serving" "$T/daemon.log" 2>/dev/null && break
    sleep 0.1
done
sleep 0.2
check "the daemon started" kill -0 "$DAEMON"

# ---- what /proc shows ----
check "the daemon runs under a seccomp filter" test "$(status_of "$DAEMON" Seccomp)" = 2
check "the accept loop has one filter" test "$(status_of "$DAEMON" Seccomp_filters)" = 1
check "the daemon runs with no_new_privs" test "$(status_of "$DAEMON" NoNewPrivs)" = 1
for c in CapInh CapPrm CapEff CapAmb CapBnd; do
    check "the daemon has no capabilities ($c)" \
        test "$(status_of "$DAEMON" $c)" = 0000000000000000
done
check "the daemon cannot dump core (RLIMIT_CORE 0 0)" \
    grep -Eq '^Max core file size +0 +0 ' "/proc/$DAEMON/limits"
check "the daemon is still uid 0 (it owns the store)" \
    grep -Eq '^Uid:[[:space:]]+0[[:space:]]' "/proc/$DAEMON/status"
check_not "an inherited stray descriptor was closed" test -e "/proc/$DAEMON/fd/7"
check "the listening socket from the service manager is kept" \
    sh -c "readlink /proc/$DAEMON/fd/3 | grep -q '^socket:'"
extra=$(for f in /proc/"$DAEMON"/fd/*; do
    n=${f##*/}
    [ "$n" -gt 3 ] && ! readlink "$f" | grep -q '^socket:' && echo "$n"
done)
check "no descriptor beyond the socket and syslog (got: ${extra:-none})" test -z "$extra"

# ---- ordinary requests inside the sandbox ----
fresh_step
code=$(oathtool --totp -b "$SECRET")
r=$(req_nobody "VERIFY nobody local $code")
check "nobody's own valid code is accepted (got: $r)" test "$r" = "OK code"
r=$(req_nobody "VERIFY nobody local $code")
check "the same code is a replay (got: $r)" test "$r" = "DENIED replay"
r=$(req_nobody "VERIFY nobody local 000000")
check "a wrong code is refused and counted (got: $r)" test "$r" = "DENIED auth"
r=$(req_nobody "ENROLLED nobody")
check "nobody may ask whether nobody is enrolled (got: $r)" test "$r" = "YES"
r=$(req_nobody "VERIFY root local $code")
check "nobody may not ask about root (got: $r)" test "$r" = "ERROR perm"
r=$(req_nobody "VERIFY no-such-account local 123456")
check "a name missing from /etc/passwd is refused (got: $r)" test "$r" = "ERROR perm"
r=$(req_nobody "VERIFY nobody remote 123456 extra")
check "a malformed request gets ERROR proto (got: $r)" test "$r" = "ERROR proto"
r=$(req "VERIFY zz-unknown local 123456")
check "root asking about an unknown user gets UNENROLLED (got: $r)" test "$r" = "UNENROLLED"
r=$(req "ENROLLED root")
check "root may ask about root (got: $r)" test "$r" = "YES"

# ---- a worker: two filters, and a bounded wait for its request ----
# Earlier requests' workers must be gone, so the one found below is the
# held connection's; and it is read only once it has stacked its filter
# (it does so right after the fork, before reading its request).
for _ in $(seq 1 100); do
    [ -z "$(pgrep -P "$DAEMON")" ] && break
    sleep 0.1
done
start=$(date +%s)
"${AS_NOBODY[@]}" "$PY" "$T/client.py" hold "$SOCK" >"$T/hold.out" &
HOLD=$!
worker=""
for _ in $(seq 1 50); do
    worker=$(pgrep -P "$DAEMON" | head -1)
    [ -n "$worker" ] && break
    sleep 0.1
done
for _ in $(seq 1 50); do
    [ -z "$worker" ] && break
    [ "$(status_of "$worker" Seccomp_filters)" = 2 ] && break
    sleep 0.1
done
if [ -n "$worker" ]; then
    check "a worker stacks its own filter (2 filters)" \
        test "$(status_of "$worker" Seccomp_filters)" = 2
    check "a worker has no_new_privs" test "$(status_of "$worker" NoNewPrivs)" = 1
    check "a worker has no capabilities" \
        test "$(status_of "$worker" CapEff)" = 0000000000000000
else
    bad "no worker appeared for a held connection"
fi
wait "$HOLD"
elapsed=$(($(date +%s) - start))
held=$(cat "$T/hold.out")
check "a silent caller is cut off without an answer (got: '$held')" \
    test -z "$held" -o "$held" = "ERROR proto"
check "after the 5 s request timeout (took ${elapsed} s)" \
    test "$elapsed" -ge 4 -a "$elapsed" -le 15

# ---- Landlock: a state file outside the store is out of reach ----
mv "$STORE/users/llout" "$T/outside/llout"
ln -s "$T/outside/llout" "$STORE/users/llout"
check "without the sandbox the symlinked state is readable" \
    sh -c "'$KALKAN' otp status --store '$STORE' --user llout | grep -q ': enrolled'"
r=$(req "ENROLLED llout")
if [ "$LL" -ge 1 ]; then
    check "the sandboxed daemon cannot read it (got: $r)" test "$r" = "ERROR store"
    check "the log says the kernel refused" \
        grep -q '"llout".*Permission denied' "$T/daemon.log"
else
    # No Landlock in this kernel: the daemon must say so and keep serving.
    check "without Landlock the daemon says why (got: $r)" \
        grep -q 'Landlock is not in this kernel\|Landlock is disabled at boot' \
        "$T/daemon.log"
    check "without Landlock the daemon still answers (got: $r)" \
        test "$r" = "YES"
fi

# ---- 200 malformed requests ----
out=$("${AS_NOBODY[@]}" "$PY" "$T/client.py" fuzz "$SOCK" 200 20240917)
echo "     $out"
check "every malformed request that was read got ERROR proto" \
    test "${out/ other=0 /}" != "$out"
proto=$(echo "$out" | sed -n 's/^proto=\([0-9]*\) .*/\1/p')
check "at least 150 of 200 were answered (got: $proto)" test "${proto:-0}" -ge 150
sleep 0.5
check "the daemon survived them" kill -0 "$DAEMON"
next=$(oathtool --totp -b "$SECRET" -N "@$(($(date +%s) + 30))")
r=$(req "VERIFY root local $next")
check "and still accepts a valid code (got: $r)" test "$r" = "OK code"
check_not "no worker was killed by the sandbox or a signal" \
    grep -Eq 'killed by|exit status|stopped after' "$T/daemon.log"

# ---- a clean stop under the filter ----
kill -TERM "$DAEMON"
wait "$DAEMON"
st=$?
check "SIGTERM stops the daemon with status 0 (got $st)" test "$st" -eq 0

# ---- a descriptor 3 that is not a listening socket: exit 3, one line ----
bash -c 'export LISTEN_PID=$$ LISTEN_FDS=1; exec 3<"$1"; exec "$2" otp daemon --store "$3" --socket "$4"' \
    _ "$T/marker" "$KALKAN" "$STORE" "$T/run/bad.sock" 2>"$T/bad.log"
st=$?
check "a bad inherited descriptor is refused with exit 3 (got $st)" test "$st" -eq 3
check "with one clear line (got: $(tail -1 "$T/bad.log"))" \
    grep -q 'descriptor 3 is not a listening UNIX stream socket' "$T/bad.log"

# ---- a kernel without Landlock: logged once, the rest still on ----
# nolandlock.py KALKAN ARGS...: execs the daemon under a seccomp filter
# that answers landlock_create_ruleset with ENOSYS, as such a kernel does.
cat >"$T/nolandlock.py" <<'EOF'
import ctypes, os, struct, sys

prog = b"".join(struct.pack("HBBI", *i) for i in [
    (0x20, 0, 0, 4),                # A = arch
    (0x15, 0, 3, 0xc000003e),       # x86_64? else allow
    (0x20, 0, 0, 0),                # A = nr
    (0x15, 0, 1, 444),              # landlock_create_ruleset?
    (0x06, 0, 0, 0x00050000 | 38),  # ERRNO(ENOSYS)
    (0x06, 0, 0, 0x7fff0000),       # ALLOW
])
buf = ctypes.create_string_buffer(prog)
class Fprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
fp = Fprog(len(prog) // 8, ctypes.addressof(buf))
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(38, 1, 0, 0, 0) != 0 or \
        libc.prctl(22, 2, ctypes.byref(fp), 0, 0) != 0:
    sys.exit("cannot install the test filter")
os.execv(sys.argv[1], sys.argv[1:])
EOF
"$PY" "$T/nolandlock.py" "$KALKAN" otp daemon --store "$STORE" \
    --socket "$T/run/noll.sock" 2>"$T/noll.log" &
NOLL=$!
at_exit "kill $NOLL 2>/dev/null; wait $NOLL 2>/dev/null"
for _ in $(seq 1 100); do
    grep -q "serving" "$T/noll.log" 2>/dev/null && break
    sleep 0.1
done
sleep 0.2
check "without Landlock the daemon still starts" kill -0 "$NOLL"
check "and says so once, at info level" \
    test "$(grep -c 'Landlock is not in this kernel' "$T/noll.log")" -eq 1
check "its seccomp filter is still on" \
    test "$(status_of "$NOLL" Seccomp)" = 2
r=$("$PY" "$T/client.py" line "$T/run/noll.sock" "KALKAN-OTP 1 ENROLLED root")
check "and it answers (got: $r)" test "$r" = "YES"
r=$("$PY" "$T/client.py" line "$T/run/noll.sock" "KALKAN-OTP 1 ENROLLED llout")
check "a state file outside the store is then reachable (got: $r)" \
    test "$r" = "YES"
kill -TERM "$NOLL"
wait "$NOLL"
st=$?
check "and it stops cleanly (got $st)" test "$st" -eq 0

# ---- /etc/passwd replaced: the daemon exits for a restart ----
# In a private mount namespace, so the real /etc/passwd is never touched:
# a copy is bind-mounted over it, the daemon starts, another copy is
# mounted on top (a new inode, as useradd's rename makes).
if [ "$LL" -ge 1 ] && unshare --mount --propagation private true 2>/dev/null; then
    cp /etc/passwd "$T/passwd.a"
    cp /etc/passwd "$T/passwd.b"
    : >"$T/syslog.out"
    : >"$T/devnull"
    chmod 666 "$T/devnull"
    cat >"$T/ns.sh" <<'EOF'
mount --bind "$T/passwd.a" /etc/passwd || exit 90
# A private /dev with a syslog socket, to see the workers' syslog lines.
mount -t tmpfs -o mode=755 tmpfs /dev || exit 92
touch /dev/null && mount --bind "$T/devnull" /dev/null || exit 93
/usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
with open(sys.argv[1], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(4096) + b"\n")' "$T/syslog.out" &
logger_pid=$!
for _ in $(seq 1 50); do [ -S /dev/log ] && break; sleep 0.1; done
"$KALKAN" otp daemon --store "$STORE" --socket "$T/run/ns.sock" 2>"$T/ns.log" &
d=$!
for _ in $(seq 1 100); do grep -q serving "$T/ns.log" 2>/dev/null && break; sleep 0.1; done
sleep 0.2
echo "before: $(setpriv --reuid=nobody --regid=nogroup --clear-groups \
    /usr/bin/python3 "$T/client.py" line "$T/run/ns.sock" "KALKAN-OTP 1 ENROLLED nobody")"
mount --bind "$T/passwd.b" /etc/passwd || exit 91
echo "after: $(/usr/bin/python3 "$T/client.py" line "$T/run/ns.sock" "KALKAN-OTP 1 ENROLLED root" 2>&1 | tail -1)"
wait "$d"
echo "exit: $?"
kill "$logger_pid"
EOF
    env T="$T" STORE="$STORE" KALKAN="$KALKAN" \
        unshare --mount --propagation private bash "$T/ns.sh" >"$T/ns.out" 2>&1
    sed 's/^/     /' "$T/ns.out"
    check "lookups read the bind-mounted /etc/passwd" grep -q '^before: YES$' "$T/ns.out"
    check "a replaced /etc/passwd makes the daemon exit with status 0" \
        grep -q '^exit: 0$' "$T/ns.out"
    check "saying why" grep -q '/etc/passwd was replaced' "$T/ns.log"
    check "a worker's syslog line gets through its filter" \
        grep -q 'uid 65534: "nobody"' "$T/syslog.out"
else
    ok "passwd replacement check skipped (no Landlock or no mount namespace)"
fi
finish
