-- SPDX-License-Identifier: GPL-3.0-or-later
-- Migration 7: the website checks the hub runs (on a schedule, on demand)
-- or receives from an outlet's server, and what each one found.
--
-- Outlet data: both tables carry outlet_id and are read only through
-- scoped statements (sql_site.h); the checker's own thread writes through
-- the few system statements listed there.  What the pages count and sort
-- (status, grade, scores, finding ids, severities, dates) stays in clear
-- columns; what maps a site's weak spots in detail (the full report with
-- its evidence, each finding's evidence: "/.env", "TLS 1.0") is sealed
-- under the database key, bound to its table, column and row (seal.c).

CREATE TABLE site_checks (
    id             INTEGER PRIMARY KEY,        -- random, as every outlet row
    outlet_id      INTEGER NOT NULL REFERENCES outlets(id),
    website_id     INTEGER NOT NULL REFERENCES websites(id),
    n              INTEGER NOT NULL,           -- 1, 2, ... per website
    trigger        TEXT NOT NULL,              -- schedule, manual, api, upload
    status         TEXT NOT NULL,              -- queued, running, done, failed
    queued_at      INTEGER NOT NULL,
    started_at     INTEGER,
    checked_at     INTEGER,                    -- when it finished
    failure        TEXT NOT NULL DEFAULT '',   -- dns, unreachable, blocked,
                                               -- timeout, error
    failure_detail TEXT NOT NULL DEFAULT '',
    grade          TEXT NOT NULL DEFAULT '',   -- A+ A A- B C D F
    score          INTEGER,                    -- 0..100
    score_tls      INTEGER,                    -- NULL: the area was not
    score_headers  INTEGER,                    -- checked
    score_exposure INTEGER,
    score_mail     INTEGER,
    score_dns      INTEGER,
    capped_by      TEXT NOT NULL DEFAULT '',   -- "exposed.env=F hsts.short=A"
    best_fix       TEXT NOT NULL DEFAULT '',   -- a finding id
    passed         TEXT NOT NULL DEFAULT '',   -- ids of checks that passed
    requests       INTEGER NOT NULL DEFAULT 0,
    handshakes     INTEGER NOT NULL DEFAULT 0,
    elapsed_ms     INTEGER NOT NULL DEFAULT 0,
    cert_expires_at INTEGER,
    report_sealed  BLOB,                       -- the report's JSON, English
    created_by     INTEGER REFERENCES users(id)
);
-- The latest finished check of a website and its history (checked_at is
-- NULL while queued or running, so those sort apart).
CREATE INDEX site_checks_website ON site_checks(website_id, checked_at, n);
-- The checks still to run, oldest first.
CREATE INDEX site_checks_queue ON site_checks(status, queued_at)
    WHERE status IN ('queued', 'running');
CREATE INDEX site_checks_outlet ON site_checks(outlet_id, checked_at);

CREATE TABLE site_check_findings (
    id               INTEGER PRIMARY KEY,      -- random: the seal binds it
    check_id         INTEGER NOT NULL REFERENCES site_checks(id)
                     ON DELETE CASCADE,
    outlet_id        INTEGER NOT NULL REFERENCES outlets(id),
    finding_id       TEXT NOT NULL,            -- a catalogue id of lib/site
    severity         TEXT NOT NULL,            -- info low medium high critical
    area             TEXT NOT NULL,            -- tls headers exposure mail dns
    evidence_sealed  BLOB,
    UNIQUE (check_id, finding_id)
);
CREATE INDEX site_check_findings_outlet ON site_check_findings(outlet_id);
