#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# hub_assess.sh - assessments, the risk matrix, findings and the action
# plan over HTTP against a real `kalkan serve` on loopback: every route of
# the area, as the page and as the API, as the trainer, an assistant and
# the focal point of the outlet; staff, donors and another outlet's focal
# point refused.  The figures the hub shows ("N of M observed", findings
# made, the risk grid's counts, overdue tasks) are checked against values
# computed here from the raw rows with Python's sqlite3, with the rules
# of which control applies to which subject written out again in Python.
set -euo pipefail
. "$(dirname "$0")/../data/hub/lib.sh"

hub_start
hub_user trainer@asmt.example trainer
hub_login trainer@asmt.example
TR=trainer@asmt.example
A=$(hub_outlet "$TR" alpha "Alpha News" web)
B=$(hub_outlet "$TR" bravo "Bravo TV" tv)
hub_user assistant@asmt.example assistant alpha
hub_user focal@asmt.example focal alpha
hub_user focalb@asmt.example focal bravo
hub_user staff@asmt.example staff alpha
hub_user donor@asmt.example donor
for u in assistant focal focalb staff donor; do hub_login "$u@asmt.example"; done
AS=assistant@asmt.example FO=focal@asmt.example FB=focalb@asmt.example
ST=staff@asmt.example DO=donor@asmt.example

# mk WHO PATH JSON : creates through the API; prints the id.
mk() {
    req "$1" POST "$2" "$3"
    if [ "$STATUS" != 201 ]; then
        echo "setup: POST $2: HTTP $STATUS $(head -c 300 "$T/r.body")" >&2
        return 1
    fi
    jq -r .id "$T/r.body"
}
P1=$(mk "$TR" "/api/v1/outlets/$A/people" '{"name":"Aida Umarova","department":"editorial"}')
P2=$(mk "$TR" "/api/v1/outlets/$A/people" '{"name":"Bakyt Osmonov","department":"finance"}')
PB=$(mk "$TR" "/api/v1/outlets/$B/people" '{"name":"Other Person","department":"tech"}')
LAPTOP=$(mk "$TR" "/api/v1/outlets/$A/devices" "{\"kind\":\"laptop\",\"os\":\"Debian\",\"custodian\":$P1}")
PHONE=$(mk "$TR" "/api/v1/outlets/$A/devices" "{\"kind\":\"phone\",\"os\":\"Android\",\"custodian\":$P2}")
MAIL=$(mk "$TR" "/api/v1/outlets/$A/accounts" "{\"platform\":\"email\",\"handle\":\"aida@alpha.example\",\"owner\":$P1}")
PAGE=$(mk "$TR" "/api/v1/outlets/$A/accounts" '{"platform":"fb_page","kind":"org","handle":"alpha-news"}')
mk "$TR" "/api/v1/outlets/$A/websites" '{"url":"https://alpha.example"}' >/dev/null

