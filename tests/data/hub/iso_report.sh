# SPDX-License-Identifier: GPL-3.0-or-later
# tests/data/hub/iso_report.sh - the isolation walk's plug-in for the
# reports (sourced by tests/integ/hub_isolation.sh; the protocol is at the
# top of that file).
#
# The reports' placeholders are outlets (/outlets/{id}/report,
# /api/v1/reports/outlets/{id}), which the walk maps already, so every
# route is walked: another outlet's report answers like a missing one,
# and no answer carries another outlet's names.  Reports create no outlet
# objects; what they write is the record of each report produced, which
# must never be a report of another outlet produced by a user of A (a
# scope check that failed after the figures were read).  The reports
# table is not part of B's state: the trainer's own views of B produce
# reports of B.

# iso_report_view OUTLET_ID : the trainer's report of the outlet.
iso_report_view() {
    req "$TR" GET "/api/v1/reports/outlets/$1"
    cat "$T/r.body"
}
ISO_VIEWS+=(iso_report_view)

# iso_report_body PATTERN REF : a hash to check, built from REF.
iso_report_body() {
    case $1 in
    /reports/verify) printf '{"sha256":"%064d"}\n' "$2" ;;
    *) return 1 ;;
    esac
}
ISO_BODIES+=(iso_report_body)

ISO_INTO+=("SELECT count(*) FROM reports r JOIN user_outlets uo ON uo.user_id = r.created_by WHERE uo.outlet_id = :a AND r.scope = 'outlet' AND r.outlet_id <> :a")
