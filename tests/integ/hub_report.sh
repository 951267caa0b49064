#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# hub_report.sh - the reports over HTTP, against a real `kalkan serve
# --demo` on loopback, every figure checked against an independent
# computation from the raw rows.
#
# The demo programme gives five outlets six months of people, accounts,
# 2FA observations, devices, findings, incidents (and training, when its
# generator has rows); the test adds an incident and a person with known
# times through the API.  An oracle written here in Python (the rules of
# docs/hub-coverage.md and docs/hub-reports.md, read straight from the
# SQLite file) recomputes every row of the reports of the trainer, an
# assistant, a focal point and the donor, for the defaults and for a
# period and date of the test's choosing, and compares them with the JSON
# and the CSV.  The SHA-256 is recomputed from the JSON's content as the
# documentation specifies, is the same in JSON, CSV, HTML and PDF and in
# another language, is recorded, and verifies; a changed one does not.
# The PDF passes `qpdf --check` and `pdftotext` shows its figures and
# hash.  The donor's report holds no name, e-mail, handle or outlet, and no
# count of fewer than 5 people; outlet reports are refused to donors, and
# another outlet's report answers a focal point like a missing one.
set -euo pipefail
. "$(dirname "$0")/../data/hub/lib.sh"

# --- the oracle ---

cat >"$T/oracle.py" <<'EOF'
"""Recomputes a report from the hub's SQLite file.

usage: oracle.py DB VIEW OUTLETS FROM TO AS_OF
  VIEW     full | donor
  OUTLETS  comma-separated outlet ids in the report's scope
  FROM TO AS_OF  days (YYYY-MM-DD)
Prints {"points": [...], "outlets": N, "rows": [...]} shaped like the
API's JSON."""
import calendar, datetime, json, sqlite3, sys

db, view, outlets, frm, to, as_of = sys.argv[1:7]
scope = [int(x) for x in outlets.split(",") if x]
con = sqlite3.connect("file:" + db + "?mode=ro", uri=True)
K = 5
DEPTS = ["editorial", "admin", "finance", "tech", "management", "other"]
STRONG = {"app", "push", "key", "passkey"}
VIA = {"fb_page": "fb_profile", "meta_business": "fb_profile",
       "telegram_channel": "telegram_user"}
DEV = ["DEV-05", "DEV-02", "DEV-03", "DEV-06", "DEV-11"]


def day0(d):
    return calendar.timegm(datetime.date.fromisoformat(d).timetuple())


def day_of(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc) \
        .date().isoformat()


def add_months(t, k):
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    m = d.month - 1 + k
    y, m = d.year + m // 12, m % 12 + 1
    base = datetime.datetime(y, m, 1, d.hour, d.minute, d.second,
                             tzinfo=datetime.timezone.utc)
    return int((base + datetime.timedelta(days=d.day - 1)).timestamp())


def q(sql, *args):
    return con.execute(sql, args).fetchall()


inscope = "(" + ",".join(str(o) for o in scope) + ")" if scope else "(NULL)"
start_day = q("SELECT value FROM settings WHERE key = 'programme_start'")[0][0]
start = day0(start_day)
as_of_t = day0(as_of) + 86399
from_t, to_t = day0(frm), day0(to) + 86399
points = []
for k in (0, 3, 6):
    t = add_months(start, k)
    if t <= as_of_t:
        points.append(("M%d" % k, day_of(t), t))
points.append(("as_of", as_of, as_of_t))

alive = "created_at <= ? AND (archived_at IS NULL OR archived_at > ?)"
people = q("SELECT id, department, created_at, archived_at FROM people "
           "WHERE outlet_id IN " + inscope)
accounts = q("SELECT id, person_id, kind, platform, created_at, archived_at "
             "FROM accounts WHERE outlet_id IN " + inscope)
admins = q("SELECT aa.account_id, aa.person_id FROM account_admins aa JOIN "
           "accounts a ON a.id = aa.account_id WHERE a.outlet_id IN " +
           inscope)
devices = q("SELECT id, created_at, archived_at FROM devices WHERE "
            "outlet_id IN " + inscope)
acc_obs = {}
for sid, at, seq, v in q("SELECT subject_id, observed_at, seq, value FROM "
                         "observations WHERE subject_type = 'account' AND "
                         "value IS NOT NULL ORDER BY observed_at, seq"):
    acc_obs.setdefault(sid, []).append((at, v))
