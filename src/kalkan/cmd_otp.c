/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_otp.c - `kalkan otp`: new, code, check; the store subcommands
 * (enroll, revoke, recovery, import-ga, status, daemon) are dispatched to
 * cmd_otp_admin.c.
 *
 * `new` creates a secret and shows it as base32, as an otpauth URI and as
 * a QR code; `code` prints the code of a secret at a time or counter;
 * `check` tells whether a code is valid within a window.  Secrets never
 * come from argv, where `ps` would show them: `code` and `check` read the
 * first line of --secret-file or of standard input (a base32 secret or a
 * whole otpauth:// URI, whose parameters then apply unless an option
 * overrides them).  The secret is held in a locked kk_secret and every
 * buffer that saw it is wiped before exit.  Options are parsed and checked
 * before the secret is read, so a usage error never consumes a prompt.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "kalkan/otp.h"

#include "cmd.h"

/* A secret line: a URI of the longest size, its line end and a NUL. */
#define SECRET_LINE_CAP (KK_OTP_URI_MAX + 3)

/* Output files of --qr. */
#define QR_FILES_MAX 4

enum sub {
    SUB_NEW = 1 << 0,
    SUB_CODE = 1 << 1,
    SUB_CHECK = 1 << 2,
};

enum opt_id {
    OPT_HELP = 'h',
    OPT_ISSUER = 256,
    OPT_ACCOUNT,
    OPT_HOTP,
    OPT_TOTP,
    OPT_ALGORITHM,
    OPT_DIGITS,
    OPT_PERIOD,
    OPT_COUNTER,
    OPT_TIME,
    OPT_WINDOW,
    OPT_SECRET_FILE,
    OPT_QR,
    OPT_JSON,
    OPT_SECRET,
};

struct opt_def {
    const char *name;
    int has_arg;
    int id;
    unsigned subs; /* subcommands that accept it */
};

static const struct opt_def opt_table[] = {
    {"help", no_argument, OPT_HELP, SUB_NEW | SUB_CODE | SUB_CHECK},
    {"issuer", required_argument, OPT_ISSUER, SUB_NEW},
    {"account", required_argument, OPT_ACCOUNT, SUB_NEW},
    {"hotp", no_argument, OPT_HOTP, SUB_NEW | SUB_CODE | SUB_CHECK},
    {"totp", no_argument, OPT_TOTP, SUB_NEW | SUB_CODE | SUB_CHECK},
    {"algorithm", required_argument, OPT_ALGORITHM,
     SUB_NEW | SUB_CODE | SUB_CHECK},
    {"digits", required_argument, OPT_DIGITS, SUB_NEW | SUB_CODE | SUB_CHECK},
    {"period", required_argument, OPT_PERIOD, SUB_NEW | SUB_CODE | SUB_CHECK},
    {"counter", required_argument, OPT_COUNTER, SUB_NEW | SUB_CODE | SUB_CHECK},
    {"time", required_argument, OPT_TIME, SUB_CODE | SUB_CHECK},
    {"window", required_argument, OPT_WINDOW, SUB_CHECK},
    {"secret-file", required_argument, OPT_SECRET_FILE, SUB_CODE | SUB_CHECK},
    {"qr", required_argument, OPT_QR, SUB_NEW},
    {"json", no_argument, OPT_JSON, SUB_NEW | SUB_CODE | SUB_CHECK},
    /* Not an option: an exact "--secret" would otherwise be taken as an
     * abbreviation of --secret-file and its value as a file name. */
    {"secret", optional_argument, OPT_SECRET, SUB_NEW | SUB_CODE | SUB_CHECK},
};

#define OPT_COUNT (sizeof opt_table / sizeof opt_table[0])

/* What the command line asked for; set_* record which options were given
 * so that they override the parameters of an otpauth URI. */
struct otp_opts {
    struct otp_params p;
    bool set_kind;
    bool set_alg;
    bool set_digits;
    bool set_period;
    bool set_counter;
    bool set_time;
    bool json;
    bool help;
    int64_t t;
    unsigned window;
    const char *secret_file;
    const char *issuer;
    const char *account;
    const char *qr[QR_FILES_MAX];
    size_t nqr;
};

static const char usage_main[] =
    "Usage: kalkan otp <subcommand> [options]\n"
    "\n"
    "One-time passwords (HOTP, RFC 4226; TOTP, RFC 6238).\n"
    "\n"
    "Subcommands:\n"
    "  new      create a secret; print it, its otpauth URI and a QR code\n"
    "  code     print the code of a secret (read from a file or stdin)\n"
    "  check    tell whether a code is valid (exit 0) or not (exit 1)\n";

