/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sql_remind.h - the statements of remind.c (see sql_core.h for the rules).
 *
 * Each reminder list is one scoped statement over one outlet (:outlet) or
 * every outlet in the caller's scope (:outlet = 0), oldest first, cut at
 * :limit rows.  The small lists (tasks, licences, incidents) carry their
 * full count in every row (a window count, taken before the cut); the
 * stale observations, which are many, have a count of their own.  Dates
 * are 'YYYY-MM-DD' in UTC (:today, :soon, :renew).
 */

/* clang-format off */
#define RM_OUTLET(col) "(:outlet = 0 OR " col " = :outlet)"
/* Archived outlets remind nobody. */
#define RM_LIVE(col) \
    col " NOT IN (SELECT id FROM outlets WHERE archived_at IS NOT NULL)"

/* Open tasks due before :today. */
HUB_SQL(HUB_Q_RM_TASKS_OVERDUE, HUB_SQL_SCOPED,
    "SELECT t.id, t.outlet_id, o.name, t.title, t.due, count(*) OVER () "
    "FROM tasks t JOIN outlets o ON o.id = t.outlet_id "
    "WHERE " HUB_SCOPE("t.outlet_id") " AND " RM_OUTLET("t.outlet_id")
    " AND " HUB_SELF("t.owner_id") " AND t.status = 'open' "
    "AND t.archived_at IS NULL AND o.archived_at IS NULL "
    "AND t.due <> '' AND t.due < :today "
    "ORDER BY t.due, t.id LIMIT :limit")
/* Open tasks due from :today to :soon. */
HUB_SQL(HUB_Q_RM_TASKS_SOON, HUB_SQL_SCOPED,
    "SELECT t.id, t.outlet_id, o.name, t.title, t.due, count(*) OVER () "
    "FROM tasks t JOIN outlets o ON o.id = t.outlet_id "
    "WHERE " HUB_SCOPE("t.outlet_id") " AND " RM_OUTLET("t.outlet_id")
    " AND " HUB_SELF("t.owner_id") " AND t.status = 'open' "
    "AND t.archived_at IS NULL AND o.archived_at IS NULL "
    "AND t.due >= :today AND t.due <= :soon "
    "ORDER BY t.due, t.id LIMIT :limit")

/* The latest observation of each subject and control whose time is up
 * (expires_at < :now), for subjects still in the register: obs_latest
 * (migration 6) holds the latest of each, kept by triggers, and its index
 * (outlet_id, gone, expires_at, seq) covers both statements: the count is
 * one index range per outlet in scope, the list stops after :limit rows of
 * each (the oldest first). */
#define RM_STALE_WHERE \
    HUB_SCOPE("x.outlet_id") " AND " RM_LIVE("x.outlet_id") \
    " AND " RM_OUTLET("x.outlet_id") " AND x.gone = 0 " \
    "AND x.expires_at < :now AND (:pid = 0 OR " \
    "(x.subject_type = 'person' AND x.subject_id = :pid))"
HUB_SQL(HUB_Q_RM_STALE_COUNT, HUB_SQL_SCOPED,
    "SELECT count(*) FROM obs_latest x WHERE " RM_STALE_WHERE)
HUB_SQL(HUB_Q_RM_STALE, HUB_SQL_SCOPED,
    "SELECT x.seq, x.outlet_id, x.subject_type, x.subject_id, x.control_id, "
    "x.expires_at FROM obs_latest x WHERE " RM_STALE_WHERE
    " ORDER BY x.expires_at, x.seq LIMIT :limit")

/* What a stale observation is about, in words: two parts (a name; a kind
 * and a tag; a platform and a handle; an address). */
HUB_SQL(HUB_Q_RM_SUBJECT, HUB_SQL_SCOPED,
    "SELECT name, '' FROM people WHERE :stype = 'person' AND id = :sid "
    "AND " HUB_SCOPE("outlet_id") " "
    "UNION ALL SELECT kind, CASE WHEN asset_tag <> '' THEN asset_tag "
    "ELSE os END FROM devices WHERE :stype = 'device' AND id = :sid "
    "AND " HUB_SCOPE("outlet_id") " "
    "UNION ALL SELECT platform, handle FROM accounts "
    "WHERE :stype = 'account' AND id = :sid AND " HUB_SCOPE("outlet_id") " "
    "UNION ALL SELECT url, '' FROM websites "
    "WHERE :stype = 'website' AND id = :sid AND " HUB_SCOPE("outlet_id") " "
    "UNION ALL SELECT name, '' FROM outlets "
    "WHERE :stype = 'outlet' AND id = :sid AND " HUB_SCOPE("id"))

/* Licences that lapse by :renew (30 days from today) or have lapsed; staff
 * would see those of their own devices. */
HUB_SQL(HUB_Q_RM_LICENCES, HUB_SQL_SCOPED,
    "SELECT l.id, l.outlet_id, o.name, l.product, l.expires, "
    "count(*) OVER () FROM licences l JOIN outlets o ON o.id = l.outlet_id "
    "WHERE " HUB_SCOPE("l.outlet_id") " AND " RM_OUTLET("l.outlet_id")
    " AND (:pid = 0 OR l.device_id IN (SELECT d.id FROM devices d "
    "WHERE d.custodian_id = :pid)) "
    "AND l.archived_at IS NULL AND o.archived_at IS NULL "
    "AND l.expires <> '' AND l.expires <= :renew "
    "ORDER BY l.expires, l.id LIMIT :limit")
/* Incidents not recovered (nor closed); staff would see their own. */
HUB_SQL(HUB_Q_RM_INCIDENTS, HUB_SQL_SCOPED,
    "SELECT i.id, i.outlet_id, o.name, i.type, i.status, i.reported_at, "
    "count(*) OVER () FROM incidents i JOIN outlets o ON o.id = i.outlet_id "
    "WHERE " HUB_SCOPE("i.outlet_id") " AND " RM_OUTLET("i.outlet_id")
    " AND (:pid = 0 OR i.reported_by = :uid) "
    "AND i.recovered_at IS NULL AND i.closed_at IS NULL "
    "AND i.status NOT IN ('recovered', 'closed') "
    "AND i.archived_at IS NULL AND o.archived_at IS NULL "
    "ORDER BY i.reported_at, i.id LIMIT :limit")

/* --- the daily e-mail --- */

HUB_SQL(HUB_Q_RM_USERS, HUB_SQL_SYSTEM,
    "SELECT id, email, role, lang, coalesce(person_id, 0) FROM users "
    "WHERE role IN ('trainer', 'assistant', 'focal') AND disabled = 0 "
    "ORDER BY id")
/* Today's e-mail went out: the row (mail, 0, user, day). */
HUB_SQL(HUB_Q_RM_MAILED, HUB_SQL_SYSTEM,
    "SELECT 1 FROM reminders_sent WHERE kind = 'mail' AND object_id = 0 "
    "AND user_id = :user AND day = :day")
HUB_SQL(HUB_Q_RM_SENT_ADD, HUB_SQL_SYSTEM,
    "INSERT OR IGNORE INTO reminders_sent (kind, object_id, user_id, day, "
    "sent_at) VALUES (:kind, :object, :user, :day, :now)")
HUB_SQL(HUB_Q_RM_TASK_REMINDED, HUB_SQL_SCOPED,
    "UPDATE tasks SET reminded_at = :now WHERE id = :id "
    "AND " HUB_SCOPE("outlet_id"))
/* clang-format on */
