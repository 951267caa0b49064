/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * text.h - inside lib/site: the parser of the text files of lib/site/text/
 * (finding texts and interface strings), the state of the compiled-in
 * index, and the interface keys the renderer and the command use.
 *
 * The format (docs/site.md, "Texts"): UTF-8 lines; "# comment"; blank
 * lines; "[section]" where section is a finding id or an interface key
 * "ui.*"; "key = value" where key is title, detail or fix and value is one
 * line in which "\n" is a line break and "\\" a backslash.
 */
#ifndef KALKAN_SITE_TEXT_H
#define KALKAN_SITE_TEXT_H

#include <stddef.h>

#include "kalkan/kk.h"
#include "kalkan/site.h"

/*
 * Called once per "key = value" line with the section it belongs to, the
 * part the key names, the value with its escapes resolved, and the line
 * number (from 1).  The strings are borrowed for the call only.  A return
 * other than KK_OK stops the parse and is returned by site_text_parse.
 */
typedef int (*site_text_sink)(void *arg, const char *section,
                              enum site_text_part part, const char *value,
                              unsigned line);

/*
 * Parses len bytes of a text file strictly and hands every text to sink.
 * Returns KK_OK, KK_ERR_INVAL (d says "line N: what"), KK_ERR_LIMIT (the
 * file, a line or the number of texts is over its limit in limits.h), or
 * what sink returned.  Rejected: invalid UTF-8, control bytes, a key
 * outside a section or not one of title/detail/fix, an empty value, a key
 * given twice in a section, a section without keys, an unknown escape, a
 * malformed section name.  Reentrant; allocates nothing.
 */
int site_text_parse(const char *data, size_t len, site_text_sink sink,
                    void *arg, struct kk_diag *d);

/*
 * The language of an embedded file name "lib/site/text/<part>.<lang>.txt"
 * copied into lang (cap >= 4): KK_OK, or KK_ERR_INVAL when the name does
 * not have that shape.
 */
int site_text_file_lang(const char *name, char *lang, size_t cap);

/*
 * Builds the index of the compiled-in texts on the first call (any
 * thread) and reports whether every embedded file parsed cleanly and no
 * text was given twice: KK_OK, or KK_ERR_CORRUPT with d naming the file
 * and line of the first defect ("lib/site/text/ui.ru.txt:12: ..."), or
 * KK_ERR_NOMEM.  A defect never stops the rest from loading: lookups still
 * find every text that parsed.  For the unit test.
 */
int site_text_status(struct kk_diag *d);

/* Interface keys: the strings of the text report, `kalkan site` and its
 * progress line.  render.c owns the table; every key in it must have a
 * title in every language (the unit test checks). */
enum site_ui {
    SITE_UI_GRADE = 0,
    SITE_UI_SCORE,
    SITE_UI_NOT_CHECKED,
    SITE_UI_AREA_TLS,
    SITE_UI_AREA_HEADERS,
    SITE_UI_AREA_EXPOSURE,
    SITE_UI_AREA_MAIL,
    SITE_UI_AREA_DNS,
    SITE_UI_CAPPED,
    SITE_UI_FIX_FIRST,
    SITE_UI_SEV_CRITICAL,
    SITE_UI_SEV_HIGH,
    SITE_UI_SEV_MEDIUM,
    SITE_UI_SEV_LOW,
    SITE_UI_SEV_INFO,
    SITE_UI_EVIDENCE,
    SITE_UI_WHY,
    SITE_UI_HOW,
    SITE_UI_PASSED,
    SITE_UI_NOTHING_FOUND,
    SITE_UI_CERT_EXPIRES,
    SITE_UI_CHECKED_AT,
    SITE_UI_FAILED,
    SITE_UI_FAIL_DNS,
    SITE_UI_FAIL_UNREACHABLE,
    SITE_UI_FAIL_BLOCKED,
    SITE_UI_FAIL_TIMEOUT,
    SITE_UI_CHECKING,
    SITE_UI_STAGE_DNS,
    SITE_UI_STAGE_MAIL,
    SITE_UI_STAGE_TLS,
    SITE_UI_STAGE_HEADERS,
    SITE_UI_STAGE_EXPOSURE,
    SITE_UI_STAGE_SMTP,
    SITE_UI_COUNT,
};

/* The key of an interface string ("ui.grade"), or NULL past the end. */
const char *site_ui_key(enum site_ui k);
/* The interface string k in lang (English fallback); never NULL: the key
 * itself when even English lacks it.  Borrowed, immutable. */
const char *site_ui(enum site_ui k, const char *lang);

#endif
