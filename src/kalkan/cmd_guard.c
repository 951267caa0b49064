/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_guard.c - `kalkan guard run|replay|status|unban|allow|rules`: the
 * log guard's commands (docs/guard.md).
 *
 * The library does the reading, matching, counting and banning; this file
 * reads the options, loads the configuration (a bad one is one line naming
 * the file and line, exit 2), and prints.  The daemon's answers to status,
 * unban and allow are JSON; without --json they are printed as indented
 * "key: value" lines by a small walker of that JSON, so the text and the
 * JSON never disagree.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "kalkan/guard.h"

int cmd_guard_main(int argc, char **argv);

#define GUARD_DEFAULT_CONF "/etc/kalkan/guard.conf"
#define GUARD_OUT_MAX (256u * 1024 * 1024)

static const char guard_usage[] =
    "Usage: kalkan guard run [--config FILE] [--foreground] [--once]\n"
    "       kalkan guard replay [--config FILE] [--json] [--matches FILE]\n"
    "                           [--quiet] LOG...\n"
    "       kalkan guard status [--config FILE] [--json]\n"
    "       kalkan guard unban [--config FILE] [--json] ADDRESS\n"
    "       kalkan guard allow [--config FILE] [--json] ADDRESS\n"
    "       kalkan guard rules [--config FILE] [--json]\n"
    "\n"
    "Follows web-server and SSH logs, detects password guessing, scanners,\n"
    "floods and malformed requests, and bans the addresses behind them\n"
    "(an nftables set, a deny file for nginx or Apache, or report only).\n"
    "\n"
    "Subcommands:\n"
    "  run       the daemon: follow the configured logs and ban\n"
    "  replay    run the rules over existing logs and print the bans they\n"
    "            would give (investigation, tests); bans nothing\n"
    "  status    what the running daemon follows, tracks and bans\n"
    "  unban     lift a ban now (an address or a prefix)\n"
    "  allow     never ban this address or prefix (and lift its bans)\n"
    "  rules     the rules in effect, after the configuration file\n"
    "\n"
    "Options:\n"
    "  --config FILE     the configuration (default " GUARD_DEFAULT_CONF ";\n"
    "                    replay and rules use the built-in rules without)\n"
    "  --json            one JSON document on stdout\n"
    "  --matches FILE    replay: write every matched line as\n"
    "                    address, rule, time and file:line (tab-separated)\n"
    "  --quiet           replay: no progress line on stderr\n"
    "  --foreground      run: log to stderr as well as syslog\n"
    "  --once            run: read what is there, act, save and stop\n"
    "  --ready FILE      run: write FILE once following (for scripts)\n"
    "  -h, --help        show this help\n"
    "\n"
    "Exit status: 0 success, 2 usage, configuration or input error (a log\n"
    "replay cannot open), 3 runtime failure (no daemon running).\n";

enum {
    O_CONFIG = 256,
    O_JSON,
    O_MATCHES,
    O_QUIET,
    O_FOREGROUND,
    O_ONCE,
    O_READY,
};

