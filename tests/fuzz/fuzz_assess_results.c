/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_assess_results.c - fuzz target of the reader of an assessment's
 * recorded results (hub_assess_results_parse in assess_sheet.c): the JSON
 * body {"results":[{"control_id","subject_type","subject_id","status",
 * "note"}]} of POST /api/v1/outlets/{id}/assessments/{id}/results.
 *
 * After each run: an accepted list holds 1 to HUB_ASSESS_RESULTS_MAX
 * results, each with a catalogue control whose subject type is the
 * result's, a positive subject id, a known status and a bounded note; a
 * refused one names a reason and an index within the list.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "assess.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    struct hub_json *doc = NULL;
    struct hub_assess_result *v = NULL;
    const char *why = NULL;
    size_t n = 0, bad = 0;
    int err;
    if (!ready) {
        struct kk_diag d = {.msg = ""};
        if (hub_i18n_init(&d) != KK_OK)
            __builtin_trap();
        ready = true;
    }
    if (hub_json_parse((const char *)data, size, &doc, NULL) != KK_OK)
        return 0;
    err = hub_assess_results_parse(doc, &v, &n, &bad, &why);
    if (err == KK_OK) {
        if (n == 0 || n > HUB_ASSESS_RESULTS_MAX || why != NULL)
            __builtin_trap();
        for (size_t i = 0; i < n; i++) {
            if (v[i].ctl == NULL || v[i].sid <= 0 ||
                strcmp(v[i].ctl->applies, v[i].stype) != 0 ||
                hub_assess_result_from(v[i].status) == 0 ||
                strlen(v[i].note) > HUB_ASSESS_NOTE_MAX)
                __builtin_trap();
        }
        free(v);
    } else if (err == KK_ERR_INVAL) {
        if (why == NULL || bad > HUB_ASSESS_RESULTS_MAX)
            __builtin_trap();
    }
    hub_json_free(doc);
    return 0;
}
