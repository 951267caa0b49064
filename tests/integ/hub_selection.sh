#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# hub_selection.sh - the selection workflow over HTTP against a real
# `kalkan serve` on loopback: a trainer opens calls (JSON and the HTML
# form); anonymous applicants apply through the JSON API and the public
# form (with its double-submit token) from several source addresses of
# 127.0.0.0/8 and get receipts; the receipt check shows an applicant their
# own application only; the robot trap stores nothing; the sixth
# application in an hour from one address gets 429; out-of-bounds fields
# are refused and store nothing; panel members score, a declared conflict
# drops a reviewer's scores and bars scoring; the ranked list is compared
# with a ranking computed here from the raw rows; selecting creates the
# outlet, its focal point's login and a one-time invitation whose link
# sets a password and leads to the second factor's enrolment, once; the
# seats limit; declining and closing start the retention clock; and with
# the clock moved past it (KALKAN_HUB_NOW) the unselected applications
# are gone from every answer and from the database.  Roles other than the
# trainer and the panel get nothing from any /calls or /api/v1/calls
# route.
set -euo pipefail
. "$(dirname "$0")/../data/hub/lib.sh"

BASE_URL=https://hub.test.example
hub_start --base-url "$BASE_URL"

# --- logins ---

TR=trainer@sel.example
P1=panel1@sel.example
P2=panel2@sel.example
hub_user "$TR" trainer
hub_user "$P1" panel
hub_user "$P2" panel
hub_user donor@sel.example donor
for u in "$TR" "$P1" "$P2" donor@sel.example; do hub_login "$u"; done
OUT=$(hub_outlet "$TR" alpha-news "Alpha News" web)
req "$TR" POST "/api/v1/outlets/$OUT/devices" '{"kind":"laptop","os":"Debian"}'
DEV=$(jq -r .id "$T/r.body")
hub_user focal@sel.example focal alpha-news
hub_user staff@sel.example staff alpha-news
hub_user assistant@sel.example assistant alpha-news
hub_user device@sel.example device alpha-news
for u in focal staff assistant; do hub_login "$u@sel.example"; done
TOKEN=$("$KALKAN" token create --db "$HUB_DB" --user device@sel.example \
    --device "$DEV")

# j FILTER : a value of the last answer.
j() { jq -r "$1" "$T/r.body"; }
# sqlv SQL : one value from the database (Python's sqlite3).
sqlv() { py_sqlite "$HUB_DB" "$1"; }
# from ADDRESS : the next requests come from this source address.
from() { REQ_EXTRA=(--interface "$1"); }
# scrape NAME : the value of the hidden input NAME in the last page.
scrape() {
    grep -o "name=\"$1\" value=\"[^\"]*\"" "$T/r.body" | head -n 1 |
        sed 's/.*value="//; s/"$//'
}

# --- a call, through the API and through the form ---

req "$TR" POST /api/v1/calls '{"title":"Cohort test call","description":"Six months.","seats":2,"retention_days":30,"criteria":[{"name":"Reporting","weight":50},{"name":"Threats","weight":30},{"name":"Commitment","weight":20}]}'
expect "the trainer opens a call through the API" 201 "$STATUS"
CALL=$(j .id)
expect "the call takes applications" true "$(j .accepting)"
expect "its public form's address uses --base-url" "$BASE_URL/apply/$CALL" "$(j .apply_url)"
req "$TR" POST /api/v1/calls '{"title":"Throttle call","criteria":[{"name":"Why","weight":1}]}'
THR=$(j .id)
req "$TR" GET /calls
tok=$(scrape csrf)
REQ_EXTRA=()
req "nocsrf:$TR" POST /calls "csrf=$tok&title=Form+call&seats=3&retention_days=45&criteria=Reach%3A+2%0D%0ARisk%3A+1" application/x-www-form-urlencoded
expect "the trainer opens a call through the form" 303 "$STATUS"
FORMCALL=$(hdr Location | sed -n 's|^/calls/\([0-9]*\)?done=created$|\1|p')
check "the form leads to the new call's page" test -n "$FORMCALL"
expect "its criteria are stored from the lines" "Reach:2 Risk:1" \
    "$(sqlv "SELECT group_concat(name || ':' || weight, ' ') FROM (SELECT * FROM call_criteria WHERE call_id = $FORMCALL ORDER BY pos)")"