static const struct option longopts[] = {
    {"config", required_argument, NULL, O_CONFIG},
    {"json", no_argument, NULL, O_JSON},
    {"matches", required_argument, NULL, O_MATCHES},
    {"quiet", no_argument, NULL, O_QUIET},
    {"foreground", no_argument, NULL, O_FOREGROUND},
    {"once", no_argument, NULL, O_ONCE},
    {"ready", required_argument, NULL, O_READY},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct args {
    const char *sub;
    const char *config;
    const char *matches;
    const char *ready;
    bool json, quiet, foreground, once, help;
    int first; /* index of the first operand */
};

/* Which options each subcommand takes. */
static bool option_ok(const char *sub, int c)
{
    switch (c) {
    case O_CONFIG:
        return true;
    case O_JSON:
        return strcmp(sub, "run") != 0;
    case O_MATCHES:
    case O_QUIET:
        return strcmp(sub, "replay") == 0;
    case O_FOREGROUND:
    case O_ONCE:
    case O_READY:
        return strcmp(sub, "run") == 0;
    default:
        return false;
    }
}

static int usage_error(const char *sub, const char *msg)
{
    kk_log(KK_LOG_ERROR, "%s%s%s (try 'kalkan guard %s%s--help')",
           sub != NULL ? sub : "", sub != NULL ? ": " : "", msg,
           sub != NULL ? sub : "", sub != NULL ? " " : "");
    return KK_EXIT_USAGE;
}

/* Copies s for an error line: control bytes become '?', cut to fit. */
static const char *printable(const char *s, char *out, size_t cap)
{
    size_t i = 0;
    for (; s[i] != '\0' && i + 1 < cap; i++)
        out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    out[i] = '\0';
    return out;
}

static int parse_args(int argc, char **argv, struct args *a)
{
    char shown[64], msg[160];
    int c;
    memset(a, 0, sizeof *a);
    a->sub = argv[0];
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (c == 'h') {
            a->help = true;
            continue;
        }
        if (c == '?' || c == ':' || !option_ok(a->sub, c)) {
            const char *o = argv[optind - 1];
            snprintf(msg, sizeof msg, "%s '%s'",
                     c == ':' ? "missing value for" : "unknown option",
                     printable(o != NULL ? o : "?", shown, sizeof shown));
            return usage_error(a->sub, msg);
        }
        switch (c) {
        case O_CONFIG:
            a->config = optarg;
            break;
        case O_JSON:
            a->json = true;
            break;
        case O_MATCHES:
            a->matches = optarg;
            break;
        case O_QUIET:
            a->quiet = true;
            break;
        case O_FOREGROUND:
            a->foreground = true;
            break;
        case O_ONCE:
            a->once = true;
            break;
        case O_READY:
            a->ready = optarg;
            break;
        default:
            break;
        }
    }
    a->first = optind;
    return KK_EXIT_OK;
}

/* Loads --config, or the default file (run, status, unban, allow), or
 * the built-in rules alone (replay, rules). */
static int load_conf(const struct args *a, bool need_file,
                     struct guard_conf **c)
{
    struct kk_diag d;
    const char *path = a->config;
    int err;
    kk_diag_clear(&d);
    if (path == NULL && need_file)
        path = GUARD_DEFAULT_CONF;
    err = guard_conf_load(path, c, &d);
    if (err != KK_OK) {
        kk_log(KK_LOG_ERROR, "%s", d.msg[0] != '\0' ? d.msg : kk_strerror(err));
        return err == KK_ERR_NOMEM ? KK_EXIT_FAILURE : KK_EXIT_USAGE;
    }
    return KK_EXIT_OK;
}

/* ---- replay ---- */

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    (void)ctx;
    if (total == 0)
        fprintf(stderr, "\r\033[Kreplay: %llu MB read",
                (unsigned long long)(done >> 20));
    else
        fprintf(stderr, "\r\033[Kreplay: %llu%% of %llu MB",
                (unsigned long long)(done * 100 / total),
                (unsigned long long)(total >> 20));
    fflush(stderr);
}

static void print_time(int64_t t)
{
    char ts[40];
    if (kk_format_time(t, ts, sizeof ts) == KK_OK)
        fputs(ts, stdout);
    else
        fputs("?", stdout);
}

static void replay_text(const struct guard_replay *r)
{
    printf("%llu lines read, %llu matched a rule, %llu not understood; "
           "%zu bans in %lld ms\n",
           (unsigned long long)r->lines, (unsigned long long)r->matched,
           (unsigned long long)r->unparsed, r->nbans, (long long)r->elapsed_ms);
    if (r->nbans == 0)
        return;
    printf("\n%-40s %-12s %8s  %-20s  %-20s  %s\n", "ADDRESS", "RULE", "HITS",
           "BANNED AT", "UNTIL", "LEVEL");
    for (size_t i = 0; i < r->nbans; i++) {
        const struct guard_ban *b = &r->bans[i];
        printf("%-40s %-12s %8lu  ", b->address, b->rule,
               (unsigned long)b->hits);
        print_time(b->banned_at);
        fputs("  ", stdout);
        print_time(b->until);
        printf("  %lu\n", (unsigned long)b->level);
    }
}

