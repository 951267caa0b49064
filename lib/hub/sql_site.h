/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sql_site.h - the statements of the website checks (site_checks.c,
 * site_pages.c, site_upload.c, site_remind.c, site_worker.c) and of their
 * demo rows (demo_site.c).  Expanded by sql.c and hub_int.h; see the rule
 * in hub_int.h.
 *
 * What a request reads or writes carries the caller's scope and SITE_READER:
 * a check is read by the trainer, an assistant and a focal point of its
 * outlet, and by a device or server token only when that token asked for
 * it (created_by); staff (:pid set) read none.  A check is queued or
 * uploaded only for a live website of a live outlet in the caller's scope.
 *
 * The checker's thread (site_worker.c) works for the whole hub, outside any
 * request: its statements, named HUB_Q_SITE_JOB_*, are system statements
 * (test_scope.c lists the prefix).  They read which websites are due and
 * which checks are queued, and write a check's result, its findings and
 * the observations it makes - always into the outlet the website belongs
 * to, taken from the websites table, never from a caller.
 */

/* Laid out as SQL, not as C: */
/* clang-format off */

#define SITE_READER                                                            \
    "(:pid = 0 AND EXISTS (SELECT 1 FROM users su WHERE su.id = :uid AND "     \
    "(su.role IN ('trainer', 'assistant', 'focal') OR (su.role = 'device' "    \
    "AND c.created_by = :uid))))"
/* The latest finished check of website w (NULL when none). */
#define SITE_LATEST(w, extra)                                                  \
    "(SELECT x.id FROM site_checks x WHERE x.website_id = " w " AND "          \
    "x.checked_at IS NOT NULL" extra " ORDER BY x.checked_at DESC, x.n DESC "  \
    "LIMIT 1)"
/* The finished check before check l of website w. */
#define SITE_BEFORE(w, l, extra)                                               \
    "(SELECT x.id FROM site_checks x WHERE x.website_id = " w " AND "          \
    "x.checked_at IS NOT NULL" extra " AND (x.checked_at < " l ".checked_at "  \
    "OR (x.checked_at = " l ".checked_at AND x.n < " l ".n)) ORDER BY "        \
    "x.checked_at DESC, x.n DESC LIMIT 1)"
#define SITE_DONE " AND x.status = 'done'"
#define SITE_NEXT_N(w)                                                         \
    "(SELECT coalesce(max(x.n), 0) + 1 FROM site_checks x WHERE "              \
    "x.website_id = " w ")"
#define SITE_RESULT_SET                                                        \
    "failure = :failure, failure_detail = :failure_detail, grade = :grade, "   \
    "score = :score, score_tls = :score_tls, score_headers = "                 \
    ":score_headers, score_exposure = :score_exposure, score_mail = "          \
    ":score_mail, score_dns = :score_dns, capped_by = :capped_by, "            \
    "best_fix = :best_fix, passed = :passed, requests = :requests, "           \
    "handshakes = :handshakes, elapsed_ms = :elapsed_ms, cert_expires_at = "   \
    ":cert_expires_at, report_sealed = :report"

/* The website :id of outlet :outlet (0: any) in the caller's scope: id,
 * outlet, URL, archived, the outlet's name, the outlet archived. */
HUB_SQL(HUB_Q_SITE_WEBSITE, HUB_SQL_SCOPED,
        "SELECT w.id, w.outlet_id, w.url, w.archived_at IS NOT NULL, o.name, "
        "o.archived_at IS NOT NULL FROM websites w JOIN outlets o ON o.id = "
        "w.outlet_id WHERE w.id = :id AND (:outlet = 0 OR w.outlet_id = "
        ":outlet) AND " HUB_SCOPE("w.outlet_id") " AND :pid = 0")

/* A website's checks, the pending ones first, then the latest first. */
HUB_SQL(HUB_Q_SITE_LIST, HUB_SQL_SCOPED,
        "SELECT c.id, c.n, c.trigger, c.status, c.queued_at, c.checked_at, "
        "c.failure, c.grade, c.score, c.cert_expires_at, (SELECT count(*) "
        "FROM site_check_findings f WHERE f.check_id = c.id AND f.severity "
        "IN ('medium', 'high', 'critical')) FROM site_checks c WHERE "
        "c.website_id = :website AND " HUB_SCOPE("c.outlet_id") " AND "
        SITE_READER " ORDER BY c.checked_at IS NULL DESC, c.checked_at DESC, "
        "c.n DESC LIMIT :limit")

