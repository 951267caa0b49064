#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# hub_register.sh - the register over HTTP, against a real `kalkan serve`
# on loopback: outlets, people, devices, accounts (admins, 2FA), licences
# and websites created, edited, archived and listed through the JSON API
# and through the HTML forms (with the session's CSRF token scraped from
# the page); CSV export and import round trips, all-or-none imports; what
# staff, donors and another outlet's focal point may and may not reach;
# licence keys never stored whole; form posts without a token refused.
#
# Every user logs in once (a TOTP code is accepted once per 30 s step per
# user), so each keeps its cookie jar for the whole run.
set -u

: "${KALKAN:?KALKAN must name the kalkan binary}"

T=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    rm -rf "$T"
}
trap cleanup EXIT

failures=0
PW='a long password for tests'
FULLKEY='W269N-WFGWX-YVC9B-4J6C9-T83GX'
echo GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ >"$T/secret"

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# check DESC WANT GOT
check() {
    [ "$3" = "$2" ] || fail "$1: got '$3', want '$2'"
}

# contains DESC NEEDLE: the last body holds NEEDLE.
contains() {
    case $body in
    *"$2"*) ;;
    *) fail "$1: body lacks '$2': $(printf '%s' "$body" | head -c 300)" ;;
    esac
}

lacks() {
    case $body in
    *"$2"*) fail "$1: body has '$2'" ;;
    esac
}

# req JAR METHOD PATH [CURL ARGS...]: sets status and body.
req() {
    local jar=$1 method=$2 path=$3
    shift 3
    status=$(curl -s -o "$T/body" -w '%{http_code}' -X "$method" \
        -b "$T/$jar" -c "$T/$jar" "$@" "$BASE$path")
    body=$(cat "$T/body")
}

# api JAR METHOD PATH [JSON]: an API call with the session's CSRF header.
api() {
    local jar=$1 method=$2 path=$3 data=${4-}
    local args=(-H "X-CSRF-Token: $(cat "$T/$jar.csrf" 2>/dev/null)")
    if [ -n "$data" ]; then
        args+=(-H 'Content-Type: application/json' --data-binary "$data")
    fi
    req "$jar" "$method" "/api/v1$path" "${args[@]}"
}

# form JAR PATH NAME=VALUE...: a form post as a browser sends it.
form() {
    local jar=$1 path=$2 kv
    shift 2
    local args=(-H 'Content-Type: application/x-www-form-urlencoded')
    for kv in "$@"; do
        args+=(--data-urlencode "$kv")
    done
    req "$jar" POST "$path" "${args[@]}"
}

# csrf_of JAR PATH: sets tok to the CSRF token in the page's hidden input
# (and body to the page).
csrf_of() {
    req "$1" GET "$2"
    tok=$(printf '%s' "$body" | grep -o 'name="csrf" value="[^"]*"' |
        head -n 1 | sed 's/.*value="//; s/"$//')
    [ -n "$tok" ] || fail "no CSRF token on $2"
}

# j EXPR: a value of the last JSON body ("people.0.id", "len:people").
j() {
    python3 - "$body" "$1" <<'EOF'
import json, sys
d = json.loads(sys.argv[1])
path = sys.argv[2]
count = path.startswith("len:")
for k in (path[4:] if count else path).split("."):
    if k:
        d = d[int(k)] if isinstance(d, list) else d[k]
if count:
    d = len(d)
print("null" if d is None else str(d).lower() if isinstance(d, bool) else d)
EOF
}

# sql QUERY: rows of the database, fields joined by '|'.
sql() {
    python3 - "$T/db" "$1" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=10)
for row in c.execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))
c.commit()
EOF
}

adduser() { # EMAIL ROLE [SLUG]
    printf '%s\n' "$PW" | "$KALKAN" user add --db "$T/db" --email "$1" \
        --role "$2" ${3:+--outlet "$3"} --totp-secret-file "$T/secret" \
        >/dev/null || fail "user add $1"
}

login() { # EMAIL JAR
    local otp
    otp=$("$KALKAN" otp code --secret-file "$T/secret")
    req "$2" POST /api/v1/login -H 'Content-Type: application/json' \
        --data-binary "{\"email\":\"$1\",\"password\":\"$PW\",\"totp\":\"$otp\"}"
    check "login $1" 200 "$status"
    j csrf >"$T/$2.csrf"
}

# --- the server ---