# The sheet's size and progress, computed independently: subjects alive
# now, crossed with the controls table by the rules of docs/hub-assessments.md.
sheet() { # ASSESSMENT_ID -> "observed expected"
    python3 - "$HUB_DB" "$A" "$1" <<'EOF'
import sqlite3, sys
con = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
outlet, aid = int(sys.argv[2]), int(sys.argv[3])
ctl = con.execute("SELECT id, applies FROM controls").fetchall()
only = {"ACC-01": {"email", "workspace"}, "ACC-02": {"email", "workspace"},
        "ACC-04": {"fb_profile"}, "ACC-05": {"fb_profile"},
        "ACC-06": {"fb_page"}, "ACC-07": {"meta_business"},
        "ACC-08": {"fb_page"}, "ACC-09": {"instagram"},
        "ACC-10": {"telegram_user"}, "ACC-11": {"telegram_channel"},
        "ACC-12": {"whatsapp"}, "ACC-13": {"ok"},
        "ACC-16": {"fb_page", "meta_business", "telegram_channel",
                   "registrar", "hosting", "dns", "cms_admin", "workspace"},
        "ACC-17": {"registrar", "hosting", "dns"}, "ACC-18": {"cms_admin"}}
def device_ok(c, kind):
    if kind in ("phone", "tablet"):
        return c in ("DEV-16", "DEV-17")
    if kind == "router":
        return c == "DEV-18"
    if kind == "server":
        return c not in ("DEV-08", "DEV-09", "DEV-11", "DEV-16", "DEV-18")
    return c not in ("DEV-16", "DEV-18")
subj = [("outlet", outlet, "")]
subj += [("person", i, "") for (i,) in con.execute(
    "SELECT id FROM people WHERE outlet_id = ? AND archived_at IS NULL", (outlet,))]
subj += [("account", i, k) for (i, k) in con.execute(
    "SELECT id, platform FROM accounts WHERE outlet_id = ? AND archived_at IS NULL", (outlet,))]
subj += [("device", i, k) for (i, k) in con.execute(
    "SELECT id, kind FROM devices WHERE outlet_id = ? AND archived_at IS NULL", (outlet,))]
subj += [("website", i, "") for (i,) in con.execute(
    "SELECT id FROM websites WHERE outlet_id = ? AND archived_at IS NULL", (outlet,))]
pairs = set()
for (t, i, k) in subj:
    for (c, applies) in ctl:
        if applies != t:
            continue
        if t == "account" and c in only and k not in only[c]:
            continue
        if t == "device" and not device_ok(c, k):
            continue
        pairs.add((t, i, c))
seen = {(t, i, c) for (t, i, c) in con.execute(
    "SELECT subject_type, subject_id, control_id FROM observations "
    "WHERE assessment_id = ?", (aid,))}
print(len(pairs & seen), len(pairs))
EOF
}
count() { py_sqlite "$HUB_DB" "$1"; }

echo "--- assessments"
req "$AS" POST "/api/v1/outlets/$A/assessments" '{"kind":"baseline","held_on":"2026-01-10"}'
expect "the assistant starts a baseline" 201 "$STATUS"
AID=$(jq -r .id "$T/r.body")
read -r obs exp < <(sheet "$AID")
expect "a new assessment has observed nothing" "0" "$(jq -r .observed "$T/r.body")"
expect "its sheet has as many lines as the register and catalogue give" "$exp" "$(jq -r .expected "$T/r.body")"
req "$AS" POST "/api/v1/outlets/$A/assessments" '{"kind":"quarterly"}'
expect "an unknown kind is refused" 400 "$STATUS"
req "$AS" POST "/api/v1/outlets/$A/assessments" '{"kind":"adhoc","held_on":"2026-02-31"}'
expect "an impossible date is refused" 400 "$STATUS"

