#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# hub_site.sh - website checks in the hub over HTTP, against the offline
# fixture (nginx, unbound and gnutls-serv on loopback, started and stopped
# here): a real `kalkan serve --site-options` whose checker's thread reaches
# the fixture's sites through the options file.  Checks asked for through
# the API (a focal point's session, a server's token) and with the "Check
# now" form; bounded polls until they are done; the grades (good A or A+,
# bad F) and findings stored; a report sent by the outlet's server (the
# output of `kalkan site check --json`, less one finding), so the next
# check's difference names it; observations of WEB-01, -02, -04 and -07;
# the reminders (a drop, new findings, a site that failed twice); the page
# in English, Russian and Kyrgyz; another outlet's focal point, staff, the
# donor and the panel answered exactly like a missing id; no evidence in
# clear in the database file; and the schedule checking the one website
# never checked when the hub starts again with --site-interval.
set -euo pipefail
. "$(dirname "$0")/../data/hub/lib.sh"

BASE=${HUB_SITE_BASE:-20500}
FX=$(mktemp -d /tmp/kalkan-hub-site-fx.XXXXXX)
# nginx's workers run as nobody when we are root: they must reach the
# fixture's web roots.
chmod 755 "$FX"
fx_down() {
    bash "$KK_SOURCE_DIR/tests/data/site/fixture.sh" down "$FX/fx" >/dev/null 2>&1 || true
    rm -rf "$FX"
}
trap 'rc=$?; fx_down; trap - EXIT; (exit $rc); hub_cleanup' EXIT
if ! bash "$KK_SOURCE_DIR/tests/data/site/fixture.sh" up "$FX/fx" "$BASE" >"$FX/up.log" 2>&1; then
    cat "$FX/up.log"
    bad "the fixture did not start"
    finish
fi
HTTPS=$((BASE + 1))

