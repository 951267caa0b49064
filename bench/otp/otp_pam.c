/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * otp_pam.c - cost of one verification through the real PAM stack.
 *
 * Drives pam_start_confdir()/pam_authenticate()/pam_end() in a loop, the
 * way a login program does, against a service file in a private directory,
 * so pam_kalkan.so and its peers (pam_google_authenticator, pam_oath) are
 * measured by the same code on the same machine.  The module is pinned in
 * memory first (RTLD_NODELETE) so the loop measures verification, not the
 * loading of shared libraries.  Successful verifications use HOTP: each
 * iteration answers with the code of the next counter, generated here with
 * liboath, so every answer is fresh and valid.
 *
 * Usage: bench_otp_pam CONFDIR SERVICE USER MODULE fail CODE N
 *        bench_otp_pam CONFDIR SERVICE USER MODULE hotp HEXKEY:COUNTER N
 * Prints one JSON object.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <liboath/oath.h>
#include <security/pam_appl.h>

#include "kalkan/kk.h"

static char answer[64];

static int conv(int n, const struct pam_message **msg,
                struct pam_response **resp, void *data)
{
    struct pam_response *r = calloc((size_t)n, sizeof *r);

    (void)data;
    if (r == NULL)
        return PAM_BUF_ERR;
    for (int i = 0; i < n; i++) {
        if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF ||
            msg[i]->msg_style == PAM_PROMPT_ECHO_ON) {
            r[i].resp = strdup(answer);
            if (r[i].resp == NULL) {
                for (int j = 0; j < i; j++)
                    free(r[j].resp);
                free(r);
                return PAM_BUF_ERR;
            }
        }
    }
    *resp = r;
    return PAM_SUCCESS;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int hexkey(const char *hex, char *key, size_t cap, size_t *len)
{
    size_t n = strlen(hex);

    if (n % 2 != 0 || n / 2 > cap)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return -1;
        key[i] = (char)v;
    }
    *len = n / 2;
    return 0;
}

int main(int argc, char **argv)
{
    struct pam_conv pc = {conv, NULL};
    char key[128];
    size_t keylen = 0;
    uint64_t counter = 0;
    uint64_t iters;
    bool hotp;
    int ok = 0;
    double t0;
    double t1;

    if (argc != 8) {
        fprintf(stderr,
                "usage: %s CONFDIR SERVICE USER MODULE fail|hotp "
                "CODE|HEXKEY:COUNTER N\n",
                argv[0]);
        return 2;
    }
    hotp = strcmp(argv[5], "hotp") == 0;
    if (kk_parse_u64(argv[7], 1, 10000000, &iters) != KK_OK)
        return 2;
    if (hotp) {
        char *colon = strchr(argv[6], ':');
        if (colon == NULL)
            return 2;
        *colon = '\0';
        if (hexkey(argv[6], key, sizeof key, &keylen) != 0 ||
            kk_parse_u64(colon + 1, 0, UINT64_MAX, &counter) != KK_OK)
            return 2;
        oath_init();
    } else {
        snprintf(answer, sizeof answer, "%s", argv[6]);
    }
    if (dlopen(argv[4], RTLD_NOW | RTLD_NODELETE) == NULL) {
        fprintf(stderr, "%s: %s\n", argv[4], dlerror());
        return 3;
    }
    t0 = now_s();
    for (uint64_t i = 0; i < iters; i++) {
        pam_handle_t *h = NULL;
        int r;

        if (hotp &&
            oath_hotp_generate(key, keylen, counter + i, 6, false,
                               OATH_HOTP_DYNAMIC_TRUNCATION, answer) != OATH_OK)
            return 3;
        r = pam_start_confdir(argv[2], argv[3], &pc, argv[1], &h);
        if (r != PAM_SUCCESS)
            return 3;
        r = pam_authenticate(h, PAM_SILENT);
        if (r == PAM_SUCCESS)
            ok++;
        pam_end(h, r);
    }
    t1 = now_s();
    printf("{\"iterations\": %llu, \"seconds\": %.6f, \"us_per_op\": %.2f, "
           "\"successes\": %d}\n",
           (unsigned long long)iters, t1 - t0, (t1 - t0) * 1e6 / (double)iters,
           ok);
    return 0;
}
