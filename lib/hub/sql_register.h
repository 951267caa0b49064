/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sql_register.h - statements of the register pages (outlets, people,
 * devices, licences, accounts, websites) and their CSV import/export.
 * Expanded by sql.c and hub_int.h; see the rule in hub_int.h.
 *
 * Each entity has one select (one object by :id, or all with :id = 0;
 * archived rows only by id or with :all = 1) whose columns are id,
 * outlet_id, archived_at and then the entity's columns in the order of its
 * table in reg.c.  Writes carry the caller's scope in their WHERE, so a
 * write on another outlet's object changes no row and the caller answers
 * "not found".  References (custodian, owner, admins, licence device) are
 * checked to be live objects of the same outlet inside the statement; an
 * update may keep a reference it already has.  Columns staff may not
 * change keep their value when :pid is set (RQ_KEEP), whatever is bound.
 */

/* Laid out as SQL, not as C: */
/* clang-format off */

/* One object or all objects of an outlet in the caller's scope. */
#define RQ_PICK(t)                                                             \
    t ".outlet_id = :outlet AND " HUB_SCOPE(t ".outlet_id")                    \
    " AND (:id = 0 OR " t ".id = :id) AND (:all = 1 OR :id <> 0 OR " t         \
    ".archived_at IS NULL)"
#define RQ_ORDER(t, key)                                                       \
    " ORDER BY " t ".archived_at IS NOT NULL, " key " LIMIT :limit"
/* A new row goes into an open outlet in the caller's scope; never staff. */
#define RQ_INTO                                                                \
    " FROM outlets o WHERE o.id = :outlet AND o.archived_at IS NULL AND "      \
    HUB_SCOPE("o.id") " AND :pid = 0"
/* The live row :id of outlet :outlet in the caller's scope. */
#define RQ_ROW                                                                 \
    " WHERE id = :id AND outlet_id = :outlet AND archived_at IS NULL AND "     \
    HUB_SCOPE("outlet_id")
/* p is NULL or a live row of tab in the outlet given by the column o. */
#define RQ_LIVE(tab, p, o)                                                     \
    "(" p " IS NULL OR EXISTS (SELECT 1 FROM " tab " x WHERE x.id = " p        \
    " AND x.outlet_id = " o " AND x.archived_at IS NULL))"
/* An update keeps the reference it has or takes a live one. */
#define RQ_REF(tab, col, p, o) "(" p " IS " col " OR " RQ_LIVE(tab, p, o) ")"
/* A column staff may not change. */
#define RQ_KEEP(col, p) col " = CASE WHEN :pid = 0 THEN " p " ELSE " col " END"
#define RQ_ARCHIVE(tab)                                                        \
    "UPDATE " tab " SET archived_at = :now" RQ_ROW " AND :pid = 0"
/* What a CSV export writes for a referenced row: its name (asset tag), or
 * its id when another live row of the outlet has the same one. */
#define RQ_CSV_REF(tab, col)                                                   \
    "CASE WHEN " col " = '' OR (SELECT count(*) FROM " tab " y WHERE "         \
    "y.outlet_id = " tab ".outlet_id AND y." col " = " tab "." col " AND "     \
    "y.archived_at IS NULL) > 1 THEN CAST(id AS TEXT) ELSE " col " END"

/* Outlets: scoped by their own id. */
HUB_SQL(HUB_Q_REG_OUTLETS, HUB_SQL_SCOPED,
        "SELECT o.id, o.id, o.archived_at, o.name, o.slug, o.media, "
        "o.region, o.staff_count, o.status, (SELECT count(*) FROM people p "
        "WHERE p.outlet_id = o.id AND p.archived_at IS NULL) FROM outlets o "
        "WHERE " HUB_SCOPE("o.id") " AND (:id = 0 OR o.id = :id) AND "
        "(:all = 1 OR :id <> 0 OR o.archived_at IS NULL)"
        RQ_ORDER("o", "o.name"))
