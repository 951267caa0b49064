/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sql_selection.h - the statements of the selection workflow (selection*.c
 * and demo_selection.c); see sql_core.h for the rules.
 *
 * Calls, applications, scores and conflict declarations belong to the
 * programme, not to an outlet, so these are system statements: the routes'
 * role masks (trainer, selection panel) guard them, and the only anonymous
 * ones are the application insert and the lookup by receipt hash.  Every
 * read of applications leaves out those past purge_after, so an
 * unselected application is gone from every answer the moment its
 * retention ends, before the housekeeping deletes the row.
 */

/* Kept: not yet past its retention. */
#define SEL_KEPT(a) "(" a ".purge_after IS NULL OR " a ".purge_after > :now)"
/* A score that counts: its reviewer declared no conflict on the
 * application. */
#define SEL_COUNTS(s)                                                          \
    "NOT EXISTS (SELECT 1 FROM application_conflicts f WHERE "                 \
    "f.application_id = " s ".application_id AND f.reviewer_id = " s           \
    ".reviewer_id)"

HUB_SQL(HUB_Q_SEL_CALLS, HUB_SQL_SYSTEM,
        "SELECT c.id, c.title, c.seats, c.opens, c.closes, c.status, "
        "c.created_at, c.decided_at, (SELECT count(*) FROM applications a "
        "WHERE a.call_id = c.id AND " SEL_KEPT(
            "a") "), (SELECT count(*) "
                 "FROM applications a WHERE a.call_id = c.id AND a.status = "
                 "'selected') FROM calls c ORDER BY c.created_at DESC, c.id "
                 "LIMIT :limit")
HUB_SQL(
    HUB_Q_SEL_CALL_GET, HUB_SQL_SYSTEM,
    "SELECT c.id, c.title, c.description, c.seats, c.opens, c.closes, "
    "c.retention_days, c.status, c.created_at, c.decided_at, "
    "(SELECT count(*) FROM applications a WHERE a.call_id = c.id AND "
    "" SEL_KEPT("a") "), (SELECT count(*) FROM applications a WHERE "
                     "a.call_id = c.id AND a.status = 'selected') FROM calls c "
                     "WHERE c.id = :id")
HUB_SQL(HUB_Q_SEL_CRITERIA, HUB_SQL_SYSTEM,
        "SELECT name, weight FROM call_criteria WHERE call_id = :call "
        "ORDER BY pos")
HUB_SQL(HUB_Q_SEL_CALL_INSERT, HUB_SQL_SYSTEM,
        "INSERT INTO calls (id, title, description, seats, opens, closes, "
        "retention_days, status, created_by, created_at) VALUES (:id, "
        ":title, :description, :seats, :opens, :closes, :retention, 'open', "
        ":uid, :now)")
HUB_SQL(HUB_Q_SEL_CRITERION_INSERT, HUB_SQL_SYSTEM,
        "INSERT INTO call_criteria (call_id, pos, name, weight) VALUES "
        "(:call, :pos, :name, :weight)")
HUB_SQL(HUB_Q_SEL_CALL_DECIDE, HUB_SQL_SYSTEM,
        "UPDATE calls SET status = 'decided', decided_at = :now WHERE "
        "id = :id AND status <> 'decided'")
/* Closing a call declines what is left and starts its retention clock. */
HUB_SQL(HUB_Q_SEL_DECLINE_REST, HUB_SQL_SYSTEM,
        "UPDATE applications SET status = 'declined', decided_at = :now, "
        "purge_after = :purge WHERE call_id = :call AND status = "
        "'submitted'")

/* Applications. */
HUB_SQL(HUB_Q_SEL_APP_COUNT, HUB_SQL_SYSTEM,
        "SELECT count(*) FROM applications WHERE call_id = :call")
HUB_SQL(HUB_Q_SEL_APP_INSERT, HUB_SQL_SYSTEM,
        "INSERT INTO applications (id, call_id, receipt_hash, outlet_name, "
        "media, region, staff_count, contact_name, contact_email, answers, "
        "status, submitted_at) VALUES (:id, :call, :receipt, :outlet_name, "
        ":media, :region, :staff_count, :contact_name, :contact_email, "
        ":answers, 'submitted', :now)")
#define SEL_APP_COLS                                                           \
    "a.id, a.outlet_name, a.media, a.region, a.staff_count, "                  \
    "a.contact_name, a.contact_email, a.status, a.submitted_at, "              \
    "a.decided_at, a.purge_after, a.outlet_id"
