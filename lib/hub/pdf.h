/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pdf.h - a small PDF writer for the hub's printable reports.
 *
 * A4 pages, text in any script the font covers (Latin and Cyrillic,
 * including Kyrgyz ң ө ү) through an embedded TrueType font, subset to the
 * glyphs used, with a ToUnicode map so the text can be searched and
 * copied; lines and filled rectangles in RGB colours: enough for headed
 * tables and bar charts.  There is no layout engine: the caller places
 * everything and measures text with hub_pdf_text_width to wrap it.
 *
 * Coordinates are points (1/72 inch) from the top-left corner of the page
 * (595 x 842); y is the text's baseline.  Errors are sticky: drawing calls
 * return nothing, and hub_pdf_finish returns the first error.
 */
#ifndef KALKAN_HUB_PDF_H
#define KALKAN_HUB_PDF_H

#include <stdbool.h>
#include <stdint.h>

#include "kalkan/kk.h"

#define HUB_PDF_WIDTH 595.0
#define HUB_PDF_HEIGHT 842.0

struct hub_pdf;

/* A new document; loads the regular and bold fonts (DejaVu Sans from
 * fonts-dejavu-core, or the directory in $KALKAN_FONT_DIR).  A missing or
 * unreadable font is KK_ERR_NOTFOUND / KK_ERR_CORRUPT with d saying which
 * file and what to install. */
KK_WUR int hub_pdf_new(struct hub_pdf **out, struct kk_diag *d);
void hub_pdf_free(struct hub_pdf *p);

/* Title, subject and keywords of the document information dictionary
 * (UTF-8; NULL leaves one out). */
void hub_pdf_info(struct hub_pdf *p, const char *title, const char *subject,
                  const char *keywords);
/* Starts a new page; drawing before the first call starts one. */
void hub_pdf_page(struct hub_pdf *p);
/* Fill and stroke colour, 0xRRGGBB. */
void hub_pdf_color(struct hub_pdf *p, uint32_t rgb);
/* UTF-8 text at (x, y) in size points; characters the font lacks are
 * drawn as its missing-glyph box, invalid UTF-8 as U+FFFD. */
void hub_pdf_text(struct hub_pdf *p, double x, double y, double size, bool bold,
                  const char *utf8);
/* The width in points text would take (the sum of the glyphs' /W widths,
 * 1/1000 em each); 0 for NULL text or a size outside (0, 1000]. */
double hub_pdf_text_width(struct hub_pdf *p, double size, bool bold,
                          const char *utf8);
void hub_pdf_rect(struct hub_pdf *p, double x, double y, double w, double h);
void hub_pdf_line(struct hub_pdf *p, double x1, double y1, double x2, double y2,
                  double width);
/* Writes the whole document to out (appended); p may then be freed. */
KK_WUR int hub_pdf_finish(struct hub_pdf *p, struct kk_buf *out);

/* --- the TrueType reader under it (exposed for its fuzz target) --- */

struct hub_ttf;
/* Parses a TrueType font held in data[0..len) (borrowed: must outlive
 * the font); KK_ERR_CORRUPT on anything malformed (d says what),
 * KK_ERR_UNSUPPORTED for CFF outlines or a collection, KK_ERR_LIMIT past
 * KK_HUB_FONT_MAX bytes; never reads out of bounds.  A parsed font is
 * immutable: any number of threads may read it at once. */
KK_WUR int hub_ttf_parse(const uint8_t *data, size_t len, struct hub_ttf **out,
                         struct kk_diag *d);
void hub_ttf_free(struct hub_ttf *f);
/* The glyph of a code point (0: missing) and its advance in font units. */
uint16_t hub_ttf_glyph(const struct hub_ttf *f, uint32_t cp);
unsigned hub_ttf_advance(const struct hub_ttf *f, uint16_t glyph);
unsigned hub_ttf_units_per_em(const struct hub_ttf *f);
/* A subset font holding only the glyphs marked used (and the components
 * of composite ones), glyph ids unchanged, appended to out; used[] has
 * n_glyphs entries (at most hub_ttf_num_glyphs).  KK_ERR_CORRUPT if
 * composite glyphs nest deeper than KK_HUB_TTF_DEPTH_MAX; out is left as
 * it was on any error. */
KK_WUR int hub_ttf_subset(const struct hub_ttf *f, const uint8_t *used,
                          size_t n_glyphs, struct kk_buf *out);

/* The number of glyphs (maxp), the length a used[] array needs. */
unsigned hub_ttf_num_glyphs(const struct hub_ttf *f);

/* What a PDF font descriptor needs, in font units. */
struct hub_ttf_metrics {
    char name[64]; /* PostScript name, [A-Za-z0-9._-] only; may be "" */
    int x_min, y_min, x_max, y_max; /* bounding box of all glyphs (head) */
    int ascent, descent;            /* hhea */
    int cap_height;                 /* OS/2 version >= 2, else the ascent */
    int italic_angle;               /* degrees, rounded (post; 0 without it) */
    unsigned weight;                /* OS/2 usWeightClass; 400 without OS/2 */
    bool fixed_pitch;               /* post */
};
/* Fills *m from the parsed font.  Thread-safe: the font is read only. */
void hub_ttf_metrics(const struct hub_ttf *f, struct hub_ttf_metrics *m);

#endif