dev_obs = {}
for sid, c, at, seq, st in q("SELECT subject_id, control_id, observed_at, "
                             "seq, status FROM observations WHERE "
                             "subject_type = 'device' ORDER BY observed_at, "
                             "seq"):
    dev_obs.setdefault((sid, c), []).append((at, st))


def latest(lst, t):
    v = None
    for at, x in lst or []:
        if at <= t:
            v = x
    return v


def is_alive(c, a, t):
    return c <= t and (a is None or a > t)


def coverage(t):
    ppl = [p for p in people if is_alive(p[2], p[3], t)]
    accs = [a for a in accounts if is_alive(a[4], a[5], t)]
    has, weak = {}, {}
    strong_acc = {}
    for aid, pid, kind, pf, _, _ in accs:
        s = latest(acc_obs.get(aid), t) in STRONG
        strong_acc[aid] = s
        if kind == "org" or pid is None:
            continue
        has.setdefault(pid, set()).add(pf)
        if not s:
            weak.setdefault(pid, set()).add(pf)
    covered = sum(1 for p in ppl if "email" in has.get(p[0], set()) and
                  not weak.get(p[0]))
    groups = {}
    for aid, pid in admins:
        if pid is not None:
            groups.setdefault(aid, set()).add(pid)
    orgs = ok = 0
    for aid, pid, kind, pf, _, _ in accs:
        if kind != "org":
            continue
        orgs += 1
        g = groups.get(aid, set())
        if len(g) < 2:
            continue
        strong_pf = [has.get(p, set()) - weak.get(p, set()) for p in g]
        if pf in VIA:
            good = all(VIA[pf] in s for s in strong_pf)
        else:
            good = all("email" in s for s in strong_pf) and strong_acc[aid]
        ok += good
    devs = [d for d in devices if is_alive(d[1], d[2], t)]
    prot = sum(1 for d in devs if all(
        latest(dev_obs.get((d[0], c)), t) in ("pass", "na") for c in DEV))
    return (covered, len(ppl)), (ok, orgs), (prot, len(devs))


def training(t):
    tday = day_of(t)
    upto = min(to, tday)
    dep = {d: [0, 0, 0] for d in [""] + DEPTS}   # people, trained, minutes
    for pid, d, c, a in people:
        if is_alive(c, a, t):
            dep[""][0] += 1
            dep[d][0] += 1
    rows = q("SELECT p.id, p.department, a.minutes, p.created_at, "
             "p.archived_at, s.held_on, s.archived_at FROM attendance a "
             "JOIN training_sessions s ON s.id = a.session_id JOIN people p "
             "ON p.id = a.person_id AND p.outlet_id = a.outlet_id WHERE "
             "a.present = 1 AND a.outlet_id IN " + inscope)
    seen = {}
    for pid, d, mins, pc, pa, held, sa in rows:
        if not (frm <= held <= upto) or not (sa is None or sa > t):
            continue
        if not is_alive(pc, pa, t):
            continue
        seen.setdefault(d, set()).add(pid)
        dep[""][2] += mins
        dep[d][2] += mins
    for d, s in seen.items():
        dep[d][1] += len(s)
        dep[""][1] += len(s)
    return dep


def findings(t):
    rec = res = 0
    for c, a, r in q("SELECT created_at, archived_at, resolved_at FROM "
                     "findings WHERE outlet_id IN " + inscope):
        if is_alive(c, a, t):
            rec += 1
            res += r is not None and r <= t
    return rec - res, res


