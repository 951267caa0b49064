/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * model.h - the hub's domain vocabulary: roles, platforms, 2FA methods,
 * device kinds, observation statuses, each with its stable wire name (used
 * in the database, the API, CSV files and forms).
 *
 * Every enum starts at 1 so that 0 means "not set"; _from_name returns 0 for
 * an unknown name, which callers turn into a 400/validation error.
 */
#ifndef KALKAN_HUB_MODEL_H
#define KALKAN_HUB_MODEL_H

#include <stdbool.h>
#include <stddef.h>

enum hub_role {
    HUB_ROLE_TRAINER = 1, /* the programme lead: every outlet */
    HUB_ROLE_ASSISTANT,   /* assistant trainer: assigned outlets */
    HUB_ROLE_FOCAL,       /* the outlet's focal point: own outlet */
    HUB_ROLE_STAFF,       /* a staff member: own records */
    HUB_ROLE_DONOR,       /* aggregates only */
    HUB_ROLE_DEVICE,      /* a device or server token */
    HUB_ROLE_PANEL,       /* the selection panel: calls and applications */
};
#define HUB_ROLE_COUNT 7

enum hub_platform {
    HUB_PF_EMAIL = 1,     /* work e-mail (any provider) */
    HUB_PF_WORKSPACE,     /* Google Workspace / Microsoft 365 admin */
    HUB_PF_FB_PROFILE,    /* a person's Facebook profile */
    HUB_PF_FB_PAGE,       /* a Facebook Page */
    HUB_PF_META_BUSINESS, /* Meta business portfolio */
    HUB_PF_INSTAGRAM,
    HUB_PF_TELEGRAM_USER,    /* a Telegram account */
    HUB_PF_TELEGRAM_CHANNEL, /* a Telegram channel */
    HUB_PF_WHATSAPP,
    HUB_PF_OK,        /* Odnoklassniki */
    HUB_PF_CMS_ADMIN, /* website CMS administrator login */
    HUB_PF_REGISTRAR, /* domain registrar */
    HUB_PF_HOSTING,
    HUB_PF_DNS,
    HUB_PF_OTHER,
};
#define HUB_PF_COUNT 15

enum hub_tfa {
    HUB_TFA_NONE = 1,
    HUB_TFA_SMS,  /* partial: SIM swaps and SS7 defeat it */
    HUB_TFA_APP,  /* TOTP authenticator app */
    HUB_TFA_PUSH, /* the provider's own app prompt */
    HUB_TFA_KEY,  /* FIDO security key */
    HUB_TFA_PASSKEY,
};
#define HUB_TFA_COUNT 6

enum hub_device_kind {
    HUB_DEV_DESKTOP = 1,
    HUB_DEV_LAPTOP,
    HUB_DEV_PHONE,
    HUB_DEV_TABLET,
    HUB_DEV_SERVER,
    HUB_DEV_ROUTER,
};
#define HUB_DEV_COUNT 6

enum hub_obs_status {
    HUB_OBS_PASS = 1,
    HUB_OBS_FAIL,
    HUB_OBS_PARTIAL,
    HUB_OBS_NA,
    HUB_OBS_UNKNOWN,
};
#define HUB_OBS_COUNT 5

enum hub_department {
    HUB_DEPT_EDITORIAL = 1,
    HUB_DEPT_ADMIN,
    HUB_DEPT_FINANCE,
    HUB_DEPT_TECH,
    HUB_DEPT_MANAGEMENT,
    HUB_DEPT_OTHER,
};
#define HUB_DEPT_COUNT 6

enum hub_media {
    HUB_MEDIA_WEB = 1,
    HUB_MEDIA_TV,
    HUB_MEDIA_RADIO,
    HUB_MEDIA_PRINT,
    HUB_MEDIA_INVESTIGATIVE,
};
#define HUB_MEDIA_COUNT 5

/* Wire names ("trainer", "fb_page", "app", ...); NULL for 0 or out of
 * range.  _from_name: 0 when unknown.  Thread-safe (static tables). */
const char *hub_role_name(int v);
int hub_role_from_name(const char *s);
const char *hub_platform_name(int v);
int hub_platform_from_name(const char *s);
const char *hub_tfa_name(int v);
int hub_tfa_from_name(const char *s);
const char *hub_device_kind_name(int v);
int hub_device_kind_from_name(const char *s);
const char *hub_obs_status_name(int v);
int hub_obs_status_from_name(const char *s);
const char *hub_department_name(int v);
int hub_department_from_name(const char *s);
const char *hub_media_name(int v);
int hub_media_from_name(const char *s);

/* English display labels ("Facebook Page", "Security key"); translated
 * through the .po catalogues like every other text. */
const char *hub_platform_label(int v);
const char *hub_tfa_label(int v);
const char *hub_department_label(int v);

/* App, push, security key and passkey count as strong 2FA. */
bool hub_tfa_strong(int tfa);
/* True for platforms that belong to one person (e-mail, profile, Telegram
 * account, WhatsApp, Instagram, OK) as opposed to organisational assets
 * (page, channel, business portfolio, registrar, hosting, DNS, CMS). */
bool hub_platform_personal(int pf);
/* The personal platform through which admins of an organisational one act:
 * fb_page and meta_business -> fb_profile, telegram_channel ->
 * telegram_user; 0 when admins log in to the asset itself. */
int hub_platform_admin_via(int pf);
/* The catalogue control that tracks 2FA for an account on this platform
 * ("ACC-01" for e-mail, "ACC-04" for a Facebook profile, ...). */
const char *hub_platform_control(int pf);

#endif
