/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pdf.c - the PDF writer of the hub's reports (pdf.h).
 *
 * A document is built in memory: every page's content stream goes into one
 * size-capped buffer (pages are drawn in order, so a page is a range of
 * it), and hub_pdf_finish writes the file around them.  The output is PDF
 * 1.7 with uncompressed streams (zlib is not linked, and a report is a few
 * hundred kilobytes at most):
 *
 *   1 Catalog, 2 Pages, 3 Info, then per font used (regular /F1, bold
 *   /F2) a Type0 font with Identity-H encoding, its CIDFontType2
 *   descendant (CIDToGIDMap /Identity, a /W array of the glyphs drawn),
 *   the FontDescriptor, the FontFile2 (the subset font, pdf_ttf.c) and a
 *   ToUnicode CMap; then each page and its content stream; an xref table
 *   with byte offsets and a trailer with /Info and /ID.
 *
 * Text is drawn as 2-byte glyph ids in hex strings, so no escaping is ever
 * needed; the ToUnicode CMap maps every glyph back to the code point it was
 * first drawn for, which is what makes the text searchable and lets
 * pdftotext return exactly what was drawn.  Two characters that share a
 * glyph come back as the first one; the missing-glyph box comes back as
 * U+FFFD.
 *
 * Numbers are printed with integer arithmetic (at most three decimals), so
 * no locale can turn the point into a comma; coordinates outside
 * +-1,000,000 points, a NaN or a size outside (0, 1000] are an error.
 * Errors are sticky: the first one stops all drawing and is what
 * hub_pdf_finish returns.
 *
 * The fonts (DejaVu Sans and DejaVu Sans Bold) are read and parsed for
 * every document: about 1.5 MB read and a parse of a few milliseconds,
 * which is small beside the work of a report and keeps a document free of
 * any process-wide state ($KALKAN_FONT_DIR is read at each hub_pdf_new).
 * A document is not thread-safe; separate documents are independent.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pdf.h"

#define FONT_DIR "/usr/share/fonts/truetype/dejavu"
#define FONT_PACKAGE "fonts-dejavu-core"
#define NUM_MAX 1e6     /* points: coordinates and widths */
#define SIZE_MAX_PT 1e3 /* points: text size */
#define BFCHAR_MAX 100  /* entries in one beginbfchar block */
#define N_FONTS 2

/* With their slash: they are appended to the directory. */
static const char *const font_files[N_FONTS] = {"/DejaVuSans.ttf",
                                                "/DejaVuSans-Bold.ttf"};

struct pdf_font {
    struct kk_buf *file; /* the font file's bytes */
    struct hub_ttf *ttf;
    unsigned n_glyphs;
    unsigned upem;
    uint8_t *used; /* per glyph: drawn at least once */
    uint32_t *uni; /* per glyph: the code point it was first drawn for */
    bool any;      /* some text was drawn in this font */
};

struct hub_pdf {
    int err;
    struct pdf_font font[N_FONTS];
    struct kk_buf *content; /* the pages' content streams, in order */
    size_t *page_start;     /* where each page's stream begins in content */
    size_t n_pages;
    size_t cap_pages;
    uint32_t rgb;
    char *info[3]; /* title, subject, keywords */
};

/* ---- Small helpers ---- */

/*
 * Decodes the character at s[*i] (s holds len bytes), advancing *i past
 * it.  An ill-formed sequence gives U+FFFD and advances past its longest
 * well-formed prefix, at least one byte.
 */
static uint32_t utf8_next(const unsigned char *s, size_t len, size_t *i)
{
    unsigned c = s[*i];
    unsigned lo = 0x80;
    unsigned hi = 0xbf;
    size_t n;
    uint32_t cp;

    (*i)++;
    if (c < 0x80)
        return c;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
        lo = c == 0xe0 ? 0xa0 : 0x80; /* overlong */
        hi = c == 0xed ? 0x9f : 0xbf; /* surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
        lo = c == 0xf0 ? 0x90 : 0x80; /* overlong */
        hi = c == 0xf4 ? 0x8f : 0xbf; /* past U+10FFFF */
    } else {
        return 0xFFFD;
    }
    for (size_t k = 1; k < n; k++) {
        if (*i >= len || s[*i] < lo || s[*i] > hi)
            return 0xFFFD;
        cp = cp << 6 | (s[*i] & 0x3fu);
        (*i)++;
        lo = 0x80;
        hi = 0xbf;
    }
    return cp;
}

