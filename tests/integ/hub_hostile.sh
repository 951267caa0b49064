#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# hub_hostile.sh - the hub against hostile requests: bodies over the
# limits (413, 1 MiB for forms and JSON, 4 MiB for CSV imports), a 3 KB
# request target (414), malformed and deeply nested JSON, invalid UTF-8 in
# form fields, NUL bytes in the query, a Content-Length that lies, a
# slowloris crowd of half requests that must not keep other clients out,
# methods other than GET/POST/HEAD (405), path traversal under /static/
# (404), HTML injection through names (escaped on every page), CSRF
# refusal, the security headers on every answer, the cookies' attributes.
# Every answer is 4xx where the request is wrong and never a crash: the
# server must still answer at the end and stop cleanly (exit 0, which in
# the sanitizer build also means no ASan or UBSan report).
#
# Then the real scanners, when installed (Debian packages sqlmap and
# wapiti; scripts/install-deps installs them): sqlmap against GET and POST
# parameters of the signed-in API and pages, wapiti against the signed-in
# site; neither may report anything.  Both talk to 127.0.0.1 only.
set -euo pipefail
. "$(dirname "$0")/../data/hub/lib.sh"

hub_start
hub_user trainer@hostile.example trainer
hub_login trainer@hostile.example
TR=trainer@hostile.example
TOKEN=$("$KALKAN" token create --db "$HUB_DB" --user "$TR")
BT=bearer:$TOKEN
O=$(hub_outlet "$BT" hostile-news "Hostile News" web)
mkdir -p "$T/hdrs"
NH=0
# keep LABEL : keeps the last answer's headers for the header checks.
keep() {
    NH=$((NH + 1))
    { echo "$1"; tr -d '\r' <"$T/r.hdr"; } >"$T/hdrs/$NH"
}
# status_in DESCRIPTION LIST : the last status is one of LIST.
status_in() {
    if [[ " $2 " == *" $STATUS "* ]]; then
        ok "$1 (HTTP $STATUS)"
    else
        bad "$1: HTTP $STATUS, want one of $2"
        head -c 300 "$T/r.body" | sed 's/^/    /'
        echo
    fi
}
alive() {
    req anon GET /login
    [ "$STATUS" = 200 ] && hub_alive
}

# --- objects with hostile names ---
XSS='<script>alert(1)</script>'
mkp() { # NAME -> id
    req "$BT" POST "/api/v1/outlets/$O/people" "$(jq -cn --arg n "$1" \
        '{name: $n, department: "editorial", email: "x@hostile.example"}')"
    [ "$STATUS" = 201 ] || { bad "creating person $1: HTTP $STATUS"; return 0; }
    jq -r .id "$T/r.body"
}
P1=$(mkp "$XSS")
P2=$(mkp '"><img src=x onerror=alert(2)>')
P3=$(mkp "' onmouseover='alert(3)' x='")
P4=$(mkp '=HYPERLINK("http://evil.example/","click")')
mk() { # KIND JSON -> id
    req "$BT" POST "/api/v1/outlets/$O/$1" "$2"
    [ "$STATUS" = 201 ] || { bad "creating $1 $2: HTTP $STATUS $(cat "$T/r.body")"; return 0; }
    jq -r .id "$T/r.body"
}
D1=$(mk devices "{\"kind\":\"laptop\",\"os\":\"<script>alert(4)</script>\",\"asset_tag\":\"<marquee>tag</marquee>\",\"custodian\":$P1}")
A1=$(mk accounts "{\"platform\":\"fb_page\",\"handle\":\"<svg onload=alert(5)>\",\"owner\":$P1,\"admins\":[$P1,$P2]}")
L1=$(mk licences "{\"product\":\"<iframe src=//evil.example>\",\"type\":\"retail\",\"device\":$D1}")
W1=$(mk websites '{"url":"https://hostile.example/?q=\"><script>alert(6)</script>","cms":"<script>alert(7)</script>"}')
req "$BT" POST "/api/v1/outlets/$O/websites" '{"url":"javascript:alert(8)"}'
status_in "a javascript: URL is not a website" "400"
check "every hostile object was stored" test -n "$P1" -a -n "$P2" -a -n "$P3" \
    -a -n "$P4" -a -n "$D1" -a -n "$A1" -a -n "$L1" -a -n "$W1"

