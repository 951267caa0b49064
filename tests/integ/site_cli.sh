#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# site_cli.sh - the command-line contract of `kalkan site` (docs/site.md):
# --help of each subcommand names every option; bad input exits 2 with one
# line "kalkan: site: ..." on stderr and nothing on stdout; a site that
# cannot be checked exits 3 and says why in one line; and, against the
# offline fixture (tests/data/site/fixture.sh), the well-kept site exits 0
# graded A or A+ in text and JSON in English, Russian and Kyrgyz, the
# neglected one exits 1 graded F, --json prints exactly one document and
# several targets give an array.
set -u
: "${KALKAN:?KALKAN must name the kalkan binary}"
KK_SOURCE_DIR=${KK_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BASE=${SITE_CLI_BASE:-20400}

T=$(mktemp -d /tmp/kalkan-site-cli.XXXXXX)
# nginx's workers run as an unprivileged user and must reach the sites'
# files under the fixture.
chmod 755 "$T"
FX_UP=0
cleanup() {
    if [ "$FX_UP" = 1 ]; then
        bash "$KK_SOURCE_DIR/tests/data/site/fixture.sh" down "$T/fx" >/dev/null 2>&1
    fi
    rm -rf "$T"
}
trap cleanup EXIT

FAILS=0
CHECKS=0
ok() { CHECKS=$((CHECKS + 1)); }
fail() {
    CHECKS=$((CHECKS + 1))
    FAILS=$((FAILS + 1))
    echo "FAIL: $*" >&2
}

# run ARGS...: runs kalkan; sets rc, and leaves stdout and stderr in files.
run() {
    "$KALKAN" "$@" >"$T/out" 2>"$T/err" </dev/null
    rc=$?
}

# usage DESC ARGS...: exit 2, nothing on stdout, one "kalkan: site: " line.
usage() {
    local desc=$1
    shift
    run "$@"
    if [ "$rc" != 2 ]; then
        fail "$desc: exit $rc, want 2 ($(head -c 300 "$T/err"))"
        return
    fi
    if [ -s "$T/out" ]; then fail "$desc: printed on stdout"; else ok; fi
    if [ "$(wc -l <"$T/err")" = 1 ] && grep -q '^kalkan: site: ' "$T/err"; then
        ok
    else
        fail "$desc: stderr is not one 'kalkan: site: ' line: $(cat "$T/err")"
    fi
}

# ---- help ----

CHECK_OPTS="--json --lang --dns --trust-anchor --ca-file --resolve --http-port
--https-port --smtp-port --now --timeout --dkim-selector --no-mail
--cms-releases --quiet --help"
for sub in "" check list; do
    # shellcheck disable=SC2086
    run site $sub --help
    if [ "$rc" = 0 ] && grep -q '^Usage: kalkan site' "$T/out" && [ ! -s "$T/err" ]; then
        ok
    else
        fail "site $sub --help: exit $rc or no usage"
    fi
    case $sub in
    list) want="--json --lang --help" ;;
    *) want=$CHECK_OPTS ;;
    esac
    for opt in $want; do
        if grep -q -- "$opt" "$T/out"; then ok; else fail "site $sub --help lacks $opt"; fi
    done
done
run site --help
for word in check list; do
    if grep -q "^  $word " "$T/out"; then ok; else fail "site --help lacks $word"; fi
done
run --help
if grep -q '^  site ' "$T/out"; then ok; else fail "kalkan --help lacks site"; fi

# ---- bad input: exit 2 ----

echo x >"$T/unreadable"
chmod 000 "$T/unreadable"
printf 'wordpress six 6.8.3\n' >"$T/bad-releases"
usage "bare site" site
usage "unknown subcommand" site frobnicate
usage "unknown option" site check --frobnicate example.org
usage "missing target" site check
usage "missing target with options" site check --json --lang en
usage "option without its value" site check example.org --lang
usage "port 0" site check --https-port 0 example.org
usage "port not a number" site check --http-port eighty example.org
usage "port too big" site check --smtp-port 65536 example.org
usage "--resolve without address" site check --resolve example.org:443 example.org
usage "--resolve with a name for address" site check --resolve example.org:443:localhost example.org
usage "--resolve with a bad port" site check --resolve example.org:x:127.0.0.1 example.org
usage "--now not a time" site check --now yesterday example.org
usage "--now not a date" site check --now 2026-13-40 example.org
usage "--lang de" site check --lang de example.org
usage "--lang empty" site check --lang '' example.org
usage "--timeout 0" site check --timeout 0 example.org
usage "--timeout 121" site check --timeout 121 example.org
usage "--dns a name" site check --dns resolver.example example.org
usage "--dns bad port" site check --dns 127.0.0.1@0 example.org
usage "--dkim-selector with a space" site check --dkim-selector 'a b' example.org
usage "missing --ca-file" site check --ca-file "$T/no-such-file" example.org
usage "--ca-file a directory" site check --ca-file "$T" example.org
usage "missing --trust-anchor" site check --trust-anchor "$T/no-such-file" example.org
usage "missing --cms-releases" site check --cms-releases "$T/no-such-file" example.org
usage "malformed --cms-releases" site check --cms-releases "$T/bad-releases" example.org
if [ "$(id -u)" != 0 ]; then
    usage "unreadable --ca-file" site check --ca-file "$T/unreadable" example.org
