/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_otp_admin.c - the subcommands of `kalkan otp` that manage the PAM
 * credential store: enroll, revoke, recovery, import-ga, status, verify,
 * resync and the root helper daemon used by screen lockers.
 *
 * Thin by design: option parsing and output here, every decision in the
 * otp library (otp_store.h), so `kalkan otp verify` runs exactly the logic
 * pam_kalkan.so runs.  Secrets never come from argv: codes are read from
 * stdin, secrets from a file.  The daemon forks one short-lived child per
 * connection (bounded in number and time) and relies on the store's
 * per-user locks for concurrency; before it accepts anything it gives up
 * what it does not need: core dumps, inherited descriptors, capabilities,
 * the file system beyond the store, and every system call a request does
 * not make (sandbox.c).
 */
#include <errno.h>
#include <getopt.h>
#include <nss.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "kalkan/otp.h"
#include "kalkan/otp_store.h"
#include "sandbox.h"

const char cmd_otp_admin_usage[] =
    "\n"
    "Credential store of pam_kalkan (all take --store DIR, "
    "default " OTP_STORE_DEFAULT_DIR "):\n"
    "  enroll --user NAME     add a credential, show its QR code, activate it\n"
    "                         with a code read from stdin\n"
    "  revoke --user NAME     remove a credential (--id ID) or all (--all)\n"
    "  recovery --user NAME   issue 10 new recovery codes (shown once)\n"
    "  import-ga FILE --user NAME\n"
    "                         import a google-authenticator file\n"
    "  status [--user NAME]   credentials, failures, throttling (--json)\n"
    "  verify --user NAME     check a code read from stdin, as PAM does\n"
    "  resync --user NAME     learn a phone's clock offset (or HOTP counter)\n"
    "                         from two consecutive codes read from stdin\n"
    "  daemon --socket PATH   root helper answering pam_kalkan in screen "
    "lockers\n";

enum {
    OPT_STORE = 1000,
    OPT_USER,
    OPT_LABEL,
    OPT_ISSUER,
    OPT_ALG,
    OPT_DIGITS,
    OPT_PERIOD,
    OPT_HOTP,
    OPT_COUNTER,
    OPT_SECRET_FILE,
    OPT_QR,
    OPT_SHEET,
    OPT_LANG,
    OPT_ID,
    OPT_ALL,
    OPT_JSON,
    OPT_SERVICE,
    OPT_RHOST,
    OPT_BUDGET,
    OPT_SOCKET,
    OPT_WINDOW,
    OPT_BACKOFF_AFTER,
    OPT_BACKOFF_BASE,
    OPT_BACKOFF_MAX,
    OPT_DAILY_MAX,
    OPT_HELP,
};

static const struct option long_opts[] = {
    {"store", required_argument, NULL, OPT_STORE},
    {"user", required_argument, NULL, OPT_USER},
    {"label", required_argument, NULL, OPT_LABEL},
    {"issuer", required_argument, NULL, OPT_ISSUER},
    {"algorithm", required_argument, NULL, OPT_ALG},
    {"digits", required_argument, NULL, OPT_DIGITS},
    {"period", required_argument, NULL, OPT_PERIOD},
    {"hotp", no_argument, NULL, OPT_HOTP},
    {"counter", required_argument, NULL, OPT_COUNTER},
    {"secret-file", required_argument, NULL, OPT_SECRET_FILE},
    {"qr", required_argument, NULL, OPT_QR},
    {"sheet", required_argument, NULL, OPT_SHEET},
    {"lang", required_argument, NULL, OPT_LANG},
    {"id", required_argument, NULL, OPT_ID},
    {"all", no_argument, NULL, OPT_ALL},
    {"json", no_argument, NULL, OPT_JSON},
    {"service", required_argument, NULL, OPT_SERVICE},
    {"rhost", required_argument, NULL, OPT_RHOST},
    {"budget", required_argument, NULL, OPT_BUDGET},
    {"socket", required_argument, NULL, OPT_SOCKET},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"backoff-after", required_argument, NULL, OPT_BACKOFF_AFTER},
    {"backoff-base", required_argument, NULL, OPT_BACKOFF_BASE},
    {"backoff-max", required_argument, NULL, OPT_BACKOFF_MAX},
    {"daily-max", required_argument, NULL, OPT_DAILY_MAX},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* Options of all subcommands; each subcommand checks what it needs. */
struct args {
    const char *sub;
    const char *store;
    const char *user;
    const char *label;
    const char *issuer;
    const char *secret_file;
    const char *qr;
    const char *sheet;
    const char *service;
    const char *rhost;
    const char *budget;
    const char *socket;
    const char *file; /* positional, import-ga */
    struct otp_params params;
    bool params_set;
    enum otp_lang lang;
    unsigned id;
    bool all;
    bool lang_set; /* --lang was given */
    bool json;
    bool help;
    struct otp_policy pol;
};

static int num_opt(const char *name, const char *v, uint64_t min, uint64_t max,
                   unsigned *out)
{
    uint64_t x;

    if (kk_parse_u64(v, min, max, &x) != KK_OK) {
        kk_log(KK_LOG_ERROR, "%s must be a number from %llu to %llu", name,
               (unsigned long long)min, (unsigned long long)max);
        return KK_EXIT_USAGE;
    }
    *out = (unsigned)x;
    return KK_EXIT_OK;
}

