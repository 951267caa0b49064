# SPDX-License-Identifier: GPL-3.0-or-later
# tests/data/hub/iso_incident.sh - the isolation walk's plug-in for
# incidents and their timelines (sourced by tests/integ/hub_isolation.sh;
# the protocol is at the top of that file).
#
# Each outlet gets an incident, titled with the outlet's marker, that
# touches its marked person, account, device and website, with a note and
# a trainer-only note in its timeline.  Bodies name an account as their
# reference: an affected account of another outlet must answer like a
# missing id.  The timeline has no id column of its own, so instead of
# hashing it with B's tables, B's timeline is read back by the trainer's
# view of B (every incident's page and JSON), and the rows that would
# point across outlets are counted.

KIND_OF_SEG[incidents]=incident
ISO_KINDS+=(incident)
ISO_TABLES+=(incidents)

# iso_incident_make LETTER TAG OUTLET_ID
iso_incident_make() {
    local o=$1 t=$2 oid=$3
    ID[$o.incident]=$(mk "$oid" incidents "{\"type\":\"account_hijacked\",\"title\":\"Qx${t}marker incident\",\"occurred_at\":\"2026-01-05T10:00:00Z\",\"severity\":3,\"people\":[${ID[$o.person]}],\"accounts\":[${ID[$o.account]}],\"devices\":[${ID[$o.device]}],\"websites\":[${ID[$o.website]}]}")
    req "$TR" POST "/api/v1/outlets/$oid/incidents/${ID[$o.incident]}/events" \
        "{\"kind\":\"escalation\",\"text\":\"Qx${t}marker escalation\"}"
    [ "$STATUS" = 201 ] || echo "setup: incident note for $o: HTTP $STATUS $(head -c 300 "$T/r.body")" >&2
    req "$TR" POST "/api/v1/outlets/$oid/incidents/${ID[$o.incident]}/events" \
        "{\"text\":\"Qx${t}marker private note\",\"trainer_only\":true}"
    [ "$STATUS" = 201 ] || echo "setup: trainer-only note for $o: HTTP $STATUS $(head -c 300 "$T/r.body")" >&2
}
ISO_MAKERS+=(iso_incident_make)

# iso_incident_view OUTLET_ID : each incident's id and title and the notes
# and escalations of its timeline, as the trainer reads them.  Status and
# triage entries are left out: their texts (a status's name, a flow's
# questions and steps) are the same for every outlet and shown to anyone
# on the triage pages, so they name nothing of the outlet's.
iso_incident_view() {
    local i
    req "$TR" GET "/api/v1/outlets/$1/incidents"
    jq -c '{incidents: [.incidents[] | {id, title}]}' "$T/r.body"
    for i in $(jq -r '.incidents[].id' "$T/r.body"); do
        req "$TR" GET "/api/v1/outlets/$1/incidents/$i"
        jq -c '{id, title, events: [.events[] |
            select(.kind == "note" or .kind == "escalation") | {text}]}' "$T/r.body"
    done
}
ISO_VIEWS+=(iso_incident_view)

# iso_incident_body PATTERN REF
iso_incident_body() {
    case $1 in
    */incidents)
        echo "{\"type\":\"malware\",\"title\":\"Mallory incident\",\"occurred_at\":\"2026-01-05T10:00:00Z\",\"accounts\":[$2]}" ;;
    */incidents/{id}) echo "{\"status\":\"contained\",\"accounts\":[$2]}" ;;
    */incidents/{id}/events) echo '{"kind":"note","text":"Mallory note"}' ;;
    */incidents/{id}/triage) echo '{"flow":"account_access","path":"11"}' ;;
    *) return 1 ;;
    esac
}
ISO_BODIES+=(iso_incident_body)

# iso_incident_ref PATTERN : the kind of REF in its body.
iso_incident_ref() {
    case $1 in
    */incidents | */incidents/{id}) echo account ;;
    *) return 1 ;;
    esac
}
ISO_REFS+=(iso_incident_ref)

ISO_INTO+=("SELECT count(*) FROM incident_subjects s JOIN incidents i ON i.id = s.incident_id WHERE i.outlet_id = :a AND ((s.subject_type = 'person' AND s.subject_id NOT IN (SELECT id FROM people WHERE outlet_id = :a)) OR (s.subject_type = 'account' AND s.subject_id NOT IN (SELECT id FROM accounts WHERE outlet_id = :a)) OR (s.subject_type = 'device' AND s.subject_id NOT IN (SELECT id FROM devices WHERE outlet_id = :a)) OR (s.subject_type = 'website' AND s.subject_id NOT IN (SELECT id FROM websites WHERE outlet_id = :a)))")
ISO_INTO+=("SELECT count(*) FROM incident_events e JOIN incidents i ON i.id = e.incident_id WHERE e.outlet_id <> i.outlet_id")
ISO_INTO+=("SELECT count(*) FROM incident_events WHERE outlet_id <> :a AND user_id IN (SELECT user_id FROM user_outlets WHERE outlet_id = :a)")
ISO_INTO+=("SELECT count(*) FROM incidents WHERE outlet_id <> :a AND reported_by IN (SELECT user_id FROM user_outlets WHERE outlet_id = :a)")
