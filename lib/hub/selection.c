/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * selection.c - the selection workflow's model and routes: calls and
 * their criteria, the ranking, receipt codes, slugs, throttling windows,
 * the public forms' double-submit token and the retention purge.  The
 * pages and API live in selection_review.c (trainer and selection panel)
 * and selection_public.c (applicants and invited focal points).
 *
 * The ranking is computed by one statement (sql_selection.h) rather than
 * in C, so the order of the page, the API and the test's own computation
 * from raw rows can be compared: a call has at most SEL_APPLICATIONS_MAX
 * applications and ten criteria, so the correlated sub-queries cost
 * milliseconds.  Receipts are the applicant's only key to their
 * application: 100 random bits in a code a person can read over the
 * phone, of which the database keeps only a BLAKE2b hash.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "i18n.h"
#include "model.h"
#include "selection.h"

/* --- calls --- */

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src != NULL ? src : "");
}

int sel_call_load(struct hub_conn *c, int64_t id, struct sel_call *out)
{
    sqlite3_stmt *st = hub_q(c, HUB_Q_SEL_CALL_GET);
    int err = KK_ERR_NOTFOUND, rc;
    if (st == NULL)
        return KK_ERR_IO;
    memset(out, 0, sizeof *out);
    hub_bind_i64(st, ":id", id);
    hub_bind_i64(st, ":now", hub_now());
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        copy(out->title, sizeof out->title, hub_col_text(st, 1));
        copy(out->description, sizeof out->description, hub_col_text(st, 2));
        out->seats = sqlite3_column_int64(st, 3);
        copy(out->opens, sizeof out->opens, hub_col_text(st, 4));
        copy(out->closes, sizeof out->closes, hub_col_text(st, 5));
        out->retention_days = sqlite3_column_int64(st, 6);
        copy(out->status, sizeof out->status, hub_col_text(st, 7));
        out->created_at = sqlite3_column_int64(st, 8);
        out->decided_at = sqlite3_column_int64(st, 9);
        out->applications = sqlite3_column_int64(st, 10);
        out->selected = sqlite3_column_int64(st, 11);
        err = KK_OK;
    } else if (rc != SQLITE_DONE) {
        err = hub_sql_err(rc);
    }
    sqlite3_reset(st);
    if (err != KK_OK)
        return err;
    st = hub_q(c, HUB_Q_SEL_CRITERIA);
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":call", id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
           out->n_crit < SEL_CRITERIA_MAX) {
        struct sel_criterion *k = &out->crit[out->n_crit++];
        copy(k->name, sizeof k->name, hub_col_text(st, 0));
        k->weight = sqlite3_column_int64(st, 1);
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        err = hub_sql_err(rc);
    sqlite3_reset(st);
    return err;
}

bool sel_call_decided(const struct sel_call *call)
{
    return strcmp(call->status, "decided") == 0;
}

bool sel_call_accepting(const struct sel_call *call, int64_t now)
{
    char today[11];
    sel_day(now, today);
    return strcmp(call->status, "open") == 0 &&
           (call->opens[0] == '\0' || strcmp(call->opens, today) <= 0) &&
           (call->closes[0] == '\0' || strcmp(today, call->closes) <= 0);
}

const char *sel_call_label(const struct sel_call *call, int64_t now)
{
    char today[11];
    sel_day(now, today);
    if (sel_call_decided(call))
        return "Decided";
    if (call->opens[0] != '\0' && strcmp(today, call->opens) < 0)
        return "Not open yet";
    if (!sel_call_accepting(call, now))
        return "Closed for applications";
    return "Open for applications";
}

const char *sel_status_label(const char *status)
{
    if (strcmp(status, "selected") == 0)
        return "Selected";
    if (strcmp(status, "declined") == 0 || strcmp(status, "withdrawn") == 0)
        return "Not selected";
    return "Under review";
}

/* --- text --- */

bool sel_text_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max || !hub_utf8_valid(s, n))
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == 0x7f || (*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t'))
            return false;
    }
    return true;
}

static bool line_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f)
            return false;
    }
    return hub_utf8_valid(s, n);
}

int sel_criterion_check(const char *name, int64_t weight, const char **why)
{
    size_t n = name != NULL ? strlen(name) : 0;
    if (n == 0) {
        *why = "Each criterion needs a name.";
        return KK_ERR_INVAL;
    }
    if (n > SEL_CRITERION_MAX || !line_ok(name, n)) {
        *why = "A criterion's name is too long or not valid.";
        return KK_ERR_INVAL;
    }
    if (name[0] == ' ' || name[n - 1] == ' ') {
        *why = "A criterion's name may not start or end with a space.";
        return KK_ERR_INVAL;
    }
    if (weight < 1 || weight > SEL_WEIGHT_MAX) {
        *why = "Each weight is a whole number from 1 to 100.";
        return KK_ERR_INVAL;
    }
    return KK_OK;
}

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

