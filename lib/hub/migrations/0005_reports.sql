-- SPDX-License-Identifier: GPL-3.0-or-later
-- Migration 5: the content of every report issued, once per hash, so that
-- /reports/verify can show the figures a genuine copy holds next to the
-- copy someone hands over.  The content is the canonical text the hash is
-- computed over (docs/hub-reports.md): language-independent, with counts
-- only (the donor view's suppressed cells stay suppressed).  Programme
-- data: read only after the caller may see the report.
CREATE TABLE report_contents (
    sha256     TEXT PRIMARY KEY,           -- lower-case hex
    content    TEXT NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
