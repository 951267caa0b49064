/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_csv.c - fuzz target of the CSV importer and exporter.  Every
 * parsed file is walked in full, exported with hub_csv_put and imported
 * again: the second import must give the same rows and fields, except
 * for the apostrophe the exporter puts before formula-like fields.
 */
#include <stdint.h>
#include <string.h>

#include "kalkan/kk.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool is_formula(const char *s)
{
    return s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

/* A row that is one empty field exports as a blank line, which import
 * skips; the round trip leaves such rows out. */
static bool exportable(const struct hub_csv *c, size_t r)
{
    return hub_csv_fields(c, r) != 1 || hub_csv_field(c, r, 0)[0] != '\0';
}

/* What the exporter writes for s, read back: a field already at the size
 * limit cannot take the apostrophe, so the harness writes "x" instead. */
static const char *export_of(const char *s)
{
    return is_formula(s) && strlen(s) == KK_HUB_CSV_FIELD_MAX ? "x" : s;
}

static void round_trip(const struct hub_csv *c, size_t size)
{
    struct hub_csv *c2 = NULL;
    struct kk_buf *b;
    size_t cap = 2 * size + 16;
    size_t r2 = 1;

    for (size_t r = 0; r < hub_csv_rows(c); r++)
        cap += 4 * hub_csv_fields(c, r) + 2;
    b = kk_buf_new(cap);
    if (b == NULL)
        return;
    /* A first row, so no exported field can start the file with a BOM. */
    if (hub_csv_put(b, "h", true) != KK_OK || hub_csv_end_row(b) != KK_OK)
        __builtin_trap();
    for (size_t r = 0; r < hub_csv_rows(c); r++) {
        if (!exportable(c, r))
            continue;
        for (size_t k = 0; k < hub_csv_fields(c, r); k++) {
            if (hub_csv_put(b, export_of(hub_csv_field(c, r, k)), k == 0) !=
                KK_OK)
                __builtin_trap();
        }
        if (hub_csv_end_row(b) != KK_OK)
            __builtin_trap();
    }
    if (hub_csv_parse(kk_buf_str(b), kk_buf_len(b), &c2, NULL) != KK_OK)
        __builtin_trap();
    for (size_t r = 0; r < hub_csv_rows(c); r++) {
        if (!exportable(c, r))
            continue;
        if (hub_csv_fields(c2, r2) != hub_csv_fields(c, r))
            __builtin_trap();
        for (size_t k = 0; k < hub_csv_fields(c, r); k++) {
            const char *want = export_of(hub_csv_field(c, r, k));
            const char *got = hub_csv_field(c2, r2, k);
            if (is_formula(want)) {
                if (got[0] != '\'')
                    __builtin_trap();
                got++;
            }
            if (strcmp(want, got) != 0)
                __builtin_trap();
        }
        r2++;
    }
    if (hub_csv_rows(c2) != r2)
        __builtin_trap();
    hub_csv_free(c2);
    kk_buf_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hub_csv *c = NULL;
    struct kk_diag d;
    size_t last = 0;

    if (size > KK_HUB_UPLOAD_MAX)
        return 0;
    d.msg[0] = '\0';
    if (hub_csv_parse((const char *)data, size, &c, &d) != KK_OK) {
        if (c != NULL || strncmp(d.msg, "line ", 5) != 0)
            __builtin_trap();
        return 0;
    }
    if (hub_csv_rows(c) > KK_HUB_CSV_ROWS_MAX)
        __builtin_trap();
    for (size_t r = 0; r < hub_csv_rows(c); r++) {
        size_t n = hub_csv_fields(c, r);
        if (n == 0 || n > KK_HUB_CSV_FIELDS_MAX || hub_csv_line(c, r) <= last)
            __builtin_trap();
        last = hub_csv_line(c, r);
        for (size_t k = 0; k < n; k++) {
            const char *s = hub_csv_field(c, r, k);
            if (s == NULL || strlen(s) > KK_HUB_CSV_FIELD_MAX ||
                !hub_utf8_valid(s, strlen(s)))
                __builtin_trap();
        }
        if (hub_csv_field(c, r, n) != NULL)
            __builtin_trap();
    }
    round_trip(c, size);
    hub_csv_free(c);
    return 0;
}
