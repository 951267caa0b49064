/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * qr.c - QR codes of enrolment URIs, rendered locally for a terminal, as
 * SVG, or as PNG.
 *
 * The URI carries the secret, so it never leaves the machine: libqrencode
 * computes the module matrix and this file draws it.  A terminal QR must
 * scan whatever the terminal's colours are, so each line selects black on
 * white and draws the dark modules explicitly as blocks inside a white
 * quiet zone of four modules; two module rows share one character cell
 * (upper and lower half blocks), which keeps the code square and small
 * enough for an 80x24 window for URIs of usual length.  The PNG is written
 * to memory (one bit per pixel, 8 pixels per module) so the caller decides
 * where it goes; libpng reports errors by longjmp, which this file turns
 * back into return codes and never lets print anything.
 */
#include "kalkan/otp.h"

#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <qrencode.h>

#define QR_QUIET 4 /* modules of quiet zone on each side */
#define QR_SCALE 8 /* pixels (PNG) or user units (SVG) per module */

/* Black on white for the rest of the line, and back to normal. */
#define SGR_BLACK_ON_WHITE "\033[30;47m"
#define SGR_RESET "\033[0m"

/* Whether module (x, y) of the symbol with its quiet zone is dark. */
static bool qr_dark(const QRcode *qr, int x, int y)
{
    int w = qr->width;

    x -= QR_QUIET;
    y -= QR_QUIET;
    if (x < 0 || y < 0 || x >= w || y >= w)
        return false;
    return (qr->data[(size_t)y * (size_t)w + (size_t)x] & 1u) != 0;
}

static int render_term(const QRcode *qr, bool colour, struct kk_buf *out)
{
    static const char *const cell[4] = {
        " ",            /* both light */
        "\xe2\x96\x80", /* U+2580 upper half block: top dark */
        "\xe2\x96\x84", /* U+2584 lower half block: bottom dark */
        "\xe2\x96\x88", /* U+2588 full block: both dark */
    };
    int dim = qr->width + 2 * QR_QUIET;
    int r = KK_OK;

    for (int y = 0; y < dim && r == KK_OK; y += 2) {
        if (colour)
            r = kk_buf_puts(out, SGR_BLACK_ON_WHITE);
        for (int x = 0; x < dim && r == KK_OK; x++) {
            unsigned v = (qr_dark(qr, x, y) ? 1u : 0u) |
                         (qr_dark(qr, x, y + 1) ? 2u : 0u);
            r = kk_buf_puts(out, cell[v]);
        }
        if (r == KK_OK && colour)
            r = kk_buf_puts(out, SGR_RESET);
        if (r == KK_OK)
            r = kk_buf_putc(out, '\n');
    }
    return r;
}

static int render_svg(const QRcode *qr, struct kk_buf *out)
{
    int dim = qr->width + 2 * QR_QUIET;
    int r;

    r = kk_buf_putf(out,
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                    "version=\"1.1\" width=\"%d\" height=\"%d\" "
                    "viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">\n"
                    "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n"
                    "<path fill=\"#000000\" d=\"",
                    dim * QR_SCALE, dim * QR_SCALE, dim, dim, dim, dim);
    /* One rectangle per horizontal run of dark modules. */
    for (int y = 0; y < dim && r == KK_OK; y++) {
        int x = 0;

        while (x < dim && r == KK_OK) {
            int run = 0;

            while (x + run < dim && qr_dark(qr, x + run, y))
                run++;
            if (run > 0) {
                r = kk_buf_putf(out, "M%d %dh%dv1h-%dz", x, y, run, run);
                x += run;
            } else {
                x++;
            }
        }
    }
    if (r == KK_OK)
        r = kk_buf_puts(out, "\"/>\n</svg>\n");
    return r;
}

/* Where libpng's output goes; err is read after a longjmp. */
struct png_sink {
    struct kk_buf *out;
    volatile int err;
};