static int parse_args(int argc, char **argv, struct args *a)
{
    uint64_t counter;
    int c;
    int rc = KK_EXIT_OK;

    memset(a, 0, sizeof *a);
    a->sub = argv[0];
    a->store = OTP_STORE_DEFAULT_DIR;
    a->socket = OTP_STORE_DEFAULT_SOCKET;
    otp_params_default(&a->params);
    otp_policy_default(&a->pol);
    optind = 1;
    opterr = 0;
    while (rc == KK_EXIT_OK &&
           (c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        switch (c) {
        case OPT_STORE:
            a->store = optarg;
            break;
        case OPT_USER:
            a->user = optarg;
            break;
        case OPT_LABEL:
            a->label = optarg;
            break;
        case OPT_ISSUER:
            a->issuer = optarg;
            break;
        case OPT_ALG:
            if (otp_alg_parse(optarg, &a->params.alg) != KK_OK) {
                kk_log(KK_LOG_ERROR, "unknown algorithm '%s'", optarg);
                rc = KK_EXIT_USAGE;
            }
            a->params_set = true;
            break;
        case OPT_DIGITS:
            rc = num_opt("--digits", optarg, KK_OTP_DIGITS_MIN,
                         KK_OTP_DIGITS_MAX, &a->params.digits);
            a->params_set = true;
            break;
        case OPT_PERIOD:
            rc = num_opt("--period", optarg, 1, KK_OTP_PERIOD_MAX,
                         &a->params.period);
            a->params_set = true;
            break;
        case OPT_HOTP:
            a->params.kind = OTP_KIND_HOTP;
            a->params_set = true;
            break;
        case OPT_COUNTER:
            if (kk_parse_u64(optarg, 0, UINT64_MAX - 1, &counter) != KK_OK) {
                kk_log(KK_LOG_ERROR, "--counter must be a number");
                rc = KK_EXIT_USAGE;
            }
            a->params.counter = counter;
            a->params_set = true;
            break;
        case OPT_SECRET_FILE:
            a->secret_file = optarg;
            break;
        case OPT_QR:
            a->qr = optarg;
            break;
        case OPT_SHEET:
            a->sheet = optarg;
            break;
        case OPT_LANG:
            if (otp_lang_parse(optarg, &a->lang) != KK_OK) {
                kk_log(KK_LOG_ERROR, "--lang must be en, ru or ky");
                rc = KK_EXIT_USAGE;
            }
            a->lang_set = true;
            break;
        case OPT_ID:
            rc = num_opt("--id", optarg, 1, 1000000, &a->id);
            break;
        case OPT_ALL:
            a->all = true;
            break;
        case OPT_JSON:
            a->json = true;
            break;
        case OPT_SERVICE:
            a->service = optarg;
            break;
        case OPT_RHOST:
            a->rhost = optarg;
            break;
        case OPT_BUDGET:
            a->budget = optarg;
            if (strcmp(optarg, "local") != 0 && strcmp(optarg, "remote") != 0) {
                kk_log(KK_LOG_ERROR, "--budget must be local or remote");
                rc = KK_EXIT_USAGE;
            }
            break;
        case OPT_SOCKET:
            a->socket = optarg;
            break;
        case OPT_WINDOW:
            rc = num_opt("--window", optarg, 0, KK_OTP_WINDOW_MAX,
                         &a->pol.window);
            break;
        case OPT_BACKOFF_AFTER:
            rc = num_opt("--backoff-after", optarg, 0, 100000,
                         &a->pol.backoff_after);
            break;
        case OPT_BACKOFF_BASE:
            rc = num_opt("--backoff-base", optarg, 1, 3600,
                         &a->pol.backoff_base);
            break;
        case OPT_BACKOFF_MAX:
            rc =
                num_opt("--backoff-max", optarg, 1, 86400, &a->pol.backoff_max);
            break;
        case OPT_DAILY_MAX:
            rc = num_opt("--daily-max", optarg, 1, 100000, &a->pol.daily_max);
            break;
        case OPT_HELP:
        case 'h':
            a->help = true;
            break;
        default:
            kk_log(KK_LOG_ERROR, "%s: unknown or incomplete option '%s'",
                   a->sub, argv[optind - 1]);
            rc = KK_EXIT_USAGE;
            break;
        }
    }
    if (rc == KK_EXIT_OK && optind < argc) {
        if (strcmp(a->sub, "import-ga") == 0 && optind == argc - 1) {
            a->file = argv[optind];
        } else {
            kk_log(KK_LOG_ERROR, "%s: unexpected argument '%s'", a->sub,
                   argv[optind]);
            rc = KK_EXIT_USAGE;
        }
    }
    if (rc == KK_EXIT_OK && !a->help) {
        struct kk_diag d = {{0}};
        if (otp_policy_check(&a->pol, &d) != KK_OK) {
            kk_log(KK_LOG_ERROR, "%s", d.msg);
            rc = KK_EXIT_USAGE;
        }
    }
    return rc;
}

static int need_user(const struct args *a)
{
    char enc[OTP_STORE_USER_ENC_SIZE];

    if (a->user == NULL) {
        kk_log(KK_LOG_ERROR, "%s: --user NAME is required", a->sub);
        return KK_EXIT_USAGE;
    }
    if (otp_store_user_encode(a->user, enc) != KK_OK) {
        kk_log(KK_LOG_ERROR, "%s: invalid user name", a->sub);
        return KK_EXIT_USAGE;
    }
    return KK_EXIT_OK;
}

static int open_store(const struct args *a, unsigned flags,
                      struct otp_store **s)
{
    struct kk_diag d = {{0}};
    int r = otp_store_open(a->store, flags, s, &d);

    if (r != KK_OK) {
        kk_log(KK_LOG_ERROR, "%s: %s", a->sub,
               d.msg[0] ? d.msg : kk_strerror(r));
        return r == KK_ERR_NOTFOUND ? KK_EXIT_FAILURE : cmd_exit_for(r);
    }
    return KK_EXIT_OK;
}

static int fail(const struct args *a, int r, const struct kk_diag *d)
{
    kk_log(KK_LOG_ERROR, "%s: %s", a->sub,
           d != NULL && d->msg[0] ? d->msg : kk_strerror(r));
    return cmd_exit_for(r);
}

/* Reads one line from stdin into buf (without the newline); false at EOF
 * or when the line is too long. */
static bool read_line(char *buf, size_t cap)
{
    size_t n;

    if (fgets(buf, (int)cap, stdin) == NULL)
        return false;
    n = strlen(buf);
    if (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (!feof(stdin))
        return false;
    if (n > 0 && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return true;
}

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static void json_kv_str(struct kk_buf *b, const char *k, const char *v,
                        bool comma)
{
    int r = kk_buf_putf(b, "%s\"%s\":", comma ? "," : "", k);

    if (r == KK_OK)
        r = kk_json_str(b, v);
    (void)r;
}

static void put_time(struct kk_buf *b, const char *k, int64_t t, bool comma)
{
    char ts[32];
    int r;

    if (t <= 0 || kk_format_time(t, ts, sizeof ts) != KK_OK) {
        r = kk_buf_putf(b, "%s\"%s\":null", comma ? "," : "", k);
        (void)r;
        return;
    }
    json_kv_str(b, k, ts, comma);
}

static void fmt_time(int64_t t, char *out, size_t cap)
{
    if (t <= 0 || kk_format_time(t, out, cap) != KK_OK)
        snprintf(out, cap, "never");
}

/* ---- enroll ---- */

/* Reads a base32 secret, or an otpauth:// URI, from the first line of a
 * file (the same rules as `kalkan otp code --secret-file`). */
static int read_secret_file(const char *path, struct otp_uri *u,
                            struct kk_diag *d)
{
    struct kk_buf *b = kk_buf_new(KK_OTP_URI_MAX + 2);
    struct kk_diag inner = {.msg = ""};
    int r;

    if (b == NULL)
        return KK_ERR_NOMEM;
    r = kk_file_read(path, KK_OTP_URI_MAX + 2, b, d);
    if (r != KK_OK)
        goto out;
    r = otp_secret_parse(kk_buf_str(b), kk_buf_len(b), u, &inner);
    if (r == KK_ERR_NOTFOUND)
        r = KK_ERR_INVAL;
    if (r != KK_OK)
        kk_diag_set(d, "%s: %s", path, inner.msg);
out:
    kk_buf_free(b);
    return r;
}

static int cmd_enroll(const struct args *a)
{
    struct otp_store *s = NULL;
    struct otp_uri *u = calloc(1, sizeof *u);
    struct kk_buf *uri = kk_buf_new(KK_OTP_URI_MAX);
    struct kk_buf *qr = kk_buf_new(KK_OTP_QR_MAX);
    struct kk_diag d = {{0}};
    char host[256] = "localhost";
    char label[KK_OTP_LABEL_MAX + 1];
    char line[128];
    unsigned id = 0;
    unsigned removed;
    int rc;
    int r;

    if (u == NULL || uri == NULL || qr == NULL) {
        rc = KK_EXIT_FAILURE;
        goto out;
    }
    rc = need_user(a);
    if (rc != KK_EXIT_OK)
        goto out;
    if (a->lang_set && a->sheet == NULL) {
        kk_log(KK_LOG_ERROR, "enroll: --lang is the language of --sheet FILE, "
                             "which is missing");
        rc = KK_EXIT_USAGE;
        goto out;
    }
    if (a->qr != NULL && strcmp(a->qr, "term") != 0 &&
        strcmp(a->qr, "none") != 0 && strncmp(a->qr, "png:", 4) != 0) {
        kk_log(KK_LOG_ERROR, "enroll: --qr must be term, none or png:FILE");
        rc = KK_EXIT_USAGE;
        goto out;
    }
    u->params = a->params;
    if (a->secret_file != NULL) {
        r = read_secret_file(a->secret_file, u, &d);
        if (r != KK_OK) {
            rc = fail(a, r, &d);
            goto out;
        }
        if (a->params_set)
            u->params = a->params;
    } else {
        u->secret_len = KK_OTP_SECRET_GEN;
        r = otp_secret_generate(u->secret, u->secret_len);
        if (r != KK_OK) {
            rc = fail(a, r, NULL);
            goto out;
        }
    }
    if (otp_params_check(&u->params) != KK_OK) {
        kk_log(KK_LOG_ERROR, "enroll: invalid code parameters");
        rc = KK_EXIT_USAGE;
        goto out;
    }
    (void)gethostname(host, sizeof host - 1);
    if (a->label != NULL)
        snprintf(label, sizeof label, "%s", a->label);
    else
        snprintf(label, sizeof label, "%s@%s", a->user, host);
    if (label[0] == '\0') {
        kk_log(KK_LOG_ERROR, "enroll: --label must not be empty");
        rc = KK_EXIT_USAGE;
        goto out;
    }
    rc = open_store(a, OTP_STORE_CREATE, &s);
    if (rc != KK_EXIT_OK)
        goto out;
    r = otp_store_cred_add(s, a->user, label, &u->params, u->secret,
                           u->secret_len, a->secret_file != NULL, now_s(), &id,
                           &d);
    if (r != KK_OK) {
        rc = fail(a, r, &d);
        goto out;
    }
    /* The issuer of --issuer, else of a provisioned URI, else Kalkan. */
    if (a->issuer != NULL || u->issuer[0] == '\0')
        snprintf(u->issuer, sizeof u->issuer, "%s",
                 a->issuer != NULL ? a->issuer : "Kalkan");
    snprintf(u->account, sizeof u->account, "%s", label);
    if (a->sheet != NULL) {
        /* Same secret as the QR code below; written before any code is
         * asked for, so the person can scan it from the printed page. */
        struct kk_buf *sheet = kk_buf_new(KK_OTP_SHEET_MAX);
        r = sheet != NULL ? otp_sheet_render(u, a->lang, sheet) : KK_ERR_NOMEM;
        if (r == KK_OK)
            r = kk_file_write_atomic(a->sheet, kk_buf_data(sheet),
                                     kk_buf_len(sheet), 0600, &d);
        kk_buf_free(sheet);
        if (r != KK_OK) {
            rc = fail(a, r, &d);
            goto remove;
        }
        printf("Enrolment sheet written to %s (mode 0600).  It holds the "
               "secret:\nprint it, scan it, then shred it and delete the "
               "file.\n",
               a->sheet);
    }
    if (a->secret_file != NULL) {
        printf("credential %u of %s is active\n", id, a->user);
        rc = KK_EXIT_OK;
        goto out;
    }
    r = otp_uri_build(u, uri);
    if (r == KK_OK && a->qr != NULL && strncmp(a->qr, "png:", 4) == 0) {
        r = otp_qr_render(kk_buf_str(uri), OTP_QR_PNG, qr);
        if (r == KK_OK)
            r = kk_file_write_atomic(a->qr + 4, kk_buf_data(qr), kk_buf_len(qr),
                                     0600, &d);
    } else if (r == KK_OK && (a->qr == NULL || strcmp(a->qr, "term") == 0)) {
        r = otp_qr_render(kk_buf_str(uri), OTP_QR_TERM, qr);
        if (r == KK_OK)
            fwrite(kk_buf_data(qr), 1, kk_buf_len(qr), stdout);
    }
    if (r != KK_OK) {
        rc = fail(a, r, &d);
        goto remove;
    }
    printf("Scan the QR code with an authenticator app, or enter this URI:\n"
           "%s\n",
           kk_buf_str(uri));
    fflush(stdout);
    for (int tries = 0; tries < 3; tries++) {
        char clean[OTP_PROTO_INPUT_MAX + 1];
        fprintf(stderr, "Code shown by the app: ");
        fflush(stderr);
        if (!read_line(line, sizeof line))
            break;
        otp_input_clean(line, clean);
        r = otp_store_cred_activate(s, a->user, id, clean, NULL, now_s(), &d);
        kk_wipe(line, sizeof line);
        if (r == KK_OK) {
            printf("credential %u of %s is active\n", id, a->user);
            rc = KK_EXIT_OK;
            goto out;
        }
        if (r != KK_ERR_AUTH) {
            rc = fail(a, r, &d);
            goto remove;
        }
        fprintf(stderr, "That code is not valid.\n");
    }
    kk_log(KK_LOG_ERROR, "enroll: no valid code; credential %u removed", id);
    rc = KK_EXIT_NEGATIVE;
remove:
    if (otp_store_cred_remove(s, a->user, id, &removed, &d) != KK_OK)
        kk_log(KK_LOG_WARN, "enroll: credential %u stays pending", id);
out:
    if (u != NULL) {
        otp_uri_wipe(u);
        free(u);
    }
    kk_buf_free(uri);
    kk_buf_free(qr);
    otp_store_free(s);
    return rc;
}

/* ---- revoke, recovery ---- */

static int cmd_revoke(const struct args *a)
{
    struct otp_store *s = NULL;
    struct kk_diag d = {{0}};
    unsigned removed = 0;
    int rc = need_user(a);
    int r;

    if (rc != KK_EXIT_OK)
        return rc;
    if ((a->id == 0) == !a->all) {
        kk_log(KK_LOG_ERROR, "revoke: give either --id ID or --all");
        return KK_EXIT_USAGE;
    }
    rc = open_store(a, 0, &s);
    if (rc != KK_EXIT_OK)
        return rc;
    r = otp_store_cred_remove(s, a->user, a->all ? 0 : a->id, &removed, &d);
    if (r != KK_OK)
        rc = fail(a, r, &d);
    else
        printf("removed %u credential%s%s of %s\n", removed,
               removed == 1 ? "" : "s", a->all ? " and the recovery codes" : "",
               a->user);
    otp_store_free(s);
    return rc;
}

static int cmd_recovery(const struct args *a)
{
    char codes[KK_STORE_RECOVERY_CODES][OTP_RECOVERY_SIZE];
    struct otp_store *s = NULL;
    struct kk_diag d = {{0}};
    int rc = need_user(a);
    int r;

    if (rc != KK_EXIT_OK)
        return rc;
    rc = open_store(a, OTP_STORE_CREATE, &s);
    if (rc != KK_EXIT_OK)
        return rc;
    r = otp_store_recovery_new(s, a->user, now_s(), codes, &d);
    if (r != KK_OK) {
        rc = fail(a, r, &d);
        goto out;
    }
    if (a->json) {
        struct kk_buf *b = kk_buf_new(4096);
        if (b == NULL) {
            rc = KK_EXIT_FAILURE;
            goto out;
        }
        json_kv_str(b, "user", a->user, false);
        r = kk_buf_puts(b, ",\"codes\":[");
        for (size_t i = 0; i < KK_STORE_RECOVERY_CODES && r == KK_OK; i++) {
            r = kk_buf_puts(b, i ? ",\"" : "\"");
            if (r == KK_OK)
                r = kk_buf_puts(b, codes[i]);
            if (r == KK_OK)
                r = kk_buf_putc(b, '"');
        }
        if (r == KK_OK)
            printf("{%s]}\n", kk_buf_str(b));
        kk_buf_free(b);
    } else {
        printf("Recovery codes for %s. Each works once; keep them somewhere "
               "safe.\nThey replace any earlier codes and are not shown "
               "again.\n\n",
               a->user);
        for (size_t i = 0; i < KK_STORE_RECOVERY_CODES; i++)
            printf("  %s\n", codes[i]);
    }
out:
    kk_wipe(codes, sizeof codes);
    otp_store_free(s);
    return rc;
}

/* ---- import-ga ---- */

static int cmd_import_ga(const struct args *a)
{
    struct otp_store *s = NULL;
    struct otp_ga *g = calloc(1, sizeof *g);
    struct kk_buf *b = kk_buf_new(KK_GA_FILE_MAX);
    struct kk_diag d = {{0}};
    char label[KK_OTP_LABEL_MAX + 1];
    unsigned id = 0;
    bool scratch = false;
    int rc;
    int r;

    if (g == NULL || b == NULL) {
        rc = KK_EXIT_FAILURE;
        goto out;
    }
    rc = need_user(a);
    if (rc != KK_EXIT_OK)
        goto out;
    if (a->file == NULL) {
        kk_log(KK_LOG_ERROR, "import-ga: give the file to import");
        rc = KK_EXIT_USAGE;
        goto out;
    }
    r = kk_file_read(a->file, KK_GA_FILE_MAX, b, &d);
    if (r == KK_OK)
        r = otp_ga_parse(kk_buf_str(b), kk_buf_len(b), g, &d);
    if (r != KK_OK) {
        kk_log(KK_LOG_ERROR, "import-ga: %s: %s", a->file,
               d.msg[0] ? d.msg : kk_strerror(r));
        rc = r == KK_ERR_NOTFOUND || r == KK_ERR_PERM ? KK_EXIT_FAILURE
                                                      : KK_EXIT_USAGE;
        goto out;
    }
    snprintf(label, sizeof label, "%s",
             a->label != NULL ? a->label : "google-authenticator");
    rc = open_store(a, OTP_STORE_CREATE, &s);
    if (rc != KK_EXIT_OK)
        goto out;
    r = otp_store_import_ga(s, a->user, label, g, now_s(), &id, &scratch, &d);
    if (r != KK_OK) {
        rc = fail(a, r, &d);
        goto out;
    }
    printf("imported %s as credential %u of %s\n", a->file, id, a->user);
    printf("  mapped: secret (%zu bits, encrypted), %s", g->secret_len * 8,
           g->hotp ? "HOTP_COUNTER" : "TOTP_AUTH");
    if (g->hotp)
        printf(" (next counter %llu)", (unsigned long long)g->hotp_counter);
    else
        printf(", STEP_SIZE %u", g->has_step_size ? g->step_size : 30);
    if (g->nreuse > 0)
        printf(", DISALLOW_REUSE (last used step)");
    if (g->has_time_skew && g->time_skew >= -KK_STORE_DRIFT_MAX &&
        g->time_skew <= KK_STORE_DRIFT_MAX && !g->hotp)
        printf(", TIME_SKEW %lld (drift)", (long long)g->time_skew);
    if (scratch)
        printf(", %zu scratch codes (as recovery codes)", g->nscratch);
    printf("\n");
    if (g->window_size != 0)
        printf("  ignored: WINDOW_SIZE %u (the window is the module option "
               "window=, default 1 step either side)\n",
               g->window_size);
    if (g->has_rate_limit)
        printf("  ignored: RATE_LIMIT %u %u (Kalkan's own rate limits "
               "apply)\n",
               g->rate_attempts, g->rate_interval);
    if (g->has_time_skew && (g->hotp || g->time_skew < -KK_STORE_DRIFT_MAX ||
                             g->time_skew > KK_STORE_DRIFT_MAX))
        printf("  ignored: TIME_SKEW %lld (outside +-%d steps or HOTP)\n",
               (long long)g->time_skew, KK_STORE_DRIFT_MAX);
    if (g->resetting_time_skew)
        printf("  ignored: RESETTING_TIME_SKEW (drift is relearned)\n");
    if (g->disallow_reuse && g->nreuse == 0)
        printf("  note: DISALLOW_REUSE is always on in Kalkan\n");
    if (g->unknown > 0)
        printf("  ignored: %u unknown option line%s\n", g->unknown,
               g->unknown == 1 ? "" : "s");
    if (g->nscratch > 0 && !scratch)
        printf("  ignored: %zu scratch codes (the user already has recovery "
               "codes)\n",
               g->nscratch);
    if (scratch)
        kk_log(KK_LOG_WARN,
               "import-ga: the %zu imported 8-digit scratch codes are weak "
               "(26.6 bits) and are refused while throttled; issue new ones "
               "with 'kalkan otp recovery --user %s'",
               g->nscratch, a->user);
    kk_log(KK_LOG_WARN,
           "import-ga: remove %s now; it holds the secret in clear text",
           a->file);
out:
    if (g != NULL) {
        otp_ga_wipe(g);
        free(g);
    }
    kk_buf_free(b);
    otp_store_free(s);
    return rc;
}

/* ---- status ---- */

struct status_ctx {
    struct otp_store *s;
    const struct args *a;
    struct kk_buf *json;
    size_t count;
    int err;
};

static const char *kind_name(const struct otp_params *p)
{
    return p->kind == OTP_KIND_HOTP ? "hotp" : "totp";
}

static int status_json(struct status_ctx *c, const struct otp_user_info *in)
{
    struct kk_buf *b = c->json;
    int r = kk_buf_puts(b, c->count ? ",{" : "{");

    json_kv_str(b, "user", in->user, false);
    r |= kk_buf_putf(b, ",\"enrolled\":%s,\"credentials\":[",
                     in->enrolled ? "true" : "false");
    for (size_t i = 0; i < in->ncreds; i++) {
        const struct otp_cred_info *ci = &in->creds[i];
        r |= kk_buf_putf(b, "%s{\"id\":%u", i ? "," : "", ci->id);
        json_kv_str(b, "label", ci->label, true);
        json_kv_str(b, "kind", kind_name(&ci->params), true);
        json_kv_str(b, "algorithm", otp_alg_name(ci->params.alg), true);
        r |= kk_buf_putf(b, ",\"digits\":%u", ci->params.digits);
        if (ci->params.kind == OTP_KIND_TOTP)
            r |= kk_buf_putf(b, ",\"period\":%u", ci->params.period);
        else
            r |= kk_buf_putf(b, ",\"counter\":%llu",
                             (unsigned long long)ci->params.counter);
        json_kv_str(b, "state",
                    ci->state == OTP_CRED_ACTIVE ? "active" : "pending", true);
        put_time(b, "created", ci->created, true);
        put_time(b, "last_used", ci->last_used, true);
        r |= kk_buf_putf(b, ",\"drift_steps\":%d,\"drift_seconds\":%lld}",
                         ci->drift,
                         (long long)ci->drift * (long long)ci->params.period);
    }
    r |= kk_buf_puts(b, "],\"budgets\":{");
    for (unsigned i = 0; i < OTP_BUDGETS; i++) {
        const struct otp_budget_info *bi = &in->budget[i];
        r |= kk_buf_putf(b,
                         "%s\"%s\":{\"consecutive_failures\":%u,"
                         "\"failures_24h\":%u,\"failures_total\":%llu",
                         i ? "," : "", otp_budget_name((enum otp_budget)i),
                         bi->consecutive, bi->failures_24h,
                         (unsigned long long)bi->total);
        put_time(b, "last_failure", bi->last_fail, true);
        put_time(b, "throttled_until", bi->throttled_until, true);
        r |= kk_buf_putc(b, '}');
    }
    r |= kk_buf_putf(b,
                     "},\"recovery_codes_left\":%u,"
                     "\"recovery_codes_weak\":%u",
                     in->recovery_left, in->recovery_weak);
    put_time(b, "recovery_codes_issued", in->recovery_created, true);
    r |= kk_buf_putc(b, '}');
    return r == KK_OK ? KK_OK : KK_ERR_LIMIT;
}

static void status_text(const struct otp_user_info *in)
{
    char t1[32];
    char t2[32];

    printf("%s: %s\n", in->user, in->enrolled ? "enrolled" : "not enrolled");
    for (size_t i = 0; i < in->ncreds; i++) {
        const struct otp_cred_info *ci = &in->creds[i];
        fmt_time(ci->created, t1, sizeof t1);
        fmt_time(ci->last_used, t2, sizeof t2);
        printf("  credential %u \"%s\": %s %s %u digits, %s, created %s, "
               "last used %s",
               ci->id, ci->label, kind_name(&ci->params),
               otp_alg_name(ci->params.alg), ci->params.digits,
               ci->state == OTP_CRED_ACTIVE ? "active" : "pending", t1, t2);
        if (ci->params.kind == OTP_KIND_TOTP)
            printf(", drift %+d steps (%+lld s)\n", ci->drift,
                   (long long)ci->drift * (long long)ci->params.period);
        else
            printf(", next counter %llu\n",
                   (unsigned long long)ci->params.counter);
    }
    for (unsigned i = 0; i < OTP_BUDGETS; i++) {
        const struct otp_budget_info *bi = &in->budget[i];
        fmt_time(bi->throttled_until, t1, sizeof t1);
        printf("  %s logins: %u failures in 24 h, %u in a row%s%s\n",
               otp_budget_name((enum otp_budget)i), bi->failures_24h,
               bi->consecutive, bi->throttled_until ? ", throttled until " : "",
               bi->throttled_until ? t1 : "");
    }
    printf("  recovery codes left: %u%s\n", in->recovery_left,
           in->recovery_weak ? " (some are weak imported scratch codes)" : "");
}

static int status_one(const char *user, void *ctx)
{
    struct status_ctx *c = ctx;
    struct otp_user_info *in = calloc(1, sizeof *in);
    struct kk_diag d = {{0}};
    int r;

    if (in == NULL)
        return KK_ERR_NOMEM;
    r = otp_store_info(c->s, user, &c->a->pol, now_s(), in, &d);
    if (r == KK_OK) {
        if (c->json != NULL)
            r = status_json(c, in);
        else
            status_text(in);
        c->count++;
    } else {
        kk_log(KK_LOG_ERROR, "status: %s: %s", user,
               d.msg[0] ? d.msg : kk_strerror(r));
        c->err = r;
        r = KK_OK; /* report the others too */
    }
    free(in);
    return r;
}

static int cmd_status(const struct args *a)
{
    struct status_ctx c = {0};
    struct kk_diag d = {{0}};
    int rc;
    int r;

    rc = open_store(a, 0, &c.s);
    if (rc != KK_EXIT_OK)
        return rc;
    c.a = a;
    if (a->json) {
        c.json = kk_buf_new(16 * 1024 * 1024);
        if (c.json == NULL) {
            rc = KK_EXIT_FAILURE;
            goto out;
        }
    }
    if (a->user != NULL) {
        rc = need_user(a);
        if (rc != KK_EXIT_OK)
            goto out;
        r = status_one(a->user, &c);
        if (c.err == KK_ERR_NOTFOUND) {
            rc = KK_EXIT_USAGE;
            goto out;
        }
    } else {
        r = otp_store_users(c.s, status_one, &c, &d);
    }
    if (r != KK_OK) {
        rc = fail(a, r, &d);
        goto out;
    }
    if (c.json != NULL)
        printf("{\"users\":[%s]}\n", kk_buf_str(c.json));
    else if (c.count == 0)
        printf("no users in %s\n", a->store);
    rc = c.err != KK_OK ? cmd_exit_for(c.err) : KK_EXIT_OK;
out:
    kk_buf_free(c.json);
    otp_store_free(c.s);
    return rc;
}

/* ---- verify ---- */

static int cmd_verify(const struct args *a)
{
    struct otp_store *s = NULL;
    struct otp_verify_result res;
    struct kk_diag d = {{0}};
    char line[256];
    char clean[OTP_PROTO_INPUT_MAX + 1];
    enum otp_budget b;
    int rc = need_user(a);
    int r;

    if (rc != KK_EXIT_OK)
        return rc;
    if (!read_line(line, sizeof line)) {
        kk_log(KK_LOG_ERROR, "verify: expected a code on stdin");
        return KK_EXIT_USAGE;
    }
    otp_input_clean(line, clean);
    kk_wipe(line, sizeof line);
    if (a->budget != NULL)
        b = strcmp(a->budget, "remote") == 0 ? OTP_BUDGET_REMOTE
                                             : OTP_BUDGET_LOCAL;
    else
        b = a->rhost != NULL && a->rhost[0] != '\0' ? OTP_BUDGET_REMOTE
                                                    : OTP_BUDGET_LOCAL;
    rc = open_store(a, 0, &s);
    if (rc != KK_EXIT_OK)
        goto out;
    memset(&res, 0, sizeof res);
    r = otp_store_verify(s, a->user, clean, b, &a->pol, now_s(), &res, &d);
    if (r != KK_OK && r != KK_ERR_AUTH && r != KK_ERR_REPLAY &&
        r != KK_ERR_THROTTLED && r != KK_ERR_NOTFOUND) {
        rc = fail(a, r, &d);
        goto out;
    }
    if (a->json) {
        printf("{\"user\":");
        fflush(stdout);
        {
            struct kk_buf *jb = kk_buf_new(1024);
            if (jb != NULL && kk_json_str(jb, a->user) == KK_OK)
                printf("%s", kk_buf_str(jb));
            kk_buf_free(jb);
        }
        printf(",\"accepted\":%s,\"by\":\"%s\",\"budget\":\"%s\","
               "\"reason\":\"%s\"}\n",
               r == KK_OK ? "true" : "false",
               res.by == OTP_VERIFIED_RECOVERY ? "recovery"
               : res.by == OTP_VERIFIED_CODE   ? "code"
                                               : "none",
               otp_budget_name(b),
               r == KK_OK              ? "ok"
               : r == KK_ERR_REPLAY    ? "replay"
               : r == KK_ERR_THROTTLED ? "throttled"
                                       : "invalid");
    } else {
        printf("%s\n", r == KK_OK ? "accepted" : "denied");
    }
    rc = r == KK_OK ? KK_EXIT_OK : KK_EXIT_NEGATIVE;
out:
    kk_wipe(clean, sizeof clean);
    otp_store_free(s);
    return rc;
}

/* ---- resync ---- */

/* Reads one code for resync: a prompt on stderr when stdin is a terminal,
 * spaces dropped; false when the line is missing or not 6 to 8 digits. */
static bool read_code(const char *prompt, char out[OTP_PROTO_INPUT_MAX + 1])
{
    char line[256];
    size_t n;
    bool ok;

    if (isatty(STDIN_FILENO)) {
        fputs(prompt, stderr);
        fflush(stderr);
    }
    ok = read_line(line, sizeof line);
    if (ok)
        otp_input_clean(line, out);
    kk_wipe(line, sizeof line);
    n = ok ? strlen(out) : 0;
    ok = ok && n >= KK_OTP_DIGITS_MIN && n <= KK_OTP_DIGITS_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = out[i] >= '0' && out[i] <= '9';
    return ok;
}

static void resync_print(const struct args *a,
                         const struct otp_resync_result *res)
{
    long long secs = (long long)res->drift * (long long)res->period;

    if (a->json) {
        struct kk_buf *jb = kk_buf_new(1024);
        int r = jb != NULL ? kk_json_str(jb, a->user) : KK_ERR_NOMEM;
        printf("{\"user\":%s,\"id\":%u,\"kind\":\"%s\",",
               r == KK_OK ? kk_buf_str(jb) : "null", res->cred_id,
               res->kind == OTP_KIND_HOTP ? "hotp" : "totp");
        if (res->kind == OTP_KIND_HOTP)
            printf("\"counter\":%llu,\"old_counter\":%llu}\n",
                   (unsigned long long)res->counter,
                   (unsigned long long)res->old_counter);
        else
            printf("\"drift_steps\":%d,\"drift_seconds\":%lld,"
                   "\"old_drift_steps\":%d}\n",
                   res->drift, secs, res->old_drift);
        kk_buf_free(jb);
        return;
    }
    if (res->kind == OTP_KIND_HOTP)
        printf("credential %u of %s: counter moved from %llu to %llu\n",
               res->cred_id, a->user, (unsigned long long)res->old_counter,
               (unsigned long long)res->counter);
    else if (res->drift == 0)
        printf("credential %u of %s: phone clock is right (drift 0 steps, "
               "was %+d)\n",
               res->cred_id, a->user, res->old_drift);
    else
        printf("credential %u of %s: phone is %lld s %s (drift %+d steps, "
               "was %+d)\n",
               res->cred_id, a->user, secs < 0 ? -secs : secs,
               secs > 0 ? "fast" : "slow", res->drift, res->old_drift);
}

static int cmd_resync(const struct args *a)
{
    struct otp_store *s = NULL;
    struct otp_resync_result res;
    struct kk_diag d = {{0}};
    char c1[OTP_PROTO_INPUT_MAX + 1] = "";
    char c2[OTP_PROTO_INPUT_MAX + 1] = "";
    int rc = need_user(a);
    int r;

    if (rc != KK_EXIT_OK)
        return rc;
    if (!read_code("first code: ", c1) || !read_code("next code: ", c2)) {
        kk_log(KK_LOG_ERROR, "resync: expected two codes of 6 to 8 digits "
                             "on stdin, one per line");
        rc = KK_EXIT_USAGE;
        goto out;
    }
    rc = open_store(a, 0, &s);
    if (rc != KK_EXIT_OK)
        goto out;
    memset(&res, 0, sizeof res);
    r = otp_store_resync(s, a->user, a->id, c1, c2, &a->pol, now_s(), &res, &d);
    if (r == KK_OK) {
        resync_print(a, &res);
        rc = KK_EXIT_OK;
    } else if (r == KK_ERR_THROTTLED) {
        char t[32];
        fmt_time(res.throttled_until, t, sizeof t);
        kk_log(KK_LOG_ERROR,
               "resync: local logins of %s are throttled until %s; nothing "
               "was checked",
               a->user, t);
        rc = KK_EXIT_NEGATIVE;
    } else if (r == KK_ERR_AUTH || r == KK_ERR_REPLAY) {
        kk_log(KK_LOG_ERROR, "resync: %s (counted as a failed login)",
               d.msg[0] ? d.msg : kk_strerror(r));
        rc = KK_EXIT_NEGATIVE;
    } else {
        rc = fail(a, r, &d);
    }
out:
    kk_wipe(c1, sizeof c1);
    kk_wipe(c2, sizeof c2);
    otp_store_free(s);
    return rc;
}

/* ---- daemon ---- */

/*
 * Start-up, in the order of STYLE.md rule 17, every step fatal: keep only
 * descriptors 0-2 and the listening socket; no core dumps (the store key
 * will be in memory), umask 077; open the store, the socket and the name
 * service; drop every capability; no_new_privs; Landlock (the store and
 * /etc/passwd); seccomp (sandbox.c).  Then one forked worker per
 * connection, which stacks a narrower seccomp filter before it reads its
 * caller's request.
 */

/* The daemon's limits are KK_OTPD_* in include/kalkan/limits.h. */
#define DAEMON_CHILDREN_MAX KK_OTPD_CHILDREN_MAX
#define DAEMON_CHILDREN_UID KK_OTPD_CHILDREN_UID
#define DAEMON_REQUEST_MS KK_OTPD_REQUEST_MS
#define DAEMON_CHILD_SECONDS KK_OTPD_CHILD_SECONDS
#define DAEMON_REAP_MS KK_OTPD_REAP_MS
#define DAEMON_PASSWD "/etc/passwd"

static volatile sig_atomic_t daemon_stop;

static void on_term(int sig)
{
    (void)sig;
    daemon_stop = 1;
}

/* Before anything is opened: no core dumps (the store key will be in
 * memory), private files, no working directory to hold on to. */
static int daemon_harden(void)
{
    struct rlimit no_core = {0, 0};
    int r = 0;

    umask(077);
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 ||
        setrlimit(RLIMIT_CORE, &no_core) != 0 || chdir("/") != 0) {
        kk_log(KK_LOG_ERROR, "cannot disable core dumps: %s", strerror(errno));
        r = -1;
    }
    return r;
}

/* The descriptor a socket-activating service manager handed over
 * (LISTEN_FDS=1 for this pid): 3, or -1 when there is none. */
static int systemd_socket(void)
{
    const char *pid = getenv("LISTEN_PID");
    const char *fds = getenv("LISTEN_FDS");
    uint64_t p;
    uint64_t n;
    int fd = -1;

    if (pid != NULL && fds != NULL &&
        kk_parse_u64(pid, 1, UINT32_MAX, &p) == KK_OK && (pid_t)p == getpid() &&
        kk_parse_u64(fds, 1, 1, &n) == KK_OK) {
        unsetenv("LISTEN_PID");
        unsetenv("LISTEN_FDS");
        unsetenv("LISTEN_FDNAMES");
        fd = 3;
    }
    return fd;
}

/* Checks that the inherited descriptor is a listening UNIX stream socket. */
static int daemon_check_socket(int fd)
{
    int v[3] = {0, 0, 0};
    socklen_t len[3] = {sizeof v[0], sizeof v[1], sizeof v[2]};
    int r = -1;

    if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v[0], &len[0]) == 0 &&
        getsockopt(fd, SOL_SOCKET, SO_TYPE, &v[1], &len[1]) == 0 &&
        getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v[2], &len[2]) == 0 &&
        v[0] == AF_UNIX && v[1] == SOCK_STREAM && v[2] == 1)
        r = 0;
    else
        kk_log(KK_LOG_ERROR, "descriptor 3 is not a listening UNIX "
                             "stream socket");
    return r;
}

