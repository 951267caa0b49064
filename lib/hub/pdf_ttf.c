/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pdf_ttf.c - the TrueType reader and subsetter under the PDF writer.
 *
 * A font file is input like any other: it comes from a directory an
 * administrator may point elsewhere ($KALKAN_FONT_DIR), so every offset in
 * it is checked before it is followed.  hub_ttf_parse does all the checking
 * once: the table directory, head, hhea, maxp, hmtx, loca (short and long:
 * monotonic and inside glyf), the header of every glyph and every component
 * of every composite glyph, and the cmap subtable it will use (format 12,
 * else format 4: sorted segments or groups, glyph arrays inside the
 * subtable).  After that, lookups and subsetting only read what was
 * checked, and the remaining per-lookup checks (a format 4 glyph array
 * index, a glyph id past numGlyphs) answer "missing glyph" rather than
 * fail.  The cost is one pass over loca and the glyph headers at parse time
 * (about a millisecond for DejaVu Sans); the gain is that a parsed font
 * cannot make a later call read out of bounds.
 *
 * The subset keeps glyph ids (the PDF uses CIDToGIDMap /Identity): glyphs
 * not used are emptied (equal loca entries) and glyphs after the last used
 * one are dropped (numGlyphs shrinks), so a page of Latin and Cyrillic text
 * costs a few tens of kilobytes instead of the font's 760.  It holds what a
 * PDF CIDFontType2 font program needs - head (checksum adjustment
 * recomputed), hhea, maxp, hmtx, loca, glyf, and cvt, fpgm and prep when
 * present - plus a format 12 cmap of the kept glyphs, so the subset is a
 * font this same reader accepts.  Tables are 4-byte aligned and carry
 * correct checksums.
 */
#include <stdlib.h>
#include <string.h>

#include "pdf.h"

#define TAG(a, b, c, d)                                                        \
    ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 |          \
     (uint32_t)(d))

enum ttf_tab {
    T_CMAP,
    T_CVT,
    T_FPGM,
    T_GLYF,
    T_HEAD,
    T_HHEA,
    T_HMTX,
    T_LOCA,
    T_MAXP,
    T_PREP,
    T_OS2,
    T_POST,
    T_NAME,
    T_COUNT
};

/* In tag order, which is the order of the subset's table directory. */
static const uint32_t ttf_tags[T_COUNT] = {
    TAG('c', 'm', 'a', 'p'), TAG('c', 'v', 't', ' '), TAG('f', 'p', 'g', 'm'),
    TAG('g', 'l', 'y', 'f'), TAG('h', 'e', 'a', 'd'), TAG('h', 'h', 'e', 'a'),
    TAG('h', 'm', 't', 'x'), TAG('l', 'o', 'c', 'a'), TAG('m', 'a', 'x', 'p'),
    TAG('p', 'r', 'e', 'p'), TAG('O', 'S', '/', '2'), TAG('p', 'o', 's', 't'),
    TAG('n', 'a', 'm', 'e')};

/* Composite glyph flags. */
#define CG_WORDS 0x0001
#define CG_SCALE 0x0008
#define CG_MORE 0x0020
#define CG_XY_SCALE 0x0040
#define CG_2X2 0x0080
#define CG_INSTR 0x0100

#define HEAD_MAGIC 0x5F0F3CF5u
#define CHECKSUM_MAGIC 0xB1B0AFBAu
#define CP_MAX 0x10FFFFu

struct ttf_table {
    uint32_t off;
    uint32_t len;
    bool present;
};

struct hub_ttf {
    const uint8_t *data;
    size_t len;
    struct ttf_table t[T_COUNT];
    unsigned upem;
    unsigned n_glyphs;
    unsigned n_hmetrics;
    uint32_t *loca;  /* n_glyphs + 1 offsets into glyf, checked */
    size_t cmap_off; /* the chosen subtable, from the start of the file */
    size_t cmap_len;
    unsigned cmap_format; /* 4 or 12 */
    uint32_t cmap_n;      /* segments (4) or groups (12) */
    struct hub_ttf_metrics m;
};

