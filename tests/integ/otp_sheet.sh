#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# otp_sheet.sh - the printable enrolment sheet of `kalkan otp enroll
# --sheet FILE --lang en|ru|ky`, into a private store:
#
#   - provisioning (--secret-file): the sheet is mode 0600, its inline QR
#     code (rasterised by tests/data/otp/svg_to_pbm.py) decodes with
#     zbarimg to exactly the otpauth URI of the provisioned secret, and
#     the key for manual entry is that secret in groups of four;
#   - interactive enrolment: the sheet is written before the activation
#     code is asked for, and the code computed from its QR activates the
#     credential;
#   - every page is strict, self-contained HTML (python's html.parser:
#     balanced tags, no script, nothing fetched, lang and charset set) and
#     hostile names come out escaped;
#   - an unknown --lang is a usage error and leaves no credential.
# No browser is needed or installed.
set -u

: "${KALKAN:?KALKAN must name the kalkan binary}"
: "${KK_SOURCE_DIR:?KK_SOURCE_DIR must name the source tree}"
command -v zbarimg >/dev/null || { echo "FAIL: zbarimg is not installed (scripts/install-deps)"; exit 1; }

tmp=$(mktemp -d)
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
failures=0
S=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ # RFC 4226 key, "12345678901234567890"
store="$tmp/store"
umask 022 # the sheet must be 0600 whatever the umask

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# decode_sheet FILE: the text of the QR code inline in the sheet.
decode_sheet() {
    python3 "$KK_SOURCE_DIR/tests/data/otp/svg_to_pbm.py" "$1" "$1.pbm" &&
        zbarimg --raw -q "$1.pbm" 2>/dev/null
}

