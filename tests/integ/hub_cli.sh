#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# hub_cli.sh - the hub's commands against the contract of DESIGN.md:
# `kalkan serve|user|token|backup` --help exit 0; usage and input errors
# exit 2 with one line "kalkan: <command>: ..." on stderr and nothing on
# stdout; `user add` refuses short passwords, unknown roles, a focal point
# without an outlet and an e-mail that already has a login; no password
# travels in argv or is stored in clear; `token create` prints a token that
# the API accepts as a bearer token (and a wrong one gets 401); `backup`
# writes a consistent copy (PRAGMA integrity_check through Python's
# sqlite3) holding the logins, and never overwrites; the key file is
# created 0600 and a group-readable one is refused; SIGTERM stops `serve`
# with exit 0.
set -euo pipefail
. "$(dirname "$0")/../data/hub/lib.sh"

# run CMD... : runs kalkan with stdin from $T/stdin; sets RC, and the
# output is in $T/out and $T/err.
: >"$T/stdin"
# A command that should fail at once but starts a server instead is
# stopped after a minute and counts as a failure (exit 124 or 137).
run() {
    RC=0
    timeout -s KILL 60 "$KALKAN" "$@" <"$T/stdin" >"$T/out" 2>"$T/err" ||
        RC=$?
}

# usage_err DESCRIPTION CMD ARGS... : exit 2, one stderr line
# "kalkan: CMD: ...", nothing on stdout.
usage_err() {
    local what=$1 cmd=$2
    shift 2
    run "$@"
    local lines
    lines=$(wc -l <"$T/err")
    if [ "$RC" = 2 ] && [ "$lines" = 1 ] && [ ! -s "$T/out" ] &&
        grep -q "^kalkan: $cmd: ." "$T/err"; then
        ok "$what"
    else
        bad "$what: exit $RC (want 2), $lines stderr line(s) (want 1 \"kalkan: $cmd: ...\"), stdout $(wc -c <"$T/out") bytes"
        head -n 5 "$T/err" | sed 's/^/    stderr: /'
    fi
}

# --- help ---
for c in serve user token backup; do
    run "$c" --help
    if [ "$RC" = 0 ] && grep -q "^Usage: kalkan $c" "$T/out"; then
        ok "$c --help exits 0 with its usage on stdout"
    else
        bad "$c --help: exit $RC"
    fi
done
run user add --help
expect "user add --help exits 0" 0 "$RC"
run token create --help
expect "token create --help exits 0" 0 "$RC"
check_not "no command offers a password option" \
    grep -qi -- '--pass' <("$KALKAN" user --help; "$KALKAN" serve --help;
        "$KALKAN" token --help; "$KALKAN" backup --help)

# --- usage errors ---
usage_err "serve: unknown option" serve serve --bogus
usage_err "serve: stray argument" serve serve extra
usage_err "serve: --threads 0" serve serve --threads 0
usage_err "serve: a listen address that is not one" serve \
    serve --db "$T/x.db" --listen nowhere
usage_err "user: no subcommand" user user
usage_err "user: unknown subcommand" user user frobnicate
usage_err "user add: unknown option" user user add --bogus
usage_err "user add: no --db" user user add --email a@example.org --role donor
usage_err "user add: a password in argv is refused" user \
    user add --db "$T/x.db" --email a@example.org --role donor \
    --password hunter2hunter2
check_not "the refused password is not echoed" grep -q hunter2 "$T/err"
usage_err "token: no subcommand" token token
usage_err "token: unknown subcommand" token token frobnicate
usage_err "token create: --device is not a number" token \
    token create --db "$T/x.db" --user a@example.org --device abc
usage_err "token create: no --user" token token create --db "$T/x.db"
usage_err "backup: no OUT" backup backup --db "$T/x.db"
usage_err "backup: unknown option" backup backup --bogus
check "usage errors created no database" test ! -e "$T/x.db"