static const char usage_new[] =
    "Usage: kalkan otp new --issuer NAME --account NAME [options]\n"
    "\n"
    "Creates a 160-bit secret and prints it in base32, as an otpauth:// URI\n"
    "and as a QR code to scan with an authenticator app.\n"
    "\n"
    "  --issuer NAME     service or organisation shown in the app (required)\n"
    "  --account NAME    user or e-mail address shown in the app (required)\n"
    "  --totp            time-based codes (default)\n"
    "  --hotp            counter-based codes\n"
    "  --algorithm A     SHA1, SHA256 or SHA512 (default SHA1)\n"
    "  --digits N        6, 7 or 8 (default 6)\n"
    "  --period S        seconds per TOTP step, 1-3600 (default 30)\n"
    "  --counter N       first HOTP counter (default 0)\n"
    "  --qr FORMAT       term (default), text, none, svg:FILE or png:FILE;\n"
    "                    may be repeated; files are created mode 0600\n"
    "  --json            print one JSON object instead of text\n"
    "  -h, --help        show this help\n";

static const char usage_code[] =
    "Usage: kalkan otp code [options] [--secret-file FILE]\n"
    "\n"
    "Prints the code of a secret.  The secret is the first line of FILE or\n"
    "of standard input: base32, or a whole otpauth:// URI whose parameters\n"
    "apply unless an option overrides them.  Never pass it as an argument.\n"
    "\n"
    "  --secret-file F   read the secret from F (default: standard input)\n"
    "  --totp            time-based code (default)\n"
    "  --hotp            counter-based code\n"
    "  --time T          Unix seconds or ISO-8601 UTC (default: now)\n"
    "  --counter N       HOTP counter (default 0)\n"
    "  --algorithm A     SHA1, SHA256 or SHA512 (default SHA1)\n"
    "  --digits N        6, 7 or 8 (default 6)\n"
    "  --period S        seconds per TOTP step, 1-3600 (default 30)\n"
    "  --json            print one JSON object instead of the code\n"
    "  -h, --help        show this help\n";

static const char usage_check[] =
    "Usage: kalkan otp check [options] [--secret-file FILE] CODE\n"
    "\n"
    "Exits 0 if CODE is valid within the window, 1 if not, 2 on bad input.\n"
    "The secret is read as for 'kalkan otp code'.\n"
    "\n"
    "  --window W        TOTP: steps either side; HOTP: counters ahead\n"
    "                    (0-10, default 1)\n"
    "  --secret-file F   read the secret from F (default: standard input)\n"
    "  --totp, --hotp, --time T, --counter N, --algorithm A, --digits N,\n"
    "  --period S        as for 'kalkan otp code'\n"
    "  --json            print {\"valid\": ..., \"offset\": ...}\n"
    "  -h, --help        show this help\n";

/* Reports an unknown option or one without its value.  Only the option's
 * name is shown, never a value after "=", which could be a secret. */
static void log_bad_option(bool missing_value, char **argv)
{
    char shortopt[3] = {'-', (char)optopt, '\0'};
    const char *arg = optind > 0 ? argv[optind - 1] : "";
    const char *name = strncmp(arg, "--", 2) == 0 ? arg : shortopt;
    const char *eq = strchr(name, '=');
    int len = eq != NULL ? (int)(eq - name) : (int)strlen(name);

    if (missing_value)
        kk_log(KK_LOG_ERROR, "%.*s needs a value (try 'kalkan otp %s --help')",
               len, name, argv[0]);
    else
        kk_log(KK_LOG_ERROR,
               "unknown option '%.*s' (try 'kalkan otp %s --help')", len, name,
               argv[0]);
}

