#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# hub_training.sh - training over real HTTP against `kalkan serve`: the
# curriculum (the standard modules added once, a module of the trainer's,
# titles in the reader's language), sessions of one outlet and of two,
# attendance through the API (all or nothing) and through the page's form
# (hours as typed), who may read and change what (trainer, assistant,
# focal point, staff, donor), another outlet's session or person
# answering exactly like a missing one, and each outlet's progress checked
# against figures computed here from the raw rows.
set -euo pipefail
. "$(dirname "$0")/../data/hub/lib.sh"

MISSING=4503599627370001

hub_start
hub_user trainer@train.example trainer
hub_login trainer@train.example
TR=trainer@train.example
A=$(hub_outlet "$TR" alpha "Alpha Radio" radio)
B=$(hub_outlet "$TR" bravo "Bravo TV" tv)
mk() { # OUTLET JSON : a person; prints the id
    req "$TR" POST "/api/v1/outlets/$1/people" "$2"
    [ "$STATUS" = 201 ] || { echo "person: $STATUS $(cat "$T/r.body")" >&2; return 1; }
    jq -r .id "$T/r.body"
}
PA1=$(mk "$A" '{"name":"Aigul Editor","department":"editorial","email":"aigul@alpha.example"}')
PA2=$(mk "$A" '{"name":"Bakyt Accountant","department":"finance"}')
PA3=$(mk "$A" '{"name":"Cholpon Office","department":"admin"}')
PB1=$(mk "$B" '{"name":"Dinara Bravo","department":"editorial"}')
hub_user assistant@train.example assistant alpha
hub_user focal@alpha.example focal alpha
hub_user focal@bravo.example focal bravo
hub_user aigul@alpha.example staff alpha
hub_user donor@train.example donor
for u in assistant@train.example focal@alpha.example focal@bravo.example \
    aigul@alpha.example donor@train.example; do
    hub_login "$u"
done
AS=assistant@train.example FA=focal@alpha.example FB=focal@bravo.example
ST=aigul@alpha.example DN=donor@train.example

# --- the curriculum ---
req "$TR" POST /api/v1/modules/standard '{}'
expect "the standard curriculum adds ten modules" "200 10" "$STATUS $(jq .added "$T/r.body")"
req "$TR" POST /api/v1/modules/standard '{}'
expect "adding it again adds nothing" "200 0" "$STATUS $(jq .added "$T/r.body")"
req "$FA" POST /api/v1/modules/standard '{}'
expect "a focal point may not add it" 403 "$STATUS"
req "$ST" GET /api/v1/modules
expect "staff read the curriculum" "200 10" "$STATUS $(jq '.modules | length' "$T/r.body")"
expect "a standard module carries its titles in three languages" \
    "true Двухэтапная аутентификация для почты и соцсетей" \
    "$(jq -r '.modules[] | select(.code == "S01-2FA") | "\(.standard) \(.titles.ru)"' "$T/r.body")"
M1=$(jq -r '.modules[] | select(.code == "S01-2FA") | .id' "$T/r.body")
M2=$(jq -r '.modules[] | select(.code == "S02-FBPAGE") | .id' "$T/r.body")
req "$TR" POST /api/v1/modules '{"code":"OWN-1","title":"Our own module","minutes":90,"audience":"finance","controls":["acc-14","DEV-02"],"summary":"For the accountants."}'
expect "the trainer adds a module" "201 ACC-14,DEV-02 finance" \
    "$STATUS $(jq -r '"\(.controls | join(",")) \(.audience)"' "$T/r.body")"
M3=$(jq -r .id "$T/r.body")
req "$TR" POST /api/v1/modules '{"code":"OWN-1","title":"Again","minutes":60}'
expect "a code is used once" "400 code: Already used by another module." \
    "$STATUS $(jq -r .error.message "$T/r.body")"
req "$TR" POST /api/v1/modules '{"code":"OWN-2","title":"Bad controls","minutes":60,"controls":"ACC-01, NOPE-9"}'
expect "controls must be in the catalogue" "400 controls" \
    "$STATUS $(jq -r '.error.message | split(":")[0]' "$T/r.body")"
