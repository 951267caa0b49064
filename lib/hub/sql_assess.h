/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sql_assess.h - the statements of the assessments, the risk matrix,
 * findings and the action plan (assess*.c, demo_assess.c); see sql_core.h
 * for the rules.
 *
 * Every statement on an outlet's rows names the outlet (:outlet) and
 * carries the caller's scope, so an id of another outlet finds nothing;
 * the writes take their outlet from :outlet inside the scope and check
 * that every reference (assessment, subject, person, finding) belongs to
 * the same outlet in the same statement.  None of this is for staff: the
 * statements ask :pid = 0.
 */

#define ASMT_OUTLET(col) col " = :outlet AND " HUB_SCOPE(col) " AND :pid = 0"

/* --- assessments --- */

HUB_SQL(HUB_Q_ASMT_LIST, HUB_SQL_SCOPED,
        "SELECT a.id, a.kind, a.held_on, coalesce(a.assessor_id, 0), "
        "coalesce(u.email, ''), a.status, a.created_at, "
        "coalesce(a.closed_at, 0) FROM assessments a LEFT JOIN users u ON "
        "u.id = a.assessor_id WHERE " ASMT_OUTLET(
            "a.outlet_id") " AND a.archived_at IS NULL ORDER BY a.held_on "
                           "DESC, a.created_at DESC LIMIT 500")
HUB_SQL(HUB_Q_ASMT_GET, HUB_SQL_SCOPED,
        "SELECT a.id, a.kind, a.held_on, coalesce(a.assessor_id, 0), "
        "coalesce(u.email, ''), a.status, a.created_at, "
        "coalesce(a.closed_at, 0), a.summary_sealed FROM assessments a "
        "LEFT JOIN users u ON u.id = a.assessor_id WHERE a.id = :id AND "
        "a.archived_at IS NULL AND " ASMT_OUTLET("a.outlet_id"))
HUB_SQL(HUB_Q_ASMT_INSERT, HUB_SQL_SCOPED,
        "INSERT INTO assessments (id, outlet_id, kind, held_on, assessor_id, "
        "status, created_at) SELECT :id, o.id, :kind, :held_on, :uid, "
        "'open', :now FROM outlets o WHERE o.id = :outlet AND " HUB_SCOPE(
            "o.id") " AND :pid = 0")
HUB_SQL(HUB_Q_ASMT_CLOSE, HUB_SQL_SCOPED,
        "UPDATE assessments SET status = 'closed', closed_at = :now, "
        "summary_sealed = :summary WHERE id = :id AND status = 'open' "
        "AND archived_at IS NULL AND " ASMT_OUTLET("outlet_id"))
/* The subjects of an outlet an assessment looks at, alive or archived
 * (the caller picks those alive at its time): type, id, kind (device
 * kind or account platform), two labels, created, archived. */
#define SUBJ_OUTLET(F)                                                         \
    "SELECT 1, 'outlet', o.id, '', o.name, '', o.created_at, "                 \
    "coalesce(o.archived_at, 0) FROM outlets o WHERE " F("o.id")
#define SUBJ_PEOPLE(F)                                                         \
    "SELECT 2, 'person', p.id, p.department, p.name, p.job_title, "            \
    "p.created_at, coalesce(p.archived_at, 0) FROM people p "                  \
    "WHERE " F("p.outlet_id")
#define SUBJ_ACCOUNTS(F)                                                       \
    "SELECT 3, 'account', a.id, a.platform, a.handle, coalesce((SELECT "       \
    "name FROM people WHERE id = a.person_id), ''), a.created_at, "            \
    "coalesce(a.archived_at, 0) FROM accounts a "                              \
    "WHERE " F("a.outlet_id")
#define SUBJ_DEVICES(F)                                                        \
    "SELECT 4, 'device', d.id, d.kind, trim(d.os || ' ' || d.os_version || "   \
    "' ' || d.asset_tag), coalesce((SELECT name FROM people WHERE id = "       \
    "d.custodian_id), ''), d.created_at, coalesce(d.archived_at, 0) "          \
    "FROM devices d WHERE " F("d.outlet_id")