def median_tenths(v):
    v = sorted(v)
    n = len(v)
    if n == 0:
        return None
    two = 2 * v[n // 2] if n % 2 else v[n // 2 - 1] + v[n // 2]
    return (two * 10 + 3600) // 7200


def incidents(t):
    by = {}
    for typ, rep, rec, arch in q("SELECT type, reported_at, recovered_at, "
                                 "archived_at FROM incidents WHERE "
                                 "outlet_id IN " + inscope):
        if not (from_t <= rep <= min(to_t, t)) or not (arch is None or
                                                        arch > t):
            continue
        ttr = max(0, rec - rep) if rec is not None and rec <= t else None
        for key in ("", typ):
            by.setdefault(key, []).append(ttr)
    return by


figs = []
types = set()
for label, day, t in points:
    inc = incidents(t)
    types.update(k for k in inc if k)
    figs.append((coverage(t), training(t), findings(t), inc))
n_out = q("SELECT count(*) FROM outlets WHERE id IN " + inscope + " AND " +
          alive, as_of_t, as_of_t)[0][0]

rows = []


def add(ind, group, k, value, of=None, share=False):
    rows.append({"indicator": ind, "group": group, "point": points[k][0],
                 "value": value, "of": of, "share": share})


for k in range(len(points)):
    add("people_2fa", "", k, *figs[k][0][0], share=True)
for k in range(len(points)):
    add("org_accounts_ok", "", k, *figs[k][0][1], share=True)
for k in range(len(points)):
    add("devices_protected", "", k, *figs[k][0][2], share=True)
for d in [""] + DEPTS:
    for k in range(len(points)):
        p, tr, _ = figs[k][1][d]
        add("people_trained", d, k, tr, p, share=True)
for d in [""] + DEPTS:
    for k in range(len(points)):
        add("training_hours", d, k, (figs[k][1][d][2] * 10 + 30) // 60)
for k in range(len(points)):
    add("findings_open", "", k, figs[k][2][0])
for k in range(len(points)):
    add("findings_resolved", "", k, figs[k][2][1])
tlist = [""] + sorted(types)
for ty in tlist:
    for k in range(len(points)):
        add("incidents", ty, k, len(figs[k][3].get(ty, [])))
for ty in tlist:
    for k in range(len(points)):
        v = figs[k][3].get(ty, [])
        add("incidents_recovered", ty, k,
            sum(1 for x in v if x is not None), len(v), share=True)
for ty in tlist:
    for k in range(len(points)):
        v = [x for x in figs[k][3].get(ty, []) if x is not None]
        add("recovery_median_hours", ty, k, median_tenths(v))

if view == "donor":
    def find(ind, g, p):
        return next(r for r in rows if r["indicator"] == ind and
                    r["group"] == g and r["point"] == p)
    for r in rows:
        if r["indicator"] == "training_hours":
            if find("people_trained", r["group"], r["point"])["value"] < K:
                r["supp_v"] = True
    for r in rows:
        if r["indicator"] in ("people_2fa", "people_trained"):
            v, of = r["value"], r["of"]
            if of < K:
                r["supp_v"] = r["supp_of"] = True
            elif v < K or 0 < of - v < K:
                r["supp_v"] = True
    for p in [x[0] for x in points]:
        for ind, side in (("people_trained", "supp_v"),
                          ("people_trained", "supp_of"),
                          ("training_hours", "supp_v")):
            tot = find(ind, "", p)
            if tot.get(side):
                continue
            deps = [find(ind, d, p) for d in DEPTS]
            hidden = [r for r in deps if r.get(side)]
            shown = [r for r in deps if not r.get(side)]
            key = "of" if side == "supp_of" else "value"
            if len(hidden) == 1 and shown:
                min(shown, key=lambda r: r[key])[side] = True

out = []
for r in rows:
    o = {"indicator": r["indicator"], "group": r["group"] or None,
         "point": r["point"]}
    v = None if r.get("supp_v") else r["value"]
    if v is not None and r["indicator"] in ("training_hours",
                                            "recovery_median_hours"):
        v = "%d.%d" % (v // 10, v % 10)
    o["value"] = v
    if r["share"]:
        o["of"] = None if r.get("supp_of") else r["of"]
        o["permille"] = (None if o["value"] is None or o["of"] is None or
                         r["of"] == 0 else
                         (r["value"] * 1000 * 2 + r["of"]) // (2 * r["of"]))
    if r.get("supp_v") or r.get("supp_of"):
        o["suppressed"] = True
    out.append(o)
print(json.dumps({"points": [{"point": p, "date": d} for p, d, _ in points],
                  "outlets": n_out, "programme_start": start_day,
                  "rows": out}))
EOF

# compare.py ORACLE_JSON API_JSON API_CSV : the API's rows against the
# oracle's, the CSV against the JSON, and the hash recomputed from the
# JSON's content (docs/hub-reports.md).
cat >"$T/compare.py" <<'EOF'
import csv, hashlib, json, sys

want = json.load(open(sys.argv[1]))
got = json.load(open(sys.argv[2]))
bad = []


def norm(r):
    o = dict(r)
    v = o.get("value")
    if isinstance(v, float):
        o["value"] = "%.1f" % v
    return o


for key in ("points", "outlets", "programme_start"):
    if want[key] != got[key]:
        bad.append("%s: want %s, got %s" % (key, want[key], got[key]))
g_rows = [norm(r) for r in got["rows"]]
if len(g_rows) != len(want["rows"]):
    bad.append("rows: want %d, got %d" % (len(want["rows"]), len(g_rows)))
for w, g in zip(want["rows"], g_rows):
    if w != g:
        bad.append("row: want %s\n          got  %s" % (w, g))
        if len(bad) > 12:
            break

# The canonical content, from the JSON alone.
def text(r, key):
    if key not in r:
        return ""
    v = r[key]
    if v is None:
        return "suppressed" if (key == "of" or r.get("suppressed")) else ""
    if isinstance(v, float):
        return "%.1f" % v
    return str(v)


lines = ["kalkan-report\t1", "scope\t" + got["scope"],
         "outlet\t%d" % (got["outlet"]["id"] if got["outlet"] else 0),
         "view\t" + got["view"], "from\t" + got["from"], "to\t" + got["to"],
         "as_of\t" + got["as_of"], "start\t" + got["programme_start"],
         "outlets\t%d" % got["outlets"]]
lines += ["point\t%s\t%s" % (p["point"], p["date"]) for p in got["points"]]
for r in got["rows"]:
    lines.append("row\t%s\t%s\t%s\t%s\t%s" % (
        r["indicator"], r["group"] or "", r["point"], text(r, "value"),
        text(r, "of")))
sha = hashlib.sha256(("\n".join(lines) + "\n").encode()).hexdigest()
if sha != got["sha256"]:
    bad.append("sha256: recomputed %s, the JSON says %s" % (sha,
                                                           got["sha256"]))

# The CSV: the same rows, the same hash.
rows = list(csv.reader(open(sys.argv[3], newline="", encoding="utf-8")))
head = rows[0]
meta = {r[0]: r[4] for r in rows[1:] if r[2] == ""}
if meta.get("sha256") != got["sha256"]:
    bad.append("csv sha256: %s" % meta.get("sha256"))
days = {p["point"]: p["date"] for p in got["points"]}
c_rows = [r for r in rows[1:] if r[2] != ""]
if len(c_rows) != len(got["rows"]):
    bad.append("csv rows: %d, json rows %d" % (len(c_rows), len(got["rows"])))
for c, r in zip(c_rows, got["rows"]):
    pm = r.get("permille")
    exp = [r["indicator"], r["group"] or "", r["point"], days[r["point"]],
           text(r, "value"), text(r, "of"),
           "" if pm is None else "%d.%d" % (pm // 10, pm % 10)]
    if c[:7] != exp:
        bad.append("csv row: want %s, got %s" % (exp, c[:7]))
        break
for b in bad[:14]:
    print(b)
sys.exit(1 if bad else 0)
EOF

# --- the hub, its logins ---

hub_start --demo
check "the demo programme was filled" grep -q "^Demo logins" "$HUB_LOG"
TR=trainer@rep.example
hub_user "$TR" trainer
hub_login "$TR"
req "$TR" GET /api/v1/outlets
jq -r '.outlets[] | "\(.slug) \(.id)"' "$T/r.body" | sort >"$T/outlets"
read -r A_SLUG A < <(sed -n 1p "$T/outlets")
read -r B_SLUG B < <(sed -n 2p "$T/outlets")
read -r C_SLUG C < <(sed -n 3p "$T/outlets")
ALL=$(cut -d' ' -f2 "$T/outlets" | paste -sd,)
AS=assistant@rep.example FA=focal@rep.example FB=focalb@rep.example
DO=donor@rep.example ST=staff@rep.example
hub_user "$AS" assistant "$A_SLUG"
# The assistant also works with C.
python3 - "$HUB_DB" "$AS" "$C" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=10)
uid = c.execute("SELECT id FROM users WHERE email = ?", (sys.argv[2],)).fetchone()[0]
c.execute("INSERT OR IGNORE INTO user_outlets (user_id, outlet_id) VALUES (?, ?)",
          (uid, int(sys.argv[3])))
c.commit()
EOF
hub_user "$FA" focal "$A_SLUG"
hub_user "$FB" focal "$B_SLUG"
hub_user "$DO" donor
hub_user "$ST" staff "$A_SLUG"
for u in "$AS" "$FA" "$FB" "$DO" "$ST"; do hub_login "$u"; done
START=$(py_sqlite "$HUB_DB" "SELECT value FROM settings WHERE key = 'programme_start'")
TODAY=$(date -u +%F)
echo "outlets A=$A_SLUG B=$B_SLUG C=$C_SLUG; programme start $START; today $TODAY"

# A person with strong 2FA and an incident with known times, through the
# API, in outlet A.
req "$TR" POST "/api/v1/outlets/$A/people" '{"name":"Report Tester","department":"finance","email":"tester@rep.example"}'
expect "a person is added to A" 201 "$STATUS"
PID=$(jq -r .id "$T/r.body")
req "$TR" POST "/api/v1/outlets/$A/accounts" "{\"platform\":\"email\",\"handle\":\"tester@rep.example\",\"owner\":$PID,\"tfa\":\"key\"}"
expect "their e-mail account with a security key" 201 "$STATUS"
REP_AT=$(date -u -d "$TODAY -3 days" +%FT10:00:00Z)
REC_AT=$(date -u -d "$TODAY -3 days" +%FT16:30:00Z)
req "$FA" POST "/api/v1/outlets/$A/incidents" "{\"type\":\"legal_threat\",\"title\":\"A letter from a lawyer\",\"occurred_at\":\"$REP_AT\",\"reported_at\":\"$REP_AT\"}"
expect "the focal point reports an incident" 201 "$STATUS"
INC=$(jq -r .id "$T/r.body")
CON_AT=$(date -u -d "$TODAY -3 days" +%FT15:00:00Z)
req "$FA" POST "/api/v1/outlets/$A/incidents/$INC" "{\"status\":\"recovered\",\"contained_at\":\"$CON_AT\",\"recovered_at\":\"$REC_AT\"}"
expect "and records its recovery 6.5 hours later" 200 "$STATUS"
expect "the incident's times are stored" "$(date -u -d "$REP_AT" +%s) $(date -u -d "$REC_AT" +%s)" \
    "$(py_sqlite "$HUB_DB" "SELECT reported_at || ' ' || recovered_at FROM incidents WHERE id = $INC")"

# --- reports against the oracle ---

# fetch WHO PATH QUERY NAME : the report as JSON and CSV into $T/NAME.*
fetch() {
    local sep='?'
    [ -z "$3" ] || sep="?$3&"
    req "$1" GET "$2${sep}format=json"
    expect "$4: JSON answers 200" 200 "$STATUS"
    cp "$T/r.body" "$T/$4.json"
    req "$1" GET "$2${sep}format=csv"
    expect "$4: CSV answers 200" 200 "$STATUS"
    check "$4: CSV is an attachment" grep -qi '^content-disposition: attachment; filename="kalkan-report-.*\.csv"' "$T/r.hdr"
    cp "$T/r.body" "$T/$4.csv"
}
# against NAME VIEW OUTLETS : the report NAME against the oracle.
against() {
    local q from to asof
    from=$(jq -r .from "$T/$1.json")
    to=$(jq -r .to "$T/$1.json")
    asof=$(jq -r .as_of "$T/$1.json")
    python3 "$T/oracle.py" "$HUB_DB" "$2" "$3" "$from" "$to" "$asof" >"$T/$1.want"
    if python3 "$T/compare.py" "$T/$1.want" "$T/$1.json" "$T/$1.csv" >"$T/$1.diff"; then
        ok "$1: $(jq '.rows | length' "$T/$1.json") rows as computed from the raw rows, in JSON and CSV; the hash recomputed from the content"
    else
        bad "$1: differs from the raw rows:"
        sed 's/^/    /' "$T/$1.diff"
    fi
}

fetch "$TR" /api/v1/reports/programme "" trainer
expect "the trainer's report: the whole programme so far" "$START $TODAY $TODAY full" \
    "$(jq -r '"\(.from) \(.to) \(.as_of) \(.view)"' "$T/trainer.json")"
against trainer full "$ALL"
P_FROM=$(date -u -d "$START +1 month +9 days" +%F)
P_TO=$(date -u -d "$START +4 months +14 days" +%F)
P_ASOF=$(date -u -d "$START +5 months +20 days" +%F)
fetch "$TR" /api/v1/reports/programme "from=$P_FROM&to=$P_TO&as_of=$P_ASOF" period
expect "a period and date of the test's choosing" "$P_FROM $P_TO $P_ASOF" \
    "$(jq -r '"\(.from) \(.to) \(.as_of)"' "$T/period.json")"
against period full "$ALL"
fetch "$AS" /reports/programme "" assistant
against assistant full "$A,$C"
expect "the assistant's report covers their two outlets" 2 "$(jq .outlets "$T/assistant.json")"
fetch "$FA" "/api/v1/reports/outlets/$A" "" focal
expect "the focal point's report is their outlet's" "outlet $A" "$(jq -r '"\(.scope) \(.outlet.id)"' "$T/focal.json")"
against focal full "$A"
fetch "$TR" "/outlets/$B/report" "as_of=$P_ASOF&from=$START" outletb
against outletb full "$B"
fetch "$DO" /api/v1/reports/programme "" donor
expect "the donor's report is the donor view" donor "$(jq -r .view "$T/donor.json")"
against donor donor "$ALL"
fetch "$TR" /api/v1/reports/programme "view=donor" trdonor
expect "the trainer's donor view is the donor's report, with its hash" \
    "$(jq -r .sha256 "$T/donor.json")" "$(jq -r .sha256 "$T/trdonor.json")"

# The incident added above: one more legal threat in A, recovered in 6.5
# hours, at the date but not at M6 (before it).
n_legal=$(jq '[.rows[] | select(.indicator == "incidents" and .group == "legal_threat" and .point == "as_of")][0].value' "$T/focal.json")
expect "A's legal threats as of today, counted from the rows" \
    "$(py_sqlite "$HUB_DB" "SELECT count(*) FROM incidents WHERE outlet_id = $A AND type = 'legal_threat' AND reported_at >= strftime('%s', '$START') AND archived_at IS NULL")" "$n_legal"

# --- one hash in every format and language ---

SHA=$(jq -r .sha256 "$T/focal.json")
req "$FA" GET "/outlets/$A/report?lang=ru"
expect "the page in Russian answers 200" 200 "$STATUS"
check "the Russian page shows the same hash" grep -q "id=\"sha256\">$SHA<" "$T/r.body"
check "the Russian page is in Russian" grep -q 'lang="ru"' "$T/r.body"
req "$FA" GET "/api/v1/reports/outlets/$A?format=pdf&lang=ky"
expect "the PDF in Kyrgyz answers 200" 200 "$STATUS"
check "the PDF is served as application/pdf" grep -qi '^content-type: application/pdf' "$T/r.hdr"
check "the PDF is an attachment" grep -qi '^content-disposition: attachment; filename="kalkan-report-'"$A_SLUG"'-'"$TODAY"'.pdf"' "$T/r.hdr"
cp "$T/r.body" "$T/focal.pdf"
check "qpdf --check passes" qpdf --check "$T/focal.pdf"
pdftotext -layout "$T/focal.pdf" "$T/focal.txt"
check "pdftotext shows the hash" grep -q "$SHA" "$T/focal.txt"
pm=$(jq -r '[.rows[] | select(.indicator == "people_2fa" and .point == "as_of")][0] | "\(.permille / 10 | floor).\(.permille % 10) % (\(.value) / \(.of))"' "$T/focal.json")
check "pdftotext shows the 2FA share as of the date ($pm)" grep -qF "$pm" "$T/focal.txt"
check "the Kyrgyz PDF speaks Kyrgyz" grep -q "Редакциянын отчету" "$T/focal.txt"
req "$FA" GET "/api/v1/reports/outlets/$A?format=json&lang=ru"
expect "the Russian JSON has the same hash" "$SHA" "$(jq -r .sha256 "$T/r.body")"
expect "every one was recorded with its hash, format and language" \
    "csv en|html ru|json en|json ru|pdf ky" \
    "$(py_sqlite "$HUB_DB" "SELECT DISTINCT format || ' ' || lang FROM reports WHERE sha256 = '$SHA' ORDER BY 1" | paste -sd'|')"
expect "the record names the outlet, the period and the date" \
    "outlet|$A|$START|$TODAY|$(date -u -d "$TODAY 23:59:59" +%s)" \
    "$(py_sqlite "$HUB_DB" "SELECT DISTINCT scope, outlet_id, from_day, to_day, as_of FROM reports WHERE sha256 = '$SHA'" | tr '\t' '|')"
expect "its content is stored once, and hashes to it" "$SHA" \
    "$(python3 - "$HUB_DB" "$SHA" <<'EOF'
import hashlib, sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
rows = c.execute("SELECT content FROM report_contents WHERE sha256 = ?", (sys.argv[2],)).fetchall()
print(hashlib.sha256(rows[0][0].encode()).hexdigest() if len(rows) == 1 else len(rows))
EOF
)"

# --- verify ---

req "$FA" GET "/api/v1/reports/verify?sha256=$SHA"
expect "the focal point's report verifies" "true true" \
    "$(jq -r '"\(.issued) \(.rows | length > 0)"' "$T/r.body")"
req "$FA" GET "/api/v1/reports/verify?sha256=$(echo "$SHA" | tr 'a-f' 'A-F')"
expect "in capitals too" true "$(jq -r .issued "$T/r.body")"
FLIP=$(python3 -c "import sys; s=sys.argv[1]; print(s[:10] + ('0' if s[10] != '0' else '1') + s[11:])" "$SHA")
req "$FA" GET "/api/v1/reports/verify?sha256=$FLIP"
expect "a changed hash does not" "200 false" "$STATUS $(jq -r .issued "$T/r.body")"
jq -S 'del(.sha256)' "$T/r.body" >"$T/v.missing"
req "$FB" GET "/api/v1/reports/verify?sha256=$SHA"
jq -S 'del(.sha256)' "$T/r.body" >"$T/v.other"
check "another outlet's focal point learns nothing of A's report" cmp -s "$T/v.missing" "$T/v.other"
req "$FA" GET "/api/v1/reports/verify?sha256=nothex"
expect "a malformed hash is refused" "400 invalid" "$STATUS $(jq -r .error.code "$T/r.body")"
DSHA=$(jq -r .sha256 "$T/donor.json")
req "$ST" GET "/api/v1/reports/verify?sha256=$DSHA"
expect "the donor's report verifies for anyone, with its figures" "true true" \
    "$(jq -r '"\(.issued) \(.rows | length > 0)"' "$T/r.body")"
TSHA=$(jq -r .sha256 "$T/trainer.json")
req "$DO" GET "/api/v1/reports/verify?sha256=$TSHA"
expect "the trainer's full report verifies for the donor, without its figures" "true null" \
    "$(jq -r '"\(.issued) \(.rows)"' "$T/r.body")"
req "$DO" GET "/reports/verify?sha256=$DSHA"
expect "the check page answers 200" 200 "$STATUS"
check "the check page says the hub produced it" grep -q 'id="issued"' "$T/r.body"
check "and shows the original figures" grep -q 'id="figures"' "$T/r.body"
CSRF=$(grep -o 'name="csrf" value="[^"]*"' "$T/r.body" | head -n1 | sed 's/.*value="//; s/"$//')
req "nocsrf:$DO" POST /reports/verify "csrf=$CSRF&sha256=$DSHA" application/x-www-form-urlencoded
expect "the check form leads to the check page" "303 /reports/verify?sha256=$DSHA" "$STATUS $(hdr Location)"
req "nocsrf:$DO" POST /reports/verify "csrf=$CSRF&sha256=12345" application/x-www-form-urlencoded
expect "a short hash is shown again with a message" 400 "$STATUS"
check "next to the field" grep -q 'id="rep-sha256-err"' "$T/r.body"
check "keeping what was typed" grep -q 'value="12345"' "$T/r.body"

# --- the donor: aggregates only ---

req "$DO" GET /reports/programme
expect "the donor's report page answers 200" 200 "$STATUS"
cp "$T/r.body" "$T/donor.html"
req "$DO" GET /api/v1/reports/programme?format=pdf
pdftotext -layout "$T/r.body" "$T/donor.txt"
python3 - "$HUB_DB" "$T/donor.json" "$T/donor.csv" "$T/donor.html" "$T/donor.txt" >"$T/leaks" <<'EOF' || true
import sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
marks = set()
for sql in ("SELECT name FROM people", "SELECT email FROM people",
            "SELECT handle FROM accounts", "SELECT name FROM outlets",
            "SELECT slug FROM outlets", "SELECT email FROM users",
            "SELECT asset_tag FROM devices"):
    marks.update(r[0] for r in c.execute(sql) if r[0] and len(r[0]) >= 5)
for f in sys.argv[2:]:
    text = open(f, encoding="utf-8", errors="replace").read()
    for m in sorted(marks):
        if m in text:
            print("%s: %s" % (f.rsplit("/", 1)[1], m))
EOF
check "the donor's report (JSON, CSV, page, PDF) names no one and no outlet" test ! -s "$T/leaks"
head -n 5 "$T/leaks"
small=$(jq '[.rows[] | select(.indicator == "people_2fa" or .indicator == "people_trained") |
    select((.value != null and (.value < 5 or ((.of - .value) > 0 and (.of - .value) < 5))) or (.of != null and .of < 5))] | length' "$T/donor.json")
expect "no count of fewer than 5 people in the donor's report" 0 "$small"
hidden=$(jq '[.rows[] | select(.suppressed == true)] | length' "$T/donor.json")
check "cells are hidden, and marked so ($hidden)" test "$hidden" -gt 0
check "the page says why" grep -q 'id="donor-view"' "$T/donor.html"
req "$DO" GET "/api/v1/reports/outlets/$A"
cp "$T/r.body" "$T/d.a"
s1=$STATUS
req "$DO" GET "/api/v1/reports/outlets/4503599627370001"
expect "an outlet report is refused to the donor like a missing one" "404 404" "$s1 $STATUS"
check "with the same answer" cmp -s "$T/d.a" "$T/r.body"
req "$DO" GET "/outlets/$A/report"
expect "and its page too" 404 "$STATUS"

# --- scope ---

req "$FA" GET "/api/v1/reports/outlets/$B"
cp "$T/r.body" "$T/f.b"
s1=$STATUS
req "$FA" GET "/api/v1/reports/outlets/4503599627370001"
expect "B's report answers A's focal point like a missing outlet" "404 404" "$s1 $STATUS"
check "with the same body" cmp -s "$T/f.b" "$T/r.body"
req "$FA" GET "/api/v1/reports/outlets/$B?as_of=2999-01-01"
expect "even with a bad date" 404 "$STATUS"
req "$FA" GET /api/v1/reports/programme
expect "a focal point has no programme report" 403 "$STATUS"
req "$ST" GET "/api/v1/reports/outlets/$A"
expect "staff have no reports" 404 "$STATUS"
req "$AS" GET "/api/v1/reports/outlets/$B"
expect "an assistant's report stops at their outlets" 404 "$STATUS"
req "$AS" GET "/reports?report=$B"
expect "the form does not offer another outlet" 400 "$STATUS"
check "and says so" grep -q "Choose a report from the list." "$T/r.body"
req "$AS" GET "/reports?report=$C&as_of=$P_ASOF&format=pdf&lang=ru"
expect "the form leads to the chosen report" "303 /outlets/$C/report?as_of=$P_ASOF&lang=ru&format=pdf" "$STATUS $(hdr Location)"
req "$DO" GET /reports
expect "the donor's form answers 200" 200 "$STATUS"
check "it offers no outlet" test "$(grep -c '<option value="[0-9]' "$T/r.body")" -eq 0

# --- bad parameters ---

TOMORROW=$(date -u -d tomorrow +%F)
req "$TR" GET "/api/v1/reports/programme?as_of=$TOMORROW"
expect "a date after today is refused" "400 invalid as_of" \
    "$STATUS $(jq -r '"\(.error.code) \(.error.message | split(":")[0])"' "$T/r.body")"
req "$TR" GET "/api/v1/reports/programme?from=$TODAY&to=$START"
expect "a period that ends before it starts is refused" "400 to" \
    "$STATUS $(jq -r '.error.message | split(":")[0]' "$T/r.body")"
for q in "from=2026-02-30" "to=yesterday" "format=xlsx" "lang=de" "view=everything" "as_of=1999-12-31"; do
    req "$TR" GET "/api/v1/reports/programme?$q"
    expect "refused: $q" 400 "$STATUS"
done
req "$TR" GET "/reports/programme?as_of=$TOMORROW&from=$START"
expect "the page with a bad date answers 400" 400 "$STATUS"
check "with the message next to the field" grep -q 'id="rep-as_of-err"' "$T/r.body"
check "and what was typed" grep -q "value=\"$TOMORROW\"" "$T/r.body"

hub_stop || bad "the server did not stop cleanly"
finish
