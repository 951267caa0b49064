/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_pdf.c - a report as a PDF document (A4), through pdf.h.
 *
 * The same content as the printable page, laid out by hand: the title and
 * facts, a bar chart of the three coverage shares at each point, the
 * training shares by department, then one table per indicator (groups
 * down, points across), and on every page a footer with the report's
 * SHA-256 and where to check it.  The writer has no layout engine, so
 * this file keeps a cursor and starts a new page when the next block
 * would not fit; text that is wider than its column is shortened with an
 * ellipsis (a label, never a figure: figure columns are wide enough for
 * "100.0 % (99999 / 99999)").  Colours are a dark grey for text and the
 * charts' series colours of kalkan.css, so a page prints well in grey.
 */
#include <stdio.h>
#include <string.h>

#include "coverage.h"
#include "i18n.h"
#include "pdf.h"
#include "report.h"

#define MARGIN_L 42.0
#define MARGIN_R (HUB_PDF_WIDTH - 42.0)
#define TOP 56.0
#define BOTTOM (HUB_PDF_HEIGHT - 64.0)
#define LABEL_W 150.0
#define ROW_H 14.0
#define TEXT 0x1f2937u
#define MUTED 0x6b7280u
#define RULE 0xd1d5dbu
#define ELLIPSIS "\xe2\x80\xa6"

static const uint32_t series[] = {0x1d4ed8u, 0xb45309u, 0x047857u, 0x7c3aedu};

struct doc {
    struct hub_pdf *p;
    struct hub_req *r;
    const struct hub_report *rep;
    const char *verify_url;
    double y;
    int page;
};

static const char *tr(struct doc *d, const char *msgid)
{
    return hub_tr_r(d->r, msgid);
}

static void footer(struct doc *d)
{
    char buf[160];
    hub_pdf_color(d->p, RULE);
    hub_pdf_line(d->p, MARGIN_L, BOTTOM + 14, MARGIN_R, BOTTOM + 14, 0.5);
    hub_pdf_color(d->p, MUTED);
    snprintf(buf, sizeof buf, "SHA-256: %s", d->rep->sha256);
    hub_pdf_text(d->p, MARGIN_L, BOTTOM + 28, 7.5, false, buf);
    snprintf(buf, sizeof buf, "%d", d->page);
    hub_pdf_text(d->p, MARGIN_R - hub_pdf_text_width(d->p, 7.5, false, buf),
                 BOTTOM + 28, 7.5, false, buf);
    hub_pdf_text(d->p, MARGIN_L, BOTTOM + 40, 7.5, false,
                 tr(d, "Check a copy at"));
    hub_pdf_text(
        d->p,
        MARGIN_L +
            hub_pdf_text_width(d->p, 7.5, false, tr(d, "Check a copy at")) + 4,
        BOTTOM + 40, 7.5, false, d->verify_url);
    hub_pdf_color(d->p, TEXT);
}

static void new_page(struct doc *d)
{
    hub_pdf_page(d->p);
    d->page++;
    d->y = TOP;
    footer(d);
}

/* Room for h more points on this page, or a new page. */
static void need(struct doc *d, double h)
{
    if (d->y + h > BOTTOM)
        new_page(d);
}

/* text shortened to fit w points. */
static void fit(struct doc *d, double size, bool bold, const char *text,
                double w, char *out, size_t cap)
{
    size_t n;
    snprintf(out, cap, "%s", text);
    if (hub_pdf_text_width(d->p, size, bold, out) <= w)
        return;
    n = strlen(out);
    while (n > 0) {
        n--;
        /* Cut at a character boundary. */
        while (n > 0 && ((unsigned char)out[n] & 0xc0) == 0x80)
            n--;
        if (n + sizeof ELLIPSIS > cap)
            continue;
        memcpy(out + n, ELLIPSIS, sizeof ELLIPSIS);
        if (hub_pdf_text_width(d->p, size, bold, out) <= w)
            return;
    }
}

static void text_at(struct doc *d, double x, double size, bool bold,
                    const char *s, double w)
{
    char buf[400];
    fit(d, size, bold, s, w, buf, sizeof buf);
    hub_pdf_text(d->p, x, d->y, size, bold, buf);
}

