/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_pdf.c - unit tests of the PDF writer and its TrueType reader.
 *
 * The writer's output is judged by programs that did not write it: qpdf
 * --check (structure, xref, streams), pdftotext (the text comes back
 * exactly, through the ToUnicode maps), pdffonts (embedded, subset,
 * Unicode), pdfinfo (the UTF-16 title) and pdftoppm (a rectangle lands
 * where the top-left coordinates say, in its colour).  They come with
 * poppler-utils and qpdf (scripts/install-deps) and are run with
 * posix_spawnp and a fixed argv.  The fonts are read by a small reader
 * written here (table directory, loca, hmtx, composite components), so
 * widths, checksums and the emptied glyphs of a subset are checked
 * against the font file, not against the code under test.
 *
 * The TrueType cases come from tests/fuzz/corpus/ttf/, written by
 * tests/data/hub/make-ttf-corpus.py: small fonts cut from DejaVu Sans,
 * some valid and some broken in one way each.
 */
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "hub_test.h"
#include "kalkan/kk.h"
#include "pdf.h"

extern char **environ;

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define CORPUS KK_TEST_DATA "/../fuzz/corpus/ttf"
#define DEFAULT_FONT_DIR "/usr/share/fonts/truetype/dejavu"

static const char *const three_languages[] = {
    "Security report for the newsroom, November 2026",
    "Отчёт о цифровой безопасности редакции",
    "Кыргызча: ң ө ү Ң Ө Ү",
    "Ёлка, щётка, «кавычки» — тире; 42 % done.",
};

