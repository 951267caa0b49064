/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pam_kalkan.c - the second factor for logins on office computers: asks
 * for a one-time code (or a recovery code) and checks it against the
 * Kalkan credential store.
 *
 * It runs inside sshd, login, su, sudo and screen lockers, so it never
 * prints, exits or aborts, logs only through pam_syslog, and never logs
 * what was typed.  As root it opens the store itself; as an ordinary user
 * (a screen locker), or with the "helper" option, it asks the root daemon
 * `kalkan otp daemon` over a UNIX socket, because the store must stay
 * unreadable to the user whose secret it holds.  Every doubt fails closed:
 * an unknown option, a missing, corrupt or unwritable store, or an absent
 * daemon all deny.  Options are documented in docs/pam_kalkan.md.
 */
#define PAM_SM_AUTH
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "kalkan/otp_store.h"

KK_API PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags,
                                          int argc, const char **argv);
KK_API PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc,
                                     const char **argv);

#define PROMPT_MAX 128

enum budget_mode {
    BUDGET_AUTO = 0, /* remote when PAM_RHOST is set */
    BUDGET_FORCE_LOCAL = 1,
    BUDGET_FORCE_REMOTE = 2,
};

struct options {
    const char *store;
    const char *socket;
    bool helper;
    bool nullok;
    int64_t nullok_until; /* 0: no expiry */
    bool has_nullok_until;
    bool debug;
    enum budget_mode budget;
    struct otp_policy pol;
    char prompt[PROMPT_MAX + 1];
};

/* Parses "name=value" numbers strictly into *out. */
static bool opt_uint(const char *arg, const char *name, unsigned max,
                     unsigned *out, bool *matched, bool *bad)
{
    size_t n = strlen(name);
    uint64_t v;

    if (strncmp(arg, name, n) != 0 || arg[n] != '=')
        return false;
    *matched = true;
    if (kk_parse_u64(arg + n + 1, 0, max, &v) != KK_OK)
        *bad = true;
    else
        *out = (unsigned)v;
    return true;
}

static int parse_options(pam_handle_t *pamh, int argc, const char **argv,
                         struct options *o)
{
    struct kk_diag d = {{0}};

    memset(o, 0, sizeof *o);
    o->store = OTP_STORE_DEFAULT_DIR;
    o->socket = OTP_STORE_DEFAULT_SOCKET;
    otp_policy_default(&o->pol);
    memcpy(o->prompt, "Verification code: ", 20);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool matched = false;
        bool bad = false;

        if (strncmp(a, "store=", 6) == 0 && a[6] == '/') {
            o->store = a + 6;
        } else if (strncmp(a, "socket=", 7) == 0 && a[7] == '/') {
            o->socket = a + 7;
        } else if (strcmp(a, "helper") == 0) {
            o->helper = true;
        } else if (strcmp(a, "nullok") == 0) {
            o->nullok = true;
        } else if (strncmp(a, "nullok_until=", 13) == 0) {
            const char *v = a + 13;
            int64_t t;
            /* YYYY-MM-DD only: kk_parse_time also reads Unix seconds. */
            if (strlen(v) != 10 || v[4] != '-' || v[7] != '-' ||
                kk_parse_time(v, &t) != KK_OK) {
                bad = true;
            } else {
                o->nullok = true;
                o->has_nullok_until = true;
                o->nullok_until = t + 86400; /* through the end of the day */
            }
        } else if (strcmp(a, "debug") == 0) {
            o->debug = true;
        } else if (strcmp(a, "budget=local") == 0) {
            o->budget = BUDGET_FORCE_LOCAL;
        } else if (strcmp(a, "budget=remote") == 0) {
            o->budget = BUDGET_FORCE_REMOTE;
        } else if (strcmp(a, "budget=auto") == 0) {
            o->budget = BUDGET_AUTO;
        } else if (strncmp(a, "prompt=", 7) == 0) {
            size_t n = strlen(a + 7);
            if (n == 0 || n > PROMPT_MAX)
                bad = true;
            else
                memcpy(o->prompt, a + 7, n + 1);
        } else if (opt_uint(a, "window", KK_OTP_WINDOW_MAX, &o->pol.window,
                            &matched, &bad) ||
                   opt_uint(a, "backoff_after", 100000, &o->pol.backoff_after,
                            &matched, &bad) ||
                   opt_uint(a, "backoff_base", 3600, &o->pol.backoff_base,
                            &matched, &bad) ||
                   opt_uint(a, "backoff_max", 86400, &o->pol.backoff_max,
                            &matched, &bad) ||
                   opt_uint(a, "daily_max", 100000, &o->pol.daily_max, &matched,
                            &bad)) {
            (void)matched;
        } else {
            pam_syslog(pamh, LOG_ERR, "unknown option \"%s\": denying", a);
            return PAM_AUTH_ERR;
        }
        if (bad) {
            pam_syslog(pamh, LOG_ERR, "invalid option \"%s\": denying", a);
            return PAM_AUTH_ERR;
        }
    }
    if (otp_policy_check(&o->pol, &d) != KK_OK) {
        pam_syslog(pamh, LOG_ERR, "invalid rate-limit options: %s: denying",
                   d.msg);
        return PAM_AUTH_ERR;
    }
    return PAM_SUCCESS;
}