/* A row label in w points: on one line, or broken at the last space that
 * fits into two (the second shortened if it must be); returns the lines
 * used. */
static int label_at(struct doc *d, double size, const char *s, double w)
{
    char buf[400];
    size_t cut = 0;
    snprintf(buf, sizeof buf, "%s", s);
    if (hub_pdf_text_width(d->p, size, false, buf) <= w) {
        hub_pdf_text(d->p, MARGIN_L, d->y, size, false, buf);
        return 1;
    }
    for (size_t i = 1; buf[i] != '\0'; i++) {
        char c = buf[i];
        if (c != ' ')
            continue;
        buf[i] = '\0';
        if (hub_pdf_text_width(d->p, size, false, buf) <= w)
            cut = i;
        buf[i] = c;
    }
    if (cut == 0) {
        text_at(d, MARGIN_L, size, false, s, w);
        return 1;
    }
    buf[cut] = '\0';
    hub_pdf_text(d->p, MARGIN_L, d->y, size, false, buf);
    d->y += size + 1.5;
    text_at(d, MARGIN_L, size, false, buf + cut + 1, w);
    d->y -= size + 1.5;
    return 2;
}

/* A cell's figures as plain text. */
static void cell_plain(const struct hub_rep_row *row, char *out, size_t cap)
{
    const struct hub_rep_ind_info *in = &hub_rep_inds[row->ind];
    char v[32], of[32], pc[32];
    if (row->value_state == HUB_RV_NONE) {
        snprintf(out, cap, "\xe2\x80\x93");
        return;
    }
    if (row->value_state == HUB_RV_SUPPRESSED)
        snprintf(v, sizeof v, "%s", "< 5");
    else
        hub_rep_value_text(row, false, v, sizeof v);
    if (in->kind != HUB_RK_SHARE) {
        snprintf(out, cap, "%s", v);
        return;
    }
    if (row->of_state == HUB_RV_SUPPRESSED) {
        snprintf(out, cap, "%s", "< 5");
        return;
    }
    hub_rep_value_text(row, true, of, sizeof of);
    {
        int pm = hub_rep_permille(row);
        if (pm >= 0)
            snprintf(pc, sizeof pc, "%d.%d %%", pm / 10, pm % 10);
        else
            snprintf(pc, sizeof pc, "\xe2\x80\x93");
    }
    snprintf(out, cap, "%s (%s / %s)", pc, v, of);
}

static void point_label(struct doc *d, const struct hub_rep_point *pt,
                        char *out, size_t cap)
{
    if (strcmp(pt->label, "as_of") == 0)
        snprintf(out, cap, "%s %s", tr(d, "As of"), pt->day);
    else
        snprintf(out, cap, "%s (%s)", pt->label, pt->day);
}

static void heading(struct doc *d, const char *text)
{
    need(d, 40);
    d->y += 10;
    hub_pdf_text(d->p, MARGIN_L, d->y, 12.5, true, text);
    d->y += 16;
}

/* A table of rows [a, b) of the report. */
static void table(struct doc *d, const char *caption, const char *first,
                  size_t a, size_t b, bool by_ind)
{
    const struct hub_report *rep = d->rep;
    double colw = (MARGIN_R - MARGIN_L - LABEL_W) / (double)rep->n_points;
    char buf[160];
    need(d, 3 * ROW_H + 16);
    hub_pdf_text(d->p, MARGIN_L, d->y, 10.5, true, caption);
    d->y += ROW_H + 2;
    hub_pdf_color(d->p, MUTED);
    text_at(d, MARGIN_L, 8.5, true, first, LABEL_W - 6);
    for (size_t k = 0; k < rep->n_points; k++) {
        point_label(d, &rep->pts[k], buf, sizeof buf);
        text_at(d, MARGIN_L + LABEL_W + colw * (double)k, 8.5, true, buf,
                colw - 6);
    }
    hub_pdf_color(d->p, RULE);
    hub_pdf_line(d->p, MARGIN_L, d->y + 4, MARGIN_R, d->y + 4, 0.6);
    hub_pdf_color(d->p, TEXT);
    d->y += ROW_H;
    for (size_t i = a; i + rep->n_points <= b; i += rep->n_points) {
        const struct hub_rep_row *row = &rep->rows[i];
        const struct hub_rep_ind_info *in = &hub_rep_inds[row->ind];
        int lines;
        need(d, 2 * ROW_H);
        lines = label_at(
            d, 9,
            tr(d, by_ind ? in->label
                         : hub_rep_group_label(in->groups, row->group)),
            LABEL_W - 6);
        for (size_t k = 0; k < rep->n_points; k++) {
            cell_plain(&rep->rows[i + k], buf, sizeof buf);
            text_at(d, MARGIN_L + LABEL_W + colw * (double)k, 9, false, buf,
                    colw - 4);
        }
        d->y += ROW_H + (lines - 1) * 10.5;
    }
    d->y += 8;
}

