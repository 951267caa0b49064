/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * training.h - what the training files share: the standard curriculum
 * (web/curriculum/modules.txt) and its reader, the audiences of a module,
 * and the handlers of training.c (the curriculum), training_sessions.c
 * (sessions and attendance) and training_progress.c (an outlet's
 * progress) that the route table joins.
 *
 * The curriculum is programme data (every login may read it); sessions
 * and attendance are outlet data: a session is visible to the users of
 * the outlets it includes, and every statement on them carries the
 * caller's scope (sql_training.h).
 */
#ifndef KALKAN_HUB_TRAINING_H
#define KALKAN_HUB_TRAINING_H

#include <stdbool.h>
#include <stddef.h>

#include "hub_int.h"
#include "i18n.h"

/* --- audiences: who a module is for --- */

enum hub_audience {
    HUB_AUD_ALL = 1,
    HUB_AUD_EDITORIAL,
    HUB_AUD_ADMIN,
    HUB_AUD_FINANCE,
    HUB_AUD_TECH,
    HUB_AUD_MANAGEMENT,
};
#define HUB_AUD_COUNT 6

/* Wire name ("all", "editorial", ...) and English label; NULL out of
 * range.  _from_name: 0 when unknown. */
const char *hub_audience_name(int v);
const char *hub_audience_label(int v);
int hub_audience_from_name(const char *s);

/* --- the standard curriculum --- */

#define HUB_MODULE_CODE_MAX 16
#define HUB_MODULE_CONTROLS_MAX 30
#define HUB_MODULE_MINUTES_MIN 15
#define HUB_MODULE_MINUTES_MAX 2880 /* two full days */
#define HUB_CURRICULUM_MAX 100

struct hub_module_std {
    const char *code;     /* "S01-2FA" */
    int minutes;          /* length of the module */
    const char *audience; /* a wire name of enum hub_audience */
    const char *controls; /* control ids, comma-separated, no spaces */
    const char *title[HUB_LANG_COUNT];
    const char *summary[HUB_LANG_COUNT];
};

struct hub_curriculum;

/* Parses the format of web/curriculum/modules.txt (documented at its
 * top): "[CODE]" sections of "key = value" lines; every module sets
 * minutes, audience, controls and title and summary in en, ru and ky,
 * once each.  Codes are unique; at most HUB_CURRICULUM_MAX modules of
 * HUB_MODULE_CONTROLS_MAX controls; at most KK_HUB_PO_MAX bytes.  The
 * diagnostic names the line.  Control ids are checked for their form
 * only (hub_curriculum_check looks them up). */
KK_WUR int hub_curriculum_parse(const char *text, size_t len,
                                struct hub_curriculum **out, struct kk_diag *d);
void hub_curriculum_free(struct hub_curriculum *c);
size_t hub_curriculum_len(const struct hub_curriculum *c);
const struct hub_module_std *hub_curriculum_at(const struct hub_curriculum *c,
                                               size_t i);
/* The module with this code, or NULL. */
const struct hub_module_std *hub_curriculum_find(const struct hub_curriculum *c,
                                                 const char *code);
/* KK_OK if every control a module teaches is in the catalogue, else
 * KK_ERR_INVAL naming the first one that is not. */
KK_WUR int hub_curriculum_check(const struct hub_curriculum *c,
                                const struct hub_catalogue *cat,
                                struct kk_diag *d);

/* The compiled-in standard curriculum, read and checked once (after
 * hub_i18n_init); KK_ERR_CORRUPT with the file and line when it does not
 * parse.  Thread-safe. */
KK_WUR int hub_curriculum_init(struct kk_diag *d);
/* The standard curriculum, or NULL before a successful init. */
const struct hub_curriculum *hub_curriculum_builtin(void);

/* True if code is 1..HUB_MODULE_CODE_MAX of A-Z, 0-9 and "-", starting
 * with a letter. */
bool hub_module_code_ok(const char *code);
/* Normalises a list of control ids ("ACC-01, acc-02" or JSON-joined) into
 * "ACC-01,ACC-02" (upper case, no spaces, no duplicates) in out; every id
 * must be in the built-in catalogue.  KK_ERR_INVAL naming the bad one in
 * *bad (static storage of the caller's size) otherwise. */
KK_WUR int hub_controls_normalise(const char *list, char *out, size_t cap);

/* --- shared by the training files --- */

/* A module's title and summary in lang: the standard text when the module
 * is a standard one whose title is still the standard English title, else
 * what is stored. */
const char *hub_module_title(int lang, const char *code, const char *title);
const char *hub_module_summary(int lang, const char *code, const char *title,
                               const char *summary);

/* True if the caller's role is in roles (a HUB_ROLEBIT mask). */
bool hub_training_may(const struct hub_req *r, unsigned roles);
/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" under key (null for 0). */
void hub_training_jw_time(struct hub_jw *w, const char *key, int64_t t);
/* Minutes as hours for people: "3", "2.5", "1.25", "0.33". */
void hub_training_hours(char *out, size_t cap, int64_t minutes);
/* Writes minutes as hours (hub_training_hours) into the page. */
void hub_training_put_hours(struct hub_req *r, int64_t minutes);
/* 400 {"error":{"code":"invalid","message":"FIELD: WHY"}}. */
void hub_training_invalid(struct hub_req *r, const char *field,
                          const char *why);

/* Route handlers: HTML or JSON by r->api. */
int hub_training_curriculum(struct hub_req *r);     /* GET /curriculum */
int hub_training_module_add(struct hub_req *r);     /* POST /curriculum */
int hub_training_module_get(struct hub_req *r);     /* GET /curriculum/{id} */
int hub_training_module_edit(struct hub_req *r);    /* POST /curriculum/{id} */
int hub_training_module_archive(struct hub_req *r); /* POST .../archive */
int hub_training_standard(struct hub_req *r);       /* POST .../standard */

int hub_training_sessions(struct hub_req *r);        /* GET /sessions */
int hub_training_session_add(struct hub_req *r);     /* POST /sessions */
int hub_training_session_get(struct hub_req *r);     /* GET /sessions/{id} */
int hub_training_session_edit(struct hub_req *r);    /* POST /sessions/{id} */
int hub_training_session_archive(struct hub_req *r); /* POST .../archive */
int hub_training_attendance(struct hub_req *r);      /* POST .../attendance */

int hub_training_outlet(struct hub_req *r); /* GET /outlets/{id}/training */

/* Parses an hours value typed in a form ("3", "2.5", "1,25", at most two
 * decimals) into minutes, rounded to the nearest minute; KK_ERR_INVAL for
 * anything else, KK_ERR_RANGE above max_minutes. */
KK_WUR int hub_hours_parse(const char *s, int64_t max_minutes,
                           int64_t *minutes);

#endif