/* ---- Files and programs ---- */

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n) {
            buf[n] = 0;
            *len = (size_t)n;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

static void write_all(const char *path, const void *p, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Runs argv with stdout and stderr into out_path; its exit status, or -1. */
static int run(const char *const argv[], const char *out_path)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int st = 0;
    int r;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_path,
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    r = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (r != 0)
        return -1;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

static const char *font_dir(void)
{
    const char *d = getenv("KALKAN_FONT_DIR");

    return d != NULL && d[0] != '\0' ? d : DEFAULT_FONT_DIR;
}

static uint8_t *read_font(const char *file, size_t *len)
{
    char path[512];
    uint8_t *p;

    snprintf(path, sizeof path, "%s/%s", font_dir(), file);
    p = read_all(path, len);
    assert_non_null(p);
    return p;
}

/* A document's bytes, written into dir as name; the path into path. */
static void save(const char *dir, const char *name, const struct kk_buf *b,
                 char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", dir, name);
    write_all(path, kk_buf_data(b), kk_buf_len(b));
}

/* Runs a tool on a file and returns what it printed (caller frees). */
static char *tool(const char *dir, const char *const argv[], int *status)
{
    char out[512];
    size_t len = 0;
    char *text;

    snprintf(out, sizeof out, "%s/tool.out", dir);
    *status = run(argv, out);
    text = (char *)read_all(out, &len);
    assert_non_null(text);
    return text;
}

static void assert_qpdf_clean(const char *dir, const char *pdf)
{
    const char *argv[] = {"qpdf", "--check", pdf, NULL};
    int st;
    char *out = tool(dir, argv, &st);

    if (st != 0 || strstr(out, "WARNING") != NULL ||
        strstr(out, "No syntax or stream encoding errors found") == NULL)
        fail_msg("qpdf --check (exit %d):\n%s", st, out);
    free(out);
}

/* pdftotext -layout of the whole document (caller frees). */
static char *pdftotext(const char *dir, const char *pdf)
{
    char txt[512];
    char log[512];
    size_t len = 0;
    char *text;
    int st;

    snprintf(txt, sizeof txt, "%s/out.txt", dir);
    snprintf(log, sizeof log, "%s/pdftotext.log", dir);
    {
        const char *argv[] = {"pdftotext", "-layout", "-enc", "UTF-8",
                              pdf,         txt,       NULL};
        st = run(argv, log);
    }
    assert_int_equal(st, 0);
    text = (char *)read_all(txt, &len);
    assert_non_null(text);
    return text;
}

/* ---- An independent reader of the font files ---- */

static unsigned rd16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

/* The table tag of font f, or NULL; its length into *len. */
static const uint8_t *table(const uint8_t *f, size_t flen, const char *tag,
                            size_t *len)
{
    unsigned n = rd16(f + 4);

    for (unsigned i = 0; i < n; i++) {
        const uint8_t *rec = f + 12 + 16 * i;
        if (memcmp(rec, tag, 4) == 0) {
            size_t off = rd32(rec + 8);
            *len = rd32(rec + 12);
            assert_true(off + *len <= flen);
            return f + off;
        }
    }
    return NULL;
}

static unsigned n_glyphs(const uint8_t *f, size_t flen)
{
    size_t len;

    return rd16(table(f, flen, "maxp", &len) + 4);
}

/* Glyph g's bytes in font f and their length. */
static const uint8_t *glyph(const uint8_t *f, size_t flen, unsigned g,
                            size_t *glen)
{
    size_t hl;
    size_t ll;
    size_t gl;
    const uint8_t *head = table(f, flen, "head", &hl);
    const uint8_t *loca = table(f, flen, "loca", &ll);
    const uint8_t *glyf = table(f, flen, "glyf", &gl);
    size_t a;
    size_t b;

    if (rd16(head + 50) == 1) {
        a = rd32(loca + 4 * g);
        b = rd32(loca + 4 * g + 4);
    } else {
        a = 2 * (size_t)rd16(loca + 2 * g);
        b = 2 * (size_t)rd16(loca + 2 * g + 2);
    }
    assert_true(a <= b && b <= gl);
    *glen = b - a;
    return glyf + a;
}

static unsigned raw_advance(const uint8_t *f, size_t flen, unsigned g)
{
    size_t len;
    const uint8_t *hhea = table(f, flen, "hhea", &len);
    const uint8_t *hmtx = table(f, flen, "hmtx", &len);
    unsigned nh = rd16(hhea + 34);

    return rd16(hmtx + 4 * (g < nh ? g : nh - 1));
}

/* Marks g and the components of composite glyphs, recursively. */
static void mark(const uint8_t *f, size_t flen, uint8_t *keep, unsigned g)
{
    size_t len;
    const uint8_t *p = glyph(f, flen, g, &len);
    size_t pos = 10;
    unsigned flags;

    if (keep[g])
        return;
    keep[g] = 1;
    if (len == 0 || (int16_t)rd16(p) >= 0)
        return;
    do {
        flags = rd16(p + pos);
        mark(f, flen, keep, rd16(p + pos + 2));
        pos += 4 + ((flags & 1) ? 4 : 2) +
               ((flags & 8)      ? 2
                : (flags & 0x40) ? 4
                : (flags & 0x80) ? 8
                                 : 0);
    } while (flags & 0x20);
}

static uint32_t sum32(const uint8_t *p, size_t len)
{
    uint32_t s = 0;

    for (size_t i = 0; i < len; i += 4)
        s += rd32(p + i);
    return s;
}

/* Checks what the font format asks of a file: 4-byte aligned tables,
 * right checksums, the whole-font checksum. */
static void assert_checksums(const uint8_t *f, size_t flen)
{
    unsigned n = rd16(f + 4);

    assert_int_equal(flen % 4, 0);
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *rec = f + 12 + 16 * i;
        size_t off = rd32(rec + 8);
        size_t len = rd32(rec + 12);
        uint32_t s;

        assert_int_equal(off % 4, 0);
        assert_true(off + ((len + 3) & ~(size_t)3) <= flen);
        s = sum32(f + off, (len + 3) & ~(size_t)3);
        if (memcmp(rec, "head", 4) == 0)
            s -= rd32(f + off + 8);
        assert_int_equal(s, rd32(rec + 4));
        if (i > 0)
            assert_true(memcmp(rec - 16, rec, 4) < 0); /* sorted */
    }
    assert_int_equal(sum32(f, flen), 0xB1B0AFBAu);
}

/* Decodes UTF-8 (valid input only) into code points; their count. */
static size_t code_points(const char *s, uint32_t *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;

    while (*p != 0 && n < cap) {
        uint32_t c = *p++;
        int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
        if (more > 0)
            c &= 0x3fu >> more;
        while (more-- > 0)
            c = c << 6 | (*p++ & 0x3fu);
        out[n++] = c;
    }
    return n;
}

/* ---- Documents ---- */

static struct hub_pdf *new_pdf(void)
{
    struct hub_pdf *p = NULL;
    struct kk_diag d;

    kk_diag_clear(&d);
    if (hub_pdf_new(&p, &d) != KK_OK)
        fail_msg("hub_pdf_new: %s", d.msg);
    return p;
}

static struct kk_buf *finish(struct hub_pdf *p)
{
    struct kk_buf *b = kk_buf_new(KK_HUB_PDF_MAX);

    assert_non_null(b);
    assert_int_equal(hub_pdf_finish(p, b), KK_OK);
    hub_pdf_free(p);
    return b;
}

static bool contains(const struct kk_buf *b, const char *s)
{
    return memmem(kk_buf_data(b), kk_buf_len(b), s, strlen(s)) != NULL;
}

static void three_languages_page(struct hub_pdf *p)
{
    for (size_t i = 0; i < LEN(three_languages); i++)
        hub_pdf_text(p, 50, 60 + 20 * (double)i, 12, i == 2,
                     three_languages[i]);
    hub_pdf_color(p, 0x3366cc);
    hub_pdf_rect(p, 50, 160, 200, 20);
    hub_pdf_line(p, 50, 200, 545, 200, 0.5);
}

static void text_in_three_languages_comes_back_exactly(void **state)
{
    char dir[256];
    char db[300];
    char pdf[512];
    struct hub_pdf *p = new_pdf();
    struct kk_buf *b;
    struct kk_buf *want = kk_buf_new(4096);
    char *text;

    (void)state;
    assert_true(hub_test_dir("pdf", dir, sizeof dir, db, sizeof db));
    hub_pdf_info(p, "Report", NULL, NULL);
    three_languages_page(p);
    b = finish(p);
    save(dir, "three.pdf", b, pdf, sizeof pdf);
    assert_qpdf_clean(dir, pdf);
    text = pdftotext(dir, pdf);
    for (size_t i = 0; i < LEN(three_languages); i++)
        assert_int_equal(kk_buf_putf(want, "%s\n", three_languages[i]), KK_OK);
    assert_int_equal(kk_buf_puts(want, "\f"), KK_OK);
    assert_string_equal(text, kk_buf_str(want));
    free(text);
    {
        const char *argv[] = {"pdffonts", pdf, NULL};
        int st;
        char *out = tool(dir, argv, &st);
        size_t fonts = 0;
        assert_int_equal(st, 0);
        /* name, type, encoding, then embedded, subset, Unicode map */
        for (char *l = out; *l != 0; l++) {
            char *end = strchr(l, '\n');
            if (end == NULL)
                break;
            *end = 0;
            if (strstr(l, "CID TrueType") != NULL) {
                assert_non_null(strstr(l, "Identity-H       yes yes yes"));
                fonts++;
            }
            *end = '\n';
            l = end;
        }
        assert_int_equal(fonts, 2);
        assert_non_null(strstr(out, "+DejaVuSans "));
        assert_non_null(strstr(out, "+DejaVuSans-Bold "));
        free(out);
    }
    kk_buf_free(want);
    kk_buf_free(b);
    hub_test_dir_remove(dir);
}

static void a_cyrillic_title_survives_as_utf16(void **state)
{
    static const char title[] = "Отчёт: Кыргызча ң ө ү";
    char dir[256];
    char db[300];
    char pdf[512];
    struct hub_pdf *p = new_pdf();
    struct kk_buf *b;
    const char *argv[] = {"pdfinfo", "-enc", "UTF-8", pdf, NULL};
    char *out;
    char line[256];
    int st;

    (void)state;
    assert_true(hub_test_dir("pdf", dir, sizeof dir, db, sizeof db));
    hub_pdf_info(p, title, "Donor report", "security, Кыргызстан");
    hub_pdf_text(p, 50, 60, 12, false, "x");
    b = finish(p);
    /* the string is UTF-16BE hex with a byte-order mark */
    assert_true(contains(b, "/Title <FEFF041E0442044704510442003A"));
    save(dir, "title.pdf", b, pdf, sizeof pdf);
    assert_qpdf_clean(dir, pdf);
    out = tool(dir, argv, &st);
    assert_int_equal(st, 0);
    snprintf(line, sizeof line, "Title:           %s\n", title);
    assert_non_null(strstr(out, line));
    assert_non_null(strstr(out, "Subject:         Donor report\n"));
    assert_non_null(strstr(out, "Keywords:        security, Кыргызстан\n"));
    assert_non_null(strstr(out, "Pages:           1\n"));
    free(out);
    kk_buf_free(b);
    hub_test_dir_remove(dir);
}

static void a_long_title_is_cut_on_a_character_boundary(void **state)
{
    /* "x" then two-byte letters: byte 1024 is the middle of a letter */
    char title[KK_HUB_PDF_INFO_MAX + 64];
    struct hub_pdf *p = new_pdf();
    struct kk_buf *b;
    struct kk_buf *want = kk_buf_new(8192);
    size_t n = 0;

    (void)state;
    title[n++] = 'x';
    while (n + 2 < sizeof title) {
        memcpy(title + n, "Ж", 2);
        n += 2;
    }
    title[n] = 0;
    hub_pdf_info(p, title, NULL, NULL);
    b = finish(p);
    /* x, then (1024 - 1) / 2 = 511 whole letters */
    assert_int_equal(kk_buf_puts(want, "/Title <FEFF0078"), KK_OK);
    for (size_t i = 0; i < (KK_HUB_PDF_INFO_MAX - 1) / 2; i++)
        assert_int_equal(kk_buf_puts(want, "0416"), KK_OK);
    assert_int_equal(kk_buf_puts(want, "> >>"), KK_OK);
    assert_true(contains(b, kk_buf_str(want)));
    kk_buf_free(want);
    kk_buf_free(b);
}

static void
bad_utf8_and_missing_characters_come_back_as_replacements(void **state)
{
    char dir[256];
    char db[300];
    char pdf[512];
    struct hub_pdf *p = new_pdf();
    struct kk_buf *b;
    size_t len;
    uint8_t *font = read_font("DejaVuSans.ttf", &len);
    struct hub_ttf *f = NULL;
    char *text;

    (void)state;
    assert_int_equal(hub_ttf_parse(font, len, &f, NULL), KK_OK);
    assert_int_equal(hub_ttf_glyph(f, 0x4E2D), 0); /* no CJK in DejaVu */
    hub_ttf_free(f);
    assert_true(hub_test_dir("pdf", dir, sizeof dir, db, sizeof db));
    /* a stray byte, a cut sequence, an overlong form, a surrogate */
    hub_pdf_text(p, 50, 60, 12, false,
                 "a\xff"
                 "b \xd0 c \xc0\xaf d \xed\xa0\x80");
    hub_pdf_text(p, 50, 80, 12, false, "中 missing");
    b = finish(p);
    save(dir, "bad.pdf", b, pdf, sizeof pdf);
    assert_qpdf_clean(dir, pdf);
    text = pdftotext(dir, pdf);
    assert_string_equal(text, "a\xef\xbf\xbd"
                              "b \xef\xbf\xbd c \xef\xbf\xbd\xef\xbf\xbd d "
                              "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\n"
                              "\xef\xbf\xbd missing\n\f");
    free(text);
    free(font);
    kk_buf_free(b);
    hub_test_dir_remove(dir);
}

static void a_rectangle_lands_where_its_top_left_corner_says(void **state)
{
    char dir[256];
    char db[300];
    char pdf[512];
    char root[512];
    char ppm[600];
    char log[512];
    struct hub_pdf *p = new_pdf();
    struct kk_buf *b;
    uint8_t *img;
    size_t len = 0;
    unsigned w;
    unsigned h;
    int hdr = 0;

    (void)state;
    assert_true(hub_test_dir("pdf", dir, sizeof dir, db, sizeof db));
    three_languages_page(p);
    hub_pdf_page(p); /* the colour carries over to the next page */
    hub_pdf_rect(p, 100, 300, 50, 40);
    b = finish(p);
    /* y is flipped: 842 - 160 - 20 = 662, 842 - 200 = 642 */
    assert_true(contains(b, "0.2 0.4 0.8 rg 0.2 0.4 0.8 RG\n"));
    assert_true(contains(b, "50 662 200 20 re f\n"));
    assert_true(contains(b, "0.5 w 50 642 m 545 642 l S\n"));
    assert_true(contains(b, "stream\n0.2 0.4 0.8 rg 0.2 0.4 0.8 RG\n100 502 "
                            "50 40 re f\n"));
    save(dir, "rect.pdf", b, pdf, sizeof pdf);
    assert_qpdf_clean(dir, pdf);
    snprintf(root, sizeof root, "%s/page", dir);
    snprintf(log, sizeof log, "%s/pdftoppm.log", dir);
    {
        const char *argv[] = {"pdftoppm", "-r",          "72", "-f", "2", "-l",
                              "2",        "-singlefile", pdf,  root, NULL};
        assert_int_equal(run(argv, log), 0);
    }
    snprintf(ppm, sizeof ppm, "%s.ppm", root);
    img = read_all(ppm, &len);
    assert_non_null(img);
    assert_int_equal(sscanf((char *)img, "P6 %u %u 255%n", &w, &h, &hdr), 2);
    assert_int_equal(w, 595);
    assert_int_equal(h, 842);
    hdr++; /* the one whitespace byte after 255 */
    /* inside: (125, 320); outside: above, below, left, right */
    {
        static const unsigned pts[][3] = {
            {125, 320, 1}, {101, 301, 1}, {148, 338, 1}, {125, 297, 0},
            {125, 343, 0}, {97, 320, 0},  {153, 320, 0}};
        for (size_t i = 0; i < LEN(pts); i++) {
            const uint8_t *px = img + hdr + 3 * (pts[i][1] * w + pts[i][0]);
            if (pts[i][2]) {
                assert_int_equal(px[0], 0x33);
                assert_int_equal(px[1], 0x66);
                assert_int_equal(px[2], 0xcc);
            } else {
                assert_int_equal(px[0] + px[1] + px[2], 3 * 255);
            }
        }
    }
    free(img);
    kk_buf_free(b);
    hub_test_dir_remove(dir);
}

/* The lines of a page of report text, in three languages. */
static const char *const page_lines[] = {
    "Digital security assessment: summary of findings and next steps",
    "Оценка цифровой безопасности: итоги проверки и следующие шаги",
    "Санариптик коопсуздукту баалоо: жыйынтыктар жана кийинки кадамдар",
    "Accounts with two-factor authentication: 14 of 17 (82 %)",
    "Учётные записи с двухфакторной аутентификацией: 14 из 17",
    "Эки факторлуу аутентификациясы бар эсептер: 17ден 14ү",
    "Devices with full-disk encryption, updates and a screen lock",
    "Устройства с шифрованием диска, обновлениями и блокировкой",
    "Өзгөчө кырдаалда байланыш тизмеси жаңыланды; үйрөнүү уланууда.",
    "Incidents this quarter: phishing 3, account takeover 1, device loss 0",
    "0123456789 ,.;:!?()[]/-+%&@#*'\"",
};

/* The glyphs the page uses, marked in used[]. */
static void mark_page(const struct hub_ttf *f, uint8_t *used)
{
    uint32_t cps[256];

    for (size_t i = 0; i < LEN(page_lines); i++) {
        size_t n = code_points(page_lines[i], cps, LEN(cps));
        for (size_t k = 0; k < n; k++)
            used[hub_ttf_glyph(f, cps[k])] = 1;
    }
}

static void a_page_of_text_needs_a_small_valid_subset(void **state)
{
    size_t len;
    uint8_t *font = read_font("DejaVuSans.ttf", &len);
    struct hub_ttf *f = NULL;
    struct hub_ttf *s = NULL;
    struct kk_buf *b = kk_buf_new(KK_HUB_FONT_MAX);
    uint8_t *used;
    uint8_t *keep;
    unsigned n;
    const uint8_t *sub;
    size_t sublen;
    uint32_t cps[256];

    (void)state;
    assert_int_equal(hub_ttf_parse(font, len, &f, NULL), KK_OK);
    n = hub_ttf_num_glyphs(f);
    assert_int_equal(n, n_glyphs(font, len));
    used = calloc(n, 1);
    keep = calloc(n, 1);
    assert_non_null(used);
    assert_non_null(keep);
    mark_page(f, used);
    assert_int_equal(hub_ttf_subset(f, used, n, b), KK_OK);
    sub = kk_buf_data(b);
    sublen = kk_buf_len(b);
    /* much smaller than the font */
    assert_true(sublen * 100 < len * 15);
    assert_checksums(sub, sublen);
    /* glyph ids kept: what was kept is byte for byte the original,
     * every other glyph is empty, and nothing follows the last kept one */
    mark(font, len, keep, 0);
    for (unsigned g = 0; g < n; g++) {
        if (used[g])
            mark(font, len, keep, g);
    }
    {
        unsigned last = 0;
        unsigned sn = n_glyphs(sub, sublen);
        for (unsigned g = 0; g < n; g++)
            last = keep[g] ? g : last;
        assert_int_equal(sn, last + 1);
        for (unsigned g = 0; g < sn; g++) {
            size_t a;
            size_t c;
            const uint8_t *orig = glyph(font, len, g, &a);
            const uint8_t *copy = glyph(sub, sublen, g, &c);
            if (!keep[g]) {
                assert_int_equal(c, 0);
                continue;
            }
            assert_true(c >= a && c < a + 4);
            assert_memory_equal(orig, copy, a);
            assert_int_equal(raw_advance(sub, sublen, g),
                             raw_advance(font, len, g));
        }
    }
    /* the subset is a font this reader accepts, mapping the same
     * characters to the same glyphs */
    assert_int_equal(hub_ttf_parse(sub, sublen, &s, NULL), KK_OK);
    for (size_t i = 0; i < LEN(page_lines); i++) {
        size_t k = code_points(page_lines[i], cps, LEN(cps));
        for (size_t j = 0; j < k; j++) {
            assert_int_equal(hub_ttf_glyph(s, cps[j]),
                             hub_ttf_glyph(f, cps[j]));
            assert_int_equal(hub_ttf_advance(s, hub_ttf_glyph(s, cps[j])),
                             hub_ttf_advance(f, hub_ttf_glyph(f, cps[j])));
        }
    }
    /* and a glyph not used is not mapped */
    assert_int_equal(hub_ttf_glyph(s, 0x0416), 0); /* Ж */
    hub_ttf_free(s);
    hub_ttf_free(f);
    free(used);
    free(keep);
    kk_buf_free(b);
    free(font);
}

static void a_page_of_text_makes_a_small_document(void **state)
{
    char dir[256];
    char db[300];
    char pdf[512];
    struct hub_pdf *p = new_pdf();
    struct kk_buf *b;
    size_t len;
    uint8_t *font = read_font("DejaVuSans.ttf", &len);
    char *text;
    struct kk_buf *want = kk_buf_new(1 << 16);
    size_t y = 50;

    (void)state;
    assert_true(hub_test_dir("pdf", dir, sizeof dir, db, sizeof db));
    /* a full page: each line three times, 14 points apart */
    for (size_t r = 0; r < 3; r++) {
        for (size_t i = 0; i < LEN(page_lines); i++) {
            hub_pdf_text(p, 40, (double)y, 10, false, page_lines[i]);
            assert_int_equal(kk_buf_putf(want, "%s\n", page_lines[i]), KK_OK);
            y += 14;
        }
    }
    assert_true(y < 800);
    assert_int_equal(kk_buf_puts(want, "\f"), KK_OK);
    b = finish(p);
    assert_true(kk_buf_len(b) * 100 < len * 15);
    save(dir, "page.pdf", b, pdf, sizeof pdf);
    assert_qpdf_clean(dir, pdf);
    text = pdftotext(dir, pdf);
    assert_string_equal(text, kk_buf_str(want));
    free(text);
    free(font);
    kk_buf_free(want);
    kk_buf_free(b);
    hub_test_dir_remove(dir);
}

static void text_width_is_the_sum_of_the_hmtx_advances(void **state)
{
    static const char *const files[2] = {"DejaVuSans.ttf",
                                         "DejaVuSans-Bold.ttf"};
    struct hub_pdf *p = new_pdf();
    uint32_t cps[256];

    (void)state;
    for (size_t bold = 0; bold < 2; bold++) {
        size_t len;
        uint8_t *font = read_font(files[bold], &len);
        struct hub_ttf *f = NULL;
        size_t hl;
        unsigned upem;

        assert_int_equal(hub_ttf_parse(font, len, &f, NULL), KK_OK);
        upem = rd16(table(font, len, "head", &hl) + 18);
        assert_int_equal(hub_ttf_units_per_em(f), upem);
        for (size_t i = 0; i < LEN(page_lines); i++) {
            size_t n = code_points(page_lines[i], cps, LEN(cps));
            unsigned long sum = 0;
            double want;
            double got;
            for (size_t k = 0; k < n; k++)
                sum += raw_advance(font, len, hub_ttf_glyph(f, cps[k]));
            want = (double)sum * 11.5 / upem;
            got = hub_pdf_text_width(p, 11.5, bold, page_lines[i]);
            /* /W rounds each width to 1/1000 em */
            assert_true(fabs(got - want) <= (double)n * 11.5 * 0.0005 + 1e-9);
            assert_true(got > 0);
        }
        hub_ttf_free(f);
        free(font);
    }
    assert_true(hub_pdf_text_width(p, 12, false, "") == 0);
    assert_true(hub_pdf_text_width(p, 12, false, NULL) == 0);
    assert_true(hub_pdf_text_width(p, 12, true, "W") >
                hub_pdf_text_width(p, 12, false, "i"));
    hub_pdf_free(p);
}

/* DejaVu Sans with its format 12 subtables hidden: format 4 must give
 * the same glyph for every code point of the BMP. */
static void format_4_and_format_12_agree_on_the_whole_bmp(void **state)
{
    size_t len;
    uint8_t *font = read_font("DejaVuSans.ttf", &len);
    uint8_t *copy = malloc(len);
    struct hub_ttf *f12 = NULL;
    struct hub_ttf *f4 = NULL;
    size_t cl;
    uint8_t *cmap;
    unsigned hidden = 0;
    unsigned mapped = 0;

    (void)state;
    assert_non_null(copy);
    memcpy(copy, font, len);
    cmap = (uint8_t *)table(copy, len, "cmap", &cl);
    for (unsigned i = 0; i < rd16(cmap + 2); i++) {
        uint8_t *rec = cmap + 4 + 8 * i;
        if (rd16(cmap + rd32(rec + 4)) == 12) {
            rec[0] = 0;
            rec[1] = 9; /* an unknown platform */
            hidden++;
        }
    }
    assert_true(hidden > 0);
    assert_int_equal(hub_ttf_parse(font, len, &f12, NULL), KK_OK);
    assert_int_equal(hub_ttf_parse(copy, len, &f4, NULL), KK_OK);
    for (uint32_t cp = 0; cp <= 0xFFFF; cp++) {
        assert_int_equal(hub_ttf_glyph(f4, cp), hub_ttf_glyph(f12, cp));
        mapped += hub_ttf_glyph(f12, cp) != 0;
    }
    assert_true(mapped > 3000);
    assert_int_not_equal(hub_ttf_glyph(f12, 0x04A3), 0); /* ң */
    assert_int_equal(hub_ttf_glyph(f4, 0x1F600), 0);     /* past the BMP */
    assert_int_equal(hub_ttf_glyph(f12, 0x110000), 0);
    hub_ttf_free(f4);
    hub_ttf_free(f12);
    free(copy);
    free(font);
}

static uint8_t *corpus(const char *name, size_t *len)
{
    char path[512];
    uint8_t *p;

    snprintf(path, sizeof path, "%s/%s", CORPUS, name);
    p = read_all(path, len);
    if (p == NULL)
        fail_msg("cannot read %s", path);
    return p;
}

static void every_truncation_of_a_font_is_refused(void **state)
{
    size_t len;
    uint8_t *font = corpus("latin-fmt4-short.ttf", &len);
    struct hub_ttf *f = NULL;

    (void)state;
    assert_int_equal(hub_ttf_parse(font, len, &f, NULL), KK_OK);
    hub_ttf_free(f);
    for (size_t n = 0; n < len; n++) {
        /* exactly n bytes on the heap, so a read past them is caught */
        uint8_t *cut = malloc(n > 0 ? n : 1);
        struct kk_diag d;
        f = NULL;
        kk_diag_clear(&d);
        assert_non_null(cut);
        memcpy(cut, font, n);
        assert_int_equal(hub_ttf_parse(cut, n, &f, &d), KK_ERR_CORRUPT);
        assert_null(f);
        assert_true(strlen(d.msg) > 0);
        free(cut);
    }
    free(font);
}

/* A parsed font answers within bounds and subsets to a font that parses
 * and maps what was kept the same way. */
static void assert_consistent(const struct hub_ttf *f)
{
    unsigned n = hub_ttf_num_glyphs(f);
    uint8_t *used = malloc(n);
    struct kk_buf *b = kk_buf_new(KK_HUB_FONT_MAX);
    struct hub_ttf *s = NULL;
    int r;

    assert_non_null(used);
    for (uint32_t cp = 0; cp < 0x600; cp++)
        assert_true(hub_ttf_glyph(f, cp) < n);
    for (unsigned g = 0; g < n; g++) {
        used[g] = (uint8_t)(g % 2);
        (void)hub_ttf_advance(f, (uint16_t)g);
    }
    r = hub_ttf_subset(f, used, n, b);
    assert_true(r == KK_OK || r == KK_ERR_CORRUPT);
    if (r == KK_OK) {
        assert_int_equal(hub_ttf_parse(kk_buf_data(b), kk_buf_len(b), &s, NULL),
                         KK_OK);
        for (uint32_t cp = 0; cp < 0x600; cp++) {
            uint16_t g = hub_ttf_glyph(f, cp);
            if (g != 0 && used[g])
                assert_int_equal(hub_ttf_glyph(s, cp), g);
        }
        hub_ttf_free(s);
    }
    kk_buf_free(b);
    free(used);
}

static void flipped_bytes_are_refused_or_give_a_consistent_font(void **state)
{
    static const char *const seeds[] = {"latin-fmt4-short.ttf",
                                        "both-cmaps.ttf"};
    static const uint8_t masks[] = {0xff, 0x80, 0x01};

    (void)state;
    for (size_t s = 0; s < LEN(seeds); s++) {
        size_t len;
        uint8_t *font = corpus(seeds[s], &len);
        unsigned parsed = 0;
        unsigned refused = 0;
        for (size_t i = 0; i < len; i++) {
            for (size_t m = 0; m < LEN(masks); m++) {
                struct hub_ttf *f = NULL;
                int r;
                font[i] ^= masks[m];
                r = hub_ttf_parse(font, len, &f, NULL);
                if (r == KK_OK) {
                    parsed++;
                    assert_consistent(f);
                    hub_ttf_free(f);
                } else {
                    refused++;
                    assert_true(r == KK_ERR_CORRUPT || r == KK_ERR_UNSUPPORTED);
                    assert_null(f);
                }
                font[i] ^= masks[m];
            }
        }
        /* both happen: the cases are not all one kind */
        assert_true(parsed > 0 && refused > 0);
        free(font);
    }
}

static void the_corpus_cases_give_their_results(void **state)
{
    static const struct {
        const char *file;
        int parse;
        int subset;  /* of every glyph */
        uint32_t cp; /* a code point that must map (0: none) */
    } cases[] = {
        {"latin-fmt4-short.ttf", KK_OK, KK_OK, 'H'},
        {"cyrillic-fmt12-long.ttf", KK_OK, KK_OK, 0x04E9},
        {"both-cmaps.ttf", KK_OK, KK_OK, 0x0431},
        {"composite-cycle.ttf", KK_OK, KK_OK, 'w'},
        {"composite-deep.ttf", KK_OK, KK_ERR_CORRUPT, 'p'},
        {"cmap4-range-outside.ttf", KK_OK, KK_OK, 'w'},
        {"bad-head-magic.ttf", KK_ERR_CORRUPT, 0, 0},
        {"cff-header.ttf", KK_ERR_UNSUPPORTED, 0, 0},
        {"cmap-missing.ttf", KK_ERR_CORRUPT, 0, 0},
        {"cmap12-past-unicode.ttf", KK_ERR_CORRUPT, 0, 0},
        {"cmap4-unsorted.ttf", KK_ERR_CORRUPT, 0, 0},
        {"component-out-of-range.ttf", KK_ERR_CORRUPT, 0, 0},
        {"glyph-short.ttf", KK_ERR_CORRUPT, 0, 0},
        {"glyphs-zero.ttf", KK_ERR_CORRUPT, 0, 0},
        {"hmetrics-past-glyphs.ttf", KK_ERR_CORRUPT, 0, 0},
        {"hmetrics-zero.ttf", KK_ERR_CORRUPT, 0, 0},
        {"loca-past-glyf.ttf", KK_ERR_CORRUPT, 0, 0},
        {"loca-unordered.ttf", KK_ERR_CORRUPT, 0, 0},
        {"table-outside.ttf", KK_ERR_CORRUPT, 0, 0},
        {"table-twice.ttf", KK_ERR_CORRUPT, 0, 0},
        {"trunc-directory.ttf", KK_ERR_CORRUPT, 0, 0},
        {"trunc-glyf.ttf", KK_ERR_CORRUPT, 0, 0},
        {"trunc-header.ttf", KK_ERR_CORRUPT, 0, 0},
    };

    (void)state;
    for (size_t i = 0; i < LEN(cases); i++) {
        size_t len;
        uint8_t *font = corpus(cases[i].file, &len);
        struct hub_ttf *f = NULL;
        struct kk_diag d;
        int r;

        kk_diag_clear(&d);
        r = hub_ttf_parse(font, len, &f, &d);
        if (r != cases[i].parse)
            fail_msg("%s: parse gave %d, want %d (%s)", cases[i].file, r,
                     cases[i].parse, d.msg);
        if (r == KK_OK) {
            unsigned n = hub_ttf_num_glyphs(f);
            uint8_t *all = malloc(n);
            struct kk_buf *b = kk_buf_new(1 << 20);
            assert_non_null(all);
            memset(all, 1, n);
            r = hub_ttf_subset(f, all, n, b);
            if (r != cases[i].subset)
                fail_msg("%s: subset gave %d, want %d", cases[i].file, r,
                         cases[i].subset);
            assert_int_not_equal(hub_ttf_glyph(f, cases[i].cp), 0);
            if (r != KK_OK)
                assert_int_equal(kk_buf_len(b), 0);
            free(all);
            kk_buf_free(b);
        } else {
            assert_null(f);
            assert_true(strlen(d.msg) > 0);
        }
        hub_ttf_free(f);
        free(font);
    }
}

static void
a_format_4_index_past_its_table_maps_to_the_missing_glyph(void **state)
{
    size_t len;
    size_t olen;
    uint8_t *font = corpus("cmap4-range-outside.ttf", &len);
    uint8_t *orig = corpus("latin-fmt4-short.ttf", &olen);
    struct hub_ttf *f = NULL;
    struct hub_ttf *o = NULL;

    (void)state;
    assert_int_equal(hub_ttf_parse(font, len, &f, NULL), KK_OK);
    assert_int_equal(hub_ttf_parse(orig, olen, &o, NULL), KK_OK);
    /* the first segment is the space; the others are unchanged */
    assert_int_not_equal(hub_ttf_glyph(o, ' '), 0);
    assert_int_equal(hub_ttf_glyph(f, ' '), 0);
    assert_int_equal(hub_ttf_glyph(f, 'w'), hub_ttf_glyph(o, 'w'));
    hub_ttf_free(f);
    hub_ttf_free(o);
    free(font);
    free(orig);
}

/* ---- The font directory ---- */

struct env_saved {
    char value[512];
    bool set;
};

static void env_save(struct env_saved *s)
{
    const char *v = getenv("KALKAN_FONT_DIR");

    s->set = v != NULL;
    snprintf(s->value, sizeof s->value, "%s", v != NULL ? v : "");
}

static void env_restore(const struct env_saved *s)
{
    if (s->set)
        setenv("KALKAN_FONT_DIR", s->value, 1);
    else
        unsetenv("KALKAN_FONT_DIR");
}

static void
an_empty_font_directory_is_notfound_naming_file_and_package(void **state)
{
    char dir[256];
    char db[300];
    struct env_saved saved;
    struct hub_pdf *p = NULL;
    struct kk_diag d;

    (void)state;
    env_save(&saved);
    assert_true(hub_test_dir("pdf", dir, sizeof dir, db, sizeof db));
    setenv("KALKAN_FONT_DIR", dir, 1);
    kk_diag_clear(&d);
    assert_int_equal(hub_pdf_new(&p, &d), KK_ERR_NOTFOUND);
    assert_null(p);
    assert_non_null(strstr(d.msg, dir));
    assert_non_null(strstr(d.msg, "/DejaVuSans.ttf"));
    assert_non_null(strstr(d.msg, "fonts-dejavu-core"));
    env_restore(&saved);
    hub_test_dir_remove(dir);
}

static void a_damaged_or_missing_bold_font_names_its_file(void **state)
{
    char dir[256];
    char db[300];
    char path[512];
    struct env_saved saved;
    struct hub_pdf *p = NULL;
    struct kk_diag d;
    size_t len;
    uint8_t *font = read_font("DejaVuSans.ttf", &len);
    uint8_t *bad;
    size_t blen;

    (void)state;
    env_save(&saved);
    assert_true(hub_test_dir("pdf", dir, sizeof dir, db, sizeof db));
    snprintf(path, sizeof path, "%s/DejaVuSans.ttf", dir);
    write_all(path, font, len);
    setenv("KALKAN_FONT_DIR", dir, 1);
    kk_diag_clear(&d);
    assert_int_equal(hub_pdf_new(&p, &d), KK_ERR_NOTFOUND);
    assert_null(p);
    assert_non_null(strstr(d.msg, "/DejaVuSans-Bold.ttf"));
    assert_non_null(strstr(d.msg, "fonts-dejavu-core"));

    bad = corpus("trunc-glyf.ttf", &blen);
    snprintf(path, sizeof path, "%s/DejaVuSans-Bold.ttf", dir);
    write_all(path, bad, blen);
    kk_diag_clear(&d);
    assert_int_equal(hub_pdf_new(&p, &d), KK_ERR_CORRUPT);
    assert_null(p);
    assert_non_null(strstr(d.msg, "/DejaVuSans-Bold.ttf"));
    assert_non_null(strstr(d.msg, "malformed"));

    /* the regular font as the bold one is a working document */
    write_all(path, font, len);
    assert_int_equal(hub_pdf_new(&p, &d), KK_OK);
    hub_pdf_free(p);
    env_restore(&saved);
    free(bad);
    free(font);
    hub_test_dir_remove(dir);
}

/* ---- Errors, limits and the file's structure ---- */

static void a_bad_argument_sticks_and_leaves_the_output_alone(void **state)
{
    static const double bad[] = {NAN, INFINITY, -INFINITY, 2e6};
    struct kk_buf *b = kk_buf_new(KK_HUB_PDF_MAX);

    (void)state;
    for (size_t i = 0; i < LEN(bad) * 4; i++) {
        struct hub_pdf *p = new_pdf();
        double v = bad[i % LEN(bad)];
        hub_pdf_text(p, 50, 50, 12, false, "fine");
        switch (i / LEN(bad)) {
        case 0:
            hub_pdf_text(p, v, 50, 12, false, "x");
            break;
        case 1:
            hub_pdf_rect(p, 0, 0, 10, v);
            break;
        case 2:
            hub_pdf_line(p, 0, v, 10, 10, 1);
            break;
        default:
            hub_pdf_text(p, 50, 50, v, false, "x");
            break;
        }
        hub_pdf_page(p);
        hub_pdf_text(p, 50, 50, 12, false, "ignored");
        assert_int_equal(kk_buf_puts(b, "kept"), KK_OK);
        assert_int_equal(hub_pdf_finish(p, b), KK_ERR_INVAL);
        assert_string_equal(kk_buf_str(b), "kept");
        kk_buf_reset(b);
        hub_pdf_free(p);
    }
    {
        struct hub_pdf *p = new_pdf();
        hub_pdf_text(p, 50, 50, 0, false, "size zero");
        hub_pdf_text(p, 50, 50, 12, false, NULL);
        assert_int_equal(hub_pdf_finish(p, b), KK_ERR_INVAL);
        hub_pdf_free(p);
        p = new_pdf();
        hub_pdf_line(p, 0, 0, 10, 10, -1);
        assert_int_equal(hub_pdf_finish(p, b), KK_ERR_INVAL);
        hub_pdf_free(p);
    }
    assert_int_equal(kk_buf_len(b), 0);
    /* NULL documents are ignored */
    hub_pdf_text(NULL, 0, 0, 12, false, "x");
    hub_pdf_page(NULL);
    hub_pdf_free(NULL);
    assert_int_equal(hub_pdf_finish(NULL, b), KK_ERR_INVAL);
    kk_buf_free(b);
}

static void pages_past_the_limit_are_refused(void **state)
{
    struct hub_pdf *p = new_pdf();
    struct kk_buf *b = kk_buf_new(KK_HUB_PDF_MAX);

    (void)state;
    for (size_t i = 0; i < KK_HUB_PDF_PAGES_MAX; i++)
        hub_pdf_page(p);
    assert_int_equal(hub_pdf_finish(p, b), KK_OK);
    assert_true(contains(b, "/Count 2000 >>"));
    kk_buf_reset(b);
    hub_pdf_page(p);
    assert_int_equal(hub_pdf_finish(p, b), KK_ERR_LIMIT);
    assert_int_equal(kk_buf_len(b), 0);
    hub_pdf_free(p);
    kk_buf_free(b);
}

static void a_document_past_the_size_limit_is_refused(void **state)
{
    struct hub_pdf *p = new_pdf();
    struct kk_buf *b = kk_buf_new(KK_HUB_PDF_MAX);
    size_t n = 1 << 20;
    char *text = malloc(n + 1);

    (void)state;
    assert_non_null(text);
    memset(text, 'a', n);
    text[n] = 0;
    /* each draw is four hex digits per character */
    for (size_t i = 0; i <= KK_HUB_PDF_MAX / (4 * n); i++)
        hub_pdf_text(p, 0, 10, 1, false, text);
    assert_int_equal(hub_pdf_finish(p, b), KK_ERR_LIMIT);
    assert_int_equal(kk_buf_len(b), 0);
    hub_pdf_free(p);
    /* and an output buffer too small for the document is left as it was */
    p = new_pdf();
    hub_pdf_text(p, 50, 50, 12, false, "Hello");
    kk_buf_free(b);
    b = kk_buf_new(1000);
    assert_int_equal(kk_buf_puts(b, "x"), KK_OK);
    assert_int_equal(hub_pdf_finish(p, b), KK_ERR_LIMIT);
    assert_string_equal(kk_buf_str(b), "x");
    hub_pdf_free(p);
    kk_buf_free(b);
    free(text);
}

static void the_same_drawing_gives_the_same_bytes(void **state)
{
    struct kk_buf *b[2];

    (void)state;
    for (size_t i = 0; i < 2; i++) {
        struct hub_pdf *p = new_pdf();
        hub_pdf_info(p, "Отчёт", NULL, NULL);
        three_languages_page(p);
        b[i] = finish(p);
    }
    assert_int_equal(kk_buf_len(b[0]), kk_buf_len(b[1]));
    assert_memory_equal(kk_buf_data(b[0]), kk_buf_data(b[1]), kk_buf_len(b[0]));
    kk_buf_free(b[0]);
    kk_buf_free(b[1]);
}

/* Every xref entry points at "N 0 obj", startxref at "xref". */
static void assert_xref(const struct kk_buf *b)
{
    const char *s = (const char *)kk_buf_data(b);
    size_t len = kk_buf_len(b);
    const char *sx;
    const char *x;
    unsigned long off;
    unsigned long n;
    unsigned long first;

    /* the end of the file is text: the font streams come before it */
    assert_true(len > 64);
    sx = memmem(s + len - 64, 64, "startxref\n", 10);
    assert_non_null(sx);
    assert_int_equal(sscanf(sx, "startxref\n%lu\n", &off), 1);
    assert_string_equal(s + len - 6, "%%EOF\n");
    assert_true(off < len);
    x = s + off;
    assert_int_equal(strncmp(x, "xref\n", 5), 0);
    assert_int_equal(sscanf(x, "xref\n%lu %lu\n", &first, &n), 2);
    assert_int_equal(first, 0);
    x = strchr(x + 5, '\n') + 1;
    assert_int_equal(strncmp(x, "0000000000 65535 f \n", 20), 0);
    for (unsigned long i = 1; i < n; i++) {
        char want[32];
        unsigned long at;
        const char *e = x + 20 * i;
        assert_int_equal(strncmp(e + 10, " 00000 n \n", 10), 0);
        assert_int_equal(sscanf(e, "%10lu", &at), 1);
        assert_true(at < off);
        snprintf(want, sizeof want, "%lu 0 obj\n", i);
        assert_int_equal(strncmp(s + at, want, strlen(want)), 0);
        /* and the object before it ends right before it */
        if (i > 1)
            assert_int_equal(strncmp(s + at - 7, "endobj\n", 7), 0);
    }
    assert_int_equal(strncmp(x + 20 * n, "trailer\n", 8), 0);
    assert_non_null(strstr(x, "/Info 3 0 R /ID [<"));
}

static void the_cross_reference_table_points_at_every_object(void **state)
{
    char dir[256];
    char db[300];
    char pdf[512];
    struct hub_pdf *p = new_pdf();
    struct kk_buf *b;

    (void)state;
    assert_true(hub_test_dir("pdf", dir, sizeof dir, db, sizeof db));
    three_languages_page(p);
    hub_pdf_page(p);
    hub_pdf_text(p, 40, 40, 9, true, "Second page");
    b = finish(p);
    assert_int_equal(strncmp(kk_buf_str(b), "%PDF-1.7\n", 9), 0);
    assert_xref(b);
    /* 3 + 5 per font + 2 per page, and object 0 */
    assert_true(contains(b, "/Size 18 "));
    save(dir, "xref.pdf", b, pdf, sizeof pdf);
    assert_qpdf_clean(dir, pdf);
    kk_buf_free(b);
    hub_test_dir_remove(dir);
}

static void an_empty_document_is_one_blank_page(void **state)
{
    char dir[256];
    char db[300];
    char pdf[512];
    struct hub_pdf *p = new_pdf();
    struct kk_buf *b;
    char *text;

    (void)state;
    assert_true(hub_test_dir("pdf", dir, sizeof dir, db, sizeof db));
    b = finish(p);
    assert_true(contains(b, "/Count 1 >>"));
    assert_false(contains(b, "/FontFile2"));
    assert_xref(b);
    save(dir, "empty.pdf", b, pdf, sizeof pdf);
    assert_qpdf_clean(dir, pdf);
    text = pdftotext(dir, pdf);
    assert_string_equal(text, "\f");
    free(text);
    kk_buf_free(b);
    hub_test_dir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_in_three_languages_comes_back_exactly),
        cmocka_unit_test(a_cyrillic_title_survives_as_utf16),
        cmocka_unit_test(a_long_title_is_cut_on_a_character_boundary),
        cmocka_unit_test(
            bad_utf8_and_missing_characters_come_back_as_replacements),
        cmocka_unit_test(a_rectangle_lands_where_its_top_left_corner_says),
        cmocka_unit_test(a_page_of_text_needs_a_small_valid_subset),
        cmocka_unit_test(a_page_of_text_makes_a_small_document),
        cmocka_unit_test(text_width_is_the_sum_of_the_hmtx_advances),
        cmocka_unit_test(format_4_and_format_12_agree_on_the_whole_bmp),
        cmocka_unit_test(every_truncation_of_a_font_is_refused),
        cmocka_unit_test(flipped_bytes_are_refused_or_give_a_consistent_font),
        cmocka_unit_test(the_corpus_cases_give_their_results),
        cmocka_unit_test(
            a_format_4_index_past_its_table_maps_to_the_missing_glyph),
        cmocka_unit_test(
            an_empty_font_directory_is_notfound_naming_file_and_package),
        cmocka_unit_test(a_damaged_or_missing_bold_font_names_its_file),
        cmocka_unit_test(a_bad_argument_sticks_and_leaves_the_output_alone),
        cmocka_unit_test(pages_past_the_limit_are_refused),
        cmocka_unit_test(a_document_past_the_size_limit_is_refused),
        cmocka_unit_test(the_same_drawing_gives_the_same_bytes),
        cmocka_unit_test(the_cross_reference_table_points_at_every_object),
        cmocka_unit_test(an_empty_document_is_one_blank_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
