#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# hub_guard.sh - the log guard's reports in the hub over HTTP: a real
# `kalkan serve` on loopback; a server's device token posts a report (the
# guard daemon's JSON, with curl); the heartbeat, the events and the bans
# per day read back through the API; the same report sent again stores no
# event twice; each kind of bad field refused with 400 and nothing stored;
# WEB-11 observed as passing for the website (and not stale); the office
# networks added through the API and the page's form, sent back in the
# answer's "allow" list, short prefixes refused; the website page's Guard
# section in English, Russian and Kyrgyz; another outlet's token, focal
# point and staff answered exactly like a missing website; a hub clock
# three days on shows the heartbeat as stale; and, when the guard daemon
# is built, `kalkan guard run --once` with a [hub] section posting to this
# hub through lib/report.
set -euo pipefail
. "$(dirname "$0")/../data/hub/lib.sh"

hub_start
hub_user trainer@guard.example trainer
hub_login trainer@guard.example
TR=trainer@guard.example
A=$(hub_outlet "$TR" alpha "Alpha News" web)
B=$(hub_outlet "$TR" bravo "Bravo TV" tv)
mk() { # PATH JSON : creates through the API as the trainer; prints the id
    req "$TR" POST "$1" "$2"
    if [ "$STATUS" != 201 ]; then
        echo "setup: POST $1: HTTP $STATUS $(head -c 300 "$T/r.body")" >&2
        return 1
    fi
    jq -r .id "$T/r.body"
}
W=$(mk "/api/v1/outlets/$A/websites" '{"url":"https://alpha.example"}')
WB=$(mk "/api/v1/outlets/$B/websites" '{"url":"https://bravo.example"}')
hub_user focal@guard.example focal alpha
hub_user focalb@guard.example focal bravo
hub_user staff@guard.example staff alpha
hub_user server@guard.example device alpha
hub_user serverb@guard.example device bravo
for u in focal focalb staff; do hub_login "$u@guard.example"; done
FO=focal@guard.example FB=focalb@guard.example ST=staff@guard.example
SV=bearer:$("$KALKAN" token create --db "$HUB_DB" --user server@guard.example)
SVB=bearer:$("$KALKAN" token create --db "$HUB_DB" --user serverb@guard.example)
MISSING=4503599627370001
q() { py_sqlite "$HUB_DB" "$1"; }
jqt() { jq -e "$@" >/dev/null; }
not_grep() { ! grep -q "$@"; }
now=$(date -u +%s)
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

# report EVENTS_JSON : a report as the daemon writes it.
report() {
    jq -cn --arg s "$(iso $((now - 3600)))" --arg t "$(iso "$now")" --argjson ev "$1" \
        '{host: "web1", version: "0.1.0", started_at: $s, sent_at: $t,
          lines: 12000, matched: 340, tracked: 25, banned: 3, events: $ev}'
}
ev() { # KIND ADDRESS RULE AGO
    jq -cn --arg k "$1" --arg a "$2" --arg r "$3" --arg at "$(iso $((now - $4)))" \
        --arg f "$(iso $((now - $4 - 60)))" --arg u "$(iso $((now - $4 + 3600)))" \
        '{at: $at, kind: $k, address: $a, rule: $r, hits: 5, first: $f, until: $u, level: 1}'
}
EVENTS="[$(ev ban 192.0.2.7 wp-login 600),$(ev ban 2001:db8:1:2::/64 ssh-auth 500),$(ev ban 198.51.100.9 wp-login 90000),$(ev unban 192.0.2.7 wp-login 60)]"
R1=$(report "$EVENTS")

echo "--- a report from the server's token"
req "$SV" POST "/api/v1/websites/$W/guard" "$R1"
expect "the report is taken" 201 "$STATUS"
expect "all four events are accepted and new" "4 4" "$(jq -r '"\(.accepted) \(.new)"' "$T/r.body")"
expect "no office network yet" '[]' "$(jq -c .allow "$T/r.body")"
req "$SV" POST "/api/v1/websites/$W/guard" "$R1"
expect "the same report again is taken" 201 "$STATUS"
expect "and stores nothing twice" "4 0" "$(jq -r '"\(.accepted) \(.new)"' "$T/r.body")"
expect "four events stored" 4 "$(q "SELECT count(*) FROM guard_events WHERE website_id = $W")"
expect "two heartbeats stored" 2 "$(q "SELECT count(*) FROM guard_reports WHERE website_id = $W")"
expect "the events are in the website's outlet" "$A" \
    "$(q "SELECT group_concat(DISTINCT outlet_id) FROM guard_events WHERE website_id = $W")"
req "$SV" POST "/api/v1/websites/$W/guard" \
    "$(report "[$(ev ban ::ffff:203.0.113.5 bad-bot 30)]")"