/* ---- Reading big-endian numbers (callers have checked the range) ---- */

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static int16_t bes16(const uint8_t *p)
{
    return (int16_t)be16(p);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* True if n bytes at off lie inside len bytes. */
static bool in_range(size_t off, size_t n, size_t len)
{
    return off <= len && n <= len - off;
}

static const uint8_t *tab(const struct hub_ttf *f, enum ttf_tab t)
{
    return f->data + f->t[t].off;
}

/* ---- Parsing ---- */

static int corrupt(struct kk_diag *d, const char *what)
{
    kk_diag_set(d, "malformed TrueType font: %s", what);
    return KK_ERR_CORRUPT;
}

static int parse_directory(struct hub_ttf *f, struct kk_diag *d)
{
    const uint8_t *p = f->data;
    uint32_t version;
    unsigned n;
    int r = KK_OK;

    if (f->len < 12) {
        r = corrupt(d, "shorter than its header");
        goto out;
    }
    version = be32(p);
    if (version == TAG('O', 'T', 'T', 'O') ||
        version == TAG('t', 't', 'c', 'f')) {
        kk_diag_set(d, "only TrueType outlines in a single font are "
                       "supported (not CFF or a collection)");
        r = KK_ERR_UNSUPPORTED;
        goto out;
    }
    if (version != 0x00010000u && version != TAG('t', 'r', 'u', 'e')) {
        r = corrupt(d, "not a TrueType font");
        goto out;
    }
    n = be16(p + 4);
    if (!in_range(12, (size_t)n * 16, f->len)) {
        r = corrupt(d, "table directory cut short");
        goto out;
    }
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *rec = p + 12 + (size_t)i * 16;
        uint32_t tag = be32(rec);
        uint32_t off = be32(rec + 8);
        uint32_t len = be32(rec + 12);

        for (unsigned k = 0; k < T_COUNT; k++) {
            if (ttf_tags[k] != tag)
                continue;
            if (f->t[k].present) {
                r = corrupt(d, "a table appears twice");
                goto out;
            }
            if (!in_range(off, len, f->len)) {
                r = corrupt(d, "a table lies outside the file");
                goto out;
            }
            f->t[k].off = off;
            f->t[k].len = len;
            f->t[k].present = true;
        }
    }
    if (!f->t[T_HEAD].present || !f->t[T_HHEA].present ||
        !f->t[T_MAXP].present || !f->t[T_HMTX].present ||
        !f->t[T_LOCA].present || !f->t[T_GLYF].present ||
        !f->t[T_CMAP].present) {
        r = corrupt(d, "a required table is missing");
        goto out;
    }
out:
    return r;
}

/* head, maxp, hhea and hmtx: the numbers everything else depends on. */
static int parse_metrics(struct hub_ttf *f, struct kk_diag *d)
{
    const uint8_t *p;
    int r = KK_OK;
    size_t need;

    p = tab(f, T_HEAD);
    if (f->t[T_HEAD].len < 54 || be32(p + 12) != HEAD_MAGIC) {
        r = corrupt(d, "bad head table");
        goto out;
    }
    f->upem = be16(p + 18);
    if (f->upem < 16 || f->upem > 16384 || bes16(p + 50) < 0 ||
        bes16(p + 50) > 1 || bes16(p + 52) != 0) {
        r = corrupt(d, "bad head table");
        goto out;
    }
    f->m.x_min = bes16(p + 36);
    f->m.y_min = bes16(p + 38);
    f->m.x_max = bes16(p + 40);
    f->m.y_max = bes16(p + 42);

    p = tab(f, T_MAXP);
    if (f->t[T_MAXP].len < 6 ||
        (be32(p) != 0x00005000u && be32(p) != 0x00010000u) ||
        (be32(p) == 0x00010000u && f->t[T_MAXP].len < 32)) {
        r = corrupt(d, "bad maxp table");
        goto out;
    }
    f->n_glyphs = be16(p + 4);
    if (f->n_glyphs == 0) {
        r = corrupt(d, "no glyphs");
        goto out;
    }

    p = tab(f, T_HHEA);
    if (f->t[T_HHEA].len < 36) {
        r = corrupt(d, "bad hhea table");
        goto out;
    }
    f->m.ascent = bes16(p + 4);
    f->m.descent = bes16(p + 6);
    f->m.cap_height = f->m.ascent;
    f->n_hmetrics = be16(p + 34);
    if (f->n_hmetrics == 0 || f->n_hmetrics > f->n_glyphs) {
        r = corrupt(d, "bad numberOfHMetrics");
        goto out;
    }
    need =
        (size_t)f->n_hmetrics * 4 + (size_t)(f->n_glyphs - f->n_hmetrics) * 2;
    if (f->t[T_HMTX].len < need) {
        r = corrupt(d, "hmtx table cut short");
        goto out;
    }
out:
    return r;
}