/* Programme level: a new outlet is in no scope yet, so the statement
 * itself admits trainers only (the route does too). */
HUB_SQL(HUB_Q_REG_OUTLET_INSERT, HUB_SQL_SYSTEM,
        "INSERT INTO outlets (id, slug, name, media, region, staff_count, "
        "status, created_at) SELECT :id, :slug, :name, :media, :region, "
        ":staff_count, :status, :now WHERE EXISTS (SELECT 1 FROM users u "
        "WHERE u.id = :uid AND u.role = 'trainer' AND u.disabled = 0)")
HUB_SQL(HUB_Q_REG_OUTLET_UPDATE, HUB_SQL_SCOPED,
        "UPDATE outlets SET slug = :slug, name = :name, media = :media, "
        "region = :region, staff_count = :staff_count, status = :status "
        "WHERE id = :id AND archived_at IS NULL AND " HUB_SCOPE("id")
        " AND :pid = 0")
HUB_SQL(HUB_Q_REG_OUTLET_ARCHIVE, HUB_SQL_SCOPED,
        "UPDATE outlets SET archived_at = :now WHERE id = :id AND "
        "archived_at IS NULL AND " HUB_SCOPE("id") " AND :pid = 0")

/* People: staff see their own record. */
HUB_SQL(HUB_Q_REG_PEOPLE, HUB_SQL_SCOPED,
        "SELECT p.id, p.outlet_id, p.archived_at, p.name, p.department, "
        "p.job_title, p.email, p.public_facing FROM people p WHERE "
        RQ_PICK("p") " AND " HUB_SELF("p.id") RQ_ORDER("p", "p.name"))
HUB_SQL(HUB_Q_REG_PERSON_INSERT, HUB_SQL_SCOPED,
        "INSERT INTO people (id, outlet_id, name, department, job_title, "
        "email, public_facing, created_at) SELECT :id, o.id, :name, "
        ":department, :job_title, :email, :public_facing, :now" RQ_INTO)
HUB_SQL(HUB_Q_REG_PERSON_UPDATE, HUB_SQL_SCOPED,
        "UPDATE people SET name = :name, department = :department, "
        "job_title = :job_title, email = :email, "
        "public_facing = :public_facing" RQ_ROW " AND :pid = 0")
HUB_SQL(HUB_Q_REG_PERSON_ARCHIVE, HUB_SQL_SCOPED, RQ_ARCHIVE("people"))

/* Devices: staff see and edit the ones in their custody. */
HUB_SQL(HUB_Q_REG_DEVICES, HUB_SQL_SCOPED,
        "SELECT d.id, d.outlet_id, d.archived_at, d.kind, d.ownership, d.os, "
        "d.os_version, d.asset_tag, d.custodian_id FROM devices d WHERE "
        RQ_PICK("d") " AND " HUB_SELF("d.custodian_id")
        RQ_ORDER("d", "d.kind, d.asset_tag, d.id"))
HUB_SQL(HUB_Q_REG_DEVICE_INSERT, HUB_SQL_SCOPED,
        "INSERT INTO devices (id, outlet_id, kind, ownership, os, os_version, "
        "asset_tag, custodian_id, created_at) SELECT :id, o.id, :kind, "
        ":ownership, :os, :os_version, :asset_tag, :custodian, :now" RQ_INTO
        " AND " RQ_LIVE("people", ":custodian", "o.id"))
HUB_SQL(HUB_Q_REG_DEVICE_UPDATE, HUB_SQL_SCOPED,
        "UPDATE devices SET kind = :kind, os = :os, os_version = :os_version, "
        "asset_tag = :asset_tag, " RQ_KEEP("ownership", ":ownership") ", "
        RQ_KEEP("custodian_id", ":custodian") RQ_ROW " AND "
        HUB_SELF("custodian_id") " AND "
        RQ_REF("people", "custodian_id", ":custodian", "devices.outlet_id"))
HUB_SQL(HUB_Q_REG_DEVICE_ARCHIVE, HUB_SQL_SCOPED, RQ_ARCHIVE("devices"))