# --- size limits ---
mkbody() { # BYTES FILE : a JSON string body of exactly BYTES bytes
    python3 -c 'import sys; n = int(sys.argv[1]); sys.stdout.write("{\"name\":\"" + "a" * (n - 11) + "\"}")' "$1" >"$2"
}
mkbody $((1024 * 1024 + 1)) "$T/big.json"
# (curl reads a body "@FILE" from FILE)
req "$BT" POST "/api/v1/outlets/$O/people" "@$T/big.json"
status_in "a JSON body of 1 MiB + 1 byte" "413"
keep "413 body"
REQ_EXTRA=(-H 'Transfer-Encoding: chunked')
req "$BT" POST "/api/v1/outlets/$O/people" "@$T/big.json"
REQ_EXTRA=()
status_in "the same body chunked, without a Content-Length" "413"
mkbody $((1024 * 1024)) "$T/max.json"
req "$BT" POST "/api/v1/outlets/$O/people" "@$T/max.json"
status_in "a body of exactly 1 MiB is read (and its long name refused)" "400"
head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' 'a' >"$T/big.form"
req "$TR" POST "/outlets/$O/people" "@$T/big.form" application/x-www-form-urlencoded
status_in "a form of 1 MiB + 1 byte" "413"
python3 -c 'import sys; sys.stdout.write("name,department\n" + ("x" * 70 + ",editorial\n") * (4 * 1024 * 1024 // 80 + 10))' >"$T/big.csv"
req "$BT" POST "/api/v1/outlets/$O/people/import" "@$T/big.csv" text/csv
status_in "a CSV import of more than 4 MiB ($(stat -c %s "$T/big.csv") bytes)" "413"
head -c $((2 * 1024 * 1024)) "$T/big.csv" >"$T/mid.csv"
req "$BT" POST "/api/v1/outlets/$O/people/import" "@$T/mid.csv" text/csv
check "a CSV import of 2 MiB is within the limit (HTTP $STATUS)" \
    test "$STATUS" != 413 -a "$STATUS" != 000 -a "${STATUS:0:1}" != 5
req "$BT" POST "/api/v1/outlets/$O/people" '{}'
REQ_EXTRA=(-H 'Content-Length: 99999999999999999999999')
req "$BT" POST "/api/v1/outlets/$O/people" '{}'
REQ_EXTRA=()
status_in "a Content-Length beyond 64 bits" "400 413"
check "the hub is alive after the big bodies" alive

# --- the request target ---
long=$(head -c 3000 /dev/zero | tr '\0' 'a')
req anon GET "/outlets/$long"
status_in "a 3 KB request target" "414"
keep "414"
req anon GET "/login?x=$long"
status_in "a 3 KB query string" "414"
req anon GET "/outlets/$(head -c 1900 /dev/zero | tr '\0' 'a')"
status_in "a 1.9 KB request target is served (not found)" "404"