static int parse_opts(unsigned sub, int argc, char **argv, struct otp_opts *o)
{
    struct option longopts[OPT_COUNT + 1];
    size_t n = 0;
    uint64_t v;
    int c;

    memset(longopts, 0, sizeof longopts);
    for (size_t i = 0; i < OPT_COUNT; i++) {
        if ((opt_table[i].subs & sub) == 0)
            continue;
        longopts[n].name = opt_table[i].name;
        longopts[n].has_arg = opt_table[i].has_arg;
        longopts[n].val = opt_table[i].id;
        n++;
    }
    opterr = 0;
    optind = 0;
    for (;;) {
        c = getopt_long(argc, argv, ":h", longopts, NULL);
        if (c == -1)
            break;
        switch (c) {
        case OPT_HELP:
            o->help = true;
            break;
        case OPT_ISSUER:
            o->issuer = optarg;
            break;
        case OPT_ACCOUNT:
            o->account = optarg;
            break;
        case OPT_HOTP:
        case OPT_TOTP:
            if (o->set_kind &&
                o->p.kind != (c == OPT_HOTP ? OTP_KIND_HOTP : OTP_KIND_TOTP)) {
                kk_log(KK_LOG_ERROR, "--hotp and --totp exclude each other");
                return KK_EXIT_USAGE;
            }
            o->p.kind = c == OPT_HOTP ? OTP_KIND_HOTP : OTP_KIND_TOTP;
            o->set_kind = true;
            break;
        case OPT_ALGORITHM:
            if (otp_alg_parse(optarg, &o->p.alg) != KK_OK) {
                kk_log(KK_LOG_ERROR,
                       "--algorithm must be SHA1, SHA256 or SHA512");
                return KK_EXIT_USAGE;
            }
            o->set_alg = true;
            break;
        case OPT_DIGITS:
            if (kk_parse_u64(optarg, KK_OTP_DIGITS_MIN, KK_OTP_DIGITS_MAX,
                             &v) != KK_OK) {
                kk_log(KK_LOG_ERROR, "--digits must be 6, 7 or 8");
                return KK_EXIT_USAGE;
            }
            o->p.digits = (unsigned)v;
            o->set_digits = true;
            break;
        case OPT_PERIOD:
            if (kk_parse_u64(optarg, 1, KK_OTP_PERIOD_MAX, &v) != KK_OK) {
                kk_log(KK_LOG_ERROR,
                       "--period must be a number of seconds from 1 to %d",
                       KK_OTP_PERIOD_MAX);
                return KK_EXIT_USAGE;
            }
            o->p.period = (unsigned)v;
            o->set_period = true;
            break;
        case OPT_COUNTER:
            if (kk_parse_u64(optarg, 0, UINT64_MAX, &o->p.counter) != KK_OK) {
                kk_log(KK_LOG_ERROR,
                       "--counter must be a whole number from 0 to %llu",
                       (unsigned long long)UINT64_MAX);
                return KK_EXIT_USAGE;
            }
            o->set_counter = true;
            break;
        case OPT_TIME:
            if (kk_parse_time(optarg, &o->t) != KK_OK || o->t < 0) {
                kk_log(KK_LOG_ERROR,
                       "--time must be Unix seconds or an ISO-8601 UTC time "
                       "such as 2009-02-13T23:31:30Z, not before 1970");
                return KK_EXIT_USAGE;
            }
            o->set_time = true;
            break;
        case OPT_WINDOW:
            if (kk_parse_u64(optarg, 0, KK_OTP_WINDOW_MAX, &v) != KK_OK) {
                kk_log(KK_LOG_ERROR, "--window must be from 0 to %d",
                       KK_OTP_WINDOW_MAX);
                return KK_EXIT_USAGE;
            }
            o->window = (unsigned)v;
            break;
        case OPT_SECRET_FILE:
            o->secret_file = optarg;
            break;
        case OPT_QR:
            if (o->nqr >= QR_FILES_MAX) {
                kk_log(KK_LOG_ERROR, "--qr given more than %d times",
                       QR_FILES_MAX);
                return KK_EXIT_USAGE;
            }
            o->qr[o->nqr++] = optarg;
            break;
        case OPT_JSON:
            o->json = true;
            break;
        case OPT_SECRET:
            kk_log(KK_LOG_ERROR, "secrets are never given on the command line "
                                 "(visible in ps): use --secret-file or "
                                 "standard input");
            return KK_EXIT_USAGE;
        case ':':
        default:
            log_bad_option(c == ':', argv);
            return KK_EXIT_USAGE;
        }
    }
    /* Options that do not fit the kind chosen on the command line. */
    if (o->set_kind && o->p.kind == OTP_KIND_HOTP &&
        (o->set_period || o->set_time)) {
        kk_log(KK_LOG_ERROR, "%s applies to TOTP, not to --hotp",
               o->set_period ? "--period" : "--time");
        return KK_EXIT_USAGE;
    }
    return KK_EXIT_OK;
}

/* Applies the command-line overrides to p and checks that the options fit
 * the resulting kind. */
static int apply_opts(const struct otp_opts *o, struct otp_params *p)
{
    if (o->set_kind)
        p->kind = o->p.kind;
    if (o->set_alg)
        p->alg = o->p.alg;
    if (o->set_digits)
        p->digits = o->p.digits;
    if (o->set_period)
        p->period = o->p.period;
    if (o->set_counter)
        p->counter = o->p.counter;
    if (p->kind == OTP_KIND_TOTP && o->set_counter) {
        kk_log(KK_LOG_ERROR, "--counter applies to HOTP (add --hotp)");
        return KK_EXIT_USAGE;
    }
    if (p->kind == OTP_KIND_HOTP && (o->set_period || o->set_time)) {
        kk_log(KK_LOG_ERROR, "%s applies to TOTP, but the secret is HOTP",
               o->set_period ? "--period" : "--time");
        return KK_EXIT_USAGE;
    }
    return KK_EXIT_OK;
}

