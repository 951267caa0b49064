#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# hub_incident.sh - incidents and triage guidance over HTTP against a real
# `kalkan serve` on loopback: every route of the area, as a page and as
# the API, as every role.  Reports by the focal point (form and JSON) and
# by staff; the status buttons and the clock they stamp; back-filled
# times; the timeline with notes, escalations and trainer-only notes (the
# focal point and staff never see those); the first response stamped by
# the first entry of a trainer or assistant; staff seeing only their own
# reports; an affected person, account, device or website of another
# outlet answering exactly like a missing one; titles and notes absent
# from the database file; the triage walk on pages and in the API, in
# English and Russian, and recorded into an incident's timeline.  The
# clock figures the pages show are computed again here from the raw rows
# with Python's sqlite3.
set -euo pipefail
. "$(dirname "$0")/../data/hub/lib.sh"

hub_start
hub_user trainer@inc.example trainer
hub_login trainer@inc.example
TR=trainer@inc.example
A=$(hub_outlet "$TR" alpha "Alpha News" web)
B=$(hub_outlet "$TR" bravo "Bravo TV" tv)

mk() { # WHO PATH JSON : creates through the API; prints the id
    req "$1" POST "$2" "$3"
    if [ "$STATUS" != 201 ]; then
        echo "setup: POST $2: HTTP $STATUS $(head -c 300 "$T/r.body")" >&2
        return 1
    fi
    jq -r .id "$T/r.body"
}
P1=$(mk "$TR" "/api/v1/outlets/$A/people" '{"name":"Aida Umarova","department":"editorial","email":"staff@inc.example"}')
P2=$(mk "$TR" "/api/v1/outlets/$A/people" '{"name":"Bakyt Osmonov","department":"finance"}')
MAIL=$(mk "$TR" "/api/v1/outlets/$A/accounts" "{\"platform\":\"email\",\"handle\":\"aida@alpha.example\",\"owner\":$P1}")
MAIL2=$(mk "$TR" "/api/v1/outlets/$A/accounts" "{\"platform\":\"email\",\"handle\":\"bakyt@alpha.example\",\"owner\":$P2}")
PAGE=$(mk "$TR" "/api/v1/outlets/$A/accounts" '{"platform":"fb_page","kind":"org","handle":"alpha-news"}')
PHONE=$(mk "$TR" "/api/v1/outlets/$A/devices" "{\"kind\":\"phone\",\"os\":\"Android\",\"custodian\":$P1}")
SITE=$(mk "$TR" "/api/v1/outlets/$A/websites" '{"url":"https://alpha.example"}')
PB=$(mk "$TR" "/api/v1/outlets/$B/people" '{"name":"Other Person","department":"tech"}')
AB=$(mk "$TR" "/api/v1/outlets/$B/accounts" "{\"platform\":\"email\",\"handle\":\"other@bravo.example\",\"owner\":$PB}")
DB=$(mk "$TR" "/api/v1/outlets/$B/devices" "{\"kind\":\"phone\",\"os\":\"iOS\",\"custodian\":$PB}")
WB=$(mk "$TR" "/api/v1/outlets/$B/websites" '{"url":"https://bravo.example"}')

hub_user assistant@inc.example assistant alpha
hub_user focal@inc.example focal alpha
hub_user focalb@inc.example focal bravo
hub_user staff@inc.example staff alpha
hub_user donor@inc.example donor
hub_user panel@inc.example panel
for u in assistant focal focalb staff donor panel; do hub_login "$u@inc.example"; done
AS=assistant@inc.example FO=focal@inc.example FB=focalb@inc.example
ST=staff@inc.example DO=donor@inc.example PA=panel@inc.example
expect "the staff login is Aida's person" "$P1" \
    "$(py_sqlite "$HUB_DB" "SELECT person_id FROM users WHERE email = '$ST'")"
MISSING=4503599627370001
FORM=application/x-www-form-urlencoded
q() { py_sqlite "$HUB_DB" "$1"; }
has() { grep -qF -- "$1" "$T/r.body"; }

echo "--- reports"
req "$FO" POST "/api/v1/outlets/$A/incidents" \
    "{\"type\":\"account_hijacked\",\"title\":\"Zqx1 editor mailbox taken over\",\"occurred_at\":\"2026-01-10T08:00:00Z\",\"severity\":3,\"accounts\":[$MAIL],\"people\":[$P1],\"devices\":[\"$PHONE\"]}"
