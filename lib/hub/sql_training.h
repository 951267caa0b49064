/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sql_training.h - the statements of the training files (see sql_core.h
 * for the rules).
 *
 * The curriculum (modules) is programme data: system statements, guarded
 * by the routes' role masks.  A session belongs to the outlets it
 * includes: it is visible when one of them is in the caller's scope
 * (TR_VISIBLE), and it may be changed by a trainer, or by an assistant
 * when every outlet it includes is theirs (TR_WRITABLE).  Attendance rows
 * carry the person's outlet; they are read and written only for outlets in
 * scope, and staff read only their own (HUB_SELF).
 */

/* clang-format off */

/* A session one of whose outlets is in the caller's scope. */
#define TR_VISIBLE(sid) \
    "EXISTS (SELECT 1 FROM session_outlets vs WHERE vs.session_id = " sid \
    " AND " HUB_SCOPE("vs.outlet_id") ")"
/* The caller trains (trainer or assistant) and every outlet of the session
 * is theirs. */
#define TR_WRITABLE(sid) \
    "(EXISTS (SELECT 1 FROM users wu WHERE wu.id = :uid " \
    "AND wu.role IN ('trainer', 'assistant')) " \
    "AND NOT EXISTS (SELECT 1 FROM session_outlets ws " \
    "WHERE ws.session_id = " sid " AND NOT " HUB_SCOPE("ws.outlet_id") "))"
/* Sessions that count for progress: not archived. */
#define TR_LIVE_SESSION(col) \
    col " IN (SELECT id FROM training_sessions WHERE archived_at IS NULL)"
#define TR_MODULE_COLS \
    "id, code, title, minutes, audience, controls, summary, archived_at"
#define TR_SESSION_COLS \
    "s.id, s.title, s.held_on, s.days, s.place, s.trainer_id, " \
    "coalesce(u.email, ''), s.archived_at, s.created_at"

/* --- the curriculum --- */

HUB_SQL(HUB_Q_TR_MODULES, HUB_SQL_SYSTEM,
    "SELECT " TR_MODULE_COLS " FROM modules "
    "WHERE (:all = 1 OR archived_at IS NULL) "
    "ORDER BY archived_at IS NOT NULL, code LIMIT :limit")
HUB_SQL(HUB_Q_TR_MODULE, HUB_SQL_SYSTEM,
    "SELECT " TR_MODULE_COLS " FROM modules WHERE id = :id")
HUB_SQL(HUB_Q_TR_MODULE_INSERT, HUB_SQL_SYSTEM,
    "INSERT INTO modules (id, code, title, minutes, audience, controls, "
    "summary, created_at) VALUES (:id, :code, :title, :minutes, :audience, "
    ":controls, :summary, :now)")
/* A standard module is added once: its code decides. */
HUB_SQL(HUB_Q_TR_MODULE_STANDARD, HUB_SQL_SYSTEM,
    "INSERT INTO modules (id, code, title, minutes, audience, controls, "
    "summary, created_at) VALUES (:id, :code, :title, :minutes, :audience, "
    ":controls, :summary, :now) ON CONFLICT (code) DO NOTHING")
HUB_SQL(HUB_Q_TR_MODULE_UPDATE, HUB_SQL_SYSTEM,
    "UPDATE modules SET code = :code, title = :title, minutes = :minutes, "
    "audience = :audience, controls = :controls, summary = :summary "
    "WHERE id = :id AND archived_at IS NULL")
HUB_SQL(HUB_Q_TR_MODULE_ARCHIVE, HUB_SQL_SYSTEM,
    "UPDATE modules SET archived_at = :now "
    "WHERE id = :id AND archived_at IS NULL")

/* The people who may lead a session. */
HUB_SQL(HUB_Q_TR_TRAINERS, HUB_SQL_SYSTEM,
    "SELECT id, email FROM users WHERE role IN ('trainer', 'assistant') "
    "AND disabled = 0 ORDER BY role = 'assistant', email LIMIT 200")
