/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sql_incident.h - the statements of incidents and their timelines
 * (incident.c, incident_pages.c, incident_triage.c) and of their demo rows
 * (demo_incidents.c).  Expanded by sql.c and hub_int.h; see the rule in
 * hub_int.h.
 *
 * Every statement on incidents, their subjects and their events carries
 * the caller's scope.  Staff see only the incidents they reported (INC_SELF:
 * :pid is set for staff, and then the reporter must be the caller), and
 * never write after the report.  Trainer-only timeline entries are read
 * and written only when the caller's stored role is trainer or assistant
 * (INC_TRAINERS), so a mistake in a handler cannot show them to a focal
 * point.  A subject is added only if it is a live object of the incident's
 * own outlet that the caller may see: a person, account, device or
 * website of another outlet adds nothing, and the handler answers as for
 * an id that does not exist.
 */

/* Laid out as SQL, not as C: */
/* clang-format off */

#define INC_SELF "(:pid = 0 OR i.reported_by = :uid)"
#define INC_TRAINERS                                                           \
    "EXISTS (SELECT 1 FROM users r WHERE r.id = :uid AND r.role IN "           \
    "('trainer', 'assistant'))"
/* The live incident :id of outlet :outlet, in the caller's scope. */
#define INC_ROW                                                                \
    " WHERE i.id = :id AND i.outlet_id = :outlet AND i.archived_at IS NULL "   \
    "AND " HUB_SCOPE("i.outlet_id")
#define INC_COLS                                                               \
    "SELECT i.id, i.outlet_id, o.name, i.type, i.title_sealed, i.severity, "   \
    "i.status, i.occurred_at, i.reported_at, i.first_response_at, "            \
    "i.contained_at, i.recovered_at, i.closed_at, coalesce(u.email, ''), "     \
    "i.triage_flow, i.triage_path, i.reported_by FROM incidents i "            \
    "JOIN outlets o ON o.id = i.outlet_id LEFT JOIN users u ON "               \
    "u.id = i.reported_by"

/* The incidents of one outlet (:outlet) or of every outlet in scope
 * (:outlet = 0): open and contained ones first, the latest first. */
HUB_SQL(HUB_Q_INC_LIST, HUB_SQL_SCOPED,
        INC_COLS " WHERE " HUB_SCOPE("i.outlet_id") " AND (:outlet = 0 OR "
        "i.outlet_id = :outlet) AND " INC_SELF " AND i.archived_at IS NULL "
        "ORDER BY i.status IN ('open', 'contained') DESC, i.reported_at DESC, "
        "i.id LIMIT :limit")
HUB_SQL(HUB_Q_INC_GET, HUB_SQL_SCOPED, INC_COLS INC_ROW " AND " INC_SELF)
/* A report: into an open outlet of the caller's scope (staff too). */
HUB_SQL(HUB_Q_INC_INSERT, HUB_SQL_SCOPED,
        "INSERT INTO incidents (id, outlet_id, type, title_sealed, severity, "
        "status, occurred_at, reported_at, reported_by, created_at) SELECT "
        ":id, o.id, :type, :title, :severity, 'open', :occurred, :reported, "
        ":uid, :now FROM outlets o WHERE o.id = :outlet AND o.archived_at IS "
        "NULL AND " HUB_SCOPE("o.id"))
HUB_SQL(HUB_Q_INC_UPDATE, HUB_SQL_SCOPED,
        "UPDATE incidents AS i SET type = coalesce(:type, type), "
        "title_sealed = coalesce(:title, title_sealed), "
        "severity = :severity, status = :status, occurred_at = :occurred, "
        "reported_at = :reported, first_response_at = :first_response, "
        "contained_at = :contained, recovered_at = :recovered, "
        "closed_at = :closed" INC_ROW " AND :pid = 0")
/* The first answer of a trainer or an assistant, stamped once. */
HUB_SQL(HUB_Q_INC_FIRST_RESPONSE, HUB_SQL_SCOPED,
        "UPDATE incidents AS i SET first_response_at = :now" INC_ROW
        " AND i.first_response_at IS NULL AND :pid = 0 AND " INC_TRAINERS)
HUB_SQL(HUB_Q_INC_TRIAGE_SET, HUB_SQL_SCOPED,
        "UPDATE incidents AS i SET triage_flow = :flow, triage_path = :path"
        INC_ROW " AND :pid = 0")