fi
usage "target with an escape byte" site check $'exam\033[2Jple.org'
usage "target with a newline" site check $'example.org\nINJECTED'
if grep -q INJECTED "$T/err" && [ "$(wc -l <"$T/err")" != 1 ]; then
    fail "a newline of the target reached stderr"
else
    ok
fi
usage "target with a space" site check 'example .org'
usage "ftp target" site check ftp://x
usage "empty target" site check ''
usage "target with a user" site check https://user@example.org/
# shellcheck disable=SC2016 # a literal dollar sign
usage "target not a host name" site check 'exa$mple.org'
usage "bad target after a good one" site check --timeout 1 example.org ftp://x
usage "list with an argument" site list extra
usage "list --lang xx" site list --lang xx

# ---- sites that cannot be checked: exit 3 and why ----

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
P1=$(free_port)
P2=$(free_port)
run site check --quiet --timeout 2 --no-mail --https-port "$P1" --http-port "$P2" 127.0.0.1
if [ "$rc" = 3 ]; then ok; else fail "closed ports: exit $rc, want 3"; fi
if [ "$(wc -l <"$T/err")" = 1 ] && grep -q '^kalkan: site: 127.0.0.1: .*unreachable' "$T/err"; then
    ok
else
    fail "closed ports: stderr does not say unreachable in one line: $(cat "$T/err")"
fi
if grep -q 'could not be checked' "$T/out"; then ok; else fail "closed ports: no report on stdout"; fi
run site check --json --quiet --timeout 2 --no-mail --https-port "$P1" --http-port "$P2" 127.0.0.1
if [ "$rc" = 3 ] && jq -e '.error.code == "unreachable" and (.error.message | length > 0)
    and .target == "127.0.0.1" and (.grade == null)' "$T/out" >/dev/null; then
    ok
else
    fail "closed ports --json: exit $rc: $(head -c 300 "$T/out")"
fi

# ---- the fixture ----

if ! bash "$KK_SOURCE_DIR/tests/data/site/fixture.sh" up "$T/fx" "$BASE" >"$T/fx.log" 2>&1; then
    fail "the fixture did not start: $(tail -5 "$T/fx.log")"
    echo "site_cli: $CHECKS checks, $FAILS failed"
    exit 1
fi
FX_UP=1
read -r -a OPTS <"$T/fx/site.opts"

# The name does not resolve: 3, and stderr says so.
run site check --quiet "${OPTS[@]}" nosuch.kalkan.test
if [ "$rc" = 3 ] && [ "$(wc -l <"$T/err")" = 1 ] &&
    grep -q '^kalkan: site: nosuch.kalkan.test: .*does not resolve' "$T/err"; then
    ok
else
    fail "unresolvable: exit $rc: $(cat "$T/err")"
fi

# The well-kept site: 0, A or A+, in every language.
declare -A WORD=([en]="grade" [ru]="оценка" [ky]="баа")
for lang in en ru ky; do
    run site check --quiet --lang "$lang" "${OPTS[@]}" good.kalkan.test
    if [ "$rc" = 0 ]; then ok; else fail "good ($lang): exit $rc: $(cat "$T/err")"; fi
    if head -1 "$T/out" | grep -Eq "^good.kalkan.test — ${WORD[$lang]} A\+?, "; then
        ok
    else
        fail "good ($lang): header: $(head -1 "$T/out")"
    fi
    run site check --quiet --json --lang "$lang" "${OPTS[@]}" good.kalkan.test
    if [ "$rc" = 0 ] && jq -e --arg l "$lang" '(.grade == "A" or .grade == "A+")
        and .lang == $l and .target == "good.kalkan.test"
        and ([.findings[] | select(.severity != "info")] | length == 0)
        and (.areas | keys == ["dns","exposure","headers","mail","tls"])
        and (.passed | length > 20) and .checked_at and .url' "$T/out" >/dev/null; then
        ok
    else
        fail "good --json ($lang): exit $rc: $(head -c 400 "$T/out")"
    fi
done

# The Russian and Kyrgyz texts are the translations, not English.
run site check --quiet --json --lang ru "${OPTS[@]}" bad.kalkan.test
if jq -e '[.findings[].title | test("[а-яА-ЯёЁ]")] | all' "$T/out" >/dev/null; then
    ok
else
    fail "bad --lang ru: a title is not Russian"