/* A label given on the command line, checked as otp_uri_build will. */
static bool label_valid(const char *what, const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > KK_OTP_LABEL_MAX) {
        kk_log(KK_LOG_ERROR, "--%s must be 1 to %d bytes", what,
               KK_OTP_LABEL_MAX);
        return false;
    }
    if (s[0] == ' ') {
        kk_log(KK_LOG_ERROR, "--%s must not start with a space", what);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ':' || (unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            kk_log(KK_LOG_ERROR,
                   "--%s must not contain ':' or control characters", what);
            return false;
        }
    }
    return true;
}

/* Writes the whole buffer to stdout. */
static int out_write(const struct kk_buf *b)
{
    size_t len = kk_buf_len(b);

    if (len > 0 && fwrite(kk_buf_data(b), 1, len, stdout) != len)
        return KK_ERR_IO;
    return KK_OK;
}

/* Flushes stdout at the end of a command; a failed write is a runtime
 * failure, not a silent success. */
static int out_finish(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        kk_log(KK_LOG_ERROR, "cannot write the output: %s", strerror(errno));
        return rc == KK_EXIT_OK ? KK_EXIT_FAILURE : rc;
    }
    return rc;
}

/* Whether the directory that would hold path exists, so that a mistyped
 * output path is a usage error rather than a runtime failure. */
