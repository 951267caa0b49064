/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_guard_upload.c - fuzz target of the reader of a report the log
 * guard posts to the hub (hub_guard_report_read in guard_upload.c): the
 * JSON sent to POST /api/v1/websites/{id}/guard.
 *
 * After each run: an accepted report has a host and version of the allowed
 * alphabets, counts from 0, times from 2000 on and not in the future (the
 * start before the sending), at most 1000 events, each with a rule of
 * [a-z0-9-], first not after at, and an address whose canonical text
 * reads back to itself.  A refused one says why and holds nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guard_hub.h"
#include "parse.h"

#define NOW INT64_C(1795953600)
#define TIME_MIN INT64_C(946684800)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_event(const struct hub_guard_event *e)
{
    char again[HUB_GUARD_ADDR_MAX];
    if (!hub_guard_rule_ok(e->rule) || e->at < TIME_MIN ||
        e->at > NOW + HUB_GUARD_SKEW || e->first < TIME_MIN ||
        e->first > e->at || e->until < TIME_MIN || e->hits < 0 || e->level < 0)
        __builtin_trap();
    if (!hub_guard_prefix_canon(e->address, 0, 0, again, sizeof again) ||
        strcmp(again, e->address) != 0)
        __builtin_trap();
}

static void check_accepted(const struct hub_guard_report *rep)
{
    if (rep->host[0] == '\0' || rep->version[0] == '\0' ||
        strlen(rep->host) >= HUB_GUARD_HOST_MAX ||
        rep->sent_at > NOW + HUB_GUARD_SKEW || rep->started_at < TIME_MIN ||
        rep->started_at > rep->sent_at || rep->lines < 0 || rep->matched < 0 ||
        rep->tracked < 0 || rep->banned < 0 ||
        rep->n_events > HUB_GUARD_EVENTS_MAX)
        __builtin_trap();
    for (const char *p = rep->host; *p != '\0'; p++) {
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7F ||
            *p == '<' || *p == '&' || *p == '"')
            __builtin_trap();
    }
    for (size_t i = 0; i < rep->n_events; i++)
        check_event(&rep->events[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hub_json *doc = NULL;
    struct hub_guard_report rep;
    const char *why = NULL;
    int err;
    if (hub_json_parse((const char *)data, size, &doc, NULL) != KK_OK)
        return 0;
    err = hub_guard_report_read(hub_json_root(doc), NOW, &rep, &why);
    if (err == KK_OK) {
        check_accepted(&rep);
    } else if (err == KK_ERR_INVAL &&
               (why == NULL || rep.n_events != 0 || rep.events != NULL)) {
        __builtin_trap();
    }
    hub_guard_report_clear(&rep);
    hub_json_free(doc);
    return 0;
}
