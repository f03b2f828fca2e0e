// insgate — PgStore: outbox management (leases across instances), activity
// and qualified-identity rate reads, one transaction per call.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <pqxx/result>

#include <string>

#include "state/pg_errors.hpp"
#include "state/pg_store.hpp"
#include "state/pg_tx.hpp"
#include "state/unix_time.hpp"

namespace insgate::state {
namespace {

using detail::pg_run;
using detail::to_unix;

std::int64_t sql_limit(std::size_t limit) {
  return limit > static_cast<std::size_t>(INT64_MAX) ? INT64_MAX
                                                     : static_cast<std::int64_t>(limit);
}
std::int64_t unix_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::vector<OutboxRow> rows(const pqxx::result& res) {
  std::vector<OutboxRow> out;
  for (const auto& r : res) out.push_back(detail::read_pg_outbox_row(r));
  return out;
}

ActivityMonth read_month(const pqxx::row& q) {
  ActivityMonth m;
  m.finess = q[0].as<std::string>();
  m.mois = q[1].as<std::string>();
  std::int64_t* fields[] = {&m.requetes_insi, &m.requetes_verification, &m.recuperations,
                            &m.verifications, &m.cr00, &m.cr01, &m.cr02, &m.erreurs,
                            &m.cache_hits, &m.operateurs_distincts, &m.personnes_distinctes};
  for (int i = 0; i < 11; ++i) *fields[i] = q[2 + i].as<std::int64_t>();
  return m;
}

}  // namespace

std::vector<OutboxRow> PgStore::pending(const std::optional<std::string>& plugin,
                                        std::size_t limit) {
  return pg_run(*pool_, "reading the outbox", [&](pqxx::work& w) {
    return plugin ? rows(w.exec_prepared("outbox_pending_plugin", *plugin, sql_limit(limit)))
                  : rows(w.exec_prepared("outbox_pending_all", sql_limit(limit)));
  });
}

OutboxClaim PgStore::claim(const std::string& plugin, TimePoint now,
                           std::chrono::milliseconds lease) {
  return pg_run(*pool_, "leasing an outbox event", [&](pqxx::work& w) {
    OutboxClaim c;
    auto res = w.exec_prepared("outbox_claim", plugin, instance_id_, to_unix(now), unix_ms(now),
                               unix_ms(now) + lease.count());
    if (!res.empty()) {
      c.row = detail::read_pg_outbox_row(res[0]);
    } else {
      auto due = w.exec_prepared("outbox_next_due", plugin, to_unix(now));
      if (!due[0][0].is_null()) c.next_due = detail::from_unix(due[0][0].as<std::int64_t>());
    }
    w.commit();
    return c;
  });
}

bool PgStore::renew_lease(std::int64_t id, TimePoint now, std::chrono::milliseconds lease) {
  return pg_run(*pool_, "renewing an outbox lease", [&](pqxx::work& w) {
    bool ok = w.exec_prepared("outbox_renew_lease", id, instance_id_, unix_ms(now) + lease.count())
                  .affected_rows() == 1;
    w.commit();
    return ok;
  });
}

bool PgStore::mark_delivered(std::int64_t id, TimePoint when) {
  return pg_run(*pool_, "updating the outbox", [&](pqxx::work& w) {
    bool ok = w.exec_prepared("outbox_delivered", to_unix(when), id, instance_id_)
                  .affected_rows() == 1;
    w.commit();
    return ok;
  });
}

bool PgStore::mark_retry(std::int64_t id, TimePoint next_at, const std::string& error) {
  return pg_run(*pool_, "updating the outbox", [&](pqxx::work& w) {
    bool ok = w.exec_prepared("outbox_retry", to_unix(next_at), error, id, instance_id_)
                  .affected_rows() == 1;
    w.commit();
    return ok;
  });
}

bool PgStore::mark_dead(std::int64_t id, const std::string& error) {
  return pg_run(*pool_, "updating the outbox", [&](pqxx::work& w) {
    bool ok = w.exec_prepared("outbox_dead", error, id, instance_id_).affected_rows() == 1;
    w.commit();
    return ok;
  });
}

std::vector<OutboxRow> PgStore::list(OutboxState s, std::size_t limit) {
  return pg_run(*pool_, "reading the outbox", [&](pqxx::work& w) {
    return rows(w.exec_prepared("outbox_list", std::string(to_name(s)), sql_limit(limit)));
  });
}

bool PgStore::retry_dead(std::int64_t id) {
  return pg_run(*pool_, "updating the outbox", [&](pqxx::work& w) {
    bool ok = w.exec_prepared("outbox_retry_dead", id).affected_rows() == 1;
    w.commit();
    return ok;
  });
}

std::size_t PgStore::purge_delivered(TimePoint before) {
  return pg_run(*pool_, "purging the outbox", [&](pqxx::work& w) {
    auto n = w.exec_prepared("outbox_purge", to_unix(before)).affected_rows();
    w.commit();
    return static_cast<std::size_t>(n);
  });
}

std::size_t PgStore::route_unrouted(const std::vector<PluginRoute>& plugins) {
  if (plugins.empty()) return 0;
  return pg_run(*pool_, "routing the outbox", [&](pqxx::work& w) {
    for (const auto& p : plugins) {
      // Copied in queue order; a plugin limited to some structures gets
      // only their rows (order is kept within each structure).
      if (p.structures.empty())
        w.exec_prepared("outbox_copy_unrouted", p.name);
      else
        for (const auto& f : p.structures) w.exec_prepared("outbox_copy_unrouted_finess", p.name, f);
    }
    auto n = w.exec_prepared("outbox_drop_routed").affected_rows();
    w.commit();
    return static_cast<std::size_t>(n);
  });
}

std::vector<OutboxBacklog> PgStore::pending_backlog() {
  return pg_run(*pool_, "reading the outbox", [&](pqxx::work& w) {
    std::vector<OutboxBacklog> out;
    for (const auto& q : w.exec_prepared("outbox_backlog")) {
      OutboxBacklog b;
      if (!q[0].is_null()) b.plugin = q[0].as<std::string>();
      b.pending = q[1].as<std::int64_t>();
      b.oldest_created_at = detail::from_unix(q[2].as<std::int64_t>());
      out.push_back(std::move(b));
    }
    return out;
  });
}

std::optional<QualificationSnapshot> PgStore::qualification_snapshot(const std::string& finess,
                                                                     const std::string& mois) {
  return pg_run(*pool_, "reading the qualified-identity rate",
                [&](pqxx::work& w) -> std::optional<QualificationSnapshot> {
                  auto r = w.exec_prepared("snapshot_get", finess, mois);
                  if (r.empty()) return std::nullopt;
                  return QualificationSnapshot{finess, mois, r[0][0].as<std::int64_t>(),
                                               r[0][1].as<std::int64_t>(),
                                               detail::from_unix(r[0][2].as<std::int64_t>())};
                });
}

void PgStore::put_qualification_snapshot(const QualificationSnapshot& s) {
  pg_run(*pool_, "writing the qualified-identity rate", [&](pqxx::work& w) {
    w.exec_prepared("snapshot_put", s.finess, s.mois, s.qualifiees, s.file_active,
                    to_unix(s.releve_le));
    w.commit();
  });
}

std::optional<ActivityMonth> PgStore::activity(const std::string& finess,
                                               const std::string& mois) {
  return pg_run(*pool_, "reading activity", [&](pqxx::work& w) -> std::optional<ActivityMonth> {
    auto r = w.exec_prepared("activity_one", mois, finess);
    if (r.empty()) return std::nullopt;
    return read_month(r[0]);
  });
}

std::vector<ActivityMonth> PgStore::activity_month(const std::string& mois) {
  return pg_run(*pool_, "reading activity", [&](pqxx::work& w) {
    std::vector<ActivityMonth> out;
    for (const auto& q : w.exec_prepared("activity_month", mois)) out.push_back(read_month(q));
    return out;
  });
}

std::map<std::string, std::int64_t> PgStore::identity_counts(
    TimePoint active_since, const std::optional<std::string>& finess) {
  return pg_run(*pool_, "counting identities", [&](pqxx::work& w) {
    auto res = finess ? w.exec_prepared("identity_counts_finess", to_unix(active_since), *finess)
                      : w.exec_prepared("identity_counts_all", to_unix(active_since));
    std::map<std::string, std::int64_t> out;
    for (const auto& q : res) out[q[0].as<std::string>()] = q[1].as<std::int64_t>();
    return out;
  });
}

}  // namespace insgate::state
