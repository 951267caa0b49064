# SPDX-License-Identifier: GPL-3.0-or-later
# tests/data/hub/iso_assess.sh - the isolation walk's plug-in for
# assessments, the risk matrix, findings and the action plan (sourced by
# tests/integ/hub_isolation.sh; the protocol is at the top of that file).
#
# Each outlet gets an assessment with one result about its marked person,
# a risk, a finding and a task owned by that person, all named with the
# outlet's marker.  Bodies carry a person as their reference: a result's
# subject and a task's owner must be the outlet's own, and answer like a
# missing id otherwise.

KIND_OF_SEG[assessments]=assessment
KIND_OF_SEG[risks]=risk
KIND_OF_SEG[findings]=finding
KIND_OF_SEG[tasks]=task
ISO_KINDS+=(assessment risk finding task)
ISO_TABLES+=(assessments risks findings tasks)

# iso_assess_make LETTER TAG OUTLET_ID
iso_assess_make() {
    local o=$1 t=$2 oid=$3
    ID[$o.assessment]=$(mk "$oid" assessments '{"kind":"adhoc","held_on":"2026-01-15"}')
    req "$TR" POST "/api/v1/outlets/$oid/assessments/${ID[$o.assessment]}/results" \
        "{\"results\":[{\"control_id\":\"ACC-14\",\"subject_type\":\"person\",\"subject_id\":${ID[$o.person]},\"status\":\"fail\",\"note\":\"Qx${t}marker evidence\"}]}"
    [ "$STATUS" = 201 ] || echo "setup: results for $o: HTTP $STATUS $(head -c 300 "$T/r.body")" >&2
    ID[$o.risk]=$(mk "$oid" risks "{\"adversary\":\"Qx${t}marker adversary\",\"capability\":4,\"likelihood\":3,\"impact\":5,\"work\":\"Qx${t}marker work\",\"notes\":\"Qx${t}marker notes\"}")
    ID[$o.finding]=$(mk "$oid" findings "{\"title\":\"Qx${t}marker finding\",\"controls\":[\"ACC-14\"],\"likelihood\":4,\"impact\":4}")
    ID[$o.task]=$(mk "$oid" tasks "{\"title\":\"Qx${t}marker task\",\"owner\":${ID[$o.person]},\"due\":\"2026-03-01\",\"finding_id\":${ID[$o.finding]}}")
}
ISO_MAKERS+=(iso_assess_make)

# iso_assess_view OUTLET_ID : the lists and the assessments with results.
iso_assess_view() {
    local k a
    for k in assessments risks findings tasks; do
        req "$TR" GET "/api/v1/outlets/$1/$k"
        cat "$T/r.body"
        echo
    done
    req "$TR" GET "/api/v1/outlets/$1/assessments"
    for a in $(jq -r '.assessments[].id' "$T/r.body"); do
        req "$TR" GET "/api/v1/outlets/$1/assessments/$a"
        cat "$T/r.body"
        echo
    done
}
ISO_VIEWS+=(iso_assess_view)

# iso_assess_body PATTERN REF
iso_assess_body() {
    case $1 in
    /api/*/assessments/{id}/results)
        echo "{\"results\":[{\"control_id\":\"ACC-14\",\"subject_type\":\"person\",\"subject_id\":$2,\"status\":\"fail\"}]}" ;;
    */assessments/{id}/results)
        echo "{\"subject_type\":\"person\",\"subject_id\":$2,\"status.ACC-14\":\"fail\",\"note.ACC-14\":\"Mallory\"}" ;;
    */assessments) echo '{"kind":"adhoc","held_on":"2026-02-01"}' ;;
    */assessments/{id}/close) echo '{"summary":"Mallory was here"}' ;;
    */assessments/{id}/findings | */risks/{id}/archive) echo '{}' ;;
    */risks | */risks/{id}) echo '{"adversary":"Mallory","capability":2,"likelihood":3,"impact":3}' ;;
    */findings | */findings/{id}) echo '{"title":"Mallory finding","controls":"ACC-14"}' ;;
    */findings/{id}/tasks | */tasks | */tasks/{id})
        echo "{\"title\":\"Mallory task\",\"owner\":$2,\"due\":\"2026-04-01\"}" ;;
    *) return 1 ;;
    esac
}
ISO_BODIES+=(iso_assess_body)

# iso_assess_ref PATTERN : the kind of REF in its body.
iso_assess_ref() {
    case $1 in
    */assessments/{id}/results | */findings/{id}/tasks | */tasks | */tasks/{id})
        echo person ;;
    *) return 1 ;;
    esac
}
ISO_REFS+=(iso_assess_ref)

ISO_INTO+=("SELECT count(*) FROM tasks WHERE outlet_id = :a AND (owner_id IN (SELECT id FROM people WHERE outlet_id <> :a) OR finding_id IN (SELECT id FROM findings WHERE outlet_id <> :a))")
ISO_INTO+=("SELECT count(*) FROM observations WHERE outlet_id = :a AND assessment_id IN (SELECT id FROM assessments WHERE outlet_id <> :a)")
ISO_INTO+=("SELECT count(*) FROM findings WHERE outlet_id = :a AND assessment_id IN (SELECT id FROM assessments WHERE outlet_id <> :a)")