static int replay_main(int argc, char **argv, const struct args *a)
{
    struct guard_conf *c = NULL;
    struct guard_replay *r = NULL;
    struct guard_replay_opts o;
    struct kk_diag d;
    struct kk_buf *out = NULL;
    FILE *mx = NULL;
    char shown[128];
    int err, rc = KK_EXIT_USAGE;
    if (a->first >= argc)
        return usage_error("replay", "at least one log file is needed");
    rc = load_conf(a, false, &c);
    if (rc != KK_EXIT_OK)
        goto out;
    memset(&o, 0, sizeof o);
    if (a->matches != NULL) {
        mx = strcmp(a->matches, "-") == 0 ? stdout : fopen(a->matches, "w");
        if (mx == NULL) {
            kk_log(KK_LOG_ERROR, "replay: --matches %s: cannot write it",
                   printable(a->matches, shown, sizeof shown));
            rc = KK_EXIT_USAGE;
            goto out;
        }
        o.matches = mx;
    }
    if (!a->quiet && !a->json && isatty(STDERR_FILENO)) {
        o.progress = on_progress;
    }
    kk_diag_clear(&d);
    err = guard_replay_run(c, (const char *const *)argv + a->first,
                           (size_t)(argc - a->first), &o, &r, &d);
    if (o.progress != NULL) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    if (err != KK_OK) {
        kk_log(KK_LOG_ERROR, "replay: %s",
               d.msg[0] != '\0' ? d.msg : kk_strerror(err));
        rc = err == KK_ERR_IO || err == KK_ERR_INVAL ? KK_EXIT_USAGE
                                                     : KK_EXIT_FAILURE;
        goto out;
    }
    if (a->json) {
        out = kk_buf_new(GUARD_OUT_MAX);
        if (out == NULL || guard_replay_json(r, out) != KK_OK) {
            kk_log(KK_LOG_ERROR, "replay: out of memory");
            rc = KK_EXIT_FAILURE;
            goto out;
        }
        fwrite(kk_buf_data(out), 1, kk_buf_len(out), stdout);
    } else {
        replay_text(r);
    }
    rc = KK_EXIT_OK;
out:
    if (mx != NULL && mx != stdout && fclose(mx) != 0 && rc == KK_EXIT_OK) {
        kk_log(KK_LOG_ERROR, "replay: --matches: write failed");
        rc = KK_EXIT_FAILURE;
    }
    kk_buf_free(out);
    guard_replay_free(r);
    guard_conf_free(c);
    return rc;
}

/* ---- status, unban, allow: the daemon's JSON, or lines made from it ---- */

struct walk {
    const char *p, *end;
    int depth;
};

static void skip_ws(struct walk *w)
{
    while (w->p < w->end &&
           (*w->p == ' ' || *w->p == '\n' || *w->p == '\t' || *w->p == '\r'))
        w->p++;
}

/* Prints a JSON string's contents (escapes kept as written, which for
 * this daemon's answers means ASCII text). */
static bool walk_string(struct walk *w, bool print)
{
    const char *s;
    if (w->p >= w->end || *w->p != '"')
        return false;
    s = ++w->p;
    while (w->p < w->end && *w->p != '"') {
        if (*w->p == '\\' && w->p + 1 < w->end)
            w->p++;
        w->p++;
    }
    if (w->p >= w->end)
        return false;
    if (print)
        fwrite(s, 1, (size_t)(w->p - s), stdout);
    w->p++;
    return true;
}

static bool walk_value(struct walk *w, int indent, bool in_list);

static void pad(int indent)
{
    for (int i = 0; i < indent; i++)
        fputs("  ", stdout);
}