expect "the focal point reports through the API" 201 "$STATUS"
I1=$(jq -r .id "$T/r.body")
expect "the answer is the incident" "account_hijacked open 3 $FO" \
    "$(jq -r '"\(.type) \(.status) \(.severity) \(.reported_by)"' "$T/r.body")"
expect "its subjects are the ones named" "[$MAIL] [$P1] [$PHONE] []" \
    "$(jq -c '.accounts, .people, .devices, .websites' "$T/r.body" | tr '\n' ' ' | sed 's/ $//')"
expect "the occurrence time comes back in ISO 8601 UTC" "2026-01-10T08:00:00Z" "$(jq -r .occurred_at "$T/r.body")"
expect "the database holds what the answer says" "account_hijacked|open|3|1768032000" \
    "$(q "SELECT type, status, severity, occurred_at FROM incidents WHERE id = $I1" | tr '\t' '|')"

req "$FO" POST "/outlets/$A/incidents" \
    "type=page_blocked&title=Zqx2+page+restricted&occurred_at=2026-01-11T09%3A30&severity=2&accounts=$PAGE&websites=$SITE" "$FORM"
expect "the report form answers with a redirect" 303 "$STATUS"
I2=$(hdr Location | sed -E 's#^/outlets/[0-9]+/incidents/([0-9]+).*#\1#')
check "it leads to the new incident's page" test "$(hdr Location)" = "/outlets/$A/incidents/$I2?done=reported"
expect "the form's time is read as UTC" "1768123800" "$(q "SELECT occurred_at FROM incidents WHERE id = $I2")"
req "$FO" GET "/outlets/$A/incidents/$I2?done=reported"
expect "the incident's page opens" 200 "$STATUS"
check "it shows the title and the notice" has "Zqx2 page restricted"
check "it lists the affected page" has "alpha-news"

req "$FO" POST "/outlets/$A/incidents" "type=malware&title=Kept+title+typed&occurred_at=&severity=4" "$FORM"
expect "a report without its time is refused" 400 "$STATUS"
check "the form comes back with what was typed" has 'value="Kept title typed"'
check "and the field named" has "When it happened (UTC)"
req "$FO" POST "/api/v1/outlets/$A/incidents" '{"type":"flood","title":"x","occurred_at":"2026-01-10T08:00:00Z"}'
expect "an unknown type is refused" "400 type: Not valid." "$STATUS $(jq -r .error.message "$T/r.body")"
req "$FO" POST "/api/v1/outlets/$A/incidents" '{"type":"malware","title":"x","occurred_at":"2099-01-10T08:00:00Z"}'
expect "a time in the future is refused" "400 occurred_at" "$STATUS $(jq -r '.error.message | split(":")[0]' "$T/r.body")"

echo "--- another outlet's objects answer like missing ones"
n0=$(q "SELECT count(*) FROM incidents")
for kv in "people $PB" "accounts $AB" "devices $DB" "websites $WB"; do
    read -r k id <<<"$kv"
    for how in api form; do
        if [ "$how" = api ]; then
            req "$FO" POST "/api/v1/outlets/$A/incidents" "{\"type\":\"malware\",\"title\":\"Mallory\",\"occurred_at\":\"2026-01-10T08:00:00Z\",\"$k\":[$id]}"
        else
            req "$FO" POST "/outlets/$A/incidents" "type=malware&title=Mallory&occurred_at=2026-01-10T08%3A00&$k=$id" "$FORM"
        fi
        s1=$STATUS h1=$(sha "$T/r.body")
        if [ "$how" = api ]; then
            req "$FO" POST "/api/v1/outlets/$A/incidents" "{\"type\":\"malware\",\"title\":\"Mallory\",\"occurred_at\":\"2026-01-10T08:00:00Z\",\"$k\":[$MISSING]}"
        else
            req "$FO" POST "/outlets/$A/incidents" "type=malware&title=Mallory&occurred_at=2026-01-10T08%3A00&$k=$MISSING" "$FORM"
        fi
        expect "B's $k in a report ($how) answers like a missing id" "400 $h1" "$s1 $(sha "$T/r.body")"
    done
