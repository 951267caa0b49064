/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pages_auth.c - signing in and out: password, then a TOTP or recovery
 * code; enrolment with a QR code on first login; the language switch; the
 * same steps as JSON under /api/v1/login.
 *
 * The session id changes at every step up (password -> full), so an id
 * planted before login is worthless.  The login form itself is protected
 * against cross-site posting by a double-submit cookie ("kk_pre") and the
 * browser's Origin/Sec-Fetch-Site headers, since there is no session yet
 * to hold a CSRF token.  A successful full login leaves a long-lived
 * "known device" cookie that exempts this browser from the per-account
 * throttle, so an attacker hammering the account cannot lock its owner out.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "i18n.h"
#include "kalkan/otp.h"
#include "model.h"

static void cookie_set(struct hub_req *r, const char *name, const char *value,
                       long max_age, bool http_only, bool strict)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s=%s; Path=/; Max-Age=%ld; SameSite=%s%s%s",
             name, value, max_age, strict ? "Strict" : "Lax",
             http_only ? "; HttpOnly" : "", r->secure ? "; Secure" : "");
    hub_set_header(r, "Set-Cookie", buf);
}

static void known_value(struct hub_req *r, int64_t uid, char *out, size_t cap)
{
    uint8_t h[32];
    char in[64];
    snprintf(in, sizeof in, "known:%lld", (long long)uid);
    crypto_generichash(h, sizeof h, (const uint8_t *)in, strlen(in),
                       r->db->owner->key, sizeof r->db->owner->key);
    sodium_bin2base64(out, cap, h, 18,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static bool known_device(struct hub_req *r, int64_t uid)
{
    char want[48], have[48];
    const char *c = hub_header(r, "Cookie");
    if (uid == 0 || c == NULL ||
        hub_cookie_get(c, HUB_DEVICE_COOKIE, have, sizeof have) != KK_OK)
        return false;
    known_value(r, uid, want, sizeof want);
    return kk_streq_ct(want, have);
}

static bool user_has_totp(struct hub_req *r)
{
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_USER_BY_ID);
    bool has = false;
    hub_bind_i64(st, ":id", r->who.user_id);
    if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
        has = sqlite3_column_type(st, 5) == SQLITE_BLOB;
    if (st != NULL)
        sqlite3_reset(st);
    return has;
}

static int64_t user_id_by_email(struct hub_req *r, const char *email)
{
    sqlite3_stmt *st = hub_q(r->db, HUB_Q_USER_BY_EMAIL);
    int64_t id = 0;
    hub_bind_text(st, ":email", email);
    if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    if (st != NULL)
        sqlite3_reset(st);
    return id;
}

/* Replaces the caller's session with a new one at stage. */
static int session_rotate(struct hub_req *r, int64_t uid, int stage)
{
    char cookie[64];
    int err;
    if (r->session[0] != 0 || r->session[1] != 0)
        hub_session_end(r->db, r->session);
    err = hub_session_create(r->db, uid, stage, cookie, sizeof cookie);
    if (err != KK_OK)
        return err;
    cookie_set(r, HUB_SESSION_COOKIE, cookie,
               stage == HUB_STAGE_FULL ? KK_HUB_SESSION_MAX
                                       : KK_HUB_LOGIN_PENDING,
               true, true);
    kk_wipe(cookie, sizeof cookie);
    return KK_OK;
}

static void field(struct hub_req *r, const char *name, const char *type,
                  const char *label, const char *autocomplete,
                  const char *extra)
{
    hub_raw(r, "<p><label for=\"");
    hub_raw(r, name);
    hub_raw(r, "\">");
    hub_t(r, label);
    hub_raw(r, "</label><input id=\"");
    hub_raw(r, name);
    hub_raw(r, "\" name=\"");
    hub_raw(r, name);
    hub_raw(r, "\" type=\"");
    hub_raw(r, type);
    hub_raw(r, "\" autocomplete=\"");
    hub_raw(r, autocomplete);
    hub_raw(r, "\" required ");
    hub_raw(r, extra);
    hub_raw(r, "></p>");
}

static void login_form(struct hub_req *r, const char *error)
{
    uint8_t raw[18];
    char pre[32];
    const char *c = hub_header(r, "Cookie");
    if (c == NULL || hub_cookie_get(c, "kk_pre", pre, sizeof pre) != KK_OK ||
        strlen(pre) != 24) {
        randombytes_buf(raw, sizeof raw);
        sodium_bin2base64(pre, sizeof pre, raw, sizeof raw,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        cookie_set(r, "kk_pre", pre, 3600, true, true);
    }
    hub_page_begin(r, "Sign in");
    if (error != NULL) {
        hub_raw(r, "<p class=\"kk-error\" role=\"alert\">");
        hub_t(r, error);
        hub_raw(r, "</p>");
    }
    hub_raw(r, "<form method=\"post\" action=\"/login\" class=\"kk-form\">"
               "<input type=\"hidden\" name=\"pre\" value=\"");
    hub_esc(r, pre);
    hub_raw(r, "\">");
    field(r, "email", "email", "Email", "username", "");
    field(r, "password", "password", "Password", "current-password", "");
    hub_raw(r, "<p><button type=\"submit\">");
    hub_t(r, "Sign in");
    hub_raw(r, "</button></p></form>");
    hub_page_end(r);
}

static int login_get(struct hub_req *r)
{
    if (r->who.user_id != 0 && r->stage == HUB_STAGE_FULL) {
        hub_redirect(r, "/");
        return KK_OK;
    }
    login_form(r, NULL);
    return KK_OK;
}

static bool pre_ok(struct hub_req *r)
{
    char pre[32];
    const char *c = hub_header(r, "Cookie");
    const char *f = hub_form_get(r->form, "pre");
    const char *site = hub_header(r, "Sec-Fetch-Site");
    if (site != NULL && strcmp(site, "same-origin") != 0 &&
        strcmp(site, "none") != 0)
        return false;
    return c != NULL && f != NULL &&
           hub_cookie_get(c, "kk_pre", pre, sizeof pre) == KK_OK &&
           kk_streq_ct(pre, f);
}

static int login_post(struct hub_req *r)
{
    const char *email = hub_form_get(r->form, "email");
    const char *pw = hub_form_get(r->form, "password");
    int64_t uid = 0;
    int err;
    if (!pre_ok(r)) {
        r->status = 403;
        login_form(r, "The form expired. Please sign in again.");
        return KK_OK;
    }
    if (email == NULL || pw == NULL || strlen(pw) > KK_HUB_PASSWORD_MAX) {
        r->status = 400;
        login_form(r, "Enter your e-mail and password.");
        return KK_OK;
    }
    err = hub_login_password(r->db, email, pw, r->ip,
                             known_device(r, user_id_by_email(r, email)), &uid);
    if (err == KK_ERR_THROTTLED) {
        r->status = 429;
        login_form(r, "Too many attempts. Wait a few minutes and try again.");
        return KK_OK;
    }
    if (err != KK_OK) {
        r->status = 401;
        login_form(r, "Wrong e-mail or password.");
        return KK_OK;
    }
    r->who.user_id = uid;
    err = session_rotate(r, uid, HUB_STAGE_PASSWORD);
    if (err != KK_OK)
        return err;
    hub_redirect(r, user_has_totp(r) ? "/login/code" : "/enrol");
    return KK_OK;
}

static void code_form(struct hub_req *r, const char *error)
{
    hub_page_begin(r, "Second step");
    if (error != NULL) {
        hub_raw(r, "<p class=\"kk-error\" role=\"alert\">");
        hub_t(r, error);
        hub_raw(r, "</p>");
    }
    hub_raw(r, "<form method=\"post\" action=\"/login/code\" "
               "class=\"kk-form\">");
    hub_csrf_field(r);
    field(r, "code", "text", "Code from your authenticator app",
          "one-time-code",
          "inputmode=\"numeric\" maxlength=\"19\" spellcheck=\"false\"");
    hub_raw(r, "<p class=\"kk-hint\">");
    hub_t(r, "Lost your phone? Enter one of your recovery codes instead.");
    hub_raw(r, "</p><p><button type=\"submit\">");
    hub_t(r, "Continue");
    hub_raw(r, "</button></p></form>");
    hub_page_end(r);
}

static int code_get(struct hub_req *r)
{
    if (r->stage == HUB_STAGE_FULL) {
        hub_redirect(r, "/");
        return KK_OK;
    }
    if (!user_has_totp(r)) {
        hub_redirect(r, "/enrol");
        return KK_OK;
    }
    code_form(r, NULL);
    return KK_OK;
}

static int finish_login(struct hub_req *r)
{
    char known[48];
    int err = session_rotate(r, r->who.user_id, HUB_STAGE_FULL);
    if (err != KK_OK)
        return err;
    known_value(r, r->who.user_id, known, sizeof known);
    cookie_set(r, HUB_DEVICE_COOKIE, known, 365L * 86400, true, true);
    hub_audit(r, 0, "login", "user", r->who.email);
    return KK_OK;
}

static int code_post(struct hub_req *r)
{
    const char *code = hub_form_get(r->form, "code");
    int err;
    if (r->stage == HUB_STAGE_FULL) {
        hub_redirect(r, "/");
        return KK_OK;
    }
    if (code == NULL || strlen(code) > 32) {
        r->status = 400;
        code_form(r, "Enter the 6-digit code.");
        return KK_OK;
    }
    err = hub_login_code(r->db, r->who.user_id, code, r->ip);
    if (err == KK_ERR_THROTTLED) {
        r->status = 429;
        code_form(r, "Too many attempts. Wait a few minutes and try again.");
        return KK_OK;
    }
    if (err != KK_OK) {
        r->status = 401;
        code_form(r, err == KK_ERR_REPLAY
                         ? "This code was already used. Wait for the next "
                           "one."
                         : "Wrong code. Check the time on your phone and "
                           "try the newest code.");
        return KK_OK;
    }
    err = finish_login(r);
    if (err != KK_OK)
        return err;
    hub_redirect(r, "/");
    return KK_OK;
}

static void enrol_page(struct hub_req *r, const char *b32, const char *error)
{
    hub_page_begin(r, "Set up your second factor");
    if (error != NULL) {
        hub_raw(r, "<p class=\"kk-error\" role=\"alert\">");
        hub_t(r, error);
        hub_raw(r, "</p>");
    }
    hub_raw(r, "<ol class=\"kk-steps\"><li>");
    hub_t(r, "Install an authenticator app on your phone (for example "
             "Aegis, FreeOTP or Google Authenticator).");
    hub_raw(r, "</li><li>");
    hub_t(r, "In the app, add an account and scan this code.");
    hub_raw(r, "<br><img class=\"kk-qr\" src=\"/enrol/qr.svg\" width=\"220\" "
               "height=\"220\" alt=\"");
    hub_t(r, "QR code for your authenticator app");
    hub_raw(r, "\"></li><li>");
    hub_t(r, "Cannot scan? Type this key into the app instead:");
    hub_raw(r, " <code class=\"kk-secret\" id=\"secret\">");
    hub_esc(r, b32);
    hub_raw(r, "</code></li><li>");
    hub_t(r, "Enter the 6-digit code the app shows.");
    hub_raw(r, "</li></ol><form method=\"post\" action=\"/enrol\" "
               "class=\"kk-form\">");
    hub_csrf_field(r);
    field(r, "code", "text", "Code from your authenticator app",
          "one-time-code",
          "inputmode=\"numeric\" maxlength=\"6\" pattern=\"[0-9]{6}\"");
    hub_raw(r, "<p><button type=\"submit\">");
    hub_t(r, "Turn on two-factor sign-in");
    hub_raw(r, "</button></p></form>");
    hub_page_end(r);
}

static int enrol_get(struct hub_req *r)
{
    char b32[64];
    int err;
    if (r->stage == HUB_STAGE_FULL || user_has_totp(r)) {
        hub_redirect(r, r->stage == HUB_STAGE_FULL ? "/" : "/login/code");
        return KK_OK;
    }
    err = hub_enrol_pending(r->db, r->who.user_id, b32, sizeof b32);
    if (err == KK_ERR_NOTFOUND)
        err = hub_enrol_start(r->db, r->who.user_id, b32, sizeof b32);
    if (err != KK_OK)
        return err;
    enrol_page(r, b32, NULL);
    kk_wipe(b32, sizeof b32);
    return KK_OK;
}

static int enrol_qr(struct hub_req *r)
{
    char b32[64];
    struct otp_uri u;
    struct kk_buf *uri = kk_buf_new(KK_OTP_URI_MAX);
    size_t n = 0;
    int err;
    memset(&u, 0, sizeof u);
    if (uri == NULL)
        return KK_ERR_NOMEM;
    err = hub_enrol_pending(r->db, r->who.user_id, b32, sizeof b32);
    if (err != KK_OK)
        goto out;
    otp_params_default(&u.params);
    snprintf(u.issuer, sizeof u.issuer, "Kalkan");
    snprintf(u.account, sizeof u.account, "%s", r->who.email);
    err = otp_base32_decode(b32, strlen(b32), u.secret, sizeof u.secret, &n);
    if (err != KK_OK)
        goto out;
    u.secret_len = n;
    err = otp_uri_build(&u, uri);
    if (err == KK_OK)
        err = otp_qr_render(kk_buf_str(uri), OTP_QR_SVG, r->out);
    r->ctype = "image/svg+xml";
out:
    otp_uri_wipe(&u);
    kk_wipe(b32, sizeof b32);
    kk_buf_free(uri);
    return err;
}

static int enrol_post(struct hub_req *r)
{
    const char *code = hub_form_get(r->form, "code");
    struct kk_buf *codes = kk_buf_new(1024);
    char b32[64];
    int err;
    if (codes == NULL)
        return KK_ERR_NOMEM;
    if (r->stage == HUB_STAGE_FULL || user_has_totp(r)) {
        hub_redirect(r, "/");
        err = KK_OK;
        goto out;
    }
    err = hub_enrol_finish(r->db, r->who.user_id, code != NULL ? code : "",
                           codes);
    if (err == KK_ERR_AUTH || err == KK_ERR_NOTFOUND) {
        err = hub_enrol_pending(r->db, r->who.user_id, b32, sizeof b32);
        if (err == KK_OK) {
            r->status = 400;
            enrol_page(r, b32,
                       "Wrong code. Check the time on your phone "
                       "and try the newest code.");
        }
        kk_wipe(b32, sizeof b32);
        goto out;
    }
    if (err != KK_OK)
        goto out;
    err = finish_login(r);
    if (err != KK_OK)
        goto out;
    hub_audit(r, 0, "enrol", "user", r->who.email);
    hub_page_begin(r, "Your recovery codes");
    hub_raw(r, "<p>");
    hub_t(r, "Two-factor sign-in is on. If you lose your phone, each of "
             "these codes lets you sign in once. Print them or write them "
             "down and keep them somewhere safe, away from your phone. They "
             "are shown only now.");
    hub_raw(r, "</p><pre class=\"kk-codes\" id=\"recovery\">");
    hub_esc(r, kk_buf_str(codes));
    hub_raw(r, "</pre><p><a class=\"kk-button\" href=\"/\">");
    hub_t(r, "I have saved them, continue");
    hub_raw(r, "</a></p>");
    hub_page_end(r);
out:
    if (codes != NULL)
        kk_wipe((void *)kk_buf_data(codes), kk_buf_len(codes));
    kk_buf_free(codes);
    return err;
}

static int logout_post(struct hub_req *r)
{
    hub_session_end(r->db, r->session);
    cookie_set(r, HUB_SESSION_COOKIE, "", 0, true, true);
    hub_redirect(r, "/login");
    return KK_OK;
}

static int lang_get(struct hub_req *r)
{
    const char *to = hub_form_get(r->query, "to");
    const char *back = hub_form_get(r->query, "back");
    int l = to != NULL ? hub_lang_from_code(to) : -1;
    if (l >= 0)
        cookie_set(r, "kk_lang", hub_lang_code(l), 365L * 86400, false, false);
    hub_redirect(r, back != NULL ? back : "/");
    return KK_OK;
}

/* POST /api/v1/login {"email", "password", "totp"} */
static int api_login(struct hub_req *r)
{
    const struct hub_jv *root = hub_json_root(r->json);
    const char *email = hub_jv_str(hub_jv_get(root, "email"));
    const char *pw = hub_jv_str(hub_jv_get(root, "password"));
    const char *code = hub_jv_str(hub_jv_get(root, "totp"));
    int64_t uid = 0;
    int err;
    struct hub_jw w;
    if (r->json == NULL || email == NULL || pw == NULL || code == NULL ||
        strlen(pw) > KK_HUB_PASSWORD_MAX || strlen(code) > 32) {
        hub_fail(r, 400, "invalid", "Send JSON with email, password and totp.");
        return KK_OK;
    }
    err = hub_login_password(r->db, email, pw, r->ip,
                             known_device(r, user_id_by_email(r, email)), &uid);
    if (err == KK_OK)
        err = hub_login_code(r->db, uid, code, r->ip);
    if (err == KK_ERR_THROTTLED) {
        hub_fail(r, 429, "throttled",
                 "Too many attempts. Wait a few minutes and try again.");
        return KK_OK;
    }
    if (err != KK_OK) {
        hub_fail(r, 401, "unauthenticated", "Wrong e-mail, password or code.");
        return KK_OK;
    }
    r->who.user_id = uid;
    snprintf(r->who.email, sizeof r->who.email, "%s", email);
    err = finish_login(r);
    if (err != KK_OK)
        return err;
    /* The new session's CSRF token, for the X-CSRF-Token header. */
    {
        sqlite3_stmt *st;
        char cookie[64] = "";
        for (size_t i = 0; i < r->n_hdr; i++) {
            const char *v = r->hdr_value[i];
            size_t cl = strlen(HUB_SESSION_COOKIE);
            if (strcmp(r->hdr_name[i], "Set-Cookie") == 0 &&
                strncmp(v, HUB_SESSION_COOKIE "=", cl + 1) == 0) {
                size_t n = strcspn(v + cl + 1, ";");
                if (n < sizeof cookie) {
                    memcpy(cookie, v + cl + 1, n);
                    cookie[n] = '\0';
                }
            }
        }
        hub_hash(cookie, strlen(cookie), r->session);
        kk_wipe(cookie, sizeof cookie);
        st = hub_q(r->db, HUB_Q_SESSION_GET);
        hub_bind_blob(st, ":h", r->session, 32);
        if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
            snprintf(r->csrf, sizeof r->csrf, "%s", hub_col_text(st, 2));
        if (st != NULL)
            sqlite3_reset(st);
    }
    hub_jw_begin(&w, r);
    hub_jw_key(&w, "user");
    hub_jw_obj(&w);
    hub_jw_int(&w, "id", uid);
    hub_jw_str(&w, "email", email);
    hub_jw_close(&w, '}');
    hub_jw_str(&w, "csrf", r->csrf);
    hub_jw_end(&w);
    return KK_OK;
}

static int api_logout(struct hub_req *r)
{
    struct hub_jw w;
    if (!r->who.token)
        hub_session_end(r->db, r->session);
    cookie_set(r, HUB_SESSION_COOKIE, "", 0, true, true);
    hub_jw_begin(&w, r);
    hub_jw_bool(&w, "ok", true);
    hub_jw_end(&w);
    return KK_OK;
}

const struct hub_route hub_routes_auth[] = {
    {HUB_GET, "/login", HUB_R_PUBLIC, 0, login_get},
    {HUB_POST, "/login", HUB_R_PUBLIC | HUB_R_NOCSRF, 0, login_post},
    {HUB_GET, "/login/code", HUB_R_PENDING, HUB_ROLES_ALL, code_get},
    {HUB_POST, "/login/code", HUB_R_PENDING, HUB_ROLES_ALL, code_post},
    {HUB_GET, "/enrol", HUB_R_PENDING, HUB_ROLES_ALL, enrol_get},
    {HUB_GET, "/enrol/qr.svg", HUB_R_PENDING, HUB_ROLES_ALL, enrol_qr},
    {HUB_POST, "/enrol", HUB_R_PENDING, HUB_ROLES_ALL, enrol_post},
    {HUB_POST, "/logout", HUB_R_PENDING, HUB_ROLES_ALL, logout_post},
    {HUB_GET, "/lang", HUB_R_PUBLIC, 0, lang_get},
    {HUB_POST, "/api/v1/login", HUB_R_PUBLIC | HUB_R_API | HUB_R_NOCSRF, 0,
     api_login},
    {HUB_POST, "/api/v1/logout", HUB_R_API | HUB_R_PENDING, HUB_ROLES_ALL,
     api_logout},
    {0, NULL, 0, 0, NULL},
};