static bool parent_dir_exists(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    size_t n;
    struct stat st;

    if (slash == NULL)
        return true;
    n = slash == path ? 1 : (size_t)(slash - path);
    if (n >= sizeof dir)
        return false;
    memcpy(dir, path, n);
    dir[n] = '\0';
    return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Renders one --qr request: into out for term/text, into a file (0600,
 * written atomically) for svg:FILE and png:FILE.  *file is set to the
 * file name, or NULL. */
static int qr_one(const char *spec, const char *uri, struct kk_buf *out,
                  const char **file)
{
    struct kk_buf *img = NULL;
    struct kk_diag d = {.msg = ""};
    enum otp_qr_format fmt;
    int r;
    int rc = KK_EXIT_OK;

    *file = NULL;
    if (strcmp(spec, "none") == 0)
        goto out;
    if (strcmp(spec, "term") == 0 || strcmp(spec, "text") == 0) {
        fmt = strcmp(spec, "term") == 0 ? OTP_QR_TERM : OTP_QR_TEXT;
        r = otp_qr_render(uri, fmt, out);
        if (r != KK_OK) {
            kk_log(KK_LOG_ERROR, "cannot draw the QR code: %s", kk_strerror(r));
            rc = KK_EXIT_FAILURE;
        }
        goto out;
    }
    if (strncmp(spec, "svg:", 4) == 0 && spec[4] != '\0') {
        fmt = OTP_QR_SVG;
    } else if (strncmp(spec, "png:", 4) == 0 && spec[4] != '\0') {
        fmt = OTP_QR_PNG;
    } else {
        kk_log(KK_LOG_ERROR,
               "--qr must be term, text, none, svg:FILE or png:FILE");
        rc = KK_EXIT_USAGE;
        goto out;
    }
    if (!parent_dir_exists(spec + 4)) {
        kk_log(KK_LOG_ERROR, "cannot write the QR code: no directory for '%s'",
               spec + 4);
        rc = KK_EXIT_USAGE;
        goto out;
    }
    img = kk_buf_new(KK_OTP_QR_MAX);
    if (img == NULL) {
        kk_log(KK_LOG_ERROR, "out of memory");
        rc = KK_EXIT_FAILURE;
        goto out;
    }
    r = otp_qr_render(uri, fmt, img);
    if (r != KK_OK) {
        kk_log(KK_LOG_ERROR, "cannot draw the QR code: %s", kk_strerror(r));
        rc = KK_EXIT_FAILURE;
        goto out;
    }
    r = kk_file_write_atomic(spec + 4, kk_buf_data(img), kk_buf_len(img), 0600,
                             &d);
    if (r != KK_OK) {
        kk_log(KK_LOG_ERROR, "cannot write the QR code: %s", d.msg);
        rc = r == KK_ERR_PERM ? KK_EXIT_USAGE : KK_EXIT_FAILURE;
        goto out;
    }
    *file = spec + 4;
out:
    kk_buf_free(img);
    return rc;
}

static int cmd_new(int argc, char **argv)
{
    struct otp_opts o;
    struct otp_uri u;
    struct kk_buf *uri = NULL;
    struct kk_buf *out = NULL;
    char secret[KK_OTP_BASE32_MAX + 1] = "";
    const char *files[QR_FILES_MAX];
    int rc;
    int r;

    memset(&o, 0, sizeof o);
    memset(&u, 0, sizeof u);
    otp_params_default(&o.p);
    rc = parse_opts(SUB_NEW, argc, argv, &o);
    if (rc != KK_EXIT_OK || o.help) {
        if (o.help)
            fputs(usage_new, stdout);
        goto out;
    }
    rc = KK_EXIT_USAGE;
    if (optind < argc) {
        kk_log(KK_LOG_ERROR, "unexpected argument (try 'kalkan otp new "
                             "--help')");
        goto out;
    }
    if (o.issuer == NULL || o.account == NULL) {
        kk_log(KK_LOG_ERROR, "--issuer and --account are required (try "
                             "'kalkan otp new --help')");
        goto out;
    }
    if (!label_valid("issuer", o.issuer) || !label_valid("account", o.account))
        goto out;
    if (o.p.kind == OTP_KIND_TOTP && o.set_counter) {
        kk_log(KK_LOG_ERROR, "--counter applies to HOTP (add --hotp)");
        goto out;
    }
    if (o.nqr == 0 && !o.json)
        o.qr[o.nqr++] = "term";
    for (size_t i = 0; i < o.nqr; i++) {
        if (o.json &&
            (strcmp(o.qr[i], "term") == 0 || strcmp(o.qr[i], "text") == 0)) {
            kk_log(KK_LOG_ERROR,
                   "--qr %s cannot go with --json (use "
                   "svg:FILE or png:FILE)",
                   o.qr[i]);
            goto out;
        }
    }
    rc = KK_EXIT_FAILURE;
    u.params = o.p;
    memcpy(u.issuer, o.issuer, strlen(o.issuer) + 1);
    memcpy(u.account, o.account, strlen(o.account) + 1);
    u.secret_len = KK_OTP_SECRET_GEN;
    uri = kk_buf_new(KK_OTP_URI_MAX);
    out = kk_buf_new(KK_OTP_QR_MAX);
    if (uri == NULL || out == NULL) {
        kk_log(KK_LOG_ERROR, "out of memory");
        goto out;
    }
    r = otp_secret_generate(u.secret, u.secret_len);
    if (r == KK_OK)
        r = otp_base32_encode(u.secret, u.secret_len, false, secret,
                              sizeof secret, NULL);
    if (r == KK_OK)
        r = otp_uri_build(&u, uri);
    if (r == KK_ERR_LIMIT) {
        kk_log(KK_LOG_ERROR,
               "--issuer and --account are too long for an "
               "otpauth URI (%d bytes once escaped)",
               KK_OTP_URI_MAX);
        rc = KK_EXIT_USAGE;
        goto out;
    }
    if (r != KK_OK) {
        kk_log(KK_LOG_ERROR, "cannot create the secret: %s", kk_strerror(r));
        rc = cmd_exit_for(r);
        goto out;
    }
    if (!o.json) {
        r = kk_buf_putf(out, "Secret: %s\nURI:    %s\n", secret,
                        kk_buf_str(uri));
        if (r != KK_OK) {
            kk_log(KK_LOG_ERROR, "%s", kk_strerror(r));
            goto out;
        }
    }
    for (size_t i = 0; i < o.nqr; i++) {
        rc = qr_one(o.qr[i], kk_buf_str(uri), out, &files[i]);
        if (rc != KK_EXIT_OK)
            goto out;
        if (files[i] != NULL && !o.json) {
            r = kk_buf_putf(out, "QR code written to %s\n", files[i]);
            if (r != KK_OK) {
                rc = KK_EXIT_FAILURE;
                goto out;
            }
        }
    }
    if (o.json) {
        const struct otp_params *p = &u.params;

        r = kk_buf_puts(out, "{\"secret\":");
        if (r == KK_OK)
            r = kk_json_str(out, secret);
        if (r == KK_OK)
            r = kk_buf_puts(out, ",\"uri\":");
        if (r == KK_OK)
            r = kk_json_str(out, kk_buf_str(uri));
        if (r == KK_OK)
            r = kk_buf_puts(out, ",\"issuer\":");
        if (r == KK_OK)
            r = kk_json_str(out, u.issuer);
        if (r == KK_OK)
            r = kk_buf_puts(out, ",\"account\":");
        if (r == KK_OK)
            r = kk_json_str(out, u.account);
        if (r == KK_OK)
            r = kk_buf_putf(out,
                            ",\"kind\":\"%s\",\"algorithm\":\"%s\","
                            "\"digits\":%u",
                            p->kind == OTP_KIND_HOTP ? "hotp" : "totp",
                            otp_alg_name(p->alg), p->digits);
        if (r == KK_OK && p->kind == OTP_KIND_HOTP)
            r = kk_buf_putf(out, ",\"counter\":%llu",
                            (unsigned long long)p->counter);
        if (r == KK_OK && p->kind == OTP_KIND_TOTP)
            r = kk_buf_putf(out, ",\"period\":%u", p->period);
        if (r == KK_OK)
            r = kk_buf_puts(out, ",\"qr_files\":[");
        for (size_t i = 0, k = 0; i < o.nqr && r == KK_OK; i++) {
            if (files[i] == NULL)
                continue;
            if (k++ > 0)
                r = kk_buf_putc(out, ',');
            if (r == KK_OK)
                r = kk_json_str(out, files[i]);
        }
        if (r == KK_OK)
            r = kk_buf_puts(out, "]}\n");
        if (r != KK_OK) {
            kk_log(KK_LOG_ERROR, "%s", kk_strerror(r));
            rc = KK_EXIT_FAILURE;
            goto out;
        }
    }
    rc = out_write(out) == KK_OK ? KK_EXIT_OK : KK_EXIT_FAILURE;
out:
    kk_wipe(secret, sizeof secret);
    otp_uri_wipe(&u);
    kk_buf_free(uri);
    kk_buf_free(out);
    return out_finish(rc);
}

/*
 * Reads the first line of fd into line (cap bytes), without its line end.
 * Reads in chunks and stops at the first newline, so a terminal user only
 * types one line.  KK_ERR_LIMIT if the line does not fit.
 */
static int read_first_line(int fd, char *line, size_t cap, size_t *len)
{
    size_t n = 0;

    for (;;) {
        ssize_t got;
        char *nl;

        if (n + 1 >= cap)
            return KK_ERR_LIMIT;
        got = read(fd, line + n, cap - 1 - n);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return KK_ERR_IO;
        }
        if (got == 0)
            break;
        nl = memchr(line + n, '\n', (size_t)got);
        n += (size_t)got;
        if (nl != NULL) {
            n = (size_t)(nl - line);
            break;
        }
    }
    if (n > 0 && line[n - 1] == '\r')
        n--;
    line[n] = '\0';
    *len = n;
    return KK_OK;
}

