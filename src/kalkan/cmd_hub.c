/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_hub.c - `kalkan serve`, `kalkan user`, `kalkan token`, `kalkan
 * backup`: running the hub and administering it from the command line.
 *
 * Secrets never travel in argv: passwords come from stdin, TOTP secrets
 * from a file, and tokens are printed once and stored hashed.  `serve`
 * stops cleanly on SIGTERM or SIGINT: libmicrohttpd finishes the requests
 * in progress, then every SQLite connection is closed (WAL checkpointed).
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "kalkan/hub.h"
#include "kalkan/limits.h"
#include "kalkan/otp.h"

static const char serve_usage[] =
    "Usage: kalkan serve [--db PATH] [--listen ADDR:PORT] [--threads N]\n"
    "                    [--secure-cookies] [--base-url URL] [--smtp "
    "HOST:PORT\n"
    "                    --mail-from ADDRESS] [--site-interval HOURS]\n"
    "                    [--site-options FILE] [--demo]\n"
    "\n"
    "Runs the hub: the programme's web pages and its JSON API.\n"
    "\n"
    "  --db PATH          the SQLite database (default kalkan.db); created\n"
    "                     with its key file PATH.key if absent\n"
    "  --listen ADDR:PORT where to listen (default 127.0.0.1:8080)\n"
    "  --threads N        worker threads (default: one per CPU)\n"
    "  --secure-cookies   behind a TLS proxy: Secure cookies and HSTS\n"
    "  --base-url URL     the hub's public address, for links in e-mail and\n"
    "                     invitations (default: the address the browser used)\n"
    "  --smtp HOST:PORT   a mail relay for reminders (default: none; the\n"
    "                     dashboard still shows them)\n"
    "  --mail-from ADDR   the From address of the hub's e-mail\n"
    "  --site-interval HOURS\n"
    "                     check every website this often (default 24;\n"
    "                     0: only when asked)\n"
    "  --site-options FILE\n"
    "                     `kalkan site` options for the hub's website\n"
    "                     checks, one \"key = value\" a line (dns,\n"
    "                     trust-anchor, ca-file, resolve, http-port,\n"
    "                     https-port, smtp-port, timeout, ...)\n"
    "  --demo             fill an empty database with the demo programme\n"
    "                     and print the demo logins\n"
    "  --list-routes      print every route (method, path, flags, roles)\n"
    "                     and exit\n"
    "  -h, --help         show this help\n"
    "\n"
    "Stops cleanly on SIGTERM or SIGINT.\n";

static const char user_usage[] =
    "Usage: kalkan user add --db PATH --email E --role ROLE [--outlet SLUG]\n"
    "                       [--totp-secret-file F]\n"
    "\n"
    "Adds a hub login.  The password is read from the first line of stdin.\n"
    "ROLE is trainer, assistant, focal, staff, donor, device or panel (the\n"
    "selection panel: scores applications, sees no outlet data); assistant,\n"
    "focal, staff and device need --outlet.  Without --totp-secret-file the\n"
    "user sets up the second factor at first login; with it, the file's\n"
    "first line (base32 or an otpauth:// URI) is the TOTP secret.\n"
    "A login of an outlet is linked to the person of that outlet with the\n"
    "same e-mail address, if the register has one: their checklist is\n"
    "then their own.\n";

static const char token_usage[] =
    "Usage: kalkan token create --db PATH --user E [--device ID]\n"
    "\n"
    "Creates a bearer token for the API acting as login E, optionally\n"
    "limited to posting results for one device, and prints it once.  Only\n"
    "its hash is stored.\n";

static const char backup_usage[] =
    "Usage: kalkan backup --db PATH OUT\n"
    "\n"
    "Copies the live database to OUT with SQLite's online backup (the hub\n"
    "may keep running).  OUT must not exist.  Keep PATH.key too: without\n"
    "it the TOTP secrets in the copy cannot be read.\n";

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