/* Subjects: :stype is person, account, device or website. */
#define INC_SUBJECT_LIVE                                                       \
    "((:stype = 'person' AND EXISTS (SELECT 1 FROM people p WHERE "            \
    "p.id = :sid AND p.outlet_id = i.outlet_id AND p.archived_at IS NULL "     \
    "AND " HUB_SELF("p.id") ")) OR (:stype = 'account' AND EXISTS (SELECT 1 "  \
    "FROM accounts a WHERE a.id = :sid AND a.outlet_id = i.outlet_id AND "     \
    "a.archived_at IS NULL AND " HUB_SELF("a.person_id") ")) OR "              \
    "(:stype = 'device' AND EXISTS (SELECT 1 FROM devices d WHERE "            \
    "d.id = :sid AND d.outlet_id = i.outlet_id AND d.archived_at IS NULL "     \
    "AND " HUB_SELF("d.custodian_id") ")) OR (:stype = 'website' AND "         \
    ":pid = 0 AND EXISTS (SELECT 1 FROM websites w WHERE w.id = :sid AND "     \
    "w.outlet_id = i.outlet_id AND w.archived_at IS NULL)))"
HUB_SQL(HUB_Q_INC_SUBJECT_ADD, HUB_SQL_SCOPED,
        "INSERT OR IGNORE INTO incident_subjects (incident_id, subject_type, "
        "subject_id) SELECT i.id, :stype, :sid FROM incidents i" INC_ROW
        " AND " INC_SELF " AND " INC_SUBJECT_LIVE)
HUB_SQL(HUB_Q_INC_SUBJECT_DEL, HUB_SQL_SCOPED,
        "DELETE FROM incident_subjects WHERE subject_type = :stype AND "
        "subject_id = :sid AND incident_id = (SELECT i.id FROM incidents i"
        INC_ROW " AND :pid = 0)")
/* An incident's subjects with what names them: type, id, name (person),
 * platform (account), kind (device) or URL (website), then the handle
 * or the device's tag or system.  Staff see only their own. */
HUB_SQL(HUB_Q_INC_SUBJECTS, HUB_SQL_SCOPED,
        "SELECT s.subject_type, s.subject_id, CASE s.subject_type WHEN "
        "'person' THEN p.name WHEN 'account' THEN a.platform WHEN 'device' "
        "THEN d.kind ELSE w.url END, CASE s.subject_type WHEN 'account' THEN "
        "a.handle WHEN 'device' THEN CASE WHEN d.asset_tag <> '' THEN "
        "d.asset_tag ELSE trim(d.os || ' ' || d.os_version) END ELSE '' END "
        "FROM incident_subjects s JOIN incidents i ON i.id = s.incident_id "
        "LEFT JOIN people p ON s.subject_type = 'person' AND p.id = "
        "s.subject_id AND p.outlet_id = i.outlet_id LEFT JOIN accounts a ON "
        "s.subject_type = 'account' AND a.id = s.subject_id AND "
        "a.outlet_id = i.outlet_id LEFT JOIN devices d ON s.subject_type = "
        "'device' AND d.id = s.subject_id AND d.outlet_id = i.outlet_id "
        "LEFT JOIN websites w ON s.subject_type = 'website' AND w.id = "
        "s.subject_id AND w.outlet_id = i.outlet_id WHERE s.incident_id = :id "
        "AND i.outlet_id = :outlet AND " HUB_SCOPE("i.outlet_id") " AND "
        INC_SELF " AND coalesce(p.id, a.id, d.id, w.id) IS NOT NULL AND "
        "(:pid = 0 OR (s.subject_type = 'person' AND s.subject_id = :pid) OR "
        "(s.subject_type = 'account' AND a.person_id = :pid) OR "
        "(s.subject_type = 'device' AND d.custodian_id = :pid)) "
        "ORDER BY s.subject_type, 3, 4, 2")
/* What a report may name as affected: the outlet's people, accounts,
 * devices and websites the caller sees (type, id, the two naming columns
 * as above, archived). */
HUB_SQL(HUB_Q_INC_OPTIONS, HUB_SQL_SCOPED,
        "SELECT 'person', p.id, p.name, '', p.archived_at IS NOT NULL FROM "
        "people p WHERE p.outlet_id = :outlet AND " HUB_SCOPE("p.outlet_id")
        " AND " HUB_SELF("p.id") " UNION ALL SELECT 'account', a.id, "
        "a.platform, a.handle, a.archived_at IS NOT NULL FROM accounts a "
        "WHERE a.outlet_id = :outlet AND " HUB_SCOPE("a.outlet_id") " AND "
        HUB_SELF("a.person_id") " UNION ALL SELECT 'device', d.id, d.kind, "
        "CASE WHEN d.asset_tag <> '' THEN d.asset_tag ELSE trim(d.os || ' ' || "
        "d.os_version) END, d.archived_at IS NOT NULL FROM devices d WHERE "
        "d.outlet_id = :outlet AND " HUB_SCOPE("d.outlet_id") " AND "
        HUB_SELF("d.custodian_id") " UNION ALL SELECT 'website', w.id, w.url, "
        "'', w.archived_at IS NOT NULL FROM websites w WHERE w.outlet_id = "
        ":outlet AND " HUB_SCOPE("w.outlet_id") " AND :pid = 0 "
        "ORDER BY 1, 3, 4, 2 LIMIT :limit")