#define SITE_COLS                                                              \
    "SELECT c.id, c.outlet_id, c.website_id, c.n, c.trigger, c.status, "       \
    "c.queued_at, c.started_at, c.checked_at, c.failure, c.failure_detail, "   \
    "c.grade, c.score, c.score_tls, c.score_headers, c.score_exposure, "       \
    "c.score_mail, c.score_dns, c.capped_by, c.best_fix, c.passed, "           \
    "c.requests, c.handshakes, c.elapsed_ms, c.cert_expires_at, "              \
    "c.report_sealed, coalesce(u.email, ''), w.url, o.name FROM site_checks c "\
    "JOIN websites w ON w.id = c.website_id JOIN outlets o ON o.id = "         \
    "c.outlet_id LEFT JOIN users u ON u.id = c.created_by"
/* One check (of website :website and outlet :outlet; 0: any). */
HUB_SQL(HUB_Q_SITE_GET, HUB_SQL_SCOPED,
        SITE_COLS " WHERE c.id = :id AND (:website = 0 OR c.website_id = "
        ":website) AND (:outlet = 0 OR c.outlet_id = :outlet) AND "
        HUB_SCOPE("c.outlet_id") " AND " SITE_READER)
/* The latest finished check of a website, or its latest done one
 * (:done = 1): what a page shows first. */
HUB_SQL(HUB_Q_SITE_LATEST, HUB_SQL_SCOPED,
        SITE_COLS " WHERE c.id = (SELECT x.id FROM site_checks x WHERE "
        "x.website_id = :website AND x.checked_at IS NOT NULL AND (:done = 0 "
        "OR x.status = 'done') ORDER BY x.checked_at DESC, x.n DESC LIMIT 1) "
        "AND " HUB_SCOPE("c.outlet_id") " AND " SITE_READER)
/* The done check before check :id of the same website: its id, grade,
 * score and time, for the difference. */
HUB_SQL(HUB_Q_SITE_PREVIOUS, HUB_SQL_SCOPED,
        "SELECT p.id, p.grade, p.score, p.checked_at FROM site_checks c "
        "JOIN site_checks p ON p.id = " SITE_BEFORE("c.website_id", "c",
        SITE_DONE) " WHERE c.id = :id AND " HUB_SCOPE("c.outlet_id") " AND "
        HUB_SCOPE("p.outlet_id") " AND " SITE_READER)
/* A check's findings: row id, finding id, severity, area, evidence. */
HUB_SQL(HUB_Q_SITE_FINDINGS, HUB_SQL_SCOPED,
        "SELECT f.id, f.finding_id, f.severity, f.area, f.evidence_sealed "
        "FROM site_check_findings f JOIN site_checks c ON c.id = f.check_id "
        "WHERE f.check_id = :check AND f.outlet_id = c.outlet_id AND "
        HUB_SCOPE("f.outlet_id") " AND " SITE_READER " ORDER BY "
        "f.finding_id")

/* "Check now": a queued check of a live website in scope, unless one is
 * already queued or running. */
HUB_SQL(HUB_Q_SITE_QUEUE, HUB_SQL_SCOPED,
        "INSERT INTO site_checks (id, outlet_id, website_id, n, trigger, "
        "status, queued_at, created_by) SELECT :id, w.outlet_id, w.id, "
        SITE_NEXT_N("w.id") ", :trigger, 'queued', :now, :uid FROM websites "
        "w JOIN outlets o ON o.id = w.outlet_id WHERE w.id = :website AND "
        "w.archived_at IS NULL AND o.archived_at IS NULL AND "
        HUB_SCOPE("w.outlet_id") " AND :pid = 0 AND NOT EXISTS (SELECT 1 "
        "FROM site_checks q WHERE q.website_id = w.id AND q.status IN "
        "('queued', 'running'))")
/* The pending check of a website, when "Check now" found one. */
HUB_SQL(HUB_Q_SITE_PENDING, HUB_SQL_SCOPED,
        "SELECT c.id, c.status FROM site_checks c WHERE c.website_id = "
        ":website AND c.status IN ('queued', 'running') AND "
        HUB_SCOPE("c.outlet_id") " AND " SITE_READER " ORDER BY c.queued_at "
        "LIMIT 1")
/* A report a server of the outlet made (`kalkan site check --json`). */
HUB_SQL(HUB_Q_SITE_UPLOAD, HUB_SQL_SCOPED,
        "INSERT INTO site_checks (id, outlet_id, website_id, n, trigger, "
        "status, queued_at, started_at, checked_at, failure, failure_detail, "
        "grade, score, score_tls, score_headers, score_exposure, score_mail, "
        "score_dns, capped_by, best_fix, passed, requests, handshakes, "
        "elapsed_ms, cert_expires_at, report_sealed, created_by) SELECT :id, "
        "w.outlet_id, w.id, " SITE_NEXT_N("w.id") ", 'upload', :status, "
        ":now, :checked_at, :checked_at, :failure, :failure_detail, :grade, "
        ":score, :score_tls, :score_headers, :score_exposure, :score_mail, "
        ":score_dns, :capped_by, :best_fix, :passed, :requests, :handshakes, "
        ":elapsed_ms, :cert_expires_at, :report, :uid FROM websites w JOIN "
        "outlets o ON o.id = w.outlet_id WHERE w.id = :website AND "
        "w.archived_at IS NULL AND o.archived_at IS NULL AND "
        HUB_SCOPE("w.outlet_id") " AND :pid = 0")