expect "a mapped IPv6 address is kept as IPv4" 203.0.113.5 \
    "$(q "SELECT address FROM guard_events WHERE rule = 'bad-bot'")"
req "$SV" POST "/api/v1/websites/$W/guard" "$(report '[]')"
expect "a heartbeat without events is taken" "201 0" "$STATUS $(jq -r .accepted "$T/r.body")"

echo "--- reading it back"
req "$FO" GET "/api/v1/websites/$W/guard?days=7"
expect "the focal point reads the guard" 200 "$STATUS"
expect "the last heartbeat" "web1 0.1.0 12000 false" \
    "$(jq -r '"\(.last_report.host) \(.last_report.version) \(.last_report.lines) \(.stale)"' "$T/r.body")"
expect "five events" 5 "$(jq '.events | length' "$T/r.body")"
expect "the latest first" unban "$(jq -r '.events[1].kind' "$T/r.body")"
check "the bans per day count wp-login twice over two days" \
    jqt '[.daily[] | select(.rule == "wp-login") | .bans] | add == 2' "$T/r.body"
check "unbans are not counted as bans" \
    jqt '[.daily[].bans] | add == 4' "$T/r.body"
req "$FO" GET "/api/v1/websites/$W/guard?days=0"
expect "days out of range is refused" 400 "$STATUS"
req "$SV" GET "/api/v1/websites/$W/guard"
expect "the token reads it too" 200 "$STATUS"

echo "--- bad reports, each refused whole"
before=$(q "SELECT count(*) FROM guard_reports")
bad_report() { # DESCRIPTION JQ_FILTER
    req "$SV" POST "/api/v1/websites/$W/guard" "$(jq -c "$2" <<<"$R1")"
    expect "refused: $1" 400 "$STATUS"
    check "it says why ($1)" jqt '.error.message | length > 0' "$T/r.body"
}
bad_report "a host with a space" '.host = "web 1"'
bad_report "no version" 'del(.version)'
bad_report "a count as text" '.lines = "12"'
bad_report "a negative count" '.banned = -1'
bad_report "a time in the future" ".sent_at = \"$(iso $((now + 86400)))\""
bad_report "a time before 2000" '.started_at = "1999-12-31T23:59:59Z"'
bad_report "a start after the sending" ".started_at = \"$(iso $((now + 60)))\""
bad_report "events not an array" '.events = {}'
bad_report "an unknown kind" '.events[0].kind = "block"'
bad_report "a bad address" '.events[0].address = "192.0.2.300"'
bad_report "an address with a port" '.events[0].address = "192.0.2.7:80"'
bad_report "a rule in capitals" '.events[0].rule = "WP-login"'
bad_report "a rule too long" ".events[0].rule = \"$(printf 'a%.0s' {1..48})\""
bad_report "an event in the future" ".events[1].at = \"$(iso $((now + 86400)))\""
bad_report "first after at" ".events[0].first = .events[0].until"
bad_report "a level out of range" '.events[0].level = 1000'
# Too big for an argument: curl reads it from a file.
jq -c '.events = [range(1001) as $i | .events[0] | .hits = $i]' <<<"$R1" >"$T/big.json"
req "$SV" POST "/api/v1/websites/$W/guard" "@$T/big.json"
expect "refused: too many events" "400 events: at most 1000 in one report." \
    "$STATUS $(jq -r .error.message "$T/r.body")"
req "$SV" POST "/api/v1/websites/$W/guard" 'not json'
expect "refused: not JSON" 400 "$STATUS"
expect "nothing of them was stored" "$before" "$(q "SELECT count(*) FROM guard_reports")"
expect "no event of them either" 5 "$(q "SELECT count(*) FROM guard_events")"

echo "--- WEB-11"
expect "the guard's observation of WEB-11 passes" "pass guard" \
    "$(q "SELECT status, source FROM observations WHERE subject_type = 'website' AND subject_id = $W AND control_id = 'WEB-11' ORDER BY seq DESC LIMIT 1" | tr '\t' ' ')"
expect "one observation for five reports within the hour" 1 \
    "$(q "SELECT count(*) FROM observations WHERE control_id = 'WEB-11' AND subject_id = $W")"
expect "it lasts the control's two days" 172800 \
    "$(q "SELECT expires_at - observed_at FROM observations WHERE control_id = 'WEB-11' AND subject_id = $W")"
expect "the latest observation of WEB-11 is a live pass" "pass 1" \
    "$(q "SELECT o.status, x.expires_at > strftime('%s','now') FROM obs_latest x JOIN observations o ON o.seq = x.seq WHERE x.control_id = 'WEB-11' AND x.subject_id = $W" | tr '\t' ' ')"