#define SUBJ_WEBSITES(F)                                                       \
    "SELECT 5, 'website', w.id, '', w.url, w.cms, w.created_at, "              \
    "coalesce(w.archived_at, 0) FROM websites w "                              \
    "WHERE " F("w.outlet_id")
HUB_SQL(
    HUB_Q_ASMT_SUBJECTS, HUB_SQL_SCOPED,
    SUBJ_OUTLET(ASMT_OUTLET) " UNION ALL " SUBJ_PEOPLE(
        ASMT_OUTLET) " UNION ALL " SUBJ_ACCOUNTS(ASMT_OUTLET) " UNION "
                                                              "ALL"
                                                              " " SUBJ_DEVICES(ASMT_OUTLET) " UNION ALL " SUBJ_WEBSITES(
                                                                  ASMT_OUTLET) " ORDER BY 1, 5, 3")
/* An assessment's results: its observations in the order they were
 * made (a later one of the same subject and control replaces an earlier
 * one). */
HUB_SQL(HUB_Q_ASMT_RESULTS, HUB_SQL_SCOPED,
        "SELECT o.subject_type, o.subject_id, o.control_id, o.status, "
        "o.note, o.observed_at, coalesce(u.email, '') FROM observations o "
        "LEFT JOIN users u ON u.id = o.observed_by WHERE o.assessment_id = "
        ":id AND " ASMT_OUTLET("o.outlet_id") " ORDER BY o.seq")
/* One result: the subject must be an object of the assessment's outlet
 * that is not archived, the assessment open. */
HUB_SQL(
    HUB_Q_ASMT_RESULT_INSERT, HUB_SQL_SCOPED,
    "INSERT INTO observations (outlet_id, subject_type, subject_id, "
    "control_id, status, value, source, note, observed_at, observed_by, "
    "expires_at, assessment_id) SELECT a.outlet_id, :stype, :sid, :control, "
    ":status, NULL, 'manual', :note, :now, :uid, :expires, a.id FROM "
    "assessments a WHERE a.id = :assessment AND a.status = 'open' AND "
    "a.archived_at IS NULL AND " ASMT_OUTLET(
        "a.outlet_id") " AND EXISTS (SELECT 1 FROM controls WHERE id = "
                       ":control) AND a.outlet_id IN ("
                       "SELECT outlet_id FROM people WHERE :stype = 'person' "
                       "AND id = :sid AND archived_at IS NULL UNION ALL "
                       "SELECT outlet_id FROM devices WHERE :stype = 'device' "
                       "AND id = :sid AND archived_at IS NULL UNION ALL "
                       "SELECT outlet_id FROM accounts WHERE :stype = "
                       "'account' AND id = :sid AND archived_at IS NULL "
                       "UNION ALL SELECT outlet_id FROM websites WHERE :stype "
                       "= 'website' AND id = :sid AND archived_at IS NULL "
                       "UNION ALL SELECT id FROM outlets WHERE :stype = "
                       "'outlet' AND id = :sid)")

/* --- findings --- */

#define FINDING_COLS                                                           \
    "f.id, coalesce(f.assessment_id, 0), f.title_sealed, f.controls, "         \
    "f.likelihood, f.impact, f.status, f.created_at, "                         \
    "coalesce(f.resolved_at, 0), (SELECT count(*) FROM tasks t WHERE "         \
    "t.finding_id = f.id AND t.archived_at IS NULL), (SELECT count(*) FROM "   \
    "tasks t WHERE t.finding_id = f.id AND t.archived_at IS NULL AND "         \
    "t.status = 'done')"
