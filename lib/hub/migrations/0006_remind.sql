-- SPDX-License-Identifier: GPL-3.0-or-later
-- Migration 6: the latest observation of each subject and control, kept
-- by triggers, so that "what is out of date" (the reminders on every
-- dashboard) is one range of an index instead of a grouping of the whole
-- observation log, which only grows: agents report every day.
--
-- Observations are append-only (migration 1 refuses UPDATE and DELETE),
-- so an insert is the only change to follow: a row here is replaced only
-- by a later observation (observed_at, then seq, as the "as of" queries
-- order them).  gone is 1 while the subject is archived, so archived
-- people, devices, accounts and websites remind nobody.  Outlet data:
-- read only through scoped statements (sql_remind.h).
CREATE TABLE obs_latest (
    subject_type TEXT NOT NULL,
    subject_id   INTEGER NOT NULL,
    control_id   TEXT NOT NULL,
    outlet_id    INTEGER NOT NULL REFERENCES outlets(id),
    seq          INTEGER NOT NULL,
    observed_at  INTEGER NOT NULL,
    expires_at   INTEGER,
    gone         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (subject_type, subject_id, control_id)
) WITHOUT ROWID;
-- Covers the count and the oldest-first list of one outlet's stale rows.
CREATE INDEX obs_latest_expiry ON obs_latest(outlet_id, gone, expires_at,
                                             seq);

INSERT INTO obs_latest (subject_type, subject_id, control_id, outlet_id, seq,
                        observed_at, expires_at, gone)
SELECT o.subject_type, o.subject_id, o.control_id, o.outlet_id, o.seq,
       o.observed_at, o.expires_at,
       CASE o.subject_type
       WHEN 'person' THEN EXISTS (SELECT 1 FROM people s
                                   WHERE s.id = o.subject_id
                                     AND s.archived_at IS NOT NULL)
       WHEN 'device' THEN EXISTS (SELECT 1 FROM devices s
                                   WHERE s.id = o.subject_id
                                     AND s.archived_at IS NOT NULL)
       WHEN 'account' THEN EXISTS (SELECT 1 FROM accounts s
                                    WHERE s.id = o.subject_id
                                      AND s.archived_at IS NOT NULL)
       WHEN 'website' THEN EXISTS (SELECT 1 FROM websites s
                                    WHERE s.id = o.subject_id
                                      AND s.archived_at IS NOT NULL)
       ELSE 0 END
  FROM observations o
 WHERE o.seq = (SELECT o2.seq FROM observations o2
                 WHERE o2.subject_type = o.subject_type
                   AND o2.subject_id = o.subject_id
                   AND o2.control_id = o.control_id
                 ORDER BY o2.observed_at DESC, o2.seq DESC LIMIT 1);

CREATE TRIGGER observations_latest AFTER INSERT ON observations
BEGIN
    INSERT INTO obs_latest (subject_type, subject_id, control_id, outlet_id,
                            seq, observed_at, expires_at, gone)
    VALUES (NEW.subject_type, NEW.subject_id, NEW.control_id, NEW.outlet_id,
            NEW.seq, NEW.observed_at, NEW.expires_at,
            CASE NEW.subject_type
            WHEN 'person' THEN EXISTS (SELECT 1 FROM people s
                                        WHERE s.id = NEW.subject_id
                                          AND s.archived_at IS NOT NULL)
            WHEN 'device' THEN EXISTS (SELECT 1 FROM devices s
                                        WHERE s.id = NEW.subject_id
                                          AND s.archived_at IS NOT NULL)
            WHEN 'account' THEN EXISTS (SELECT 1 FROM accounts s
                                         WHERE s.id = NEW.subject_id
                                           AND s.archived_at IS NOT NULL)
            WHEN 'website' THEN EXISTS (SELECT 1 FROM websites s
                                         WHERE s.id = NEW.subject_id
                                           AND s.archived_at IS NOT NULL)
            ELSE 0 END)
    ON CONFLICT (subject_type, subject_id, control_id) DO UPDATE SET
        outlet_id = excluded.outlet_id, seq = excluded.seq,
        observed_at = excluded.observed_at, expires_at = excluded.expires_at,
        gone = excluded.gone
    WHERE excluded.observed_at > obs_latest.observed_at
       OR (excluded.observed_at = obs_latest.observed_at
           AND excluded.seq > obs_latest.seq);
END;

CREATE TRIGGER people_latest AFTER UPDATE OF archived_at ON people
BEGIN
    UPDATE obs_latest SET gone = NEW.archived_at IS NOT NULL
     WHERE subject_type = 'person' AND subject_id = NEW.id;
END;
CREATE TRIGGER devices_latest AFTER UPDATE OF archived_at ON devices
BEGIN
    UPDATE obs_latest SET gone = NEW.archived_at IS NOT NULL
     WHERE subject_type = 'device' AND subject_id = NEW.id;
END;
CREATE TRIGGER accounts_latest AFTER UPDATE OF archived_at ON accounts
BEGIN
    UPDATE obs_latest SET gone = NEW.archived_at IS NOT NULL
     WHERE subject_type = 'account' AND subject_id = NEW.id;
END;
CREATE TRIGGER websites_latest AFTER UPDATE OF archived_at ON websites
BEGIN
    UPDATE obs_latest SET gone = NEW.archived_at IS NOT NULL
     WHERE subject_type = 'website' AND subject_id = NEW.id;
END;
