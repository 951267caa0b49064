# SPDX-License-Identifier: GPL-3.0-or-later
# tests/data/hub/iso_guard.sh - the isolation walk's plug-in for the log
# guard's reports and the office networks (sourced by
# tests/integ/hub_isolation.sh; the protocol is at the top of that file).
#
# Each outlet's marked website gets a guard report (the trainer may post
# one as a server would) whose host and rule carry the outlet's marker,
# and the outlet gets an office network labelled with it; the view prints
# both, so they are among B's markers that no answer to A's users may
# hold.  Bodies are valid reports and networks, so a refusal can only come
# from the ids under test.

KIND_OF_SEG[networks]=guard_network
ISO_KINDS+=(guard_network)
ISO_TABLES+=(guard_reports guard_events guard_networks)

# iso_guard_report TAG : a report of the guard daemon's shape.
iso_guard_report() {
    local now at
    now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    at=$(date -u -d '-10 minutes' +%Y-%m-%dT%H:%M:%SZ)
    echo "{\"host\":\"qx$1marker-host\",\"version\":\"0.1.0\",\"started_at\":\"$at\",\"sent_at\":\"$now\",\"lines\":10,\"matched\":2,\"tracked\":1,\"banned\":1,\"events\":[{\"at\":\"$at\",\"kind\":\"ban\",\"address\":\"192.0.2.7\",\"rule\":\"qx$1marker-rule\",\"hits\":5,\"first\":\"$at\",\"until\":\"$now\",\"level\":1}]}"
}

# iso_guard_make LETTER TAG OUTLET_ID (called again when B grows: each
# call adds a network of its own)
ISO_GUARD_N=0
iso_guard_make() {
    local o=$1 t=$2 oid=$3 net
    ISO_GUARD_N=$((ISO_GUARD_N + 1))
    net=10.$ISO_GUARD_N.0.0/16
    req "$TR" POST "/api/v1/websites/${ID[$o.website]}/guard" "$(iso_guard_report "$t")"
    [ "$STATUS" = 201 ] || echo "setup: a guard report for $o: HTTP $STATUS $(head -c 300 "$T/r.body")" >&2
    req "$TR" POST "/api/v1/outlets/$oid/guard/networks" \
        "{\"prefix\":\"$net\",\"label\":\"Qx${t}marker office\"}"
    if [ "$STATUS" != 201 ]; then
        echo "setup: an office network for $o: HTTP $STATUS $(head -c 300 "$T/r.body")" >&2
        return 1
    fi
    ID[$o.guard_network]=$(jq -r .id "$T/r.body")
}
ISO_MAKERS+=(iso_guard_make)

# iso_guard_view OUTLET_ID : the outlet's networks and its websites' guard
# reports, as the trainer reads them (a label under "note", where the
# walk looks for markers).
iso_guard_view() {
    local w
    req "$TR" GET "/api/v1/outlets/$1/guard/networks"
    jq -c '{networks: [.networks[] | {id, prefix, note: .label}]}' "$T/r.body"
    req "$TR" GET "/api/v1/outlets/$1/websites"
    for w in $(jq -r '.websites[].id' "$T/r.body"); do
        req "$TR" GET "/api/v1/websites/$w/guard"
        jq -c '{host: .last_report.host, note: ([.events[] | "\(.at) \(.kind) \(.address) \(.rule)"] | join(" "))}' "$T/r.body"
    done
}
ISO_VIEWS+=(iso_guard_view)

# iso_guard_body PATTERN REF
iso_guard_body() {
    case $1 in
    */websites/{id}/guard) iso_guard_report mallory ;;
    */guard/networks) echo '{"prefix":"192.0.2.0/24","label":"Mallory office"}' ;;
    */guard/networks/{id}/delete) echo '{}' ;;
    *) return 1 ;;
    esac
}
ISO_BODIES+=(iso_guard_body)

ISO_INTO+=("SELECT count(*) FROM guard_reports r JOIN websites w ON w.id = r.website_id WHERE r.outlet_id = :a AND w.outlet_id <> :a")
ISO_INTO+=("SELECT count(*) FROM guard_events e JOIN websites w ON w.id = e.website_id WHERE e.outlet_id = :a AND w.outlet_id <> :a")
ISO_INTO+=("SELECT count(*) FROM guard_reports WHERE outlet_id <> :a AND created_by IN (SELECT user_id FROM user_outlets WHERE outlet_id = :a)")
