-- SPDX-License-Identifier: GPL-3.0-or-later
-- Migration 3: the scope view as UNION ALL.  Duplicates do not matter to
-- "outlet_id IN (...)", and without the de-duplication SQLite pushes
-- "user_id = :uid" into both branches: two primary-key lookups instead of
-- a temporary B-tree and an automatic index built for every statement
-- (measured: 235 us down to about 20 us per scoped query).
DROP VIEW user_scope;
CREATE VIEW user_scope AS
    SELECT u.id AS user_id, o.id AS outlet_id
      FROM users u, outlets o
     WHERE u.role = 'trainer'
    UNION ALL
    SELECT uo.user_id, uo.outlet_id
      FROM user_outlets uo, users u
     WHERE u.id = uo.user_id
       AND u.role IN ('assistant', 'focal', 'staff', 'device');