# The fixture's `kalkan site` options as the hub's options file.
read -r -a OPTS <"$FX/fx/site.opts"
: >"$T/site.conf"
for ((i = 0; i < ${#OPTS[@]}; i += 2)); do
    printf '%s = %s\n' "${OPTS[i]#--}" "${OPTS[i + 1]}" >>"$T/site.conf"
done
echo "timeout = 5" >>"$T/site.conf"

hub_start --site-options "$T/site.conf" --site-interval 0
hub_user trainer@site.example trainer
hub_login trainer@site.example
TR=trainer@site.example
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
GOOD=$(mk "/api/v1/outlets/$A/websites" "{\"url\":\"https://good.kalkan.test:$HTTPS\"}")
BAD=$(mk "/api/v1/outlets/$A/websites" "{\"url\":\"https://bad.kalkan.test:$HTTPS\"}")
GONE=$(mk "/api/v1/outlets/$A/websites" "{\"url\":\"https://nothere.kalkan.test:$HTTPS\"}")
OTHER=$(mk "/api/v1/outlets/$B/websites" "{\"url\":\"https://nomail.kalkan.test:$HTTPS\"}")

hub_user focal@site.example focal alpha
hub_user focalb@site.example focal bravo
hub_user staff@site.example staff alpha
hub_user donor@site.example donor
hub_user panel@site.example panel
hub_user server@site.example device alpha
for u in focal focalb staff donor panel; do hub_login "$u@site.example"; done
FO=focal@site.example FB=focalb@site.example ST=staff@site.example
DO=donor@site.example PA=panel@site.example
SV=bearer:$("$KALKAN" token create --db "$HUB_DB" --user server@site.example)
MISSING=4503599627370001
q() { py_sqlite "$HUB_DB" "$1"; }
jqt() { jq -e "$@" >/dev/null; }

# ask WHO WEBSITE : asks for a check through the API; prints its id.
ask() {
    req "$1" POST "/api/v1/websites/$2/checks" '{}'
    if [ "$STATUS" != 202 ]; then
        echo "asking for a check of $2: HTTP $STATUS $(head -c 300 "$T/r.body")" >&2
        return 1
    fi
    jq -r .id "$T/r.body"
}
finished() {
    req "$TR" GET "/api/v1/checks/$1"
    [ "$STATUS" = 200 ] && jq -e '.status == "done" or .status == "failed"' "$T/r.body" >/dev/null
}
# wait_check ID : polls until the check is done or failed (at most 2 min).
wait_check() {
    if ! poll 2400 finished "$1"; then
        bad "check $1 did not finish: $(head -c 300 "$T/r.body")"
        return 1
    fi
}

echo "--- checks asked for through the API"
C1=$(ask "$FO" "$GOOD")
check "the answer says where the check is" \
    test "$(jq -r .check "$T/r.body")" = "/api/v1/checks/$C1"
wait_check "$C1"
req "$FO" GET "/api/v1/checks/$C1"
expect "the good site's check is done" done "$(jq -r .status "$T/r.body")"
check "the good site grades A or A+ ($(jq -r .grade "$T/r.body"))" \
    jqt '.grade == "A" or .grade == "A+"' "$T/r.body"
check "nothing above info on the good site" \
    jqt '[.findings[] | select(.severity != "info")] | length == 0' "$T/r.body"
check "its report is the checker's JSON" jqt '.report.grade == .grade' "$T/r.body"

C2=$(ask "$SV" "$BAD")
check "the server's token asks for checks" test -n "$C2"
wait_check "$C2"
req "$SV" GET "/api/v1/checks/$C2"
expect "the token reads the check it asked for" 200 "$STATUS"
expect "the bad site grades F" F "$(jq -r .grade "$T/r.body")"
check "the bad site's exposed .env and .git are found" \
    jqt '[.findings[].id] | index("exposed.env") and index("exposed.git")' "$T/r.body"
req "$SV" GET "/api/v1/checks/$C1"
expect "a check the token did not ask for answers like a missing one" 404 "$STATUS"
N2=$(q "SELECT count(*) FROM site_check_findings WHERE check_id = $C2")
check "the findings are stored ($N2)" test "$N2" -ge 10
expect "each finding's severity is the catalogue's" \
    "critical" "$(q "SELECT severity FROM site_check_findings WHERE check_id = $C2 AND finding_id = 'exposed.env'")"

echo "--- observations of the website controls"
obs() { q "SELECT status FROM observations WHERE subject_type = 'website' AND subject_id = $1 AND control_id = '$2' AND source = 'site' ORDER BY seq DESC LIMIT 1"; }
expect "WEB-01 of the good site passes" pass "$(obs "$GOOD" WEB-01)"
expect "WEB-02 of the good site passes" pass "$(obs "$GOOD" WEB-02)"
expect "WEB-04 of the good site passes" pass "$(obs "$GOOD" WEB-04)"
expect "WEB-07 of the good site passes" pass "$(obs "$GOOD" WEB-07)"
expect "WEB-01 of the bad site fails (no redirect, no HSTS)" fail "$(obs "$BAD" WEB-01)"
expect "WEB-02 of the bad site fails" fail "$(obs "$BAD" WEB-02)"
expect "WEB-04 of the bad site fails" fail "$(obs "$BAD" WEB-04)"
expect "WEB-07 of the bad site fails (SPF +all)" fail "$(obs "$BAD" WEB-07)"
expect "WEB-05 of the bad site is partial" partial "$(obs "$BAD" WEB-05)"
expect "the observations expire a few days on" 1 \
    "$(q "SELECT count(*) = count(CASE WHEN expires_at - observed_at BETWEEN 2 * 86400 AND 7 * 86400 THEN 1 END) FROM observations WHERE source = 'site'")"
req "$FO" GET "/api/v1/outlets/$A/coverage"
check "the coverage still answers" test "$STATUS" = 200

echo "--- a report from the outlet's server, then the difference"
"$KALKAN" site check --json --lang ru "${OPTS[@]}" "https://bad.kalkan.test:$HTTPS/" \
    >"$T/bad.json" || true
jq -c 'del(.findings[] | select(.id == "exposed.env"))' "$T/bad.json" >"$T/upload.json"
req "$SV" POST "/api/v1/websites/$BAD/checks" "$(cat "$T/upload.json")"
expect "the server's report is kept" 201 "$STATUS"
U=$(jq -r .id "$T/r.body")
expect "as an upload, graded as sent" "upload F" "$(jq -r '"\(.trigger) \(.grade)"' "$T/r.body")"
check "its report is kept in English" \
    jqt '.report.findings[0].title | test("[А-яЁёҢңӨөҮү]") | not' "$T/r.body"
req "$SV" POST "/api/v1/websites/$GOOD/checks" "$(cat "$T/upload.json")"
expect "a report about another website is refused" 400 "$STATUS"
req "$SV" POST "/api/v1/websites/$BAD/checks" \
    "$(jq -c '.findings[0].id = "exposed.everything"' "$T/upload.json")"
expect "a report with an id not in the catalogue is refused" 400 "$STATUS"
C3=$(ask "$FO" "$BAD")
wait_check "$C3"
req "$FO" GET "/api/v1/checks/$C3"
expect "the next check compares with the report" "$U" "$(jq -r .previous.id "$T/r.body")"
expect "exposed.env is new again" '["exposed.env"]' "$(jq -c .previous.added "$T/r.body")"
expect "nothing was fixed" '[]' "$(jq -c .previous.fixed "$T/r.body")"

echo "--- a site that does not resolve, twice"
G1=$(ask "$FO" "$GONE")
wait_check "$G1"
G2=$(ask "$FO" "$GONE")
wait_check "$G2"
req "$FO" GET "/api/v1/checks/$G2"
expect "it failed for its name" "failed dns" "$(jq -r '"\(.status) \(.error.code)"' "$T/r.body")"

echo "--- reminders"
req "$FO" GET "/api/v1/outlets/$A/reminders"
expect "the reminders answer" 200 "$STATUS"
check "the failed-twice site is a reminder" \
    jqt --argjson w "$GONE" '.websites.items[] | select(.website_id == $w) | .failed_twice' "$T/r.body"
check "the bad site's new finding is a reminder" \
    jqt --argjson w "$BAD" '.websites.items[] | select(.website_id == $w) | .new_findings == 1' "$T/r.body"
check "the good site is no reminder" \
    jqt --argjson w "$GOOD" '[.websites.items[] | select(.website_id == $w)] | length == 0' "$T/r.body"
req "$FO" GET "/outlets/$A"
check "the outlet's overview shows the panel" grep -q 'id="rem-websites"' "$T/r.body"
check "and the grades" grep -q 'id="site-grades"' "$T/r.body"
req "$FB" GET "/api/v1/reminders"
check "outlet B's focal point is not reminded of A's websites" \
    jqt '.websites.count == 0' "$T/r.body"

echo "--- the page, in three languages, and Check now without script"
# The title of a finding on the page, for the language check.
title_of() {
    python3 - "$T/r.body" "$1" <<'EOF2'
import re, sys
t = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'data-id="%s"[^>]*>.*?<strong>([^<]*)</strong>' % re.escape(sys.argv[2]), t, re.S)
print(m.group(1) if m else "")
EOF2
}
for lang in en ru ky; do
    REQ_EXTRA=(-H "Accept-Language: $lang")
    req "$FO" GET "/outlets/$A/websites/$BAD/checks"
    REQ_EXTRA=()
    expect "the page in $lang" "200 $lang" "$STATUS $(grep -o '<html lang="[a-z]*"' "$T/r.body" | cut -d'"' -f2)"
    check "it shows the grade, the fix first, the findings and the history ($lang)" \
        grep -qz 'id="grade".*id="fix-first".*id="findings".*id="history-table"' "$T/r.body"
    t=$(title_of exposed.env)
    if [ "$lang" = en ]; then
        check "the finding's title is English ($t)" test -n "$t"
    else
        check "the finding's title is in $lang ($t)" \
            python3 -c 'import sys; sys.exit(not any(0x400 <= ord(c) <= 0x4ff for c in sys.argv[1]))' "$t"
    fi
done
csrf=$(grep -o 'name="csrf" value="[^"]*"' "$T/r.body" | head -n 1 | cut -d'"' -f4)
REQ_EXTRA=(-H "Origin: $HUB_URL")
req "nocsrf:$FO" POST "/outlets/$A/websites/$GOOD/checks" "csrf=$csrf" application/x-www-form-urlencoded
REQ_EXTRA=()
expect "Check now answers with a redirect" 303 "$STATUS"
expect "to the page, saying it is queued" "/outlets/$A/websites/$GOOD/checks?done=queued" "$(hdr Location)"
C4=$(q "SELECT id FROM site_checks WHERE website_id = $GOOD AND trigger = 'manual'")
wait_check "$C4"
expect "the form's check ran" done "$(jq -r .status "$T/r.body")"
req "nocsrf:$FO" POST "/outlets/$A/websites/$GOOD/checks" "csrf=wrong" application/x-www-form-urlencoded
expect "a form without the CSRF token is refused" 403 "$STATUS"

echo "--- who may see what"
# idless PATH : the last answer's hash with the ids of PATH replaced (a
# page shows its own address, in the language links).
idless() {
    local e='' p=$1
    while [[ $p =~ ([0-9]{13,16})(.*) ]]; do
        e+="s/${BASH_REMATCH[1]}/<id>/g;"
        p=${BASH_REMATCH[2]}
    done
    sed -e "${e:-p;d}" "$T/r.body" | sha256sum | cut -c1-64
}
# same_as_missing WHO METHOD PATH_A PATH_M [BODY]
same_as_missing() {
    local who=$1 m=$2 pa=$3 pm=$4 body=${5:-} s1 h1
    if [ -n "$body" ]; then req "$who" "$m" "$pa" "$body"; else req "$who" "$m" "$pa"; fi
    s1=$STATUS h1=$(idless "$pa")
    if [ -n "$body" ]; then req "$who" "$m" "$pm" "$body"; else req "$who" "$m" "$pm"; fi
    expect "$who $m $pa answers like a missing id" "404 $h1" "$STATUS $(idless "$pm")"
    [ "$s1" = 404 ] || bad "$who $m $pa: HTTP $s1"
}
for who in "$FB" "$ST" "$DO" "$PA"; do
    same_as_missing "$who" GET "/api/v1/checks/$C2" "/api/v1/checks/$MISSING"
    same_as_missing "$who" GET "/api/v1/websites/$BAD/checks" "/api/v1/websites/$MISSING/checks"
    same_as_missing "$who" POST "/api/v1/websites/$BAD/checks" "/api/v1/websites/$MISSING/checks" '{}'
    same_as_missing "$who" GET "/outlets/$A/websites/$BAD/checks" "/outlets/$A/websites/$MISSING/checks"
    same_as_missing "$who" GET "/outlets/$A/websites/$BAD/checks/$C2" "/outlets/$A/websites/$BAD/checks/$MISSING"
done
req "$FB" GET "/outlets/$B/websites/$BAD/checks"
expect "A's website under B's outlet answers like a missing one" 404 "$STATUS"
expect "no check was queued by anyone refused" 0 \
    "$(q "SELECT count(*) FROM site_checks WHERE created_by IN (SELECT id FROM users WHERE email IN ('$FB', '$ST', '$DO', '$PA'))")"

echo "--- evidence at rest"
for s in "/.env" "/wp-config.php.bak" "/backup.sql" "wordpress_logged_in_5d41" "system.multicall enabled"; do
    n=$(cat "$HUB_DB" "$HUB_DB-wal" 2>/dev/null | grep -caF -- "$s" || true)
    expect "\"$s\" is not in clear in the database" 0 "$n"
done
check "the finding ids are (they are counted)" \
    sh -c 'cat "$1" "$1-wal" 2>/dev/null | grep -qaF exposed.env' sh "$HUB_DB"

echo "--- the schedule"
rc=0
hub_stop || rc=$?
expect "the hub stops cleanly" 0 "$rc"
hub_start --site-options "$T/site.conf" --site-interval 1
sched() { [ "$(q "SELECT count(*) FROM site_checks WHERE trigger = 'schedule' AND status IN ('done', 'failed')")" -ge 1 ]; }
check "the never-checked website is checked on schedule" poll 2400 sched
expect "only that one: the others were checked within the hour" "$OTHER" \
    "$(q "SELECT group_concat(website_id) FROM site_checks WHERE trigger = 'schedule'")"
req "$TR" GET "/api/v1/websites/$OTHER/checks"
expect "B's website was checked" done "$(jq -r '.checks[0].status' "$T/r.body")"
rc=0
hub_stop || rc=$?
expect "the hub stops cleanly again" 0 "$rc"
finish