req "nocsrf:$TR" POST /calls "title=No+token&criteria=A%3A+1" application/x-www-form-urlencoded
expect "a form without the CSRF token is refused" 403 "$STATUS"
req "$TR" POST /api/v1/calls '{"title":"Bad","criteria":[{"name":"A","weight":101}]}'
expect "a weight over 100 is refused" 400 "$STATUS"
expect "no call was stored by the refusals" 3 "$(sqlv "SELECT count(*) FROM calls")"

# --- who may see calls ---

"$KALKAN" serve --list-routes | awk '$2 ~ /^\/(api\/v1\/)?calls/' >"$T/routes"
check "the selection's routes are listed" test "$(wc -l <"$T/routes")" -ge 14
declare -A WHO=([focal]=focal@sel.example [staff]=staff@sel.example
    [assistant]=assistant@sel.example [donor]=donor@sel.example
    [device]=bearer:$TOKEN)
nothing=0 walked=0
while read -r method pattern flags roles; do
    [[ $flags == *public* ]] && continue
    path=${pattern/\{id\}/$CALL}
    path=${path/\{id\}/$CALL}
    for role in "${!WHO[@]}"; do
        if [ "$method" = POST ]; then
            req "${WHO[$role]}" POST "$path" '{}'
        else
            req "${WHO[$role]}" GET "$path"
        fi
        walked=$((walked + 1))
        if [[ $STATUS == 2* ]] || grep -q "Cohort test call" "$T/r.body"; then
            bad "$method $pattern as $role: HTTP $STATUS"
            nothing=$((nothing + 1))
        fi
    done
done <"$T/routes"
expect "focal, staff, assistant, donor and device get nothing from any of $walked calls" 0 "$nothing"
req anon GET /calls
expect "an anonymous visitor is sent to the login" "303 /login" "$STATUS $(hdr Location)"
req anon GET /api/v1/calls
expect "the API wants a login" 401 "$STATUS"
req "$P1" GET /api/v1/calls
expect "the panel lists the calls" "200 3" "$STATUS $(j '.calls | length')"
req "$P1" POST /api/v1/calls '{"title":"Panel call","criteria":[{"name":"A","weight":1}]}'
expect "the panel cannot open a call" 403 "$STATUS"

# --- applications ---

# answers R T C : the answers object of the test call.
answers() { jq -cn --arg r "$1" --arg t "$2" --arg c "$3" '{Reporting: $r, Threats: $t, Commitment: $c}'; }
# app NAME ADDRESS [EXTRA_JSON] : applies through the API; RECEIPT is set.
app() {
    local body
    body=$(jq -cn --arg n "$1" --argjson a "$(answers "We report on $1." "Threats to $1." "Committed.")" \
        --argjson x "${3:-{\}}" \
        '{outlet_name: $n, contact_email: ("office@" + ($n | ascii_downcase | gsub(" "; "-")) + ".example"),
          contact_name: "Aigul", media: "radio", region: "Osh", staff_count: 9, answers: $a} + $x')
    from "$2"
    req anon POST "/api/v1/calls/$CALL/applications" "$body"
    REQ_EXTRA=()
    RECEIPT=$(jq -r '.receipt // empty' "$T/r.body")
}
app "Alpha Courier" 127.0.0.2
expect "an anonymous application is accepted" 201 "$STATUS"
RA=$RECEIPT
check "its receipt is five groups of four (100 bits)" \
    grep -Eq '^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$' <<<"$RA"
