/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * parse_csv.c - CSV import (RFC 4180 with the tolerances spreadsheets
 * need) and CSV export that spreadsheets cannot be tricked by.
 *
 * The importer is one byte-at-a-time state machine over the whole upload.
 * Decoded fields go back to back, NUL-terminated, into one growing text
 * block; fields and rows are indexes into it (offsets, not pointers, so
 * the block may move while it grows).  Three arrays that double as they
 * grow: a handful of allocations for the largest import.  Room for one
 * whole field is reserved before each field, so the inner loop writes
 * without a bounds check per byte beyond the field limit.
 *
 * Every error names the source line (for a quoted field spanning lines,
 * the line where it starts) so a newsroom admin can fix the file.  A
 * carriage return that does not end a line is refused outside quotes:
 * silently joining lines of a CR-only file would import garbage.
 *
 * The exporter quotes only what needs quoting and prefixes an apostrophe
 * to fields that a spreadsheet would run as a formula (CSV injection).
 */
#include "parse.h"

#include <stdlib.h>
#include <string.h>

struct csv_row {
    size_t first; /* index of its first field */
    size_t n;     /* fields */
    size_t line;  /* source line where it starts */
};

struct hub_csv {
    char *text;
    size_t text_len;
    size_t text_cap;
    size_t *fields; /* offsets into text */
    size_t nfields;
    size_t fields_cap;
    struct csv_row *rows;
    size_t nrows;
    size_t rows_cap;
};

/* Grows *p (of *cap elements of size elem) to hold at least need. */
static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    size_t ncap = *cap == 0 ? 64 : *cap;
    size_t bytes;
    void *n;
    int r = KK_OK;

    if (need <= *cap)
        goto out;
    while (ncap < need) {
        r = kk_size_mul(ncap, 2, &ncap);
        if (r != KK_OK)
            goto out;
    }
    r = kk_size_mul(ncap, elem, &bytes);
    if (r != KK_OK)
        goto out;
    n = realloc(*p, bytes);
    if (n == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    *p = n;
    *cap = ncap;
out:
    return r;
}

void hub_csv_free(struct hub_csv *c)
{
    if (c == NULL)
        return;
    free(c->text);
    free(c->fields);
    free(c->rows);
    free(c);
}