static int daemon_listen(const char *path)
{
    struct sockaddr_un sa;
    size_t n = strlen(path);
    int fd = -1;

    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (n == 0 || n >= sizeof sa.sun_path || path[0] != '/') {
        kk_log(KK_LOG_ERROR, "invalid socket path");
        goto out;
    }
    memcpy(sa.sun_path, path, n + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        kk_log(KK_LOG_ERROR, "socket: %s", strerror(errno));
        goto out;
    }
    (void)unlink(path);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        chmod(path, 0666) != 0 || listen(fd, 64) != 0) {
        kk_log(KK_LOG_ERROR, "%s: %s", path, strerror(errno));
        close(fd);
        fd = -1;
    }
out:
    return fd;
}

/*
 * Name lookups (a non-root caller may only ask about the account with its
 * own uid) read /etc/passwd and nothing else: no nscd, sssd, LDAP or
 * systemd-userdb module, which would need new sockets or loading code,
 * both forbidden by the sandbox.  One lookup now reads nsswitch.conf while
 * it is still reachable.  *st receives /etc/passwd's identity: the
 * Landlock rule follows that inode, so a replaced file means a restart.
 */
static int daemon_names(struct stat *st)
{
    struct passwd pw;
    struct passwd *res = NULL;
    char buf[4096];
    int r = -1;

    if (__nss_configure_lookup("passwd", "files") != 0) {
        kk_log(KK_LOG_ERROR, "cannot restrict name lookups to files");
    } else if (stat(DAEMON_PASSWD, st) != 0) {
        kk_log(KK_LOG_ERROR, "%s: %s", DAEMON_PASSWD, strerror(errno));
    } else {
        (void)getpwnam_r("root", &pw, buf, sizeof buf, &res);
        r = 0;
    }
    return r;
}