app "Bravo Radio" 127.0.0.3
RB=$RECEIPT
app "Charlie TV" 127.0.0.4
# Later ones carry a later submission time (ties are ordered by it).
sleep 1.1
app "Delta Daily" 127.0.0.5
app "Echo Weekly" 127.0.0.6
expect "five applications are stored" 5 "$(sqlv "SELECT count(*) FROM applications WHERE call_id = $CALL")"
expect "receipts are stored only as their BLAKE2b hash" 1 "$(python3 - "$HUB_DB" "$RA" <<'EOF'
import hashlib, sqlite3, sys
code = sys.argv[2].replace("-", "")
h = hashlib.blake2b(code.encode(), digest_size=32).digest()
con = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(con.execute("SELECT count(*) FROM applications WHERE receipt_hash = ? AND outlet_name = 'Alpha Courier'", (h,)).fetchone()[0])
EOF
)"
check_not "no receipt is written in the database files" \
    grep -aqF -e "$RA" -e "${RA//-/}" -e "$RB" "$HUB_DB" "$HUB_DB-wal"

# The public form, as a browser fills it.
from 127.0.0.7
rm -f "$T/anon.jar"
REQ_EXTRA+=(-c "$T/anon.jar" -b "$T/anon.jar")
req anon GET "/apply/$CALL"
expect "the public form opens without a login" 200 "$STATUS"
check "it asks every criterion" grep -q 'name="answer-3"' "$T/r.body"
check "it has the robot trap, hidden" grep -q 'class="kk-hp" aria-hidden="true"' "$T/r.body"
PRE=$(scrape pre)
FORM="outlet_name=Foxtrot+FM&media=radio&region=Naryn&staff_count=4&contact_name=Bek&contact_email=bek%40foxtrot.example&answer-1=News&answer-2=Raids&answer-3=Yes"
req anon POST "/apply/$CALL" "pre=$PRE&$FORM" application/x-www-form-urlencoded
expect "the form's application gets a receipt page" 200 "$STATUS"
RF=$(sed -n 's/.*<code class="kk-secret" id="receipt">\([^<]*\)<.*/\1/p' "$T/r.body")
check "the page shows the receipt" grep -Eq '^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$' <<<"$RF"
req anon POST "/apply/$CALL" "pre=wrong&$FORM" application/x-www-form-urlencoded
expect "a form post without its double-submit token is refused" 403 "$STATUS"
check "and shows the form again with what was typed" grep -q 'value="Foxtrot FM"' "$T/r.body"
REQ_EXTRA+=(-H "Sec-Fetch-Site: cross-site")
req anon POST "/apply/$CALL" "pre=$PRE&$FORM" application/x-www-form-urlencoded
expect "a post from another site is refused" 403 "$STATUS"
from 127.0.0.7
REQ_EXTRA+=(-c "$T/anon.jar" -b "$T/anon.jar")
req anon POST "/apply/$CALL" "pre=$PRE&outlet_name=Golf&contact_email=nope&answer-1=a&answer-2=b&answer-3=c" application/x-www-form-urlencoded
expect "a bad e-mail shows the form again" 400 "$STATUS"
check "with the message next to the field" grep -q 'id="contact_email"[^>]*aria-invalid="true"' "$T/r.body"
REQ_EXTRA=()
expect "the form stored one application" 1 "$(sqlv "SELECT count(*) FROM applications WHERE outlet_name IN ('Foxtrot FM', 'Golf')")"

# The robot trap: a success, nothing stored.
n0=$(sqlv "SELECT count(*) FROM applications")
app "Robot Spam" 127.0.0.8 '{"website":"http://spam.example"}'
expect "a filled trap answers like a success" 201 "$STATUS"
RR=$RECEIPT
check "with a receipt like any other" grep -Eq '^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$' <<<"$RR"
from 127.0.0.8
rm -f "$T/bot.jar"
REQ_EXTRA+=(-c "$T/bot.jar" -b "$T/bot.jar")
req anon GET "/apply/$CALL"
req anon POST "/apply/$CALL" "pre=$(scrape pre)&$FORM&website=spam" application/x-www-form-urlencoded
expect "the form's trap answers with a receipt page too" 200 "$STATUS"
check "showing a receipt" grep -q 'id="receipt"' "$T/r.body"
REQ_EXTRA=()
expect "the trap stored nothing" "$n0" "$(sqlv "SELECT count(*) FROM applications")"