done
req "$TR" POST "/api/v1/outlets/$A/incidents/$I1" "{\"accounts\":[$AB]}"
expect "B's account added to A's incident is refused" 400 "$STATUS"
expect "nothing was written" "$n0 0" \
    "$(q "SELECT count(*) FROM incidents") $(q "SELECT count(*) FROM incident_subjects s JOIN incidents i ON i.id = s.incident_id WHERE i.outlet_id = $A AND s.subject_id IN ($PB, $AB, $DB, $WB)")"
req "$FB" GET "/api/v1/outlets/$A/incidents/$I1"
s1=$STATUS h1=$(sha "$T/r.body")
req "$FB" GET "/api/v1/outlets/$A/incidents/$MISSING"
expect "B's focal point gets A's incident as a missing one" "404 $h1" "$STATUS $(sha "$T/r.body")"
req "$FB" GET "/api/v1/outlets/$B/incidents/$I1"
expect "also under B's own outlet" 404 "$STATUS"
req "$FB" POST "/api/v1/outlets/$A/incidents/$I1/events" '{"text":"Mallory"}'
expect "and cannot write to its timeline" 404 "$STATUS"
req "$FB" GET "/api/v1/outlets/$B/incidents"
expect "B's list is empty for B" "200 0" "$STATUS $(jq '.incidents | length' "$T/r.body")"

echo "--- staff"
req "$ST" POST "/api/v1/outlets/$A/incidents" \
    "{\"type\":\"phishing\",\"title\":\"Zqx3 fake Google alert\",\"occurred_at\":\"2026-01-12T10:00:00Z\",\"accounts\":[$MAIL],\"devices\":[$PHONE]}"
expect "staff report with their own account and phone" 201 "$STATUS"
I3=$(jq -r .id "$T/r.body")
req "$ST" POST "/api/v1/outlets/$A/incidents" \
    "{\"type\":\"phishing\",\"title\":\"x\",\"occurred_at\":\"2026-01-12T10:00:00Z\",\"accounts\":[$MAIL2]}"
expect "a colleague's mailbox is not theirs to name" 400 "$STATUS"
req "$ST" POST "/api/v1/outlets/$A/incidents" \
    "{\"type\":\"phishing\",\"title\":\"x\",\"occurred_at\":\"2026-01-12T10:00:00Z\",\"websites\":[$SITE]}"
expect "nor the website" 400 "$STATUS"
req "$ST" GET "/api/v1/outlets/$A/incidents"
expect "staff list only what they reported" "$I3" "$(jq -r '[.incidents[].id] | join(",")' "$T/r.body")"
expect "as the database says" "$I3" "$(q "SELECT group_concat(i.id) FROM incidents i JOIN users u ON u.id = i.reported_by WHERE u.email = '$ST'")"
req "$ST" GET "/outlets/$A/incidents"
expect "the staff page opens" 200 "$STATUS"
check "it shows their report" has "Zqx3 fake Google alert"
check_not "and not the others" has "Zqx1"
check "and offers the report form" has 'action="/outlets/'"$A"'/incidents"'
req "$ST" GET "/api/v1/outlets/$A/incidents/$I1"
expect "another's report answers as missing" 404 "$STATUS"
req "$ST" POST "/api/v1/outlets/$A/incidents/$I3" '{"status":"closed"}'
expect "staff do not change their report" 404 "$STATUS"
req "$ST" POST "/api/v1/outlets/$A/incidents/$I3/events" '{"text":"x"}'
expect "nor write in its timeline" 404 "$STATUS"

echo "--- the timeline, the first response, trainer-only notes"
req "$FO" POST "/api/v1/outlets/$A/incidents/$I1/events" '{"text":"Zqx4 she cannot sign in since the morning"}'
expect "the focal point adds a note" 201 "$STATUS"
expect "a focal point's note is no first response" "" "$(q "SELECT first_response_at FROM incidents WHERE id = $I1")"
req "$AS" POST "/api/v1/outlets/$A/incidents/$I1/events" '{"kind":"escalation","text":"Zqx5 sent to the helpline, ticket 4411"}'
expect "the assistant escalates" "201 escalation" "$STATUS $(jq -r .kind "$T/r.body")"
req "$TR" POST "/api/v1/outlets/$A/incidents/$I1/events" '{"text":"Zqx6 reused an old password","trainer_only":true}'
expect "the trainer keeps a note to trainers" 201 "$STATUS"
req "$TR" POST "/api/v1/outlets/$A/incidents/$I1/events" '{"kind":"status","text":"x"}'
expect "a status entry is not typed by hand" 400 "$STATUS"
req "$FO" POST "/api/v1/outlets/$A/incidents/$I1/events" '{"text":"x","trainer_only":true}'
expect "a focal point cannot hide a note" "400 trainer_only" "$STATUS $(jq -r '.error.message | split(":")[0]' "$T/r.body")"
expect "the first response is the assistant's first entry" \
    "$(q "SELECT min(e.at) FROM incident_events e JOIN users u ON u.id = e.user_id WHERE e.incident_id = $I1 AND u.role IN ('trainer', 'assistant')")" \
    "$(q "SELECT first_response_at FROM incidents WHERE id = $I1")"