/* Reads loca into f->loca, checking order and bounds. */
static int parse_loca(struct hub_ttf *f, struct kk_diag *d)
{
    bool is_long = bes16(tab(f, T_HEAD) + 50) == 1;
    size_t es = is_long ? 4 : 2;
    size_t n = (size_t)f->n_glyphs + 1;
    const uint8_t *p = tab(f, T_LOCA);
    int r = KK_OK;

    if (f->t[T_LOCA].len / es < n) {
        r = corrupt(d, "loca table cut short");
        goto out;
    }
    f->loca = malloc(n * sizeof *f->loca);
    if (f->loca == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t v = is_long ? be32(p + 4 * i) : 2u * be16(p + 2 * i);
        if ((i > 0 && v < f->loca[i - 1]) || v > f->t[T_GLYF].len) {
            r = corrupt(d, "loca offsets out of order or past glyf");
            goto out;
        }
        f->loca[i] = v;
    }
out:
    return r;
}

/*
 * Walks the components of the composite glyph at g[0..len), calling
 * visit on each component's glyph id unless it is NULL.  Returns false if
 * the glyph is malformed.  The caller has checked len >= 10.
 */
static bool composite_walk(const struct hub_ttf *f, const uint8_t *g,
                           size_t len, void (*visit)(void *, unsigned),
                           void *arg)
{
    size_t pos = 10;
    unsigned flags;
    unsigned instr = 0;

    do {
        size_t step;
        unsigned comp;

        if (!in_range(pos, 4, len))
            return false;
        flags = be16(g + pos);
        comp = be16(g + pos + 2);
        if (comp >= f->n_glyphs)
            return false;
        step = 4 + ((flags & CG_WORDS) ? 4 : 2);
        if (flags & CG_SCALE)
            step += 2;
        else if (flags & CG_XY_SCALE)
            step += 4;
        else if (flags & CG_2X2)
            step += 8;
        if (!in_range(pos, step, len))
            return false;
        if (visit != NULL)
            visit(arg, comp);
        pos += step;
        instr |= flags & CG_INSTR;
    } while (flags & CG_MORE);
    if (instr) {
        if (!in_range(pos, 2, len) || !in_range(pos + 2, be16(g + pos), len))
            return false;
    }
    return true;
}

/* The header of every glyph, and the components of composite ones. */
static int parse_glyphs(struct hub_ttf *f, struct kk_diag *d)
{
    const uint8_t *glyf = tab(f, T_GLYF);
    int r = KK_OK;

    for (unsigned i = 0; i < f->n_glyphs; i++) {
        const uint8_t *g = glyf + f->loca[i];
        size_t len = f->loca[i + 1] - f->loca[i];
        int nc;

        if (len == 0)
            continue;
        if (len < 10) {
            r = corrupt(d, "a glyph shorter than its header");
            goto out;
        }
        nc = bes16(g);
        if (nc < 0) {
            if (!composite_walk(f, g, len, NULL, NULL)) {
                r = corrupt(d, "a malformed composite glyph");
                goto out;
            }
        } else {
            size_t ins = 10 + 2 * (size_t)nc; /* instructionLength */
            if (!in_range(ins, 2, len) ||
                !in_range(ins + 2, be16(g + ins), len)) {
                r = corrupt(d, "a glyph cut short");
                goto out;
            }
        }
    }
out:
    return r;
}

/* Checks a format 4 subtable at p[0..len) and keeps it. */
static bool cmap4_check(struct hub_ttf *f, const uint8_t *p, size_t len)
{
    unsigned seg2;
    unsigned seg;
    unsigned prev_end = 0;

    if (len < 14)
        return false;
    seg2 = be16(p + 6);
    if (seg2 == 0 || seg2 % 2 != 0)
        return false;
    seg = seg2 / 2;
    if (!in_range(16, (size_t)seg * 8, len))
        return false;
    for (unsigned i = 0; i < seg; i++) {
        unsigned end = be16(p + 14 + 2 * i);
        unsigned start = be16(p + 16 + seg2 + 2 * i);
        if (start > end || (i > 0 && start <= prev_end))
            return false;
        prev_end = end;
    }
    f->cmap_n = seg;
    return true;
}

