#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# hub_isolation.sh - the tenant isolation proof: a user of outlet A can
# neither read, change, count nor infer anything of outlet B.
#
# The demo programme gives the outlets their people, devices, accounts,
# websites, licences and six months of observations; the test adds an
# object of each kind with names found nowhere else to two outlets A and
# B, and logins of every role: an assistant, a focal point, a staff member
# (linked to a person of A) and a device token (bound to a device of A),
# all of A, plus a donor and the trainer.  Then it walks EVERY route that
# `kalkan serve --list-routes` prints, as every role:
#   (a) a route about a B object answers exactly like the same route with
#       an id that exists nowhere: same status, same body (sha256), same
#       Content-Length.  With several ids, each is swapped in turn while
#       the others stay A's;
#   (b) no answer to a user of A holds any of B's names, e-mails, handles,
#       addresses, products, tags or ids (pages and API alike);
#   (c) what A sees does not move when B grows: after B gains a person, an
#       account with 2FA, a device, a licence, a website and an
#       observation, every page and endpoint answers A's users with the
#       same body (clock times stripped);
#   (d) posting to any route with B's ids, in the path or as a reference
#       in the body (custodian, owner, admins, device, an observation's
#       subject), answers like a missing id and changes nothing: B's rows
#       in the database and the trainer's view of B are the same
#       afterwards, and no row of A points into B;
#   (e) the donor sees no name, e-mail, handle or object id anywhere.
# Identical answers mean the same code path ran, which is what the "same
# timing class" rule asks; nothing here measures time.  A route whose
# {placeholder} the walk cannot map to an object fails the test, so every
# route is covered, including routes added later.
set -euo pipefail
. "$(dirname "$0")/../data/hub/lib.sh"

ROLES=(trainer assistant focal staff device donor panel)
# The sanitizer build walks the roles whose scope rules differ most (an
# outlet's focal point, a staff member's own rows, the donor's aggregates,
# the panel's programme objects) under ASan and UBSan; the normal build
# walks every role.  KK_ISO_ROLES overrides either.
if [ "${KK_SANITIZE:-OFF}" = "ON" ]; then
    ROLES=(trainer focal staff donor panel)
fi
if [ -n "${KK_ISO_ROLES:-}" ]; then
    read -r -a ROLES <<<"trainer $KK_ISO_ROLES"
fi
declare -A WHO
# The object a placeholder stands for: the path segment before it.
declare -A KIND_OF_SEG=(
    [outlets]=outlet [people]=person [devices]=device [accounts]=account
    [websites]=website [licences]=licence
)
# The programme's workflows plug their objects in: every
# tests/data/hub/iso_*.sh may add
#   KIND_OF_SEG[segment]=kind   what a placeholder after the segment is;
#   ISO_KINDS+=(kind)           kinds each outlet must have (A's and B's);
#   ISO_PROGRAMME_KINDS+=(kind) programme objects (no outlet): the id walk
#                               skips routes holding one (their roles are
#                               checked by the workflow's own test);
#   ISO_MAKERS+=(fn)            "fn LETTER TAG OUTLET_ID": creates the
#                               outlet's objects as the trainer and sets
#                               ID[LETTER.kind] (names carry Qx${TAG}marker);
#   ISO_VIEWS+=(fn)             "fn OUTLET_ID": prints the JSON the trainer
#                               reads of them (their strings are markers);
#   ISO_TABLES+=(table)         outlet tables (with outlet_id) hashed into
#                               B's state and avoided by the missing ids;
#   ISO_BODIES+=(fn)            "fn PATTERN REF": prints a valid body for a
#                               POST route and returns 0, or returns 1;
#   ISO_REFS+=(fn)              "fn PATTERN": prints the kind of REF in that
#                               body (a reference to check), or returns 1;
#   ISO_INTO+=("SQL")           a count of A's rows (:a) pointing into
#                               another outlet, which must stay 0.
ISO_KINDS=() ISO_PROGRAMME_KINDS=() ISO_MAKERS=() ISO_VIEWS=() ISO_TABLES=()
ISO_BODIES=() ISO_REFS=() ISO_INTO=()
for f in "$(dirname "$0")"/../data/hub/iso_*.sh; do
    [ ! -e "$f" ] || . "$f"
done
# Routes that change the caller's own login; they carry no outlet data
# and are walked by GET only (posting would end the walk's sessions).
SESSION_POSTS=" /login /login/code /enrol /logout /api/v1/login /api/v1/logout "

