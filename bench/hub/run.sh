#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Benchmark of the hub: wrk against the dashboard page (GET /, signed in
# as the demo trainer), the coverage API of one outlet and the programme
# report (JSON and printable HTML), on a fresh demo database, side by side
# with nginx serving static files of exactly the same bytes on the same
# machine.  Reports requests per second, p99 latency, the ratio hub /
# nginx and the hub's peak memory (VmHWM).  The report's PDF is timed
# against what a user would otherwise do: print the same HTML report to
# PDF with headless Chromium.
# Writes the table to OUT/hub.md and wrk's raw output to OUT/hub_*.txt.
#
# Usage: bench/hub/run.sh BUILD-DIR OUT-DIR
# Environment: KK_BENCH_SECONDS (10), KK_BENCH_CONNECTIONS (64),
# KK_BENCH_THREADS (2).  Needs wrk, nginx, curl and python3 (install-deps);
# runs as any user (nginx gets its own prefix, pid file and logs in a
# temporary directory).
set -eu
build=$1
out=$2
kalkan="$build/src/kalkan/kalkan"
secs=${KK_BENCH_SECONDS:-10}
conns=${KK_BENCH_CONNECTIONS:-64}
threads=${KK_BENCH_THREADS:-2}

for tool in wrk nginx curl python3; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || {
        echo "bench/hub: $tool is missing (scripts/install-deps)" >&2
        exit 1
    }
done
nginx_bin=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)

