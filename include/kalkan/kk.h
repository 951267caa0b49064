/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * kk.h - the Kalkan base library.
 *
 * Everything every other part stands on: the project-wide error enum, a
 * caller-owned diagnostic buffer, checked size arithmetic, a size-capped
 * growable buffer and a bounded read cursor for untrusted bytes, secret
 * buffers that are wiped on free, strict number and time parsers, atomic
 * file writes, a small JSON writer, a "key = value" configuration reader
 * and logging for programs.
 *
 * Libraries never print, exit or abort: they return an enum kk_err and may
 * fill a struct kk_diag with one line of human-readable detail.  Only the
 * logging functions (kk_log_*) print, and only programs call them.
 */
#ifndef KALKAN_KK_H
#define KALKAN_KK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kalkan/limits.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KK_API __attribute__((visibility("default")))
#define KK_WUR __attribute__((warn_unused_result))
#define KK_PRINTF(f, a) __attribute__((format(printf, f, a)))

#define KK_VERSION "0.1.0"

/* Project-wide error codes: 0 is success, failures are negative. */
enum kk_err {
    KK_OK = 0,
    KK_ERR_NOMEM = -1,        /* an allocation failed */
    KK_ERR_INVAL = -2,        /* invalid argument or malformed input */
    KK_ERR_RANGE = -3,        /* a value is outside its allowed range */
    KK_ERR_OVERFLOW = -4,     /* size arithmetic would overflow */
    KK_ERR_TRUNC = -5,        /* output buffer too small or input cut short */
    KK_ERR_IO = -6,           /* a read, write or sync failed */
    KK_ERR_NOTFOUND = -7,     /* no such object */
    KK_ERR_EXISTS = -8,       /* the object already exists */
    KK_ERR_PERM = -9,         /* permission denied */
    KK_ERR_CRYPTO = -10,      /* a cryptographic primitive failed */
    KK_ERR_CORRUPT = -11,     /* stored data failed validation */
    KK_ERR_LIMIT = -12,       /* a hard limit of limits.h was reached */
    KK_ERR_AUTH = -13,        /* authentication failed */
    KK_ERR_REPLAY = -14,      /* a one-time value was used again */
    KK_ERR_THROTTLED = -15,   /* refused by rate limiting */
    KK_ERR_BUSY = -16,        /* resource busy, try again */
    KK_ERR_UNSUPPORTED = -17, /* the feature or format is not supported */
    KK_ERR_SYSTEM = -18,      /* an operating-system call failed */
    KK_ERR_PROTO = -19,       /* a peer broke the protocol */
    KK_ERR_TIMEOUT = -20,     /* an operation ran out of time */
};

/* Static English text for an error code; never NULL.  Thread-safe. */
KK_API const char *kk_strerror(int err);

/*
 * Diagnostic buffer: one line of detail owned by the caller, filled by a
 * failing function.  Functions accept NULL when the caller wants none.
 */
struct kk_diag {
    char msg[KK_DIAG_MAX];
};

/* Sets d->msg from a printf format (truncated to fit); d may be NULL. */
KK_API void kk_diag_set(struct kk_diag *d, const char *fmt, ...)
    KK_PRINTF(2, 3);
/* Clears the message; d may be NULL. */
KK_API void kk_diag_clear(struct kk_diag *d);

/* ---- Checked size arithmetic: *out is set only on success. ---- */

/* *out = a + b, or KK_ERR_OVERFLOW. */
KK_API KK_WUR int kk_size_add(size_t a, size_t b, size_t *out);
/* *out = a * b, or KK_ERR_OVERFLOW. */
KK_API KK_WUR int kk_size_mul(size_t a, size_t b, size_t *out);

/* ---- Growable buffer with a hard size cap ---- */

/*
 * A byte buffer that grows on demand up to the cap given at creation and
 * refuses to grow past it (KK_ERR_LIMIT), so a hostile input can never make
 * it consume more memory than the caller allowed.  The contents are always
 * followed by a NUL byte that is not counted in the length, so text can be
 * used as a C string.  Not thread-safe; one owner at a time.
 */
struct kk_buf;

/* New empty buffer that may hold at most max bytes; NULL on no memory. */
KK_API struct kk_buf *kk_buf_new(size_t max);
/* Frees the buffer after wiping its storage; NULL is a no-op. */
KK_API void kk_buf_free(struct kk_buf *b);
/* Appends len bytes. */
/* Makes room for extra more bytes without writing (KK_ERR_LIMIT past the
 * cap), so a buffer whose usual size is known grows once. */