HUB_SQL(HUB_Q_TR_TRAINER_OK, HUB_SQL_SYSTEM,
    "SELECT email FROM users WHERE id = :id "
    "AND role IN ('trainer', 'assistant') AND disabled = 0")

/* --- sessions --- */

/* The sessions the caller sees, with the people of their outlets present
 * (staff: themselves). */
HUB_SQL(HUB_Q_TR_SESSIONS, HUB_SQL_SCOPED,
    "SELECT " TR_SESSION_COLS ", (SELECT count(*) FROM attendance a "
    "WHERE a.session_id = s.id AND a.present = 1 "
    "AND " HUB_SCOPE("a.outlet_id") " AND " HUB_SELF("a.person_id") ") "
    "FROM training_sessions s LEFT JOIN users u ON u.id = s.trainer_id "
    "WHERE " TR_VISIBLE("s.id") " AND (:all = 1 OR s.archived_at IS NULL) "
    "ORDER BY s.held_on DESC, s.id LIMIT :limit")
HUB_SQL(HUB_Q_TR_SESSION, HUB_SQL_SCOPED,
    "SELECT " TR_SESSION_COLS ", " TR_WRITABLE("s.id") " "
    "FROM training_sessions s LEFT JOIN users u ON u.id = s.trainer_id "
    "WHERE s.id = :id AND " TR_VISIBLE("s.id"))
HUB_SQL(HUB_Q_TR_SESSION_OUTLETS, HUB_SQL_SCOPED,
    "SELECT o.id, o.name FROM session_outlets so "
    "JOIN outlets o ON o.id = so.outlet_id WHERE so.session_id = :session "
    "AND " HUB_SCOPE("so.outlet_id") " ORDER BY o.name, o.id")
HUB_SQL(HUB_Q_TR_SESSION_MODULES, HUB_SQL_SCOPED,
    "SELECT m.id, m.code, m.title, m.minutes FROM session_modules sm "
    "JOIN modules m ON m.id = sm.module_id WHERE sm.session_id = :session "
    "AND " TR_VISIBLE(":session") " ORDER BY m.code")
/* A new session: the caller trains, and the first outlet is theirs. */
HUB_SQL(HUB_Q_TR_SESSION_INSERT, HUB_SQL_SCOPED,
    "INSERT INTO training_sessions (id, title, held_on, days, place, "
    "trainer_id, created_at) SELECT :id, :title, :held_on, :days, :place, "
    ":trainer, :now WHERE EXISTS (SELECT 1 FROM users wu WHERE wu.id = :uid "
    "AND wu.role IN ('trainer', 'assistant')) AND " HUB_SCOPE(":outlet"))
HUB_SQL(HUB_Q_TR_SESSION_UPDATE, HUB_SQL_SCOPED,
    "UPDATE training_sessions SET title = :title, held_on = :held_on, "
    "days = :days, place = :place, trainer_id = :trainer "
    "WHERE id = :id AND archived_at IS NULL AND " TR_VISIBLE(":id")
    " AND " TR_WRITABLE(":id"))
HUB_SQL(HUB_Q_TR_SESSION_ARCHIVE, HUB_SQL_SCOPED,
    "UPDATE training_sessions SET archived_at = :now "
    "WHERE id = :id AND archived_at IS NULL AND " TR_VISIBLE(":id")
    " AND " TR_WRITABLE(":id"))
HUB_SQL(HUB_Q_TR_SO_ADD, HUB_SQL_SCOPED,
    "INSERT OR IGNORE INTO session_outlets (session_id, outlet_id) "
    "SELECT s.id, o.id FROM training_sessions s, outlets o "
    "WHERE s.id = :session AND s.archived_at IS NULL AND o.id = :outlet "
    "AND o.archived_at IS NULL AND " HUB_SCOPE("o.id")
    " AND " TR_WRITABLE("s.id"))
/* An outlet whose people have attendance recorded stays in the session. */
HUB_SQL(HUB_Q_TR_SO_DEL, HUB_SQL_SCOPED,
    "DELETE FROM session_outlets WHERE session_id = :session "
    "AND outlet_id = :outlet AND " HUB_SCOPE("outlet_id")
    " AND " TR_WRITABLE(":session") " AND NOT EXISTS (SELECT 1 "
    "FROM attendance a WHERE a.session_id = :session "
    "AND a.outlet_id = :outlet)")
