-- SPDX-License-Identifier: GPL-3.0-or-later
-- Migration 8: what the log guard on an outlet's web server reports to the
-- hub (heartbeats with counters, and its ban and unban decisions), and the
-- outlet's office networks, which the guard never bans.
--
-- Outlet data: every table carries outlet_id and is read and written only
-- through scoped statements (sql_guard.h).  A report is tied to the
-- website it was posted for and to the token that sent it.  Addresses are
-- kept in clear: they are attackers' addresses (or the office's own
-- networks), and the pages count and group by them.

CREATE TABLE guard_reports (
    id          INTEGER PRIMARY KEY,           -- random, as every outlet row
    outlet_id   INTEGER NOT NULL REFERENCES outlets(id),
    website_id  INTEGER NOT NULL REFERENCES websites(id),
    created_by  INTEGER REFERENCES users(id),  -- the token's login
    received_at INTEGER NOT NULL,
    started_at  INTEGER NOT NULL,              -- the daemon's start
    sent_at     INTEGER NOT NULL,
    host        TEXT NOT NULL,
    version     TEXT NOT NULL,
    lines       INTEGER NOT NULL,
    matched     INTEGER NOT NULL,
    tracked     INTEGER NOT NULL,
    banned      INTEGER NOT NULL,
    events      INTEGER NOT NULL               -- events in the report
);
-- The last heartbeat of a website.
CREATE INDEX guard_reports_website ON guard_reports(website_id, received_at);
CREATE INDEX guard_reports_outlet ON guard_reports(outlet_id);

CREATE TABLE guard_events (
    id          INTEGER PRIMARY KEY,
    outlet_id   INTEGER NOT NULL REFERENCES outlets(id),
    website_id  INTEGER NOT NULL REFERENCES websites(id),
    report_id   INTEGER REFERENCES guard_reports(id),
    at          INTEGER NOT NULL,
    kind        TEXT NOT NULL,                 -- ban, unban
    address     TEXT NOT NULL,                 -- "192.0.2.7", "2001:db8::/64"
    rule        TEXT NOT NULL,                 -- [a-z0-9-]{1,47}
    hits        INTEGER NOT NULL,
    first_at    INTEGER NOT NULL,
    until_at    INTEGER NOT NULL,
    level       INTEGER NOT NULL,
    -- A spool sent again must not count twice.
    UNIQUE (website_id, at, kind, address, rule)
);
-- Per website over time: the latest decisions, the bans of each day.
CREATE INDEX guard_events_website ON guard_events(website_id, at);
CREATE INDEX guard_events_outlet ON guard_events(outlet_id);

CREATE TABLE guard_networks (
    id          INTEGER PRIMARY KEY,
    outlet_id   INTEGER NOT NULL REFERENCES outlets(id),
    prefix      TEXT NOT NULL,                 -- canonical "203.0.113.0/24"
    label       TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    created_by  INTEGER REFERENCES users(id),
    UNIQUE (outlet_id, prefix)
);