fr=$(q "SELECT first_response_at FROM incidents WHERE id = $I1")
req "$TR" POST "/api/v1/outlets/$A/incidents/$I1/events" '{"text":"later"}'
expect "a later entry leaves it" "$fr" "$(q "SELECT first_response_at FROM incidents WHERE id = $I1")"
req "$FO" GET "/api/v1/outlets/$A/incidents/$I1"
check "the focal point reads the escalation" grep -q "Zqx5" "$T/r.body"
check_not "but never the trainer-only note (API)" grep -q "Zqx6" "$T/r.body"
req "$FO" GET "/outlets/$A/incidents/$I1"
check_not "nor on the page" has "Zqx6"
check_not "nor the checkbox to write one" has "trainer_only"
req "$AS" GET "/outlets/$A/incidents/$I1"
check "the assistant reads it on the page" has "Zqx6 reused an old password"
check "marked for trainers" has "Trainers only"
req "$TR" GET "/api/v1/outlets/$A/incidents/$I1"
expect "the trainer reads every entry" "note escalation note note" \
    "$(jq -r '[.events[].kind] | join(" ")' "$T/r.body")"
expect "as many as the database holds" "$(q "SELECT count(*) FROM incident_events WHERE incident_id = $I1")" \
    "$(jq '.events | length' "$T/r.body")"
req "$TR" POST "/api/v1/outlets/$A/incidents/$I3/events" '{"text":"Zqx7 private about the staff report","trainer_only":true}'
req "$TR" POST "/api/v1/outlets/$A/incidents/$I3/events" '{"text":"Zqx8 change the password now"}'
req "$ST" GET "/api/v1/outlets/$A/incidents/$I3"
check "staff read the answer to their report" grep -q "Zqx8" "$T/r.body"
check_not "but not the trainer-only note" grep -q "Zqx7" "$T/r.body"

echo "--- status buttons, the clock, back-filling"
req "$FO" POST "/outlets/$A/incidents/$I2" "status=contained" "$FORM"
expect "the focal point marks the page contained" "303 /outlets/$A/incidents/$I2?done=saved" "$STATUS $(hdr Location)"
now=$(date +%s)
ct=$(q "SELECT contained_at FROM incidents WHERE id = $I2")
check "the button stamped the time (within a minute of now)" test $((now - ct)) -lt 60
expect "and wrote the change in the timeline" "status" \
    "$(q "SELECT kind FROM incident_events WHERE incident_id = $I2 ORDER BY seq DESC LIMIT 1")"
req "$TR" POST "/api/v1/outlets/$A/incidents/$I2" \
    '{"status":"recovered","reported_at":"2026-01-11T10:00:00Z","first_response_at":"2026-01-11T10:45:00Z","contained_at":"2026-01-11T13:15:00Z","recovered_at":"2026-01-14T16:20:00Z"}'
expect "the trainer records the case after the fact" "200 recovered" "$STATUS $(jq -r .status "$T/r.body")"
expect "the clock in the answer counts from the report" "2700 11700 282000" \
    "$(jq -r '"\(.clock.first_response) \(.clock.contained) \(.clock.recovered)"' "$T/r.body")"
