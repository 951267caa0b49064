/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fragcache.c - rendered page parts kept until the data changes.
 *
 * The dashboard's content (figures, two charts, the outlet table) is the
 * same for every reader with the same scope and language until somebody
 * changes outlet data; only the frame around it carries the session's CSRF
 * token.  So pages cache the bytes they write between the frame's start and
 * end, keyed by (data generation, scope, language, kind, outlet), and a
 * repeat visit is a copy.  64 direct-mapped slots of at most 256 KiB each;
 * a collision or a bigger fragment simply renders again.  Keys never hold
 * anything a reader could not see: the scope is part of every key.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hub_int.h"
#include "model.h"

#define FRAG_SLOTS 64
#define FRAG_MAX (256 * 1024)

struct frag {
    uint64_t gen;
    int64_t scope, outlet;
    int lang;
    char kind[16];
    char *data;
    size_t len;
};

static struct frag frags[FRAG_SLOTS];
static pthread_mutex_t frag_lock = PTHREAD_MUTEX_INITIALIZER;

int64_t hub_cache_scope(const struct hub_req *r)
{
    if (r->who.role == HUB_ROLE_TRAINER)
        return -1; /* every trainer sees every outlet */
    if (r->who.role == HUB_ROLE_DONOR)
        return -2; /* the whole programme, as counts */
    return r->who.user_id;
}

static size_t frag_slot(int64_t scope, int64_t outlet, int lang,
                        const char *kind)
{
    uint64_t h = 1469598103934665603u;
    for (const char *p = kind; *p != '\0'; p++)
        h = (h ^ (uint8_t)*p) * 1099511628211u;
    h ^= (uint64_t)scope * 0x9E3779B97F4A7C15u;
    h ^= ((uint64_t)outlet + (uint64_t)lang) * 0xBF58476D1CE4E5B9u;
    h ^= h >> 31;
    return (size_t)(h % FRAG_SLOTS);
}

static bool frag_match(const struct frag *f, uint64_t gen, int64_t scope,
                       int64_t outlet, int lang, const char *kind)
{
    return f->data != NULL && f->gen == gen && f->scope == scope &&
           f->outlet == outlet && f->lang == lang && strcmp(f->kind, kind) == 0;
}

bool hub_frag_emit(struct hub_req *r, const char *kind, int64_t outlet,
                   uint64_t gen)
{
    int64_t scope = hub_cache_scope(r);
    struct frag *f = &frags[frag_slot(scope, outlet, r->lang, kind)];
    bool hit;
    pthread_mutex_lock(&frag_lock);
    hit = frag_match(f, gen, scope, outlet, r->lang, kind);
    if (hit && r->err == KK_OK)
        r->err = kk_buf_put(r->out, f->data, f->len);
    pthread_mutex_unlock(&frag_lock);
    return hit;
}

void hub_frag_store(struct hub_req *r, const char *kind, int64_t outlet,
                    uint64_t gen, size_t from)
{
    int64_t scope = hub_cache_scope(r);
    struct frag *f = &frags[frag_slot(scope, outlet, r->lang, kind)];
    size_t len = kk_buf_len(r->out);
    char *copy;
    if (r->err != KK_OK || len < from || len - from > FRAG_MAX ||
        strlen(kind) >= sizeof f->kind)
        return;
    copy = malloc(len - from);
    if (copy == NULL)
        return;
    memcpy(copy, kk_buf_data(r->out) + from, len - from);
    pthread_mutex_lock(&frag_lock);
    free(f->data);
    f->data = copy;
    f->len = len - from;
    f->gen = gen;
    f->scope = scope;
    f->outlet = outlet;
    f->lang = r->lang;
    memcpy(f->kind, kind, strlen(kind) + 1);
    pthread_mutex_unlock(&frag_lock);
}