req "$TR" POST /api/v1/modules '{"code":"own 3","title":"Bad code","minutes":60}'
expect "a code has a form" 400 "$STATUS"
n=$(py_sqlite "$HUB_DB" "SELECT count(*) FROM modules")
expect "refused modules left nothing behind" 11 "$n"
REQ_EXTRA=(-H 'Accept-Language: ru')
req "$FA" GET /curriculum
REQ_EXTRA=()
check "the curriculum page shows a standard title in Russian" \
    grep -q "Безопасность и восстановление страницы Facebook" "$T/r.body"
check "and the trainer's own module as written" grep -q "Our own module" "$T/r.body"
req "$TR" POST "/api/v1/modules/$M2" '{"title":"Facebook Pages, our way"}'
expect "the trainer rewrites a standard title" "200 false" \
    "$STATUS $(jq .standard "$T/r.body")"
REQ_EXTRA=(-H 'Accept-Language: ru')
req "$FA" GET /curriculum
REQ_EXTRA=()
check "the rewritten title shows as written" grep -q "Facebook Pages, our way" "$T/r.body"
req "$FA" GET "/curriculum/$M3"
expect "everyone signed in opens a module" 200 "$STATUS"
check_not "a focal point gets no edit form" grep -q 'name="code"' "$T/r.body"

# --- sessions ---
sess() { # WHO JSON : POST /api/v1/sessions
    req "$1" POST /api/v1/sessions "$2"
}
sess "$TR" "{\"title\":\"Residency one\",\"held_on\":\"2026-06-01\",\"days\":2,\"place\":\"Bishkek\",\"outlets\":[$A,$B],\"modules\":[$M1,$M3]}"
expect "the trainer plans a session of two outlets" "201 2 2 270" \
    "$STATUS $(jq -r '"\(.outlets | length) \(.modules | length) \(.minutes)"' "$T/r.body")"
S1=$(jq -r .id "$T/r.body")
sess "$AS" "{\"title\":\"Alpha visit\",\"held_on\":\"2026-07-01\",\"outlets\":[$A],\"modules\":[$M2]}"
expect "the assistant plans a session of their outlet" "201 $A" \
    "$STATUS $(jq -r '.outlets[0].id' "$T/r.body")"
S2=$(jq -r .id "$T/r.body")
expect "led by the assistant when nobody else is named" assistant@train.example \
    "$(jq -r .trainer_email "$T/r.body")"
sess "$AS" "{\"title\":\"Bravo visit\",\"held_on\":\"2026-07-02\",\"outlets\":[$B]}"
cp "$T/r.body" "$T/b.body"
s_b=$STATUS
sess "$AS" "{\"title\":\"Bravo visit\",\"held_on\":\"2026-07-02\",\"outlets\":[$MISSING]}"
expect "another outlet in a new session answers like a missing one" \
    "$STATUS $(sha "$T/r.body")" "$s_b $(sha "$T/b.body")"
expect "and says which field" "400 outlets: Not an outlet you work with." \
    "$s_b $(jq -r .error.message "$T/b.body")"
sess "$FA" "{\"title\":\"Mine\",\"held_on\":\"2026-07-02\",\"outlets\":[$A]}"
expect "a focal point plans no session" 403 "$STATUS"
sess "$TR" '{"title":"No outlet","held_on":"2026-07-02","outlets":[]}'
expect "a session needs an outlet" "400 outlets: Choose at least one outlet." \
    "$STATUS $(jq -r .error.message "$T/r.body")"
sess "$TR" "{\"title\":\"Bad day\",\"held_on\":\"2026-13-40\",\"outlets\":[$A]}"
expect "a first day is a date" "400 held_on" "$STATUS $(jq -r '.error.message | split(":")[0]' "$T/r.body")"
expect "refused sessions left nothing behind" 2 \
    "$(py_sqlite "$HUB_DB" "SELECT count(*) FROM training_sessions")"