# Out of bounds: refused, nothing stored.
bad_app() {
    from 127.0.0.10
    req anon POST "/api/v1/calls/$CALL/applications" "$2"
    REQ_EXTRA=()
    expect "$1 is refused" 400 "$STATUS"
}
A3=$(answers a b c)
bad_app "an answer to a criterion the call lacks" "{\"outlet_name\":\"X\",\"contact_email\":\"x@y.example\",\"answers\":{\"Reporting\":\"a\",\"Threats\":\"b\",\"Commitment\":\"c\",\"Other\":\"d\"}}"
bad_app "a missing answer" "{\"outlet_name\":\"X\",\"contact_email\":\"x@y.example\",\"answers\":{\"Reporting\":\"a\",\"Threats\":\"b\"}}"
bad_app "a staff count over 10000" "{\"outlet_name\":\"X\",\"contact_email\":\"x@y.example\",\"staff_count\":10001,\"answers\":$A3}"
bad_app "a name of 201 bytes" "{\"outlet_name\":\"$(head -c 201 /dev/zero | tr '\0' n)\",\"contact_email\":\"x@y.example\",\"answers\":$A3}"
bad_app "an answer of 4001 bytes" "{\"outlet_name\":\"X\",\"contact_email\":\"x@y.example\",\"answers\":$(answers "$(head -c 4001 /dev/zero | tr '\0' a)" b c)}"
bad_app "an unknown kind of media" "{\"outlet_name\":\"X\",\"contact_email\":\"x@y.example\",\"media\":\"blog\",\"answers\":$A3}"
from 127.0.0.10
req anon POST "/api/v1/calls/$CALL/applications" "outlet_name=X" application/x-www-form-urlencoded
REQ_EXTRA=()
expect "a form body to the API is refused" 400 "$STATUS"
expect "nothing was stored by the refusals" "$n0" "$(sqlv "SELECT count(*) FROM applications")"

# Throttling: five an hour from one address.
for i in 1 2 3 4 5; do
    from 127.0.0.9
    req anon POST "/api/v1/calls/$THR/applications" "{\"outlet_name\":\"Burst $i\",\"contact_email\":\"b@x.example\",\"answers\":{\"Why\":\"because\"}}"
    REQ_EXTRA=()
    [ "$STATUS" = 201 ] || bad "application $i of one address: HTTP $STATUS"
done
from 127.0.0.9
req anon POST "/api/v1/calls/$THR/applications" '{"outlet_name":"Burst 6","contact_email":"b@x.example","answers":{"Why":"because"}}'
expect "the sixth application in an hour from one address is throttled" "429 throttled" "$STATUS $(j .error.code)"
rm -f "$T/thr.jar"
REQ_EXTRA+=(-c "$T/thr.jar" -b "$T/thr.jar")
req anon GET "/apply/$THR"
req anon POST "/apply/$THR" "pre=$(scrape pre)&outlet_name=Burst+7&contact_email=b%40x.example&answer-1=because" application/x-www-form-urlencoded
expect "the form says so too" 429 "$STATUS"
check "in plain words" grep -q "Too many applications came from your network" "$T/r.body"
REQ_EXTRA=()
from 127.0.0.11
req anon POST "/api/v1/calls/$THR/applications" '{"outlet_name":"Other address","contact_email":"b@x.example","answers":{"Why":"because"}}'
REQ_EXTRA=()
expect "another address has its own budget" 201 "$STATUS"
expect "five of the burst were stored" 5 "$(sqlv "SELECT count(*) FROM applications WHERE outlet_name LIKE 'Burst %'")"

# --- the receipt check ---

status_of() {
    req anon POST /api/v1/applications/status "$(jq -cn --arg r "$1" '{receipt: $r}')"
}
status_of "$(tr 'A-Z' 'a-z' <<<"$RA" | sed 's/-/ /g')"
expect "a receipt typed in lower case with spaces finds its application" 200 "$STATUS"
expect "it shows that application, its call and its state" \
    "Alpha Courier|Cohort test call|submitted" "$(j '[.outlet_name, .call, .status] | join("|")')"