/* The ranked list: score 0..100 from the criteria means (see sel_rank). */
HUB_SQL(
    HUB_Q_SEL_RANKED, HUB_SQL_SYSTEM,
    "SELECT " SEL_APP_COLS ", (SELECT 100.0 * sum(cc.weight * m.mean) / "
    "(10.0 * (SELECT sum(weight) FROM call_criteria WHERE call_id = "
    "a.call_id)) FROM (SELECT s.criterion, avg(s.score) AS mean FROM "
    "application_scores s WHERE s.application_id = a.id AND " SEL_COUNTS(
        "s") " GROUP BY s.criterion) m JOIN call_criteria cc ON cc.call_id = "
             "a.call_id AND cc.name = m.criterion) AS score, (SELECT "
             "count(DISTINCT s.reviewer_id) FROM application_scores s WHERE "
             "s.application_id = a.id AND " SEL_COUNTS(
                 "s") "), (SELECT count(*) FROM application_conflicts f "
                      "WHERE f.application_id = a.id) FROM applications a "
                      "WHERE a.call_id = :call AND " SEL_KEPT(
                          "a") " ORDER BY score IS NULL, score DESC, "
                               "a.submitted_at, a.id LIMIT :limit")
HUB_SQL(HUB_Q_SEL_APP_GET, HUB_SQL_SYSTEM,
        "SELECT " SEL_APP_COLS ", a.answers FROM applications a WHERE "
        "a.id = :id AND a.call_id = :call AND " SEL_KEPT("a"))
/* What an applicant may see with their receipt. */
HUB_SQL(HUB_Q_SEL_RECEIPT, HUB_SQL_SYSTEM,
        "SELECT a.outlet_name, a.status, c.title, a.submitted_at FROM "
        "applications a JOIN calls c ON c.id = a.call_id WHERE "
        "a.receipt_hash = :h AND " SEL_KEPT("a"))
/* Selecting or declining: only an application still under review. */
HUB_SQL(HUB_Q_SEL_APP_DECIDE, HUB_SQL_SYSTEM,
        "UPDATE applications SET status = :status, decided_at = :now, "
        "purge_after = :purge, outlet_id = :outlet WHERE id = :id AND "
        "call_id = :call AND status = 'submitted'")

/* Scores and conflicts of interest. */
HUB_SQL(HUB_Q_SEL_SCORE_PUT, HUB_SQL_SYSTEM,
        "INSERT INTO application_scores (application_id, reviewer_id, "
        "criterion, score, note, scored_at) VALUES (:app, :uid, :criterion, "
        ":score, :note, :now) ON CONFLICT (application_id, reviewer_id, "
        "criterion) DO UPDATE SET score = excluded.score, note = "
        "excluded.note, scored_at = excluded.scored_at")
HUB_SQL(HUB_Q_SEL_SCORES_DROP, HUB_SQL_SYSTEM,
        "DELETE FROM application_scores WHERE application_id = :app AND "
        "reviewer_id = :uid")
HUB_SQL(HUB_Q_SEL_CONFLICT_PUT, HUB_SQL_SYSTEM,
        "INSERT INTO application_conflicts (application_id, reviewer_id, "
        "note, declared_at) VALUES (:app, :uid, :note, :now) ON CONFLICT "
        "(application_id, reviewer_id) DO UPDATE SET note = excluded.note")
HUB_SQL(HUB_Q_SEL_CONFLICT_HAS, HUB_SQL_SYSTEM,
        "SELECT count(*) FROM application_conflicts WHERE application_id = "
        ":app AND reviewer_id = :uid")
/* Per criterion: weight, mean and number of the scores that count. */
HUB_SQL(HUB_Q_SEL_MEANS, HUB_SQL_SYSTEM,
        "SELECT cc.name, cc.weight, avg(s.score), count(s.score) FROM "
        "call_criteria cc LEFT JOIN application_scores s ON "
        "s.application_id = :app AND s.criterion = cc.name AND " SEL_COUNTS(
            "s") " WHERE cc.call_id = :call GROUP BY cc.pos ORDER BY cc.pos")
HUB_SQL(HUB_Q_SEL_MY_SCORES, HUB_SQL_SYSTEM,
        "SELECT criterion, score, note FROM application_scores WHERE "
        "application_id = :app AND reviewer_id = :uid")
/* Every review, for the trainer who decides. */
HUB_SQL(HUB_Q_SEL_REVIEWS, HUB_SQL_SYSTEM,
        "SELECT s.reviewer_id, u.email, s.criterion, s.score, s.note FROM "
        "application_scores s JOIN users u ON u.id = s.reviewer_id WHERE "
        "s.application_id = :app AND " SEL_COUNTS(
            "s") " ORDER BY u.email, s.reviewer_id, s.criterion")
HUB_SQL(HUB_Q_SEL_CONFLICTS, HUB_SQL_SYSTEM,
        "SELECT f.reviewer_id, u.email, f.note, f.declared_at FROM "
        "application_conflicts f JOIN users u ON u.id = f.reviewer_id WHERE "
        "f.application_id = :app ORDER BY f.declared_at, u.email")

/* Throttling of the public form and the receipt check: a fixed window of
 * :window seconds per key ("apply:ADDRESS", "receipt:ADDRESS"); last_fail
 * holds the window's start. */