static bool daemon_passwd_replaced(const struct stat *then)
{
    struct stat now;

    return stat(DAEMON_PASSWD, &now) != 0 || now.st_dev != then->st_dev ||
           now.st_ino != then->st_ino;
}

/* Drops privileges and confines the process, in the order of rule 17. */
static int daemon_sandbox(const char *store, bool *landlocked)
{
    const char *const rw[] = {store, NULL};
    const char *const ro[] = {DAEMON_PASSWD, NULL};
    int r = sandbox_caps_drop();

    if (r == KK_OK)
        r = sandbox_no_new_privs();
    if (r == KK_OK)
        r = sandbox_landlock(rw, ro, landlocked);
    if (r == KK_OK)
        r = sandbox_seccomp_daemon();
    return r;
}

/* Serves one request on cfd for a caller with uid peer. */
static void daemon_serve(struct otp_store *s, const struct otp_policy *pol,
                         int cfd, unsigned peer)
{
    struct kk_diag d = {{0}};
    char user[KK_STORE_USER_MAX + 1] = "";
    int verdict = KK_OK;
    int r;

    r = otp_proto_serve(s, pol, cfd, peer, now_s(), DAEMON_REQUEST_MS, &verdict,
                        user, &d);
    /* The name comes from the caller (before its uid is checked): no
     * control byte of it reaches the log, where it could forge a line. */
    for (size_t i = 0; user[i] != '\0'; i++) {
        if ((unsigned char)user[i] < 0x20 || user[i] == 0x7f)
            user[i] = '?';
    }
    if (verdict == KK_OK)
        kk_log(KK_LOG_INFO, "uid %u: \"%s\": accepted", peer, user);
    else
        kk_log(verdict == KK_ERR_AUTH || verdict == KK_ERR_REPLAY ||
                       verdict == KK_ERR_THROTTLED || verdict == KK_ERR_NOTFOUND
                   ? KK_LOG_INFO
                   : KK_LOG_WARN,
               "uid %u: \"%s\": %s%s%s", peer, user, kk_strerror(verdict),
               d.msg[0] ? ": " : "", d.msg);
    if (r != KK_OK)
        kk_log(KK_LOG_WARN, "uid %u: reply not sent: %s", peer, kk_strerror(r));
}

