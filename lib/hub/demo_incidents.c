/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * demo_incidents.c - the demo programme's incidents: for each outlet, the
 * cases a small newsroom meets in six months (a hijacked Facebook
 * profile, a restricted Page, a flood on the website, a phishing wave, a
 * phone taken at the border, a lawyer's letter...), with their affected
 * people, accounts, devices and websites, a timeline (the report, the
 * trainer's first answer, the triage walk, escalations, a note only
 * trainers see, the status changes) and the clock times that follow from
 * it.
 *
 * Each outlet gets its own list of cases from a table of templates, so
 * that every outlet has a hijacked account, a restricted page and a
 * phishing wave: enough cases of one type for a median time to recover.
 * Most are recovered and closed; two are still open and one contained,
 * all reported a few days before the demo's "now" at least three hours
 * off the hour of "now", so that the open incidents' age in days does not
 * change in the first hours of a demo.  Every choice comes from
 * hub_demo_below and every id from hub_demo_id: the same seed gives the
 * same rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident.h"
#include "programme.h"
#include "seal.h"

#define DAY INT64_C(86400)
#define HOUR INT64_C(3600)
#define MINUTE INT64_C(60)
#define REG_MAX 400
#define PLAN_MAX 8

/* What an incident touches, picked from the outlet's register. */
enum pick {
    P_PROFILE,     /* a Facebook profile and its owner */
    P_TELEGRAM,    /* a Telegram account and its owner */
    P_MAILBOX,     /* an e-mail account and its owner */
    P_PAGE,        /* the Facebook Page */
    P_CHANNEL,     /* the Telegram channel */
    P_MAILBOXES,   /* two or three e-mail accounts and their owners */
    P_PHONE,       /* a phone and its custodian */
    P_COMPUTER,    /* a laptop or desktop and its custodian */
    P_SITE,        /* the website */
    P_EDITOR,      /* an editorial person */
    P_SITE_EDITOR, /* the website and an editorial person */
};

struct tpl {
    int type, severity;
    const char *title;
    int pick;
    int fr_lo, fr_hi; /* first response after the report, minutes */
    int ct_lo, ct_hi; /* contained after the report, hours */
    int rc_lo, rc_hi; /* recovered after containment, hours; 0: never */
    const char *flow, *path;
    const char *report, *response, *escalation, *private_note;
};

enum {
    T_FB_HIJACK,
    T_TG_HIJACK,
    T_MAIL_HIJACK,
    T_PAGE,
    T_CHANNEL,
    T_DDOS,
    T_DEFACE,
    T_PHISH,
    T_SEIZED,
    T_LOST,
    T_MALWARE,
    T_HARASS,
    T_LEGAL,
};

static const struct tpl tpls[] = {
    [T_FB_HIJACK] = {HUB_INC_ACCOUNT_HIJACKED, 3,
                     "Editor's Facebook profile taken over after a fake "
                     "copyright notice",
                     P_PROFILE, 20, 180, 2, 10, 24, 96, "account_access", "22",
                     "She cannot sign in: the profile's e-mail address was "
                     "changed overnight, and posts in her name ask followers "
                     "for money.",
                     "Called the editor. We went through facebook.com/hacked "
                     "together from her own laptop; Meta asked for an identity "
                     "check.",
                     "Escalated to Access Now's Digital Security Helpline with "
                     "the profile's link and the identity check's reference; "
                     "they passed it to Meta.",
                     "She used the same password on an old forum account that "
                     "leaked last year. Follow up on the password manager."},
    [T_TG_HIJACK] = {HUB_INC_ACCOUNT_HIJACKED, 2,
                     "Reporter's Telegram account opened from an unknown "
                     "device",
                     P_TELEGRAM, 10, 60, 1, 4, 2, 24, "account_access", "31",
                     "Telegram showed a login from an unknown Android device "
                     "in another city; the app still works on the reporter's "
                     "phone.",
                     "By phone with the reporter: all other sessions ended, a "
                     "two-step password with a recovery e-mail set.",
                     NULL, NULL},
    [T_MAIL_HIJACK] = {HUB_INC_ACCOUNT_HIJACKED, 3,
                       "Newsroom mailbox sending fake invoices to our "
                       "contacts",
                       P_MAILBOX, 15, 90, 1, 6, 12, 72, "account_access", "11",
                       "Two sources wrote that they received a strange "
                       "'invoice' from the news desk's address.",
                       "Password changed, a forwarding rule to an outside "
                       "address removed, three unknown sessions signed out.",
                       NULL,
                       "The forwarding rule was at least two weeks old: check "
                       "which messages went out."},
    [T_PAGE] = {HUB_INC_PAGE_BLOCKED, 3,
                "Facebook Page restricted after a wave of reports on the "
                "election story",
                P_PAGE, 30, 240, 12, 48, 72, 336, "page_blocked", "11",
                "Page quality shows a restriction for two posts of the "
                "election coverage; the reach fell to almost nothing.",
                "Asked for a review of both decisions with the journalistic "
                "context; screenshots are in the shared folder.",
                "Escalated to Access Now's Helpline for a review by Meta; "
                "their ticket number is in our notes.",
                "The reports came within an hour from a cluster of new "
                "profiles: most likely coordinated."},
    [T_CHANNEL] = {HUB_INC_PAGE_BLOCKED, 2,
                   "Telegram channel not shown to readers on iPhones",
                   P_CHANNEL, 30, 180, 6, 24, 48, 168, "page_blocked", "21",
                   "Readers on iPhones see 'This channel can't be "
                   "displayed'; on Android they still see it.",
                   "Wrote to Telegram's support from the owner's account with "
                   "the channel's link; readers told to follow the website "
                   "meanwhile.",
                   NULL, NULL},
    [T_DDOS] = {HUB_INC_WEBSITE_DOWN, 3,
                "Website flooded during the live coverage of the protest",
                P_SITE, 10, 60, 2, 8, 4, 24, "website_down", "21",
                "The site answers with 502 errors since this morning; the "
                "host's graph shows forty times the usual requests.",
                "Asked the host to filter the traffic and applied for "
                "protection for independent media.",
                "Deflect (eQualit.ie) accepted the site within two hours; DNS "
                "moved behind their protection.",
                NULL},
    [T_DEFACE] = {HUB_INC_WEBSITE_HACKED, 4,
                  "Front page of the website replaced with a defacement",
                  P_SITE, 15, 90, 1, 6, 12, 48, "website_down", "31",
                  "The front page shows a foreign flag and a threat; we can "
                  "still sign in to the CMS.",
                  "Site in maintenance mode; files, database and logs copied "
                  "before the clean-up.",
                  "Asked Access Now's Helpline to look at the logs: an "
                  "outdated extension of the CMS was the way in.",
                  "The hosting panel's password was on a sticky note in the "
                  "office."},
    [T_PHISH] = {HUB_INC_PHISHING, 2,
                 "Phishing wave: a fake Google security alert to the whole "
                 "newsroom",
                 P_MAILBOXES, 15, 120, 2, 12, 12, 48, "account_access", "11",
                 "Five colleagues got the same e-mail within ten minutes; one "
                 "typed her password before she noticed.",
                 "Her password changed, her sessions and forwarding rules "
                 "checked; everyone reminded in the chat how to spot the "
                 "fake sign-in page.",
                 NULL,
                 "Same sender domain as the wave that hit another outlet two "
                 "weeks before."},
    [T_SEIZED] = {HUB_INC_DEVICE_SEIZED, 4,
                  "Reporter's phone taken at the border crossing", P_PHONE, 30,
                  120, 3, 12, 24, 72, "device_seized", "12",
                  "Border officers kept the phone for three hours in a back "
                  "room; it was unlocked when they took it.",
                  "E-mail and Telegram passwords changed from the office "
                  "laptop, the phone's sessions ended, the sources in its "
                  "contacts warned.",
                  "The outlet's lawyer contacted about the search; Access "
                  "Now's Helpline asked to check the phone now that it is "
                  "back.",
                  "She gave the PIN under pressure. She should not use this "
                  "phone for sources again."},
    [T_LOST] = {HUB_INC_DEVICE_LOST, 2, "Office laptop stolen from a car",
                P_COMPUTER, 30, 240, 2, 8, 12, 48, "device_seized", "22",
                "The accountant's laptop was stolen from a parked car; its "
                "disk was not encrypted.",
                "The accounting mailbox's and the bank portal's passwords "
                "changed; the laptop's sessions ended.",
                NULL, NULL},
    [T_MALWARE] = {HUB_INC_MALWARE, 3,
                   "Antivirus alert on the studio computer after a codec "
                   "download",
                   P_COMPUTER, 30, 180, 1, 4, 24, 72, NULL, NULL,
                   "The studio computer shows antivirus warnings since a "
                   "video codec was installed from a forum.",
                   "Computer taken off the network, scanned and reinstalled; "
                   "the passwords used on it changed.",
                   NULL, NULL},
    [T_HARASS] = {HUB_INC_HARASSMENT, 3,
                  "Presenter's home address posted in a hostile channel",
                  P_EDITOR, 20, 120, 6, 48, 72, 240, NULL, NULL,
                  "A hostile Telegram channel posted her home address and "
                  "photos of her car.",
                  "Posts reported to Telegram; a safe way home agreed with the "
                  "editor; everything documented with dates.",
                  "Asked a local press freedom group for legal support.",
                  "She does not want the police involved for now."},
    [T_LEGAL] = {HUB_INC_LEGAL_THREAT, 3,
                 "Lawyer's letter demanding removal of the procurement "
                 "investigation",
                 P_SITE_EDITOR, 60, 480, 24, 96, 0, 0, NULL, NULL,
                 "A law firm demands that we remove the procurement story "
                 "within five days or face a defamation suit.",
                 "The letter is with the outlet's lawyer; the story's sources "
                 "and documents backed up offline.",
                 "Media lawyer engaged; a reply refusing the removal was "
                 "sent.",
                 NULL},
};

/* How a case ends up by the demo's "now". */
enum fate { F_CLOSED, F_RECOVERED, F_CONTAINED, F_OPEN };

struct plan {
    int tpl;
    int fate;
};

/* Cases of each outlet, by slug order (the demo's five outlets); an
 * outlet beyond these gets the first list. */
static const struct plan plans[][PLAN_MAX] = {
    {{T_FB_HIJACK, F_CLOSED},
     {T_PAGE, F_CLOSED},
     {T_DDOS, F_CLOSED},
     {T_PHISH, F_CLOSED},
     {T_TG_HIJACK, F_RECOVERED},
     {T_HARASS, F_OPEN},
     {-1, 0}},
    {{T_MAIL_HIJACK, F_CLOSED},
     {T_CHANNEL, F_CLOSED},
     {T_PHISH, F_CLOSED},
     {T_LOST, F_CLOSED},
     {T_MALWARE, F_RECOVERED},
     {-1, 0}},
    {{T_SEIZED, F_CLOSED},
     {T_DDOS, F_CLOSED},
     {T_PHISH, F_CLOSED},
     {T_FB_HIJACK, F_CLOSED},
     {T_PAGE, F_RECOVERED},
     {T_LEGAL, F_OPEN},
     {-1, 0}},
    {{T_PAGE, F_CLOSED},
     {T_FB_HIJACK, F_CLOSED},
     {T_SEIZED, F_CLOSED},
     {T_PHISH, F_CLOSED},
     {T_DDOS, F_CONTAINED},
     {-1, 0}},
    {{T_PAGE, F_CLOSED},
     {T_FB_HIJACK, F_CLOSED},
     {T_PHISH, F_CLOSED},
     {T_DEFACE, F_CLOSED},
     {T_LEGAL, F_CLOSED},
     {-1, 0}},
};
#define N_PLANS (sizeof plans / sizeof plans[0])

struct item {
    int kind; /* enum hub_inc_subject */
    int64_t id, person;
    char what[32]; /* department, platform or device kind */
};

struct outlet {
    int64_t id;
    struct item *reg;
    size_t n;
    int64_t focal, staff, assistant;
};

struct gen {
    struct hub_demo_ctx *x;
    const struct hub_triage_set *flows;
    int64_t seq; /* the next timeline row */
    struct kk_buf *sealed, *text;
};

static int fail(struct hub_demo_ctx *x, const char *what)
{
    kk_diag_set(x->d, "demo: cannot write the incidents' %s: %s", what,
                sqlite3_errmsg(x->c->db));
    return KK_ERR_IO;
}

static int64_t between(struct hub_demo_ctx *x, int64_t lo, int64_t hi)
{
    return hi > lo ? lo + (int64_t)hub_demo_below(x, (uint64_t)(hi - lo + 1))
                   : lo;
}

/* --- the outlet's register and logins --- */

static int kind_of(const char *type)
{
    for (int k = 0; k < HUB_SUBJ_KINDS; k++) {
        if (strcmp(hub_inc_subject_type[k], type) == 0)
            return k;
    }
    return -1;
}

static int outlet_load(struct gen *g, struct outlet *o)
{
    struct hub_demo_ctx *x = g->x;
    sqlite3_stmt *st = hub_q(x->c, HUB_Q_DEMO_INC_REGISTER);
    int rc;
    if (st == NULL)
        return fail(x, "register");
    hub_bind_i64(st, ":outlet", o->id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && o->n < REG_MAX) {
        struct item *it = &o->reg[o->n];
        it->kind = kind_of(hub_col_text(st, 0));
        it->id = sqlite3_column_int64(st, 1);
        snprintf(it->what, sizeof it->what, "%s", hub_col_text(st, 2));
        it->person = sqlite3_column_int64(st, 3);
        if (it->kind >= 0)
            o->n++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return fail(x, "register");
    st = hub_q(x->c, HUB_Q_DEMO_INC_USERS);
    if (st == NULL)
        return fail(x, "logins");
    hub_bind_i64(st, ":outlet", o->id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *role = hub_col_text(st, 1);
        int64_t id = sqlite3_column_int64(st, 0);
        if (strcmp(role, "focal") == 0 && o->focal == 0)
            o->focal = id;
        else if (strcmp(role, "staff") == 0 && o->staff == 0)
            o->staff = id;
        else if (strcmp(role, "assistant") == 0 && o->assistant == 0)
            o->assistant = id;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? KK_OK : fail(x, "logins");
}

/* The n-th item (by hub_demo_below) of a kind whose `what` is one of
 * whats ("" matches all); NULL when there is none. */
static const struct item *pick_one(struct gen *g, const struct outlet *o,
                                   int kind, const char *const *whats,
                                   size_t n_whats)
{
    size_t found = 0, want;
    for (int pass = 0; pass < 2; pass++) {
        want = pass == 1 && found > 0 ? hub_demo_below(g->x, found) : 0;
        for (size_t i = 0, k = 0; i < o->n; i++) {
            const struct item *it = &o->reg[i];
            bool ok = it->kind == kind && n_whats == 0;
            for (size_t w = 0; w < n_whats && it->kind == kind; w++)
                ok = ok || strcmp(it->what, whats[w]) == 0;
            if (!ok)
                continue;
            if (pass == 0)
                found++;
            else if (k++ == want)
                return it;
        }
        if (found == 0)
            return NULL;
    }
    return NULL;
}

struct picked {
    int kind[8];
    int64_t id[8];
    size_t n;
    int64_t person; /* the affected person, if any */
};

static void add(struct picked *p, int kind, int64_t id)
{
    for (size_t i = 0; i < p->n; i++) {
        if (p->kind[i] == kind && p->id[i] == id)
            return;
    }
    if (p->n < 8 && id != 0) {
        p->kind[p->n] = kind;
        p->id[p->n++] = id;
    }
}

static void add_item(struct picked *p, const struct item *it)
{
    if (it == NULL)
        return;
    add(p, it->kind, it->id);
    if (it->person != 0 && it->kind != HUB_SUBJ_PERSON) {
        add(p, HUB_SUBJ_PERSON, it->person);
        if (p->person == 0)
            p->person = it->person;
    }
}

static void subjects_pick(struct gen *g, const struct outlet *o, int pick,
                          struct picked *p)
{
    static const char *const profile[] = {"fb_profile"};
    static const char *const telegram[] = {"telegram_user"};
    static const char *const mail[] = {"email"};
    static const char *const page[] = {"fb_page"};
    static const char *const channel[] = {"telegram_channel"};
    static const char *const phone[] = {"phone"};
    static const char *const computer[] = {"laptop", "desktop"};
    static const char *const editorial[] = {"editorial"};
    memset(p, 0, sizeof *p);
    switch (pick) {
    case P_PROFILE:
        add_item(p, pick_one(g, o, HUB_SUBJ_ACCOUNT, profile, 1));
        break;
    case P_TELEGRAM:
        add_item(p, pick_one(g, o, HUB_SUBJ_ACCOUNT, telegram, 1));
        break;
    case P_MAILBOX:
        add_item(p, pick_one(g, o, HUB_SUBJ_ACCOUNT, mail, 1));
        break;
    case P_PAGE:
        add_item(p, pick_one(g, o, HUB_SUBJ_ACCOUNT, page, 1));
        break;
    case P_CHANNEL:
        add_item(p, pick_one(g, o, HUB_SUBJ_ACCOUNT, channel, 1));
        break;
    case P_MAILBOXES:
        for (int i = 0; i < 3; i++)
            add_item(p, pick_one(g, o, HUB_SUBJ_ACCOUNT, mail, 1));
        break;
    case P_PHONE:
        add_item(p, pick_one(g, o, HUB_SUBJ_DEVICE, phone, 1));
        break;
    case P_COMPUTER:
        add_item(p, pick_one(g, o, HUB_SUBJ_DEVICE, computer, 2));
        break;
    case P_SITE:
        add_item(p, pick_one(g, o, HUB_SUBJ_WEBSITE, NULL, 0));
        break;
    case P_EDITOR:
        add_item(p, pick_one(g, o, HUB_SUBJ_PERSON, editorial, 1));
        break;
    case P_SITE_EDITOR:
    default:
        add_item(p, pick_one(g, o, HUB_SUBJ_WEBSITE, NULL, 0));
        add_item(p, pick_one(g, o, HUB_SUBJ_PERSON, editorial, 1));
        break;
    }
}

/* --- writing --- */

static int seal_bind(struct gen *g, sqlite3_stmt *st, const char *name,
                     const char *context, int64_t id, const char *text)
{
    int err;
    kk_buf_reset(g->sealed);
    err = hub_seal_text(g->x->c->owner, context, id, text, strlen(text),
                        g->sealed);
    if (err == KK_OK)
        hub_bind_blob(st, name, kk_buf_data(g->sealed), kk_buf_len(g->sealed));
    else
        kk_diag_set(g->x->d, "demo: cannot seal an incident's text");
    return err;
}

static int event(struct gen *g, int64_t outlet, int64_t incident, int64_t at,
                 int kind, const char *text, bool trainer_only, int64_t by)
{
    sqlite3_stmt *st = hub_q(g->x->c, HUB_Q_DEMO_INC_EVENT);
    int64_t seq = g->seq++;
    int err;
    if (st == NULL)
        return fail(g->x, "timeline");
    hub_bind_i64(st, ":seq", seq);
    hub_bind_i64(st, ":incident", incident);
    hub_bind_i64(st, ":outlet", outlet);
    hub_bind_i64(st, ":at", at);
    hub_bind_text(st, ":kind", hub_incident_event_name(kind));
    hub_bind_i64(st, ":trainer_only", trainer_only ? 1 : 0);
    if (by != 0)
        hub_bind_i64(st, ":by", by);
    else
        hub_bind_null(st, ":by");
    err = seal_bind(g, st, ":text", "incident_events.text", seq, text);
    if (err == KK_OK && hub_exec(st) != KK_OK)
        err = fail(g->x, "timeline");
    return err;
}

static void bind_time(sqlite3_stmt *st, const char *name, int64_t t)
{
    if (t != 0)
        hub_bind_i64(st, name, t);
    else
        hub_bind_null(st, name);
}

struct case_times {
    struct hub_incident_clock c;
    int status;
};

/* The clock of a case reported at `reported` that ends as `fate`. */
static void times_plan(struct gen *g, const struct tpl *t, int fate,
                       int64_t reported, struct case_times *ct)
{
    struct hub_demo_ctx *x = g->x;
    struct hub_incident_clock *c = &ct->c;
    memset(ct, 0, sizeof *ct);
    c->reported = reported;
    c->occurred = reported - between(x, 20, 30 * 60) * MINUTE;
    c->first_response = reported + between(x, t->fr_lo, t->fr_hi) * MINUTE;
    ct->status = HUB_INC_OPEN;
    if (fate == F_OPEN)
        return;
    c->contained = reported + between(x, t->ct_lo, t->ct_hi) * HOUR;
    if (c->contained < c->first_response)
        c->contained = c->first_response + 30 * MINUTE;
    ct->status = HUB_INC_CONTAINED;
    if (fate == F_CONTAINED)
        return;
    if (t->rc_hi > 0) {
        c->recovered = c->contained + between(x, t->rc_lo, t->rc_hi) * HOUR;
        ct->status = HUB_INC_RECOVERED;
    }
    if (fate == F_CLOSED || t->rc_hi == 0) {
        int64_t from = c->recovered != 0 ? c->recovered : c->contained;
        c->closed = from + between(x, 1, 7) * DAY + between(x, 0, 8) * HOUR;
        ct->status = HUB_INC_CLOSED;
    }
}

static int subjects_write(struct gen *g, int64_t incident,
                          const struct picked *p)
{
    for (size_t i = 0; i < p->n; i++) {
        sqlite3_stmt *st = hub_q(g->x->c, HUB_Q_DEMO_INC_SUBJECT);
        if (st == NULL)
            return fail(g->x, "subjects");
        hub_bind_i64(st, ":incident", incident);
        hub_bind_text(st, ":stype", hub_inc_subject_type[p->kind[i]]);
        hub_bind_i64(st, ":sid", p->id[i]);
        if (hub_exec(st) != KK_OK)
            return fail(g->x, "subjects");
    }
    return KK_OK;
}

static int row_write(struct gen *g, const struct outlet *o, int64_t id,
                     const struct tpl *t, const struct case_times *ct,
                     int64_t reporter, bool triaged)
{
    sqlite3_stmt *st = hub_q(g->x->c, HUB_Q_DEMO_INC_INSERT);
    int err;
    if (st == NULL)
        return fail(g->x, "rows");
    hub_bind_i64(st, ":id", id);
    hub_bind_i64(st, ":outlet", o->id);
    hub_bind_text(st, ":type", hub_incident_type_name(t->type));
    hub_bind_i64(st, ":severity", t->severity);
    hub_bind_text(st, ":status", hub_incident_status_name(ct->status));
    hub_bind_i64(st, ":occurred", ct->c.occurred);
    hub_bind_i64(st, ":reported", ct->c.reported);
    bind_time(st, ":first_response", ct->c.first_response);
    bind_time(st, ":contained", ct->c.contained);
    bind_time(st, ":recovered", ct->c.recovered);
    bind_time(st, ":closed", ct->c.closed);
    bind_time(st, ":by", reporter);
    hub_bind_text(st, ":flow", triaged ? t->flow : "");
    hub_bind_text(st, ":path", triaged ? t->path : "");
    err = seal_bind(g, st, ":title", "incidents.title", id, t->title);
    if (err == KK_OK && hub_exec(st) != KK_OK)
        err = fail(g->x, "rows");
    return err;
}

/* The timeline follows the clock: the report's details, the first answer
 * (which is the first response), the triage walk, an escalation, a note
 * for trainers, and the status changes. */
static int timeline_write(struct gen *g, const struct outlet *o, int64_t id,
                          const struct tpl *t, const struct case_times *ct,
                          int64_t responder, bool triaged)
{
    const struct hub_incident_clock *c = &ct->c;
    int64_t by_focal = o->focal != 0 ? o->focal : responder;
    int64_t gap = c->first_response - c->reported;
    int64_t next = c->contained != 0 ? c->contained : g->x->now - HOUR;
    int err = event(g, o->id, id, c->reported + (gap > 2 ? gap / 2 : 1),
                    HUB_EV_NOTE, t->report, false, by_focal);
    if (err == KK_OK)
        err = event(g, o->id, id, c->first_response, HUB_EV_NOTE, t->response,
                    false, responder);
    if (err == KK_OK && triaged) {
        kk_buf_reset(g->text);
        err = hub_triage_summary(hub_triage_find(g->flows, t->flow), t->path,
                                 HUB_LANG_EN, g->text);
        if (err == KK_OK)
            err = event(g, o->id, id, c->first_response + 5 * MINUTE,
                        HUB_EV_TRIAGE, kk_buf_str(g->text), false, responder);
    }
    if (err == KK_OK && t->escalation != NULL)
        err = event(g, o->id, id,
                    c->first_response + (next - c->first_response) / 3,
                    HUB_EV_ESCALATION, t->escalation, false, responder);
    if (err == KK_OK && t->private_note != NULL)
        err = event(g, o->id, id,
                    c->first_response + (next - c->first_response) / 2,
                    HUB_EV_NOTE, t->private_note, true, responder);
    if (err == KK_OK && c->contained != 0)
        err = event(g, o->id, id, c->contained, HUB_EV_STATUS, "contained",
                    false, responder);
    if (err == KK_OK && c->recovered != 0)
        err = event(g, o->id, id, c->recovered, HUB_EV_STATUS, "recovered",
                    false, by_focal);
    if (err == KK_OK && c->closed != 0)
        err = event(g, o->id, id, c->closed, HUB_EV_STATUS, "closed", false,
                    responder);
    return err;
}

static int case_write(struct gen *g, const struct outlet *o,
                      const struct plan *pl, int64_t reported)
{
    struct hub_demo_ctx *x = g->x;
    const struct tpl *t = &tpls[pl->tpl];
    struct case_times ct;
    struct picked p;
    int64_t id = hub_demo_id(x);
    /* The trainer answers, or the outlet's assistant trainer; staff report
     * what happened to their own accounts and mailboxes. */
    int64_t responder = o->assistant != 0 ? o->assistant : x->trainer;
    int64_t reporter = o->focal;
    bool triaged = t->flow != NULL && hub_triage_find(g->flows, t->flow);
    int err;
    if (o->staff != 0 && (pl->tpl == T_PHISH || pl->tpl == T_TG_HIJACK))
        reporter = o->staff;
    times_plan(g, t, pl->fate, reported, &ct);
    subjects_pick(g, o, t->pick, &p);
    err = row_write(g, o, id, t, &ct, reporter, triaged);
    if (err == KK_OK)
        err = subjects_write(g, id, &p);
    if (err == KK_OK)
        err = timeline_write(g, o, id, t, &ct, responder, triaged);
    return err;
}

static int outlet_write(struct gen *g, struct outlet *o, size_t index)
{
    struct hub_demo_ctx *x = g->x;
    const struct plan *pl = plans[index < N_PLANS ? index : 0];
    size_t n = 0, k = 0;
    /* Settled cases fill the programme up to five weeks before now, so
     * that they are closed by now; live ones came in the last days. */
    int64_t span = x->now - 35 * DAY - x->start;
    int err = outlet_load(g, o);
    while (n < PLAN_MAX && pl[n].tpl >= 0)
        n++;
    for (size_t i = 0; i < n && err == KK_OK; i++) {
        int64_t reported;
        if (pl[i].fate == F_CLOSED || pl[i].fate == F_RECOVERED) {
            int64_t slot = span / (int64_t)n;
            reported = x->start + slot * (int64_t)k + slot / 5 +
                       between(x, 0, slot / 2) + between(x, 8, 18) * HOUR;
            k++;
        } else {
            reported = x->now - between(x, 2, 9) * DAY -
                       between(x, 3, 20) * HOUR - between(x, 0, 59) * MINUTE;
        }
        err = case_write(g, o, &pl[i], reported);
    }
    return err;
}

static int seq_first(struct gen *g)
{
    sqlite3_stmt *st = hub_q(g->x->c, HUB_Q_INC_EVENT_NEXT);
    int err = KK_OK;
    if (st == NULL || sqlite3_step(st) != SQLITE_ROW)
        err = fail(g->x, "timeline");
    else
        g->seq = sqlite3_column_int64(st, 0);
    if (st != NULL)
        sqlite3_reset(st);
    return err;
}

int hub_demo_incidents(struct hub_demo_ctx *x)
{
    struct gen g = {.x = x};
    struct outlet o[8];
    size_t n = 0;
    sqlite3_stmt *st;
    int err = hub_triage_builtin(&g.flows, x->d);
    memset(o, 0, sizeof o);
    g.sealed = kk_buf_new(HUB_TRIAGE_FILE_MAX);
    g.text = kk_buf_new(HUB_TRIAGE_FILE_MAX);
    if (err == KK_OK && (g.sealed == NULL || g.text == NULL))
        err = KK_ERR_NOMEM;
    if (err == KK_OK)
        err = seq_first(&g);
    st = err == KK_OK ? hub_q(x->c, HUB_Q_DEMO_INC_OUTLETS) : NULL;
    if (err == KK_OK && st == NULL)
        err = fail(x, "outlets");
    while (err == KK_OK && n < 8 && sqlite3_step(st) == SQLITE_ROW)
        o[n++].id = sqlite3_column_int64(st, 0);
    if (st != NULL)
        sqlite3_reset(st);
    for (size_t i = 0; i < n && err == KK_OK; i++) {
        o[i].reg = calloc(REG_MAX, sizeof *o[i].reg);
        err = o[i].reg != NULL ? outlet_write(&g, &o[i], i) : KK_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        free(o[i].reg);
    kk_buf_free(g.sealed);
    kk_buf_free(g.text);
    return err;
}