HUB_SQL(HUB_Q_SEL_RATE_GET, HUB_SQL_SYSTEM,
        "SELECT fails FROM throttle WHERE key = :key AND last_fail > "
        ":now - :window")
HUB_SQL(HUB_Q_SEL_RATE_HIT, HUB_SQL_SYSTEM,
        "INSERT INTO throttle (key, fails, last_fail) VALUES (:key, 1, :now) "
        "ON CONFLICT (key) DO UPDATE SET fails = CASE WHEN last_fail > :now "
        "- :window THEN fails + 1 ELSE 1 END, last_fail = CASE WHEN "
        "last_fail > :now - :window THEN last_fail ELSE :now END")

/* Retention: unselected applications past purge_after go, with their
 * scores and declarations. */
#define SEL_EXPIRED                                                            \
    "SELECT id FROM applications WHERE purge_after <= :now AND status <> "     \
    "'selected'"
HUB_SQL(HUB_Q_SEL_PURGE_SCORES, HUB_SQL_SYSTEM,
        "DELETE FROM application_scores WHERE application_id IN "
        "(" SEL_EXPIRED ")")
HUB_SQL(HUB_Q_SEL_PURGE_CONFLICTS, HUB_SQL_SYSTEM,
        "DELETE FROM application_conflicts WHERE application_id IN "
        "(" SEL_EXPIRED ")")
HUB_SQL(HUB_Q_SEL_PURGE_APPS, HUB_SQL_SYSTEM,
        "DELETE FROM applications WHERE purge_after <= :now AND status <> "
        "'selected'")

/* A selected outlet's focal point: the login, then a one-time link. */
HUB_SQL(HUB_Q_SEL_INVITE_INSERT, HUB_SQL_SYSTEM,
        "INSERT INTO invites (hash, user_id, created_at, expires_at) VALUES "
        "(:h, :user, :now, :expires)")
HUB_SQL(HUB_Q_SEL_INVITE_GET, HUB_SQL_SYSTEM,
        "SELECT i.user_id, u.email FROM invites i JOIN users u ON u.id = "
        "i.user_id WHERE i.hash = :h AND i.used_at IS NULL AND i.expires_at "
        "> :now AND u.disabled = 0 AND u.totp_sealed IS NULL")
HUB_SQL(HUB_Q_SEL_INVITE_USE, HUB_SQL_SYSTEM,
        "UPDATE invites SET used_at = :now WHERE hash = :h AND used_at IS "
        "NULL AND expires_at > :now")
/* Only a login that never enrolled a second factor gets its password from
 * an invitation. */
HUB_SQL(HUB_Q_SEL_USER_SET_PW, HUB_SQL_SYSTEM,
        "UPDATE users SET pw_hash = :pw WHERE id = :id AND totp_sealed IS "
        "NULL AND disabled = 0")

/* The demo generator (demo_selection.c). */
HUB_SQL(HUB_Q_DEMO_SELECTION_OUTLETS, HUB_SQL_SYSTEM,
        "SELECT id, name, media, region, staff_count, slug, created_at FROM "
        "outlets ORDER BY slug")
HUB_SQL(HUB_Q_DEMO_SELECTION_PANEL, HUB_SQL_SYSTEM,
        "SELECT id FROM users WHERE role = 'panel' ORDER BY email LIMIT 1")
HUB_SQL(HUB_Q_DEMO_SELECTION_CALL, HUB_SQL_SYSTEM,
        "INSERT INTO calls (id, title, description, seats, opens, closes, "
        "retention_days, status, created_by, created_at, decided_at) VALUES "
        "(:id, :title, :description, :seats, :opens, :closes, :retention, "
        ":status, :by, :at, :decided)")
HUB_SQL(HUB_Q_DEMO_SELECTION_CRITERION, HUB_SQL_SYSTEM,
        "INSERT INTO call_criteria (call_id, pos, name, weight) VALUES "
        "(:call, :pos, :name, :weight)")
HUB_SQL(HUB_Q_DEMO_SELECTION_APP, HUB_SQL_SYSTEM,
        "INSERT INTO applications (id, call_id, receipt_hash, outlet_name, "
        "media, region, staff_count, contact_name, contact_email, answers, "
        "status, submitted_at, decided_at, purge_after, outlet_id) VALUES "
        "(:id, :call, :receipt, :name, :media, :region, :staff, :contact, "
        ":email, :answers, :status, :at, :decided, :purge, :outlet)")
HUB_SQL(HUB_Q_DEMO_SELECTION_SCORE, HUB_SQL_SYSTEM,
        "INSERT INTO application_scores (application_id, reviewer_id, "
        "criterion, score, note, scored_at) VALUES (:app, :by, :criterion, "
        ":score, :note, :at)")
HUB_SQL(HUB_Q_DEMO_SELECTION_CONFLICT, HUB_SQL_SYSTEM,
        "INSERT INTO application_conflicts (application_id, reviewer_id, "
        "note, declared_at) VALUES (:app, :by, :note, :at)")