HUB_SQL(HUB_Q_TR_SM_ADD, HUB_SQL_SCOPED,
    "INSERT OR IGNORE INTO session_modules (session_id, module_id) "
    "SELECT s.id, m.id FROM training_sessions s, modules m "
    "WHERE s.id = :session AND s.archived_at IS NULL AND m.id = :module "
    "AND m.archived_at IS NULL AND " TR_VISIBLE("s.id")
    " AND " TR_WRITABLE("s.id"))
HUB_SQL(HUB_Q_TR_SM_DEL, HUB_SQL_SCOPED,
    "DELETE FROM session_modules WHERE session_id = :session "
    "AND module_id = :module AND " TR_VISIBLE(":session")
    " AND " TR_WRITABLE(":session"))

/* --- attendance --- */

/* One row per person of each outlet of the session in scope (staff: only
 * themselves), with what is recorded; archived people only if they have a
 * record. */
HUB_SQL(HUB_Q_TR_SHEET, HUB_SQL_SCOPED,
    "SELECT p.id, p.name, p.department, o.id, o.name, "
    "a.person_id IS NOT NULL, coalesce(a.present, 0), "
    "coalesce(a.minutes, 0), a.pre_score, a.post_score "
    "FROM session_outlets so JOIN outlets o ON o.id = so.outlet_id "
    "JOIN people p ON p.outlet_id = so.outlet_id "
    "LEFT JOIN attendance a ON a.session_id = so.session_id "
    "AND a.person_id = p.id WHERE so.session_id = :session "
    "AND " HUB_SCOPE("so.outlet_id") " AND " HUB_SELF("p.id")
    " AND (p.archived_at IS NULL OR a.person_id IS NOT NULL) "
    "ORDER BY o.name, o.id, p.name, p.id")
/* Records one person: they must be of an outlet of the session, in scope,
 * and the session must be the caller's to change. */
HUB_SQL(HUB_Q_TR_ATTEND_SET, HUB_SQL_SCOPED,
    "INSERT INTO attendance (session_id, person_id, outlet_id, present, "
    "minutes, pre_score, post_score) SELECT so.session_id, p.id, "
    "p.outlet_id, :present, :minutes, :pre, :post FROM people p "
    "JOIN session_outlets so ON so.outlet_id = p.outlet_id "
    "JOIN training_sessions s ON s.id = so.session_id "
    "WHERE so.session_id = :session AND s.archived_at IS NULL "
    "AND p.id = :person AND " HUB_SCOPE("p.outlet_id")
    " AND " TR_WRITABLE("so.session_id") " "
    "ON CONFLICT (session_id, person_id) DO UPDATE SET "
    "present = excluded.present, minutes = excluded.minutes, "
    "pre_score = excluded.pre_score, post_score = excluded.post_score")

/* --- an outlet's progress --- */

/* Each person of the outlet: sessions attended, minutes, the sums of the
 * quiz scores before and after over the sessions with both and their
 * count, and the modules of the sessions attended. */
HUB_SQL(HUB_Q_TR_PROGRESS_PEOPLE, HUB_SQL_SCOPED,
    "SELECT p.id, p.name, p.department, count(a.session_id), "
    "coalesce(sum(a.minutes), 0), "
    "coalesce(sum(CASE WHEN a.post_score IS NOT NULL "
    "THEN a.pre_score END), 0), "
    "coalesce(sum(CASE WHEN a.pre_score IS NOT NULL "
    "THEN a.post_score END), 0), "
    "count(CASE WHEN a.pre_score IS NOT NULL AND a.post_score IS NOT NULL "
    "THEN 1 END), "
    "(SELECT count(DISTINCT sm.module_id) FROM attendance a2 "
    "JOIN session_modules sm ON sm.session_id = a2.session_id "
    "WHERE a2.person_id = p.id AND a2.present = 1 "
    "AND " TR_LIVE_SESSION("a2.session_id") ") "
    "FROM people p LEFT JOIN attendance a ON a.person_id = p.id "
    "AND a.present = 1 AND " TR_LIVE_SESSION("a.session_id")
    " WHERE p.outlet_id = :outlet AND " HUB_SCOPE("p.outlet_id")
    " AND " HUB_SELF("p.id") " AND p.archived_at IS NULL "
    "GROUP BY p.id ORDER BY p.name, p.id")
