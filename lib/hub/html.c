/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * html.c - the frame around every page: head, navigation, language switch.
 *
 * Pages are written by C functions straight into the response buffer with
 * escaping helpers (hub_esc, hub_t): no template language to parse at run
 * time, and the compiler checks every page.  The frame links one
 * stylesheet and no script; the navigation adapts to the caller's role and
 * collapses into a wrapped row on a phone (kalkan.css).
 */
#include <string.h>

#include "hub_int.h"
#include "parse.h"
#include "i18n.h"
#include "model.h"

struct nav_item {
    const char *href;
    const char *label;
    unsigned roles;
};

static const struct nav_item nav[] = {
    {"/", "Dashboard", HUB_ROLES_ALL},
    {"/outlets", "Outlets",
     HUB_ROLEBIT(HUB_ROLE_TRAINER) | HUB_ROLEBIT(HUB_ROLE_ASSISTANT)},
    {"/me", "My checklist", HUB_ROLES_PEOPLE},
    {"/calls", "Selection",
     HUB_ROLEBIT(HUB_ROLE_TRAINER) | HUB_ROLEBIT(HUB_ROLE_PANEL)},
    {"/sessions", "Training",
     HUB_ROLEBIT(HUB_ROLE_TRAINER) | HUB_ROLEBIT(HUB_ROLE_ASSISTANT)},
    {"/incidents", "Incidents",
     HUB_ROLEBIT(HUB_ROLE_TRAINER) | HUB_ROLEBIT(HUB_ROLE_ASSISTANT)},
    {"/triage", "Emergency help", HUB_ROLES_PEOPLE},
    {"/reports", "Reports",
     HUB_ROLEBIT(HUB_ROLE_TRAINER) | HUB_ROLEBIT(HUB_ROLE_ASSISTANT) |
         HUB_ROLEBIT(HUB_ROLE_DONOR)},
    {"/catalogue", "Controls", HUB_ROLES_PEOPLE},
    {"/settings", "Settings", HUB_ROLES_ALL},
};

void hub_page_begin(struct hub_req *r, const char *title)
{
    r->ctype = "text/html; charset=utf-8";
    hub_raw(r, "<!doctype html>\n<html lang=\"");
    hub_raw(r, hub_lang_code(r->lang));
    hub_raw(r, "\"><head><meta charset=\"utf-8\">"
               "<meta name=\"viewport\" content=\"width=device-width, "
               "initial-scale=1\"><title>");
    hub_t(r, title);
    hub_raw(r, " · Kalkan</title>"
               "<link rel=\"stylesheet\" href=\"/static/kalkan.css\">"
               "</head><body><a class=\"kk-skip\" href=\"#main\">");
    hub_t(r, "Skip to content");
    hub_raw(r, "</a><header class=\"kk-top\"><a class=\"kk-brand\" "
               "href=\"/\">Kalkan</a>");
    if (r->who.user_id != 0 && r->stage == 2) {
        hub_raw(r, "<nav aria-label=\"");
        hub_t(r, "Main");
        hub_raw(r, "\"><ul>");
        for (size_t i = 0; i < sizeof nav / sizeof nav[0]; i++) {
            if (!(nav[i].roles & HUB_ROLEBIT(r->who.role)))
                continue;
            hub_raw(r, "<li><a href=\"");
            hub_raw(r, nav[i].href);
            hub_raw(r, "\">");
            hub_t(r, nav[i].label);
            hub_raw(r, "</a></li>");
        }
        hub_raw(r, "</ul></nav><form class=\"kk-inline\" method=\"post\" "
                   "action=\"/logout\">");
        hub_csrf_field(r);
        hub_raw(r, "<button type=\"submit\">");
        hub_t(r, "Sign out");
        hub_raw(r, "</button></form>");
    }
    hub_raw(r, "</header><main id=\"main\"><h1>");
    hub_t(r, title);
    hub_raw(r, "</h1>");
}

void hub_page_end(struct hub_req *r)
{
    hub_raw(r, "</main><footer class=\"kk-foot\"><nav aria-label=\"");
    hub_t(r, "Language");
    hub_raw(r, "\"><ul>");
    for (int l = 0; l < HUB_LANG_COUNT; l++) {
        hub_raw(r, "<li><a href=\"/lang?to=");
        hub_raw(r, hub_lang_code(l));
        hub_raw(r, "&amp;back=");
        if (r->err == KK_OK && r->method == HUB_GET)
            r->err = hub_url_encode(r->out, r->path);
        hub_raw(r, "\" lang=\"");
        hub_raw(r, hub_lang_code(l));
        hub_raw(r, "\"");
        if (l == r->lang)
            hub_raw(r, " aria-current=\"true\"");
        hub_raw(r, ">");
        hub_esc(r, hub_lang_native(l));
        hub_raw(r, "</a></li>");
    }
    hub_raw(r, "</ul></nav><p>Kalkan ");
    hub_raw(r, KK_VERSION);
    hub_raw(r, "</p></footer></body></html>\n");
}
