/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sql_core.h - statements of the hub's core: catalogue, users, sessions,
 * tokens, throttling, audit, outlets, observations and the coverage
 * queries.  Expanded by sql.c and hub_int.h; see the rule in hub_int.h.
 *
 * "As of" queries take :t and pick the latest observation at or before it;
 * the obs_subject index (subject_type, subject_id, control_id,
 * observed_at) makes each such pick one index probe.
 */

/* Rows alive at :t. */
#define ALIVE "created_at <= :t AND (archived_at IS NULL OR archived_at > :t)"
/* The latest 2FA method recorded for account a.id at :t. */
#define TFA_AT                                                                 \
    "(SELECT o.value FROM observations o WHERE o.subject_type = 'account' "    \
    "AND o.subject_id = a.id AND o.value IS NOT NULL AND o.observed_at <= :t " \
    "ORDER BY o.observed_at DESC, o.seq DESC LIMIT 1)"
#define DEV_AT(ctl)                                                            \
    "(SELECT o.status FROM observations o WHERE o.subject_type = 'device' "    \
    "AND o.subject_id = d.id AND o.control_id = '" ctl "' "                    \
    "AND o.observed_at <= :t ORDER BY o.observed_at DESC, o.seq DESC LIMIT 1)"
/* A staff member sees only subjects of their own (:pid). */
#define SELF_SUBJECT                                                           \
    "(:pid = 0 OR (:stype = 'person' AND :sid = :pid) OR "                     \
    "(:stype = 'account' AND :sid IN (SELECT id FROM accounts WHERE "          \
    "person_id = :pid)) OR (:stype = 'device' AND :sid IN (SELECT id FROM "    \
    "devices WHERE custodian_id = :pid)))"
/* Outlet filter: :outlet = 0 means every outlet the caller may see. */
#define ONE_OUTLET(col) "(:outlet = 0 OR " col " = :outlet)"

HUB_SQL(HUB_Q_CONTROL_UPSERT, HUB_SQL_SYSTEM,
        "INSERT INTO controls (id, area, level, applies, source, weight, "
        "stale_days) VALUES (:id, :area, :level, :applies, :source, :weight, "
        ":stale) ON CONFLICT (id) DO UPDATE SET area = excluded.area, "
        "level = excluded.level, applies = excluded.applies, "
        "source = excluded.source, weight = excluded.weight, "
        "stale_days = excluded.stale_days")
HUB_SQL(HUB_Q_DATA_VERSION, HUB_SQL_SYSTEM, "PRAGMA data_version")
HUB_SQL(HUB_Q_SETTING_GET, HUB_SQL_SYSTEM,
        "SELECT value FROM settings WHERE key = :key")
HUB_SQL(HUB_Q_SETTING_SET, HUB_SQL_SYSTEM,
        "INSERT INTO settings (key, value) VALUES (:key, :value) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value")

/* Users and logins. */
HUB_SQL(HUB_Q_USER_BY_EMAIL, HUB_SQL_SYSTEM,
        "SELECT id, role, pw_hash, totp_sealed IS NOT NULL, disabled "
        "FROM users WHERE email = :email")
HUB_SQL(HUB_Q_USER_BY_ID, HUB_SQL_SYSTEM,
        "SELECT id, role, email, lang, person_id, totp_sealed, totp_pending, "
        "totp_last_step, disabled FROM users WHERE id = :id")
HUB_SQL(HUB_Q_USER_INSERT, HUB_SQL_SYSTEM,
        "INSERT INTO users (id, email, role, pw_hash, totp_sealed, "
        "person_id, created_at) VALUES (:id, :email, :role, :pw, :totp, "
        ":person, :now)")
/* A new login of an outlet is linked to the person of that outlet with the
 * same e-mail address, if there is one (their checklist is then theirs). */
