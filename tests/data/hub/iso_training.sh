# SPDX-License-Identifier: GPL-3.0-or-later
# tests/data/hub/iso_training.sh - the isolation walk's plug-in for
# training and reminders (sourced by tests/integ/hub_isolation.sh; the
# protocol is at the top of that file).
#
# Each outlet gets a session of its own (named with the outlet's marker)
# teaching one module, and its marked person's attendance with hours and
# quiz scores.  The module is programme data, made once and shared: its
# routes are walked by role, not by outlet.  Bodies carry an outlet (a new
# or changed session) or a person (attendance) as their reference, which
# must be the caller's and answer like a missing id otherwise.  The
# reminder routes need no plug-in: their only placeholder is an outlet.
#
# The views print what the trainer reads of an outlet's own sessions and
# of its progress, without what outlets share (the modules, and the
# sessions several outlets attend): those are not an outlet's markers.

KIND_OF_SEG[sessions]=session
KIND_OF_SEG[curriculum]=module
KIND_OF_SEG[modules]=module
ISO_KINDS+=(session)
ISO_PROGRAMME_KINDS+=(module)
declare -A ISO_TRAINING_SESSIONS

# iso_training_make LETTER TAG OUTLET_ID
iso_training_make() {
    local o=$1 t=$2 oid=$3 sid
    if [ -z "${ID[A.module]:-}" ]; then
        req "$TR" POST /api/v1/modules '{"code":"ISO-WALK","title":"Module of the isolation walk","minutes":60,"audience":"all","controls":["ACC-01"]}'
        [ "$STATUS" = 201 ] || echo "setup: module: HTTP $STATUS $(head -c 300 "$T/r.body")" >&2
        ID[A.module]=$(jq -r .id "$T/r.body")
        ID[B.module]=${ID[A.module]}
    fi
    req "$TR" POST /api/v1/sessions "{\"title\":\"Qx${t}marker residency\",\"held_on\":\"2026-03-10\",\"days\":1,\"place\":\"Qx${t}marker hall\",\"outlets\":[$oid],\"modules\":[${ID[A.module]}]}"
    [ "$STATUS" = 201 ] || echo "setup: session for $o: HTTP $STATUS $(head -c 300 "$T/r.body")" >&2
    sid=$(jq -r .id "$T/r.body")
    ID[$o.session]=$sid
    ISO_TRAINING_SESSIONS[$oid]="${ISO_TRAINING_SESSIONS[$oid]:-} $sid"
    req "$TR" POST "/api/v1/sessions/$sid/attendance" "{\"attendance\":[{\"person\":${ID[$o.person]},\"minutes\":45,\"pre_score\":35,\"post_score\":75}]}"
    [ "$STATUS" = 200 ] || echo "setup: attendance for $o: HTTP $STATUS $(head -c 300 "$T/r.body")" >&2
}
ISO_MAKERS+=(iso_training_make)

# iso_training_view OUTLET_ID : the outlet's own sessions with their
# attendance, and its progress per person.
iso_training_view() {
    local s
    for s in ${ISO_TRAINING_SESSIONS[$1]:-}; do
        req "$TR" GET "/api/v1/sessions/$s"
        jq -c 'del(.modules)' "$T/r.body"
    done
    req "$TR" GET "/api/v1/outlets/$1/training"
    jq -c 'del(.modules_not_covered, .sessions)' "$T/r.body"
}
ISO_VIEWS+=(iso_training_view)

# iso_training_body PATTERN REF
iso_training_body() {
    case $1 in
    /api/*/sessions/{id}/attendance)
        echo "{\"attendance\":[{\"person\":$2,\"minutes\":30,\"pre_score\":10,\"post_score\":20}]}" ;;
    /sessions/{id}/attendance)
        echo "{\"outlet\":${ID[A.outlet]},\"present_$2\":\"1\",\"hours_$2\":\"1\",\"pre_$2\":\"\",\"post_$2\":\"\"}" ;;
    */sessions | */sessions/{id})
        echo "{\"title\":\"Mallory residency\",\"held_on\":\"2026-05-01\",\"days\":1,\"place\":\"Mallory hall\",\"outlets\":[$2]}" ;;
    */sessions/{id}/archive | */curriculum/standard | */modules/standard | \
        */curriculum/{id}/archive | */modules/{id}/archive) echo '{}' ;;
    */curriculum | */curriculum/{id} | */modules | */modules/{id})
        echo '{"code":"MAL-1","title":"Mallory module","minutes":60}' ;;
    *) return 1 ;;
    esac
}
ISO_BODIES+=(iso_training_body)

# iso_training_ref PATTERN : the kind of REF in its body.
iso_training_ref() {
    case $1 in
    */sessions/{id}/attendance) echo person ;;
    */sessions | */sessions/{id}) echo outlet ;;
    *) return 1 ;;
    esac
}
ISO_REFS+=(iso_training_ref)

# A's attendance is of A's people, and A's people attend as A.
ISO_INTO+=("SELECT count(*) FROM attendance WHERE outlet_id = :a AND person_id NOT IN (SELECT id FROM people WHERE outlet_id = :a)")
ISO_INTO+=("SELECT count(*) FROM attendance a JOIN people p ON p.id = a.person_id WHERE p.outlet_id = :a AND a.outlet_id <> :a")
