# SPDX-License-Identifier: GPL-3.0-or-later
# Shared helpers of the pam_*.sh integration tests (sourced, not run).
#
# Every test drives the real PAM stack: pamtester with a service file
# /etc/pam.d/kalkan-test-$$ that loads pam_kalkan.so by absolute path, or,
# for the unprivileged path, pam_wrapper with a private service directory.
# In the sanitizer build the module is ASan-instrumented while pamtester is
# not, so the ASan runtime is preloaded first.  Nothing here asserts on
# time; codes are made for explicit times with oathtool and, where the
# module must see that time, faketime.
set -u
: "${KALKAN:?}" "${PAM_KALKAN:?}"
KK_SANITIZE=${KK_SANITIZE:-OFF}

T=$(mktemp -d /tmp/kalkan-pam.XXXXXX)
chmod 755 "$T"
SVC=kalkan-test-$$
FAILS=0
CLEANUPS=()

cleanup() {
    local c
    for c in "${CLEANUPS[@]}"; do eval "$c" || true; done
    rm -f "/etc/pam.d/$SVC"
    rm -rf "$T"
}
trap cleanup EXIT

at_exit() { CLEANUPS=("$1" "${CLEANUPS[@]}"); }

ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; FAILS=$((FAILS + 1)); }
check() { # description command... : passes when the command succeeds
    local what=$1
    shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}
check_not() { # description command... : passes when the command fails
    local what=$1
    shift
    if "$@"; then bad "$what"; else ok "$what"; fi
}
finish() {
    if [ "$FAILS" -ne 0 ]; then
        # What a daemon started by the test said, to explain the failure.
        if [ -s "$T/daemon.log" ]; then
            sed 's/^/    daemon: /' "$T/daemon.log" | tail -n 40
        fi
        echo "$FAILS check(s) failed"
        exit 1
    fi
    echo "all checks passed"
    exit 0
}

PRELOAD_BASE=""
if [ "$KK_SANITIZE" = "ON" ]; then
    PRELOAD_BASE=$(clang -print-file-name=libclang_rt.asan-x86_64.so)
    # pamtester's own allocations are not ours to judge; the module's
    # memory errors still abort the process.
    export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:exitcode=99
    export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=99
fi
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
WRAPPER_LIB=libpam_wrapper.so

# service LINE... : writes /etc/pam.d/$SVC
service() {
    printf '%s\n' "$@" >"/etc/pam.d/$SVC"
}

# pam_env [FAKE_EPOCH] : sets PENV, the environment pamtester runs with.
# libfaketime must come before the ASan runtime (the other order deadlocks
# in libfaketime's initialisation), hence verify_asan_link_order=0.
pam_env() {
    local fake=${1:-}
    PENV=()
    if [ -n "$fake" ]; then
        PENV+=("FAKETIME=@$(TZ=UTC date -u -d "@$fake" '+%Y-%m-%d %H:%M:%S')"
            "FAKETIME_DONT_RESET=1" "TZ=UTC"
            "LD_PRELOAD=$FAKETIME_LIB${PRELOAD_BASE:+ $PRELOAD_BASE}")
        if [ -n "$PRELOAD_BASE" ]; then
            PENV+=("ASAN_OPTIONS=$ASAN_OPTIONS:verify_asan_link_order=0")
        fi
    elif [ -n "$PRELOAD_BASE" ]; then
        PENV+=("LD_PRELOAD=$PRELOAD_BASE")
    fi
}

# pt USER CODE [FAKE_EPOCH] : pamtester authenticate; prints its output to
# $T/pt.out and returns its exit status (0 accepted, 1 denied, 99 ASan).
pt() {
    local user=$1 code=$2
    pam_env "${3:-}"
    printf '%s\n' "$code" | env "${PENV[@]}" pamtester "$SVC" "$user" \
        authenticate >"$T/pt.out" 2>&1
}

# expect_pt WANT DESCRIPTION USER CODE [FAKE_EPOCH]
expect_pt() {
    local want=$1 what=$2
    shift 2
    pt "$@"
    local got=$?
    if [ "$got" -eq "$want" ]; then
        ok "$what"
    else
        bad "$what (pamtester exit $got, expected $want)"
        sed 's/^/    /' "$T/pt.out"
    fi
}

# Runs the kalkan binary with the test store.
kk() { "$KALKAN" otp "$@" --store "$STORE"; }

# enroll USER BASE32 [extra enroll options]: provisions an active credential
enroll() {
    local user=$1 secret=$2
    shift 2
    printf '%s\n' "$secret" >"$T/secret.$user"
    chmod 600 "$T/secret.$user"
    "$KALKAN" otp enroll --user "$user" --secret-file "$T/secret.$user" \
        --store "$STORE" "$@" >/dev/null || bad "enroll $user"
    rm -f "$T/secret.$user"
}

# A step boundary T so that T .. T+29 is one 30-second step.
step_start() { echo $(($1 - $1 % 30)); }

# Waits (at most 30 s) until the current 30-second step has >= 12 s left,
# so a code computed now stays valid while a test uses it.
fresh_step() {
    while [ $(( $(date +%s) % 30 )) -gt 17 ]; do sleep 1; done
}

STORE=$T/store
SECRET=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