req "$AS" POST "/api/v1/sessions/$S1" '{"place":"Osh"}'
expect "the assistant may not change a session shared with another outlet" 404 "$STATUS"
req "$AS" POST "/api/v1/sessions/$S2" '{"place":"Naryn","days":3}'
expect "the assistant changes their own" "200 Naryn 3 Alpha visit" \
    "$STATUS $(jq -r '"\(.place) \(.days) \(.title)"' "$T/r.body")"

# --- attendance through the API ---
att() { # WHO SESSION JSON
    req "$1" POST "/api/v1/sessions/$2/attendance" "$3"
}
rows() { py_sqlite "$HUB_DB" "SELECT count(*) FROM attendance"; }
att "$TR" "$S1" "{\"attendance\":[{\"person\":$PA1,\"minutes\":400,\"pre_score\":30,\"post_score\":80},{\"person\":$PA2,\"present\":true,\"pre_score\":120}]}"
expect "a score above 100 refuses the whole list" "400 attendance[1].pre_score: Not valid. 0" \
    "$STATUS $(jq -r .error.message "$T/r.body") $(rows)"
att "$TR" "$S2" "{\"attendance\":[{\"person\":$PA1},{\"person\":$PB1}]}"
cp "$T/r.body" "$T/b.body"
s_b=$STATUS
att "$TR" "$S2" "{\"attendance\":[{\"person\":$PA1},{\"person\":$MISSING}]}"
expect "a person of another outlet answers like a missing one" \
    "$STATUS $(sha "$T/r.body")" "$s_b $(sha "$T/b.body")"
expect "and nothing is written" "400 attendance[1].person: Not a person of this session. 0" \
    "$s_b $(jq -r .error.message "$T/b.body") $(rows)"
att "$TR" "$S1" "{\"attendance\":[{\"person\":$PA1,\"minutes\":400,\"pre_score\":30,\"post_score\":80},{\"person\":$PA2,\"present\":false},{\"person\":$PB1,\"pre_score\":50,\"post_score\":70}]}"
expect "the trainer records the shared session" "200 3" "$STATUS $(rows)"
expect "someone present without minutes gets the whole session" 270 \
    "$(py_sqlite "$HUB_DB" "SELECT minutes FROM attendance WHERE person_id = $PB1")"
att "$AS" "$S1" "{\"attendance\":[{\"person\":$PA3}]}"
expect "the assistant may not record the shared session" 404 "$STATUS"
att "$AS" "$S2" "{\"attendance\":[{\"person\":$PA3,\"minutes\":90,\"pre_score\":20,\"post_score\":60}]}"
expect "the assistant records their own session" "200 4" "$STATUS $(rows)"
att "$TR" "$S1" "{\"attendance\":[{\"person\":$PA2,\"present\":false,\"minutes\":60}]}"
expect "an absent person has no minutes" 400 "$STATUS"

# --- who reads what ---
show() { req "$1" GET "/api/v1/sessions/$2"; }
show "$FA" "$S1"
expect "A's focal point sees the shared session with A only" "200 $A" \
    "$STATUS $(jq -r '[.outlets[].id] | join(",")' "$T/r.body")"
expect "and A's people only" "$(printf '%s\n' "$PA1" "$PA2" "$PA3" | sort | paste -sd,)" \
    "$(jq -r '.attendance[].person' "$T/r.body" | sort | paste -sd,)"
check_not "nothing of B in the answer" grep -q "Bravo\|Dinara\|$PB1" "$T/r.body"
show "$FB" "$S1"
expect "B's focal point sees B only" "200 $PB1" \
    "$STATUS $(jq -r '[.attendance[].person] | join(",")' "$T/r.body")"
show "$ST" "$S1"
expect "staff see their own row only" "200 $PA1 true 400" \
    "$STATUS $(jq -r '.attendance[] | "\(.person) \(.present) \(.minutes)"' "$T/r.body")"
show "$FB" "$S2"
cp "$T/r.body" "$T/b.body"
s_b=$STATUS
show "$FB" "$MISSING"
expect "A's session answers B's focal point like a missing one" \
    "$STATUS $(sha "$T/r.body")" "404 $(sha "$T/b.body")"