static void ind_span(const struct hub_report *rep, int ind, size_t *from,
                     size_t *to)
{
    size_t i = 0;
    while (i < rep->n_rows && rep->rows[i].ind != ind)
        i++;
    *from = i;
    while (i < rep->n_rows && rep->rows[i].ind == ind)
        i++;
    *to = i;
}

static void table_of(struct doc *d, int ind)
{
    const struct hub_rep_ind_info *in = &hub_rep_inds[ind];
    size_t a, b;
    ind_span(d->rep, ind, &a, &b);
    table(d, tr(d, in->label),
          tr(d, in->groups == HUB_RG_DEPT ? "Department" : "Incident type"), a,
          b, false);
}

/* One horizontal bar: label, bar of pm permille, the share written. */
static void bar(struct doc *d, const char *label, int pm, uint32_t colour)
{
    double x0 = MARGIN_L + LABEL_W, full = 280.0;
    char buf[32];
    need(d, 13);
    hub_pdf_color(d->p, TEXT);
    text_at(d, MARGIN_L + 8, 8.5, false, label, LABEL_W - 14);
    hub_pdf_color(d->p, 0xeef0f3u);
    hub_pdf_rect(d->p, x0, d->y - 8, full, 9);
    if (pm > 0) {
        hub_pdf_color(d->p, colour);
        hub_pdf_rect(d->p, x0, d->y - 8, full * pm / 1000.0, 9);
    }
    hub_pdf_color(d->p, TEXT);
    if (pm >= 0)
        snprintf(buf, sizeof buf, "%d.%d %%", pm / 10, pm % 10);
    else
        snprintf(buf, sizeof buf, "%s", tr(d, "No figure"));
    hub_pdf_text(d->p, x0 + full + 6, d->y, 8.5, false, buf);
    d->y += 13;
}

static void chart_coverage(struct doc *d)
{
    static const int inds[3] = {HUB_RI_PEOPLE_2FA, HUB_RI_ORG_OK,
                                HUB_RI_DEVICES};
    const struct hub_report *rep = d->rep;
    char buf[64];
    for (int j = 0; j < 3; j++) {
        size_t a, b;
        ind_span(rep, inds[j], &a, &b);
        need(d, 14 + 13 * (double)rep->n_points);
        hub_pdf_text(d->p, MARGIN_L, d->y, 9.5, true,
                     tr(d, hub_rep_inds[inds[j]].label));
        d->y += 13;
        for (size_t k = 0; k < rep->n_points && a + k < b; k++) {
            point_label(d, &rep->pts[k], buf, sizeof buf);
            bar(d, buf, hub_rep_permille(&rep->rows[a + k]),
                series[k % (sizeof series / sizeof series[0])]);
        }
        d->y += 4;
    }
}

static void chart_training(struct doc *d)
{
    const struct hub_report *rep = d->rep;
    size_t a, b;
    ind_span(rep, HUB_RI_TRAINED, &a, &b);
    need(d, 14 + 13 * 7);
    hub_pdf_text(d->p, MARGIN_L, d->y, 9.5, true, tr(d, "People trained"));
    d->y += 13;
    for (size_t i = a; i + rep->n_points <= b; i += rep->n_points) {
        const struct hub_rep_row *row = &rep->rows[i + rep->n_points - 1];
        bar(d, tr(d, hub_rep_group_label(HUB_RG_DEPT, row->group)),
            hub_rep_permille(row), series[2]);
    }
    d->y += 4;
}

