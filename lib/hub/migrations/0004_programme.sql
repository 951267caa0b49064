-- SPDX-License-Identifier: GPL-3.0-or-later
-- Migration 4: the six-month programme - selection, assessments and action
-- plans, training, incidents, reports.
--
-- Outlet data (assessments, risks, findings, tasks, incidents, attendance)
-- carries outlet_id like the register and is read only through scoped
-- statements.  Calls, applications, curriculum modules and issued reports
-- are programme data: trainers (and the selection panel for applications)
-- see them, outlets do not.  Free text that maps an outlet's weaknesses
-- (risk and finding descriptions, incident notes and timelines) is stored
-- sealed (XChaCha20-Poly1305 under the database key, lib/hub/seal.c) in
-- *_sealed BLOB columns; what reports count (types, statuses, dates)
-- stays in clear columns.

-- --- selection ---

CREATE TABLE calls (
    id             INTEGER PRIMARY KEY,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    seats          INTEGER NOT NULL DEFAULT 5,
    opens          TEXT NOT NULL DEFAULT '',   -- YYYY-MM-DD
    closes         TEXT NOT NULL DEFAULT '',   -- YYYY-MM-DD, last day
    retention_days INTEGER NOT NULL DEFAULT 90, -- unselected: deleted after
    status         TEXT NOT NULL DEFAULT 'open', -- open, closed, decided
    created_by     INTEGER REFERENCES users(id),
    created_at     INTEGER NOT NULL,
    decided_at     INTEGER
);

CREATE TABLE call_criteria (
    call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    pos     INTEGER NOT NULL,
    name    TEXT NOT NULL,
    weight  INTEGER NOT NULL,              -- 1..100
    PRIMARY KEY (call_id, pos),
    UNIQUE (call_id, name)
) WITHOUT ROWID;

CREATE TABLE applications (
    id            INTEGER PRIMARY KEY,
    call_id       INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    receipt_hash  BLOB NOT NULL UNIQUE,    -- BLAKE2b of the receipt code
    outlet_name   TEXT NOT NULL,
    media         TEXT NOT NULL DEFAULT 'web',
    region        TEXT NOT NULL DEFAULT '',
    staff_count   INTEGER NOT NULL DEFAULT 0,
    contact_name  TEXT NOT NULL DEFAULT '',
    contact_email TEXT NOT NULL,
    answers       TEXT NOT NULL,           -- JSON object keyed by criterion
    status        TEXT NOT NULL DEFAULT 'submitted',
                  -- submitted, selected, declined, withdrawn
    submitted_at  INTEGER NOT NULL,
    decided_at    INTEGER,
    purge_after   INTEGER,                 -- unselected: deleted after this
    outlet_id     INTEGER REFERENCES outlets(id)
);
CREATE INDEX applications_call ON applications(call_id, status);

CREATE TABLE application_scores (
    application_id INTEGER NOT NULL REFERENCES applications(id)
                   ON DELETE CASCADE,
    reviewer_id    INTEGER NOT NULL REFERENCES users(id),
    criterion      TEXT NOT NULL,
    score          INTEGER NOT NULL,       -- 0..10
    note           TEXT NOT NULL DEFAULT '',
    scored_at      INTEGER NOT NULL,
    PRIMARY KEY (application_id, reviewer_id, criterion)
) WITHOUT ROWID;

-- A reviewer who declares a conflict of interest scores nothing of it.
CREATE TABLE application_conflicts (
    application_id INTEGER NOT NULL REFERENCES applications(id)
                   ON DELETE CASCADE,
    reviewer_id    INTEGER NOT NULL REFERENCES users(id),
    note           TEXT NOT NULL DEFAULT '',
    declared_at    INTEGER NOT NULL,
    PRIMARY KEY (application_id, reviewer_id)
) WITHOUT ROWID;