show "$DN" "$S1"
expect "a donor sees no session" 404 "$STATUS"
req "$FB" GET /api/v1/sessions
expect "B's focal point lists the shared session only" "$S1" \
    "$(jq -r '[.sessions[].id] | join(",")' "$T/r.body")"
req "$FA" GET /api/v1/sessions
expect "A's focal point lists both, with A's people present" "$S2:1 $S1:1" \
    "$(jq -r '[.sessions[] | "\(.id):\(.present)"] | join(" ")' "$T/r.body")"

# --- the sheet on the page ---
req "$TR" GET "/sessions/$S1"
check "the trainer's sheet has a form per outlet" \
    test "$(grep -o 'name="outlet" value="' "$T/r.body" | wc -l)" = 2
req "$FA" GET "/sessions/$S1"
check_not "A's focal point gets no form" grep -q 'name="hours_' "$T/r.body"
check "and sees A's rows" grep -q "Bakyt Accountant" "$T/r.body"
check_not "but not B's" grep -q "Dinara" "$T/r.body"
form="outlet=$A&present_$PA1=1&hours_$PA1=2.5&pre_$PA1=35&post_$PA1=85&hours_$PA2=&pre_$PA2=&post_$PA2=&present_$PA3=1&hours_$PA3=&pre_$PA3=&post_$PA3="
req "$TR" POST "/sessions/$S1/attendance" "$form" application/x-www-form-urlencoded
expect "saving A's form answers with the session page" "303" "$STATUS"
expect "the hours typed are kept in minutes" "150 35 85" \
    "$(py_sqlite "$HUB_DB" "SELECT minutes, pre_score, post_score FROM attendance WHERE session_id = $S1 AND person_id = $PA1" | tr '\t' ' ')"
expect "an empty hours box is the whole session" "270 1" \
    "$(py_sqlite "$HUB_DB" "SELECT minutes, present FROM attendance WHERE session_id = $S1 AND person_id = $PA3" | tr '\t' ' ')"
expect "B's rows are untouched" "270 50 70" \
    "$(py_sqlite "$HUB_DB" "SELECT minutes, pre_score, post_score FROM attendance WHERE session_id = $S1 AND person_id = $PB1" | tr '\t' ' ')"
before=$(py_sqlite "$HUB_DB" "SELECT group_concat(minutes) FROM attendance WHERE session_id = $S1")
req "$TR" POST "/sessions/$S1/attendance" "outlet=$A&present_$PA1=1&hours_$PA1=two&pre_$PA1=&post_$PA1=" application/x-www-form-urlencoded
expect "a bad hours value shows the sheet again" 400 "$STATUS"
check "with the reason" grep -q "Hours: a number such as 3 or 2.5" "$T/r.body"
check "and what was typed" grep -q "value=\"two\"" "$T/r.body"
expect "nothing changed" "$before" \
    "$(py_sqlite "$HUB_DB" "SELECT group_concat(minutes) FROM attendance WHERE session_id = $S1")"