/* Asks for the code.  Whatever the application's conversation returns
 * besides an answer (PAM_IGNORE, PAM_CONV_AGAIN, ...) becomes
 * PAM_CONV_ERR: passing it on would let a conversation skip the module. */
static int ask(pam_handle_t *pamh, const char *prompt, char **answer)
{
    char *resp = NULL;
    int r = pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, &resp, "%s", prompt);

    if (r != PAM_SUCCESS || resp == NULL) {
        if (resp != NULL) {
            kk_wipe(resp, strlen(resp));
            free(resp);
        }
        return PAM_CONV_ERR;
    }
    *answer = resp;
    return PAM_SUCCESS;
}

/* Whether the user has no active credential (for nullok); PAM_SUCCESS
 * with *unenrolled set, or a failure code when the store cannot say. */
static int check_unenrolled(pam_handle_t *pamh, const struct options *o,
                            bool local, const char *user, bool *unenrolled)
{
    struct kk_diag d = {{0}};
    struct otp_store *s = NULL;
    struct otp_user_info *info = NULL;
    bool enrolled = false;
    int r;

    if (!local) {
        r = otp_remote_enrolled(o->socket, user, OTP_PROTO_TIMEOUT_MS,
                                &enrolled, &d);
        if (r != KK_OK) {
            pam_syslog(pamh, LOG_ERR, "helper daemon: %s",
                       d.msg[0] ? d.msg : kk_strerror(r));
            return PAM_AUTHINFO_UNAVAIL;
        }
        *unenrolled = !enrolled;
        return PAM_SUCCESS;
    }
    r = otp_store_open(o->store, 0, &s, &d);
    if (r == KK_ERR_NOTFOUND) {
        *unenrolled = true; /* no store yet: nobody is enrolled */
        return PAM_SUCCESS;
    }
    if (r == KK_OK) {
        info = calloc(1, sizeof *info);
        r = info == NULL
                ? KK_ERR_NOMEM
                : otp_store_info(s, user, &o->pol, time(NULL), info, &d);
        if (r == KK_OK)
            enrolled = info->enrolled;
        if (r == KK_ERR_NOTFOUND || r == KK_ERR_INVAL || r == KK_ERR_RANGE)
            r = KK_OK;
    }
    free(info);
    otp_store_free(s);
    if (r != KK_OK) {
        pam_syslog(pamh, LOG_ERR, "store %s: %s", o->store,
                   d.msg[0] ? d.msg : kk_strerror(r));
        return PAM_AUTHINFO_UNAVAIL;
    }
    *unenrolled = !enrolled;
    return PAM_SUCCESS;
}