static bool walk_object(struct walk *w, int indent, bool in_list)
{
    bool first = true;
    w->p++;
    skip_ws(w);
    if (w->p < w->end && *w->p == '}') {
        w->p++;
        fputs("{}\n", stdout);
        return true;
    }
    while (w->p < w->end) {
        skip_ws(w);
        if (!(first && in_list)) /* else it follows "- " */
            pad(indent);
        if (!walk_string(w, true))
            return false;
        fputs(":", stdout);
        skip_ws(w);
        if (w->p >= w->end || *w->p != ':')
            return false;
        w->p++;
        skip_ws(w);
        if (w->p < w->end && (*w->p == '{' || *w->p == '['))
            fputs("\n", stdout);
        else
            fputs(" ", stdout);
        if (!walk_value(w, indent + 1, false))
            return false;
        first = false;
        skip_ws(w);
        if (w->p < w->end && *w->p == ',') {
            w->p++;
            continue;
        }
        if (w->p < w->end && *w->p == '}') {
            w->p++;
            return true;
        }
        return false;
    }
    return false;
}

static bool walk_array(struct walk *w, int indent)
{
    w->p++;
    skip_ws(w);
    if (w->p < w->end && *w->p == ']') {
        w->p++;
        pad(indent);
        fputs("(none)\n", stdout);
        return true;
    }
    while (w->p < w->end) {
        skip_ws(w);
        pad(indent - 1);
        fputs("- ", stdout);
        if (!walk_value(w, indent, true))
            return false;
        skip_ws(w);
        if (w->p < w->end && *w->p == ',') {
            w->p++;
            continue;
        }
        if (w->p < w->end && *w->p == ']') {
            w->p++;
            return true;
        }
        return false;
    }
    return false;
}

static bool walk_value(struct walk *w, int indent, bool in_list)
{
    bool ok;
    skip_ws(w);
    if (w->p >= w->end || ++w->depth > 16)
        return false;
    if (*w->p == '{') {
        ok = walk_object(w, indent, in_list);
    } else if (*w->p == '[') {
        ok = walk_array(w, indent);
    } else if (*w->p == '"') {
        ok = walk_string(w, true);
        fputs("\n", stdout);
    } else {
        const char *s = w->p;
        while (w->p < w->end && *w->p != ',' && *w->p != '}' && *w->p != ']' &&
               *w->p != '\n')
            w->p++;
        fwrite(s, 1, (size_t)(w->p - s), stdout);
        fputs("\n", stdout);
        ok = w->p > s;
    }
    w->depth--;
    return ok;
}

static void print_reply(const struct kk_buf *reply, bool json)
{
    struct walk w;
    if (json) {
        fwrite(kk_buf_data(reply), 1, kk_buf_len(reply), stdout);
        if (kk_buf_len(reply) == 0 ||
            kk_buf_data(reply)[kk_buf_len(reply) - 1] != '\n')
            fputs("\n", stdout);
        return;
    }
    w.p = (const char *)kk_buf_data(reply);
    w.end = w.p + kk_buf_len(reply);
    w.depth = 0;
    skip_ws(&w);
    if (w.p < w.end && *w.p == '{') {
        if (!walk_object(&w, 0, false))
            fputs("\n(the daemon's answer was cut short)\n", stdout);
    }
}