/* One "name: weight" line (n bytes at s) into k. */
static int criterion_line(const char *s, size_t n, struct sel_criterion *k,
                          const char **why)
{
    const char *end = s + n, *colon = NULL, *w;
    char num[24];
    size_t nl, wl;
    int64_t weight = 0;
    for (const char *p = s; p < end; p++) {
        if (*p == ':')
            colon = p;
    }
    if (colon == NULL) {
        *why = "Write each criterion as a name, a colon and a weight.";
        return KK_ERR_INVAL;
    }
    nl = (size_t)(colon - s);
    trim(&s, &nl);
    w = colon + 1;
    wl = (size_t)(end - w);
    trim(&w, &wl);
    if (wl > 0 && wl < sizeof num) {
        memcpy(num, w, wl);
        num[wl] = '\0';
    } else {
        num[0] = '\0';
    }
    if (kk_parse_i64(num, 1, SEL_WEIGHT_MAX, &weight) != KK_OK) {
        *why = "Each weight is a whole number from 1 to 100.";
        return KK_ERR_INVAL;
    }
    if (nl > SEL_CRITERION_MAX) {
        *why = "A criterion's name is too long or not valid.";
        return KK_ERR_INVAL;
    }
    memcpy(k->name, s, nl);
    k->name[nl] = '\0';
    k->weight = weight;
    return sel_criterion_check(k->name, weight, why);
}

int sel_criteria_parse(const char *text, struct sel_criterion *out, size_t max,
                       size_t *n, const char **why)
{
    const char *p = text != NULL ? text : "";
    size_t count = 0;
    int err = KK_OK;
    while (*p != '\0' && err == KK_OK) {
        size_t len = strcspn(p, "\r\n"), blank = strspn(p, " \t");
        if (blank < len) {
            if (count >= max) {
                *why = "A call has at most ten criteria.";
                err = KK_ERR_INVAL;
                break;
            }
            err = criterion_line(p, len, &out[count], why);
            for (size_t i = 0; err == KK_OK && i < count; i++) {
                if (strcmp(out[i].name, out[count].name) == 0) {
                    *why = "Each criterion may appear only once.";
                    err = KK_ERR_INVAL;
                }
            }
            if (err == KK_OK)
                count++;
        }
        p += len;
        p += strspn(p, "\r\n");
    }
    if (err == KK_OK && count == 0) {
        *why = "Give at least one criterion.";
        err = KK_ERR_INVAL;
    }
    if (err == KK_OK)
        *n = count;
    return err;
}

/* --- the ranking --- */

static void ranked_fill(sqlite3_stmt *st, struct sel_ranked *a)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    copy(a->outlet_name, sizeof a->outlet_name, hub_col_text(st, 1));
    copy(a->media, sizeof a->media, hub_col_text(st, 2));
    copy(a->region, sizeof a->region, hub_col_text(st, 3));
    a->staff_count = sqlite3_column_int64(st, 4);
    copy(a->contact_name, sizeof a->contact_name, hub_col_text(st, 5));
    copy(a->contact_email, sizeof a->contact_email, hub_col_text(st, 6));
    copy(a->status, sizeof a->status, hub_col_text(st, 7));
    a->submitted_at = sqlite3_column_int64(st, 8);
    a->decided_at = sqlite3_column_int64(st, 9);
    a->purge_after = sqlite3_column_int64(st, 10);
    a->outlet_id = sqlite3_column_int64(st, 11);
    a->scored = sqlite3_column_type(st, 12) != SQLITE_NULL;
    a->score = a->scored ? sqlite3_column_double(st, 12) : 0.0;
    a->reviews = sqlite3_column_int64(st, 13);
    a->conflicts = sqlite3_column_int64(st, 14);
}

