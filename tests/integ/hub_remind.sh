#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# hub_remind.sh - reminders over real HTTP and real SMTP on loopback.
#
# Outlet A gets an overdue task, a task due soon, an expiring licence, a
# lapsed one, a stale observation and an open incident, beside rows that
# need no attention (a task done, a licence valid for months, an
# observation checked again, an incident recovered, an archived licence);
# outlet B gets its own.  Then:
#   - the panel on the trainer's dashboard, on A's overview (A's focal
#     point) and the reminders API list exactly the rows that need
#     attention, computed here from the raw rows with Python's sqlite3;
#   - `kalkan remind` hands the day's e-mail to an SMTP sink
#     (tests/data/hub/smtp_sink.py): the trainer, A's and B's focal points
#     each get one, with their own items and nothing of another outlet, in
#     their language; a second run the same day sends nothing; the next
#     day it sends again;
#   - a relay that refuses or is dead fails the run (exit 3) and records
#     nothing;
#   - `kalkan serve --smtp` sends by itself (its housekeeping thread), and
#     with a relay that never answers the hub still answers and stops
#     cleanly and at once.
set -euo pipefail
. "$(dirname "$0")/../data/hub/lib.sh"

SINK_PIDS=()
sink_start() { # DIR MODE : starts a sink; prints its port
    local dir=$1 mode=$2
    rm -f "$dir.port"
    python3 "$KK_SOURCE_DIR/tests/data/hub/smtp_sink.py" --dir "$dir" \
        --port-file "$dir.port" --mode "$mode" >"$dir.log" 2>&1 &
    SINK_PIDS+=($!)
    poll 200 test -s "$dir.port" || {
        echo "the SMTP sink did not start: $(cat "$dir.log")" >&2
        return 1
    }
    cat "$dir.port"
}
sink_cleanup() {
    local p
    for p in "${SINK_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
}
# The sinks go first; the test's status survives them.
on_exit() {
    local rc=$?
    sink_cleanup
    (exit "$rc")
    hub_cleanup
}
trap on_exit EXIT

TODAY=$(date -u +%F)
day() { date -u -d "$TODAY $1 days" +%F; }
NOW=$(date -u +%s)

hub_start
hub_user trainer@remind.example trainer
hub_login trainer@remind.example
TR=trainer@remind.example
A=$(hub_outlet "$TR" alpha "Alpha Radio" radio)
B=$(hub_outlet "$TR" bravo "Bravo TV" tv)
hub_user focal@alpha.example focal alpha
hub_user focal@bravo.example focal bravo
hub_login focal@alpha.example
hub_login focal@bravo.example
# B's focal point reads Russian: their e-mail comes in Russian.
python3 - "$HUB_DB" <<'EOF'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("UPDATE users SET lang = 'ru' WHERE email = 'focal@bravo.example'")
con.commit()
EOF

mk() { # WHO OUTLET KIND JSON : prints the new object's id
    req "$1" POST "/api/v1/outlets/$2/$3" "$4"
    [ "$STATUS" = 201 ] || { echo "POST $3: $STATUS $(cat "$T/r.body")" >&2; return 1; }
    jq -r .id "$T/r.body"
}
PA=$(mk "$TR" "$A" people '{"name":"Asel Alpha","department":"editorial"}')
PA2=$(mk "$TR" "$A" people '{"name":"Gone Person","department":"finance"}')
DA=$(mk "$TR" "$A" devices "{\"kind\":\"laptop\",\"asset_tag\":\"ALPHA-LAP-1\",\"custodian\":$PA}")
DB=$(mk "$TR" "$B" devices '{"kind":"desktop","asset_tag":"BRAVO-DESK-1"}')
LA1=$(mk "$TR" "$A" licences "{\"product\":\"Alpha Office soon\",\"type\":\"subscription\",\"expires\":\"$(day +12)\"}")
LA2=$(mk "$TR" "$A" licences "{\"product\":\"Alpha Antivirus lapsed\",\"type\":\"subscription\",\"expires\":\"$(day -5)\"}")
LA3=$(mk "$TR" "$A" licences "{\"product\":\"Alpha Windows later\",\"type\":\"oem\",\"expires\":\"$(day +200)\"}")
LA4=$(mk "$TR" "$A" licences "{\"product\":\"Alpha Archived\",\"type\":\"retail\",\"expires\":\"$(day -30)\"}")
req "$TR" POST "/api/v1/outlets/$A/licences/$LA4/archive" '{}'
LB1=$(mk "$TR" "$B" licences "{\"product\":\"Bravo Suite lapsed\",\"type\":\"retail\",\"expires\":\"$(day -40)\"}")
req "$TR" POST "/api/v1/outlets/$A/people/$PA2/archive" '{}'
check "the register's objects exist" test -n "$LB1"

