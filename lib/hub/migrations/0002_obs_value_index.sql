-- SPDX-License-Identifier: GPL-3.0-or-later
-- Migration 2: the latest 2FA method of an account at a date is one index
-- probe.  Only observations that carry a value (2FA methods) are indexed;
-- the rowid (seq) at the end of every index entry orders ties.
CREATE INDEX obs_value ON observations(subject_type, subject_id, observed_at)
    WHERE value IS NOT NULL;
