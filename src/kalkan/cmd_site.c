/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_site.c - `kalkan site check|list`: checks websites and their e-mail
 * domains from outside and prints a graded report, in English, Russian or
 * Kyrgyz (docs/site.md).
 *
 * The library does the checking, grading and rendering; this file reads
 * and validates every option before anything touches the network, shows
 * progress on a terminal, and turns the outcome into the exit status: 2
 * for bad input (one line on stderr, nothing on stdout), 3 when a site
 * could not be checked (and why), 1 when something above "low" was found,
 * else 0.  Reports are collected and printed once every target is done,
 * so a target refused as malformed half-way leaves stdout empty: the cost
 * is that several sites print only at the end, which the progress line on
 * stderr makes up for.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "kalkan/site.h"

/* Declared here and in cmd.h. */
int cmd_site_main(int argc, char **argv);

/* lib/site/exposure.h: validates a --cms-releases file (KK_OK or an error
 * with d set).  Declared here because the command uses only public
 * headers and this one function of that internal header. */
int site_cms_releases_check(const char *path, struct kk_diag *d);

#define SITE_TARGETS_MAX 100
#define SITE_OUT_MAX (64 * 1024 * 1024)

static const char check_options[] =
    "Options of check:\n"
    "  --json                  one JSON document on stdout (an array when\n"
    "                          several targets are given)\n"
    "  --lang en|ru|ky         language of the texts (default: from LC_ALL,\n"
    "                          LC_MESSAGES or LANG when Russian or Kyrgyz,\n"
    "                          else English)\n"
    "  --dns ADDR[@PORT]       the DNS resolver to ask (default: the\n"
    "                          system's); it validates DNSSEC itself\n"
    "  --trust-anchor FILE     DNSSEC trust anchor (default: the root's)\n"
    "  --ca-file FILE          CA certificates to trust (default: the\n"
    "                          system's)\n"
    "  --resolve HOST:PORT:ADDR  connect to ADDR for HOST and PORT, as curl\n"
    "                          does (repeatable, up to 16)\n"
    "  --http-port N           the site's HTTP port (default 80)\n"
    "  --https-port N          the site's HTTPS port (default 443)\n"
    "  --smtp-port N           the mail servers' SMTP port (default 25)\n"
    "  --now TIME              judge certificate dates at TIME (Unix seconds\n"
    "                          or ISO 8601 UTC; default: now)\n"
    "  --timeout S             seconds per connection or query, 1-120\n"
    "                          (default 10)\n"
    "  --dkim-selector S       also look for this DKIM selector\n"
    "                          (repeatable, up to 8)\n"
    "  --no-mail               do not check the domain's e-mail\n"
    "  --cms-releases FILE     a newer list of current CMS releases\n"
    "  --quiet                 no progress line on stderr\n"
    "  -h, --help              show this help\n";

static const char check_usage_head[] =
    "Usage: kalkan site check [options] TARGET...\n"
    "\n"
    "Checks each TARGET (a host name, host:port or an https:// or http://\n"
    "URL) from outside: TLS, HTTPS and headers, cookies, exposed files, the\n"
    "CMS, the domain's e-mail records and mail servers, DNSSEC, CAA and\n"
    "IPv6.  Grades it A+ to F and says what to fix first.  At most 80 HTTP\n"
    "requests and 20 TLS handshakes per site; results stay on this machine.\n"
    "\n";

static const char site_usage_head[] =
    "Usage: kalkan site check [options] TARGET...\n"
    "       kalkan site list [--json] [--lang en|ru|ky]\n"
    "\n"
    "Checks websites and their e-mail domains the way an attacker sees them,\n"
    "and explains every fix in English, Russian or Kyrgyz.\n"
    "\n"
    "Subcommands:\n"
    "  check     check websites (TARGET: host, host:port or URL)\n"
    "  list      every finding id with its severity, area and title\n"
    "\n";

static const char list_usage[] =
    "Usage: kalkan site list [--json] [--lang en|ru|ky]\n"
    "\n"
    "Prints every finding id of `kalkan site check` with its severity, area\n"
    "and title.\n"
    "\n"
    "  --json                  one JSON array on stdout\n"
    "  --lang en|ru|ky         language of the titles (default: from the\n"
    "                          locale, else English)\n"
    "  -h, --help              show this help\n";