check_not "and nothing of any other application" grep -q -e Bravo -e Charlie -e office@ "$T/r.body"
status_of "$RB"
expect "the receipt of B shows B" "Bravo Radio" "$(j .outlet_name)"
status_of "0000-0000-0000-0000-0000"
expect "a wrong receipt is not found" 404 "$STATUS"
cp "$T/r.body" "$T/wrong.body"
status_of "$RR"
expect "the trap's receipt answers like a wrong one" "404 $(sha "$T/wrong.body")" "$STATUS $(sha "$T/r.body")"
rm -f "$T/st.jar"
REQ_EXTRA=(-c "$T/st.jar" -b "$T/st.jar")
req anon GET /apply/status
req anon POST /apply/status "pre=$(scrape pre)&receipt=$RF" application/x-www-form-urlencoded
REQ_EXTRA=()
expect "the status page finds the form's application" 200 "$STATUS"
check "and names it" grep -q 'id="status-outlet">Foxtrot FM<' "$T/r.body"
check_not "and no other" grep -q -e Alpha -e Bravo "$T/r.body"

# --- reviews ---

id_of() { sqlv "SELECT id FROM applications WHERE outlet_name = '$1'"; }
A=$(id_of "Alpha Courier") B=$(id_of "Bravo Radio") C=$(id_of "Charlie TV")
D=$(id_of "Delta Daily") E=$(id_of "Echo Weekly") F=$(id_of "Foxtrot FM")
# score WHO APP R T C
score() {
    req "$1" POST "/api/v1/calls/$CALL/applications/$2/scores" \
        "{\"scores\":{\"Reporting\":$3,\"Threats\":$4,\"Commitment\":$5},\"note\":\"n\"}"
    [ "$STATUS" = 200 ] || bad "scores by $1 on $2: HTTP $STATUS $(head -c 200 "$T/r.body")"
}
score "$P1" "$A" 9 8 7
score "$P2" "$A" 7 7 7
score "$TR" "$A" 8 8 8
score "$P1" "$B" 6 6 6
score "$P2" "$B" 10 10 10
score "$P1" "$C" 8 9 5
score "$P2" "$C" 4 4 4
req "$P1" POST "/api/v1/calls/$CALL/applications/$E/scores" '{"scores":{"Reporting":6,"Threats":6.5,"Commitment":5}}'
expect "a score that is not a whole number is refused" 400 "$STATUS"
score "$P1" "$E" 6 7 4
score "$P2" "$E" 6 6 5
req "$P1" POST "/api/v1/calls/$CALL/applications/$E/scores" '{"scores":{"Reporting":1,"Threats":1}}'
expect "scores must cover every criterion" 400 "$STATUS"
req "$P2" POST "/api/v1/calls/$CALL/applications/$B/conflict" '{"note":"I used to work there."}'
expect "a panel member declares a conflict of interest" "200 true" "$STATUS $(j .my_conflict)"
expect "their scores on it are dropped" 0 "$(sqlv "SELECT count(*) FROM application_scores s JOIN users u ON u.id = s.reviewer_id WHERE s.application_id = $B AND u.email = '$P2'")"
req "$P2" POST "/api/v1/calls/$CALL/applications/$B/scores" '{"scores":{"Reporting":10,"Threats":10,"Commitment":10}}'
expect "and they cannot score it" "409 conflict" "$STATUS $(j .error.code)"
req "$P1" GET "/api/v1/calls/$CALL/applications/$A"
check "a panel member does not see the other reviews" test "$(j '.reviewers // "none"')" = none
req "$TR" GET "/api/v1/calls/$CALL/applications/$A"
expect "the trainer sees every review" 3 "$(j '.reviewers | length')"
# The page's score form.
req "$P1" GET "/calls/$CALL/applications/$D"
tok=$(scrape csrf)
req "nocsrf:$P1" POST "/calls/$CALL/applications/$D/scores" "csrf=$tok&score-1=3&score-2=2&score-3=1&note=thin" application/x-www-form-urlencoded
expect "the page's score form saves and goes back to the application" \
    "303 /calls/$CALL/applications/$D?done=scored" "$STATUS $(hdr Location)"
req "nocsrf:$P1" POST "/calls/$CALL/applications/$D/scores" "csrf=$tok&score-1=3&score-2=2&note=x" application/x-www-form-urlencoded
expect "a missing score shows the form again" 400 "$STATUS"