KK_API PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags,
                                          int argc, const char **argv)
{
    struct options o;
    struct kk_diag d = {{0}};
    struct otp_store *s = NULL;
    struct otp_verify_result res;
    enum otp_verified_by by = OTP_VERIFIED_NONE;
    enum otp_budget budget;
    const char *user = NULL;
    const void *item = NULL;
    const char *rhost = NULL;
    const char *service = NULL;
    char *answer = NULL;
    char clean[OTP_PROTO_INPUT_MAX + 1];
    bool local;
    int64_t now = time(NULL);
    int r;
    int v;

    (void)flags;
    memset(&res, 0, sizeof res);
    clean[0] = '\0';
    r = parse_options(pamh, argc, argv, &o);
    if (r != PAM_SUCCESS)
        goto out;
    r = pam_get_user(pamh, &user, NULL);
    if (r != PAM_SUCCESS || user == NULL || user[0] == '\0') {
        pam_syslog(pamh, LOG_ERR, "cannot determine the user name");
        r = PAM_USER_UNKNOWN;
        goto out;
    }
    if (pam_get_item(pamh, PAM_RHOST, &item) == PAM_SUCCESS && item != NULL &&
        ((const char *)item)[0] != '\0')
        rhost = item;
    item = NULL;
    if (pam_get_item(pamh, PAM_SERVICE, &item) == PAM_SUCCESS && item != NULL)
        service = item;
    budget = o.budget == BUDGET_FORCE_LOCAL    ? OTP_BUDGET_LOCAL
             : o.budget == BUDGET_FORCE_REMOTE ? OTP_BUDGET_REMOTE
             : rhost != NULL                   ? OTP_BUDGET_REMOTE
                                               : OTP_BUDGET_LOCAL;
    local = geteuid() == 0 && !o.helper;

    if (o.nullok && (!o.has_nullok_until || now < o.nullok_until)) {
        bool unenrolled = false;
        r = check_unenrolled(pamh, &o, local, user, &unenrolled);
        if (r != PAM_SUCCESS)
            goto out;
        if (unenrolled) {
            pam_syslog(pamh, LOG_NOTICE,
                       "audit: nullok: user \"%s\" has no active "
                       "credential; second factor skipped (service=%s "
                       "rhost=%s)",
                       user, service ? service : "?", rhost ? rhost : "-");
            r = PAM_IGNORE;
            goto out;
        }
    } else if (o.nullok && o.debug) {
        pam_syslog(pamh, LOG_DEBUG, "nullok_until has passed");
    }

    /* Everybody is asked, enrolled or not, so the prompt tells nothing. */
    r = ask(pamh, o.prompt, &answer);
    if (r != PAM_SUCCESS)
        goto out;
    otp_input_clean(answer, clean);

    if (local) {
        v = otp_store_open(o.store, 0, &s, &d);
        if (v == KK_OK)
            v = otp_store_verify(s, user, clean, budget, &o.pol, now, &res, &d);
        else if (v == KK_ERR_NOTFOUND)
            /* Nobody is enrolled yet: the caller is answered as an
             * unenrolled user, but the admin is told why. */
            pam_syslog(pamh, LOG_ERR,
                       "store %s does not exist: nobody is enrolled", o.store);
        by = res.by;
        if (res.counters_reset)
            pam_syslog(pamh, LOG_WARNING,
                       "failure counters of \"%s\" were torn or invalid "
                       "(a crash?); reset conservatively",
                       user);
    } else {
        v = otp_remote_verify(o.socket, user, clean, budget,
                              OTP_PROTO_TIMEOUT_MS, &by, &d);
    }
    switch (v) {
    case KK_OK:
        r = PAM_SUCCESS;
        pam_syslog(pamh, LOG_NOTICE,
                   "accepted %s for \"%s\" (service=%s rhost=%s budget=%s)",
                   by == OTP_VERIFIED_RECOVERY ? "a recovery code" : "a code",
                   user, service ? service : "?", rhost ? rhost : "-",
                   otp_budget_name(budget));
        if (local && res.by == OTP_VERIFIED_RECOVERY)
            pam_syslog(pamh, LOG_NOTICE, "\"%s\" has %u recovery codes left",
                       user, res.recovery_left);
        if (local && res.drift_adopted)
            pam_syslog(pamh, LOG_NOTICE,
                       "credential %u of \"%s\": clock drift adjusted",
                       res.cred_id, user);
        break;
    case KK_ERR_AUTH:
    case KK_ERR_REPLAY:
    case KK_ERR_THROTTLED:
    case KK_ERR_NOTFOUND:
        r = PAM_AUTH_ERR;
        pam_syslog(pamh, LOG_NOTICE,
                   "denied \"%s\": %s (service=%s rhost=%s budget=%s)", user,
                   v == KK_ERR_REPLAY      ? "code already used"
                   : v == KK_ERR_THROTTLED ? "too many failures, throttled"
                                           : "invalid code",
                   service ? service : "?", rhost ? rhost : "-",
                   otp_budget_name(budget));
        if (o.debug && v == KK_ERR_NOTFOUND)
            pam_syslog(pamh, LOG_DEBUG, "\"%s\" is not enrolled", user);
        break;
    default:
        r = PAM_AUTHINFO_UNAVAIL;
        pam_syslog(
            pamh, LOG_ERR, "%s %s: %s: denying \"%s\" (service=%s rhost=%s)",
            local ? "store" : "helper daemon", local ? o.store : o.socket,
            d.msg[0] ? d.msg : kk_strerror(v), user, service ? service : "?",
            rhost ? rhost : "-");
        break;
    }
out:
    otp_store_free(s);
    kk_wipe(clean, sizeof clean);
    if (answer != NULL) {
        kk_wipe(answer, strlen(answer));
        free(answer);
    }
    return r;
}

KK_API PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc,
                                     const char **argv)
{
    (void)pamh;
    (void)flags;
    (void)argc;
    (void)argv;
    return PAM_SUCCESS;
}