req "$TR" POST "/api/v1/outlets/$A/incidents/$I2" '{"first_response_at":"2026-01-11T09:00:00Z"}'
expect "a first response before the report is refused" "400 first_response_at" "$STATUS $(jq -r '.error.message | split(":")[0]' "$T/r.body")"
req "$TR" POST "/api/v1/outlets/$A/incidents/$I2" '{"recovered_at":"2026-01-11T12:00:00Z"}'
expect "a recovery before the containment is refused" "400 recovered_at" "$STATUS $(jq -r '.error.message | split(":")[0]' "$T/r.body")"
req "$TR" POST "/api/v1/outlets/$A/incidents/$I2" '{"closed_at":"2026-01-15T10:00:00Z"}'
expect "a closing time on an incident that is not closed is refused" 400 "$STATUS"
req "$TR" POST "/api/v1/outlets/$A/incidents/$I2" '{"status":"closed","closed_at":"2026-01-15T10:00:00Z"}'
expect "closing with its time" "200 closed 2026-01-15T10:00:00Z" "$STATUS $(jq -r '"\(.status) \(.closed_at)"' "$T/r.body")"
req "$FO" POST "/outlets/$A/incidents/$I2" "status=open" "$FORM"
expect "reopening" 303 "$STATUS"
expect "forgets the later steps" "open|||" \
    "$(q "SELECT status, contained_at, recovered_at, closed_at FROM incidents WHERE id = $I2" | tr '\t' '|')"
req "$TR" POST "/api/v1/outlets/$A/incidents/$I2" \
    '{"status":"recovered","contained_at":"2026-01-11T13:15:00Z","recovered_at":"2026-01-14T16:20:00Z"}'
expect "and recovered again" 200 "$STATUS"
req "$FO" POST "/outlets/$A/incidents/$I2" "status=closed&contained_at=2026-01-11T11%3A00&subjects=1&accounts=$PAGE" "$FORM"
expect "the edit form corrects a time" 303 "$STATUS"
expect "the website left the form, so it left the incident" "account $PAGE" \
    "$(q "SELECT subject_type, subject_id FROM incident_subjects WHERE incident_id = $I2" | tr '\t' ' ')"
req "$FO" POST "/outlets/$A/incidents/$I2" "recovered_at=2026-01-11T10%3A30" "$FORM"
expect "a wrong edit comes back" 400 "$STATUS"
check "with the edit form open" has "<details open>"

# The figures of the pages, from the raw rows.
dur() { # SECONDS -> the page's text
    python3 -c '
import sys
s = int(sys.argv[1]); m = s // 60; h = m // 60; d = h // 24
if s < 60: print("&lt; 1 min")
elif h == 0: print(f"{m} min")
elif d == 0: print(f"{h} h" + (f" {m % 60} min" if m % 60 else ""))
else: print(f"{d} d" + (f" {h % 24} h" if h % 24 else ""))' "$1"
}
rec=$(dur "$(q "SELECT recovered_at - reported_at FROM incidents WHERE id = $I2")")
fr2=$(dur "$(q "SELECT first_response_at - reported_at FROM incidents WHERE id = $I2")")
req "$FO" GET "/outlets/$A/incidents"
expect "the list opens" 200 "$STATUS"
check "it shows the time to recover computed from the rows ($rec)" has "Recovered after $rec"
check "and the time to first response ($fr2)" has "<td>$fr2</td>"
expect "it lists every incident of the outlet" "$(q "SELECT count(*) FROM incidents WHERE outlet_id = $A")" \
    "$(grep -o '<tr data-status=' "$T/r.body" | wc -l)"
req "$FO" GET "/outlets/$A/incidents/$I2"
check "the clock shows the recovery after the report" has "+$rec"
check "and the containment time corrected" has "2026-01-11 11:00 UTC"

echo "--- the programme's list"
req "$TR" POST "/api/v1/outlets/$B/incidents" '{"type":"website_down","title":"Zqx9 bravo site flooded","occurred_at":"2026-01-13T10:00:00Z"}'
expect "an incident in B" 201 "$STATUS"
req "$TR" GET /api/v1/incidents
expect "the trainer's list holds every outlet's incidents" "$(q "SELECT count(*) FROM incidents")" "$(jq '.incidents | length' "$T/r.body")"
expect "open ones first" "true" "$(jq '[.incidents[] | .status == "open" or .status == "contained"] | . == (sort | reverse)' "$T/r.body")"
req "$AS" GET /api/v1/incidents
expect "the assistant's only A's" "$(q "SELECT count(*) FROM incidents WHERE outlet_id = $A")" "$(jq '.incidents | length' "$T/r.body")"
req "$AS" GET /incidents
expect "the page opens for the assistant" 200 "$STATUS"
check_not "without B's incident" has "Zqx9"
for who in "$FO" "$ST" "$DO" "$PA"; do
    req "$who" GET /incidents
    s1=$STATUS
    req "$who" GET /api/v1/incidents
    expect "the programme's list is not for $who" "403 403" "$s1 $STATUS"