int sel_rank(struct hub_conn *c, int64_t call, int64_t now,
             struct sel_ranked **out, size_t *n)
{
    sqlite3_stmt *st = hub_q(c, HUB_Q_SEL_RANKED);
    struct sel_ranked *v = NULL, *grown;
    size_t count = 0, cap = 0;
    int err = KK_OK, rc;
    if (st == NULL)
        return KK_ERR_IO;
    hub_bind_i64(st, ":call", call);
    hub_bind_i64(st, ":now", now);
    hub_bind_i64(st, ":limit", SEL_APPLICATIONS_MAX);
    while (err == KK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap == 0 ? 16 : cap * 2;
            grown = realloc(v, cap * sizeof *v);
            if (grown == NULL) {
                err = KK_ERR_NOMEM;
                break;
            }
            v = grown;
        }
        ranked_fill(st, &v[count++]);
    }
    if (err == KK_OK && rc != SQLITE_DONE)
        err = hub_sql_err(rc);
    sqlite3_reset(st);
    if (err != KK_OK) {
        free(v);
        return err;
    }
    *out = v;
    *n = count;
    return KK_OK;
}

/* --- receipts --- */

/* Crockford's base32: no I, L, O or U to misread. */
static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void sel_receipt_new(char out[SEL_RECEIPT_TEXT])
{
    size_t k = 0;
    for (size_t i = 0; i < SEL_RECEIPT_CHARS; i++) {
        if (i > 0 && i % 4 == 0)
            out[k++] = '-';
        out[k++] = crockford[randombytes_uniform(32)];
    }
    out[k] = '\0';
}

int sel_receipt_hash(const char *typed, uint8_t out[32])
{
    char norm[SEL_RECEIPT_CHARS];
    size_t n = 0;
    int err = KK_OK;
    for (const char *p = typed != NULL ? typed : ""; *p != '\0'; p++) {
        char ch = *p;
        if (ch == ' ' || ch == '-' || ch == '\t')
            continue;
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        if (ch == 'O')
            ch = '0';
        else if (ch == 'I' || ch == 'L')
            ch = '1';
        if (strchr(crockford, ch) == NULL || n >= sizeof norm) {
            err = KK_ERR_INVAL;
            break;
        }
        norm[n++] = ch;
    }
    if (err == KK_OK && n != SEL_RECEIPT_CHARS)
        err = KK_ERR_INVAL;
    if (err == KK_OK)
        hub_hash(norm, n, out);
    kk_wipe(norm, sizeof norm);
    return err;
}

/* --- slugs --- */

/* Plain Latin for the accented Latin letters U+00C0..U+00FF. */
static const char *latin1(unsigned cp)
{
    static const char *const tab[64] = {
        "a", "a", "a", "a",  "a",  "a",  "ae", "c", "e", "e", "e",  "e", "i",
        "i", "i", "i", "d",  "n",  "o",  "o",  "o", "o", "o", NULL, "o", "u",
        "u", "u", "u", "y",  "th", "ss", "a",  "a", "a", "a", "a",  "a", "ae",
        "c", "e", "e", "e",  "e",  "i",  "i",  "i", "i", "d", "n",  "o", "o",
        "o", "o", "o", NULL, "o",  "u",  "u",  "u", "u", "y", "th", "y",
    };
    return cp >= 0xc0 && cp <= 0xff ? tab[cp - 0xc0] : NULL;
}

/* Latin for the Cyrillic letters of Russian and Kyrgyz (lower case), and
 * for the accented Latin and Turkic letters. */
static const char *translit(unsigned cp)
{
    static const char *const ru[32] = {
        "a",  "b",  "v",  "g",    "d", "e", "zh", "z", "i",  "i",  "k",
        "l",  "m",  "n",  "o",    "p", "r", "s",  "t", "u",  "f",  "kh",
        "ts", "ch", "sh", "shch", "",  "y", "",   "e", "yu", "ya",
    };
    if (cp >= 0x410 && cp <= 0x42f)
        return ru[cp - 0x410];
    if (cp >= 0x430 && cp <= 0x44f)
        return ru[cp - 0x430];
    switch (cp) {
    case 0x401:
    case 0x451:
        return "e";
    case 0x4a2:
    case 0x4a3:
        return "ng";
    case 0x4e8:
    case 0x4e9:
        return "o";
    case 0x4ae:
    case 0x4af:
        return "u";
    case 0x11e:
    case 0x11f:
        return "g";
    case 0x130:
    case 0x131:
        return "i";
    case 0x15e:
    case 0x15f:
        return "s";
    default:
        return latin1(cp);
    }
}