# --- JSON that is not ---
json_error() { jq -e '.error.code | strings' "$T/r.body" >/dev/null; }
api_post_json() { # DESCRIPTION BODY
    req "$BT" POST "/api/v1/outlets/$O/people" "$2"
    status_in "$1" "400"
    keep "$1"
    check "$1: the answer is a JSON error" json_error
}
api_post_json "truncated JSON" '{"name": "x",'
api_post_json "trailing garbage after JSON" '{"name":"x","department":"editorial"} x'
api_post_json "an empty JSON body" ''
api_post_json "a JSON array instead of an object" '[1,2,3]'
api_post_json "a duplicate key" '{"name":"x","name":"y","department":"editorial"}'
api_post_json "a bad escape" '{"name":"\u12","department":"editorial"}'
api_post_json "a lone surrogate" '{"name":"\ud800","department":"editorial"}'
api_post_json "a NUL escape in a name" '{"name":"a\u0000b","department":"editorial"}'
api_post_json "a number too large" '{"name":"x","department":"editorial","public_facing":1e999999}'
api_post_json "JSON nested 100 deep" "$(python3 -c 'print("{\"a\":" * 100 + "1" + "}" * 100)')"
api_post_json "JSON nested 100000 deep" "$(python3 -c 'print("[" * 100000)')"
printf '{"name":"\xff\xfe","department":"editorial"}' >"$T/bad.json"
req "$BT" POST "/api/v1/outlets/$O/people" "@$T/bad.json"
status_in "invalid UTF-8 inside a JSON string" "400"
req anon POST /api/v1/login '{"email":'
status_in "malformed JSON to the login" "400"
check "the hub is alive after the bad JSON" alive

# --- forms with invalid UTF-8, NUL bytes in queries ---
form_post() { # DESCRIPTION FORM
    req "$TR" POST "/outlets/$O/people" "$2" application/x-www-form-urlencoded
    status_in "$1" "400"
    keep "$1"
}
form_post "a name that is not UTF-8 (%C3%28)" "name=%C3%28&department=editorial"
form_post "a name with a byte 0xFF" "name=a%FFb&department=editorial"
form_post "a name with an overlong slash (%C0%AF)" "name=%C0%AF&department=editorial"
form_post "a name with a UTF-16 surrogate (%ED%A0%80)" "name=%ED%A0%80&department=editorial"
form_post "a name with a NUL byte" "name=a%00b&department=editorial"
form_post "a name with a control character" "name=a%07b&department=editorial"
form_post "a bad percent escape" "name=%zz&department=editorial"
bad_names=$(python3 - "$HUB_DB" <<'EOF'
import sqlite3, sys
con = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
con.text_factory = bytes
n = 0
for (name,) in con.execute("SELECT name FROM people"):
    try:
        s = name.decode("utf-8")
        if any(ord(c) < 32 for c in s):
            n += 1
    except UnicodeDecodeError:
        n += 1
print(n)
EOF
)
expect "no stored name is invalid UTF-8 or holds a control character" 0 "$bad_names"
for q in "/outlets/$O?as_of=2026-01-01%00" "/lang?to=ru%00&back=/" \
    "/api/v1/outlets/$O/people?x=%00" "/outlets/$O/people?%00=%00" \
    "/login?a=%ff%fe" "/outlets/%00" "/api/v1/outlets/$O%00/people"; do
    req "$TR" GET "$q"
    check "NUL or invalid bytes in $q get an answer, not an error (HTTP $STATUS)" \
        test "$STATUS" != 000 -a "${STATUS:0:1}" != 5
    keep "$q"
done
req "$TR" GET "/lang?to=ru&back=//evil.example/"
check "/lang does not redirect off the site ($(hdr Location))" \
    test "$(hdr Location)" = /
check "the hub is alive after the bad forms" alive

# --- raw sockets: lies, slowloris, pipelining ---
raw() { # PYTHON_BODY : runs with s(), req_ok() and PORT defined
    python3 - "$HUB_PORT" "$1" <<'EOF'
import socket, sys, time
PORT = int(sys.argv[1])
def s():
    c = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    return c
def req_ok():
    """A normal request on a new connection: the status code."""
    c = s()
    c.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    data = b""
    while True:
        try:
            b = c.recv(65536)
        except socket.timeout:
            break
        if not b:
            break
        data += b
    c.close()
    return data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/") else "none"
exec(sys.argv[2])
EOF
}
out=$(raw '
c = s()
c.sendall(b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"a\":1}")
print(req_ok())
c.close()')
expect "a Content-Length that promises more than comes does not hold up others" 200 "$out"
out=$(raw '
c = s()
c.sendall(b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
data = b""
while True:
    b = c.recv(65536)
    if not b:
        break
    data += b
print(" ".join(l.split(b" ")[1].decode() for l in data.split(b"\r\n") if l.startswith(b"HTTP/1.1 ")))')
check "a Content-Length shorter than the body: the first request is answered, the rest is not run as if it were part of it ($out)" \
    test "$out" = 400 -o "$out" = "400 404"
out=$(raw '
c = s()
c.sendall(b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 50\r\n\r\nhello")
c.settimeout(10)
data = c.recv(65536)
print(data.split(b" ")[1].decode() if data.startswith(b"HTTP/") else "closed")')
check "two different Content-Lengths are refused ($out)" \
    test "$out" = 400 -o "$out" = 413 -o "$out" = closed
out=$(raw '
held = []
for i in range(100):
    c = s()
    c.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    held.append(c)
for c in held[:50]:
    c.sendall(b"a")
print(req_ok())
for c in held:
    c.close()')
expect "100 half-sent requests do not keep another client out" 200 "$out"
out=$(raw '
c = s()
c.sendall(b"GET /login HTTP/1.1\r\n" + b"X-Big: " + b"a" * 70000 + b"\r\n\r\n")
c.settimeout(10)
try:
    data = c.recv(65536)
    print(data.split(b" ")[1].decode() if data.startswith(b"HTTP/") else "closed")
except ConnectionResetError:
    print("closed")')
check "70 KB of headers are refused ($out)" \
    test "$out" = 431 -o "$out" = 413 -o "$out" = 400 -o "$out" = closed
out=$(raw '
c = s()
c.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)) * 4)
c.settimeout(10)
try:
    data = c.recv(65536)
    print(data.split(b" ")[1].decode() if data.startswith(b"HTTP/") else "closed")
except ConnectionResetError:
    print("closed")')
check "a TLS hello on the plain port is refused ($out)" \
    test "$out" = 400 -o "$out" = closed
check "the hub is alive after the raw requests" alive

# --- methods and paths ---
for m in PUT DELETE PATCH OPTIONS TRACE PROPFIND FOO; do
    req "$TR" "$m" /
    status_in "method $m" "405 501"
    keep "method $m"
done
req "$TR" HEAD /
status_in "HEAD /" "200"
req anon GET /static/kalkan.css
cp "$T/r.body" "$T/kalkan.css"
REQ_EXTRA=(--path-as-is)
for p in "/static/../../../../etc/passwd" "/static/..%2f..%2f..%2fetc%2fpasswd" \
    "/static/%2e%2e/%2e%2e/etc/passwd" "/static//etc/passwd" \
    "/static/../kalkan.db" "/static/kalkan.css/../../hub.db.key" \
    "/static/kalkan.css%00.txt" "/static/....//....//etc/passwd" \
    "/../../etc/passwd" "/static/%252e%252e/etc/passwd"; do
    req anon GET "$p"
    if [[ $p == *%00* ]] && [ "$STATUS" = 200 ]; then
        # libmicrohttpd decodes %00 into the path, which then ends there:
        # this is the stylesheet itself, nothing else.
        check "$p is at most the stylesheet" \
            cmp -s "$T/r.body" "$T/kalkan.css"
    else
        status_in "traversal $p" "404 400"
    fi
    check_not "traversal $p shows no system file" grep -q "root:" "$T/r.body"
done
REQ_EXTRA=()
req anon GET /static/kalkan.css
status_in "the stylesheet is served" "200"
keep "stylesheet"

# --- HTML injection: escaped on every page ---
# html_clean FILE : parses the page as a browser would and fails (listing
# what it found) on any element or attribute a hostile name could have
# brought in: script, iframe, object, embed, marquee, an img other than
# the hub's own, an on* attribute (which covers the hub's own inline SVG
# charts too), a javascript: URL.
html_clean() {
    python3 - "$1" <<'EOF'
import sys
from html.parser import HTMLParser
bad = []
class P(HTMLParser):
    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "marquee"):
            bad.append("<" + tag + ">")
        if tag == "img" and not any(k == "src" and v and (v.startswith("/")
                                    or v.startswith("data:")) for k, v in attrs):
            bad.append("<img> " + repr(attrs))
        for k, v in attrs:
            if k.startswith("on"):
                bad.append(tag + " " + k + "=" + repr(v))
            if k in ("href", "src", "action", "formaction") and v and \
                    v.strip().lower().startswith("javascript:"):
                bad.append(tag + " " + k + "=" + repr(v))
P().feed(open(sys.argv[1], encoding="utf-8", errors="replace").read())
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF
}
declare -A IDS=([outlets]=$O [people]=$P1 [devices]=$D1 [accounts]=$A1
    [licences]=$L1 [websites]=$W1)
"$KALKAN" serve --list-routes >"$T/routes"
pages=0 escaped=0
while read -r method pattern flags roles; do
    [ "$method" = GET ] || continue
    path=$pattern prev="" out=""
    IFS=/ read -r -a segs <<<"$pattern"
    for seg in "${segs[@]}"; do
        [ -n "$seg" ] || continue
        if [[ $seg == \{*\} ]]; then seg=${IDS[$prev]:-1}; fi
        out+=/$seg
        prev=$seg
    done
    path=${out:-/}
    req "$TR" GET "$path"
    keep "GET $path"
    case $(hdr Content-Type) in
    text/html*) ;;
    *) continue ;;
    esac
    pages=$((pages + 1))
    if ! html_clean "$T/r.body" >"$T/html.problems"; then
        bad "GET $path lets a hostile name into the markup: $(head -n 3 "$T/html.problems" | paste -sd'|')"
    fi
    if grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$T/r.body"; then
        escaped=$((escaped + 1))
    fi
done <"$T/routes"
check "hostile names were looked for on $pages pages, and shown escaped on $escaped" \
    test "$escaped" -ge 3
req "$TR" GET "/outlets/$O/people"
check "the people list shows the script name escaped" \
    grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$T/r.body"
req "$TR" GET "/outlets/$O/people.csv"
check "the CSV export neutralises a formula" grep -qF "'=HYPERLINK" "$T/r.body"

# --- CSRF ---
csrf_case() { # DESCRIPTION WHO [CURL OPTIONS...]
    local what=$1 who=$2
    shift 2
    REQ_EXTRA=("$@")
    req "$who" POST "/outlets/$O/people" "name=CSRF+Victim&department=editorial" \
        application/x-www-form-urlencoded
    REQ_EXTRA=()
    status_in "$what" "403"
}
csrf_case "a form post without the CSRF token" "nocsrf:$TR"
csrf_case "a form post with a wrong CSRF token" "nocsrf:$TR" -H "X-CSRF-Token: AAAA"
csrf_case "a form post from another origin" "$TR" -H "Origin: http://evil.example"
csrf_case "a cross-site form post" "$TR" -H "Sec-Fetch-Site: cross-site"
req "nocsrf:$TR" POST "/api/v1/outlets/$O/people" '{"name":"CSRF Victim","department":"editorial"}'
status_in "a JSON post with the session cookie but no CSRF header" "403"
expect "no CSRF victim was created" 0 \
    "$(py_sqlite "$HUB_DB" "SELECT count(*) FROM people WHERE name = 'CSRF Victim'")"

# --- the login form: its cookies, and the steps as a browser takes them ---
rm -f "$T/jar/web"
curl -sS -o "$T/r.body" -D "$T/r.hdr" -c "$T/jar/web" "$HUB_URL/login" >/dev/null
keep "GET /login"
pre=$(grep -o 'name="pre" value="[^"]*"' "$T/r.body" | sed 's/.*value="//; s/"$//')
curl -sS -o "$T/r.body" -D "$T/r.hdr" -w '%{http_code}' -b "$T/jar/web" \
    -c "$T/jar/web" --data-urlencode "email=$TR" --data-urlencode "password=$HUB_PW" \
    --data-urlencode "pre=$pre" "$HUB_URL/login" >"$T/st"
expect "the login form accepts the password" 303 "$(cat "$T/st")"
keep "POST /login"
curl -sS -o "$T/r.body" -D "$T/r.hdr" -b "$T/jar/web" "$HUB_URL/login/code" >/dev/null
csrf=$(grep -o 'name="csrf" value="[^"]*"' "$T/r.body" | sed 's/.*value="//; s/"$//')
code=$(hub_code "$TR" "$(hub_fresh_time "$TR")")
curl -sS -o "$T/r.body" -D "$T/r.hdr" -w '%{http_code}' -b "$T/jar/web" \
    -c "$T/jar/web" --data-urlencode "code=$code" --data-urlencode "csrf=$csrf" \
    "$HUB_URL/login/code" >"$T/st"
expect "the code form completes the login" 303 "$(cat "$T/st")"
keep "POST /login/code"
curl -sS -o /dev/null -D "$T/r.hdr" -b "$T/jar/web" "$HUB_URL/lang?to=ru&back=/"
keep "GET /lang"
curl -sS -o /dev/null -D "$T/r.hdr" -H "Sec-Fetch-Site: cross-site" \
    --data "email=x&password=y&pre=$pre" -b "$T/jar/web" "$HUB_URL/login" >/dev/null
check "a cross-site login post is refused" grep -q '^HTTP/1.1 403' "$T/r.hdr"
grep -ih '^set-cookie:' "$T"/hdrs/* | sed 's/^[Ss]et-[Cc]ookie: *//' | sort -u >"$T/cookies"
check "the login steps set cookies ($(cut -d= -f1 "$T/cookies" | sort -u | paste -sd' '))" \
    grep -q '^kk_session=' "$T/cookies"
while IFS= read -r c; do
    name=${c%%=*}
    case $name in
    kk_session | kk_pre | kk_known)
        if [[ $c == *"; HttpOnly"* && $c == *"SameSite=Strict"* && $c == *"Path=/"* ]]; then
            ok "cookie $name is HttpOnly, SameSite=Strict, Path=/"
        else
            bad "cookie $name lacks HttpOnly or SameSite=Strict: $c"
        fi
        ;;
    *)
        check "cookie $name has SameSite and Path=/ ($c)" \
            test -n "$(grep -F 'SameSite=' <<<"$c" | grep -F 'Path=/')"
        [[ $c == *HttpOnly* && $c == *SameSite=Strict* ]] ||
            echo "note cookie $name is not HttpOnly+Strict (it holds no secret): $c"
        ;;
    esac
done <"$T/cookies"

# --- the security headers, on every answer kept above ---
WANT_CSP="default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
missing=0
for f in "$T"/hdrs/*; do
    label=$(head -n 1 "$f")
    h() { awk -v n="$1" 'BEGIN{n=tolower(n)} { i=index($0,":"); if (i && tolower(substr($0,1,i-1))==n) { v=substr($0,i+1); sub(/^ */,"",v); print v } }' "$f"; }
    csp=$(h Content-Security-Policy)
    problems=""
    [ "$csp" = "$WANT_CSP" ] || problems+=" CSP='$csp'"
    [[ $csp != *unsafe-* ]] || problems+=" unsafe-*"
    [ "$(h X-Content-Type-Options)" = nosniff ] || problems+=" X-Content-Type-Options"
    [ "$(h X-Frame-Options)" = DENY ] || problems+=" X-Frame-Options"
    [ "$(h Referrer-Policy)" = no-referrer ] || problems+=" Referrer-Policy"
    [ -n "$(h Permissions-Policy)" ] || problems+=" Permissions-Policy"
    [ -n "$(h Cross-Origin-Opener-Policy)" ] || problems+=" Cross-Origin-Opener-Policy"
    [ -n "$(h Cache-Control)" ] || problems+=" Cache-Control"
    if [ -n "$problems" ]; then
        bad "the answer to '$label' ($(sed -n 2p "$f")) lacks:$problems"
        missing=$((missing + 1))
    fi
