#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""make-ttf-corpus.py - small TrueType fonts for the TrueType reader's tests.

Writes the seed corpus of tests/fuzz/fuzz_ttf.c (tests/fuzz/corpus/ttf/),
which the unit test tests/unit/hub/test_pdf.c also reads case by case.
Every font is cut from DejaVu Sans by the subsetter below, which renumbers
glyphs (unlike the hub's own, which keeps glyph ids), so a font of a dozen
characters is one or two kilobytes; then some are broken on purpose, one
fault each, with every checksum still right so that only the fault is
wrong.

    tests/data/hub/make-ttf-corpus.py [OUTDIR]

The source font is $KALKAN_FONT_DIR/DejaVuSans.ttf, by default the one of
the Debian package fonts-dejavu-core.  The output depends only on that
file: running the script again writes the same bytes.
"""
import os
import struct
import sys

FONT_DIR = os.environ.get("KALKAN_FONT_DIR") or "/usr/share/fonts/truetype/dejavu"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    HERE, "..", "..", "fuzz", "corpus", "ttf")

# Composite glyph flags.
WORDS, SCALE, MORE, XY_SCALE, TWO_BY_TWO = 0x1, 0x8, 0x20, 0x40, 0x80


def u16(b, o):
    return struct.unpack_from(">H", b, o)[0]


def s16(b, o):
    return struct.unpack_from(">h", b, o)[0]


def u32(b, o):
    return struct.unpack_from(">I", b, o)[0]


class Source:
    """The tables of the source font that the subsetter reads."""

    def __init__(self, path):
        self.data = open(path, "rb").read()
        self.tab = {}
        for i in range(u16(self.data, 4)):
            tag, _, off, ln = struct.unpack_from(">4sIII", self.data, 12 + 16 * i)
            self.tab[tag.decode("latin-1")] = self.data[off:off + ln]
        head = self.tab["head"]
        self.long_loca = s16(head, 50) == 1
        self.n_glyphs = u16(self.tab["maxp"], 4)
        self.n_hmetrics = u16(self.tab["hhea"], 34)
        self.cmap = self._cmap()

    def _cmap(self):
        """Code point -> glyph, from the (3,10) format 12 subtable."""
        c = self.tab["cmap"]
        for i in range(u16(c, 2)):
            plat, enc, off = struct.unpack_from(">HHI", c, 4 + 8 * i)
            if (plat, enc) == (3, 10) and u16(c, off) == 12:
                m = {}
                for k in range(u32(c, off + 12)):
                    s, e, g = struct.unpack_from(">III", c, off + 16 + 12 * k)
                    for cp in range(s, e + 1):
                        m[cp] = g + cp - s
                return m
        raise SystemExit("source font has no (3,10) cmap")

    def glyph(self, g):
        loca = self.tab["loca"]
        if self.long_loca:
            a, b = u32(loca, 4 * g), u32(loca, 4 * g + 4)
        else:
            a, b = 2 * u16(loca, 2 * g), 2 * u16(loca, 2 * g + 2)
        return self.tab["glyf"][a:b]

    def metric(self, g):
        h = self.tab["hmtx"]
        adv = u16(h, 4 * min(g, self.n_hmetrics - 1))
        if g < self.n_hmetrics:
            lsb = u16(h, 4 * g + 2)
        else:
            lsb = u16(h, 4 * self.n_hmetrics + 2 * (g - self.n_hmetrics))
        return adv, lsb


def components(data):
    """(offset of the glyph index, glyph index) of each component."""
    out = []
    if len(data) < 10 or s16(data, 0) >= 0:
        return out
    pos = 10
    while True:
        flags = u16(data, pos)
        out.append((pos + 2, u16(data, pos + 2)))
        pos += 4 + (4 if flags & WORDS else 2)
        if flags & SCALE:
            pos += 2
        elif flags & XY_SCALE:
            pos += 4
        elif flags & TWO_BY_TWO:
            pos += 8
        if not flags & MORE:
            return out


def cmap4(pairs):
    """A format 4 subtable: one segment per run of consecutive code points
    with consecutive glyphs (idDelta), then the closing 0xFFFF segment."""
    segs = []
    for cp, g in pairs:
        if segs and cp == segs[-1][1] + 1 and g - cp == segs[-1][2]:
            segs[-1][1] = cp
        else:
            segs.append([cp, cp, g - cp])
    segs.append([0xFFFF, 0xFFFF, 1])
    n = len(segs)
    sel = max(k for k in range(16) if (1 << k) <= n)
    body = struct.pack(">HHHH", 2 * n, 2 << sel, sel, 2 * n - (2 << sel))
    body += b"".join(struct.pack(">H", s[1]) for s in segs) + b"\0\0"
    body += b"".join(struct.pack(">H", s[0]) for s in segs)
    body += b"".join(struct.pack(">H", s[2] & 0xFFFF) for s in segs)
    body += b"\0\0" * n
    return struct.pack(">HHH", 4, 6 + len(body), 0) + body


def cmap12(pairs):
    groups = []
    for cp, g in pairs:
        if groups and cp == groups[-1][1] + 1 and g == groups[-1][2] + cp - groups[-1][0]:
            groups[-1][1] = cp
        else:
            groups.append([cp, cp, g])
    body = b"".join(struct.pack(">III", *gr) for gr in groups)
    return struct.pack(">HHIII", 12, 0, 16 + len(body), 0, len(groups)) + body


def cmap_table(pairs, formats):
    subs = []
    if "4" in formats:
        subs.append((3, 1, cmap4([p for p in pairs if p[0] <= 0xFFFF])))
    if "12" in formats:
        subs.append((3, 10, cmap12(pairs)))
    head = struct.pack(">HH", 0, len(subs))
    off = 4 + 8 * len(subs)
    recs = b""
    for plat, enc, sub in subs:
        recs += struct.pack(">HHI", plat, enc, off)
        off += len(sub)
    return head + recs + b"".join(s for _, _, s in subs)


def name_table(ps_name):
    s = ps_name.encode("utf-16-be")
    return struct.pack(">HHH", 0, 1, 6 + 12) + \
        struct.pack(">HHHHHH", 3, 1, 0x409, 6, len(s), 0) + s


def checksum(b):
    b = b + b"\0" * (-len(b) % 4)
    return sum(struct.unpack(">%dI" % (len(b) // 4), b)) & 0xFFFFFFFF


def write_font(tables):
    """The font file of a {tag: bytes} dict: sorted directory, 4-byte
    aligned tables, checksums and the head checksum adjustment."""
    tags = sorted(tables)
    n = len(tags)
    sel = max(k for k in range(16) if (1 << k) <= n)
    head = struct.pack(">IHHHH", 0x00010000, n, 16 << sel, sel, 16 * n - (16 << sel))
    off = 12 + 16 * n
    dirs = b""
    body = b""
    for t in tags:
        data = tables[t]
        if t == "head":
            data = data[:8] + b"\0\0\0\0" + data[12:]
            tables[t] = data
        dirs += struct.pack(">4sIII", t.encode("latin-1"), checksum(data), off, len(data))
        pad = data + b"\0" * (-len(data) % 4)
        body += pad
        off += len(pad)
    font = bytearray(head + dirs + body)
    if "head" in tables:
        at = 12 + 16 * n + sum(len(tables[t]) + (-len(tables[t]) % 4)
                               for t in tags[:tags.index("head")])
        struct.pack_into(">I", font, at + 8, (0xB1B0AFBA - checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)


def subset(src, text, formats=("4",), long_loca=False, hinting=False, name="KalkanTest"):
    """The tables of a font holding the characters of text, glyphs
    renumbered in the order of their original ids (.notdef first)."""
    cps = sorted(set(ord(c) for c in text))
    keep = {0}
    todo = [src.cmap.get(cp, 0) for cp in cps]
    while todo:
        g = todo.pop()
        if g in keep and g != 0:
            continue
        keep.add(g)
        todo.extend(c for _, c in components(src.glyph(g)) if c not in keep)
    order = sorted(keep)
    new = {g: i for i, g in enumerate(order)}
    glyf = b""
    offsets = []
    for g in order:
        data = bytearray(src.glyph(g))
        for at, c in components(bytes(data)):
            struct.pack_into(">H", data, at, new[c])
        offsets.append(len(glyf))
        glyf += bytes(data) + b"\0" * (-len(data) % 4)
    offsets.append(len(glyf))
    if long_loca:
        loca = b"".join(struct.pack(">I", o) for o in offsets)
    else:
        loca = b"".join(struct.pack(">H", o // 2) for o in offsets)
    head = bytearray(src.tab["head"])
    struct.pack_into(">h", head, 50, 1 if long_loca else 0)
    hhea = bytearray(src.tab["hhea"])
    struct.pack_into(">H", hhea, 34, len(order))
    maxp = bytearray(src.tab["maxp"])
    struct.pack_into(">H", maxp, 4, len(order))
    hmtx = b"".join(struct.pack(">HH", *src.metric(g)) for g in order)
    pairs = [(cp, new[src.cmap[cp]]) for cp in cps if src.cmap.get(cp, 0) in new and src.cmap.get(cp, 0) != 0]
    post = struct.pack(">IihhIIIII", 0x00030000, 0, -130, 90, 0, 0, 0, 0, 0)
    t = {
        "head": bytes(head), "hhea": bytes(hhea), "maxp": bytes(maxp),
        "hmtx": hmtx, "loca": loca, "glyf": glyf,
        "cmap": cmap_table(pairs, formats), "name": name_table(name),
        "post": post, "OS/2": src.tab["OS/2"],
    }
    if hinting:
        for tag in ("cvt ", "fpgm", "prep"):
            t[tag] = src.tab[tag]
    return t


def loca_offsets(t):
    long_loca = s16(t["head"], 50) == 1
    n = u16(t["maxp"], 4) + 1
    if long_loca:
        return [u32(t["loca"], 4 * i) for i in range(n)], True
    return [2 * u16(t["loca"], 2 * i) for i in range(n)], False


def set_loca(t, offs, long_loca):
    if long_loca:
        t["loca"] = b"".join(struct.pack(">I", o) for o in offs)
    else:
        t["loca"] = b"".join(struct.pack(">H", o // 2) for o in offs)


def replace_glyph(t, g, data):
    """Replaces glyph g's data (padded to 4 bytes), moving the others."""
    offs, long_loca = loca_offsets(t)
    glyf = t["glyf"]
    data = data + b"\0" * (-len(data) % 4)
    t["glyf"] = glyf[:offs[g]] + data + glyf[offs[g + 1]:]
    shift = len(data) - (offs[g + 1] - offs[g])
    offs = offs[:g + 1] + [o + shift for o in offs[g + 1:]]
    set_loca(t, offs, long_loca)


def composite(refs):
    """A composite glyph made of the glyphs in refs, at offset 0."""
    data = struct.pack(">hhhhh", -1, 0, 0, 1000, 1000)
    for i, g in enumerate(refs):
        flags = MORE if i + 1 < len(refs) else 0
        data += struct.pack(">HHbb", flags, g, 0, 0)
    return data


def patch(b, at, fmt, value):
    b = bytearray(b)
    struct.pack_into(fmt, b, at, value)
    return bytes(b)


def main():
    src = Source(os.path.join(FONT_DIR, "DejaVuSans.ttf"))
    os.makedirs(OUT, exist_ok=True)
    out = {}

    latin = lambda: subset(src, "Hello, world")
    cyr = lambda: subset(src, "Кыргызча: ң ө ү Ң Ө Ү Ёё", formats=("12",),
                         long_loca=True, hinting=True)

    # Fonts the reader must accept.
    out["latin-fmt4-short.ttf"] = latin()
    out["cyrillic-fmt12-long.ttf"] = cyr()
    out["both-cmaps.ttf"] = subset(src, "Aa Бб ң", formats=("4", "12"))

    t = latin()  # glyph 1 made of itself: parses, subsets, terminates
    replace_glyph(t, 1, composite([1, 2]))
    out["composite-cycle.ttf"] = t

    t = subset(src, "abcdefghijklmnop")  # glyphs 1..15 each made of the next
    for g in range(1, 15):
        replace_glyph(t, g, composite([g + 1]))
    out["composite-deep.ttf"] = t

    t = latin()  # a format 4 segment whose glyph array lies past the table
    c = bytearray(t["cmap"])
    sub = u32(c, 8)
    seg = u16(c, sub + 6) // 2
    struct.pack_into(">H", c, sub + 16 + 6 * seg, 0x4000)
    t["cmap"] = bytes(c)
    out["cmap4-range-outside.ttf"] = t

    # Fonts the reader must refuse: one fault each.
    t = latin()
    t["head"] = patch(t["head"], 12, ">I", 0x12345678)
    out["bad-head-magic.ttf"] = t

    t = latin()
    offs, lg = loca_offsets(t)
    offs[2], offs[3] = offs[3], offs[2]
    set_loca(t, offs, lg)
    out["loca-unordered.ttf"] = t

    t = latin()
    offs, lg = loca_offsets(t)
    offs[-1] += 8
    set_loca(t, offs, lg)
    out["loca-past-glyf.ttf"] = t

    t = latin()
    replace_glyph(t, 1, composite([2, 999]))
    out["component-out-of-range.ttf"] = t

    t = latin()
    offs, _ = loca_offsets(t)
    replace_glyph(t, 2, t["glyf"][offs[2]:offs[2] + 4] + b"\0\0\0\0")
    out["glyph-short.ttf"] = t

    t = latin()  # swap two segments' start and end codes
    c = bytearray(t["cmap"])
    sub = u32(c, 8)
    seg = u16(c, sub + 6) // 2
    e0, e1 = u16(c, sub + 14), u16(c, sub + 16)
    s0, s1 = u16(c, sub + 16 + 2 * seg), u16(c, sub + 18 + 2 * seg)
    struct.pack_into(">HH", c, sub + 14, e1, e0)
    struct.pack_into(">HH", c, sub + 16 + 2 * seg, s1, s0)
    t["cmap"] = bytes(c)
    out["cmap4-unsorted.ttf"] = t

    t = cyr()
    c = bytearray(t["cmap"])
    sub = u32(c, 8)
    n = u32(c, sub + 12)
    struct.pack_into(">I", c, sub + 16 + 12 * (n - 1) + 4, 0x110000)
    t["cmap"] = bytes(c)
    out["cmap12-past-unicode.ttf"] = t

    t = latin()
    t["hhea"] = patch(t["hhea"], 34, ">H", 0)
    out["hmetrics-zero.ttf"] = t

    t = latin()
    t["maxp"] = patch(t["maxp"], 4, ">H", 0)
    out["glyphs-zero.ttf"] = t

    t = latin()
    t["hhea"] = patch(t["hhea"], 34, ">H", 200)
    out["hmetrics-past-glyphs.ttf"] = t

    t = latin()
    del t["cmap"]
    out["cmap-missing.ttf"] = t

    for name, t in list(out.items()):
        out[name] = write_font(t)

    def record(font, tag):
        for i in range(u16(font, 4)):
            if font[12 + 16 * i:16 + 16 * i] == tag:
                return 12 + 16 * i
        raise SystemExit("no table " + tag.decode())

    f = bytearray(out["latin-fmt4-short.ttf"])  # cmap said to end past the file
    struct.pack_into(">I", f, record(f, b"cmap") + 8, len(f) - 4)
    out["table-outside.ttf"] = bytes(f)

    f = bytearray(out["latin-fmt4-short.ttf"])  # "glyf" renamed "head"
    at = record(f, b"glyf")
    f[at:at + 4] = b"head"
    out["table-twice.ttf"] = bytes(f)

    f = out["latin-fmt4-short.ttf"]
    out["cff-header.ttf"] = b"OTTO" + f[4:]
    out["trunc-header.ttf"] = f[:10]
    out["trunc-directory.ttf"] = f[:60]
    out["trunc-glyf.ttf"] = f[:len(f) // 2]

    for name in sorted(out):
        with open(os.path.join(OUT, name), "wb") as fh:
            fh.write(out[name])
        print("%-28s %6d bytes" % (name, len(out[name])))


if __name__ == "__main__":
    main()