HUB_SQL(HUB_Q_USER_LINK_PERSON, HUB_SQL_SYSTEM,
        "UPDATE users SET person_id = (SELECT p.id FROM people p WHERE "
        "p.outlet_id = :outlet AND p.email = :email COLLATE NOCASE AND "
        "p.archived_at IS NULL ORDER BY p.created_at LIMIT 1) WHERE id = :id")
HUB_SQL(HUB_Q_USER_OUTLET_ADD, HUB_SQL_SYSTEM,
        "INSERT OR IGNORE INTO user_outlets (user_id, outlet_id) "
        "VALUES (:user, :outlet)")
HUB_SQL(HUB_Q_USER_FIRST_OUTLET, HUB_SQL_SYSTEM,
        "SELECT outlet_id FROM user_outlets WHERE user_id = :user "
        "ORDER BY outlet_id LIMIT 1")
HUB_SQL(HUB_Q_USER_SET_TOTP, HUB_SQL_SYSTEM,
        "UPDATE users SET totp_sealed = :sealed, totp_pending = NULL, "
        "totp_last_step = :step WHERE id = :id")
HUB_SQL(HUB_Q_USER_SET_PENDING, HUB_SQL_SYSTEM,
        "UPDATE users SET totp_pending = :sealed WHERE id = :id")
/* Replay protection: a step is accepted once, and only a later one after. */
HUB_SQL(HUB_Q_USER_SET_STEP, HUB_SQL_SYSTEM,
        "UPDATE users SET totp_last_step = :step, last_login = :now "
        "WHERE id = :id AND totp_last_step < :step")
HUB_SQL(HUB_Q_USER_SET_LANG, HUB_SQL_SYSTEM,
        "UPDATE users SET lang = :lang WHERE id = :id")
HUB_SQL(HUB_Q_OUTLET_ID_BY_SLUG, HUB_SQL_SYSTEM,
        "SELECT id FROM outlets WHERE slug = :slug")
HUB_SQL(HUB_Q_RECOVERY_ADD, HUB_SQL_SYSTEM,
        "INSERT INTO recovery_codes (user_id, code_hash) VALUES (:user, :h)")
HUB_SQL(HUB_Q_RECOVERY_CLEAR, HUB_SQL_SYSTEM,
        "DELETE FROM recovery_codes WHERE user_id = :user")
HUB_SQL(HUB_Q_RECOVERY_USE, HUB_SQL_SYSTEM,
        "UPDATE recovery_codes SET used_at = :now WHERE user_id = :user "
        "AND code_hash = :h AND used_at IS NULL")
HUB_SQL(HUB_Q_RECOVERY_LEFT, HUB_SQL_SYSTEM,
        "SELECT count(*) FROM recovery_codes WHERE user_id = :user "
        "AND used_at IS NULL")

/* Sessions: the cookie holds a random id, the table only its hash. */
HUB_SQL(HUB_Q_SESSION_INSERT, HUB_SQL_SYSTEM,
        "INSERT INTO sessions (id_hash, user_id, stage, csrf, created_at, "
        "seen_at) VALUES (:h, :user, :stage, :csrf, :now, :now)")
HUB_SQL(HUB_Q_SESSION_GET, HUB_SQL_SYSTEM,
        "SELECT s.user_id, s.stage, s.csrf, s.created_at, s.seen_at, u.role, "
        "u.email, u.lang, u.person_id, u.disabled FROM sessions s "
        "JOIN users u ON u.id = s.user_id WHERE s.id_hash = :h")
/* At most one write a minute per session: reads stay reads. */
HUB_SQL(HUB_Q_SESSION_TOUCH, HUB_SQL_SYSTEM,
        "UPDATE sessions SET seen_at = :now WHERE id_hash = :h "
        "AND seen_at < :now - 60")
HUB_SQL(HUB_Q_SESSION_DELETE, HUB_SQL_SYSTEM,
        "DELETE FROM sessions WHERE id_hash = :h")