adduser tr@example.org trainer
# No website checks on a schedule: azattyk.kg below must not be looked up.
"$KALKAN" serve --db "$T/db" --listen 127.0.0.1:0 --site-interval 0 \
    >"$T/log" 2>&1 &
pid=$!
port=
for _ in $(seq 100); do
    port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$T/log")
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || {
    cat "$T/log" >&2
    echo "FAIL: the hub did not start" >&2
    exit 1
}
BASE=http://127.0.0.1:$port

login tr@example.org tr

# --- outlets ---

api tr POST /outlets '{"name":"Radio Azattyk","slug":"azattyk","media":"radio","region":"Osh","staff_count":12}'
check "outlet create (API)" 201 "$status"
A=$(j id)
check "outlet name" "Radio Azattyk" "$(j name)"
check "outlet people" 0 "$(j people)"
api tr POST /outlets '{"name":"Again","slug":"azattyk","media":"web"}'
check "duplicate slug" 400 "$status"
contains "duplicate slug names the field" '"message":"slug: Already used'

csrf_of tr /outlets
form tr /outlets csrf="$tok" name="Bishkek Today" slug=bishkek-today \
    media=web region=Chuy staff_count=8
check "outlet create (form)" 303 "$status"
form tr /outlets name="No token" slug=no-token media=web
check "form without CSRF token" 403 "$status"
form tr /outlets csrf="$tok" name="Bad" slug="Not A Slug" media=web
check "bad slug (form)" 400 "$status"
contains "bad slug named on the form" 'Short name (for URLs)'
contains "bad slug input marked" 'aria-invalid="true"'

api tr GET /outlets
check "outlets list" 200 "$status"
check "two outlets" 2 "$(j len:outlets)"
B=$(sql "SELECT id FROM outlets WHERE slug = 'bishkek-today'")
api tr POST "/outlets/$A" '{"region":"Naryn"}'
check "outlet partial update" 200 "$status"
check "region changed" Naryn "$(j region)"
check "name kept" "Radio Azattyk" "$(j name)"
req tr GET "/outlets/$A/edit"
check "outlet edit page" 200 "$status"
contains "outlet edit form" "action=\"/outlets/$A/edit\""

# --- logins of the outlets' users ---

adduser focal@azattyk.kg focal azattyk
adduser staff@azattyk.kg staff azattyk
adduser focal@today.kg focal bishkek-today
adduser donor@example.org donor
login focal@azattyk.kg fa
login staff@azattyk.kg sa
login focal@today.kg fb
login donor@example.org dn

# --- people ---

api fa POST "/outlets/$A/people" '{"name":"Aida","department":"editorial","email":"aida@azattyk.kg","public_facing":true,"bogus":"ignored"}'
check "person create (API)" 201 "$status"
AIDA=$(j id)
check "person outlet" "$A" "$(j outlet_id)"
check "public_facing" true "$(j public_facing)"
api fa POST "/outlets/$A/people" '{"name":"Bek","department":"finance"}'
BEK=$(j id)
api fa POST "/outlets/$A/people" '{"name":"Nobody","department":"cooking"}'
check "bad department (API)" 400 "$status"
contains "bad department error" '{"error":{"code":"invalid","message":"department: Not valid.'
api fb POST "/outlets/$B/people" '{"name":"SECRETB person","department":"tech"}'
check "person in B" 201 "$status"
SECRET=$(j id)

csrf_of fa "/outlets/$A/people"
contains "people page has a labelled name input" '<label for="new-name">'
form fa "/outlets/$A/people" csrf="$tok" name=Chyngyz department=admin \
    job_title=Accountant
check "person create (form)" 303 "$status"
CHYNGYZ=$(sql "SELECT id FROM people WHERE name = 'Chyngyz'")
form fa "/outlets/$A/people" csrf="$tok" name=Dinara
check "missing department (form)" 400 "$status"
contains "missing field named" 'Department: Required.'
contains "typed value kept" 'value="Dinara"'

api fa POST "/outlets/$A/people/$AIDA" '{"job_title":"Editor"}'
check "person partial update" 200 "$status"
check "job title" Editor "$(j job_title)"
check "department kept" editorial "$(j department)"
form fa "/outlets/$A/people/$CHYNGYZ" csrf="$tok" name="Chyngyz A." \
    department=finance
