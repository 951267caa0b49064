-- SPDX-License-Identifier: GPL-3.0-or-later
-- Migration 1: the register, logins and the observation log.
--
-- Ids of outlet data are random integers below 2^53 (JSON-safe), so an id
-- in a URL tells nothing about how many objects exist or how fast another
-- outlet grows.  Every row of outlet data carries outlet_id; the data-access
-- layer (lib/hub/dal.c) adds the caller's scope to every query.  Times are
-- Unix seconds (UTC); dates the user types are ISO 'YYYY-MM-DD' text.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE outlets (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    media       TEXT NOT NULL,
    region      TEXT NOT NULL DEFAULT '',
    staff_count INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL DEFAULT 'active',
    created_at  INTEGER NOT NULL,
    archived_at INTEGER
);

CREATE TABLE people (
    id            INTEGER PRIMARY KEY,
    outlet_id     INTEGER NOT NULL REFERENCES outlets(id),
    name          TEXT NOT NULL,
    department    TEXT NOT NULL,
    job_title     TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    public_facing INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    archived_at   INTEGER
);
CREATE INDEX people_outlet ON people(outlet_id);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role           TEXT NOT NULL,
    pw_hash        TEXT NOT NULL,
    totp_sealed    BLOB,
    totp_pending   BLOB,
    totp_last_step INTEGER NOT NULL DEFAULT 0,
    lang           TEXT NOT NULL DEFAULT '',
    person_id      INTEGER REFERENCES people(id),
    created_at     INTEGER NOT NULL,
    last_login     INTEGER,
    disabled       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE user_outlets (
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    outlet_id INTEGER NOT NULL REFERENCES outlets(id),
    PRIMARY KEY (user_id, outlet_id)
) WITHOUT ROWID;

-- The outlets each user may see: every outlet for a trainer, the assigned
-- ones for everybody else, none for donors and device users.
CREATE VIEW user_scope AS
    SELECT u.id AS user_id, o.id AS outlet_id
      FROM users u JOIN outlets o
     WHERE u.role = 'trainer'
    UNION
    SELECT uo.user_id, uo.outlet_id
      FROM user_outlets uo JOIN users u ON u.id = uo.user_id
     WHERE u.role IN ('assistant', 'focal', 'staff', 'device');

CREATE TABLE recovery_codes (
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash BLOB NOT NULL,
    used_at   INTEGER,
    PRIMARY KEY (user_id, code_hash)
) WITHOUT ROWID;

CREATE TABLE sessions (
    id_hash    BLOB PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    stage      INTEGER NOT NULL,
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    seen_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE tokens (
    hash       BLOB PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    device_id  INTEGER REFERENCES devices(id),
    label      TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    last_used  INTEGER,
    revoked_at INTEGER
) WITHOUT ROWID;

CREATE TABLE throttle (
    key       TEXT PRIMARY KEY,
    fails     INTEGER NOT NULL,
    last_fail INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    user_id   INTEGER,
    outlet_id INTEGER,
    action    TEXT NOT NULL,
    object    TEXT NOT NULL,
    detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_outlet ON audit(outlet_id, at);

CREATE TABLE devices (
    id           INTEGER PRIMARY KEY,
    outlet_id    INTEGER NOT NULL REFERENCES outlets(id),
    kind         TEXT NOT NULL,
    ownership    TEXT NOT NULL,
    os           TEXT NOT NULL DEFAULT '',
    os_version   TEXT NOT NULL DEFAULT '',
    asset_tag    TEXT NOT NULL DEFAULT '',
    custodian_id INTEGER REFERENCES people(id),
    created_at   INTEGER NOT NULL,
    archived_at  INTEGER
);
CREATE INDEX devices_outlet ON devices(outlet_id);

CREATE TABLE licences (
    id          INTEGER PRIMARY KEY,
    outlet_id   INTEGER NOT NULL REFERENCES outlets(id),
    product     TEXT NOT NULL,
    type        TEXT NOT NULL,
    seats       INTEGER NOT NULL DEFAULT 1,
    expires     TEXT NOT NULL DEFAULT '',
    funded_by   TEXT NOT NULL DEFAULT 'outlet',
    key_masked  TEXT NOT NULL DEFAULT '',
    device_id   INTEGER REFERENCES devices(id),
    created_at  INTEGER NOT NULL,
    archived_at INTEGER
);
CREATE INDEX licences_outlet ON licences(outlet_id);

CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,
    outlet_id   INTEGER NOT NULL REFERENCES outlets(id),
    platform    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    handle      TEXT NOT NULL,
    person_id   INTEGER REFERENCES people(id),
    criticality INTEGER NOT NULL DEFAULT 2,
    created_at  INTEGER NOT NULL,
    archived_at INTEGER
);
CREATE INDEX accounts_outlet ON accounts(outlet_id);
CREATE INDEX accounts_person ON accounts(person_id);

CREATE TABLE account_admins (
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    person_id  INTEGER NOT NULL REFERENCES people(id),
    role       TEXT NOT NULL DEFAULT 'admin',
    PRIMARY KEY (account_id, person_id)
) WITHOUT ROWID;

CREATE TABLE websites (
    id            INTEGER PRIMARY KEY,
    outlet_id     INTEGER NOT NULL REFERENCES outlets(id),
    url           TEXT NOT NULL,
    cms           TEXT NOT NULL DEFAULT '',
    host          TEXT NOT NULL DEFAULT '',
    registrar     TEXT NOT NULL DEFAULT '',
    domain_expiry TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    archived_at   INTEGER
);
CREATE INDEX websites_outlet ON websites(outlet_id);

CREATE TABLE controls (
    id         TEXT PRIMARY KEY,
    area       TEXT NOT NULL,
    level      TEXT NOT NULL,
    applies    TEXT NOT NULL,
    source     TEXT NOT NULL,
    weight     INTEGER NOT NULL,
    stale_days INTEGER NOT NULL
) WITHOUT ROWID;

-- Append-only: the state of anything at any date is the latest observation
-- before that date, so "as of" views need no separate history.
CREATE TABLE observations (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    outlet_id    INTEGER NOT NULL REFERENCES outlets(id),
    subject_type TEXT NOT NULL,
    subject_id   INTEGER NOT NULL,
    control_id   TEXT NOT NULL REFERENCES controls(id),
    status       TEXT NOT NULL,
    value        TEXT,
    source       TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    observed_at  INTEGER NOT NULL,
    observed_by  INTEGER,
    expires_at   INTEGER
);
CREATE INDEX obs_subject ON observations(subject_type, subject_id, control_id,
                                         observed_at);
CREATE INDEX obs_outlet ON observations(outlet_id, observed_at);

CREATE TRIGGER observations_no_update BEFORE UPDATE ON observations
BEGIN SELECT RAISE(ABORT, 'observations are append-only'); END;
CREATE TRIGGER observations_no_delete BEFORE DELETE ON observations
BEGIN SELECT RAISE(ABORT, 'observations are append-only'); END;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