HUB_SQL(HUB_Q_SESSION_PURGE, HUB_SQL_SYSTEM,
        "DELETE FROM sessions WHERE seen_at < :idle OR created_at < :old")

/* Bearer tokens: only the hash is stored. */
HUB_SQL(HUB_Q_TOKEN_INSERT, HUB_SQL_SYSTEM,
        "INSERT INTO tokens (hash, user_id, device_id, created_at) "
        "VALUES (:h, :user, :device, :now)")
HUB_SQL(HUB_Q_TOKEN_GET, HUB_SQL_SYSTEM,
        "SELECT t.user_id, t.device_id, u.role, u.email, u.lang, u.person_id, "
        "u.disabled FROM tokens t JOIN users u ON u.id = t.user_id "
        "WHERE t.hash = :h AND t.revoked_at IS NULL")
HUB_SQL(HUB_Q_TOKEN_TOUCH, HUB_SQL_SYSTEM,
        "UPDATE tokens SET last_used = :now WHERE hash = :h "
        "AND (last_used IS NULL OR last_used < :now - 60)")
HUB_SQL(HUB_Q_DEVICE_OUTLET, HUB_SQL_SYSTEM,
        "SELECT outlet_id FROM devices WHERE id = :id")

/* Login throttling, keyed by account+address, address, account. */
HUB_SQL(HUB_Q_THROTTLE_GET, HUB_SQL_SYSTEM,
        "SELECT fails, last_fail FROM throttle WHERE key = :key")
HUB_SQL(HUB_Q_THROTTLE_FAIL, HUB_SQL_SYSTEM,
        "INSERT INTO throttle (key, fails, last_fail) VALUES (:key, 1, :now) "
        "ON CONFLICT (key) DO UPDATE SET fails = fails + 1, "
        "last_fail = :now")
HUB_SQL(HUB_Q_THROTTLE_CLEAR, HUB_SQL_SYSTEM,
        "DELETE FROM throttle WHERE key = :key")

HUB_SQL(HUB_Q_AUDIT_INSERT, HUB_SQL_SYSTEM,
        "INSERT INTO audit (at, user_id, outlet_id, action, object, detail) "
        "VALUES (:now, :user, :outlet, :action, :object, :detail)")
HUB_SQL(HUB_Q_AUDIT_LIST, HUB_SQL_SCOPED,
        "SELECT a.at, u.email, o.name, a.action, a.object, a.detail "
        "FROM audit a LEFT JOIN users u ON u.id = a.user_id "
        "JOIN outlets o ON o.id = a.outlet_id "
        "WHERE " HUB_SCOPE("a.outlet_id") " AND " ONE_OUTLET(
            "a.outlet_id") " AND :pid = 0 ORDER BY a.seq DESC LIMIT 200")

/* Outlets. */
HUB_SQL(HUB_Q_OUTLETS_LIST, HUB_SQL_SCOPED,
        "SELECT id, slug, name, media, region, staff_count, status, "
        "(SELECT count(*) FROM people p WHERE p.outlet_id = outlets.id AND "
        "p.archived_at IS NULL) FROM outlets WHERE " HUB_SCOPE(
            "id") " AND archived_at IS NULL ORDER BY name")
HUB_SQL(HUB_Q_OUTLET_GET, HUB_SQL_SCOPED,
        "SELECT id, slug, name, media, region, staff_count, status, "
        "created_at FROM outlets WHERE id = :id AND " HUB_SCOPE("id"))

/* Coverage inputs as of :t for one outlet (:outlet) or all in scope.  The
 * AGG variants read the whole programme for aggregate counts (donors); they
 * run only through hub_aggregate(), whose results are counts. */
#define COV_PEOPLE(scope)                                                      \
    "SELECT id FROM people WHERE " scope                                       \
    " AND " ONE_OUTLET("outlet_id") " AND " HUB_SELF("id") " AND " ALIVE