/* One line "kalkan: <command>: [what: ]<why>"; what may be NULL. */
static int fail(const char *what, int err, const struct kk_diag *d)
{
    const char *why =
        d != NULL && d->msg[0] != '\0' ? d->msg : kk_strerror(err);
    if (what != NULL)
        kk_log(KK_LOG_ERROR, "%s: %s", what, why);
    else
        kk_log(KK_LOG_ERROR, "%s", why);
    return cmd_exit_for(err);
}

/* One line, as for every command: what is wrong and where help is. */
static int usage_error(const char *help, const char *msg)
{
    kk_log(KK_LOG_ERROR, "%s (try 'kalkan %s --help')", msg, help);
    return KK_EXIT_USAGE;
}

/* getopt_long's '?' and ':' as one line (opterr is off). */
static int bad_option(const char *help, int c, char **argv)
{
    char msg[160];
    const char *opt = optind > 0 ? argv[optind - 1] : "?";
    snprintf(msg, sizeof msg,
             c == ':' ? "%s needs a value" : "unknown option '%s'", opt);
    return usage_error(help, msg);
}

enum {
    O_DB = 256,
    O_LISTEN,
    O_THREADS,
    O_SECURE,
    O_DEMO,
    O_EMAIL,
    O_ROLE,
    O_OUTLET,
    O_TOTP,
    O_USER,
    O_DEVICE,
    O_ROUTES,
    O_BASE_URL,
    O_SMTP,
    O_MAIL_FROM,
    O_SITE_INTERVAL,
    O_SITE_OPTIONS
};

/* The first demo login (the trainer) as a QR code in the terminal, for a
 * phone's authenticator app.  Best effort: the logins are printed anyway. */
static void print_first_qr(const char *logins)
{
    struct otp_uri u;
    struct kk_buf *uri = kk_buf_new(KK_OTP_URI_MAX);
    struct kk_buf *qr = kk_buf_new(KK_OTP_QR_MAX);
    size_t el = strcspn(logins, "\t"), n = 0;
    const char *sec = logins + el + 1;
    memset(&u, 0, sizeof u);
    if (uri == NULL || qr == NULL || logins[el] != '\t' || el == 0 ||
        el > KK_OTP_LABEL_MAX)
        goto out;
    sec += strcspn(sec, "\t") + 1;
    otp_params_default(&u.params);
    snprintf(u.issuer, sizeof u.issuer, "Kalkan");
    memcpy(u.account, logins, el);
    if (otp_base32_decode(sec, strcspn(sec, "\t"), u.secret, sizeof u.secret,
                          &n) != KK_OK)
        goto out;
    u.secret_len = n;
    if (otp_uri_build(&u, uri) == KK_OK &&
        otp_qr_render(kk_buf_str(uri), OTP_QR_TERM, qr) == KK_OK)
        printf("\nScan this with an authenticator app to sign in as %.*s:\n"
               "%s\n",
               (int)el, logins, kk_buf_str(qr));
out:
    otp_uri_wipe(&u);
    kk_buf_free(uri);
    kk_buf_free(qr);
}