KK_API KK_WUR int kk_buf_reserve(struct kk_buf *b, size_t extra);
KK_API KK_WUR int kk_buf_put(struct kk_buf *b, const void *data, size_t len);
/* Appends a NUL-terminated string (without its NUL). */
KK_API KK_WUR int kk_buf_puts(struct kk_buf *b, const char *s);
/* Appends printf-formatted text. */
KK_API KK_WUR int kk_buf_putf(struct kk_buf *b, const char *fmt, ...)
    KK_PRINTF(2, 3);
/* Appends one byte. */
KK_API KK_WUR int kk_buf_putc(struct kk_buf *b, int c);
/* Borrowed pointer to the contents (NUL-terminated); valid until the next
 * change to the buffer. */
KK_API const char *kk_buf_str(const struct kk_buf *b);
/* Hands the bytes (NUL-terminated, *len without the NUL) to the caller, who
 * frees them with free(); the buffer is left empty.  NULL if out of memory.
 * Nothing is wiped: for output about to be sent, not for secrets. */
KK_API uint8_t *kk_buf_take(struct kk_buf *b, size_t *len);
KK_API const uint8_t *kk_buf_data(const struct kk_buf *b);
KK_API size_t kk_buf_len(const struct kk_buf *b);
/* Wipes and empties the buffer, keeping its storage. */
KK_API void kk_buf_reset(struct kk_buf *b);
/* Shortens the contents to len bytes (no-op if already shorter). */
KK_API void kk_buf_truncate(struct kk_buf *b, size_t len);

/* ---- Bounded read cursor over untrusted bytes ---- */

/*
 * A borrowed view of bytes with a read position.  Every get function checks
 * that enough bytes remain and, on failure, leaves the cursor where it was.
 */
struct kk_span {
    const uint8_t *p;
    size_t len;
    size_t off;
};

/* Cursor over len bytes at p. */
KK_API struct kk_span kk_span_make(const void *p, size_t len);
/* Bytes left to read. */
KK_API size_t kk_span_left(const struct kk_span *s);
/* Reads one byte. */
KK_API KK_WUR int kk_span_get_u8(struct kk_span *s, uint8_t *out);
/* Borrows n bytes at the cursor and advances past them. */
KK_API KK_WUR int kk_span_get_bytes(struct kk_span *s, size_t n,
                                    const uint8_t **out);
/*
 * Borrows the next line (without its "\n" or "\r\n") and advances past it.
 * A last line without newline is returned too.  KK_ERR_LIMIT if the line is
 * longer than max bytes, KK_ERR_NOTFOUND at the end of input, KK_ERR_INVAL
 * if the line contains a NUL byte.
 */
KK_API KK_WUR int kk_span_get_line(struct kk_span *s, size_t max,
                                   const char **line, size_t *len);

/* ---- Secrets ---- */

/* Overwrites len bytes at p with zeros in a way the compiler keeps. */
KK_API void kk_wipe(void *p, size_t len);
/* Constant-time comparison of two equal-length regions: true if equal. */
KK_API bool kk_memeq_ct(const void *a, const void *b, size_t len);
/* Constant-time comparison of two strings of possibly different lengths;
 * the time depends only on the lengths. */
KK_API bool kk_streq_ct(const char *a, const char *b);
/* Fills len bytes from the kernel's random source (getrandom). */
KK_API KK_WUR int kk_random(void *out, size_t len);

/*
 * A secret byte string: its storage is locked in memory where the system
 * allows it and wiped before it is freed.
 */
struct kk_secret;

/* New secret of len zero bytes (len >= 1 and <= KK_SECRET_MAX). */
KK_API KK_WUR int kk_secret_new(size_t len, struct kk_secret **out);
/* Wipes and frees; NULL is a no-op. */
KK_API void kk_secret_free(struct kk_secret *s);
/* Borrowed pointer to the secret bytes. */
KK_API uint8_t *kk_secret_ptr(struct kk_secret *s);
KK_API const uint8_t *kk_secret_cptr(const struct kk_secret *s);
KK_API size_t kk_secret_len(const struct kk_secret *s);

/* ---- Strict parsers ---- */

/*
 * Parses a whole decimal string (no sign, no spaces, no trailing bytes) into
 * *out, which must lie in [min, max].  KK_ERR_INVAL on syntax, KK_ERR_RANGE
 * outside the bounds.
 */
KK_API KK_WUR int kk_parse_u64(const char *s, uint64_t min, uint64_t max,
                               uint64_t *out);
