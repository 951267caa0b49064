# SPDX-License-Identifier: GPL-3.0-or-later
# tests/data/hub/iso_site.sh - the isolation walk's plug-in for website
# checks (sourced by tests/integ/hub_isolation.sh; the protocol is at the
# top of that file).
#
# Each outlet's marked website gets a check made from a report its server
# sends (`kalkan site check --json`'s shape), so it is done at once and no
# check runs during the walk: the walk never posts to these routes with
# all of A's ids, only with B's or missing ones.  The findings' evidence
# carries the outlet's marker; the view prints it under "note", so it is
# one of B's markers that no answer to A's users may hold.

KIND_OF_SEG[checks]=site_check
ISO_KINDS+=(site_check)
ISO_TABLES+=(site_checks site_check_findings)

# iso_site_make LETTER TAG OUTLET_ID
iso_site_make() {
    local o=$1 t=$2 w=${ID[$1.website]}
    req "$TR" POST "/api/v1/websites/$w/checks" \
        "{\"target\":\"qx${t}marker.example\",\"checked_at\":\"2026-01-05T10:00:00Z\",\"grade\":\"F\",\"score\":20,\"areas\":{\"tls\":90,\"headers\":40,\"exposure\":0,\"mail\":null,\"dns\":null},\"best_fix\":\"exposed.env\",\"findings\":[{\"id\":\"exposed.env\",\"evidence\":\"/Qx${t}marker.env\"},{\"id\":\"hsts.missing\",\"evidence\":\"Qx${t}marker hsts\"}],\"passed\":[\"exposed.git\"]}"
    if [ "$STATUS" != 201 ]; then
        echo "setup: a website check for $o: HTTP $STATUS $(head -c 300 "$T/r.body")" >&2
        return 1
    fi
    ID[$o.site_check]=$(jq -r .id "$T/r.body")
}
ISO_MAKERS+=(iso_site_make)

# iso_site_view OUTLET_ID : the checks of the outlet's websites as the
# trainer reads them, with their findings' evidence.
iso_site_view() {
    local w c
    req "$TR" GET "/api/v1/outlets/$1/websites"
    for w in $(jq -r '.websites[].id' "$T/r.body"); do
        req "$TR" GET "/api/v1/websites/$w/checks"
        jq -c '{checks: [.checks[] | {id}]}' "$T/r.body"
        for c in $(jq -r '.checks[].id' "$T/r.body"); do
            req "$TR" GET "/api/v1/checks/$c"
            jq -c '{id, note: ([.findings[]?.evidence] | join(" "))}' "$T/r.body"
        done
    done
}
ISO_VIEWS+=(iso_site_view)

# iso_site_body PATTERN REF : "Check now" and the API's ask carry no
# reference.
iso_site_body() {
    case $1 in
    */websites/{id}/checks) echo '{}' ;;
    *) return 1 ;;
    esac
}
ISO_BODIES+=(iso_site_body)

ISO_INTO+=("SELECT count(*) FROM site_checks c JOIN websites w ON w.id = c.website_id WHERE c.outlet_id = :a AND w.outlet_id <> :a")
ISO_INTO+=("SELECT count(*) FROM site_check_findings f JOIN site_checks c ON c.id = f.check_id WHERE f.outlet_id = :a AND c.outlet_id <> :a")
ISO_INTO+=("SELECT count(*) FROM site_checks WHERE outlet_id <> :a AND created_by IN (SELECT user_id FROM user_outlets WHERE outlet_id = :a)")