void sel_slug_from_name(const char *name, char *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)name;
    size_t n = 0, limit = cap > 37 ? 36 : cap - 1;
    bool dash = false;
    while (*p != '\0' && n < limit) {
        const char *piece = NULL;
        char one[2] = {0, 0};
        if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) {
            one[0] = (char)*p;
            piece = one;
            p++;
        } else if (*p >= 'A' && *p <= 'Z') {
            one[0] = (char)(*p - 'A' + 'a');
            piece = one;
            p++;
        } else if ((*p & 0xe0) == 0xc0 && (p[1] & 0xc0) == 0x80) {
            piece = translit(((unsigned)(*p & 0x1f) << 6) | (p[1] & 0x3f));
            p += 2;
        } else {
            p++;
            while ((*p & 0xc0) == 0x80)
                p++;
        }
        if (piece == NULL) {
            dash = n > 0;
            continue;
        }
        if (dash && n + 1 < limit)
            out[n++] = '-';
        dash = false;
        for (; *piece != '\0' && n < limit; piece++)
            out[n++] = *piece;
    }
    while (n > 0 && out[n - 1] == '-')
        n--;
    if (n == 0) {
        snprintf(out, cap, "outlet");
        return;
    }
    out[n] = '\0';
}

/* --- throttling windows --- */

bool sel_rate_over(struct hub_conn *c, const char *key, int64_t limit,
                   int64_t now, bool hit)
{
    sqlite3_stmt *st = hub_q(c, HUB_Q_SEL_RATE_GET);
    int64_t used = 0;
    if (st == NULL)
        return true; /* fail closed */
    hub_bind_text(st, ":key", key);
    hub_bind_i64(st, ":now", now);
    hub_bind_i64(st, ":window", SEL_WINDOW);
    if (sqlite3_step(st) == SQLITE_ROW)
        used = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (used >= limit)
        return true;
    if (!hit)
        return false;
    st = hub_q(c, HUB_Q_SEL_RATE_HIT);
    if (st == NULL)
        return true;
    hub_bind_text(st, ":key", key);
    hub_bind_i64(st, ":now", now);
    hub_bind_i64(st, ":window", SEL_WINDOW);
    return hub_exec(st) != KK_OK;
}

/* --- the public forms' token --- */

#define PRE_COOKIE "kk_pre"

void sel_pre_token(struct hub_req *r, char *out, size_t cap)
{
    uint8_t raw[18];
    char set[160];
    const char *c = sel_header(r, "Cookie");
    if (c != NULL && hub_cookie_get(c, PRE_COOKIE, out, cap) == KK_OK &&
        strlen(out) == 24)
        return;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, cap, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    snprintf(set, sizeof set,
             PRE_COOKIE "=%s; Path=/; Max-Age=3600; SameSite=Strict; "
                        "HttpOnly%s",
             out, r->secure ? "; Secure" : "");
    hub_set_header(r, "Set-Cookie", set);
}

bool sel_pre_ok(struct hub_req *r)
{
    char pre[32];
    const char *c = sel_header(r, "Cookie");
    const char *f = hub_form_get(r->form, "pre");
    const char *site = sel_header(r, "Sec-Fetch-Site");
    const char *origin = sel_header(r, "Origin");
    if (site != NULL && strcmp(site, "same-origin") != 0 &&
        strcmp(site, "none") != 0)
        return false;
    if (origin != NULL && strcmp(origin, "null") != 0) {
        const char *host = sel_header(r, "Host");
        const char *o = strstr(origin, "://");
        if (host == NULL || o == NULL || strcmp(o + 3, host) != 0)
            return false;
    }
    return c != NULL && f != NULL &&
           hub_cookie_get(c, PRE_COOKIE, pre, sizeof pre) == KK_OK &&
           strlen(pre) == 24 && kk_streq_ct(pre, f);
}

const char *sel_header(struct hub_req *r, const char *name)
{
    return r->mhd != NULL ? hub_header(r, name) : NULL;
}

/* A Host header fit to print in a link: a name or address and a port. */
static bool host_ok(const char *h)
{
    size_t n = strlen(h);
    return n > 0 && n < 200 &&
           strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789.-:[]") == n;
}

void sel_base(struct hub_req *r, char *out, size_t cap)
{
    const char *base = hub_base_url(r);
    const char *host = sel_header(r, "Host");
    if (base[0] != '\0')
        snprintf(out, cap, "%s", base);
    else if (host != NULL && host_ok(host))
        snprintf(out, cap, "%s://%s", r->secure ? "https" : "http", host);
    else
        snprintf(out, cap, "%s", "");
}

void sel_day(int64_t t, char out[11])
{
    char iso[32];
    if (kk_format_time(t, iso, sizeof iso) != KK_OK)
        snprintf(iso, sizeof iso, "1970-01-01");
    memcpy(out, iso, 10);
    out[10] = '\0';
}