-- One-time enrolment links (a selected outlet's focal point): only the
-- BLAKE2b hash of the link's secret is kept.
CREATE TABLE invites (
    hash       BLOB PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) WITHOUT ROWID;

-- --- assessments and action plans ---

CREATE TABLE assessments (
    id          INTEGER PRIMARY KEY,
    outlet_id   INTEGER NOT NULL REFERENCES outlets(id),
    kind        TEXT NOT NULL,             -- baseline, midline, endline, adhoc
    held_on     TEXT NOT NULL,             -- YYYY-MM-DD
    assessor_id INTEGER REFERENCES users(id),
    status      TEXT NOT NULL DEFAULT 'open', -- open, closed
    summary_sealed BLOB,
    created_at  INTEGER NOT NULL,
    closed_at   INTEGER,
    archived_at INTEGER
);
CREATE INDEX assessments_outlet ON assessments(outlet_id, held_on);

-- An observation made during an assessment says which one.
ALTER TABLE observations ADD COLUMN assessment_id INTEGER
    REFERENCES assessments(id);

-- SAFETAG-style risk matrix rows: an adversary, its capability, the
-- likelihood and impact on the outlet's critical work (1..5 each).
CREATE TABLE risks (
    id            INTEGER PRIMARY KEY,
    outlet_id     INTEGER NOT NULL REFERENCES outlets(id),
    assessment_id INTEGER REFERENCES assessments(id),
    adversary     TEXT NOT NULL,
    capability    INTEGER NOT NULL,
    likelihood    INTEGER NOT NULL,
    impact        INTEGER NOT NULL,
    work_sealed   BLOB,                    -- the critical work threatened
    notes_sealed  BLOB,
    created_at    INTEGER NOT NULL,
    archived_at   INTEGER
);
CREATE INDEX risks_outlet ON risks(outlet_id);

CREATE TABLE findings (
    id            INTEGER PRIMARY KEY,
    outlet_id     INTEGER NOT NULL REFERENCES outlets(id),
    assessment_id INTEGER REFERENCES assessments(id),
    title_sealed  BLOB NOT NULL,
    controls      TEXT NOT NULL DEFAULT '', -- comma-separated control ids
    likelihood    INTEGER NOT NULL DEFAULT 3,
    impact        INTEGER NOT NULL DEFAULT 3,
    status        TEXT NOT NULL DEFAULT 'open', -- open, resolved, accepted
    created_at    INTEGER NOT NULL,
    resolved_at   INTEGER,
    archived_at   INTEGER
);
CREATE INDEX findings_outlet ON findings(outlet_id, status);

CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY,
    outlet_id   INTEGER NOT NULL REFERENCES outlets(id),
    finding_id  INTEGER REFERENCES findings(id),
    title       TEXT NOT NULL,
    owner_id    INTEGER REFERENCES people(id),
    due         TEXT NOT NULL DEFAULT '',  -- YYYY-MM-DD
    status      TEXT NOT NULL DEFAULT 'open', -- open, done
    created_at  INTEGER NOT NULL,
    done_at     INTEGER,
    reminded_at INTEGER,
    archived_at INTEGER
);
CREATE INDEX tasks_outlet ON tasks(outlet_id, status, due);

-- What the reminder mailer sent, so a reminder goes out once per day and
-- subject at most.
CREATE TABLE reminders_sent (
    kind       TEXT NOT NULL,              -- task, stale, licence, incident
    object_id  INTEGER NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day        TEXT NOT NULL,              -- YYYY-MM-DD
    sent_at    INTEGER NOT NULL,
    PRIMARY KEY (kind, object_id, user_id, day)
) WITHOUT ROWID;

-- --- training ---

-- The curriculum is programme data: every login may read it.
CREATE TABLE modules (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    minutes     INTEGER NOT NULL,
    audience    TEXT NOT NULL DEFAULT 'all', -- all, editorial, admin, ...
    controls    TEXT NOT NULL DEFAULT '',    -- comma-separated control ids
    summary     TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    archived_at INTEGER
);

-- A session ("residency") may gather several outlets; it is visible to
-- the users of the outlets it includes.
CREATE TABLE training_sessions (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    held_on     TEXT NOT NULL,             -- YYYY-MM-DD, first day
    days        INTEGER NOT NULL DEFAULT 1,
    place       TEXT NOT NULL DEFAULT '',
    trainer_id  INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    archived_at INTEGER
);