/* Reads the secret line from --secret-file or stdin; prompts without echo
 * when stdin is a terminal. */
static int read_secret_line(const char *path, char *line, size_t cap,
                            size_t *len)
{
    struct termios saved;
    bool restore = false;
    int fd = STDIN_FILENO;
    int rc = KK_EXIT_USAGE;
    int r;

    if (path != NULL) {
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
            kk_log(KK_LOG_ERROR, "cannot open the secret file '%s': %s", path,
                   strerror(errno));
            goto out;
        }
    } else if (isatty(fd) && tcgetattr(fd, &saved) == 0) {
        struct termios quiet = saved;

        quiet.c_lflag &= ~(tcflag_t)ECHO;
        quiet.c_lflag |= ECHONL;
        fputs("Secret (base32 or otpauth:// URI): ", stderr);
        fflush(stderr);
        restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
    }
    r = read_first_line(fd, line, cap, len);
    if (r == KK_ERR_LIMIT) {
        kk_log(KK_LOG_ERROR, "the secret line is longer than %d bytes",
               KK_OTP_URI_MAX);
        goto out;
    }
    if (r != KK_OK) {
        kk_log(KK_LOG_ERROR, "cannot read the secret from %s: %s",
               path != NULL ? path : "standard input", strerror(errno));
        goto out;
    }
    rc = KK_EXIT_OK;
out:
    if (restore)
        (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    if (fd != STDIN_FILENO && fd >= 0)
        close(fd);
    return rc;
}

/* The secret of code and check: its bytes in a locked buffer and the
 * parameters of the URI it came in (defaults for plain base32). */
static int load_secret(const struct otp_opts *o, struct kk_secret **key,
                       struct otp_params *p)
{
    char line[SECRET_LINE_CAP];
    struct otp_uri *u = NULL;
    struct kk_secret *s = NULL;
    struct kk_diag d = {.msg = ""};
    size_t len = 0;
    int rc;
    int r;