HUB_SQL(HUB_Q_ASMT_FINDINGS, HUB_SQL_SCOPED,
        "SELECT " FINDING_COLS " FROM findings f WHERE " ASMT_OUTLET(
            "f.outlet_id") " AND f.archived_at IS NULL ORDER BY f.status = "
                           "'open' DESC, f.likelihood * f.impact DESC, "
                           "f.created_at LIMIT 500")
HUB_SQL(HUB_Q_ASMT_FINDING_GET, HUB_SQL_SCOPED,
        "SELECT " FINDING_COLS " FROM findings f WHERE f.id = :id AND "
        "f.archived_at IS NULL AND " ASMT_OUTLET("f.outlet_id"))
/* A new finding; from an assessment (:assessment not 0), only if that
 * assessment is the outlet's and no finding of it names the same controls
 * yet, so turning fails into findings twice adds nothing. */
HUB_SQL(
    HUB_Q_ASMT_FINDING_INSERT, HUB_SQL_SCOPED,
    "INSERT INTO findings (id, outlet_id, assessment_id, title_sealed, "
    "controls, likelihood, impact, status, created_at) SELECT :id, o.id, "
    "nullif(:assessment, 0), :title, :controls, :likelihood, :impact, "
    "'open', :now FROM outlets o WHERE o.id = :outlet AND " HUB_SCOPE(
        "o.id") " AND :pid = 0 AND (:assessment = 0 OR (EXISTS (SELECT 1 "
                "FROM assessments a WHERE a.id = :assessment AND a.outlet_id "
                "= o.id AND a.archived_at IS NULL) AND NOT EXISTS (SELECT 1 "
                "FROM findings f WHERE f.assessment_id = :assessment AND "
                "f.controls = :controls)))")
HUB_SQL(HUB_Q_ASMT_FINDING_UPDATE, HUB_SQL_SCOPED,
        "UPDATE findings SET title_sealed = :title, controls = :controls, "
        "likelihood = :likelihood, impact = :impact, resolved_at = CASE "
        "WHEN :status = 'open' THEN NULL WHEN status = :status THEN "
        "resolved_at ELSE :now END, status = :status WHERE id = :id AND "
        "archived_at IS NULL AND " ASMT_OUTLET("outlet_id"))

/* --- the risk matrix --- */

#define RISK_COLS                                                              \
    "r.id, r.adversary, r.capability, r.likelihood, r.impact, "                \
    "r.work_sealed, r.notes_sealed, r.created_at"
HUB_SQL(HUB_Q_ASMT_RISKS, HUB_SQL_SCOPED,
        "SELECT " RISK_COLS " FROM risks r WHERE " ASMT_OUTLET(
            "r.outlet_id") " AND r.archived_at IS NULL ORDER BY r.likelihood "
                           "* r.impact DESC, r.capability DESC, r.created_at "
                           "LIMIT 500")
HUB_SQL(HUB_Q_ASMT_RISK_GET, HUB_SQL_SCOPED,
        "SELECT " RISK_COLS " FROM risks r WHERE r.id = :id AND "
        "r.archived_at IS NULL AND " ASMT_OUTLET("r.outlet_id"))
HUB_SQL(HUB_Q_ASMT_RISK_INSERT, HUB_SQL_SCOPED,
        "INSERT INTO risks (id, outlet_id, adversary, capability, "
        "likelihood, impact, work_sealed, notes_sealed, created_at) SELECT "
        ":id, o.id, :adversary, :capability, :likelihood, :impact, :work, "
        ":notes, :now FROM outlets o WHERE o.id = :outlet AND " HUB_SCOPE(
            "o.id") " AND :pid = 0")
HUB_SQL(HUB_Q_ASMT_RISK_UPDATE, HUB_SQL_SCOPED,
        "UPDATE risks SET adversary = :adversary, capability = :capability, "
        "likelihood = :likelihood, impact = :impact, work_sealed = :work, "
        "notes_sealed = :notes WHERE id = :id AND archived_at IS NULL AND "
        "" ASMT_OUTLET("outlet_id"))