static const char exit_help[] =
    "\n"
    "Exit status: 0 nothing above \"low\" found, 1 findings above \"low\",\n"
    "2 usage or input error, 3 a target could not be checked.\n";

enum {
    O_JSON = 256,
    O_LANG,
    O_DNS,
    O_TRUST,
    O_CA,
    O_RESOLVE,
    O_HTTP,
    O_HTTPS,
    O_SMTP,
    O_NOW,
    O_TIMEOUT,
    O_DKIM,
    O_NOMAIL,
    O_CMS,
    O_QUIET,
};

static int usage_error(const char *sub, const char *msg)
{
    kk_log(KK_LOG_ERROR, "%s (try 'kalkan site %s--help')", msg,
           sub != NULL ? sub : "");
    return KK_EXIT_USAGE;
}

/* Copies s into out for an error line: control bytes become '?' and it is
 * cut to fit, so what the user typed cannot break the one-line rule. */
static const char *printable(const char *s, char *out, size_t cap)
{
    size_t i = 0;
    for (; s[i] != '\0' && i + 1 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    out[i] = '\0';
    return out;
}

static const char *lang_from_env(void)
{
    static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    const char *lang = "en";
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v == NULL || v[0] == '\0') {
            continue;
        }
        if (strncmp(v, "ru", 2) == 0) {
            lang = "ru";
        } else if (strncmp(v, "ky", 2) == 0) {
            lang = "ky";
        }
        break;
    }
    return lang;
}

static bool lang_ok(const char *l)
{
    return strcmp(l, "en") == 0 || strcmp(l, "ru") == 0 || strcmp(l, "ky") == 0;
}

static bool numeric_addr(const char *s, size_t n)
{
    char a[64];
    unsigned char tmp[16];
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        s++;
        n -= 2;
    }
    if (n == 0 || n >= sizeof a) {
        return false;
    }
    memcpy(a, s, n);
    a[n] = '\0';
    return inet_pton(AF_INET, a, tmp) == 1 || inet_pton(AF_INET6, a, tmp) == 1;
}

static bool port_ok(const char *s, size_t n)
{
    char p[8];
    uint64_t v;
    if (n == 0 || n >= sizeof p) {
        return false;
    }
    memcpy(p, s, n);
    p[n] = '\0';
    return kk_parse_u64(p, 1, 65535, &v) == KK_OK;
}

/* "ADDR" or "ADDR@PORT", ADDR numeric. */
static bool dns_ok(const char *s)
{
    const char *at = strrchr(s, '@');
    size_t al = at != NULL ? (size_t)(at - s) : strlen(s);
    return numeric_addr(s, al) &&
           (at == NULL || port_ok(at + 1, strlen(at + 1)));
}