    rc = read_secret_line(o->secret_file, line, sizeof line, &len);
    if (rc != KK_EXIT_OK)
        goto out;
    u = calloc(1, sizeof *u);
    if (u == NULL) {
        rc = KK_EXIT_FAILURE;
        goto out;
    }
    r = otp_secret_parse(line, len, u, &d);
    if (r == KK_ERR_NOTFOUND) {
        kk_log(KK_LOG_ERROR, "no secret on the first line of the %s%s",
               o->secret_file != NULL ? "file " : "standard ",
               o->secret_file != NULL ? o->secret_file : "input");
        rc = KK_EXIT_USAGE;
        goto out;
    }
    if (r != KK_OK) {
        kk_log(KK_LOG_ERROR, "%s", d.msg);
        rc = cmd_exit_for(r);
        goto out;
    }
    /* The library takes the key length from the call, so the locked
     * buffer holds exactly the key. */
    r = kk_secret_new(u->secret_len, &s);
    if (r != KK_OK) {
        kk_log(KK_LOG_ERROR, "cannot allocate the secret: %s", kk_strerror(r));
        rc = KK_EXIT_FAILURE;
        goto out;
    }
    memcpy(kk_secret_ptr(s), u->secret, u->secret_len);
    *p = u->params;
    *key = s;
    s = NULL;
    rc = KK_EXIT_OK;
out:
    kk_wipe(line, sizeof line);
    if (u != NULL) {
        otp_uri_wipe(u);
        free(u);
    }
    kk_secret_free(s);
    return rc;
}

/* Parses options, reads the secret and settles the parameters: the part
 * code and check share. */
static int prepare(unsigned sub, int argc, char **argv, struct otp_opts *o,
                   struct kk_secret **key, struct otp_params *p)
{
    int rc;

    memset(o, 0, sizeof *o);
    otp_params_default(&o->p);
    o->window = 1;
    rc = parse_opts(sub, argc, argv, o);
    if (rc != KK_EXIT_OK || o->help)
        return rc;
    if (sub == SUB_CODE && optind < argc) {
        kk_log(KK_LOG_ERROR,
               "unexpected argument (the secret is read from "
               "--secret-file or standard input, never from the command "
               "line)");
        return KK_EXIT_USAGE;
    }
    if (sub == SUB_CHECK && argc - optind != 1) {
        kk_log(KK_LOG_ERROR, "%s (try 'kalkan otp check --help')",
               optind >= argc ? "the CODE to check is missing"
                              : "only one CODE may be checked");
        return KK_EXIT_USAGE;
    }
    if (!o->set_time)
        o->t = (int64_t)time(NULL);
    rc = load_secret(o, key, p);
    if (rc != KK_EXIT_OK)
        return rc;
    rc = apply_opts(o, p);
    if (rc == KK_EXIT_OK && otp_params_check(p) != KK_OK) {
        kk_log(KK_LOG_ERROR, "parameters out of range");
        rc = KK_EXIT_USAGE;
    }
    if (rc != KK_EXIT_OK) {
        kk_secret_free(*key);
        *key = NULL;
    }
    return rc;
}

static int cmd_code(int argc, char **argv)
{
    struct otp_opts o;
    struct otp_params p;
    struct kk_secret *key = NULL;
    struct kk_buf *out = NULL;
    char code[OTP_CODE_SIZE] = "";
    uint64_t counter = 0;
    int rc;
    int r;

    rc = prepare(SUB_CODE, argc, argv, &o, &key, &p);
    if (rc != KK_EXIT_OK || o.help) {
        if (o.help)
            fputs(usage_code, stdout);
        goto out;
    }
    if (p.kind == OTP_KIND_TOTP) {
        r = otp_totp_step(o.t, p.period, &counter);
    } else {
        counter = p.counter;
        r = KK_OK;
    }
    if (r == KK_OK)
        r = otp_hotp(kk_secret_cptr(key), kk_secret_len(key), p.alg, counter,
                     p.digits, code);
    if (r != KK_OK) {
        kk_log(KK_LOG_ERROR, "cannot compute the code: %s", kk_strerror(r));
        rc = cmd_exit_for(r);
        goto out;
    }
    out = kk_buf_new(1024);
    if (out == NULL) {
        rc = KK_EXIT_FAILURE;
        goto out;
    }
    if (!o.json)
        r = kk_buf_putf(out, "%s\n", code);
    else if (p.kind == OTP_KIND_TOTP)
        r = kk_buf_putf(out,
                        "{\"code\":\"%s\",\"kind\":\"totp\",\"algorithm\":"
                        "\"%s\",\"digits\":%u,\"period\":%u,\"time\":%lld,"
                        "\"step\":%llu,\"valid_for\":%u}\n",
                        code, otp_alg_name(p.alg), p.digits, p.period,
                        (long long)o.t, (unsigned long long)counter,
                        p.period - (unsigned)((uint64_t)o.t % p.period));
    else
        r = kk_buf_putf(out,
                        "{\"code\":\"%s\",\"kind\":\"hotp\",\"algorithm\":"
                        "\"%s\",\"digits\":%u,\"counter\":%llu}\n",
                        code, otp_alg_name(p.alg), p.digits,
                        (unsigned long long)counter);
    if (r == KK_OK)
        r = out_write(out);
    rc = r == KK_OK ? KK_EXIT_OK : KK_EXIT_FAILURE;
out:
    kk_wipe(code, sizeof code);
    kk_buf_free(out);
    kk_secret_free(key);
    return out_finish(rc);
}