/* True if p[i] starts a line end (LF or CRLF). */
static bool at_eol(const char *p, size_t len, size_t i)
{
    return p[i] == '\n' || (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n');
}

struct csv_parser {
    const char *p;
    size_t len;
    size_t i;
    size_t line;
    struct hub_csv *c;
    struct kk_diag *d;
};

/*
 * Reads one field at cp->i into the text block and records it.  Stops on
 * the ',' or line end after it (not consumed) or the end of input.
 */
static int csv_field(struct csv_parser *cp)
{
    struct hub_csv *c = cp->c;
    const char *p = cp->p;
    size_t len = cp->len;
    size_t i = cp->i;
    size_t line = cp->line;
    size_t off = c->text_len;
    size_t o = off;
    size_t room;
    int r;

    r = kk_size_add(c->text_len, (size_t)KK_HUB_CSV_FIELD_MAX + 1, &room);
    if (r == KK_OK)
        r = grow((void **)&c->text, &c->text_cap, room, 1);
    if (r == KK_OK)
        r = grow((void **)&c->fields, &c->fields_cap, c->nfields + 1,
                 sizeof *c->fields);
    if (r != KK_OK)
        goto out;
    r = KK_ERR_INVAL;
    if (i < len && p[i] == '"') {
        for (i++;; i++) {
            if (i >= len) {
                kk_diag_set(cp->d, "line %zu: unterminated quote", cp->line);
                goto out;
            }
            if (p[i] == '"') {
                if (i + 1 < len && p[i + 1] == '"') {
                    i++;
                } else {
                    i++;
                    break;
                }
            } else if (p[i] == '\n') {
                line++;
            }
            if (p[i] == '\0') {
                kk_diag_set(cp->d, "line %zu: NUL byte", line);
                goto out;
            }
            if (o - off == KK_HUB_CSV_FIELD_MAX) {
                kk_diag_set(cp->d, "line %zu: field longer than %d bytes",
                            cp->line, KK_HUB_CSV_FIELD_MAX);
                r = KK_ERR_LIMIT;
                goto out;
            }
            c->text[o++] = p[i];
        }
        if (i < len && p[i] != ',' && !at_eol(p, len, i)) {
            kk_diag_set(cp->d, "line %zu: text after a closing quote", line);
            goto out;
        }
    } else {
        for (; i < len && p[i] != ',' && p[i] != '\n' && p[i] != '\r'; i++) {
            if (p[i] == '"') {
                kk_diag_set(cp->d, "line %zu: quote inside an unquoted field",
                            line);
                goto out;
            }
            if (p[i] == '\0') {
                kk_diag_set(cp->d, "line %zu: NUL byte", line);
                goto out;
            }
            if (o - off == KK_HUB_CSV_FIELD_MAX) {
                kk_diag_set(cp->d, "line %zu: field longer than %d bytes", line,
                            KK_HUB_CSV_FIELD_MAX);
                r = KK_ERR_LIMIT;
                goto out;
            }
            c->text[o++] = p[i];
        }
        if (i < len && p[i] == '\r' && !at_eol(p, len, i)) {
            kk_diag_set(cp->d, "line %zu: carriage return without line feed",
                        line);
            goto out;
        }
    }
    if (!hub_utf8_valid(c->text + off, o - off)) {
        kk_diag_set(cp->d, "line %zu: invalid UTF-8", cp->line);
        goto out;
    }
    c->text[o++] = '\0';
    c->text_len = o;
    c->fields[c->nfields++] = off;
    cp->i = i;
    cp->line = line;
    r = KK_OK;
out:
    return r;
}

/* Reads the row at cp->i up to and including its line end. */
static int csv_row(struct csv_parser *cp)
{
    struct hub_csv *c = cp->c;
    struct csv_row row = {c->nfields, 0, cp->line};
    int r;

    if (c->nrows == KK_HUB_CSV_ROWS_MAX) {
        kk_diag_set(cp->d, "line %zu: more than %d rows", cp->line,
                    KK_HUB_CSV_ROWS_MAX);
        r = KK_ERR_LIMIT;
        goto out;
    }
    r = grow((void **)&c->rows, &c->rows_cap, c->nrows + 1, sizeof *c->rows);
    if (r != KK_OK)
        goto out;
    for (;;) {
        if (row.n == KK_HUB_CSV_FIELDS_MAX) {
            kk_diag_set(cp->d, "line %zu: more than %d fields", cp->line,
                        KK_HUB_CSV_FIELDS_MAX);
            r = KK_ERR_LIMIT;
            goto out;
        }
        r = csv_field(cp);
        if (r != KK_OK)
            goto out;
        row.n++;
        if (cp->i < cp->len && cp->p[cp->i] == ',') {
            cp->i++;
            continue;
        }
        break;
    }
    /* At a line end or the end of input. */
    if (cp->i < cp->len) {
        cp->i += cp->p[cp->i] == '\r' ? 2 : 1;
        cp->line++;
    }
    c->rows[c->nrows++] = row;
out:
    return r;
}

int hub_csv_parse(const char *data, size_t len, struct hub_csv **out,
                  struct kk_diag *d)
{
    struct csv_parser cp = {data, len, 0, 1, NULL, d};
    int r = KK_ERR_INVAL;

    if (out == NULL || (data == NULL && len > 0)) {
        kk_diag_set(d, "no CSV to parse");
        goto out;
    }
    r = KK_ERR_NOMEM;
    cp.c = calloc(1, sizeof *cp.c);
    if (cp.c == NULL)
        goto out;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        cp.i = 3;
    r = KK_OK;
    while (r == KK_OK && cp.i < len) {
        if (at_eol(data, len, cp.i)) {
            /* A blank line. */
            cp.i += data[cp.i] == '\r' ? 2 : 1;
            cp.line++;
            continue;
        }
        r = csv_row(&cp);
    }
    if (r != KK_OK)
        goto out;
    *out = cp.c;
    cp.c = NULL;
out:
    hub_csv_free(cp.c);
    return r;
}

size_t hub_csv_rows(const struct hub_csv *c)
{
    return c != NULL ? c->nrows : 0;
}

size_t hub_csv_fields(const struct hub_csv *c, size_t row)
{
    return c != NULL && row < c->nrows ? c->rows[row].n : 0;
}

const char *hub_csv_field(const struct hub_csv *c, size_t row, size_t col)
{
    if (col >= hub_csv_fields(c, row))
        return NULL;
    return c->text + c->fields[c->rows[row].first + col];
}

size_t hub_csv_line(const struct hub_csv *c, size_t row)
{
    return c != NULL && row < c->nrows ? c->rows[row].line : 0;
}

/* ---- Export ---- */

int hub_csv_put(struct kk_buf *b, const char *s, bool first)
{
    size_t start;
    bool quote;
    int r = KK_ERR_INVAL;

    if (b == NULL || s == NULL)
        goto out;
    start = kk_buf_len(b);
    quote = strpbrk(s, ",\"\r\n") != NULL;
    r = first ? KK_OK : kk_buf_putc(b, ',');
    if (r == KK_OK && quote)
        r = kk_buf_putc(b, '"');
    if (r == KK_OK && s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL)
        r = kk_buf_putc(b, '\'');
    while (r == KK_OK && *s != '\0') {
        size_t n = strcspn(s, "\"");
        r = kk_buf_put(b, s, n);
        s += n;
        if (r == KK_OK && *s == '"') {
            r = kk_buf_put(b, "\"\"", 2);
            s++;
        }
    }
    if (r == KK_OK && quote)
        r = kk_buf_putc(b, '"');
    if (r != KK_OK)
        kk_buf_truncate(b, start);
out:
    return r;
}

int hub_csv_end_row(struct kk_buf *b)
{
    return b != NULL ? kk_buf_put(b, "\r\n", 2) : KK_ERR_INVAL;
}