# --- a database, its key file, the first logins ---
hub_start
check "the database exists" test -s "$HUB_DB"
check "the key file exists" test -f "$HUB_DB.key"
expect "the key file is mode 0600" 600 "$(stat -c %a "$HUB_DB.key")"
expect "the key file holds 32 bytes" 32 "$(stat -c %s "$HUB_DB.key")"

add() { # EMAIL ROLE [--outlet S] with the password line $1 of stdin
    local pw=$1
    shift
    printf '%s\n' "$pw" >"$T/stdin"
    run user add --db "$HUB_DB" "$@"
}
add "$HUB_PW" --email trainer@example.org --role trainer
expect "user add trainer exits 0" 0 "$RC"
grep -q . "$T/out" && ok "user add says what it did" || bad "user add printed nothing"

add short1 --email short@example.org --role trainer
usage_err_last() { # DESCRIPTION CMD PATTERN : checks the last run
    local lines
    lines=$(wc -l <"$T/err")
    if [ "$RC" = 2 ] && [ "$lines" = 1 ] && [ ! -s "$T/out" ] &&
        grep -q "^kalkan: $2: " "$T/err" && grep -qi -- "$3" "$T/err"; then
        ok "$1"
    else
        bad "$1: exit $RC, $lines line(s)"
        head -n 5 "$T/err" | sed 's/^/    stderr: /'
    fi
}
usage_err_last "user add: a short password exits 2 and says why" user password
check_not "the short password is not echoed" grep -q short1 "$T/err"
add "$HUB_PW" --email x@example.org --role overlord
usage_err_last "user add: an unknown role exits 2 and names it" user overlord
add "$HUB_PW" --email focal@example.org --role focal
usage_err_last "user add: a focal point without --outlet exits 2" user outlet
add "$HUB_PW" --email staff@example.org --role staff --outlet no-such-outlet
usage_err_last "user add: an outlet that does not exist exits 2" user \
    no-such-outlet
add "$HUB_PW" --email t2@example.org --role trainer --outlet x
usage_err_last "user add: a trainer with --outlet exits 2" user outlet
add "$HUB_PW" --email trainer@example.org --role donor
usage_err_last "user add: an e-mail that has a login exits 2" user already
add "$HUB_PW" --email TRAINER@Example.ORG --role donor
usage_err_last "user add: e-mails compare without case" user already
add "$HUB_PW" --email not-an-address --role donor
usage_err_last "user add: not an e-mail address exits 2" user e-mail
: >"$T/stdin"
run user add --db "$HUB_DB" --email empty@example.org --role donor
usage_err_last "user add: no password on stdin exits 2" user password
echo "not base32 !!" >"$T/bad.totp"
add "$HUB_PW" --email badtotp@example.org --role donor \
    --totp-secret-file "$T/bad.totp"
expect "user add: a TOTP file that holds no secret exits 2" 2 "$RC"
expect "the refused logins were not created" 1 \
    "$(py_sqlite "$HUB_DB" "SELECT count(*) FROM users")"

# The password is stored as an Argon2id hash, the TOTP secret sealed.
hub_user donor@example.org donor
row=$(py_sqlite "$HUB_DB" "SELECT pw_hash, hex(totp_sealed) FROM users
    WHERE email = 'donor@example.org'")
case $row in
'$argon2id$'*) ok "the password is stored as an Argon2id hash" ;;
*) bad "the stored password is not an Argon2id hash: ${row%%	*}" ;;
esac
check_not "the password is not stored in clear" \
    grep -qF "$HUB_PW" <(py_sqlite "$HUB_DB" "SELECT * FROM users")
secret_hex=$(base32 -d <"$T/totp/donor@example.org" | xxd -p | tr -d '\n' |
    tr a-f A-F)
check_not "the TOTP secret is not stored in clear" \
    grep -q "$secret_hex" <<<"$row"
hub_login donor@example.org && ok "a login made by user add can sign in" ||
    bad "the donor cannot sign in"