/* Checks a format 12 subtable at p[0..len) and keeps it. */
static bool cmap12_check(struct hub_ttf *f, const uint8_t *p, size_t len)
{
    uint32_t n;
    uint32_t prev_end = 0;

    if (len < 16)
        return false;
    n = be32(p + 12);
    if (n / 12 > len || !in_range(16, (size_t)n * 12, len))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *gr = p + 16 + (size_t)i * 12;
        uint32_t start = be32(gr);
        uint32_t end = be32(gr + 4);
        if (start > end || end > CP_MAX || (i > 0 && start <= prev_end))
            return false;
        prev_end = end;
    }
    f->cmap_n = n;
    return true;
}

/* Preference of an encoding record: higher is better, 0 unusable. */
static int cmap_rank(unsigned platform, unsigned encoding, unsigned format)
{
    if (format == 12 && platform == 3 && encoding == 10)
        return 4;
    if (format == 12 && platform == 0 && (encoding == 4 || encoding == 6))
        return 3;
    if (format == 4 && platform == 3 && encoding == 1)
        return 2;
    if (format == 4 && platform == 0 && encoding <= 3)
        return 1;
    return 0;
}

static int parse_cmap(struct hub_ttf *f, struct kk_diag *d)
{
    const uint8_t *p = tab(f, T_CMAP);
    size_t tlen = f->t[T_CMAP].len;
    unsigned n;
    int best = 0;
    size_t best_off = 0;
    unsigned best_format = 0;
    size_t sublen;
    bool ok;
    int r = KK_OK;

    if (tlen < 4 || !in_range(4, (size_t)be16(p + 2) * 8, tlen)) {
        r = corrupt(d, "bad cmap table");
        goto out;
    }
    n = be16(p + 2);
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *rec = p + 4 + (size_t)i * 8;
        uint32_t off = be32(rec + 4);
        unsigned format;
        int rank;

        if (!in_range(off, 2, tlen))
            continue; /* a record we could not use anyway */
        format = be16(p + off);
        rank = cmap_rank(be16(rec), be16(rec + 2), format);
        if (rank > best) {
            best = rank;
            best_off = off;
            best_format = format;
        }
    }
    if (best == 0) {
        r = corrupt(d, "no Unicode cmap subtable");
        goto out;
    }
    if (best_format == 12) {
        if (!in_range(best_off, 8, tlen) ||
            !in_range(best_off, be32(p + best_off + 4), tlen)) {
            r = corrupt(d, "cmap subtable outside its table");
            goto out;
        }
        sublen = be32(p + best_off + 4);
        ok = cmap12_check(f, p + best_off, sublen);
    } else {
        if (!in_range(best_off, 4, tlen) ||
            !in_range(best_off, be16(p + best_off + 2), tlen)) {
            r = corrupt(d, "cmap subtable outside its table");
            goto out;
        }
        sublen = be16(p + best_off + 2);
        ok = cmap4_check(f, p + best_off, sublen);
    }
    if (!ok) {
        r = corrupt(d, "bad cmap subtable");
        goto out;
    }
    f->cmap_off = f->t[T_CMAP].off + best_off;
    f->cmap_len = sublen;
    f->cmap_format = best_format;
out:
    return r;
}

/* OS/2, post and name: optional, checked when present. */
static int parse_optional(struct hub_ttf *f, struct kk_diag *d)
{
    const uint8_t *p;
    int r = KK_OK;

    f->m.weight = 400;
    if (f->t[T_OS2].present) {
        p = tab(f, T_OS2);
        if (f->t[T_OS2].len < 78) {
            r = corrupt(d, "OS/2 table cut short");
            goto out;
        }
        f->m.weight = be16(p + 4);
        if (be16(p) >= 2 && f->t[T_OS2].len >= 90)
            f->m.cap_height = bes16(p + 88);
    }
    if (f->t[T_POST].present) {
        int32_t angle;
        p = tab(f, T_POST);
        if (f->t[T_POST].len < 32) {
            r = corrupt(d, "post table cut short");
            goto out;
        }
        angle = (int32_t)be32(p + 4);
        /* 16.16 fixed point, rounded half away from zero */
        f->m.italic_angle = angle >= 0
                                ? (int)(((int64_t)angle + 0x8000) >> 16)
                                : -(int)((-(int64_t)angle + 0x8000) >> 16);
        f->m.fixed_pitch = be32(p + 12) != 0;
    }
    if (f->t[T_NAME].present) {
        size_t tlen = f->t[T_NAME].len;
        unsigned n;
        size_t storage;
        int best = 0;

        p = tab(f, T_NAME);
        if (tlen < 6 || !in_range(6, (size_t)be16(p + 2) * 12, tlen)) {
            r = corrupt(d, "bad name table");
            goto out;
        }
        n = be16(p + 2);
        storage = be16(p + 4);
        for (unsigned i = 0; i < n; i++) {
            const uint8_t *rec = p + 6 + (size_t)i * 12;
            unsigned platform = be16(rec);
            size_t len = be16(rec + 8);
            size_t off = storage + be16(rec + 10);
            size_t step = platform == 3 ? 2 : 1;
            size_t k = 0;
            int rank = platform == 3 ? 2 : platform == 1 ? 1 : 0;

            if (be16(rec + 6) != 6 || rank <= best)
                continue;
            if (!in_range(off, len, tlen)) {
                r = corrupt(d, "a name outside its table");
                goto out;
            }
            best = rank;
            for (size_t j = 0; j + step <= len && k + 1 < sizeof f->m.name;
                 j += step) {
                unsigned c = step == 2 ? be16(p + off + j) : p[off + j];
                if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_')
                    f->m.name[k++] = (char)c;
            }
            f->m.name[k] = '\0';
        }
    }
out:
    return r;
}

