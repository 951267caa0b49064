/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_site_upload.c - fuzz target of the reader of a report an outlet's
 * server sends to the hub (hub_site_upload_read in site_upload.c): the
 * JSON of `kalkan site check --json` posted to
 * /api/v1/websites/{id}/checks, for the website news.example.
 *
 * After each run: an accepted report has only catalogue findings, each
 * once, with the catalogue's severity and evidence without control
 * characters within KK_SITE_EVIDENCE_MAX bytes; a grade and a score from
 * 0 to 100 unless it failed; a time not in the future; and the report
 * written again is JSON the hub's parser accepts and reads back to the
 * same report.  A refused one says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "parse.h"
#include "site_hub.h"

#define NOW INT64_C(1795953600)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_accepted(const struct hub_site_result *res)
{
    if (res->checked_at <= 0 || res->checked_at > NOW + 300)
        __builtin_trap();
    if (res->failure[0] == '\0' && (hub_site_grade_rank(res->grade) == 0 ||
                                    res->score < 0 || res->score > 100))
        __builtin_trap();
    for (size_t i = 0; i < res->n_items; i++) {
        const struct hub_site_item *it = &res->items[i];
        const struct site_finding_def *def = site_finding_find(it->id);
        if (def == NULL || (int)def->sev != it->sev ||
            strlen(it->evidence) > KK_SITE_EVIDENCE_MAX)
            __builtin_trap();
        for (const char *p = it->evidence; *p != '\0'; p++) {
            if ((unsigned char)*p < 0x20)
                __builtin_trap();
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(res->items[j].id, it->id) == 0)
                __builtin_trap();
        }
    }
}

/* The written report reads back to the same one. */
static void check_again(const struct hub_site_result *res)
{
    struct hub_json *doc = NULL;
    struct hub_site_result again;
    const char *why = NULL;
    if (hub_json_parse(kk_buf_str(res->report), kk_buf_len(res->report), &doc,
                       NULL) != KK_OK)
        __builtin_trap();
    if (hub_site_result_init(&again) != KK_OK)
        return;
    if (hub_site_upload_read(hub_json_root(doc), "news.example", NOW, &again,
                             &why) != KK_OK ||
        strcmp(kk_buf_str(again.report), kk_buf_str(res->report)) != 0 ||
        again.n_items != res->n_items)
        __builtin_trap();
    hub_site_result_clear(&again);
    hub_json_free(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    struct hub_json *doc = NULL;
    struct hub_site_result res;
    const char *why = NULL;
    int err;
    if (!ready) {
        struct kk_diag d = {.msg = ""};
        if (hub_i18n_init(&d) != KK_OK)
            __builtin_trap();
        ready = true;
    }
    if (hub_json_parse((const char *)data, size, &doc, NULL) != KK_OK)
        return 0;
    if (hub_site_result_init(&res) != KK_OK) {
        hub_json_free(doc);
        return 0;
    }
    err = hub_site_upload_read(hub_json_root(doc), "news.example", NOW, &res,
                               &why);
    if (err == KK_OK) {
        check_accepted(&res);
        check_again(&res);
    } else if (err == KK_ERR_INVAL && why == NULL) {
        __builtin_trap();
    }
    hub_site_result_clear(&res);
    hub_json_free(doc);
    return 0;
}
