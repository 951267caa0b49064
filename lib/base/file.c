/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * file.c - bounded whole-file reads and atomic replacement.
 *
 * State that decides who may log in must never be half-written: a crash or
 * a full disk during a write has to leave the previous version in place.
 * kk_file_write_atomic therefore writes a temporary, fsyncs, renames and
 * fsyncs the directory; it costs two fsyncs per write, which is the price
 * of never leaving a zero-size state file behind.
 */
#include "kalkan/kk.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int kk_file_read(const char *path, size_t max, struct kk_buf *b,
                 struct kk_diag *d)
{
    int fd = -1;
    int r = KK_OK;
    struct stat st;
    uint8_t chunk[4096];
    size_t total = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        r = errno == ENOENT   ? KK_ERR_NOTFOUND
            : errno == EACCES ? KK_ERR_PERM
                              : KK_ERR_IO;
        kk_diag_set(d, "%s: %s", path, strerror(errno));
        goto out;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        r = KK_ERR_INVAL;
        kk_diag_set(d, "%s: not a regular file", path);
        goto out;
    }
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            r = KK_ERR_IO;
            kk_diag_set(d, "%s: %s", path, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        total += (size_t)n;
        if (total > max) {
            r = KK_ERR_LIMIT;
            kk_diag_set(d, "%s: larger than %zu bytes", path, max);
            goto out;
        }
        r = kk_buf_put(b, chunk, (size_t)n);
        if (r != KK_OK) {
            kk_diag_set(d, "%s: %s", path, kk_strerror(r));
            goto out;
        }
    }
out:
    kk_wipe(chunk, sizeof chunk);
    if (fd >= 0)
        close(fd);
    return r;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int kk_file_write_atomic(const char *path, const void *data, size_t len,
                         unsigned mode, struct kk_diag *d)
{
    char tmp[4096];
    char dirbuf[4096];
    int fd = -1;
    int dfd = -1;
    int r = KK_ERR_IO;
    uint8_t rnd[6];
    int n;

    if (kk_random(rnd, sizeof rnd) != KK_OK)
        return KK_ERR_SYSTEM;
    n = snprintf(tmp, sizeof tmp, "%s.tmp%02x%02x%02x%02x%02x%02x", path,
                 rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
    if (n < 0 || (size_t)n >= sizeof tmp || strlen(path) >= sizeof dirbuf) {
        kk_diag_set(d, "%s: path too long", path);
        return KK_ERR_RANGE;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
              (mode_t)mode);
    if (fd < 0) {
        r = errno == EACCES || errno == EROFS || errno == EPERM ? KK_ERR_PERM
                                                                : KK_ERR_IO;
        kk_diag_set(d, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    if (fchmod(fd, (mode_t)mode) != 0 || write_all(fd, data, len) != 0 ||
        fsync(fd) != 0) {
        kk_diag_set(d, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    if (close(fd) != 0) {
        fd = -1;
        kk_diag_set(d, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        kk_diag_set(d, "%s: %s", path, strerror(errno));
        goto out;
    }
    tmp[0] = '\0'; /* nothing to clean up any more */
    memcpy(dirbuf, path, strlen(path) + 1);
    dfd = open(dirname(dirbuf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) != 0) {
        kk_diag_set(d, "%s: directory sync: %s", path, strerror(errno));
        goto out;
    }
    r = KK_OK;
out:
    if (fd >= 0)
        close(fd);
    if (dfd >= 0)
        close(dfd);
    if (r != KK_OK && tmp[0] != '\0')
        (void)unlink(tmp);
    return r;
}
