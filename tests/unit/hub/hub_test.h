/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hub_test.h - what the hub's unit tests share: a temporary directory
 * holding a fresh database (hub.db, its WAL and key file), and its removal.
 */
#ifndef KALKAN_HUB_TEST_H
#define KALKAN_HUB_TEST_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Makes a directory "/tmp/kk-<tag>-XXXXXX" into dir and the database path
 * "<dir>/hub.db" into path; false if the directory cannot be made. */
static inline bool hub_test_dir(const char *tag, char *dir, size_t dcap,
                                char *path, size_t pcap)
{
    snprintf(dir, dcap, "/tmp/kk-%s-XXXXXX", tag);
    if (mkdtemp(dir) == NULL)
        return false;
    snprintf(path, pcap, "%s/hub.db", dir);
    return true;
}

/* Removes every file in dir (the database, WAL, key, copies), then dir. */
static inline void hub_test_dir_remove(const char *dir)
{
    DIR *dp = opendir(dir);
    struct dirent *e;
    char p[512];
    while (dp != NULL && (e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    if (dp != NULL)
        closedir(dp);
    rmdir(dir);
}

#endif
