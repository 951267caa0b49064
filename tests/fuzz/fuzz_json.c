/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_json.c - fuzz target of the JSON parser.  Every parsed document is
 * walked in full through the accessors: types are in range, strings are
 * valid UTF-8, every object key finds its own member (keys are unique),
 * and the number and boolean readers agree with the types.  The walk
 * recurses, which is safe because the parser caps nesting.
 */
#include <stdint.h>
#include <string.h>

#include "kalkan/kk.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct hub_jv *v, unsigned depth)
{
    enum hub_json_type t = hub_jv_type(v);
    const char *s = hub_jv_str(v);
    int64_t n;
    bool b;
    int r;

    if (v == NULL || depth > KK_HUB_JSON_DEPTH_MAX || t > HUB_JSON_OBJECT)
        __builtin_trap();
    if ((t == HUB_JSON_STRING) != (s != NULL))
        __builtin_trap();
    if (s != NULL && !hub_utf8_valid(s, strlen(s)))
        __builtin_trap();
    r = hub_jv_i64(v, &n);
    if ((t != HUB_JSON_NUMBER && r != KK_ERR_INVAL) ||
        (r != KK_OK && r != KK_ERR_INVAL && r != KK_ERR_RANGE))
        __builtin_trap();
    r = hub_jv_bool(v, &b);
    if ((r == KK_OK) != (t == HUB_JSON_TRUE || t == HUB_JSON_FALSE) ||
        (r == KK_OK && b != (t == HUB_JSON_TRUE)))
        __builtin_trap();
    if (t != HUB_JSON_ARRAY && t != HUB_JSON_OBJECT && hub_jv_len(v) != 0)
        __builtin_trap();
    for (size_t i = 0; i < hub_jv_len(v); i++) {
        const struct hub_jv *m = hub_jv_at(v, i);
        const char *k = hub_jv_key_at(v, i);

        if (m == NULL || (t == HUB_JSON_OBJECT) != (k != NULL))
            __builtin_trap();
        if (k != NULL &&
            (!hub_utf8_valid(k, strlen(k)) || hub_jv_get(v, k) != m))
            __builtin_trap();
        walk(m, depth + 1);
    }
    if (hub_jv_at(v, hub_jv_len(v)) != NULL)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hub_json *j = NULL;
    struct kk_diag d;

    if (size > KK_HUB_BODY_MAX)
        return 0;
    d.msg[0] = '\0';
    if (hub_json_parse((const char *)data, size, &j, &d) == KK_OK) {
        walk(hub_json_root(j), 0);
        hub_json_free(j);
    } else if (j != NULL || d.msg[0] == '\0') {
        __builtin_trap();
    }
    return 0;
}
