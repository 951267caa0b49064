#!/usr/bin/env bash
# The command-line contract of DESIGN.md: --help and --version exit 0,
# usage errors exit 2 with one line "kalkan: <command>: <what>" on stderr
# and nothing on stdout.
set -u
: "${KALKAN:?}"
fail=0
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

check() { # name expected-exit command...
    local name=$1 want=$2
    shift 2
    "$@" >"$t/out" 2>"$t/err" </dev/null
    local got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAIL $name: exit $got, expected $want"
        sed 's/^/  stderr: /' "$t/err"
        fail=1
        return 1
    fi
    echo "ok   $name"
}

one_error_line() { # name prefix
    local n
    n=$(wc -l <"$t/err")
    if [ "$n" -ne 1 ] || ! grep -qE "^$2" "$t/err" || [ -s "$t/out" ]; then
        echo "FAIL $1: expected one stderr line starting '$2' and no stdout"
        sed 's/^/  stderr: /' "$t/err"
        fail=1
    fi
}

check help 0 "$KALKAN" --help && grep -q '^Usage: kalkan' "$t/out" ||
    { echo "FAIL help text"; fail=1; }
check help-short 0 "$KALKAN" -h
check version 0 "$KALKAN" --version &&
    grep -qE '^kalkan [0-9]+\.[0-9]+\.[0-9]+$' "$t/out" ||
    { echo "FAIL version text"; fail=1; }
check no-args 2 "$KALKAN"
check unknown-command 2 "$KALKAN" frobnicate
one_error_line unknown-command "kalkan: unknown command 'frobnicate'"
check otp-help 0 "$KALKAN" otp --help && grep -q '^Usage: kalkan otp' "$t/out" ||
    { echo "FAIL otp help text"; fail=1; }
check otp-unknown 2 "$KALKAN" otp frobnicate
one_error_line otp-unknown "kalkan: otp: "

exit $fail