static void fact(struct doc *d, const char *label, const char *value)
{
    need(d, 13);
    hub_pdf_color(d->p, MUTED);
    text_at(d, MARGIN_L, 9.5, false, label, LABEL_W - 6);
    hub_pdf_color(d->p, TEXT);
    text_at(d, MARGIN_L + LABEL_W, 9.5, false, value,
            MARGIN_R - MARGIN_L - LABEL_W);
    d->y += 13;
}

static void facts(struct doc *d)
{
    const struct hub_report *rep = d->rep;
    const struct hub_rep_params *p = &rep->p;
    char buf[128], ts[32];
    if (p->scope == HUB_REP_OUTLET)
        fact(d, tr(d, "Outlet"), rep->outlet_name);
    snprintf(buf, sizeof buf, "%s \xe2\x80\x93 %s", p->from, p->to);
    fact(d, tr(d, "Period"), buf);
    fact(d, tr(d, "Figures as of"), p->as_of);
    fact(d, tr(d, "Programme start (month 0)"), rep->start);
    snprintf(buf, sizeof buf, "%lld", (long long)rep->outlets);
    fact(d, tr(d, "Outlets covered"), buf);
    if (kk_format_time(rep->generated_at, ts, sizeof ts) == KK_OK) {
        snprintf(buf, sizeof buf, "%.10s %.5s UTC", ts, ts + 11);
        fact(d, tr(d, "Produced"), buf);
    }
    if (p->view == HUB_REP_DONOR) {
        d->y += 2;
        need(d, 13);
        hub_pdf_color(d->p, MUTED);
        text_at(d, MARGIN_L, 8.5, false,
                tr(d, "Aggregates only: counts of fewer than 5 people, and "
                      "shares that would reveal one, are hidden (\"< 5\")."),
                MARGIN_R - MARGIN_L);
        hub_pdf_color(d->p, TEXT);
        d->y += 13;
    }
}

int hub_report_pdf(struct hub_req *r, const struct hub_report *rep,
                   const char *verify_url)
{
    struct kk_diag diag = {.msg = ""};
    struct doc d;
    const char *title =
        rep->p.scope == HUB_REP_OUTLET ? "Outlet report" : "Programme report";
    char buf[KK_HUB_NAME_MAX + 64];
    size_t a, b, b2;
    int err;
    memset(&d, 0, sizeof d);
    err = hub_pdf_new(&d.p, &diag);
    if (err != KK_OK) {
        kk_log(KK_LOG_ERROR, "report PDF: %s", diag.msg);
        goto out;
    }
    d.r = r;
    d.rep = rep;
    d.verify_url = verify_url;
    if (rep->p.scope == HUB_REP_OUTLET)
        snprintf(buf, sizeof buf, "%s: %s", tr(&d, title), rep->outlet_name);
    else
        snprintf(buf, sizeof buf, "%s", tr(&d, title));
    hub_pdf_info(d.p, buf, rep->sha256, "Kalkan");
    new_page(&d);
    hub_pdf_color(d.p, TEXT);
    text_at(&d, MARGIN_L, 18, true, buf, MARGIN_R - MARGIN_L);
    d.y += 24;
    facts(&d);
    heading(&d, tr(&d, "2FA and device protection"));
    chart_coverage(&d);
    ind_span(rep, HUB_RI_PEOPLE_2FA, &a, &b);
    ind_span(rep, HUB_RI_DEVICES, &b, &b2);
    table(&d, tr(&d, "2FA and device protection"), tr(&d, "Indicator"), a, b2,
          true);
    heading(&d, tr(&d, "Training"));
    chart_training(&d);
    table_of(&d, HUB_RI_TRAINED);
    table_of(&d, HUB_RI_HOURS);
    heading(&d, tr(&d, "Findings"));
    ind_span(rep, HUB_RI_FINDINGS_OPEN, &a, &b);
    ind_span(rep, HUB_RI_FINDINGS_DONE, &b, &b2);
    table(&d, tr(&d, "Findings"), tr(&d, "Indicator"), a, b2, true);
    heading(&d, tr(&d, "Incidents"));
    table_of(&d, HUB_RI_INCIDENTS);
    table_of(&d, HUB_RI_RECOVERED);
    table_of(&d, HUB_RI_MEDIAN);
    err = hub_pdf_finish(d.p, r->out);
    hub_pdf_free(d.p);
    if (err == KK_OK)
        r->ctype = "application/pdf";
out:
    return err;
}
