/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sql_guard.h - the statements of the log guard's reports and of the
 * outlets' office networks (guard_pages.c).  Expanded by sql.c and
 * hub_int.h; see the rule in hub_int.h.
 *
 * Every statement carries the caller's scope and excludes staff (:pid =
 * 0): a report is stored only for a live website of a live outlet in the
 * caller's scope, its events only into a report the same caller just
 * stored, and reads are of websites and outlets in scope.  The outlet of
 * a row is always taken from the website or outlet row, never from the
 * request.
 */

/* Laid out as SQL, not as C: */
/* clang-format off */

/* A heartbeat of the guard for website :website. */
HUB_SQL(HUB_Q_GUARD_REPORT_ADD, HUB_SQL_SCOPED,
        "INSERT INTO guard_reports (id, outlet_id, website_id, created_by, "
        "received_at, started_at, sent_at, host, version, lines, matched, "
        "tracked, banned, events) SELECT :id, w.outlet_id, w.id, :uid, :now, "
        ":started_at, :sent_at, :host, :version, :lines, :matched, :tracked, "
        ":banned, :events FROM websites w JOIN outlets o ON o.id = "
        "w.outlet_id WHERE w.id = :website AND w.archived_at IS NULL AND "
        "o.archived_at IS NULL AND " HUB_SCOPE("w.outlet_id") " AND :pid = 0")
/* One event of report :report (stored by the same caller); the same
 * event of the same website a second time is ignored. */
HUB_SQL(HUB_Q_GUARD_EVENT_ADD, HUB_SQL_SCOPED,
        "INSERT OR IGNORE INTO guard_events (id, outlet_id, website_id, "
        "report_id, at, kind, address, rule, hits, first_at, until_at, level) "
        "SELECT :id, r.outlet_id, r.website_id, r.id, :at, :kind, :address, "
        ":rule, :hits, :first, :until, :level FROM guard_reports r WHERE "
        "r.id = :report AND r.created_by = :uid AND "
        HUB_SCOPE("r.outlet_id") " AND :pid = 0")
/* Guard observations of WEB-11 for website :website since :since. */
HUB_SQL(HUB_Q_GUARD_OBS_SINCE, HUB_SQL_SCOPED,
        "SELECT count(*) FROM observations o WHERE o.subject_type = "
        "'website' AND o.subject_id = :website AND o.control_id = 'WEB-11' "
        "AND o.source = 'guard' AND o.observed_at > :since AND "
        HUB_SCOPE("o.outlet_id") " AND :pid = 0")
/* The last heartbeat of a website: received, sent, started, host,
 * version, lines, matched, tracked, banned. */
HUB_SQL(HUB_Q_GUARD_LAST, HUB_SQL_SCOPED,
        "SELECT r.received_at, r.sent_at, r.started_at, r.host, r.version, "
        "r.lines, r.matched, r.tracked, r.banned FROM guard_reports r WHERE "
        "r.website_id = :website AND " HUB_SCOPE("r.outlet_id") " AND "
        ":pid = 0 ORDER BY r.received_at DESC, r.id DESC LIMIT 1")
/* A website's decisions from :since, the latest first. */
HUB_SQL(HUB_Q_GUARD_EVENTS, HUB_SQL_SCOPED,
        "SELECT e.at, e.kind, e.address, e.rule, e.hits, e.first_at, "
        "e.until_at, e.level FROM guard_events e WHERE e.website_id = "
        ":website AND e.at >= :since AND " HUB_SCOPE("e.outlet_id") " AND "
        ":pid = 0 ORDER BY e.at DESC, e.id DESC LIMIT :limit")
/* Bans of a website per day (Unix day number) and rule from :since. */
HUB_SQL(HUB_Q_GUARD_DAILY, HUB_SQL_SCOPED,
        "SELECT e.at / 86400 AS d, e.rule, count(*) FROM guard_events e "
        "WHERE e.website_id = :website AND e.kind = 'ban' AND e.at >= :since "
        "AND " HUB_SCOPE("e.outlet_id") " AND :pid = 0 GROUP BY d, e.rule "
        "ORDER BY d DESC, e.rule LIMIT 2000")

/* --- office networks --- */

/* Outlet :outlet in scope: id, archived. */
HUB_SQL(HUB_Q_GUARD_OUTLET, HUB_SQL_SCOPED,
        "SELECT o.id, o.archived_at IS NOT NULL FROM outlets o WHERE o.id = "
        ":outlet AND " HUB_SCOPE("o.id") " AND :pid = 0")
/* An outlet's office networks: id, prefix, label, created. */
HUB_SQL(HUB_Q_GUARD_NETS, HUB_SQL_SCOPED,
        "SELECT n.id, n.prefix, n.label, n.created_at FROM guard_networks n "
        "WHERE n.outlet_id = :outlet AND " HUB_SCOPE("n.outlet_id") " AND "
        ":pid = 0 ORDER BY n.prefix, n.id LIMIT 64")
/* Adds one to a live outlet in scope that has fewer than :max. */
HUB_SQL(HUB_Q_GUARD_NET_ADD, HUB_SQL_SCOPED,
        "INSERT INTO guard_networks (id, outlet_id, prefix, label, "
        "created_at, created_by) SELECT :id, o.id, :prefix, :label, :now, "
        ":uid FROM outlets o WHERE o.id = :outlet AND o.archived_at IS NULL "
        "AND " HUB_SCOPE("o.id") " AND :pid = 0 AND (SELECT count(*) FROM "
        "guard_networks x WHERE x.outlet_id = o.id) < :max")
/* Removes network :id of outlet :outlet. */
HUB_SQL(HUB_Q_GUARD_NET_DEL, HUB_SQL_SCOPED,
        "DELETE FROM guard_networks WHERE id = :id AND outlet_id = :outlet "
        "AND " HUB_SCOPE("outlet_id") " AND :pid = 0")

/* --- the demo programme (demo_guard.c) --- */

HUB_SQL(HUB_Q_DEMO_GUARD_REPORT, HUB_SQL_SYSTEM,
        "INSERT INTO guard_reports (id, outlet_id, website_id, created_by, "
        "received_at, started_at, sent_at, host, version, lines, matched, "
        "tracked, banned, events) VALUES (:id, :outlet, :website, :by, :at, "
        ":started_at, :at, :host, :version, :lines, :matched, :tracked, "
        ":banned, :events)")
HUB_SQL(HUB_Q_DEMO_GUARD_EVENT, HUB_SQL_SYSTEM,
        "INSERT OR IGNORE INTO guard_events (id, outlet_id, website_id, "
        "report_id, at, kind, address, rule, hits, first_at, until_at, level) "
        "VALUES (:id, :outlet, :website, :report, :at, :kind, :address, "
        ":rule, :hits, :first, :until, :level)")
HUB_SQL(HUB_Q_DEMO_GUARD_OBS, HUB_SQL_SYSTEM,
        "INSERT INTO observations (outlet_id, subject_type, subject_id, "
        "control_id, status, value, source, note, observed_at, observed_by, "
        "expires_at) VALUES (:outlet, 'website', :website, 'WEB-11', 'pass', "
        "NULL, 'guard', '', :at, NULL, :expires)")
HUB_SQL(HUB_Q_DEMO_GUARD_NET, HUB_SQL_SYSTEM,
        "INSERT OR IGNORE INTO guard_networks (id, outlet_id, prefix, label, "
        "created_at, created_by) VALUES (:id, :outlet, :prefix, :label, :at, "
        ":by)")

/* clang-format on */