/* A forked worker: default signals, a bounded life, its own narrower
 * filter, one request, exit.  Never returns. */
static _Noreturn void daemon_worker(struct otp_store *s,
                                    const struct otp_policy *pol, int lfd,
                                    int cfd, unsigned peer)
{
    struct sigaction dfl;
    int code = KK_EXIT_FAILURE;

    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGTERM, &dfl, NULL);
    sigaction(SIGINT, &dfl, NULL);
    alarm(DAEMON_CHILD_SECONDS);
    close(lfd);
    if (sandbox_seccomp_worker() == KK_OK) {
        daemon_serve(s, pol, cfd, peer);
        code = KK_EXIT_OK;
    }
    close(cfd);
    otp_store_free(s);
    _exit(code);
}

/* The running workers and the uid each serves, so that one local user
 * cannot occupy every worker and keep the others from unlocking. */
struct daemon_kids {
    unsigned n;
    pid_t pid[DAEMON_CHILDREN_MAX];
    unsigned uid[DAEMON_CHILDREN_MAX];
};

/* Workers serving uid. */
static unsigned daemon_kids_of(const struct daemon_kids *k, unsigned uid)
{
    unsigned n = 0;

    for (unsigned i = 0; i < k->n; i++)
        n += k->uid[i] == uid;
    return n;
}

