#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# otp_qr.sh - the enrolment QR round trip: what `kalkan otp new` draws
# decodes, with zbarimg, to exactly the URI it printed.
#
#   - PNG (required): zbarimg reads the file directly.
#   - Terminal and text: the half-block lines are turned back into pixels
#     (a plain PBM file) and decoded; every terminal line must select black
#     on white, which is what makes it scan on dark and light terminals.
#   - SVG: the path is rasterised by a tiny reader of the subset we emit
#     and decoded; if rsvg-convert is installed it is used as well.
# Also checks the URI's shape (issuer prefix and issuer=, unpadded secret,
# counter for HOTP) and that QR files are created mode 0600.
set -u

: "${KALKAN:?KALKAN must name the kalkan binary}"
: "${KK_SOURCE_DIR:?KK_SOURCE_DIR must name the source tree}"
command -v zbarimg >/dev/null || { echo "FAIL: zbarimg is not installed (scripts/install-deps)"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

decode() {
    zbarimg --raw -q "$1" 2>/dev/null
}

# Turns the QR lines of `kalkan otp new` output (file $1) into a PBM ($2),
# 4 pixels per module.  With --term, lines must carry the colour codes.
term_to_pbm() {
    python3 - "$1" "$2" "$3" <<'EOF'
import re, sys
src, dst, mode = sys.argv[1:4]
text = open(src, encoding="utf-8").read().split("\n")
sgr = "\x1b[30;47m"
qr = [l for l in text if l.startswith(sgr) or (l and set(l) <= set(" \u2580\u2584\u2588"))]
if mode == "term":
    for l in qr:
        if not (l.startswith(sgr) and l.endswith("\x1b[0m")):
            sys.exit("a terminal QR line lacks black-on-white: %r" % l[:20])
rows = []
for l in qr:
    l = re.sub(r"\x1b\[[0-9;]*m", "", l)
    rows.append([c in "\u2580\u2588" for c in l])
    rows.append([c in "\u2584\u2588" for c in l])
if len(rows) < 42 or any(len(r) != len(rows[0]) for r in rows):
    sys.exit("QR lines missing or ragged")
# The quiet zone: four light modules on every side (two lines at the top).
if any(rows[0]) or any(rows[3]) or any(r[0] or r[3] or r[-1] or r[-4] for r in rows):
    sys.exit("no quiet zone of 4 modules")
s = 4
with open(dst, "w") as f:
    f.write("P1\n%d %d\n" % (len(rows[0]) * s, len(rows) * s))
    for r in rows:
        line = " ".join("1" if d else "0" for d in r for _ in range(s))
        f.write((line + "\n") * s)
EOF
}

# Rasterises our SVG subset (tests/data/otp/svg_to_pbm.py).
svg_to_pbm() {
    python3 "$KK_SOURCE_DIR/tests/data/otp/svg_to_pbm.py" "$1" "$2"
}

check_uri_shape() {
    local uri=$1 issuer=$2 kind=$3
    case $uri in
    "otpauth://$kind/$issuer:"*"?secret="*"&issuer=$issuer&"*) ;;
    *) fail "URI lacks the issuer prefix or issuer=: $uri" ;;
    esac
    secret=${uri#*secret=}
    secret=${secret%%&*}
    [[ $secret =~ ^[A-Z2-7]{32}$ ]] || fail "secret is not 32 unpadded base32 characters: $secret"
    if [ "$kind" = hotp ]; then
        case $uri in *"&counter="*) ;; *) fail "HOTP URI without counter: $uri" ;; esac
    fi
}