# check_html FILE LANG [TEXT...]: strict, self-contained HTML in LANG that
# contains every TEXT (already escaped, as it must appear in the source).
check_html() {
    python3 - "$@" <<'PY'
import sys
from html.parser import HTMLParser

path, lang, *texts = sys.argv[1:]
src = open(path, encoding="utf-8").read()
VOID = {"meta", "br", "hr", "img", "input", "link", "wbr", "col", "area",
        "base", "embed", "source", "track"}
BANNED = {"script", "link", "img", "iframe", "object", "embed", "form",
          "input", "base", "audio", "video", "source"}
errors = []

class Check(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.seen, self.attrs = [], set(), {}

    def check_attrs(self, tag, attrs):
        for k, v in attrs:
            if k.startswith("on"):
                errors.append("event handler %s on <%s>" % (k, tag))
            if k in ("src", "href", "action", "xlink:href") and v:
                errors.append("<%s %s=%r>: a resource reference" % (tag, k, v))
            if k == "style" and "url(" in (v or ""):
                errors.append("url() in a style attribute")

    def handle_starttag(self, tag, attrs):
        self.seen.add(tag)
        self.attrs.setdefault(tag, dict(attrs))
        self.check_attrs(tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.seen.add(tag)
        self.check_attrs(tag, attrs)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            errors.append("</%s> closes <%s>" % (tag, self.stack[-1] if self.stack else "nothing"))
        else:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "style" and ("url(" in data or "@import" in data):
            errors.append("the CSS loads something")

p = Check()
p.feed(src)
p.close()
if p.stack:
    errors.append("unclosed: %s" % p.stack)
if not src.startswith("<!DOCTYPE html>"):
    errors.append("no doctype")
if p.attrs.get("html", {}).get("lang") != lang:
    errors.append("html lang is %r" % p.attrs.get("html", {}).get("lang"))
if '<meta charset="utf-8">' not in src:
    errors.append("no utf-8 charset")
if 'name="viewport"' not in src:
    errors.append("no viewport")
if "@page{size:A4" not in src or "@media print" not in src:
    errors.append("no print CSS")
for t in ("html", "head", "title", "style", "body", "svg", "path", "h1", "ol"):
    if t not in p.seen:
        errors.append("no <%s>" % t)
for t in BANNED & p.seen:
    errors.append("<%s> present" % t)
for t in texts:
    if t not in src:
        errors.append("missing %r" % t)
for e in errors:
    print(path + ": " + e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
}

# 1. Provisioning with a sheet in each language.
printf '%s\n' "$S" >"$tmp/secret"
for lang in en ru ky; do
    sheet="$tmp/sheet-$lang.html"
    if ! "$KALKAN" otp enroll --user "sheet$lang" --store "$store" \
        --secret-file "$tmp/secret" --label "aigul@office" --issuer Newsroom \
        --sheet "$sheet" --lang "$lang" >"$tmp/out" 2>"$tmp/err"; then
        fail "$lang: enroll --secret-file --sheet failed: $(cat "$tmp/err")"
        continue
    fi
    grep -q "credential 1 of sheet$lang is active" "$tmp/out" ||
        fail "$lang: not active: $(cat "$tmp/out")"
    grep -q "mode 0600" "$tmp/out" || fail "$lang: no word about the sheet"
    [ "$(stat -c %a "$sheet")" = 600 ] || fail "$lang: sheet is mode $(stat -c %a "$sheet")"
    want="otpauth://totp/Newsroom:aigul@office?secret=$S&issuer=Newsroom&algorithm=SHA1&digits=6&period=30"
    got=$(decode_sheet "$sheet")
    [ "$got" = "$want" ] || fail "$lang: the sheet's QR decodes to '$got', not '$want'"
    check_html "$sheet" "$lang" "<td>aigul@office</td>" "<td>Newsroom</td>" \
        "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ" "Aegis" "FreeOTP" ||
        fail "$lang: the sheet is not strict self-contained HTML"
done
grep -q "Destroy this sheet after scanning" "$tmp/sheet-en.html" || fail "en: no destroy warning"
grep -q "Уничтожьте лист после сканирования" "$tmp/sheet-ru.html" || fail "ru: no destroy warning"
grep -q "бул баракты жок кылыңыз" "$tmp/sheet-ky.html" || fail "ky: no destroy warning"
"$KALKAN" otp status --store "$store" --user sheeten | grep -q "enrolled" ||
    fail "provisioned user not enrolled"

# 2. Hostile and Cyrillic names come out escaped; the QR still decodes,
#    and a provisioned URI keeps its own parameters.
printf 'otpauth://totp/X:y?secret=%s&digits=8&algorithm=SHA256\n' "$S" >"$tmp/uri"
sheet="$tmp/hostile.html"
if "$KALKAN" otp enroll --user hostile --store "$store" --secret-file "$tmp/uri" \
    --label "<script>alert('x')</script>" --issuer 'Редакция "Ала-Тоо" & Ко' \
    --sheet "$sheet" --lang ru >/dev/null 2>"$tmp/err"; then
    check_html "$sheet" ru \
        "<td>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</td>" \
        "<td>Редакция &quot;Ала-Тоо&quot; &amp; Ко</td>" "<td>SHA256</td>" "<td>8</td>" ||
        fail "hostile names: the sheet is not safe HTML"
    got=$(decode_sheet "$sheet")
    case $got in
    "otpauth://totp/"*"secret=$S&"*"algorithm=SHA256&digits=8&"*) ;;
    *) fail "hostile names: the sheet's QR decodes to '$got'" ;;
    esac
else
    fail "enroll with hostile names failed: $(cat "$tmp/err")"
fi

# 3. Interactive enrolment: the sheet exists while the code is awaited,
#    and the code of its QR activates the credential.
mkfifo "$tmp/codes"
sheet="$tmp/interactive.html"
"$KALKAN" otp enroll --user inter --store "$store" --qr none --label inter \
    --sheet "$sheet" --lang ky <"$tmp/codes" >"$tmp/iout" 2>"$tmp/ierr" &
pid=$!
exec 3>"$tmp/codes"
for _ in $(seq 100); do
    [ -s "$sheet" ] && break
    sleep 0.1
done
if [ -s "$sheet" ]; then
    [ "$(stat -c %a "$sheet")" = 600 ] || fail "interactive: sheet is not mode 0600"
    uri=$(decode_sheet "$sheet")
    grep -q "^$uri\$" "$tmp/iout" || fail "interactive: the sheet's QR is not the URI printed"
    code=$(printf '%s\n' "$uri" | "$KALKAN" otp code)
    printf '%s\n' "$code" >&3
else
    fail "interactive: no sheet before the code was asked for"
fi
exec 3>&-
wait "$pid" || fail "interactive: enroll failed: $(cat "$tmp/ierr")"
pid=""
grep -q "credential 1 of inter is active" "$tmp/iout" ||
    fail "interactive: the code from the sheet did not activate: $(cat "$tmp/iout" "$tmp/ierr")"
check_html "$sheet" ky "<td>inter</td>" || fail "interactive: sheet not valid"

# 4. An unknown language is a usage error, before anything is stored.
"$KALKAN" otp enroll --user badlang --store "$store" --secret-file "$tmp/secret" \
    --sheet "$tmp/bad.html" --lang fr >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" = 2 ] || fail "--lang fr: exit $rc, want 2"
grep -q "^kalkan: otp: --lang must be en, ru or ky" "$tmp/err" || fail "--lang fr: message: $(cat "$tmp/err")"
[ ! -e "$tmp/bad.html" ] || fail "--lang fr wrote a sheet"
# --lang alone (no --sheet) is a mistake worth saying, not ignoring.
"$KALKAN" otp enroll --user nolang --store "$store" --secret-file "$tmp/secret" \
    --lang ru >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" = 2 ] || fail "--lang without --sheet: exit $rc, want 2"
grep -q "^kalkan: otp: enroll: --lang is the language of --sheet FILE" "$tmp/err" ||
    fail "--lang without --sheet: message: $(cat "$tmp/err")"

# 5. A sheet that cannot be written leaves no credential behind.
"$KALKAN" otp enroll --user nodir --store "$store" --secret-file "$tmp/secret" \
    --sheet "$tmp/missing/dir/s.html" >/dev/null 2>"$tmp/err" && fail "unwritable sheet: exit 0"
if "$KALKAN" otp status --store "$store" --user nodir 2>/dev/null | grep -q ": enrolled"; then
    fail "unwritable sheet: the credential stayed"
fi

if ((failures > 0)); then
    echo "otp_sheet: $failures failure(s)" >&2
    exit 1
fi
echo "otp_sheet: sheets in en, ru, ky are mode 0600, strict HTML, and their QR decodes to the URI"