/* v with at most three decimals, without a locale: "12.5", "-3", "0.25". */
static const char *num(char out[32], double v)
{
    int64_t m = (int64_t)(v * 1000.0 + (v < 0 ? -0.5 : 0.5));
    uint64_t a = m < 0 ? (uint64_t)-m : (uint64_t)m;
    unsigned frac = (unsigned)(a % 1000);
    int n;

    if (frac == 0) {
        n = snprintf(out, 32, "%s%llu", m < 0 ? "-" : "",
                     (unsigned long long)(a / 1000));
    } else {
        unsigned digits = 3;
        while (frac % 10 == 0) {
            frac /= 10;
            digits--;
        }
        n = snprintf(out, 32, "%s%llu.%0*u", m < 0 ? "-" : "",
                     (unsigned long long)(a / 1000), (int)digits, frac);
    }
    if (n < 0)
        out[0] = '\0';
    return out;
}

/* True for a usable coordinate or length (NaN fails both comparisons). */
static bool num_ok(double v)
{
    return v >= -NUM_MAX && v <= NUM_MAX;
}

/* A font unit value in 1/1000 em, rounded half away from zero. */
static long em1000(long v, unsigned upem)
{
    long s = v * 1000;

    return s >= 0 ? (s + (long)upem / 2) / (long)upem
                  : -((-s + (long)upem / 2) / (long)upem);
}

/* The width of a glyph in 1/1000 em, as /W gives it. */
static unsigned glyph_w(const struct pdf_font *f, uint16_t g)
{
    return (unsigned)em1000((long)hub_ttf_advance(f->ttf, g), f->upem);
}

static bool ready(const struct hub_pdf *p)
{
    return p != NULL && p->err == KK_OK;
}

static void fail(struct hub_pdf *p, int err)
{
    if (p->err == KK_OK)
        p->err = err;
}

static void put(struct hub_pdf *p, const void *s, size_t n)
{
    if (p->err == KK_OK)
        p->err = kk_buf_put(p->content, s, n);
}

static void puts_(struct hub_pdf *p, const char *s)
{
    put(p, s, strlen(s));
}

/* ---- Document life cycle ---- */

static int font_load(struct pdf_font *f, const char *dir, const char *file,
                     struct kk_diag *d)
{
    char path[PATH_MAX];
    struct kk_diag inner;
    struct stat st;
    int n;
    int r;

