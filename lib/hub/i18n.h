/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * i18n.h - the hub's languages: English, Russian and Kyrgyz.
 *
 * English text in the code is the message id; web/po/ru.po and
 * web/po/ky.po (GNU gettext PO format, compiled into the binary) give the
 * translations.  A missing or empty translation falls back to English, so
 * a page is never blank.  The control catalogue (web/catalogue/controls.txt)
 * carries its own three languages per control.
 */
#ifndef KALKAN_HUB_I18N_H
#define KALKAN_HUB_I18N_H

#include <stdbool.h>
#include <stddef.h>

#include "kalkan/kk.h"

enum hub_lang {
    HUB_LANG_EN = 0,
    HUB_LANG_RU = 1,
    HUB_LANG_KY = 2,
};
#define HUB_LANG_COUNT 3

/* "en", "ru", "ky"; NULL out of range. */
const char *hub_lang_code(int lang);
/* The language's own name: "English", "Русский", "Кыргызча". */
const char *hub_lang_native(int lang);
/* HUB_LANG_* for "en"/"ru"/"ky" (also "ru-RU", "ky-KG", case-insensitive),
 * -1 otherwise. */
int hub_lang_from_code(const char *code);
/* Best of the three for an Accept-Language header (RFC 9110 section
 * 12.5.4: q-values, "*", language ranges; "kir" and "kg" are not
 * Kyrgyz); English when the header is NULL, malformed, longer than 1024
 * bytes, or names none of them. */
int hub_lang_from_accept(const char *header);

/* The argument checks the text readers share: KK_ERR_INVAL (with d) when
 * out_ok is false or text is NULL with len > 0, KK_ERR_LIMIT past max. */
KK_WUR int hub_text_args(bool out_ok, const char *text, size_t len, size_t max,
                         struct kk_diag *d);

/* A cursor over text, past a UTF-8 byte-order mark if there is one. */
struct kk_span hub_text_span(const char *text, size_t len);

/* --- PO catalogues --- */

struct hub_po;

/* Parses a PO file: msgid/msgstr pairs with C-style escapes (\n \t \" \\),
 * strings continued over several "..." lines, comments, the header entry
 * (msgid "") skipped, entries flagged "#, fuzzy" skipped, msgctxt and
 * plural forms rejected as unsupported (KK_ERR_UNSUPPORTED).  Line numbers
 * in the diagnostic.  At most KK_HUB_PO_MAX bytes. */
KK_WUR int hub_po_parse(const char *text, size_t len, struct hub_po **out,
                        struct kk_diag *d);
void hub_po_free(struct hub_po *po);
/* The translation of msgid, or NULL.  O(log n).  Thread-safe. */
const char *hub_po_get(const struct hub_po *po, const char *msgid);
size_t hub_po_len(const struct hub_po *po);

/* Loads the compiled-in catalogues once (call before starting threads);
 * KK_ERR_CORRUPT with the file and line if one does not parse. */
KK_WUR int hub_i18n_init(struct kk_diag *d);
/* The translation of msgid into lang, or msgid itself.  Thread-safe after
 * hub_i18n_init. */
const char *hub_tr(int lang, const char *msgid);

/* --- the control catalogue --- */

enum hub_area {
    HUB_AREA_ACCOUNTS = 1,
    HUB_AREA_DEVICES,
    HUB_AREA_WEBSITE,
    HUB_AREA_PHYSICAL,
    HUB_AREA_ORGANISATION,
};

struct hub_control {
    const char *id;        /* "ACC-01" */
    int area;              /* enum hub_area */
    const char *area_name; /* "accounts", "devices", ... */
    const char *level;     /* "baseline" or "advanced" */
    const char *applies;   /* "person", "device", "account", "website",
                              "outlet" */
    const char *source;    /* who can verify: "manual", "2fa", "web",
                              "host", "guard", "scan", "hub" */
    int weight;            /* 1..5 */
    int stale_days;        /* an observation expires after this */
    const char *title[HUB_LANG_COUNT];
    const char *why[HUB_LANG_COUNT];
    const char *verify[HUB_LANG_COUNT];
    const char *fix[HUB_LANG_COUNT]; /* plain-language steps */
};

struct hub_catalogue;

/* Parses the catalogue format of web/catalogue/controls.txt (documented at
 * its top).  Every control must have every field in all three languages;
 * ids are unique; at most 200 controls. */
KK_WUR int hub_catalogue_parse(const char *text, size_t len,
                               struct hub_catalogue **out, struct kk_diag *d);
void hub_catalogue_free(struct hub_catalogue *c);
size_t hub_catalogue_len(const struct hub_catalogue *c);
const struct hub_control *hub_catalogue_at(const struct hub_catalogue *c,
                                           size_t i);
/* The control with this id, or NULL. */
const struct hub_control *hub_catalogue_find(const struct hub_catalogue *c,
                                             const char *id);
/* The compiled-in catalogue, loaded by hub_i18n_init; NULL before. */
const struct hub_catalogue *hub_catalogue_builtin(void);
/* Area wire name to enum (0 unknown) and English label. */
int hub_area_from_name(const char *s);
const char *hub_area_label(int area);

#endif