/* Reaps finished workers (waiting for one when block is set) and reports
 * the abnormal ends. */
static void daemon_reap(struct daemon_kids *k, bool block)
{
    while (k->n > 0) {
        int st = 0;
        pid_t pid = waitpid(-1, &st, block ? 0 : WNOHANG);
        if (pid <= 0)
            break;
        for (unsigned i = 0; i < k->n; i++) {
            if (k->pid[i] == pid) {
                k->n--;
                k->pid[i] = k->pid[k->n];
                k->uid[i] = k->uid[k->n];
                break;
            }
        }
        block = false;
        if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
            kk_log(KK_LOG_WARN, "worker %ld: exit status %d", (long)pid,
                   WEXITSTATUS(st));
        if (!WIFSIGNALED(st))
            continue;
        if (WTERMSIG(st) == SIGALRM)
            kk_log(KK_LOG_WARN, "worker %ld: stopped after %d s", (long)pid,
                   DAEMON_CHILD_SECONDS);
        else if (WTERMSIG(st) == SIGSYS)
            kk_log(KK_LOG_ERROR,
                   "worker %ld: killed by the sandbox (a system call "
                   "outside the allowlist)",
                   (long)pid);
        else
            kk_log(KK_LOG_WARN, "worker %ld: killed by signal %d", (long)pid,
                   WTERMSIG(st));
    }
}