# --- the data ---

hub_start --demo
check "the demo programme was filled" grep -q "^Demo logins" "$HUB_LOG"
hub_user trainer@iso.example trainer
hub_login trainer@iso.example
WHO[trainer]=trainer@iso.example
TR=${WHO[trainer]}

req "$TR" GET /api/v1/outlets
jq -r '.outlets[] | "\(.slug) \(.id)"' "$T/r.body" | sort >"$T/outlets"
if [ "$(wc -l <"$T/outlets")" -lt 2 ]; then
    hub_outlet "$TR" alpha-news "Alpha News" web >/dev/null
    hub_outlet "$TR" bravo-tv "Bravo Television" tv >/dev/null
    req "$TR" GET /api/v1/outlets
    jq -r '.outlets[] | "\(.slug) \(.id)"' "$T/r.body" | sort >"$T/outlets"
fi
read -r A_SLUG A < <(sed -n 1p "$T/outlets")
read -r B_SLUG B < <(sed -n 2p "$T/outlets")
echo "outlet A: $A_SLUG $A; outlet B: $B_SLUG $B"

# mk OUTLET KIND JSON : creates an object as the trainer; prints its id.
mk() {
    req "$TR" POST "/api/v1/outlets/$1/$2" "$3"
    if [ "$STATUS" != 201 ]; then
        echo "setup: POST /api/v1/outlets/$1/$2: HTTP $STATUS $(head -c 300 "$T/r.body")" >&2
        hub_alive || echo "setup: the server is gone" >&2
        return 1
    fi
    jq -r .id "$T/r.body"
}
declare -A ID
# objects OUTLET_LETTER TAG : one object of each kind, with unique names.
objects() {
    local o=$1 t=$2 oid
    oid=${!o}
    ID[$o.outlet]=$oid
    ID[$o.person]=$(mk "$oid" people "{\"name\":\"Zebulon Qx${t}marker\",\"department\":\"finance\",\"job_title\":\"Qx${t} auditor\",\"email\":\"zebulon@qx${t}marker.example\",\"public_facing\":true}")
    ID[$o.device]=$(mk "$oid" devices "{\"kind\":\"laptop\",\"os\":\"Debian\",\"os_version\":\"12\",\"asset_tag\":\"QX${t}-TAG-7731\",\"custodian\":${ID[$o.person]}}")
    ID[$o.account]=$(mk "$oid" accounts "{\"platform\":\"telegram_user\",\"handle\":\"@qx${t}marker_handle\",\"owner\":${ID[$o.person]},\"criticality\":3,\"tfa\":\"sms\"}")
    ID[$o.website]=$(mk "$oid" websites "{\"url\":\"https://qx${t}marker.example\",\"cms\":\"Qx${t}CMS 1.0\",\"host\":\"qx${t}host.example\",\"registrar\":\"qx${t}registrar.example\",\"domain_expiry\":\"2027-03-01\"}")
    ID[$o.licence]=$(mk "$oid" licences "{\"product\":\"Qx${t}marker Antivirus\",\"type\":\"subscription\",\"seats\":5,\"expires\":\"2027-01-15\",\"key\":\"ZZZZZ-YYYYY-${t}${t}${t}Q9\",\"device\":${ID[$o.device]}}")
    local m
    for m in "${ISO_MAKERS[@]}"; do
        "$m" "$o" "$t" "$oid"
    done
}
objects A a
objects B b
for k in outlet person device account website licence "${ISO_KINDS[@]}"; do
    if [ -z "${ID[A.$k]}" ] || [ -z "${ID[B.$k]}" ]; then
        bad "setup: no $k in both outlets"
    fi
done
[ "$FAILS" -eq 0 ] || finish

# The logins of A, the donor and the device token.
hub_user assistant@iso.example assistant "$A_SLUG"
hub_user focal@iso.example focal "$A_SLUG"
# The staff login is the person Zebulon of A: a login of an outlet is
# linked to the outlet's person with the same e-mail.
STAFF=zebulon@qxamarker.example
hub_user "$STAFF" staff "$A_SLUG"
hub_user donor@iso.example donor
hub_user panel@iso.example panel
hub_user device@iso.example device "$A_SLUG"
expect "the staff login is linked to its person" "${ID[A.person]}" \
    "$(py_sqlite "$HUB_DB" "SELECT person_id FROM users WHERE email = '$STAFF'")"
WHO[device]=bearer:$("$KALKAN" token create --db "$HUB_DB" \
    --user device@iso.example --device "${ID[A.device]}")