HUB_SQL(HUB_Q_ASMT_RISK_ARCHIVE, HUB_SQL_SCOPED,
        "UPDATE risks SET archived_at = :now WHERE id = :id AND archived_at "
        "IS NULL AND " ASMT_OUTLET("outlet_id"))

/* --- the action plan --- */

/* Overdue (open, due before :today) first, then open by due date, then
 * done. */
#define TASK_COLS                                                              \
    "t.id, coalesce(t.finding_id, 0), t.title, coalesce(t.owner_id, 0), "      \
    "coalesce(p.name, ''), t.due, t.status, t.created_at, "                    \
    "coalesce(t.done_at, 0), t.status = 'open' AND t.due <> '' AND t.due < "   \
    ":today"
#define TASK_ORDER                                                             \
    " ORDER BY t.status = 'open' AND t.due <> '' AND t.due < :today DESC, "    \
    "t.status = 'done', t.due = '', t.due, t.created_at"
HUB_SQL(HUB_Q_ASMT_TASKS, HUB_SQL_SCOPED,
        "SELECT " TASK_COLS " FROM tasks t LEFT JOIN people p ON p.id = "
        "t.owner_id WHERE " ASMT_OUTLET(
            "t.outlet_id") " AND t.archived_at IS NULL AND (:finding = 0 OR "
                           "t.finding_id = :finding)" TASK_ORDER " LIMIT 500")
HUB_SQL(
    HUB_Q_ASMT_TASK_GET, HUB_SQL_SCOPED,
    "SELECT " TASK_COLS " FROM tasks t LEFT JOIN people p ON p.id = "
    "t.owner_id WHERE t.id = :id AND t.archived_at IS NULL AND " ASMT_OUTLET(
        "t.outlet_id"))
/* The owner must be a person of the outlet, the finding one of its
 * findings (0: none). */
HUB_SQL(
    HUB_Q_ASMT_TASK_INSERT, HUB_SQL_SCOPED,
    "INSERT INTO tasks (id, outlet_id, finding_id, title, owner_id, due, "
    "status, created_at, done_at) SELECT :id, o.id, nullif(:finding, 0), "
    ":title, nullif(:owner, 0), :due, :status, :now, CASE WHEN :status = "
    "'done' THEN :now END FROM outlets o WHERE o.id = :outlet AND " HUB_SCOPE(
        "o.id") " AND :pid = 0 AND (:owner = 0 OR EXISTS (SELECT 1 FROM "
                "people p WHERE p.id = :owner AND p.outlet_id = o.id AND "
                "p.archived_at IS NULL)) AND (:finding = 0 OR EXISTS "
                "(SELECT 1 FROM findings f WHERE f.id = :finding AND "
                "f.outlet_id = o.id AND f.archived_at IS NULL))")
HUB_SQL(HUB_Q_ASMT_TASK_UPDATE, HUB_SQL_SCOPED,
        "UPDATE tasks SET title = :title, owner_id = nullif(:owner, 0), due = "
        ":due, done_at = CASE WHEN :status = 'open' THEN NULL WHEN status = "
        ":status THEN done_at ELSE :now END, status = :status WHERE id = :id "
        "AND archived_at IS NULL AND " ASMT_OUTLET(
            "outlet_id") " AND (:owner = 0 OR EXISTS (SELECT 1 FROM people p "
                         "WHERE p.id = :owner AND p.outlet_id = "
                         "tasks.outlet_id AND (p.archived_at IS NULL OR p.id "
                         "= tasks.owner_id)))")
/* The people a task may be given to. */
HUB_SQL(HUB_Q_ASMT_PEOPLE, HUB_SQL_SCOPED,
        "SELECT p.id, p.name FROM people p WHERE " ASMT_OUTLET(
            "p.outlet_id") " AND p.archived_at IS NULL ORDER BY p.name, p.id "
                           "LIMIT 2000")

/* --- the demo programme (demo_assess.c) --- */

