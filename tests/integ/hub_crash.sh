#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# hub_crash.sh - no acknowledged write is lost when the hub is killed at
# any moment.  Several writers create people through the API as fast as
# they can, each recording every person the hub acknowledged (HTTP 200 or
# 201 with the new id); the server is killed with SIGKILL after a random
# number of acknowledgements, mid-load, in several rounds.  After each
# kill, Python's sqlite3 (an independent reader) must find the file
# consistent (PRAGMA integrity_check = ok) and every acknowledged person
# present with the name that was sent; the restarted hub must serve them.
set -euo pipefail
. "$(dirname "$0")/../data/hub/lib.sh"

ROUNDS=5
WRITERS=3

hub_start
hub_user trainer@crash.example trainer
TOKEN=$("$KALKAN" token create --db "$HUB_DB" --user trainer@crash.example)
WHO=bearer:$TOKEN
OUTLET=$(hub_outlet "$WHO" crash-news "Crash News" web)
check "an outlet to write into ($OUTLET)" test -n "$OUTLET"
[ -n "$OUTLET" ] || finish

# writer ROUND N : creates people until the server stops answering;
# appends "id<TAB>name" to $T/ack.ROUND.N for each acknowledged one.
writer() {
    local round=$1 n=$2 i=0 st name body
    local out=$T/w.$round.$n
    while :; do
        i=$((i + 1))
        name="Crash Person r$round w$n #$i"
        body="{\"name\":\"$name\",\"department\":\"editorial\",\"job_title\":\"Reporter\",\"email\":\"r$round.w$n.$i@crash.example\"}"
        st=$(curl -s --max-time 30 -o "$out" -w '%{http_code}' \
            -H "Authorization: Bearer $TOKEN" \
            -H 'Content-Type: application/json' --data-binary "$body" \
            "$HUB_URL/api/v1/outlets/$OUTLET/people") || st=000
        case $st in
        200 | 201)
            printf '%s\t%s\n' "$(jq -r '[.. | objects | .id? // empty | numbers][0]' "$out")" \
                "$name" >>"$T/ack.$round.$n"
            ;;
        000) return 0 ;; # the server is gone
        *)
            echo "writer $n: HTTP $st $(head -c 200 "$out")" >>"$T/writer.errors"
            return 0
            ;;
        esac
    done
}
acked() {
    local n=0 f
    for f in "$T"/ack.*; do
        [ ! -e "$f" ] || n=$((n + $(wc -l <"$f")))
    done
    echo "$n"
}
at_least() { [ "$(acked)" -ge "$1" ]; }

for round in $(seq 1 "$ROUNDS"); do
    base=$(acked)
    # Kill after 5 to 60 more acknowledgements: somewhere mid-load.
    target=$((base + 5 + RANDOM % 56))
    pids=()
    for n in $(seq 1 "$WRITERS"); do
        writer "$round" "$n" &
        pids+=($!)
    done
    if ! poll 2400 at_least "$target"; then
        bad "round $round: the writers got no further than $(acked) acknowledgements"
    fi
    check "round $round: the server was running until the kill" hub_alive
    hub_kill9
    for p in "${pids[@]}"; do wait "$p" || true; done
    if [ -s "$T/writer.errors" ]; then
        bad "round $round: the hub refused a write"
        sed 's/^/    /' "$T/writer.errors"
        rm -f "$T/writer.errors"
    fi
    total=$(acked)
    # A copy of the killed server's files (database, WAL, shared memory),
    # read by Python's sqlite3; the hub recovers the originals itself.
    rm -rf "$T/copy"
    mkdir "$T/copy"
    cp "$HUB_DB" "$T/copy/hub.db"
    for x in -wal -shm; do
        [ ! -e "$HUB_DB$x" ] || cp "$HUB_DB$x" "$T/copy/hub.db$x"
    done
    result=$(python3 - "$T/copy/hub.db" <(cat "$T"/ack.*) <<'EOF'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], timeout=30)
ic = con.execute("PRAGMA integrity_check").fetchall()
fk = con.execute("PRAGMA foreign_key_check").fetchall()
have = dict(con.execute("SELECT id, name FROM people"))
missing = []
for line in open(sys.argv[2]):
    pid, name = line.rstrip("\n").split("\t")
    if not pid.isdigit() or have.get(int(pid)) != name:
        missing.append(line.strip())
con.close()
print("integrity=" + ",".join(r[0] for r in ic))
print("fk=%d" % len(fk))
print("missing=%d" % len(missing))
for m in missing[:5]:
    print("  lost: " + m)
EOF
)
    expect "round $round: PRAGMA integrity_check after kill -9" \
        "integrity=ok" "$(grep '^integrity=' <<<"$result")"
    expect "round $round: no foreign key is broken" "fk=0" \
        "$(grep '^fk=' <<<"$result")"
    expect "round $round: all $total acknowledged people are there" \
        "missing=0" "$(grep '^missing=' <<<"$result")"
    grep '^  lost' <<<"$result" || true
    hub_start
done

# The restarted hub serves what it acknowledged, each with its name.
missing=0
while IFS=$'\t' read -r id name; do
    req "$WHO" GET "/api/v1/outlets/$OUTLET/people/$id"
    if [ "$STATUS" != 200 ] || [ "$(jq -r .name "$T/r.body")" != "$name" ]; then
        missing=$((missing + 1))
        echo "    not served: $id $name (HTTP $STATUS)"
    fi
done < <(cat "$T"/ack.*)
expect "the restarted hub serves every acknowledged person" 0 "$missing"
expect "PRAGMA integrity_check through the hub's own start" ok \
    "$(py_sqlite "$HUB_DB" "PRAGMA integrity_check")"
rc=0
hub_stop || rc=$?
expect "the last server stops cleanly on SIGTERM" 0 "$rc"
echo "acknowledged writes over $ROUNDS kills: $(acked)"
finish