for r in assistant focal donor panel; do
    hub_login "$r@iso.example"
    WHO[$r]=$r@iso.example
done
hub_login "$STAFF"
WHO[staff]=$STAFF

# Ids that exist nowhere (ids are random in [2^40, 2^53)), one for each
# length in digits, so that a missing id and B's have the same length.
declare -A MISS
while read -r n m; do MISS[$n]=$m; done < <(python3 - "$HUB_DB" "${ISO_TABLES[@]}" <<'EOF'
import random, sqlite3, sys
con = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
ids = set()
for t in ("outlets", "people", "devices", "accounts", "websites",
          "licences", "users", *sys.argv[2:]):
    ids.update(r[0] for r in con.execute(f"SELECT id FROM {t}"))
for n in range(13, 17):
    while True:
        c = random.randrange(max(2**40, 10**(n - 1)), min(2**53, 10**n))
        if c not in ids:
            print(n, c)
            break
EOF
)
MISSING=${MISS[16]}
echo "ids that exist nowhere: ${MISS[*]}"

# --- what A may not see, as the trainer sees it ---

# view OUTLET : the outlet and its lists, as the trainer sees them.
view() {
    local k
    req "$TR" GET "/api/v1/outlets/$1"
    cat "$T/r.body"
    echo
    for k in people devices accounts websites licences; do
        req "$TR" GET "/api/v1/outlets/$1/$k"
        cat "$T/r.body"
        echo
    done
    for k in "${ISO_VIEWS[@]}"; do
        "$k" "$1"
        echo
    done
}
# The strings of an outlet that name or locate someone or something.
strings_of() {
    jq -r '.. | objects | to_entries[] |
        select(.key | test("^(name|email|handle|url|product|asset_tag|slug|host|registrar|key|title|adversary|place|text|note|summary|work)$")) |
        .value | strings' | awk 'length($0) >= 5' | sort -u
}
ids_of() { jq -r '.. | objects | .id? // empty | numbers' | sort -u; }
view "$A" >"$T/a.view"
view "$B" >"$T/b.view"
req "$TR" GET /catalogue
cp "$T/r.body" "$T/catalogue.html"
strings_of <"$T/a.view" >"$T/a.strings"
# A marker of B: a string of B that is not A's and not catalogue text.
strings_of <"$T/b.view" | grep -vxF -f "$T/a.strings" |
    while IFS= read -r s; do
        grep -qF -- "$s" "$T/catalogue.html" || printf '%s\n' "$s"
    done >"$T/b.markers"
ids_of <"$T/b.view" | grep -vx "$B" >"$T/b.ids" || true
check "B's markers include the test's own ($(wc -l <"$T/b.markers") strings, $(wc -l <"$T/b.ids") ids)" \
    grep -q "Qxbmarker" "$T/b.markers"
# Everyone's names, e-mails and handles and every object id, for the donor.
: >"$T/donor.markers"
: >"$T/donor.ids"
while read -r slug oid; do
    view "$oid" >"$T/o.view"
    jq -r '.. | objects | to_entries[] |
        select(.key | test("^(name|email|handle)$")) | .value | strings' \
        "$T/o.view" | awk 'length($0) >= 5' >>"$T/donor.markers"
    ids_of <"$T/o.view" | grep -vx "$oid" >>"$T/donor.ids" || true
done <"$T/outlets"
# Outlet names are programme-level figures for a donor, not people.
cut -d' ' -f1 "$T/outlets" >"$T/slugs"
jq -r '.outlets[].name' <(req "$TR" GET /api/v1/outlets; cat "$T/r.body") >>"$T/slugs"
sort -u "$T/donor.markers" | grep -vxF -f "$T/slugs" >"$T/d.m" || true
mv "$T/d.m" "$T/donor.markers"
sort -u "$T/donor.ids" -o "$T/donor.ids"
cat "$T/donor.markers" "$T/donor.ids" >"$T/donor.all"
cat "$T/b.markers" "$T/b.ids" >"$T/b.all"
echo "donor markers: $(wc -l <"$T/donor.markers") strings, $(wc -l <"$T/donor.ids") ids"

# --- the routes ---

"$KALKAN" serve --list-routes >"$T/routes"
mapfile -t ROUTES <"$T/routes"
check "--list-routes lists the routes (${#ROUTES[@]})" test "${#ROUTES[@]}" -gt 10