# --- the ranking, against a computation from the raw rows ---

req "$P1" GET "/api/v1/calls/$CALL/applications"
jq -r '.applications[] | "\(.id) \(.score // "null") \(.reviews) \(.conflicts)"' "$T/r.body" |
    awk '$2 != "null" { $2 = sprintf("%.2f", $2) } { print }' >"$T/hub.rank"
python3 - "$HUB_DB" "$CALL" >"$T/own.rank" <<'EOF'
import sqlite3, sys
con = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
call = int(sys.argv[2])
weights = dict(con.execute("SELECT name, weight FROM call_criteria WHERE call_id = ?", (call,)))
conflicts = set(con.execute("SELECT application_id, reviewer_id FROM application_conflicts"))
rows = []
for app, at in con.execute("SELECT id, submitted_at FROM applications WHERE call_id = ?", (call,)):
    per = {}
    reviewers = set()
    for who, crit, s in con.execute("SELECT reviewer_id, criterion, score FROM application_scores WHERE application_id = ?", (app,)):
        if (app, who) in conflicts:
            continue
        per.setdefault(crit, []).append(s)
        reviewers.add(who)
    score = None
    if per:
        score = 100 * sum(weights[c] * sum(v) / len(v) for c, v in per.items()) / (10 * sum(weights.values()))
    n_conf = sum(1 for (a, _) in conflicts if a == app)
    rows.append((score is None, -(score or 0), at, app, score, len(reviewers), n_conf))
for r in sorted(rows):
    print(r[3], "null" if r[4] is None else "%.2f" % r[4], r[5], r[6])
EOF
check "the ranked list is the one computed from the raw rows ($(wc -l <"$T/own.rank") applications)" \
    diff "$T/own.rank" "$T/hub.rank"
expect "A leads (weighted means 8, 7.67, 7.33: 77.67)" "$A 77.67" "$(head -n 1 "$T/hub.rank" | cut -d' ' -f1,2)"
expect "C and E tie at 58.5 and the earlier submission comes first" "$C $E" \
    "$(awk '$2 == "58.50" { printf "%s%s", s, $1; s = " " }' "$T/hub.rank")"
expect "B counts only the reviewer without a conflict" "60.00 1 1" "$(awk -v b="$B" '$1 == b { print $2, $3, $4 }' "$T/hub.rank")"

# --- selection ---

n_out=$(sqlv "SELECT count(*) FROM outlets")
req "$TR" POST "/api/v1/calls/$CALL/applications/$A/select" '{}'
expect "the trainer selects the best application" 201 "$STATUS"
AOUT=$(j .outlet_id)
LINK=$(j .invite_url)
expect "the outlet is created from the application" "alpha-courier|Alpha Courier|radio|Osh|9|onboarding" \
    "$(sqlv "SELECT slug || '|' || name || '|' || media || '|' || region || '|' || staff_count || '|' || status FROM outlets WHERE id = $AOUT")"
expect "the application is selected and points to it" "selected $AOUT" \
    "$(sqlv "SELECT status || ' ' || outlet_id FROM applications WHERE id = $A")"
expect "its focal point has a login of that outlet, without a second factor yet" "focal $AOUT 1" \
    "$(sqlv "SELECT u.role || ' ' || uo.outlet_id || ' ' || (u.totp_sealed IS NULL) FROM users u JOIN user_outlets uo ON uo.user_id = u.id WHERE u.email = 'office@alpha-courier.example'")"