CREATE TABLE session_outlets (
    session_id INTEGER NOT NULL REFERENCES training_sessions(id),
    outlet_id  INTEGER NOT NULL REFERENCES outlets(id),
    PRIMARY KEY (session_id, outlet_id)
) WITHOUT ROWID;
CREATE INDEX session_outlets_outlet ON session_outlets(outlet_id);

CREATE TABLE session_modules (
    session_id INTEGER NOT NULL REFERENCES training_sessions(id),
    module_id  INTEGER NOT NULL REFERENCES modules(id),
    PRIMARY KEY (session_id, module_id)
) WITHOUT ROWID;

CREATE TABLE attendance (
    session_id INTEGER NOT NULL REFERENCES training_sessions(id),
    person_id  INTEGER NOT NULL REFERENCES people(id),
    outlet_id  INTEGER NOT NULL REFERENCES outlets(id),
    present    INTEGER NOT NULL DEFAULT 1,
    minutes    INTEGER NOT NULL DEFAULT 0,
    pre_score  INTEGER,                    -- 0..100, quiz before
    post_score INTEGER,                    -- 0..100, quiz after
    PRIMARY KEY (session_id, person_id)
) WITHOUT ROWID;
CREATE INDEX attendance_outlet ON attendance(outlet_id, person_id);

-- --- incidents ---

CREATE TABLE incidents (
    id                INTEGER PRIMARY KEY,
    outlet_id         INTEGER NOT NULL REFERENCES outlets(id),
    type              TEXT NOT NULL,
    title_sealed      BLOB NOT NULL,
    severity          INTEGER NOT NULL DEFAULT 2, -- 1 low .. 4 critical
    status            TEXT NOT NULL DEFAULT 'open',
                      -- open, contained, recovered, closed
    occurred_at       INTEGER NOT NULL,
    reported_at       INTEGER NOT NULL,
    first_response_at INTEGER,
    contained_at      INTEGER,
    recovered_at      INTEGER,
    closed_at         INTEGER,
    reported_by       INTEGER REFERENCES users(id),
    triage_flow       TEXT NOT NULL DEFAULT '',
    triage_path       TEXT NOT NULL DEFAULT '', -- answers taken, in order
    created_at        INTEGER NOT NULL,
    archived_at       INTEGER
);
CREATE INDEX incidents_outlet ON incidents(outlet_id, occurred_at);

CREATE TABLE incident_subjects (
    incident_id  INTEGER NOT NULL REFERENCES incidents(id),
    subject_type TEXT NOT NULL,            -- person, account, device, website
    subject_id   INTEGER NOT NULL,
    PRIMARY KEY (incident_id, subject_type, subject_id)
) WITHOUT ROWID;

-- The timeline: notes, status changes, escalations.  Append-only.
CREATE TABLE incident_events (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id  INTEGER NOT NULL REFERENCES incidents(id),
    outlet_id    INTEGER NOT NULL REFERENCES outlets(id),
    at           INTEGER NOT NULL,
    kind         TEXT NOT NULL,            -- note, status, escalation, triage
    text_sealed  BLOB,
    trainer_only INTEGER NOT NULL DEFAULT 0,
    user_id      INTEGER REFERENCES users(id)
);
CREATE INDEX incident_events_incident ON incident_events(incident_id, seq);
CREATE TRIGGER incident_events_no_update BEFORE UPDATE ON incident_events
BEGIN SELECT RAISE(ABORT, 'the incident timeline is append-only'); END;
CREATE TRIGGER incident_events_no_delete BEFORE DELETE ON incident_events
BEGIN SELECT RAISE(ABORT, 'the incident timeline is append-only'); END;

-- --- reports ---

-- Every report produced is recorded with the hash of its content, so a
-- copy handed on can be checked (/reports/verify).
CREATE TABLE reports (
    id         INTEGER PRIMARY KEY,
    scope      TEXT NOT NULL,              -- 'programme' or 'outlet'
    outlet_id  INTEGER REFERENCES outlets(id),
    from_day   TEXT NOT NULL,
    to_day     TEXT NOT NULL,
    as_of      INTEGER NOT NULL,
    lang       TEXT NOT NULL,
    format     TEXT NOT NULL,              -- json, csv, html, pdf
    sha256     TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX reports_sha ON reports(sha256);
