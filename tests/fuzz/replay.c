/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * replay.c - runs a fuzz target over every file of a corpus directory.
 *
 * Linked with each fuzz_<name>.c so that CTest replays the stored corpus,
 * past crashes included, in the gcc and the sanitizer builds alike without
 * needing libFuzzer.  Fails if the directory is missing or empty, so a lost
 * corpus cannot pass silently.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0;
    size_t cap = 0;
    int rc = 1;

    if (f == NULL) {
        fprintf(stderr, "replay: %s: cannot open\n", path);
        return 1;
    }
    for (;;) {
        uint8_t chunk[4096];
        size_t n = fread(chunk, 1, sizeof chunk, f);
        if (n == 0)
            break;
        if (len + n > cap) {
            size_t ncap = (cap == 0 ? 8192 : cap * 2) + n;
            uint8_t *nb = realloc(buf, ncap);
            if (nb == NULL)
                goto out;
            buf = nb;
            cap = ncap;
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    /* Pass an exact-size heap copy so ASan sees any overread. */
    {
        uint8_t *exact = malloc(len ? len : 1);
        if (exact == NULL)
            goto out;
        if (len > 0)
            memcpy(exact, buf, len);
        (void)LLVMFuzzerTestOneInput(exact, len);
        free(exact);
    }
    rc = 0;
out:
    free(buf);
    fclose(f);
    return rc;
}

int main(int argc, char **argv)
{
    int count = 0;
    int failed = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    DIR *dir = opendir(argv[1]);
    if (dir == NULL) {
        fprintf(stderr, "replay: %s: no such corpus\n", argv[1]);
        return 1;
    }
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        char path[4096];
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", argv[1], de->d_name);
        failed += run_file(path);
        count++;
    }
    closedir(dir);
    printf("replayed %d inputs from %s\n", count, argv[1]);
    if (count == 0) {
        fprintf(stderr, "replay: %s: empty corpus\n", argv[1]);
        return 1;
    }
    return failed ? 1 : 0;
}