static void png_on_error(png_structp png, png_const_charp msg)
{
    (void)msg;
    png_longjmp(png, 1);
}

static void png_on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

static void png_on_write(png_structp png, png_bytep data, size_t len)
{
    struct png_sink *s = png_get_io_ptr(png);
    int r = kk_buf_put(s->out, data, len);

    if (r != KK_OK) {
        s->err = r;
        png_error(png, "output buffer full");
    }
}

static void png_on_flush(png_structp png)
{
    (void)png;
}

/* Writes the image; every object it uses is set up by the caller, so no
 * local changes between setjmp and a longjmp. */
static int png_write_all(png_structp png, png_infop info, const QRcode *qr,
                         uint8_t *row, size_t rowbytes)
{
    int dim = qr->width + 2 * QR_QUIET;
    png_uint_32 px = (png_uint_32)dim * QR_SCALE;

    if (setjmp(png_jmpbuf(png)) != 0)
        return KK_ERR_IO;
    png_set_IHDR(png, info, px, px, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < dim; y++) {
        /* In a 1-bit grey image a set bit is white. */
        memset(row, 0, rowbytes);
        for (png_uint_32 p = 0; p < px; p++) {
            if (!qr_dark(qr, (int)(p / QR_SCALE), y))
                row[p / 8] |= (uint8_t)(0x80u >> (p % 8));
        }
        for (int k = 0; k < QR_SCALE; k++)
            png_write_row(png, row);
    }
    png_write_end(png, info);
    return KK_OK;
}

static int render_png(const QRcode *qr, struct kk_buf *out)
{
    struct png_sink sink = {.out = out, .err = KK_OK};
    png_structp png = NULL;
    png_infop info = NULL;
    uint8_t *row = NULL;
    size_t px = ((size_t)qr->width + 2 * QR_QUIET) * QR_SCALE;
    size_t rowbytes = (px + 7) / 8;
    int r = KK_ERR_NOMEM;

    row = malloc(rowbytes);
    if (row == NULL)
        goto out;
    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, png_on_error,
                                  png_on_warning);
    if (png == NULL)
        goto out;
    info = png_create_info_struct(png);
    if (info == NULL)
        goto out;
    png_set_write_fn(png, &sink, png_on_write, png_on_flush);
    r = png_write_all(png, info, qr, row, rowbytes);
    if (r != KK_OK && sink.err != KK_OK)
        r = sink.err;
out:
    if (png != NULL)
        png_destroy_write_struct(&png, info != NULL ? &info : NULL);
    free(row);
    return r;
}

int otp_qr_render(const char *text, enum otp_qr_format fmt, struct kk_buf *out)
{
    QRcode *qr = NULL;
    size_t start;
    int r;

    if (text == NULL || out == NULL || text[0] == '\0')
        return KK_ERR_INVAL;
    start = kk_buf_len(out);
    if (strnlen(text, KK_OTP_URI_MAX + 1) > KK_OTP_URI_MAX) {
        r = KK_ERR_LIMIT;
        goto out;
    }
    errno = 0;
    qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (qr == NULL) {
        r = errno == ENOMEM   ? KK_ERR_NOMEM
            : errno == ERANGE ? KK_ERR_LIMIT
                              : KK_ERR_INVAL;
        goto out;
    }
    switch (fmt) {
    case OTP_QR_TERM:
        r = render_term(qr, true, out);
        break;
    case OTP_QR_TEXT:
        r = render_term(qr, false, out);
        break;
    case OTP_QR_SVG:
        r = render_svg(qr, out);
        break;
    case OTP_QR_PNG:
        r = render_png(qr, out);
        break;
    default:
        r = KK_ERR_INVAL;
        break;
    }
out:
    if (qr != NULL) {
        /* The modules encode the secret. */
        kk_wipe(qr->data, (size_t)qr->width * (size_t)qr->width);
        QRcode_free(qr);
    }
    if (r != KK_OK)
        kk_buf_truncate(out, start);
    return r;
}