req "$FO" GET "/api/v1/outlets/$A/reminders"
check "the reminders do not call WEB-11 stale" \
    jqt '[.stale_observations.items[]? | select(.control_id == "WEB-11")] | length == 0' "$T/r.body"

echo "--- office networks"
req "$FO" POST "/api/v1/outlets/$A/guard/networks" '{"prefix":"203.0.113.77/24","label":"Main office"}'
expect "a network is added" 201 "$STATUS"
expect "in canonical form" 203.0.113.0/24 "$(jq -r .prefix "$T/r.body")"
NET=$(jq -r .id "$T/r.body")
req "$FO" POST "/api/v1/outlets/$A/guard/networks" '{"prefix":"203.0.113.0/24"}'
expect "the same network twice is refused" 409 "$STATUS"
req "$FO" POST "/api/v1/outlets/$A/guard/networks" '{"prefix":"10.0.0.0/8"}'
expect "an IPv4 prefix shorter than /16 is refused" 400 "$STATUS"
req "$FO" POST "/api/v1/outlets/$A/guard/networks" '{"prefix":"2001:db8::/24"}'
expect "an IPv6 prefix shorter than /32 is refused" 400 "$STATUS"
req "$FO" POST "/api/v1/outlets/$A/guard/networks" '{"prefix":"2001:db8:77::/48","label":"Studio"}'
expect "an IPv6 network is added" 201 "$STATUS"
req "$SV" POST "/api/v1/websites/$W/guard" "$(report '[]')"
expect "the answer's allow list holds them" '["2001:db8:77::/48","203.0.113.0/24"]' \
    "$(jq -c '.allow | sort' "$T/r.body")"
req "$SVB" POST "/api/v1/websites/$WB/guard" "$(report '[]')"
expect "outlet B's guard gets none of A's networks" '[]' "$(jq -c .allow "$T/r.body")"
req "$FO" POST "/api/v1/outlets/$A/guard/networks/$NET/delete" '{}'
expect "a network is removed" 200 "$STATUS"
req "$FO" GET "/api/v1/outlets/$A/guard/networks"
expect "one is left" '["2001:db8:77::/48"]' "$(jq -c '[.networks[].prefix]' "$T/r.body")"

echo "--- the page, in three languages"
for lang in en ru ky; do
    REQ_EXTRA=(-H "Accept-Language: $lang")
    req "$FO" GET "/outlets/$A/websites/$W/checks"
    REQ_EXTRA=()
    expect "the page in $lang" "200 $lang" "$STATUS $(grep -o '<html lang="[a-z]*"' "$T/r.body" | cut -d'"' -f2)"
    check "it shows the guard's heartbeat, bans per day, decisions and networks ($lang)" \
        grep -qz 'id="guard".*id="guard-last" data-stale="0".*id="guard-daily".*id="guard-events".*id="guard-nets".*id="guard-net-add"' "$T/r.body"
    check "no warning of a stale guard ($lang)" not_grep 'class="kk-warning"' "$T/r.body"
    h=$(sed -n 's/.*<section id="guard"><h2>\([^<]*\)<.*/\1/p' "$T/r.body" | head -n 1)
    if [ "$lang" = en ]; then
        expect "the heading is English" "Log guard" "$h"
    else
        check "the heading is in $lang ($h)" \
            python3 -c 'import sys; sys.exit(not any(0x400 <= ord(c) <= 0x4ff for c in sys.argv[1]))' "$h"
    fi
done
check "the ban of an IPv6 prefix is listed" grep -q '<code>2001:db8:1:2::/64</code>' "$T/r.body"
check "the bars need no style attribute" not_grep ' style=' "$T/r.body"
csrf=$(grep -o 'name="csrf" value="[^"]*"' "$T/r.body" | head -n 1 | cut -d'"' -f4)
REQ_EXTRA=(-H "Origin: $HUB_URL")
req "nocsrf:$FO" POST "/outlets/$A/websites/$W/guard/networks" \
    "csrf=$csrf&prefix=198.51.100.0%2F24&label=Branch" application/x-www-form-urlencoded
expect "the form adds a network and goes back to the page" \
    "303 /outlets/$A/websites/$W/checks#guard" "$STATUS $(hdr Location)"
N2=$(q "SELECT id FROM guard_networks WHERE prefix = '198.51.100.0/24'")
req "nocsrf:$FO" POST "/outlets/$A/websites/$W/guard/networks/$N2/delete" \
    "csrf=wrong" application/x-www-form-urlencoded
expect "removing without the CSRF token is refused" 403 "$STATUS"
req "nocsrf:$FO" POST "/outlets/$A/websites/$W/guard/networks/$N2/delete" \
    "csrf=$csrf" application/x-www-form-urlencoded
