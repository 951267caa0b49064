/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sql_demo.h - statements of the demo-data generator (system level: it
 * runs from `kalkan serve --demo` on an empty database, never in a
 * request).  Expanded by sql.c and hub_int.h.
 *
 * Users, their outlets and the programme_start setting go through the core
 * statements (HUB_Q_USER_INSERT, HUB_Q_USER_OUTLET_ADD, HUB_Q_SETTING_SET),
 * so a demo login is stored exactly like one made by `kalkan user add`.
 */

HUB_SQL(HUB_Q_DEMO_ANY_OUTLET, HUB_SQL_SYSTEM,
        "SELECT EXISTS (SELECT 1 FROM outlets)")
HUB_SQL(HUB_Q_DEMO_OUTLET, HUB_SQL_SYSTEM,
        "INSERT INTO outlets (id, slug, name, media, region, staff_count, "
        "status, created_at) VALUES (:id, :slug, :name, :media, :region, "
        ":staff, 'active', :at)")
HUB_SQL(HUB_Q_DEMO_PERSON, HUB_SQL_SYSTEM,
        "INSERT INTO people (id, outlet_id, name, department, job_title, "
        "email, public_facing, created_at) VALUES (:id, :outlet, :name, "
        ":dept, :title, :email, :public, :at)")
HUB_SQL(HUB_Q_DEMO_DEVICE, HUB_SQL_SYSTEM,
        "INSERT INTO devices (id, outlet_id, kind, ownership, os, os_version, "
        "asset_tag, custodian_id, created_at) VALUES (:id, :outlet, :kind, "
        ":ownership, :os, :version, :tag, :custodian, :at)")
HUB_SQL(HUB_Q_DEMO_LICENCE, HUB_SQL_SYSTEM,
        "INSERT INTO licences (id, outlet_id, product, type, seats, expires, "
        "funded_by, key_masked, created_at) VALUES (:id, :outlet, :product, "
        ":type, :seats, :expires, :funded, :key, :at)")
HUB_SQL(HUB_Q_DEMO_WEBSITE, HUB_SQL_SYSTEM,
        "INSERT INTO websites (id, outlet_id, url, cms, host, registrar, "
        "domain_expiry, created_at) VALUES (:id, :outlet, :url, :cms, :host, "
        ":registrar, :expiry, :at)")
HUB_SQL(HUB_Q_DEMO_ACCOUNT, HUB_SQL_SYSTEM,
        "INSERT INTO accounts (id, outlet_id, platform, kind, handle, "
        "person_id, criticality, created_at) VALUES (:id, :outlet, "
        ":platform, :kind, :handle, :person, :crit, :at)")
HUB_SQL(HUB_Q_DEMO_ADMIN, HUB_SQL_SYSTEM,
        "INSERT INTO account_admins (account_id, person_id, role) "
        "VALUES (:account, :person, :role)")
HUB_SQL(HUB_Q_DEMO_OBS, HUB_SQL_SYSTEM,
        "INSERT INTO observations (outlet_id, subject_type, subject_id, "
        "control_id, status, value, source, note, observed_at, observed_by, "
        "expires_at) VALUES (:outlet, :stype, :sid, :control, :status, "
        ":value, :source, :note, :at, :by, :expires)")