static int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, O_DB},
        {"listen", required_argument, NULL, O_LISTEN},
        {"threads", required_argument, NULL, O_THREADS},
        {"secure-cookies", no_argument, NULL, O_SECURE},
        {"demo", no_argument, NULL, O_DEMO},
        {"list-routes", no_argument, NULL, O_ROUTES},
        {"base-url", required_argument, NULL, O_BASE_URL},
        {"smtp", required_argument, NULL, O_SMTP},
        {"mail-from", required_argument, NULL, O_MAIL_FROM},
        {"site-interval", required_argument, NULL, O_SITE_INTERVAL},
        {"site-options", required_argument, NULL, O_SITE_OPTIONS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db_path = "kalkan.db";
    struct hub_server_opts so = {.listen = "127.0.0.1:8080",
                                 .site_interval = 24};
    struct hub_db *db = NULL;
    struct hub_server *srv = NULL;
    struct kk_diag d = {.msg = ""};
    bool demo = false;
    uint64_t n;
    int c, err, rc = KK_EXIT_OK;
    struct sigaction sa;
    sigset_t mask, old;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case O_DB:
            db_path = optarg;
            break;
        case O_LISTEN:
            so.listen = optarg;
            break;
        case O_THREADS:
            if (kk_parse_u64(optarg, 1, 256, &n) != KK_OK)
                return usage_error("serve",
                                   "--threads wants a number from 1 to 256");
            so.threads = (unsigned)n;
            break;
        case O_SECURE:
            so.secure_cookies = true;
            break;
        case O_BASE_URL:
            if (strncmp(optarg, "https://", 8) != 0 &&
                strncmp(optarg, "http://", 7) != 0)
                return usage_error("serve",
                                   "--base-url wants an http:// or https:// "
                                   "address");
            so.base_url = optarg;
            break;
        case O_SMTP:
            so.smtp = optarg;
            break;
        case O_MAIL_FROM:
            so.mail_from = optarg;
            break;
        case O_SITE_INTERVAL:
            if (kk_parse_u64(optarg, 0, 8760, &n) != KK_OK)
                return usage_error("serve", "--site-interval wants a number "
                                            "of hours from 0 to 8760");
            so.site_interval = (unsigned)n;
            break;
        case O_SITE_OPTIONS:
            so.site_options = optarg;
            break;
        case O_DEMO:
            demo = true;
            break;
        case O_ROUTES: {
            struct kk_buf *b = kk_buf_new(1024 * 1024);
            err = b != NULL ? hub_routes_list(b) : KK_ERR_NOMEM;
            if (err == KK_OK)
                fputs(kk_buf_str(b), stdout);
            kk_buf_free(b);
            return err == KK_OK ? KK_EXIT_OK : fail(NULL, err, NULL);
        }
        case 'h':
            fputs(serve_usage, stdout);
            return KK_EXIT_OK;
        default:
            return bad_option("serve", c, argv);
        }
    }
    if (optind != argc)
        return usage_error("serve", "unexpected argument");
    if ((so.smtp == NULL) != (so.mail_from == NULL))
        return usage_error("serve", "--smtp and --mail-from go together");
    if (hub_listen_check(so.listen, &d) != KK_OK)
        return usage_error("serve", d.msg);
    if (so.site_options != NULL &&
        hub_site_options_check(so.site_options, &d) != KK_OK) {
        char msg[KK_DIAG_MAX + 64];
        snprintf(msg, sizeof msg, "--site-options %s: %s", so.site_options,
                 d.msg);
        return usage_error("serve", msg);
    }
    err = hub_db_open(db_path, &db, &d);
    if (err != KK_OK)
        return fail(db_path, err, &d);
    if (demo) {
        struct kk_buf *logins = kk_buf_new(64 * 1024);
        if (logins == NULL) {
            rc = fail("demo", KK_ERR_NOMEM, NULL);
            goto out;
        }
        err = hub_demo_fill(db, 20261128, hub_demo_now(), logins, &d);
        if (err == KK_ERR_EXISTS) {
            fprintf(stderr, "kalkan: serve: the database already holds "
                            "data; demo logins were printed when it was "
                            "filled\n");
        } else if (err != KK_OK) {
            kk_buf_free(logins);
            rc = fail("demo", err, &d);
            goto out;
        } else {
            fputs("Demo logins (e-mail, password, TOTP secret, role, outlets; "
                  "make a code "
                  "with: kalkan otp code --secret-file FILE):\n",
                  stdout);
            fputs(kk_buf_str(logins), stdout);
            print_first_qr(kk_buf_str(logins));
        }
        kk_buf_free(logins);
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* Worker threads inherit a blocked mask: signals reach this thread. */
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    pthread_sigmask(SIG_BLOCK, &mask, &old);
    err = hub_server_start(db, &so, &srv, &d);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err != KK_OK) {
        rc = fail("listen", err, &d);
        goto out;
    }
    printf("Kalkan hub listening on http://%s (port %u); database %s\n",
           so.listen, hub_server_port(srv), db_path);
    fflush(stdout);
    while (!stop_flag)
        pause();
    fprintf(stderr, "kalkan: serve: stopping\n");