HUB_SQL(HUB_Q_SITE_UPLOAD_FINDING, HUB_SQL_SCOPED,
        "INSERT INTO site_check_findings (id, check_id, outlet_id, "
        "finding_id, severity, area, evidence_sealed) SELECT :id, c.id, "
        "c.outlet_id, :finding, :severity, :area, :evidence FROM "
        "site_checks c WHERE c.id = :check AND c.created_by = :uid AND "
        HUB_SCOPE("c.outlet_id") " AND :pid = 0")

/* --- what needs attention (site_remind.c) --- */

/* Every live website in scope (:outlet, 0: all) with a finished check:
 * website, outlet, outlet name, URL; the latest finished check's id and
 * status and the one before's status; the latest done check's id, grade,
 * time and certificate expiry, the done check before it's grade, and how
 * many findings above low the latest done check has that the one before
 * had not (all of them when there is none before). */
HUB_SQL(HUB_Q_SITE_ALERTS, HUB_SQL_SCOPED,
        "SELECT w.id, w.outlet_id, o.name, w.url, l.id, l.status, "
        "coalesce(p.status, ''), coalesce(d.id, 0), coalesce(d.grade, ''), "
        "coalesce(d.checked_at, 0), coalesce(d.cert_expires_at, 0), "
        "coalesce(e.grade, ''), (SELECT count(*) FROM site_check_findings f "
        "WHERE f.check_id = d.id AND f.severity IN ('medium', 'high', "
        "'critical') AND NOT EXISTS (SELECT 1 FROM site_check_findings g "
        "WHERE g.check_id = e.id AND g.finding_id = f.finding_id)) "
        "FROM websites w JOIN outlets o ON o.id = w.outlet_id "
        "JOIN site_checks l ON l.id = " SITE_LATEST("w.id", "") " "
        "LEFT JOIN site_checks p ON p.id = " SITE_BEFORE("w.id", "l", "") " "
        "LEFT JOIN site_checks d ON d.id = " SITE_LATEST("w.id", SITE_DONE)
        " LEFT JOIN site_checks e ON e.id = " SITE_BEFORE("w.id", "d",
        SITE_DONE) " WHERE " HUB_SCOPE("w.outlet_id") " AND (:outlet = 0 OR "
        "w.outlet_id = :outlet) AND :pid = 0 AND w.archived_at IS NULL AND "
        "o.archived_at IS NULL ORDER BY o.name, w.url, w.id")

/* An outlet's live websites with their latest finished check (0 when
 * none): website, URL, check id, status, grade, score, time. */
HUB_SQL(HUB_Q_SITE_OUTLET, HUB_SQL_SCOPED,
        "SELECT w.id, w.url, coalesce(l.id, 0), coalesce(l.status, ''), "
        "coalesce(l.grade, ''), l.score, coalesce(l.checked_at, 0) FROM "
        "websites w LEFT JOIN site_checks l ON l.id = " SITE_LATEST("w.id", "")
        " WHERE w.outlet_id = :outlet AND " HUB_SCOPE("w.outlet_id") " AND "
        ":pid = 0 AND w.archived_at IS NULL ORDER BY w.url, w.id")

/* --- the checker's thread (site_worker.c): system statements --- */

/* A check left running when the hub stopped runs again. */
HUB_SQL(HUB_Q_SITE_JOB_RECOVER, HUB_SQL_SYSTEM,
        "UPDATE site_checks SET status = 'queued', started_at = NULL WHERE "
        "status = 'running'")
/* Queued checks of websites archived since are not run. */
HUB_SQL(HUB_Q_SITE_JOB_DROP, HUB_SQL_SYSTEM,
        "UPDATE site_checks SET status = 'failed', failure = 'error', "
        "failure_detail = 'the website was archived', checked_at = :now "
        "WHERE status = 'queued' AND website_id IN (SELECT w.id FROM "
        "websites w JOIN outlets o ON o.id = w.outlet_id WHERE "
        "w.archived_at IS NOT NULL OR o.archived_at IS NOT NULL)")
/* The oldest queued check: id, website, outlet, URL. */
HUB_SQL(HUB_Q_SITE_JOB_NEXT, HUB_SQL_SYSTEM,
        "SELECT c.id, c.website_id, c.outlet_id, w.url FROM site_checks c "
        "JOIN websites w ON w.id = c.website_id WHERE c.status = 'queued' "
        "ORDER BY c.queued_at, c.n LIMIT 1")