check "person edit (form)" 303 "$status"
api fa GET "/outlets/$A/people/$CHYNGYZ"
check "edited name" "Chyngyz A." "$(j name)"
check "edited department" finance "$(j department)"
form fa "/outlets/$A/people/$CHYNGYZ/archive" csrf="$tok"
check "person archive (form)" 303 "$status"
api fa GET "/outlets/$A/people"
check "archived person left the list" 2 "$(j len:people)"
api fa GET "/outlets/$A/people?archived=1"
check "archived person on request" 3 "$(j len:people)"
api fa GET "/outlets/$A/people/$CHYNGYZ"
[ "$(j archived_at)" != null ] || fail "archived_at not set"
api fa POST "/outlets/$A/people/$CHYNGYZ" '{"name":"Zombie"}'
check "archived person is read-only" 404 "$status"
check "nothing deleted" 1 "$(sql "SELECT count(*) FROM people WHERE id = $CHYNGYZ")"

# The staff login is Aida.
sql "UPDATE users SET person_id = $AIDA WHERE email = 'staff@azattyk.kg'" >/dev/null

# --- devices ---

api fa POST "/outlets/$A/devices" "{\"kind\":\"laptop\",\"os\":\"Windows\",\"os_version\":\"10\",\"asset_tag\":\"AZ-001\",\"custodian\":$AIDA}"
check "device create (API)" 201 "$status"
DEV=$(j id)
check "ownership default" office "$(j ownership)"
api fa POST "/outlets/$A/devices" "{\"kind\":\"phone\",\"custodian\":$SECRET}"
check "custodian of another outlet" 400 "$status"
contains "custodian named" 'custodian: Not a person of this outlet.'
form fa "/outlets/$A/devices" csrf="$tok" kind=desktop os=Ubuntu \
    os_version=22.04 asset_tag=AZ-002 custodian="$BEK"
check "device create (form)" 303 "$status"
DEV2=$(sql "SELECT id FROM devices WHERE asset_tag = 'AZ-002'")

# --- accounts and their 2FA ---

api fa POST "/outlets/$A/accounts" "{\"platform\":\"email\",\"handle\":\"aida@azattyk.kg\",\"owner\":$AIDA,\"tfa\":\"sms\"}"
check "account create (API)" 201 "$status"
MAIL=$(j id)
check "kind from platform" personal "$(j kind)"
check "2FA recorded" sms "$(j tfa)"
api fa POST "/outlets/$A/accounts" "{\"platform\":\"fb_page\",\"handle\":\"fb.com/azattyk\",\"admins\":[$AIDA,$BEK]}"
check "org account" 201 "$status"
PAGE=$(j id)
check "org kind" org "$(j kind)"
check "two admins" 2 "$(j len:admins)"
api fa POST "/outlets/$A/accounts" '{"platform":"instagram","handle":"@az"}'
check "personal account without owner" 400 "$status"
contains "owner named" 'owner: Required for a personal account.'
api fa POST "/outlets/$A/accounts" "{\"platform\":\"fb_page\",\"handle\":\"x\",\"admins\":[$SECRET]}"
check "admin of another outlet" 400 "$status"
api fa POST "/outlets/$A/accounts/$PAGE" "{\"admins\":[$BEK]}"
check "admins changed" "$BEK" "$(j admins.0)"
check "one admin left" 1 "$(j len:admins)"

req fa GET "/outlets/$A/accounts"
contains "quick 2FA form" "action=\"/outlets/$A/accounts/$MAIL/tfa\""
form fa "/outlets/$A/accounts/$MAIL/tfa" csrf="$tok" tfa=app
check "2FA quick change" 303 "$status"
api fa GET "/outlets/$A/accounts/$MAIL"
check "2FA now app" app "$(j tfa)"
check "2FA history kept" "partial|sms
pass|app" "$(sql "SELECT status, value FROM observations WHERE subject_type = 'account' AND subject_id = $MAIL ORDER BY seq")"
check "observation control" ACC-01 "$(sql "SELECT DISTINCT control_id FROM observations WHERE subject_id = $MAIL")"
form fa "/outlets/$A/accounts/$MAIL/tfa" tfa=none
check "2FA change without token" 403 "$status"

# --- staff: their own records only ---