static int cmd_daemon(const struct args *a)
{
    struct otp_store *s = NULL;
    struct sigaction sa;
    struct stat passwd_st;
    struct kk_diag d = {{0}};
    bool landlocked = false;
    struct daemon_kids kids = {0};
    int lfd = systemd_socket();
    int rc = KK_EXIT_FAILURE;
    int r;

    /* Errors read "kalkan: otp: daemon: ..."; openlog opens nothing yet. */
    kk_log_init("kalkan", "otp: daemon", KK_LOG_INFO, true);
    if (sandbox_fds_close(lfd) != KK_OK || daemon_harden() != 0)
        goto out;
    r = otp_store_open(a->store, 0, &s, &d);
    if (r != KK_OK) {
        kk_log(KK_LOG_ERROR, "%s", d.msg[0] ? d.msg : kk_strerror(r));
        goto out;
    }
    if (lfd >= 0 && daemon_check_socket(lfd) != 0)
        goto out;
    if (lfd < 0)
        lfd = daemon_listen(a->socket);
    if (lfd < 0 || daemon_names(&passwd_st) != 0)
        goto out;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* The first log line also loads the time zone and connects to syslog
     * while both are still reachable. */
    kk_log(KK_LOG_INFO, "serving %s on %s", a->store, a->socket);
    if (daemon_sandbox(a->store, &landlocked) != KK_OK)
        goto out;
    rc = KK_EXIT_OK;
    while (!daemon_stop) {
        struct pollfd p = {.fd = lfd, .events = POLLIN};
        struct ucred cred;
        socklen_t len = sizeof cred;
        int cfd;
        int n;
        pid_t pid;
        daemon_reap(&kids, kids.n >= DAEMON_CHILDREN_MAX);
        if (kids.n >= DAEMON_CHILDREN_MAX)
            continue;
        n = poll(&p, 1, DAEMON_REAP_MS);
        if (n == 0 || (n < 0 && errno == EINTR))
            continue;
        if (n < 0) {
            kk_log(KK_LOG_ERROR, "poll: %s", strerror(errno));
            rc = KK_EXIT_FAILURE;
            break;
        }
        if (landlocked && daemon_passwd_replaced(&passwd_st)) {
            /* The connection stays queued for the next daemon (socket
             * activation starts one). */
            kk_log(KK_LOG_INFO,
                   "%s was replaced; exiting so that a new daemon reads it",
                   DAEMON_PASSWD);
            break;
        }
        cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (cfd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN)
                continue;
            kk_log(KK_LOG_ERROR, "accept: %s", strerror(errno));
            rc = KK_EXIT_FAILURE;
            break;
        }
        if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
            kk_log(KK_LOG_ERROR, "SO_PEERCRED: %s", strerror(errno));
            close(cfd);
            continue;
        }
        daemon_reap(&kids, false); /* workers that ended since the poll */
        if (cred.uid != 0 &&
            daemon_kids_of(&kids, (unsigned)cred.uid) >= DAEMON_CHILDREN_UID) {
            /* Closed unanswered: the module reads that as a denial. */
            close(cfd);
            continue;
        }
        pid = fork();
        if (pid == 0)
            daemon_worker(s, &a->pol, lfd, cfd, (unsigned)cred.uid);
        if (pid < 0) {
            kk_log(KK_LOG_ERROR, "fork: %s", strerror(errno));
        } else {
            kids.pid[kids.n] = pid;
            kids.uid[kids.n] = (unsigned)cred.uid;
            kids.n++;
        }
        close(cfd);
    }
    while (kids.n > 0) {
        unsigned before = kids.n;
        daemon_reap(&kids, true);
        if (kids.n == before)
            break; /* interrupted again: leave the rest to init */
    }