done
expect "every one of the $NH answers kept carries the security headers" 0 "$missing"
check "the hub is alive after everything" alive

# --- the scanners ---
# They look for injection and escaping flaws: logic that both builds share.
# They run against the optimised build, where they take half the time; the
# sanitizer build gets every hostile request above.
if [ "${KK_SANITIZE:-OFF}" != ON ]; then
    SID=$(awk '$6 == "kk_session" { print $7 }' "$T/jar/$TR")
    CSRF=$(<"$T/csrf/$TR")
    check "a session for the scanners" test -n "$SID"
    if command -v sqlmap >/dev/null; then
        # sqlmap: nothing injectable.  Level 2 adds the Cookie and other
        # headers; BEUT are boolean, error, UNION and time-based techniques.
        sqlmap_run() { # NAME URL [MORE OPTIONS]
            local name=$1 url=$2 t0=$SECONDS
            shift 2
            timeout -s KILL 300 sqlmap -u "$url" --batch --level=2 --risk=1 \
                --technique=BEUT --flush-session --disable-coloring \
                --output-dir="$T/sqlmap" --cookie="kk_session=$SID" \
                --headers="X-CSRF-Token: $CSRF" --skip=csrf,kk_session,kk_known,kk_pre \
                --time-sec=2 --timeout=10 --retries=1 "$@" \
                >"$T/sqlmap.$name.log" 2>&1 || true
            echo "     (sqlmap on $name: $((SECONDS - t0)) s)"
            if grep -qiE "might be injectable|is vulnerable|appears to be .*injectable|sqlmap identified the following injection point|^Parameter: " \
                "$T/sqlmap.$name.log"; then
                bad "sqlmap finds an injection in $name"
                grep -iE "injectable|vulnerable|Parameter:" "$T/sqlmap.$name.log" | head -n 5 | sed 's/^/    /'
            elif grep -qiE "all tested parameters do not appear to be injectable|do not appear to be injectable" \
                "$T/sqlmap.$name.log"; then
                ok "sqlmap: nothing injectable in $name"
            else
                bad "sqlmap did not finish on $name"
                tail -n 5 "$T/sqlmap.$name.log" | sed 's/^/    /'
            fi
        }
        sqlmap_run "GET outlet ?as_of" "$HUB_URL/outlets/$O?as_of=2026-01-01"
        sqlmap_run "GET API coverage ?as_of" "$HUB_URL/api/v1/outlets/$O/coverage?as_of=2026-01-01"
        sqlmap_run "GET API person path" "$HUB_URL/api/v1/outlets/$O/people/${P1}*"
        sqlmap_run "POST person form" "$HUB_URL/outlets/$O/people" \
            --data="name=Sql+Probe&department=editorial&job_title=x&email=probe%40hostile.example"
        sqlmap_run "POST device JSON" "$HUB_URL/api/v1/outlets/$O/devices" \
            --data="{\"kind\":\"laptop\",\"os\":\"Linux\",\"asset_tag\":\"probe\",\"custodian\":$P1}"
        check "the hub is alive after sqlmap" alive
    else
        bad "sqlmap is not installed (scripts/install-deps installs it)"
    fi
    if command -v wapiti >/dev/null; then
        # wapiti crawls the signed-in site and attacks what it finds; signing
        # out and the session routes are left alone so the crawl stays signed
        # in.  Modules that would call out to wapiti's own servers (ssrf, xxe)
        # are not used: everything stays on 127.0.0.1.
        # Wapiti 3.0.4's --exclude does not work with Python 3.11, so the
        # crawl is fenced by its scope instead: the folder /outlets/ID/ (the
        # register, the matrix, the change log, with their forms and imports),
        # then single pages with query parameters.
        wapiti_run() { # NAME URL SCOPE [START URLS]
            local name=$1 url=$2 scope=$3 starts=()
            shift 3
            for u in "$@"; do starts+=(-s "$u"); done
            local t0=$SECONDS
            timeout -s KILL 300 wapiti -u "$url" --scope "$scope" "${starts[@]}" \
                -H "Cookie: kk_session=$SID" \
                -m sql,xss,permanentxss,exec,file,crlf,redirect,methods \
                --flush-session --store-session "$T/wapiti-session" \
                --store-config "$T/wapiti-config" --no-bugreport \
                --max-scan-time 60 --max-attack-time 15 -d 2 \
                --max-links-per-page 30 -t 10 -f json -o "$T/wapiti.$name.json" \
                -v 1 >"$T/wapiti.$name.log" 2>&1 || true
            echo "     (wapiti on $name: $((SECONDS - t0)) s)"
            if [ ! -s "$T/wapiti.$name.json" ]; then
                bad "wapiti wrote no report for $name"
                tail -n 10 "$T/wapiti.$name.log" | sed 's/^/    /'
                return 0
            fi
            local found anomalies crawled
            found=$(jq '[.vulnerabilities | to_entries[] | .value | length] | add // 0' "$T/wapiti.$name.json")
            anomalies=$(jq '[.anomalies | to_entries[] | .value | length] | add // 0' "$T/wapiti.$name.json")
            crawled=$(grep -c '^\[+\] ' "$T/wapiti.$name.log" || true)
            expect "wapiti finds no vulnerability in $name ($crawled resources)" 0 "$found"
            if [ "$found" != 0 ]; then
                jq -r '.vulnerabilities | to_entries[] | select(.value | length > 0) |
                    .key + ": " + (.value | map(.method + " " + .path + " " + (.parameter // "") + " " + .info) | join(" | "))' \
                    "$T/wapiti.$name.json" | cut -c1-400 | sed 's/^/    /'
            fi
            expect "wapiti caused no internal error in $name" 0 "$anomalies"
        }
        R=$HUB_URL/outlets/$O
        wapiti_run register "$R/" folder "$R/people" "$R/devices" "$R/accounts" \
            "$R/licences" "$R/websites" "$R/matrix" "$R/audit" "$R/edit"
        wapiti_run overview "$R?as_of=2026-01-01" page
        wapiti_run dashboard "$HUB_URL/?as_of=2026-01-01" page
        req "$TR" GET /api/v1/outlets
        expect "the scanners' session is still signed in" 200 "$STATUS"
        check "the hub is alive after wapiti" alive
    else
        bad "wapiti is not installed (scripts/install-deps installs it)"
    fi
else
    echo "the scanners run in the optimised build of this suite"
fi

rc=0
hub_stop || rc=$?
expect "the hub stops cleanly after all of it" 0 "$rc"
finish
