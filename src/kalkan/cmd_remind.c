/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_remind.c - `kalkan remind`: sends the reminder e-mail of the day
 * now, for cron and for tests, beside the server's own housekeeping.
 *
 * The library does the work (hub_remind_run); this file reads options,
 * prints one line per user or one JSON document, and turns the outcome
 * into the exit code: 0 when nothing failed, 3 when an e-mail could not be
 * sent (the relay is down: cron will tell), 2 for a usage error.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "kalkan/hub.h"
#include "kalkan/hub_remind.h"

/* Declared here and in main.c (the table of commands). */
int cmd_remind_main(int argc, char **argv);

static const char remind_usage[] =
    "Usage: kalkan remind --db PATH --smtp HOST:PORT --mail-from ADDRESS\n"
    "                     [--base-url URL] [--dry-run] [--json]\n"
    "\n"
    "Sends today's reminder e-mail to every trainer, assistant trainer and\n"
    "focal point who has something that needs attention (overdue tasks,\n"
    "tasks due within 7 days, checks out of date, licences lapsing within\n"
    "30 days, open incidents) and has not had the e-mail today.\n"
    "\n"
    "  --db PATH           the hub's database\n"
    "  --smtp HOST:PORT    the mail relay (plain SMTP, no TLS: a relay on\n"
    "                      this machine or network that sends it onward)\n"
    "  --mail-from ADDR    the sender's address\n"
    "  --base-url URL      the hub's public address, for the links\n"
    "  --dry-run           write the e-mails, send and record nothing\n"
    "                      (--smtp is then not needed)\n"
    "  --json              one JSON document on stdout\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 nothing failed, 2 usage error, 3 an e-mail was not\n"
    "sent (it is tried again on the next run).\n";

enum { O_DB = 256, O_SMTP, O_FROM, O_BASE, O_DRY, O_JSON };

static int usage_error(const char *msg)
{
    kk_log(KK_LOG_ERROR, "%s (try 'kalkan remind --help')", msg);
    return KK_EXIT_USAGE;
}

static void print_json(const struct hub_remind_report *rep, bool dry)
{
    struct kk_buf *b = kk_buf_new(16 * 1024 * 1024);
    int err = b != NULL ? KK_OK : KK_ERR_NOMEM;
    if (err == KK_OK)
        err = kk_buf_putf(b,
                          "{\"day\":\"%s\",\"dry_run\":%s,\"sent\":%zu,"
                          "\"nothing\":%zu,\"already\":%zu,\"failed\":%zu,"
                          "\"users\":[",
                          rep->day, dry ? "true" : "false", rep->sent,
                          rep->nothing, rep->already, rep->failed);
    for (size_t i = 0; i < rep->n && err == KK_OK; i++) {
        const struct hub_remind_user *u = &rep->users[i];
        err = kk_buf_puts(b, i > 0 ? ",{\"email\":" : "{\"email\":");
        if (err == KK_OK)
            err = kk_json_str(b, u->email);
        if (err == KK_OK)
            err = kk_buf_putf(b,
                              ",\"role\":\"%s\",\"status\":\"%s\","
                              "\"items\":%zu,\"subject\":",
                              u->role, hub_remind_status_name(u->status),
                              u->items);
        if (err == KK_OK)
            err = u->subject != NULL ? kk_json_str(b, u->subject)
                                     : kk_buf_puts(b, "null");
        if (err == KK_OK && dry) {
            err = kk_buf_puts(b, ",\"body\":");
            if (err == KK_OK)
                err = u->body != NULL ? kk_json_str(b, u->body)
                                      : kk_buf_puts(b, "null");
        }
        if (err == KK_OK && u->error[0] != '\0') {
            err = kk_buf_puts(b, ",\"error\":");
            if (err == KK_OK)
                err = kk_json_str(b, u->error);
        }
        if (err == KK_OK)
            err = kk_buf_putc(b, '}');
    }
    if (err == KK_OK)
        err = kk_buf_puts(b, "]}\n");
    if (err == KK_OK)
        fputs(kk_buf_str(b), stdout);
    else
        kk_log(KK_LOG_ERROR, "the report does not fit in memory");
    kk_buf_free(b);
}

static void print_text(const struct hub_remind_report *rep)
{
    for (size_t i = 0; i < rep->n; i++) {
        const struct hub_remind_user *u = &rep->users[i];
        printf("%-8s %s (%s, %zu item(s))%s%s\n",
               hub_remind_status_name(u->status), u->email, u->role, u->items,
               u->error[0] != '\0' ? ": " : "", u->error);
    }
    printf("%s: %zu sent, %zu with nothing to say, %zu already sent today, "
           "%zu failed\n",
           rep->day, rep->sent + rep->dry, rep->nothing, rep->already,
           rep->failed);
}

int cmd_remind_main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, O_DB},
        {"smtp", required_argument, NULL, O_SMTP},
        {"mail-from", required_argument, NULL, O_FROM},
        {"base-url", required_argument, NULL, O_BASE},
        {"dry-run", no_argument, NULL, O_DRY},
        {"json", no_argument, NULL, O_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct hub_remind_opts o = {NULL, NULL, NULL, false, 0};
    struct hub_remind_report rep;
    struct hub_db *db = NULL;
    struct kk_diag d = {.msg = ""};
    const char *db_path = NULL;
    bool json = false;
    int c, err, rc = KK_EXIT_OK;
    char msg[160];
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case O_DB:
            db_path = optarg;
            break;
        case O_SMTP:
            o.smtp = optarg;
            break;
        case O_FROM:
            o.mail_from = optarg;
            break;
        case O_BASE:
            o.base_url = optarg;
            break;
        case O_DRY:
            o.dry_run = true;
            break;
        case O_JSON:
            json = true;
            break;
        case 'h':
            fputs(remind_usage, stdout);
            return KK_EXIT_OK;
        default:
            snprintf(msg, sizeof msg,
                     c == ':' ? "%s needs a value" : "unknown option '%s'",
                     optind > 0 ? argv[optind - 1] : "?");
            return usage_error(msg);
        }
    }
    if (optind != argc)
        return usage_error("unexpected argument");
    if (db_path == NULL || o.mail_from == NULL ||
        (o.smtp == NULL && !o.dry_run))
        return usage_error("--db, --smtp and --mail-from are needed");
    if (o.base_url != NULL && strncmp(o.base_url, "https://", 8) != 0 &&
        strncmp(o.base_url, "http://", 7) != 0)
        return usage_error("--base-url must start with https:// or http://");
    if (access(db_path, F_OK) != 0) {
        kk_log(KK_LOG_ERROR, "%s does not exist", db_path);
        return KK_EXIT_USAGE;
    }
    err = hub_db_open(db_path, &db, &d);
    if (err != KK_OK) {
        kk_log(KK_LOG_ERROR, "%s: %s", db_path,
               d.msg[0] != '\0' ? d.msg : kk_strerror(err));
        return cmd_exit_for(err);
    }
    err = hub_remind_run(db, &o, &rep, &d);
    if (err == KK_ERR_INVAL && rep.n == 0) {
        rc = usage_error(d.msg);
        goto out;
    }
    if (json)
        print_json(&rep, o.dry_run);
    else
        print_text(&rep);
    if (err != KK_OK) {
        kk_log(KK_LOG_ERROR, "%s", d.msg[0] != '\0' ? d.msg : kk_strerror(err));
        rc = KK_EXIT_FAILURE;
    }
out:
    hub_remind_report_free(&rep);
    hub_db_close(db);
    return rc;
}