check "the enrolment link is on the public address" grep -Eq "^$BASE_URL/invite\\?t=[A-Za-z0-9_-]{43}\$" <<<"$LINK"
SECRET=${LINK#*t=}
expect "only the hash of the link's secret is stored, valid 14 days" "1 1209600" "$(python3 - "$HUB_DB" "$SECRET" <<'EOF'
import hashlib, sqlite3, sys
h = hashlib.blake2b(sys.argv[2].encode(), digest_size=32).digest()
con = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(*con.execute("SELECT count(*), max(expires_at - created_at) FROM invites WHERE hash = ? AND used_at IS NULL", (h,)).fetchone())
EOF
)"
check_not "the secret itself is in no database file" grep -aqF "$SECRET" "$HUB_DB" "$HUB_DB-wal"
# The second seat, through the page.
req "$TR" GET "/calls/$CALL/applications/$C"
tok=$(scrape csrf)
req "nocsrf:$TR" POST "/calls/$CALL/applications/$C/select" "csrf=$tok&focal_email=" application/x-www-form-urlencoded
expect "the page selects the second" 200 "$STATUS"
check "and shows the invitation link once" grep -q "id=\"invite-link\">$BASE_URL/invite?t=" "$T/r.body"
LINK2=$(sed -n 's/.*id="invite-link">\([^<]*\)<.*/\1/p' "$T/r.body")
req "$TR" POST "/api/v1/calls/$CALL/applications/$E/select" '{}'
expect "a third selection is over the two seats" "409 seats" "$STATUS $(j .error.code)"
expect "with a plain message" "All seats of this call are taken." "$(j .error.message)"
expect "two outlets were created, no more" $((n_out + 2)) "$(sqlv "SELECT count(*) FROM outlets")"

# --- the invitation ---

rm -f "$T/inv.jar"
REQ_EXTRA=(-c "$T/inv.jar" -b "$T/inv.jar")
req anon GET "/invite?t=$SECRET"
expect "the link opens the password form" 200 "$STATUS"
check "for the invited address" grep -q 'id="invite-email">office@alpha-courier.example<' "$T/r.body"
PRE=$(scrape pre)
req anon POST /invite "pre=$PRE&t=$SECRET&password=short&password2=short" application/x-www-form-urlencoded
expect "a short password is refused" 400 "$STATUS"
req anon POST /invite "pre=$PRE&t=$SECRET&password=a+long+password+one&password2=a+long+password+two" application/x-www-form-urlencoded
expect "two different passwords are refused" 400 "$STATUS"
req anon POST /invite "pre=$PRE&t=$SECRET&password=$HUB_PW&password2=$HUB_PW" application/x-www-form-urlencoded
expect "the password is set and the browser goes on to enrol a second factor" "303 /enrol" "$STATUS $(hdr Location)"
check "signed in at the password stage" grep -q "kk_session=.*Max-Age=600; SameSite=Strict; HttpOnly" "$T/r.hdr"
req anon GET /enrol
expect "the enrolment page opens" 200 "$STATUS"
check "with its QR code" grep -q 'src="/enrol/qr.svg"' "$T/r.body"
REQ_EXTRA=()
req anon GET "/invite?t=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
cp "$T/r.body" "$T/unknown.body"
s_unknown=$STATUS
req anon GET "/invite?t=$SECRET"
expect "a used link answers like an unknown one" "$s_unknown $(sha "$T/unknown.body")" "$STATUS $(sha "$T/r.body")"
expect "which is a refusal" 404 "$STATUS"
rm -f "$T/inv2.jar"
REQ_EXTRA=(-c "$T/inv2.jar" -b "$T/inv2.jar")
req anon GET "/invite?t=${LINK2#*t=}"
PRE2=$(scrape pre)
python3 - "$HUB_DB" <<'EOF'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], timeout=10)
con.execute("UPDATE invites SET expires_at = 1000 WHERE used_at IS NULL")
con.commit()
EOF
req anon GET "/invite?t=${LINK2#*t=}"
expect "an expired link answers like an unknown one" "$s_unknown $(sha "$T/unknown.body")" "$STATUS $(sha "$T/r.body")"
req anon POST /invite "pre=$PRE2&t=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&password=$HUB_PW&password2=$HUB_PW" application/x-www-form-urlencoded
cp "$T/r.body" "$T/unknown-post.body"
req anon POST /invite "pre=$PRE2&t=${LINK2#*t=}&password=$HUB_PW&password2=$HUB_PW" application/x-www-form-urlencoded
expect "and sets no password, answering like an unknown link" "404 $(sha "$T/unknown-post.body")" "$STATUS $(sha "$T/r.body")"
expect "the expired invitation stays unused" 1 "$(sqlv "SELECT count(*) FROM invites WHERE used_at IS NULL")"
# The new password signs in; the second factor is still to enrol.
rm -f "$T/login.jar"
REQ_EXTRA=(-c "$T/login.jar" -b "$T/login.jar")
req anon GET /login
req anon POST /login "pre=$(scrape pre)&email=office%40alpha-courier.example&password=$HUB_PW" application/x-www-form-urlencoded
expect "the focal point signs in with the new password and is sent to enrol" "303 /enrol" "$STATUS $(hdr Location)"
REQ_EXTRA=()