# Tasks, incidents and past observations are written as raw rows (their
# own workflows are tested elsewhere); ids are random like the hub's.
python3 - "$HUB_DB" "$A" "$B" "$PA" "$PA2" "$DA" "$DB" "$NOW" "$(day -3)" \
    "$(day +3)" "$(day +30)" "$(day -1)" <<'EOF'
import random, sqlite3, sys
db, a, b, pa, pa2, da, dbb, now, past, soon, later, yesterday = sys.argv[1:]
a, b, pa, pa2, da, dbb, now = map(int, (a, b, pa, pa2, da, dbb, now))
day = 86400
rid = lambda: random.randrange(2**40, 2**53)
con = sqlite3.connect(db)
tasks = [(a, "Alpha overdue task", past, "open"),
         (a, "Alpha task due soon", soon, "open"),
         (a, "Alpha task due later", later, "open"),
         (a, "Alpha done task", past, "done"),
         (b, "Bravo overdue task", yesterday, "open")]
for o, title, due, status in tasks:
    con.execute("INSERT INTO tasks (id, outlet_id, title, due, status, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (rid(), o, title, due, status, now - 30 * day))
incidents = [(a, "phishing", "open", now - 3 * day, None),
             (a, "website_down", "recovered", now - 9 * day, now - 8 * day),
             (b, "page_blocked", "contained", now - 1 * day, None)]
for o, typ, status, rep, rec in incidents:
    con.execute("INSERT INTO incidents (id, outlet_id, type, title_sealed, "
                "status, occurred_at, reported_at, recovered_at, created_at) "
                "VALUES (?, ?, ?, X'00', ?, ?, ?, ?, ?)",
                (rid(), o, typ, status, rep, rep, rec, rep))
obs = [(a, "device", da, "DEV-06", now - 40 * day, now - 10 * day),
       (a, "person", pa, "ACC-14", now - 200 * day, now - 100 * day),
       (a, "person", pa, "ACC-14", now - 5 * day, now + 80 * day),
       (a, "person", pa2, "ACC-14", now - 200 * day, now - 100 * day),
       (b, "device", dbb, "DEV-05", now - 4 * day, now - 2 * day)]
for o, st, sid, ctl, at, exp in obs:
    con.execute("INSERT INTO observations (outlet_id, subject_type, "
                "subject_id, control_id, status, source, observed_at, "
                "expires_at) VALUES (?, ?, ?, ?, 'pass', 'manual', ?, ?)",
                (o, st, sid, ctl, at, exp))
con.commit()
EOF

# --- what needs attention, computed from the raw rows ---
# expected OUTLET : "kind id" lines, sorted; OUTLET 0 means both.
expected() {
    python3 - "$HUB_DB" "$1" "$TODAY" "$(day +7)" "$(day +30)" "$NOW" <<'EOF'
import sqlite3, sys
db, outlet, today, soon, renew, now = sys.argv[1:]
outlet, now = int(outlet), int(now)
con = sqlite3.connect("file:" + db + "?mode=ro", uri=True)
mine = lambda o: outlet == 0 or o == outlet
out = []
for i, o, due, status in con.execute("SELECT id, outlet_id, due, status FROM tasks WHERE archived_at IS NULL"):
    if not mine(o) or status != "open" or not due:
        continue
    if due < today:
        out.append("overdue_tasks %d" % i)
    elif due <= soon:
        out.append("tasks_due_soon %d" % i)
for i, o, exp in con.execute("SELECT id, outlet_id, expires FROM licences WHERE archived_at IS NULL AND expires <> ''"):
    if mine(o) and exp <= renew:
        out.append("licences %d" % i)
for i, o in con.execute("SELECT id, outlet_id FROM incidents WHERE recovered_at IS NULL AND closed_at IS NULL AND status IN ('open', 'contained')"):
    if mine(o):
        out.append("open_incidents %d" % i)
latest = {}
for seq, o, st, sid, ctl, at, exp in con.execute("SELECT seq, outlet_id, subject_type, subject_id, control_id, observed_at, expires_at FROM observations"):
    k = (st, sid, ctl)
    if k not in latest or (at, seq) > latest[k][:2]:
        latest[k] = (at, seq, o, exp)
archived = {("person", r[0]) for r in con.execute("SELECT id FROM people WHERE archived_at IS NOT NULL")}
archived |= {("device", r[0]) for r in con.execute("SELECT id FROM devices WHERE archived_at IS NOT NULL")}
for (st, sid, ctl), (at, seq, o, exp) in latest.items():
    if mine(o) and exp is not None and exp < now and (st, sid) not in archived:
        out.append("stale_observations %d" % seq)
print("\n".join(sorted(out)))
EOF
}
# api_items WHO PATH : the reminders API as "kind id" lines, sorted.
api_items() {
    req "$1" GET "$2"
    jq -r 'to_entries[] | select(.value | type == "object") | .key as $k |
        .value.items[] | "\($k) \(.id // .seq)"' "$T/r.body" | sort
}
# panel_links WHO PATH : the links of the page's "needs attention" panel.
panel_links() {
    req "$1" GET "$2"
    python3 - "$T/r.body" <<'EOF'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<section class="kk-attention" id="reminders".*?</section>', html, re.S)
if m:
    for kind, body in re.findall(r'id="rem-([a-z_]+)"(.*?)</div>', m.group(0), re.S):
        count = re.search(r'data-count="(\d+)"', body).group(1)
        print("count", kind, count)
        for href in re.findall(r'href="([^"]+)"', body):
            print(kind, href)
EOF
}

exp_a=$(expected "$A")
exp_all=$(expected 0)
echo "expected for A:"
sed 's/^/    /' <<<"$exp_a"
expect "A has one of each kind that needs attention" \
    "1 1 2 1 1" \
    "$(for k in overdue_tasks tasks_due_soon licences open_incidents stale_observations; do grep -c "^$k " <<<"$exp_a"; done | xargs)"
expect "the reminders API for A's focal point lists exactly A's rows" \
    "$exp_a" "$(api_items focal@alpha.example /api/v1/reminders)"
expect "the API for outlet A lists the same" \
    "$exp_a" "$(api_items focal@alpha.example "/api/v1/outlets/$A/reminders")"
expect "the trainer's API lists both outlets' rows" \
    "$exp_all" "$(api_items "$TR" /api/v1/reminders)"
req focal@alpha.example GET "/api/v1/outlets/$B/reminders"
s_b=$STATUS
cp "$T/r.body" "$T/b.body"
req focal@alpha.example GET "/api/v1/outlets/4503599627370001/reminders"
expect "B's reminders answer A's focal point like a missing outlet" \
    "404 $(sha "$T/r.body")" "$s_b $(sha "$T/b.body")"

links=$(panel_links focal@alpha.example "/outlets/$A")
check "A's overview shows the panel" grep -q "^count" <<<"$links"
for k in overdue_tasks tasks_due_soon licences open_incidents stale_observations; do
    expect "A's overview counts $k" "$(grep -c "^$k " <<<"$exp_a")" \
        "$(awk -v k="$k" '$1 == "count" && $2 == k { print $3 }' <<<"$links")"
done
for id in $(awk '$1 != "stale_observations" { print $2 }' <<<"$exp_a"); do
    check "A's overview links $id" grep -q "/$id\$" <<<"$links"
done
check "A's overview links the stale laptop" grep -q "/outlets/$A/devices/$DA\$" <<<"$links"
check_not "A's overview shows nothing of B" grep -q "/outlets/$B" <<<"$links"
check_not "nor the archived person's check" grep -q "/people/$PA2" <<<"$links"
links=$(panel_links "$TR" /)
for k in overdue_tasks tasks_due_soon licences open_incidents stale_observations; do
    expect "the dashboard counts $k of both outlets" \
        "$(grep -c "^$k " <<<"$exp_all")" \
        "$(awk -v k="$k" '$1 == "count" && $2 == k { print $3 }' <<<"$links")"
done
req "$TR" GET /
check "the dashboard names the outlet of each line" grep -q "Bravo TV: Bravo overdue task" "$T/r.body"
check "a lapsed licence says so" grep -q "Lapsed on $(day -5)" "$T/r.body"

# --- the e-mail ---
S=$T/sink
PORT=$(sink_start "$S" ok)
remind() { # [ENV=...] : kalkan remind against the sink, JSON in $T/remind.json
    "$@" "$KALKAN" remind --db "$HUB_DB" --smtp "127.0.0.1:$PORT" \
        --mail-from hub@remind.example --base-url http://hub.test --json \
        >"$T/remind.json" 2>"$T/remind.err"
}
remind env
expect "the first run sends three e-mails" 3 "$(jq .sent "$T/remind.json")"
expect "A's focal point, B's and the trainer get one each" \
    "focal@alpha.example focal@bravo.example trainer@remind.example" \
    "$(jq -r '.users[] | select(.status == "sent") | .email' "$T/remind.json" | sort | xargs)"
poll 100 test -e "$S/0003.json"
# mail_of RCPT : the decoded subject and body of the message to RCPT.
mail_of() {
    python3 - "$S" "$1" <<'EOF'
import email, email.policy, glob, json, sys
d, rcpt = sys.argv[1:]
for j in sorted(glob.glob(d + "/*.json")):
    env = json.load(open(j))
    if rcpt in env["to"]:
        m = email.message_from_bytes(open(j[:-5] + ".eml", "rb").read(),
                                     policy=email.policy.default)
        print("Subject:", m["subject"])
        print("From:", m["from"])
        print(m.get_content())
EOF
}
mail_of focal@alpha.example >"$T/mail.a"
mail_of trainer@remind.example >"$T/mail.t"
mail_of focal@bravo.example >"$T/mail.b"
for t in "Alpha overdue task" "Alpha task due soon" "Alpha Office soon" \
    "Alpha Antivirus lapsed" "ALPHA-LAP-1" "Phishing"; do
    check "A's e-mail lists $t" grep -qF "$t" "$T/mail.a"
    check "the trainer's e-mail lists $t" grep -qF "$t" "$T/mail.t"
done
check "A's e-mail links the overdue task" grep -q "http://hub.test/outlets/$A/tasks/" "$T/mail.a"
for t in "Bravo" "later" "done" "Archived" "Website down"; do
    check_not "A's e-mail holds nothing like '$t'" grep -qF "$t" "$T/mail.a"
done
check "the trainer's e-mail lists B's task" grep -qF "Bravo overdue task" "$T/mail.t"
check "B's e-mail is in Russian" grep -q "^Subject: Kalkan: что требует внимания" "$T/mail.b"
check "B's e-mail lists B's licence" grep -qF "Bravo Suite lapsed" "$T/mail.b"
check_not "B's e-mail holds nothing of A" grep -qF "Alpha" "$T/mail.b"
expect "the e-mail comes from the hub's address" "From: Kalkan <hub@remind.example>" \
    "$(grep '^From:' "$T/mail.a")"
expect "the sent e-mails are recorded once each" 3 \
    "$(py_sqlite "$HUB_DB" "SELECT count(*) FROM reminders_sent WHERE kind = 'mail' AND day = '$TODAY'")"

remind env
expect "a second run the same day sends nothing" "0 3" \
    "$(jq -r '"\(.sent) \(.already)"' "$T/remind.json")"
expect "and the sink got nothing more" 3 "$(ls "$S"/*.eml | wc -l)"
remind env KALKAN_HUB_NOW="$(day +1)T09:00:00Z"
expect "the next day it sends again" 3 "$(jq .sent "$T/remind.json")"

# --- relays that fail ---
R=$T/reject
RPORT=$(sink_start "$R" reject)
# The day after tomorrow: nobody has had that day's e-mail.
rc=0
KALKAN_HUB_NOW="$(day +2)T09:00:00Z" "$KALKAN" remind --db "$HUB_DB" \
    --smtp "127.0.0.1:$RPORT" --mail-from hub@remind.example --json \
    >"$T/reject.json" 2>"$T/reject.err" </dev/null || rc=$?
expect "a refusing relay fails the run (exit 3)" 3 "$rc"
expect "every e-mail failed" "0 3" "$(jq -r '"\(.sent) \(.failed)"' "$T/reject.json")"
check "the refusal is explained" grep -q "550" "$T/reject.err"
dead=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
rc=0
KALKAN_HUB_NOW="$(day +2)T09:00:00Z" "$KALKAN" remind --db "$HUB_DB" \
    --smtp "127.0.0.1:$dead" --mail-from hub@remind.example \
    >"$T/dead.out" 2>"$T/dead.err" </dev/null || rc=$?
expect "a dead relay fails the run (exit 3)" 3 "$rc"
check "the error says the relay cannot be reached" grep -q "cannot connect" "$T/dead.err"
expect "failed e-mails are not recorded" 0 \
    "$(py_sqlite "$HUB_DB" "SELECT count(*) FROM reminders_sent WHERE day = '$(day +2)'")"
rc=0
"$KALKAN" remind --db "$HUB_DB" --mail-from hub@remind.example \
    >/dev/null 2>"$T/usage.err" </dev/null || rc=$?
expect "no relay and no --dry-run is a usage error" 2 "$rc"
"$KALKAN" remind --db "$HUB_DB" --mail-from hub@remind.example --dry-run \
    --json >"$T/dry.json"
expect "a dry run composes without sending" "0 0" \
    "$(jq -r '"\(.sent) \([.users[] | select(.status == "dry_run")] | length - 3)"' "$T/dry.json")"

# --- the server sends by itself, and a stuck relay does not hold it ---
hub_stop
hub_user assistant@remind.example assistant alpha
hub_start --smtp "127.0.0.1:$PORT" --mail-from hub@remind.example \
    --base-url http://hub.test
check "the server's housekeeping e-mails the new assistant" \
    poll 600 grep -qs assistant@remind.example "$S"/0007.json
mail_of assistant@remind.example >"$T/mail.as"
check "the assistant's e-mail lists A's task" grep -qF "Alpha overdue task" "$T/mail.as"
check_not "and nothing of B" grep -qF "Bravo" "$T/mail.as"
expect "the others had theirs today already" 7 "$(ls "$S"/*.eml | wc -l)"
rc=0
hub_stop || rc=$?
expect "the server stops cleanly" 0 "$rc"

H=$T/hang
HPORT=$(sink_start "$H" hang)
python3 - "$HUB_DB" <<'EOF'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("DELETE FROM reminders_sent")
con.commit()
EOF
hub_start --smtp "127.0.0.1:$HPORT" --mail-from hub@remind.example
req "$TR" GET /
expect "with a relay that never answers, the hub still answers" 200 "$STATUS"
req focal@alpha.example GET "/outlets/$A"
expect "and shows A's panel" 200 "$STATUS"
rc=0
hub_stop || rc=$?
expect "and stops cleanly at once" 0 "$rc"
expect "nothing was recorded as sent" 0 \
    "$(py_sqlite "$HUB_DB" "SELECT count(*) FROM reminders_sent")"
finish