out:
    if (lfd >= 0)
        close(lfd);
    otp_store_free(s);
    return rc;
}

/* ---- dispatch ---- */

static const struct {
    const char *name;
    int (*run)(const struct args *a);
    const char *help;
} subs[] = {
    {"enroll", cmd_enroll,
     "Usage: kalkan otp enroll --user NAME [--label L] [--issuer I]\n"
     "         [--algorithm SHA1|SHA256|SHA512] [--digits 6-8] [--period S]\n"
     "         [--hotp [--counter N]] [--secret-file F] [--qr "
     "term|none|png:FILE]\n"
     "         [--sheet FILE [--lang en|ru|ky]] [--store DIR]\n"
     "Adds a credential with a new 160-bit secret, shows its QR code and\n"
     "otpauth URI, then reads codes from stdin: it becomes active after a\n"
     "correct code (3 tries; otherwise it is removed).  --secret-file F\n"
     "provisions a base32 secret or otpauth URI from F, active at once.\n"
     "--sheet FILE writes a printable HTML enrolment sheet (QR code, key,\n"
     "instructions; mode 0600, it holds the secret: print, scan, shred) in\n"
     "--lang en (default), ru or ky.\n"},
    {"revoke", cmd_revoke,
     "Usage: kalkan otp revoke --user NAME (--id ID | --all) [--store DIR]\n"
     "Removes one credential, or all of them and the recovery codes.\n"},
    {"recovery", cmd_recovery,
     "Usage: kalkan otp recovery --user NAME [--json] [--store DIR]\n"
     "Prints 10 new single-use recovery codes (60 bits each) once; they\n"
     "replace the user's earlier codes.\n"},
    {"import-ga", cmd_import_ga,
     "Usage: kalkan otp import-ga FILE --user NAME [--label L] [--store DIR]\n"
     "Imports a google-authenticator file and reports what was mapped.\n"},
    {"status", cmd_status,
     "Usage: kalkan otp status [--user NAME] [--json] [--store DIR]\n"
     "         [rate-limit options as for verify]\n"},
    {"verify", cmd_verify,
     "Usage: kalkan otp verify --user NAME [--service S] [--rhost H]\n"
     "         [--budget local|remote] [--json] [--store DIR] [--window N]\n"
     "         [--backoff-after N] [--backoff-base S] [--backoff-max S]\n"
     "         [--daily-max N]\n"
     "Reads a code (or recovery code) from stdin and checks it exactly as\n"
     "pam_kalkan does.  Exit 0 accepted, 1 denied.\n"},
    {"resync", cmd_resync,
     "Usage: kalkan otp resync --user NAME [--id ID] [--json] [--store DIR]\n"
     "         [rate-limit options as for verify]\n"
     "Reads two consecutive codes from stdin (one per line) and sets the\n"
     "credential's drift (TOTP, up to +-20 steps) or counter (HOTP, up\n"
     "to 100 ahead) so that the phone can log in again.  A failure counts\n"
     "as a failed local login.  Exit 0 done, 1 no match, 2 bad input.\n"},
    {"daemon", cmd_daemon,
     "Usage: kalkan otp daemon [--store DIR] [--socket PATH] [--window N]\n"
     "         [rate-limit options as for verify]\n"
     "Root helper for pam_kalkan in unprivileged callers (screen lockers).\n"
     "Default socket " OTP_STORE_DEFAULT_SOCKET
     "; accepts a systemd socket.\n"},
};

int cmd_otp_admin(int argc, char **argv)
{
    struct args a;
    int rc;

    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        if (strcmp(argv[0], subs[i].name) != 0)
            continue;
        rc = parse_args(argc, argv, &a);
        if (rc != KK_EXIT_OK)
            return rc;
        if (a.help) {
            fputs(subs[i].help, stdout);
            return KK_EXIT_OK;
        }
        (void)a.service; /* logged by PAM; accepted for symmetry */
        return subs[i].run(&a);
    }
    return -1;
}