/* Live websites with no check queued, running, or queued after :since,
 * the longest unchecked first: id, URL.  The thread reads until the first
 * it may look up (names reserved for tests are skipped): a few hundred
 * rows at most, once a minute. */
HUB_SQL(HUB_Q_SITE_JOB_DUE, HUB_SQL_SYSTEM,
        "SELECT w.id, w.url FROM websites w JOIN outlets o ON o.id = "
        "w.outlet_id WHERE w.archived_at IS NULL AND o.archived_at IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM site_checks c WHERE c.website_id = "
        "w.id AND (c.checked_at IS NULL OR c.queued_at > :since)) ORDER BY "
        "(SELECT max(c.queued_at) FROM site_checks c WHERE c.website_id = "
        "w.id) NULLS FIRST, w.id")
HUB_SQL(HUB_Q_SITE_JOB_ADD, HUB_SQL_SYSTEM,
        "INSERT INTO site_checks (id, outlet_id, website_id, n, trigger, "
        "status, queued_at) SELECT :id, w.outlet_id, w.id, "
        SITE_NEXT_N("w.id") ", 'schedule', 'queued', :now FROM websites w "
        "WHERE w.id = :website AND w.archived_at IS NULL")
HUB_SQL(HUB_Q_SITE_JOB_START, HUB_SQL_SYSTEM,
        "UPDATE site_checks SET status = 'running', started_at = :now WHERE "
        "id = :id AND status = 'queued'")
HUB_SQL(HUB_Q_SITE_JOB_FINISH, HUB_SQL_SYSTEM,
        "UPDATE site_checks SET status = :status, checked_at = :checked_at, "
        SITE_RESULT_SET " WHERE id = :id AND status = 'running'")
HUB_SQL(HUB_Q_SITE_JOB_FINDING, HUB_SQL_SYSTEM,
        "INSERT INTO site_check_findings (id, check_id, outlet_id, "
        "finding_id, severity, area, evidence_sealed) SELECT :id, c.id, "
        "c.outlet_id, :finding, :severity, :area, :evidence FROM "
        "site_checks c WHERE c.id = :check")
/* An observation of a website control, in the website's outlet. */
HUB_SQL(HUB_Q_SITE_JOB_OBS, HUB_SQL_SYSTEM,
        "INSERT INTO observations (outlet_id, subject_type, subject_id, "
        "control_id, status, value, source, note, observed_at, observed_by, "
        "expires_at) SELECT w.outlet_id, 'website', w.id, :control, :status, "
        "NULL, 'site', :note, :at, NULL, :expires FROM websites w WHERE "
        "w.id = :website AND w.archived_at IS NULL AND EXISTS (SELECT 1 FROM "
        "controls WHERE id = :control)")

/* --- the demo programme (demo_site.c) --- */

HUB_SQL(HUB_Q_DEMO_SITE_WEBSITES, HUB_SQL_SYSTEM,
        "SELECT w.id, w.outlet_id, o.slug, w.url FROM websites w JOIN "
        "outlets o ON "
        "o.id = w.outlet_id WHERE w.archived_at IS NULL ORDER BY o.slug, "
        "w.url, w.id")
HUB_SQL(HUB_Q_DEMO_SITE_USER, HUB_SQL_SYSTEM,
        "SELECT u.id FROM users u JOIN user_outlets uo ON uo.user_id = u.id "
        "WHERE uo.outlet_id = :outlet AND u.role = 'focal' ORDER BY u.id "
        "LIMIT 1")
HUB_SQL(HUB_Q_DEMO_SITE_CHECK, HUB_SQL_SYSTEM,
        "INSERT INTO site_checks (id, outlet_id, website_id, n, trigger, "
        "status, queued_at, started_at, checked_at, failure, failure_detail, "
        "grade, score, score_tls, score_headers, score_exposure, score_mail, "
        "score_dns, capped_by, best_fix, passed, requests, handshakes, "
        "elapsed_ms, cert_expires_at, report_sealed, created_by) VALUES (:id, "
        ":outlet, :website, :n, :trigger, :status, :queued_at, :queued_at, "
        ":checked_at, :failure, :failure_detail, :grade, :score, :score_tls, "
        ":score_headers, :score_exposure, :score_mail, :score_dns, "
        ":capped_by, :best_fix, :passed, :requests, :handshakes, :elapsed_ms, "
        ":cert_expires_at, :report, :by)")
HUB_SQL(HUB_Q_DEMO_SITE_FINDING, HUB_SQL_SYSTEM,
        "INSERT INTO site_check_findings (id, check_id, outlet_id, "
        "finding_id, severity, area, evidence_sealed) VALUES (:id, :check, "
        ":outlet, :finding, :severity, :area, :evidence)")

/* clang-format on */
