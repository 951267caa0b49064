/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sql_report.h - the statements of the reports (report*.c); see
 * sql_core.h and hub_int.h for the rules.
 *
 * Each indicator has a scoped statement (trainers, assistants and focal
 * points: the outlets in their scope, or one of them with :outlet) and an
 * aggregate twin (donors: the whole programme, counts only, run through
 * hub_aggregate()).  Reports are never for staff: the scoped statements
 * also require :pid = 0.  Parameters: :t the instant of the point, :tday
 * its day (YYYY-MM-DD), :from and :upto the days of the period up to the
 * point, :from_t and :upto_t the same as instants.  Every statement reads
 * one outlet's rows through the (outlet_id, ...) index of its table.
 */

#define REP_ONE(col) "(:outlet = 0 OR " col " = :outlet)"
#define REP_ALIVE(a)                                                           \
    a ".created_at <= :t AND (" a ".archived_at IS NULL OR " a                 \
      ".archived_at > :t)"

/* Outlets covered at :t. */
#define REP_OUTLETS(scope)                                                     \
    "SELECT count(*) FROM outlets o WHERE " scope                              \
    " AND " REP_ONE("o.id") " AND " REP_ALIVE("o")
/* People registered at :t, by department. */
#define REP_PEOPLE(scope)                                                      \
    "SELECT p.department, count(*) FROM people p WHERE " scope                 \
    " AND " REP_ONE("p.outlet_id") " AND " REP_ALIVE(                          \
        "p") " GROUP BY p.department"
/* Of them, those present at a session held in the period up to :upto, and
 * their minutes there, by department. */
#define REP_TRAINED(scope)                                                     \
    "SELECT p.department, count(DISTINCT p.id), coalesce(sum(a.minutes), 0) "  \
    "FROM attendance a JOIN training_sessions s ON s.id = a.session_id "       \
    "JOIN people p ON p.id = a.person_id AND p.outlet_id = a.outlet_id "       \
    "WHERE " scope " AND " REP_ONE(                                            \
        "a.outlet_id") " AND a.present = 1 AND s.held_on >= :from AND "        \
                       "s.held_on <= :upto AND (s.archived_at IS NULL OR "     \
                       "s.archived_at > :t) AND " REP_ALIVE(                   \
                           "p") " GROUP BY p.department"
/* Findings recorded by :t, and of them those resolved by :t. */
#define REP_FINDINGS(scope)                                                    \
    "SELECT count(*), coalesce(sum(f.resolved_at IS NOT NULL AND "             \
    "f.resolved_at <= :t), 0) FROM findings f WHERE " scope                    \
    " AND " REP_ONE("f.outlet_id") " AND " REP_ALIVE("f")
/* Incidents reported in the period up to :t: type, and the seconds from
 * report to recovery when recovered by :t (NULL otherwise), sorted. */
#define REP_INCIDENTS(scope)                                                   \
    "SELECT i.type, CASE WHEN i.recovered_at IS NOT NULL AND "                 \
    "i.recovered_at <= :t THEN max(0, i.recovered_at - i.reported_at) END "    \
    "AS ttr FROM incidents i WHERE " scope " AND " REP_ONE(                    \
        "i.outlet_id") " AND i.reported_at >= :from_t AND i.reported_at <= "   \
                       ":upto_t AND (i.archived_at IS NULL OR "                \
                       "i.archived_at > :t) ORDER BY i.type, ttr"

HUB_SQL(HUB_Q_REP_OUTLETS, HUB_SQL_SCOPED,
        REP_OUTLETS(HUB_SCOPE("o.id") " AND :pid = 0"))
HUB_SQL(HUB_Q_REP_PEOPLE, HUB_SQL_SCOPED,
        REP_PEOPLE(HUB_SCOPE("p.outlet_id") " AND :pid = 0"))
HUB_SQL(HUB_Q_REP_TRAINED, HUB_SQL_SCOPED,
        REP_TRAINED(HUB_SCOPE("a.outlet_id") " AND :pid = 0"))
HUB_SQL(HUB_Q_REP_FINDINGS, HUB_SQL_SCOPED,
        REP_FINDINGS(HUB_SCOPE("f.outlet_id") " AND :pid = 0"))
HUB_SQL(HUB_Q_REP_INCIDENTS, HUB_SQL_SCOPED,
        REP_INCIDENTS(HUB_SCOPE("i.outlet_id") " AND :pid = 0"))
HUB_SQL(HUB_Q_REP_AGG_OUTLETS, HUB_SQL_AGGREGATE, REP_OUTLETS("1"))
HUB_SQL(HUB_Q_REP_AGG_PEOPLE, HUB_SQL_AGGREGATE, REP_PEOPLE("1"))
HUB_SQL(HUB_Q_REP_AGG_TRAINED, HUB_SQL_AGGREGATE, REP_TRAINED("1"))
HUB_SQL(HUB_Q_REP_AGG_FINDINGS, HUB_SQL_AGGREGATE, REP_FINDINGS("1"))
HUB_SQL(HUB_Q_REP_AGG_INCIDENTS, HUB_SQL_AGGREGATE, REP_INCIDENTS("1"))

/* Issued reports (programme data): one row each time a report is
 * produced; the content once per hash (migration 0005). */
HUB_SQL(HUB_Q_REP_RECORD, HUB_SQL_SYSTEM,
        "INSERT INTO reports (id, scope, outlet_id, from_day, to_day, as_of, "
        "lang, format, sha256, created_by, created_at) VALUES (:id, :scope, "
        ":outlet, :from, :to, :as_of, :lang, :format, :sha, :user, :now)")
/* Whether this user already produced this report in this format and
 * language today: a repeated view then writes nothing. */
HUB_SQL(HUB_Q_REP_SEEN, HUB_SQL_SYSTEM,
        "SELECT 1 FROM reports WHERE sha256 = :sha AND created_by = :user "
        "AND format = :format AND lang = :lang AND created_at >= :since "
        "LIMIT 1")
HUB_SQL(HUB_Q_REP_CONTENT_PUT, HUB_SQL_SYSTEM,
        "INSERT OR IGNORE INTO report_contents (sha256, content, created_at) "
        "VALUES (:sha, :content, :now)")
HUB_SQL(HUB_Q_REP_CONTENT_GET, HUB_SQL_SYSTEM,
        "SELECT content FROM report_contents WHERE sha256 = :sha")
/* A programme report with this hash: any signed-in user may learn that
 * it was issued (the hash covers scope, period and date). */
HUB_SQL(HUB_Q_REP_FIND_PROGRAMME, HUB_SQL_SYSTEM,
        "SELECT from_day, to_day, as_of, min(created_at), max(created_at), "
        "count(*), coalesce(sum(created_by = :uid), 0) FROM reports "
        "WHERE sha256 = :sha AND scope = 'programme' "
        "GROUP BY from_day, to_day, as_of LIMIT 1")
/* An outlet report with this hash, if the outlet is in the caller's
 * scope: for anyone else it does not exist. */
HUB_SQL(HUB_Q_REP_FIND_OUTLET, HUB_SQL_SCOPED,
        "SELECT r.outlet_id, o.name, r.from_day, r.to_day, r.as_of, "
        "min(r.created_at), max(r.created_at), count(*) FROM reports r "
        "JOIN outlets o ON o.id = r.outlet_id WHERE r.sha256 = :sha AND "
        "r.scope = 'outlet' AND " HUB_SCOPE(
            "r.outlet_id") " AND :pid = 0 GROUP BY r.outlet_id, r.from_day, "
                           "r.to_day, r.as_of LIMIT 1")