/* "HOST:PORT:ADDR" with a host name, a port and a numeric address. */
static bool resolve_ok(const char *s)
{
    const char *c1 = strchr(s, ':');
    const char *c2 = c1 != NULL ? strchr(c1 + 1, ':') : NULL;
    size_t hl = c1 != NULL ? (size_t)(c1 - s) : 0;
    bool ok = hl > 0 && hl <= KK_SITE_HOST_MAX && c2 != NULL &&
              port_ok(c1 + 1, (size_t)(c2 - c1 - 1)) &&
              numeric_addr(c2 + 1, strlen(c2 + 1));
    for (size_t i = 0; ok && i < hl; i++) {
        char c = s[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
             (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    }
    return ok;
}

static bool selector_ok(const char *s)
{
    size_t n = strlen(s);
    bool ok = n > 0 && n <= 63;
    for (size_t i = 0; ok && i < n; i++) {
        char c = s[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
             (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    }
    return ok;
}

/* A file option must name a readable regular file. */
static int file_ok(const char *opt, const char *path)
{
    struct stat st;
    char shown[128];
    int rc = KK_EXIT_OK;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
        access(path, R_OK) != 0) {
        kk_log(KK_LOG_ERROR, "%s '%s': not a readable file", opt,
               printable(path, shown, sizeof shown));
        rc = KK_EXIT_USAGE;
    }
    return rc;
}

/* What can be told of a target before the library parses it. */
static int target_ok(const char *t)
{
    char shown[128];
    const char *sep = strstr(t, "://");
    int rc = KK_EXIT_OK;
    if (t[0] == '\0' || strlen(t) >= KK_SITE_URL_MAX) {
        rc = usage_error("check ", "a target is empty or too long");
        goto out;
    }
    for (const char *p = t; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= ' ' || c == 0x7f) {
            kk_log(KK_LOG_ERROR, "target '%s' contains a space or control byte",
                   printable(t, shown, sizeof shown));
            rc = KK_EXIT_USAGE;
            goto out;
        }
    }
    if (sep != NULL && !(sep - t == 5 && strncasecmp(t, "https", 5) == 0) &&
        !(sep - t == 4 && strncasecmp(t, "http", 4) == 0)) {
        kk_log(KK_LOG_ERROR,
               "target '%s': only http:// and https:// sites can be checked",
               printable(t, shown, sizeof shown));
        rc = KK_EXIT_USAGE;
    }
out:
    return rc;
}

/* ---- Progress ---- */

struct progress {
    const char *target;
    const char *lang;
    bool shown;
};

static void on_stage(void *arg, const char *stage)
{
    static const char *const stages[][2] = {
        {"dns", "ui.stage.dns"},           {"mail", "ui.stage.mail"},
        {"tls", "ui.stage.tls"},           {"headers", "ui.stage.headers"},
        {"exposure", "ui.stage.exposure"}, {"smtp", "ui.stage.smtp"},
    };
    struct progress *p = arg;
    const char *name = stage;
    char shown[80];
    for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++) {
        if (strcmp(stage, stages[i][0]) == 0) {
            const char *t = site_text(stages[i][1], SITE_TEXT_TITLE, p->lang);
            name = t != NULL ? t : stage;
        }
    }
    const char *word = site_text("ui.checking", SITE_TEXT_TITLE, p->lang);
    fprintf(stderr, "\r\033[K%s %s: %s\xe2\x80\xa6",
            word != NULL ? word : "checking",
            printable(p->target, shown, sizeof shown), name);
    fflush(stderr);
    p->shown = true;
}

static void progress_clear(struct progress *p)
{
    if (p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->shown = false;
    }
}

/* ---- check ---- */

struct check_args {
    struct site_opts o;
    const char *lang;
    bool json;
    bool quiet;
    bool help;
};

static int parse_port(const char *opt, const char *v, unsigned *out)
{
    uint64_t p;
    char msg[160];
    char shown[32];
    int rc = KK_EXIT_OK;
    if (kk_parse_u64(v, 1, 65535, &p) != KK_OK) {
        snprintf(msg, sizeof msg, "%s '%s' is not a port from 1 to 65535", opt,
                 printable(v, shown, sizeof shown));
        rc = usage_error("check ", msg);
    } else {
        *out = (unsigned)p;
    }
    return rc;
}

/* Applies one option of check; KK_EXIT_OK or KK_EXIT_USAGE (said). */
static int check_option(struct check_args *a, int c, const char *v,
                        const char *opt)
{
    char msg[200];
    char shown[100];
    int rc = KK_EXIT_OK;
    switch (c) {
    case O_JSON:
        a->json = true;
        break;
    case O_LANG:
        if (!lang_ok(v)) {
            snprintf(msg, sizeof msg, "--lang '%s': en, ru or ky",
                     printable(v, shown, sizeof shown));
            rc = usage_error("check ", msg);
        }
        a->lang = v;
        break;
    case O_DNS:
        if (!dns_ok(v)) {
            snprintf(msg, sizeof msg, "--dns '%s' is not ADDRESS[@PORT]",
                     printable(v, shown, sizeof shown));
            rc = usage_error("check ", msg);
        }
        a->o.dns = v;
        break;
    case O_TRUST:
        rc = file_ok("--trust-anchor", v);
        a->o.trust_anchor = v;
        break;
    case O_CA:
        rc = file_ok("--ca-file", v);
        a->o.ca_file = v;
        break;
    case O_CMS:
        rc = file_ok("--cms-releases", v);
        a->o.cms_releases = v;
        break;
    case O_RESOLVE:
        if (a->o.n_resolve == SITE_RESOLVE_MAX) {
            rc = usage_error("check ", "more than 16 --resolve options");
        } else if (!resolve_ok(v)) {
            snprintf(msg, sizeof msg, "--resolve '%s' is not HOST:PORT:ADDRESS",
                     printable(v, shown, sizeof shown));
            rc = usage_error("check ", msg);
        } else {
            a->o.resolve[a->o.n_resolve++] = v;
        }
        break;
    case O_HTTP:
        rc = parse_port("--http-port", v, &a->o.http_port);
        break;
    case O_HTTPS:
        rc = parse_port("--https-port", v, &a->o.https_port);
        break;
    case O_SMTP:
        rc = parse_port("--smtp-port", v, &a->o.smtp_port);
        break;
    case O_NOW:
        if (kk_parse_time(v, &a->o.now) != KK_OK || a->o.now <= 0) {
            snprintf(msg, sizeof msg,
                     "--now '%s' is not Unix seconds or an ISO 8601 time",
                     printable(v, shown, sizeof shown));
            rc = usage_error("check ", msg);
        }
        break;
    case O_TIMEOUT: {
        uint64_t s;
        if (kk_parse_u64(v, 1, 120, &s) != KK_OK) {
            snprintf(msg, sizeof msg,
                     "--timeout '%s' is not a number of seconds from 1 to "
                     "120",
                     printable(v, shown, sizeof shown));
            rc = usage_error("check ", msg);
        } else {
            a->o.timeout_ms = (unsigned)s * 1000;
        }
        break;
    }
    case O_DKIM:
        if (a->o.n_dkim_selectors == SITE_DKIM_SELECTORS_MAX) {
            rc = usage_error("check ", "more than 8 --dkim-selector options");
        } else if (!selector_ok(v)) {
            snprintf(msg, sizeof msg, "--dkim-selector '%s' is not a selector",
                     printable(v, shown, sizeof shown));
            rc = usage_error("check ", msg);
        } else {
            a->o.dkim_selectors[a->o.n_dkim_selectors++] = v;
        }
        break;
    case O_NOMAIL:
        a->o.skip_mail = true;
        break;
    case O_QUIET:
        a->quiet = true;
        break;
    case 'h':
        a->help = true;
        break;
    default:
        snprintf(msg, sizeof msg,
                 c == ':' ? "%s needs a value" : "unknown option '%s'",
                 printable(opt, shown, sizeof shown));
        rc = usage_error("check ", msg);
        break;
    }
    return rc;
}

static const struct option check_longopts[] = {
    {"json", no_argument, NULL, O_JSON},
    {"lang", required_argument, NULL, O_LANG},
    {"dns", required_argument, NULL, O_DNS},
    {"trust-anchor", required_argument, NULL, O_TRUST},
    {"ca-file", required_argument, NULL, O_CA},
    {"resolve", required_argument, NULL, O_RESOLVE},
    {"http-port", required_argument, NULL, O_HTTP},
    {"https-port", required_argument, NULL, O_HTTPS},
    {"smtp-port", required_argument, NULL, O_SMTP},
    {"now", required_argument, NULL, O_NOW},
    {"timeout", required_argument, NULL, O_TIMEOUT},
    {"dkim-selector", required_argument, NULL, O_DKIM},
    {"no-mail", no_argument, NULL, O_NOMAIL},
    {"cms-releases", required_argument, NULL, O_CMS},
    {"quiet", no_argument, NULL, O_QUIET},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The English reason of a failure code, for the error line. */
static const char *failure_reason(const char *code)
{
    const char *why = "unreachable";
    if (strcmp(code, "dns") == 0) {
        why = "the name does not resolve";
    } else if (strcmp(code, "blocked") == 0) {
        why = "blocked by a firewall or anti-bot service";
    } else if (strcmp(code, "timeout") == 0) {
        why = "timed out";
    }
    return why;
}

/* Checks one target and appends its report to out.  *exit_rc is raised to
 * the status the target calls for.  Returns KK_EXIT_OK, or the status of
 * an error that stops the command (said on stderr). */
static int check_one(const struct check_args *a, const char *target,
                     struct kk_buf *out, int *exit_rc)
{
    struct site_report *r = NULL;
    struct kk_diag d = {.msg = ""};
    struct site_opts o = a->o;
    struct progress p = {target, a->lang, false};
    char shown[128];
    int rc = KK_EXIT_OK;

    if (!a->quiet && isatty(STDERR_FILENO)) {
        o.progress = on_stage;
        o.progress_arg = &p;
    }
    int err = site_check(target, &o, &r, &d);
    progress_clear(&p);
    if (err == KK_ERR_INVAL) {
        kk_log(KK_LOG_ERROR, "%s: %s", printable(target, shown, sizeof shown),
               d.msg[0] != '\0' ? d.msg : kk_strerror(err));
        rc = KK_EXIT_USAGE;
        goto out;
    }
    if (err != KK_OK) {
        kk_log(KK_LOG_ERROR, "%s: %s", printable(target, shown, sizeof shown),
               d.msg[0] != '\0' ? d.msg : kk_strerror(err));
        rc = KK_EXIT_FAILURE;
        goto out;
    }
    err = a->json ? site_report_json(r, a->lang, out)
                  : site_report_text(r, a->lang, out);
    if (err != KK_OK) {
        kk_log(KK_LOG_ERROR, "the report does not fit in memory");
        rc = KK_EXIT_FAILURE;
        goto out;
    }
    const char *failure = site_report_failure(r);
    if (failure != NULL) {
        char detail[256];
        kk_log(KK_LOG_ERROR, "%s: could not be checked: %s (%s)",
               site_report_host(r), failure_reason(failure),
               printable(site_report_failure_detail(r), detail, sizeof detail));
        *exit_rc = KK_EXIT_FAILURE;
    } else if (site_report_worst(r) > SITE_SEV_LOW && *exit_rc == KK_EXIT_OK) {
        *exit_rc = KK_EXIT_NEGATIVE;
    }
out:
    site_report_free(r);
    return rc;
}

static int check_main(int argc, char **argv)
{
    struct check_args a;
    struct kk_buf *out = NULL;
    struct kk_diag d = {.msg = ""};
    int c;
    int rc = KK_EXIT_OK;
    int exit_rc = KK_EXIT_OK;

    memset(&a, 0, sizeof a);
    site_opts_init(&a.o);
    a.lang = lang_from_env();
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", check_longopts, NULL)) != -1) {
        rc = check_option(&a, c, optarg, optind > 0 ? argv[optind - 1] : "?");
        if (rc != KK_EXIT_OK) {
            goto out;
        }
    }
    if (a.help) {
        fputs(check_usage_head, stdout);
        fputs(check_options, stdout);
        fputs(exit_help, stdout);
        goto out;
    }
    if (optind == argc) {
        rc = usage_error("check ", "no target given");
        goto out;
    }
    if (argc - optind > SITE_TARGETS_MAX) {
        rc = usage_error("check ", "more than 100 targets");
        goto out;
    }
    for (int i = optind; i < argc; i++) {
        rc = target_ok(argv[i]);
        if (rc != KK_EXIT_OK) {
            goto out;
        }
    }
    if (a.o.cms_releases != NULL &&
        site_cms_releases_check(a.o.cms_releases, &d) != KK_OK) {
        kk_log(KK_LOG_ERROR, "--cms-releases: %s", d.msg);
        rc = KK_EXIT_USAGE;
        goto out;
    }
    out = kk_buf_new(SITE_OUT_MAX);
    if (out == NULL) {
        kk_log(KK_LOG_ERROR, "out of memory");
        rc = KK_EXIT_FAILURE;
        goto out;
    }
    bool many = argc - optind > 1;
    int err = a.json && many ? kk_buf_putc(out, '[') : KK_OK;
    for (int i = optind; i < argc && err == KK_OK; i++) {
        if (i > optind) {
            err = kk_buf_puts(out, a.json ? "," : "\n");
        }
        if (err == KK_OK) {
            rc = check_one(&a, argv[i], out, &exit_rc);
        }
        if (rc != KK_EXIT_OK) {
            goto out;
        }
        if (a.json && !many) {
            err = kk_buf_putc(out, '\n');
        }
    }
    if (err == KK_OK && a.json && many) {
        err = kk_buf_puts(out, "]\n");
    }
    if (err != KK_OK) {
        kk_log(KK_LOG_ERROR, "the reports do not fit in memory");
        rc = KK_EXIT_FAILURE;
        goto out;
    }
    fwrite(kk_buf_data(out), 1, kk_buf_len(out), stdout);
    if (fflush(stdout) != 0) {
        kk_log(KK_LOG_ERROR, "cannot write the report");
        rc = KK_EXIT_FAILURE;
        goto out;
    }
    rc = exit_rc;
out:
    kk_buf_free(out);
    return rc;
}

/* ---- list ---- */

static int list_main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, O_JSON},
        {"lang", required_argument, NULL, O_LANG},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *lang = lang_from_env();
    bool json = false;
    struct kk_buf *b = NULL;
    char msg[160];
    char shown[100];
    int c;
    int rc = KK_EXIT_OK;
    int err = KK_OK;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        if (c == O_JSON) {
            json = true;
        } else if (c == O_LANG && lang_ok(optarg)) {
            lang = optarg;
        } else if (c == 'h') {
            fputs(list_usage, stdout);
            goto out;
        } else {
            snprintf(msg, sizeof msg,
                     c == O_LANG ? "--lang '%s': en, ru or ky"
                     : c == ':'  ? "%s needs a value"
                                 : "unknown option '%s'",
                     c == O_LANG
                         ? printable(optarg, shown, sizeof shown)
                         : printable(optind > 0 ? argv[optind - 1] : "?", shown,
                                     sizeof shown));
            rc = usage_error("list ", msg);
            goto out;
        }
    }
    if (optind != argc) {
        rc = usage_error("list ", "list takes no arguments");
        goto out;
    }
    b = kk_buf_new(4 * 1024 * 1024);
    err = b != NULL ? KK_OK : KK_ERR_NOMEM;
    if (err == KK_OK && json) {
        err = kk_buf_putc(b, '[');
    }
    for (size_t i = 0; i < site_finding_count() && err == KK_OK; i++) {
        const struct site_finding_def *f = site_finding_at(i);
        const char *title = site_text(f->id, SITE_TEXT_TITLE, lang);
        if (title == NULL) {
            title = f->id;
        }
        if (json) {
            err = kk_buf_puts(b, i > 0 ? ",{\"id\":" : "{\"id\":");
            if (err == KK_OK) {
                err = kk_json_str(b, f->id);
            }
            if (err == KK_OK) {
                err =
                    kk_buf_putf(b,
                                ",\"severity\":\"%s\",\"area\":\"%s\","
                                "\"title\":",
                                site_sev_name(f->sev), site_area_name(f->area));
            }
            if (err == KK_OK) {
                err = kk_json_str(b, title);
            }
            if (err == KK_OK) {
                err = kk_buf_putc(b, '}');
            }
        } else {
            err = kk_buf_putf(b, "%-24s %-8s %-8s %s\n", f->id,
                              site_sev_name(f->sev), site_area_name(f->area),
                              title);
        }
    }
    if (err == KK_OK && json) {
        err = kk_buf_puts(b, "]\n");
    }
    if (err != KK_OK) {
        kk_log(KK_LOG_ERROR, "out of memory");
        rc = KK_EXIT_FAILURE;
        goto out;
    }
    fwrite(kk_buf_data(b), 1, kk_buf_len(b), stdout);
out:
    kk_buf_free(b);
    return rc;
}

int cmd_site_main(int argc, char **argv)
{
    int rc = KK_EXIT_USAGE;
    char shown[64];
    char msg[128];
    if (argc < 2) {
        rc = usage_error(NULL, "check or list is needed");
    } else if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
               strcmp(argv[1], "help") == 0) {
        fputs(site_usage_head, stdout);
        fputs(check_options, stdout);
        fputs(exit_help, stdout);
        rc = KK_EXIT_OK;
    } else if (strcmp(argv[1], "check") == 0) {
        rc = check_main(argc - 1, argv + 1);
    } else if (strcmp(argv[1], "list") == 0) {
        rc = list_main(argc - 1, argv + 1);
    } else {
        snprintf(msg, sizeof msg, "unknown subcommand '%s'",
                 printable(argv[1], shown, sizeof shown));
        rc = usage_error(NULL, msg);
    }
    return rc;
}