static int ctl_main(int argc, char **argv, const struct args *a)
{
    struct guard_conf *c = NULL;
    struct kk_buf *reply = NULL;
    struct kk_diag d;
    const char *arg = NULL;
    int err, rc;
    bool takes_arg = strcmp(a->sub, "status") != 0;
    if (takes_arg && argc - a->first != 1)
        return usage_error(a->sub, "one ADDRESS is needed");
    if (!takes_arg && argc - a->first != 0)
        return usage_error(a->sub, "no operand is taken");
    if (takes_arg)
        arg = argv[a->first];
    rc = load_conf(a, true, &c);
    if (rc != KK_EXIT_OK)
        goto out;
    reply = kk_buf_new(GUARD_OUT_MAX);
    if (reply == NULL) {
        rc = KK_EXIT_FAILURE;
        goto out;
    }
    kk_diag_clear(&d);
    err = guard_ctl(c, a->sub, arg, reply, &d);
    if (err != KK_OK) {
        kk_log(KK_LOG_ERROR, "%s: %s", a->sub,
               d.msg[0] != '\0' ? d.msg : kk_strerror(err));
        rc = err == KK_ERR_INVAL ? KK_EXIT_USAGE : KK_EXIT_FAILURE;
        goto out;
    }
    print_reply(reply, a->json);
    rc = KK_EXIT_OK;
out:
    kk_buf_free(reply);
    guard_conf_free(c);
    return rc;
}

/* ---- run ---- */

static int run_main(int argc, const struct args *a)
{
    struct guard_conf *c = NULL;
    struct guard_run_opts o;
    struct kk_diag d;
    int err, rc;
    if (a->first < argc)
        return usage_error("run", "no operand is taken");
    rc = load_conf(a, true, &c);
    if (rc != KK_EXIT_OK)
        return rc;
    memset(&o, 0, sizeof o);
    o.foreground = a->foreground;
    o.once = a->once;
    o.ready = a->ready;
    /* Decisions are worth keeping: INFO, and syslog unless in the
     * foreground (a terminal or a test). */
    kk_log_init("kalkan", "guard", KK_LOG_INFO, !a->foreground);
    kk_diag_clear(&d);
    err = guard_run(c, &o, &d);
    if (err != KK_OK) {
        kk_log(KK_LOG_ERROR, "run: %s",
               d.msg[0] != '\0' ? d.msg : kk_strerror(err));
        rc = err == KK_ERR_INVAL ? KK_EXIT_USAGE : KK_EXIT_FAILURE;
    }
    guard_conf_free(c);
    return rc;
}

/* ---- rules ---- */

static int rules_main(int argc, const struct args *a)
{
    struct guard_conf *c = NULL;
    struct kk_buf *out = NULL;
    int rc;
    if (a->first < argc)
        return usage_error("rules", "no operand is taken");
    rc = load_conf(a, false, &c);
    if (rc != KK_EXIT_OK)
        return rc;
    out = kk_buf_new(GUARD_OUT_MAX);
    if (out == NULL || guard_conf_describe(c, a->json, out) != KK_OK) {
        kk_log(KK_LOG_ERROR, "rules: out of memory");
        rc = KK_EXIT_FAILURE;
    } else {
        fwrite(kk_buf_data(out), 1, kk_buf_len(out), stdout);
    }
    kk_buf_free(out);
    guard_conf_free(c);
    return rc;
}

int cmd_guard_main(int argc, char **argv)
{
    static const char *const subs[] = {"run",   "replay", "status",
                                       "unban", "allow",  "rules"};
    struct args a;
    char shown[64], msg[128];
    int rc;
    bool known = false;
    if (argc < 2)
        return usage_error(NULL, "a subcommand is needed");
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(guard_usage, stdout);
        return KK_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        known = known || strcmp(argv[1], subs[i]) == 0;
    if (!known) {
        snprintf(msg, sizeof msg, "unknown subcommand '%s'",
                 printable(argv[1], shown, sizeof shown));
        return usage_error(NULL, msg);
    }
    rc = parse_args(argc - 1, argv + 1, &a);
    if (rc != KK_EXIT_OK)
        return rc;
    if (a.help) {
        fputs(guard_usage, stdout);
        return KK_EXIT_OK;
    }
    if (strcmp(a.sub, "replay") == 0)
        rc = replay_main(argc - 1, argv + 1, &a);
    else if (strcmp(a.sub, "run") == 0)
        rc = run_main(argc - 1, &a);
    else if (strcmp(a.sub, "rules") == 0)
        rc = rules_main(argc - 1, &a);
    else
        rc = ctl_main(argc - 1, argv + 1, &a);
    return rc;
}