# --- decline, close, retention ---

req "$TR" POST "/api/v1/calls/$CALL/applications/$D/decline" '{}'
expect "the trainer declines an application" "200 declined" "$STATUS $(j .status)"
req "$TR" POST "/api/v1/calls/$CALL/close" '{}'
expect "the trainer closes the call" "200 decided" "$STATUS $(j .status)"
expect "every application not selected is declined, deleted 30 days after the decision" 0 \
    "$(sqlv "SELECT count(*) FROM applications a JOIN calls c ON c.id = a.call_id WHERE a.call_id = $CALL AND a.status <> 'selected' AND (a.status <> 'declined' OR a.purge_after <> a.decided_at + 30 * 86400 OR a.purge_after IS NULL)")"
status_of "$RB"
expect "an applicant not selected reads so" "not_selected" "$(j .status)"
app "Hotel Late" 127.0.0.12
expect "a closed call takes no more applications" "409 closed" "$STATUS $(j .error.code)"
from 127.0.0.12
REQ_EXTRA+=(-c "$T/late.jar" -b "$T/late.jar")
req anon GET "/apply/$CALL"
REQ_EXTRA=()
check "and its form says so" grep -q "no longer takes applications" "$T/r.body"

rc=0
hub_stop || rc=$?
expect "the server stops cleanly" 0 "$rc"
LATER=$(($(date +%s) + 31 * 86400))
export KALKAN_HUB_NOW=@$LATER
HUB_LOG=$T/server-later.log
hub_start --base-url "$BASE_URL"
# Sign in at the moved clock.
code=$(hub_code "$TR" "$LATER")
curl -sS -o "$T/login.out" -c "$T/jar/$TR" -H 'Content-Type: application/json' \
    --data-binary "$(jq -cn --arg e "$TR" --arg p "$HUB_PW" --arg c "$code" '{email: $e, password: $p, totp: $c}')" \
    "$HUB_URL/api/v1/login"
jq -r .csrf "$T/login.out" >"$T/csrf/$TR"
req "$TR" GET "/api/v1/calls/$CALL/applications"
expect "past the retention only the selected applications are listed" \
    "$(printf '%s\n' "$A" "$C" | sort -n | paste -sd' ')" \
    "$(jq -r '[.applications[].id] | sort | join(" ")' "$T/r.body")"
status_of "$RB"
expect "a deleted application's receipt answers like a wrong one" "404 $(sha "$T/wrong.body")" "$STATUS $(sha "$T/r.body")"
# The next change of the selection (or the housekeeping) deletes them.
req "$TR" POST /api/v1/calls '{"title":"Next year","criteria":[{"name":"A","weight":1}]}'
expect "a new call is opened" 201 "$STATUS"
expect "the rows of the unselected applications are gone" "2 0 0" \
    "$(sqlv "SELECT (SELECT count(*) FROM applications WHERE call_id = $CALL) || ' ' || (SELECT count(*) FROM application_scores s JOIN applications a ON a.id = s.application_id WHERE a.status <> 'selected') || ' ' || (SELECT count(*) FROM application_conflicts)")"
expect "with their scores; the selected ones keep theirs" 0 \
    "$(sqlv "SELECT count(*) FROM application_scores WHERE application_id NOT IN (SELECT id FROM applications)")"
expect "the outlets stay" "onboarding onboarding" \
    "$(sqlv "SELECT group_concat(status, ' ') FROM outlets WHERE id IN (SELECT outlet_id FROM applications WHERE call_id = $CALL)")"
rc=0
hub_stop || rc=$?
expect "the server stops cleanly again" 0 "$rc"
finish