REQ_EXTRA=()
expect "the form removes it" 303 "$STATUS"
expect "it is gone" 0 "$(q "SELECT count(*) FROM guard_networks WHERE prefix = '198.51.100.0/24'")"

echo "--- who may see and post what"
idless() {
    local e='' p=$1
    while [[ $p =~ ([0-9]{13,16})(.*) ]]; do
        e+="s/${BASH_REMATCH[1]}/<id>/g;"
        p=${BASH_REMATCH[2]}
    done
    sed -e "${e:-p;d}" "$T/r.body" | sha256sum | cut -c1-64
}
same_as_missing() { # WHO METHOD PATH_A PATH_M [BODY]
    local who=$1 m=$2 pa=$3 pm=$4 body=${5:-} s1 h1
    if [ -n "$body" ]; then req "$who" "$m" "$pa" "$body"; else req "$who" "$m" "$pa"; fi
    s1=$STATUS h1=$(idless "$pa")
    if [ -n "$body" ]; then req "$who" "$m" "$pm" "$body"; else req "$who" "$m" "$pm"; fi
    expect "$who $m $pa answers like a missing id" "404 $h1" "$STATUS $(idless "$pm")"
    [ "$s1" = 404 ] || bad "$who $m $pa: HTTP $s1"
}
before=$(q "SELECT count(*) FROM guard_reports")
for who in "$SVB" "$FB" "$ST"; do
    same_as_missing "$who" POST "/api/v1/websites/$W/guard" "/api/v1/websites/$MISSING/guard" "$R1"
    same_as_missing "$who" GET "/api/v1/websites/$W/guard" "/api/v1/websites/$MISSING/guard"
done
for who in "$FB" "$ST"; do
    same_as_missing "$who" GET "/api/v1/outlets/$A/guard/networks" "/api/v1/outlets/$MISSING/guard/networks"
    same_as_missing "$who" POST "/api/v1/outlets/$A/guard/networks" "/api/v1/outlets/$MISSING/guard/networks" '{"prefix":"192.0.2.0/24"}'
done
expect "another outlet's token stored nothing" "$before" "$(q "SELECT count(*) FROM guard_reports")"
expect "and no network" 1 "$(q "SELECT count(*) FROM guard_networks")"

echo "--- a guard silent for three days"
rc=0
hub_stop || rc=$?
expect "the hub stops cleanly" 0 "$rc"
KALKAN_HUB_NOW=$(iso $((now + 3 * 86400))) hub_start
req "$SV" GET "/api/v1/websites/$W/guard"
expect "the heartbeat is stale" true "$(jq -r .stale "$T/r.body")"
expect "and WEB-11 has expired by then" "1 0" \
    "$(q "SELECT count(*), coalesce(sum(expires_at > $((now + 3 * 86400))), 0) FROM obs_latest WHERE control_id = 'WEB-11' AND subject_id = $W" | tr '\t' ' ')"

# guard_e2e : the guard daemon reports to this hub through lib/report.
guard_e2e() {
    local g=$T/guard i t log=$T/guard/access.log before
    echo "--- kalkan guard run --once reporting to the hub"
    mkdir -p "$g"
    chmod 700 "$g"
    (umask 077 && printf '%s\n' "${SV#bearer:}" >"$g/token")
    t=$(LC_ALL=C date -u +%d/%b/%Y:%H:%M:%S)
    for i in 1 2 3 4 5 6 7 8; do
        echo "192.0.2.50 - - [$t +0000] \"POST /wp-login.php HTTP/1.1\" 200 4321 \"-\" \"Mozilla/5.0\""
    done >"$log"
    cat >"$g/guard.conf" <<EOF2
[guard]
state = $g/state
socket = $g/state/control.sock

[log $log]
format = web

[backend]
type = none

[hub]
url = $HUB_URL
website = $W
token_file = $g/token
interval = 10s
EOF2
    before=$(q "SELECT count(*) FROM guard_reports WHERE website_id = $W")
    rc=0
    "$KALKAN" guard run --config "$g/guard.conf" --once >"$g/out.log" 2>&1 || rc=$?
    expect "the daemon ran once and stopped" 0 "$rc"
    [ "$rc" = 0 ] || sed 's/^/    guard: /' "$g/out.log" | tail -n 20
    expect "its report reached the hub" 1 \
        "$(q "SELECT count(*) > $before FROM guard_reports WHERE website_id = $W")"
    expect "with the ban of the guessing address" "ban wp-login" \
        "$(q "SELECT kind, rule FROM guard_events WHERE website_id = $W AND address = '192.0.2.50'" | tr '\t' ' ')"
    check "no report waits in the daemon's spool" \
        test -z "$(ls -A "$g/state/spool" 2>/dev/null)"
}
guard_e2e
rc=0
hub_stop || rc=$?
expect "the hub stops cleanly again" 0 "$rc"
finish