HUB_SQL(HUB_Q_DEMO_ASMT_OUTLETS, HUB_SQL_SYSTEM,
        "SELECT id FROM outlets WHERE archived_at IS NULL ORDER BY "
        "created_at, id")
HUB_SQL(HUB_Q_DEMO_ASMT_PEOPLE, HUB_SQL_SYSTEM,
        "SELECT id FROM people WHERE outlet_id = :outlet AND archived_at IS "
        "NULL ORDER BY created_at, id")
/* The latest observation of each baseline control on each subject of an
 * outlet at :t, to agree with the demo's own observations. */
#define DEMO_OUTLET(col) col " = :outlet"
HUB_SQL(
    HUB_Q_DEMO_ASMT_SUBJECTS, HUB_SQL_SYSTEM,
    SUBJ_OUTLET(DEMO_OUTLET) " UNION ALL " SUBJ_PEOPLE(
        DEMO_OUTLET) " UNION ALL " SUBJ_ACCOUNTS(DEMO_OUTLET) " UNION "
                                                              "ALL"
                                                              " " SUBJ_DEVICES(DEMO_OUTLET) " UNION ALL " SUBJ_WEBSITES(
                                                                  DEMO_OUTLET) " ORDER BY 1, 5, 3")
HUB_SQL(HUB_Q_DEMO_ASMT_LATEST, HUB_SQL_SYSTEM,
        "SELECT o.subject_type, o.subject_id, o.control_id, o.status FROM "
        "observations o WHERE o.outlet_id = :outlet AND o.observed_at <= :t "
        "AND o.assessment_id IS NULL AND o.seq = (SELECT o2.seq FROM "
        "observations o2 WHERE o2.subject_type = o.subject_type AND "
        "o2.subject_id = o.subject_id AND o2.control_id = o.control_id AND "
        "o2.observed_at <= :t ORDER BY o2.observed_at DESC, o2.seq DESC LIMIT "
        "1)")
HUB_SQL(HUB_Q_DEMO_ASMT_INSERT, HUB_SQL_SYSTEM,
        "INSERT INTO assessments (id, outlet_id, kind, held_on, assessor_id, "
        "status, summary_sealed, created_at, closed_at) VALUES (:id, "
        ":outlet, :kind, :held_on, :assessor, :status, :summary, :now, "
        "nullif(:closed, 0))")
HUB_SQL(HUB_Q_DEMO_ASMT_RESULT, HUB_SQL_SYSTEM,
        "INSERT INTO observations (outlet_id, subject_type, subject_id, "
        "control_id, status, source, note, observed_at, observed_by, "
        "expires_at, assessment_id) VALUES (:outlet, :stype, :sid, :control, "
        ":status, 'manual', :note, :at, :assessor, :expires, :assessment)")
HUB_SQL(HUB_Q_DEMO_ASMT_RISK, HUB_SQL_SYSTEM,
        "INSERT INTO risks (id, outlet_id, assessment_id, adversary, "
        "capability, likelihood, impact, work_sealed, notes_sealed, "
        "created_at) VALUES (:id, :outlet, :assessment, :adversary, "
        ":capability, :likelihood, :impact, :work, :notes, :now)")
HUB_SQL(HUB_Q_DEMO_ASMT_FINDING, HUB_SQL_SYSTEM,
        "INSERT INTO findings (id, outlet_id, assessment_id, title_sealed, "
        "controls, likelihood, impact, status, created_at, resolved_at) "
        "VALUES (:id, :outlet, :assessment, :title, :controls, :likelihood, "
        ":impact, :status, :now, nullif(:resolved, 0))")
HUB_SQL(HUB_Q_DEMO_ASMT_TASK, HUB_SQL_SYSTEM,
        "INSERT INTO tasks (id, outlet_id, finding_id, title, owner_id, due, "
        "status, created_at, done_at) VALUES (:id, :outlet, :finding, "
        ":title, nullif(:owner, 0), :due, :status, :now, nullif(:done, 0))")