# run_case NAME ARGS...: `kalkan otp new ARGS` with every QR format; sets
# uri to the printed URI (empty on failure).
run_case() {
    local name=$1 got
    shift
    local out="$tmp/$name.out"
    uri=""
    if ! "$KALKAN" otp new "$@" --qr "png:$tmp/$name.png" --qr "svg:$tmp/$name.svg" \
        --qr term >"$out" 2>"$tmp/$name.err"; then
        fail "$name: kalkan otp new failed: $(cat "$tmp/$name.err")"
        return
    fi
    uri=$(sed -n 's/^URI: *//p' "$out")
    [ -n "$uri" ] || fail "$name: no URI printed"
    got=$(decode "$tmp/$name.png")
    [ "$got" = "$uri" ] || fail "$name: PNG decodes to '$got', not '$uri'"
    [ "$(stat -c %a "$tmp/$name.png")" = 600 ] || fail "$name: PNG is not mode 0600"
    [ "$(stat -c %a "$tmp/$name.svg")" = 600 ] || fail "$name: SVG is not mode 0600"
    if term_to_pbm "$out" "$tmp/$name.term.pbm" term; then
        got=$(decode "$tmp/$name.term.pbm")
        [ "$got" = "$uri" ] || fail "$name: terminal QR decodes to '$got'"
    else
        fail "$name: terminal QR malformed"
    fi
    if svg_to_pbm "$tmp/$name.svg" "$tmp/$name.svg.pbm"; then
        got=$(decode "$tmp/$name.svg.pbm")
        [ "$got" = "$uri" ] || fail "$name: SVG decodes to '$got'"
    else
        fail "$name: SVG malformed"
    fi
    if command -v rsvg-convert >/dev/null; then
        rsvg-convert -o "$tmp/$name.svg.png" "$tmp/$name.svg" &&
            got=$(decode "$tmp/$name.svg.png")
        [ "$got" = "$uri" ] || fail "$name: SVG via rsvg-convert decodes to '$got'"
    fi
}

run_case totp --issuer "ACME Co" --account john.doe@email.com
[ -n "$uri" ] && check_uri_shape "$uri" "ACME%20Co" totp
run_case hotp --issuer Kalkan --account alice --hotp --counter 5 \
    --algorithm SHA512 --digits 8
[ -n "$uri" ] && check_uri_shape "$uri" Kalkan hotp
run_case utf8 --issuer "Редакция" --account "алия@example.kg" \
    --period 60 --algorithm sha-256 --digits 7
[ -n "$uri" ] && check_uri_shape "$uri" "%D0%A0%D0%B5%D0%B4%D0%B0%D0%BA%D1%86%D0%B8%D1%8F" totp
# Long labels make a large symbol; it still decodes.
long=$(printf 'a%.0s' $(seq 200))
run_case long --issuer "$long" --account "$long@example.org"

# Text QR (no colour codes) also decodes, read as dark on light.
"$KALKAN" otp new --issuer T --account t --qr text >"$tmp/text.out" || fail "--qr text failed"
if grep -q $'\033' "$tmp/text.out"; then
    fail "--qr text printed colour codes"
fi
uri=$(sed -n 's/^URI: *//p' "$tmp/text.out")
if term_to_pbm "$tmp/text.out" "$tmp/text.pbm" text; then
    [ "$(decode "$tmp/text.pbm")" = "$uri" ] || fail "text QR does not decode"
else
    fail "text QR malformed"
fi

# The QR code of a new secret, decoded, gives the codes of that secret.
"$KALKAN" otp new --issuer Q --account q --qr "png:$tmp/q.png" --qr none >"$tmp/q.out" ||
    fail "new with --qr none failed"
secret=$(sed -n 's/^Secret: *//p' "$tmp/q.out")
a=$(decode "$tmp/q.png" | "$KALKAN" otp code --time 1700000000)
b=$(printf '%s\n' "$secret" | "$KALKAN" otp code --time 1700000000)
[ -n "$a" ] && [ "$a" = "$b" ] || fail "code from the decoded QR '$a' != code from the secret '$b'"

# --json names the files and prints nothing but JSON.
"$KALKAN" otp new --issuer J --account j --json --qr "png:$tmp/j.png" >"$tmp/j.json" ||
    fail "new --json failed"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["qr_files"] == [sys.argv[2]], d
assert d["uri"].startswith("otpauth://totp/J:j?secret=" + d["secret"] + "&"), d
assert d["kind"] == "totp" and d["digits"] == 6 and d["period"] == 30
' "$tmp/j.json" "$tmp/j.png" || fail "new --json output wrong: $(cat "$tmp/j.json")"
[ "$(decode "$tmp/j.png")" = "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["uri"])' "$tmp/j.json")" ] ||
    fail "PNG of --json run does not decode to its URI"

if ((failures > 0)); then
    echo "otp_qr: $failures failure(s)" >&2
    exit 1
fi
echo "otp_qr: PNG, SVG, terminal and text QR codes decode to their URIs"