/* Licences: staff see those of their own devices. */
HUB_SQL(HUB_Q_REG_LICENCES, HUB_SQL_SCOPED,
        "SELECT l.id, l.outlet_id, l.archived_at, l.product, l.type, "
        "l.seats, l.expires, l.funded_by, l.key_masked, l.device_id FROM "
        "licences l WHERE " RQ_PICK("l") " AND "
        HUB_SELF("(SELECT d.custodian_id FROM devices d "
                 "WHERE d.id = l.device_id)")
        RQ_ORDER("l", "l.product, l.id"))
HUB_SQL(HUB_Q_REG_LICENCE_INSERT, HUB_SQL_SCOPED,
        "INSERT INTO licences (id, outlet_id, product, type, seats, expires, "
        "funded_by, key_masked, device_id, created_at) SELECT :id, o.id, "
        ":product, :type, :seats, :expires, :funded_by, :key, :device_id, "
        ":now" RQ_INTO " AND " RQ_LIVE("devices", ":device_id", "o.id"))
HUB_SQL(HUB_Q_REG_LICENCE_UPDATE, HUB_SQL_SCOPED,
        "UPDATE licences SET product = :product, type = :type, "
        "seats = :seats, expires = :expires, funded_by = :funded_by, "
        "key_masked = :key, device_id = :device_id" RQ_ROW " AND :pid = 0 "
        "AND " RQ_REF("devices", "device_id", ":device_id",
                      "licences.outlet_id"))
HUB_SQL(HUB_Q_REG_LICENCE_ARCHIVE, HUB_SQL_SCOPED, RQ_ARCHIVE("licences"))

/* Accounts: the 2FA method is the latest observation (TFA_AT, :t), the
 * admins a list of person ids (changed one by one, so admins who stay
 * keep their row).  Staff see and edit the accounts they own. */
HUB_SQL(HUB_Q_REG_ACCOUNTS, HUB_SQL_SCOPED,
        "SELECT a.id, a.outlet_id, a.archived_at, a.platform, a.handle, "
        TFA_AT ", a.person_id, a.kind, a.criticality, (SELECT "
        "group_concat(aa.person_id) FROM account_admins aa WHERE "
        "aa.account_id = a.id) FROM accounts a WHERE " RQ_PICK("a") " AND "
        HUB_SELF("a.person_id") RQ_ORDER("a", "a.platform, a.handle"))
HUB_SQL(HUB_Q_REG_ACCOUNT_INSERT, HUB_SQL_SCOPED,
        "INSERT INTO accounts (id, outlet_id, platform, kind, handle, "
        "person_id, criticality, created_at) SELECT :id, o.id, :platform, "
        ":kind, :handle, :owner, :criticality, :now" RQ_INTO " AND "
        RQ_LIVE("people", ":owner", "o.id"))
HUB_SQL(HUB_Q_REG_ACCOUNT_UPDATE, HUB_SQL_SCOPED,
        "UPDATE accounts SET " RQ_KEEP("platform", ":platform") ", "
        RQ_KEEP("kind", ":kind") ", " RQ_KEEP("handle", ":handle") ", "
        RQ_KEEP("person_id", ":owner") ", "
        RQ_KEEP("criticality", ":criticality") RQ_ROW " AND "
        HUB_SELF("person_id") " AND "
        RQ_REF("people", "person_id", ":owner", "accounts.outlet_id"))
HUB_SQL(HUB_Q_REG_ACCOUNT_ARCHIVE, HUB_SQL_SCOPED, RQ_ARCHIVE("accounts"))
HUB_SQL(HUB_Q_REG_ADMIN_DEL, HUB_SQL_SCOPED,
        "DELETE FROM account_admins WHERE person_id = :person AND "
        "account_id IN (SELECT a.id FROM accounts a WHERE a.id = :id AND "
        "a.outlet_id = :outlet AND " HUB_SCOPE("a.outlet_id") " AND "
        ":pid = 0)")