static int cmd_check(int argc, char **argv)
{
    struct otp_opts o;
    struct otp_params p;
    struct kk_secret *key = NULL;
    char code[OTP_CODE_SIZE + 1] = "";
    const char *arg;
    uint64_t center = 0;
    unsigned back;
    int64_t off = 0;
    size_t n = 0;
    int rc;
    int r;

    rc = prepare(SUB_CHECK, argc, argv, &o, &key, &p);
    if (rc != KK_EXIT_OK || o.help) {
        if (o.help)
            fputs(usage_check, stdout);
        goto out;
    }
    /* The code as typed: spaces (as in "123 456") are dropped. */
    arg = argv[optind];
    for (size_t i = 0; arg[i] != '\0'; i++) {
        if (arg[i] == ' ' || arg[i] == '\t')
            continue;
        if (arg[i] < '0' || arg[i] > '9' || n >= p.digits) {
            n = 0;
            break;
        }
        code[n++] = arg[i];
    }
    code[n] = '\0';
    if (n != p.digits) {
        kk_log(KK_LOG_ERROR, "CODE must be %u digits", p.digits);
        rc = KK_EXIT_USAGE;
        goto out;
    }
    if (p.kind == OTP_KIND_TOTP) {
        r = otp_totp_step(o.t, p.period, &center);
        back = o.window;
    } else {
        center = p.counter;
        back = 0;
        r = KK_OK;
    }
    if (r == KK_OK)
        r = otp_verify(kk_secret_cptr(key), kk_secret_len(key), p.alg, p.digits,
                       center, back, o.window, code, &off);
    if (r != KK_OK && r != KK_ERR_AUTH) {
        kk_log(KK_LOG_ERROR, "cannot check the code: %s", kk_strerror(r));
        rc = cmd_exit_for(r);
        goto out;
    }
    rc = r == KK_OK ? KK_EXIT_OK : KK_EXIT_NEGATIVE;
    if (o.json && r == KK_OK && p.kind == OTP_KIND_HOTP)
        printf("{\"valid\":true,\"offset\":%lld,\"next_counter\":%llu}\n",
               (long long)off,
               (unsigned long long)(center + (uint64_t)off + 1));
    else if (o.json && r == KK_OK)
        printf("{\"valid\":true,\"offset\":%lld}\n", (long long)off);
    else if (o.json)
        printf("{\"valid\":false,\"offset\":null}\n");
    else if (r == KK_OK)
        printf("valid (offset %+lld)\n", (long long)off);
    else
        printf("invalid\n");
out:
    kk_wipe(code, sizeof code);
    kk_secret_free(key);
    return out_finish(rc);
}

int cmd_otp_main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
    } subs[] = {
        {"new", cmd_new},
        {"code", cmd_code},
        {"check", cmd_check},
    };
    int r;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        FILE *f = argc < 2 ? stderr : stdout;

        fputs(usage_main, f);
        fputs(cmd_otp_admin_usage, f);
        fputs("\nRun 'kalkan otp <subcommand> --help' for its options.\n"
              "Exit status: 0 success or valid, 1 invalid code, 2 usage or "
              "input error,\n3 runtime failure.\n",
              f);
        return argc < 2 ? KK_EXIT_USAGE : KK_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        if (strcmp(argv[1], subs[i].name) == 0)
            return subs[i].run(argc - 1, argv + 1);
    }
    r = cmd_otp_admin(argc - 1, argv + 1);
    if (r >= 0)
        return r;
    kk_log(KK_LOG_ERROR, "unknown subcommand '%s' (try 'kalkan otp --help')",
           argv[1]);
    return KK_EXIT_USAGE;
}
