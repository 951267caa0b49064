/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * parse.h - the hub's parsers of untrusted input: URL-encoded forms and
 * query strings, the Cookie header, JSON (RFC 8259) and CSV (RFC 4180).
 *
 * Every parser is bounded by the KK_HUB_* limits of limits.h, validates
 * UTF-8 and rejects NUL bytes, so values handed to handlers are always
 * NUL-terminated valid UTF-8 C strings.  Parsed objects are immutable and
 * may be read from any thread; each is freed with its _free (NULL is a
 * no-op).  Errors: KK_ERR_INVAL malformed, KK_ERR_LIMIT a limit reached,
 * KK_ERR_NOMEM; the diagnostic (when given) says what and where.
 */
#ifndef KALKAN_HUB_PARSE_H
#define KALKAN_HUB_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kalkan/kk.h"

/* True if s[0..len) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF)
 * and holds no NUL byte. */
bool hub_utf8_valid(const char *s, size_t len);

/* --- application/x-www-form-urlencoded (bodies and query strings) --- */

struct hub_form;

/* Parses "a=1&b=%20x+y".  '+' is a space; %XX must be two hex digits;
 * empty pairs ("a=1&&b=2") are skipped; a key without '=' has value "".
 * At most KK_HUB_FORM_FIELDS_MAX pairs, each decoded value at most
 * KK_HUB_FIELD_MAX bytes; decoded keys and values must be valid UTF-8
 * without NUL.  len 0 gives an empty form. */
KK_WUR int hub_form_parse(const char *data, size_t len, struct hub_form **out,
                          struct kk_diag *d);
void hub_form_free(struct hub_form *f);
/* First value of key, or NULL.  Borrowed from f. */
const char *hub_form_get(const struct hub_form *f, const char *key);
/* Number of values of key (a checkbox list may repeat it). */
size_t hub_form_count_of(const struct hub_form *f, const char *key);
/* The i-th value of key (0-based), or NULL. */
const char *hub_form_get_nth(const struct hub_form *f, const char *key,
                             size_t i);
size_t hub_form_len(const struct hub_form *f);
const char *hub_form_key(const struct hub_form *f, size_t i);
const char *hub_form_val(const struct hub_form *f, size_t i);

/* Percent-encodes s for a URL query value into b (unreserved characters
 * kept, everything else %XX). */
KK_WUR int hub_url_encode(struct kk_buf *b, const char *s);

/* --- Cookie header (RFC 6265 section 5.4 "cookie-string") --- */

/* Copies the value of the first cookie called name from the Cookie header
 * value into out (NUL-terminated).  KK_ERR_NOTFOUND if absent,
 * KK_ERR_TRUNC if it does not fit, KK_ERR_INVAL if the header is longer
 * than KK_HUB_COOKIE_MAX.  Cookie values are not decoded. */
KK_WUR int hub_cookie_get(const char *header, const char *name, char *out,
                          size_t cap);

/* --- JSON --- */

enum hub_json_type {
    HUB_JSON_NULL,
    HUB_JSON_FALSE,
    HUB_JSON_TRUE,
    HUB_JSON_NUMBER,
    HUB_JSON_STRING,
    HUB_JSON_ARRAY,
    HUB_JSON_OBJECT,
};

struct hub_json; /* a parsed document; owns every value in it */
struct hub_jv;   /* one value inside a document (borrowed) */

/* Strict RFC 8259: one value, optional whitespace around it, no trailing
 * commas, no comments, no leading zeros, no NaN/Infinity.  Strings: escapes
 * decoded (\uXXXX with surrogate pairs; lone surrogates and \u0000
 * rejected), raw control characters rejected.  Duplicate keys in an object
 * are rejected (two readers could disagree on which one wins).  Depth at
 * most KK_HUB_JSON_DEPTH_MAX, values at most KK_HUB_JSON_NODES_MAX. */
KK_WUR int hub_json_parse(const char *text, size_t len, struct hub_json **out,
                          struct kk_diag *d);
void hub_json_free(struct hub_json *j);
const struct hub_jv *hub_json_root(const struct hub_json *j);

/* Accessors are NULL-safe: a NULL value has type HUB_JSON_NULL and no
 * members, so chains like hub_jv_get(hub_jv_get(r, "a"), "b") never crash. */
enum hub_json_type hub_jv_type(const struct hub_jv *v);
/* Member key of an object, or NULL (absent, or v not an object). */
const struct hub_jv *hub_jv_get(const struct hub_jv *v, const char *key);
/* Members of an array or object; 0 for other types. */
size_t hub_jv_len(const struct hub_jv *v);
/* The i-th element of an array or value of an object, or NULL. */
const struct hub_jv *hub_jv_at(const struct hub_jv *v, size_t i);
/* The i-th key of an object, or NULL. */
const char *hub_jv_key_at(const struct hub_jv *v, size_t i);
/* The string, NUL-terminated valid UTF-8, or NULL if v is not a string. */
const char *hub_jv_str(const struct hub_jv *v);
/* An integer number (no fraction or exponent) within int64; KK_ERR_INVAL
 * if v is not one, KK_ERR_RANGE if it does not fit. */
KK_WUR int hub_jv_i64(const struct hub_jv *v, int64_t *out);
/* KK_ERR_INVAL unless v is true or false. */
KK_WUR int hub_jv_bool(const struct hub_jv *v, bool *out);

/* --- CSV --- */

struct hub_csv;

/* RFC 4180 with the usual tolerances: an optional UTF-8 BOM, LF or CRLF
 * line ends, a last line without a line end, quoted fields with "" for a
 * quote and line breaks inside.  Rejected with the line number in the
 * diagnostic: an unterminated quote, a quote inside an unquoted field,
 * text after a closing quote, NUL, invalid UTF-8.  Blank lines are
 * skipped.  At most KK_HUB_CSV_ROWS_MAX rows, KK_HUB_CSV_FIELDS_MAX fields
 * a row, KK_HUB_CSV_FIELD_MAX bytes a field. */
KK_WUR int hub_csv_parse(const char *data, size_t len, struct hub_csv **out,
                         struct kk_diag *d);
void hub_csv_free(struct hub_csv *c);
size_t hub_csv_rows(const struct hub_csv *c);
size_t hub_csv_fields(const struct hub_csv *c, size_t row);
/* Field col of row, or NULL past the end.  Borrowed from c. */
const char *hub_csv_field(const struct hub_csv *c, size_t row, size_t col);
/* The source line where row starts (1-based), for error messages. */
size_t hub_csv_line(const struct hub_csv *c, size_t row);

/* Writes one field for export: quoted when it holds a comma, quote, CR or
 * LF; a field starting with = + - @ TAB or CR gets a leading apostrophe
 * so spreadsheets do not run it as a formula (CSV injection).  first says
 * whether a comma must go before it. */
KK_WUR int hub_csv_put(struct kk_buf *b, const char *s, bool first);
/* Ends a row with CRLF. */
KK_WUR int hub_csv_end_row(struct kk_buf *b);

#endif