#define COV_ACCOUNTS(scope)                                                    \
    "SELECT a.id, coalesce(a.person_id, 0), a.kind = 'org', "                  \
    "a.platform, " TFA_AT " FROM accounts a WHERE " scope                      \
    " AND " ONE_OUTLET("a.outlet_id") " AND " HUB_SELF(                        \
        "a.person_id") " AND a.created_at <= :t AND "                          \
                       "(a.archived_at IS NULL OR a.archived_at > :t)"
#define COV_ADMINS(scope)                                                      \
    "SELECT aa.account_id, aa.person_id FROM account_admins aa "               \
    "JOIN accounts a ON a.id = aa.account_id WHERE " scope                     \
    " AND " ONE_OUTLET("a.outlet_id") " AND :pid = 0"
#define COV_DEVICES(scope)                                                                                    \
    "SELECT d.id, " DEV_AT("DEV-05") ", " DEV_AT("DEV-02") ", " DEV_AT(                                       \
        "DEV-03") ", " DEV_AT("DEV-06") ", " DEV_AT("DEV-11") " FROM devices "                                \
                                                              "d WHERE " scope                                \
                                                              " AND"                                          \
                                                              " " ONE_OUTLET("d.outlet_id") " AND " HUB_SELF( \
                                                                  "d."                                        \
                                                                  "custodian_"                                \
                                                                  "id") " AND"                                \
                                                                        " d."                                 \
                                                                        "crea"                                \
                                                                        "ted_"                                \
                                                                        "at "                                 \
                                                                        "<= "                                 \
                                                                        ":t "                                 \
                                                                        "AND "                                \
                                                                        "(d."                                 \
                                                                        "arch"                                \
                                                                        "ived"                                \
                                                                        "_at "                                \
                                                                        "IS "                                 \
                                                                        "NULL"                                \
                                                                        " OR "                                \
                                                                        "d."                                  \
                                                                        "arch"                                \
                                                                        "ived"                                \
                                                                        "_at "                                \
                                                                        "> "                                  \
                                                                        ":t)"

HUB_SQL(HUB_Q_COV_PEOPLE, HUB_SQL_SCOPED, COV_PEOPLE(HUB_SCOPE("outlet_id")))
HUB_SQL(HUB_Q_COV_ACCOUNTS, HUB_SQL_SCOPED,
        COV_ACCOUNTS(HUB_SCOPE("a.outlet_id")))
HUB_SQL(HUB_Q_COV_ADMINS, HUB_SQL_SCOPED, COV_ADMINS(HUB_SCOPE("a.outlet_id")))
HUB_SQL(HUB_Q_COV_DEVICES, HUB_SQL_SCOPED,
        COV_DEVICES(HUB_SCOPE("d.outlet_id")))
HUB_SQL(HUB_Q_AGG_PEOPLE, HUB_SQL_AGGREGATE, COV_PEOPLE("1"))
HUB_SQL(HUB_Q_AGG_ACCOUNTS, HUB_SQL_AGGREGATE, COV_ACCOUNTS("1"))
HUB_SQL(HUB_Q_AGG_ADMINS, HUB_SQL_AGGREGATE, COV_ADMINS("1"))
HUB_SQL(HUB_Q_AGG_DEVICES, HUB_SQL_AGGREGATE, COV_DEVICES("1"))

/* The per-person matrix: each person with each of their accounts. */
HUB_SQL(
    HUB_Q_MATRIX, HUB_SQL_SCOPED,
    "SELECT p.id, p.name, p.department, a.id, a.platform, " TFA_AT
    " FROM people p LEFT JOIN accounts a ON a.person_id = p.id AND "
    "a.archived_at IS NULL WHERE " HUB_SCOPE(
        "p.outlet_id") " AND p.outlet_id = :outlet AND p.archived_at IS NULL "
                       "AND " HUB_SELF("p.id") " ORDER BY p.name, p.id, "
                                               "a.platform, a.id")