/* The live modules nobody of the outlet has attended yet. */
HUB_SQL(HUB_Q_TR_PROGRESS_UNCOVERED, HUB_SQL_SCOPED,
    "SELECT m.id, m.code, m.title, m.audience FROM modules m "
    "WHERE m.archived_at IS NULL AND NOT EXISTS (SELECT 1 "
    "FROM session_modules sm JOIN attendance a "
    "ON a.session_id = sm.session_id AND a.present = 1 "
    "WHERE sm.module_id = m.id AND a.outlet_id = :outlet "
    "AND " HUB_SCOPE("a.outlet_id") " AND " TR_LIVE_SESSION("sm.session_id")
    ") ORDER BY m.code")
HUB_SQL(HUB_Q_TR_OUTLET_SESSIONS, HUB_SQL_SCOPED,
    "SELECT s.id, s.title, s.held_on, s.days, (SELECT count(*) "
    "FROM attendance a WHERE a.session_id = s.id "
    "AND a.outlet_id = so.outlet_id AND a.present = 1) "
    "FROM session_outlets so JOIN training_sessions s "
    "ON s.id = so.session_id WHERE so.outlet_id = :outlet "
    "AND " HUB_SCOPE("so.outlet_id") " AND s.archived_at IS NULL "
    "ORDER BY s.held_on DESC, s.id LIMIT :limit")

/* --- the demo programme (system: it runs inside the demo generator) --- */

HUB_SQL(HUB_Q_DEMO_TRAINING_OUTLETS, HUB_SQL_SYSTEM,
    "SELECT id, media FROM outlets WHERE archived_at IS NULL ORDER BY slug")
HUB_SQL(HUB_Q_DEMO_TRAINING_PEOPLE, HUB_SQL_SYSTEM,
    "SELECT id, department FROM people WHERE outlet_id = :outlet "
    "AND archived_at IS NULL ORDER BY id")
HUB_SQL(HUB_Q_DEMO_TRAINING_ASSISTANT, HUB_SQL_SYSTEM,
    "SELECT id FROM users WHERE role = 'assistant' ORDER BY id LIMIT 1")
HUB_SQL(HUB_Q_DEMO_TRAINING_MODULE, HUB_SQL_SYSTEM,
    "INSERT INTO modules (id, code, title, minutes, audience, controls, "
    "summary, created_at) VALUES (:id, :code, :title, :minutes, :audience, "
    ":controls, :summary, :at)")
HUB_SQL(HUB_Q_DEMO_TRAINING_SESSION, HUB_SQL_SYSTEM,
    "INSERT INTO training_sessions (id, title, held_on, days, place, "
    "trainer_id, created_at) VALUES (:id, :title, :held_on, :days, :place, "
    ":trainer, :at)")
HUB_SQL(HUB_Q_DEMO_TRAINING_SESSION_OUTLET, HUB_SQL_SYSTEM,
    "INSERT INTO session_outlets (session_id, outlet_id) "
    "VALUES (:session, :outlet)")
HUB_SQL(HUB_Q_DEMO_TRAINING_SESSION_MODULE, HUB_SQL_SYSTEM,
    "INSERT INTO session_modules (session_id, module_id) "
    "VALUES (:session, :module)")
HUB_SQL(HUB_Q_DEMO_TRAINING_ATTEND, HUB_SQL_SYSTEM,
    "INSERT INTO attendance (session_id, person_id, outlet_id, present, "
    "minutes, pre_score, post_score) VALUES (:session, :person, :outlet, "
    ":present, :minutes, :pre, :post)")
/* clang-format on */