# --- tokens ---
printf '' >"$T/stdin"
run token create --db "$HUB_DB" --user trainer@example.org
tok=$(cat "$T/out")
expect "token create exits 0" 0 "$RC"
case $tok in
kk_?*) ok "token create prints one token" ;;
*) bad "token create printed '$tok'" ;;
esac
check_not "the token is not stored in clear" \
    grep -qF "${tok#kk_}" <(py_sqlite "$HUB_DB" "SELECT hex(hash), * FROM tokens")
req "bearer:$tok" GET /api/v1/outlets
expect "the token opens GET /api/v1/outlets" 200 "$STATUS"
check "GET /api/v1/outlets answers {\"outlets\": [...]}" \
    jq -e '.outlets | type == "array"' "$T/r.body"
req "bearer:${tok%?}x" GET /api/v1/outlets
expect "a wrong token gets 401" 401 "$STATUS"
check "the 401 is a JSON error" jq -e '.error.code' "$T/r.body"
req "bearer:" GET /api/v1/outlets
expect "an empty token gets 401" 401 "$STATUS"
req anon GET /api/v1/outlets
expect "no credentials get 401" 401 "$STATUS"
run token create --db "$HUB_DB" --user nobody@example.org
usage_err_last "token create for an unknown login exits 2" token login
run token create --db "$HUB_DB" --user trainer@example.org --device 12345
usage_err_last "token create for an unknown device exits 2" token device

# --- backup of the live database ---
run backup --db "$HUB_DB" "$T/backup.db"
expect "backup exits 0 while the hub runs" 0 "$RC"
expect "the copy is mode 0600" 600 "$(stat -c %a "$T/backup.db")"
expect "the copy passes PRAGMA integrity_check" ok \
    "$(py_sqlite "$T/backup.db" "PRAGMA integrity_check")"
expect "the copy holds the logins" \
    "donor@example.org trainer@example.org" \
    "$(py_sqlite "$T/backup.db" "SELECT email FROM users ORDER BY email" |
        tr '\n' ' ' | sed 's/ $//')"
before=$(sha "$T/backup.db")
run backup --db "$HUB_DB" "$T/backup.db"
usage_err_last "backup to an existing file exits 2" backup exist
expect "the existing file is untouched" "$before" "$(sha "$T/backup.db")"
run backup --db "$T/absent.db" "$T/backup2.db"
usage_err_last "backup of a database that does not exist exits 2" backup \
    absent
check "it created nothing" test ! -e "$T/absent.db" -a ! -e "$T/backup2.db"
run backup --db "$HUB_DB" "$T/no/such/dir/out.db"
check "backup into a missing directory fails" test "$RC" -ne 0

# --- SIGTERM ---
rc=0
hub_stop || rc=$?
expect "SIGTERM stops serve with exit 0" 0 "$rc"
check "serve said it was stopping" grep -q "stopping" "$HUB_LOG"
expect "the database passes PRAGMA integrity_check after the stop" ok \
    "$(py_sqlite "$HUB_DB" "PRAGMA integrity_check")"

# --- the key file must be private ---
chmod 0640 "$HUB_DB.key"
printf '%s\n' "$HUB_PW" >"$T/stdin"
run user add --db "$HUB_DB" --email late@example.org --role donor
if [ "$RC" -ne 0 ] && [ "$(wc -l <"$T/err")" = 1 ] &&
    grep -q "key" "$T/err"; then
    ok "a group-readable key file is refused (exit $RC): $(cat "$T/err")"
else
    bad "a group-readable key file was accepted: exit $RC"
fi
run serve --db "$HUB_DB" --listen 127.0.0.1:0
if [ "$RC" -ne 0 ] && grep -q "key" "$T/err"; then
    ok "serve refuses the group-readable key file (exit $RC)"
else
    bad "serve accepted a group-readable key file: exit $RC"
fi
chmod 0604 "$HUB_DB.key"
run serve --db "$HUB_DB" --listen 127.0.0.1:0
check "serve refuses a world-readable key file" test "$RC" -ne 0
chmod 0600 "$HUB_DB.key"

finish
