# SPDX-License-Identifier: GPL-3.0-or-later
# tests/data/hub/iso_selection.sh - the isolation walk's plug-in for the
# selection (sourced by tests/integ/hub_isolation.sh; the protocol is at
# the top of that file).
#
# Calls and applications belong to the programme, not to an outlet: the
# walk leak-checks their pages and endpoints as every role but does not
# swap their ids (tests/integ/hub_selection.sh proves who may reach
# them).  One open call with one anonymous application stands for both
# outlets, made once: B growing must not add to what the panel sees.  The
# applications table is hashed into B's state, because the demo's
# selected applications point to the outlets they became.

KIND_OF_SEG[calls]=call
KIND_OF_SEG[applications]=application
KIND_OF_SEG[apply]=call
ISO_PROGRAMME_KINDS+=(call application)
ISO_TABLES+=(applications)

# iso_selection_make LETTER TAG OUTLET_ID
iso_selection_make() {
    local o=$1
    if [ -z "${ISO_SEL_CALL:-}" ]; then
        req "$TR" POST /api/v1/calls '{"title":"Isolation walk call","criteria":[{"name":"Reporting","weight":1}]}'
        [ "$STATUS" = 201 ] || echo "setup: a call: HTTP $STATUS $(head -c 300 "$T/r.body")" >&2
        ISO_SEL_CALL=$(jq -r .id "$T/r.body")
        req anon POST "/api/v1/calls/$ISO_SEL_CALL/applications" \
            '{"outlet_name":"Isolation Applicant","contact_email":"desk@isolation-applicant.example","answers":{"Reporting":"We report."}}'
        [ "$STATUS" = 201 ] || echo "setup: an application: HTTP $STATUS $(head -c 300 "$T/r.body")" >&2
        ISO_SEL_APP=$(py_sqlite "$HUB_DB" "SELECT id FROM applications WHERE call_id = $ISO_SEL_CALL")
    fi
    ID[$o.call]=$ISO_SEL_CALL
    ID[$o.application]=$ISO_SEL_APP
}
ISO_MAKERS+=(iso_selection_make)