out:
    hub_server_stop(srv);
    hub_db_close(db);
    return rc;
}

static int read_password(char *buf, size_t cap)
{
    size_t n;
    if (fgets(buf, (int)cap, stdin) == NULL)
        return KK_ERR_INVAL;
    n = strlen(buf);
    if (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (!feof(stdin))
        return KK_ERR_LIMIT;
    if (n > 0 && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return n > 0 ? KK_OK : KK_ERR_INVAL;
}

static int cmd_user(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, O_DB},
        {"email", required_argument, NULL, O_EMAIL},
        {"role", required_argument, NULL, O_ROLE},
        {"outlet", required_argument, NULL, O_OUTLET},
        {"totp-secret-file", required_argument, NULL, O_TOTP},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db_path = NULL, *email = NULL, *role = NULL, *outlet = NULL;
    const char *totp_file = NULL;
    char pw[KK_HUB_PASSWORD_MAX + 2];
    struct otp_uri u;
    struct hub_db *db = NULL;
    struct kk_diag d = {.msg = ""};
    struct kk_buf *sb = NULL;
    int c, err, rc = KK_EXIT_OK;
    int64_t id = 0;
    memset(&u, 0, sizeof u);
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case O_DB:
            db_path = optarg;
            break;
        case O_EMAIL:
            email = optarg;
            break;
        case O_ROLE:
            role = optarg;
            break;
        case O_OUTLET:
            outlet = optarg;
            break;
        case O_TOTP:
            totp_file = optarg;
            break;
        case 'h':
            fputs(user_usage, stdout);
            return KK_EXIT_OK;
        default:
            return bad_option("user add", c, argv);
        }
    }
    if (db_path == NULL || email == NULL || role == NULL || optind != argc)
        return usage_error("user add", "--db, --email and --role are needed");
    if (totp_file != NULL) {
        sb = kk_buf_new(KK_OTP_URI_MAX + 2);
        if (sb == NULL)
            return fail(NULL, KK_ERR_NOMEM, NULL);
        err = kk_file_read(totp_file, KK_OTP_URI_MAX + 2, sb, &d);
        if (err == KK_OK)
            err = otp_secret_parse(kk_buf_str(sb), kk_buf_len(sb), &u, &d);
        kk_wipe((void *)kk_buf_data(sb), kk_buf_len(sb));
        kk_buf_free(sb);
        if (err != KK_OK) {
            rc = fail(totp_file, err == KK_ERR_NOTFOUND ? KK_ERR_INVAL : err,
                      &d);
            goto out;
        }
    }
    err = read_password(pw, sizeof pw);
    if (err != KK_OK) {
        kk_diag_set(&d, "expected the password on the first line of stdin");
        rc = fail(NULL, err, &d);
        goto out;
    }
    err = hub_db_open(db_path, &db, &d);
    if (err == KK_OK)
        err = hub_user_add(db, email, role, outlet, pw,
                           totp_file != NULL ? u.secret : NULL, u.secret_len,
                           &id, &d);
    if (err != KK_OK) {
        rc = fail(NULL, err, &d);
        goto out;
    }
    printf("added %s (%s)\n", email, role);
out:
    kk_wipe(pw, sizeof pw);
    otp_uri_wipe(&u);
    hub_db_close(db);
    return rc;
}