HUB_SQL(HUB_Q_REG_ADMIN_ADD, HUB_SQL_SCOPED,
        "INSERT OR IGNORE INTO account_admins (account_id, person_id, role) "
        "SELECT a.id, p.id, 'admin' FROM accounts a JOIN people p ON "
        "p.outlet_id = a.outlet_id WHERE a.id = :id AND a.outlet_id = :outlet "
        "AND p.id = :person AND p.archived_at IS NULL AND "
        HUB_SCOPE("a.outlet_id") " AND :pid = 0")

/* Websites: not shown to staff. */
HUB_SQL(HUB_Q_REG_WEBSITES, HUB_SQL_SCOPED,
        "SELECT w.id, w.outlet_id, w.archived_at, w.url, w.cms, w.host, "
        "w.registrar, w.domain_expiry FROM websites w WHERE " RQ_PICK("w")
        " AND :pid = 0" RQ_ORDER("w", "w.url"))
HUB_SQL(HUB_Q_REG_WEBSITE_INSERT, HUB_SQL_SCOPED,
        "INSERT INTO websites (id, outlet_id, url, cms, host, registrar, "
        "domain_expiry, created_at) SELECT :id, o.id, :url, :cms, :host, "
        ":registrar, :domain_expiry, :now" RQ_INTO)
HUB_SQL(HUB_Q_REG_WEBSITE_UPDATE, HUB_SQL_SCOPED,
        "UPDATE websites SET url = :url, cms = :cms, host = :host, "
        "registrar = :registrar, domain_expiry = :domain_expiry" RQ_ROW
        " AND :pid = 0")
HUB_SQL(HUB_Q_REG_WEBSITE_ARCHIVE, HUB_SQL_SCOPED, RQ_ARCHIVE("websites"))

/* References: what a person may type for a person (id, name, e-mail) or
 * a device (id, asset tag), resolved among the outlet's live rows. */
HUB_SQL(HUB_Q_REG_REF_PERSON, HUB_SQL_SCOPED,
        "SELECT id FROM people WHERE outlet_id = :outlet AND "
        "archived_at IS NULL AND " HUB_SCOPE("outlet_id") " AND "
        HUB_SELF("id") " AND (CAST(id AS TEXT) = :ref OR name = :ref OR "
        "(email <> '' AND email = :ref COLLATE NOCASE)) LIMIT 2")
HUB_SQL(HUB_Q_REG_REF_DEVICE, HUB_SQL_SCOPED,
        "SELECT id FROM devices WHERE outlet_id = :outlet AND "
        "archived_at IS NULL AND " HUB_SCOPE("outlet_id") " AND "
        HUB_SELF("custodian_id") " AND (CAST(id AS TEXT) = :ref OR "
        "(asset_tag <> '' AND asset_tag = :ref)) LIMIT 2")
/* Choices for selects and names for references: id, label, archived, the
 * text a CSV export writes for it. */
HUB_SQL(HUB_Q_REG_OPTS_PEOPLE, HUB_SQL_SCOPED,
        "SELECT id, name, archived_at IS NOT NULL, "
        RQ_CSV_REF("people", "name") " FROM people WHERE outlet_id = :outlet "
        "AND " HUB_SCOPE("outlet_id") " AND " HUB_SELF("id")
        " ORDER BY name, id LIMIT :limit")
HUB_SQL(HUB_Q_REG_OPTS_DEVICES, HUB_SQL_SCOPED,
        "SELECT id, CASE WHEN asset_tag <> '' THEN asset_tag || ' (' || kind "
        "|| ')' ELSE trim(kind || ' ' || os || ' ' || os_version) END, "
        "archived_at IS NOT NULL, " RQ_CSV_REF("devices", "asset_tag")
        " FROM devices WHERE outlet_id = :outlet AND " HUB_SCOPE("outlet_id")
        " AND " HUB_SELF("custodian_id") " ORDER BY kind, asset_tag, id "
        "LIMIT :limit")

/* clang-format on */
