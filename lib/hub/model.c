/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * model.c - wire names and labels of the hub's enumerations.
 *
 * The names are part of the API, the CSV format and the database: never
 * rename one, only add.  Lookups are linear over a dozen entries.
 */
#include <string.h>

#include "model.h"

static const char *const role_names[] = {
    NULL, "trainer", "assistant", "focal", "staff", "donor", "device", "panel",
};
static const char *const pf_names[] = {
    NULL,
    "email",
    "workspace",
    "fb_profile",
    "fb_page",
    "meta_business",
    "instagram",
    "telegram_user",
    "telegram_channel",
    "whatsapp",
    "ok",
    "cms_admin",
    "registrar",
    "hosting",
    "dns",
    "other",
};
static const char *const pf_labels[] = {
    NULL,
    "Work e-mail",
    "E-mail/office admin",
    "Facebook profile",
    "Facebook Page",
    "Meta business portfolio",
    "Instagram",
    "Telegram account",
    "Telegram channel",
    "WhatsApp",
    "Odnoklassniki",
    "Website CMS admin",
    "Domain registrar",
    "Hosting",
    "DNS",
    "Other",
};
static const char *const pf_controls[] = {
    NULL,     "ACC-01", "ACC-01", "ACC-04", "ACC-06", "ACC-07",
    "ACC-09", "ACC-10", "ACC-11", "ACC-12", "ACC-13", "ACC-18",
    "ACC-17", "ACC-17", "ACC-17", "ACC-03",
};
static const char *const tfa_names[] = {
    NULL, "none", "sms", "app", "push", "key", "passkey",
};
static const char *const tfa_labels[] = {
    NULL,         "None",         "SMS",     "Authenticator app",
    "App prompt", "Security key", "Passkey",
};
static const char *const dev_names[] = {
    NULL, "desktop", "laptop", "phone", "tablet", "server", "router",
};
static const char *const obs_names[] = {
    NULL, "pass", "fail", "partial", "na", "unknown",
};
static const char *const dept_names[] = {
    NULL, "editorial", "admin", "finance", "tech", "management", "other",
};
static const char *const dept_labels[] = {
    NULL,        "Editorial",  "Administration", "Finance",
    "Technical", "Management", "Other",
};
static const char *const media_names[] = {
    NULL, "web", "tv", "radio", "print", "investigative",
};

#define NAMES(arr) (sizeof arr / sizeof arr[0])

static const char *name_of(const char *const *tab, size_t n, int v)
{
    if (v <= 0 || (size_t)v >= n)
        return NULL;
    return tab[v];
}

static int from_name(const char *const *tab, size_t n, const char *s)
{
    if (s == NULL)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if (strcmp(tab[i], s) == 0)
            return (int)i;
    }
    return 0;
}

#define DEFINE_NAMES(fn, arr)                                                  \
    const char *hub_##fn##_name(int v)                                         \
    {                                                                          \
        return name_of(arr, NAMES(arr), v);                                    \
    }                                                                          \
    int hub_##fn##_from_name(const char *s)                                    \
    {                                                                          \
        return from_name(arr, NAMES(arr), s);                                  \
    }

DEFINE_NAMES(role, role_names)
DEFINE_NAMES(platform, pf_names)
DEFINE_NAMES(tfa, tfa_names)
DEFINE_NAMES(device_kind, dev_names)
DEFINE_NAMES(obs_status, obs_names)
DEFINE_NAMES(department, dept_names)
DEFINE_NAMES(media, media_names)

const char *hub_platform_label(int v)
{
    return name_of(pf_labels, NAMES(pf_labels), v);
}

const char *hub_tfa_label(int v)
{
    return name_of(tfa_labels, NAMES(tfa_labels), v);
}

const char *hub_department_label(int v)
{
    return name_of(dept_labels, NAMES(dept_labels), v);
}

const char *hub_platform_control(int pf)
{
    return name_of(pf_controls, NAMES(pf_controls), pf);
}

bool hub_tfa_strong(int tfa)
{
    return tfa == HUB_TFA_APP || tfa == HUB_TFA_PUSH || tfa == HUB_TFA_KEY ||
           tfa == HUB_TFA_PASSKEY;
}

bool hub_platform_personal(int pf)
{
    switch (pf) {
    case HUB_PF_EMAIL:
    case HUB_PF_FB_PROFILE:
    case HUB_PF_INSTAGRAM:
    case HUB_PF_TELEGRAM_USER:
    case HUB_PF_WHATSAPP:
    case HUB_PF_OK:
        return true;
    default:
        return false;
    }
}

int hub_platform_admin_via(int pf)
{
    switch (pf) {
    case HUB_PF_FB_PAGE:
    case HUB_PF_META_BUSINESS:
        return HUB_PF_FB_PROFILE;
    case HUB_PF_TELEGRAM_CHANNEL:
        return HUB_PF_TELEGRAM_USER;
    default:
        return 0;
    }
}