api sa GET "/outlets/$A/people"
check "staff see one person" 1 "$(j len:people)"
check "staff see themselves" "$AIDA" "$(j people.0.id)"
api sa GET "/outlets/$A/people/$BEK"
check "staff cannot read a colleague" 404 "$status"
api sa POST "/outlets/$A/people" '{"name":"Eve","department":"tech"}'
check "staff cannot add people" 404 "$status"
api sa POST "/outlets/$A/devices/$DEV" "{\"os_version\":\"11\",\"custodian\":$BEK}"
check "staff edit own device" 200 "$status"
check "staff changed the version" 11 "$(j os_version)"
check "staff cannot hand the device over" "$AIDA" "$(j custodian)"
api sa GET "/outlets/$A/devices/$DEV2"
check "staff cannot read others' devices" 404 "$status"
ftok=$tok
csrf_of sa "/outlets/$A/devices/$DEV"
contains "staff device form" 'name="os_version"'
lacks "staff form has no custodian input" 'name="custodian"'
form sa "/outlets/$A/devices/$DEV" csrf="$tok" kind=laptop os=Windows \
    os_version=11 asset_tag=AZ-001b
check "staff edit own device (form)" 303 "$status"
tok=$ftok
api sa POST "/outlets/$A/accounts/$MAIL/tfa" '{"tfa":"key"}'
check "staff switch own 2FA" 200 "$status"
check "staff 2FA" key "$(j tfa)"
api sa POST "/outlets/$A/accounts/$PAGE/tfa" '{"tfa":"none"}'
check "staff cannot touch an org page" 404 "$status"
api sa GET "/outlets/$A/websites"
check "staff do not list websites" 404 "$status"

# --- licences: keys only masked ---

api fa POST "/outlets/$A/licences" "{\"product\":\"Windows 10 Pro\",\"type\":\"oem\",\"key\":\"$FULLKEY\",\"device\":$DEV,\"expires\":\"2027-01-31\"}"
check "licence create" 201 "$status"
LIC=$(j id)
check "key masked" '•••••-T83GX' "$(j key)"
api fa POST "/outlets/$A/licences/$LIC" '{"seats":3}'
check "key kept on update" '•••••-T83GX' "$(j key)"
check "seats" 3 "$(j seats)"
req fa GET "/outlets/$A/licences/$LIC"
contains "the masked key is shown" '•••••-T83GX'
lacks "the key input stays empty" 'value="•'
api fa POST "/outlets/$A/licences" "{\"product\":\"Office\",\"type\":\"retail\",\"device\":$SECRET}"
check "device of another outlet" 400 "$status"
sql "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
if grep -a -q "W269N-WFGWX" "$T/db" "$T/db-wal" 2>/dev/null; then
    fail "the full licence key is in the database"
fi
api sa GET "/outlets/$A/licences"
check "staff see their device's licence" 1 "$(j len:licences)"

# --- websites ---

api fa POST "/outlets/$A/websites" '{"url":"https://azattyk.kg","cms":"WordPress 6.4","domain_expiry":"2026-09-01"}'
check "website create" 201 "$status"
SITE=$(j id)
api fa POST "/outlets/$A/websites" '{"url":"javascript:alert(1)"}'
check "website bad url" 400 "$status"
form fa "/outlets/$A/websites/$SITE" csrf="$tok" url=https://azattyk.kg \
    cms="WordPress 6.5" domain_expiry=not-a-date
check "bad date (form)" 400 "$status"
contains "date named" 'Domain expires: Not valid.'
contains "typed values kept after a type error" 'value="WordPress 6.5"'

# --- CSV round trips ---

# roundtrip ENTITY: export, import the export back (API), count doubles.
roundtrip() {
    local ent=$1 before after
    api fa GET "/outlets/$A/$ent"
    before=$(j len:"$ent")
    req fa GET "/api/v1/outlets/$A/$ent.csv"
    check "$ent export" 200 "$status"
    cp "$T/body" "$T/$ent.csv"
    case $(head -n 1 "$T/$ent.csv") in
    id,*) ;;
    *) fail "$ent export has no header row" ;;
    esac
    req fa POST "/api/v1/outlets/$A/$ent/import" \
        -H "X-CSRF-Token: $(cat "$T/fa.csrf")" -H 'Content-Type: text/csv' \
        --data-binary "@$T/$ent.csv"
    check "$ent import" 200 "$status"
    [ "$status" = 200 ] || echo "$body" >&2
    check "$ent rows imported" "$before" "$(j imported)"
    api fa GET "/outlets/$A/$ent"
    after=$(j len:"$ent")
    check "$ent doubled" $((before * 2)) "$after"
}
for ent in people devices accounts licences websites; do
    roundtrip "$ent"
done
check "imported admins resolved by name" 2 "$(sql "SELECT count(*) FROM account_admins aa JOIN accounts a ON a.id = aa.account_id WHERE a.platform = 'fb_page' AND aa.person_id = $BEK")"
check "imported keys still masked" 0 "$(sql "SELECT count(*) FROM licences WHERE key_masked NOT LIKE '•••••-%'")"

