# SPDX-License-Identifier: GPL-3.0-or-later
#
# svg_to_pbm.py SVG PBM - rasterises the subset of SVG that otp_qr_render
# emits (a viewBox, a white rect and one path of "Mx yhNv1h-Nz" runs) into
# a plain PBM file, 4 pixels per module, for zbarimg.  The SVG may be a
# standalone file or the inline <svg> element of an enrolment sheet: only
# the first <svg>...</svg> is read.  Exits non-zero on anything else, so a
# change in the drawing shows up as a failure, not as a missed decode.
# Used by tests/integ/otp_qr.sh and tests/integ/otp_sheet.sh.
import re
import sys

text = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"<svg\b.*?</svg>", text, re.S)
if not m:
    sys.exit("no <svg> element")
svg = m.group(0)
m = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
if not m or 'fill="#ffffff"' not in svg:
    sys.exit("no viewBox or white background")
w, h = int(m.group(1)), int(m.group(2))
grid = [[False] * w for _ in range(h)]
d = re.search(r'<path fill="#000000" d="([^"]*)"', svg).group(1)
for x, y, n, n2 in re.findall(r"M(\d+) (\d+)h(\d+)v1h-(\d+)z", d):
    x, y, n = int(x), int(y), int(n)
    if n != int(n2) or x + n > w or y >= h:
        sys.exit("bad rectangle")
    for i in range(n):
        grid[y][x + i] = True
if re.sub(r"M\d+ \d+h\d+v1h-\d+z", "", d):
    sys.exit("unexpected path data")
s = 4
with open(sys.argv[2], "w") as f:
    f.write("P1\n%d %d\n" % (w * s, h * s))
    for r in grid:
        line = " ".join("1" if v else "0" for v in r for _ in range(s))
        f.write((line + "\n") * s)