T=$(mktemp -d /tmp/kalkan-bench-hub.XXXXXX)
chmod 755 "$T"
hub_pid=""
nginx_pid=""
cleanup() {
    [ -z "$hub_pid" ] || { kill -TERM "$hub_pid" 2>/dev/null || true; wait "$hub_pid" 2>/dev/null || true; }
    [ -z "$nginx_pid" ] || { kill -TERM "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; }
    rm -rf "$T"
}
trap cleanup EXIT

die() {
    echo "bench/hub: $*" >&2
    [ ! -s "$T/hub.err" ] || tail -n 20 "$T/hub.err" | sed 's/^/    hub: /' >&2
    exit 1
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ---- the hub, with the demo programme ----
"$kalkan" serve --db "$T/hub.db" --listen 127.0.0.1:0 --demo \
    >"$T/hub.out" 2>"$T/hub.err" &
hub_pid=$!
port=""
for _ in $(seq 1 1200); do
    port=$(sed -nE 's/^Kalkan hub listening on .*\(port ([0-9]+)\).*/\1/p' "$T/hub.out")
    [ -n "$port" ] && break
    kill -0 "$hub_pid" 2>/dev/null || die "kalkan serve --demo exited"
    sleep 0.1
done
[ -n "$port" ] || die "kalkan serve --demo did not listen within 120 s"
hub="http://127.0.0.1:$port"
line=$(grep -E $'\ttrainer(\t|$)' "$T/hub.out" | head -n 1) ||
    die "the demo printed no trainer login"
email=$(printf '%s' "$line" | cut -f1)
password=$(printf '%s' "$line" | cut -f2)
printf '%s\n' "$(printf '%s' "$line" | cut -f3)" >"$T/secret"
chmod 600 "$T/secret"

# ---- signed in through the API: the session cookie ----
code=$("$kalkan" otp code --secret-file "$T/secret")
python3 -c 'import json, sys; print(json.dumps({"email": sys.argv[1], "password": sys.argv[2], "totp": sys.argv[3]}))' \
    "$email" "$password" "$code" >"$T/login.json"
status=$(curl -s -o "$T/login.out" -w '%{http_code}' -c "$T/jar" \
    -H 'Content-Type: application/json' --data-binary "@$T/login.json" \
    "$hub/api/v1/login")
[ "$status" = 200 ] || die "POST /api/v1/login answered $status: $(cat "$T/login.out")"
cookie=$(awk -F'\t' 'NF >= 7 && $1 !~ /^#/ { printf "%s%s=%s", sep, $6, $7; sep = "; " }
    $1 ~ /^#HttpOnly_/ { printf "%s%s=%s", sep, $6, $7; sep = "; " }' "$T/jar")
[ -n "$cookie" ] || die "the login set no cookie"

get() { # PATH FILE -> HTTP status
    curl -s -o "$2" -w '%{http_code}' -H "Cookie: $cookie" "$hub$1"
}
[ "$(get /api/v1/outlets "$T/outlets.json")" = 200 ] || die "GET /api/v1/outlets failed"
outlet=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["outlets"][0]["id"])' \
    "$T/outlets.json") || die "GET /api/v1/outlets lists no outlet"
cov_path="/api/v1/outlets/$outlet/coverage"
mkdir -p "$T/www"
[ "$(get / "$T/www/dashboard.html")" = 200 ] || die "GET / failed"
[ "$(get "$cov_path" "$T/www/coverage.json")" = 200 ] || die "GET $cov_path failed"
rep_path="/api/v1/reports/programme"
[ "$(get "$rep_path?format=json" "$T/www/report.json")" = 200 ] || die "GET $rep_path failed"
[ "$(get "$rep_path?format=html" "$T/www/report.html")" = 200 ] || die "GET $rep_path?format=html failed"
[ "$(get "$rep_path?format=pdf" "$T/report.pdf")" = 200 ] || die "GET $rep_path?format=pdf failed"
rep_bytes=$(wc -c <"$T/www/report.json")
reph_bytes=$(wc -c <"$T/www/report.html")
pdf_bytes=$(wc -c <"$T/report.pdf")
grep -q '<html' "$T/www/dashboard.html" || die "GET / is not the dashboard page"
dash_bytes=$(wc -c <"$T/www/dashboard.html")
cov_bytes=$(wc -c <"$T/www/coverage.json")
chmod 755 "$T/www"
chmod 644 "$T/www"/*

# ---- nginx with the same bytes ----
nport=$(free_port)
mkdir -p "$T/nginx/logs"
cat >"$T/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes $threads;
pid $T/nginx/nginx.pid;
error_log $T/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 65;
    types { text/html html; application/json json; }
    default_type application/octet-stream;
    client_body_temp_path $T/nginx/body;
    proxy_temp_path $T/nginx/proxy;
    fastcgi_temp_path $T/nginx/fastcgi;
    uwsgi_temp_path $T/nginx/uwsgi;
    scgi_temp_path $T/nginx/scgi;
    server {
        listen 127.0.0.1:$nport;
        root $T/www;
    }
}
EOF
"$nginx_bin" -c "$T/nginx.conf" -p "$T/nginx/" 2>"$T/nginx/start.err" &
nginx_pid=$!
for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$nport/dashboard.html" && break
    kill -0 "$nginx_pid" 2>/dev/null || die "nginx did not start: $(cat "$T/nginx/start.err")"
    sleep 0.1
done
n_bytes=$(curl -s "http://127.0.0.1:$nport/dashboard.html" | wc -c)
[ "$n_bytes" = "$dash_bytes" ] || die "nginx serves $n_bytes bytes, the dashboard has $dash_bytes"

# ---- wrk ----
# run NAME URL [COOKIE]: prints "requests/s p99-ms" and keeps the raw output.
run() {
    local name=$1 url=$2 f="$out/hub_$1.txt" args=(-t "$threads" -c "$conns" --latency)
    [ $# -lt 3 ] || args+=(-H "Cookie: $3")
    wrk "${args[@]}" -d 2s "$url" >/dev/null 2>&1 || true
    wrk "${args[@]}" -d "${secs}s" "$url" >"$f" 2>&1 || die "wrk $name failed: $(cat "$f")"
    if grep -qE 'Non-2xx or 3xx responses|Socket errors: connect [1-9]|read [1-9]|timeout [1-9]' "$f"; then
        die "wrk $name saw errors: $(grep -E 'Non-2xx|Socket errors' "$f")"
    fi
    awk '
        /Requests\/sec:/ { rps = $2 }
        $1 == "99%" {
            v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
            ms = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v
        }
        END { printf "%.0f %.2f\n", rps, ms }' "$f"
}

read -r dash_rps dash_p99 < <(run dashboard "$hub/" "$cookie")
read -r cov_rps cov_p99 < <(run coverage "$hub$cov_path" "$cookie")
read -r ndash_rps ndash_p99 < <(run nginx_dashboard "http://127.0.0.1:$nport/dashboard.html")
read -r ncov_rps ncov_p99 < <(run nginx_coverage "http://127.0.0.1:$nport/coverage.json")
read -r rep_rps rep_p99 < <(run report_json "$hub$rep_path?format=json" "$cookie")
read -r nrep_rps nrep_p99 < <(run nginx_report_json "http://127.0.0.1:$nport/report.json")
read -r reph_rps reph_p99 < <(run report_html "$hub$rep_path?format=html" "$cookie")
read -r nreph_rps nreph_p99 < <(run nginx_report_html "http://127.0.0.1:$nport/report.html")

# ---- the PDF: the hub's writer against printing the HTML in Chromium ----
# seconds_per N CMD...: wall seconds per run of CMD, over N runs.
seconds_per() {
    local n=$1 t0 t1
    shift
    t0=$(date +%s.%N)
    for _ in $(seq 1 "$n"); do "$@" >/dev/null 2>&1 || die "$* failed"; done
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" -v n="$n" 'BEGIN { printf "%.4f", (b - a) / n }'
}
pdf_hub() { [ "$(get "$rep_path?format=pdf" "$T/hub.pdf")" = 200 ]; }
chromium_bin=${KK_CHROMIUM:-/usr/bin/chromium}
pdf_chromium() {
    "$chromium_bin" --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
        --user-data-dir="$T/chromium" --print-to-pdf="$T/chromium.pdf" \
        "file://$T/www/report.html"
}
pdf_s=$(seconds_per 50 pdf_hub)
[ -x "$chromium_bin" ] || die "chromium is missing (scripts/install-deps)"
cpdf_s=$(seconds_per 5 pdf_chromium)
cpdf_bytes=$(wc -c <"$T/chromium.pdf")
hwm=$(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$hub_pid/status")
rss=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$hub_pid/status")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
goal() { # rps-ratio p99
    awk -v r="$1" -v p="$2" 'BEGIN { print (r >= 0.25 && p < 20) ? "met" : "missed" }'
}
r_dash=$(ratio "$dash_rps" "$ndash_rps")
r_cov=$(ratio "$cov_rps" "$ncov_rps")
{
    echo "## hub: wrk, $conns connections, $threads threads, ${secs} s each, $(nproc) cores"
    echo
    echo "| what | bytes | requests/s | p99 latency | hub / nginx (requests/s) |"
    echo "|---|---|---|---|---|"
    echo "| hub: dashboard \`GET /\` (demo trainer, signed in) | $dash_bytes | $dash_rps | $dash_p99 ms | **$r_dash** |"
    echo "| nginx: the same bytes as a static file | $dash_bytes | $ndash_rps | $ndash_p99 ms | 1.00 |"
    echo "| hub: \`GET $cov_path\` | $cov_bytes | $cov_rps | $cov_p99 ms | **$r_cov** |"
    echo "| nginx: the same bytes as a static file | $cov_bytes | $ncov_rps | $ncov_p99 ms | 1.00 |"
    echo "| hub: \`GET $rep_path?format=json\` (programme report, computed anew) | $rep_bytes | $rep_rps | $rep_p99 ms | **$(ratio "$rep_rps" "$nrep_rps")** |"
    echo "| nginx: the same bytes as a static file | $rep_bytes | $nrep_rps | $nrep_p99 ms | 1.00 |"
    echo "| hub: \`GET $rep_path?format=html\` (printable page with SVG charts) | $reph_bytes | $reph_rps | $reph_p99 ms | **$(ratio "$reph_rps" "$nreph_rps")** |"
    echo "| nginx: the same bytes as a static file | $reph_bytes | $nreph_rps | $nreph_p99 ms | 1.00 |"
    echo
    echo "| the programme report as PDF | bytes | seconds per document | Chromium / hub |"
    echo "|---|---|---|---|"
    echo "| hub: \`GET $rep_path?format=pdf\` (one at a time, over HTTP) | $pdf_bytes | $pdf_s | **$(ratio "$cpdf_s" "$pdf_s")** |"
    echo "| headless Chromium printing the same HTML report to PDF | $cpdf_bytes | $cpdf_s | 1.00 |"
    echo
    echo "Hub memory: peak resident set (VmHWM) $hwm MiB, $rss MiB at the end."
    echo "Goal (dashboard >= 1/4 of nginx's static rate, p99 < 20 ms):" \
        "$(goal "$r_dash" "$dash_p99")."
    echo
} | tee "$out/hub.md"