done
for who in "$DO" "$PA"; do
    req "$who" GET "/api/v1/outlets/$A/incidents"
    expect "an outlet's incidents are not for $who" 404 "$STATUS"
    req "$who" GET "/outlets/$A/incidents/$I1"
    expect "nor one incident" 404 "$STATUS"
done

echo "--- sealing"
python3 - "$HUB_DB" <<'EOF'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
con.close()
EOF
for s in "Zqx1 editor mailbox" "Zqx2 page" "Zqx4 she cannot" "Zqx6 reused" "Zqx9 bravo"; do
    check_not "\"$s\" is not in the database file in clear" \
        grep -qaF "$s" "$HUB_DB" "$HUB_DB-wal"
done
check "but the type is" grep -qaF "account_hijacked" "$HUB_DB"

echo "--- triage"
req "$ST" GET /triage
expect "staff open the triage guidance" 200 "$STATUS"
for f in account_access page_blocked website_down device_seized; do
    check "it lists $f" has "/triage/walk?flow=$f\""
done
req "$ST" GET "/triage/walk?flow=account_access"
check "a walk starts with a question" has "Which account is it?"
req "$ST" GET "/triage/walk?flow=account_access&path=22"
expect "answers lead to steps" 200 "$STATUS"
check "the steps of a changed Facebook password" has "facebook.com/hacked"
check "with a way back" has 'href="/triage/walk?flow=account_access&amp;path=2"'
req "$ST" GET "/triage/walk?flow=account_access&path=229"
expect "a path past the steps is refused" 400 "$STATUS"
req "$ST" GET "/triage/walk?flow=nothing"
expect "an unknown flow is missing" 404 "$STATUS"
req "$DO" GET /triage
expect "donors have no triage pages" 403 "$STATUS"
REQ_EXTRA=(-H "Accept-Language: ru")
req "$ST" GET "/api/v1/triage/walk?flow=website_down&path=2"
REQ_EXTRA=()
expect "the API gives the node in the caller's language" "false Нет, или я не могу понять 22" \
    "$(jq -r '"\(.end) \(.answers[1].text) \(.answers[1].path)"' "$T/r.body")"
req "$ST" GET /api/v1/triage
expect "the API lists the flows with their types" "website_down website_hacked" \
    "$(jq -r '.flows[] | select(.id == "website_down") | .types | join(" ")' "$T/r.body")"
req "$AS" GET "/outlets/$A/incidents/$I1/triage"
expect "the incident's walk opens on its type's flow" 200 "$STATUS"
check "the account flow" has "Which account is it?"
req "$AS" GET "/outlets/$A/incidents/$I1/triage?path=11"
check "its steps offer to record the walk" has 'id="triage-record"'
req "$AS" POST "/outlets/$A/incidents/$I1/triage" "flow=account_access&path=11" "$FORM"
expect "the walk is recorded" "303 /outlets/$A/incidents/$I1?done=triage#timeline" "$STATUS $(hdr Location)"
expect "on the incident" "account_access 11" "$(q "SELECT triage_flow, triage_path FROM incidents WHERE id = $I1" | tr '\t' ' ')"
req "$FO" GET "/api/v1/outlets/$A/incidents/$I1"
check "and in its timeline, with the steps" \
    test "$(jq -r '[.events[] | select(.kind == "triage")][0].text' "$T/r.body" | grep -c "myaccount.google.com/security")" = 1
req "$FO" POST "/api/v1/outlets/$A/incidents/$I1/triage" '{"flow":"account_access","path":"1"}'
expect "a walk that stops at a question is not recorded" 400 "$STATUS"
req "$ST" GET "/outlets/$A/incidents/$I3/triage"
expect "staff walk from the general pages, not the incident's" 404 "$STATUS"
req "$ST" GET "/outlets/$A/incidents/$I3"
check "their incident links to the general walk" has 'href="/triage/walk?flow=account_access"'

rc=0
hub_stop || rc=$?
expect "the server stops cleanly" 0 "$rc"
finish