R="{\"results\":[
 {\"control_id\":\"ACC-01\",\"subject_type\":\"account\",\"subject_id\":$MAIL,\"status\":\"fail\",\"note\":\"SMS only\"},
 {\"control_id\":\"ACC-06\",\"subject_type\":\"account\",\"subject_id\":$PAGE,\"status\":\"fail\"},
 {\"control_id\":\"DEV-06\",\"subject_type\":\"device\",\"subject_id\":$LAPTOP,\"status\":\"fail\"},
 {\"control_id\":\"DEV-16\",\"subject_type\":\"device\",\"subject_id\":$PHONE,\"status\":\"partial\"},
 {\"control_id\":\"ACC-14\",\"subject_type\":\"person\",\"subject_id\":$P1,\"status\":\"pass\"},
 {\"control_id\":\"PHY-01\",\"subject_type\":\"outlet\",\"subject_id\":$A,\"status\":\"na\"}]}"
n0=$(count "SELECT count(*) FROM observations")
req "$AS" POST "/api/v1/outlets/$A/assessments/$AID/results" \
    "{\"results\":[{\"control_id\":\"ACC-14\",\"subject_type\":\"person\",\"subject_id\":$P1,\"status\":\"pass\"},{\"control_id\":\"DEV-16\",\"subject_type\":\"device\",\"subject_id\":$LAPTOP,\"status\":\"pass\"}]}"
expect "a phone control on a laptop is refused" 400 "$STATUS"
req "$AS" POST "/api/v1/outlets/$A/assessments/$AID/results" \
    "{\"results\":[{\"control_id\":\"ACC-14\",\"subject_type\":\"person\",\"subject_id\":$P1,\"status\":\"pass\"},{\"control_id\":\"ACC-14\",\"subject_type\":\"person\",\"subject_id\":$PB,\"status\":\"pass\"}]}"
expect "a result about another outlet's person answers like a missing one" 404 "$STATUS"
expect "and nothing of the request is written" "$n0" "$(count "SELECT count(*) FROM observations")"
req "$AS" POST "/api/v1/outlets/$A/assessments/$AID/results" "$R"
expect "the assistant records six results" 201 "$STATUS"
read -r obs exp < <(sheet "$AID")
expect "observed, as counted from the rows" "$obs" "$(jq -r .observed "$T/r.body")"
expect "six lines observed" 6 "$obs"
expect "results are observations of the assessment" 6 \
    "$(count "SELECT count(*) FROM observations WHERE assessment_id = $AID AND source = 'manual' AND outlet_id = $A")"

# The sheet as a page, and a result recorded through its form.
req "$AS" GET "/outlets/$A/assessments/$AID?area=accounts"
expect "the sheet page opens" 200 "$STATUS"
check "it has a form per subject" grep -q 'name="status.ACC-14"' "$T/r.body"
check "it shows the recorded result" grep -q 'SMS only' "$T/r.body"
req "$AS" POST "/outlets/$A/assessments/$AID/results?area=accounts" \
    "subject_type=person&subject_id=$P2&status.ACC-14=fail&note.ACC-14=Reuses+one+password&status.ACC-03=" \
    application/x-www-form-urlencoded
expect "the sheet form records and redirects" 303 "$STATUS"
check "back to the sheet" grep -qi "^location: /outlets/$A/assessments/$AID?done=recorded" "$T/r.hdr"
req "$AS" POST "/outlets/$A/assessments/$AID/results" \
    "subject_type=person&subject_id=$P2&status.ACC-14=maybe" application/x-www-form-urlencoded
expect "a bad result re-renders the sheet" 400 "$STATUS"
check "with the message next to the line" grep -q 'Choose pass, partial, fail or not applicable' "$T/r.body"
req "$AS" GET "/outlets/$A/assessments"
expect "the list page opens" 200 "$STATUS"
read -r obs exp < <(sheet "$AID")
check "the list shows N of M observed" grep -q ">$obs of $exp observed<" "$T/r.body"
req "$AS" GET "/api/v1/outlets/$A/assessments"
expect "the API lists one assessment" 1 "$(jq '.assessments | length' "$T/r.body")"
expect "with its progress" "$obs" "$(jq '.assessments[0].observed' "$T/r.body")"
req "$AS" POST "/outlets/$A/assessments" "kind=midline&held_on=2026-04-02" application/x-www-form-urlencoded
expect "the start form redirects to the new sheet" 303 "$STATUS"
req "$AS" POST "/outlets/$A/assessments" "kind=midline&held_on=2026-04-99" application/x-www-form-urlencoded
expect "a bad date re-renders the list" 400 "$STATUS"
check "with the message" grep -q 'Enter a date as YYYY-MM-DD.' "$T/r.body"
# A wrong first field: the form comes back with every field, the date too
# (read before the refusal), and the server lives on.
req "$AS" POST "/outlets/$A/assessments" "kind=yearly&held_on=2026-04-03" application/x-www-form-urlencoded
expect "a wrong kind re-renders the list" 400 "$STATUS"
check "with the kind's message" grep -q 'Choose a kind.' "$T/r.body"
req "$AS" POST "/outlets/$A/assessments" "kind=yearly" application/x-www-form-urlencoded
expect "a wrong kind and no date re-render the list" 400 "$STATUS"
check "the hub is alive after the refusals" hub_alive

echo "--- findings from the failed controls"
want=$(count "SELECT count(DISTINCT control_id) FROM observations o WHERE assessment_id = $AID AND status = 'fail' AND seq = (SELECT max(seq) FROM observations o2 WHERE o2.assessment_id = o.assessment_id AND o2.subject_type = o.subject_type AND o2.subject_id = o.subject_id AND o2.control_id = o.control_id)")
req "$TR" POST "/api/v1/outlets/$A/assessments/$AID/findings"
expect "the trainer turns fails into findings" 201 "$STATUS"
expect "one per failed control" "$want" "$(jq .created "$T/r.body")"
req "$TR" POST "/outlets/$A/assessments/$AID/findings" "" application/x-www-form-urlencoded
expect "again, from the page" 303 "$STATUS"
expect "adds nothing the second time" "$want" \
    "$(count "SELECT count(*) FROM findings WHERE assessment_id = $AID")"

echo "--- closing"
req "$AS" POST "/api/v1/outlets/$A/assessments/$AID/close" '{"summary":"Zqsummary: laptops unencrypted"}'
expect "the assistant closes it" 200 "$STATUS"
expect "closed" closed "$(jq -r .status "$T/r.body")"
expect "the summary reads back" "Zqsummary: laptops unencrypted" "$(jq -r .summary "$T/r.body")"
check_not "the summary is not in the database in clear" grep -qa Zqsummary "$HUB_DB" "$HUB_DB-wal"
req "$AS" POST "/api/v1/outlets/$A/assessments/$AID/close" '{}'
expect "closing twice is a conflict" 409 "$STATUS"
req "$AS" POST "/api/v1/outlets/$A/assessments/$AID/results" "$R"
expect "a closed assessment takes no results" 409 "$STATUS"
req "$FO" GET "/outlets/$A/assessments/$AID"
expect "the focal point reads the sheet" 200 "$STATUS"
check_not "without forms" grep -q 'name="status.' "$T/r.body"
req "$FO" GET "/api/v1/outlets/$A/assessments/$AID"
expect "and its results" 7 "$(jq '.results | length' "$T/r.body")"

echo "--- the risk matrix"
R1=$(mk "$AS" "/api/v1/outlets/$A/risks" '{"adversary":"Hired hackers","capability":4,"likelihood":4,"impact":5,"work":"Zqwork the website","notes":"Zqnotes after the election story"}')
R2=$(mk "$AS" "/api/v1/outlets/$A/risks" '{"adversary":"Trolls","likelihood":2,"impact":2}')
R3=$(mk "$TR" "/api/v1/outlets/$A/risks" '{"adversary":"Officials","likelihood":3,"impact":4}')
req "$AS" POST "/api/v1/outlets/$A/risks" '{"adversary":"x","likelihood":9}'
expect "a likelihood of 9 is refused" 400 "$STATUS"
req "$AS" POST "/outlets/$A/risks" "adversary=&likelihood=3&impact=3&capability=3" application/x-www-form-urlencoded
expect "a risk without adversary re-renders the form" 400 "$STATUS"
check "naming the field" grep -q 'Name the adversary' "$T/r.body"
req "$AS" POST "/api/v1/outlets/$A/risks/$R2" '{"likelihood":5}'
expect "a partial update" 200 "$STATUS"
expect "keeps what it does not send" Trolls "$(jq -r .adversary "$T/r.body")"
req "$AS" POST "/outlets/$A/risks/$R3" "adversary=Officials&capability=3&likelihood=1&impact=4&work=&notes=" application/x-www-form-urlencoded
expect "the edit form saves" 303 "$STATUS"
req "$AS" GET "/api/v1/outlets/$A/risks/$R1"
expect "the sealed text reads back" "Zqwork the website" "$(jq -r .work "$T/r.body")"
check_not "and is not in the database in clear" grep -qa Zqwork "$HUB_DB" "$HUB_DB-wal"
req "$AS" POST "/outlets/$A/risks/$R3/archive" "" application/x-www-form-urlencoded
expect "archive from the page" 303 "$STATUS"
req "$AS" POST "/api/v1/outlets/$A/risks/$R2/archive" '{}'
expect "archive through the API" 200 "$STATUS"
req "$AS" GET "/api/v1/outlets/$A/risks/$R2"
expect "an archived risk is gone" 404 "$STATUS"
R4=$(mk "$AS" "/api/v1/outlets/$A/risks" '{"adversary":"Phishers","likelihood":5,"impact":5}')
req "$FO" GET "/outlets/$A/risks"
expect "the focal point reads the matrix" 200 "$STATUS"
for c in 1 2 3 4; do
    lo=(0 1 5 10 20) hi=(0 4 9 16 25)
    n=$(count "SELECT count(*) FROM risks WHERE outlet_id = $A AND archived_at IS NULL AND likelihood * impact BETWEEN ${lo[$c]} AND ${hi[$c]}")
    check "the grid's text says $n risk(s) of class $c" grep -q "(${lo[$c]}-${hi[$c]}): $n</li>" "$T/r.body"
done
n=$(count "SELECT count(*) FROM risks WHERE outlet_id = $A AND archived_at IS NULL AND likelihood = 4 AND impact = 5")
check "the cell likelihood 4 x impact 5 counts $n" grep -qE "<tr><th scope=\"row\">4</th>(<td[^<]*</td>){4}<td class=\"kk-risk4\" title=\"Critical\">$n</td></tr>" "$T/r.body"
check_not "no form for the focal point" grep -q 'Add the risk' "$T/r.body"
req "$FO" GET "/outlets/$A/risks/$R4"
expect "the focal point opens a risk" 200 "$STATUS"
req "$AS" GET "/api/v1/outlets/$A/risks"
expect "the API lists the live risks" "$(count "SELECT count(*) FROM risks WHERE outlet_id = $A AND archived_at IS NULL")" \
    "$(jq '.risks | length' "$T/r.body")"

echo "--- findings"
F1=$(mk "$AS" "/api/v1/outlets/$A/findings" '{"title":"Zqtitle the Page has a former admin","controls":["acc-06","ACC-16"],"likelihood":4,"impact":5}')
expect "controls are normalised" '["ACC-06","ACC-16"]' "$(jq -c .controls "$T/r.body")"
req "$AS" POST "/api/v1/outlets/$A/findings" '{"title":"x","controls":"ACC-99"}'
expect "an unknown control is refused" 400 "$STATUS"
req "$AS" POST "/outlets/$A/findings" "title=From+the+form&controls=DEV-06,+dev-17&likelihood=2&impact=3" application/x-www-form-urlencoded
expect "the add form saves" 303 "$STATUS"
req "$AS" POST "/api/v1/outlets/$A/findings/$F1" '{"status":"resolved"}'
expect "resolved" resolved "$(jq -r .status "$T/r.body")"
check "resolved_at is set" test -n "$(count "SELECT resolved_at FROM findings WHERE id = $F1")"
req "$AS" POST "/outlets/$A/findings/$F1" "title=Zqtitle+renamed&controls=ACC-06&likelihood=4&impact=5&status=open" application/x-www-form-urlencoded
expect "the edit form saves" 303 "$STATUS"
expect "reopened: resolved_at cleared" "" "$(count "SELECT resolved_at FROM findings WHERE id = $F1")"
check_not "finding titles are not in the database in clear" grep -qa Zqtitle "$HUB_DB" "$HUB_DB-wal"
req "$AS" POST "/outlets/$A/findings/$F1/tasks" "title=Remove+the+former+admin&owner=$P1&due=2020-01-01" application/x-www-form-urlencoded
expect "a task from the finding page" 303 "$STATUS"
req "$AS" POST "/api/v1/outlets/$A/findings/$F1/tasks" "{\"title\":\"Check the Page weekly\",\"owner\":$P2,\"due\":\"2999-01-01\"}"
expect "a task for the finding through the API" 201 "$STATUS"
expect "linked to it" "$F1" "$(jq .finding_id "$T/r.body")"
req "$AS" POST "/api/v1/outlets/$A/findings/$F1/tasks" "{\"title\":\"x\",\"owner\":$PB}"
expect "an owner of another outlet answers like a missing one" 404 "$STATUS"
req "$FO" GET "/outlets/$A/findings/$F1"
expect "the focal point opens a finding" 200 "$STATUS"
check "with its tasks" grep -q 'Remove the former admin' "$T/r.body"
req "$FO" GET "/outlets/$A/findings"
expect "and the list" 200 "$STATUS"
req "$FO" GET "/api/v1/outlets/$A/findings"
expect "the API lists the findings" "$(count "SELECT count(*) FROM findings WHERE outlet_id = $A")" "$(jq '.findings | length' "$T/r.body")"
req "$FO" GET "/api/v1/outlets/$A/findings/$F1"
expect "one finding" 2 "$(jq .tasks "$T/r.body")"

echo "--- the action plan"
T1=$(mk "$TR" "/api/v1/outlets/$A/tasks" "{\"title\":\"Encrypt the laptops\",\"owner\":$P1,\"due\":\"2021-06-01\"}")
req "$AS" POST "/outlets/$A/tasks" "title=Back+up+the+site&owner=$P2&due=2999-05-01" application/x-www-form-urlencoded
expect "the add form saves" 303 "$STATUS"
req "$AS" POST "/outlets/$A/tasks" "title=&owner=$P2" application/x-www-form-urlencoded
expect "a task without a title re-renders the form" 400 "$STATUS"
today=$(date -u +%F)
req "$FO" GET "/api/v1/outlets/$A/tasks"
expect "the API lists the tasks" "$(count "SELECT count(*) FROM tasks WHERE outlet_id = $A")" "$(jq '.tasks | length' "$T/r.body")"
overdue=$(count "SELECT count(*) FROM tasks WHERE outlet_id = $A AND status = 'open' AND due <> '' AND due < '$today'")
expect "the overdue ones, as counted from the rows" "$overdue" "$(jq '[.tasks[] | select(.overdue)] | length' "$T/r.body")"
expect "come first" "$(printf 'true%.0s\n' $(seq "$overdue"))" "$(jq -r ".tasks[:$overdue][] | .overdue" "$T/r.body")"
req "$FO" GET "/outlets/$A/tasks"
expect "the focal point opens the action plan" 200 "$STATUS"
check "overdue tasks are marked" grep -q 'class="kk-overdue"' "$T/r.body"
check "the summary counts them" grep -q "tasks, $overdue " "$T/r.body"
req "$FO" POST "/api/v1/outlets/$A/tasks/$T1" "{\"status\":\"done\",\"title\":\"Hijacked\",\"owner\":$P2}"
expect "the focal point marks a task done" 200 "$STATUS"
expect "changing only its status" "Encrypt the laptops|$P1|done" \
    "$(count "SELECT title || '|' || owner_id || '|' || status FROM tasks WHERE id = $T1")"
req "$FO" POST "/outlets/$A/tasks/$T1" "status=open" application/x-www-form-urlencoded
expect "and open again from the page" 303 "$STATUS"
expect "done_at cleared" "" "$(count "SELECT done_at FROM tasks WHERE id = $T1")"
req "$FO" GET "/outlets/$A/tasks/$T1"
expect "the focal point opens a task" 200 "$STATUS"
req "$AS" GET "/api/v1/outlets/$A/tasks/$T1"
expect "one task" "Encrypt the laptops" "$(jq -r .title "$T/r.body")"
req "$FO" POST "/api/v1/outlets/$A/tasks" '{"title":"x"}'
expect "the focal point cannot add tasks" 404 "$STATUS"
req "$FO" POST "/api/v1/outlets/$A/assessments" '{"kind":"adhoc"}'
expect "nor start assessments" 404 "$STATUS"
req "$FO" POST "/api/v1/outlets/$A/risks" '{"adversary":"x"}'
expect "nor add risks" 404 "$STATUS"

echo "--- who is refused"
for who in "$ST" "$DO" "$FB"; do
    for p in "/outlets/$A/assessments" "/outlets/$A/assessments/$AID" "/outlets/$A/risks" \
        "/outlets/$A/findings/$F1" "/outlets/$A/tasks" "/api/v1/outlets/$A/assessments" \
        "/api/v1/outlets/$A/tasks/$T1"; do
        req "$who" GET "$p"
        expect "$who: GET $p answers like a missing object" 404 "$STATUS"
    done
done
req "$FB" GET "/outlets/$B/assessments"
expect "bravo's focal point reads its own list" 200 "$STATUS"
req "$TR" GET "/api/v1/outlets/$B/assessments/$AID"
expect "alpha's assessment under bravo is not found" 404 "$STATUS"

echo "--- every route of the area was used"
"$KALKAN" serve --list-routes | grep -cE '/(assessments|risks|findings|tasks)' >"$T/n"
expect "40 routes" 40 "$(cat "$T/n")"
finish