api fa GET "/outlets/$A/people"
n_people=$(j len:people)
form fa "/outlets/$A/people/import" csrf="$tok" csv="name,department,email
Elmira,editorial,elmira@azattyk.kg
Farida,astrology,
Gulnara,tech,"
check "bad import (form)" 400 "$status"
contains "bad row named" 'Line 3: department: Not valid.'
contains "pasted CSV kept" 'Gulnara,tech'
api fa GET "/outlets/$A/people"
check "no row of a bad import" "$n_people" "$(j len:people)"
form fa "/outlets/$A/people/import" csrf="$tok" csv="name,department,email
Elmira,editorial,elmira@azattyk.kg
'=Farida,finance,"
check "import (form)" 303 "$status"
api fa GET "/outlets/$A/people"
check "two rows imported" $((n_people + 2)) "$(j len:people)"
form fa "/outlets/$A/devices/import" csrf="$tok" csv="kind,custodian
phone,SECRETB person"
check "import with another outlet's person" 400 "$status"
contains "reference named" 'custodian: Not exactly one person of this outlet.'
form fa "/outlets/$A/people/import" csrf="$tok" csv="department
tech"
check "import without a required column" 400 "$status"
contains "missing column named" 'name: The column is missing.'
req fa GET "/outlets/$A/people.csv"
contains "formula neutralised on export" "'=Farida"

# --- the pages ---

for ent in people devices accounts licences websites; do
    req fa GET "/outlets/$A/$ent"
    check "$ent page" 200 "$status"
    contains "$ent page table" '<table>'
    contains "$ent page CSV form" "action=\"/outlets/$A/$ent/import\""
done
req fa GET "/outlets/$A/accounts/$PAGE"
check "account page" 200 "$status"
contains "admins select" 'name="admins"'
req tr GET /outlets
contains "outlet list" 'Radio Azattyk'

# --- another outlet, a donor ---

api fb GET "/outlets/$A/people"
s_other=$status b_other=$body
api fb GET "/outlets/999999999999/people"
check "another outlet's list" "$status" "$s_other"
check "same body as a missing outlet" "$body" "$b_other"
api fb GET "/outlets/$B/people/$AIDA"
check "A's person through B's path" 404 "$status"
api fb POST "/outlets/$A/people/$AIDA" '{"name":"Hacked"}'
check "update across outlets" 404 "$status"
check "A's person unchanged" Aida "$(sql "SELECT name FROM people WHERE id = $AIDA")"
api fb POST "/outlets/$A/accounts/$MAIL/tfa" '{"tfa":"none"}'
check "2FA across outlets" 404 "$status"
api fb GET "/outlets/$A/people.csv"
check "export across outlets" 404 "$status"
api fb GET /outlets
check "B sees one outlet" 1 "$(j len:outlets)"
api dn GET "/outlets/$A/people"
check "donor and the register" 404 "$status"
req dn GET /outlets
check "donor and the outlet list" 403 "$status"

# Archiving an outlet: out of the lists, read-only, nothing deleted.
csrf_of tr "/outlets/$B/edit"
form tr "/outlets/$B/archive" csrf="$tok"
check "outlet archive (form)" 303 "$status"
api tr GET /outlets
check "archived outlet left the list" 1 "$(j len:outlets)"
api tr GET "/outlets?archived=1"
check "archived outlet on request" 2 "$(j len:outlets)"
api fb POST "/outlets/$B/people" '{"name":"Late","department":"tech"}'
check "no new people in an archived outlet" 404 "$status"
req fb GET "/outlets/$B/people"
check "an archived outlet's register is readable" 200 "$status"
contains "archived outlet noted" 'This outlet is archived.'
lacks "no add form in an archived outlet" "action=\"/outlets/$B/people\""
api fa POST "/outlets/$A/archive"
check "only trainers archive outlets" 404 "$status"

check "changes audited" 1 "$(sql "SELECT count(*) > 10 FROM audit WHERE action IN ('create', 'update', 'archive', 'tfa', 'import')")"

# A clean stop, and nothing from the sanitizers in the server's log.
kill -TERM "$pid"
wait "$pid"
check "the hub stops cleanly" 0 "$?"
pid=
if grep -E -q 'Sanitizer|runtime error' "$T/log"; then
    fail "the server's log has sanitizer reports"
    cat "$T/log" >&2
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)" >&2
    exit 1
fi
echo "hub_register: all checks passed"