/* The timeline.  A sealed text is bound to its row's seq, known before the
 * insert: the next value of the table's AUTOINCREMENT counter, read and
 * used inside one write transaction (the counter, not outlet data). */
HUB_SQL(HUB_Q_INC_EVENT_NEXT, HUB_SQL_SYSTEM,
        "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE "
        "name = 'incident_events'), 0) + 1")
HUB_SQL(HUB_Q_INC_EVENT_ADD, HUB_SQL_SCOPED,
        "INSERT INTO incident_events (seq, incident_id, outlet_id, at, kind, "
        "text_sealed, trainer_only, user_id) SELECT :seq, i.id, i.outlet_id, "
        ":now, :kind, :text, :trainer_only, :uid FROM incidents i" INC_ROW
        " AND :pid = 0 AND (:trainer_only = 0 OR " INC_TRAINERS ")")
HUB_SQL(HUB_Q_INC_EVENTS, HUB_SQL_SCOPED,
        "SELECT e.seq, e.at, e.kind, e.text_sealed, e.trainer_only, "
        "coalesce(u.email, '') FROM incident_events e JOIN incidents i ON "
        "i.id = e.incident_id LEFT JOIN users u ON u.id = e.user_id WHERE "
        "e.incident_id = :id AND i.outlet_id = :outlet AND e.outlet_id = "
        "i.outlet_id AND " HUB_SCOPE("i.outlet_id") " AND " INC_SELF " AND "
        "(e.trainer_only = 0 OR " INC_TRAINERS ") ORDER BY e.at, e.seq")

/* --- the demo programme (demo_incidents.c) --- */

HUB_SQL(HUB_Q_DEMO_INC_OUTLETS, HUB_SQL_SYSTEM,
        "SELECT id, slug FROM outlets WHERE archived_at IS NULL ORDER BY slug")
/* An outlet's register, for choosing what an incident touched: type, id,
 * department, platform or kind, and the person it belongs to. */
HUB_SQL(HUB_Q_DEMO_INC_REGISTER, HUB_SQL_SYSTEM,
        "SELECT 'person', id, department, id FROM people WHERE outlet_id = "
        ":outlet AND archived_at IS NULL UNION ALL SELECT 'account', id, "
        "platform, person_id FROM accounts WHERE outlet_id = :outlet AND "
        "archived_at IS NULL UNION ALL SELECT 'device', id, kind, "
        "custodian_id FROM devices WHERE outlet_id = :outlet AND archived_at "
        "IS NULL UNION ALL SELECT 'website', id, '', NULL FROM websites WHERE "
        "outlet_id = :outlet AND archived_at IS NULL ORDER BY 1, 2")
/* The logins of an outlet: who reports (focal, staff) and who answers
 * (assistants). */
HUB_SQL(HUB_Q_DEMO_INC_USERS, HUB_SQL_SYSTEM,
        "SELECT u.id, u.role FROM users u JOIN user_outlets uo ON "
        "uo.user_id = u.id WHERE uo.outlet_id = :outlet ORDER BY u.role, u.id")
HUB_SQL(HUB_Q_DEMO_INC_INSERT, HUB_SQL_SYSTEM,
        "INSERT INTO incidents (id, outlet_id, type, title_sealed, severity, "
        "status, occurred_at, reported_at, first_response_at, contained_at, "
        "recovered_at, closed_at, reported_by, triage_flow, triage_path, "
        "created_at) VALUES (:id, :outlet, :type, :title, :severity, :status, "
        ":occurred, :reported, :first_response, :contained, :recovered, "
        ":closed, :by, :flow, :path, :reported)")
HUB_SQL(HUB_Q_DEMO_INC_SUBJECT, HUB_SQL_SYSTEM,
        "INSERT OR IGNORE INTO incident_subjects (incident_id, subject_type, "
        "subject_id) VALUES (:incident, :stype, :sid)")
HUB_SQL(HUB_Q_DEMO_INC_EVENT, HUB_SQL_SYSTEM,
        "INSERT INTO incident_events (seq, incident_id, outlet_id, at, kind, "
        "text_sealed, trainer_only, user_id) VALUES (:seq, :incident, "
        ":outlet, :at, :kind, :text, :trainer_only, :by)")

/* clang-format on */