static int cmd_token(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, O_DB},
        {"user", required_argument, NULL, O_USER},
        {"device", required_argument, NULL, O_DEVICE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db_path = NULL, *user = NULL;
    uint64_t device = 0;
    char tok[96];
    struct hub_db *db = NULL;
    struct kk_diag d = {.msg = ""};
    int c, err;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case O_DB:
            db_path = optarg;
            break;
        case O_USER:
            user = optarg;
            break;
        case O_DEVICE:
            if (kk_parse_u64(optarg, 1, INT64_MAX, &device) != KK_OK)
                return usage_error("token create",
                                   "--device wants a device id");
            break;
        case 'h':
            fputs(token_usage, stdout);
            return KK_EXIT_OK;
        default:
            return bad_option("token create", c, argv);
        }
    }
    if (db_path == NULL || user == NULL || optind != argc)
        return usage_error("token create", "--db and --user are needed");
    if (access(db_path, F_OK) != 0) {
        kk_diag_set(&d, "%s does not exist", db_path);
        return fail(NULL, KK_ERR_NOTFOUND, &d);
    }
    err = hub_db_open(db_path, &db, &d);
    if (err == KK_OK)
        err = hub_token_create(db, user, (int64_t)device, tok, sizeof tok, &d);
    hub_db_close(db);
    if (err != KK_OK)
        return fail(NULL, err, &d);
    printf("%s\n", tok);
    kk_wipe(tok, sizeof tok);
    return KK_EXIT_OK;
}

static int cmd_backup(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, O_DB},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db_path = NULL;
    struct hub_db *db = NULL;
    struct kk_diag d = {.msg = ""};
    int c, err;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case O_DB:
            db_path = optarg;
            break;
        case 'h':
            fputs(backup_usage, stdout);
            return KK_EXIT_OK;
        default:
            return bad_option("backup", c, argv);
        }
    }
    if (db_path == NULL || optind + 1 != argc)
        return usage_error("backup", "--db and OUT are needed");
    if (access(db_path, F_OK) != 0) {
        kk_diag_set(&d, "%s does not exist", db_path);
        return fail(NULL, KK_ERR_NOTFOUND, &d);
    }
    err = hub_db_open(db_path, &db, &d);
    if (err == KK_OK)
        err = hub_db_backup(db, argv[optind], &d);
    hub_db_close(db);
    if (err != KK_OK)
        return fail(NULL, err, &d);
    printf("backed up %s to %s\n", db_path, argv[optind]);
    return KK_EXIT_OK;
}

/* Commands with one subcommand ("user add", "token create"): help, or the
 * subcommand stripped so its options start at argv[1]; -1 to go on. */
static int subcommand(int *argc, char ***argv, const char *sub,
                      const char *usage)
{
    char **v = *argv;
    if (*argc >= 2 &&
        (strcmp(v[1], "-h") == 0 || strcmp(v[1], "--help") == 0)) {
        fputs(usage, stdout);
        return KK_EXIT_OK;
    }
    if (*argc < 2 || strcmp(v[1], sub) != 0) {
        kk_log(KK_LOG_ERROR, "%s subcommand (try 'kalkan %s %s --help')",
               *argc < 2 ? "missing" : "unknown", v[0], sub);
        return KK_EXIT_USAGE;
    }
    (*argc)--;
    (*argv)++;
    return -1;
}

int cmd_hub_main(int argc, char **argv)
{
    const char *name = argv[0];
    int rc = -1;
    optind = 1;
    opterr = 0;
    if (strcmp(name, "serve") == 0)
        return cmd_serve(argc, argv);
    if (strcmp(name, "backup") == 0)
        return cmd_backup(argc, argv);
    if (strcmp(name, "user") == 0) {
        rc = subcommand(&argc, &argv, "add", user_usage);
        return rc >= 0 ? rc : cmd_user(argc, argv);
    }
    rc = subcommand(&argc, &argv, "create", token_usage);
    return rc >= 0 ? rc : cmd_token(argc, argv);
}