fi
run site check --quiet --json --lang ky "${OPTS[@]}" bad.kalkan.test
KY=$(jq -r '.findings[0].fix' "$T/out")
run site check --quiet --json --lang ru "${OPTS[@]}" bad.kalkan.test
RU=$(jq -r '.findings[0].fix' "$T/out")
if [ -n "$KY" ] && [ "$KY" != "$RU" ]; then ok; else fail "bad: Kyrgyz fix is the Russian one"; fi

# The language follows the locale when --lang is not given.
LANG=ky_KG.UTF-8 LC_ALL='' "$KALKAN" site check --quiet "${OPTS[@]}" good.kalkan.test >"$T/out" 2>"$T/err"
if head -1 "$T/out" | grep -q "— баа A"; then ok; else fail "LANG=ky: $(head -1 "$T/out")"; fi

# The neglected site: 1, F, with what capped it and the fix first.
run site check --quiet "${OPTS[@]}" bad.kalkan.test
if [ "$rc" = 1 ]; then ok; else fail "bad: exit $rc, want 1"; fi
if head -1 "$T/out" | grep -q '^bad.kalkan.test — grade F, '; then ok; else fail "bad: $(head -1 "$T/out")"; fi
FIRST=$(grep -n '^Fix this first: ' "$T/out" | head -1 | cut -d: -f1)
CRIT=$(grep -n '^Critical' "$T/out" | head -1 | cut -d: -f1)
if [ -n "$FIRST" ] && [ -n "$CRIT" ] && [ "$FIRST" -lt "$CRIT" ] &&
    grep -q '^Grade held down to F: ' "$T/out"; then
    ok
else
    fail "bad: no cap line, or the best fix is not before the findings"
fi
run site check --quiet --json "${OPTS[@]}" bad.kalkan.test
if [ "$rc" = 1 ] && [ "$(jq -s length "$T/out")" = 1 ] &&
    jq -e '.grade == "F" and (.capped_by | length > 0) and (.best_fix | type == "string")
        and (.findings | length > 10) and .requests <= 80 and .handshakes <= 20' \
        "$T/out" >/dev/null; then
    ok
else
    fail "bad --json: exit $rc: $(jq -c "{grade, score, requests, areas, ids: [.findings[].id]}" "$T/out")"
fi

# --now past the certificate's end: the good site's certificate has expired.
run site check --quiet --json --now 2099-01-01 "${OPTS[@]}" good.kalkan.test
if [ "$rc" = 1 ] && jq -e '.grade == "F" and any(.findings[]; .id == "tls.cert.expired")' \
    "$T/out" >/dev/null; then
    ok
else
    fail "--now 2099: exit $rc: $(jq -c '{grade, ids: [.findings[]?.id]}' "$T/out" 2>&1)"
fi

# Several targets: an array with --json, reports one after the other in
# text; one that cannot be checked makes the whole run exit 3.
run site check --quiet --json "${OPTS[@]}" good.kalkan.test bad.kalkan.test
if [ "$rc" = 1 ] && jq -e 'type == "array" and length == 2 and .[0].target == "good.kalkan.test"
    and .[1].target == "bad.kalkan.test"' "$T/out" >/dev/null && [ "$(jq -s length "$T/out")" = 1 ]; then
    ok
else
    fail "two targets --json: exit $rc: $(head -c 300 "$T/out")"
fi
run site check --quiet "${OPTS[@]}" good.kalkan.test bad.kalkan.test
if [ "$rc" = 1 ] && [ "$(grep -c '^[a-z.]*kalkan.test — grade ' "$T/out")" = 2 ] &&
    grep -B1 '^bad.kalkan.test — ' "$T/out" | head -1 | grep -q '^$'; then
    ok
else
    fail "two targets, text: exit $rc"
fi
run site check --quiet --json "${OPTS[@]}" good.kalkan.test nosuch.kalkan.test
if [ "$rc" = 3 ] && jq -e 'length == 2 and .[1].error.code == "dns" and .[0].grade' \
    "$T/out" >/dev/null && grep -q 'nosuch.kalkan.test' "$T/err"; then
    ok
else
    fail "a target that cannot be checked among two: exit $rc"
fi

# The list of findings.
run site list --json
if [ "$rc" = 0 ] && jq -e 'type == "array" and length > 40 and all(.[]; .id and .severity
    and .area and .title)' "$T/out" >/dev/null; then
    ok
else
    fail "site list --json: exit $rc"
fi
N=$(jq length "$T/out")
run site list --lang ru
if [ "$rc" = 0 ] && [ "$(wc -l <"$T/out")" = "$N" ] && grep -q '^tls.cert.expired ' "$T/out"; then
    ok
else
    fail "site list --lang ru: exit $rc"
fi
run site list --json --lang ky
if jq -e 'all(.[]; .title | test("[а-яА-ЯөүңӨҮҢ]"))' "$T/out" >/dev/null; then
    ok
else
    fail "site list --lang ky: a title is not Kyrgyz"
fi

echo "site_cli: $CHECKS checks, $FAILS failed"
[ "$FAILS" -eq 0 ]