int hub_ttf_parse(const uint8_t *data, size_t len, struct hub_ttf **out,
                  struct kk_diag *d)
{
    struct hub_ttf *f = NULL;
    int r;

    if (data == NULL || out == NULL) {
        r = KK_ERR_INVAL;
        goto out;
    }
    if (len > KK_HUB_FONT_MAX) {
        kk_diag_set(d, "font larger than %d bytes", KK_HUB_FONT_MAX);
        r = KK_ERR_LIMIT;
        goto out;
    }
    f = calloc(1, sizeof *f);
    if (f == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    f->data = data;
    f->len = len;
    r = parse_directory(f, d);
    if (r == KK_OK)
        r = parse_metrics(f, d);
    if (r == KK_OK)
        r = parse_loca(f, d);
    if (r == KK_OK)
        r = parse_glyphs(f, d);
    if (r == KK_OK)
        r = parse_cmap(f, d);
    if (r == KK_OK)
        r = parse_optional(f, d);
    if (r == KK_OK) {
        *out = f;
        f = NULL;
    }
out:
    hub_ttf_free(f);
    return r;
}

void hub_ttf_free(struct hub_ttf *f)
{
    if (f == NULL)
        return;
    free(f->loca);
    free(f);
}

/* ---- Lookups ---- */

static unsigned cmap4_glyph_in(const struct hub_ttf *f, unsigned i, uint32_t cp)
{
    const uint8_t *p = f->data + f->cmap_off;
    size_t seg2 = (size_t)f->cmap_n * 2;
    unsigned start = be16(p + 16 + seg2 + 2 * i);
    unsigned delta = be16(p + 16 + 2 * seg2 + 2 * i);
    size_t ro_at = 16 + 3 * seg2 + 2 * i;
    unsigned ro = be16(p + ro_at);
    unsigned g;

    if (ro == 0) {
        g = (cp + delta) & 0xFFFFu;
    } else {
        size_t at = ro_at + ro + 2 * (size_t)(cp - start);
        if (!in_range(at, 2, f->cmap_len))
            return 0;
        g = be16(p + at);
        if (g != 0)
            g = (g + delta) & 0xFFFFu;
    }
    return g < f->n_glyphs ? g : 0;
}

static unsigned cmap4_glyph(const struct hub_ttf *f, uint32_t cp)
{
    const uint8_t *p = f->data + f->cmap_off;
    size_t lo = 0;
    size_t hi = f->cmap_n;

    /* U+FFFF ends the last segment by convention and is no character */
    if (cp >= 0xFFFF)
        return 0;
    /* the first segment whose end is >= cp */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (be16(p + 14 + 2 * mid) < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == f->cmap_n || be16(p + 16 + (size_t)f->cmap_n * 2 + 2 * lo) > cp)
        return 0;
    return cmap4_glyph_in(f, (unsigned)lo, cp);
}

static unsigned cmap12_glyph(const struct hub_ttf *f, uint32_t cp)
{
    const uint8_t *p = f->data + f->cmap_off + 16;
    size_t lo = 0;
    size_t hi = f->cmap_n;
    uint64_t g;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (be32(p + 12 * mid + 4) < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == f->cmap_n || be32(p + 12 * lo) > cp)
        return 0;
    g = (uint64_t)be32(p + 12 * lo + 8) + (cp - be32(p + 12 * lo));
    return g < f->n_glyphs ? (unsigned)g : 0;
}

uint16_t hub_ttf_glyph(const struct hub_ttf *f, uint32_t cp)
{
    if (f == NULL || cp > CP_MAX)
        return 0;
    return (uint16_t)(f->cmap_format == 12 ? cmap12_glyph(f, cp)
                                           : cmap4_glyph(f, cp));
}

unsigned hub_ttf_advance(const struct hub_ttf *f, uint16_t glyph)
{
    unsigned i;

    if (f == NULL || glyph >= f->n_glyphs)
        return 0;
    i = glyph < f->n_hmetrics ? glyph : f->n_hmetrics - 1;
    return be16(tab(f, T_HMTX) + 4 * (size_t)i);
}

/* The left side bearing of a glyph (hmtx), as stored. */
static unsigned ttf_lsb(const struct hub_ttf *f, unsigned glyph)
{
    const uint8_t *p = tab(f, T_HMTX);

    if (glyph < f->n_hmetrics)
        return be16(p + 4 * (size_t)glyph + 2);
    return be16(p + 4 * (size_t)f->n_hmetrics +
                2 * (size_t)(glyph - f->n_hmetrics));
}

unsigned hub_ttf_units_per_em(const struct hub_ttf *f)
{
    return f != NULL ? f->upem : 1000;
}

unsigned hub_ttf_num_glyphs(const struct hub_ttf *f)
{
    return f != NULL ? f->n_glyphs : 0;
}

void hub_ttf_metrics(const struct hub_ttf *f, struct hub_ttf_metrics *m)
{
    if (m == NULL)
        return;
    if (f == NULL) {
        memset(m, 0, sizeof *m);
        return;
    }
    *m = f->m;
}

/* ---- Subsetting ---- */

/* What a subset is made of. */
struct subset {
    const struct hub_ttf *f;
    uint8_t *keep;  /* per glyph of f */
    unsigned n_out; /* glyphs in the subset: the last kept one + 1 */
    int err;
    uint32_t (*groups)[3]; /* cmap: first code point, last, first glyph */
    size_t n_groups;
    size_t cap_groups;
};

/* Keeps glyph g and, recursively, the components it is made of. */
static void keep_glyph(struct subset *s, unsigned g, unsigned depth);

struct keep_arg {
    struct subset *s;
    unsigned depth;
};

static void keep_component(void *arg, unsigned g)
{
    struct keep_arg *a = arg;

    keep_glyph(a->s, g, a->depth + 1);
}

static void keep_glyph(struct subset *s, unsigned g, unsigned depth)
{
    const struct hub_ttf *f = s->f;
    const uint8_t *data;
    size_t len;
    struct keep_arg a = {s, depth};

    if (s->keep[g] || s->err != KK_OK)
        return;
    if (depth > KK_HUB_TTF_DEPTH_MAX) {
        s->err = KK_ERR_CORRUPT;
        return;
    }
    s->keep[g] = 1;
    if (g + 1 > s->n_out)
        s->n_out = g + 1;
    data = tab(f, T_GLYF) + f->loca[g];
    len = f->loca[g + 1] - f->loca[g];
    if (len >= 10 && bes16(data) < 0) {
        /* checked at parse time, so the walk cannot fail here */
        (void)composite_walk(f, data, len, keep_component, &a);
    }
}

/* Adds cp -> g to the subset's cmap, merging runs. */
static void map_add(struct subset *s, uint32_t cp, unsigned g)
{
    if (s->err != KK_OK || g == 0 || g >= s->n_out || !s->keep[g])
        return;
    if (s->n_groups > 0) {
        uint32_t *last = s->groups[s->n_groups - 1];
        if (cp == last[1] + 1 && g == last[2] + (cp - last[0])) {
            last[1] = cp;
            return;
        }
    }
    if (s->n_groups == s->cap_groups) {
        size_t ncap = s->cap_groups < 64 ? 64 : s->cap_groups * 2;
        void *n;
        if (ncap > (size_t)CP_MAX + 1) {
            s->err = KK_ERR_LIMIT;
            return;
        }
        n = realloc(s->groups, ncap * sizeof *s->groups);
        if (n == NULL) {
            s->err = KK_ERR_NOMEM;
            return;
        }
        s->groups = n;
        s->cap_groups = ncap;
    }
    s->groups[s->n_groups][0] = cp;
    s->groups[s->n_groups][1] = cp;
    s->groups[s->n_groups][2] = g;
    s->n_groups++;
}

/* The mappings of the font's cmap that reach kept glyphs, in code point
 * order.  O(code points mapped to glyphs below n_out). */
static void map_collect(struct subset *s)
{
    const struct hub_ttf *f = s->f;
    const uint8_t *p = f->data + f->cmap_off;

    if (f->cmap_format == 12) {
        for (uint32_t i = 0; i < f->cmap_n && s->err == KK_OK; i++) {
            const uint8_t *gr = p + 16 + (size_t)i * 12;
            uint32_t start = be32(gr);
            uint32_t end = be32(gr + 4);
            uint32_t g0 = be32(gr + 8);
            if (g0 >= s->n_out)
                continue;
            /* only code points whose glyph is below n_out */
            if (end - start > s->n_out - 1 - g0)
                end = start + (s->n_out - 1 - g0);
            for (uint32_t cp = start; cp <= end && s->err == KK_OK; cp++)
                map_add(s, cp, g0 + (cp - start));
        }
    } else {
        size_t seg2 = (size_t)f->cmap_n * 2;
        for (unsigned i = 0; i < f->cmap_n && s->err == KK_OK; i++) {
            uint32_t end = be16(p + 14 + 2 * (size_t)i);
            uint32_t start = be16(p + 16 + seg2 + 2 * (size_t)i);
            for (uint32_t cp = start; cp <= end && s->err == KK_OK; cp++) {
                if (cp != 0xFFFF)
                    map_add(s, cp, cmap4_glyph_in(f, i, cp));
            }
        }
    }
}

/* Sum of the big-endian 32-bit words of p[0..len), len a multiple of 4. */
static uint32_t checksum(const uint8_t *p, size_t len)
{
    uint32_t sum = 0;

    for (size_t i = 0; i < len; i += 4)
        sum += be32(p + i);
    return sum;
}

static size_t pad4(size_t n)
{
    return (n + 3) & ~(size_t)3;
}

/* Writes the subset described by s into a new buffer of *size bytes. */
static int subset_write(struct subset *s, uint8_t **out, size_t *size)
{
    const struct hub_ttf *f = s->f;
    const uint8_t *glyf = tab(f, T_GLYF);
    enum { OUT_MAX = 10 };
    enum ttf_tab which[OUT_MAX];
    size_t len[OUT_MAX];
    size_t at[OUT_MAX];
    size_t n_tab = 0;
    size_t glyf_len = 0;
    size_t total;
    bool short_loca;
    uint8_t *b = NULL;
    unsigned sel = 0;
    int r = KK_OK;

    for (unsigned g = 0; g < s->n_out; g++) {
        if (s->keep[g])
            glyf_len += pad4(f->loca[g + 1] - f->loca[g]);
    }
    short_loca = glyf_len / 2 <= 0xFFFF;
    for (unsigned k = 0; k < T_OS2; k++) {
        size_t l;
        switch ((enum ttf_tab)k) {
        case T_CMAP:
            l = 12 + 16 + 12 * s->n_groups;
            break;
        case T_CVT:
        case T_FPGM:
        case T_PREP:
            if (!f->t[k].present)
                continue;
            l = f->t[k].len;
            break;
        case T_GLYF:
            l = glyf_len;
            break;
        case T_HEAD:
            l = 54;
            break;
        case T_HHEA:
            l = 36;
            break;
        case T_HMTX:
            l = 4 * (size_t)s->n_out;
            break;
        case T_LOCA:
            l = ((size_t)s->n_out + 1) * (short_loca ? 2 : 4);
            break;
        case T_MAXP:
            l = be32(tab(f, T_MAXP)) == 0x00010000u ? 32 : 6;
            break;
        default:
            continue;
        }
        which[n_tab] = (enum ttf_tab)k;
        len[n_tab] = l;
        n_tab++;
    }
    total = 12 + 16 * n_tab;
    for (size_t i = 0; i < n_tab; i++) {
        at[i] = total;
        total += pad4(len[i]); /* each part is at most the font's size */
    }
    b = calloc(1, total);
    if (b == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    while ((2u << sel) <= n_tab)
        sel++;
    put32(b, 0x00010000u);
    put16(b + 4, (unsigned)n_tab);
    put16(b + 6, 16u << sel);
    put16(b + 8, sel);
    put16(b + 10, (unsigned)(16 * n_tab - (16u << sel)));
    for (size_t i = 0; i < n_tab; i++) {
        uint8_t *t = b + at[i];
        switch (which[i]) {
        case T_CMAP:
            put16(t + 2, 1);
            put16(t + 4, 3);
            put16(t + 6, 10);
            put32(t + 8, 12);
            put16(t + 12, 12);
            put32(t + 16, (uint32_t)(16 + 12 * s->n_groups));
            put32(t + 24, (uint32_t)s->n_groups);
            for (size_t j = 0; j < s->n_groups; j++) {
                put32(t + 28 + 12 * j, s->groups[j][0]);
                put32(t + 32 + 12 * j, s->groups[j][1]);
                put32(t + 36 + 12 * j, s->groups[j][2]);
            }
            break;
        case T_GLYF: {
            size_t pos = 0;
            uint8_t *loca = NULL;
            for (size_t j = 0; j < n_tab; j++) {
                if (which[j] == T_LOCA)
                    loca = b + at[j];
            }
            for (unsigned g = 0; g <= s->n_out; g++) {
                if (short_loca)
                    put16(loca + 2 * (size_t)g, (unsigned)(pos / 2));
                else
                    put32(loca + 4 * (size_t)g, (uint32_t)pos);
                if (g == s->n_out || !s->keep[g])
                    continue;
                memcpy(t + pos, glyf + f->loca[g], f->loca[g + 1] - f->loca[g]);
                pos += pad4(f->loca[g + 1] - f->loca[g]);
            }
            break;
        }
        case T_HEAD:
            memcpy(t, tab(f, T_HEAD), 54);
            put32(t + 8, 0);
            put16(t + 50, short_loca ? 0 : 1);
            break;
        case T_HHEA:
            memcpy(t, tab(f, T_HHEA), 36);
            put16(t + 34, s->n_out);
            break;
        case T_HMTX:
            for (unsigned g = 0; g < s->n_out; g++) {
                put16(t + 4 * (size_t)g, hub_ttf_advance(f, (uint16_t)g));
                put16(t + 4 * (size_t)g + 2, ttf_lsb(f, g));
            }
            break;
        case T_MAXP:
            memcpy(t, tab(f, T_MAXP), len[i]);
            put16(t + 4, s->n_out);
            break;
        case T_LOCA: /* written with glyf */
            break;
        default: /* cvt, fpgm, prep: copied */
            memcpy(t, tab(f, which[i]), len[i]);
            break;
        }
    }
    for (size_t i = 0; i < n_tab; i++) {
        uint8_t *rec = b + 12 + 16 * i;
        put32(rec, ttf_tags[which[i]]);
        put32(rec + 4, checksum(b + at[i], pad4(len[i])));
        put32(rec + 8, (uint32_t)at[i]);
        put32(rec + 12, (uint32_t)len[i]);
    }
    for (size_t i = 0; i < n_tab; i++) {
        if (which[i] == T_HEAD)
            put32(b + at[i] + 8, CHECKSUM_MAGIC - checksum(b, total));
    }
    *out = b;
    *size = total;
    b = NULL;
out:
    free(b);
    return r;
}

int hub_ttf_subset(const struct hub_ttf *f, const uint8_t *used,
                   size_t n_glyphs, struct kk_buf *out)
{
    struct subset s;
    uint8_t *font = NULL;
    size_t size = 0;
    int r;

    memset(&s, 0, sizeof s);
    if (f == NULL || out == NULL || (used == NULL && n_glyphs > 0) ||
        n_glyphs > f->n_glyphs) {
        r = KK_ERR_INVAL;
        goto out;
    }
    s.f = f;
    s.keep = calloc(f->n_glyphs, 1);
    if (s.keep == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    keep_glyph(&s, 0, 0); /* .notdef, the missing-glyph box */
    for (size_t g = 0; g < n_glyphs; g++) {
        if (used[g])
            keep_glyph(&s, (unsigned)g, 0);
    }
    if (s.err == KK_OK)
        map_collect(&s);
    r = s.err;
    if (r == KK_OK)
        r = subset_write(&s, &font, &size);
    if (r == KK_OK)
        r = kk_buf_put(out, font, size);
out:
    free(font);
    free(s.groups);
    free(s.keep);
    return r;
}