# kinds PATTERN : the kind of object of each placeholder, in order; fails
# for a placeholder the walk cannot map.
kinds() {
    local seg prev="" out=() IFS=/
    for seg in $1; do
        if [[ $seg == \{*\} ]]; then
            [ -n "${KIND_OF_SEG[$prev]:-}" ] || return 1
            out+=("${KIND_OF_SEG[$prev]}")
        elif [[ $seg == *[{}]* ]]; then
            return 1
        fi
        prev=$seg
    done
    IFS=' '
    echo "${out[*]}"
}
# fill PATTERN ID... : the pattern with its placeholders replaced in order.
fill() {
    local p=$1 id
    shift
    for id in "$@"; do p="${p%%\{*}$id${p#*\}}"; done
    echo "$p"
}

declare -A KINDS CELL OPENED
for i in "${!ROUTES[@]}"; do
    read -r method pattern flags roles <<<"${ROUTES[$i]}"
    if ! KINDS[$i]=$(kinds "$pattern"); then
        unset "KINDS[$i]"
        bad "route $method $pattern: the walk cannot tell what its placeholder stands for"
    fi
done

# mark I ROLE STATE : the ledger of the summary table; FAIL sticks.
mark() {
    [ "${CELL[$1 $2]:-}" = FAIL ] || CELL[$1 $2]=$3
}
NREQ=0
# fetch WHO METHOD PATH [BODY [CTYPE]] : req, plus F_STATUS, F_LEN and
# F_SHA, the hash of the body with the ids of PATH replaced by "<id>" (a
# page may show its own address, e.g. in the language links).
fetch() {
    req "$@"
    NREQ=$((NREQ + 1))
    if [ "$STATUS" = 000 ]; then
        bad "$2 $3: no answer ($(cat "$T/r.err"))"
        if ! hub_alive; then
            bad "the server is gone; the walk cannot go on"
            finish
        fi
    fi
    F_STATUS=$STATUS
    F_LEN=$CLEN
    local e='' p=$3
    while [[ $p =~ ([0-9]{13,16})(.*) ]]; do
        e+="s/${BASH_REMATCH[1]}/<id>/g;"
        p=${BASH_REMATCH[2]}
    done
    F_BODY=$T/r.body
    if [ -n "$e" ]; then
        sed -e "$e" "$T/r.body" >"$T/f.body"
        F_BODY=$T/f.body
    fi
    F_SHA=$(sha256sum <"$F_BODY")
    F_SHA=${F_SHA:0:64}
}
# leak_check I ROLE WHAT : (b) for users of A (B's strings and ids), (e)
# for the donor (everyone's names, e-mails, handles and object ids), on
# the last answer less the ids its own path holds.
leak_check() {
    local hit="" f=b.all
    [ "$2" != trainer ] || return 0
    [ "$2" != donor ] || f=donor.all
    hit=$(grep -m1 -oaF -f "$T/$f" "$F_BODY") || true
    if [ -n "$hit" ]; then
        hit=${hit//$'\n'/|}
        bad "$3 as $2 shows what is not theirs: ${hit:0:200}"
        mark "$1" "$2" FAIL
        return 1
    fi
}
# same_as_missing I ROLE METHOD PATH_B PATH_M [BODY_B BODY_M CTYPE] : (a)
# or (d): the B variant and the missing variant answer identically, and
# not with success unless ALLOW_OK is 1 (a change of the caller's own
# object that ignores the reference, as a staff member's edit does).
ALLOW_OK=0
same_as_missing() {
    local i=$1 role=$2 method=$3 pb=$4 pm=$5 s1 h1 l1 extra=()
    [ $# -lt 6 ] || extra=("$6" "$8")
    fetch "${WHO[$role]}" "$method" "$pb" "${extra[@]}"
    s1=$F_STATUS h1=$F_SHA l1=$F_LEN
    leak_check "$i" "$role" "$method $pb" || true
    cp "$T/r.body" "$T/b.body"
    [ $# -lt 6 ] || extra=("$7" "$8")
    fetch "${WHO[$role]}" "$method" "$pm" "${extra[@]}"
    if [ "$s1" != "$F_STATUS" ] || [ "$h1" != "$F_SHA" ] ||
        [ "$l1" != "$F_LEN" ]; then
        bad "$method $pb${6:+ $6} as $role: B's answers HTTP $s1, $l1 bytes; a missing id's HTTP $F_STATUS, $F_LEN bytes"
        diff <(head -c 3000 "$T/b.body" | fold -w 160) \
            <(head -c 3000 "$T/r.body" | fold -w 160) | head -n 8 | sed 's/^/    /'
        mark "$i" "$role" FAIL
        return 1
    fi
    if [[ $s1 == 2* ]] && [ "$ALLOW_OK" = 0 ]; then
        bad "$method $pb as $role: B's object answers HTTP $s1"
        mark "$i" "$role" FAIL
        return 1
    fi
}
# The clock shows in some answers ("as of" times), and the login form
# carries a fresh random value for each anonymous caller; strip both.
norm() {
    sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?(\.[0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2})?/<time>/g;
            s/(name="pre" value=")[^"]*/\1/g' "$T/r.body"
}

# variants KINDS... : sets VA (A ids), VB (B ids), VM (missing ids).
variants() {
    VA=() VB=() VM=()
    local k
    for k in "$@"; do
        VA+=("${ID[A.$k]}")
        VB+=("${ID[B.$k]}")
        VM+=("${MISS[${#VB[-1]}]}")
    done
}
# walk_ids I ROLE METHOD PATTERN [BODY CTYPE] : every id B's against every
# id missing; then, with several ids, each one in turn while the others
# stay A's.
walk_ids() {
    local i=$1 role=$2 method=$3 pattern=$4 body=${5:-} ct=${6:-} j x y
    local b=()
    [ -z "$ct" ] || b=("$body" "$body" "$ct")
    same_as_missing "$i" "$role" "$method" "$(fill "$pattern" "${VB[@]}")" \
        "$(fill "$pattern" "${VM[@]}")" "${b[@]}" || true
    if [ ${#VA[@]} -gt 1 ]; then
        for j in "${!VA[@]}"; do
            x=("${VA[@]}") y=("${VA[@]}")
            x[$j]=${VB[$j]}
            y[$j]=${VM[$j]}
            same_as_missing "$i" "$role" "$method" "$(fill "$pattern" "${x[@]}")" \
                "$(fill "$pattern" "${y[@]}")" "${b[@]}" || true
        done
    fi
}

# programme_kind KINDS... : true if one of them is a programme object.
programme_kind() {
    local k p
    for k in "$@"; do
        for p in "${ISO_PROGRAMME_KINDS[@]}"; do
            [ "$k" != "$p" ] || return 0
        done
    done
    return 1
}
# get_walk SNAPSHOT_FILE [ids] : GET every route as every role; (b), (e),
# and with "ids" (a); writes the normalised hash of each answer with A's
# ids (or none).
get_walk() {
    local i role method pattern flags roles ks path
    : >"$1"
    for i in "${!ROUTES[@]}"; do
        read -r method pattern flags roles <<<"${ROUTES[$i]}"
        [ "$method" = GET ] && [ -n "${KINDS[$i]+x}" ] || continue
        read -r -a ks <<<"${KINDS[$i]}"
        variants "${ks[@]}"
        path=$(fill "$pattern" "${VA[@]}")
        for role in "${ROLES[@]}"; do
            fetch "${WHO[$role]}" GET "$path"
            echo "$i $role $(norm | sha256sum | cut -c1-16)" >>"$1"
            [[ $F_STATUS != 2* ]] || OPENED[$i $role]=1
            if [ "$role" = trainer ]; then
                mark "$i" trainer ref
                continue
            fi
            leak_check "$i" "$role" "GET $path" || true
            [ ${#ks[@]} -eq 0 ] || [ "${2:-}" != ids ] ||
                programme_kind "${ks[@]}" ||
                walk_ids "$i" "$role" GET "$pattern"
            mark "$i" "$role" ok
        done
    done
}

echo "--- (a), (b), (e): GET, every route, every role"
get_walk "$T/before" ids

# --- (c) B grows; A sees the same ---
echo "--- (c): B grows"
objects B c >/dev/null
req "$TR" POST /api/v1/observations "{\"subject_type\":\"device\",\"subject_id\":${ID[B.device]},\"control_id\":\"DEV-06\",\"status\":\"pass\"}"
expect "the trainer records an observation in B" 201 "$STATUS"
req "$TR" POST "/api/v1/outlets/$B/accounts/${ID[B.account]}/tfa" '{"tfa":"key"}'
expect "the trainer switches 2FA on for B's account" 200 "$STATUS"
# The new objects are B's too.
view "$B" | ids_of | grep -vx "$B" >"$T/b.ids" || true
view "$B" | strings_of | grep -vxF -f "$T/a.strings" | grep -F Qx >>"$T/b.markers" || true
sort -u "$T/b.markers" -o "$T/b.markers"
cat "$T/b.markers" "$T/b.ids" >"$T/b.all"
get_walk "$T/after"
moved=0
while read -r i role h; do
    [ "$role" != trainer ] && [ "$role" != donor ] || continue
    h2=$(awk -v i="$i" -v r="$role" '$1 == i && $2 == r { print $3 }' "$T/after")
    if [ "$h" != "$h2" ]; then
        read -r method pattern _ <<<"${ROUTES[$i]}"
        bad "(c) GET $pattern as $role changed when B grew"
        mark "$i" "$role" FAIL
        moved=$((moved + 1))
    fi
done <"$T/before"
expect "(c) no answer to A's users moved when B grew" 0 "$moved"

# --- (d) POST with B's ids ---
echo "--- (d): POST, every route, every role but the trainer"
# b_state : B's rows in the database, and rows of A that point into B.
b_state() {
    python3 - "$HUB_DB" "$A" "$B" "${ISO_TABLES[*]}" "$(printf '%s\n' "${ISO_INTO[@]}")" <<'EOF'
import hashlib, sqlite3, sys
con = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
a, b = int(sys.argv[2]), int(sys.argv[3])
extra_tables = sys.argv[4].split()
extra_into = [q for q in sys.argv[5].split("\n") if q.strip()]
h = hashlib.sha256()
def dump(sql, *args):
    for row in con.execute(sql, args):
        h.update(repr(row).encode())
dump("SELECT * FROM outlets WHERE id = ?", b)
for t in ("people", "devices", "accounts", "websites", "licences",
          "observations", "audit", *extra_tables):
    dump(f"SELECT * FROM {t} WHERE outlet_id = ? ORDER BY 1", b)
dump("SELECT * FROM account_admins WHERE account_id IN (SELECT id FROM "
     "accounts WHERE outlet_id = ?) OR person_id IN (SELECT id FROM people "
     "WHERE outlet_id = ?) ORDER BY 1, 2", b, b)
dump("SELECT id, email, person_id FROM users WHERE person_id IN "
     "(SELECT id FROM people WHERE outlet_id = ?)", b)
into = con.execute("""
  SELECT (SELECT count(*) FROM devices WHERE outlet_id = :a AND custodian_id
            IN (SELECT id FROM people WHERE outlet_id <> :a))
       + (SELECT count(*) FROM accounts WHERE outlet_id = :a AND person_id
            IN (SELECT id FROM people WHERE outlet_id <> :a))
       + (SELECT count(*) FROM licences WHERE outlet_id = :a AND device_id
            IN (SELECT id FROM devices WHERE outlet_id <> :a))
       + (SELECT count(*) FROM account_admins aa JOIN accounts c ON
            c.id = aa.account_id WHERE c.outlet_id = :a AND aa.person_id IN
            (SELECT id FROM people WHERE outlet_id <> :a))
       + (SELECT count(*) FROM observations o WHERE o.outlet_id = :a AND (
            (o.subject_type = 'person' AND o.subject_id IN (SELECT id FROM
              people WHERE outlet_id <> :a)) OR
            (o.subject_type = 'device' AND o.subject_id IN (SELECT id FROM
              devices WHERE outlet_id <> :a)) OR
            (o.subject_type = 'account' AND o.subject_id IN (SELECT id FROM
              accounts WHERE outlet_id <> :a)) OR
            (o.subject_type = 'website' AND o.subject_id IN (SELECT id FROM
              websites WHERE outlet_id <> :a)) OR
            (o.subject_type = 'outlet' AND o.subject_id <> :a)))
""", {"a": a}).fetchone()[0]
for q in extra_into:
    into += con.execute(q, {"a": a}).fetchone()[0]
print(h.hexdigest(), into)
EOF
}
tr_view_b() {
    local i method pattern flags roles ks
    for i in "${!ROUTES[@]}"; do
        read -r method pattern flags roles <<<"${ROUTES[$i]}"
        [ "$method" = GET ] && [ -n "${KINDS[$i]:-}" ] || continue
        read -r -a ks <<<"${KINDS[$i]}"
        variants "${ks[@]}"
        req "$TR" GET "$(fill "$pattern" "${VB[@]}")"
        echo "$pattern $STATUS $(norm | sha256sum | cut -c1-16)"
    done
}
check "the server is alive after the GET walks" hub_alive
state_before=$(b_state)
tr_view_b >"$T/trb.before"

# A body for every entity, valid but for the ids under test; references
# (custodian, owner, admins, device) are REF.
body_for() { # PATTERN REF
    local p=$1 ref=$2 fn
    for fn in "${ISO_BODIES[@]}"; do
        "$fn" "$p" "$ref" && return 0
    done
    case $p in
    */import) printf 'name,department\nMallory Intruder,editorial\n' ;;
    */archive) echo '{}' ;;
    */tfa) echo '{"tfa":"key"}' ;;
    */people | */people/{id}) echo '{"name":"Mallory Intruder","department":"editorial","email":"mallory@intruder.example"}' ;;
    */devices | */devices/{id}) echo "{\"kind\":\"phone\",\"os\":\"Android\",\"custodian\":$ref}" ;;
    */accounts | */accounts/{id}) echo "{\"platform\":\"fb_page\",\"handle\":\"mallory-page\",\"owner\":$ref,\"admins\":[$ref],\"tfa\":\"app\"}" ;;
    */licences | */licences/{id}) echo "{\"product\":\"Mallory Suite\",\"type\":\"retail\",\"device\":$ref}" ;;
    */websites | */websites/{id}) echo '{"url":"https://mallory.example"}' ;;
    */outlets | */outlets/{id} | */outlets/{id}/edit) echo '{"name":"Mallory Media","slug":"mallory-media","media":"web"}' ;;
    */observations | /observe) echo "{\"subject_type\":\"person\",\"subject_id\":$ref,\"control_id\":\"ACC-01\",\"status\":\"pass\"}" ;;
    /settings) echo "{\"lang\":\"xx\",\"person\":$ref}" ;;
    *) echo "{\"id\":$ref}" ;;
    esac
}
# as_form JSON : the same fields, form-encoded (arrays repeat the key).
as_form() {
    jq -r 'to_entries | map(.key as $k | (.value | if type == "array" then .[] else . end) |
        "\($k)=\(tostring | @uri)") | join("&")' <<<"$1"
}
# The kind of reference a body's REF stands for.
ref_kind() {
    local fn
    for fn in "${ISO_REFS[@]}"; do
        "$fn" "$1" && return 0
    done
    case $1 in
    */devices | */devices/{id}) echo person ;;
    */accounts | */accounts/{id}) echo person ;;
    */licences | */licences/{id}) echo device ;;
    */observations | /observe) echo person ;;
    *) echo "" ;;
    esac
}
# post I ROLE PATH_B PATH_M BODY_B BODY_M : one (d) comparison.
post_pair() {
    local i=$1 role=$2 pattern=$3 pb=$4 pm=$5 bb=$6 bm=$7 ct=application/json
    case $pattern in
    */import) ct=text/csv ;;
    /api/*) ;;
    *)
        ct=application/x-www-form-urlencoded
        bb=$(as_form "$bb")
        bm=$(as_form "$bm")
        ;;
    esac
    same_as_missing "$i" "$role" POST "$pb" "$pm" "$bb" "$bm" "$ct"
}
for i in "${!ROUTES[@]}"; do
    read -r method pattern flags roles <<<"${ROUTES[$i]}"
    [ "$method" = POST ] && [ -n "${KINDS[$i]+x}" ] || continue
    if [[ $SESSION_POSTS == *" $pattern "* ]]; then
        for role in "${ROLES[@]}"; do mark "$i" "$role" session; done
        continue
    fi
    read -r -a ks <<<"${KINDS[$i]}"
    variants "${ks[@]}"
    rk=$(ref_kind "$pattern")
    for role in "${ROLES[@]}"; do
        if [ "$role" = trainer ]; then
            mark "$i" trainer ref
            continue
        fi
        bm=$(body_for "$pattern" "$MISSING")
        # Ids in the path: B's against missing, the body's references missing.
        if [ ${#ks[@]} -gt 0 ] && ! programme_kind "${ks[@]}"; then
            post_pair "$i" "$role" "$pattern" "$(fill "$pattern" "${VB[@]}")" \
                "$(fill "$pattern" "${VM[@]}")" "$bm" "$bm" || true
            if [ ${#ks[@]} -gt 1 ]; then
                for j in "${!VA[@]}"; do
                    x=("${VA[@]}") y=("${VA[@]}")
                    x[$j]=${VB[$j]}
                    y[$j]=${VM[$j]}
                    post_pair "$i" "$role" "$pattern" "$(fill "$pattern" "${x[@]}")" \
                        "$(fill "$pattern" "${y[@]}")" "$bm" "$bm" || true
                done
            fi
        fi
        # A's own path, with a reference into B against a missing one.
        if [ -n "$rk" ]; then
            pa=$(fill "$pattern" "${VA[@]}")
            kinds_ref=("$rk")
            [[ $pattern == */observations || $pattern == /observe ]] &&
                kinds_ref=(person device account website outlet)
            for k in "${kinds_ref[@]}"; do
                b_b=$(body_for "$pattern" "${ID[B.$k]}")
                b_m=$(body_for "$pattern" "$MISSING")
                if [ "${#kinds_ref[@]}" -gt 1 ]; then
                    b_b=$(jq -c --arg k "$k" '.subject_type = $k' <<<"$b_b")
                    b_m=$(jq -c --arg k "$k" '.subject_type = $k' <<<"$b_m")
                fi
                ALLOW_OK=1
                post_pair "$i" "$role" "$pattern" "$pa" "$pa" "$b_b" "$b_m" || true
                ALLOW_OK=0
            done
        fi
        [ ${#ks[@]} -gt 0 ] || [ -n "$rk" ] || {
            # No id anywhere: post B's ids in the body, nothing may change.
            fetch "${WHO[$role]}" POST "$pattern" "$(body_for "$pattern" "${ID[B.person]}")" \
                "$([[ $pattern == /api/* ]] && echo application/json || echo application/x-www-form-urlencoded)"
            leak_check "$i" "$role" "POST $pattern" || true
        }
        mark "$i" "$role" ok
    done
done
check "the server is alive after the POST walk" hub_alive
state_after=$(b_state)
expect "(d) B's rows are unchanged after the POST walk" \
    "${state_before% *}" "${state_after% *}"
expect "(d) no row of A points into another outlet" 0 "${state_after#* }"
tr_view_b >"$T/trb.after"
check "(d) the trainer's view of B is unchanged" \
    diff "$T/trb.before" "$T/trb.after"

# --- the device token may post for its own device only ---
req "${WHO[device]}" POST /api/v1/observations "{\"subject_type\":\"device\",\"subject_id\":${ID[A.device]},\"control_id\":\"DEV-06\",\"status\":\"pass\"}"
expect "the device token posts for its own device" 201 "$STATUS"
other=$(jq -r --argjson d "${ID[A.device]}" '[.devices[].id | select(. != $d)][0] // empty' \
    <(req "$TR" GET "/api/v1/outlets/$A/devices"; cat "$T/r.body"))
if [ -n "$other" ]; then
    req "${WHO[device]}" POST /api/v1/observations "{\"subject_type\":\"device\",\"subject_id\":$other,\"control_id\":\"DEV-06\",\"status\":\"pass\"}"
    cp "$T/r.body" "$T/own.body"
    s1=$STATUS
    req "${WHO[device]}" POST /api/v1/observations "{\"subject_type\":\"device\",\"subject_id\":$MISSING,\"control_id\":\"DEV-06\",\"status\":\"pass\"}"
    expect "another device of A answers the token like a missing one" \
        "$s1 $(sha "$T/own.body")" "$STATUS $(sha "$T/r.body")"
fi

# --- the summary ---
echo
echo "--- routes x roles (ok: checked; +: the role opened the route with A's ids;"
echo "    ref: the trainer, reference only; session: the caller's own login)"
printf '%-48s' "route"
for role in "${ROLES[@]}"; do printf ' %-9s' "$role"; done
echo
cells=0 opened=0
for i in "${!ROUTES[@]}"; do
    read -r method pattern flags roles <<<"${ROUTES[$i]}"
    printf '%-48s' "$method $pattern"
    for role in "${ROLES[@]}"; do
        c=${CELL[$i $role]:-MISSING}
        if [ "$c" = ok ]; then
            cells=$((cells + 1))
            [ -z "${OPENED[$i $role]:-}" ] || { c=ok+; opened=$((opened + 1)); }
        fi
        printf ' %-9s' "$c"
        if [ "$c" = MISSING ]; then
            bad "route $method $pattern was not walked as $role"
        fi
    done
    echo
done
echo "${#ROUTES[@]} routes, ${#ROLES[@]} roles: $cells cells checked, $opened opened with A's ids, $NREQ requests"
rc=0
hub_stop || rc=$?
expect "the server stops cleanly after the walk" 0 "$rc"
finish