# --- progress, against the raw rows ---
progress_by_hand() { # OUTLET : people trained minutes pre post untrained
    python3 - "$HUB_DB" "$1" <<'EOF'
import sqlite3, sys
con = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
o = int(sys.argv[2])
people = con.execute("SELECT id, department FROM people WHERE outlet_id = ? AND archived_at IS NULL", (o,)).fetchall()
live = {r[0] for r in con.execute("SELECT id FROM training_sessions WHERE archived_at IS NULL")}
rows = [r for r in con.execute("SELECT session_id, person_id, present, minutes, pre_score, post_score FROM attendance WHERE outlet_id = ?", (o,)) if r[0] in live and r[2] == 1]
trained = {r[1] for r in rows}
both = [r for r in rows if r[4] is not None and r[5] is not None]
avg = lambda v: (sum(v) + len(v) // 2) // len(v) if v else "null"
depts = sorted({d for p, d in people} - {d for p, d in people if p in trained})
print(len(people), len(trained), sum(r[3] for r in rows),
      avg([r[4] for r in both]), avg([r[5] for r in both]), ",".join(depts))
EOF
}
req "$FA" GET "/api/v1/outlets/$A/training"
expect "A's progress matches the raw rows" "$(progress_by_hand "$A")" \
    "$(jq -r '"\(.people) \(.trained) \(.minutes) \(.pre_avg) \(.post_avg) \(.untrained_departments | sort | join(","))"' "$T/r.body")"
expect "modules covered by A: those of sessions A attended" "OWN-1,S01-2FA,S02-FBPAGE" \
    "$(jq -r '[.modules_not_covered[].code] as $n | ["OWN-1","S01-2FA","S02-FBPAGE","S03-MSG"] - $n | join(",")' "$T/r.body")"
req "$FB" GET "/api/v1/outlets/$B/training"
expect "B's progress matches the raw rows" "$(progress_by_hand "$B")" \
    "$(jq -r '"\(.people) \(.trained) \(.minutes) \(.pre_avg) \(.post_avg) \(.untrained_departments | sort | join(","))"' "$T/r.body")"
req "$FB" GET "/api/v1/outlets/$A/training"
cp "$T/r.body" "$T/b.body"
s_b=$STATUS
req "$FB" GET "/api/v1/outlets/$MISSING/training"
expect "A's progress answers B's focal point like a missing outlet" \
    "$STATUS $(sha "$T/r.body")" "$s_b $(sha "$T/b.body")"
req "$ST" GET "/outlets/$A/training"
expect "staff have no progress page" 404 "$STATUS"
req "$FA" GET "/outlets/$A/training"
expect "A's progress page opens" 200 "$STATUS"
# Bakyt (finance) was absent: the page says finance has nobody trained.
check "it names the department nobody from has been trained" \
    grep -q 'data-department="finance"' "$T/r.body"
check "and says why administration and finance matter" \
    grep -q "Administrative and finance staff" "$T/r.body"
att "$TR" "$S1" "{\"attendance\":[{\"person\":$PA2,\"minutes\":60}]}"
req "$FA" GET "/outlets/$A/training"
check "once Bakyt came, every department has someone trained" \
    grep -q "Every department, administration and finance included" "$T/r.body"

# --- pages open for whom they should ---
for who in "$TR" "$AS" "$FA" "$ST"; do
    for p in /curriculum /sessions "/sessions/$S1"; do
        req "$who" GET "$p"
        expect "$p opens for $who" 200 "$STATUS"
    done
done
req "$DN" GET /sessions
expect "a donor has no sessions page" 403 "$STATUS"
req "$TR" GET /sessions
check "the trainer gets the form to plan a session" grep -q 'action="/sessions"' "$T/r.body"
req "$TR" POST /sessions "session_form=1&title=Planned%20on%20a%20page&held_on=2030-01-10&days=1&place=Osh&outlets=$A&modules=$M1" application/x-www-form-urlencoded
expect "the page's form plans a session" 303 "$STATUS"
check "and goes to it" grep -qi "^location: /sessions/[0-9]*?done=added" <(tr -d '\r' <"$T/r.hdr")
req "$TR" GET /sessions
check "it is listed as upcoming" grep -q "Planned on a page" "$T/r.body"

# --- archiving ---
req "$TR" POST "/api/v1/sessions/$S2/archive" '{}'
expect "a session is archived" 200 "$STATUS"
req "$FA" GET /api/v1/sessions
check_not "it leaves the list" grep -q "$S2" "$T/r.body"
req "$FA" GET "/api/v1/outlets/$A/training"
expect "and the progress" "$(progress_by_hand "$A")" \
    "$(jq -r '"\(.people) \(.trained) \(.minutes) \(.pre_avg) \(.post_avg) \(.untrained_departments | sort | join(","))"' "$T/r.body")"
att "$TR" "$S2" "{\"attendance\":[{\"person\":$PA3}]}"
expect "an archived session takes no attendance" 404 "$STATUS"
expect "every change is in the audit log" 1 \
    "$(py_sqlite "$HUB_DB" "SELECT count(*) > 5 FROM audit WHERE object IN ('session', 'attendance', 'module')")"
finish