void sel_jw_time(struct hub_jw *w, const char *key, int64_t t)
{
    char iso[32];
    if (t == 0 || kk_format_time(t, iso, sizeof iso) != KK_OK)
        hub_jw_null(w, key);
    else
        hub_jw_str(w, key, iso);
}

int sel_tx_end(struct hub_req *r, int err)
{
    if (err == KK_OK)
        return hub_tx_commit(r->db);
    hub_tx_rollback(r->db);
    return err;
}

/* --- retention --- */

int sel_purge_run(struct hub_conn *c, int64_t now, int64_t *deleted)
{
    static const enum hub_q steps[] = {
        HUB_Q_SEL_PURGE_SCORES,
        HUB_Q_SEL_PURGE_CONFLICTS,
        HUB_Q_SEL_PURGE_APPS,
    };
    int err = KK_OK;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0] && err == KK_OK;
         i++) {
        sqlite3_stmt *st = hub_q(c, steps[i]);
        if (st == NULL) {
            err = KK_ERR_IO;
            break;
        }
        hub_bind_i64(st, ":now", now);
        err = hub_exec(st);
    }
    if (err == KK_OK)
        *deleted = sqlite3_changes(c->db);
    return err;
}

int hub_selection_purge(struct hub_conn *c, int64_t now, int64_t *deleted)
{
    int64_t n = 0;
    int err = hub_tx_begin(c);
    if (err != KK_OK)
        return err;
    err = sel_purge_run(c, now, &n);
    if (err == KK_OK)
        err = hub_tx_commit(c);
    else
        hub_tx_rollback(c);
    if (err == KK_OK)
        *deleted = n;
    return err;
}

/* --- routes --- */

#define TR HUB_ROLEBIT(HUB_ROLE_TRAINER)
#define PANEL (HUB_ROLEBIT(HUB_ROLE_TRAINER) | HUB_ROLEBIT(HUB_ROLE_PANEL))
#define PUB (HUB_R_PUBLIC | HUB_R_NOCSRF)
#define API "/api/v1"
#define APP "/calls/{id}/applications/{id}"

const struct hub_route hub_routes_selection[] = {
    {HUB_GET, "/calls", 0, PANEL, sel_calls_get},
    {HUB_POST, "/calls", 0, TR, sel_calls_post},
    {HUB_GET, "/calls/{id}", 0, PANEL, sel_call_get},
    {HUB_POST, "/calls/{id}/close", 0, TR, sel_call_close},
    {HUB_GET, APP, 0, PANEL, sel_app_get},
    {HUB_POST, APP "/scores", 0, PANEL, sel_app_scores},
    {HUB_POST, APP "/conflict", 0, PANEL, sel_app_conflict},
    {HUB_POST, APP "/select", 0, TR, sel_app_select},
    {HUB_POST, APP "/decline", 0, TR, sel_app_decline},
    {HUB_GET, "/apply/{id}", HUB_R_PUBLIC, 0, sel_apply_get},
    {HUB_POST, "/apply/{id}", PUB, 0, sel_apply_post},
    {HUB_GET, "/apply/status", HUB_R_PUBLIC, 0, sel_status_get},
    {HUB_POST, "/apply/status", PUB, 0, sel_status_post},
    {HUB_GET, "/invite", HUB_R_PUBLIC, 0, sel_invite_get},
    {HUB_POST, "/invite", PUB, 0, sel_invite_post},
    {HUB_GET, API "/calls", HUB_R_API, PANEL, sel_calls_get},
    {HUB_POST, API "/calls", HUB_R_API, TR, sel_calls_post},
    {HUB_GET, API "/calls/{id}", HUB_R_API, PANEL, sel_call_get},
    {HUB_POST, API "/calls/{id}/close", HUB_R_API, TR, sel_call_close},
    {HUB_GET, API "/calls/{id}/applications", HUB_R_API, PANEL, sel_apps_get},
    {HUB_POST, API "/calls/{id}/applications", HUB_R_API | PUB, 0,
     sel_apply_post},
    {HUB_GET, API APP, HUB_R_API, PANEL, sel_app_get},
    {HUB_POST, API APP "/scores", HUB_R_API, PANEL, sel_app_scores},
    {HUB_POST, API APP "/conflict", HUB_R_API, PANEL, sel_app_conflict},
    {HUB_POST, API APP "/select", HUB_R_API, TR, sel_app_select},
    {HUB_POST, API APP "/decline", HUB_R_API, TR, sel_app_decline},
    {HUB_POST, API "/applications/status", HUB_R_API | PUB, 0, sel_status_post},
    {0, NULL, 0, 0, NULL},
};