/* A person's own records, for their checklist. */
HUB_SQL(
    HUB_Q_ME_PERSON, HUB_SQL_SCOPED,
    "SELECT p.name, p.outlet_id, o.name FROM people p "
    "JOIN outlets o ON o.id = p.outlet_id WHERE p.id = :person AND " HUB_SCOPE(
        "p.outlet_id") " AND " HUB_SELF("p.id"))
HUB_SQL(HUB_Q_ME_ACCOUNTS, HUB_SQL_SCOPED,
        "SELECT a.id, a.platform, a.handle, " TFA_AT ", a.outlet_id "
        "FROM accounts a WHERE a.person_id = :person AND " HUB_SCOPE(
            "a.outlet_id") " AND " HUB_SELF("a.person_id") " AND a.archived_at "
                                                           "IS NULL ORDER BY "
                                                           "a.platform, a.id")
HUB_SQL(
    HUB_Q_ME_DEVICES, HUB_SQL_SCOPED,
    "SELECT d.id, d.kind, d.os, d.os_version, d.asset_tag, d.outlet_id "
    "FROM devices d WHERE d.custodian_id = :person AND " HUB_SCOPE(
        "d.outlet_id") " AND " HUB_SELF("d.custodian_id") " AND d.archived_at "
                                                          "IS NULL ORDER BY "
                                                          "d.kind, d.id")

/* Observations: the subject decides the outlet, and must be in scope. */
HUB_SQL(
    HUB_Q_OBS_INSERT, HUB_SQL_SCOPED,
    "INSERT INTO observations (outlet_id, subject_type, subject_id, "
    "control_id, status, value, source, note, observed_at, observed_by, "
    "expires_at) SELECT s.outlet_id, :stype, :sid, :control, :status, "
    ":value, :source, :note, :at, :uid, :expires FROM ("
    "SELECT outlet_id, id AS person FROM people WHERE :stype = 'person' "
    "AND id = :sid UNION ALL "
    "SELECT outlet_id, custodian_id FROM devices WHERE :stype = 'device' "
    "AND id = :sid UNION ALL "
    "SELECT outlet_id, person_id FROM accounts WHERE :stype = 'account' "
    "AND id = :sid UNION ALL "
    "SELECT outlet_id, 0 FROM websites WHERE :stype = 'website' "
    "AND id = :sid UNION ALL "
    "SELECT id, 0 FROM outlets WHERE :stype = 'outlet' AND id = :sid) s "
    "WHERE " HUB_SCOPE("s.outlet_id") " AND " HUB_SELF(
        "s.person") " AND (:device = 0 OR (:stype = 'device' AND :sid = "
                    ":device)) "
                    "AND EXISTS (SELECT 1 FROM controls WHERE id = :control)")
HUB_SQL(HUB_Q_OBS_OUTLET, HUB_SQL_SCOPED,
        "SELECT outlet_id FROM observations WHERE seq = :seq AND " HUB_SCOPE(
            "outlet_id"))
/* The latest observation of every control on one subject at :t. */
HUB_SQL(HUB_Q_OBS_LATEST, HUB_SQL_SCOPED,
        "SELECT o.control_id, o.status, o.value, o.source, o.note, "
        "o.observed_at, o.expires_at FROM observations o "
        "WHERE o.subject_type = :stype AND o.subject_id = :sid "
        "AND " HUB_SCOPE(
            "o.outlet_id") " AND " SELF_SUBJECT
                           " AND o.observed_at <= :t AND o.seq = (SELECT "
                           "o2.seq FROM observations o2 "
                           "WHERE o2.subject_type = o.subject_type AND "
                           "o2.subject_id = o.subject_id AND o2.control_id = "
                           "o.control_id "
                           "AND o2.observed_at <= :t ORDER BY o2.observed_at "
                           "DESC, o2.seq DESC "
                           "LIMIT 1) ORDER BY o.control_id")