/* The same for an optionally negative number. */
KK_API KK_WUR int kk_parse_i64(const char *s, int64_t min, int64_t max,
                               int64_t *out);
/*
 * Parses a time as Unix seconds ("1234567890", "@1234567890") or as an
 * ISO-8601 UTC date-time ("2009-02-13T23:31:30Z", also with a space instead
 * of "T", without the "Z", or a bare date "2009-02-13").  64-bit: years up
 * to 9999 are accepted.
 */
KK_API KK_WUR int kk_parse_time(const char *s, int64_t *out);
/* Formats Unix seconds as "YYYY-MM-DDTHH:MM:SSZ" into out (>= 21 bytes). */
KK_API KK_WUR int kk_format_time(int64_t t, char *out, size_t cap);

/* ---- Files ---- */

/*
 * Reads a whole regular file of at most max bytes into b (appending).
 * KK_ERR_LIMIT if it is larger, KK_ERR_NOTFOUND if missing.
 */
KK_API KK_WUR int kk_file_read(const char *path, size_t max, struct kk_buf *b,
                               struct kk_diag *d);
/*
 * Replaces path atomically with len bytes: writes a temporary file in the
 * same directory with the given mode, fsyncs it, renames it over path and
 * fsyncs the directory.  On any failure the old file is left untouched and
 * the temporary is removed, so the path never holds a partial or empty file.
 */
KK_API KK_WUR int kk_file_write_atomic(const char *path, const void *data,
                                       size_t len, unsigned mode,
                                       struct kk_diag *d);

/* ---- JSON output ---- */

/* Appends s as a JSON string literal (quoted and escaped; invalid UTF-8
 * bytes become U+FFFD). */
KK_API KK_WUR int kk_json_str(struct kk_buf *b, const char *s);

/* ---- "key = value" configuration ---- */

/*
 * A parsed configuration file: lines "key = value", "#" comments and blank
 * lines.  Keys are [A-Za-z0-9_.-]+; values are trimmed and may be quoted
 * with "..." to keep spaces at their ends.  A duplicate key is an error.
 * Immutable after parsing; safe to read from several threads.
 */
struct kk_conf;

/* Parses len bytes of text.  On error d names the line: "line 3: ...". */
KK_API KK_WUR int kk_conf_parse(const char *text, size_t len,
                                struct kk_conf **out, struct kk_diag *d);
/* Reads and parses a file (at most KK_CONF_FILE_MAX bytes). */
KK_API KK_WUR int kk_conf_load(const char *path, struct kk_conf **out,
                               struct kk_diag *d);
KK_API void kk_conf_free(struct kk_conf *c);
/* Borrowed value of key, or NULL when absent. */
KK_API const char *kk_conf_get(const struct kk_conf *c, const char *key);
/* Line number where key was set (0 when absent), for error messages. */
KK_API unsigned kk_conf_line(const struct kk_conf *c, const char *key);
/* Number of entries, and the i-th key, for checking unknown keys. */
KK_API size_t kk_conf_count(const struct kk_conf *c);
KK_API const char *kk_conf_key(const struct kk_conf *c, size_t i);
/* Integer value in [min, max], or def when absent. */
KK_API KK_WUR int kk_conf_get_u64(const struct kk_conf *c, const char *key,
                                  uint64_t min, uint64_t max, uint64_t def,
                                  uint64_t *out, struct kk_diag *d);
/* Boolean value (yes/no, true/false, on/off, 1/0), or def when absent. */
KK_API KK_WUR int kk_conf_get_bool(const struct kk_conf *c, const char *key,
                                   bool def, bool *out, struct kk_diag *d);

/* ---- Logging, for programs only ---- */

enum kk_log_level {
    KK_LOG_ERROR = 0,
    KK_LOG_WARN = 1,
    KK_LOG_INFO = 2,
    KK_LOG_DEBUG = 3,
};

/*
 * Sets the program and command names used in messages
 * ("kalkan: otp: ...") and the most verbose level printed (default
 * KK_LOG_WARN).  When use_syslog is set messages go to syslog(3) too.
 */
KK_API void kk_log_init(const char *prog, const char *cmd,
                        enum kk_log_level max, bool use_syslog);
/* Prints "prog: cmd: message" on stderr if level <= max. */
KK_API void kk_log(enum kk_log_level level, const char *fmt, ...)
    KK_PRINTF(2, 3);
KK_API void kk_logv(enum kk_log_level level, const char *fmt, va_list ap)
    KK_PRINTF(2, 0);

#ifdef __cplusplus
}
#endif

#endif