    kk_diag_clear(&inner);
    n = snprintf(path, sizeof path, "%s%s", dir, file);
    if (n < 0 || (size_t)n >= sizeof path) {
        kk_diag_set(d, "font directory name too long: %.64s...", dir);
        r = KK_ERR_NOTFOUND;
        goto out;
    }
    f->file = kk_buf_new(KK_HUB_FONT_MAX);
    if (f->file == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    /* one allocation instead of a doubling per 4 KiB read */
    if (stat(path, &st) == 0 && st.st_size > 0 &&
        st.st_size <= KK_HUB_FONT_MAX) {
        r = kk_buf_reserve(f->file, (size_t)st.st_size);
        if (r != KK_OK)
            goto out;
    }
    r = kk_file_read(path, KK_HUB_FONT_MAX, f->file, &inner);
    if (r == KK_ERR_LIMIT) {
        kk_diag_set(d, "font %s is larger than %d bytes; reinstall %s", path,
                    KK_HUB_FONT_MAX, FONT_PACKAGE);
        r = KK_ERR_CORRUPT;
        goto out;
    }
    if (r == KK_ERR_NOMEM)
        goto out;
    if (r != KK_OK) {
        kk_diag_set(d,
                    "font %s not found or unreadable: install the package %s "
                    "(or set KALKAN_FONT_DIR)",
                    path, FONT_PACKAGE);
        r = KK_ERR_NOTFOUND;
        goto out;
    }
    r = hub_ttf_parse(kk_buf_data(f->file), kk_buf_len(f->file), &f->ttf,
                      &inner);
    if (r != KK_OK) {
        if (r != KK_ERR_NOMEM) {
            kk_diag_set(d, "font %s: %s; reinstall %s", path, inner.msg,
                        FONT_PACKAGE);
            r = KK_ERR_CORRUPT;
        }
        goto out;
    }
    f->n_glyphs = hub_ttf_num_glyphs(f->ttf);
    f->upem = hub_ttf_units_per_em(f->ttf);
    f->used = calloc(f->n_glyphs, 1);
    f->uni = calloc(f->n_glyphs, sizeof *f->uni);
    if (f->used == NULL || f->uni == NULL)
        r = KK_ERR_NOMEM;
out:
    return r;
}

int hub_pdf_new(struct hub_pdf **out, struct kk_diag *d)
{
    struct hub_pdf *p = NULL;
    const char *dir = getenv("KALKAN_FONT_DIR");
    int r = KK_OK;

    if (out == NULL) {
        r = KK_ERR_INVAL;
        goto out;
    }
    if (dir == NULL || dir[0] == '\0')
        dir = FONT_DIR;
    p = calloc(1, sizeof *p);
    if (p == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    p->content = kk_buf_new(KK_HUB_PDF_MAX);
    if (p->content == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < N_FONTS && r == KK_OK; i++)
        r = font_load(&p->font[i], dir, font_files[i], d);
    if (r == KK_OK) {
        *out = p;
        p = NULL;
    }
out:
    hub_pdf_free(p);
    return r;
}

void hub_pdf_free(struct hub_pdf *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < N_FONTS; i++) {
        hub_ttf_free(p->font[i].ttf);
        kk_buf_free(p->font[i].file);
        free(p->font[i].used);
        free(p->font[i].uni);
    }
    for (size_t i = 0; i < 3; i++)
        free(p->info[i]);
    kk_buf_free(p->content);
    free(p->page_start);
    free(p);
}

/* A copy of s cut to KK_HUB_PDF_INFO_MAX bytes on a character boundary. */
static char *info_dup(const char *s)
{
    size_t n = strnlen(s, KK_HUB_PDF_INFO_MAX + 1);
    char *c;

    if (n > KK_HUB_PDF_INFO_MAX) {
        n = KK_HUB_PDF_INFO_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    c = malloc(n + 1);
    if (c != NULL) {
        memcpy(c, s, n);
        c[n] = '\0';
    }
    return c;
}

void hub_pdf_info(struct hub_pdf *p, const char *title, const char *subject,
                  const char *keywords)
{
    const char *v[3] = {title, subject, keywords};

    if (!ready(p))
        return;
    for (size_t i = 0; i < 3; i++) {
        free(p->info[i]);
        p->info[i] = NULL;
        if (v[i] == NULL)
            continue;
        p->info[i] = info_dup(v[i]);
        if (p->info[i] == NULL)
            fail(p, KK_ERR_NOMEM);
    }
}

/* The fill and stroke colour operators for rgb. */
static void put_color(struct hub_pdf *p, uint32_t rgb)
{
    char a[32];
    char b[32];
    char c[32];
    char line[256];

    num(a, ((rgb >> 16) & 0xff) / 255.0);
    num(b, ((rgb >> 8) & 0xff) / 255.0);
    num(c, (rgb & 0xff) / 255.0);
    snprintf(line, sizeof line, "%s %s %s rg %s %s %s RG\n", a, b, c, a, b, c);
    puts_(p, line);
}

void hub_pdf_page(struct hub_pdf *p)
{
    if (!ready(p))
        return;
    if (p->n_pages >= KK_HUB_PDF_PAGES_MAX) {
        fail(p, KK_ERR_LIMIT);
        return;
    }
    if (p->n_pages == p->cap_pages) {
        size_t ncap = p->cap_pages < 8 ? 8 : p->cap_pages * 2;
        size_t *n = realloc(p->page_start, ncap * sizeof *n);
        if (n == NULL) {
            fail(p, KK_ERR_NOMEM);
            return;
        }
        p->page_start = n;
        p->cap_pages = ncap;
    }
    p->page_start[p->n_pages++] = kk_buf_len(p->content);
    /* every page starts in black: carry the colour over */
    if (p->rgb != 0)
        put_color(p, p->rgb);
}

/* Drawing before the first hub_pdf_page starts one. */
static void need_page(struct hub_pdf *p)
{
    if (p->n_pages == 0)
        hub_pdf_page(p);
}

void hub_pdf_color(struct hub_pdf *p, uint32_t rgb)
{
    if (!ready(p))
        return;
    p->rgb = rgb & 0xFFFFFFu;
    if (p->n_pages > 0)
        put_color(p, p->rgb);
}

void hub_pdf_text(struct hub_pdf *p, double x, double y, double size, bool bold,
                  const char *utf8)
{
    static const char hex[] = "0123456789ABCDEF";
    struct pdf_font *f;
    const unsigned char *s = (const unsigned char *)utf8;
    size_t len;
    size_t i = 0;
    char a[32];
    char b[32];
    char c[32];
    char line[160];

    if (!ready(p))
        return;
    if (utf8 == NULL || !num_ok(x) || !num_ok(y) ||
        !(size > 0 && size <= SIZE_MAX_PT)) {
        fail(p, KK_ERR_INVAL);
        return;
    }
    len = strlen(utf8);
    if (len == 0)
        return;
    need_page(p);
    f = &p->font[bold ? 1 : 0];
    f->any = true;
    snprintf(line, sizeof line, "BT /F%d %s Tf %s %s Td <", bold ? 2 : 1,
             num(a, size), num(b, x), num(c, HUB_PDF_HEIGHT - y));
    puts_(p, line);
    while (i < len && p->err == KK_OK) {
        uint32_t cp = utf8_next(s, len, &i);
        uint16_t g = hub_ttf_glyph(f->ttf, cp);
        char h[4] = {hex[g >> 12], hex[(g >> 8) & 15], hex[(g >> 4) & 15],
                     hex[g & 15]};
        f->used[g] = 1;
        if (f->uni[g] == 0)
            f->uni[g] = cp;
        put(p, h, 4);
    }
    puts_(p, "> Tj ET\n");
}

double hub_pdf_text_width(struct hub_pdf *p, double size, bool bold,
                          const char *utf8)
{
    const struct pdf_font *f;
    const unsigned char *s = (const unsigned char *)utf8;
    size_t len;
    size_t i = 0;
    uint64_t sum = 0;

    if (p == NULL || utf8 == NULL || !(size > 0 && size <= SIZE_MAX_PT))
        return 0;
    f = &p->font[bold ? 1 : 0];
    if (f->ttf == NULL)
        return 0;
    len = strlen(utf8);
    while (i < len)
        sum += glyph_w(f, hub_ttf_glyph(f->ttf, utf8_next(s, len, &i)));
    return (double)sum * size / 1000.0;
}

void hub_pdf_rect(struct hub_pdf *p, double x, double y, double w, double h)
{
    char a[32];
    char b[32];
    char c[32];
    char d[32];
    char line[160];

    if (!ready(p))
        return;
    if (!num_ok(x) || !num_ok(y) || !num_ok(w) || !num_ok(h)) {
        fail(p, KK_ERR_INVAL);
        return;
    }
    need_page(p);
    snprintf(line, sizeof line, "%s %s %s %s re f\n", num(a, x),
             num(b, HUB_PDF_HEIGHT - y - h), num(c, w), num(d, h));
    puts_(p, line);
}

void hub_pdf_line(struct hub_pdf *p, double x1, double y1, double x2, double y2,
                  double width)
{
    char a[32];
    char b[32];
    char c[32];
    char d[32];
    char e[32];
    char line[200];

    if (!ready(p))
        return;
    if (!num_ok(x1) || !num_ok(y1) || !num_ok(x2) || !num_ok(y2) ||
        !(width >= 0 && width <= NUM_MAX)) {
        fail(p, KK_ERR_INVAL);
        return;
    }
    need_page(p);
    snprintf(line, sizeof line, "%s w %s %s m %s %s l S\n", num(e, width),
             num(a, x1), num(b, HUB_PDF_HEIGHT - y1), num(c, x2),
             num(d, HUB_PDF_HEIGHT - y2));
    puts_(p, line);
}

/* ---- Writing the file ---- */

/* The output being written, with the byte offset of every object. */
struct pdf_out {
    struct kk_buf *b;
    size_t base; /* where the document starts in b */
    int err;
    size_t *off; /* per object number */
    size_t n_obj;
};

static void w_put(struct pdf_out *o, const void *s, size_t n)
{
    if (o->err == KK_OK)
        o->err = kk_buf_put(o->b, s, n);
}

static void w_puts(struct pdf_out *o, const char *s)
{
    w_put(o, s, strlen(s));
}

static void w_putf(struct pdf_out *o, const char *fmt, ...) KK_PRINTF(2, 3);

static void w_putf(struct pdf_out *o, const char *fmt, ...)
{
    char s[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(s, sizeof s, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof s) {
        if (o->err == KK_OK)
            o->err = KK_ERR_TRUNC; /* a bug: every format here is short */
        return;
    }
    w_put(o, s, (size_t)n);
}

/* Starts object number obj, noting its offset. */
static void w_obj(struct pdf_out *o, size_t obj)
{
    o->off[obj] = kk_buf_len(o->b) - o->base;
    w_putf(o, "%zu 0 obj\n", obj);
}

/* A stream object: dict is the dictionary's entries besides /Length. */
static void w_stream(struct pdf_out *o, size_t obj, const char *dict,
                     const void *data, size_t len)
{
    w_obj(o, obj);
    w_putf(o, "<< /Length %zu%s >>\nstream\n", len, dict);
    w_put(o, data, len);
    w_puts(o, "\nendstream\nendobj\n");
}

/* A UTF-8 string as a UTF-16BE hex string with a byte-order mark. */
static void w_text16(struct pdf_out *o, const char *utf8)
{
    const unsigned char *s = (const unsigned char *)utf8;
    size_t len = strlen(utf8);
    size_t i = 0;

    w_puts(o, "<FEFF");
    while (i < len) {
        uint32_t cp = utf8_next(s, len, &i);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            w_putf(o, "%04X%04X", (unsigned)(0xD800 + (cp >> 10)),
                   (unsigned)(0xDC00 + (cp & 0x3FF)));
        } else {
            w_putf(o, "%04X", (unsigned)cp);
        }
    }
    w_puts(o, ">");
}

/* A code point as the UTF-16BE hex digits of a ToUnicode destination. */
static void w_utf16_hex(struct pdf_out *o, uint32_t cp)
{
    if (cp >= 0x10000) {
        cp -= 0x10000;
        w_putf(o, "%04X%04X", (unsigned)(0xD800 + (cp >> 10)),
               (unsigned)(0xDC00 + (cp & 0x3FF)));
    } else {
        w_putf(o, "%04X", (unsigned)cp);
    }
}

/* Six capital letters naming the subset (PDF 9.6.4), from the glyphs in
 * it, so the same text gives the same name. */
static void subset_tag(const struct pdf_font *f, size_t index, char tag[7])
{
    uint32_t h = 2166136261u ^ (uint32_t)index;

    for (unsigned g = 0; g < f->n_glyphs; g++) {
        if (f->used[g]) {
            h = (h ^ (g & 0xff)) * 16777619u;
            h = (h ^ (g >> 8)) * 16777619u;
        }
    }
    for (size_t i = 0; i < 6; i++) {
        tag[i] = (char)('A' + h % 26);
        h /= 26;
    }
    tag[6] = '\0';
}

/* The ToUnicode CMap of a font: every glyph drawn to its code point. */
static int tounicode(const struct pdf_font *f, struct kk_buf *cmap)
{
    struct pdf_out o = {cmap, 0, KK_OK, NULL, 0};
    size_t n = 0;
    size_t left = 0;

    for (unsigned g = 0; g < f->n_glyphs; g++)
        n += f->used[g];
    w_puts(&o, "/CIDInit /ProcSet findresource begin\n"
               "12 dict begin\n"
               "begincmap\n"
               "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) "
               "/Supplement 0 >> def\n"
               "/CMapName /Adobe-Identity-UCS def\n"
               "/CMapType 2 def\n"
               "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    for (unsigned g = 0; g < f->n_glyphs; g++) {
        if (!f->used[g])
            continue;
        if (left == 0) {
            left = n < BFCHAR_MAX ? n : BFCHAR_MAX;
            w_putf(&o, "%zu beginbfchar\n", left);
        }
        w_putf(&o, "<%04X> <", g);
        w_utf16_hex(&o, g == 0 || f->uni[g] == 0 ? 0xFFFD : f->uni[g]);
        w_puts(&o, ">\n");
        n--;
        if (--left == 0)
            w_puts(&o, "endbfchar\n");
    }
    w_puts(&o, "endcmap\n"
               "CMapName currentdict /defineresource pop\n"
               "end\nend\n");
    return o.err;
}

/* The five objects of font f, numbered from obj. */
static void w_font(struct pdf_out *o, const struct pdf_font *f, size_t index,
                   size_t obj)
{
    struct hub_ttf_metrics m;
    struct kk_buf *sub = kk_buf_new(KK_HUB_PDF_MAX);
    struct kk_buf *cmap = kk_buf_new(KK_HUB_PDF_MAX);
    char tag[7];
    char name[80];
    unsigned flags;
    unsigned run = 0;
    double stem;

    if (sub == NULL || cmap == NULL) {
        o->err = KK_ERR_NOMEM;
        goto out;
    }
    if (o->err == KK_OK)
        o->err = hub_ttf_subset(f->ttf, f->used, f->n_glyphs, sub);
    if (o->err == KK_OK)
        o->err = tounicode(f, cmap);
    if (o->err != KK_OK)
        goto out;
    hub_ttf_metrics(f->ttf, &m);
    subset_tag(f, index, tag);
    /* a font without a PostScript name is named by its resource */
    if (m.name[0] != '\0')
        snprintf(name, sizeof name, "%s+%s", tag, m.name);
    else
        snprintf(name, sizeof name, "%s+F%zu", tag, index + 1);
    flags = 4 | (m.fixed_pitch ? 1u : 0u) | (m.italic_angle != 0 ? 64u : 0u);
    stem = 50 + (m.weight / 65.0) * (m.weight / 65.0);

    w_obj(o, obj);
    w_putf(o,
           "<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding "
           "/Identity-H\n/DescendantFonts [%zu 0 R] /ToUnicode %zu 0 R >>\n"
           "endobj\n",
           name, obj + 1, obj + 4);

    w_obj(o, obj + 1);
    w_putf(o,
           "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s\n"
           "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) "
           "/Supplement 0 >>\n/FontDescriptor %zu 0 R /CIDToGIDMap /Identity "
           "/DW %u\n/W [",
           name, obj + 2, glyph_w(f, 0));
    for (unsigned g = 0; g < f->n_glyphs; g++) {
        if (!f->used[g]) {
            if (run > 0)
                w_puts(o, "]\n");
            run = 0;
            continue;
        }
        if (run == 0)
            w_putf(o, "%u [", g);
        w_putf(o, run > 0 ? " %u" : "%u", glyph_w(f, (uint16_t)g));
        run++;
    }
    if (run > 0)
        w_puts(o, "]\n");
    w_puts(o, "] >>\nendobj\n");

    w_obj(o, obj + 2);
    w_putf(o,
           "<< /Type /FontDescriptor /FontName /%s /Flags %u\n"
           "/FontBBox [%ld %ld %ld %ld] /ItalicAngle %d /Ascent %ld "
           "/Descent %ld\n/CapHeight %ld /StemV %d /FontFile2 %zu 0 R >>\n"
           "endobj\n",
           name, flags, em1000(m.x_min, f->upem), em1000(m.y_min, f->upem),
           em1000(m.x_max, f->upem), em1000(m.y_max, f->upem), m.italic_angle,
           em1000(m.ascent, f->upem), em1000(m.descent, f->upem),
           em1000(m.cap_height, f->upem), (int)stem, obj + 3);

    {
        char dict[48];
        snprintf(dict, sizeof dict, " /Length1 %zu", kk_buf_len(sub));
        w_stream(o, obj + 3, dict, kk_buf_data(sub), kk_buf_len(sub));
    }
    w_stream(o, obj + 4, "", kk_buf_data(cmap), kk_buf_len(cmap));
out:
    kk_buf_free(sub);
    kk_buf_free(cmap);
}

/* Two 64-bit FNV-1a hashes of the document so far: its /ID. */
static void doc_id(const struct pdf_out *o, char hex[33])
{
    const uint8_t *s = kk_buf_data(o->b) + o->base;
    size_t n = kk_buf_len(o->b) - o->base;
    uint64_t h1 = 14695981039346656037u;
    uint64_t h2 = h1 ^ 0x4b616c6b616eu; /* "Kalkan" */

    for (size_t i = 0; i < n; i++) {
        h1 = (h1 ^ s[i]) * 1099511628211u;
        h2 = (h2 ^ s[i]) * 1099511628211u;
    }
    snprintf(hex, 33, "%016llX%016llX", (unsigned long long)h1,
             (unsigned long long)h2);
}

int hub_pdf_finish(struct hub_pdf *p, struct kk_buf *out)
{
    static const char *const info_keys[3] = {"/Title", "/Subject", "/Keywords"};
    /* "%" and four bytes above 127: tells transfer programs the file is
     * binary (PDF 7.5.2) */
    static const uint8_t binary[] = {'%', 0xe2, 0xe3, 0xcf, 0xd3, '\n'};
    struct pdf_out o;
    size_t font_obj[N_FONTS] = {0, 0};
    size_t next = 4;
    size_t page_obj;
    size_t xref;
    char id[33];
    int r;

    memset(&o, 0, sizeof o);
    if (p == NULL || out == NULL) {
        r = KK_ERR_INVAL;
        goto out;
    }
    need_page(p);
    r = p->err;
    if (r != KK_OK)
        goto out;
    for (size_t i = 0; i < N_FONTS; i++) {
        if (p->font[i].any) {
            font_obj[i] = next;
            next += 5;
        }
    }
    page_obj = next;
    o.n_obj = next + 2 * p->n_pages; /* objects 1..n_obj-1 */
    o.off = calloc(o.n_obj, sizeof *o.off);
    if (o.off == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    o.b = out;
    o.base = kk_buf_len(out);

    w_puts(&o, "%PDF-1.7\n");
    w_put(&o, binary, sizeof binary);
    w_obj(&o, 1);
    w_puts(&o, "<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    w_obj(&o, 2);
    w_puts(&o, "<< /Type /Pages /Kids [");
    for (size_t i = 0; i < p->n_pages; i++)
        w_putf(&o, "%s%zu 0 R", i > 0 ? " " : "", page_obj + 2 * i);
    w_putf(&o, "] /Count %zu >>\nendobj\n", p->n_pages);
    w_obj(&o, 3);
    w_puts(&o, "<< /Producer (Kalkan)");
    for (size_t i = 0; i < 3; i++) {
        if (p->info[i] == NULL)
            continue;
        w_putf(&o, "\n%s ", info_keys[i]);
        w_text16(&o, p->info[i]);
    }
    w_puts(&o, " >>\nendobj\n");
    for (size_t i = 0; i < N_FONTS; i++) {
        if (font_obj[i] != 0)
            w_font(&o, &p->font[i], i, font_obj[i]);
    }
    for (size_t i = 0; i < p->n_pages; i++) {
        size_t start = p->page_start[i];
        size_t end =
            i + 1 < p->n_pages ? p->page_start[i + 1] : kk_buf_len(p->content);

        w_obj(&o, page_obj + 2 * i);
        w_puts(&o, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]\n"
                   "/Resources << /Font <<");
        for (size_t k = 0; k < N_FONTS; k++) {
            if (font_obj[k] != 0)
                w_putf(&o, " /F%zu %zu 0 R", k + 1, font_obj[k]);
        }
        w_putf(&o, " >> >>\n/Contents %zu 0 R >>\nendobj\n",
               page_obj + 2 * i + 1);
        w_stream(&o, page_obj + 2 * i + 1, "", kk_buf_data(p->content) + start,
                 end - start);
    }
    if (o.err == KK_OK) {
        xref = kk_buf_len(out) - o.base;
        doc_id(&o, id);
        w_putf(&o, "xref\n0 %zu\n0000000000 65535 f \n", o.n_obj);
        for (size_t i = 1; i < o.n_obj; i++)
            w_putf(&o, "%010zu 00000 n \n", o.off[i]);
        w_putf(&o,
               "trailer\n<< /Size %zu /Root 1 0 R /Info 3 0 R /ID [<%s> <%s>] "
               ">>\nstartxref\n%zu\n%%%%EOF\n",
               o.n_obj, id, id, xref);
    }
    r = o.err;
    if (r == KK_OK && kk_buf_len(out) - o.base > KK_HUB_PDF_MAX)
        r = KK_ERR_LIMIT;
    if (r != KK_OK)
        kk_buf_truncate(out, o.base);
out:
    free(o.off);
    return r;
}
